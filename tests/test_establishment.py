"""Must-show 4: the establishment check reports per-criterion results on the sample proposals;
and bad rules or proposals are clear errors."""

from __future__ import annotations

import csv
import doctest
import json

import pytest

import geonames.divisions.establishment
from geonames.cli import main
from geonames.divisions.establishment import (
    Proposal,
    RulesError,
    check_establishment,
    evaluate,
    parse_number,
    rules_from_dict,
)
from geonames.divisions.establishment_io import read_proposals, read_rules
from geonames.errors import InputFileError
from geonames.findings import Severity
from tests.conftest import FIXTURES

RULES = FIXTURES / "establishment" / "rules.toml"
PROPOSALS = FIXTURES / "establishment" / "proposals.csv"


@pytest.fixture(scope="module")
def check():
    return check_establishment(read_rules(RULES), read_proposals(PROPOSALS))


def results_of(check, pid):
    (p,) = [p for p in check.proposals if p.proposal.id == pid]
    return p, {r.criterion.id: r for r in p.results}


def test_verdicts_on_the_sample(check):
    assert check.verdicts() == {
        "T01": "qualifies", "T02": "not qualified", "T03": "qualifies",
        "T04": "not qualified", "T05": "qualifies", "S01": "qualifies",
        "S02": "not qualified", "S03": "undecided"}


def test_town_criteria_follow_the_1984_standard(check):
    # 总人口 < 20,000: the seat's non-agricultural population must exceed 2,000
    p, r = results_of(check, "T02")
    assert r["seat_nonagricultural_population"].status == "failed"
    assert r["seat_nonagricultural_population"].value == 1640
    assert r["seat_nonagricultural_share"].status == "not applicable"
    # 总人口 ≥ 20,000: its share must be at least 10 %
    p, r = results_of(check, "T03")
    assert r["seat_nonagricultural_share"].status == "met"
    assert r["seat_nonagricultural_share"].value == pytest.approx(100 * 4100 / 34500)
    assert r["seat_nonagricultural_population"].status == "not applicable"
    p, r = results_of(check, "T04")
    assert r["seat_nonagricultural_share"].value == pytest.approx(7.457, abs=1e-3)
    assert p.reason == "fails seat_nonagricultural_share"
    # the county seat qualifies alone, though its seat population is small
    p, r = results_of(check, "T05")
    assert r["county_seat"].status == "met"
    assert r["seat_nonagricultural_population"].status == "failed"
    assert p.reason == "meets county_seat, which suffices alone"
    # a sufficient criterion that does not hold is not a failure
    p, r = results_of(check, "T01")
    assert r["county_seat"].status == "not met"


def test_sub_district_criteria_with_figures(check):
    p, r = results_of(check, "S02")
    assert {k: (v.status, v.value) for k, v in r.items()} == {
        "population": ("failed", 26100), "urban_share": ("failed", pytest.approx(59.0, abs=0.01)),
        "area": ("failed", 118), "non_farm_output": ("failed", 62.5),
        "distance_to_seat": ("failed", 27)}
    p, r = results_of(check, "S03")
    assert r["urban_share"].status == "missing"
    assert r["urban_share"].reason == "no value for urban_population"


def test_findings_carry_the_figures(check):
    by = {(f.subject, f.details.get("criterion"), f.code): f for f in check.findings}
    f = by[("S02", "distance_to_seat", "establishment.failed")]
    assert (f.value, f.limit, f.severity) == (27, 15, Severity.WARNING)
    assert f.message == "河坝镇 (S02), 距区(县)政府驻地: 27 km, needs <= 15 km — failed"
    f = by[("T03", "seat_nonagricultural_share", "establishment.met")]
    assert (round(f.value, 2), f.limit, f.unit) == (11.88, 10, "%")
    verdicts = [f for f in check.findings if f.details.get("verdict")]
    assert sorted((f.code, f.severity) for f in verdicts) == sorted(
        [("establishment.qualifies", Severity.INFO)] * 4
        + [("establishment.not_qualified", Severity.ERROR)] * 3
        + [("establishment.undecided", Severity.ERROR)])
    assert len(check.rows()) == 5 * 3 + 3 * 5


def test_command_line_writes_the_report(tmp_path, capsys):
    out = tmp_path / "report"
    with pytest.raises(SystemExit) as exit_:
        main(["divisions", "check-establishment", str(PROPOSALS), "--rules", str(RULES),
              "--out", str(out)])
    assert exit_.value.code == 1        # some proposals do not qualify
    text = capsys.readouterr().out
    assert "T02 白云乡 (town): not qualified — fails seat_nonagricultural_population" in text
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["stats"]["verdict_counts"] == {"qualifies": 4, "not qualified": 3,
                                                  "undecided": 1}
    assert summary["counts"]["establishment.failed"] == 8     # T02, T04, T05, S02 ×5
    with open(out / "establishment.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    row = [r for r in rows if r["proposal"] == "T04"
           and r["criterion"] == "seat_nonagricultural_share"][0]
    assert (row["value"], row["op"], row["limit"], row["unit"], row["result"]) == \
        ("7.456979", ">=", "10.0", "%", "failed")
    assert (out / "report.html").exists()


# --- bad input ----------------------------------------------------------------------------------


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_columns_are_named(tmp_path, capsys):
    proposals = write(tmp_path, "p.csv", "id,name,type,population\nT1,青石乡,town,16800\n")
    with pytest.raises(SystemExit) as exit_:
        main(["divisions", "check-establishment", str(proposals), "--rules", str(RULES),
              "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "Traceback" not in err
    assert "county_seat (for town.county_seat)" in err
    assert "seat_nonagricultural_population (for town.seat_nonagricultural_population, " \
           "town.seat_nonagricultural_share)" in err


@pytest.mark.parametrize("text, message", [
    ("id,name\nT1,青石乡\n", "missing column(s) type"),
    ("id,name,type\n,青石乡,town\n", "line 2: every proposal needs an id and a type"),
    ("id,name,type\nT1,a,town\nT1,b,town\n", "line 3: id 'T1' is used again"),
    ("id,name,type\n", "no proposals"),
    ("id,name,type\nT1,a,town,extra\n", "more cells than columns"),
])
def test_bad_proposals(tmp_path, text, message):
    with pytest.raises(InputFileError) as err:
        read_proposals(write(tmp_path, "p.csv", text))
    assert message in str(err.value)


@pytest.mark.parametrize("rules, message", [
    ({}, "no [type.NAME] tables"),
    ({"type": {"town": {}}}, "no [[type.town.criteria]]"),
    ({"type": {"town": {"criteria": [{"id": "a", "measure": "x", "op": "=>", "limit": 1}]}}},
     "unknown op '=>'"),
    ({"type": {"town": {"criteria": [{"id": "a", "measure": "x", "op": ">", "limit": "2万"}]}}},
     "limit and scale must be numbers"),
    ({"type": {"town": {"criteria": [{"id": "a", "measure": "x", "op": ">", "limt": 1}]}}},
     "unknown key(s) limt"),
    ({"type": {"town": {"criteria": [{"id": "a", "op": ">", "limit": 1}]}}},
     "missing measure"),
    ({"type": {"town": {"criteria": [{"id": "a", "measure": "x", "op": ">", "limit": 1},
                                     {"id": "a", "measure": "y", "op": ">", "limit": 1}]}}},
     "criterion id 'a' is used twice"),
    ({"type": {"town": {"criteria": [{"id": "a", "measure": "x", "op": ">", "limit": 1,
                                      "when": "population > 2"}]}}},
     "'when' must be a table"),
])
def test_bad_rules(rules, message):
    with pytest.raises(RulesError) as err:
        rules_from_dict(rules)
    assert message in str(err.value)


def test_bad_rules_file(tmp_path):
    with pytest.raises(InputFileError, match="not valid TOML"):
        read_rules(write(tmp_path, "r.toml", "[type.town\n"))
    with pytest.raises(InputFileError, match=r"r.toml, type 'town', criterion #1 \(a\): "
                                             "unknown op"):
        read_rules(write(tmp_path, "r.toml", '[[type.town.criteria]]\nid = "a"\n'
                                             'measure = "x"\nop = "~"\nlimit = 1\n'))


def test_values_and_types():
    assert parse_number("18,500") == 18500
    assert parse_number("12.5%") == 12.5
    assert parse_number("是") == 1 and parse_number("no") == 0
    rules = rules_from_dict({"type": {"town": {"criteria": [
        {"id": "share", "measure": "a", "per": "b", "scale": 100, "op": ">=", "limit": 10}]}}})
    (r,) = evaluate(rules, Proposal("P", "x", "town", {"a": "5", "b": "0"})).results
    assert (r.status, r.reason) == ("missing", "b is 0, so a/b is undefined")
    (r,) = evaluate(rules, Proposal("P", "x", "town", {"a": "五千", "b": "10"})).results
    assert r.reason == "a '五千' is not a number"
    unknown = evaluate(rules, Proposal("P", "x", "village", {}))
    assert unknown.verdict == "unknown type" and "types: town" in unknown.reason


def test_module_doctests():
    result = doctest.testmod(geonames.divisions.establishment)
    assert result.failed == 0 and result.attempted > 0
