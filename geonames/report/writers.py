"""Write a :class:`~geonames.document.Report` to a folder, and format it for the terminal.

Files written (every check): ``summary.json``, ``findings.csv``, ``findings.gpkg`` (layers
``findings_polygon``, ``findings_line``, ``findings_point``, only those with rows),
``report.html`` (:mod:`geonames.report.html`) and one CSV per extra table. Every finding is
in each file under the same stable id, in the same order (errors, warnings, info).

A report folder holds one report: writing into a folder that holds other files is refused
(:class:`ReportFolderError`) unless ``force``, which first removes the older report's files.
"""

from __future__ import annotations

import csv
import json
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import shapely

from geonames.document import Report, Table
from geonames.errors import GeonamesError
from geonames.findings import Finding
from geonames.report.html import render_html
from geonames.report.i18n import layer_label
from geonames.report.ids import finding_ids, ordered
from geonames.report.maps import render_map
from geonames.vector import write_features

FINDING_FIELDS = ["id", "code", "severity", "subject", "value", "limit", "unit", "message",
                  "excepted", "lon", "lat", "x", "y"]
GPKG_SCHEMA = {"id": "str", "code": "str", "severity": "str", "subject": "str",
               "value": "float", "limit": "float", "unit": "str", "message": "str",
               "excepted": "int", "lon": "float", "lat": "float", "x": "float", "y": "float"}
#: Files every report writes; an older report's files are these and its tables' CSVs.
REPORT_FILES = ("summary.json", "findings.csv", "findings.gpkg", "report.html")

__all__ = ["FINDING_FIELDS", "ReportFolderError", "finding_row", "format_summary", "ordered",
           "write_report"]


class ReportFolderError(GeonamesError):
    """The output folder holds files of another report (or other files)."""


def write_report(report: Report, out_dir: str | os.PathLike, *, lang: str = "zh",
                 force: bool = False, print_map: bool = True) -> dict[str, Path]:
    """Write every file of the report into ``out_dir`` (created if absent).

    Parameters
    ----------
    report : Report
    out_dir : path
        The report folder. It must be absent or empty, unless ``force``: then the files of
        the older report in it are removed first (other files are left alone, and refused).
    lang : ``"zh"`` (default) or ``"en"``
        Language of ``report.html``.
    force : bool
    print_map : bool
        Put the static overview map (PNG, for print) into ``report.html``.

    Returns the paths written, by kind (``"summary"``, ``"csv"``, ``"gpkg"``, ``"html"``,
    and the table names).
    """
    out = Path(out_dir)
    prepare_folder(out, force)
    findings = ordered(report.findings)
    ids = finding_ids(findings)
    places = finding_places(findings, report)
    paths = {
        "summary": out / "summary.json",
        "csv": out / "findings.csv",
        "gpkg": out / "findings.gpkg",
        "html": out / "report.html",
    }
    write_findings_csv(findings, paths["csv"], ids, places)
    write_findings_gpkg(findings, paths["gpkg"], report, ids, places)
    for table in _all_tables(report):
        paths[table.name] = out / f"{table.name}.csv"
        write_table_csv(table, paths[table.name])
    png = None
    section_maps: list[bytes | None] = []
    if print_map:
        names = {layer.name: layer_label(lang, layer.name) for layer in report.layers}
        for section in report.sections:
            names.update({layer.name: layer_label(lang, layer.name) for layer in section.layers})
        if report.layers or any(f.geometry is not None for f in findings):
            png = render_map(report.layers, findings, ids=ids, lang=lang, layer_names=names,
                             title=str(report.inputs.get("title", "")))
        by_object = {id(f): i for f, i in zip(findings, ids, strict=True)}
        section_maps = [render_map(s.layers, s.findings, title=s.titles.get(lang) or s.title,
                                   size=(8, 5.5), lang=lang, layer_names=names,
                                   ids=[by_object.get(id(f), "") for f in s.findings])
                        if s.layers else None for s in report.sections]
    paths["html"].write_text(render_html(report, lang, print_map=png,
                                         section_maps=section_maps), encoding="utf-8")
    results = report.documents.get("results")
    if results is not None:  # the result documents of a joint inspection, in results/
        from geonames.report.results import write_results

        # In the language the config's [results] names, else in the report's (--lang).
        write_results(results, out / "results", lang=results.lang or lang)
        paths["results"] = out / "results"
    summary = report.summary()
    summary["files"] = sorted(p.name for p in paths.values() if p.exists()) + ["summary.json"]
    summary["files"] = sorted(set(summary["files"]))
    paths["summary"].write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
    return paths


def prepare_folder(out: Path, force: bool) -> None:
    """Make ``out`` ready for a new report: create it, or check that it is empty; with
    ``force``, remove the files of the older report in it first."""
    if out.exists() and not out.is_dir():
        raise ReportFolderError(f"{out}: not a folder")
    if not out.exists():
        out.mkdir(parents=True)
        return
    present = sorted(p.name for p in out.iterdir())
    if not present:
        return
    if not force:
        raise ReportFolderError(
            f"{out} already holds {_listing(present)}: give another --out, or --force to "
            "replace the older report")
    older = set(_older_report_files(out))
    others = [name for name in present if name not in older]
    if others:
        raise ReportFolderError(
            f"{out} holds files that are not part of a report ({_listing(others)}): "
            "give another --out")
    for name in older:
        path = out / name
        if path.is_file():
            path.unlink()


def _older_report_files(out: Path) -> list[str]:
    """Names of the files an older report wrote into ``out`` (from its summary.json)."""
    try:
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(summary, dict) or "check" not in summary:
        return []
    files = summary.get("files")
    if isinstance(files, list):  # written by this version
        return [str(f) for f in files if "/" not in str(f) and "\\" not in str(f)]
    # an older version: its fixed files and its tables (CSV)
    return [p.name for p in out.iterdir()
            if p.name in REPORT_FILES or p.suffix == ".csv"]


def _listing(names: Sequence[str]) -> str:
    shown = ", ".join(names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def finding_places(findings: Sequence[Finding], report: Report
                   ) -> list[tuple[float, float, float, float] | None]:
    """(lon, lat, x, y) of each finding's representative point (None without geometry)."""
    from geonames.report.html import places

    return places(findings, report.crs)


def finding_row(finding: Finding, fid: str = "",
                place: tuple[float, float, float, float] | None = None) -> dict[str, object]:
    """A finding as a flat record (the CSV and GeoPackage fields)."""
    return {
        "id": fid,
        "code": finding.code,
        "severity": str(finding.severity),
        "subject": finding.subject,
        "value": _round(finding.value),
        "limit": _round(finding.limit),
        "unit": finding.unit,
        "message": finding.message,
        "excepted": int(finding.excepted),
        "lon": round(place[0], 7) if place else None,
        "lat": round(place[1], 7) if place else None,
        "x": round(place[2], 3) if place else None,
        "y": round(place[3], 3) if place else None,
    }


def write_findings_csv(findings: Sequence[Finding], path: str | os.PathLike,
                       ids: Sequence[str] | None = None,
                       places: Sequence[tuple[float, float, float, float] | None] | None = None
                       ) -> None:
    """All findings, one row each, with id and place (lon/lat of the representative point and
    its x/y in the metric CRS), details as JSON, geometry as WKT (UTF-8 with BOM, so Excel
    reads Chinese)."""
    ids = finding_ids(findings) if ids is None else ids
    places = [None] * len(findings) if places is None else places
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=FINDING_FIELDS + ["details", "wkt"])
        writer.writeheader()
        for f, fid, place in zip(findings, ids, places, strict=True):
            row = finding_row(f, fid, place)
            row["details"] = json.dumps(f.details, ensure_ascii=False) if f.details else ""
            row["wkt"] = shapely.to_wkt(f.geometry, rounding_precision=3) \
                if f.geometry is not None else ""
            writer.writerow(row)


def write_findings_gpkg(findings: Sequence[Finding], path: str | os.PathLike,
                        report: Report, ids: Sequence[str] | None = None,
                        places: Sequence[tuple[float, float, float, float] | None] | None = None
                        ) -> None:
    """Findings with geometry (exact, not simplified), one layer per geometry dimension, in the
    report's CRS, with the same ids as the other files."""
    if os.path.exists(path):
        os.remove(path)
    if report.crs is None:
        return
    ids = finding_ids(findings) if ids is None else ids
    places = [None] * len(findings) if places is None else places
    by_kind: dict[str, list[tuple[Finding, str, tuple | None]]] = defaultdict(list)
    for f, fid, place in zip(findings, ids, places, strict=True):
        if f.geometry is not None and not f.geometry.is_empty:
            kind = {0: "point", 1: "line", 2: "polygon"}[int(shapely.get_dimensions(f.geometry))]
            by_kind[kind].append((f, fid, place))
    multi = {"point": ("MultiPoint", shapely.multipoints),
             "line": ("MultiLineString", shapely.multilinestrings),
             "polygon": ("MultiPolygon", shapely.multipolygons)}
    for kind, items in by_kind.items():
        geometry_type, make_multi = multi[kind]
        geoms = [_as_multi(f.geometry, kind, make_multi) for f, _, _ in items]
        write_features(path, [finding_row(f, fid, place) for f, fid, place in items], geoms,
                       GPKG_SCHEMA, report.crs, layer=f"findings_{kind}",
                       geometry_type=geometry_type)


def write_table_csv(table: Table, path: str | os.PathLike) -> None:
    """An extra table as CSV (UTF-8 with BOM)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(table.columns)
        writer.writerows(table.rows)


def format_summary(report: Report) -> str:
    """A short table for the terminal: one line per finding code, then the totals."""
    summary = report.summary()
    where = f"metric CRS {report.metric_crs}, " if report.metric_crs else ""
    lines = [f"{report.check}: {_n(summary['errors'], 'error')}, "
             f"{_n(summary['warnings'], 'warning')}, {summary['excepted']} excepted  "
             f"({where}{report.seconds:.1f} s)"]
    severities = {f.code: f.severity for f in report.findings}
    width = max((len(c) for c in summary["counts"]), default=10)
    for code, n in summary["counts"].items():
        lines.append(f"  {code:<{width}}  {n:>6}  {severities[code]}")
    lines.extend(f"  note: {note}" for note in report.notes)
    return "\n".join(lines)


def _n(count: int, word: str) -> str:
    """``"1 error"``, ``"2 errors"``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def _all_tables(report: Report) -> list[Table]:
    tables = list(report.tables)
    names = {t.name for t in tables}
    for section in report.sections:
        tables.extend(t for t in section.tables if t.name not in names)
        names.update(t.name for t in section.tables)
    return tables


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _as_multi(geometry, kind: str, make_multi):
    if shapely.get_type_id(geometry) in (4, 5, 6):
        return geometry
    parts = shapely.get_parts(geometry)
    dim = {"point": 0, "line": 1, "polygon": 2}[kind]
    return make_multi(parts[shapely.get_dimensions(parts) == dim])
