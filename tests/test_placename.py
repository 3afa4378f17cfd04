"""The place-name model: variants with validity, lifecycle, renames keep the id."""

from __future__ import annotations

from datetime import date

import pytest
import shapely

from geonames.names.model import (
    Approval,
    NameStatus,
    NameVariant,
    PlaceName,
    StatusChange,
    VariantKind,
)
from geonames.names.romanize import romanize


def _kaixian() -> PlaceName:
    return PlaceName(
        id="cq-500234", name="开县", romanization=romanize("开县").text, category="23",
        generic="县", division_code="500234", geometry=shapely.Point(108.39, 31.16),
        origin="开州 (Tang) became 开县 in 1913", history="县 until 2016",
        variants=(NameVariant("开州", VariantKind.HISTORICAL, valid_from=date(619, 1, 1),
                              valid_to=date(1913, 1, 1), source="开县志"),),
        approval=Approval("国务院", "", date(1913, 1, 1)),
    )


def test_fields_and_proper_part() -> None:
    p = _kaixian()
    assert p.romanization == "Kai Xian"
    assert p.proper == "开"
    assert p.status == NameStatus.IN_USE
    assert p.all_names() == ["开县", "开州"]
    assert [v.name for v in p.variants_on(date(1900, 6, 1))] == ["开州"]
    assert p.variants_on(date(2000, 1, 1)) == []


def test_plain_rename_keeps_the_id_and_the_old_name() -> None:
    approval = Approval("国务院", "国函〔2016〕99号", date(2016, 6, 8))
    q = _kaixian().renamed("开州区", date(2016, 6, 8), approval, romanize("开州区").text,
                           generic="区")
    assert (q.id, q.name, q.romanization, q.generic) == ("cq-500234", "开州区", "Kaizhou Qu", "区")
    former = q.variants[-1]
    assert (former.name, former.kind, former.romanization) == (
        "开县", VariantKind.FORMER_STANDARD, "Kai Xian")
    assert (former.valid_from, former.valid_to) == (date(1913, 1, 1), date(2016, 6, 8))
    assert former.source == "国务院 1913-01-01"
    assert q.variants_on(date(2010, 1, 1), VariantKind.FORMER_STANDARD)[0].name == "开县"
    assert q.status_history[-1] == StatusChange(NameStatus.IN_USE, date(2016, 6, 8), approval,
                                                "renamed from 开县")
    assert q.status_since == date(2016, 6, 8)


def test_lifecycle_reserved_to_retired() -> None:
    p = PlaceName(id="r1", name="滨江路", generic="路", status=NameStatus.RESERVED)
    p = p.with_status(NameStatus.APPROVED, date(2020, 3, 1), Approval("渝中区人民政府", "渝中府〔2020〕1号"))
    p = p.with_status(NameStatus.IN_USE, date(2021, 5, 1))
    p = p.with_status(NameStatus.RETIRED, date(2024, 1, 1), note="road removed")
    assert [s.status for s in p.status_history] == [
        NameStatus.APPROVED, NameStatus.IN_USE, NameStatus.RETIRED]
    assert p.valid_to == date(2024, 1, 1)


def test_merge_links_both_ways() -> None:
    wansheng = PlaceName(id="500110-1955", name="万盛区", generic="区",
                         superseded_by=("500110-2011",), valid_to=date(2011, 10, 27))
    qijiang = PlaceName(id="500110-2011", name="綦江区", generic="区",
                        supersedes=("500110-1955", "500222-1955"), valid_from=date(2011, 10, 27))
    assert wansheng.id in qijiang.supersedes and qijiang.id in wansheng.superseded_by


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"id": "", "name": "王村"}, "needs an id"),
    ({"id": "x", "name": " "}, "needs a standard name"),
    ({"id": "x", "name": "王村", "generic": "镇"}, "is not the end of name"),
    ({"id": "x", "name": "王村", "valid_from": date(2020, 1, 1), "valid_to": date(2019, 1, 1)},
     "before valid_from"),
])
def test_invalid_records_are_refused(kwargs, message) -> None:
    with pytest.raises(ValueError, match=message):
        PlaceName(**kwargs)


def test_variant_interval_is_checked() -> None:
    with pytest.raises(ValueError, match="before valid_from"):
        NameVariant("开州", VariantKind.HISTORICAL, valid_from=date(1913, 1, 1),
                    valid_to=date(619, 1, 1))
    v = NameVariant("开州", VariantKind.HISTORICAL, valid_to=date(1913, 1, 1))
    assert v.valid_on(date(1000, 1, 1)) and not v.valid_on(date(1913, 1, 1))
