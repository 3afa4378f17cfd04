#!/usr/bin/env python3
"""The whole test suite: set up .venv on first use, then run pytest (extra args pass through).

    python3 scripts/test.py
"""

import subprocess
import sys

from _bootstrap import ROOT, ensure_venv

bin_dir = ensure_venv()
sys.exit(subprocess.call([str(bin_dir / "python"), "-m", "pytest", *sys.argv[1:]], cwd=ROOT))
