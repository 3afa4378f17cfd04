"""The printed protection list (one self-contained HTML page, grouped by batch and category)
and the reports of the heritage checks (impact of a proposed change, check of the lists).

Input is the rows of :func:`geonames.heritage.publication.publication_rows` (name, romanization, place,
grade, short history, sources, measures), the lists and batches, and the changes made under
override (:class:`~geonames.heritage.model.OverrideRecord`), which the page shows in a section
of its own. The page prints on A4 (each batch starts a new page; a row never splits).

>>> from geonames.heritage.model import ProtectionList, Batch
>>> plist = ProtectionList("cq", "重庆市民政局", "municipal", "重庆市历史地名保护名录")
>>> rows = [{"list": "cq", "batch": 1, "category": "historical", "entry": "cq-1-001",
...          "name": "弹子石", "romanization": "Danzishi", "place_name": "弹子石",
...          "division": "500108", "grade": "二级", "history": "", "sources": "",
...          "measures": "", "listed_on": "2021-01-07"}]
>>> page = render_list_html(rows, {"cq": plist}, [Batch("cq", 1)])
>>> "<h2 id='cq-1'>第1批</h2>" in page and "Danzishi" in page
True
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from geonames.errors import GeonamesError
from geonames.heritage.io import write_list_csv
from geonames.heritage.model import Batch, Entry, EntryStatus, OverrideRecord, ProtectionList
from geonames.text import iso_date

_LEVELS = {"national": "国家级", "provincial": "省级", "municipal": "市级", "district": "区县级"}


def render_list_html(rows: Sequence[Mapping[str, object]], lists: Mapping[str, ProtectionList],
                     batches: Iterable[Batch], overrides: Sequence[OverrideRecord] = (),
                     *, title: str = "", generated: date | None = None,
                     notes: Sequence[str] = (), print_css: str = "") -> str:
    """The whole page.

    Parameters
    ----------
    rows : sequence of mappings
        As :func:`geonames.heritage.publication.publication_rows` returns them (already ordered).
    lists : mapping list id → ProtectionList
    batches : iterable of Batch
    overrides : sequence of OverrideRecord
        Changes made to protected places under override; shown after the list.
    title : str
        Page title; default the title of the (first) list.
    generated : date, optional
        Printed in the footer.
    notes : sequence of str
        Remarks printed under the title (data caveats).
    print_css : str
        CSS added after the page's own: the paper size and fonts of a PDF
        (:func:`geonames.report.heritage_print.write_list_pdf`).
    """
    batch_of = {(b.list_id, b.number): b for b in batches}
    esc = html.escape
    list_ids = list(dict.fromkeys(str(r["list"]) for r in rows)) or list(lists)
    page_title = title or (lists[list_ids[0]].title if list_ids and list_ids[0] in lists
                           else "地名文化遗产保护名录")
    parts = ["<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
             f"<title>{esc(page_title)}</title><style>{_CSS}{print_css}</style></head><body>",
             f"<h1>{esc(page_title)}</h1>"]
    for note in notes:
        parts.append(f"<p class='note'>{esc(note)}</p>")
    for list_id in list_ids:
        plist = lists.get(list_id)
        list_rows = [r for r in rows if str(r["list"]) == list_id]
        if plist is not None:
            parts.append(
                f"<p class='issuer'>{esc(plist.issuer)} · {esc(_LEVELS.get(plist.level, plist.level))}"
                f" · {len(list_rows)} 条</p>")
            if plist.note:
                parts.append(f"<p class='note'>{esc(plist.note)}</p>")
        numbers = list(dict.fromkeys(r["batch"] for r in list_rows))
        for number in numbers:
            batch = batch_of.get((list_id, int(str(number)))) if number != "" else None
            batch_rows = [r for r in list_rows if r["batch"] == number]
            label = batch.label if batch else ("未分批" if number == "" else f"第{number}批")
            anchor = f"{list_id}-{number}" if number != "" else f"{list_id}-none"
            parts.append(f"<section class='batch'><h2 id='{esc(anchor)}'>{esc(label)}</h2>")
            meta = []
            if batch and batch.published:
                meta.append(f"公布日期 {batch.published.isoformat()}")
            if batch and batch.document:
                meta.append(esc(batch.document))
            meta.append(f"{len(batch_rows)} 条")
            parts.append(f"<p class='meta'>{' · '.join(meta)}</p>")
            if batch and batch.note:
                parts.append(f"<p class='note'>{esc(batch.note)}</p>")
            categories = list(dict.fromkeys(str(r["category"]) for r in batch_rows))
            for category in categories:
                cat_rows = [r for r in batch_rows if str(r["category"]) == category]
                label = plist.category_label(category) if plist else category
                parts.append(f"<h3 class='category' data-category='{esc(category)}'>"
                             f"{esc(label)}（{len(cat_rows)}）</h3>")
                parts.append(_table(cat_rows))
            parts.append("</section>")
    if overrides:
        parts.append(_overrides(overrides))
    footer = f"geonames · {generated.isoformat()}" if generated else "geonames"
    parts.append(f"<footer>{esc(footer)}</footer></body></html>")
    return "\n".join(parts)


def write_publication(out_dir: str | os.PathLike, rows: Sequence[Mapping[str, object]],
                      lists: Mapping[str, ProtectionList], batches: Iterable[Batch],
                      overrides: Sequence[OverrideRecord] = (), **kwargs: Any) -> dict[str, Path]:
    """Write ``heritage.csv`` and ``heritage.html`` (see :func:`render_list_html`, which takes
    ``kwargs``) into ``out_dir``; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out / "heritage.csv", "html": out / "heritage.html"}
    write_list_csv(rows, paths["csv"])
    paths["html"].write_text(render_list_html(rows, lists, batches, overrides, **kwargs),
                             encoding="utf-8")
    return paths








#: Columns of the printed table: class, heading, share of the table width (%).
COLUMNS = (("no", "序号", 5), ("name", "名称", 9), ("roman", "拼音", 10), ("place", "地点", 9),
           ("grade", "等级", 5), ("history", "简史", 26), ("sources", "来源", 23),
           ("measures", "保护措施", 13))


def _table(rows: Sequence[Mapping[str, object]]) -> str:
    esc = html.escape
    cols = "".join(f"<col class='{c}' style='width:{w}%'>" for c, _, w in COLUMNS)
    heads = "".join(f"<th class='{c}'>{h}</th>" for c, h, _ in COLUMNS)
    out = [f"<table class='entries'><colgroup>{cols}</colgroup><thead><tr>{heads}</tr>"
           "</thead><tbody>"]
    grades = {str(r.get("grade", "")) for r in rows}
    grade = None
    for i, r in enumerate(rows, 1):
        if len(grades) > 1 and str(r.get("grade", "")) != grade:
            grade = str(r.get("grade", ""))
            out.append(f"<tr class='grade'><th colspan='{len(COLUMNS)}'>"
                       f"{esc(grade or '未定级')}</th></tr>")
        place = " ".join(str(x) for x in (r.get("place_name", ""), r.get("division", "")) if x)
        status = str(r.get("status", "listed"))
        mark = "" if status == "listed" else f" <span class='status'>({esc(status)})</span>"
        sources = "<br>".join(esc(s) for s in str(r.get("sources", "")).split(" | ") if s)
        measures = "<br>".join(esc(s) for s in str(r.get("measures", "")).split(" | ") if s)
        out.append(
            f"<tr id='{esc(str(r.get('entry', '')))}'><td class='no'>{i}</td>"
            f"<td class='name'>{esc(str(r['name']))}{mark}</td>"
            f"<td class='roman'>{esc(str(r.get('romanization', '')))}</td>"
            f"<td class='place'>{esc(place)}</td>"
            f"<td class='grade'>{esc(str(r.get('grade', '')))}</td>"
            f"<td class='history'>{esc(str(r.get('history', '')))}</td>"
            f"<td class='sources'>{sources}</td><td class='measures'>{measures}</td></tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def _overrides(records: Sequence[OverrideRecord]) -> str:
    esc = html.escape
    out = ["<section class='overrides'><h2 id='overrides'>依决定变更的受保护地名</h2>",
           "<p class='meta'>Changes to listed names made under an explicit override, as the "
           "register's history records them.</p>",
           "<table><thead><tr><th>日期</th><th>变更</th><th>受保护地名</th><th>名录条目</th>"
           "<th>决定</th><th>内容</th></tr></thead><tbody>"]
    for r in records:
        out.append(
            f"<tr class='override'><td>{esc(r.date.isoformat() if r.date else '')}</td>"
            f"<td>{esc(r.operation)}</td><td>{esc('、'.join(r.names))}</td>"
            f"<td>{esc(', '.join(r.entries))}</td>"
            f"<td class='decision'>{esc(r.override.text())}</td><td>{esc(r.summary)}</td></tr>")
    out.append("</tbody></table></section>")
    return "\n".join(out)


_CSS = """
@page{size:A4;margin:16mm 14mm}
body{font-family:'Noto Serif CJK SC','Noto Sans CJK SC','Songti SC','SimSun','Microsoft YaHei',
serif;margin:2em auto;max-width:1100px;color:#111;font-size:13px}
h1{text-align:center;font-size:22px;margin-bottom:0.2em}
p.issuer{text-align:center;color:#444;margin-top:0}
h2{font-size:17px;border-bottom:2px solid #333;padding-bottom:2px}
h3.category{font-size:15px;margin:1em 0 0.3em 0}
p.meta{color:#555;margin:0.2em 0 0.6em 0}
p.note{background:#fff6d5;padding:4px 6px;border-left:4px solid #e0b000;font-size:12px}
table{border-collapse:collapse;width:100%;margin-bottom:1em}
table.entries{table-layout:fixed}
th,td{border:1px solid #888;padding:3px 6px;text-align:left;vertical-align:top;
overflow-wrap:anywhere;word-break:normal}
th{background:#eee} td.no,th.no{text-align:right}
tr.grade{break-after:avoid;page-break-after:avoid}
tr.grade th{background:#f6f6f0;font-weight:bold;text-align:left}
td.name{font-weight:bold} td.roman{font-style:italic}
td.sources,td.measures{font-size:11px;color:#333} span.status{font-weight:normal;color:#a00}
td.sources{word-break:break-all}
tr{page-break-inside:avoid}
thead{display:table-header-group}
section.batch+section.batch{page-break-before:always}
footer{margin-top:2em;color:#777;font-size:11px;text-align:right}
@media print{body{margin:0;max-width:none;font-size:9pt} p.note{background:none}
h1{font-size:16pt} h2{font-size:12.5pt} h3.category{font-size:10.5pt}
table.entries{font-size:8pt} th,td{padding:2pt 3pt} td.sources,td.measures{font-size:7pt}
footer{font-size:7.5pt}}
"""




@dataclass(frozen=True, slots=True)
class PlaceInfo:
    """What the published list says of a place: its current name, romanization, division."""

    name: str = ""
    romanization: str = ""
    division: str = ""


def publication_rows(entries: Iterable[Entry], lists: Mapping[str, ProtectionList],
                     batches: Iterable[Batch], places: Mapping[str, PlaceInfo] | None = None,
                     *, statuses: Iterable[EntryStatus] = (EntryStatus.LISTED,),
                     romanize=None) -> list[dict[str, object]]:
    """The rows of the published list, ordered by list, batch, category (in the list's order),
    grade (the list's order), then romanization (alphabetical, as directories are).

    Parameters
    ----------
    entries, lists, batches
        The records; ``lists`` maps list id → list.
    places : mapping place id → PlaceInfo, optional
    statuses : iterable of EntryStatus
        Which entries to publish (default: listed only).
    romanize : callable str → str, optional
        Romanization of a protected name that differs from the place's current name (or when
        the register holds none); default :func:`geonames.names.romanize.romanize`, reading
        every name but those of the category ``natural`` as the name of a place (梁山, the old
        name of 梁平: ``Liangshan``, not the mountain ``Liang Shan``).
    """
    places = places or {}
    wanted = set(statuses)
    batch_of = {(b.list_id, b.number): b for b in batches}
    custom = romanize
    rows = []
    for e in entries:
        if e.status not in wanted:
            continue
        plist = lists.get(e.list_id)
        if plist is None:
            raise GeonamesError(f"entry {e.id} belongs to list {e.list_id}, which is not in "
                                "the register")
        info = places.get(str(e.place_id), PlaceInfo())
        roman = info.romanization if info.romanization and info.name == e.name \
            else custom(e.name) if custom is not None \
            else _default_romanize(e.name, place=e.category != "natural")
        batch = batch_of.get((e.list_id, e.batch)) if e.batch is not None else None
        rows.append({
            "list": plist.id, "batch": e.batch if e.batch is not None else "",
            "batch_published": batch.published.isoformat() if batch and batch.published else "",
            "category": e.category, "category_label": plist.category_label(e.category),
            "entry": e.id, "name": e.name, "romanization": roman, "place": e.place_id,
            "place_name": info.name, "division": info.division, "grade": e.grade,
            "status": str(e.status),
            "listed_on": (iso_date(e.step_date(EntryStatus.LISTED)) or ""),
            "history": e.evidence.history,
            "sources": " | ".join(s.text() for s in e.evidence.sources),
            "measures": " | ".join(e.measures),
        })

    def order(row: dict) -> tuple:
        plist = lists[str(row["list"])]
        cats = list(plist.categories)
        grades = list(plist.grades)
        return (str(row["list"]), row["batch"] if row["batch"] != "" else 10**6,
                cats.index(row["category"]) if row["category"] in cats else len(cats),
                grades.index(row["grade"]) if row["grade"] in grades else len(grades),
                str(row["romanization"]).lower(), str(row["name"]))
    return sorted(rows, key=order)



def _default_romanize(name: str, place: bool = False) -> str:
    from geonames.names.romanize import romanize

    return romanize(name, place=place).text
