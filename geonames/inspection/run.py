"""A whole joint inspection described by an ``INSPECTION.toml``: read the inputs, run every check
it asks for, and build one :class:`~geonames.document.Report` with a section per boundary line.

:func:`run_inspection` is a sequence of named steps (:func:`read_inputs`, then one step per
check), each adding its findings, tables, map layers and figures to an :class:`Inspection`. The
command line (``geonames inspect run``) only parses options and calls it; a library user calls
it the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from geonames.boundaries.changes import compare_divisions
from geonames.boundaries.edgematch import TOLERANCE as EDGEMATCH_TOLERANCE
from geonames.boundaries.io import (
    LineLayer,
    MarkerRegister,
    read_lines,
    read_markers,
    read_tripoints,
)
from geonames.boundaries.markers import DEFAULT_LIMITS, MarkerLimits
from geonames.boundaries.model import DEFAULT_PATTERN, NumberPattern
from geonames.crs import MetricCRS, reproject
from geonames.divisions.coverage import (
    DEFAULT_EXCEPTION_TOLERANCE,
    DEFAULT_GAP_WIDTH,
    DEFAULT_MIN_AREA,
    apply_exceptions,
    inspect_divisions,
)
from geonames.divisions.io import read_divisions, read_exceptions
from geonames.divisions.model import DivisionTable
from geonames.document import MapLayer, Report, Table
from geonames.errors import InputFileError
from geonames.findings import Finding
from geonames.inspection.config import InspectionConfig, events_path, load_config
from geonames.inspection.inputs import lines_from_divisions, metric_for
from geonames.inspection.markers import MarkerOutcome, in_metric, run_markers_check
from geonames.inspection.reports import (
    apply_history,
    change_stats,
    change_tables,
    edgematch_stats,
    edgematch_table,
    line_sections,
    marker_points,
    run_edgematch,
)
from geonames.inspection.results import build_results, read_features, results_options
from geonames.text import Progress, quiet

__all__ = ["Inspection", "load_config", "read_inputs", "run_inspection"]


@dataclass
class Inspection:
    """What the steps of a joint inspection read and found so far.

    ``divisions`` and ``lines`` are in their own CRS as read, except ``lines`` which is brought
    into ``metric`` by :func:`read_inputs`; ``division_geometries`` are the divisions in
    ``metric``. ``where`` maps (code, subject) of a finding to the line section it belongs to.
    """

    cfg: InspectionConfig
    metric: MetricCRS
    divisions: DivisionTable | None = None
    division_geometries: np.ndarray | None = None
    lines: LineLayer | None = None
    lines_crs: Any = None
    tripoints: np.ndarray | None = None
    findings: list[Finding] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    layers: list[MapLayer] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    where: dict[tuple[str, str], str] = field(default_factory=dict)
    markers: MarkerOutcome | None = None
    register: MarkerRegister | None = None
    previous_register: MarkerRegister | None = None
    other: LineLayer | None = None
    history: Any = None

    @property
    def tolerances(self) -> dict[str, Any]:
        """``[tolerances]`` of the config (metres, or a share for ``min_share``)."""
        return self.cfg.sections.get("tolerances", {})


def run_inspection(config_path: str | Path, crs: str | None = None, sections: bool = True,
                   progress: Progress = quiet, allow_outside: bool = False) -> Report:
    """Run every check an ``INSPECTION.toml`` asks for and build one report.

    Checks, each run when its inputs are given (and ``[checks]`` does not switch it off):
    coverage of the divisions; changes from the previous round's divisions; the markers
    against the lines (and the previous round's markers); the other party's lines against
    ours (edge-matching). Approved exceptions (``[exceptions] path``) apply to all findings.
    The report has one section per line with markers or findings.
    """
    start = time.perf_counter()
    run = read_inputs(load_config(config_path, allow_outside), crs, progress)
    check_coverage(run, progress)
    check_changes(run, progress)
    check_markers_against_lines(run, progress)
    check_edgematch(run, progress)
    apply_approved_exceptions(run)
    report = build_report(run, sections, progress)
    add_results(run, report, progress)
    report.seconds = time.perf_counter() - start
    return report


def read_inputs(cfg: InspectionConfig, crs: str | None = None,
                progress: Progress = quiet) -> Inspection:
    """Read the divisions and lines the config names (or derive the lines), choose the metric
    CRS every check measures in, and bring the lines into it."""
    crs = crs or cfg.get("inspection", "crs")
    inputs: dict[str, Any] = {"config": str(cfg.path),
                              "title": cfg.get("inspection", "title", "Joint inspection")}
    notes: list[str] = []
    table = None
    if cfg.get("divisions", "path") is not None:
        progress(f"reading {cfg.get('divisions', 'path')}")
        table = read_divisions(cfg.get("divisions", "path"), cfg.get("divisions", "layer"),
                               cfg.get("divisions", "id_field"),
                               cfg.get("divisions", "name_field"))
        inputs["divisions"] = str(cfg.get("divisions", "path"))
        if table.crs_note:
            notes.append(f"{table.source}: {table.crs_note}")
    lines, tripoints = _read_lines(cfg, table, crs, inputs, progress)
    if table is not None:
        metric = metric_for([(table.crs, table.geometries)], crs)
    elif lines is not None:
        metric = metric_for([(lines.crs, lines.geometries)], crs)
    else:
        raise InputFileError(f"{cfg.path}: give [divisions] path or [lines] to inspect")
    notes.append(f"measured in {metric.label}: {metric.reason}")
    run = Inspection(cfg, metric, divisions=table, inputs=inputs, notes=notes)
    if lines is not None:
        run.lines_crs = lines.crs
        if lines.crs_note:
            notes.append(f"{lines.source}: {lines.crs_note}")
        if tripoints is not None:
            run.tripoints = reproject(tripoints, lines.crs, metric.crs)
        run.lines = lines.reprojected(metric.crs)
        run.layers.append(MapLayer("boundary lines", run.lines.geometries, kind="line"))
    if table is not None:
        run.division_geometries = reproject(table.geometries, table.crs, metric.crs)
        run.layers.insert(0, MapLayer("divisions", run.division_geometries, labels=[
            str(n) or str(i) for i, n in zip(table.ids, table.names, strict=True)],
            ids=[str(i) for i in table.ids]))
    return run


def _read_lines(cfg: InspectionConfig, table: DivisionTable | None, crs: str | None,
                inputs: dict[str, Any], progress: Progress
                ) -> tuple[LineLayer | None, np.ndarray | None]:
    """The ``[lines]`` of the config, read or derived from the divisions (with tripoints)."""
    if "lines" not in cfg.sections:
        return None, None
    if cfg.get("lines", "derive"):
        if table is None:
            raise InputFileError(f"{cfg.path}: [lines] derive = true needs [divisions] path")
        progress("deriving boundary lines from the divisions")
        only = cfg.get("lines", "only")
        lines, tripoints = lines_from_divisions(
            table, snap=float(cfg.get("lines", "snap", 0.0)), crs=crs,
            only=set(map(str, only)) if only else None)
        inputs["lines"] = lines.source
        return lines, tripoints
    lines = read_lines(cfg.get("lines", "path"), cfg.get("lines", "layer"),
                       code_field=cfg.get("lines", "code_field"))
    inputs["lines"] = str(cfg.get("lines", "path"))
    return lines, None


def check_coverage(run: Inspection, progress: Progress = quiet) -> None:
    """Gaps, overlaps and mismatched edges of the divisions."""
    if run.divisions is None or not run.cfg.wants("coverage", ("divisions", "path")):
        return
    progress("coverage: gaps, overlaps and mismatched edges of the divisions")
    tol = run.tolerances
    result = inspect_divisions(
        run.divisions, crs=run.metric,
        gap_width=float(tol.get("gap_width", DEFAULT_GAP_WIDTH)),
        min_area=float(tol.get("min_area", DEFAULT_MIN_AREA)),
        repair_method=str(run.cfg.get("divisions", "repair", "structure")))
    run.findings += result.findings
    run.stats["coverage"] = {"findings": len(result.findings), **result.parameters}


def check_changes(run: Inspection, progress: Progress = quiet) -> None:
    """What changed since the previous round's divisions."""
    cfg = run.cfg
    if run.divisions is None or run.division_geometries is None \
            or not cfg.wants("changes", ("divisions", "path"), ("divisions", "previous")):
        return
    progress("changes since the previous round's divisions")
    old = read_divisions(cfg.get("divisions", "previous"), cfg.get("divisions", "layer"),
                         cfg.get("divisions", "id_field"), cfg.get("divisions", "name_field"))
    run.inputs["previous_divisions"] = str(cfg.get("divisions", "previous"))
    change = compare_divisions(
        old.ids, old.names, reproject(old.geometries, old.crs, run.metric.crs),
        run.divisions.ids, run.divisions.names, run.division_geometries,
        tolerance=run.tolerances.get("changes"),
        min_share=float(run.tolerances.get("min_share", 0.5)))
    run.findings += change.findings
    run.tables += change_tables(change)
    run.stats["changes"] = change_stats(change)
    run.history = cfg.get("divisions", "history")


def check_markers_against_lines(run: Inspection, progress: Progress = quiet) -> None:
    """The markers against the lines, the tripoints and the previous round's markers."""
    cfg, tol = run.cfg, run.tolerances
    if run.lines is None or not cfg.wants("markers", ("markers", "path")):
        return
    pattern = NumberPattern(cfg.get("markers", "number_pattern", DEFAULT_PATTERN.regex),
                            cfg.get("markers", "number_template", DEFAULT_PATTERN.template))
    default = run.lines_crs if run.lines_crs is not None and run.lines_crs.is_projected \
        else None
    markers_crs = cfg.get("markers", "crs")
    progress(f"markers: {cfg.get('markers', 'path')}")
    register = in_metric(read_markers(cfg.get("markers", "path"), crs=markers_crs,
                                      default_crs=default), run.metric)
    previous = None
    if cfg.get("markers", "previous") is not None:
        previous = in_metric(read_markers(cfg.get("markers", "previous"), crs=markers_crs,
                                          default_crs=default), run.metric)
    if cfg.get("lines", "tripoints") is not None:
        found = read_tripoints(cfg.get("lines", "tripoints"))
        run.tripoints = reproject(found[0], found[1], run.metric.crs) if found else None
    limits = MarkerLimits(float(tol.get("max_offset", DEFAULT_LIMITS.max_offset)),
                          float(tol.get("max_shift", DEFAULT_LIMITS.max_shift)),
                          float(tol.get("max_tripoint_distance",
                                        DEFAULT_LIMITS.max_tripoint_distance)))
    outcome = run_markers_check(run.lines, register, previous, run.tripoints, limits, pattern)
    run.markers = outcome
    run.register, run.previous_register = register, previous
    run.findings += outcome.findings
    run.tables.insert(0, outcome.table)
    run.layers.append(MapLayer("markers", marker_points(outcome), kind="point"))
    run.notes += register.notes + (previous.notes if previous is not None else [])
    run.stats["markers"] = outcome.stats
    run.inputs["markers"] = str(cfg.get("markers", "path"))
    run.inputs["previous_markers"] = str(cfg.get("markers", "previous") or "")


def check_edgematch(run: Inspection, progress: Progress = quiet) -> None:
    """The other party's version of the lines against ours."""
    cfg = run.cfg
    if run.lines is None or not cfg.wants("edgematch", ("other_party", "lines")):
        return
    progress(f"edge-matching with {cfg.get('other_party', 'lines')}")
    other = read_lines(cfg.get("other_party", "lines"), cfg.get("other_party", "layer"),
                       code_field=cfg.get("other_party", "code_field")).reprojected(
                           run.metric.crs)
    tolerance = float(run.tolerances.get("edgematch", EDGEMATCH_TOLERANCE))
    match = run_edgematch(run.lines, other, tolerance, cfg.get("other_party", "match", "auto"))
    run.other = other
    run.findings += match.findings
    run.tables.append(edgematch_table(match, run.lines, other))
    run.stats["edgematch"] = edgematch_stats(match)
    run.inputs["other_party_lines"] = str(cfg.get("other_party", "lines"))
    ours = {str(c) for c in run.lines.codes}
    for f in match.findings:
        if f.subject in ours:
            run.where[(f.code, f.subject)] = f.subject


def apply_approved_exceptions(run: Inspection) -> None:
    """Mark the findings an ``[exceptions] path`` file approves as excepted."""
    cfg = run.cfg
    if cfg.get("exceptions", "path") is None:
        return
    approved = read_exceptions(cfg.get("exceptions", "path"), run.metric.crs)
    run.findings = apply_exceptions(run.findings, approved, float(cfg.get(
        "exceptions", "tolerance", DEFAULT_EXCEPTION_TOLERANCE)))
    run.inputs["exceptions"] = str(cfg.get("exceptions", "path"))
    run.stats["exceptions_read"] = len(approved)


def build_report(run: Inspection, sections: bool = True, progress: Progress = quiet) -> Report:
    """The report of the run: findings labelled with the division history the config names,
    and (with ``sections``) one section with a map per boundary line."""
    run.inputs["tolerances_m"] = dict(run.tolerances)
    report = Report(check="inspection", findings=run.findings, crs=run.metric.crs,
                    metric_crs=run.metric.label, inputs=run.inputs, layers=run.layers,
                    tables=run.tables, notes=run.notes, stats=run.stats)
    if run.history:
        history = [run.history] if isinstance(run.history, str) else run.history
        apply_history(report, [events_path(run.cfg, h) for h in history])
    if sections and run.lines is not None:
        progress("drawing a map per line")
        report.sections = line_sections(
            run.lines, run.findings, run.markers, run.where, run.other,
            names=run.divisions.name_of() if run.divisions is not None else None)
    return report


def add_results(run: Inspection, report: Report, progress: Progress = quiet) -> None:
    """The result documents (界桩登记表, 界桩成果表, 边界点成果表, 边界线走向说明), when the
    markers were checked and ``[results] write`` is not false: ``report.documents["results"]``,
    written to ``results/`` with the report."""
    options = results_options(run.cfg.sections.get("results", {}), run.cfg.path)
    outcome = run.markers
    if not options["write"] or run.lines is None or outcome is None or outcome.check is None \
            or run.register is None:
        return
    progress("result documents: marker register and coordinates, boundary points, courses")
    divisions = None
    if run.divisions is not None and run.division_geometries is not None:
        from geonames.geometry import repair

        divisions = dict(zip((str(i) for i in run.divisions.ids),
                             repair(run.division_geometries).geometries, strict=True))
    features = read_features(options["features"], run.metric.crs,
                             options["feature_name_field"]) if options["features"] else ()
    results = build_results(
        str(run.inputs.get("title", "")), run.metric, run.lines, run.register, outcome.check,
        run.previous_register, run.tripoints,
        names=run.divisions.name_of() if run.divisions is not None else None,
        divisions=divisions, findings=report.findings,
        compass_points=options["compass_points"], generalise=options["generalise"],
        point_tolerance=options["point_tolerance"], features=features)
    results.lang, results.pdf, results.xlsx = options["lang"], options["pdf"], options["xlsx"]
    report.documents["results"] = results
