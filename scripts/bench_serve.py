"""Load benchmark of ``geonames serve`` over a 600,000-name register.

The register holds the real NBS 2023 township and Chongqing village names (52,622), repeated
to 600,000 with their real division codes, at seeded random points over China. For each
backend (GeoPackage; PostGIS when a URL is given or GEONAMES_TEST_POSTGIS_URL is set) the
script starts ``geonames serve`` on a free 127.0.0.1 port with several worker processes, then
runs a bounded load: ``--clients`` concurrent clients (keep-alive connections) for
``--seconds``, each sending a seeded mix of

* 40 % searches  ``items?q=`` (2–4 characters of a real name, its pinyin, or its initials),
* 30 % bbox queries  ``items?bbox=`` (a random 0.2° box over China, at most 50 items),
* 20 % item fetches  ``items/{id}`` (a random id),
* 10 % reconciliation  ``/reconcile?queries=`` (one real name with its county code).

It prints throughput, p50/p95/p99 latency per kind and overall, and every non-200 answer;
and, measured in the same run, the library floor: the same operations called in-process on
the register (``Registry.search``, the feature query, ``Registry.get``, ``reconcile``), with
the ratio of the HTTP p50 to that floor. Loopback only; run it once, not in loops.

    python scripts/bench_serve.py                        # GeoPackage (+ PostGIS if env)
    python scripts/bench_serve.py --n 100000 --seconds 20 --no-postgis
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_registry import real_names  # noqa: E402

from geonames.names.model import PlaceName  # noqa: E402
from geonames.names.romanize import romanize  # noqa: E402
from geonames.registry import AUTO_ID, Registry  # noqa: E402
from geonames.registry.keys import name_keys  # noqa: E402
from geonames.serve import features, reconcile  # noqa: E402
from tests.serve_support import serving  # noqa: E402

ITEMS = "/collections/placenames/items"
KINDS = ("search", "bbox", "item", "reconcile")
WEIGHTS = (40, 30, 20, 10)


def workload(n_places: int, k: int = 5000, seed: int = 18) -> list[tuple[str, dict]]:
    """Seeded requests: (kind, parameters)."""
    rows = real_names()
    rnd = random.Random(seed)
    out = []
    for _ in range(k):
        kind = rnd.choices(KINDS, WEIGHTS)[0]
        code, name = rnd.choice(rows)
        if kind == "search":
            proper = name_keys(name)[0] or name
            style = rnd.choice(("chars", "pinyin", "initials"))
            if style == "chars":
                length = rnd.choice((2, 3, 4))
                start = rnd.randrange(0, max(1, len(proper) - length + 1))
                q = proper[start:start + length] or name[:2]
            elif style == "pinyin":
                q = "".join(romanize(proper).syllables)
            else:
                q = name_keys(name)[4]
            out.append((kind, {"q": q, "limit": "10"}))
        elif kind == "bbox":
            x, y = rnd.uniform(73.5, 134.6), rnd.uniform(18.2, 53.3)
            out.append((kind, {"bbox": f"{x:.4f},{y:.4f},{x + 0.2:.4f},{y + 0.2:.4f}",
                               "limit": "50"}))
        elif kind == "item":
            out.append((kind, {"id": f"P{rnd.randrange(1, n_places + 1):07d}"}))
        else:
            out.append((kind, {"query": name, "county": code[:6]}))
    return out


def path_of(kind: str, p: dict) -> str:
    if kind == "item":
        return f"{ITEMS}/{p['id']}"
    if kind == "reconcile":
        q = {"q0": {"query": p["query"], "properties": [{"pid": "division_code",
                                                         "v": p["county"]}]}}
        return "/reconcile?" + urllib.parse.urlencode({"queries": json.dumps(q)})
    return f"{ITEMS}?" + urllib.parse.urlencode(p)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] * 1e3 if values else float("nan")


def load(url: str, work: list[tuple[str, dict]], clients: int, seconds: float) -> dict:
    parts = urllib.parse.urlsplit(url)
    lat: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(c: int) -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        i = c
        mine: dict[str, list[float]] = defaultdict(list)
        bad: dict[str, int] = defaultdict(int)
        while time.monotonic() < stop:
            kind, params = work[i % len(work)]
            i += clients
            t = time.perf_counter()
            try:
                conn.request("GET", path_of(kind, params))
                r = conn.getresponse()
                r.read()
                status = r.status
            except (OSError, http.client.HTTPException) as err:
                status = type(err).__name__
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
            took = time.perf_counter() - t
            if status == 200 or (kind == "item" and status == 404):
                mine[kind].append(took)
            else:
                bad[f"{kind} {status}"] += 1
        conn.close()
        with lock:
            for k, v in mine.items():
                lat[k] += v
            for k, n in bad.items():
                errors[k] += n

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"lat": lat, "errors": errors, "seconds": time.monotonic() - started}


def floor(target: str, work: list[tuple[str, dict]], k: int = 400) -> dict[str, float]:
    """p50 (ms) of the same operations called in-process, one at a time."""
    reg = Registry.open(target, create=False)
    out: dict[str, list[float]] = defaultdict(list)
    for kind, p in work[:k]:
        t = time.perf_counter()
        if kind == "search":
            features.query(reg, features.Query(limit=10, q=p["q"]))
        elif kind == "bbox":
            box = tuple(float(v) for v in p["bbox"].split(","))
            features.query(reg, features.Query(limit=50, bbox=box))  # type: ignore[arg-type]
        elif kind == "item":
            with contextlib.suppress(KeyError):
                reg.get(p["id"])
        else:
            reconcile.reconcile(reg, reconcile.ReconQuery(p["query"],
                                                          division_code=p["county"]))
        out[kind].append(time.perf_counter() - t)
    reg.close()
    return {kind: pct(v, 0.5) for kind, v in out.items()}


def run(label: str, target: str, n: int, args: argparse.Namespace, folder: Path) -> bool:
    work = workload(n)
    lib = floor(target, work)
    with serving(target, folder, "--max-items", "1000", workers=args.workers,
                 threads=args.threads) as server:
        load(server.url, work[:200], args.clients, 3)  # warm up each worker's connection
        result = load(server.url, work, args.clients, args.seconds)
    total = sum(len(v) for v in result["lat"].values())
    n_err = sum(result["errors"].values())
    every = [x for v in result["lat"].values() for x in v]
    print(f"\n== {label}: {args.workers} workers x {args.threads} threads, {args.clients} "
          f"clients, {result['seconds']:.0f} s")
    print(f"throughput {total / result['seconds']:8.1f} requests/s   ({total:,} answered, "
          f"{n_err} errors)")
    print(f"{'kind':10s} {'count':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} "
          f"{'library p50':>12s} {'ratio':>7s}")
    for kind in KINDS:
        v = result["lat"].get(kind, [])
        base = lib.get(kind, float("nan"))
        print(f"{kind:10s} {len(v):7d} {pct(v, .5):8.1f} {pct(v, .95):8.1f} {pct(v, .99):8.1f} "
              f"{base:12.2f} {pct(v, .5) / base:7.1f}x")
    print(f"{'all':10s} {len(every):7d} {pct(every, .5):8.1f} {pct(every, .95):8.1f} "
          f"{pct(every, .99):8.1f}")
    for k, count in sorted(result["errors"].items()):
        print(f"  error: {k} x{count}")
    return n_err == 0


def make_places(n: int, seed: int = 1) -> list[PlaceName]:
    import numpy as np
    import shapely

    rows = real_names()
    rng = np.random.default_rng(seed)
    points = shapely.points(rng.uniform(73.5, 134.8, n), rng.uniform(18.2, 53.5, n))
    return [PlaceName(id=AUTO_ID, name=rows[i % len(rows)][1],
                      division_code=rows[i % len(rows)][0], geometry=points[i])
            for i in range(n)]


def build(target: str, n: int) -> None:
    t = time.perf_counter()
    places = make_places(n)
    with Registry.open(target) as reg:
        reg.import_places(places, effective=date(2023, 12, 31), source="bench")
    print(f"register of {n:,} names built in {time.perf_counter() - t:.0f} s: {target.split('?')[0].rsplit('/', 1)[-1]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=600_000, help="names in the register (600,000)")
    ap.add_argument("--seconds", type=float, default=30.0, help="load duration per backend")
    ap.add_argument("--clients", type=int, default=16, help="concurrent clients")
    ap.add_argument("--workers", type=int, default=3, help="server processes")
    ap.add_argument("--threads", type=int, default=4, help="threads per server process")
    ap.add_argument("--gpkg", default=None, help="reuse (or keep) the register at this path")
    ap.add_argument("--postgis", default=os.environ.get("GEONAMES_TEST_POSTGIS_URL"),
                    help="PostGIS URL (default $GEONAMES_TEST_POSTGIS_URL)")
    ap.add_argument("--no-postgis", action="store_true")
    args = ap.parse_args()
    print(f"{os.cpu_count()} CPUs; load from {args.clients} clients on 127.0.0.1")
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-serve-") as tmp:
        folder = Path(tmp)
        gpkg = args.gpkg or str(folder / "bench.gpkg")
        if not os.path.exists(gpkg):
            build(gpkg, args.n)
        ok &= run("GeoPackage", gpkg, args.n, args, folder)
        if args.postgis and not args.no_postgis:
            from geonames.registry.postgis import PostgisStore

            url = args.postgis + ("&" if "?" in args.postgis else "?") + \
                f"schema=bench_serve_{os.getpid()}"
            try:
                build(url, args.n)
                ok &= run("PostGIS", url, args.n, args, folder)
            finally:
                store = PostgisStore(url)
                store.drop()
                store.close()
    print(f"\nno error responses under load: {'yes' if ok else 'NO'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
