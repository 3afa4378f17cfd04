"""Division history on real data: the GB/T 2260 revisions and the shipped Chongqing events.

Must-show items of issue 8:
1. from the revisions file alone: 500234 开县 abolished and 500154 开州区 established in 2016;
   500222 綦江县 and 500225 大足县 abolished in 2011;
2. with the shipped events file: translate 500222 and 500234 from 2010 to 2020 gives 500110
   and 500154, and as_of(2010-01-01) lists the 40 county-level units of the 2.2.8 fixture.
"""

from __future__ import annotations

import doctest
import json
from datetime import date

import pytest

import geonames.divisions.events
import geonames.divisions.history
from geonames.divisions.events import EventKind
from geonames.divisions.history import DivisionLog, check_events, infer_events
from geonames.divisions.history_io import (
    read_events,
    read_revisions,
    shipped_events,
    shipped_revisions,
)
from tests.conftest import CHONGQING_2010, CHONGQING_2020, SHARED

REVISIONS = SHARED / "divisions" / "gb2260-revisions.csv.gz"


@pytest.fixture(scope="module")
def revisions():
    return read_revisions(REVISIONS)


@pytest.fixture(scope="module")
def inferred(revisions):
    return infer_events(revisions)


@pytest.fixture(scope="module")
def recorded():
    return read_events(shipped_events())


@pytest.fixture(scope="module")
def log(revisions, recorded):
    return DivisionLog.from_revisions(revisions, recorded)


def fixture_units(path):
    """Code → name of the features of an ECharts fixture (the code is the feature id)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(f["id"]): f["properties"]["name"] for f in data["features"]}


def events_of(events, code, kind):
    return [e for e in events if e.kind == kind and code in (*e.old_codes, *e.new_codes)]


def test_revisions_file_is_read_whole(revisions):
    assert len(revisions) == 82
    assert (revisions[0].label, revisions[-1].label) == ("198012", "201904")
    assert sum(len(r.codes) for r in revisions) == 269_432


# --- must-show 1: the revisions file alone ---------------------------------------------------


def test_kaixian_becomes_kaizhou_in_2016_an_inferred_rename(inferred):
    # 开县 → 开州区 changes the proper name (开 → 开州): paired as the only county-level code
    # gone and the only one added under Chongqing in that revision, marked inferred with the
    # evidence
    recoded = events_of(inferred.events, "500234", EventKind.RECODED)
    assert [(e.old[0].name, e.new_codes, e.new[0].name, e.date.year) for e in recoded] == \
        [("开县", ("500154",), "开州区", 2016)]
    e = recoded[0]
    # a revision date, with the window the change happened in
    assert (e.date, e.earliest, e.source) == (date(2016, 7, 1), date(2016, 7, 1),
                                              "GB/T 2260 revision 201607")
    assert e.inferred
    assert e.note.startswith("inferred rename with a new proper name: the only county code "
                             "gone and the only one added under 500000 重庆市")
    assert not events_of(inferred.events, "500234", EventKind.ABOLISHED)


def test_qijiang_and_dazu_counties_abolished_in_2011(inferred):
    for code, name in (("500222", "綦江县"), ("500225", "大足县")):
        abolished = events_of(inferred.events, code, EventKind.ABOLISHED)
        assert [(e.old[0].name, e.date.year) for e in abolished] == [(name, 2011)]
        # revision 201110 after 201012: effective between 2011-01-01 and 2011-10-31
        assert abolished[0].earliest == date(2011, 1, 1)
        assert "probably a merge" in abolished[0].note
    # the reused codes are not mistaken for renames of 万盛区 / 双桥区
    assert not [e for e in inferred.events if e.kind == EventKind.RENAMED
                and e.old_codes[0] in ("500110", "500111") and e.date.year == 2011]
    for code, old, new in (("500110", "万盛区", "綦江区"), ("500111", "双桥区", "大足区")):
        assert [e.old[0].name for e in events_of(inferred.events, code, EventKind.ABOLISHED)
                if e.date.year == 2011] == [old]
        assert [e.new[0].name for e in events_of(inferred.events, code, EventKind.ESTABLISHED)
                if e.date.year == 2011] == [new]


def test_inferred_chongqing_recodes_and_renames(inferred):
    cq = [e for e in inferred.events if e.date.year > 1997
          and any(c.startswith("50") for c in (*e.old_codes, *e.new_codes))]
    recoded = {(e.old_codes[0], e.new_codes[0]) for e in cq if e.kind == EventKind.RECODED}
    assert recoded == {("500234", "500154"), ("500239", "500114"), ("500221", "500115"),
                       ("500181", "500381"), ("500182", "500382"), ("500183", "500383"),
                       ("500184", "500384"), ("500381", "500116"), ("500382", "500117"),
                       ("500383", "500118"), ("500384", "500119"), ("500227", "500120"),
                       ("500224", "500151"), ("500223", "500152"), ("500226", "500153"),
                       ("500228", "500155"), ("500232", "500156")}
    assert [(e.old[0].name, e.new[0].name) for e in cq if e.kind == EventKind.RENAMED] == \
        [("万县区", "万州区")]


def test_revisions_alone_cannot_translate_a_merge(revisions):
    log = DivisionLog.from_revisions(revisions)
    assert log.translate("500222", "2010-01-01", "2020-01-01") == []
    assert log.translate("500227", "2010-01-01", "2020-01-01") == ["500120"]


def test_placeholder_rows_are_not_divisions(inferred):
    names = {u.name for e in inferred.events for u in (*e.old, *e.new)}
    assert not names & {"市辖区", "县", "省直辖县级行政区划"}


# --- must-show 2: with the shipped events file ------------------------------------------------


def test_translate_with_the_shipped_events(log):
    assert log.translate("500222", "2010-01-01", "2020-01-01") == ["500110"]
    assert log.translate("500234", "2010-01-01", "2020-01-01") == ["500154"]
    assert log.translate("500225", "2010-01-01", "2020-01-01") == ["500111"]
    assert log.translate("500110", "2010-01-01", "2020-01-01") == ["500110"]   # 万盛区
    assert log.translate("500110", "2020-01-01", "2010-01-01") == ["500110", "500222"]
    assert log.translate("500154", "2020-01-01", "2010-01-01") == ["500234"]
    assert log.translate("500181", "2000-01-01", "2010-01-01") == ["500116"]   # two recodes
    assert log.translate("500103", "2000-01-01", "2020-01-01") == ["500103"]   # unchanged


def test_as_of_2010_is_the_2_2_8_fixture(log):
    units = log.as_of("2010-01-01", parent="50")
    expected = fixture_units(CHONGQING_2010)
    assert len(units) == 40 == len(expected)
    assert {d.code: d.name for d in units} == expected
    assert {d.level for d in units} == {"county"}
    assert {d.parent_code for d in units} == {"500000"}


def test_as_of_2019_matches_the_4_9_0_fixture_but_for_the_2016_changes(log):
    units = {d.code: d.name for d in log.as_of("2019-04-30", parent="500000", level="county")}
    expected = fixture_units(CHONGQING_2020)
    assert len(units) == 38
    # the 4.9.0 data predate the December 2016 change of 梁平 and 武隆
    diff = set(units.items()) ^ set(expected.items())
    assert diff == {("500155", "梁平区"), ("500156", "武隆区"), ("500228", "梁平县"),
                    ("500232", "武隆县")}


def test_shipped_cut_gives_the_same_answers(recorded):
    cut = DivisionLog.from_revisions(read_revisions(shipped_revisions()), recorded)
    assert cut.translate("500222", "2010-01-01", "2020-01-01") == ["500110"]
    assert cut.translate("500234", "2010-01-01", "2020-01-01") == ["500154"]
    assert {d.code: d.name for d in cut.as_of("2010-01-01", parent="50")} == \
        fixture_units(CHONGQING_2010)


def test_recorded_dates_replace_revision_dates(log):
    # 国函〔2014〕58号 of 2014-05-02, listed first in revision 201410
    assert log.identity_on("500227", "2014-05-01").name == "璧山县"
    assert log.identity_on("500227", "2014-05-02") is None
    assert log.identity_on("500120", "2014-05-02").name == "璧山区"
    identities, events = log.history("500120")
    assert [e.decision for e in events] == ["国函〔2014〕58号"]


def test_history_of_a_reused_code(log):
    identities, events = log.history("500110")
    assert [(i.name, i.valid_from, i.valid_to) for i in identities] == [
        ("万盛区", date(1997, 12, 1), date(2011, 10, 1)),
        ("綦江区", date(2011, 10, 1), None)]
    # 1997: 万盛区 moves from Sichuan (510216) to the new municipality, same name
    assert [(e.kind, e.inferred) for e in events] == [
        (EventKind.REPARENTED, True), (EventKind.MERGED, False)]
    edges = [(a.code, a.name, b.code) for a, b, _ in log.lineage_edges()
             if b.code == "500110"]
    assert sorted(edges) == [("500110", "万盛区", "500110"), ("500222", "綦江县", "500110"),
                             ("510216", "万盛区", "500110")]


def test_rename_keeps_the_identity(log):
    (wanzhou,) = log.identities_of("500101")
    assert [(s.value, s.valid_from) for s in wanzhou.names] == [
        ("万县区", date(1997, 12, 1)), ("万州区", date(1998, 5, 22))]
    assert log.as_of("1998-01-01", parent="50")[0].name == "万县区"


# --- the shipped events file against the revisions -------------------------------------------


def test_shipped_events_agree_with_the_revisions(recorded, revisions):
    findings = check_events(recorded, revisions)
    assert findings == [], [f.message for f in findings]


def test_shipped_events_have_sources(recorded):
    assert len(recorded) == 20
    for e in recorded:
        assert e.source, e.describe()
        assert "GB/T 2260 revision" in e.source
        assert not e.decision or e.decision in e.source
    decisions = {e.decision for e in recorded if e.decision}
    assert decisions == {"国函〔2000〕88号", "国函〔2006〕110号", "国函〔2014〕58号"}


def test_missing_event_is_reported(recorded, revisions):
    without_kaixian = [e for e in recorded if "500234" not in e.old_codes]
    findings = check_events(without_kaixian, revisions)
    assert sorted((f.code, f.subject) for f in findings) == [
        ("history.unrecorded", "500234->500154")]


def test_wrong_date_is_reported(recorded, revisions):
    from dataclasses import replace
    moved = [replace(e, date=date(2009, 1, 1)) if "500234" in e.old_codes else e
             for e in recorded]
    codes = sorted(f.code for f in check_events(moved, revisions))
    assert "history.old_listed_after" in codes


def test_module_doctests():
    for module in (geonames.divisions.history, geonames.divisions.events):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0
