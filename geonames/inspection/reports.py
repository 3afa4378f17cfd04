"""Report builders of the inspection checks: each returns a :class:`~geonames.document.Report`
(coverage, changes between rounds, markers, edge-matching, one section per boundary line);
writing it is :mod:`geonames.report`'s job.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from geonames.boundaries.changes import ChangeResult, compare_divisions, compare_lines
from geonames.boundaries.edgematch import TOLERANCE as EDGEMATCH_TOLERANCE
from geonames.boundaries.edgematch import EdgematchResult, edgematch
from geonames.boundaries.io import (
    LineLayer,
    read_lines,
)
from geonames.boundaries.markers import DEFAULT_LIMITS, MarkerLimits
from geonames.boundaries.model import DEFAULT_PATTERN, NumberPattern
from geonames.crs import reproject
from geonames.divisions.coverage import (
    DEFAULT_EXCEPTION_TOLERANCE,
    DEFAULT_GAP_WIDTH,
    DEFAULT_MIN_AREA,
    ApprovedException,
    CoverageResult,
    inspect_divisions,
    metric_crs_of,
)
from geonames.divisions.history import CHANGE_KINDS
from geonames.divisions.history_io import label_with_history
from geonames.divisions.io import read_divisions, read_exceptions
from geonames.document import MapLayer, Report, Section, Table
from geonames.errors import InputFileError
from geonames.findings import Finding, Severity
from geonames.inspection.inputs import Layer, metric_for, read_divisions_or_lines
from geonames.inspection.markers import (
    MARKER_TABLE_COLUMNS,
    MarkerOutcome,
    read_marker_inputs,
    run_markers_check,
)
from geonames.report.writers import ordered
from geonames.text import Progress, quiet

#: Map colour of the other party's lines (and of the previous round's borders).
OTHER_PARTY_COLOUR = "#c2187a"


def coverage_report(result: CoverageResult, inputs: dict, seconds: float = 0.0,
                    crs_note: str | None = None) -> Report:
    """The :class:`~geonames.document.Report` of a coverage inspection: findings over a map of
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
    rows = [[str(i), str(n), round_or_none(a / 1e6, 3), round_or_none(p / 1e3, 3), counts.get(str(i), 0),
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
        layers=[MapLayer("divisions", geoms, labels=labels, kind="polygon",
                         ids=[str(i) for i in result.ids])],
        tables=[Table("divisions", "Divisions",
                      ["id", "name", "area_km2", "perimeter_km", "findings", "errors"], rows)],
        notes=notes,
        stats=result.stats,
    )


def coverage_file_report(
    divisions: str | Path,
    *,
    layer: str | None = None,
    id_field: str | None = None,
    name_field: str | None = None,
    encoding: str | None = None,
    gap_width: float = DEFAULT_GAP_WIDTH,
    min_area: float = DEFAULT_MIN_AREA,
    sliver_width: float | None = None,
    exceptions_path: str | Path | None = None,
    exception_tolerance: float = DEFAULT_EXCEPTION_TOLERANCE,
    crs: str | None = None,
    progress: Progress = quiet,
    repair_method: str = "structure",
) -> Report:
    """The report of ``geonames inspect coverage``: read a division layer (and approved
    exceptions), inspect it as a coverage (:func:`geonames.divisions.coverage.inspect_divisions`)
    and build the report. Widths in metres, areas in m².
    """
    start = time.perf_counter()
    table = read_divisions(divisions, layer=layer, id_field=id_field, name_field=name_field,
                           encoding=encoding, crs=crs)
    progress(f"read {len(table)} divisions from {divisions} (ids from {table.id_source})")
    metric = metric_crs_of(table, crs)
    exceptions: list[ApprovedException] = []
    if exceptions_path:
        progress(f"reading exceptions {exceptions_path}")
        exceptions = read_exceptions(exceptions_path, metric.crs)
    result = inspect_divisions(
        table, crs=metric, gap_width=gap_width, min_area=min_area, sliver_width=sliver_width,
        exceptions=exceptions, exception_tolerance=exception_tolerance, progress=progress,
        repair_method=repair_method)
    inputs = {
        "divisions": str(divisions),
        "layer": layer,
        "features": len(table),
        "id_source": table.id_source,
        "gap_width_m": gap_width,
        "min_area_m2": min_area,
        "sliver_width_m": result.parameters["sliver_width"],
        "repair": repair_method,
        "exceptions": str(exceptions_path) if exceptions_path else None,
        "exceptions_read": len(exceptions),
        "title": f"{Path(divisions).name} — coverage",
    }
    return coverage_report(result, inputs, seconds=time.perf_counter() - start,
                           crs_note=table.crs_note)


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
    progress: Progress = quiet,
) -> Report:
    """Compare two rounds of divisions (or of boundary lines) and build the report.

    Parameters
    ----------
    old_path, new_path
        The earlier and the later round; both division polygons or both lines.
    tolerance : float, optional
        Metres; border offsets beyond it are ``change.line_moved``. Default: the resolution of
        the coarser round (see :mod:`geonames.boundaries.changes`).
    min_share : float, optional
        Share of a division's area an overlap must hold to link old and new (default 0.5).
    layer, id_field, name_field, encoding
        How to read both files.
    crs : str, optional
        Metric CRS to measure in.
    """
    from geonames.boundaries.changes import MIN_SHARE

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
    progress: Progress = quiet,
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
                MapLayer("markers", marker_points(outcome), kind="point")],
        tables=[outcome.table], notes=notes, stats=outcome.stats)
    if sections:
        progress("drawing a map per line")
        report.sections = line_sections(lines, outcome.findings, outcome)
    report.seconds = time.perf_counter() - start
    return report


def marker_points(outcome: MarkerOutcome) -> np.ndarray:
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
        if other is not None and code in other_index:
            layers.append(MapLayer("other party", np.array(
                [other.geometries[other_index[code]]], dtype=object), kind="line",
                colour=OTHER_PARTY_COLOUR, style="dashed"))
        points = markers.points_by_line.get(code, []) if markers is not None else []
        if points:
            layers.append(MapLayer("markers", np.array([g for g, _ in points], dtype=object),
                                   labels=[label for _, label in points], kind="point"))
        sides, title, title_zh, sides_zh = "", f"Line {code}", f"界线 {code}", ""
        if lines.left_ids[k] and lines.right_ids[k]:
            left, right = str(lines.left_ids[k]), str(lines.right_ids[k])
            sides = (f" between {names.get(left, '')} {left} (left) and "
                     f"{names.get(right, '')} {right} (right)").replace("  ", " ")
            sides_zh = (f"，左侧 {names.get(left, '')} {left}，右侧 "
                        f"{names.get(right, '')} {right}").replace("  ", " ")
            if names.get(left) and names.get(right):
                title += f" {names[left]} | {names[right]}"
                title_zh += f" {names[left]}｜{names[right]}"
        km = lines.geometries[k].length / 1000
        text = (f"Line {code}{sides}, {km:,.2f} km; "
                f"{len(rows)} marker{'' if len(rows) == 1 else 's'}, "
                f"{len(items)} finding{'' if len(items) == 1 else 's'}.")
        text_zh = f"界线 {code}{sides_zh}，长 {km:,.2f} km；界桩 {len(rows)} 个，问题 {len(items)} 个。"
        # Named like the whole table, so that no CSV per line is written (markers.csv has all).
        tables = [Table("markers", f"Markers of line {code}", MARKER_TABLE_COLUMNS,
                        rows, titles={"zh": f"界线 {code} 的界桩"})] if rows else []
        sections.append(Section(title, layers, ordered(items), tables, text,
                                titles={"zh": title_zh}, texts={"zh": text_zh}))
    return sections


def edgematch_report(
    a_path: str | Path,
    b_path: str | Path,
    tolerance: float = EDGEMATCH_TOLERANCE,
    by: str = "auto",
    layer: str | None = None,
    code_field: str | None = None,
    crs: str | None = None,
    progress: Progress = quiet,
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
    """:func:`geonames.boundaries.edgematch.edgematch` on two line layers (same metric CRS)."""
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


def round_or_none(value: float, digits: int) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)
