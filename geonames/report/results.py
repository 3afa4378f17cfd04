"""Write the result documents of an inspection: CSV and XLSX tables, and the printed set as
one PDF (A4, CJK font embedded), one section per line with its course and map sheet."""

from __future__ import annotations

import base64
import csv
import html
import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geonames.boundaries.results import (
    MARKER_KINDS,
    STATUS_WORDS,
    InspectionResults,
    MarkerRecord,
    ResultLine,
    course_text,
    dms,
    stop_words,
)
from geonames.crs import reproject
from geonames.report.fonts import cjk_font_path
from geonames.report.pdf import font_css, html_to_pdf, page_css
from geonames.report.sheets import SheetMarker, render_sheet

HEADERS: dict[str, dict[str, list[str]]] = {
    "marker-coordinates": {
        "zh": ["界线编号", "界桩编号", "界桩类型", "X（北）/m", "Y（东）/m", "坐标系", "中央子午线",
               "经度", "纬度", "高程/m"],
        "en": ["line", "marker", "kind", "X (north) m", "Y (east) m", "CRS", "central meridian",
               "longitude", "latitude", "elevation m"]},
    "marker-register": {
        "zh": ["界桩编号", "界线编号", "界线名称", "序号", "类型码", "界桩类型", "同号界桩", "编号检查",
               "位置", "X（北）/m", "Y（东）/m", "坐标系", "经度", "纬度", "高程/m", "材质",
               "测量日期", "现状", "上轮现状", "较上轮位移/m", "问题编号"],
        "en": ["marker", "line", "line name", "sequence", "type code", "kind", "group",
               "number check", "location", "X (north) m", "Y (east) m", "CRS", "longitude",
               "latitude", "elevation m", "material", "survey date", "condition",
               "previous round", "shift since previous m", "finding ids"]},
    "boundary-points": {
        "zh": ["界线编号", "界线名称", "点号", "X（北）/m", "Y（东）/m", "坐标系", "经度", "纬度",
               "距起点/m", "点位"],
        "en": ["line", "line name", "point", "X (north) m", "Y (east) m", "CRS", "longitude",
               "latitude", "from start m", "kind"]},
    "line-courses": {
        "zh": ["界线编号", "界线名称", "段号", "起点", "止点", "长度/m", "走向", "左侧", "右侧"],
        "en": ["line", "line name", "stretch", "from", "to", "length m", "course", "left",
               "right"]},
}

TITLES = {
    "marker-register": ("界桩登记表", "Marker register"),
    "marker-coordinates": ("界桩成果表", "Marker coordinates"),
    "boundary-points": ("边界点成果表", "Boundary points"),
    "line-courses": ("边界线走向说明", "Course of the boundary lines"),
}


def _zh(lang: str) -> int:
    return 0 if lang == "zh" else 1


def _status(value: str | None, lang: str) -> str:
    if value is None:
        return "上轮无此界桩" if lang == "zh" else "not in previous round"
    return STATUS_WORDS.get(value, (value, value))[_zh(lang)]


def _kind(kind: str, lang: str) -> str:
    return MARKER_KINDS[kind][_zh(lang)] if kind in MARKER_KINDS else ""


def _location(r: MarkerRecord, line_name: str, lang: str) -> str:
    """Where the marker stands: on the boundary of the line's two divisions (in code order)."""
    if not (r.left_name and r.right_name):
        return ""
    a, b = line_name.split("—", 1) if "—" in line_name else (r.left_name, r.right_name)
    return f"位于{a}与{b}交界处" if lang == "zh" else f"on the boundary of {a} and {b}"


def result_tables(results: InspectionResults, lang: str = "zh") -> dict[str, list[list[Any]]]:
    """The rows of each table (headers in :data:`HEADERS`)."""
    names = {line.code: line.name for line in results.lines}
    ok = ("合格", "不合格") if lang == "zh" else ("valid", "invalid")
    coords, register = [], []
    for r in results.markers:
        meridian = f"{r.zone_meridian}°E" if r.zone_meridian is not None else ""
        lon = dms(r.lon, "E", "W") if r.lon is not None else ""
        lat = dms(r.lat, "N", "S") if r.lat is not None else ""
        coords.append([r.line, r.number, _kind(r.kind, lang), r.x_north, r.y_east, r.zone,
                       meridian, lon, lat, r.elevation])
        register.append([r.number, r.line, names.get(r.line, ""), r.seq, r.type_code,
                         _kind(r.kind, lang), "、".join(r.group) if len(r.group) > 1 else "",
                         ok[0] if r.structure_ok else ok[1],
                         _location(r, names.get(r.line, ""), lang),
                         r.x_north, r.y_east, r.zone, lon, lat, r.elevation, r.material,
                         r.survey_date, _status(r.status, lang),
                         _status(r.previous_status, lang) if results.has_previous else "",
                         r.shift, " ".join(r.finding_ids)])
    points = [[p.line, names.get(p.line, ""), p.seq, round(p.x_north, 3), round(p.y_east, 3),
               p.zone, dms(p.lon, "E", "W"), dms(p.lat, "N", "S"), round(p.along, 1),
               {"start": ("起点", "start"), "end": ("终点", "end"),
                "turn": ("拐点", "turn")}[p.kind][_zh(lang)]] for p in results.points]
    courses = []
    for course in results.courses:
        texts = course_text(course, lang, results.course_points)[1:]
        line = course.line
        for k, (stretch, text) in enumerate(zip(course.stretches, texts, strict=True), 1):
            courses.append([line.code, line.name, k, stop_words(stretch.start, lang),
                            stop_words(stretch.end, lang), round(stretch.length, 1), text,
                            line.left_name or line.left_id, line.right_name or line.right_id])
    return {"marker-register": register, "marker-coordinates": coords,
            "boundary-points": points, "line-courses": courses}


CSS = """
html { font-family: GeonamesSans, sans-serif; font-size: 9.5pt; line-height: 1.45; }
h1 { font-size: 18pt; text-align: center; margin: 40mm 0 8mm 0; }
h2 { font-size: 13pt; break-before: page; border-bottom: 1pt solid #333; padding-bottom: 2pt; }
h3 { font-size: 11pt; margin: 6mm 0 2mm 0; }
table { table-layout: fixed; border-collapse: collapse; width: 100%; font-size: 7.5pt; margin-bottom: 4mm; }
th, td { border: 0.5pt solid #444; padding: 1.5pt 3pt; text-align: left; vertical-align: top; }
th { background: #eee; }
thead { display: table-header-group; }
td.n { text-align: right; }
td, th { overflow-wrap: anywhere; }
pre.listing { font-family: "GeonamesMono", monospace; font-size: 7pt; line-height: 1.3;
              margin: 0 0 4mm 0; }
.sheet { text-align: center; break-inside: avoid; }
.sheet img { width: 180mm; }
p.course { text-indent: 2em; margin: 1mm 0; }
.meta { text-align: center; color: #333; }
"""


def _cell(value: Any) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, float):
        return f'<td class="n">{value:,.3f}</td>'.replace(",", "")
    if isinstance(value, int):
        return f'<td class="n">{value}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]],
           widths: Sequence[float] | None = None) -> str:
    """A fixed-layout table (WeasyPrint lays these out far faster than automatic ones)."""
    widths = widths or [1.0] * len(headers)
    total = sum(widths)
    cols = "".join(f'<col style="width:{100 * w / total:.1f}%"/>' for w in widths)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in rows)
    return (f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _listing(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A long table as a monospaced listing (one text block: far faster to set than a table
    of as many cells, and as easy to read for columns of figures)."""
    cells = [[str(h) for h in headers]] + [
        ["" if v is None else f"{v:.3f}" if isinstance(v, float) else str(v) for v in row]
        for row in rows]
    widths = [max(_display_width(r[j]) for r in cells) for j in range(len(headers))]
    lines = []
    for r in cells:
        lines.append("  ".join(" " * (w - _display_width(c)) + c
                               for c, w in zip(r, widths, strict=True)))
    return f'<pre class="listing">{html.escape(chr(10).join(lines))}</pre>'


def results_html(results: InspectionResults, lang: str = "zh", sheets: bool = True) -> str:
    """The printed set as one HTML document (for :func:`~geonames.report.pdf.html_to_pdf`)."""
    z = _zh(lang)
    tables = result_tables(results, lang)
    by_line: dict[str, dict[str, list[list[Any]]]] = {}
    for name in ("marker-coordinates", "boundary-points", "line-courses"):
        for row in tables[name]:
            by_line.setdefault(str(row[0]), {}).setdefault(name, []).append(row)
    for row in tables["marker-register"]:
        by_line.setdefault(str(row[1]), {}).setdefault("marker-register", []).append(row)
    title = html.escape(results.title)
    parts = [f"<h1>{title}</h1>",
             f'<p class="meta">{"行政区域界线联合检查成果" if lang == "zh" else "Results of the joint inspection of boundary lines"}</p>',
             f'<p class="meta">{"界线" if lang == "zh" else "lines"} {len(results.lines)} · '
             f'{"界桩" if lang == "zh" else "markers"} {len(results.markers)} · '
             f'{"边界点" if lang == "zh" else "boundary points"} {len(results.points)}</p>']
    names = {c.line.code: c for c in results.courses}
    for line in results.lines:
        course = names.get(line.code)
        rows = by_line.get(line.code, {})
        heading = (f"{line.code} 号界线　{line.name}" if lang == "zh"
                   else f"Line {line.code}: {line.name}")
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append(f"<h3>{TITLES['line-courses'][z]}</h3>")
        if course is not None:
            parts += [f'<p class="course">{html.escape(t)}</p>'
                      for t in course_text(course, lang, results.course_points)]
        if sheets:
            png = _sheet(results, line, lang)
            data = base64.b64encode(png).decode()
            parts.append(f'<div class="sheet"><img src="data:image/png;base64,{data}"/></div>')
        crs = _zone_words(line, lang)
        if rows.get("marker-coordinates"):
            parts.append(f"<h3>{TITLES['marker-coordinates'][z]}</h3><p>{crs}</p>")
            parts.append(_table([HEADERS["marker-coordinates"][lang][i]
                                 for i in (1, 2, 3, 4, 7, 8, 9)],
                                [[r[i] for i in (1, 2, 3, 4, 7, 8, 9)]
                                 for r in rows["marker-coordinates"]],
                                [2.8, 1.3, 1.7, 1.5, 2.0, 1.9, 0.9]))
        if rows.get("marker-register"):
            parts.append(f"<h3>{TITLES['marker-register'][z]}</h3>")
            where = _location_words(line, lang)
            if where:
                parts.append(f"<p>{html.escape(where)}</p>")
            cols = (0, 6, 7, 16, 17, 18, 19, 20)
            short = [[_short_group(r[i], line.code) if i == 6 else r[i] for i in cols]
                     for r in rows["marker-register"]]
            parts.append(_table([HEADERS["marker-register"][lang][i] for i in cols], short,
                                [2.6, 3.4, 1.0, 1.4, 0.9, 1.3, 1.1, 2.0]))
        if rows.get("boundary-points"):
            parts.append(f"<h3>{TITLES['boundary-points'][z]}</h3><p>{crs}</p>")
            parts.append(_listing([HEADERS["boundary-points"][lang][i] for i in (2, 3, 4, 6, 7)],
                                  [[r[i] for i in (2, 3, 4, 6, 7)]
                                   for r in rows["boundary-points"]]))
    loose = by_line.get("", {}).get("marker-register", [])
    if loose:
        parts.append(f"<h2>{'未归属界线的界桩' if lang == 'zh' else 'Markers on no known line'}</h2>")
        loose_cols = (0, 7, 9, 10, 16, 17, 20)
        parts.append(_table([HEADERS["marker-register"][lang][i] for i in loose_cols],
                            [[r[i] for i in loose_cols] for r in loose],
                            [2.6, 1.0, 1.6, 1.5, 1.4, 0.9, 2.0]))
    css = page_css("A4", footer=results.title) + font_css() + _mono_css() + CSS
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
            f'<meta charset="utf-8"><title>{title}</title><style>{css}</style></head>'
            f"<body>{''.join(parts)}</body></html>")


def _mono_css() -> str:
    """``@font-face`` of the monospaced CJK font (listings), the sans where it is missing."""
    sans = Path(cjk_font_path())
    mono = sans.with_name("NotoSansMonoCJKsc-Regular.otf")
    return (f"@font-face{{font-family:GeonamesMono;"
            f"src:url('{(mono if mono.exists() else sans).as_uri()}')}}\n")


def _short_group(group: Any, code: str) -> Any:
    """``500111500118001C、500111500118001D`` → ``001C、001D`` (the line is the section's)."""
    if not isinstance(group, str) or not group:
        return group
    return "、".join(n[len(code):] if n.startswith(code) else n for n in group.split("、"))


def _zone_words(line: ResultLine, lang: str) -> str:
    epsg = line.zone_crs.to_epsg()
    if lang == "zh":
        return (f"坐标系：CGCS2000 3°带高斯-克吕格投影，中央子午线 {line.zone_meridian}°E"
                f"（EPSG:{epsg}），X 为纵坐标（北），Y 为横坐标（东），单位米；经纬度为 CGCS2000。")
    return (f"CRS: CGCS2000 3° Gauss–Krüger, central meridian {line.zone_meridian}°E "
            f"(EPSG:{epsg}); X north, Y east, metres; longitude and latitude in CGCS2000.")


def _location_words(line: ResultLine, lang: str) -> str:
    if not (line.left_name and line.right_name):
        return ""
    a, b = line.name.split("—", 1)
    if lang == "zh":
        return f"界桩位于{a}与{b}交界处。"
    return f"The markers stand on the boundary of {a} and {b}."


def _sheet(results: InspectionResults, line: ResultLine, lang: str) -> bytes:
    zone = line.zone_crs

    def to_zone(geoms: Sequence[BaseGeometry | None] | np.ndarray) -> np.ndarray:
        arr = np.asarray(list(geoms), dtype=object)
        return reproject(arr, results.crs, zone) if len(arr) else arr

    geom = to_zone([line.geometry])[0]
    sides = to_zone([results.divisions.get(line.left_id), results.divisions.get(line.right_id)])
    numbers = [r for r in results.markers if r.line == line.code
               and r.number in results.marker_points]
    pts = to_zone([results.marker_points[r.number] for r in numbers])
    markers = [SheetMarker(p, f"{r.seq:03d}{r.type_code}") for r, p in zip(numbers, pts)]
    tri = results.tripoints
    near = tri[shapely.distance(tri, line.geometry) < 100.0] if len(tri) else tri
    others = [other.geometry for other in results.lines if other.code != line.code
              and shapely.distance(other.geometry, line.geometry) < 20000]
    title = (f"{line.code} 号界线 {line.name}" if lang == "zh"
             else f"Line {line.code}: {line.name}")
    label = (f"CGCS2000 3°带高斯-克吕格投影，中央子午线 {line.zone_meridian}°E（EPSG:{zone.to_epsg()}）"
             if lang == "zh" else
             f"CGCS2000 3° Gauss–Krüger, central meridian {line.zone_meridian}°E (EPSG:{zone.to_epsg()})")
    return render_sheet(title, geom, (line.left_name, sides[0]), (line.right_name, sides[1]),
                        markers, list(to_zone(near)), list(to_zone(others)), label, lang)


def write_results(results: InspectionResults, out_dir: str | os.PathLike,
                  lang: str | None = None, pdf: bool | None = None,
                  xlsx: bool | None = None) -> dict[str, Path]:
    """Write the four tables as CSV (and one XLSX workbook) and the printed set as PDF.

    Files: ``marker-register.csv`` (界桩登记表), ``marker-coordinates.csv`` (界桩成果表),
    ``boundary-points.csv`` (边界点成果表), ``line-courses.csv`` (边界线走向说明, one row per
    stretch), ``results.xlsx`` (the four as sheets) and ``results.pdf``.
    """
    lang = lang or results.lang or "zh"
    pdf = results.pdf if pdf is None else pdf
    xlsx = results.xlsx if xlsx is None else xlsx
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = result_tables(results, lang)
    paths: dict[str, Path] = {}
    for name, rows in tables.items():
        path = out / f"{name}.csv"
        with open(path, "w", newline="", encoding="utf-8-sig") as fh:
            w = csv.writer(fh)
            w.writerow(HEADERS[name][lang])
            w.writerows(rows)
        paths[name] = path
    if xlsx:
        paths["xlsx"] = out / "results.xlsx"
        write_xlsx(tables, paths["xlsx"], lang)
    if pdf:
        paths["pdf"] = out / "results.pdf"
        html_to_pdf(results_html(results, lang), paths["pdf"])
    return paths


def write_xlsx(tables: dict[str, list[list[Any]]], path: str | os.PathLike,
               lang: str = "zh") -> None:
    """One sheet per table, headers bold and frozen, columns sized to their text."""
    import xlsxwriter

    z = _zh(lang)
    book = xlsxwriter.Workbook(str(path))
    try:
        bold = book.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
        number = book.add_format({"num_format": "0.000"})
        for name, rows in tables.items():
            sheet = book.add_worksheet(TITLES[name][z])
            headers = HEADERS[name][lang]
            sheet.write_row(0, 0, headers, bold)
            widths = [len(h) * 2 for h in headers]
            for i, row in enumerate(rows, 1):
                for j, value in enumerate(row):
                    if isinstance(value, float):
                        sheet.write_number(i, j, value, number)
                    elif isinstance(value, int) and not isinstance(value, bool):
                        sheet.write_number(i, j, value)
                    elif value is None:
                        continue
                    else:
                        sheet.write_string(i, j, str(value))
                    widths[j] = max(widths[j], min(60, len(str(value)) + 2))
            for j, w in enumerate(widths):
                sheet.set_column(j, j, w)
            sheet.freeze_panes(1, 0)
    finally:
        book.close()
