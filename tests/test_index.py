"""The spatial index: locating points, neighbours, nearest lines."""

import json

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geonames.divisions.index import SpatialIndex
from geonames.divisions.io import read_divisions
from tests.conftest import CHONGQING_2020


def _chongqing_index():
    table = read_divisions(CHONGQING_2020)
    return table, SpatialIndex(shapely.make_valid(table.geometries), table.ids)


def test_label_points_locate_in_their_own_division():
    table, index = _chongqing_index()
    raw = json.loads(CHONGQING_2020.read_text(encoding="utf-8"))
    label_points = shapely.points([f["properties"]["cp"] for f in raw["features"]])
    found = index.ids_at(index.locate(label_points))
    hits = int((found == table.ids).sum())
    # The issue allows one miss on this dirty data; every label point lies in its own division.
    assert hits == 38, [(a, b) for a, b in zip(table.ids, found) if a != b]


def test_neighbours_of_yuzhong():
    table, index = _chongqing_index()
    yuzhong = int(np.flatnonzero(table.ids == "500103")[0])
    names = [table.names[j] for j in index.touching(index.geometries[yuzhong])]
    assert names == ["江北区", "沙坪坝区", "九龙坡区", "南岸区"]
    pairs = index.neighbour_pairs()
    assert (pairs[:, 0] < pairs[:, 1]).all()
    assert any((table.ids[a], table.ids[b]) == ("500103", "500105") for a, b in pairs)


def test_points_outside_and_on_borders():
    index = SpatialIndex([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], ids=["a", "b"])
    pts = shapely.points([[1.0, 0.5], [3.0, 3.0], [1.5, 0.5]])
    assert index.locate(pts).tolist() == [0, -1, 1]
    assert index.ids_at(index.locate(pts), missing="").tolist() == ["a", "", "b"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-1, 11), st.floats(-1, 11)), min_size=1, max_size=60))
def test_locate_agrees_with_brute_force_on_a_grid(coords):
    cells = [shapely.box(x, y, x + 1, y + 1) for x in range(10) for y in range(10)]
    index = SpatialIndex(cells)
    pts = shapely.points(np.array(coords))
    got = index.locate(pts)
    for p, g in zip(pts, got):
        inside = [i for i, c in enumerate(cells) if c.intersects(p)]
        assert g == (min(inside) if inside else -1)


def test_nearest_line_and_distance():
    lines = [shapely.LineString([(0, 0), (10, 0)]), shapely.LineString([(0, 5), (10, 5)])]
    index = SpatialIndex(lines, ids=["L1", "L2"])
    pts = shapely.points([[3, 1], [3, 4], [3, 100]])
    pos, dist = index.nearest(pts, max_distance=10)
    assert pos.tolist() == [0, 1, -1]
    assert dist[:2].tolist() == [1.0, 1.0] and np.isinf(dist[2])
