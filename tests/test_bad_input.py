"""Every command meets bad input with one clear line on stderr and exit code 2, never a traceback.

The cases run the CLI's entry point in this process (:func:`tests.cli_runner.run_cli`); the
first also runs as a fresh interpreter, the way the console script starts.
"""

import subprocess
import sys

import pytest

from tests.cli_runner import run_cli
from tests.conftest import FIXTURES, ROOT

CQ = FIXTURES / "chongqing"


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    (folder / "table.csv").write_text("not,a\n1,2\n", encoding="utf-8")
    (folder / "garbage.gpkg").write_bytes(b"garbage, not a database")
    (folder / "empty.geojson").write_bytes(b"")
    return folder


CASES = [
    (["names", "lint", "{bad}/missing.csv"], "no such file"),
    (["names", "lint", "{bad}/table.csv"], "no name column"),
    (["names", "romanize"], "give one or more names"),
    (["registry", "search", "x", "--db", "{bad}/garbage.gpkg"], "not a GeoPackage or SQLite"),
    (["registry", "import", "{bad}/table.csv", "--db", "{bad}/new.gpkg"], "no name column"),
    (["registry", "show", "P1", "--db", "postgresql://nobody:x@127.0.0.1:1/db"],
     "cannot connect"),
    (["heritage", "list", "--db", "{bad}/missing.gpkg"], "no such register"),
    (["divisions", "translate", "999999", "--from", "2010-01-01", "--to", "2020-01-01"],
     "not a province code"),
    (["divisions", "as-of", "notadate"], "bad date"),
    (["inspect", "coverage", "{bad}/empty.geojson"], "the file is empty"),
    (["inspect", "coverage", "{bad}/table.csv"], "no feature has a geometry"),
    (["inspect", "markers", "--lines", "{bad}/table.csv", "--markers", str(CQ / "markers.csv")],
     "no feature has a geometry"),
    (["inspect", "edgematch", "{bad}/garbage.gpkg", "{bad}/garbage.gpkg"], "not a vector file"),
    (["inspect", "changes", str(CQ / "divisions.geojson"), "{bad}/table.csv"],
     "no feature has a geometry"),
    (["inspect", "run", "{bad}/table.csv"], "not a valid TOML file"),
    (["lines", "extract", str(CQ / "markers.csv"), "-o", "{bad}/x.gpkg"],
     "no feature has a geometry"),
    (["info", "{bad}"], "not a vector file"),
]


@pytest.mark.parametrize("args, message", CASES, ids=[" ".join(c[0][:2]) + f" #{i}"
                                                        for i, c in enumerate(CASES)])
def test_bad_input_exit_2_one_line(bad, args, message):
    args = [a.replace("{bad}", str(bad)) for a in args]
    code, _, err, _ = run_cli(args, ROOT)
    assert code == 2, (code, err[-2000:])
    assert "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], err


def test_bad_input_in_a_fresh_interpreter(bad):
    args = [a.replace("{bad}", str(bad)) for a in CASES[0][0]]
    result = subprocess.run([sys.executable, "-c", "from geonames.cli import main; main()", *args],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and CASES[0][1] in errors[0], result.stderr
