"""Changes between rounds: division events from area overlaps and codes, moved borders."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from shapely import LineString, box

from geonames.boundaries.changes import (
    border_offsets,
    compare_divisions,
    compare_lines,
    division_events,
    resolution,
)
from geonames.cli import cli
from geonames.crs import choose_metric_crs, reproject
from geonames.divisions.io import read_divisions
from geonames.geometry import repair
from geonames.vector import write_features
from tests.conftest import CHONGQING_2010, CHONGQING_2020

EXPECTED_EVENTS = {
    ("change.merged", "500110,500222->500110"),
    ("change.merged", "500111,500225->500111"),
    ("change.recoded", "500227->500120"),
    ("change.recoded", "500224->500151"),
    ("change.recoded", "500223->500152"),
    ("change.recoded", "500226->500153"),
    ("change.recoded", "500234->500154"),
}


@pytest.fixture(scope="module")
def chongqing_metric():
    new = read_divisions(CHONGQING_2020)
    old = read_divisions(CHONGQING_2010)
    metric = choose_metric_crs(new.crs, tuple(shapely.total_bounds(new.geometries)))
    return (old, repair(reproject(old.geometries, old.crs, metric.crs)).geometries,
            new, repair(reproject(new.geometries, new.crs, metric.crs)).geometries, metric)


@pytest.fixture(scope="module")
def echarts_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("changes")
    result = CliRunner().invoke(cli, ["inspect", "changes", str(CHONGQING_2010),
                                      str(CHONGQING_2020), "--out", str(out), "-q"])
    return result, out


def test_echarts_vintages_give_exactly_the_real_events(echarts_report):
    result, out = echarts_report
    assert result.exit_code == 0, result.output
    with open(out / "findings.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["code"], r["subject"]) for r in rows} == EXPECTED_EVENTS
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {"change.merged": 2, "change.recoded": 5}
    assert summary["metric_crs"] == "EPSG:4545"


def test_echarts_offsets_are_digitisation_noise_below_the_auto_tolerance(echarts_report):
    _, out = echarts_report
    stats = json.loads((out / "summary.json").read_text(encoding="utf-8"))["stats"]
    # The 2.2.8 data is the coarse one: half its border length is drawn with segments
    # of 3.2 km or more.
    assert stats["resolution_m"]["old"] == pytest.approx(3227.4, abs=1.0)
    assert stats["resolution_m"]["new"] == pytest.approx(711.3, abs=1.0)
    assert stats["tolerance_m"] == pytest.approx(3227.4, abs=1.0)
    pct = stats["offset_percentiles_m"]
    assert 150 < pct["p50"] < 250
    assert 2500 < pct["max"] < stats["tolerance_m"]
    assert stats["border_beyond_tolerance_km"] == 0.0
    assert stats["events"] == {"merged": 2, "recoded": 5, "unchanged": 31}
    with open(out / "border_offsets.csv", encoding="utf-8-sig") as fh:
        bins = list(csv.DictReader(fh))
    assert float(bins[-1]["cumulative_pct"]) == pytest.approx(100.0, abs=0.01)
    assert any(b["note"] for b in bins)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "data:image/png;base64," in html and "两轮边界偏移" in html


def test_area_change_per_division(echarts_report):
    _, out = echarts_report
    with open(out / "division_changes.csv", encoding="utf-8-sig") as fh:
        rows = {(r["old_ids"], r["new_ids"]): r for r in csv.DictReader(fh)}
    assert len(rows) == 38
    kaizhou = rows[("500234", "500154")]
    assert kaizhou["event"] == "recoded" and kaizhou["old_names"] == "开县"
    assert float(kaizhou["area_change_pct"]) == pytest.approx(
        100 * (float(kaizhou["new_area_m2"]) - float(kaizhou["old_area_m2"]))
        / float(kaizhou["old_area_m2"]), abs=0.01)
    qijiang = rows[("500110,500222", "500110")]
    assert qijiang["old_names"] == "万盛区 + 綦江县" and qijiang["new_names"] == "綦江区"
    assert 2.7e9 < float(qijiang["new_area_m2"]) < 2.8e9


def test_a_planted_border_move_is_found_with_its_displacement(chongqing_metric):
    _, _, new, geoms, _ = chongqing_metric
    ids = list(new.ids)
    a, b = ids.index("500101"), ids.index("500235")
    shared = shapely.line_merge(shapely.intersection(shapely.boundary(geoms[a]),
                                                     shapely.boundary(geoms[b])))
    longest = max(shapely.get_parts(shared), key=lambda p: p.length)
    disc = shapely.buffer(shapely.line_interpolate_point(longest, 0.5, normalized=True), 3000)
    moved = geoms.copy()
    moved[a] = shapely.union(geoms[a], shapely.intersection(disc, geoms[b]))
    moved[b] = shapely.difference(geoms[b], disc)
    result = compare_divisions(new.ids, new.names, geoms, new.ids, new.names, moved)
    assert [(f.code, f.subject) for f in result.findings] == [
        ("change.line_moved", "500101,500235->500101,500235")]
    finding = result.findings[0]
    assert 2900 < finding.value <= 3000
    assert finding.limit == pytest.approx(max(resolution(result.offsets.new_lines),
                                              resolution(result.offsets.old_lines)))
    assert finding.geometry.length > 5000
    event = next(e for e in result.events if e.old_ids == ("500235",))
    assert event.kind == "unchanged"
    assert event.area_change == pytest.approx(-shapely.area(
        shapely.intersection(disc, geoms[b])), rel=1e-6)
    # A tolerance above the displacement makes it re-digitisation.
    quiet = compare_divisions(new.ids, new.names, geoms, new.ids, new.names, moved,
                              tolerance=3100.0)
    assert quiet.findings == []


def test_identical_rounds_give_nothing(chongqing_metric):
    _, _, new, geoms, _ = chongqing_metric
    result = compare_divisions(new.ids, new.names, geoms, new.ids, new.names, geoms)
    assert result.findings == []
    assert result.offsets.percentiles()["max"] == pytest.approx(0.0, abs=1e-6)


def test_every_event_kind_on_boxes():
    old = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10), box(20, 0, 30, 10),
                    box(30, 0, 40, 10), box(40, 0, 50, 10), box(60, 0, 70, 10)])
    old_ids = ["a", "b", "c", "d", "e", "f"]
    old_names = ["A", "B", "C", "D", "E", "F"]
    new = np.array([box(0, 0, 20, 10),                       # a + b merged into a
                    box(20, 0, 25, 10), box(25, 0, 30, 10),  # c split into c, g
                    box(30, 0, 40, 10),                      # d renamed
                    box(40, 0, 50, 10),                      # e recoded as h
                    box(80, 0, 90, 10)])                     # f removed, i added
    new_ids = ["a", "c", "g", "d", "h", "i"]
    new_names = ["A", "C", "G", "D2", "E", "I"]
    events = division_events(old_ids, old_names, old, new_ids, new_names, new)
    assert {(e.kind, e.subject) for e in events} == {
        ("merged", "a,b->a"), ("split", "c->c,g"), ("renamed", "d->d"),
        ("recoded", "e->h"), ("removed", "f->"), ("added", "->i")}


def test_reorganised_when_many_meet_many():
    old = np.array([box(0, 0, 10, 10), box(10, 0, 20, 10)])
    new = np.array([box(0, 0, 20, 5), box(0, 5, 20, 10)])
    # Each old division gives half its area to each new one: all four are linked.
    events = division_events(["a", "b"], ["A", "B"], old, ["x", "y"], ["X", "Y"], new)
    assert {(e.kind, e.subject) for e in events} == {("reorganised", "a,b->x,y")}


def test_line_rounds_compare_stretches_by_line_id():
    old = np.array([LineString([(0, 0), (1000, 0)]), LineString([(1000, 0), (1000, 1000)])])
    new = np.array([LineString([(0, 0), (400, 0), (500, 250), (600, 0), (1000, 0)]),
                    LineString([(1000, 0), (1000, 1000)])])
    result = compare_lines(["L1", "L2"], old, ["L1", "L2"], new, tolerance=50.0)
    assert [(f.code, f.subject, round(f.value)) for f in result.findings] == [
        ("change.line_moved", "L1->L1", 250)]


def test_border_offsets_tolerance_defaults_to_the_coarser_resolution():
    fine = np.array([LineString([(x, 0) for x in range(0, 1001, 10)])])
    coarse = np.array([LineString([(0, 0), (500, 0), (1000, 0)])])
    offsets = border_offsets(coarse, fine)
    assert offsets.tolerance == pytest.approx(500.0)
    assert "coarser (old)" in offsets.tolerance_source


def test_lines_cli_and_mixed_kinds_are_refused(tmp_path):
    lines = tmp_path / "lines.geojson"
    write_features(lines, [{"line_code": "L1"}], [LineString([(106.0, 29.0), (106.1, 29.0)])],
                   {"line_code": "str"}, read_divisions(CHONGQING_2020).crs)
    ok = CliRunner().invoke(cli, ["inspect", "changes", str(lines), str(lines), "--out",
                                  str(tmp_path / "r"), "-q"])
    assert ok.exit_code == 0, ok.output
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["inputs"]["kind"] == "lines" and summary["counts"] == {}
    from geonames.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["inspect", "changes", str(lines), str(CHONGQING_2020), "--out",
              str(tmp_path / "r2"), "-q"])
    assert exit_info.value.code == 2


def test_missing_file_is_exit_2(tmp_path, capsys):
    from geonames.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["inspect", "changes", str(tmp_path / "nope.geojson"), str(CHONGQING_2020),
              "--out", str(tmp_path / "r"), "-q"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "Traceback" not in err
