"""``geonames inspect markers``: boundary markers against their lines and the previous round."""

from __future__ import annotations

import click

from geonames.boundaries.markers import MAX_OFFSET, MAX_SHIFT, MAX_TRIPOINT_DISTANCE, MarkerLimits
from geonames.boundaries.model import DEFAULT_PATTERN, NumberPattern
from geonames.cli import params
from geonames.cli.common import (
    Progress,
    crs_option,
    finish,
    out_option,
    previous_report_option,
    quiet_option,
)
from geonames.errors import GeonamesError
from geonames.inspection.reports import markers_report


@click.command()
@click.option("--lines", "lines_path", required=True, type=click.Path(),
              help="Boundary lines: the output of `geonames lines extract` (layer "
                   "boundary_lines, and its tripoints), or any line layer with a line code.")
@click.option("--markers", "markers_path", required=True, type=click.Path(),
              help="Marker register of this round: CSV (number plus x/y or lon/lat columns; "
                   "status, line, type, survey_date optional), GeoPackage or GeoJSON points.")
@click.option("--previous", "previous_path", type=click.Path(), default=None,
              help="Marker register of the previous round (finds moved, missing, new).")
@click.option("--tripoints", "tripoints_path", type=click.Path(), default=None,
              help="Points where three divisions meet (default: the tripoints layer of a "
                   "lines GeoPackage, else the line ends where three lines meet).")
@click.option("--max-offset", type=params.METRES, default=MAX_OFFSET, show_default=True, metavar="M",
              help="Largest distance, metres, from a marker to its line.")
@click.option("--max-shift", type=params.METRES, default=MAX_SHIFT, show_default=True, metavar="M",
              help="Largest distance, metres, a marker may have moved since the previous "
                   "round.")
@click.option("--max-tripoint-distance", type=params.METRES, default=MAX_TRIPOINT_DISTANCE,
              show_default=True, metavar="M",
              help="Largest distance, metres, from a triple marker (C/D/E) to the tripoint.")
@click.option("--number-pattern", default=None, metavar="REGEX",
              help="How marker numbers are written: a regular expression with the named "
                   "groups line, seq and type. Default: line code + 3-digit sequence + type "
                   f"code, {DEFAULT_PATTERN.regex}")
@click.option("--number-template", default=None, metavar="TEMPLATE",
              help="How to write a number from line, seq and type (for messages), e.g. "
                   "'{line}-{seq:02d}{type}'. Default: {line}{seq:03d}{type}.")
@click.option("--lines-layer", default=None, help="Layer of the lines file to read.")
@click.option("--code-field", default=None,
              help="Field holding the line code (default line_code, code, line_id or id).")
@click.option("--markers-crs", default=None, metavar="CRS",
              help="CRS of x/y columns in CSV registers (default: the lines' CRS when it is "
                   "projected); lon/lat columns are taken as CGCS2000.")
@click.option("--no-sections", is_flag=True,
              help="Leave out the section (map, markers, findings) per line.")
@crs_option
@out_option(name_from="markers_path")
@previous_report_option
@quiet_option
def markers(lines_path: str, markers_path: str, previous_path: str | None,
            tripoints_path: str | None, max_offset: float,
            max_shift: float, max_tripoint_distance: float, number_pattern: str | None,
            number_template: str | None, lines_layer: str | None, code_field: str | None,
            markers_crs: str | None, no_sections: bool, crs: str | None, out_dir: str,
            quiet: bool,
        previous_report: str | None = None) -> int:
    """Check boundary markers: on their line, numbered right and in order, complete, not moved.

    \b
    Findings: marker.off_line, marker.wrong_line, marker.moved, marker.missing, marker.new,
    marker.damaged, marker.bad_number, marker.duplicate_number, marker.out_of_order,
    marker.unpaired, marker.not_at_tripoint, marker.bad_record (unusable register rows).
    The report adds the marker coordinate table (markers.csv) and a section per line.

    \b
    Example:
      geonames inspect markers --lines fixtures/chongqing/lines.geojson \\
          --markers fixtures/chongqing/markers.csv \\
          --previous fixtures/chongqing/markers-previous.csv --out report-markers
    """
    try:
        pattern = NumberPattern(number_pattern or DEFAULT_PATTERN.regex,
                                number_template or DEFAULT_PATTERN.template)
    except ValueError as err:
        option = "--number-template" if "template" in str(err) else "--number-pattern"
        raise GeonamesError(f"{option}: {err}") from None
    progress = Progress(quiet)
    report = markers_report(
        lines_path, markers_path, previous_path,
        limits=MarkerLimits(max_offset, max_shift, max_tripoint_distance), pattern=pattern,
        lines_layer=lines_layer, code_field=code_field, markers_crs=markers_crs, crs=crs,
        tripoints_path=tripoints_path, sections=not no_sections, progress=progress)
    return finish(report, out_dir, quiet, previous_report, review=True)
