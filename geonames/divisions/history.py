"""Division history: a change log, the lineage of codes, and queries by date.

A :class:`DivisionLog` is built from :class:`~geonames.divisions.events.DivisionEvent`\\ s (and,
optionally, the divisions that existed before the records start). It holds one
:class:`~geonames.divisions.events.CodeIdentity` per division per code, and a lineage graph whose
edges join identities through recodes, merges, splits and re-parentings.

* :meth:`DivisionLog.translate` — the code(s) a division had on another date: a merged county
  maps to the new unit, a split one to all successors, and backwards to the predecessors.
* :meth:`DivisionLog.as_of` — the divisions that existed on a date, with names and parents.
* :meth:`DivisionLog.history` — every identity and event of one code.

Events come from two places:

* :func:`infer_events` compares successive code lists (GB/T 2260 revisions) and infers what a
  list can show: established, abolished, renamed, and recoded (a name moving to a new code
  under the same parent) or reparented (the same name under another parent). **Dates of
  inferred events are revision dates, not effective dates**: a revision ``YYYYMM`` is a
  snapshot, so a change first listed in revision R after revision P took effect some time
  between the first day after P's month (``event.earliest``) and the end of R's month; the
  event is dated the first day of R's month.
* recorded events (an events file the user curates, read by :mod:`geonames.divisions.history_io`) add
  what a code list cannot show — merges and splits — with effective dates and decisions.
  :func:`reconcile` lets each recorded event replace the inferred events it explains.

>>> log = DivisionLog([DivisionEvent.of("merged", "2011-10", ["500110 万盛区", "500222 綦江县"],
...                                     ["500110 綦江区"])])
>>> log.translate("500222", "2010-01-01", "2020-01-01")
['500110']
>>> log.translate("500110", "2020-01-01", "2010-01-01")
['500110', '500222']
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from geonames.divisions.codes import MUNICIPALITIES, canonical
from geonames.divisions.events import (
    CodeIdentity,
    CodeListRevision,
    DivisionEvent,
    EventKind,
    HistoryError,
    NamedCode,
    Span,
    check_history_code,
    parse_when,
)
from geonames.divisions.model import Division
from geonames.findings import Finding, Severity

#: How long a published code list may lag behind a recorded decision (days): a recorded event
#: may be dated up to this long before the window in which the code lists show the change.
LIST_LAG_DAYS = 366

#: How long a code list may run ahead of a recorded decision (days): lists revised in place
#: after their month carry later changes (the list labelled 201112 already has 三沙市,
#: established 2012-06-21).
LIST_LEAD_DAYS = 200

#: Names of grouping rows in GB/T 2260 lists that are not divisions (``500100 市辖区``,
#: ``500200 县``, ``469000 省直辖县级行政区划`` …): skipped when reading revisions.
PLACEHOLDER_NAMES = frozenset({"市辖区", "县", "市", "省直辖县级行政区划", "省直辖行政单位",
                               "省直辖县级行政单位", "自治区直辖县级行政区划",
                               "自治区直辖县级行政单位"})

#: Ethnic-group words stripped from autonomous-area names to get the proper name
#: (石柱土家族自治县 → 石柱). 各族 as in 龙胜各族自治县; 僮族 is the pre-1965 spelling of 壮族.
_ETHNIC_WORDS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 僮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 "
    "高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 "
    "塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺 各")
ETHNIC_GROUPS = tuple(sorted(_ETHNIC_WORDS.split(), key=len, reverse=True))

#: Generic parts stripped (longest first) to get the proper name: 璧山县 → 璧山, 璧山区 → 璧山.
GENERIC_SUFFIXES = ("自治县", "自治旗", "自治州", "自治区", "特区", "林区", "地区", "新区",
                    "矿区", "县", "区", "市", "旗", "盟", "州")

# Processing order of events on the same day: ends before starts, so a freed code can be reused.
_SAME_DAY_ORDER = {EventKind.ABOLISHED: 0, EventKind.RENAMED: 1, EventKind.REPARENTED: 2,
                   EventKind.RECODED: 2, EventKind.MERGED: 2, EventKind.SPLIT: 2,
                   EventKind.ESTABLISHED: 3, EventKind.DISSOLVED: 4}


# --------------------------------------------------------------------------- names and codes


def is_placeholder(code: str, name: str) -> bool:
    """True for grouping rows of GB/T 2260 lists that are not divisions.

    >>> is_placeholder("500100", "市辖区"), is_placeholder("500101", "万州区")
    (True, False)
    """
    return name.strip() in PLACEHOLDER_NAMES


#: Words that mark a statistical unit (development zone, park, management area …) rather
#: than a division, in rows whose county part is 71–80.
STATISTICAL_WORDS = ("开发区", "园区", "新区", "管理区", "示范区", "管委会", "风景名胜区",
                     "产业园", "工业区", "新城", "食品区", "实验区", "合作区", "改革")


#: Codes some lists carry at county level that GB/T 2260 does not list as divisions: the four
#: districts of the 大兴安岭地区 inside Inner Mongolia, 嘉峪关市 repeated as a county-level row
#: under itself, the 大柴旦 administrative committee, and the three island groups of 三沙市
#: (county-level rows under 460300 in some revisions and in the statistical lists).
STATISTICAL_ONLY = frozenset({"232761", "232762", "232763", "232764", "620201", "632857",
                              "460321", "460322", "460323"})


def is_statistical_unit(code: str, name: str) -> bool:
    """True for the statistical units some lists carry at county level (county part 71–80,
    a development zone or similar by its name, or one of :data:`STATISTICAL_ONLY`): not
    divisions, so left out of the history.

    >>> is_statistical_unit("140271", "山西大同经济开发区"), is_statistical_unit("510180", "简阳市")
    (True, False)
    """
    if code in STATISTICAL_ONLY:
        return True
    if code[4:5] not in ("7", "8"):
        return False
    return (len(code) == 6 and not code.endswith("00") and 71 <= int(code[4:6]) <= 80
            and any(word in name for word in STATISTICAL_WORDS))


def proper_name(name: str) -> str:
    """The proper part of a division name: generic and ethnic words stripped.

    >>> proper_name("璧山县"), proper_name("璧山区"), proper_name("黔江土家族苗族自治县")
    ('璧山', '璧山', '黔江')
    >>> proper_name("开县"), proper_name("开州区")
    ('开', '开州')
    """
    text = name.strip()
    for suffix in GENERIC_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    stripped = True
    while stripped:
        stripped = False
        for group in ETHNIC_GROUPS:
            word = group + "族"
            if text.endswith(word) and len(text) > len(word):
                text = text[: -len(word)]
                stripped = True
                break
    return text


def structural_parent(code: str) -> str:
    """The code of the unit a GB/T 2260 code reports to, as far as the code itself says.

    County-level units of municipalities (11, 12, 31, 50) and those with prefecture part 90
    report to the province; other county-level units to their prefecture; prefectures to
    their province; township and village codes to the 6- and 9-digit prefix.

    >>> structural_parent("500227"), structural_parent("130203"), structural_parent("130200")
    ('500000', '130200', '130000')
    """
    if len(code) == 12:
        return code[:9]
    if len(code) == 9:
        return code[:6]
    if len(code) == 6 and not code.endswith("0000"):
        if code.endswith("00") or code[:2] in MUNICIPALITIES or code[2:4] in ("90", "00"):
            return code[:2] + "0000"
        return code[:4] + "00"
    return ""


def _month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _next_month(d: date) -> date:
    return _month_end(d) + timedelta(days=1)


# --------------------------------------------------------------------------- inference


@dataclass(frozen=True)
class SourceGap:
    """A code a list leaves out while the lists before and after carry it unchanged: a gap
    in the source, not an abolition and a re-establishment."""

    code: str
    name: str
    revision: str

    def describe(self) -> str:
        return (f"{self.code} {self.name} is not listed in revision {self.revision} but is in "
                "the lists before and after it: a gap in the source, not two events")


@dataclass(frozen=True)
class InferredHistory:
    """What code lists show: the divisions of the first list, the events after it, and the
    gaps in the source that were bridged (:class:`SourceGap`)."""

    baseline: tuple[NamedCode, ...]
    baseline_label: str
    events: tuple[DivisionEvent, ...]
    revisions: tuple[str, ...] = ()
    gaps: tuple[SourceGap, ...] = ()


def snapshot(revision: CodeListRevision, prefix: str = "") -> dict[str, str]:
    """The divisions of a revision (placeholders and statistical units dropped), optionally
    only codes under ``prefix`` (``"50"``)."""
    return {c: n for c, n in revision.codes.items()
            if c.startswith(prefix) and not is_placeholder(c, n)
            and not is_statistical_unit(c, n)}


def bridge_gaps(snaps: list[dict[str, str]], labels: Sequence[str]
                ) -> tuple[list[dict[str, str]], list[SourceGap]]:
    """Fill the gaps of a sequence of snapshots.

    * a code missing from one list while the lists just before and after carry it with the
      same name is put back (a :class:`SourceGap`);
    * a province a list does not cover at all (no code of it, while the list before had
      some: the statistical lists leave out 71, 81 and 82) is carried over unchanged.
    """
    out = [dict(s) for s in snaps]
    gaps: list[SourceGap] = []
    for i in range(1, len(out)):
        prev, cur = out[i - 1], out[i]
        covered = {c[:2] for c in cur}
        for c, n in prev.items():
            if c[:2] not in covered:
                cur[c] = n
        if i + 1 < len(out):
            nxt = snaps[i + 1]
            for c, n in prev.items():
                if c not in cur and nxt.get(c) == n:
                    cur[c] = n
                    gaps.append(SourceGap(c, n, labels[i]))
    return out, gaps


def infer_events(revisions: Sequence[CodeListRevision], prefix: str = "") -> InferredHistory:
    """Infer events from successive code lists.

    The snapshots are first freed of gaps in the source (:func:`bridge_gaps`). Then between
    each pair of successive revisions P → R, always pairing codes of the same level only
    (:func:`level_of`: a prefecture is never the successor of a county):

    * a code whose name changes is **renamed** — unless the new name is the proper name of a
      code that disappears in the same step (or the old name that of a code that appears):
      then the code was reused (500110 万盛区 → 綦江区 while 500222 綦江县 disappears), and
      the old unit is abolished and a new one established on the same code;
    * a code that disappears and one that appears with the same proper name (璧山县 500227 →
      璧山区 500120), one to one in the province, is **recoded** when both report to the same
      parent (:func:`structural_parent`) and **reparented** when they do not and the full
      names are equal — unless the new code was in use in P by another unit (a reused code,
      the mark of a merge that only an events file can record);
    * a prefecture that disappears while every one of its units moves to other parents is
      **dissolved** (巢湖 341400 in 2011, 莱芜 371200 in 2019): a split into the new codes of
      its units, and its seat district (the one unit left unpaired) is paired with the new
      code that carries the prefecture's proper name (居巢区 341402 → 巢湖市 340181);
    * what is left under one parent, one code gone and one added at the same level (盘县
      520222 → 盘州市 520281, 宜宾县 511521 → 叙州区 511504), or several paired by the
      characters their proper names share (彬县 → 彬州市), is **recoded** with a changed
      name; these events say ``inferred: …`` and the evidence in their note;
    * every other code that disappears is **abolished**, every other new code **established**.

    Each event is dated the first day of R's month with ``earliest`` the first day after P's
    month, ``source`` the revision's source (``"GB/T 2260 revision R"``) and ``inferred=True``.
    Placeholder rows (:data:`PLACEHOLDER_NAMES`) are skipped. ``prefix`` limits the work to
    codes under it.
    """
    revisions = sorted(revisions, key=lambda r: r.date)
    if not revisions:
        raise HistoryError("no code-list revisions to infer events from")
    snaps, gaps = bridge_gaps([snapshot(r, prefix) for r in revisions],
                              [r.label for r in revisions])
    baseline = tuple(NamedCode(c, n) for c, n in sorted(snaps[0].items()))
    events: list[DivisionEvent] = []
    for k in range(1, len(revisions)):
        events.extend(_infer_step(snaps[k - 1], snaps[k], revisions[k - 1], revisions[k]))
    return InferredHistory(baseline, revisions[0].label, tuple(events),
                           tuple(r.label for r in revisions), tuple(gaps))


def revision_source(revision: CodeListRevision) -> str:
    """How events inferred from a revision cite it."""
    return revision.source or f"GB/T 2260 revision {revision.label}"


def _similarity(a: str, b: str) -> int:
    """Characters two proper names share, the first character counting double."""
    a, b = proper_name(a), proper_name(b)
    return len(set(a) & set(b)) + (1 if a[:1] and a[:1] == b[:1] else 0)


def _infer_step(prev: dict[str, str], cur: dict[str, str], p: CodeListRevision,
                r: CodeListRevision) -> list[DivisionEvent]:
    """The events one step P → R of the code lists shows (see :func:`infer_events`), found
    in this order: renames and reused codes, pairs by proper name, dissolved prefectures,
    moves to another province, renames with a new proper name, and the rest abolished or
    established."""
    step = _Step(prev, cur, r, _next_month(p.date))
    step.renames()
    step.pairs_by_proper_name()
    step.dissolved_prefectures()
    step.moves_between_provinces()
    step.renames_with_a_new_proper_name()
    step.abolished_and_established()
    return step.out


def _name_key(code: str, name: str) -> tuple[str, str, str]:
    """Province, level and proper name: what a unit keeps through a recode."""
    return (code[:2], level_of(code), proper_name(name))


@dataclass
class _Step:
    """The state of one inference step P → R: codes gone and added, the pairs found so far
    and the events inferred."""

    prev: dict[str, str]
    cur: dict[str, str]
    revision: CodeListRevision
    earliest: date
    gone: dict[str, str] = field(init=False)
    added: dict[str, str] = field(init=False)
    reused: dict[str, str] = field(default_factory=dict)      # code → its former name
    paired_old: dict[str, str] = field(default_factory=dict)  # old code → (a) new code
    paired_new: set[str] = field(default_factory=set)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    out: list[DivisionEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.gone = {c: n for c, n in self.prev.items() if c not in self.cur}
        self.added = {c: n for c, n in self.cur.items() if c not in self.prev}

    # -- helpers

    def emit(self, kind: EventKind, old: Iterable[NamedCode] = (),
             new: Iterable[NamedCode] = (), note: str = "") -> None:
        self.out.append(DivisionEvent(kind, self.revision.date, tuple(old), tuple(new),
                                      source=revision_source(self.revision), note=note,
                                      earliest=self.earliest, inferred=True))

    def pair(self, kind: EventKind, o: str, n: str, note: str = "") -> None:
        """Infer ``o`` (gone) → ``n`` (added) and mark both paired."""
        self.emit(kind, [NamedCode(o, self.gone[o])], [NamedCode(n, self.added[n])], note)
        self.paired_old[o] = n
        self.paired_new.add(n)

    def free_old(self, c: str) -> bool:
        return c not in self.paired_old and c not in self.reused

    def free_new(self, c: str) -> bool:
        return c not in self.paired_new and c not in self.reused and c not in self.prev

    # -- the passes, in order

    def renames(self) -> None:
        """A code whose name changes is renamed, unless the new name is the proper name of a
        code gone in this step (or the old name that of a code added): then the code was
        reused, and counts as gone and added."""
        gone_keys = {_name_key(c, n) for c, n in self.gone.items()}
        added_keys = {_name_key(c, n) for c, n in self.added.items()}
        for code in sorted(c for c in self.prev if c in self.cur and self.prev[c] != self.cur[c]):
            old_name, new_name = self.prev[code], self.cur[code]
            if _name_key(code, new_name) in gone_keys or _name_key(code, old_name) in added_keys:
                self.gone[code], self.added[code] = old_name, new_name
                self.reused[code] = old_name
            else:
                self.emit(EventKind.RENAMED, [NamedCode(code, old_name)],
                          [NamedCode(code, new_name)])

    def pairs_by_proper_name(self) -> None:
        """One code gone and one added with the same proper name in a province: recoded under
        the same parent, reparented under another when the full names are equal; a reused
        new code only gets notes (probably a merge)."""
        by_key_gone: dict[tuple, list[str]] = defaultdict(list)
        by_key_added: dict[tuple, list[str]] = defaultdict(list)
        for c, n in self.gone.items():
            by_key_gone[_name_key(c, n)].append(c)
        for c, n in self.added.items():
            by_key_added[_name_key(c, n)].append(c)
        for key, olds in sorted(by_key_gone.items()):
            news = by_key_added.get(key, [])
            if len(olds) != 1 or len(news) != 1 or not key[2]:
                continue
            (o,), (n,) = olds, news
            if n in self.reused or n in self.prev:
                self._note_probable_merge(o, n)
                continue
            if structural_parent(o) == structural_parent(n):
                self.pair(EventKind.RECODED, o, n)
            elif self.gone[o] == self.added[n]:
                self.pair(EventKind.REPARENTED, o, n)

    def _note_probable_merge(self, o: str, n: str) -> None:
        former = self.prev[n]
        self.notes[("old", o)] = (f"the name continues as {n} {self.added[n]} on a reused "
                                  f"code (formerly {former}): probably a merge; record it in "
                                  "an events file")
        self.notes[("new", n)] = (f"code {n} reused (formerly {former}); the name continues "
                                  f"{o} {self.gone[o]}: probably a merge; record it in an "
                                  "events file")

    def dissolved_prefectures(self) -> None:
        """A prefecture gone with every one of its units: dissolved into the new codes of its
        units, its seat (the one unit left unpaired) paired with the new code that carries
        the prefecture's proper name."""
        for pref in sorted(c for c in self.gone
                           if level_of(c) == "prefecture" and c not in self.paired_old):
            units = [c for c in self.prev if c != pref and structural_parent(c) == pref]
            if not units or any(c in self.cur for c in units):
                continue
            seat_evidence = self._pair_seat(pref, [c for c in units if c not in self.paired_old])
            parts = sorted({self.paired_old[c] for c in units if c in self.paired_old})
            if not parts:
                continue
            note = (f"inferred: every unit of {pref} {self.gone[pref]} moved to another parent "
                    f"in revision {self.revision.label}{seat_evidence}")
            self.emit(EventKind.DISSOLVED, [NamedCode(pref, self.gone[pref])],
                      [NamedCode(c, self.cur[c]) for c in parts], note)
            self.paired_old[pref] = parts[0]

    def _pair_seat(self, pref: str, left: list[str]) -> str:
        """Pair the one unit of a dissolved prefecture left unpaired (its seat) with the only
        free new county-level code carrying the prefecture's proper name; the evidence for the
        prefecture's note ("" when not paired)."""
        if len(left) != 1:
            return ""
        namesakes = [c for c in self.added if self.free_new(c) and level_of(c) == "county"
                     and c[:2] == pref[:2]
                     and proper_name(self.added[c]) == proper_name(self.gone[pref])]
        if len(namesakes) != 1:
            return ""
        (seat,), (heir,) = left, namesakes
        self.pair(EventKind.RECODED, seat, heir,
                  f"inferred: {pref} {self.gone[pref]} dissolved in the same revision and "
                  f"{heir} {self.added[heir]} carries its proper name")
        return f"; its seat {seat} {self.gone[seat]} became {heir} {self.added[heir]}"

    def moves_between_provinces(self) -> None:
        """A unit moved to another province keeps its full name (重庆 1997: 开县 512234 →
        500234; 海南 1988): paired when the name is unique among both sides, country-wide."""
        gone_by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
        added_by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
        for c in self.gone:
            if self.free_old(c):
                gone_by_name[(level_of(c), self.gone[c])].append(c)
        for c in self.added:
            if self.free_new(c):
                added_by_name[(level_of(c), self.added[c])].append(c)
        for key, olds in sorted(gone_by_name.items()):
            news = added_by_name.get(key, [])
            if len(olds) != 1 or len(news) != 1 or olds[0][:2] == news[0][:2]:
                continue
            self.pair(EventKind.REPARENTED, olds[0], news[0],
                      f"inferred: the only {key[0]} named {key[1]} gone and the only one "
                      f"added, in another province (revision {self.revision.label})")

    def renames_with_a_new_proper_name(self) -> None:
        """What is left under one parent at the same level (county or prefecture): one gone
        and one added, or several paired by the characters their proper names share."""
        left_gone: dict[tuple, list[str]] = defaultdict(list)
        left_added: dict[tuple, list[str]] = defaultdict(list)
        for c in sorted(self.gone):
            if self.free_old(c):
                left_gone[(structural_parent(c), level_of(c))].append(c)
        for c in sorted(self.added):
            if self.free_new(c):
                left_added[(structural_parent(c), level_of(c))].append(c)
        for (parent, level), olds in sorted(left_gone.items()):
            news = left_added.get((parent, level), [])
            if not news or level not in ("county", "prefecture"):
                continue
            pname = self.prev.get(parent) or self.cur.get(parent) or ""
            if len(olds) == 1 and len(news) == 1:
                pairs = [self._only_pair(olds[0], news[0], level, parent, pname)]
            else:
                pairs = self._pairs_by_similarity(olds, news, parent, pname)
            for o, n, evidence in pairs:
                self.pair(EventKind.RECODED, o, n,
                          f"inferred rename with a new proper name: {evidence} "
                          f"(revision {self.revision.label})")

    def _only_pair(self, o: str, n: str, level: str, parent: str,
                   pname: str) -> tuple[str, str, str]:
        evidence = (f"the only {level} code gone and the only one added under "
                    f"{parent} {pname}".rstrip())
        if _similarity(self.gone[o], self.added[n]):
            evidence += f"; the names share {_shared(self.gone[o], self.added[n])}"
        return o, n, evidence

    def _pairs_by_similarity(self, olds: list[str], news: list[str], parent: str,
                             pname: str) -> list[tuple[str, str, str]]:
        """Each old code with the new one whose proper name shares the most characters with
        it (at least 2), when no other new code ties and no other old code does as well."""
        pairs = []
        taken: set[str] = set()
        for o in olds:
            scored = sorted(((_similarity(self.gone[o], self.added[n]), n) for n in news
                             if n not in taken), reverse=True)
            if not scored or scored[0][0] < 2 or \
                    (len(scored) > 1 and scored[1][0] == scored[0][0]):
                continue
            n = scored[0][1]
            if [x for x in olds if x != o
                    and _similarity(self.gone[x], self.added[n]) >= scored[0][0]]:
                continue
            taken.add(n)
            pairs.append((o, n, f"under {parent} {pname}, the names share "
                                f"{_shared(self.gone[o], self.added[n])}"))
        return pairs

    def abolished_and_established(self) -> None:
        """Every code gone unpaired is abolished, every code added unpaired established."""
        for c in sorted(self.gone):
            if c not in self.paired_old:
                note = self.notes.get(("old", c), "")
                if c in self.reused and not note:
                    note = f"code {c} reused in the same revision by {self.added[c]}"
                self.emit(EventKind.ABOLISHED, [NamedCode(c, self.gone[c])], note=note)
        for c in sorted(self.added):
            if c not in self.paired_new:
                note = self.notes.get(("new", c), "")
                if c in self.reused and not note:
                    note = f"code {c} reused (formerly {self.reused[c]})"
                self.emit(EventKind.ESTABLISHED, new=[NamedCode(c, self.added[c])], note=note)


def _shared(a: str, b: str) -> str:
    common = [ch for ch in proper_name(a) if ch in set(proper_name(b))]
    return "“" + "".join(dict.fromkeys(common)) + "”" if common else "nothing"


# --------------------------------------------------------------------------- reconciliation


def _unit_in(unit: NamedCode, side: Sequence[NamedCode]) -> bool:
    return any(v.code == unit.code and (not v.name or not unit.name or v.name == unit.name)
               for v in side)


def explains(recorded: DivisionEvent, inferred: DivisionEvent,
             lag_days: int = LIST_LAG_DAYS) -> bool:
    """True when a recorded event accounts for an inferred one.

    Every old unit of the inferred event is an old unit of the recorded one, every new unit a
    new one (same code; same name where both give one), and the recorded date falls between
    ``lag_days`` before the inferred window (lists lag behind decisions) and
    :data:`LIST_LEAD_DAYS` after the end of the month of the revision that shows the change
    (lists revised in place run ahead).
    """
    if not (inferred.old or inferred.new):
        return False
    earliest = inferred.earliest or inferred.date
    if not (earliest - timedelta(days=lag_days) <= recorded.date
            <= _month_end(inferred.date) + timedelta(days=LIST_LEAD_DAYS)):
        return False
    return (all(_unit_in(u, recorded.old) for u in inferred.old)
            and all(_unit_in(u, recorded.new) for u in inferred.new))


def reconcile(inferred: Iterable[DivisionEvent], recorded: Iterable[DivisionEvent],
              lag_days: int = LIST_LAG_DAYS) -> list[DivisionEvent]:
    """Recorded events plus the inferred events they do not explain, by date.

    An inferred event is explained by one recorded event (:func:`explains`), or by several
    together: each of its old units is an old unit, and each new unit a new unit, of some
    recorded event in its window (湾里区 → 红谷滩区, inferred, is explained by 湾里区
    dissolved into 新建区 and 红谷滩区 established)."""
    recorded = list(recorded)
    by_code: dict[str, list[DivisionEvent]] = defaultdict(list)
    for r in recorded:
        for code in {*r.old_codes, *r.new_codes}:
            by_code[code].append(r)
    kept = []
    for i in inferred:
        near = {id(r): r for code in (*i.old_codes, *i.new_codes) for r in by_code.get(code, ())}
        candidates = list(near.values())
        if candidates and (any(explains(r, i, lag_days) for r in candidates)
                           or _explained_together(candidates, i, lag_days)):
            continue
        kept.append(i)
    return sorted([*kept, *recorded], key=_event_order)


def _explained_together(recorded: Sequence[DivisionEvent], inferred: DivisionEvent,
                        lag_days: int) -> bool:
    if not (inferred.old or inferred.new):
        return False
    earliest = inferred.earliest or inferred.date
    near = [r for r in recorded if earliest - timedelta(days=lag_days) <= r.date
            <= _month_end(inferred.date) + timedelta(days=LIST_LEAD_DAYS)]
    return (all(any(_unit_in(u, r.old) for r in near) for u in inferred.old)
            and all(any(_unit_in(u, r.new) for r in near) for u in inferred.new))


def _event_order(e: DivisionEvent) -> tuple:
    return (e.date, _SAME_DAY_ORDER[e.kind], e.inferred)


# --------------------------------------------------------------------------- the log


@dataclass
class _Identity:
    code: str
    start: date | None
    end: date | None = None
    names: list[list] = field(default_factory=list)     # [name, from]
    parents: list[list] = field(default_factory=list)   # [parent, from]
    ended_by: int | None = None

    def freeze(self) -> CodeIdentity:
        return CodeIdentity(self.code, self.start, self.end, _spans(self.names, self.end),
                            _spans(self.parents, self.end))


def _spans(values: list[list], end: date | None) -> tuple[Span, ...]:
    out = []
    for k, (value, start) in enumerate(values):
        stop = values[k + 1][1] if k + 1 < len(values) else end
        out.append(Span(value, start, stop))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class Lineage:
    """An edge of the lineage graph: identity ``source`` became (part of) ``target``."""

    source: int
    target: int
    event: int


class DivisionLog:
    """Division identities and the lineage between them, built from events.

    Parameters
    ----------
    events : iterable of DivisionEvent
        In any order; applied by date (on one day: abolitions, then renames, then recodes,
        merges and splits, then establishments; recorded before inferred).
    baseline : iterable of NamedCode
        Divisions that existed before the records start (``valid_from`` None).
    start_label : str
        What the baseline is (``"GB/T 2260 revision 198012"``).
    start : date, optional
        The date of the baseline: queries for earlier dates raise HistoryError, since the
        records say nothing about them. None (logs of events alone): no limit.

    An event's old division that the log does not know yet is taken to have existed since
    before the records (so an events file alone makes a log). Raises
    :class:`~geonames.divisions.events.HistoryError` when events contradict each other: a
    division ended twice, a name that is not the one it had, a code established while in use.
    """

    def __init__(self, events: Iterable[DivisionEvent] = (),
                 baseline: Iterable[NamedCode] = (), start_label: str = "",
                 start: date | None = None) -> None:
        self.events: tuple[DivisionEvent, ...] = tuple(sorted(events, key=_event_order))
        self.start_label = start_label
        self.start = start
        #: Gaps in the source bridged while inferring (:class:`SourceGap`), set by
        #: :meth:`from_revisions`.
        self.gaps: tuple[SourceGap, ...] = ()
        idents: list[_Identity] = []
        current: dict[str, int] = {}
        for unit in baseline:
            current[unit.code] = len(idents)
            idents.append(_Identity(unit.code, None, names=[[unit.name, None]]))
        self._edges: list[Lineage] = []
        self._touched: list[tuple[int, ...]] = []
        for k, event in enumerate(self.events):
            self._touched.append(self._apply(k, event, idents, current))
        self.identities: tuple[CodeIdentity, ...] = tuple(i.freeze() for i in idents)
        self._by_code: dict[str, list[int]] = defaultdict(list)
        for n, ident in enumerate(self.identities):
            self._by_code[ident.code].append(n)
        self._succ: dict[int, list[Lineage]] = defaultdict(list)
        self._pred: dict[int, list[Lineage]] = defaultdict(list)
        for edge in self._edges:
            self._succ[edge.source].append(edge)
            self._pred[edge.target].append(edge)

    # -- construction

    @classmethod
    def from_revisions(cls, revisions: Sequence[CodeListRevision],
                       events: Iterable[DivisionEvent] = (), prefix: str = "",
                       lag_days: int = LIST_LAG_DAYS) -> DivisionLog:
        """Infer events from code lists (:func:`infer_events`), let the recorded ``events``
        replace those they explain (:func:`reconcile`), and build the log."""
        inferred = infer_events(revisions, prefix)
        merged = reconcile(inferred.events, events, lag_days)
        first = min(r.date for r in revisions)
        log = cls(merged, inferred.baseline,
                  f"GB/T 2260 revision {inferred.baseline_label}", first)
        log.gaps = inferred.gaps
        return log

    def _apply(self, k: int, event: DivisionEvent, idents: list[_Identity],
               current: dict[str, int]) -> tuple[int, ...]:
        what = event.describe()
        old_ids = []
        for unit in event.old:
            n = current.get(unit.code)
            if n is None:
                gone = [i for i in idents if i.code == unit.code]
                if gone:
                    ended_by = gone[-1].ended_by
                    how = self.events[ended_by].describe() if ended_by is not None else "?"
                    raise HistoryError(
                        f"{what}: {unit.code} no longer exists on {event.date} (it ended on "
                        f"{gone[-1].end} by: {how})")
                n = len(idents)
                idents.append(_Identity(unit.code, None, names=[[unit.name, None]]))
                if unit.parent:
                    idents[n].parents.append([unit.parent, None])
                current[unit.code] = n
            ident = idents[n]
            name_now = ident.names[-1][0] if ident.names else ""
            if unit.name and name_now and unit.name != name_now:
                raise HistoryError(f"{what}: {unit.code} is named {name_now!r} on "
                                   f"{event.date}, not {unit.name!r}")
            if unit.name and not name_now:
                ident.names[-1][0] = unit.name
            old_ids.append(n)
        if event.kind == EventKind.RENAMED:
            idents[old_ids[0]].names.append([event.new[0].name, event.date])
            return tuple(old_ids)
        if event.kind == EventKind.REPARENTED and event.old[0].code == event.new[0].code:
            idents[old_ids[0]].parents.append([event.new[0].parent, event.date])
            if event.new[0].name and event.new[0].name != event.old[0].name:
                idents[old_ids[0]].names.append([event.new[0].name, event.date])
            return tuple(old_ids)
        for n in old_ids:
            idents[n].end, idents[n].ended_by = event.date, k
            del current[idents[n].code]
        if event.kind == EventKind.DISSOLVED:
            heirs = []
            for unit in event.new:
                if unit.code not in current:
                    if any(i.code == unit.code for i in idents):
                        raise HistoryError(f"{what}: {unit.code} does not exist on "
                                           f"{event.date}; a dissolved division's parts must "
                                           "exist")
                    current[unit.code] = len(idents)     # known only from this event
                    idents.append(_Identity(unit.code, None, names=[[unit.name, None]]))
                heirs.append(current[unit.code])
            for o in old_ids:
                for n in heirs:
                    self._edges.append(Lineage(o, n, k))
            return (*old_ids, *heirs)
        new_ids = []
        for unit in event.new:
            if unit.code in current:
                other = idents[current[unit.code]]
                raise HistoryError(f"{what}: {unit.code} is in use on {event.date} by "
                                   f"{other.names[-1][0] if other.names else 'another unit'}")
            n = len(idents)
            ident = _Identity(unit.code, event.date, names=[[unit.name, event.date]])
            if unit.parent:
                ident.parents.append([unit.parent, event.date])
            idents.append(ident)
            current[unit.code] = n
            new_ids.append(n)
        for o in old_ids:
            for n in new_ids:
                self._edges.append(Lineage(o, n, k))
        return (*old_ids, *new_ids)

    # -- queries

    @property
    def codes(self) -> frozenset[str]:
        """Every code the log knows."""
        return frozenset(self._by_code)

    def identities_of(self, code: str) -> list[CodeIdentity]:
        """The identities of a code, oldest first (several when the code was reused)."""
        return [self.identities[n] for n in self._ids_of(code)]

    def identity_on(self, code: str, when: str | date) -> CodeIdentity | None:
        """The identity of ``code`` valid on ``when``, or None."""
        n = self._id_on(self._ids_of(code), parse_when(when))
        return None if n is None else self.identities[n]

    def translate(self, code: str, from_date: str | date, to_date: str | date) -> list[str]:
        """The code(s) on ``to_date`` of the division that had ``code`` on ``from_date``.

        Follows the lineage forward (or backward when ``to_date`` is earlier): a merged
        division gives the merged unit, a split one every successor, a recoded one its new
        code; an unchanged one its own code. Empty when the division was abolished without
        successor (or, backwards, established from nothing). Sorted.

        >>> log = DivisionLog([DivisionEvent.of("recoded", "2016-07", ["500234 开县"],
        ...                                     ["500154 开州区"])])
        >>> log.translate("500234", "2010-01-01", "2020-01-01")
        ['500154']

        Raises
        ------
        HistoryError
            For a malformed code or date, a code the log does not know, or a code that did
            not exist on ``from_date`` (the message gives the intervals it existed in).
        """
        return sorted({self.identities[n].code
                       for n, _ in self._walk(code, from_date, to_date)})

    def lineage(self, code: str, from_date: str | date,
                to_date: str | date) -> list[tuple[CodeIdentity, list[DivisionEvent]]]:
        """Like :meth:`translate`, with each resulting identity and the events that lead to
        it (in the order they happened along the path)."""
        out = []
        for n, path in self._walk(code, from_date, to_date):
            out.append((self.identities[n], [self.events[k] for k in path]))
        return sorted(out, key=lambda item: item[0].code)

    def as_of(self, when: str | date, parent: str | None = None,
              level: str | None = None) -> list[Division]:
        """The divisions that existed on ``when``, with their name and parent then.

        Parameters
        ----------
        when : date or str
        parent : str, optional
            Only divisions under this code (at any depth; ``"50"`` or ``"500000"``).
        level : str, optional
            Only this level: ``"province"``, ``"prefecture"``, ``"county"``, ``"township"``,
            ``"village"``.

        Returns
        -------
        list of :class:`~geonames.divisions.model.Division`, sorted by code, with ``code``,
        ``name``, ``level``, ``parent_code`` and the identity's ``valid_from``/``valid_to``.
        """
        day = self._check_day(parse_when(when))
        prefix = None
        if parent is not None:
            prefix = canonical(check_history_code(parent))
        out = []
        alive = {self.identities[n].code for n in range(len(self.identities))
                 if self.identities[n].valid_on(day)}
        for ident in self.identities:
            if not ident.valid_on(day):
                continue
            short = canonical(ident.code)
            if prefix is not None and (not short.startswith(prefix) or short == prefix):
                continue
            lvl = level_of(ident.code)
            if level is not None and lvl != level:
                continue
            out.append(Division(code=ident.code, name=ident.name_on(day), level=lvl,
                                parent_code=self._parent(ident, day, alive),
                                valid_from=ident.valid_from, valid_to=ident.valid_to))
        return sorted(out, key=lambda d: d.code)

    def history(self, code: str) -> tuple[list[CodeIdentity], list[DivisionEvent]]:
        """Every identity of ``code`` and every event touching one of them, by date.

        Raises HistoryError for a code the log does not know.
        """
        ids = self._ids_of(code)
        touched = sorted({k for k, ns in enumerate(self._touched) if set(ns) & set(ids)})
        return [self.identities[n] for n in ids], [self.events[k] for k in touched]

    def gaps_of(self, code: str) -> list[SourceGap]:
        """The gaps in the source bridged for ``code`` (a list that left it out)."""
        return [g for g in self.gaps if g.code == code]

    def successors(self, identity: CodeIdentity) -> list[tuple[CodeIdentity, DivisionEvent]]:
        """The identities this one became, with the event."""
        n = self.identities.index(identity)
        return [(self.identities[e.target], self.events[e.event]) for e in self._succ[n]]

    def predecessors(self, identity: CodeIdentity) -> list[tuple[CodeIdentity, DivisionEvent]]:
        """The identities this one came from, with the event."""
        n = self.identities.index(identity)
        return [(self.identities[e.source], self.events[e.event]) for e in self._pred[n]]

    def lineage_edges(self) -> list[tuple[CodeIdentity, CodeIdentity, DivisionEvent]]:
        """The whole lineage graph: (from identity, to identity, event) for every edge."""
        return [(self.identities[e.source], self.identities[e.target], self.events[e.event])
                for e in self._edges]

    def events_between(self, start: str | date | None = None,
                       end: str | date | None = None) -> list[DivisionEvent]:
        """Events with ``start < date <= end`` (either bound may be None)."""
        lo = parse_when(start) if start is not None else None
        hi = parse_when(end) if end is not None else None
        return [e for e in self.events
                if (lo is None or e.date > lo) and (hi is None or e.date <= hi)]

    # -- helpers

    def _check_day(self, day: date) -> date:
        if self.start is not None and day < self.start:
            raise HistoryError(f"{day} is before this history starts ({self.start}, "
                               f"{self.start_label}); the records say nothing about it")
        return day

    def _ids_of(self, code: str) -> list[int]:
        text = check_history_code(code)
        ids = self._by_code.get(text)
        if not ids:
            raise HistoryError(f"code {text} is not in this history"
                               + (f" (it starts with {self.start_label})"
                                  if self.start_label else ""))
        return ids

    def _id_on(self, ids: list[int], day: date) -> int | None:
        for n in ids:
            if self.identities[n].valid_on(day):
                return n
        return None

    def _walk(self, code: str, from_date, to_date) -> list[tuple[int, tuple[int, ...]]]:
        start_day = self._check_day(parse_when(from_date))
        end_day = self._check_day(parse_when(to_date))
        ids = self._ids_of(code)
        start = self._id_on(ids, start_day)
        if start is None:
            spans = ", ".join(self.identities[n].interval() + f" as {self.identities[n].name}"
                              for n in ids)
            raise HistoryError(f"code {code} did not exist on {start_day} (it existed {spans})")
        forward = end_day >= start_day
        results: dict[int, tuple[int, ...]] = {}
        stack: list[tuple[int, tuple[int, ...]]] = [(start, ())]
        seen = set()
        while stack:
            n, path = stack.pop()
            if n in seen:
                continue
            seen.add(n)
            if self.identities[n].valid_on(end_day):
                results.setdefault(n, path)
                continue
            edges = self._succ[n] if forward else self._pred[n]
            for edge in edges:
                nxt = edge.target if forward else edge.source
                stack.append((nxt, (*path, edge.event)))
        return sorted(results.items())

    def _parent(self, ident: CodeIdentity, day: date, alive: set[str]) -> str | None:
        explicit = ident.parent_on(day)
        if explicit:
            return explicit
        code = ident.code
        candidates = []
        if len(code) == 6 and not code.endswith("0000"):
            if not code.endswith("00"):
                candidates.append(code[:4] + "00")
            candidates.append(code[:2] + "0000")
        elif len(code) in (9, 12):
            candidates.append(code[: len(code) - 3])
        for c in candidates:
            if c in alive:
                return c
        return structural_parent(code) or None


def level_of(code: str) -> str:
    """The level of a code by its length and padding (county for 6-digit codes, etc.)."""
    short = canonical(code)
    return {2: "province", 4: "prefecture", 6: "county", 9: "township",
            12: "village"}.get(len(short), "unknown")


# --------------------------------------------------------------------------- consistency


def check_events(recorded: Sequence[DivisionEvent], revisions: Sequence[CodeListRevision],
                 lag_days: int = LIST_LAG_DAYS) -> list[Finding]:
    """Hold recorded events against the code lists; one finding per disagreement.

    Only events dated within the lists' span, and units of provinces the lists cover, are
    checked. Codes (subject ``OLD->NEW``):

    * ``history.new_listed_before`` (error): a new (code, name) is listed in a revision of a
      month before the event (not for ``dissolved``, whose parts exist before it);
    * ``history.old_listed_after`` (error): an old (code, name) is still listed more than
      ``lag_days`` after the event;
    * ``history.new_not_listed`` (warning): a new (code, name) is never listed afterwards;
    * ``history.old_not_listed`` (warning): an old (code, name) is never listed before;
    * ``history.unrecorded`` (info): a change the lists show, within the provinces and the
      period the events cover, that no recorded event explains.
    """
    revisions = sorted(revisions, key=lambda r: r.date)
    if not revisions:
        return []
    first, last = revisions[0].date, _month_end(revisions[-1].date)
    provinces = {c[:2] for r in revisions for c in r.codes}
    listed: dict[tuple[str, str], list[date]] = defaultdict(list)
    for r in revisions:
        for c, n in r.codes.items():
            listed[(c, n)].append(r.date)
    out: list[Finding] = []
    for e in recorded:
        if not (first < e.date <= last):
            continue
        subject = f"{','.join(e.old_codes)}->{','.join(e.new_codes)}"
        for u in e.new:
            if u.code[:2] not in provinces or not u.name:
                continue
            dates = listed.get((u.code, u.name), [])
            if not dates:
                out.append(_finding("history.new_not_listed", Severity.WARNING, subject,
                                    f"{e.describe()}: {u} never appears in the code lists", e))
            elif min(dates) < e.date.replace(day=1) and e.kind != EventKind.DISSOLVED:
                # a dissolved division's parts exist before it ends (崇文区 into 东城区)
                out.append(_finding(
                    "history.new_listed_before", Severity.ERROR, subject,
                    f"{e.describe()}: {u} is listed already in revision "
                    f"{min(dates):%Y%m}, before the event", e))
        for u in e.old:
            if u.code[:2] not in provinces or not u.name:
                continue
            dates = listed.get((u.code, u.name), [])
            if not [d for d in dates if d < _next_month(e.date)]:
                out.append(_finding("history.old_not_listed", Severity.WARNING, subject,
                                    f"{e.describe()}: {u} is not listed before the event", e))
            elif any(d > e.date + timedelta(days=lag_days) for d in dates):
                late = max(dates)
                out.append(_finding(
                    "history.old_listed_after", Severity.ERROR, subject,
                    f"{e.describe()}: {u} is still listed in revision {late:%Y%m}, more than "
                    f"{lag_days} days after the event", e))
    scope = sorted({u.code[:2] for e in recorded for u in (*e.old, *e.new)} & provinces)
    if scope:
        since = min(e.date for e in recorded)
        inferred = [i for p in scope for i in infer_events(revisions, prefix=p).events]
        for i in inferred:
            if i.date < since:
                continue
            if any(explains(r, i, lag_days) for r in recorded):
                continue
            subject = f"{','.join(i.old_codes)}->{','.join(i.new_codes)}"
            out.append(_finding("history.unrecorded", Severity.INFO, subject,
                                f"the code lists show {i.describe()}, which no recorded event "
                                "explains", i))
    return out


def _finding(code: str, severity: Severity, subject: str, message: str,
             event: DivisionEvent) -> Finding:
    return Finding(code, severity, subject, message,
                   details={"event_kind": str(event.kind), "event_date": event.date.isoformat(),
                            "source": event.source, "decision": event.decision})


# --------------------------------------------------------------------------- change labels

#: Event kinds that can explain each change-inspection finding code.
CHANGE_KINDS: dict[str, frozenset[EventKind]] = {
    "change.merged": frozenset({EventKind.MERGED}),
    "change.split": frozenset({EventKind.SPLIT}),
    "change.recoded": frozenset({EventKind.RECODED, EventKind.REPARENTED}),
    "change.renamed": frozenset({EventKind.RENAMED}),
    "change.added": frozenset({EventKind.ESTABLISHED}),
    "change.removed": frozenset({EventKind.ABOLISHED}),
    "change.reorganised": frozenset({EventKind.MERGED, EventKind.SPLIT}),
}


def change_sides(finding: Finding) -> tuple[frozenset[str], frozenset[str]]:
    """The old and new ids of a change finding (subject ``OLD_IDS->NEW_IDS``).

    A subject without ``->`` counts as the new side of ``change.added``, the old side of
    ``change.removed``, and both sides otherwise.
    """
    def ids(text):
        return frozenset(i.strip() for i in text.split(",") if i.strip())
    if "->" in finding.subject:
        old, new = finding.subject.split("->", 1)
        return ids(old), ids(new)
    both = ids(finding.subject)
    if finding.code == "change.added":
        return frozenset(), both
    if finding.code == "change.removed":
        return both, frozenset()
    return both, both


def match_event(finding: Finding, events: Sequence[DivisionEvent]) -> tuple[
        DivisionEvent | None, str]:
    """The event that best explains a change finding, and how: ``"exact"`` (same old and new
    codes), ``"partial"`` (the finding's codes are among the event's) or ``""`` (none).

    Preference: exact before partial, an agreeing kind (:data:`CHANGE_KINDS`) before another,
    recorded before inferred, later before earlier.
    """
    old, new = change_sides(finding)
    if not old and not new:
        return None, ""
    kinds = CHANGE_KINDS.get(finding.code, frozenset())
    best, best_key, how = None, None, ""
    for e in events:
        e_old, e_new = frozenset(e.old_codes), frozenset(e.new_codes)
        if old == e_old and new == e_new:
            level = 2
        elif old <= e_old and new <= e_new:
            level = 1
        else:
            continue
        key = (level, e.kind in kinds, not e.inferred, e.date)
        if best_key is None or key > best_key:
            best, best_key, how = e, key, ("exact" if level == 2 else "partial")
    return best, how


def label_changes(findings: Iterable[Finding], log: DivisionLog | Sequence[DivisionEvent],
                  between: tuple[str | date | None, str | date | None] | None = None
                  ) -> list[Finding]:
    """Label change findings with the recorded event that explains each.

    For every finding with a code of :data:`CHANGE_KINDS` for which :func:`match_event` finds
    an event (among ``log.events``, optionally only those with ``start < date <= end`` for
    ``between=(start, end)``), the returned copy has in ``details``: ``decision`` (the
    approving decision, else the source), ``decision_document`` (the approving decision
    only, "" when unknown), ``event_kind``, ``event_date``, ``event_source``,
    ``event_match`` (``exact``/``partial``), ``event_inferred``, ``event`` (one line) and
    ``confirmed``; its message ends ``[recorded: DATE DECISION]`` (``[recorded as KIND: …]``
    when the kinds differ).

    A finding is *confirmed* — and its severity lowered to info — when a recorded (not
    inferred) event has exactly its old and new codes and an agreeing kind: the change is
    explained by a decision. Other findings are returned unchanged, in order.

    >>> f = Finding("change.recoded", Severity.WARNING, "500234->500154", "开县 recoded")
    >>> e = DivisionEvent.of("recoded", "2016-07", ["500234 开县"], ["500154 开州区"],
    ...                      source="GB/T 2260 revision 201607")
    >>> g, = label_changes([f], [e])
    >>> g.message, g.severity.value, g.details["event_date"]
    ('开县 recoded [recorded: 2016-07-01 GB/T 2260 revision 201607]', 'info', '2016-07-01')
    """
    events = list(log.events if isinstance(log, DivisionLog) else log)
    if between is not None:
        lo, hi = (parse_when(b) if b is not None else None for b in between)
        events = [e for e in events
                  if (lo is None or e.date > lo) and (hi is None or e.date <= hi)]
    out = []
    for f in findings:
        event, how = match_event(f, events) if f.code in CHANGE_KINDS else (None, "")
        if event is None:
            out.append(f)
            continue
        agrees = event.kind in CHANGE_KINDS[f.code]
        confirmed = how == "exact" and agrees and not event.inferred
        details = dict(f.details)
        details.update({
            "decision": event.reference,
            "decision_document": event.decision,
            "event_kind": str(event.kind),
            "event_date": event.date.isoformat(),
            "event_source": event.source,
            "event_match": how,
            "event_inferred": event.inferred,
            "event": event.describe(),
            "confirmed": confirmed,
        })
        kind_note = "" if agrees else f" as {event.kind}"
        message = (f"{f.message} [recorded{kind_note}: {event.date.isoformat()} "
                   f"{event.reference or 'no reference'}]")
        out.append(replace(f, message=message, details=details,
                           severity=Severity.INFO if confirmed else f.severity))
    return out
