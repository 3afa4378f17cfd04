"""``geonames serve`` over real HTTP: OGC API – Features, the reconciliation API, the search
page, limits, and what the server must never show.

One register per backend for the module (every township of China from the NBS 2023 table,
the 38 Chongqing district and county polygons, and one rename), served by a server process on
a free local port; the PostGIS variant runs when a live PostGIS is configured (always in CI).
"""

from __future__ import annotations

import csv
import json
import random
import re
import time
import urllib.parse
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from geonames.names.model import PlaceName
from geonames.names.romanize import romanize
from geonames.registry import AUTO_ID, Registry
from geonames.registry.keys import name_keys
from tests.conftest import CHONGQING_2020, NAMES, ROOT, run_cli
from tests.ogcapi_features import localize
from tests.registry_support import drop_schema, schema_url
from tests.serve_support import http, serving

# a register of 41,390 places and a server process per backend: about two minutes each
pytestmark = pytest.mark.slow

TOWNSHIPS = NAMES / "nbs2023-townships.csv"
ITEMS = "/collections/placenames/items"


def township_rows() -> list[dict[str, str]]:
    with open(TOWNSHIPS, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def division_features() -> list[dict]:
    return json.loads(CHONGQING_2020.read_text(encoding="utf-8"))["features"]


def build_register(target: str) -> dict[str, str]:
    """The served register; returns facts the tests check against."""
    rows = township_rows()
    with Registry.open(target) as reg:
        reg.import_places([PlaceName(id=AUTO_ID, name=r["name"], division_code=r["code"])
                           for r in rows], effective=date(2023, 12, 31))
        divisions = [PlaceName(id=AUTO_ID, name=f["properties"]["name"],
                               division_code=str(f["id"]), geometry=shape(f["geometry"]))
                     for f in division_features()]
        reg.import_places(divisions, effective=date(2014, 1, 1))
        [liangping] = [h.place_id for h in reg.search("梁平县", limit=1)]
        reg.rename(liangping, "梁平区", effective=date(2016, 12, 5))
        ids = dict(reg.store.query("SELECT division_code, place_id FROM placenames"))
    return {"liangping": liangping, **{f"code:{k}": v for k, v in ids.items()}}


BACKENDS = [pytest.param("gpkg", id="gpkg"),
            pytest.param("postgis", id="postgis", marks=pytest.mark.postgis)]


@pytest.fixture(scope="module", params=BACKENDS)
def served(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"serve-{request.param}")
    if request.param == "gpkg":
        target = str(folder / "register.gpkg")
    else:
        target = schema_url(request.getfixturevalue("postgis_url"), "serve")
        request.addfinalizer(lambda: drop_schema(target))
    facts = build_register(target)
    with serving(target, folder, workers=2, threads=4) as server:
        server.facts = facts  # type: ignore[attr-defined]
        server.target = target  # type: ignore[attr-defined]
        yield server


# --------------------------------------------------------------------------- must show 1


def test_landing_conformance_and_openapi(served):
    landing = served.json("/")
    rels = {link["rel"] for link in landing["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    conformance = served.json("/conformance")["conformsTo"]
    for cls in ("core", "geojson", "html", "oas30"):
        assert f"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/{cls}" in conformance
    status, headers, body = served.get("/openapi", f="json")
    assert status == 200 and headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    doc = json.loads(body)
    assert doc["openapi"].startswith("3.0")
    assert f"{ITEMS}" in doc["paths"] and f"{ITEMS}/{{featureId}}" in doc["paths"]
    collection = served.json("/collections/placenames")
    assert collection["id"] == "placenames"
    hrefs = {link["rel"]: link["href"] for link in collection["links"]}
    assert hrefs["search"] == served.url + "/search"
    assert hrefs["service"] == served.url + "/reconcile"
    xmin, ymin, xmax, ymax = collection["extent"]["spatial"]["bbox"][0]
    # the register's extent covers Chongqing's polygons (105.3–110.2 E, 28.2–32.2 N)
    assert xmin <= 105.3 and xmax >= 110.1 and ymin <= 28.2 and ymax >= 32.2


def test_q_jfb_returns_jiefangbei_first(served):
    found = served.json(ITEMS, q="jfb")
    first = found["features"][0]
    assert first["properties"]["name"] == "解放碑街道"
    assert first["properties"]["division_code"] == "500103003"
    assert first["properties"]["search"]["by"] == "initials"
    # pinyin and characters find it first too
    assert served.json(ITEMS, q="jiefangbei")["features"][0]["properties"]["name"] == "解放碑街道"
    assert served.json(ITEMS, q="解放碑")["features"][0]["properties"]["name"] == "解放碑街道"


def test_datetime_before_a_rename_gives_the_old_name(served):
    pid = served.facts["liangping"]
    now = served.json(ITEMS, q="梁平", limit=1)["features"][0]
    assert (now["id"], now["properties"]["name"]) == (pid, "梁平区")
    before = served.json(ITEMS, q="梁平", datetime="2016-01-01", limit=1)["features"][0]
    assert (before["id"], before["properties"]["name"]) == (pid, "梁平县")
    after = served.json(ITEMS, q="梁平", datetime="2017-01-01T00:00:00Z", limit=1)["features"][0]
    assert after["properties"]["name"] == "梁平区"
    # on 2016-01-01 only the 38 districts and counties were in the register
    assert served.json(ITEMS, datetime="2016-01-01", limit=1)
    history_link = next(link["href"] for link in now["links"] if link["rel"] == "version-history")
    status, _, body = http("GET", history_link)
    events = json.loads(body)["events"]
    assert status == 200 and [e["kind"] for e in events] == ["add", "rename"]
    assert events[1]["effective"] == "2016-12-05" and events[1]["data"]["name"] == "梁平区"


def walk(served, **params) -> tuple[list[str], int | None, int]:
    """Follow ``next`` links from the first page; (ids in order, numberMatched, pages)."""
    url = served.url + ITEMS + "?" + urllib.parse.urlencode(params)
    ids: list[str] = []
    matched = None
    pages = 0
    while url:
        status, _, body = http("GET", url)
        assert status == 200, body[:300]
        page = json.loads(body)
        pages += 1
        matched = page.get("numberMatched", matched)
        ids += [f["id"] for f in page["features"]]
        assert page["numberReturned"] == len(page["features"])
        url = next((link["href"] for link in page["links"] if link["rel"] == "next"), None)
        assert pages < 1000
    return ids, matched, pages


def test_paging_links_walk_every_item_exactly_once(served):
    chongqing = [r for r in township_rows() if r["code"].startswith("50")]
    expected = {served.facts[f"code:{r['code']}"] for r in chongqing}
    expected |= {served.facts[f"code:{f['id']}"] for f in division_features()}
    ids, matched, pages = walk(served, division_code="50", limit=97)
    assert len(ids) == len(set(ids)) == matched == len(expected) == 1031 + 38
    assert set(ids) == expected and pages == -(-len(ids) // 97)
    # the register as it stood on a day pages the same way (38 places then)
    ids, _, pages = walk(served, datetime="2016-01-01", limit=5)
    assert len(ids) == len(set(ids)) == 38 and pages == 8
    assert set(ids) == {served.facts[f"code:{f['id']}"] for f in division_features()}


def test_bbox_and_property_filters(served):
    box = (106.50, 29.50, 106.60, 29.60)  # central Chongqing
    reference = {str(f["id"]) for f in division_features()
                 if shape(f["geometry"]).intersects(shapely.box(*box))}
    found = served.json(ITEMS, bbox=",".join(map(str, box)), limit=100)
    assert {f["properties"]["division_code"] for f in found["features"]} == reference
    assert found["numberMatched"] == len(reference) >= 4
    streets = [r for r in township_rows()
               if r["areaCode"] == "500103" and r["name"].endswith("街道")]
    got = served.json(ITEMS, division_code="500103", generic="街道", limit=100)
    assert sorted(f["properties"]["name"] for f in got["features"]) == \
        sorted(r["name"] for r in streets)
    assert got["numberMatched"] == len(streets) == 11


def test_html_output_and_search_page(served):
    status, headers, body = served.get(ITEMS, f="html", q="jfb")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "解放碑街道" in body.decode()
    status, headers, body = served.get("/search", q="渝中")
    page = body.decode()
    assert status == 200 and "<form method='get'" in page
    assert re.search(r"<a href='[^']*/items/P\d+\?f=html'>渝中区</a>", page)
    assert "<svg" in page and "渝中区</text>" in page  # the map, drawn inline
    assert "http" not in re.sub(r"(href|action)='[^']*'", "", page.split("<svg")[0]) \
        .replace("http://www.w3.org/2000/svg", ""), "no remote assets"


# --------------------------------------------------------------------------- must show 2


def test_every_response_matches_the_openapi_document(served):
    """Core and GeoJSON classes: each response (status, media type, body) is checked against
    the server's own OpenAPI document, the OGC components written out locally."""
    from openapi_core import Config, OpenAPI
    from openapi_core.testing import MockRequest, MockResponse

    spec = localize(served.json("/openapi", f="json"))
    api = OpenAPI.from_dict(spec, config=Config(
        extra_media_type_deserializers={"application/geo+json": json.loads}))
    pid = served.facts["liangping"]
    cases = [
        ("/", {}), ("/conformance", {}), ("/collections", {}), ("/collections/placenames", {}),
        (ITEMS, {}), (ITEMS, {"limit": "3", "offset": "10"}), (ITEMS, {"q": "jfb"}),
        (ITEMS, {"bbox": "106.5,29.5,106.6,29.6"}), (ITEMS, {"datetime": "2016-01-01"}),
        (ITEMS, {"division_code": "500103", "generic": "街道"}),
        (ITEMS, {"f": "html", "limit": "2"}), (ITEMS, {"resulttype": "hits"}),
        (f"{ITEMS}/{pid}", {}), (f"{ITEMS}/{pid}", {"f": "html"}),
        (f"{ITEMS}/P9999999", {}), (ITEMS, {"bbox": "1,2,3"}), (ITEMS, {"datetime": "yesterday"}),
        # the endpoints beside pygeoapi's, described in the same document
        ("/reconcile", {}), ("/reconcile", {"queries": json.dumps({"a": {"query": "jfb"}})}),
        ("/reconcile/suggest/entity", {"prefix": "jfb"}), ("/search", {"q": "jfb"}),
        (f"{ITEMS}/{pid}/history", {}), (f"{ITEMS}/P9999999/history", {}),
    ]
    checked = defaultdict(int)
    for path, args in cases:
        status, headers, body = served.get(path, **args)
        request = MockRequest(served.url, "get", path, args=args)
        mime = headers["Content-Type"].split(";")[0].strip()
        response = MockResponse(data=body, status_code=status, content_type=mime)
        api.validate_response(request, response)
        checked[status] += 1
    assert checked[200] == 19 and checked[404] == 2 and checked[400] == 2


# --------------------------------------------------------------------------- must show 3


def _typo(name: str, rnd: random.Random, homophones: dict[str, list[str]]) -> str:
    """One typing slip in the proper part: a homophone picked by the input method, a dropped
    character, or two characters swapped."""
    from pypinyin import lazy_pinyin

    proper = name_keys(name)[0] or name
    i = rnd.randrange(len(proper))
    kind = rnd.choice(("homophone", "homophone", "drop", "swap"))
    if kind == "homophone":
        others = [c for c in homophones.get(lazy_pinyin(proper[i])[0], []) if c != proper[i]]
        if others:
            return name[:i] + rnd.choice(others) + name[i + 1:]
    if kind == "swap" and len(proper) >= 2:
        i = min(i, len(proper) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name[:i] + name[i + 1:]


def _homophones() -> dict[str, list[str]]:
    from pypinyin import lazy_pinyin

    table = ROOT / "geonames" / "data" / "general_standard_chars.txt"
    out: dict[str, list[str]] = defaultdict(list)
    for line in table.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            pos, char = line.split("\t")
            if int(pos) <= 3500:  # level 1: the characters an input method offers first
                out[lazy_pinyin(char)[0]].append(char)
    return out


def test_reconciliation_of_1000_township_names(served):
    """1,000 names drawn from the township table, sent as OpenRefine sends them (batches of
    10, with the county code a census form carries); every tenth is written in pinyin or
    with a typo. The top candidate must be the right place for ≥ 95 % of them."""
    manifest = served.json("/reconcile")
    assert "0.2" in manifest["versions"]
    for key in ("name", "identifierSpace", "schemaSpace"):
        assert isinstance(manifest[key], str) and manifest[key]
    for key in ("view", "preview"):
        assert "{{id}}" in manifest[key]["url"]
    rows = township_rows()
    rnd = random.Random(18)
    sample = rnd.sample(rows, 1000)
    homophones = _homophones()
    queries: dict[str, dict] = {}
    truth: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for k, row in enumerate(sample):
        name, kind = row["name"], "plain"
        if k % 10 == 0:
            if (k // 10) % 2 == 0:
                name, kind = romanize(row["name"]).text, "pinyin"
            else:
                name, kind = _typo(row["name"], rnd, homophones), "typo"
        queries[f"q{k}"] = {"query": name, "limit": 3,
                            "properties": [{"pid": "division_code", "v": row["areaCode"]}]}
        truth[f"q{k}"] = served.facts[f"code:{row['code']}"]
        kinds[f"q{k}"] = kind
    answers: dict[str, dict] = {}
    keys = list(queries)
    started = time.monotonic()
    for start in range(0, len(keys), 10):
        batch = {k: queries[k] for k in keys[start:start + 10]}
        data = urllib.parse.urlencode({"queries": json.dumps(batch)}).encode()
        status, _, body = http("POST", served.url + "/reconcile", data=data, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        assert status == 200, body[:300]
        answers.update(json.loads(body))
    seconds = time.monotonic() - started
    right = wrong = none = 0
    by_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, answer in answers.items():
        for c in answer["result"]:
            assert isinstance(c["id"], str) and isinstance(c["name"], str)
            assert isinstance(c["score"], (int, float)) and isinstance(c["match"], bool)
        by_kind[kinds[key]][1] += 1
        if not answer["result"]:
            none += 1
        elif answer["result"][0]["id"] == truth[key]:
            right += 1
            by_kind[kinds[key]][0] += 1
        else:
            wrong += 1
    precision, recall = right / (right + wrong), right / len(queries)
    print(f"\nreconciliation of 1000 township names: precision {precision:.3f}, recall "
          f"{recall:.3f} ({', '.join(f'{k} {v[0]}/{v[1]}' for k, v in by_kind.items())}), "
          f"{seconds:.1f} s")
    assert len(answers) == 1000 and by_kind["pinyin"][1] == by_kind["typo"][1] == 50
    assert precision >= 0.95 and recall >= 0.95
    # certain matches are right
    sure = [k for k, a in answers.items() if a["result"] and a["result"][0]["match"]]
    assert len(sure) > 800
    assert sum(answers[k]["result"][0]["id"] == truth[k] for k in sure) == len(sure)


def test_reconciliation_type_point_suggest_and_preview(served):
    q = {"q0": {"query": "渝中", "type": "23"},  # 行政区域-县级
         "q1": {"query": "渝中", "type": "24"},  # 乡级: 渝中区 scores lower
         "q2": {"query": "江北", "properties": [{"pid": "point", "v": "106.57,29.60"}]},
         "q3": "解放碑街道"}
    got = served.json("/reconcile", queries=json.dumps(q))
    assert got["q0"]["result"][0]["name"] == "渝中区"
    assert got["q0"]["result"][0]["type"][0]["id"] == "23"
    assert got["q1"]["result"][0]["score"] < got["q0"]["result"][0]["score"]
    assert got["q2"]["result"][0]["name"] == "江北区"  # Chongqing's, not another 江北
    assert got["q3"]["result"][0]["match"] is True
    suggest = served.json("/reconcile/suggest/entity", prefix="jfb")["result"]
    assert suggest[0]["name"] == "解放碑街道" and suggest[0]["id"].startswith("P")
    types = served.json("/reconcile/suggest/type", prefix="乡")["result"]
    assert {"id": "24", "name": "行政区域-乡级"} in types
    props = served.json("/reconcile/suggest/property", prefix="div")["result"]
    assert props[0]["id"] == "division_code"
    status, _, body = served.get("/reconcile/preview", id=suggest[0]["id"])
    assert status == 200 and "解放碑街道" in body.decode() and "500103003" in body.decode()
    status, _, body = served.get("/reconcile", callback="cb")
    assert status == 200 and body.startswith(b"cb(")


# --------------------------------------------------------------------------- limits, safety


def test_writes_are_refused_and_limits_hold(served):
    pid = served.facts["liangping"]
    feature = json.dumps({"type": "Feature", "geometry": None, "properties": {"name": "x"}})
    for method, path in (("POST", ITEMS), ("PUT", f"{ITEMS}/{pid}"), ("DELETE", f"{ITEMS}/{pid}"),
                         ("PATCH", f"{ITEMS}/{pid}")):
        status, _, body = http(method, served.url + path, data=feature.encode(),
                               headers={"Content-Type": "application/geo+json"})
        assert status == 405, (method, status, body[:200])
        assert "read-only" in json.loads(body)["description"]
    assert served.json(f"{ITEMS}/{pid}")["properties"]["name"] == "梁平区"
    page = served.json(ITEMS, limit=50000)
    assert page["numberReturned"] == 1000  # the largest page
    status, _, body = served.get(ITEMS, q="解" * 201)
    assert status == 400 and "200 characters" in body.decode()
    status, _, _ = served.get(ITEMS, q="x" * 5000)
    assert status == 414
    many = {f"q{i}": {"query": "渝中"} for i in range(51)}
    status, _, body = served.get("/reconcile", queries=json.dumps(many))
    assert status == 400 and "50 queries" in body.decode()
    status, _, body = served.get("/reconcile", queries="{not json")
    assert status == 400


def test_request_log_and_no_secrets(served):
    served.get(ITEMS, q="jfb")
    served.get("/reconcile/suggest/entity", prefix="jfb")
    deadline = time.monotonic() + 5
    while "suggest/entity" not in served.log.read_text(encoding="utf-8") \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    log = served.log.read_text(encoding="utf-8")
    assert re.search(r"127\.0\.0\.1 GET /collections/placenames/items\?q=jfb 200 [\d.]+ ms", log)
    assert "GET /reconcile/suggest/entity?prefix=jfb 200" in log
    # neither the register's location nor its credentials appear in any answer or log
    target = served.target
    secret = [target]
    if target.startswith("postgresql://"):
        parts = urllib.parse.urlsplit(target)
        secret += [f"{parts.username}:{parts.password}@", "postgresql://"]
    else:
        secret.append(str(Path(target).parent))
    pages = [served.get(p)[2].decode() for p in ("/", "/collections", "/collections/placenames",
                                                 "/openapi?f=json", "/reconcile", "/search",
                                                 "/?f=html", f"{ITEMS}/P9999999",
                                                 f"{ITEMS}?datetime=yesterday")]
    for text in [*pages, log, served.stderr.read_text(encoding="utf-8")]:
        for s in secret:
            assert s not in text


def test_time_limit(tmp_path, served):
    """A query past --timeout answers 503 quickly instead of holding the worker."""
    with serving(served.target, tmp_path, "--timeout", "0.2") as quick:
        started = time.monotonic()
        # folds every place's history as of a day, and no place matches: a full scan
        status, _, body = quick.get(ITEMS, datetime="2024-01-01", generic="不存在")
        took = time.monotonic() - started
        assert status == 503, body[:300]
        assert "time limit" in json.loads(body)["description"] and took < 5
        assert quick.get(ITEMS, limit=1)[0] == 200  # the worker still serves


# --------------------------------------------------------------------------- bad input


def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path):
    code, _, err = run_cli(capsys, "serve", "--db", str(tmp_path / "missing.gpkg"))
    assert code == 2 and err.count("\n") == 1 and "no such register" in err
    code, _, err = run_cli(capsys, "serve", "--db",
                           "postgresql://someone:S3cretPw@127.0.0.1:1/nothing")
    assert code == 2 and err.count("\n") == 1 and "S3cretPw" not in err
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        code, _, err = run_cli(capsys, "serve", "--db", str(tmp_path / "missing.gpkg"),
                               "--port", str(port))
        assert code == 2 and "in use" in err
