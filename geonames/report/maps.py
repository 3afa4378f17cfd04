"""Maps drawn with matplotlib: divisions (or lines, or markers) with findings on top."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402

from geonames.document import MapLayer  # noqa: E402
from geonames.findings import Finding  # noqa: E402
from geonames.report.fonts import cjk_family, missing_glyphs  # noqa: E402

#: Above this many features a layer is drawn without labels.
MAX_LABELS = 400
#: Above this many findings they are drawn without labels.
MAX_FINDING_LABELS = 150

_COLOURS = {"error": "#d62728", "warning": "#ff7f0e", "info": "#1f77b4"}


def render_map(
    layers: Sequence[MapLayer],
    findings: Sequence[Finding],
    title: str = "",
    size: tuple[float, float] = (10.0, 8.0),
    dpi: int = 110,
) -> bytes:
    """Draw layers and findings; return PNG bytes.

    Findings are drawn in the colour of their severity (excepted ones grey), each also marked
    at its representative point so that findings too small for the scale stay visible, and
    numbered when there are at most :data:`MAX_FINDING_LABELS` of them (the number is the
    finding's row in the report's tables).
    """
    family = cjk_family()
    fig, ax = plt.subplots(figsize=size, dpi=dpi)
    try:
        for layer in layers:
            _draw_layer(ax, layer, family)
        _draw_findings(ax, findings)
        if sum(layer.kind != "polygon" for layer in layers) > 1:
            ax.legend(loc="best", fontsize=7, prop={"family": family, "size": 7})
        ax.set_aspect("equal")
        ax.tick_params(labelsize=7)
        ax.ticklabel_format(useOffset=False, style="plain")
        if title:
            _check_glyphs(title)
            ax.set_title(title, fontfamily=family, fontsize=12)
        ax.autoscale_view()
        buf = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def _draw_layer(ax, layer: MapLayer, family: str) -> None:
    geoms = np.asarray(layer.geometries, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    if not len(geoms):
        return
    if layer.kind == "polygon":
        ax.add_collection(PolyCollection(_rings(geoms), facecolor=layer.colour or "#f2efe6",
                                         edgecolor="#555555", linewidth=0.4))
    elif layer.kind == "line":
        dashed = layer.style == "dashed"
        ax.add_collection(LineCollection(_paths(geoms), colors=layer.colour or "#1f4e9c",
                                         linewidths=0.9 if dashed else 2.0,
                                         linestyles="--" if dashed else "-", label=layer.name))
    else:
        xy = shapely.get_coordinates(geoms)
        ax.plot(xy[:, 0], xy[:, 1], "^", color=layer.colour or "#2ca02c", markersize=4,
                label=layer.name)
    if layer.labels is not None and len(layer.labels) <= MAX_LABELS:
        labels = [str(label) for label in layer.labels]
        _check_glyphs("".join(labels))
        anchors = shapely.point_on_surface(np.asarray(layer.geometries, dtype=object))
        size = 8 if len(labels) < 60 else 6
        for label, anchor in zip(labels, anchors, strict=True):
            if anchor is None or anchor.is_empty or not label:
                continue
            if layer.kind == "point":  # beside the symbol, not on it
                ax.annotate(label, (anchor.x, anchor.y), xytext=(4, 2),
                            textcoords="offset points", fontfamily=family, fontsize=6,
                            ha="left", va="bottom", color="#333333")
                continue
            ax.annotate(label, (anchor.x, anchor.y), fontfamily=family, fontsize=size,
                        ha="center", va="center", color="#333333")


def _draw_findings(ax, findings: Sequence[Finding]) -> None:
    with_geom = [(i, f) for i, f in enumerate(findings, 1) if f.geometry is not None
                 and not f.geometry.is_empty]
    if not with_geom:
        return
    geoms = np.array([f.geometry for _, f in with_geom], dtype=object)
    colours = ["#999999" if f.excepted else _COLOURS.get(f.severity, "#d62728")
               for _, f in with_geom]
    dims = shapely.get_dimensions(geoms)
    polys = dims == 2
    if polys.any():
        ax.add_collection(PolyCollection(
            _rings(geoms[polys]), facecolor=[c for c, p in zip(colours, polys) if p],
            edgecolor="none", alpha=0.6))
    lines = dims == 1
    if lines.any():
        ax.add_collection(LineCollection(
            _paths(geoms[lines]),
            colors=[c for c, p in zip(colours, lines) if p], linewidths=2.0))
    anchors = shapely.point_on_surface(geoms)
    xy = shapely.get_coordinates(anchors)
    ax.scatter(xy[:, 0], xy[:, 1], s=22, facecolors="none", edgecolors=colours, linewidths=1.0,
               zorder=5)
    if len(with_geom) <= MAX_FINDING_LABELS:
        for (number, _), (x, y) in zip(with_geom, xy, strict=True):
            ax.annotate(str(number), (x, y), xytext=(3, 3), textcoords="offset points",
                        fontsize=6, color="#7a0000", zorder=6)


def _rings(geoms: np.ndarray) -> list[np.ndarray]:
    """Exterior and interior rings of polygonal geometries as coordinate arrays."""
    parts = shapely.get_parts(geoms)
    parts = parts[shapely.get_type_id(parts) == 3]
    rings = shapely.get_rings(parts)
    return [np.asarray(r.coords)[:, :2] for r in rings]


def _paths(geoms: np.ndarray) -> list[np.ndarray]:
    parts = shapely.get_parts(geoms)
    lines = shapely.get_parts(shapely.boundary(parts[shapely.get_dimensions(parts) == 2]))
    lines = np.concatenate([parts[shapely.get_dimensions(parts) == 1], lines])
    return [np.asarray(line.coords)[:, :2] for line in lines]


def _check_glyphs(text: str) -> None:
    missing = missing_glyphs(text)
    if missing:
        raise ValueError(f"the map font cannot draw {''.join(sorted(missing))!r}")
