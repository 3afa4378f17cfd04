"""Findings followed from run to run: stable ids, new / persisting / resolved, a review file
whose statuses the next run honours."""

from __future__ import annotations

import csv
import json
import re

import pytest

from geonames.inspection.review import read_previous
from tests.conftest import FIXTURES, run_cli

CQ = FIXTURES / "chongqing"
TRUTH = json.loads((CQ / "ground-truth.json").read_text(encoding="utf-8"))


def rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def write_rows(path, items: list[dict[str, str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(items[0]))
        writer.writeheader()
        writer.writerows(items)


def config(tmp_path, markers: str = "markers.csv") -> str:
    text = (CQ / "inspection.toml").read_text(encoding="utf-8")
    text = re.sub(r'= "([^"]+\.(geojson|csv))"', lambda m: f'= "{(CQ / m.group(1)).as_posix()}"',
                  text)
    if markers != "markers.csv":
        text = text.replace(f'path = "{(CQ / "markers.csv").as_posix()}"',
                            f'path = "{markers}"')
    path = tmp_path / f"inspection-{len(list(tmp_path.glob('*.toml')))}.toml"
    path.write_text(text + "\n[results]\nwrite = false\n", encoding="utf-8")
    return str(path)


@pytest.fixture(scope="module")
def moved():
    entry = next(m for m in TRUTH["markers"] if m["code"] == "marker.moved")
    return entry["subject"]


@pytest.fixture(scope="module")
def runs(demo_report, tmp_path_factory, moved):
    """Run 1 (the session's fixture run), run 2 on the same data, run 3 with the moved marker
    put back where the previous round had it and one finding accepted in run 1's review."""
    first = demo_report
    tmp = tmp_path_factory.mktemp("review")
    # Accept one finding (a damaged marker) as an exception, with its reason and document.
    review = rows(first / "review.csv")
    damaged = next(r for r in review if r["code"] == "marker.damaged")
    for r in review:
        if r["id"] == damaged["id"]:
            r.update(status="accepted", reason="界桩已列入 2026 年修复计划",
                     document="渝民发〔2025〕12 号")
    edited = tmp / "run1"
    edited.mkdir()
    (edited / "findings.csv").write_bytes((first / "findings.csv").read_bytes())
    write_rows(edited / "review.csv", review)

    from geonames.cli import main

    def run(cfg: str, out, previous) -> int:
        with pytest.raises(SystemExit) as done:
            main(["inspect", "run", cfg, "--out", str(out), "--no-sections", "-q",
                  "--allow-outside",
                  "--previous-report", str(previous)])
        return int(done.value.code)

    second = tmp / "run2"
    assert run(config(tmp), second, first) == 1
    # Put the moved marker back where the previous round had it.
    prev = {r["number"]: r for r in rows(CQ / "markers-previous.csv")}
    markers = rows(CQ / "markers.csv")
    for m in markers:
        if m["number"].strip() == moved:
            for k in ("x", "y", "lon", "lat"):
                m[k] = prev[moved][k]
    write_rows(tmp / "markers.csv", markers)
    third = tmp / "run3"
    assert run(config(tmp, (tmp / "markers.csv").as_posix()), third, edited) == 1
    return first, second, third, damaged


def test_two_runs_over_the_same_data_give_the_same_ids(runs):
    first, second, _, _ = runs
    ids1 = sorted(r["id"] for r in rows(first / "review.csv"))
    ids2 = sorted(r["id"] for r in rows(second / "review.csv"))
    assert ids1 == ids2 and len(set(ids1)) == len(ids1) > 50
    changes = {r["change"] for r in rows(second / "review.csv")}
    assert changes == {"persisting"}
    summary = json.loads((second / "summary.json").read_text("utf-8"))
    assert summary["stats"]["review"]["persisting"] == len(ids1)
    assert summary["stats"]["review"]["new"] == summary["stats"]["review"]["resolved"] == 0
    # The id is in every file: findings.csv of both runs carry the same ones.
    previous = read_previous(second)
    assert sorted(previous.findings) == ids1


def test_a_marker_moved_back_is_resolved_and_the_rest_persist(runs, moved):
    first, _, third, _ = runs
    review = rows(third / "review.csv")
    resolved = [r for r in review if r["change"] == "resolved"]
    assert [(r["code"], r["subject"]) for r in resolved] == [("marker.moved", moved)]
    assert resolved[0]["status"] == "resolved"
    assert {r["change"] for r in review} - {"resolved"} == {"persisting"}
    assert len(review) == len(rows(first / "review.csv"))


def test_an_accepted_exception_stays_accepted_with_its_reason(runs):
    _, _, third, damaged = runs
    review = {r["id"]: r for r in rows(third / "review.csv")}
    kept = review[damaged["id"]]
    assert kept["status"] == "accepted" and kept["reason"] == "界桩已列入 2026 年修复计划"
    assert kept["document"] == "渝民发〔2025〕12 号"
    found = [r for r in rows(third / "findings.csv") if r["code"] == "marker.damaged"
             and r["subject"] == damaged["subject"]]
    assert found and found[0]["excepted"] == "1"
    assert "界桩已列入 2026 年修复计划" in found[0]["details"]
    summary = json.loads((third / "summary.json").read_text("utf-8"))
    assert summary["excepted"] >= 1 and summary["stats"]["review"]["accepted"] == 1


def test_a_corrected_finding_still_found_is_reopened(tmp_path, demo_report):
    from geonames.document import Report
    from geonames.inspection.review import _finding_of, apply_review

    previous = read_previous(demo_report)
    some = next(iter(previous.review.values())) if previous.review else None
    assert some is not None
    previous.review[some.id].status = "corrected"
    findings_csv = rows(demo_report / "findings.csv")
    report = Report("inspection", [_finding_of(r) for r in findings_csv])
    apply_review(report, previous)
    table = next(t for t in report.tables if t.name == "review")
    row = next(r for r in table.rows if r[0] == some.id)
    assert row[4] == "open" and row[7] == "still found after correction"


def test_bad_review_files_are_one_line(tmp_path, capsys):
    (tmp_path / "prev").mkdir()
    code, _, err = run_cli(capsys, "inspect", "coverage", CQ / "divisions.geojson", "--out",
                           tmp_path / "r", "--previous-report", tmp_path / "prev")
    assert code == 2 and "no findings.csv" in err
    (tmp_path / "prev" / "findings.csv").write_text("code,subject\n", encoding="utf-8")
    (tmp_path / "prev" / "review.csv").write_text("id,status\nF1,fixed\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "inspect", "coverage", CQ / "divisions.geojson", "--out",
                           tmp_path / "r", "--previous-report", tmp_path / "prev")
    assert code == 2 and "unknown status 'fixed'" in err and "Traceback" not in err
