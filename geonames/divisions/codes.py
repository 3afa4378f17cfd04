"""Division codes: GB/T 2260 (6 digits), GB/T 10114 township codes (9), statistical codes (12).

A code is parsed into its :class:`DivisionCode`: the level, the kind of unit its range stands
for, and the chain of parents. Six-digit codes padded with zeros (``500000`` the province,
``500100`` the prefecture) are accepted as the level they stand for.

Ranges (see ``docs/rules.md`` for sources):

* county part (digits 5–6): ``00`` no county level, ``01–20`` district, ``21–70`` county
  (including autonomous counties and banners), ``71–80`` other unit (development zones and
  similar statistical units), ``81–99`` county-level city;
* except where the prefecture part says otherwise: in the municipalities (11, 12, 31, 50)
  prefecture part ``01`` holds districts and ``02`` counties whatever the county part
  (500151 铜梁区); under a region, autonomous prefecture or league (prefecture part
  ``21–50``) and under ``90`` (units administered by the province directly), ``01–20`` are
  county-level cities (652301 昌吉市, 429004 仙桃市);
* township part (digits 7–9): ``001–099`` sub-district, ``100–199`` town, ``200–399``
  township, ``400–599`` other unit; ``000`` stands for a county listed without townships
  (金门县 350527000 in the statistical codes);
* village part (digits 10–12): ``001–199`` residents' committee, ``200–399`` villagers'
  committee, ``400–599`` other (units like a residents' or villagers' committee, 类似居委会 /
  类似村委会: 2,436 of the 14,721 Xinjiang rows of the 2023 statistical tables).

>>> c = parse_code("500110001")
>>> c.level.value, c.kind, c.parent
('township', 'sub-district', '500110')
>>> parse_code("500154").kind
'district'
>>> parse_code("652301").kind
'county-level city'
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from geonames.errors import CodeError


class Level(StrEnum):
    """Administrative level of a code."""

    PROVINCE = "province"
    PREFECTURE = "prefecture"
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


#: Valid province codes (GB/T 2260), including 71 Taiwan, 81 Hong Kong, 82 Macao.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82",
})

_LENGTH_LEVEL = {2: Level.PROVINCE, 4: Level.PREFECTURE, 6: Level.COUNTY, 9: Level.TOWNSHIP,
                 12: Level.VILLAGE}

# (low, high, kind) per level; ranges inclusive.
_COUNTY_KINDS = ((1, 20, "district"), (21, 70, "county"), (71, 80, "other"),
                 (81, 99, "county-level city"))
_TOWNSHIP_KINDS = ((1, 99, "sub-district"), (100, 199, "town"), (200, 399, "township"),
                   (400, 599, "other"))
_VILLAGE_KINDS = ((1, 199, "residents' committee"), (200, 399, "villagers' committee"),
                  (400, 599, "other"))


@dataclass(frozen=True, slots=True)
class DivisionCode:
    """A parsed division code.

    Attributes
    ----------
    code : str
        The code as given (digits only).
    level : Level
    kind : str
        What the code's range stands for at its level (``"district"``, ``"town"`` …).
    parents : tuple of str
        Parent codes from the province down, each in its canonical length (2, 4, 6, 9).
    """

    code: str
    level: Level
    kind: str
    parents: tuple[str, ...]

    @property
    def parent(self) -> str | None:
        """The immediate parent's code, or None for a province."""
        return self.parents[-1] if self.parents else None

    @property
    def province(self) -> str:
        return self.code[:2]


def canonical(code: str) -> str:
    """Strip the zero padding of 6-digit codes: ``"500000" → "50"``, ``"500100" → "5001"``."""
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def parse_code(code: str | int) -> DivisionCode:
    """Parse and validate a division code.

    Raises
    ------
    CodeError
        With a message naming the fault: not digits, wrong length, unknown province, a part
        that is ``00`` where it cannot be, or a number outside every range of its level.
    """
    text = str(code).strip()
    if not text.isascii() or not text.isdigit():
        raise CodeError(f"division code {text!r} must be digits only")
    short = canonical(text)
    level = _LENGTH_LEVEL.get(len(short))
    if level is None:
        raise CodeError(
            f"division code {text!r} has {len(text)} digits; expected 2, 4, 6, 9 or 12"
        )
    if short[:2] not in PROVINCES:
        raise CodeError(f"division code {text!r}: {short[:2]} is not a province code")
    parents: list[str] = []
    kind = "province"
    if len(short) >= 4:
        pref = int(short[2:4])
        if pref == 0:
            raise CodeError(f"division code {text!r}: prefecture part is 00 below the province")
        kind = "province-administered units" if pref == 90 else "prefecture"
        parents.append(short[:2])
    if len(short) >= 6:
        kind = _county_kind(text, short[:2], int(short[2:4]), int(short[4:6]))
        parents.append(short[:4])
    if len(short) >= 9:
        kind = _kind(text, int(short[6:9]), _TOWNSHIP_KINDS, "township part",
                     zero_kind="county without townships")
        parents.append(short[:6])
    if len(short) == 12:
        kind = _kind(text, int(short[9:12]), _VILLAGE_KINDS, "village part")
        parents.append(short[:9])
    return DivisionCode(short, level, kind, tuple(parents))


def validate_code(code: str | int) -> str | None:
    """The reason a code is invalid, or None when it parses.

    A village code (12 digits) is valid when its township's code is and its own part is in
    a range; the township's verdict is remembered, so checking the villages of a table costs
    little more than reading their last three digits.
    """
    if (type(code) is str and len(code) == 12 and code.isascii() and code.isdigit()
            and _township_valid(code[:9])):
        number = int(code[9:12])
        if any(low <= number <= high for low, high, _ in _VILLAGE_KINDS):
            return None
    try:
        parse_code(code)
    except CodeError as err:
        return str(err)
    return None


@lru_cache(maxsize=1 << 16)
def _township_valid(code: str) -> bool:
    try:
        parse_code(code)
    except CodeError:
        return False
    return True


#: Municipalities (直辖市), whose prefecture part says district (01) or county (02).
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})


def _county_kind(text: str, province: str, prefecture: int, county: int) -> str:
    kind = _kind(text, county, _COUNTY_KINDS, "county part", zero_kind="no county level")
    if province in MUNICIPALITIES and prefecture in (1, 2) and county:
        return "district" if prefecture == 1 else "county"
    if kind == "district" and (21 <= prefecture <= 50 or prefecture == 90):
        return "county-level city"
    return kind


def _kind(text: str, number: int, ranges: tuple, part: str, zero_kind: str | None = None) -> str:
    if number == 0:
        if zero_kind:
            return zero_kind
        raise CodeError(f"division code {text!r}: {part} is 000")
    for low, high, kind in ranges:
        if low <= number <= high:
            return kind
    bounds = ", ".join(f"{low}–{high}" for low, high, _ in ranges)
    raise CodeError(f"division code {text!r}: {part} {number} is outside every range ({bounds})")
