"""``geonames divisions history | translate | as-of | check-events`` as a user runs them."""

from __future__ import annotations

import json

import pytest

from geonames.divisions.history_io import shipped_events
from tests.conftest import CHONGQING_2010, SHARED, run_cli

REVISIONS = SHARED / "divisions" / "gb2260-revisions.csv.gz"


run = run_cli


def test_translate(capsys):
    code, out, err = run(capsys, "divisions", "translate", "500222", "--from", "2010-01-01",
                         "--to", "2020-01-01")
    assert code == 0, err
    assert out.splitlines()[:2] == ["500222 綦江县 on 2010-01-01 → on 2020-01-01:",
                                    "  500110 綦江区"]
    code, out, _ = run(capsys, "divisions", "translate", "500234", "--from", "2010-01-01",
                       "--to", "2020-01-01", "--json")
    assert json.loads(out)["codes"] == ["500154"]


def test_translate_without_events_finds_no_successor(capsys):
    # 500222 綦江县 merged into 綦江区 on the reused code 500110: the code lists alone cannot
    # tell, so without events there is no successor
    code, out, _ = run(capsys, "divisions", "translate", "500222", "--from", "2010-01-01",
                       "--to", "2020-01-01", "--no-events")
    assert code == 0
    assert "(none: the division has no successor on 2020-01-01" in out


def test_as_of_lists_the_2_2_8_units(capsys):
    code, out, _ = run(capsys, "divisions", "as-of", "2010-01-01", "--parent", "50",
                       "--json")
    assert code == 0
    units = {d["code"]: d["name"] for d in json.loads(out)}
    data = json.loads(CHONGQING_2010.read_text(encoding="utf-8"))
    assert units == {f["id"]: f["properties"]["name"] for f in data["features"]}


def test_history_text_and_full_revisions(capsys):
    code, out, _ = run(capsys, "divisions", "history", "500110", "--revisions",
                       str(REVISIONS), "--events", str(shipped_events()))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "500110: 2 identities, 2 events"
    assert lines[1] == "  500110 万盛区  [1997-12-01 – 2011-10-01)"
    assert lines[2] == "  500110 綦江区  [2011-10-01 – …)"
    assert "1997-12-01 reparented (inferred) 510216 万盛区 → 500110 万盛区  [GB/T 2260 " \
           "revision 199712] (effective between 1997-01-01 and the end of 1997-12)" in out


def test_check_events_on_the_shipped_file(tmp_path, capsys):
    code, out, err = run(capsys, "divisions", "check-events", str(shipped_events()),
                         "--revisions", str(REVISIONS), "--out", str(tmp_path / "r"), "-q")
    assert code == 0, err
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"] == {} and summary["inputs"]["events_read"] == 20


@pytest.mark.parametrize("args, message", [
    (["translate", "500999", "--from", "2010-01-01", "--to", "2020-01-01"],
     "code 500999 is not in this history"),
    (["translate", "500222", "--from", "2010-13-01", "--to", "2020-01-01"],
     "bad date '2010-13-01'"),
    (["translate", "500222", "--from", "2020-01-01", "--to", "2010-01-01"],
     "code 500222 did not exist on 2020-01-01"),
    (["as-of", "1970-01-01"], "before this history starts"),
    (["as-of", "2010-01-01", "--parent", "5x"], "must be digits only"),
    (["history", "500222", "--events", "no/such.toml"], "no/such.toml: no such file"),
    (["history", "500222", "--revisions", "pyproject.toml"], "missing column(s) revision"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, args, message):
    code, out, err = run(capsys, "divisions", *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_events_that_contradict_the_lists_are_exit_2(tmp_path, capsys):
    events = tmp_path / "e.toml"
    events.write_text('[[event]]\ndate = "2016-07"\nkind = "abolished"\nold = ["500234 开州"]\n',
                      encoding="utf-8")
    code, _, err = run(capsys, "divisions", "history", "500234", "--events", str(events))
    assert code == 2
    assert "500234 is named '开县' on 2016-07-01, not '开州'" in err
