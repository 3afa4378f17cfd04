"""``geonames inspect coverage``: gaps, overlaps and mismatched edges of a layer of divisions."""

from __future__ import annotations

import click

from geonames.cli import params
from geonames.cli.common import (
    Progress,
    crs_option,
    encoding_option,
    finish,
    id_field_option,
    layer_option,
    name_field_option,
    out_option,
    previous_report_option,
    quiet_option,
)
from geonames.divisions.coverage import (
    DEFAULT_EXCEPTION_TOLERANCE,
    DEFAULT_GAP_WIDTH,
    DEFAULT_MIN_AREA,
    REPAIR_METHODS,
)
from geonames.inspection.reports import coverage_file_report

_METRES = params.METRES


@click.command("coverage")
@click.argument("divisions", type=click.Path())
@layer_option
@id_field_option
@name_field_option
@encoding_option
@click.option("--gap-width", type=_METRES, default=DEFAULT_GAP_WIDTH, show_default=True,
              metavar="M",
              help="Open inlets between divisions narrower than this (metres) are reported "
                   "(coverage.gap_open). Enclosed gaps are reported whatever their width.")
@click.option("--min-area", type=params.SQUARE_METRES, default=DEFAULT_MIN_AREA, show_default=True,
              metavar="M2",
              help="Overlaps and gaps smaller than this (m²) are dropped; their edges show as "
                   "coverage.edge_mismatch instead.")
@click.option("--sliver-width", type=_METRES, default=None, metavar="M",
              help="Elongated polygon parts (Polsby–Popper < 0.3) narrower than this "
                   "(metres), and specks under --min-area, are coverage.sliver. "
                   "Default: the gap width.")
@click.option("--exceptions", "exceptions_path", type=click.Path(), default=None,
              metavar="FILE",
              help="Approved exceptions: a vector file or CSV whose rows have any of "
                   "'code', 'subject' (ids, comma-separated) and a geometry. Matching findings "
                   "are counted and listed as excepted, not as errors. Rows copied from "
                   "findings.csv work as they are.")
@click.option("--exception-tolerance", type=_METRES, default=DEFAULT_EXCEPTION_TOLERANCE,
              show_default=True, metavar="M",
              help="An exception's geometry is widened by this (metres) when matching.")
@click.option("--repair", "repair_method", type=click.Choice(REPAIR_METHODS),
              default="structure", show_default=True,
              help="How invalid polygons are repaired before measuring: 'structure' keeps the "
                   "area their rings wind around; 'linework' keeps every area they enclose, so "
                   "a loop a twisted ring draws into a neighbour is an overlap (about ten times "
                   "slower on real county rings).")
@crs_option
@out_option()
@previous_report_option
@quiet_option
def coverage(divisions: str, layer: str | None, id_field: str | None, name_field: str | None,
             encoding: str | None, gap_width: float, min_area: float,
             sliver_width: float | None, exceptions_path: str | None,
             exception_tolerance: float, repair_method: str, crs: str | None, out_dir: str,
             quiet: bool, previous_report: str | None = None) -> int:
    """Inspect a layer of divisions as a coverage: overlaps, gaps, open inlets, mismatched
    edges, slivers, invalid geometry, duplicate ids, empty divisions.

    Everything is measured in metres in a metric CRS (a Gauss–Krüger zone in China, else
    UTM; or --crs). Writes summary.json, findings.csv, findings.gpkg, divisions.csv and
    report.html into --out.

    Exit code 0 when there are no error findings, 1 when there are, 2 for bad input.

    \b
    Examples:
      geonames inspect coverage fixtures/chongqing/divisions.geojson --out report
      geonames inspect coverage counties.shp --id-field XZQDM --name-field XZQMC \\
          --gap-width 20 --min-area 10 --exceptions approved.csv --out audit-2025
    """
    progress = Progress(quiet)
    report = coverage_file_report(
        divisions, layer=layer, id_field=id_field, name_field=name_field, encoding=encoding,
        gap_width=gap_width, min_area=min_area, sliver_width=sliver_width,
        exceptions_path=exceptions_path, exception_tolerance=exception_tolerance, crs=crs,
        progress=progress, repair_method=repair_method)
    progress(f"writing the report into {out_dir}")
    return finish(report, out_dir, quiet, previous_report, review=True)
