"""The served register: one read-only connection per server thread, and the limits of the
request being answered.

The register's target (a path, or a PostGIS URL with its password) lives only in this
process's memory: it is never written into the server's configuration, its documents or its
answers.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from geonames.registry import Registry


@dataclass(frozen=True)
class Limits:
    """Request limits of a server."""

    max_items: int = 1000  # largest page
    default_items: int = 10
    max_query_chars: int = 200  # q, reconciliation queries, suggest prefixes
    max_queries: int = 50  # reconciliation queries in one request
    seconds: float = 10.0  # time one request may take
    search_cap: int = 1000  # places a text search considers


_target: str | None = None
_label: str = ""
base_url: str = ""
limits = Limits()
_local = threading.local()


def configure(target: str, label: str, url: str, new_limits: Limits | None = None) -> None:
    """Set the register this process serves and its public base URL (before the first
    request)."""
    global _target, _label, limits, base_url
    _target, _label, base_url = target, label, url.rstrip("/")
    if new_limits is not None:
        limits = new_limits


def label() -> str:
    """The register's name for people: a file name, or host/database without credentials."""
    return _label


def registry() -> Registry:
    """This thread's read-only connection to the register (opened on first use)."""
    reg = getattr(_local, "reg", None)
    if reg is None:
        if _target is None:
            raise RuntimeError("no register configured")
        reg = open_read_only(_target)
        _local.reg = reg
    return reg


def open_read_only(target: str) -> Registry:
    """Open an existing register so that its connection refuses writes."""
    reg = Registry.open(target, create=False)
    if reg.backend == "postgis":
        reg.store.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    else:
        reg.store.execute("PRAGMA query_only = 1")
    return reg


def start_request() -> None:
    """Start the clock of a request: its queries stop at the time limit."""
    _local.deadline = time.monotonic() + limits.seconds
    reg = registry()
    if reg.backend == "postgis":
        reg.store.execute(f"SET statement_timeout = {int(limits.seconds * 1000)}")
    else:
        deadline = _local.deadline
        reg.store.conn.set_progress_handler(  # type: ignore[attr-defined]
            lambda: 1 if time.monotonic() > deadline else 0, 20000)


def deadline() -> float | None:
    return getattr(_local, "deadline", None)
