"""The store interface and every piece of SQL the two backends share.

:class:`Store` holds the SQL once, written with ``?`` placeholders; a backend
(:class:`~geonames.registry.gpkg.GpkgStore`, :class:`~geonames.registry.postgis.PostgisStore`)
supplies only what differs between engines: connecting and locking, rendering column types,
geometry encoding, bulk loading, the text index behind substring search (SQLite FTS5 trigram
and a gram index / PostgreSQL pg_trgm and a GIN array index) and the spatial index behind
bbox and nearest queries (GeoPackage R-tree / PostGIS GiST).

Stores know rows, not rules: :class:`geonames.registry.Registry` decides what to write.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
import shapely
import shapely.ops
from pyproj import CRS, Geod
from shapely.geometry.base import BaseGeometry

from geonames.findings import Finding, Severity
from geonames.names.model import NameStatus, PlaceName
from geonames.registry.keys import STATE_HISTORICAL, NameKeys, NameRow, grams, name_rows
from geonames.registry.model import (
    Event,
    EventKind,
    approval_from_record,
    fold,
)
from geonames.registry.schema import (
    BATCHES,
    CORE_TABLES,
    EVENT_FIELDS,
    EVENTS,
    NAME_FIELDS,
    NAMES,
    PLACENAME_FIELDS,
    PLACENAMES,
    Table,
)
from geonames.text import iso_date

SCHEMA_VERSION = "1"

#: Most substring candidates a search ranks (the exact and prefix ones are never capped).
SUBSTRING_CAP = 2000

#: Columns searched for substrings through the engine's trigram index: names and pinyin
#: (``fangbei`` finds 解放碑). Initials are matched exactly and as prefixes only: three
#: letters inside other initials match too much to mean anything.
SUBSTRING_COLUMNS = ("name", "key")

_PREFIX_END = "\U0010ffff"

#: Search fields: mode → (column, proper column).
SEARCH_FIELDS = {"chars": ("name", "proper"), "pinyin": ("key", "proper_key"),
                 "initials": ("initials", "proper_initials")}

MATCH_NAMES = ("exact", "proper", "prefix", "substring")


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: a place and the name of it that matched.

    Attributes
    ----------
    place_id : str
    name : str
        The place's standard name (its last one, for a retired place).
    matched : str
        The name that matched (the standard name, a variant, or a historical name).
    kind : str
        ``"standard"`` or the variant kind of ``matched``.
    historical : bool
        True when ``matched`` is a historical name (a former standard name, a variant no
        longer valid, or any name of a retired place).
    match : str
        ``"exact"``, ``"proper"`` (the query is the proper part), ``"prefix"`` or
        ``"substring"``.
    by : str
        ``"chars"``, ``"pinyin"`` or ``"initials"``.
    status : str
        The place's status.
    """

    place_id: str
    name: str
    matched: str
    kind: str
    historical: bool
    match: str
    by: str
    status: str


@dataclass(frozen=True, slots=True)
class Near:
    """A place found near a point, with its distance in metres."""

    place_id: str
    name: str
    distance_m: float


def now_text() -> str:
    """UTC now, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dumps(value: Any) -> str:
    """Compact JSON, characters as they are."""
    return _ENCODER.encode(value)


class Store(ABC):
    """A register's database: shared SQL over a backend's connection.

    Subclasses set :attr:`placeholder` and implement the abstract methods.
    """

    #: Name of the backend (``"gpkg"`` or ``"postgis"``).
    backend: str = ""
    #: Placeholder of the driver; shared SQL is written with ``?``.
    placeholder: str = "?"

    def __init__(self, target: str) -> None:
        self.target = target
        #: The target as messages show it (a URL without its password).
        self.shown = target
        self.crs: CRS | None = None
        self.srid: int = 0
        self._geod: Geod | None = None
        self._in_write = False

    # ------------------------------------------------------------------ connection and SQL

    def sql(self, text: str) -> str:
        """Shared SQL (``?`` placeholders) in the driver's placeholder style."""
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement written with ``?`` placeholders; returns the cursor."""

    @abstractmethod
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows."""

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return list(self.execute(sql, params).fetchall())

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.execute(sql, params).fetchone()
        return row[0] if row else None

    @abstractmethod
    def close(self) -> None: ...

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One write transaction holding the register's write lock: all or nothing.

        Writers are serialised (SQLite ``BEGIN IMMEDIATE`` with a busy timeout; a
        transaction-level advisory lock on PostgreSQL), so two processes writing at once
        both land, one after the other. Nested use joins the outer transaction.
        """
        if self._in_write:
            yield self
            return
        self._begin_write()
        self._in_write = True
        try:
            yield self
        except BaseException as err:
            self._in_write = False
            self._rollback()
            explained = self._explain(err) if isinstance(err, Exception) else err
            if explained is not err:
                raise explained from None
            raise
        self._in_write = False
        self._commit()

    def _explain(self, err: Exception) -> Exception:
        """A backend error the user caused (missing rights, a lock held too long, a read-only
        file) as a one-line :class:`~geonames.errors.GeonamesError`; others as they are."""
        return err

    @abstractmethod
    def _begin_write(self) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    # ------------------------------------------------------------------ schema

    @abstractmethod
    def has_table(self, name: str) -> bool: ...

    @abstractmethod
    def create_table(self, table: Table) -> None:
        """Create a table (and its indexes) in this backend's SQL."""

    #: Column definition of an auto-increment integer primary key, per backend.
    SERIAL_COLUMN = ""

    @abstractmethod
    def column_type(self, portable: str) -> str:
        """This backend's SQL type for a portable column type (``"text"``, ``"int"`` …)."""

    def table_statements(self, table: Table) -> list[str]:
        """``CREATE TABLE`` and ``CREATE INDEX`` statements for ``table`` (idempotent)."""
        cols = []
        for col in table.columns:
            if col.type == "serial":
                cols.append(f'"{col.name}" {self.SERIAL_COLUMN}')
                continue
            text = f'"{col.name}" {self.column_type(col.type)}'
            if col.primary_key:
                text += " PRIMARY KEY"
            if not col.nullable and not col.primary_key:
                text += " NOT NULL"
            if col.unique:
                text += " UNIQUE"
            cols.append(text)
        statements = [f'CREATE TABLE IF NOT EXISTS "{table.name}" ({", ".join(cols)})']
        for index in table.indexes:
            unique = "UNIQUE " if index.unique else ""
            statements.append(f'CREATE {unique}INDEX IF NOT EXISTS "{index.name}" '
                              f'ON "{table.name}" ({", ".join(index.columns)})')
        return statements

    @abstractmethod
    def _create_search_index(self) -> None:
        """The engine's text indexes over ``gn_names``."""

    def initialize(self, crs: CRS, id_prefix: str) -> None:
        """Create the register's tables in an empty database."""
        with self.transaction():
            self._set_crs(crs)
            self._prepare_database()
            for table in CORE_TABLES:
                self.create_table(table)
            self._create_search_index()
            rows = [("schema_version", SCHEMA_VERSION), ("crs", self.register_crs.to_wkt()),
                    ("srid", str(self.srid)), ("id_prefix", id_prefix), ("next_id", "1"),
                    ("created", now_text())]
            self.executemany("INSERT INTO gn_meta (key, value) VALUES (?, ?)", rows)

    def _prepare_database(self) -> None:
        """Backend set-up before the first table (GeoPackage metadata tables …)."""
        return None

    def writable(self) -> bool:
        """Whether this process may write the register (file permissions, database rights)."""
        return not getattr(self, "read_only", False)

    def is_initialized(self) -> bool:
        return self.has_table("gn_meta")

    def load_settings(self) -> None:
        """Read CRS and SRID of an existing register."""
        version = self.meta("schema_version")
        if version != SCHEMA_VERSION:
            from geonames.errors import InputFileError

            raise InputFileError(f"{self.shown}: register schema version {version!r}, this "
                                 f"geonames reads version {SCHEMA_VERSION}")
        self.crs = CRS.from_wkt(self.meta("crs") or "")
        self.srid = int(self.meta("srid") or 0)

    def ensure_tables(self, tables: Iterable[Table]) -> None:
        """Create those of ``tables`` that are missing (an extension's tables), in one
        transaction."""
        missing = [t for t in tables if not self.has_table(t.name)]
        if not missing:
            return
        with self.transaction():
            for table in missing:
                self.create_table(table)

    def _set_crs(self, crs: CRS) -> None:
        epsg = crs.to_epsg()
        if epsg is None:
            from geonames.errors import CRSError

            raise CRSError(f"the register CRS needs an EPSG code; {crs.name!r} has none")
        self.crs, self.srid = crs, epsg

    @property
    def register_crs(self) -> CRS:
        """The CRS of the register's geometries (set when it is created or opened)."""
        if self.crs is None:
            raise RuntimeError("the register's CRS is not set yet")
        return self.crs

    @property
    def geod(self) -> Geod | None:
        """Ellipsoid for distances when the register CRS is geographic; None when projected."""
        if self._geod is None and self.crs is not None and self.crs.is_geographic:
            self._geod = self.crs.get_geod()
        return self._geod

    # ------------------------------------------------------------------ meta

    def meta(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM gn_meta WHERE key = ?", (key,))

    def set_meta(self, key: str, value: str) -> None:
        if self.execute("UPDATE gn_meta SET value = ? WHERE key = ?", (value, key)).rowcount == 0:
            self.execute("INSERT INTO gn_meta (key, value) VALUES (?, ?)", (key, value))

    def allocate_ids(self, n: int) -> list[str]:
        """``n`` new place ids (inside a write transaction); the counter never goes back."""
        prefix = self.meta("id_prefix") or ""
        first = int(self.meta("next_id") or 1)
        self.set_meta("next_id", str(first + n))
        return [f"{prefix}{i:07d}" for i in range(first, first + n)]

    # ------------------------------------------------------------------ geometry

    @abstractmethod
    def encode_geometries(self, geoms: Sequence[BaseGeometry | None]) -> list[Any]:
        """Geometries as the values the backend's geometry column takes."""

    #: SQL expression taking one encoded geometry parameter.
    geometry_param = "?"

    @abstractmethod
    def reserve(self, table: Table, n: int) -> int:
        """Reserve ``n`` values of the table's serial key; returns the first."""

    @abstractmethod
    def insert_rows(self, table: Table, columns: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> None:
        """Bulk insert (geometry columns take encoded values)."""

    # ------------------------------------------------------------------ writes

    def used_ids(self, ids: Iterable[str]) -> set[str]:
        """The ids among ``ids`` that the register has ever used."""
        out: set[str] = set()
        for chunk in _chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update(r[0] for r in self.query(
                f"SELECT place_id FROM gn_places WHERE place_id IN ({marks})", chunk))
        return out

    def write_batch(self, kind: str, events: Sequence[Event], states: dict[str, PlaceName],
                    new_ids: set[str], source: str = "", note: str = "",
                    batch: int | None = None, ahead: NameKeys | None = None,
                    stamp: bool = True) -> tuple[int, list[Event]]:
        """Append one batch: its events, then the derived state of every place it touched.

        ``states`` holds the new state of every place the events touch; ``new_ids`` the ones
        that did not exist before. Must run inside :meth:`transaction`. ``batch`` continues a
        batch this transaction started (a streamed import writes one batch in chunks): its
        counts grow by this part's. ``ahead`` holds search keys computed beforehand (a bulk
        import's).
        Returns the batch number and the events with their ``seq``, ``batch`` and ``recorded``
        (none without ``stamp``: a bulk import does not keep them).
        """
        assert self._in_write, "write_batch needs a transaction"
        recorded = now_text()
        continued = batch
        if batch is None:
            batch = self.reserve(BATCHES, 1)
            self.insert_rows(BATCHES, ("batch", "kind", "source", "recorded", "n_events",
                                       "n_places", "note"),
                             [(batch, kind, source, recorded, len(events), len(states), note)])
        else:
            self.execute("UPDATE gn_batches SET n_events = n_events + ?, "
                         "n_places = n_places + ? WHERE batch = ?",
                         (len(events), len(states), batch))
        seq0 = self.reserve(EVENTS, len(events)) if events else 0
        stamped = []
        rows = []
        last_seq: dict[str, int] = {}
        first_seq: dict[str, int] = {}
        when = datetime.fromisoformat(recorded)
        # the columns an import's events share (kind, date, decision, reason), made once
        shared: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        for i, e in enumerate(events):
            seq = seq0 + i
            a = e.approval
            head = (e.kind, e.effective, id(a), e.reason)
            common = shared.get(head)
            if common is None:
                common = shared[head] = (
                    str(e.kind), e.effective.isoformat(), recorded,
                    a.authority if a else None, a.document if a else None,
                    a.date.isoformat() if a and a.date else None, e.reason or None)
            rows.append((seq, batch, e.place_id, *common, dumps(e.data),
                         dumps(list(e.overrides)) if e.overrides else None))
            last_seq[e.place_id] = seq
            first_seq.setdefault(e.place_id, seq)
            if stamp:
                stamped.append(Event(e.place_id, e.kind, e.effective, e.data, e.approval,
                                     e.reason, e.overrides, seq, batch, when))
        self.insert_rows(EVENTS, ("seq", *EVENT_FIELDS), rows)
        self._write_states(states, new_ids, first_seq, last_seq, ahead)
        if continued is None:  # a batch written in parts: the caller does it once at the end
            self.after_batch(len(events))
        return batch, stamped

    @contextmanager
    def bulk_load(self, rows: int) -> Iterator[None]:
        """Inside a write transaction that will add about ``rows`` places in several parts:
        backends may defer index upkeep to its end (the GeoPackage store does)."""
        yield

    def after_batch(self, rows: int) -> None:
        """Backend upkeep at the end of a batch (PostgreSQL refreshes planner statistics)."""
        return None

    def _write_states(self, states: dict[str, PlaceName], new_ids: set[str],
                      first_seq: dict[str, int], last_seq: dict[str, int],
                      ahead: NameKeys | None = None) -> None:
        old_ids = [i for i in states if i not in new_ids]
        new = [states[i] for i in states if i in new_ids]
        # gn_places: every id ever used
        self.insert_rows(_PLACES_T, ("place_id", "status", "first_seq", "last_seq"),
                         [(p.id, str(p.status), first_seq[p.id], last_seq[p.id]) for p in new])
        if old_ids:
            self.executemany("UPDATE gn_places SET status = ?, last_seq = ? WHERE place_id = ?",
                             [(str(states[i].status), last_seq[i], i) for i in old_ids])
        # placenames: the current places, updated in place (their fid stays)
        present: set[str] = set()
        for chunk in _chunks(old_ids, 500):
            marks = ",".join("?" * len(chunk))
            present.update(r[0] for r in self.query(
                f"SELECT place_id FROM placenames WHERE place_id IN ({marks})", chunk))
        inserts = [p for p in new if p.status != NameStatus.RETIRED]
        inserts += [states[i] for i in old_ids
                    if i not in present and states[i].status != NameStatus.RETIRED]
        updates = [states[i] for i in old_ids
                   if i in present and states[i].status != NameStatus.RETIRED]
        deletes = [i for i in old_ids if i in present and states[i].status == NameStatus.RETIRED]
        if inserts:
            fid0 = self.reserve(PLACENAMES, len(inserts))
            geoms = self.encode_geometries([p.geometry for p in inserts])
            self.insert_rows(PLACENAMES, ("fid", "geom", *PLACENAME_FIELDS),
                             [(fid0 + k, g, *placename_values(p, last_seq[p.id]))
                              for k, (p, g) in enumerate(zip(inserts, geoms))])
        if updates:
            geoms = self.encode_geometries([p.geometry for p in updates])
            sets = ", ".join(f"{c} = ?" for c in PLACENAME_FIELDS if c != "place_id")
            values = []
            for p, g in zip(updates, geoms):
                v = dict(zip(PLACENAME_FIELDS, placename_values(p, last_seq[p.id])))
                values.append((g, *(v[c] for c in PLACENAME_FIELDS if c != "place_id"), p.id))
            self.executemany(f"UPDATE placenames SET geom = {self.geometry_param}, {sets} "
                             "WHERE place_id = ?", values)
        if deletes:
            self.executemany("DELETE FROM placenames WHERE place_id = ?", [(i,) for i in deletes])
        self._update_extent([p.geometry for p in inserts + updates], len(inserts) - len(deletes))
        # search rows
        if old_ids:
            self.delete_names(old_ids)
        today = date.today()
        rows = [r for p in states.values() for r in name_rows(p, today, ahead)]
        self.insert_names(rows, ahead)

    def _update_extent(self, geoms: list[BaseGeometry | None], added: int) -> None:
        """Grow the stored extent over new geometries and keep the count of current places
        (both only ever guide the first window of a nearest search)."""
        n = int(self.meta("n_current") or 0) + added
        self.set_meta("n_current", str(n))
        arr = np.asarray([g for g in geoms if g is not None and not g.is_empty], dtype=object)
        ext = self.extent()
        if len(arr):
            xmin, ymin, xmax, ymax = (float(v) for v in shapely.total_bounds(arr))
            if ext is not None:
                xmin, ymin = min(xmin, ext[0]), min(ymin, ext[1])
                xmax, ymax = max(xmax, ext[2]), max(ymax, ext[3])
            ext = (xmin, ymin, xmax, ymax)
            self.set_meta("extent", ",".join(repr(v) for v in ext))
        self.update_contents_extent(ext)

    def update_contents_extent(self, ext: tuple[float, float, float, float] | None) -> None:
        """Backend hook after the extent changed (GeoPackage keeps it in gpkg_contents)."""
        return None

    def extent(self) -> tuple[float, float, float, float] | None:
        """A box covering every current geometry (it may be larger), None when empty."""
        text = self.meta("extent")
        if not text:
            return None
        xmin, ymin, xmax, ymax = (float(v) for v in text.split(","))
        return (xmin, ymin, xmax, ymax)

    def count_current(self) -> int:
        return int(self.meta("n_current") or 0)

    def insert_names(self, rows: list[NameRow], ahead: NameKeys | None = None) -> None:
        """Insert search rows (backends add their text-index upkeep, with the names' grams
        from ``ahead`` when it has them)."""
        if not rows:
            return
        nid0 = self.reserve(NAMES, len(rows))
        self.insert_rows(NAMES, ("nid", *NAME_FIELDS),
                         [(nid0 + k, *name_values(r)) for k, r in enumerate(rows)])

    def delete_names(self, place_ids: Sequence[str]) -> None:
        for chunk in _chunks(list(place_ids), 500):
            marks = ",".join("?" * len(chunk))
            self.execute(f"DELETE FROM gn_names WHERE place_id IN ({marks})", chunk)

    # ------------------------------------------------------------------ reads

    _EVENT_COLUMNS = ("seq, batch, place_id, kind, effective, recorded, authority, document, "
                      "approval_date, reason, data, overrides")

    def events_of(self, place_ids: Sequence[str]) -> dict[str, list[Event]]:
        """Every event of each place, in recording order."""
        out: dict[str, list[Event]] = {i: [] for i in place_ids}
        for chunk in _chunks(list(place_ids), 500):
            marks = ",".join("?" * len(chunk))
            for row in self.query(f"SELECT {self._EVENT_COLUMNS} FROM gn_events "
                                  f"WHERE place_id IN ({marks}) ORDER BY seq", chunk):
                out[row[2]].append(event_from_row(row))
        return out

    def iter_events(self, order: str = "place") -> Iterator[Event]:
        """Every event, grouped by place (``order="place"``) or in recording order."""
        by = "place_id, seq" if order == "place" else "seq"
        cur = self.execute(f"SELECT {self._EVENT_COLUMNS} FROM gn_events ORDER BY {by}")
        while True:
            rows = cur.fetchmany(5000)
            if not rows:
                return
            for row in rows:
                yield event_from_row(row)

    def iter_places(self, as_of: date | None = None) -> Iterator[PlaceName]:
        """The state of every place (folded from its events), ordered by id."""
        current: list[Event] = []
        for event in self.iter_events("place"):
            if current and event.place_id != current[0].place_id:
                place = fold(current, as_of)
                if place is not None:
                    yield place
                current = []
            current.append(event)
        if current:
            place = fold(current, as_of)
            if place is not None:
                yield place

    def batch_events(self, batch: int) -> list[Event]:
        return [event_from_row(r) for r in self.query(
            f"SELECT {self._EVENT_COLUMNS} FROM gn_events WHERE batch = ? ORDER BY seq", (batch,))]

    def batches(self) -> list[dict[str, Any]]:
        cols = ("batch", "kind", "source", "recorded", "n_events", "n_places", "note")
        return [dict(zip(cols, r)) for r in self.query(
            f"SELECT {', '.join(cols)} FROM gn_batches ORDER BY batch")]

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {table}"))

    def status_of(self, place_ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for chunk in _chunks(list(place_ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update(self.query(
                f"SELECT place_id, status FROM gn_places WHERE place_id IN ({marks})", chunk))
        return out

    # ------------------------------------------------------------------ search

    @abstractmethod
    def substring_candidates(self, column: str, query: str) -> tuple[str, list[Any]] | None:
        """SQL selecting ``nid`` of rows whose ``column`` contains ``query`` (capped at
        :data:`SUBSTRING_CAP`), or None when the engine's index cannot serve the query."""

    def search(self, query: str, by: str, limit: int = 10,
               historical: bool = True) -> list[tuple[str, str, str, int, str]]:
        """Ranked rows ``(place_id, matched, kind, state, match)``, best first, one per place.

        Rank: exact match, then the query is the proper part, then prefix, then substring;
        within each, current standard names before variants before historical names, then
        larger places (by generic term) first, then shorter names, then id. The tiers are
        queried in that order and the search stops once ``limit`` places are found, so a
        short query that begins thousands of names costs no more than its exact matches.
        """
        column, proper = SEARCH_FIELDS[by]
        hi = query + _PREFIX_END
        exact = f"(n.{column} = ? OR n.{proper} = ?)"
        prefix = f"(n.{column} >= ? AND n.{column} < ?)"
        tiers = [(exact, [query, query]),
                 (f"{prefix} AND NOT {exact}", [query, hi, query, query])]
        sub = self.substring_candidates(column, query)
        if sub is not None:
            tiers.append((f"n.nid IN ({sub[0]}) AND NOT {prefix} AND n.{proper} <> ?",
                          [*sub[1], query, hi, query]))
        hist = "" if historical else f" AND n.state < {STATE_HISTORICAL}"
        out: dict[str, tuple] = {}
        for where, params in tiers:
            fetch = max(limit * 4, 20)  # a place can match through several of its names
            while True:
                rows = self.query(
                    f"SELECT n.place_id, n.name, n.kind, n.state, "
                    f"CASE WHEN n.{column} = ? THEN 0 WHEN n.{proper} = ? THEN 1 "
                    f"WHEN n.{column} >= ? AND n.{column} < ? THEN 2 ELSE 3 END AS cls, "
                    f"n.rank, length(n.name) AS len FROM gn_names n WHERE {where}{hist} "
                    f"ORDER BY cls, n.state, n.rank, len, n.place_id LIMIT ?",
                    [query, query, query, hi, *params, fetch])
                found = {}
                for place_id, name, kind, state, cls, _rank, _len in rows:
                    if place_id not in out and place_id not in found:
                        found[place_id] = (place_id, name, kind, state, MATCH_NAMES[cls])
                if len(out) + len(found) >= limit or len(rows) < fetch:
                    break
                fetch *= 4
            out.update(found)
            if len(out) >= limit:
                break
        return list(out.values())[:limit]

    def standard_names(self, place_ids: Sequence[str]) -> dict[str, str]:
        """The standard name of each place (its last one when retired)."""
        out: dict[str, str] = {}
        for chunk in _chunks(list(place_ids), 500):
            marks = ",".join("?" * len(chunk))
            out.update(self.query(f"SELECT place_id, name FROM gn_names WHERE kind = 'standard' "
                                  f"AND place_id IN ({marks})", chunk))
        return out

    # ------------------------------------------------------------------ spatial

    @abstractmethod
    def bbox_candidates(self, bbox: tuple[float, float, float, float],
                        limit: int | None = None) -> list[tuple[str, str, BaseGeometry]]:
        """``(place_id, name, geometry)`` of current places whose envelope meets ``bbox``."""

    def within(self, bbox: tuple[float, float, float, float]) -> list[tuple[str, str]]:
        """``(place_id, name)`` of the current places whose geometry meets ``bbox``."""
        box = shapely.box(*bbox)
        found = self.bbox_candidates(bbox)
        if not found:
            return []
        geoms = np.asarray([g for _, _, g in found], dtype=object)
        keep = shapely.intersects(geoms, box)
        return [(pid, name) for (pid, name, _), k in zip(found, keep) if k]

    def first_guess_radius(self, x: float, y: float, k: int) -> float:
        """A starting half-width (CRS units) for a nearest search: from the register's
        density, so a typical search needs one or two window queries."""
        n = max(self.count_current(), 1)
        ext = self.extent()
        if ext is None:
            return 1.0
        area = max((ext[2] - ext[0]) * (ext[3] - ext[1]), 1e-12)
        return max(math.sqrt(area * max(k, 1) / n) * 1.5, 1e-7)

    def nearest(self, x: float, y: float, k: int = 5,
                max_distance_m: float | None = None) -> list[Near]:
        """The ``k`` current places nearest to ``(x, y)``; distance in metres.

        In a geographic CRS distances are geodesic (on the CRS ellipsoid) to the nearest point
        of each geometry; in a projected CRS they are planar in the CRS's units (metres).
        Candidates come from window queries on the spatial index, widened until the ``k``-th
        candidate's distance is inside the window, so the answer is exact.
        """
        ext = self.extent()
        if ext is None or k <= 0:
            return []
        half = self.first_guess_radius(x, y, k)
        while True:
            window = (x - half, y - half, x + half, y + half)
            covers_all = (window[0] <= ext[0] and window[1] <= ext[1]
                          and window[2] >= ext[2] and window[3] >= ext[3])
            found = self.bbox_candidates(window)
            if len(found) < k and not covers_all:
                half *= 2
                continue
            ranked = self._rank_by_distance(x, y, found)
            if max_distance_m is not None:
                ranked = [n for n in ranked if n.distance_m <= max_distance_m]
            top = ranked[:k]
            reach = top[-1].distance_m if len(top) == k else max_distance_m
            if covers_all or (reach is not None and reach <= self._inner_radius_m(x, y, half)):
                return top
            # something outside the window may beat the k-th candidate: widen to cover it
            half = max(half * 2, self._half_width_for(x, y, reach)) if reach is not None \
                else half * 2

    def _rank_by_distance(self, x: float, y: float,
                          found: list[tuple[str, str, BaseGeometry]]) -> list[Near]:
        if not found:
            return []
        point = shapely.Point(x, y)
        geoms = np.asarray([g for _, _, g in found], dtype=object)
        if self.geod is None:
            dist = shapely.distance(geoms, point)
        else:
            nearest_pts = np.asarray([
                g if g.geom_type == "Point" else shapely.ops.nearest_points(g, point)[0]
                for g in geoms], dtype=object)
            xs, ys = shapely.get_x(nearest_pts), shapely.get_y(nearest_pts)
            _, _, dist = self.geod.inv(np.full(len(xs), x), np.full(len(ys), y), xs, ys)
        order = np.lexsort((np.asarray([f[0] for f in found]), dist))
        return [Near(found[i][0], found[i][1], float(dist[i])) for i in order]

    def _inner_radius_m(self, x: float, y: float, half: float) -> float:
        """A lower bound, in metres, of the distance from (x, y) to the edge of the window of
        half-width ``half`` (CRS units) around it."""
        if self.geod is None:
            return half
        # a degree of latitude is at least 110,574 m; the distance to the meridian Δλ away is
        # asin(sin Δλ · cos φ) on a sphere, taken on the polar radius and shrunk by 1 %
        d_lat = half * 110_574.0
        dl = math.radians(min(half, 90.0))
        d_lon = 6_356_752.0 * math.asin(min(1.0, math.sin(dl) * math.cos(math.radians(y)))) * 0.99
        return min(d_lat, d_lon)

    def _half_width_for(self, x: float, y: float, metres: float) -> float:
        """A window half-width (CRS units) whose inner radius exceeds ``metres``."""
        if self.geod is None:
            return metres * 1.01
        c = math.cos(math.radians(min(abs(y), 89.9)))
        s = metres / (6_356_752.0 * 0.99)
        if s >= math.pi / 2 or s / c >= 1:
            return 360.0
        return max(math.degrees(math.asin(math.sin(s) / c)), metres / 110_574.0) * 1.02

    # ------------------------------------------------------------------ integrity

    def check(self, deep: bool = True) -> list[Finding]:
        """Integrity of the register; every problem is an error :class:`Finding`.

        Checks that every batch holds all of its events and no event lies outside a batch,
        that ``gn_places``, ``placenames`` and ``gn_names`` agree with the history (with
        ``deep``, by folding every place's events), that merge/split links go both ways, and
        the backend's own checks (SQLite integrity, FTS5 and R-tree consistency).
        """
        out: list[Finding] = []

        def err(code: str, subject: str, message: str, **details: Any) -> None:
            out.append(Finding(code, Severity.ERROR, subject, message, details=details))

        for batch, expected, found in self.query(
                "SELECT b.batch, b.n_events, count(e.seq) FROM gn_batches b "
                "LEFT JOIN gn_events e ON e.batch = b.batch GROUP BY b.batch, b.n_events "
                "HAVING count(e.seq) <> b.n_events"):
            err("registry.batch.incomplete", str(batch),
                f"batch {batch} declares {expected} events but holds {found}")
        orphans = self.scalar("SELECT count(*) FROM gn_events e WHERE NOT EXISTS "
                              "(SELECT 1 FROM gn_batches b WHERE b.batch = e.batch)")
        if orphans:
            err("registry.batch.missing", "", f"{orphans} events belong to no recorded batch")
        n_places = self.count("gn_places")
        n_event_places = self.scalar("SELECT count(DISTINCT place_id) FROM gn_events")
        if n_places != n_event_places:
            err("registry.place.orphan", "", f"gn_places has {n_places} ids but the history "
                f"{n_event_places}")
        active = self.scalar("SELECT count(*) FROM gn_places WHERE status <> 'retired'")
        n_current = self.count("placenames")
        if active != n_current:
            err("registry.index.mismatch", "placenames",
                f"{active} places are not retired but the placenames layer has {n_current}")
        if deep:
            out.extend(self._deep_check())
        out.extend(self._backend_check())
        return out

    def _deep_check(self) -> list[Finding]:
        out: list[Finding] = []
        statuses = dict(self.query("SELECT place_id, status FROM gn_places"))
        current = {r[0]: r[1:] for r in self.query(
            "SELECT place_id, name, status, last_seq FROM placenames")}
        names: dict[str, set] = {}
        for pid, name, kind, state in self.query(
                "SELECT place_id, name, kind, state FROM gn_names"):
            names.setdefault(pid, set()).add((name, kind, int(state)))
        links: dict[str, PlaceName] = {}
        for place in self.iter_places():
            links[place.id] = place
            if statuses.get(place.id) != str(place.status):
                out.append(_mismatch(place.id, f"gn_places says {statuses.get(place.id)}, "
                                               f"the history {place.status}"))
            row = current.get(place.id)
            if place.status == NameStatus.RETIRED:
                if row is not None:
                    out.append(_mismatch(place.id, "retired but still in placenames"))
            elif row is None or row[0] != place.name or row[1] != str(place.status):
                out.append(_mismatch(place.id, f"placenames holds {row}, the history "
                                               f"{place.name} ({place.status})"))
            want = {(r.name, r.kind, r.state) for r in name_rows(place)}
            if names.get(place.id, set()) != want:
                out.append(_mismatch(place.id, "search rows differ from the history"))
        for place in links.values():
            for other in place.superseded_by:
                if other not in links or place.id not in links[other].supersedes:
                    out.append(Finding("registry.link.asymmetric", Severity.ERROR,
                                       f"{place.id}->{other}",
                                       f"{place.id} is superseded by {other} but {other} "
                                       f"does not say it supersedes {place.id}"))
            for other in place.supersedes:
                if other not in links or place.id not in links[other].superseded_by:
                    out.append(Finding("registry.link.asymmetric", Severity.ERROR,
                                       f"{other}->{place.id}",
                                       f"{place.id} supersedes {other} but {other} does not "
                                       f"say it is superseded by {place.id}"))
        return out

    def _backend_check(self) -> list[Finding]:
        return []


_PLACES_T = next(t for t in CORE_TABLES if t.name == "gn_places")


def _mismatch(place_id: str, message: str) -> Finding:
    return Finding("registry.state.mismatch", Severity.ERROR, place_id,
                   f"place {place_id}: {message}")


def placename_values(p: PlaceName, last_seq: int) -> tuple:
    """Values of :data:`~geonames.registry.schema.PLACENAME_FIELDS` for a place."""
    a = p.approval
    variants = "; ".join(
        f"{v.name} ({v.kind}"
        + (f", {v.valid_from or ''}–{v.valid_to or ''}" if v.valid_from or v.valid_to else "")
        + ")" for v in p.variants)
    return (p.id, p.name, p.romanization or None, p.category or None, p.generic or None,
            p.division_code or None, str(p.status), iso_date(p.valid_from), iso_date(p.valid_to),
            variants or None, a.authority if a else None, (a.document or None) if a else None,
            iso_date(a.date) if a else None, ",".join(p.supersedes) or None,
            ",".join(p.superseded_by) or None, p.meaning or None, p.origin or None,
            p.history or None, last_seq)


def name_values(r: NameRow) -> tuple:
    return (r.place_id, r.name, r.kind, r.state, r.rank, r.proper, r.key, r.proper_key,
            r.initials, r.proper_initials, r.valid_from, r.valid_to)


def event_from_row(row: Sequence[Any]) -> Event:
    (seq, batch, place_id, kind, effective, recorded, authority, document, approval_date,
     reason, data, overrides) = row
    approval = approval_from_record({"authority": authority or "", "document": document or "",
                                     "date": approval_date}) \
        if (authority or document or approval_date) else None
    return Event(place_id, EventKind(kind), _as_date(effective), json.loads(data), approval,
                 reason or "", tuple(json.loads(overrides)) if overrides else (), int(seq),
                 int(batch), datetime.fromisoformat(recorded) if recorded else None)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])



def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


__all__ = ["Hit", "Near", "Store", "grams", "SEARCH_FIELDS", "SUBSTRING_CAP", "SUBSTRING_COLUMNS"]
