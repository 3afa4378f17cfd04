#!/usr/bin/env python3
"""Rebuild the map library bundled into report.html: geonames/report/static/ol.js.

OpenLayers (https://openlayers.org, BSD-2-Clause) comes from the npm registry at a pinned
version; esbuild bundles only the parts the report uses (see ENTRY) into one minified script
that defines the global ``ol``. The licence of every npm package that went into the bundle is
written next to it (``ol.LICENSES.txt``), with ``ol.css``.

Needs ``npm`` (Node.js). Run it only to move to another OpenLayers version:

    python3 scripts/vendor_openlayers.py
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

OL_VERSION = "10.11.0"
ESBUILD_VERSION = "0.25.12"
STATIC = Path(__file__).resolve().parent.parent / "geonames" / "report" / "static"

ENTRY = """\
// The parts of OpenLayers that report.html uses, as one global `ol`.
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import Overlay from 'ol/Overlay.js';
import Feature from 'ol/Feature.js';
import Projection from 'ol/proj/Projection.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import Point from 'ol/geom/Point.js';
import {Circle, Fill, Stroke, Style, Text, RegularShape} from 'ol/style.js';
import {ScaleLine, Zoom, MousePosition, ZoomToExtent} from 'ol/control.js';
import {getCenter, buffer, isEmpty, createEmpty, extend, getWidth, getHeight} from 'ol/extent.js';
globalThis.ol = {Map, View, Overlay, Feature, Projection, GeoJSON, VectorLayer, VectorSource,
  Point, style: {Circle, Fill, Stroke, Style, Text, RegularShape},
  control: {ScaleLine, Zoom, MousePosition, ZoomToExtent},
  extent: {getCenter, buffer, isEmpty, createEmpty, extend, getWidth, getHeight},
  VERSION: 'OL_VERSION'};
""".replace("OL_VERSION", OL_VERSION)


def main() -> int:
    npm = shutil.which("npm")
    if npm is None:
        print("vendor_openlayers: npm not found (install Node.js)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "package.json").write_text('{"name": "bundle", "private": true}\n')
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts",
                        f"ol@{OL_VERSION}", f"esbuild@{ESBUILD_VERSION}"], cwd=work, check=True)
        (work / "entry.js").write_text(ENTRY)
        out = work / "ol.js"
        subprocess.run([str(work / "node_modules" / ".bin" / "esbuild"), "entry.js", "--bundle",
                        "--minify", "--format=iife", "--target=es2020",
                        "--legal-comments=none", "--metafile=meta.json",
                        f"--outfile={out}"], cwd=work, check=True)
        meta = json.loads((work / "meta.json").read_text())
        packages = sorted({p.split("node_modules/", 1)[1].split("/", 1)[0]
                           for p in meta["inputs"] if "node_modules/" in p})
        notices = []
        for name in packages:
            pkg = work / "node_modules" / name
            info = json.loads((pkg / "package.json").read_text())
            licence = next((f for f in sorted(pkg.iterdir())
                            if f.name.upper().startswith(("LICENSE", "LICENCE"))), None)
            if licence is None:
                print(f"vendor_openlayers: {name} has no licence file", file=sys.stderr)
                return 1
            notices.append(f"{name} {info['version']} ({info.get('license', '?')})\n"
                           f"{'=' * 60}\n{licence.read_text().strip()}\n")
        STATIC.mkdir(parents=True, exist_ok=True)
        header = (f"/*! OpenLayers {OL_VERSION} (BSD-2-Clause), with "
                  f"{', '.join(p for p in packages if p != 'ol')}; licences in "
                  f"ol.LICENSES.txt */\n")
        (STATIC / "ol.js").write_text(header + out.read_text())
        shutil.copy(work / "node_modules" / "ol" / "ol.css", STATIC / "ol.css")
        (STATIC / "ol.LICENSES.txt").write_text(
            "Third-party code bundled in ol.js (built by scripts/vendor_openlayers.py)\n\n"
            + "\n\n".join(notices))
    print(f"wrote {STATIC / 'ol.js'} ({(STATIC / 'ol.js').stat().st_size:,} bytes): "
          f"{', '.join(packages)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
