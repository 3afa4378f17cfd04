"""Two levels against each other: children outside their parent, parent area not covered,
child lines off the parent's line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
import shapely.affinity
import shapely.geometry
from pyproj import CRS
from shapely import box

from geonames.crs import reproject
from geonames.divisions.io import read_divisions
from geonames.divisions.levels import check_levels, match_parents, parent_key
from tests.conftest import FIXTURES, run_cli

CQ = FIXTURES / "chongqing"

COUNTIES = {"500101": box(0, 0, 10000, 10000), "500102": box(10000, 0, 20000, 10000)}


def townships(plant: bool) -> dict[str, shapely.Geometry]:
    t = {
        "500101001": box(0, 0, 5000, 5000),
        "500101002": box(0, 5000, 5000, 10000),
        "500101003": box(5000, 0, 10000, 5000),
        "500101004": box(5000, 5000, 10000, 10000),
        "500102001": box(10000, 0, 20000, 5000),
        "500102002": box(10000, 5000, 20000, 10000),
    }
    if plant:
        # A township poking 1.5 km out of its county.
        t["500101002"] = shapely.union(t["500101002"], box(1000, 10000, 3000, 11500))
        # A hole no township covers.
        t["500101004"] = shapely.difference(t["500101004"], box(6000, 6000, 7000, 7000))
        # A township whose east line lies 30 m east of the county's.
        t["500102002"] = box(10000, 5000, 20030, 10000)
        # Noise: 2 m of re-digitisation along the county line (not a fault).
        t["500101001"] = box(-2, 0, 5000, 5000)
    return t


def run(plant: bool, **kwargs):
    kids = townships(plant)
    return check_levels(list(kids), [f"镇{k[-1]}" for k in kids],
                        np.array(list(kids.values()), dtype=object), list(COUNTIES),
                        ["甲区", "乙区"], np.array(list(COUNTIES.values()), dtype=object),
                        **kwargs)


def test_codes_match_children_to_parents():
    assert parent_key("500100") == "5001" and parent_key("500000") == "50"
    assert match_parents(["500101001", "500102", "510101"], ["500101", "500100", "500000"]) == \
        {"500101001": "500101", "500102": "500100"}


def test_a_clean_pair_of_levels_has_no_findings():
    result = run(False)
    assert result.findings == []
    assert result.stats["matched"] == 6


def test_each_planted_fault_is_found_with_its_ids_and_nothing_else():
    result = run(True)
    found = sorted((f.code, f.subject) for f in result.findings)
    assert found == [("levels.line_off", "500102002,500102"),
                     ("levels.not_covered", "500101"),
                     ("levels.outside_parent", "500101002,500101")]
    poke = result.by_code("levels.outside_parent")[0]
    assert poke.value == pytest.approx(2000 * 1500) and poke.unit == "m2"
    hole = result.by_code("levels.not_covered")[0]
    assert hole.value == pytest.approx(1000 * 1000)
    assert hole.geometry.equals(box(6000, 6000, 7000, 7000))
    off = result.by_code("levels.line_off")[0]
    assert off.value == pytest.approx(30.0) and off.limit == 10.0 and off.unit == "m"
    assert off.details["area_m2"] == pytest.approx(30 * 5000)
    assert result.stats["noise_pieces"] == 1


def test_a_line_inside_its_parent_is_off_too_and_depth_decides_line_or_area():
    kids = townships(False)
    kids["500102002"] = box(10000, 5000, 19950, 10000)  # 50 m short of the county line
    result = check_levels(list(kids), list(kids), np.array(list(kids.values()), dtype=object),
                          list(COUNTIES), list(COUNTIES),
                          np.array(list(COUNTIES.values()), dtype=object))
    assert [(f.code, f.subject, round(f.value, 1)) for f in result.findings] == \
        [("levels.line_off", "500102002,500102", 50.0)]
    shallow = check_levels(list(kids), list(kids), np.array(list(kids.values()), dtype=object),
                           list(COUNTIES), list(COUNTIES),
                           np.array(list(COUNTIES.values()), dtype=object), line_depth=40.0)
    assert [(f.code, f.subject) for f in shallow.findings] == \
        [("levels.not_covered", "500102")]


def test_children_without_parent_and_parents_without_children():
    kids = {"500101001": box(0, 0, 10000, 10000), "500301001": box(50000, 0, 51000, 1000)}
    result = check_levels(list(kids), list(kids), np.array(list(kids.values()), dtype=object),
                          list(COUNTIES), list(COUNTIES),
                          np.array(list(COUNTIES.values()), dtype=object))
    assert sorted((f.code, f.subject) for f in result.findings) == [
        ("levels.no_children", "500102"), ("levels.no_parent", "500301001")]


def test_the_fixture_against_its_own_dissolved_outline_agrees_with_its_holes():
    table = read_divisions(CQ / "divisions.geojson")
    geoms = reproject(table.geometries, table.crs, CRS.from_epsg(4545))
    # Independent calculation: shapely's own make_valid (the structure method, as the
    # repair rule), union, and the union's holes.
    valid = shapely.make_valid(geoms, method="structure", keep_collapsed=False)
    valid = np.array([shapely.union_all([p for p in shapely.get_parts(g)
                                         if p.geom_type in ("Polygon", "MultiPolygon")])
                      for g in valid], dtype=object)
    union = shapely.union_all(valid)
    shells = [shapely.Polygon(p.exterior) for p in shapely.get_parts(union)]
    outline = shapely.union_all(shells)
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    assert sum(h.area for h in holes) == pytest.approx(outline.area - union.area, abs=1.0)
    # Holes wider than 1 cm (floating-point crumbs of the union aside).
    widths = np.array([2 * shapely.maximum_inscribed_circle(h, 0.001).length for h in holes])
    real = [h for h, w in zip(holes, widths, strict=True) if w > 0.01]
    assert len(real) > 100

    result = check_levels(table.ids, table.names, geoms, ["500000"], ["重庆市"],
                          np.array([outline], dtype=object), tolerance=0.01, line_depth=0.0)
    assert {f.code for f in result.findings} == {"levels.not_covered"}
    assert len(result.findings) == len(real)
    assert sum(f.value for f in result.findings) == pytest.approx(sum(h.area for h in real),
                                                                  abs=1.0)
    # With the default tolerance, only holes wider than 10 m remain.
    wide = check_levels(table.ids, table.names, geoms, ["500000"], ["重庆市"],
                        np.array([outline], dtype=object))
    assert len(wide.findings) == int((widths > 10.0).sum())


def test_inspect_levels_command_writes_findings(tmp_path, capsys):
    children = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": k, "properties": {"name": k},
         "geometry": shapely.geometry.mapping(g)} for k, g in townships(True).items()]}
    parents = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": k, "properties": {"name": k},
         "geometry": shapely.geometry.mapping(g)} for k, g in COUNTIES.items()]}
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4545"}}
    for name, data in (("t.geojson", children), ("c.geojson", parents)):
        # Place the squares inside the zone's valid area.
        for f in data["features"]:
            f["geometry"] = shapely.geometry.mapping(shapely.affinity.translate(
                shapely.geometry.shape(f["geometry"]), 500000, 3300000))
        (tmp_path / name).write_text(json.dumps({**data, "crs": crs}), encoding="utf-8")
    code, out, err = run_cli(capsys, "inspect", "levels", tmp_path / "t.geojson",
                             tmp_path / "c.geojson", "--out", tmp_path / "r")
    assert code == 1, err
    rows = (tmp_path / "r" / "findings.csv").read_text("utf-8-sig")
    for subject in ("500102002,500102", "500101002,500101"):
        assert subject in rows
    code, _, err = run_cli(capsys, "inspect", "levels", tmp_path / "t.geojson", "--outline",
                           "--out", tmp_path / "r2", "--tolerance", "-3")
    assert code == 2 and "Traceback" not in err
