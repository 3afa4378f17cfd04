"""Coordinate reference systems: which CRS the data is in, and which metric CRS to measure in.

Every length, area and tolerance in geonames is in metres, measured in a projected CRS chosen
explicitly by :func:`choose_metric_crs`, never in degrees:

* a CRS the user gives always wins;
* data already in a projected CRS with metre units is kept as it is;
* geographic data (CGCS2000, WGS84 …) inside China goes to the 3-degree Gauss–Krüger zone of
  its central longitude, EPSG:4534–4554 (CGCS2000, central meridians 75°E … 135°E);
* geographic data elsewhere goes to the UTM zone of its central longitude (EPSG:326nn north,
  EPSG:327nn south);
* data that reaches more than :data:`MAX_HALF_WIDTH_DEG` of longitude either side of the zone's
  central meridian gets an Albers equal-area CRS fitted to its extent: areas stay exact there,
  lengths are approximate.

Data that declares no CRS is taken as EPSG:4326 only when every coordinate is a valid
longitude/latitude (:func:`resolve_crs` says so in a warning); otherwise it is refused.
"""

from __future__ import annotations

import functools
import math
import threading
import warnings
from dataclasses import dataclass, replace

import numpy as np
import shapely
from pyproj import CRS, Proj, Transformer
from pyproj.exceptions import CRSError as PyprojCRSError

from geonames.errors import CRSError

#: Widest reach, in degrees of longitude either side of a zone's central meridian, for which a
#: transverse Mercator zone is still used; beyond it an Albers equal-area CRS is fitted.
MAX_HALF_WIDTH_DEG = 3.0

#: Rough extent of China (lon_min, lat_min, lon_max, lat_max), degrees, for choosing
#: Gauss–Krüger zones over UTM.
CHINA_BOUNDS = (73.0, 3.0, 135.5, 54.0)

WGS84 = CRS.from_epsg(4326)
CGCS2000 = CRS.from_epsg(4490)


@dataclass(frozen=True)
class MetricCRS:
    """The projected CRS measurements are made in, and why it was chosen.

    Attributes
    ----------
    crs : pyproj.CRS
    label : str
        ``"EPSG:4545"`` where an EPSG code exists, else the PROJ string.
    reason : str
        One sentence a report can print.
    lengths_exact : bool
        False for an equal-area CRS, where lengths are approximate: then lengths, offsets
        and tolerances are measured in each feature's local zone (:func:`local_zone`).
    centre : tuple of float or None
        (longitude, latitude) the CRS is centred on, where it has one.
    scale_error : float or None
        For an equal-area CRS: the largest departure of its linear scale from 1 (either
        direction) at the centres of the data's parts, as a fraction.
    """

    crs: CRS
    label: str
    reason: str
    lengths_exact: bool = True
    centre: tuple[float, float] | None = None
    scale_error: float | None = None

    @property
    def uses(self) -> dict[str, str]:
        """Which CRS is used for what (``areas``, ``line lengths``, ``tolerances and
        offsets``)."""
        if self.lengths_exact:
            return {"areas": self.label, "line lengths": self.label,
                    "tolerances and offsets": self.label}
        scale = (f" (scale off by up to {self.scale_error:.1%} over this extent)"
                 if self.scale_error is not None else "")
        return {"areas": self.label, "line lengths": LOCAL_ZONES,
                "tolerances and offsets": self.label + scale}


#: How lengths are measured when the extent is too wide for one zone.
LOCAL_ZONES = ("each feature's local zone: CGCS2000 3-degree Gauss–Krüger (EPSG:4534–4554) "
               "in China, UTM (EPSG:326nn/327nn) elsewhere")

#: Named equal-area CRSs for national and continental extents: EPSG code → what it is for.
#: One is used when it covers (almost) all of the data and the data spans at least half of
#: its area of use (:data:`NATIONAL_SHARE`).
NAMED_EQUAL_AREA = {
    5070: "NAD83 / Conus Albers (United States, lower 48)",
    9311: "NAD27 / US National Atlas Equal Area (United States with Alaska and Hawaii)",
    3338: "NAD83 / Alaska Albers",
    3035: "ETRS89 / LAEA Europe",
    3577: "GDA94 / Australian Albers",
    8857: "WGS 84 / Equal Earth Greenwich (world)",
}
#: Share of the data (by area in degrees², weighted by cos latitude) a named CRS's area of use
#: must cover.
NAMED_COVER = 0.99
#: Share of a named CRS's longitude span the data must reach to count as national.
NATIONAL_SHARE = 0.5
#: China Albers: CGCS2000, standard parallels 25°N and 47°N, centre 105°E (the usual national
#: equal-area projection for maps of China); used for extents that span most of China.
CHINA_ALBERS = CRS.from_proj4("+proj=aea +lat_0=0 +lon_0=105 +lat_1=25 +lat_2=47 +x_0=0 "
                              "+y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs")


def parse_crs(text: str | int | CRS) -> CRS:
    """Parse a CRS the user gave (``"EPSG:4545"``, ``4545``, a PROJ or WKT string).

    >>> parse_crs("EPSG:4545").to_epsg()
    4545
    """
    if isinstance(text, CRS):
        return text
    try:
        return CRS.from_user_input(text)
    except PyprojCRSError as err:
        raise CRSError(f"unknown CRS {text!r}: {err}") from None


def crs_label(crs: CRS) -> str:
    """``"EPSG:nnnn"`` where the CRS has an EPSG code, else its PROJ string."""
    crs = horizontal(crs)
    epsg = crs.to_epsg()
    if not epsg:
        epsg = crs.to_epsg(min_confidence=90)
    if epsg:
        return f"EPSG:{epsg}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "may lose information": we only label
        return crs.to_proj4()


def horizontal(crs: CRS) -> CRS:
    """The horizontal part of a compound CRS (CH1903+ / LV95 + LN02 height → EPSG:2056), or the
    CRS itself."""
    if crs.is_compound and crs.sub_crs_list:
        return crs.sub_crs_list[0]
    return crs


def is_metric(crs: CRS) -> bool:
    """True for a projected CRS whose axes are in metres."""
    crs = horizontal(crs)
    if not crs.is_projected:
        return False
    return all(
        (axis.unit_name or "").lower() in ("metre", "meter", "m") for axis in crs.axis_info[:2]
    )


def lonlat_bounds_ok(bounds: tuple[float, float, float, float]) -> bool:
    """True when (xmin, ymin, xmax, ymax) lie within longitude/latitude range."""
    xmin, ymin, xmax, ymax = bounds
    return -180.0 <= xmin <= xmax <= 180.0 and -90.0 <= ymin <= ymax <= 90.0


def resolve_crs(
    declared: CRS | None,
    bounds: tuple[float, float, float, float],
    user_crs: CRS | str | None = None,
) -> tuple[CRS, str | None]:
    """The CRS the data is in, and a warning when it had to be assumed.

    Parameters
    ----------
    declared : pyproj.CRS or None
        What the file declares.
    bounds : tuple
        (xmin, ymin, xmax, ymax) of the data, in its own coordinates.
    user_crs : optional
        What the user says the data is in (``--crs``); used only when nothing is declared.

    Raises
    ------
    CRSError
        When nothing is declared and the coordinates are not longitude/latitude.
    """
    if declared is not None:
        return declared, None
    if user_crs is not None:
        return parse_crs(user_crs), None
    if lonlat_bounds_ok(bounds):
        return WGS84, (
            "no CRS declared; assuming EPSG:4326 (longitude/latitude) because every coordinate "
            "is within range"
        )
    raise CRSError(
        "no CRS declared and the coordinates are not longitude/latitude "
        f"(bounds {_fmt_bounds(bounds)}); say which metric CRS they are in with --crs "
        "(for example --crs EPSG:4545)"
    )


def lonlat_bounds(crs: CRS, bounds: tuple[float, float, float, float]) -> tuple[float, ...]:
    """Transform (xmin, ymin, xmax, ymax) in ``crs`` to longitude/latitude bounds."""
    if crs.is_geographic:  # stored x/y are longitude/latitude whatever the axis order says
        return tuple(bounds)
    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    return tuple(transformer.transform_bounds(*bounds, densify_pts=21))


def choose_metric_crs(
    crs: CRS,
    bounds: tuple[float, float, float, float],
    user_crs: CRS | str | None = None,
    geometries: np.ndarray | None = None,
) -> MetricCRS:
    """Choose the metric CRS to measure data in: the one rule every engine uses.

    1. a CRS the user gives (``--crs``) wins; it must be projected, in metres;
    2. data in a projected CRS in metres keeps it (the horizontal part of a compound CRS:
       CH1903+ / LV95 + LN02 is EPSG:2056);
    3. geographic data: the longitude extent is taken across the antimeridian where that is
       shorter (:func:`lon_extent`, from the features' own extents when ``geometries`` are
       given), and
       * an extent that fits one zone (:data:`MAX_HALF_WIDTH_DEG` either side of its central
         meridian) is measured in that zone: the CGCS2000 3-degree Gauss–Krüger zone in
         China (EPSG:4534–4554), else UTM;
       * a wider extent gets an equal-area CRS for areas — a named one where it fits
         (:data:`NAMED_EQUAL_AREA`; :data:`CHINA_ALBERS` for most of China), else an Albers
         (or, across the equator, a Lambert azimuthal) equal-area CRS centred on the data —
         and lengths, offsets and tolerances are measured in each feature's local zone
         (:func:`local_zone`, :func:`measure_lengths`; ``lengths_exact`` False).

    Parameters
    ----------
    crs : pyproj.CRS
        The CRS the data is in.
    bounds : tuple
        (xmin, ymin, xmax, ymax) of the data in ``crs``.
    user_crs : optional
        A CRS the user gave (``--crs``); it always wins.
    geometries : array of shapely geometries, optional
        The data itself (in ``crs``): its features' extents place the antimeridian and weigh
        which named CRS covers it.

    Examples
    --------
    Chongqing (105.3°E–110.2°E) falls in the zone of central meridian 108°E:

    >>> choose_metric_crs(CGCS2000, (105.3, 28.2, 110.2, 32.2)).label
    'EPSG:4545'

    Outside China the UTM zone is used:

    >>> choose_metric_crs(WGS84, (2.2, 48.8, 2.5, 48.9)).label
    'EPSG:32631'
    """
    if user_crs is not None:
        chosen = parse_crs(user_crs)
        if not is_metric(chosen):
            raise CRSError(
                f"--crs {crs_label(chosen)} is not a projected CRS in metres; give a metric one "
                "(for example a Gauss–Krüger zone such as EPSG:4545, or a UTM zone)"
            )
        return MetricCRS(horizontal(chosen), crs_label(chosen), "given by the user")
    if is_metric(crs):
        return MetricCRS(horizontal(crs), crs_label(crs), "the data's own projected CRS (metres)")
    if horizontal(crs).is_projected:
        raise CRSError(
            f"the data's CRS {crs_label(crs)} is projected but not in metres; give a metric CRS "
            "with --crs"
        )
    boxes = _lonlat_boxes(crs, bounds, geometries)
    west, east = lon_extent([(b[0], b[2]) for b in boxes])
    ymin = min(b[1] for b in boxes)
    ymax = max(b[3] for b in boxes)
    width = (east - west) % 360.0 if east - west < 360.0 else 360.0
    lon_c = _wrap(west + width / 2.0)
    lat_c = (ymin + ymax) / 2.0
    zone = local_zone(lon_c, lat_c)
    meridian = _central_meridian(zone)
    if width <= 2 * MAX_HALF_WIDTH_DEG and meridian is not None and \
            _fits_zone(_unwrap(west, meridian), _unwrap(west, meridian) + width, meridian):
        return MetricCRS(zone, crs_label(zone), _zone_reason(zone), centre=(meridian, 0.0))
    metric = _equal_area(boxes, west, width, ymin, ymax)
    return replace(metric, scale_error=scale_error(metric.crs, boxes))


def scale_error(crs: CRS, boxes: list[tuple[float, ...]]) -> float:
    """Largest departure from 1 of the meridional or parallel scale of ``crs`` at the centres
    of longitude/latitude boxes (at most 2,000 of them, evenly picked)."""
    step = max(1, len(boxes) // 2000)
    lons, lats = [], []
    for x0, y0, x1, y1 in boxes[::step]:
        w = (x1 - x0) % 360.0
        lons.append(_wrap(x0 + w / 2.0))
        lats.append(max(min((y0 + y1) / 2.0, 89.0), -89.0))
    factors = Proj(crs).get_factors(lons, lats)
    worst = np.nanmax(np.abs(np.concatenate([np.asarray(factors.meridional_scale) - 1,
                                             np.asarray(factors.parallel_scale) - 1])))
    return float(worst)


def lon_extent(intervals: list[tuple[float, float]]) -> tuple[float, float]:
    """(west, east) of longitude intervals, across the antimeridian where that is shorter.

    The largest gap between the intervals (on the circle) is the outside of the data; west
    is where the data starts after it, east where it ends before it (east < west when the
    data crosses 180°). Data with no gap wider than 1° spans the world: (-180, 180).

    >>> lon_extent([(172.4, 180.0), (-180.0, -65.0)])    # the United States
    (172.4, -65.0)
    >>> lon_extent([(105.3, 110.2)])
    (105.3, 110.2)
    """
    spans = sorted((_wrap(a), _wrap(b)) for a, b in intervals)
    if not spans:
        raise CRSError("no coordinates to choose a CRS for")
    merged: list[list[float]] = []
    for a, b in spans:
        if b < a:                       # an interval that itself crosses 180°
            merged.append([a, 180.0])
            merged.append([-180.0, b])
            continue
        merged.append([a, b])
    merged.sort()
    joined: list[list[float]] = []
    for a, b in merged:
        if joined and a <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], b)
        else:
            joined.append([a, b])
    best_gap, west, east = -1.0, joined[0][0], joined[-1][1]
    for k, (_a, b) in enumerate(joined):
        nxt = joined[(k + 1) % len(joined)][0]
        gap = (nxt - b) % 360.0 if k + 1 < len(joined) else (nxt + 360.0 - b)
        if gap > best_gap:
            best_gap, west, east = gap, nxt, b
    if best_gap <= 1.0:
        return (-180.0, 180.0)
    return (west, east)


def local_zone(lon: float, lat: float) -> CRS:
    """The local metric zone of a point: the CGCS2000 3-degree Gauss–Krüger zone in China
    (EPSG:4534–4554), the UTM zone elsewhere (EPSG:326nn north, 327nn south).

    >>> local_zone(122.5, 52.97).to_epsg(), local_zone(-97.5, 38.5).to_epsg()   # Mohe, Kansas
    (4550, 32614)
    """
    lon = _wrap(lon)
    if _in_china(lon, lat):
        meridian = min(max(int(round(lon / 3.0) * 3), 75), 135)
        return CRS.from_epsg(4534 + (meridian - 75) // 3)
    zone = min(int(math.floor((lon + 180.0) / 6.0)) + 1, 60)
    return CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def measure_lengths(geometries: np.ndarray, crs: CRS) -> np.ndarray:
    """Length of each geometry in metres, each measured in its own local zone
    (:func:`local_zone` at the centre of its extent)."""
    geometries = np.asarray(geometries, dtype=object)
    out = np.zeros(len(geometries))
    lonlat = reproject(geometries, crs, WGS84) if not horizontal(crs).is_geographic \
        else geometries
    present = ~shapely.is_missing(lonlat)
    if not present.any():
        return out
    boxes = shapely.bounds(lonlat[present])
    lons = (boxes[:, 0] + boxes[:, 2]) / 2.0
    lats = (boxes[:, 1] + boxes[:, 3]) / 2.0
    zones = np.array([local_zone(x, y).to_epsg() for x, y in zip(lons, lats, strict=True)])
    idx = np.flatnonzero(present)
    src = WGS84 if not horizontal(crs).is_geographic else crs
    for epsg in np.unique(zones):
        pick = idx[zones == epsg]
        out[pick] = shapely.length(reproject(lonlat[pick], src, CRS.from_epsg(int(epsg))))
    return out


def _equal_area(boxes: list[tuple[float, ...]], west: float, width: float, ymin: float,
                ymax: float) -> MetricCRS:
    why = ("equal-area CRS for areas, tolerances and offsets (the extent is too wide for one "
           "zone); boundary line lengths in " + LOCAL_ZONES)
    for epsg, title in sorted(NAMED_EQUAL_AREA.items(), key=lambda kv: _aou_size(kv[0])):
        named = CRS.from_epsg(epsg)
        aou = named.area_of_use
        if aou is None:
            continue
        a_west, a_east = aou.west, aou.east
        a_width = (a_east - a_west) % 360.0 or 360.0
        if width < NATIONAL_SHARE * a_width or _covered(boxes, aou) < NAMED_COVER:
            continue
        return MetricCRS(named, f"EPSG:{epsg}", f"{title}: {why}", lengths_exact=False,
                         centre=_centre_of(named))
    china_w, china_s, china_e, china_n = CHINA_BOUNDS
    china = _Box(china_w, china_s, china_e, china_n)
    if width >= NATIONAL_SHARE * (china_e - china_w) and _covered(boxes, china) >= NAMED_COVER:
        return MetricCRS(CHINA_ALBERS, "China Albers (CGCS2000, 25°N/47°N, 105°E)",
                         f"China Albers equal-area: {why}", lengths_exact=False,
                         centre=(105.0, 0.0))
    lon_0 = _wrap(west + width / 2.0)
    if ymin < 0 < ymax and min(-ymin, ymax) > 5.0:
        lat_0 = (ymin + ymax) / 2.0
        proj = (f"+proj=laea +lat_0={lat_0:.4f} +lon_0={lon_0:.4f} +x_0=0 +y_0=0 "
                "+ellps=GRS80 +units=m +no_defs +type=crs")
        kind = "Lambert azimuthal equal-area centred on the data"
        centre = (lon_0, lat_0)
    else:
        lat_1 = ymin + (ymax - ymin) / 6.0
        lat_2 = ymax - (ymax - ymin) / 6.0
        lat_0 = (ymin + ymax) / 2.0
        proj = (f"+proj=aea +lat_0={lat_0:.4f} +lon_0={lon_0:.4f} +lat_1={lat_1:.4f} "
                f"+lat_2={lat_2:.4f} +x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs")
        kind = "Albers equal-area centred on the data"
        centre = (lon_0, lat_0)
    return MetricCRS(CRS.from_proj4(proj), proj.replace(" +type=crs", ""), f"{kind}: {why}",
                     lengths_exact=False, centre=centre)


def albers_for(xmin: float, ymin: float, xmax: float, ymax: float) -> MetricCRS:
    """An equal-area CRS centred on a longitude/latitude extent (Albers, standard parallels
    at one sixth and five sixths of the latitude range; across the equator a Lambert
    azimuthal one). ``xmin > xmax`` means the extent crosses 180°."""
    width = (xmax - xmin) % 360.0 or 360.0
    return _equal_area([(xmin, ymin, xmax, ymax)], xmin, width, ymin, ymax)


@dataclass(frozen=True)
class _Box:
    west: float
    south: float
    east: float
    north: float


def _covered(boxes: list[tuple[float, ...]], aou) -> float:
    """Share of the data (sum of its boxes, degrees² × cos latitude) inside an area of use."""
    total = inside = 0.0
    for x0, y0, x1, y1 in boxes:
        w = ((x1 - x0) % 360.0) or 1e-9
        weight = max(w * max(y1 - y0, 1e-9) * math.cos(math.radians((y0 + y1) / 2.0)), 1e-12)
        total += weight
        cx, cy = _wrap(x0 + w / 2.0), (y0 + y1) / 2.0
        if aou.south <= cy <= aou.north and _lon_in(cx, aou.west, aou.east):
            inside += weight
    return inside / total if total else 0.0


def _lon_in(lon: float, west: float, east: float) -> bool:
    if west <= east:
        return west <= lon <= east
    return lon >= west or lon <= east


def _aou_size(epsg: int) -> float:
    aou = CRS.from_epsg(epsg).area_of_use
    if aou is None:
        return 1e9
    return (((aou.east - aou.west) % 360.0) or 360.0) * (aou.north - aou.south)


def _centre_of(crs: CRS) -> tuple[float, float] | None:
    params = {p.name: p.value for p in (crs.coordinate_operation.params
                                        if crs.coordinate_operation else [])}
    lon = next((v for k, v in params.items() if "longitude" in k.lower()), None)
    lat = next((v for k, v in params.items() if "latitude" in k.lower()
                and "parallel" not in k.lower()), None)
    if lon is None:
        return None
    return (float(lon), float(lat) if lat is not None else 0.0)


def _lonlat_boxes(crs: CRS, bounds: tuple[float, float, float, float],
                  geometries: np.ndarray | None) -> list[tuple[float, ...]]:
    if geometries is not None and len(geometries):
        geoms = np.asarray(geometries, dtype=object)
        geoms = geoms[~shapely.is_missing(geoms)]
        if not horizontal(crs).is_geographic:
            geoms = reproject(geoms, crs, WGS84)
        if len(geoms):
            boxes = shapely.bounds(shapely.get_parts(geoms))
            boxes = boxes[~np.isnan(boxes).any(axis=1)]
            if len(boxes):
                return [tuple(map(float, b)) for b in boxes]
    return [tuple(lonlat_bounds(crs, bounds))]


def _central_meridian(zone: CRS) -> float | None:
    centre = _centre_of(zone)
    return centre[0] if centre else None


def _zone_reason(zone: CRS) -> str:
    epsg = zone.to_epsg() or 0
    if 4534 <= epsg <= 4554:
        return f"CGCS2000 3-degree Gauss–Krüger zone, central meridian {75 + 3 * (epsg - 4534)}°E"
    number, hemi = epsg % 100, ("north" if epsg < 32700 else "south")
    return f"UTM zone {number} {hemi}"


def _wrap(lon: float) -> float:
    """Longitude in [-180, 180] (unchanged when it is already)."""
    if -180.0 <= lon <= 180.0:
        return lon
    out = (lon + 180.0) % 360.0 - 180.0
    return 180.0 if out == -180.0 and lon > 0 else out


def _unwrap(lon: float, near: float) -> float:
    """``lon`` shifted by whole turns to within 180° of ``near``."""
    return near + ((lon - near + 180.0) % 360.0) - 180.0


def transformer(src: CRS, dst: CRS) -> Transformer:
    """An always-x/y (longitude first) transformer from ``src`` to ``dst``.

    Made once per pair and thread (creating one costs about 0.1 s; measuring per zone asks
    for dozens).
    """
    return _transformer(src, dst, threading.get_ident())


@functools.lru_cache(maxsize=256)
def _transformer(src: CRS, dst: CRS, thread: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def reproject(geometries: np.ndarray, src: CRS, dst: CRS) -> np.ndarray:
    """Reproject an array of shapely geometries, vectorised.

    Returns the input unchanged when ``src == dst``.
    """
    geometries = np.asarray(geometries, dtype=object)
    if src == dst:
        return geometries
    tr = transformer(src, dst)

    def _apply(coords: np.ndarray) -> np.ndarray:
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    out = shapely.transform(geometries, _apply)
    return np.asarray(out, dtype=object)


def _in_china(lon: float, lat: float) -> bool:
    x0, y0, x1, y1 = CHINA_BOUNDS
    return x0 <= lon <= x1 and y0 <= lat <= y1


def _fits_zone(xmin: float, xmax: float, meridian: float) -> bool:
    return max(meridian - xmin, xmax - meridian) <= MAX_HALF_WIDTH_DEG


def _fmt_bounds(bounds: tuple[float, float, float, float]) -> str:
    return "(" + ", ".join(f"{v:.6g}" for v in bounds) + ")"


def metric_crs_for(crs: CRS, geometries: np.ndarray | list, user_crs: CRS | str | None = None
                   ) -> MetricCRS | None:
    """:func:`choose_metric_crs` for geometries in ``crs``: from the bounds of those present
    (missing and empty ones ignored); None when there is none.

    >>> from shapely import Point
    >>> metric_crs_for(WGS84, [Point(106.5, 29.5), None]).label
    'EPSG:4545'
    >>> metric_crs_for(WGS84, [None]) is None
    True
    """
    geoms = np.asarray(geometries, dtype=object)
    present = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)] if len(geoms) \
        else geoms
    if not len(present):
        return None
    xmin, ymin, xmax, ymax = (float(v) for v in shapely.total_bounds(present))
    return choose_metric_crs(crs, (xmin, ymin, xmax, ymax), user_crs, geometries=present)
