"""Boundary markers: the planted faults of the Chongqing fixture, and the rules one by one."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import shapely
from pyproj import CRS
from shapely import LineString, Point

from geonames.boundaries.io import read_markers
from geonames.boundaries.markers import (
    MarkerLimits,
    check_markers,
    line_directions,
    tripoints_from_lines,
)
from geonames.boundaries.model import DEFAULT_PATTERN, Marker, MarkerTable, NumberPattern
from geonames.inspection.markers import read_marker_inputs, run_markers_check
from geonames.inspection.reports import markers_report
from geonames.report.writers import write_report
from geonames.vector import write_features
from tests.conftest import FIXTURES

CQ = FIXTURES / "chongqing"
METRIC = CRS.from_epsg(4544)
TRUTH = json.loads((CQ / "ground-truth.json").read_text(encoding="utf-8"))


def fixture_report(markers: str, previous: str, **kwargs):
    return markers_report(CQ / "lines.geojson", CQ / markers, CQ / previous,
                          markers_crs="EPSG:4544", tripoints_path=CQ / "tripoints.geojson",
                          **kwargs)


@pytest.fixture(scope="module")
def planted():
    return fixture_report("markers.csv", "markers-previous.csv", sections=False)


def test_every_planted_marker_fault_is_found_and_nothing_else(planted):
    found = {(f.code, f.subject) for f in planted.findings}
    truth = {(t["code"], t["subject"]) for t in TRUTH["markers"]}
    assert found == truth
    codes = {t["code"] for t in TRUTH["markers"]}
    assert codes >= {"marker.off_line", "marker.wrong_line", "marker.moved", "marker.missing",
                     "marker.new", "marker.bad_number", "marker.duplicate_number",
                     "marker.out_of_order", "marker.unpaired", "marker.not_at_tripoint"}


def test_findings_carry_measured_values(planted):
    by = {(f.code, f.subject): f for f in planted.findings}
    off = next(f for (c, _), f in by.items() if c == "marker.off_line")
    assert 55.0 < off.value < 62.0 and off.limit == 25.0 and off.unit == "m"
    moved = next(f for (c, _), f in by.items() if c == "marker.moved")
    assert moved.value == pytest.approx(5.0, abs=0.2)
    assert moved.geometry.geom_type == "LineString"
    far = next(f for (c, _), f in by.items() if c == "marker.not_at_tripoint")
    assert 380.0 < far.value < 420.0
    wrong = next(f for (c, _), f in by.items() if c == "marker.wrong_line")
    truth = next(t for t in TRUTH["markers"] if t["code"] == "marker.wrong_line")
    assert wrong.details["line"] == truth["line"]
    assert wrong.details["nearest_line"] in truth["note"]


def test_the_unperturbed_registers_give_no_findings():
    report = fixture_report("markers-clean.csv", "markers-previous-clean.csv", sections=False)
    assert report.findings == []
    rows = report.tables[0].rows
    assert len(rows) == 181
    offsets = [r[8] for r in rows]
    shifts = [r[9] for r in rows]
    assert max(offsets) < 25.0 and max(shifts) < 1.0


def test_marker_table_csv_and_html(tmp_path, planted):
    paths = write_report(planted, tmp_path)
    with open(paths["markers"], encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["number", "type", "line", "X", "Y", "lon", "lat", "status",
                             "offset_m", "shift_m", "findings"]
    row = next(r for r in rows if "marker.off_line" in r["findings"])
    assert 55 < float(row["offset_m"]) < 62
    assert 105 < float(row["lon"]) < 107 and 29 < float(row["lat"]) < 31
    assert 5.0e5 < float(row["X"]) < 7.0e5 and 3.2e6 < float(row["Y"]) < 3.4e6
    damaged = next(r for r in rows if r["status"] == "damaged")
    assert damaged["findings"] == "marker.damaged"
    html = paths["html"].read_text(encoding="utf-8")
    assert "界桩坐标表" in html and "marker.off_line" in html
    english = write_report(planted, tmp_path / "en", lang="en", print_map=False)
    assert "Marker coordinate table" in english["html"].read_text(encoding="utf-8")


def test_sections_one_per_line_with_a_map():
    report = fixture_report("markers.csv", "markers-previous.csv")
    assert len(report.sections) == 12
    section = next(s for s in report.sections if s.title.endswith("500118500153"))
    assert {f.code for f in section.findings} == {"marker.out_of_order"}
    assert [layer.kind for layer in section.layers] == ["line", "point"]
    assert len(section.tables[0].rows) == len(section.layers[1].geometries)


def test_registers_as_geopackage_and_geojson_give_the_same_findings(tmp_path, planted):
    lines, register, previous, tripoints, metric = read_marker_inputs(
        CQ / "lines.geojson", CQ / "markers.csv", CQ / "markers-previous.csv",
        markers_crs="EPSG:4544", tripoints_path=CQ / "tripoints.geojson")
    for suffix in ("gpkg", "geojson"):
        out = {}
        for name, reg in (("now", register), ("before", previous)):
            t = reg.table
            keep = ~shapely.is_missing(t.geometries)
            path = tmp_path / f"{name}.{suffix}"
            write_features(path, [{"number": n, "status": s} for n, s in
                                  zip(t.numbers[keep], t.statuses[keep], strict=True)],
                           t.geometries[keep], {"number": "str", "status": "str"}, metric.crs,
                           geometry_type="Point")
            out[name] = path
        again = markers_report(CQ / "lines.geojson", out["now"], out["before"],
                               tripoints_path=CQ / "tripoints.geojson", sections=False)
        expected = {(f.code, f.subject) for f in planted.findings
                    if f.code != "marker.bad_record"}
        # The row with the unreadable x was left out of the layer: it is missing now.
        bad = next(f.subject for f in planted.findings if f.code == "marker.bad_record")
        assert {(f.code, f.subject) for f in again.findings} == expected | {
            ("marker.missing", bad)}


def test_survey_convention_x_north_y_east_is_swapped_back(tmp_path):
    src = (CQ / "markers-clean.csv").read_text(encoding="utf-8").splitlines()
    header = src[0].split(",")
    ix, iy = header.index("x"), header.index("y")
    out = [",".join(h.upper() if h in ("x", "y") else h for h in header)]
    for line in src[1:]:
        cells = line.split(",")
        cells[ix], cells[iy] = cells[iy], cells[ix]
        out.append(",".join(cells))
    path = tmp_path / "swapped.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    register = read_markers(path, crs="EPSG:4544")
    assert any("swapped" in n for n in register.notes)
    straight = read_markers(CQ / "markers-clean.csv", crs="EPSG:4544")
    assert shapely.equals_exact(register.table.geometries, straight.table.geometries,
                                tolerance=1e-6).all()


# ---- the rules on small geometries (metres) ---------------------------------------------


def table(*markers: Marker) -> MarkerTable:
    return MarkerTable.from_markers(list(markers), METRIC)


def m(number: str, x: float, y: float, status: str = "") -> Marker:
    return Marker(number, Point(x, y), status)


EW = LineString([(0, 0), (10_000, 0)])            # an east-west line, drawn west to east
NS = LineString([(20_000, 0), (20_000, 10_000)])  # a north-south line, drawn south to north


def codes_of(result) -> set[tuple[str, str]]:
    return {(f.code, f.subject) for f in result.findings}


def test_order_runs_west_to_east_and_north_to_south():
    ok = table(m("EW001Q", 1000, 1), m("EW002Q", 5000, -1), m("EW003Q", 9000, 0),
               m("NS001Q", 20_000, 9000), m("NS002Q", 20_000, 5000),
               m("NS003Q", 20_000, 1000))
    assert check_markers(ok, ["EW", "NS"], [EW, NS]).findings == []
    reversed_ns = table(m("NS001Q", 20_000, 1000), m("NS002Q", 20_000, 5000),
                        m("NS003Q", 20_000, 9000))
    found = codes_of(check_markers(reversed_ns, ["EW", "NS"], [EW, NS]))
    assert {c for c, _ in found} == {"marker.out_of_order"} and len(found) == 2


def test_one_marker_out_of_place_is_the_one_flagged():
    markers = table(*[m(f"EW{s:03d}Q", x, 0) for s, x in
                      [(1, 1000), (2, 2000), (3, 7000), (4, 4000), (5, 5000), (6, 8000)]])
    assert codes_of(check_markers(markers, ["EW"], [EW])) == {("marker.out_of_order",
                                                                "EW003Q")}


def test_off_line_and_wrong_line():
    markers = table(m("EW001Q", 1000, 30), m("EW002Q", 20_000, 4000), m("EW003Q", 5000, 10))
    found = check_markers(markers, ["EW", "NS"], [EW, NS])
    assert codes_of(found) == {("marker.off_line", "EW001Q"), ("marker.wrong_line", "EW002Q")}
    assert found.offset[0] == pytest.approx(30.0)
    looser = check_markers(markers, ["EW", "NS"], [EW, NS], limits=MarkerLimits(max_offset=40))
    assert codes_of(looser) == {("marker.wrong_line", "EW002Q")}


def test_pairs_and_triples_must_be_complete_and_triples_at_tripoints():
    a = LineString([(0, 0), (1000, 0)])
    b = LineString([(1000, 0), (2000, 0)])
    c = LineString([(1000, 0), (1000, 1000)])
    tripoints = tripoints_from_lines([a, b, c])
    assert [p.wkt for p in tripoints] == ["POINT (1000 0)"]
    markers = table(m("A001A", 300, 5), m("A001B", 300, -5),         # a complete pair
                    m("A002A", 600, 5),                              # A without B
                    m("A003C", 995, 0), m("A003D", 1005, 0), m("A003E", 1000, 5),
                    m("B001C", 1500, 0), m("B001D", 1505, 0))        # incomplete, far away
    found = check_markers(markers, ["A", "B", "C"], [a, b, c])
    assert codes_of(found) == {
        ("marker.unpaired", "A002A"), ("marker.unpaired", "B001C,B001D"),
        ("marker.not_at_tripoint", "B001C"), ("marker.not_at_tripoint", "B001D")}


def test_numbers_bad_unknown_line_duplicated_and_mixed_kinds():
    markers = table(m("EW001Q", 1000, 0), m("EW001Q", 1100, 0), m("EW0O2Q", 2000, 0),
                    m("XX003Q", 3000, 0), m("EW004Q", 4000, 0), m("EW004A", 4000, 5),
                    m("EW004B", 4000, -5))
    found = check_markers(markers, ["EW"], [EW])
    assert codes_of(found) == {
        ("marker.duplicate_number", "EW001Q"), ("marker.bad_number", "EW0O2Q"),
        ("marker.bad_number", "XX003Q"),
        ("marker.duplicate_number", "EW004A,EW004B,EW004Q")}
    reasons = {f.subject: f.details.get("reason") for f in found.findings
               if f.code == "marker.bad_number"}
    assert reasons == {"EW0O2Q": "pattern", "XX003Q": "unknown_line"}


def test_previous_round_moved_missing_new_and_renumbered():
    before = table(m("EW001Q", 1000, 0), m("EW002Q", 2000, 0), m("EW003Q", 3000, 0),
                   m("EW004Q", 4000, 0))
    now = table(m("EW001Q", 1000.3, 0), m("EW002Q", 2003, 0),       # 0.3 m ok; 3 m moved
                m("EW0O3Q", 3000, 0),                               # same marker, bad number
                m("EW005Q", 5000, 0, "missing"))                    # new, and missing on site
    found = check_markers(now, ["EW"], [EW], previous=before)
    assert codes_of(found) == {
        ("marker.moved", "EW002Q"), ("marker.bad_number", "EW0O3Q"),
        ("marker.missing", "EW004Q"), ("marker.new", "EW005Q"), ("marker.missing", "EW005Q")}
    assert found.shift[0] == pytest.approx(0.3) and found.shift[1] == pytest.approx(3.0)


def test_a_configurable_number_pattern():
    pattern = NumberPattern(r"(?P<line>[^-]+)-(?P<seq>\d{2})(?P<type>[QABCDE])",
                            "{line}-{seq:02d}{type}")
    markers = table(m("渝川线-01Q", 1000, 0), m("渝川线-02A", 5000, 3),
                    m("渝川线-03Q", 9000, 0))
    found = check_markers(markers, ["渝川线"], [EW], pattern=pattern)
    assert codes_of(found) == {("marker.unpaired", "渝川线-02A")}
    assert found.findings[0].details["lacking"] == ["渝川线-02B"]
    assert DEFAULT_PATTERN.parse("渝川线-01Q") is None


def test_direction_is_decided_on_the_ground_not_on_the_grid():
    # A line running 45.5° east of north on the ground: 4544 and 4545 grids, whose north
    # differs by about 1.5° here, must agree that it is numbered west to east.
    from geonames.crs import CGCS2000, reproject
    lon, lat = 106.0, 29.5
    d = 0.05
    ground = LineString([(lon, lat), (lon + d * np.sin(np.radians(45.5)) / np.cos(
        np.radians(lat)), lat + d * np.cos(np.radians(45.5)))])
    verdicts = set()
    for epsg in (4544, 4545):
        crs = CRS.from_epsg(epsg)
        line = reproject(np.array([ground]), CGCS2000, crs)
        verdicts.add(bool(line_directions(line, crs)[0]))
    assert verdicts == {False}


def test_run_markers_check_maps_every_finding_to_a_line(planted):
    lines, register, previous, tripoints, _ = read_marker_inputs(
        CQ / "lines.geojson", CQ / "markers.csv", CQ / "markers-previous.csv",
        markers_crs="EPSG:4544", tripoints_path=CQ / "tripoints.geojson")
    outcome = run_markers_check(lines, register, previous, tripoints)
    truth = {(t["code"], t["subject"]): t["line"] for t in TRUTH["markers"]}
    for f in outcome.findings:
        assert outcome.line_of_finding[(f.code, f.subject)] == truth[(f.code, f.subject)], f
