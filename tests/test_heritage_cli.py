"""``geonames heritage add|notice|list|delist|check|impact|export`` as a user runs them."""

from __future__ import annotations

import csv
import json

import pytest

from tests.conftest import CHONGQING_2020, FIXTURES, run_cli

LIST_FILE = FIXTURES / "heritage" / "chongqing.json"
PERIODS_FILE = FIXTURES / "heritage" / "held-periods.csv"


run = run_cli


@pytest.fixture
def db(tmp_path, capsys):
    path = tmp_path / "cq.gpkg"
    code, out, err = run(capsys, "heritage", "add", LIST_FILE, "--db", path,
                         "--effective", "2020-01-01")
    assert code == 0, err
    assert out.strip() == ("1 list(s), 3 batch(es), 20 entries stored (0 unchanged); places: "
                           "0 matched in the register, 20 added")
    return path


def test_workflow_from_the_command_line(db, capsys):
    code, _, err = run(capsys, "heritage", "list", "cq-3-001", "--db", db, "--on", "2024-04-01")
    assert code == 2
    assert err.startswith("Error: entry cq-3-001 (解放碑) cannot be listed: it is a candidate "
                          "that never went through public notice")
    code, out, _ = run(capsys, "heritage", "notice", "cq-3-001", "--db", db,
                       "--start", "2024-03-08", "--end", "2024-03-14")
    assert code == 0 and "under public notice 2024-03-08 – 2024-03-14 (7 days)" in out
    code, _, err = run(capsys, "heritage", "notice", "cq-3-001", "--db", db, "--objection",
                       "迟到的异议", "--by", "市民乙", "--on", "2024-03-15")
    assert code == 2 and "comes after its public notice ended on 2024-03-14" in err
    code, out, _ = run(capsys, "heritage", "list", "cq-3-001", "--db", db, "--on", "2024-03-15")
    assert code == 0 and out.strip() == "cq-3-001: 解放碑 listed in batch 3 on 2024-03-15"
    code, out, _ = run(capsys, "heritage", "list", "--db", db, "--status", "candidate")
    assert code == 0 and out.strip().endswith("5 entries") and "cq-3-001" not in out
    code, out, _ = run(capsys, "heritage", "delist", "cq-3-001", "--db", db, "--on",
                       "2025-01-01", "--reason", "测试")
    assert code == 0 and "delisted on 2025-01-01" in out
    code, _, err = run(capsys, "heritage", "delist", "cq-3-001", "--db", db, "--on",
                       "2025-02-01", "--reason", "again")
    assert code == 2 and "it is delisted since 2025-01-01" in err
    code, _, err = run(capsys, "heritage", "notice", "nope", "--db", db, "--start",
                       "2024-03-08", "--end", "2024-03-14")
    assert code == 2 and "no heritage entry 'nope'" in err


def test_impact_of_a_merge_writes_a_report(db, tmp_path, capsys):
    out_dir = tmp_path / "impact"
    code, out, _ = run(capsys, "heritage", "impact", "--db", db, "--merge", "500103,500108",
                       "--into", "500199", "--divisions", CHONGQING_2020, "--out", out_dir,
                       "-q")
    assert code == 1  # listed entries are touched
    summary = json.loads((out_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["stats"]["entries_touched"] == 14  # 12 by polygon + 红岩村, 李子坝 by code
    assert summary["counts"] == {"heritage.impact.candidate": 5, "heritage.impact.listed": 9}
    assert summary["metric_crs"] == "EPSG:4545"
    with open(out_dir / "entries.csv", encoding="utf-8-sig") as fh:
        rows = {r["entry"]: r for r in csv.DictReader(fh)}
    assert "lies in 南岸区 (500108)" in rows["cq-1-001"]["why"]
    assert rows["cq-3-005"]["why"].startswith("is filed in the register under division 500103")
    assert "data:image/png;base64" in (out_dir / "report.html").read_text(encoding="utf-8")
    code, _, err = run(capsys, "heritage", "impact", "--db", db, "--merge", "500103",
                       "--into", "500199", "--out", out_dir)
    assert code == 2 and "a merge needs two or more old codes" in err
    code, _, err = run(capsys, "heritage", "impact", "--db", db, "--out", out_dir)
    assert code == 2 and "give one change" in err


def test_check_and_export(db, tmp_path, capsys):
    code, _, _ = run(capsys, "heritage", "check", "--db", db, "--history", PERIODS_FILE,
                     "--through", "2024", "--on", "2025-01-01", "--out", tmp_path / "chk",
                     "-q")
    assert code == 0
    with open(tmp_path / "chk" / "findings.csv", encoding="utf-8-sig") as fh:
        held = {r["subject"]: r for r in csv.DictReader(fh) if r["code"] == "heritage.held_name"}
    assert float(held["奉节县"]["value"]) == 1375 and held["奉节县"]["severity"] == "info"
    assert held["巴县"]["severity"] == "warning"
    code, out, _ = run(capsys, "heritage", "export", "--db", db, "--out", tmp_path / "pub")
    assert code == 0 and out.startswith("14 entries → ")
    page = (tmp_path / "pub" / "heritage.html").read_text(encoding="utf-8")
    assert page.index("第1批") < page.index("第2批")
    assert "Hongya Dong" in page and "解放碑" not in page  # candidates are not published
    code, _, err = run(capsys, "heritage", "export", "--db", tmp_path / "missing.gpkg",
                       "--out", tmp_path / "x")
    assert code == 2 and "no such register" in err


def test_registry_rename_of_a_listed_place_needs_an_override_decision(db, capsys):
    place = "P0000007"  # 湖广会馆: the 7th place of the file, added in order
    code, out, _ = run(capsys, "registry", "show", place, "--db", db)
    assert code == 0 and "湖广会馆" in out
    code, _, err = run(capsys, "registry", "rename", place, "禹王宫", "--db", db,
                       "--effective", "2025-05-01")
    assert code == 2
    assert err.startswith("Error: refused, nothing was changed: rename of 湖广会馆 (place "
                          "P0000007): 湖广会馆 is listed on 重庆市历史地名保护名录 batch 2")
    code, _, err = run(capsys, "registry", "rename", place, "禹王宫", "--db", db,
                       "--effective", "2025-05-01", "--force")
    assert code == 2 and "--override-decision" in err
    code, out, _ = run(capsys, "registry", "history", place, "--db", db)
    assert code == 0 and "rename" not in out
    code, out, _ = run(capsys, "registry", "rename", place, "禹王宫", "--db", db,
                       "--effective", "2025-05-01", "--override-decision", "渝府〔2025〕12号",
                       "--authority", "重庆市人民政府", "--reason", "示例")
    assert code == 0, out
    code, out, _ = run(capsys, "registry", "history", place, "--db", db)
    assert out.splitlines()[-1].endswith(
        "2025-05-01 rename → 禹王宫 (示例) [overridden: heritage.protected by decision "
        "渝府〔2025〕12号]")
