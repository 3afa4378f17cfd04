"""Hostile inputs across every command group: each ends in exit 0/1 with the right answer or
exit 2 with one line on stderr; never exit 3, never a traceback, never a hang.

Each case calls the CLI's entry point in this process with a time limit
(:func:`tests.cli_runner.run_cli`: exit code, stdout and stderr as a process would give them);
the modules and their caches are loaded once, so most cases take milliseconds. The cases that
need a process of their own run in a forked child that is killed when its time is up
(:func:`tests.cli_runner.run_forked`): those that drop root to meet file permissions ({ro},
{rodir}), those on a register another process locks, and those marked ``process=True`` (a
pattern that could backtrack for ever, a server that does not answer). Register cases run on
a fresh GeoPackage and, with a live PostGIS, on a fresh schema. The table: (id, arguments,
expected exit code(s), fragment of the one error line or of the output, options). Placeholders: {in} the hostile files (tests/hostile.py), {cq}
fixtures/chongqing, {tmp} a fresh folder per case, {db} a fresh register with five places,
{ro} a read-only register, {nonreg} a GeoPackage that is not a register, {rodir} a read-only
folder, {locked} a register another process keeps locked, {pgbad}/{pgro}/{pgdb} PostGIS URLs
(a schema that does not exist, a role that may only read, a fresh schema).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.cli_runner import TIMEOUT, run_cli, run_forked
from tests.conftest import FIXTURES
from tests.hostile import make_inputs


def C(id, args, rc, frag="", **kw):  # noqa: A002
    return dict(id=id, args=args.split() if isinstance(args, str) else args, rc=rc, frag=frag, **kw)


DIV = "{cq}/divisions.geojson"
LINES = "{cq}/lines.geojson"
MK = "{cq}/markers.csv"
CASES = [
    # ---------------------------------------------------------------- info
    C("info-nan", "info {in}/div-nan.geojson", 2, "not finite"),
    C("info-inf", "info {in}/div-inf.geojson", 2, "not finite"),
    C("info-1e400", "info {in}/div-huge.geojson", 2, "not finite"),
    C("info-notype-all", "info {in}/div-notype-all.geojson --json", 0, '"features": 38'),
    C("info-notype-5", "info {in}/div-notype-5.geojson --json", 0, '"features": 38'),
    C("info-encoding-klingon", f"info {DIV} --encoding klingon", 2, "klingon"),
    C("info-encoding-empty", ["info", DIV, "--encoding", ""], 2, "encoding"),
    C("info-nofeatures", "info {in}/div-nofeatures.geojson", 2, "no features"),
    C("info-truncated", "info {in}/truncated.geojson", 2, "truncated.geojson"),
    C("info-binary", "info {in}/binary.geojson", 2, "not a vector file"),
    C("info-json-array", "info {in}/json-array.geojson", 2, ""),
    C("info-not-fc", "info {in}/not-fc.geojson", 2, "no feature"),
    C("info-utf16", "info {in}/utf16.geojson", (0, 2), ""),
    C("info-bom", "info {in}/bom.geojson --json", 0, '"features": 38'),
    C("info-deep", "info {in}/deep.geojson", 2, ""),
    C("info-crs-unknown", f"info {DIV} --crs EPSG:999999", 2, "EPSG:999999"),
    C("info-crs-garbage", f"info {DIV} --crs nonsense", 2, "nonsense"),
    C("info-crs-geographic", f"info {DIV} --crs EPSG:4326", 2, "metric"),
    C("info-badcrs-file", "info {in}/div-badcrs.geojson", (0, 2), ""),
    C("info-layer-missing", f"info {DIV} --layer nope", 2, "nope"),
    C("info-id-field-missing", f"info {DIV} --id-field nope", 2, "nope"),
    C("info-devnull", "info /dev/null", 2, ""),
    C("info-lon500", "info {in}/div-lon500.geojson", 2, "longitude"),
    C("info-swapped", "info {in}/div-swapped.geojson", 2, "latitude"),
    C("info-nul-in-path", ["info", "{in}/div\x00.geojson"], 2, ""),
    C("info-unclosed", "info {in}/div-unclosed.geojson", (0, 2), ""),
    # ---------------------------------------------------------------- inspect coverage
    C("cov-nan", "inspect coverage {in}/div-nan.geojson --out {tmp}/r -q", 2, "not finite"),
    C("cov-inf", "inspect coverage {in}/div-inf.geojson --out {tmp}/r -q", 2, "not finite"),
    C("cov-1e400", "inspect coverage {in}/div-huge.geojson --out {tmp}/r -q", 2, "not finite"),
    C("cov-notype-5", "inspect coverage {in}/div-notype-5.geojson --out {tmp}/r -q", 1, "",
      same_as="inspect coverage {cq}/divisions.geojson --out {tmp}/ref -q"),
    C("cov-notype-all", "inspect coverage {in}/div-notype-all.geojson --out {tmp}/r -q", 1, ""),
    C("cov-unclosed", "inspect coverage {in}/div-unclosed.geojson --out {tmp}/r -q", 1, "",
      finding="geometry.invalid"),
    C("cov-tworing", "inspect coverage {in}/div-tworing.geojson --out {tmp}/r -q", 1, "",
      finding="geometry.invalid"),
    C("cov-emptygeom", "inspect coverage {in}/div-emptygeom.geojson --out {tmp}/r -q", (1, 2), ""),
    C("cov-gap-nan", f"inspect coverage {DIV} --gap-width nan --out {{tmp}}/r -q", 2, "--gap-width"),
    C("cov-gap-inf", f"inspect coverage {DIV} --gap-width inf --out {{tmp}}/r -q", 2, "--gap-width"),
    C("cov-gap-neg", f"inspect coverage {DIV} --gap-width -5 --out {{tmp}}/r -q", 2, "--gap-width"),
    C("cov-gap-1e400", f"inspect coverage {DIV} --gap-width 1e400 --out {{tmp}}/r -q", 2, "--gap-width"),
    C("cov-gap-huge", f"inspect coverage {DIV} --gap-width 1e300 --out {{tmp}}/r -q", 2, "--gap-width"),
    C("cov-gap-text", f"inspect coverage {DIV} --gap-width wide --out {{tmp}}/r -q", 2, "--gap-width"),
    C("cov-minarea-nan", f"inspect coverage {DIV} --min-area nan --out {{tmp}}/r -q", 2, "--min-area"),
    C("cov-minarea-neg", f"inspect coverage {DIV} --min-area -1 --out {{tmp}}/r -q", 2, "--min-area"),
    C("cov-sliver-nan", f"inspect coverage {DIV} --sliver-width nan --out {{tmp}}/r -q", 2, "--sliver-width"),
    C("cov-sliver-inf", f"inspect coverage {DIV} --sliver-width inf --out {{tmp}}/r -q", 2, "--sliver-width"),
    C("cov-exctol-nan", f"inspect coverage {DIV} --exception-tolerance nan --out {{tmp}}/r -q", 2,
      "--exception-tolerance"),
    C("cov-crs-geographic", f"inspect coverage {DIV} --crs EPSG:4326 --out {{tmp}}/r -q", 2, "metric"),
    C("cov-emoji", "inspect coverage {in}/div-emoji.geojson --out {tmp}/r -q", 1, ""),
    C("cov-nul-name", "inspect coverage {in}/div-nul.geojson --out {tmp}/r -q", 2, "NUL"),
    C("cov-long-name", "inspect coverage {in}/div-longname.geojson --out {tmp}/r -q", 2, "characters"),
    C("cov-dup-id", "inspect coverage {in}/div-dupid.geojson --out {tmp}/r -q", (1, 2), ""),
    C("cov-mixed", "inspect coverage {in}/div-mixed.geojson --out {tmp}/r -q", (1, 2), ""),
    C("cov-lon500", "inspect coverage {in}/div-lon500.geojson --out {tmp}/r -q", 2, "longitude"),
    C("cov-swapped", "inspect coverage {in}/div-swapped.geojson --out {tmp}/r -q", 2, "latitude"),
    C("cov-name-field", f"inspect coverage {DIV} --name-field nope --out {{tmp}}/r -q", 2, "nope"),
    C("cov-exceptions-garbage", f"inspect coverage {DIV} --exceptions {{in}}/garbage.gpkg --out {{tmp}}/r -q",
      2, ""),
    C("cov-exceptions-missing", f"inspect coverage {DIV} --exceptions {{tmp}}/none.csv --out {{tmp}}/r -q",
      2, ""),
    C("cov-encoding-klingon", f"inspect coverage {DIV} --encoding klingon --out {{tmp}}/r -q", 2, "klingon"),
    # ---------------------------------------------------------------- lines extract
    C("lines-nan", "lines extract {in}/div-nan.geojson -o {tmp}/l.gpkg -q", 2, "not finite"),
    C("lines-inf", "lines extract {in}/div-inf.geojson -o {tmp}/l.gpkg -q", 2, "not finite"),
    C("lines-snap-nan", f"lines extract {DIV} --snap nan -o {{tmp}}/l.gpkg -q", 2, "--snap"),
    C("lines-snap-inf", f"lines extract {DIV} --snap inf -o {{tmp}}/l.gpkg -q", 2, "--snap"),
    C("lines-snap-neg", f"lines extract {DIV} --snap -1 -o {{tmp}}/l.gpkg -q", 2, "--snap"),
    C("lines-snap-huge", f"lines extract {DIV} --snap 1e12 -o {{tmp}}/l.gpkg -q", 2, "--snap"),
    C("lines-out-missing-dir", f"lines extract {DIV} -o {{tmp}}/no/such/l.gpkg -q", 2, "no/such"),
    C("lines-out-readonly-dir", f"lines extract {DIV} -o {{rodir}}/l.gpkg -q", 2, "rodir"),
    C("lines-out-is-dir", f"lines extract {DIV} -o {{tmp}} -q", 2, ""),
    C("lines-notype-5", "lines extract {in}/div-notype-5.geojson -o {tmp}/l.gpkg -q", 0, ""),
    C("lines-emoji", "lines extract {in}/div-emoji.geojson -o {tmp}/l.gpkg -q", 0, ""),
    # ---------------------------------------------------------------- inspect markers
    C("mk-lines-nan", "inspect markers --lines {in}/lines-nan.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 2, "not finite"),
    C("mk-lines-inf", "inspect markers --lines {in}/lines-inf.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 2, "not finite"),
    C("mk-markers-nan", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-nan.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 1, "", finding="marker.bad_record"),
    C("mk-markers-nanlonlat", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-nanlonlat.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 1, "", finding="marker.bad_record"),
    C("mk-markers-text", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-text.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 1, "", finding="marker.bad_record"),
    C("mk-markers-emoji", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-emoji.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 1, ""),
    C("mk-markers-long", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-long.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 1, "", finding="marker.bad_record"),
    C("mk-markers-nul", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-nul.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 1, "", finding="marker.bad_record"),
    C("mk-markers-empty-number", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-empty-number.csv --markers-crs EPSG:4544 --out {tmp}/r -q", (1, 2), ""),
    C("mk-markers-dup", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-dup.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 1, ""),
    C("mk-markers-header-only", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-header-only.csv --markers-crs EPSG:4544 --out {tmp}/r -q", 2, "no"),
    C("mk-markers-noxy", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-noxy.csv --out {tmp}/r -q", 2, ""),
    C("mk-markers-far", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-far.csv --markers-crs EPSG:4544 --out {tmp}/r -q", (1, 2), ""),
    C("mk-markers-baddate", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-baddate.csv --markers-crs EPSG:4544 --out {tmp}/r -q", (1, 2), ""),
    C("mk-markers-gbk", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-gbk.csv --markers-crs EPSG:4544 --out {tmp}/r -q", (1, 2), ""),
    C("mk-markers-ragged", "inspect markers --lines {cq}/lines.geojson --markers {in}/markers-ragged.csv --markers-crs EPSG:4544 --out {tmp}/r -q", (1, 2), ""),
    C("mk-markers-binary", "inspect markers --lines {cq}/lines.geojson --markers {in}/names-binary.csv --out {tmp}/r -q", 2, ""),
    C("mk-maxoffset-nan", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --max-offset nan --out {tmp}/r -q", 2, "--max-offset"),
    C("mk-maxoffset-neg", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --max-offset -1 --out {tmp}/r -q", 2, "--max-offset"),
    C("mk-maxoffset-inf", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --max-offset inf --out {tmp}/r -q", 2, "--max-offset"),
    C("mk-maxshift-nan", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --max-shift nan --out {tmp}/r -q", 2, "--max-shift"),
    C("mk-maxshift-neg", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --max-shift -0.5 --out {tmp}/r -q", 2, "--max-shift"),
    C("mk-maxtri-nan", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --max-tripoint-distance nan --out {tmp}/r -q", 2, "--max-tripoint-distance"),
    C("mk-template-badspec", ["inspect", "markers", "--lines", LINES, "--markers", MK, "--markers-crs", "EPSG:4544", "--number-template", "{nope:zz}", "--out", "{tmp}/r", "-q"], 2, "--number-template"),
    C("mk-template-unclosed", ["inspect", "markers", "--lines", LINES, "--markers", MK, "--markers-crs", "EPSG:4544", "--number-template", "{line", "--out", "{tmp}/r", "-q"], 2, "--number-template"),
    C("mk-template-positional", ["inspect", "markers", "--lines", LINES, "--markers", MK, "--markers-crs", "EPSG:4544", "--number-template", "{0}", "--out", "{tmp}/r", "-q"], 2, "--number-template"),
    C("mk-template-seq-s", ["inspect", "markers", "--lines", LINES, "--markers", MK, "--markers-crs", "EPSG:4544", "--number-template", "{seq:x>99999999999}", "--out", "{tmp}/r", "-q"], 2, "--number-template"),
    C("mk-template-attr", ["inspect", "markers", "--lines", LINES, "--markers", MK, "--markers-crs", "EPSG:4544", "--number-template", "{line.__class__}", "--out", "{tmp}/r", "-q"], 2, "--number-template"),
    C("mk-pattern-bad", ["inspect", "markers", "--lines", LINES, "--markers", MK, "--markers-crs", "EPSG:4544", "--number-pattern", "(", "--out", "{tmp}/r", "-q"], 2, "--number-pattern"),
    C("mk-pattern-nogroups", ["inspect", "markers", "--lines", LINES, "--markers", MK, "--markers-crs", "EPSG:4544", "--number-pattern", "\\d+", "--out", "{tmp}/r", "-q"], 2, "--number-pattern"),
    C("mk-pattern-redos", ["inspect", "markers", "--lines", LINES, "--markers", "{in}/markers-long.csv", "--markers-crs", "EPSG:4544", "--number-pattern", "(?P<line>(9+)+)(?P<seq>\\d{3})(?P<type>[QABCDE])", "--out", "{tmp}/r", "-q"], 2, "--number-pattern", process=True),
    C("mk-markers-crs-bad", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:0 --out {tmp}/r -q", 2, "EPSG:0"),
    C("mk-tripoints-nan", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --tripoints {in}/div-nan.geojson --out {tmp}/r -q", 2, ""),
    C("mk-previous-nan", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --previous {in}/markers-nan.csv --out {tmp}/r -q", 1, "", finding="marker.bad_record"),
    C("mk-code-field", "inspect markers --lines {cq}/lines.geojson --markers {cq}/markers.csv --markers-crs EPSG:4544 --code-field nope --out {tmp}/r -q", 2, "nope"),
    # ---------------------------------------------------------------- inspect edgematch
    C("em-tol-neg", "inspect edgematch {cq}/lines.geojson {cq}/lines-other-party.geojson --tolerance -5 --out {tmp}/r -q", 2, "--tolerance"),
    C("em-tol-nan", "inspect edgematch {cq}/lines.geojson {cq}/lines-other-party.geojson --tolerance nan --out {tmp}/r -q", 2, "--tolerance"),
    C("em-tol-inf", "inspect edgematch {cq}/lines.geojson {cq}/lines-other-party.geojson --tolerance inf --out {tmp}/r -q", 2, "--tolerance"),
    C("em-tol-zero", "inspect edgematch {cq}/lines.geojson {cq}/lines-other-party.geojson --tolerance 0 --out {tmp}/r -q", 2, "--tolerance"),
    C("em-nan", "inspect edgematch {in}/lines-nan.geojson {cq}/lines-other-party.geojson --out {tmp}/r -q", 2, "not finite"),
    C("em-inf-b", "inspect edgematch {cq}/lines.geojson {in}/lines-inf.geojson --out {tmp}/r -q", 2, "not finite"),
    C("em-polygons", "inspect edgematch {cq}/divisions.geojson {cq}/lines.geojson --out {tmp}/r -q", 2, ""),
    C("em-by-code-missing", "inspect edgematch {cq}/divisions.geojson {cq}/divisions.geojson --by code --out {tmp}/r -q", 2, ""),
    C("em-layer", "inspect edgematch {cq}/lines.geojson {cq}/lines-other-party.geojson --layer nope --out {tmp}/r -q", 2, "nope"),
    # ---------------------------------------------------------------- inspect changes
    C("ch-tol-nan", "inspect changes {cq}/divisions-previous.geojson {cq}/divisions.geojson --tolerance nan --out {tmp}/r -q", 2, "--tolerance"),
    C("ch-tol-neg", "inspect changes {cq}/divisions-previous.geojson {cq}/divisions.geojson --tolerance -1 --out {tmp}/r -q", 2, "--tolerance"),
    C("ch-share-nan", "inspect changes {cq}/divisions-previous.geojson {cq}/divisions.geojson --min-share nan --out {tmp}/r -q", 2, "--min-share"),
    C("ch-share-zero", "inspect changes {cq}/divisions-previous.geojson {cq}/divisions.geojson --min-share 0 --out {tmp}/r -q", 2, "--min-share"),
    C("ch-share-two", "inspect changes {cq}/divisions-previous.geojson {cq}/divisions.geojson --min-share 2 --out {tmp}/r -q", 2, "--min-share"),
    C("ch-nan", "inspect changes {cq}/divisions-previous.geojson {in}/div-nan.geojson --out {tmp}/r -q", 2, "not finite"),
    C("ch-history-missing", "inspect changes {cq}/divisions-previous.geojson {cq}/divisions.geojson --history {tmp}/none.toml --out {tmp}/r -q", 2, "none.toml"),
    C("ch-history-bad", "inspect changes {cq}/divisions-previous.geojson {cq}/divisions.geojson --history {in}/bad.toml --out {tmp}/r -q", 2, "TOML"),
    C("ch-history-binary", "inspect changes {cq}/divisions-previous.geojson {cq}/divisions.geojson --history {in}/names-binary.csv --out {tmp}/r -q", 2, ""),
    # ---------------------------------------------------------------- inspect run
    C("run-bad-toml", "inspect run {in}/bad.toml --out {tmp}/r -q", 2, "TOML"),
    C("run-empty", "inspect run {in}/empty.txt --out {tmp}/r -q", 2, ""),
    C("run-outside-rel", "inspect run {tmp}/cfg/outside-rel.toml --out {tmp}/r -q", 2, "outside",
      files={"cfg/outside-rel.toml": '[divisions]\npath = "../../../../../../../../etc/passwd"\n'}),
    C("run-outside-abs", "inspect run {tmp}/cfg/outside-abs.toml --out {tmp}/r -q", 2, "outside",
      files={"cfg/outside-abs.toml": '[divisions]\npath = "/etc/passwd"\n'}),
    C("run-outside-allowed", "inspect run {tmp}/cfg/outside-ok.toml --allow-outside --out {tmp}/r -q", (0, 1), "",
      files={"cfg/outside-ok.toml": '[divisions]\npath = "{cq}/divisions.geojson"\n'}),
    C("run-relative-to-config", "inspect run {tmp}/cfg/rel.toml --out {tmp}/r -q", (0, 1), "",
      files={"cfg/rel.toml": '[divisions]\npath = "d.geojson"\n', "cfg/d.geojson": "@{cq}/divisions.geojson"},
      cwd="/"),
    C("run-tol-nan", "inspect run {tmp}/cfg/nan.toml --out {tmp}/r -q", 2, "max_offset",
      files={"cfg/nan.toml": '[lines]\npath = "l.geojson"\ncode_field = "line_code"\n[markers]\npath = "m.csv"\ncrs = "EPSG:4544"\n[tolerances]\nmax_offset = nan\n',
             "cfg/l.geojson": "@{cq}/lines.geojson", "cfg/m.csv": "@{cq}/markers.csv"}),
    C("run-tol-neg", "inspect run {tmp}/cfg/neg.toml --out {tmp}/r -q", 2, "edgematch",
      files={"cfg/neg.toml": '[lines]\npath = "l.geojson"\n[other_party]\nlines = "l.geojson"\n[tolerances]\nedgematch = -10\n',
             "cfg/l.geojson": "@{cq}/lines.geojson"}),
    C("run-tol-string", "inspect run {tmp}/cfg/s.toml --out {tmp}/r -q", 2, "max_shift",
      files={"cfg/s.toml": '[lines]\npath = "l.geojson"\n[markers]\npath = "m.csv"\ncrs = "EPSG:4544"\n[tolerances]\nmax_shift = "one metre"\n',
             "cfg/l.geojson": "@{cq}/lines.geojson", "cfg/m.csv": "@{cq}/markers.csv"}),
    C("run-path-number", "inspect run {tmp}/cfg/p.toml --out {tmp}/r -q", 2, "path",
      files={"cfg/p.toml": '[divisions]\npath = 5\n'}),
    C("run-path-nul", "inspect run {tmp}/cfg/nul.toml --out {tmp}/r -q", 2, "",
      files={"cfg/nul.toml": '[divisions]\npath = "d\\u0000.geojson"\n'}),
    C("run-nothing", "inspect run {tmp}/cfg/none.toml --out {tmp}/r -q", 2, "",
      files={"cfg/none.toml": '[inspection]\ntitle = "x"\n'}),
    C("run-missing-file", "inspect run {tmp}/cfg/miss.toml --out {tmp}/r -q", 2, "no such file",
      files={"cfg/miss.toml": '[divisions]\npath = "nothere.geojson"\n'}),
    C("run-nan-divisions", "inspect run {tmp}/cfg/dn.toml --out {tmp}/r -q", 2, "not finite",
      files={"cfg/dn.toml": '[divisions]\npath = "d.geojson"\n', "cfg/d.geojson": "@{in}/div-nan.geojson"}),
    C("run-crs-bad", "inspect run {tmp}/cfg/crs.toml --out {tmp}/r -q", 2, "EPSG:1",
      files={"cfg/crs.toml": '[inspection]\ncrs = "EPSG:1"\n[divisions]\npath = "d.geojson"\n', "cfg/d.geojson": "@{cq}/divisions.geojson"}),
    # ---------------------------------------------------------------- names romanize
    C("rom-nul", ["names", "romanize", "解放\x00碑"], 2, ""),  # argv cannot hold NUL: python refuses
    C("rom-control", ["names", "romanize", "解放\x07碑"], 2, "control"),
    C("rom-newline", ["names", "romanize", "解放\n碑"], 2, "control"),
    C("rom-empty", ["names", "romanize", ""], 2, "empty"),
    C("rom-long", ["names", "romanize", "解" * 20000], 2, "characters"),
    C("rom-emoji", ["names", "romanize", "解放碑😀"], 0, ""),
    C("rom-latin", ["names", "romanize", "Paris"], 0, "Paris"),
    C("rom-input-binary", "names romanize --input {in}/names-binary.csv --output {tmp}/o.csv", 2, ""),
    C("rom-input-nul", "names romanize --input {in}/names-nul.csv --output {tmp}/o.csv", 2, "NUL"),
    C("rom-input-column", "names romanize --input {in}/names-gbk.csv --column nope --output {tmp}/o.csv", 2, "nope"),
    C("rom-code-bad", ["names", "romanize", "解放碑", "--code", "ABC"], 2, "ABC"),
    C("rom-encoding-klingon", "names romanize --input {in}/names-gbk.csv --encoding klingon --output {tmp}/o.csv", 2, "klingon"),
    C("rom-output-missing-dir", "names romanize --input {in}/names-gbk.csv --output {tmp}/no/x.csv", 2, "no"),
    C("rom-header", ["names", "romanize", "西安"], 0, "Xi'an"),
    # ---------------------------------------------------------------- names lint
    C("lint-nul", "names lint {in}/names-nul.csv --out {tmp}/r -q", 2, "row"),
    C("lint-newline", "names lint {in}/names-newline.csv --out {tmp}/r -q", 2, "row"),
    C("lint-control", "names lint {in}/names-control.csv --out {tmp}/r -q", 2, "row"),
    C("lint-long", "names lint {in}/names-long.csv --out {tmp}/r -q", 2, "row"),
    C("lint-emptyname", "names lint {in}/names-emptyname.csv --out {tmp}/r -q", (1, 2), ""),
    C("lint-binary", "names lint {in}/names-binary.csv --out {tmp}/r -q", 2, ""),
    C("lint-header-only", "names lint {in}/names-header-only.csv --out {tmp}/r -q", 2, "no"),
    C("lint-latin1", "names lint {in}/names-latin1.csv --out {tmp}/r -q", 2, "encoding"),
    C("lint-quote", "names lint {in}/names-quote.csv --out {tmp}/r -q", (0, 1, 2), ""),
    C("lint-semicolon", "names lint {in}/names-semicolon.csv --out {tmp}/r -q", 2, "name column"),
    C("lint-dupcols", "names lint {in}/names-dupcols.csv --out {tmp}/r -q", 2, ""),
    C("lint-wide", "names lint {in}/names-wide.csv --out {tmp}/r -q", (0, 1), ""),
    C("lint-emoji", "names lint {in}/names-emoji.csv --out {tmp}/r -q", (0, 1), ""),
    C("lint-code-abc", "names lint {in}/names-code-abc.csv --out {tmp}/r -q", (0, 1), "", finding="name.bad_code"),
    C("lint-scope-bad", "names lint {in}/names-gbk.csv --scope village=galaxy --out {tmp}/r -q", 2, "galaxy"),
    C("lint-scope-noeq", "names lint {in}/names-gbk.csv --scope village --out {tmp}/r -q", 2, "--scope"),
    C("lint-scope-level", "names lint {in}/names-gbk.csv --scope planet=county --out {tmp}/r -q", 2, "planet"),
    C("lint-rules-bad", "names lint {in}/names-gbk.csv --rules {in}/bad.toml --out {tmp}/r -q", 2, "TOML"),
    C("lint-rules-types", "names lint {in}/names-gbk.csv --rules {tmp}/r.toml --out {tmp}/r -q", 2, "",
      files={"r.toml": "[scopes]\nvillage = 5\n"}),
    C("lint-encoding", "names lint {in}/names-gbk.csv --encoding klingon --out {tmp}/r -q", 2, "klingon"),
    C("lint-namecol", "names lint {in}/names-gbk.csv --name-col nope --out {tmp}/r -q", 2, "nope"),
    # ---------------------------------------------------------------- divisions
    C("div-translate-abc", "divisions translate ABC --from 2010-01-01 --to 2020-01-01", 2, "ABC"),
    C("div-translate-neg", "divisions translate -1 --from 2010-01-01 --to 2020-01-01", 2, ""),
    C("div-translate-exp", "divisions translate 1e5 --from 2010-01-01 --to 2020-01-01", 2, "1e5"),
    C("div-translate-long", "divisions translate 5001011234567890123 --from 2010-01-01 --to 2020-01-01", 2, ""),
    C("div-translate-space", ["divisions", "translate", "50 01", "--from", "2010-01-01", "--to", "2020-01-01"], 2, ""),
    C("div-translate-baddate", "divisions translate 500222 --from 2010-13-01 --to 2020-01-01", 2, "2010-13-01"),
    C("div-translate-year0", "divisions translate 500222 --from 0000-01-01 --to 2020-01-01", 2, ""),
    C("div-translate-far", "divisions translate 500222 --from 1900-01-01 --to 9999-12-31", (0, 1, 2), ""),
    C("div-history-abc", "divisions history ABC", 2, "ABC"),
    C("div-history-fullwidth", ["divisions", "history", "５００２２２"], 2, ""),
    C("div-asof-feb30", "divisions as-of 2020-02-30", 2, "2020-02-30"),
    C("div-asof-parent", "divisions as-of 2020-01-01 --parent ABC", 2, "ABC"),
    C("div-asof-revisions-binary", "divisions as-of 2020-01-01 --revisions {in}/names-binary.csv", 2, ""),
    C("div-asof-revisions-table", "divisions as-of 2020-01-01 --revisions {in}/table.csv", 2, ""),
    C("div-asof-events-bad", "divisions as-of 2020-01-01 --events {in}/bad.toml", 2, "TOML"),
    C("div-check-events-empty", "divisions check-events {in}/empty.txt --out {tmp}/r -q", 2, ""),
    C("div-check-events-binary", "divisions check-events {in}/names-binary.csv --out {tmp}/r -q", 2, ""),
    C("div-establishment-rules", "divisions check-establishment {cq}/../establishment/proposals.csv --rules {in}/bad.toml --out {tmp}/r -q", 2, "TOML"),
    C("div-establishment-nan", "divisions check-establishment {tmp}/p.csv --rules {cq}/../establishment/rules.toml --out {tmp}/r -q", (1, 2), "",
      files={"p.csv": "@{cq}/../establishment/proposals.csv"}, nan_csv="p.csv"),
]

# ---------------------------------------------------------------- the register (both backends: {db})
REG = [
    C("reg-near-nan", "registry search --near nan,nan --db {db}", 2, "--near"),
    C("reg-near-inf", "registry search --near inf,inf --db {db}", 2, "--near"),
    C("reg-near-halfnan", "registry search --near 106.5,nan --db {db}", 2, "--near"),
    C("reg-near-1e400", "registry search --near 1e400,0 --db {db}", 2, "--near"),
    C("reg-near-lon500", "registry search --near 500,29 --db {db}", 2, "--near"),
    C("reg-near-lat95", "registry search --near 106,95 --db {db}", 2, "--near"),
    C("reg-near-one", "registry search --near 106.5 --db {db}", 2, "--near"),
    C("reg-near-text", "registry search --near a,b --db {db}", 2, "--near"),
    C("reg-near-three", "registry search --near 1,2,3 --db {db}", 2, "--near"),
    C("reg-near-ok", "registry search --near 106.57,29.55 --limit 1 --db {db}", 0, "七星岗街道"),
    C("reg-bbox-inverted", "registry search --bbox 106.6,29.6,106.5,29.5 --db {db}", 2, "--bbox"),
    C("reg-bbox-nan", "registry search --bbox nan,29.5,106.6,29.6 --db {db}", 2, "--bbox"),
    C("reg-bbox-three", "registry search --bbox 1,2,3 --db {db}", 2, "--bbox"),
    C("reg-bbox-range", "registry search --bbox -500,-100,500,100 --db {db}", 2, "--bbox"),
    C("reg-bbox-ok", "registry search --bbox 106.56,29.55,106.58,29.56 --db {db}", 0, "解放碑街道"),
    C("reg-limit-zero", "registry search 街道 --limit 0 --db {db}", 2, "--limit"),
    C("reg-limit-huge", "registry search 街道 --limit 99999999999999999999 --db {db}", 2, "--limit"),
    C("reg-limit-neg", "registry search 街道 --limit -3 --db {db}", 2, "--limit"),
    C("reg-query-nul", ["registry", "search", "解放\x00碑", "--db", "{db}"], 2, ""),
    C("reg-query-control", ["registry", "search", "解放\x07碑", "--db", "{db}"], 2, "control"),
    C("reg-query-long", ["registry", "search", "解" * 5000, "--db", "{db}"], 2, "characters"),
    C("reg-query-percent", ["registry", "search", "%", "--db", "{db}"], (0, 1), ""),
    C("reg-query-underscore", ["registry", "search", "_", "--db", "{db}"], (0, 1), ""),
    C("reg-query-quote", ["registry", "search", "\"", "--db", "{db}"], (0, 1), ""),
    C("reg-query-fts-op", ["registry", "search", "jie AND NEAR(", "--db", "{db}"], (0, 1), ""),
    C("reg-query-sql", ["registry", "search", "'; DROP TABLE places; --", "--db", "{db}"], (0, 1), ""),
    C("reg-query-star", ["registry", "search", "*", "--db", "{db}"], (0, 1), ""),
    C("reg-query-empty", ["registry", "search", "", "--db", "{db}"], 2, ""),
    C("reg-search-dupes", "registry search 城关镇 --db {db}", 0, "500106"),
    C("reg-show-unknown", "registry show P9999999 --db {db}", 2, "P9999999"),
    C("reg-show-empty", ["registry", "show", "", "--db", "{db}"], 2, ""),
    C("reg-show-asof-bad", "registry show P0000001 --as-of 2023-02-30 --db {db}", 2, "2023-02-30"),
    C("reg-show-asof-early", "registry show P0000001 --as-of 0001-01-01 --db {db}", (1, 2), ""),
    C("reg-show-asof-late", "registry show P0000001 --as-of 9999-12-31 --db {db}", 0, "解放碑街道"),
    C("reg-import-twice", "registry import {in}/names-many.csv --db {db} --effective 2023-12-31", 0, "", twice=True,
      check_count=5 + 3000),
    C("reg-import-nul", "registry import {in}/names-nul.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-nul-lenient", "registry import {in}/names-nul.csv --db {db} --effective 2023-12-31", (0, 1), "rejected 2",
      check_count=6),
    C("reg-import-newline", "registry import {in}/names-newline.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-control", "registry import {in}/names-control.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-long", "registry import {in}/names-long.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-emptyname", "registry import {in}/names-emptyname.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-code-abc", "registry import {in}/names-code-abc.csv --db {db} --effective 2023-12-31 --strict", 2, "ABC"),
    C("reg-import-code-neg", "registry import {in}/names-code-neg.csv --db {db} --effective 2023-12-31 --strict", 2, "-1"),
    C("reg-import-code-exp", "registry import {in}/names-code-exp.csv --db {db} --effective 2023-12-31 --strict", 2, "1e5"),
    C("reg-import-code-space", "registry import {in}/names-code-space.csv --db {db} --effective 2023-12-31 --strict", 2, "50 01"),
    C("reg-import-code-long", "registry import {in}/names-code-long.csv --db {db} --effective 2023-12-31 --strict", 2, "1111111111111111111"),
    C("reg-import-code-float", "registry import {in}/names-code-float.csv --db {db} --effective 2023-12-31 --strict", 2, "500103.0"),
    C("reg-import-code-fullwidth", "registry import {in}/names-code-unicode-digits.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-code-lenient", "registry import {in}/names-code-abc.csv --db {db} --effective 2023-12-31", (0, 1), "ABC",
      check_count=6),
    C("reg-import-lonlat-nan", "registry import {in}/names-lonlat-nan.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-lonlat-inf", "registry import {in}/names-lonlat-inf.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-lonlat-range", "registry import {in}/names-lonlat-range.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-lonlat-text", "registry import {in}/names-lonlat-text.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-wkt-bad", "registry import {in}/names-wkt-bad.csv --db {db} --effective 2023-12-31 --strict", 2, "row"),
    C("reg-import-binary", "registry import {in}/names-binary.csv --db {db} --effective 2023-12-31", 2, ""),
    C("reg-import-header-only", "registry import {in}/names-header-only.csv --db {db} --effective 2023-12-31", (0, 2), ""),
    C("reg-import-latin1", "registry import {in}/names-latin1.csv --db {db} --effective 2023-12-31", 2, "encoding"),
    C("reg-import-nan-geojson", "registry import {in}/div-nan.geojson --db {db} --effective 2023-12-31 --strict", 2, "not finite"),
    C("reg-import-notype", "registry import {in}/div-notype-5.geojson --db {db} --effective 2023-12-31", 0, "38",
      check_count=5 + 38),
    C("reg-import-effective-bad", "registry import {in}/names-gbk.csv --db {db} --effective 2023-02-30", 2, "2023-02-30"),
    C("reg-import-batch-zero", "registry import {in}/names-gbk.csv --db {db} --effective 2023-12-31 --batch-size 0", 2, "--batch-size"),
    C("reg-import-batch-huge", "registry import {in}/names-gbk.csv --db {db} --effective 2023-12-31 --batch-size 99999999999999999999", (0, 2), ""),
    C("reg-import-map-bad", "registry import {in}/names-gbk.csv --db {db} --effective 2023-12-31 --map name", 2, "--map"),
    C("reg-import-map-field", "registry import {in}/names-gbk.csv --db {db} --effective 2023-12-31 --map colour=name", 2, "colour"),
    C("reg-import-map-col", "registry import {in}/names-gbk.csv --db {db} --effective 2023-12-31 --map name=nope", 2, "nope"),
    C("reg-import-crs-bad", "registry import {in}/names-lonlat-range.csv --db {db} --effective 2023-12-31 --crs EPSG:0", 2, "EPSG:0"),
    C("reg-import-format-lpf", "registry import {in}/names-gbk.csv --db {db} --effective 2023-12-31 --format lpf", 2, ""),
    C("reg-import-rejected-dir", "registry import {in}/names-nul.csv --db {db} --effective 2023-12-31 --rejected-out {tmp}/no/r.csv", 2, "no"),
    C("reg-import-authority-nul", ["registry", "import", "{in}/names-gbk.csv", "--db", "{db}", "--effective", "2023-12-31", "--authority", "重庆\x07"], 2, "--authority"),
    C("reg-rename-newline", ["registry", "rename", "P0000001", "解放\n碑", "--effective", "2024-05-01", "--db", "{db}"], 2, "control"),
    C("reg-rename-control", ["registry", "rename", "P0000001", "解放\x1b[31m碑", "--effective", "2024-05-01", "--db", "{db}"], 2, "control"),
    C("reg-rename-long", ["registry", "rename", "P0000001", "解" * 1000, "--effective", "2024-05-01", "--db", "{db}"], 2, "characters"),
    C("reg-rename-empty", ["registry", "rename", "P0000001", "", "--effective", "2024-05-01", "--db", "{db}"], 2, "empty"),
    C("reg-rename-blank", ["registry", "rename", "P0000001", "   ", "--effective", "2024-05-01", "--db", "{db}"], 2, "empty"),
    C("reg-rename-unknown", "registry rename P9999999 新名 --effective 2024-05-01 --db {db}", 2, "P9999999"),
    C("reg-rename-date", "registry rename P0000001 新名街道 --effective 24-05-01 --db {db}", 2, "24-05-01"),
    C("reg-rename-before", "registry rename P0000001 新名街道 --effective 1900-01-01 --db {db}", 2, ""),
    C("reg-rename-romanization", ["registry", "rename", "P0000001", "新名街道", "--romanization", "X\x00", "--effective", "2024-05-01", "--db", "{db}"], 2, ""),
    C("reg-merge-unknown", "registry merge P0000001 P9999999 --into 新街道 --effective 2024-05-01 --db {db}", 2, "P9999999"),
    C("reg-merge-same", "registry merge P0000001 P0000001 --into 新街道 --effective 2024-05-01 --db {db}", 2, "P0000001"),
    C("reg-merge-code", "registry merge P0000001 P0000002 --into 新街道 --division-code ABC --effective 2024-05-01 --db {db}", 2, "ABC"),
    C("reg-merge-into-empty", ["registry", "merge", "P0000001", "P0000002", "--into", "", "--effective", "2024-05-01", "--db", "{db}"], 2, "empty"),
    C("reg-split-into-control", ["registry", "split", "P0000001", "--into", "甲\t乙", "--into", "丙", "--effective", "2024-05-01", "--db", "{db}"], 2, "control"),
    C("reg-retire-twice", "registry retire P0000001 --effective 2024-05-01 --db {db}", 2, "P0000001", twice=True),
    C("reg-history-unknown", "registry history P9999999 --db {db}", 2, "P9999999"),
    C("reg-export-missing-dir", "registry export {tmp}/no/x.csv --db {db}", 2, "no"),
    C("reg-export-format", "registry export {tmp}/x.txt --db {db}", (0, 2), ""),
    C("reg-export-asof", "registry export {tmp}/x.csv --as-of 2023-13-01 --db {db}", 2, "2023-13-01"),
    C("reg-check-ok", "registry check --db {db}", 0, ""),
    C("reg-init-other-crs", "registry init --db {db} --crs EPSG:4326", 2, "EPSG:4490"),
    C("reg-init-other-prefix", "registry init --db {db} --id-prefix Q", 2, "prefix"),
    C("reg-init-same", "registry init --db {db}", 0, ""),
    C("heritage-impact-empty", "heritage impact --merge 500103,500108 --into 500199 --divisions {cq}/divisions.geojson --db {db} --out {tmp}/r -q", 0, "heritage", stdout_or_err=True),
    C("heritage-add-batch-huge", "heritage add --list L --place P0000001 --batch 99999999999999999999 --db {db}", 2, "--batch"),
    C("heritage-add-on-bad", "heritage add --list L --place P0000001 --on 2023-02-30 --db {db}", 2, "2023-02-30"),
    C("heritage-add-name-nul", ["heritage", "add", "--list", "L", "--place", "P0000001", "--name", "解\x07放", "--db", "{db}"], 2, "control"),
    C("heritage-impact-margin-nan", "heritage impact --retire P0000001 --area {cq}/divisions.geojson --margin nan --db {db} --out {tmp}/r -q", 2, "--margin"),
    C("heritage-impact-margin-inf", "heritage impact --retire P0000001 --area {cq}/divisions.geojson --margin inf --db {db} --out {tmp}/r -q", 2, "--margin"),
    C("heritage-impact-margin-neg", "heritage impact --retire P0000001 --area {cq}/divisions.geojson --margin -1 --db {db} --out {tmp}/r -q", 2, "--margin"),
    C("heritage-impact-merge-abc", "heritage impact --merge ABC,500108 --into 500199 --db {db} --out {tmp}/r -q", 2, "ABC"),
    C("heritage-impact-area-nan", "heritage impact --area {in}/div-nan.geojson --db {db} --out {tmp}/r -q", 2, "not finite"),
    C("heritage-check-maxbreak-nan", "heritage check --max-break nan --db {db} --out {tmp}/r -q", 2, "--max-break"),
    C("heritage-check-maxbreak-neg", "heritage check --max-break -1 --db {db} --out {tmp}/r -q", 2, "--max-break"),
    C("heritage-check-minyears-huge", "heritage check --min-years 99999999999999999999 --db {db} --out {tmp}/r -q", 2, "--min-years"),
    C("heritage-check-through", "heritage check --through -5 --db {db} --out {tmp}/r -q", 2, "--through"),
    C("heritage-notice-unknown", "heritage notice NOPE-0001 --start 2024-01-01 --end 2024-02-01 --db {db}", 2, "NOPE-0001"),
    C("heritage-delist-unknown", "heritage delist NOPE-0001 --on 2024-01-01 --reason x --db {db}", 2, "NOPE-0001"),
    C("heritage-export-missing-dir", "heritage export --out /proc/nope --db {db}", 2, ""),
]

# Register cases on special targets (GeoPackage only, or PostGIS only).
SPECIAL = [
    C("ro-search", "registry search 解放碑 --db {ro}", 0, "解放碑街道"),
    C("ro-show", "registry show P0000001 --db {ro}", 0, "解放碑街道"),
    C("ro-check", "registry check --db {ro}", 0, ""),
    C("ro-import", "registry import {in}/names-gbk.csv --db {ro} --effective 2023-12-31", 2, "read-only"),
    C("ro-rename", "registry rename P0000001 新名街道 --effective 2024-05-01 --db {ro}", 2, "read-only"),
    C("ro-heritage-add", "heritage add --list L --place P0000001 --db {ro}", 2, "read-only"),
    C("ro-init", "registry init --db {ro}", (0, 2), ""),
    C("nonreg-search", "registry search x --db {nonreg}", 2, "not a geonames register"),
    C("nonreg-init", "registry init --db {nonreg}", 2, "not a geonames register"),
    C("nonreg-import", "registry import {in}/names-gbk.csv --db {nonreg} --effective 2023-12-31", 2, "not a geonames register"),
    C("nonreg-heritage-list", "heritage list --db {nonreg}", 2, "not a geonames register"),
    C("missing-search", "registry search x --db {tmp}/none.gpkg", 2, "no such register", absent="{tmp}/none.gpkg"),
    C("missing-show", "registry show P1 --db {tmp}/none.gpkg", 2, "no such register", absent="{tmp}/none.gpkg"),
    C("missing-check", "registry check --db {tmp}/none.gpkg", 2, "no such register", absent="{tmp}/none.gpkg"),
    C("missing-export", "registry export {tmp}/x.csv --db {tmp}/none.gpkg", 2, "no such register", absent="{tmp}/none.gpkg"),
    C("missing-heritage-check", "heritage check --db {tmp}/none.gpkg --out {tmp}/r -q", 2, "no such register", absent="{tmp}/none.gpkg"),
    C("db-garbage", "registry search x --db {in}/garbage.gpkg", 2, "not a GeoPackage"),
    C("db-dir", "registry search x --db {tmp}", 2, ""),
    C("db-txt", "registry search x --db {in}/empty.txt", 2, ""),
    C("locked-import", "registry import {in}/names-gbk.csv --db {locked} --effective 2023-12-31 --wait 2", 2, "locked", lock=True, max_seconds=20),
    C("locked-rename", "registry rename P0000001 新名街道 --effective 2024-05-01 --db {locked} --wait 1", 2, "locked", lock=True, max_seconds=20),
    C("locked-search", "registry search 解放碑 --db {locked} --wait 1", (0, 2), "", lock=True, max_seconds=20),
    C("pg-bad-schema-search", "registry search x --db {pgbad}", 2, "schema", no_password=True, schema_absent=True),
    C("pg-bad-schema-show", "registry show P1 --db {pgbad}", 2, "schema", no_password=True, schema_absent=True),
    C("pg-bad-schema-check", "registry check --db {pgbad}", 2, "schema", no_password=True, schema_absent=True),
    C("pg-bad-password", "registry search x --db {pgwrongpw}", 2, "", no_password=True),
    C("pg-bad-host", "registry search x --db postgresql://u:secretpw@127.0.0.1:1/db", 2, "cannot connect", no_password=True, process=True),
    C("pg-norights-search", "registry search 解放碑 --db {pgro}", 0, "解放碑街道"),
    C("pg-norights-check", "registry check --db {pgro}", 0, ""),
    C("pg-norights-rename", "registry rename P0000001 新名街道 --effective 2024-05-01 --db {pgro}", 2, "permission", no_password=True),
    C("pg-norights-import", "registry import {in}/names-gbk.csv --db {pgro} --effective 2023-12-31", 2, "permission", no_password=True),
    C("pg-nul-import", "registry import {in}/names-nul.csv --db {pgdb} --effective 2023-12-31 --strict", 2, "row"),
]


# --------------------------------------------------------------------------- the runner

CQ = FIXTURES / "chongqing"
PLACES = ("code,name,lon,lat\n500103001,解放碑街道,106.578,29.557\n"
          "500103002,七星岗街道,106.565,29.558\n500103003,朝天门街道,106.585,29.565\n"
          "500106001,城关镇,106.40,29.60\n500107001,城关镇,106.45,29.50\n")


def _preload() -> None:
    """Import every command module once, so forked cases start at once."""
    import importlib

    from geonames.cli import COMMANDS

    for spec in COMMANDS.values():
        importlib.import_module(spec.split(":")[0])
    import datetime

    datetime.datetime.strptime("2024-05-01", "%Y-%m-%d")  # loads _strptime before any setuid
    for module in ("geonames.registry.gpkg", "geonames.registry.postgis",
                   "geonames.registry.exchange", "geonames.heritage.register"):
        importlib.import_module(module)


@pytest.fixture(scope="module")
def world():
    """Hostile files, a seeded register, a read-only copy, a GeoPackage that is no register."""
    _preload()
    base = Path(tempfile.mkdtemp(prefix="geonames-hostile-"))
    os.chmod(base, 0o755)
    make_inputs(base / "in")
    (base / "places.csv").write_text(PLACES, "utf-8")
    seed = base / "seed.gpkg"
    for args in (["registry", "init", "--db", str(seed)],
                 ["registry", "import", str(base / "places.csv"), "--db", str(seed),
                  "--effective", "2023-12-31"]):
        rc, _, err, _ = run_cli(args, base, timeout=300)
        assert rc == 0, err
    ro = base / "ro"
    ro.mkdir()
    shutil.copy(seed, ro / "ro.gpkg")
    os.chmod(ro / "ro.gpkg", 0o444)
    os.chmod(ro, 0o555)
    rodir = base / "rodir"
    rodir.mkdir()
    os.chmod(rodir, 0o555)
    import fiona

    with fiona.open(CQ / "divisions.geojson") as src, fiona.open(
            base / "nonreg.gpkg", "w", driver="GPKG", schema=src.schema, crs=src.crs,
            layer="divisions") as dst:
        dst.writerecords(src)
    os.chmod(base / "in", 0o755)
    state = {"base": base, "seed": seed, "in": base / "in", "ro": ro / "ro.gpkg",
             "nonreg": base / "nonreg.gpkg", "rodir": rodir}
    yield state
    if "pg" in state:
        _admin(state["pg"][0].split("?")[0], f'DROP SCHEMA IF EXISTS "{state["pg"][1]}" CASCADE')
    for folder in (ro, rodir):
        os.chmod(folder, 0o755)
    shutil.rmtree(base, ignore_errors=True)


def _expand(text: str, m: dict) -> str:
    for key, value in m.items():
        text = text.replace("{" + key + "}", str(value))
    return text


_counter = [0]
#: Cases that only read the register: on PostGIS they share one seeded schema.
READ_ONLY = ("reg-near", "reg-bbox", "reg-limit", "reg-query", "reg-show", "reg-history",
             "reg-export", "reg-check", "reg-search", "heritage-impact", "heritage-check")


def _pg_seed(world, url: str, tag: str) -> tuple[str, str]:
    """A fresh schema holding the five places; (URL, schema)."""
    _counter[0] += 1
    schema = re.sub(r"\W", "_", f"hostile_{tag}_{os.getpid()}_{_counter[0]}").lower()[:60]
    target = f"{url}?schema={schema}"
    for args in (["registry", "init", "--db", target],
                 ["registry", "import", str(world["base"] / "places.csv"), "--db", target,
                  "--effective", "2023-12-31"]):
        rc, _, err, _ = run_cli(args, world["base"], timeout=300)
        assert rc == 0, err
    return target, schema


def _admin(url: str, sql: str, params: tuple = ()) -> list:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(sql, params or None)
        return cur.fetchall() if cur.description else []


def _places(target: str) -> int:
    from geonames.registry import Registry

    with Registry.open(target, create=False) as reg:
        return reg.count()


def check_case(case: dict, world, backend: str | None = None, pg_url: str | None = None):
    tmp = Path(tempfile.mkdtemp(dir=world["base"]))
    os.chmod(tmp, 0o777)
    m = {"in": world["in"], "cq": CQ, "tmp": tmp, "ro": world["ro"], "nonreg": world["nonreg"],
         "rodir": world["rodir"]}
    joined = " ".join(case["args"])
    schemas: list[str] = []
    if backend == "gpkg":
        shutil.copy(world["seed"], tmp / "reg.gpkg")
        m["db"] = tmp / "reg.gpkg"
    elif backend == "pg" and case["id"].startswith(READ_ONLY):
        if "pg" not in world:  # one seeded schema for the cases that only read
            world["pg"] = _pg_seed(world, pg_url, "shared")
        m["db"] = world["pg"][0]
    elif backend == "pg":
        m["db"], schema = _pg_seed(world, pg_url, case["id"])
        schemas.append(schema)
    if pg_url and ("{pgro}" in joined or "{pgdb}" in joined or "{pgbad}" in joined
                   or "{pgwrongpw}" in joined):
        host = pg_url.split("@", 1)[1].split("?")[0]
        _admin(pg_url, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
                       "'hostile_reader') THEN CREATE ROLE hostile_reader LOGIN PASSWORD "
                       "'Reader-pw-17'; END IF; IF NOT EXISTS (SELECT FROM pg_roles WHERE "
                       "rolname = 'hostile_writer') THEN CREATE ROLE hostile_writer LOGIN "
                       "PASSWORD 'Writer-pw-17'; END IF; END $$")
        dbname = host.rsplit("/", 1)[1]
        _admin(pg_url, f'GRANT CREATE ON DATABASE "{dbname}" TO hostile_writer')
        m["pgbad"] = f"postgresql://hostile_writer:Writer-pw-17@{host}?schema=no_such_schema_17"
        m["pgwrongpw"] = f"postgresql://hostile_writer:Wrong-pw-17@{host}"
        if "{pgro}" in joined or "{pgdb}" in joined:
            m["pgdb"], schema = _pg_seed(world, pg_url, case["id"])
            schemas.append(schema)
            _admin(pg_url, f"GRANT USAGE ON SCHEMA {schema} TO hostile_reader; GRANT SELECT ON "
                           f"ALL TABLES IN SCHEMA {schema} TO hostile_reader")
            m["pgro"] = f"postgresql://hostile_reader:Reader-pw-17@{host}?schema={schema}"
    locker = None
    if case.get("lock"):
        shutil.copy(world["seed"], tmp / "locked.gpkg")
        m["locked"] = tmp / "locked.gpkg"
        locker = subprocess.Popen(
            [sys.executable, "-c", "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], "
             "isolation_level=None); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); "
             "time.sleep(120)", str(m["locked"])], stdout=subprocess.PIPE, text=True)
        assert locker.stdout.readline().strip() == "locked"
    for name, content in case.get("files", {}).items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        content = _expand(content, m)
        if content.startswith("@"):
            shutil.copy(content[1:], path)
        else:
            path.write_text(content, "utf-8")
    if case.get("nan_csv"):
        path = tmp / case["nan_csv"]
        rows = path.read_text("utf-8").splitlines()
        cells = rows[1].split(",")
        cells[-1] = "nan"
        rows[1] = ",".join(cells)
        path.write_text("\n".join(rows) + "\n", "utf-8")
    args = [_expand(a, m) for a in case["args"]]
    as_nobody = os.geteuid() == 0 and ("{ro}" in joined or "{rodir}" in joined)
    cwd = Path(case["cwd"]) if case.get("cwd") else tmp
    if as_nobody or locker is not None or case.get("process"):
        def run(args, cwd, timeout=TIMEOUT):
            return run_forked(args, cwd, timeout, as_nobody=as_nobody)
    else:
        run = run_cli
    try:
        if case.get("twice"):
            run(args, cwd)
        rc, out, err, secs = run(args, cwd, timeout=case.get("max_seconds", TIMEOUT))
    finally:
        if locker is not None:
            locker.kill()
            locker.wait()
    try:
        said = f"exit {rc} in {secs:.1f} s\nstdout: {out[-1500:]}\nstderr: {err[-1500:]}"
        assert rc != "HANG", f"hung (killed after {secs:.0f} s)"
        assert "Traceback" not in err, said
        assert "Warning: " not in err, said  # a Python warning is a second line on stderr
        assert rc != 3 and "Internal error" not in err, said
        allowed = case["rc"] if isinstance(case["rc"], tuple) else (case["rc"],)
        assert rc in allowed, said
        errors = [line for line in err.splitlines() if line.startswith("Error:")]
        frag = _expand(case["frag"], m).lower()
        if rc == 2:
            assert len(errors) == 1, said
            assert frag in errors[0].lower(), said
        elif frag:
            assert frag in (out + err).lower(), said
        if case.get("no_password"):
            for secret in ("Writer-pw-17", "Reader-pw-17", "Wrong-pw-17", "secretpw"):
                assert secret not in out + err, said
        if case.get("schema_absent") and pg_url:
            assert not _admin(pg_url, "SELECT 1 FROM pg_namespace WHERE nspname = "
                                      "'no_such_schema_17'"), "a read command created a schema"
        if case.get("absent"):
            assert not Path(_expand(case["absent"], m)).exists(), "a read command created it"
        if case.get("check_count") and backend:
            assert _places(str(m["db"])) == case["check_count"]
        if case.get("finding"):
            text = (tmp / "r" / "findings.csv").read_text("utf-8")
            assert case["finding"] in text, text[:2000]
        if case.get("same_as"):
            ref = [_expand(a, m) for a in case["same_as"].split()]
            rc_ref, _, err_ref, _ = run(ref, cwd)
            assert rc_ref == rc, err_ref
            mine = (tmp / "r" / "summary.json").read_text("utf-8")
            theirs = (tmp / "ref" / "summary.json").read_text("utf-8")
            assert _counts(mine) == _counts(theirs)
    finally:
        if pg_url:
            for schema in schemas:
                _admin(pg_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            _admin(pg_url, "DROP SCHEMA IF EXISTS no_such_schema_17 CASCADE")


def _counts(summary_json: str) -> dict:
    import json

    doc = json.loads(summary_json)
    return {k: v for k, v in doc.items() if k in ("counts", "findings", "by_code", "tally")}


def _ids(cases: list[dict]) -> list[str]:
    return [c["id"] for c in cases]


def test_the_table_is_large_and_ids_unique():
    ids = _ids(CASES) + _ids(REG) + _ids(SPECIAL)
    assert len(ids) == len(set(ids))
    assert len(CASES) + 2 * len(REG) + len(SPECIAL) >= 150


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_hostile_input(case, world):
    check_case(case, world)


@pytest.mark.parametrize("case", REG, ids=_ids(REG))
def test_hostile_register_gpkg(case, world):
    check_case(case, world, "gpkg")


@pytest.mark.postgis
@pytest.mark.parametrize("case", REG, ids=_ids(REG))
def test_hostile_register_postgis(case, world, postgis_url):
    check_case(case, world, "pg", postgis_url)


GPKG_ONLY = [c for c in SPECIAL if not c["id"].startswith("pg-")]
PG_ONLY = [c for c in SPECIAL if c["id"].startswith("pg-")]


@pytest.mark.parametrize("case", GPKG_ONLY, ids=_ids(GPKG_ONLY))
def test_hostile_register_target(case, world):
    check_case(case, world)


@pytest.mark.postgis
@pytest.mark.parametrize("case", PG_ONLY, ids=_ids(PG_ONLY))
def test_hostile_postgis_target(case, world, postgis_url):
    check_case(case, world, None, postgis_url)
