"""Import into and export from a register: CSV, GeoJSON, GeoPackage, Linked Places Format.

Reading (:func:`read_places`) turns each record into a
:class:`~geonames.names.model.PlaceName` through a column mapping (register field →
column), with the geometry from longitude/latitude columns, a WKT column, or the layer's own
geometry; records that cannot be used are :class:`~geonames.registry.Rejection` s with the
reason, never dropped silently. :func:`import_file` reads and imports in one call (strict:
nothing is imported when any record is rejected).

Writing (:func:`export`) folds every place from the history (optionally as it stood on a day)
and writes GeoPackage, GeoJSON or CSV (one row per place; variants and status history as JSON
so an export imports back without loss) or Linked Places Format (the World Historical
Gazetteer's JSON-LD: names with time spans and citations, types, geometry, relations).
"""

from __future__ import annotations

import csv
import json
import math
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import mapping as geojson_of
from shapely.geometry.base import BaseGeometry

from geonames.crs import parse_crs, reproject
from geonames.errors import GeonamesError, InputFileError
from geonames.names.model import Approval, NameStatus, PlaceName
from geonames.names.romanize import generic_terms
from geonames.registry import readahead
from geonames.registry.core import AUTO_ID, ImportResult, Registry, Rejection
from geonames.registry.model import (
    _variant_to,
    approval_to_record,
    decode_fields,
    evolve,
    place_to_record,
)
from geonames.registry.readahead import ReadAhead
from geonames.text import TEXT_ENCODINGS, iso_date, text_problem
from geonames.values import nonfinite_geometries
from geonames.vector import read_layer, write_features

#: Register fields a column can be mapped to.
FIELDS = ("id", "name", "romanization", "category", "generic", "division_code", "meaning",
          "origin", "history", "status", "valid_from", "valid_to", "authority", "document",
          "approval_date", "variants", "status_history", "supersedes", "superseded_by",
          "properties", "lon", "lat", "wkt")

#: Column names tried, in order, for each field when the mapping does not name one.
GUESSES: dict[str, tuple[str, ...]] = {
    "id": ("id", "place_id"),
    "name": ("name", "名称", "标准名称", "地名", "name_zh"),
    "romanization": ("romanization", "pinyin", "罗马字母拼写", "拼音"),
    "category": ("category", "类别", "地名类别"),
    "generic": ("generic", "通名"),
    "division_code": ("division_code", "code", "adcode", "区划代码", "代码"),
    "meaning": ("meaning", "含义"),
    "origin": ("origin", "来历"),
    "history": ("history", "沿革"),
    "status": ("status",),
    "valid_from": ("valid_from", "inception"),
    "valid_to": ("valid_to", "cessation"),
    "authority": ("authority", "批准机关"),
    "document": ("document", "批准文号"),
    "approval_date": ("approval_date", "批准时间"),
    "variants": ("variants",),
    "status_history": ("status_history",),
    "supersedes": ("supersedes",),
    "superseded_by": ("superseded_by",),
    "properties": ("properties",),
    "lon": ("lon", "lng", "longitude", "经度", "x"),
    "lat": ("lat", "latitude", "纬度", "y"),
    "wkt": ("wkt", "geometry", "geom"),
}

FORMATS = ("gpkg", "geojson", "csv", "lpf")

#: Pseudo-column naming a layer's feature id in a mapping: ``{"division_code": "@fid"}``.
FID = "@fid"

LPF_CONTEXT = ("https://raw.githubusercontent.com/LinkedPasts/linked-places/master/"
               "linkedplaces-context-v1.1.jsonld")

_SKIP = ("", None)


def format_of(path: str | os.PathLike, fmt: str | None = None) -> str:
    """The exchange format of a path: ``gpkg``, ``geojson``, ``csv`` or ``lpf``
    (``*.lpf.json`` or ``*.jsonld``)."""
    if fmt:
        if fmt not in FORMATS:
            raise GeonamesError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return fmt
    name = str(path).lower()
    if name.endswith((".lpf.json", ".lpf", ".jsonld")):
        return "lpf"
    for suffix, kind in ((".gpkg", "gpkg"), (".geojson", "geojson"), (".json", "geojson"),
                         (".csv", "csv"), (".txt", "csv")):
        if name.endswith(suffix):
            return kind
    raise GeonamesError(f"{path}: cannot tell the format from the name; give --format "
                        f"({', '.join(FORMATS)})")


# --------------------------------------------------------------------------- reading


def read_places(path: str | os.PathLike, mapping: Mapping[str, str] | None = None, *,
                layer: str | None = None, crs: str | CRS | None = None,
                register_crs: str | CRS = "EPSG:4490", encoding: str | None = None,
                fmt: str | None = None) -> tuple[list[PlaceName], list[Rejection]]:
    """Read place records from CSV, GeoJSON or GeoPackage.

    Parameters
    ----------
    mapping : mapping, optional
        Register field → column, e.g. ``{"name": "名称", "division_code": "code"}``
        (``"@fid"`` is a layer's feature id; ``""`` means none, e.g. ``{"id": ""}`` to have
        the register assign ids although the file has an ``id`` column); fields not given
        are looked for under the names in :data:`GUESSES`. Fields: :data:`FIELDS`
        (``lon``/``lat`` or ``wkt`` give the geometry of CSV rows). Columns not used are kept
        in the place's ``properties``.
    crs : CRS, optional
        CRS of the input coordinates; default the layer's declared CRS, else the register's.
    register_crs : CRS
        Geometries are reprojected into it when the input CRS differs.

    Returns
    -------
    (places, rejected)
        Places get :data:`~geonames.registry.AUTO_ID` unless an id column is mapped or found.
    """
    places, _, rejected = _read_places(path, mapping, layer=layer, crs=crs,
                                       register_crs=register_crs, encoding=encoding, fmt=fmt)
    return places, rejected


#: Records read, checked and written at a time by :func:`import_file`: memory stays flat in
#: the number of records (the file is streamed; only what a chunk holds is in memory at once).
CHUNK = 50_000

#: One chunk of a file: its places, each place's row label, and the records rejected in it.
Chunk = tuple[list[PlaceName], list[str], list[Rejection]]


class PlaceReader:
    """A place file opened for reading in chunks (:meth:`chunks`), and scanned for what an
    import must know before it writes (:meth:`scan`: record count, ids given twice).

    CSV is streamed (decoded block by block, never held whole); GeoJSON and GeoPackage layers
    are read in one vectorised pass and turned into places a chunk at a time; Linked Places
    JSON is read whole.
    """

    def __init__(self, path: str | os.PathLike, mapping: Mapping[str, str] | None = None, *,
                 layer: str | None = None, crs: str | CRS | None = None,
                 register_crs: str | CRS = "EPSG:4490", encoding: str | None = None,
                 fmt: str | None = None) -> None:
        self.kind = format_of(path, fmt)
        self.path = str(path)
        if not os.path.exists(self.path):
            raise InputFileError(f"{self.path}: no such file")
        self.mapping = dict(mapping or {})
        unknown = sorted(set(self.mapping) - set(FIELDS))
        if unknown:
            raise GeonamesError(f"unknown register field(s) {', '.join(unknown)} in the column "
                                f"mapping; fields are: {', '.join(FIELDS)}")
        self.target = parse_crs(register_crs)
        self.source_crs = self.target
        self.encoding = encoding
        self.layer = layer
        self.cols: dict[str, str | None] = {}
        self._raw: Any = None
        self._csv: tuple[str, Any] | None = None
        if self.kind == "csv":
            columns, self._csv = _open_csv(self.path, encoding)
            self.source_crs = parse_crs(crs) if crs else self.target
            self.cols = _resolve_columns(columns, self.mapping, has_geometry=False)
        elif self.kind in ("geojson", "gpkg"):
            raw = read_layer(self.path, layer, encoding)
            columns = list(raw.fields)
            if FID in self.mapping.values():  # the feature id as a column (GeoJSON "id", fid)
                columns.append(FID)
            self._raw = raw
            self.source_crs = parse_crs(crs) if crs else (raw.declared_crs or self.target)
            self.cols = _resolve_columns(columns, self.mapping, has_geometry=True)

    def _rows(self) -> Iterator[tuple[str, Mapping[str, Any], BaseGeometry | None]]:
        """(label, row, geometry) of every record, in file order."""
        if self._csv is not None:
            enc, dialect = self._csv
            with open(self.path, encoding=enc, newline="") as fh:
                reader = csv.DictReader(fh, dialect=dialect)
                columns = [c.strip() for c in (reader.fieldnames or [])]
                reader.fieldnames = columns
                for k, r in enumerate(reader):  # file line numbers (header is line 1)
                    yield str(k + 2), {c: v for c, v in r.items() if c is not None}, None
            return
        raw = self._raw
        with_fid = FID in self.mapping.values()
        for k, (fid, props) in enumerate(zip(raw.fids, raw.properties)):
            row = {**props, FID: fid} if with_fid else props
            yield f"feature {fid}", row, raw.geometries[k]

    def chunks(self, size: int = CHUNK) -> Iterator[Chunk]:
        """The file's places ``size`` records at a time (each chunk's rejections in row
        order)."""
        if self.kind == "lpf":
            places, rejected = _read_lpf(self.path, self.target)
            labels = [str(k + 1) for k in range(len(places))]
            yield places, labels, rejected
            return
        used = {c for c in self.cols.values() if c}
        block: list[tuple[str, Mapping[str, Any], BaseGeometry | None]] = []
        for item in self._rows():
            block.append(item)
            if len(block) >= size:
                yield self._places(block, used)
                block = []
        if block:
            yield self._places(block, used)

    def _places(self, block: Sequence[tuple[str, Mapping[str, Any], BaseGeometry | None]],
                used: set[str]) -> Chunk:
        cols = self.cols
        places: list[PlaceName] = []
        where: list[str] = []
        rejected: list[Rejection] = []
        found: list[BaseGeometry | tuple[float, float] | None] = []
        mapped = tuple((fld, col) for fld, col in cols.items() if col)
        for label, row, geometry in block:
            try:
                place, geom = _place_from_row(row, cols, used, geometry, mapped)
            except (ValueError, KeyError, TypeError, shapely.errors.ShapelyError) as err:
                name = row.get(cols["name"] or "") if cols.get("name") else ""
                rejected.append(Rejection(label, _reason(err), str(name or "")))
                continue
            places.append(place)
            where.append(label)
            found.append(geom)
        out = np.empty(len(found), dtype=object)
        out[:] = [None if isinstance(g, tuple) else g for g in found]
        xy = [k for k, g in enumerate(found) if isinstance(g, tuple)]
        if xy:
            out[xy] = shapely.points(np.array([found[k] for k in xy], dtype=float))
        if len(out) and not self.source_crs.equals(self.target):
            present = ~shapely.is_missing(out)
            out[present] = reproject(out[present], self.source_crs, self.target)
        bad = _outside_lonlat(out) if self.target.is_geographic else set()
        for k in bad:
            rejected.append(Rejection(where[k], OUTSIDE_LONLAT, places[k].name))
        places = [evolve(p, geometry=g) if g is not None else p
                  for k, (p, g) in enumerate(zip(places, out)) if k not in bad]
        where = [w for k, w in enumerate(where) if k not in bad]
        rejected.sort(key=lambda r: _row_order(r.row))
        return places, where, rejected

    def scan(self) -> tuple[int, set[str]]:
        """``(records, ids given more than once)``: one light pass (no places are built)."""
        if self.kind == "lpf":
            places, rejected = _read_lpf(self.path, self.target)
            given = [p.id for p in places if p.id != AUTO_ID]
            return len(places) + len(rejected), _repeats(given)
        column = self.cols.get("id")
        if column is None and self._csv is not None:  # only count: rows as lists, no dicts
            enc, dialect = self._csv
            with open(self.path, encoding=enc, newline="") as fh:
                rows = csv.reader(fh, dialect=dialect)
                next(rows, None)  # the header
                return sum(1 for row in rows if row), set()  # DictReader skips blank rows
        n = 0
        ids: list[str] = []
        for _, row, _ in self._rows():
            n += 1
            if column:
                value = row.get(column)
                if isinstance(value, str):
                    value = value.strip()
                if value not in _SKIP:
                    ids.append(_text(value))
        return n, _repeats(ids)


def _repeats(ids: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    repeated: set[str] = set()
    for pid in ids:
        (repeated if pid in seen else seen).add(pid)
    return repeated


def _read_places(path: str | os.PathLike, mapping: Mapping[str, str] | None = None, *,
                 layer: str | None = None, crs: str | CRS | None = None,
                 register_crs: str | CRS = "EPSG:4490", encoding: str | None = None,
                 fmt: str | None = None
                 ) -> tuple[list[PlaceName], list[str], list[Rejection]]:
    """:func:`read_places`, with each place's row label (its key in the file)."""
    reader = PlaceReader(path, mapping, layer=layer, crs=crs, register_crs=register_crs,
                         encoding=encoding, fmt=fmt)
    places: list[PlaceName] = []
    where: list[str] = []
    rejected: list[Rejection] = []
    for chunk_places, labels, chunk_rejected in reader.chunks():
        places += chunk_places
        where += labels
        rejected += chunk_rejected
    return places, where, rejected


def import_file(registry: Registry, path: str | os.PathLike, *, effective: date,
                mapping: Mapping[str, str] | None = None, layer: str | None = None,
                crs: str | CRS | None = None, encoding: str | None = None,
                fmt: str | None = None, approval: Approval | None = None, reason: str = "",
                batch_size: int | None = None, strict: bool = False, force: bool = False,
                override: Any = None, resume: bool = False,
                progress: Callable[[int, int], None] | None = None,
                chunk: int = CHUNK) -> ImportResult:
    """Read a file (:func:`read_places`) and import it into ``registry``.

    The file is streamed: ``chunk`` records (default :data:`CHUNK`) are read, checked and
    written at a time, so memory does not grow with the size of the file. Without
    ``batch_size`` the whole file is one transaction and one batch, however many chunks it
    takes: a failure anywhere (a bad record with ``strict``, a refused write, a killed
    process) leaves the register as it was. With ``batch_size`` every ``batch_size`` records
    are committed as their own batch (continue a killed import with ``resume``).

    Strict: any rejected record imports nothing (:class:`~geonames.registry.ImportRejected`).
    A first light pass over the file counts its records and finds the ids it gives twice
    (every record with such an id is rejected, whichever chunks they are in).

    Every record keeps its source key (the file's content digest and its row), so importing
    the same file again adds nothing (``result.skipped`` counts what was there already), and
    an import killed half-way is continued with ``resume=True``.

    A CSV file of more than one chunk and 20,000 records or more is read, and its names
    romanized, by a helper process one chunk ahead of the writes
    (:mod:`geonames.registry.readahead`), on two CPUs or more: the same register, sooner.
    """
    reader = PlaceReader(path, mapping, layer=layer, crs=crs, register_crs=registry.crs,
                         encoding=encoding, fmt=fmt)
    if chunk < 1:
        raise GeonamesError("chunk: at least one record")
    with _read_ahead(reader, registry, crs, encoding, fmt, chunk) as ahead:
        records, repeated = reader.scan()
        source = ahead.chunks if ahead is not None else reader.chunks

        def chunks() -> Iterator[tuple[list[PlaceName], list[str], list[Rejection]]]:
            for places, labels, rejected in source(chunk):
                yield places, [f"row {label}" for label in labels], rejected

        return registry.import_stream(chunks, effective=effective, approval=approval,
                                      reason=reason, source=os.path.basename(str(path)),
                                      batch_size=batch_size, strict=strict, force=force,
                                      override=override, source_id=source_digest(path),
                                      resume=resume, progress=progress,
                                      records=records, repeated=repeated,
                                      ahead=ahead.names if ahead is not None else None)


@contextmanager
def _read_ahead(reader: PlaceReader, registry: Registry, crs: str | CRS | None,
                encoding: str | None, fmt: str | None, chunk: int) -> Iterator[ReadAhead | None]:
    """A started helper process reading ``reader``'s file ahead (:mod:`.readahead`), or
    None: a small file, or arguments or a Python the helper cannot be given (the file is
    then read here, as always)."""
    if not readahead.worth_it(reader.kind, reader.path, chunk):
        yield None
        return
    ahead = None
    try:
        ahead = ReadAhead({"path": reader.path, "mapping": reader.mapping,
                           "layer": reader.layer, "crs": crs, "register_crs": registry.crs,
                           "encoding": encoding, "fmt": fmt}, chunk)
        ahead.start()  # it reads the first chunk while this process scans the file
    except (OSError, TypeError, AttributeError, pickle.PicklingError):
        if ahead is not None:
            ahead.close()
        yield None
        return
    with ahead:
        yield ahead


def source_digest(path: str | os.PathLike) -> str:
    """The identity of a file as a source: ``sha256:`` and the first 32 hex digits of the
    digest of its bytes (the same content under any name or folder is the same source)."""
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()[:32]


def _open_csv(path: str, encoding: str | None) -> tuple[list[str], tuple[str, Any]]:
    """The header of a CSV and how to stream it: (encoding, dialect). The file is decoded
    block by block to choose the encoding (never held whole); a header and at least one data
    row are required."""
    enc = _csv_encoding(path, encoding)
    with open(path, encoding=enc, newline="") as fh:
        sample = fh.read(4096)
        try:
            dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        except csv.Error:
            dialect = csv.excel
        fh.seek(0)
        reader = csv.DictReader(fh, dialect=dialect)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        if not columns:
            raise InputFileError(f"{path}: no header row")
        if next(reader, None) is None:
            raise InputFileError(f"{path}: no data rows")
    return columns, (enc, dialect)


def _csv_encoding(path: str, encoding: str | None) -> str:
    """The encoding a CSV decodes with in full: ``encoding`` when given, else the first of
    UTF-8 (with or without BOM) and GB18030 (:func:`geonames.text.decode_text`'s rule, applied
    block by block)."""
    import codecs

    blank = True
    for candidate in [encoding] if encoding else TEXT_ENCODINGS:
        try:
            decoder = codecs.getincrementaldecoder(candidate)()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    decoder.decode(block)
                    blank = blank and not block.strip()
                decoder.decode(b"", final=True)
        except (UnicodeDecodeError, LookupError) as err:
            if encoding:
                raise InputFileError(f"{path}: cannot decode as {encoding} ({err})") from None
            continue
        if blank:
            raise InputFileError(f"{path}: the file is empty")
        return candidate
    raise InputFileError(f"{path}: text is neither UTF-8 nor GB18030; give the encoding "
                         "(--encoding)")


def _resolve_columns(columns: Sequence[str], mapping: Mapping[str, str],
                     has_geometry: bool) -> dict[str, str | None]:
    lower = {c.lower(): c for c in columns}
    out: dict[str, str | None] = {}
    for fld in FIELDS:
        if fld in mapping:
            col = mapping[fld]
            if col == "":  # explicitly none: do not guess
                out[fld] = None
                continue
            if col not in columns:
                raise GeonamesError(f"column {col!r} (mapped to {fld}) is not in the file; "
                                    f"columns are: {', '.join(columns)}")
            out[fld] = col
            continue
        if has_geometry and fld in ("lon", "lat", "wkt"):
            out[fld] = None
            continue
        out[fld] = next((lower[g.lower()] for g in GUESSES[fld] if g.lower() in lower), None)
    if out["name"] is None:
        raise GeonamesError(f"no name column: map one (--map name=COLUMN); columns are: "
                            f"{', '.join(columns)}")
    if (out["lon"] is None) != (out["lat"] is None):
        given = "lon" if out["lon"] else "lat"
        raise GeonamesError(f"a {given} column but no "
                            f"{'lat' if given == 'lon' else 'lon'} column: map both")
    return out


#: Fields a record keeps as text (:func:`_place_from_row`), in the order of :data:`FIELDS`.
_RECORD_TEXT = frozenset({"romanization", "category", "generic", "division_code", "meaning",
                          "origin", "history", "status", "valid_from", "valid_to"})


def _place_from_row(row: Mapping[str, Any], cols: Mapping[str, str | None], used: set[str],
                    geometry: BaseGeometry | None,
                    mapped: Sequence[tuple[str, str]] | None = None
                    ) -> tuple[PlaceName, BaseGeometry | tuple[float, float] | None]:
    """A place from one record, and its geometry: the layer's, from WKT, or ``(x, y)`` from
    longitude/latitude columns (the caller makes the points of a chunk in one call).
    ``mapped``: the (field, column) pairs of ``cols`` that name a column, when the caller
    has them."""
    values: dict[str, Any] = {}
    if mapped is None:
        mapped = [(fld, col) for fld, col in cols.items() if col]
    for fld, col in mapped:  # only the mapped fields: most of FIELDS are not
        value = row.get(col)
        if isinstance(value, str):
            value = value.strip()
        if value not in _SKIP:
            values[fld] = value
    get = values.get

    name = get("name")
    if name is None:
        raise ValueError("no name")
    problem = text_problem(str(name))
    if problem:
        raise ValueError(f"the name {problem}")
    for column, value in row.items():
        if isinstance(value, str) and "\x00" in value:
            raise ValueError(f"column {column!r} contains a NUL character")
    rec: dict[str, Any] = {"name": str(name)}
    for fld, value in values.items():  # the fields given, in the order of FIELDS
        if fld in _RECORD_TEXT:
            rec[fld] = _text(value)
    # the division code is checked by PlaceName itself (its fault is the rejection's reason)
    if "status" in rec:
        try:
            rec["status"] = str(NameStatus(rec["status"]))
        except ValueError:
            raise ValueError(f"unknown status {rec['status']!r}; use one of "
                             f"{', '.join(s.value for s in NameStatus)}") from None
    authority, document, approved = get("authority"), get("document"), get("approval_date")
    if authority or document or approved:
        rec["approval"] = {"authority": _text(authority or ""),
                           "document": _text(document or ""), "date": _text(approved)
                           if approved else None}
    for fld in ("variants", "status_history"):
        value = get(fld)
        if value is not None:
            rec[fld] = json.loads(value) if isinstance(value, str) else value
    for fld in ("supersedes", "superseded_by"):
        value = get(fld)
        if value is not None:
            rec[fld] = [v.strip() for v in str(value).split(",") if v.strip()]
    extra = {k: _plain(v) for k, v in row.items()
             if k not in used and v not in _SKIP and k is not None}
    given = get("properties")
    if given is not None:
        given = json.loads(given) if isinstance(given, str) else given
        if not isinstance(given, dict):
            raise ValueError("properties is not a JSON object")
        extra = {**given, **extra}
    if extra:
        rec["properties"] = extra
    fields = decode_fields(rec)
    if geometry is None:
        wkt, lon, lat = get("wkt"), get("lon"), get("lat")
        if wkt is not None:
            geometry = shapely.from_wkt(str(wkt))
            if geometry is not None and len(nonfinite_geometries(np.array([geometry], dtype=object))):
                raise ValueError(f"WKT {_short(str(wkt))!r} has a coordinate that is not finite")
        elif lon is not None or lat is not None:
            if lon is None or lat is None:
                raise ValueError("only one of the two coordinates")
            try:
                x, y = float(lon), float(lat)
            except ValueError:
                raise ValueError(f"coordinates {lon!r}, {lat!r} are not numbers") from None
            if not (math.isfinite(x) and math.isfinite(y)):
                raise ValueError(f"coordinates {lon!r}, {lat!r} are not finite")
            return _place(get("id"), fields), (x, y)  # made into points chunk by chunk
    pid = get("id")
    return _place(pid, fields), geometry


def _place(pid: Any, fields: dict[str, Any]) -> PlaceName:
    return PlaceName(id=_text(pid) if pid is not None else AUTO_ID, **fields)


OUTSIDE_LONLAT = ("coordinates outside longitude -180..180 / latitude -90..90 (are x and y "
                  "swapped, or is the CRS wrong?)")


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "…"


def _read_lpf(path: str, target: CRS) -> tuple[list[PlaceName], list[Rejection]]:
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        features = doc["features"]
    except (ValueError, KeyError, TypeError) as err:
        raise InputFileError(f"{path}: not a Linked Places FeatureCollection ({err})") from None
    places, rejected = [], []
    for k, f in enumerate(features):
        try:
            p = _place_from_lpf(f)
            # LPF geometry is longitude/latitude (WGS 84), whatever the register's CRS
            if p.geometry is not None and _outside_lonlat(np.asarray([p.geometry],
                                                                     dtype=object)):
                raise ValueError(OUTSIDE_LONLAT)
            if p.geometry is not None and not target.is_geographic:
                p = evolve(p, geometry=reproject(np.asarray([p.geometry], dtype=object),
                                                 CRS.from_epsg(4326), target)[0])
            places.append(p)
        except (ValueError, KeyError, TypeError, shapely.errors.ShapelyError) as err:
            rejected.append(Rejection(f"feature {k + 1}", _reason(err),
                                      str(f.get("properties", {}).get("title", ""))))
    return places, rejected


def _place_from_lpf(f: Mapping[str, Any]) -> PlaceName:
    props = f.get("properties", {})
    geo = f.get("properties", {}).get("geonames", {})
    rec = dict(geo.get("record", {}))
    rec.setdefault("name", props["title"])
    geoms = [g for g in (f.get("geometry") or {}).get("geometries", []) if isinstance(g, dict)]
    fields = decode_fields({k: v for k, v in rec.items() if k != "geometry"})
    parts = [_lpf_geometry(g) for g in geoms]
    fields["geometry"] = (parts[0] if len(parts) == 1
                          else shapely.GeometryCollection(parts) if parts else None)
    pid = str(f.get("@id", "")).rsplit("/", 1)[-1] or AUTO_ID
    return PlaceName(id=pid, **fields)


def _lpf_geometry(g: Mapping[str, Any]) -> BaseGeometry:
    """One member of a feature's GeometryCollection, read by GEOS as the file has it.

    GEOS's GeoJSON reader is the same reading the vector files get (GDAL → WKB → GEOS): a
    ring keeps its positions exactly, where shapely's ``shape()`` pads a ring of three
    positions (``[a, b, a]``) to four and so gave back other WKB than was exported.
    """
    member = {k: v for k, v in g.items() if k != "when"}
    try:
        text = json.dumps(member, allow_nan=False)
    except ValueError:
        raise ValueError("a coordinate is not finite (NaN or infinite)") from None
    return shapely.from_geojson(text)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    if isinstance(err, json.JSONDecodeError):
        return f"not valid JSON ({text})"
    if isinstance(err, shapely.errors.ShapelyError):
        return f"geometry cannot be read ({text})"
    return text


def _outside_lonlat(geoms: np.ndarray) -> set[int]:
    if not len(geoms):
        return set()
    present = np.flatnonzero(~shapely.is_missing(geoms) & ~shapely.is_empty(geoms))
    if not len(present):
        return set()
    b = shapely.bounds(geoms[present])
    bad = (b[:, 0] < -180) | (b[:, 2] > 180) | (b[:, 1] < -90) | (b[:, 3] > 90)
    return {int(present[i]) for i in np.flatnonzero(bad)}


def _row_order(label: str) -> tuple:
    digits = "".join(c for c in label if c.isdigit())
    return (int(digits) if digits else 0, label)


# --------------------------------------------------------------------------- writing

EXPORT_FIELDS = ("id", "name", "romanization", "category", "generic", "division_code",
                 "status", "valid_from", "valid_to", "authority", "document", "approval_date",
                 "variants", "status_history", "supersedes", "superseded_by", "meaning",
                 "origin", "history", "properties")


def export(registry: Registry, path: str | os.PathLike, fmt: str | None = None, *,
           as_of: date | None = None, current: bool = True,
           base_uri: str = "https://example.org/placenames/") -> int:
    """Write the register (as it stands, or as it stood on ``as_of``) to a file.

    ``current`` leaves out retired places. ``base_uri`` prefixes place ids in the ``@id`` of
    Linked Places Format features. Returns the number of places written.
    """
    kind = format_of(path, fmt)
    places = list(registry.places(as_of, current))
    path = str(path)
    if kind == "lpf":
        doc = to_lpf(places, registry.crs, base_uri, registry)
        Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        return len(places)
    records = [export_record(p) for p in places]
    if kind == "csv":
        lonlat = registry.crs.is_geographic
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow([*EXPORT_FIELDS, "lon" if lonlat else "x", "lat" if lonlat else "y",
                        "wkt"])
            for p, r in zip(places, records):
                g = p.geometry
                pt = g.centroid if g is not None and g.geom_type == "Point" else None
                w.writerow([r[f] for f in EXPORT_FIELDS]
                           + [repr(pt.x) if pt else "", repr(pt.y) if pt else "",
                              shapely.to_wkt(g, rounding_precision=-1, trim=True)
                              if g is not None else ""])
        return len(places)
    if os.path.exists(path):
        os.remove(path)
    schema = {f: ("date" if f in ("valid_from", "valid_to", "approval_date") else "str")
              for f in EXPORT_FIELDS}
    rows = [{k: (date.fromisoformat(v) if schema[k] == "date" and v else (v or None))
             for k, v in r.items()} for r in records]
    write_features(path, rows, [p.geometry for p in places], schema, registry.crs,
                   layer="placenames" if kind == "gpkg" else None)
    return len(places)


def export_record(p: PlaceName) -> dict[str, str]:
    """One place as flat text fields (:data:`EXPORT_FIELDS`); lists as JSON."""
    a = p.approval
    return {
        "id": p.id, "name": p.name, "romanization": p.romanization, "category": p.category,
        "generic": p.generic, "division_code": p.division_code, "status": str(p.status),
        "valid_from": (iso_date(p.valid_from) or ""), "valid_to": (iso_date(p.valid_to) or ""),
        "authority": a.authority if a else "", "document": a.document if a else "",
        "approval_date": (iso_date(a.date) or "") if a else "",
        "variants": json.dumps([_variant_to(v) for v in p.variants], ensure_ascii=False)
        if p.variants else "",
        "status_history": json.dumps(
            [{"status": str(s.status), "date": (iso_date(s.date) or ""), "note": s.note,
              **({"approval": approval_to_record(s.approval)} if s.approval else {})}
             for s in p.status_history], ensure_ascii=False) if p.status_history else "",
        "supersedes": ",".join(p.supersedes), "superseded_by": ",".join(p.superseded_by),
        "meaning": p.meaning, "origin": p.origin, "history": p.history,
        "properties": json.dumps(p.properties, ensure_ascii=False) if p.properties else "",
    }



# --------------------------------------------------------------------------- Linked Places

#: Category (first two digits, GB/T 18521 as in the generic-terms table) → (LPF fclass,
#: AAT concept id, AAT label).
LPF_TYPES: dict[str, tuple[str, str, str]] = {
    "10": ("S", "300000809", "sites (locations)"),
    "11": ("H", "300008694", "seas"),
    "12": ("H", "300266059", "bodies of water (natural)"),
    "13": ("T", "300266060", "landforms (terrestrial)"),
    "21": ("A", "300232418", "administrative divisions"),
    "22": ("A", "300235099", "prefectures"),
    "23": ("A", "300000771", "counties"),
    "24": ("A", "300232418", "administrative divisions"),
    "31": ("P", "300387203", "communities (inhabited places)"),
    "32": ("P", "300008372", "villages"),
    "41": ("L", "300000705", "districts"),
    "42": ("L", "300000705", "districts"),
    "51": ("P", "300008347", "inhabited places"),
    "52": ("P", "300008372", "villages"),
    "71": ("R", "300008591", "railroads"),
    "72": ("R", "300008217", "roads"),
    "73": ("R", "300008217", "roads"),
    "74": ("R", "300122438", "transportation spaces"),
    "75": ("S", "300120599", "ports (settlements)"),
    "76": ("S", "300000681", "airports"),
    "77": ("S", "300000678", "transportation complexes"),
    "81": ("H", "300006191", "reservoirs"),
    "82": ("H", "300006075", "canals (waterways)"),
    "83": ("S", "300006084", "dams (hydraulic structures)"),
    "84": ("S", "300000809", "sites (locations)"),
    "91": ("S", "300000809", "sites (locations)"),
    "92": ("S", "300000809", "sites (locations)"),
    "93": ("L", "300008932", "cultural landscapes"),
}

#: Generic terms with a more precise AAT concept than their category's.
LPF_GENERIC_TYPES: dict[str, tuple[str, str, str]] = {
    "省": ("A", "300000774", "provinces"),
    "自治区": ("A", "300387107", "autonomous regions"),
    "河": ("H", "300008707", "rivers"), "江": ("H", "300008707", "rivers"),
    "溪": ("H", "300008707", "rivers"), "湖": ("H", "300008680", "lakes"),
    "山": ("T", "300008795", "mountains"), "峰": ("T", "300008795", "mountains"),
    "岛": ("T", "300008791", "islands"),
}


def lpf_type(p: PlaceName) -> tuple[str, str, str] | None:
    """``(fclass, AAT id, AAT label)`` of a place from its generic term or category."""
    if p.generic in LPF_GENERIC_TYPES:
        return LPF_GENERIC_TYPES[p.generic]
    category = p.category
    if not category and p.generic:
        term = generic_terms().get(p.generic)
        category = term.category if term else ""
    return LPF_TYPES.get(category[:2]) if category else None


def to_lpf(places: Iterable[PlaceName], crs: CRS, base_uri: str,
           registry: Registry | None = None) -> dict[str, Any]:
    """A Linked Places Format FeatureCollection of the places (geometry in lon/lat).

    Every feature has the required ``@id``, ``type``, ``properties.title``, ``names`` (each
    with ``toponym``, ``lang``, ``citations`` and, when dated, ``when``) and ``geometry`` (a
    GeometryCollection, empty when the place has no location), plus ``properties.ccodes`` and
    ``fclasses``, ``types``, ``when``, ``relations`` (supersedes / superseded by as
    ``dct:replaces`` / ``dct:isReplacedBy``), and ``descriptions`` (meaning, origin, history).
    The register's own record rides along in ``properties.geonames`` so the file imports back.
    """
    places = list(places)
    geoms = np.asarray([p.geometry for p in places], dtype=object)
    wgs84 = CRS.from_epsg(4326)
    if len(geoms) and not crs.is_geographic:
        present = ~shapely.is_missing(geoms)
        geoms[present] = reproject(geoms[present], crs, wgs84)
    features = []
    for p, g in zip(places, geoms):
        uri = base_uri + p.id
        citation = _citation(p.approval)
        kind = lpf_type(p)
        names = [_lpf_name(p.name, "zh", p.valid_from, p.valid_to, citation)]
        if p.romanization:
            names.append(_lpf_name(p.romanization, "zh-Latn-pinyin", p.valid_from, p.valid_to,
                                   citation))
        for v in p.variants:
            # a variant is cited by its own source, not by the decision on the current name
            cite = [{"label": v.source}] if v.source else [{"label": REGISTER_CITATION}]
            names.append(_lpf_name(v.name, "zh", v.valid_from, v.valid_to, cite,
                                   kind=str(v.kind)))
            if v.romanization:
                names.append(_lpf_name(v.romanization, "zh-Latn-pinyin", v.valid_from,
                                       v.valid_to, cite, kind=str(v.kind)))
        feature: dict[str, Any] = {
            "@id": uri,
            "type": "Feature",
            "properties": {
                "title": p.name,
                "ccodes": ["CN"],
                "fclasses": [kind[0]] if kind else ["P"],
                "status": str(p.status),
                "division_code": p.division_code,
                "geonames": {"id": p.id, "record": {k: v for k, v in
                                                    place_to_record(p).items()
                                                    if k != "geometry"}},
            },
            "names": names,
            "types": [_lpf_type(p, kind)],
            "geometry": {"type": "GeometryCollection",
                         "geometries": _lpf_geometries(g, p)},
        }
        when = _when(p.valid_from, p.valid_to)
        if when:
            feature["when"] = when
        relations = [{"relationType": "dct:replaces", "relationTo": base_uri + other,
                      "label": f"replaces {other}", **({"when": when} if when else {})}
                     for other in p.supersedes]
        relations += [{"relationType": "dct:isReplacedBy", "relationTo": base_uri + other,
                       "label": f"replaced by {other}",
                       **({"when": _when(p.valid_to, None) or {}} if p.valid_to else {})}
                      for other in p.superseded_by]
        if relations:
            feature["relations"] = relations
        descriptions = [{"value": text, "lang": "zh", "label": label}
                        for label, text in (("meaning", p.meaning), ("origin", p.origin),
                                            ("history", p.history)) if text]
        if descriptions:
            feature["descriptions"] = descriptions
        features.append(feature)
    return {"type": "FeatureCollection", "@context": LPF_CONTEXT, "features": features}


REGISTER_CITATION = "place-name register (no source recorded)"


def _citation(a: Approval | None) -> list[dict[str, str]]:
    if a is None:
        return [{"label": REGISTER_CITATION}]
    label = " ".join(x for x in (a.authority, a.document) if x)
    cite: dict[str, str] = {"label": label or "approval"}
    if a.date:
        cite["year"] = str(a.date.year)
    return [cite]


def _lpf_name(toponym: str, lang: str, start: date | None, end: date | None,
              citations: list[dict[str, str]], kind: str = "standard") -> dict[str, Any]:
    out: dict[str, Any] = {"toponym": toponym, "lang": lang, "citations": citations}
    if kind != "standard":
        out["kind"] = kind
    when = _when(start, end)
    if when:
        out["when"] = when
    return out


def _when(start: date | None, end: date | None) -> dict[str, Any] | None:
    if start is None and end is None:
        return None
    span: dict[str, Any] = {"start": {"in": start.isoformat()} if start is not None
                            else {"latest": end.isoformat() if end is not None else ""}}
    if end is not None:
        span["end"] = {"in": end.isoformat()}
    return {"timespans": [span]}


def _lpf_type(p: PlaceName, kind: tuple[str, str, str] | None) -> dict[str, Any]:
    labels = [{"label": p.generic, "lang": "zh"}] if p.generic else []
    if kind is None:
        return {"label": p.generic or "place", "sourceLabels": labels}
    return {"identifier": f"aat:{kind[1]}", "label": kind[2], "sourceLabels": labels}


def _lpf_geometries(g: BaseGeometry | None, p: PlaceName) -> list[dict[str, Any]]:
    """The members of the feature's GeometryCollection (a collection's parts, flattened)."""
    if g is None or g.is_empty:
        return []
    parts = list(shapely.get_parts(g)) if g.geom_type == "GeometryCollection" else [g]
    when = _when(p.valid_from, p.valid_to)
    out = []
    for part in parts:
        item = json.loads(json.dumps(geojson_of(part)))
        if when:
            item["when"] = when
        out.append(item)
    return out


__all__ = ["EXPORT_FIELDS", "FIELDS", "GUESSES", "LPF_CONTEXT", "export", "export_record",
           "format_of", "import_file", "read_places", "to_lpf"]
