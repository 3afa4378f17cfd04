"""The sharing service's queries, in-process on small registers of both backends: the
register as it stood on a day (retired and merged places, renames), paging, bbox and
filters, search paging, and reconciliation by type and point."""

from __future__ import annotations

from datetime import date

import shapely

from geonames.names.model import PlaceName
from geonames.registry import AUTO_ID
from geonames.serve import features, reconcile
from tests.registry_support import reg, target  # noqa: F401 - fixtures

D1, D2, D3 = date(2000, 1, 1), date(2010, 1, 1), date(2020, 1, 1)


def _chongqing(reg):  # noqa: F811
    """Five places in Chongqing (points), added 2000; one renamed, two merged in 2010, one
    retired in 2020."""
    pts = {"渝中区": (106.57, 29.55), "江北区": (106.58, 29.61), "南岸区": (106.64, 29.52),
           "巴县": (106.52, 29.38), "双桥区": (105.78, 29.48)}
    codes = {"渝中区": "500103", "江北区": "500105", "南岸区": "500108", "巴县": "500113",
             "双桥区": "500111"}
    added = reg.add([PlaceName(id=AUTO_ID, name=n, division_code=codes[n],
                               geometry=shapely.Point(*xy)) for n, xy in pts.items()],
                    effective=D1)
    ids = {p.name: p.id for p in added}
    reg.rename(ids["巴县"], "巴南区", effective=D2)
    merged = reg.merge([ids["双桥区"], ids["南岸区"]], "双南区", effective=D2)
    reg.retire(ids["江北区"], effective=D3)
    return ids, merged.id


def _names(page):
    return [props["name"] for _, props, _ in page.places]


def test_as_of_a_day_folds_history_and_pages_exactly(reg):  # noqa: F811
    ids, merged = _chongqing(reg)
    on = {day: features.query(reg, features.Query(as_of=day, limit=100))
          for day in (date(1999, 1, 1), D1, D2, D3)}
    assert _names(on[date(1999, 1, 1)]) == []
    assert sorted(_names(on[D1])) == sorted(["渝中区", "江北区", "南岸区", "巴县", "双桥区"])
    assert sorted(_names(on[D2])) == sorted(["渝中区", "江北区", "巴南区", "双南区"])
    assert sorted(_names(on[D3])) == sorted(["渝中区", "巴南区", "双南区"])
    now = features.query(reg, features.Query(limit=100))
    assert sorted(_names(now)) == sorted(_names(on[D3])) and now.matched == 3
    # pages of 2 on the day of the merge: every place once, in id order
    seen = []
    for offset in (0, 2, 4):
        page = features.query(reg, features.Query(as_of=D2, limit=2, offset=offset))
        seen += [pid for pid, _, _ in page.places]
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 4
    assert merged in seen and ids["南岸区"] not in seen


def test_bbox_filters_and_search_paging(reg):  # noqa: F811
    _chongqing(reg)
    box = features.query(reg, features.Query(bbox=(106.5, 29.5, 106.6, 29.6), limit=10))
    assert _names(box) == ["渝中区"] and box.matched == 1
    old_box = features.query(reg, features.Query(bbox=(106.5, 29.5, 106.7, 29.7), as_of=D1,
                                                 limit=10))
    assert sorted(_names(old_box)) == ["南岸区", "江北区", "渝中区"]
    # the merged place was given no code: the codes below 5001 are two current places
    county = features.query(reg, features.Query(filters={"division_code": "5001"}, limit=10))
    assert sorted(_names(county)) == ["巴南区", "渝中区"] and county.matched == 2
    qx = features.query(reg, features.Query(q="区", limit=1))
    assert len(qx.places) == 1 and qx.matched is None  # more hits than the page asked for
    qall = features.query(reg, features.Query(q="区", limit=10))
    assert qall.matched == len(qall.places) == 3  # retired places are not current
    old = features.query(reg, features.Query(q="巴县", limit=5))
    assert _names(old) == ["巴南区"] and old.hits[old.places[0][0]]["historical"] is True


def test_reconcile_type_point_and_match(reg):  # noqa: F811
    _chongqing(reg)
    top = reconcile.reconcile(reg, reconcile.ReconQuery("渝中区"))[0]
    assert (top.name, top.score, top.match) == ("渝中区", 100.0, True)
    assert top.type == ("23", "行政区域-县级")
    # a type the place is not of costs a fifth of the score
    other = reconcile.reconcile(reg, reconcile.ReconQuery("渝中区", type="24"))[0]
    assert other.score == 80.0 and other.match is False
    # a point 30 km away halves what closeness adds
    near = reconcile.reconcile(reg, reconcile.ReconQuery("渝中", point=(106.57, 29.55)))[0]
    far = reconcile.reconcile(reg, reconcile.ReconQuery("渝中", point=(106.57, 29.82)))[0]
    assert near.name == far.name == "渝中区" and near.features["point"] > 0.99
    assert 0.04 < far.features["point"] < 0.06  # e^(-30 km / 10 km)
    # a former name leads to the place that carries it on
    assert reconcile.reconcile(reg, reconcile.ReconQuery("巴县"))[0].name == "巴南区"
