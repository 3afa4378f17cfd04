"""The printed heritage list (``geonames heritage export``): the PDF of the fixture's lists fits
the page with no clipped column, measured on the PDF's characters."""

from __future__ import annotations

import csv
import re

import pdfplumber
import pytest

from tests.conftest import FIXTURES, run_cli

LIST_FILE = FIXTURES / "heritage" / "chongqing.json"
HEADINGS = ("序号", "名称", "拼音", "地点", "等级", "简史", "来源", "保护措施")
MM = 72 / 25.4


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    base = tmp_path_factory.mktemp("heritage")
    db = base / "cq.gpkg"
    out = {}
    code, _, err = _run(["heritage", "add", LIST_FILE, "--db", db, "--effective", "2020-01-01"])
    assert code == 0, err
    for paper in ("A4", "A3"):
        code, stdout, err = _run(["heritage", "export", "--db", db, "--out", base / paper,
                                  "--paper", paper])
        assert code == 0, err
        out[paper] = (base / paper, stdout)
    return out


def _run(args):
    """The entry point in-process, for module-scoped fixtures (no capsys): (code, "", "")."""
    from geonames.cli import main

    try:
        main([str(a) for a in args])
    except SystemExit as done:
        return done.code, "", ""
    return 0, "", ""


def _rows(folder):
    with open(folder / "heritage.csv", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _columns(page):
    """x ranges of the table's columns on a page, from the header cells' text."""
    words = page.extract_words(keep_blank_chars=False)
    heads = {}
    for w in words:
        if w["text"] in HEADINGS and w["text"] not in heads:
            heads[w["text"]] = w
    if set(heads) != set(HEADINGS):
        return None
    starts = [heads[h]["x0"] for h in HEADINGS]
    assert starts == sorted(starts), "columns out of order"
    edges = [s - 4 for s in starts] + [page.width]
    return {h: (edges[k], edges[k + 1]) for k, h in enumerate(HEADINGS)}


def _column_text(page, x0, x1):
    chars = [c for c in page.chars if x0 <= (c["x0"] + c["x1"]) / 2 < x1]
    chars.sort(key=lambda c: (round(c["top"]), c["x0"]))
    return "".join(c["text"] for c in chars if not c["text"].isspace())


@pytest.mark.parametrize("paper,size", [("A4", (210, 297)), ("A3", (420, 297))])
def test_heritage_pdf_fits_the_page_with_no_clipped_column(published, paper, size):
    folder, _ = published[paper]
    rows = _rows(folder)
    assert len(rows) == 14
    histories = {r["entry"]: re.sub(r"\s", "", r["history"]) for r in rows}
    urls = {u for r in rows for u in re.findall(r"https?://\S+", r["sources"])}
    assert len(urls) >= 5
    seen_history, seen_urls, squeezed = set(), set(), []
    with pdfplumber.open(folder / "heritage.pdf") as pdf:
        assert len(pdf.pages) >= 2
        for page in pdf.pages:
            # the page box is the paper; every character of the body lies inside the side
            # margins (12 mm), the page number in the bottom margin, all on the paper
            assert (round(page.width / MM), round(page.height / MM)) == size
            for c in page.chars:
                assert c["x0"] >= 3 * MM and c["x1"] <= page.width - 3 * MM, c["text"]
                assert c["top"] >= 3 * MM and c["bottom"] <= page.height - 3 * MM, c["text"]
                if c["top"] < page.height - 16 * MM:
                    assert c["x0"] >= 11.5 * MM and c["x1"] <= page.width - 11.5 * MM, c
            assert f"/ {len(pdf.pages)}" in page.extract_text()  # page n / N
            cols = _columns(page)
            if cols is None:
                continue
            history = _column_text(page, *cols["简史"])
            sources = _column_text(page, *cols["来源"])
            seen_history |= {e for e, h in histories.items() if h and h in history}
            seen_urls |= {u for u in urls if u in sources}
            # 简史 gets a real column: its longest line holds well over two characters
            lines: dict[int, int] = {}
            for c in page.chars:
                if cols["简史"][0] <= c["x0"] < cols["简史"][1] and not c["text"].isspace():
                    lines[round(c["top"])] = lines.get(round(c["top"]), 0) + 1
            if lines and max(lines.values()) < 12:
                squeezed.append(max(lines.values()))
    # every history and every source URL is printed whole inside its own column
    assert seen_history == {e for e, h in histories.items() if h}
    assert seen_urls == urls
    assert not squeezed


def test_export_says_what_it_wrote(published):
    folder, _ = published["A4"]
    assert (folder / "heritage.pdf").stat().st_size > 20_000
    with pdfplumber.open(folder / "heritage.pdf") as pdf:
        text = "".join(p.extract_text() for p in pdf.pages)
    squeezed = re.sub(r"\s", "", text)
    assert squeezed.index("第1批") < squeezed.index("第2批")
    assert "一级" in squeezed and "二级" in squeezed  # grade headers
    assert "解放碑" not in squeezed  # candidates are not published


def test_export_cli_output(tmp_path, capsys):
    db = tmp_path / "cq.gpkg"
    code, _, err = run_cli(capsys, "heritage", "add", LIST_FILE, "--db", db, "--effective",
                           "2020-01-01")
    assert code == 0, err
    code, out, err = run_cli(capsys, "heritage", "export", "--db", db, "--out",
                             tmp_path / "pub", "--paper", "A3")
    assert code == 0, err
    assert out.strip().endswith("heritage.pdf (2 pages A3 landscape)")
