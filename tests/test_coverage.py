"""Coverage inspection engine: planted faults, the real Chongqing file against an independent
reference, repair of broken geometry, exceptions, limits."""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import shapely
import shapely.affinity
from pyproj import CRS, Transformer
from shapely import Polygon, box

import geonames.divisions.coverage
import tests.synthetic
from geonames.divisions.coverage import (
    ApprovedException,
    apply_exceptions,
    find_open_gaps,
    find_slivers,
    inspect_coverage,
    inspect_divisions,
    outermost_shells,
)
from geonames.divisions.io import read_divisions
from geonames.findings import Finding, Severity, tally
from geonames.geometry import repair, within_distance
from tests.conftest import CHONGQING_2020
from tests.synthetic import plant_faults, voronoi_coverage

PLANTED = ("coverage.gap", "coverage.overlap", "coverage.edge_mismatch", "coverage.gap_open")


def test_doctests():
    for module in (geonames.divisions.coverage, tests.synthetic):
        failed, tried = doctest.testmod(module)
        assert tried >= 5 and failed == 0, module.__name__


# --- 1. synthetic coverage -------------------------------------------------------------------


def test_unperturbed_coverage_has_no_findings():
    cov = voronoi_coverage(3000, seed=11)
    assert shapely.coverage_is_valid(cov.geometries)
    result = inspect_coverage(cov.geometries, cov.ids, cov.names)
    assert result.findings == []
    assert result.stats["flagged_by_invalid_edges"] == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_every_planted_fault_is_found_with_ids_and_area(seed):
    cov = plant_faults(voronoi_coverage(3000, seed=seed), gaps=4, overlaps=4, mismatches=4,
                       holes=2, inlets=3, width=4.0, seed=seed)
    assert len(cov.faults) == 17
    result = inspect_coverage(cov.geometries, cov.ids, cov.names)
    unmatched = list(result.findings)
    for fault in cov.faults:
        hits = [f for f in unmatched if f.code == fault.code and tuple(sorted(f.ids)) == fault.ids]
        assert len(hits) == 1, (fault.kind, fault.ids, [f.subject for f in result.findings
                                                         if f.code == fault.code])
        found = hits[0]
        unmatched.remove(found)
        if fault.code == "coverage.edge_mismatch":
            # the value is the largest offset between the sides (planted: 1 mm), in m
            assert found.value == pytest.approx(1e-3, rel=0.01) and found.unit == "m"
            assert found.details["length_m"] == pytest.approx(fault.length, rel=0.01)
            assert "largest offset 1 mm" in found.message
            continue
        area = found.details["area_m2"] if fault.code == "coverage.gap_open" else found.value
        assert area == pytest.approx(fault.area, rel=0.01), fault.kind
        assert found.geometry.intersection(fault.geometry).area == pytest.approx(
            fault.area, rel=0.01)
        if fault.code == "coverage.gap_open":
            assert found.value == pytest.approx(fault.width, rel=0.01)
        if fault.code == "coverage.gap":
            assert found.details["width_m"] == pytest.approx(fault.width, rel=0.01)
    assert unmatched == [], [(f.code, f.subject, f.value) for f in unmatched]
    assert {f.code for f in result.findings} == set(PLANTED)


def test_overlaps_and_gaps_below_min_area_become_edge_mismatches():
    cov = plant_faults(voronoi_coverage(1500, seed=5), gaps=2, overlaps=2, mismatches=0,
                       holes=0, inlets=0, width=0.01, seed=5)
    areas = [f.area for f in cov.faults]
    assert max(areas) < 10
    coarse = inspect_coverage(cov.geometries, cov.ids, min_area=10.0)
    assert {f.code for f in coarse.findings} == {"coverage.edge_mismatch"}
    assert sorted(tuple(sorted(f.ids)) for f in coarse.findings) == \
        sorted(f.ids for f in cov.faults)
    fine = inspect_coverage(cov.geometries, cov.ids, min_area=0.1)
    assert sorted((f.code, tuple(sorted(f.ids))) for f in fine.findings) == \
        sorted((f.code, f.ids) for f in cov.faults)


# --- 2. Chongqing against an independent reference ------------------------------------------


@pytest.fixture(scope="module")
def chongqing():
    table = read_divisions(CHONGQING_2020)
    result = inspect_divisions(table)
    assert result.metric.label == "EPSG:4545"
    # the reference: projected with pyproj directly, repaired with plain make_valid
    to_metric = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_epsg(4545), always_xy=True)
    projected = shapely.transform(table.geometries,
                                  lambda xy: np.column_stack(to_metric.transform(*xy.T)))
    reference = []
    for geom in shapely.make_valid(projected, method="structure", keep_collapsed=False):
        parts = [p for p in _polygons(geom) if p.area > 0]
        reference.append(shapely.MultiPolygon(parts))
    return table, result, np.array(reference, dtype=object)


def _polygons(geom):
    if geom.geom_type == "Polygon":
        return [geom]
    return [p for g in geom.geoms for p in _polygons(g)] if hasattr(geom, "geoms") else []


def test_chongqing_overlaps_match_pairwise_intersections(chongqing):
    table, result, ref = chongqing
    expected = {}
    for i in range(len(ref)):
        for j in range(i + 1, len(ref)):
            parts = [p for p in _polygons(ref[i].intersection(ref[j])) if p.area >= 1.0]
            if parts:
                expected[tuple(sorted((table.ids[i], table.ids[j])))] = sum(p.area for p in parts)
    found = {tuple(f.ids): f.value for f in result.by_code("coverage.overlap")}
    assert len(expected) == 76
    assert set(found) == set(expected)
    for pair, area in expected.items():
        assert found[pair] == pytest.approx(area, rel=0.01), pair
    assert sum(found.values()) == pytest.approx(sum(expected.values()), rel=1e-6)


def test_chongqing_gaps_match_holes_of_the_union(chongqing):
    table, result, ref = chongqing
    union = shapely.union_all(ref)
    holes = []
    for part in _polygons(union):
        for ring in part.interiors:
            gap = Polygon(ring).difference(union)
            if gap.area >= 1.0:
                holes.append(gap)
    gaps = result.by_code("coverage.gap")
    assert len(holes) == 438
    # every gap is outside all divisions, one gap per hole of the union, among them the
    # 5,099 m² hole inside 500115 (a hole of one division that nothing fills)
    assert len(gaps) == 438
    assert all(g.geometry.intersection(union).area < 1e-6 * g.value for g in gaps)
    assert [round(g.value) for g in gaps if g.subject == "500115"] == [5099]
    tree = shapely.STRtree([g.geometry for g in gaps])
    for hole in holes:
        where = tree.query(hole.point_on_surface(), predicate="intersects")
        assert len(where) == 1
        gap = gaps[where[0]]
        assert gap.value == pytest.approx(hole.area, rel=0.01)
        around = {str(table.ids[k]) for k in range(len(ref)) if ref[k].distance(hole) < 1e-3}
        assert set(gap.ids) == around
    assert sum(g.value for g in gaps) == pytest.approx(sum(h.area for h in holes), rel=1e-6)


def test_chongqing_other_findings(chongqing):
    table, result, _ = chongqing
    invalid = result.by_code("geometry.invalid")
    assert len(invalid) == 8
    assert {f.subject for f in invalid} == set(table.ids[~shapely.is_valid(table.geometries)])
    assert all(f.geometry.geom_type == "Point" for f in invalid)
    assert all(shapely.is_valid(result.geometries))
    # every finding but the duplicate/empty kinds carries its geometry, in metres
    for f in result.findings:
        assert f.geometry is not None and not f.geometry.is_empty, f.code
        assert 2e5 < f.geometry.centroid.x < 8e5 and 3e6 < f.geometry.centroid.y < 3.7e6
    assert len(result.by_code("coverage.gap_open")) >= 1
    assert all(f.value < 50.0 for f in result.by_code("coverage.gap_open"))
    assert not result.by_code("division.duplicate_id")


# --- repair never crashes -------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_repair_survives_geometry_that_make_valid_refuses():
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    broken = Polygon([(0, 0), (np.nan, 0), (1, 1), (1, 0), (0, 0)])
    with pytest.raises(shapely.errors.GEOSException):
        shapely.make_valid(broken)
    fixed = repair([bowtie, broken, box(5, 5, 6, 6), None])
    assert fixed.invalid.tolist() == [True, True, False, False]
    assert all(shapely.is_valid(g) for g in fixed.geometries[:3])
    assert fixed.geometries[0].area == pytest.approx(2.0)
    assert fixed.methods[1] == "structure"
    assert fixed.geometries[3] is None
    result = inspect_coverage([bowtie, broken, box(5, 5, 6, 6), None], ["a", "b", "c", "d"])
    codes = sorted((f.code, f.subject) for f in result.findings)
    assert ("geometry.invalid", "a") in codes and ("geometry.invalid", "b") in codes
    assert ("division.empty", "d") in codes


def test_repair_falls_back_when_the_array_call_raises(monkeypatch):
    real = shapely.make_valid
    calls = []

    def flaky(geometry, *args, **kwargs):
        # GEOS refuses the whole chunk (one bad member), accepts each geometry alone
        calls.append(isinstance(geometry, np.ndarray))
        if isinstance(geometry, np.ndarray):
            raise shapely.errors.GEOSException("IllegalArgumentException: mixed-dimension")
        return real(geometry, *args, **kwargs)

    monkeypatch.setattr(shapely, "make_valid", flaky)
    bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    fixed = repair([bowtie, box(5, 5, 6, 6), shapely.affinity.translate(bowtie, 10)])
    assert fixed.methods.tolist() == ["structure", "", "structure"]
    assert fixed.invalid.tolist() == [True, False, True]
    assert all(g.is_valid and g.area == pytest.approx(2.0) for g in fixed.geometries[[0, 2]])
    # one refused array call, then each invalid geometry alone
    assert calls == [True, False, False]


# --- ids, empties, slivers, inlets -----------------------------------------------------------


def test_duplicate_ids_and_empty_divisions():
    geoms = [box(0, 0, 10, 10), box(10, 0, 20, 10), Polygon(), box(0, 10, 20, 20)]
    result = inspect_coverage(geoms, ["a", "b", "c", "a"], ["甲", "乙", "丙", "甲"])
    dup = result.by_code("division.duplicate_id")
    assert [(f.subject, f.value) for f in dup] == [("a", 2.0)]
    assert dup[0].geometry.area == pytest.approx(300.0)
    assert [f.subject for f in result.by_code("division.empty")] == ["c"]
    assert all(f.severity == Severity.ERROR for f in dup)


def test_slivers_are_thin_parts():
    geoms = np.array([shapely.MultiPolygon([box(0, 0, 1000, 1000), box(0, 1001, 1000, 1003)]),
                      box(2000, 0, 3000, 1000),
                      shapely.MultiPolygon([box(4000, 0, 5000, 1000), box(5005, 0, 5009, 4),
                                            box(5020, 0, 5020.5, 0.5)])])
    found = find_slivers(geoms, 10.0)
    # the strip, and the 0.25 m² speck; not the compact 4 m islet
    assert found.owner.tolist() == [0, 2]
    assert found.areas[1] == pytest.approx(0.25)
    assert found.widths[0] == pytest.approx(2.0, rel=1e-3)
    assert found.areas[0] == pytest.approx(2000.0)
    assert found.polsby_popper[0] == pytest.approx(4 * np.pi * 2000 / 2004 ** 2)


def test_open_inlet_is_found_but_a_corner_is_not():
    # two squares side by side with a 3 m inlet between them, open to the north
    inlet = [box(0, 0, 100, 100), box(103, 0, 200, 100), box(0, -100, 200, 0)]
    found = find_open_gaps(np.array(inlet), gap_width=10.0)
    assert len(found) == 1
    assert found.widths[0] == pytest.approx(3.0, rel=1e-3)
    assert found.along[0].tolist() == [0, 1]
    # an L-shaped outline: two divisions meeting at a right-angle inner corner
    corner = [box(0, 0, 100, 100), box(100, 0, 200, 100), box(0, 100, 100, 200)]
    assert len(find_open_gaps(np.array(corner), gap_width=10.0)) == 0
    # a wider inlet than the limit is not reported
    assert len(find_open_gaps(np.array(inlet), gap_width=2.0)) == 0


# --- exceptions -------------------------------------------------------------------------------


def test_exceptions_by_ids_code_and_geometry():
    geoms = [box(0, 0, 100, 100), box(90, 0, 200, 100), box(0, 100, 100, 200),
             box(105, 100, 200, 200), box(0, 200, 200, 300)]
    ids = ["a", "b", "c", "d", "e"]
    plain = inspect_coverage(geoms, ids)
    codes = sorted((f.code, f.subject) for f in plain.findings if f.severity == "error")
    assert ("coverage.overlap", "a,b") in codes
    gap = plain.by_code("coverage.gap")[0]
    approved = [ApprovedException(ids=frozenset({"a", "b"}), code="coverage.overlap"),
                ApprovedException(geometry=gap.geometry.buffer(-0.5))]
    result = inspect_coverage(geoms, ids, exceptions=approved)
    excepted = sorted(f.code for f in result.findings if f.excepted)
    assert excepted == ["coverage.gap", "coverage.overlap"]
    assert tally(result.findings)["excepted"] == 2
    assert tally(result.findings)["errors"] == tally(plain.findings)["errors"] - 2
    # a geometry far away, or another code, matches nothing
    far = ApprovedException(code="coverage.gap", geometry=box(1e4, 1e4, 1e4 + 1, 1e4 + 1))
    other = ApprovedException(code="coverage.sliver", ids=frozenset({"a", "b"}))
    assert not any(f.excepted for f in apply_exceptions(plain.findings, [far, other]))


def test_exception_without_criteria_matches_nothing():
    f = Finding("coverage.gap", Severity.ERROR, "a", "x", geometry=box(0, 0, 1, 1))
    assert not apply_exceptions([f], [ApprovedException()])[0].excepted


def test_overlays_fall_back_to_snap_rounding(monkeypatch):
    real = shapely.intersection
    calls = []

    def fussy(a, b, grid_size=None, **kwargs):
        calls.append(grid_size)
        if grid_size is None:
            raise shapely.errors.GEOSException("TopologyException: side location conflict")
        return real(a, b, grid_size=grid_size, **kwargs)

    monkeypatch.setattr(shapely, "intersection", fussy)
    result = inspect_coverage([box(0, 0, 100, 100), box(90, 0, 200, 100)], ["a", "b"])
    overlap = result.by_code("coverage.overlap")
    assert [(f.subject, round(f.value, 3)) for f in overlap] == [("a,b", 1000.0)]
    assert geonames.geometry.OVERLAY_GRID in calls


def test_a_part_geos_cannot_close_is_reported_unchecked_not_a_crash(monkeypatch):
    # GEOS "unable to assign free hole to a shell" in the closing of the outline (seen on real
    # county subsets): retried snapped, then part by part; the part that still fails is a
    # coverage.unchecked finding with where it is, and everything else is still checked
    real = shapely.buffer
    inlet = [box(0, 0, 100, 100), box(103, 0, 200, 100), box(0, -100, 200, 0),
             box(1000, 0, 1100, 100)]

    def fragile(geometry, distance, *args, **kwargs):
        parts = shapely.get_parts(geometry)
        if distance > 0 and any(p.bounds[0] >= 1000 for p in np.atleast_1d(parts)):
            raise shapely.errors.GEOSException(
                "TopologyException: unable to assign free hole to a shell at 1000 0")
        return real(geometry, distance, *args, **kwargs)

    monkeypatch.setattr(shapely, "buffer", fragile)
    result = inspect_coverage(inlet, ["a", "b", "c", "d"], gap_width=10.0)
    unchecked = result.by_code("coverage.unchecked")
    assert len(unchecked) == 1
    assert "unable to assign free hole" in unchecked[0].message
    assert unchecked[0].geometry.x >= 1000
    assert unchecked[0].severity == Severity.WARNING
    # the inlet between a and b (in the part that could be closed) is still found
    assert [f.subject for f in result.by_code("coverage.gap_open")] == ["a,b"]


def test_close_pairs_and_outermost_shells_match_brute_force_on_chongqing(chongqing):
    """The fast paths of the open-inlet step against the plain GEOS answer, pair by pair,
    on the parts of the real Chongqing townships."""
    _, _, reference = chongqing
    parts = shapely.get_parts(reference)
    counts = []
    for distance in (0.0, 50.0, 2000.0):
        i, j = within_distance(parts, distance)
        got = set(zip(i.tolist(), j.tolist(), strict=True))
        a, b = np.triu_indices(len(parts), k=1)
        near = shapely.dwithin(parts[a], parts[b], distance)
        assert got == set(zip(a[near].tolist(), b[near].tolist(), strict=True))
        counts.append(len(got))
    assert 0 < counts[0] < counts[2]
    # faces of a partition, some inside others' holes: the township parts and their holes
    rings, part = shapely.get_rings(parts, return_index=True)
    interior = np.concatenate([[False], part[1:] == part[:-1]])
    faces = np.concatenate([parts, shapely.polygons(rings[interior])])
    kept = outermost_shells(faces)
    shells = shapely.polygons(shapely.get_exterior_ring(faces))
    within = shapely.within(shells[:, None], shells[None, :])
    a, b = np.nonzero(within)
    # of equal shells (an enclave and the hole it fills) the first is kept
    inside_other = {x for x, y in zip(a.tolist(), b.tolist(), strict=True)
                    if x != y and not (within[y, x] and x < y)}
    expected = np.delete(shells, sorted(inside_other))
    assert len(kept) == len(expected) < len(faces)
    assert shapely.equals(kept, expected).all()


def test_chongqing_open_inlets_match_an_independent_local_closing(chongqing):
    """Each open inlet on the real Chongqing layer against the plain definition computed
    around it alone: the closing (50 m) of the union of the reference divisions in a 2 km
    box, minus that union, opened by 1 mm; the piece there has the inlet's area (0.1 %)."""
    _, result, reference = chongqing
    inlets = result.by_code("coverage.gap_open")
    assert inlets
    tree = shapely.STRtree(reference)
    for inlet in inlets:
        window = shapely.box(*inlet.geometry.buffer(2000).bounds)
        local = shapely.union_all(shapely.intersection(reference[tree.query(window)], window))
        closed = local.buffer(25, quad_segs=16).buffer(-25, quad_segs=16)
        opened = shapely.get_parts(shapely.buffer(shapely.buffer(
            closed.difference(local), -1e-3, join_style="mitre"), 1e-3, join_style="mitre"))
        piece = opened[shapely.intersects(opened, inlet.geometry.point_on_surface())]
        assert len(piece) == 1
        assert piece[0].area == pytest.approx(inlet.details["area_m2"], rel=1e-3)
