"""``geonames inspect changes``: division events and moved borders between two rounds."""

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
from geonames.cli.divisions import history_option
from geonames.inspection.reports import apply_history, changes_report


@click.command()
@click.argument("old", type=click.Path())
@click.argument("new", type=click.Path())
@click.option("--tolerance", type=params.METRES, default=None, metavar="M",
              help="Border offsets beyond this many metres are reported as change.line_moved; "
                   "within it they are re-digitisation, only counted. Default: the resolution "
                   "of the coarser round (length-weighted median segment length of its "
                   "borders). The report shows the distribution of offsets to choose from.")
@click.option("--min-share", type=params.Number(0.0, 1.0, min_open=True), default=None,
              metavar="S",
              help="An old and a new division are the same place (or parts of one event) "
                   "when their overlap holds at least this share of either's area. "
                   "[default: 0.5]")
@layer_option
@id_field_option
@name_field_option
@encoding_option
@crs_option
@history_option
@out_option(name_from="new")
@previous_report_option
@quiet_option
def changes(old: str, new: str, tolerance: float | None, min_share: float | None,
            layer: str | None, id_field: str | None, name_field: str | None,
            encoding: str | None, crs: str | None, history: tuple[str, ...], out_dir: str,
            quiet: bool,
        previous_report: str | None = None) -> int:
    """Changes between two rounds of divisions (or of boundary lines).

    \b
    Division events, from the area overlaps and the codes (subject OLD_IDS->NEW_IDS):
      change.added  change.removed  change.merged  change.split
      change.renamed (same code, new name)  change.recoded (same place, new code)
      change.reorganised (several old and several new)
    Border stretches farther apart than --tolerance: change.line_moved (the stretch and its
    largest offset). The report has the area change of every division (m², %) and the
    distribution of border offsets.

    \b
    Example:
      geonames inspect changes fixtures/chongqing/divisions-previous.geojson \\
          fixtures/chongqing/divisions.geojson --out report-changes
    """
    progress = Progress(quiet)
    report = changes_report(old, new, tolerance=tolerance, min_share=min_share, layer=layer,
                            id_field=id_field, name_field=name_field, encoding=encoding,
                            crs=crs, progress=progress)
    apply_history(report, history)
    return finish(report, out_dir, quiet, previous_report, review=True)
