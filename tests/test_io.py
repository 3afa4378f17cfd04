"""Reading divisions: ids, names, encodings, CRS, and a clear error for each kind of bad file."""

import json
import struct

import fiona
import pytest
import shapely
from shapely.geometry import mapping

from geonames.divisions.io import describe, read_divisions
from geonames.errors import CRSError, InputFileError
from geonames.vector import detect_encoding, read_layer, write_features
from tests.conftest import CHONGQING_2010, CHONGQING_2020

CHONGQING_NAMES = {"500103": "渝中区", "500110": "綦江区", "500242": "酉阳土家族苗族自治县"}


def test_chongqing_ids_from_feature_id_and_names():
    table = read_divisions(CHONGQING_2020)
    assert len(table) == 38
    assert table.id_source == "feature id"
    assert len(set(table.ids)) == 38
    names = table.name_of()
    for code, name in CHONGQING_NAMES.items():
        assert names[code] == name
    raw = json.loads(CHONGQING_2020.read_text(encoding="utf-8"))
    assert table.ids.tolist() == [f["id"] for f in raw["features"]]


def test_describe_reports_the_issue_facts():
    facts = describe(CHONGQING_2020)
    assert facts["features"] == 38
    assert facts["ids_unique"] is True
    assert facts["id_source"] == "feature id"
    assert facts["metric_crs"] == "EPSG:4545"
    assert facts["geometry_types"] == {"Polygon": 31, "MultiPolygon": 7}
    assert facts["bbox"][0] == pytest.approx(105.2900390625)


def _write_gbk_shapefile(path, names):
    """A shapefile whose .dbf holds GBK bytes and that has no .cpg, as many Chinese agencies ship."""
    schema = {"geometry": "Polygon", "properties": {"code": "str:12", "name": "str:40"}}
    with fiona.open(path, "w", driver="ESRI Shapefile", schema=schema, crs="EPSG:4490",
                    encoding="gbk") as dst:
        for i, (code, name) in enumerate(names):
            square = shapely.box(106 + i, 29, 106.5 + i, 29.5)
            dst.write({"geometry": mapping(square), "properties": {"code": code, "name": name}})
    for extra in (path.with_suffix(".cpg"),):
        if extra.exists():
            extra.unlink()
    # Clear the language driver id byte too, so that nothing in the file says "GBK".
    dbf = path.with_suffix(".dbf")
    data = bytearray(dbf.read_bytes())
    data[29] = 0
    dbf.write_bytes(bytes(data))


def test_gbk_shapefile_without_cpg_reads_chinese(tmp_path):
    path = tmp_path / "counties.shp"
    rows = [("500110", "綦江区"), ("500242", "酉阳土家族苗族自治县"), ("500229", "城口县")]
    _write_gbk_shapefile(path, rows)
    assert not path.with_suffix(".cpg").exists()
    assert "酉阳".encode("gbk") in path.with_suffix(".dbf").read_bytes()
    assert detect_encoding(path) == "gb18030"
    table = read_divisions(path, id_field="code")
    assert table.names.tolist() == [name for _, name in rows]
    assert table.ids.tolist() == [code for code, _ in rows]
    facts = describe(path, id_field="code")
    assert facts["encoding"] == "gb18030"


def test_utf8_shapefile_is_left_alone(tmp_path):
    path = tmp_path / "utf8.shp"
    schema = {"geometry": "Polygon", "properties": {"name": "str:40"}}
    with fiona.open(path, "w", driver="ESRI Shapefile", schema=schema, crs="EPSG:4490",
                    encoding="utf-8") as dst:
        dst.write({"geometry": mapping(shapely.box(0, 0, 1, 1)), "properties": {"name": "渝中区"}})
    path.with_suffix(".cpg").unlink(missing_ok=True)
    assert detect_encoding(path) == "utf-8"
    assert read_layer(path).properties[0]["name"] == "渝中区"


def test_explicit_encoding_wins(tmp_path):
    path = tmp_path / "counties.shp"
    _write_gbk_shapefile(path, [("500110", "綦江区")])
    assert read_divisions(path, encoding="gbk").names.tolist() == ["綦江区"]


def test_round_trip_gpkg_and_ids_from_code_field(tmp_path):
    out = tmp_path / "d.gpkg"
    table = read_divisions(CHONGQING_2010)
    write_features(out, [{"code": i, "name": n} for i, n in zip(table.ids, table.names)],
                   table.geometries, {"code": "str", "name": "str"}, table.crs, layer="counties")
    back = read_divisions(out, layer="counties")
    assert back.id_source == "field 'code'"  # GeoPackage fids are 1…n: not meaningful
    assert back.ids.tolist() == table.ids.tolist()
    assert back.names.tolist() == table.names.tolist()
    assert shapely.equals(back.geometries, table.geometries).all()
    assert back.crs.to_epsg() == 4326


@pytest.mark.parametrize("name, content, message", [
    ("missing.geojson", None, "no such file"),
    ("empty.geojson", b"", "the file is empty"),
    ("garbage.geojson", b"this is not json {", "not a vector file"),
    ("nofeatures.geojson", b'{"type":"FeatureCollection","features":[]}', "has no features"),
])
def test_bad_files_have_specific_errors(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputFileError, match=message):
        read_divisions(path)


def _geojson(tmp_path, features, name="x.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": mapping(geometry)}


def test_point_layer_is_refused(tmp_path):
    path = _geojson(tmp_path, [_feature(shapely.Point(106, 29), name="a")])
    with pytest.raises(InputFileError, match="must be polygons, but the layer has 1 Point"):
        read_divisions(path)


def test_unknown_layer_and_field(tmp_path):
    with pytest.raises(InputFileError, match="no layer 'nope'"):
        read_divisions(CHONGQING_2020, layer="nope")
    with pytest.raises(InputFileError, match="no field 'adcode'; fields are: id, name, childNum"):
        read_divisions(CHONGQING_2020, id_field="adcode")


def test_duplicate_ids_are_kept_and_reported(tmp_path):
    square = shapely.box(106, 29, 106.1, 29.1)
    path = _geojson(tmp_path, [_feature(square, code="500101"), _feature(square, code="500101"),
                               _feature(square, code="500102")])
    table = read_divisions(path)
    assert table.ids.tolist() == ["500101", "500101", "500102"]
    facts = describe(path)
    assert facts["ids_unique"] is False and facts["duplicate_ids"] == ["500101"]


def test_projected_coordinates_without_crs(tmp_path):
    # A GeoJSON (declared lon/lat by the format) holding Gauss–Krüger metres.
    path = _geojson(tmp_path, [_feature(shapely.box(500000, 3200000, 501000, 3201000), code="1")])
    with pytest.raises(CRSError, match="out of longitude/latitude range"):
        read_divisions(path)


def test_shapefile_without_prj_in_metres_needs_crs(tmp_path):
    path = tmp_path / "gk.shp"
    schema = {"geometry": "Polygon", "properties": {"code": "str"}}
    with fiona.open(path, "w", driver="ESRI Shapefile", schema=schema) as dst:
        dst.write({"geometry": mapping(shapely.box(500000, 3200000, 501000, 3201000)),
                   "properties": {"code": "500101"}})
    assert not path.with_suffix(".prj").exists()
    with pytest.raises(CRSError, match="--crs"):
        read_divisions(path)
    table = read_divisions(path, crs="EPSG:4545")
    assert table.crs.to_epsg() == 4545


def test_shapefile_without_prj_in_lonlat_is_assumed_with_note(tmp_path):
    path = tmp_path / "ll.shp"
    schema = {"geometry": "Polygon", "properties": {"code": "str"}}
    with fiona.open(path, "w", driver="ESRI Shapefile", schema=schema) as dst:
        dst.write({"geometry": mapping(shapely.box(106, 29, 106.1, 29.1)),
                   "properties": {"code": "500101"}})
    table = read_divisions(path)
    assert table.crs.to_epsg() == 4326
    assert "assuming EPSG:4326" in table.crs_note


def test_corrupt_shapefile(tmp_path):
    path = tmp_path / "broken.shp"
    path.write_bytes(struct.pack(">i", 9994) + b"\0" * 20)
    with pytest.raises(InputFileError):
        read_divisions(path)


def test_features_without_geometry_are_kept(tmp_path):
    path = _geojson(tmp_path, [_feature(shapely.box(106, 29, 106.1, 29.1), code="1"),
                               {"type": "Feature", "properties": {"code": "2"}, "geometry": None}])
    table = read_divisions(path)
    assert table.ids.tolist() == ["1", "2"]
    assert table.geometries[1] is None
    assert table.geometries[0].area == pytest.approx(0.01)
