"""One findings model for every check.

A :class:`Finding` is what every check (coverage, lines, markers, names, changes …) reports, so
every report writer (JSON summary, CSV, GeoPackage, HTML) serves every check.

Geometries of findings are in the metric CRS of the check that made them; values are in the
finding's ``unit`` (``"m"``, ``"m2"``, ``"%"`` or ``""``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from shapely.geometry.base import BaseGeometry


class Severity(StrEnum):
    """How much a finding matters. Only errors make a command exit with code 1."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found.

    Attributes
    ----------
    code : str
        Stable machine-readable code such as ``"coverage.gap"``; part of the interface.
    severity : Severity
    subject : str
        The ids involved, comma-separated (``"500101,500102"``); checks of change write
        ``"OLD_IDS->NEW_IDS"``.
    value : float or None
        The measured value, in ``unit``.
    limit : float or None
        The limit the value was held against, in ``unit``.
    unit : str
        ``"m"``, ``"m2"``, ``"%"`` or ``""``.
    message : str
        One human sentence.
    geometry : shapely geometry or None
        Where it is, in the check's metric CRS.
    excepted : bool
        True when an approved exception covers the finding: counted and listed, but not an error.
    details : dict
        Extra check-specific values (plain JSON-able types only).
    """

    code: str
    severity: Severity
    subject: str
    message: str
    value: float | None = None
    limit: float | None = None
    unit: str = ""
    geometry: BaseGeometry | None = None
    excepted: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ids(self) -> tuple[str, ...]:
        """The ids named in :attr:`subject`, in order (both sides of ``->`` for changes)."""
        return tuple(i for part in self.subject.split("->") for i in part.split(",") if i)

    def excepting(self) -> Finding:
        """Return a copy marked as excepted."""
        return replace(self, excepted=True)


def subject_of(ids: Iterable[object]) -> str:
    """Join ids into a finding subject: ``subject_of(["500101", 500102]) == "500101,500102"``."""
    return ",".join(str(i) for i in ids)


def count_by_code(findings: Iterable[Finding]) -> dict[str, int]:
    """Number of findings per code, codes sorted, excepted ones included."""
    return dict(sorted(Counter(f.code for f in findings).items()))


def tally(findings: Sequence[Finding]) -> dict[str, int]:
    """Errors, warnings and excepted findings: ``{"errors": n, "warnings": n, "excepted": n}``.

    Excepted findings count only under ``excepted``.
    """
    live = [f for f in findings if not f.excepted]
    return {
        "errors": sum(f.severity == Severity.ERROR for f in live),
        "warnings": sum(f.severity == Severity.WARNING for f in live),
        "excepted": len(findings) - len(live),
    }
