"""``geonames inspect edgematch``: two parties' versions of the same boundary lines."""

from __future__ import annotations

import click

from geonames.boundaries.edgematch import TOLERANCE
from geonames.cli import params
from geonames.cli.common import (
    Progress,
    crs_option,
    finish,
    out_option,
    previous_report_option,
    quiet_option,
)
from geonames.inspection.reports import edgematch_report


@click.command()
@click.argument("side_a", type=click.Path())
@click.argument("side_b", type=click.Path())
@click.option("--tolerance", type=params.POSITIVE_METRES, default=TOLERANCE, show_default=True, metavar="M",
              help="Stretches where the two versions lie farther apart than this many metres "
                   "are reported (edgematch.offset).")
@click.option("--by", type=click.Choice(["auto", "code", "sides", "geometry"]), default="auto",
              show_default=True,
              help="How to pair the lines: by line code, by the division ids on their two "
                   "sides (left_id/right_id), or by geometry; auto takes the first both files "
                   "allow.")
@click.option("--layer", default=None, help="Layer to read from both files.")
@click.option("--code-field", default=None,
              help="Field holding the line code (default line_code, code, line_id or id).")
@crs_option
@out_option()
@previous_report_option
@quiet_option
def edgematch(side_a: str, side_b: str, tolerance: float, by: str, layer: str | None,
              code_field: str | None, crs: str | None, out_dir: str, quiet: bool,
        previous_report: str | None = None) -> int:
    """Compare two parties' versions of the same boundary lines.

    \b
    Per line: Hausdorff distance, mean offset and length difference (line_comparison.csv).
    Findings: edgematch.offset (each stretch farther apart than --tolerance, with its
    geometry), edgematch.unmatched (a line only one side has).

    \b
    Example:
      geonames inspect edgematch fixtures/chongqing/lines.geojson \\
          fixtures/chongqing/lines-other-party.geojson --tolerance 10 --out report-edgematch
    """
    progress = Progress(quiet)
    report = edgematch_report(side_a, side_b, tolerance=tolerance, by=by, layer=layer,
                              code_field=code_field, crs=crs, progress=progress)
    return finish(report, out_dir, quiet, previous_report, review=True)
