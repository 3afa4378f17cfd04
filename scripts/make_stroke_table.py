#!/usr/bin/env python3
"""Regenerate ``geonames/data/strokes.csv``: total strokes and Kangxi radical of the 8,105
characters of the Table of General Standard Chinese Characters, for the stroke index of the
place-name directory.

Source: the Unicode Character Database, Unihan 15.0.0 as the Debian package ``unicode-data``
installs it (``/usr/share/unicode``): ``kTotalStrokes`` (the first value, the one for the
simplified form) and ``kRSUnicode`` (radical.residual strokes; the first value) from
``Unihan_IRGSources.txt.bz2``, and the radical characters from ``CJKRadicals.txt``.

    apt-get install unicode-data && python3 scripts/make_stroke_table.py
"""

from __future__ import annotations

import bz2
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UNICODE = Path("/usr/share/unicode")
OUT = ROOT / "geonames" / "data" / "strokes.csv"


def main() -> None:
    chars = []
    for line in (ROOT / "geonames" / "data" / "general_standard_chars.txt").read_text(
            encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            chars.append(line.split("\t")[1])
    wanted = {f"U+{ord(c):04X}" for c in chars}
    strokes: dict[str, int] = {}
    radical: dict[str, tuple[str, int]] = {}
    with bz2.open(UNICODE / "Unihan_IRGSources.txt.bz2", "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            code, field, value = line.rstrip("\n").split("\t")
            if code not in wanted:
                continue
            if field == "kTotalStrokes":
                strokes[code] = int(value.split()[0])
            elif field == "kRSUnicode":
                rad, residual = value.split()[0].split(".")
                radical[code] = (rad, int(residual))
    names = {}
    for line in (UNICODE / "CJKRadicals.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d+'*);\s*([0-9A-F]+);\s*([0-9A-F]+)", line)
        if m:
            names[m.group(1)] = chr(int(m.group(3), 16))
    rows = ["# Total strokes and Kangxi radical (number, residual strokes, radical character) of the",
            "# 8,105 characters of the Table of General Standard Chinese Characters, from the Unicode",
            "# Character Database, Unihan 15.0.0 (Debian package unicode-data 15.0.0-1: kTotalStrokes,",
            "# kRSUnicode, CJKRadicals.txt), made by scripts/make_stroke_table.py. A radical number",
            "# with ' is the simplified form of the radical. Unicode data: Copyright (c) Unicode, Inc.,",
            "# Unicode License v3.",
            "char,strokes,radical,residual,radical_char"]
    for c in chars:
        code = f"U+{ord(c):04X}"
        rad, residual = radical[code]
        rows.append(f"{c},{strokes[code]},{rad},{residual},{names.get(rad, '')}")
    OUT.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(chars)} characters")


if __name__ == "__main__":
    main()
