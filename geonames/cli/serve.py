"""``geonames serve``: share the register over OGC API – Features and the reconciliation API."""

from __future__ import annotations

import errno
import socket

import click

from geonames.errors import InputFileError


@click.command()
@click.option("--db", "target", required=True,
              help="The register: a .gpkg file or a postgresql:// URL (opened read-only).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Server processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64),
              help="Threads per process.")
@click.option("--url", default=None,
              help="Public base URL for links when behind a proxy (default http://HOST:PORT).")
@click.option("--max-items", default=1000, show_default=True, type=click.IntRange(1, 100_000),
              help="Largest page of items.")
@click.option("--timeout", "seconds", default=10.0, show_default=True,
              type=click.FloatRange(0.1, 600), help="Seconds a request may take.")
@click.option("--log", "log_file", type=click.Path(dir_okay=False), default=None,
              help="Append the request log to this file (default: standard error).")
def serve(target: str, host: str, port: int, workers: int, threads: int, url: str | None,
          max_items: int, seconds: float, log_file: str | None) -> int:
    """Serve the register read-only: OGC API – Features, reconciliation, a search page.

    \b
    Endpoints (under http://HOST:PORT):
      /                              landing page (?f=html in a browser)
      /collections/placenames/items  ?q=jfb  ?bbox=…  ?datetime=2016-01-01  ?division_code=…
      /reconcile                     W3C Reconciliation API v0.2 (OpenRefine)
      /search                        search page with a map
      /openapi, /conformance
    Writes are refused; use the registry commands.

    \b
    Example:
      geonames serve --db cq.gpkg --port 8000
    """
    from geonames.serve.server import serve as run
    from geonames.serve.state import Limits

    _check_port(host, port)
    run(target, host=host, port=port, workers=workers, threads=threads, url=url,
        limits=Limits(max_items=max_items, seconds=seconds), log_file=log_file)
    return 0


def _check_port(host: str, port: int) -> None:
    """One clear line when the address cannot be used, before the server starts."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise InputFileError(f"--host {host}: {err.strerror}") from None
    family, kind, proto, _, addr = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(addr)
        except OSError as err:
            why = "already in use" if err.errno == errno.EADDRINUSE else err.strerror
            raise InputFileError(f"cannot listen on {host}:{port}: {why}") from None
