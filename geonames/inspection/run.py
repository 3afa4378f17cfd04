"""Boundary inspections as reports: read the inputs, run the engines, build a
:class:`~geonames.document.Report`.

One function per check (:func:`changes_report`, :func:`markers_report`,
:func:`edgematch_report`) and :func:`run_inspection` for a whole joint inspection described by
an ``INSPECTION.toml`` file. The command line (``geonames inspect …``) only parses options and
calls these; a library user calls them the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geonames.boundaries.changes import compare_divisions
from geonames.boundaries.edgematch import TOLERANCE as EDGEMATCH_TOLERANCE
from geonames.boundaries.io import (
    read_lines,
    read_markers,
    read_tripoints,
)
from geonames.boundaries.markers import DEFAULT_LIMITS, MarkerLimits
from geonames.boundaries.model import DEFAULT_PATTERN, NumberPattern
from geonames.crs import reproject
from geonames.divisions.io import read_divisions, read_exceptions
from geonames.document import MapLayer, Report, Table
from geonames.errors import InputFileError
from geonames.findings import Finding
from geonames.inspection.inputs import lines_from_divisions, metric_for
from geonames.inspection.markers import in_metric, run_markers_check
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
from geonames.text import Progress, quiet, read_text_file
from geonames.values import metres, number, square_metres

# --------------------------------------------------------------------------------------------
# Lines derived from divisions






# --------------------------------------------------------------------------------------------
# Markers
























# --------------------------------------------------------------------------------------------
# Edge-matching












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
    #: Whether paths may lead outside the config's folder (``--allow-outside``).
    allow_outside: bool = False

    def get(self, section: str, key: str, default: Any = None) -> Any:
        """A value, or ``default`` when absent."""
        return self.sections.get(section, {}).get(key, default)

    def wants(self, check: str, *needs: tuple[str, str]) -> bool:
        """True when the check is not switched off and its inputs are given."""
        if not self.get("checks", check, True):
            return False
        return all(self.get(section, key) is not None for section, key in needs)


def load_config(path: str | Path, allow_outside: bool = False) -> InspectionConfig:
    """Read and check an ``INSPECTION.toml``.

    Paths in it are relative to its folder and must stay inside that folder (a config cannot
    make the tool read ``../../etc/passwd``) unless ``allow_outside``; tolerances must be
    finite numbers of metres, 0 or more (``min_share`` a share above 0 and at most 1).

    Raises
    ------
    GeonamesError
        For a missing or malformed file, unknown sections or keys, values of the wrong kind,
        paths outside the config's folder.
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
                section[key] = _inside(path, f"[{name}] {key}", value, allow_outside)
            elif name in ("tolerances",):
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise InputFileError(f"{path}: [{name}] {key} must be a number of metres")
                what = f"{path}: [{name}] {key}"
                if key == "min_share":
                    number(value, what, minimum=0.0, maximum=1.0, min_open=True)
                elif key == "min_area":
                    square_metres(value, what)
                else:
                    metres(value, what)
            elif name == "checks" and not isinstance(value, bool):
                raise InputFileError(f"{path}: [checks] {key} must be true or false")
        sections[name] = section
    if "lines" in sections and "path" not in sections["lines"] \
            and not sections["lines"].get("derive"):
        raise InputFileError(f"{path}: [lines] needs a path, or derive = true")
    return InspectionConfig(path, sections, allow_outside)


def run_inspection(config_path: str | Path, crs: str | None = None, sections: bool = True,
                   progress: Progress = quiet, allow_outside: bool = False) -> Report:
    """Run every check an ``INSPECTION.toml`` asks for and build one report.

    Checks, each run when its inputs are given (and ``[checks]`` does not switch it off):
    coverage of the divisions; changes from the previous round's divisions; the markers
    against the lines (and the previous round's markers); the other party's lines against
    ours (edge-matching). Approved exceptions (``[exceptions] path``) apply to all findings.
    The report has one section per line with markers or findings.
    """
    from geonames.divisions.coverage import DEFAULT_EXCEPTION_TOLERANCE, apply_exceptions

    start = time.perf_counter()
    cfg = load_config(config_path, allow_outside)
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
                                             strict=True)],
            ids=[str(i) for i in division_table.ids]))

    if cfg.wants("coverage", ("divisions", "path")):
        from geonames.divisions.coverage import inspect_divisions

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
        register = in_metric(read_markers(cfg.get("markers", "path"), crs=markers_crs,
                                           default_crs=default), metric)
        previous = None
        if cfg.get("markers", "previous") is not None:
            previous = in_metric(read_markers(cfg.get("markers", "previous"), crs=markers_crs,
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
        layers.append(MapLayer("markers", marker_points(outcome), kind="point"))
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


def _inside(config: Path, what: str, value: str, allow_outside: bool) -> Path:
    """``value`` resolved against the config's folder; refused outside it unless allowed."""
    if "\x00" in value:
        raise InputFileError(f"{config}: {what} contains a NUL character")
    folder = config.resolve().parent
    resolved = (folder / value).resolve()
    if not allow_outside and not resolved.is_relative_to(folder):
        raise InputFileError(f"{config}: {what} {value!r} is outside the config's folder "
                             f"{folder} (move the file there, or give --allow-outside)")
    return resolved


def _events_path(cfg: InspectionConfig, value: str) -> str | Path:
    """An events file named in the config: relative to the config's folder when such a file
    exists there, else as given (e.g. ``"chongqing"`` for the shipped one)."""
    candidate = cfg.path.parent / value
    if candidate.exists():
        return _inside(cfg.path, "[divisions] history", value, cfg.allow_outside)
    return value


