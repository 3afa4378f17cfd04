"""The results of a joint inspection as a boundary office hands them in (GB/T 17796-2009).

Four documents, computed here from the lines, the markers and the markers check, in the
line's own CGCS2000 Gauss–Krüger zone:

* 界桩登记表 (marker register): one record per marker — number and its checked structure, type,
  its group (pair, triple), the divisions on both sides, coordinates, elevation when given,
  condition and the previous round's status; :func:`marker_records`.
* 界桩成果表 (marker coordinates): number, type, X (north), Y (east) in the zone, longitude and
  latitude, elevation; from the same records.
* 边界点成果表 (boundary points): the turning points of each line, numbered along the line's
  direction (west→east, or north→south); :func:`boundary_points`.
* 边界线走向说明 (course of each line): from its start (a tripoint or the line's end) to its end,
  stretch by stretch from marker to marker, each told with its direction (eight or sixteen
  compass points, true north), its length, the markers it reaches and the divisions on each
  side; :func:`line_courses` and :func:`course_text`.

Everything is plain data (no I/O); the report layer writes CSV, XLSX and PDF from it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from geonames.boundaries.model import MarkerNumber
from geonames.crs import WGS84, transformer

#: Compass points, clockwise from north, for 8 and 16 points (GB/T 17796-2009 describes the
#: course with 16 points referred to true north; 8 is the everyday register).
POINTS = {
    ("zh", 8): ["北", "东北", "东", "东南", "南", "西南", "西", "西北"],
    ("zh", 16): ["北", "北偏东北", "东北", "东偏东北", "东", "东偏东南", "东南", "南偏东南",
                 "南", "南偏西南", "西南", "西偏西南", "西", "西偏西北", "西北", "北偏西北"],
    ("en", 8): ["north", "northeast", "east", "southeast", "south", "southwest", "west",
                "northwest"],
    ("en", 16): ["north", "north-northeast", "northeast", "east-northeast", "east",
                 "east-southeast", "southeast", "south-southeast", "south", "south-southwest",
                 "southwest", "west-southwest", "west", "west-northwest", "northwest",
                 "north-northwest"],
}

#: Default generalisation of a stretch before it is cut into legs of one direction, metres:
#: bends smaller than this are not told (the map sheet shows them).
COURSE_GENERALISE = 300.0
#: Tripoints closer than this to a line's end are where the line starts or ends, metres.
TRIPOINT_SNAP = 50.0

MARKER_KINDS = {"single": ("单立", "single"), "pair": ("同号双立", "pair (same number)"),
                "triple": ("同号三立", "triple (same number)")}
STATUS_WORDS = {"intact": ("完好", "intact"), "damaged": ("损坏", "damaged"),
                "missing": ("灭失", "missing"), "rebuilt": ("重建", "rebuilt"),
                "": ("未记录", "not recorded")}

_GEOD = Geod(ellps="GRS80")


def _points(xy: np.ndarray) -> np.ndarray:
    """Points of an (n, 2) array, always as an array."""
    return np.asarray(shapely.points(np.asarray(xy, dtype=float).reshape(-1, 2)), dtype=object)


def _locate(line: Any, points: np.ndarray) -> np.ndarray:
    """Distances along ``line`` of its nearest points to ``points``, metres (always an array)."""
    return np.atleast_1d(np.asarray(shapely.line_locate_point(line, points), dtype=float))


@functools.lru_cache(maxsize=64)
def _transformer(src: CRS, dst: CRS) -> Transformer:
    """One transformer per pair of CRSs (making one costs a fifth of a second)."""
    return transformer(src, dst)


def compass_point(azimuth: float, points: int = 8, lang: str = "zh") -> str:
    """The compass point of an azimuth (degrees clockwise from true north).

    >>> compass_point(44.0), compass_point(100.0), compass_point(350.0, 16)
    ('东北', '东', '北')
    >>> compass_point(20.0, 16), compass_point(200.0, 8, "en")
    ('北偏东北', 'south')
    """
    if points not in (8, 16):
        raise ValueError("points must be 8 or 16")
    names = POINTS[(lang, points)]
    sector = 360.0 / points
    return names[int(((azimuth % 360.0) + sector / 2) // sector) % points]


def gk_zone(lon: float) -> tuple[int, CRS]:
    """The CGCS2000 3-degree Gauss–Krüger zone of a longitude: (central meridian, CRS), from
    EPSG:4534 (75°E) to EPSG:4554 (135°E), without the zone number before Y.

    >>> gk_zone(105.9)[0], gk_zone(105.9)[1].to_epsg()
    (105, 4544)
    """
    meridian = int(3 * round(lon / 3.0))
    meridian = min(max(meridian, 75), 135)
    return meridian, CRS.from_epsg(4534 + (meridian - 75) // 3)


def dms(value: float, positive: str, negative: str, digits: int = 3) -> str:
    """Degrees, minutes, seconds: ``dms(105.888316553, "E", "W") == "105°53′17.940″E"``."""
    if not math.isfinite(value):
        return ""
    sign = positive if value >= 0 else negative
    seconds = round(abs(value) * 3600.0, digits)
    deg, rest = divmod(seconds, 3600.0)
    minutes, sec = divmod(rest, 60.0)
    return f"{int(deg)}°{int(minutes):02d}′{sec:0{3 + digits}.{digits}f}″{sign}"


# --------------------------------------------------------------------------------------------
# Lines and markers as the documents need them


@dataclass
class ResultLine:
    """One boundary line, in the metric CRS, turned to run in its numbering direction."""

    code: str
    geometry: BaseGeometry          # oriented west→east (or north→south)
    left_id: str                    # on the left walking in that direction
    right_id: str
    left_name: str
    right_name: str
    east_west: bool
    zone_meridian: int
    zone_crs: CRS

    @property
    def name(self) -> str:
        """``大足区—永川区``, the two sides in the order of their codes (the line's code when
        the sides are unknown)."""
        if self.left_name and self.right_name:
            sides = sorted([(self.left_id, self.left_name), (self.right_id, self.right_name)])
            return f"{sides[0][1]}—{sides[1][1]}"
        return self.code


@dataclass
class MarkerRecord:
    """One marker, as the register (界桩登记表) and coordinate table (界桩成果表) show it."""

    number: str
    line: str                 # the line it belongs to ("" when none)
    seq: int | None
    type_code: str
    kind: str                 # "single", "pair", "triple" or ""
    group: list[str]          # the numbers of its pair or triple (itself included)
    structure_ok: bool        # the number follows the pattern and names a known line
    x_north: float | None     # in the line's zone
    y_east: float | None
    zone: str                 # "EPSG:4544"
    zone_meridian: int | None
    lon: float | None
    lat: float | None
    elevation: float | None
    material: str
    survey_date: str
    status: str
    previous_status: str | None   # None: not in the previous round's register
    shift: float | None           # metres since the previous round
    along: float | None           # metres along its line
    left_name: str
    right_name: str
    finding_ids: list[str] = field(default_factory=list)
    finding_codes: list[str] = field(default_factory=list)


def result_lines(codes: Sequence[str], geometries: np.ndarray, crs: CRS,
                 left_ids: Sequence[str], right_ids: Sequence[str],
                 names: dict[str, str], reverse: np.ndarray,
                 east_west: np.ndarray) -> list[ResultLine]:
    """Lines turned into their numbering direction (``reverse`` from the markers check's
    orientation), sides swapped with them, each with its Gauss–Krüger zone."""
    geoms = np.asarray(geometries, dtype=object)
    centres = shapely.centroid(geoms)
    lon, _ = _transformer(crs, WGS84).transform(shapely.get_x(centres), shapely.get_y(centres))
    out = []
    for k, code in enumerate(codes):
        geom = geoms[k].reverse() if reverse[k] else geoms[k]
        left, right = str(left_ids[k] or ""), str(right_ids[k] or "")
        if reverse[k]:
            left, right = right, left
        meridian, zone = gk_zone(float(lon[k]))
        out.append(ResultLine(str(code), geom, left, right, names.get(left, ""),
                              names.get(right, ""), bool(east_west[k]), meridian, zone))
    return out


def zone_coordinates(points: np.ndarray, crs: CRS, zones: Sequence[CRS]
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_north, y_east, lon, lat) of points (in ``crs``), each in its own zone; NaN where a
    point is missing."""
    n = len(points)
    xy = np.full((n, 2), np.nan)
    present = ~shapely.is_missing(points)
    if present.any():
        xy[present] = shapely.get_coordinates(points[present])
    lon, lat = (np.asarray(v) for v in _transformer(crs, WGS84).transform(xy[:, 0], xy[:, 1]))
    north, east = np.full(n, np.nan), np.full(n, np.nan)
    epsg = np.array([z.to_epsg() for z in zones])
    for zone in {z.to_epsg(): z for z in zones}.values():
        rows = epsg == zone.to_epsg()
        e, nn = _transformer(WGS84, zone).transform(lon[rows], lat[rows])
        east[rows], north[rows] = e, nn
    return north, east, lon, lat


# --------------------------------------------------------------------------------------------
# Boundary points


@dataclass
class BoundaryPoint:
    """A turning point of a line (边界点), numbered along the line's direction from 1."""

    line: str
    seq: int
    x_north: float
    y_east: float
    zone: str
    lon: float
    lat: float
    along: float
    kind: str   # "start", "end" or "turn"


def boundary_points(lines: Sequence[ResultLine], crs: CRS,
                    tolerance: float = 0.0) -> list[BoundaryPoint]:
    """The turning points of each line: its vertices after Douglas–Peucker generalisation at
    ``tolerance`` metres (0 keeps every vertex except those in a straight run), numbered along
    the line's direction; the first and last are the line's ends."""
    out: list[BoundaryPoint] = []
    for line in lines:
        simple = shapely.simplify(line.geometry, tolerance) if tolerance >= 0 else line.geometry
        pts = _points(shapely.get_coordinates(simple))
        along = _locate(line.geometry, pts)
        north, east, lon, lat = zone_coordinates(pts, crs, [line.zone_crs] * len(pts))
        label = f"EPSG:{line.zone_crs.to_epsg()}"
        last = len(pts) - 1
        for k in range(len(pts)):
            out.append(BoundaryPoint(line.code, k + 1, float(north[k]), float(east[k]), label,
                                     float(lon[k]), float(lat[k]), float(along[k]),
                                     "start" if k == 0 else "end" if k == last else "turn"))
    return out


# --------------------------------------------------------------------------------------------
# The course of each line


@dataclass
class Stop:
    """A place the course of a line reaches: markers (one number, or a pair or triple), a
    tripoint, or the line's end."""

    kind: str               # "markers", "tripoint" or "end"
    along: float
    numbers: list[str] = field(default_factory=list)
    divisions: list[str] = field(default_factory=list)   # names at a tripoint
    end: str = ""           # "west", "east", "north", "south" for kind "end"
    notes: list[str] = field(default_factory=list)        # e.g. the marker is missing


@dataclass
class Leg:
    """A run of a stretch in one compass direction."""

    azimuth: float
    length: float
    feature: str = ""       # a named feature the leg follows (river, road, ridge)


@dataclass
class Stretch:
    """The line from one stop to the next."""

    start: Stop
    end: Stop
    legs: list[Leg]

    @property
    def length(self) -> float:
        return sum(leg.length for leg in self.legs)


@dataclass
class LineCourse:
    """The course of one line (边界线走向说明), stop to stop."""

    line: ResultLine
    stretches: list[Stretch]

    @property
    def stops(self) -> list[Stop]:
        if not self.stretches:
            return []
        return [self.stretches[0].start] + [s.end for s in self.stretches]

    @property
    def marker_numbers(self) -> list[str]:
        """Marker numbers in the order the course reaches them."""
        return [n for stop in self.stops for n in stop.numbers]


@dataclass
class Feature:
    """A named feature a line may follow (a river's centre line, a road, a ridge)."""

    name: str
    kind: str
    geometry: BaseGeometry


def line_courses(lines: Sequence[ResultLine], crs: CRS, markers: Sequence[MarkerRecord],
                 marker_points: dict[str, BaseGeometry],
                 tripoints: np.ndarray | None = None,
                 tripoint_names: dict[int, list[str]] | None = None,
                 generalise: float = COURSE_GENERALISE,
                 features: Sequence[Feature] = (),
                 follow_distance: float = 50.0,
                 follow_share: float = 0.6) -> list[LineCourse]:
    """The course of every line from its start to its end, stopping at each of its markers.

    Parameters
    ----------
    lines
        From :func:`result_lines` (metric CRS ``crs``, numbering direction).
    markers, marker_points
        The marker records (their ``line`` and ``seq``) and each number's point (metric CRS).
        Markers of one sequence number (a pair, a triple) are one stop, at their mean place.
    tripoints, tripoint_names
        Tripoints (metric CRS) and, by position, the names of the divisions meeting there; a
        line end within :data:`TRIPOINT_SNAP` of one starts or ends there.
    generalise
        Metres: each stretch is generalised by this much before being cut into legs of one
        compass direction. Lengths are always measured on the line itself, on the ellipsoid
        (CGCS2000/GRS80), so they are true ground lengths in any projection.
    features, follow_distance, follow_share
        Named features: a leg with at least ``follow_share`` of its length within
        ``follow_distance`` metres of one is said to follow it.
    """
    by_line: dict[str, dict[int, list[MarkerRecord]]] = {}
    for rec in markers:
        if rec.line and rec.seq is not None and rec.number in marker_points:
            by_line.setdefault(rec.line, {}).setdefault(rec.seq, []).append(rec)
    tri = np.asarray(tripoints if tripoints is not None else [], dtype=object)
    tree = shapely.STRtree(tri) if len(tri) else None
    feature_geoms = np.asarray([f.geometry for f in features], dtype=object)
    feature_tree = shapely.STRtree(feature_geoms) if len(feature_geoms) else None
    out = []
    for line in lines:
        geom = line.geometry
        length = geom.length
        stops = [_end_stop(line, 0, 0.0, tree, tri, tripoint_names)]
        groups = by_line.get(line.code, {})
        places = []
        for seq, recs in groups.items():
            pts = [marker_points[r.number] for r in recs]
            along = float(np.mean(_locate(geom, np.asarray(pts, dtype=object))))
            notes = sorted({r.status for r in recs if r.status in ("missing", "damaged")})
            places.append((along, seq, Stop("markers", along, sorted(r.number for r in recs),
                                            notes=notes)))
        places.sort(key=lambda p: (p[0], p[1]))
        stops += [p[2] for p in places]
        stops.append(_end_stop(line, -1, length, tree, tri, tripoint_names))
        stretches = []
        for a, b in zip(stops[:-1], stops[1:], strict=True):
            legs = _legs(geom, a.along, b.along, crs, generalise, features, feature_geoms,
                         feature_tree, follow_distance, follow_share)
            stretches.append(Stretch(a, b, legs))
        out.append(LineCourse(line, stretches))
    return out


def _end_stop(line: ResultLine, index: int, along: float, tree: shapely.STRtree | None,
              tri: np.ndarray, names: dict[int, list[str]] | None) -> Stop:
    point = shapely.get_point(line.geometry, index)
    if tree is not None:
        found, dist = tree.query_nearest(point, return_distance=True)
        if len(found) and dist[0] <= TRIPOINT_SNAP:
            return Stop("tripoint", along, divisions=(names or {}).get(int(found[0]), []))
    end = ("west" if index == 0 else "east") if line.east_west else (
        "north" if index == 0 else "south")
    return Stop("end", along, end=end)


def _legs(geom: BaseGeometry, start: float, end: float, crs: CRS, generalise: float,
          features: Sequence[Feature], feature_geoms: np.ndarray,
          feature_tree: shapely.STRtree | None, follow_distance: float,
          follow_share: float) -> list[Leg]:
    """Legs of the stretch ``start``–``end`` (metres along ``geom``): runs of one compass
    direction (8 points) of the generalised stretch; lengths on the line itself."""
    if end - start <= 0.0:
        return [Leg(float("nan"), 0.0)]
    part: Any = substring(cast(Any, geom), start, end)
    simple = shapely.simplify(part, generalise) if generalise > 0 else part
    coords = shapely.get_coordinates(part)
    lon, lat = _transformer(crs, WGS84).transform(coords[:, 0], coords[:, 1])
    lon, lat = np.asarray(lon), np.asarray(lat)
    # Lengths on the ellipsoid (true ground lengths, whatever the projection), cumulated
    # along the stretch's vertices; the generalised stretch keeps a subset of them.
    _, _, steps = _GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    ground = np.concatenate([[0.0], np.cumsum(np.atleast_1d(steps))])
    planar = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    measures = _locate(part, _points(shapely.get_coordinates(simple)))
    measures[0], measures[-1] = 0.0, planar[-1]
    index = np.abs(planar[None, :] - measures[:, None]).argmin(axis=1)
    index[0], index[-1] = 0, len(planar) - 1
    azimuths, _, _ = _GEOD.inv(lon[index[:-1]], lat[index[:-1]], lon[index[1:]],
                               lat[index[1:]])
    legs: list[Leg] = []
    spans: list[list[int]] = []
    for az, i, j in zip(np.atleast_1d(azimuths), index[:-1], index[1:], strict=True):
        if j <= i:
            continue
        sector = compass_point(float(az), 8)
        length = float(ground[j] - ground[i])
        if legs and compass_point(legs[-1].azimuth, 8) == sector:
            legs[-1].length += length
            spans[-1][1] = int(j)
        else:
            legs.append(Leg(float(az) % 360.0, length))
            spans.append([int(i), int(j)])
    for leg, (i, j) in zip(legs, spans, strict=True):  # a merged leg: from its start to its end
        az, _, _ = _GEOD.inv(lon[i], lat[i], lon[j], lat[j])
        leg.azimuth = float(az) % 360.0
    pieces = [(float(planar[i]), float(planar[j])) for i, j in spans]
    if feature_tree is not None:
        for leg, (a, b) in zip(legs, pieces, strict=True):
            leg.feature = _followed(substring(part, a, b), features, feature_geoms,
                                    feature_tree, follow_distance, follow_share)
    return legs or [Leg(float("nan"), float(ground[-1]))]


def _followed(piece: BaseGeometry, features: Sequence[Feature], geoms: np.ndarray,
              tree: shapely.STRtree, distance: float, share: float) -> str:
    best, best_share = "", 0.0
    for k in tree.query(piece, predicate="dwithin", distance=distance):
        inside = shapely.intersection(piece, shapely.buffer(geoms[k], distance)).length
        s = inside / piece.length if piece.length else 0.0
        if s >= share and s > best_share:
            best, best_share = features[k].name, s
    return best


# --------------------------------------------------------------------------------------------
# Wording


def length_words(metres: float, lang: str = "zh") -> str:
    """``2.3 公里`` from 1 km up (to 0.1 km), else ``850 米`` (to 10 m, at least 10).

    >>> length_words(2345.0), length_words(849.0), length_words(3.0, "en")
    ('2.3 公里', '850 米', '10 m')
    """
    if metres >= 1000.0:
        return f"{metres / 1000.0:.1f} {'公里' if lang == 'zh' else 'km'}"
    value = max(10, int(round(metres, -1)))
    return f"{value} {'米' if lang == 'zh' else 'm'}"


def stop_words(stop: Stop, lang: str = "zh") -> str:
    """How a stop is named in the text."""
    if stop.kind == "markers":
        note = ""
        if stop.notes:
            note = ("（" + "、".join(STATUS_WORDS[s][0] for s in stop.notes) + "）") if lang == \
                "zh" else " (" + ", ".join(STATUS_WORDS[s][1] for s in stop.notes) + ")"
        if lang == "zh":
            return "、".join(stop.numbers) + " 号界桩" + note
        return "marker " + ", ".join(stop.numbers) + note
    if stop.kind == "tripoint":
        if lang == "zh":
            return ("、".join(stop.divisions) + "三交点") if stop.divisions else "三交点"
        return ("the tripoint of " + ", ".join(stop.divisions)) if stop.divisions else \
            "the tripoint"
    end = {"west": ("西端", "west"), "east": ("东端", "east"), "north": ("北端", "north"),
           "south": ("南端", "south")}[stop.end]
    return f"界线{end[0]}" if lang == "zh" else f"the {end[1]} end of the line"


def course_text(course: LineCourse, lang: str = "zh", points: int = 8) -> list[str]:
    """The course of a line in words: a heading sentence, then one sentence per stretch.

    >>> # see tests/test_results.py for worked examples on the fixture
    """
    line = course.line
    total = sum(s.length for s in course.stretches)
    if lang == "zh":
        way = "自西向东" if line.east_west else "自北向南"
        head = (f"{line.code} 号界线（{line.name}）{way}，全长约 {length_words(total)}；"
                f"沿界线前进方向，左侧为{line.left_name or line.left_id or '（未知）'}，"
                f"右侧为{line.right_name or line.right_id or '（未知）'}。")
    else:
        way = "west to east" if line.east_west else "north to south"
        head = (f"Line {line.code} ({line.name}) runs {way}, about {length_words(total, 'en')}"
                f" long; walking along it, {line.left_name or line.left_id or 'unknown'} lies "
                f"on the left and {line.right_name or line.right_id or 'unknown'} on the right.")
    out = [head]
    for stretch in course.stretches:
        legs = []
        for leg in stretch.legs:
            if not math.isfinite(leg.azimuth):
                continue
            d = compass_point(leg.azimuth, points, lang)
            if lang == "zh":
                along = f"沿{leg.feature}" if leg.feature else ""
                legs.append(f"{along}向{d}行约 {length_words(leg.length)}")
            else:
                along = f" along {leg.feature}" if leg.feature else ""
                legs.append(f"runs{along} {d} for about {length_words(leg.length, 'en')}")
        start, end = stop_words(stretch.start, lang), stop_words(stretch.end, lang)
        if lang == "zh":
            body = "，转".join(legs) if legs else "与之相接"
            out.append(f"界线自{start}起，{body}，至{end}。")
        else:
            body = ", then ".join(legs) if legs else "meets it"
            out.append(f"From {start} the line {body}, to {end}.")
    return out


# --------------------------------------------------------------------------------------------
# Marker records


def marker_records(numbers: Sequence[str], points: np.ndarray, crs: CRS,
                   parsed: Sequence[MarkerNumber | None], line_index: np.ndarray,
                   nearest: np.ndarray, along: np.ndarray, shift: np.ndarray,
                   statuses: Sequence[str], survey_dates: Sequence[str],
                   lines: Sequence[ResultLine],
                   previous_status: dict[str, str] | None = None,
                   elevations: Sequence[float | None] | np.ndarray | None = None,
                   materials: Sequence[str] | np.ndarray | None = None,
                   findings: dict[str, list[tuple[str, str]]] | None = None
                   ) -> list[MarkerRecord]:
    """One record per marker of the register, in the order of its line and sequence number.

    ``parsed``, ``line_index``, ``nearest``, ``along`` and ``shift`` are the markers check's
    per-marker results (a :class:`~geonames.boundaries.markers.MarkerCheck`); ``lines`` are
    the :class:`ResultLine` of each line position; ``previous_status`` maps the numbers of the
    previous round's register to their status; ``findings`` maps a number to the
    ``(finding id, code)`` of each finding that names it.
    """
    n = len(numbers)
    points = np.asarray(points, dtype=object)
    own = np.where(np.asarray(line_index) >= 0, line_index, nearest)
    zones = [lines[int(k)].zone_crs if k >= 0 else lines[0].zone_crs for k in own] if lines \
        else []
    if zones:
        north, east, lon, lat = zone_coordinates(points, crs, zones)
    else:
        north = east = lon = lat = np.full(n, np.nan)
    groups: dict[tuple[str, int], list[str]] = {}
    for k in range(n):
        p = parsed[k]
        if p is not None and line_index[k] >= 0:
            groups.setdefault((p.line, p.seq), []).append(str(numbers[k]))
    records = []
    for k in range(n):
        p = parsed[k]
        number = str(numbers[k])
        line = lines[int(own[k])] if own[k] >= 0 and lines else None
        ok = bool(p is not None and line_index[k] >= 0)
        kind = p.family if ok and p is not None else ""
        group = sorted(groups.get((p.line, p.seq), [number])) if ok and p is not None \
            else [number]
        prev = None if previous_status is None else previous_status.get(number)
        found = (findings or {}).get(number, [])

        def num(values: np.ndarray | Sequence[float | None] | None, k: int = k,
                digits: int = 3) -> float | None:
            if values is None:
                return None
            v = values[k]
            return None if v is None or not math.isfinite(float(v)) else round(float(v), digits)

        records.append(MarkerRecord(
            number=number, line=line.code if ok and line else "",
            seq=p.seq if ok and p is not None else None,
            type_code=p.type if ok and p is not None else "",
            kind=kind, group=group, structure_ok=ok,
            x_north=num(north), y_east=num(east),
            zone=f"EPSG:{line.zone_crs.to_epsg()}" if line else "",
            zone_meridian=line.zone_meridian if line else None,
            lon=num(lon, digits=9), lat=num(lat, digits=9),
            elevation=num(elevations), material=str(materials[k] or "") if materials is not None else "",
            survey_date=str(survey_dates[k] or ""), status=str(statuses[k] or ""),
            previous_status=prev, shift=num(shift),
            along=num(along, digits=1),
            left_name=line.left_name if line else "", right_name=line.right_name if line else "",
            finding_ids=[i for i, _ in found], finding_codes=[c for _, c in found]))
    records.sort(key=lambda r: (r.line == "", r.line, r.seq if r.seq is not None else 10**9,
                                r.type_code, r.number))
    return records


# --------------------------------------------------------------------------------------------
# The whole set


@dataclass
class InspectionResults:
    """Everything the result documents of one inspection hold (geometries in ``crs``)."""

    title: str
    crs: CRS
    lines: list[ResultLine]
    markers: list[MarkerRecord]
    points: list[BoundaryPoint]
    courses: list[LineCourse]
    marker_points: dict[str, BaseGeometry] = field(default_factory=dict)
    divisions: dict[str, BaseGeometry] = field(default_factory=dict)
    tripoints: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    has_previous: bool = False
    course_points: int = 8
    lang: str = ""          # "" : the language of the report they are written with
    pdf: bool = True
    xlsx: bool = True
