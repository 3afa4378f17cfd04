"""Inputs of an inspection: a layer read as divisions or lines, the metric CRS shared by several
layers, and boundary lines derived from divisions with their line codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pyproj import CRS

from geonames.boundaries.io import (
    LineLayer,
    read_lines,
)
from geonames.crs import MetricCRS, metric_crs_for
from geonames.divisions.io import read_divisions
from geonames.divisions.model import DivisionTable
from geonames.errors import InputFileError
from geonames.text import Progress, quiet
from geonames.vector import POLYGONAL, read_layer


@dataclass
class Layer:
    """Divisions or lines read for a check, already in the metric CRS."""

    kind: str  # "divisions" or "lines"
    ids: np.ndarray
    names: np.ndarray
    geometries: np.ndarray
    crs: CRS
    note: str | None
    source: str


def read_divisions_or_lines(path: str | Path, layer: str | None = None,
                            id_field: str | None = None, name_field: str | None = None,
                            encoding: str | None = None,
                            crs: CRS | str | None = None) -> Layer:
    """Read a layer of division polygons, or of boundary lines, whichever the file holds."""
    raw = read_layer(path, layer, encoding)
    kinds = set(raw.geometry_types) - {"None"}
    if kinds <= POLYGONAL:
        table = read_divisions(path, layer, id_field, name_field, encoding, crs)
        return Layer("divisions", table.ids, table.names, table.geometries, table.crs,
                     table.crs_note, table.source)
    if kinds <= {"LineString", "MultiLineString"}:
        lines = read_lines(path, layer, code_field=id_field, crs=crs)
        return Layer("lines", lines.codes, np.full(len(lines), "", dtype=object),
                     lines.geometries, lines.crs, lines.crs_note, lines.source)
    raise InputFileError(f"{path}: expected division polygons or boundary lines, found "
                         f"{', '.join(sorted(kinds))}")


def metric_for(layers: list[tuple[CRS, np.ndarray]], user_crs: str | None) -> MetricCRS:
    """The metric CRS for data in several layers: chosen from the first, which all share."""
    crs, geoms = layers[0]
    metric = metric_crs_for(crs, geoms, user_crs)
    if metric is None:
        raise InputFileError("the layers to inspect have no geometry")
    return metric


def line_code(left: str, right: str) -> str:
    """The code of the line between two divisions: both ids, smaller first, joined.

    >>> line_code("500151", "500111")
    '500111500151'
    """
    a, b = sorted((str(left), str(right)))
    return f"{a}{b}"


def lines_from_divisions(
    table: DivisionTable,
    snap: float = 0.0,
    crs: str | None = None,
    only: set[str] | None = None,
    progress: Progress = quiet,
) -> tuple[LineLayer, np.ndarray]:
    """Boundary lines and tripoints of a division layer (:mod:`geonames.boundaries.lines`), coded.

    Each line gets :func:`line_code` of its two divisions; where two divisions share several
    lines, the longest keeps the code and the others get ``-2``, ``-3`` … (longest first).

    Parameters
    ----------
    table : DivisionTable
    snap : float
        Metres, passed to the extraction (close gaps and snap vertices this close).
    crs : optional
        Metric CRS.
    only : set of str, optional
        Keep only lines between two of these divisions, and tripoints of three of them.

    Returns
    -------
    (LineLayer in the metric CRS, tripoints array)
    """
    from geonames.boundaries.lines import extract_division_lines

    found = extract_division_lines(table, crs=crs, snap=snap, progress=progress)
    left, right = found.left_ids, found.right_ids
    keep = np.ones(len(found), dtype=bool) if only is None else np.array(
        [str(a) in only and str(b) in only for a, b in zip(left, right, strict=True)], dtype=bool)
    order = np.flatnonzero(keep)
    order = order[np.argsort(-found.lengths[order], kind="stable")]
    seen: dict[str, int] = {}
    codes = []
    for k in order:
        base = line_code(left[k], right[k])
        seen[base] = seen.get(base, 0) + 1
        codes.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    rank = np.argsort(np.array(codes, dtype=object), kind="stable")
    order = order[rank]
    codes = [codes[i] for i in rank]
    tripoints = found.tripoints
    if only is not None:
        inside = [all(str(found.ids[m]) in only for m in members)
                  for members in found.tripoint_members]
        tripoints = tripoints[np.asarray(inside, dtype=bool)] if len(tripoints) else tripoints
    if found.metric is None:  # extract_division_lines always measures in a metric CRS
        raise InputFileError(f"{table.source}: the derived lines have no metric CRS")
    layer = LineLayer(np.asarray(codes, dtype=object), np.asarray(left[order], dtype=object),
                      np.asarray(right[order], dtype=object),
                      np.asarray(found.lines[order], dtype=object), found.metric.crs, None,
                      f"{table.source} (lines derived, snap {snap:g} m)", "derived")
    return layer, np.asarray(tripoints, dtype=object)
