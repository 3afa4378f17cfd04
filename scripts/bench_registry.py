"""Benchmark the name register: a 600,000-name import and 1,000 searches of each kind.

The names are the real NBS 2023 township names (41,352) and Chongqing village names (11,270),
repeated with seeded random points over China; each copy pairs the names with other real
division codes (copy k gives name i the code of real row i + k * 7,919), so the division codes
stay valid and no (name, division) pair repeats. For each backend (GeoPackage; PostGIS when a URL
is given or GEONAMES_TEST_POSTGIS_URL is set) it prints:

* the import time, against a raw floor: the same rows (id, name, code, x, y) written with a
  bare ``executemany`` into a plain SQLite table (``COPY`` into a plain table on PostgreSQL);
* p50/p95 of 1,000 searches each by characters (2–4 characters of a real proper name),
  pinyin (the proper name's pinyin, half of them with spaces between syllables), initials,
  and nearest (5 nearest to a random point), against a raw floor: one indexed equality
  lookup of a name (and one R-tree / GiST window query for nearest).

Run it once or twice, not in loops (the machine is shared):

    python scripts/bench_registry.py                       # GeoPackage (+ PostGIS if env)
    python scripts/bench_registry.py --n 100000 --no-postgis
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geonames.names.model import PlaceName  # noqa: E402
from geonames.names.romanize import romanize  # noqa: E402
from geonames.registry import AUTO_ID, Registry  # noqa: E402
from geonames.registry.keys import name_keys  # noqa: E402

NAMES = ROOT.parent / "shared" / "data" / "names"
SHIFT = 7_919  # a prime: each copy of the real names is paired with other real division codes


def real_names() -> list[tuple[str, str]]:
    rows = []
    for f in ("nbs2023-townships.csv", "nbs2023-villages-chongqing.csv"):
        with open(NAMES / f, encoding="utf-8") as fh:
            rows += [(r["code"], r["name"]) for r in csv.DictReader(fh)]
    return rows


def make_places(n: int, seed: int = 1) -> tuple[list[PlaceName], np.ndarray, np.ndarray]:
    rows = real_names()
    rng = np.random.default_rng(seed)
    xs, ys = rng.uniform(73.5, 134.8, n), rng.uniform(18.2, 53.5, n)
    points = shapely.points(xs, ys)
    m = len(rows)
    places = [PlaceName(id=AUTO_ID, name=rows[i % m][1],
                        division_code=rows[(i + (i // m) * SHIFT) % m][0],
                        geometry=points[i]) for i in range(n)]
    return places, xs, ys


def queries(k: int, seed: int = 7) -> dict[str, list]:
    rows = real_names()
    rnd = random.Random(seed)
    picks = [rnd.choice(rows)[1] for _ in range(k)]
    chars, pinyin, initials = [], [], []
    for i, name in enumerate(picks):
        proper = name_keys(name)[0]
        length = rnd.choice((2, 3, 4))
        start = rnd.randrange(0, max(1, len(proper) - length + 1))
        chars.append(proper[start:start + length] or name[:2])
        syllables = romanize(proper).syllables
        pinyin.append(" ".join(syllables) if i % 2 else "".join(syllables))
        initials.append(name_keys(name)[4])
    rng = np.random.default_rng(seed)
    near = list(zip(rng.uniform(73.5, 134.8, k), rng.uniform(18.2, 53.5, k)))
    return {"chars": chars, "pinyin": pinyin, "initials": initials, "nearest": near}


def timed(fn, items) -> tuple[float, float]:
    out = []
    for item in items:
        t = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t)
    out.sort()
    return out[len(out) // 2] * 1e3, out[int(len(out) * 0.95)] * 1e3


def floor_sqlite(places, xs, ys, path: str) -> float:
    if os.path.exists(path):
        os.remove(path)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE t (id TEXT, name TEXT, code TEXT, x REAL, y REAL)")
    t = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)",
                     ((f"P{i:07d}", p.name, p.division_code, float(xs[i]), float(ys[i]))
                      for i, p in enumerate(places)))
    conn.execute("COMMIT")
    seconds = time.perf_counter() - t
    conn.close()
    os.remove(path)
    return seconds


def floor_postgres(places, xs, ys, url: str) -> float:
    import psycopg

    from geonames.registry.postgis import split_url

    conninfo, _ = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_registry_floor")
        conn.execute("CREATE TABLE bench_registry_floor (id text, name text, code text, "
                     "x double precision, y double precision)")
        t = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur, cur.copy(
                "COPY bench_registry_floor FROM STDIN") as copy:
            for i, p in enumerate(places):
                copy.write_row((f"P{i:07d}", p.name, p.division_code, float(xs[i]),
                                float(ys[i])))
        seconds = time.perf_counter() - t
        conn.execute("DROP TABLE bench_registry_floor")
    return seconds


def bench(label: str, target: str, places, xs, ys, qs, floor_s: float,
          batch_size: int | None) -> dict:
    reg = Registry.open(target)
    t = time.perf_counter()
    result = reg.import_places(places, effective=date(2023, 12, 31), batch_size=batch_size,
                               source="bench")
    seconds = time.perf_counter() - t
    n = result.imported
    print(f"\n== {label}: {target}")
    print(f"import  {n:,} names in {len(result.batches)} batch(es): {seconds:6.1f} s "
          f"({n / seconds:,.0f} names/s); raw floor {floor_s:5.1f} s -> "
          f"{seconds / floor_s:5.1f}x the floor")
    if reg.backend == "gpkg":
        print(f"        file size {os.path.getsize(target) / 2**20:,.0f} MiB")
    store = reg.store
    floor_q = timed(lambda q: store.query("SELECT place_id FROM gn_names WHERE name = ?", (q,)),
                    [p.name for p in places[:1000]])
    floor_n = timed(lambda p: store.bbox_candidates((p[0] - .05, p[1] - .05, p[0] + .05,
                                                     p[1] + .05)), qs["nearest"])
    print(f"floor   indexed name lookup p50 {floor_q[0]:6.2f} ms; 0.1° window query p50 "
          f"{floor_n[0]:6.2f} ms")
    out = {"import_s": seconds, "floor_s": floor_s}
    for kind in ("chars", "pinyin", "initials", "nearest"):
        if kind == "nearest":
            p50, p95 = timed(lambda p: reg.nearest(p[0], p[1], 5), qs[kind])
            floor = floor_n[0]
        else:
            p50, p95 = timed(lambda q, k=kind: reg.search(q, by=k, limit=10), qs[kind])
            floor = floor_q[0]
        out[kind] = (p50, p95)
        print(f"{kind:9s} {len(qs[kind]):,} searches: p50 {p50:6.2f} ms  p95 {p95:7.2f} ms  "
              f"({p50 / floor:5.1f}x the floor p50)")
    for q in ("解放碑", "jiefangbei", "jfb"):
        hits = reg.search(q, limit=1)
        print(f"        search {q!r}: first hit {hits[0].name if hits else '(none in this sample)'}")
    reg.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=600_000, help="names to import (600,000)")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=None,
                    help="names per transaction (default: the whole import in one, as "
                         "`geonames registry import` does)")
    ap.add_argument("--gpkg", default="/tmp/bench_registry.gpkg")
    ap.add_argument("--postgis", default=os.environ.get("GEONAMES_TEST_POSTGIS_URL"),
                    help="PostGIS URL (default $GEONAMES_TEST_POSTGIS_URL)")
    ap.add_argument("--no-postgis", action="store_true")
    args = ap.parse_args()

    t = time.perf_counter()
    places, xs, ys = make_places(args.n)
    qs = queries(args.queries)
    print(f"{args.n:,} names ({len(real_names()):,} real names repeated over "
          f"{-(-args.n // len(real_names()))} pairings with real division codes), "
          f"built in {time.perf_counter() - t:.1f} s; {os.cpu_count()} CPUs")

    if os.path.exists(args.gpkg):
        os.remove(args.gpkg)
    floor = floor_sqlite(places, xs, ys, args.gpkg + ".floor")
    results = {"gpkg": bench("GeoPackage", args.gpkg, places, xs, ys, qs, floor,
                             args.batch_size)}
    if args.postgis and not args.no_postgis:
        from geonames.registry.postgis import PostgisStore

        url = args.postgis + ("&" if "?" in args.postgis else "?") + \
            f"schema=bench_registry_{os.getpid()}"
        floor = floor_postgres(places, xs, ys, url)
        try:
            results["postgis"] = bench("PostGIS", url, places, xs, ys, qs, floor,
                                       args.batch_size)
        finally:
            store = PostgisStore(url)
            store.drop()
            store.close()
    g = results["gpkg"]
    ok = g["import_s"] <= 60 and all(g[k][0] <= 5 for k in ("chars", "pinyin", "initials",
                                                              "nearest"))
    print(f"\ntargets (GeoPackage: import <= 60 s, every p50 <= 5 ms): "
          f"{'met' if ok else 'NOT met'}")
    if os.path.exists(args.gpkg):
        os.remove(args.gpkg)


if __name__ == "__main__":
    main()
