"""The result documents of a joint inspection, built from what ``inspect run`` read and found.

:func:`build_results` turns the lines, the marker registers, the markers check and the
findings into an :class:`~geonames.boundaries.results.InspectionResults`, which
:func:`geonames.report.results.write_results` writes as 界桩登记表, 界桩成果表, 边界点成果表 and
边界线走向说明 (CSV, XLSX and one PDF).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.boundaries.io import LineLayer, MarkerRegister
from geonames.boundaries.markers import MarkerCheck, line_orientation
from geonames.boundaries.results import (
    COURSE_GENERALISE,
    TRIPOINT_SNAP,
    Feature,
    InspectionResults,
    boundary_points,
    line_courses,
    marker_records,
    result_lines,
)
from geonames.crs import MetricCRS, reproject
from geonames.errors import InputFileError
from geonames.findings import Finding
from geonames.inspection.review import report_ids
from geonames.vector import data_crs_of, read_layer

#: Keys of the ``[results]`` section of an INSPECTION.toml.
RESULTS_KEYS = {"write", "pdf", "xlsx", "lang", "compass_points", "generalise",
                "point_tolerance", "features", "feature_name_field"}

#: Field names tried for a feature's name.
FEATURE_NAME_FIELDS = ("name", "名称", "NAME", "mc", "MC")


def read_features(path: str | Path, crs: CRS, name_field: str | None = None) -> list[Feature]:
    """Named line or polygon features (rivers, roads, ridges) a line may follow, in ``crs``;
    features without a name are skipped."""
    raw = read_layer(path)
    field = name_field or next((f for f in FEATURE_NAME_FIELDS if f in raw.fields), None)
    if field is None or field not in raw.fields:
        raise InputFileError(f"{path}: no name field (give feature_name_field; the fields "
                             f"are: {', '.join(raw.fields) or '(none)'})")
    data_crs, _ = data_crs_of(raw, None)
    geoms = reproject(raw.geometries, data_crs, crs)
    out = []
    for props, geom in zip(raw.properties, geoms, strict=True):
        name = str(props.get(field) or "").strip()
        if name and geom is not None and not geom.is_empty:
            if shapely.get_dimensions(geom) == 2:
                geom = shapely.boundary(geom)
            out.append(Feature(name, str(props.get("kind") or ""), geom))
    return out


def build_results(title: str, metric: MetricCRS, lines: LineLayer, register: MarkerRegister,
                  check: MarkerCheck, previous: MarkerRegister | None = None,
                  tripoints: np.ndarray | None = None, names: dict[str, str] | None = None,
                  divisions: dict[str, BaseGeometry] | None = None,
                  findings: Sequence[Finding] = (), compass_points: int = 8,
                  generalise: float = COURSE_GENERALISE,
                  point_tolerance: float = 0.0,
                  features: Sequence[Feature] = ()) -> InspectionResults:
    """The result documents of an inspection (all geometries in ``metric``).

    ``names`` maps division ids to names (the sides of each line); ``divisions`` maps ids to
    their polygons (drawn on the map sheets); ``findings`` are listed against the markers they
    name (by their ids).
    """
    names = names or {}
    crs = metric.crs
    reverse, east_west = line_orientation(lines.geometries, crs)
    rlines = result_lines([str(c) for c in lines.codes], lines.geometries, crs,
                          [str(x) for x in lines.left_ids], [str(x) for x in lines.right_ids],
                          names, reverse, east_west)
    table = register.table
    by_number: dict[str, list[tuple[str, str]]] = {}
    ids = report_ids(list(findings))
    for f in findings:
        for number in f.subject.split(","):
            by_number.setdefault(number.strip(), []).append((ids[id(f)], f.code))
    previous_status = None
    if previous is not None:
        previous_status = {str(n).strip(): str(s) for n, s in
                           zip(previous.table.numbers, previous.table.statuses, strict=True)}
    records = marker_records(
        [str(n).strip() for n in table.numbers], table.geometries, crs, check.parsed,
        check.line, check.nearest, check.along, check.shift,
        [str(s) for s in table.statuses], [str(d) for d in table.survey_dates], rlines,
        previous_status, table.elevations, table.materials, by_number)
    points = {str(n).strip(): g for n, g in zip(table.numbers, table.geometries, strict=True)
              if g is not None and not g.is_empty}
    tri = np.asarray(tripoints if tripoints is not None else [], dtype=object)
    tri_names = tripoint_names(tri, lines, names)
    courses = line_courses(rlines, crs, records, points, tri, tri_names, generalise,
                           features)
    return InspectionResults(
        title=title, crs=crs, lines=rlines, markers=records,
        points=boundary_points(rlines, crs, point_tolerance), courses=courses,
        marker_points=points, divisions=dict(divisions or {}), tripoints=tri,
        has_previous=previous is not None, course_points=compass_points)


def tripoint_names(tripoints: np.ndarray, lines: LineLayer,
                   names: dict[str, str]) -> dict[int, list[str]]:
    """The names (else ids) of the divisions on the lines that end at each tripoint."""
    out: dict[int, list[str]] = {}
    if not len(tripoints) or not len(lines):
        return out
    ends = shapely.boundary(lines.geometries)
    tree = shapely.STRtree(ends)
    pairs = tree.query(tripoints, predicate="dwithin", distance=TRIPOINT_SNAP)
    for t, k in zip(*pairs, strict=True):
        ids = {str(lines.left_ids[k]), str(lines.right_ids[k])} - {""}
        out.setdefault(int(t), [])
        out[int(t)] = sorted(set(out[int(t)]) | {names.get(i, i) for i in ids})
    return out


def results_options(section: dict[str, Any], path: Path | str) -> dict[str, Any]:
    """The ``[results]`` section of an INSPECTION.toml with its defaults, checked.

    ``write`` (true: write the result documents when markers are checked), ``pdf``, ``xlsx``
    (true), ``lang`` (``"zh"`` or ``"en"``; default: the report's language, ``--lang``), ``compass_points`` (8 or 16), ``generalise``
    (metres, bends of a stretch smaller than this are not told in its course, default
    :data:`~geonames.boundaries.results.COURSE_GENERALISE`), ``point_tolerance`` (metres,
    generalisation of the boundary points, default 0: every turning vertex).

    Raises
    ------
    InputFileError
        For a value of the wrong kind.
    """
    out: dict[str, Any] = {"write": True, "pdf": True, "xlsx": True, "lang": "",
                           "compass_points": 8, "generalise": COURSE_GENERALISE,
                           "point_tolerance": 0.0, "features": None,
                           "feature_name_field": None}
    for key in ("write", "pdf", "xlsx"):
        if key in section:
            if not isinstance(section[key], bool):
                raise InputFileError(f"{path}: [results] {key} must be true or false")
            out[key] = section[key]
    if "lang" in section:
        if section["lang"] not in ("zh", "en"):
            raise InputFileError(f"{path}: [results] lang must be \"zh\" or \"en\"")
        out["lang"] = section["lang"]
    if "compass_points" in section:
        if section["compass_points"] not in (8, 16) or isinstance(section["compass_points"],
                                                                  bool):
            raise InputFileError(f"{path}: [results] compass_points must be 8 or 16")
        out["compass_points"] = int(section["compass_points"])
    out["features"] = section.get("features")
    if "feature_name_field" in section:
        out["feature_name_field"] = str(section["feature_name_field"])
    for key in ("generalise", "point_tolerance"):
        if key in section:
            value = section[key]
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or value < 0:
                raise InputFileError(f"{path}: [results] {key} must be a number of metres "
                                     "(0 or more)")
            out[key] = float(value)
    return out
