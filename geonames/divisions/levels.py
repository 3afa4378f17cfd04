"""Two levels of divisions checked against each other: children must tile their parent.

Townships against their counties, counties against their prefectures (or any layer against
its own dissolved outline): each child is matched to its parent by code, then

=========================  ========  =========================================================
code                       severity  when
=========================  ========  =========================================================
levels.outside_parent      error     part of a child lies outside its parent, deeper than
                                     ``line_depth`` from the parent's line (or not along it)
levels.not_covered         error     part of a parent that none of its children covers, deeper
                                     than ``line_depth`` from the parent's line (a hole)
levels.line_off            error     a child's line runs beside its parent's line, off it by
                                     more than ``tolerance`` and at most ``line_depth``: the
                                     strip between them, the offset as value
levels.no_parent           error     no parent has a code that the child's code starts with
levels.no_children         warning   a parent with no children in the child layer
=========================  ========  =========================================================

A piece narrower than ``tolerance`` (twice the radius of the largest circle inside it) is
re-digitisation noise and is not reported. Measured in a metric CRS; subjects are
``CHILD,PARENT`` (``PARENT`` alone for an uncovered hole).

Parents are matched by code: a parent's code without its trailing ``00`` pairs (``500100`` →
``5001``) must begin the child's code (``500101``, ``500101001``); the longest such parent wins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geonames.findings import Finding, Severity, subject_of
from geonames.geometry import repair

#: Metres: pieces narrower than this are noise; a child line farther than this from its
#: parent's line is off it.
TOLERANCE = 10.0
#: Metres: a strip along the parent's line no deeper than this is the child's line being off
#: the parent's (``levels.line_off``); deeper, it is area outside the parent / not covered.
LINE_DEPTH = 200.0


@dataclass
class LevelsResult:
    """Findings of :func:`check_levels`, the parent of each child, and figures."""

    findings: list[Finding]
    parent_of: dict[str, str]
    stats: dict[str, Any] = field(default_factory=dict)

    def by_code(self, code: str) -> list[Finding]:
        return [f for f in self.findings if f.code == code]


def parent_key(code: str) -> str:
    """A parent's code without its trailing ``00`` pairs, what its children's codes start with.

    >>> parent_key("500100"), parent_key("500000"), parent_key("500101")
    ('5001', '50', '500101')
    """
    key = str(code)
    while len(key) > 2 and key.endswith("00"):
        key = key[:-2]
    return key


def match_parents(child_ids: Sequence[str] | np.ndarray,
                  parent_ids: Sequence[str] | np.ndarray) -> dict[str, str]:
    """Each child's parent: the parent whose :func:`parent_key` is the longest start of the
    child's code (the child's own code excluded). Children without one are left out.

    >>> match_parents(["500101001", "500101", "500230"], ["500101", "500100", "500200"])
    {'500101001': '500101', '500101': '500100', '500230': '500200'}
    """
    keys = sorted(((parent_key(p), str(p)) for p in parent_ids), key=lambda k: -len(k[0]))
    out = {}
    for child in map(str, child_ids):
        for key, parent in keys:
            if child != parent and child.startswith(key):
                out[child] = parent
                break
    return out


def check_levels(child_ids: Sequence[str] | np.ndarray, child_names: Sequence[str] | np.ndarray,
                 children: np.ndarray, parent_ids: Sequence[str] | np.ndarray,
                 parent_names: Sequence[str] | np.ndarray, parents: np.ndarray,
                 tolerance: float = TOLERANCE, line_depth: float = LINE_DEPTH,
                 min_area: float = 0.0,
                 parent_of: dict[str, str] | None = None) -> LevelsResult:
    """Check children against their parents (all geometries in one metric CRS, metres).

    Parameters
    ----------
    child_ids, child_names, children
        The lower level.
    parent_ids, parent_names, parents
        The upper level.
    tolerance : float
        Metres; see the module docstring.
    line_depth : float
        Metres; see the module docstring.
    min_area : float
        m²; pieces smaller than this are not reported either.
    parent_of : dict, optional
        Child id → parent id, when the codes do not say it (default: :func:`match_parents`).
    """
    child_ids = [str(i) for i in child_ids]
    parent_ids = [str(i) for i in parent_ids]
    kids = repair(np.asarray(children, dtype=object)).geometries
    pars = repair(np.asarray(parents, dtype=object)).geometries
    cname = dict(zip(child_ids, (str(n) for n in child_names), strict=True))
    pname = dict(zip(parent_ids, (str(n) for n in parent_names), strict=True))
    mapping = dict(parent_of) if parent_of is not None else match_parents(child_ids, parent_ids)
    pindex = {p: k for k, p in enumerate(parent_ids)}
    findings: list[Finding] = []
    noise = {"pieces": 0, "area_m2": 0.0}

    def label(i: str, names: dict[str, str]) -> str:
        return f"{names.get(i, '')} {i}".strip()

    for k, child in enumerate(child_ids):
        if mapping.get(child) not in pindex:
            findings.append(Finding(
                "levels.no_parent", Severity.ERROR, child,
                f"{label(child, cname)} has no parent among the upper level's divisions",
                geometry=kids[k]))
    by_parent: dict[str, list[int]] = {}
    for k, child in enumerate(child_ids):
        if mapping.get(child) in pindex:
            by_parent.setdefault(mapping[child], []).append(k)

    for parent in parent_ids:
        j = pindex[parent]
        pgeom = pars[j]
        members = by_parent.get(parent, [])
        if not members:
            findings.append(Finding(
                "levels.no_children", Severity.WARNING, parent,
                f"{label(parent, pname)} has no children in the lower level",
                geometry=pgeom))
            continue
        if pgeom is None or pgeom.is_empty:
            continue
        outline = shapely.boundary(pgeom)
        # Children outside their parent.
        for k in members:
            if kids[k] is None or kids[k].is_empty:
                continue
            outside = shapely.difference(kids[k], pgeom)
            for piece in _pieces(outside):
                kind, depth, width = _classify(piece, outline, tolerance, line_depth)
                if kind == "noise" or piece.area < min_area:
                    noise["pieces"] += 1
                    noise["area_m2"] += piece.area
                    continue
                child = child_ids[k]
                findings.append(_finding(kind, "outside", child, parent, piece, depth, width,
                                         tolerance, line_depth, label(child, cname),
                                         label(parent, pname)))
        # Parent area its children leave uncovered.
        union = shapely.union_all(kids[[k for k in members if kids[k] is not None]])
        uncovered = shapely.difference(pgeom, union)
        pieces = _pieces(uncovered)
        if not len(pieces):
            continue
        tree = shapely.STRtree(kids[members])
        for piece in pieces:
            kind, depth, width = _classify(piece, outline, tolerance, line_depth)
            if kind == "noise" or piece.area < min_area:
                noise["pieces"] += 1
                noise["area_m2"] += piece.area
                continue
            near = _beside(piece, kids, members, tree, child_ids, tolerance) \
                if kind == "line" else None
            findings.append(_finding(kind, "uncovered", near, parent, piece, depth, width,
                                     tolerance, line_depth,
                                     label(near, cname) if near else "", label(parent, pname)))
    stats = {"children": len(child_ids), "parents": len(parent_ids),
             "matched": sum(1 for c in child_ids if mapping.get(c) in pindex),
             "noise_pieces": noise["pieces"], "noise_area_m2": round(noise["area_m2"], 1),
             "tolerance_m": tolerance, "line_depth_m": line_depth, "min_area_m2": min_area}
    return LevelsResult(findings, {c: p for c, p in mapping.items() if p in pindex}, stats)


def _beside(piece: BaseGeometry, kids: np.ndarray, members: list[int], tree: shapely.STRtree,
            child_ids: list[str], tolerance: float) -> str:
    """The child sharing the longest border with a piece."""
    reach = max(tolerance, 0.01)
    near = tree.query(piece, predicate="dwithin", distance=reach)
    if not len(near):
        return child_ids[members[int(tree.query_nearest(piece)[0])]]
    ring = shapely.boundary(piece)
    shared = [shapely.length(shapely.intersection(ring, shapely.buffer(kids[members[k]], reach)))
              for k in near]
    return child_ids[members[int(near[int(np.argmax(shared))])]]


def _pieces(geom: BaseGeometry) -> np.ndarray:
    parts = shapely.get_parts(np.array([geom], dtype=object))
    return parts[(shapely.get_type_id(parts) == 3) & ~shapely.is_empty(parts)]


def _classify(piece: BaseGeometry, outline: BaseGeometry, tolerance: float,
              line_depth: float) -> tuple[str, float, float]:
    """("noise" | "line" | "area", depth from the parent's line, width) of a piece."""
    circle: Any = shapely.maximum_inscribed_circle(cast(Any, piece), max(tolerance / 20.0, 0.01))
    width = 2.0 * float(circle.length)
    vertices = shapely.points(shapely.get_coordinates(piece))
    depth = float(shapely.distance(vertices, outline).max())
    if width <= tolerance:
        return "noise", depth, width
    along = float(shapely.distance(piece, outline)) <= max(tolerance, 1e-6)
    return ("line" if along and depth <= line_depth else "area"), depth, width


def _finding(kind: str, side: str, child: str | None, parent: str, piece: BaseGeometry,
             depth: float, width: float, tolerance: float, line_depth: float,
             child_label: str, parent_label: str) -> Finding:
    area = float(piece.area)
    details = {"area_m2": round(area, 1), "depth_m": round(depth, 2),
               "width_m": round(width, 2)}
    if kind == "line":
        where = "outside" if side == "outside" else "inside"
        return Finding(
            "levels.line_off", Severity.ERROR, subject_of([child, parent]),
            f"the line of {child_label} runs up to {depth:,.1f} m {where} the line of "
            f"{parent_label} ({area:,.0f} m² between them)",
            value=depth, limit=tolerance, unit="m", geometry=piece,
            details={**details, "side": where})
    if side == "outside":
        return Finding(
            "levels.outside_parent", Severity.ERROR, subject_of([child, parent]),
            f"{area:,.0f} m² of {child_label} lies outside its parent {parent_label} "
            f"(up to {depth:,.0f} m beyond its line)",
            value=area, limit=0.0, unit="m2", geometry=piece, details=details)
    return Finding(
        "levels.not_covered", Severity.ERROR, parent,
        f"{area:,.0f} m² of {parent_label} is covered by none of its children",
        value=area, limit=0.0, unit="m2", geometry=piece, details=details)
