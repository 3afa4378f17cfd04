"""Write a :class:`~geonames.document.Report` to a folder, and format it for the terminal.

Files written (every check): ``summary.json``, ``findings.csv``, ``findings.gpkg`` (layers
``findings_polygon``, ``findings_line``, ``findings_point``, only those with rows),
``report.html`` and one CSV per extra table.
"""

from __future__ import annotations

import base64
import csv
import html
import json
import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import shapely

from geonames.document import Report, Section, Table
from geonames.findings import Finding, Severity
from geonames.report.maps import render_map
from geonames.vector import write_features

FINDING_FIELDS = ["code", "severity", "subject", "value", "limit", "unit", "message", "excepted"]
GPKG_SCHEMA = {"code": "str", "severity": "str", "subject": "str", "value": "float",
               "limit": "float", "unit": "str", "message": "str", "excepted": "int"}
#: Rows shown per finding code in the HTML (all are in the CSV).
HTML_ROWS_PER_CODE = 200

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def write_report(report: Report, out_dir: str | os.PathLike) -> dict[str, Path]:
    """Write every file of the report into ``out_dir`` (created if absent).

    Returns the paths written, by kind (``"summary"``, ``"csv"``, ``"gpkg"``, ``"html"``,
    and the table names).
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    findings = ordered(report.findings)
    paths = {
        "summary": out / "summary.json",
        "csv": out / "findings.csv",
        "gpkg": out / "findings.gpkg",
        "html": out / "report.html",
    }
    paths["summary"].write_text(
        json.dumps(report.summary(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_findings_csv(findings, paths["csv"])
    write_findings_gpkg(findings, paths["gpkg"], report)
    for table in _all_tables(report):
        paths[table.name] = out / f"{table.name}.csv"
        write_table_csv(table, paths[table.name])
    paths["html"].write_text(render_html(report, findings), encoding="utf-8")
    return paths


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Findings by code, then severity, then worst (largest value) first."""
    return sorted(findings, key=lambda f: (f.code, f.excepted, _SEVERITY_ORDER[f.severity],
                                           -(f.value if f.value is not None else -np.inf),
                                           f.subject))


def finding_row(finding: Finding) -> dict[str, object]:
    """A finding as a flat record (the CSV and GeoPackage fields)."""
    return {
        "code": finding.code,
        "severity": str(finding.severity),
        "subject": finding.subject,
        "value": _round(finding.value),
        "limit": _round(finding.limit),
        "unit": finding.unit,
        "message": finding.message,
        "excepted": int(finding.excepted),
    }


def write_findings_csv(findings: Sequence[Finding], path: str | os.PathLike) -> None:
    """All findings, one row each, details as JSON, geometry as WKT (UTF-8 with BOM, so Excel
    reads Chinese)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=FINDING_FIELDS + ["details", "wkt"])
        writer.writeheader()
        for f in findings:
            row = finding_row(f)
            row["details"] = json.dumps(f.details, ensure_ascii=False) if f.details else ""
            row["wkt"] = shapely.to_wkt(f.geometry, rounding_precision=3) \
                if f.geometry is not None else ""
            writer.writerow(row)


def write_findings_gpkg(findings: Sequence[Finding], path: str | os.PathLike,
                        report: Report) -> None:
    """Findings with geometry, one layer per geometry dimension, in the report's CRS."""
    if os.path.exists(path):
        os.remove(path)
    if report.crs is None:
        return
    by_kind: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.geometry is not None and not f.geometry.is_empty:
            kind = {0: "point", 1: "line", 2: "polygon"}[shapely.get_dimensions(f.geometry)]
            by_kind[kind].append(f)
    multi = {"point": ("MultiPoint", shapely.multipoints),
             "line": ("MultiLineString", shapely.multilinestrings),
             "polygon": ("MultiPolygon", shapely.multipolygons)}
    for kind, items in by_kind.items():
        geometry_type, make_multi = multi[kind]
        geoms = [_as_multi(f.geometry, kind, make_multi) for f in items]
        write_features(path, [finding_row(f) for f in items], geoms, GPKG_SCHEMA, report.crs,
                       layer=f"findings_{kind}", geometry_type=geometry_type)


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
    lines = [f"{report.check}: {summary['errors']} errors, {summary['warnings']} warnings, "
             f"{summary['excepted']} excepted  ({where}{report.seconds:.1f} s)"]
    severities = {f.code: f.severity for f in report.findings}
    width = max((len(c) for c in summary["counts"]), default=10)
    for code, n in summary["counts"].items():
        lines.append(f"  {code:<{width}}  {n:>6}  {severities[code]}")
    lines.extend(f"  note: {note}" for note in report.notes)
    return "\n".join(lines)


def render_html(report: Report, findings: Sequence[Finding] | None = None) -> str:
    """The whole self-contained HTML page (maps embedded as PNG data URIs)."""
    findings = ordered(report.findings) if findings is None else list(findings)
    summary = report.summary()
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>geonames {html.escape(report.check)} report</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>geonames — {html.escape(report.check)} report</h1>",
        "<table class='kv'>",
        _kv("errors", summary["errors"]), _kv("warnings", summary["warnings"]),
        _kv("excepted", summary["excepted"]), _kv("metric CRS", report.metric_crs),
        _kv("seconds", f"{report.seconds:.2f}"),
    ]
    parts += [_kv(k, v) for k, v in report.inputs.items()]
    parts.append("</table>")
    for note in report.notes:
        parts.append(f"<p class='note'>{html.escape(note)}</p>")
    parts.append("<h2>Summary</h2><table><tr><th>code</th><th>severity</th><th>count</th>"
                 "<th>excepted</th></tr>")
    for code, n in summary["counts"].items():
        items = [f for f in findings if f.code == code]
        parts.append(f"<tr><td><a href='#{code}'>{code}</a></td><td>{items[0].severity}</td>"
                     f"<td>{n}</td><td>{sum(f.excepted for f in items)}</td></tr>")
    parts.append("</table>")
    if report.layers or any(f.geometry is not None for f in findings):
        png = render_map(report.layers, findings, title=report.inputs.get("title", ""))
        parts.append("<h2>Map</h2><p>Findings are numbered as in the tables below "
                     "(red: error, orange: warning, grey: excepted).</p>")
        parts.append(_img(png, "map of the findings"))
    for table in report.tables:
        parts.append(_table_html(table))
    for section in report.sections:
        parts.append(_section_html(section))
    parts.append("<h2>Findings</h2>")
    numbers = {id(f): i for i, f in enumerate(findings, 1)}
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        by_code[f.code].append(f)
    for code, items in by_code.items():
        parts.append(f"<h3 id='{code}'>{code} ({len(items)})</h3>")
        parts.append(_findings_html(items, numbers))
    parts.append("</body></html>")
    return "\n".join(parts)


def _section_html(section: Section) -> str:
    parts = [f"<section><h2>{html.escape(section.title)}</h2>"]
    if section.text:
        parts.append(f"<p>{html.escape(section.text)}</p>")
    if section.layers:
        png = render_map(section.layers, section.findings, title=section.title, size=(8, 5.5))
        parts.append(_img(png, f"map of {section.title}"))
    for table in section.tables:
        parts.append(_table_html(table))
    if section.findings:
        numbers = {id(f): i for i, f in enumerate(section.findings, 1)}
        parts.append(_findings_html(section.findings, numbers))
    parts.append("</section>")
    return "\n".join(parts)


def _findings_html(items: Sequence[Finding], numbers: dict[int, int]) -> str:
    rows = ["<table><tr><th>#</th><th>severity</th><th>subject</th><th>value</th>"
            "<th>limit</th><th>unit</th><th>message</th></tr>"]
    for f in items[:HTML_ROWS_PER_CODE]:
        cls = " class='excepted'" if f.excepted else ""
        rows.append(
            f"<tr{cls}><td>{numbers[id(f)]}</td><td>{f.severity}"
            f"{' (excepted)' if f.excepted else ''}</td><td>{html.escape(f.subject)}</td>"
            f"<td>{_fmt(f.value)}</td><td>{_fmt(f.limit)}</td><td>{f.unit}</td>"
            f"<td>{html.escape(f.message)}</td></tr>")
    rows.append("</table>")
    if len(items) > HTML_ROWS_PER_CODE:
        rows.append(f"<p>… and {len(items) - HTML_ROWS_PER_CODE} more in findings.csv</p>")
    return "\n".join(rows)


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
        for row in table.rows[:HTML_ROWS_PER_CODE * 5])
    return f"<h3>{html.escape(table.title)}</h3><table><tr>{head}</tr>{body}</table>"


def _all_tables(report: Report) -> list[Table]:
    tables = list(report.tables)
    names = {t.name for t in tables}
    for section in report.sections:
        tables.extend(t for t in section.tables if t.name not in names)
        names.update(t.name for t in section.tables)
    return tables


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f"<img class='map' alt='{html.escape(alt)}' src='data:image/png;base64,{data}'>"


def _kv(key: str, value: object) -> str:
    return f"<tr><th>{html.escape(str(key))}</th><td>{html.escape(str(value))}</td></tr>"


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        return f"{value:,.3f}" if abs(value) < 1000 else f"{value:,.1f}"
    return str(value)


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _as_multi(geometry, kind: str, make_multi):
    if shapely.get_type_id(geometry) in (4, 5, 6):
        return geometry
    parts = shapely.get_parts(geometry)
    dim = {"point": 0, "line": 1, "polygon": 2}[kind]
    return make_multi(parts[shapely.get_dimensions(parts) == dim])


_CSS = """
body{font-family:'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif;margin:2em;
max-width:1100px;color:#222}
table{border-collapse:collapse;margin:0.5em 0 1.5em 0;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f0f0f0} tr.excepted td{color:#888}
table.kv th{width:12em} img.map{max-width:100%;border:1px solid #ccc}
p.note{background:#fff6d5;padding:6px;border-left:4px solid #e0b000}
section{border-top:2px solid #888;margin-top:2em}
"""
