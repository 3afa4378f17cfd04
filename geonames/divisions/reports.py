"""Reports and records of the divisions commands: the check of an events file against the code
lists, the establishment check of proposals, and JSON records of events and identities."""

from __future__ import annotations

import os
import time
from typing import Any

from geonames.divisions.establishment import EstablishmentCheck, check_establishment
from geonames.divisions.establishment_io import read_proposals, read_rules
from geonames.divisions.events import CodeIdentity, DivisionEvent
from geonames.divisions.history import DivisionLog, check_events
from geonames.divisions.history_io import read_events, read_revisions, shipped_revisions
from geonames.document import Report, Table
from geonames.text import Progress, iso_date, quiet


def events_check_report(events_path: str | os.PathLike,
                        revisions_path: str | os.PathLike | None = None,
                        progress: Progress = quiet) -> Report:
    """The report of ``geonames divisions check-events``: an events file checked against the
    code-list revisions (default: the shipped ones), after building the history with it
    (:class:`~geonames.divisions.history.DivisionLog` raises for a history that cannot be)."""
    started = time.perf_counter()
    revisions_path = revisions_path or shipped_revisions()
    progress(f"reading {events_path} and {revisions_path}")
    recorded = read_events(events_path)
    revs = read_revisions(revisions_path)
    DivisionLog.from_revisions(revs, recorded)
    findings = check_events(recorded, revs)
    rows = [[e.date.isoformat(), str(e.kind), "; ".join(map(str, e.old)),
             "; ".join(map(str, e.new)), e.decision, e.source] for e in recorded]
    return Report("history-events", findings,
                  inputs={"events": str(events_path), "revisions": str(revisions_path),
                          "events_read": len(recorded),
                          "revisions_read": f"{len(revs)} ({revs[0].label}–{revs[-1].label})"},
                  seconds=time.perf_counter() - started,
                  tables=[Table("events", "Recorded events",
                                ["date", "kind", "old", "new", "decision", "source"], rows)])


def establishment_file_report(proposals_path: str | os.PathLike,
                              rules_path: str | os.PathLike) -> tuple[EstablishmentCheck, Report]:
    """Proposals (CSV) held against establishment rules (TOML): the check and its report
    (findings, and one row per criterion)."""
    started = time.perf_counter()
    rules = read_rules(rules_path)
    check = check_establishment(rules, read_proposals(proposals_path))
    verdicts = check.verdicts()
    counts = {v: list(verdicts.values()).count(v) for v in dict.fromkeys(verdicts.values())}
    report = Report("establishment", check.findings,
                    inputs={"proposals": str(proposals_path), "rules": str(rules_path),
                            "title": rules.title, "proposals_read": len(verdicts)},
                    seconds=time.perf_counter() - started,
                    stats={"verdicts": verdicts, "verdict_counts": counts},
                    tables=[Table("establishment", "Per-criterion results",
                                  list(EstablishmentCheck.COLUMNS), check.rows())])
    return check, report


def identity_record(identity: CodeIdentity) -> dict[str, Any]:
    """A code identity (a code over a span of time, with its names) as JSON-able values."""
    return {"code": identity.code, "valid_from": iso_date(identity.valid_from),
            "valid_to": iso_date(identity.valid_to),
            "names": [{"name": s.value, "valid_from": iso_date(s.valid_from),
                       "valid_to": iso_date(s.valid_to)} for s in identity.names]}


def event_record(event: DivisionEvent) -> dict[str, Any]:
    """A division event as JSON-able values."""
    return {"date": event.date.isoformat(), "kind": str(event.kind),
            "old": [{"code": u.code, "name": u.name} for u in event.old],
            "new": [{"code": u.code, "name": u.name} for u in event.new],
            "decision": event.decision, "source": event.source, "note": event.note,
            "inferred": event.inferred, "earliest": iso_date(event.earliest)}
