"""``geonames inspect run``: a whole joint inspection from the example INSPECTION.toml."""

from __future__ import annotations

import base64
import csv
import json
import re

import fiona
import pytest

from geonames.cli import main
from geonames.errors import InputFileError
from geonames.inspection.config import load_config
from geonames.inspection.run import run_inspection
from tests.conftest import FIXTURES

CQ = FIXTURES / "chongqing"
TRUTH = json.loads((CQ / "ground-truth.json").read_text(encoding="utf-8"))
EVENTS = {("change.merged", "500110,500222->500110"), ("change.merged", "500111,500225->500111"),
          ("change.recoded", "500227->500120"), ("change.recoded", "500224->500151"),
          ("change.recoded", "500223->500152"), ("change.recoded", "500226->500153"),
          ("change.recoded", "500234->500154")}


@pytest.fixture(scope="module")
def report_dir(demo_report):
    return demo_report


def rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_the_report_folder_has_every_file(report_dir):
    for name in ("report.html", "findings.gpkg", "findings.csv", "summary.json", "markers.csv",
                 "line_comparison.csv", "division_changes.csv", "border_offsets.csv"):
        assert (report_dir / name).exists(), name
    summary = json.loads((report_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["check"] == "inspection" and summary["metric_crs"] == "EPSG:4545"
    assert set(summary["stats"]) >= {"coverage", "changes", "markers", "edgematch"}
    layers = fiona.listlayers(report_dir / "findings.gpkg")
    assert {"findings_point", "findings_line", "findings_polygon"} <= set(layers)
    with fiona.open(report_dir / "findings.gpkg", layer="findings_point") as src:
        assert src.crs.to_epsg() == 4545


def test_every_planted_fault_and_every_event_is_reported(report_dir):
    found = {(r["code"], r["subject"]) for r in rows(report_dir / "findings.csv")}
    truth = {(t["code"], t["subject"]) for t in TRUTH["markers"] + TRUTH["edgematch"]}
    marker_or_edge = {f for f in found if f[0].startswith(("marker.", "edgematch."))}
    assert marker_or_edge == truth
    assert {f for f in found if f[0].startswith("change.")} == EVENTS
    assert any(code.startswith("coverage.") for code, _ in found)


def test_every_division_event_carries_its_recorded_decision(report_dir):
    decisions = {(r["change"], r["subject"]): r for r in rows(report_dir / "recorded_decisions.csv")}
    assert {(f"change.{c}", s) for c, s in decisions} == EVENTS
    assert all(r["match"] == "exact" and r["confirmed"] == "yes" for r in decisions.values())
    assert decisions[("recoded", "500227->500120")]["decision"] == "国函〔2014〕58号"
    assert decisions[("merged", "500110,500222->500110")]["event_date"] == "2011-10-01"
    changes = [r for r in rows(report_dir / "findings.csv") if r["code"].startswith("change.")]
    assert {r["severity"] for r in changes} == {"info"}  # explained by a recorded event


def test_the_html_has_a_section_with_a_map_per_line(report_dir):
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    part = html.split("<section id='sections'>", 1)[1].split("</section>", 1)[0]
    sections = part.split("<details class='section'")[1:]
    assert len(sections) == 12
    for section in sections:
        title = re.search(r"<h3>界线 (\d{6})(\d{6}) (\S+)｜(\S+) <small>", section)
        assert title, section[:200]
        assert f"左侧 {title[3]} {title[1]}，右侧 {title[4]} {title[2]}" in section
        png = re.search(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", section)
        assert png and base64.b64decode(png.group(1))[:4] == b"\x89PNG"
        assert f"界线 {title[1]}{title[2]} 的界桩" in section
    off = next(t for t in TRUTH["markers"] if t["code"] == "marker.off_line")
    section = next(s for s in sections if f"界线 {off['line']}" in s)
    assert off["subject"] in section


def test_the_clean_inspection_has_no_marker_or_edgematch_findings(tmp_path):
    report = run_inspection(CQ / "inspection-clean.toml", sections=False)
    codes = {f.code for f in report.findings}
    assert not {c for c in codes if c.startswith(("marker.", "edgematch."))}
    assert {(f.code, f.subject) for f in report.findings
            if f.code.startswith("change.")} == EVENTS


def test_exceptions_file_marks_findings_excepted(tmp_path):
    off = next(t for t in TRUTH["markers"] if t["code"] == "marker.off_line")
    (tmp_path / "approved.csv").write_text(
        f"code,subject,note\nmarker.off_line,{off['subject']},set off the line on purpose\n",
        encoding="utf-8")
    config = (CQ / "inspection.toml").read_text(encoding="utf-8")
    config = config.replace('path = "', f'path = "{CQ}/').replace('previous = "',
                                                                 f'previous = "{CQ}/')
    config = config.replace('tripoints = "', f'tripoints = "{CQ}/').replace(
        'lines = "', f'lines = "{CQ}/')
    config = config.replace("coverage = true", "coverage = false")
    config += '\n[exceptions]\npath = "approved.csv"\n'
    path = tmp_path / "inspection.toml"
    path.write_text(config, encoding="utf-8")
    report = run_inspection(path, sections=False, allow_outside=True)
    excepted = [f for f in report.findings if f.excepted]
    assert [(f.code, f.subject) for f in excepted] == [("marker.off_line", off["subject"])]
    assert report.summary()["excepted"] == 1


@pytest.mark.parametrize("text, words", [
    ("[inspection\n", "not a valid TOML"),
    ("[survey]\npath = 'x'\n", "unknown section"),
    ("[markers]\nfile = 'x.csv'\n", "unknown key(s) in [markers]: file"),
    ("[tolerances]\nmax_offset = 'far'\n", "must be a number"),
    ("[lines]\ncode_field = 'c'\n", "needs a path, or derive = true"),
    ("[markers]\npath = 'nope.csv'\n", "give [divisions] path or [lines]"),
    ("[divisions]\npath = '../../../../../../etc/passwd'\n", "outside the config's folder"),
    ("[divisions]\npath = '/etc/passwd'\n", "outside the config's folder"),
    ("[tolerances]\nmax_offset = nan\n", "max_offset: nan is not a finite number"),
    ("[tolerances]\nedgematch = -10\n", "edgematch: -10 is negative"),
    ("[tolerances]\nmin_share = 2\n", "min_share: 2 is out of range"),
])
def test_bad_configs_are_one_line_and_exit_2(tmp_path, capsys, text, words):
    path = tmp_path / "inspection.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["inspect", "run", str(path), "--out", str(tmp_path / "r"), "-q"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and words in err and "Traceback" not in err


def test_lines_can_be_derived_from_the_divisions(tmp_path):
    path = tmp_path / "inspection.toml"
    path.write_text(f'''
[divisions]
path = "{CQ / 'divisions.geojson'}"
[lines]
derive = true
snap = 200
only = ["500111", "500117", "500118", "500120", "500151", "500152", "500153"]
[markers]
path = "{CQ / 'markers-clean.csv'}"
crs = "EPSG:4544"
[checks]
coverage = false
''', encoding="utf-8")
    config = load_config(path, allow_outside=True)
    assert config.get("lines", "derive") is True
    report = run_inspection(path, sections=False, allow_outside=True)
    # The derived lines carry the same codes as the shipped ones: every marker finds its line
    # and is on it, but for one at the edge of the 150,000 m² overlap of 500117 and 500151,
    # where the derived line runs through the overlap as the cleaning resolves it (43 m away)
    found = [(f.code, f.subject, f.details["line"]) for f in report.findings
             if f.code.startswith("marker.")]
    assert found == [("marker.off_line", "500117500151018Q", "500117500151")]
    assert report.stats["markers"]["lines"] == 12


@pytest.mark.parametrize("value", ['""', "5", '"🙂"', '"parity"'])
def test_a_repair_method_it_does_not_know_is_refused(tmp_path, value):
    path = tmp_path / "inspection.toml"
    path.write_text(f'[divisions]\npath = "{FIXTURES / "chongqing" / "divisions.geojson"}"\n'
                    f"repair = {value}\n[checks]\nmarkers = false\nedgematch = false\n"
                    "changes = false\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="repair method must be one of structure, linework"):
        run_inspection(path, sections=False, allow_outside=True)
