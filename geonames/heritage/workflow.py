"""Place-name heritage: the workflow of list entries, protection, impact of proposed changes,
criteria computed from dated history, and the rows of the published list.

Pure functions over the records of :mod:`geonames.heritage.model`; no I/O. The register
(:mod:`geonames.registry`) stores the records and calls :func:`require_override` before every
rename, retirement, merge or split.

Workflow
--------
Each function takes an :class:`~geonames.heritage.model.Entry` and returns a new one with one
more dated step, or raises :class:`WorkflowError` saying why the step is out of order:

======================  ==================  ====================================================
function                from                rule
======================  ==================  ====================================================
:func:`propose`         (nothing)           category and grade must be the list's
:func:`open_notice`     candidate           notice ``start`` ≤ ``end``; not before the last step
:func:`record_objection`  notice            received within the notice (start … end, inclusive)
:func:`resolve_objection` notice            resolved on or after it was received
:func:`withdraw`        notice              back to candidate (an objection upheld)
:func:`list_entry`      notice              after the notice ended, every objection resolved
:func:`delist`          listed              a reason and a date
======================  ==================  ====================================================

Dates never go backwards: a step dated before the entry's last step is refused.

>>> from datetime import date
>>> from geonames.heritage.model import ProtectionList
>>> plist = ProtectionList("cq", "重庆市民政局", "municipal", "重庆市历史地名保护名录")
>>> e = propose(plist, "cq-3-001", "p1", "解放碑", "revolutionary", on=date(2024, 3, 1))
>>> list_entry(e, date(2024, 4, 1))
Traceback (most recent call last):
...
geonames.heritage.workflow.WorkflowError: entry cq-3-001 (解放碑) cannot be listed: it is a candidate that never went through public notice; open a notice first (geonames heritage notice ENTRY --start … --end …), then list it after the notice ends
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from geonames.errors import GeonamesError
from geonames.heritage.model import (
    Batch,
    Entry,
    EntryStatus,
    Evidence,
    Notice,
    Objection,
    Override,
    ProtectionList,
    Step,
)


class WorkflowError(GeonamesError):
    """A workflow step out of order (listing a candidate never noticed, an objection after the
    notice ended, a step dated before the previous one …)."""


class ProtectedNameError(GeonamesError):
    """A change to a place whose name is listed, attempted without an override.

    ``entries`` are the listed entries that protect the place(s).
    """

    def __init__(self, message: str, entries: Sequence[Entry] = ()) -> None:
        super().__init__(message)
        self.entries = tuple(entries)


# --------------------------------------------------------------------------------------------
# Workflow


def propose(plist: ProtectionList, entry_id: str, place_id: str, name: str, category: str,
            grade: str = "", *, on: date, batch: int | None = None,
            evidence: Evidence | None = None, measures: Iterable[str] = (),
            note: str = "", document: str = "") -> Entry:
    """A new candidate entry of ``plist``, proposed on ``on``.

    Raises
    ------
    WorkflowError
        When ``category`` or ``grade`` is not one the list declares.
    """
    check_classification(plist, category, grade)
    try:
        return Entry(entry_id, plist.id, place_id, name, category, grade, batch,
                     evidence or Evidence(), tuple(measures),
                     (Step(EntryStatus.CANDIDATE, on, document, "proposed"),), note=note)
    except ValueError as err:
        raise WorkflowError(str(err)) from None


def check_classification(plist: ProtectionList, category: str, grade: str) -> None:
    """Raise :class:`WorkflowError` unless the category (and grade) are the list's own."""
    if category not in plist.categories:
        raise WorkflowError(f"category {category!r} is not one of list {plist.id}'s: "
                            + ", ".join(f"{k} ({v})" for k, v in plist.categories.items()))
    if plist.grades and grade not in plist.grades:
        raise WorkflowError(f"grade {grade!r} is not one of list {plist.id}'s: "
                            + ", ".join(plist.grades))


def open_notice(entry: Entry, start: date, end: date, where: str = "",
                document: str = "") -> Entry:
    """Put a candidate under public notice from ``start`` to ``end`` (both included).

    Raises
    ------
    WorkflowError
        When the entry is not a candidate, ``end`` is before ``start``, or ``start`` is before
        the entry's last step.
    """
    _require(entry, EntryStatus.CANDIDATE, "be put under public notice")
    if end < start:
        raise WorkflowError(f"{_who(entry)}: the notice cannot end ({end}) before it starts "
                            f"({start})")
    _not_before_last(entry, start, "the notice")
    notice = Notice(start, end, where)
    return replace(entry, notices=(*entry.notices, notice),
                   steps=(*entry.steps, Step(EntryStatus.NOTICE, start, document,
                                             f"public notice {start} – {end}")))


def record_objection(entry: Entry, received: date, by: str, text: str) -> Entry:
    """Record an objection received on ``received`` during the entry's public notice.

    Raises
    ------
    WorkflowError
        When the entry is not under notice, or ``received`` falls outside the notice period.
    """
    if not text.strip():
        raise WorkflowError(f"{_who(entry)}: an objection needs its text")
    notice = _current_notice(entry, "take an objection")
    if received > notice.end:
        raise WorkflowError(
            f"objection to {_who(entry)} received {received} comes after its public notice "
            f"ended on {notice.end}; objections are recorded only during the notice "
            f"({notice.start} – {notice.end})")
    if received < notice.start:
        raise WorkflowError(
            f"objection to {_who(entry)} received {received} comes before its public notice "
            f"started on {notice.start}")
    updated = replace(notice, objections=(*notice.objections, Objection(received, by, text)))
    return replace(entry, notices=(*entry.notices[:-1], updated))


def resolve_objection(entry: Entry, number: int, on: date, resolution: str) -> Entry:
    """Record how objection ``number`` (1 = the first received) of the current notice was
    resolved.

    Raises
    ------
    WorkflowError
        When the entry is not under notice, there is no such objection, it is already
        resolved, or ``on`` is before it was received.
    """
    notice = _current_notice(entry, "resolve an objection")
    if not 1 <= number <= len(notice.objections):
        raise WorkflowError(f"{_who(entry)} has {len(notice.objections)} objection(s) in its "
                            f"current notice; there is no objection {number}")
    if not resolution.strip():
        raise WorkflowError(f"{_who(entry)}: say how objection {number} was resolved")
    objection = notice.objections[number - 1]
    if not objection.open:
        raise WorkflowError(f"objection {number} to {_who(entry)} was already resolved on "
                            f"{objection.resolved}")
    if on < objection.received:
        raise WorkflowError(f"objection {number} to {_who(entry)} cannot be resolved on {on}, "
                            f"before it was received ({objection.received})")
    objections = list(notice.objections)
    objections[number - 1] = replace(objection, resolved=on, resolution=resolution)
    return replace(entry, notices=(*entry.notices[:-1],
                                   replace(notice, objections=tuple(objections))))


def withdraw(entry: Entry, on: date, reason: str, document: str = "") -> Entry:
    """Take an entry under notice back to candidate (an objection was upheld).

    Its open objections are closed with ``reason``.
    """
    notice = _current_notice(entry, "be withdrawn from notice")
    if not reason.strip():
        raise WorkflowError(f"{_who(entry)}: say why it is withdrawn from notice")
    _not_before_last(entry, on, "the withdrawal")
    closed = tuple(replace(o, resolved=on, resolution=reason) if o.open else o
                   for o in notice.objections)
    return replace(entry, notices=(*entry.notices[:-1], replace(notice, objections=closed)),
                   steps=(*entry.steps, Step(EntryStatus.CANDIDATE, on, document,
                                             f"withdrawn from notice: {reason}")))


def list_entry(entry: Entry, on: date, batch: Batch | None = None, document: str = "") -> Entry:
    """Put an entry on its list on ``on`` (in ``batch`` when given).

    Raises
    ------
    WorkflowError
        When the entry never went through public notice, its notice has not ended by ``on``,
        an objection is still open, or the batch belongs to another list.
    """
    if entry.status == EntryStatus.CANDIDATE:
        raise WorkflowError(
            f"{_who(entry)} cannot be listed: it is a candidate that never went through "
            "public notice; open a notice first (geonames heritage notice ENTRY --start … "
            "--end …), then list it after the "
            "notice ends" if entry.notice is None else
            f"{_who(entry)} cannot be listed: it was withdrawn from its notice on "
            f"{entry.since}; put it under a new notice first")
    _require(entry, EntryStatus.NOTICE, "be listed")
    notice = entry.notice
    assert notice is not None
    if on <= notice.end:
        raise WorkflowError(f"{_who(entry)} cannot be listed on {on}: its public notice runs "
                            f"until {notice.end}; list it on or after {_day_after(notice.end)}")
    if notice.open_objections:
        dates = ", ".join(str(o.received) for o in notice.open_objections)
        raise WorkflowError(f"{_who(entry)} cannot be listed: {len(notice.open_objections)} "
                            f"objection(s) received during the notice ({dates}) are not "
                            "resolved; resolve them or withdraw the entry")
    number = entry.batch
    if batch is not None:
        if batch.list_id != entry.list_id:
            raise WorkflowError(f"{_who(entry)} belongs to list {entry.list_id}, not to the "
                                f"list of batch {batch.number} ({batch.list_id})")
        number = batch.number
        document = document or batch.document
    if number is None:
        raise WorkflowError(f"{_who(entry)} cannot be listed without a batch: give the batch "
                            "it is published in")
    return replace(entry, batch=number,
                   steps=(*entry.steps, Step(EntryStatus.LISTED, on, document,
                                             f"listed in batch {number}")))


def delist(entry: Entry, on: date, reason: str, document: str = "") -> Entry:
    """Take a listed entry off its list on ``on``.

    Raises
    ------
    WorkflowError
        When the entry is not listed, no reason is given, or ``on`` is before its listing.
    """
    _require(entry, EntryStatus.LISTED, "be delisted")
    if not reason.strip():
        raise WorkflowError(f"{_who(entry)}: say why it is delisted")
    _not_before_last(entry, on, "the delisting")
    return replace(entry, steps=(*entry.steps, Step(EntryStatus.DELISTED, on, document,
                                                    reason)))


#: The workflow: status → statuses it may move to.
TRANSITIONS: dict[EntryStatus, frozenset[EntryStatus]] = {
    EntryStatus.CANDIDATE: frozenset({EntryStatus.NOTICE}),
    EntryStatus.NOTICE: frozenset({EntryStatus.LISTED, EntryStatus.CANDIDATE}),
    EntryStatus.LISTED: frozenset({EntryStatus.DELISTED}),
    EntryStatus.DELISTED: frozenset(),
}


def check_steps(entry: Entry) -> None:
    """Check a recorded history (an imported entry): every move follows :data:`TRANSITIONS`,
    each notice step has its :class:`~geonames.heritage.model.Notice`, and a listing after a
    notice comes after the notice ended.

    The first step may be any status: what happened before a list was imported is often not
    recorded (an entry imported from a published list starts ``listed``).

    Raises
    ------
    WorkflowError
    """
    notices = iter(entry.notices)
    current: Notice | None = None
    for before, after in zip((None, *entry.steps), entry.steps):
        if before is not None and after.status not in TRANSITIONS[before.status]:
            raise WorkflowError(f"{_who(entry)}: step {after.status} on {after.date} cannot "
                                f"follow {before.status} on {before.date}")
        if after.status == EntryStatus.NOTICE:
            current = next(notices, None)
            if current is None or current.start != after.date:
                raise WorkflowError(f"{_who(entry)}: the notice step on {after.date} has no "
                                    "notice record starting that day")
        if (after.status == EntryStatus.LISTED and before is not None
                and current is not None and after.date <= current.end):
            raise WorkflowError(f"{_who(entry)}: listed on {after.date}, before its public "
                                f"notice ended ({current.end})")


def _who(entry: Entry) -> str:
    return f"entry {entry.id} ({entry.name})"


def _day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


_STATE = {EntryStatus.CANDIDATE: "a candidate", EntryStatus.NOTICE: "under public notice",
          EntryStatus.LISTED: "listed", EntryStatus.DELISTED: "delisted"}


def _require(entry: Entry, status: EntryStatus, action: str) -> None:
    if entry.status != status:
        since = f" since {entry.since}" if entry.since else ""
        raise WorkflowError(f"{_who(entry)} cannot {action}: it is {_STATE[entry.status]}"
                            f"{since}, and only an entry that is {_STATE[status]} can")


def _current_notice(entry: Entry, action: str) -> Notice:
    _require(entry, EntryStatus.NOTICE, action)
    assert entry.notice is not None
    return entry.notice


def _not_before_last(entry: Entry, day: date, what: str) -> None:
    if entry.steps and day < entry.steps[-1].date:
        last = entry.steps[-1]
        raise WorkflowError(f"{_who(entry)}: {what} dated {day} is before its last step "
                            f"({last.status} on {last.date})")


# --------------------------------------------------------------------------------------------
# Protection


def protecting(entries: Iterable[Entry], place_ids: Iterable[str]) -> list[Entry]:
    """The listed entries that protect any of ``place_ids``."""
    wanted = {str(p) for p in place_ids}
    return [e for e in entries if e.protected and str(e.place_id) in wanted]


def require_override(entries: Iterable[Entry], operation: str, place_ids: Iterable[str],
                     override: Override | None, lists: Mapping[str, ProtectionList] | None = None
                     ) -> list[Entry]:
    """Refuse a change to protected places unless an override is given.

    Parameters
    ----------
    entries : iterable of Entry
        The heritage entries of the register.
    operation : str
        ``"rename"``, ``"retire"``, ``"merge"``, ``"split"`` (used in the message).
    place_ids : iterable of str
        The places the change ends or renames.
    override : Override or None
    lists : mapping, optional
        List id → :class:`ProtectionList`, to name the lists in the message.

    Returns
    -------
    list of Entry
        The listed entries the change touches (empty when no place is protected); with an
        override, these are the entries the override is recorded against.

    Raises
    ------
    ProtectedNameError
        When a place is protected and ``override`` is None.
    """
    hits = protecting(entries, place_ids)
    if hits and override is None:
        lists = lists or {}
        what = "; ".join(
            f"{e.name} (place {e.place_id}) is listed on "
            f"{lists[e.list_id].title if e.list_id in lists else e.list_id}"
            f"{' batch ' + str(e.batch) if e.batch else ''} as entry {e.id}"
            f"{', grade ' + e.grade if e.grade else ''} since {e.step_date(EntryStatus.LISTED)}"
            for e in hits)
        raise ProtectedNameError(
            f"{operation} refused, nothing was changed: {what}. A protected name is changed "
            "only with an explicit override naming the decision that allows it "
            "(--override-decision DOCUMENT)", hits)
    return hits


# --------------------------------------------------------------------------------------------
# Impact of a proposed change





















# --------------------------------------------------------------------------------------------
# Criteria from dated history
































# --------------------------------------------------------------------------------------------
# Publication









