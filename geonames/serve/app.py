"""The web application: pygeoapi's Flask application configured for one register, with the
reconciliation service and the search page beside it, request limits and a request log.

pygeoapi reads its configuration when its Flask module is imported (from the files named by
``PYGEOAPI_CONFIG`` and ``PYGEOAPI_OPENAPI``), so :func:`create_app` writes both into a
private folder first; neither holds the register's target.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import time
from typing import Any

import yaml
from pyproj import CRS

from geonames.registry import Registry
from geonames.serve import state

LOG = logging.getLogger("geonames.serve")

COLLECTION = "placenames"

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"


def crs_uri(crs: CRS) -> str:
    epsg = crs.to_epsg()
    if epsg is None:
        raise ValueError("the register's CRS has no EPSG code")
    return f"http://www.opengis.net/def/crs/EPSG/0/{epsg}"


def storage_crs(crs: CRS) -> str:
    """The CRS the provider answers in: CRS84 for a longitude/latitude register on CGCS2000
    or WGS 84 (pyproj's transformation between the two is the identity), else the register's
    own CRS, which pygeoapi then transforms to CRS84."""
    if crs.to_epsg() in (4490, 4326):
        return CRS84
    return crs_uri(crs)


def make_config(reg: Registry, url: str, limits: state.Limits,
                title: str = "地名共享服务 Place-name sharing service") -> dict[str, Any]:
    """pygeoapi's configuration for the register (no target, no credentials)."""
    ext = reg.store.extent() or (73.5, 18.1, 134.8, 53.6)
    crs = reg.crs
    storage = storage_crs(crs)
    bbox = list(ext)
    if storage != CRS84:
        from pyproj import Transformer

        t = Transformer.from_crs(crs, CRS.from_epsg(4326), always_xy=True)
        bbox = list(t.transform_bounds(*ext))
    crs_list = [CRS84] + ([crs_uri(crs)] if crs.to_epsg() not in (None, 4326) else [])
    return {
        "server": {
            "bind": {"host": "127.0.0.1", "port": 0},
            "url": url.rstrip("/"),
            "mimetype": "application/json; charset=UTF-8",
            "encoding": "utf-8",
            "gzip": False,
            "languages": ["zh-CN", "en-US"],
            "pretty_print": False,
            "limits": {"default_items": limits.default_items, "max_items": limits.max_items,
                       "on_exceed": "throttle"},
            "map": {"url": "", "attribution": ""},
            "admin": False,
        },
        # pygeoapi logs each refused request with a traceback; the request log is ours
        "logging": {"level": "CRITICAL"},
        "metadata": {
            "identification": {
                "title": title,
                "description": "标准地名：当前与历史，按字、拼音、首字母检索 — "
                               "standard place names of the register, current and as of any "
                               "day, searchable by characters, pinyin or initials",
                "keywords": ["地名", "place names", "gazetteer"],
                "keywords_type": "theme",
                "terms_of_service": "",
                "url": url,
            },
            "license": {"name": "see the register's publisher", "url": url},
            "provider": {"name": "geonames", "url": url},
            "contact": {"name": "place-name office", "position": "", "address": "",
                        "city": "", "stateorprovince": "", "postalcode": "", "country": "",
                        "phone": "", "fax": "", "email": "", "url": url, "hours": "",
                        "instructions": "", "role": "pointOfContact"},
        },
        "resources": {
            COLLECTION: {
                "type": "collection",
                "title": "地名 Place names",
                "description": "Current standard place names of the register; ?datetime=DAY "
                               "gives the register as it stood on that day, ?q= searches by "
                               "characters, pinyin or initials.",
                "keywords": ["地名", "place names"],
                "extents": {"spatial": {"bbox": bbox, "crs": CRS84}},
                "links": [
                    {"type": "text/html", "rel": "search", "title": "地名检索 search page",
                     "href": f"{url.rstrip('/')}/search"},
                    {"type": "application/json", "rel": "service",
                     "title": "W3C Reconciliation API v0.2 (OpenRefine)",
                     "href": f"{url.rstrip('/')}/reconcile"},
                ],
                "providers": [{
                    "type": "feature",
                    "name": "geonames.serve.provider.RegisterProvider",
                    "data": "register",
                    "id_field": "id",
                    "title_field": "name",
                    "storage_crs": storage,
                    "crs": crs_list,
                }],
            },
        },
    }


def create_app(target: str, url: str, limits: state.Limits | None = None,
               workdir: str | None = None) -> Any:
    """The WSGI application serving the register at ``target`` under base ``url``."""
    limits = limits or state.Limits()
    reg = state.open_read_only(target)
    try:
        config = make_config(reg, url, limits)
        label = safe_label(target)
    finally:
        reg.close()
    state.configure(target, label, url, limits)
    folder = workdir or tempfile.mkdtemp(prefix="geonames-serve-")
    os.chmod(folder, 0o700)
    cfg_path = os.path.join(folder, "pygeoapi-config.yml")
    with open(cfg_path, "w", encoding="utf-8") as fh:
        yaml.safe_dump(config, fh, allow_unicode=True)
    from pygeoapi.openapi import get_oas

    os.environ["PYGEOAPI_CONFIG"] = cfg_path
    oas = fix_openapi(get_oas(config))
    oas_path = os.path.join(folder, "pygeoapi-openapi.yml")
    with open(oas_path, "w", encoding="utf-8") as fh:
        yaml.safe_dump(oas, fh, allow_unicode=True)
    os.environ["PYGEOAPI_OPENAPI"] = oas_path
    from pygeoapi import flask_app  # reads both files

    app = flask_app.APP
    _add_hooks(app)
    from geonames.serve.web import blueprint

    app.register_blueprint(blueprint(url.rstrip("/")))
    return app


_OGC_FEATURES = ("https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/"
                 "ogcapi-features-1.yaml")


def fix_openapi(oas: dict[str, Any]) -> dict[str, Any]:
    """pygeoapi's OpenAPI document, corrected (its ``/conformance`` answer refers to the
    landing-page response instead of the conformance declaration) and completed with the
    endpoints beside pygeoapi's: reconciliation, the search page, a place's history."""
    conformance = oas.get("paths", {}).get("/conformance", {}).get("get", {})
    if "responses" in conformance:
        conformance["responses"]["200"] = {
            "$ref": f"{_OGC_FEATURES}#/components/responses/ConformanceDeclaration"}
    oas.setdefault("paths", {}).update(_extra_paths())
    return oas


def _op(summary: str, params: list[dict[str, Any]], schema: dict[str, Any],
        media: str = "application/json") -> dict[str, Any]:
    bad = {"description": "bad request", "content": {"application/json": {"schema": {
        "type": "object", "required": ["description"],
        "properties": {"code": {"type": "string"}, "description": {"type": "string"}}}}}}
    return {"summary": summary, "tags": ["geonames"], "parameters": params, "responses": {
        "200": {"description": "OK", "content": {media: {"schema": schema}}},
        "400": bad, "404": bad}}


def _q(name: str, description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": {"type": "string"}}


_TYPE = {"type": "object", "required": ["id"],
         "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}
_CANDIDATE = {"type": "object", "required": ["id", "name", "score"], "properties": {
    "id": {"type": "string"}, "name": {"type": "string"}, "description": {"type": "string"},
    "score": {"type": "number"}, "match": {"type": "boolean"},
    "type": {"type": "array", "items": _TYPE},
    "features": {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "string"}, "value": {"type": "number"}}}}}}
_MANIFEST = {"type": "object", "required": ["versions", "name", "identifierSpace",
                                            "schemaSpace"], "properties": {
    "versions": {"type": "array", "items": {"type": "string"}},
    "name": {"type": "string"}, "identifierSpace": {"type": "string"},
    "schemaSpace": {"type": "string"}, "defaultTypes": {"type": "array", "items": _TYPE},
    "view": {"type": "object", "required": ["url"]},
    "preview": {"type": "object", "required": ["url", "width", "height"]},
    "suggest": {"type": "object"}}}
_BATCH = {"type": "object", "additionalProperties": {
    "type": "object", "required": ["result"],
    "properties": {"result": {"type": "array", "items": _CANDIDATE}}}}
#: The manifest (no ``queries``) or a batch of answers, W3C Reconciliation API v0.2.
_RECONCILE = {"oneOf": [_MANIFEST, _BATCH]}
_SUGGEST = {"type": "object", "required": ["result"], "properties": {"result": {
    "type": "array", "items": {"type": "object", "required": ["id", "name"], "properties": {
        "id": {"type": "string"}, "name": {"type": "string"},
        "description": {"type": "string"}}}}}}


def _extra_paths() -> dict[str, Any]:
    queries = _q("queries", "JSON object of named queries {query, type, limit, properties: "
                 "[{pid: division_code | point, v}]}; without it, the service manifest")
    return {
        "/reconcile": {
            "get": _op("W3C Reconciliation API v0.2: manifest, or answers to queries",
                       [queries], _RECONCILE),
            "post": {**_op("Reconciliation queries as a form field", [], _RECONCILE),
                     "requestBody": {"content": {"application/x-www-form-urlencoded": {
                         "schema": {"type": "object",
                                    "properties": {"queries": {"type": "string"}}}}}}},
        },
        "/reconcile/suggest/entity": {"get": _op(
            "Places whose name starts with or contains the prefix",
            [_q("prefix", "characters, pinyin or initials", True), _q("cursor", "offset")],
            _SUGGEST)},
        "/reconcile/suggest/type": {"get": _op("Types (GB/T 18521 categories)",
                                               [_q("prefix", "code or name")], _SUGGEST)},
        "/reconcile/suggest/property": {"get": _op("Query properties",
                                                   [_q("prefix", "id or name")], _SUGGEST)},
        "/reconcile/preview": {"get": _op("HTML card of a place", [_q("id", "place id", True)],
                                          {"type": "string"}, "text/html")},
        "/search": {"get": _op("Search page with a map", [
            _q("q", "characters, pinyin or initials"), _q("division_code", "code prefix"),
            _q("datetime", "a day: the register as it stood then")], {"type": "string"},
            "text/html")},
        "/collections/placenames/items/{featureId}/history": {"get": _op(
            "Every event of a place", [
                {"name": "featureId", "in": "path", "required": True,
                 "schema": {"type": "string"}}, _q("f", "json or html")],
            {"type": "object", "required": ["id", "events"], "properties": {
                "id": {"type": "string"},
                "events": {"type": "array", "items": {"type": "object", "required": [
                    "seq", "kind", "effective", "summary"]}}}})},
    }



def safe_label(target: str) -> str:
    """A register's name for logs and pages: the file name, or PostGIS host/database."""
    if target.startswith(("postgresql://", "postgres://")):
        from urllib.parse import urlsplit

        parts = urlsplit(target)
        return f"postgis {parts.hostname or ''}/{parts.path.lstrip('/')}"
    return os.path.basename(target)


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_ITEMS = re.compile(r"^.*/collections/[^/]+/items(/[^/]+)?/?$")


def _add_hooks(app: Any) -> None:
    from flask import g, jsonify, request
    from werkzeug.datastructures import Headers

    @app.before_request
    def _limits() -> Any:
        g.started = time.monotonic()
        if request.method not in _READ_METHODS and not (
                request.method == "POST" and request.path.rstrip("/").endswith("/reconcile")):
            return _refuse(405, "this service is read-only: changes go through the register's "
                                "command line or library")
        if request.content_length and request.content_length > 1_000_000:
            return _refuse(413, "request body larger than 1 MB")
        if len(request.query_string) > 4096:
            return _refuse(414, "query string longer than 4096 bytes")
        state.start_request()
        return None

    def _refuse(status: int, message: str) -> Any:
        response = jsonify({"code": "Refused", "description": message})
        response.status_code = status
        return response

    @app.after_request
    def _log(response: Any) -> Any:
        if not isinstance(response.headers, Headers):  # pygeoapi sets a plain dict
            response.headers = Headers(response.headers)
        if (response.status_code == 200 and response.mimetype == "application/json"
                and _ITEMS.match(request.path)):
            # OGC API – Features /req/geojson/content: items answer as application/geo+json
            response.headers["Content-Type"] = "application/geo+json"
        ms = (time.monotonic() - g.get("started", time.monotonic())) * 1000
        LOG.info("%s %s %s %d %.1f ms", request.remote_addr, request.method,
                 request.full_path.rstrip("?"), response.status_code, ms)
        return response
