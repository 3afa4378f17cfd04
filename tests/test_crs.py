"""Choice of the metric CRS, and the CRS of data that declares none."""

import pytest
from pyproj import CRS

from geonames.crs import (
    CGCS2000,
    WGS84,
    choose_metric_crs,
    crs_label,
    parse_crs,
    reproject,
    resolve_crs,
)
from geonames.errors import CRSError


@pytest.mark.parametrize(
    "bounds, label",
    [
        ((105.29, 28.16, 110.20, 32.20), "EPSG:4545"),  # Chongqing: CM 108°E
        ((105.3, 29.3, 105.9, 29.8), "EPSG:4544"),      # western Chongqing: CM 105°E
        ((116.2, 39.7, 116.6, 40.1), "EPSG:4548"),      # Beijing: CM 117°E
        ((87.4, 43.7, 87.8, 44.0), "EPSG:4538"),        # Urumqi: CM 87°E
        ((121.3, 31.1, 121.6, 31.3), "EPSG:4549"),      # Shanghai: CM 120°E
    ],
)
def test_gauss_kruger_zone_in_china(bounds, label):
    metric = choose_metric_crs(CGCS2000, bounds)
    assert metric.label == label
    assert metric.lengths_exact
    meridian = (int(label.split(":")[1]) - 4534) * 3 + 75
    assert metric.crs.coordinate_operation.params[1].value == meridian  # longitude of origin


def test_wgs84_in_china_also_gets_gauss_kruger():
    assert choose_metric_crs(WGS84, (105.29, 28.16, 110.20, 32.20)).label == "EPSG:4545"


@pytest.mark.parametrize(
    "bounds, label",
    [
        ((2.2, 48.8, 2.5, 48.9), "EPSG:32631"),       # Paris
        ((-74.1, 40.6, -73.8, 40.9), "EPSG:32618"),   # New York
        ((18.3, -34.1, 18.7, -33.8), "EPSG:32734"),   # Cape Town, south
    ],
)
def test_utm_outside_china(bounds, label):
    assert choose_metric_crs(WGS84, bounds).label == label


def test_too_wide_gets_albers_with_a_note():
    metric = choose_metric_crs(CGCS2000, (73.5, 18.2, 134.8, 53.5))  # all of China
    assert metric.crs.coordinate_operation.method_name == "Albers Equal Area"
    assert metric.label == "China Albers (CGCS2000, 25°N/47°N, 105°E)"
    assert not metric.lengths_exact
    assert "boundary line lengths in each feature's local zone" in metric.reason


def test_projected_metric_data_keeps_its_crs():
    metric = choose_metric_crs(CRS.from_epsg(32650), (400000, 3000000, 500000, 3100000))
    assert metric.label == "EPSG:32650"


def test_user_crs_wins_and_must_be_metric():
    assert choose_metric_crs(WGS84, (105, 28, 110, 32), user_crs="EPSG:4544").label == "EPSG:4544"
    with pytest.raises(CRSError, match="not a projected CRS in metres"):
        choose_metric_crs(WGS84, (105, 28, 110, 32), user_crs="EPSG:4490")
    with pytest.raises(CRSError, match="unknown CRS"):
        parse_crs("EPSG:999999")


def test_undeclared_crs_is_assumed_lonlat_only_in_range():
    crs, warning = resolve_crs(None, (105.0, 28.0, 110.0, 32.0))
    assert crs == WGS84 and "assuming EPSG:4326" in warning
    with pytest.raises(CRSError, match="--crs"):
        resolve_crs(None, (36500000.0, 3100000.0, 36600000.0, 3200000.0))
    crs, warning = resolve_crs(None, (500000.0, 3100000.0, 600000.0, 3200000.0), "EPSG:4545")
    assert crs_label(crs) == "EPSG:4545" and warning is None


def test_reproject_round_trip_and_area():
    from shapely import box

    square = box(106.0, 29.0, 106.01, 29.01)
    metric = reproject([square], CGCS2000, CRS.from_epsg(4544))[0]
    # 0.01° × 0.01° at 29°N: 1113 m × (1113 × cos 29° ≈ 973 m) ≈ 1.083 km²
    assert metric.area == pytest.approx(1.0832e6, rel=3e-3)
    back = reproject([metric], CRS.from_epsg(4544), CGCS2000)[0]
    assert back.equals_exact(square, 1e-9)
