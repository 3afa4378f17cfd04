"""``geonames inspect …``: boundary audit commands sharing one report contract."""

from __future__ import annotations

import click

from geonames.cli import LazyGroup

#: Inspection commands: name → "module:attribute".
INSPECTIONS: dict[str, str] = {
    "changes": "geonames.cli.changes:changes",
    "coverage": "geonames.cli.coverage:coverage",
    "edgematch": "geonames.cli.edgematch:edgematch",
    "levels": "geonames.cli.levels:levels",
    "markers": "geonames.cli.markers:markers",
    "run": "geonames.cli.run:run",
}


@click.group(cls=LazyGroup, lazy=INSPECTIONS)
def inspect() -> None:
    """Boundary audits: each writes summary.json, findings.csv, findings.gpkg and report.html.

    Exit code 0 when there are no error findings, 1 when there are, 2 for bad input.
    """
