#!/usr/bin/env python3
"""Benchmark: locate many points among the divisions of a synthetic coverage.

Prints the time of :meth:`geonames.divisions.index.SpatialIndex.locate` as a ratio to the floor measured
in the same run, bare ``shapely.STRtree.query(points, predicate="within")`` on the same tree
and points (target: at most 1.5×), and, for comparison, the rtree package (bulk
``intersection`` per point, then the exact test) on a sample.

    python scripts/bench_locate.py [--polygons 100000] [--points 1000000] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from rtree import index as rtree_index

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: tests.synthetic

from geonames.divisions.index import SpatialIndex  # noqa: E402
from tests.synthetic import voronoi_coverage  # noqa: E402


def best_of(repeats: int, fn):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--polygons", type=int, default=100_000)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rtree-sample", type=int, default=20_000)
    args = parser.parse_args()

    t0 = time.perf_counter()
    coverage = voronoi_coverage(args.polygons, seed=args.seed)
    rng = np.random.default_rng(args.seed)
    xmin, ymin, xmax, ymax = shapely.total_bounds(coverage.geometries)
    points = shapely.points(rng.uniform(xmin, xmax, args.points),
                            rng.uniform(ymin, ymax, args.points))
    print(f"{len(coverage):,} polygons, {len(points):,} points "
          f"(built in {time.perf_counter() - t0:.1f} s)")

    build, index = best_of(1, lambda: SpatialIndex(coverage.geometries, coverage.ids))
    tree = index.tree
    floor, (pt, geom) = best_of(args.repeats, lambda: tree.query(points, predicate="within"))
    ours, located = best_of(args.repeats, lambda: index.locate(points))

    # Same answers as the floor wherever the floor found one.
    expected = np.full(len(points), -1)
    expected[pt] = geom
    inside = expected >= 0
    assert (located[inside] == expected[inside]).all(), "locate disagrees with STRtree"
    print(f"index build (STRtree):           {build:8.3f} s")
    print(f"floor  STRtree.query(within):    {floor:8.3f} s")
    print(f"ours   SpatialIndex.locate:      {ours:8.3f} s   ratio {ours / floor:5.2f}x "
          f"(target <= 1.5x)")
    print(f"points located: {int((located >= 0).sum()):,} of {len(points):,}")

    sample = np.asarray(points[: args.rtree_sample])
    start = time.perf_counter()
    rt = rtree_index.Index(
        ((i, tuple(b), None) for i, b in enumerate(shapely.bounds(coverage.geometries))))
    rt_build = time.perf_counter() - start
    start = time.perf_counter()
    xy = shapely.get_coordinates(sample)
    rt_hits = np.full(len(sample), -1)
    for k, (x, y) in enumerate(xy):
        for i in rt.intersection((x, y, x, y)):
            if coverage.geometries[i].contains(sample[k]):
                rt_hits[k] = i
                break
    rt_time = (time.perf_counter() - start) * len(points) / len(sample)
    print(f"rtree (per point, extrapolated): {rt_time:8.3f} s   ratio {rt_time / floor:5.2f}x "
          f"(build {rt_build:.2f} s) — why the index uses STRtree bulk queries")


if __name__ == "__main__":
    main()
