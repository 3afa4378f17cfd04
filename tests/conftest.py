"""Shared fixtures: paths to the real data, and the live PostGIS server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: tests.cli_runner's hook notes the real stderr for its watchdog
pytest_plugins = ["tests.cli_runner"]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "fixtures"
CHONGQING_2020 = SHARED / "chongqing" / "divisions-echarts-4.9.0.geojson"
CHONGQING_2010 = SHARED / "chongqing" / "divisions-echarts-2.2.8.geojson"
NAMES = SHARED / "names"


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Run the ``geonames`` entry point in-process: (exit code, stdout, stderr)."""
    from geonames.cli import main

    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    out = capsys.readouterr()
    return done.value.code, out.out, out.err


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory) -> Path:
    """The demo's report folder: ``geonames inspect run fixtures/chongqing/inspection.toml``
    (made once per test session; exit code 1, the fixture has planted faults)."""
    from geonames.cli import main

    out = tmp_path_factory.mktemp("demo") / "report"
    with pytest.raises(SystemExit) as done:
        main(["inspect", "run", str(FIXTURES / "chongqing" / "inspection.toml"), "--out",
              str(out), "-q"])
    assert done.value.code == 1
    return out


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED.exists():
        pytest.fail(f"the shared data folder {SHARED} is missing")
    return SHARED


@pytest.fixture(scope="session")
def postgis_url() -> str:
    """URL of a live PostGIS database; skips (fails under CI) when there is none."""
    url = os.environ.get("GEONAMES_TEST_POSTGIS_URL")
    if not url:
        reason = "GEONAMES_TEST_POSTGIS_URL is not set (start PostGIS as .ci/run does)"
        if in_ci():
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT postgis_version()")
    except Exception as err:  # noqa: BLE001 - any failure to reach the server
        reason = f"PostGIS at {url} is unreachable: {err}"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)
    return url


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say plainly how many tests ran against the live PostGIS (CI must show they ran)."""
    outcomes = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            if "postgis" in getattr(report, "keywords", {}) and report.when in ("call", "setup"):
                if outcome == "passed" and report.when != "call":
                    continue
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if outcomes:
        terminalreporter.write_line(
            "live PostGIS tests: " + ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())))
