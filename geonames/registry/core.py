"""The register: writes as events, state folded from them, search, and integrity.

:class:`Registry` is the one interface; it runs the same on a GeoPackage file and on PostGIS
(:mod:`geonames.registry.gpkg`, :mod:`geonames.registry.postgis`). See the package docstring
for an example.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import shapely
from pyproj import CRS

from geonames import values
from geonames.crs import parse_crs
from geonames.errors import GeonamesError, InputFileError
from geonames.findings import Finding
from geonames.names.model import Approval, NameStatus, PlaceName
from geonames.names.romanize import gc_paused, romanize
from geonames.registry import policy as _policy
from geonames.registry.extensions import Extension, keys_of, recorded_keys
from geonames.registry.extensions import load as load_extension
from geonames.registry.keys import (
    NameKeys,
    is_han_query,
    normalize_chars,
    normalize_pinyin,
    split_proper,
)
from geonames.registry.model import (
    Event,
    EventKind,
    HistoryError,
    created_state,
    encode_changes,
    evolve,
    fold,
    geometry_to_text,
    place_to_record,
)
from geonames.registry.policy import Write
from geonames.registry.schema import IMPORTS, SOURCES
from geonames.registry.store import MATCH_NAMES, Hit, Near, Store, now_text

#: Give a place this id to have the register assign one (``P0000001`` …).
AUTO_ID = "*"

#: Places checked and written at a time by an import (its memory does not grow beyond this).
IMPORT_CHUNK = 50_000

#: Default register CRS: CGCS2000 longitude/latitude.
DEFAULT_CRS = "EPSG:4490"
#: Seconds a command waits for another process's write lock on the register (--wait).
DEFAULT_WAIT = 30.0


class RegistryError(GeonamesError):
    """A write or read the register cannot do (unknown id, id already used, a change that
    does not fit the place's history …)."""


class PlaceNotFound(RegistryError, KeyError):
    """No place with that id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True, slots=True)
class Rejection:
    """A record an import did not take, and why."""

    row: str
    reason: str
    name: str = ""


@dataclass
class ImportResult:
    """What an import did: ids written, batches committed, records rejected."""

    ids: list[str] = field(default_factory=list)
    batches: list[int] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    seconds: float = 0.0
    #: Records skipped because the register already holds them from the same source.
    skipped: int = 0

    @property
    def imported(self) -> int:
        return len(self.ids)


def _repeated_ids(ids: Iterable[str]) -> set[str]:
    """The ids that occur more than once."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for pid in ids:
        (repeated if pid in seen else seen).add(pid)
    return repeated


def _rejected_error(rejected: Sequence[Rejection]) -> ImportRejected:
    return ImportRejected(
        f"{len(rejected)} records rejected, nothing imported (strict): "
        + "; ".join(f"row {r.row}: {r.reason}" for r in rejected[:5])
        + (" …" if len(rejected) > 5 else ""), rejected)


class ImportRejected(RegistryError):
    """A strict import found bad records and imported nothing."""

    def __init__(self, message: str, rejected: Sequence[Rejection]) -> None:
        super().__init__(message)
        self.rejected = list(rejected)


class Registry:
    """A place-name register with full history.

    Open one with :meth:`open`; every write method appends events in one transaction (one
    batch) and returns the new state.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.policies: list[_policy.WritePolicy] = []
        self.extensions: dict[str, Extension] = {}

    # ------------------------------------------------------------------ open / close

    @classmethod
    def open(cls, target: str | os.PathLike = "registry.gpkg", *, create: bool = True,
             crs: str | CRS = DEFAULT_CRS, id_prefix: str = "P",
             wait: float = DEFAULT_WAIT, settings: Mapping[str, str] | None = None
             ) -> Registry:
        """Open (and by default create) a register.

        Parameters
        ----------
        target : str or path
            A path ending in ``.gpkg`` (a GeoPackage file, created if absent) or a
            ``postgresql://`` URL (PostGIS; ``?schema=NAME`` picks the schema).
        create : bool
            Create the register when it does not exist; when False a missing register is an
            error, and opening creates nothing (no file, no schema, no table).
        crs : CRS, optional
            CRS of a new register's geometries (default CGCS2000, EPSG:4490); an existing
            register keeps its own.
        id_prefix : str
            Prefix of the ids the register assigns (``P0000001``).
        wait : float
            Seconds to wait for another process's write lock before giving up with
            :class:`~geonames.errors.RegistryLocked` (default 30).
        settings : mapping, optional
            ``{"crs": …, "id_prefix": …}`` the caller asks for explicitly: an existing
            register with other settings is an error instead of being opened as it is.
        """
        target = str(target)
        from geonames.registry.gpkg import GpkgStore, is_gpkg_target
        from geonames.registry.postgis import PostgisStore, is_postgis_target, safe_url

        wait = values.number(wait, "wait", minimum=0, maximum=86_400, unit="s")
        if is_postgis_target(target):
            shown = safe_url(target)
            store: Store = PostgisStore(target, wait=wait, create=create)
        elif is_gpkg_target(target):
            shown = target
            if os.path.isdir(target):
                raise InputFileError(f"{target}: is a folder, not a register file")
            if not create and not os.path.exists(target):
                raise InputFileError(f"{target}: no such register (run geonames registry init)")
            folder = os.path.dirname(os.path.abspath(target))
            if not os.path.isdir(folder):
                raise InputFileError(f"{target}: the folder {folder} does not exist")
            store = GpkgStore(target, busy_timeout_s=wait)
        else:
            raise InputFileError(f"{target}: a register is a .gpkg file or a postgresql:// URL")
        try:
            if store.is_initialized():
                store.load_settings()
                _same_settings(store, shown, settings or {})
            elif getattr(store, "has_tables", False):
                raise InputFileError(f"{shown}: a GeoPackage but not a geonames register (it "
                                     "holds other tables); give a new file for a register")
            elif create:
                store.initialize(parse_crs(crs), id_prefix)
            else:
                raise InputFileError(f"{shown}: not a geonames register "
                                     "(run geonames registry init)")
            reg = cls(store)
            reg._load_extensions(create)
        except BaseException:
            store.close()
            raise
        return reg

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        """``"gpkg"`` or ``"postgis"``."""
        return self.store.backend

    @property
    def crs(self) -> CRS:
        """The CRS of the register's geometries."""
        return self.store.register_crs

    def _load_extensions(self, create: bool = True) -> None:
        """Load the extensions the register records, by key, from those this installation
        provides (:mod:`geonames.registry.extensions`); a register file never names code to
        import. Creates any of their tables that are missing, unless the register was opened
        only to read (``create=False``) and cannot be written: a reader creates nothing."""
        keys = recorded_keys(self.store.meta("extensions"), self.store.meta("modules"),
                             json.loads)
        self.extensions = {key: load_extension(key) for key in keys}
        tables = [t for e in self.extensions.values() for t in e.tables]
        if not create and not self.store.writable():
            return
        if any(not self.store.has_table(t.name) for t in tables):
            self.store.ensure_tables(tables)

    def use(self, extension: Extension) -> None:
        """Use ``extension`` in this register from now on: create its tables, record its key
        (so every later opening loads it) and run its write policies in every write."""
        first = extension.key not in self.extensions
        self.extensions[extension.key] = extension
        if any(not self.store.has_table(t.name) for t in extension.tables):
            self.store.ensure_tables(extension.tables)
        recorded = self.store.meta("extensions")
        if first or not recorded:
            with self.store.transaction():
                self.store.set_meta("extensions",
                                    json.dumps(keys_of(self.extensions.values())))

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """A write transaction for modules that keep their own tables in the register.

        Yields the store: ``store.execute(sql, params)`` with ``?`` placeholders runs on either
        backend. Everything in the block commits together or not at all.
        """
        with self.store.transaction() as store:
            yield store

    # ------------------------------------------------------------------ policies

    def add_policy(self, policy: _policy.WritePolicy) -> None:
        """Run ``policy`` in every write of this register object (see
        :mod:`geonames.registry.policy`)."""
        self.policies.append(policy)

    def _judge(self, kind: str, before: dict[str, PlaceName], after: dict[str, PlaceName],
               effective: date, approval: Approval | None, reason: str, force: bool,
               override: Any) -> list[dict[str, Any]]:
        active = [*(p for e in self.extensions.values() for p in e.policies),
                  *self.policies]
        if not active:
            return []
        write = Write(kind, before, after, effective, approval, reason, force, override, self)
        findings: list[Finding] = []
        for p in active:
            findings.extend(p(write) or ())
        return _policy.judge(findings, force, override)

    # ------------------------------------------------------------------ writes

    def add(self, places: PlaceName | Iterable[PlaceName], *, effective: date,
            approval: Approval | None = None, reason: str = "", force: bool = False,
            override: Any = None, source: str = "") -> list[PlaceName]:
        """Add new places in one batch; returns their states (with assigned ids).

        A place whose id is :data:`AUTO_ID` gets the next id of the register. An id the
        register has ever used is refused (ids are never reused). A missing romanization is
        filled in after GB/T 16159 (:func:`geonames.names.romanize.romanize`), a missing generic term
        from the generic-terms table.
        """
        places = [places] if isinstance(places, PlaceName) else list(places)
        result = self._add_batch(places, effective, approval, reason, force, override,
                                 source, strict=True, kind="add")
        return result[1]

    def import_places(self, places: Iterable[PlaceName], *, effective: date,
                      approval: Approval | None = None, reason: str = "", source: str = "",
                      batch_size: int | None = None, strict: bool = False,
                      rejected: Sequence[Rejection] = (), force: bool = False,
                      override: Any = None, source_id: str | None = None,
                      keys: Sequence[str] | None = None, resume: bool = False,
                      progress: Callable[[int, int], None] | None = None,
                      chunk: int = IMPORT_CHUNK) -> ImportResult:
        """Import many new places: one transaction and one batch by default, or
        ``batch_size`` per transaction.

        Parameters
        ----------
        rejected : sequence of Rejection
            Records the reader already rejected (bad coordinates, missing names …); reported
            with the ones rejected here (ids already used, repeated within the import).
        strict : bool
            With any rejection, import nothing and raise :class:`ImportRejected`.

        source_id, keys : optional
            The source (e.g. a file's content digest) and each place's key in it (its row):
            stored with every record in the batch that adds it, so importing the same source
            again skips the records the register holds already (``skipped``), and a killed
            import is continued with ``resume`` (without it, a partly imported source is an
            error that says so).
        progress : callable, optional
            Called with (records done, records to do) after each batch or chunk.
        chunk : int
            Places checked and written at a time (search keys, events and rows of ``chunk``
            places are in memory at once, not the whole import's).

        Every batch is one transaction: a process killed during an import leaves the batches
        committed before it whole and nothing of the one it was writing.
        """
        places = list(places)
        if keys is not None and len(keys) != len(places):
            raise ValueError("keys: one per place")
        if source_id is not None and keys is None:
            raise ValueError("keys: one per place")
        labels = list(keys) if keys is not None else [str(k + 1) for k in range(len(places))]
        first = list(rejected)
        size = max(1, int(chunk))

        def chunks() -> Iterator[tuple[list[PlaceName], list[str], list[Rejection]]]:
            for i in range(0, max(len(places), 1), size):
                yield places[i:i + size], labels[i:i + size], first if i == 0 else []

        repeated = _repeated_ids(p.id for p in places if p.id != AUTO_ID)
        return self.import_stream(chunks, effective=effective, approval=approval,
                                  reason=reason, source=source, batch_size=batch_size,
                                  strict=strict, force=force, override=override,
                                  source_id=source_id, resume=resume, progress=progress,
                                  records=len(places), repeated=repeated)

    def import_stream(self, chunks: Callable[[], Iterable[tuple[list[PlaceName], list[str],
                                                                 list[Rejection]]]], *,
                      effective: date, approval: Approval | None = None, reason: str = "",
                      source: str = "", batch_size: int | None = None, strict: bool = False,
                      force: bool = False, override: Any = None,
                      source_id: str | None = None, resume: bool = False,
                      progress: Callable[[int, int], None] | None = None,
                      records: int | None = None,
                      repeated: Collection[str] = frozenset(),
                      ahead: NameKeys | None = None) -> ImportResult:
        """Import places that arrive in chunks, holding one chunk in memory at a time.

        ``chunks()`` yields ``(places, keys, rejected)``: the places, each one's key in the
        source (its row; stored with the record when ``source_id`` is given, and used to name
        the rejections made here), and the records the reader rejected. It is called once,
        or twice when ``strict`` and ``batch_size`` are both given (a first pass finds every
        rejection before anything is committed). ``repeated`` are the ids the source gives
        more than once (every record with one is rejected, whichever chunk it is in);
        ``records`` the number of records in the source, when known beforehand. ``ahead``
        holds romanizations and search keys the source computes with its chunks (a helper
        process reading the file ahead: :mod:`geonames.registry.readahead`).

        Without ``batch_size`` the whole import is one transaction and one batch: a failure
        in any chunk leaves the register as it was. With ``batch_size``, each
        ``batch_size`` places are committed as their own batch.
        """
        start = time.perf_counter()
        result = ImportResult()
        repeated = set(repeated)
        done: set[str] = set()
        if source_id is not None:
            done = self._source_keys(source_id, source, resume)
        if strict and batch_size is not None:  # know every rejection before committing any
            seen = 0
            for places, keys, rejected in chunks():
                seen += len(places)
                result.rejected += rejected
                self._screen(places, keys, repeated, done, result)
            if result.rejected:
                raise _rejected_error(result.rejected)
            result = ImportResult()
            records = records if records is not None else seen
        with gc_paused():  # many small objects, no cycles: the collector only rescans them
            self._write_stream(chunks, result, effective, approval, reason, source,
                               batch_size, strict, force, override, source_id, progress,
                               records, repeated, done, ahead)
        result.seconds = time.perf_counter() - start
        return result

    def _write_stream(self, chunks: Callable[[], Iterable[tuple[list[PlaceName], list[str],
                                                                 list[Rejection]]]],
                      result: ImportResult, effective: date, approval: Approval | None,
                      reason: str, source: str, batch_size: int | None, strict: bool,
                      force: bool, override: Any, source_id: str | None,
                      progress: Callable[[int, int], None] | None, records: int | None,
                      repeated: set[str], done: set[str], ahead: NameKeys | None) -> None:
        if batch_size is None:
            # policies may read the register inside the write: keep its indexes for them
            policies = self.policies or any(e.policies for e in self.extensions.values())
            with self.store.transaction(), \
                    self.store.bulk_load(0 if policies else (records or 0)):
                self._stream(chunks, result, effective, approval, reason, source, None,
                             strict, force, override, source_id, progress, records, repeated,
                             done, ahead)
        else:
            self._stream(chunks, result, effective, approval, reason, source, batch_size,
                         strict, force, override, source_id, progress, records, repeated,
                         done, ahead)

    def _stream(self, chunks: Callable[[], Iterable[tuple[list[PlaceName], list[str],
                                                           list[Rejection]]]],
                result: ImportResult, effective: date, approval: Approval | None,
                reason: str, source: str, batch_size: int | None, strict: bool, force: bool,
                override: Any, source_id: str | None,
                progress: Callable[[int, int], None] | None, records: int | None,
                repeated: set[str], done: set[str], ahead: NameKeys | None = None) -> None:
        """The writing pass of :meth:`import_stream` (inside its transaction when there is
        one: ``batch_size`` None)."""
        if source_id is not None:
            self._start_import(source_id, source, records or 0)
        batch: int | None = None
        pending: list[PlaceName] = []
        pending_keys: list[str] = []
        read = written = parts = 0
        writing = True

        def flush() -> None:
            nonlocal batch, written, parts, pending, pending_keys
            if not pending:
                return
            number, states = self._add_batch(
                pending, effective, approval, reason, force, override, source, strict=True,
                kind="add", checked=True, source_id=source_id,
                keys=pending_keys if source_id is not None else None, batch=batch,
                ahead=ahead)
            if batch_size is None:
                batch = number
                if not result.batches:
                    result.batches.append(number)
            else:
                result.batches.append(number)
            result.ids.extend(p.id for p in states)
            written += len(pending)
            parts += 1
            pending, pending_keys = [], []
            if progress is not None:
                progress(written, max(records or 0, read) - result.skipped
                         - len(result.rejected))

        for places, keys, rejected in chunks():
            read += len(places) + len(rejected)
            result.rejected += rejected
            keep, keep_keys = self._screen(places, keys, repeated, done, result)
            if strict and result.rejected:
                writing = False  # keep reading, to report every rejection
            if not writing:
                continue
            for i in range(len(keep)):
                pending.append(keep[i])
                pending_keys.append(keep_keys[i])
                if batch_size is not None and len(pending) >= batch_size:
                    flush()
            if batch_size is None:
                flush()
            del places, keys, keep, keep_keys  # not held while the next chunk is read
        if strict and result.rejected:
            raise _rejected_error(result.rejected)
        flush()
        if batch_size is None and parts > 1:  # one batch written in parts: upkeep once
            self.store.after_batch(written)
        if source_id is not None:
            with self.store.transaction():
                if records is None:
                    self.store.execute("UPDATE gn_imports SET records = ? WHERE source = ?",
                                       (records if records is not None else read, source_id))
                self.store.execute("UPDATE gn_imports SET finished = ? WHERE source = ?",
                                   (now_text(), source_id))

    def _screen(self, places: list[PlaceName], keys: list[str], repeated: set[str],
                done: set[str], result: ImportResult) -> tuple[list[PlaceName], list[str]]:
        """The places of a chunk to write: not imported before from this source (counted in
        ``result.skipped``), with no id the register has used or the import repeats (added
        to ``result.rejected``)."""
        if done:
            fresh = [k for k, key in enumerate(keys) if key not in done]
            result.skipped += len(places) - len(fresh)
            places, keys = [places[k] for k in fresh], [keys[k] for k in fresh]
        given = {p.id for p in places if p.id != AUTO_ID}
        used = self.store.used_ids(given - repeated) if given else set()
        keep: list[PlaceName] = []
        keep_keys: list[str] = []
        for p, key in zip(places, keys):
            row = key[4:] if key.startswith("row ") else key
            if p.id in repeated:
                result.rejected.append(Rejection(row, f"id {p.id} is repeated in the import",
                                                 p.name))
            elif p.id in used:
                result.rejected.append(Rejection(row, f"id {p.id} is already used in the "
                                                 "register (ids are never reused)", p.name))
            else:
                keep.append(p)
                keep_keys.append(key)
        return keep, keep_keys

    def _source_keys(self, source_id: str, name: str, resume: bool) -> set[str]:
        """The keys the register holds from this source (empty for a new source); a source
        partly imported before is an error unless ``resume``."""
        with self.store.transaction():
            for table in (SOURCES, IMPORTS):
                if not self.store.has_table(table.name):
                    self.store.create_table(table)
        run = self.store.query("SELECT name, records, started, finished FROM gn_imports "
                               "WHERE source = ?", (source_id,))
        if not run:
            return set()
        done = {r[0] for r in self.store.query("SELECT record FROM gn_sources WHERE source = ?",
                                               (source_id,))}
        was, records, started, finished = run[0]
        if finished is None and not resume:
            raise RegistryError(
                f"{name}: this file was partly imported ({len(done):,} of {records:,} records, "
                f"started {started[:19]}, as {was}); give --resume to import the rest")
        return done

    def _start_import(self, source_id: str, name: str, records: int) -> None:
        with self.store.transaction():
            if not self.store.query("SELECT 1 FROM gn_imports WHERE source = ?", (source_id,)):
                self.store.execute("INSERT INTO gn_imports (source, name, records, started) "
                                   "VALUES (?, ?, ?, ?)", (source_id, name, records, now_text()))
            else:
                self.store.execute("UPDATE gn_imports SET finished = NULL WHERE source = ?",
                                   (source_id,))

    def _add_batch(self, places: list[PlaceName], effective: date,
                   approval: Approval | None, reason: str, force: bool, override: Any,
                   source: str, strict: bool, kind: str,
                   checked: bool = False, source_id: str | None = None,
                   keys: Sequence[str] | None = None, batch: int | None = None,
                   ahead: NameKeys | None = None) -> tuple[int, list[PlaceName]]:
        with self.store.transaction():
            auto = [k for k, p in enumerate(places) if p.id == AUTO_ID]
            ids = [p.id for p in places]
            for k, new_id in zip(auto, self.store.allocate_ids(len(auto))):
                ids[k] = new_id
            if not checked:
                given = [p.id for p in places if p.id != AUTO_ID]
                if len(set(given)) != len(given):
                    raise RegistryError("the same id is given twice")
                used = self.store.used_ids(given)
                if used:
                    raise RegistryError(f"id {sorted(used)[0]} is already used in the register "
                                        "(ids are never reused)")
            events = []
            states: dict[str, PlaceName] = {}
            wkts = geometry_to_text(np.asarray([p.geometry for p in places], dtype=object))
            for p, pid, wkt in zip(places, ids, wkts):
                p, fill = _filled(p, ahead)
                record = place_to_record(p, wkt)
                record.update(fill)
                event = Event(pid, EventKind.ADD, effective, {"record": record}, approval,
                              reason)
                events.append(event)
                states[pid] = created_state(p, event, id=pid, **fill)
            overrides = self._judge(kind, {}, states, effective, approval, reason, force,
                                    override)
            if overrides:
                events = [replace(e, overrides=tuple(overrides)) for e in events]
            batch, _ = self.store.write_batch(kind, events, states, set(states), source=source,
                                              batch=batch, ahead=ahead, stamp=False)
            if source_id is not None and keys is not None:
                self.store.insert_rows(SOURCES, SOURCES.column_names,
                                       [(source_id, key, pid, batch)
                                        for key, pid in zip(keys, ids, strict=True)])
        return batch, list(states.values())

    def update(self, place_id: str, *, effective: date, approval: Approval | None = None,
               reason: str = "", force: bool = False, override: Any = None,
               **changes: Any) -> PlaceName:
        """Change fields of a place (not its name: use :meth:`rename`).

        ``changes`` are :class:`~geonames.names.model.PlaceName` fields, e.g.
        ``geometry=Point(…)``, ``category="1140"``, ``variants=(…)``; ``status=`` moves the
        place along its lifecycle (recorded as a step).
        """
        if "name" in changes or "id" in changes:
            raise RegistryError("a change of name is a rename (Registry.rename); ids never "
                                "change")
        if changes.get("status") == NameStatus.RETIRED:
            raise RegistryError("retiring a place is Registry.retire")
        if not changes:
            raise RegistryError("nothing to update")
        try:
            data = {"changes": encode_changes(changes)}
        except HistoryError as err:
            raise RegistryError(str(err)) from None
        return self._change(place_id, EventKind.UPDATE, data, effective, approval, reason,
                            force, override)

    def rename(self, place_id: str, new_name: str, *, effective: date,
               approval: Approval | None = None, reason: str = "",
               romanization: str | None = None, generic: str | None = None,
               force: bool = False, override: Any = None) -> PlaceName:
        """Rename a place: same id, the old name kept as a former standard name (historical).

        ``romanization`` and ``generic`` default to GB/T 16159 and the generic-terms table.
        """
        new_name = normalize_chars(new_name)
        if not new_name:
            raise RegistryError("the new name is empty")
        data = {"name": new_name,
                "romanization": romanization if romanization is not None
                else romanize(new_name).text,
                "generic": generic if generic is not None else split_proper(new_name)[1]}
        return self._change(place_id, EventKind.RENAME, data, effective, approval, reason,
                            force, override)

    def retire(self, place_id: str, *, effective: date, approval: Approval | None = None,
               reason: str = "", force: bool = False, override: Any = None) -> PlaceName:
        """End a place: status retired, ``valid_to`` the effective date; its names stay
        searchable as historical."""
        return self._change(place_id, EventKind.RETIRE, {}, effective, approval, reason, force,
                            override)

    def _change(self, place_id: str, kind: EventKind, data: dict[str, Any], effective: date,
                approval: Approval | None, reason: str, force: bool,
                override: Any) -> PlaceName:
        with self.store.transaction():
            history = self._history_or_fail([place_id])[place_id]
            event = Event(place_id, kind, effective, data, approval, reason)
            before = self._fold(history)
            if kind == EventKind.RENAME:
                then = fold(history, effective)
                if then is not None and then.name == data["name"]:
                    raise RegistryError(f"place {place_id} is already called {data['name']} "
                                        f"on {effective}")
            after = self._fold([*history, event])
            overrides = self._judge(str(kind), {place_id: before}, {place_id: after}, effective,
                                    approval, reason, force, override)
            if overrides:
                event = replace(event, overrides=tuple(overrides))
            self.store.write_batch(str(kind), [event], {place_id: after}, set())
        return after

    def merge(self, place_ids: Sequence[str], into: PlaceName | str, *, effective: date,
              approval: Approval | None = None, reason: str = "", force: bool = False,
              override: Any = None) -> PlaceName:
        """Merge places into a new one: the old ones end (retired, ``superseded_by`` the new
        id), the new one starts (``supersedes`` the old ids). One transaction.

        ``into`` is the new place, or just its name (id assigned, the rest empty). Given
        without geometry, it gets the union of the old places' polygons (when they all have
        one).
        """
        ids = list(dict.fromkeys(place_ids))
        if len(ids) < len(place_ids):
            twice = sorted({p for p in place_ids if list(place_ids).count(p) > 1})
            raise RegistryError(f"{', '.join(twice)} given twice: a merge joins different places")
        if len(ids) < 2:
            raise RegistryError("a merge needs at least two places")
        new = self._new_place(into)
        return self._link(EventKind.MERGE, ids, [new], effective, approval, reason, force,
                          override)[0]

    def split(self, place_id: str, into: Sequence[PlaceName | str], *, effective: date,
              approval: Approval | None = None, reason: str = "", force: bool = False,
              override: Any = None) -> list[PlaceName]:
        """Split a place into new ones: the old one ends (``superseded_by`` every new id), each
        new one starts (``supersedes`` the old id). One transaction."""
        if len(into) < 2:
            raise RegistryError("a split needs at least two new places")
        return self._link(EventKind.SPLIT, [place_id], [self._new_place(p) for p in into],
                          effective, approval, reason, force, override)

    def _new_place(self, place: PlaceName | str) -> PlaceName:
        if isinstance(place, str):
            name = normalize_chars(place)
            if not name:
                raise RegistryError("a new place needs a name")
            return PlaceName(id=AUTO_ID, name=name)
        return place

    def _link(self, kind: EventKind, old_ids: list[str], new: list[PlaceName], effective: date,
              approval: Approval | None, reason: str, force: bool,
              override: Any) -> list[PlaceName]:
        with self.store.transaction():
            histories = self._history_or_fail(old_ids)
            auto = [k for k, p in enumerate(new) if p.id == AUTO_ID]
            for k, new_id in zip(auto, self.store.allocate_ids(len(auto))):
                new[k] = replace(new[k], id=new_id)
            new = [_fill(p) for p in new]
            new_ids = [p.id for p in new]
            if len(set(new_ids)) != len(new_ids):
                raise RegistryError("the same id is given twice")
            used = self.store.used_ids(new_ids)
            if used:
                raise RegistryError(f"id {sorted(used)[0]} is already used in the register "
                                    "(ids are never reused)")
            events: list[Event] = []
            before: dict[str, PlaceName] = {p: self._fold(histories[p]) for p in old_ids}
            if kind == EventKind.MERGE and new[0].geometry is None:
                union = _merged_area([before[p].geometry for p in old_ids])
                if union is not None:
                    new[0] = evolve(new[0], geometry=union)
            after: dict[str, PlaceName] = {}
            for pid in old_ids:
                e = Event(pid, kind, effective, {"role": "ended", "into": new_ids}, approval,
                          reason)
                events.append(e)
                after[pid] = self._fold([*histories[pid], e])
            for p in new:
                e = Event(p.id, kind, effective,
                          {"role": "created", "from": old_ids, "record": place_to_record(p)},
                          approval, reason)
                events.append(e)
                after[p.id] = created_state(p, e)
            overrides = self._judge(str(kind), before, after, effective, approval, reason,
                                    force, override)
            if overrides:
                events = [replace(e, overrides=tuple(overrides)) for e in events]
            self.store.write_batch(str(kind), events, after, set(new_ids))
        return [after[i] for i in new_ids]

    def _history_or_fail(self, place_ids: Sequence[str]) -> dict[str, list[Event]]:
        histories = self.store.events_of(list(place_ids))
        missing = [i for i, evs in histories.items() if not evs]
        if missing:
            raise PlaceNotFound(f"no place with id {missing[0]} in the register")
        return histories

    @staticmethod
    def _fold(events: Sequence[Event], as_of: date | None = None) -> PlaceName:
        try:
            place = fold(events, as_of)
        except HistoryError as err:
            raise RegistryError(str(err)) from None
        except ValueError as err:  # a PlaceName invariant (generic not the end of the name …)
            raise RegistryError(str(err)) from None
        if place is None:
            raise RegistryError("the change is dated before the place existed")
        return place

    # ------------------------------------------------------------------ reads

    def get(self, place_id: str, as_of: date | None = None) -> PlaceName:
        """A place's state now, or on ``as_of`` (folded from its history).

        Raises :class:`PlaceNotFound` for an unknown id, and when ``as_of`` is before the
        place existed.
        """
        history = self._history_or_fail([place_id])[place_id]
        place = fold(history, as_of)
        if place is None:
            raise PlaceNotFound(f"place {place_id} did not exist on {as_of}")
        return place

    def places(self, as_of: date | None = None, current: bool = False) -> Iterator[PlaceName]:
        """Every place (as it stood on ``as_of``), ordered by id; ``current`` leaves out
        retired places."""
        for place in self.store.iter_places(as_of):
            if not current or place.status != NameStatus.RETIRED:
                yield place

    def as_of(self, day: date, current: bool = False) -> list[PlaceName]:
        """The register as it stood on ``day``: every place that existed by then, in its state
        of that day (retired ones too unless ``current``)."""
        return list(self.places(day, current))

    def history(self, place_id: str) -> list[Event]:
        """Every event of a place, in recording order."""
        return self._history_or_fail([place_id])[place_id]

    def batches(self) -> list[dict[str, Any]]:
        """Every batch (transaction) with its kind, source, time and counts."""
        return self.store.batches()

    def __len__(self) -> int:
        return self.store.count("gn_places")

    def count(self, current: bool = True) -> int:
        """Number of places (current ones only by default)."""
        return self.store.count("placenames") if current else len(self)

    def search(self, query: str, by: str = "auto", limit: int = 10,
               historical: bool = True) -> list[Hit]:
        """Find places by name: characters, pinyin, or initials.

        Parameters
        ----------
        query : str
            ``"解放碑"``, ``"jiefangbei"``, ``"jie fang bei"``, ``"Jiěfàngbēi"``, ``"jfb"`` …
        by : str
            ``"chars"``, ``"pinyin"``, ``"initials"``, or ``"auto"``: characters when the
            query holds Chinese characters, else pinyin and initials together.
        historical : bool
            Include historical names (former names, names of retired places).

        Returns
        -------
        list of Hit
            Best first: exact matches, then the query is the proper part of the name, then
            names starting with it, then names containing it; at each level current standard
            names before variants before historical names, larger places first, shorter names
            first. One hit per place.
        """
        if by not in ("auto", "chars", "pinyin", "initials"):
            raise RegistryError(f"unknown search kind {by!r}: use chars, pinyin, initials "
                                "or auto")
        if by == "auto":
            modes = ["chars"] if is_han_query(query) else ["pinyin", "initials"]
        else:
            modes = [by]
        ranked: list[tuple[int, int, int, tuple]] = []
        for m, mode in enumerate(modes):
            q = normalize_chars(query) if mode == "chars" else normalize_pinyin(query)
            if not q:
                continue
            for pos, row in enumerate(self.store.search(q, mode, limit, historical)):
                ranked.append((MATCH_NAMES.index(row[4]), m, pos, (*row, mode)))
        ranked.sort(key=lambda r: r[:3])
        rows: dict[str, tuple] = {}
        for *_, row in ranked:
            rows.setdefault(row[0], row)
        top = list(rows.values())[:limit]
        if not top:
            return []
        ids = [r[0] for r in top]
        names = self.store.standard_names(ids)
        statuses = self.store.status_of(ids)
        return [Hit(pid, names.get(pid, matched), matched, kind, state == 2, match, mode,
                    statuses.get(pid, ""))
                for pid, matched, kind, state, match, mode in top]

    def division_codes(self, place_ids: Sequence[str]) -> dict[str, str]:
        """The current division code of each place that has one (to tell same-named places
        apart in search results)."""
        ids = list(dict.fromkeys(place_ids))
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self.store.query(f"SELECT place_id, division_code FROM placenames WHERE place_id "
                                f"IN ({marks})", ids)
        return {pid: code for pid, code in rows if code}

    def within(self, bbox: tuple[float, float, float, float]) -> list[tuple[str, str]]:
        """``(place_id, name)`` of current places whose geometry meets the box
        ``(xmin, ymin, xmax, ymax)`` (register CRS).

        Raises :class:`~geonames.values.ValueProblem` for a box with a coordinate that is not
        finite, a minimum above its maximum, or (geographic CRS) out of longitude/latitude
        range."""
        box = values.bbox(bbox, "box", geographic=self.crs.is_geographic)
        return self.store.within(box)

    def nearest(self, x: float, y: float, k: int = 5,
                max_distance_m: float | None = None) -> list[Near]:
        """The ``k`` current places nearest to ``(x, y)`` (register CRS), distance in metres
        (geodesic in a geographic CRS).

        Raises :class:`~geonames.values.ValueProblem` for a point that is not finite or
        (geographic CRS) out of longitude/latitude range."""
        x, y = values.point((x, y), "point", geographic=self.crs.is_geographic)
        k = values.count(k, "k", minimum=0)
        if max_distance_m is not None:
            max_distance_m = values.metres(max_distance_m, "max_distance_m")
        return self.store.nearest(x, y, k, max_distance_m)

    def check(self, deep: bool = True) -> list[Finding]:
        """Integrity check; an empty list means the register is consistent (see
        :meth:`geonames.registry.store.Store.check`)."""
        return self.store.check(deep)


def _same_settings(store: Store, shown: str, settings: Mapping[str, str]) -> None:
    """Refuse to open a register whose settings differ from the ones asked for explicitly."""
    if "crs" in settings:
        asked = parse_crs(settings["crs"])
        if asked.to_epsg() != store.srid:
            raise RegistryError(f"{shown}: already a register in EPSG:{store.srid}, not "
                                f"{settings['crs']}; a register's CRS cannot change (give a "
                                "new file or schema)")
    if "id_prefix" in settings:
        have = store.meta("id_prefix")
        if settings["id_prefix"] != have:
            raise RegistryError(f"{shown}: already a register with id prefix {have!r}, not "
                                f"{settings['id_prefix']!r}; the prefix cannot change")


def _merged_area(geoms: list) -> Any:
    """The union of the old places' areas, for a merged place given without geometry; None
    unless every old place has a polygon."""
    if not geoms or any(g is None or g.geom_type not in ("Polygon", "MultiPolygon")
                        for g in geoms):
        return None
    try:
        return shapely.union_all(geoms)
    except shapely.errors.GEOSException:  # invalid input rings: repair, then union
        return shapely.union_all([shapely.make_valid(g, method="structure") for g in geoms])


def _filled(p: PlaceName, ahead: NameKeys | None = None) -> tuple[PlaceName, dict[str, str]]:
    """A place with its name normalised, and the romanization and generic term to fill in
    when it has none (GB/T 16159; the generic-terms table, whose generic ends the name).
    ``ahead`` holds both computed beforehand for a bulk import (the same values)."""
    name = normalize_chars(p.name)
    if name != p.name:
        p = replace(p, name=name)
    fill = {}
    if ahead is not None and (not p.romanization or not p.generic):
        text, generic, _ = ahead.fill(name)
        if not p.romanization:
            fill["romanization"] = text
        if not p.generic and generic:
            fill["generic"] = generic
        return p, fill
    if not p.romanization:
        fill["romanization"] = romanize(name).text
    if not p.generic:
        generic = split_proper(name)[1]
        if generic:
            fill["generic"] = generic
    return p, fill


def _fill(p: PlaceName) -> PlaceName:
    p, fill = _filled(p)
    return evolve(p, **fill) if fill else p
