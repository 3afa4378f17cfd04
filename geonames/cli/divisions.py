"""``geonames divisions …``: division history (codes through merges, splits, renames and
recodes; divisions as of a date) and establishment criteria for new towns and sub-districts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from geonames.cli.common import Progress, finish, out_option, quiet_option
from geonames.divisions.events import DivisionEvent, parse_when
from geonames.divisions.history import DivisionLog
from geonames.divisions.history_io import (
    default_events,
    load_log,
    national_revisions,
)
from geonames.divisions.reports import (
    establishment_file_report,
    event_record,
    events_check_report,
    identity_record,
)
from geonames.text import iso_date


def history_options(func):
    """``--revisions``, ``--events``, ``--no-events``."""
    func = click.option("--no-events", is_flag=True,
                        help="Ignore events files: what the code lists alone show.")(func)
    func = click.option("--events", "events", multiple=True, type=click.Path(),
                        metavar="FILE",
                        help="Events file (TOML or CSV; repeatable). Default: every shipped "
                             "events file (Chongqing, and the national one).")(func)
    func = click.option("--revisions", type=click.Path(), metavar="FILE",
                        envvar="GEONAMES_REVISIONS", show_envvar=True,
                        help="Code-list revisions (revision,code,name CSV, .gz ok). "
                             "Default: the shipped national lists, GB/T 2260 198012–201904 "
                             "and the statistical lists 201910–202306.")(func)
    return func


def _log(revisions: str | None, events: Sequence[str], no_events: bool) -> DivisionLog:
    paths: list[str | Path] = [] if no_events else [*events] or [*default_events()]
    return load_log(revisions or national_revisions(), paths)


@click.group()
def divisions() -> None:
    """Division history and establishment criteria.

    \b
    geonames divisions history 500222
    geonames divisions translate 500222 --from 2010-01-01 --to 2020-01-01
    geonames divisions as-of 2010-01-01 --parent 50
    geonames divisions check-events my-events.toml --revisions gb2260-revisions.csv.gz
    geonames divisions check-establishment proposals.csv --rules rules.toml
    """


@divisions.command()
@click.argument("code")
@history_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def history(code: str, revisions: str | None, events: tuple[str, ...], no_events: bool,
            as_json: bool) -> int:
    """Every identity a CODE had (a code is reused after a merge) and every event on it.

    Dates of events inferred from code lists are revision months, not effective dates: the
    change happened on or before the end of that month, after the previous revision.

    \b
    Example:
      geonames divisions history 500110
    """
    log = _log(revisions, events, no_events)
    identities, touched = log.history(code)
    if as_json:
        click.echo(json.dumps({"code": code,
                               "identities": [identity_record(i) for i in identities],
                               "events": [event_record(e) for e in touched],
                               "source_gaps": [g.revision for g in log.gaps_of(code)]},
                              ensure_ascii=False, indent=2))
        return 0
    lines = [f"{code}: {len(identities)} identit{'y' if len(identities) == 1 else 'ies'}, "
             f"{len(touched)} event{'' if len(touched) == 1 else 's'}"]
    for ident in identities:
        names = " → ".join(s.value for s in ident.names)
        lines.append(f"  {ident.code} {names}  [{ident.interval()})")
    for e in touched:
        lines.append(f"  {_event_line(e)}")
    lines.extend(f"  note: {gap.describe()}" for gap in log.gaps_of(code))
    click.echo("\n".join(lines))
    return 0


@divisions.command()
@click.argument("code")
@click.option("--from", "from_date", required=True, metavar="DATE",
              help="Date the code is valid on (YYYY-MM-DD or YYYY-MM).")
@click.option("--to", "to_date", required=True, metavar="DATE",
              help="Date to translate to (earlier or later).")
@history_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def translate(code: str, from_date: str, to_date: str, revisions: str | None,
              events: tuple[str, ...], no_events: bool, as_json: bool) -> int:
    """The code(s) on --to of the division that had CODE on --from.

    A merged division gives the merged unit, a split one all successors, a recoded one its
    new code; going back in time gives the predecessors. Prints nothing but a note when the
    division was abolished without successor.

    \b
    Examples:
      geonames divisions translate 500222 --from 2010-01-01 --to 2020-01-01    # 500110
      geonames divisions translate 500110 --from 2020-01-01 --to 2010-01-01    # 500110 500222
    """
    log = _log(revisions, events, no_events)
    found = log.lineage(code, from_date, to_date)
    start = log.identity_on(code, from_date)
    if as_json:
        click.echo(json.dumps({"code": code, "from": from_date, "to": to_date,
                               "codes": [i.code for i, _ in found],
                               "lineage": [{"identity": identity_record(i),
                                            "events": [event_record(e) for e in path]}
                                           for i, path in found]},
                              ensure_ascii=False, indent=2))
        return 0
    head = f"{code} {start.name_on(parse_when(from_date)) if start else ''}".strip()
    lines = [f"{head} on {from_date} → on {to_date}:"]
    if not found:
        word = "successor" if parse_when(to_date) >= parse_when(from_date) else "predecessor"
        lines.append(f"  (none: the division has no {word} on {to_date}; see "
                     f"`geonames divisions history {code}`)")
    for ident, path in found:
        lines.append(f"  {ident.code} {ident.name_on(parse_when(to_date))}")
        lines.extend(f"      via {_event_line(e)}" for e in path)
    click.echo("\n".join(lines))
    return 0


@divisions.command("as-of")
@click.argument("date")
@click.option("--parent", default=None, metavar="CODE",
              help="Only divisions under this code, at any depth (50 or 500000).")
@click.option("--level", default=None,
              type=click.Choice(["province", "prefecture", "county", "township", "village"]),
              help="Only divisions of this level.")
@history_options
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def as_of(date: str, parent: str | None, level: str | None, revisions: str | None,
          events: tuple[str, ...], no_events: bool, as_json: bool) -> int:
    """The divisions that existed on DATE, with their names and parents then.

    \b
    Example:
      geonames divisions as-of 2010-01-01 --parent 50 --level county
    """
    log = _log(revisions, events, no_events)
    found = log.as_of(date, parent=parent, level=level)
    if as_json:
        click.echo(json.dumps([{"code": d.code, "name": d.name, "level": d.level,
                                "parent": d.parent_code,
                                "valid_from": iso_date(d.valid_from), "valid_to": iso_date(d.valid_to)}
                               for d in found], ensure_ascii=False, indent=2))
        return 0
    scope = (f" under {parent}" if parent else "") + (f" ({level} level)" if level else "")
    if not found:
        click.echo(f"no divisions{scope} on {date} in this history (it starts with "
                   f"{log.start_label or 'the first event'})")
        return 0
    lines = [f"{len(found)} divisions{scope} on {date}:"]
    lines += [f"  {d.code}  {d.name}  ({d.level}, parent {d.parent_code})" for d in found]
    click.echo("\n".join(lines))
    return 0


@divisions.command("check-events")
@click.argument("events_path", metavar="EVENTS")
@click.option("--revisions", type=click.Path(), metavar="FILE", envvar="GEONAMES_REVISIONS",
              show_envvar=True,
              help="Code-list revisions to check against. Default: the shipped Chongqing cut.")
@out_option()
@quiet_option
def check_events_cmd(events_path: str, revisions: str | None, out_dir: str,
                     quiet: bool) -> int:
    """Check an events file against the code lists, and build the history with it.

    Reports events whose new divisions are listed before the event (error), whose old
    divisions are still listed long after it (error), divisions the lists never show
    (warning), and changes the lists show that no event explains (info). A history that
    cannot be built (a division ended twice, a wrong name) is bad input (exit 2).

    \b
    Example:
      geonames divisions check-events geonames/data/chongqing-events.toml
    """
    report = events_check_report(events_path, revisions, progress=Progress(quiet))
    return finish(report, out_dir, quiet)


@divisions.command("check-establishment")
@click.argument("proposals_path", metavar="PROPOSALS.csv")
@click.option("--rules", "rules_path", required=True, type=click.Path(), metavar="RULES.toml",
              help="Establishment rules: criteria per proposed division type.")
@out_option()
@quiet_option
def check_establishment_cmd(proposals_path: str, rules_path: str, out_dir: str,
                            quiet: bool) -> int:
    """Hold proposed towns / sub-districts against establishment criteria.

    PROPOSALS.csv has columns id, name, type (a type of the rules: town, sub-district …)
    and one column per measure the rules use (population, area_km2 …). Reports, per
    proposal, each criterion met or failed with the figures, and a verdict: qualifies, not
    qualified, undecided (a needed value is missing) or unknown type. Exit 1 when any
    proposal does not qualify or cannot be decided.

    \b
    Example:
      geonames divisions check-establishment fixtures/establishment/proposals.csv \\
          --rules fixtures/establishment/rules.toml
    """
    check, report = establishment_file_report(proposals_path, rules_path)
    if not quiet:
        for p in check.proposals:
            click.echo(f"{p.proposal.id} {p.proposal.name} ({p.proposal.type}): {p.verdict} "
                       f"— {p.reason}")
    return finish(report, out_dir, quiet)


# --------------------------------------------------------------------------- change reports


@divisions.command("clean")
@click.argument("divisions_path", metavar="DIVISIONS")
@click.option("-o", "--out", "out_path", required=True, type=click.Path(), metavar="OUT.gpkg",
              help="Where to write the proposal (a new GeoPackage; never the input).")
@click.option("--gap-width", type=click.FloatRange(min=0.0), default=0.0, show_default=True,
              metavar="M", help="Gaps narrower than this (metres) are filled.")
@click.option("--rule", type=click.Choice(["longest-border", "largest", "priority"]),
              default="longest-border", show_default=True,
              help="Who gets an overlap: the neighbour with the longest shared border, the "
                   "largest, or the first in --priority.")
@click.option("--priority", default="", metavar="CODES",
              help="Codes or code prefixes, highest first, comma-separated (--rule priority).")
@click.option("--snap", type=click.FloatRange(min=0.0), default=None, metavar="M",
              help="Snap vertices closer than this (metres); default chosen by GEOS from the "
                   "extent, 0 for none.")
@click.option("--min-change", type=click.FloatRange(min=0.0), default=0.0, show_default=True,
              metavar="M2", help="Leave change records smaller than this (m²) out of the list.")
@click.option("--layer", default=None, help="Layer to read (GeoPackage).")
@click.option("--id-field", default=None, help="Field holding the division code.")
@click.option("--name-field", default=None, help="Field holding the division name.")
@click.option("--crs", default=None, metavar="CRS",
              help="Metric CRS to clean in (default: chosen from the data).")
@quiet_option
def clean_cmd(divisions_path: str, out_path: str, gap_width: float, rule: str, priority: str,
              snap: float | None, min_change: float, layer: str | None, id_field: str | None,
              name_field: str | None, crs: str | None, quiet: bool) -> None:
    """Propose a cleaned coverage: overlaps given to one side by a rule, narrow gaps filled,
    shared edges matched, with a layer of every change (from which division to which, m²,
    why). The input is never changed; review the proposal before adopting any of it.

    Writes OUT.gpkg with layers 'divisions' (cleaned) and 'changes', in the metric CRS.

    \b
    Example:
      geonames divisions clean fixtures/chongqing/divisions.geojson --gap-width 200 \\
          -o cleaned.gpkg
    """
    from geonames.divisions.clean import clean_file

    codes = [c.strip() for c in priority.split(",") if c.strip()]
    _, summary = clean_file(divisions_path, out_path, gap_width, rule, codes, snap, min_change,
                            layer, id_field, name_field, crs)
    if not quiet:
        moved = summary["area_moved_m2"]
        left = summary["left"]
        click.echo(f"cleaned {summary['divisions']} divisions in {summary['metric_crs']} "
                   f"(rule {rule}, gaps under {gap_width:g} m filled): "
                   f"{summary['changes']} changes")
        for reason, area in moved.items():
            click.echo(f"  {reason:<17} {area:>16,.1f} m²")
        click.echo(f"  left: {left['overlap_m2']:,.1f} m² of overlap, {left['narrow_gaps']} "
                   f"gaps narrower than {gap_width:g} m; coverage valid: "
                   f"{'yes' if left['valid_coverage'] else 'no'}")
        click.echo(f"proposal: {out_path} (layers divisions, changes)")


def history_option(func):
    """``--history FILE`` for ``geonames inspect changes`` (see :func:`apply_history`)."""
    return click.option(
        "--history", "history", multiple=True, type=click.Path(), metavar="FILE",
        help="Events file (TOML or CSV, repeatable; 'chongqing' for the shipped one): label "
             "each division event with the recorded decision that explains it (message, "
             "report table recorded_decisions). A change a recorded event explains exactly "
             "becomes info instead of warning.")(func)


# --------------------------------------------------------------------------- formatting



def _event_line(e: DivisionEvent) -> str:
    ref = e.reference or "no reference"
    line = f"{e.describe()}  [{ref}]"
    if e.inferred and e.earliest:
        line += f" (effective between {e.earliest} and the end of {e.date:%Y-%m})"
    if e.note:
        line += f"\n        {e.note}"
    return line
