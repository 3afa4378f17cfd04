"""``geonames inspect coverage`` as a user runs it: the report contract and broken inputs."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import fiona
import pytest
import shapely
from fiona.crs import CRS as FionaCRS
from shapely.geometry import mapping

from geonames.divisions.coverage import inspect_divisions
from geonames.divisions.io import read_divisions
from geonames.inspection.reports import coverage_report
from geonames.vector import write_features
from tests.conftest import CHONGQING_2020, FIXTURES, run_cli
from tests.synthetic import voronoi_coverage

FIXTURE = FIXTURES / "chongqing" / "divisions.geojson"


run = run_cli


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("coverage-report")
    code = subprocess.run(
        [sys.executable, "-c", "from geonames.cli import main; main()", "inspect", "coverage",
         str(FIXTURE), "--out", str(out)], capture_output=True, text=True)
    return out, code


def test_summary_and_exit_code(report_dir):
    out, proc = report_dir
    assert proc.returncode == 1, proc.stderr  # the fixture has error findings
    assert "Traceback" not in proc.stderr
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["check"] == "coverage"
    assert summary["metric_crs"] == "EPSG:4545"
    assert summary["counts"]["coverage.overlap"] == 76
    assert summary["counts"]["coverage.gap"] == 438
    assert summary["counts"]["geometry.invalid"] == 8
    assert summary["errors"] == 76 + 438 + 8
    assert summary["excepted"] == 0
    assert summary["inputs"]["gap_width_m"] == 50.0
    assert summary["seconds"] > 0
    # the terminal table lists every code; progress went to stderr
    assert "coverage.overlap" in proc.stdout and "76" in proc.stdout
    assert "finding gaps" in proc.stderr


def test_findings_csv_and_gpkg(report_dir):
    out, _ = report_dir
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sum(summary["counts"].values())
    assert {"code", "severity", "subject", "value", "limit", "unit", "message",
            "wkt"} <= set(rows[0])
    overlap = next(r for r in rows if r["code"] == "coverage.overlap")
    assert len(overlap["subject"].split(",")) == 2 and overlap["unit"] == "m2"
    assert shapely.from_wkt(overlap["wkt"]).area == pytest.approx(float(overlap["value"]),
                                                                   rel=1e-3)
    layers = fiona.listlayers(out / "findings.gpkg")
    assert set(layers) == {"findings_polygon", "findings_line", "findings_point"}
    n = 0
    for layer in layers:
        with fiona.open(out / "findings.gpkg", layer=layer) as src:
            assert src.crs == FionaCRS.from_epsg(4545)
            assert {"code", "severity", "subject", "value", "limit", "unit",
                    "message"} <= set(src.schema["properties"])
            n += len(src)
    assert n == len(rows)  # every finding of the fixture has a geometry


def test_html_has_the_embedded_map(report_dir):
    out, _ = report_dir
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<img class='map'" in html and "data:image/png;base64," in html
    assert "coverage.gap_open" in html and "渝中区" in html
    assert (out / "divisions.csv").exists()


def test_report_map_labels_divisions_with_their_chinese_names():
    table = read_divisions(CHONGQING_2020)
    report = coverage_report(inspect_divisions(table), {"divisions": "x"})
    layer = report.layers[0]
    assert layer.kind == "polygon" and len(layer.labels) == 38
    assert "渝中区" in layer.labels and "秀山土家族苗族自治县" in layer.labels
    assert report.crs.to_epsg() == 4545


def test_exceptions_file_from_findings_rows(report_dir, tmp_path, capsys):
    out, _ = report_dir
    with open(out / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    overlap = next(r for r in rows if r["code"] == "coverage.overlap")
    gap = next(r for r in rows if r["code"] == "coverage.gap")
    approved = tmp_path / "approved.csv"
    with open(approved, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["code", "subject", "note", "WKT"])
        writer.writeheader()
        writer.writerow({"code": overlap["code"], "subject": overlap["subject"],
                         "note": "approved 2024", "WKT": ""})
        writer.writerow({"code": gap["code"], "subject": "", "note": "river",
                         "WKT": gap["wkt"]})
    code, stdout, err = run(capsys, "inspect", "coverage", FIXTURE, "--exceptions", approved,
                            "--out", tmp_path / "rep", "-q")
    assert code == 1, err
    assert stdout == ""  # -q
    summary = json.loads((tmp_path / "rep" / "summary.json").read_text(encoding="utf-8"))
    assert summary["excepted"] == 2
    assert summary["errors"] == 76 + 438 + 8 - 2
    assert summary["inputs"]["exceptions_read"] == 2


def test_options_change_the_limits(tmp_path, capsys):
    code, _, err = run(capsys, "inspect", "coverage", FIXTURE, "--min-area", "100000",
                       "--gap-width", "10", "--out", tmp_path, "-q")
    assert code == 1, err
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["coverage.overlap"] < 76
    assert summary["counts"]["coverage.gap"] < 437
    assert summary["inputs"]["min_area_m2"] == 100000.0


def test_clean_layer_exits_0(tmp_path, capsys):
    cov = voronoi_coverage(50, seed=3)
    path = tmp_path / "clean.gpkg"
    write_features(path, [{"code": i, "name": n} for i, n in zip(cov.ids, cov.names,
                                                                  strict=True)],
                   cov.geometries, {"code": "str", "name": "str"}, cov.crs,
                   geometry_type="Polygon")
    code, stdout, err = run(capsys, "inspect", "coverage", path, "--id-field", "code",
                            "--out", tmp_path / "rep")
    assert code == 0, err
    assert "coverage: 0 errors, 0 warnings" in stdout


# --- 5. broken inputs: one clear line, exit 2 ------------------------------------------------


def _points(path):
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "properties": {"name": "甲"},
         "geometry": {"type": "Point", "coordinates": [106.5, 29.5]}}]}
    path.write_text(json.dumps(data), encoding="utf-8")


def _projected_without_crs(path):
    polygon = shapely.box(500000, 3300000, 501000, 3301000)
    with fiona.open(path, "w", driver="ESRI Shapefile",
                    schema={"geometry": "Polygon", "properties": {"code": "str"}}) as dst:
        dst.write(fiona.Feature(geometry=fiona.Geometry.from_dict(mapping(polygon)),
                                properties={"code": "500101"}))
    assert not path.with_suffix(".prj").exists()


def _projected_geojson(path):
    data = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "a", "properties": {},
         "geometry": mapping(shapely.box(500000, 3300000, 501000, 3301000))}]}
    path.write_text(json.dumps(data), encoding="utf-8")


BROKEN = {
    "not-json.geojson": (lambda p: p.write_text("this is not JSON {", encoding="utf-8"),
                         "not a vector file"),
    "missing.geojson": (None, "no such file"),
    "points.geojson": (_points, "must be polygons"),
    "projected.shp": (_projected_without_crs, "no CRS declared"),
    "projected.geojson": (_projected_geojson, "out of longitude/latitude range"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_inputs_give_one_line_and_exit_2(name, tmp_path, capsys):
    make, words = BROKEN[name]
    path = tmp_path / name
    if make:
        make(path)
    code, stdout, err = run(capsys, "inspect", "coverage", path, "--out", tmp_path / "rep",
                            "-q")
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert words in lines[0]
    assert "Traceback" not in err + stdout
    assert not (tmp_path / "rep").exists()


def test_broken_input_in_a_real_process_has_no_traceback(tmp_path):
    bad = tmp_path / "bad.geojson"
    bad.write_text("<html>", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", "from geonames.cli import main; main()", "inspect", "coverage",
         str(bad), "--out", str(tmp_path / "rep")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert [line for line in proc.stderr.splitlines() if line.startswith("Error:")]


@pytest.mark.parametrize("option", [["--gap-width", "-1"], ["--min-area", "x"]])
def test_bad_option_values_exit_2(option, tmp_path, capsys):
    code, _, err = run(capsys, "inspect", "coverage", FIXTURE, *option, "--out", tmp_path)
    assert code == 2
    assert "Traceback" not in err


def test_bad_exceptions_file_exits_2(tmp_path, capsys):
    empty = tmp_path / "exceptions.csv"
    empty.write_text("foo,bar\n1,2\n", encoding="utf-8")
    code, _, err = run(capsys, "inspect", "coverage", FIXTURE, "--exceptions", empty,
                       "--out", tmp_path / "rep")
    assert code == 2
    assert "needs a 'code' or 'subject' column" in err


def test_help_has_examples(capsys):
    code, out, _ = run(capsys, "inspect", "coverage", "--help")
    assert code == 0
    assert "--gap-width" in out and "--min-area" in out and "Examples:" in out


def test_linework_repair_keeps_what_the_rings_enclose_by_parity(tmp_path, capsys):
    # the linework repair keeps what the invalid rings enclose by parity: where a ring runs
    # over itself, the doubly enclosed part is left out, and between 500104 and 500107 that
    # leaves a 2,224 m² hole the structure repair (the default) keeps covered: one more gap
    # than the default's 438
    code, _, err = run(capsys, "inspect", "coverage", FIXTURE, "--repair", "linework",
                       "--out", tmp_path, "-q")
    assert code == 1, err
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["inputs"]["repair"] == "linework"
    assert summary["counts"]["coverage.gap"] == 439
    with (tmp_path / "findings.csv").open(encoding="utf-8") as fh:
        gaps = {(r["subject"], round(float(r["value"]))) for r in csv.DictReader(fh)
                if r["code"] == "coverage.gap"}
    assert ("500104,500107", 2224) in gaps
    code, _, err = run(capsys, "inspect", "coverage", FIXTURE, "--repair", "parity",
                       "--out", tmp_path / "x", "-q")
    assert code == 2 and "parity" in err and "Traceback" not in err
