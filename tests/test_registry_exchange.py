"""Import and export of the register on both backends, and the GeoPackage as GIS software sees it.

Exports (GeoPackage, GeoJSON, CSV, Linked Places Format) import back into a new register
without loss; the Linked Places export has every element the format requires; fiona (GDAL)
opens the register file and lists the current names with geometry, and GDAL's own writes keep
the register's R-tree consistent.
"""

from __future__ import annotations

import json
import math
import shutil
from datetime import date

import fiona
import pytest
import shapely
from pyproj import CRS

from geonames.names.model import Approval, NameVariant, PlaceName, VariantKind
from geonames.registry import AUTO_ID, Registry
from geonames.registry.exchange import export, import_file, read_places, to_lpf
from tests.conftest import CHONGQING_2020

pytest.register_assert_rewrite("tests.registry_support")
from tests.registry_support import make_target  # noqa: E402

pytest_plugins = ["tests.registry_support"]  # the target and reg fixtures, on both backends

LIANGPING = Approval("国务院", "", date(2016, 12, 1))
MERGE = Approval("国务院", "国函〔2011〕123号", date(2011, 10, 27))


@pytest.fixture
def filled(reg):
    """The 38 real Chongqing districts (polygons), one rename, one merge, one village point."""
    result = import_file(reg, CHONGQING_2020, effective=date(2015, 1, 1),
                         mapping={"division_code": "id", "id": ""},
                         approval=Approval("重庆市人民政府", "", date(2015, 1, 1)))
    assert result.imported == 38
    by_code = {p.division_code: p for p in reg.places()}
    reg.rename(by_code["500228"].id, "梁平区", effective=date(2016, 12, 1), approval=LIANGPING)
    reg.merge([by_code["500110"].id, by_code["500111"].id],
              PlaceName(AUTO_ID, "綦江大足区", division_code="500110"),
              effective=date(2021, 1, 1), approval=MERGE)
    reg.add(PlaceName(AUTO_ID, "磁器口社区居民委员会", division_code="500106001001",
                      geometry=shapely.Point(106.4501, 29.5787),
                      variants=(NameVariant("磁器口", VariantKind.SHORT, source="渝府〔1998〕"),),
                      meaning="以瓷器集散得名"), effective=date(2022, 1, 1))
    return reg


def _essence(p: PlaceName) -> tuple:
    return (p.id, p.name, p.romanization, p.generic, p.division_code, p.status, p.variants,
            p.approval, p.valid_from, p.valid_to, p.supersedes, p.superseded_by, p.meaning,
            p.status_history, p.geometry.wkb if p.geometry is not None else None)


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".csv", ".lpf.json"])
def test_export_imports_back_without_loss(filled, tmp_path, request, suffix):
    out = tmp_path / f"export{suffix}"
    n = export(filled, out, current=False)
    assert n == len(filled) == 40
    backend = "postgis" if filled.backend == "postgis" else "gpkg"
    with Registry.open(make_target(backend, request, tmp_path, "back")) as back:
        result = import_file(back, out, effective=date(2024, 1, 1))
        assert not result.rejected and result.imported == 40
        original = {p.id: p for p in filled.places()}
        copied = {p.id: p for p in back.places()}
        assert original.keys() == copied.keys()
        for pid, p in original.items():
            assert _essence(copied[pid]) == _essence(p), pid


def test_linked_places_keep_three_position_rings_and_collections(tmp_path):
    """The real Chongqing polygons have rings of three positions ([a, b, a], 大渡口区 has two):
    they come back from LPF exactly as exported, as from GeoJSON, and a GeometryCollection
    (written as several members) comes back whole; a NaN coordinate, or latitude and longitude
    swapped, is a rejection."""
    doc = json.loads(CHONGQING_2020.read_text(encoding="utf-8"))
    [dadukou] = [f for f in doc["features"] if f["id"] == "500104"]
    assert [len(p[0]) for p in dadukou["geometry"]["coordinates"]] == [157, 4, 3, 3]
    multi = shapely.from_geojson(json.dumps(dadukou["geometry"]))
    both = shapely.GeometryCollection([multi, shapely.Point(106.4501, 29.5787)])
    places = [PlaceName("P1", "大渡口区", division_code="500104", geometry=multi),
              PlaceName("P2", "大渡口区及其政府驻地", geometry=both)]
    out = tmp_path / "two.lpf.json"
    lpf = to_lpf(places, CRS.from_epsg(4490), "https://example.org/p/")
    assert len(lpf["features"][1]["geometry"]["geometries"]) == 2
    out.write_text(json.dumps(lpf, ensure_ascii=False), encoding="utf-8")
    back, rejected = read_places(out)
    assert not rejected
    assert [p.geometry.wkb for p in back] == [multi.wkb, both.wkb]
    assert shapely.get_num_coordinates(back[0].geometry) == 157 + 4 + 3 + 3
    lpf["features"][0]["geometry"]["geometries"][0]["coordinates"][0][0][0] = [math.nan, 29.5]
    lpf["features"][1]["geometry"]["geometries"][1]["coordinates"] = [29.5787, 106.4501]
    out.write_text(json.dumps(lpf, ensure_ascii=False), encoding="utf-8")
    back, rejected = read_places(out)
    assert back == []
    assert [(r.row, r.reason) for r in rejected] == [
        ("feature 1", "a coordinate is not finite (NaN or infinite)"),
        ("feature 2", "coordinates outside longitude -180..180 / latitude -90..90 (are x and y "
                      "swapped, or is the CRS wrong?)")]


def test_export_as_of_a_day_and_current_only(filled, tmp_path):
    out = tmp_path / "2015.csv"
    assert export(filled, out, as_of=date(2015, 12, 31)) == 38
    places, rejected = read_places(out)
    assert not rejected
    names = {p.name for p in places}
    assert {"梁平县", "綦江区", "大足区"} <= names and "梁平区" not in names
    assert export(filled, tmp_path / "now.geojson") == 38  # 2 merged away, 1 new, 1 village


def test_linked_places_export_has_every_required_element(filled, tmp_path):
    out = tmp_path / "cq.lpf.json"
    export(filled, out, current=False, base_uri="https://names.example.gov.cn/place/")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and doc["@context"].endswith(".jsonld")
    assert len(doc["features"]) == 40
    ids = {f["@id"] for f in doc["features"]}
    for f in doc["features"]:
        assert f["type"] == "Feature" and f["@id"].startswith("https://names.example.gov.cn/")
        assert f["properties"]["title"] and f["properties"]["ccodes"] == ["CN"]
        assert f["properties"]["fclasses"][0] in "AHLPRST"
        assert f["names"] and all(n["toponym"] and n["lang"] for n in f["names"])
        assert all(n["citations"] and n["citations"][0]["label"] for n in f["names"])
        assert f["types"][0]["label"]
        assert f["geometry"]["type"] == "GeometryCollection"
        assert len(f["geometry"]["geometries"]) == 1
        for rel in f.get("relations", []):
            assert rel["relationType"] in ("dct:replaces", "dct:isReplacedBy")
            assert rel["relationTo"] in ids
        for span in [f.get("when")] + [n.get("when") for n in f["names"]]:
            if span:
                assert "start" in span["timespans"][0]
    by_title = {f["properties"]["title"]: f for f in doc["features"]}
    liangping = by_title["梁平区"]
    assert [(n["toponym"], n.get("kind", "standard")) for n in liangping["names"]] == [
        ("梁平区", "standard"), ("Liangping Qu", "standard"),
        ("梁平县", "former_standard"), ("Liangping Xian", "former_standard")]
    assert liangping["names"][2]["when"]["timespans"][0]["end"] == {"in": "2016-12-01"}
    assert liangping["types"][0] == {"identifier": "aat:300000771", "label": "counties",
                                     "sourceLabels": [{"label": "区", "lang": "zh"}]}
    merged = by_title["綦江大足区"]
    assert [r["relationType"] for r in merged["relations"]] == ["dct:replaces"] * 2
    assert merged["when"]["timespans"][0]["start"] == {"in": "2021-01-01"}
    assert by_title["大足区"]["relations"][0]["relationType"] == "dct:isReplacedBy"
    village = by_title["磁器口社区居民委员会"]
    assert village["properties"]["fclasses"] == ["P"]
    assert village["geometry"]["geometries"][0]["coordinates"] == [106.4501, 29.5787]
    assert village["descriptions"][0]["value"] == "以瓷器集散得名"
    assert village["names"][2]["citations"] == [{"label": "渝府〔1998〕"}]
    # it is GeoJSON too: GDAL reads it
    with fiona.open(out) as src:
        assert len(src) == 40


def test_csv_import_with_column_mapping_wkt_and_gb18030(reg, tmp_path):
    path = tmp_path / "gb.csv"
    path.write_bytes("编号,地名,位置,区划\n"
                     "a1,解放碑,POINT (106.5775 29.5575),500103\n"
                     "a2,朝天门,POINT (106.5875 29.5675),500103\n"
                     "a3,洪崖洞,POINT (106.58,,500103\n".encode("gb18030"))
    result = import_file(reg, path, effective=date(2024, 1, 1),
                         mapping={"id": "编号", "name": "地名", "wkt": "位置",
                                  "division_code": "区划"})
    assert result.ids == ["a1", "a2"]
    assert [(r.row, r.name) for r in result.rejected] == [("4", "洪崖洞")]
    assert result.rejected[0].reason.startswith("geometry cannot be read")
    assert reg.get("a1").division_code == "500103"
    assert reg.nearest(106.5875, 29.5675, 1)[0].place_id == "a2"
    with pytest.raises(Exception, match="no name column"):
        read_places(path, {"name": ""})
    with pytest.raises(Exception, match="not in the file"):
        read_places(path, {"name": "名字"})


def test_reprojects_input_coordinates_into_the_register_crs(reg, tmp_path):
    path = tmp_path / "gk.csv"
    # 解放碑 in CGCS2000 / 3-degree Gauss-Kruger CM 105E (EPSG:4544)
    path.write_text("name,x,y\n解放碑,652887.817,3272101.244\n", encoding="utf-8")
    result = import_file(reg, path, effective=date(2024, 1, 1), crs="EPSG:4544")
    g = reg.get(result.ids[0]).geometry
    assert g.x == pytest.approx(106.5775, abs=1e-4) and g.y == pytest.approx(29.5575, abs=1e-4)


def test_fiona_lists_current_names_with_geometry(tmp_path):
    path = tmp_path / "registry.gpkg"
    with Registry.open(path) as reg:
        import_file(reg, CHONGQING_2020, effective=date(2015, 1, 1),
                    mapping={"division_code": "id", "id": ""})
        yuzhong = next(p for p in reg.places() if p.name == "渝中区")
        reg.retire(next(p.id for p in reg.places() if p.name == "万州区"),
                   effective=date(2020, 1, 1))
        reg.rename(yuzhong.id, "渝中新区", effective=date(2021, 1, 1))
        current = {p.id: p for p in reg.places(current=True)}
    assert fiona.listlayers(path)[0] == "placenames"
    with fiona.open(path) as src:
        assert src.name == "placenames" and src.crs.to_epsg() == 4490
        feats = list(src)
        assert len(feats) == len(current) == 37
        names = {f.properties["name"] for f in feats}
        assert "渝中新区" in names and "渝中区" not in names and "万州区" not in names
        assert {f.geometry.type for f in feats} <= {"Polygon", "MultiPolygon"}
        row = next(f for f in feats if f.properties["name"] == "渝中新区")
        assert row.properties["place_id"] == yuzhong.id
        assert row.properties["variants"].startswith("渝中区 (former_standard")
        assert shapely.geometry.shape(row.geometry).equals(current[yuzhong.id].geometry)
        # GDAL's spatial filter goes through the register's R-tree
        hits = {f.properties["name"] for f in src.filter(bbox=(106.55, 29.54, 106.60, 29.57))}
        assert "渝中新区" in hits and len(hits) < 10
    # GDAL writing into the file runs the register's R-tree triggers with its own functions
    edited = tmp_path / "edited.gpkg"
    shutil.copy(path, edited)
    with fiona.open(edited, "a", layer="placenames") as dst:
        props = dict.fromkeys(dst.schema["properties"])
        props.update(place_id="gdal1", name="测试点", status="in_use", last_seq=0)
        dst.write(fiona.Feature(geometry=fiona.Geometry(type="Point", coordinates=(107, 30)),
                                properties=props))
    with Registry.open(edited) as reg:
        assert reg.store._backend_check() == []
        assert ("gdal1", "测试点") in reg.within((106.9, 29.9, 107.1, 30.1))
