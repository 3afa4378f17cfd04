"""HTML + CSS → PDF through WeasyPrint, with the CJK fonts embedded.

Every printed product of geonames (place-name directories, heritage lists, report pages) goes
through :func:`html_to_pdf`: the page size, margins and page numbers come from CSS ``@page``
rules (:func:`page_css`), the fonts from :func:`font_css`, which declares the Noto CJK fonts
that ship with the ``mplfonts`` package (the same files the maps use), so the PDF never depends
on the fonts of the machine it was made on. WeasyPrint subsets and embeds them; the text of the
PDF stays searchable and extractable.

>>> html = "<html><body><p>重庆市</p></body></html>"
>>> css = page_css("A4") + font_css()
>>> "size: A4 portrait" in css and "@font-face" in css
True
"""

from __future__ import annotations

import functools
import logging
import os
from pathlib import Path

from geonames.errors import GeonamesError
from geonames.report.fonts import cjk_font_path

#: Paper sizes in millimetres (width, height) in portrait orientation.
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0), "A5": (148.0, 210.0)}

#: CSS family names declared by :func:`font_css`: the CJK fonts, and a Latin serif (DejaVu,
#: shipped with matplotlib) for romanizations, whose apostrophe and tone marks the CJK fonts
#: draw full-width.
SANS = "GeonamesSans"
SERIF = "GeonamesSerif"
LATIN = "GeonamesLatin"


def paper_size(paper: str, orientation: str = "portrait") -> tuple[float, float]:
    """(width, height) in mm of ``paper`` (``"A4"``, ``"A3"``, ``"A5"``) in ``orientation``.

    >>> paper_size("A3", "landscape")
    (420.0, 297.0)
    """
    try:
        w, h = PAPER_MM[paper.upper()]
    except KeyError:
        raise GeonamesError(f"unknown paper size {paper!r}: use one of "
                            f"{', '.join(PAPER_MM)}") from None
    if orientation not in ("portrait", "landscape"):
        raise GeonamesError(f"unknown orientation {orientation!r}: portrait or landscape")
    return (h, w) if orientation == "landscape" else (w, h)


@functools.cache
def font_files() -> dict[str, str]:
    """Font files for :data:`SANS` and :data:`SERIF` (the serif falls back to the sans)."""
    import matplotlib

    sans = cjk_font_path()
    serif = os.path.join(os.path.dirname(sans), "NotoSerifCJKsc-Regular.otf")
    latin = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSerif.ttf")
    files = {SANS: sans, SERIF: serif if os.path.exists(serif) else sans}
    if os.path.exists(latin):
        files[LATIN] = latin
    return files


def font_css() -> str:
    """``@font-face`` rules for the fonts, by absolute file URL (the Latin family falls back to
    the CJK serif when matplotlib's DejaVu is missing)."""
    files = font_files()
    rules = [f"@font-face{{font-family:{family};src:url('{Path(path).as_uri()}')}}\n"
             for family, path in files.items()]
    if LATIN not in files:
        rules.append(f"@font-face{{font-family:{LATIN};"
                     f"src:url('{Path(files[SERIF]).as_uri()}')}}\n")
    return "".join(rules)


def page_css(paper: str = "A4", orientation: str = "portrait", *,
             margins: str = "16mm 14mm 18mm 14mm", footer: str = "",
             total: bool = True) -> str:
    """``@page`` rule: size, margins, and "page n / N" (``total=False``: "n") centred at the
    bottom. ``footer`` (plain text) goes to the bottom left of every page.
    """
    paper_size(paper, orientation)  # validates
    pages = ' " / " counter(pages)' if total else ""
    left = ""
    if footer:
        text = footer.replace("\\", "\\\\").replace('"', '\\"')
        left = f'@bottom-left{{content:"{text}";font:7.5pt {SANS};color:#666}}'
    return (f"@page{{size: {paper.upper()} {orientation};margin:{margins};"
            f"@bottom-center{{content:counter(page){pages};"
            f"font:8pt {SANS};color:#444}}{left}}}\n")


def html_to_pdf(html: str, path: str | os.PathLike, *, base_url: str | None = None) -> int:
    """Render ``html`` (with its own CSS) to a PDF file at ``path``; return the page count."""
    import weasyprint  # imported here: loading it (pango, cffi) takes a second

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=base_url).render()
    try:
        document.write_pdf(os.fspath(path))
    except OSError as err:
        raise GeonamesError(f"cannot write {path}: {err.strerror or err}") from None
    return len(document.pages)
