"""Boundary inspections as reports: read the inputs, run the engines, build a
:class:`~geonames.report.Report`.

One function per check (:func:`changes_report`, :func:`markers_report`,
:func:`edgematch_report`) and :func:`run_inspection` for a whole joint inspection described by
an ``INSPECTION.toml`` file. The command line (``geonames inspect …``) only parses options and
calls these; a library user calls them the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.changes import ChangeResult, compare_divisions, compare_lines
from geonames.coverage import CoverageResult
from geonames.crs import WGS84, MetricCRS, choose_metric_crs, crs_label, reproject, transformer
from geonames.edgematch import TOLERANCE as EDGEMATCH_TOLERANCE
from geonames.edgematch import EdgematchResult, edgematch
from geonames.errors import InputFileError
from geonames.findings import Finding, Severity
from geonames.history import CHANGE_KINDS
from geonames.history_io import label_with_history
from geonames.io import POLYGONAL, read_divisions, read_exceptions, read_layer, read_text_file
from geonames.markers import DEFAULT_LIMITS, MarkerLimits, check_markers
from geonames.markers_io import (
    LineLayer,
    MarkerRegister,
    RowProblem,
    read_lines,
    read_markers,
    read_tripoints,
)
from geonames.models.division import DivisionTable
from geonames.models.marker import DEFAULT_PATTERN, NumberPattern
from geonames.report import MapLayer, Report, Section, Table
from geonames.report.writers import ordered

#: Map colour of the other party's lines (and of the previous round's borders).
OTHER_PARTY_COLOUR = "#c2187a"

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


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
    present = geoms[~shapely.is_missing(geoms)]
    return choose_metric_crs(crs, tuple(shapely.total_bounds(present)), user_crs)


def coverage_report(result: CoverageResult, inputs: dict, seconds: float = 0.0,
                    crs_note: str | None = None) -> Report:
    """The :class:`~geonames.report.Report` of a coverage inspection: findings over a map of
    the divisions labelled with their names, and a table of the divisions."""
    metric = result.metric
    notes = []
    if crs_note:
        notes.append(crs_note)
    if metric is not None:
        notes.append(f"measured in {metric.label}: {metric.reason}")
    geoms = result.geometries
    counts: dict[str, int] = {}
    errors: dict[str, int] = {}
    for f in result.findings:
        for i in set(f.ids):
            counts[i] = counts.get(i, 0) + 1
            if f.severity == Severity.ERROR and not f.excepted:
                errors[i] = errors.get(i, 0) + 1
    area = np.where(shapely.is_missing(geoms), np.nan, shapely.area(geoms))
    perimeter = np.where(shapely.is_missing(geoms), np.nan, shapely.length(geoms))
    rows = [[str(i), str(n), _r(a / 1e6, 3), _r(p / 1e3, 3), counts.get(str(i), 0),
             errors.get(str(i), 0)]
            for i, n, a, p in zip(result.ids, result.names, area, perimeter, strict=True)]
    labels = [str(n) or str(i) for i, n in zip(result.ids, result.names, strict=True)]
    return Report(
        check="coverage",
        findings=result.findings,
        crs=metric.crs if metric else None,
        metric_crs=metric.label if metric else None,
        inputs=inputs,
        seconds=seconds,
        layers=[MapLayer("divisions", geoms, labels=labels, kind="polygon")],
        tables=[Table("divisions", "Divisions",
                      ["id", "name", "area_km2", "perimeter_km", "findings", "errors"], rows)],
        notes=notes,
        stats=result.stats,
    )


def changes_report(
    old_path: str | Path,
    new_path: str | Path,
    tolerance: float | None = None,
    min_share: float | None = None,
    layer: str | None = None,
    id_field: str | None = None,
    name_field: str | None = None,
    encoding: str | None = None,
    crs: str | None = None,
    progress: Progress = _quiet,
) -> Report:
    """Compare two rounds of divisions (or of boundary lines) and build the report.

    Parameters
    ----------
    old_path, new_path
        The earlier and the later round; both division polygons or both lines.
    tolerance : float, optional
        Metres; border offsets beyond it are ``change.line_moved``. Default: the resolution of
        the coarser round (see :mod:`geonames.changes`).
    min_share : float, optional
        Share of a division's area an overlap must hold to link old and new (default 0.5).
    layer, id_field, name_field, encoding
        How to read both files.
    crs : str, optional
        Metric CRS to measure in.
    """
    from geonames.changes import MIN_SHARE

    start = time.perf_counter()
    progress(f"reading {old_path}")
    old = read_divisions_or_lines(old_path, layer, id_field, name_field, encoding)
    progress(f"reading {new_path}")
    new = read_divisions_or_lines(new_path, layer, id_field, name_field, encoding)
    if old.kind != new.kind:
        raise InputFileError(f"cannot compare {old.kind} ({old_path}) with {new.kind} "
                             f"({new_path}); give two layers of the same kind")
    metric = metric_for([(new.crs, new.geometries)], crs)
    old_geoms = reproject(old.geometries, old.crs, metric.crs)
    new_geoms = reproject(new.geometries, new.crs, metric.crs)
    progress(f"comparing {len(old.ids)} old and {len(new.ids)} new {new.kind} in {metric.label}")
    if new.kind == "divisions":
        result = compare_divisions(old.ids, old.names, old_geoms, new.ids, new.names, new_geoms,
                                   tolerance=tolerance,
                                   min_share=MIN_SHARE if min_share is None else min_share)
    else:
        result = compare_lines(old.ids, old_geoms, new.ids, new_geoms, tolerance=tolerance)
    report = Report(
        check="changes",
        findings=result.findings,
        crs=metric.crs,
        metric_crs=metric.label,
        inputs={"old": str(old_path), "new": str(new_path), "kind": new.kind,
                "tolerance_m": round(result.offsets.tolerance, 3),
                "tolerance_source": result.offsets.tolerance_source,
                "min_share": MIN_SHARE if min_share is None else min_share,
                "title": f"Changes {Path(old_path).name} → {Path(new_path).name}"},
        layers=_change_layers(new, new_geoms, result),
        tables=change_tables(result),
        notes=[n for n in (old.note, new.note) if n],
        stats=change_stats(result),
    )
    report.seconds = time.perf_counter() - start
    return report


def _change_layers(new: Layer, new_geoms: np.ndarray, result: ChangeResult) -> list[MapLayer]:
    layers = []
    if new.kind == "divisions":
        layers.append(MapLayer("new divisions", new_geoms,
                               labels=[str(n) or str(i) for i, n in zip(new.ids, new.names,
                                                                       strict=True)]))
    layers.append(MapLayer("old borders", result.offsets.old_lines, kind="line",
                           colour=OTHER_PARTY_COLOUR, style="dashed"))
    return layers


def change_tables(result: ChangeResult) -> list[Table]:
    """The tables of a change report: area change per division group, offset distribution."""
    tables = []
    if result.events:
        rows = []
        for e in sorted(result.events, key=lambda e: (e.kind == "unchanged", e.subject)):
            pct = e.area_change_pct
            rows.append([e.kind, ",".join(e.old_ids), " + ".join(e.old_names),
                         ",".join(e.new_ids), " + ".join(e.new_names), round(e.old_area),
                         round(e.new_area), round(e.area_change),
                         None if pct is None else round(pct, 3)])
        tables.append(Table("division_changes", "Divisions: events and area change",
                            ["event", "old_ids", "old_names", "new_ids", "new_names",
                             "old_area_m2", "new_area_m2", "area_change_m2", "area_change_pct"],
                            rows))
    offsets = result.offsets
    total = sum(length for _, _, length in offsets.histogram()) or 1.0
    rows, cumulative = [], 0.0
    for low, high, length in offsets.histogram():
        cumulative += length
        mark = "tolerance in this bin" if low < offsets.tolerance <= high else ""
        rows.append([low, high, round(length / 1000.0, 3), round(100 * length / total, 3),
                     round(100 * cumulative / total, 3), mark])
    tables.append(Table(
        "border_offsets",
        f"Border offsets between the rounds (both directions; tolerance "
        f"{offsets.tolerance:,.0f} m, {offsets.tolerance_source})",
        ["offset_from_m", "offset_to_m", "border_km", "share_pct", "cumulative_pct", "note"],
        rows))
    tables.append(Table(
        "offset_percentiles", "Border offsets: percentiles (length-weighted)",
        ["statistic", "offset_m"],
        [[k, round(v, 2)] for k, v in offsets.percentiles().items()]))
    return tables


def change_stats(result: ChangeResult) -> dict[str, Any]:
    """Figures for ``summary.json``: offsets, tolerance, border within it, events."""
    offsets = result.offsets
    within, beyond = offsets.within()
    events: dict[str, int] = {}
    for e in result.events:
        events[e.kind] = events.get(e.kind, 0) + 1
    return {
        "tolerance_m": round(offsets.tolerance, 3),
        "tolerance_source": offsets.tolerance_source,
        "sampling_step_m": round(offsets.step, 3),
        "resolution_m": {k: round(v, 3) for k, v in offsets.resolution.items()},
        "offset_percentiles_m": {k: round(v, 3) for k, v in offsets.percentiles().items()},
        "border_within_tolerance_km": round(within / 1000.0, 3),
        "border_beyond_tolerance_km": round(beyond / 1000.0, 3),
        "moved_stretches": len(offsets.stretches),
        "events": dict(sorted(events.items())),
    }


# --------------------------------------------------------------------------------------------
# Lines derived from divisions


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
    progress: Progress = _quiet,
) -> tuple[LineLayer, np.ndarray]:
    """Boundary lines and tripoints of a division layer (:mod:`geonames.lines`), coded.

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
    from geonames.lines import extract_division_lines

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
    layer = LineLayer(np.asarray(codes, dtype=object), np.asarray(left[order], dtype=object),
                      np.asarray(right[order], dtype=object),
                      np.asarray(found.lines[order], dtype=object), found.metric.crs, None,
                      f"{table.source} (lines derived, snap {snap:g} m)", "derived")
    return layer, np.asarray(tripoints, dtype=object)


# --------------------------------------------------------------------------------------------
# Markers


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
        codes = codes_of.get(number)
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
                         rows_by_line, points_by_line, line_of_finding, stats)


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
    register = _in_metric(read_markers(markers_path, crs=markers_crs, default_crs=default),
                          metric)
    previous = None
    if previous_path is not None:
        previous = _in_metric(read_markers(previous_path, crs=markers_crs, default_crs=default),
                              metric)
    if tripoints_path is not None:
        found = read_tripoints(tripoints_path)
    else:
        found = read_tripoints(lines_path) if lines_layer is None else None
    tripoints = reproject(found[0], found[1], metric.crs) if found is not None else None
    return lines.reprojected(metric.crs), register, previous, tripoints, metric


def _in_metric(register: MarkerRegister, metric: MetricCRS) -> MarkerRegister:
    table = register.table
    geoms = np.asarray(table.geometries, dtype=object).copy()
    ok = ~shapely.is_missing(geoms)
    geoms[ok] = reproject(geoms[ok], table.crs, metric.crs)
    register.table = table.with_geometries(geoms, metric.crs)
    return register


def markers_report(
    lines_path: str | Path,
    markers_path: str | Path,
    previous_path: str | Path | None = None,
    limits: MarkerLimits = DEFAULT_LIMITS,
    pattern: NumberPattern = DEFAULT_PATTERN,
    lines_layer: str | None = None,
    code_field: str | None = None,
    markers_crs: str | None = None,
    crs: str | None = None,
    tripoints_path: str | Path | None = None,
    sections: bool = True,
    progress: Progress = _quiet,
) -> Report:
    """Check boundary markers against their lines (and the previous round) and build the report.

    Parameters
    ----------
    lines_path : path
        Boundary lines (``geonames lines extract`` output, or any line layer with a code).
    markers_path, previous_path : path
        Marker registers (CSV, GeoPackage, GeoJSON).
    limits : MarkerLimits
        Metres.
    pattern : NumberPattern
        How marker numbers are written.
    lines_layer, code_field : optional
        Which layer and field hold the lines and their codes.
    markers_crs : optional
        CRS of x/y columns in CSV registers.
    crs : optional
        Metric CRS to measure in.
    tripoints_path : path, optional
        Tripoints (default: the lines GeoPackage's ``tripoints`` layer, else the line ends
        where three lines meet).
    sections : bool
        One report section (map, marker table, findings) per line with markers or findings.
    """
    start = time.perf_counter()
    progress(f"reading {lines_path} and {markers_path}")
    lines, register, previous, tripoints, metric = read_marker_inputs(
        lines_path, markers_path, previous_path, lines_layer, code_field, markers_crs, crs,
        tripoints_path)
    progress(f"checking {len(register.table)} markers on {len(lines)} lines in {metric.label}")
    outcome = run_markers_check(lines, register, previous, tripoints, limits, pattern)
    notes = [n for n in (lines.crs_note, *register.notes,
                         *(previous.notes if previous is not None else [])) if n]
    report = Report(
        check="markers", findings=outcome.findings, crs=metric.crs, metric_crs=metric.label,
        inputs={"lines": str(lines_path), "markers": str(markers_path),
                "previous": str(previous_path) if previous_path else None,
                "max_offset_m": limits.max_offset, "max_shift_m": limits.max_shift,
                "max_tripoint_distance_m": limits.max_tripoint_distance,
                "number_pattern": pattern.regex, "title": f"Markers {Path(markers_path).name}"},
        layers=[MapLayer("lines", lines.geometries, kind="line"),
                MapLayer("markers", _points(outcome), kind="point")],
        tables=[outcome.table], notes=notes, stats=outcome.stats)
    if sections:
        progress("drawing a map per line")
        report.sections = line_sections(lines, outcome.findings, outcome)
    report.seconds = time.perf_counter() - start
    return report


def _points(outcome: MarkerOutcome) -> np.ndarray:
    return np.array([g for pts in outcome.points_by_line.values() for g, _ in pts],
                    dtype=object)


def line_sections(lines: LineLayer, findings: list[Finding], markers: MarkerOutcome | None,
                  line_of_finding: dict[tuple[str, str], str] | None = None,
                  other: LineLayer | None = None,
                  names: dict[str, str] | None = None) -> list[Section]:
    """One :class:`Section` per line that has markers or findings: a map of the line with its
    markers and findings, its marker table and its findings.

    ``line_of_finding`` maps ``(code, subject)`` of a finding to a line code (the markers
    check's own mapping is used for marker findings); ``other`` is another party's version of
    the lines, drawn too; ``names`` (division id → name) label the two sides.
    """
    names = names or {}
    where = dict(markers.line_of_finding) if markers is not None else {}
    where.update(line_of_finding or {})
    per_line: dict[str, list[Finding]] = {}
    for f in findings:
        code = where.get((f.code, f.subject))
        if code:
            per_line.setdefault(code, []).append(f)
    other_index = {str(c): k for k, c in enumerate(other.codes)} if other is not None else {}
    sections = []
    for k, code in enumerate(str(c) for c in lines.codes):
        rows = markers.rows_by_line.get(code, []) if markers is not None else []
        items = per_line.get(code, [])
        if not rows and not items:
            continue
        layers = [MapLayer(f"line {code}", np.array([lines.geometries[k]], dtype=object),
                           kind="line")]
        if code in other_index:
            layers.append(MapLayer("other party", np.array(
                [other.geometries[other_index[code]]], dtype=object), kind="line",
                colour=OTHER_PARTY_COLOUR, style="dashed"))
        points = markers.points_by_line.get(code, []) if markers is not None else []
        if points:
            layers.append(MapLayer("markers", np.array([g for g, _ in points], dtype=object),
                                   labels=[label for _, label in points], kind="point"))
        sides, title = "", f"Line {code}"
        if lines.left_ids[k] and lines.right_ids[k]:
            left, right = str(lines.left_ids[k]), str(lines.right_ids[k])
            sides = (f" between {names.get(left, '')} {left} (left) and "
                     f"{names.get(right, '')} {right} (right)").replace("  ", " ")
            if names.get(left) and names.get(right):
                title += f" {names[left]} | {names[right]}"
        text = (f"Line {code}{sides}, {lines.geometries[k].length / 1000:,.2f} km; "
                f"{len(rows)} markers, {len(items)} findings.")
        # Named like the whole table, so that no CSV per line is written (markers.csv has all).
        tables = [Table("markers", f"Markers of line {code}", MARKER_TABLE_COLUMNS,
                        rows)] if rows else []
        sections.append(Section(title, layers, ordered(items), tables, text))
    return sections


# --------------------------------------------------------------------------------------------
# Edge-matching


def edgematch_report(
    a_path: str | Path,
    b_path: str | Path,
    tolerance: float = EDGEMATCH_TOLERANCE,
    by: str = "auto",
    layer: str | None = None,
    code_field: str | None = None,
    crs: str | None = None,
    progress: Progress = _quiet,
) -> Report:
    """Compare two parties' versions of boundary lines and build the report.

    Parameters
    ----------
    a_path, b_path : path
        Side A's and side B's lines.
    tolerance : float
        Metres.
    by : str
        How to pair lines: ``auto``, ``code``, ``sides`` or ``geometry``.
    layer, code_field, crs : optional
    """
    start = time.perf_counter()
    progress(f"reading {a_path} and {b_path}")
    a = read_lines(a_path, layer, code_field=code_field)
    b = read_lines(b_path, layer, code_field=code_field)
    metric = metric_for([(a.crs, a.geometries)], crs)
    a, b = a.reprojected(metric.crs), b.reprojected(metric.crs)
    progress(f"comparing {len(a)} and {len(b)} lines in {metric.label}")
    result = run_edgematch(a, b, tolerance, by)
    report = Report(
        check="edgematch", findings=result.findings, crs=metric.crs, metric_crs=metric.label,
        inputs={"side_a": str(a_path), "side_b": str(b_path), "tolerance_m": tolerance,
                "matched_by": result.method,
                "title": f"Edge-matching {Path(a_path).name} / {Path(b_path).name}"},
        layers=[MapLayer("side A", a.geometries, kind="line"),
                MapLayer("side B", b.geometries, kind="line", colour=OTHER_PARTY_COLOUR,
                         style="dashed")],
        tables=[edgematch_table(result, a, b)],
        notes=[n for n in (a.crs_note, b.crs_note) if n],
        stats=edgematch_stats(result))
    report.seconds = time.perf_counter() - start
    return report


def run_edgematch(a: LineLayer, b: LineLayer, tolerance: float, by: str = "auto"):
    """:func:`geonames.edgematch.edgematch` on two line layers (same metric CRS)."""
    a_sides = (a.left_ids, a.right_ids) if a.has_sides else None
    b_sides = (b.left_ids, b.right_ids) if b.has_sides else None
    a_codes = a.codes if a.code_source != "row number" else [""] * len(a)
    b_codes = b.codes if b.code_source != "row number" else [""] * len(b)
    return edgematch(a_codes, a.geometries, b_codes, b.geometries, tolerance=tolerance,
                     a_sides=a_sides, b_sides=b_sides, by=by)


def edgematch_table(result: EdgematchResult, a: LineLayer, b: LineLayer) -> Table:
    """Per matched line: Hausdorff distance, mean offset, lengths and their difference."""
    stretches: dict[str, int] = {}
    for f in result.findings:
        if f.code == "edgematch.offset":
            stretches[f.subject] = stretches.get(f.subject, 0) + 1
    rows = [[p.subject, str(b.codes[p.b]), p.method, round(p.hausdorff, 3),
             round(p.mean_offset, 3), round(p.length_a, 3), round(p.length_b, 3),
             round(p.length_difference, 3), stretches.get(p.subject, 0)]
            for p in sorted(result.pairs, key=lambda p: -p.hausdorff)]
    return Table("line_comparison",
                 f"Lines compared (tolerance {result.tolerance:g} m), largest distance first",
                 ["line", "line_b", "matched_by", "hausdorff_m", "mean_offset_m", "length_a_m",
                  "length_b_m", "length_difference_m", "offset_stretches"], rows)


def edgematch_stats(result: EdgematchResult) -> dict[str, Any]:
    """Figures for ``summary.json``."""
    return {"pairs": len(result.pairs), "unmatched_a": len(result.unmatched_a),
            "unmatched_b": len(result.unmatched_b), "matched_by": result.method,
            "max_hausdorff_m": round(max((p.hausdorff for p in result.pairs), default=0.0), 3)}


def apply_history(report: Report, events: Sequence[str | Path]) -> Report:
    """Label the change findings of ``report`` with the recorded events of ``events`` files,
    and add the table ``recorded_decisions`` (one row per division event)."""
    if not events:
        return report
    report.findings = label_with_history(report.findings, events)
    report.inputs["history"] = ", ".join(str(e) for e in events)
    rows = []
    for f in report.findings:
        if f.code not in CHANGE_KINDS:
            continue
        d = f.details
        rows.append([f.code.removeprefix("change."), f.subject, d.get("decision", ""),
                     d.get("event_date", ""), d.get("event_kind", ""),
                     d.get("event_match", "none"), "yes" if d.get("confirmed") else "no"])
    report.tables.append(Table("recorded_decisions", "Division events and recorded decisions",
                               ["change", "subject", "decision", "event_date", "event_kind",
                                "match", "confirmed"], rows))
    unexplained = sum(1 for r in rows if r[5] == "none")
    report.stats["recorded_decisions"] = {"events": len(rows),
                                          "explained": len(rows) - unexplained,
                                          "confirmed": sum(r[6] == "yes" for r in rows)}
    if unexplained:
        report.notes.append(f"{unexplained} division event(s) match no recorded event in "
                            f"{report.inputs['history']}")
    return report


# --------------------------------------------------------------------------------------------
# A whole joint inspection


#: Sections and keys an ``INSPECTION.toml`` may have.
CONFIG_KEYS: dict[str, set[str]] = {
    "inspection": {"title", "crs"},
    "divisions": {"path", "previous", "layer", "id_field", "name_field", "history"},
    "lines": {"path", "layer", "code_field", "tripoints", "derive", "snap", "only"},
    "markers": {"path", "previous", "crs", "number_pattern", "number_template"},
    "other_party": {"lines", "layer", "code_field", "match"},
    "tolerances": {"max_offset", "max_shift", "max_tripoint_distance", "edgematch", "changes",
                   "min_share", "gap_width", "min_area"},
    "checks": {"coverage", "markers", "edgematch", "changes"},
    "exceptions": {"path", "tolerance"},
}
_PATH_KEYS = {("divisions", "path"), ("divisions", "previous"), ("lines", "path"),
              ("lines", "tripoints"), ("markers", "path"), ("markers", "previous"),
              ("other_party", "lines"), ("exceptions", "path")}


@dataclass
class InspectionConfig:
    """An ``INSPECTION.toml`` as read: its sections, with paths resolved against its folder."""

    path: Path
    sections: dict[str, dict[str, Any]]

    def get(self, section: str, key: str, default: Any = None) -> Any:
        """A value, or ``default`` when absent."""
        return self.sections.get(section, {}).get(key, default)

    def wants(self, check: str, *needs: tuple[str, str]) -> bool:
        """True when the check is not switched off and its inputs are given."""
        if not self.get("checks", check, True):
            return False
        return all(self.get(section, key) is not None for section, key in needs)


def load_config(path: str | Path) -> InspectionConfig:
    """Read and check an ``INSPECTION.toml``.

    Raises
    ------
    GeonamesError
        For a missing or malformed file, unknown sections or keys, values of the wrong kind.
    """
    import tomllib

    path = Path(path)
    try:
        data = tomllib.loads(read_text_file(path))
    except tomllib.TOMLDecodeError as err:
        raise InputFileError(f"{path}: not a valid TOML file ({err})") from None
    unknown = set(data) - set(CONFIG_KEYS)
    if unknown:
        raise InputFileError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(CONFIG_KEYS)}")
    sections: dict[str, dict[str, Any]] = {}
    for name, values in data.items():
        if not isinstance(values, dict):
            raise InputFileError(f"{path}: [{name}] must be a table of keys")
        bad = set(values) - CONFIG_KEYS[name]
        if bad:
            raise InputFileError(f"{path}: unknown key(s) in [{name}]: {', '.join(sorted(bad))}"
                                 f"; known: {', '.join(sorted(CONFIG_KEYS[name]))}")
        section = dict(values)
        for key, value in values.items():
            if (name, key) in _PATH_KEYS:
                if not isinstance(value, str):
                    raise InputFileError(f"{path}: [{name}] {key} must be a path (a string)")
                section[key] = (path.parent / value).resolve()
            elif name in ("tolerances",) and not isinstance(value, int | float):
                raise InputFileError(f"{path}: [{name}] {key} must be a number of metres")
            elif name == "checks" and not isinstance(value, bool):
                raise InputFileError(f"{path}: [checks] {key} must be true or false")
        sections[name] = section
    if "lines" in sections and "path" not in sections["lines"] \
            and not sections["lines"].get("derive"):
        raise InputFileError(f"{path}: [lines] needs a path, or derive = true")
    return InspectionConfig(path, sections)


def run_inspection(config_path: str | Path, crs: str | None = None, sections: bool = True,
                   progress: Progress = _quiet) -> Report:
    """Run every check an ``INSPECTION.toml`` asks for and build one report.

    Checks, each run when its inputs are given (and ``[checks]`` does not switch it off):
    coverage of the divisions; changes from the previous round's divisions; the markers
    against the lines (and the previous round's markers); the other party's lines against
    ours (edge-matching). Approved exceptions (``[exceptions] path``) apply to all findings.
    The report has one section per line with markers or findings.
    """
    from geonames.coverage import DEFAULT_EXCEPTION_TOLERANCE, apply_exceptions

    start = time.perf_counter()
    cfg = load_config(config_path)
    tol = cfg.sections.get("tolerances", {})
    crs = crs or cfg.get("inspection", "crs")
    findings: list[Finding] = []
    tables: list[Table] = []
    layers: list[MapLayer] = []
    notes: list[str] = []
    stats: dict[str, Any] = {}
    inputs: dict[str, Any] = {"config": str(config_path),
                              "title": cfg.get("inspection", "title", "Joint inspection")}
    where: dict[tuple[str, str], str] = {}

    division_table = None
    if cfg.get("divisions", "path") is not None:
        progress(f"reading {cfg.get('divisions', 'path')}")
        division_table = read_divisions(cfg.get("divisions", "path"),
                                        cfg.get("divisions", "layer"),
                                        cfg.get("divisions", "id_field"),
                                        cfg.get("divisions", "name_field"))
        inputs["divisions"] = str(cfg.get("divisions", "path"))
        if division_table.crs_note:
            notes.append(f"{division_table.source}: {division_table.crs_note}")

    lines = None
    tripoints = None
    if "lines" in cfg.sections:
        if cfg.get("lines", "derive"):
            if division_table is None:
                raise InputFileError(f"{cfg.path}: [lines] derive = true needs [divisions] path")
            progress("deriving boundary lines from the divisions")
            only = cfg.get("lines", "only")
            lines, tripoints = lines_from_divisions(
                division_table, snap=float(cfg.get("lines", "snap", 0.0)), crs=crs,
                only=set(map(str, only)) if only else None)
            inputs["lines"] = lines.source
        else:
            lines = read_lines(cfg.get("lines", "path"), cfg.get("lines", "layer"),
                               code_field=cfg.get("lines", "code_field"))
            inputs["lines"] = str(cfg.get("lines", "path"))
    if division_table is not None:
        metric = metric_for([(division_table.crs, division_table.geometries)], crs)
    elif lines is not None:
        metric = metric_for([(lines.crs, lines.geometries)], crs)
    else:
        raise InputFileError(f"{cfg.path}: give [divisions] path or [lines] to inspect")
    notes.append(f"measured in {metric.label}: {metric.reason}")
    lines_crs = lines.crs if lines is not None else None
    if lines is not None:
        if lines.crs_note:
            notes.append(f"{lines.source}: {lines.crs_note}")
        if tripoints is not None:
            tripoints = reproject(tripoints, lines.crs, metric.crs)
        lines = lines.reprojected(metric.crs)
        layers.append(MapLayer("boundary lines", lines.geometries, kind="line"))

    if division_table is not None:
        div_geoms = reproject(division_table.geometries, division_table.crs, metric.crs)
        layers.insert(0, MapLayer("divisions", div_geoms, labels=[
            str(n) or str(i) for i, n in zip(division_table.ids, division_table.names,
                                             strict=True)]))

    if cfg.wants("coverage", ("divisions", "path")):
        from geonames.coverage import inspect_divisions

        progress("coverage: gaps, overlaps and mismatched edges of the divisions")
        kwargs = {k: float(tol[k]) for k in ("gap_width", "min_area") if k in tol}
        result = inspect_divisions(division_table, crs=metric, **kwargs)
        findings += result.findings
        stats["coverage"] = {"findings": len(result.findings), **result.parameters}

    history = None
    if cfg.wants("changes", ("divisions", "path"), ("divisions", "previous")):
        progress("changes since the previous round's divisions")
        old = read_divisions(cfg.get("divisions", "previous"), cfg.get("divisions", "layer"),
                             cfg.get("divisions", "id_field"),
                             cfg.get("divisions", "name_field"))
        inputs["previous_divisions"] = str(cfg.get("divisions", "previous"))
        change = compare_divisions(
            old.ids, old.names, reproject(old.geometries, old.crs, metric.crs),
            division_table.ids, division_table.names, div_geoms,
            tolerance=tol.get("changes"), min_share=float(tol.get("min_share", 0.5)))
        findings += change.findings
        tables += change_tables(change)
        stats["changes"] = change_stats(change)
        history = cfg.get("divisions", "history")

    outcome = None
    if lines is not None and cfg.wants("markers", ("markers", "path")):
        pattern = NumberPattern(cfg.get("markers", "number_pattern", DEFAULT_PATTERN.regex),
                                cfg.get("markers", "number_template",
                                        DEFAULT_PATTERN.template))
        default = lines_crs if lines_crs is not None and lines_crs.is_projected else None
        markers_crs = cfg.get("markers", "crs")
        progress(f"markers: {cfg.get('markers', 'path')}")
        register = _in_metric(read_markers(cfg.get("markers", "path"), crs=markers_crs,
                                           default_crs=default), metric)
        previous = None
        if cfg.get("markers", "previous") is not None:
            previous = _in_metric(read_markers(cfg.get("markers", "previous"), crs=markers_crs,
                                               default_crs=default), metric)
        if cfg.get("lines", "tripoints") is not None:
            found = read_tripoints(cfg.get("lines", "tripoints"))
            tripoints = reproject(found[0], found[1], metric.crs) if found else None
        limits = MarkerLimits(float(tol.get("max_offset", DEFAULT_LIMITS.max_offset)),
                              float(tol.get("max_shift", DEFAULT_LIMITS.max_shift)),
                              float(tol.get("max_tripoint_distance",
                                            DEFAULT_LIMITS.max_tripoint_distance)))
        outcome = run_markers_check(lines, register, previous, tripoints, limits, pattern)
        findings += outcome.findings
        tables.insert(0, outcome.table)
        layers.append(MapLayer("markers", _points(outcome), kind="point"))
        notes += register.notes + (previous.notes if previous is not None else [])
        stats["markers"] = outcome.stats
        inputs["markers"] = str(cfg.get("markers", "path"))
        inputs["previous_markers"] = str(cfg.get("markers", "previous") or "")

    other = None
    if lines is not None and cfg.wants("edgematch", ("other_party", "lines")):
        progress(f"edge-matching with {cfg.get('other_party', 'lines')}")
        other = read_lines(cfg.get("other_party", "lines"), cfg.get("other_party", "layer"),
                           code_field=cfg.get("other_party", "code_field")).reprojected(
                               metric.crs)
        tolerance = float(tol.get("edgematch", EDGEMATCH_TOLERANCE))
        match = run_edgematch(lines, other, tolerance, cfg.get("other_party", "match", "auto"))
        findings += match.findings
        tables.append(edgematch_table(match, lines, other))
        stats["edgematch"] = edgematch_stats(match)
        inputs["other_party_lines"] = str(cfg.get("other_party", "lines"))
        ours = {str(c) for c in lines.codes}
        for f in match.findings:
            if f.subject in ours:
                where[(f.code, f.subject)] = f.subject

    if cfg.get("exceptions", "path") is not None:
        approved = read_exceptions(cfg.get("exceptions", "path"), metric.crs)
        findings = apply_exceptions(findings, approved, float(cfg.get(
            "exceptions", "tolerance", DEFAULT_EXCEPTION_TOLERANCE)))
        inputs["exceptions"] = str(cfg.get("exceptions", "path"))
        stats["exceptions_read"] = len(approved)

    inputs["tolerances_m"] = {k: v for k, v in tol.items()}
    report = Report(check="inspection", findings=findings, crs=metric.crs,
                    metric_crs=metric.label, inputs=inputs, layers=layers, tables=tables,
                    notes=notes, stats=stats)
    if history:
        apply_history(report, [_events_path(cfg, h) for h in
                               ([history] if isinstance(history, str) else history)])
    if sections and lines is not None:
        progress("drawing a map per line")
        report.sections = line_sections(
            lines, findings, outcome, where, other,
            names=division_table.name_of() if division_table is not None else None)
    report.seconds = time.perf_counter() - start
    return report


def _events_path(cfg: InspectionConfig, value: str) -> str | Path:
    """An events file named in the config: relative to the config's folder when such a file
    exists there, else as given (e.g. ``"chongqing"`` for the shipped one)."""
    candidate = cfg.path.parent / value
    return candidate.resolve() if candidate.exists() else value


def _r(value: float, digits: int) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)
