"""The markers step of an inspection: read the marker registers (this round and the previous one),
bring them into the metric CRS, and run the markers check against the lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geonames.boundaries.io import (
    LineLayer,
    MarkerRegister,
    RowProblem,
    read_lines,
    read_markers,
    read_tripoints,
)
from geonames.boundaries.markers import (
    DEFAULT_LIMITS,
    MarkerCheck,
    MarkerLimits,
    check_markers,
)
from geonames.boundaries.model import DEFAULT_PATTERN, NumberPattern
from geonames.crs import WGS84, MetricCRS, crs_label, reproject, transformer
from geonames.document import Table
from geonames.findings import Finding, Severity
from geonames.inspection.inputs import metric_for

#: Columns of the marker coordinate table (``markers.csv``).
MARKER_TABLE_COLUMNS = ["number", "type", "line", "X", "Y", "lon", "lat", "status", "offset_m",
                        "shift_m", "findings"]


@dataclass
class MarkerOutcome:
    """What the markers check gives a report: findings, the marker table and, per line, its
    marker rows and finding list (keys are line codes)."""

    findings: list[Finding]
    table: Table
    rows_by_line: dict[str, list[list[Any]]]
    points_by_line: dict[str, list[tuple[BaseGeometry, str]]]
    line_of_finding: dict[tuple[str, str], str]
    stats: dict[str, Any]
    check: MarkerCheck | None = None


def run_markers_check(
    lines: LineLayer,
    register: MarkerRegister,
    previous: MarkerRegister | None = None,
    tripoints: np.ndarray | None = None,
    limits: MarkerLimits = DEFAULT_LIMITS,
    pattern: NumberPattern = DEFAULT_PATTERN,
) -> MarkerOutcome:
    """Check a marker register against lines (all already in one metric CRS) and lay out the
    results for a report: ``marker.bad_record`` findings for unusable rows, the check's
    findings, the marker coordinate table, and each finding's line."""
    table = register.table
    check = check_markers(table, lines.codes, lines.geometries,
                          previous=previous.table if previous is not None else None,
                          tripoints=tripoints, limits=limits, pattern=pattern)
    findings = [bad_record_finding(p, register.table.source) for p in register.problems]
    if previous is not None:
        findings += [bad_record_finding(p, previous.table.source, previous=True)
                     for p in previous.problems]
    bad_rows = {p.number for p in register.problems}
    findings += check.findings
    codes_of: dict[str, list[str]] = {}
    for k, codes in enumerate(check.marker_findings):
        if codes:
            codes_of.setdefault(str(table.numbers[k]), []).extend(codes)
    for p in register.problems:
        codes_of.setdefault(p.number, []).append("marker.bad_record")
    line_codes = [str(c) for c in lines.codes]
    known = set(line_codes)
    geoms = np.asarray(table.geometries, dtype=object)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    xy = np.full((len(table), 2), np.nan)
    if present.any():
        xy[present] = shapely.get_coordinates(geoms[present])
    lon, lat = transformer(table.crs, WGS84).transform(xy[:, 0], xy[:, 1])
    x_col = _rounded(xy[:, 0], 3)
    y_col = _rounded(xy[:, 1], 3)
    lon_col = _rounded(np.asarray(lon), 8)
    lat_col = _rounded(np.asarray(lat), 8)
    offset_col = _rounded(check.offset, 3)
    shift_col = _rounded(check.shift, 3)
    position = np.where(check.line >= 0, check.line, check.nearest)
    line_at = {}
    rows: list[list[Any]] = []
    rows_by_line: dict[str, list[list[Any]]] = {}
    points_by_line: dict[str, list[tuple[BaseGeometry, str]]] = {}
    for k, number in enumerate(str(n) for n in table.numbers):
        code = line_codes[position[k]] if position[k] >= 0 else ""
        line_at[number] = code
        parsed = check.parsed[k]
        if present[k]:
            label = f"{parsed.seq:03d}{parsed.type}" if parsed is not None else number
            points_by_line.setdefault(code, []).append((geoms[k], label))
        codes = codes_of.get(number) or []
        row = [number, parsed.type if parsed else str(table.types[k]), code, x_col[k],
               y_col[k], lon_col[k], lat_col[k], str(table.statuses[k]), offset_col[k],
               shift_col[k], " ".join(sorted(set(codes))) if codes else (
                   "marker.bad_record" if number in bad_rows else "")]
        rows.append(row)
        rows_by_line.setdefault(code, []).append(row)
    if previous is not None:
        for j in check.missing_previous:
            number = str(previous.table.numbers[j])
            parsed = pattern.parse(number)
            code = parsed.line if parsed and parsed.line in known else _nearest_code(
                previous.table.geometries[j], lines)
            line_at[number] = code
    line_of_finding = {}
    for f in findings:
        first = f.subject.split(",")[0]
        line_of_finding[(f.code, f.subject)] = f.details.get("line") or line_at.get(first, "")
    stats = {"markers": len(table), "lines": len(lines),
             "previous_markers": len(previous.table) if previous is not None else None,
             "limits_m": {"max_offset": limits.max_offset, "max_shift": limits.max_shift,
                          "max_tripoint_distance": limits.max_tripoint_distance},
             "number_pattern": pattern.regex}
    title = (f"Marker coordinate table (X east, Y north, m, {crs_label(table.crs)}; lon/lat "
             "WGS84/CGCS2000)")
    return MarkerOutcome(findings, Table("markers", title, MARKER_TABLE_COLUMNS, rows),
                         rows_by_line, points_by_line, line_of_finding, stats, check)


def bad_record_finding(problem: RowProblem, source: str, previous: bool = False) -> Finding:
    """A ``marker.bad_record`` finding for a register row that could not be used."""
    which = "previous round's register" if previous else "register"
    return Finding(
        code="marker.bad_record", severity=Severity.ERROR,
        subject=problem.number or f"row {problem.row}",
        message=(f"{which} row {problem.row}: {problem.field} {problem.value!r}: "
                 f"{problem.reason}"),
        details={"row": problem.row, "field": problem.field, "source": source,
                 "previous": previous})


def _nearest_code(geom: BaseGeometry | None, lines: LineLayer) -> str:
    if geom is None or geom.is_empty:
        return ""
    return str(lines.codes[int(np.argmin(shapely.distance(lines.geometries, geom)))])


def _rounded(values: np.ndarray, digits: int) -> list[float | None]:
    """Values rounded, None where not finite (for table cells)."""
    values = np.asarray(values, dtype=float)
    out = np.round(values, digits).astype(object)
    out[~np.isfinite(values)] = None
    return out.tolist()


def read_marker_inputs(
    lines_path: str | Path,
    markers_path: str | Path,
    previous_path: str | Path | None = None,
    lines_layer: str | None = None,
    code_field: str | None = None,
    markers_crs: str | None = None,
    crs: str | None = None,
    tripoints_path: str | Path | None = None,
) -> tuple[LineLayer, MarkerRegister, MarkerRegister | None, np.ndarray | None, MetricCRS]:
    """Read lines, markers (and the previous round's) and tripoints, all in the metric CRS.

    Tripoints come from ``tripoints_path``, else from the lines file's ``tripoints`` layer,
    else they are left to the check (derived from the line ends)."""
    lines = read_lines(lines_path, lines_layer, code_field=code_field)
    metric = metric_for([(lines.crs, lines.geometries)], crs)
    default = lines.crs if lines.crs.is_projected else None
    register = in_metric(read_markers(markers_path, crs=markers_crs, default_crs=default),
                          metric)
    previous = None
    if previous_path is not None:
        previous = in_metric(read_markers(previous_path, crs=markers_crs, default_crs=default),
                              metric)
    if tripoints_path is not None:
        found = read_tripoints(tripoints_path)
    else:
        found = read_tripoints(lines_path) if lines_layer is None else None
    tripoints = reproject(found[0], found[1], metric.crs) if found is not None else None
    return lines.reprojected(metric.crs), register, previous, tripoints, metric


def in_metric(register: MarkerRegister, metric: MetricCRS) -> MarkerRegister:
    table = register.table
    geoms = np.asarray(table.geometries, dtype=object).copy()
    ok = ~shapely.is_missing(geoms)
    geoms[ok] = reproject(geoms[ok], table.crs, metric.crs)
    register.table = table.with_geometries(geoms, metric.crs)
    return register
