"""Read boundary lines, tripoints and boundary-marker registers (the adapter for markers checks).

Marker registers come as CSV (columns x/y in a projected CRS, or lon/lat), GeoPackage or
GeoJSON (point features). Column names are recognised in English and Chinese
(:data:`MARKER_COLUMNS`); the file may also name them explicitly.

What can go wrong, and what happens:

* a missing file, no number column, no coordinate columns, a layer of non-points →
  :class:`~geonames.errors.InputFileError` (the command exits 2 with one line);
* a row whose coordinates cannot be read (text, empty, out of range), whose number is empty, or
  whose status is unknown → a :class:`RowProblem`, reported as a ``marker.bad_record`` finding
  (the rest of the file is still checked).

Coordinates ``x``/``y`` are easting/northing (GIS order). Chinese survey tables call the
northing X and the easting Y; when the columns are named ``X``/``Y`` and the values are the
wrong way round for the CRS (northings in X), they are swapped and a note says so.
"""

from __future__ import annotations

import csv
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from geonames.boundaries.lines import BoundaryLines
from geonames.boundaries.model import STATUS_WORDS, MarkerTable, normalise_status
from geonames.crs import CGCS2000, crs_label, parse_crs, reproject, transformer
from geonames.errors import InputFileError
from geonames.text import IDENTIFIER_MAX, decode_text, text_problem
from geonames.vector import data_crs_of, list_layers, read_layer, require_geometries, write_features

#: Accepted column names (lower-cased) for each marker attribute, in order of preference.
MARKER_COLUMNS: dict[str, tuple[str, ...]] = {
    "number": ("number", "marker", "marker_number", "marker_no", "no", "编号", "界桩编号", "桩号"),
    "line": ("line", "line_code", "line_id", "界线", "界线编号", "界线代码"),
    "type": ("type", "marker_type", "类型", "界桩类型"),
    "x": ("x", "easting", "east", "e"),
    "y": ("y", "northing", "north", "n"),
    "lon": ("lon", "lng", "long", "longitude", "经度", "l"),
    "lat": ("lat", "latitude", "纬度", "b"),
    "status": ("status", "state", "condition", "状态", "现状", "完好情况"),
    "survey_date": ("survey_date", "date", "surveyed", "测量日期", "日期"),
    "elevation": ("elevation", "elev", "height", "z", "h", "高程"),
    "material": ("material", "界桩材质", "材质"),
}

#: Field names tried for a line's code, then its left and right division ids.
LINE_CODE_FIELDS = ("line_code", "code", "line_id", "id", "界线编号")
LEFT_FIELDS = ("left_id", "left", "left_code")
RIGHT_FIELDS = ("right_id", "right", "right_code")
#: Layer names looked for in a lines GeoPackage (as ``geonames lines extract`` writes).
LINES_LAYER = "boundary_lines"
TRIPOINTS_LAYER = "tripoints"


@dataclass
class LineLayer:
    """Boundary lines read from a file.

    ``codes`` identify the lines (a code field, else the feature id, else the row number, see
    ``code_source``); ``left_ids`` and ``right_ids`` are empty strings when the file has none.
    """

    codes: np.ndarray
    left_ids: np.ndarray
    right_ids: np.ndarray
    geometries: np.ndarray
    crs: CRS
    crs_note: str | None
    source: str
    code_source: str

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def has_sides(self) -> bool:
        """True when every line names the divisions on both sides."""
        return bool(len(self.left_ids)) and all(self.left_ids) and all(self.right_ids)

    def reprojected(self, crs: CRS) -> LineLayer:
        """A copy with geometries in ``crs``."""
        return LineLayer(self.codes, self.left_ids, self.right_ids,
                         reproject(self.geometries, self.crs, crs), crs, self.crs_note,
                         self.source, self.code_source)


@dataclass
class RowProblem:
    """A row of a marker register that could not be used as it is."""

    row: int
    number: str
    field: str
    value: str
    reason: str


@dataclass
class MarkerRegister:
    """A marker register as read: the table, the rows that had problems, and notes."""

    table: MarkerTable
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


def read_lines(
    path: str | os.PathLike,
    layer: str | None = None,
    code_field: str | None = None,
    left_field: str | None = None,
    right_field: str | None = None,
    crs: CRS | str | None = None,
) -> LineLayer:
    """Read boundary lines (LineString/MultiLineString features).

    Parameters
    ----------
    path : path-like
        Any vector file; in a GeoPackage the layer ``boundary_lines`` is used when present.
    layer : str, optional
    code_field : str, optional
        Field with the line code; default the first of :data:`LINE_CODE_FIELDS` present, else
        the feature id when meaningful, else the row number.
    left_field, right_field : str, optional
        Fields with the division ids on each side; default ``left_id``/``right_id`` if present.
    crs : optional
        The CRS of the coordinates when the file declares none.

    MultiLineStrings are merged into one LineString where their parts join.

    Raises
    ------
    InputFileError
        For a missing/unreadable file, an unknown field, non-line geometries, missing
        geometries or duplicate line codes.
    """
    if (layer is None and str(path).lower().endswith(".gpkg") and os.path.exists(path)
            and LINES_LAYER in list_layers(path)):
        layer = LINES_LAYER
    raw = read_layer(path, layer)
    require_geometries(raw, "boundary lines")
    kinds = raw.geometry_types
    wrong = {t: n for t, n in kinds.items() if t not in ("LineString", "MultiLineString")}
    if wrong:
        what = ", ".join(f"{n} {t}" for t, n in wrong.items())
        raise InputFileError(f"{raw.path}: boundary lines must be lines, but the layer has {what}")
    lower = {k.lower(): k for k in raw.fields}

    def pick(given: str | None, guesses: tuple[str, ...]) -> str | None:
        if given is not None:
            if given not in raw.fields:
                raise InputFileError(f"{raw.path}: no field {given!r}; fields are: "
                                     f"{', '.join(raw.fields) or '(none)'}")
            return given
        return next((lower[g] for g in guesses if g in lower), None)

    code_name = pick(code_field, LINE_CODE_FIELDS)
    if code_name is not None:
        codes = [_text(p.get(code_name)) for p in raw.properties]
        source = f"field {code_name!r}"
    elif not all(f.isdigit() for f in raw.fids):
        codes, source = list(raw.fids), "feature id"
    else:
        codes, source = [str(i + 1) for i in range(len(raw.fids))], "row number"
    empty = [i + 1 for i, c in enumerate(codes) if not c]
    if empty:
        raise InputFileError(f"{raw.path}: {len(empty)} lines have no code in {source} "
                             f"(rows {', '.join(map(str, empty[:5]))})")
    values, counts = np.unique(np.asarray(codes, dtype=str), return_counts=True)
    if (counts > 1).any():
        dup = ", ".join(values[counts > 1][:5])
        raise InputFileError(f"{raw.path}: line codes must be unique; repeated: {dup}")
    left_name = pick(left_field, LEFT_FIELDS)
    right_name = pick(right_field, RIGHT_FIELDS)
    left = [_text(p.get(left_name)) if left_name else "" for p in raw.properties]
    right = [_text(p.get(right_name)) if right_name else "" for p in raw.properties]
    geoms = raw.geometries
    if shapely.is_missing(geoms).any():
        rows = np.flatnonzero(shapely.is_missing(geoms))[:5] + 1
        raise InputFileError(f"{raw.path}: lines without geometry (rows {', '.join(map(str, rows))})")
    multi = shapely.get_type_id(geoms) == 5
    if multi.any():
        geoms = geoms.copy()
        geoms[multi] = shapely.line_merge(geoms[multi])
    data_crs, note = data_crs_of(raw, crs)
    return LineLayer(np.asarray(codes, dtype=object), np.asarray(left, dtype=object),
                     np.asarray(right, dtype=object), np.asarray(geoms, dtype=object), data_crs,
                     note, raw.path + (f":{raw.layer}" if raw.layer else ""), source)


def read_tripoints(path: str | os.PathLike, layer: str | None = None,
                   crs: CRS | str | None = None) -> tuple[np.ndarray, CRS] | None:
    """Tripoints (points where three divisions meet) and their CRS.

    ``path`` may be a point layer of its own, or a lines GeoPackage with a ``tripoints`` layer;
    returns None for a lines file with no such layer.
    """
    layers = list_layers(path)
    if layer is None:
        if TRIPOINTS_LAYER in layers:
            layer = TRIPOINTS_LAYER
        elif LINES_LAYER in layers:
            return None
    raw = read_layer(path, layer)
    wrong = {t: n for t, n in raw.geometry_types.items() if t not in ("Point", "MultiPoint")}
    if wrong:
        if layer is None and all(t in ("LineString", "MultiLineString") for t in wrong):
            return None  # a plain lines file: no tripoints in it
        what = ", ".join(f"{n} {t}" for t, n in wrong.items())
        raise InputFileError(f"{raw.path}: tripoints must be points, but the layer has {what}")
    points = shapely.get_parts(raw.geometries[~shapely.is_missing(raw.geometries)])
    data_crs, _ = data_crs_of(raw, crs)
    return points, data_crs


def read_markers(
    path: str | os.PathLike,
    layer: str | None = None,
    columns: dict[str, str] | None = None,
    crs: CRS | str | None = None,
    default_crs: CRS | None = None,
    encoding: str | None = None,
) -> MarkerRegister:
    """Read a marker register (CSV, GeoPackage, GeoJSON or any point layer fiona reads).

    Parameters
    ----------
    path : path-like
    layer : str, optional
        Layer name in a GeoPackage.
    columns : dict, optional
        Explicit column names, keys as in :data:`MARKER_COLUMNS` (``{"number": "桩号"}``).
    crs : optional
        CRS of x/y columns (CSV) or of a file that declares none.
    default_crs : pyproj.CRS, optional
        CRS assumed for x/y columns of a CSV when ``crs`` is not given (e.g. the lines' own
        projected CRS).
    encoding : str, optional
        CSV text encoding; default UTF-8 (with or without BOM), then GB18030.

    Returns
    -------
    MarkerRegister
        Geometries are in ``table.crs``; rows with unusable coordinates have no geometry and
        a :class:`RowProblem`.

    Raises
    ------
    InputFileError
        Missing file, no number column, no usable coordinate columns, non-point geometries.
    """
    path = str(path)
    if not os.path.exists(path):
        raise InputFileError(f"{path}: no such file")
    if Path(path).suffix.lower() in (".csv", ".txt", ".tsv"):
        return _read_marker_csv(path, columns or {}, crs, default_crs, encoding)
    return _read_marker_layer(path, layer, columns or {}, crs)


def _read_marker_csv(path: str, columns: dict[str, str], crs, default_crs,
                     encoding: str | None) -> MarkerRegister:
    text = _decode(path, encoding)
    if not text.strip():
        raise InputFileError(f"{path}: the file is empty")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if "\n" in text \
            else csv.excel
    except csv.Error:  # no telling delimiter in the first lines: plain CSV
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = list(reader)
    if not rows:
        raise InputFileError(f"{path}: no marker rows under the header")
    found = _match_columns(path, header, columns)
    notes: list[str] = []
    has_xy = "x" in found and "y" in found
    has_lonlat = "lon" in found and "lat" in found
    if crs is not None and has_xy:
        use, src_crs = ("x", "y"), parse_crs(crs)
    elif has_lonlat:
        use, src_crs = ("lon", "lat"), CGCS2000 if crs is None else parse_crs(crs)
    elif has_xy and default_crs is not None:
        use, src_crs = ("x", "y"), default_crs
        notes.append(f"{path}: x/y columns taken to be in {crs_label(default_crs)} (the lines' "
                     "CRS); give the markers' CRS to be sure")
    elif has_xy:
        raise InputFileError(
            f"{path}: x/y columns need their CRS (give it, e.g. EPSG:4545), or give lon/lat "
            "columns")
    else:
        raise InputFileError(
            f"{path}: no coordinate columns; expected x and y (easting, northing in a projected "
            f"CRS) or lon and lat; the columns are: {', '.join(header)}")
    problems: list[RowProblem] = []
    xs = np.full(len(rows), np.nan)
    ys = np.full(len(rows), np.nan)
    for k, row in enumerate(rows):
        number = (row.get(found["number"]) or "").strip()
        bad = []
        for axis, arr in zip(use, (xs, ys), strict=True):
            raw_value = (row.get(found[axis]) or "").strip()
            value = _number(raw_value)
            if value is None:
                bad.append((found[axis], raw_value, "not a number" if raw_value else "empty"))
            else:
                arr[k] = value
        if bad:  # one problem per row, naming each unusable column
            xs[k] = ys[k] = np.nan
            values = "/".join(b[1] for b in bad) if any(b[1] for b in bad) else ""
            problems.append(RowProblem(k + 2, number, "/".join(b[0] for b in bad), values,
                                       "; ".join(dict.fromkeys(b[2] for b in bad))))
    if use == ("x", "y") and _looks_swapped(xs, ys, src_crs):
        xs, ys = ys, xs
        notes.append(f"{path}: the X column holds northings (survey convention); X and Y "
                     "swapped")
    if use == ("lon", "lat") or src_crs.is_geographic:
        bad = ~np.isnan(xs) & ~np.isnan(ys) & ((np.abs(xs) > 180) | (np.abs(ys) > 90))
        for bad_row in np.flatnonzero(bad):
            k = int(bad_row)
            number = (rows[k].get(found["number"]) or "").strip()
            problems.append(RowProblem(int(k) + 2, number, f"{found[use[0]]}/{found[use[1]]}",
                                       f"{xs[k]}, {ys[k]}", "out of longitude/latitude range"))
            xs[k] = ys[k] = np.nan
    ok = ~np.isnan(xs) & ~np.isnan(ys)
    geoms = np.full(len(rows), None, dtype=object)
    geoms[ok] = shapely.points(xs[ok], ys[ok])
    props = [{k: (row.get(v) or "").strip() for k, v in found.items()} for row in rows]
    table, more = _table(path, props, geoms, src_crs, row_offset=2)
    return MarkerRegister(table, problems + more, notes, found)


def _read_marker_layer(path: str, layer: str | None, columns: dict[str, str],
                       crs) -> MarkerRegister:
    raw = read_layer(path, layer)
    wrong = {t: n for t, n in raw.geometry_types.items() if t not in ("Point", "None")}
    if wrong:
        what = ", ".join(f"{n} {t}" for t, n in wrong.items())
        raise InputFileError(f"{raw.path}: markers must be points, but the layer has {what}")
    found = _match_columns(path, list(raw.fields), columns, need_coordinates=False)
    data_crs, note = data_crs_of(raw, crs)
    props = [{k: _text(p.get(v)) for k, v in found.items()} for p in raw.properties]
    problems = [RowProblem(int(k) + 1, props[k].get("number", ""), "geometry", "",
                           "no geometry")
                for k in np.flatnonzero(shapely.is_missing(raw.geometries))]
    table, more = _table(raw.path, props, raw.geometries, data_crs, row_offset=1)
    return MarkerRegister(table, problems + more, [note] if note else [], found)


def _table(path: str, props: list[dict[str, str]], geoms: np.ndarray, crs: CRS,
           row_offset: int) -> tuple[MarkerTable, list[RowProblem]]:
    problems = []
    statuses = []
    for k, p in enumerate(props):
        raw_status = p.get("status", "")
        status = normalise_status(raw_status)
        if status is None:
            problems.append(RowProblem(k + row_offset, p.get("number", ""), "status", raw_status,
                                       "unknown status (expected one of "
                                       f"{', '.join(sorted(STATUS_WORDS))})"))
            status = ""
        statuses.append(status)
        fault = text_problem(p.get("number", ""), max_length=IDENTIFIER_MAX)
        if p.get("number") and fault:  # unusable as a number: kept out of the checks
            shown = p["number"][:20].replace("\x00", "\\0")
            problems.append(RowProblem(k + row_offset, shown, "number", "",
                                       f"the marker number {fault}"))
            p["number"] = ""
        elif not p.get("number"):
            problems.append(RowProblem(k + row_offset, "", "number", "", "empty marker number"))
    elevations = None
    if any("elevation" in p for p in props):
        elevations = np.full(len(props), np.nan)
        for k, p in enumerate(props):
            raw = p.get("elevation", "")
            value = _number(raw) if raw else None
            if value is not None:
                elevations[k] = value
            elif raw:
                problems.append(RowProblem(k + row_offset, p.get("number", ""), "elevation",
                                           raw, "not a number"))
    materials = None
    if any("material" in p for p in props):
        materials = np.asarray([p.get("material", "") for p in props], dtype=object)
    table = MarkerTable(
        numbers=np.asarray([p.get("number", "") for p in props], dtype=object),
        geometries=np.asarray(geoms, dtype=object),
        statuses=np.asarray(statuses, dtype=object),
        line_codes=np.asarray([p.get("line", "") for p in props], dtype=object),
        types=np.asarray([p.get("type", "") for p in props], dtype=object),
        survey_dates=np.asarray([p.get("survey_date", "") for p in props], dtype=object),
        rows=np.arange(len(props)) + row_offset,
        crs=crs,
        source=path,
        elevations=elevations,
        materials=materials,
    )
    return table, problems


def _match_columns(path: str, header: list[str], given: dict[str, str],
                   need_coordinates: bool = True) -> dict[str, str]:
    lower = {h.lower(): h for h in header}
    found: dict[str, str] = {}
    for key, name in given.items():
        if key not in MARKER_COLUMNS:
            raise InputFileError(f"unknown marker attribute {key!r}; known: "
                                 f"{', '.join(MARKER_COLUMNS)}")
        if name not in header:
            raise InputFileError(f"{path}: no column {name!r} (for {key}); the columns are: "
                                 f"{', '.join(header)}")
        found[key] = name
    for key, guesses in MARKER_COLUMNS.items():
        if key not in found:
            hit = next((lower[g] for g in guesses if g in lower), None)
            if hit is not None and hit not in found.values():
                found[key] = hit
    if "number" not in found:
        raise InputFileError(
            f"{path}: no marker number column (expected one of "
            f"{', '.join(MARKER_COLUMNS['number'][:5])} …); the columns are: "
            f"{', '.join(header) or '(none)'}")
    return found


def _looks_swapped(xs: np.ndarray, ys: np.ndarray, crs: CRS) -> bool:
    """True when x values look like northings and y like eastings of a projected CRS."""
    ok = ~np.isnan(xs) & ~np.isnan(ys)
    if not ok.any() or not crs.is_projected:
        return False
    try:
        area = crs.area_of_use
    except Exception:  # noqa: BLE001 - no area of use known
        area = None
    if area is None:
        return False
    tr = transformer(crs, CGCS2000)
    x, y = np.median(xs[ok]), np.median(ys[ok])
    inside = _in_area(tr.transform(x, y), area)
    swapped = _in_area(tr.transform(y, x), area)
    return swapped and not inside


def _in_area(lonlat: tuple[float, float], area) -> bool:
    lon, lat = lonlat
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return False
    return area.west - 1 <= lon <= area.east + 1 and area.south - 1 <= lat <= area.north + 1


def _decode(path: str, encoding: str | None) -> str:
    return decode_text(Path(path).read_bytes(), path, encoding)[0]


def _number(text: str) -> float | None:
    try:
        value = float(text) if text else None
    except ValueError:
        return None
    # no CRS has coordinates beyond 1e9 (metres or degrees): larger values are errors
    return value if value is not None and math.isfinite(value) and abs(value) < 1e9 else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


LINE_SCHEMA = {"line_id": "int", "left_id": "str", "right_id": "str", "left_name": "str",
               "right_name": "str", "length_m": "float"}


TRIPOINT_SCHEMA = {"point_id": "int", "ids": "str", "names": "str", "divisions": "int"}


OUTER_SCHEMA = {"outer_id": "int", "division_id": "str", "name": "str", "kind": "str",
                "length_m": "float"}


ADJACENCY_SCHEMA = {"first_id": "str", "second_id": "str", "first_name": "str",
                    "second_name": "str", "shared_length_m": "float", "lines": "int"}


def write_boundary_lines(result: BoundaryLines, path: str | os.PathLike, crs: CRS) -> None:
    """Write the four layers of :func:`geonames.boundaries.lines.extract_lines` to a GeoPackage.

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
