"""A large CSV import reads ahead in a helper process (geonames.registry.readahead): what it
writes is what the import writes reading the file itself, and the helper never outlives the
import, whether it succeeds, fails, is interrupted or loses its helper.

The helper starts for files of readahead.MIN_RECORDS records or more; here the limit is
lowered so that a few hundred real Chongqing village names (and chunks of 60 records) take
that path.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
from datetime import date

import pytest

from geonames.errors import GeonamesError, InputFileError
from geonames.findings import Finding, Severity
from geonames.registry import ImportRejected, Registry, WriteRefused
from geonames.registry import readahead as ra
from geonames.registry.exchange import import_file

pytest.register_assert_rewrite("tests.registry_support")
from tests.registry_support import nbs_rows  # noqa: E402

pytest_plugins = ["tests.registry_support"]  # the target and reg fixtures, on both backends

DAY = date(2023, 12, 31)
CHUNK = 60


@pytest.fixture
def helpers(monkeypatch) -> list[subprocess.Popen]:
    """Read ahead from 50 records on, and keep every helper process started."""
    started: list[subprocess.Popen] = []
    real = ra.subprocess.Popen

    def popen(*args, **kwargs):
        proc = real(*args, **kwargs)
        started.append(proc)
        return proc

    monkeypatch.setattr(ra, "MIN_RECORDS", 50)
    monkeypatch.setattr(ra.subprocess, "Popen", popen)
    return started


def all_ended(procs: list[subprocess.Popen]) -> bool:
    return bool(procs) and all(p.poll() is not None for p in procs)


def write_villages(path, n: int = 400, extra: bool = True) -> str:
    """``n`` real village names with codes and points; with ``extra``, rows that take the
    other ways of the reader: a generic and a romanization given, traditional characters,
    full-width characters, a column kept as a property, and records it rejects."""
    rows = nbs_rows("villages-chongqing")[:n]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "code", "lon", "lat", "generic", "romanization", "note"])
        for k, r in enumerate(rows):
            w.writerow([r["name"], r["code"], f"{106 + k * 1e-3:.6f}", f"{29.5 + k * 1e-4:.6f}",
                        "", "", ""])
        if extra:
            w.writerow(["解放碑街道", "500103003", "106.58", "29.56", "街道", "", ""])
            w.writerow(["朝天门", "", "106.59", "29.57", "", "Chaotian Men", "码头"])
            w.writerow(["長沙村", "500103003001", "106.6", "29.5", "", "", ""])
            w.writerow(["ＡＢ村", "", "106.6", "29.5", "", "", ""])
            w.writerow(["", "500103003002", "106.6", "29.5", "", "", ""])  # no name
            w.writerow(["南岸村", "50ab", "106.6", "29.5", "", "", ""])  # a bad code
            w.writerow(["北岸村", "", "206.6", "29.5", "", "", ""])  # outside lon/lat
            w.writerow([rows[3]["name"], rows[3]["code"], "106.1", "29.1", "", "", ""])
    return str(path)


def content(reg: Registry) -> dict[str, list[tuple]]:
    """Everything the register holds but the times it was written."""
    q = reg.store.query
    return {
        "events": q("SELECT seq, batch, place_id, kind, effective, authority, document, "
                    "approval_date, reason, data, overrides FROM gn_events ORDER BY seq"),
        "places": q("SELECT * FROM gn_places ORDER BY place_id"),
        "placenames": q("SELECT * FROM placenames ORDER BY place_id"),
        "names": q("SELECT * FROM gn_names ORDER BY nid"),
        "sources": q("SELECT * FROM gn_sources ORDER BY record"),
        "batches": q("SELECT batch, kind, source, n_events, n_places, note FROM gn_batches"),
    }


def test_reading_ahead_writes_what_reading_here_writes(tmp_path, helpers, monkeypatch):
    path = write_villages(tmp_path / "v.csv")
    with Registry.open(tmp_path / "ahead.gpkg") as reg:
        ahead = import_file(reg, path, effective=DAY, chunk=CHUNK)
        got = content(reg)
        assert reg.check() == []
        hits = reg.search("jfb", limit=3)
    assert len(helpers) == 1 and all_ended(helpers) and helpers[0].returncode == 0
    monkeypatch.setattr(ra, "MIN_RECORDS", 10**9)  # the same file, read here
    with Registry.open(tmp_path / "here.gpkg") as reg:
        here = import_file(reg, path, effective=DAY, chunk=CHUNK)
        want = content(reg)
        assert [h.name for h in reg.search("jfb", limit=3)] == [h.name for h in hits]
    assert len(helpers) == 1
    assert (ahead.imported, ahead.ids, ahead.rejected) == (here.imported, here.ids,
                                                           here.rejected)
    assert ahead.imported == 405 and [r.row for r in ahead.rejected] == ["406", "407", "408"]
    for table in want:
        assert got[table] == want[table], table


def test_strict_rejects_the_same_records(reg, tmp_path, helpers):
    path = write_villages(tmp_path / "v.csv")
    with pytest.raises(ImportRejected) as err:
        import_file(reg, path, effective=DAY, chunk=CHUNK, strict=True)
    assert [r.row for r in err.value.rejected] == ["406", "407", "408"]
    assert len(reg) == 0 and all_ended(helpers)
    # in batches: a first pass finds them, and a second helper reads the file for the writes
    with pytest.raises(ImportRejected):
        import_file(reg, path, effective=DAY, chunk=CHUNK, strict=True, batch_size=100)
    assert len(reg) == 0 and all_ended(helpers)
    result = import_file(reg, path, effective=DAY, chunk=CHUNK, batch_size=100)
    assert result.imported == 405 and len(result.batches) == 5
    assert reg.check() == [] and all_ended(helpers)


def test_a_refused_write_ends_the_helper(reg, tmp_path, helpers):
    last = nbs_rows("villages-chongqing")[390]["name"]

    def refuse(write):
        return [Finding("test.refused", Severity.ERROR, p.id, f"{p.name} refused")
                for p in write.after.values() if p.name == last]

    reg.add_policy(refuse)
    path = write_villages(tmp_path / "v.csv", extra=False)
    with pytest.raises(WriteRefused, match=last):
        import_file(reg, path, effective=DAY, chunk=CHUNK)
    assert len(reg) == 0 and reg.batches() == [] and all_ended(helpers)


def test_an_interrupted_import_ends_the_helper(reg, tmp_path, helpers):
    path = write_villages(tmp_path / "v.csv", extra=False)
    seen = []

    def progress(done, total):
        seen.append(done)
        if done >= 2 * CHUNK:
            raise KeyboardInterrupt  # Ctrl-C in the middle of the import

    with pytest.raises(KeyboardInterrupt):
        import_file(reg, path, effective=DAY, chunk=CHUNK, progress=progress)
    assert seen == [CHUNK, 2 * CHUNK]
    assert len(reg) == 0 and all_ended(helpers)
    assert reg.check() == []


def test_a_helper_that_dies_fails_the_import_cleanly(reg, tmp_path, helpers):
    path = write_villages(tmp_path / "v.csv", extra=False)

    def progress(done, total):
        if done == CHUNK:
            os.kill(helpers[0].pid, signal.SIGKILL)

    with pytest.raises(GeonamesError, match="helper process .* ended unexpectedly"):
        import_file(reg, path, effective=DAY, chunk=CHUNK, progress=progress)
    assert len(reg) == 0 and reg.batches() == [] and all_ended(helpers)


def test_the_helpers_error_is_raised_here(tmp_path):
    with ra.ReadAhead({"path": str(tmp_path / "missing.csv")}, 10) as ahead:
        with pytest.raises(InputFileError, match="missing.csv: no such file"):
            next(ahead.chunks())
        proc_gone = ahead._proc is None
    assert proc_gone


def test_small_files_are_read_here(reg, tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(ra.ReadAhead, "start", lambda self: started.append(self))
    path = write_villages(tmp_path / "v.csv", n=30, extra=False)
    assert import_file(reg, path, effective=DAY, chunk=7).imported == 30
    assert started == []


def test_no_helper_no_problem(reg, tmp_path, monkeypatch):
    """A helper that cannot start (no process to be had): the file is read here."""
    def popen(*args, **kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(ra, "MIN_RECORDS", 50)
    monkeypatch.setattr(ra.subprocess, "Popen", popen)
    path = write_villages(tmp_path / "v.csv", extra=False)
    assert import_file(reg, path, effective=DAY, chunk=CHUNK).imported == 400
    assert reg.check() == []


def test_places_travel_whole():
    """The helper's chunks arrive as the places it made: every field, shared defaults not
    shared (each place its own properties), any geometry."""
    import shapely

    from geonames.names.model import Approval, NameStatus, NameVariant, PlaceName, VariantKind

    places = [PlaceName(id="a", name="甲村", romanization="Jiacun", generic="村",
                        variants=(NameVariant("乙村", VariantKind.HISTORICAL),),
                        status=NameStatus.APPROVED, approval=Approval("x", "y", DAY),
                        valid_from=date(2000, 1, 1), properties={"k": [1, "二"]},
                        geometry=shapely.Polygon([(0, 0), (1, 0), (1, 1)])),
              PlaceName(id="b", name="丙村", geometry=shapely.Point(106.5, 29.5)),
              PlaceName(id="c", name="丁村", geometry=shapely.Point()),
              PlaceName(id="d", name="戊村")]
    back, labels, rejected, fills, keys = ra._unpack(ra._pack(places, ["2", "3", "4", "5"],
                                                              [], {}, {}))
    assert back == places and labels == ["2", "3", "4", "5"]
    assert [type(p.geometry) for p in back] == [type(p.geometry) for p in places]
    back[1].properties["x"] = 1
    assert back[2].properties == {}
    assert ra._unpack(ra._pack([], [], [], {}, {}))[0] == []
