"""Repair proposals: ``geonames divisions clean`` (GEOS coverage cleaning with a change layer)."""

from __future__ import annotations

from collections import defaultdict

import fiona
import numpy as np
import pytest
import shapely
from shapely import box

from geonames.divisions.clean import clean_coverage, clean_file, remaining_faults
from geonames.divisions.coverage import inspect_divisions
from geonames.divisions.io import read_divisions
from tests.conftest import FIXTURES, run_cli

CQ = FIXTURES / "chongqing"
#: The fixture's widest gap between divisions is 462 m across: a tolerance above it fills all.
GAP = 500.0


def squares(*geoms):
    return np.array(geoms, dtype=object)


def test_an_overlap_goes_to_whom_the_rule_says_and_is_recorded():
    small = box(0, 0, 1000, 1000)            # 1 km²
    large = box(990, 0, 3000, 1000)          # overlaps small by a 10 m strip
    for rule, priority, winner, loser in (("largest", (), "B", "A"),
                                           ("priority", ("A",), "A", "B"),
                                           ("priority", ("B",), "B", "A")):
        result = clean_coverage(["A", "B"], ["甲", "乙"], squares(small, large), rule=rule,
                                priority=priority, snapping_distance=0)
        assert [(c.from_id, c.to_id, c.reason) for c in result.changes] == \
            [(loser, winner, "overlap_assigned")]
        assert result.changes[0].area == pytest.approx(10 * 1000)
        assert result.changes[0].geometry.equals(box(990, 0, 1000, 1000))
        assert remaining_faults(result.cleaned, 0.0)["overlap_m2"] == 0


def test_a_narrow_gap_is_filled_and_recorded():
    a, b = box(0, 0, 1000, 1000), box(1005, 0, 2000, 1000)   # a 5 m gap between them
    c = box(0, 1000, 2000, 1500)                             # closes the gap to the north
    d = box(0, -500, 2000, 0)                                # and to the south
    result = clean_coverage(["A", "B", "C", "D"], ["", "", "", ""], squares(a, b, c, d),
                            gap_width=10.0, snapping_distance=0)
    assert [(c.from_id, c.reason) for c in result.changes] == [("", "gap_filled")]
    assert result.changes[0].area == pytest.approx(5 * 1000)
    assert remaining_faults(result.cleaned, 10.0)["narrow_gaps"] == 0
    kept = clean_coverage(["A", "B", "C", "D"], ["", "", "", ""], squares(a, b, c, d),
                          gap_width=4.0, snapping_distance=0)
    assert kept.changes == []


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory):
    out = tmp_path_factory.mktemp("clean") / "cleaned.gpkg"
    result, summary = clean_file(CQ / "divisions.geojson", out, gap_width=GAP)
    return result, summary, out


def test_the_cleaned_fixture_has_no_overlaps_or_gaps_beyond_the_tolerance(cleaned):
    result, summary, out = cleaned
    left = summary["left"]
    assert left["overlap_m2"] < 1.0 and left["narrow_gaps"] == 0 and left["valid_coverage"]
    # The coverage check, run on the proposal as written, agrees.
    table = read_divisions(out, layer="divisions", id_field="id", name_field="name")
    check = inspect_divisions(table, gap_width=GAP)
    codes = {f.code for f in check.findings}
    assert not codes & {"coverage.overlap", "coverage.gap", "coverage.invalid"}, codes
    # The fixture did have them.
    before = inspect_divisions(read_divisions(CQ / "divisions.geojson"), gap_width=GAP)
    assert {"coverage.overlap", "coverage.gap"} <= {f.code for f in before.findings}


def test_gaps_wider_than_the_tolerance_are_left_for_review(tmp_path):
    result, summary = clean_file(CQ / "divisions.geojson", tmp_path / "c.gpkg",
                                 gap_width=200.0)
    union = shapely.union_all(result.cleaned)
    holes = [shapely.Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]
    widths = [2 * shapely.maximum_inscribed_circle(h, 1.0).length for h in holes]
    assert len(holes) == 2 and min(widths) > 200.0
    assert summary["left"]["narrow_gaps"] == 0 and summary["left"]["overlap_m2"] < 1.0


def test_the_change_layer_adds_up_to_the_area_moved(cleaned):
    result, summary, out = cleaned
    gained, lost = result.gained(), result.lost()
    assert gained.sum() > 1e5 and lost.sum() > 1e5  # real work was done
    to, frm = defaultdict(float), defaultdict(float)
    with fiona.open(out, layer="changes") as src:
        records = [f["properties"] for f in src]
    for r in records:
        if r["to_id"] and r["reason"] != "overlap_assigned":  # it held that area already
            to[r["to_id"]] += r["area_m2"]
        if r["from_id"]:
            frm[r["from_id"]] += r["area_m2"]
    reasons = {r["reason"] for r in records}
    assert {"overlap_assigned", "gap_filled"} <= reasons
    for k, code in enumerate(result.ids):
        # Written areas are rounded to the mm²; sums agree to 1 m².
        assert to[code] == pytest.approx(gained[k], abs=1.0), code
        assert frm[code] == pytest.approx(lost[k], abs=1.0), code
    assert sum(to.values()) == pytest.approx(gained.sum(), abs=1.0)
    assert sum(frm.values()) == pytest.approx(lost.sum(), abs=1.0)
    with fiona.open(out, layer="divisions") as src:
        assert len(src) == 38 and src.crs.to_epsg() == 4545


def test_clean_command(tmp_path, capsys):
    out = tmp_path / "c.gpkg"
    code, text, err = run_cli(capsys, "divisions", "clean", CQ / "divisions.geojson", "-o", out,
                              "--gap-width", "200", "--rule", "priority", "--priority",
                              "500101,5002")
    assert code == 0, err
    assert "overlap_assigned" in text and "gap_filled" in text and "coverage valid: yes" in text
    assert set(fiona.listlayers(out)) == {"divisions", "changes"}
    code, _, err = run_cli(capsys, "divisions", "clean", CQ / "divisions.geojson", "-o",
                           CQ / "divisions.geojson")
    assert code == 2 and "never changed in place" in err
    (tmp_path / "d.gpkg").mkdir()
    code, _, err = run_cli(capsys, "divisions", "clean", CQ / "divisions.geojson", "-o",
                           tmp_path / "d.gpkg")
    assert code == 2 and "is a folder" in err
    code, _, err = run_cli(capsys, "divisions", "clean", CQ / "divisions.geojson", "-o", out,
                           "--rule", "priority")
    assert code == 2 and "priority list" in err and "Traceback" not in err


def test_overlaps_are_given_by_priority_on_the_fixture(tmp_path):
    out = tmp_path / "p.gpkg"
    result, _ = clean_file(CQ / "divisions.geojson", out, rule="priority",
                           priority=["500118"], gap_width=0.0)
    given = [c for c in result.changes if c.reason == "overlap_assigned" and c.area > 1.0]
    # 500118 keeps every overlap it had (snapping moves only crumbs under 1 m²) …
    assert sum(c.area for c in given if c.to_id == "500118") > 1e4
    assert all(c.from_id != "500118" for c in given)
    # … which the default rule shares out otherwise.
    other, _ = clean_file(CQ / "divisions.geojson", tmp_path / "q.gpkg", gap_width=0.0)
    assert any(c.from_id == "500118" and c.reason == "overlap_assigned" and c.area > 1.0
               for c in other.changes)
