"""Heritage engine: workflow order, impact of changes on real Chongqing polygons, criteria from
dated history, and the printed list (must-show items 2, 3 and 4 of issue 7)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from html.parser import HTMLParser

import pytest
import shapely

from geonames.divisions.io import read_divisions
from geonames.errors import GeonamesError, InputFileError
from geonames.findings import Severity
from geonames.heritage.held import (
    HeldPeriod,
    NameSpan,
    check_held_name,
    held_name,
    name_use,
    parse_year,
    place_name_spans,
)
from geonames.heritage.impact import (
    IMPACT_CANDIDATE,
    IMPACT_LISTED,
    IMPACT_UNLOCATED,
    impact_of_area,
    impact_of_division_change,
    impact_of_place_change,
)
from geonames.heritage.io import (
    read_held_periods,
    read_heritage_file,
    write_heritage_file,
    write_list_csv,
)
from geonames.heritage.model import Batch, EntryStatus, Override
from geonames.heritage.publication import PlaceInfo, publication_rows, render_list_html
from geonames.heritage.workflow import (
    ProtectedNameError,
    WorkflowError,
    check_steps,
    delist,
    list_entry,
    open_notice,
    propose,
    record_objection,
    require_override,
    resolve_objection,
    withdraw,
)
from geonames.names.model import Approval, PlaceName
from tests.conftest import CHONGQING_2020, FIXTURES

LIST_FILE = FIXTURES / "heritage" / "chongqing.json"
PERIODS_FILE = FIXTURES / "heritage" / "held-periods.csv"


@pytest.fixture(scope="module")
def data():
    return read_heritage_file(LIST_FILE)


@pytest.fixture(scope="module")
def plist(data):
    return data.lists[0]


@pytest.fixture(scope="module")
def divisions():
    return read_divisions(CHONGQING_2020)


def _candidate(plist, on=date(2024, 3, 1)):
    return propose(plist, "cq-3-101", "cq-p-jiefangbei", "解放碑", "historical", "一级", on=on,
                   batch=3)


# ------------------------------------------------------------------ the fixture itself


def test_fixture_holds_sourced_batches_and_marks_what_is_uncertain(data):
    assert [b.number for b in data.batches] == [1, 2, 3]
    by_status = {s: [e.name for e in data.entries if e.status == s] for s in EntryStatus}
    assert len(by_status[EntryStatus.LISTED]) == 14
    assert sorted(by_status[EntryStatus.CANDIDATE]) == sorted(
        ["解放碑", "朝天门", "磁器口", "十八梯", "红岩村", "曾家岩"])
    # every entry cites at least one source; the demonstration candidates say they are unverified
    assert all(e.evidence.sources for e in data.entries)
    for e in data.entries:
        if e.batch == 3:
            assert not e.evidence.certain
    categories = {e.category for e in data.entries}
    assert {"historical", "revolutionary", "natural"} <= categories
    assert {e.grade for e in data.entries} == {"一级", "二级"}


def test_list_file_round_trips(tmp_path, data):
    out = tmp_path / "copy.json"
    write_heritage_file(out, data)
    again = read_heritage_file(out)
    assert again.entries == data.entries
    assert again.batches == data.batches
    assert [p.geometry.wkt for p in again.places] == [p.geometry.wkt for p in data.places]


def test_bad_list_files_are_refused_with_the_record_named(tmp_path):
    doc = json.loads(LIST_FILE.read_text(encoding="utf-8"))
    doc["entries"][0]["category"] = "royal"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputFileError, match="cq-1-001: category 'royal'"):
        read_heritage_file(bad)
    doc = json.loads(LIST_FILE.read_text(encoding="utf-8"))
    doc["entries"][0]["steps"] = [{"status": "candidate", "date": "2020-01-01"},
                                  {"status": "listed", "date": "2020-02-01"}]
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputFileError, match="step listed on 2020-02-01 cannot follow candidate"):
        read_heritage_file(bad)
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError, match="not a readable JSON"):
        read_heritage_file(bad)


# ------------------------------------------------------------------ must-show 3: workflow order


def test_listing_a_candidate_that_never_went_through_notice_is_refused(plist):
    entry = _candidate(plist)
    with pytest.raises(WorkflowError) as err:
        list_entry(entry, date(2024, 4, 1), Batch("cq-historical", 3))
    assert str(err.value) == (
        "entry cq-3-101 (解放碑) cannot be listed: it is a candidate that never went through "
        "public notice; open a notice first (geonames heritage notice ENTRY --start … --end "
        "…), then list it after the notice ends")


def test_an_objection_after_the_notice_ended_is_refused(plist):
    entry = open_notice(_candidate(plist), date(2024, 3, 8), date(2024, 3, 14))
    entry = record_objection(entry, date(2024, 3, 14), "市民甲", "名称来历有误")  # last day: ok
    with pytest.raises(WorkflowError) as err:
        record_objection(entry, date(2024, 3, 15), "市民乙", "反对")
    assert str(err.value) == (
        "objection to entry cq-3-101 (解放碑) received 2024-03-15 comes after its public notice "
        "ended on 2024-03-14; objections are recorded only during the notice "
        "(2024-03-08 – 2024-03-14)")
    assert len(entry.notice.objections) == 1


def test_every_out_of_order_step_is_refused_and_the_full_path_works(plist):
    batch = Batch("cq-historical", 3, date(2024, 4, 1))
    entry = _candidate(plist)
    with pytest.raises(WorkflowError, match="cannot be delisted: it is a candidate since 2024-03-01, and only an entry that is listed can"):
        delist(entry, date(2024, 5, 1), "no longer relevant")
    with pytest.raises(WorkflowError, match="cannot take an objection: it is a candidate"):
        record_objection(entry, date(2024, 3, 2), "x", "y")
    with pytest.raises(WorkflowError, match="before its last step"):
        open_notice(entry, date(2024, 2, 1), date(2024, 2, 7))
    with pytest.raises(WorkflowError, match="cannot end"):
        open_notice(entry, date(2024, 3, 10), date(2024, 3, 9))
    noticed = open_notice(entry, date(2024, 3, 8), date(2024, 3, 14), where="重庆市民政局网站")
    assert noticed.notice.days == 7
    with pytest.raises(WorkflowError, match="cannot be put under public notice: it is under public notice since 2024-03-08"):
        open_notice(noticed, date(2024, 3, 9), date(2024, 3, 15))
    with pytest.raises(WorkflowError, match="before its public notice started"):
        record_objection(noticed, date(2024, 3, 7), "x", "y")
    with pytest.raises(WorkflowError, match="runs until 2024-03-14; list it on or after "
                                            "2024-03-15"):
        list_entry(noticed, date(2024, 3, 14), batch)
    objected = record_objection(noticed, date(2024, 3, 10), "市民甲", "建议补充史料")
    with pytest.raises(WorkflowError, match=r"1 objection\(s\) received during the notice "
                                            r"\(2024-03-10\) are not resolved"):
        list_entry(objected, date(2024, 4, 1), batch)
    with pytest.raises(WorkflowError, match="before it was received"):
        resolve_objection(objected, 1, date(2024, 3, 9), "补充")
    resolved = resolve_objection(objected, 1, date(2024, 3, 20), "已补充史料")
    with pytest.raises(WorkflowError, match="already resolved"):
        resolve_objection(resolved, 1, date(2024, 3, 21), "again")
    with pytest.raises(WorkflowError, match="not to the list of batch 1"):
        list_entry(resolved, date(2024, 4, 1), Batch("other-list", 1))
    listed = list_entry(resolved, date(2024, 4, 1), batch)
    assert listed.status == EntryStatus.LISTED and listed.batch == 3
    assert [s.status for s in listed.steps] == ["candidate", "notice", "listed"]
    assert [s.date for s in listed.steps] == [date(2024, 3, 1), date(2024, 3, 8), date(2024, 4, 1)]
    check_steps(listed)
    with pytest.raises(WorkflowError, match="cannot be listed: it is listed"):
        list_entry(listed, date(2024, 4, 2), batch)
    with pytest.raises(WorkflowError, match="say why"):
        delist(listed, date(2025, 1, 1), " ")
    gone = delist(listed, date(2025, 1, 1), "地名实体消失且不宜启用", "渝民〔2025〕1号")
    assert gone.status == EntryStatus.DELISTED and not gone.active
    assert gone.status_on(date(2024, 12, 31)) == EntryStatus.LISTED
    with pytest.raises(WorkflowError, match="cannot be delisted: it is delisted"):
        delist(gone, date(2025, 2, 1), "again")


def test_a_withdrawn_candidate_must_be_noticed_again_before_listing(plist):
    noticed = open_notice(_candidate(plist), date(2024, 3, 8), date(2024, 3, 14))
    objected = record_objection(noticed, date(2024, 3, 9), "区民政局", "该名已用于他处")
    back = withdraw(objected, date(2024, 3, 20), "异议成立")
    assert back.status == EntryStatus.CANDIDATE
    assert back.notices[0].objections[0].resolution == "异议成立"
    with pytest.raises(WorkflowError, match="withdrawn from its notice on 2024-03-20; put it "
                                            "under a new notice first"):
        list_entry(back, date(2024, 4, 1), Batch("cq-historical", 3))
    again = open_notice(back, date(2024, 4, 1), date(2024, 4, 7))
    assert len(again.notices) == 2 and again.notice.objections == ()
    check_steps(list_entry(again, date(2024, 4, 8), Batch("cq-historical", 3)))


def test_category_and_grade_must_be_the_lists(plist):
    with pytest.raises(WorkflowError, match="category 'royal' is not one of list "
                                            "cq-historical's: historical"):
        propose(plist, "x", "p", "解放碑", "royal", "一级", on=date(2024, 1, 1))
    with pytest.raises(WorkflowError, match="grade '三级' is not one of list cq-historical's: "
                                            "一级, 二级"):
        propose(plist, "x", "p", "解放碑", "historical", "三级", on=date(2024, 1, 1))


# ------------------------------------------------------------------ protection


def test_a_change_to_a_listed_place_needs_an_override(data):
    lists = {x.id: x for x in data.lists}
    with pytest.raises(ProtectedNameError) as err:
        require_override(data.entries, "rename", ["cq-p-huguanghuiguan"], None, lists)
    message = str(err.value)
    assert message.startswith("rename refused, nothing was changed: 湖广会馆 (place "
                              "cq-p-huguanghuiguan) is listed on 重庆市历史地名保护名录 batch 2 "
                              "as entry cq-2-001, grade 一级 since 2021-12-31")
    assert "--override-decision" in message
    assert [e.id for e in err.value.entries] == ["cq-2-001"]
    # candidates are not protected yet; an override lets the change through and names the entry
    assert require_override(data.entries, "rename", ["cq-p-jiefangbei"], None) == []
    hits = require_override(data.entries, "merge", ["cq-p-huguanghuiguan", "cq-p-ciqikou"],
                            Override("渝府〔2025〕1号"))
    assert [e.id for e in hits] == ["cq-2-001"]
    with pytest.raises(ValueError, match="decision"):
        Override(" ")


# ------------------------------------------------------------------ must-show 2: impact


def _expected_inside(places, codes):
    """Entries' places inside the given divisions, computed straight from the GeoJSON."""
    raw = json.loads(CHONGQING_2020.read_text(encoding="utf-8"))
    polygons = [shapely.make_valid(shapely.geometry.shape(f["geometry"]))
                for f in raw["features"] if str(f["id"]) in codes]
    assert len(polygons) == len(codes)
    return {p.key for p in places if any(poly.covers(p.geometry) for poly in polygons)}


def test_merge_impact_lists_exactly_the_entries_inside_the_merged_divisions(data, divisions):
    locations = {p.key: p.geometry for p in data.places}
    old = ["500103", "500108"]  # 渝中区 + 南岸区 → a new district (hypothetical)
    findings = impact_of_division_change(data.entries, locations, divisions, old, ["500199"],
                                         kind="merge")
    inside = _expected_inside(data.places, set(old))
    expected = {e.id for e in data.entries if e.place_id in inside}
    assert {f.subject for f in findings} == expected
    assert len(expected) == 12  # 11 in 渝中区 by these polygons, 弹子石 in 南岸区
    assert len(findings) == len(expected)  # one finding per entry
    assert {"cq-1-001", "cq-2-001", "cq-3-001"} <= expected  # 弹子石, 湖广会馆, 解放碑
    assert "cq-3-003" not in expected  # 磁器口 lies in 沙坪坝区
    assert "cq-1-002" not in expected  # 夔门 lies in 奉节县
    by_id = {f.subject: f for f in findings}
    assert by_id["cq-2-001"].code == IMPACT_LISTED and by_id["cq-2-001"].severity == "error"
    assert by_id["cq-3-001"].code == IMPACT_CANDIDATE and by_id["cq-3-001"].severity == "warning"
    assert by_id["cq-1-001"].message == (
        "弹子石 (listed in batch 1 since 2021-01-07) lies in 南岸区 (500108), which the merge "
        "500103 + 500108 → 500199 ends")
    assert by_id["cq-1-001"].details["inside"] == ["500108"]
    # geometries are in the metric CRS (Gauss–Krüger zone 108°E for Chongqing)
    assert 300_000 < by_id["cq-1-001"].geometry.x < 700_000


def test_merge_impact_also_uses_the_registers_division_codes(data, divisions):
    """红岩村 and 李子坝 lie north of the generalised 渝中区 polygon (the echarts outline is on a
    1/1024° grid), so only the register's filing puts them in 渝中区: both reasons count."""
    locations = {p.key: p.geometry for p in data.places}
    filed = {p.key: p.division_code for p in data.places}
    old = ["500103", "500108"]
    by_point = {f.subject for f in impact_of_division_change(
        data.entries, locations, divisions, old, ["500199"])}
    both = {f.subject: f for f in impact_of_division_change(
        data.entries, locations, divisions, old, ["500199"], place_divisions=filed)}
    by_code = {e.id for e in data.entries if filed[e.place_id][:6] in old}
    assert set(both) == by_point | by_code
    assert {"cq-3-005", "cq-2-004"} <= set(both) - by_point  # 红岩村, 李子坝
    assert both["cq-3-005"].message.endswith(
        "is filed in the register under division 500103, part of 渝中区 (500103)")


def test_delisted_entries_are_not_touched_and_unlocated_ones_are_reported(data, divisions):
    locations = {p.key: p.geometry for p in data.places}
    entries = list(data.entries)
    i = next(i for i, e in enumerate(entries) if e.id == "cq-2-001")
    entries[i] = delist(entries[i], date(2025, 1, 1), "test")
    locations["cq-p-hongyadong"] = None
    findings = impact_of_division_change(entries, locations, divisions, ["500103", "500108"],
                                         ["500199"])
    subjects = {f.subject for f in findings}
    assert "cq-2-001" not in subjects
    unlocated = [f for f in findings if f.code == IMPACT_UNLOCATED]
    assert [f.subject for f in unlocated] == ["cq-2-002"]


def test_split_impact_and_bad_changes(data, divisions):
    locations = {p.key: p.geometry for p in data.places}
    findings = impact_of_division_change(data.entries, locations, divisions, ["500106"],
                                         ["500198", "500197"], kind="split")
    assert {f.subject for f in findings} == {"cq-3-003"}  # 磁器口 in 沙坪坝区
    with pytest.raises(GeonamesError, match="a merge needs two or more old codes"):
        impact_of_division_change(data.entries, locations, divisions, ["500103"], ["500199"])
    with pytest.raises(GeonamesError, match="division 500234 is not in the divisions layer"):
        impact_of_division_change(data.entries, locations, divisions, ["500234", "500103"],
                                  ["500199"])


def test_rename_and_area_impact(data):
    locations = {p.key: p.geometry for p in data.places}
    renamed = impact_of_place_change(data.entries, ["cq-p-liangping"], "rename", "梁山区")
    assert [(f.subject, f.severity) for f in renamed] == [("cq-1-003", Severity.ERROR)]
    assert "would replace the protected name 梁山" in renamed[0].message
    # a box of about 1 km around 解放碑: exactly the places inside it, and 500 m more with the margin
    box = shapely.box(106.5701, 29.5521, 106.5815, 29.5615)
    inside = {e.id for e in data.entries if box.covers(locations[e.place_id])}
    found = impact_of_area(data.entries, locations, box, divisions_crs())
    assert {f.subject for f in found} == inside and len(inside) == 5
    assert all(f.value == 0 for f in found)
    wider = impact_of_area(data.entries, locations, box, divisions_crs(), margin=500)
    near = {f.subject: f.value for f in wider if f.subject not in inside}
    assert near and all(0 < d <= 500 for d in near.values())
    assert {f.subject for f in wider} >= inside
    with pytest.raises(GeonamesError, match="margin"):
        impact_of_area(data.entries, locations, box, divisions_crs(), margin=-1)


def divisions_crs():
    from geonames.crs import WGS84

    return WGS84


# ------------------------------------------------------------------ criteria


def test_continuous_use_interruption_and_restoration_from_register_history():
    """A street renamed in 1966 and given its name back in 1981, as the register records it."""
    place = PlaceName(id="p", name="解放路", approval=Approval("重庆市人民政府", date=date(1950, 1, 1)))
    place = place.renamed("红卫路", date(1966, 9, 1))
    place = place.renamed("解放路", date(1981, 1, 1))
    spans = place_name_spans(place)
    use = name_use(spans, "解放路", date(2021, 1, 1))
    assert use.in_use and use.interrupted
    assert use.first_used == date(1950, 1, 1)
    assert use.continuous_since == date(1981, 1, 1)
    assert use.years_continuous == pytest.approx(40.0, abs=0.01)
    assert use.interruptions == ((date(1966, 9, 1), date(1981, 1, 1)),)
    assert use.restored == (date(1981, 1, 1),)
    assert use.years_total == pytest.approx(16.67 + 40.0, abs=0.01)
    gone = name_use(spans, "红卫路", date(2021, 1, 1))
    assert not gone.in_use and gone.continuous_since is None
    assert gone.years_total == pytest.approx(14.33, abs=0.01)
    assert name_use(spans, "人民路", date(2021, 1, 1)).first_used is None


def test_touching_spans_are_one_run():
    spans = [NameSpan("巴县", date(1950, 1, 1), date(1960, 1, 1)),
             NameSpan("巴县", date(1960, 1, 1), date(1994, 12, 1))]
    use = name_use(spans, "巴县", date(2020, 1, 1))
    assert not use.in_use and use.interruptions == ()
    assert use.years_total == pytest.approx(44.9, abs=0.05)


def test_held_name_rule_on_the_fixture_histories():
    periods = read_held_periods(PERIODS_FILE)
    fengjie = held_name(periods["奉节县"], through=2024)
    assert fengjie.passed and fengjie.held_since == 649 and fengjie.span_years == 1375
    assert fengjie.name == "奉节" and fengjie.status == "县"
    baxian = held_name(periods["巴县"], through=2024)
    assert not baxian.passed and "not held through 2024: last held in 1994" in baxian.reason
    assert held_name(periods["巴县"], through=1994).span_years == 1994 - 567


def test_held_name_rule_with_breaks_and_bc_years():
    # held from 221 BC, broken 581–618 (37 years) and 1950–1952, held since
    periods = [HeldPeriod(-221, 581, "临", "县"), HeldPeriod(618, 1950, "临", "县"),
               HeldPeriod(581, 618, "别", "县"), HeldPeriod(1952, None, "临", "县")]
    ok = held_name(periods, through=2024, max_break_years=50)
    assert ok.passed and ok.held_since == -221
    assert ok.span_years == 2024 + 221 - 1  # no year 0
    assert ok.breaks == ((581, 618), (1950, 1952)) and ok.longest_break == 37
    assert ok.held_years == ok.span_years - 37 - 2
    strict = held_name(periods, through=2024, max_break_years=30, min_years=1500)
    assert not strict.passed and strict.held_since == 618 and strict.span_years == 1406 - 0
    assert "1 earlier period(s) are cut off by breaks longer than 30 years" in strict.reason
    short = held_name(periods, through=2024, min_years=2500)
    assert not short.passed and "does not meet the 2500-year rule" in short.reason
    f = check_held_name(periods, "临县", through=2024)
    assert f.code == "heritage.held_name" and f.severity == "info" and f.value == 2244
    assert parse_year("公元前221年") == -221 and parse_year("前221") == -221
    with pytest.raises(GeonamesError, match="no year 0"):
        parse_year("0")
    with pytest.raises(GeonamesError, match="bad year"):
        parse_year("Tang")


# ------------------------------------------------------------------ must-show 4: printed list


class _Outline(HTMLParser):
    """Headings in order, and the cells of each table row, from the page."""

    def __init__(self):
        super().__init__()
        self.items: list[tuple[str, object]] = []
        self._tag = None
        self._text = ""
        self._row: list[str] | None = None
        self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3"):
            self._tag, self._text = tag, ""
        elif tag == "tr":
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == self._tag:
            self.items.append((tag, self._text.strip()))
            self._tag = None
        elif tag == "td" and self._row is not None and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row:
            self.items.append(("row", self._row))
            self._row = None

    def handle_data(self, text):
        if self._tag:
            self._text += text
        if self._cell is not None:
            self._cell += text


def test_printed_list_is_grouped_by_batch_and_category_with_romanized_names(data, tmp_path):
    lists = {x.id: x for x in data.lists}
    places = {p.key: PlaceInfo(p.name, "", p.division_code) for p in data.places}
    rows = publication_rows(data.entries, lists, data.batches, places,
                            statuses=[EntryStatus.LISTED, EntryStatus.CANDIDATE])
    page = render_list_html(rows, lists, data.batches, generated=date(2025, 1, 1))
    outline = _Outline()
    outline.feed(page)
    # headings: batch, then its categories in the list's order, each followed by its rows
    structure = []
    for kind, value in outline.items:
        if kind == "h2":
            structure.append((value, []))
        elif kind == "h3":
            structure[-1][1].append((value, []))
        else:
            structure[-1][1][-1][1].append(value)
    assert [b for b, _ in structure] == ["第1批", "第2批", "第3批（示例，非官方）"]
    cats = {b: [c for c, _ in cs] for b, cs in structure}
    assert cats["第1批"] == ["历史文化地名（5）", "著名山川（自然地理实体）（1）"]
    assert cats["第2批"] == ["历史文化地名（7）", "红色地名（1）"]
    assert cats["第3批（示例，非官方）"] == ["历史文化地名（4）", "红色地名（2）"]
    # each row: no., name, pinyin, place, grade, history …; names in the batch they belong to
    cells = {row[1].split(" (")[0]: (batch, cat, row) for batch, cs in structure
             for cat, rows_ in cs for row in rows_}
    assert cells["夔门"][:2] == ("第1批", "著名山川（自然地理实体）（1）")
    # a historical place name (the cliffside quarter), not the cave: 洞 joins the proper name
    assert cells["洪崖洞"][2][2] == "Hongyadong"
    assert cells["解放碑"][2][2] == "Jiefangbei"
    assert cells["朝天门"][2][2] == "Chaotianmen"
    assert cells["《新华日报》营业部旧址"][:2] == ("第2批", "红色地名（1）")
    assert cells["红岩村"][2][1] == "红岩村 (candidate)"
    assert cells["湖广会馆"][2][3] == "湖广会馆 500103" and cells["湖广会馆"][2][4] == "一级"
    assert cells["梁山"][2][5].startswith("梁平古称梁山")
    # within a category: grade first (一级 before 二级), then alphabetical by pinyin
    batch2 = [row for cat, rs in structure[1][1] if cat.startswith("历史") for row in rs]
    assert [r[4] for r in batch2] == ["一级"] * 2 + ["二级"] * 5
    assert [r[2] for r in batch2[2:]] == sorted(r[2] for r in batch2[2:])
    assert "page-break-inside:avoid" in page and "公布日期 2021-01-07" in page
    # the CSV carries the same rows
    path = tmp_path / "list.csv"
    write_list_csv(rows, path)
    text = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(text) == 1 + 20 and "Jiefangbei" in "\n".join(text)


def test_overrides_are_shown_on_the_printed_list(data):
    from geonames.heritage.model import OverrideRecord

    lists = {x.id: x for x in data.lists}
    rows = publication_rows(data.entries, lists, data.batches)
    record = OverrideRecord(date(2025, 3, 1), "rename", ("cq-p-huguanghuiguan",),
                            ("cq-2-001",), ("湖广会馆",),
                            Override("渝府〔2025〕12号", "重庆市人民政府", date(2025, 2, 20),
                                     "test"), summary="湖广会馆 → 禹王宫")
    page = render_list_html(rows, lists, data.batches, [record])
    assert "<h2 id='overrides'>" in page
    assert "渝府〔2025〕12号 (重庆市人民政府, 2025-02-20): test" in page
    # only listed entries by default
    assert len(rows) == 14 and all(r["status"] == "listed" for r in rows)


def test_places_romanization_is_used_when_the_register_has_it(data):
    lists = {x.id: x for x in data.lists}
    entry = replace(data.entries[0])
    rows = publication_rows([entry], lists, data.batches,
                            {entry.place_id: PlaceInfo("弹子石", "Tanzishi", "500108")})
    assert rows[0]["romanization"] == "Tanzishi"
    rows = publication_rows([entry], lists, data.batches,
                            {entry.place_id: PlaceInfo("弹子石街道", "Tanzishi Jiedao")})
    assert rows[0]["romanization"] == "Danzishi"  # the protected name is not the current one
