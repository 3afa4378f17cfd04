"""Each command writes its own report folder, and never mixes its files with an older
report's."""

from __future__ import annotations

import json

import pytest

from geonames.cli.common import default_out_dir
from tests.conftest import FIXTURES, run_cli

CQ = FIXTURES / "chongqing"


def listing(folder) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_two_readme_commands_leave_two_folders(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    # as in the README, without --out
    code, _, err = run_cli(capsys, "inspect", "markers", "--lines", CQ / "lines.geojson",
                           "--markers", CQ / "markers.csv", "--previous",
                           CQ / "markers-previous.csv", "--no-sections", "-q")
    assert code == 1, err
    code, _, err = run_cli(capsys, "inspect", "edgematch", CQ / "lines.geojson",
                           CQ / "lines-other-party.geojson", "-q")
    assert code == 1, err
    assert listing(tmp_path) == {"markers-chongqing", "edgematch-lines"}
    markers, edgematch = tmp_path / "markers-chongqing", tmp_path / "edgematch-lines"
    for folder, check in ((markers, "markers"), (edgematch, "edgematch")):
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        assert summary["check"] == check
        assert listing(folder) == set(summary["files"])  # only its own files
    assert "markers.csv" in listing(markers) and "markers.csv" not in listing(edgematch)
    assert "line_comparison.csv" in listing(edgematch)
    assert "line_comparison.csv" not in listing(markers)


def test_an_older_report_is_refused_then_replaced_with_force(tmp_path, capsys):
    out = tmp_path / "r"
    args = ["inspect", "edgematch", CQ / "lines.geojson", CQ / "lines-other-party.geojson",
            "--out", out, "-q"]
    assert run_cli(capsys, *args)[0] == 1
    first = listing(out)
    # a file the older report wrote that the next one will not write
    (out / "border_offsets.csv").write_text("old\n", encoding="utf-8")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    summary["files"].append("border_offsets.csv")
    (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")

    code, out_text, err = run_cli(capsys, *args)
    assert code == 2 and "--force" in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err

    code, _, err = run_cli(capsys, *args, "--force")
    assert code == 1, err
    assert listing(out) == first  # the stale file is gone


def test_force_leaves_files_that_are_not_a_report_alone(tmp_path, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "inspect", "edgematch", CQ / "lines.geojson",
                           CQ / "lines-other-party.geojson", "--out", out, "--force", "-q")
    assert code == 2 and "not part of a report" in err
    assert listing(out) == {"notes.txt"}


@pytest.mark.parametrize("check, source, name", [
    ("coverage", "fixtures/chongqing/divisions.geojson", "coverage-divisions"),
    ("markers", CQ / "markers.csv", "markers-chongqing"),
    ("inspection", CQ / "inspection.toml", "inspection-chongqing"),
    ("names", "村 名.csv", "names-村-名"),
    ("history-events", None, "history-events"),
])
def test_default_folder_names(check, source, name):
    assert default_out_dir(check, source) == name
