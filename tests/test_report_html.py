"""report.html read as a person reads it: Chinese by default, no ``None``, errors first,
every finding under the id it has in findings.csv and findings.gpkg."""

from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser

import fiona
import pytest

from geonames.document import Report
from geonames.findings import Finding, Severity
from geonames.report.html import render_html
from geonames.report.writers import write_report

RANK = {"error": 0, "warning": 1, "info": 2}
HEADINGS = {"h1", "h2", "h3", "h4", "th", "legend", "summary", "title", "caption", "button"}


class Page(HTMLParser):
    """The visible text of a page (not its scripts and styles), and its headings."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: list[str] = []
        self.headings: list[str] = []
        self.data = ""

    def handle_starttag(self, tag, attrs):
        if tag not in ("br", "img", "input", "meta", "link", "col", "wbr", "hr"):
            self.stack.append(tag)
        if tag == "script" and ("id", "report-data") in attrs:
            self.stack[-1] = "data"

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop() in (tag, "data" if tag == "script" else tag):
                break

    def handle_data(self, data):
        if "data" in self.stack:
            self.data += data
        elif not {"script", "style"} & set(self.stack):
            self.text.append(data)
            if HEADINGS & set(self.stack) and data.strip():
                self.headings.append(data.strip())


def read(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def demo_page(demo_report) -> tuple[str, Page]:
    html = (demo_report / "report.html").read_text(encoding="utf-8")
    return html, read(html)


def test_no_none_and_no_english_heading_by_default(demo_page):
    html, page = demo_page
    assert "<html lang='zh-CN'>" in html
    visible = " ".join(page.text)
    assert not re.search(r"\bNone\b", visible)
    data = json.loads(page.data)
    assert not re.search(r"\bNone\b", json.dumps(data, ensure_ascii=False))
    english = [h for h in page.headings if re.search(r"[A-Za-z]{3,}", h)
               and not re.search(r"[\u4e00-\u9fff]", h)]
    assert not english, english
    assert "错误" in page.headings[0:40] or any("错误" in h for h in page.headings)
    assert set(data["text"].values()) & {"错误", "警告", "提示"}


def test_every_part_is_ordered_errors_warnings_info(demo_page, demo_report):
    html, page = demo_page
    summary = re.search(r"<table class='codes'>.*?</table>", html, flags=re.S).group(0)
    ranks = [RANK[s] for s in re.findall(r"<tr class='(error|warning|info)'>", summary)]
    assert ranks == sorted(ranks) and set(ranks) == {0, 1, 2}
    groups = [RANK[s] for s in re.findall(r"<details class='group (\w+)'", html)]
    assert groups == [0, 1, 2]
    badges = re.findall(r"<span class='badge (\w+)'>", html)
    assert badges == ["error", "warning", "info", "excepted"]
    findings = json.loads(page.data)["findings"]
    assert [RANK[f[1]] for f in findings] == sorted(RANK[f[1]] for f in findings)
    with open(demo_report / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [RANK[r["severity"]] for r in rows] == sorted(RANK[r["severity"]] for r in rows)
    # each line's section lists its findings errors first too
    severity = {f[0]: RANK[f[1]] for f in findings}
    sections = re.findall(r"<details class='section' data-ids='([^']*)'>", html)
    assert len(sections) == 12
    for ids in sections:
        ranks = [severity[i] for i in ids.split()]
        assert ranks == sorted(ranks)


def test_every_finding_has_the_same_id_in_every_file(demo_page, demo_report):
    _, page = demo_page
    with open(demo_report / "findings.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    in_html = [f[0] for f in json.loads(page.data)["findings"]]
    assert in_html == [r["id"] for r in rows]
    assert len(set(in_html)) == len(in_html)
    in_gpkg = []
    for layer in fiona.listlayers(demo_report / "findings.gpkg"):
        with fiona.open(demo_report / "findings.gpkg", layer=layer) as src:
            in_gpkg += [(f["properties"]["id"], f["properties"]["code"]) for f in src]
    by_id = {r["id"]: r for r in rows}
    assert in_gpkg and all(by_id[i]["code"] == code for i, code in in_gpkg)
    assert {i for i, _ in in_gpkg} == {r["id"] for r in rows if r["wkt"]}
    # places: lon/lat and zone coordinates of each finding with a geometry
    gap = next(r for r in rows if r["code"] == "coverage.gap")
    assert 105 < float(gap["lon"]) < 111 and 28 < float(gap["lat"]) < 33
    assert 200_000 < float(gap["x"]) < 800_000 and 3_000_000 < float(gap["y"]) < 3_600_000


def test_the_same_findings_get_the_same_ids_in_the_next_run(demo_report, tmp_path):
    from geonames.inspection.run import run_inspection
    from tests.conftest import FIXTURES

    report = run_inspection(FIXTURES / "chongqing" / "inspection.toml", sections=False)
    write_report(report, tmp_path / "again", print_map=False)
    ids = [line.split(",", 1)[0] for line in
           (tmp_path / "again" / "findings.csv").read_text(encoding="utf-8-sig").splitlines()]
    before = [line.split(",", 1)[0] for line in
              (demo_report / "findings.csv").read_text(encoding="utf-8-sig").splitlines()]
    assert ids == before


def _report(findings: list[Finding]) -> Report:
    return Report("coverage", findings, metric_crs="EPSG:4545",
                  inputs={"divisions": "d.geojson", "layer": None})


def test_english_on_request_with_plurals_and_units():
    findings = [Finding("coverage.gap", Severity.ERROR, "500101,500102", "a gap",
                        value=2_500_000.0, limit=1.0, unit="m2"),
                Finding("coverage.sliver", Severity.WARNING, "500101", "a sliver",
                        value=0.0008, unit="m")]
    zh = read(render_html(_report(findings)))
    en_html = render_html(_report(findings), lang="en")
    en = read(en_html)
    assert "<html lang='en'>" in en_html
    assert "1 error" in " ".join(en.text) and "1 errors" not in " ".join(en.text)
    assert "1 warning" in " ".join(en.text) and "0 info" in " ".join(en.text)
    assert "错误 1" in " ".join(zh.text) and "警告 1" in " ".join(zh.text)
    assert not re.search(r"\bNone\b", " ".join(zh.text + en.text))
    data = json.loads(zh.data)["findings"]
    assert data[0][6] == "2.5 km²" and data[1][6] == "0.0008 m"
    assert "图层" not in " ".join(zh.text)  # an input given as None is left out


def test_nothing_found_says_so():
    page = read(render_html(_report([])))
    assert "没有发现问题。" in " ".join(page.text)


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language"):
        render_html(_report([]), lang="fr")
