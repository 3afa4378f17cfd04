#!/usr/bin/env python3
"""The main job: set up .venv on first use, then inspect the bundled Chongqing fixture.

    python3 scripts/demo.py

Runs ``geonames inspect run fixtures/chongqing/inspection.toml --out report --force``: a whole joint
inspection of the bundled Chongqing fixture, in ``report/`` (report.html with a section per
boundary line, findings.gpkg, findings.csv, summary.json, markers.csv …):

* coverage of the districts and counties (every overlap, gap, open inlet, mismatched edge,
  sliver and invalid polygon);
* changes since the previous round's divisions (the 2011–2016 mergers and recodings);
* the boundary markers of twelve lines in western Chongqing against their lines and the
  previous round (planted faults of every kind, see fixtures/chongqing/ground-truth.json);
* the other party's version of those lines (planted offsets).

The fixture is dirty on purpose, so the inspection finds errors (exit code 1): for the demo that
is success. Bad input or usage (2) and internal errors (3) fail the demo.
"""

import os
import subprocess
import sys

from _bootstrap import ROOT, ensure_venv

FINDINGS = 1

bin_dir = ensure_venv()
cmd = [str(bin_dir / "geonames"), "inspect", "run", "fixtures/chongqing/inspection.toml",
       "--out", "report", "--force"]
print("$ " + " ".join(["geonames", *cmd[1:]]), file=sys.stderr, flush=True)
code = subprocess.call(cmd, cwd=ROOT, env=os.environ)
if code in (0, FINDINGS):
    report = ROOT / "report" / "report.html"
    what = "error findings were found" if code == FINDINGS else "no error findings"
    print(f"demo done ({what}); open {report}", file=sys.stderr)
    sys.exit(0)
sys.exit(code)
