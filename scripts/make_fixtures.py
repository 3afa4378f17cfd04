#!/usr/bin/env python3
"""Regenerate ``fixtures/chongqing/`` from the third-party data in ``../shared/data/``.

The two district/county layers of Chongqing are copied unchanged in content (the division code
stays the GeoJSON feature id):

* ``divisions.geojson``          ← ``chongqing/divisions-echarts-4.9.0.geojson`` (38 units, after
  the 2011–2016 changes);
* ``divisions-previous.geojson`` ← ``chongqing/divisions-echarts-2.2.8.geojson`` (40 units, before
  the 2011 mergers).

    python3 scripts/make_fixtures.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIES = {
    "chongqing/divisions-echarts-4.9.0.geojson": "chongqing/divisions.geojson",
    "chongqing/divisions-echarts-2.2.8.geojson": "chongqing/divisions-previous.geojson",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    for src, dst in COPIES.items():
        data = json.loads((args.shared / src).read_text(encoding="utf-8"))
        out = ROOT / "fixtures" / dst
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n",
                       encoding="utf-8")
        print(f"wrote {out.relative_to(ROOT)} ({len(data['features'])} features)")


if __name__ == "__main__":
    main()
