"""``geonames inspect levels``: divisions against their parents (or their own outline)."""

from __future__ import annotations

import click

from geonames.cli.common import (
    Progress,
    crs_option,
    finish,
    id_field_option,
    layer_option,
    name_field_option,
    out_option,
    previous_report_option,
    quiet_option,
)
from geonames.divisions.levels import LINE_DEPTH, TOLERANCE
from geonames.inspection.levels import levels_report

_METRES = click.FloatRange(min=0.0)


@click.command("levels")
@click.argument("children", type=click.Path())
@click.argument("parents", type=click.Path(), required=False)
@click.option("--outline", is_flag=True,
              help="Check against the divisions' own dissolved outline (holes filled) instead "
                   "of a parents' file.")
@click.option("--tolerance", type=_METRES, default=TOLERANCE, show_default=True, metavar="M",
              help="Pieces narrower than this (metres) are noise; a child line farther than "
                   "this from its parent's line is off it.")
@click.option("--line-depth", type=_METRES, default=LINE_DEPTH, show_default=True,
              metavar="M",
              help="A strip along the parent's line no deeper than this (metres) is the child's "
                   "line being off (levels.line_off); deeper, it is area outside the parent or "
                   "not covered.")
@click.option("--min-area", type=_METRES, default=0.0, show_default=True, metavar="M2",
              help="Pieces smaller than this (m²) are not reported.")
@layer_option
@id_field_option
@name_field_option
@crs_option
@out_option()
@previous_report_option
@quiet_option
def levels(children: str, parents: str | None, outline: bool, tolerance: float,
           line_depth: float, min_area: float, layer: str | None, id_field: str | None,
           name_field: str | None, crs: str | None, out_dir: str, quiet: bool,
        previous_report: str | None = None) -> int:
    """Check a level of divisions against its parents: children outside their parent,
    parent area no child covers, child lines off the parent's line.

    Children are matched to parents by code (a parent's code without its trailing 00 pairs
    begins its children's codes: 500100 → 500101, 500101 → 500101001).

    \b
    Examples:
      geonames inspect levels townships.gpkg counties.gpkg --out levels
      geonames inspect levels fixtures/chongqing/divisions.geojson --outline --out levels
    """
    progress = Progress(quiet)
    report = levels_report(children, parents, outline=outline, tolerance=tolerance,
                           line_depth=line_depth, min_area=min_area, layer=layer,
                           id_field=id_field, name_field=name_field, crs=crs,
                           progress=progress)
    return finish(report, out_dir, quiet, previous_report, review=True)
