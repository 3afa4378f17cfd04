"""How long a name has been held: dated spans of a place's names, the use of a name on a day,
and the years a name was held across historical periods (BC/AD years, Chinese year forms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from geonames.errors import GeonamesError
from geonames.findings import Finding, Severity
from geonames.names.model import PlaceName, VariantKind

#: Days in a mean Gregorian year, for years of use computed from dates.
DAYS_PER_YEAR = 365.2425


class DatedName(Protocol):
    """Anything with a name valid over ``[valid_from, valid_to)`` (e.g. NameVariant)."""

    @property
    def name(self) -> str: ...

    @property
    def valid_from(self) -> date | None: ...

    @property
    def valid_to(self) -> date | None: ...


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
    # ends are never None (an open span ends on ``on``), nor are the starts after the first
    interruptions = tuple((a[1], b[0]) for a, b in zip(runs, runs[1:])
                          if a[1] is not None and b[0] is not None)
    last_start, last_end = runs[-1]
    in_use = last_end is not None and last_end >= on and any(
        (s.valid_to is None or s.valid_to > on) and (s.valid_from is None or s.valid_from <= on)
        for s in spans if s.name == name)
    continuous_since = last_start if in_use else None
    years_cont = _years(last_start, on) if in_use and last_start is not None else None
    total = None
    if all(r[0] is not None for r in runs):
        total = sum(_years(a, b) for a, b in runs if a is not None and b is not None)
    restarts = tuple(b[0] for b in runs[1:] if b[0] is not None)
    return NameUse(name, in_use, runs[0][0], continuous_since, years_cont, total,
                   interruptions, restarts)


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
