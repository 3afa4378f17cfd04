"""Text in and out: decoding text files (UTF-8, then GB18030, never a lossy guess) and the
progress-message callback the long-running engines accept.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path

from geonames.errors import InputFileError

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


Progress = Callable[[str], None]


def quiet(_: str) -> None:
    return None
