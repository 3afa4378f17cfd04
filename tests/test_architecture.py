"""The package's shape holds: import-linter's layer contracts, mypy over the package, no domain
module at the top level."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
KERNEL = {"__init__", "errors", "findings", "document", "crs", "geometry", "vector", "text",
          "values"}


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_import_contracts_are_kept() -> None:
    done = _run(str(BIN / "lint-imports"))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_mypy_finds_no_error_in_the_package() -> None:
    done = _run(sys.executable, "-m", "mypy", "geonames")
    assert done.returncode == 0, done.stdout[-4000:]
    assert done.stdout.startswith("Success: no issues found")


def test_only_the_kernel_sits_at_the_top_level() -> None:
    top = {p.stem for p in (ROOT / "geonames").glob("*.py")}
    assert top <= KERNEL, top - KERNEL
    domains = {p.name for p in (ROOT / "geonames").iterdir()
               if p.is_dir() and (p / "__init__.py").exists()}
    assert domains == {"divisions", "boundaries", "names", "registry", "heritage", "inspection",
                       "report", "cli"} | (domains & {"serve"})
