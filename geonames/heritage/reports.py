"""Reports of the heritage commands: the impact of a proposed change on listed and candidate
entries (:func:`change_impact_report`, :func:`impact_report`) and the check of a register's
lists (:func:`check_report`)."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.crs import MetricCRS, reproject
from geonames.divisions.codes import parse_code
from geonames.divisions.io import read_divisions
from geonames.document import MapLayer, Report, Table
from geonames.errors import GeonamesError
from geonames.findings import Finding
from geonames.heritage.register import HeritageRegister
from geonames.text import Progress, quiet
from geonames.vector import data_crs_of, read_layer

#: Columns of the "entries touched" table of an impact report.
IMPACT_COLUMNS = ["entry", "name", "status", "list", "batch", "grade", "category", "place",
                  "why"]


def impact_report(findings: Sequence[Finding], change: str, *, metric: MetricCRS | None,
                  inputs: Mapping[str, Any], seconds: float = 0.0,
                  areas: Sequence[tuple[str, Any]] = (), notes: Sequence[str] = ()) -> Report:
    """The report of :meth:`geonames.heritage.register.HeritageRegister` impact methods.

    ``areas`` are ``(label, geometry)`` pairs in the metric CRS drawn under the findings (the
    old divisions, the affected area). Listed entries are errors, candidates warnings.
    """
    rows = [[f.details.get("entry", f.subject), f.details.get("name", ""),
             f.details.get("status", ""), f.details.get("list", ""),
             f.details.get("batch", ""), f.details.get("grade", ""),
             f.details.get("category", ""), f.details.get("place", ""),
             "; ".join(f.details.get("reasons", [])) or f.message] for f in findings]
    layers = []
    if areas:
        layers.append(MapLayer("affected", np.array([g for _, g in areas], dtype=object),
                               [label for label, _ in areas]))
    listed = sum(f.code.endswith(".listed") for f in findings)
    stats = {"change": change, "entries_touched": len(rows), "listed_touched": listed,
             "candidates_touched": len(rows) - listed - sum(f.code.endswith(".unlocated")
                                                            for f in findings)}
    return Report("heritage-impact", list(findings), crs=metric.crs if metric else None,
                  metric_crs=metric.label if metric else None,
                  inputs={"change": change, **inputs}, seconds=seconds, layers=layers,
                  tables=[Table("entries", f"Entries touched by: {change}", IMPACT_COLUMNS,
                                rows)],
                  notes=list(notes), stats=stats)


def check_report(findings: Sequence[Finding], *, inputs: Mapping[str, Any],
                 seconds: float = 0.0, notes: Sequence[str] = ()) -> Report:
    """The report of :meth:`geonames.heritage.register.HeritageRegister.check`: the findings,
    and a table of continuous use per entry."""
    rows = []
    for f in findings:
        if f.code == "heritage.continuity":
            d = f.details
            rows.append([f.subject, d.get("name", ""), d.get("place", ""),
                         "yes" if d.get("in_use") else "no", d.get("continuous_since", ""),
                         None if f.value is None else round(f.value, 2),
                         None if d.get("years_total") is None else round(d["years_total"], 2),
                         "; ".join(" – ".join(i) for i in d.get("interruptions", [])),
                         ", ".join(d.get("restored", []))])
    columns = ["entry", "name", "place", "in_use", "continuous_since", "years_continuous",
               "years_total", "interruptions", "restored"]
    return Report("heritage-check", list(findings), inputs=dict(inputs), seconds=seconds,
                  tables=[Table("continuity", "Continuous use of the protected names",
                                columns, rows)], notes=list(notes))


#: The note of an impact report on a register that holds no heritage list.
NO_LISTS = ("the register holds no heritage list, so no entry can be touched (add one with "
            "geonames heritage add)")


def change_impact_report(
    heritage: HeritageRegister,
    *,
    rename: str | None = None,
    new_name: str = "",
    retire: str | None = None,
    merge: Sequence[str] = (),
    split: Sequence[str] = (),
    into: Sequence[str] = (),
    area: str | os.PathLike | None = None,
    margin: float = 0.0,
    divisions: str | os.PathLike | None = None,
    id_field: str | None = None,
    layer: str | None = None,
    progress: Progress = quiet,
) -> Report:
    """Which listed or candidate entries one proposed change touches, as a report.

    Give one change: ``rename`` (a place id, with ``new_name``), ``retire`` (a place id),
    ``merge`` or ``split`` (division codes) ``into`` new codes (with ``divisions``, a file of
    the old divisions, to locate entries in them), or ``area`` (a file of polygons, with a
    ``margin`` in metres). ``layer`` is the layer of ``divisions`` or ``area``.

    Raises :class:`~geonames.errors.GeonamesError` for no change or more than one, and for an
    area file without polygons.
    """
    start = time.perf_counter()
    chosen = [x for x in (rename, retire, list(merge), list(split), area) if x]
    if len(chosen) != 1:
        raise GeonamesError("give one change: rename, retire, merge, split or area")
    if (merge or split) and not into:
        raise GeonamesError("a merge or split needs the new codes (into)")
    for code in [*merge, *split, *into]:
        parse_code(str(code))
    areas: list[tuple[str, Any]] = []
    notes: list[str] = []
    if not heritage.lists() and not heritage.entries():
        notes.append(NO_LISTS)
    inputs: dict[str, Any] = {}
    metric = None
    if rename or retire:
        kind = "rename" if rename else "retire"
        place = str(rename or retire)
        change = f"{kind} {place}" + (f" → {new_name}" if new_name else "")
        findings = heritage.impact_of_place_change([place], kind, new_name)
    elif merge or split:
        kind = "merge" if merge else "split"
        old = [str(c) for c in (merge or split)]
        change = f"{kind} {' + '.join(old)} → {' + '.join(map(str, into))}"
        table = None
        if divisions:
            table = read_divisions(divisions, layer=layer, id_field=id_field)
            progress(f"read {len(table)} divisions from {divisions}")
            if table.crs_note:
                notes.append(table.crs_note)
            inputs["divisions"] = str(divisions)
        findings = heritage.impact_of_division_change(table, old, list(into), kind)
        metric = heritage.metric_crs()
        if table is not None and metric is not None:
            keep = np.isin(np.asarray(table.ids, dtype=str), old)
            geoms = reproject(np.asarray(table.geometries[keep], dtype=object), table.crs,
                              metric.crs)
            areas = [(f"{n} {i}", g) for i, n, g in
                     zip(table.ids[keep], table.names[keep], geoms, strict=True)
                     if g is not None]
    else:
        polygon, crs, note = read_area(str(area), layer)
        if note:
            notes.append(note)
        change = f"area {area}" + (f" (margin {margin:g} m)" if margin else "")
        findings = heritage.impact_of_area(polygon, crs, margin)
        metric = heritage.metric_crs()
        if metric is not None:
            areas = [("affected area", reproject(np.array([polygon], dtype=object), crs,
                                                 metric.crs)[0])]
        inputs.update(area=str(area), margin_m=margin)
    return impact_report(findings, change, metric=metric, inputs=inputs, areas=areas,
                         seconds=time.perf_counter() - start, notes=notes)


def read_area(path: str, layer: str | None = None) -> tuple[BaseGeometry, CRS, str | None]:
    """The union of the (repaired) polygons of a file: the affected area of a plan, with the
    CRS of its coordinates and a note when that CRS was assumed."""
    raw = read_layer(path, layer=layer)
    crs, note = data_crs_of(raw)
    present = raw.geometries[~shapely.is_missing(raw.geometries)]
    polygon = shapely.union_all(shapely.make_valid(present))
    if polygon.is_empty or shapely.get_dimensions(polygon) < 2:
        raise GeonamesError(f"{path}: the affected area needs polygons")
    return polygon, crs, note
