"""``geonames info`` and the command line's handling of bad input."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from geonames import __version__
from geonames.cli import cli
from tests.cli_runner import run_cli
from tests.conftest import CHONGQING_2020, ROOT


def run(*args):
    """Run the real console entry point (exit codes and stderr as a user sees them)."""
    return subprocess.run([sys.executable, "-c", "from geonames.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=ROOT)


def test_info_json_on_chongqing():
    result = run("info", str(CHONGQING_2020), "--json")
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["features"] == 38
    assert facts["ids_unique"] is True
    assert facts["id_source"] == "feature id"
    assert facts["metric_crs"] == "EPSG:4545"
    for key in ("features", "geometry_types", "crs", "metric_crs", "bbox", "fields",
                "id_source", "ids_unique"):
        assert key in facts


def test_info_text():
    result = CliRunner().invoke(cli, ["info", str(CHONGQING_2020)])
    assert result.exit_code == 0
    assert "features:    38 (31 Polygon, 7 MultiPolygon)" in result.output
    assert "EPSG:4545" in result.output


def test_version():
    result = run("--version")
    assert result.returncode == 0 and __version__ in result.stdout


@pytest.mark.parametrize("args, message", [
    (["info", "no/such/file.geojson"], "no such file"),
    (["info", "pyproject.toml"], "not a vector file"),
    (["info", str(CHONGQING_2020), "--layer", "x"], "no layer 'x'"),
    (["info", str(CHONGQING_2020), "--id-field", "code"], "no field 'code'"),
    (["info", str(CHONGQING_2020), "--bogus"], "No such option"),
])
def test_bad_input_is_one_line_and_exit_2(args, message):
    code, _, err, _ = run_cli(args, ROOT)  # the entry point in this process, as run() sees it
    assert code == 2
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) <= 4  # click usage errors add usage lines


def test_debug_shows_the_traceback():
    result = run("--debug", "info", "no/such/file.geojson")
    assert result.returncode != 0
    assert "Traceback" in result.stderr
