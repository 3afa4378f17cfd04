"""Tables of a register, declared once for both backends.

A :class:`Table` lists portable :class:`Column` types; each store renders them in its own SQL
(:meth:`geonames.registry.store.Store.create_table`). Extensions that keep their own records in
the register (the heritage lists, for example) declare their tables in an
:class:`~geonames.registry.extensions.Extension`; a register that uses the extension creates
them, on both backends, in the same database as the names.

Portable types: ``text``, ``int``, ``real``, ``json`` (text holding JSON), ``date`` (ISO text
``YYYY-MM-DD``), ``serial`` (integer primary key assigned by the store, never reused),
``geometry`` (in the register's CRS; a GeoPackage feature table with an R-tree in ``.gpkg``,
a PostGIS column with a GiST index on PostgreSQL).

>>> t = Table("heritage_entries", (Column("entry_id", "text", primary_key=True),
...                                Column("place_id", "text", nullable=False)),
...           indexes=(Index("heritage_entries_place", ("place_id",)),))
>>> [c.name for c in t.columns]
['entry_id', 'place_id']
"""

from __future__ import annotations

from dataclasses import dataclass

TYPES = frozenset({"text", "int", "real", "json", "date", "serial", "geometry", "blob"})


@dataclass(frozen=True, slots=True)
class Column:
    """One column: a name, a portable type, and constraints."""

    name: str
    type: str
    nullable: bool = True
    primary_key: bool = False
    unique: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}; "
                             f"use one of {', '.join(sorted(TYPES))}")


@dataclass(frozen=True, slots=True)
class Index:
    """A plain (B-tree) index over columns."""

    name: str
    columns: tuple[str, ...]
    unique: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """A table; ``description`` is shown by GIS software for GeoPackage layers."""

    name: str
    columns: tuple[Column, ...]
    indexes: tuple[Index, ...] = ()
    description: str = ""

    @property
    def geometry_column(self) -> str | None:
        return next((c.name for c in self.columns if c.type == "geometry"), None)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


# --------------------------------------------------------------------------- core tables

META = Table("gn_meta", (Column("key", "text", primary_key=True), Column("value", "text")),
             description="register settings: schema version, CRS, id counter")

BATCHES = Table("gn_batches", (
    Column("batch", "serial", primary_key=True),
    Column("kind", "text", nullable=False),
    Column("source", "text"),
    Column("recorded", "text", nullable=False),
    Column("n_events", "int", nullable=False),
    Column("n_places", "int", nullable=False),
    Column("note", "text"),
), description="one row per batch (one transaction): an import, a merge, a rename …")

EVENTS = Table("gn_events", (
    Column("seq", "serial", primary_key=True),
    Column("batch", "int", nullable=False),
    Column("place_id", "text", nullable=False),
    Column("kind", "text", nullable=False),
    Column("effective", "date", nullable=False),
    Column("recorded", "text", nullable=False),
    Column("authority", "text"),
    Column("document", "text"),
    Column("approval_date", "date"),
    Column("reason", "text"),
    Column("data", "json", nullable=False),
    Column("overrides", "json"),
), indexes=(Index("gn_events_place", ("place_id", "seq")), Index("gn_events_batch", ("batch",))),
    description="append-only history of every write")

PLACES = Table("gn_places", (
    Column("place_id", "text", primary_key=True),
    Column("status", "text", nullable=False),
    Column("first_seq", "int", nullable=False),
    Column("last_seq", "int", nullable=False),
), description="every id ever used (ids are never reused) and the place's status")

#: The layer GIS software shows: the current (not retired) places with their geometry.
PLACENAMES = Table("placenames", (
    Column("fid", "serial", primary_key=True),
    Column("geom", "geometry"),
    Column("place_id", "text", nullable=False, unique=True),
    Column("name", "text", nullable=False),
    Column("romanization", "text"),
    Column("category", "text"),
    Column("generic", "text"),
    Column("division_code", "text"),
    Column("status", "text", nullable=False),
    Column("valid_from", "date"),
    Column("valid_to", "date"),
    Column("variants", "text"),
    Column("authority", "text"),
    Column("document", "text"),
    Column("approval_date", "date"),
    Column("supersedes", "text"),
    Column("superseded_by", "text"),
    Column("meaning", "text"),
    Column("origin", "text"),
    Column("history", "text"),
    Column("last_seq", "int", nullable=False),
), indexes=(Index("placenames_division", ("division_code",)),),
    description="current place names of the register (one row per place in use)")

NAMES = Table("gn_names", (
    Column("nid", "serial", primary_key=True),
    Column("place_id", "text", nullable=False),
    Column("name", "text", nullable=False),
    Column("kind", "text", nullable=False),
    Column("state", "int", nullable=False),
    Column("rank", "int", nullable=False),
    Column("proper", "text", nullable=False),
    Column("key", "text", nullable=False),
    Column("proper_key", "text", nullable=False),
    Column("initials", "text", nullable=False),
    Column("proper_initials", "text", nullable=False),
    Column("valid_from", "date"),
    Column("valid_to", "date"),
), indexes=(Index("gn_names_place", ("place_id",)), Index("gn_names_name", ("name",)),
            Index("gn_names_key", ("key",)), Index("gn_names_initials", ("initials",)),
            Index("gn_names_proper", ("proper",)), Index("gn_names_proper_key", ("proper_key",)),
            Index("gn_names_proper_initials", ("proper_initials",))),
    description="search rows: every name of every place, current and historical")

CORE_TABLES: tuple[Table, ...] = (META, BATCHES, EVENTS, PLACES, PLACENAMES, NAMES)

#: Where each imported record came from: the source (a file's content digest, or a name with
#: a key column) and the record's key in it (its row, or its key column's value). Importing the
#: same records again adds nothing; a killed import continues (``--resume``). Created by the
#: first import of a register (older registers get it then too).
SOURCES = Table("gn_sources", (
    Column("source", "text", nullable=False),
    Column("record", "text", nullable=False),
    Column("place_id", "text", nullable=False),
    Column("batch", "int", nullable=False),
), indexes=(Index("gn_sources_record", ("source", "record"), unique=True),),
    description="the source key of every imported record")

#: One row per import of a source: its name, record count, start and (when complete) end.
IMPORTS = Table("gn_imports", (
    Column("source", "text", primary_key=True),
    Column("name", "text", nullable=False),
    Column("records", "int", nullable=False),
    Column("started", "text", nullable=False),
    Column("finished", "text"),
), description="imports by source: complete or not")

#: Columns of :data:`PLACENAMES` written from a place's state (all but fid and geom).
PLACENAME_FIELDS = tuple(c.name for c in PLACENAMES.columns if c.name not in ("fid", "geom"))
NAME_FIELDS = tuple(c.name for c in NAMES.columns if c.name != "nid")
EVENT_FIELDS = tuple(c.name for c in EVENTS.columns if c.name != "seq")
