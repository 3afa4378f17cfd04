"""Findings followed from run to run: new, persisting, resolved, and a review file that
carries each finding's status.

A run given the previous run's report folder (``--previous DIR``) compares its findings with
that folder's ``findings.csv`` by stable finding id, and reads the folder's ``review.csv``
(the file a reviewer edits: one row per finding with its ``status``, ``reason``, ``document``
and ``note``). Statuses (as ArcGIS Data Reviewer keeps them across runs):

===========  =================================================================================
status       meaning, and what the next run does with it
===========  =================================================================================
open         to be dealt with (every new finding starts here)
accepted     an approved exception: the finding stays listed but is excepted (not an error),
             with its reason and document, for as long as it is found
corrected    someone corrected the data; if the next run still finds it, it is reopened
             (status ``open``, note "still found after correction"); if not, it is ``verified``
verified     corrected and no longer found (set by a run, not by hand)
resolved     no longer found, without having been marked corrected (set by a run)
===========  =================================================================================

Each finding of the new run is ``new`` (not in the previous run) or ``persisting``; each
finding of the previous run that the new run does not find is ``resolved``. The new report's
``review.csv`` lists all three with their statuses, ready to be edited for the next run.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

import shapely

from geonames.document import Report, Table
from geonames.errors import InputFileError
from geonames.findings import Finding, Severity
from geonames.report.ids import finding_ids, ordered
from geonames.text import read_text_file

STATUSES = ("open", "accepted", "corrected", "verified", "resolved")
REVIEW_COLUMNS = ["id", "code", "subject", "change", "status", "reason", "document", "note",
                  "message"]
def report_ids(findings: list[Finding]) -> dict[int, str]:
    """The id each finding is written under in findings.csv, findings.gpkg and report.html
    (:func:`geonames.report.ids.finding_ids`), by object."""
    listed = ordered(findings)
    return {id(f): i for f, i in zip(listed, finding_ids(listed), strict=True)}


@dataclass
class ReviewEntry:
    """One row of a review file."""

    id: str
    code: str = ""
    subject: str = ""
    status: str = "open"
    reason: str = ""
    document: str = ""
    note: str = ""
    message: str = ""


@dataclass
class PreviousRun:
    """What a previous report folder holds: its findings (by id) and its review."""

    folder: Path
    findings: dict[str, dict[str, str]]
    review: dict[str, ReviewEntry] = field(default_factory=dict)


def read_previous(folder: str | os.PathLike) -> PreviousRun:
    """Read a previous report folder: ``findings.csv`` (required) and ``review.csv``.

    Raises
    ------
    InputFileError
        When the folder or its findings.csv is missing, or review.csv has an unknown status.
    """
    folder = Path(folder)
    path = folder / "findings.csv"
    if not folder.is_dir():
        raise InputFileError(f"{folder}: the previous report folder does not exist")
    if not path.exists():
        raise InputFileError(f"{folder}: no findings.csv (give the folder a previous run wrote)")
    review: dict[str, ReviewEntry] = {}
    listed: dict[str, dict[str, str]] = {}
    review_path = folder / "review.csv"
    if review_path.exists():
        for k, row in enumerate(_rows(review_path), start=2):
            fid = (row.get("id") or "").strip()
            if not fid:
                continue
            status = (row.get("status") or "open").strip().lower() or "open"
            if status not in STATUSES:
                raise InputFileError(f"{review_path}: row {k}: unknown status {status!r} "
                                     f"(expected one of {', '.join(STATUSES)})")
            if status == "accepted" and not (row.get("reason") or "").strip():
                raise InputFileError(f"{review_path}: row {k}: an accepted exception needs a "
                                     "reason")
            review[fid] = ReviewEntry(fid, row.get("code", ""), row.get("subject", ""), status,
                                      (row.get("reason") or "").strip(),
                                      (row.get("document") or "").strip(),
                                      (row.get("note") or "").strip(), row.get("message", ""))
            if (row.get("change") or "").strip() != "resolved":
                listed[fid] = row
    rows = _rows(path)
    if rows and "id" in rows[0]:
        findings = {row["id"]: row for row in rows if row.get("id")}
    elif review_path.exists():
        # The ids the run gave its findings (findings.csv without an id column): exact, where
        # recomputing them from the rounded WKT might not be.
        findings = listed
    else:
        findings = {_finding_of(row).id: row for row in rows}
    return PreviousRun(folder, findings, review)


def _rows(path: Path) -> list[dict[str, str]]:
    text = read_text_file(path)
    return [{(k or "").strip(): (v or "") for k, v in row.items()}
            for row in csv.DictReader(text.splitlines())]


def _finding_of(row: dict[str, str]) -> Finding:
    wkt = row.get("wkt") or ""
    try:
        geometry = shapely.from_wkt(wkt) if wkt else None
    except shapely.errors.GEOSException:
        geometry = None
    try:
        severity = Severity(row.get("severity") or "error")
    except ValueError:
        severity = Severity.ERROR
    return Finding(row.get("code", ""), severity, row.get("subject", ""),
                   row.get("message", ""), geometry=geometry)


def apply_review(report: Report, previous: PreviousRun) -> Report:
    """Compare the report's findings with a previous run, honour its review, and add the
    review table (written as ``review.csv``) and the counts to the report.

    Accepted exceptions stay accepted (the finding is excepted, its reason and document in its
    details); corrected findings that are still found are reopened; every finding's details
    get ``id``, ``change`` (new or persisting) and ``status``.
    """
    findings: list[Finding] = []
    rows: list[list[str]] = []
    seen: set[str] = set()
    changes: Counter[str] = Counter()
    ids = report_ids(report.findings)
    for f in report.findings:
        fid = ids[id(f)]
        seen.add(fid)
        change = "persisting" if fid in previous.findings else "new"
        entry = previous.review.get(fid)
        status, reason, document, note = "open", "", "", ""
        if entry is not None:
            status, reason, document, note = (entry.status, entry.reason, entry.document,
                                              entry.note)
            if status in ("corrected", "verified"):
                status, note = "open", "still found after correction"
        details = {**f.details, "id": fid, "change": change, "status": status}
        if status == "accepted":
            details.update({"reason": reason, "document": document})
            f = replace(f, excepted=True)
        findings.append(replace(f, details=details))
        changes[change] += 1
        rows.append([fid, f.code, f.subject, change, status, reason, document, note, f.message])
    for fid, row in previous.findings.items():
        if fid in seen:
            continue
        entry = previous.review.get(fid)
        status = "verified" if entry is not None and entry.status in ("corrected",
                                                                      "verified") else "resolved"
        reason = entry.reason if entry is not None else ""
        document = entry.document if entry is not None else ""
        changes["resolved"] += 1
        rows.append([fid, row.get("code", ""), row.get("subject", ""), "resolved", status,
                     reason, document, entry.note if entry is not None else "",
                     row.get("message", "")])
    report.findings = findings
    report.tables.append(Table("review", "Review: findings since the previous run",
                               REVIEW_COLUMNS, rows))
    report.stats["review"] = {"previous": str(previous.folder), "new": changes["new"],
                              "persisting": changes["persisting"],
                              "resolved": changes["resolved"],
                              "accepted": sum(1 for r in rows if r[4] == "accepted")}
    return report


def review_table(report: Report) -> Table:
    """A review table for a first run (every finding new and open)."""
    ids = report_ids(report.findings)
    rows = [[ids[id(f)], f.code, f.subject, "new", "open", "", "", "", f.message]
            for f in report.findings]
    return Table("review", "Review: findings of this run", REVIEW_COLUMNS, rows)
