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
    status: str            # reproduced / missed / out of range / not in the lists
    detail: str = ""


def _name_on(log, code: str, day: date) -> str:
    ident = log.identity_on(code, day)
    return ident.name_on(day) if ident is not None else ""


def same_name(listed: str, given: str) -> bool:
    """The list's name and the change list's name are the same: equal, or equal proper names
    with the same generic (the change list writes 金秀县 for 金秀瑶族自治县)."""
    from geonames.divisions.history import proper_name

    if listed == given:
        return True
    return (proper_name(listed) == proper_name(given) != ""
            and listed[-1:] == given[-1:])


def find_code(codes: dict[str, str], name: str, parents: tuple[str, ...],
              prefecture: bool) -> str | None:
    """The code named ``name`` (see :func:`same_name`) under a parent named one of
    ``parents``, in one code list."""
    from geonames.divisions.history import level_of, structural_parent

    found = sorted(c for c, n in codes.items() if same_name(n, name)
                   and (level_of(c) == "prefecture") == prefecture
                   and (prefecture or codes.get(structural_parent(c), "") in parents))
    return found[0] if found else None


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
                                   f"{before.label}"))
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
        out.append(Outcome(ch, "reproduced" if ok else "missed",
                           f"{code} {ch.old[-1]} on {before.date} → {given} on {to_day}"))
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
