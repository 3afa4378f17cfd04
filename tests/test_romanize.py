"""Romanization after GB/T 16159-2012: the examples of domain.md, the readings table, the API."""

from __future__ import annotations

import csv
import re

import pytest
from pypinyin import lazy_pinyin

from geonames.names.romanize import (
    generic_terms,
    initials,
    pinyin_key,
    readings,
    romanize,
    romanize_many,
    split_name,
)
from tests.conftest import NAMES, ROOT

DOMAIN = ROOT.parent / "shared" / "docs" / "domain.md"

#: Every romanization example of domain.md ("Romanization" section and the issue), as written.
DOMAIN_EXAMPLES = {
    "重庆市": "Chongqing Shi",
    "泰山": "Tai Shan",
    "长江": "Chang Jiang",
    "西辽河": "Xiliao He",
    "景山后街": "Jingshan Houjie",
    "黑龙江省": "Heilongjiang Sheng",
    "王村": "Wangcun",
    "西安": "Xi'an",
    "南岸区": "Nan'an Qu",
    "六安": "Lu'an",
    "长治": "Changzhi",
    "丰都": "Fengdu",
    "蚌埠": "Bengbu",
    "乐亭": "Laoting",
    "铅山": "Yanshan",
    "单县": "Shan Xian",
    "洪洞": "Hongtong",
    "什邡": "Shifang",
    "筠连": "Junlian",
    "涡阳": "Guoyang",
    "繁峙": "Fanshi",
    # the examples
    "重庆市渝中区解放碑街道": "Chongqing Shi Yuzhong Qu Jiefangbei Jiedao",
    "酉阳土家族苗族自治县": "Youyang Tujiazu Miaozu Zizhixian",
}


@pytest.mark.parametrize(("name", "expected"), sorted(DOMAIN_EXAMPLES.items()))
def test_domain_examples_exactly(name: str, expected: str) -> None:
    assert romanize(name).text == expected


def _domain_pairs() -> set[tuple[str, str]]:
    """(hanzi, romanization) pairs written in the Romanization section of domain.md."""
    text = DOMAIN.read_text(encoding="utf-8")
    section = text.split("## Romanization", 1)[1].split("\n## ", 1)[0]
    section = re.sub(r"\s+", " ", section)
    pattern = re.compile(r"([\u4e00-\u9fff]+) ((?:[A-Z][a-z']+)(?: [A-Z][a-z']+)*)")
    return {(h, r) for h, r in pattern.findall(section)}


def test_the_list_covers_every_example_in_domain_md() -> None:
    if not DOMAIN.exists():
        pytest.fail(f"{DOMAIN} is missing")
    pairs = _domain_pairs()
    assert len(pairs) >= 20
    # every pair the text gives is in the list above, with the same romanization
    missing = {(h, r) for h, r in pairs if DOMAIN_EXAMPLES.get(h) != r}
    assert missing == set()


def test_key_initials_syllables() -> None:
    r = romanize("解放碑街道")
    assert r.text == "Jiefangbei Jiedao"
    assert r.syllables == ("jie", "fang", "bei", "jie", "dao")
    assert r.key == "jiefangbeijiedao"
    assert r.initials == "jfbjd"
    assert pinyin_key("解放碑") == "jiefangbei"
    assert initials("解放碑") == "jfb"


def test_tone_marks_and_apostrophe() -> None:
    assert romanize("重庆市", tones=True).text == "Chóngqìng Shì"
    assert romanize("西安", tones=True).text == "Xī’ān"
    assert romanize("六安", tones=True).tones == (4, 1)


def test_u_umlaut_kept_in_text_and_v_in_key() -> None:
    r = romanize("吕梁市")
    assert r.text == "Lüliang Shi"
    assert r.key == "lvliangshi"


def test_autonomous_regions_and_minority_spellings() -> None:
    assert romanize("广西壮族自治区").text == "Guangxi Zhuangzu Zizhiqu"
    assert romanize("新疆维吾尔自治区").text == "Xinjiang Uygur Zizhiqu"
    assert romanize("内蒙古自治区").text == "Nei Mongol Zizhiqu"
    assert romanize("湘西土家族苗族自治州").text == "Xiangxi Tujiazu Miaozu Zizhizhou"
    # the key stays plain pinyin, for search
    assert romanize("内蒙古自治区").key == "neimengguzizhiqu"


def test_splits_levels_only_at_real_division_generics() -> None:
    assert [p.text for p in split_name("济南市市中区")] == ["济南市", "市中区"]
    assert [p.text for p in split_name("白市驿镇")] == ["白市驿镇"]  # 白 is no city
    assert [p.text for p in split_name("王家坡社区居民委员会")] == ["王家坡社区居民委员会"]
    assert romanize("王家坡社区居民委员会").text == "Wangjiapo Shequ Jumin Weiyuanhui"
    assert romanize("重庆市渝中区解放碑").text == "Chongqing Shi Yuzhong Qu Jiefangbei"


def test_regional_readings_need_the_code() -> None:
    assert romanize("徐圩街道").text == "Xuxu Jiedao"  # the national default, xu
    assert romanize("徐圩街道", code="320703007").text == "Xuwei Jiedao"  # Jiangsu: wei
    assert romanize("龙洞堡街道", code="520102030").text == "Longdongbao Jiedao"
    assert romanize("吴堡县").text == "Wubu Xian"


def test_odd_characters_are_kept_or_separate_words() -> None:
    r = romanize("A1区")
    assert r.text == "A1 Qu"
    assert r.syllables == ("a1", "qu")
    assert romanize("阿凡提·小镇").words[0] == "Afanti"
    assert romanize("").text == ""
    assert romanize_many(["王村", None]) == [romanize("王村"), romanize("")]


def test_readings_table_has_300_sourced_entries() -> None:
    table = readings()
    assert len(table) >= 300
    assert all(r.source for r in table)
    assert all(len(r.pinyin) == len(r.hanzi) for r in table)
    # the table covers the polyphonic characters the issue names
    covered = {ch for r in table for ch in r.hanzi}
    assert set("长都堡圩厦曾行乐六蚌铅单洞阆峙什筠涡番") <= covered


def test_attested_column_is_true() -> None:
    """Every entry that says where it occurs in the real data does occur there."""
    by_file: dict[str, dict[str, str]] = {}
    for path in NAMES.glob("nbs2023-*.csv"):
        with path.open(encoding="utf-8") as f:
            by_file[path.stem] = {row["code"]: row["name"] for row in csv.DictReader(f)}
    attested = [r for r in readings() if r.attested]
    assert len(attested) >= 300
    for r in attested:
        stem, code = r.attested.split(":")
        assert r.hanzi in by_file[stem][code], (r.hanzi, r.attested)


def test_every_entry_is_used_as_written() -> None:
    """A multi-character entry romanizes to its own pinyin (no other entry shadows it)."""
    for r in readings():
        if len(r.hanzi) > 1 and not r.scope and not r.spelling:
            got = romanize(r.hanzi)
            expected = [s.replace("ü", "v") for s, _ in r.pinyin]
            assert list(got.syllables) == expected, r.hanzi


def test_generic_terms_table() -> None:
    terms = generic_terms()
    assert terms["区"].levels == ("county", "township") and "district" in terms["区"].code_kinds
    assert terms["村"].absorbing and not terms["山"].absorbing
    assert terms["社区居民委员会"].words == ("社区", "居民", "委员会")


@pytest.mark.slow
def test_agrees_with_pypinyin_where_no_entry_applies() -> None:
    """On every Chongqing village name, syllables equal pypinyin's unless the table was used."""
    with (NAMES / "nbs2023-villages-chongqing.csv").open(encoding="utf-8") as f:
        names = [row["name"] for row in csv.DictReader(f)]
    checked = differ = 0
    for name in names:
        r = romanize(name)
        if r.sources:
            continue
        checked += 1
        plain = [s.replace("ü", "v") for s in lazy_pinyin(name) if s.isalnum()]
        differ += plain != list(r.syllables)
    assert checked > 10_000
    assert differ == 0
