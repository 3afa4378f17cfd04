#!/usr/bin/env python3
"""Regenerate the fixtures under ``fixtures/crs/`` from public atlases on npm.

| fixture | source (npm) | what is done |
|---|---|---|
| ``us-counties.geojson`` | ``us-atlas@3.0.1`` ``counties-10m.json`` (Census Bureau cartographic county boundaries 2017, ISC) | TopoJSON decoded; every shared arc simplified once (Douglas–Peucker, 0.04°) so neighbours still share their borders; coordinates rounded to 1e-3° (a county whose every part collapses is left out, and the script says which) |
| ``world-countries.geojson`` | ``world-atlas@2.0.2`` ``countries-110m.json`` (Natural Earth 1:110m, ISC) | TopoJSON decoded, unchanged; coordinates rounded to 1e-4° |
| ``xinjiang.geojson`` | ``echarts@4.9.0`` ``map/json/province/xinjiang.json`` (Apache-2.0) | decoded from the compact "UTF8Encoding" (zigzag delta, 1/1024°), coordinates written to 1e-5° (within 0.5 m of the 1/1024° grid); the division code is the feature id |
| ``china-provinces.geojson`` | ``echarts@4.9.0`` ``map/json/china.json`` (Apache-2.0) | decoded the same way; provinces of China, for lengths measured across every Gauss–Krüger zone |
| ``swiss-cantons.shp`` (+ .shx .dbf .prj) | ``swiss-maps@4.7.0`` ``2024/cantons.*`` (FSO generalised boundaries, BSD-3-Clause) | copied unchanged: CH1903+ / LV95 (EPSG:2056) + LN02 height, as an ESRI .prj |

The packages are fetched with ``npm pack`` (the npm client) into a temporary folder, or read
from ``--from DIR`` (a ``node_modules`` folder that has them).

    python3 scripts/make_crs_fixtures.py
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "fixtures" / "crs"
PACKAGES = {"us-atlas": "3.0.1", "world-atlas": "2.0.2", "echarts": "4.9.0",
            "swiss-maps": "4.7.0"}
US_TOLERANCE_DEG = 0.04
US_DIGITS = 3


# --------------------------------------------------------------------------- packages


def fetch(packages: dict[str, str], into: Path) -> Path:
    """Unpack each ``name@version`` tarball from the npm registry under ``into/name``."""
    for name, version in packages.items():
        out = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent",
                              "--pack-destination", str(into)],
                             check=True, capture_output=True, text=True).stdout.split()[-1]
        with tarfile.open(into / out) as tar:
            tar.extractall(into / "_x" / name, filter="data")
        shutil.move(into / "_x" / name / "package", into / name)
    return into


# --------------------------------------------------------------------------- TopoJSON


def topo_arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Decoded arcs (delta-encoded, quantised) in longitude/latitude."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for dx, dy in arc:
            x += dx
            y += dy
            pts.append((x * sx + tx, y * sy + ty))
        arcs.append(pts)
    return arcs


def simplify_arcs(arcs: list[list[tuple[float, float]]], tol: float
                  ) -> list[list[tuple[float, float]]]:
    """Douglas–Peucker on each arc once, end points kept, so shared borders stay shared."""
    from shapely.geometry import LineString

    out = []
    for pts in arcs:
        if len(pts) < 3 or tol <= 0:
            out.append(pts)
            continue
        simple = list(LineString(pts).simplify(tol, preserve_topology=False).coords)
        out.append(simple if len(simple) >= 2 else [pts[0], pts[-1]])
    return out


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int], digits: int
          ) -> list[list[float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        pts = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(pts if not ring else pts[1:])
    out: list[list[float]] = []
    for x, y in ring:
        p = [round(x, digits), round(y, digits)]
        if not out or p != out[-1]:
            out.append(p)
    return out


def _polygon(arcs, rings, digits: int) -> list[list[list[float]]] | None:
    out = []
    for k, indexes in enumerate(rings):
        ring = _ring(arcs, indexes, digits)
        if len(ring) < 4:
            if k == 0:
                return None          # the shell collapsed: drop the part
            continue
        out.append(ring)
    return out


def topo_features(topo: dict[str, Any], name: str, tol: float = 0.0, digits: int = 4
                  ) -> list[dict[str, Any]]:
    """GeoJSON features of one TopoJSON object (ids and properties kept)."""
    arcs = simplify_arcs(topo_arcs(topo), tol)
    feats = []
    for g in topo["objects"][name]["geometries"]:
        if g["type"] == "Polygon":
            parts = [_polygon(arcs, g["arcs"], digits)]
        elif g["type"] == "MultiPolygon":
            parts = [_polygon(arcs, p, digits) for p in g["arcs"]]
        else:
            continue
        parts = [p for p in parts if p]
        if not parts:
            print(f"  {name}: {g.get('id')} {(g.get('properties') or {}).get('name', '')} "
                  "collapsed in simplification, left out")
            continue
        geometry = ({"type": "Polygon", "coordinates": parts[0]} if len(parts) == 1 else
                    {"type": "MultiPolygon", "coordinates": parts})
        feats.append({"type": "Feature", "id": g.get("id"),
                      "properties": dict(g.get("properties") or {}), "geometry": geometry})
    return feats


# --------------------------------------------------------------------------- ECharts


def _decode_ring(text: str, offsets: list[int], scale: float = 1024.0) -> list[list[float]]:
    prev_x, prev_y = offsets
    out = []
    for i in range(0, len(text), 2):
        x = ord(text[i]) - 64
        y = ord(text[i + 1]) - 64
        x = (x >> 1) ^ (-(x & 1))
        y = (y >> 1) ^ (-(y & 1))
        x += prev_x
        y += prev_y
        prev_x, prev_y = x, y
        out.append([round(x / scale, 5), round(y / scale, 5)])
    return out


def echarts_features(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Plain GeoJSON features from an ECharts map file in its "UTF8Encoding"."""
    feats = []
    for f in data["features"]:
        g = f["geometry"]
        if g["type"] == "Polygon":
            coords: Any = [_decode_ring(r, o) for r, o in zip(g["coordinates"],
                                                                g["encodeOffsets"], strict=True)]
        else:
            coords = [[_decode_ring(r, o) for r, o in zip(poly, offs, strict=True)]
                      for poly, offs in zip(g["coordinates"], g["encodeOffsets"], strict=True)]
        feats.append({"type": "Feature", "id": f.get("id"), "properties": f["properties"],
                      "geometry": {"type": g["type"], "coordinates": coords}})
    return feats


# --------------------------------------------------------------------------- main


def write(path: Path, features: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False, separators=(",", ":")) + "\n",
                    encoding="utf-8")
    print(f"{path.relative_to(ROOT)}: {len(features)} features, {path.stat().st_size:,} bytes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from", dest="source", type=Path,
                        help="a node_modules folder that has the packages (else npm pack)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        src = args.source or fetch(PACKAGES, Path(tmp))
        us = json.loads((src / "us-atlas" / "counties-10m.json").read_text("utf-8"))
        write(OUT / "us-counties.geojson",
              topo_features(us, "counties", US_TOLERANCE_DEG, US_DIGITS))
        world = json.loads((src / "world-atlas" / "countries-110m.json").read_text("utf-8"))
        write(OUT / "world-countries.geojson", topo_features(world, "countries"))
        xj = json.loads((src / "echarts" / "map" / "json" / "province" / "xinjiang.json")
                        .read_text("utf-8"))
        write(OUT / "xinjiang.geojson", echarts_features(xj))
        china = json.loads((src / "echarts" / "map" / "json" / "china.json").read_text("utf-8"))
        write(OUT / "china-provinces.geojson", echarts_features(china))
        for ext in ("shp", "shx", "dbf", "prj"):
            shutil.copyfile(src / "swiss-maps" / "2024" / f"cantons.{ext}",
                            OUT / f"swiss-cantons.{ext}")
        print(f"{(OUT / 'swiss-cantons.shp').relative_to(ROOT)}: copied")


if __name__ == "__main__":
    main()
