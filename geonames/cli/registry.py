"""``geonames registry …``: keep a place-name register (GeoPackage file or PostGIS)."""

from __future__ import annotations

import csv
import json
import os
import sys
from datetime import date, datetime
from typing import Any

import click

from geonames import values
from geonames.cli import params
from geonames.names.model import Approval, PlaceName
from geonames.registry.model import describe_place, event_record

DB_HELP = ("The register: a .gpkg file or a postgresql:// URL (?schema=NAME picks the "
           "schema); init and import create it when absent.")


def _remember_wait(ctx: click.Context, param: click.Parameter, value: float) -> float:
    ctx.meta["geonames.wait"] = value
    return value


#: --wait SECONDS: how long a command waits for another process's lock on the register.
wait_option = click.option(
    "--wait", type=params.Number(0, 86_400, unit="s"), default=30.0, show_default=True,
    metavar="SECONDS", expose_value=False, callback=_remember_wait, is_eager=True,
    help="Seconds to wait while another process holds the register's lock.")


def db_option(f):
    """--db TARGET and --wait SECONDS."""
    f = wait_option(f)
    return click.option("--db", default="registry.gpkg", show_default=True, metavar="TARGET",
                        help=DB_HELP)(f)


def waited() -> float:
    """The --wait of the running command (30 s outside a command)."""
    ctx = click.get_current_context(silent=True)
    return float(ctx.meta.get("geonames.wait", 30.0)) if ctx is not None else 30.0


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _code(value: str) -> str:
    """A division code as given, after checking it parses (empty: none)."""
    if value:
        from geonames.divisions.codes import validate_code

        fault = validate_code(value)
        if fault:
            raise click.BadParameter(fault, param_hint="--division-code")
    return value


def _date_cb(ctx, param, value):
    return _day(value)


def approval_options(f):
    """--effective, --authority, --document, --approval-date, --reason."""
    opts = [
        click.option("--effective", required=True, callback=_date_cb, metavar="YYYY-MM-DD",
                     help="Date the change takes effect."),
        click.option("--authority", default="", type=params.SHORT_TEXT,
                     help="Who approved it (批准机关)."),
        click.option("--document", default="", type=params.SHORT_TEXT,
                     help="Document number (批准文号)."),
        click.option("--approval-date", callback=_date_cb, metavar="YYYY-MM-DD",
                     help="Date of the approval (default: the effective date when an "
                          "authority or document is given)."),
        click.option("--reason", default="", type=params.FREE_TEXT,
                     help="Why (free text, kept in the history)."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def override_options(f):
    """--force, --override-decision, --no-check-names."""
    opts = [
        click.option("--check-names/--no-check-names", default=True, show_default=True,
                     help="Run the naming rules (duplicates, homophones in scope) on the new "
                          "names; a duplicate refuses the write unless --force."),
        click.option("--force", is_flag=True,
                     help="Store the write although a naming check refuses it; the force is "
                          "recorded in the history."),
        click.option("--override-decision", default=None, metavar="DOCUMENT",
                     help="Reference of the decision that allows a change a protection "
                          "refuses (a listed heritage name); recorded in the history."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


class _Bar:
    """A progress bar on stderr, shown once work is under way (click's progress bar)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def _approval(authority: str, document: str, approval_date: date | None,
              effective: date) -> Approval | None:
    if not (authority or document or approval_date):
        return None
    return Approval(authority, document, approval_date or effective)


def _override(decision: str | None, authority: str, approval_date: date | None,
              reason: str) -> dict | None:
    if not decision:
        return None
    return {"decision": decision, "authority": authority,
            "date": approval_date.isoformat() if approval_date else None, "reason": reason}


def _write_args(effective: date, authority: str, document: str, approval_date: date | None,
                reason: str, force: bool, override_decision: str | None) -> dict:
    """The keyword arguments every register write takes, from the shared options."""
    return {"effective": effective,
            "approval": _approval(authority, document, approval_date, effective),
            "reason": reason, "force": force,
            "override": _override(override_decision, authority, approval_date, reason)}


def _open(db: str, check_names: bool = False, create: bool = False):
    from geonames.registry import Registry

    reg = Registry.open(db, create=create, wait=waited())
    if check_names:
        from geonames.registry.checks import naming_policy

        reg.add_policy(naming_policy())
    return reg


@click.group()
def registry() -> None:
    """Keep a place-name register with full history.

    A register is a GeoPackage file (default registry.gpkg, no server needed; GIS software
    shows its current names as the layer "placenames") or a PostGIS database
    (--db postgresql://user:pass@host/db?schema=NAME). Every write is an event in an
    append-only history; show --as-of gives a place as it stood on any day.

    \b
    Examples:
      geonames registry init --db cq.gpkg
      geonames registry import nbs2023-townships.csv --db cq.gpkg --effective 2023-12-31
      geonames registry search 解放碑 --db cq.gpkg
      geonames registry search jfb --db cq.gpkg
      geonames registry rename P0000007 新名街道 --effective 2024-05-01 \\
          --authority 重庆市人民政府 --document 渝府〔2024〕12号 --db cq.gpkg
      geonames registry history P0000007 --db cq.gpkg
    """


@registry.command()
@db_option
@click.option("--crs", default="EPSG:4490", show_default=True,
              help="CRS of the register's geometries (needs an EPSG code).")
@click.option("--id-prefix", default="P", show_default=True,
              help="Prefix of the ids the register assigns (P0000001 …).")
def init(db: str, crs: str, id_prefix: str) -> int:
    """Create an empty register (a .gpkg file or a PostGIS schema).

    On an existing register it only reports it; a --crs or --id-prefix other than the
    register's is an error (they cannot change).

    \b
    Example:
      geonames registry init --db registry.gpkg --crs EPSG:4490
    """
    from click.core import ParameterSource

    from geonames.registry import Registry

    ctx = click.get_current_context()
    settings = {name: value for name, value in (("crs", crs), ("id_prefix", id_prefix))
                if ctx.get_parameter_source(name) is not ParameterSource.DEFAULT}
    if not id_prefix or not id_prefix.isalnum() or not id_prefix.isascii():
        raise click.BadParameter(f"{id_prefix!r}: use letters and digits", param_hint="--id-prefix")
    with Registry.open(db, crs=crs, id_prefix=id_prefix, settings=settings,
                       wait=waited()) as reg:
        click.echo(f"register {db}: {reg.backend}, CRS {reg.crs.name} "
                   f"(EPSG:{reg.store.srid}), {len(reg)} places")
    return 0


@registry.command(name="import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@db_option
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN",
              help="Column of a register field, e.g. --map name=名称 --map division_code=code "
                   "--map lon=经度 --map lat=纬度 (or --map wkt=WKT). Repeatable. Fields not "
                   "mapped are looked for under common names; other columns are kept as "
                   "properties.")
@click.option("--layer", default=None, help="Layer of a GeoPackage.")
@click.option("--crs", default=None, help="CRS of the input coordinates (default: the file's, "
                                          "else the register's).")
@click.option("--encoding", default=None, help="Text encoding of a CSV (default: UTF-8, "
                                               "else GB18030).")
@click.option("--format", "fmt", type=click.Choice(["csv", "geojson", "gpkg", "lpf"]),
              default=None, help="Input format (default: from the file name).")
@click.option("--effective", callback=_date_cb, metavar="YYYY-MM-DD",
              help="Date the names take effect in the register (default: today).")
@click.option("--authority", default="", type=params.SHORT_TEXT, help="Who approved the names.")
@click.option("--document", default="", type=params.SHORT_TEXT,
              help="Document number of the approval.")
@click.option("--approval-date", callback=_date_cb, metavar="YYYY-MM-DD")
@click.option("--reason", default="", type=params.FREE_TEXT,
              help="Kept in the history of every name.")
@click.option("--batch-size", type=params.COUNT, default=None,
              help="Records per transaction (default: the whole file in one).")
@click.option("--strict", is_flag=True,
              help="Import nothing when any record is rejected.")
@click.option("--check-names", is_flag=True,
              help="Run the naming rules (duplicates in scope) against the register.")
@click.option("--force", is_flag=True, help="Import although a naming check refuses.")
@click.option("--rejected-out", type=click.Path(dir_okay=False), default=None,
              help="Write the rejected records (row, name, reason) to this CSV.")
@click.option("--resume", is_flag=True,
              help="Continue an import of this file that was killed or failed half-way "
                   "(records already imported are skipped).")
def import_(path: str, db: str, mapping: tuple[str, ...], layer: str | None, crs: str | None,
            encoding: str | None, fmt: str | None, effective: date | None, authority: str,
            document: str, approval_date: date | None, reason: str, batch_size: int | None,
            strict: bool, check_names: bool, force: bool, rejected_out: str | None,
            resume: bool) -> int:
    """Import place names from CSV, GeoJSON, GeoPackage or Linked Places JSON.

    Every batch is one transaction. Rejected records are listed with the reason; the exit
    code is 1 when any was rejected (2 with --strict: nothing imported). Each record keeps
    its source key (the file's content and its row): importing the same file again adds
    nothing, and --resume continues an import that was killed half-way.

    \b
    Examples:
      geonames registry import nbs2023-villages-chongqing.csv --effective 2023-12-31
      geonames registry import roads.csv --map name=名称 --map lon=经度 --map lat=纬度
      geonames registry import places.geojson --strict --batch-size 10000
    """
    from geonames.registry.exchange import import_file

    pairs = {}
    for item in mapping:
        if "=" not in item:
            raise click.BadParameter(f"{item!r}: use FIELD=COLUMN", param_hint="--map")
        k, v = item.split("=", 1)
        pairs[k.strip()] = v.strip()
    effective = effective or date.today()
    if rejected_out and not os.path.isdir(os.path.dirname(os.path.abspath(rejected_out))):
        raise click.BadParameter(f"{rejected_out}: the folder does not exist",
                                 param_hint="--rejected-out")
    bar = _Bar("importing")
    with _open(db, check_names, create=True) as reg:
        try:
            result = import_file(
                reg, path, effective=effective, mapping=pairs, layer=layer, crs=crs,
                encoding=encoding, fmt=fmt,
                approval=_approval(authority, document, approval_date, effective),
                reason=reason, batch_size=batch_size, strict=strict, force=force,
                resume=resume, progress=bar)
        finally:
            bar.close()
        total = len(reg)
    skipped = (f"; skipped {result.skipped} already imported from this file"
               if result.skipped else "")
    click.echo(f"imported {result.imported} names in {len(result.batches)} batch(es) "
               f"({result.seconds:.1f} s); rejected {len(result.rejected)}{skipped}; "
               f"the register holds {total} places")
    for r in result.rejected[:20]:
        click.echo(f"  rejected {r.row}: {r.name} — {r.reason}")
    if len(result.rejected) > 20:
        click.echo(f"  … {len(result.rejected) - 20} more" +
                   ("" if rejected_out else " (--rejected-out FILE lists them all)"))
    if rejected_out:
        with open(rejected_out, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["row", "name", "reason"])
            w.writerows((r.row, r.name, r.reason) for r in result.rejected)
    return 1 if result.rejected else 0


@registry.command()
@db_option
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Directory file to write: .pdf or .docx.")
@click.option("--within", default="", metavar="CODE",
              help="Only places whose division code starts with CODE (e.g. 500101).")
@click.option("--as-of", callback=_date_cb, metavar="YYYY-MM-DD",
              help="The register as it stood on this day (default: now).")
@click.option("--title", default="", help="Title (default: 标准地名录).")
@click.option("--paper", type=click.Choice(["A4", "A3", "A5"], case_sensitive=False),
              default="A4", show_default=True)
def publish(db: str, out: str, within: str, as_of: date | None, title: str,
            paper: str) -> int:
    """Print the standard place-name directory (标准地名录) of the register.

    Entries are grouped by county, township and category (GB/T 18521); each gives the
    standard name, its romanization with tone marks (GB/T 16159), the division code, and
    location, meaning, origin, history, approval and former names where the register has
    them. Indexes by pinyin and by strokes (with page numbers in the PDF) follow.

    \b
    Example:
      geonames registry publish --db cq.gpkg --within 500101 --out wanzhou.pdf
    """
    from geonames.report.directory import publish_directory

    done = publish_directory(db, out, within=within, as_of=as_of, title=title,
                             paper=paper.upper())
    pages = f", {done.pages} pages ({done.entry_pages} of entries)" if done.pages else ""
    click.echo(f"{out}: {done.entries} entries{pages} in {done.seconds:.1f} s")
    return 0


@registry.command()
@click.argument("path", type=click.Path(dir_okay=False))
@db_option
@click.option("--format", "fmt", type=click.Choice(["gpkg", "geojson", "csv", "lpf"]),
              default=None, help="Output format (default: from the name; *.lpf.json or "
                                 "*.jsonld is Linked Places Format).")
@click.option("--as-of", callback=_date_cb, metavar="YYYY-MM-DD",
              help="Export the register as it stood on this day.")
@click.option("--all", "include_retired", is_flag=True, help="Include retired places.")
@click.option("--base-uri", default="https://example.org/placenames/", show_default=True,
              help="Prefix of place URIs (@id) in Linked Places Format.")
def export(path: str, db: str, fmt: str | None, as_of: date | None, include_retired: bool,
           base_uri: str) -> int:
    """Export the register to GeoPackage, GeoJSON, CSV or Linked Places Format.

    \b
    Examples:
      geonames registry export names.gpkg
      geonames registry export names.lpf.json --base-uri https://names.example.gov.cn/place/
      geonames registry export names-2010.csv --as-of 2010-12-31 --all
    """
    from geonames.registry.exchange import export as do_export

    with _open(db) as reg:
        n = do_export(reg, path, fmt, as_of=as_of, current=not include_retired,
                      base_uri=base_uri)
    click.echo(f"wrote {n} places to {path}")
    return 0


@registry.command()
@click.argument("query", required=False, type=params.QUERY)
@db_option
@click.option("--by", type=click.Choice(["auto", "chars", "pinyin", "initials"]),
              default="auto", show_default=True,
              help="What the query is: characters, pinyin (spaces and tones allowed), "
                   "initials; auto: characters if it has any, else pinyin and initials.")
@click.option("--limit", type=params.count(1, 100_000), default=10, show_default=True)
@click.option("--no-historical", is_flag=True, help="Leave out historical names.")
@click.option("--near", default=None, metavar="X,Y",
              help="Instead of a text query: the places nearest to this point (register "
                   "CRS, e.g. 106.58,29.56), with distances in metres.")
@click.option("--bbox", default=None, metavar="XMIN,YMIN,XMAX,YMAX",
              help="Instead of a text query: the places within this box.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def search(query: str | None, db: str, by: str, limit: int, no_historical: bool,
           near: str | None, bbox: str | None, as_json: bool) -> int:
    """Find places by name (characters, pinyin, initials), near a point, or in a box.

    Exact matches come first, then the query as the proper part of a name (解放碑 →
    解放碑街道), then names starting with it, then names containing it; historical names
    (former names, retired places) are found too and marked.

    \b
    Examples:
      geonames registry search 解放碑
      geonames registry search "jie fang bei"
      geonames registry search jfb
      geonames registry search --near 106.58,29.56 --limit 3
    """
    with _open(db) as reg:
        if near or bbox:
            if near:
                x, y = values.point(near, "--near", geographic=reg.crs.is_geographic)
                rows = [{"place_id": n.place_id, "name": n.name,
                         "distance_m": round(n.distance_m, 1)}
                        for n in reg.nearest(x, y, limit)]
            else:
                rows = [{"place_id": pid, "name": name}
                        for pid, name in reg.within(
                            values.bbox(bbox or "", "--bbox", geographic=reg.crs.is_geographic))]
        else:
            if not query:
                raise click.UsageError("give a QUERY, --near X,Y or --bbox …")
            hits = reg.search(query, by=by, limit=limit, historical=not no_historical)
            codes = reg.division_codes([h.place_id for h in hits])
            rows = [{"place_id": h.place_id, "name": h.name,
                     "division_code": codes.get(h.place_id, ""), "matched": h.matched,
                     "kind": h.kind, "historical": h.historical, "match": h.match,
                     "by": h.by, "status": h.status} for h in hits]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        click.echo("no match")
        return 0
    for r in rows:
        if "distance_m" in r:
            click.echo(f"{r['place_id']}  {r['name']}  {r['distance_m']:.1f} m")
        elif "match" in r:
            note = "" if r["matched"] == r["name"] else \
                f"  (matched {r['matched']}, {r['kind']}{', historical' if r['historical'] else ''})"
            status = "" if r["status"] == "in_use" else f"  [{r['status']}]"
            code = f"  {r['division_code']}" if r["division_code"] else ""
            click.echo(f"{r['place_id']}  {r['name']}{code}{note}  {r['match']} by "
                       f"{r['by']}{status}")
        else:
            click.echo(f"{r['place_id']}  {r['name']}")
    return 0


@registry.command()
@click.argument("place_id")
@db_option
@click.option("--as-of", callback=_date_cb, metavar="YYYY-MM-DD",
              help="The place as it stood on this day.")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
def show(place_id: str, db: str, as_of: date | None, as_json: bool) -> int:
    """Show one place: names, status, approval, links, geometry.

    \b
    Example:
      geonames registry show P0000001 --as-of 2010-01-01
    """
    from geonames.registry.exchange import export_record

    with _open(db) as reg:
        place = reg.get(place_id, as_of=as_of)
    rec = export_record(place)
    rec["geometry"] = place.geometry.wkt if place.geometry is not None else ""
    if as_json:
        click.echo(json.dumps(rec, ensure_ascii=False, indent=1))
        return 0
    click.echo(describe_place(place))
    return 0


@registry.command()
@click.argument("place_id", required=False)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print the events as JSON.")
def history(place_id: str | None, db: str, as_json: bool) -> int:
    """The history of a place (every event), or without PLACE_ID the list of batches.

    \b
    Examples:
      geonames registry history P0000001
      geonames registry history            # batches: imports, renames, merges …
    """
    with _open(db) as reg:
        if place_id is None:
            rows = reg.batches()
            if as_json:
                click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
            for b in rows if not as_json else ():
                click.echo(f"batch {b['batch']}  {b['recorded']}  {b['kind']}  "
                           f"{b['n_events']} events, {b['n_places']} places"
                           + (f"  {b['source']}" if b["source"] else ""))
            return 0
        events = reg.history(place_id)
    if as_json:
        click.echo(json.dumps([event_record(e) for e in events], ensure_ascii=False, indent=1))
        return 0
    for e in events:
        click.echo(f"#{e.seq} batch {e.batch}  {e.summary()}")
    return 0


@registry.command()
@click.argument("place_id")
@click.argument("new_name", type=params.NAME)
@db_option
@approval_options
@click.option("--romanization", default=None, type=params.Text(400), help="Default: GB/T 16159 from the name.")
@click.option("--generic", default=None, type=params.NAME, help="Generic term (default: from the name).")
@override_options
def rename(place_id: str, new_name: str, db: str, effective: date, authority: str,
           document: str, approval_date: date | None, reason: str, romanization: str | None,
           generic: str | None, check_names: bool, force: bool,
           override_decision: str | None) -> int:
    """Rename a place: the id stays, the old name is kept as a former (historical) name.

    \b
    Example:
      geonames registry rename P0000003 开州区 --effective 2016-06-08 \\
          --authority 国务院 --document 国函〔2016〕101号
    """
    with _open(db, check_names) as reg:
        place = reg.rename(place_id, new_name, romanization=romanization, generic=generic,
                           **_write_args(effective, authority, document, approval_date,
                                         reason, force, override_decision))
    click.echo(f"{place.id}: renamed to {place.name} ({place.romanization}) from "
               f"{place.variants[-1].name} on {effective}")
    return 0


@registry.command()
@click.argument("place_id")
@db_option
@approval_options
@override_options
def retire(place_id: str, db: str, effective: date, authority: str, document: str,
           approval_date: date | None, reason: str, check_names: bool, force: bool,
           override_decision: str | None) -> int:
    """Retire a place (废止): it ends on the effective date; its names stay searchable as
    historical.

    \b
    Example:
      geonames registry retire P0000009 --effective 2024-01-01 --reason "village relocated"
    """
    with _open(db, check_names) as reg:
        place = reg.retire(place_id, **_write_args(effective, authority, document,
                                                   approval_date, reason, force,
                                                   override_decision))
    click.echo(f"{place.id}: {place.name} retired on {effective}")
    return 0


@registry.command()
@click.argument("place_ids", nargs=-1, required=True)
@click.option("--into", "into_name", required=True, type=params.NAME, help="Name of the new place.")
@click.option("--into-id", default=None, help="Id of the new place (default: assigned).")
@click.option("--division-code", default="", callback=lambda ctx, param, value: _code(value),
              help="Division code of the new place.")
@db_option
@approval_options
@override_options
def merge(place_ids: tuple[str, ...], into_name: str, into_id: str | None, division_code: str,
          db: str, effective: date, authority: str, document: str,
          approval_date: date | None, reason: str, check_names: bool, force: bool,
          override_decision: str | None) -> int:
    """Merge places into a new one; the old ones end, linked both ways (supersedes /
    superseded_by). One transaction.

    \b
    Example:
      geonames registry merge P0000004 P0000005 --into 大足区 --division-code 500111 \\
          --effective 2011-10-27 --authority 国务院 --document 国函〔2011〕123号
    """
    from geonames.registry import AUTO_ID

    new = PlaceName(id=into_id or AUTO_ID, name=into_name, division_code=division_code)
    with _open(db, check_names) as reg:
        place = reg.merge(list(place_ids), new,
                          **_write_args(effective, authority, document, approval_date, reason,
                                        force, override_decision))
    click.echo(f"{', '.join(place_ids)} merged into {place.id} {place.name} on {effective}")
    return 0


@registry.command()
@click.argument("place_id")
@click.option("--into", "into_names", multiple=True, required=True, type=params.NAME,
              help="Name of a new place (give it once per new place).")
@db_option
@approval_options
@override_options
def split(place_id: str, into_names: tuple[str, ...], db: str, effective: date,
          authority: str, document: str, approval_date: date | None, reason: str,
          check_names: bool, force: bool, override_decision: str | None) -> int:
    """Split a place into new ones; the old one ends, linked both ways. One transaction.

    \b
    Example:
      geonames registry split P0000006 --into 东区 --into 西区 --effective 2020-01-01
    """
    with _open(db, check_names) as reg:
        places = reg.split(place_id, list(into_names),
                           **_write_args(effective, authority, document, approval_date,
                                         reason, force, override_decision))
    click.echo(f"{place_id} split into " + ", ".join(f"{p.id} {p.name}" for p in places)
               + f" on {effective}")
    return 0


@registry.command()
@db_option
@click.option("--quick", is_flag=True, help="Skip folding every place's history.")
def check(db: str, quick: bool) -> int:
    """Check the register's integrity: whole batches, state equal to the history, links both
    ways, indexes. Exit code 1 when anything is wrong.

    \b
    Example:
      geonames registry check --db registry.gpkg
    """
    with _open(db) as reg:
        findings = reg.check(deep=not quick)
        n, batches = len(reg), len(reg.batches())
    if not findings:
        click.echo(f"ok: {n} places, {batches} batches, every batch whole, state matches "
                   "the history")
        return 0
    for f in findings:
        click.echo(f"{f.code}  {f.subject}  {f.message}", err=False)
    click.echo(f"{len(findings)} problems", err=True)
    return 1

