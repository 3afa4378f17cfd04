"""The live PostGIS server that the register's PostGIS backend runs on."""

import psycopg
import pytest
import shapely

pytestmark = pytest.mark.postgis


def test_postgis_version_and_geometry_round_trip(postgis_url):
    polygon = shapely.from_wkt("POLYGON ((106.5 29.5, 106.6 29.5, 106.6 29.6, 106.5 29.5))")
    with psycopg.connect(postgis_url) as conn:
        version = conn.execute("SELECT postgis_version()").fetchone()[0]
        assert version.split()[0].startswith("3.")
        row = conn.execute(
            "SELECT ST_AsBinary(ST_GeomFromWKB(%s, 4490)), ST_SRID(ST_GeomFromWKB(%s, 4490)), "
            "ST_Area(ST_Transform(ST_GeomFromWKB(%s, 4490), 4545))",
            (shapely.to_wkb(polygon), shapely.to_wkb(polygon), shapely.to_wkb(polygon)),
        ).fetchone()
    back = shapely.from_wkb(bytes(row[0]))
    assert back.equals(polygon)
    assert row[1] == 4490
    # The same area computed here with pyproj, within 0.1 %.
    from pyproj import CRS

    from geonames.crs import CGCS2000, reproject

    local = reproject([polygon], CGCS2000, CRS.from_epsg(4545))[0].area
    assert row[2] == pytest.approx(local, rel=1e-3)
    assert 5e7 < local < 6e7  # half of a ~0.1° square at 29.5°N: about 54 km²
