#!/usr/bin/env python3
"""The main job: set up .venv on first use, then inspect the bundled Chongqing fixture.

    python3 scripts/demo.py
"""

import os
import subprocess
import sys

from _bootstrap import ROOT, ensure_venv

bin_dir = ensure_venv()
cmd = [str(bin_dir / "geonames"), "info", "fixtures/chongqing/divisions.geojson"]
print("$ " + " ".join(["geonames", *cmd[1:]]), file=sys.stderr, flush=True)
sys.exit(subprocess.call(cmd, cwd=ROOT, env=os.environ))
