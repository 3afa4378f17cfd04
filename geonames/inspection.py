"""Boundary inspections as reports: read the inputs, run the engines, build a
:class:`~geonames.report.Report`.

One function per check (:func:`changes_report`, :func:`markers_report`,
:func:`edgematch_report`) and :func:`run_inspection` for a whole joint inspection described by
an ``INSPECTION.toml`` file. The command line (``geonames inspect …``) only parses options and
calls these; a library user calls them the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from geonames.changes import ChangeResult, compare_divisions, compare_lines
from geonames.crs import MetricCRS, choose_metric_crs, reproject
from geonames.errors import InputFileError
from geonames.io import POLYGONAL, read_divisions, read_layer
from geonames.markers_io import read_lines
from geonames.report import MapLayer, Report, Table

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
    layers.append(MapLayer("old borders", result.offsets.old_lines, kind="line"))
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
