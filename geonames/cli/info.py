"""``geonames info``: what a vector file holds."""

from __future__ import annotations

import json

import click

from geonames.cli.common import crs_option, encoding_option, id_field_option, layer_option
from geonames.divisions.io import describe


@click.command()
@click.argument("path", type=click.Path())
@layer_option
@id_field_option
@encoding_option
@crs_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def info(path: str, layer: str | None, id_field: str | None, encoding: str | None,
         crs: str | None, as_json: bool) -> int:
    """Feature count, geometry types, CRS (and the metric CRS used), bbox, fields, ids.

    \b
    Example:
      geonames info fixtures/chongqing/divisions.geojson --json
    """
    facts = describe(path, layer=layer, id_field=id_field, encoding=encoding, crs=crs)
    if as_json:
        click.echo(json.dumps(facts, ensure_ascii=False, indent=2))
        return 0
    types = ", ".join(f"{n} {t}" for t, n in facts["geometry_types"].items())
    lines = [
        f"{facts['path']}" + (f" (layer {facts['layer']})" if facts["layer"] else "")
        + f" [{facts['driver']}]",
        f"features:    {facts['features']} ({types})",
        f"crs:         {facts['crs']}" + (f"  ({facts['crs_note']})" if facts["crs_note"] else ""),
        f"metric crs:  {facts['metric_crs']}  ({facts['metric_crs_reason']})",
        *(f"  {what}: {used}" for what, used in facts["metric_crs_use"].items()),
        "bbox:        " + ", ".join(f"{v:.6f}" for v in facts["bbox"]),
        "fields:      " + ", ".join(f"{k}:{v}" for k, v in facts["fields"].items()),
        f"ids:         from {facts['id_source']}, "
        + ("unique" if facts["ids_unique"] else
           f"NOT unique (duplicates: {', '.join(facts['duplicate_ids'][:10])})"),
    ]
    if facts["encoding"]:
        lines.append(f"encoding:    {facts['encoding']}")
    click.echo("\n".join(lines))
    return 0
