"""``geonames heritage …``: place-name heritage lists kept in the name register."""

from __future__ import annotations

import time
from datetime import date, datetime
from pathlib import Path

import click

from geonames.cli import params
from geonames.cli.common import Progress, finish, out_option, quiet_option
from geonames.cli.registry import wait_option, waited
from geonames.heritage.io import read_held_periods, read_heritage_file
from geonames.heritage.model import EntryStatus, Evidence, Source
from geonames.heritage.publication import write_publication
from geonames.heritage.register import HeritageRegister
from geonames.heritage.reports import NO_LISTS, change_impact_report, check_report

_DATE = click.DateTime(formats=["%Y-%m-%d"])

def db_option(f):
    """--db TARGET and --wait SECONDS."""
    f = wait_option(f)
    return click.option(
        "--db", "target", default="registry.gpkg", show_default=True, metavar="TARGET",
        help="The register: a .gpkg file or a postgresql:// URL (?schema=NAME for a "
             "schema).")(f)


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def _open(target: str) -> HeritageRegister:
    return HeritageRegister.open(target, create=False, wait=waited())


@click.group("heritage")
def heritage() -> None:
    """Place-name heritage: protection lists in batches and grades, kept in the register.

    A place whose name is listed cannot be renamed, retired, merged or split in the register
    without an override naming the decision (geonames registry rename … --override-decision).

    \b
    Workflow of an entry:
      candidate → notice (public notice, objections) → listed → delisted
    """


@heritage.command("add")
@click.argument("file", required=False, type=click.Path())
@db_option
@click.option("--list", "list_id", metavar="LIST", help="List the new entry belongs to.")
@click.option("--place", "place_id", metavar="ID", help="Register id of the place.")
@click.option("--name", default="", type=params.Text(allow_empty=True), help="Name protected (default: the place's standard name; "
                                         "may be one of its former names).")
@click.option("--category", default="", help="Category key of the list (historical, "
                                              "revolutionary, ethnic, natural, other …).")
@click.option("--grade", default="", help="Grade, one of the list's grades.")
@click.option("--batch", type=params.count(1, 1_000_000), default=None, help="Batch the entry is proposed for.")
@click.option("--on", "on", type=_DATE, default=None, help="Date proposed (default today).")
@click.option("--history", "history_text", default="", help="Short history (沿革).")
@click.option("--source", "sources", multiple=True, metavar="CITATION",
              help="A source of the evidence (repeat for several).")
@click.option("--measure", "measures", multiple=True, metavar="TEXT",
              help="A protection measure (repeat for several).")
@click.option("--id", "entry_id", default=None, help="Entry id (default LIST-NNNN).")
@click.option("--no-add-places", is_flag=True,
              help="With FILE: refuse places not in the register instead of adding them.")
@click.option("--effective", type=_DATE, default=None,
              help="With FILE: effective date of places added to the register "
                   "(default today).")
def add(file: str | None, target: str, list_id: str | None, place_id: str | None, name: str,
        category: str, grade: str, batch: int | None, on: datetime | None, history_text: str,
        sources: tuple[str, ...], measures: tuple[str, ...], entry_id: str | None,
        no_add_places: bool, effective: datetime | None) -> int:
    """Import a list file (FILE), or propose one candidate entry (--list, --place …).

    A list file (JSON, format geonames-heritage/1) holds lists, batches, places and entries;
    its places are matched to register places by name and division code, or added. The
    register is created when it does not exist yet.

    \b
    Examples:
      geonames heritage add fixtures/heritage/chongqing.json --db cq.gpkg
      geonames heritage add --db cq.gpkg --list cq-historical --place P0000008 \\
          --category historical --grade 一级 --batch 3 --on 2025-03-01 \\
          --source "《重庆市地名志》" --measure "不得更名"
    """
    if file:
        if list_id or place_id:
            raise click.UsageError("give either a list FILE or --list/--place, not both")
        data = read_heritage_file(file)
        with HeritageRegister.open(target, create=True) as h:
            summary = h.import_file(data, effective=_day(effective) or date.today(),
                                    add_places=not no_add_places, source=str(file))
        click.echo(summary.text())
        return 0
    if not list_id or not place_id:
        raise click.UsageError("give a list FILE, or --list and --place of a new entry")
    evidence = Evidence(history_text, tuple(Source(s) for s in sources))
    with _open(target) as h:
        entry = h.propose(list_id, place_id, name, category, grade,
                          on=_day(on) or date.today(), batch=batch, evidence=evidence,
                          measures=measures, entry_id=entry_id)
    click.echo(f"{entry.id}: {entry.name} (place {entry.place_id}) proposed as a candidate of "
               f"{entry.list_id} on {entry.since}")
    return 0


@heritage.command("notice")
@click.argument("entry_id", metavar="ENTRY")
@db_option
@click.option("--start", type=_DATE, default=None, help="First day of the public notice.")
@click.option("--end", type=_DATE, default=None, help="Last day of the public notice.")
@click.option("--where", default="", help="Where the notice is published.")
@click.option("--objection", default=None, metavar="TEXT", help="Record an objection.")
@click.option("--by", default="", help="Who raised the objection.")
@click.option("--on", "on", type=_DATE, default=None,
              help="Date an objection was received, resolved, or the entry withdrawn.")
@click.option("--resolve", type=params.count(1, 1_000_000), default=None, metavar="N",
              help="Resolve objection N (1 = the first) with --resolution.")
@click.option("--resolution", default="", help="How the objection was resolved.")
@click.option("--withdraw", default=None, metavar="REASON",
              help="Take the entry back to candidate (an objection upheld).")
@click.option("--document", default="", help="Document of the step.")
def notice(entry_id: str, target: str, start: datetime | None, end: datetime | None,
           where: str, objection: str | None, by: str, on: datetime | None,
           resolve: int | None, resolution: str, withdraw: str | None, document: str) -> int:
    """Public notice of a candidate: open it, record objections, resolve them, withdraw.

    Out-of-order steps are refused with the reason (an objection after the notice ended, a
    notice for an entry that is not a candidate …) and nothing is stored.

    \b
    Examples:
      geonames heritage notice cq-3-001 --db cq.gpkg --start 2025-03-08 --end 2025-03-14
      geonames heritage notice cq-3-001 --db cq.gpkg --objection "史料有误" --by 市民 \\
          --on 2025-03-10
      geonames heritage notice cq-3-001 --db cq.gpkg --resolve 1 --resolution 已补充 \\
          --on 2025-03-20
    """
    chosen = [x is not None for x in (start or end, objection, resolve, withdraw)]
    if sum(chosen) != 1:
        raise click.UsageError("give one of: --start/--end, --objection, --resolve, "
                               "--withdraw")
    with _open(target) as h:
        if start is not None or end is not None:
            if start is None or end is None:
                raise click.UsageError("a notice needs --start and --end")
            e = h.notice(entry_id, start.date(), end.date(), where, document)
            n = e.notice
            if n is not None:
                click.echo(f"{e.id}: {e.name} under public notice {n.start} – {n.end} "
                           f"({n.days} days)")
            return 0
        day = _day(on)
        if day is None:
            raise click.UsageError("give the date with --on")
        if objection is not None:
            e = h.object(entry_id, day, by, objection)
            count = len(e.notice.objections) if e.notice is not None else 0
            click.echo(f"{e.id}: objection {count} recorded ({day})")
        elif resolve is not None:
            e = h.resolve(entry_id, resolve, day, resolution)
            click.echo(f"{e.id}: objection {resolve} resolved ({day})")
        else:
            e = h.withdraw(entry_id, day, withdraw or "", document)
            click.echo(f"{e.id}: withdrawn from notice, candidate again ({day})")
    return 0


@heritage.command("list")
@click.argument("entry_ids", nargs=-1, metavar="[ENTRY]...")
@db_option
@click.option("--on", "on", type=_DATE, default=None, help="Date listed.")
@click.option("--batch", type=params.count(1, 1_000_000), default=None,
              help="Batch the entries are listed in (default: the batch they were proposed "
                   "for).")
@click.option("--document", default="", help="Document of the listing (default: the batch's).")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice([s.value for s in EntryStatus]),
              help="Without ENTRY: show only entries in this status (repeatable).")
def list_cmd(entry_ids: tuple[str, ...], target: str, on: datetime | None, batch: int | None,
             document: str, statuses: tuple[str, ...]) -> int:
    """Put entries on their list (with ENTRY ids), or show the entries (without); one
    entry's details: geonames heritage show ENTRY.

    An entry is listed only after its public notice ended with every objection resolved;
    otherwise the reason is printed and nothing is stored. Listed names are protected by
    the register.

    \b
    Examples:
      geonames heritage list --db cq.gpkg
      geonames heritage list cq-3-001 --db cq.gpkg --on 2025-04-01 --batch 3
    """
    with _open(target) as h:
        if not entry_ids:
            if on is not None or batch is not None:
                raise click.UsageError("give the ENTRY ids to list")
            entries = h.entries(statuses=[EntryStatus(s) for s in statuses] or None)
            names = {pid: p.name for pid, p in h.places(e.place_id for e in entries).items()}
            for e in entries:
                click.echo(f"{e.id}\t{e.status}\t{e.name}\tbatch {e.batch or '-'}\t"
                           f"{e.category}\t{e.grade or '-'}\tplace {e.place_id} "
                           f"({names.get(e.place_id, '?')})")
            click.echo(f"{len(entries)} entries")
            return 0
        if on is None:
            raise click.UsageError("give the date of the listing with --on")
        for entry_id in entry_ids:
            e = h.list_entry(entry_id, on.date(), batch, document)
            click.echo(f"{e.id}: {e.name} listed in batch {e.batch} on {e.since}")
    return 0


@heritage.command("show")
@click.argument("entry_id", metavar="ENTRY")
@db_option
def show(entry_id: str, target: str) -> int:
    """Show one entry (status, list, batch, grade, place, notice and objections); changes
    nothing.

    \b
    Example:
      geonames heritage show cq-3-001 --db cq.gpkg
    """
    with _open(target) as h:
        e = h.entry(entry_id)
        place = h.places([e.place_id]).get(e.place_id)
        log = h.log(e.id)
    click.echo(f"{e.id}\t{e.status}\t{e.name}\tbatch {e.batch or '-'}\t{e.category}\t"
               f"{e.grade or '-'}\tplace {e.place_id} ({place.name if place else '?'})")
    for row in log:
        click.echo(f"  {str(row['recorded'])[:19]}  {row['action']}")
    return 0


@heritage.command("delist")
@click.argument("entry_id", metavar="ENTRY")
@db_option
@click.option("--on", "on", type=_DATE, required=True, help="Date delisted.")
@click.option("--reason", required=True, help="Why it is taken off the list.")
@click.option("--document", default="", help="Decision document.")
def delist(entry_id: str, target: str, on: datetime, reason: str, document: str) -> int:
    """Take a listed entry off its list (its place is no longer protected).

    \b
    Example:
      geonames heritage delist cq-3-001 --db cq.gpkg --on 2026-01-01 --reason "…" \\
          --document 渝民〔2026〕1号
    """
    with _open(target) as h:
        e = h.delist(entry_id, on.date(), reason, document)
    click.echo(f"{e.id}: {e.name} delisted on {e.since}")
    return 0


@heritage.command("check")
@db_option
@click.option("--on", "on", type=_DATE, default=None,
              help="Day continuity is computed to (default today).")
@click.option("--history", "history_path", type=click.Path(), default=None, metavar="CSV",
              help="Dated periods (place,start,end,name,status[,source]) to check with the "
                   "千年古县-style rule.")
@click.option("--min-years", type=params.count(1, 10_000), default=1000, show_default=True,
              help="Years the status and proper name must have been held.")
@click.option("--max-break", type=params.count(0, 10_000), default=50, show_default=True,
              metavar="YEARS", help="Longest break allowed between held periods (years).")
@click.option("--through", type=params.count(1, 9999), default=None, metavar="YEAR",
              help="Year the rule is checked to (default this year).")
@out_option()
@quiet_option
def check(target: str, on: datetime | None, history_path: str | None, min_years: int,
          max_break: int, through: int | None, out_dir: str, quiet: bool) -> int:
    """Check the lists against the register and compute the criteria.

    Reports entries whose place is missing, ended or renamed (an error unless the register
    records an override decision for it), the continuous use of each protected name from the
    register's history (years, interruptions, restorations), and, with --history, whether
    each place's status and proper name were held --min-years with breaks of at most
    --max-break years.

    Exit code 0 when there are no error findings, 1 when there are, 2 for bad input.

    \b
    Example:
      geonames heritage check --db cq.gpkg --history fixtures/heritage/held-periods.csv \\
          --out heritage-check
    """
    start = time.perf_counter()
    periods = read_held_periods(history_path) if history_path else None
    with _open(target) as h:
        findings = h.check(_day(on), periods, min_years=min_years, max_break_years=max_break,
                           through=through)
    report = check_report(findings, seconds=time.perf_counter() - start, inputs={
        "db": target, "history": history_path, "min_years": min_years,
        "max_break_years": max_break, "through": through,
        "on": str(_day(on) or date.today())})
    return finish(report, out_dir, quiet)


@heritage.command("impact")
@db_option
@click.option("--rename", "rename_id", default=None, metavar="PLACE",
              help="A proposed rename of this register place (with --to).")
@click.option("--to", "new_name", default="", help="The proposed new name.")
@click.option("--retire", "retire_id", default=None, metavar="PLACE",
              help="A proposed retirement of this register place.")
@click.option("--merge", default=None, metavar="CODES",
              help="A proposed merge: old division codes, comma-separated (with --into).")
@click.option("--split", default=None, metavar="CODE",
              help="A proposed split of one division (with --into NEW,NEW).")
@click.option("--into", default="", metavar="CODES", help="New division code(s).")
@click.option("--area", default=None, type=click.Path(), metavar="FILE",
              help="A vector file of the affected area (its polygons are joined).")
@click.option("--margin", type=params.METRES, default=0.0, show_default=True,
              metavar="M", help="With --area: also report places within this many metres.")
@click.option("--divisions", default=None, type=click.Path(), metavar="FILE",
              help="Division polygons holding the old codes of --merge/--split (the codes "
                   "are the feature ids or --id-field). Without it only the register's "
                   "division codes are used.")
@click.option("--id-field", default=None, help="Field of --divisions holding the code.")
@click.option("--layer", default=None, help="Layer of --divisions or --area.")
@out_option()
@quiet_option
def impact(target: str, rename_id: str | None, new_name: str, retire_id: str | None,
           merge: str | None, split: str | None, into: str, area: str | None, margin: float,
           divisions: str | None, id_field: str | None, layer: str | None, out_dir: str,
           quiet: bool) -> int:
    """Which listed or candidate entries a proposed change touches, and why.

    Give one change: --rename PLACE [--to NAME], --retire PLACE, --merge OLD,OLD --into NEW,
    --split OLD --into NEW,NEW, or --area FILE. A touched listed entry is an error (the
    change would need an override decision), a candidate or an entry under notice a warning.
    Writes summary.json, findings.csv, entries.csv and report.html (with a map) into --out.

    Exit code 0 when no listed entry is touched, 1 when one is, 2 for bad input.

    \b
    Examples:
      geonames heritage impact --db cq.gpkg --merge 500103,500108 --into 500199 \\
          --divisions fixtures/chongqing/divisions.geojson
      geonames heritage impact --db cq.gpkg --rename P0000007 --to 禹王宫
      geonames heritage impact --db cq.gpkg --area plan.geojson --margin 200
    """
    chosen = [x for x in (rename_id, retire_id, merge, split, area) if x]
    if len(chosen) != 1:
        raise click.UsageError("give one change: --rename, --retire, --merge, --split or "
                               "--area")
    if (merge or split) and not into:
        raise click.UsageError("--merge and --split need --into")
    with _open(target) as h:
        report = change_impact_report(
            h, rename=rename_id, new_name=new_name, retire=retire_id, merge=_codes(merge),
            split=_codes(split), into=_codes(into), area=area, margin=margin,
            divisions=divisions, id_field=id_field, layer=layer, progress=Progress(quiet))
    report.inputs = {"db": target, **report.inputs}
    if NO_LISTS in report.notes:
        click.echo(f"note: {NO_LISTS}", err=True)
    return finish(report, out_dir, quiet)


@heritage.command("export")
@db_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="heritage",
              show_default=True, help="Folder for heritage.csv and heritage.html.")
@click.option("--list", "list_id", default=None, help="Only this list.")
@click.option("--all", "all_statuses", is_flag=True,
              help="Every entry (candidates, under notice, delisted), not only listed ones.")
@click.option("--title", default="", help="Title of the printed page.")
@click.option("--paper", type=click.Choice(["A4", "A3"], case_sensitive=False), default="A4",
              show_default=True, help="Paper of heritage.pdf.")
@click.option("--orientation", type=click.Choice(["portrait", "landscape"]), default=None,
              help="Default: portrait on A4, landscape on A3.")
@click.option("--pdf/--no-pdf", default=True, show_default=True,
              help="Also print the list to heritage.pdf.")
def export(target: str, out_dir: str, list_id: str | None, all_statuses: bool,
           title: str, paper: str, orientation: str | None, pdf: bool) -> int:
    """Publish the list: heritage.csv, a printable heritage.html and heritage.pdf, grouped
    by batch, category and grade (name, pinyin, place, grade, short history, sources,
    measures), with the changes made to protected places under override decisions. The PDF
    has fixed column widths, wrapped sources and page numbers.

    \b
    Example:
      geonames heritage export --db cq.gpkg --out heritage
    """
    statuses = list(EntryStatus) if all_statuses else [EntryStatus.LISTED]
    with _open(target) as h:
        rows = h.publication(statuses, list_id)
        lists = h.lists()
        batches = h.batches(list_id)
        overrides = h.override_records()
        paths = write_publication(out_dir, rows, lists, batches, overrides, title=title,
                                  generated=date.today())
        done = f"{len(rows)} entries → {paths['csv']}, {paths['html']}"
        if pdf:
            from geonames.report.heritage_print import write_list_pdf

            orientation = orientation or ("landscape" if paper.upper() == "A3" else "portrait")
            path = Path(out_dir) / "heritage.pdf"
            pages = write_list_pdf(path, rows, lists, batches, overrides, paper=paper.upper(),
                                   orientation=orientation, title=title,
                                   generated=date.today())
            done += f", {path} ({pages} pages {paper.upper()} {orientation})"
    click.echo(done)
    return 0


def _codes(text: str | None) -> list[str]:
    """Comma-separated codes of an option, blanks dropped."""
    return [c.strip() for c in (text or "").split(",") if c.strip()]
