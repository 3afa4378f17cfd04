"""Validation of numeric values: option values, tolerances and coordinates.

One place decides what a usable number is, for the command line (the Click parameter types in
:mod:`geonames.cli.params` call these functions) and for the library (functions that take a
tolerance or a point call them too), so ``nan``, ``inf``, ``1e400``, a negative distance or a
longitude of 500 get the same one-line message wherever they come in, naming the option or the
row they came from.

>>> number("25", "--max-offset", minimum=0)
25.0
>>> number("nan", "--max-offset", minimum=0)
Traceback (most recent call last):
...
geonames.values.ValueProblem: --max-offset: nan is not a finite number
>>> point("106.58,29.56", "--near", geographic=True)
(106.58, 29.56)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import shapely

from geonames.errors import GeonamesError

#: Largest distance or tolerance, metres, any option accepts: a quarter of a meridian.
MAX_METRES = 10_000_000.0
#: Largest area, square metres (the Earth's surface is 5.1e14 m²).
MAX_SQUARE_METRES = 1e14
#: Largest count an option such as ``--limit`` or ``--batch-size`` accepts.
MAX_COUNT = 10_000_000


class ValueProblem(GeonamesError, ValueError):
    """A number that is not finite, out of its range, or of the wrong sign."""


def _show(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "…"


def number(value: Any, what: str, *, minimum: float | None = None,
           maximum: float | None = None, min_open: bool = False, max_open: bool = False,
           integer: bool = False, unit: str = "") -> float:
    """``value`` as a finite float within ``[minimum, maximum]`` (open ends when asked).

    ``what`` names the option or the row in the message. Text is parsed (``"1e400"`` is
    infinite, so refused); booleans are refused (``True`` is not a distance).

    >>> number(5, "--limit", minimum=1, integer=True)
    5.0
    >>> number("-5", "--tolerance", minimum=0)
    Traceback (most recent call last):
    ...
    geonames.values.ValueProblem: --tolerance: -5 is negative (give 0 or more)
    """
    if isinstance(value, bool) or value is None:
        raise ValueProblem(f"{what}: {_show(value)} is not a number")
    if isinstance(value, str):
        text = value.strip()
        try:
            x = float(int(text)) if integer and text.lstrip("+-").isdigit() else float(text)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise ValueProblem(f"{what}: {_show(value)!r} is not {kind}") from None
    else:
        try:
            x = float(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueProblem(f"{what}: {_show(value)} is not a number") from None
    if not math.isfinite(x):
        raise ValueProblem(f"{what}: {_show(value)} is not a finite number")
    if integer and x != int(x):
        raise ValueProblem(f"{what}: {_show(value)} is not a whole number")
    u = f" {unit}" if unit else ""
    if minimum is not None and (x < minimum or (min_open and x == minimum)):
        if minimum == 0 and not min_open:
            raise ValueProblem(f"{what}: {_show(value)} is negative (give 0 or more)")
        bound = f"more than {minimum:g}" if min_open else f"{minimum:g} or more"
        raise ValueProblem(f"{what}: {_show(value)} is out of range (give {bound}{u})")
    if maximum is not None and (x > maximum or (max_open and x == maximum)):
        bound = f"less than {maximum:g}" if max_open else f"at most {maximum:g}"
        raise ValueProblem(f"{what}: {_show(value)} is out of range (give {bound}{u})")
    return x


def metres(value: Any, what: str, *, positive: bool = False) -> float:
    """A distance or tolerance in metres: finite, 0 or more (more than 0 with ``positive``),
    at most :data:`MAX_METRES`."""
    return number(value, what, minimum=0.0, min_open=positive, maximum=MAX_METRES, unit="m")


def square_metres(value: Any, what: str) -> float:
    """An area in square metres: finite, 0 or more, at most :data:`MAX_SQUARE_METRES`."""
    return number(value, what, minimum=0.0, maximum=MAX_SQUARE_METRES, unit="m²")


def count(value: Any, what: str, *, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    """A whole number within ``[minimum, maximum]``."""
    return int(number(value, what, minimum=minimum, maximum=maximum, integer=True))


def numbers(text: str, n: int, what: str) -> list[float]:
    """``n`` finite numbers from comma-separated text (``"106.58,29.56"``)."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != n or not all(parts):
        raise ValueProblem(f"{what}: give {n} numbers separated by commas, not {_show(text)!r}")
    return [number(p, what) for p in parts]


def lonlat(x: float, y: float, what: str) -> tuple[float, float]:
    """A longitude/latitude pair: finite, longitude in [-180, 180], latitude in [-90, 90]."""
    x = number(x, what)
    y = number(y, what)
    if not -180.0 <= x <= 180.0:
        raise ValueProblem(f"{what}: longitude {x:g} is out of range (-180 to 180)")
    if not -90.0 <= y <= 90.0:
        raise ValueProblem(f"{what}: latitude {y:g} is out of range (-90 to 90)")
    return x, y


def point(value: str | Sequence[Any], what: str, *, geographic: bool) -> tuple[float, float]:
    """A point ``X,Y`` (text or a pair): finite, and a valid longitude/latitude when the CRS
    is ``geographic``."""
    xy = numbers(value, 2, what) if isinstance(value, str) else [
        number(v, what) for v in value]
    if len(xy) != 2:
        raise ValueProblem(f"{what}: a point is two numbers X,Y")
    x, y = xy
    if geographic:
        return lonlat(x, y, what)
    return x, y


def bbox(value: str | Sequence[Any], what: str, *,
         geographic: bool) -> tuple[float, float, float, float]:
    """A box ``XMIN,YMIN,XMAX,YMAX``: finite, min not above max, and valid longitudes and
    latitudes when the CRS is ``geographic``."""
    v = numbers(value, 4, what) if isinstance(value, str) else [number(x, what) for x in value]
    if len(v) != 4:
        raise ValueProblem(f"{what}: a box is four numbers XMIN,YMIN,XMAX,YMAX")
    xmin, ymin, xmax, ymax = v
    if xmin > xmax or ymin > ymax:
        raise ValueProblem(f"{what}: XMIN,YMIN,XMAX,YMAX with XMIN above XMAX or YMIN above "
                           f"YMAX ({_show(value)})")
    if geographic:
        lonlat(xmin, ymin, what)
        lonlat(xmax, ymax, what)
    return xmin, ymin, xmax, ymax


def nonfinite_geometries(geoms: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Indexes of the geometries with a NaN or infinite coordinate (vectorised)."""
    geoms = np.asarray(geoms, dtype=object)
    if len(geoms) == 0:
        return np.zeros(0, dtype=np.intp)
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    if len(coords) == 0:
        return np.zeros(0, dtype=np.intp)
    bad = ~np.isfinite(coords).all(axis=1)
    if not bad.any():
        return np.zeros(0, dtype=np.intp)
    return np.unique(index[bad])
