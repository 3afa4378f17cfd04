"""Map sheets of boundary lines for the printed results (协议书附图 style).

One sheet per line, drawn in the line's own CGCS2000 Gauss–Krüger zone: the two divisions on
either side (filled, named), the line, its markers (numbered by sequence and type), its
tripoints, a coordinate grid labelled in kilometres of the zone, a scale bar with the sheet's
scale, a north arrow (grid north) and a legend. Returned as PNG at print resolution (a PDF
engine sets an image far faster than the same drawing as SVG).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from shapely.geometry.base import BaseGeometry  # noqa: E402

from geonames.report.fonts import cjk_family  # noqa: E402

#: Sheet size on paper, inches (fits an A4 page with its margins and a heading).
SHEET_SIZE = (7.0, 6.2)
#: Resolution of the sheets, dots per inch.
SHEET_DPI = 160
_LEFT_FILL, _RIGHT_FILL = "#f6e7c8", "#dcebd5"
_LINE_COLOUR = "#c0392b"

WORDS = {
    "zh": {"line": "界线", "markers": "界桩", "tripoint": "三交点", "other": "其他界线",
           "north": "北", "grid": "坐标格网（公里）", "scale": "比例尺", "km": "公里",
           "m": "米", "x": "X（北，km）", "y": "Y（东，km）"},
    "en": {"line": "boundary line", "markers": "markers", "tripoint": "tripoint",
           "other": "other lines", "north": "N", "grid": "grid (km)", "scale": "scale",
           "km": "km", "m": "m", "x": "X (north, km)", "y": "Y (east, km)"},
}


@dataclass
class SheetMarker:
    """A marker as the sheet shows it: where (zone CRS) and its short label (``007Q``)."""

    point: BaseGeometry
    label: str


def render_sheet(title: str, line: BaseGeometry, left: tuple[str, BaseGeometry | None],
                 right: tuple[str, BaseGeometry | None], markers: Sequence[SheetMarker],
                 tripoints: Sequence[BaseGeometry] = (), others: Sequence[BaseGeometry] = (),
                 zone_label: str = "", lang: str = "zh", dpi: int = SHEET_DPI) -> bytes:
    """The sheet of one line as PNG bytes. All geometries in the zone's CRS (metres)."""
    words = WORDS[lang]
    family = cjk_family()
    fig, ax = plt.subplots(figsize=SHEET_SIZE, dpi=dpi)
    try:
        xmin, ymin, xmax, ymax = line.bounds
        pad = max(xmax - xmin, ymax - ymin) * 0.12 + 500.0
        xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
        frame = shapely.box(xmin, ymin, xmax, ymax)
        for (name, geom), fill in ((left, _LEFT_FILL), (right, _RIGHT_FILL)):
            if geom is None or geom.is_empty:
                continue
            clipped = shapely.intersection(geom, frame)
            ax.add_collection(PolyCollection(_rings(clipped), facecolor=fill,
                                             edgecolor="#9a9a9a", linewidth=0.4, zorder=1))
            if name and not clipped.is_empty:
                anchor = shapely.point_on_surface(clipped)
                ax.annotate(name, (anchor.x, anchor.y), fontfamily=family, fontsize=14,
                            ha="center", va="center", color="#555555", zorder=2)
        if others:
            ax.add_collection(LineCollection(
                _paths(shapely.intersection(np.asarray(others, dtype=object), frame)),
                colors="#7f7f7f", linewidths=0.6, linestyles="--", zorder=3,
                label=words["other"]))
        ax.add_collection(LineCollection(_paths(np.array([line], dtype=object)),
                                         colors=_LINE_COLOUR, linewidths=1.8, zorder=4,
                                         label=words["line"]))
        if len(markers):
            xy = shapely.get_coordinates(np.array([m.point for m in markers], dtype=object))
            ax.plot(xy[:, 0], xy[:, 1], "s", color="#1f3b73", markersize=4, zorder=6,
                    label=words["markers"])
            for m, (x, y) in zip(markers, xy, strict=True):
                ax.annotate(m.label, (x, y), xytext=(4, 3), textcoords="offset points",
                            fontsize=6.5, color="#1f3b73", zorder=7, fontfamily=family)
        if len(tripoints):
            txy = shapely.get_coordinates(np.asarray(list(tripoints), dtype=object))
            ax.plot(txy[:, 0], txy[:, 1], "^", color="#000000", markersize=6,
                    markerfacecolor="none", zorder=5, label=words["tripoint"])
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)
        ax.set_aspect("equal")
        _grid(ax, words, family)
        _scale_bar(ax, fig, words, family)
        _north_arrow(ax, words, family)
        ax.legend(loc="lower right", prop={"family": family, "size": 7}, framealpha=0.9)
        ax.set_title(title, fontfamily=family, fontsize=11)
        if zone_label:
            ax.text(0.0, -0.09, zone_label, transform=ax.transAxes, fontsize=6.5,
                    fontfamily=family, color="#444444", va="top")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return buf.getvalue()
    finally:
        plt.close(fig)


def nice_step(span: float, target: int = 5) -> float:
    """A round step (1, 2 or 5 × 10ⁿ) giving about ``target`` intervals over ``span``.

    >>> nice_step(23000.0), nice_step(900.0)
    (5000.0, 200.0)
    """
    raw = span / max(target, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for m in (1.0, 2.0, 5.0, 10.0):
        if raw <= m * power:
            return m * power
    return 10.0 * power


def _grid(ax, words: dict[str, str], family: str) -> None:
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    step = max(nice_step(xmax - xmin), nice_step(ymax - ymin))
    xs = np.arange(math.ceil(xmin / step) * step, xmax, step)
    ys = np.arange(math.ceil(ymin / step) * step, ymax, step)
    ax.set_xticks(xs)
    ax.set_yticks(ys)
    fmt = "{:.0f}" if step >= 1000 else "{:.1f}"
    ax.set_xticklabels([fmt.format(v / 1000) for v in xs], fontsize=6.5)
    ax.set_yticklabels([fmt.format(v / 1000) for v in ys], fontsize=6.5)
    ax.grid(True, color="#b0b0b0", linewidth=0.3)
    ax.set_xlabel(words["y"], fontfamily=family, fontsize=7)
    ax.set_ylabel(words["x"], fontfamily=family, fontsize=7)


def _scale_bar(ax, fig, words: dict[str, str], family: str) -> None:
    xmin, xmax = ax.get_xlim()
    ymin, ymax = ax.get_ylim()
    length = nice_step(xmax - xmin, 4)
    x0, y0 = xmin + (xmax - xmin) * 0.05, ymin + (ymax - ymin) * 0.05
    ax.plot([x0, x0 + length], [y0, y0], color="black", linewidth=3, solid_capstyle="butt",
            zorder=8)
    ax.plot([x0, x0 + length / 2], [y0, y0], color="white", linewidth=1.2,
            solid_capstyle="butt", zorder=9)
    label = (f"{length / 1000:g} {words['km']}" if length >= 1000
             else f"{length:g} {words['m']}")
    # The sheet's scale: ground metres per metre of paper along the axis.
    fig.canvas.draw()
    width_in = ax.get_window_extent().width / fig.dpi
    scale = (xmax - xmin) / (width_in * 0.0254)
    ax.text(x0, y0 + (ymax - ymin) * 0.02, f"0  {label}    {words['scale']} 1:{_round_scale(scale):,}",
            fontsize=7, fontfamily=family, zorder=9, va="bottom")


def _round_scale(scale: float) -> int:
    step = 10 ** max(0, int(math.floor(math.log10(scale))) - 1)
    return int(round(scale / step) * step)


def _north_arrow(ax, words: dict[str, str], family: str) -> None:
    ax.annotate("", xy=(0.94, 0.96), xytext=(0.94, 0.86), xycoords="axes fraction",
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.2})
    ax.text(0.94, 0.975, words["north"], transform=ax.transAxes, ha="center", va="bottom",
            fontsize=9, fontfamily=family)


def _rings(geom: BaseGeometry) -> list[np.ndarray]:
    parts = shapely.get_parts(np.array([geom], dtype=object))
    parts = parts[shapely.get_type_id(parts) == 3]
    return [np.asarray(r.coords)[:, :2] for r in shapely.get_rings(parts)]


def _paths(geoms: np.ndarray) -> list[np.ndarray]:
    parts = shapely.get_parts(np.asarray(geoms, dtype=object))
    parts = parts[shapely.get_dimensions(parts) == 1]
    return [np.asarray(p.coords)[:, :2] for p in parts if not p.is_empty]
