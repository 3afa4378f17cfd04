"""Options and output shared by the commands."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import click

from geonames.document import Report
from geonames.report.writers import format_summary, write_report


def out_option(default: str = "report") -> Callable:
    """``--out DIR``: the report folder."""
    return click.option("--out", "out_dir", type=click.Path(file_okay=False), default=default,
                        show_default=True, help="Folder to write the report into.")


quiet_option = click.option("-q", "--quiet", is_flag=True,
                            help="No progress and no summary on the terminal.")
crs_option = click.option(
    "--crs", default=None, metavar="CRS",
    help="Metric CRS to measure in (e.g. EPSG:4545); also the CRS of input coordinates when a "
         "file declares none and they are not longitude/latitude. Default: chosen from the "
         "data (Gauss–Krüger zone in China, else UTM).")
layer_option = click.option("--layer", default=None, help="Layer name in multi-layer files.")
id_field_option = click.option(
    "--id-field", default=None,
    help="Field holding the division id (default: the feature id when meaningful, else a "
         "field named code/adcode/id…).")
name_field_option = click.option("--name-field", default=None,
                                 help="Field holding the division name (default: name).")
encoding_option = click.option(
    "--encoding", default=None,
    help="Attribute encoding (e.g. gb18030); detected for shapefiles without .cpg.")


class Progress:
    """Step messages on stderr with elapsed time; silent when quiet."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            click.echo(f"[{time.perf_counter() - self.start:6.1f} s] {message}", err=True)


def finish(report: Report, out_dir: str | Path, quiet: bool) -> int:
    """Write the report, print the summary, return the exit code (0 or 1)."""
    paths = write_report(report, out_dir)
    if not quiet:
        click.echo(format_summary(report))
        click.echo(f"report: {paths['html']}")
    return report.exit_code
