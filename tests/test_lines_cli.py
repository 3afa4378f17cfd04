"""``geonames lines extract`` as a user runs it."""

from __future__ import annotations

import fiona
import numpy as np
import pytest
import shapely
from fiona.crs import CRS as FionaCRS
from shapely.geometry import shape

from geonames.cli import main
from geonames.crs import reproject
from geonames.divisions.io import read_divisions
from geonames.geometry import repair
from tests.conftest import FIXTURES, run_cli

FIXTURE = FIXTURES / "chongqing" / "divisions.geojson"


run = run_cli


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory):
    path = tmp_path_factory.mktemp("lines") / "lines.gpkg"
    with pytest.raises(SystemExit) as exit_:
        main(["lines", "extract", str(FIXTURE), "-o", str(path), "-q"])
    assert exit_.value.code == 0
    return path


def test_layers_fields_and_crs(gpkg):
    assert set(fiona.listlayers(gpkg)) == {"boundary_lines", "tripoints", "outer_boundary",
                                           "adjacency"}
    with fiona.open(gpkg, layer="boundary_lines") as src:
        assert src.crs == FionaCRS.from_epsg(4545)
        assert list(src.schema["properties"]) == ["line_id", "left_id", "right_id",
                                                  "left_name", "right_name", "length_m"]
        features = list(src)
    with fiona.open(gpkg, layer="adjacency") as src:
        assert src.schema["geometry"] in (None, "None")
        pairs = list(src)
    with fiona.open(gpkg, layer="tripoints") as src:
        tripoints = list(src)
    with fiona.open(gpkg, layer="outer_boundary") as src:
        outer = list(src)
    assert len(features) >= 83 and len(pairs) == 83
    assert all(p.properties["divisions"] >= 3 for p in tripoints) and len(tripoints) == 30
    assert {o.properties["kind"] for o in outer} <= {"outer", "gap"}
    total = sum(f.properties["length_m"] for f in features)
    assert sum(p.properties["shared_length_m"] for p in pairs) == pytest.approx(total,
                                                                                 rel=1e-6)
    names = {f.properties["left_name"] for f in features}
    assert "渝中区" in names or "渝中区" in {f.properties["right_name"] for f in features}


def _sides(line, offset):
    xy = shapely.get_coordinates(line)
    k = len(xy) // 2
    p, q = xy[k - 1], xy[k]
    d = (q - p) / np.hypot(*(q - p))
    normal = np.array([-d[1], d[0]])
    return (shapely.Point((p + q) / 2 + normal * offset),
            shapely.Point((p + q) / 2 - normal * offset))


@pytest.fixture(scope="module")
def divisions():
    table = read_divisions(FIXTURE)
    geoms = repair(reproject(table.geometries, table.crs, 4545)).geometries
    return dict(zip(table.ids, geoms, strict=True))


def test_left_id_lies_on_the_left(gpkg, divisions):
    with fiona.open(gpkg, layer="boundary_lines") as src:
        features = list(src)
    for f in features:
        line = shape(f.geometry)
        left, right = _sides(line, 0.5)
        assert divisions[f.properties["left_id"]].covers(left)
        assert divisions[f.properties["right_id"]].covers(right)
        assert line.length == pytest.approx(f.properties["length_m"], abs=1e-3)


def test_snap_gives_one_line_across_sliver_gaps(gpkg, divisions, tmp_path, capsys):
    snapped = tmp_path / "snapped.gpkg"
    code, _, err = run(capsys, "lines", "extract", FIXTURE, "-o", snapped, "--snap", "100",
                       "-q")
    assert code == 0, err
    with fiona.open(gpkg, layer="boundary_lines") as src:
        plain = len(src)
    with fiona.open(snapped, layer="boundary_lines") as src:
        features = list(src)
    assert len(features) < 0.4 * plain
    for f in features:
        left, right = _sides(shape(f.geometry), 0.5)
        # a snapped line may run through a closed gap: within the snap distance
        assert divisions[f.properties["left_id"]].distance(left) <= 100
        assert divisions[f.properties["right_id"]].distance(right) <= 100


def test_summary_line(tmp_path, capsys):
    code, out, err = run(capsys, "lines", "extract", FIXTURE, "-o", tmp_path / "l.gpkg")
    assert code == 0, err
    assert "boundary lines between 83 pairs of neighbours" in out
    assert "EPSG:4545" in out
    assert "matching shared segments" in err  # progress on stderr


@pytest.mark.parametrize("args, words", [
    (["missing.geojson", "-o", "x.gpkg"], "no such file"),
    ([str(FIXTURE), "-o", "x.geojson"], "must be a GeoPackage"),
    ([str(FIXTURE), "-o", "x.gpkg", "--snap", "-5"], "--snap"),
])
def test_bad_input_exits_2(args, words, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "lines", "extract", *args)
    assert code == 2
    assert words in err and "Traceback" not in err + out


def test_points_layer_exits_2(tmp_path, capsys):
    path = tmp_path / "points.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}}]}',
                    encoding="utf-8")
    code, _, err = run(capsys, "lines", "extract", path, "-o", tmp_path / "l.gpkg")
    assert code == 2 and "must be polygons" in err
    assert len(err.strip().splitlines()) == 1
