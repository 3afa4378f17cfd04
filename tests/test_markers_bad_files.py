"""Bad marker registers: a clear finding or one line and exit 2, never a traceback."""

from __future__ import annotations

import csv
import json

from tests.conftest import FIXTURES, run_cli

CQ = FIXTURES / "chongqing"


def run(args: list[str], capsys) -> tuple[int, str, str]:
    code, out, err = run_cli(capsys, "inspect", "markers", "--lines", CQ / "lines.geojson",
                             "--tripoints", CQ / "tripoints.geojson", "-q", "--no-sections",
                             *args)
    assert "Traceback" not in err
    return code, out, err


def clean_rows() -> list[dict[str, str]]:
    with open(CQ / "markers-clean.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write(path, rows, fields) -> str:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return str(path)


def findings(out_dir) -> list[dict[str, str]]:
    with open(out_dir / "findings.csv", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_no_number_column_is_exit_2(tmp_path, capsys):
    rows = clean_rows()
    path = write(tmp_path / "m.csv", rows, ["line", "x", "y"])
    code, _, err = run(["--markers", path, "--markers-crs", "EPSG:4544",
                        "--out", str(tmp_path / "r")], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "no marker number column" in err and "line, x, y" in err


def test_no_coordinate_columns_is_exit_2(tmp_path, capsys):
    path = write(tmp_path / "m.csv", clean_rows(), ["number", "status"])
    code, _, err = run(["--markers", path, "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and "no coordinate columns" in err


def test_xy_without_a_crs_is_exit_2(tmp_path, capsys):
    path = write(tmp_path / "m.csv", clean_rows(), ["number", "x", "y"])
    code, _, err = run(["--markers", path, "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and "x/y columns need their CRS" in err


def test_unparseable_coordinates_and_status_are_findings(tmp_path, capsys):
    rows = clean_rows()
    rows[3]["lon"] = "106°30'"
    rows[7]["lat"] = ""
    rows[9]["lon"] = "361.5"
    rows[11]["status"] = "sunk"
    path = write(tmp_path / "m.csv", rows, ["number", "lon", "lat", "status"])
    code, _, _ = run(["--markers", path, "--out", str(tmp_path / "r")], capsys)
    assert code == 1
    got = {(f["code"], f["subject"]) for f in findings(tmp_path / "r")}
    assert got == {("marker.bad_record", rows[k]["number"]) for k in (3, 7, 9, 11)}
    messages = " ".join(f["message"] for f in findings(tmp_path / "r"))
    assert "not a number" in messages and "empty" in messages
    assert "out of longitude/latitude range" in messages and "unknown status" in messages


def test_unknown_line_codes_are_bad_numbers(tmp_path, capsys):
    rows = clean_rows()
    single = [k for k, r in enumerate(rows) if r["type"] == "Q"]
    a, b = single[4], single[5]
    rows[a]["number"] = "500999500998" + rows[a]["number"][-4:]
    rows[b]["line"] = "500111500152"  # the register's line column disagrees with the number
    path = write(tmp_path / "m.csv", rows, ["number", "line", "lon", "lat"])
    code, _, _ = run(["--markers", path, "--out", str(tmp_path / "r")], capsys)
    assert code == 1
    got = {(f["code"], f["subject"]): f["message"] for f in findings(tmp_path / "r")}
    assert set(got) == {("marker.bad_number", rows[a]["number"]),
                        ("marker.bad_number", rows[b]["number"])}
    assert "not among the lines" in got[("marker.bad_number", rows[a]["number"])]
    assert "register puts it on line" in got[("marker.bad_number", rows[b]["number"])]


def test_empty_file_missing_file_and_points_that_are_lines(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    for path, words in ((empty, "empty"), (tmp_path / "nope.csv", "no such file"),
                        (CQ / "lines.geojson", "must be points")):
        code, _, err = run(["--markers", str(path), "--out", str(tmp_path / "r")], capsys)
        assert code == 2 and words in err, err


def test_a_header_only_register_is_exit_2(tmp_path, capsys):
    path = write(tmp_path / "m.csv", [], ["number", "lon", "lat"])
    code, _, err = run(["--markers", path, "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and "no marker rows" in err


def test_a_bad_number_pattern_is_exit_2(tmp_path, capsys):
    code, _, err = run(["--markers", str(CQ / "markers-clean.csv"), "--number-pattern",
                        "(?P<line>.+)(\\d{3})", "--out", str(tmp_path / "r")], capsys)
    assert code == 2 and "named groups" in err


def test_gbk_register_with_chinese_headers(tmp_path, capsys):
    rows = clean_rows()
    lines = ["界桩编号,经度,纬度,状态"] + [
        f"{r['number']},{r['lon']},{r['lat']},{'完好' if k else '损坏'}"
        for k, r in enumerate(rows)]
    path = tmp_path / "gbk.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gb18030"))
    code, _, _ = run(["--markers", str(path), "--out", str(tmp_path / "r")], capsys)
    assert code == 0  # only a warning: the damaged marker
    got = {(f["code"], f["subject"]) for f in findings(tmp_path / "r")}
    assert got == {("marker.damaged", rows[0]["number"])}
    summary = json.loads((tmp_path / "r" / "summary.json").read_text(encoding="utf-8"))
    assert summary["warnings"] == 1 and summary["errors"] == 0
