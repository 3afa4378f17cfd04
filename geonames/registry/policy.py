"""Write policies: checks the register runs inside every write, before anything is stored.

A policy is any callable ``policy(write: Write) -> Iterable[Finding]``. It runs inside the
write's transaction (after the write lock is taken, so what it reads cannot change under it)
and returns :class:`~geonames.findings.Finding` s. An ``error`` finding refuses the write —
nothing is stored — unless the caller overrides it:

* ``details["override"] == "force"`` (the default): refused unless the write is forced
  (``force=True``, the CLI's ``--force``) or carries an override;
* ``details["override"] == "decision"``: refused unless the write carries an override whose
  ``decision`` names the decision that allows it (a document number); forcing is not enough.

Every finding overridden is written into the history, on the events of the write, with who
overrode it and how (``Event.overrides``). A policy may also raise a
:class:`~geonames.errors.GeonamesError` itself to refuse; the transaction is rolled back.

A register runs the policies of the extensions it uses
(:class:`~geonames.registry.extensions.Extension`, recorded in the register by key, so they hold
for every program that opens it, the CLI included) and those added to one open register with
:meth:`~geonames.registry.core.Registry.add_policy`.

>>> import os, tempfile
>>> from datetime import date
>>> from geonames.findings import Finding, Severity
>>> from geonames.registry import AUTO_ID, Registry
>>> from geonames.names.model import PlaceName
>>> def no_x(write):
...     return [Finding("demo.no-x", Severity.ERROR, p.id, "names may not contain x")
...             for p in write.after.values() if "x" in p.name]
>>> reg = Registry.open(os.path.join(tempfile.mkdtemp(), "r.gpkg"))
>>> reg.add_policy(no_x)
>>> reg.add(PlaceName(AUTO_ID, "x村"), effective=date(2024, 1, 1))
Traceback (most recent call last):
...
geonames.registry.policy.WriteRefused: ...
>>> len(reg.as_of(date(2024, 1, 2)))
0
>>> reg.close()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from geonames.errors import GeonamesError
from geonames.findings import Finding, Severity
from geonames.names.model import Approval, PlaceName
from geonames.registry.model import override_to_record

if TYPE_CHECKING:
    from geonames.registry.core import Registry


@dataclass(frozen=True)
class Write:
    """A write about to be stored, as a policy sees it.

    Attributes
    ----------
    kind : str
        ``"add"`` (also each batch of an import), ``"update"``, ``"rename"``, ``"retire"``,
        ``"merge"`` or ``"split"``.
    before : mapping
        Place id → state before the write, for the places that existed.
    after : mapping
        Place id → state after the write, for every place the write touches (new ones too).
    effective : datetime.date
    approval : Approval or None
    reason : str
    force : bool
    override : object or None
        What the caller passed as override (for example the heritage module's ``Override``
        with ``decision``, ``authority``, ``date``, ``reason``).
    registry : Registry
        The register, for reads inside the write's transaction.
    """

    kind: str
    before: Mapping[str, PlaceName]
    after: Mapping[str, PlaceName]
    effective: date
    approval: Approval | None
    reason: str
    force: bool
    override: Any
    registry: Registry | None = field(default=None, repr=False, compare=False)

    @property
    def ended(self) -> list[str]:
        """Ids of places the write renames or ends (the ones a protection guards)."""
        if self.kind == "rename":
            return list(self.before)
        if self.kind in ("retire", "merge", "split"):
            return [i for i, p in self.after.items() if i in self.before
                    and p.status == "retired" and self.before[i].status != "retired"]
        return []


#: A policy: called with the write, returns findings (errors refuse unless overridden).
WritePolicy = Callable[[Write], Iterable[Finding]]


class WriteRefused(GeonamesError):
    """A write policy refused the write; nothing was stored. ``findings`` says why."""

    def __init__(self, message: str, findings: Iterable[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = tuple(findings)


def judge(findings: Iterable[Finding], force: bool, override: Any) -> list[dict[str, Any]]:
    """The overrides to record, or :class:`WriteRefused` when an error stands.

    Warnings and info findings never refuse; excepted findings are ignored.
    """
    refused: list[Finding] = []
    recorded: list[dict[str, Any]] = []
    decision = str(getattr(override, "decision", "") or
                   (override.get("decision", "") if isinstance(override, Mapping) else "")
                   ).strip() if override is not None else ""
    for f in findings:
        if f.severity != Severity.ERROR or f.excepted:
            continue
        needs = f.details.get("override", "force")
        if needs == "decision":
            ok, by = bool(decision), "override"
        else:
            ok, by = force or override is not None, "override" if override is not None else "force"
        if not ok:
            refused.append(f)
            continue
        entry = {"code": f.code, "subject": f.subject, "message": f.message, "by": by}
        if override is not None:
            entry.update(override_to_record(override))
        recorded.append(entry)
    if refused:
        lines = "; ".join(f.message for f in refused)
        needs_decision = any(f.details.get("override") == "decision" for f in refused)
        hint = ("give an override naming the decision that allows it (--override-decision)"
                if needs_decision else "force it (--force) to store it anyway; the force is "
                "recorded in the history")
        raise WriteRefused(f"refused, nothing was changed: {lines}. To proceed, {hint}",
                           refused)
    return recorded
