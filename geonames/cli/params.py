"""Click parameter types over :mod:`geonames.values` and :mod:`geonames.text`: every numeric
option and every name argument is checked by the same rules as the library, and the message
names the option."""

from __future__ import annotations

from typing import Any

import click

from geonames import values
from geonames.text import check_text
from geonames.values import ValueProblem


def _name(param: click.Parameter | None) -> str:
    if param is None:
        return "value"
    opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
    if opts:
        return max(opts, key=len)
    return (param.human_readable_name or "value").upper()


class Number(click.ParamType):
    """A finite number within a range (``nan``, ``inf``, ``1e400`` refused)."""

    def __init__(self, minimum: float | None = None, maximum: float | None = None, *,
                 min_open: bool = False, max_open: bool = False, integer: bool = False,
                 unit: str = "") -> None:
        self.minimum, self.maximum = minimum, maximum
        self.min_open, self.max_open = min_open, max_open
        self.integer, self.unit = integer, unit
        self.name = "integer" if integer else "float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if value is None:
            return None
        try:
            x = values.number(value, _name(param), minimum=self.minimum, maximum=self.maximum,
                              min_open=self.min_open, max_open=self.max_open,
                              integer=self.integer, unit=self.unit)
        except ValueProblem as err:
            self.fail(str(err).split(": ", 1)[1], param, ctx)
        return int(x) if self.integer else x

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "N" if self.integer else "X"

    def _describe_range(self) -> str:
        lo = "" if self.minimum is None else f"{self.minimum:g}{'<' if self.min_open else '<='}"
        hi = "" if self.maximum is None else f"{'<' if self.max_open else '<='}{self.maximum:g}"
        return f"{lo}x{hi}"

    def __repr__(self) -> str:
        return f"Number({self._describe_range()})"


#: A distance or tolerance in metres (0 … 10,000 km).
METRES = Number(0.0, values.MAX_METRES, unit="m")
#: A positive distance in metres.
POSITIVE_METRES = Number(0.0, values.MAX_METRES, min_open=True, unit="m")
#: An area in square metres.
SQUARE_METRES = Number(0.0, values.MAX_SQUARE_METRES, unit="m²")
#: A count such as --limit or --batch-size (1 … 10,000,000).
COUNT = Number(1, values.MAX_COUNT, integer=True)


def count(minimum: int = 1, maximum: int = values.MAX_COUNT) -> Number:
    """A whole number within ``[minimum, maximum]``."""
    return Number(minimum, maximum, integer=True)


class Text(click.ParamType):
    """Text without NUL or control characters, of bounded length (a name, a query)."""

    name = "text"

    def __init__(self, max_length: int = 100, *, allow_empty: bool = False,
                 multiline: bool = False) -> None:
        self.max_length = max_length
        self.allow_empty = allow_empty
        self.multiline = multiline

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if value is None:
            return None
        try:
            return check_text(str(value), _name(param), max_length=self.max_length,
                              allow_empty=self.allow_empty, multiline=self.multiline)
        except ValueError as err:
            self.fail(str(err).split(": ", 1)[1], param, ctx)


#: A place name (1 … 100 characters, no control characters).
NAME = Text()
#: Free text kept in the history (reason, authority, document …): newlines allowed.
FREE_TEXT = Text(10_000, allow_empty=True, multiline=True)
#: Short text kept in the history (authority, document number): one line.
SHORT_TEXT = Text(500, allow_empty=True)
#: A search query.
QUERY = Text(200)
