"""Heritage lists stored in the name register, and protection enforced by it, on both backends
(must-show item 1 of issue 7: a listed name is not renamed without an override, nothing
changes when refused, and the override's decision is in the history)."""

from __future__ import annotations

import uuid
from datetime import date
from urllib.parse import urlsplit

import pytest

from geonames.heritage.io import read_heritage_file
from geonames.heritage.model import EntryStatus, Override
from geonames.heritage.register import PROTECTED, HeritageError, HeritageRegister
from geonames.heritage.workflow import WorkflowError
from geonames.registry import Registry, WriteRefused
from tests.conftest import FIXTURES

LIST_FILE = FIXTURES / "heritage" / "chongqing.json"
DECISION = Override("渝府〔2025〕12号", "重庆市人民政府", date(2025, 2, 20),
                    "test of a decided rename")


def _gpkg(tmp_path):
    return str(tmp_path / "heritage.gpkg")


def _postgis(postgis_url):
    schema = f"gn_heritage_{uuid.uuid4().hex[:10]}"
    sep = "&" if urlsplit(postgis_url).query else "?"
    return f"{postgis_url}{sep}schema={schema}", schema


@pytest.fixture(params=["gpkg", pytest.param("postgis", marks=pytest.mark.postgis)])
def target(request, tmp_path):
    if request.param == "gpkg":
        yield _gpkg(tmp_path)
        return
    url = request.getfixturevalue("postgis_url")
    full, schema = _postgis(url)
    yield full
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def heritage(target):
    reg = Registry.open(target)
    h = HeritageRegister(reg)
    h.import_file(read_heritage_file(LIST_FILE), effective=date(2020, 1, 1), source="fixture")
    yield h
    reg.close()


def _snapshot(h: HeritageRegister, place_id: str) -> dict:
    """Everything a refused write could have touched."""
    store = h.store
    return {
        "events": store.query("SELECT seq, place_id, kind, data FROM gn_events ORDER BY seq"),
        "batches": store.query("SELECT batch, kind, n_events FROM gn_batches ORDER BY batch"),
        "placenames": store.query("SELECT place_id, name, status, last_seq FROM placenames "
                                  "ORDER BY place_id"),
        "names": store.query("SELECT place_id, name, kind, state FROM gn_names "
                             "ORDER BY place_id, name, kind"),
        "heritage": store.query("SELECT entry_id, status, data FROM heritage_entries "
                                "ORDER BY entry_id"),
        "log": store.count("heritage_log"),
        "place": h.registry.get(place_id),
        "search": [(x.place_id, x.name) for x in h.registry.search("湖广会馆")],
    }


def test_renaming_a_listed_name_needs_an_override(heritage):
    reg = heritage.registry
    entry = heritage.entry("cq-2-001")  # 湖广会馆, batch 2, listed
    assert entry.status == EntryStatus.LISTED
    place_id = entry.place_id
    before = _snapshot(heritage, place_id)
    assert before["place"].name == "湖广会馆"

    with pytest.raises(WriteRefused) as refused:
        reg.rename(place_id, "禹王宫", effective=date(2025, 3, 1))
    message = str(refused.value)
    assert message == (
        f"refused, nothing was changed: rename of 湖广会馆 (place {place_id}): 湖广会馆 is "
        "listed on 重庆市历史地名保护名录 batch 2 as entry cq-2-001, grade 一级, since "
        "2021-12-31. To proceed, give an override naming the decision that allows it "
        "(--override-decision)")
    assert _snapshot(heritage, place_id) == before
    # forcing is not enough, nor an override without a decision
    with pytest.raises(WriteRefused):
        reg.rename(place_id, "禹王宫", effective=date(2025, 3, 1), force=True)
    with pytest.raises(WriteRefused):
        reg.rename(place_id, "禹王宫", effective=date(2025, 3, 1), override={"reason": "x"})
    # retiring, merging and splitting are guarded the same way
    with pytest.raises(WriteRefused, match="retire of 湖广会馆"):
        reg.retire(place_id, effective=date(2025, 3, 1))
    other = heritage.entry("cq-3-003").place_id  # 磁器口: a candidate, not protected
    with pytest.raises(WriteRefused, match="merge of 湖广会馆"):
        reg.merge([place_id, other], "合并地", effective=date(2025, 3, 1))
    with pytest.raises(WriteRefused, match="split of 湖广会馆"):
        reg.split(place_id, ["甲", "乙"], effective=date(2025, 3, 1))
    assert _snapshot(heritage, place_id) == before
    assert reg.check() == []

    renamed = reg.rename(place_id, "禹王宫", effective=date(2025, 3, 1), override=DECISION)
    assert renamed.id == place_id and renamed.name == "禹王宫"
    last = reg.history(place_id)[-1]
    assert last.kind == "rename"
    [record] = last.overrides
    assert record["code"] == PROTECTED and record["subject"] == "cq-2-001"
    assert record["decision"] == "渝府〔2025〕12号"
    assert record["authority"] == "重庆市人民政府" and record["date"] == "2025-02-20"
    assert record["by"] == "override"
    assert last.summary() == ("2025-03-01 rename → 禹王宫 "
                              "[overridden: heritage.protected by decision 渝府〔2025〕12号]")
    assert reg.check() == []
    # the heritage report shows it
    [shown] = heritage.override_records()
    assert shown.entries == ("cq-2-001",) and shown.names == ("湖广会馆",)
    assert shown.override.decision == "渝府〔2025〕12号" and shown.summary == "湖广会馆 → 禹王宫"
    checked = {f.code: f for f in heritage.check(date(2025, 6, 1)) if f.subject == "cq-2-001"}
    assert checked["heritage.name_changed"].severity == "info"
    assert "changed under a recorded override decision" in checked["heritage.name_changed"].message
    # candidates are not protected: 磁器口 can be renamed without an override
    assert reg.rename(other, "磁器口古镇", effective=date(2025, 3, 1)).name == "磁器口古镇"


def test_workflow_is_stored_and_out_of_order_steps_change_nothing(heritage):
    e = heritage.entry("cq-3-001")  # 解放碑, candidate
    log_before = heritage.log("cq-3-001")
    with pytest.raises(WorkflowError, match="never went through public notice"):
        heritage.list_entry("cq-3-001", date(2024, 4, 1), batch=3)
    assert heritage.entry("cq-3-001") == e and heritage.log("cq-3-001") == log_before
    heritage.notice("cq-3-001", date(2024, 3, 8), date(2024, 3, 14), "重庆市民政局网站")
    heritage.object("cq-3-001", date(2024, 3, 10), "市民甲", "建议补充抗战胜利纪功碑史料")
    with pytest.raises(WorkflowError, match="after its public notice ended on 2024-03-14"):
        heritage.object("cq-3-001", date(2024, 3, 15), "市民乙", "迟到的异议")
    heritage.resolve("cq-3-001", 1, date(2024, 3, 20), "已补充")
    listed = heritage.list_entry("cq-3-001", date(2024, 4, 1), batch=3)
    assert listed.status == EntryStatus.LISTED
    again = heritage.entry("cq-3-001")
    assert again == listed
    assert [s.status for s in again.steps] == ["candidate", "notice", "listed"]
    assert again.notice.objections[0].resolution == "已补充"
    actions = [r["action"] for r in heritage.log("cq-3-001")]
    assert actions == ["entry.import", "entry.notice", "entry.objection", "entry.resolve",
                       "entry.list"]
    # now protected
    with pytest.raises(WriteRefused, match="解放碑 is listed"):
        heritage.registry.rename(listed.place_id, "解放碑广场", effective=date(2025, 1, 1))
    heritage.delist("cq-3-001", date(2025, 1, 1), "测试移出")
    assert heritage.registry.rename(listed.place_id, "解放碑广场",
                                    effective=date(2025, 2, 1)).name == "解放碑广场"


def test_propose_and_import_are_checked(heritage):
    reg = heritage.registry
    place = reg.get(heritage.entry("cq-2-002").place_id)  # 洪崖洞
    new = heritage.propose("cq-historical", place.id, category="historical", grade="二级",
                           on=date(2025, 1, 1), batch=3)
    assert new.id == "cq-historical-0021" and new.name == "洪崖洞"
    assert new.status == EntryStatus.CANDIDATE
    with pytest.raises(HeritageError, match="not a name of place"):
        heritage.propose("cq-historical", place.id, "洪崖门", "historical", "二级",
                         on=date(2025, 1, 1))
    with pytest.raises(HeritageError, match="no place 'P9999999'"):
        heritage.propose("cq-historical", "P9999999", "x", "historical", "二级",
                         on=date(2025, 1, 1))
    with pytest.raises(HeritageError, match="has no batch 9"):
        heritage.propose("cq-historical", place.id, "", "historical", "二级",
                         on=date(2025, 1, 1), batch=9)
    # importing the same file again changes nothing and matches the places already there
    n_places = len(reg)
    again = heritage.import_file(read_heritage_file(LIST_FILE), effective=date(2020, 1, 1))
    assert again.entries == 0 and again.unchanged == 20
    assert again.places_matched == 20 and again.places_added == 0 and len(reg) == n_places


def test_publication_and_continuity_from_the_register(heritage):
    rows = heritage.publication()
    assert len(rows) == 14 and {r["status"] for r in rows} == {"listed"}
    hg = next(r for r in rows if r["name"] == "湖广会馆")
    assert hg["romanization"] == "Huguanghuiguan" and hg["division"] == "500103"
    continuity = {f.subject: f for f in heritage.check(date(2025, 1, 1))
                  if f.code == "heritage.continuity"}
    assert len(continuity) == 20
    # the places were added to the register effective 2020-01-01: 5 years of records
    assert continuity["cq-2-001"].value == pytest.approx(5.0, abs=0.01)
    # 梁山 is a former name of 梁平区: not in use as the standard name
    assert "is not in use as the standard name" in continuity["cq-1-003"].message


def test_a_merge_under_override_is_one_record_naming_every_protected_place(heritage):
    reg = heritage.registry
    a = heritage.entry("cq-2-005").place_id  # 七星岗, listed
    b = heritage.entry("cq-2-006").place_id  # 两路口, listed
    c = heritage.entry("cq-3-004").place_id  # 十八梯, candidate
    with pytest.raises(WriteRefused) as refused:
        reg.merge([a, b, c], "七星岗两路口", effective=date(2025, 3, 1))
    assert [f.subject for f in refused.value.findings] == ["cq-2-005", "cq-2-006"]
    new = reg.merge([a, b, c], "七星岗两路口", effective=date(2025, 3, 1), override=DECISION)
    assert set(new.supersedes) == {a, b, c}
    [record] = heritage.override_records()
    assert (record.operation, record.place_ids, record.entries, record.names) == (
        "merge", (a, b), ("cq-2-005", "cq-2-006"), ("七星岗", "两路口"))
    assert record.override.decision == "渝府〔2025〕12号"
    assert record.summary == f"七星岗、两路口: merge, superseded by {new.id}"
    found = {(f.code, f.subject): f for f in heritage.check(date(2025, 6, 1))}
    assert found[("heritage.place_retired", "cq-2-005")].severity == "info"
    assert ("heritage.place_retired", "cq-3-004") not in found  # candidates are not protected
    assert reg.check() == []
