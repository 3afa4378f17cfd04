"""Must-show 3: ``geonames inspect changes`` between the two Chongqing fixtures, given the
shipped events file, labels each division event with its recorded decision."""

from __future__ import annotations

import csv
import json

import pytest

from geonames.cli import main
from geonames.divisions.history import DivisionLog, label_changes
from geonames.divisions.history_io import read_events, shipped_events
from geonames.findings import Finding, Severity
from geonames.inspection.reports import changes_report
from tests.conftest import CHONGQING_2010, CHONGQING_2020

#: subject → (decision, event date, event kind): what the shipped events file records.
RECORDED = {
    "500110,500222->500110": ("GB/T 2260 revision 201110", "2011-10-01", "merged"),
    "500111,500225->500111": ("GB/T 2260 revision 201110", "2011-10-01", "merged"),
    "500223->500152": ("GB/T 2260 revision 201506", "2015-06-01", "recoded"),
    "500224->500151": ("国函〔2014〕58号", "2014-05-02", "recoded"),
    "500226->500153": ("GB/T 2260 revision 201506", "2015-06-01", "recoded"),
    "500227->500120": ("国函〔2014〕58号", "2014-05-02", "recoded"),
    "500234->500154": ("GB/T 2260 revision 201607", "2016-07-01", "recoded"),
}


@pytest.fixture(scope="module")
def report():
    return changes_report(CHONGQING_2010, CHONGQING_2020)


@pytest.fixture(scope="module")
def log():
    return DivisionLog(read_events(shipped_events()))


def test_every_division_event_gets_its_recorded_decision(report, log):
    labelled = label_changes(report.findings, log)
    events = {f.subject: f for f in labelled if f.code in ("change.merged", "change.recoded")}
    assert set(events) == set(RECORDED)
    for subject, (decision, when, kind) in RECORDED.items():
        f = events[subject]
        assert (f.details["decision"], f.details["event_date"], f.details["event_kind"]) == \
            (decision, when, kind), subject
        assert f.details["event_match"] == "exact" and f.details["confirmed"] is True
        assert f.severity == Severity.INFO
        assert f.message.endswith(f"[recorded: {when} {decision}]")
    # nothing else is touched
    others = [f for f in labelled if f.subject not in RECORDED]
    assert others == [f for f in report.findings if f.subject not in RECORDED]


def test_the_command_line_labels_the_events(tmp_path, capsys):
    out = tmp_path / "report"
    with pytest.raises(SystemExit) as exit_:
        main(["inspect", "changes", str(CHONGQING_2010), str(CHONGQING_2020),
              "--history", str(shipped_events()), "--out", str(out), "-q"])
    assert exit_.value.code == 0
    with open(out / "recorded_decisions.csv", encoding="utf-8-sig") as fh:
        rows = {r["subject"]: r for r in csv.DictReader(fh)}
    assert {s: (r["decision"], r["event_date"], r["event_kind"]) for s, r in rows.items()} \
        == RECORDED
    assert {r["confirmed"] for r in rows.values()} == {"yes"}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["stats"]["recorded_decisions"] == {"events": 7, "explained": 7,
                                                      "confirmed": 7}
    assert summary["inputs"]["history"] == str(shipped_events())
    with open(out / "findings.csv", encoding="utf-8-sig") as fh:
        messages = {r["subject"]: r["message"] for r in csv.DictReader(fh)}
    assert messages["500234->500154"].endswith("[recorded: 2016-07-01 GB/T 2260 revision 201607]")


def test_bad_history_file_is_exit_2(tmp_path, capsys):
    bad = tmp_path / "events.toml"
    bad.write_text('[[event]]\ndate = "2016-07"\nkind = "moved"\n', encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(["inspect", "changes", str(CHONGQING_2010), str(CHONGQING_2020),
              "--history", str(bad), "--out", str(tmp_path / "r"), "-q"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2
    assert "event #1: unknown event kind 'moved'" in err and "Traceback" not in err


def change(code, subject, message="m"):
    return Finding(code, Severity.WARNING, subject, message)


def test_partial_and_other_kind_matches_are_labelled_but_not_confirmed(log):
    findings = [
        change("change.renamed", "500110->500110"),      # 万盛区 → 綦江区 seen as a rename
        change("change.removed", "500234->"),
        change("change.added", "->500154"),
        change("change.recoded", "500229->500999"),      # no such event
        change("change.line_moved", "500110->500110"),   # not a division event
    ]
    renamed, removed, added, unknown, moved = label_changes(findings, log)
    assert renamed.details["event_kind"] == "merged"
    assert renamed.details["event_match"] == "partial"
    assert renamed.message == "m [recorded as merged: 2011-10-01 GB/T 2260 revision 201110]"
    assert renamed.severity == Severity.WARNING and not renamed.details["confirmed"]
    for f in (removed, added):
        assert (f.details["event_kind"], f.details["event_date"]) == ("recoded", "2016-07-01")
        assert f.severity == Severity.WARNING
    assert unknown == findings[3] and moved == findings[4]


def test_window_limits_the_events(log):
    (f,) = label_changes([change("change.recoded", "500227->500120")], log,
                         between=("2015-01-01", "2020-01-01"))
    assert "decision" not in f.details
    (f,) = label_changes([change("change.recoded", "500227->500120")], log,
                         between=("2014-01-01", "2020-01-01"))
    assert f.details["decision"] == "国函〔2014〕58号"
