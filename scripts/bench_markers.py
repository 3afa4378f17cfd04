#!/usr/bin/env python3
"""Benchmark of the markers check: 100,000 markers on 10,000 lines, against the floor.

The lines are the shared borders of a seeded synthetic Voronoi coverage
(:func:`tests.synthetic.voronoi_coverage`, 1 km cells; lines by
:func:`geonames.boundaries.lines.extract_lines`), bent into gentle curves (a vertex every 50 m) so that
they are not single segments; the first 10,000 at least 200 m long are used. Each line gets 10 markers numbered west→east (north→south): 8 singles and a
pair, or, on every tenth line, a triple at its first tripoint, 5 singles and a pair. A
previous round has every marker within 5 cm, and a few faults are planted (markers set off
their line, moved, missing), to show they are found.

The floor is the bare vectorised query every markers check must make: the nearest line to
each marker, ``shapely.STRtree(lines).query_nearest(markers, return_distance=True)``, measured
in the same run on the same arrays. Printed: the check's time (with and without the previous
round, and with the marker table a report needs) as a ratio to the floor. Target ≤ 3×.

    python3 scripts/bench_markers.py [--lines 10000] [--per-line 10] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geonames.boundaries.io import LineLayer, MarkerRegister  # noqa: E402
from geonames.boundaries.lines import extract_lines  # noqa: E402
from geonames.boundaries.markers import check_markers, line_directions  # noqa: E402
from geonames.boundaries.model import DEFAULT_PATTERN, MarkerTable  # noqa: E402
from tests.synthetic import voronoi_coverage  # noqa: E402

#: Lines shorter than this (metres; Voronoi cells have some tiny edges) are not used.
MIN_LENGTH = 200.0


def bent_lines(n_lines: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """At least ``n_lines`` curved boundary lines (metres) and their tripoints."""
    cells = int(n_lines / 2.4) + 50
    cov = voronoi_coverage(cells, seed=seed, spacing=1000.0)
    found = extract_lines(cov.geometries, cov.ids, cov.names)
    lines = found.lines[found.lengths >= MIN_LENGTH][:n_lines]
    if len(lines) < n_lines:
        raise SystemExit(f"only {len(lines)} lines from {cells} cells")
    dense = shapely.segmentize(lines, 50.0)
    coords, owner = shapely.get_coordinates(dense, return_index=True)
    # Bend each line sideways (sine, up to 3 % of its length), ends fixed.
    start = shapely.get_coordinates(shapely.get_point(dense, 0))[owner]
    end = shapely.get_coordinates(shapely.get_point(dense, -1))[owner]
    along = end - start
    length = np.hypot(*along.T)
    t = np.einsum("ij,ij->i", coords - start, along) / np.maximum(length ** 2, 1e-9)
    normal = np.column_stack([-along[:, 1], along[:, 0]]) / np.maximum(length, 1e-9)[:, None]
    coords = coords + (0.03 * length * np.sin(np.pi * t))[:, None] * normal
    bent = shapely.linestrings(coords, indices=owner)
    return np.asarray(bent, dtype=object), found.tripoints


def place(lines: np.ndarray, tripoints: np.ndarray, per_line: int, crs,
          rng: np.random.Generator):
    """Markers on every line: numbers, coordinates and the line of each."""
    codes = np.array([f"L{k:05d}" for k in range(len(lines))], dtype=object)
    reverse = line_directions(lines, crs)
    lengths = shapely.length(lines)
    first_end = shapely.get_point(lines, np.where(reverse, -1, 0))
    at_tripoint = shapely.STRtree(tripoints).query_nearest(
        first_end, max_distance=0.01, return_distance=False, all_matches=False)[0]
    starts_at_tripoint = np.zeros(len(lines), dtype=bool)
    starts_at_tripoint[at_tripoint] = True
    numbers, line_of, measure, side = [], [], [], []
    for k in range(len(lines)):
        triple = k % 10 == 0 and starts_at_tripoint[k]
        singles = per_line - 2 - (3 if triple else 0)
        kinds = (["C", "D", "E"] if triple else []) + ["Q"] * singles + ["A", "B"]
        places = np.linspace(0.1, 0.9, singles + 1) * lengths[k]
        seq, slot, pos = 0, 0, 0.0
        for kind in kinds:
            if kind in "CDE":
                seq, pos = 1, 3.0 + "CDE".index(kind) * 2.0
            elif kind != "B":
                seq += 1
                pos = places[slot]
                slot += 1
            numbers.append(DEFAULT_PATTERN.format(codes[k], seq, kind))
            line_of.append(k)
            measure.append(lengths[k] - pos if reverse[k] else pos)
            side.append(4.0 if kind == "A" else (-4.0 if kind == "B" else 0.0))
    line_of = np.array(line_of)
    measure = np.array(measure)
    points = shapely.line_interpolate_point(lines[line_of], measure)
    xy = shapely.get_coordinates(points) + rng.normal(0, 0.3, (len(points), 2))
    normal = _normals(lines[line_of], measure)
    xy += np.array(side)[:, None] * normal
    return codes, np.array(numbers, dtype=object), xy, line_of, normal


def _normals(lines: np.ndarray, measure: np.ndarray) -> np.ndarray:
    a = shapely.get_coordinates(shapely.line_interpolate_point(lines, np.maximum(measure - 1, 0)))
    b = shapely.get_coordinates(shapely.line_interpolate_point(
        lines, np.minimum(measure + 1, shapely.length(lines))))
    d = (b - a) / np.maximum(np.hypot(*(b - a).T), 1e-9)[:, None]
    return np.column_stack([-d[:, 1], d[:, 0]])


def table(numbers: np.ndarray, xy: np.ndarray, crs) -> MarkerTable:
    n = len(numbers)
    empty = np.full(n, "", dtype=object)
    return MarkerTable(numbers, np.asarray(shapely.points(xy), dtype=object),
                       np.full(n, "intact", dtype=object), empty, empty, empty,
                       np.arange(1, n + 1), crs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--per-line", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    t = time.perf_counter()
    lines, tripoints = bent_lines(args.lines, args.seed)
    crs = voronoi_coverage(4).crs
    codes, numbers, xy, line_of, normal = place(lines, tripoints, args.per_line, crs, rng)
    previous_xy = xy + rng.normal(0, 0.02, xy.shape)
    # Planted: 10 set 60 m off their line (where no other line is within 25 m of the new
    # place), 10 moved 3 m, 10 missing from this round.
    singles = np.flatnonzero([n.endswith("Q") for n in numbers])
    chosen = rng.choice(singles, 200, replace=False)
    shifted = xy[chosen] + 60.0 * normal[chosen]
    hits = shapely.STRtree(lines).query(shapely.points(shifted), predicate="dwithin",
                                        distance=30.0)
    crowded = set(hits[0].tolist())
    clear = [k for i, k in enumerate(chosen) if i not in crowded][:10]
    rest = [k for k in chosen if k not in set(clear)]
    off, moved, gone = np.array(clear), np.array(rest[:10]), np.array(rest[10:20])
    xy[off] += 60.0 * normal[off]
    previous_xy[off] += 60.0 * normal[off]
    xy[moved] += [3.0, 0.0]
    keep = np.ones(len(numbers), dtype=bool)
    keep[gone] = False
    now = table(numbers[keep], xy[keep], crs)
    before = table(numbers, previous_xy, crs)
    print(f"{len(lines):,} lines ({int(shapely.get_num_coordinates(lines).sum()):,} vertices), "
          f"{len(now):,} markers, {len(tripoints):,} tripoints; set up in "
          f"{time.perf_counter() - t:.1f} s", flush=True)

    points = now.geometries

    def floor():
        tree = shapely.STRtree(lines)
        return tree.query_nearest(points, return_distance=True, all_matches=False)

    from geonames.inspection.markers import run_markers_check

    layer = LineLayer(codes, np.full(len(codes), "", dtype=object),
                      np.full(len(codes), "", dtype=object), lines, crs, None, "synthetic",
                      "synthetic")
    runs = {
        "floor": floor,
        "alone": lambda: check_markers(now, codes, lines, tripoints=tripoints),
        "full": lambda: check_markers(now, codes, lines, previous=before, tripoints=tripoints),
        "report": lambda: run_markers_check(layer, MarkerRegister(now), MarkerRegister(before),
                                            tripoints),
    }
    # Interleaved, best of each: the machine is shared, so load drifts between runs.
    seconds = {name: np.inf for name in runs}
    results = {}
    for _ in range(args.repeat):
        for name, fn in runs.items():
            t0 = time.perf_counter()
            results[name] = fn()
            seconds[name] = min(seconds[name], time.perf_counter() - t0)
    floor_s, alone_s, full_s, report_s = (seconds[k] for k in ("floor", "alone", "full",
                                                                "report"))
    full = results["full"]
    found = {}
    for f in full.findings:
        found[f.code] = found.get(f.code, 0) + 1
    want = {"marker.off_line": {numbers[k] for k in off},
            "marker.moved": {numbers[k] for k in moved},
            "marker.missing": {numbers[k] for k in gone}}
    got = {code: {f.subject for f in full.findings if f.code == code} for code in want}
    print(f"floor  STRtree.query_nearest           {floor_s:7.3f} s")
    print(f"check  without the previous round      {alone_s:7.3f} s  {alone_s / floor_s:5.2f}x")
    print(f"check  with the previous round         {full_s:7.3f} s  {full_s / floor_s:5.2f}x"
          "   (target <= 3x)")
    print(f"check  + marker table for a report     {report_s:7.3f} s  "
          f"{report_s / floor_s:5.2f}x")
    print(f"findings: {found}")
    ok = all(got[c] == want[c] for c in want) and set(found) == set(want)
    for code in want:
        print(f"  planted {code}: {len(want[code])}, found {len(got[code] & want[code])}"
              f"{'' if got[code] == want[code] else '  MISMATCH'}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
