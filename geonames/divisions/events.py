"""Division history as plain data: change events, code identities, code-list revisions.

A division code is an identity only together with its validity interval (500110 was 万盛区
until 2011 and 綦江区 after). :class:`CodeIdentity` is that pair; :class:`DivisionEvent` is one
recorded change between identities (established, abolished, renamed, recoded, reparented,
merged, split); :class:`CodeListRevision` is one published code list (a GB/T 2260 revision).

Dates
-----
Every date is a :class:`datetime.date`. Intervals are half-open: an identity is valid on ``d``
when ``valid_from <= d < valid_to``; ``valid_from`` None means "before the records start",
``valid_to`` None means "still valid". An event's ``date`` is the first day on which the new
state holds. A date written ``YYYY-MM`` (month precision) stands for the first day of that month.

No I/O here: the files are read by :mod:`geonames.divisions.history_io`.

>>> e = DivisionEvent.of("recoded", "2016-07", old=["500234 开县"], new=["500154 开州区"])
>>> e.kind.value, e.date.isoformat(), e.old[0].name, e.new[0].code
('recoded', '2016-07-01', '开县', '500154')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from geonames.divisions.codes import PROVINCES, parse_code
from geonames.errors import CodeError, GeonamesError

#: ``date`` under another name, for annotations inside classes with a field called ``date``.
Day = date


class HistoryError(GeonamesError, ValueError):
    """An event, date or history query that cannot be right (bad kind, date, code, sequence)."""


class EventKind(StrEnum):
    """What happened to one or more divisions."""

    ESTABLISHED = "established"
    ABOLISHED = "abolished"
    RENAMED = "renamed"
    RECODED = "recoded"
    REPARENTED = "reparented"
    MERGED = "merged"
    SPLIT = "split"
    DISSOLVED = "dissolved"


#: (minimum old units, maximum old units, minimum new units, maximum new units); None = any.
EVENT_SHAPES: dict[EventKind, tuple[int, int | None, int, int | None]] = {
    EventKind.ESTABLISHED: (0, 0, 1, None),
    EventKind.ABOLISHED: (1, None, 0, 0),
    EventKind.RENAMED: (1, 1, 1, 1),
    EventKind.RECODED: (1, 1, 1, 1),
    EventKind.REPARENTED: (1, 1, 1, 1),
    EventKind.MERGED: (2, None, 1, 1),
    EventKind.SPLIT: (1, 1, 2, None),
    EventKind.DISSOLVED: (1, 1, 1, None),
}

_DATE = re.compile(r"^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?$")


def parse_when(value: str | date) -> date:
    """A date from ``date`` (a datetime gives its day), ``"YYYY-MM-DD"``, ``"YYYY-MM"`` or
    ``"YYYYMM"`` (the first of the month).

    >>> parse_when("2011-10").isoformat(), parse_when("201110").isoformat()
    ('2011-10-01', '2011-10-01')

    Raises
    ------
    HistoryError
        For anything else (``"2010-13-01"``, ``"last year"``, ``""``).
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _DATE.match(text)
    if not match or match.group(2) is None:
        raise HistoryError(f"bad date {text!r}: write YYYY-MM-DD, YYYY-MM or YYYYMM")
    year, month, day = match.group(1), match.group(2), match.group(3) or "01"
    try:
        return date(int(year), int(month), int(day))
    except ValueError as err:
        raise HistoryError(f"bad date {text!r}: {err}") from None


def check_history_code(code: str) -> str:
    """The code, stripped, when it can be a division code in a history; else HistoryError.

    Codes must parse with :func:`geonames.divisions.codes.parse_code`, except that 6-digit codes of a
    known province are accepted even outside today's ranges: older code lists used such codes
    (Hainan's ``4600xx`` before 1988).
    """
    text = str(code).strip()
    try:
        parse_code(text)
    except CodeError as err:
        if not (len(text) == 6 and text.isdigit() and text[:2] in PROVINCES):
            raise HistoryError(str(err)) from None
    return text



def event_kind(kind: str | EventKind) -> EventKind:
    """The :class:`EventKind` named by ``kind``; :class:`HistoryError` for an unknown one."""
    try:
        return EventKind(kind)
    except ValueError:
        raise HistoryError(f"unknown event kind {kind!r}; kinds are: "
                           + ", ".join(k.value for k in EventKind)) from None

@dataclass(frozen=True, slots=True)
class NamedCode:
    """One side of an event: a code with the name (and optionally the parent) it had then."""

    code: str
    name: str = ""
    parent: str | None = None

    @classmethod
    def parse(cls, text: str) -> NamedCode:
        """``"500234 开县"`` → ``NamedCode("500234", "开县")``; the name may be omitted."""
        parts = str(text).strip().split(None, 1)
        if not parts:
            raise HistoryError("empty division: write 'CODE NAME', e.g. '500234 开县'")
        return cls(check_history_code(parts[0]), parts[1].strip() if len(parts) > 1 else "")

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


@dataclass(frozen=True, slots=True)
class DivisionEvent:
    """One change to divisions.

    Attributes
    ----------
    kind : EventKind
    date : date
        Effective date: the first day of the new state.
    old, new : tuple of NamedCode
        The divisions before and after. ``renamed`` keeps the code; ``recoded`` changes it (a
        new name may come with it, as 璧山县 500227 → 璧山区 500120); ``reparented`` changes
        the parent (and with GB/T 2260 usually the code); ``merged`` ends several divisions and
        starts one; ``split`` ends one and starts several.
    decision : str
        The approving decision (``"国函〔2014〕58号"``), when known.
    source : str
        Where the event is documented (a publication, a code-list revision, a URL).
    note : str
    earliest : date or None
        Set on events inferred from code lists: the change took effect on or after
        ``earliest`` and on or before the end of the month of ``date`` (see
        :func:`geonames.divisions.history.infer_events`). None for recorded events.
    inferred : bool
        True for events inferred from code-list revisions, False for recorded ones.
    """

    kind: EventKind
    date: date
    old: tuple[NamedCode, ...] = ()
    new: tuple[NamedCode, ...] = ()
    decision: str = ""
    source: str = ""
    note: str = ""
    earliest: Day | None = None
    inferred: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", event_kind(self.kind))
        object.__setattr__(self, "old", tuple(self.old))
        object.__setattr__(self, "new", tuple(self.new))
        self._check_shape()

    @classmethod
    def of(cls, kind: str, when: str | Day, old: Iterable[str | NamedCode] = (),
           new: Iterable[str | NamedCode] = (), **extra) -> DivisionEvent:
        """Build an event from plain values: ``of("merged", "2011-10", ["500110 万盛区",
        "500222 綦江县"], ["500110 綦江区"], source=...)``."""
        def units(items):
            return tuple(u if isinstance(u, NamedCode) else NamedCode.parse(u) for u in items)
        return cls(event_kind(kind), parse_when(when), units(old), units(new), **extra)

    @property
    def old_codes(self) -> tuple[str, ...]:
        return tuple(u.code for u in self.old)

    @property
    def new_codes(self) -> tuple[str, ...]:
        return tuple(u.code for u in self.new)

    @property
    def reference(self) -> str:
        """The decision when known, else the source."""
        return self.decision or self.source

    def describe(self) -> str:
        """One line: ``2011-10-01 merged 500110 万盛区 + 500222 綦江县 → 500110 綦江区``."""
        old = " + ".join(str(u) for u in self.old)
        new = " + ".join(str(u) for u in self.new)
        arrow = f"{old} → {new}" if old and new else (old or new)
        approx = " (inferred)" if self.inferred else ""
        return f"{self.date.isoformat()} {self.kind}{approx} {arrow}"

    def _check_shape(self) -> None:
        lo_old, hi_old, lo_new, hi_new = EVENT_SHAPES[self.kind]
        n_old, n_new = len(self.old), len(self.new)
        what = f"{self.kind} event on {self.date}"
        if n_old < lo_old or (hi_old is not None and n_old > hi_old):
            raise HistoryError(f"{what}: needs {_count(lo_old, hi_old)} old division(s), "
                               f"got {n_old}")
        if n_new < lo_new or (hi_new is not None and n_new > hi_new):
            raise HistoryError(f"{what}: needs {_count(lo_new, hi_new)} new division(s), "
                               f"got {n_new}")
        for side, units in (("old", self.old), ("new", self.new)):
            codes = [u.code for u in units]
            if len(set(codes)) != len(codes):
                raise HistoryError(f"{what}: a code is listed twice among the {side} divisions")
        lengths = {len(u.code) for u in (*self.old, *self.new)}
        if len(lengths) > 1:
            raise HistoryError(f"{what}: mixes codes of different levels "
                               f"({', '.join(u.code for u in (*self.old, *self.new))})")
        if self.kind == EventKind.RENAMED:
            (o,), (n,) = self.old, self.new
            if o.code != n.code:
                raise HistoryError(f"{what}: a rename keeps the code, but {o.code} → {n.code}; "
                                   "use kind 'recoded'")
            if not n.name:
                raise HistoryError(f"{what}: give the new name of {n.code}")
            if o.name == n.name:
                raise HistoryError(f"{what}: {o.code} keeps its name {o.name!r}")
        if self.kind == EventKind.RECODED and self.old[0].code == self.new[0].code:
            raise HistoryError(f"{what}: {self.old[0].code} keeps its code; use kind 'renamed'")
        if self.kind == EventKind.REPARENTED:
            (o,), (n,) = self.old, self.new
            if o.code == n.code and (n.parent is None or n.parent == o.parent):
                raise HistoryError(f"{what}: {o.code} keeps its code; give the new parent")


def _count(lo: int, hi: int | None) -> str:
    if hi is None:
        return f"at least {lo}"
    return str(lo) if lo == hi else f"{lo} to {hi}"


@dataclass(frozen=True, slots=True)
class Span:
    """A value (a name, a parent code) held from ``valid_from`` (inclusive) to ``valid_to``."""

    value: str
    valid_from: date | None
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class CodeIdentity:
    """A code together with its validity interval: one division's life under one code.

    A rename keeps the identity (``names`` records each name with its interval); a recode,
    merge, split or abolition ends it.
    """

    code: str
    valid_from: date | None
    valid_to: date | None
    names: tuple[Span, ...] = ()
    parents: tuple[Span, ...] = ()

    def valid_on(self, when: date) -> bool:
        return ((self.valid_from is None or self.valid_from <= when)
                and (self.valid_to is None or when < self.valid_to))

    def name_on(self, when: date | None = None) -> str:
        """The name on ``when`` (the last name when ``when`` is None; "" outside the spans)."""
        return _value_on(self.names, when) or ""

    def parent_on(self, when: date | None = None) -> str | None:
        return _value_on(self.parents, when)

    @property
    def name(self) -> str:
        """The last name."""
        return self.names[-1].value if self.names else ""

    def interval(self) -> str:
        """``"1997-12-01 – 2011-10-01"``, with ``…`` for an open end."""
        start = self.valid_from.isoformat() if self.valid_from else "…"
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{start} – {end}"

    def __str__(self) -> str:
        return f"{self.code} {self.name} [{self.interval()})"


def _value_on(spans: tuple[Span, ...], when: date | None) -> str | None:
    if not spans:
        return None
    if when is None:
        return spans[-1].value
    for s in spans:
        if (s.valid_from is None or s.valid_from <= when) and \
                (s.valid_to is None or when < s.valid_to):
            return s.value
    return None


@dataclass(frozen=True, slots=True)
class CodeListRevision:
    """One published code list: ``label`` as published (``"201110"``), ``date`` the first day
    of that month, ``codes`` code → name, ``source`` how events inferred from it cite it
    (empty: ``"GB/T 2260 revision LABEL"``)."""

    label: str
    date: date
    codes: dict[str, str] = field(default_factory=dict)
    source: str = ""
