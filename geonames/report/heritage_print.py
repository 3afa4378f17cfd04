"""The protection list as a PDF: the page of :func:`geonames.heritage.publication.render_list_html`
printed on A4 (or A3 landscape) through :func:`geonames.report.pdf.html_to_pdf`.

The table has fixed column widths (:data:`geonames.heritage.publication.COLUMNS`), long sources
and URLs wrap inside their cell, batches start a new page with their header, grades head their
rows, a row never splits across pages, the table header repeats on every page, and every page
carries "page n / N".
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from geonames.heritage.model import Batch, OverrideRecord, ProtectionList
from geonames.heritage.publication import render_list_html
from geonames.report.pdf import SANS, SERIF, font_css, page_css


def write_list_pdf(path: str | os.PathLike, rows: Sequence[Mapping[str, object]],
                   lists: Mapping[str, ProtectionList], batches: Iterable[Batch],
                   overrides: Sequence[OverrideRecord] = (), *, paper: str = "A4",
                   orientation: str = "portrait", **kwargs: Any) -> int:
    """Write the printed list to ``path``; return its number of pages. ``kwargs`` go to
    :func:`render_list_html` (title, generated, notes)."""
    from geonames.report.pdf import html_to_pdf

    css = (font_css() + page_css(paper, orientation, margins="14mm 12mm 16mm 12mm")
           + f"body{{font-family:{SERIF},{SANS},serif}} h1,h2,h3,th{{font-family:{SANS}}}")
    page = render_list_html(rows, lists, batches, overrides, print_css=css, **kwargs)
    return html_to_pdf(page, path)
