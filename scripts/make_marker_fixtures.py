#!/usr/bin/env python3
"""Regenerate the joint-inspection fixture in ``fixtures/chongqing/`` (seeded, deterministic).

From ``fixtures/chongqing/divisions.geojson`` it derives the boundary lines between seven
districts of western Chongqing (大足 500111, 合川 500117, 永川 500118, 璧山 500120, 铜梁 500151,
潼南 500152, 荣昌 500153) with :mod:`geonames.boundaries.lines` (snap 200 m, as the ECharts borders do not
meet exactly), places boundary markers along them with correct numbers (line code + 3-digit
sequence west→east or north→south + type Q / A,B / C,D,E), and writes:

* ``lines.geojson``, ``tripoints.geojson``: our side's lines (line_code, left_id, right_id …)
  and the tripoints, CGCS2000 (EPSG:4490);
* ``markers-clean.csv``, ``markers-previous-clean.csv``: this round's and the previous round's
  registers with no faults (the previous positions differ by a few centimetres);
* ``markers.csv``, ``markers-previous.csv``: the same with planted faults of every marker
  finding (numbering faults are carved on the markers, so they are in both rounds; position
  and status faults only in this round);
* ``lines-other-party-clean.geojson``: the other party's version of the lines, re-digitised
  within half a metre; ``lines-other-party.geojson``: the same with planted offsets, a line
  left out and a line we do not have;
* ``ground-truth.json``: every planted fault, as the (code, subject) each check must report;
* ``inspection.toml`` and ``inspection-clean.toml``: the whole joint inspection.

Registers have x/y (EPSG:4544, CGCS2000 Gauss–Krüger CM 105°E, metres) and lon/lat (CGCS2000).

    python3 scripts/make_marker_fixtures.py [--seed 20250601]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS
from shapely import LineString, Point
from shapely.ops import substring

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geonames.boundaries.markers import line_directions  # noqa: E402
from geonames.boundaries.model import DEFAULT_PATTERN  # noqa: E402
from geonames.crs import CGCS2000, reproject, transformer  # noqa: E402
from geonames.divisions.io import read_divisions  # noqa: E402
from geonames.inspection.inputs import line_code, lines_from_divisions, metric_for  # noqa: E402
from geonames.vector import write_features  # noqa: E402

OUT = ROOT / "fixtures" / "chongqing"
DISTRICTS = {"500111", "500117", "500118", "500120", "500151", "500152", "500153"}
SNAP = 200.0
#: Markers stand about this far apart along a line (metres), none closer than END_GAP to an end.
SPACING = 4000.0
END_GAP = 1500.0
#: Every PAIR_EVERY-th marker of a line is a pair (A and B), PAIR_OFFSET m either side.
PAIR_EVERY = 4
PAIR_OFFSET = 12.0
#: The three markers of a triple stand this far from the tripoint, one along each line.
TRIPLE_OFFSET = 8.0
#: The other party's re-digitising noise, metres (well within the 10 m edge-match tolerance).
REDIGITISE = 0.5
THIS_ROUND = "2025-06-15"
LAST_ROUND = "2020-06-15"
FIELDS = ["number", "line", "type", "x", "y", "lon", "lat", "status", "survey_date"]


@dataclass
class Marker:
    number: str
    line: str
    type: str
    x: float
    y: float
    status: str = "intact"
    survey_date: str = THIS_ROUND

    def copy(self, **changes) -> Marker:
        values = {**self.__dict__, **changes}
        return Marker(**values)


@dataclass
class Truth:
    markers: list[dict] = field(default_factory=list)
    edgematch: list[dict] = field(default_factory=list)

    def add(self, check: str, code: str, subject: str, line: str, note: str) -> None:
        getattr(self, check).append({"code": code, "subject": subject, "line": line,
                                     "note": note})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20250601)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    table = read_divisions(OUT / "divisions.geojson")
    lines, tripoints = lines_from_divisions(table, snap=SNAP, only=DISTRICTS)
    keep = np.array(["-" not in c for c in lines.codes])  # the longest line of each pair
    codes = [str(c) for c in lines.codes[keep]]
    lefts, rights = lines.left_ids[keep], lines.right_ids[keep]
    # Work in the metric CRS the checks will choose for these lines (numbering direction and
    # distances are measured there).
    lonlat = reproject(lines.geometries[keep], lines.crs, CGCS2000)
    metric = metric_for([(CGCS2000, lonlat)], None).crs
    geoms = reproject(lonlat, CGCS2000, metric)
    tripoints = reproject(reproject(tripoints, lines.crs, CGCS2000), CGCS2000, metric)
    names = table.name_of()
    print(f"{len(codes)} lines, {len(tripoints)} tripoints in EPSG:{metric.to_epsg()}")

    clean = place_markers(codes, geoms, tripoints, metric, rng)
    previous_clean = [m.copy(x=m.x + rng.normal(0, 0.03), y=m.y + rng.normal(0, 0.03),
                             survey_date=LAST_ROUND) for m in clean]
    truth = Truth()
    current, previous = plant_marker_faults(clean, previous_clean, codes, geoms, metric, truth,
                                            rng)

    other_clean = [redigitise(g, rng) for g in geoms]
    other_codes, other_geoms, other_sides = plant_line_faults(
        codes, other_clean, (lefts, rights), table, metric, truth, rng)

    write_lines(OUT / "lines.geojson", codes, geoms, (lefts, rights), names, metric)
    write_lines(OUT / "lines-other-party-clean.geojson", codes, np.array(other_clean),
                (lefts, rights), names, metric)
    write_lines(OUT / "lines-other-party.geojson", other_codes, np.array(other_geoms),
                other_sides, names, metric)
    write_features(OUT / "tripoints.geojson", [{"id": i + 1} for i in range(len(tripoints))],
                   reproject(tripoints, metric, CGCS2000), {"id": "int"}, CGCS2000,
                   geometry_type="Point")
    for name, markers in (("markers-clean.csv", clean),
                          ("markers-previous-clean.csv", previous_clean),
                          ("markers.csv", current), ("markers-previous.csv", previous)):
        write_register(OUT / name, markers, metric)
    truth_doc = {
        "seed": args.seed,
        "about": "Faults planted by scripts/make_marker_fixtures.py: each entry is a finding "
                 "(code, subject) the check must report on markers.csv with "
                 "markers-previous.csv, or on lines.geojson against "
                 "lines-other-party.geojson; the -clean files must give none.",
        "markers": sorted(truth.markers, key=lambda t: (t["code"], t["subject"])),
        "edgematch": sorted(truth.edgematch, key=lambda t: (t["code"], t["subject"])),
    }
    (OUT / "ground-truth.json").write_text(
        json.dumps(truth_doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    write_config(OUT / "inspection.toml", clean=False)
    write_config(OUT / "inspection-clean.toml", clean=True)
    print(f"{len(clean)} markers; planted {len(truth.markers)} marker and "
          f"{len(truth.edgematch)} edge-match faults; wrote {OUT.relative_to(ROOT)}/")


# ------------------------------------------------------------------------------------------
# Markers


def place_markers(codes: list[str], geoms: np.ndarray, tripoints: np.ndarray, metric: CRS,
                  rng: np.random.Generator) -> list[Marker]:
    """Markers along every line, numbered from its west (north) end, and a triple at each
    tripoint, numbered on the line of smallest code that meets there."""
    reverse = line_directions(geoms, metric)
    ends = {}
    for k, g in enumerate(geoms):
        ends[k] = (shapely.get_point(g, 0), shapely.get_point(g, -1))
    owners: dict[int, list[tuple[Point, list[int]]]] = {}
    for tp in tripoints:
        meeting = sorted({k for k, (a, b) in ends.items()
                          if a.distance(tp) < 1.0 or b.distance(tp) < 1.0},
                         key=lambda k: codes[k])
        if len(meeting) >= 3:
            owners.setdefault(meeting[0], []).append((tp, meeting[:3]))
    markers: list[Marker] = []
    for k, (code, g) in enumerate(zip(codes, geoms, strict=True)):
        length = g.length
        along = np.arange(END_GAP, length - END_GAP, SPACING) + rng.uniform(-400, 400)
        along = np.clip(along, END_GAP / 2, length - END_GAP / 2)
        # Places measured from the west (north) end, in numbering order.
        places: list[tuple[float, str, object]] = [(float(d), "plain", None) for d in along]
        for tp, meeting in owners.get(k, []):
            at_start = shapely.get_point(g, 0).distance(tp) < 1.0
            measure = 0.0 if at_start else length
            places.append(((length - measure) if reverse[k] else measure, "triple",
                           (tp, meeting)))
        places.sort(key=lambda p: p[0])
        for seq, (d, kind, extra) in enumerate(places, start=1):
            if kind == "triple":
                tp, meeting = extra
                for type_code, other in zip("CDE", meeting, strict=True):
                    pt = _near_end(geoms[other], tp, TRIPLE_OFFSET)
                    markers.append(Marker(DEFAULT_PATTERN.format(code, seq, type_code), code,
                                          type_code, pt.x, pt.y))
                continue
            measure = length - d if reverse[k] else d
            base = shapely.line_interpolate_point(g, measure)
            normal = _normal(g, measure)
            if seq % PAIR_EVERY == 0:
                for type_code, sign in (("A", 1.0), ("B", -1.0)):
                    off = sign * (PAIR_OFFSET + rng.uniform(-2, 2))
                    markers.append(Marker(DEFAULT_PATTERN.format(code, seq, type_code), code,
                                          type_code, base.x + off * normal[0],
                                          base.y + off * normal[1]))
            else:
                off = rng.uniform(-2.0, 2.0)
                markers.append(Marker(DEFAULT_PATTERN.format(code, seq, "Q"), code, "Q",
                                      base.x + off * normal[0], base.y + off * normal[1]))
    return markers


def _near_end(line: LineString, end: Point, distance: float) -> Point:
    at_start = shapely.get_point(line, 0).distance(end) < 1.0
    return shapely.line_interpolate_point(line, distance if at_start else line.length - distance)


def _normal(line: LineString, measure: float) -> np.ndarray:
    a = shapely.line_interpolate_point(line, max(measure - 5.0, 0.0))
    b = shapely.line_interpolate_point(line, min(measure + 5.0, line.length))
    d = np.array([b.x - a.x, b.y - a.y])
    d /= np.hypot(*d)
    return np.array([-d[1], d[0]])


def _singles(markers: list[Marker], code: str) -> list[int]:
    return [i for i, m in enumerate(markers) if m.line == code and m.type == "Q"]


def _seq(number: str) -> int:
    return DEFAULT_PATTERN.parse(number).seq


def plant_marker_faults(clean: list[Marker], previous: list[Marker], codes: list[str],
                        geoms: np.ndarray, metric: CRS, truth: Truth,
                        rng: np.random.Generator) -> tuple[list[Marker], list[Marker]]:
    """Plant one fault of each marker finding; return (this round, previous round)."""
    now = [m.copy() for m in clean]
    before = [m.copy() for m in previous]
    by_code = dict(zip(codes, geoms, strict=True))
    longest = sorted(codes, key=lambda c: -by_code[c].length)
    used: set[str] = set()

    def pick(code: str, skip: int = 1) -> int:
        """A single marker of a line not used by another fault, away from the ends."""
        singles = [i for i in _singles(now, code) if now[i].number not in used]
        i = singles[skip]
        used.add(now[i].number)
        return i

    def both(i: int, **changes) -> None:
        number = now[i].number
        j = next(j for j, m in enumerate(before) if m.number == number)
        now[i] = now[i].copy(**changes)
        before[j] = before[j].copy(**{k: v for k, v in changes.items()
                                      if k not in ("status", "survey_date")})

    # marker.off_line: set 60 m off its line (in both rounds: it was set there).
    code = longest[0]
    i = pick(code, 2)
    g = by_code[code]
    measure = shapely.line_locate_point(g, Point(now[i].x, now[i].y))
    n = _normal(g, measure)
    both(i, x=now[i].x + 60 * n[0], y=now[i].y + 60 * n[1])
    truth.add("markers", "marker.off_line", now[i].number, code, "set 60 m off the line")

    # marker.wrong_line: a marker numbered for one line standing on another.
    code_a, code_b = longest[1], longest[2]
    last = max(_seq(m.number) for m in now if m.line == code_a)
    number = DEFAULT_PATTERN.format(code_a, last + 1, "Q")
    gb = by_code[code_b]
    spot = shapely.line_interpolate_point(gb, 0.5, normalized=True)
    wrong = Marker(number, code_a, "Q", spot.x, spot.y)
    now.append(wrong)
    before.append(wrong.copy(x=spot.x + 0.02, survey_date=LAST_ROUND))
    used.add(number)
    truth.add("markers", "marker.wrong_line", number, code_a,
              f"numbered for line {code_a}, stands on line {code_b}")

    # marker.moved: 5 m along its line since the previous round (this round only).
    code = longest[3]
    i = pick(code)
    g = by_code[code]
    measure = shapely.line_locate_point(g, Point(now[i].x, now[i].y)) + 5.0
    p = shapely.line_interpolate_point(g, measure)
    now[i] = now[i].copy(x=p.x, y=p.y)
    truth.add("markers", "marker.moved", now[i].number, code, "moved 5 m along the line")

    # marker.missing: gone from this round's register, and one recorded missing on site.
    code = longest[4]
    i = pick(code)
    truth.add("markers", "marker.missing", now[i].number, code, "not in this round's register")
    gone = now.pop(i)
    used.add(gone.number)
    i = pick(code, 3)
    now[i] = now[i].copy(status="missing")
    truth.add("markers", "marker.missing", now[i].number, code, "status missing")

    # marker.damaged: recorded damaged on site.
    code = longest[5]
    i = pick(code)
    now[i] = now[i].copy(status="damaged")
    truth.add("markers", "marker.damaged", now[i].number, code, "status damaged")

    # marker.new: set since the previous round, east (south) of the last marker of a line.
    code = next(c for c in longest[6:] if not any(
        m.line == c and m.type in "CDE" and _seq(m.number) == max(
            _seq(n.number) for n in now if n.line == c) for m in now))
    g = by_code[code]
    reverse = bool(line_directions(np.array([g]), metric)[0])
    last = max(_seq(m.number) for m in now if m.line == code)
    d = g.length - END_GAP / 4
    p = shapely.line_interpolate_point(g, g.length - d if reverse else d)
    number = DEFAULT_PATTERN.format(code, last + 1, "Q")
    now.append(Marker(number, code, "Q", p.x, p.y))
    used.add(number)
    truth.add("markers", "marker.new", number, code, "set since the previous round")

    # marker.bad_number: a letter O for a zero, and a number naming a line that does not
    # exist (both rounds: carved on the marker).
    code = longest[7]
    i = pick(code)
    bad = now[i].number[:-4] + "O" + now[i].number[-3:]
    both(i, number=bad)
    truth.add("markers", "marker.bad_number", bad, code, "letter O for the digit 0")
    i = pick(code, 3)
    unknown = "500111500999" + now[i].number[-4:]
    both(i, number=unknown, line="")
    truth.add("markers", "marker.bad_number", unknown, code, "names line 500111500999")

    # marker.duplicate_number: a marker carrying its neighbour's number.
    code = longest[8]
    singles = [i for i in _singles(now, code) if now[i].number not in used]
    for a, b in zip(singles, singles[1:], strict=False):
        if _seq(now[b].number) == _seq(now[a].number) + 1:
            break
    number = now[a].number
    both(b, number=number)
    used.update({number, now[b].number})
    truth.add("markers", "marker.duplicate_number", number, code,
              "two markers carry this number")

    # marker.out_of_order: two single markers' numbers swapped.
    code = longest[9]
    singles = [i for i in _singles(now, code) if now[i].number not in used]
    a, b = singles[1], singles[3]
    na, nb = now[a].number, now[b].number
    ja = next(j for j, m in enumerate(before) if m.number == na)
    jb = next(j for j, m in enumerate(before) if m.number == nb)
    now[a], now[b] = now[a].copy(number=nb), now[b].copy(number=na)
    before[ja], before[jb] = before[ja].copy(number=nb), before[jb].copy(number=na)
    used.update({na, nb})
    subject = ",".join(sorted((na, nb)))
    for number in (na, nb):
        truth.add("markers", "marker.out_of_order", number, code,
                  f"numbers swapped ({subject})")

    # marker.unpaired: a pair whose B was never set (both rounds).
    pair_b = next(i for i, m in enumerate(now) if m.type == "B" and m.number not in used)
    partner = pair_b - 1
    assert now[partner].type == "A"
    b_number = now[pair_b].number
    now.pop(pair_b)
    before = [m for m in before if m.number != b_number]
    used.update({b_number, now[partner].number})
    truth.add("markers", "marker.unpaired", now[partner].number, now[partner].line,
              f"lacks {b_number}")

    # marker.not_at_tripoint: a triple's C set 400 m along its line from the tripoint.
    c = next(i for i, m in enumerate(now) if m.type == "C")
    g = by_code[now[c].line]
    measure = shapely.line_locate_point(g, Point(now[c].x, now[c].y))
    measure = measure + 400.0 if measure < g.length / 2 else measure - 400.0
    p = shapely.line_interpolate_point(g, measure)
    both(c, x=p.x, y=p.y)
    used.add(now[c].number)
    truth.add("markers", "marker.not_at_tripoint", now[c].number, now[c].line,
              "400 m from the tripoint")

    # marker.bad_record: an unreadable coordinate in this round's register.
    code = longest[10]
    i = pick(code)
    now[i] = now[i].copy(x="3O5120.5")
    truth.add("markers", "marker.bad_record", now[i].number, code,
              "x column holds the letter O")
    return now, before


# ------------------------------------------------------------------------------------------
# The other party's lines


def redigitise(line: LineString, rng: np.random.Generator) -> LineString:
    """The same line as another party digitised it: every vertex within REDIGITISE m."""
    xy = shapely.get_coordinates(line)
    jitter = rng.uniform(-REDIGITISE / 1.5, REDIGITISE / 1.5, size=xy.shape)
    jitter[[0, -1]] = 0.0  # the ends are the tripoints both parties agreed
    return LineString(xy + jitter)


def bump(line: LineString, centre: float, width: float, height: float) -> LineString:
    """Push the stretch ``centre ± width/2`` (metres along the line) sideways by up to
    ``height`` metres, smoothly (cosine-squared profile); vertices every 20 m there."""
    start, end = centre - width / 2, centre + width / 2
    middle = shapely.segmentize(substring(line, start, end), 20.0)
    xy = shapely.get_coordinates(middle)
    measures = start + shapely.line_locate_point(middle, shapely.points(xy))
    out = xy.copy()
    for k, m in enumerate(measures):
        t = (m - centre) / (width / 2)
        out[k] += height * np.cos(t * np.pi / 2) ** 2 * _normal(line, m)
    before = shapely.get_coordinates(substring(line, 0.0, start))
    after = shapely.get_coordinates(substring(line, end, line.length))
    return LineString(np.concatenate([before[:-1], out, after[1:]]))


def plant_line_faults(codes, other_geoms, sides, table, metric, truth: Truth, rng):
    """Offsets on two lines, one line left out, one extra line; returns the other party's
    codes, geometries and sides."""
    lefts, rights = sides
    geoms = list(other_geoms)
    order = sorted(range(len(codes)), key=lambda k: -geoms[k].length)
    for k, height in ((order[0], 40.0), (order[1], 25.0)):
        g = geoms[k]
        geoms[k] = bump(g, g.length * 0.3, 2000.0, height)
        truth.add("edgematch", "edgematch.offset", codes[k], codes[k],
                  f"a 2 km stretch pushed {height:g} m sideways")
    dropped = order[-1]
    truth.add("edgematch", "edgematch.unmatched", codes[dropped], codes[dropped],
              "the other party has no such line")
    keep = [k for k in range(len(codes)) if k != dropped]
    out_codes = [codes[k] for k in keep]
    out_geoms = [geoms[k] for k in keep]
    out_left = [lefts[k] for k in keep]
    out_right = [rights[k] for k in keep]
    # A line we did not include: 合川 500117 | 北碚 500109.
    extra, _ = lines_from_divisions(table, snap=SNAP, only={"500117", "500109"})
    code = line_code("500109", "500117")
    k = list(extra.codes).index(code)
    out_codes.append(code)
    out_geoms.append(redigitise(reproject(extra.geometries[k:k + 1], extra.crs, metric)[0], rng))
    out_left.append(extra.left_ids[k])
    out_right.append(extra.right_ids[k])
    truth.add("edgematch", "edgematch.unmatched", code, code, "only the other party has it")
    return out_codes, out_geoms, (out_left, out_right)


# ------------------------------------------------------------------------------------------
# Writing


def write_lines(path: Path, codes, geoms, sides, names, metric: CRS) -> None:
    lefts, rights = sides
    records = [{"line_code": c, "left_id": str(a), "right_id": str(b),
                "left_name": names.get(str(a), ""), "right_name": names.get(str(b), ""),
                "length_m": round(float(g.length), 3)}
               for c, a, b, g in zip(codes, lefts, rights, geoms, strict=True)]
    schema = {"line_code": "str", "left_id": "str", "right_id": "str", "left_name": "str",
              "right_name": "str", "length_m": "float"}
    write_features(path, records, reproject(np.asarray(geoms, dtype=object), metric, CGCS2000),
                   schema, CGCS2000, geometry_type="LineString")


def write_register(path: Path, markers: list[Marker], metric: CRS) -> None:
    to_lonlat = transformer(metric, CGCS2000)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(FIELDS)
        for m in sorted(markers, key=lambda m: (m.line or m.number, m.number)):
            if isinstance(m.x, str):
                x, lon, lat = m.x, "", ""
            else:
                x = f"{m.x:.3f}"
                lon, lat = (f"{v:.9f}" for v in to_lonlat.transform(m.x, m.y))
            writer.writerow([m.number, m.line, m.type, x, f"{m.y:.3f}", lon, lat, m.status,
                             m.survey_date])


def write_config(path: Path, clean: bool) -> None:
    suffix = "-clean" if clean else ""
    title = "Joint inspection 2025, western Chongqing (fixture" + \
        (", no faults)" if clean else ", planted faults)")
    path.write_text(f'''# A whole joint inspection: `geonames inspect run {path.relative_to(ROOT)}`.
# Paths are relative to this file. Made by scripts/make_marker_fixtures.py.

[inspection]
title = "{title}"
# crs = "EPSG:4545"            # metric CRS to measure in (default: chosen from the data)

[divisions]
path = "divisions.geojson"     # this round's divisions (coverage check, changes)
previous = "divisions-previous.geojson"   # the previous round's (changes)
history = "chongqing"          # recorded division events (the shipped Chongqing events file)

[lines]
path = "lines.geojson"         # our side's boundary lines (or: derive = true, snap = 200)
code_field = "line_code"
tripoints = "tripoints.geojson"

[markers]
path = "markers{suffix}.csv"
previous = "markers-previous{suffix}.csv"
crs = "EPSG:4544"              # CRS of the x/y columns
# number_pattern = '(?P<line>.+?)(?P<seq>\\d{{3}})(?P<type>[QABCDE])'

[other_party]
lines = "lines-other-party{suffix}.geojson"

[tolerances]
max_offset = 25.0              # m, marker to its line
max_shift = 1.0                # m, marker since the previous round
max_tripoint_distance = 50.0   # m, triple marker to the tripoint
edgematch = 10.0               # m, the two parties' lines
# changes = 3000.0             # m, border moves between rounds (default: auto)

[checks]
coverage = true                # the divisions' own gaps and overlaps (geonames inspect coverage)

# [exceptions]
# path = "exceptions.csv"      # approved exceptions: code, subject, note
''', encoding="utf-8")


if __name__ == "__main__":
    main()
