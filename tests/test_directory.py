"""The standard place-name directory of the Chongqing counties, townships and villages (NBS
2023 lists in the register): every entry printed once, in order, read back from the PDF."""

from __future__ import annotations

import csv
import re
import time
from datetime import date

import docx
import pypdf
import pypdfium2
import pytest

from geonames.registry import Registry
from geonames.registry.directory import build_directory, stroke_key, toneless
from geonames.registry.exchange import import_file
from geonames.report.directory import write_directory
from tests.conftest import NAMES, run_cli


def _chongqing_rows(source, out, column="code"):
    with open(source, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r[column].startswith("50")]
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return len(rows)


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    base = tmp_path_factory.mktemp("directory")
    counties = base / "counties.csv"
    townships = base / "townships.csv"
    assert _chongqing_rows(NAMES / "nbs2023-counties.csv", counties) == 38
    assert _chongqing_rows(NAMES / "nbs2023-townships.csv", townships) == 1031
    db = base / "cq.gpkg"
    with Registry.open(db, create=True) as reg:
        for path in (counties, townships, NAMES / "nbs2023-villages-chongqing.csv"):
            import_file(reg, path, effective=date(2023, 12, 31))
        places = list(reg.places(current=True))
    assert len(places) == 38 + 1031 + 11270
    return db, places


def _entry_pages_text(pdf, entry_pages):
    """The text of the entry pages, read by PDFium (the whole Chongqing directory's 351 pages in
    2 s of CPU where pypdf takes 26 s; the same text, character for character)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        texts = []
        for k in range(entry_pages):
            page = document[k]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    finally:
        document.close()
    return re.sub(r"\s+", "", "".join(texts))


def _check_once_in_order(text, entries):
    position = -1
    for e in entries:
        needle = re.sub(r"\s+", "", f"{e.name}{e.heading_roman}{e.code}")
        first = text.find(needle)
        assert first > position, (e.id, e.name, first, position)
        assert text.find(needle, first + 1) == -1, (e.id, e.name, "printed twice")
        position = first


def test_county_directory_holds_each_entry_once_in_order(register, tmp_path):
    _, places = register
    directory = build_directory(places, within="500101", title="万州区标准地名录")
    entries = directory.entries()
    # 万州区 itself, its 52 townships and their 610 villages' committees (NBS 2023)
    assert len(entries) == 663
    assert entries[0].name == "万州区" and entries[0].heading_roman == "Wànzhōu Qū"
    done = write_directory(directory, tmp_path / "wanzhou.pdf")
    assert done.entries == 663 and done.pages > done.entry_pages > 10
    _check_once_in_order(_entry_pages_text(done.path, done.entry_pages), entries)
    # the index pages follow, numbered on, with the page of each name
    reader = pypdf.PdfReader(done.path)
    index = "".join(p.extract_text() for p in reader.pages[done.entry_pages:])
    assert "拼音索引" in index and "笔画索引" in index
    first_index_page = reader.pages[done.entry_pages].extract_text()
    assert first_index_page.rstrip().endswith(f"万州区标准地名录 {done.entry_pages + 1}")
    page_of_gaosuntang = next(k for k in range(done.entry_pages)
                              if "高笋塘街道" in reader.pages[k].extract_text())
    assert re.search(rf"高笋塘街道\s*{page_of_gaosuntang + 1}\b", re.sub(r"\n", "", index))


def test_indexes_are_sorted():
    from geonames.names.model import PlaceName

    names = ["重庆", "万州区", "白家村", "Ān", "八一村", "安坪镇"]
    places = [PlaceName(f"p{k}", n, division_code=f"5001010012{k + 1:02d}")
              for k, n in enumerate(names)]
    d = build_directory(places)
    # syllable by syllable: an < an-ping; ba-yi < bai-jia (letter by letter it would be
    # baijia < bayi)
    assert [i.name for i in d.pinyin_index] == ["Ān", "安坪镇", "八一村", "白家村", "重庆",
                                                "万州区"]
    strokes = {n: g for g, items in d.stroke_index for n in (i.name for i in items)}
    assert strokes["八一村"] == 2 and strokes["万州区"] == 3 and strokes["重庆"] == 9
    assert toneless("Lǜ’ān") == "lü'an"
    assert stroke_key("八") < stroke_key("万") < stroke_key("重")


def test_docx_of_a_township(register, tmp_path):
    _, places = register
    directory = build_directory(places, within="500101001")
    done = write_directory(directory, tmp_path / "gaosuntang.docx")
    assert done.entries == 11  # 高笋塘街道 and its 10 residents' committees
    assert directory.sections[0].name == "万州区"  # named from the register, outside the cut
    text = [p.text for p in docx.Document(done.path).paragraphs]
    firsts = [t for t in text if t.startswith("东方广场社区居民委员会 Dōngfāngguǎngchǎng")]
    assert len(firsts) == 1


def test_cli_publish_and_bad_input(register, tmp_path, capsys):
    db, _ = register
    code, out, err = run_cli(capsys, "registry", "publish", "--db", db, "--within",
                             "500101001", "--out", tmp_path / "d.pdf")
    assert code == 0, err
    assert re.match(r".*d\.pdf: 11 entries, \d+ pages \(\d+ of entries\) in ", out)
    code, _, err = run_cli(capsys, "registry", "publish", "--db", db, "--out",
                           tmp_path / "d.txt")
    assert code == 2 and "written as .pdf or .docx" in err
    code, _, err = run_cli(capsys, "registry", "publish", "--db", db, "--within", "99",
                           "--out", tmp_path / "d.pdf")
    assert code == 2 and "no current places under 99" in err
    code, _, err = run_cli(capsys, "registry", "publish", "--db", tmp_path / "none.gpkg",
                           "--out", tmp_path / "d.pdf")
    assert code == 2 and "no such register" in err


@pytest.mark.slow
def test_whole_chongqing_directory_holds_each_entry_once_in_order(register, tmp_path):
    _, places = register
    t0 = time.perf_counter()
    c0 = time.process_time()
    directory = build_directory(places, title="重庆市标准地名录")
    entries = directory.entries()
    assert len(entries) == 12339
    assert sum(len(e.code) == 12 for e in entries) == 11270
    done = write_directory(directory, tmp_path / "chongqing.pdf")
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"\nChongqing directory: {len(entries)} entries (11,270 villages' names), "
          f"{done.pages} pages ({done.entry_pages} of entries): {wall:.1f} s "
          f"({cpu:.1f} s CPU)")
    _check_once_in_order(_entry_pages_text(done.path, done.entry_pages), entries)
