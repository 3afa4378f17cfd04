"""Read division-history files: code-list revisions and events files (TOML or CSV).

* **Revisions** (``revision,code,name``, plain or gzipped CSV): one row per code per published
  list, ``revision`` the list's ``YYYYMM`` (as in ``gb2260-revisions.csv.gz``).
* **Events** (TOML): a list of ``[[event]]`` tables::

      [[event]]
      date = "2011-10"                  # YYYY-MM-DD, or YYYY-MM for "some day that month"
      kind = "merged"                   # established abolished renamed recoded reparented
                                        # merged split
      old = ["500110 万盛区", "500222 綦江县"]   # "CODE NAME", or {code=…, name=…, parent=…}
      new = ["500110 綦江区"]
      decision = ""                     # the approval (document number), when known
      source = "GB/T 2260 revision 201110"
      note = ""

* **Events** (CSV): columns ``date,kind,old,new`` and optionally ``decision,source,note``;
  several divisions in one cell are separated by ``;``.

Every fault names the file and the event (TOML ``event #n`` or CSV line) and raises
:class:`~geonames.errors.InputFileError` (a :class:`~geonames.errors.GeonamesError`).

The package ships a cut of the GB/T 2260 revisions for Chongqing (``50``) and a curated events
file for Chongqing since 1997: :func:`shipped_revisions`, :func:`shipped_events`.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import tomllib
from collections.abc import Iterable, Sequence
from datetime import date
from importlib import resources
from pathlib import Path

from geonames.divisions.events import (
    CodeListRevision,
    DivisionEvent,
    NamedCode,
    check_history_code,
    event_kind,
    parse_when,
)
from geonames.divisions.history import DivisionLog, label_changes
from geonames.errors import GeonamesError, InputFileError
from geonames.findings import Finding
from geonames.text import read_text_file

#: Shipped events files, by name.
SHIPPED_EVENTS = {"chongqing": "chongqing-events.toml", "national": "national-events.toml"}
#: The shipped cut of the GB/T 2260 revisions (Chongqing only).
SHIPPED_REVISIONS = "gb2260-revisions-50.csv.gz"
#: The code lists a history is built from by default: GB/T 2260 revisions 198012–201904,
#: then the dated statistical lists 201910–202306 (``scripts/make_history_data.py``).
NATIONAL_REVISIONS = ("gb2260-revisions.csv.gz", "nbs-code-lists.csv.gz")

REVISION_COLUMNS = ("revision", "code", "name")
EVENT_COLUMNS = ("date", "kind", "old", "new")
EVENT_OPTIONAL = ("decision", "source", "note")
_TOML_EVENT_KEYS = frozenset((*EVENT_COLUMNS, *EVENT_OPTIONAL))
_TOML_TOP_KEYS = frozenset({"title", "description", "scope", "sources", "event"})


def shipped_data(name: str) -> Path:
    """Path of a data file shipped in ``geonames/data``."""
    return Path(str(resources.files("geonames") / "data" / name))


def shipped_events(name: str = "chongqing") -> Path:
    """Path of a shipped events file (``"chongqing"``)."""
    if name not in SHIPPED_EVENTS:
        raise GeonamesError(f"no shipped events file {name!r}; there are: "
                            + ", ".join(SHIPPED_EVENTS))
    return shipped_data(SHIPPED_EVENTS[name])


def events_path(path: str | os.PathLike) -> Path:
    """The path of an events file: ``path`` itself, or the shipped file of that name
    (``"chongqing"``) when no such file exists."""
    if not os.path.exists(path) and str(path) in SHIPPED_EVENTS:
        return shipped_events(str(path))
    return Path(path)


def shipped_revisions() -> Path:
    """Path of the shipped GB/T 2260 revisions cut (Chongqing, ``50``)."""
    return shipped_data(SHIPPED_REVISIONS)


def national_revisions() -> list[Path]:
    """Paths of the shipped national code lists, 198012 to the latest year."""
    return [shipped_data(name) for name in NATIONAL_REVISIONS]


def default_events() -> list[Path]:
    """Every shipped events file (Chongqing, and the national one)."""
    return [shipped_data(name) for name in SHIPPED_EVENTS.values()]


def load_revisions(paths: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
                   prefix: str = "") -> list[CodeListRevision]:
    """The revisions of several files in date order (default :func:`national_revisions`).

    Two files may not both give a list for the same month."""
    if paths is None:
        paths = national_revisions()
    elif isinstance(paths, str | os.PathLike):
        paths = [paths]
    out: dict[str, CodeListRevision] = {}
    for path in paths:
        for rev in read_revisions(path, prefix):
            if rev.label in out:
                raise InputFileError(f"{path}: revision {rev.label} is also in another "
                                     "revisions file")
            out[rev.label] = rev
    return sorted(out.values(), key=lambda r: r.date)


# --------------------------------------------------------------------------- revisions


def read_revisions(path: str | os.PathLike, prefix: str = "") -> list[CodeListRevision]:
    """Code-list revisions from a ``revision,code,name`` CSV (``.gz`` read transparently);
    an optional ``source`` column says how events inferred from each list cite it.

    ``prefix`` keeps only codes starting with it (``"50"`` for Chongqing). Revisions are
    returned oldest first; a revision whose every row is filtered out is still returned (an
    empty list for that prefix means the province did not exist then).
    """
    text = read_text_file(path)
    reader = csv.DictReader(io.StringIO(text))
    require_columns(path, reader, REVISION_COLUMNS)
    by_label: dict[str, dict[str, str]] = {}
    sources: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        label = (row["revision"] or "").strip()
        if row.get("source"):
            sources.setdefault(label, row["source"].strip())
        code = (row["code"] or "").strip()
        name = (row["name"] or "").strip()
        if label not in by_label:
            try:
                parse_when(label)
            except GeonamesError:
                raise InputFileError(f"{path}, line {line}: revision {label!r} is not YYYYMM")\
                    from None
            by_label[label] = {}
        if not code.startswith(prefix):
            continue
        if not code.isdigit():
            raise InputFileError(f"{path}, line {line}: code {code!r} is not digits")
        codes = by_label[label]
        if code in codes and codes[code] != name:
            raise InputFileError(f"{path}, line {line}: revision {label} lists {code} twice "
                                 f"({codes[code]!r} and {name!r})")
        codes[code] = name
    if not by_label:
        raise InputFileError(f"{path}: no rows")
    return sorted((CodeListRevision(label, parse_when(label), codes, sources.get(label, ""))
                   for label, codes in by_label.items()), key=lambda r: r.date)


# --------------------------------------------------------------------------- events


def read_events(path: str | os.PathLike) -> list[DivisionEvent]:
    """Events from a TOML or CSV events file (by suffix: ``.toml``, ``.csv``, ``.csv.gz``).

    ``path`` may also name a shipped events file (``"chongqing"``), see :func:`events_path`.
    """
    path = events_path(path)
    name = str(path).lower()
    if name.endswith(".toml"):
        return _read_events_toml(path)
    if name.endswith((".csv", ".csv.gz", ".tsv")):
        return _read_events_csv(path)
    raise InputFileError(f"{path}: an events file must be .toml or .csv")


def _read_events_toml(path) -> list[DivisionEvent]:
    try:
        data = tomllib.loads(read_text_file(path))
    except tomllib.TOMLDecodeError as err:
        raise InputFileError(f"{path}: not valid TOML ({err})") from None
    unknown = set(data) - _TOML_TOP_KEYS
    if unknown:
        raise InputFileError(f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))}; "
                             f"expected {', '.join(sorted(_TOML_TOP_KEYS))}")
    items = data.get("event")
    if not isinstance(items, list) or not items:
        raise InputFileError(f"{path}: no [[event]] tables")
    events = []
    for n, item in enumerate(items, start=1):
        where = f"{path}, event #{n}"
        if not isinstance(item, dict):
            raise InputFileError(f"{where}: not a table")
        unknown = set(item) - _TOML_EVENT_KEYS
        if unknown:
            raise InputFileError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                                 f"expected {', '.join(sorted(_TOML_EVENT_KEYS))}")
        missing = [k for k in ("date", "kind") if k not in item]
        if missing:
            raise InputFileError(f"{where}: missing {', '.join(missing)}")
        events.append(_event(where, item["date"], item["kind"], item.get("old", []),
                             item.get("new", []), item))
    return events


def _read_events_csv(path) -> list[DivisionEvent]:
    reader = csv.DictReader(io.StringIO(read_text_file(path)),
                            delimiter="\t" if str(path).lower().endswith(".tsv") else ",")
    require_columns(path, reader, EVENT_COLUMNS)
    events = []
    for line, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        events.append(_event(f"{path}, line {line}", row["date"], row["kind"],
                             _split_units(row["old"]), _split_units(row["new"]), row))
    if not events:
        raise InputFileError(f"{path}: no events")
    return events


def _split_units(cell: str | None) -> list[str]:
    text = (cell or "").replace("；", ";").replace("|", ";")
    return [part.strip() for part in text.split(";") if part.strip()]


def _event(where: str, when, kind, old, new, extra: dict) -> DivisionEvent:
    try:
        day = parse_when(when if isinstance(when, date) else str(when))
        if isinstance(old, str | dict):
            old = [old]
        if isinstance(new, str | dict):
            new = [new]
        units_old = tuple(_unit(u) for u in old)
        units_new = tuple(_unit(u) for u in new)
        return DivisionEvent(event_kind(str(kind).strip()), day, units_old, units_new,
                             decision=str(extra.get("decision") or "").strip(),
                             source=str(extra.get("source") or "").strip(),
                             note=str(extra.get("note") or "").strip())
    except GeonamesError as err:
        raise InputFileError(f"{where}: {err}") from None


def _unit(item) -> NamedCode:
    if isinstance(item, dict):
        unknown = set(item) - {"code", "name", "parent"}
        if unknown or "code" not in item:
            raise InputFileError("a division table needs 'code' (and may have 'name', "
                                 f"'parent'); got {', '.join(sorted(item))}")
        parent = item.get("parent")
        return NamedCode(check_history_code(str(item["code"])), str(item.get("name", "")),
                         check_history_code(str(parent)) if parent else None)
    if isinstance(item, int):
        item = str(item)
    if not isinstance(item, str):
        raise InputFileError(f"a division must be 'CODE NAME' or a table, not {item!r}")
    return NamedCode.parse(item)


# --------------------------------------------------------------------------- the log


def load_log(revisions: str | os.PathLike | Sequence[str | os.PathLike] | None = None,
             events: Sequence[str | os.PathLike] | None = None,
             prefix: str = "") -> DivisionLog:
    """A :class:`~geonames.divisions.history.DivisionLog` from files.

    ``revisions`` (one revisions CSV or several, see :func:`load_revisions`) gives the
    baseline and the inferred events; ``events`` (events files) the recorded ones, which
    replace the inferred events they explain. With neither, nothing is loaded: give at least
    one. ``prefix`` limits the revisions read. A log of the same unchanged files is built once
    per process.
    """
    if revisions is None:
        rev_paths: tuple[str, ...] | None = None
    elif isinstance(revisions, str | os.PathLike):
        rev_paths = (str(revisions),)
    else:
        rev_paths = tuple(str(p) for p in revisions)
    event_paths = tuple(str(events_path(p)) for p in events or ())
    stamps = tuple(_stamp(p) for p in (*(rev_paths or ()), *event_paths))
    return _load_log(rev_paths, event_paths, prefix, stamps)


def _stamp(path: str) -> tuple[float, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime, st.st_size)


@functools.lru_cache(maxsize=8)
def _load_log(revisions: tuple[str, ...] | None, events: tuple[str, ...], prefix: str,
              stamps: tuple) -> DivisionLog:
    recorded: list[DivisionEvent] = []
    for path in events:
        recorded.extend(read_events(path))
    if revisions is None:
        if not recorded:
            raise GeonamesError("no history to load: give a revisions file, an events file, "
                                "or both")
        return DivisionLog(recorded)
    return DivisionLog.from_revisions(load_revisions(list(revisions), prefix), recorded, prefix)


def label_with_history(findings: Iterable[Finding],
                       events: Sequence[str | os.PathLike]) -> list[Finding]:
    """Change findings labelled with the recorded events of the given events files (see
    :func:`geonames.divisions.history.label_changes`)."""
    recorded: list[DivisionEvent] = []
    for path in events:
        recorded.extend(read_events(path))
    return label_changes(findings, DivisionLog(recorded))


def write_events_csv(events: Iterable[DivisionEvent], path: str | os.PathLike) -> None:
    """Write events as an events CSV (UTF-8 with BOM), readable by :func:`read_events`."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow([*EVENT_COLUMNS, *EVENT_OPTIONAL])
        for e in events:
            writer.writerow([e.date.isoformat(), str(e.kind), "; ".join(map(str, e.old)),
                             "; ".join(map(str, e.new)), e.decision, e.source, e.note])


# --------------------------------------------------------------------------- helpers


def require_columns(path, reader: csv.DictReader, required: Sequence[str]) -> None:
    """Strip the header names and check that every required column is there."""
    have = [(f or "").strip() for f in reader.fieldnames or []]
    reader.fieldnames = have
    missing = [c for c in required if c not in have]
    if missing:
        raise InputFileError(f"{path}: missing column(s) {', '.join(missing)}; the columns "
                             f"are: {', '.join(have) or '(none)'}")
