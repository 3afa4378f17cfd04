"""Benchmark the printed place-name directory on the real Chongqing names.

The register holds the NBS 2023 lists for Chongqing: 38 counties, 1,031 townships and 11,270
villages' committees. For three sizes (one county, about 3,000 names, all of them) it prints
the time to build the directory and to write the PDF (entries, then the indexes with their
page numbers), wall clock and CPU, against a raw floor measured in the same run: WeasyPrint
laying out and writing the same names as bare paragraphs (no romanization, no grouping, no
index, one font).

Run it once, not in loops (the machine is shared):

    python scripts/bench_directory.py
    python scripts/bench_directory.py --sizes all
"""

from __future__ import annotations

import argparse
import csv
import html
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geonames.registry import Registry  # noqa: E402
from geonames.registry.directory import build_directory  # noqa: E402
from geonames.registry.exchange import import_file  # noqa: E402
from geonames.report.directory import write_directory  # noqa: E402
from geonames.report.pdf import SERIF, font_css, page_css  # noqa: E402

NAMES = ROOT.parent / "shared" / "data" / "names"


def _chongqing(source: Path, out: Path) -> None:
    with open(source, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["code"].startswith("50")]
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _floor(names: list[str], path: Path) -> tuple[float, float]:
    import weasyprint

    page = (f"<html><head><style>{font_css()}{page_css('A4', total=False)}"
            f"body{{font-family:{SERIF};font-size:8.5pt}}p{{margin:0}}</style></head><body>"
            + "".join(f"<p>{html.escape(n)}</p>" for n in names) + "</body></html>")
    t, c = time.perf_counter(), time.process_time()
    weasyprint.HTML(string=page).write_pdf(path)
    return time.perf_counter() - t, time.process_time() - c


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="county,3000,all",
                        help="comma-separated: county (万州区), 3000, all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        _chongqing(NAMES / "nbs2023-counties.csv", base / "counties.csv")
        _chongqing(NAMES / "nbs2023-townships.csv", base / "townships.csv")
        t = time.perf_counter()
        with Registry.open(base / "cq.gpkg", create=True) as reg:
            for path in (base / "counties.csv", base / "townships.csv",
                         NAMES / "nbs2023-villages-chongqing.csv"):
                import_file(reg, path, effective=date(2023, 12, 31))
            places = list(reg.places(current=True))
        print(f"register: {len(places)} places imported in {time.perf_counter() - t:.1f} s")
        counties = sorted({str(p.division_code)[:6] for p in places})
        for size in args.sizes.split(","):
            if size == "county":
                chosen, label = [p for p in places if str(p.division_code).startswith("500101")], \
                    "万州区"
            elif size == "all":
                chosen, label = places, "all of Chongqing"
            else:
                want, chosen = int(size), []
                for county in counties:
                    if len(chosen) >= want:
                        break
                    chosen += [p for p in places if str(p.division_code).startswith(county)]
                label = f"first counties up to {want}"
            t, c = time.perf_counter(), time.process_time()
            directory = build_directory(chosen, title="重庆市标准地名录")
            done = write_directory(directory, base / "directory.pdf")
            wall, cpu = time.perf_counter() - t, time.process_time() - c
            f_wall, f_cpu = _floor([p.name for p in chosen], base / "floor.pdf")
            villages = sum(len(str(p.division_code)) == 12 for p in chosen)
            print(f"{label}: {done.entries} entries ({villages} villages), {done.pages} pages "
                  f"({done.entry_pages} of entries): {wall:.1f} s wall, {cpu:.1f} s CPU; "
                  f"floor (bare WeasyPrint paragraphs) {f_wall:.1f} s wall, {f_cpu:.1f} s CPU; "
                  f"ratio {cpu / f_cpu:.1f}x CPU")


if __name__ == "__main__":
    main()
