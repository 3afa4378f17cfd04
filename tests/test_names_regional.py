"""Names right for the whole country: regional readings, standard spellings, minority-language
forms, traditional characters and GB/T 16159 segmentation, checked against an independent set of
real names with their official romanization (``fixtures/names/romanization-eval.csv``, made by
``scripts/make_names_eval.py`` from GeoNames and ISO 3166-2)."""

from __future__ import annotations

import csv
import re
import unicodedata

import pytest
from pypinyin import lazy_pinyin

from geonames.names.romanize import minority_names, readings, romanize
from tests.conftest import ROOT

EVAL = ROOT / "fixtures" / "names" / "romanization-eval.csv"


def letters(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub("[^a-z]", "", plain.lower()).replace("v", "u")


@pytest.mark.parametrize(("name", "code", "expected"), [
    ("闵行区", None, "Minhang Qu"),
    ("闵行区", "310112", "Minhang Qu"),
    ("杨行镇", "310113103", "Yanghang Zhen"),
    ("九堡街道", "330104", "Jiubao Jiedao"),      # Hangzhou: bao (堡 was bu for the whole country)
    ("九堡", None, "Jiubao"),
    ("地窝堡乡", "650104201", "Diwopu Xiang"),    # Urumqi: pu
    ("吴堡县", None, "Wubu Xian"),                # Shaanxi: bu
    ("陕西省", None, "Shaanxi Sheng"),
    ("山西省", None, "Shanxi Sheng"),
    ("南乐县", None, "Nanle Xian"),              # the character entry wins over pypinyin's phrase
    ("柏林村", None, "Bailincun"),
    ("珲春市", None, "Hunchun Shi"),
    ("長沙", None, "Changsha"),
    ("長沙市", None, "Changsha Shi"),
    ("乾县", None, "Qian Xian"),                  # a simplified name stays as written
    ("朝阳门内大街", None, "Chaoyangmen Neidajie"),  # GB/T 16159: one-syllable modifier joined
    ("第二松花江", None, "Di'er Songhua Jiang"),     # GB/T 16159: the ordinal apart
    ("景山后街", None, "Jingshan Houjie"),
])
def test_regional_readings_and_segmentation(name: str, code: str | None, expected: str) -> None:
    assert romanize(name, code=code).text == expected


def test_traditional_and_simplified_read_alike() -> None:
    assert romanize("長沙").key == romanize("长沙").key == "changsha"
    assert romanize("長沙").simplified == "长沙"


@pytest.mark.parametrize(("name", "expected", "source"), [
    ("日喀则市", "Xigazê Shi", "GeoNames"),
    ("鄂尔多斯市", "Ordos Shi", "GeoNames"),
    ("锡林郭勒盟", "Xilin Gol Meng", "China Daily"),
    ("吐鲁番市", "Turpan Shi", "GeoNames"),
    ("和田地区", "Hotan Diqu", "GeoNames"),
    ("珠穆朗玛峰", "Qomolangma Feng", "China Daily"),
])
def test_minority_names_give_their_standard_form_with_the_source(name, expected, source) -> None:
    r = romanize(name)
    assert r.text == expected
    assert r.transcription == "transcribed"
    assert source in r.transcription_source
    assert "transcribed" in r.note


def test_other_names_in_minority_areas_are_flagged_not_transcribed() -> None:
    for name, code in [("高昌区", "650402"), ("地窝堡乡", "650104201"), ("城关区", "540102"),
                       ("吐鲁番市高昌区", None), ("新疆维吾尔自治区", None)]:
        r = romanize(name, code=code)
        assert r.transcription == "not transcribed", name
        assert "Hanyu pinyin" in r.note
    # the same characters outside the area, or at a level the table does not cover
    assert romanize("和田村", code="440000").transcription == ""
    assert romanize("和田村").text == "Hetiancun"
    assert romanize("解放碑街道").transcription == ""


def test_every_table_row_has_a_source() -> None:
    assert len(minority_names()) >= 100
    assert all(m.source and m.spelling and m.generics for m in minority_names())
    assert all(r.source for r in readings())
    scoped = [r for r in readings() if r.scope]
    assert all(all(p.isdigit() and len(p) in (2, 4, 6, 9) for p in r.scope) for r in scoped)


def _eval_rows() -> list[dict[str, str]]:
    with EVAL.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_evaluation_set_is_independent_and_real() -> None:
    rows = _eval_rows()
    assert len(rows) > 12_000
    assert EVAL.stat().st_size < 3_000_000
    assert {r["source"].split()[0] for r in rows} == {"GeoNames", "ISO"}
    by_name = {r["name"]: r["romanization"] for r in rows}
    assert by_name["陕西省"] == "Shaanxi Sheng" and by_name["内蒙古自治区"] == "Nei Mongol Zizhiqu"


def test_agreement_with_the_independent_set_and_never_worse_without_a_source() -> None:
    rows = _eval_rows()
    ours = bare = 0
    worse_unsourced = []
    for r in rows:
        want = letters(r["romanization"])
        got = romanize(r["name"], code=r["code"] or None)
        ok = letters(got.text) == want
        ours += ok
        bare_ok = letters("".join(lazy_pinyin(r["name"]))) == want
        bare += bare_ok
        if bare_ok and not ok and not (got.sources or got.transcription == "transcribed"):
            worse_unsourced.append(r["name"])
    assert ours / len(rows) >= 0.99
    assert ours > bare + 300
    assert worse_unsourced == []


def test_cli_prints_the_transcription_note(capsys) -> None:
    from tests.conftest import run_cli

    code, out, err = run_cli(capsys, "names", "romanize", "日喀则市", "鄂尔多斯市")
    assert code == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert ["日喀则市", "Xigazê Shi"] in [line[:2] for line in lines]
    assert "日喀则市: 少数民族语地名标准转写" in err and "GeoNames" in err
    code, out, err = run_cli(capsys, "names", "romanize", "--code", "650402", "高昌区")
    assert code == 0 and ["高昌区", "Gaochang Qu"] in [ln.split("\t")[:2]
                                                      for ln in out.splitlines()]
    assert "not transcribed" in err and "新疆维吾尔自治区" in err
    code, out, err = run_cli(capsys, "names", "romanize", "解放碑街道")
    assert code == 0 and err == ""


def test_romanize_file_and_lint_report_carry_the_flag(tmp_path, capsys) -> None:
    from tests.conftest import NAMES, run_cli

    src = tmp_path / "names.csv"
    src.write_text("name,code\n吐鲁番市,650400\n高昌区,650402\n解放碑街道,500103003\n",
                   encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, _ = run_cli(capsys, "names", "romanize", "--input", src, "--column", "name",
                         "--code-column", "code", "--output", out)
    assert code == 0
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [(r["romanization"], r["transcription"]) for r in rows] == [
        ("Turpan Shi", "transcribed"), ("Gaochang Qu", "not transcribed"),
        ("Jiefangbei Jiedao", "")]

    from geonames.names.io import names_report

    report = names_report(NAMES / "nbs2023-villages-xinjiang.csv")
    assert report.stats["not_transcribed"] == 14721
    assert any("14,721 names lie in autonomous areas" in n for n in report.notes)


def test_place_names_keep_a_natural_generic_in_the_proper_name() -> None:
    assert romanize("泰山").text == "Tai Shan"            # a mountain
    assert romanize("梁山", place=True).text == "Liangshan"  # the old name of 梁平县
    assert romanize("梁山县").text == "Liangshan Xian"


def test_heritage_list_romanizes_liangshan_as_a_place() -> None:
    from geonames.heritage.io import read_heritage_file
    from geonames.heritage.publication import publication_rows

    data = read_heritage_file(ROOT / "fixtures" / "heritage" / "chongqing.json")
    lists = {x.id: x for x in data.lists}
    rows = {r["name"]: r for r in publication_rows(data.entries, lists, data.batches)}
    assert rows["梁山"]["romanization"] == "Liangshan"
    # a natural feature (category natural) is read as one
    assert rows["夔门"]["romanization"] == romanize("夔门").text


def test_autonomous_prefectures_take_their_transcribed_proper_name() -> None:
    r = romanize("巴音郭楞蒙古自治州")
    assert r.text.startswith("Bayingolin ") and r.transcription == "transcribed"
    assert "Global Times" in r.transcription_source
    assert romanize("克孜勒苏柯尔克孜自治州").words[0] == "Kizilsu"
