#!/usr/bin/env python3
"""Benchmark of report.html: how long a report of 10,000 findings takes to open, against the
floor.

The report is :func:`tests.synthetic.many_findings` (10,000 polygons, lines and points over
the Chongqing fixture's 38 labelled divisions), written by
:func:`geonames.report.writers.write_report`. It is opened in headless Chromium (Debian's
``chromium`` and ``chromium-driver``, offline; see tests/browser.py), and the time from the
start of navigation to the first complete drawing of the map is read from the page's clock.

The floor is the least any page must do to show the same findings with the same map library:
a page holding only the bundled OpenLayers and the 10,000 representative points as a JSON
array, drawn as circles over nothing (no list, no labels, no base layer), measured in the same
browser in the same run. Printed: each time, and the report's as a ratio to the floor (best of
``--repeat``). Target: the report under 3 s.

    python3 scripts/bench_report.py [--findings 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geonames.report.html import _static  # noqa: E402
from geonames.report.writers import write_report  # noqa: E402
from tests.browser import missing, open_page, start_chromium  # noqa: E402
from tests.synthetic import many_findings  # noqa: E402

FLOOR_PAGE = """<!DOCTYPE html><html><head><meta charset='utf-8'><style>{css}
html,body,#map{{margin:0;width:100%;height:100%}}</style></head><body><div id='map'></div>
<script id='points' type='application/json'>{points}</script><script>{ol}</script><script>
const t0 = performance.now();
const xy = JSON.parse(document.getElementById('points').textContent);
const style = new ol.style.Style({{image: new ol.style.Circle({{radius: 5,
  fill: new ol.style.Fill({{color: 'rgba(214,39,40,0.35)'}}),
  stroke: new ol.style.Stroke({{color: '#d62728', width: 1.5}})}})}});
const features = xy.map((p) => new ol.Feature(new ol.Point(p)));
const extent = {extent};
const map = new ol.Map({{target: 'map', controls: [], layers: [new ol.VectorLayer({{
  source: new ol.VectorSource({{features}}), style}})], view: new ol.View({{
  projection: new ol.Projection({{code: 'M', units: 'm', extent}})}})}});
map.getView().fit(extent);
window.floor = {{ready: false}};
map.once('rendercomplete', () => {{ floor.rendered = performance.now(); floor.ready = true; }});
</script></body></html>"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    reason = missing()
    if reason:
        print(f"bench_report: {reason}", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="geonames-bench-report-"))
    try:
        report = many_findings(args.findings)
        start = time.perf_counter()
        paths = write_report(report, work / "report", print_map=False)
        written = time.perf_counter() - start
        points = [[round(f.geometry.representative_point().x, 2),
                   round(f.geometry.representative_point().y, 2)] for f in report.findings]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        floor = work / "floor.html"
        floor.write_text(FLOOR_PAGE.format(css=_static("ol.css"), ol=_static("ol.js"),
                                           points=json.dumps(points),
                                           extent=[min(xs), min(ys), max(xs), max(ys)]),
                         encoding="utf-8")
        driver = start_chromium(work / "profile")
        try:
            page, bare = [], []
            for _ in range(args.repeat):
                page.append(open_page(driver, paths["html"])[0])
                bare.append(open_page(driver, floor, "window.floor && floor.ready",
                                      "floor.rendered")[0])
        finally:
            driver.quit()
        size = paths["html"].stat().st_size / 1e6
        print(f"{args.findings:,} findings: report written in {written:.1f} s ({size:.1f} MB)")
        print(f"report.html  map drawn after {', '.join(f'{s:.2f}' for s in page)} s")
        print(f"floor        map drawn after {', '.join(f'{s:.2f}' for s in bare)} s "
              "(OpenLayers and the points alone)")
        print(f"ratio        {min(page) / min(bare):.1f}× the floor (best of {args.repeat}); "
              f"target: report under 3 s: {'met' if min(page) < 3 else 'NOT met'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
