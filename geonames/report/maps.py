"""Maps drawn with matplotlib for print: divisions (or lines, or markers) with findings on top,
a legend for every colour, a scale bar, and labels that do not overlap (a label that would
cover one already placed is left out; findings' ids are placed first)."""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from geonames.document import MapLayer  # noqa: E402
from geonames.findings import Finding  # noqa: E402
from geonames.report.fonts import cjk_family, missing_glyphs  # noqa: E402

#: Above this many features a layer is drawn without labels.
MAX_LABELS = 400
#: Above this many findings they are drawn without labels.
MAX_FINDING_LABELS = 150

_COLOURS = {"error": "#d62728", "warning": "#ff7f0e", "info": "#1f77b4"}
_EXCEPTED = "#999999"
_WORDS = {"zh": {"error": "错误", "warning": "警告", "info": "提示", "excepted": "已豁免"},
          "en": {"error": "error", "warning": "warning", "info": "info", "excepted": "excepted"}}


def render_map(
    layers: Sequence[MapLayer],
    findings: Sequence[Finding],
    title: str = "",
    size: tuple[float, float] = (10.0, 8.0),
    dpi: int = 110,
    ids: Sequence[str] | None = None,
    lang: str = "zh",
    layer_names: dict[str, str] | None = None,
) -> bytes:
    """Draw layers and findings; return PNG bytes.

    Findings are drawn in the colour of their severity (excepted ones grey), each also marked
    at its representative point so that findings too small for the scale stay visible, and
    labelled with their id (``ids``, else their position in ``findings``) when there are at
    most :data:`MAX_FINDING_LABELS` of them. The legend names every colour (in ``lang``;
    ``layer_names`` renames layers); a scale bar replaces the axes' raw metres.
    """
    family = cjk_family()
    fig, ax = plt.subplots(figsize=size, dpi=dpi)
    try:
        texts: list = []
        for layer in layers:
            texts += _draw_layer(ax, layer, family)
        labels = list(ids) if ids is not None else [str(i) for i in range(1, len(findings) + 1)]
        finding_texts, severities = _draw_findings(ax, findings, labels)
        handles = _legend_handles(layers, severities, lang, layer_names or {})
        legend = None
        if handles:  # "best" costs seconds over thousands of shapes
            few = sum(len(layer.geometries) for layer in layers) + len(findings) < 400
            legend = ax.legend(handles=handles, loc="best" if few else "upper right",
                               fontsize=7, framealpha=0.9, prop={"family": family, "size": 7})
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.set_xticks([])
        ax.set_yticks([])
        if title:
            ax.set_title(_drawable(title), fontfamily=family, fontsize=12)
        fig.tight_layout()
        bar = _scale_bar(ax, family)
        _drop_overlapping(fig, ax, finding_texts + texts, [a for a in (legend, bar) if a])
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        return buf.getvalue()
    finally:
        plt.close(fig)


def _legend_handles(layers: Sequence[MapLayer], severities: set[str], lang: str,
                    names: dict[str, str]) -> list:
    words = _WORDS.get(lang, _WORDS["zh"])
    handles: list = [Patch(facecolor=_COLOURS[s] if s != "excepted" else _EXCEPTED,
                           alpha=0.7, label=words[s])
                     for s in ("error", "warning", "info", "excepted") if s in severities]
    for layer in layers:
        name = names.get(layer.name, layer.name)
        if layer.kind == "polygon":
            handles.append(Patch(facecolor=layer.colour or "#f2efe6", edgecolor="#555555",
                                 linewidth=0.4, label=name))
        elif layer.kind == "line":
            handles.append(Line2D([], [], color=layer.colour or "#1f4e9c",
                                  linewidth=0.9 if layer.style == "dashed" else 2.0,
                                  linestyle="--" if layer.style == "dashed" else "-",
                                  label=name))
        else:
            handles.append(Line2D([], [], marker="^", linestyle="none",
                                  color=layer.colour or "#2ca02c", markersize=4, label=name))
    return handles


def _scale_bar(ax, family: str):
    """A bar of a round length (1, 2 or 5 × 10ⁿ m, about a fifth of the map's width) at the
    lower left, labelled in m or km."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width = x1 - x0
    if not (np.isfinite(width) and width > 0):
        return None
    target = width / 5
    power = 10 ** np.floor(np.log10(target))
    length = max(m * power for m in (1, 2, 5) if m * power <= target)
    x, y = x0 + width * 0.04, y0 + (y1 - y0) * 0.05
    ax.plot([x, x + length], [y, y], color="black", linewidth=3, solid_capstyle="butt",
            zorder=10)
    ax.plot([x, x + length / 2], [y, y], color="white", linewidth=1.2, solid_capstyle="butt",
            zorder=11)
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    label = ax.annotate(text, (x + length / 2, y), xytext=(0, 4), textcoords="offset points",
                        ha="center", va="bottom", fontsize=7, fontfamily=family, zorder=11,
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8,
                              "pad": 1})
    return label


def _drop_overlapping(fig, ax, texts: list, keep: list) -> None:
    """Hide every label that overlaps one placed before it (in list order), an artist of
    ``keep`` (the legend, the scale bar), or the edge of the map."""
    if not texts:
        return
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed: list = [artist.get_window_extent(renderer) for artist in keep]
    for text in texts:
        box = text.get_window_extent(renderer).expanded(1.05, 1.1)
        inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 \
            and box.y1 <= frame.y1
        if not inside or any(box.overlaps(other) for other in placed):
            text.set_visible(False)
        else:
            placed.append(box)


def _draw_layer(ax, layer: MapLayer, family: str) -> list:
    geoms = np.asarray(layer.geometries, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    texts: list = []
    if not len(geoms):
        return texts
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
        missing = missing_glyphs("".join(labels))
        if missing:  # data text the font cannot draw (emoji …): shown as "?" on the map only
            labels = ["".join("?" if ch in missing else ch for ch in label) for label in labels]
        anchors = shapely.point_on_surface(np.asarray(layer.geometries, dtype=object))
        size = 8 if len(labels) < 60 else 6
        for label, anchor in zip(labels, anchors, strict=True):
            if anchor is None or anchor.is_empty or not label:
                continue
            if layer.kind == "point":  # beside the symbol, not on it
                texts.append(ax.annotate(label, (anchor.x, anchor.y), xytext=(4, 2),
                                         textcoords="offset points", fontfamily=family,
                                         fontsize=6, ha="left", va="bottom", color="#333333"))
                continue
            texts.append(ax.annotate(label, (anchor.x, anchor.y), fontfamily=family,
                                     fontsize=size, ha="center", va="center",
                                     color="#333333"))
    return texts


def _draw_findings(ax, findings: Sequence[Finding], labels: Sequence[str]
                   ) -> tuple[list, set[str]]:
    with_geom = [(label, f) for label, f in zip(labels, findings, strict=False)
                 if f.geometry is not None and not f.geometry.is_empty]
    if not with_geom:
        return [], set()
    geoms = np.array([f.geometry for _, f in with_geom], dtype=object)
    colours = [_EXCEPTED if f.excepted else _COLOURS.get(f.severity, "#d62728")
               for _, f in with_geom]
    severities = {"excepted" if f.excepted else str(f.severity) for _, f in with_geom}
    dims = shapely.get_dimensions(geoms)
    polys = dims == 2
    # the first findings (errors) are drawn last, on top
    if polys.any():  # a colour per ring, each ring in its finding's colour
        rings, ring_colours = [], []
        for g, c in reversed(list(zip(geoms[polys], [c for c, p in zip(colours, polys) if p],
                                      strict=True))):
            own = _rings(np.array([g], dtype=object))
            rings += own
            ring_colours += [c] * len(own)
        ax.add_collection(PolyCollection(rings, facecolor=ring_colours, edgecolor="none",
                                         alpha=0.6))
    lines = dims == 1
    if lines.any():
        paths, path_colours = [], []
        for g, c in reversed(list(zip(geoms[lines], [c for c, p in zip(colours, lines) if p],
                                      strict=True))):
            own = _paths(np.array([g], dtype=object))
            paths += own
            path_colours += [c] * len(own)
        ax.add_collection(LineCollection(paths, colors=path_colours, linewidths=2.0))
    anchors = shapely.point_on_surface(geoms)
    xy = shapely.get_coordinates(anchors)
    ax.scatter(xy[:, 0], xy[:, 1], s=22, facecolors="none", edgecolors=colours, linewidths=1.0,
               zorder=5)
    texts = []
    if len(with_geom) <= MAX_FINDING_LABELS:
        for (label, _), (x, y) in zip(with_geom, xy, strict=True):
            texts.append(ax.annotate(label, (x, y), xytext=(3, 3), textcoords="offset points",
                                     fontsize=6, color="#7a0000", zorder=6))
    return texts, severities


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


def _drawable(text: str) -> str:
    """``text`` with the characters the map font cannot draw (emoji …) shown as "?": the
    text itself stays whole in the report's tables and files, only the map simplifies it."""
    missing = missing_glyphs(text)
    return "".join("?" if ch in missing else ch for ch in text) if missing else text
