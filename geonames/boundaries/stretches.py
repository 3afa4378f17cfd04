"""Where two versions of a line (or of a border network) lie apart: sampled offsets and stretches.

Shared by the edge-matching check (two parties' versions of one boundary line) and the change
check (the borders of two inspection rounds). Everything is in the units of the metric CRS the
geometries are in (metres).

>>> from shapely import LineString
>>> a = LineString([(0, 0), (1000, 0)])
>>> b = LineString([(0, 0), (400, 0), (500, 60), (600, 0), (1000, 0)])
>>> [(round(s.start), round(s.end), round(s.max_offset)) for s in
...  offset_stretches([a], [b], tolerance=20.0, step=10.0)]
[(435, 565, 51)]

Seen from ``b``, the bump is 60 m from ``a``; :func:`merge_sides` keeps one stretch per place
with the larger offset:

>>> both = merge_sides(offset_stretches([a], [b], 20.0, 10.0),
...                    offset_stretches([b], [a], 20.0, 10.0), step=10.0)
>>> [(side, round(s.max_offset)) for side, s in both]
[('first', 60)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring


@dataclass(frozen=True)
class Stretch:
    """A stretch of one line lying farther than a tolerance from the other version.

    Attributes
    ----------
    line : int
        Position of the line in the input array.
    start, end : float
        Where the stretch starts and ends along the line, metres from the line's start.
    max_offset : float
        Largest distance to the other version along the stretch, metres.
    mean_offset : float
        Mean distance to the other version along the stretch, metres.
    geometry : LineString
        The stretch (part of the line).
    worst : Point
        The point of the stretch farthest from the other version.
    """

    line: int
    start: float
    end: float
    max_offset: float
    mean_offset: float
    geometry: BaseGeometry
    worst: BaseGeometry

    @property
    def length(self) -> float:
        """Length of the stretch along the line, metres."""
        return self.end - self.start


@dataclass
class Samples:
    """Points sampled along lines at a fixed step, and their offsets.

    ``points[k]`` lies on line ``line[k]`` at ``measure[k]`` metres from its start; ``weight[k]``
    is the length of line it stands for (metres), so that sums of weights are lengths.
    """

    points: np.ndarray
    line: np.ndarray
    measure: np.ndarray
    weight: np.ndarray
    offset: np.ndarray | None = None


def sample_lines(lines: Sequence[BaseGeometry] | np.ndarray, step: float,
                 vertices: bool = True) -> Samples:
    """Sample points along each line every ``step`` metres, both ends included.

    Parameters
    ----------
    lines : array of LineStrings
    step : float
        Spacing of the samples along each line, metres (> 0).
    vertices : bool
        Also sample every vertex of the lines (so that the largest offset, which lies at a
        vertex, is never missed).

    Examples
    --------
    >>> from shapely import LineString
    >>> s = sample_lines([LineString([(0, 0), (25, 0)])], 10.0)
    >>> s.measure.tolist(), s.weight.tolist()
    ([0.0, 10.0, 20.0, 25.0], [5.0, 10.0, 7.5, 2.5])
    """
    if step <= 0:
        raise ValueError("step must be positive")
    lines = np.asarray(lines, dtype=object)
    lengths = np.nan_to_num(shapely.length(lines))
    counts = np.ceil(lengths / step).astype(np.int64) + 1
    counts[lengths == 0] = 1
    line = np.repeat(np.arange(len(lines)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    rank = np.arange(len(line)) - first
    measure = np.minimum(rank * step, lengths[line])
    if vertices and len(lines):
        coords, owner = shapely.get_coordinates(lines, return_index=True)
        seg = np.hypot(*np.diff(coords, axis=0).T)
        seg[owner[1:] != owner[:-1]] = 0.0
        cum = np.concatenate([[0.0], np.cumsum(seg)])
        start = np.zeros(len(lines))
        firsts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        start[owner[firsts]] = cum[firsts]
        vertex_measure = np.minimum(cum - start[owner], lengths[owner])
        line = np.concatenate([line, owner])
        measure = np.concatenate([measure, vertex_measure])
        order = np.lexsort((measure, line))
        line, measure = line[order], measure[order]
        keep = np.r_[True, (line[1:] != line[:-1]) | (np.diff(measure) > 1e-9)]
        line, measure = line[keep], measure[keep]
    points = interpolate(lines, line, measure)
    # Each sample stands for half the gap to each neighbour on its line.
    same_before = np.r_[False, line[1:] == line[:-1]]
    same_after = np.r_[line[1:] == line[:-1], False]
    gap_before = np.where(same_before, measure - np.roll(measure, 1), 0.0)
    gap_after = np.where(same_after, np.roll(measure, -1) - measure, 0.0)
    weight = (gap_before + gap_after) / 2.0
    return Samples(points, line, measure, weight)


def interpolate(lines: np.ndarray, line: np.ndarray, measure: np.ndarray) -> np.ndarray:
    """Points at ``measure`` metres along ``lines[line]``, vectorised over all of them.

    The same as :func:`shapely.line_interpolate_point` (for LineStrings, measures within
    the line), without walking each line from its start for every point.

    >>> from shapely import LineString
    >>> pts = interpolate(np.array([LineString([(0, 0), (10, 0), (10, 10)])]),
    ...                   np.array([0, 0]), np.array([5.0, 15.0]))
    >>> [p.wkt for p in pts]
    ['POINT (5 0)', 'POINT (10 5)']
    """
    lines = np.asarray(lines, dtype=object)
    line = np.asarray(line, dtype=np.int64)
    measure = np.asarray(measure, dtype=float)
    if not len(line):
        return np.empty(0, dtype=object)
    if (shapely.get_type_id(lines) != 1).any():
        return shapely.line_interpolate_point(lines[line], measure)
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    seg = np.hypot(*np.diff(coords, axis=0).T)
    seg[owner[1:] != owner[:-1]] = 0.0
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    counts = np.bincount(owner, minlength=len(lines))
    first = np.cumsum(counts) - counts
    base = cum[first]
    total = cum[first + counts - 1] - base
    # Measures along all lines on one axis: each line starts where the previous one ended,
    # plus 1, so that a search never lands in a neighbouring line.
    offset = np.concatenate([[0.0], np.cumsum(total + 1.0)[:-1]])
    key = cum - base[owner] + offset[owner]
    target = np.clip(measure, 0.0, total[line])
    at = np.searchsorted(key, target + offset[line], side="right") - 1
    at = np.clip(at, first[line], first[line] + np.maximum(counts[line] - 2, 0))
    nxt = np.minimum(at + 1, first[line] + counts[line] - 1)
    length = seg[np.minimum(at, len(seg) - 1)] if len(seg) else np.zeros(len(at))
    length = np.where(nxt > at, length, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.where(length > 0, (target - (cum[at] - base[line])) / length, 0.0)
    t = np.clip(t, 0.0, 1.0)
    xy = coords[at] + t[:, None] * (coords[nxt] - coords[at])
    return shapely.points(xy)


def segments(geometries: Sequence[BaseGeometry] | np.ndarray) -> np.ndarray:
    """Every straight segment of the lines (and polygon rings) in ``geometries``.

    Used to index a border network so that nearest-point queries stay fast however long its
    parts are.
    """
    geometries = np.asarray(geometries, dtype=object)
    parts = shapely.get_parts(geometries)
    polys = shapely.get_dimensions(parts) == 2
    rings = shapely.get_rings(parts[polys]) if polys.any() else np.empty(0, dtype=object)
    lines = np.concatenate([parts[~polys], rings])
    lines = lines[~shapely.is_empty(lines)]
    coords, index = shapely.get_coordinates(lines, return_index=True)
    same = index[1:] == index[:-1]
    starts = coords[:-1][same]
    ends = coords[1:][same]
    keep = np.any(starts != ends, axis=1)
    pairs = np.stack([starts[keep], ends[keep]], axis=1)
    return np.asarray(shapely.linestrings(pairs), dtype=object)


class NetworkDistance:
    """Distance from points to a network of lines, through an index of its segments.

    >>> from shapely import LineString, points
    >>> net = NetworkDistance([LineString([(0, 0), (100, 0)])])
    >>> net.distance(points([(50, 30), (120, 0)])).tolist()
    [30.0, 20.0]
    """

    def __init__(self, geometries: Sequence[BaseGeometry] | np.ndarray) -> None:
        self.segments = segments(geometries)
        self.tree = shapely.STRtree(self.segments)

    def nearest(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest segment (position in :attr:`segments`) and distance for each point."""
        points = np.asarray(points, dtype=object)
        nearest = np.full(len(points), -1, dtype=np.int64)
        distance = np.full(len(points), np.inf)
        if len(self.segments) and len(points):
            (src, dst), dist = self.tree.query_nearest(points, return_distance=True,
                                                       all_matches=False)
            nearest[src] = dst
            distance[src] = dist
        return nearest, distance

    def distance(self, points: np.ndarray) -> np.ndarray:
        """Distance from each point to the network (``inf`` when the network is empty)."""
        return self.nearest(points)[1]

    def nearest_points(self, points: np.ndarray) -> np.ndarray:
        """The nearest point of the network to each point."""
        nearest, _ = self.nearest(points)
        lines = shapely.shortest_line(np.asarray(points, dtype=object), self.segments[nearest])
        return shapely.get_point(lines, 1)


def runs_above(values: np.ndarray, group: np.ndarray, limit: float) -> list[tuple[int, int]]:
    """Maximal runs ``[i, j)`` of consecutive values above ``limit`` within the same group."""
    over = np.asarray(values) > limit
    if not over.any():
        return []
    group = np.asarray(group)
    breaks = np.ones(len(over), dtype=bool)
    breaks[1:] = (group[1:] != group[:-1]) | (over[1:] != over[:-1])
    starts = np.flatnonzero(breaks)
    ends = np.append(starts[1:], len(over))
    return [(int(s), int(e)) for s, e in zip(starts, ends, strict=True) if over[s]]


def stretches_from_samples(lines: np.ndarray, samples: Samples, tolerance: float,
                           step: float) -> list[Stretch]:
    """Turn sampled offsets (``samples.offset``) into :class:`Stretch` objects.

    Each run of samples farther than ``tolerance`` becomes one stretch, extended by half a
    step at each end (within the line) so that a single sample still gives a line.
    """
    if samples.offset is None:
        raise ValueError("the samples have no offsets: measure them first")
    offset = samples.offset
    out = []
    for i, j in runs_above(offset, samples.line, tolerance):
        k = int(samples.line[i])
        line = lines[k]
        start = max(0.0, float(samples.measure[i]) - step / 2.0)
        end = min(float(line.length), float(samples.measure[j - 1]) + step / 2.0)
        offsets = offset[i:j]
        worst = i + int(np.argmax(offsets))
        out.append(Stretch(
            line=k, start=start, end=end, max_offset=float(offsets.max()),
            mean_offset=float(np.average(offsets, weights=np.maximum(samples.weight[i:j],
                                                                     1e-9))),
            geometry=substring(line, start, end), worst=samples.points[worst]))
    return out


def offset_stretches(
    lines: Sequence[BaseGeometry] | np.ndarray,
    others: Sequence[BaseGeometry] | np.ndarray,
    tolerance: float,
    step: float | None = None,
) -> list[Stretch]:
    """Stretches of each line farther than ``tolerance`` from its other version.

    Parameters
    ----------
    lines : array of LineStrings
    others : array of geometries, same length as ``lines``
        The other version of each line (any geometry: a line, a network …).
    tolerance : float
        Metres.
    step : float, optional
        Sampling step along the lines, metres; default ``tolerance / 2`` (at least 0.01 m).

    Returns
    -------
    list of Stretch, in line order then along each line.
    """
    lines = np.asarray(lines, dtype=object)
    others = np.asarray(others, dtype=object)
    if len(lines) != len(others):
        raise ValueError("lines and others differ in length")
    step = default_step(tolerance) if step is None else step
    samples = sample_lines(lines, step)
    samples.offset = shapely.distance(samples.points, others[samples.line])
    return stretches_from_samples(lines, samples, tolerance, step)


def default_step(tolerance: float) -> float:
    """Sampling step for a tolerance: half of it, at least 1 cm (metres)."""
    return max(tolerance / 2.0, 0.01)


def merge_sides(first: Sequence[Stretch], second: Sequence[Stretch],
                step: float) -> list[tuple[str, Stretch]]:
    """One stretch per place from the stretches of two versions measured against each other.

    A stretch of the second version whose farthest point is as far from a stretch of the
    first as from the first version at all is the same place seen from the other side: it is
    dropped, and the first's stretch takes the larger largest offset. Returns ``(side,
    stretch)`` pairs, side ``"first"`` or ``"second"``.
    """
    out = [("first", s) for s in first]
    if not second:
        return out
    if not first:
        return [("second", s) for s in second]
    geoms = np.array([s.geometry for s in first], dtype=object)
    tree = shapely.STRtree(geoms)
    worst = np.array([s.worst for s in second], dtype=object)
    (src, dst), gap = tree.query_nearest(worst, return_distance=True, all_matches=False)
    kept = list(first)
    for i, s in enumerate(second):
        hit = np.flatnonzero(src == i)
        if len(hit) and gap[hit[0]] <= s.max_offset * (1 + 1e-9) + step:
            k = int(dst[hit[0]])
            if s.max_offset > kept[k].max_offset:
                kept[k] = replace(kept[k], max_offset=s.max_offset)
        else:
            out.append(("second", s))
    return [("first", kept[k]) for k in range(len(first))] + out[len(first):]
