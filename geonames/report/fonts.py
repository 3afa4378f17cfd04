"""A CJK font for maps, so that Chinese labels never come out as boxes.

The font comes from the ``mplfonts`` package (Noto Sans CJK SC, installed with geonames), or
from the system (Debian ``fonts-noto-cjk``) when that is missing.
"""

from __future__ import annotations

import functools
import os

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from geonames.errors import GeonamesError

SYSTEM_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei")


@functools.cache
def cjk_font_path() -> str:
    """Path of a font file with Chinese glyphs; registered with matplotlib."""
    try:
        import mplfonts

        path = os.path.join(os.path.dirname(mplfonts.__file__), "fonts",
                            "NotoSansCJKsc-Regular.otf")
        if os.path.exists(path):
            font_manager.fontManager.addfont(path)
            return path
    except ImportError:
        pass
    for family in SYSTEM_FAMILIES:
        try:
            path = font_manager.findfont(family, fallback_to_default=False)
        except ValueError:
            continue
        return path
    raise GeonamesError(
        "no CJK font found for map labels: install geonames with its dependencies "
        "(pip install mplfonts) or the system package fonts-noto-cjk"
    )


@functools.cache
def cjk_family() -> str:
    """matplotlib family name of :func:`cjk_font_path`."""
    return font_manager.FontProperties(fname=cjk_font_path()).get_name()


def missing_glyphs(text: str) -> set[str]:
    """Characters of ``text`` that the CJK font cannot draw (would show as boxes)."""
    font = FT2Font(cjk_font_path())
    return {ch for ch in set(text) if not ch.isspace() and font.get_char_index(ord(ch)) == 0}
