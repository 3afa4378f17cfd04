"""Place-name heritage: the workflow of list entries, protection, impact of proposed changes,
criteria computed from dated history, and the rows of the published list.

Pure functions over the records of :mod:`geonames.models.heritage`; no I/O. The register
(:mod:`geonames.registry`) stores the records and calls :func:`require_override` before every
rename, retirement, merge or split.

Workflow
--------
Each function takes an :class:`~geonames.models.heritage.Entry` and returns a new one with one
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
>>> from geonames.models.heritage import ProtectionList
>>> plist = ProtectionList("cq", "重庆市民政局", "municipal", "重庆市历史地名保护名录")
>>> e = propose(plist, "cq-3-001", "p1", "解放碑", "revolutionary", on=date(2024, 3, 1))
>>> list_entry(e, date(2024, 4, 1))
Traceback (most recent call last):
...
geonames.heritage.WorkflowError: entry cq-3-001 (解放碑) cannot be listed: it is a candidate that never went through public notice; open a notice first (geonames heritage notice ENTRY --start … --end …), then list it after the notice ends
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Protocol

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.crs import MetricCRS, choose_metric_crs, reproject
from geonames.errors import GeonamesError
from geonames.findings import Finding, Severity
from geonames.models.division import DivisionTable
from geonames.models.heritage import (
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
from geonames.models.placename import PlaceName, VariantKind

#: Days in a mean Gregorian year, for years of use computed from dates.
DAYS_PER_YEAR = 365.2425


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
    each notice step has its :class:`~geonames.models.heritage.Notice`, and a listing after a
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

#: Finding codes of the impact report.
IMPACT_LISTED = "heritage.impact.listed"
IMPACT_CANDIDATE = "heritage.impact.candidate"
IMPACT_UNLOCATED = "heritage.impact.unlocated"


def impact_of_place_change(entries: Iterable[Entry], place_ids: Iterable[str], kind: str,
                           new_name: str = "") -> list[Finding]:
    """Entries a rename or retirement of ``place_ids`` touches.

    Every active (candidate, notice, listed) entry of those places is reported: an error for a
    listed entry (the change needs an override), a warning for a candidate or one under
    notice. No geometry is involved.

    >>> from datetime import date
    >>> from geonames.models.heritage import Step
    >>> e = Entry("cq-2-010", "cq", "p7", "湖广会馆", "historical",
    ...           steps=(Step("listed", date(2021, 12, 31)),))
    >>> [f.message for f in impact_of_place_change([e], ["p7"], "rename", "禹王宫")]
    ['rename of place p7 to 禹王宫 would replace the protected name 湖广会馆 (listed since 2021-12-31)']
    """
    if kind not in ("rename", "retire"):
        raise GeonamesError(f"unknown place change {kind!r}: use rename or retire")
    wanted = {str(p) for p in place_ids}
    findings = []
    for e in entries:
        if not e.active or str(e.place_id) not in wanted:
            continue
        if kind == "rename":
            why = (f"rename of place {e.place_id}{' to ' + new_name if new_name else ''} would "
                   f"replace the protected name {e.name}")
        else:
            why = f"retirement of place {e.place_id} would end the protected name {e.name}"
        findings.append(_impact_finding(e, f"{why} ({_status_text(e)})", kind, [why]))
    return findings


def impact_of_division_change(
    entries: Iterable[Entry],
    locations: Mapping[str, BaseGeometry | None],
    divisions: DivisionTable | None,
    old_codes: Sequence[str],
    new_codes: Sequence[str] = (),
    *,
    kind: str = "merge",
    place_divisions: Mapping[str, str] | None = None,
    locations_crs: CRS | None = None,
    metric_crs: MetricCRS | None = None,
) -> list[Finding]:
    """Entries a division merge or split (old codes → new codes) touches, and why.

    An active entry is touched when its place's location lies in (or on the border of) the
    polygon of an old division, or when the register files the place under an old division
    (its division code equals an old code or starts with it: ``500103001`` is under
    ``500103``). Both reasons are given when both hold.

    Parameters
    ----------
    entries : iterable of Entry
    locations : mapping place id → shapely geometry (or None)
        Where each place is, in ``locations_crs``.
    divisions : DivisionTable or None
        Division polygons holding the old codes; None to use ``place_divisions`` only.
    old_codes, new_codes : sequences of str
        ``merge`` needs two or more old codes and one new; ``split`` one old and two or more
        new; ``change`` any.
    place_divisions : mapping place id → division code, optional
    locations_crs : pyproj.CRS, optional
        CRS of ``locations``; default the CRS of ``divisions``.
    metric_crs : MetricCRS, optional
        CRS of the findings' geometries; default chosen from the locations' extent.

    Returns
    -------
    list of Finding
        One per touched entry (:data:`IMPACT_LISTED` errors, :data:`IMPACT_CANDIDATE`
        warnings), plus an :data:`IMPACT_UNLOCATED` warning per active entry that has neither
        a location nor a division code (it cannot be assessed).

    Raises
    ------
    GeonamesError
        When the shape of the change is wrong or an old code is unknown.
    """
    old_codes = [str(c).strip() for c in old_codes]
    new_codes = [str(c).strip() for c in new_codes]
    _check_change_shape(kind, old_codes, new_codes)
    place_divisions = {str(k): str(v) for k, v in (place_divisions or {}).items() if v}
    entries = [e for e in entries if e.active]
    names: dict[str, str] = {}
    polygons: list[BaseGeometry] = []
    poly_codes: list[str] = []
    if divisions is not None:
        ids = [str(i) for i in divisions.ids]
        names = {i: str(n) for i, n in zip(ids, divisions.names)}
        for code in old_codes:
            found = [k for k, i in enumerate(ids) if i == code]
            if not found:
                raise GeonamesError(
                    f"division {code} is not in the divisions layer {divisions.source or ''} "
                    f"({len(ids)} divisions, e.g. {', '.join(ids[:5])}); give codes of that layer")
            for k in found:
                if divisions.geometries[k] is not None:
                    polygons.append(shapely.make_valid(divisions.geometries[k]))
                    poly_codes.append(code)
    elif not place_divisions:
        raise GeonamesError("give division polygons or the places' division codes to assess a "
                            f"{kind}")
    src_crs = locations_crs or (divisions.crs if divisions is not None else None)
    with_location = [e for e in entries if locations.get(str(e.place_id)) is not None]
    points = np.array([locations[str(e.place_id)] for e in with_location], dtype=object)
    inside: dict[str, list[str]] = {}
    if len(points) and polygons:
        if divisions is not None and src_crs is not None and src_crs != divisions.crs:
            points_in = reproject(points, src_crs, divisions.crs)
        else:
            points_in = points
        tree = shapely.STRtree(np.array(polygons, dtype=object))
        pt, poly = tree.query(points_in, predicate="intersects")
        for p, g in sorted(zip(pt.tolist(), poly.tolist())):
            inside.setdefault(with_location[p].id, [])
            if poly_codes[g] not in inside[with_location[p].id]:
                inside[with_location[p].id].append(poly_codes[g])
    metric = metric_crs or _metric_for(points, src_crs)
    geoms = dict(zip((e.id for e in with_location),
                     _to_metric(points, src_crs, metric)))
    change = f"{' + '.join(old_codes)} → {' + '.join(new_codes) or '?'}"
    findings = []
    for e in entries:
        reasons = []
        for code in inside.get(e.id, []):
            reasons.append(f"lies in {_division_text(code, names)}, which the {kind} "
                           f"{change} ends")
        filed = place_divisions.get(str(e.place_id), "")
        under = [c for c in old_codes if filed and filed.startswith(c)]
        if under:
            reasons.append(f"is filed in the register under division {filed}, part of "
                           f"{_division_text(under[0], names)}")
        if reasons:
            message = f"{e.name} ({_status_text(e)}) " + "; it ".join(reasons)
            findings.append(_impact_finding(e, message, kind, reasons, geoms.get(e.id),
                                            {"old_codes": old_codes, "new_codes": new_codes,
                                             "inside": inside.get(e.id, []),
                                             "filed_under": filed if under else ""}))
        elif e.id not in geoms and not filed:
            findings.append(Finding(
                IMPACT_UNLOCATED, Severity.WARNING, e.id,
                f"{e.name} (place {e.place_id}) has neither a location nor a division code "
                f"in the register: whether the {kind} touches it cannot be assessed",
                details={"entry": e.id, "place": str(e.place_id)}))
    return findings


def impact_of_area(
    entries: Iterable[Entry],
    locations: Mapping[str, BaseGeometry | None],
    area: BaseGeometry,
    crs: CRS,
    *,
    margin: float = 0.0,
    metric_crs: MetricCRS | None = None,
) -> list[Finding]:
    """Entries whose place lies in an affected area, or within ``margin`` metres of it.

    Parameters
    ----------
    entries : iterable of Entry
    locations : mapping place id → shapely geometry (or None), in ``crs``
    area : shapely polygon(s) in ``crs``
        The area a proposed change affects (a planned development, a boundary adjustment).
    crs : pyproj.CRS
        CRS of ``locations`` and ``area``.
    margin : float
        Distance in metres around the area within which places are also reported (value =
        distance in m). Default 0: only places in the area or on its border.
    metric_crs : MetricCRS, optional
        CRS the distances are measured in; default chosen from the area's extent.

    Returns
    -------
    list of Finding
        One per touched active entry; ``value`` is the distance in metres (0 inside).
    """
    if area is None or area.is_empty:
        raise GeonamesError("the affected area is empty")
    if margin < 0:
        raise GeonamesError(f"margin must be ≥ 0 m, got {margin}")
    metric = metric_crs or choose_metric_crs(crs, tuple(area.bounds))
    area_valid = shapely.make_valid(area)
    area_m = shapely.make_valid(reproject(np.array([area], dtype=object), crs, metric.crs)[0])
    entries = [e for e in entries if e.active]
    located = [e for e in entries if locations.get(str(e.place_id)) is not None]
    geoms = np.array([locations[str(e.place_id)] for e in located], dtype=object)
    # inside: decided in the data's own CRS (exact); distance: measured in metres
    metric_geoms = dict(zip((e.id for e in located), reproject(geoms, crs, metric.crs)))
    inside = dict(zip((e.id for e in located), shapely.intersects(geoms, area_valid)))
    findings = []
    for e in entries:
        if e.id not in metric_geoms:
            findings.append(Finding(
                IMPACT_UNLOCATED, Severity.WARNING, e.id,
                f"{e.name} (place {e.place_id}) has no location in the register: whether the "
                "area touches it cannot be assessed",
                details={"entry": e.id, "place": str(e.place_id)}))
            continue
        g = metric_geoms[e.id]
        distance = 0.0 if inside[e.id] else float(shapely.distance(area_m, g))
        if distance > margin:
            continue
        why = ("lies in the affected area" if distance == 0 else
               f"lies {distance:,.0f} m from the affected area (margin {margin:,.0f} m)")
        findings.append(_impact_finding(
            e, f"{e.name} ({_status_text(e)}) {why}", "area", [why], g,
            {"margin_m": margin}, value=distance, limit=margin, unit="m"))
    return findings


def _check_change_shape(kind: str, old: Sequence[str], new: Sequence[str]) -> None:
    if kind == "merge" and (len(old) < 2 or len(new) != 1):
        raise GeonamesError(f"a merge needs two or more old codes and one new code, got "
                            f"{len(old)} → {len(new)}")
    if kind == "split" and (len(old) != 1 or len(new) < 2):
        raise GeonamesError(f"a split needs one old code and two or more new codes, got "
                            f"{len(old)} → {len(new)}")
    if kind not in ("merge", "split", "change"):
        raise GeonamesError(f"unknown division change {kind!r}: use merge, split or change")
    if not old:
        raise GeonamesError("give the old division codes of the change")
    if len(set(old)) != len(old):
        raise GeonamesError(f"an old code is given twice: {', '.join(old)}")


def _division_text(code: str, names: Mapping[str, str]) -> str:
    return f"{names[code]} ({code})" if names.get(code) else f"division {code}"


def _status_text(e: Entry) -> str:
    if e.status == EntryStatus.LISTED:
        batch = f" in batch {e.batch}" if e.batch else ""
        return f"listed{batch} since {e.step_date(EntryStatus.LISTED)}"
    if e.status == EntryStatus.NOTICE and e.notice is not None:
        return f"under public notice {e.notice.start} – {e.notice.end}"
    return f"candidate since {e.since}" if e.since else "candidate"


def _impact_finding(e: Entry, message: str, kind: str, reasons: list[str],
                    geometry: BaseGeometry | None = None, details: dict | None = None,
                    **values) -> Finding:
    listed = e.status == EntryStatus.LISTED
    return Finding(
        IMPACT_LISTED if listed else IMPACT_CANDIDATE,
        Severity.ERROR if listed else Severity.WARNING,
        e.id, message, geometry=geometry,
        details={"entry": e.id, "place": str(e.place_id), "name": e.name,
                 "status": str(e.status), "list": e.list_id, "batch": e.batch,
                 "grade": e.grade, "category": e.category, "change": kind,
                 "reasons": reasons, **(details or {})},
        **values)


def _metric_for(points: np.ndarray, crs: CRS | None) -> MetricCRS | None:
    if crs is None or not len(points):
        return None
    return choose_metric_crs(crs, tuple(shapely.total_bounds(points)))


def _to_metric(points: np.ndarray, crs: CRS | None, metric: MetricCRS | None) -> np.ndarray:
    if not len(points) or crs is None or metric is None:
        return points
    return reproject(points, crs, metric.crs)


# --------------------------------------------------------------------------------------------
# Criteria from dated history


class DatedName(Protocol):
    """Anything with a name valid over ``[valid_from, valid_to)`` (e.g. NameVariant)."""

    name: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class NameSpan:
    """A name in use from ``valid_from`` (inclusive) to ``valid_to`` (exclusive; None = still)."""

    name: str
    valid_from: date | None
    valid_to: date | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class NameUse:
    """How a name has been used, computed by :func:`name_use`.

    Attributes
    ----------
    name : str
    in_use : bool
        True when the name is in use on the day asked about.
    first_used : date or None
        Start of the earliest span (None when unknown: "since always").
    continuous_since : date or None
        Start of the unbroken run that reaches the day asked about; None when not in use or
        when the run's start is unknown.
    years_continuous : float or None
        Length of that run in years (of 365.2425 days); None when its start is unknown.
    years_total : float or None
        Total years in use, interruptions excluded; None when a start is unknown.
    interruptions : tuple of (date, date)
        Each interval ``[from, to)`` in which the name was not in use between two uses.
    restored : tuple of date
        The dates the name came back into use after each interruption.
    """

    name: str
    in_use: bool
    first_used: date | None
    continuous_since: date | None
    years_continuous: float | None
    years_total: float | None
    interruptions: tuple[tuple[date, date], ...]
    restored: tuple[date, ...]

    @property
    def interrupted(self) -> bool:
        return bool(self.interruptions)


def place_name_spans(place: PlaceName) -> list[NameSpan]:
    """The dated names of a register place: its standard names over time.

    Standard names follow one another: a former standard name runs to its ``valid_to`` (the
    rename), from its ``valid_from`` or else from the end of the standard name before it (or
    the place's ``valid_from``, else its first recorded lifecycle step); the current name
    runs from the last rename (or, never renamed, from its approval date, else the place's
    ``valid_from``, else its first recorded step) to the place's ``valid_to``. A start that
    would fall after the name's end (a place entered into the register after the name had
    gone) is unknown (None).

    Historical names count only with both dates (one without an end ended at an unknown
    time); short forms and aliases are not counted as use of a name.
    """
    spans = [NameSpan(v.name, v.valid_from, v.valid_to, v.source) for v in place.variants
             if v.kind == VariantKind.HISTORICAL and v.valid_from is not None
             and v.valid_to is not None]
    standard = sorted((v for v in place.variants if v.kind == VariantKind.FORMER_STANDARD),
                      key=lambda v: v.valid_to or date.max)
    first_record = place.status_history[0].date if place.status_history else None
    previous_end = place.valid_from or first_record
    for v in standard:
        start = v.valid_from or previous_end
        if start is not None and v.valid_to is not None and start > v.valid_to:
            start = None
        spans.append(NameSpan(v.name, start, v.valid_to, v.source))
        previous_end = v.valid_to
    if standard:
        start = previous_end
    else:
        start = (place.approval.date if place.approval and place.approval.date else None) \
            or place.valid_from or first_record
    spans.append(NameSpan(place.name, start, place.valid_to))
    return spans


def name_use(spans: Iterable[DatedName], name: str, on: date) -> NameUse:
    """Continuous use of ``name`` up to ``on``, its interruptions and restorations.

    Spans of ``name`` that overlap or touch are joined; a gap between two of them is an
    interruption, and the start of the later one a restoration. Spans after ``on`` are
    ignored, and a span still open counts up to ``on``.

    >>> spans = [NameSpan("解放路", date(1950, 1, 1), date(1966, 9, 1)),
    ...          NameSpan("红卫路", date(1966, 9, 1), date(1981, 1, 1)),
    ...          NameSpan("解放路", date(1981, 1, 1))]
    >>> use = name_use(spans, "解放路", date(2021, 1, 1))
    >>> use.continuous_since, round(use.years_continuous, 2), use.interruptions
    (datetime.date(1981, 1, 1), 40.0, ((datetime.date(1966, 9, 1), datetime.date(1981, 1, 1)),))
    """
    runs: list[list[date | None]] = []
    for s in sorted((s for s in spans if s.name == name),
                    key=lambda s: s.valid_from or date.min):
        start, end = s.valid_from, s.valid_to
        if start is not None and start > on:
            continue
        end = on if end is None or end > on else end
        if runs and (runs[-1][1] is None or start is None or start <= runs[-1][1]):
            prev_end = runs[-1][1]
            runs[-1][1] = None if prev_end is None else max(prev_end, end)
        else:
            runs.append([start, end])
    if not runs:
        return NameUse(name, False, None, None, None, None, (), ())
    interruptions = tuple((a[1], b[0]) for a, b in zip(runs, runs[1:]))
    last_start, last_end = runs[-1]
    in_use = last_end is not None and last_end >= on and any(
        (s.valid_to is None or s.valid_to > on) and (s.valid_from is None or s.valid_from <= on)
        for s in spans if s.name == name)
    continuous_since = last_start if in_use else None
    years_cont = _years(last_start, on) if in_use and last_start is not None else None
    total = None
    if all(r[0] is not None for r in runs):
        total = sum(_years(r[0], r[1]) for r in runs)
    return NameUse(name, in_use, runs[0][0], continuous_since, years_cont, total,
                   interruptions, tuple(b[0] for b in runs[1:]))


def _years(start: date, end: date) -> float:
    return (end - start).days / DAYS_PER_YEAR


@dataclass(frozen=True, slots=True)
class HeldPeriod:
    """A period in which a place held a ``status`` (``"县"``) under a proper ``name``.

    Years are historical years: ``-221`` is 221 BC (there is no year 0); ``end`` is the year the
    period ended (None: still held). See :func:`parse_year` for the accepted spellings.
    """

    start: int
    end: int | None
    name: str
    status: str
    source: str = ""

    def __post_init__(self) -> None:
        for y in (self.start, self.end):
            if y == 0:
                raise ValueError("there is no year 0: 1 BC (-1) is followed by AD 1")
        if self.end is not None and _astro(self.end) < _astro(self.start):
            raise ValueError(f"period {self.name} {self.status}: ends ({self.end}) before it "
                             f"starts ({self.start})")


@dataclass(frozen=True, slots=True)
class HeldResult:
    """Outcome of :func:`held_name` (the 千年古县-style rule).

    Attributes
    ----------
    name, status : str
        The proper name and status checked.
    passed : bool
    held_since : int or None
        First year of the chain of periods that reaches ``through``.
    span_years : int
        Years from ``held_since`` to ``through``, short breaks included.
    held_years : int
        The same without the breaks.
    breaks : tuple of (int, int)
        Each break as (first year without, year restored), historical years.
    longest_break : int
        Years of the longest break inside the chain (0 when none).
    through : int
        The year the check runs to.
    reason : str
        One sentence.
    """

    name: str
    status: str
    passed: bool
    held_since: int | None
    span_years: int
    held_years: int
    breaks: tuple[tuple[int, int], ...]
    longest_break: int
    through: int
    reason: str


_YEAR = re.compile(r"^\s*(公元前|前|BC\s*|BCE\s*|-)?\s*(\d{1,4})\s*(年)?\s*(BC|BCE|AD|CE)?\s*$",
                   re.IGNORECASE)


def parse_year(text: str | int) -> int:
    """A historical year from ``649``, ``"649年"``, ``"-221"``, ``"前221"``, ``"公元前221年"``
    or ``"221 BC"`` (BC years negative, no year 0).

    >>> parse_year("公元前221年"), parse_year("221 BC"), parse_year("649年")
    (-221, -221, 649)
    """
    if isinstance(text, int) and not isinstance(text, bool):
        year = text
    else:
        match = _YEAR.match(str(text))
        if not match:
            raise GeonamesError(f"bad year {text!r}: write 649, 649年, -221, 前221 or 221 BC")
        bc = bool(match.group(1)) or (match.group(4) or "").upper() in ("BC", "BCE")
        year = -int(match.group(2)) if bc else int(match.group(2))
    if year == 0:
        raise GeonamesError("there is no year 0: 1 BC (-1) is followed by AD 1")
    return year


def _astro(year: int) -> int:
    """Astronomical year number (1 BC = 0, 2 BC = -1) so differences count years."""
    return year + 1 if year < 0 else year


def _historical(astro: int) -> int:
    return astro - 1 if astro <= 0 else astro


def held_name(periods: Iterable[HeldPeriod], name: str | None = None,
              statuses: Iterable[str] | None = None, *, min_years: int = 1000,
              max_break_years: int = 50, through: int | None = None) -> HeldResult:
    """Check the rule "status and proper name held at least ``min_years`` years, short breaks
    allowed" (the 千年古县 rule) on a dated history the user supplies.

    Periods that hold ``name`` under one of ``statuses`` are joined into chains where each
    break between two of them is at most ``max_break_years`` years; the rule passes when the
    chain that reaches ``through`` spans at least ``min_years`` years.

    Parameters
    ----------
    periods : iterable of HeldPeriod
    name : str, optional
        Proper name to check; default the name of the latest period.
    statuses : iterable of str, optional
        Statuses that count; default the status of the latest period.
    min_years : int
        Years the name must have been held (default 1000).
    max_break_years : int
        Longest break allowed inside the chain, in years (default 50, a project default:
        the published criteria only say "short" — set it to your rule).
    through : int, optional
        Year the check runs to (default: this year).

    >>> p = [HeldPeriod(649, None, "奉节", "县")]
    >>> r = held_name(p, through=2024)
    >>> r.passed, r.span_years
    (True, 1375)
    """
    periods = list(periods)
    if not periods:
        raise GeonamesError("give at least one dated period to check")
    latest = max(periods, key=lambda p: (_astro(p.end) if p.end is not None else 10**6,
                                         _astro(p.start)))
    name = name or latest.name
    wanted = set(statuses) if statuses else {latest.status}
    through = through or date.today().year
    status_text = "/".join(sorted(wanted))
    held = sorted(((_astro(p.start), _astro(p.end) if p.end is not None else _astro(through))
                   for p in periods if p.name == name and p.status in wanted),
                  key=lambda t: t)
    if not held:
        return HeldResult(name, status_text, False, None, 0, 0, (), 0, through,
                          f"no period holds the name {name} as {status_text}")
    chains: list[list[tuple[int, int]]] = []
    for start, end in held:
        if chains and start - chains[-1][-1][1] <= max_break_years:
            last = chains[-1][-1]
            if start <= last[1]:
                chains[-1][-1] = (last[0], max(last[1], end))
            else:
                chains[-1].append((start, end))
        else:
            chains.append([(start, end)])
    chain = chains[-1]
    end_astro = max(e for _, e in chain)
    breaks = tuple((_historical(a[1]), _historical(b[0])) for a, b in zip(chain, chain[1:]))
    longest = max((b[0] - a[1] for a, b in zip(chain, chain[1:])), default=0)
    since = chain[0][0]
    span = end_astro - since
    held_years = sum(e - s for s, e in chain)
    if end_astro < _astro(through):
        return HeldResult(name, status_text, False, _historical(since), span, held_years,
                          breaks, longest, through,
                          f"{name} ({status_text}) is not held through {through}: last held "
                          f"in {_historical(end_astro)}")
    passed = span >= min_years
    gap_note = (f" with {len(breaks)} break(s), the longest {longest} years (≤ "
                f"{max_break_years} allowed)" if breaks else " without a break")
    dropped = len(chains) - 1
    earlier = (f"; {dropped} earlier period(s) are cut off by breaks longer than "
               f"{max_break_years} years" if dropped else "")
    return HeldResult(
        name, status_text, passed, _historical(since), span, held_years, breaks, longest,
        through,
        f"{name} held as {status_text} since {_year_text(_historical(since))}: {span} years"
        f"{gap_note}{earlier}; {'meets' if passed else 'does not meet'} the {min_years}-year rule")


def _year_text(year: int) -> str:
    return f"{-year} BC" if year < 0 else str(year)


def check_held_name(periods: Iterable[HeldPeriod], subject: str, **kwargs) -> Finding:
    """:func:`held_name` as a finding: ``heritage.held_name`` (info when it passes, warning
    when not); value = years held (span), limit = ``min_years``."""
    result = held_name(periods, **kwargs)
    return Finding(
        "heritage.held_name", Severity.INFO if result.passed else Severity.WARNING, subject,
        result.reason, value=float(result.span_years),
        limit=float(kwargs.get("min_years", 1000)), unit="years",
        details={"name": result.name, "status": result.status, "passed": result.passed,
                 "held_since": result.held_since, "held_years": result.held_years,
                 "breaks": [list(b) for b in result.breaks],
                 "longest_break": result.longest_break, "through": result.through})


# --------------------------------------------------------------------------------------------
# Publication

#: Columns of the published list (CSV and HTML).
LIST_COLUMNS = ["list", "batch", "batch_published", "category", "category_label", "entry",
                "name", "romanization", "place", "place_name", "division", "grade", "status",
                "listed_on", "history", "sources", "measures"]


@dataclass(frozen=True, slots=True)
class PlaceInfo:
    """What the published list says of a place: its current name, romanization, division."""

    name: str = ""
    romanization: str = ""
    division: str = ""


def publication_rows(entries: Iterable[Entry], lists: Mapping[str, ProtectionList],
                     batches: Iterable[Batch], places: Mapping[str, PlaceInfo] | None = None,
                     *, statuses: Iterable[EntryStatus] = (EntryStatus.LISTED,),
                     romanize=None) -> list[dict[str, object]]:
    """The rows of the published list, ordered by list, batch, category (in the list's order),
    grade (the list's order), then romanization (alphabetical, as directories are).

    Parameters
    ----------
    entries, lists, batches
        The records; ``lists`` maps list id → list.
    places : mapping place id → PlaceInfo, optional
    statuses : iterable of EntryStatus
        Which entries to publish (default: listed only).
    romanize : callable str → str, optional
        Romanization of a protected name that differs from the place's current name (or when
        the register holds none); default :func:`geonames.romanize.romanize`.
    """
    places = places or {}
    wanted = set(statuses)
    batch_of = {(b.list_id, b.number): b for b in batches}
    if romanize is None:
        romanize = _default_romanize
    rows = []
    for e in entries:
        if e.status not in wanted:
            continue
        plist = lists.get(e.list_id)
        if plist is None:
            raise GeonamesError(f"entry {e.id} belongs to list {e.list_id}, which is not in "
                                "the register")
        info = places.get(str(e.place_id), PlaceInfo())
        roman = info.romanization if info.romanization and info.name == e.name \
            else romanize(e.name)
        batch = batch_of.get((e.list_id, e.batch)) if e.batch is not None else None
        rows.append({
            "list": plist.id, "batch": e.batch if e.batch is not None else "",
            "batch_published": batch.published.isoformat() if batch and batch.published else "",
            "category": e.category, "category_label": plist.category_label(e.category),
            "entry": e.id, "name": e.name, "romanization": roman, "place": e.place_id,
            "place_name": info.name, "division": info.division, "grade": e.grade,
            "status": str(e.status),
            "listed_on": _iso(e.step_date(EntryStatus.LISTED)),
            "history": e.evidence.history,
            "sources": " | ".join(s.text() for s in e.evidence.sources),
            "measures": " | ".join(e.measures),
        })

    def order(row: dict) -> tuple:
        plist = lists[str(row["list"])]
        cats = list(plist.categories)
        grades = list(plist.grades)
        return (str(row["list"]), row["batch"] if row["batch"] != "" else 10**6,
                cats.index(row["category"]) if row["category"] in cats else len(cats),
                grades.index(row["grade"]) if row["grade"] in grades else len(grades),
                str(row["romanization"]).lower(), str(row["name"]))
    return sorted(rows, key=order)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _default_romanize(name: str) -> str:
    from geonames.romanize import romanize

    return romanize(name).text
