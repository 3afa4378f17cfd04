"""The name register on both backends: writes, history, search, spatial queries, policies.

Every test runs on a GeoPackage file and on a PostGIS schema (see tests/registry_support.py).
"""

from __future__ import annotations

import contextlib
from datetime import date

import numpy as np
import pytest
import shapely
from pyproj import Geod

from geonames.findings import Finding, Severity
from geonames.names.model import Approval, NameStatus, NameVariant, PlaceName, VariantKind
from geonames.registry import (
    AUTO_ID,
    Column,
    EventKind,
    Extension,
    ImportRejected,
    Index,
    PlaceNotFound,
    Registry,
    RegistryError,
    Table,
    UnknownExtension,
    WriteRefused,
)
from geonames.registry.checks import naming_policy
from geonames.registry.exchange import import_file
from tests.conftest import CHONGQING_2020

pytest.register_assert_rewrite("tests.registry_support")
from tests.registry_support import BACKENDS, D2000, make_target, nbs_places  # noqa: E402

pytest_plugins = ["tests.registry_support"]  # the target and reg fixtures, on both backends

GUOHAN = Approval("国务院", "国函〔2016〕101号", date(2016, 6, 8))


# --------------------------------------------------------------------------- must-show 2


@pytest.fixture(scope="module", params=BACKENDS)
def chongqing(request, tmp_path_factory):
    """The real Chongqing villages and every township of China (52,622 names) in a register."""
    tmp = tmp_path_factory.mktemp("cq")
    t = make_target(request.param, request, tmp, "cq")
    r = Registry.open(t)
    villages = r.import_places(nbs_places("villages-chongqing"), effective=date(2023, 12, 31),
                               source="nbs2023-villages-chongqing.csv")
    towns = r.import_places(nbs_places("townships"), effective=date(2023, 12, 31),
                            source="nbs2023-townships.csv")
    assert (villages.imported, towns.imported) == (11_270, 41_352)
    yield r
    r.close()


@pytest.mark.parametrize("query", ["解放碑", "jiefangbei", "jfb", "jie fang bei", "Jiěfàngbēi",
                                   "JFB", "jie3fang4bei1"])
def test_jiefangbei_is_found_first_by_characters_pinyin_and_initials(chongqing, query):
    hits = chongqing.search(query, limit=5)
    assert hits[0].name == "解放碑街道"
    assert hits[0].match == "proper"  # 解放碑 is the proper part of 解放碑街道
    assert chongqing.get(hits[0].place_id).division_code == "500103003"


def test_chongqing_register_is_consistent_and_complete(chongqing):
    assert len(chongqing) == 52_622 == chongqing.count()
    assert [b["n_events"] for b in chongqing.batches()] == [11_270, 41_352]
    assert chongqing.check(deep=False) == []


def test_search_ranks_exact_before_proper_before_prefix_before_substring(chongqing):
    hits = chongqing.search("解放街道", limit=50)
    # exact matches first (14 sub-districts of China are called 解放街道), then longer names
    exact = [h for h in hits if h.match == "exact"]
    assert len(exact) == 14 and all(h.name == "解放街道" for h in exact)
    assert hits[len(exact)].match != "exact"
    kinds = [("exact", "proper", "prefix", "substring").index(h.match) for h in hits]
    assert kinds == sorted(kinds)
    assert "四平市铁东区解放街道" in {h.name for h in hits if h.match == "substring"}


def test_short_character_queries_use_the_gram_index(chongqing):
    # one and two characters are below what a trigram index serves
    two = chongqing.search("碑街", by="chars", limit=20)
    assert {h.name for h in two} >= {"解放碑街道"}
    assert all("碑街" in h.matched for h in two)
    one = chongqing.search("碑", by="chars", limit=100)
    assert len(one) == 45 and all("碑" in h.matched for h in one)  # every name with 碑
    bridges = chongqing.search("桥", by="chars", limit=2000)
    assert len(bridges) == 1297 and all("桥" in h.matched for h in bridges)


# --------------------------------------------------------------------------- must-show 4


def test_rename_keeps_id_old_name_historical_and_as_of(reg):
    [kai] = reg.add(PlaceName(AUTO_ID, "开县", division_code="500234"),
                    effective=date(1950, 1, 1))
    renamed = reg.rename(kai.id, "开州区", effective=date(2016, 6, 8), approval=GUOHAN,
                         reason="撤县设区")
    assert renamed.id == kai.id
    assert (renamed.name, renamed.romanization, renamed.generic) == ("开州区", "Kaizhou Qu", "区")
    old = renamed.variants[-1]
    assert (old.name, old.kind, old.valid_to) == ("开县", VariantKind.FORMER_STANDARD,
                                                 date(2016, 6, 8))
    # the old name is found, marked historical, and leads to the renamed place
    for query in ("开县", "kaixian", "kx"):
        hit = reg.search(query)[0]
        assert (hit.place_id, hit.name, hit.matched, hit.historical) == \
            (kai.id, "开州区", "开县", True), query
    assert reg.search("开县", historical=False) == []
    assert reg.get(kai.id, as_of=date(2010, 1, 1)).name == "开县"
    assert reg.get(kai.id, as_of=date(2016, 6, 7)).name == "开县"
    assert reg.get(kai.id, as_of=date(2016, 6, 8)).name == "开州区"
    with pytest.raises(PlaceNotFound):
        reg.get(kai.id, as_of=date(1949, 12, 31))
    assert [p.name for p in reg.as_of(date(2000, 1, 1))] == ["开县"]
    events = reg.history(kai.id)
    assert [e.kind for e in events] == [EventKind.ADD, EventKind.RENAME]
    assert events[1].approval == GUOHAN and events[1].reason == "撤县设区"
    assert reg.check() == []


def test_merge_and_split_link_both_ways_in_one_batch(reg):
    wansheng, qijiang = reg.add([PlaceName(AUTO_ID, "万盛区", division_code="500110"),
                                 PlaceName(AUTO_ID, "綦江县", division_code="500222")],
                                effective=D2000)
    n_batches = len(reg.batches())
    new = reg.merge([wansheng.id, qijiang.id],
                    PlaceName(AUTO_ID, "綦江区", division_code="500110"),
                    effective=date(2011, 10, 27),
                    approval=Approval("国务院", "国函〔2011〕123号", date(2011, 10, 27)))
    assert len(reg.batches()) == n_batches + 1  # one batch: three events, three places
    assert reg.batches()[-1]["n_events"] == 3
    assert new.supersedes == (wansheng.id, qijiang.id)
    for old in (wansheng.id, qijiang.id):
        ended = reg.get(old)
        assert ended.status == NameStatus.RETIRED and ended.valid_to == date(2011, 10, 27)
        assert ended.superseded_by == (new.id,)
    assert reg.get(new.id).valid_from == date(2011, 10, 27)
    assert {p.name for p in reg.as_of(date(2011, 1, 1), current=True)} == {"万盛区", "綦江县"}
    assert {p.name for p in reg.as_of(date(2012, 1, 1), current=True)} == {"綦江区"}
    parts = reg.split(new.id, ["东溪区", "万盛经开区"], effective=date(2020, 1, 1))
    assert all(p.supersedes == (new.id,) for p in parts)
    assert reg.get(new.id).superseded_by == tuple(p.id for p in parts)
    assert reg.count() == 2 and len(reg) == 5
    hit = reg.search("万盛区")[0]
    assert hit.place_id == wansheng.id and hit.historical and hit.status == "retired"
    assert reg.check() == []


def test_writes_on_ended_places_and_before_inception_are_refused(reg):
    [p] = reg.add(PlaceName(AUTO_ID, "双桥区"), effective=D2000)
    reg.retire(p.id, effective=date(2011, 10, 27), reason="merged")
    with pytest.raises(RegistryError, match="retired"):
        reg.rename(p.id, "双桥新区", effective=date(2012, 1, 1))
    with pytest.raises(RegistryError, match="does not exist"):
        reg.rename(p.id, "双桥旧区", effective=date(1999, 1, 1))
    with pytest.raises(RegistryError, match="rename"):
        reg.update(p.id, effective=date(2012, 1, 1), name="x")
    with pytest.raises(PlaceNotFound):
        reg.retire("nope", effective=D2000)
    with pytest.raises(RegistryError, match="already called 双桥区"):
        reg.rename(p.id, "双桥区", effective=date(2005, 1, 1))
    # a backdated rename recorded late still lands in date order
    reg.rename(p.id, "双桥特区", effective=date(2005, 1, 1))
    assert reg.get(p.id, as_of=date(2006, 1, 1)).name == "双桥特区"
    assert reg.get(p.id).status == NameStatus.RETIRED
    assert reg.check() == []


def test_update_geometry_variants_and_lifecycle(reg):
    [p] = reg.add(PlaceName(AUTO_ID, "朝天门大桥", status=NameStatus.APPROVED),
                  effective=date(2004, 1, 1))
    reg.update(p.id, effective=date(2009, 4, 29), status=NameStatus.IN_USE,
               geometry=shapely.Point(106.596, 29.566),
               variants=(NameVariant("朝天门长江大桥", VariantKind.ALIAS),))
    now = reg.get(p.id)
    assert now.status == NameStatus.IN_USE and now.geometry.equals(shapely.Point(106.596, 29.566))
    assert [s.status for s in now.status_history] == [NameStatus.APPROVED, NameStatus.IN_USE]
    assert reg.search("朝天门长江大桥")[0].kind == "alias"
    assert reg.get(p.id, as_of=date(2008, 1, 1)).geometry is None
    assert reg.nearest(106.596, 29.566, 1)[0].place_id == p.id


# --------------------------------------------------------------------------- ids


def test_ids_are_stable_and_never_reused(reg):
    first = reg.add([PlaceName(AUTO_ID, "甲村"), PlaceName("500101001201", "乙村")],
                    effective=D2000)
    assert [p.id for p in first] == ["P0000001", "500101001201"]
    reg.retire("500101001201", effective=date(2010, 1, 1))
    with pytest.raises(RegistryError, match="never reused"):
        reg.add(PlaceName("500101001201", "丙村"), effective=date(2011, 1, 1))
    result = reg.import_places([PlaceName("500101001201", "丙村"), PlaceName(AUTO_ID, "丁村")],
                               effective=date(2011, 1, 1))
    assert result.ids == ["P0000002"]
    assert [r.reason for r in result.rejected] == \
        ["id 500101001201 is already used in the register (ids are never reused)"]
    # a write that fails leaves the counter as it was: nothing with that id was ever stored
    with pytest.raises(RegistryError):
        reg.merge(["P0000001", "nope"], "戊村", effective=date(2012, 1, 1))
    assert reg.add(PlaceName(AUTO_ID, "己村"), effective=date(2012, 1, 1))[0].id == "P0000003"


# --------------------------------------------------------------------------- policies


PROTECTED_ID = {}


def _protect(write):
    """A stand-in for the heritage protection: renaming place 'P0000001' needs a decision."""
    return [Finding("test.protected", Severity.ERROR, pid, f"{pid} is protected",
                    details={"override": "decision"})
            for pid in write.ended if pid in PROTECTED_ID.get("ids", ())]


def test_policy_refuses_without_decision_and_records_the_override(reg):
    [p] = reg.add(PlaceName(AUTO_ID, "十八梯"), effective=D2000)
    PROTECTED_ID["ids"] = {p.id}
    reg.add_policy(_protect)
    with contextlib.nullcontext():
        before = (len(reg.history(p.id)), len(reg.batches()))
        with pytest.raises(WriteRefused, match="protected") as refused:
            reg.rename(p.id, "十八梯街", effective=date(2024, 1, 1))
        assert refused.value.findings[0].code == "test.protected"
        with pytest.raises(WriteRefused):  # forcing is not a decision
            reg.retire(p.id, effective=date(2024, 1, 1), force=True)
        assert (len(reg.history(p.id)), len(reg.batches())) == before
        assert reg.get(p.id).name == "十八梯"
        renamed = reg.rename(p.id, "十八梯街", effective=date(2024, 1, 1),
                             override={"decision": "渝府〔2024〕7号", "authority": "重庆市人民政府",
                                       "reason": "恢复传统街巷"})
        assert renamed.name == "十八梯街"
        recorded = reg.history(p.id)[-1].overrides
        assert recorded == ({"code": "test.protected", "subject": p.id,
                             "message": f"{p.id} is protected", "by": "override",
                             "decision": "渝府〔2024〕7号", "authority": "重庆市人民政府",
                             "reason": "恢复传统街巷"},)
        assert "overridden: test.protected" in reg.history(p.id)[-1].summary()


def test_duplicate_in_scope_is_refused_unless_forced_and_the_force_recorded(reg):
    reg.add_policy(naming_policy())
    reg.add(PlaceName(AUTO_ID, "新华村村民委员会", division_code="500101001201"),
            effective=D2000)
    # another township: a different scope for village names, accepted
    reg.add(PlaceName(AUTO_ID, "新华村村民委员会", division_code="500101002201"),
            effective=D2000)
    [other] = reg.add(PlaceName(AUTO_ID, "红星村村民委员会", division_code="500101001202"),
                      effective=D2000)
    with pytest.raises(WriteRefused, match="within a township"):
        reg.rename(other.id, "新华村村民委员会", effective=date(2020, 1, 1))
    assert reg.get(other.id).name == "红星村村民委员会"
    reg.rename(other.id, "新华村村民委员会", effective=date(2020, 1, 1), force=True)
    [(code, by)] = [(o["code"], o["by"]) for o in reg.history(other.id)[-1].overrides]
    assert (code, by) == ("name.duplicate", "force")


# --------------------------------------------------------------------------- atomic batches


def test_failed_batch_changes_nothing(reg):
    reg.add([PlaceName(AUTO_ID, "甲"), PlaceName(AUTO_ID, "乙")], effective=D2000)

    def explode(write):
        if write.kind == "merge":
            raise RuntimeError("disk on fire")
        return []

    reg.add_policy(explode)
    with pytest.raises(RuntimeError):
        reg.merge(["P0000001", "P0000002"], "丙", effective=date(2001, 1, 1))
    assert [p.status for p in reg.places()] == [NameStatus.IN_USE, NameStatus.IN_USE]
    assert len(reg.batches()) == 1 and len(reg) == 2 and reg.check() == []


def test_strict_import_imports_nothing_when_a_record_is_bad(reg, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("名称,经度,纬度\n解放碑,106.5775,29.5575\n,106.5,29.5\n朝天门,abc,29.5\n"
                    "洪崖洞,206.58,29.56\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as err:
        import_file(reg, path, effective=date(2024, 1, 1), strict=True)
    assert [(r.row, r.reason) for r in err.value.rejected] == [
        ("3", "no name"), ("4", "coordinates 'abc', '29.5' are not numbers"),
        ("5", "coordinates outside longitude -180..180 / latitude -90..90 (are x and y "
              "swapped, or is the CRS wrong?)")]
    assert len(reg) == 0 and reg.batches() == []
    result = import_file(reg, path, effective=date(2024, 1, 1))
    assert result.imported == 1 and len(result.rejected) == 3
    assert reg.get(result.ids[0]).geometry.equals(shapely.Point(106.5775, 29.5575))


# --------------------------------------------------------------------------- spatial


@pytest.fixture
def districts(reg):
    result = import_file(reg, CHONGQING_2020, effective=date(2020, 1, 1),
                         mapping={"division_code": "id", "id": ""})
    assert result.imported == 38 and not result.rejected
    return reg


def test_nearest_is_exact_against_brute_force(districts):
    reg = districts
    places = {p.id: p for p in reg.places()}
    geod = Geod(ellps="GRS80")  # CGCS2000's ellipsoid

    def brute(x, y, k):
        pt = shapely.Point(x, y)
        out = []
        for pid, p in places.items():
            q = p.geometry if p.geometry.geom_type == "Point" else \
                shapely.ops.nearest_points(p.geometry, pt)[0]
            out.append((geod.inv(x, y, q.x, q.y)[2], pid))
        return sorted(out)[:k]

    hit = reg.nearest(106.5775, 29.5575, 3)
    assert places[hit[0].place_id].name == "渝中区" and hit[0].distance_m == 0.0
    rng = np.random.default_rng(2023)
    for x, y in zip(rng.uniform(104, 111, 25), rng.uniform(27.5, 32.5, 25)):
        got = reg.nearest(x, y, 5)
        want = brute(x, y, 5)
        assert [n.place_id for n in got] == [pid for _, pid in want]
        assert [n.distance_m for n in got] == pytest.approx([d for d, _ in want], abs=1e-6)
    far = reg.nearest(120.0, 31.0, 1)[0]  # Shanghai: nearest is an eastern district
    assert places[far.place_id].name in ("巫山县", "巫溪县", "奉节县", "城口县", "开州区")
    assert far.distance_m > 900_000


def test_bbox_returns_places_whose_geometry_meets_the_box(districts):
    reg = districts
    names = {name for _, name in reg.within((106.55, 29.54, 106.60, 29.57))}
    assert "渝中区" in names and "万州区" not in names
    box = shapely.box(106.55, 29.54, 106.60, 29.57)
    want = {p.name for p in reg.places() if p.geometry.intersects(box)}
    assert names == want


# --------------------------------------------------------------------------- extensions


EXTRA = Table("test_notes", (Column("note_id", "serial", primary_key=True),
                             Column("place_id", "text", nullable=False),
                             Column("noted", "date"), Column("text", "text"),
                             Column("where_", "geometry")),
              indexes=(Index("test_notes_place", ("place_id",)),), description="test notes")


def test_extensions_keep_their_own_tables_in_the_register(target):
    notes = Extension("notes", (EXTRA,))
    with Registry.open(target) as r:
        r.use(notes)
        with r.transaction() as store:
            store.insert_rows(EXTRA, ("note_id", "place_id", "noted", "text"),
                              [(store.reserve(EXTRA, 1), "P1", "2024-01-01", "注记")])
        assert r.store.query("SELECT place_id, text FROM test_notes") == [("P1", "注记")]
        with pytest.raises(ZeroDivisionError), r.transaction() as store:
            store.execute("INSERT INTO test_notes (place_id, text) VALUES (?, ?)",
                          ("P2", "rolled back"))
            raise ZeroDivisionError
        assert r.store.count("test_notes") == 1
        assert r.store.meta("extensions") == '["notes"]'
    # the register records the key; no installed package provides "notes", so opening it again
    # is refused by name
    with pytest.raises(UnknownExtension, match="'notes'.*nothing was loaded"):
        Registry.open(target)


def test_a_register_never_decides_what_code_runs(target):
    """A register whose extension list names a module (``os``, or a module of this project)
    is refused with a clear message, and opening it imports nothing."""
    import sys

    for recorded in ('["os"]', '["geonames.heritage.register"]', '["tests.registry_worker"]'):
        with Registry.open(target) as r, r.store.transaction():
            r.store.set_meta("extensions", recorded)
        before = set(sys.modules)
        with pytest.raises(UnknownExtension, match="nothing was loaded"):
            Registry.open(target)
        assert set(sys.modules) - before == set()
        with _raw_store(target) as raw:
            raw.set_meta("extensions", "[]")
    with Registry.open(target) as r:
        assert r.extensions == {}


def test_registers_of_version_0_1_open_with_their_heritage_extension(target):
    """0.1 registers recorded module names under ``modules``: the heritage module's name maps
    to the stable key, so the protection of listed names still holds."""
    with Registry.open(target) as r, r.store.transaction():
        r.store.set_meta("modules", '["geonames.heritage_register"]')
    with Registry.open(target) as r:
        assert sorted(r.extensions) == ["heritage"]
        assert r.store.has_table("heritage_entries")
        assert r.extensions["heritage"].policies


class _raw_store:
    """The store of a register, opened without loading its extensions (to repair a test
    register's meta)."""

    def __init__(self, target: str) -> None:
        from geonames.registry.gpkg import GpkgStore, is_gpkg_target
        from geonames.registry.postgis import PostgisStore

        self.store = GpkgStore(target) if is_gpkg_target(target) else PostgisStore(target)

    def __enter__(self):
        self.store.load_settings()
        return self

    def set_meta(self, key: str, value: str) -> None:
        with self.store.transaction():
            self.store.set_meta(key, value)

    def __exit__(self, *exc: object) -> None:
        self.store.close()
