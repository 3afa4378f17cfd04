"""Edge-matching two parties' lines: the planted offsets of the fixture, and the matching."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from pyproj import CRS
from shapely import LineString

from geonames.boundaries.edgematch import edgematch, match_lines
from geonames.boundaries.io import read_lines
from geonames.cli import main
from geonames.inspection.reports import edgematch_report, run_edgematch
from tests.conftest import FIXTURES

CQ = FIXTURES / "chongqing"
TRUTH = json.loads((CQ / "ground-truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def planted():
    return edgematch_report(CQ / "lines.geojson", CQ / "lines-other-party.geojson")


def test_every_planted_offset_and_unmatched_line_is_found(planted):
    assert {(f.code, f.subject) for f in planted.findings} == {
        (t["code"], t["subject"]) for t in TRUTH["edgematch"]}
    offsets = {f.subject: f for f in planted.findings if f.code == "edgematch.offset"}
    heights = {t["subject"]: float(t["note"].split("pushed ")[1].split(" m")[0])
               for t in TRUTH["edgematch"] if t["code"] == "edgematch.offset"}
    for code, height in heights.items():
        # The largest offset is the bump's height, less the re-digitising noise (< 0.5 m).
        assert offsets[code].value == pytest.approx(height, abs=0.6)
        # The stretch beyond 10 m of a 2 km cosine² bump of height h is 2 km·acos(√(10/h))/π·2.
        expected = 2000 * 2 * np.arccos(np.sqrt(10 / height)) / np.pi
        assert offsets[code].details["length_m"] == pytest.approx(expected, rel=0.05)


def test_line_table_has_hausdorff_mean_offset_and_length(planted):
    table = planted.tables[0]
    rows = {r[0]: dict(zip(table.columns, r, strict=True)) for r in table.rows}
    assert len(rows) == 11
    bumped = [t["subject"] for t in TRUTH["edgematch"] if t["code"] == "edgematch.offset"]
    for code, row in rows.items():
        if code in bumped:
            assert row["hausdorff_m"] > 20 and row["offset_stretches"] == 1
            assert abs(row["length_difference_m"]) > 1.0
        else:
            assert row["hausdorff_m"] < 0.5 and row["offset_stretches"] == 0
            assert abs(row["mean_offset_m"]) < 0.25


def test_the_clean_copy_gives_no_findings():
    report = edgematch_report(CQ / "lines.geojson", CQ / "lines-other-party-clean.geojson")
    assert report.findings == []
    assert report.stats["max_hausdorff_m"] < 0.5


def test_matching_by_sides_and_by_geometry_agree_with_codes():
    metric = CRS.from_epsg(4544)
    a = read_lines(CQ / "lines.geojson").reprojected(metric)
    b = read_lines(CQ / "lines-other-party.geojson").reprojected(metric)
    by_code = run_edgematch(a, b, 10.0, "code")
    for how in ("sides", "geometry"):
        other = run_edgematch(a, b, 10.0, how)
        assert {(p.a, p.b) for p in other.pairs} == {(p.a, p.b) for p in by_code.pairs}, how
        assert {(f.code, f.subject) for f in other.findings} == {
            (f.code, f.subject) for f in by_code.findings}, how


def test_geometry_matching_without_any_codes():
    a = [LineString([(0, 0), (1000, 0)]), LineString([(0, 500), (1000, 500)])]
    b = [LineString([(0, 503), (1000, 497)]), LineString([(0, 1), (1000, -1)]),
         LineString([(5000, 0), (6000, 0)])]
    pairs, method = match_lines(["", ""], np.array(a), ["", "", ""], np.array(b))
    assert method == "geometry" and [(i, j) for i, j, _ in pairs] == [(0, 1), (1, 0)]
    result = edgematch(["", ""], a, ["", "", ""], b, tolerance=2.0)
    assert [(f.code, f.subject) for f in result.findings] == [
        ("edgematch.offset", "#2"), ("edgematch.offset", "#2"), ("edgematch.unmatched", "#3")]


def test_cli_writes_the_comparison_table(tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["inspect", "edgematch", str(CQ / "lines.geojson"),
              str(CQ / "lines-other-party.geojson"), "--tolerance", "30", "--out",
              str(tmp_path), "-q"])
    assert exit_info.value.code == 1
    with open(tmp_path / "findings.csv", encoding="utf-8-sig") as fh:
        found = {(r["code"], r["subject"]) for r in csv.DictReader(fh)}
    # At 30 m only the 40 m bump is beyond the tolerance.
    bump40 = next(t["subject"] for t in TRUTH["edgematch"] if "40 m" in t["note"])
    assert ("edgematch.offset", bump40) in found
    assert sum(c == "edgematch.offset" for c, _ in found) == 1
    assert (tmp_path / "line_comparison.csv").exists()
