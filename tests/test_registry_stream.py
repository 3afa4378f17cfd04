"""A file import streamed in chunks: one transaction, duplicates found across chunks.

Every test runs on a GeoPackage file and on a PostGIS schema (see tests/registry_support.py),
with the real Chongqing village names and a chunk of a few records, so that a 20-row file
crosses several chunk boundaries the way a 620,000-row file crosses 50,000-row ones.
"""

from __future__ import annotations

import csv
from datetime import date

import pytest

from geonames.findings import Finding, Severity
from geonames.registry import ImportRejected, Registry, RegistryError, WriteRefused
from geonames.registry.exchange import import_file

pytest.register_assert_rewrite("tests.registry_support")
from tests.registry_support import nbs_rows  # noqa: E402

pytest_plugins = ["tests.registry_support"]  # the target and reg fixtures, on both backends

DAY = date(2023, 12, 31)
CHUNK = 3  # records per chunk: the 20 rows below make seven chunks


@pytest.fixture(scope="module")
def villages() -> list[dict[str, str]]:
    """The first 20 real Chongqing village names and codes."""
    rows = nbs_rows("villages-chongqing")[:20]
    assert len({r["name"] for r in rows}) == 20
    return rows


def write_csv(path, rows: list[dict[str, str]], ids: list[str] | None = None) -> str:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow((["id"] if ids else []) + ["name", "code"])
        for k, r in enumerate(rows):
            w.writerow(([ids[k]] if ids else []) + [r["name"], r["code"]])
    return str(path)


def unchanged(reg: Registry) -> None:
    """The register holds nothing: no place, batch, event, search row or source record."""
    assert len(reg) == 0 and reg.batches() == []
    assert reg.store.count("gn_events") == 0 and reg.store.count("gn_names") == 0
    assert reg.store.scalar("SELECT count(*) FROM gn_sources") == 0
    assert reg.store.scalar("SELECT count(*) FROM gn_imports") == 0
    assert reg.check() == []


def test_a_chunked_import_is_one_batch(reg, tmp_path, villages):
    path = write_csv(tmp_path / "v.csv", villages)
    result = import_file(reg, path, effective=DAY, chunk=CHUNK)
    assert result.imported == 20 and result.rejected == [] and len(result.batches) == 1
    (batch,) = reg.batches()
    assert (batch["n_events"], batch["n_places"]) == (20, 20)
    assert [p.name for p in reg.places()] == [r["name"] for r in villages]
    assert [p.division_code for p in reg.places()] == [r["code"] for r in villages]
    assert reg.check() == []
    # the source keys of every chunk were kept: the same file again adds nothing
    again = import_file(reg, path, effective=DAY, chunk=CHUNK)
    assert (again.imported, again.skipped) == (0, 20)


def test_a_failure_in_the_seventh_chunk_leaves_the_register_as_before(reg, tmp_path,
                                                                       villages):
    last = villages[-1]["name"]  # row 20: the only record of the seventh chunk

    def refuse_last(write):
        return [Finding("test.refused", Severity.ERROR, p.id, f"{p.name} refused")
                for p in write.after.values() if p.name == last]

    reg.add_policy(refuse_last)
    path = write_csv(tmp_path / "v.csv", villages)
    with pytest.raises(WriteRefused, match=last):
        import_file(reg, path, effective=DAY, chunk=CHUNK)
    unchanged(reg)


def test_strict_rejects_across_chunks_and_imports_nothing(reg, tmp_path, villages):
    rows = [dict(r) for r in villages]
    rows[18]["name"] = ""  # row 20 of the file (line 1 is the header), chunk 7
    path = write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(ImportRejected) as err:
        import_file(reg, path, effective=DAY, chunk=CHUNK, strict=True)
    assert [(r.row, r.reason) for r in err.value.rejected] == [("20", "no name")]
    unchanged(reg)
    # with commits every 4 records, a first pass finds the bad record before any commit
    with pytest.raises(ImportRejected):
        import_file(reg, path, effective=DAY, chunk=CHUNK, strict=True, batch_size=4)
    unchanged(reg)
    result = import_file(reg, path, effective=DAY, chunk=CHUNK)
    assert result.imported == 19 and [r.row for r in result.rejected] == ["20"]


def test_an_id_repeated_across_a_chunk_boundary_is_found(reg, tmp_path, villages):
    ids = [f"V{k:03d}" for k in range(20)]
    ids[11] = ids[1]  # rows 3 and 13: chunk 1 and chunk 4
    path = write_csv(tmp_path / "v.csv", villages, ids)
    with pytest.raises(ImportRejected) as err:
        import_file(reg, path, effective=DAY, chunk=CHUNK, strict=True)
    assert [(r.row, r.reason) for r in err.value.rejected] == [
        ("3", "id V001 is repeated in the import"), ("13", "id V001 is repeated in the import")]
    unchanged(reg)
    result = import_file(reg, path, effective=DAY, chunk=CHUNK, batch_size=5)
    assert result.imported == 18 and [r.row for r in result.rejected] == ["3", "13"]
    assert "V001" not in {p.id for p in reg.places()} and len(result.batches) == 4
    # an id the register holds already is refused in whichever chunk it comes
    again = write_csv(tmp_path / "w.csv", villages[:7], ["W1", "W2", "W3", "W4", "W5", "W6",
                                                        "V019"])
    with pytest.raises(RegistryError):
        import_file(reg, again, effective=DAY, chunk=CHUNK, strict=True)
    assert len(reg) == 18


def test_indexes_deferred_to_the_end_of_a_bulk_load_come_back(reg, tmp_path, villages,
                                                             monkeypatch):
    """A load that more than doubles the tables drops their indexes and builds them once at
    the end; a failure in the last chunk leaves them as they were."""
    import geonames.registry.gpkg as gpkg
    import geonames.registry.postgis as postgis

    monkeypatch.setattr(gpkg, "BULK_ROWS", 5)  # 20 rows count as a bulk load here
    monkeypatch.setattr(postgis, "BULK_ROWS", 5)

    def indexes() -> list[str]:
        if reg.backend == "gpkg":
            sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            return sorted(r[0] for r in reg.store.query(sql))
        return sorted(r[0] for r in reg.store.query(
            "SELECT indexname FROM pg_indexes WHERE schemaname = ?", (reg.store.schema,)))

    path = write_csv(tmp_path / "v.csv", villages)
    real = reg.store.insert_rows
    failed = []

    def fail_last_chunk(table, columns, rows):  # e.g. a full disk, in the last chunk
        if table.name == "gn_events" and rows[0][0] == 19:
            failed.append(indexes())  # as they are at that moment
            raise RuntimeError("no space left on device")
        return real(table, columns, rows)

    with monkeypatch.context() as m:
        m.setattr(reg.store, "insert_rows", fail_last_chunk)
        with pytest.raises(RuntimeError, match="no space"):
            import_file(reg, path, effective=DAY, chunk=CHUNK)
    # (the source tables and their index are created before the import's transaction)
    whole = indexes()
    assert "gn_names_key" in whole and "gn_sources_record" in whole and len(reg) == 0
    assert failed and "gn_names_key" not in failed[0]  # deferred during the load
    assert len(failed[0]) < len(whole)
    result = import_file(reg, path, effective=DAY, chunk=CHUNK)
    assert result.imported == 20 and reg.check() == []
    assert indexes() == whole
    assert [h.name for h in reg.search(villages[7]["name"])][:1] == [villages[7]["name"]]
