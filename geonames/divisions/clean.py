"""Repair proposals for a coverage of divisions: a cleaned copy and every change it makes.

Built on the GEOS coverage cleaning in shapely (:func:`shapely.coverage_clean`, shapely ≥ 2.2
with GEOS ≥ 3.14): overlaps are given to one of the overlapping divisions by a rule, gaps
narrower than ``gap_width`` are filled (GEOS gives a gap to the neighbour with the longest
shared border), nearby vertices are snapped together so that shared edges match exactly. The
input is never changed: the result is a proposal, with a change record for every piece of
area that moved — from which division to which, how many m², and why:

=================  ===========================================================================
reason             what happened
=================  ===========================================================================
overlap_assigned   two divisions both held the area; the rule gave it to one (``from`` loses it)
gap_filled         no division held the area (a gap narrower than ``gap_width``); now ``to`` does
sliver_merged      the area moved from ``from`` to ``to`` as edges were snapped together
dropped            ``from`` held the area and no division holds it after cleaning
=================  ===========================================================================

The records of a division add up to what it gained and lost: for every division, the sum of
its ``to`` records (``overlap_assigned`` aside: it held that area already) is the area of
(cleaned − original), and the sum of its ``from`` records the area of (original − cleaned), to
rounding (an area that three or more divisions held at once is counted for the first).

Rules (``rule``): ``longest-border`` (the neighbour sharing the longest border, GEOS's
default), ``largest`` (the largest neighbour), ``priority`` (the first in a list of codes: each
code, or code prefix, ranks above those after it; divisions not listed come last).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.geometry import repair
from geonames.vector import write_features

#: shapely.coverage_clean (shapely ≥ 2.2), looked up so that type stubs of older shapely
#: versions, which lack it, do not matter.
_COVERAGE_CLEAN: Any = shapely.__dict__["coverage_clean"]

RULES = {"longest-border": "longest_border", "largest": "max_area", "priority": "min_index"}
REASONS = ("overlap_assigned", "gap_filled", "sliver_merged", "dropped")


@dataclass
class Change:
    """A piece of area that moved: ``from_id`` (``""`` for a gap) → ``to_id`` (``""`` when
    dropped), m², why, and where (metric CRS)."""

    from_id: str
    to_id: str
    reason: str
    area: float
    geometry: BaseGeometry


@dataclass
class CleanResult:
    """The original (repaired) and cleaned coverages, in one metric CRS, and the changes."""

    ids: list[str]
    names: list[str]
    original: np.ndarray
    cleaned: np.ndarray
    changes: list[Change]
    stats: dict[str, Any] = field(default_factory=dict)

    def gained(self) -> np.ndarray:
        """Area each division gained, m²."""
        return shapely.area(shapely.difference(self.cleaned, self.original))

    def lost(self) -> np.ndarray:
        """Area each division lost, m²."""
        return shapely.area(shapely.difference(self.original, self.cleaned))


def priority_order(ids: Sequence[str] | np.ndarray, priority: Sequence[str]) -> np.ndarray:
    """Positions of ``ids`` sorted by rank in ``priority`` (a code or a code prefix each; the
    first listed ranks highest), unlisted last, ties in input order.

    >>> priority_order(["500101", "500102", "500201"], ["5002", "500102"]).tolist()
    [2, 1, 0]
    """
    def rank(code: str) -> int:
        for k, p in enumerate(priority):
            if code == p or code.startswith(p):
                return k
        return len(priority)

    return np.array(sorted(range(len(ids)), key=lambda i: (rank(str(ids[i])), i)), dtype=int)


def clean_coverage(ids: Sequence[str] | np.ndarray, names: Sequence[str] | np.ndarray,
                   geometries: np.ndarray,
                   gap_width: float = 0.0, rule: str = "longest-border",
                   priority: Sequence[str] = (), snapping_distance: float | None = None,
                   min_change: float = 0.0) -> CleanResult:
    """Clean a coverage (metric CRS) and record every change.

    Parameters
    ----------
    gap_width : float
        Metres: gaps narrower than this are filled.
    rule : str
        Who gets an overlap: ``longest-border``, ``largest`` or ``priority``.
    priority : sequence of str
        Codes (or code prefixes), highest first, for ``rule="priority"``.
    snapping_distance : float, optional
        Metres; vertices closer than this are snapped together (default: GEOS's choice from
        the extent of the data; 0 disables snapping).
    min_change : float
        m²; change records smaller than this are left out of the list (not of the cleaning).
    """
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}; known: {', '.join(RULES)}")
    ids = [str(i) for i in ids]
    original = repair(np.asarray(geometries, dtype=object)).geometries
    present = ~shapely.is_missing(original)
    order = priority_order(ids, priority) if rule == "priority" else np.arange(len(ids))
    inputs = original[order]
    keep = ~shapely.is_missing(inputs)
    cleaned_sorted = np.full(len(ids), None, dtype=object)
    cleaned_sorted[keep] = _COVERAGE_CLEAN(
        inputs[keep], gap_width=gap_width, merge_strategy=RULES[rule],
        snapping_distance=-1 if snapping_distance is None else snapping_distance)
    cleaned = np.full(len(ids), None, dtype=object)
    cleaned[order] = cleaned_sorted
    changes = _changes(ids, original, cleaned, present)
    listed = [c for c in changes if c.area >= min_change]
    stats = {"divisions": len(ids), "gap_width_m": gap_width, "rule": rule,
             "priority": list(priority), "changes": len(listed),
             "changes_below_min": len(changes) - len(listed),
             "area_moved_m2": {r: round(sum(c.area for c in changes if c.reason == r), 1)
                               for r in REASONS}}
    return CleanResult(ids, [str(n) for n in names], original, cleaned, listed, stats)


def _changes(ids: list[str], original: np.ndarray, cleaned: np.ndarray,
             present: np.ndarray) -> list[Change]:
    empty = np.array([shapely.Polygon()] * len(ids), dtype=object)
    orig = np.asarray(original, dtype=object).copy()
    orig[~present] = empty[~present]
    new = np.asarray(cleaned, dtype=object).copy()
    missing = np.asarray(shapely.is_missing(new), dtype=bool)
    new[missing] = empty[missing]
    gained = shapely.difference(new, orig)
    lost = shapely.difference(orig, new)
    tree_orig = shapely.STRtree(orig)
    tree_new = shapely.STRtree(new)
    out: list[Change] = []

    def add(a: str, b: str, reason: str, geom: BaseGeometry) -> None:
        part = _polygonal(geom)
        if part is not None and part.area > 0:
            out.append(Change(a, b, reason, float(part.area), part))

    # What each division gained: from whoever held it before, else a gap filled.
    for j in np.flatnonzero(~shapely.is_empty(gained)):
        remaining = gained[j]
        for i in tree_orig.query(remaining, predicate="intersects"):
            if i == j or remaining.is_empty:
                continue
            piece = shapely.intersection(remaining, orig[i])
            if piece.area <= 0:
                continue
            remaining = shapely.difference(remaining, orig[i])
            add(ids[i], ids[j], "sliver_merged", piece)
        add("", ids[j], "gap_filled", remaining)
    # What each division lost to a division that already held it (an overlap given away),
    # or to no one.
    for i in np.flatnonzero(~shapely.is_empty(lost)):
        remaining = lost[i]
        for j in tree_new.query(remaining, predicate="intersects"):
            if i == j or remaining.is_empty:
                continue
            held = shapely.intersection(shapely.intersection(remaining, new[j]), orig[j])
            if held.area > 0:
                add(ids[i], ids[j], "overlap_assigned", held)
            remaining = shapely.difference(remaining, new[j])
        add(ids[i], "", "dropped", remaining)
    return out


def _multi(geom: BaseGeometry) -> BaseGeometry:
    """A (Multi)Polygon as a MultiPolygon (GeoPackage layers of one geometry type)."""
    out: Any = shapely.multipolygons(shapely.get_parts(geom))
    return cast(BaseGeometry, out)


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    parts = shapely.get_parts(np.array([geom], dtype=object))
    parts = parts[shapely.get_type_id(parts) == 3]
    if not len(parts):
        return None
    return parts[0] if len(parts) == 1 else shapely.multipolygons(parts)


CHANGE_SCHEMA = {"from_id": "str", "from_name": "str", "to_id": "str", "to_name": "str",
                 "reason": "str", "area_m2": "float"}
DIVISION_SCHEMA = {"id": "str", "name": "str", "area_m2": "float", "gained_m2": "float",
                   "lost_m2": "float"}


def write_clean(result: CleanResult, path: str | os.PathLike, crs: CRS) -> dict[str, int]:
    """Write the proposal as a GeoPackage: layer ``divisions`` (the cleaned coverage, with the
    area each division gained and lost) and layer ``changes`` (one feature per change), both
    in ``crs`` (the metric CRS the cleaning was done in). Returns the feature counts."""
    if os.path.exists(path):
        os.remove(path)
    names = dict(zip(result.ids, result.names, strict=True))
    gained, lost = result.gained(), result.lost()
    present = [k for k in range(len(result.ids)) if result.cleaned[k] is not None]
    write_features(path, [{"id": result.ids[k], "name": result.names[k],
                           "area_m2": round(float(shapely.area(result.cleaned[k])), 3),
                           "gained_m2": round(float(gained[k]), 3),
                           "lost_m2": round(float(lost[k]), 3)} for k in present],
                   [_multi(result.cleaned[k]) for k in present], DIVISION_SCHEMA, crs,
                   layer="divisions",
                   geometry_type="MultiPolygon")
    if result.changes:
        write_features(path, [{"from_id": c.from_id, "from_name": names.get(c.from_id, ""),
                               "to_id": c.to_id, "to_name": names.get(c.to_id, ""),
                               "reason": c.reason, "area_m2": round(c.area, 3)}
                              for c in result.changes],
                       [_multi(c.geometry) for c in result.changes], CHANGE_SCHEMA, crs,
                       layer="changes",
                       geometry_type="MultiPolygon")
    return {"divisions": len(present), "changes": len(result.changes)}


def remaining_faults(cleaned: np.ndarray, gap_width: float) -> dict[str, float]:
    """What is left after cleaning: overlapping area (m²) and the gaps narrower than
    ``gap_width`` (count and m²) — both should be 0."""
    geoms = cleaned[~shapely.is_missing(cleaned)]
    tree = shapely.STRtree(geoms)
    a, b = tree.query(geoms, predicate="intersects")
    pairs = a < b
    overlap = float(shapely.area(shapely.intersection(geoms[a[pairs]], geoms[b[pairs]])).sum())
    union = shapely.union_all(geoms)
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union)
             for r in shapely.get_rings(p)[1:]]
    narrow = [h for h in holes
              if 2 * shapely.maximum_inscribed_circle(h, max(gap_width / 50, 0.01)).length
              < gap_width]
    return {"overlap_m2": round(overlap, 3), "narrow_gaps": len(narrow),
            "narrow_gap_m2": round(sum(h.area for h in narrow), 3),
            "valid_coverage": bool(shapely.coverage_is_valid(geoms))}


def clean_file(path: str | os.PathLike, out: str | os.PathLike, gap_width: float = 0.0,
               rule: str = "longest-border", priority: Sequence[str] = (),
               snapping_distance: float | None = None, min_change: float = 0.0,
               layer: str | None = None, id_field: str | None = None,
               name_field: str | None = None, crs: str | None = None
               ) -> tuple[CleanResult, dict[str, Any]]:
    """Read a layer of divisions, clean it in its metric CRS and write the proposal to ``out``
    (a GeoPackage, see :func:`write_clean`; never the input). Returns the result and a summary
    (the metric CRS, the changes by reason, and what is left: :func:`remaining_faults`)."""
    from geonames.divisions.coverage import metric_crs_of
    from geonames.divisions.io import read_divisions
    from geonames.errors import InputFileError

    if os.path.abspath(path) == os.path.abspath(out):
        raise InputFileError(f"{out}: the proposal must go to another file than the input "
                             "(legal lines are never changed in place)")
    if os.path.isdir(out):
        raise InputFileError(f"{out}: is a folder; give the proposal's file (OUT.gpkg)")
    if not str(out).lower().endswith(".gpkg"):
        raise InputFileError(f"{out}: the proposal is written as a GeoPackage (.gpkg)")
    if rule == "priority" and not priority:
        raise InputFileError("rule 'priority' needs a priority list of codes")
    table = read_divisions(path, layer, id_field, name_field)
    metric = metric_crs_of(table, crs)
    from geonames.crs import reproject

    geoms = reproject(table.geometries, table.crs, metric.crs)
    result = clean_coverage(table.ids, table.names, geoms, gap_width, rule, priority,
                            snapping_distance, min_change)
    counts = write_clean(result, out, metric.crs)
    summary = {"metric_crs": metric.label, **result.stats, **counts,
               "gained_m2": round(float(result.gained().sum()), 3),
               "lost_m2": round(float(result.lost().sum()), 3),
               "left": remaining_faults(result.cleaned, gap_width)}
    return result, summary
