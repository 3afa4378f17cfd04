"""``report.html``: one self-contained page with an interactive map, for working through the
findings offline.

The page holds everything it needs: the map library (OpenLayers, bundled from npm by
``scripts/vendor_openlayers.py``, licences in ``static/ol.LICENSES.txt``), the page's own
script and style, the map data (simplified for display; exact geometries are in
``findings.gpkg``) and a subset of a CJK font for the labels. It makes no request to any other
host.

Order: the summary (counts by severity, then each check item, errors first), then the map
beside every finding (errors, warnings, info; paged, never cut), then the tables and the
sections (one per boundary line), then the static overview map for print.
"""

from __future__ import annotations

import base64
import functools
import html
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
import shapely
from pyproj import CRS, Transformer

from geonames.document import MapLayer, Report, Section, Table
from geonames.findings import Finding, Severity
from geonames.report import webfont
from geonames.report.i18n import (
    LANGS,
    UNITS,
    check_label,
    code_label,
    column_label,
    counted,
    input_label,
    layer_label,
    table_title,
    text,
)
from geonames.report.ids import finding_ids, ordered

SEVERITIES = (Severity.ERROR, Severity.WARNING, Severity.INFO)
#: Display simplification: a fraction of the map's larger side (3,000 → ~150 m on a county).
SIMPLIFY_FRACTION = 1 / 3000
#: Rows shown per page of a findings table (all rows are in the page; the rest are paged).
PAGE_ROWS = 100
COLOURS = {"error": "#d62728", "warning": "#f39c12", "info": "#1f77b4", "excepted": "#8c8c8c"}
LAYER_COLOURS = {"polygon": "#f2efe6", "line": "#1f4e9c", "point": "#2ca02c"}
EMBEDDED_FONT = "Geonames CJK"
FONT_FAMILY = "'Geonames CJK','Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC'," \
              "'Microsoft YaHei','PingFang SC','WenQuanYi Zen Hei',sans-serif"


def render_html(report: Report, lang: str = "zh", print_map: bytes | None = None,
                section_maps: Sequence[bytes | None] = ()) -> str:
    """The whole page.

    Parameters
    ----------
    report : Report
    lang : ``"zh"`` (default) or ``"en"``
    print_map : PNG bytes, optional
        The static overview map, shown only when printing.
    section_maps : PNG bytes (or None) per section of the report
    """
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    t = functools.partial(text, lang)
    findings = ordered(report.findings)
    ids = finding_ids(findings)
    where = places(findings, report.crs)
    name = t("report", check=check_label(lang, report.check))
    title = str(report.inputs.get("title") or "")
    data = _map_data(report, findings, ids, where, lang)
    body = [
        f"<header><h1>{_e(name)}</h1>",
        f"<p class='sub'>{_e(title)}</p>" if title else "",
        "</header>",
        _summary_html(report, findings, lang),
        "<section id='workspace'>",
        f"<div class='list'><h2>{_e(t('findings'))}</h2>",
        _filters_html(findings, lang),
        _findings_html(findings, lang),
        "</div>",
        f"<div class='mapbox'><h2 class='sr'>{_e(t('map'))}</h2>",
        _map_html(report, lang),
        "</div></section>",
    ]
    tables = report.tables
    if tables:
        body.append(f"<section id='tables'><h2>{_e(t('tables'))}</h2>")
        body += [_table_html(table, lang) for table in tables]
        body.append("</section>")
    if report.sections:
        body.append(f"<section id='sections'><h2>{_e(t('sections'))}</h2>")
        index = {id(f): i for f, i in zip(findings, ids, strict=True)}
        maps = list(section_maps) + [None] * len(report.sections)
        body += [_section_html(s, index, lang, png)
                 for s, png in zip(report.sections, maps, strict=False)]
        body.append("</section>")
    if print_map is not None:
        body.append(f"<section class='print-only'><h2>{_e(t('print_map'))}</h2>"
                    f"<img class='map' alt='' src='data:image/png;base64,"
                    f"{base64.b64encode(print_map).decode('ascii')}'></section>")
    body.append(f"<footer>{_e(t('third_party', version=_ol_version()))}</footer>")
    page_text = "".join(body) + json.dumps(data, ensure_ascii=False)
    font_face = _font_face(page_text)
    if font_face:
        data["embeddedFont"] = EMBEDDED_FONT
    head = [
        "<!DOCTYPE html>",
        f"<html lang='{'zh-CN' if lang == 'zh' else 'en'}'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        # Nothing may load from anywhere but this file.
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
        "font-src data:\">",
        f"<title>{_e(name + ('：' + title if title else ''))}</title>",
        f"<style>{font_face}{_static('ol.css')}"
        f"{_static('report.css').replace('FONT_FAMILY', FONT_FAMILY)}</style>",
        "</head><body>",
    ]
    tail = [
        f"<script id='report-data' type='application/json'>{_json_for_script(data)}</script>",
        f"<script>{_static('ol.js')}</script>",
        f"<script>{_static('report.js')}</script>",
        "</body></html>",
    ]
    return "\n".join(head + body + tail)


# --- parts of the page ---------------------------------------------------------------------

def _summary_html(report: Report, findings: Sequence[Finding], lang: str) -> str:
    t = functools.partial(text, lang)
    live = [f for f in findings if not f.excepted]
    counts = {s: sum(f.severity == s for f in live) for s in SEVERITIES}
    excepted = len(findings) - len(live)
    parts = [f"<section id='summary'><h2>{_e(t('summary'))}</h2><p class='counts'>"]
    for sev in SEVERITIES:
        parts.append(f"<span class='badge {sev}'>{_e(counted(lang, counts[sev], str(sev)))}"
                     "</span>")
    parts.append(f"<span class='badge excepted'>{_e(counted(lang, excepted, 'excepted'))}"
                 "</span></p>")
    parts.append("<div class='cols'><div>")
    if findings:
        parts.append(f"<table class='codes'><thead><tr><th>{_e(t('severity'))}</th>"
                     f"<th>{_e(t('code'))}</th><th>{_e(t('count'))}</th>"
                     f"<th>{_e(t('excepted'))}</th></tr></thead><tbody>")
        seen: dict[tuple[str, str], list[Finding]] = {}
        for f in findings:
            seen.setdefault((str(f.severity), f.code), []).append(f)
        for (level, code), items in seen.items():
            parts.append(
                f"<tr class='{level}'><td><span class='dot {level}'></span>{_e(t(level))}</td>"
                f"<td><a href='#code-{_e(code)}' data-code='{_e(code)}'>"
                f"{_e(code_label(lang, code))}</a> <code>{_e(code)}</code></td>"
                f"<td class='num'>{len(items):,}</td>"
                f"<td class='num'>{sum(f.excepted for f in items):,}</td></tr>")
        parts.append("</tbody></table>")
    else:
        parts.append(f"<p>{_e(t('no_findings'))}</p>")
    facts = [(t("metric_crs"), report.metric_crs), (t("seconds"), f"{report.seconds:.1f} s")]
    facts += [(k, v) for k, v in report.inputs.items() if k != "title"]
    if report.inputs.get("title"):
        facts.insert(0, (t("title"), report.inputs["title"]))
    rows = "".join(f"<tr><th>{_e(input_label(lang, str(k)))}</th><td>{_e(_plain(v))}</td></tr>"
                   for k, v in facts if _plain(v) != "")
    parts.append("</div><div>")
    for note in report.notes:
        parts.append(f"<p class='note'><b>{_e(t('notes'))}</b> {_e(note)}</p>")
    parts.append(f"<details class='inputs'><summary>{_e(t('inputs'))}</summary>"
                 f"<table class='kv'>{rows}</table></details>")
    parts.append("</div></div></section>")
    return "".join(parts)


def _filters_html(findings: Sequence[Finding], lang: str) -> str:
    t = functools.partial(text, lang)
    checks = sorted({f.code.split(".", 1)[0] for f in findings})
    parts = ["<form id='filters' class='filters' onsubmit='return false'>",
             f"<fieldset><legend>{_e(t('check'))}</legend>"]
    parts += [f"<label><input type='checkbox' name='check' value='{_e(c)}' checked>"
              f"{_e(check_label(lang, c))}</label>" for c in checks]
    parts.append(f"</fieldset><fieldset><legend>{_e(t('severity'))}</legend>")
    parts += [f"<label><input type='checkbox' name='severity' value='{s}' checked>"
              f"<span class='dot {s}'></span>{_e(t(str(s)))}</label>" for s in SEVERITIES]
    parts.append(f"</fieldset><fieldset><legend>{_e(t('status'))}</legend>")
    parts += [f"<label><input type='checkbox' name='status' value='{k}' checked>"
              f"{_e(t(k))}</label>" for k in ("open", "excepted")]
    parts.append("</fieldset></form>")
    return "".join(parts)


def _findings_html(findings: Sequence[Finding], lang: str) -> str:
    """One table per severity; the rows are drawn by the page's script, a page at a time,
    from the report's data (so 10,000 findings open fast), and all of them for print."""
    t = functools.partial(text, lang)
    head = (f"<thead><tr><th>{_e(t('id'))}</th><th>{_e(t('code'))}</th>"
            f"<th>{_e(t('subject'))}</th><th>{_e(t('value'))}</th>"
            f"<th>{_e(t('place'))}</th><th>{_e(t('message'))}</th></tr></thead>")
    parts = []
    for sev in SEVERITIES:
        n = sum(f.severity == sev for f in findings)
        if not n:
            continue
        parts.append(f"<details class='group {sev}' data-severity='{sev}' open><summary><h3>"
                     f"<span class='dot {sev}'></span>{_e(t(str(sev)))} "
                     f"<small>({_e(t('in_all', n=f'{n:,}'))})</small></h3></summary>"
                     f"<table class='findings' data-severity='{sev}'>{head}<tbody></tbody>"
                     f"</table><nav class='pager'></nav></details>")
    if not parts:
        parts.append(f"<p>{_e(t('no_findings'))}</p>")
    return "".join(parts)


def _map_html(report: Report, lang: str) -> str:
    t = functools.partial(text, lang)
    return (f"<div id='map' class='map' role='application' aria-label='{_e(t('map'))}'></div>"
            f"<div class='maptools'><input id='search' type='search' list='division-names' "
            f"placeholder='{_e(t('search'))}' aria-label='{_e(t('search'))}'>"
            f"<datalist id='division-names'></datalist>"
            f"<span id='search-result' class='muted'></span></div>"
            f"<div id='legend' class='legend'></div>"
            f"<div id='popup' class='popup' hidden></div>")


def _table_html(table: Table, lang: str) -> str:
    head = "".join(f"<th>{_e(column_label(lang, str(c)))}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{_e(_plain(v))}</td>" for v in row) + "</tr>"
                   for row in table.rows)
    return (f"<details class='table' id='table-{_e(table.name)}'><summary><h3>"
            f"{_e(table_title(lang, table.name, table.title, table.titles))} "
            f"<small>({len(table.rows):,})</small></h3>"
            f"</summary><table><thead><tr>{head}</tr></thead><tbody>{body}"
            f"</tbody></table></details>")


def _section_html(section: Section, index: dict[int, str], lang: str,
                  png: bytes | None) -> str:
    ids = [index[id(f)] for f in section.findings if id(f) in index]
    links = " ".join(f"<a href='#{_e(i)}' class='fid'>{_e(i)}</a>" for i in ids)
    title = section.titles.get(lang) or section.title
    parts = [f"<details class='section' data-ids='{_e(' '.join(ids))}'><summary><h3>"
             f"{_e(title)} <small>({len(ids)})</small></h3></summary>"]
    text_ = section.texts.get(lang) or section.text
    if text_:
        parts.append(f"<p>{_e(text_)}</p>")
    if links:
        parts.append(f"<p>{links}</p>")
    if png is not None:
        parts.append(f"<img class='map' alt='{_e(title)}' src='data:image/png;base64,"
                     f"{base64.b64encode(png).decode('ascii')}'>")
    parts += [_table_html(table, lang) for table in section.tables]
    parts.append("</details>")
    return "".join(parts)


# --- map data -------------------------------------------------------------------------------

def places(findings: Sequence[Finding], crs: CRS | None
            ) -> list[tuple[float, float, float, float] | None]:
    """(lon, lat, x, y) of each finding's representative point, or None without geometry."""
    geoms = np.array([f.geometry for f in findings], dtype=object)
    out: list[tuple[float, float, float, float] | None] = [None] * len(findings)
    if not len(geoms):
        return out
    has = ~shapely.is_missing(geoms)
    has[has] = ~shapely.is_empty(geoms[has])
    if crs is None or not has.any():
        return out
    anchors = shapely.point_on_surface(geoms[has])
    xy = shapely.get_coordinates(anchors)
    lon, lat = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True).transform(
        xy[:, 0], xy[:, 1])
    for k, i in enumerate(np.flatnonzero(has)):
        out[i] = (float(lon[k]), float(lat[k]), float(xy[k, 0]), float(xy[k, 1]))
    return out


def _map_data(report: Report, findings: Sequence[Finding], ids: Sequence[str],
              places: list[tuple[float, float, float, float] | None], lang: str
              ) -> dict[str, Any]:
    geoms = [f.geometry for f in findings if f.geometry is not None]
    everything = [g for layer in report.layers for g in layer.geometries if g is not None]
    bounds = shapely.total_bounds(np.array(everything + geoms, dtype=object)) \
        if everything or geoms else np.array([0.0, 0.0, 1.0, 1.0])
    size = float(max(bounds[2] - bounds[0], bounds[3] - bounds[1], 1.0))
    tolerance = size * SIMPLIFY_FRACTION
    layers = [_layer_data(layer, tolerance, lang) for layer in report.layers]
    rows = []
    for f, fid, place in zip(findings, ids, places, strict=True):
        shape, bbox = None, None
        if place is not None and f.geometry is not None:
            # as text: the page parses a shape only when it is drawn big enough to show
            shape = _shape_text(f.geometry, tolerance, place[2], place[3])
            bbox = [round(float(b), 2) for b in f.geometry.bounds]
        rows.append([fid, str(f.severity), f.code, int(f.excepted), f.subject,
                     code_label(lang, f.code), _value_text(f.value, f.unit),
                     _value_text(f.limit, f.unit), f.message,
                     [round(place[2], 2), round(place[3], 2)] if place else None,
                     [round(place[0], 6), round(place[1], 6)] if place else None, shape, bbox])
    crs_label = report.metric_crs or ""
    if report.crs is not None and report.crs.name and report.crs.name not in crs_label:
        crs_label = f"{crs_label} {report.crs.name}".strip()
    t = functools.partial(text, lang)
    words = {k: t(k) for k in ("error", "warning", "info", "excepted", "open", "id", "code",
                               "subject", "value", "place", "message", "lonlat", "zone",
                               "legend", "crs", "no_place", "not_found", "zoom_all",
                               "previous", "next", "finding", "layer", "no_place_note",
                               "limit")}
    words["page"] = t("page", page="{page}", pages="{pages}")
    return {"lang": lang, "crs": crs_label, "extent": [float(b) for b in bounds],
            "colours": COLOURS, "layers": layers, "findings": rows, "pageRows": PAGE_ROWS,
            "text": words}


def _layer_data(layer: MapLayer, tolerance: float, lang: str) -> dict[str, Any]:
    geoms = np.asarray(layer.geometries, dtype=object)
    labels = list(layer.labels) if layer.labels is not None else [""] * len(geoms)
    codes = list(layer.ids or [""] * len(geoms))
    features = []
    for g, label, code in zip(geoms, labels, codes, strict=False):
        gj = _geojson(g, tolerance if layer.kind != "point" else 0.0)
        if gj is None:
            continue
        at, rank = None, 0.0
        if label and layer.kind != "point":  # where the label goes (computed once, here)
            p = shapely.point_on_surface(g)
            at = [round(p.x, 1), round(p.y, 1)]
            rank = round(float(g.area if layer.kind == "polygon" else g.length))
        elif label:
            at = [round(float(c), 1) for c in shapely.get_coordinates(g)[0]]
        features.append([gj, str(label or ""), str(code or ""), at, rank])
    return {"name": layer_label(lang, layer.name), "kind": layer.kind,
            "colour": layer.colour or LAYER_COLOURS.get(layer.kind, "#555555"),
            "dashed": layer.style == "dashed", "features": features}


def _geojson(geometry, tolerance: float) -> Any:
    """A geometry as a GeoJSON object, simplified for display, coordinates to 1 cm."""
    if geometry is None or geometry.is_empty:
        return None
    g = geometry
    if tolerance > 0 and shapely.get_dimensions(g) > 0:
        simple = shapely.simplify(g, tolerance, preserve_topology=True)
        if not simple.is_empty:
            g = simple
    out = json.loads(shapely.to_geojson(g))
    return _rounded(out)


_SHAPE_TYPES = {"Point": "P", "LineString": "L", "Polygon": "A", "MultiPoint": "MP",
                "MultiLineString": "ML", "MultiPolygon": "MA"}


def _shape_text(geometry, tolerance: float, x0: float, y0: float) -> str:
    """A finding's shape, short: its type (P L A, MP ML MA for multi), then its coordinates in
    centimetres from the finding's place, "dx dy" pairs joined by "," within a ring or line,
    rings by ";" and parts by "|": ``"A0 0,500 0,500 500;..."``. Simplified for display like
    the base layers; a geometry collection keeps its polygons, else its lines, else points."""
    g = geometry
    if tolerance > 0 and shapely.get_dimensions(g) > 0:
        simple = shapely.simplify(g, tolerance, preserve_topology=True)
        if not simple.is_empty:
            g = simple
    if g.geom_type == "GeometryCollection":
        parts = shapely.get_parts(shapely.get_parts(g))  # multi parts into single ones
        dim = int(shapely.get_dimensions(parts).max())
        chosen = parts[shapely.get_dimensions(parts) == dim]
        g = (shapely.multipoints(chosen) if dim == 0 else shapely.multilinestrings(chosen)
             if dim == 1 else shapely.multipolygons(chosen))

    def line(coords) -> str:
        xy = np.rint((np.asarray(coords)[:, :2] - (x0, y0)) * 100).astype(np.int64)
        return ",".join(f"{dx} {dy}" for dx, dy in xy)

    def rings(poly) -> str:
        return ";".join(line(r.coords) for r in [poly.exterior, *poly.interiors])

    kind = g.geom_type
    if kind == "Point" or kind == "LineString":
        body = line(g.coords)
    elif kind == "Polygon":
        body = rings(g)
    elif kind == "MultiPolygon":
        body = "|".join(rings(p) for p in g.geoms)
    else:  # MultiPoint, MultiLineString
        body = "|".join(line(p.coords) for p in g.geoms)
    return _SHAPE_TYPES[kind] + body


def _rounded(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _rounded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        if obj and isinstance(obj[0], float | int) and not isinstance(obj[0], bool):
            return [round(float(v), 2) for v in obj]
        return [_rounded(v) for v in obj]
    return obj


# --- small helpers --------------------------------------------------------------------------

def _value_text(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    shown = UNITS.get(unit, unit)
    if unit == "m2" and abs(value) >= 1e6:
        value, shown = value / 1e6, "km²"
    if abs(value) >= 1000:
        number = f"{value:,.0f}"
    elif abs(value) >= 1:
        number = f"{value:,.2f}".rstrip("0").rstrip(".")
    elif value == 0:
        number = "0"
    else:
        number = f"{value:.3g}"
    return f"{number} {shown}".strip()


def _plain(value: object) -> str:
    """A value as text: no ``None``; floats with thousands separators; dicts as key=value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else ""
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return ""
        number = float(value)
        return f"{number:,.3f}".rstrip("0").rstrip(".") if abs(number) < 1000 \
            else f"{number:,.1f}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items() if _plain(v) != "")
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value if _plain(v) != "")
    return str(value)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _json_for_script(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


@functools.cache
def _static(name: str) -> str:
    return resources.files("geonames.report").joinpath("static", name).read_text("utf-8")


@functools.cache
def _ol_version() -> str:
    head = _static("ol.js")[:200]
    return head.split("OpenLayers ", 1)[1].split(" ", 1)[0] if "OpenLayers " in head else ""


def _font_face(page_text: str) -> str:
    """An ``@font-face`` with just the glyphs of the page (a subset of Noto Sans CJK SC), so
    labels are drawn in Chinese where no CJK font is installed; empty when no font is found."""
    chars = "".join(sorted(set(page_text) | set("0123456789,.-()%²") - set("\n\r\t")))
    data = webfont.subset(chars)
    if not data:
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    return (f"@font-face{{font-family:'{EMBEDDED_FONT}';font-display:block;"
            f"src:url(data:font/otf;base64,{encoded}) format('opentype')}}")
