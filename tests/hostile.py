"""Hostile input files for tests/test_hostile_inputs.py, made from the fixtures: NaN and infinite
coordinates, features without "type", unclosed rings, NUL and control characters, malformed
division codes, over-long text, broken CSV and JSON."""

import copy
import csv
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CQ = ROOT / "fixtures" / "chongqing"


def make_inputs(out: Path) -> Path:
    """Write every hostile input file into ``out``."""
    out.mkdir(parents=True, exist_ok=True)

    div = json.loads((CQ / "divisions.geojson").read_text("utf-8"))
    lines = json.loads((CQ / "lines.geojson").read_text("utf-8"))

    def dump(name, obj, allow_nan=True):
        (out / name).write_text(json.dumps(obj, ensure_ascii=False, allow_nan=allow_nan), "utf-8")

    def first_ring(f):
        g = f["geometry"]
        return g["coordinates"][0] if g["type"] == "Polygon" else g["coordinates"][0][0]

    for tag, val in [("nan", float("nan")), ("inf", float("inf"))]:
        d = copy.deepcopy(div)
        first_ring(d["features"][3])[5][0] = val
        dump(f"div-{tag}.geojson", d)
        lc = copy.deepcopy(lines)
        g = lc["features"][2]["geometry"]
        (g["coordinates"] if g["type"] == "LineString" else g["coordinates"][0])[1][1] = val
        dump(f"lines-{tag}.geojson", lc)
    d = copy.deepcopy(div)
    first_ring(d["features"][0])[0][1] = 1e400
    dump("div-huge.geojson", d)  # inf via 1e400
    (out / "div-huge.geojson").write_text(
        (out / "div-huge.geojson").read_text().replace("Infinity", "1e400", 1)
    )
    d = copy.deepcopy(div)
    first_ring(d["features"][1])[2] = [500.0, 29.5]
    dump("div-lon500.geojson", d)

    d = copy.deepcopy(div)
    for f in d["features"]:
        f.pop("type")
    dump("div-notype-all.geojson", d)
    d = copy.deepcopy(div)
    for f in d["features"][:5]:
        f.pop("type")
    dump("div-notype-5.geojson", d)
    d = copy.deepcopy(div)
    d["features"] = d["features"][:3]
    d["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[106.5, 29.5], [106.6, 29.5], [106.55, 29.6]]],
    }
    dump("div-unclosed.geojson", d)
    d = copy.deepcopy(div)
    d["features"] = d["features"][:3]
    d["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[106.5, 29.5], [106.6, 29.5], [106.5, 29.5]]],
    }
    dump("div-tworing.geojson", d)
    d = copy.deepcopy(div)
    d["features"] = d["features"][:3]
    d["features"][0]["geometry"] = None
    d["features"][1]["geometry"] = {"type": "Polygon", "coordinates": []}
    dump("div-emptygeom.geojson", d)
    d = copy.deepcopy(div)
    d["features"][0]["properties"]["name"] = "渝中区😀"
    dump("div-emoji.geojson", d)
    d = copy.deepcopy(div)
    d["features"][0]["properties"]["name"] = "渝中\x00区"
    dump("div-nul.geojson", d)
    d = copy.deepcopy(div)
    d["features"][0]["properties"]["name"] = "渝" * 100000
    dump("div-longname.geojson", d)
    d = copy.deepcopy(div)
    d["features"][1]["id"] = d["features"][0]["id"]
    dump("div-dupid.geojson", d)
    d = copy.deepcopy(div)
    for f in d["features"]:
        f.pop("id")
    dump("div-noid.geojson", d)
    d = copy.deepcopy(div)
    d["features"] = [f for f in d["features"]]
    d["features"][0]["geometry"] = {"type": "Point", "coordinates": [106.5, 29.5]}
    dump("div-mixed.geojson", d)
    d = copy.deepcopy(div)
    d["features"] = []
    dump("div-nofeatures.geojson", d)
    dump("not-fc.geojson", {"type": "Feature", "geometry": None, "properties": {}})
    (out / "truncated.geojson").write_text(
        (CQ / "divisions.geojson").read_text("utf-8")[:5000], "utf-8"
    )
    (out / "binary.geojson").write_bytes(os.urandom(4000))
    (out / "json-array.geojson").write_text("[1,2,3]")
    (out / "utf16.geojson").write_bytes(json.dumps(div, ensure_ascii=False).encode("utf-16"))
    (out / "bom.geojson").write_bytes(
        b"\xef\xbb\xbf" + json.dumps(div, ensure_ascii=False).encode()
    )
    d = copy.deepcopy(div)
    d["features"] = d["features"][:4]
    d["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}
    dump("div-badcrs.geojson", d)
    d = copy.deepcopy(div)
    d["features"] = d["features"][:4]
    for f in d["features"]:
        g = f["geometry"]
        rings = (
            g["coordinates"] if g["type"] == "Polygon" else [r for p in g["coordinates"] for r in p]
        )
        for r in rings:
            for p in r:
                p[0], p[1] = p[0] * 1e5, p[1] * 1e5
    dump("div-projected-noproj.geojson", d)
    # latitude out of range
    d = copy.deepcopy(div)
    d["features"] = d["features"][:4]
    for f in d["features"]:
        g = f["geometry"]
        rings = (
            g["coordinates"] if g["type"] == "Polygon" else [r for p in g["coordinates"] for r in p]
        )
        for r in rings:
            for p in r:
                p[0], p[1] = p[1], p[0]
    dump("div-swapped.geojson", d)
    (out / "deep.geojson").write_text(
        '{"type":"FeatureCollection","features":[' + "[" * 100000 + "]" * 100000 + "]}"
    )

    # markers
    mk = (CQ / "markers.csv").read_text("utf-8").splitlines()
    hdr, rows = mk[0], mk[1:]

    def mcsv(name, rows_, header=hdr):
        (out / name).write_text("\n".join([header] + rows_) + "\n", "utf-8")

    def setcol(row, col, val):
        cols = row.split(",")
        cols[hdr.split(",").index(col)] = val
        return ",".join(cols)

    mcsv("markers-nan.csv", [setcol(rows[0], "x", "nan"), setcol(rows[1], "y", "inf")] + rows[2:])
    mcsv("markers-nanlonlat.csv", [setcol(setcol(rows[0], "x", ""), "lon", "nan")] + rows[1:])
    mcsv("markers-text.csv", [setcol(rows[0], "x", "abc")] + rows[1:])
    mcsv("markers-emoji.csv", [setcol(rows[0], "number", "500111500118001C😀")] + rows[1:])
    mcsv("markers-long.csv", [setcol(rows[0], "number", "9" * 10000)] + rows[1:])
    mcsv("markers-nul.csv", [setcol(rows[0], "number", "5001\x00115")] + rows[1:])
    mcsv("markers-empty-number.csv", [setcol(rows[0], "number", "")] + rows[1:])
    mcsv("markers-dup.csv", [rows[0], rows[0]] + rows[1:])
    mcsv("markers-header-only.csv", [])
    mcsv("markers-noxy.csv", [",".join(r.split(",")[:3]) for r in rows], header="number,line,type")
    mcsv("markers-far.csv", [setcol(setcol(rows[0], "x", "1e300"), "y", "-1e300")] + rows[1:])
    mcsv("markers-baddate.csv", [setcol(rows[0], "survey_date", "2025-13-45")] + rows[1:])
    (out / "markers-gbk.csv").write_bytes(
        ("\n".join([hdr] + rows) + "\n").replace("intact", "完好").encode("gb18030")
    )
    (out / "markers-ragged.csv").write_text(
        hdr + "\n" + rows[0] + ",extra,extra\n" + rows[1].split(",")[0] + "\n", "utf-8"
    )

    # names
    def ncsv(name, records, header="code,name"):
        with open(out / name, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(header.split(","))
            w.writerows(records)

    base_names = [["500103001", "解放碑街道"], ["500103002", "七星岗街道"]]
    ncsv("names-nul.csv", [["500103001", "解放\x00碑"]] + base_names[1:])
    ncsv("names-newline.csv", [["500103001", "解放\n碑街道"]] + base_names[1:])
    ncsv("names-control.csv", [["500103001", "解放\x07碑\x1b[31m"]] + base_names[1:])
    ncsv("names-long.csv", [["500103001", "解" * 5000]] + base_names[1:])
    ncsv("names-emptyname.csv", [["500103001", ""], ["500103003", "   "]] + base_names[1:])
    ncsv("names-emoji.csv", [["500103001", "解放碑😀街道"]] + base_names[1:])
    for tag, code in [
        ("abc", "ABC"),
        ("neg", "-1"),
        ("exp", "1e5"),
        ("space", "50 01"),
        ("long", "1" * 19),
        ("float", "500103.0"),
        ("unicode-digits", "５００１０３"),
    ]:
        ncsv(f"names-code-{tag}.csv", [[code, "解放碑街道"]] + base_names[1:])
    ncsv(
        "names-lonlat-nan.csv",
        [["500103001", "解放碑街道", "nan", "nan"], ["500103002", "七星岗街道", "106.5", "29.5"]],
        header="code,name,lon,lat",
    )
    ncsv(
        "names-lonlat-inf.csv",
        [["500103001", "解放碑街道", "inf", "29"], ["500103002", "七星岗街道", "106.5", "29.5"]],
        header="code,name,lon,lat",
    )
    ncsv(
        "names-lonlat-range.csv",
        [["500103001", "解放碑街道", "500", "29"], ["500103002", "七星岗街道", "106.5", "95"]],
        header="code,name,lon,lat",
    )
    ncsv(
        "names-lonlat-text.csv",
        [["500103001", "解放碑街道", "east", "29"]],
        header="code,name,lon,lat",
    )
    ncsv(
        "names-wkt-bad.csv",
        [
            ["500103001", "解放碑街道", "POINT (nan nan)"],
            ["500103002", "七星岗街道", "POLYGON ((1 1, 2 2))"],
            ["500103003", "朝天门街道", "garbage"],
        ],
        header="code,name,wkt",
    )
    (out / "names-gbk.csv").write_bytes("code,name\n500103001,解放碑街道\n".encode("gb18030"))
    (out / "names-latin1.csv").write_bytes("code,name\n500103001,Caf\xe9\n".encode("latin-1"))
    (out / "names-binary.csv").write_bytes(b"\x00\x01\x02" * 1000)
    (out / "names-header-only.csv").write_text("code,name\n")
    (out / "names-bom.csv").write_bytes(
        b"\xef\xbb\xbf" + "code,name\n500103001,解放碑街道\n".encode()
    )
    (out / "names-dupcols.csv").write_text("name,name\n解放碑街道,七星岗街道\n", "utf-8")
    (out / "names-wide.csv").write_text(
        ",".join(f"c{i}" for i in range(5000))
        + ",name\n"
        + ",".join("x" for _ in range(5000))
        + ",解放碑\n"
    )
    (out / "names-quote.csv").write_text('code,name\n500103001,"解放碑街道\n', "utf-8")
    (out / "names-semicolon.csv").write_text("code;name\n500103001;解放碑街道\n", "utf-8")
    with open(out / "names-many.csv", "w", encoding="utf-8") as fh:
        fh.write("code,name\n")
        for i in range(1, 3001):
            fh.write(
                f"500103{i % 399 + 1:03d},{'解放碑' + str(i)}街道\n"
                if i < 1000
                else f"500104{i % 399 + 1:03d},测试{i}镇\n"
            )

    # text/toml/other
    (out / "empty.txt").write_text("")
    (out / "bad.toml").write_text("[inspection\n")
    (out / "garbage.gpkg").write_bytes(b"garbage, not a database")
    (out / "table.csv").write_text("not,a\n1,2\n", encoding="utf-8")
    return out
