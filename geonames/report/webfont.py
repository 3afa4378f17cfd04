"""A CJK font small enough to go inside ``report.html``: the glyphs one page uses.

Subsetting Noto Sans CJK SC (16 MB, 65,000 glyphs) takes seconds, mostly to read it. So the
first report made on a machine keeps a base subset in the user's cache folder (the 8,105
characters of the Table of General Standard Chinese Characters, ASCII, Latin-1 and CJK
punctuation: about 4 MB), and each page is then cut from that in a fraction of a second. A page
with a character outside the base subset is cut from the full font.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import tempfile
from importlib import resources
from pathlib import Path

PUNCTUATION = "".join(chr(c) for c in range(0x3000, 0x3040)) + \
    "".join(chr(c) for c in range(0xFF00, 0xFFF0)) + "·—–‘’“”…•→←↑↓×÷±≤≥°′″‰²³⤢"


def subset(chars: str) -> bytes:
    """An OpenType font with the glyphs of ``chars`` (those the font has); ``b""`` when no
    CJK font is installed."""
    source = _font_path()
    if source is None:
        return b""
    base = _base_font(source)
    if base is not None and set(chars) <= _base_chars():
        source = str(base)
    return _cut(source, chars)


@functools.cache
def _base_chars() -> frozenset[str]:
    text = resources.files("geonames").joinpath("data", "general_standard_chars.txt") \
        .read_text("utf-8")
    chars = {line.split("\t")[1].strip() for line in text.splitlines()
             if line and not line.startswith("#") and "\t" in line}
    chars |= {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x180)}
    chars |= set(PUNCTUATION)
    return frozenset(chars)


def _font_path() -> str | None:
    try:
        from geonames.report.fonts import cjk_font_path

        path = cjk_font_path()
    except Exception:  # noqa: BLE001 - no CJK font: the page names system fonts instead
        return None
    if not os.path.exists(path) or path.lower().endswith((".ttc", ".otc")):
        return None
    return path


def _cache_dir() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(root) / "geonames"


@functools.cache
def _base_font(source: str) -> Path | None:
    """The base subset of ``source`` in the cache folder (made on first use); None when the
    cache folder cannot be written."""
    stat = os.stat(source)
    key = hashlib.sha1(f"{source}|{stat.st_size}|{stat.st_mtime_ns}|1".encode()).hexdigest()[:12]
    path = _cache_dir() / f"report-font-{key}.otf"
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = _cut(source, "".join(sorted(_base_chars())))
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as fh:
            fh.write(data)
        os.replace(fh.name, path)
    except OSError:
        return None
    return path


def _cut(source: str, chars: str) -> bytes:
    from fontTools import subset as ft_subset
    from fontTools.ttLib import TTFont

    options = ft_subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    font = TTFont(source, lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    subsetter = ft_subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()
