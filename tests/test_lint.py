"""Naming-rule checks on the real NBS 2023 names, and on hand-made cases."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from geonames.errors import GeonamesError
from geonames.findings import Severity
from geonames.names.lint import (
    default_rules,
    general_standard_chars,
    lint_names,
    parse_rules,
    rare_characters,
)
from geonames.names.romanize import pinyin_key
from tests.conftest import NAMES


def _rows(file: str) -> list[dict[str, str]]:
    with (NAMES / file).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def villages() -> list[dict[str, str]]:
    return _rows("nbs2023-villages-chongqing.csv")


@pytest.fixture(scope="module")
def townships() -> list[dict[str, str]]:
    return _rows("nbs2023-townships.csv")


@pytest.fixture(scope="module")
def counties() -> list[dict[str, str]]:
    return _rows("nbs2023-counties.csv")


def _by_name(findings, code):
    return {f.details["name"]: f for f in findings if f.code == code}


def _plain_duplicates(rows, parent_column):
    """What a plain group-by finds: (parent, name) pairs used more than once, with codes."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        groups[row[parent_column], row["name"]].append(row["code"])
    return {(parent, name): sorted(codes) for (parent, name), codes in groups.items()
            if len(codes) > 1}


# --------------------------------------------------------------------------- 重: duplicates


@pytest.mark.parametrize(("scope", "parent_column"), [("township", "streetCode"),
                                                      ("county", "areaCode")])
def test_duplicates_equal_a_plain_group_by(villages, scope, parent_column) -> None:
    rules = parse_rules(f'[scopes]\nvillage = "{scope}"')
    found = lint_names([r["name"] for r in villages], [r["code"] for r in villages],
                       rules=rules, checks=["name.duplicate"])
    got = {(f.details["area"], f.details["name"]): sorted(f.ids) for f in found}
    expected = _plain_duplicates(villages, parent_column)
    assert got == expected
    assert all(f.severity == Severity.ERROR for f in found)
    if scope == "county":
        assert len(got) == 88
        # every finding names the rule, the scope and the place ids
        f = found[0]
        assert "name.duplicate" in f.message and "within a county" in f.message
    else:
        assert got == {}  # no Chongqing township repeats a village name


def test_default_village_scope_is_the_township(villages) -> None:
    assert default_rules().scope_of("village") == "township"
    assert default_rules().scope_of("township") == "county"
    assert default_rules().scope_of("county") == "nation"


TONELESS = parse_rules("[homophone]\ntones = false")


def test_homophones_carry_their_pinyin_key(villages) -> None:
    found = lint_names([r["name"] for r in villages], [r["code"] for r in villages],
                       checks=["name.homophone"], rules=TONELESS)
    names = {tuple(f.details["names"]): f for f in found}
    assert set(names) == {("五同村村民委员会", "梧桐村村民委员会"),
                          ("万富村民委员会", "万福村民委员会"),
                          ("石院村村民委员会", "石园村村民委员会")}
    f = names["万富村民委员会", "万福村民委员会"]
    assert f.details["key"] == "wanfucunminweiyuanhui" == pinyin_key("万福村民委员会")
    assert "wanfucunminweiyuanhui" in f.message
    assert f.ids == ("500240115201", "500240115203")
    assert f.severity == Severity.WARNING


def test_homophones_are_tone_aware_by_default(villages) -> None:
    """万富 wànfù and 万福 wànfú differ in tone: not homophones unless tones = false; 五同 and 梧桐
    (wǔtóng / wútóng) neither; 石院 and 石园 (shíyuàn / shíyuán) neither."""
    found = lint_names([r["name"] for r in villages], [r["code"] for r in villages],
                       checks=["name.homophone"])
    assert found == []
    hand = lint_names(["花园村", "华园村", "兴华村", "星华村"],
                      ["500101001201", "500101001202", "500101001203", "500101001204"],
                      checks=["name.homophone"])
    assert [f.details["names"] for f in hand] == [["兴华村", "星华村"]]
    assert hand[0].details["tones"] is True and "same tones" in hand[0].message
    loose = lint_names(["花园村", "华园村"], ["500101001201", "500101001202"],
                       checks=["name.homophone"], rules=TONELESS)
    assert [f.details["names"] for f in loose] == [["花园村", "华园村"]]


def test_homophones_within_a_county_match_a_group_by_on_keys(villages) -> None:
    rules = parse_rules('[scopes]\nvillage = "county"\n[homophone]\ntones = false')
    found = lint_names([r["name"] for r in villages], [r["code"] for r in villages],
                       rules=rules, checks=["name.homophone"])
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in villages:
        groups[r["areaCode"], pinyin_key(r["name"])].add(r["name"])
    expected = {(area, key) for (area, key), names in groups.items() if len(names) > 1}
    assert {(f.details["area"], f.details["key"]) for f in found} == expected
    assert len(found) == 86


def test_provinces_shanxi_and_shaanxi_differ_in_tone_only() -> None:
    rows = _rows("nbs2023-provinces.csv")
    found = lint_names([r["name"] for r in rows], [r["code"] for r in rows])
    assert found == []  # shān / shǎn
    found = lint_names([r["name"] for r in rows], [r["code"] for r in rows], rules=TONELESS)
    assert [(f.code, f.details["names"]) for f in found] == [
        ("name.homophone", ["山西省", "陕西省"])]


def test_scope_is_configurable_and_checked() -> None:
    with pytest.raises(GeonamesError, match="scope 'town'"):
        parse_rules('[scopes]\nvillage = "town"')
    with pytest.raises(GeonamesError, match="unknown section"):
        parse_rules("[scope]\nvillage = 'county'")
    with pytest.raises(GeonamesError, match="severity"):
        parse_rules('[severity]\n"name.duplicate" = "fatal"')


def test_roads_within_a_township_by_the_containing_code() -> None:
    names = ["人民路", "人民路", "人民路"]
    codes = ["500101001", "500101001", "500101002"]  # two in one township, one in another
    found = lint_names(names, codes, checks=["name.duplicate"])
    assert [(f.details["level"], f.details["area"], f.ids) for f in found] == [
        ("road", "500101001", ("500101001", "500101001"))]


# --------------------------------------------------------------------------- 大: exaggerated


def test_exaggerated_real_positives(townships, villages) -> None:
    rows = townships + villages
    found = _by_name(lint_names([r["name"] for r in rows], [r["code"] for r in rows],
                                checks=["name.exaggerated"]), "name.exaggerated")
    # a traditional township name on the allow-list: counted, excepted
    assert found["宇宙营乡"].excepted and found["宇宙营乡"].details["exempt_by"] == "宇宙营"
    # 中央商务区 is the planning term for a CBD, not a claim: allow-listed
    assert found["武汉中央商务区管理委员会"].excepted
    for name, word in [("唐山国际旅游岛", "国际"), ("观府国际社区居民委员会", "国际")]:
        assert not found[name].excepted
        assert f"word {word}" in found[name].message
    # a development zone (township part 400-599) called 新城: the zone's own generic, not a
    # claim; a settlement or residential area called 城 still is (test_exaggerated_hand_made)
    assert "曹妃甸新城" not in found


def test_exaggerated_real_negatives_and_exemptions(townships, villages, counties) -> None:
    rows = townships + villages + counties
    found = _by_name(lint_names([r["name"] for r in rows], [r["code"] for r in rows],
                                checks=["name.exaggerated"]), "name.exaggerated")
    # approved uses are exempt: counted as excepted
    assert found["大兴国际机场"].excepted and found["中华路街道"].excepted
    # 特区 as the approved generic of a county-level unit, 广场 inside a community's proper
    # part, 大 itself: no finding
    for name in ("六枝特区", "东方广场社区居民委员会", "大渡口区", "大足区"):
        assert name not in found


def test_exaggerated_hand_made() -> None:
    found = lint_names(["宇宙中心小区", "环球广场", "幸福小区", "世界花园"],
                       levels=["residential", "village", "residential", "residential"],
                       checks=["name.exaggerated"])
    got = {f.details["name"]: f.details["reasons"] for f in found}
    assert got == {"宇宙中心小区": ["word 宇宙"],
                   "环球广场": ["word 环球", "generic 广场 claims a bigger place than a village"],
                   "世界花园": ["word 世界"]}


# --------------------------------------------------------------------------- 洋: foreign


def test_foreign_real_positives_and_friendship_exemption(townships, counties) -> None:
    rows = townships + counties
    found = _by_name(lint_names([r["name"] for r in rows], [r["code"] for r in rows],
                                checks=["name.foreign"]), "name.foreign")
    # a Singapore-invested cooperation park (Sembcorp, 1993): cooperation name, allow-listed
    assert found["无锡新加坡工业园"].excepted
    assert not found["硅谷街道"].excepted
    # a China–Singapore cooperation zone: friendship name, exempt
    assert found["吉林中国新加坡食品区"].excepted
    assert set(found) == {"无锡新加坡工业园", "硅谷街道", "吉林中国新加坡食品区"}


def test_foreign_real_negatives(townships, counties) -> None:
    rows = [r for r in townships + counties
            if r["name"] in {"洋县", "沙洋县", "大洋乡", "东京城镇", "万柏林区", "友谊县",
                             "恩和俄罗斯族民族乡"}]
    assert len(rows) >= 7
    assert lint_names([r["name"] for r in rows], [r["code"] for r in rows],
                      checks=["name.foreign"]) == []


def test_foreign_hand_made() -> None:
    found = lint_names(["曼哈顿花园", "威尼斯水城", "SOHO小区", "友谊新加坡花园", "太平洋村"],
                       checks=["name.foreign"])
    got = {f.details["name"]: (f.excepted, f.details["reasons"]) for f in found}
    assert got == {"曼哈顿花园": (False, ["曼哈顿"]), "威尼斯水城": (False, ["威尼斯"]),
                   "SOHO小区": (False, ["Latin word SOHO"]),
                   "友谊新加坡花园": (True, ["新加坡"])}


# --------------------------------------------------------------------------- 怪: odd


def test_odd_real_positives(townships, villages) -> None:
    rows = townships + villages
    found = _by_name(lint_names([r["name"] for r in rows], [r["code"] for r in rows],
                                checks=["name.odd"]), "name.odd")
    assert "symbol · inside the name" in found["华润·凌江社区居民委员会"].message
    assert "symbol - inside the name" in found["化学新材料产业园-沿江街道"].message
    assert "symbol - inside the name" in found["港口物流产业园-永安洲镇"].message


def test_odd_real_negatives(villages) -> None:
    # Chinese numerals are not digits; names with 一 二 三 … pass
    rows = [r for r in villages if any(ch in r["name"] for ch in "一二三四五六七八九十")]
    assert len(rows) > 300
    assert lint_names([r["name"] for r in rows], [r["code"] for r in rows],
                      checks=["name.odd"]) == []


def test_odd_hand_made() -> None:
    found = lint_names(["123", "3组", "红星3村", "A区", "幸福·家园", "招财村", "三组"],
                       checks=["name.odd"])
    got = {f.details["name"]: f.details["reasons"] for f in found}
    assert got == {"123": ["digits only (123)"], "3组": ["digits only (3)"],
                   "红星3村": ["digits mixed with characters (3)"],
                   "A区": ["Latin letters A"], "幸福·家园": ["symbol · inside the name"],
                   "招财村": ["word 招财"]}


# --------------------------------------------------------------------------- generic / level


def test_district_names_with_county_range_codes_real(counties) -> None:
    found = _by_name(lint_names([r["name"] for r in counties], [r["code"] for r in counties],
                                checks=["name.generic_mismatch"]), "name.generic_mismatch")
    # 大兴安岭地区: three 区 in the 61–64 (county) range
    assert set(found) == {"加格达奇区", "松岭区", "呼中区"}
    assert "county range" in found["加格达奇区"].message
    assert found["加格达奇区"].severity == Severity.ERROR


def test_generic_level_real_negatives(counties) -> None:
    # Chongqing's districts made from counties keep 5001xx codes beyond 20 (500151 铜梁区 …),
    # and its counties are 5002xx: all fit
    cq = [r for r in counties if r["code"].startswith("50")]
    assert len(cq) == 38
    assert lint_names([r["name"] for r in cq], [r["code"] for r in cq],
                      checks=["name.generic_mismatch"]) == []


def test_generic_level_hand_made() -> None:
    names = ["綦江区", "开县", "大足区", "解放碑街道", "龙沙镇", "王家坡社区居民委员会",
             "新华村民委员会", "渝北县"]
    codes = ["500222", "500234", "500225", "500103103", "500101001", "500101001201",
             "500101001001", "500112"]
    found = lint_names(names, codes, checks=["name.generic_mismatch"])
    got = {f.details["name"]: f.details["reasons"][0] for f in found}
    assert got == {
        "綦江区": "generic 区 needs a code in the district or other or province-administered "
                  "units range, but the code is in the county range",
        "大足区": "generic 区 needs a code in the district or other or province-administered "
                  "units range, but the code is in the county range",
        "解放碑街道": "generic 街道 needs a code in the sub-district range, but the code is in "
                      "the town range",
        "龙沙镇": "generic 镇 needs a code in the town range, but the code is in the "
                  "sub-district range",
        "王家坡社区居民委员会": "generic 社区居民委员会 needs a code in the residents' "
                                "committee range, but the code is in the villagers' "
                                "committee range",
        "新华村民委员会": "generic 村民委员会 needs a code in the villagers' committee range, "
                          "but the code is in the residents' committee range",
        "渝北县": "generic 县 needs a code in the county range, but the code is in the district "
                  "range",
    }


def test_generic_level_given_level_and_category() -> None:
    found = lint_names(["渝中区", "人民路"], levels=["village", "road"], categories=["", "12"],
                       checks=["name.generic_mismatch"])
    got = {f.details["name"]: f.details["reasons"] for f in found}
    assert got == {
        "渝中区": ["generic 区 is a county/township-level generic, the name is at village level"],
        "人民路": ["generic 路 is category 73 (交通运输设施-城市道路), the name is given category "
                  "12"],
    }


# --------------------------------------------------------------------------- rare, romanization


def test_general_standard_characters() -> None:
    table = general_standard_chars()
    assert len(table) == 8105
    assert {"碚", "綦", "涪", "垭", "凼"} <= table


def test_rare_characters_real(townships, villages) -> None:
    rows = townships + villages
    found = _by_name(lint_names([r["name"] for r in rows], [r["code"] for r in rows],
                                checks=["name.rare_char"]), "name.rare_char")
    assert found["柳树瞿阝镇"].details["characters"] == ["阝"]
    assert found["海恵社区居民委员会"].details["characters"] == ["恵"]
    assert len(found) == 62
    assert rare_characters("解放碑街道") == []


def test_romanization_given_versus_computed() -> None:
    found = lint_names(["重庆市", "长治市", "西安市", "六安市"],
                       romanized=["Chongqing Shi", "Zhangzhi Shi", "Xian shi", "Lù’ān Shì"],
                       checks=["name.romanization"])
    got = {f.details["name"]: (f.details["computed"], f.details["difference"]) for f in found}
    assert got == {"长治市": ("Changzhi Shi", "reading"), "西安市": ("Xi'an Shi", "form")}


# --------------------------------------------------------------------------- bad input


def test_bad_codes_and_empty_names_are_findings() -> None:
    found = lint_names(["新华村", "", "新华村", "新华村"],
                       ["500101001201", "500101001202", "5001x", "990101001201"])
    codes = sorted((f.code, f.subject) for f in found)
    assert codes == [("name.bad_code", "5001x"), ("name.bad_code", "990101001201"),
                     ("name.empty", "500101001202")]


def test_mismatched_columns_are_an_error() -> None:
    with pytest.raises(GeonamesError, match="codes has 1 values for 2 names"):
        lint_names(["a", "b"], ["1"])
    with pytest.raises(GeonamesError, match="unknown check"):
        lint_names(["a"], checks=["name.nope"])


def test_geometry_goes_to_findings() -> None:
    import shapely

    pts = [shapely.Point(0, 0), shapely.Point(10, 0)]
    found = lint_names(["新华村", "新华村"], geometries=pts, checks=["name.duplicate"])
    assert found[0].geometry.equals(shapely.MultiPoint(pts))
