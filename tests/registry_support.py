"""Fixtures shared by the register tests: one register per test on each backend.

Every test that takes ``target`` (or ``reg``) runs twice: on a fresh GeoPackage file and on a
fresh PostgreSQL schema of the live PostGIS (marked ``postgis``; skipped locally without
``GEONAMES_TEST_POSTGIS_URL``, failing under CI). Schema names carry the process id, so
parallel runs never share one.
"""

from __future__ import annotations

import csv
import itertools
import os
import uuid
from datetime import date

import pytest

from geonames.names.model import PlaceName
from geonames.registry import AUTO_ID, Registry
from tests.conftest import NAMES

BACKENDS = [pytest.param("gpkg", id="gpkg"),
            pytest.param("postgis", id="postgis", marks=pytest.mark.postgis)]

_counter = itertools.count()


def schema_url(base: str, tag: str) -> str:
    schema = f"t_{tag}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}schema={schema}"


def drop_schema(url: str) -> None:
    import psycopg

    from geonames.registry.postgis import split_url

    conninfo, schema = split_url(url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def make_target(backend: str, request: pytest.FixtureRequest, tmp_path, tag: str) -> str:
    if backend == "gpkg":
        return str(tmp_path / f"{tag}.gpkg")
    url = schema_url(request.getfixturevalue("postgis_url"), tag)
    request.addfinalizer(lambda: drop_schema(url))
    return url


@pytest.fixture(params=BACKENDS)
def target(request, tmp_path) -> str:
    """A fresh register target (a path or URL), not yet created."""
    return make_target(request.param, request, tmp_path, "reg")


@pytest.fixture
def reg(target):
    """A fresh, empty register."""
    r = Registry.open(target)
    yield r
    r.close()


def nbs_rows(name: str) -> list[dict[str, str]]:
    """Rows of one of the real NBS 2023 name tables (``townships``, ``villages-chongqing`` …)."""
    with open(NAMES / f"nbs2023-{name}.csv", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def nbs_places(name: str, limit: int | None = None) -> list[PlaceName]:
    """Places (auto ids) from an NBS table: name and code, no geometry."""
    rows = nbs_rows(name)[:limit]
    return [PlaceName(id=AUTO_ID, name=r["name"], division_code=r["code"]) for r in rows]


D2000 = date(2000, 1, 1)
