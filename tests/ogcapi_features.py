"""OGC API – Features – Part 1 (OGC 17-069r4) core and GeoJSON response components, for
checking a server's responses against its own OpenAPI document without a network.

pygeoapi's OpenAPI document refers to the OGC's published components on
schemas.opengis.net; :func:`localize` replaces those references with the components below,
written from the standard's requirement classes: /req/core (landing page, collection,
items, feature, exceptions) and /req/geojson (FeatureCollection and Feature bodies, with
``numberMatched``, ``numberReturned``, ``timeStamp`` and ``links``).
"""

from __future__ import annotations

import copy
import json
from typing import Any

LINK = {"type": "object", "required": ["href"], "properties": {
    "href": {"type": "string"}, "rel": {"type": "string"}, "type": {"type": "string"},
    "hreflang": {"type": "string"}, "title": {"type": "string"},
    "length": {"type": "integer"}}}

LINKS = {"type": "array", "items": LINK}

EXCEPTION = {"type": "object", "required": ["code"], "properties": {
    "code": {"type": "string"}, "description": {"type": "string"}}}

POSITION = {"type": "array", "minItems": 2, "items": {"type": "number"}}


def _geometry(kind: str, coordinates: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": ["type", "coordinates"], "properties": {
        "type": {"type": "string", "enum": [kind]}, "coordinates": coordinates}}


_LINE = {"type": "array", "minItems": 2, "items": POSITION}
_RING = {"type": "array", "minItems": 4, "items": POSITION}
_POLYGON = {"type": "array", "items": _RING}

GEOMETRY = {"oneOf": [
    _geometry("Point", POSITION),
    _geometry("MultiPoint", {"type": "array", "items": POSITION}),
    _geometry("LineString", _LINE),
    _geometry("MultiLineString", {"type": "array", "items": _LINE}),
    _geometry("Polygon", _POLYGON),
    _geometry("MultiPolygon", {"type": "array", "items": _POLYGON}),
    {"type": "object", "required": ["type", "geometries"], "properties": {
        "type": {"type": "string", "enum": ["GeometryCollection"]},
        "geometries": {"type": "array", "items": {"type": "object"}}}},
]}

FEATURE = {"type": "object", "required": ["type", "geometry", "properties"], "properties": {
    "type": {"type": "string", "enum": ["Feature"]},
    # GeoJSON: a geometry object, or null for a place without a location
    "geometry": {"anyOf": [{"type": "object", "nullable": True, "enum": [None]},
                           *GEOMETRY["oneOf"]]},
    "properties": {"type": "object", "nullable": True},
    "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "links": LINKS}}

FEATURES = {"type": "object", "required": ["type", "features"], "properties": {
    "type": {"type": "string", "enum": ["FeatureCollection"]},
    "features": {"type": "array", "items": FEATURE},
    "links": LINKS,
    "timeStamp": {"type": "string", "format": "date-time"},
    "numberMatched": {"type": "integer", "minimum": 0},
    "numberReturned": {"type": "integer", "minimum": 0}}}

EXTENT = {"type": "object", "properties": {
    "spatial": {"type": "object", "properties": {
        "bbox": {"type": "array", "minItems": 1, "items": {
            "type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}},
        "crs": {"type": "string"}}},
    "temporal": {"type": "object", "properties": {
        "interval": {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                                  "items": {"type": "string", "nullable": True}}},
        "trs": {"type": "string"}}}}}

COLLECTION = {"type": "object", "required": ["id", "links"], "properties": {
    "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
    "links": LINKS, "extent": EXTENT, "itemType": {"type": "string"},
    "crs": {"type": "array", "items": {"type": "string"}}}}

CONFORMANCE = {"type": "object", "required": ["conformsTo"], "properties": {
    "conformsTo": {"type": "array", "items": {"type": "string"}}}}

LANDING = {"type": "object", "required": ["links"], "properties": {
    "title": {"type": "string"}, "description": {"type": "string"}, "links": LINKS}}

HTML = {"text/html": {"schema": {"type": "string"}}}


def _json(schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {media: {"schema": schema}}


RESPONSES: dict[str, dict[str, Any]] = {
    "LandingPage": {"description": "landing page", "content": {**_json(LANDING), **HTML}},
    "ConformanceDeclaration": {"description": "conformance classes",
                               "content": {**_json(CONFORMANCE), **HTML}},
    "Collection": {"description": "a collection", "content": {**_json(COLLECTION), **HTML}},
    "Features": {"description": "features",
                 "content": {**_json(FEATURES, "application/geo+json"), **HTML}},
    "Feature": {"description": "a feature",
                "content": {**_json(FEATURE, "application/geo+json"), **HTML}},
    "InvalidParameter": {"description": "invalid parameter",
                         "content": {**_json(EXCEPTION), **HTML}},
    "NotFound": {"description": "not found", "content": {**_json(EXCEPTION), **HTML}},
    "ServerError": {"description": "server error", "content": {**_json(EXCEPTION), **HTML}},
}

PARAMETERS = {"featureId": {"name": "featureId", "in": "path", "required": True,
                            "schema": {"type": "string"}}}

_BASE = "https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/ogcapi-features-1.yaml"


def localize(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of an OpenAPI document whose references to the OGC's published components
    point at the local ones above (other remote references: a plain schema)."""
    spec = copy.deepcopy(spec)
    comps = spec.setdefault("components", {})
    for name, value in RESPONSES.items():
        comps.setdefault("responses", {})[f"OGC{name}"] = value
    for name, value in PARAMETERS.items():
        comps.setdefault("parameters", {})[f"OGC{name}"] = value
    comps.setdefault("schemas", {})["OGClink"] = LINK
    comps["schemas"]["OGCexception"] = EXCEPTION
    text = json.dumps(spec)
    text = text.replace(f'"{_BASE}#/components/responses/', '"#/components/responses/OGC')
    text = text.replace(f'"{_BASE}#/components/parameters/', '"#/components/parameters/OGC')
    text = text.replace('"https://schemas.opengis.net/ogcapi/tiles/part1/1.0/openapi/'
                        'ogcapi-tiles-1.yaml#/components/schemas/link"',
                        '"#/components/schemas/OGClink"')
    text = text.replace('"https://schemas.opengis.net/ogcapi/processes/part1/1.0/openapi/'
                        'schemas/exception.yaml"', '"#/components/schemas/OGCexception"')
    text = text.replace('"https://schemas.opengis.net/ogcapi/processes/part1/1.0/openapi/'
                        'responses/NotFound.yaml"', '"#/components/responses/OGCNotFound"')
    out = json.loads(text)
    _drop_remote(out)
    return out


def _drop_remote(node: Any) -> None:
    """Replace any remaining remote reference (pygeoapi's ``sortby`` parameter) by a plain
    optional query parameter."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            if isinstance(item, dict) and str(item.get("$ref", "")).startswith("http"):
                name = item["$ref"].rsplit("/", 1)[-1].split(".")[0]
                node[i] = {"name": name, "in": "query", "required": False,
                           "schema": {"type": "string"}}
            else:
                _drop_remote(item)
    elif isinstance(node, dict):
        for value in node.values():
            _drop_remote(value)
