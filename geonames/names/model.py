"""Place names: the record a place-name office keeps for one named place.

Plain dataclasses, no I/O. A :class:`PlaceName` has one standard name at a time; short forms,
aliases and former names are :class:`NameVariant` records with their own validity and source
(GB/T 18521 kinds of name). Its lifecycle is a :class:`NameStatus` with dates
(:class:`StatusChange`), and the decision that approved it is an :class:`Approval`.

A plain rename keeps the place's id and moves the old standard name to a historical
:class:`NameVariant`; a merge or split ends old places and starts new ones, linked both ways
through ``supersedes`` / ``superseded_by`` (as in Who's On First).

>>> from datetime import date
>>> p = PlaceName(id="cq-0001", name="解放碑街道", romanization="Jiefangbei Jiedao",
...               category="1140", generic="街道", division_code="500103001",
...               status=NameStatus.IN_USE,
...               variants=(NameVariant("解放碑", VariantKind.SHORT),))
>>> p.proper
'解放碑'
>>> [v.name for v in p.variants_on(date(2024, 1, 1))]
['解放碑']
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from shapely.geometry.base import BaseGeometry

from geonames.divisions.codes import validate_code


class NameStatus(StrEnum):
    """Where a name is in its lifecycle."""

    RESERVED = "reserved"  # 储备/预命名: kept for a planned feature
    APPROVED = "approved"  # approved, feature not yet in use (e.g. road under construction)
    IN_USE = "in_use"
    RETIRED = "retired"  # 废止/注销: no longer a standard name


class VariantKind(StrEnum):
    """Kinds of name other than the standard name (GB/T 18521)."""

    SHORT = "short"  # 简称
    ALIAS = "alias"  # 别名
    HISTORICAL = "historical"  # 曾用名/历史地名
    FORMER_STANDARD = "former_standard"  # a standard name replaced by a rename
    ROMANIZED = "romanized"  # a romanized or foreign-language form (e.g. Wade-Giles)


@dataclass(frozen=True, slots=True)
class Approval:
    """The decision that approved (or changed, or retired) a name.

    Attributes
    ----------
    authority : str
        Who decided, e.g. ``"重庆市人民政府"``.
    document : str
        Document number, e.g. ``"渝府〔2016〕12号"``; empty when not known.
    date : datetime.date or None
    note : str
    """

    authority: str
    document: str = ""
    date: date | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class NameVariant:
    """A name other than the standard name, valid over ``[valid_from, valid_to)``.

    ``None`` for a date means open (since always / still valid). ``source`` says where the
    variant is attested (a gazetteer, a document number, a local chronicle and page).
    """

    name: str
    kind: VariantKind
    romanization: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a name variant needs a name")
        _check_interval(self.valid_from, self.valid_to, f"variant {self.name!r}")

    def valid_on(self, day: date) -> bool:
        """True when the variant was valid on ``day`` (from inclusive, to exclusive)."""
        return _within(day, self.valid_from, self.valid_to)


@dataclass(frozen=True, slots=True)
class StatusChange:
    """The name entered ``status`` on ``date`` (a step of the lifecycle)."""

    status: NameStatus
    date: date | None = None
    approval: Approval | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class PlaceName:
    """One named place in a place-name register.

    Attributes
    ----------
    id : str
        Stable id of the place; it survives renames.
    name : str
        The standard name (标准名称), e.g. ``"解放碑街道"``.
    romanization : str
        Its GB/T 16159 romanization (``"Jiefangbei Jiedao"``); see :func:`geonames.names.romanize`.
    category : str
        GB/T 18521 category code (``""`` when not known).
    generic : str
        The generic term (通名) of the name, e.g. ``"街道"``; ``""`` for names without one.
    division_code : str
        Code of the division the place lies in (or is, for a division's own name).
    geometry : shapely geometry or None
        Point, line or polygon, in the register's CRS.
    meaning, origin, history : str
        含义, 来历, 沿革.
    variants : tuple of NameVariant
    status : NameStatus
    status_history : tuple of StatusChange
        Lifecycle steps, oldest first.
    approval : Approval or None
        The decision behind the current standard name.
    valid_from, valid_to : datetime.date or None
        Validity of the place itself (inception, cessation).
    supersedes, superseded_by : tuple of str
        Ids of places this one replaced / was replaced by (merges, splits).
    properties : dict
        Anything else the register keeps (plain JSON-able values).
    """

    id: str
    name: str
    romanization: str = ""
    category: str = ""
    generic: str = ""
    division_code: str = ""
    geometry: BaseGeometry | None = None
    meaning: str = ""
    origin: str = ""
    history: str = ""
    variants: tuple[NameVariant, ...] = ()
    status: NameStatus = NameStatus.IN_USE
    status_history: tuple[StatusChange, ...] = ()
    approval: Approval | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    supersedes: tuple[str, ...] = ()
    superseded_by: tuple[str, ...] = ()
    properties: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not str(self.id).strip():
            raise ValueError("a place name needs an id")
        if not self.name.strip():
            raise ValueError(f"place {self.id!r} needs a standard name")
        if self.generic and not self.name.endswith(self.generic):
            raise ValueError(f"generic {self.generic!r} is not the end of name {self.name!r}")
        if self.division_code:
            reason = validate_code(self.division_code)
            if reason is not None:
                raise ValueError(reason)
        _check_interval(self.valid_from, self.valid_to, f"place {self.id!r}")

    @property
    def proper(self) -> str:
        """The proper part (专名): the name without its generic term."""
        return self.name[: len(self.name) - len(self.generic)] if self.generic else self.name

    @property
    def status_since(self) -> date | None:
        """Date of the last lifecycle step, or None when the history is empty or undated."""
        return self.status_history[-1].date if self.status_history else None

    def variants_on(self, day: date, kind: VariantKind | None = None) -> list[NameVariant]:
        """Variants valid on ``day`` (optionally of one kind), in stored order."""
        return [v for v in self.variants
                if v.valid_on(day) and (kind is None or v.kind == kind)]

    def all_names(self) -> list[str]:
        """The standard name then every variant's name, without repeats."""
        return list(dict.fromkeys([self.name, *(v.name for v in self.variants)]))

    def renamed(self, new_name: str, on: date | None, approval: Approval | None = None,
                romanization: str = "", generic: str | None = None) -> PlaceName:
        """A plain rename: same id, the old name kept as a former standard name.

        >>> p = PlaceName(id="500234", name="开县", generic="县")
        >>> q = p.renamed("开州区", date(2016, 6, 8), generic="区")
        >>> q.id, q.name, q.variants[0].name, q.variants[0].valid_to
        ('500234', '开州区', '开县', datetime.date(2016, 6, 8))
        """
        old = NameVariant(self.name, VariantKind.FORMER_STANDARD, self.romanization,
                          valid_from=self.approval.date if self.approval else None,
                          valid_to=on, source=_approval_text(self.approval))
        return replace(
            self, name=new_name, romanization=romanization,
            generic=self.generic if generic is None else generic,
            variants=(*self.variants, old), approval=approval,
            status_history=(*self.status_history,
                            StatusChange(self.status, on, approval, f"renamed from {self.name}")),
        )

    def with_status(self, status: NameStatus, on: date | None,
                    approval: Approval | None = None, note: str = "") -> PlaceName:
        """A copy moved to ``status`` on ``on``, the step recorded in ``status_history``."""
        return replace(self, status=status,
                       status_history=(*self.status_history,
                                       StatusChange(status, on, approval, note)),
                       valid_to=on if status == NameStatus.RETIRED else self.valid_to)


def _approval_text(approval: Approval | None) -> str:
    if approval is None:
        return ""
    return " ".join(p for p in (approval.authority, approval.document,
                                approval.date.isoformat() if approval.date else "") if p)


def _check_interval(start: date | None, end: date | None, what: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"{what}: valid_to {end} is before valid_from {start}")


def _within(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or start <= day) and (end is None or day < end)
