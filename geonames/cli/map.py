"""``geonames map``: printed maps."""

from __future__ import annotations

import click

from geonames.cli.common import crs_option, id_field_option, name_field_option


@click.group(name="map")
def map_group() -> None:
    """Printed maps (PDF, PNG, SVG)."""


@map_group.command("divisions")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Map file to write: .pdf, .png or .svg.")
@click.option("--year", type=click.IntRange(1949, 2100), default=None,
              help="Year the map shows (printed under the title); divisions whose code or "
                   "name is not the one in force at the end of that year (shipped code "
                   "lists and events) are listed as notes on stderr.")
@click.option("--title", default=None,
              help="Map title (default: <province>行政区划图 from the division codes).")
@click.option("--paper", type=click.Choice(["A4", "A3", "A5"], case_sensitive=False),
              default="A4", show_default=True, help="Paper size.")
@click.option("--orientation", type=click.Choice(["portrait", "landscape"]),
              default="portrait", show_default=True)
@click.option("--scale", type=float, default=None, metavar="DENOMINATOR",
              help="Map scale, e.g. 3000000 for 1:3,000,000 (default: the largest round "
                   "scale at which the divisions fit the page). Borders are simplified to "
                   "0.2 mm and gaps up to 1 mm closed at this scale.")
@click.option("--source", default=None,
              help="Data source line (default: 数据来源：<file name>).")
@click.option("--review-number", default="",
              help="Map review number (审图号) given by the map review authority, printed "
                   "on the map; without it the map says it is a draft for review.")
@click.option("--seats", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Point layer of the divisions' seats (政府驻地), matched by division id: "
                   "drawn, with each name placed beside its seat.")
@click.option("--seat-id-field", default=None,
              help="Field of the seats layer holding the division id (default: as for "
                   "divisions).")
@id_field_option
@name_field_option
@crs_option
def divisions(file: str, out: str, year: int | None, title: str | None, paper: str,
              orientation: str, scale: float | None, source: str | None, review_number: str,
              seats: str | None, seat_id_field: str | None, id_field: str | None,
              name_field: str | None, crs: str | None) -> None:
    """Draw the administrative division map of the divisions in FILE.

    The borders are simplified as a coverage (shared borders stay shared), neighbours get
    different colours, names are placed without overlaps (inside their division where they
    fit, else with a leader line), boundary lines are styled by level from the codes.

    \b
    Example:
      geonames map divisions fixtures/chongqing/divisions.geojson --year 2023 --out map.pdf
    """
    from geonames.report.divisionmap import division_map

    dmap = division_map(file, out, year=year, title=title, paper=paper,
                        orientation=orientation, scale=scale, source=source,
                        review_number=review_number, seats=seats,
                        seat_id_field=seat_id_field, id_field=id_field,
                        name_field=name_field, crs=crs)
    cov = dmap.coverage
    outside = int((~dmap.placement.inside).sum())
    click.echo(f"{out}: {len(cov.ids)} divisions at 1:{dmap.scale:,.0f} on {dmap.paper} "
               f"{dmap.orientation}; {cov.stats['vertices_before']} → "
               f"{cov.stats['vertices_after']} vertices (tolerance {cov.tolerance:,.0f} m); "
               f"{cov.stats['colours']} colours; {outside} labels outside their division")
    for note in dmap.notes:
        click.echo(f"note: {note}", err=True)
