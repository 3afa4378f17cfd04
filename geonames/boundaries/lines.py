"""Boundary lines between divisions, with the division on each side.

:func:`extract_lines` turns a layer of division polygons into

* **boundary lines**: one LineString per maximal stretch of border shared by two divisions,
  oriented so that the division ``left`` lies on its left (walking from its first to its
  last point), with its length in metres;
* **tripoints**: points where three or more divisions meet (the ends of boundary lines);
* **the outer boundary**: the borders with no division on the other side, each with the
  division inside; ``kind`` is ``"outer"`` on the outline of the layer and ``"gap"`` around
  an enclosed gap;
* **adjacency**: each pair of neighbours with the length of border they share.

Dirty data is handled first: invalid polygons are repaired (:func:`geonames.geometry.repair`)
and the divisions that :func:`shapely.coverage_invalid_edges` flags (and their neighbours) go
through :func:`shapely.coverage_clean`, which gives every overlap to one side (the one with
the longest border) and makes shared edges identical. With ``snap`` (m), gaps narrower than
``snap`` are closed and vertices within ``snap`` of each other are snapped together, so that
divisions that nearly meet still get one line between them.

The work is vectorised: every ring segment is keyed by its two end vertices, segments that
occur twice in opposite directions are shared border, and only the few others (the outline
and what cleaning could not match exactly) are noded with :func:`shapely.node` and sided by
locating points just left and right of them.

>>> from shapely import box
>>> found = extract_lines([box(0, 0, 1, 1), box(1, 0, 2, 1), box(0, 1, 2, 2)], ["a", "b", "c"])
>>> [(found.ids[l], found.ids[r], round(float(n), 3)) for l, r, n in
...  zip(found.left, found.right, found.lengths)]
[('a', 'b', 1.0), ('a', 'c', 1.0), ('b', 'c', 1.0)]
>>> found.tripoints[0].wkt, found.ids[found.tripoint_members[0]].tolist()
('POINT (1 1)', ['a', 'b', 'c'])
>>> round(float(found.outer_lengths.sum()), 3)
8.0
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.crs import MetricCRS, measure_lengths, reproject
from geonames.divisions.coverage import division_columns, metric_crs_of
from geonames.divisions.model import DivisionTable
from geonames.geometry import (
    RingSegments,
    as_array,
    containing,
    distinct,
    faces,
    match_segments,
    merge_directed,
    node_lines,
    only_present,
    repair,
    ring_segments,
)
from geonames.text import Progress

#: Largest distance, m, at which sides of a leftover piece of border are probed.
PROBE = 1e-3


@dataclass
class BoundaryLines:
    """What :func:`extract_lines` returns. Positions index ``ids`` / ``names``.

    Attributes
    ----------
    lines : numpy array of LineString
        Shared borders, ``left`` division on the left.
    left, right : numpy int arrays
    lengths : numpy float array, m
    tripoints : numpy array of Point
    tripoint_members : numpy int array (k, m)
        The divisions meeting at each tripoint (sorted positions, padded with -1).
    outer : numpy array of LineString
        Borders with nothing on the other side, ``outer_owner`` on the left.
    outer_owner : numpy int array
    outer_kind : numpy array of str
        ``"outer"`` (outline of the layer) or ``"gap"`` (around an enclosed gap).
    outer_lengths : numpy float array, m
    adjacency : numpy int array (k, 2)
        Pairs of neighbours, first < second.
    adjacency_lengths : numpy float array, m
        Length of border each pair shares.
    adjacency_lines : numpy int array
        Number of boundary lines of each pair.
    ids, names : numpy arrays of str
    geometries : numpy array
        The divisions as used (repaired, cleaned where dirty), metric CRS.
    stats : dict
    metric : MetricCRS or None
        Set by :func:`extract_division_lines`.
    """

    lines: np.ndarray
    left: np.ndarray
    right: np.ndarray
    lengths: np.ndarray
    tripoints: np.ndarray
    tripoint_members: np.ndarray
    outer: np.ndarray
    outer_owner: np.ndarray
    outer_kind: np.ndarray
    outer_lengths: np.ndarray
    adjacency: np.ndarray
    adjacency_lengths: np.ndarray
    adjacency_lines: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    geometries: np.ndarray
    stats: dict[str, object] = field(default_factory=dict)
    metric: MetricCRS | None = None

    def __len__(self) -> int:
        return len(self.lines)

    @property
    def left_ids(self) -> np.ndarray:
        return self.ids[self.left]

    @property
    def right_ids(self) -> np.ndarray:
        return self.ids[self.right]


def extract_division_lines(
    table: DivisionTable,
    *,
    crs: str | CRS | MetricCRS | None = None,
    snap: float = 0.0,
    progress: Progress | None = None,
) -> BoundaryLines:
    """:func:`extract_lines` on a division table, in the metric CRS of
    :func:`geonames.divisions.coverage.metric_crs_of` (``crs`` wins when given)."""
    metric = crs if isinstance(crs, MetricCRS) else metric_crs_of(table, crs)
    if progress:
        progress(f"projecting {len(table)} divisions to {metric.label}")
    # no name holds the projected copy here: once repaired, its invalid originals are freed
    result = extract_lines(reproject(table.geometries, table.crs, metric.crs), table.ids,
                           table.names, snap=snap, progress=progress)
    result.metric = metric
    if not metric.lengths_exact:
        # an extent too wide for one zone: measure each line in its own local zone
        result.lengths = measure_lengths(result.lines, metric.crs)
        result.outer_lengths = measure_lengths(result.outer, metric.crs)
        _, inverse = np.unique(result.left.astype(np.int64) * (len(result.ids) + 1)
                               + result.right, return_inverse=True)
        result.adjacency_lengths = np.bincount(inverse.reshape(-1), weights=result.lengths,
                                               minlength=len(result.adjacency))
    return result


def extract_lines(
    geometries: Sequence[BaseGeometry | None] | np.ndarray,
    ids: Sequence[object] | np.ndarray,
    names: Sequence[object] | np.ndarray | None = None,
    *,
    snap: float = 0.0,
    progress: Progress | None = None,
) -> BoundaryLines:
    """Boundary lines, tripoints, outer boundary and adjacency of a layer of divisions.

    Parameters
    ----------
    geometries : array of Polygon / MultiPolygon (None allowed, ignored)
        In a metric CRS (metres).
    ids, names : arrays
    snap : float, m
        Close gaps narrower than this and snap vertices this close, so that divisions that
        nearly meet get one line. 0 (default) keeps the geometry as it is, apart from the
        repair and the resolution of overlaps.
    progress : callable, optional
        Called with a message before each step.

    Returns
    -------
    BoundaryLines
    """
    say = progress or (lambda _: None)
    t_all = time.perf_counter()
    geoms, ids, names = division_columns(geometries, ids, names)
    del geometries  # the repaired copy below replaces it

    say(f"repairing {len(geoms)} geometries")
    geoms = repair(geoms).geometries
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    say("finding edges that do not match")
    geoms, cleaned = _clean(geoms, present, snap)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    geoms[present] = shapely.orient_polygons(geoms[present])

    say("matching shared segments")
    seg = ring_segments(geoms, present)
    shared, rest = match_segments(seg)
    say(f"siding {len(rest)} unmatched segments")
    tree = shapely.STRtree(only_present(geoms, present))
    pieces = _side_pieces(seg, rest, tree)

    say("merging lines")
    tripoints, members = _tripoints(seg)
    n_segments = len(seg)
    shared_part = _shared_segments(seg, shared)
    del seg, shared  # 240 MB on the Chinese counties: gone before the merge
    lines, left, right = _merge_shared(*shared_part, pieces)
    del shared_part
    lengths = shapely.length(lines)
    outer, owner, kind = _merge_outer(pieces, geoms, tree)
    base = np.int64(len(geoms) + 1)
    pair_keys, inverse = np.unique(left.astype(np.int64) * base + right, return_inverse=True)
    inverse = inverse.reshape(-1)
    pairs = np.column_stack([pair_keys // base, pair_keys % base])
    stats: dict[str, object] = {
        "divisions": int(len(geoms)),
        "cleaned": int(cleaned),
        "segments": int(n_segments),
        "unmatched_segments": int(len(rest)),
        "unsided_pieces": int(pieces.unsided),
        "seconds": round(time.perf_counter() - t_all, 3),
    }
    return BoundaryLines(
        lines=lines, left=left, right=right, lengths=lengths,
        tripoints=tripoints, tripoint_members=members,
        outer=outer, outer_owner=owner, outer_kind=kind, outer_lengths=shapely.length(outer),
        adjacency=pairs.reshape(-1, 2),
        adjacency_lengths=np.bincount(inverse, weights=lengths, minlength=len(pairs)),
        adjacency_lines=np.bincount(inverse, minlength=len(pairs)),
        ids=ids, names=names, geometries=geoms, stats=stats)


# --------------------------------------------------------------------------------------------
# Cleaning


def _clean(geoms: np.ndarray, present: np.ndarray, snap: float) -> tuple[np.ndarray, int]:
    """Run :func:`shapely.coverage_clean` on the dirty divisions and their neighbours.

    Every dirty division has a ring segment that no neighbour repeats exactly, so only the
    owners of unmatched segments (mostly the outline's divisions) and their neighbours are
    examined with :func:`shapely.coverage_invalid_edges`.
    """
    geoms = geoms.copy()
    if not present.any():
        return geoms, 0
    seg = ring_segments(geoms, present)
    _, rest = match_segments(seg)
    suspects = distinct(seg.owner[rest])
    if not len(suspects):
        return geoms, 0
    tree = shapely.STRtree(only_present(geoms, present))
    _, near = tree.query(geoms[suspects], predicate="dwithin", distance=max(snap, 0.0))
    context = np.union1d(suspects, near)
    edges = shapely.coverage_invalid_edges(geoms[context], gap_width=snap)
    dirty = context[shapely.length(edges) > 0]
    if snap > 0:
        # inlets open to the outside are not invalid edges: take the outline's divisions too
        dirty = np.union1d(dirty, suspects)
    if not len(dirty):
        return geoms, 0
    _, near = tree.query(geoms[dirty], predicate="dwithin", distance=max(snap, 0.0))
    group = np.union1d(dirty, near)
    try:
        out = shapely.coverage_clean(  # type: ignore[attr-defined]  # GEOS 3.14, not in the stubs
            geoms[group], gap_width=snap,
                                     snapping_distance=snap if snap > 0 else -1)
    except shapely.errors.GEOSException:
        # GEOS could not clean them: keep them as they are; siding the unmatched pieces
        # still gives lines wherever the divisions meet, with overlaps left unsided
        return geoms, 0
    geoms[group] = _polygonal_only(out)
    return geoms, len(group)


def _polygonal_only(geoms: np.ndarray) -> np.ndarray:
    out = np.asarray(geoms, dtype=object).copy()
    bad = ~np.isin(shapely.get_type_id(out), (3, 6))
    if bad.any():
        out[bad] = repair(np.array([shapely.make_valid(g) for g in out[bad]],
                                   dtype=object)).geometries
    return out


# --------------------------------------------------------------------------------------------
# Segments


@dataclass
class _Pieces:
    """Leftover border pieces after noding, with the division on each side (-1: none)."""

    lines: np.ndarray
    left: np.ndarray
    right: np.ndarray
    unsided: int
    noded: np.ndarray


def _side_pieces(seg: RingSegments, rest: np.ndarray, tree: shapely.STRtree) -> _Pieces:
    empty = _Pieces(np.array([], dtype=object), np.array([], dtype=np.int64),
                    np.array([], dtype=np.int64), 0, np.array([], dtype=object))
    if not len(rest):
        return empty
    pieces = node_lines(seg.lines(rest), seg.owner[rest])
    if not len(pieces):
        return empty
    # probe just left and right of the middle of each piece's first segment
    xy, which = shapely.get_coordinates(pieces, return_index=True)
    starts = np.searchsorted(which, np.arange(len(pieces)))
    p, q = xy[starts], xy[starts + 1]
    d = q - p
    seg_len = np.hypot(d[:, 0], d[:, 1])
    eps = np.minimum(PROBE, 0.1 * seg_len)
    normal = np.column_stack([-d[:, 1], d[:, 0]]) / seg_len[:, None]
    mid = (p + q) / 2
    left = _owner_at(tree, as_array(shapely.points(mid + normal * eps[:, None])))
    right = _owner_at(tree, as_array(shapely.points(mid - normal * eps[:, None])))
    sided = (left != right) & (left >= -1) & (right >= -1) & ~((left == -1) & (right == -1))
    return _Pieces(pieces[sided], left[sided], right[sided], int((~sided).sum()), pieces)


def _owner_at(tree: shapely.STRtree, points: np.ndarray) -> np.ndarray:
    """The division each point is in: -1 none, -2 more than one."""
    pt, geom = containing(tree, points)
    out = np.full(len(points), -1, dtype=np.int64)
    counts = np.bincount(pt, minlength=len(points))
    out[pt] = geom
    out[counts > 1] = -2
    return out


# --------------------------------------------------------------------------------------------
# Lines


def _shared_segments(seg: RingSegments, shared: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The shared segments as lines with the smaller owner on their left: coordinates, the
    line of each coordinate, left and right owners."""
    a, b = shared[:, 0], shared[:, 1]
    # segment a's owner is on its left; orient every line with the smaller owner on the left
    swap = seg.owner[a] > seg.owner[b]
    keep_seg = np.where(swap, b, a)
    xy = np.stack([seg.start[keep_seg], seg.end[keep_seg]], axis=1).reshape(-1, 2)
    return (xy, np.repeat(np.arange(len(keep_seg)), 2), seg.owner[keep_seg],
            np.where(swap, seg.owner[a], seg.owner[b]))


def _merge_shared(shared_xy: np.ndarray, shared_which: np.ndarray, shared_left: np.ndarray,
                  shared_right: np.ndarray,
                  pieces: _Pieces) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maximal lines per pair of divisions, the smaller position on the left, from the
    shared segments (:func:`_shared_segments`) and the pieces sided on both sides."""
    lefts, rights = [shared_left], [shared_right]
    xy, which = [shared_xy], [shared_which]
    del shared_xy, shared_which
    both = (pieces.left >= 0) & (pieces.right >= 0)
    if both.any():
        pl, pr, plines = pieces.left[both], pieces.right[both], pieces.lines[both]
        flip = pl > pr
        plines = np.where(flip, shapely.reverse(plines), plines)
        piece_xy, piece = shapely.get_coordinates(plines, return_index=True)
        xy.append(piece_xy)
        which.append(piece + len(shared_left))
        lefts.append(np.where(flip, pr, pl))
        rights.append(np.where(flip, pl, pr))
    # one copy of the coordinates at a time (the parts go before the merge)
    all_xy, all_which = np.concatenate(xy), np.concatenate(which)
    del xy, which
    return _merge_groups(all_xy, all_which, np.concatenate(lefts).astype(np.int64),
                         np.concatenate(rights).astype(np.int64))


def _merge_groups(xy: np.ndarray, which: np.ndarray, first: np.ndarray,
                  second: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge directed lines (coordinates ``xy`` of line ``which``) sharing a key (first,
    second) into maximal lines, sorted by key."""
    if not len(first):
        empty = np.array([], dtype=np.int64)
        return np.array([], dtype=object), empty, empty
    base = np.int64(max(int(second.max()), 0) + 2)
    key = first.astype(np.int64) * base + (second.astype(np.int64) + 1)
    lines, keys = merge_directed(xy, which, key)
    return lines, keys // base, keys % base - 1


def _merge_outer(pieces: _Pieces, geoms: np.ndarray,
                 tree: shapely.STRtree) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    one = (pieces.left == -1) | (pieces.right == -1)
    if not one.any():
        return np.array([], dtype=object), np.array([], dtype=np.int64), \
            np.array([], dtype=object)
    lines, pl, pr = pieces.lines[one], pieces.left[one], pieces.right[one]
    flip = pl == -1
    lines = np.where(flip, shapely.reverse(lines), lines)
    owner = np.where(flip, pr, pl)
    # "gap" when the outside of the piece is a face of the noded leftovers that no division
    # covers (a hole of the layer), "outer" when it is the unbounded outside
    cut = faces(pieces.noded)
    gap = np.zeros(len(lines), dtype=np.int64)
    if len(cut):
        face_idx, _ = containing(tree, shapely.point_on_surface(cut))
        uncovered = np.ones(len(cut), dtype=bool)
        uncovered[face_idx] = False
        holes = cut[uncovered]
        if len(holes):
            probe_idx, _ = shapely.STRtree(holes).query(_outside_probe(lines),
                                                        predicate="intersects")
            gap[probe_idx] = 1
    xy, which = shapely.get_coordinates(lines, return_index=True)
    merged, owner, gap = _merge_groups(xy, which, owner, gap)
    kind = np.where(gap == 1, "gap", "outer").astype(object)
    return merged, owner, kind


def _outside_probe(lines: np.ndarray) -> np.ndarray:
    """A point just right of the middle of each line's first segment."""
    xy, which = shapely.get_coordinates(lines, return_index=True)
    starts = np.searchsorted(which, np.arange(len(lines)))
    p, q = xy[starts], xy[starts + 1]
    d = q - p
    n = np.hypot(d[:, 0], d[:, 1])
    eps = np.minimum(PROBE, 0.1 * n)
    right = np.column_stack([d[:, 1], -d[:, 0]]) / n[:, None]
    return as_array(shapely.points((p + q) / 2 + right * eps[:, None]))


def _tripoints(seg: RingSegments) -> tuple[np.ndarray, np.ndarray]:
    """Vertices where three or more divisions meet, and those divisions (padded with -1)."""
    if not len(seg.owner):
        return np.array([], dtype=object), np.zeros((0, 3), dtype=np.int64)
    base = np.int64(seg.owner.max() + 1)
    incidence = distinct(seg.v0.astype(np.int64) * base + seg.owner)
    vertex, owner = incidence // base, incidence % base
    starts = np.flatnonzero(np.concatenate([[True], vertex[1:] != vertex[:-1]]))
    counts = np.diff(np.append(starts, len(vertex)))
    tri = counts >= 3
    if not tri.any():
        return np.array([], dtype=object), np.zeros((0, 3), dtype=np.int64)
    starts, counts = starts[tri], counts[tri]
    width = int(counts.max())
    members = np.full((len(starts), width), -1, dtype=np.int64)
    for k in range(width):
        has = counts > k
        members[has, k] = owner[starts[has] + k]
    # coordinates of those vertices: the start of a segment beginning there
    first_seg = np.full(int(seg.v0.max()) + 1, -1, dtype=np.int64)
    first_seg[seg.v0[::-1]] = np.arange(len(seg.v0))[::-1]
    xy = seg.start[first_seg[vertex[starts]]]
    return np.asarray(shapely.points(xy), dtype=object).reshape(-1), members
