#!/usr/bin/env python3
"""Benchmark: romanize real place names and lint a large synthetic name list.

1. Romanize every township name of the NBS 2023 table and every Chongqing village name with
   :func:`geonames.names.romanize.romanize_many` (caches empty at the start; the per-name
   :func:`~geonames.names.romanize.romanize` loop is printed too), timed against bare
   ``pypinyin.lazy_pinyin`` on the same names in the same run (the floor). Target: ratio <= 1.0.
2. Lint a list of N names (default 600,000) made by repeating the real township and village
   names across synthetic divisions (see :func:`synthetic`), with
   :func:`geonames.names.lint.lint_names` from cold caches.
   Target: <= 30 s; then 2N, where the time should at most double.

    python scripts/bench_names.py [--names 600000] [--no-double]

Run it once or twice, not in a loop: the machine is shared.
"""

from __future__ import annotations

import argparse
import csv
import gc
import time
from pathlib import Path

from pypinyin import lazy_pinyin

from geonames.findings import count_by_code
from geonames.names.lint import default_rules, lint_names
from geonames.names.romanize import clear_caches, romanize, romanize_many

NAMES = Path(__file__).resolve().parents[2] / "shared" / "data" / "names"
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
    args = parser.parse_args()

    townships = read("nbs2023-townships.csv")
    villages = read("nbs2023-villages-chongqing.csv")
    names = [n for _, n in townships] + [n for _, n in villages]

    # warm both libraries on a name outside the list (imports, dictionaries, tables)
    lazy_pinyin("预热")
    romanize("预热测试")
    default_rules()
    clear_caches()

    start = time.perf_counter()
    floor = [lazy_pinyin(n) for n in names]
    t_floor = time.perf_counter() - start
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
    assert len(floor) == len(ours)
    print(f"romanize {len(names):,} real names ({len(townships):,} townships + "
          f"{len(villages):,} Chongqing villages; {len(set(names)):,} distinct)")
    print(f"  pypinyin.lazy_pinyin (floor) {t_floor:7.3f} s  {1e6 * t_floor / len(names):6.1f} µs/name")
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
