"""What a report holds, independent of how it is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyproj import CRS

from geonames.findings import Finding, count_by_code, tally


@dataclass
class MapLayer:
    """Geometries drawn under the findings on a map (in the report's metric CRS).

    ``labels`` are drawn at each geometry's representative point; ``ids`` (the division codes,
    say) let the interactive map find a feature by its id; ``kind`` is ``"polygon"``,
    ``"line"`` or ``"point"``; ``colour`` (any matplotlib colour) overrides the kind's default;
    ``style`` ``"dashed"`` draws a line layer thin and dashed, over a solid one it is compared
    with. Line and point layers appear in the map's legend under ``name``.
    """

    name: str
    geometries: np.ndarray
    labels: list[str] | None = None
    kind: str = "polygon"
    colour: str | None = None
    style: str = "solid"
    ids: list[str] | None = None


@dataclass
class Table:
    """A table written as ``DIR/<name>.csv`` and shown in the HTML.

    ``titles`` holds the title in other languages (``{"zh": "界桩坐标表"}``); the HTML shows
    the one of its language, else ``title``.
    """

    name: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    titles: dict[str, str] = field(default_factory=dict)


@dataclass
class Section:
    """An extra part of the HTML report (for instance one per boundary line).

    ``titles`` and ``texts`` hold the title and the text in other languages (by language
    code, ``"zh"``); the HTML shows the one of its language, else ``title`` and ``text``.
    """

    title: str
    layers: list[MapLayer] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    text: str = ""
    titles: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


@dataclass
class Report:
    """The result of one check, ready to write.

    Attributes
    ----------
    check : str
        ``"coverage"``, ``"markers"`` …
    findings : list of Finding
    crs : pyproj.CRS or None
        The CRS finding geometries are in (the metric CRS).
    metric_crs : str or None
        Its label (``"EPSG:4545"`` or a PROJ string).
    inputs : dict
        What the check was run on and with (paths, tolerances).
    seconds : float
    layers : list of MapLayer
        What the overview map draws under the findings.
    tables : list of Table
    sections : list of Section
    notes : list of str
        Warnings the reader must see (an assumed CRS, approximate lengths …).
    stats : dict
        Extra figures for ``summary.json``.
    documents : dict
        Further documents written beside the report by their own writers (``"results"``: the
        result documents of a joint inspection, written to ``results/``).
    """

    check: str
    findings: list[Finding]
    crs: CRS | None = None
    metric_crs: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    layers: list[MapLayer] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    documents: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The contents of ``summary.json``."""
        out: dict[str, Any] = {
            "check": self.check,
            "counts": count_by_code(self.findings),
            **tally(self.findings),
            "metric_crs": self.metric_crs,
            "inputs": self.inputs,
            "seconds": round(self.seconds, 3),
        }
        if self.notes:
            out["notes"] = self.notes
        if self.stats:
            out["stats"] = self.stats
        return out

    @property
    def exit_code(self) -> int:
        """0 when no error-severity finding (excepted ones aside), else 1."""
        return 1 if self.summary()["errors"] else 0
