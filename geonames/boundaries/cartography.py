"""The content of a division map, independent of how it is drawn.

:func:`map_coverage` turns a layer of division polygons (in a metric CRS) into what a printed
division map (行政区划图) shows at a given scale:

* the coverage **cleaned** (:func:`shapely.coverage_clean`: overlaps given to one side, gaps
  narrower than ``gap_width`` closed, vertices within ``snap`` snapped) and **simplified as a
  coverage** (:func:`shapely.coverage_simplify`, GEOS coverage simplification): every shared
  border is simplified once, so neighbours still share it exactly and no gap or overlap opens;
* the **boundary lines** between neighbours with their **level** from the division codes
  (:func:`line_level`: province, prefecture, county or township line) and the outline;
* **colours** so that no two neighbours (divisions sharing a border or a corner) have the same
  one (:func:`colour_divisions`, greedy DSATUR colouring from ``networkx``);

and :func:`place_labels` places one label box per division so that no two boxes overlap:
inside the division where the box fits, otherwise outside with a leader line.

Tolerances follow the map scale: at 1:``scale`` one millimetre of paper is ``scale / 1000``
metres, so the defaults (simplify to 0.2 mm, close gaps up to 1 mm) are what a printed map can
show and no more.

>>> from shapely import box
>>> squares = [box(0, 0, 1000, 1000), box(1000, 0, 2000, 1000), box(0, 1000, 2000, 2000)]
>>> m = map_coverage(squares, ["500101", "500102", "500230"], ["a", "b", "c"], scale=100_000)
>>> sorted(m.line_levels.tolist())
['county', 'county', 'county']
>>> len(set(m.colours.tolist()))
3
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geonames.boundaries.lines import extract_lines
from geonames.divisions.codes import MUNICIPALITIES
from geonames.geometry import repair

#: Province-level units by GB/T 2260 code (names as in the statistical division codes of 2023,
#: plus the three units outside them), for map titles.
PROVINCE_NAMES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}

#: Levels of boundary lines, highest first.
LINE_LEVELS = ("province", "prefecture", "county", "township", "village")

#: Paper millimetres: simplification tolerance and widest gap closed, at the map scale.
SIMPLIFY_MM = 0.2
GAP_MM = 1.0


def line_level(a: str, b: str) -> str:
    """Level of the boundary between divisions with codes ``a`` and ``b``: the highest level at
    which their codes differ (GB/T 2260 pairs, then GB/T 10114 township and village parts).

    >>> line_level("500101", "510105"), line_level("510105", "510723")
    ('province', 'prefecture')
    >>> line_level("500101", "500230"), line_level("500101001", "500101002")
    ('county', 'township')
    """
    if a[:2] != b[:2]:
        return "province"
    if a[2:4] != b[2:4] and a[:2] not in MUNICIPALITIES:
        return "prefecture"
    if a[4:6] != b[4:6]:
        return "county"
    if a[6:9] != b[6:9]:
        return "township"
    return "village"


def outline_level(codes: Sequence[str]) -> str:
    """Level of a layer's outline: the level of the unit all its divisions belong to.

    >>> outline_level(["500101", "500230"]), outline_level(["510105", "510106"])
    ('province', 'prefecture')
    """
    codes = [str(c) for c in codes]
    if not codes:
        return "province"
    if len({c[:2] for c in codes}) > 1:
        return "province"  # a national layer: the outline is the national border, drawn the
        # province way here (the national border has its own symbol on official maps)
    if codes[0][:2] in MUNICIPALITIES or len({c[:4] for c in codes}) > 1:
        return "province"
    if len({c[:6] for c in codes}) > 1:
        return "prefecture"
    return "county"


@dataclass
class MapCoverage:
    """What :func:`map_coverage` returns. Positions index ``ids``.

    Attributes
    ----------
    ids, names : numpy arrays of str
    geometries : numpy array of Polygon / MultiPolygon
        Cleaned and simplified, metric CRS.
    cleaned : numpy array
        Cleaned, before simplification.
    adjacency : numpy int array (k, 2)
        Neighbours sharing a border line (first < second).
    touching : numpy int array (k, 2)
        Neighbours sharing a border line or only a point.
    lines : numpy array of LineString
        Shared borders; ``left`` / ``right`` the divisions either side.
    line_levels : numpy array of str
        :func:`line_level` of each line.
    outline : numpy array of LineString
        Borders with no division on the other side.
    outline_level : str
    colours : numpy int array
        Colour number of each division (0, 1, …).
    scale : float
        Map scale denominator the tolerances were derived from.
    tolerance, gap_width, snap : float, m
    stats : dict
    """

    ids: np.ndarray
    names: np.ndarray
    geometries: np.ndarray
    cleaned: np.ndarray
    adjacency: np.ndarray
    touching: np.ndarray
    lines: np.ndarray
    left: np.ndarray
    right: np.ndarray
    line_levels: np.ndarray
    outline: np.ndarray
    outline_level: str
    colours: np.ndarray
    scale: float
    tolerance: float
    gap_width: float
    snap: float
    stats: dict[str, object] = field(default_factory=dict)


def map_coverage(geometries: Sequence[BaseGeometry | None] | np.ndarray,
                 ids: Sequence[object] | np.ndarray, names: Sequence[object] | np.ndarray,
                 *, scale: float, tolerance: float | None = None,
                 gap_width: float | None = None, snap: float | None = None) -> MapCoverage:
    """Clean, simplify as a coverage, find lines and levels, colour (see the module doc).

    Parameters
    ----------
    geometries : array of Polygon / MultiPolygon
        In a metric CRS (metres). Invalid ones are repaired first.
    ids : codes (GB/T 2260 / 10114), used for the line levels
    names : division names
    scale : float
        Map scale denominator (3_000_000 for 1:3,000,000).
    tolerance : float, m
        Simplification tolerance; default :data:`SIMPLIFY_MM` of paper at the scale.
    gap_width : float, m
        Gaps narrower than this are closed; default :data:`GAP_MM` of paper.
    snap : float, m
        Vertices this close are snapped together; default ``tolerance / 2``.
    """
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"scale must be a positive number, not {scale!r}")
    tolerance = SIMPLIFY_MM * scale / 1000 if tolerance is None else tolerance
    gap_width = GAP_MM * scale / 1000 if gap_width is None else gap_width
    snap = tolerance / 2 if snap is None else snap
    ids = np.asarray([str(i) for i in ids], dtype=object)
    names = np.asarray([str(n) for n in names], dtype=object)
    geoms = repair(np.asarray(geometries, dtype=object)).geometries
    present = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if not present.all():
        missing = ", ".join(ids[~present][:5])
        raise ValueError(f"divisions without a geometry cannot be mapped: {missing}")
    cleaned = shapely.coverage_clean(  # type: ignore[attr-defined]  # GEOS 3.14, not in the stubs yet
        geoms, gap_width=gap_width, snapping_distance=snap)
    cleaned = _polygonal(cleaned)
    simplified = _polygonal(shapely.coverage_simplify(cleaned, tolerance))
    found = extract_lines(simplified, ids, names)
    levels = np.array([line_level(ids[a], ids[b]) for a, b in zip(found.left, found.right)],
                      dtype=object)
    touching = _touching(found.adjacency, found.tripoint_members)
    colours = colour_divisions(len(ids), touching)
    stats: dict[str, object] = {
        "divisions": int(len(ids)),
        "vertices_before": int(shapely.get_num_coordinates(geoms).sum()),
        "vertices_after": int(shapely.get_num_coordinates(simplified).sum()),
        "colours": int(colours.max() + 1) if len(colours) else 0,
    }
    return MapCoverage(
        ids=ids, names=names, geometries=simplified, cleaned=cleaned,
        adjacency=found.adjacency, touching=touching, lines=found.lines, left=found.left,
        right=found.right, line_levels=levels, outline=found.outer,
        outline_level=outline_level(ids.tolist()), colours=colours, scale=float(scale),
        tolerance=float(tolerance), gap_width=float(gap_width), snap=float(snap), stats=stats)


def colour_divisions(n: int, pairs: np.ndarray) -> np.ndarray:
    """Colour numbers for ``n`` divisions so that the two of every pair differ.

    Greedy DSATUR colouring (:func:`networkx.greedy_color`): deterministic, and at most one
    more colour than the largest number of mutual neighbours; four or five for real maps.

    >>> colour_divisions(3, np.array([[0, 1], [1, 2], [0, 2]])).tolist()
    [0, 1, 2]
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((int(a), int(b)) for a, b in np.asarray(pairs).reshape(-1, 2))
    found = nx.greedy_color(graph, strategy="DSATUR")
    return np.array([found[i] for i in range(n)], dtype=int)


def _touching(adjacency: np.ndarray, members: np.ndarray) -> np.ndarray:
    pairs = [tuple(p) for p in np.asarray(adjacency).reshape(-1, 2).tolist()]
    for row in np.asarray(members):
        nodes = sorted(int(v) for v in row if v >= 0)
        pairs += [(a, b) for k, a in enumerate(nodes) for b in nodes[k + 1:]]
    out = sorted(set(pairs))
    return np.array(out, dtype=int).reshape(-1, 2)


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    out = np.asarray(geoms, dtype=object).copy()
    bad = ~np.isin(shapely.get_type_id(out), (3, 6))
    if bad.any():
        out[bad] = repair(out[bad]).geometries
    return out


# --------------------------------------------------------------------------------------------
# Labels


@dataclass
class Label:
    """One way of writing a label: its lines and box size in map units (m)."""

    lines: tuple[str, ...]
    width: float
    height: float
    size: float = 0.0  # font size, pt (for the renderer)


@dataclass
class Placement:
    """What :func:`place_labels` returns; positions index the polygons.

    Attributes
    ----------
    boxes : numpy float array (n, 4)
        xmin, ymin, xmax, ymax of each label's box, map units.
    choice : numpy int array
        Which of the label's variants was used.
    inside : numpy bool array
        True where the box lies inside its polygon.
    anchors : numpy array of Point
        The point each label belongs to (pole of inaccessibility or the given seat).
    leaders : list of LineString or None
        From the anchor to the box, for labels outside their polygon.
    """

    boxes: np.ndarray
    choice: np.ndarray
    inside: np.ndarray
    anchors: np.ndarray
    leaders: list[BaseGeometry | None]

    @property
    def centres(self) -> np.ndarray:
        return np.column_stack([(self.boxes[:, 0] + self.boxes[:, 2]) / 2,
                                (self.boxes[:, 1] + self.boxes[:, 3]) / 2])


def place_labels(polygons: Sequence[BaseGeometry] | np.ndarray,
                 variants: Sequence[Sequence[Label]],
                 frame: tuple[float, float, float, float], *,
                 anchors: Sequence[BaseGeometry | None] | None = None,
                 obstacles: Sequence[BaseGeometry] = (),
                 gap: float = 0.0) -> Placement:
    """Place one label per polygon; no two label boxes overlap (nor touch ``obstacles``).

    Each polygon has one or more label ``variants`` (for instance one line, two lines, a
    smaller size), tried in order. The first pass places labels inside their polygon: for each
    polygon, smallest first, the candidate positions nearest the anchor come first, and the
    first variant and position whose box lies inside the polygon and clear of the boxes
    already placed wins. The second pass places the rest outside, on rings of growing radius
    around the anchor, inside ``frame``, with a leader line to the anchor. Deterministic.

    ``gap`` (map units) is kept free around each box. Raises :class:`ValueError` when a label
    finds no room in the frame at all.
    """
    polygons = np.asarray(polygons, dtype=object)
    n = len(polygons)
    if anchors is None:
        anchor_arr = np.array([_pole(p) for p in polygons], dtype=object)
    else:
        anchor_arr = np.array([a if a is not None else _pole(p)
                               for a, p in zip(anchors, polygons)], dtype=object)
    boxes = np.zeros((n, 4))
    choice = np.full(n, -1, dtype=int)
    inside = np.zeros(n, dtype=bool)
    leaders: list[BaseGeometry | None] = [None] * n
    placed = _Boxes(list(obstacles))
    order = np.argsort(shapely.area(polygons), kind="stable")
    for i in order:
        poly = polygons[i]
        shapely.prepare(poly)
        ax, ay = anchor_arr[i].x, anchor_arr[i].y
        for k, label in enumerate(variants[i]):
            found = None
            for cx, cy in _inside_candidates(poly, ax, ay, label.width, label.height):
                box = _box(cx, cy, label)
                if poly.contains(box) and placed.free(box, gap):
                    found = box
                    break
            if found is not None:
                boxes[i] = found.bounds
                choice[i], inside[i] = k, True
                placed.add(found)
                break
    fx0, fy0, fx1, fy1 = frame
    for i in order:
        if choice[i] >= 0:
            continue
        ax, ay = anchor_arr[i].x, anchor_arr[i].y
        label = variants[i][0]
        found = None
        for cx, cy in _outside_candidates(ax, ay, label.width, label.height,
                                          max(fx1 - fx0, fy1 - fy0)):
            box = _box(cx, cy, label)
            x0, y0, x1, y1 = box.bounds
            if fx0 <= x0 and x1 <= fx1 and fy0 <= y0 and y1 <= fy1 and placed.free(box, gap):
                found = box
                break
        if found is None:
            raise ValueError(f"no room in the map frame for label {i} "
                             f"({''.join(label.lines)})")
        boxes[i] = found.bounds
        choice[i] = 0
        placed.add(found)
        leaders[i] = shapely.shortest_line(anchor_arr[i], found)
    return Placement(boxes=boxes, choice=choice, inside=inside, anchors=anchor_arr,
                     leaders=leaders)


def boxes_overlap(boxes: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of boxes (xmin, ymin, xmax, ymax rows) whose interiors overlap.

    >>> boxes_overlap(np.array([[0, 0, 2, 1], [1, 0, 3, 1], [3, 0, 4, 1]]))
    [(0, 1)]
    """
    b = np.asarray(boxes, dtype=float)
    out = []
    for i in range(len(b)):
        x = (b[i + 1:, 0] < b[i, 2]) & (b[i, 0] < b[i + 1:, 2])
        y = (b[i + 1:, 1] < b[i, 3]) & (b[i, 1] < b[i + 1:, 3])
        out += [(i, i + 1 + int(j)) for j in np.flatnonzero(x & y)]
    return out


class _Boxes:
    """Boxes placed so far, queried with an STRtree rebuilt lazily."""

    def __init__(self, geoms: list[BaseGeometry]) -> None:
        self.geoms = list(geoms)
        self.tree: shapely.STRtree | None = None

    def add(self, geom: BaseGeometry) -> None:
        self.geoms.append(geom)
        self.tree = None

    def free(self, box: BaseGeometry, gap: float) -> bool:
        if not self.geoms:
            return True
        if self.tree is None:
            self.tree = shapely.STRtree(self.geoms)
        probe = shapely.buffer(box, gap, join_style="mitre") if gap > 0 else box
        hits = self.tree.query(probe, predicate="intersects")
        if not len(hits):
            return True
        # touching edges are allowed; overlapping interiors are not
        return not any(shapely.area(shapely.intersection(probe, self.geoms[h])) > 0
                       or shapely.contains(self.geoms[h], probe) for h in hits)


def _box(cx: float, cy: float, label: Label) -> BaseGeometry:
    return shapely.box(cx - label.width / 2, cy - label.height / 2,
                       cx + label.width / 2, cy + label.height / 2)


def _pole(poly: BaseGeometry) -> BaseGeometry:
    """Centre of the largest inscribed circle of the largest part."""
    parts = shapely.get_parts(poly)
    big = parts[int(np.argmax(shapely.area(parts)))]
    circle = shapely.maximum_inscribed_circle(big, max(math.sqrt(big.area) / 200, 1e-6))
    return shapely.get_point(circle, 0)


def _inside_candidates(poly: BaseGeometry, ax: float, ay: float, w: float,
                       h: float) -> Iterator[tuple[float, float]]:
    """The anchor, then grid points inside ``poly`` nearest the anchor first."""
    yield ax, ay
    xmin, ymin, xmax, ymax = poly.bounds
    if xmax - xmin < w or ymax - ymin < h:
        return
    step = max(min(w, h) / 3, 1e-9)
    xs = np.arange(xmin + w / 2, xmax - w / 2 + step / 2, step)
    ys = np.arange(ymin + h / 2, ymax - h / 2 + step / 2, step)
    gx, gy = (a.ravel() for a in np.meshgrid(xs, ys))
    keep = shapely.contains_xy(poly, gx, gy)
    gx, gy = gx[keep], gy[keep]
    order = np.lexsort((gx, gy, np.round(np.hypot(gx - ax, gy - ay), 9)))
    for k in order:
        yield float(gx[k]), float(gy[k])


def _outside_candidates(ax: float, ay: float, w: float, h: float,
                        reach: float) -> Iterator[tuple[float, float]]:
    """Centres on rings of growing radius around the anchor, 16 directions each, right and
    upper-right first (the cartographic preference)."""
    step = max(h, 1e-9)
    ring = 1
    while ring * step <= reach:
        r = ring * step
        for k in range(16):
            a = 2 * math.pi * k / 16
            dx, dy = math.cos(a), math.sin(a)
            yield ax + dx * (r + w / 2), ay + dy * (r + h / 2)
        ring += 1
