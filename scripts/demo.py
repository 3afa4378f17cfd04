#!/usr/bin/env python3
"""The main job: set up .venv on first use, then inspect the bundled Chongqing fixture.

    python3 scripts/demo.py

Runs ``geonames inspect coverage fixtures/chongqing/divisions.geojson --out report``: every
overlap, gap, open inlet, mismatched edge, sliver and invalid polygon of Chongqing's districts
and counties, in ``report/`` (report.html, findings.gpkg, findings.csv, summary.json).

The fixture is dirty on purpose, so the inspection finds errors (exit code 1): for the demo that
is success. Bad input or usage (2) and internal errors (3) fail the demo.
"""

import os
import subprocess
import sys

from _bootstrap import ROOT, ensure_venv

FINDINGS = 1

bin_dir = ensure_venv()
cmd = [str(bin_dir / "geonames"), "inspect", "coverage", "fixtures/chongqing/divisions.geojson",
       "--out", "report"]
print("$ " + " ".join(["geonames", *cmd[1:]]), file=sys.stderr, flush=True)
code = subprocess.call(cmd, cwd=ROOT, env=os.environ)
if code in (0, FINDINGS):
    report = ROOT / "report" / "report.html"
    what = "error findings were found" if code == FINDINGS else "no error findings"
    print(f"demo done ({what}); open {report}", file=sys.stderr)
    sys.exit(0)
sys.exit(code)
