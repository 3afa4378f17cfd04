"""Search keys of names and normalised queries (pure functions, no I/O).

Every name of a place (the standard name and each variant) becomes one search row
(:class:`NameRow`) with three keys, each also for the proper part (专名) alone:

* characters: the name itself (NFKC), and its :func:`grams` (every character and every pair
  of adjacent characters) for queries shorter than the three characters a trigram index needs;
* pinyin: toneless syllables joined (``jiefangbeijiedao``), from :func:`geonames.names.romanize`;
* initials: first letters of the syllables (``jfbjd``).

Ranking uses ``state`` (0 the current standard name, 1 a current variant, 2 a historical name:
a former standard name, a variant no longer valid, any name of a retired place) and ``rank``
(the size of place the generic term claims, 1 the largest, from the generic-terms table).

>>> row = name_rows(PlaceName(id="p", name="解放碑街道", generic="街道"))[0]
>>> row.proper, row.key, row.proper_key, row.initials, row.proper_initials, row.rank
('解放碑', 'jiefangbeijiedao', 'jiefangbei', 'jfbjd', 'jfb', 4)
>>> normalize_pinyin("Jiěfàng bēi"), normalize_pinyin("jie3 fang4 bei1"), normalize_pinyin("lü")
('jiefangbei', 'jiefangbei', 'lv')
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from geonames.names.model import NameStatus, PlaceName, VariantKind
from geonames.names.romanize import romanize, split_name

#: Rank given to names whose generic term is unknown (after every known generic).
UNKNOWN_RANK = 9

#: Variant kinds that are historical whatever their dates say.
HISTORICAL_KINDS = frozenset({VariantKind.HISTORICAL, VariantKind.FORMER_STANDARD})

STATE_CURRENT, STATE_VARIANT, STATE_HISTORICAL = 0, 1, 2

#: Only characters :func:`_is_han` accepts (or none).
_ALL_HAN = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]*")
_SEPARATORS = re.compile(r"[\s·•・\-—_'’`()（）\[\]【】,，.。/]+")
_TONE_DIGIT = re.compile(r"(?<=[a-zü:])[1-5]")


@dataclass(frozen=True, slots=True)
class NameRow:
    """One searchable name of one place."""

    place_id: str
    name: str
    kind: str  # "standard" or a VariantKind value
    state: int
    rank: int
    proper: str
    key: str
    proper_key: str
    initials: str
    proper_initials: str
    valid_from: str | None
    valid_to: str | None


@lru_cache(maxsize=1 << 15)  # an import's names are mostly distinct: a bounded cache
def name_keys(name: str, generic: str = "") -> tuple[str, str, str, str, str, int]:
    """``(proper, key, proper_key, initials, proper_initials, rank)`` of a name.

    ``generic`` is the generic term when the record says it; otherwise the last level's
    generic found by :func:`geonames.names.romanize.split_name`.
    """
    r = romanize(name)
    parts = r.parts
    last = parts[-1] if parts else None
    if generic and name.endswith(generic) and len(name) > len(generic):
        proper = name[: len(name) - len(generic)]
    elif last is not None and last.generic and name.endswith(last.text):
        proper = name[: len(name) - len(last.generic)]
    else:
        proper = name
    term = last.term if last is not None else None
    rank = term.rank if term is not None else UNKNOWN_RANK
    if proper == name:
        pk, pi = r.key, r.initials
    elif len(r.syllables) == len(name) and _ALL_HAN.fullmatch(name) is not None:
        # one syllable per character: the proper part's are the first ones (read in context)
        head = r.syllables[:len(proper)]
        pk, pi = "".join(head), "".join([s[0] for s in head if s])
    else:
        p = romanize(proper)
        pk, pi = p.key, p.initials
    return proper, r.key, pk, r.initials, pi, rank


#: What :func:`name_keys` returns: ``(proper, key, proper_key, initials, proper_initials,
#: rank)``.
Keys = tuple[str, str, str, str, str, int]
#: What :meth:`NameKeys.fill` returns: ``(romanization, generic, grams)``.
Fill = tuple[str, str, str]


def _fill(name: str) -> Fill:
    return romanize(name).text, split_proper(name)[1], " ".join(grams(name))


class NameKeys:
    """Romanizations, generic terms and search keys of names, computed ahead of writing.

    A bulk import computes them for a chunk of names at once, in a helper process
    (:mod:`geonames.registry.readahead`), while the register writes the chunk before; the
    writer looks them up here instead of romanizing. It is a cache of pure functions: a name
    not in it is computed on the spot, with the same result. It keeps the entries of the last
    two chunks added (a batch of the import may span a chunk boundary).

    >>> ahead = NameKeys()
    >>> ahead.add(*NameKeys.compute([("解放碑街道", "")]))
    >>> ahead.fill("解放碑街道"), ahead.keys("解放碑街道", "街道")[:3]
    (('Jiefangbei Jiedao', '街道', '解 放 碑 街 道 解放 放碑 碑街 街道'), ('解放碑', 'jiefangbeijiedao', 'jiefangbei'))
    """

    def __init__(self) -> None:
        self._fills: list[dict[str, Fill]] = []
        self._keys: list[dict[tuple[str, str], Keys]] = []

    @staticmethod
    def compute(names: Iterable[tuple[str, str]]
                ) -> tuple[dict[str, Fill], dict[tuple[str, str], Keys]]:
        """``(fills, keys)`` of ``(name, generic)`` pairs (names as :func:`normalize_chars`
        writes them; ``generic`` the one the record gives, ``""`` for none): ``fills[name]``
        is what :meth:`fill` returns, ``keys[name, generic]`` the search keys of the name
        under the generic it will have (the record's, else the one found). A name that
        cannot be romanized is left out: the writer meets its error itself, where it would
        without this."""
        fills: dict[str, Fill] = {}
        keys: dict[tuple[str, str], Keys] = {}
        for name, generic in names:
            try:
                found = fills.get(name)
                if found is None:
                    found = fills[name] = _fill(name)
                pair = (name, generic or found[1])
                if pair not in keys:
                    keys[pair] = name_keys(*pair)
            except Exception:  # noqa: BLE001 - see above
                continue
        return fills, keys

    def add(self, fills: dict[str, Fill], keys: dict[tuple[str, str], Keys]) -> None:
        """Entries of the next chunk (from :meth:`compute`); those of the chunk before the
        last are dropped."""
        self._fills = [*self._fills[-1:], fills]
        self._keys = [*self._keys[-1:], keys]

    def fill(self, name: str) -> Fill:
        """``(romanization, generic, grams)`` of a name: the text of
        :func:`~geonames.names.romanize.romanize`, the generic term of :func:`split_proper`
        (``""`` when none) and the name's :func:`grams` joined by spaces."""
        for table in reversed(self._fills):
            found = table.get(name)
            if found is not None:
                return found
        return _fill(name)

    def gram_text(self, name: str) -> str:
        """The :func:`grams` of a name joined by spaces (the third item of :meth:`fill`)."""
        for table in reversed(self._fills):
            found = table.get(name)
            if found is not None:
                return found[2]
        return " ".join(grams(name))

    def keys(self, name: str, generic: str = "") -> Keys:
        """:func:`name_keys` of the name."""
        for table in reversed(self._keys):
            found = table.get((name, generic))
            if found is not None:
                return found
        return name_keys(name, generic)


def name_rows(place: PlaceName, today: date | None = None,
              ahead: NameKeys | None = None) -> list[NameRow]:
    """The search rows of a place: its standard name, then each variant (no repeats).

    ``ahead`` holds keys computed beforehand (a bulk import's); the rows are the same.
    """
    today = today or date.today()
    retired = place.status == NameStatus.RETIRED
    if not place.variants:  # the common case, kept short for bulk imports
        name = normalize_chars(place.name)
        end = place.valid_to
        proper, key, pk, ini, pi, rank = ahead.keys(name, place.generic) if ahead is not None \
            else name_keys(name, place.generic)
        state = STATE_HISTORICAL if retired or (end is not None and end <= today) \
            else STATE_CURRENT
        return [NameRow(place.id, name, "standard", state, rank, proper, key, pk, ini, pi,
                        place.valid_from.isoformat() if place.valid_from else None,
                        end.isoformat() if end else None)]
    rows: list[NameRow] = []
    seen: set[tuple[str, str]] = set()
    entries = [(place.name, "standard", place.generic, place.valid_from, place.valid_to)]
    entries += [(v.name, str(v.kind), "", v.valid_from, v.valid_to) for v in place.variants]
    for name, kind, generic, start, end in entries:
        name = normalize_chars(name)
        if not name or (name, kind) in seen:
            continue
        seen.add((name, kind))
        proper, key, pk, ini, pi, rank = ahead.keys(name, generic) if ahead is not None \
            else name_keys(name, generic)
        if retired or kind in HISTORICAL_KINDS or (end is not None and end <= today):
            state = STATE_HISTORICAL
        elif kind == "standard":
            state = STATE_CURRENT
        else:
            state = STATE_VARIANT
        rows.append(NameRow(place.id, name, kind, state, rank, proper, key, pk, ini, pi,
                            start.isoformat() if start else None,
                            end.isoformat() if end else None))
    return rows


@lru_cache(maxsize=1 << 12)  # for queries; an import's names are mostly distinct
def grams(name: str) -> tuple[str, ...]:
    """Every character and every pair of adjacent characters of a name, without repeats.

    >>> grams("解放碑")
    ('解', '放', '碑', '解放', '放碑')
    """
    chars = [c for c in name if not c.isspace()] if any(map(str.isspace, name)) \
        else list(name)
    return tuple(dict.fromkeys(chars + list(map(operator.add, chars, chars[1:]))))


@lru_cache(maxsize=1 << 17)
def normalize_chars(text: str) -> str:
    """A name or character query as stored and compared: NFKC, no spaces at the ends."""
    return unicodedata.normalize("NFKC", text).strip()


def normalize_pinyin(text: str) -> str:
    """A pinyin or initials query as stored keys are written.

    Lower case, tone marks and tone digits dropped, ``ü`` (also ``u:``, ``v``) as ``v``,
    spaces, apostrophes and hyphens removed.
    """
    text = text.strip().lower().replace("u:", "v").replace("ü", "v").replace("ǖ", "v") \
        .replace("ǘ", "v").replace("ǚ", "v").replace("ǜ", "v")
    text = _TONE_DIGIT.sub("", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    return _SEPARATORS.sub("", text)


def is_han_query(text: str) -> bool:
    """True when the query holds at least one CJK character (search by characters)."""
    return any(_is_han(c) for c in text)


def _is_han(c: str) -> bool:
    o = ord(c)
    return 0x3400 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


def split_proper(name: str) -> tuple[str, str]:
    """``(proper, generic)`` of a name from the generic-terms table (``("解放碑", "街道")``)."""
    parts = split_name(name)
    if not parts or not parts[-1].generic or not name.endswith(parts[-1].text):
        return name, ""
    return name[: len(name) - len(parts[-1].generic)], parts[-1].generic
