"""Start ``geonames serve`` on a free local port and talk to it over real HTTP.

Shared by the server tests and ``scripts/bench_serve.py``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    url: str
    process: subprocess.Popen
    log: Path
    stderr: Path

    def get(self, path: str, **params: Any) -> tuple[int, dict[str, str], bytes]:
        return http("GET", self.url + path, params=params)

    def json(self, path: str, **params: Any) -> Any:
        status, _, body = self.get(path, **params)
        assert status == 200, (path, status, body[:300])
        return json.loads(body)


def http(method: str, url: str, params: dict[str, Any] | None = None,
         data: bytes | None = None, headers: dict[str, str] | None = None,
         timeout: float = 60) -> tuple[int, dict[str, str], bytes]:
    if params:
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@contextmanager
def serving(target: str, folder: Path, *extra: str, workers: int = 1,
            threads: int = 4) -> Iterator[Served]:
    """Run ``geonames serve`` over ``target`` until the block ends."""
    port = free_port()
    log, err = folder / f"requests-{port}.log", folder / f"stderr-{port}.txt"
    cmd = [sys.executable, "-c", "from geonames.cli import main; main()", "serve",
           "--db", target, "--port", str(port), "--workers", str(workers),
           "--threads", str(threads), "--log", str(log), *extra]
    with open(err, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=fh, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the server stopped: {err.read_text(errors='replace')}")
            try:
                if http("GET", url + "/conformance", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 120 s")
            time.sleep(0.2)
        yield Served(url, proc, log, err)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
