#!/usr/bin/env python3
"""Benchmark: coverage inspection and boundary-line extraction on a large synthetic coverage.

Builds a seeded Voronoi coverage (default 100,000 cells, :mod:`tests.synthetic`) with planted
gaps, overlaps, mismatched edges, removed cells and open inlets, then times

* the floor: ``shapely.make_valid`` + ``shapely.coverage_invalid_edges(gap_width=…)`` on the
  same array (the least any coverage check must do), measured before and after the runs, the
  faster of the two kept;
* :func:`geonames.divisions.coverage.inspect_coverage` (target: ≤ 3 × the floor, every planted fault
  found with its ids and area within 1 %, and nothing else found);
* :func:`geonames.boundaries.lines.extract_lines` (target: ≤ 3 × the floor).

    python scripts/bench_coverage.py [--cells 100000] [--seed 7] [--gap-width 50]

Run it once or twice, not in a loop: the machine is shared. Exit code 1 when a planted fault
is missed or something unplanted is reported.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.synthetic

from geonames.boundaries.lines import extract_lines  # noqa: E402
from geonames.divisions.coverage import inspect_coverage  # noqa: E402
from tests.synthetic import plant_faults, voronoi_coverage  # noqa: E402

TARGET = 3.0


def timed(fn):
    """Result, CPU seconds and wall seconds of ``fn()``. The work is single-threaded, so CPU
    time is the fair measure on a machine whose cores are shared; wall time is shown too."""
    gc.collect()
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.process_time() - cpu, time.perf_counter() - wall


def floor(geoms, gap_width: float) -> tuple[float, float]:
    def run():
        valid = shapely.make_valid(geoms)
        shapely.coverage_invalid_edges(valid, gap_width=gap_width)
    return timed(run)[1:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--gap-width", type=float, default=50.0)
    parser.add_argument("--faults", type=int, default=20,
                        help="narrow gaps, overlaps and mismatched edges planted (each)")
    args = parser.parse_args()

    cov, _, t_gen = timed(lambda: voronoi_coverage(args.cells, seed=args.seed))
    cov, _, t_plant = timed(lambda: plant_faults(
        cov, gaps=args.faults, overlaps=args.faults, mismatches=args.faults,
        holes=max(args.faults // 4, 1), inlets=max(args.faults // 4, 1), seed=args.seed))
    geoms = cov.geometries
    vertices = int(shapely.get_num_coordinates(geoms).sum())
    print(f"synthetic coverage: {len(geoms):,} cells, {vertices:,} vertices, "
          f"{len(cov.faults)} planted faults (generated in {t_gen:.2f} s, planted in "
          f"{t_plant:.2f} s)")

    floor_before = floor(geoms, args.gap_width)
    result, *t_inspect = timed(lambda: inspect_coverage(geoms, cov.ids, cov.names,
                                                        gap_width=args.gap_width))
    lines, *t_extract = timed(lambda: extract_lines(geoms, cov.ids, cov.names))
    floor_after = floor(geoms, args.gap_width)
    t_floor = min(floor_before[0], floor_after[0])
    wall_floor = min(floor_before[1], floor_after[1])

    print(f"floor (make_valid + coverage_invalid_edges, gap_width={args.gap_width:g}): "
          f"{t_floor:.3f} s CPU (runs: {floor_before[0]:.3f}, {floor_after[0]:.3f}), "
          f"{wall_floor:.3f} s wall")
    ok = True
    for label, (cpu, wall) in (("inspect_coverage", t_inspect),
                               ("extract_lines", t_extract)):
        ratio = cpu / t_floor
        verdict = "ok" if ratio <= TARGET else "OVER TARGET"
        print(f"{label:17s} {cpu:7.3f} s CPU = {ratio:4.2f} × floor  (target ≤ {TARGET:g}) "
              f"{verdict};  wall {wall:.3f} s = {wall / wall_floor:4.2f} × floor")
    steps = ", ".join(f"{k} {v:.2f}" for k, v in result.stats["step_seconds"].items())
    print(f"  inspection steps (s): {steps}")
    print(f"  extraction: {len(lines.lines):,} lines, {len(lines.tripoints):,} tripoints, "
          f"{len(lines.outer):,} outer pieces, {lines.stats['cleaned']} divisions cleaned")

    remaining = list(result.findings)
    missed = []
    for fault in cov.faults:
        hits = [f for f in remaining if f.code == fault.code
                and tuple(sorted(f.ids)) == fault.ids]
        if not hits:
            missed.append(fault)
            continue
        found = hits[0]
        remaining.remove(found)
        if fault.area:
            area = found.details.get("area_m2", found.value)
            if abs(area / fault.area - 1) > 0.01:
                missed.append(fault)
    found_n = len(cov.faults) - len(missed)
    by_code: dict[str, int] = {}
    for fault in cov.faults:
        by_code[fault.code] = by_code.get(fault.code, 0) + 1
    print(f"planted faults found with their ids (and area within 1 %): {found_n} / "
          f"{len(cov.faults)}  ({', '.join(f'{c} {n}' for c, n in sorted(by_code.items()))})")
    if missed:
        ok = False
        for fault in missed:
            print(f"  MISSED {fault.code} {','.join(fault.ids)} area {fault.area:.1f}")
    if remaining:
        ok = False
        print(f"  {len(remaining)} unplanted findings, e.g. "
              f"{[(f.code, f.subject) for f in remaining[:5]]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
