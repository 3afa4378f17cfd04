"""Changes between two rounds (vintages) of divisions or boundary lines.

Two questions, answered separately:

* **Division events** (:func:`division_events`), from the area-overlap matrix and the codes.
  Old division *i* is linked to new division *j* when their overlap holds at least ``min_share``
  (default half) of *i*'s area or of *j*'s area. The connected groups of linked divisions are
  the events: one old and one new with the same code and name is no change; same code and a new
  name is ``change.renamed``; a new code is ``change.recoded``; several old and one new is
  ``change.merged``; one old and several new ``change.split``; several of each
  ``change.reorganised``; an old division linked to nothing ``change.removed``, a new one
  ``change.added``. Subjects are written ``OLD_IDS->NEW_IDS``, ids sorted
  (``500110,500222->500110``).
* **Moved borders** (:func:`border_offsets`): the borders of each round (the outlines of the
  event groups, so that a border that disappeared in a merge is not a move) are sampled, and each
  sample's distance to the other round's borders is its *offset*. Stretches farther than the
  tolerance are ``change.line_moved`` (with the stretch and its largest offset); everything
  within the tolerance is re-digitisation and is only counted. The distribution of offsets is
  returned so a user can see where noise ends.

With no tolerance given, it is the *resolution of the coarser round* (:func:`resolution`): the
length-weighted median length of the straight segments of its borders (half of its border
length is drawn with segments at least this long). A border drawn with vertices *S* metres
apart cannot place the line better than about *S* between them, so offsets below that are
digitisation, not change. For the two ECharts vintages of Chongqing it is 3,227 m, set by the
2.2.8 data (median vertex spacing 2.2 km); every border offset between them is below it (the
largest is 2,817 m).

All geometries are in one metric CRS; lengths in metres, areas in m².
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geonames.boundaries.stretches import (
    NetworkDistance,
    Samples,
    Stretch,
    merge_sides,
    sample_lines,
    segments,
    stretches_from_samples,
)
from geonames.findings import Finding, Ids, Severity
from geonames.geometry import repair

#: Default share of a division's area an overlap must hold to link an old and a new division.
MIN_SHARE = 0.5
#: Most samples taken along the borders of one round; the step grows to stay under it.
MAX_SAMPLES = 2_000_000
#: Percentiles of the offsets reported.
PERCENTILES = (50.0, 75.0, 90.0, 95.0, 99.0, 99.9)

EVENT_CODES = ("change.added", "change.removed", "change.merged", "change.split",
               "change.renamed", "change.recoded", "change.reorganised")


@dataclass(frozen=True)
class DivisionEvent:
    """One group of linked old and new divisions, and what happened to it.

    ``kind`` is ``"unchanged"`` or a change code without its prefix (``"merged"`` …).
    Areas in m².
    """

    kind: str
    old_ids: tuple[str, ...]
    new_ids: tuple[str, ...]
    old_names: tuple[str, ...]
    new_names: tuple[str, ...]
    old_area: float
    new_area: float
    overlap: float
    old_geometry: BaseGeometry | None
    new_geometry: BaseGeometry | None

    @property
    def subject(self) -> str:
        """``OLD_IDS->NEW_IDS``, ids sorted."""
        return f"{','.join(sorted(self.old_ids))}->{','.join(sorted(self.new_ids))}"

    @property
    def area_change(self) -> float:
        """New area minus old area, m²."""
        return self.new_area - self.old_area

    @property
    def area_change_pct(self) -> float | None:
        """Area change as a percentage of the old area (None when there was none)."""
        return 100.0 * self.area_change / self.old_area if self.old_area else None


@dataclass
class BorderOffsets:
    """Offsets between the borders of two rounds.

    Attributes
    ----------
    tolerance : float
        Metres; stretches beyond it are moves.
    tolerance_source : str
        How the tolerance was set (given, or derived from the data).
    step : float
        Sampling step along the borders, metres.
    new_samples, old_samples : Samples
        Samples along the new (old) borders with their offsets to the other round.
    stretches : list of (side, Stretch)
        Stretches beyond the tolerance, ``side`` ``"new"`` or ``"old"``; a move seen from both
        sides is kept once, on the new side, with the larger offset
        (:func:`~geonames.boundaries.stretches.merge_sides`).
    new_lines, old_lines : arrays of LineStrings
        The border networks compared.
    resolution : dict
        Median segment length of each round's borders, metres (``{"old": …, "new": …}``).
    """

    tolerance: float
    tolerance_source: str
    step: float
    new_samples: Samples
    old_samples: Samples
    stretches: list[tuple[str, Stretch]]
    new_lines: np.ndarray
    old_lines: np.ndarray
    resolution: dict[str, float] = field(default_factory=dict)

    def offsets(self) -> tuple[np.ndarray, np.ndarray]:
        """All offsets (both directions) and the border length each stands for (metres)."""
        return (np.concatenate([self.new_samples.offset, self.old_samples.offset]),
                np.concatenate([self.new_samples.weight, self.old_samples.weight]))

    def percentiles(self) -> dict[str, float]:
        """Length-weighted percentiles of the offsets and the maximum, metres."""
        values, weights = self.offsets()
        out = {f"p{p:g}": weighted_percentile(values, weights, p) for p in PERCENTILES}
        out["max"] = float(values.max()) if len(values) else 0.0
        return out

    def histogram(self) -> list[tuple[float, float, float]]:
        """Border length per offset bin: ``(from_m, to_m, length_m)`` on a 1–2–5 scale."""
        values, weights = self.offsets()
        edges = offset_bins(float(values.max()) if len(values) else 0.0)
        counts, _ = np.histogram(values, bins=edges, weights=weights)
        return [(float(a), float(b), float(c))
                for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)]

    def within(self) -> tuple[float, float]:
        """Border length within and beyond the tolerance, metres (both directions summed)."""
        values, weights = self.offsets()
        inside = values <= self.tolerance
        return float(weights[inside].sum()), float(weights[~inside].sum())


def overlap_matrix(old: np.ndarray, new: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (old position, new position) of intersecting polygons and their overlap area, m².

    Pairs with zero overlap (touching only) are left out.
    """
    tree = shapely.STRtree(new)
    i, j = tree.query(old, predicate="intersects")
    area = shapely.area(shapely.intersection(old[i], new[j]))
    keep = area > 0
    return i[keep], j[keep], area[keep]


def division_events(
    old_ids: Ids, old_names: Ids, old_geometries: np.ndarray,
    new_ids: Ids, new_names: Ids, new_geometries: np.ndarray,
    min_share: float = MIN_SHARE,
) -> list[DivisionEvent]:
    """Group old and new divisions by area overlap and classify each group.

    Parameters
    ----------
    old_ids, old_names, old_geometries
        The earlier round (valid polygons, metric CRS).
    new_ids, new_names, new_geometries
        The later round.
    min_share : float
        An overlap links two divisions when it holds at least this share of either one's area.

    Returns
    -------
    list of DivisionEvent, one per group (unchanged ones included, ``kind="unchanged"``),
    ordered by their subject.

    Examples
    --------
    >>> from shapely import box
    >>> old = np.array([box(0, 0, 1, 1), box(1, 0, 2, 1)]); new = np.array([box(0, 0, 2, 1)])
    >>> [(e.kind, e.subject) for e in division_events(["a", "b"], ["A", "B"], old,
    ...                                               ["a"], ["A"], new)]
    [('merged', 'a,b->a')]
    """
    old_geometries = np.asarray(old_geometries, dtype=object)
    new_geometries = np.asarray(new_geometries, dtype=object)
    n_old = len(old_geometries)
    old_area = np.nan_to_num(shapely.area(old_geometries))
    new_area = np.nan_to_num(shapely.area(new_geometries))
    i, j, area = overlap_matrix(old_geometries, new_geometries)
    linked = (area >= min_share * old_area[i]) | (area >= min_share * new_area[j])
    parent = list(range(n_old + len(new_geometries)))

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, b in zip(i[linked], j[linked], strict=True):
        ra, rb = find(int(a)), find(n_old + int(b))
        if ra != rb:
            parent[rb] = ra
    groups: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for k in range(n_old + len(new_geometries)):
        members = groups[find(k)]
        (members[0] if k < n_old else members[1]).append(k if k < n_old else k - n_old)
    overlap_of: dict[tuple[int, int], float] = {
        (int(a), int(b)): float(v) for a, b, v in zip(i, j, area, strict=True)}
    events = []
    for olds, news in groups.values():
        kind = _kind([str(old_ids[k]) for k in olds], [str(old_names[k]) for k in olds],
                     [str(new_ids[k]) for k in news], [str(new_names[k]) for k in news])
        events.append(DivisionEvent(
            kind=kind,
            old_ids=tuple(sorted(str(old_ids[k]) for k in olds)),
            new_ids=tuple(sorted(str(new_ids[k]) for k in news)),
            old_names=tuple(str(old_names[k]) for k in sorted(olds, key=lambda k: old_ids[k])),
            new_names=tuple(str(new_names[k]) for k in sorted(news, key=lambda k: new_ids[k])),
            old_area=float(old_area[olds].sum()),
            new_area=float(new_area[news].sum()),
            overlap=sum(overlap_of.get((a, b), 0.0) for a in olds for b in news),
            old_geometry=_union(old_geometries[olds]),
            new_geometry=_union(new_geometries[news]),
        ))
    return sorted(events, key=lambda e: e.subject)


def _kind(old_ids: list[str], old_names: list[str], new_ids: list[str],
          new_names: list[str]) -> str:
    if not new_ids:
        return "removed"
    if not old_ids:
        return "added"
    if len(old_ids) == 1 and len(new_ids) == 1:
        if old_ids[0] != new_ids[0]:
            return "recoded"
        return "unchanged" if old_names[0] == new_names[0] else "renamed"
    if len(new_ids) == 1:
        return "merged"
    if len(old_ids) == 1:
        return "split"
    return "reorganised"


def _union(geometries: np.ndarray) -> BaseGeometry | None:
    if not len(geometries):
        return None
    if len(geometries) == 1:
        return geometries[0]
    return shapely.union_all(geometries)


def event_findings(events: Sequence[DivisionEvent]) -> list[Finding]:
    """One finding per event that is a change (``unchanged`` groups give none).

    Severity warning: a change to be confirmed against a recorded decision. ``value`` is the
    area change in m².
    """
    findings = []
    for e in events:
        if e.kind == "unchanged":
            continue
        old = " + ".join(f"{n} {i}" for i, n in zip(e.old_ids, e.old_names, strict=True))
        new = " + ".join(f"{n} {i}" for i, n in zip(e.new_ids, e.new_names, strict=True))
        message = {
            "added": f"new division {new}, not found in the old round",
            "removed": f"division {old} is not in the new round",
            "merged": f"{old} merged into {new}",
            "split": f"{old} split into {new}",
            "renamed": f"{old} renamed {' + '.join(e.new_names)}",
            "recoded": f"{old} recoded as {new}",
            "reorganised": f"{old} reorganised into {new}",
        }[e.kind]
        pct = e.area_change_pct
        if pct is not None and e.kind not in ("removed",):
            message += f" (area {pct:+.1f}%)"
        findings.append(Finding(
            code=f"change.{e.kind}", severity=Severity.WARNING, subject=e.subject,
            message=message, value=e.area_change, unit="m2",
            geometry=e.new_geometry if e.new_geometry is not None else e.old_geometry,
            details={"old_ids": list(e.old_ids), "new_ids": list(e.new_ids),
                     "old_names": list(e.old_names), "new_names": list(e.new_names),
                     "old_area_m2": round(e.old_area, 1), "new_area_m2": round(e.new_area, 1),
                     "area_change_pct": None if pct is None else round(pct, 3)}))
    return findings


def event_outlines(events: Sequence[DivisionEvent], side: str,
                   all_geometries: np.ndarray) -> np.ndarray:
    """Outlines (boundaries) of each event group on one side (``"old"`` or ``"new"``).

    Groups of several divisions are dissolved first, so borders between them (gone in a
    merge, new in a split) are not compared. Holes of a dissolved group that no other division
    of the round fills are digitising slivers between its members and are dropped.
    """
    geoms = [e.old_geometry if side == "old" else e.new_geometry for e in events]
    sizes = [len(e.old_ids if side == "old" else e.new_ids) for e in events]
    others = shapely.STRtree(np.asarray(all_geometries, dtype=object))
    out = []
    for geom, size in zip(geoms, sizes, strict=True):
        if geom is None:
            continue
        if size > 1:
            geom = _drop_slivers(geom, others, np.asarray(all_geometries, dtype=object))
        out.append(shapely.boundary(geom))
    return np.asarray(out, dtype=object)


def _drop_slivers(geom: BaseGeometry, tree: shapely.STRtree, all_geoms: np.ndarray):
    polys = []
    for poly in shapely.get_parts(geom):
        holes = []
        for ring in poly.interiors:
            hole = shapely.Polygon(ring)
            hits = tree.query(hole, predicate="intersects")
            filled = shapely.area(shapely.intersection(all_geoms[hits], hole)).sum() \
                if len(hits) else 0.0
            if filled >= 0.5 * hole.area:
                holes.append(ring)
        polys.append(shapely.Polygon(poly.exterior, holes))
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def border_network(outlines: np.ndarray) -> np.ndarray:
    """The distinct border lines of a set of outlines, each shared stretch once.

    Returns an array of LineStrings (the merged parts of the union of the outlines).
    """
    outlines = np.asarray(outlines, dtype=object)
    if not len(outlines):
        return np.empty(0, dtype=object)
    merged = shapely.line_merge(shapely.union_all(outlines))
    parts = shapely.get_parts(merged)
    return parts[shapely.get_type_id(parts) == 1]


def resolution(lines: np.ndarray) -> float:
    """The digitising resolution of lines: length-weighted median segment length, metres.

    Half of the lines' length is drawn with straight segments at least this long.

    >>> from shapely import LineString
    >>> resolution(np.array([LineString([(0, 0), (10, 0), (20, 0), (100, 0)])]))
    80.0
    """
    lengths = shapely.length(segments(lines))
    return weighted_percentile(lengths, lengths, 50.0) if len(lengths) else 0.0


def border_offsets(
    old_lines: np.ndarray,
    new_lines: np.ndarray,
    tolerance: float | None = None,
    step: float | None = None,
) -> BorderOffsets:
    """Offsets between two rounds' border networks, and the stretches beyond the tolerance.

    Parameters
    ----------
    old_lines, new_lines : arrays of LineStrings
        The borders of each round (metric CRS), e.g. from :func:`border_network`.
    tolerance : float, optional
        Metres. Default: the resolution of the coarser round (:func:`resolution`).
    step : float, optional
        Sampling step, metres. Default: half the smaller of the tolerance and the finer
        round's resolution, coarsened if needed to stay under :data:`MAX_SAMPLES`.

    Examples
    --------
    >>> from shapely import LineString
    >>> old = np.array([LineString([(0, 0), (1000, 0)])])
    >>> new = np.array([LineString([(0, 0), (400, 0), (500, 300), (600, 0), (1000, 0)])])
    >>> moved = border_offsets(old, new, tolerance=100.0, step=10.0).stretches
    >>> [(side, round(s.max_offset)) for side, s in moved]
    [('new', 300)]
    """
    old_lines = np.asarray(old_lines, dtype=object)
    new_lines = np.asarray(new_lines, dtype=object)
    res = {"old": resolution(old_lines), "new": resolution(new_lines)}
    if tolerance is None:
        coarser = "old" if res["old"] >= res["new"] else "new"
        tolerance = res[coarser]
        source = (f"auto: resolution of the coarser ({coarser}) round, the length-weighted "
                  f"median length of its border segments ({tolerance:,.0f} m)")
    else:
        source = "given"
    if tolerance <= 0:
        raise ValueError("tolerance must be positive")
    if step is None:
        finer = min(v for v in res.values() if v > 0) if any(res.values()) else tolerance
        step = max(min(tolerance, finer) / 2.0, 0.01)
        total = float(max(shapely.length(old_lines).sum(), shapely.length(new_lines).sum()))
        step = max(step, total / MAX_SAMPLES)
    new_s = sample_lines(new_lines, step)
    old_s = sample_lines(old_lines, step)
    to_old = NetworkDistance(old_lines)
    to_new = NetworkDistance(new_lines)
    new_s.offset = to_old.distance(new_s.points)
    old_s.offset = to_new.distance(old_s.points)
    new_st = stretches_from_samples(new_lines, new_s, tolerance, step)
    old_st = stretches_from_samples(old_lines, old_s, tolerance, step)
    stretches = [("new" if side == "first" else "old", s)
                 for side, s in merge_sides(new_st, old_st, step)]
    return BorderOffsets(tolerance, source, step, new_s, old_s, stretches, new_lines,
                         old_lines, res)


def moved_findings(
    offsets: BorderOffsets,
    old_ids: Ids, old_edges: np.ndarray,
    new_ids: Ids, new_edges: np.ndarray,
) -> list[Finding]:
    """``change.line_moved`` for each stretch beyond the tolerance.

    The subject names what runs along the stretch in each round, ``OLD_IDS->NEW_IDS``: the
    ids of the ``old_edges`` (division outlines, or lines) through the nearest point of the old
    round's borders, and likewise for the new round, at the stretch's farthest point.
    """
    if not offsets.stretches:
        return []
    old_edges = np.asarray(old_edges, dtype=object)
    new_edges = np.asarray(new_edges, dtype=object)
    to_old = NetworkDistance(offsets.old_lines)
    to_new = NetworkDistance(offsets.new_lines)
    findings = []
    for side, s in offsets.stretches:
        other = (to_old if side == "new" else to_new).nearest_points(np.array([s.worst]))[0]
        new_pt, old_pt = (s.worst, other) if side == "new" else (other, s.worst)
        olds = _ids_along(old_pt, old_edges, old_ids)
        news = _ids_along(new_pt, new_edges, new_ids)
        subject = f"{','.join(olds)}->{','.join(news)}"
        findings.append(Finding(
            code="change.line_moved", severity=Severity.WARNING, subject=subject,
            message=(f"border moved up to {s.max_offset:,.0f} m (mean {s.mean_offset:,.0f} m) "
                     f"over {s.length:,.0f} m of the {side} round's border"),
            value=s.max_offset, limit=offsets.tolerance, unit="m", geometry=s.geometry,
            details={"side": side, "length_m": round(s.length, 1),
                     "mean_offset_m": round(s.mean_offset, 1)}))
    return findings


def _ids_along(point: BaseGeometry, edges: np.ndarray, ids: Ids,
               within: float = 0.5) -> list[str]:
    if not len(edges):
        return []
    d = shapely.distance(edges, point)
    near = np.flatnonzero(d <= max(within, float(np.min(d)) + within))
    return sorted({str(ids[int(k)]) for k in near})


def weighted_percentile(values: np.ndarray, weights: np.ndarray, percent: float) -> float:
    """The value below which ``percent`` % of the total weight lies."""
    if not len(values):
        return 0.0
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    if cum[-1] <= 0:
        return float(np.percentile(values, percent))
    k = int(np.searchsorted(cum, percent / 100.0 * cum[-1]))
    return float(values[order][min(k, len(values) - 1)])


def offset_bins(maximum: float) -> np.ndarray:
    """Bin edges 0, then a 1–2–5 series (metres) up to just beyond ``maximum``."""
    edges = [0.0]
    scale = 0.1
    while True:
        for f in (1, 2, 5):
            edge = f * scale
            edges.append(edge)
            if edge > maximum:
                return np.array(edges)
        scale *= 10


@dataclass
class ChangeResult:
    """What :func:`compare_divisions` found."""

    events: list[DivisionEvent]
    offsets: BorderOffsets
    findings: list[Finding]


def compare_divisions(
    old_ids: Ids, old_names: Ids, old_geometries: np.ndarray,
    new_ids: Ids, new_names: Ids, new_geometries: np.ndarray,
    tolerance: float | None = None,
    min_share: float = MIN_SHARE,
    step: float | None = None,
) -> ChangeResult:
    """Division events and moved borders between two rounds of divisions.

    Geometries must be in one metric CRS; they are repaired first
    (:func:`geonames.geometry.repair`, polygonal parts only).
    ``tolerance`` (metres) separates border moves from re-digitisation, see
    :func:`border_offsets`.
    """
    old_geometries = repair(old_geometries).geometries
    new_geometries = repair(new_geometries).geometries
    events = division_events(old_ids, old_names, old_geometries, new_ids, new_names,
                             new_geometries, min_share=min_share)
    old_lines = border_network(event_outlines(events, "old", old_geometries))
    new_lines = border_network(event_outlines(events, "new", new_geometries))
    offsets = border_offsets(old_lines, new_lines, tolerance=tolerance, step=step)
    findings = event_findings(events)
    findings += moved_findings(offsets, old_ids, shapely.boundary(old_geometries),
                               new_ids, shapely.boundary(new_geometries))
    return ChangeResult(events, offsets, findings)


def compare_lines(
    old_ids: Ids, old_lines: np.ndarray,
    new_ids: Ids, new_lines: np.ndarray,
    tolerance: float | None = None, step: float | None = None,
) -> ChangeResult:
    """Moved stretches between two rounds of boundary lines (no division events).

    Subjects of ``change.line_moved`` name the line ids of each round, ``OLD_IDS->NEW_IDS``.
    """
    old_lines = np.asarray(old_lines, dtype=object)
    new_lines = np.asarray(new_lines, dtype=object)
    offsets = border_offsets(border_network(old_lines), border_network(new_lines),
                             tolerance=tolerance, step=step)
    findings = moved_findings(offsets, old_ids, old_lines, new_ids, new_lines)
    return ChangeResult([], offsets, findings)
