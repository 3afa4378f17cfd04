"""Read vector files through pyogrio and write them through fiona (GeoJSON, Shapefile,
GeoPackage, FlatGeobuf …).

Reading checks what the engines rely on and says exactly what is wrong otherwise
(:class:`~geonames.errors.InputFileError`): a missing or unreadable file, an empty or absent
layer, an unknown field, geometries of the wrong kind, coordinates out of range, an unknown CRS.

Shapefiles whose ``.dbf`` text is GBK/GB18030 and that have no ``.cpg`` are detected and decoded
(:func:`detect_encoding`); ``encoding=`` overrides the detection.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fiona
import numpy as np
import pyogrio
import shapely
from fiona.errors import DriverError, FionaError
from pyogrio.errors import DataLayerError, DataSourceError
from pyproj import CRS
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geonames.crs import (
    crs_label,
    lonlat_bounds_ok,
    resolve_crs,
)
from geonames.errors import CRSError, InputFileError
from geonames.text import check_encoding
from geonames.values import nonfinite_geometries

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

    ``geometries`` are shapely objects (None for features without one); ``fids`` are GDAL's
    feature ids as strings; ``fields`` maps field name → type (``str``, ``int``, ``float``,
    ``date``, ``datetime``, ``time``).
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
    #: Rows whose polygon rings do not close (first point ≠ last): shapely closes them on
    #: reading, so the checks report them as ``geometry.invalid`` instead of trusting them.
    unclosed: tuple[int, ...] = ()

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
        xmin, ymin, xmax, ymax = (float(v) for v in shapely.total_bounds(present))
        return (xmin, ymin, xmax, ymax)


def read_layer(
    path: str | os.PathLike,
    layer: str | None = None,
    encoding: str | None = None,
) -> RawLayer:
    """Read every feature of a vector layer.

    Features are read in one vectorised pass through GDAL (:mod:`pyogrio`: geometries as WKB,
    turned into shapely objects by one :func:`shapely.from_wkb` call; each field as one array);
    a file of one layer (GeoJSON, Shapefile, FlatGeobuf, CSV) is not parsed a second time just
    to list its layers. Field values are plain Python values as they are in the file: None for
    null, ``int`` for integer fields, ISO text for dates; list-valued fields are left out.

    Parameters
    ----------
    path : path-like
        Any file GDAL can read.
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
    single = Path(path).suffix.lower() in _SINGLE_LAYER_SUFFIXES and layer is None
    layers = [] if single else list_layers(path)
    if layer is not None and layer not in layers:
        raise InputFileError(f"{path}: no layer {layer!r}; layers are: {', '.join(layers)}")
    if layer is None and len(layers) > 1:
        layer = layers[0]
    if encoding is None:
        encoding = detect_encoding(path, layer)
    else:
        check_encoding(encoding)
    source = _typed_geojson(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            meta, fids, wkb, columns = pyogrio.raw.read(
                source, layer=layer, encoding=encoding, return_fids=True,
                datetime_as_string=True)
            # GEOS warns of NaN coordinates: they are refused below in one line of their own
            geoms, unclosed = _geometries(wkb, len(fids), path)
        driver = _DRIVERS_BY_SUFFIX.get(Path(path).suffix.lower()) \
            or str(pyogrio.read_info(source, layer=layer)["driver"])
    except DataSourceError as err:
        if "unrecognized number" in str(err).lower():  # GDAL refuses 1e400, NaN, Infinity
            raise InputFileError(f"{path}: a number is not finite (NaN, infinite or out of "
                                 f"range: {first_line(err)})") from None
        raise InputFileError(
            f"{path}: not a vector file that can be read ({first_line(err)})") from None
    except (DataLayerError, ValueError, KeyError, TypeError,
            shapely.errors.ShapelyError) as err:
        raise InputFileError(f"{path}: cannot read features ({first_line(err)})") from None
    finally:
        if source != path:
            os.unlink(source)
    if not len(fids):
        name = layer or (layers[0] if layers else Path(path).stem)
        raise InputFileError(f"{path}: the layer {name!r} has no features")
    fid_text = [str(int(f)) for f in fids]
    bad = nonfinite_geometries(geoms)
    if len(bad):
        more = f" (and {len(bad) - 1} more features)" if len(bad) > 1 else ""
        raise InputFileError(f"{path}: feature {fid_text[bad[0]]} (row {bad[0] + 1}) has a "
                             f"coordinate that is not finite (NaN or infinite){more}")
    declared = CRS.from_user_input(meta["crs"]) if meta.get("crs") else None
    fields: dict[str, str] = {}
    values: list[list[Any]] = []
    for name, ogr_type, column in zip(meta["fields"], meta["ogr_types"], columns):
        kind = _FIELD_TYPES.get(str(ogr_type))
        if kind is None:  # list-valued and binary fields are left out
            continue
        fields[str(name)] = kind
        values.append(_python_values(column, kind))
    names = list(fields)
    props = [dict(zip(names, row)) for row in zip(*values)] if names \
        else [{} for _ in range(len(fids))]
    return RawLayer(path, layer, driver, declared, fields, fid_text, props, geoms, encoding,
                    tuple(unclosed))


def _geometries(wkb: np.ndarray | None, n: int, path: str) -> tuple[np.ndarray, list[int]]:
    """Shapely geometries from GDAL's WKB (one vectorised call), and the rows whose polygon
    rings do not close (first point ≠ last): those are closed here, and noted, so that the
    checks report them as invalid instead of trusting them."""
    if wkb is None:
        return np.full(n, None, dtype=object), []
    wkb = np.asarray(wkb, dtype=object)
    geoms = np.asarray(shapely.from_wkb(wkb, on_invalid="ignore"), dtype=object)
    refused = np.flatnonzero(shapely.is_missing(geoms) & wkb.astype(bool))
    unclosed = []
    for row in refused:
        fixed = shapely.from_wkb(wkb[row], on_invalid="fix")
        if fixed is None:
            raise InputFileError(f"{path}: feature at row {row + 1} has a geometry that cannot "
                                 "be read")
        geoms[row] = fixed
        unclosed.append(int(row))
    return geoms, unclosed


def _typed_geojson(path: str) -> str:
    """``path``, or for a GeoJSON FeatureCollection whose features lack ``"type": "Feature"``
    (GDAL skips them silently) a temporary copy with the member added, so every feature is
    read. A cheap byte count decides; the file is parsed only when features are missing."""
    if not path.lower().endswith((".geojson", ".json")) or not os.path.isfile(path):
        return path
    data = Path(path).read_bytes()
    if b"\\u0000" in data:  # GDAL would cut the text at the NUL: refuse instead
        raise InputFileError(f"{path}: a text value contains a NUL character (\\u0000)")
    n_geometry = data.count(b'"geometry"')
    if n_geometry == 0 or data.count(b'"Feature"') >= n_geometry:
        return path
    import json
    import tempfile

    try:
        doc = json.loads(data)
    except ValueError:
        return path
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        return path
    for f in features:
        if isinstance(f, dict) and "type" not in f and "geometry" in f:
            f["type"] = "Feature"
    fd, tmp = tempfile.mkstemp(suffix=".geojson")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False)
    return tmp




#: Suffixes of formats that hold one layer: no need to list the layers first.
_SINGLE_LAYER_SUFFIXES = frozenset({".geojson", ".json", ".shp", ".fgb", ".csv"})
#: OGR field type → the type name a layer's ``fields`` reports.
_FIELD_TYPES = {"OFTString": "str", "OFTInteger": "int", "OFTInteger64": "int",
                "OFTReal": "float", "OFTDate": "date", "OFTDateTime": "datetime",
                "OFTTime": "time"}


def _python_values(column: np.ndarray, kind: str) -> list[Any]:
    """A field's values as plain Python values (None for null; GDAL gives NaN for a null
    number and NaT for a null date)."""
    if kind in ("int", "float"):
        if column.dtype.kind not in "iuf":
            return list(column.tolist())
        data = np.asarray(column, dtype=float)
        null = np.isnan(data)
        if kind == "int" and not null.any():
            return list(np.asarray(column, dtype=np.int64).tolist())
        return [None if n else (int(v) if kind == "int" else float(v))
                for v, n in zip(data.tolist(), null.tolist())]
    out = column.tolist()
    if kind in ("date", "datetime", "time"):
        return [None if v is None or v in ("NaT", "") else str(v) for v in out]
    return list(out)


def list_layers(path: str | os.PathLike) -> list[str]:
    """Names of the layers in a vector file."""
    try:
        return [str(name) for name in pyogrio.list_layers(str(path))[:, 0]]
    except (DataSourceError, DataLayerError, ValueError) as err:
        raise InputFileError(
            f"{path}: not a vector file that can be read ({first_line(err)})"
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
        raise InputFileError(f"{path}: cannot read features ({first_line(err)})") from None
    blob = b"\n".join(raw)
    for candidate in ("utf-8", "gb18030"):
        try:
            blob.decode(candidate)
        except UnicodeDecodeError:
            continue
        return candidate
    return "latin1"










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
    if all(np.isnan(b) for b in bounds):
        raise InputFileError(f"{raw.path}: no feature has a geometry")
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
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputFileError(f"{path}: is a folder; give a file name")
    if not os.path.isdir(folder):
        raise InputFileError(f"{path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise InputFileError(f"{path}: cannot write into the folder {folder} (no permission)")
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
    try:
        with fiona.open(
            path, "w", driver=driver, crs=crs.to_wkt(), schema={"geometry": geometry_type,
                                                                "properties": schema}, **opts
        ) as dst:
            dst.writerecords(features)
    except (DriverError, FionaError) as err:
        raise InputFileError(f"{path}: cannot write ({first_line(err)})") from None


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value




def guess_field(fields: dict[str, str], guesses: Sequence[str]) -> str | None:
    lower = {k.lower(): k for k in fields}
    for guess in guesses:
        if guess.lower() in lower:
            return lower[guess.lower()]
    return None


def column_values(raw: RawLayer, field: str | None) -> list[Any]:
    if field is None:
        return [""] * len(raw.fids)
    if field not in raw.fields:
        raise InputFileError(
            f"{raw.path}: no field {field!r}; fields are: {', '.join(raw.fields) or '(none)'}"
        )
    return [p.get(field) if p.get(field) is not None else "" for p in raw.properties]


def cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def first_line(err: BaseException) -> str:
    text = str(err).strip() or type(err).__name__
    return text.splitlines()[0]


