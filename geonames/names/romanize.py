"""Romanization of Chinese place names after GB/T 16159-2012 (place-name rules).

:func:`romanize` writes a name the way the standard writes place names:

* the proper part (专名) and the generic part (通名) apart, each capitalised:
  重庆市 → ``Chongqing Shi``, 泰山 → ``Tai Shan``, 长江 → ``Chang Jiang``;
* a one-syllable modifier joined to what it modifies: 西辽河 → ``Xiliao He``,
  景山后街 → ``Jingshan Houjie``;
* generics that have become part of the proper name, and names with no proper/generic split,
  joined: 黑龙江省 → ``Heilongjiang Sheng``, 王村 → ``Wangcun``;
* names of several levels split per level: 重庆市渝中区解放碑街道 →
  ``Chongqing Shi Yuzhong Qu Jiefangbei Jiedao``;
* autonomous areas with each people's name apart: 酉阳土家族苗族自治县 →
  ``Youyang Tujiazu Miaozu Zizhixian``;
* an apostrophe before a syllable starting with a, o or e: 西安 → ``Xi'an``;
* tone marks on request (``tones=True``).

Readings come first from the place-name readings table shipped as ``geonames/data/readings.csv``
(长治 Changzhi, 六安 Lu'an, 蚌埠 Bengbu …, each entry with its source), then from pypinyin's
dictionaries (the same segmentation and phrase dictionary :func:`pypinyin.lazy_pinyin` uses).
Generic terms come from ``geonames/data/generic_terms.csv`` (:func:`generic_terms`).

Everything is cached per level of a name and per run of characters, so romanizing a list of
names costs less than calling ``pypinyin.lazy_pinyin`` on each.

>>> r = romanize("重庆市渝中区解放碑街道")
>>> r.text
'Chongqing Shi Yuzhong Qu Jiefangbei Jiedao'
>>> r.key, r.initials
('chongqingshiyuzhongqujiefangbeijiedao', 'cqsyzqjfbjd')
>>> romanize("六安", tones=True).text
'Lù’ān'
>>> pinyin_key("解放碑"), initials("解放碑")
('jiefangbei', 'jfb')
"""

from __future__ import annotations

import csv
import gc
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = [
    "GenericTerm", "MinorityArea", "MinorityName", "NamePart", "Reading", "Romanization",
    "clear_caches", "gc_paused", "generic_terms", "initials", "minority_areas",
    "minority_names", "pinyin_key", "readings", "romanize", "romanize_many", "scope_of",
    "split_name", "to_simplified",
]

#: Administrative levels from the top; a name of several levels goes strictly down this list.
LEVELS = ("province", "prefecture", "county", "township", "village")

#: The 55 minority peoples and the Han, as they appear in names of autonomous areas
#: (GB/T 3304); each is written as its own word before the generic (土家族 Tujiazu).
ETHNIC_GROUPS = tuple(
    ["蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺", "汉"]
)

#: One-syllable modifiers that join the generic they precede (景山后街 → Jingshan Houjie).
MODIFIERS = frozenset("东西南北中前后上下内外正横直新老大小")

#: Generics after which people's names are split off (autonomous areas, ethnic townships).
_AUTONOMOUS = frozenset(["自治区", "自治州", "自治县", "自治旗", "乡", "镇", "民族乡", "苏木", "民族苏木"])

_TONE_MARKS = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}
_MARK_OF_TONE = {1: "\u0304", 2: "\u0301", 3: "\u030c", 4: "\u0300"}
_APOSTROPHE = "'"
_APOSTROPHE_TONED = "\u2019"  # typographic apostrophe, used with tone marks as in the standard


# --------------------------------------------------------------------------- data tables


@dataclass(frozen=True, slots=True)
class GenericTerm:
    """A generic term (通名) and what it implies.

    Attributes
    ----------
    term : str
    words : tuple of str
        How the term is written as words (社区居民委员会 → 社区, 居民, 委员会).
    category, category_name : str
        GB/T 18521 category code and its name.
    levels : tuple of str
        Administrative levels the term implies (empty for non-administrative features).
    code_kinds : tuple of str
        Kinds of code range (:func:`geonames.divisions.codes.parse_code`) a name with this generic may
        carry; empty when the term says nothing about codes.
    absorbing : bool
        True when the generic is written joined with the proper part (王村 Wangcun).
    rank : int
        Size of place the term claims, 1 the largest (used by the exaggeration rule).
    note : str
    """

    term: str
    words: tuple[str, ...]
    category: str
    category_name: str
    levels: tuple[str, ...]
    code_kinds: tuple[str, ...]
    absorbing: bool
    rank: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Reading:
    """One entry of the place-name readings table.

    ``pinyin`` holds one ``(syllable, tone)`` pair per character (tone 1–4, 5 neutral);
    ``spelling`` the written form when it is not plain pinyin (``"Shaanxi"``); ``scope`` the
    division-code prefixes (province ``"31"``, prefecture ``"6501"``, county ``"310112"`` …)
    where the entry applies (empty: everywhere), for readings that differ by place (堡 is bao
    in most of the country, pu in 地窝堡 of Urumqi); the entry of the longest matching prefix
    wins. ``override``: a one-character entry that wins over pypinyin's phrase dictionary too
    (柏 bai also inside pypinyin's 柏林 Bolin); without it the entry applies only where
    pypinyin reads the character on its own.
    """

    hanzi: str
    pinyin: tuple[tuple[str, int], ...]
    spelling: str
    kind: str
    source: str
    attested: str = ""
    note: str = ""
    scope: tuple[str, ...] = ()
    override: bool = False


def _data_rows(filename: str) -> Iterator[dict[str, str]]:
    text = resources.files("geonames.data").joinpath(filename).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    yield from csv.DictReader(lines)


@lru_cache(maxsize=1)
def generic_terms() -> dict[str, GenericTerm]:
    """The generic-terms table (``geonames/data/generic_terms.csv``), term → :class:`GenericTerm`.

    When a term is listed twice, the first row wins.
    """
    table: dict[str, GenericTerm] = {}
    for row in _data_rows("generic_terms.csv"):
        term = row["term"].strip()
        if term in table:
            continue
        table[term] = GenericTerm(
            term=term,
            words=tuple((row["words"] or term).split()),
            category=row["category"].strip(),
            category_name=row["category_name"].strip(),
            levels=tuple(x for x in row["level"].split("|") if x),
            code_kinds=tuple(x for x in row["code_kinds"].split("|") if x),
            absorbing=row["absorbing"].strip().lower() == "yes",
            rank=int(row["rank"] or 9),
            note=row["note"].strip(),
        )
    return table


def parse_tone3(text: str) -> tuple[tuple[str, int], ...]:
    """``"lu4 an1"`` → ``(("lu", 4), ("an", 1))``; ``v`` or ``u:`` stand for ``ü``.

    >>> parse_tone3("lv3 liang2")
    (('lü', 3), ('liang', 2))
    """
    out = []
    for token in text.split():
        token = token.strip().lower().replace("u:", "ü").replace("v", "ü")
        tone = int(token[-1]) if token[-1].isdigit() else 5
        out.append((token.rstrip("0123456789"), 0 if tone == 0 else tone))
    return tuple(out)


@lru_cache(maxsize=1)
def readings() -> tuple[Reading, ...]:
    """The place-name readings table (``geonames/data/readings.csv``), in file order.

    Raises ValueError when an entry has not one syllable per character (a broken table is a
    bug of the package, not bad user input).
    """
    table: list[Reading] = []
    for row in _data_rows("readings.csv"):
        hanzi = row["hanzi"].strip()
        pinyin = parse_tone3(row["pinyin"])
        if len(pinyin) != len(hanzi):
            raise ValueError(f"readings.csv: {hanzi} has {len(pinyin)} syllables")
        table.append(Reading(hanzi, pinyin, row["spelling"].strip(), row["kind"].strip(),
                             row["source"].strip(), (row.get("attested") or "").strip(),
                             (row.get("note") or "").strip(),
                             tuple((row.get("scope") or "").split()),
                             (row.get("override") or "").strip().lower() == "yes"))
    return tuple(table)


@dataclass(frozen=True, slots=True)
class MinorityName:
    """The standard romanized form of a name transcribed from a minority language.

    ``hanzi`` is the proper part as written in Chinese (日喀则), ``spelling`` its standard
    romanized form (Xigazê), ``generics`` the generic terms it is the proper part of
    (市|地区|县 …), ``scope`` the code prefix of the area it belongs to (``"54"``), ``code``
    the division it names, ``source`` where the form is published or attested.
    """

    hanzi: str
    spelling: str
    language: str
    generics: tuple[str, ...]
    scope: str
    code: str
    source: str


@dataclass(frozen=True, slots=True)
class MinorityArea:
    """An autonomous region, prefecture or county: names in it may come from ``language``."""

    code: str
    name: str
    language: str


@lru_cache(maxsize=1)
def minority_names() -> tuple[MinorityName, ...]:
    """The minority-language names table (``minority_names.csv``), in file order."""
    return tuple(
        MinorityName(row["hanzi"].strip(), row["spelling"].strip(), row["language"].strip(),
                     tuple(g for g in row["generics"].split("|") if g), row["scope"].strip(),
                     row["code"].strip(), row["source"].strip())
        for row in _data_rows("minority_names.csv"))


@lru_cache(maxsize=1)
def minority_areas() -> tuple[MinorityArea, ...]:
    """Autonomous areas (``minority_areas.csv``): regions, prefectures and counties."""
    return tuple(MinorityArea(row["code"].strip(), row["name"].strip(), row["language"].strip())
                 for row in _data_rows("minority_areas.csv"))


@lru_cache(maxsize=1)
def _minority_index() -> dict[str, tuple[MinorityName, ...]]:
    index: dict[str, list[MinorityName]] = {}
    for m in minority_names():
        index.setdefault(m.hanzi, []).append(m)
    return {h: tuple(v) for h, v in index.items()}


@lru_cache(maxsize=1)
def _area_index() -> tuple[dict[str, MinorityArea], dict[str, MinorityArea]]:
    """Areas by code and by name."""
    areas = minority_areas()
    return {a.code: a for a in areas}, {a.name: a for a in areas}


def _area_of(scope: tuple[str, ...]) -> MinorityArea | None:
    """The most specific autonomous area among the scope prefixes of a code."""
    by_code = _area_index()[0]
    for prefix in reversed(scope):
        if prefix in by_code:
            return by_code[prefix]
    return None


def _minority(part: NamePart, scope: tuple[str, ...]) -> MinorityName | None:
    """The minority-names entry that spells the proper part of ``part``, if any.

    The level must end with one of the entry's generics (和田市, 和田县, 和田地区; not 和田村,
    nor a town named after its county), and a code, when given, must lie in the entry's
    area.
    """
    entries = _minority_index().get(part.proper)
    if not entries:
        return None
    generic = part.term.term if part.term is not None else ""
    for m in entries:
        if generic in m.generics and (not scope or m.scope in scope):
            return m
    return None


# --------------------------------------------------------------------------- characters


@lru_cache(maxsize=1)
def _standard_chars() -> frozenset[str]:
    """The 8,105 characters of the 通用规范汉字表 (``general_standard_chars.txt``)."""
    text = resources.files("geonames.data").joinpath("general_standard_chars.txt").read_text(
        "utf-8")
    return frozenset(line.split("\t")[1] for line in text.splitlines()
                     if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def _t2s() -> object:
    import opencc
    return opencc.OpenCC("t2s")


@lru_cache(maxsize=1 << 16)
def to_simplified(text: str) -> str:
    """Traditional characters of ``text`` as their simplified forms (長沙 → 长沙).

    Only characters outside the 通用规范汉字表 are converted (with OpenCC's ``t2s`` tables), so
    a simplified name stays as written even where OpenCC would change it (乾县 keeps 乾).

    >>> to_simplified("長沙市"), to_simplified("乾县")
    ('长沙市', '乾县')
    """
    rest = set(text).difference(_standard_chars())
    if not rest or not any(_is_han(ch) for ch in rest):
        return text
    table = _standard_chars()
    converted = _t2s().convert(text)  # type: ignore[attr-defined]
    if len(converted) != len(text):
        converted = "".join(_t2s().convert(ch) for ch in text)  # type: ignore[attr-defined]
    if len(converted) != len(text):
        return text
    return "".join(o if o in table or not _is_han(o) else c
                   for o, c in zip(text, converted, strict=True))


@lru_cache(maxsize=1)
def _scope_prefixes() -> tuple[str, ...]:
    """Every code prefix a readings or minority-name entry is scoped to, shortest first."""
    prefixes = {p for r in readings() for p in r.scope}
    prefixes |= {m.scope for m in minority_names() if m.scope}
    prefixes |= {a.code for a in minority_areas()}
    return tuple(sorted(prefixes, key=lambda p: (len(p), p)))


@lru_cache(maxsize=1)
def _prefix_set() -> frozenset[str]:
    return frozenset(_scope_prefixes())


@lru_cache(maxsize=1 << 14)
def scope_of(code: str | None) -> tuple[str, ...]:
    """The scope prefixes a division code lies in (shortest first); ``()`` without a code.

    Scope prefixes are 2, 4, 6 or 9 digits long (province, prefecture, county, township).
    """
    if not code:
        return ()
    code = str(code).strip()
    prefixes = _prefix_set()
    heads = dict.fromkeys(code[:n] for n in (2, 4, 6, 9) if len(code) >= n)
    return tuple(p for p in heads if p in prefixes)


@lru_cache(maxsize=256)
def _table(scope: tuple[str, ...] = ()) -> tuple[dict[str, Reading], dict[str, Reading]]:
    """Entries in force in a scope (see :func:`scope_of`; ``()`` = unscoped entries only).

    Returns the entries of two or more characters and the one-character entries; an entry
    scoped to a longer prefix replaces one scoped to a shorter prefix or unscoped.
    """
    entries = {r.hanzi: r for r in readings() if not r.scope}
    for prefix in scope:
        entries.update({r.hanzi: r for r in readings() if prefix in r.scope})
    multi = {h: r for h, r in entries.items() if len(h) > 1}
    chars = {h: r for h, r in entries.items() if len(h) == 1}
    return multi, chars


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    """Entries that are proper names (never split into proper and generic part)."""
    return frozenset(r.hanzi for r in readings() if r.kind == "name")


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    return {r.hanzi: r.spelling for r in readings() if r.spelling}


@lru_cache(maxsize=1)
def _generics_by_length() -> tuple[int, dict[str, GenericTerm]]:
    terms = generic_terms()
    return max(len(t) for t in terms), terms


@lru_cache(maxsize=1)
def _level_generics() -> dict[str, tuple[int, ...]]:
    """Generic → level ranks (0 province … 4 village) for generics that end a division name."""
    return {t.term: tuple(LEVELS.index(lv) for lv in t.levels)
            for t in generic_terms().values() if t.levels}


# --------------------------------------------------------------------------- readings


_HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f〇"
_HAN_ONLY = re.compile(f"[{_HAN_CLASS}]+")
#: Runs of Han characters, or single other characters.
_HAN_RUNS = re.compile(f"[{_HAN_CLASS}]+|[^{_HAN_CLASS}]")
#: Runs of characters that separate words (anything but letters, digits and Han).
_SEPARATORS = re.compile(r"[\W_]+")


def _is_han(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3134F
            or 0xF900 <= o <= 0xFAFF or ch == "〇")


@lru_cache(maxsize=4096)
def _split_tone(marked: str) -> tuple[str, int]:
    """``"lǜ"`` → ``("lü", 4)``; unmarked syllables are neutral (5)."""
    tone = 5
    kept = []
    for ch in unicodedata.normalize("NFD", marked):
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


@lru_cache(maxsize=1)
def _pypinyin() -> tuple:
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
    from pypinyin.seg.mmseg import seg
    return seg, PHRASES_DICT, PINYIN_DICT


@lru_cache(maxsize=1 << 16)
def _pypinyin_word(word: str) -> tuple[tuple[str, int, bool], ...]:
    _, phrases, chars = _pypinyin()
    if word in phrases:
        multi = len(word) > 1
        return tuple((*_split_tone(item[0]), multi) for item in phrases[word])
    out = []
    for ch in word:
        found = chars.get(ord(ch))
        out.append((*_split_tone(found.split(",")[0]), False) if found else (ch, -1, False))
    return tuple(out)


def _pypinyin_run(run: str) -> list[tuple[str, int, bool]]:
    """pypinyin's reading of a run of Han characters: ``(syllable, tone, from_phrase)`` each.

    Same segmentation (forward maximum matching over its phrase dictionary) and the same
    dictionaries as ``pypinyin.lazy_pinyin``, without its per-call style machinery.
    """
    seg = _pypinyin()[0]
    out: list[tuple[str, int, bool]] = []
    for word in seg.cut(run):
        out.extend(_pypinyin_word(word))
    return out


@lru_cache(maxsize=256)
def _table_regex(scope: tuple[str, ...] = ()) -> re.Pattern | None:
    """Alternation of the multi-character entries, longest first (leftmost-longest match)."""
    multi = _table(scope)[0]
    if not multi:
        return None
    return re.compile("|".join(re.escape(h) for h in sorted(multi, key=len, reverse=True)))


def _read(text: str, scope: tuple[str, ...] = ()
          ) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...]]:
    """One ``(syllable, tone)`` per character of ``text`` and the table entries used.

    Tone -1 marks a character that is not Han (kept as written, lower-cased in keys).
    Readings-table entries of two or more characters are matched first (longest first, left to
    right); the rest is read by pypinyin, and characters pypinyin reads on their own (not in one
    of its phrases) take the table's place-name reading of the character when there is one;
    entries marked ``override`` take it inside pypinyin's phrases too.
    """
    multi, char_table = _table(scope)
    pattern = _table_regex(scope)
    out: list[tuple[str, int]] = []
    used: list[str] = []
    pos = 0
    if pattern is not None:
        for m in pattern.finditer(text):
            if m.start() > pos:
                _read_gap(text[pos:m.start()], char_table, out, used)
            entry = multi[m.group()]
            out.extend(entry.pinyin)
            used.append(entry.hanzi)
            pos = m.end()
    if pos < len(text):
        _read_gap(text[pos:], char_table, out, used)
    return tuple(out), tuple(used)


def _read_gap(text: str, char_table: dict[str, Reading], out: list, used: list) -> None:
    """Read text no multi-character entry covers: pypinyin, then the character entries."""
    for run in _HAN_RUNS.findall(text):
        if not _HAN_ONLY.match(run):
            out.append((run, -1))
            continue
        read = _pypinyin_run(run)
        if char_table.keys().isdisjoint(run):
            out.extend((syl, tone) for syl, tone, _ in read)
            continue
        for ch, (syl, tone, phrase) in zip(run, read, strict=True):
            entry = char_table.get(ch)
            if entry is not None and (not phrase or entry.override):
                out.append(entry.pinyin[0])
                used.append(ch)
            else:
                out.append((syl, tone))


# --------------------------------------------------------------------------- segmentation


@dataclass(frozen=True, slots=True)
class NamePart:
    """One level of a name, split into its proper and generic parts.

    Attributes
    ----------
    text : str
        The level as written (``"渝中区"``).
    proper : str
        Proper part (``"渝中"``), peoples' names of an autonomous area excluded.
    generic : str
        Generic part (``"区"``), ``""`` when the level has none or it is absorbed.
    term : GenericTerm or None
        The generic term found at the end of the level (also when it is absorbed: 王村 → 村).
    peoples : tuple of str
        Names of peoples before the generic of an autonomous area (``("土家族", "苗族")``).
    ordinal : str
        An ordinal number before the proper part, written as a word of its own
        (第二松花江 → 第二, 松花, 江: ``Di'er Songhua Jiang``, GB/T 16159-2012).
    """

    text: str
    proper: str
    generic: str
    term: GenericTerm | None
    peoples: tuple[str, ...] = ()
    ordinal: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        """The written words of the level, in Chinese characters."""
        lead = (self.ordinal,) if self.ordinal else ()
        if self.term is not None and self.term.absorbing or not self.generic:
            return lead + ((self.text[len(self.ordinal):],) if not self.peoples
                           else (self.proper, *self.peoples))
        generic_words = self.term.words if self.term and self.term.term == self.generic \
            else (self.generic,)
        return lead + tuple(w for w in (self.proper, *self.peoples, *generic_words) if w)


def _generic_at_end(text: str) -> GenericTerm | None:
    """The generic term ending ``text`` (leaving a non-empty proper part).

    The longest one, unless a shorter one leaves a proper part that the readings table
    lists as a name (下花园区: 下花园 + 区, not 下花 + 园区).
    """
    longest, terms = _generics_by_length()
    names = _names()
    found = None
    for size in range(min(longest, len(text) - 1), 0, -1):
        term = terms.get(text[-size:])
        if term is not None:
            if text[:-size] in names:
                return term
            found = found or term
    return found


#: Peoples' names as written in names: with 族 for all, bare for those of two characters or
#: more (维吾尔, 蒙古 …).
_PEOPLES = frozenset({g + "族" for g in ETHNIC_GROUPS} | {g for g in ETHNIC_GROUPS if len(g) > 1})
_PEOPLE_LENGTHS = tuple(sorted({len(p) for p in _PEOPLES}, reverse=True))


def _strip_peoples(proper: str) -> tuple[str, tuple[str, ...]]:
    """Split peoples' names off the end of a proper part: 酉阳土家族苗族 → 酉阳, (土家族, 苗族)."""
    peoples: list[str] = []
    names = _names()
    while proper not in names:
        for size in _PEOPLE_LENGTHS:
            if len(proper) > size and proper[-size:] in _PEOPLES:
                peoples.insert(0, proper[-size:])
                proper = proper[:-size]
                break
        else:
            break
    return proper, tuple(peoples)


@lru_cache(maxsize=1 << 16)
def _part(text: str) -> NamePart:
    names = _names()
    if text in names:
        return NamePart(text, text, "", None)
    term = _generic_at_end(text)
    if term is None:
        return NamePart(text, text, "", None)
    proper, generic = text[: -len(term.term)], term.term
    ordinal = ""
    found = _ORDINAL.match(proper)
    if found and found.end() < len(proper):
        ordinal, proper = found.group(), proper[found.end():]
    if term.absorbing:
        return NamePart(text, proper, generic, term, ordinal=ordinal)
    if (not term.levels and len(generic) <= 2 and len(proper) >= 3
            and proper[-1] in MODIFIERS and proper not in names):
        # a one-syllable modifier joins the generic it modifies (景山后街 Jingshan Houjie,
        # 朝阳门内大街 Chaoyangmen Neidajie)
        generic = proper[-1] + generic
        proper = proper[:-1]
    peoples: tuple[str, ...] = ()
    if term.term in _AUTONOMOUS and (term.term.startswith("自治") or "族" in proper):
        proper, peoples = _strip_peoples(proper)
        if term.term in {"乡", "镇", "苏木"} and not any(p.endswith("族") for p in peoples):
            proper, peoples = text[: -len(term.term)], ()
    return NamePart(text, proper, generic, term, peoples, ordinal)


#: An ordinal number (第二) at the start of a proper part.
_ORDINAL = re.compile("第[零〇一二三四五六七八九十百千两]+")


def _min_proper(term: str) -> int:
    return 1 if term in {"县", "省"} else 2


def _level_split(text: str) -> list[str]:
    """Split a run of characters into levels (重庆市渝中区 → 重庆市, 渝中区) or keep it whole.

    A split is kept only when every level but the last ends with an administrative generic
    whose proper part is long enough (two characters, one for 县 and 省), the levels go
    strictly down (province → … → village), and the last level has a proper part (two
    characters or more when it has no administrative generic). A split never cuts the generic
    that ends the whole name. The split with the most levels wins.
    """
    if not _LEVEL_END.search(text, 1, len(text) - 1):
        return [text]
    longest, terms = _generics_by_length()
    last_generic_start = len(text) - 1
    for size in range(min(longest, len(text)), 0, -1):
        if text[-size:] in terms:
            last_generic_start = len(text) - size
            break
    if not _LEVEL_END.search(text, 1, last_generic_start):
        return [text]
    level_generics = _level_generics()
    memo: dict[tuple[int, int], tuple[str, ...] | None] = {}

    def best(start: int, below: int) -> tuple[str, ...] | None:
        if (start, below) in memo:
            return memo[start, below]
        rest = text[start:]
        options: list[tuple[str, ...]] = []
        # the rest as the last level
        term = _generic_at_end(rest)
        ranks = level_generics.get(term.term, ()) if term else ()
        if start == 0:
            options.append((rest,))
        elif ranks and term is not None:
            if any(r > below for r in ranks) and len(rest) - len(term.term) >= _min_proper(
                    term.term):
                options.append((rest,))
        elif len(rest) >= 2:
            options.append((rest,))
        # a level ending inside
        for end in range(start + 2, last_generic_start):
            if text[end - 1] not in _LEVEL_END_CHARS:
                continue
            segment = text[start:end]
            term = _generic_at_end(segment)
            ranks = level_generics.get(term.term, ()) if term else ()
            if term is None or not ranks or len(segment) - len(term.term) < _min_proper(
                    term.term):
                continue
            for rank in sorted(r for r in ranks if r > below):
                tail = best(end, rank)
                if tail is not None:
                    options.append((segment, *tail))
                    break
        memo[start, below] = found = max(options, key=len) if options else None
        return found

    found = best(0, -1)
    return list(found) if found and len(found) > 1 else [text]


_LEVEL_END_CHARS = frozenset("省区市州盟县旗道镇乡木")
_LEVEL_END = re.compile(f"[{''.join(sorted(_LEVEL_END_CHARS))}]")


@lru_cache(maxsize=1 << 16)
def split_name(name: str) -> tuple[NamePart, ...]:
    """Split a name into levels, each into proper and generic part.

    Separators (spaces, '·', '-', brackets …) end a level too.

    >>> [(p.proper, p.generic) for p in split_name("重庆市渝中区解放碑街道")]
    [('重庆', '市'), ('渝中', '区'), ('解放碑', '街道')]
    >>> [(p.proper, p.peoples, p.generic) for p in split_name("酉阳土家族苗族自治县")]
    [('酉阳', ('土家族', '苗族'), '自治县')]
    """
    parts: list[NamePart] = []
    for chunk in _SEPARATORS.split(name):
        if chunk:
            parts.extend(_part(level) for level in _level_split(chunk))
    return tuple(parts)


# --------------------------------------------------------------------------- writing


def _ascii(syllable: str) -> str:
    return syllable.replace("ü", "v").replace("ê", "e")


def _mark(syllable: str, tone: int) -> str:
    if tone not in _MARK_OF_TONE:
        return syllable
    if "a" in syllable:
        at = syllable.index("a")
    elif "e" in syllable:
        at = syllable.index("e")
    elif "ou" in syllable:
        at = syllable.index("o")
    else:
        at = max((syllable.rfind(v) for v in "iouü"), default=-1)
        if at < 0:
            return syllable
    return unicodedata.normalize(
        "NFC", syllable[: at + 1] + _MARK_OF_TONE[tone] + syllable[at + 1:])


def _write_word(syllables: Iterable[tuple[str, int]], tones: bool) -> str:
    out: list[str] = []
    previous_han = False
    for syllable, tone in syllables:
        if tone < 0:
            out.append(syllable)
            previous_han = False
            continue
        if previous_han and syllable[:1] in ("a", "o", "e"):
            out.append(_APOSTROPHE_TONED if tones else _APOSTROPHE)
        out.append(_mark(syllable, tone) if tones else syllable)
        previous_han = True
    word = "".join(out)
    return word[:1].upper() + word[1:]


@dataclass(frozen=True, slots=True)
class Romanization:
    """The romanization of one name.

    Attributes
    ----------
    name : str
        The name as given.
    text : str
        The romanized name (``"Jiefangbei Jiedao"``).
    words : tuple of str
        ``text`` word by word.
    syllables : tuple of str
        Toneless syllables in order, lower case ASCII (``ü`` as ``v``); a run of Latin letters
        or digits in the name counts as one syllable.
    tones : tuple of int
        Tone of each syllable (1–4, 5 neutral, -1 for non-Han runs).
    parts : tuple of NamePart
        The levels of the name with their proper and generic parts.
    sources : tuple of str
        Readings-table entries used (hanzi), in order.
    key : str
        Toneless syllables joined (``"jiefangbeijiedao"``): the pinyin-search key.
    initials : str
        First letter of each syllable (``"jfbjd"``).
    transcription : str
        For a name in an autonomous area (:func:`minority_areas`, from the code or from a
        level of the name): ``"transcribed"`` when the place's own name is written in its
        standard form transcribed from the minority language (日喀则市 ``Xigazê Shi``),
        ``"not transcribed"`` when it is Hanyu pinyin of the Chinese form; ``""`` elsewhere.
    transcription_source : str
        Where the transcribed form is published or attested (or, when not transcribed, the
        area and its language).
    simplified : str
        The name read, with traditional characters as their simplified forms (長沙 → 长沙).
    """

    name: str
    text: str
    words: tuple[str, ...]
    syllables: tuple[str, ...]
    tones: tuple[int, ...]
    parts: tuple[NamePart, ...]
    sources: tuple[str, ...]
    key: str
    initials: str
    transcription: str = ""
    transcription_source: str = ""
    simplified: str = ""

    def __str__(self) -> str:
        return self.text

    @property
    def toned_key(self) -> str:
        """Syllables with their tone numbers joined (``"jie3fang4bei1"``): the homophone key."""
        return "".join(f"{s}{t}" if t > 0 else s for s, t in zip(self.syllables, self.tones,
                                                                strict=True))

    @property
    def note(self) -> str:
        """One line on the transcription (Chinese, then English), ``""`` outside minority areas."""
        if self.transcription == "transcribed":
            return f"少数民族语地名标准转写 / transcribed: {self.transcription_source}"
        if self.transcription == "not transcribed":
            return ("未转写，按汉字书写的汉语拼音 / not transcribed: Hanyu pinyin of the Chinese "
                    f"form, not a transcription ({self.transcription_source})")
        return ""


@lru_cache(maxsize=1 << 16)
def _level(text: str, tones: bool, scope: tuple[str, ...], place: bool = False) -> tuple:
    part = _part(text)
    if place and part.term is not None and part.term.category.startswith("1"):
        # the name of a settlement or division: 山, 江, 河 … belong to the proper name
        # (梁山, the old name of 梁平县: Liangshan, not the mountain Liang Shan)
        part = NamePart(text, text, "", None)
    spelled = _spellings()
    sounds, used = _read(text, scope)
    minority = _minority(part, scope)
    words: list[str] = []
    at = 0
    for word in part.words:
        start = text.index(word, at)
        syl = sounds[start:start + len(word)]
        at = start + len(word)
        if minority is not None and word == part.proper and start == len(part.ordinal):
            words.append(minority.spelling)
        else:
            words.append(spelled[word] if word in spelled else _write_word(syl, tones))
    syllables: list[str] = []
    tone_list: list[int] = []
    previous_raw = False
    for syllable, tone in sounds:
        if tone < 0:
            if syllable.isalnum():
                if previous_raw:
                    syllables[-1] += syllable.lower()
                else:
                    syllables.append(syllable.lower())
                    tone_list.append(-1)
                previous_raw = True
            continue
        syllables.append(syllable if syllable.isascii() else _ascii(syllable))
        tone_list.append(tone)
        previous_raw = False
    return tuple(words), tuple(syllables), tuple(tone_list), used, minority


def _transcription(parts: tuple[NamePart, ...], minority: MinorityName | None,
                   scope: tuple[str, ...], seen: MinorityName | None) -> tuple[str, str]:
    """(transcription flag, source) of a name: see :class:`Romanization`.

    ``minority`` is the entry that spelled the last level (the place itself), ``seen`` one
    that spelled any level: a level above tells the area too (吐鲁番市高昌区).
    """
    area = _area_of(scope)
    if area is None:
        by_name = _area_index()[1]
        area = next((by_name[p.text] for p in parts if p.text in by_name), None)
    if area is None and seen is not None:
        area = _area_index()[0].get(seen.scope)
    if minority is not None:
        return "transcribed", f"{minority.spelling}: {minority.source}"
    if area is None:
        return "", ""
    return "not transcribed", f"{area.name} {area.code}, {area.language}"


@lru_cache(maxsize=1 << 16)
def romanize(name: str, tones: bool = False, code: str | None = None,
             place: bool = False) -> Romanization:
    """Romanize a place name after GB/T 16159-2012.

    Parameters
    ----------
    name : str
        A place name in Chinese characters; it may span several levels
        (``"重庆市渝中区解放碑街道"``). Latin letters and digits are kept as written; spaces,
        '·', '-' and brackets separate words. Traditional characters are read as their
        simplified forms (長沙 → ``Changsha``).
    tones : bool
        Write tone marks (``"Chóngqìng Shì"``); the apostrophe is then ``’``.
    code : str, optional
        A division code of the place, or of the division it lies in (any length):
        readings-table entries scoped to a prefix of it apply (闵行 is Minhang in Shanghai;
        地窝堡 Diwopu in Urumqi 6501), minority-language forms of names in its autonomous area
        apply to any administrative level, and names in an autonomous area are flagged
        ``transcription="not transcribed"`` when no standard transcribed form is known.
    place : bool
        The name is known to name a settlement or division, not a natural feature: a
        natural-feature generic at its end (山 江 河 湖 …) is part of the proper name and written
        joined (梁山 → ``Liangshan``; without ``place``, 梁山 is read as a mountain,
        ``Liang Shan``, as 泰山 ``Tai Shan``).

    Returns
    -------
    Romanization
        ``.text``, ``.words``, ``.syllables``, ``.key``, ``.initials``, the split ``.parts``
        and ``.transcription``.

    Examples
    --------
    >>> romanize("酉阳土家族苗族自治县").text
    'Youyang Tujiazu Miaozu Zizhixian'
    >>> romanize("景山后街").text, romanize("王村").text, romanize("南岸区").text
    ('Jingshan Houjie', 'Wangcun', "Nan'an Qu")
    >>> r = romanize("日喀则市")
    >>> r.text, r.transcription
    ('Xigazê Shi', 'transcribed')
    """
    simple = to_simplified(name)
    parts = split_name(simple)
    scope = scope_of(code)
    words: tuple[str, ...] = ()
    syllables: tuple[str, ...] = ()
    tone_list: tuple[int, ...] = ()
    used: tuple[str, ...] = ()
    minority = seen = None
    for part in parts:
        w, sy, tn, us, minority = _level(part.text, tones, scope, place)
        words, syllables, tone_list, used = words + w, syllables + sy, tone_list + tn, used + us
        seen = minority or seen
    flag, source = _transcription(parts, minority, scope, seen) if parts else ("", "")
    return Romanization(
        name=name, text=" ".join(words), words=words, syllables=syllables,
        tones=tone_list, parts=parts, sources=tuple(dict.fromkeys(used)),
        key="".join(syllables), initials="".join([s[0] for s in syllables if s]),
        transcription=flag, transcription_source=source, simplified=simple,
    )


def romanize_many(names: Iterable[str], tones: bool = False,
                  codes: Iterable[str | None] | None = None) -> list[Romanization]:
    """:func:`romanize` over many names (missing values give an empty romanization).

    ``codes``, when given, runs parallel to ``names`` (see ``code`` of :func:`romanize`).
    """
    names = list(names)
    code_list = list(codes) if codes is not None else [None] * len(names)
    with gc_paused():
        return [romanize(n if isinstance(n, str) else "", tones,
                         c if isinstance(c, str) and c else None)
                for n, c in zip(names, code_list, strict=True)]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a batch.

    Romanizing or checking many names builds many small, long-lived (cached) objects, none in
    reference cycles; with the collector on, each batch of allocations triggers collections
    that walk all of them again. Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def pinyin_key(name: str) -> str:
    """Toneless pinyin of a name, syllables joined: ``pinyin_key("解放碑") == "jiefangbei"``."""
    return romanize(name).key


def initials(name: str) -> str:
    """First letters of the syllables of a name: ``initials("解放碑") == "jfb"``."""
    return romanize(name).initials


def clear_caches() -> None:
    """Empty the per-name, per-level and per-run caches (the data tables stay loaded).

    For benchmarks that must start cold; normal use never needs it.
    """
    for fn in (romanize, _level, _part, split_name, _pypinyin_word, to_simplified, scope_of):
        fn.cache_clear()
