"""Result documents of a joint inspection (GB/T 17796-2009): 界桩登记表, 界桩成果表, 边界点成果表,
边界线走向说明, as CSV, XLSX and one PDF, from ``geonames inspect run`` on the fixture."""

from __future__ import annotations

import csv
import json
import re
import zipfile

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geonames.boundaries.results import (
    ResultLine,
    compass_point,
    course_text,
    dms,
    gk_zone,
    length_words,
    line_courses,
)
from geonames.errors import InputFileError
from geonames.inspection.run import run_inspection
from tests.conftest import FIXTURES, run_cli

CQ = FIXTURES / "chongqing"
DOCUMENTS = ("marker-register.csv", "marker-coordinates.csv", "boundary-points.csv",
             "line-courses.csv", "results.xlsx", "results.pdf")


def rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig") as fh:
        return list(csv.reader(fh))


def fixture_markers() -> list[dict[str, str]]:
    with open(CQ / "markers.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def fixture_lines() -> list[dict]:
    return json.loads((CQ / "lines.geojson").read_text(encoding="utf-8"))["features"]


@pytest.fixture(scope="module")
def results_dir(demo_report):
    return demo_report / "results"


@pytest.fixture(scope="module")
def results():
    report = run_inspection(CQ / "inspection.toml", sections=False)
    return report.documents["results"]


@pytest.fixture(scope="module")
def pdf_text(results_dir) -> str:
    from pypdf import PdfReader

    reader = PdfReader(results_dir / "results.pdf")
    return "\f".join(page.extract_text() for page in reader.pages)


def test_inspect_run_writes_the_four_documents(results_dir):
    for name in DOCUMENTS:
        assert (results_dir / name).stat().st_size > 0, name
    assert rows(results_dir / "marker-register.csv")[0][:3] == ["界桩编号", "界线编号", "界线名称"]
    assert rows(results_dir / "marker-coordinates.csv")[0][3:5] == ["X（北）/m", "Y（东）/m"]
    assert rows(results_dir / "boundary-points.csv")[0][2] == "点号"
    assert rows(results_dir / "line-courses.csv")[0][6] == "走向"


def test_the_pdf_names_every_marker_and_every_line(pdf_text, results_dir):
    assert (results_dir / "results.pdf").read_bytes().startswith(b"%PDF")
    text = re.sub(r"\s+", "", pdf_text)
    numbers = {m["number"].strip() for m in fixture_markers() if m["number"].strip()}
    assert len(numbers) > 150
    missing = sorted(n for n in numbers if n not in text)
    assert not missing
    for feature in fixture_lines():
        p = feature["properties"]
        a, b = sorted([(p["left_id"], p["left_name"]), (p["right_id"], p["right_name"])])
        assert f"{a[1]}—{b[1]}" in text and p["line_code"] in text
    assert "边界线走向说明" in text and "界桩成果表" in text and "边界点成果表" in text
    pages = pdf_text.split("\f")
    assert all(re.search(rf"\b{k} / {len(pages)}$", page.strip())  # page numbers
               for k, page in enumerate(pages, 1))


def test_the_pdf_embeds_its_cjk_font(results_dir):
    from pypdf import PdfReader

    reader = PdfReader(results_dir / "results.pdf")
    fonts = set()
    for page in reader.pages[:3]:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            if desc is not None:
                desc = desc.get_object()
                if any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    fonts.add(str(desc["/FontName"]))
    assert any(f.endswith("+GeonamesSans") for f in fonts), fonts  # a subset, embedded
    assert "边界线走向说明" in reader.pages[1].extract_text()  # its glyphs map back to text
    assert reader.pages[0].mediabox.width == pytest.approx(595.3, abs=1)  # A4, in points


def order_along(line_feature: dict, markers: list[dict[str, str]]) -> list[str]:
    """Independent order of a line's markers: each projected onto the line in EPSG:4544 (lon/lat
    of the fixture), the line walked from its west end (its north end when it runs more
    north–south), pairs and triples at their mean place."""
    to_gk = Transformer.from_crs(4490, 4544, always_xy=True)
    coords = np.array(line_feature["geometry"]["coordinates"])
    x, y = to_gk.transform(coords[:, 0], coords[:, 1])
    line = shapely.LineString(np.column_stack([x, y]))
    (x0, y0), (x1, y1) = coords[0], coords[-1]
    dx = (x1 - x0) * np.cos(np.radians((y0 + y1) / 2))
    if (abs(dx) >= abs(y1 - y0) and dx < 0) or (abs(dx) < abs(y1 - y0) and y1 - y0 > 0):
        line = line.reverse()
    code = line_feature["properties"]["line_code"]
    groups: dict[str, list[float]] = {}
    members: dict[str, list[str]] = {}
    for m in markers:
        number = m["number"].strip()
        match = re.fullmatch(r"(\d{12})(\d{3})([QABCDE])", number)
        if not match or match.group(1) != code:
            continue
        try:
            mx, my = to_gk.transform(float(m["lon"]), float(m["lat"]))
        except ValueError:
            continue
        seq = match.group(2)
        groups.setdefault(seq, []).append(line.project(shapely.Point(mx, my)))
        members.setdefault(seq, []).append(number)
    order = sorted(groups, key=lambda s: (np.mean(groups[s]), s))
    return [n for s in order for n in sorted(members[s])]


def test_each_course_covers_every_marker_of_its_line_in_order(results):
    markers = fixture_markers()
    courses = {c.line.code: c for c in results.courses}
    assert len(courses) == 12
    checked = 0
    for feature in fixture_lines():
        code = feature["properties"]["line_code"]
        expected = order_along(feature, markers)
        course = courses[code]
        assert course.marker_numbers == expected, code
        # The text names them in the same order, each stretch from one stop to the next.
        text = "".join(course_text(course))
        positions = [text.index(n) for n in expected]
        assert positions == sorted(positions)
        assert len(course.stretches) == len({n[:15] for n in expected}) + 1
        checked += len(expected)
    assert checked > 150


def test_course_sentences_start_at_a_tripoint_or_end_and_tell_direction_and_length(results):
    course = next(c for c in results.courses if c.line.code == "500111500118")
    text = course_text(course)
    assert text[0].startswith("500111500118 号界线（大足区—永川区）自北向南，全长约 33.2 公里")
    assert text[1].startswith("界线自") and "三交点起" in text[1]
    assert re.fullmatch(r"界线自.+起，向(北|东北|东|东南|南|西南|西|西北)行约 [\d.]+ (公里|米)"
                        r"(，转向(北|东北|东|东南|南|西南|西|西北)行约 [\d.]+ (公里|米))*，至.+。", text[2])
    # The stretches' lengths add up to the line's length on the ellipsoid.
    from pyproj import Geod

    feature = next(f for f in fixture_lines() if f["properties"]["line_code"] == "500111500118")
    lon, lat = np.array(feature["geometry"]["coordinates"]).T
    total = sum(s.length for s in course.stretches)
    assert total == pytest.approx(Geod(ellps="GRS80").line_length(lon, lat), rel=1e-6)
    english = course_text(course, "en")
    assert english[2].startswith("From marker 500111500118001C, 500111500118001D, 500111500118001E"
                                 " the line runs ")


def test_marker_coordinates_in_the_zone_match_the_register(results_dir):
    table = rows(results_dir / "marker-coordinates.csv")
    by_number = {r[1]: r for r in table[1:]}
    seen = [m["number"].strip() for m in fixture_markers()]
    checked = 0
    for m in fixture_markers():
        number = m["number"].strip()
        if number not in by_number or not by_number[number][3] or seen.count(number) > 1:
            continue
        row = by_number[number]
        assert row[5] == "EPSG:4544" and row[6] == "105°E"  # the fixture's x/y are in 4544
        try:
            x, y = float(m["x"]), float(m["y"])
        except ValueError:
            continue
        assert float(row[3]) == pytest.approx(y, abs=0.002)  # X is the northing
        assert float(row[4]) == pytest.approx(x, abs=0.002)
        lon = dms(float(m["lon"]), "E", "W")
        assert row[7][:-3] == lon[:-3]  # to a hundredth of a second
        checked += 1
    assert checked > 150


def test_register_records_kind_group_sides_and_previous_round(results_dir):
    table = rows(results_dir / "marker-register.csv")
    header = table[0]
    by_number = {r[0]: dict(zip(header, r, strict=True)) for r in table[1:]}
    c = by_number["500111500118001C"]
    assert c["界桩类型"] == "同号三立" and c["类型码"] == "C" and c["序号"] == "1"
    assert c["同号界桩"] == "500111500118001C、500111500118001D、500111500118001E"
    assert c["位置"] == "位于大足区与永川区交界处"  # in the order of their codes
    assert c["上轮现状"] == "完好" and c["编号检查"] == "合格"
    damaged = by_number["500120500151002Q"]
    assert damaged["现状"] == "损坏" and damaged["问题编号"]
    bad = by_number["500118500151O02Q"]
    assert bad["编号检查"] == "不合格" and bad["问题编号"]
    new = [r for r in by_number.values() if r["上轮现状"] == "上轮无此界桩"]
    assert new  # the fixture plants new markers


def test_boundary_points_are_the_turning_points_along_the_line(results_dir):
    table = rows(results_dir / "boundary-points.csv")[1:]
    to_gk = Transformer.from_crs(4490, 4544, always_xy=True)
    for feature in fixture_lines():
        code = feature["properties"]["line_code"]
        mine = [r for r in table if r[0] == code]
        coords = np.array(feature["geometry"]["coordinates"])
        x, y = to_gk.transform(coords[:, 0], coords[:, 1])
        line = shapely.simplify(shapely.LineString(np.column_stack([x, y])), 0.0)
        assert len(mine) == len(line.coords)
        assert [int(r[2]) for r in mine] == list(range(1, len(mine) + 1))
        ends = {(round(line.coords[0][1], 1), round(line.coords[0][0], 1)),
                (round(line.coords[-1][1], 1), round(line.coords[-1][0], 1))}
        first = (round(float(mine[0][3]), 1), round(float(mine[0][4]), 1))
        assert first in ends and mine[0][9] == "起点" and mine[-1][9] == "终点"
        along = [float(r[8]) for r in mine]
        assert along == sorted(along)


def test_the_workbook_has_one_sheet_per_table(results_dir):
    with zipfile.ZipFile(results_dir / "results.xlsx") as z:
        workbook = z.read("xl/workbook.xml").decode("utf-8")
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
    for title in ("界桩登记表", "界桩成果表", "边界点成果表", "边界线走向说明"):
        assert f'name="{title}"' in workbook
    assert "500111500118001C" in strings and "界线自" in strings


def test_compass_points_lengths_and_zones():
    assert [compass_point(a) for a in (0, 22.4, 22.6, 90, 135, 180, 225, 270, 315, 337.6)] == \
        ["北", "北", "东北", "东", "东南", "南", "西南", "西", "西北", "北"]
    assert compass_point(11.3, 16) == "北偏东北" and compass_point(11.2, 16) == "北"
    assert length_words(2345.0) == "2.3 公里" and length_words(849.0) == "850 米"
    assert gk_zone(106.6)[1].to_epsg() == 4545 and gk_zone(104.4)[1].to_epsg() == 4544
    assert dms(105.5, "E", "W") == "105°30′00.000″E"


def test_a_straight_line_to_the_northeast_is_told_so():
    from pyproj import CRS

    crs = CRS.from_epsg(4545)
    # 3 km due east, then 2 km due north, in the zone of 108°E near its central meridian.
    geom = shapely.LineString([(500000, 3300000), (503000, 3300000), (503000, 3302000)])
    line = ResultLine("L1", geom, "1", "2", "甲县", "乙县", True, 108, crs)
    course = line_courses([line], crs, [], {}, generalise=10.0)[0]
    text = course_text(course)
    assert text[1] == "界线自界线西端起，向东行约 3.0 公里，转向北行约 2.0 公里，至界线东端。"


def test_results_in_english_and_bad_options(tmp_path, capsys):
    config = (CQ / "inspection.toml").read_text(encoding="utf-8")
    config = re.sub(r'= "([^"]+\.(geojson|csv))"', lambda m: f'= "{(CQ / m.group(1)).as_posix()}"',
                    config)
    path = tmp_path / "inspection.toml"
    path.write_text(config + '\n[results]\npdf = false\ncompass_points = 16\n',
                    encoding="utf-8")
    code, _, err = run_cli(capsys, "inspect", "run", path, "--out", tmp_path / "r", "-q",
                           "--allow-outside", "--no-sections", "--lang", "en")
    assert code == 1, err
    assert not (tmp_path / "r" / "results" / "results.pdf").exists()
    header = rows(tmp_path / "r" / "results" / "line-courses.csv")[0]
    assert header[:3] == ["line", "line name", "stretch"]
    assert "From " in (tmp_path / "r" / "results" / "line-courses.csv").read_text("utf-8-sig")
    from geonames.inspection.results import results_options

    assert results_options({"lang": "en"}, path)["lang"] == "en"
    with pytest.raises(InputFileError):
        results_options({"lang": "fr"}, path)
    path.write_text(config + "\n[results]\ncompass_points = 12\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "inspect", "run", path, "--out", tmp_path / "r2", "-q",
                           "--allow-outside")
    assert code == 2 and "compass_points must be 8 or 16" in err and "Traceback" not in err


def test_an_elevation_column_reaches_the_tables(tmp_path):
    src = fixture_markers()
    with open(tmp_path / "markers.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*src[0].keys(), "elevation", "material"])
        writer.writeheader()
        for k, m in enumerate(src):
            writer.writerow({**m, "elevation": f"{300 + k * 0.5:.2f}", "material": "花岗岩"})
    config = (CQ / "inspection.toml").read_text(encoding="utf-8")
    config = re.sub(r'= "([^"]+\.(geojson|csv))"', lambda m: f'= "{(CQ / m.group(1)).as_posix()}"',
                    config)
    config = config.replace(f'path = "{(CQ / "markers.csv").as_posix()}"',
                            f'path = "{(tmp_path / "markers.csv").as_posix()}"')
    (tmp_path / "inspection.toml").write_text(config, encoding="utf-8")
    report = run_inspection(tmp_path / "inspection.toml", sections=False, allow_outside=True)
    records = {r.number: r for r in report.documents["results"].markers}
    assert records[src[3]["number"]].elevation == pytest.approx(301.5)
    assert records[src[3]["number"]].material == "花岗岩"


def absolute_config(extra: str = "") -> str:
    config = (CQ / "inspection.toml").read_text(encoding="utf-8")
    config = re.sub(r'= "([^"]+\.(geojson|csv))"', lambda m: f'= "{(CQ / m.group(1)).as_posix()}"',
                    config)
    return config + extra


def test_a_named_feature_the_line_follows_is_told(tmp_path):
    feature = next(f for f in fixture_lines() if f["properties"]["line_code"] == "500111500118")
    river = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"name": "濑溪河", "kind": "river"},
        "geometry": {"type": "LineString",
                     "coordinates": feature["geometry"]["coordinates"][5:40]}}]}
    (tmp_path / "rivers.geojson").write_text(json.dumps(river, ensure_ascii=False), "utf-8")
    (tmp_path / "inspection.toml").write_text(absolute_config(
        f'\n[results]\nfeatures = "{(tmp_path / "rivers.geojson").as_posix()}"\n'), "utf-8")
    report = run_inspection(tmp_path / "inspection.toml", sections=False, allow_outside=True)
    courses = {c.line.code: c for c in report.documents["results"].courses}
    assert "沿濑溪河向" in "".join(course_text(courses["500111500118"]))
    assert "濑溪河" not in "".join(course_text(courses["500117500151"]))
