"""Endpoints beside pygeoapi's: the reconciliation service, the search page, and each
place's history.

* ``/reconcile`` (GET or POST): the W3C Reconciliation API v0.2 manifest, or the answers
  to ``queries``; ``/reconcile/preview``, ``/reconcile/suggest/{entity,type,property}``.
* ``/search``: a plain HTML page (a GET form, so the browser's back button walks the
  searches) listing the places found with an inline SVG map of them — no script, no remote
  assets, so it works offline.
* ``/collections/placenames/items/{id}/history``: the place's events (JSON, or HTML with
  ``f=html``).
"""

from __future__ import annotations

import html
import json
from typing import Any

import shapely
from flask import Blueprint, Response, request

from geonames.errors import GeonamesError
from geonames.registry import PlaceNotFound
from geonames.serve import features, reconcile, state

JSON = "application/json; charset=utf-8"


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False)
    callback = request.args.get("callback")
    if callback and callback.replace("_", "").replace(".", "").isalnum() and len(callback) < 64:
        return Response(f"{callback}({body});", status, mimetype="application/javascript")
    return Response(body, status, content_type=JSON)


def _error(status: int, message: str) -> Response:
    return _json({"code": "InvalidParameterValue", "description": message}, status)


def blueprint(base_url: str) -> Blueprint:
    bp = Blueprint("geonames", __name__)
    recon_url = f"{base_url}/reconcile"

    def manifest() -> dict[str, Any]:
        return {
            "versions": ["0.2"],
            "name": f"地名 place names ({state.label()})",
            "identifierSpace": f"{base_url}/collections/placenames/items/",
            "schemaSpace": f"{base_url}/collections/placenames/schema",
            "defaultTypes": [{"id": c, "name": n} for c, n in reconcile.types()],
            "view": {"url": f"{base_url}/collections/placenames/items/{{{{id}}}}?f=html"},
            "preview": {"url": f"{recon_url}/preview?id={{{{id}}}}", "width": 400,
                        "height": 120},
            "suggest": {
                "entity": {"service_url": recon_url, "service_path": "/suggest/entity"},
                "type": {"service_url": recon_url, "service_path": "/suggest/type"},
                "property": {"service_url": recon_url, "service_path": "/suggest/property"},
            },
        }

    @bp.route("/reconcile", methods=["GET", "POST"])
    def reconcile_endpoint() -> Response:
        raw = request.values.get("queries")
        if raw is None:
            return _json(manifest())
        try:
            queries = json.loads(raw)
        except ValueError:
            return _error(400, "queries: not JSON")
        if not isinstance(queries, dict) or not queries:
            return _error(400, "queries: a JSON object of named queries")
        if len(queries) > state.limits.max_queries:
            return _error(400, f"more than {state.limits.max_queries} queries in one request")
        try:
            parsed = {k: reconcile.parse_query(v, state.limits.max_query_chars)
                      for k, v in queries.items()}
        except reconcile.BadQuery as err:
            return _error(400, str(err))
        reg = state.registry()
        out = {}
        for key, q in parsed.items():
            out[key] = {"result": [c.to_json() for c in reconcile.reconcile(reg, q)]}
        return _json(out)

    @bp.route("/reconcile/suggest/entity")
    def suggest_entity() -> Response:
        prefix = request.args.get("prefix", "")
        if len(prefix) > state.limits.max_query_chars:
            return _error(400, "prefix too long")
        try:
            cursor = max(0, int(request.args.get("cursor") or 0))
        except ValueError:
            return _error(400, "cursor: a whole number")
        if not prefix.strip():
            return _json({"result": []})
        hits = state.registry().search(prefix, limit=min(cursor + 10, state.limits.search_cap))
        return _json({"result": [
            {"id": h.place_id, "name": h.name,
             "description": h.matched if h.matched != h.name else ""}
            for h in hits[cursor:cursor + 10]]})

    @bp.route("/reconcile/suggest/type")
    def suggest_type() -> Response:
        prefix = request.args.get("prefix", "").strip()
        return _json({"result": [{"id": c, "name": n} for c, n in reconcile.types()
                                 if c.startswith(prefix) or prefix in n][:20]})

    @bp.route("/reconcile/suggest/property")
    def suggest_property() -> Response:
        prefix = request.args.get("prefix", "").strip().lower()
        props = [{"id": "division_code", "name": "区划代码 division code"},
                 {"id": "point", "name": "坐标 point (lon,lat)"}]
        return _json({"result": [p for p in props
                                 if prefix in p["id"] or prefix in p["name"].lower()]})

    @bp.route("/reconcile/preview")
    def preview() -> Response:
        pid = request.args.get("id", "")
        try:
            props, _ = features.get(state.registry(), pid)
        except PlaceNotFound:
            return Response("<p>no such place</p>", 404, content_type="text/html; charset=utf-8")
        rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in props.items() if v not in (None, ""))
        return Response(f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body "
                        f"style='font:13px sans-serif;margin:4px'><b>{html.escape(props['name'])}"
                        f"</b> <code>{html.escape(pid)}</code><table>{rows}</table></body></html>",
                        content_type="text/html; charset=utf-8")

    @bp.route("/collections/placenames/items/<place_id>/history")
    def history(place_id: str) -> Response:
        try:
            events = state.registry().history(place_id)
        except PlaceNotFound:
            return _error(404, f"no place {place_id}")
        rows = [{"seq": e.seq, "batch": e.batch, "kind": str(e.kind),
                 "effective": e.effective.isoformat(),
                 "recorded": e.recorded.isoformat() if e.recorded else None,
                 "summary": e.summary(), "data": _plain(e.data),
                 "approval": ({"authority": e.approval.authority,
                               "document": e.approval.document,
                               "date": e.approval.date.isoformat() if e.approval.date else None}
                              if e.approval else None),
                 "reason": e.reason} for e in events]
        if request.args.get("f") == "html":
            items = "".join(f"<li>{html.escape(r['summary'])}</li>" for r in rows)
            return _page(f"{place_id} history", f"<h1>{html.escape(place_id)}</h1>"
                         f"<ol>{items}</ol><p><a href='{base_url}/collections/placenames/items/"
                         f"{html.escape(place_id)}?f=html'>place</a></p>")
        return _json({"id": place_id, "events": rows, "links": [
            {"rel": "about", "type": "application/geo+json",
             "href": f"{base_url}/collections/placenames/items/{place_id}"}]})

    @bp.route("/search")
    def search_page() -> Response:
        q = request.args.get("q", "").strip()
        day = request.args.get("datetime", "").strip()
        code = request.args.get("division_code", "").strip()
        if len(q) > state.limits.max_query_chars:
            return _page("search", "<p>query too long</p>", 400)
        body = [_form(q, day, code)]
        if q or code:
            try:
                from geonames.serve.provider import parse_day

                query = features.Query(limit=50, q=q or None,
                                       filters={"division_code": code} if code else {},
                                       as_of=parse_day(day) if day else None,
                                       deadline=state.deadline())
                page = features.query(state.registry(), query, state.limits.search_cap)
            except (GeonamesError, ValueError, features.QueryTimeout) as err:
                return _page("search", body[0] + f"<p class='err'>{html.escape(str(err))}</p>",
                             400)
            except Exception as err:  # pygeoapi's query errors carry a message for people
                msg = getattr(err, "user_msg", None) or "bad query"
                return _page("search", body[0] + f"<p class='err'>{html.escape(msg)}</p>", 400)
            body.append(f"<p>{len(page.places)} of {page.matched if page.matched is not None else '…'}"
                        f" found</p>")
            body.append(_svg_map(page.places))
            items = []
            for pid, props, _ in page.places:
                link = f"{base_url}/collections/placenames/items/{pid}?f=html"
                hit = page.hits.get(pid)
                extra = (f" <small>({html.escape(hit['matched'])}, {hit['match']} by "
                         f"{hit['by']})</small>") if hit and hit["matched"] != props["name"] else ""
                items.append(f"<li><a href='{html.escape(link)}'>{html.escape(props['name'])}</a>"
                             f" {html.escape(props.get('romanization') or '')} "
                             f"<code>{html.escape(props.get('division_code') or '')}</code>"
                             f"{extra}</li>")
            body.append(f"<ol>{''.join(items)}</ol>")
        return _page("地名检索 search", "".join(body))

    return bp


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


_CSS = ("body{font:15px/1.5 'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:1.5em;"
        "max-width:60em}input{font-size:15px;margin-right:.5em}svg{border:1px solid #ccc;"
        "background:#f8f8f4}.err{color:#b00}")


def _page(title: str, body: str, status: int = 200) -> Response:
    return Response(f"<!DOCTYPE html><html lang='zh'><head><meta charset='utf-8'>"
                    f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>"
                    f"<body>{body}</body></html>", status, content_type="text/html; charset=utf-8")


def _form(q: str, day: str, code: str) -> str:
    e = html.escape
    return ("<h1>地名检索</h1><form method='get' action=''>"
            f"<input name='q' value='{e(q)}' placeholder='名称、拼音或首字母' autofocus>"
            f"<input name='division_code' value='{e(code)}' placeholder='区划代码' size='12'>"
            f"<input name='datetime' value='{e(day)}' placeholder='日期 YYYY-MM-DD' size='14'>"
            "<button>检索</button></form>")


def _svg_map(places: list[tuple[str, dict[str, Any], Any]], width: int = 640,
             height: int = 400) -> str:
    geoms = [(p, g) for _, p, g in places if g is not None and not g.is_empty]
    if not geoms:
        return ""
    xmin, ymin, xmax, ymax = shapely.total_bounds([g for _, g in geoms])
    pad = max(xmax - xmin, ymax - ymin, 0.01) * 0.08
    xmin, ymin, xmax, ymax = xmin - pad, ymin - pad, xmax + pad, ymax + pad
    scale = min(width / (xmax - xmin), height / (ymax - ymin))

    def xy(x: float, y: float) -> str:
        return f"{(x - xmin) * scale:.1f},{(ymax - y) * scale:.1f}"

    shapes = []
    for props, g in geoms:
        label = html.escape(props["name"])
        for part in getattr(g, "geoms", [g]):
            if part.geom_type == "Polygon":
                d = "".join("M" + " L".join(xy(x, y) for x, y in ring.coords) + "Z"
                            for ring in [part.exterior, *part.interiors])
                shapes.append(f"<path d='{d}' fill='#cde' stroke='#468' stroke-width='1'>"
                              f"<title>{label}</title></path>")
            elif part.geom_type == "LineString":
                d = "M" + " L".join(xy(x, y) for x, y in part.coords)
                shapes.append(f"<path d='{d}' fill='none' stroke='#468'/>")
        c = g.representative_point()
        cx, cy = xy(c.x, c.y).split(",")
        shapes.append(f"<circle cx='{cx}' cy='{cy}' r='4' fill='#c33'><title>{label}</title>"
                      f"</circle><text x='{float(cx) + 6:.1f}' y='{float(cy) + 4:.1f}' "
                      f"font-size='12'>{label}</text>")
    w, h = (xmax - xmin) * scale, (ymax - ymin) * scale
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{w:.0f}' height='{h:.0f}' "
            f"viewBox='0 0 {w:.0f} {h:.0f}' role='img' aria-label='map of the places found'>"
            f"{''.join(shapes)}</svg>")


__all__ = ["blueprint"]
