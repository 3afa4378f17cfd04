"""The standard place-name directory (标准地名录) of a division, built from the register.

:func:`build_directory` turns the places of a register (as of a date) into the directory's
content, independent of how it is printed (:mod:`geonames.report.directory` writes PDF and
.docx):

* **sections by division**: one per county (the first 6 digits of the place's division code),
  and in it one per township (9 digits); the county's and township's own names open their
  sections;
* within a section, **groups by category** (GB/T 18521 code of the place, or the one its
  generic term implies, :func:`geonames.names.romanize.generic_terms`), in code order;
* **entries** in code order then name: standard name, romanization with tone marks as
  dictionaries print them in the heading (GB/T 16159), category, location, meaning and
  origin, history, approval, and the historical names with their dates;
* two **indexes**: by pinyin (toneless romanization, then tones, then characters) and by
  strokes (total strokes of the first character, then its Kangxi radical, then the rest),
  from ``geonames/data/strokes.csv`` (Unihan, see ``scripts/make_stroke_table.py``).

>>> from geonames.names.model import PlaceName
>>> d = build_directory([PlaceName("p1", "解放碑街道", generic="街道", division_code="500103001"),
...                      PlaceName("p0", "渝中区", generic="区", division_code="500103")])
>>> [(s.code, s.name) for s in d.sections]
[('500103', '渝中区')]
>>> [e.name for e in d.entries()]
['渝中区', '解放碑街道']
>>> d.entries()[1].heading_roman
'Jiěfàngbēi Jiēdào'
"""

from __future__ import annotations

import csv
import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources

from geonames.names.model import PlaceName, VariantKind
from geonames.names.romanize import generic_terms, romanize

#: Category names of the GB/T 18521 major classes, for codes the generic-terms table lacks.
_CATEGORY_FALLBACK = {"1": "自然地理实体", "2": "行政区域", "3": "群众自治组织",
                      "4": "非行政区域", "5": "居民点", "6": "交通运输设施",
                      "7": "水利、电力、通信设施", "8": "纪念地、旅游胜地和名胜古迹",
                      "9": "单位"}


@dataclass
class DirectoryEntry:
    """One entry of the directory (all text, ready to print)."""

    id: str
    name: str
    heading_roman: str  # with tone marks
    romanization: str  # the register's (no tones)
    category: str
    category_name: str
    code: str  # the division code of the place
    location: str
    meaning: str = ""
    origin: str = ""
    history: str = ""
    approval: str = ""
    former: list[str] = field(default_factory=list)
    status: str = ""
    pinyin_key: tuple = ()  # (syllables, tones): dictionary order, syllable by syllable


@dataclass
class CategoryGroup:
    category: str
    name: str
    entries: list[DirectoryEntry]


@dataclass
class Section:
    """A division's part of the directory: its groups, then its sub-sections."""

    code: str
    name: str
    groups: list[CategoryGroup] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


@dataclass
class IndexItem:
    name: str
    roman: str
    key: tuple
    ids: list[str]  # entries of that name, in directory order


@dataclass
class Directory:
    """What :func:`build_directory` returns."""

    title: str
    sections: list[Section]
    as_of: date | None
    pinyin_index: list[IndexItem]
    stroke_index: list[tuple[int, list[IndexItem]]]  # (strokes of first char, items)

    def entries(self) -> list[DirectoryEntry]:
        """Every entry in printed order."""
        out: list[DirectoryEntry] = []

        def walk(section: Section) -> None:
            for group in section.groups:
                out.extend(group.entries)
            for child in section.children:
                walk(child)

        for s in self.sections:
            walk(s)
        return out


def build_directory(places: Iterable[PlaceName], *, within: str = "", title: str = "",
                    as_of: date | None = None, division_names: dict[str, str] | None = None
                    ) -> Directory:
    """The directory of the places whose division code starts with ``within`` (all when
    empty). ``division_names`` (code → name) names the sections the register has no place
    for; otherwise the section is named by its code."""
    names = dict(division_names or {})
    everything = list(places)
    chosen = [p for p in everything if str(p.division_code).startswith(within)]
    for p in everything:  # the register's own names of the divisions win
        code = str(p.division_code)
        if len(code) in (6, 9) and _is_division_name(p):
            names[code] = p.name
    counties: dict[str, Section] = {}
    townships: dict[str, Section] = {}
    members: dict[str, list[PlaceName]] = {}
    for p in chosen:
        code = str(p.division_code)
        county = code[:6] if len(code) >= 6 else code
        if county not in counties:
            counties[county] = Section(county, names.get(county, county))
        key = county if len(code) <= 9 and (len(code) <= 6 or _is_division_name(p)) \
            else code[:9]
        if key != county and key not in townships:
            townships[key] = Section(key, names.get(key, key))
        members.setdefault(key, []).append(p)
    for key, group in members.items():
        section = counties[key] if key in counties else townships[key]
        section.groups = _groups(group)
    for code in sorted(townships):
        counties[code[:6]].children.append(townships[code])
    sections = [counties[c] for c in sorted(counties)]
    directory = Directory(title=title or "标准地名录", sections=sections, as_of=as_of,
                          pinyin_index=[], stroke_index=[])
    entries = directory.entries()
    directory.pinyin_index = pinyin_index(entries)
    directory.stroke_index = stroke_index(entries)
    return directory


def _is_division_name(p: PlaceName) -> bool:
    term = generic_terms().get(p.generic) if p.generic else None
    return bool(term and term.levels and any(lv in ("county", "township", "prefecture")
                                            for lv in term.levels))


def _groups(places: list[PlaceName]) -> list[CategoryGroup]:
    by_cat: dict[str, list[PlaceName]] = {}
    cat_names: dict[str, str] = {}
    for p in places:
        cat, cat_name = category_of(p)
        by_cat.setdefault(cat, []).append(p)
        cat_names[cat] = cat_name
    out = []
    for cat in sorted(by_cat, key=lambda c: (c == "", c)):
        members = sorted(by_cat[cat], key=lambda p: (str(p.division_code), p.name, p.id))
        out.append(CategoryGroup(cat, cat_names[cat], [entry_of(p) for p in members]))
    return out


def category_of(p: PlaceName) -> tuple[str, str]:
    """(code, name) of the place's category: its own, or the one its generic implies."""
    terms = generic_terms()
    if p.category:
        for term in terms.values():
            if term.category == p.category:
                return p.category, term.category_name
        return p.category, _CATEGORY_FALLBACK.get(p.category[:1], "")
    implied = terms.get(p.generic) if p.generic else None
    if implied is not None:
        return implied.category, implied.category_name
    return "", "其他"


def entry_of(p: PlaceName) -> DirectoryEntry:
    """The printed entry of one place."""
    cat, cat_name = category_of(p)
    former = []
    for v in p.variants:
        if v.kind in (VariantKind.HISTORICAL, VariantKind.FORMER_STANDARD):
            span = "–".join(d.isoformat() if d else "" for d in (v.valid_from, v.valid_to))
            former.append(f"{v.name}（{span}）" if span != "–" else v.name)
    if p.geometry is not None and not p.geometry.is_empty:
        pt = p.geometry.representative_point()
        location = f"{pt.x:.4f}°E, {pt.y:.4f}°N"
    else:
        location = ""
    approval = ""
    if p.approval is not None:
        a = p.approval
        approval = " ".join(x for x in (a.authority, a.document,
                                        a.date.isoformat() if a.date else "") if x)
    roman = romanize(p.name, tones=True, code=_code_or_none(p))
    return DirectoryEntry(
        id=p.id, name=p.name, heading_roman=roman.text,
        pinyin_key=(roman.syllables, roman.tones),
        romanization=p.romanization, category=cat, category_name=cat_name,
        code=str(p.division_code), location=location, meaning=p.meaning, origin=p.origin,
        history=p.history, approval=approval, former=former, status=str(p.status))


def _code_or_none(p: PlaceName) -> str | None:
    code = str(p.division_code)
    return code if code.isdigit() else None


def toneless(text: str) -> str:
    """``"Jiěfàngbēi"`` → ``"jiefangbei"`` (ü kept as ü, then sorted after u).

    >>> toneless("Lǜ’ān Qū")
    "lü'an qu"
    """
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch) and ch != "\u0308":
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out)).replace("’", "'").lower()


def pinyin_index(entries: list[DirectoryEntry]) -> list[IndexItem]:
    """One item per distinct name in dictionary order: toneless syllables one by one
    (八一 ba-yi before 白家 bai-jia; ü after u), then tones, then characters."""
    items: dict[str, IndexItem] = {}
    for e in entries:
        item = items.get(e.name)
        if item is None:
            syllables, tones = e.pinyin_key or ((toneless(e.heading_roman),), ())
            key = (tuple(toneless(x) for x in syllables), tuple(tones), e.name)
            items[e.name] = IndexItem(e.name, e.heading_roman, key, [e.id])
        else:
            item.ids.append(e.id)
    return sorted(items.values(), key=lambda i: i.key)


@functools.cache
def stroke_table() -> dict[str, tuple[int, str, int]]:
    """char → (total strokes, Kangxi radical number, residual strokes)."""
    text = resources.files("geonames.data").joinpath("strokes.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["char"]: (int(r["strokes"]), r["radical"], int(r["residual"])) for r in rows}


def stroke_key(name: str) -> tuple:
    """Sort key of the stroke index: per character (strokes, radical, residual, code point);
    characters outside the table sort after those in it.

    >>> stroke_key("万州区")[0], stroke_key("重庆")[0]
    ((3, 1, 2, 19975), (9, 166, 2, 37325))
    """
    table = stroke_table()
    key = []
    for ch in name:
        found = table.get(ch)
        if found is None:
            key.append((99, 999, 99, ord(ch)))
        else:
            strokes, radical, residual = found
            key.append((strokes, int(radical.rstrip("'")), residual, ord(ch)))
    return tuple(key)


def stroke_index(entries: list[DirectoryEntry]) -> list[tuple[int, list[IndexItem]]]:
    """Distinct names grouped by the strokes of their first character."""
    items: dict[str, IndexItem] = {}
    for e in entries:
        if e.name in items:
            items[e.name].ids.append(e.id)
        else:
            items[e.name] = IndexItem(e.name, e.heading_roman, stroke_key(e.name), [e.id])
    groups: dict[int, list[IndexItem]] = {}
    for item in sorted(items.values(), key=lambda i: i.key):
        groups.setdefault(item.key[0][0] if item.key else 0, []).append(item)
    return sorted(groups.items())
