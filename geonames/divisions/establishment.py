"""Establishment criteria: does a proposed town (镇) or sub-district (街道) meet the rules?

A province sets conditions for establishing a town or a sub-district — population, area,
share of non-agricultural population, revenue, distance to the seat … — and the thresholds are
the user's. The rules are a TOML file (read by :mod:`geonames.divisions.establishment_io`) turned into
:class:`Rules` by :func:`rules_from_dict`::

    title = "…"
    [type.town]
    label = "镇 (town)"
    [[type.town.criteria]]
    id = "nonagricultural_share"
    label = "乡政府驻地非农业人口占全乡人口"
    measure = "seat_nonagricultural_population"   # a column of the proposals file
    per = "population"                            # optional: measure / per × scale
    scale = 100
    op = ">="                                     # >= > <= < == !=
    limit = 10
    unit = "%"
    when = { measure = "population", op = ">=", limit = 20000 }   # optional: applies only then
    sufficient = false                            # true: meeting it alone qualifies
    source = "…"

A proposal (one row of the proposals CSV: ``id``, ``name``, ``type`` and one column per
measure) **qualifies** when it meets a ``sufficient`` criterion, or else meets every criterion
that applies to it (whose ``when`` holds). A value that is empty or not a number leaves the
proposal *undecided*.

:func:`check_establishment` returns per proposal and criterion: met, failed, not applicable or
missing, with the figures, as :class:`~geonames.findings.Finding`\\ s and table rows.

>>> rules = rules_from_dict({"type": {"town": {"criteria": [
...     {"id": "pop", "measure": "population", "op": ">=", "limit": 20000}]}}})
>>> check = check_establishment(rules, [Proposal("P1", "青石乡", "town", {"population": "18,500"})])
>>> [(f.code, f.value, f.limit) for f in check.findings]
[('establishment.failed', 18500.0, 20000.0), ('establishment.not_qualified', None, None)]
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from geonames.errors import GeonamesError
from geonames.findings import Finding, Severity

#: Comparison operators a criterion may use.
OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
    "==": operator.eq, "!=": operator.ne,
}
#: Units a Finding carries (see geonames.findings); other units (persons, km, 万元) are
#: kept in the message, ``details["unit"]`` and the table.
FINDING_UNITS = frozenset({"m", "m2", "%", ""})
#: Columns every proposals file has.
PROPOSAL_COLUMNS = ("id", "name", "type")

_TRUE = frozenset({"true", "yes", "y", "是", "对"})
_FALSE = frozenset({"false", "no", "n", "否", "不是"})
_CRITERION_KEYS = frozenset({"id", "label", "measure", "per", "scale", "op", "limit", "unit",
                             "when", "sufficient", "source", "note"})
_CONDITION_KEYS = frozenset({"measure", "per", "scale", "op", "limit"})
_TYPE_KEYS = frozenset({"label", "source", "note", "criteria"})
_TOP_KEYS = frozenset({"title", "source", "note", "type"})


class RulesError(GeonamesError, ValueError):
    """A rules file or a proposals table that cannot be used as it is."""


class MissingValue(Exception):
    """A proposal has no usable value for a measure (internal; becomes a finding)."""


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Condition:
    """``measure [/ per × scale] op limit`` over one proposal's values."""

    measure: str
    op: str
    limit: float
    per: str | None = None
    scale: float = 1.0

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.measure, self.per) if self.per else (self.measure,)

    def value(self, values: Mapping[str, str]) -> float:
        """The measured value for one proposal (``measure / per × scale`` when ``per``)."""
        x = parse_number(values.get(self.measure), self.measure)
        if self.per:
            d = parse_number(values.get(self.per), self.per)
            if d == 0:
                raise MissingValue(f"{self.per} is 0, so {self.measure}/{self.per} is undefined")
            x = x / d
        return x * self.scale

    def holds(self, value: float) -> bool:
        return OPS[self.op](value, self.limit)

    def text(self) -> str:
        what = f"{self.measure}/{self.per}" if self.per else self.measure
        if self.per and self.scale != 1:
            what += f"×{_fmt(self.scale)}"
        return f"{what} {self.op} {_fmt(self.limit)}"


@dataclass(frozen=True, slots=True)
class Criterion:
    """One condition for establishing a division, with its label, unit and source."""

    id: str
    condition: Condition
    label: str = ""
    unit: str = ""
    when: Condition | None = None
    sufficient: bool = False
    source: str = ""
    note: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.condition.columns + (self.when.columns if self.when else ())


@dataclass(frozen=True, slots=True)
class DivisionType:
    """The criteria for one kind of proposed division (``town``, ``sub-district`` …)."""

    name: str
    criteria: tuple[Criterion, ...]
    label: str = ""
    source: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Rules:
    """A rules file: criteria by proposed division type."""

    types: dict[str, DivisionType]
    title: str = ""
    source: str = ""
    note: str = ""


def rules_from_dict(data: Mapping[str, Any], where: str = "rules") -> Rules:
    """Validate a parsed rules TOML document into :class:`Rules`.

    Raises RulesError naming the type and criterion for unknown keys, unknown operators,
    non-numeric limits, missing measures, duplicate ids, or a type without criteria.
    """
    _no_unknown(data, _TOP_KEYS, where)
    types_in = data.get("type")
    if not isinstance(types_in, Mapping) or not types_in:
        raise RulesError(f"{where}: no [type.NAME] tables (e.g. [type.town])")
    types = {}
    for name, spec in types_in.items():
        at = f"{where}, type {name!r}"
        if not isinstance(spec, Mapping):
            raise RulesError(f"{at}: not a table")
        _no_unknown(spec, _TYPE_KEYS, at)
        items = spec.get("criteria")
        if not isinstance(items, list) or not items:
            raise RulesError(f"{at}: no [[type.{name}.criteria]]")
        criteria, ids = [], set()
        for n, item in enumerate(items, start=1):
            criterion = _criterion(item, f"{at}, criterion #{n}")
            if criterion.id in ids:
                raise RulesError(f"{at}: criterion id {criterion.id!r} is used twice")
            ids.add(criterion.id)
            criteria.append(criterion)
        types[str(name)] = DivisionType(str(name), tuple(criteria), str(spec.get("label", "")),
                                        str(spec.get("source", "")), str(spec.get("note", "")))
    return Rules(types, str(data.get("title", "")), str(data.get("source", "")),
                 str(data.get("note", "")))


def _criterion(item: Any, at: str) -> Criterion:
    if not isinstance(item, Mapping):
        raise RulesError(f"{at}: not a table")
    _no_unknown(item, _CRITERION_KEYS, at)
    if "id" not in item:
        raise RulesError(f"{at}: missing id")
    at = f"{at} ({item['id']})"
    when = item.get("when")
    if when is not None:
        if not isinstance(when, Mapping):
            raise RulesError(f"{at}: 'when' must be a table like "
                             "{ measure = \"population\", op = \">=\", limit = 20000 }")
        _no_unknown(when, _CONDITION_KEYS, f"{at}, when")
        when = _condition(when, f"{at}, when")
    sufficient = item.get("sufficient", False)
    if not isinstance(sufficient, bool):
        raise RulesError(f"{at}: 'sufficient' must be true or false")
    return Criterion(str(item["id"]), _condition(item, at), str(item.get("label", "")),
                     str(item.get("unit", "")), when, sufficient, str(item.get("source", "")),
                     str(item.get("note", "")))


def _condition(item: Mapping[str, Any], at: str) -> Condition:
    missing = [k for k in ("measure", "op", "limit") if k not in item]
    if missing:
        raise RulesError(f"{at}: missing {', '.join(missing)}")
    op = str(item["op"]).strip()
    if op not in OPS:
        raise RulesError(f"{at}: unknown op {op!r}; use one of {' '.join(OPS)}")
    limit, scale = item["limit"], item.get("scale", 1)
    if isinstance(limit, bool):
        limit = float(limit)
    if not isinstance(limit, int | float) or isinstance(scale, bool) or \
            not isinstance(scale, int | float):
        raise RulesError(f"{at}: limit and scale must be numbers (limit {limit!r})")
    per = item.get("per")
    return Condition(str(item["measure"]).strip(), op, float(limit),
                     str(per).strip() if per else None, float(scale))


def _no_unknown(item: Mapping[str, Any], allowed: frozenset[str], at: str) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise RulesError(f"{at}: unknown key(s) {', '.join(unknown)}; allowed: "
                         f"{', '.join(sorted(allowed))}")


# --------------------------------------------------------------------------- proposals


@dataclass(frozen=True, slots=True)
class Proposal:
    """One proposed division: ``values`` holds every other column as text."""

    id: str
    name: str
    type: str
    values: dict[str, str] = field(default_factory=dict)


def parse_number(text: str | None, column: str = "") -> float:
    """A figure from a table cell: ``"18,500"`` → 18500, ``"12.5%"`` → 12.5, ``"是"`` → 1.

    Raises MissingValue (with the reason) for an empty or non-numeric cell.
    """
    raw = "" if text is None else str(text).strip()
    if not raw:
        raise MissingValue(f"no value for {column}")
    low = raw.lower()
    if low in _TRUE:
        return 1.0
    if low in _FALSE:
        return 0.0
    cleaned = raw.replace(",", "").replace("，", "").replace(" ", "").rstrip("%％")
    try:
        return float(cleaned)
    except ValueError:
        raise MissingValue(f"{column} {raw!r} is not a number") from None


def required_columns(rules: Rules, types: Sequence[str]) -> dict[str, list[str]]:
    """Column → the criteria (``type.id``) that need it, for the given proposal types."""
    need: dict[str, list[str]] = {}
    for t in dict.fromkeys(types):
        if t not in rules.types:
            continue
        for c in rules.types[t].criteria:
            for col in c.columns:
                need.setdefault(col, []).append(f"{t}.{c.id}")
    return need


# --------------------------------------------------------------------------- checking


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion held against one proposal.

    ``status`` is ``"met"``, ``"failed"``, ``"not met"`` (a sufficient criterion that does
    not hold: not a failure, since it is not required), ``"not applicable"`` (its ``when``
    does not hold) or ``"missing"`` (a value it needs is empty or not a number; ``reason``
    says which).
    """

    proposal: Proposal
    criterion: Criterion
    status: str
    value: float | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class ProposalResult:
    """The verdict on one proposal: ``"qualifies"``, ``"not qualified"``, ``"undecided"``
    or ``"unknown type"``, with the results of its criteria."""

    proposal: Proposal
    verdict: str
    results: tuple[CriterionResult, ...]
    reason: str


@dataclass
class EstablishmentCheck:
    """What :func:`check_establishment` found."""

    proposals: list[ProposalResult]
    findings: list[Finding]

    #: Columns of :meth:`rows`.
    COLUMNS = ("proposal", "name", "type", "criterion", "label", "value", "op", "limit",
               "unit", "result", "applies_when", "source")

    def rows(self) -> list[list[Any]]:
        """One row per proposal and criterion (the table of the report)."""
        out = []
        for p in self.proposals:
            for r in p.results:
                c = r.criterion
                out.append([p.proposal.id, p.proposal.name, p.proposal.type, c.id,
                            c.label, None if r.value is None else round(r.value, 6),
                            c.condition.op, c.condition.limit, c.unit,
                            r.status if not r.reason else f"{r.status}: {r.reason}",
                            c.when.text() if c.when else "", c.source])
        return out

    def verdicts(self) -> dict[str, str]:
        """Proposal id → verdict."""
        return {p.proposal.id: p.verdict for p in self.proposals}


def evaluate(rules: Rules, proposal: Proposal) -> ProposalResult:
    """Every criterion of the proposal's type, and the verdict."""
    kind = rules.types.get(proposal.type)
    if kind is None:
        return ProposalResult(proposal, "unknown type", (),
                              f"type {proposal.type!r} is not in the rules (types: "
                              f"{', '.join(rules.types)})")
    results = tuple(_evaluate(c, proposal) for c in kind.criteria)
    sufficient = [r for r in results if r.criterion.sufficient and r.status == "met"]
    if sufficient:
        return ProposalResult(proposal, "qualifies", results,
                              f"meets {sufficient[0].criterion.id}, which suffices alone")
    required = [r for r in results if not r.criterion.sufficient]
    missing = [r for r in required if r.status == "missing"]
    failed = [r for r in required if r.status == "failed"]
    met = [r for r in required if r.status == "met"]
    if failed:
        return ProposalResult(proposal, "not qualified", results,
                              "fails " + ", ".join(r.criterion.id for r in failed))
    if missing:
        return ProposalResult(proposal, "undecided", results,
                              "; ".join(f"{r.criterion.id}: {r.reason}" for r in missing))
    if not met:
        return ProposalResult(proposal, "not qualified", results,
                              "no criterion applies and no sufficient criterion is met")
    return ProposalResult(proposal, "qualifies", results,
                          "meets every criterion that applies (" +
                          ", ".join(r.criterion.id for r in met) + ")")


def _evaluate(criterion: Criterion, proposal: Proposal) -> CriterionResult:
    try:
        if criterion.when is not None and \
                not criterion.when.holds(criterion.when.value(proposal.values)):
            return CriterionResult(proposal, criterion, "not applicable", None)
        value = criterion.condition.value(proposal.values)
    except MissingValue as err:
        return CriterionResult(proposal, criterion, "missing", None, str(err))
    if criterion.condition.holds(value):
        status = "met"
    else:
        status = "not met" if criterion.sufficient else "failed"
    return CriterionResult(proposal, criterion, status, value)


def check_establishment(rules: Rules, proposals: Sequence[Proposal]) -> EstablishmentCheck:
    """Hold every proposal against the rules of its type.

    Findings (subject: the proposal id; ``value``/``limit``/``unit`` the figures):

    * ``establishment.met`` (info), ``establishment.failed`` (warning),
      ``establishment.not_met`` (info: a sufficient criterion that does not hold),
      ``establishment.missing`` (error: a needed value is empty or not a number) — one per
      proposal and applicable criterion;
    * ``establishment.qualifies`` (info), ``establishment.not_qualified`` (error),
      ``establishment.undecided`` (error), ``establishment.unknown_type`` (error) — one per
      proposal.

    Raises
    ------
    RulesError
        When a column that a criterion of a proposed type needs is not in the proposals
        (every proposal lacks it; the message lists the columns and the criteria).
    """
    if proposals:
        have = set().union(*(p.values for p in proposals))
        need = required_columns(rules, [p.type for p in proposals])
        missing = {col: crit for col, crit in need.items() if col not in have}
        if missing:
            raise RulesError("the proposals lack column(s) the rules need: " + "; ".join(
                f"{col} (for {', '.join(crit)})" for col, crit in missing.items()))
    results = [evaluate(rules, p) for p in proposals]
    findings: list[Finding] = []
    for pr in results:
        p = pr.proposal
        for r in pr.results:
            if r.status == "not applicable":
                continue
            findings.append(_criterion_finding(r))
        code, severity = {
            "qualifies": ("establishment.qualifies", Severity.INFO),
            "not qualified": ("establishment.not_qualified", Severity.ERROR),
            "undecided": ("establishment.undecided", Severity.ERROR),
            "unknown type": ("establishment.unknown_type", Severity.ERROR),
        }[pr.verdict]
        findings.append(Finding(code, severity, p.id,
                                f"{p.name} ({p.id}), {p.type}: {pr.verdict} — {pr.reason}",
                                details={"name": p.name, "type": p.type,
                                         "verdict": pr.verdict}))
    return EstablishmentCheck(results, findings)


def _criterion_finding(r: CriterionResult) -> Finding:
    c, p = r.criterion, r.proposal
    label = c.label or c.id
    code, severity = {"met": ("establishment.met", Severity.INFO),
                      "not met": ("establishment.not_met", Severity.INFO),
                      "failed": ("establishment.failed", Severity.WARNING),
                      "missing": ("establishment.missing", Severity.ERROR)}[r.status]
    unit = f" {c.unit}" if c.unit and c.unit != "%" else c.unit
    if r.status == "missing":
        message = f"{p.name} ({p.id}), {label}: {r.reason}"
    else:
        message = (f"{p.name} ({p.id}), {label}: {_fmt(r.value)}{unit}, needs "
                   f"{c.condition.op} {_fmt(c.condition.limit)}{unit} — {r.status}")
    if c.when is not None and r.status != "missing":
        message += f" (applies as {c.when.text()})"
    if c.sufficient:
        message += " (sufficient alone, not required)"
    return Finding(code, severity, p.id, message, value=r.value, limit=c.condition.limit,
                   unit=c.unit if c.unit in FINDING_UNITS else "",
                   details={"name": p.name, "type": p.type, "criterion": c.id,
                            "op": c.condition.op, "unit": c.unit, "status": r.status,
                            "source": c.source})


def _fmt(x: float | None) -> str:
    if x is None:
        return ""
    if float(x).is_integer():
        return f"{int(x):,}"
    return f"{x:,.2f}"
