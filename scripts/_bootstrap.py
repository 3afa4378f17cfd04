"""Create ``.venv`` on first use (or when pyproject.toml changed) and install geonames into it.

Used by ``scripts/demo.py`` and ``scripts/test.py``; needs nothing but Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".geonames-installed"


def ensure_venv() -> Path:
    """Return the venv's bin folder, creating and installing it first when needed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - runs under any python3 before the venv exists
        sys.exit(f"geonames needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted and (BIN / "geonames").exists():
        return BIN
    if not (BIN / "python").exists():
        print(f"creating {VENV} …", file=sys.stderr, flush=True)
        venv.create(VENV, with_pip=True)
    print("installing geonames and its dependencies into .venv (first run only) …",
          file=sys.stderr, flush=True)
    run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[dev]"])
    STAMP.write_text(wanted + "\n")
    return BIN


def run(cmd: list[str]) -> None:
    """Run a command from the repository root; exit with its code if it fails."""
    code = subprocess.call(cmd, cwd=ROOT)
    if code != 0:
        sys.exit(code)
