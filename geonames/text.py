"""Text in and out: decoding text files (UTF-8, then GB18030, never a lossy guess), checking
text fields (no NUL or control characters in names, lengths bounded) and the progress-message
callback the long-running engines accept.
"""

from __future__ import annotations

import codecs
import gzip
import os
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path

from geonames.errors import GeonamesError, InputFileError

#: Encodings tried, in order, for text files (CSV, TOML …) when none is given.
TEXT_ENCODINGS = ("utf-8-sig", "gb18030")


def decode_text(data: bytes, path: str | os.PathLike, encoding: str | None = None
                ) -> tuple[str, str]:
    """Decode a text file's bytes: with ``encoding`` when given, else the first of UTF-8 (with
    or without BOM) and GB18030 that decodes all of it. Returns (text, encoding used).

    Raises InputFileError when it cannot be decoded (never guesses a lossy encoding).
    """
    for candidate in [encoding] if encoding else TEXT_ENCODINGS:
        try:
            return data.decode(candidate), candidate
        except (UnicodeDecodeError, LookupError) as err:
            if encoding:
                raise InputFileError(f"{path}: cannot decode as {encoding} ({err})") from None
    raise InputFileError(f"{path}: text is neither UTF-8 nor GB18030; give the encoding "
                         "(--encoding)")


def read_text_file(path: str | os.PathLike, encoding: str | None = None) -> str:
    """The text of a file (gzip read transparently), decoded by :func:`decode_text`.

    Raises InputFileError for a missing, empty, unreadable or undecodable file.
    """
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file")
    if path.is_dir():
        raise InputFileError(f"{path}: is a folder, not a file")
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise InputFileError(f"{path}: cannot read ({err})") from None
    if not raw.strip():
        raise InputFileError(f"{path}: the file is empty")
    return decode_text(raw, path, encoding)[0]


#: Longest place name accepted (the longest official names are under 30 characters).
NAME_MAX = 100
#: Longest marker number, code or other short identifier.
IDENTIFIER_MAX = 64
#: Longest free text (a reason, a history note).
FREE_TEXT_MAX = 10_000


class TextProblem(GeonamesError, ValueError):
    """A text field with a NUL or control character, empty, or too long."""


def text_problem(value: str, *, max_length: int = NAME_MAX, allow_empty: bool = False,
                 multiline: bool = False) -> str | None:
    """What is wrong with a text field, or None.

    Refused: NUL and other control characters (tab and newline too, unless ``multiline``),
    line and paragraph separators, text longer than ``max_length`` characters, and (unless
    ``allow_empty``) text that is empty or only spaces.

    >>> text_problem("解放碑街道") is None
    True
    >>> text_problem("解放\\x00碑")
    'contains a NUL character (position 3)'
    >>> text_problem("解放\\n碑")
    'contains a control character U+000A (position 3)'
    """
    if not allow_empty and not value.strip():
        return "is empty"
    if len(value) > max_length:
        return f"is {len(value):,} characters long (at most {max_length:,})"
    if value.isprintable():
        return None
    for i, ch in enumerate(value):
        if ch == "\x00":
            return f"contains a NUL character (position {i + 1})"
        if multiline and ch in "\n\r\t":
            continue
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            return f"contains a control character U+{ord(ch):04X} (position {i + 1})"
    return None


def check_text(value: str, what: str, *, max_length: int = NAME_MAX,
               allow_empty: bool = False, multiline: bool = False) -> str:
    """``value`` when :func:`text_problem` finds nothing wrong, else :class:`TextProblem`
    whose message names ``what`` (an option, a row, a field)."""
    problem = text_problem(value, max_length=max_length, allow_empty=allow_empty,
                           multiline=multiline)
    if problem:
        raise TextProblem(f"{what}: {problem}")
    return value


def check_encoding(encoding: str | None, what: str = "--encoding") -> str | None:
    """The canonical name of a text encoding Python knows, or :class:`TextProblem`."""
    if encoding is None:
        return None
    try:
        return codecs.lookup(encoding).name
    except (LookupError, ValueError):
        raise TextProblem(f"{what}: unknown encoding {encoding!r} (e.g. utf-8, gb18030)") from None


Progress = Callable[[str], None]


def quiet(_: str) -> None:
    return None


def iso_date(day: date | None) -> str | None:
    """``YYYY-MM-DD``, or None for no date (callers that want text write ``or ""``).

    >>> iso_date(date(2016, 7, 1)), iso_date(None)
    ('2016-07-01', None)
    """
    return day.isoformat() if day is not None else None
