#!/usr/bin/env python3
"""Replay an independent list of real division changes against the division history.

The list is ``../shared/data/names/jionlp-location-changes.txt`` (PyPI ``jionlp==1.5.31``,
Apache-2.0): a decision date, the approving level, and the old and new (province, prefecture,
county) names. For each change inside the history's dates:

1. find the old unit's code: the code that had the old name under the old prefecture in the
   last code list before the decision (a name the lists never carry is "not in the lists");
2. translate it from that list's date to one year after the decision (or the last list);
3. the change is *reproduced* when one of the resulting codes carries the new name then,
   under the new prefecture.

A change whose new name the list misspells with a homophone (云岗区 for the official 云冈区:
the same reading, another character) is *reproduced* when the history gives the official name
and the official name is one of the list's known errors (:data:`ERRATA`, with its evidence):
the list and the history name the same change. Any other known error makes a change *list
wrong*.

A change the history does not reproduce is *list wrong* only when it is one of the list's
known errors (:data:`ERRATA`: each names the official name and the official code list and
announcement that give it), the history gives the unit under its official name, and no code
list ever carries the list's name under that prefecture; it is not counted as reproduced.
Every other change not reproduced is *missed* (or *not in the lists*: the old unit has no code
in any list).

Prints the tally, then every change not reproduced with what the history gave instead.

    python3 scripts/eval_history.py [--revisions FILE] [--events FILE …] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

JIONLP = ROOT.parent / "shared" / "data" / "names" / "jionlp-location-changes.txt"


@dataclass(frozen=True)
class Change:
    """One line of the jionlp list."""

    line: int
    day: date
    level: str
    old: tuple[str, ...]     # province, prefecture[, county] (full names)
    new: tuple[str, ...]

    def text(self) -> str:
        return f"{self.day} {'/'.join(self.old)} => {'/'.join(self.new)}"


def read_changes(path: Path) -> list[Change]:
    out, seen = [], set()
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        left, right = raw.split("=>", 1)
        lf, rf = left.split("\t"), right.split("\t")
        old = tuple(lf[2::2]) if len(lf) > 6 else (lf[2], lf[4])
        change = Change(n, date.fromisoformat(lf[0]), lf[1], old, tuple(rf))
        key = (change.day, change.old, change.new)
        if key in seen:
            continue                       # the list repeats a few lines
        seen.add(key)
        out.append(change)
    return out


@dataclass
class Outcome:
    change: Change
    status: str            # reproduced / missed / list wrong / out of range / not in the lists
    detail: str = ""


@dataclass(frozen=True)
class Erratum:
    """A change the jionlp list names wrongly: ``old`` → ``listed`` is really ``old`` →
    ``official``, as ``evidence`` (an official code list and the announcement) shows."""

    old: str
    listed: str
    official: str
    evidence: str


_DATONG = ("GB/T 2260 revision 201810 lists 140214 云冈区; the State Council approval of "
           "2018-02-09 reads 设立大同市云冈区 (澎湃新闻, reprinted by 0352房网 2018-03-22, "
           "https://www.0352fang.com/datongloupan/xinwen/631262_1.html)")

#: The list's known errors (checked against the official code lists and announcements).
ERRATA: tuple[Erratum, ...] = (
    Erratum("玉环县", "玉环区", "玉环市",
            "GB/T 2260 revision 201810 lists 331083 玉环市, a county-level city; 民政部 as "
            "reported by 浙江在线 2017-04-12: 经国务院批准，同意撤销玉环县，设立县级玉环市 "
            "(http://js.zjol.com.cn/ycxw_zxtf/201704/t20170412_3448242.shtml)"),
    Erratum("南郊区", "云岗区", "云冈区", _DATONG),
    Erratum("矿区", "云岗区", "云冈区", _DATONG),
    Erratum("带岭区", "大菁山县", "大箐山县",
            "the NBS statistical codes as of 2019-10-31 list 230725 大箐山县 (箐, not 菁)"),
    Erratum("凤翔县", "凤翔市", "凤翔区",
            "the NBS statistical codes as of 2022-10-31 list 610305 凤翔区, a district; "
            "陕西省人民政府, 2021-01-29: 国务院批复同意撤销凤翔县，设立宝鸡市凤翔区 "
            "(网易新闻 2021-02-02, https://news.163.com/21/0202/14/G1RA6FTH00019K82.html)"),
)


def erratum_for(change: Change) -> Erratum | None:
    """The known error of the list in ``change``, if any."""
    for e in ERRATA:
        if (e.old, e.listed) == (change.old[-1], change.new[-1]):
            return e
    return None


def ever_listed(revisions, name: str, prefecture: str) -> bool:
    """True when some code list carries ``name`` on a code under ``prefecture`` (4 digits)."""
    return any(c.startswith(prefecture) and n == name
               for r in revisions for c, n in r.codes.items())


def judge_miss(change: Change, names: dict[str, str], revisions) -> Outcome | None:
    """A missed change as *list wrong*, when it is a known error of the list (:data:`ERRATA`),
    the history gave the official name (``names``: code → name after the change) and no list
    ever carried the list's name there; else None (the change stays missed)."""
    erratum = erratum_for(change)
    if erratum is None:
        return None
    hits = [c for c, n in names.items() if n == erratum.official]
    if not hits or ever_listed(revisions, erratum.listed, hits[0][:4]):
        return None
    if homophones(erratum.listed, erratum.official):
        return Outcome(change, "reproduced",
                       f"the history gives {hits[0]} {erratum.official}; the list writes "
                       f"{erratum.listed}, a homophone: {erratum.evidence}")
    return Outcome(change, "list wrong",
                   f"the history gives {hits[0]} {erratum.official}; the list writes "
                   f"{erratum.listed}, which no code list carries under {hits[0][:4]}00: "
                   f"{erratum.evidence}")


def homophones(listed: str, official: str) -> bool:
    """Two different names of the same length read alike in Mandarin (tones aside).

    >>> homophones("云岗区", "云冈区"), homophones("大菁山县", "大箐山县")
    (True, False)
    """
    from pypinyin import lazy_pinyin

    return (listed != official and len(listed) == len(official)
            and lazy_pinyin(listed) == lazy_pinyin(official))


def _name_on(log, code: str, day: date) -> str:
    ident = log.identity_on(code, day)
    return ident.name_on(day) if ident is not None else ""


def same_name(listed: str, given: str) -> bool:
    """The list's name and the change list's name are the same: equal, or equal proper names
    with the same generic (the change list writes 金秀县 for 金秀瑶族自治县)."""
    from geonames.divisions.history import proper_name

    if listed == given:
        return True
    # the cheap tests first: equal proper names start with the same character
    return (listed[:1] == given[:1] and listed[-1:] == given[-1:]
            and proper_name(listed) == proper_name(given) != "")


def find_code(codes: dict[str, str], name: str, parents: tuple[str, ...],
              prefecture: bool) -> str | None:
    """The code named ``name`` (see :func:`same_name`) under a parent named one of
    ``parents``, in one code list."""
    from geonames.divisions.history import level_of, structural_parent

    found = sorted(c for c, n in codes.items() if same_name(n, name)
                   and (level_of(c) == "prefecture") == prefecture
                   and (prefecture or codes.get(structural_parent(c), "") in parents))
    return found[0] if found else None


def _origin(log, code: str | None, day: date) -> str:
    """``; the history: <the event that started code>`` when the history has one."""
    if code is None or log.identity_on(code, day) is None:
        return ""
    _, events = log.history(code)
    started = [e for e in events if code in e.new_codes and e.date <= day]
    if not started:
        return ""
    e = started[-1]
    return f"; the history: {e.describe()} [{e.reference}]" + (f" ({e.note})" if e.note else "")


def replay(changes: list[Change], revisions, log) -> list[Outcome]:
    """Replay each change (see the module docstring)."""
    from geonames.divisions.history import structural_parent

    revs = sorted(revisions, key=lambda r: r.date)
    first, last = revs[0].date, revs[-1].date
    out = []
    for ch in changes:
        if not (first < ch.day <= last + timedelta(days=31)):
            out.append(Outcome(ch, "out of range",
                               f"outside the code lists ({revs[0].label}–{revs[-1].label})"))
            continue
        before = [r for r in revs if r.date < ch.day.replace(day=1)][-1]
        later = [r.date for r in revs if r.date >= ch.day + timedelta(days=366)]
        to_day = later[0] if later else last
        prefecture = len(ch.old) == 2
        code = find_code(before.codes, ch.old[-1], ch.old[:-1], prefecture)
        if code is None:
            # the change list may give the new name on the old side (襄樊市/襄州区, renamed
            # from 襄阳区 that day): check backwards from the new unit instead
            after = [r for r in revs if r.date <= to_day][-1]
            new_code = find_code(after.codes, ch.new[-1], ch.new[:-1], prefecture)
            if ch.old[-1] != ch.new[-1] or new_code is None or \
                    log.identity_on(new_code, to_day) is None:
                out.append(Outcome(ch, "not in the lists",
                                   f"no code named {ch.old[-1]} under {ch.old[-2]} in revision "
                                   f"{before.label}{_origin(log, new_code, to_day)}"))
                continue
            back = log.translate(new_code, to_day, before.date)
            ok = [c for c in back if prefecture or
                  _name_on(log, structural_parent(c), before.date) in ch.old[:-1]]
            given = ", ".join(f"{c} {_name_on(log, c, before.date)}" for c in back) or "nothing"
            out.append(Outcome(ch, "reproduced" if ok else "missed",
                               f"{new_code} {ch.new[-1]} on {to_day} ← {given} on "
                               f"{before.date} (checked backwards)"))
            continue
        try:
            got = log.translate(code, before.date, to_day)
        except Exception as err:  # noqa: BLE001 - reported as the reason
            out.append(Outcome(ch, "missed", f"{code}: {err}"))
            continue
        names = {c: _name_on(log, c, to_day) for c in got}
        ok = [c for c, n in names.items() if same_name(n, ch.new[-1]) and (
            prefecture or _name_on(log, structural_parent(c), to_day) in ch.new[:-1])]
        given = ", ".join(f"{c} {n}" for c, n in names.items()) or "nothing"
        outcome = Outcome(ch, "reproduced" if ok else "missed",
                          f"{code} {ch.old[-1]} on {before.date} → {given} on {to_day}")
        judged = None if ok else judge_miss(ch, names, revs)
        if judged is not None:
            judged.detail = f"{outcome.detail}: {judged.detail}"
        out.append(judged or outcome)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--changes", type=Path, default=JIONLP)
    parser.add_argument("--revisions", action="append", default=None, metavar="FILE",
                        help="revisions file(s); default: the shipped national code lists")
    parser.add_argument("--events", action="append", default=None, metavar="FILE",
                        help="events file(s); default: every shipped events file")
    parser.add_argument("--no-events", action="store_true",
                        help="what the code lists alone show")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from geonames.divisions import history_io as hio

    paths = args.revisions or hio.national_revisions()
    revisions = hio.load_revisions(paths)
    events = [] if args.no_events else (args.events or hio.default_events())
    log = hio.load_log(paths, events)
    outcomes = replay(read_changes(args.changes), revisions, log)
    gb_end = max(r.date for r in revisions if not r.source)
    periods = {
        f"GB/T 2260 revisions (to {gb_end:%Y-%m})": [o for o in outcomes
                                                     if o.change.day < gb_end + timedelta(31)],
        "statistical lists after them": [o for o in outcomes
                                         if o.change.day >= gb_end + timedelta(31)],
    }
    summary = {}
    for title, group in periods.items():
        tally: dict[str, int] = {}
        for o in group:
            tally[o.status] = tally.get(o.status, 0) + 1
        summary[title] = tally
    if args.json:
        print(json.dumps({"tally": summary,
                          "outcomes": [{"line": o.change.line, "change": o.change.text(),
                                        "status": o.status, "detail": o.detail}
                                       for o in outcomes]}, ensure_ascii=False, indent=2))
        return 0
    for title, tally in summary.items():
        in_range = sum(n for s, n in tally.items() if s != "out of range")
        listed = in_range - tally.get("not in the lists", 0)
        print(f"{title}: {tally.get('reproduced', 0)} of {in_range} changes reproduced "
              f"({listed} of them about units the lists carry; "
              f"{', '.join(f'{n} {s}' for s, n in sorted(tally.items()))})")
    for o in outcomes:
        if o.status not in ("reproduced", "out of range"):
            print(f"  line {o.change.line}: {o.change.text()}: {o.status}: {o.detail}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
