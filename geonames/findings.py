"""One findings model for every check.

A :class:`Finding` is what every check (coverage, lines, markers, names, changes …) reports, so
every report writer (JSON summary, CSV, GeoPackage, HTML) serves every check.

Geometries of findings are in the metric CRS of the check that made them; values are in the
finding's ``unit`` (``"m"``, ``"m2"``, ``"%"`` or ``""``).
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import numpy as np
from shapely.geometry.base import BaseGeometry

#: Ids of divisions, lines or markers: a sequence of strings or a NumPy array of them.
Ids = Sequence[str] | np.ndarray


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

    @property
    def id(self) -> str:
        """A stable id derived from what the finding is: its code, the ids involved and its
        place (the centroid of its geometry) rounded to the check's tolerance (``limit`` when
        it is in metres, else 1 m). The same fault keeps its id from run to run and in every
        file of a report (``coverage.gap-9c1e04b2``); see :func:`finding_ids` for the ids of a
        list, unique even where two findings share code, ids and place.

        >>> from shapely import Point
        >>> a = Finding("marker.off_line", Severity.ERROR, "5001", "off", value=7.2, limit=5.0,
        ...             unit="m", geometry=Point(500001.3, 3300002.1))
        >>> b = Finding("marker.off_line", Severity.ERROR, "5001", "off", value=7.9, limit=5.0,
        ...             unit="m", geometry=Point(500000.2, 3300001.0))
        >>> a.id == b.id, a.id.startswith("marker.off_line-")
        (True, True)
        """
        grid = self.limit if self.unit == "m" and self.limit and self.limit > 0 else 1.0
        place = ""
        if self.geometry is not None and not self.geometry.is_empty:
            centre = self.geometry.centroid
            if math.isfinite(centre.x) and math.isfinite(centre.y):
                place = f"{round(centre.x / grid)},{round(centre.y / grid)}"
        key = f"{self.code}|{self.subject}|{place}".encode()
        return f"{self.code}-{hashlib.blake2b(key, digest_size=4).hexdigest()}"

    def excepting(self) -> Finding:
        """Return a copy marked as excepted."""
        return replace(self, excepted=True)


def finding_ids(findings: Iterable[Finding]) -> list[str]:
    """The stable id of each finding (:attr:`Finding.id`), made unique in the list: a repeat
    gets ``-2``, ``-3`` … in list order (so order the list the same way every run, as the report
    writers do).

    >>> f = Finding("coverage.gap", Severity.ERROR, "1,2", "a gap")
    >>> ids = finding_ids([f, f])
    >>> ids[1] == ids[0] + "-2"
    True
    """
    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        base = f.id
        seen[base] += 1
        out.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return out


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
