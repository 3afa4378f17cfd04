"""Coverage inspection: where a layer of divisions fails to tile its territory.

A layer of divisions (all counties of a province, all townships of a county …) should be a
*polygonal coverage*: valid polygons that do not overlap, leave no gaps between them, and whose
shared borders have exactly the same vertices on both sides. :func:`inspect_coverage` reports
every place where that fails, as :class:`~geonames.findings.Finding` records:

============================ =================================================================
code                         what
============================ =================================================================
``geometry.invalid``         an invalid polygon (GEOS reason and location); it is repaired and
                             the repair is used for everything after
``coverage.overlap``         two divisions overlap: the overlap polygon, both ids, area m²
``coverage.gap``             a gap enclosed by divisions: the gap polygon, the ids around it,
                             area m², width m (2 × radius of the maximum inscribed circle)
``coverage.gap_open``        a narrow inlet between two divisions, open to the outer edge
                             (GEOS does not find these), narrower than ``gap_width``
``coverage.edge_mismatch``   stretches of border where neighbours' vertices do not match
                             (:func:`shapely.coverage_invalid_edges`) and that no overlap or gap
                             above ``min_area`` explains
``coverage.sliver``          a thin polygon part of a division (width below ``sliver_width``)
``division.duplicate_id``    two or more divisions with one id
``division.empty``           a division without geometry (or with nothing left after repair)
``coverage.unchecked``       a part of the layer that a check could not handle (GEOS raised a
                             topology error even after the documented fallbacks): what and why
============================ =================================================================

Every size is in metres / m², measured in a metric CRS: :func:`inspect_coverage` takes
geometries already in one; :func:`inspect_divisions` takes a
:class:`~geonames.divisions.model.DivisionTable` and projects it with :mod:`geonames.crs`.

Work is vectorised over the whole array (shapely 2): only invalid polygons are repaired; the
costly pairwise work (overlaps, mismatched edges) is done only for the divisions that
:func:`shapely.coverage_invalid_edges` flags; gaps and open inlets come from the ring segments
that no neighbour repeats exactly (:class:`Outline`: a few percent of all segments, noded and
polygonized), never from a union of whole divisions.

>>> from shapely import box
>>> result = inspect_coverage([box(0, 0, 100, 100), box(90, 0, 200, 100)], ["a", "b"])
>>> [(f.code, f.subject, f.value) for f in result.findings]
[('coverage.overlap', 'a,b', 1000.0)]
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.crs import MetricCRS, metric_crs_for, reproject
from geonames.divisions.model import DivisionTable
from geonames.errors import InputFileError
from geonames.findings import Finding, Severity, subject_of
from geonames.geometry import (
    OVERLAY_GRID,
    REPAIR_METHODS,
    Repair,
    as_array,
    concurrently,
    containing,
    distinct,
    faces,
    in_parallel,
    match_segments,
    node_lines,
    only_present,
    overlay,
    repair,
    ring_segments,
    run_parallel,
    simplest,
    within_distance,
)
from geonames.text import Progress, quiet
from geonames.values import metres, square_metres

#: Default ``gap_width``, m: open inlets narrower than this are reported, and enclosed gaps
#: narrower than this make :func:`shapely.coverage_invalid_edges` flag their edges.
DEFAULT_GAP_WIDTH = 50.0
#: Default ``min_area``, m²: overlaps and gaps smaller than this are dropped (their edges are
#: reported as ``coverage.edge_mismatch`` instead).
DEFAULT_MIN_AREA = 1.0
#: A part narrower than the sliver width is a sliver when its Polsby–Popper score (4πA/P²,
#: 1 for a disc, 0.785 for a square) is below this: a rectangle of about 1 : 8.
SLIVER_POLSBY_POPPER = 0.3
#: Default distance, m, by which an approved exception's geometry is widened when matching.
DEFAULT_EXCEPTION_TOLERANCE = 1.0
#: An inlet must run along at least this many ``gap_width`` of each of two divisions' borders
#: (a shallower notch at a corner where two divisions meet is a shape, not an inlet).
INLET_MIN_DEPTH = 1.0
#: Relative tolerance of the maximum-inscribed-circle radius behind every width.
RADIUS_TOLERANCE = 5e-3
#: Distance, m, under which geometries count as touching (numerical noise of overlay at
#: coordinates of about 10⁶ m is about 10⁻⁹ m).
TOUCH = 1e-3

CODES = (
    "geometry.invalid", "coverage.overlap", "coverage.gap", "coverage.gap_open",
    "coverage.edge_mismatch", "coverage.sliver", "division.duplicate_id", "division.empty",
    "coverage.unchecked",
)
SEVERITY = {
    "geometry.invalid": Severity.ERROR,
    "coverage.overlap": Severity.ERROR,
    "coverage.gap": Severity.ERROR,
    "coverage.gap_open": Severity.WARNING,
    "coverage.edge_mismatch": Severity.WARNING,
    "coverage.sliver": Severity.WARNING,
    "division.duplicate_id": Severity.ERROR,
    "division.empty": Severity.ERROR,
    "coverage.unchecked": Severity.WARNING,
}




# --------------------------------------------------------------------------------------------
# Results




@dataclass
class Overlaps:
    """Overlapping pairs: positions ``first < second``, the overlap (Multi)Polygon, area m²."""

    first: np.ndarray
    second: np.ndarray
    geometries: np.ndarray
    areas: np.ndarray
    parts: np.ndarray

    def __len__(self) -> int:
        return len(self.first)


@dataclass
class Gaps:
    """Gaps: polygons, area m², width m, and the positions of the divisions around each."""

    geometries: np.ndarray
    areas: np.ndarray
    widths: np.ndarray
    around: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.geometries)


@dataclass(frozen=True)
class ApprovedException:
    """An approved exception (QGIS allowed-gaps layer, ArcGIS topology exception).

    A finding matches when every attribute given here matches: ``code`` equal, ``ids`` equal
    as a set to the finding's ids, and the finding's geometry within ``geometry`` widened by
    the matching tolerance. ``geometry`` is in the same (metric) CRS as the findings.
    """

    code: str | None = None
    ids: frozenset[str] | None = None
    geometry: BaseGeometry | None = None
    note: str = ""


@dataclass
class CoverageResult:
    """What :func:`inspect_coverage` found.

    Attributes
    ----------
    findings : list of Finding
        Geometries in the metric CRS.
    geometries : numpy array
        The repaired divisions (metric CRS), used for every measurement.
    ids, names : numpy arrays of str
    invalid_edges : numpy array
        :func:`shapely.coverage_invalid_edges` of the repaired divisions at ``gap_width``.
    parameters : dict
        ``gap_width``, ``min_area``, ``sliver_width`` (m, m²) as used.
    stats : dict
        Counts and the seconds each step took.
    metric : MetricCRS or None
        Set by :func:`inspect_divisions`.
    """

    findings: list[Finding]
    geometries: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    invalid_edges: np.ndarray
    parameters: dict[str, float]
    stats: dict[str, object] = field(default_factory=dict)
    metric: MetricCRS | None = None

    def by_code(self, code: str) -> list[Finding]:
        """The findings of one code."""
        return [f for f in self.findings if f.code == code]


# --------------------------------------------------------------------------------------------
# Entry points


def inspect_divisions(
    table: DivisionTable,
    *,
    crs: str | CRS | MetricCRS | None = None,
    gap_width: float = DEFAULT_GAP_WIDTH,
    min_area: float = DEFAULT_MIN_AREA,
    sliver_width: float | None = None,
    exceptions: Sequence[ApprovedException] = (),
    exception_tolerance: float = DEFAULT_EXCEPTION_TOLERANCE,
    progress: Progress | None = None,
    repair_method: str = "structure",
) -> CoverageResult:
    """Inspect a :class:`~geonames.divisions.model.DivisionTable` as a coverage.

    The divisions are projected to the metric CRS from :func:`metric_crs_of` (``crs`` wins
    when given) and passed to :func:`inspect_coverage`; see there for the parameters.
    ``exceptions`` geometries must already be in that metric CRS.
    """
    metric = crs if isinstance(crs, MetricCRS) else metric_crs_of(table, crs)
    say = progress or quiet
    say(f"projecting {len(table)} divisions to {metric.label}")
    # no name holds the projected copy here: once repaired, its invalid originals are freed
    result = inspect_coverage(
        reproject(table.geometries, table.crs, metric.crs), table.ids, table.names, gap_width=gap_width, min_area=min_area,
        sliver_width=sliver_width, exceptions=exceptions,
        exception_tolerance=exception_tolerance, progress=progress,
        unclosed=table.unclosed, repair_method=repair_method)
    result.metric = metric
    return result


def metric_crs_of(table: DivisionTable, crs: str | CRS | None = None) -> MetricCRS:
    """The metric CRS to measure a division table in (:func:`geonames.crs.choose_metric_crs`).

    Raises :class:`~geonames.errors.InputFileError` when no division has a geometry.
    """
    metric = metric_crs_for(table.crs, table.geometries, crs)
    if metric is None:
        raise InputFileError(f"{table.source or 'the layer'}: no division has a geometry")
    return metric


def inspect_coverage(
    geometries: Sequence[BaseGeometry | None] | np.ndarray,
    ids: Sequence[object] | np.ndarray,
    names: Sequence[object] | np.ndarray | None = None,
    *,
    gap_width: float = DEFAULT_GAP_WIDTH,
    min_area: float = DEFAULT_MIN_AREA,
    sliver_width: float | None = None,
    exceptions: Sequence[ApprovedException] = (),
    exception_tolerance: float = DEFAULT_EXCEPTION_TOLERANCE,
    progress: Progress | None = None,
    unclosed: Sequence[int] = (),
    repair_method: str = "structure",
) -> CoverageResult:
    """Find every place where polygons fail to form a coverage.

    Parameters
    ----------
    geometries : array of Polygon / MultiPolygon (None allowed)
        In a metric CRS (metres).
    ids : array
        One id per geometry (duplicates are reported, not refused).
    names : array, optional
        Division names (used in messages).
    gap_width : float, m
        Open inlets narrower than this are ``coverage.gap_open``; enclosed gaps narrower than
        this are also flagged by :func:`shapely.coverage_invalid_edges`. Every enclosed gap is
        reported whatever its width.
    min_area : float, m²
        Overlaps (each connected part) and gaps smaller than this are dropped.
    sliver_width : float, m, optional
        Polygon parts narrower than this (2 × radius of the maximum inscribed circle) and
        elongated (or smaller than ``min_area``) are ``coverage.sliver``
        (:func:`find_slivers`). Default: ``gap_width``.
    exceptions : sequence of ApprovedException
        Findings they match are marked excepted (:func:`apply_exceptions`).
    exception_tolerance : float, m
    progress : callable, optional
        Called with a message before each step.
    unclosed : sequence of int
        Rows whose rings did not close in the file (:attr:`RawLayer.unclosed`): each is a
        ``geometry.invalid`` finding, since the ring was closed on reading.
    repair_method : {"structure", "linework"}
        How invalid polygons are repaired (:func:`geonames.geometry.repair`): "structure"
        keeps the area the rings wind around; "linework" keeps every area they enclose, so
        a loop a twisted ring draws into a neighbour is reported as an overlap (about ten
        times slower on real county rings).

    Returns
    -------
    CoverageResult

    Examples
    --------
    A 4 m wide gap between two squares, enclosed by a third division below and above:

    >>> from shapely import box
    >>> squares = [box(0, 0, 100, 100), box(104, 0, 200, 100), box(0, 100, 200, 150),
    ...            box(0, -50, 200, 0)]
    >>> result = inspect_coverage(squares, ["w", "e", "n", "s"])
    >>> gap = result.by_code("coverage.gap")[0]
    >>> gap.subject, gap.value, gap.details["width_m"]
    ('e,n,s,w', 400.0, 4.0)
    """
    say = progress or quiet
    gap_width = metres(gap_width, "gap_width")
    min_area = square_metres(min_area, "min_area")
    exception_tolerance = metres(exception_tolerance, "exception_tolerance")
    if sliver_width is not None:
        sliver_width = metres(sliver_width, "sliver_width")
    t_all = time.perf_counter()
    timings: dict[str, float] = {}
    geoms, ids, names = division_columns(geometries, ids, names)
    del geometries  # the repaired copy below replaces it
    sliver_width = gap_width if sliver_width is None else sliver_width
    findings: list[Finding] = []

    say(f"checking {len(geoms)} geometries")
    t = time.perf_counter()
    if repair_method not in REPAIR_METHODS:
        raise InputFileError(f"repair method must be one of {', '.join(REPAIR_METHODS)}, "
                             f"not {repair_method!r}")
    fixed = repair(geoms, repair_method)
    geoms = fixed.geometries
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    findings += _invalid_findings(fixed, ids, names)
    findings += _unclosed_findings(unclosed, fixed, geoms, ids, names)
    findings += _empty_findings(present, fixed, ids, names)
    findings += _duplicate_findings(ids, names, geoms)
    timings["repair"] = time.perf_counter() - t

    say(f"finding invalid edges (gap width {gap_width:g} m)")
    t = time.perf_counter()
    edges = np.full(len(geoms), None, dtype=object)
    edges[present] = shapely.coverage_invalid_edges(geoms[present], gap_width=gap_width)
    flagged = present & (shapely.length(edges) > 0)
    tree = shapely.STRtree(only_present(geoms, present))
    timings["invalid_edges"] = time.perf_counter() - t

    say(f"measuring overlaps around {int(flagged.sum())} flagged divisions")
    t = time.perf_counter()
    overlaps = find_overlaps(geoms, min_area=min_area, candidates=flagged, tree=tree)
    timings["overlaps"] = time.perf_counter() - t

    say("finding the layer's outline")
    t = time.perf_counter()
    outline = outline_of(geoms, tree)
    timings["outline"] = time.perf_counter() - t

    # gaps and open inlets are independent: they run alongside, on both cores (the overlaps
    # alongside the outline would add 250 MB of peak memory on the Chinese counties)
    say("finding gaps and open inlets")

    def timed(key: str, step: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            t = time.perf_counter()
            out = step()
            timings[key] = time.perf_counter() - t
            return out
        return run

    gaps, inlets = concurrently(
        timed("gaps", lambda: find_gaps(geoms, outline, min_area=min_area, tree=tree)),
        timed("open_inlets", lambda: find_open_gaps(geoms, outline, gap_width=gap_width,
                                                    min_area=min_area, tree=tree)))
    findings += _overlap_findings(overlaps, ids, names, min_area)
    findings += _gap_findings(gaps, ids, names, min_area)
    findings += _inlet_findings(inlets, ids, names, gap_width)
    findings += [Finding(
        "coverage.unchecked", SEVERITY["coverage.unchecked"], "",
        f"open inlets not checked in one part of the layer's outline: GEOS failed ({reason})",
        geometry=where, details={"step": "gap_open", "reason": reason})
        for reason, where in inlets.unchecked]

    say("matching shared edges")
    t = time.perf_counter()
    explained = np.concatenate([overlaps.geometries, gaps.geometries, inlets.geometries])
    findings += _mismatch_findings(geoms, edges, flagged, explained, ids, names, tree,
                                   reach=max(gap_width, 1.0))
    timings["edge_mismatch"] = time.perf_counter() - t

    say("measuring slivers")
    t = time.perf_counter()
    slivers = find_slivers(geoms, sliver_width, min_area=min_area)
    findings += _sliver_findings(slivers, ids, names, sliver_width)
    timings["slivers"] = time.perf_counter() - t

    if exceptions:
        findings = apply_exceptions(findings, exceptions, exception_tolerance)
    stats = {
        "divisions": int(len(geoms)),
        "repaired": int(fixed.invalid.sum()),
        "repair_method": repair_method,
        "flagged_by_invalid_edges": int(flagged.sum()),
        "overlap_area_m2": round(float(overlaps.areas.sum()), 3),
        "gap_area_m2": round(float(gaps.areas.sum()), 3),
        "step_seconds": {k: round(v, 3) for k, v in timings.items()},
        "seconds": round(time.perf_counter() - t_all, 3),
    }
    return CoverageResult(
        findings=findings, geometries=geoms, ids=ids, names=names, invalid_edges=edges,
        parameters={"gap_width": gap_width, "min_area": min_area, "sliver_width": sliver_width},
        stats=stats)


# --------------------------------------------------------------------------------------------
# Repair
















# --------------------------------------------------------------------------------------------
# Overlaps, union, gaps, inlets, slivers


def find_overlaps(
    geometries: np.ndarray,
    min_area: float = DEFAULT_MIN_AREA,
    candidates: np.ndarray | None = None,
    tree: shapely.STRtree | None = None,
) -> Overlaps:
    """Pairs of polygons whose interiors overlap, with the overlap and its area (m²).

    Parameters
    ----------
    geometries : array of valid Polygon / MultiPolygon (None allowed)
    min_area : float
        Connected parts of an overlap smaller than this are dropped; a pair with no part left
        is not reported.
    candidates : bool array, optional
        Only pairs with at least one candidate are examined. Any overlap makes at least one
        of the two polygons show up in :func:`shapely.coverage_invalid_edges`, so passing the
        flagged polygons finds every overlap (this is what makes it fast).
    tree : STRtree over ``geometries``, optional

    >>> from shapely import box
    >>> found = find_overlaps(np.array([box(0, 0, 2, 2), box(1, 1, 3, 3), box(5, 5, 6, 6)]))
    >>> found.first.tolist(), found.second.tolist(), found.areas.tolist()
    ([0], [1], [1.0])
    """
    geoms = np.asarray(geometries, dtype=object)
    tree = tree or shapely.STRtree(geoms)
    source = np.flatnonzero(~shapely.is_missing(geoms)) if candidates is None \
        else np.flatnonzero(candidates)
    if not len(source):
        return _no_overlaps()
    # boxes only: the relate below rejects disjoint pairs as fast as a predicate query would
    # (and prepares nothing that the gap search, running alongside, prepares too)
    k, j = tree.query(geoms[source])
    i = source[k]
    a, b = np.minimum(i, j), np.maximum(i, j)
    pairs = np.unique(np.column_stack([a, b])[a != b], axis=0)
    if not len(pairs):
        return _no_overlaps()
    a, b = pairs[:, 0], pairs[:, 1]
    inside = in_parallel(_interiors_meet, geoms[a], geoms[b], min_chunk=64)
    a, b = a[inside], b[inside]
    inter = in_parallel(_intersection, geoms[a], geoms[b], min_chunk=64)
    parts, index = shapely.get_parts(inter, return_index=True)
    keep = (shapely.get_type_id(parts) == 3) & (shapely.area(parts) >= max(min_area, 0.0))
    keep &= shapely.area(parts) > 0
    parts, index = parts[keep], index[keep]
    if not len(parts):
        return _no_overlaps()
    pair = distinct(index)
    multi = shapely.multipolygons(parts, indices=np.searchsorted(pair, index))
    multi = np.atleast_1d(np.asarray(multi, dtype=object))
    counts = np.bincount(np.searchsorted(pair, index), minlength=len(pair))
    return Overlaps(a[pair], b[pair], simplest(multi, counts), shapely.area(multi), counts)


def _interiors_meet(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return shapely.relate_pattern(first, second, "2********")


def _intersection(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    return overlay(shapely.intersection, first, second)


def _no_overlaps() -> Overlaps:
    empty = np.array([], dtype=np.int64)
    return Overlaps(empty, empty, np.array([], dtype=object), np.array([]), empty)


@dataclass
class Outline:
    """The layer cut along the ring segments that no neighbour repeats exactly.

    Matched segments (the same two vertices, in opposite directions, in two divisions) have a
    division on both sides, so the outline of the layer, every gap and every overlap is drawn
    by the others alone: noded and polygonized, they cut the plane into ``faces``, each either
    inside some division (``covered``) or in none (a gap enclosed by the layer).

    Attributes
    ----------
    faces : numpy array of Polygon
    covered : numpy bool array
    segments : numpy array of LineString
        The unmatched segments (before noding), each with its division on its left.
    owners : numpy int array
        The division of each unmatched segment.
    """

    faces: np.ndarray
    covered: np.ndarray
    segments: np.ndarray
    owners: np.ndarray

    @property
    def filled(self) -> BaseGeometry:
        """The layer with its gaps filled: the union of the outermost faces' shells (a face
        inside another's hole is within that shell, and adds nothing)."""
        if not len(self.faces):
            return shapely.Polygon()
        kept = outermost_shells(self.faces)
        try:
            return shapely.coverage_union_all(kept)
        except shapely.errors.GEOSException:
            return overlay(shapely.union_all, kept)


def outermost_shells(polygons: np.ndarray) -> np.ndarray:
    """The polygons' exteriors as polygons, without those inside another's (equal ones once):
    they do not overlap but where they touch.

    >>> from shapely import box
    >>> lake = box(0, 0, 10, 10).difference(box(2, 2, 8, 8))
    >>> [p.bounds for p in outermost_shells([lake, box(3, 3, 4, 4), box(20, 0, 21, 1)])]
    [(0.0, 0.0, 10.0, 10.0), (20.0, 0.0, 21.0, 1.0)]
    """
    shells = as_array(shapely.polygons(shapely.get_exterior_ring(as_array(polygons))))
    # shells do not cross: one is within another when a point inside it is inside the other
    # (strictly: a point on a boundary is outside), tested on each outer shell prepared once
    inside = as_array(shapely.point_on_surface(shells))
    inner, outer = shapely.STRtree(shells).query(inside)
    other = inner != outer
    inner, outer = inner[other], outer[other]
    shapely.prepare(shells[distinct(outer)])
    hit = np.asarray(shapely.contains_properly(shells[outer], inside[inner]), dtype=bool)
    inner, outer = inner[hit], outer[hit]
    # equal shells are within each other: the first of them is kept
    key = inner.astype(np.int64) * len(shells) + outer
    mutual = np.isin(key, outer.astype(np.int64) * len(shells) + inner)
    return np.delete(shells, distinct(inner[~mutual | (outer < inner)]))


def outline_of(geometries: np.ndarray, tree: shapely.STRtree | None = None) -> Outline:
    """The :class:`Outline` of a layer of valid polygons (None allowed)."""
    geoms = np.asarray(geometries, dtype=object)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    empty = np.array([], dtype=object)
    if not present.any():
        return Outline(empty, np.array([], dtype=bool), empty, np.array([], dtype=np.int64))
    seg = ring_segments(geoms, present)
    _, rest = match_segments(seg)
    lines = seg.lines(rest)
    cut = faces(node_lines(lines, seg.owner[rest]))
    covered = np.zeros(len(cut), dtype=bool)
    if len(cut):
        tree = tree or shapely.STRtree(only_present(geoms, present))
        face_idx, _ = containing(tree, shapely.point_on_surface(cut))
        covered[face_idx] = True
    return Outline(cut, covered, lines, seg.owner[rest])


def find_gaps(
    geometries: np.ndarray,
    outline: Outline | None = None,
    min_area: float = DEFAULT_MIN_AREA,
    tree: shapely.STRtree | None = None,
) -> Gaps:
    """Gaps enclosed by polygons: the holes of their union (minus any island inside a hole).

    They are the faces of the layer's :class:`Outline` that no polygon covers (adjacent ones
    merged): no union of whole divisions is computed.

    Parameters
    ----------
    geometries : array of valid Polygon / MultiPolygon (None allowed)
    outline : Outline, optional
        :func:`outline_of` the geometries, when already computed.
    min_area : float, m²
        Smaller gaps are dropped.

    Returns
    -------
    Gaps
        Widths are 2 × the radius of each gap's maximum inscribed circle (m); ``around`` holds
        the positions of the polygons within 1 mm of each gap, sorted.

    >>> from shapely import box
    >>> ring = [box(0, 0, 30, 10), box(0, 20, 30, 30), box(0, 10, 10, 20), box(20, 10, 30, 20)]
    >>> gaps = find_gaps(np.array(ring))
    >>> gaps.areas.tolist(), gaps.widths.tolist(), gaps.around[0].tolist()
    ([100.0], [10.0], [0, 1, 2, 3])
    """
    geoms = np.asarray(geometries, dtype=object)
    tree = tree or shapely.STRtree(geoms)
    outline = outline_of(geoms, tree) if outline is None else outline
    holes = outline.faces[~outline.covered]
    if len(holes) > 1:
        # faces that share an edge (a degenerate border between two uncovered faces) are
        # one gap
        try:
            merged = shapely.coverage_union_all(holes)
        except shapely.errors.GEOSException:
            merged = overlay(shapely.union_all, holes)
        holes = shapely.get_parts(merged)
        holes = holes[shapely.get_type_id(holes) == 3]
    if len(holes):
        area = shapely.area(holes)
        holes = holes[(area >= max(min_area, 0.0)) & (area > 0)]
    if not len(holes):
        return Gaps(np.array([], dtype=object), np.array([]), np.array([]), [])
    gap_idx, div_idx = tree.query(holes, predicate="dwithin", distance=TOUCH)
    order = np.lexsort((div_idx, gap_idx))
    gap_idx, div_idx = gap_idx[order], div_idx[order]
    around = np.split(div_idx, np.searchsorted(gap_idx, np.arange(1, len(holes))))
    return Gaps(holes, shapely.area(holes), widths(holes), around)


def widths(polygons: np.ndarray) -> np.ndarray:
    """Width of each polygon, m: 2 × the radius of its maximum inscribed circle.

    Computed to :data:`RADIUS_TOLERANCE` (0.5 %) of the radius: the inscribed-circle search
    stops at that tolerance.

    >>> from shapely import box
    >>> widths(np.array([box(0, 0, 100, 4)])).round(3).tolist()
    [4.0]
    """
    polygons = np.asarray(polygons, dtype=object)
    out = np.zeros(len(polygons))
    ok = ~shapely.is_missing(polygons) & ~shapely.is_empty(polygons)
    if not ok.any():
        return out
    out[ok] = in_parallel(_widths, polygons[ok], min_chunk=32)
    return out


def _widths(polys: np.ndarray) -> np.ndarray:
    """:func:`widths` of present polygons."""
    # a triangle's inscribed circle is exact: radius = 2 × area / perimeter (half the gaps
    # of a real layer are triangles); the others get a quick pass (tolerance 1/1000 of the
    # extent), refined where that tolerance is more than 0.5 % of the radius found (long thin
    # shapes)
    radius = np.zeros(len(polys))
    triangle = (shapely.get_type_id(polys) == 3) & (shapely.get_num_coordinates(polys) == 4)
    triangle &= shapely.length(polys) > 0
    radius[triangle] = 2.0 * shapely.area(polys[triangle]) / shapely.length(polys[triangle])
    other = np.flatnonzero(~triangle)
    radius[other] = shapely.length(shapely.maximum_inscribed_circle(polys[other]))
    bounds = shapely.bounds(polys[other])
    coarse = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1]) / 1000
    redo = other[coarse > RADIUS_TOLERANCE * radius[other]]
    if len(redo):
        tol = np.maximum(radius[redo] * RADIUS_TOLERANCE, 1e-9)
        radius[redo] = shapely.length(shapely.maximum_inscribed_circle(polys[redo],
                                                                       tolerance=tol))
    return 2.0 * radius


@dataclass
class Inlets:
    """Open inlets: polygons, area m², width m, the divisions along each and their contact
    length along it, m; ``unchecked``: parts of the outline GEOS could not close (the GEOS
    message and a point inside the part)."""

    geometries: np.ndarray
    areas: np.ndarray
    widths: np.ndarray
    along: list[np.ndarray]
    contact: list[np.ndarray]
    unchecked: list[tuple[str, BaseGeometry]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.geometries)


def find_open_gaps(
    geometries: np.ndarray,
    outline: Outline | None = None,
    gap_width: float = DEFAULT_GAP_WIDTH,
    min_area: float = DEFAULT_MIN_AREA,
    tree: shapely.STRtree | None = None,
) -> Inlets:
    """Narrow inlets between divisions that are open to the outer edge of the coverage.

    The outside of the coverage that a disc of diameter ``gap_width`` cannot enter is found
    by a morphological closing of the layer's outline (:class:`Outline`, its gaps filled):
    ``closing − outline``. The contact of each part with each division is measured on the
    unmatched ring segments (only they border the outside). A
    connected part of it is an inlet when it runs along the borders of at least two
    divisions for at least ``INLET_MIN_DEPTH × gap_width`` each (a notch where two
    divisions meet at a corner is not), and its area is at least ``min_area``.

    Never raises on a GEOS topology error: the difference is retried snapped to
    :data:`~geonames.geometry.OVERLAY_GRID`, the closing part by part (:func:`_closing_rest`);
    a part that still fails is left unchecked and named in ``Inlets.unchecked`` (reported
    as ``coverage.unchecked``).

    >>> from shapely import box
    >>> sides = [box(0, 0, 100, 100), box(102, 0, 200, 100), box(0, -100, 200, 0)]
    >>> inlets = find_open_gaps(np.array(sides), gap_width=10)
    >>> inlets.areas.round().tolist(), inlets.widths.round(3).tolist(), inlets.along[0].tolist()
    ([200.0], [2.0], [0, 1])
    """
    geoms = np.asarray(geometries, dtype=object)
    none = Inlets(np.array([], dtype=object), np.array([]), np.array([]), [], [])
    if gap_width <= 0:
        return none
    tree = tree or shapely.STRtree(geoms)
    outline = outline_of(geoms, tree) if outline is None else outline
    parts = shapely.get_parts(outline.filled)
    parts = parts[shapely.get_type_id(parts) == 3]
    if not len(parts):
        return none
    closing = _closing_rest(outermost_shells(parts), gap_width / 2.0)
    none.unchecked = closing.unchecked
    n = np.int64(len(geoms))
    # candidates, from the closing minus the outline grown by TOUCH (fast: no two borders
    # within nanometres), with every threshold loosened by what that 1 mm strip can take off
    rest, source = closing.pieces, closing.source
    area, perimeter = shapely.area(rest), shapely.length(rest)
    # a piece that two divisions each run along for the depth has at least that perimeter
    near = (area + TOUCH * perimeter >= max(min_area, 1e-6)) & (
        perimeter >= INLET_MIN_DEPTH * gap_width - 10 * TOUCH)
    rest, source = rest[near], source[near]
    kept, _, _, _ = _deep_contact(rest, outline, n, gap_width, reach=3 * TOUCH,
                                  depth=0.9 * INLET_MIN_DEPTH * gap_width)
    # around each candidate, the exact pieces of the closing minus the outline, opened by
    # TOUCH, and checked
    rest = _polygons_of_area(closing.exact_around(rest[kept], source[kept]),
                             max(min_area, 1e-6))
    kept, zone, div, contact = _deep_contact(rest, outline, n, gap_width)
    if not len(kept):
        return none
    width = widths(rest[kept])
    cuts = np.searchsorted(zone, kept[1:])
    inlets = rest[kept]
    return Inlets(inlets, shapely.area(inlets), width, np.split(div, cuts),
                  np.split(contact, cuts), closing.unchecked)


def _polygons_of_area(geometries: np.ndarray, min_area: float) -> np.ndarray:
    """The Polygon parts of at least ``min_area`` (m²)."""
    parts = shapely.get_parts(np.asarray(geometries, dtype=object))
    parts = parts[shapely.get_type_id(parts) == 3]
    return parts[shapely.area(parts) >= min_area]


def _opening(polygons: np.ndarray, radius: float) -> np.ndarray:
    """Polygons shrunk and grown back by ``radius`` (m): parts thinner than 2 × radius go."""
    if not len(polygons):
        return polygons
    return as_array(shapely.buffer(shapely.buffer(polygons, -radius, join_style="mitre"),
                                   radius, join_style="mitre"))


def _deep_contact(rest: np.ndarray, outline: Outline, n: np.int64, gap_width: float,
                  reach: float = TOUCH, depth: float | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The pieces (positions in ``rest``) that run along at least two divisions' unmatched
    segments for ``depth`` (m; by default ``INLET_MIN_DEPTH × gap_width``) each, counting
    the segments within ``reach`` (m) of the piece; and for them, sorted by piece then
    division: the piece, the division and the contact length, m."""
    nothing = np.array([], dtype=np.int64)
    if not len(rest) or not len(outline.segments):
        return nothing, nothing, nothing, np.array([])
    depth = INLET_MIN_DEPTH * gap_width if depth is None else depth
    zones = shapely.buffer(rest, reach, quad_segs=2)
    zone_idx, seg_idx = shapely.STRtree(outline.segments).query(zones, predicate="intersects")
    if not len(zone_idx):
        return nothing, nothing, nothing, np.array([])
    # segments wholly inside their zone count whole (a prepared test); only those crossing
    # its edge are cut
    shapely.prepare(zones)
    segments = outline.segments[seg_idx]
    length = shapely.length(segments)
    cut = ~shapely.contains(zones[zone_idx], segments)
    if cut.any():
        length[cut] = shapely.length(overlay(shapely.intersection, segments[cut],
                                             zones[zone_idx[cut]]))
    keys, inverse = np.unique(zone_idx.astype(np.int64) * n + outline.owners[seg_idx],
                              return_inverse=True)
    contact = np.bincount(inverse.reshape(-1), weights=length, minlength=len(keys))
    zone, div = keys // n, keys % n
    deep = contact >= depth
    zone, div, contact = zone[deep], div[deep], contact[deep]
    kept = np.flatnonzero(np.bincount(zone, minlength=len(rest)) >= 2)
    sel = np.isin(zone, kept)
    return kept, zone[sel], div[sel], contact[sel]


@dataclass
class _Closing:
    """The closing of the layer's outline, cluster by cluster (:func:`_closing_rest`).

    ``pieces``: the parts of ``closed − grow(shape, TOUCH)``, the source (closed, shape) of
    each in ``source``; ``unchecked``: what GEOS could not close."""

    pieces: np.ndarray
    source: np.ndarray
    closed: list[BaseGeometry]
    shapes: list[BaseGeometry]
    unchecked: list[tuple[str, BaseGeometry]]

    def exact_around(self, pieces: np.ndarray, source: np.ndarray) -> np.ndarray:
        """The parts of ``opening(closed − shape, TOUCH)`` that overlap each of ``pieces``,
        each part once.

        Computed within each piece's bounding box grown by 10 × TOUCH (a piece is its exact
        part less a strip of TOUCH along the shape); where a part reaches the edge of its
        box, again in a box twice as large around it. The opening cuts the hairlines
        (numerical noise, nanometres wide) by which exact parts along nearly coincident
        borders hang together, chaining fillets at many corners into one part."""
        found = [np.array([], dtype=object)]
        for k in distinct(source):
            mine = pieces[source == k]
            b = shapely.bounds(mine)
            margin = 10 * TOUCH
            b = b + np.array([-margin, -margin, margin, margin])
            for _ in range(8):
                parts, which = self._opened_parts(k, b)
                hit = np.asarray(shapely.intersects(parts, mine[which]), dtype=bool)
                parts, which = parts[hit], which[hit]
                pb = shapely.bounds(parts)
                edge = ((pb[:, :2] - b[which, :2] < margin / 2) |
                        (b[which, 2:] - pb[:, 2:] < margin / 2)).any(axis=1)
                whole = np.ones(len(mine), dtype=bool)
                whole[which[edge]] = False
                found.append(parts[whole[which]])
                if whole.all():
                    break
                # again, in boxes twice as large, for the pieces whose parts were cut
                mine, b = mine[~whole], b[~whole]
                size = b[:, 2:] - b[:, :2]
                b = np.concatenate([b[:, :2] - size / 2, b[:, 2:] + size / 2], axis=1)
            else:
                found.append(parts[~whole[which]])
        out = np.concatenate(found)
        if not len(out):
            return out
        _, first = np.unique(shapely.to_wkb(shapely.normalize(out)), return_index=True)
        return out[np.sort(first)]

    def _opened_parts(self, k: int, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The Polygon parts of ``opening(closed − shape, TOUCH)`` of source ``k`` within each
        box (rows of xmin, ymin, xmax, ymax), and the box of each."""
        boxes = shapely.box(bounds[:, 0], bounds[:, 1], bounds[:, 2], bounds[:, 3])
        local = overlay(shapely.difference, overlay(shapely.intersection, self.closed[k], boxes),
                        overlay(shapely.intersection, self.shapes[k], boxes))
        parts, which = shapely.get_parts(_opening(as_array(local), TOUCH), return_index=True)
        polygon = shapely.get_type_id(parts) == 3
        return parts[polygon], which[polygon]


def _closing_rest(polygons: np.ndarray, radius: float) -> _Closing:
    """The closing of the union P of disjoint ``polygons`` (buffer out, then in, by
    ``radius``, m), and the parts of ``closing(P) − grow(P, TOUCH)``.

    Subtracting P grown by TOUCH (mitred) instead of P itself keeps the two boundaries of the
    overlay 1 mm apart, where the closing follows P within nanometres: on a scattered half of
    the Chinese counties, 12 s instead of 97 s for the eight largest clusters. The exact
    parts are computed later around the few candidates (:meth:`_Closing.exact_around`).

    Polygons more than ``2 × radius`` apart do not meet in the closing, so each cluster of
    nearer ones (:func:`clusters`) is closed alone, the clusters on both cores. On a GEOS
    topology error a cluster is retried snapped to :data:`~geonames.geometry.OVERLAY_GRID`,
    then polygon by polygon; a polygon that still fails is left unchecked (the GEOS message
    and a point inside it)."""

    def close(shape: BaseGeometry) -> tuple[BaseGeometry, BaseGeometry, BaseGeometry]:
        closed = shapely.buffer(shapely.buffer(shape, radius, quad_segs=16), -radius,
                                quad_segs=16)
        grown = shapely.buffer(shape, TOUCH, quad_segs=2, join_style="mitre")
        return shapely.difference(closed, grown), closed, shape

    def one_cluster(members: np.ndarray) -> tuple[list[tuple[BaseGeometry, BaseGeometry,
                                                             BaseGeometry]],
                                                  list[tuple[str, BaseGeometry]]]:
        shape = shapely.MultiPolygon(list(members))
        for grid in (None, OVERLAY_GRID):
            try:
                return [close(shape if grid is None
                              else shapely.set_precision(shape, grid))], []
            except shapely.errors.GEOSException:
                pass
        out, failed = [], []
        for member in members:
            try:
                out.append(close(member))
            except shapely.errors.GEOSException as err:
                failed.append((str(err).splitlines()[0], shapely.point_on_surface(member)))
        return out, failed

    polygons = as_array(polygons)
    groups = sorted(clusters(polygons, 2.0 * radius + TOUCH), key=len, reverse=True)
    result = _Closing(np.array([], dtype=object), np.array([], dtype=np.int64), [], [], [])
    pieces: list[np.ndarray] = [result.pieces]
    source: list[np.ndarray] = [result.source]
    for done, failed in run_parallel(one_cluster, [polygons[g] for g in groups]):
        for rest, closed, shape in done:
            parts = shapely.get_parts(rest)
            pieces.append(parts)
            source.append(np.full(len(parts), len(result.closed), dtype=np.int64))
            result.closed.append(closed)
            result.shapes.append(shape)
        result.unchecked += failed
    result.pieces, result.source = np.concatenate(pieces), np.concatenate(source)
    return result


def clusters(geometries: np.ndarray, distance: float) -> list[np.ndarray]:
    """The positions of the geometries in groups linked by distances up to ``distance``
    (single linkage: each geometry is within the distance of another of its group).

    >>> from shapely import box
    >>> [g.tolist() for g in clusters(np.array([box(0, 0, 1, 1), box(2, 0, 3, 1),
    ...                                          box(9, 0, 10, 1)]), 1.5)]
    [[0, 1], [2]]
    """
    geometries = as_array(geometries)
    i, j = within_distance(geometries, distance)
    label = np.arange(len(geometries))
    while True:  # each pass hands every pair the smaller label of the two
        low = np.minimum(label[i], label[j])
        before = label.copy()
        np.minimum.at(label, i, low)
        np.minimum.at(label, j, low)
        label = label[label]
        if np.array_equal(label, before):
            break
    order = np.argsort(label, kind="stable")
    cuts = np.flatnonzero(np.diff(label[order])) + 1
    return np.split(order, cuts)


@dataclass
class Slivers:
    """Thin polygon parts: the division position of each, the part, width m, area m² and
    Polsby–Popper score (4πA/P², 1 for a disc)."""

    owner: np.ndarray
    geometries: np.ndarray
    widths: np.ndarray
    areas: np.ndarray
    polsby_popper: np.ndarray

    def __len__(self) -> int:
        return len(self.owner)


def find_slivers(
    geometries: np.ndarray,
    max_width: float,
    max_polsby_popper: float = SLIVER_POLSBY_POPPER,
    min_area: float = DEFAULT_MIN_AREA,
) -> Slivers:
    """Thin polygon parts of divisions: narrower than ``max_width`` (m) and elongated
    (Polsby–Popper score 4πA/P² below ``max_polsby_popper``), or narrower than ``max_width``
    and smaller than ``min_area`` (m²: specks, such as those a repair leaves).

    A small compact part (an islet 30 m across) is not a sliver. Width is 2 × the radius of
    the part's maximum inscribed circle. It is computed only for parts that can be that thin:
    a part with area A, perimeter P and h holes has an inscribed radius of at least the root r
    of ``A = P·r + π(h−1)·r²`` (every point of it lies within r of its boundary), so parts with
    ``r ≥ max_width / 2`` are skipped without computing.

    >>> from shapely import box
    >>> parts = np.array([box(0, 0, 1000, 1000), box(0, 0, 1000, 3), box(0, 0, 8, 8)])
    >>> found = find_slivers(parts, 10.0)
    >>> found.owner.tolist(), found.widths.round(3).tolist()
    ([1], [3.0])
    """
    geoms = np.asarray(geometries, dtype=object)
    ok = ~shapely.is_missing(geoms)
    parts, owner = shapely.get_parts(geoms[ok], return_index=True)
    owner = np.flatnonzero(ok)[owner]
    polys = shapely.get_type_id(parts) == 3
    parts, owner = parts[polys], owner[polys]
    area, perimeter = shapely.area(parts), shapely.length(parts)
    holes = shapely.get_num_interior_rings(parts)
    with np.errstate(divide="ignore", invalid="ignore"):
        pp = np.where(perimeter > 0, 4 * np.pi * area / perimeter ** 2, 0.0)
    shape_ok = (pp < max_polsby_popper) | (area < min_area)
    bound = _inradius_lower_bound(area, perimeter, holes)
    cand = np.flatnonzero(shape_ok & (bound < max_width / 2.0) & (area > 0))
    if not len(cand):
        empty = np.array([], dtype=np.int64)
        return Slivers(empty, np.array([], dtype=object), np.array([]), np.array([]),
                       np.array([]))
    w = widths(parts[cand])
    thin = w < max_width
    k = cand[thin]
    return Slivers(owner[k], parts[k], w[thin], area[k], pp[k])


def _inradius_lower_bound(area: np.ndarray, perimeter: np.ndarray,
                          holes: np.ndarray) -> np.ndarray:
    """Smallest inscribed radius a polygon of this area, perimeter and hole count can have."""
    with np.errstate(divide="ignore", invalid="ignore"):
        simple = area / np.maximum(perimeter, 1e-12)
        c = np.pi * (holes - 1.0)
        quad = (-perimeter + np.sqrt(perimeter ** 2 + 4 * c * area)) / (2 * c)
    return np.where(holes <= 1, simple, quad)


# --------------------------------------------------------------------------------------------
# Exceptions


def apply_exceptions(
    findings: Iterable[Finding],
    exceptions: Sequence[ApprovedException],
    tolerance: float = DEFAULT_EXCEPTION_TOLERANCE,
) -> list[Finding]:
    """Mark the findings that an approved exception matches as excepted.

    A finding matches an exception when each of the exception's ``code``, ``ids`` and
    ``geometry`` that is set matches: the same code; the same set of ids; the finding's
    geometry within the exception's geometry widened by ``tolerance`` (m). An exception with
    none of the three set matches nothing.

    >>> from shapely import box
    >>> f = Finding("coverage.gap", Severity.ERROR, "a,b", "gap", geometry=box(0, 0, 1, 1))
    >>> ok = ApprovedException(code="coverage.gap", geometry=box(0, 0, 2, 2))
    >>> apply_exceptions([f], [ok])[0].excepted
    True
    """
    findings = list(findings)
    usable = [e for e in exceptions if e.code or e.ids or e.geometry is not None]
    if not usable:
        return findings
    zones = [None if e.geometry is None else shapely.buffer(e.geometry, tolerance)
             for e in usable]
    shapely.prepare([z for z in zones if z is not None])
    out = []
    for f in findings:
        if not f.excepted and any(_matches(f, e, z) for e, z in zip(usable, zones, strict=True)):
            f = f.excepting()
        out.append(f)
    return out


def _matches(finding: Finding, exception: ApprovedException, zone: BaseGeometry | None) -> bool:
    if exception.code and exception.code != finding.code:
        return False
    if exception.ids and frozenset(finding.ids) != exception.ids:
        return False
    if zone is not None:
        if finding.geometry is None or finding.geometry.is_empty:
            return False
        return bool(shapely.covers(zone, finding.geometry))
    return True


# --------------------------------------------------------------------------------------------
# Findings


def _label(ids: np.ndarray, names: np.ndarray, k: int) -> str:
    return f"{ids[k]} {names[k]}".strip()


def _invalid_findings(fixed: Repair, ids: np.ndarray, names: np.ndarray) -> list[Finding]:
    out = []
    for k in np.flatnonzero(fixed.invalid):
        reason = str(fixed.reasons[k])
        kind = reason.split("[")[0] or "invalid geometry"
        out.append(Finding(
            "geometry.invalid", SEVERITY["geometry.invalid"], str(ids[k]),
            f"{_label(ids, names, int(k))}: {kind}; repaired ({fixed.methods[k]}) and the repair "
            "used from here on",
            geometry=fixed.locations[k],
            details={"reason": reason, "repair": str(fixed.methods[k])}))
    return out


def _unclosed_findings(unclosed: Sequence[int], fixed: Repair, geoms: np.ndarray,
                       ids: np.ndarray, names: np.ndarray) -> list[Finding]:
    out = []
    for k in unclosed:
        if fixed.invalid[k]:
            continue  # already a geometry.invalid finding
        g = geoms[k]
        where = None if g is None or g.is_empty else shapely.get_point(g.exterior, 0) \
            if g.geom_type == "Polygon" else shapely.get_point(g.geoms[0].exterior, 0)
        out.append(Finding(
            "geometry.invalid", SEVERITY["geometry.invalid"], str(ids[k]),
            f"{_label(ids, names, int(k))}: a ring does not close (its last point is not its first); "
            "closed with a straight segment and used from here on",
            geometry=where, details={"reason": "ring not closed", "repair": "closed"}))
    return out


def _empty_findings(present: np.ndarray, fixed: Repair, ids: np.ndarray,
                    names: np.ndarray) -> list[Finding]:
    out = []
    for k in np.flatnonzero(~present):
        if fixed.geometries[k] is None:
            why = "has no geometry"
        elif fixed.invalid[k]:
            why = "has nothing polygonal left after repair"
        else:
            why = "has no polygonal geometry"
        out.append(Finding("division.empty", SEVERITY["division.empty"], str(ids[k]),
                           f"{_label(ids, names, int(k))} {why}"))
    return out


def _duplicate_findings(ids: np.ndarray, names: np.ndarray, geoms: np.ndarray) -> list[Finding]:
    values, inverse, counts = np.unique(ids.astype(str), return_inverse=True,
                                        return_counts=True)
    out = []
    for v in np.flatnonzero(counts > 1):
        rows = np.flatnonzero(inverse == v)
        parts = shapely.get_parts(geoms[rows][~shapely.is_missing(geoms[rows])])
        parts = parts[shapely.get_type_id(parts) == 3]
        shown = ", ".join(sorted({str(names[r]) for r in rows if names[r]})) or "no name"
        out.append(Finding(
            "division.duplicate_id", SEVERITY["division.duplicate_id"], str(values[v]),
            f"id {values[v]} is used by {len(rows)} divisions ({shown}; rows "
            f"{', '.join(str(r + 1) for r in rows)})",
            value=float(len(rows)), unit="",
            geometry=shapely.multipolygons(parts) if len(parts) else None,
            details={"rows": [int(r) + 1 for r in rows]}))
    return out


def division_columns(geometries, ids, names=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Geometries, ids and names as object arrays of equal length (ids as str, names ""
    where missing); shared by the checks that take divisions as parallel sequences."""
    geoms = np.asarray(geometries, dtype=object)
    ids = np.asarray([str(i) for i in ids], dtype=object)
    names = (np.asarray(["" if n is None else str(n) for n in names], dtype=object)
             if names is not None else np.full(len(ids), "", dtype=object))
    if not (len(geoms) == len(ids) == len(names)):
        raise ValueError("geometries, ids and names differ in length")
    return geoms, ids, names


def _overlap_findings(overlaps: Overlaps, ids, names, min_area: float) -> list[Finding]:
    out = []
    for a, b, geom, area, parts in zip(overlaps.first, overlaps.second, overlaps.geometries,
                                       overlaps.areas, overlaps.parts, strict=True):
        out.append(Finding(
            "coverage.overlap", SEVERITY["coverage.overlap"],
            subject_of(sorted([ids[a], ids[b]])),
            f"{_label(ids, names, a)} and {_label(ids, names, b)} overlap by {_num(area)} m²"
            + (f" in {parts} places" if parts > 1 else ""),
            value=float(area), limit=min_area, unit="m2", geometry=geom,
            details={"parts": int(parts)}))
    return out


def _gap_findings(gaps: Gaps, ids, names, min_area: float) -> list[Finding]:
    out = []
    for geom, area, width, around in zip(gaps.geometries, gaps.areas, gaps.widths,
                                         gaps.around, strict=True):
        order = np.argsort(ids[around].astype(str), kind="stable")
        around = around[order]
        who = ", ".join(_label(ids, names, int(k)) for k in around[:6])
        more = f" and {len(around) - 6} more" if len(around) > 6 else ""
        out.append(Finding(
            "coverage.gap", SEVERITY["coverage.gap"], subject_of(ids[around]),
            f"gap of {_num(area)} m², {_num(width)} m wide, enclosed by {who}{more}",
            value=float(area), limit=min_area, unit="m2", geometry=geom,
            details={"width_m": round(float(width), 3)}))
    return out


def _inlet_findings(inlets: Inlets, ids, names, gap_width: float) -> list[Finding]:
    out = []
    for geom, area, width, along, contact in zip(
            inlets.geometries, inlets.areas, inlets.widths, inlets.along, inlets.contact,
            strict=True):
        order = np.argsort(ids[along].astype(str), kind="stable")
        along, contact = along[order], contact[order]
        who = " and ".join(_label(ids, names, int(k)) for k in along)
        out.append(Finding(
            "coverage.gap_open", SEVERITY["coverage.gap_open"], subject_of(ids[along]),
            f"inlet {_num(width)} m wide and {_num(area)} m² open to the outer edge between "
            f"{who}", value=float(width), limit=gap_width, unit="m", geometry=geom,
            details={"area_m2": round(float(area), 3),
                     "depth_m": round(float(np.max(contact)), 3)}))
    return out


def _sliver_findings(slivers: Slivers, ids, names, max_width: float) -> list[Finding]:
    out = []
    for k, geom, width, area, pp in zip(slivers.owner, slivers.geometries, slivers.widths,
                                        slivers.areas, slivers.polsby_popper, strict=True):
        out.append(Finding(
            "coverage.sliver", SEVERITY["coverage.sliver"], str(ids[k]),
            f"{_label(ids, names, int(k))} has a part only {_num(width)} m wide "
            f"({_num(area)} m², Polsby–Popper {pp:.2g})",
            value=float(width), limit=max_width, unit="m", geometry=geom,
            details={"area_m2": round(float(area), 3),
                     "polsby_popper": round(float(pp), 4)}))
    return out


def _mismatch_findings(geoms, edges, flagged, explained, ids, names, tree,
                       reach: float) -> list[Finding]:
    """Invalid edges that no reported overlap, gap or inlet explains, per pair of divisions.

    :func:`shapely.coverage_invalid_edges` returns whole segments: a segment is explained
    when a stretch of it (not just an end) lies on an explained polygon's boundary.
    """
    owners = np.flatnonzero(flagged)
    if not len(owners):
        return []
    segments, owner = _segments(edges[owners])
    owner = owners[owner]
    if len(explained) and len(segments):
        zones = shapely.buffer(explained, TOUCH, quad_segs=2)
        seg_idx, zone_idx = shapely.STRtree(zones).query(segments, predicate="intersects")
        shared = shapely.length(overlay(shapely.intersection, segments[seg_idx],
                                        zones[zone_idx]))
        keep = np.ones(len(segments), dtype=bool)
        keep[seg_idx[shared > 3 * TOUCH]] = False
        segments, owner = segments[keep], owner[keep]
    if not len(segments):
        return []
    # merge each division's remaining segments into stretches
    merged = shapely.line_merge(as_array(shapely.multilinestrings(
        segments, indices=np.unique(owner, return_inverse=True)[1])))
    parts, index = shapely.get_parts(merged, return_index=True)
    owner = distinct(owner)[index]
    length = shapely.length(parts)
    # the neighbour is the other division nearest to the middle of each stretch
    mid = shapely.line_interpolate_point(parts, 0.5, normalized=True)
    p_idx, d_idx = tree.query(mid, predicate="dwithin", distance=reach)
    other = d_idx != owner[p_idx]
    p_idx, d_idx = p_idx[other], d_idx[other]
    dist = shapely.distance(mid[p_idx], geoms[d_idx])
    neighbour = np.full(len(parts), -1)
    order = np.argsort(-dist)  # nearest written last
    neighbour[p_idx[order]] = d_idx[order]
    a = np.where(neighbour < 0, owner, np.minimum(owner, neighbour))
    b = np.where(neighbour < 0, -1, np.maximum(owner, neighbour))
    pairs, inverse = np.unique(np.column_stack([a, b]), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    first, second = pairs[:, 0], pairs[:, 1]
    side = np.where(owner == first[inverse], 0, 1)
    value = np.bincount(inverse * 2 + side, weights=length,
                        minlength=2 * len(pairs)).reshape(-1, 2).max(axis=1)
    pieces = np.bincount(inverse, minlength=len(pairs))
    order = np.argsort(inverse, kind="stable")
    stretches = as_array(shapely.multilinestrings(parts[order], indices=inverse[order]))
    # the value that carries the meaning: how far apart the two sides get (the largest
    # distance of a vertex of either side's stretch from the other side's boundary)
    offset = np.full(len(pairs), np.nan)
    paired = np.flatnonzero(second[inverse] >= 0)
    if len(paired):
        other = np.where(side[paired] == 0, second[inverse[paired]], first[inverse[paired]])
        xy, k = shapely.get_coordinates(parts[paired], return_index=True)
        divisions, at = np.unique(other, return_inverse=True)
        boundaries = as_array(shapely.boundary(geoms[divisions]))
        far = shapely.distance(as_array(shapely.points(xy)), boundaries[at.reshape(-1)[k]])
        np.fmax.at(offset, inverse[paired][k], far)
    out = []
    for g, (i, j) in enumerate(pairs):
        if j < 0:
            subject, who, said = str(ids[i]), _label(ids, names, i), ""
            measured = None
        else:
            subject = subject_of(sorted([ids[i], ids[j]]))
            who = f"{_label(ids, names, i)} and {_label(ids, names, j)}"
            measured = float(offset[g])
            said = f"largest offset {_offset_text(measured)}, "
        out.append(Finding(
            "coverage.edge_mismatch", SEVERITY["coverage.edge_mismatch"], subject,
            f"the vertices of {who} do not match ({said}along {_num(value[g])} m of border)",
            value=measured, unit="m", geometry=stretches[g],
            details={"pieces": int(pieces[g]), "length_m": round(float(value[g]), 3),
                     "max_offset_m": round(measured, 6) if measured is not None else None}))
    return out


def _offset_text(metres: float) -> str:
    """``0.0005`` → ``"0.5 mm"``, ``0.12`` → ``"12 cm"``, ``3.4`` → ``"3.40 m"``."""
    if metres < 0.01:
        return f"{metres * 1000:.2g} mm"
    if metres < 1:
        return f"{metres * 100:.3g} cm"
    return f"{metres:,.2f} m"


def _segments(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every segment of the lines as a 2-point LineString, and the index of its line."""
    parts, index = shapely.get_parts(np.asarray(lines, dtype=object), return_index=True)
    parts, index = parts[shapely.get_type_id(parts) == 1], index[shapely.get_type_id(parts) == 1]
    xy, part = shapely.get_coordinates(parts, return_index=True)
    same = part[1:] == part[:-1]
    start = np.flatnonzero(same)
    coords = np.stack([xy[start], xy[start + 1]], axis=1)
    segments = shapely.linestrings(coords)
    return as_array(segments), index[part[start]]




def _num(value: float) -> str:
    """A measure for a message: 1,234.5 above 1, two significant digits below."""
    value = float(value)
    return f"{value:,.1f}" if abs(value) >= 1 else f"{value:.2g}"


