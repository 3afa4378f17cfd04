"""Read-only feature queries over a register: the current places, or the register as it
stood on a day, with bbox, property filters, search and paging.

Plain functions over an open :class:`~geonames.registry.Registry`; the web server
(:mod:`geonames.serve.provider`) turns their answers into GeoJSON.

The current places are read from the register's ``placenames`` layer (one row per place in
use, kept by every write); a day in the past is answered by folding each place's events up to
that day (:func:`geonames.registry.fold`), in id order, so paging stays exact.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geonames.names.model import NameStatus, PlaceName
from geonames.registry import Registry, fold
from geonames.registry.schema import PLACENAME_FIELDS
from geonames.registry.store import placename_values

#: Properties a client may filter on (``?category=…``), and how.
FILTERS = ("name", "category", "generic", "division_code", "status")

#: Properties of a feature, in order (the ``placenames`` columns a client sees).
PROPERTIES = tuple(f for f in PLACENAME_FIELDS if f not in ("place_id", "last_seq"))

_PREFIX_END = "\U0010ffff"


class QueryTimeout(Exception):
    """A query ran past its time limit."""


@dataclass
class Query:
    """What a client asked for."""

    offset: int = 0
    limit: int = 10
    bbox: tuple[float, float, float, float] | None = None
    filters: dict[str, str] = field(default_factory=dict)
    q: str | None = None
    as_of: date | None = None
    sortby: list[tuple[str, bool]] = field(default_factory=list)  # (column, ascending)
    deadline: float | None = None  # time.monotonic() value

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise QueryTimeout("the query ran past the server's time limit")


@dataclass
class Page:
    """Places of one page, with the search match when the query had ``q``."""

    places: list[tuple[str, dict[str, Any], BaseGeometry | None]]
    matched: int | None
    hits: dict[str, dict[str, Any]] = field(default_factory=dict)


def properties_of(place: PlaceName) -> dict[str, Any]:
    """The feature properties of a place (the same values the ``placenames`` layer holds)."""
    values = dict(zip(PLACENAME_FIELDS, placename_values(place, 0)))
    return {k: values[k] for k in PROPERTIES}


def query(reg: Registry, q: Query, search_cap: int = 1000) -> Page:
    """One page of places for the query."""
    if q.as_of is not None:
        return _query_as_of(reg, q, search_cap)
    return _query_current(reg, q, search_cap)


def get(reg: Registry, place_id: str, as_of: date | None = None) -> tuple[dict[str, Any],
                                                                           BaseGeometry | None]:
    """One place (its state now, or on ``as_of``): properties and geometry.

    Raises :class:`geonames.registry.PlaceNotFound` for an unknown id, or a day before the
    place existed.
    """
    place = reg.get(place_id, as_of=as_of)
    return properties_of(place), place.geometry


# --------------------------------------------------------------------------- current


def _geom_sql(reg: Registry) -> str:
    return "ST_AsBinary(p.geom)" if reg.backend == "postgis" else "p.geom"


def _decode(reg: Registry, blobs: Sequence[Any]) -> list[BaseGeometry | None]:
    if reg.backend == "postgis":
        return [shapely.from_wkb(bytes(b)) if b is not None else None for b in blobs]
    from geonames.registry.gpkg import from_gpkg_blobs

    return list(from_gpkg_blobs(blobs))


def _where(reg: Registry, q: Query) -> tuple[list[str], list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    for key, value in q.filters.items():
        if key == "division_code":
            # codes are hierarchical: a county code selects the townships below it
            clauses.append("p.division_code >= ? AND p.division_code < ?")
            params += [value, value + _PREFIX_END]
        else:
            clauses.append(f"p.{key} = ?")
            params.append(value)
    if q.bbox is not None:
        xmin, ymin, xmax, ymax = q.bbox
        if reg.backend == "postgis":
            clauses.append("ST_Intersects(p.geom, ST_MakeEnvelope(?, ?, ?, ?, ?))")
            params += [xmin, ymin, xmax, ymax, reg.store.srid]
        else:
            _ensure_intersects(reg)
            clauses.append("p.fid IN (SELECT id FROM rtree_placenames_geom WHERE minx <= ? "
                           "AND maxx >= ? AND miny <= ? AND maxy >= ?) "
                           "AND gn_intersects(p.geom, ?, ?, ?, ?)")
            params += [xmax, xmin, ymax, ymin, xmin, ymin, xmax, ymax]
    return clauses, params


def _ensure_intersects(reg: Registry) -> None:
    """Register ``gn_intersects(blob, xmin, ymin, xmax, ymax)`` on a GeoPackage connection:
    the exact test behind the R-tree's envelope test."""
    conn = reg.store.conn  # type: ignore[attr-defined]
    if _REGISTERED.get(id(conn)) is conn:
        return
    from geonames.registry.gpkg import _envelope, from_gpkg_blobs

    def intersects(blob: bytes | None, xmin: float, ymin: float, xmax: float,
                   ymax: float) -> int:
        env = _envelope(blob)
        if env is None:
            return 0
        ex0, ex1, ey0, ey1 = env
        if ex0 >= xmin and ex1 <= xmax and ey0 >= ymin and ey1 <= ymax:
            return 1  # the envelope lies inside the box
        geom = from_gpkg_blobs([blob])[0]
        return int(bool(shapely.intersects(geom, shapely.box(xmin, ymin, xmax, ymax))))

    conn.create_function("gn_intersects", 5, intersects, deterministic=True)
    _REGISTERED[id(conn)] = conn  # held, so the id stays its own


_REGISTERED: dict[int, Any] = {}


def _rows(reg: Registry, where: str, params: Sequence[Any], order: str, limit: int,
          offset: int) -> list[tuple[str, dict[str, Any], BaseGeometry | None]]:
    cols = ", ".join(f"p.{c}" for c in PROPERTIES)
    rows = reg.store.query(
        f"SELECT p.place_id, {_geom_sql(reg)}, {cols} FROM placenames p {where} "
        f"ORDER BY {order} LIMIT ? OFFSET ?", [*params, limit, offset])
    geoms = _decode(reg, [r[1] for r in rows])
    return [(r[0], _clean(dict(zip(PROPERTIES, r[2:]))), g) for r, g in zip(rows, geoms)]


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in props.items()}


def _query_current(reg: Registry, q: Query, search_cap: int) -> Page:
    clauses, params = _where(reg, q)
    if q.q:
        return _search_current(reg, q, clauses, params, search_cap)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    order = ", ".join(f"p.{c} {'ASC' if asc else 'DESC'}" for c, asc in q.sortby)
    order = f"{order}, p.fid" if order else "p.fid"
    places = _rows(reg, where, params, order, q.limit, q.offset)
    if clauses:
        matched = int(reg.store.scalar(f"SELECT count(*) FROM placenames p {where}", params))
    else:
        matched = reg.count()
    return Page(places, matched)


def _search_current(reg: Registry, q: Query, clauses: list[str], params: list[Any],
                    search_cap: int) -> Page:
    """A page of search results: the search asks for just enough hits (one more than the
    page's end, more when filters or retired places drop some), at most ``search_cap``.
    ``numberMatched`` is given when every hit is known."""
    end = q.offset + q.limit
    want = min(search_cap, end + 1)
    while True:
        q.check_time()
        hits = reg.search(q.q or "", limit=want)
        order = {h.place_id: i for i, h in enumerate(hits)}
        ids = list(order)
        keep: list[tuple[str, dict[str, Any], BaseGeometry | None]] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            where = "WHERE " + " AND ".join([f"p.place_id IN ({marks})", *clauses])
            keep += _rows(reg, where, [*chunk, *params], "p.fid", len(chunk), 0)
        exhausted = len(hits) < want
        if len(keep) > end or exhausted or want >= search_cap:
            break
        want = min(search_cap, want * 4)
    keep.sort(key=lambda r: order[r[0]])
    by_id = {h.place_id: h for h in hits}
    page = keep[q.offset:end]
    return Page(page, len(keep) if exhausted else None,
                {pid: _hit(by_id[pid]) for pid, _, _ in page})


def _hit(h: Any) -> dict[str, Any]:
    return {"matched": h.matched, "match": h.match, "by": h.by, "historical": h.historical}


# --------------------------------------------------------------------------- as of a day


def _query_as_of(reg: Registry, q: Query, search_cap: int) -> Page:
    """Places as they stood on ``q.as_of``: fold each place's events up to that day, keep
    those that existed and were not retired, then apply the filters, in id order (or in
    search rank with ``q``)."""
    assert q.as_of is not None
    day = q.as_of
    keep = _matcher(q)
    hits: dict[str, Any] = {}
    if q.q:
        found = reg.search(q.q, limit=search_cap)
        hits = {h.place_id: h for h in found}
        id_stream: Iterator[list[str]] = iter([list(hits)[i:i + 500]
                                               for i in range(0, len(hits), 500)])
    else:
        id_stream = _id_chunks(reg, day)
    out: list[tuple[str, dict[str, Any], BaseGeometry | None]] = []
    seen = 0
    for chunk in id_stream:
        q.check_time()
        histories = reg.store.events_of(chunk)
        for pid in chunk:
            place = fold(histories.get(pid, []), day)
            if place is None or place.status == NameStatus.RETIRED or not keep(place):
                continue
            if seen >= q.offset:
                out.append((pid, properties_of(place), place.geometry))
            seen += 1
            if len(out) >= q.limit:
                return Page(out, None, {pid: _hit(hits[pid]) for pid, _, _ in out
                                        if pid in hits})
    return Page(out, seen, {pid: _hit(hits[pid]) for pid, _, _ in out if pid in hits})


def _id_chunks(reg: Registry, day: date, size: int = 500) -> Iterator[list[str]]:
    """Ids of the places that existed by ``day``, in id order: those whose first event (a
    place is never changed before it exists) took effect on or before it."""
    last = ""
    while True:
        ids = [r[0] for r in reg.store.query(
            "SELECT p.place_id FROM gn_places p JOIN gn_events e ON e.seq = p.first_seq "
            "WHERE p.place_id > ? AND e.effective <= ? ORDER BY p.place_id LIMIT ?",
            (last, day.isoformat(), size))]
        if not ids:
            return
        yield ids
        last = ids[-1]


def _matcher(q: Query) -> Callable[[PlaceName], bool]:
    box = shapely.box(*q.bbox) if q.bbox is not None else None

    def keep(p: PlaceName) -> bool:
        props = {"name": p.name, "category": p.category, "generic": p.generic,
                 "division_code": p.division_code, "status": str(p.status)}
        for key, value in q.filters.items():
            if key == "division_code":
                if not (props[key] or "").startswith(value):
                    return False
            elif props[key] != value:
                return False
        if box is not None:
            return p.geometry is not None and bool(shapely.intersects(p.geometry, box))
        return True

    return keep
