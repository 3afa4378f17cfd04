"""The printed division map (行政区划图): a page at a chosen paper size and scale.

:func:`make_division_map` reads a division layer, builds its map content
(:func:`geonames.boundaries.cartography.map_coverage`: the coverage cleaned and simplified to the
scale, boundary lines by level, colours that differ between neighbours), places the labels
(:func:`geonames.boundaries.cartography.place_labels`, measured with the embedded CJK font) and
draws the page with matplotlib: title, year, map frame with graticule, divisions, boundary
lines, labels with leader lines where a name does not fit its division, north arrow, legend,
scale bar, data source line, and the map review number line. PDF (TrueType/OpenType fonts
embedded, text searchable), PNG and SVG by the output's suffix.

Map content rules followed are listed in ``docs/rules/division-map.md``; a map made here is a
draft for review: publishing it needs a map review number (审图号) that only the map review
authority can give.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.textpath import TextToPath  # noqa: E402
from shapely.geometry.base import BaseGeometry  # noqa: E402

from geonames.boundaries.cartography import (  # noqa: E402
    PROVINCE_NAMES,
    Label,
    MapCoverage,
    Placement,
    map_coverage,
    place_labels,
)
from geonames.crs import WGS84, MetricCRS, reproject, transformer  # noqa: E402
from geonames.divisions.coverage import metric_crs_of  # noqa: E402
from geonames.divisions.io import read_divisions  # noqa: E402
from geonames.errors import GeonamesError  # noqa: E402
from geonames.report.fonts import cjk_family, cjk_font_path, missing_glyphs  # noqa: E402
from geonames.report.pdf import paper_size  # noqa: E402

#: Scale denominators a map scale is rounded up to (then × 10ⁿ).
NICE_SCALES = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0)

#: Colours of the divisions (a colour number from the greedy colouring picks one).
PALETTE = ("#fbe2b0", "#d3eac0", "#f7cdd5", "#cadff2", "#e4d4ee", "#fff1a0", "#d9d9c8",
           "#c8ece6")

#: Line symbols per level: width (pt), colour, dash pattern (pt).
LINE_STYLE: dict[str, tuple[float, str, tuple[float, ...] | None]] = {
    "province": (1.3, "#3d2a4a", (7.0, 1.6, 1.2, 1.6, 1.2, 1.6)),
    "prefecture": (0.9, "#3d2a4a", (5.0, 1.5, 1.2, 1.5)),
    "county": (0.55, "#4d4d4d", (3.0, 1.2)),
    "township": (0.4, "#666666", (1.4, 1.0)),
    "village": (0.3, "#888888", (0.8, 0.8)),
}
LEVEL_NAMES = {"province": "省级界", "prefecture": "地级界", "county": "县级界",
               "township": "乡级界", "village": "村级界"}

#: Size of a seat symbol on paper, mm.
SEAT_MM = 1.8

#: Label font sizes tried, pt (then the same sizes on two lines).
LABEL_SIZES = (8.0, 7.0, 6.0)
PT_MM = 25.4 / 72

#: Page layout, mm.
MARGIN = 12.0
TITLE_BAND = 30.0
BOTTOM_BAND = 34.0
FRAME_PAD = 6.0  # free paper between the data and the frame


@dataclass
class DivisionMap:
    """Everything drawn on the page, in map units (metres of the metric CRS) where spatial.

    Attributes
    ----------
    coverage : MapCoverage
    placement : Placement
    labels : list of list of Label
        The label variants of each division (``placement.choice`` says which one was used).
    metric : MetricCRS
    scale : float
    paper, orientation : str
    frame : (xmin, ymin, xmax, ymax) of the map frame, map units
    title, subtitle, source, review_number : str
    seconds : dict of step → seconds
    """

    coverage: MapCoverage
    placement: Placement
    labels: list[list[Label]]
    metric: MetricCRS
    scale: float
    paper: str
    orientation: str
    frame: tuple[float, float, float, float]
    frame_mm: tuple[float, float, float, float]
    top_mm: float
    title: str
    subtitle: str
    source: str
    review_number: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seats: np.ndarray | None = None  # seat Point (or None) of each division, map units

    @property
    def label_texts(self) -> list[str]:
        """The text of each placed label, its lines joined."""
        return ["".join(self.labels[i][k].lines) for i, k in enumerate(self.placement.choice)]


def nice_scale(needed: float) -> float:
    """The smallest "round" scale denominator at least ``needed``.

    >>> nice_scale(2_780_000), nice_scale(410_000), nice_scale(1_000_000)
    (3000000.0, 500000.0, 1000000.0)
    """
    if not (needed > 0 and math.isfinite(needed)):
        raise GeonamesError(f"cannot choose a map scale for extent factor {needed!r}")
    power = 10.0 ** math.floor(math.log10(needed))
    for step in (*NICE_SCALES, 10.0):
        if step * power >= needed * (1 - 1e-12):
            return step * power
    return 10.0 * power


def make_division_map(path: str | os.PathLike, *, year: int | None = None,
                      title: str | None = None, paper: str = "A4",
                      orientation: str = "portrait", scale: float | None = None,
                      source: str | None = None, review_number: str = "",
                      id_field: str | None = None, name_field: str | None = None,
                      crs: str | None = None, seats: str | os.PathLike | None = None,
                      seat_id_field: str | None = None) -> DivisionMap:
    """Read a division layer and lay out its map (see the module doc); draw it with
    :func:`write_division_map`.

    ``title`` defaults to the name of the unit the divisions belong to when their codes say it
    (``重庆市行政区划图``), ``source`` to the file name. ``scale`` (denominator) defaults to the
    largest round scale at which the divisions fit the frame. ``seats``: a point layer of
    the divisions' seats (政府驻地), matched by id (``seat_id_field``, else as for divisions);
    each seat is drawn and its division's label placed beside it, clear of every seat symbol.
    """
    t0 = time.perf_counter()
    seconds: dict[str, float] = {}
    table = read_divisions(path, id_field=id_field, name_field=name_field, crs=crs)
    if not len(table):
        raise GeonamesError(f"{path}: no divisions to map")
    metric = metric_crs_of(table)
    geoms = reproject(table.geometries, table.crs, metric.crs)
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if not present.all():
        missing = ", ".join(str(i) for i in table.ids[~present][:5])
        raise GeonamesError(f"{path}: divisions without a geometry cannot be mapped: {missing}")
    names = [str(n) or str(i) for n, i in zip(table.names, table.ids)]
    no_glyph = missing_glyphs("".join(names) + (title or ""))
    if no_glyph:
        raise GeonamesError(f"the map font cannot draw {''.join(sorted(no_glyph))!r}")
    _check_inset_rule([str(i) for i in table.ids], path)
    pw, ph = paper_size(paper, orientation)
    fw, fh = pw - 2 * MARGIN, ph - 2 * MARGIN - TITLE_BAND - BOTTOM_BAND
    xmin, ymin, xmax, ymax = (float(v) for v in shapely.total_bounds(geoms))
    needed = max((xmax - xmin) / (fw - 2 * FRAME_PAD), (ymax - ymin) / (fh - 2 * FRAME_PAD)) * 1000
    if scale is None:
        scale = nice_scale(needed)
    elif not (scale > 0 and math.isfinite(scale)):
        raise GeonamesError(f"--scale must be a positive number, not {scale}")
    elif scale < needed:
        raise GeonamesError(
            f"at 1:{scale:,.0f} the divisions do not fit a {paper} {orientation} page: "
            f"use 1:{nice_scale(needed):,.0f} or smaller, or a larger paper")
    seconds["read"] = time.perf_counter() - t0
    t = time.perf_counter()
    coverage = map_coverage(geoms, table.ids, names, scale=scale)
    seconds["coverage"] = time.perf_counter() - t
    t = time.perf_counter()
    cx, cy = (xmin + xmax) / 2, (ymin + ymax) / 2
    # the frame keeps the page width and shrinks in height to the divisions (plus padding)
    fh = min(fh, (ymax - ymin) / scale * 1000 + 2 * FRAME_PAD)
    half_w, half_h = fw / 2 * scale / 1000, fh / 2 * scale / 1000
    spare = ph - 2 * MARGIN - TITLE_BAND - fh - BOTTOM_BAND  # centres the page's content
    frame = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    variants = [label_variants(name, scale) for name in names]
    seat_points = (read_seats(seats, coverage.ids.tolist(), metric, seat_id_field)
                   if seats is not None else np.full(len(names), None, dtype=object))
    seat_boxes = [shapely.buffer(pt, SEAT_MM / 2 * scale / 1000, cap_style="square")
                  for pt in seat_points if pt is not None]
    placement = place_labels(coverage.geometries, variants, frame,
                             anchors=list(seat_points), obstacles=seat_boxes,
                             gap=0.6 * scale / 1000)
    seconds["labels"] = time.perf_counter() - t
    notes = year_notes(coverage.ids.tolist(), names, year) if year else []
    unit = _common_unit(coverage.ids.tolist())
    default_title = f"{unit}行政区划图" if unit else "行政区划图"
    return DivisionMap(
        coverage=coverage, placement=placement, labels=variants, metric=metric, scale=scale,
        paper=paper.upper(), orientation=orientation, frame=frame,
        frame_mm=(MARGIN, ph - MARGIN - spare / 2 - TITLE_BAND - fh, fw, fh),
        top_mm=ph - MARGIN - spare / 2,
        title=title or default_title, subtitle=f"{year}年" if year else "",
        source=source if source is not None else f"数据来源：{Path(path).name}",
        review_number=review_number, seconds=seconds, notes=notes, seats=seat_points)


def read_seats(path: str | os.PathLike, codes: list[str], metric: MetricCRS,
               id_field: str | None = None) -> np.ndarray:
    """The seat point of each division (None where the file has none), in the metric CRS.

    Refuses a file without points, or whose ids match no division. Divisions without a seat
    get their label at their pole of inaccessibility.
    """
    from geonames.divisions.io import division_ids
    from geonames.vector import data_crs_of, read_layer

    raw = read_layer(path)
    points = shapely.get_type_id(raw.geometries)
    if not np.isin(points, (0, 4)).any():
        raise GeonamesError(f"{path}: no point geometries (seats are points)")
    ids, _ = division_ids(raw, id_field)
    crs, _ = data_crs_of(raw)
    geoms = reproject(np.asarray(raw.geometries, dtype=object), crs, metric.crs)
    found: dict[str, BaseGeometry] = {}
    for code, geom, kind in zip(ids, geoms, points):
        if kind in (0, 4) and code not in found:
            found[str(code)] = shapely.get_geometry(geom, 0) if kind == 4 else geom
    if not set(found) & set(codes):
        raise GeonamesError(f"{path}: no seat matches a division id (ids like "
                            f"{', '.join(list(found)[:3])}; divisions like "
                            f"{', '.join(codes[:3])})")
    return np.array([found.get(c) for c in codes], dtype=object)


def year_notes(codes: list[str], names: list[str], year: int) -> list[str]:
    """Divisions whose code or name is not the one in force at the end of ``year``, by the
    shipped code lists and events (:func:`geonames.divisions.history_io.load_log`): a map of
    a year should show that year's divisions. Empty when every one matches."""
    from datetime import date

    from geonames.divisions.history_io import default_events, load_log, national_revisions

    six = [c for c in codes if len(c) == 6 and c.isdigit()]
    if not six:
        return []
    prefixes = {c[:2] for c in six}
    day = date(year, 12, 31)
    try:
        log = load_log(national_revisions(), default_events(),
                       prefix=prefixes.pop() if len(prefixes) == 1 else "")
    except GeonamesError:
        return []
    known = log.codes
    out = []
    for code, name in zip(codes, names):
        if code not in six:
            continue
        if code not in known:
            out.append(f"{code} {name}: not a code of the GB/T 2260 or statistical lists")
            continue
        ident = log.identity_on(code, day)
        if ident is None:
            out.append(f"{code} {name}: no such division at the end of {year}"
                       + _successors(log, code, day))
        elif ident.name_on(day) != name:
            out.append(f"{code} {name}: named {ident.name_on(day)} at the end of {year}")
    return out


def _successors(log, code: str, day) -> str:
    """`` (500155 梁平区 then)``: what the division was on ``day``; ``""`` when unknown."""
    from geonames.divisions.events import HistoryError

    last = log.identities_of(code)[-1]
    if last.valid_from is None and last.valid_to is None:
        return ""
    start = last.valid_from or last.valid_to
    try:
        later = log.translate(code, start, day)
    except HistoryError:
        return ""
    now = [f"{c} {log.identity_on(c, day).name_on(day)}" for c in later
           if log.identity_on(c, day) is not None]
    return f" ({'、'.join(now)} then)" if now else ""


def label_variants(name: str, scale: float) -> list[Label]:
    """The ways of writing ``name``: one line, then two lines, at each of
    :data:`LABEL_SIZES`; box sizes in metres at ``scale`` (font metrics of the CJK font)."""
    prop = FontProperties(fname=cjk_font_path())
    to_path = TextToPath()
    m_per_pt = PT_MM / 1000 * scale
    split = split_name(name)
    out = []
    for size in LABEL_SIZES:
        layouts: list[tuple[str, ...]] = [(name,)]
        if split is not None:
            layouts.append(split)
        for lines in layouts:
            prop.set_size(size)
            width = max(to_path.get_text_width_height_descent(line, prop, ismath=False)[0]
                        for line in lines)
            height = size * (1 + 1.2 * (len(lines) - 1))
            out.append(Label(lines, (width + 1.0) * m_per_pt, (height + 1.0) * m_per_pt,
                             size))
    return out


def split_name(name: str) -> tuple[str, str] | None:
    """Two lines for a long name: after an ethnic group (…族) or before the generic nearest
    the middle, else in the middle; ``None`` for names of four characters or fewer.

    >>> split_name("彭水苗族土家族自治县"), split_name("石柱土家族自治县")
    (('彭水苗族', '土家族自治县'), ('石柱土家族', '自治县'))
    >>> split_name("江北区") is None
    True
    """
    if len(name) <= 4:
        return None
    cuts = {k + 1 for k, ch in enumerate(name[:-1]) if ch == "族"}
    for generic in ("自治县", "自治州", "自治旗", "自治区"):
        if name.endswith(generic):
            cuts.add(len(name) - len(generic))
    cuts = {c for c in cuts if 1 < c < len(name) - 1}
    cut = min(cuts, key=lambda c: (abs(c - len(name) / 2), c)) if cuts else (len(name) + 1) // 2
    return name[:cut], name[cut:]


def write_division_map(dmap: DivisionMap, path: str | os.PathLike, *, dpi: int = 200) -> Path:
    """Draw the map to ``path``: PDF, PNG or SVG by its suffix."""
    out = Path(path)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "png", "svg"):
        raise GeonamesError(f"{out}: the map is written as .pdf, .png or .svg")
    t = time.perf_counter()
    fig = draw(dmap)
    try:
        with plt.rc_context({"pdf.fonttype": 42, "svg.fonttype": "none"}):
            fig.savefig(out, format=fmt, dpi=dpi)
    except OSError as err:
        raise GeonamesError(f"cannot write {out}: {err.strerror or err}") from None
    finally:
        plt.close(fig)
    dmap.seconds["draw"] = time.perf_counter() - t
    return out


def draw(dmap: DivisionMap) -> plt.Figure:
    """The matplotlib figure of the page."""
    family = cjk_family()
    pw, ph = paper_size(dmap.paper, dmap.orientation)
    fig = plt.figure(figsize=(pw / 25.4, ph / 25.4))
    fx, fy, fw, fh = dmap.frame_mm
    ax = fig.add_axes((fx / pw, fy / ph, fw / pw, fh / ph))
    x0, y0, x1, y1 = dmap.frame
    cov = dmap.coverage
    _draw_graticule(ax, dmap, family)
    colours = [PALETTE[c % len(PALETTE)] for c in cov.colours]
    rings, facecolours = [], []
    for geom, colour in zip(cov.geometries, colours):
        for part in shapely.get_parts(geom):
            rings.append(_with_holes(part))
            facecolours.append(colour)
    for verts, colour in zip(rings, facecolours):
        path = matplotlib.path.Path.make_compound_path(
            *[matplotlib.path.Path(r, closed=True) for r in verts])
        ax.add_patch(matplotlib.patches.PathPatch(path, facecolor=colour, edgecolor="none",
                                                  zorder=1))
    _draw_lines(ax, cov)
    _draw_seats(ax, dmap)
    _draw_labels(ax, dmap, family)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_linewidth(0.8)
    _draw_north_arrow(ax, dmap, family)
    top = dmap.top_mm
    fig.text(0.5, (top - 9) / ph, dmap.title, family=family, fontsize=20, ha="center",
             va="center")
    if dmap.subtitle:
        fig.text(0.5, (top - 18) / ph, dmap.subtitle, family=family, fontsize=11,
                 ha="center", va="center")
    fig.text(0.5, (top - 25) / ph, f"比例尺 1:{_thousands(dmap.scale)}", family=family,
             fontsize=8.5, ha="center", va="center")
    _draw_legend(fig, dmap, family)
    _draw_scale_bar(fig, dmap, family)
    note = dmap.source
    review = (f"审图号：{dmap.review_number}" if dmap.review_number
              else "审图号：未取得（本图为送审样图，不得公开使用）")
    bottom = fy - BOTTOM_BAND + 4
    fig.text(MARGIN / pw, bottom / ph, f"{note}    {review}", family=family, fontsize=6.5,
             ha="left", va="bottom", color="#333333")
    fig.text(1 - MARGIN / pw, bottom / ph,
             f"{dmap.metric.label} · 简化容差 {dmap.coverage.tolerance:,.0f} m",
             family=family, fontsize=6, ha="right", va="bottom", color="#666666")
    return fig


def _with_holes(poly: shapely.Polygon) -> list[np.ndarray]:
    rings = [np.asarray(poly.exterior.coords)[:, :2]]
    rings += [np.asarray(r.coords)[:, :2] for r in poly.interiors]
    return rings


def _draw_lines(ax, cov: MapCoverage) -> None:
    for level in ("village", "township", "county", "prefecture", "province"):
        lines = list(cov.lines[cov.line_levels == level])
        if level == cov.outline_level:
            lines += list(cov.outline)
        if not lines:
            continue
        width, colour, dashes = LINE_STYLE[level]
        paths = [np.asarray(g.coords)[:, :2] for g in shapely.get_parts(np.array(lines))]
        if level == cov.outline_level and len(cov.outline):
            band = [np.asarray(g.coords)[:, :2] for g in shapely.get_parts(cov.outline)]
            ax.add_collection(LineCollection(band, colors="#b08cc0", linewidths=4.0, alpha=0.45,
                                             zorder=2, capstyle="round", joinstyle="round"))
        style = (0, dashes) if dashes else "solid"
        ax.add_collection(LineCollection(paths, colors=colour, linewidths=width,
                                         linestyles=[style], zorder=3))


def _draw_seats(ax, dmap: DivisionMap) -> None:
    if dmap.seats is None:
        return
    pts = [p for p in dmap.seats if p is not None]
    if not pts:
        return
    xy = shapely.get_coordinates(np.array(pts, dtype=object))
    size = SEAT_MM / PT_MM  # pt
    ax.plot(xy[:, 0], xy[:, 1], "o", ms=size * 0.8, mfc="white", mec="#222222", mew=0.6,
            zorder=5.5)
    ax.plot(xy[:, 0], xy[:, 1], "o", ms=size * 0.3, color="#222222", zorder=5.6)


def _draw_labels(ax, dmap: DivisionMap, family: str) -> None:
    placement = dmap.placement
    for i, k in enumerate(placement.choice):
        label = dmap.labels[i][k]
        cx, cy = placement.centres[i]
        ax.text(cx, cy, "\n".join(label.lines), family=family, fontsize=label.size,
                ha="center", va="center", ma="center", linespacing=1.2, color="#1a1a1a",
                zorder=6)
        leader = placement.leaders[i]
        if leader is not None:
            xy = np.asarray(leader.coords)
            ax.plot(xy[:, 0], xy[:, 1], color="#333333", lw=0.4, zorder=5)
            ax.plot(xy[0, 0], xy[0, 1], "o", color="#333333", ms=1.6, zorder=5)


def _draw_graticule(ax, dmap: DivisionMap, family: str) -> None:
    x0, y0, x1, y1 = dmap.frame
    to_ll = transformer(dmap.metric.crs, WGS84)
    to_map = transformer(WGS84, dmap.metric.crs)
    xs = np.concatenate([np.linspace(x0, x1, 50), np.full(50, x1), np.linspace(x1, x0, 50),
                         np.full(50, x0)])
    ys = np.concatenate([np.full(50, y0), np.linspace(y0, y1, 50), np.full(50, y1),
                         np.linspace(y1, y0, 50)])
    lon, lat = to_ll.transform(xs, ys)
    lo0, lo1, la0, la1 = min(lon), max(lon), min(lat), max(lat)
    step = next((s for s in (0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0)
                 if (lo1 - lo0) / s <= 8 and (la1 - la0) / s <= 8), 30.0)
    style = {"color": "#8aa9c8", "lw": 0.35, "zorder": 0.5}
    text = {"family": family, "fontsize": 6.5, "color": "#333333"}
    margin = 5 * dmap.scale / 1000  # no labels within 5 mm of a corner
    for lon_v in np.arange(math.ceil(lo0 / step) * step, lo1 + 1e-9, step):
        la = np.linspace(la0, la1, 200)
        mx, my = to_map.transform(np.full_like(la, lon_v), la)
        ax.plot(mx, my, **style)
        for edge, va, dy in ((y0, "top", -1.0), (y1, "bottom", 1.0)):
            x = _crossing(mx, my, edge)
            if x is not None and x0 + margin < x < x1 - margin:
                ax.annotate(_deg(lon_v, "E", "W"), (x, edge), xytext=(0, dy * 2),
                            textcoords="offset points", ha="center", va=va, **text)
    for lat_v in np.arange(math.ceil(la0 / step) * step, la1 + 1e-9, step):
        lo = np.linspace(lo0, lo1, 200)
        mx, my = to_map.transform(lo, np.full_like(lo, lat_v))
        ax.plot(mx, my, **style)
        for edge, ha, dx in ((x0, "right", -1.0), (x1, "left", 1.0)):
            y = _crossing(my, mx, edge)
            if y is not None and y0 + margin < y < y1 - margin:
                ax.annotate(_deg(lat_v, "N", "S"), (edge, y), xytext=(dx * 2, 0),
                            textcoords="offset points", ha=ha, va="center", rotation=90,
                            rotation_mode="anchor", **text)


def _crossing(a: np.ndarray, b: np.ndarray, value: float) -> float | None:
    """``a`` where the polyline (a, b) crosses ``b == value`` (first crossing)."""
    d = np.asarray(b) - value
    hits = np.flatnonzero(np.sign(d[:-1]) != np.sign(d[1:]))
    if not len(hits):
        return None
    k = hits[0]
    t = d[k] / (d[k] - d[k + 1])
    return float(a[k] + t * (a[k + 1] - a[k]))


def _deg(value: float, pos: str, neg: str) -> str:
    hemi = pos if value >= 0 else neg
    value = abs(value)
    whole = int(math.floor(value + 1e-9))
    minutes = int(round((value - whole) * 60))
    return f"{whole}°{minutes:02d}′{hemi}" if minutes else f"{whole}°{hemi}"


def _draw_north_arrow(ax, dmap: DivisionMap, family: str) -> None:
    x0, y0, x1, y1 = dmap.frame
    to_ll = transformer(dmap.metric.crs, WGS84)
    to_map = transformer(WGS84, dmap.metric.crs)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    lon, lat = to_ll.transform(cx, cy)
    nx_, ny_ = to_map.transform(lon, lat + 0.1)
    angle = math.atan2(nx_ - cx, ny_ - cy)  # from grid north, clockwise
    size = 9 * dmap.scale / 1000  # 9 mm
    bx, by = x1 - 10 * dmap.scale / 1000, y1 - 16 * dmap.scale / 1000
    dx, dy = math.sin(angle), math.cos(angle)
    px, py = -dy, dx
    tip = (bx + dx * size / 2, by + dy * size / 2)
    tail = (bx - dx * size / 2, by - dy * size / 2)
    half = size * 0.22
    ax.add_collection(PolyCollection(
        [[tip, (tail[0] + px * half, tail[1] + py * half), (bx, by)],
         [tip, (tail[0] - px * half, tail[1] - py * half), (bx, by)]],
        facecolors=["#222222", "white"], edgecolors="#222222", linewidths=0.6, zorder=7))
    ax.text(tip[0] + dx * size * 0.12, tip[1] + dy * size * 0.12, "北", family=family,
            fontsize=8, ha="center", va="bottom", zorder=7)


def _draw_legend(fig, dmap: DivisionMap, family: str) -> None:
    pw, ph = paper_size(dmap.paper, dmap.orientation)
    cov = dmap.coverage
    levels = [lv for lv in ("province", "prefecture", "county", "township", "village")
              if lv == cov.outline_level or (cov.line_levels == lv).any()]
    top = dmap.frame_mm[1] - 6
    left = MARGIN + 2
    fig.text(left / pw, top / ph, "图  例", family=family, fontsize=8.5, ha="left",
             va="center")
    for k, level in enumerate(levels):
        y = (top - 5 - 4.5 * k) / ph
        width, colour, dashes = LINE_STYLE[level]
        line = matplotlib.lines.Line2D([left / pw, (left + 12) / pw], [y, y], color=colour,
                                       lw=width, transform=fig.transFigure)
        if dashes:
            line.set_dashes(dashes)
        fig.add_artist(line)
        fig.text((left + 14) / pw, y, LEVEL_NAMES[level], family=family, fontsize=7,
                 ha="left", va="center")
    if dmap.seats is not None and any(p is not None for p in dmap.seats):
        y = (top - 5 - 4.5 * len(levels)) / ph
        size = SEAT_MM / PT_MM
        fig.add_artist(matplotlib.lines.Line2D([(left + 6) / pw], [y], marker="o",
                                               ms=size * 0.8, mfc="white", mec="#222222",
                                               mew=0.6, transform=fig.transFigure))
        fig.add_artist(matplotlib.lines.Line2D([(left + 6) / pw], [y], marker="o",
                                               ms=size * 0.3, color="#222222",
                                               transform=fig.transFigure))
        fig.text((left + 14) / pw, y, f"{SEAT_NAMES.get(_division_level(dmap), '')}政府驻地",
                 family=family, fontsize=7, ha="left", va="center")
        levels = [*levels, "seat"]
    y = (top - 5 - 4.5 * len(levels)) / ph
    fig.add_artist(matplotlib.lines.Line2D([left / pw, (left + 12) / pw], [y, y],
                                           color="#333333", lw=0.4,
                                           transform=fig.transFigure))
    fig.text((left + 14) / pw, y, "注记引线", family=family, fontsize=7, ha="left",
             va="center")


SEAT_NAMES = {"province": "省级", "prefecture": "地级", "county": "县级", "township": "乡级"}


def _division_level(dmap: DivisionMap) -> str:
    """Level of the mapped divisions, from the length of their codes."""
    lengths = {len(c) for c in dmap.coverage.ids}
    if lengths == {6}:
        codes = dmap.coverage.ids
        if all(c[2:] == "0000" for c in codes):
            return "province"
        if all(c[4:] == "00" for c in codes):
            return "prefecture"
        return "county"
    return "township" if lengths == {9} else ""


def _draw_scale_bar(fig, dmap: DivisionMap, family: str) -> None:
    pw, ph = paper_size(dmap.paper, dmap.orientation)
    km_per_mm = dmap.scale / 1e6
    length_km = max((v for v in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000)
                     if v / km_per_mm <= 50), default=1)
    length_mm = length_km / km_per_mm
    x = pw / 2 - length_mm / 2
    y = dmap.frame_mm[1] - 14
    for k in range(4):
        seg = matplotlib.patches.Rectangle(
            ((x + k * length_mm / 4) / pw, y / ph), length_mm / 4 / pw, 1.4 / ph,
            facecolor="#222222" if k % 2 == 0 else "white", edgecolor="#222222", lw=0.5,
            transform=fig.transFigure)
        fig.add_artist(seg)
    for k, value in ((0, 0), (2, length_km / 2), (4, length_km)):
        fig.text((x + k * length_mm / 4) / pw, (y + 2.4) / ph, f"{value:g}", family=family,
                 fontsize=6.5, ha="center", va="bottom")
    fig.text((x + length_mm + 2) / pw, (y + 0.7) / ph, "千米", family=family, fontsize=6.5,
             ha="left", va="center")
    fig.text(pw / 2 / pw, (y - 4) / ph, f"1:{_thousands(dmap.scale)}", family=family,
             fontsize=7, ha="center", va="center")


def _thousands(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def _common_unit(codes: list[str]) -> str:
    """Name of the province (or prefecture) all codes belong to, from the code table."""
    provinces = {c[:2] for c in codes}
    if len(provinces) == 1:
        return PROVINCE_NAMES.get(provinces.pop(), "")
    return "中华人民共和国" if len(provinces) >= 30 else ""


def _check_inset_rule(codes: list[str], path: str | os.PathLike) -> None:
    """The public-map content rules: a map of all China, or one showing the whole of Hainan
    Island, carries the South China Sea Islands (南海诸岛) inset. geonames ships no data for
    it, so such maps are refused rather than drawn without it."""
    provinces = {c[:2] for c in codes}
    if "46" in provinces or len(provinces) >= 30:
        raise GeonamesError(
            f"{path}: a map of China or of Hainan must carry the South China Sea Islands "
            "inset (南海诸岛附图, public-map content rules); geonames has no data for it, so it "
            "draws maps of other provinces and their parts only")



def division_map(path: str | os.PathLike, out: str | os.PathLike, **options: object
                 ) -> DivisionMap:
    """:func:`make_division_map` (``options`` are its keywords) then
    :func:`write_division_map` to ``out``; the command ``geonames map divisions``."""
    suffix = Path(out).suffix.lower()
    if suffix not in (".pdf", ".png", ".svg"):
        raise GeonamesError(f"{out}: the map is written as .pdf, .png or .svg")
    dmap = make_division_map(path, **options)  # type: ignore[arg-type]
    write_division_map(dmap, out)
    return dmap
