"""Measure a benchmark run in a child process of its own: CPU seconds, wall seconds, peak
resident memory (from ``os.wait4``, so the figures are that run's alone) and the last JSON line
it prints. Shared by the benchmark scripts."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time


def measure(argv: list[str], timeout: float) -> dict:
    """Run a command; its CPU seconds, wall seconds, peak memory (MB) and JSON output."""
    wall = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, text=True)
        deadline = wall + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                return {"error": f"timeout after {timeout:.0f} s"}
            time.sleep(0.05)
        code = os.waitstatus_to_exitcode(status)
        err = proc.stderr.read() if proc.stderr else ""
        out.seek(0)
        text = out.read()
    result: dict = {"cpu": usage.ru_utime + usage.ru_stime,
                    "wall": time.perf_counter() - wall, "mb": usage.ru_maxrss / 1024}
    if code != 0:
        result["error"] = f"exit {code}: " + (err.strip().splitlines() or [""])[-1]
    else:
        last = [line for line in text.splitlines() if line.startswith("{")]
        result["out"] = json.loads(last[-1]) if last else {}
    return result
