"""``geonames lines …``: boundary lines between divisions."""

from __future__ import annotations

from pathlib import Path

import click

from geonames.boundaries.io import write_boundary_lines
from geonames.boundaries.lines import extract_division_lines
from geonames.cli import params
from geonames.cli.common import (
    Progress,
    crs_option,
    encoding_option,
    id_field_option,
    layer_option,
    name_field_option,
    quiet_option,
)
from geonames.divisions.io import read_divisions
from geonames.errors import InputFileError


@click.group("lines")
def lines() -> None:
    """Boundary lines between divisions (with the division on each side)."""


@lines.command("extract")
@click.argument("divisions", type=click.Path())
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              metavar="LINES.gpkg", help="GeoPackage to write (replaced if it exists).")
@click.option("--snap", type=params.METRES, default=0.0, show_default=True,
              metavar="M",
              help="Close gaps narrower than this and snap vertices this close (metres), so "
                   "that divisions that nearly meet (dirty data) still get one line.")
@layer_option
@id_field_option
@name_field_option
@encoding_option
@crs_option
@quiet_option
def extract(divisions: str, output: str, snap: float, layer: str | None,
            id_field: str | None, name_field: str | None, encoding: str | None,
            crs: str | None, quiet: bool) -> int:
    """Extract the boundary lines of a layer of divisions into a GeoPackage.

    \b
    Layers written (in the metric CRS, lengths in metres):
      boundary_lines  one line per maximal border shared by two divisions:
                      line_id, left_id, right_id, left_name, right_name, length_m;
                      each line runs with left_id on its left
      tripoints       points where three or more divisions meet: ids, names, divisions
      outer_boundary  borders with no division on the other side: division_id, name,
                      kind (outer: the outline; gap: around an enclosed gap), length_m
      adjacency       table of neighbours: first_id, second_id, names,
                      shared_length_m, lines

    Overlaps are given to one side (the one with the longest border) and invalid polygons
    repaired first.

    \b
    Examples:
      geonames lines extract fixtures/chongqing/divisions.geojson -o lines.gpkg
      geonames lines extract fixtures/chongqing/divisions.geojson -o lines.gpkg --snap 200
    """
    if Path(output).suffix.lower() != ".gpkg":
        raise InputFileError(f"{output}: the output must be a GeoPackage (.gpkg)")
    progress = Progress(quiet)
    table = read_divisions(divisions, layer=layer, id_field=id_field, name_field=name_field,
                           encoding=encoding, crs=crs)
    progress(f"read {len(table)} divisions from {divisions} (ids from {table.id_source})")
    result = extract_division_lines(table, crs=crs, snap=snap, progress=progress)
    progress(f"writing {output}")
    metric = result.metric
    if metric is None:  # extract_division_lines always measures in a metric CRS
        raise InputFileError(f"{divisions}: the lines have no metric CRS")
    write_boundary_lines(result, output, metric.crs)
    if not quiet:
        click.echo(
            f"{len(result.lines)} boundary lines between {len(result.adjacency)} pairs of "
            f"neighbours ({result.lengths.sum() / 1000:,.1f} km), {len(result.tripoints)} "
            f"tripoints, outer boundary {result.outer_lengths.sum() / 1000:,.1f} km "
            f"(metric CRS {metric.label})")
        click.echo(f"written: {output}")
    return 0
