"""The register's history: events, and the current state folded from them.

Plain data and pure functions, no I/O. Every write to a register is one or more
:class:`Event` s appended to its history; the state of a place on any day is
:func:`fold` of its events up to that day, in order of effective date then of recording
(``seq``). The stores keep that fold materialised for speed, and
:meth:`geonames.registry.Registry.check` proves the two agree.

Event kinds and what their ``data`` holds:

===========  ==============================================================================
``add``      ``{"record": {...}}``: the whole place (:func:`place_to_record`)
``update``   ``{"changes": {...}}``: the fields that changed, same encoding as a record
``rename``   ``{"name", "romanization", "generic"}``: the id is kept and the old name becomes
             a :attr:`~geonames.names.model.VariantKind.FORMER_STANDARD` variant
``retire``   ``{}``
``merge``    ``{"role": "ended", "into": [ids]}`` on each old place;
             ``{"role": "created", "from": [ids], "record": {...}}`` on the new one
``split``    the same roles: one old place ``ended`` into several ``created`` ones
===========  ==============================================================================

>>> from datetime import date
>>> add = Event(place_id="p1", kind=EventKind.ADD, effective=date(2000, 1, 1),
...             data={"record": {"name": "开县", "generic": "县"}}, seq=1)
>>> ren = Event(place_id="p1", kind=EventKind.RENAME, effective=date(2016, 6, 8),
...             data={"name": "开州区", "generic": "区"}, seq=2)
>>> fold([add, ren]).name, fold([add, ren], as_of=date(2010, 1, 1)).name
('开州区', '开县')
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geonames.names.model import (
    Approval,
    NameStatus,
    NameVariant,
    PlaceName,
    StatusChange,
    VariantKind,
)


class EventKind(StrEnum):
    """What a write did to a place."""

    ADD = "add"
    UPDATE = "update"
    RENAME = "rename"
    RETIRE = "retire"
    MERGE = "merge"
    SPLIT = "split"


#: Kinds that end or rename a place: the writes a protection policy guards.
GUARDED_KINDS = frozenset({EventKind.RENAME, EventKind.RETIRE, EventKind.MERGE, EventKind.SPLIT})


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the append-only history.

    Attributes
    ----------
    place_id : str
        The place the event is about (a merge writes one event per place involved).
    kind : EventKind
    effective : datetime.date
        When the change took effect (not when it was recorded).
    data : dict
        What changed; see the module docstring.
    approval : Approval or None
        The decision behind the change (authority, document number, date).
    reason : str
        Free text.
    overrides : tuple of dict
        Write-time checks that refused the write and were overridden (forced, or an override
        with a decision reference), each ``{"code", "message", "by", ...}``.
    seq : int or None
        Position in the history (assigned by the store, never reused).
    batch : int or None
        The batch (one transaction) the event was written in.
    recorded : datetime or None
        When the store recorded it (UTC).
    """

    place_id: str
    kind: EventKind
    effective: date
    data: dict[str, Any] = field(default_factory=dict)
    approval: Approval | None = None
    reason: str = ""
    overrides: tuple[dict[str, Any], ...] = ()
    seq: int | None = None
    batch: int | None = None
    recorded: datetime | None = None

    @property
    def order(self) -> tuple[date, int]:
        """Sort key of the fold: effective date, then recording order."""
        return (self.effective, self.seq if self.seq is not None else 1 << 62)

    def summary(self) -> str:
        """One line for people: ``"2016-06-08 rename → 开州区 (渝府〔2016〕12号)"``."""
        what = {
            EventKind.ADD: lambda d: f"add {d.get('record', {}).get('name', '')}",
            EventKind.UPDATE: lambda d: "update " + ", ".join(sorted(d.get("changes", {}))),
            EventKind.RENAME: lambda d: f"rename → {d.get('name', '')}",
            EventKind.RETIRE: lambda d: "retire",
            EventKind.MERGE: _link_summary,
            EventKind.SPLIT: _link_summary,
        }[self.kind](self.data)
        extra = [p for p in (self.approval.document if self.approval else "", self.reason) if p]
        forced = " [overridden: " + ", ".join(
            o.get("code", "") + (f" by decision {o['decision']}" if o.get("decision") else "")
            for o in self.overrides) + "]" if self.overrides else ""
        return f"{self.effective} {what}" + (f" ({'; '.join(extra)})" if extra else "") + forced


def _link_summary(data: dict[str, Any]) -> str:
    if data.get("role") == "ended":
        return "ended, superseded by " + ", ".join(data.get("into", []))
    return f"created {data.get('record', {}).get('name', '')} from " + \
        ", ".join(data.get("from", []))


class HistoryError(ValueError):
    """An event that cannot apply to the place's state (renaming a place that has ended …)."""


# --------------------------------------------------------------------------- fold


def apply(place: PlaceName | None, event: Event) -> PlaceName:
    """The state of a place after ``event``.

    Raises
    ------
    HistoryError
        When the event does not fit the state: anything but an add or a "created" link on a
        place that does not exist yet, an add on one that does, a rename, retirement, merge or
        split of a retired place.
    """
    kind, data = event.kind, event.data
    creates = kind == EventKind.ADD or (kind in (EventKind.MERGE, EventKind.SPLIT)
                                        and data.get("role") == "created")
    if creates:
        if place is not None:
            raise HistoryError(f"place {event.place_id} exists already")
        return created_state(place_from_record(event.place_id, data.get("record", {})), event)
    if place is None:
        raise HistoryError(f"place {event.place_id} does not exist on {event.effective}")
    if kind == EventKind.UPDATE:
        changes = dict(data.get("changes", {}))
        status = changes.pop("status", None)
        new = replace(place, **decode_fields(changes))
        if status is not None and NameStatus(status) != place.status:
            new = new.with_status(NameStatus(status), event.effective, event.approval,
                                  event.reason)
        return new
    if place.status == NameStatus.RETIRED:
        raise HistoryError(f"place {event.place_id} ({place.name}) was retired on "
                           f"{place.valid_to}; a {kind} no longer applies")
    if kind == EventKind.RENAME:
        return place.renamed(data["name"], event.effective, event.approval,
                             romanization=data.get("romanization", ""),
                             generic=data.get("generic"))
    if kind == EventKind.RETIRE:
        return place.with_status(NameStatus.RETIRED, event.effective, event.approval,
                                 event.reason or "retired")
    # merge / split, role "ended"
    into = tuple(data.get("into", ()))
    ended = place.with_status(NameStatus.RETIRED, event.effective, event.approval,
                              f"{kind} into {', '.join(into)}")
    return replace(ended, superseded_by=tuple(dict.fromkeys((*place.superseded_by, *into))))


def created_state(place: PlaceName, event: Event, **fill: Any) -> PlaceName:
    """The state of a place an ``add`` (or a merge/split ``created``) event brings in.

    ``place`` is the record the event carries; the event adds the links of a merge or split
    (and, there, the inception date), the approval when the record has none, and the first
    lifecycle step when the record has no status history. ``fill`` are further field values
    that keep the place's invariants (see :func:`evolve`), applied in the same copy.
    """
    new = place
    if event.kind != EventKind.ADD:
        new = replace(new, supersedes=tuple(event.data.get("from", ())),
                      valid_from=new.valid_from or event.effective)
    changes: dict[str, Any] = dict(fill)
    if new.approval is None and event.approval is not None:
        changes["approval"] = event.approval
    if not new.status_history:
        note = "added" if event.kind == EventKind.ADD else f"{event.kind} of " + \
            ", ".join(event.data.get("from", ()))
        changes["status_history"] = _first_step(new.status, event.effective, event.approval,
                                                note)
    return _evolve(new, changes) if changes else new


@lru_cache(maxsize=256)
def _first_step(status: NameStatus, effective: date, approval: Approval | None,
                note: str) -> tuple[StatusChange, ...]:
    """A status history of one step; the places a batch adds share it (it is immutable)."""
    return (StatusChange(status, effective, approval, note),)


_PLACE_FIELDS = tuple(f.name for f in dataclasses.fields(PlaceName))


def _make_evolve() -> Callable[[PlaceName, dict[str, Any]], PlaceName]:
    # One straight-line function setting every slot: five times faster than a loop, and
    # bulk imports copy hundreds of thousands of places.
    lines = ["def evolve(place, changes):", "    new = _new(PlaceName)"]
    env: dict[str, Any] = {"_new": object.__new__, "PlaceName": PlaceName}
    for i, name in enumerate(_PLACE_FIELDS):
        env[f"_set{i}"] = PlaceName.__dict__[name].__set__
        lines.append(f"    _set{i}(new, changes['{name}'] if '{name}' in changes "
                     f"else place.{name})")
    lines.append("    return new")
    exec("\n".join(lines), env)  # noqa: S102 - generated from the dataclass's own fields
    evolve: Callable[[PlaceName, dict[str, Any]], PlaceName] = env["evolve"]
    return evolve


_evolve = _make_evolve()


def evolve(place: PlaceName, **changes: Any) -> PlaceName:
    """:func:`dataclasses.replace` without running :class:`PlaceName`'s checks again.

    Only for changes that cannot break them (id, approval, status history, romanization, a
    generic that is the end of the name).
    """
    return _evolve(place, changes)


def fold(events: Iterable[Event], as_of: date | None = None) -> PlaceName | None:
    """The state of one place from its events (None when it did not exist yet).

    Events are applied in order of effective date, then of ``seq``; with ``as_of`` only those
    effective on or before that day count.
    """
    place: PlaceName | None = None
    for event in sorted(events, key=lambda e: e.order):
        if as_of is not None and event.effective > as_of:
            break
        place = apply(place, event)
    return place


# --------------------------------------------------------------------------- record codec

_SCALARS = ("name", "romanization", "category", "generic", "division_code", "meaning", "origin",
            "history")


def place_to_record(place: PlaceName, wkt: str | None = None) -> dict[str, Any]:
    """A place as plain JSON-able values, without its id; default values are left out.

    Geometry is WKT at full precision (it reads back exactly); ``wkt`` passes it already
    written (bulk imports write all geometries in one call).
    """
    rec: dict[str, Any] = {}
    for name in _SCALARS:
        value = getattr(place, name)
        if value:
            rec[name] = value
    if place.geometry is not None:
        rec["geometry"] = wkt if wkt is not None else geometry_to_text(place.geometry)
    if place.variants:
        rec["variants"] = [_variant_to(v) for v in place.variants]
    if place.status != NameStatus.IN_USE:
        rec["status"] = str(place.status)
    if place.status_history:
        rec["status_history"] = [_step_to(s) for s in place.status_history]
    if place.approval is not None:
        rec["approval"] = approval_to_record(place.approval)
    for name in ("valid_from", "valid_to"):
        if getattr(place, name) is not None:
            rec[name] = getattr(place, name).isoformat()
    for name in ("supersedes", "superseded_by"):
        if getattr(place, name):
            rec[name] = list(getattr(place, name))
    if place.properties:
        rec["properties"] = dict(place.properties)
    return rec


def place_from_record(place_id: str, rec: Mapping[str, Any]) -> PlaceName:
    """The inverse of :func:`place_to_record`."""
    return PlaceName(id=place_id, **decode_fields(rec))


def decode_fields(rec: Mapping[str, Any]) -> dict[str, Any]:
    """Record values (JSON types) → :class:`PlaceName` field values."""
    out: dict[str, Any] = {}
    for key, value in rec.items():
        if key in _SCALARS:
            out[key] = value or ""
        elif key == "geometry":
            out[key] = geometry_from_text(value) if value else None
        elif key == "variants":
            out[key] = tuple(_variant_from(v) for v in value or ())
        elif key == "status":
            out[key] = NameStatus(value)
        elif key == "status_history":
            out[key] = tuple(_step_from(s) for s in value or ())
        elif key == "approval":
            out[key] = approval_from_record(value)
        elif key in ("valid_from", "valid_to"):
            out[key] = _day(value)
        elif key in ("supersedes", "superseded_by"):
            out[key] = tuple(value or ())
        elif key == "properties":
            out[key] = dict(value or {})
        else:
            raise HistoryError(f"unknown field {key!r} in a place record")
    return out


def encode_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """Field values of :class:`PlaceName` → record values, for an update event."""
    probe_fields = {f.name for f in dataclasses.fields(PlaceName)}
    out: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in probe_fields or key in ("id",):
            raise HistoryError(f"{key!r} is not a field a write can change")
        if key in _SCALARS:
            out[key] = value or ""
        elif key == "geometry":
            out[key] = geometry_to_text(value) if value is not None else None
        elif key == "variants":
            out[key] = [_variant_to(v) for v in value]
        elif key == "status":
            out[key] = str(NameStatus(value))
        elif key == "status_history":
            out[key] = [_step_to(s) for s in value]
        elif key == "approval":
            out[key] = approval_to_record(value) if value is not None else None
        elif key in ("valid_from", "valid_to"):
            out[key] = value.isoformat() if value is not None else None
        elif key in ("supersedes", "superseded_by"):
            out[key] = list(value)
        elif key == "properties":
            out[key] = dict(value)
    return out


def geometry_to_text(geom: BaseGeometry | np.ndarray) -> Any:
    """WKT at full precision (round-trips exactly); also for an array of geometries."""
    return shapely.to_wkt(geom, rounding_precision=-1, trim=True)


def geometry_from_text(text: str) -> BaseGeometry:
    return shapely.from_wkt(text)


def approval_to_record(a: Approval) -> dict[str, Any]:
    rec: dict[str, Any] = {"authority": a.authority}
    if a.document:
        rec["document"] = a.document
    if a.date is not None:
        rec["date"] = a.date.isoformat()
    if a.note:
        rec["note"] = a.note
    return rec


def approval_from_record(rec: Mapping[str, Any] | None) -> Approval | None:
    if not rec:
        return None
    return Approval(rec.get("authority", ""), rec.get("document", ""), _day(rec.get("date")),
                    rec.get("note", ""))


def override_to_record(override: Any) -> dict[str, Any]:
    """Any override object (a dataclass such as the heritage module's ``Override``, or a
    mapping) as JSON-able values for the history."""
    if override is None:
        return {}
    if dataclasses.is_dataclass(override) and not isinstance(override, type):
        raw = dataclasses.asdict(override)
    elif isinstance(override, Mapping):
        raw = dict(override)
    else:
        raw = {"decision": str(override)}
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in raw.items()
            if v not in (None, "", ())}


def _variant_to(v: NameVariant) -> dict[str, Any]:
    rec: dict[str, Any] = {"name": v.name, "kind": str(v.kind)}
    for key in ("romanization", "source", "note"):
        if getattr(v, key):
            rec[key] = getattr(v, key)
    for key in ("valid_from", "valid_to"):
        if getattr(v, key) is not None:
            rec[key] = getattr(v, key).isoformat()
    return rec


def _variant_from(rec: Mapping[str, Any]) -> NameVariant:
    return NameVariant(rec["name"], VariantKind(rec["kind"]), rec.get("romanization", ""),
                       _day(rec.get("valid_from")), _day(rec.get("valid_to")),
                       rec.get("source", ""), rec.get("note", ""))


def _step_to(s: StatusChange) -> dict[str, Any]:
    rec: dict[str, Any] = {"status": str(s.status)}
    if s.date is not None:
        rec["date"] = s.date.isoformat()
    if s.approval is not None:
        rec["approval"] = approval_to_record(s.approval)
    if s.note:
        rec["note"] = s.note
    return rec


def _step_from(rec: Mapping[str, Any]) -> StatusChange:
    return StatusChange(NameStatus(rec["status"]), _day(rec.get("date")),
                        approval_from_record(rec.get("approval")), rec.get("note", ""))


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def describe_place(p: PlaceName) -> str:
    """A place as a few lines of text: names, status, approval, variants, links, geometry."""
    lines = [f"{p.id}  {p.name}  {p.romanization}", f"  status: {p.status}"
             + (f" (since {p.status_since})" if p.status_since else "")]
    for label, value in (("generic", p.generic), ("category", p.category),
                         ("division", p.division_code), ("valid from", p.valid_from),
                         ("valid to", p.valid_to), ("meaning", p.meaning),
                         ("origin", p.origin), ("history", p.history)):
        if value:
            lines.append(f"  {label}: {value}")
    if p.approval:
        a = p.approval
        lines.append(f"  approval: {' '.join(x for x in (a.authority, a.document) if x)}"
                     + (f" ({a.date})" if a.date else ""))
    for v in p.variants:
        span = f" {v.valid_from or '…'} – {v.valid_to or '…'}" if v.valid_from or v.valid_to \
            else ""
        lines.append(f"  variant: {v.name} ({v.kind}){span}")
    if p.supersedes:
        lines.append(f"  supersedes: {', '.join(p.supersedes)}")
    if p.superseded_by:
        lines.append(f"  superseded by: {', '.join(p.superseded_by)}")
    if p.geometry is not None:
        g = p.geometry
        lines.append(f"  geometry: {g.wkt if g.geom_type == 'Point' else g.geom_type}")
    return "\n".join(lines)


def event_record(e: Event) -> dict[str, Any]:
    """An event of the history as JSON-able values."""
    a = e.approval
    return {"seq": e.seq, "batch": e.batch, "kind": str(e.kind),
            "effective": e.effective.isoformat(),
            "recorded": e.recorded.isoformat() if e.recorded else None,
            "approval": {"authority": a.authority, "document": a.document,
                         "date": a.date.isoformat() if a.date else None} if a else None,
            "reason": e.reason, "data": e.data, "overrides": list(e.overrides)}
