"""The standard place-name directory printed: PDF through WeasyPrint, or a Word file.

The PDF is made in two passes: the entries are laid out first, which gives the page of every
entry (WeasyPrint's anchors); then the two indexes (by pinyin, by strokes) are laid out with
those page numbers and their pages appended, numbered on from the last entry page. Entries
are dictionary-like blocks: the standard name in bold, the romanization with tone marks, the
division code, then category, location, meaning and origin, history, approval and former
names where the register has them.
"""

from __future__ import annotations

import html
import os
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from geonames.errors import GeonamesError
from geonames.registry.directory import (
    Directory,
    DirectoryEntry,
    IndexItem,
    Section,
    build_directory,
)
from geonames.report.pdf import LATIN, SANS, SERIF, font_css, page_css

_CSS = f"""
body{{font-family:{SERIF},{SANS},serif;font-size:8.5pt;line-height:1.3;color:#111}}
h1{{font-family:{SANS};font-size:20pt;text-align:center;margin:40mm 0 6mm}}
p.sub{{text-align:center;color:#444}}
h2{{font-family:{SANS};font-size:13pt;break-before:page;border-bottom:1.2pt solid #333;
margin:0 0 3mm}}
h3{{font-family:{SANS};font-size:10.5pt;margin:4mm 0 1.5mm;break-after:avoid}}
h4{{font-family:{SANS};font-size:8.5pt;color:#555;margin:2mm 0 1mm;break-after:avoid}}
div.e{{margin:0 0 1.2mm;padding-left:4mm;text-indent:-4mm;break-inside:avoid}}
b{{font-family:{SANS}}} i{{font-family:{LATIN},{SERIF};color:#222}} span.c{{color:#666;font-size:7pt}}
span.f{{color:#333;font-size:7.5pt}}
p.ix{{margin:0 0 1mm;text-align:justify}}
"""


@dataclass
class DirectoryPrint:
    """What :func:`write_directory` reports."""

    path: Path
    entries: int
    pages: int
    entry_pages: int
    seconds: float


def write_directory(directory: Directory, path: str | os.PathLike, *,
                    paper: str = "A4") -> DirectoryPrint:
    """Write the directory to ``path``: ``.pdf`` or ``.docx`` by the suffix."""
    out = Path(path)
    suffix = out.suffix.lower()
    t0 = time.perf_counter()
    entries = directory.entries()
    if suffix == ".pdf":
        pages, entry_pages = _write_pdf(directory, out, paper)
    elif suffix == ".docx":
        pages, entry_pages = 0, 0
        _write_docx(directory, out)
    else:
        raise GeonamesError(f"{out}: the directory is written as .pdf or .docx")
    return DirectoryPrint(out, len(entries), pages, entry_pages, time.perf_counter() - t0)


def body_html(directory: Directory, paper: str = "A4") -> str:
    """The title page and the entries."""
    esc = html.escape
    head = (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<title>{esc(directory.title)}</title><style>{font_css()}"
            f"{page_css(paper, footer=directory.title, total=False)}{_CSS}</style></head><body>")
    parts = [head, f"<h1>{esc(directory.title)}</h1>"]
    when = directory.as_of.isoformat() if directory.as_of else date.today().isoformat()
    parts.append(f"<p class='sub'>{len(directory.entries())} 条 · 截至 {when}</p>")
    for section in directory.sections:
        parts.append(f"<h2 id='s{esc(section.code)}'>{esc(section.name)}"
                     f" <span class='c'>{esc(section.code)}</span></h2>")
        _section(parts, section, top=True)
    parts.append("</body></html>")
    return "".join(parts)


def _section(parts: list[str], section: Section, top: bool) -> None:
    esc = html.escape
    if not top:
        parts.append(f"<h3 id='s{esc(section.code)}'>{esc(section.name)}"
                     f" <span class='c'>{esc(section.code)}</span></h3>")
    for group in section.groups:
        label = f"{group.category} {group.name}".strip()
        parts.append(f"<h4>{esc(label)}（{len(group.entries)}）</h4>")
        parts.extend(_entry(e) for e in group.entries)
    for child in section.children:
        _section(parts, child, top=False)


def _entry(e: DirectoryEntry) -> str:
    esc = html.escape
    # one span for the code and the facts: every element costs layout time (a fifth of it
    # for the Chongqing villages)
    facts = _entry_fields(e)
    return (f"<div class='e' id='{esc(e.id)}'><b>{esc(e.name)}</b> <i>{esc(e.heading_roman)}"
            f"</i> <span class='f'>{esc(e.code)}{' ' + esc(facts) if facts else ''}</span></div>")


def index_html(directory: Directory, pages: dict[str, int], first_page: int,
               paper: str = "A4") -> str:
    """The two indexes with the page of each entry (``pages``: entry id → page)."""
    esc = html.escape
    css = (font_css() + page_css(paper, footer=directory.title, total=False)
           + f"@page:first{{counter-reset:page {first_page}}}" + _CSS)
    parts = [f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>{css}"
             "</style></head><body><h2>拼音索引</h2>"]
    letter = None
    line: list[str] = []
    for item in directory.pinyin_index:
        syllables = item.key[0] if item.key else ()
        first = syllables[0][:1].upper() if syllables and syllables[0] else "#"
        first = first if first.isalpha() and first.isascii() else "#"
        if first != letter:
            if line:
                parts.append(f"<p class='ix'>{'；'.join(line)}</p>")
                line = []
            letter = first
            parts.append(f"<h3>{esc(letter)}</h3>")
        line.append(f"<i>{esc(item.roman)}</i> {esc(item.name)} {_pages(item, pages)}")
    if line:
        parts.append(f"<p class='ix'>{'；'.join(line)}</p>")
    parts.append("<h2>笔画索引</h2>")
    for strokes, items in directory.stroke_index:
        label = f"{strokes}画" if strokes < 99 else "其他"
        parts.append(f"<h3>{label}</h3><p class='ix'>"
                     + "；".join(f"{esc(i.name)} {_pages(i, pages)}" for i in items) + "</p>")
    parts.append("</body></html>")
    return "".join(parts)


def _pages(item: IndexItem, pages: dict[str, int]) -> str:
    found = sorted({pages[i] for i in item.ids if i in pages})
    return ",".join(str(p) for p in found)


def _write_pdf(directory: Directory, out: Path, paper: str) -> tuple[int, int]:
    import weasyprint

    from geonames.report.pdf import html_to_pdf  # noqa: F401  (same fonts and logging setup)

    body = weasyprint.HTML(string=body_html(directory, paper)).render()
    pages: dict[str, int] = {}
    for number, page in enumerate(body.pages, 1):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    index = weasyprint.HTML(string=index_html(directory, pages, len(body.pages) + 1,
                                              paper)).render()
    document = body.copy(body.pages + index.pages)
    try:
        document.write_pdf(os.fspath(out))
    except OSError as err:
        raise GeonamesError(f"cannot write {out}: {err.strerror or err}") from None
    return len(document.pages), len(body.pages)


def _write_docx(directory: Directory, out: Path) -> None:
    import docx
    from docx.shared import Pt

    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.size = Pt(9)
    style.font.name = "Noto Serif CJK SC"
    doc.add_heading(directory.title, level=0)
    when = directory.as_of.isoformat() if directory.as_of else date.today().isoformat()
    doc.add_paragraph(f"{len(directory.entries())} 条 · 截至 {when}")

    def section(s: Section, level: int) -> None:
        doc.add_heading(f"{s.name} {s.code}", level=level)
        for group in s.groups:
            doc.add_heading(f"{group.category} {group.name}（{len(group.entries)}）".strip(),
                            level=min(level + 1, 9))
            for e in group.entries:
                p = doc.add_paragraph()
                p.add_run(e.name).bold = True
                p.add_run(f" {e.heading_roman}").italic = True
                p.add_run(f" {e.code} ")
                text = _entry_fields(e)
                if text:
                    p.add_run(text)
        for child in s.children:
            section(child, level + 1)

    for s in directory.sections:
        section(s, 1)
    doc.add_page_break()
    doc.add_heading("拼音索引", level=1)
    for item in directory.pinyin_index:
        doc.add_paragraph(f"{item.roman} {item.name}", style="List Bullet")
    doc.add_heading("笔画索引", level=1)
    for strokes, items in directory.stroke_index:
        doc.add_heading(f"{strokes}画" if strokes < 99 else "其他", level=2)
        doc.add_paragraph("；".join(i.name for i in items))
    try:
        doc.save(os.fspath(out))
    except OSError as err:
        raise GeonamesError(f"cannot write {out}: {err.strerror or err}") from None


def _entry_fields(e: DirectoryEntry) -> str:
    """The entry's facts after its heading (the category heads its group)."""
    fields = []
    for label, value in (("位置", e.location), ("含义", e.meaning), ("来历", e.origin),
                         ("沿革", e.history), ("批准", e.approval),
                         ("曾用名", "、".join(e.former))):
        if value:
            fields.append(f"{label}：{value}")
    if e.status and e.status != "in_use":
        fields.append(f"状态：{e.status}")
    return " · ".join(fields)


def publish_directory(db: str, out: str | os.PathLike, *, within: str = "",
                      as_of: date | None = None, title: str = "",
                      paper: str = "A4") -> DirectoryPrint:
    """The directory of the register ``db`` (current places, or as they stood on ``as_of``;
    retired ones left out) for the division code prefix ``within``, written to ``out``
    (.pdf or .docx); the command ``geonames registry publish``."""
    from geonames.registry import Registry

    suffix = Path(out).suffix.lower()
    if suffix not in (".pdf", ".docx"):
        raise GeonamesError(f"{out}: the directory is written as .pdf or .docx")
    if within and not within.isdigit():
        raise GeonamesError(f"--within must be a division code prefix (digits), not {within!r}")
    with Registry.open(db, create=False) as reg:
        places = list(reg.places(as_of, current=True))
    directory = build_directory(places, within=within, title=title, as_of=as_of)
    if not directory.sections:
        where = f" under {within}" if within else ""
        raise GeonamesError(f"{db}: no current places{where} to publish")
    return write_directory(directory, out, paper=paper)
