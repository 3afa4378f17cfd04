"""Read division layers (polygons with ids and names) and approved-exception files, and describe
a vector layer the way ``geonames info`` prints it.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from geonames.crs import (
    WGS84,
    choose_metric_crs,
    crs_label,
    lonlat_bounds_ok,
    reproject,
)
from geonames.divisions.coverage import ApprovedException
from geonames.divisions.model import DivisionTable
from geonames.errors import InputFileError
from geonames.text import text_problem
from geonames.vector import (
    POLYGONAL,
    RawLayer,
    cell_text,
    column_values,
    data_crs_of,
    guess_field,
    read_layer,
    require_geometries,
)

#: Field names tried, in order, for the division id when none is given and the feature id is
#: not meaningful.
ID_FIELD_GUESSES = ("code", "adcode", "gb", "xzqdm", "xzqhdm", "division_code", "id")


#: Field names tried, in order, for the division name when none is given.
NAME_FIELD_GUESSES = ("name", "xzqmc", "name_zh", "name_chn", "mc", "名称")


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
    names = column_values(raw, name_field or guess_field(raw.fields, NAME_FIELD_GUESSES))
    for k, name in enumerate(names):
        fault = text_problem(name, allow_empty=True) if isinstance(name, str) else None
        if fault:
            raise InputFileError(f"{raw.path}: feature {ids[k]} (row {k + 1}): the name "
                                 f"{fault}")
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
        unclosed=raw.unclosed,
    )


def division_ids(raw: RawLayer, id_field: str | None = None) -> tuple[list[str], str]:
    """The id of each feature and where it came from (see :func:`read_divisions`)."""
    if id_field is not None:
        return [cell_text(v) for v in column_values(raw, id_field)], f"field {id_field!r}"
    if _meaningful_fids(raw.fids):
        return list(raw.fids), "feature id"
    guess = guess_field(raw.fields, ID_FIELD_GUESSES)
    if guess is not None:
        values = [cell_text(v) for v in column_values(raw, guess)]
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
    ``metric_crs_reason``, ``metric_crs_centre`` (longitude, latitude, or None),
    ``metric_crs_use`` (which CRS measures areas, and which lengths, offsets and
    tolerances), ``bbox``, ``fields``, ``id_source``, ``ids_unique``, ``duplicate_ids``,
    ``encoding``, ``layer``, ``driver``.
    """
    raw = read_layer(path, layer, encoding)
    data_crs, note = data_crs_of(raw, None if crs is None else crs)
    metric = choose_metric_crs(data_crs, raw.bounds, geometries=raw.geometries)
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
        "metric_crs_centre": list(metric.centre) if metric.centre else None,
        "metric_crs_use": metric.uses,
        "bbox": [round(v, 9) for v in raw.bounds],
        "fields": raw.fields,
        "encoding": raw.encoding,
        "id_source": id_source,
        "ids_unique": bool((counts == 1).all()),
        "duplicate_ids": values[counts > 1].tolist(),
    }


def _meaningful_fids(fids: list[str]) -> bool:
    if not all(f.lstrip("-").isdigit() for f in fids):
        return True
    numbers = [int(f) for f in fids]
    n = len(numbers)
    return numbers not in (list(range(n)), list(range(1, n + 1)))


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
        ids = cell_text(props.get(id_field)) if id_field else ""
        code = cell_text(props.get(code_field)) if code_field else ""
        out.append(ApprovedException(
            code=code or None,
            ids=frozenset(i.strip() for i in ids.split(",") if i.strip()) or None,
            geometry=geom if geom is not None and not geom.is_empty else None,
            note=cell_text(props.get(note_field)) if note_field else ""))
    return out
