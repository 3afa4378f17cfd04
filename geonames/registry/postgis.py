"""The PostGIS backend: a shared register in PostgreSQL (psycopg 3).

``postgresql://user:password@host:port/database?schema=NAME`` opens (and creates) the register
in schema ``NAME`` (default ``public``); the ``postgis`` and ``pg_trgm`` extensions must be
installed in the database or installable by the user.

Differences from the GeoPackage backend are confined here: column types, geometry as EWKB,
bulk loading through ``COPY``, a GiST index on ``placenames.geom``, pg_trgm GIN indexes for
substring search (three characters or more) and a GIN index over an array of grams for
shorter queries, and a transaction-level advisory lock that serialises writers.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geonames.errors import GeonamesError, InputFileError, RegistryLocked
from geonames.findings import Finding, Severity
from geonames.registry.keys import NameKeys, NameRow, grams
from geonames.registry.schema import CORE_TABLES, NAME_FIELDS, Table
from geonames.registry.store import SUBSTRING_CAP, SUBSTRING_COLUMNS, Store, name_values

_NAMES_T = next(t for t in CORE_TABLES if t.name == "gn_names")


#: Loads of at least this many places into a register they more than double build its
#: indexes once at the end (:meth:`PostgisStore.bulk_load`).
BULK_ROWS = 20_000
#: The tables whose indexes a bulk load builds at its end.
BULK_TABLES = ("gn_names", "gn_events", "placenames", "gn_sources")


def split_url(url: str) -> tuple[str, str]:
    """``(conninfo without schema, schema)`` of a register URL.

    >>> split_url("postgresql://u:p@h:5432/db?schema=reg&connect_timeout=5")
    ('postgresql://u:p@h:5432/db?connect_timeout=5', 'reg')
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), "public")
    rest = [(k, v) for k, v in query if k != "schema"]
    if not schema.replace("_", "").isalnum():
        raise GeonamesError(f"schema name {schema!r}: use letters, digits and underscores")
    return urlunsplit(parts._replace(query=urlencode(rest))), schema


class PostgisStore(Store):
    """A register in a PostGIS database schema."""

    backend = "postgis"
    placeholder = "%s"
    geometry_param = "CAST(? AS geometry)"

    def __init__(self, url: str, wait: float = 30.0, create: bool = True) -> None:
        super().__init__(url)
        import psycopg

        self._psycopg = psycopg
        self.shown = safe_url(url)
        self.wait = wait
        conninfo, self.schema = split_url(url)
        try:
            self.conn = psycopg.connect(conninfo, autocommit=True, connect_timeout=10)
        except psycopg.Error as err:
            raise InputFileError(f"cannot connect to {self.shown}: "
                                 f"{_hide(str(err).strip().splitlines()[0], url)}") from None
        try:
            self._prepare(create)
        except BaseException:
            self.conn.close()
            raise

    def _prepare(self, create: bool) -> None:
        psycopg = self._psycopg
        exists = self.conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                                   (self.schema,)).fetchone() is not None
        if not exists and not create:
            raise InputFileError(f"{self.shown}: no schema {self.schema!r} in this database, so "
                                 "no register there (run geonames registry init)")
        have = {r[0] for r in self.conn.execute("SELECT extname FROM pg_extension")}
        for ext in ("postgis", "pg_trgm"):
            if ext not in have:
                if not create:
                    raise InputFileError(f"{self.shown}: the {ext} extension is missing, so "
                                         "no register there (run geonames registry init)")
                try:
                    self.conn.execute(f"CREATE EXTENSION IF NOT EXISTS {ext}")
                except psycopg.Error as err:
                    raise InputFileError(f"{self.shown}: the {ext} extension is missing and "
                                         f"cannot be created ({_first(err)})") from None
        if not exists:
            try:
                self.conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
            except psycopg.Error as err:
                raise InputFileError(f"{self.shown}: cannot create schema {self.schema!r} "
                                     f"({_first(err)})") from None
        self.conn.execute(f'SET search_path TO "{self.schema}", public')
        self.conn.execute(f"SET lock_timeout = {int(self.wait * 1000)}")
        self._lock_key = zlib.crc32(f"geonames.registry:{self.schema}".encode())

    def writable(self) -> bool:
        row = self.conn.execute("SELECT has_schema_privilege(%s, 'CREATE') AND "
                                "has_table_privilege(format('%%I.gn_events', %s::text), "
                                "'INSERT')", (self.schema, self.schema)).fetchone()
        return bool(row and row[0])

    def _explain(self, err: Exception) -> Exception:
        """Missing rights, a lock held past the wait, text PostgreSQL cannot store: one line."""
        errors = self._psycopg.errors
        if isinstance(err, errors.InsufficientPrivilege):
            return InputFileError(f"{self.shown}: permission denied for this role "
                                  f"({_first(err)})")
        if isinstance(err, errors.LockNotAvailable):
            return RegistryLocked(f"{self.shown}: the register is locked by another process "
                                  f"(waited {self.wait:g} s; --wait SECONDS to wait longer)")
        if isinstance(err, errors.ReadOnlySqlTransaction):
            return InputFileError(f"{self.shown}: the database is read-only ({_first(err)})")
        return err

    # ------------------------------------------------------------------ SQL

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self.conn.execute(self.sql(sql), tuple(params) if params else None)
        except self._psycopg.Error as err:
            raise self._explain(err) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if rows:
            try:
                with self.conn.cursor() as cur:
                    cur.executemany(self.sql(sql), rows)
            except self._psycopg.Error as err:
                raise self._explain(err) from None

    def close(self) -> None:
        self.conn.close()

    def _begin_write(self) -> None:
        self.conn.execute("BEGIN")
        try:
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (self._lock_key,))
        except self._psycopg.Error as err:
            self._rollback()
            raise self._explain(err) from None

    def _commit(self) -> None:
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        with contextlib.suppress(self._psycopg.Error):
            self.conn.execute("ROLLBACK")

    # ------------------------------------------------------------------ schema

    def has_table(self, name: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s",
            (self.schema, name)).fetchone() is not None

    def column_type(self, t: str) -> str:
        return {"text": 'text COLLATE "C"', "int": "bigint", "real": "double precision",
                "json": "text", "date": "date", "blob": "bytea",
                "geometry": f"geometry(Geometry, {self.srid})"}[t]

    SERIAL_COLUMN = "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"

    def create_table(self, table: Table) -> None:
        for statement in self.table_statements(table):
            self.conn.execute(statement)
        geom = table.geometry_column
        if geom:
            self.conn.execute(f'CREATE INDEX IF NOT EXISTS "{table.name}_{geom}_gist" '
                              f'ON "{table.name}" USING gist ("{geom}")')
        if table.description:
            self.conn.execute(f'COMMENT ON TABLE "{table.name}" IS '
                              + _literal(table.description))

    def _create_search_index(self) -> None:
        self.conn.execute("ALTER TABLE gn_names ADD COLUMN grams text[]")
        for col in SUBSTRING_COLUMNS:
            self.conn.execute(f"CREATE INDEX gn_names_{col}_trgm ON gn_names "
                              f"USING gin ({col} gin_trgm_ops)")
        self.conn.execute("CREATE INDEX gn_names_grams ON gn_names USING gin (grams)")

    # ------------------------------------------------------------------ rows

    def encode_geometries(self, geoms: Sequence[BaseGeometry | None]) -> list[str | None]:
        arr = np.asarray(list(geoms), dtype=object)
        out: list[str | None] = [None] * len(arr)
        present = np.flatnonzero(~shapely.is_missing(arr))
        if len(present):
            hexes = shapely.to_wkb(shapely.set_srid(arr[present], self.srid), hex=True,
                                   include_srid=True, output_dimension=2)
            for k, i in enumerate(present):
                out[i] = hexes[k]
        return out

    def _one(self, sql: str, params: Sequence[Any]) -> Any:
        """The single value a query returns."""
        row = self.conn.execute(sql, params).fetchone()
        if row is None:
            raise RuntimeError(f"no row from: {sql}")
        return row[0]

    def reserve(self, table: Table, n: int) -> int:
        pk = next(c.name for c in table.columns if c.type == "serial")
        seq = self._one("SELECT pg_get_serial_sequence(%s, %s)",
                        (f'"{self.schema}"."{table.name}"', pk))
        last = self._one("SELECT setval(%s, nextval(%s) + %s - 1)", (seq, seq, n))
        return int(last) - n + 1

    def insert_rows(self, table: Table, columns: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in columns)
        with self.conn.cursor() as cur, cur.copy(
                f'COPY "{table.name}" ({cols}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)

    @contextlib.contextmanager
    def bulk_load(self, rows: int) -> Iterator[None]:
        """Drop the indexes of the register's tables (B-tree, trigram GIN, GiST; not primary
        keys) when ``rows`` new places will more than double them, and build each once at the
        end of the same transaction: one build instead of index upkeep row by row (the trigram
        indexes above all). A rollback restores them as they were. The tables stay locked
        against readers until the commit, which a first large import can afford."""
        assert self._in_write, "bulk_load needs a transaction"
        if rows < BULK_ROWS or self.scalar(
                "SELECT count(*) FROM (SELECT 1 FROM gn_names LIMIT ?) n", (rows,)) >= rows:
            yield
            return
        found = self.conn.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = t.relnamespace "
            "WHERE n.nspname = %s AND t.relname = ANY(%s) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1", (self.schema, list(BULK_TABLES))).fetchall()
        for name, _ in found:
            self.conn.execute(f"DROP INDEX {name}")
        yield
        for _, definition in found:
            self.conn.execute(definition)

    def after_batch(self, rows: int) -> None:
        # fresh statistics after a big load, or the planner scans where an index serves
        if rows >= 20_000:
            for table in ("gn_names", "placenames", "gn_places", "gn_events"):
                self.conn.execute(f"ANALYZE {table}")

    def insert_names(self, rows: list[NameRow], ahead: NameKeys | None = None) -> None:
        if not rows:
            return
        nid0 = self.reserve(_NAMES_T, len(rows))
        if ahead is not None:  # the grams joined by spaces (no gram holds a space)
            gram_text = ahead.gram_text
            lists = [text.split(" ") if (text := gram_text(r.name)) else [] for r in rows]
        else:
            lists = [list(grams(r.name)) for r in rows]
        self.insert_rows(_NAMES_T, ("nid", *NAME_FIELDS, "grams"),
                         [(nid0 + k, *name_values(r), g)
                          for k, (r, g) in enumerate(zip(rows, lists))])

    # ------------------------------------------------------------------ search

    def substring_candidates(self, column: str, query: str) -> tuple[str, list[Any]] | None:
        q = query.replace("%", "").replace("_", "").replace("\\", "")
        if len(q) >= 3 and column in SUBSTRING_COLUMNS:
            return (f"SELECT nid FROM (SELECT nid FROM gn_names WHERE {column} LIKE ? "
                    f"LIMIT {SUBSTRING_CAP}) s1", [f"%{q}%"])
        if column == "name" and q:
            return (f"SELECT nid FROM (SELECT nid FROM gn_names WHERE grams @> ARRAY[?]::text[] "
                    f"LIMIT {SUBSTRING_CAP}) s2", [q])
        return None

    # ------------------------------------------------------------------ spatial

    def bbox_candidates(self, bbox, limit=None):
        xmin, ymin, xmax, ymax = (max(min(v, 1e300), -1e300) for v in bbox)
        rows = self.conn.execute(
            "SELECT place_id, name, ST_AsBinary(geom) FROM placenames "
            "WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, %s)"
            + (f" LIMIT {int(limit)}" if limit else ""),
            (xmin, ymin, xmax, ymax, self.srid)).fetchall()
        geoms = shapely.from_wkb([bytes(r[2]) for r in rows]) if rows else []
        return [(r[0], r[1], g) for r, g in zip(rows, geoms)]

    def geometries_of(self, place_ids: Sequence[str]) -> dict[str, BaseGeometry | None]:
        rows = self.conn.execute("SELECT place_id, ST_AsBinary(geom) FROM placenames "
                                 "WHERE place_id = ANY(%s)", (list(place_ids),)).fetchall()
        return {r[0]: shapely.from_wkb(bytes(r[1])) if r[1] is not None else None for r in rows}

    # ------------------------------------------------------------------ integrity

    def _backend_check(self) -> list[Finding]:
        bad = self.conn.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND NOT i.indisvalid", (self.schema,)).fetchall()
        return [Finding("registry.index.mismatch", Severity.ERROR, r[0],
                        f"index {r[0]} is not valid") for r in bad]

    def drop(self) -> None:
        """Drop the register's schema with everything in it (tests)."""
        self.conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def safe_url(url: str) -> str:
    """The URL without its password, for messages.

    >>> safe_url("postgresql://u:secret@h/db?schema=reg")
    'postgresql://u:***@h/db?schema=reg'
    """
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def _hide(text: str, url: str) -> str:
    """``text`` with the URL's password masked wherever it appears."""
    password = urlsplit(url).password
    return text.replace(password, "***") if password else text


def _first(err: BaseException) -> str:
    return str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__


def is_postgis_target(target: str) -> bool:
    return str(target).startswith(("postgresql://", "postgres://"))
