"""Boundary-line extraction: the real Chongqing file and synthetic coverages."""

from __future__ import annotations

import doctest
from collections import Counter

import numpy as np
import pytest
import shapely
from shapely import box

import geonames.boundaries.lines
from geonames.boundaries.lines import extract_division_lines, extract_lines
from geonames.crs import reproject
from geonames.divisions.io import read_divisions
from geonames.geometry import merge_directed, repair
from tests.conftest import CHONGQING_2020
from tests.synthetic import plant_faults, voronoi_coverage


def test_doctests():
    failed, tried = doctest.testmod(geonames.boundaries.lines)
    assert tried >= 4 and failed == 0


def sides(line, offset):
    """Points ``offset`` m left and right of the middle of the line's middle segment."""
    xy = shapely.get_coordinates(line)
    k = len(xy) // 2
    p, q = xy[k - 1], xy[k]
    d = (q - p) / np.hypot(*(q - p))
    normal = np.array([-d[1], d[0]])
    mid = (p + q) / 2
    return shapely.Point(mid + normal * offset), shapely.Point(mid - normal * offset)


# --- 3. Chongqing ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chongqing():
    table = read_divisions(CHONGQING_2020)
    found = extract_division_lines(table)
    reference = repair(reproject(table.geometries, table.crs, found.metric.crs)).geometries
    return table, found, reference


def test_every_pair_sharing_a_border_gets_a_line(chongqing):
    table, found, ref = chongqing
    tree = shapely.STRtree(ref)
    a, b = tree.query(ref, predicate="intersects")
    keep = a < b
    a, b = a[keep], b[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(ref[a]),
                                                 shapely.boundary(ref[b])))
    expected = {(int(i), int(j)) for i, j, n in zip(a, b, shared, strict=True) if n >= 1.0}
    got = {(int(i), int(j)) for i, j in found.adjacency}
    assert len(expected) == 80
    assert expected <= got
    # the extra neighbours overlapped (no common boundary line) or met at a point
    for i, j in got - expected:
        assert ref[i].intersects(ref[j])
    # every line has its left division on its left and its right one on its right
    for line, left, right in zip(found.lines, found.left, found.right, strict=True):
        on_left, on_right = sides(line, 0.5)
        assert ref[left].covers(on_left) and ref[right].covers(on_right), \
            (table.ids[left], table.ids[right])
    assert found.stats["unsided_pieces"] == 0


def test_chongqing_lines_layers(chongqing):
    table, found, _ = chongqing
    assert found.metric.label == "EPSG:4545"
    assert np.all(found.left < found.right)
    assert np.allclose(found.lengths, shapely.length(found.lines))
    # adjacency lengths sum the lines
    assert found.adjacency_lengths.sum() == pytest.approx(found.lengths.sum())
    # tripoints are where three divisions meet: on the boundary of each of them
    assert len(found.tripoints) >= 20
    for point, members in zip(found.tripoints, found.tripoint_members, strict=True):
        members = members[members >= 0]
        assert len(members) >= 3
        assert all(found.geometries[m].boundary.distance(point) < 1e-6 for m in members)
    kinds = set(found.outer_kind)
    assert kinds == {"outer", "gap"}
    outline = found.outer_lengths[found.outer_kind == "outer"].sum()
    union = shapely.union_all(found.geometries)
    exterior = sum(p.exterior.length for p in shapely.get_parts(union))
    assert outline == pytest.approx(exterior, rel=0.001)


def test_snap_closes_the_sliver_gaps(chongqing):
    table, plain, _ = chongqing
    snapped = extract_division_lines(table, snap=200.0)
    gap_plain = plain.outer_lengths[plain.outer_kind == "gap"].sum()
    gap_snapped = snapped.outer_lengths[snapped.outer_kind == "gap"].sum()
    assert gap_snapped < 0.05 * gap_plain
    # one line per pair instead of many pieces broken by gaps
    assert len(snapped.lines) < 0.3 * len(plain.lines)
    assert np.median(snapped.adjacency_lines) == 1
    assert {tuple(p) for p in plain.adjacency} <= {tuple(p) for p in snapped.adjacency}


# --- 3. synthetic ----------------------------------------------------------------------------


def test_clean_coverage_lines_plus_outline_equal_perimeter_counted_once():
    cov = voronoi_coverage(2500, seed=4)
    found = extract_lines(cov.geometries, cov.ids, cov.names)
    perimeters = shapely.length(cov.geometries).sum()
    shared = found.lengths.sum()
    total_once = perimeters - shared  # each shared border counted once
    assert shared + found.outer_lengths.sum() == pytest.approx(total_once, rel=1e-3)
    assert shared + found.outer_lengths.sum() == pytest.approx(total_once, rel=1e-9)
    # independently: a shared border is where two cells' boundaries meet
    frame = shapely.box(*shapely.total_bounds(cov.geometries))
    assert found.outer_lengths.sum() == pytest.approx(frame.length, rel=1e-9)
    assert set(found.outer_kind) == {"outer"}
    # Voronoi cells meet in single edges: one line per pair, tripoints of exactly three
    assert np.all(found.adjacency_lines == 1)
    assert found.tripoint_members.shape[1] == 3
    tree = shapely.STRtree(cov.geometries)
    a, b = tree.query(cov.geometries, predicate="touches")
    touching = shapely.length(shapely.intersection(cov.geometries[a], cov.geometries[b])) > 0
    pairs = {(int(i), int(j)) for i, j in zip(a[touching], b[touching], strict=True) if i < j}
    assert pairs == {(int(i), int(j)) for i, j in found.adjacency}
    for line, left, right in zip(found.lines[:300], found.left[:300], found.right[:300],
                                 strict=True):
        on_left, on_right = sides(line, 0.01)
        assert cov.geometries[left].contains(on_left)
        assert cov.geometries[right].contains(on_right)


def test_planted_faults_keep_every_neighbour_pair():
    clean = voronoi_coverage(2500, seed=8)
    dirty = plant_faults(clean, gaps=3, overlaps=3, mismatches=3, holes=1, inlets=2, seed=8)
    found = extract_lines(dirty.geometries, dirty.ids, dirty.names)
    expected = extract_lines(clean.geometries, clean.ids, clean.names)
    pairs = {tuple(expected.ids[p]) for p in expected.adjacency}
    removed = set(clean.ids) - set(dirty.ids)
    pairs = {p for p in pairs if not set(p) & removed}
    assert pairs <= {tuple(found.ids[p]) for p in found.adjacency}
    # the hole left by the removed cell is a gap in the outer boundary layer
    hole = dirty.faults_of("coverage.gap")[-1]
    assert hole.kind == "hole"
    gap_length = found.outer_lengths[found.outer_kind == "gap"].sum()
    assert gap_length >= hole.length * 0.999
    assert found.stats["unsided_pieces"] == 0


def test_empty_and_missing_divisions_are_ignored():
    found = extract_lines([box(0, 0, 1, 1), None, shapely.Polygon(), box(1, 0, 2, 1)],
                          ["a", "b", "c", "d"])
    assert [(found.ids[i], found.ids[j]) for i, j in found.adjacency] == [("a", "d")]
    assert len(found.tripoints) == 0


def _merged_by_geos(lines: np.ndarray, keys: np.ndarray) -> Counter:
    out: Counter = Counter()
    for key in np.unique(keys):
        merged = shapely.line_merge(shapely.multilinestrings(lines[keys == key]), directed=True)
        out.update((int(key), shapely.normalize(part).wkb) for part in shapely.get_parts(merged))
    return out


def test_merge_directed_matches_geos_line_merge_on_chongqing_rings():
    """Every ring segment of the real Chongqing townships, keyed by township, merged per key:
    the same lines as GEOS's directed line merge of each key's segments."""
    table = read_divisions(CHONGQING_2020)
    rings = shapely.get_rings(shapely.get_parts(table.geometries))
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    first = np.flatnonzero(ring[1:] == ring[:-1])
    segments = shapely.linestrings(np.stack([xy[first], xy[first + 1]], axis=1))
    keep = shapely.length(segments) > 0
    segments, first = segments[keep], first[keep]
    # key: the ring modulo 7, so that lines of several rings share keys, some touching
    keys = ring[first] % 7
    seg_xy, which = shapely.get_coordinates(segments, return_index=True)
    lines, got_keys = merge_directed(seg_xy, which, keys)
    got = Counter((int(k), shapely.normalize(line).wkb) for k, line in zip(got_keys, lines,
                                                                             strict=True))
    assert len(lines) < len(segments) // 20
    assert got == _merged_by_geos(segments, keys)
    assert (np.diff(got_keys) >= 0).all()


def test_merge_directed_stops_at_branches_and_opens_rings():
    lines = np.array([
        shapely.LineString([(0, 0), (1, 0)]), shapely.LineString([(1, 0), (2, 0)]),
        shapely.LineString([(1, 0), (1, 1)]),                  # a branch at (1, 0)
        shapely.LineString([(5, 5), (6, 5)]), shapely.LineString([(6, 5), (6, 6)]),
        shapely.LineString([(6, 6), (5, 5)]),                  # a closed triangle
        shapely.LineString([(9, 9), (8, 8)]), shapely.LineString([(8, 8), (9, 9)]),
    ])
    keys = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    xy, which = shapely.get_coordinates(lines, return_index=True)
    merged, got_keys = merge_directed(xy, which, keys)
    got = Counter((int(k), shapely.normalize(line).wkb) for k, line in zip(got_keys, merged,
                                                                             strict=True))
    assert got == _merged_by_geos(lines, keys)
    assert got_keys.tolist() == [0, 0, 0, 1, 2]
    triangle = merged[3]
    assert triangle.is_closed and triangle.coords[0] == (5.0, 5.0) and len(triangle.coords) == 4
