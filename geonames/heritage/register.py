"""Heritage lists kept in the name register, and the protection the register enforces.

The register extension :data:`EXTENSION` (key ``heritage``) keeps four tables in a register
(both backends) and a write policy that refuses to rename, retire, merge or split a place whose
name is listed unless the write carries an :class:`~geonames.heritage.model.Override` naming a
decision. A register records the key when heritage lists are first kept in it
(:class:`HeritageRegister`); every later opening loads the extension by that key, so the
protection holds for every program that opens the register.

Tables:

==================  ===========================================================================
``heritage_lists``     one row per protection list (``data``: the list as JSON)
``heritage_batches``   one row per batch
``heritage_entries``   the current state of each entry (``data``: the whole entry as JSON,
                       with its dated steps, notices and objections)
``heritage_log``       append-only: every change to lists, batches and entries, dated
==================  ===========================================================================

:class:`HeritageRegister` is the library interface the CLI calls: one method per command.

>>> import tempfile, os
>>> from datetime import date
>>> from geonames.registry import Registry
>>> reg = Registry.open(os.path.join(tempfile.mkdtemp(), "h.gpkg"))
>>> heritage = HeritageRegister(reg)
>>> summary = heritage.import_file(read_heritage_file("fixtures/heritage/chongqing.json"),
...                                effective=date(2020, 1, 1))
>>> summary.entries, summary.places_added
(20, 20)
>>> hg = heritage.entry("cq-2-001")
>>> reg.rename(hg.place_id, "禹王宫", effective=date(2025, 1, 1))
Traceback (most recent call last):
...
geonames.registry.policy.WriteRefused: refused, nothing was changed: rename of 湖广会馆 (place P0000007): 湖广会馆 is listed on 重庆市历史地名保护名录 batch 2 as entry cq-2-001, grade 一级, since 2021-12-31. To proceed, give an override naming the decision that allows it (--override-decision)
>>> reg.close()
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.crs import MetricCRS, metric_crs_for
from geonames.divisions.model import DivisionTable
from geonames.errors import GeonamesError
from geonames.findings import Finding, Severity
from geonames.heritage.held import HeldPeriod, NameUse, check_held_name, name_use, place_name_spans
from geonames.heritage.impact import (
    impact_of_area,
    impact_of_division_change,
    impact_of_place_change,
)
from geonames.heritage.io import (
    HeritageFile,
    batch_from_dict,
    batch_to_dict,
    entry_from_dict,
    entry_to_dict,
    list_from_dict,
    list_to_dict,
    override_from_dict,
    read_heritage_file,
)
from geonames.heritage.model import (
    Batch,
    Entry,
    EntryStatus,
    Evidence,
    OverrideRecord,
    ProtectionList,
)
from geonames.heritage.publication import PlaceInfo, publication_rows
from geonames.heritage.workflow import (
    check_steps,
    delist,
    list_entry,
    open_notice,
    propose,
    record_objection,
    resolve_objection,
    withdraw,
)
from geonames.names.model import NameStatus, PlaceName
from geonames.registry import (
    AUTO_ID,
    Column,
    Extension,
    Index,
    PlaceNotFound,
    Registry,
    Table,
    Write,
)
from geonames.registry.keys import split_proper
from geonames.registry.store import dumps, now_text

__all__ = ["HeritageRegister", "ImportSummary", "PROTECTED", "protect", "read_heritage_file"]

#: Code of the policy finding (and of the override records in the register's history).
PROTECTED = "heritage.protected"

LISTS = Table("heritage_lists", (
    Column("list_id", "text", primary_key=True),
    Column("title", "text", nullable=False),
    Column("data", "json", nullable=False),
), description="heritage protection lists (issuer, level, title, categories, grades)")

BATCHES = Table("heritage_batches", (
    Column("batch_key", "text", primary_key=True),
    Column("list_id", "text", nullable=False),
    Column("number", "int", nullable=False),
    Column("data", "json", nullable=False),
), indexes=(Index("heritage_batches_list", ("list_id", "number"), unique=True),),
    description="published batches of the heritage lists")

ENTRIES = Table("heritage_entries", (
    Column("entry_id", "text", primary_key=True),
    Column("list_id", "text", nullable=False),
    Column("place_id", "text", nullable=False),
    Column("name", "text", nullable=False),
    Column("status", "text", nullable=False),
    Column("batch", "int"),
    Column("updated", "text", nullable=False),
    Column("data", "json", nullable=False),
), indexes=(Index("heritage_entries_place", ("place_id", "status")),
            Index("heritage_entries_list", ("list_id", "batch"))),
    description="heritage list entries, current state (workflow steps in data)")

LOG = Table("heritage_log", (
    Column("seq", "serial", primary_key=True),
    Column("recorded", "text", nullable=False),
    Column("action", "text", nullable=False),
    Column("subject", "text", nullable=False),
    Column("data", "json", nullable=False),
), indexes=(Index("heritage_log_subject", ("subject", "seq")),),
    description="append-only log of every change to the heritage lists")

_ENTRY_COLUMNS = ("entry_id", "list_id", "place_id", "name", "status", "batch", "updated",
                  "data")


# --------------------------------------------------------------------------------------------
# the write policy


def protect(write: Write) -> list[Finding]:
    """The register's write policy: an error finding for each listed entry protecting a place
    the write renames or ends. The findings need an override with a decision
    (``details["override"] == "decision"``); the register records it on the write's events.
    """
    ended = write.ended
    if not ended or write.registry is None:
        return []
    store = write.registry.store
    if not store.has_table(ENTRIES.name):  # a register opened before this module was imported
        return []
    entries = _entries_where(store, "place_id", ended, status=EntryStatus.LISTED)
    if not entries:
        return []
    lists = _lists(store)
    findings = []
    for e in entries:
        place = write.before.get(e.place_id)
        plist = lists.get(e.list_id)
        what = (f"{write.kind} of {place.name if place else e.place_id} (place {e.place_id}): "
                f"{e.name} is listed on {plist.title if plist else e.list_id}"
                f"{' batch ' + str(e.batch) if e.batch else ''} as entry {e.id}"
                f"{', grade ' + e.grade if e.grade else ''}, since "
                f"{e.step_date(EntryStatus.LISTED)}")
        findings.append(Finding(
            PROTECTED, Severity.ERROR, e.id, what,
            details={"override": "decision", "entry": e.id, "place": e.place_id,
                     "name": e.name, "list": e.list_id, "batch": e.batch,
                     "operation": write.kind}))
    return findings


#: The heritage extension of a register (entry point ``heritage`` of group
#: ``geonames.register_extensions``).
EXTENSION = Extension("heritage", (LISTS, BATCHES, ENTRIES, LOG), (protect,),
                      "heritage protection lists and the protection of listed names")


# --------------------------------------------------------------------------------------------
# the library interface


class HeritageError(GeonamesError):
    """A heritage command that cannot be done (unknown entry, list or batch …)."""


@dataclass
class ImportSummary:
    """What :meth:`HeritageRegister.import_file` did."""

    lists: int = 0
    batches: int = 0
    entries: int = 0
    unchanged: int = 0
    places_matched: int = 0
    places_added: int = 0
    place_ids: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        return (f"{self.lists} list(s), {self.batches} batch(es), {self.entries} entries "
                f"stored ({self.unchanged} unchanged); places: {self.places_matched} matched in "
                f"the register, {self.places_added} added")


class HeritageRegister:
    """The heritage lists of one register.

    Every write is one transaction of the register, appends to ``heritage_log``, and goes
    through the workflow rules of :mod:`geonames.heritage.workflow` (which raise
    :class:`~geonames.heritage.workflow.WorkflowError` for an out-of-order step; nothing is stored).
    """

    def __init__(self, registry: Registry) -> None:
        registry.use(EXTENSION)
        self.registry = registry
        self.store = registry.store

    @classmethod
    def open(cls, target: str, create: bool = False, wait: float = 30.0) -> HeritageRegister:
        """Open the register at ``target`` (``.gpkg`` path or ``postgresql://`` URL); ``wait``
        seconds for another process's lock."""
        return cls(Registry.open(target, create=create, wait=wait))

    def close(self) -> None:
        self.registry.close()

    def __enter__(self) -> HeritageRegister:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ reads

    def lists(self) -> dict[str, ProtectionList]:
        """Every list, by id."""
        return _lists(self.store)

    def batches(self, list_id: str | None = None) -> list[Batch]:
        rows = self.store.query("SELECT data FROM heritage_batches ORDER BY list_id, number")
        out = [batch_from_dict(json.loads(r[0])) for r in rows]
        return [b for b in out if list_id is None or b.list_id == list_id]

    def entries(self, list_id: str | None = None,
                statuses: Iterable[EntryStatus] | None = None) -> list[Entry]:
        """Entries (of one list, in some statuses), ordered by id."""
        sql = f"SELECT {', '.join(_ENTRY_COLUMNS)} FROM heritage_entries"
        params: list[Any] = []
        if list_id is not None:
            sql += " WHERE list_id = ?"
            params.append(list_id)
        rows = self.store.query(sql + " ORDER BY entry_id", params)
        wanted = {EntryStatus(s) for s in statuses} if statuses is not None else None
        out = [_entry_of(r) for r in rows]
        return [e for e in out if wanted is None or e.status in wanted]

    def entry(self, entry_id: str) -> Entry:
        found = _entries_where(self.store, "entry_id", [entry_id])
        if not found:
            raise HeritageError(f"no heritage entry {entry_id!r} in the register "
                                "(geonames heritage list shows the entries)")
        return found[0]

    def log(self, subject: str | None = None) -> list[dict[str, Any]]:
        """The heritage log (oldest first), of one entry/list/batch when ``subject`` is given."""
        sql = "SELECT seq, recorded, action, subject, data FROM heritage_log"
        params: list[Any] = []
        if subject is not None:
            sql += " WHERE subject = ?"
            params.append(subject)
        return [{"seq": int(s), "recorded": r, "action": a, "subject": sub,
                 "data": json.loads(d)}
                for s, r, a, sub, d in self.store.query(sql + " ORDER BY seq", params)]

    def override_records(self) -> list[OverrideRecord]:
        """Changes made to protected places under override, from the register's history:
        one record per write (a merge of several protected places is one record), oldest
        first."""
        ids = [r[0] for r in self.store.query(
            "SELECT DISTINCT place_id FROM gn_events WHERE overrides IS NOT NULL "
            "ORDER BY place_id")]
        by_batch: dict[int, list] = {}
        for pid in ids:
            for event in self.registry.history(pid):
                if any(o.get("code") == PROTECTED for o in event.overrides) \
                        and event.data.get("role") != "created":
                    by_batch.setdefault(event.batch or 0, []).append(event)
        out = []
        for batch in sorted(by_batch):
            events = sorted(by_batch[batch], key=lambda e: e.seq or 0)
            first = events[0]
            records = [o for o in first.overrides if o.get("code") == PROTECTED]
            entry_ids = tuple(dict.fromkeys(o.get("subject", "") for o in records))
            entries = {e.id: e for e in _entries_where(self.store, "entry_id", entry_ids)}
            names = tuple(dict.fromkeys(entries[i].name for i in entry_ids if i in entries))
            place_ids = tuple(dict.fromkeys(entries[i].place_id for i in entry_ids
                                            if i in entries)) or (first.place_id,)
            out.append(OverrideRecord(first.effective, str(first.kind), place_ids, entry_ids,
                                      names, override_from_dict(records[0]),
                                      str(first.seq or ""), _event_text(first, names)))
        return out

    def places(self, place_ids: Iterable[str]) -> dict[str, PlaceName]:
        """Register states of the places (missing ids are left out)."""
        out = {}
        for pid in dict.fromkeys(place_ids):
            try:
                out[pid] = self.registry.get(pid)
            except PlaceNotFound:
                continue
        return out

    # ------------------------------------------------------------------ writes

    def save_list(self, plist: ProtectionList) -> None:
        """Add or replace a protection list."""
        with self.registry.transaction() as store:
            existed = store.execute("DELETE FROM heritage_lists WHERE list_id = ?",
                                    (plist.id,)).rowcount
            store.insert_rows(LISTS, ("list_id", "title", "data"),
                              [(plist.id, plist.title, dumps(list_to_dict(plist)))])
            _log(store, "list.replace" if existed else "list.add", plist.id,
                 list_to_dict(plist))

    def save_batch(self, batch: Batch) -> None:
        """Add or replace a batch of an existing list."""
        with self.registry.transaction() as store:
            if batch.list_id not in _lists(store):
                raise HeritageError(f"no list {batch.list_id!r} in the register")
            key = f"{batch.list_id}#{batch.number}"
            existed = store.execute("DELETE FROM heritage_batches WHERE batch_key = ?",
                                    (key,)).rowcount
            store.insert_rows(BATCHES, ("batch_key", "list_id", "number", "data"),
                              [(key, batch.list_id, batch.number, dumps(batch_to_dict(batch)))])
            _log(store, "batch.replace" if existed else "batch.add", key, batch_to_dict(batch))

    def propose(self, list_id: str, place_id: str, name: str = "", category: str = "",
                grade: str = "", *, on: date, batch: int | None = None,
                evidence: Evidence | None = None, measures: Iterable[str] = (),
                entry_id: str | None = None, note: str = "") -> Entry:
        """Add a candidate entry for a place of the register.

        ``name`` defaults to the place's current standard name; ``entry_id`` to
        ``LIST-NNNN``, the next unused number of the list.
        """
        with self.registry.transaction() as store:
            lists = _lists(store)
            if list_id not in lists:
                raise HeritageError(f"no list {list_id!r} in the register; known: "
                                    + (", ".join(lists) or "none (import a list file first)"))
            try:
                place = self.registry.get(place_id)
            except PlaceNotFound:
                raise HeritageError(f"no place {place_id!r} in the register: an entry protects "
                                    "a place of the register (add it there first)") from None
            if place.status == NameStatus.RETIRED:
                raise HeritageError(f"place {place_id} ({place.name}) was retired on "
                                    f"{place.valid_to}; an entry needs a place in use")
            name = name or place.name
            if not _is_name_of(name, place):
                raise HeritageError(f"{name!r} is not a name of place {place_id} "
                                    f"({', '.join(place.all_names())})")
            if batch is not None and not store.query(
                    "SELECT 1 FROM heritage_batches WHERE batch_key = ?", (f"{list_id}#{batch}",)):
                raise HeritageError(f"list {list_id} has no batch {batch} (add it first)")
            entry_id = entry_id or _next_entry_id(store, list_id)
            if _entries_where(store, "entry_id", [entry_id]):
                raise HeritageError(f"entry id {entry_id!r} is already used")
            entry = propose(lists[list_id], entry_id, place_id, name, category, grade,
                                   on=on, batch=batch, evidence=evidence, measures=measures,
                                   note=note)
            _put_entry(store, entry, new=True)
            _log(store, "entry.propose", entry.id, entry_to_dict(entry))
        return entry

    def notice(self, entry_id: str, start: date, end: date, where: str = "",
               document: str = "") -> Entry:
        """Put a candidate under public notice."""
        return self._step(entry_id, "entry.notice", open_notice, start, end, where,
                          document)

    def object(self, entry_id: str, received: date, by: str, text: str) -> Entry:
        """Record an objection received during the entry's notice."""
        return self._step(entry_id, "entry.objection", record_objection, received, by,
                          text)

    def resolve(self, entry_id: str, number: int, on: date, resolution: str) -> Entry:
        """Record how objection ``number`` (from 1) was resolved."""
        return self._step(entry_id, "entry.resolve", resolve_objection, number, on,
                          resolution)

    def withdraw(self, entry_id: str, on: date, reason: str, document: str = "") -> Entry:
        """Take an entry under notice back to candidate."""
        return self._step(entry_id, "entry.withdraw", withdraw, on, reason, document)

    def list_entry(self, entry_id: str, on: date, batch: int | None = None,
                   document: str = "") -> Entry:
        """List an entry (after its notice ended, objections resolved) in ``batch``."""
        with self.registry.transaction() as store:
            entry = self._get(store, entry_id)
            number = batch if batch is not None else entry.batch
            if number is None:
                raise HeritageError(f"entry {entry_id}: give the batch it is listed in")
            rows = store.query("SELECT data FROM heritage_batches WHERE batch_key = ?",
                               (f"{entry.list_id}#{number}",))
            if not rows:
                raise HeritageError(f"list {entry.list_id} has no batch {number} (add it first)")
            updated = list_entry(entry, on, batch_from_dict(json.loads(rows[0][0])),
                                        document)
            _put_entry(store, updated)
            _log(store, "entry.list", entry_id, _step_record(updated))
        return updated

    def delist(self, entry_id: str, on: date, reason: str, document: str = "") -> Entry:
        """Take a listed entry off its list."""
        return self._step(entry_id, "entry.delist", delist, on, reason, document)

    def _step(self, entry_id: str, action: str, fn, *args) -> Entry:
        with self.registry.transaction() as store:
            entry = self._get(store, entry_id)
            updated = fn(entry, *args)
            _put_entry(store, updated)
            _log(store, action, entry_id, _step_record(updated))
        return updated

    def _get(self, store, entry_id: str) -> Entry:
        found = _entries_where(store, "entry_id", [entry_id])
        if not found:
            raise HeritageError(f"no heritage entry {entry_id!r} in the register")
        return found[0]

    def import_file(self, data: HeritageFile, *, effective: date,
                    add_places: bool = True, source: str = "") -> ImportSummary:
        """Import a list file: its lists and batches, its places (matched to register places
        by name and division code, or added), its entries (pointing to the register ids).

        One transaction: all or nothing. An entry already in the register with the same
        content is left as it is; with different content the import is refused.
        """
        summary = ImportSummary()
        with self.registry.transaction() as store:
            mapping = self._place_ids(data, effective, add_places, source, summary)
            for plist in data.lists:
                self.save_list(plist)
                summary.lists += 1
            for batch in data.batches:
                self.save_batch(batch)
                summary.batches += 1
            places = self.places(mapping.values())
            for e in data.entries:
                entry = _with_place(e, mapping.get(e.place_id, e.place_id))
                place = places.get(entry.place_id) or self.places([entry.place_id]).get(
                    entry.place_id)
                if place is None:
                    raise HeritageError(f"entry {entry.id}: no place {entry.place_id} in the "
                                        "register; nothing was imported")
                if not _is_name_of(entry.name, place):
                    raise HeritageError(
                        f"entry {entry.id}: {entry.name!r} is not a name of place "
                        f"{place.id} ({', '.join(place.all_names())}); give it as a former "
                        "name of the place; nothing was imported")
                existing = _entries_where(store, "entry_id", [entry.id])
                if existing:
                    if existing[0] == entry:
                        summary.unchanged += 1
                        continue
                    raise HeritageError(f"entry {entry.id} is already in the register with "
                                        "different content; nothing was imported")
                check_steps(entry)
                _put_entry(store, entry, new=True)
                _log(store, "entry.import", entry.id,
                     {**entry_to_dict(entry), "source": source})
                summary.entries += 1
        summary.place_ids = mapping
        return summary

    def _place_ids(self, data: HeritageFile, effective: date, add_places: bool, source: str,
                   summary: ImportSummary) -> dict[str, str]:
        mapping: dict[str, str] = {}
        to_add: list[tuple[str, PlaceName]] = []
        for fp in data.places:
            hits = [h for h in self.registry.search(fp.name, by="chars", limit=20,
                                                   historical=False)
                    if h.match == "exact" and h.name == fp.name]
            match = None
            for hit in hits:
                place = self.registry.get(hit.place_id)
                if not fp.division_code or place.division_code.startswith(fp.division_code) \
                        or fp.division_code.startswith(place.division_code or "\0"):
                    match = place.id
                    break
            if match is not None:
                mapping[fp.key] = match
                summary.places_matched += 1
            elif add_places:
                to_add.append((fp.key, PlaceName(
                    id=AUTO_ID, name=fp.name, division_code=fp.division_code,
                    variants=fp.former_names,
                    geometry=_to_register_crs(fp.geometry, self.registry.crs),
                    properties={"heritage_file_id": fp.key, "location_note": fp.note}
                    if fp.note else {"heritage_file_id": fp.key})))
            else:
                raise HeritageError(f"place {fp.key} ({fp.name}, {fp.division_code}) is not in "
                                    "the register")
        if to_add:
            added = self.registry.add([p for _, p in to_add], effective=effective,
                                      reason="added with a heritage list", source=source)
            for (key, _), place in zip(to_add, added):
                mapping[key] = place.id
            summary.places_added += len(added)
        return mapping

    # ------------------------------------------------------------------ analysis

    def locations(self, entries: Sequence[Entry]) -> tuple[dict[str, BaseGeometry | None],
                                                           dict[str, str]]:
        """Location and division code of each entry's place (register CRS)."""
        places = self.places(e.place_id for e in entries)
        return ({pid: p.geometry for pid, p in places.items()},
                {pid: p.division_code for pid, p in places.items()})

    def impact_of_place_change(self, place_ids: Sequence[str], kind: str,
                               new_name: str = "") -> list[Finding]:
        """Entries a rename or retirement of these register places touches."""
        missing = [p for p in place_ids if p not in self.places(place_ids)]
        if missing:
            raise HeritageError(f"no place {missing[0]!r} in the register")
        return impact_of_place_change(self.entries(), place_ids, kind, new_name)

    def impact_of_division_change(self, divisions: DivisionTable | None, old_codes: Sequence[str],
                                  new_codes: Sequence[str], kind: str) -> list[Finding]:
        """Entries a merge or split of divisions touches (locations and register codes)."""
        entries = [e for e in self.entries() if e.active]
        locations, codes = self.locations(entries)
        return impact_of_division_change(
            entries, locations, divisions, old_codes, new_codes, kind=kind,
            place_divisions=codes, locations_crs=self.registry.crs,
            metric_crs=self._metric(locations))

    def impact_of_area(self, area: BaseGeometry, crs: CRS | None = None,
                       margin: float = 0.0) -> list[Finding]:
        """Entries whose place lies in (or within ``margin`` m of) an area."""
        entries = [e for e in self.entries() if e.active]
        locations, _ = self.locations(entries)
        if crs is not None and crs != self.registry.crs:
            moved = _to_register_crs(area, self.registry.crs, crs)
            if moved is not None:
                area = moved
        return impact_of_area(entries, locations, area, self.registry.crs, margin=margin,
                                     metric_crs=self._metric(locations))

    def metric_crs(self):
        """The metric CRS the impact findings' geometries are in (chosen from the extent of
        the active entries' places), or None when no place has a location."""
        entries = [e for e in self.entries() if e.active]
        locations, _ = self.locations(entries)
        return self._metric(locations)

    def _metric(self, locations: Mapping[str, BaseGeometry | None]) -> MetricCRS | None:
        return metric_crs_for(self.registry.crs, list(locations.values()))

    def check(self, on: date | None = None,
              periods: Mapping[str, Sequence[HeldPeriod]] | None = None,
              **held_kwargs) -> list[Finding]:
        """Check the lists against the register, and compute the criteria.

        Findings (``subject`` = entry id):

        * ``heritage.place_missing`` (error): the entry's place is not in the register;
        * ``heritage.place_retired`` (error, or info when an override decision is recorded):
          a listed entry's place was retired, merged or split;
        * ``heritage.name_changed`` (error, or info with a recorded override): the protected
          name of a listed entry is no longer the place's standard name, though it was when
          listed;
        * ``heritage.continuity`` (info): years the protected name has been in continuous use
          (value, in years), its interruptions and restorations, from the register's history;
        * ``heritage.held_name`` (info when it passes, warning when not): the 千年古县-style rule
          on ``periods`` (place → dated periods the user supplies; see
          :func:`geonames.heritage.held.held_name`, whose keyword arguments ``held_kwargs`` take).
        """
        on = on or date.today()
        findings: list[Finding] = []
        entries = [e for e in self.entries() if e.active]
        places = self.places(e.place_id for e in entries)
        overridden = {pid for r in self.override_records() for pid in r.place_ids}
        for e in entries:
            place = places.get(e.place_id)
            if place is None:
                findings.append(Finding("heritage.place_missing", Severity.ERROR, e.id,
                                        f"{e.name}: place {e.place_id} is not in the register"))
                continue
            decided = e.place_id in overridden
            if e.protected and place.status == NameStatus.RETIRED:
                findings.append(Finding(
                    "heritage.place_retired", Severity.INFO if decided else Severity.ERROR,
                    e.id, f"{e.name}: place {e.place_id} was ended on {place.valid_to}"
                    + (" under a recorded override decision" if decided else
                       " without a recorded override decision"),
                    details={"place": e.place_id, "override": decided}))
            listed_on = e.step_date(EntryStatus.LISTED)
            if e.protected and listed_on and place.name != e.name:
                then = self._name_on(e.place_id, listed_on)
                if then == e.name:
                    findings.append(Finding(
                        "heritage.name_changed", Severity.INFO if decided else Severity.ERROR,
                        e.id, f"{e.name} was the standard name of place {e.place_id} when "
                        f"listed ({listed_on}); it is now {place.name}"
                        + (" (changed under a recorded override decision)" if decided else ""),
                        details={"place": e.place_id, "override": decided}))
            use = name_use(place_name_spans(place), e.name, on)
            findings.append(_continuity_finding(e, use, on))
        for subject, items in (periods or {}).items():
            findings.append(check_held_name(items, subject or "history", **held_kwargs))
        return findings

    def _name_on(self, place_id: str, day: date) -> str | None:
        try:
            return self.registry.get(place_id, as_of=day).name
        except PlaceNotFound:
            return None

    def publication(self, statuses: Iterable[EntryStatus] = (EntryStatus.LISTED,),
                    list_id: str | None = None) -> list[dict[str, Any]]:
        """Rows of the published list (see :func:`geonames.heritage.publication.publication_rows`)."""
        entries = self.entries(list_id, statuses)
        places = {pid: PlaceInfo(p.name, p.romanization, p.division_code)
                  for pid, p in self.places(e.place_id for e in entries).items()}
        return publication_rows(entries, self.lists(), self.batches(list_id), places,
                                       statuses=statuses)


# --------------------------------------------------------------------------------------------
# rows


def _entry_of(row: Sequence[Any]) -> Entry:
    return entry_from_dict(json.loads(row[-1]))


def _entries_where(store, column: str, values: Sequence[str],
                   status: EntryStatus | None = None) -> list[Entry]:
    out: list[Entry] = []
    values = list(dict.fromkeys(str(v) for v in values))
    for i in range(0, len(values), 500):
        chunk = values[i:i + 500]
        sql = (f"SELECT {', '.join(_ENTRY_COLUMNS)} FROM heritage_entries "
               f"WHERE {column} IN ({','.join('?' * len(chunk))})")
        params: list[Any] = list(chunk)
        if status is not None:
            sql += " AND status = ?"
            params.append(str(status))
        out.extend(_entry_of(r) for r in store.query(sql + " ORDER BY entry_id", params))
    return out


def _lists(store) -> dict[str, ProtectionList]:
    return {r[0]: list_from_dict(json.loads(r[1]))
            for r in store.query("SELECT list_id, data FROM heritage_lists ORDER BY list_id")}


def _put_entry(store, entry: Entry, new: bool = False) -> None:
    values = (entry.list_id, entry.place_id, entry.name, str(entry.status), entry.batch,
              now_text(), dumps(entry_to_dict(entry)))
    if not new:
        n = store.execute("UPDATE heritage_entries SET list_id = ?, place_id = ?, name = ?, "
                          "status = ?, batch = ?, updated = ?, data = ? WHERE entry_id = ?",
                          (*values, entry.id)).rowcount
        if n:
            return
    store.insert_rows(ENTRIES, _ENTRY_COLUMNS, [(entry.id, *values)])


def _log(store, action: str, subject: str, data: Mapping[str, Any]) -> None:
    seq = store.reserve(LOG, 1)
    store.insert_rows(LOG, ("seq", "recorded", "action", "subject", "data"),
                      [(seq, now_text(), action, subject, dumps(dict(data)))])


def _step_record(entry: Entry) -> dict[str, Any]:
    d = entry_to_dict(entry)
    return {"status": d["status"] if "status" in d else str(entry.status),
            "step": d["steps"][-1] if d["steps"] else None,
            "notice": d["notices"][-1] if d["notices"] else None}


def _next_entry_id(store, list_id: str) -> str:
    n = int(store.scalar("SELECT count(*) FROM heritage_entries WHERE list_id = ?",
                         (list_id,)) or 0)
    while True:
        n += 1
        candidate = f"{list_id}-{n:04d}"
        if not store.query("SELECT 1 FROM heritage_entries WHERE entry_id = ?", (candidate,)):
            return candidate


def _is_name_of(name: str, place: PlaceName) -> bool:
    """True when ``name`` is a name of the place, or the proper part of one (梁山 of 梁山县)."""
    names = place.all_names()
    return name in names or name in {split_proper(n)[0] for n in names}


def _with_place(entry: Entry, place_id: str) -> Entry:
    from dataclasses import replace

    return entry if entry.place_id == place_id else replace(entry, place_id=place_id)


def _to_register_crs(geom: BaseGeometry | None, crs: CRS,
                     src: CRS | None = None) -> BaseGeometry | None:
    """A geometry from ``src`` (default longitude/latitude, EPSG:4326) into the register CRS."""
    if geom is None:
        return None
    from geonames.crs import WGS84, reproject

    src = src or WGS84
    if src == crs or (src.is_geographic and crs.is_geographic and src.to_epsg() in (4326, 4490)
                      and crs.to_epsg() in (4326, 4490)):
        return geom  # CGCS2000 and WGS84 agree to well under a metre
    return reproject(np.array([geom], dtype=object), src, crs)[0]


def _continuity_finding(e: Entry, use: NameUse, on: date) -> Finding:
    if not use.in_use:
        text = (f"{e.name} is not in use as the standard name of place {e.place_id} on {on}"
                + (f" (last used until {use.interruptions[-1][0]})" if use.interruptions else ""))
    elif use.years_continuous is None:
        text = f"{e.name} in continuous use since before the register's records"
    else:
        text = (f"{e.name} in continuous use since {use.continuous_since}: "
                f"{use.years_continuous:.1f} years")
    if use.interruptions:
        text += "; interrupted " + ", ".join(f"{a} – {b}" for a, b in use.interruptions) + \
            ", restored " + ", ".join(str(d) for d in use.restored)
    return Finding("heritage.continuity", Severity.INFO, e.id, text,
                   value=use.years_continuous, unit="years",
                   details={"name": e.name, "place": e.place_id, "in_use": use.in_use,
                            "continuous_since": str(use.continuous_since or ""),
                            "years_total": use.years_total,
                            "interruptions": [[str(a), str(b)] for a, b in use.interruptions],
                            "restored": [str(d) for d in use.restored]})


def _event_text(event, names: Sequence[str]) -> str:
    """``"湖广会馆 → 禹王宫"``, ``"湖广会馆: superseded by P0000031"``, ``"湖广会馆: retired"``."""
    before = "、".join(names)
    if event.kind == "rename":
        return f"{before} → {event.data.get('name', '')}"
    if event.kind in ("merge", "split"):
        return f"{before}: {event.kind}, superseded by " + ", ".join(event.data.get("into", []))
    return f"{before}: {event.kind}"
