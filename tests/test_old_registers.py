"""Registers written by geonames 0.1 open with this version (fixtures/registers/README.md)."""

from __future__ import annotations

import shutil
from datetime import date

import pytest

from geonames.heritage.register import HeritageRegister
from geonames.registry import Registry, WriteRefused
from tests.conftest import FIXTURES

OLD = FIXTURES / "registers" / "v0.1-heritage.gpkg"


def test_a_0_1_register_opens_with_its_heritage_protection(tmp_path):
    target = tmp_path / "old.gpkg"
    shutil.copy(OLD, target)
    with Registry.open(target, create=False) as reg:
        assert reg.store.meta("modules") == '["geonames.heritage_register"]'
        assert sorted(reg.extensions) == ["heritage"]
        assert len(reg) == 20
        heritage = HeritageRegister(reg)
        listed = {e.id: (e.place_id, e.name) for e in heritage.entries()
                  if str(e.status) == "listed"}
        assert listed["cq-1-001"] == ("P0000015", "弹子石")
        assert reg.get("P0000015").name == "弹子石"
        # the protection of listed names holds: a rename without a decision is refused
        with pytest.raises(WriteRefused, match="弹子石"):
            reg.rename("P0000015", "弹子石新街", effective=date(2024, 1, 1))
        assert reg.get("P0000015").name == "弹子石"
        # from now on the register records the stable key
        assert reg.store.meta("extensions") == '["heritage"]'
