"""Integrity under failure and concurrency, on both backends, with real processes.

* a process importing in batches is killed (SIGKILL) in the middle of a batch; the register
  it leaves passes the integrity check and holds each batch whole or not at all;
* two processes writing at once both land everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

import pytest

from geonames.names.model import PlaceName
from geonames.registry import AUTO_ID, Registry
from tests.conftest import ROOT

pytest.register_assert_rewrite("tests.registry_support")
from tests.registry_support import BACKENDS, make_target  # noqa: E402

pytest_plugins = ["tests.registry_support"]  # the target fixture, on both backends
pytestmark = pytest.mark.slow

BATCH = 4000
TOTAL = 40_000


def _worker(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "tests.registry_worker", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _in_transaction(reg: Registry, target: str) -> bool:
    """True when the worker is inside a write transaction right now."""
    if reg.backend == "gpkg":
        return os.path.exists(target + "-journal")
    return bool(reg.store.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'gn_kill_worker' "
        "AND xact_start IS NOT NULL"))


@pytest.fixture(params=BACKENDS)
def kill_target(request, tmp_path):
    t = make_target(request.param, request, tmp_path, "kill")
    if request.param == "postgis":
        t += "&application_name=gn_kill_worker"
    return t


def test_sigkill_mid_import_leaves_only_whole_batches(kill_target):
    with Registry.open(kill_target) as reg:
        proc = _worker("import", kill_target, str(TOTAL), str(BATCH))
        try:
            deadline = time.monotonic() + 120
            # let two batches commit, then kill while the third (or a later one) is open
            while time.monotonic() < deadline:
                if len(reg.batches()) >= 2 and _in_transaction(reg, kill_target):
                    time.sleep(0.05)
                    if _in_transaction(reg, kill_target):
                        break
                if proc.poll() is not None:
                    pytest.fail(f"the worker ended before it was killed: "
                                f"{proc.stderr.read().decode()[-2000:]}")
                time.sleep(0.01)
            else:
                pytest.fail("the worker never got two batches in")
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    if not kill_target.startswith("postgresql"):
        # killed inside a transaction: SQLite's hot journal is there, to be rolled back
        assert os.path.getsize(kill_target + "-journal") > 0
    with Registry.open(kill_target) as reg:
        assert reg.check() == []  # every batch whole, the state equal to the history
        batches = reg.batches()
        assert 2 <= len(batches) < TOTAL // BATCH
        assert all(b["n_events"] == BATCH and b["source"] == "worker" for b in batches)
        assert len(reg) == reg.count() == BATCH * len(batches)
        assert reg.store.count("gn_names") == BATCH * len(batches)
        ids = [p.id for p in reg.places()]
        assert ids == [f"P{i:07d}" for i in range(1, len(ids) + 1)]
        # the register takes writes again; the ids of the lost batch were never stored
        [new] = reg.add(PlaceName(AUTO_ID, "恢复村"), effective=date(2024, 1, 1))
        assert new.id == f"P{len(ids) + 1:07d}" and reg.check() == []


def test_two_processes_writing_at_once_lose_nothing(target):
    Registry.open(target).close()
    n = 60
    procs = [_worker("add", target, tag, str(n)) for tag in ("甲", "乙")]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-2000:]
    with Registry.open(target) as reg:
        assert len(reg) == 2 * n and len(reg.batches()) == 2 * n
        names = {p.name for p in reg.places()}
        assert names == {f"{t}{i}村" for t in ("甲", "乙") for i in range(n)}
        assert sorted(p.id for p in reg.places()) == [f"P{i:07d}" for i in range(1, 2 * n + 1)]
        assert reg.check() == []
