"""Geometry helpers shared by the engines: repair of invalid polygons, overlays that survive
nearly coincident input, and flattening of nested collections. Units are those of the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

#: Grid, m, an overlay is snap-rounded to when GEOS cannot compute it in full precision.
OVERLAY_GRID = 1e-4


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
        How each invalid geometry was repaired: ``"make_valid"``, ``"structure"``,
        ``"buffer"``, ``"finite"`` (non-finite coordinates dropped first) or ``"failed"``.
    """

    geometries: np.ndarray
    invalid: np.ndarray
    reasons: np.ndarray
    locations: np.ndarray
    methods: np.ndarray


def repair(geometries: Sequence[BaseGeometry | None] | np.ndarray) -> Repair:
    """Make every polygonal geometry valid; never raises on bad geometry.

    Invalid geometries go through :func:`shapely.make_valid` (all at once); where that raises,
    each one is tried in turn with ``method="structure"``, ``buffer(0)``, and finally with its
    non-finite coordinates dropped. Only the polygonal parts of the repair are kept (a
    self-intersecting ring's collapsed spikes are dropped). Valid geometries are kept as they
    are (the same objects).

    >>> from shapely import Polygon
    >>> bowtie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    >>> fixed = repair([bowtie])
    >>> fixed.reasons[0], fixed.geometries[0].geom_type, fixed.geometries[0].area
    ('Self-intersection[1 1]', 'MultiPolygon', 2.0)
    """
    geoms = np.asarray(geometries, dtype=object).copy()
    n = len(geoms)
    missing = shapely.is_missing(geoms)
    reasons = np.full(n, "", dtype=object)
    locations = np.full(n, None, dtype=object)
    methods = np.full(n, "", dtype=object)
    valid = np.ones(n, dtype=bool)
    valid[~missing] = shapely.is_valid(geoms[~missing])
    bad = np.flatnonzero(~valid)
    if len(bad):
        reasons[bad] = shapely.is_valid_reason(geoms[bad])
        locations[bad] = [_location(r) for r in reasons[bad]]
        try:
            with np.errstate(all="ignore"):
                out = shapely.make_valid(geoms[bad])
            methods[bad] = "make_valid"
        except shapely.errors.GEOSException:
            out = np.empty(len(bad), dtype=object)
            for k, i in enumerate(bad):
                out[k], methods[i] = _repair_one(geoms[i])
        geoms[bad] = _polygonal(out)
    types = shapely.get_type_id(geoms)
    other = np.flatnonzero((types != 3) & (types != 6) & (types != -1))
    if len(other):  # valid collections or non-polygons: keep their polygonal parts
        geoms[other] = _polygonal(geoms[other])
    # make_valid output is valid; a geometry that stays invalid (it has happened with GEOS
    # bugs) gets one more chance through the one-by-one fallbacks.
    still = bad[~shapely.is_valid(geoms[bad])] if len(bad) else bad
    for i in still:
        geom, methods[i] = _repair_one(geoms[i], first="structure")
        geoms[i] = _polygonal(np.array([geom], dtype=object))[0]
    return Repair(geoms, ~valid, reasons, locations, methods)


def _repair_one(geometry: BaseGeometry, first: str = "linework") -> tuple[BaseGeometry, str]:
    attempts: list[tuple[str, Callable[[BaseGeometry], BaseGeometry]]] = [
        ("make_valid", lambda g: shapely.make_valid(g)),
        ("structure", lambda g: shapely.make_valid(g, method="structure", keep_collapsed=False)),
        ("buffer", lambda g: shapely.buffer(g, 0.0)),
        ("finite", lambda g: shapely.make_valid(_finite(g), method="structure",
                                                keep_collapsed=False)),
    ]
    if first == "structure":
        attempts = attempts[1:]
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
