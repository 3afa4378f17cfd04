"""Imports are idempotent: every record keeps its source key (the file's content digest and its
row), so importing the Chongqing villages twice leaves 11,270 places, and an import killed with
SIGKILL half-way is refused without --resume and completed exactly with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest

from geonames.registry import Registry
from geonames.registry.core import RegistryError
from geonames.registry.exchange import import_file, source_digest
from tests.conftest import NAMES, ROOT

VILLAGES = NAMES / "nbs2023-villages-chongqing.csv"
N_VILLAGES = 11_270


def _twice(target: str) -> None:
    with Registry.open(target) as reg:
        first = import_file(reg, VILLAGES, effective=date(2023, 12, 31))
        assert first.imported == N_VILLAGES and first.skipped == 0
        second = import_file(reg, VILLAGES, effective=date(2023, 12, 31))
        assert second.imported == 0 and second.skipped == N_VILLAGES
        assert reg.count() == N_VILLAGES
        assert reg.store.scalar("SELECT count(*) FROM gn_sources") == N_VILLAGES
        assert reg.check(deep=False) == []


def test_import_twice_gpkg(tmp_path):
    _twice(str(tmp_path / "v.gpkg"))


@pytest.mark.postgis
def test_import_twice_postgis(postgis_url):
    target = f"{postgis_url}?schema=import_twice_{os.getpid()}"
    try:
        _twice(target)
    finally:
        with Registry.open(target) as reg:
            reg.store.drop()


def test_same_content_under_another_name_is_the_same_source(tmp_path):
    copy = tmp_path / "renamed.csv"
    copy.write_bytes(VILLAGES.read_bytes()[:20_000].rsplit(b"\n", 1)[0] + b"\n")
    again = tmp_path / "again.csv"
    again.write_bytes(copy.read_bytes())
    assert source_digest(copy) == source_digest(again)
    with Registry.open(tmp_path / "r.gpkg") as reg:
        n = import_file(reg, copy, effective=date(2023, 12, 31)).imported
        result = import_file(reg, again, effective=date(2023, 12, 31))
        assert n > 100 and result.imported == 0 and result.skipped == n


def test_killed_import_resumes_exactly(tmp_path):
    db = tmp_path / "k.gpkg"
    cmd = [sys.executable, "-c", "from geonames.cli import main; main()", "registry", "import",
           str(VILLAGES), "--db", str(db), "--effective", "2023-12-31", "--batch-size", "500"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
        try:
            import sqlite3

            with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                done = conn.execute("SELECT count(*) FROM gn_sources").fetchone()[0]
        except sqlite3.Error:
            continue
        if done >= 1500:
            break
    assert proc.poll() is None, "the import ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with Registry.open(db, create=False) as reg:
        killed_at = reg.count()
        assert 1500 <= killed_at < N_VILLAGES and killed_at % 500 == 0
        with pytest.raises(RegistryError, match="partly imported.*--resume"):
            import_file(reg, VILLAGES, effective=date(2023, 12, 31), batch_size=500)
        assert reg.count() == killed_at
        result = import_file(reg, VILLAGES, effective=date(2023, 12, 31), batch_size=500,
                             resume=True)
        assert result.skipped == killed_at
        assert result.imported == N_VILLAGES - killed_at
        assert reg.count() == N_VILLAGES
        names = reg.store.scalar("SELECT count(DISTINCT record) FROM gn_sources")
        assert names == N_VILLAGES
        assert reg.check(deep=False) == []
