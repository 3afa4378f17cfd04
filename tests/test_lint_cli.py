"""``geonames names romanize`` and ``geonames names lint`` on real files: outputs and bad input."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from geonames.cli import cli, main
from tests.conftest import CHONGQING_2020, NAMES

VILLAGES = NAMES / "nbs2023-villages-chongqing.csv"


def _exit_of(argv, capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    return exit_.value.code, capsys.readouterr().err


def test_romanize_arguments() -> None:
    result = CliRunner().invoke(cli, ["names", "romanize", "重庆市渝中区解放碑街道", "六安"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "name\tromanization\tpinyin_key\tinitials",
        "重庆市渝中区解放碑街道\tChongqing Shi Yuzhong Qu Jiefangbei Jiedao\t"
        "chongqingshiyuzhongqujiefangbeijiedao\tcqsyzqjfbjd",
        "六安\tLu'an\tluan\tla",
    ]


def test_romanize_csv(tmp_path) -> None:
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(cli, ["names", "romanize", "--input", str(VILLAGES),
                                      "--column", "name", "--output", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 11270
    assert rows[0]["name"] == "东方广场社区居民委员会"
    assert rows[0]["romanization"] == "Dongfangguangchang Shequ Jumin Weiyuanhui"
    assert rows[0]["initials"] == "dfgcsqjmwyh"


def test_lint_villages_within_a_county_is_exit_1(tmp_path, capsys) -> None:
    out = tmp_path / "report"
    code, err = _exit_of(["names", "lint", str(VILLAGES), "--scope", "village=county",
                          "--out", str(out), "-q"], capsys)
    assert code == 1, err
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["name.duplicate"] == 88
    assert summary["counts"]["name.homophone"] == 29  # tone-aware by default (85 toneless)
    assert summary["stats"]["names"] == 11270
    with (out / "findings.csv").open(encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if r["code"] == "name.homophone"]
    details = json.loads(rows[0]["details"])
    assert details["key"] in rows[0]["message"]
    assert (out / "report.html").exists() and (out / "scopes.csv").exists()


def test_lint_default_scope_is_exit_0(tmp_path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["names", "lint", str(VILLAGES), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output


def test_lint_geojson_with_geometry_writes_gpkg(tmp_path, capsys) -> None:
    src = tmp_path / "dup.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "新华村", "code": "500101001201"},
         "geometry": {"type": "Point", "coordinates": [106.5, 29.5]}},
        {"type": "Feature", "properties": {"name": "新华村", "code": "500101001202"},
         "geometry": {"type": "Point", "coordinates": [106.6, 29.6]}},
    ]}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "report"
    code, err = _exit_of(["names", "lint", str(src), "--out", str(out), "-q"], capsys)
    assert code == 1, err
    assert (out / "findings.gpkg").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["metric_crs"].startswith("EPSG:45")  # a Gauss–Krüger zone


def test_lint_echarts_divisions_uses_feature_ids(tmp_path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, ["names", "lint", str(CHONGQING_2020), "--out", str(out),
                                      "-q"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["stats"]["with_code"] == 38


def test_bad_input_is_one_line_exit_2(tmp_path, capsys) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    header = tmp_path / "header.csv"
    header.write_text("name,code\n", encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("名称,代码\n王村,500101001201\n".encode("gb18030"))
    rules = tmp_path / "rules.toml"
    rules.write_text('[scopes]\nvillage = "town"\n', encoding="utf-8")
    cases = [
        (["names", "lint", str(tmp_path / "missing.csv")], "no such file"),
        (["names", "lint", str(empty)], "the file is empty"),
        (["names", "lint", str(header)], "no rows below the header"),
        (["names", "lint", str(VILLAGES), "--name-col", "名字"], "no column '名字'"),
        (["names", "lint", str(VILLAGES), "--rules", str(rules)], "scope 'town'"),
        (["names", "lint", str(VILLAGES), "--scope", "village"], "write LEVEL=SCOPE"),
        (["names", "romanize"], "give one or more names"),
        (["names", "romanize", "--input", str(VILLAGES)], "--input needs --output"),
    ]
    for argv, message in cases:
        code, err = _exit_of(argv + ["--out", str(tmp_path / "r"), "-q"] if argv[1] == "lint"
                             else argv, capsys)
        assert code == 2, (argv, err)
        assert message in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
    # a GB18030 CSV with Chinese headers is read and checked
    code, _ = _exit_of(["names", "lint", str(gbk), "--out", str(tmp_path / "g"), "-q"], capsys)
    assert code == 0
