"""Reading and writing heritage records: the list file (JSON), dated periods (CSV), the
published list (CSV).

The list file (``format: geonames-heritage/1``) holds ``lists``, ``batches``, ``places`` and
``entries``; ``fixtures/heritage/chongqing.json`` is one. Places in the file are keyed by a local
``id``; on import into a register they are matched to register places (or added), and the
entries point to the register ids. The same record ↔ dict functions serve the register's
storage of heritage records.

Every problem in a file is an :class:`~geonames.errors.InputFileError` naming the file, the
record and the field.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

from geonames.errors import GeonamesError, InputFileError
from geonames.heritage.held import HeldPeriod, parse_year
from geonames.heritage.model import (
    DEFAULT_CATEGORIES,
    LIST_COLUMNS,
    Batch,
    Entry,
    Evidence,
    Notice,
    Objection,
    Override,
    ProtectionList,
    Source,
    Step,
)
from geonames.heritage.workflow import check_steps
from geonames.names.model import NameVariant, VariantKind
from geonames.text import iso_date

FORMAT = "geonames-heritage/1"


@dataclass(frozen=True, slots=True)
class FilePlace:
    """A place as a list file describes it (matched to or added to the register on import).

    ``geometry`` is in longitude/latitude (EPSG:4326 ≈ CGCS2000 at this precision);
    ``former_names`` are former names with their dates (in the file ``former_names``:
    ``[{"name", "kind", "valid_from", "valid_to", "source"}]``, kind ``former_standard`` by
    default or ``historical``), added with the place.
    """

    key: str
    name: str
    division_code: str = ""
    geometry: BaseGeometry | None = None
    note: str = ""
    former_names: tuple[NameVariant, ...] = ()


@dataclass
class HeritageFile:
    """The contents of a list file."""

    lists: list[ProtectionList] = field(default_factory=list)
    batches: list[Batch] = field(default_factory=list)
    places: list[FilePlace] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)
    note: str = ""


# --------------------------------------------------------------------------------------------
# records ↔ plain dicts


def list_to_dict(plist: ProtectionList) -> dict[str, Any]:
    return {"id": plist.id, "issuer": plist.issuer, "level": plist.level,
            "title": plist.title, "categories": dict(plist.categories),
            "grades": list(plist.grades), "note": plist.note}


def list_from_dict(d: Mapping[str, Any]) -> ProtectionList:
    return ProtectionList(str(d["id"]), d["issuer"], d["level"], d["title"],
                          dict(d.get("categories") or DEFAULT_CATEGORIES),
                          tuple(d.get("grades") or ()), d.get("note", ""))


def batch_to_dict(b: Batch) -> dict[str, Any]:
    return {"list": b.list_id, "number": b.number, "published": iso_date(b.published),
            "document": b.document, "title": b.title, "note": b.note}


def batch_from_dict(d: Mapping[str, Any]) -> Batch:
    return Batch(str(d["list"]), int(d["number"]), _day(d.get("published")),
                 d.get("document", ""), d.get("title", ""), d.get("note", ""))


def source_to_dict(s: Source) -> dict[str, Any]:
    out: dict[str, Any] = {"citation": s.citation}
    for key, value in (("url", s.url), ("locator", s.locator), ("note", s.note)):
        if value:
            out[key] = value
    if s.accessed:
        out["accessed"] = s.accessed.isoformat()
    if not s.certain:
        out["certain"] = False
    return out


def source_from_dict(d: Mapping[str, Any]) -> Source:
    return Source(d["citation"], d.get("url", ""), d.get("locator", ""),
                  _day(d.get("accessed")), bool(d.get("certain", True)), d.get("note", ""))


def entry_to_dict(e: Entry) -> dict[str, Any]:
    return {
        "id": e.id, "list": e.list_id, "place": e.place_id, "name": e.name,
        "category": e.category, "grade": e.grade, "batch": e.batch,
        "history": e.evidence.history,
        "sources": [source_to_dict(s) for s in e.evidence.sources],
        "measures": list(e.measures),
        "steps": [{"status": str(s.status), "date": s.date.isoformat(), "document": s.document,
                   "note": s.note} for s in e.steps],
        "notices": [{"start": n.start.isoformat(), "end": n.end.isoformat(), "where": n.where,
                     "objections": [{"received": o.received.isoformat(), "by": o.by,
                                     "text": o.text, "resolved": iso_date(o.resolved),
                                     "resolution": o.resolution} for o in n.objections]}
                    for n in e.notices],
        "note": e.note, "properties": dict(e.properties),
    }


def entry_from_dict(d: Mapping[str, Any]) -> Entry:
    return Entry(
        str(d["id"]), str(d["list"]), str(d["place"]), d["name"], d["category"],
        d.get("grade", "") or "", None if d.get("batch") in (None, "") else int(d["batch"]),
        Evidence(d.get("history", ""), tuple(source_from_dict(s) for s in d.get("sources", ()))),
        tuple(d.get("measures", ())),
        tuple(Step(s["status"], _required_day(s["date"]), s.get("document", ""), s.get("note", ""))
              for s in d.get("steps", ())),
        tuple(Notice(_required_day(n["start"]), _required_day(n["end"]), n.get("where", ""),
                     tuple(Objection(_required_day(o["received"]), o.get("by", ""), o["text"],
                                     _day(o.get("resolved")), o.get("resolution", ""))
                           for o in n.get("objections", ())))
              for n in d.get("notices", ())),
        d.get("note", ""), dict(d.get("properties") or {}))


def override_to_dict(o: Override) -> dict[str, Any]:
    return {"decision": o.decision, "authority": o.authority, "date": iso_date(o.date),
            "reason": o.reason}


def override_from_dict(d: Mapping[str, Any]) -> Override:
    return Override(d["decision"], d.get("authority", ""), _day(d.get("date")),
                    d.get("reason", ""))


# --------------------------------------------------------------------------------------------
# files


def read_heritage_file(path: str | os.PathLike) -> HeritageFile:
    """Read a list file.

    Raises
    ------
    InputFileError
        Missing or unreadable file, not JSON, wrong format, or a bad record (the message names
        the record and what is wrong).
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputFileError(f"{p}: not a readable JSON heritage list file: {err}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputFileError(f"{p}: not a heritage list file (expected \"format\": \"{FORMAT}\")")
    out = HeritageFile(note=data.get("note", ""))
    readers: tuple[tuple[str, Callable[[Any], Any], list[Any]], ...] = (
        ("lists", list_from_dict, out.lists), ("batches", batch_from_dict, out.batches),
        ("places", _place_from_dict, out.places), ("entries", entry_from_dict, out.entries))
    for kind, parse, target in readers:
        for i, record in enumerate(data.get(kind) or []):
            try:
                target.append(parse(record))
            except KeyError as err:
                raise InputFileError(f"{p}: {kind}[{i}] ({_label(record)}) lacks the field "
                                     f"{err.args[0]!r}") from None
            except (ValueError, TypeError, GeonamesError) as err:
                raise InputFileError(f"{p}: {kind}[{i}] ({_label(record)}): {err}") from None
    _check_references(p, out)
    return out


def write_heritage_file(path: str | os.PathLike, data: HeritageFile) -> None:
    """Write a list file (UTF-8 JSON)."""
    doc = {"format": FORMAT, "note": data.note,
           "lists": [list_to_dict(x) for x in data.lists],
           "batches": [batch_to_dict(x) for x in data.batches],
           "places": [_place_to_dict(x) for x in data.places],
           "entries": [entry_to_dict(x) for x in data.entries]}
    Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_held_periods(path: str | os.PathLike) -> dict[str, list[HeldPeriod]]:
    """Read dated periods (columns ``place,start,end,name,status[,source]``) per place.

    Years as :func:`geonames.heritage.held.parse_year` reads them; an empty ``end`` means the
    period still runs. ``place`` may be omitted (one place, keyed ``""``).
    """
    p = Path(path)
    try:
        with open(p, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise InputFileError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        raise InputFileError(f"{p}: not a readable CSV file: {err}") from None
    if not rows:
        raise InputFileError(f"{p}: no periods (expected columns place,start,end,name,status)")
    missing = {"start", "end", "name", "status"} - set(rows[0])
    if missing:
        raise InputFileError(f"{p}: missing column(s) {', '.join(sorted(missing))} (expected "
                             "place,start,end,name,status[,source])")
    out: dict[str, list[HeldPeriod]] = {}
    for i, row in enumerate(rows, start=2):
        try:
            period = HeldPeriod(parse_year(row["start"]),
                                parse_year(row["end"]) if (row["end"] or "").strip() else None,
                                (row["name"] or "").strip(), (row["status"] or "").strip(),
                                (row.get("source") or "").strip())
        except (GeonamesError, ValueError) as err:
            raise InputFileError(f"{p}, line {i}: {err}") from None
        if not period.name or not period.status:
            raise InputFileError(f"{p}, line {i}: a period needs a name and a status")
        out.setdefault((row.get("place") or "").strip(), []).append(period)
    return out


def write_list_csv(rows: Sequence[Mapping[str, object]], path: str | os.PathLike) -> None:
    """The published list as CSV (columns :data:`geonames.heritage.workflow.LIST_COLUMNS`, UTF-8 with
    BOM so that Excel reads Chinese)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.DictWriter(fh, fieldnames=LIST_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def _check_references(p: Path, data: HeritageFile) -> None:
    lists = {x.id: x for x in data.lists}
    places = {x.key for x in data.places}
    batches = {(b.list_id, b.number) for b in data.batches}
    seen: set[str] = set()
    for b in data.batches:
        if b.list_id not in lists:
            raise InputFileError(f"{p}: batch {b.number} names list {b.list_id!r}, which the "
                                 "file does not define")
    for e in data.entries:
        if e.id in seen:
            raise InputFileError(f"{p}: entry id {e.id!r} is used twice")
        seen.add(e.id)
        if e.list_id not in lists:
            raise InputFileError(f"{p}: entry {e.id} names list {e.list_id!r}, which the file "
                                 "does not define")
        if places and e.place_id not in places:
            raise InputFileError(f"{p}: entry {e.id} names place {e.place_id!r}, which the "
                                 "file's places do not define")
        if e.batch is not None and (e.list_id, e.batch) not in batches:
            raise InputFileError(f"{p}: entry {e.id} is in batch {e.batch} of {e.list_id}, "
                                 "which the file does not define")
        try:
            check_steps(e)
        except GeonamesError as err:
            raise InputFileError(f"{p}: {err}") from None
        plist = lists[e.list_id]
        if e.category not in plist.categories:
            raise InputFileError(f"{p}: entry {e.id}: category {e.category!r} is not one of "
                                 f"list {plist.id}'s ({', '.join(plist.categories)})")
        if plist.grades and e.grade not in plist.grades:
            raise InputFileError(f"{p}: entry {e.id}: grade {e.grade!r} is not one of list "
                                 f"{plist.id}'s ({', '.join(plist.grades)})")


def _place_from_dict(d: Mapping[str, Any]) -> FilePlace:
    geometry = None
    if d.get("wkt"):
        geometry = shapely.from_wkt(d["wkt"])
    elif d.get("lon") is not None and d.get("lat") is not None:
        lon, lat = float(d["lon"]), float(d["lat"])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError(f"lon/lat {lon}, {lat} out of range")
        geometry = shapely.Point(lon, lat)
    formers = tuple(NameVariant(f["name"], VariantKind(f.get("kind", "former_standard")),
                                valid_from=_day(f.get("valid_from")),
                                valid_to=_day(f.get("valid_to")), source=f.get("source", ""))
                    for f in d.get("former_names") or ())
    return FilePlace(str(d["id"]), d["name"], str(d.get("division_code", "") or ""), geometry,
                     d.get("location_note", "") or d.get("note", ""), formers)


def _place_to_dict(p: FilePlace) -> dict[str, Any]:
    out: dict[str, Any] = {"id": p.key, "name": p.name, "division_code": p.division_code}
    if p.geometry is not None:
        if p.geometry.geom_type == "Point":
            out["lon"], out["lat"] = p.geometry.centroid.x, p.geometry.centroid.y
        else:
            out["wkt"] = p.geometry.wkt
    if p.note:
        out["location_note"] = p.note
    if p.former_names:
        out["former_names"] = [{"name": v.name, "kind": str(v.kind),
                                "valid_from": iso_date(v.valid_from),
                                "valid_to": iso_date(v.valid_to), "source": v.source}
                               for v in p.former_names]
    return out


def _label(record: Any) -> str:
    if isinstance(record, Mapping):
        return str(record.get("id") or record.get("name") or record.get("number") or "?")
    return "?"



def _required_day(value: Any) -> date:
    """A date that must be given (a step's, a notice's, an objection's)."""
    day = _day(value)
    if day is None:
        raise ValueError("a date is required")
    return day


def _day(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"bad date {value!r}: write YYYY-MM-DD") from None
