"""Place-name heritage: protection lists, their batches, and the entries on them.

Plain frozen dataclasses, no I/O. A :class:`ProtectionList` (issuer, level, title) is published
in numbered :class:`Batch` es; each :class:`Entry` protects one name of one place of the
register (``place_id``), with a category, a grade, the :class:`Evidence` (short history and
:class:`Source` s with citations) and the protection measures.

An entry moves through a dated workflow (:class:`EntryStatus`)::

    candidate ──notice──▶ notice ──list──▶ listed ──delist──▶ delisted
        ▲                   │
        └────withdraw───────┘   (an objection upheld: back to candidate)

Every step is a dated :class:`Step`; a public notice (:class:`Notice`) has a start, an end and
the :class:`Objection` s received, each dated. The rules that move an entry are in
:mod:`geonames.heritage.workflow`; here the records only check that they are well formed.

Categories and grades are configurable per list: :data:`DEFAULT_CATEGORIES` is used when a list
declares none, and a list with an empty ``grades`` accepts any grade.

>>> from datetime import date
>>> plist = ProtectionList("cq", "重庆市民政局", "municipal", "重庆市历史地名保护名录")
>>> plist.category_label("revolutionary")
'红色地名'
>>> e = Entry("cq-3-001", "cq", "place-1", "解放碑", "revolutionary",
...           steps=(Step(EntryStatus.CANDIDATE, date(2024, 3, 1)),))
>>> e.status, e.since
(<EntryStatus.CANDIDATE: 'candidate'>, datetime.date(2024, 3, 1))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class EntryStatus(StrEnum):
    """Where an entry is in the workflow."""

    CANDIDATE = "candidate"  # proposed, under review (候选)
    NOTICE = "notice"  # under public notice for objections (公示)
    LISTED = "listed"  # published on the list: the name is protected (列入名录)
    DELISTED = "delisted"  # taken off the list (移出名录)


#: Statuses whose entries a proposed change "touches": everything not delisted.
ACTIVE_STATUSES = frozenset({EntryStatus.CANDIDATE, EntryStatus.NOTICE, EntryStatus.LISTED})

#: Categories used when a list declares none: key → label (in print order).
DEFAULT_CATEGORIES: MappingProxyType[str, str] = MappingProxyType({
    "historical": "历史文化地名",
    "revolutionary": "红色地名",
    "ethnic": "少数民族语地名",
    "natural": "自然地理实体地名",
    "other": "其他",
})

#: Levels of the body that issues a list.
LEVELS = ("national", "provincial", "municipal", "district")


@dataclass(frozen=True, slots=True)
class ProtectionList:
    """A protection list as its issuer publishes it.

    Attributes
    ----------
    id : str
        Stable key of the list in the register (``"cq-historical"``).
    issuer : str
        Who publishes it (``"重庆市民政局"``).
    level : str
        One of :data:`LEVELS`: ``"municipal"`` for a city's (or a municipality's) list,
        ``"district"`` for a district's or county's.
    title : str
        As published (``"重庆市历史地名保护名录"``).
    categories : mapping of str to str
        Allowed categories, key → printed label, in print order; default
        :data:`DEFAULT_CATEGORIES`.
    grades : tuple of str
        Allowed grades, highest first; empty accepts any grade.
    note : str
    """

    id: str
    issuer: str
    level: str
    title: str
    categories: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_CATEGORIES))
    grades: tuple[str, ...] = ()
    note: str = ""

    def __post_init__(self) -> None:
        if not str(self.id).strip():
            raise ValueError("a protection list needs an id")
        if not self.title.strip() or not self.issuer.strip():
            raise ValueError(f"protection list {self.id!r} needs a title and an issuer")
        if self.level not in LEVELS:
            raise ValueError(f"protection list {self.id!r}: level {self.level!r} is not one of "
                             + ", ".join(LEVELS))
        if not self.categories:
            raise ValueError(f"protection list {self.id!r} declares no categories")
        object.__setattr__(self, "grades", tuple(self.grades))

    def category_label(self, key: str) -> str:
        """The printed label of a category key (the key itself when unknown)."""
        return self.categories.get(key, key)


@dataclass(frozen=True, slots=True)
class Batch:
    """One published batch (第N批) of a list.

    ``published`` is the publication date and ``document`` the document that published it
    (number or title); either may be empty when not known, and ``note`` says so.
    """

    list_id: str
    number: int
    published: date | None = None
    document: str = ""
    title: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if int(self.number) < 1:
            raise ValueError(f"batch number {self.number} of list {self.list_id!r}: batches "
                             "are numbered from 1")

    @property
    def label(self) -> str:
        """``"第2批"`` unless a title is set."""
        return self.title or f"第{self.number}批"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a piece of evidence comes from: a citation a reader can follow.

    ``certain`` is False when the source supports the claim only in part or the claim rests
    on the compiler's judgement; ``note`` says what is uncertain.
    """

    citation: str
    url: str = ""
    locator: str = ""  # page, section, juan (卷) …
    accessed: date | None = None
    certain: bool = True
    note: str = ""

    def __post_init__(self) -> None:
        if not self.citation.strip():
            raise ValueError("a source needs a citation")

    def text(self) -> str:
        """One line: citation, locator, URL, and ``(uncertain: …)`` when not certain."""
        parts = [self.citation, self.locator, self.url]
        out = ", ".join(p for p in parts if p)
        if not self.certain:
            out += f" (uncertain{': ' + self.note if self.note else ''})"
        elif self.note:
            out += f" ({self.note})"
        return out


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a name deserves protection: its short history (沿革) and the sources for it."""

    history: str = ""
    sources: tuple[Source, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", tuple(self.sources))

    @property
    def certain(self) -> bool:
        """True when there is at least one source and every source is certain."""
        return bool(self.sources) and all(s.certain for s in self.sources)


@dataclass(frozen=True, slots=True)
class Objection:
    """An objection received during a public notice, and how it was resolved."""

    received: date
    by: str
    text: str
    resolved: date | None = None
    resolution: str = ""

    @property
    def open(self) -> bool:
        return self.resolved is None


@dataclass(frozen=True, slots=True)
class Notice:
    """A public notice (公示) of a candidate: objections are taken from ``start`` through
    ``end`` (both days included)."""

    start: date
    end: date
    where: str = ""
    objections: tuple[Objection, ...] = ()

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"a notice cannot end ({self.end}) before it starts ({self.start})")
        object.__setattr__(self, "objections", tuple(self.objections))

    @property
    def days(self) -> int:
        """Length of the notice in days, both ends included."""
        return (self.end - self.start).days + 1

    def running_on(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def open_objections(self) -> tuple[Objection, ...]:
        return tuple(o for o in self.objections if o.open)


@dataclass(frozen=True, slots=True)
class Step:
    """The entry entered ``status`` on ``date``, by ``document`` (a decision), for ``note``."""

    status: EntryStatus
    date: date
    document: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", EntryStatus(self.status))


@dataclass(frozen=True, slots=True)
class Entry:
    """One name on (or proposed for) a protection list.

    Attributes
    ----------
    id : str
        Stable key of the entry (``"cq-2-010"``).
    list_id : str
        The :class:`ProtectionList` it belongs to.
    place_id : str
        Id of the place in the name register.
    name : str
        The name protected (it may be a historical name of the place, not its current one).
    category : str
        A category key of the list.
    grade : str
        A grade of the list (any text when the list declares none).
    batch : int or None
        Number of the batch it was (or is to be) published in.
    evidence : Evidence
    measures : tuple of str
        Protection measures (保护措施), one sentence each.
    steps : tuple of Step
        Workflow steps, oldest first; the last one is the current status.
    notices : tuple of Notice
        Public notices, oldest first (a withdrawn candidate may be noticed again).
    note : str
    properties : dict
        Anything else (plain JSON-able values).
    """

    id: str
    list_id: str
    place_id: str
    name: str
    category: str
    grade: str = ""
    batch: int | None = None
    evidence: Evidence = field(default_factory=Evidence)
    measures: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    notices: tuple[Notice, ...] = ()
    note: str = ""
    properties: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for attr in ("id", "list_id", "place_id", "name", "category"):
            if not str(getattr(self, attr)).strip():
                raise ValueError(f"heritage entry {self.id!r} needs a {attr.replace('_', ' ')}")
        object.__setattr__(self, "measures", tuple(self.measures))
        object.__setattr__(self, "steps", tuple(self.steps))
        object.__setattr__(self, "notices", tuple(self.notices))
        for before, after in zip(self.steps, self.steps[1:]):
            if after.date < before.date:
                raise ValueError(f"heritage entry {self.id!r}: step {after.status} on "
                                 f"{after.date} is dated before step {before.status} on "
                                 f"{before.date}")

    @property
    def status(self) -> EntryStatus:
        """The current status: that of the last step (a candidate when there is none)."""
        return self.steps[-1].status if self.steps else EntryStatus.CANDIDATE

    @property
    def since(self) -> date | None:
        """Date of the last step."""
        return self.steps[-1].date if self.steps else None

    @property
    def notice(self) -> Notice | None:
        """The latest public notice, or None."""
        return self.notices[-1] if self.notices else None

    @property
    def protected(self) -> bool:
        """True while the entry is listed: the register refuses to change the name."""
        return self.status == EntryStatus.LISTED

    @property
    def active(self) -> bool:
        """True unless delisted: proposed changes that touch it must be reported."""
        return self.status in ACTIVE_STATUSES

    def status_on(self, day: date) -> EntryStatus | None:
        """The status on ``day``; None before the first step."""
        current = None
        for step in self.steps:
            if step.date <= day:
                current = step.status
        return current

    def step_date(self, status: EntryStatus) -> date | None:
        """Date of the last step into ``status``, or None."""
        for step in reversed(self.steps):
            if step.status == status:
                return step.date
        return None


@dataclass(frozen=True, slots=True)
class Override:
    """An explicit decision to change a protected name anyway.

    A rename, retirement, merge or split of a place whose name is listed is refused unless the
    write carries an ``Override`` naming the decision that allows it; the register writes it
    into the history next to the change.

    Attributes
    ----------
    decision : str
        Reference of the decision (document number, ``"渝府〔2025〕12号"``); required.
    authority : str
        Who decided.
    date : datetime.date or None
        Date of the decision.
    reason : str
    """

    decision: str
    authority: str = ""
    date: date | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if not str(self.decision).strip():
            raise ValueError("an override needs the reference of the decision that allows it")

    def text(self) -> str:
        """One line: ``"渝府〔2025〕12号 (重庆市人民政府, 2025-03-01): reason"``."""
        extra = ", ".join(p for p in (self.authority,
                                      self.date.isoformat() if self.date else "") if p)
        out = self.decision + (f" ({extra})" if extra else "")
        return out + (f": {self.reason}" if self.reason else "")


@dataclass(frozen=True, slots=True)
class OverrideRecord:
    """A change made to protected places under an :class:`Override`, as the register's
    history records it.

    Attributes
    ----------
    date : datetime.date or None
        Effective date of the change.
    operation : str
        ``"rename"``, ``"retire"``, ``"merge"`` or ``"split"``.
    place_ids : tuple of str
        The places changed.
    entries : tuple of str
        Ids of the listed entries that protected them.
    names : tuple of str
        The protected names.
    override : Override
    event : str
        Id of the register's history event, when it has one.
    summary : str
        What changed, in one line (``"湖广会馆 → 禹王宫"``).
    """

    date: date | None
    operation: str
    place_ids: tuple[str, ...]
    entries: tuple[str, ...]
    names: tuple[str, ...]
    override: Override
    event: str = ""
    summary: str = ""


#: Columns of the published list (CSV and HTML).
LIST_COLUMNS = ["list", "batch", "batch_published", "category", "category_label", "entry",
                "name", "romanization", "place", "place_name", "division", "grade", "status",
                "listed_on", "history", "sources", "measures"]
