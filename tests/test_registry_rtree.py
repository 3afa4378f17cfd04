"""A large first import builds the GeoPackage R-tree once, packed bottom-up into its shadow
tables (gpkg.write_rtree), instead of inserting entry by entry: the entries are the ones
SQLite's own INSERT stores, the tree passes rtreecheck, answers the same window queries, and
takes later writes as usual."""

from __future__ import annotations

import random
import sqlite3
from datetime import date

import numpy as np
import pytest
import shapely

import geonames.registry.gpkg as gpkg
from geonames.names.model import PlaceName
from geonames.registry import AUTO_ID, Registry

DAY = date(2023, 12, 31)


def boxes(n: int, seed: int) -> list[tuple[int, float, float, float, float]]:
    rnd = random.Random(seed)
    out = []
    for k in range(n):
        x, y = rnd.uniform(-180, 180), rnd.uniform(-90, 90)
        w, h = (0.0, 0.0) if k % 3 else (rnd.uniform(0, 2), rnd.uniform(0, 2))
        out.append((k * 7 + 1, x, x + w, y, y + h))
    return out


@pytest.mark.parametrize("n", [0, 1, 50, 51, 52, 2601, 2602, 9000])
def test_a_packed_rtree_holds_what_inserts_store(n):
    conn = sqlite3.connect(":memory:")
    for name in ("packed", "inserted"):
        conn.execute(f"CREATE VIRTUAL TABLE {name} USING rtree(id, minx, maxx, miny, maxy)")
    rows = boxes(n, n)
    conn.executemany("INSERT INTO inserted VALUES (?, ?, ?, ?, ?)", rows)
    arr = np.array(rows, dtype=np.float64).reshape(-1, 5)
    gpkg.write_rtree(conn, "packed", arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2],
                     arr[:, 3], arr[:, 4])
    assert conn.execute("SELECT rtreecheck('packed')").fetchone() == ("ok",)
    assert conn.execute("SELECT * FROM packed ORDER BY id").fetchall() == \
        conn.execute("SELECT * FROM inserted ORDER BY id").fetchall()
    rnd = random.Random(1)
    for _ in range(50):
        x, y = rnd.uniform(-180, 180), rnd.uniform(-90, 90)
        window = (x + 20, x - 20, y + 10, y - 10)
        q = "SELECT id FROM {} WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ? ORDER BY id"
        assert conn.execute(q.format("packed"), window).fetchall() == \
            conn.execute(q.format("inserted"), window).fetchall()
    # later writes go through the R-tree as usual
    conn.executemany("INSERT INTO packed VALUES (?, ?, ?, ?, ?)",
                     [(10**6 + k, *b[1:]) for k, b in enumerate(boxes(500, 7))])
    conn.execute("DELETE FROM packed WHERE id % 5 = 1")
    assert conn.execute("SELECT rtreecheck('packed')").fetchone() == ("ok",)


def places(n: int) -> list[PlaceName]:
    rnd = random.Random(5)
    return [PlaceName(id=AUTO_ID, name=f"第{k}村", geometry=shapely.Point(
        rnd.uniform(100, 110), rnd.uniform(25, 35)) if k % 10 else None) for k in range(n)]


def test_a_bulk_import_builds_the_same_rtree(tmp_path, monkeypatch):
    monkeypatch.setattr(gpkg, "BULK_ROWS", 50)
    with Registry.open(tmp_path / "bulk.gpkg") as reg:
        reg.import_places(places(700), effective=DAY, chunk=200)
        packed = reg.store.query("SELECT * FROM rtree_placenames_geom ORDER BY id")
        near = [reg.nearest(105, 30, 5), sorted(reg.within((101, 26, 103, 29)))]
        assert reg.check() == []
        # edits after the build keep the index right
        first = reg.places().__next__()
        reg.update(first.id, effective=DAY, geometry=shapely.Point(104, 31))
        reg.retire(reg.nearest(105, 30, 1)[0].place_id, effective=DAY)
        reg.add(PlaceName(id=AUTO_ID, name="新村", geometry=shapely.Point(105, 30)),
                effective=DAY)
        assert reg.check() == []
    monkeypatch.setattr(gpkg, "BULK_ROWS", 10**9)  # the triggers, entry by entry
    with Registry.open(tmp_path / "rows.gpkg") as reg:
        reg.import_places(places(700), effective=DAY, chunk=200)
        assert reg.store.query("SELECT * FROM rtree_placenames_geom ORDER BY id") == packed
        # (within lists in the order of the tree: the same places)
        assert [reg.nearest(105, 30, 5), sorted(reg.within((101, 26, 103, 29)))] == near
    assert len(packed) == 630
