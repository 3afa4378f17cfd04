"""Read and write vector files through fiona (GeoJSON, Shapefile, GeoPackage, FlatGeobuf …).

Reading checks what the engines rely on and says exactly what is wrong otherwise
(:class:`~geonames.errors.InputFileError`): a missing or unreadable file, an empty or absent
layer, an unknown field, geometries of the wrong kind, coordinates out of range, an unknown CRS.

Shapefiles whose ``.dbf`` text is GBK/GB18030 and that have no ``.cpg`` are detected and decoded
(:func:`detect_encoding`); ``encoding=`` overrides the detection.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fiona
import numpy as np
import shapely
from fiona.errors import DriverError, FionaError
from pyproj import CRS
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from geonames.coverage import ApprovedException
from geonames.crs import (
    WGS84,
    choose_metric_crs,
    crs_label,
    lonlat_bounds_ok,
    reproject,
    resolve_crs,
)
from geonames.errors import CRSError, InputFileError
from geonames.lines import BoundaryLines
from geonames.models.division import DivisionTable

#: Field names tried, in order, for the division id when none is given and the feature id is
#: not meaningful.
ID_FIELD_GUESSES = ("code", "adcode", "gb", "xzqdm", "xzqhdm", "division_code", "id")
#: Field names tried, in order, for the division name when none is given.
NAME_FIELD_GUESSES = ("name", "xzqmc", "name_zh", "name_chn", "mc", "名称")

POLYGONAL = frozenset({"Polygon", "MultiPolygon"})

_DRIVERS_BY_SUFFIX = {
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".shp": "ESRI Shapefile",
    ".fgb": "FlatGeobuf",
}


@dataclass
class RawLayer:
    """What a vector layer holds, before any interpretation.

    ``geometries`` are shapely objects (None for features without one); ``fids`` are fiona's
    feature ids as strings; ``fields`` maps field name → fiona type.
    """

    path: str
    layer: str | None
    driver: str
    declared_crs: CRS | None
    fields: dict[str, str]
    fids: list[str]
    properties: list[dict[str, Any]]
    geometries: np.ndarray
    encoding: str | None

    @property
    def geometry_types(self) -> dict[str, int]:
        """Count of features per geometry type (``"None"`` for features without geometry)."""
        types = shapely.get_type_id(self.geometries)
        names = {-1: "None", 0: "Point", 1: "LineString", 2: "LinearRing", 3: "Polygon",
                 4: "MultiPoint", 5: "MultiLineString", 6: "MultiPolygon",
                 7: "GeometryCollection"}
        values, counts = np.unique(types, return_counts=True)
        return {names[int(v)]: int(c) for v, c in zip(values, counts, strict=True)}

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) over all geometries, in the layer's own coordinates."""
        present = self.geometries[~shapely.is_missing(self.geometries)]
        if len(present) == 0:
            return (np.nan, np.nan, np.nan, np.nan)
        return tuple(float(v) for v in shapely.total_bounds(present))


def read_layer(
    path: str | os.PathLike,
    layer: str | None = None,
    encoding: str | None = None,
) -> RawLayer:
    """Read every feature of a vector layer.

    Parameters
    ----------
    path : path-like
        Any file fiona can read.
    layer : str, optional
        Layer name, for multi-layer files such as GeoPackage.
    encoding : str, optional
        Attribute encoding; for shapefiles without ``.cpg`` it is detected when not given.
    """
    path = str(path)
    if not os.path.exists(path):
        raise InputFileError(f"{path}: no such file")
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        raise InputFileError(f"{path}: the file is empty")
    layers = list_layers(path)
    if layer is not None and layer not in layers:
        raise InputFileError(f"{path}: no layer {layer!r}; layers are: {', '.join(layers)}")
    if layer is None and len(layers) > 1:
        layer = layers[0]
    if encoding is None:
        encoding = detect_encoding(path, layer)
    opts: dict[str, Any] = {"layer": layer} if layer is not None else {}
    if encoding:
        opts["encoding"] = encoding
    try:
        with fiona.open(path, **opts) as src:
            driver = src.driver
            declared = CRS.from_user_input(src.crs) if src.crs else None
            fields = dict(src.schema["properties"])
            fids, props, geoms = [], [], []
            for feature in src:
                fids.append(str(feature.id))
                props.append(dict(feature.properties))
                geoms.append(shape(feature.geometry) if feature.geometry else None)
    except (DriverError, FionaError, ValueError, KeyError) as err:
        raise InputFileError(f"{path}: cannot read features ({_first_line(err)})") from None
    if not fids:
        raise InputFileError(f"{path}: the layer {layer or layers[0]!r} has no features")
    return RawLayer(path, layer, driver, declared, fields, fids, props,
                    np.asarray(geoms, dtype=object), encoding)


def list_layers(path: str | os.PathLike) -> list[str]:
    """Names of the layers in a vector file."""
    try:
        return list(fiona.listlayers(str(path)))
    except (DriverError, FionaError, ValueError) as err:
        raise InputFileError(
            f"{path}: not a vector file that can be read ({_first_line(err)})"
        ) from None


def detect_encoding(path: str | os.PathLike, layer: str | None = None) -> str | None:
    """The attribute encoding of a shapefile without ``.cpg``, or None when there is no doubt.

    Reads the ``.dbf`` text as raw bytes and keeps the first of UTF-8, GB18030 that decodes all
    of it (GB18030 is a superset of GBK and GB2312); falls back to Latin-1.
    """
    path = Path(path)
    if path.suffix.lower() != ".shp" or path.with_suffix(".cpg").exists() \
            or path.with_suffix(".CPG").exists():
        return None
    raw: list[bytes] = []
    try:
        with fiona.open(path, encoding="latin1") as src:
            text_fields = [k for k, v in src.schema["properties"].items() if v.startswith("str")]
            for feature in src:
                for key in text_fields:
                    value = feature.properties.get(key)
                    if value:
                        raw.append(value.encode("latin1"))
    except (DriverError, FionaError) as err:
        raise InputFileError(f"{path}: cannot read features ({_first_line(err)})") from None
    blob = b"\n".join(raw)
    for candidate in ("utf-8", "gb18030"):
        try:
            blob.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return "latin1"


#: Encodings tried, in order, for text files (CSV, TOML …) when none is given.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(data: bytes, path: str | os.PathLike, encoding: str | None = None
                ) -> tuple[str, str]:
    """Decode a text file's bytes: with ``encoding`` when given, else the first of UTF-8 (with
    or without BOM) and GB18030 that decodes all of it. Returns (text, encoding used).

    Raises InputFileError when it cannot be decoded (never guesses a lossy encoding).
    """
    for candidate in [encoding] if encoding else TEXT_ENCODINGS:
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError) as err:
            if encoding:
                raise InputFileError(f"{path}: cannot decode as {encoding} ({err})") from None
    raise InputFileError(f"{path}: text is neither UTF-8 nor GB18030; give the encoding "
                         "(--encoding)")


def read_text_file(path: str | os.PathLike, encoding: str | None = None) -> str:
    """The text of a file (gzip read transparently), decoded by :func:`decode_text`.

    Raises InputFileError for a missing, empty, unreadable or undecodable file.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, not a file")
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise InputFileError(f"{path}: cannot read ({err})") from None
    if not raw.strip():
        raise InputFileError(f"{path}: the file is empty")
    return decode_text(raw, path, encoding)[0]


def read_divisions(
    path: str | os.PathLike,
    layer: str | None = None,
    id_field: str | None = None,
    name_field: str | None = None,
    encoding: str | None = None,
    crs: CRS | str | None = None,
) -> DivisionTable:
    """Read a layer of division polygons.

    Parameters
    ----------
    path, layer, encoding
        As for :func:`read_layer`.
    id_field : str, optional
        Field holding the division id. By default the feature id when it is meaningful (not
        just 0…n-1 or 1…n), then the first of :data:`ID_FIELD_GUESSES` present, then the row
        number.
    name_field : str, optional
        Field holding the name; by default the first of :data:`NAME_FIELD_GUESSES` present.
    crs : optional
        The CRS the coordinates are in, used only when the file declares none and the
        coordinates are not longitude/latitude.

    Duplicate ids are kept (checks report them); features with no geometry keep ``None``.

    Raises
    ------
    InputFileError
        Missing, unreadable or empty file; unknown field; non-polygon geometries.
    CRSError
        No CRS and coordinates that are not longitude/latitude, or coordinates out of range
        for a declared geographic CRS.
    """
    raw = read_layer(path, layer, encoding)
    require_geometries(raw, "divisions")
    non_polygon = {t: n for t, n in raw.geometry_types.items() if t not in POLYGONAL | {"None"}}
    if non_polygon:
        kinds = ", ".join(f"{n} {t}" for t, n in non_polygon.items())
        raise InputFileError(f"{raw.path}: divisions must be polygons, but the layer has {kinds}")
    ids, id_source = division_ids(raw, id_field)
    names = _column(raw, name_field or _guess_field(raw.fields, NAME_FIELD_GUESSES))
    data_crs, note = data_crs_of(raw, crs)
    return DivisionTable(
        ids=np.asarray(ids, dtype=object),
        names=np.asarray(names, dtype=object),
        geometries=raw.geometries,
        crs=data_crs,
        crs_note=note,
        id_source=id_source,
        source=raw.path + (f":{raw.layer}" if raw.layer else ""),
        properties=raw.properties,
    )


def require_geometries(raw: RawLayer, what: str) -> None:
    """Refuse a layer in which no feature has a geometry (a plain table, such as a CSV
    without coordinates), naming what was expected."""
    if shapely.is_missing(raw.geometries).all():
        raise InputFileError(
            f"{raw.path}: no feature has a geometry, so it cannot be read as {what} "
            f"(fields: {', '.join(raw.fields) or '(none)'})")


def data_crs_of(raw: RawLayer, user_crs: CRS | str | None = None) -> tuple[CRS, str | None]:
    """The CRS a layer's coordinates are in, and a note when it was assumed.

    Raises :class:`CRSError` for coordinates outside longitude/latitude range in a geographic
    CRS, and for undeclared non-geographic coordinates with no ``user_crs``.
    """
    bounds = raw.bounds
    if raw.declared_crs is None:
        if user_crs is not None and not lonlat_bounds_ok(bounds):
            return resolve_crs(None, bounds, user_crs)
        try:
            return resolve_crs(None, bounds)
        except CRSError as err:
            raise CRSError(f"{raw.path}: {err}") from None
    if raw.declared_crs.is_geographic and not lonlat_bounds_ok(bounds):
        raise CRSError(
            f"{raw.path}: coordinates {tuple(round(b, 3) for b in bounds)} are out of "
            f"longitude/latitude range for the declared CRS {crs_label(raw.declared_crs)}; "
            "the file's CRS is wrong, or the coordinates are projected (fix the .prj, or "
            "give the right CRS with --crs)"
        )
    return raw.declared_crs, None


def division_ids(raw: RawLayer, id_field: str | None = None) -> tuple[list[str], str]:
    """The id of each feature and where it came from (see :func:`read_divisions`)."""
    if id_field is not None:
        return [_text(v) for v in _column(raw, id_field)], f"field {id_field!r}"
    if _meaningful_fids(raw.fids):
        return list(raw.fids), "feature id"
    guess = _guess_field(raw.fields, ID_FIELD_GUESSES)
    if guess is not None:
        values = [_text(v) for v in _column(raw, guess)]
        # GDAL keeps a GeoJSON feature's string "id" member as the field "id".
        source = "feature id" if raw.driver == "GeoJSON" and guess == "id" else f"field {guess!r}"
        return values, source
    return [str(i) for i in range(len(raw.fids))], "row number"


def describe(
    path: str | os.PathLike,
    layer: str | None = None,
    id_field: str | None = None,
    encoding: str | None = None,
    crs: CRS | str | None = None,
) -> dict[str, Any]:
    """What ``geonames info`` prints: a summary of a vector layer as a JSON-able dict.

    Keys: ``features``, ``geometry_types``, ``crs``, ``crs_note``, ``metric_crs``,
    ``metric_crs_reason``, ``bbox``, ``fields``, ``id_source``, ``ids_unique``,
    ``duplicate_ids``, ``encoding``, ``layer``, ``driver``.
    """
    raw = read_layer(path, layer, encoding)
    data_crs, note = data_crs_of(raw, None if crs is None else crs)
    metric = choose_metric_crs(data_crs, raw.bounds)
    ids, id_source = division_ids(raw, id_field)
    values, counts = np.unique(np.asarray(ids, dtype=str), return_counts=True)
    return {
        "path": raw.path,
        "layer": raw.layer,
        "driver": raw.driver,
        "features": len(raw.fids),
        "geometry_types": raw.geometry_types,
        "crs": crs_label(data_crs),
        "crs_note": note,
        "metric_crs": metric.label,
        "metric_crs_reason": metric.reason,
        "bbox": [round(v, 9) for v in raw.bounds],
        "fields": raw.fields,
        "encoding": raw.encoding,
        "id_source": id_source,
        "ids_unique": bool((counts == 1).all()),
        "duplicate_ids": values[counts > 1].tolist(),
    }


def driver_for(path: str | os.PathLike) -> str:
    """The fiona driver for an output path, from its suffix."""
    suffix = Path(path).suffix.lower()
    try:
        return _DRIVERS_BY_SUFFIX[suffix]
    except KeyError:
        known = ", ".join(sorted(_DRIVERS_BY_SUFFIX))
        raise InputFileError(f"{path}: unknown output format {suffix!r}; use one of {known}") \
            from None


def write_features(
    path: str | os.PathLike,
    records: Sequence[dict[str, Any]],
    geometries: Iterable[BaseGeometry | None],
    schema: dict[str, str],
    crs: CRS,
    layer: str | None = None,
    geometry_type: str = "Unknown",
) -> None:
    """Write records and geometries as one layer (GeoPackage, GeoJSON, Shapefile, FlatGeobuf).

    Parameters
    ----------
    records : sequence of dict
        Attribute values, keys as in ``schema``.
    geometries : iterable of shapely geometries (or None)
    schema : dict
        Field name → fiona type (``"str"``, ``"float"``, ``"int"`` …).
    crs : pyproj.CRS
    layer : str, optional
        Layer name (GeoPackage); an existing layer of that name is replaced.
    geometry_type : str
        fiona geometry type, ``"Unknown"`` for mixed.
    """
    path = str(path)
    driver = driver_for(path)
    opts: dict[str, Any] = {}
    if layer is not None and driver == "GPKG":
        opts["layer"] = layer
    if driver != "GPKG" and os.path.exists(path):
        os.remove(path)
    features = []
    for rec, geom in zip(records, geometries, strict=True):
        features.append(
            fiona.Feature(
                geometry=fiona.Geometry.from_dict(mapping(geom)) if geom is not None else None,
                properties={k: _plain(rec.get(k)) for k in schema},
            )
        )
    with fiona.open(
        path, "w", driver=driver, crs=crs.to_wkt(), schema={"geometry": geometry_type,
                                                            "properties": schema}, **opts
    ) as dst:
        dst.writerecords(features)


LINE_SCHEMA = {"line_id": "int", "left_id": "str", "right_id": "str", "left_name": "str",
               "right_name": "str", "length_m": "float"}
TRIPOINT_SCHEMA = {"point_id": "int", "ids": "str", "names": "str", "divisions": "int"}
OUTER_SCHEMA = {"outer_id": "int", "division_id": "str", "name": "str", "kind": "str",
                "length_m": "float"}
ADJACENCY_SCHEMA = {"first_id": "str", "second_id": "str", "first_name": "str",
                    "second_name": "str", "shared_length_m": "float", "lines": "int"}


def write_boundary_lines(result: BoundaryLines, path: str | os.PathLike, crs: CRS) -> None:
    """Write the four layers of :func:`geonames.lines.extract_lines` to a GeoPackage.

    Layers: ``boundary_lines`` (``line_id, left_id, right_id, left_name, right_name,
    length_m``), ``tripoints``, ``outer_boundary`` and the table ``adjacency``; an existing
    file is replaced.
    """
    if os.path.exists(path):
        os.remove(path)
    ids, names = result.ids, result.names
    records = [{"line_id": k + 1, "left_id": ids[a], "right_id": ids[b],
                "left_name": names[a], "right_name": names[b], "length_m": round(float(n), 3)}
               for k, (a, b, n) in enumerate(zip(result.left, result.right, result.lengths,
                                                 strict=True))]
    write_features(path, records, result.lines, LINE_SCHEMA, crs, layer="boundary_lines",
                   geometry_type="LineString")
    points = []
    for k, members in enumerate(result.tripoint_members):
        members = members[members >= 0]
        points.append({"point_id": k + 1, "ids": ",".join(ids[members]),
                       "names": ",".join(names[members]), "divisions": len(members)})
    write_features(path, points, result.tripoints, TRIPOINT_SCHEMA, crs, layer="tripoints",
                   geometry_type="Point")
    outer = [{"outer_id": k + 1, "division_id": ids[o], "name": names[o], "kind": kind,
              "length_m": round(float(n), 3)}
             for k, (o, kind, n) in enumerate(zip(result.outer_owner, result.outer_kind,
                                                  result.outer_lengths, strict=True))]
    write_features(path, outer, result.outer, OUTER_SCHEMA, crs, layer="outer_boundary",
                   geometry_type="LineString")
    pairs = [{"first_id": ids[a], "second_id": ids[b], "first_name": names[a],
              "second_name": names[b], "shared_length_m": round(float(n), 3),
              "lines": int(c)}
             for (a, b), n, c in zip(result.adjacency, result.adjacency_lengths,
                                     result.adjacency_lines, strict=True)]
    write_features(path, pairs, [None] * len(pairs), ADJACENCY_SCHEMA, crs,
                   layer="adjacency", geometry_type="None")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def _meaningful_fids(fids: list[str]) -> bool:
    if not all(f.lstrip("-").isdigit() for f in fids):
        return True
    numbers = [int(f) for f in fids]
    n = len(numbers)
    return numbers not in (list(range(n)), list(range(1, n + 1)))


def _guess_field(fields: dict[str, str], guesses: Sequence[str]) -> str | None:
    lower = {k.lower(): k for k in fields}
    for guess in guesses:
        if guess.lower() in lower:
            return lower[guess.lower()]
    return None


def _column(raw: RawLayer, field: str | None) -> list[Any]:
    if field is None:
        return [""] * len(raw.fids)
    if field not in raw.fields:
        raise InputFileError(
            f"{raw.path}: no field {field!r}; fields are: {', '.join(raw.fields) or '(none)'}"
        )
    return [p.get(field) if p.get(field) is not None else "" for p in raw.properties]


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]


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
