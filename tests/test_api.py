"""The curated API: ``geonames.__all__`` is what docs/api.md documents, and every example there
runs and prints what it says."""

from __future__ import annotations

import doctest
import os
import re
from pathlib import Path

import geonames

ROOT = Path(__file__).resolve().parents[1]
API_DOC = ROOT / "docs" / "api.md"


def test_every_public_name_has_a_documented_example() -> None:
    documented = set()
    for heading in re.findall(r"^### (.+)$", API_DOC.read_text(encoding="utf-8"), flags=re.M):
        documented.update(re.findall(r"`([A-Za-z_]+)", heading))
    assert set(geonames.__all__) == documented
    assert 15 <= len(geonames.__all__) <= 25


def test_public_names_resolve_lazily_and_unknown_names_fail() -> None:
    for name in geonames.__all__:
        assert getattr(geonames, name).__name__ == name
    try:
        geonames.no_such_name  # noqa: B018
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:
        raise AssertionError("an unknown name resolved")


def test_the_api_examples_run_as_written() -> None:
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = doctest.testfile(str(API_DOC), module_relative=False, verbose=False,
                                  optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    finally:
        os.chdir(cwd)
    assert result.attempted > 40
    assert result.failed == 0
