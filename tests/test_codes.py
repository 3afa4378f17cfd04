"""Division codes: every real code parses with the right level and parent; each fault is named."""

import csv

import pytest

from geonames.divisions.codes import CodeError, Level, canonical, parse_code, validate_code
from tests.conftest import NAMES


def _rows(name):
    with open(NAMES / name, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_township_code_parses_with_level_and_parent():
    rows = _rows("nbs2023-townships.csv")
    assert len(rows) == 41352
    kinds = {}
    for row in rows:
        code = parse_code(row["code"])
        assert code.level == Level.TOWNSHIP
        assert code.parent == row["areaCode"]
        assert code.parents[:2] == (row["provinceCode"], row["cityCode"])
        kinds[code.kind] = kinds.get(code.kind, 0) + 1
    # Counts of each range in the 2023 statistical codes (sub-district 001–099, town 100–199,
    # township 200–399, other 400–599).
    assert kinds == {"sub-district": 9066, "town": 21377, "township": 8198, "other": 2710,
                     "county without townships": 1}  # 350527000 金门县


def test_every_chongqing_village_code_parses_with_level_and_parent():
    rows = _rows("nbs2023-villages-chongqing.csv")
    assert len(rows) == 11270
    for row in rows:
        code = parse_code(row["code"])
        assert code.level == Level.VILLAGE
        assert code.parent == row["streetCode"]
        assert code.parents == (row["provinceCode"], row["cityCode"], row["areaCode"],
                                row["streetCode"])
        suffix = int(row["code"][9:])
        expected = "residents' committee" if suffix < 200 else "villagers' committee"
        assert code.kind == expected


def test_every_xinjiang_village_code_parses_including_the_400_to_599_part():
    rows = _rows("nbs2023-villages-xinjiang.csv")
    assert len(rows) == 14721
    kinds: dict[str, int] = {}
    for row in rows:
        code = parse_code(row["code"])
        assert code.level == Level.VILLAGE and code.parent == row["streetCode"]
        kinds[code.kind] = kinds.get(code.kind, 0) + 1
    # 类似居委会 / 类似村委会 units: village part 400–599
    assert kinds["other"] == 2436
    assert sum(kinds.values()) == 14721


def test_every_county_code_parses():
    for row in _rows("nbs2023-counties.csv"):
        code = parse_code(row["code"])
        if row["code"].endswith("00"):  # a prefecture-level city without counties, e.g. 441900
            assert code.level == Level.PREFECTURE
        else:
            assert code.level == Level.COUNTY
            assert code.parent == row["cityCode"]


@pytest.mark.parametrize(
    "code, level, kind",
    [
        ("50", Level.PROVINCE, "province"),
        ("500000", Level.PROVINCE, "province"),
        ("5001", Level.PREFECTURE, "prefecture"),
        ("500100", Level.PREFECTURE, "prefecture"),
        ("4690", Level.PREFECTURE, "province-administered units"),
        ("500110", Level.COUNTY, "district"),
        ("500229", Level.COUNTY, "county"),
        ("500151", Level.COUNTY, "district"),  # 铜梁区: a municipality's 01 prefecture part
        ("110228", Level.COUNTY, "county"),  # 密云县 (before 2015): 02 in a municipality
        ("652301", Level.COUNTY, "county-level city"),  # 昌吉市 under an autonomous prefecture
        ("429004", Level.COUNTY, "county-level city"),  # 仙桃市, administered by the province
        ("445102", Level.COUNTY, "district"),  # 湘桥区: 潮州市 is a city numbered 51
        ("500242", Level.COUNTY, "county"),
        ("130171", Level.COUNTY, "other"),
        ("510181", Level.COUNTY, "county-level city"),
        ("500103001", Level.TOWNSHIP, "sub-district"),
        ("500110100", Level.TOWNSHIP, "town"),
        ("500242200", Level.TOWNSHIP, "township"),
        ("500110400", Level.TOWNSHIP, "other"),
        ("500103001001", Level.VILLAGE, "residents' committee"),
        ("500110100201", Level.VILLAGE, "villagers' committee"),
    ],
)
def test_level_and_kind(code, level, kind):
    parsed = parse_code(code)
    assert (parsed.level, parsed.kind) == (level, kind)


@pytest.mark.parametrize(
    "code, fault",
    [
        ("5001a0", "digits only"),
        ("50011", "has 5 digits"),
        ("5001100012", "has 10 digits"),
        ("", "digits only"),
        ("990101", "99 is not a province code"),
        ("500010", "prefecture part is 00"),
        ("500110600", "township part 600 is outside every range"),
        ("500110100000", "village part is 000"),
        ("500110100600", "village part 600 is outside every range"),
        ("ABC", "digits only"), ("-1", "digits only"), ("1e5", "digits only"),
        ("50 01", "digits only"), ("5001101001234567890", "has 19 digits"),
        ("５００１１０", "digits only"),
    ],
)
def test_each_kind_of_invalid_code_is_named(code, fault):
    with pytest.raises(CodeError, match=fault):
        parse_code(code)
    assert fault in validate_code(code)


def test_canonical_strips_padding():
    assert canonical("500000") == "50"
    assert canonical("500100") == "5001"
    assert canonical("500101") == "500101"
    assert validate_code("500101") is None


@pytest.mark.slow
def test_lint_keeps_the_400_to_599_villages_in_the_duplicate_checks():
    from geonames.names.lint import lint_names, parse_rules

    rows = _rows("nbs2023-villages-xinjiang.csv")
    names, codes = [r["name"] for r in rows], [r["code"] for r in rows]
    found = lint_names(names, codes, checks=["name.bad_code"])
    assert found == []
    # the duplicate check sees them: same result as a plain group-by on the county
    rules = parse_rules('[scopes]\nvillage = "county"')
    dups = lint_names(names, codes, rules=rules, checks=["name.duplicate"])
    groups: dict[tuple[str, str], list[str]] = {}
    for r in rows:
        groups.setdefault((r["areaCode"], r["name"]), []).append(r["code"])
    expected = {k: sorted(v) for k, v in groups.items() if len(v) > 1}
    assert {(f.details["area"], f.details["name"]): sorted(f.ids) for f in dups} == expected
    assert any(int(c[9:]) >= 400 for f in dups for c in f.ids)
