"""The division map of the Chongqing fixture: its PDF text, the simplified coverage, colours
and label boxes, each checked independently of the code that made them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pdfplumber
import pypdf
import pytest
import shapely
from shapely import box

from geonames.boundaries.cartography import (
    Label,
    boxes_overlap,
    line_level,
    map_coverage,
    place_labels,
)
from geonames.divisions.coverage import inspect_coverage
from geonames.report.divisionmap import make_division_map, split_name, write_division_map
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "fixtures" / "chongqing" / "divisions.geojson"


@pytest.fixture(scope="module")
def chongqing(tmp_path_factory):
    dmap = make_division_map(FIXTURE, year=2023)
    pdf = tmp_path_factory.mktemp("map") / "chongqing.pdf"
    write_division_map(dmap, pdf)
    return dmap, pdf


def fixture_names() -> list[str]:
    features = json.loads(FIXTURE.read_text(encoding="utf-8"))["features"]
    return [f["properties"]["name"] for f in features]


def test_pdf_text_has_all_38_names(chongqing):
    dmap, pdf = chongqing
    names = fixture_names()
    assert len(names) == 38
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) == 1
    text = re.sub(r"\s+", "", reader.pages[0].extract_text())
    missing = [n for n in names if n not in text]
    assert not missing
    assert "重庆市行政区划图" in text and "2023年" in text and "1:3000000" in text
    assert "审图号" in text


def test_pdf_embeds_the_cjk_font(chongqing):
    _, pdf = chongqing
    reader = pypdf.PdfReader(pdf)
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = {str(fonts[k].get_object()["/BaseFont"]) for k in fonts}
    assert any("NotoSansCJK" in n for n in names), names
    embedded = []
    for k in fonts:
        font = fonts[k].get_object()
        for desc in [font.get("/FontDescriptor")] + [
                d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])]:
            if desc is not None:
                desc = desc.get_object()
                embedded.append(any(f in desc for f in ("/FontFile", "/FontFile2",
                                                        "/FontFile3")))
    assert embedded and all(embedded)


def test_simplified_coverage_has_no_gaps_or_overlaps(chongqing):
    dmap, _ = chongqing
    cov = dmap.coverage
    assert cov.stats["vertices_after"] < cov.stats["vertices_before"] / 2
    assert bool(shapely.coverage_is_valid(cov.geometries))
    # the project's own coverage check on the simplified divisions
    result = inspect_coverage(cov.geometries, cov.ids, cov.names)
    codes = {f.code for f in result.findings}
    assert not codes & {"coverage.gap", "coverage.gap_open", "coverage.overlap",
                        "coverage.edge_mismatch", "coverage.invalid"}, codes
    # while the input itself is not a clean coverage
    raw = inspect_coverage(cov.cleaned, cov.ids, cov.names)
    assert {f.code for f in raw.findings} <= {"coverage.gap", "coverage.gap_open"}


def test_every_shared_border_stays_shared(chongqing):
    dmap, _ = chongqing
    geoms = dmap.coverage.geometries
    # every ring segment is either used by two divisions in opposite directions or lies on
    # the outline of the whole
    rings = shapely.get_rings(shapely.get_parts(shapely.orient_polygons(geoms)))
    starts, ends = [], []
    for ring in rings:
        xy = shapely.get_coordinates(ring)
        starts.append(xy[:-1])
        ends.append(xy[1:])
    a, b = np.concatenate(starts), np.concatenate(ends)
    forward = {(tuple(p), tuple(q)) for p, q in zip(a, b)}
    unmatched = [(p, q) for p, q in zip(map(tuple, a), map(tuple, b)) if (q, p) not in forward]
    outline = shapely.boundary(shapely.union_all(geoms))
    lone = shapely.linestrings([[p, q] for p, q in unmatched])
    assert bool(np.all(shapely.dwithin(lone, outline, 1e-6)))
    assert len(unmatched) < len(a) / 2
    # and the neighbours before simplification are the neighbours after it
    before, after = set(), set()
    for source, pairs in ((dmap.coverage.cleaned, before), (geoms, after)):
        tree = shapely.STRtree(source)
        left, right = tree.query(source, predicate="intersects")
        for i, j in zip(left, right):
            if i < j and shapely.length(shapely.intersection(source[i], source[j])) > 0:
                pairs.add((int(i), int(j)))
    assert before == after and len(after) == 83


def test_neighbours_have_different_colours(chongqing):
    dmap, _ = chongqing
    geoms, colours = dmap.coverage.geometries, dmap.coverage.colours
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")  # shared border or corner
    pairs = [(i, j) for i, j in zip(left, right) if i < j]
    assert len(pairs) >= 83
    assert all(colours[i] != colours[j] for i, j in pairs)
    assert 3 <= len(set(colours.tolist())) <= 6


def _label_boxes_from_pdf(pdf: Path, labels: list[str]) -> dict[str, tuple]:
    """Bounding box of each label's characters, found as consecutive runs in the PDF."""
    with pdfplumber.open(pdf) as doc:
        chars = [c for c in doc.pages[0].chars if not c["text"].isspace()]
    text = "".join(c["text"] for c in chars)
    out = {}
    for label in labels:
        starts = [m.start() for m in re.finditer(re.escape(label), text)]
        assert len(starts) == 1, (label, len(starts))
        run = chars[starts[0]:starts[0] + len(label)]
        out[label] = (min(c["x0"] for c in run), min(c["top"] for c in run),
                      max(c["x1"] for c in run), max(c["bottom"] for c in run))
    return out


def test_no_two_labels_overlap(chongqing):
    dmap, pdf = chongqing
    # the placer's boxes
    assert boxes_overlap(dmap.placement.boxes) == []
    # the glyph boxes as printed, read back from the PDF
    found = _label_boxes_from_pdf(pdf, dmap.label_texts)
    boxes = np.array(list(found.values()))
    assert len(boxes) == 38
    assert boxes_overlap(boxes) == []
    # labels inside their division where they fit: most of them
    inside = dmap.placement.inside
    assert inside.sum() >= 25
    for i in np.flatnonzero(inside):
        assert dmap.coverage.geometries[i].contains(box(*dmap.placement.boxes[i]))
    for i in np.flatnonzero(~inside):
        assert dmap.placement.leaders[i] is not None


def test_year_notes_name_the_divisions_of_another_year(chongqing):
    dmap, _ = chongqing
    assert dmap.notes == [
        "500228 梁平县: no such division at the end of 2023 (500155 梁平区 then)",
        "500232 武隆县: no such division at the end of 2023 (500156 武隆区 then)"]


def test_line_levels():
    assert line_level("500101", "510105") == "province"
    assert line_level("510105", "510723") == "prefecture"
    assert line_level("500101", "500230") == "county"  # 重庆 has no prefecture level
    assert line_level("500101001", "500101002") == "township"


def test_placer_goes_outside_when_the_name_does_not_fit():
    polys = [box(0, 0, 10, 10), box(10, 0, 11, 1)]
    labels = [[Label(("大",), 4, 2)], [Label(("小",), 4, 2)]]
    placement = place_labels(polys, labels, (-20, -20, 40, 40))
    assert placement.inside.tolist() == [True, False]
    assert placement.leaders[1] is not None and placement.leaders[0] is None
    assert boxes_overlap(placement.boxes) == []


def test_split_names():
    assert split_name("酉阳土家族苗族自治县") == ("酉阳土家族", "苗族自治县")
    assert split_name("渝中区") is None


def test_coverage_of_a_toy_layer_with_a_gap_closes_it():
    # a 20 m gap between two squares, enclosed above and below, is closed at 1:100,000
    # (1 mm = 100 m): the two squares become neighbours
    squares = [box(0, 0, 1000, 1000), box(1020, 0, 2000, 1000), box(0, 1000, 2000, 2000),
               box(0, -1000, 2000, 0)]
    ids = ["500101", "500102", "500103", "500104"]
    assert not shapely.coverage_is_valid(squares, gap_width=50)
    cov = map_coverage(squares, ids, list("abcd"), scale=100_000)
    assert bool(shapely.coverage_is_valid(cov.geometries, gap_width=50))
    assert (0, 1) in {tuple(p) for p in cov.adjacency.tolist()}
    assert cov.colours[0] != cov.colours[1]  # a and b now share a border
    assert cov.colours[2] == cov.colours[3]  # c and d never meet: one colour does


def test_cli_writes_the_map_and_refuses_bad_input(capsys, tmp_path):
    out = tmp_path / "map.png"
    code, stdout, _ = run_cli(capsys, "map", "divisions", FIXTURE, "--year", "2023",
                              "--out", out)
    assert code == 0 and out.stat().st_size > 100_000
    assert "38 divisions at 1:3,000,000 on A4 portrait" in stdout
    code, _, err = run_cli(capsys, "map", "divisions", FIXTURE, "--out", tmp_path / "m.doc")
    assert code == 2 and "written as .pdf, .png or .svg" in err
    code, _, err = run_cli(capsys, "map", "divisions", FIXTURE, "--scale", "1000000",
                           "--out", tmp_path / "m.pdf")
    assert code == 2 and "do not fit a A4 portrait page" in err
    assert len(err.strip().splitlines()) == 1
    # a map of Hainan needs the South China Sea Islands inset, which geonames cannot draw
    hainan = tmp_path / "hainan.geojson"
    hainan.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "460105", "properties": {"name": "秀英区"},
         "geometry": {"type": "Polygon", "coordinates": [[[110.1, 19.9], [110.3, 19.9],
                                                          [110.3, 20.05], [110.1, 19.9]]]}}]}),
        encoding="utf-8")
    code, _, err = run_cli(capsys, "map", "divisions", hainan, "--out", tmp_path / "h.pdf")
    assert code == 2 and "南海诸岛" in err


def test_seats_are_drawn_and_labels_placed_beside_them(tmp_path):
    # the fixture's "cp" points (ECharts label points) stand in for the seats
    features = json.loads(FIXTURE.read_text(encoding="utf-8"))["features"]
    seats = tmp_path / "seats.geojson"
    seats.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": f["id"]},
         "geometry": {"type": "Point", "coordinates": f["properties"]["cp"]}}
        for f in features]}), encoding="utf-8")
    dmap = make_division_map(FIXTURE, seats=seats, seat_id_field="code")
    pdf = tmp_path / "seats.pdf"
    write_division_map(dmap, pdf)
    seat_boxes = np.array([shapely.buffer(p, 0.9 * dmap.scale / 1000, cap_style="square").bounds
                           for p in dmap.seats])
    assert len(seat_boxes) == 38
    # no label covers a seat symbol, and no two labels overlap
    labels = dmap.placement.boxes
    clashes = [(i, j) for i, j in boxes_overlap(np.vstack([labels, seat_boxes]))
               if i < 38 <= j or j < 38 <= i]
    assert clashes == [] and boxes_overlap(labels) == []
    # a label inside its division sits next to its seat (within 5 mm of paper; most within
    # 2 mm), the others have a leader line from the seat
    near = 5 * dmap.scale / 1000
    for i in np.flatnonzero(dmap.placement.inside):
        assert shapely.distance(dmap.seats[i], box(*labels[i])) <= near
    for i in np.flatnonzero(~dmap.placement.inside):
        assert dmap.placement.leaders[i].coords[0] == dmap.seats[i].coords[0]
    text = re.sub(r"\s+", "", pypdf.PdfReader(pdf).pages[0].extract_text())
    assert "县级政府驻地" in text and all(n in text for n in fixture_names())
