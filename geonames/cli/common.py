"""Options and output shared by the commands."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from geonames.document import Report
from geonames.report.writers import format_summary, write_report

_OUT = "geonames.out"


def out_option(default: str | None = None, name_from: str | None = None) -> Callable:
    """``--out DIR``, ``--force`` and ``--lang`` of a command that writes a report folder.

    Without ``--out`` the folder is named after the check and the input
    (``coverage-divisions``; see :func:`default_out_dir`), from the command's first argument
    or the option ``name_from``. ``--force`` and ``--lang`` reach :func:`finish` through the
    click context, so the command itself does not handle them.
    """
    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def wrapper(*args: Any, force: bool, lang: str, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            source = kwargs.get(name_from) if name_from else next(
                (kwargs[p.name] for p in ctx.command.params
                 if isinstance(p, click.Argument) and p.name and kwargs.get(p.name)), None)
            if isinstance(source, list | tuple):
                source = source[0] if source else None
            ctx.meta[_OUT] = {"force": force, "lang": lang, "source": source}
            return command(*args, **kwargs)

        wrapper = click.option(
            "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True,
            help="Language of report.html (Chinese or English).")(wrapper)
        wrapper = click.option(
            "--force", is_flag=True,
            help="Replace the older report in the --out folder (its files are removed "
                 "first). Without it, a folder that holds files is refused.")(wrapper)
        return click.option(
            "--out", "out_dir", type=click.Path(file_okay=False), default=default,
            show_default=default is not None,
            help="Folder to write the report into. Default: named after the check and the "
                 "input, e.g. coverage-divisions.")(wrapper)

    return decorate


def default_out_dir(check: str, source: str | Path | None) -> str:
    """The report folder of a check run on ``source``: ``coverage-divisions`` for
    ``coverage`` on ``…/divisions.geojson``; when the file name repeats the check
    (``markers.csv``, ``inspection.toml``) its folder's name is used
    (``inspection-chongqing``)."""
    if source is None:
        return check
    path = Path(str(source))
    stem = path.stem or path.name
    if stem.lower() in (check.lower(), "inspection", "config") and path.resolve().parent.name:
        stem = path.resolve().parent.name
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in stem).strip("-.")
    return f"{check}-{safe}" if safe else check


quiet_option = click.option("-q", "--quiet", is_flag=True,
                            help="No progress and no summary on the terminal.")
def _metric_crs(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Check --crs at once (an unknown or non-metric CRS is refused even where the data
    would not need it), keep the text for the commands."""
    if value is None:
        return None
    from geonames.crs import is_metric, parse_crs

    crs = parse_crs(value)
    if not is_metric(crs):
        raise click.BadParameter(f"{value}: not a metric CRS (a projected CRS in metres, e.g. "
                                 "EPSG:4545)", ctx=ctx, param=param)
    return value


crs_option = click.option(
    "--crs", default=None, metavar="CRS", callback=_metric_crs,
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


previous_report_option = click.option(
    "--previous-report", "previous_report", type=click.Path(file_okay=False), default=None,
    metavar="DIR",
    help="The report folder of the previous run: each finding is then new, persisting or "
         "resolved, and the statuses in its review.csv (open, accepted with a reason and "
         "document, corrected) are honoured; this run's review.csv carries them on.")


def finish(report: Report, out_dir: str | Path | None, quiet: bool,
           previous: str | None = None, review: bool = False) -> int:
    """Write the report (into ``out_dir``, or the default folder of :func:`out_option`), print
    the summary, return the exit code (0 or 1).

    With ``review`` (the inspections), a ``review.csv`` is written too, following the findings
    from the ``previous`` run's report folder when one is given.
    """
    if review or previous:
        from geonames.inspection.review import apply_review, read_previous, review_table

        if previous:
            apply_review(report, read_previous(previous))
        else:
            report.tables.append(review_table(report))
    meta = click.get_current_context().meta.get(_OUT, {})
    if out_dir is None:
        out_dir = default_out_dir(report.check, meta.get("source"))
    paths = write_report(report, out_dir, lang=meta.get("lang", "zh"),
                         force=meta.get("force", False))
    if not quiet:
        click.echo(format_summary(report))
        counts = report.stats.get("review")
        if counts:
            click.echo(f"since {counts['previous']}: {counts['new']} new, "
                       f"{counts['persisting']} persisting, {counts['resolved']} resolved, "
                       f"{counts['accepted']} accepted as exceptions")
        click.echo(f"report: {paths['html']}")
    return report.exit_code
