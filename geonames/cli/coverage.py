"""``geonames inspect coverage``: gaps, overlaps and mismatched edges of a layer of divisions."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click
import numpy as np
import shapely
from pyproj import CRS

from geonames.cli.common import (
    Progress,
    crs_option,
    encoding_option,
    finish,
    id_field_option,
    layer_option,
    name_field_option,
    out_option,
    quiet_option,
)
from geonames.coverage import (
    DEFAULT_EXCEPTION_TOLERANCE,
    DEFAULT_GAP_WIDTH,
    DEFAULT_MIN_AREA,
    ApprovedException,
    CoverageResult,
    inspect_divisions,
    metric_crs_of,
)
from geonames.crs import WGS84, lonlat_bounds_ok, reproject
from geonames.errors import InputFileError
from geonames.findings import Severity
from geonames.io import read_divisions, read_layer
from geonames.report import MapLayer, Report, Table

_METRES = click.FloatRange(min=0.0)


@click.command("coverage")
@click.argument("divisions", type=click.Path())
@layer_option
@id_field_option
@name_field_option
@encoding_option
@click.option("--gap-width", type=_METRES, default=DEFAULT_GAP_WIDTH, show_default=True,
              metavar="M",
              help="Open inlets between divisions narrower than this (metres) are reported "
                   "(coverage.gap_open). Enclosed gaps are reported whatever their width.")
@click.option("--min-area", type=_METRES, default=DEFAULT_MIN_AREA, show_default=True,
              metavar="M2",
              help="Overlaps and gaps smaller than this (m²) are dropped; their edges show as "
                   "coverage.edge_mismatch instead.")
@click.option("--sliver-width", type=_METRES, default=None, metavar="M",
              help="Elongated polygon parts (Polsby–Popper < 0.3) narrower than this "
                   "(metres), and specks under --min-area, are coverage.sliver. "
                   "Default: the gap width.")
@click.option("--exceptions", "exceptions_path", type=click.Path(), default=None,
              metavar="FILE",
              help="Approved exceptions: a vector file or CSV whose rows have any of "
                   "'code', 'subject' (ids, comma-separated) and a geometry. Matching findings "
                   "are counted and listed as excepted, not as errors. Rows copied from "
                   "findings.csv work as they are.")
@click.option("--exception-tolerance", type=_METRES, default=DEFAULT_EXCEPTION_TOLERANCE,
              show_default=True, metavar="M",
              help="An exception's geometry is widened by this (metres) when matching.")
@crs_option
@out_option()
@quiet_option
def coverage(divisions: str, layer: str | None, id_field: str | None, name_field: str | None,
             encoding: str | None, gap_width: float, min_area: float,
             sliver_width: float | None, exceptions_path: str | None,
             exception_tolerance: float, crs: str | None, out_dir: str, quiet: bool) -> int:
    """Inspect a layer of divisions as a coverage: overlaps, gaps, open inlets, mismatched
    edges, slivers, invalid geometry, duplicate ids, empty divisions.

    Everything is measured in metres in a metric CRS (a Gauss–Krüger zone in China, else
    UTM; or --crs). Writes summary.json, findings.csv, findings.gpkg, divisions.csv and
    report.html into --out.

    Exit code 0 when there are no error findings, 1 when there are, 2 for bad input.

    \b
    Examples:
      geonames inspect coverage fixtures/chongqing/divisions.geojson --out report
      geonames inspect coverage counties.shp --id-field XZQDM --name-field XZQMC \\
          --gap-width 20 --min-area 10 --exceptions approved.csv --out audit-2025
    """
    start = time.perf_counter()
    progress = Progress(quiet)
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
        exceptions=exceptions, exception_tolerance=exception_tolerance, progress=progress)
    inputs = {
        "divisions": str(divisions),
        "layer": layer,
        "features": len(table),
        "id_source": table.id_source,
        "gap_width_m": gap_width,
        "min_area_m2": min_area,
        "sliver_width_m": result.parameters["sliver_width"],
        "exceptions": exceptions_path,
        "exceptions_read": len(exceptions),
        "title": f"{Path(divisions).name} — coverage",
    }
    report = coverage_report(result, inputs, seconds=time.perf_counter() - start,
                             crs_note=table.crs_note)
    progress(f"writing the report into {out_dir}")
    return finish(report, out_dir, quiet)


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


def read_exceptions(path: str | os.PathLike, metric_crs: CRS) -> list[ApprovedException]:
    """Approved exceptions from a vector file or CSV, geometries in ``metric_crs``.

    Fields used (all optional, but each row needs at least one of them or a geometry):
    ``code``; ``subject`` or ``ids`` (division ids, comma-separated); ``note``. Geometries
    are taken in the file's CRS; without one, as longitude/latitude when they fit, else as
    already in ``metric_crs`` (which is what findings.csv / findings.gpkg hold).
    """
    raw = read_layer(path)
    fields = {k.lower(): k for k in raw.fields}
    id_field = fields.get("subject") or fields.get("ids")
    code_field = fields.get("code")
    note_field = fields.get("note") or fields.get("reason")
    has_geom = ~shapely.is_missing(raw.geometries)
    if id_field is None and code_field is None and not has_geom.any():
        raise InputFileError(
            f"{path}: an exceptions file needs a 'code' or 'subject' column or geometries; "
            f"it has only: {', '.join(raw.fields) or '(no fields)'}")
    geoms = raw.geometries
    if has_geom.any():
        if raw.declared_crs is not None:
            src = raw.declared_crs
        elif lonlat_bounds_ok(raw.bounds):
            src = WGS84
        else:
            src = metric_crs
        geoms = reproject(geoms, src, metric_crs)
    out = []
    for props, geom in zip(raw.properties, geoms, strict=True):
        ids = _text(props.get(id_field)) if id_field else ""
        code = _text(props.get(code_field)) if code_field else ""
        out.append(ApprovedException(
            code=code or None,
            ids=frozenset(i.strip() for i in ids.split(",") if i.strip()) or None,
            geometry=geom if geom is not None and not geom.is_empty else None,
            note=_text(props.get(note_field)) if note_field else ""))
    return out


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _r(value: float, digits: int) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)

