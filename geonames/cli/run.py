"""``geonames inspect run``: a whole joint inspection from one INSPECTION.toml."""

from __future__ import annotations

import click

from geonames.cli.common import (
    Progress,
    crs_option,
    finish,
    out_option,
    previous_report_option,
    quiet_option,
)
from geonames.inspection.run import run_inspection


@click.command()
@click.argument("config", type=click.Path())
@click.option("--no-sections", is_flag=True,
              help="Leave out the section (map, markers, findings) per line.")
@click.option("--allow-outside", is_flag=True,
              help="Let the paths in CONFIG lead outside its folder (refused by default).")
@crs_option
@out_option()
@previous_report_option
@quiet_option
def run(config: str, no_sections: bool, allow_outside: bool, crs: str | None, out_dir: str,
        quiet: bool,
        previous_report: str | None = None) -> int:
    """Run a whole joint inspection described by an INSPECTION.toml.

    The file names the divisions (and the previous round's), the boundary lines (or derives
    them from the divisions), the markers (and the previous round's), the other party's lines,
    the tolerances and an exceptions file; paths are relative to the file and must stay in
    its folder (unless --allow-outside). Every check whose
    inputs are given runs (coverage, changes, markers, edge-matching; [checks] switches one
    off) and one report folder is written: report.html with a section per line (a map of the
    line with its markers and findings, its marker table, its findings), findings.gpkg,
    findings.csv, summary.json, markers.csv and the other tables.

    \b
    Example (the bundled fixture, with planted faults):
      geonames inspect run fixtures/chongqing/inspection.toml --out report

    \b
    INSPECTION.toml:
      [inspection]  title, crs
      [divisions]   path, previous, layer, id_field, name_field
      [lines]       path (or derive = true, snap, only), layer, code_field, tripoints
      [markers]     path, previous, crs (of x/y columns), number_pattern, number_template
      [other_party] lines, layer, code_field, match (auto|code|sides|geometry)
      [tolerances]  max_offset, max_shift, max_tripoint_distance, edgematch, changes,
                    min_share, gap_width, min_area   (metres, m²)
      [checks]      coverage, changes, markers, edgematch   (true/false)
      [exceptions]  path, tolerance
      [results]     write, pdf, xlsx (true/false), lang (zh|en), compass_points (8|16),
                    generalise, point_tolerance (metres), features, feature_name_field

    With markers, the result documents go to results/ in --out: marker-register.csv
    (界桩登记表), marker-coordinates.csv (界桩成果表), boundary-points.csv (边界点成果表),
    line-courses.csv (边界线走向说明), results.xlsx and results.pdf (A4, one section per line
    with its course, map sheet and tables).
    """
    progress = Progress(quiet)
    report = run_inspection(config, crs=crs, sections=not no_sections, progress=progress,
                            allow_outside=allow_outside)
    return finish(report, out_dir, quiet, previous_report, review=True)
