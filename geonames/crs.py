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

import math
import warnings
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer
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
        False for an equal-area CRS, where lengths are approximate.
    """

    crs: CRS
    label: str
    reason: str
    lengths_exact: bool = True


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
    epsg = crs.to_epsg()
    if epsg:
        return f"EPSG:{epsg}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "may lose information": we only label
        return crs.to_proj4()


def is_metric(crs: CRS) -> bool:
    """True for a projected CRS whose axes are in metres."""
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
) -> MetricCRS:
    """Choose the metric CRS to measure data in.

    Parameters
    ----------
    crs : pyproj.CRS
        The CRS the data is in.
    bounds : tuple
        (xmin, ymin, xmax, ymax) of the data in ``crs``.
    user_crs : optional
        A CRS the user gave (``--crs``); it always wins.

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
        return MetricCRS(chosen, crs_label(chosen), "given by the user")
    if is_metric(crs):
        return MetricCRS(crs, crs_label(crs), "the data's own projected CRS (metres)")
    if crs.is_projected:
        raise CRSError(
            f"the data's CRS {crs_label(crs)} is projected but not in metres; give a metric CRS "
            "with --crs"
        )
    xmin, ymin, xmax, ymax = lonlat_bounds(crs, bounds)
    lon_c, lat_c = (xmin + xmax) / 2.0, (ymin + ymax) / 2.0
    if _in_china(lon_c, lat_c):
        meridian = int(round(lon_c / 3.0) * 3)
        meridian = min(max(meridian, 75), 135)
        if _fits_zone(xmin, xmax, meridian):
            epsg = 4534 + (meridian - 75) // 3
            return MetricCRS(
                CRS.from_epsg(epsg),
                f"EPSG:{epsg}",
                f"CGCS2000 3-degree Gauss–Krüger zone, central meridian {meridian}°E",
            )
    else:
        zone = min(int(math.floor((lon_c + 180.0) / 6.0)) + 1, 60)
        meridian = zone * 6 - 183
        if _fits_zone(xmin, xmax, meridian):
            epsg = (32600 if lat_c >= 0 else 32700) + zone
            hemi = "north" if lat_c >= 0 else "south"
            return MetricCRS(CRS.from_epsg(epsg), f"EPSG:{epsg}", f"UTM zone {zone} {hemi}")
    return albers_for(xmin, ymin, xmax, ymax)


def albers_for(xmin: float, ymin: float, xmax: float, ymax: float) -> MetricCRS:
    """An Albers equal-area CRS fitted to a longitude/latitude extent.

    Standard parallels at one sixth and five sixths of the latitude range.
    """
    lat_1 = ymin + (ymax - ymin) / 6.0
    lat_2 = ymax - (ymax - ymin) / 6.0
    lon_0 = (xmin + xmax) / 2.0
    lat_0 = (ymin + ymax) / 2.0
    proj = (
        f"+proj=aea +lat_0={lat_0:.4f} +lon_0={lon_0:.4f} +lat_1={lat_1:.4f} +lat_2={lat_2:.4f} "
        "+x_0=0 +y_0=0 +ellps=GRS80 +units=m +no_defs"
    )
    return MetricCRS(
        CRS.from_proj4(proj),
        proj,
        "Albers equal-area fitted to the data (too wide for one zone): areas are exact, "
        "lengths approximate",
        lengths_exact=False,
    )


def transformer(src: CRS, dst: CRS) -> Transformer:
    """An always-x/y (longitude first) transformer from ``src`` to ``dst``."""
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
