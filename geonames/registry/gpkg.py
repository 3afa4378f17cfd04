"""The GeoPackage backend: one ``.gpkg`` file, Python's own ``sqlite3``, no server.

The file is a valid OGC GeoPackage (1.2, as GDAL writes it): ``gpkg_spatial_ref_sys``,
``gpkg_contents``, ``gpkg_geometry_columns``, ``gpkg_extensions``; the ``placenames`` feature
table holds the current names with GeoPackage geometry blobs and the ``gpkg_rtree_index``
extension (an R-tree kept up by the standard triggers, which call ``ST_IsEmpty``,
``ST_MinX`` … : this module registers those functions on its connection, as GDAL does on
its own). The register's own tables are registered as ``attributes`` tables, so GDAL, fiona
and QGIS list ``placenames`` first and show the history as a plain table.

Text search uses SQLite FTS5: a trigram index over names and pinyin keys (substrings
of three characters or more) and a gram index (single characters and pairs) for shorter
queries.

Writers take the write lock up front (``BEGIN IMMEDIATE``) and wait for each other through
SQLite's busy timeout; the rollback journal makes a killed writer's unfinished batch vanish
on the next open.
"""

from __future__ import annotations

import itertools
import math
import os
import sqlite3
import struct
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.errors import InputFileError, RegistryLocked
from geonames.findings import Finding, Severity
from geonames.registry.keys import NameKeys, NameRow, grams
from geonames.registry.schema import CORE_TABLES, PLACENAMES, SOURCES, Table
from geonames.registry.store import SUBSTRING_CAP, SUBSTRING_COLUMNS, Store

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10200  # GeoPackage 1.2, as GDAL writes it
RTREE_EXTENSION = "http://www.geopackage.org/spec120/#extension_rtree"

_TYPES = {"text": "TEXT", "int": "INTEGER", "real": "REAL", "json": "TEXT", "date": "DATE",
          "blob": "BLOB", "geometry": "GEOMETRY"}

#: SQLite page cache of a register (KiB), and while a bulk load appends to it.
CACHE_KIB = 262_144
BULK_CACHE_KIB = 65_536

#: Batches at least this large load the R-tree and rebuild search indexes in bulk.
BULK_ROWS = 20_000

#: Rows a statement inserts at a time when a table takes many (at most 999 values).
ROWS_PER_INSERT = 100

_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
_HUGE = 1e308


# --------------------------------------------------------------------------- geometry blobs


def to_gpkg_blobs(geoms: Sequence[BaseGeometry | None], srs_id: int) -> list[bytes | None]:
    """GeoPackage geometry blobs (little-endian header, XY envelope except for points).

    >>> blob = to_gpkg_blobs([shapely.Point(106.58, 29.56)], 4490)[0]
    >>> blob[:2], blob[3], from_gpkg_blobs([blob])[0].wkt
    (b'GP', 1, 'POINT (106.58 29.56)')
    """
    arr = np.asarray(list(geoms), dtype=object)
    out: list[bytes | None] = [None] * len(arr)
    if len(arr) == 0:
        return out
    missing = shapely.is_missing(arr)
    present = np.flatnonzero(~missing)
    if len(present) == 0:
        return out
    g = arr[present]
    wkb = shapely.to_wkb(g, byte_order=1, output_dimension=2, flavor="iso")
    empty = shapely.is_empty(g)
    point = shapely.get_type_id(g) == 0
    bounds = shapely.bounds(g)
    head_point = b"GP\x00\x01" + struct.pack("<i", srs_id)
    head_empty = b"GP\x00\x11" + struct.pack("<i", srs_id)
    head_env = b"GP\x00\x03" + struct.pack("<i", srs_id)
    pack = struct.Struct("<4d").pack
    for k, i in enumerate(present):
        if empty[k]:
            out[i] = head_empty + wkb[k]
        elif point[k]:
            out[i] = head_point + wkb[k]
        else:
            b = bounds[k]
            out[i] = head_env + pack(b[0], b[2], b[1], b[3]) + wkb[k]
    return out


def from_gpkg_blobs(blobs: Iterable[bytes | None]) -> np.ndarray:
    """Shapely geometries from GeoPackage blobs (None stays None)."""
    blobs = list(blobs)
    out = np.full(len(blobs), None, dtype=object)
    wkbs, where = [], []
    for i, b in enumerate(blobs):
        if b is None:
            continue
        b = bytes(b)
        if b[:2] != b"GP":
            raise InputFileError("not a GeoPackage geometry blob")
        env = _ENVELOPE_BYTES.get((b[3] >> 1) & 7)
        if env is None:
            raise InputFileError("GeoPackage geometry blob with an invalid envelope code")
        wkbs.append(b[8 + env:])
        where.append(i)
    if wkbs:
        out[where] = shapely.from_wkb(wkbs)
    return out


def _envelope(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """``(minx, maxx, miny, maxy)`` of a blob, None for a null or empty geometry."""
    if blob is None:
        return None
    b = bytes(blob)
    flags = b[3]
    if flags & 0x10:
        return None
    code = (flags >> 1) & 7
    if code:
        return struct.unpack_from("<4d" if flags & 1 else ">4d", b, 8)
    wkb = b[8:]
    order = "<" if wkb[0] == 1 else ">"
    if struct.unpack_from(order + "I", wkb, 1)[0] % 1000 == 1:  # a point
        x, y = struct.unpack_from(order + "2d", wkb, 5)
        return (x, x, y, y)
    geom = shapely.from_wkb(wkb)
    if geom.is_empty:
        return None
    minx, miny, maxx, maxy = geom.bounds
    return (minx, maxx, miny, maxy)


_POINT_HEAD = b"\x01\x01\x00\x00\x00"  # little-endian WKB of a 2D point
_XY = struct.Struct("<2d").unpack_from


def _envelope_fast(blob: bytes | None) -> tuple[float, float, float, float] | None:
    """:func:`_envelope`, with a short way for the point blobs :func:`to_gpkg_blobs`
    writes (little-endian, no envelope, not empty)."""
    if type(blob) is bytes and blob[3] == 1 and blob[8:13] == _POINT_HEAD:
        x, y = _XY(blob, 13)
        if x == x and y == y:  # not NaN (an empty point is NaN, NaN)
            return (x, x, y, y)
    return _envelope(blob)


def _st(index: int):
    def fn(blob):
        env = _envelope(blob)
        return None if env is None else env[index]
    return fn


def _st_is_empty(blob):
    if blob is None:
        return None
    return 1 if _envelope(blob) is None else 0


def register_functions(conn: sqlite3.Connection) -> None:
    """The SQL functions the GeoPackage R-tree triggers call (as GDAL registers them)."""
    conn.create_function("ST_IsEmpty", 1, _st_is_empty, deterministic=True)
    conn.create_function("ST_MinX", 1, _st(0), deterministic=True)
    conn.create_function("ST_MaxX", 1, _st(1), deterministic=True)
    conn.create_function("ST_MinY", 1, _st(2), deterministic=True)
    conn.create_function("ST_MaxY", 1, _st(3), deterministic=True)


# --------------------------------------------------------------------------- R-tree bulk build

# SQLite's R-tree keeps 32-bit floats, rounded outwards (rtreeValueDown / rtreeValueUp)
_RND_TOWARDS = 1.0 - 1.0 / 8388608.0
_RND_AWAY = 1.0 + 1.0 / 8388608.0
_CELL = np.dtype([("id", ">i8"), ("minx", ">f4"), ("maxx", ">f4"), ("miny", ">f4"),
                  ("maxy", ">f4")])


def _float_down(d: np.ndarray) -> np.ndarray:
    """32-bit floats not above ``d``, as SQLite's R-tree stores a minimum."""
    f = d.astype(np.float32)
    over = f.astype(np.float64) > d
    if over.any():
        v = d[over]
        f[over] = (v * np.where(v < 0, _RND_AWAY, _RND_TOWARDS)).astype(np.float32)
    return f


def _float_up(d: np.ndarray) -> np.ndarray:
    """32-bit floats not below ``d``, as SQLite's R-tree stores a maximum."""
    f = d.astype(np.float32)
    under = f.astype(np.float64) < d
    if under.any():
        v = d[under]
        f[under] = (v * np.where(v < 0, _RND_TOWARDS, _RND_AWAY)).astype(np.float32)
    return f


def _str_order(box: tuple[np.ndarray, ...], per: int) -> np.ndarray:
    """Sort-tile-recursive order of boxes: slices by x, each sorted by y, so that every run
    of ``per`` boxes is compact."""
    minx, maxx, miny, maxy = box
    n = len(minx)
    if n <= per:
        return np.arange(n)
    size = math.ceil(math.sqrt(math.ceil(n / per))) * per
    cx = minx.astype(np.float64) + maxx
    cy = miny.astype(np.float64) + maxy
    order = np.argsort(cx, kind="stable")
    return np.concatenate([part[np.argsort(cy[part], kind="stable")]
                           for part in (order[s:s + size] for s in range(0, n, size))])


def _cuts(n: int, per: int) -> np.ndarray:
    """Bounds of ``n`` items split into the fewest runs of at most ``per``, evenly."""
    k = max(1, math.ceil(n / per))
    base, extra = divmod(n, k)
    sizes = np.full(k, base, dtype=np.int64)
    sizes[:extra] += 1
    return np.concatenate([[0], np.cumsum(sizes)])


def write_rtree(conn: sqlite3.Connection, r: str, ids: np.ndarray, minx: np.ndarray,
                maxx: np.ndarray, miny: np.ndarray, maxy: np.ndarray) -> None:
    """Write a 2D SQLite R-tree ``r`` holding exactly these entries, replacing its content:
    packed bottom-up (sort-tile-recursive) into its shadow tables ``r_node``, ``r_rowid`` and
    ``r_parent``, as GDAL loads a GeoPackage's spatial index. The entries are the values its
    INSERT stores (coordinates as 32-bit floats rounded outwards), the tree is a valid one
    (``rtreecheck``), and later inserts and deletes go through the R-tree as usual.

    >>> conn = sqlite3.connect(":memory:")
    >>> _ = conn.execute("CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)")
    >>> xy = np.arange(1000) * 0.1
    >>> write_rtree(conn, "r", np.arange(1, 1001), xy, xy, xy, xy)
    >>> conn.execute("SELECT rtreecheck('r'), count(*) FROM r").fetchone()
    ('ok', 1000)
    >>> conn.execute("SELECT id FROM r WHERE maxx >= 5 AND minx <= 5.15").fetchall()
    [(51,), (52,)]
    """
    size = conn.execute(f'SELECT length(data) FROM "{r}_node" WHERE nodeno = 1').fetchone()[0]
    per = (size - 4) // _CELL.itemsize
    box: tuple[np.ndarray, ...] = (_float_down(minx), _float_up(maxx), _float_down(miny),
                                   _float_up(maxy))
    refs = np.asarray(ids, dtype=np.int64)
    levels: list[tuple[np.ndarray, tuple[np.ndarray, ...], np.ndarray]] = []
    while True:  # from the leaves up: each level's entries in order, and its nodes' bounds
        order = _str_order(box, per)
        refs = refs[order]
        box = tuple(b[order] for b in box)
        cuts = _cuts(len(refs), per)
        levels.append((refs, box, cuts))
        if len(cuts) == 2:
            break
        starts = cuts[:-1]
        box = (np.minimum.reduceat(box[0], starts), np.maximum.reduceat(box[1], starts),
               np.minimum.reduceat(box[2], starts), np.maximum.reduceat(box[3], starts))
        refs = np.arange(len(starts), dtype=np.int64)  # the nodes of the level below
    depth = len(levels) - 1
    numbers: list[np.ndarray] = [np.empty(0, np.int64)] * len(levels)
    first = 1  # the root is node 1, then each level downwards
    for level in range(depth, -1, -1):
        count = len(levels[level][2]) - 1
        numbers[level] = np.arange(first, first + count, dtype=np.int64)
        first += count
    nodes: list[tuple[int, bytes]] = []
    links: list[np.ndarray] = []
    rowids = np.empty((0, 2), np.int64)
    for level, (refs, box, cuts) in enumerate(levels):
        cells = np.empty(len(refs), _CELL)
        cells["id"] = refs if level == 0 else numbers[level - 1][refs]
        cells["minx"], cells["maxx"], cells["miny"], cells["maxy"] = box
        owner = np.repeat(numbers[level], np.diff(cuts))
        pairs = np.stack([cells["id"].astype(np.int64), owner], axis=1)
        if level == 0:
            rowids = pairs
        else:
            links.append(pairs)
        raw, width = cells.tobytes(), _CELL.itemsize
        for k in range(len(cuts) - 1):
            a, b = int(cuts[k]), int(cuts[k + 1])
            blob = struct.pack(">HH", depth if level == depth else 0, b - a) \
                + raw[a * width:b * width]
            nodes.append((int(numbers[level][k]), blob + bytes(size - len(blob))))
    for shadow in ("node", "rowid", "parent"):
        conn.execute(f'DELETE FROM "{r}_{shadow}"')
    conn.executemany(f'INSERT INTO "{r}_node" (nodeno, data) VALUES (?, ?)', nodes)
    conn.executemany(f'INSERT INTO "{r}_rowid" (rowid, nodeno) VALUES (?, ?)', rowids.tolist())
    parents = np.concatenate(links).tolist() if links else []
    conn.executemany(f'INSERT INTO "{r}_parent" (nodeno, parentnode) VALUES (?, ?)', parents)


# --------------------------------------------------------------------------- the store


class GpkgStore(Store):
    """A register in a GeoPackage file."""

    backend = "gpkg"
    placeholder = "?"

    def __init__(self, path: str, busy_timeout_s: float = 30.0) -> None:
        super().__init__(str(path))
        self._deferred: set[str] = set()  # tables whose indexes a bulk load rebuilds at its end
        self._rtree_off: set[str] = set()  # tables whose R-tree a bulk load builds at its end
        self.path = str(path)
        self.wait = busy_timeout_s
        folder = os.path.dirname(os.path.abspath(self.path))
        self.read_only = os.path.exists(self.path) and not (
            os.access(self.path, os.W_OK) and os.access(folder, os.W_OK))
        try:
            self.conn = sqlite3.connect(self.path, timeout=busy_timeout_s,
                                        isolation_level=None, check_same_thread=False)
        except sqlite3.Error as err:
            raise InputFileError(f"{self.path}: cannot open ({err})") from None
        try:
            app = self.conn.execute("PRAGMA application_id").fetchone()[0]
            tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        except sqlite3.OperationalError as err:
            self.conn.close()
            if "locked" in str(err):
                raise self.locked() from None
            raise InputFileError(f"{self.path}: not a GeoPackage or SQLite file ({err})") from None
        except sqlite3.DatabaseError as err:
            self.conn.close()
            raise InputFileError(f"{self.path}: not a GeoPackage or SQLite file ({err})") from None
        register_functions(self.conn)
        self.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        self.conn.execute("PRAGMA temp_store = MEMORY")
        self.has_tables = bool(tables)
        if tables and app != APPLICATION_ID:
            self.conn.close()
            raise InputFileError(f"{self.path}: an SQLite file but not a GeoPackage")

    def locked(self) -> RegistryLocked:
        """The error for a register another process keeps locked past the wait."""
        return RegistryLocked(f"{self.path}: the register is locked by another process (waited "
                              f"{self.wait:g} s; --wait SECONDS to wait longer)")

    # ------------------------------------------------------------------ SQL

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, tuple(params))
        except sqlite3.OperationalError as err:
            raise self._explain(err) from None

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.OperationalError as err:
            raise self._explain(err) from None

    def _explain(self, err: Exception) -> Exception:
        """A locked or read-only file as a one-line error; anything else as it is."""
        if not isinstance(err, sqlite3.OperationalError):
            return err
        text = str(err)
        if "locked" in text or "busy" in text:
            return self.locked()
        if "readonly" in text:
            return InputFileError(f"{self.path}: the register is read-only ({text})")
        return err

    def close(self) -> None:
        self.conn.close()

    def _begin_write(self) -> None:
        if self.read_only:
            raise InputFileError(f"{self.path}: the register is read-only (no permission to "
                                 "write the file or its folder)")
        # BEGIN IMMEDIATE waits for other writers through the busy timeout (--wait)
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            if "locked" in str(err) or "busy" in str(err):
                raise self.locked() from None
            if "readonly" in str(err):
                raise InputFileError(f"{self.path}: the register is read-only ({err})") from None
            raise

    def _commit(self) -> None:
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    # ------------------------------------------------------------------ schema

    def has_table(self, name: str) -> bool:
        return self.conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?",
                                 (name,)).fetchone() is not None

    def _prepare_database(self) -> None:
        c = self.conn
        c.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        c.execute(f"PRAGMA user_version = {USER_VERSION}")
        c.execute("""CREATE TABLE gpkg_spatial_ref_sys (
            srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY,
            organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
            definition TEXT NOT NULL, description TEXT)""")
        c.execute("""CREATE TABLE gpkg_contents (
            table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
            identifier TEXT UNIQUE, description TEXT DEFAULT '',
            last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
            min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
            CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id)
                REFERENCES gpkg_spatial_ref_sys(srs_id))""")
        c.execute("""CREATE TABLE gpkg_geometry_columns (
            table_name TEXT NOT NULL, column_name TEXT NOT NULL,
            geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL,
            z TINYINT NOT NULL, m TINYINT NOT NULL,
            CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
            CONSTRAINT uk_gc_table_name UNIQUE (table_name),
            CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
            CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""")
        c.execute("""CREATE TABLE gpkg_extensions (
            table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
            definition TEXT NOT NULL, scope TEXT NOT NULL,
            CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""")
        srs = [("Undefined cartesian SRS", -1, "NONE", -1, "undefined",
                "undefined cartesian coordinate reference system"),
               ("Undefined geographic SRS", 0, "NONE", 0, "undefined",
                "undefined geographic coordinate reference system"),
               ("WGS 84 geodetic", 4326, "EPSG", 4326, CRS.from_epsg(4326).to_wkt("WKT1_GDAL"),
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid")]
        if self.srid not in (4326, 0, -1):
            crs = self.register_crs
            srs.append((crs.name, self.srid, "EPSG", self.srid, crs.to_wkt("WKT1_GDAL"),
                        crs.name))
        c.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", srs)
        # placenames first: GIS software opens the first layer of gpkg_contents by default
        self.create_table(PLACENAMES)

    SERIAL_COLUMN = "INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"

    def column_type(self, portable: str) -> str:
        return _TYPES[portable]

    def create_table(self, table: Table) -> None:
        if self.has_table(table.name):
            return
        for statement in self.table_statements(table):
            self.conn.execute(statement)
        geom = table.geometry_column
        kind = "features" if geom else "attributes"
        self.conn.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) "
            "VALUES (?, ?, ?, ?, ?)", (table.name, kind, table.name, table.description,
                                       self.srid if geom else None))
        if geom:
            pk = next(c.name for c in table.columns if c.type == "serial")
            self.conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?, ?, 'GEOMETRY', ?, 0, 0)",
                              (table.name, geom, self.srid))
            self._create_rtree(table.name, geom, pk)

    def _create_rtree(self, t: str, c: str, i: str) -> None:
        r = f"rtree_{t}_{c}"
        not_empty = f'(NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}"))'
        empty = f'(NEW."{c}" ISNULL OR ST_IsEmpty(NEW."{c}"))'
        values = (f'NEW."{i}", ST_MinX(NEW."{c}"), ST_MaxX(NEW."{c}"), '
                  f'ST_MinY(NEW."{c}"), ST_MaxY(NEW."{c}")')
        stmts = [
            f'CREATE VIRTUAL TABLE "{r}" USING rtree(id, minx, maxx, miny, maxy)',
            f'CREATE TRIGGER "{r}_insert" AFTER INSERT ON "{t}" WHEN {not_empty} '
            f'BEGIN INSERT OR REPLACE INTO "{r}" VALUES ({values}); END',
            f'CREATE TRIGGER "{r}_update1" AFTER UPDATE OF "{c}" ON "{t}" '
            f'WHEN OLD."{i}" = NEW."{i}" AND {not_empty} '
            f'BEGIN INSERT OR REPLACE INTO "{r}" VALUES ({values}); END',
            f'CREATE TRIGGER "{r}_update2" AFTER UPDATE OF "{c}" ON "{t}" '
            f'WHEN OLD."{i}" = NEW."{i}" AND {empty} '
            f'BEGIN DELETE FROM "{r}" WHERE id = OLD."{i}"; END',
            f'CREATE TRIGGER "{r}_update3" AFTER UPDATE ON "{t}" '
            f'WHEN OLD."{i}" != NEW."{i}" AND {not_empty} '
            f'BEGIN DELETE FROM "{r}" WHERE id = OLD."{i}"; '
            f'INSERT OR REPLACE INTO "{r}" VALUES ({values}); END',
            f'CREATE TRIGGER "{r}_update4" AFTER UPDATE ON "{t}" '
            f'WHEN OLD."{i}" != NEW."{i}" AND {empty} '
            f'BEGIN DELETE FROM "{r}" WHERE id IN (OLD."{i}", NEW."{i}"); END',
            f'CREATE TRIGGER "{r}_delete" AFTER DELETE ON "{t}" WHEN old."{c}" NOT NULL '
            f'BEGIN DELETE FROM "{r}" WHERE id = OLD."{i}"; END',
        ]
        for s in stmts:
            self.conn.execute(s)
        self.conn.execute("INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', ?, "
                          "'write-only')", (t, c, RTREE_EXTENSION))

    def _create_search_index(self) -> None:
        cols = ", ".join(SUBSTRING_COLUMNS)
        self.conn.execute(
            f"CREATE VIRTUAL TABLE gn_names_fts USING fts5({cols}, "
            "content='gn_names', content_rowid='nid', tokenize='trigram', detail='none')")
        self.conn.execute("CREATE VIRTUAL TABLE gn_grams USING fts5(grams, content='', "
                          "tokenize='unicode61', detail='none')")

    # ------------------------------------------------------------------ rows

    def encode_geometries(self, geoms: Sequence[BaseGeometry | None]) -> list[bytes | None]:
        return to_gpkg_blobs(geoms, self.srid)

    def reserve(self, table: Table, n: int) -> int:
        row = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                (table.name,)).fetchone()
        return (row[0] if row else 0) + 1

    def insert_rows(self, table: Table, columns: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        cols = ", ".join(f'"{c}"' for c in columns)
        marks = ", ".join("?" * len(columns))
        sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})'
        geom = table.geometry_column
        rebuild = len(rows) >= BULK_ROWS and table.indexes and table.name not in \
            self._deferred and len(rows) > self._rows_before(table)
        if rebuild:  # loading more rows than the table holds: sort once instead of B-tree upkeep
            for index in table.indexes:
                self.conn.execute(f'DROP INDEX "{index.name}"')
        try:
            self._insert(table, sql, columns, rows, geom)
        finally:
            if rebuild:
                for index in table.indexes:
                    unique = "UNIQUE " if index.unique else ""
                    self.conn.execute(f'CREATE {unique}INDEX "{index.name}" ON "{table.name}" '
                                      f'({", ".join(index.columns)})')

    @contextmanager
    def bulk_load(self, rows: int) -> Iterator[None]:
        """Drop the B-tree indexes of the register's tables that ``rows`` new places will more
        than double, and build each once at the end, inside the same transaction (one sort
        instead of index upkeep chunk after chunk; a rollback restores them as they were).
        The ids' primary keys stay, so lookups by id inside the transaction stay indexed."""
        assert self._in_write, "bulk_load needs a transaction"
        tables = [t for t in (*CORE_TABLES, SOURCES) if t.indexes and self.has_table(t.name)
                  and rows >= BULK_ROWS and rows > self._rows_before(t)]
        for table in tables:
            for index in table.indexes:
                self.conn.execute(f'DROP INDEX IF EXISTS "{index.name}"')
            self._deferred.add(table.name)
        # the R-tree of the places too: its triggers off, then built once from the table
        spatial = rows >= BULK_ROWS and self.has_table(PLACENAMES.name) \
            and rows > self._rows_before(PLACENAMES)
        triggers = self._drop_rtree_triggers(PLACENAMES) if spatial else []
        if spatial:
            self._rtree_off.add(PLACENAMES.name)
        if tables or spatial:  # appending, not searching: a smaller page cache keeps memory flat
            self.conn.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        try:
            yield
            for table in tables:  # (each index built with the load's smaller page cache)
                for index in table.indexes:
                    unique = "UNIQUE " if index.unique else ""
                    self.conn.execute(f'CREATE {unique}INDEX "{index.name}" ON '
                                      f'"{table.name}" ({", ".join(index.columns)})')
            if spatial:
                self._rebuild_rtree(PLACENAMES)
                for _, sql_text in triggers:
                    self.conn.execute(sql_text)
        finally:
            self._deferred.clear()
            self._rtree_off.clear()
            self.conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")

    def _drop_rtree_triggers(self, table: Table) -> list[tuple[str, str]]:
        """Drop the triggers that keep the table's R-tree up to date; returns their
        ``(name, sql)`` to create them again."""
        r = f"rtree_{table.name}_{table.geometry_column}"
        triggers = self.conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? "
            "AND name LIKE ?", (table.name, f"{r}_%")).fetchall()
        for name, _ in triggers:
            self.conn.execute(f'DROP TRIGGER "{name}"')
        return [(name, sql_text) for name, sql_text in triggers]

    def _rebuild_rtree(self, table: Table) -> None:
        """The table's R-tree anew from its geometries, as its triggers would have made it:
        one entry (the envelope) per geometry that is neither NULL nor empty."""
        geom = table.geometry_column
        pk = next(c.name for c in table.columns if c.type == "serial")
        r = f"rtree_{table.name}_{geom}"
        cursor = self.conn.execute(f'SELECT "{pk}", "{geom}" FROM "{table.name}" '
                                   f'WHERE "{geom}" IS NOT NULL')
        ids: list[np.ndarray] = []
        boxes: list[np.ndarray] = []
        while rows := cursor.fetchmany(1 << 16):  # a part at a time: memory stays flat
            found = [(fid, *env) for fid, blob in rows if (env := _envelope_fast(blob))
                     is not None]
            ids.append(np.array([f[0] for f in found], dtype=np.int64))
            boxes.append(np.array([f[1:] for f in found], dtype=np.float64).reshape(-1, 4))
        box = np.concatenate(boxes) if boxes else np.empty((0, 4))
        fid = np.concatenate(ids) if ids else np.empty(0, np.int64)
        if not np.isfinite(box).all():  # not a box a bulk build can sort: one by one
            self.conn.execute(f'DELETE FROM "{r}"')
            self.conn.executemany(f'INSERT OR REPLACE INTO "{r}" VALUES (?, ?, ?, ?, ?)',
                                  ((int(i), *b) for i, b in zip(fid, box.tolist())))
            return
        write_rtree(self.conn, r, fid, box[:, 0], box[:, 1], box[:, 2], box[:, 3])

    def _rows_before(self, table: Table) -> int:
        """Rows the table held before this batch, from its serial key (an upper bound)."""
        if not any(c.type == "serial" for c in table.columns):
            return int(self.conn.execute(f'SELECT count(*) FROM "{table.name}"').fetchone()[0])
        row = self.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                                (table.name,)).fetchone()
        return row[0] if row else 0

    def _insert(self, table: Table, sql: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                geom: str | None) -> None:
        if geom is None or len(rows) < BULK_ROWS or table.name in self._rtree_off:
            self._many(sql, len(columns), rows)  # (a bulk load builds the R-tree at its end)
            return
        # Bulk: the R-tree triggers would call back into Python five times a row; inside this
        # transaction, drop them, load the table, fill the R-tree directly, and put them back.
        r = f"rtree_{table.name}_{geom}"
        triggers = self._drop_rtree_triggers(table)
        self._many(sql, len(columns), rows)
        pk, g = columns.index("fid"), columns.index(geom)
        boxes = ((row[pk], *env) for row in rows if (env := _envelope_fast(row[g])) is not None)
        self.conn.executemany(f'INSERT OR REPLACE INTO "{r}" VALUES (?, ?, ?, ?, ?)', boxes)
        for _, sql_text in triggers:
            self.conn.execute(sql_text)

    def _many(self, sql: str, width: int, rows: Sequence[Sequence[Any]]) -> None:
        """``executemany(sql, rows)`` for an ``INSERT … VALUES (?, …)`` of ``width`` values;
        many rows go :data:`ROWS_PER_INSERT` to a statement (one statement run for dozens
        of rows instead of one a row: the same rows, in the same order)."""
        per = max(1, min(ROWS_PER_INSERT, 999 // width))  # 999: SQLite's oldest variable limit
        if len(rows) < 1000 or per == 1:
            self.conn.executemany(sql, rows)
            return
        head, marks = sql.rsplit(" VALUES ", 1)
        whole = len(rows) - len(rows) % per
        flat = itertools.chain.from_iterable
        self.conn.executemany(f"{head} VALUES {', '.join([marks] * per)}",
                              (tuple(flat(rows[i:i + per])) for i in range(0, whole, per)))
        self.conn.executemany(sql, rows[whole:])

    def insert_names(self, rows: list[NameRow], ahead: NameKeys | None = None) -> None:
        if not rows:
            return
        nid0 = self.reserve(_NAMES_T, len(rows))
        super().insert_names(rows)
        cols = ", ".join(SUBSTRING_COLUMNS)
        self.conn.execute(f"INSERT INTO gn_names_fts (rowid, {cols}) "
                          f"SELECT nid, {cols} FROM gn_names WHERE nid >= ?", (nid0,))
        if ahead is not None:
            gram_text = ahead.gram_text
            texts = [gram_text(r.name) for r in rows]
        else:
            texts = [" ".join(grams(r.name)) for r in rows]
        self.conn.executemany("INSERT INTO gn_grams (rowid, grams) VALUES (?, ?)",
                              zip(range(nid0, nid0 + len(rows)), texts))

    def delete_names(self, place_ids: Sequence[str]) -> None:
        old: list[tuple] = []
        cols = ", ".join(SUBSTRING_COLUMNS)
        for start in range(0, len(place_ids), 500):
            chunk = list(place_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            old += self.conn.execute(f"SELECT nid, {cols} FROM gn_names "
                                     f"WHERE place_id IN ({marks})", chunk).fetchall()
        marks = ", ".join("?" * (len(SUBSTRING_COLUMNS) + 1))
        self.conn.executemany(f"INSERT INTO gn_names_fts (gn_names_fts, rowid, {cols}) "
                              f"VALUES ('delete', {marks})", old)
        self.conn.executemany("INSERT INTO gn_grams (gn_grams, rowid, grams) "
                              "VALUES ('delete', ?, ?)",
                              [(row[0], " ".join(grams(row[1]))) for row in old])
        super().delete_names(place_ids)

    # ------------------------------------------------------------------ search

    def substring_candidates(self, column: str, query: str) -> tuple[str, list[Any]] | None:
        q = query.replace("%", "").replace("_", "")
        if len(q) >= 3 and column in SUBSTRING_COLUMNS:
            return (f"SELECT nid FROM (SELECT rowid AS nid FROM gn_names_fts "
                    f"WHERE {column} LIKE ? LIMIT {SUBSTRING_CAP})", [f"%{q}%"])
        if column == "name" and q:
            phrase = '"' + q.replace('"', "") + '"'
            return (f"SELECT nid FROM (SELECT rowid AS nid FROM gn_grams "
                    f"WHERE gn_grams MATCH ? LIMIT {SUBSTRING_CAP})", [phrase])
        return None

    # ------------------------------------------------------------------ spatial

    def bbox_candidates(self, bbox, limit=None):
        xmin, ymin, xmax, ymax = (max(min(v, _HUGE), -_HUGE) for v in bbox)
        rows = self.conn.execute(
            "SELECT p.place_id, p.name, p.geom FROM rtree_placenames_geom r "
            "JOIN placenames p ON p.fid = r.id "
            "WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?"
            + (f" LIMIT {int(limit)}" if limit else ""), (xmax, xmin, ymax, ymin)).fetchall()
        geoms = from_gpkg_blobs(r[2] for r in rows)
        return [(r[0], r[1], g) for r, g in zip(rows, geoms)]

    def geometries_of(self, place_ids: Sequence[str]) -> dict[str, BaseGeometry | None]:
        out: dict[str, BaseGeometry | None] = {}
        for start in range(0, len(place_ids), 500):
            chunk = list(place_ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(f"SELECT place_id, geom FROM placenames "
                                     f"WHERE place_id IN ({marks})", chunk).fetchall()
            for (pid, _), g in zip(rows, from_gpkg_blobs(r[1] for r in rows)):
                out[pid] = g
        return out

    def update_contents_extent(self, ext: tuple[float, float, float, float] | None) -> None:
        """Keep ``gpkg_contents``'s extent and change time of ``placenames`` up to date."""
        if ext is None:
            self.conn.execute("UPDATE gpkg_contents SET last_change = "
                              "strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE table_name = "
                              "'placenames'")
            return
        self.conn.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?, "
                          "last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
                          "WHERE table_name = 'placenames'", ext)

    # ------------------------------------------------------------------ integrity

    def _backend_check(self) -> list[Finding]:
        out: list[Finding] = []
        result = self.conn.execute("PRAGMA quick_check").fetchall()
        if result != [("ok",)]:
            out.append(Finding("registry.sqlite.integrity", Severity.ERROR, self.path,
                               "SQLite quick_check: " + "; ".join(r[0] for r in result[:5])))
        for table in ("gn_names_fts", "gn_grams"):
            try:
                self.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
            except sqlite3.DatabaseError as err:
                if "readonly" in str(err):  # FTS5 checks through an INSERT: not on a read-only file
                    continue
                out.append(Finding("registry.index.mismatch", Severity.ERROR, table,
                                   f"FTS5 index {table} is inconsistent: {err}"))
        n_rtree = self.conn.execute("SELECT count(*) FROM rtree_placenames_geom").fetchone()[0]
        n_geom = self.conn.execute("SELECT count(*) FROM placenames WHERE geom IS NOT NULL "
                                   "AND NOT ST_IsEmpty(geom)").fetchone()[0]
        if n_rtree != n_geom:
            out.append(Finding("registry.index.mismatch", Severity.ERROR, "rtree_placenames_geom",
                               f"the R-tree holds {n_rtree} entries for {n_geom} geometries"))
        check = self.conn.execute("SELECT rtreecheck('rtree_placenames_geom')").fetchone()[0]
        if check != "ok":
            out.append(Finding("registry.index.mismatch", Severity.ERROR, "rtree_placenames_geom",
                               f"R-tree check: {check}"))
        n_names = self.conn.execute("SELECT count(*) FROM gn_names").fetchone()[0]
        n_fts = self.conn.execute("SELECT count(*) FROM gn_names_fts_docsize").fetchone()[0] \
            if self.has_table("gn_names_fts_docsize") else n_names
        if n_fts != n_names:
            out.append(Finding("registry.index.mismatch", Severity.ERROR, "gn_names_fts",
                               f"the trigram index holds {n_fts} rows for {n_names} names"))
        return out


_NAMES_T = next(t for t in CORE_TABLES if t.name == "gn_names")


def is_gpkg_target(target: str | os.PathLike) -> bool:
    return str(target).lower().endswith(".gpkg")
