"""Boundary markers (界桩): numbers, types, status, and a register of them.

A marker number is the line code, a 3-digit sequence number and a type code (GB/T 17796):
``Q`` a single marker, ``A``/``B`` a pair sharing one sequence number (one on each side of the
line, e.g. on both banks of a river), ``C``/``D``/``E`` a triple at a tripoint. Other numbering
schemes are expressed by a :class:`NumberPattern` (a regular expression with the named groups
``line``, ``seq`` and ``type``).

>>> DEFAULT_PATTERN.parse("500101500102" "007A")
MarkerNumber(line='500101500102', seq=7, type='A')
>>> DEFAULT_PATTERN.format("500101500102", 7, "A")
'500101500102007A'
>>> DEFAULT_PATTERN.parse("500101-12Q") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import NamedTuple

import numpy as np
from pyproj import CRS
from shapely.geometry.base import BaseGeometry


class MarkerStatus(StrEnum):
    """Condition of a marker found on site."""

    INTACT = "intact"
    DAMAGED = "damaged"
    MISSING = "missing"
    REBUILT = "rebuilt"


#: Words accepted for each status (lower-cased), English and Chinese.
STATUS_WORDS: dict[str, MarkerStatus] = {
    "intact": MarkerStatus.INTACT, "ok": MarkerStatus.INTACT, "good": MarkerStatus.INTACT,
    "完好": MarkerStatus.INTACT, "正常": MarkerStatus.INTACT, "良好": MarkerStatus.INTACT,
    "damaged": MarkerStatus.DAMAGED, "broken": MarkerStatus.DAMAGED,
    "损坏": MarkerStatus.DAMAGED, "破损": MarkerStatus.DAMAGED, "损毁": MarkerStatus.DAMAGED,
    "missing": MarkerStatus.MISSING, "lost": MarkerStatus.MISSING, "丢失": MarkerStatus.MISSING,
    "缺失": MarkerStatus.MISSING, "灭失": MarkerStatus.MISSING,
    "rebuilt": MarkerStatus.REBUILT, "replaced": MarkerStatus.REBUILT, "new": MarkerStatus.REBUILT,
    "重建": MarkerStatus.REBUILT, "新建": MarkerStatus.REBUILT, "补设": MarkerStatus.REBUILT,
}


def normalise_status(text: str | None) -> str | None:
    """The :class:`MarkerStatus` value of a status word, ``""`` when blank, None when unknown.

    >>> normalise_status("完好"), normalise_status(" Missing "), normalise_status("")
    ('intact', 'missing', '')
    >>> normalise_status("sunk") is None
    True
    """
    word = (text or "").strip().lower()
    if not word:
        return ""
    status = STATUS_WORDS.get(word)
    return None if status is None else status.value


#: Marker kinds by type code: the family each code belongs to, and the codes a family needs.
SINGLE_TYPES = frozenset("Q")
PAIR_TYPES = frozenset("AB")
TRIPLE_TYPES = frozenset("CDE")


#: The kind of marker each type code belongs to.
TYPE_FAMILY = {**{t: "single" for t in "Q"}, **{t: "pair" for t in "AB"},
               **{t: "triple" for t in "CDE"}}


def family_of(type_code: str) -> str:
    """``"single"``, ``"pair"``, ``"triple"`` or ``""`` for a type code.

    >>> family_of("B"), family_of("E"), family_of("Q"), family_of("X")
    ('pair', 'triple', 'single', '')
    """
    return TYPE_FAMILY.get(type_code, "")


def family_members(family: str) -> frozenset[str]:
    """The type codes a complete set of a family has (``"pair"`` → A and B)."""
    return {"single": SINGLE_TYPES, "pair": PAIR_TYPES, "triple": TRIPLE_TYPES}.get(
        family, frozenset())


class MarkerNumber(NamedTuple):
    """A parsed marker number: the line it belongs to, its sequence number and type code."""

    line: str
    seq: int
    type: str

    @property
    def family(self) -> str:
        """``"single"``, ``"pair"`` or ``"triple"``."""
        return family_of(self.type)


def _nested_repeat(regex: str) -> bool:
    """Whether a regular expression repeats a group that itself repeats (catastrophic
    backtracking: ``(a+)+``, ``(a*)*``, ``(a|aa)+`` …)."""
    import re._parser as sre_parse  # type: ignore[import-not-found]  # not in typeshed

    repeats = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT}

    def walk(items, inside: bool) -> bool:
        for op, arg in items:
            if op in repeats:
                lo, hi, sub = arg
                many = hi is sre_parse.MAXREPEAT or hi > 1
                if many and inside:
                    return True
                if walk(sub, inside or many):
                    return True
            elif op is sre_parse.SUBPATTERN:
                if walk(arg[-1], inside):
                    return True
            elif op is sre_parse.BRANCH and any(walk(branch, inside) for branch in arg[1]):
                return True
        return False

    return walk(sre_parse.parse(regex), False)


def _check_template(template: str) -> None:
    """A number template may use only {line}, {seq} and {type}, with short format specs."""
    import string

    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as err:
        raise ValueError(f"marker number template {template!r}: {err}") from None
    for _, name, spec, _conversion in fields:
        if name is None:
            continue
        if name not in ("line", "seq", "type"):
            raise ValueError(f"marker number template {template!r}: use only {{line}}, {{seq}} "
                             f"and {{type}}, not {{{name}}}")
        if len(spec or "") > 10 or any(len(d) > 2 for d in re.findall(r"\d+", spec or "")):
            raise ValueError(f"marker number template {template!r}: format spec {spec!r} "
                             "is too wide")
    try:
        template.format(line="500111500118", seq=1, type="C")
    except (ValueError, KeyError, IndexError, TypeError) as err:
        raise ValueError(f"marker number template {template!r} cannot write a number: "
                         f"{err}") from None


@dataclass(frozen=True)
class NumberPattern:
    """How marker numbers are written.

    Parameters
    ----------
    regex : str
        A regular expression matching a whole number, with named groups ``line``, ``seq``
        (digits) and ``type`` (one of Q A B C D E).
    template : str
        ``str.format`` template writing a number from ``line``, ``seq`` (int) and ``type``.

    Examples
    --------
    A scheme with a dash between the line and a 2-digit sequence:

    >>> p = NumberPattern(r"(?P<line>[^-]+)-(?P<seq>\\d{2})(?P<type>[QABCDE])",
    ...                   "{line}-{seq:02d}{type}")
    >>> p.parse("渝黔线-07Q")
    MarkerNumber(line='渝黔线', seq=7, type='Q')
    """

    regex: str = r"(?P<line>.+?)(?P<seq>\d{3})(?P<type>[QABCDE])"
    template: str = "{line}{seq:03d}{type}"
    _compiled: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            compiled = re.compile(self.regex)
        except re.error as err:
            raise ValueError(f"marker number pattern {self.regex!r} is not a regular "
                             f"expression: {err}") from None
        missing = {"line", "seq", "type"} - set(compiled.groupindex)
        if missing:
            raise ValueError(f"marker number pattern {self.regex!r} lacks the named groups "
                             f"{', '.join(sorted(missing))}")
        if _nested_repeat(self.regex):
            raise ValueError(f"marker number pattern {self.regex!r} repeats a repetition "
                             "(such as (a+)+), which can take forever on a long number")
        _check_template(self.template)
        object.__setattr__(self, "_compiled", compiled)

    def parse(self, text: str) -> MarkerNumber | None:
        """The parts of a number, or None when it does not follow the pattern."""
        match = self._compiled.fullmatch((text or "").strip())
        if match is None:
            return None
        line, seq, type_code = match.group("line", "seq", "type")
        type_code = type_code.upper()
        if type_code not in TYPE_FAMILY:
            return None
        try:
            return MarkerNumber(line, int(seq), type_code)
        except ValueError:
            return None

    def parse_many(self, texts: list[str]) -> list[MarkerNumber | None]:
        """:meth:`parse` for many numbers (stripped already)."""
        fullmatch = self._compiled.fullmatch
        out: list[MarkerNumber | None] = []
        append = out.append
        for text in texts:
            match = fullmatch(text)
            if match is None:
                append(None)
                continue
            line, seq, type_code = match.group("line", "seq", "type")
            if type_code not in TYPE_FAMILY:
                type_code = type_code.upper()
                if type_code not in TYPE_FAMILY:
                    append(None)
                    continue
            try:
                append(MarkerNumber(line, int(seq), type_code))
            except ValueError:
                append(None)
        return out

    def format(self, line: str, seq: int, type_code: str) -> str:
        """Write a number."""
        return self.template.format(line=line, seq=seq, type=type_code)


DEFAULT_PATTERN = NumberPattern()


@dataclass(frozen=True, slots=True)
class Marker:
    """One boundary marker of a register."""

    number: str
    geometry: BaseGeometry | None
    status: str = ""
    line_code: str = ""
    type: str = ""
    survey_date: date | str | None = None


@dataclass
class MarkerTable:
    """A marker register as parallel arrays (one element per row of the register).

    Attributes
    ----------
    numbers : array of str
        Marker numbers as written.
    geometries : array of shapely Points (None where the row's coordinates were unusable)
    statuses : array of str
        :class:`MarkerStatus` values, ``""`` when not given.
    line_codes : array of str
        The line column of the register when it has one (``""`` otherwise).
    types : array of str
        The type column of the register when it has one.
    survey_dates : array of str
    rows : array of int
        Row (or feature) number in the source, for messages.
    crs : pyproj.CRS
    source : str
    elevations : float array or None
        Elevation of each marker, metres (NaN where not given); None when the register has no
        elevation column.
    materials : array of str or None
        What each marker is made of, as the register writes it; None without such a column.
    """

    numbers: np.ndarray
    geometries: np.ndarray
    statuses: np.ndarray
    line_codes: np.ndarray
    types: np.ndarray
    survey_dates: np.ndarray
    rows: np.ndarray
    crs: CRS
    source: str = ""
    elevations: np.ndarray | None = None
    materials: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.numbers)

    @classmethod
    def from_markers(cls, markers: list[Marker], crs: CRS, source: str = "") -> MarkerTable:
        """A table from :class:`Marker` records."""
        return cls(
            numbers=np.asarray([m.number for m in markers], dtype=object),
            geometries=np.asarray([m.geometry for m in markers], dtype=object),
            statuses=np.asarray([m.status for m in markers], dtype=object),
            line_codes=np.asarray([m.line_code for m in markers], dtype=object),
            types=np.asarray([m.type for m in markers], dtype=object),
            survey_dates=np.asarray([str(m.survey_date or "") for m in markers], dtype=object),
            rows=np.arange(1, len(markers) + 1),
            crs=crs, source=source)

    def markers(self) -> list[Marker]:
        """The rows as :class:`Marker` records."""
        return [Marker(str(n), g, str(s), str(c), str(t), str(d))
                for n, g, s, c, t, d in zip(self.numbers, self.geometries, self.statuses,
                                            self.line_codes, self.types, self.survey_dates,
                                            strict=True)]

    def with_geometries(self, geometries: np.ndarray, crs: CRS) -> MarkerTable:
        """A copy with other geometries (for instance reprojected) in ``crs``."""
        return MarkerTable(self.numbers, np.asarray(geometries, dtype=object), self.statuses,
                           self.line_codes, self.types, self.survey_dates, self.rows, crs,
                           self.source, self.elevations, self.materials)
