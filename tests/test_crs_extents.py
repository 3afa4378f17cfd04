"""One metric-CRS rule for any extent, on public atlases (fixtures/crs, made by
scripts/make_crs_fixtures.py): the United States across the antimeridian, the world, a
Xinjiang cut of Chinese polygons, a Swiss layer in EPSG:2056; lengths per local zone against
geodesic lengths across China."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
import shapely
from pyproj import CRS, Geod, Proj
from shapely.geometry import LineString

from geonames.crs import (
    CHINA_ALBERS,
    WGS84,
    choose_metric_crs,
    local_zone,
    lon_extent,
    measure_lengths,
)
from tests.conftest import ROOT, run_cli

CRS_FIXTURES = ROOT / "fixtures" / "crs"


def info(capsys, name: str) -> dict:
    code, out, err = run_cli(capsys, "info", str(CRS_FIXTURES / name), "--json")
    assert code == 0, err
    return json.loads(out)


def test_us_counties_across_the_antimeridian_get_a_us_crs(capsys):
    facts = info(capsys, "us-counties.geojson")
    assert facts["bbox"][0] < -179 and facts["bbox"][2] > 179   # Aleutians on both sides
    assert facts["metric_crs"] == "EPSG:9311"
    lon, lat = facts["metric_crs_centre"]
    assert -130 <= lon <= -60 and 30 <= lat <= 50
    assert facts["metric_crs_use"]["line lengths"].startswith("each feature's local zone")
    # tolerances and offsets stay in the areas CRS, and the summary says how far off its
    # scale is over the data (Guam and American Samoa are far from the centre)
    assert facts["metric_crs_use"]["tolerances and offsets"].startswith(
        "EPSG:9311 (scale off by up to")
    # in Kansas the areas CRS is nearly true to scale (the old mean-of-bounds Albers gave
    # ×1.13 north–south, ×0.88 east–west and 14° of angular distortion)
    f = Proj(CRS.from_epsg(9311)).get_factors(-98.0, 38.5)
    assert abs(f.meridional_scale - 1) < 0.01 and abs(f.parallel_scale - 1) < 0.01
    assert f.angular_distortion < 1.0


def test_world_countries_get_equal_earth(capsys):
    facts = info(capsys, "world-countries.geojson")
    assert facts["metric_crs"] == "EPSG:8857"
    assert facts["metric_crs_centre"][0] == 0.0


def test_xinjiang_gets_an_equal_area_crs_centred_on_it(capsys):
    facts = info(capsys, "xinjiang.geojson")
    lon, lat = facts["metric_crs_centre"]
    west, south, east, north = facts["bbox"]
    assert west < lon < east and south < lat < north
    assert abs(lon - (west + east) / 2) < 0.5
    assert facts["metric_crs"].startswith("+proj=aea")
    assert facts["metric_crs_use"]["tolerances and offsets"].endswith(
        "(scale off by up to 0.4% over this extent)")


def test_swiss_layer_keeps_epsg_2056(capsys):
    facts = info(capsys, "swiss-cantons.shp")     # an ESRI .prj: CH1903+/LV95 + LN02 height
    assert facts["crs"] == "EPSG:2056"
    assert facts["metric_crs"] == "EPSG:2056"
    assert facts["metric_crs_reason"] == "the data's own projected CRS (metres)"


def test_lon_extent_takes_the_largest_gap():
    assert lon_extent([(172.4, 180.0), (-180.0, -65.0)]) == (172.4, -65.0)
    assert lon_extent([(-180.0, 180.0)]) == (-180.0, 180.0)
    assert lon_extent([(170.0, -170.0)]) == (170.0, -170.0)     # one part across 180°
    west, east = lon_extent([(-10.0, 10.0), (100.0, 120.0)])
    assert (west, east) == (-10.0, 120.0)


def test_small_extents_keep_one_local_zone():
    assert choose_metric_crs(WGS84, (105.3, 28.2, 110.2, 32.2)).label == "EPSG:4545"
    assert choose_metric_crs(WGS84, (-100.0, 37.0, -97.0, 40.0)).label == "EPSG:32614"
    # islands on both sides of 180° (bounds -180…180): centred on 180°, not on Greenwich
    metric = choose_metric_crs(WGS84, (-180.0, 51.0, 180.0, 53.0),
                               geometries=np.array([shapely.box(178.5, 51, 180, 53),
                                                    shapely.box(-180, 51, -178.5, 53)]))
    assert metric.centre is not None
    assert abs(abs(metric.centre[0]) - 180.0) < 1e-9 and metric.centre[1] == 52.0


def _segments_across_china(n: int = 100, seed: int = 12) -> list[LineString]:
    data = json.loads((CRS_FIXTURES / "china-provinces.geojson").read_text(encoding="utf-8"))
    pairs = []
    for feature in data["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        for poly in getattr(geom, "geoms", [geom]):
            ring = list(poly.exterior.coords)
            pairs.extend(zip(ring[:-1], ring[1:], strict=True))
    rng = random.Random(seed)
    chosen = rng.sample([p for p in pairs if p[0] != p[1]], n)
    return [LineString(p) for p in chosen]


def test_lengths_per_zone_agree_with_geodesic_lengths_across_china():
    segments = _segments_across_china()
    lons = [s.centroid.x for s in segments]
    assert max(lons) - min(lons) > 30                         # segments in many zones
    assert len({local_zone(s.centroid.x, s.centroid.y).to_epsg() for s in segments}) >= 8
    geod = Geod(ellps="GRS80")
    truth = np.array([geod.geometry_length(s) for s in segments])
    measured = measure_lengths(np.array(segments, dtype=object), WGS84)
    rel = np.abs(measured / truth - 1)
    assert rel.max() < 0.001                                  # within 0.1 %
    # one China-wide Albers is not good enough for lengths: that is why zones are used
    from geonames.crs import reproject
    albers = shapely.length(reproject(np.array(segments, dtype=object), WGS84, CHINA_ALBERS))
    assert np.abs(albers / truth - 1).max() > 0.01


@pytest.mark.parametrize("bounds, label", [
    ((73.5, 18.0, 135.0, 53.5), "China Albers (CGCS2000, 25°N/47°N, 105°E)"),
    ((-124.7, 24.5, -66.9, 49.4), "EPSG:5070"),
])
def test_national_extents_get_named_equal_area_crs(bounds, label):
    metric = choose_metric_crs(WGS84, bounds)
    assert metric.label == label and not metric.lengths_exact
    assert metric.uses["areas"] == label


def test_boundary_lines_of_a_wide_extent_are_measured_per_zone():
    from geonames.boundaries.lines import extract_division_lines
    from geonames.crs import reproject
    from geonames.divisions.io import read_divisions

    table = read_divisions(CRS_FIXTURES / "xinjiang.geojson")
    found = extract_division_lines(table)
    assert not found.metric.lengths_exact
    geod = Geod(ellps="GRS80")
    lonlat = reproject(found.lines, found.metric.crs, WGS84)
    truth = np.array([geod.geometry_length(g) for g in lonlat])
    big = truth > 1000
    assert big.sum() > 20
    assert np.abs(found.lengths[big] / truth[big] - 1).max() < 0.001


def test_every_engine_places_the_antimeridian_from_the_features():
    from geonames.divisions.coverage import metric_crs_of
    from geonames.divisions.io import read_divisions

    table = read_divisions(CRS_FIXTURES / "us-counties.geojson")
    assert metric_crs_of(table).label == "EPSG:9311"     # not a world CRS from the bounds
