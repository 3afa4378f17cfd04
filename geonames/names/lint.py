"""Naming-rule checks over a list of place names (地名管理条例; the 2018–2020 clean-up of 大 洋 怪 重).

:func:`lint_names` takes parallel sequences (names, and optionally their division codes, levels,
given romanizations, categories, ids and geometries) and returns
:class:`~geonames.findings.Finding` objects:

===========================  ==============================================================
``name.duplicate``           the same name twice or more within the scope of its level
``name.homophone``           different names with the same toneless pinyin within the scope
``name.exaggerated``         大: 宇宙 中央 世界 国际 …, or a generic claiming a bigger place
``name.foreign``             洋: foreign place or person names, foreign words, Latin words
``name.odd``                 怪: digits, one or two Latin letters, '·' '-' …, vulgar/feudal words
``name.generic_mismatch``    the generic term does not fit the code's range, level or category
``name.rare_char``           characters outside the 通用规范汉字表 (8,105 characters)
``name.romanization``        a given romanization that differs from :func:`geonames.names.romanize.romanize`
``name.bad_code``            a code that does not parse (the row leaves the scope checks)
``name.empty``               a row without a name
===========================  ==============================================================

The rules (scopes per level, word lists, exemptions, severities) are data:
``geonames/data/naming_rules.toml`` holds the defaults (the 1986 national rule), and
:func:`parse_rules` lays a user's TOML over them.

The scope of a name is found from its code: a village name (12-digit code) with the default
scope "township" is compared with the names whose codes share the first 9 digits. A code
coarser than the scope (a road given with its county's code while roads are compared within a
township) places the name in that coarser area. Without codes, the whole list is one area.

>>> found = lint_names(["新华村", "新华村", "欣华村"], ["500101001201", "500101001202",
...                                                  "500101001203"])
>>> sorted(f.code for f in found)
['name.duplicate', 'name.homophone']

Homophones are compared with their tones by default (新华 xīnhuá and 新化 xīnhuà differ):

>>> [f.code for f in lint_names(["新华村", "新化村"], ["500101001201", "500101001202"])]
[]
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import shapely

from geonames.divisions.codes import parse_code
from geonames.errors import CodeError, GeonamesError
from geonames.findings import Finding, Severity, subject_of
from geonames.names.romanize import GenericTerm, gc_paused, romanize, split_name

__all__ = [
    "CHECKS", "SCOPES", "NameRules", "default_rules", "general_standard_chars", "level_of",
    "lint_names", "parse_rules", "rare_characters",
]

#: Every finding code this module reports.
CHECKS = ("name.duplicate", "name.homophone", "name.exaggerated", "name.foreign", "name.odd",
          "name.generic_mismatch", "name.rare_char", "name.romanization", "name.bad_code",
          "name.empty")

#: Scope → number of leading code digits that identify the area.
SCOPES = {"nation": 0, "province": 2, "prefecture": 4, "county": 6, "township": 9}

#: Level → size rank (1 the largest), compared with the rank a generic term claims.
LEVEL_RANK = {"province": 1, "prefecture": 2, "county": 3, "township": 4, "village": 5,
              "residential": 6, "road": 7, "other": 9}

#: Words accepted for a level in a level column, besides the English level names.
LEVEL_ALIASES = {
    "省": "province", "省级": "province", "地级": "prefecture", "地": "prefecture",
    "市": "prefecture", "县": "county", "县级": "county", "区县": "county", "乡": "township",
    "乡级": "township", "镇": "township", "乡镇": "township", "街道": "township", "村": "village",
    "村级": "village", "社区": "village", "路": "road", "街": "road", "街巷": "road",
    "道路": "road", "street": "road", "居民点": "residential", "小区": "residential",
}

_SCOPE_WORDS = {"nation": "the nation", "province": "a province", "prefecture": "a prefecture",
                "county": "a county", "township": "a township"}
_SOURCE = "地名管理条例 Art. 4 (1986; revised 2022)"


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class NameRules:
    """The configuration of the checks (see ``geonames/data/naming_rules.toml``)."""

    scopes: dict[str, str]
    severity: dict[str, Severity]
    exaggerated_words: tuple[str, ...]
    exaggerated_exempt: tuple[str, ...]
    check_generic_rank: bool
    foreign_words: tuple[str, ...]
    foreign_exempt: tuple[str, ...]
    latin_word_length: int
    odd_symbols: str
    odd_words: tuple[str, ...]
    odd_exempt: tuple[str, ...]
    rare_allowed: frozenset[str]
    check_category: bool
    homophone_tones: bool = True
    source: str = "default (1986 national rule)"
    patterns: dict[str, re.Pattern | None] = field(default_factory=dict, compare=False)

    def scope_of(self, level: str) -> str:
        """The scope names of ``level`` are compared within (``"other"`` for unknown levels)."""
        return self.scopes.get(level, self.scopes.get("other", "county"))

    def pattern(self, kind: str) -> re.Pattern | None:
        """Compiled alternation of a word list (``"exaggerated"``, ``"foreign"``, ``"odd"``)."""
        if kind not in self.patterns:
            words = getattr(self, f"{kind}_words")
            self.patterns[kind] = re.compile("|".join(
                re.escape(w) for w in sorted(words, key=len, reverse=True))) if words else None
        return self.patterns[kind]


_TOP_KEYS = {"scopes", "severity", "exaggerated", "foreign", "odd", "rare_char", "generic",
             "homophone"}


def _default_toml() -> dict[str, Any]:
    text = resources.files("geonames.data").joinpath("naming_rules.toml").read_text("utf-8")
    return tomllib.loads(text)


def parse_rules(text: str | None = None, source: str = "") -> NameRules:
    """Rules from TOML text laid over the defaults (tables merged key by key, lists replaced).

    Raises
    ------
    GeonamesError
        On TOML syntax errors, unknown sections, unknown scopes or severities.

    >>> parse_rules('[scopes]\\nvillage = "county"').scope_of("village")
    'county'
    """
    data = _default_toml()
    if text:
        try:
            user = tomllib.loads(text)
        except tomllib.TOMLDecodeError as err:
            raise GeonamesError(f"rules {source or 'text'}: {err}") from None
        unknown = set(user) - _TOP_KEYS
        if unknown:
            raise GeonamesError(f"rules {source or 'text'}: unknown section(s) "
                                f"{', '.join(sorted(unknown))}; known: {', '.join(sorted(_TOP_KEYS))}")
        for key, value in user.items():
            if not isinstance(value, dict):
                raise GeonamesError(f"rules {source or 'text'}: [{key}] must be a table")
            data[key] = {**data.get(key, {}), **value}
    scopes = {str(k): str(v) for k, v in data["scopes"].items()}
    for level, scope in scopes.items():
        if scope not in SCOPES:
            raise GeonamesError(f"rules {source or 'text'}: scope {scope!r} for {level!r} is not "
                                f"one of {', '.join(SCOPES)}")
    severity: dict[str, Severity] = {}
    for code, value in data["severity"].items():
        try:
            severity[code] = Severity(value)
        except ValueError:
            raise GeonamesError(f"rules {source or 'text'}: severity {value!r} of {code} is not "
                                "error, warning or info") from None
    ex, fo, odd = data["exaggerated"], data["foreign"], data["odd"]
    return NameRules(
        scopes=scopes, severity=severity,
        exaggerated_words=tuple(ex.get("words", ())), exaggerated_exempt=tuple(ex.get("exempt", ())),
        check_generic_rank=bool(ex.get("check_generic_rank", True)),
        foreign_words=tuple(fo.get("words", ())), foreign_exempt=tuple(fo.get("exempt", ())),
        latin_word_length=int(fo.get("latin_word_length", 3)),
        odd_symbols=str(odd.get("symbols", "")), odd_words=tuple(odd.get("words", ())),
        odd_exempt=tuple(odd.get("exempt", ())),
        rare_allowed=frozenset(str(data["rare_char"].get("allowed", ""))),
        check_category=bool(data["generic"].get("check_category", True)),
        homophone_tones=bool(data.get("homophone", {}).get("tones", True)),
        source=source or "default (1986 national rule)",
    )


@lru_cache(maxsize=1)
def default_rules() -> NameRules:
    """The shipped rules: the 1986 national scopes and the clean-up word lists."""
    return parse_rules()


# --------------------------------------------------------------------------- characters


@lru_cache(maxsize=1)
def general_standard_chars() -> frozenset[str]:
    """The 8,105 characters of the 通用规范汉字表 (2013), from Unihan's kTGH field."""
    text = resources.files("geonames.data").joinpath("general_standard_chars.txt").read_text(
        "utf-8")
    return frozenset(line.split("\t")[1] for line in text.splitlines()
                     if line and not line.startswith("#"))


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3FFFF
            or 0xF900 <= o <= 0xFAFF or 0x2E80 <= o <= 0x2FDF or 0x31C0 <= o <= 0x31EF)


def rare_characters(name: str, allowed: Iterable[str] = ()) -> list[str]:
    """Chinese characters of ``name`` outside the 通用规范汉字表, in order, without repeats.

    >>> rare_characters("柳树瞿阝镇"), rare_characters("解放碑")
    (['阝'], [])
    """
    table = general_standard_chars()
    allowed = set(allowed)
    return list(dict.fromkeys(ch for ch in name
                              if _is_cjk(ch) and ch not in table and ch not in allowed))


# --------------------------------------------------------------------------- per name


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the checks need to know about one distinct name (computed once per name).

    ``key`` groups homophones (toned syllables by default, toneless with
    ``[homophone] tones = false``); ``pinyin`` is the toneless key shown in messages.
    """

    key: str
    pinyin: str
    text: str
    term: GenericTerm | None
    proper: str
    exaggerated: tuple[str, ...]
    foreign: tuple[str, ...]
    odd: tuple[str, ...]
    rare: tuple[str, ...]


_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]+")
#: A bracketed note (（社区）, (其他片区)): not part of the name's generic or level.
_NOTE = re.compile(r"[（(][^（）()]*[）)]")


def without_notes(name: str) -> str:
    """The name without bracketed notes: ``"东风（社区）"`` → ``"东风"`` (the name itself when
    nothing else is left)."""
    if "（" not in name and "(" not in name:
        return name
    return _NOTE.sub("", name).strip() or name
_DIGITS = re.compile(r"[0-9０-９]+")


def _facts(name: str, rules: NameRules) -> _Facts:
    r = romanize(name)
    base = without_notes(name)
    parts = split_name(base)
    last = parts[-1] if parts else None
    term = last.term if last is not None else None
    proper = base[: len(base) - len(term.term)] if term is not None else base
    ex_pattern, fo_pattern, odd_pattern = (rules.pattern("exaggerated"), rules.pattern("foreign"),
                                           rules.pattern("odd"))
    hits_ex = tuple(dict.fromkeys(ex_pattern.findall(proper))) if ex_pattern else ()
    foreign: list[str] = list(dict.fromkeys(fo_pattern.findall(name))) if fo_pattern else []
    odd: list[str] = []
    for run in _LATIN.findall(name):
        if len(run) >= rules.latin_word_length:
            foreign.append(f"Latin word {run}")
        else:
            odd.append(f"Latin letters {run}")
    digits = _DIGITS.findall(name)
    if digits:
        bare = _DIGITS.sub("", proper).strip()
        odd.append(f"digits only ({''.join(digits)})" if not bare
                   else f"digits mixed with characters ({', '.join(digits)})")
    symbols = [ch for ch in name.strip() if ch in rules.odd_symbols]
    if symbols:
        odd.append(f"symbol {' '.join(dict.fromkeys(symbols))} inside the name")
    if odd_pattern:
        odd.extend(f"word {w}" for w in dict.fromkeys(odd_pattern.findall(name)))
    key = r.toned_key if rules.homophone_tones else r.key
    return _Facts(key, r.key, r.text, term, proper, hits_ex, tuple(foreign), tuple(odd),
                  tuple(rare_characters(name, rules.rare_allowed)))


def level_of(term: GenericTerm | None, code_level: str | None, given: str | None,
             own_code: bool = False) -> str:
    """The level a name is checked at.

    The given level wins (English level names or 省/县/乡/村/路 …); else the level of the
    code when it is the place's own code (``own_code``) or the generic is administrative or
    absent; else the kind of feature the generic implies (road, residential, other).

    >>> level_of(None, "village", None), level_of(None, None, "村"), level_of(None, None, None)
    ('village', 'village', 'other')
    """
    if given:
        g = given.strip()
        return LEVEL_ALIASES.get(g, g.lower())
    if own_code and code_level:
        return code_level
    if term is not None and not term.levels:
        if term.category.startswith("7"):
            return "road"
        if term.category.startswith("5") or term.category == "10":
            return "residential"
        return "other"
    if code_level:
        return code_level
    if term is not None and term.levels:
        return term.levels[-1]
    return "other"


# --------------------------------------------------------------------------- the checks


#: A valid parent to probe the range of a township or village part with (see :func:`_code`).
_PROBE = {9: "110101", 12: "110101001"}


def _code(code: str, parents: dict[str, tuple[str, str, str] | str]
          ) -> tuple[str, str, str] | str:
    """:func:`_parse` with 9- and 12-digit codes split into a parent and a last part, so that
    ``parents`` (a cache for one call) holds parents and :func:`_parse`'s cache the 1,000
    possible last parts, not every code."""
    n = len(code)
    if n in _PROBE and code.isdigit() and code.isascii():
        head = code[:-3]
        parent = parents.get(head)
        if parent is None:
            parent = parents[head] = _code(head, parents)
        last = _parse(_PROBE[n] + code[-3:])
        if isinstance(parent, str) or isinstance(last, str):
            return _parse(code)
        return code, last[1], last[2]
    found = parents.get(code)
    if found is None:
        found = parents[code] = _parse(code)
    return found


@lru_cache(maxsize=1 << 12)
def _parse(code: str) -> tuple[str, str, str] | str:
    """(canonical code, level, kind) or the reason the code is invalid."""
    try:
        c = parse_code(code)
    except CodeError as err:
        return str(err)
    return c.code, str(c.level), c.kind


def _column(values: Sequence[Any] | None, n: int, what: str) -> list[str]:
    if values is None:
        return [""] * n
    out = ["" if v is None or (isinstance(v, float) and v != v) else str(v).strip()
           for v in values]
    if len(out) != n:
        raise GeonamesError(f"{what} has {len(out)} values for {n} names")
    return out


def lint_names(
    names: Sequence[str | None],
    codes: Sequence[str | None] | None = None,
    *,
    levels: Sequence[str | None] | None = None,
    romanized: Sequence[str | None] | None = None,
    categories: Sequence[str | None] | None = None,
    ids: Sequence[str | None] | None = None,
    geometries: Sequence[Any] | np.ndarray | None = None,
    rules: NameRules | None = None,
    checks: Iterable[str] | None = None,
    own_codes: bool | None = None,
) -> list[Finding]:
    """Check a list of place names against the naming rules.

    Parameters
    ----------
    names : sequence of str
        The names (one per place).
    codes : sequence of str, optional
        Division code of each place: its own code (a village's 12 digits) or that of the
        division it lies in (a road's township). Gives the level and the scope area.
    levels : sequence of str, optional
        Level of each name (``province`` … ``village``, ``road``, ``residential``, ``other``,
        or 省/县/乡/村/路 …); inferred from the code and generic when not given.
    romanized : sequence of str, optional
        Given romanizations, compared with :func:`geonames.names.romanize.romanize`.
    categories : sequence of str, optional
        Given GB/T 18521 category codes, compared with the generic term's category.
    ids : sequence of str, optional
        Ids used in finding subjects (default: the codes, else ``row<N>``, 1-based).
    geometries : sequence of shapely geometries, optional
        Locations (in the caller's metric CRS); findings get the representative points of the
        places involved.
    rules : NameRules, optional
        Default :func:`default_rules`.
    checks : iterable of str, optional
        Finding codes to run (default all of :data:`CHECKS`).
    own_codes : bool, optional
        True: each code is the place's own division code (a list of divisions, such as the
        statistical code tables); False: the code of the division the place lies in (a list of
        roads or residential areas). None (default) decides from the data: own codes when no
        code repeats and at most 10 % of the coded names have a non-administrative generic.

    Returns
    -------
    list of Finding
        Subjects are the ids of the places involved; ``details`` carry the rule, the names,
        the scope and area, and for homophones the pinyin key.
    """
    with gc_paused():
        return _lint(names, codes, levels, romanized, categories, ids, geometries,
                     rules or default_rules(), checks, own_codes)


def _lint(names, codes, levels, romanized, categories, ids, geometries, rules: NameRules,
          checks, own_codes) -> list[Finding]:
    wanted = set(CHECKS if checks is None else checks)
    unknown = wanted - set(CHECKS)
    if unknown:
        raise GeonamesError(f"unknown check(s) {', '.join(sorted(unknown))}; "
                            f"known: {', '.join(CHECKS)}")
    n = len(names)
    name_list = _column(names, n, "names")
    code_list = _column(codes, n, "codes")
    level_list = _column(levels, n, "levels")
    given_rom = _column(romanized, n, "romanizations")
    cat_list = _column(categories, n, "categories")
    id_list = _column(ids, n, "ids") if ids is not None else [
        c or f"row{i + 1}" for i, c in enumerate(code_list)]
    if geometries is not None and len(geometries) != n:
        raise GeonamesError(f"geometries has {len(geometries)} values for {n} names")
    points = _points(geometries)
    sev = rules.severity
    found: list[Finding] = []

    def emit(check: str, rows: list[int], message: str, /, excepted: bool = False,
             **details: Any) -> None:
        geometry = None
        if points is not None:
            pts = [points[i] for i in rows if points[i] is not None]
            geometry = pts[0] if len(pts) == 1 else shapely.multipoints(pts) if pts else None
        found.append(Finding(check, sev.get(check, Severity.WARNING),
                             subject_of(id_list[i] for i in rows), message,
                             value=float(len(rows)) if len(rows) > 1 else None,
                             geometry=geometry, excepted=excepted,
                             details={"rule": check, **details}))

    facts: dict[str, _Facts] = {}
    for name in name_list:
        if name and name not in facts:
            facts[name] = _facts(name, rules)
    if own_codes is None:
        own_codes = _own_codes(name_list, code_list, facts)
    groups: dict[tuple[str, str, str], dict[str, list[int]]] = defaultdict(dict)
    scopes: dict[str, str] = {}
    row_results: dict[tuple, list] = {}
    parent_cache: dict[str, tuple[str, str, str] | str] = {}

    for i in range(n):
        name = name_list[i]
        if not name:
            if "name.empty" in wanted:
                emit("name.empty", [i], f"row {i + 1} has no name (rule name.empty)")
            continue
        f = facts[name]
        code = code_list[i]
        parsed = _code(code, parent_cache) if code else None
        if isinstance(parsed, str):
            if "name.bad_code" in wanted:
                emit("name.bad_code", [i], f"{name}: {parsed}; left out of the duplicate and "
                     "homophone checks (rule name.bad_code)", name=name, code=code)
            parsed = None
            area_code = None
        else:
            area_code = parsed[0] if parsed else ""
        level = level_of(f.term, parsed[1] if parsed else None, level_list[i], own_codes)
        if area_code is not None:
            scope = scopes.get(level)
            if scope is None:
                scope = scopes[level] = rules.scope_of(level)
            groups[level, scope, area_code[: SCOPES[scope]]].setdefault(name, []).append(i)
        # the row checks depend on the name, level, code range and given values only
        own = parsed if own_codes else None
        key = (name, level, own[1:] if own else None, given_rom[i], cat_list[i],
               code[:2] if given_rom[i] else "")
        results = row_results.get(key)
        if results is None:
            results = row_results[key] = []
            _row_checks(name, f, own, level, given_rom[i], cat_list[i], code, rules, wanted,
                        _recorder(results))
        for (check, _, message, *rest), details in results:
            extra: dict[str, Any] = {"code": code} if check == "name.generic_mismatch" else {}
            emit(check, [i], message, *rest, **{**details, **extra})

    if "name.duplicate" in wanted:
        for (level, scope, area), by_name in groups.items():
            for name, rows in by_name.items():
                if len(rows) > 1:
                    where = f"{_SCOPE_WORDS[scope]}" + (f" ({area})" if area else "")
                    emit("name.duplicate", rows,
                         f"{name} is used {len(rows)} times within {where}: {level} names must "
                         f"be unique within {_SCOPE_WORDS[scope]} (rule name.duplicate, "
                         f"{_SOURCE})", name=name, level=level, scope=scope, area=area,
                         ids=[id_list[i] for i in rows])
    if "name.homophone" in wanted:
        for (level, scope, area), by_name in groups.items():
            by_key: dict[str, list[str]] = defaultdict(list)
            for name in by_name:
                by_key[facts[name].key].append(name)
            for group, same in by_key.items():
                if len(same) < 2 or not group:
                    continue
                pinyin = facts[same[0]].pinyin
                rows = sorted(i for name in same for i in by_name[name])
                where = f"{_SCOPE_WORDS[scope]}" + (f" ({area})" if area else "")
                texts = [facts[name].text for name in same]
                emit("name.homophone", rows,
                     f"{'、'.join(same)} sound the same (pinyin {pinyin}"
                     f"{', same tones' if rules.homophone_tones else ''}) within {where}: "
                     f"{level} names should not be homophones within {_SCOPE_WORDS[scope]} "
                     f"(rule name.homophone, {_SOURCE})", key=pinyin, names=same,
                     tones=rules.homophone_tones,
                     romanizations=texts, level=level, scope=scope, area=area,
                     ids=[id_list[i] for i in rows])
    return found


def _recorder(into: list) -> Any:
    """An ``emit`` that records its arguments, to replay for every row with the same key."""
    return lambda *args, **details: into.append((args, details))


def _own_codes(names: list[str], codes: list[str], facts: dict[str, _Facts]) -> bool:
    coded = [(n, c) for n, c in zip(names, codes, strict=True) if n and c]
    if not coded or len({c for _, c in coded}) < len(coded):
        return False
    features = 0
    for n, _ in coded:
        term = facts[n].term
        features += term is not None and not term.levels
    return features <= 0.1 * len(coded)


def _row_checks(name: str, f: _Facts, parsed: tuple[str, str, str] | None, level: str,
                given: str, category: str, code: str, rules: NameRules, wanted: set[str],
                emit) -> None:
    if "name.exaggerated" in wanted:
        reasons = [f"word {w}" for w in f.exaggerated]
        term = f.term
        if (rules.check_generic_rank and term is not None and not term.levels
                and term.rank < LEVEL_RANK.get(level, 9) and level in LEVEL_RANK
                and level != "other" and not _zone(parsed)):
            reasons.append(f"generic {term.term} claims a bigger place than a {level}")
        if reasons:
            exempt = _exempt(name, rules.exaggerated_exempt)
            emit("name.exaggerated", None,
                 f"{name}: {'; '.join(reasons)} (rule name.exaggerated, 大: names that claim "
                 "more than the place is)" + (f"; exempt ({exempt})" if exempt else ""),
                 excepted=bool(exempt), name=name, reasons=reasons, exempt_by=exempt)
    if "name.foreign" in wanted and f.foreign:
        exempt = _exempt(name, rules.foreign_exempt)
        emit("name.foreign", None,
             f"{name}: {'; '.join(f.foreign)} (rule name.foreign, 洋: foreign names and words)"
             + (f"; exempt ({exempt})" if exempt else ""),
             excepted=bool(exempt), name=name, reasons=list(f.foreign), exempt_by=exempt)
    if "name.odd" in wanted and f.odd:
        exempt = _exempt(name, rules.odd_exempt)
        emit("name.odd", None,
             f"{name}: {'; '.join(f.odd)} (rule name.odd, 怪: digits, letters, symbols or "
             "vulgar words in a name)" + (f"; exempt ({exempt})" if exempt else ""),
             excepted=bool(exempt), name=name, reasons=list(f.odd), exempt_by=exempt)
    if "name.rare_char" in wanted and f.rare:
        emit("name.rare_char", None,
             f"{name}: {'、'.join(f.rare)} not in the 通用规范汉字表 (rule name.rare_char, "
             "rare characters are avoided)", name=name, characters=list(f.rare))
    if "name.generic_mismatch" in wanted and f.term is not None:
        _generic_check(name, f.term, parsed, level, category, rules, emit)
    if "name.romanization" in wanted and given:
        _romanization_check(name, given, code, emit)


def _generic_check(name: str, term: GenericTerm, parsed, level: str, category: str,
                   rules: NameRules, emit) -> None:
    reasons = []
    if (term.levels and level in LEVEL_RANK and level not in term.levels and level != "other"
            and not _zone(parsed)):
        reasons.append(f"generic {term.term} is a {'/'.join(term.levels)}-level generic, "
                       f"the name is at {level} level")
    elif (parsed is not None and term.code_kinds and parsed[1] in term.levels
            and parsed[2] not in term.code_kinds
            and not (parsed[2] == "other" and parsed[1] in ("township", "village"))):
        # the 400-599 range ("other" units, GB/T 10114) holds the sub-districts, towns and
        # communities of development zones and state farms, under any generic
        reasons.append(f"generic {term.term} needs a code in the "
                       f"{' or '.join(term.code_kinds)} range, but the code is in the "
                       f"{parsed[2]} range")
    if (rules.check_category and category and term.category
            and not (category.startswith(term.category) or term.category.startswith(category))):
        reasons.append(f"generic {term.term} is category {term.category} "
                       f"({term.category_name}), the name is given category {category}")
    if reasons:
        emit("name.generic_mismatch", None,
             f"{name}: {'; '.join(reasons)} (rule name.generic_mismatch, the generic term must "
             "fit the place's category and level)", name=name, generic=term.term,
             level=level, reasons=reasons)


def _zone(parsed: tuple[str, str, str] | None) -> bool:
    """True for a unit coded in the 400-599 range of its level ("other" units, GB/T 10114):
    development zones, state farms, mining areas, whose names use generics of any level
    (合肥 滨湖世纪社区 and 武当山特区 at township level, 中新天津生态城) by design; the level and
    size of their generic say nothing about the place."""
    return parsed is not None and parsed[2] == "other"


def _romanization_check(name: str, given: str, code: str, emit) -> None:
    toned = any(ch in "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ" for ch in given.lower())
    computed = romanize(name, tones=toned, code=code or None).text
    norm = " ".join(given.replace("’", "'").split())
    if norm == computed.replace("’", "'"):
        return
    plain = re.sub(r"[^a-z0-9üv]", "", _strip_marks(norm.lower())).replace("ü", "v")
    kind = "form" if plain == romanize(name).key else "reading"
    what = ("spelling differs only in word division, capitals or apostrophes"
            if kind == "form" else "the syllables differ")
    emit("name.romanization", None,
         f"{name}: given {given!r}, GB/T 16159 gives {computed!r} — {what} "
         "(rule name.romanization)", name=name, given=given, computed=computed, difference=kind)


def _strip_marks(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text)
                   if not unicodedata.combining(ch) or ch == "\u0308")


def _exempt(name: str, exemptions: Sequence[str]) -> str:
    return next((e for e in exemptions if e and e in name), "")


def _points(geometries: Sequence[Any] | None) -> list[Any] | None:
    if geometries is None:
        return None
    arr = np.asarray(list(geometries), dtype=object)
    out: list[Any] = [None] * len(arr)
    present = [k for k, g in enumerate(arr) if g is not None and not g.is_empty]
    if present:
        pts = shapely.point_on_surface(arr[present])
        for k, p in zip(present, pts, strict=True):
            out[k] = p
    return out

