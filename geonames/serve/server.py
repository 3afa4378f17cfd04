"""Run the web application under gunicorn: pre-forked worker processes, each with a few
threads, and a hard timeout per request behind the application's own time limit."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
from typing import Any

from geonames.serve import state
from geonames.serve.app import create_app, safe_label


def serve(target: str, host: str = "127.0.0.1", port: int = 8000, workers: int = 2,
          threads: int = 4, url: str | None = None, limits: state.Limits | None = None,
          log_file: str | None = None) -> None:
    """Serve the register at ``target`` until interrupted; one log line per request (to
    ``log_file``, or standard error)."""
    from gunicorn.app.base import BaseApplication

    lim = limits or state.Limits()
    base = url or f"http://{host}:{port}"
    workdir = tempfile.mkdtemp(prefix="geonames-serve-")
    app = create_app(target, base, lim, workdir=workdir)
    handler: logging.Handler = (logging.FileHandler(log_file, encoding="utf-8") if log_file
                                else logging.StreamHandler(sys.stderr))
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(message)s"))
    log = logging.getLogger("geonames.serve")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False

    class _App(BaseApplication):
        def load_config(self) -> None:
            settings = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
                        "worker_class": "gthread", "timeout": int(lim.seconds * 3) + 5,
                        "graceful_timeout": 5, "accesslog": None, "errorlog": "-",
                        "loglevel": "warning", "preload_app": True,
                        "proc_name": "geonames-serve"}
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    print(f"serving {safe_label(target)} at {base} ({workers} workers × {threads} threads); "
          "Ctrl+C stops", file=sys.stderr, flush=True)
    master = os.getpid()
    try:
        _App().run()
    finally:
        if os.getpid() == master:  # workers leave through here too; only the master cleans
            shutil.rmtree(workdir, ignore_errors=True)
