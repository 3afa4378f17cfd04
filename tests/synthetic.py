"""Synthetic coverages with known faults: the ground truth for tests and benchmarks.

:func:`voronoi_coverage` builds a seeded, valid polygonal coverage of Voronoi cells (shared
borders have identical vertices on both sides, the outline is a rectangle);
:func:`plant_faults` then plants faults whose ids, areas and lengths are known exactly:

=========================== =================================================================
fault                       how it is planted
=========================== =================================================================
``coverage.gap``            a rectangle cut from one cell along the middle half of a border
                            (``width`` m wide, enclosed by the two cells), or a whole interior
                            cell removed (``holes``; enclosed by all its neighbours)
``coverage.overlap``        a rectangle of one cell pushed into its neighbour across the
                            middle half of their border
``coverage.edge_mismatch``  an extra vertex on one side of a border only, off the line by
                            ``mismatch_offset`` m (default 1 mm: an area far below 1 m²)
``coverage.gap_open``       a parallelogram cut from one of two cells along the outer half of
                            their border, open to the outer edge (an inlet)
=========================== =================================================================

Every planted rectangle touches only the two cells whose border it sits on, the vertices
where it meets the border are inserted in both cells (so the rest of the border still
matches exactly), and faults are planted in cells far apart (at least 4 cells), so each fault
is one finding.

>>> cov = voronoi_coverage(400, seed=1)
>>> len(cov), cov.crs.to_epsg()
(400, 4545)
>>> bad = plant_faults(cov, gaps=2, overlaps=2, mismatches=2, holes=1, inlets=1, seed=1)
>>> sorted({f.code for f in bad.faults})
['coverage.edge_mismatch', 'coverage.gap', 'coverage.gap_open', 'coverage.overlap']
>>> len(bad), len(bad.faults)
(399, 8)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.divisions.model import DivisionTable

#: Default origin (lower-left corner), metres in EPSG:4545 (CGCS2000 Gauss–Krüger, CM 108°E):
#: about 108.0°E 29.8°N, in Chongqing.
DEFAULT_ORIGIN = (500_000.0, 3_300_000.0)
DEFAULT_CRS = "EPSG:4545"


@dataclass(frozen=True)
class PlantedFault:
    """One planted fault and its exact measures.

    Attributes
    ----------
    code : str
        The finding code an inspection must report (``"coverage.gap"`` …).
    ids : tuple of str
        The ids the finding must name, sorted.
    area : float
        m² (0 for an edge mismatch).
    length : float
        m: the border affected (edge mismatch: the whole mismatched segment; gaps, overlaps
        and inlets: their length along the border; a removed cell: its perimeter).
    width : float
        m: the fault's width (0 for an edge mismatch).
    geometry : shapely geometry
        The gap / overlap / inlet polygon, or the mismatched segment.
    kind : str
        ``"notch"``, ``"hole"``, ``"bump"``, ``"vertex"`` or ``"inlet"``.
    """

    code: str
    ids: tuple[str, ...]
    area: float
    length: float
    width: float
    geometry: BaseGeometry
    kind: str


@dataclass
class SyntheticCoverage:
    """Division polygons in a metric CRS, their ids and names, and the faults planted.

    ``sites`` are the Voronoi seed points (one per cell, in the order of ``geometries``).
    """

    geometries: np.ndarray
    ids: np.ndarray
    names: np.ndarray
    crs: CRS
    sites: np.ndarray
    spacing: float
    faults: list[PlantedFault] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.geometries)

    def table(self) -> DivisionTable:
        """As a :class:`~geonames.divisions.model.DivisionTable` (for the engines' table
        entry points and for writing with :func:`geonames.vector.write_features`)."""
        return DivisionTable(ids=self.ids.copy(), names=self.names.copy(),
                             geometries=self.geometries.copy(), crs=self.crs,
                             id_source="synthetic", source="synthetic Voronoi coverage")

    def faults_of(self, code: str) -> list[PlantedFault]:
        """The planted faults of one code."""
        return [f for f in self.faults if f.code == code]


def voronoi_coverage(
    n: int = 1000,
    *,
    seed: int = 0,
    spacing: float = 1000.0,
    jitter: float = 0.4,
    origin: tuple[float, float] = DEFAULT_ORIGIN,
    crs: str | CRS = DEFAULT_CRS,
) -> SyntheticCoverage:
    """A valid coverage of about ``n`` Voronoi cells filling a rectangle.

    Seeds sit on a grid of ``cols × rows ≥ n`` points (``cols = ceil(√n)``), ``spacing``
    metres apart, each moved by up to ``jitter × spacing`` at random (``seed``); seeds on the
    outline are not moved, so the outer cells are clean half cells. Cells are clipped to the
    rectangle, whose lower-left corner is ``origin``. Exactly ``n`` cells are kept: the
    last row is cut short.

    Ids are ``"S000001"`` …, names ``"单元1"`` … (so that maps exercise Chinese labels).
    Generating 100,000 cells takes about 1.5 s.
    """
    if n < 4:
        raise ValueError("a synthetic coverage needs at least 4 cells")
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    rng = np.random.default_rng(seed)
    gx, gy = np.meshgrid(np.arange(cols, dtype=float), np.arange(rows, dtype=float))
    gx, gy = gx.ravel()[:n], gy.ravel()[:n]
    width, height = (cols - 1) * spacing, (rows - 1) * spacing
    outline = (gx == 0) | (gy == 0) | (gx == cols - 1) | (gy == rows - 1)
    jx = rng.uniform(-jitter, jitter, n)
    jy = rng.uniform(-jitter, jitter, n)
    jx[outline], jy[outline] = 0.0, 0.0
    x = origin[0] + (gx + jx) * spacing
    y = origin[1] + (gy + jy) * spacing
    frame = shapely.box(origin[0], origin[1], origin[0] + width, origin[1] + height)
    if rows == 1:
        frame = shapely.box(origin[0], origin[1] - spacing / 2, origin[0] + width,
                            origin[1] + spacing / 2)
    sites = shapely.points(x, y)
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(sites), extend_to=frame, ordered=True))
    cells = shapely.intersection(cells, frame)
    cells = shapely.orient_polygons(cells)
    number = np.arange(1, n + 1)
    return SyntheticCoverage(
        geometries=np.asarray(cells, dtype=object),
        ids=np.array([f"S{k:06d}" for k in number], dtype=object),
        names=np.array([f"单元{k}" for k in number], dtype=object),
        crs=CRS.from_user_input(crs),
        sites=np.asarray(sites, dtype=object),
        spacing=spacing,
    )


def plant_faults(
    coverage: SyntheticCoverage,
    *,
    gaps: int = 5,
    overlaps: int = 5,
    mismatches: int = 5,
    holes: int = 2,
    inlets: int = 2,
    width: float = 5.0,
    mismatch_offset: float = 1e-3,
    seed: int = 0,
) -> SyntheticCoverage:
    """A copy of ``coverage`` with faults planted; their truth is in ``faults``.

    Parameters
    ----------
    gaps, overlaps : int
        Narrow rectangles (``width`` m wide, along the middle half of a shared border).
    mismatches : int
        Borders with an extra vertex on one side only, ``mismatch_offset`` m off the line.
    holes : int
        Interior cells removed (wide enclosed gaps). The coverage gets shorter by this many.
    inlets : int
        Parallelograms ``width`` m wide along the outer half of a border that reaches the
        outline, open to the outside.
    width : float
        m.
    seed : int

    Raises
    ------
    ValueError
        When the coverage is too small to keep the faults far apart.
    """
    rng = np.random.default_rng(seed)
    geoms = coverage.geometries.copy()
    tree = shapely.STRtree(geoms)
    planter = _Planter(geoms, coverage.ids, tree, coverage.sites, coverage.spacing, rng)
    faults: list[PlantedFault] = []
    for kind, count in (("notch", gaps), ("bump", overlaps), ("vertex", mismatches),
                        ("inlet", inlets), ("hole", holes)):
        for _ in range(count):
            faults.append(planter.plant(kind, width, mismatch_offset))
    keep = np.ones(len(geoms), dtype=bool)
    keep[planter.removed] = False
    return replace(coverage, geometries=planter.geoms[keep], ids=coverage.ids[keep],
                   names=coverage.names[keep], sites=coverage.sites[keep], faults=faults)


class _Planter:
    """Picks far-apart cells and edits their rings."""

    def __init__(self, geoms, ids, tree, sites, spacing, rng) -> None:
        self.geoms = geoms
        self.ids = ids
        self.tree = tree
        self.sites = sites
        self.spacing = spacing
        self.rng = rng
        self.used: list[BaseGeometry] = []
        self.removed: list[int] = []
        bounds = shapely.total_bounds(geoms)
        self.frame = shapely.box(*bounds).exterior

    def plant(self, kind: str, width: float, offset: float) -> PlantedFault:
        order = self.rng.permutation(len(self.geoms))
        for a in order[: 20_000]:
            if not self._free(a):
                continue
            fault = getattr(self, f"_{kind}")(int(a), width, offset)
            if fault is not None:
                return fault
        raise ValueError(f"no room left to plant another {kind!r} fault; use more cells")

    # --- picking -----------------------------------------------------------------------------

    def _free(self, a: int) -> bool:
        site = self.sites[a]
        return all(shapely.distance(site, u) > 4 * self.spacing for u in self.used)

    def _neighbour(self, a: int, p: np.ndarray, r: np.ndarray) -> int | None:
        """The cell on the other side of a's edge p→r (it must have r→p in its ring)."""
        mid = shapely.Point((p + r) / 2)
        for b in self.tree.query(mid, predicate="intersects"):
            if b != a and b not in self.removed and _edge_index(self.geoms[b], r, p) is not None:
                return int(b)
        return None

    def _edges(self, a: int):
        """(k, p, r, b): the edges of a's exterior ring shared with a neighbour b, longest
        first."""
        ring = _ring(self.geoms[a])
        out = []
        for k in range(len(ring) - 1):
            p, r = ring[k], ring[k + 1]
            b = self._neighbour(a, p, r)
            if b is not None:
                out.append((float(np.hypot(*(r - p))), k, p, r, b))
        out.sort(key=lambda e: -e[0])
        return [(k, p, r, b) for _, k, p, r, b in out]

    def _commit(self, cells: dict[int, BaseGeometry]) -> bool:
        if not all(shapely.is_valid(g) for g in cells.values()):
            return False
        for i, g in cells.items():
            self.geoms[i] = g
            self.used.append(self.sites[i])
        return True

    # --- faults ------------------------------------------------------------------------------

    def _rectangle(self, a: int, width: float, outward: bool) -> PlantedFault | None:
        for k, p, r, b in self._edges(a)[:2]:
            if self._touches_frame(p) or self._touches_frame(r):
                continue
            q1, q2 = p + 0.25 * (r - p), p + 0.75 * (r - p)
            normal = _right_normal(r - p)  # a's outside (rings are counter-clockwise)
            shift = normal * width if outward else -normal * width
            rect = shapely.Polygon([q1, q2, q2 + shift, q1 + shift])
            host = self.geoms[b] if outward else self.geoms[a]
            if not shapely.contains(host, rect):
                continue
            a_ring = _replace_edge(_ring(self.geoms[a]), k, [q1, q1 + shift, q2 + shift, q2])
            kb = _edge_index(self.geoms[b], r, p)
            b_ring = _replace_edge(_ring(self.geoms[b]), kb, [q2, q1])
            cells = {a: _with_exterior(self.geoms[a], a_ring),
                     b: _with_exterior(self.geoms[b], b_ring)}
            if not self._commit(cells):
                continue
            code = "coverage.overlap" if outward else "coverage.gap"
            return PlantedFault(code, self._ids(a, b), float(rect.area),
                                float(np.hypot(*(q2 - q1))), width, rect,
                                "bump" if outward else "notch")
        return None

    def _notch(self, a: int, width: float, offset: float) -> PlantedFault | None:
        return self._rectangle(a, width, outward=False)

    def _bump(self, a: int, width: float, offset: float) -> PlantedFault | None:
        return self._rectangle(a, width, outward=True)

    def _vertex(self, a: int, width: float, offset: float) -> PlantedFault | None:
        for k, p, r, b in self._edges(a)[:1]:
            t = self.rng.uniform(0.3, 0.7)
            m = p + t * (r - p) + _right_normal(r - p) * offset * self.rng.choice([-1.0, 1.0])
            a_ring = _replace_edge(_ring(self.geoms[a]), k, [m])
            if not self._commit({a: _with_exterior(self.geoms[a], a_ring)}):
                continue
            self.used.append(self.sites[b])
            return PlantedFault("coverage.edge_mismatch", self._ids(a, b), 0.0,
                                float(np.hypot(*(r - p))), 0.0, shapely.LineString([p, r]),
                                "vertex")
        return None

    def _hole(self, a: int, width: float, offset: float) -> PlantedFault | None:
        cell = self.geoms[a]
        ring = _ring(cell)
        around = set()
        for k in range(len(ring) - 1):
            b = self._neighbour(a, ring[k], ring[k + 1])
            if b is None:  # on the outline, or a neighbour already edited: not enclosed
                return None
            around.add(b)
        self.removed.append(a)
        self.used.append(self.sites[a])
        return PlantedFault("coverage.gap", tuple(sorted(str(self.ids[b]) for b in around)),
                            float(cell.area), float(cell.length),
                            2 * float(shapely.length(shapely.maximum_inscribed_circle(cell))),
                            cell, "hole")

    def _inlet(self, a: int, width: float, offset: float) -> PlantedFault | None:
        ring = _ring(self.geoms[a])
        m = len(ring) - 1
        for k in range(m):
            p, r, s = ring[k], ring[k + 1], ring[(k + 2) % m]
            if self._touches_frame(p) or not self._touches_frame(r) \
                    or not self._touches_frame(s):
                continue
            b = self._neighbour(a, p, r)
            if b is None:
                continue
            q = p + 0.5 * (r - p)
            along = (s - r) / np.hypot(*(s - r))
            u = _unit(r - p)
            sine = abs(u[0] * along[1] - u[1] * along[0])
            if sine < 0.3:
                continue
            x = r + along * (width / sine)
            if np.hypot(*(x - r)) >= 0.5 * np.hypot(*(s - r)):
                continue
            inlet = shapely.Polygon([q, r, x, q + (x - r)])
            a_ring = _replace_span(ring, k, [p, q, q + (x - r), x])
            kb = _edge_index(self.geoms[b], r, p)
            b_ring = _replace_edge(_ring(self.geoms[b]), kb, [q])
            cells = {a: _with_exterior(self.geoms[a], a_ring),
                     b: _with_exterior(self.geoms[b], b_ring)}
            lost = self.geoms[a].area - cells[a].area
            if abs(lost - inlet.area) > 1e-6 * inlet.area or not self._commit(cells):
                continue
            return PlantedFault("coverage.gap_open", self._ids(a, b), float(inlet.area),
                                float(np.hypot(*(r - q))), width, inlet, "inlet")
        return None

    def _touches_frame(self, xy: np.ndarray) -> bool:
        return bool(shapely.distance(shapely.Point(xy), self.frame) < 1e-6)

    def _ids(self, *cells: int) -> tuple[str, ...]:
        return tuple(sorted(str(self.ids[c]) for c in cells))


def _ring(polygon: BaseGeometry) -> np.ndarray:
    return shapely.get_coordinates(shapely.get_exterior_ring(polygon))


def _with_exterior(polygon: BaseGeometry, ring: np.ndarray) -> BaseGeometry:
    holes = [shapely.get_coordinates(h) for h in polygon.interiors]
    return shapely.Polygon(ring, holes)


def _edge_index(polygon: BaseGeometry, p: np.ndarray, r: np.ndarray) -> int | None:
    """Position k of the edge p→r in the polygon's exterior ring, or None."""
    ring = _ring(polygon)
    hit = np.flatnonzero((ring[:-1] == p).all(axis=1) & (ring[1:] == r).all(axis=1))
    return int(hit[0]) if len(hit) else None


def _replace_edge(ring: np.ndarray, k: int, inner: list[np.ndarray]) -> np.ndarray:
    """Insert points between ring[k] and ring[k + 1]."""
    return np.vstack([ring[: k + 1], np.asarray(inner), ring[k + 1:]])


def _replace_span(ring: np.ndarray, k: int, points: list[np.ndarray]) -> np.ndarray:
    """Replace ring[k], ring[k + 1] with ``points`` (ring[k + 1] may be the closing point)."""
    body = ring[:-1]
    rolled = np.roll(body, -k, axis=0)  # rolled[0] = ring[k], rolled[1] = ring[k + 1]
    out = np.vstack([np.asarray(points), rolled[2:]])
    return np.vstack([out, out[:1]])


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.hypot(*v)


def _right_normal(v: np.ndarray) -> np.ndarray:
    u = _unit(v)
    return np.array([u[1], -u[0]])


def many_findings(n: int = 10_000, seed: int = 16):
    """A report of ``n`` findings (polygons, lines and points, a third each of errors,
    warnings and info, one in 17 excepted) spread over the Chongqing fixture's divisions, drawn
    over those divisions (labelled): the load test of report.html."""
    from geonames.crs import reproject
    from geonames.divisions.io import read_divisions
    from geonames.document import MapLayer, Report
    from geonames.findings import Finding, Severity

    root = Path(__file__).resolve().parents[1]
    table = read_divisions(root / "fixtures" / "chongqing" / "divisions.geojson")
    crs = CRS.from_epsg(4545)
    geoms = reproject(table.geometries, table.crs, crs)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    rng = np.random.default_rng(seed)
    severities = [Severity.ERROR, Severity.WARNING, Severity.INFO]
    codes = ["coverage.gap", "coverage.overlap", "marker.off_line", "coverage.edge_mismatch"]
    findings = []
    for i in range(n):
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        r = rng.uniform(20, 400)
        kind = i % 4
        if kind == 2:
            g = shapely.Point(x, y)
        elif kind == 3:
            g = shapely.LineString([(x, y), (x + r, y + r / 3), (x + 2 * r, y)])
        else:
            g = shapely.Polygon([(x, y), (x + r, y + r / 7), (x + r / 2, y + r),
                                 (x - r / 3, y + r / 2)])
        findings.append(Finding(codes[kind], severities[i % 3], f"5001{i % 99:02d}",
                                f"synthetic finding {i}", value=float(r), limit=1.0,
                                unit="m", geometry=g, excepted=i % 17 == 0))
    return Report("coverage", findings, crs=crs, metric_crs="EPSG:4545",
                  layers=[MapLayer("divisions", geoms, labels=[str(n) for n in table.names],
                                   ids=[str(i) for i in table.ids])])
