"""Geometry helpers shared by the engines: repair of invalid polygons, overlays that survive
nearly coincident input, and flattening of nested collections. Units are those of the input.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

#: Grid, m, an overlay is snap-rounded to when GEOS cannot compute it in full precision.
OVERLAY_GRID = 1e-4
#: The repair methods of :func:`shapely.make_valid` that :func:`repair` takes.
REPAIR_METHODS = ("structure", "linework")
#: Lines beyond which :func:`node_lines` goes straight to snap-rounding.
EXACT_NODING_LIMIT = 50_000
#: Distance, m, within which another polygon's line makes :func:`node_lines` node a line.
NODING_REACH = 0.01
#: Invalid geometries repaired per GEOS call (a chunk that GEOS refuses is redone one by one).
REPAIR_CHUNK = 64
#: Threads the vectorised GEOS calls are split over (shapely releases the GIL): the cores.
WORKERS = max(1, min(2, os.cpu_count() or 1))


_LOCATION = re.compile(r"\[\s*([-+0-9.eE]+|nan|inf)\s+([-+0-9.eE]+|nan|inf)\s*\]")


@dataclass
class Repair:
    """What :func:`repair` did.

    Attributes
    ----------
    geometries : numpy array
        Valid Polygon / MultiPolygon geometries (None where the input had none, an empty
        Polygon where nothing polygonal was left).
    invalid : numpy bool array
        True where the input was invalid.
    reasons : numpy array of str
        The GEOS reason (``"Self-intersection[x y]"``), ``""`` where valid.
    locations : numpy array of shapely Points
        Where GEOS located the fault (None where valid or unknown).
    methods : numpy array of str
        How each invalid geometry was repaired: ``"structure"`` or ``"linework"`` (the
        method asked for, or the other one when GEOS refuses it), ``"buffer"``, ``"finite"``
        (non-finite coordinates dropped first) or ``"failed"``.
    """

    geometries: np.ndarray
    invalid: np.ndarray
    reasons: np.ndarray
    locations: np.ndarray
    methods: np.ndarray


def repair(geometries: Sequence[BaseGeometry | None] | np.ndarray,
           method: str = "structure") -> Repair:
    """Make every polygonal geometry valid; never raises on bad geometry.

    Only invalid geometries are touched (valid ones are kept as they are, the same objects).
    They go through :func:`shapely.make_valid` with ``method``:

    * ``"structure"`` (the default): every ring is made valid on its own, shells are unioned
      and holes subtracted, so the area a division's rings wind around is kept, parts of a
      MultiPolygon that overlap each other stay covered, and a ring that folds back over
      itself does not punch a hole in its own division;
    * ``"linework"``: every area the rings enclose by parity is kept, so a loop that a twisted
      ring draws with the wrong orientation stays (and shows up as an overlap where it enters
      a neighbour), but a fold becomes a hole; about ten times slower on real county rings.

    They are repaired in chunks of :data:`REPAIR_CHUNK`, spread over both cores; a chunk that
    GEOS refuses is redone one geometry at a time, and a geometry GEOS still refuses is tried
    with the other method, ``buffer(0)``, and finally with its non-finite coordinates
    dropped. Only the polygonal
    parts of the repair are kept (a self-intersecting ring's collapsed spikes are dropped).

    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> fixed = repair([bowtie])
    >>> fixed.reasons[0], fixed.methods[0], fixed.geometries[0].geom_type, fixed.geometries[0].area
    ('Self-intersection[1 1]', 'structure', 'MultiPolygon', 2.0)
    """
    if method not in REPAIR_METHODS:
        raise ValueError(f"repair method must be one of {', '.join(REPAIR_METHODS)}, "
                         f"not {method!r}")
    geoms = np.asarray(geometries, dtype=object).copy()
    n = len(geoms)
    missing = shapely.is_missing(geoms)
    reasons = np.full(n, "", dtype=object)
    locations = np.full(n, None, dtype=object)
    methods = np.full(n, "", dtype=object)
    valid = np.ones(n, dtype=bool)
    # one pass: the reason is "Valid Geometry" for a valid one
    reasons[~missing] = in_parallel(shapely.is_valid_reason, geoms[~missing])
    valid[~missing] = reasons[~missing] == "Valid Geometry"
    reasons[valid] = ""
    bad = np.flatnonzero(~valid)
    if len(bad):
        locations[bad] = [_location(r) for r in reasons[bad]]
        out = np.empty(len(bad), dtype=object)
        chunks = np.array_split(np.arange(len(bad)), max(1, -(-len(bad) // REPAIR_CHUNK)))

        def one_chunk(sel: np.ndarray) -> None:
            try:
                with np.errstate(all="ignore"):
                    out[sel] = _MAKE_VALID[method](geoms[bad[sel]])
                methods[bad[sel]] = method
            except shapely.errors.GEOSException:  # redo this chunk alone, one by one
                for k in sel:
                    out[k], methods[bad[k]] = _repair_one(geoms[bad[k]], method)

        run_parallel(one_chunk, chunks)
        geoms[bad] = _polygonal(out)
    types = shapely.get_type_id(geoms)
    other = np.flatnonzero((types != 3) & (types != 6) & (types != -1))
    if len(other):  # valid collections or non-polygons: keep their polygonal parts
        geoms[other] = _polygonal(geoms[other])
    # make_valid output is valid; a geometry that stays invalid (it has happened with GEOS
    # bugs) gets one more chance through the one-by-one fallbacks.
    still = bad[~in_parallel(shapely.is_valid, geoms[bad], min_chunk=32)] if len(bad) else bad
    for i in still:
        geom, methods[i] = _repair_one(geoms[i], _OTHER[method])
        geoms[i] = _polygonal(np.array([geom], dtype=object))[0]
    return Repair(geoms, ~valid, reasons, locations, methods)


_MAKE_VALID: dict[str, Callable[[Any], Any]] = {
    "structure": lambda g: shapely.make_valid(g, method="structure", keep_collapsed=False),
    "linework": lambda g: shapely.make_valid(g, method="linework"),
}
_OTHER = {"structure": "linework", "linework": "structure"}


def _repair_one(geometry: BaseGeometry, first: str = "structure") -> tuple[BaseGeometry, str]:
    """One geometry repaired by ``first``, then the other make_valid method, ``buffer(0)``,
    and with non-finite coordinates dropped: the first that gives a valid geometry."""
    attempts: list[tuple[str, Callable[[BaseGeometry], BaseGeometry]]] = [
        (first, _MAKE_VALID[first]),
        (_OTHER[first], _MAKE_VALID[_OTHER[first]]),
        ("buffer", lambda g: shapely.buffer(g, 0.0)),
        ("finite", lambda g: _MAKE_VALID["structure"](_finite(g))),
    ]
    for method, attempt in attempts:
        try:
            with np.errstate(all="ignore"):
                out = attempt(geometry)
        except (shapely.errors.GEOSException, ValueError):
            continue
        if out is not None and shapely.is_valid(out):
            return out, method
    return shapely.Polygon(), "failed"


def _finite(geometry: BaseGeometry) -> BaseGeometry:
    """The geometry with every ring's non-finite coordinates dropped."""
    polys = shapely.get_parts(geometry)
    out = []
    for poly in polys:
        rings = []
        for ring in shapely.get_rings(poly):
            xy = shapely.get_coordinates(ring)
            xy = xy[np.isfinite(xy).all(axis=1)]
            if len(xy) >= 3:
                rings.append(np.vstack([xy, xy[:1]]))
        if rings:
            out.append(shapely.Polygon(rings[0], rings[1:]))
    return shapely.MultiPolygon(out) if out else shapely.Polygon()


def _polygonal(geometries: np.ndarray) -> np.ndarray:
    """Keep only the polygonal parts: Polygon / MultiPolygon, or an empty Polygon."""
    out = np.asarray(geometries, dtype=object).copy()
    types = shapely.get_type_id(out)
    mixed = np.flatnonzero((types != 3) & (types != 6))
    if not len(mixed):
        return out
    parts, index = flat_parts(out[mixed])
    keep = (shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)
    parts, index = parts[keep], index[keep]
    result = np.array([shapely.Polygon() for _ in mixed], dtype=object)
    if len(parts):
        owners, inverse = np.unique(index, return_inverse=True)
        made = np.atleast_1d(np.asarray(shapely.multipolygons(parts, indices=inverse),
                                        dtype=object))
        result[owners] = simplest(made, np.bincount(inverse))
    out[mixed] = result
    return out


def overlay(operation: Callable, *geometries):
    """Run a shapely overlay (``union_all``, ``intersection``, ``difference`` …); where GEOS
    raises a topology error on nearly coincident input, run it again snap-rounded to
    :data:`OVERLAY_GRID` (0.1 mm), which always succeeds."""
    try:
        return operation(*geometries)
    except shapely.errors.GEOSException:
        return operation(*geometries, grid_size=OVERLAY_GRID)


def flat_parts(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Single parts of geometries, collections inside collections opened too, and the index
    of the geometry each part came from (:func:`shapely.get_parts` opens one level)."""
    parts, index = shapely.get_parts(np.asarray(geometries, dtype=object), return_index=True)
    while True:
        nested = shapely.get_type_id(parts) >= 4
        if not nested.any():
            return parts, index
        inner, k = shapely.get_parts(parts[nested], return_index=True)
        parts = np.concatenate([parts[~nested], inner])
        index = np.concatenate([index[~nested], index[nested][k]])
        order = np.argsort(index, kind="stable")
        parts, index = parts[order], index[order]


def _location(reason: str) -> BaseGeometry | None:
    match = _LOCATION.search(reason or "")
    if not match:
        return None
    try:
        x, y = float(match.group(1)), float(match.group(2))
    except ValueError:
        return None
    return shapely.Point(x, y) if np.isfinite([x, y]).all() else None


def simplest(multi: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """MultiPolygons of a single part as that Polygon."""
    out = np.asarray(multi, dtype=object).copy()
    single = counts == 1
    if single.any():
        out[single] = shapely.get_geometry(out[single], 0)
    return out


# --------------------------------------------------------------------------------------------
# Both cores

T = TypeVar("T")


def run_parallel(function: Callable[[T], Any], items: Iterable[T]) -> list[Any]:
    """``function`` on each item, over :data:`WORKERS` threads (shapely's vectorised calls
    release the GIL, so GEOS work on separate chunks runs on separate cores)."""
    items = list(items)
    if WORKERS < 2 or len(items) < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(function, items))


def concurrently(*calls: Callable[[], Any]) -> list[Any]:
    """Call each function on a thread of its own and return their results in order (an
    exception in one is raised here). For independent steps of vectorised GEOS work, which
    releases the GIL: they overlap on both cores. The steps must not share prepared
    geometries (GEOS builds a prepared geometry's index lazily, on first use, unlocked).

    >>> concurrently(lambda: 1, lambda: 2)
    [1, 2]
    """
    if WORKERS < 2 or len(calls) < 2:
        return [call() for call in calls]
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
        return [future.result() for future in futures]


def in_parallel(function: Callable[..., np.ndarray], *arrays: np.ndarray,
                min_chunk: int = 256) -> np.ndarray:
    """A vectorised shapely function of one or more equal-length geometry arrays, their
    halves on both cores.

    >>> from shapely import box
    >>> in_parallel(shapely.intersects, np.array([box(0, 0, 1, 1)] * 600),
    ...             np.array([box(2, 2, 3, 3)] * 600)).sum()
    np.int64(0)
    """
    arrays = tuple(np.asarray(a, dtype=object) for a in arrays)
    if WORKERS < 2 or len(arrays[0]) < 2 * min_chunk:
        return np.asarray(function(*arrays))
    chunks = [np.array_split(a, WORKERS) for a in arrays]
    return np.concatenate([np.asarray(r) for r in run_parallel(
        lambda parts: function(*parts), list(zip(*chunks, strict=True)))])


# --------------------------------------------------------------------------------------------
# Ring segments


@dataclass
class RingSegments:
    """Every ring segment of a layer of polygons: start/end coordinates, vertex numbers (equal
    coordinates, equal number) and the position of the polygon it belongs to."""

    start: np.ndarray
    end: np.ndarray
    v0: np.ndarray
    v1: np.ndarray
    owner: np.ndarray

    def __len__(self) -> int:
        return len(self.owner)

    def lines(self, which: np.ndarray | None = None) -> np.ndarray:
        """The segments (all, or those numbered ``which``) as 2-point LineStrings."""
        sel = slice(None) if which is None else which
        coords = np.stack([self.start[sel], self.end[sel]], axis=1)
        return np.atleast_1d(np.asarray(shapely.linestrings(coords), dtype=object))


def ring_segments(geoms: np.ndarray, present: np.ndarray | None = None) -> RingSegments:
    """The ring segments of the ``present`` polygons (zero-length ones dropped), each directed
    with its polygon on the left (as if the polygons were oriented)."""
    geoms = np.asarray(geoms, dtype=object)
    if present is None:
        present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    idx = np.flatnonzero(present)
    parts, part_owner = shapely.get_parts(geoms[idx], return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    first = np.flatnonzero(ring[1:] == ring[:-1])
    owner = idx[part_owner[ring_part[ring[first]]]]
    _, vertex = np.unique(np.ascontiguousarray(xy).view(np.complex128).ravel(),
                          return_inverse=True)
    vertex = vertex.reshape(-1)
    v0, v1 = vertex[first], vertex[first + 1]
    keep = v0 != v1  # repeated points
    first, v0, v1, owner = first[keep], v0[keep], v1[keep], owner[keep]
    start, end = xy[first], xy[first + 1]
    # orient: shells counter-clockwise, holes clockwise (the polygon on each segment's left)
    shell = np.concatenate([[True], ring_part[1:] != ring_part[:-1]]) if len(rings) else \
        np.array([], dtype=bool)
    flip = (np.asarray(shapely.is_ccw(rings), dtype=bool) != shell)[ring[first]]
    if flip.any():
        start, end = np.where(flip[:, None], end, start), np.where(flip[:, None], start, end)
        v0, v1 = np.where(flip, v1, v0), np.where(flip, v0, v1)
    return RingSegments(start, end, v0, v1, owner)


def match_segments(seg: RingSegments) -> tuple[np.ndarray, np.ndarray]:
    """Shared segments as (k, 2) rows of segment numbers: the same two vertices, in opposite
    directions, in two different polygons, and in no third; and the numbers of all others.

    In oriented polygons (shells counter-clockwise) both sides of a shared segment are covered,
    so the outline of the layer, its gaps and its overlaps are all drawn by the others.
    """
    n = len(seg.owner)
    if not n:
        return np.zeros((0, 2), dtype=np.int64), np.array([], dtype=np.int64)
    lo, hi = np.minimum(seg.v0, seg.v1), np.maximum(seg.v0, seg.v1)
    order = np.lexsort((seg.owner, hi, lo))
    lo_s, hi_s = lo[order], hi[order]
    same_key = (lo_s[1:] == lo_s[:-1]) & (hi_s[1:] == hi_s[:-1])
    # a key shared by exactly two segments: not part of a run of three or more
    run_start = np.concatenate([[True], ~same_key])
    run_id = np.cumsum(run_start) - 1
    run_len = np.bincount(run_id)
    first = np.flatnonzero(run_start)
    pair_runs = np.flatnonzero(run_len == 2)
    a, b = order[first[pair_runs]], order[first[pair_runs] + 1]
    ok = (seg.owner[a] != seg.owner[b]) & (seg.v0[a] == seg.v1[b])
    a, b = a[ok], b[ok]
    matched = np.zeros(n, dtype=bool)
    matched[a] = matched[b] = True
    return np.column_stack([a, b]), np.flatnonzero(~matched)


def node_lines(lines: np.ndarray, owners: np.ndarray | None = None) -> np.ndarray:
    """Lines noded at every crossing, as single LineStrings of positive length.

    Noded in full precision (:func:`shapely.node`) when GEOS manages, else by a snap-rounded
    union at :data:`OVERLAY_GRID` (0.1 mm), which always succeeds. Beyond
    :data:`EXACT_NODING_LIMIT` lines the full-precision attempt on all of them is skipped: on
    real national layers it fails to converge (on the 179,000 unmatched segments of all
    Chinese counties, after 7 s of work).

    ``owners`` (the polygon each line bounds; the polygons valid) lets a large set be noded
    in part: a line that comes within :data:`NODING_REACH` of no other polygon's line crosses
    nothing (a valid polygon's rings do not cross), so only the lines near another polygon's
    are noded, in full precision, and the others are kept exactly as they are. When those
    are too many or GEOS fails on them, every line is snap-rounded as above.

    >>> from shapely import LineString
    >>> cross = [LineString([(0, 0), (2, 2)]), LineString([(0, 2), (2, 0)])]
    >>> len(node_lines(np.array(cross)))
    4
    """
    lines = np.asarray(lines, dtype=object)
    if not len(lines):
        return np.array([], dtype=object)
    noded: Any = None
    if len(lines) <= EXACT_NODING_LIMIT:
        noded = _node_exact(lines)
    elif owners is not None:
        near = near_other_owner(lines, np.asarray(owners), NODING_REACH)
        if near.sum() <= EXACT_NODING_LIMIT:
            part = _node_exact(lines[near])
            if part is not None:
                noded = np.concatenate([shapely.get_parts(part), lines[~near]])
    if noded is None:
        noded = shapely.union_all(lines, grid_size=OVERLAY_GRID)
    pieces = shapely.get_parts(noded)
    pieces = pieces[shapely.get_type_id(pieces) == 1]
    return pieces[shapely.length(pieces) > 0]


def _node_exact(lines: np.ndarray) -> Any:
    """:func:`shapely.node` of the lines in full precision, or None where GEOS fails."""
    try:
        return shapely.node(shapely.multilinestrings(lines))
    except shapely.errors.GEOSException:
        return None


def near_other_owner(lines: np.ndarray, owners: np.ndarray, reach: float) -> np.ndarray:
    """Which lines have a bounding box within ``reach`` (m) of the box of a line with
    another owner.

    >>> from shapely import LineString
    >>> lines = np.array([LineString([(0, 0), (1, 0)]), LineString([(1, 0), (2, 0)]),
    ...                   LineString([(5, 5), (6, 5)])])
    >>> near_other_owner(lines, np.array([0, 1, 0]), 0.01).tolist()
    [True, True, False]
    """
    bounds = shapely.bounds(lines)
    boxes = shapely.box(bounds[:, 0] - reach, bounds[:, 1] - reach,
                        bounds[:, 2] + reach, bounds[:, 3] + reach)
    i, j = shapely.STRtree(lines).query(boxes)
    other = owners[i] != owners[j]
    near = np.zeros(len(lines), dtype=bool)
    near[i[other]] = True
    near[j[other]] = True
    return near


def faces(noded: np.ndarray) -> np.ndarray:
    """The polygons that noded lines enclose (:func:`shapely.polygonize`), nested ones as
    holes of the outer face and as faces of their own. The lines are merged at their
    two-line nodes first (the same faces, from far fewer edges)."""
    if not len(noded):
        return np.array([], dtype=object)
    merged = shapely.line_merge(shapely.multilinestrings(np.asarray(noded, dtype=object)))
    out = shapely.get_parts(shapely.polygonize(shapely.get_parts(merged)))
    out = out[shapely.get_type_id(out) == 3]
    return out[shapely.area(out) > 0]


def containing(tree: shapely.STRtree, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (point position, tree geometry position) where the point intersects the tree's
    polygon, as ``tree.query(points, predicate="intersects")`` gives them, five times faster
    on large polygons: the tree's geometries are prepared once (the query prepares only each
    point).

    >>> from shapely import box, points
    >>> tree = shapely.STRtree([box(0, 0, 10, 10), box(10, 0, 20, 10)])
    >>> [a.tolist() for a in containing(tree, points([(5, 5), (10, 5), (30, 5)]))]
    [[0, 1, 1], [0, 0, 1]]
    """
    points = as_array(points)
    point, geom = tree.query(points)
    if not len(point):
        return point, geom
    polygons = np.asarray(tree.geometries, dtype=object)
    shapely.prepare(polygons[~shapely.is_missing(polygons)])
    hit = shapely.intersects(polygons[geom], points[point])
    order = np.lexsort((geom[hit], point[hit]))
    return point[hit][order], geom[hit][order]


def within_distance(geometries: np.ndarray, distance: float) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i < j, of the geometries within ``distance`` (m) of each other.

    As ``STRtree.query(predicate="dwithin")`` finds them, but far faster when a few large
    polygons (a country's mainland) neighbour many small ones (its islands): candidate pairs
    come from bounding boxes, and each pair's distance is measured from its larger member,
    prepared once (GEOS indexes its edges), instead of the query geometry.

    >>> from shapely import box
    >>> [a.tolist() for a in within_distance(np.array([box(0, 0, 1, 1), box(2, 0, 3, 1),
    ...                                                  box(9, 0, 10, 1)]), 1.5)]
    [[0], [1]]
    """
    geometries = as_array(geometries)
    bounds = shapely.bounds(geometries)
    boxes = shapely.box(bounds[:, 0] - distance, bounds[:, 1] - distance,
                        bounds[:, 2] + distance, bounds[:, 3] + distance)
    i, j = shapely.STRtree(geometries).query(boxes)
    keep = i < j
    i, j = i[keep], j[keep]
    if not len(i):
        return i, j
    size = shapely.get_num_coordinates(geometries)
    big = np.where(size[i] >= size[j], i, j)
    small = np.where(size[i] >= size[j], j, i)
    shapely.prepare(geometries[distinct(big)])
    # one thread: a prepared geometry's index is built lazily, without a lock
    near = np.asarray(shapely.dwithin(geometries[big], geometries[small], distance), dtype=bool)
    return i[near], j[near]


def merge_directed(xy: np.ndarray, line: np.ndarray,
                   key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Directed lines with the same key merged into maximal lines, as
    ``shapely.line_merge(..., directed=True)`` merges each key's lines, from coordinates alone.

    A line continues into the next where that one starts at its end and no other line of the
    key starts or ends there. A closed chain starts at its line of least position.

    Parameters
    ----------
    xy : (n, 2) float array
        The lines' coordinates, line after line.
    line : (n,) int array
        The line each coordinate belongs to, 0 … m-1 in order (as
        ``shapely.get_coordinates(lines, return_index=True)`` gives them); each line has at
        least two coordinates.
    key : (m,) int array
        The key of each line.

    Returns
    -------
    lines : array of LineString
        Sorted by key, then by the position of each one's first input line.
    keys : int array

    >>> xy = np.array([[0, 0], [1, 0], [1, 0], [2, 0], [2, 0], [3, 0], [5, 5], [6, 5]])
    >>> lines, keys = merge_directed(xy, np.array([0, 0, 1, 1, 2, 2, 3, 3]),
    ...                              np.array([7, 7, 8, 7]))
    >>> [line.wkt for line in lines], keys.tolist()
    (['LINESTRING (0 0, 1 0, 2 0)', 'LINESTRING (5 5, 6 5)', 'LINESTRING (2 0, 3 0)'], [7, 7, 8])
    """
    key = np.asarray(key, dtype=np.int64)
    xy = np.asarray(xy, dtype=np.float64)
    m = len(key)
    if not m:
        return np.array([], dtype=object), key
    first = np.searchsorted(line, np.arange(m))
    last = np.append(first[1:], len(line)) - 1
    _, node = np.unique(np.ascontiguousarray(np.concatenate([xy[first], xy[last]]))
                        .view(np.complex128).ravel(), return_inverse=True)
    node = node.reshape(-1).astype(np.int64)
    # key and node in one number: a line's start and end as places in its key's graph
    _, place = np.unique(np.concatenate([key, key]) * (int(node.max()) + 1) + node,
                         return_inverse=True)
    start, end = place[:m].copy(), place[m:].copy()
    del node, place
    outs = np.bincount(start, minlength=int(max(start.max(), end.max())) + 1)
    ins = np.bincount(end, minlength=len(outs))
    by_start = np.argsort(start, kind="stable")
    through = (outs[end] == 1) & (ins[end] == 1)
    following = np.full(m, -1, dtype=np.int64)
    following[through] = by_start[np.searchsorted(start[by_start], end[through])]
    before = np.full(m, -1, dtype=np.int64)
    before[following[through]] = np.flatnonzero(through)
    _break_cycles(following, before)
    head, rank = _list_ranks(before)
    order = np.lexsort((rank, head, key))
    # each line's coordinates but its last, and the last one of each merged line's last line
    tail = following[order] == -1
    count = (last - first)[order] + tail
    take = np.repeat(first[order] - np.cumsum(count) + count, count) + np.arange(count.sum())
    chain = np.cumsum(np.concatenate([[True], head[order][1:] != head[order][:-1]])) - 1
    merged = shapely.linestrings(xy[take], indices=np.repeat(chain, count))
    return as_array(merged), key[order][rank[order] == 0]


def _break_cycles(following: np.ndarray, before: np.ndarray) -> None:
    """Open every closed chain before its line of least position (in place)."""
    m = len(following)
    step = np.where(following >= 0, following, np.arange(m))
    least = np.arange(m)
    for _ in range(max(int(m).bit_length(), 1)):
        least = np.minimum(least, least[step])
        step = step[step]
    # a line on no closed chain reaches its chain's end, where the step stays
    on_cycle = following[step] >= 0
    opened = np.flatnonzero(on_cycle & (least == np.arange(m)))
    following[before[opened]] = -1
    before[opened] = -1


def _list_ranks(before: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For lines linked by ``before`` (the previous line, -1 at a chain's start): each one's
    chain start and its place along the chain (pointer jumping)."""
    m = len(before)
    head = np.where(before >= 0, before, np.arange(m))
    rank = (before >= 0).astype(np.int64)
    while True:
        done = before[head] < 0
        if done.all():
            return head, rank
        rank = rank + np.where(done, 0, rank[head])
        head = np.where(done, head, head[head])


def distinct(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-D array, as ``np.unique(values)`` gives them.

    By sorting: numpy 2.3 and later answer a bare ``np.unique`` by hashing, which on millions
    of distinct values is hundreds of times slower (36 s instead of 0.16 s for 4.2 million
    int64 on our machine).

    >>> distinct(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(np.asarray(values).ravel())
    if not len(ordered):
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


def as_array(values: Any) -> np.ndarray:
    """Geometries as a 1-D object array: what a vectorised shapely function returns (one
    geometry for one input, an array for an array) made always an array.

    >>> as_array(shapely.Point(0, 0)).shape, as_array([shapely.Point(0, 0)] * 2).shape
    ((1,), (2,))
    """
    return np.atleast_1d(np.asarray(values, dtype=object))


def only_present(geometries: np.ndarray, present: np.ndarray) -> np.ndarray:
    """The geometries where ``present`` (a boolean mask) holds, None elsewhere: an array to
    build a spatial index on whose positions stay those of the input."""
    out = np.full(len(geometries), None, dtype=object)
    out[present] = np.asarray(geometries, dtype=object)[present]
    return out
