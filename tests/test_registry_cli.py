"""``geonames registry …`` on both backends: the commands a register office runs."""

from __future__ import annotations

import json

import fiona

from tests.conftest import CHONGQING_2020, NAMES, run_cli

pytest_plugins = ["tests.registry_support"]  # the target fixture, on both backends


def run(capsys, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "registry", *args)


def test_register_office_workflow(target, capsys, tmp_path):
    db = ("--db", target)
    code, out, _ = run(capsys, "init", *db)
    assert code == 0 and "0 places" in out
    code, out, _ = run(capsys, "import", str(NAMES / "nbs2023-villages-chongqing.csv"), *db,
                       "--effective", "2023-12-31", "--authority", "国家统计局")
    assert code == 0 and "imported 11270 names in 1 batch(es)" in out
    code, out, _ = run(capsys, "import", str(CHONGQING_2020), *db, "--map", "division_code=id",
                       "--map", "id=", "--effective", "2020-01-01", "--batch-size", "10")
    assert code == 0 and "imported 38 names in 4 batch(es)" in out
    code, out, _ = run(capsys, "search", "jie fang cun", *db, "--json")
    hits = json.loads(out)
    assert [h["name"] for h in hits[:3]] == ["解放村村民委员会"] * 3  # three in Chongqing
    assert hits[0]["match"] == "proper" and hits[0]["by"] == "pinyin"
    code, out, _ = run(capsys, "search", "jfc", *db, "--json", "--limit", "50")
    names = [h["name"] for h in json.loads(out)]  # 解放村 金福村 金凤村 … all proper "jfc"
    assert names.count("解放村村民委员会") == 3 and "金福村村民委员会" in names
    code, out, _ = run(capsys, "search", "--near", "106.5775,29.5575", "--limit", "1", *db)
    assert out.split()[1:] == ["渝中区", "0.0", "m"]
    yuzhong = out.split()[0]

    code, out, _ = run(capsys, "rename", yuzhong, "渝中新区", *db, "--effective", "2024-05-01",
                       "--authority", "重庆市人民政府", "--document", "渝府〔2024〕1号")
    assert code == 0 and f"{yuzhong}: renamed to 渝中新区 (Yuzhong Xinqu) from 渝中区" in out
    code, out, _ = run(capsys, "search", "渝中区", *db)
    assert out.startswith(f"{yuzhong}  渝中新区  500103  (matched 渝中区, former_standard, "
                          "historical)")
    code, out, _ = run(capsys, "show", yuzhong, "--as-of", "2024-04-30", *db)
    assert out.startswith(f"{yuzhong}  渝中区  Yuzhong Qu")
    code, out, _ = run(capsys, "history", yuzhong, *db)
    lines = out.strip().splitlines()
    assert lines[0].endswith("2020-01-01 add 渝中区") and \
        lines[1].endswith("2024-05-01 rename → 渝中新区 (渝府〔2024〕1号)")

    code, out, _ = run(capsys, "search", "万盛", *db, "--json")
    code, out, _ = run(capsys, "search", "綦江区", *db, "--json")
    qijiang = json.loads(out)[0]["place_id"]
    code, out, _ = run(capsys, "search", "大足区", *db, "--json")
    dazu = json.loads(out)[0]["place_id"]
    code, out, _ = run(capsys, "merge", qijiang, dazu, "--into", "綦足区", "--division-code",
                       "500110", *db, "--effective", "2025-01-01")
    assert code == 0 and "merged into" in out
    merged = out.split(" merged into ")[1].split()[0]
    code, out, _ = run(capsys, "split", merged, "--into", "綦江区", "--into", "大足区", *db,
                       "--effective", "2026-01-01", "--no-check-names")
    assert code == 0 and out.count("区") >= 2
    code, out, _ = run(capsys, "show", merged, *db, "--json")
    record = json.loads(out)
    assert record["status"] == "retired" and record["supersedes"] == f"{qijiang},{dazu}"
    assert len(record["superseded_by"].split(",")) == 2
    code, out, _ = run(capsys, "retire", yuzhong, *db, "--effective", "2027-01-01",
                       "--reason", "test")
    assert code == 0

    lpf = tmp_path / "out.lpf.json"
    code, out, _ = run(capsys, "export", str(lpf), *db)
    assert code == 0 and out == f"wrote {11270 + 38 - 1} places to {lpf}\n"
    assert json.loads(lpf.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    gpkg = tmp_path / "out.gpkg"
    code, out, _ = run(capsys, "export", str(gpkg), "--all", *db)
    with fiona.open(gpkg) as src:
        assert len(src) == 11270 + 38 + 3
    code, out, _ = run(capsys, "history", *db)
    assert out.count("batch") == 1 + 4 + 4  # imports, then rename, merge, split, retire
    code, out, _ = run(capsys, "check", *db)
    assert code == 0 and out.startswith(f"ok: {11270 + 38 + 3} places")


def test_duplicate_refused_unless_forced_on_the_command_line(target, capsys):
    db = ("--db", target)
    run(capsys, "init", *db)
    csv_path = NAMES / "nbs2023-villages-chongqing.csv"
    run(capsys, "import", str(csv_path), *db, "--effective", "2023-12-31")
    code, out, _ = run(capsys, "search", "东方广场社区居民委员会", *db, "--json")
    first = json.loads(out)[0]
    assert first["place_id"] == "P0000001"
    # another residents' committee of the same sub-district (500101001)
    code, _, err = run(capsys, "rename", "P0000002", "东方广场社区居民委员会", *db,
                       "--effective", "2024-01-01")
    assert code == 2 and "within a township" in err and "--force" in err
    code, out, _ = run(capsys, "rename", "P0000002", "东方广场社区居民委员会", *db,
                       "--effective", "2024-01-01", "--force")
    assert code == 0
    code, out, _ = run(capsys, "history", "P0000002", *db, "--json")
    assert json.loads(out)[-1]["overrides"][0]["code"] == "name.duplicate"


def test_bad_input_is_one_line_and_exit_2(target, capsys, tmp_path):
    db = ("--db", target)
    run(capsys, "init", *db)
    code, _, err = run(capsys, "show", "P404", *db)
    assert code == 2 and err == "Error: no place with id P404 in the register\n"
    code, _, err = run(capsys, "rename", "P404", "x", *db, "--effective", "2024-13-01")
    assert code == 2 and "is not a date" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("name,lon,lat\n甲,1,2\n乙,x,2\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(bad), *db, "--strict")
    assert code == 2 and "nothing imported" in err
    code, out, _ = run(capsys, "import", str(bad), *db)
    assert code == 1 and "rejected 3: 乙 — coordinates 'x', '2' are not numbers" in out
    code, _, err = run(capsys, "search", "x", "--db", str(tmp_path / "none.txt"))
    assert code == 2 and "a .gpkg file or a postgresql:// URL" in err
