"""Read name lists (CSV, or any vector file) and run the name checks on them (the adapter for
``geonames names``).

What can go wrong, and what happens:

* a missing, empty or unreadable file, a file with a header and no rows, a missing column →
  :class:`~geonames.errors.InputFileError` naming the file and the columns it has (the command
  exits 2 with one line);
* a row without a name, a code that does not parse → a finding (``name.empty``,
  ``name.bad_code``); the rest of the file is still checked.

CSV text is read as UTF-8 (with or without BOM), else GB18030 (the usual encoding of Chinese
spreadsheets saved as CSV); ``encoding=`` overrides.
"""

from __future__ import annotations

import csv
import io
import os
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from pyproj import CRS

from geonames.crs import choose_metric_crs, reproject
from geonames.divisions.io import division_ids
from geonames.document import MapLayer, Report, Table
from geonames.errors import GeonamesError, InputFileError
from geonames.findings import count_by_code
from geonames.names.lint import (
    LEVEL_ALIASES,
    LEVEL_RANK,
    SCOPES,
    NameRules,
    default_rules,
    lint_names,
    parse_rules,
)
from geonames.names.romanize import romanize_many
from geonames.text import decode_text, text_problem
from geonames.vector import data_crs_of, read_layer

#: Suffixes read as delimited text; anything else goes through fiona.
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
#: Column names tried, in order, when none is given.
NAME_COLUMNS = ("name", "名称", "标准名称", "地名", "standard_name", "xzqmc", "mc")
CODE_COLUMNS = ("code", "代码", "区划代码", "division_code", "adcode", "xzqdm", "feature_id")


@dataclass
class NameList:
    """The rows of a name list, as text, with geometries when the file has them.

    ``geometries`` is None for text files; ``crs`` is the CRS of the geometries.
    """

    path: str
    columns: list[str]
    rows: list[dict[str, str]]
    geometries: np.ndarray | None = None
    crs: CRS | None = None
    crs_note: str | None = None
    encoding: str | None = None
    layer: str | None = None
    notes: list[str] = field(default_factory=list)

    def column(self, name: str | None, guesses: tuple[str, ...] = (), what: str = "column",
               required: bool = True) -> list[str] | None:
        """The values of a column (given, or the first of ``guesses`` present).

        Raises InputFileError when a given column is missing, or a required one cannot be
        guessed.
        """
        name = self.column_name(name, guesses, what, required)
        if name is None:
            return None
        values = [row.get(name, "") for row in self.rows]
        if what == "name":  # names are checked as text: no NUL or control characters, bounded
            offset = 2 if self.geometries is None else 1  # file line (CSV) or feature row
            for k, value in enumerate(values):
                fault = text_problem(value, allow_empty=True) if value else None
                if fault:
                    raise InputFileError(f"{self.path}: row {k + offset} ({name}): the name "
                                         f"{fault}")
        return values

    def values(self, name: str | None, guesses: tuple[str, ...] = (),
               what: str = "column") -> list[str]:
        """The values of a required column (see :meth:`column`)."""
        values = self.column(name, guesses, what, required=True)
        if values is None:  # column() raises for a required column it cannot find
            raise InputFileError(f"{self.path}: no {what} column")
        return values

    def column_name(self, name: str | None, guesses: tuple[str, ...] = (),
                    what: str = "column", required: bool = True) -> str | None:
        """The column :meth:`column` reads (see there)."""
        lowered = {c.lower(): c for c in self.columns}
        if name is None:
            name = next((lowered[g.lower()] for g in guesses if g.lower() in lowered), None)
            if name is None:
                if not required:
                    return None
                raise InputFileError(
                    f"{self.path}: no {what} column (tried {', '.join(guesses)}); columns are: "
                    f"{', '.join(self.columns)} — name it with the option")
        elif name not in self.columns:
            if name.lower() in lowered:
                name = lowered[name.lower()]
            else:
                raise InputFileError(f"{self.path}: no column {name!r} for the {what}; "
                                     f"columns are: {', '.join(self.columns)}")
        return name


def read_names(path: str | os.PathLike, layer: str | None = None,
               encoding: str | None = None) -> NameList:
    """Read a name list: CSV/TSV (header row) or any vector file fiona reads."""
    path = str(path)
    if not os.path.exists(path):
        raise InputFileError(f"{path}: no such file")
    if os.path.isdir(path) and not path.endswith(".gdb"):
        raise InputFileError(f"{path}: is a folder, not a name list")
    if os.path.isfile(path) and os.path.getsize(path) == 0:
        raise InputFileError(f"{path}: the file is empty")
    if Path(path).suffix.lower() in TEXT_SUFFIXES:
        return _read_text(path, encoding)
    raw = read_layer(path, layer=layer, encoding=encoding)
    columns = list(raw.fields)
    rows = [{k: _text(v) for k, v in props.items()} for props in raw.properties]
    ids, source = division_ids(raw)
    if source == "feature id" and "feature_id" not in columns:
        # GeoJSON keeps division codes as the feature id (echarts maps): offer it as a column
        columns.append("feature_id")
        for row, fid in zip(rows, ids, strict=True):
            row["feature_id"] = fid
    has_geometry = any(g is not None for g in raw.geometries)
    crs, note = data_crs_of(raw) if has_geometry else (None, None)
    return NameList(path, columns, rows, raw.geometries if has_geometry else None, crs, note,
                    raw.encoding, raw.layer)


def _read_text(path: str, encoding: str | None) -> NameList:
    text, used = decode_text(Path(path).read_bytes(), path, encoding)
    sample = text[:4096]
    delimiter = "\t" if path.lower().endswith(".tsv") or (
        "\t" in sample and sample.count("\t") > sample.count(",")) else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputFileError(f"{path}: the file is empty") from None
    header = [h.strip() for h in header]
    if not any(header):
        raise InputFileError(f"{path}: the first line (the header) is empty")
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise InputFileError(f"{path}: the header names the column(s) {', '.join(repeated)} "
                             "more than once")
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        rows.append({h: (values[k].strip() if k < len(values) else "")
                     for k, h in enumerate(header)})
    if not rows:
        raise InputFileError(f"{path}: no rows below the header")
    return NameList(path, header, rows, encoding=used)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --------------------------------------------------------------------------- rules


def load_rules(path: str | os.PathLike | None = None,
               scopes: dict[str, str] | None = None) -> NameRules:
    """The default rules, a rules file laid over them, then ``scopes`` overrides."""
    rules = default_rules()
    if path is not None:
        if not os.path.isfile(path):
            raise InputFileError(f"{path}: no such rules file")
        rules = parse_rules(Path(path).read_text(encoding="utf-8"), source=str(path))
    if scopes:
        for level, scope in scopes.items():
            if level not in LEVEL_RANK and level not in LEVEL_ALIASES:
                raise GeonamesError(f"--scope {level}={scope}: {level!r} is not a level (use "
                                    f"{', '.join(LEVEL_RANK)})")
            if scope not in SCOPES:
                raise GeonamesError(f"scope {scope!r} for {level!r} is not one of "
                                    f"{', '.join(SCOPES)}")
        rules = replace(rules, scopes={**rules.scopes, **scopes}, patterns={})
    return rules


# --------------------------------------------------------------------------- commands


def names_report(
    path: str | os.PathLike,
    name_col: str | None = None,
    code_col: str | None = None,
    level_col: str | None = None,
    pinyin_col: str | None = None,
    category_col: str | None = None,
    id_col: str | None = None,
    rules: NameRules | None = None,
    own_codes: bool | None = None,
    layer: str | None = None,
    encoding: str | None = None,
    user_crs: str | None = None,
    progress=None,
) -> Report:
    """Read a name list, check it (:func:`geonames.names.lint.lint_names`) and build the report.

    The report has the findings (with points, in a metric CRS, when the file has geometries),
    a table of the scopes used and one of the findings per rule.
    """
    start = time.perf_counter()
    say = progress or (lambda _m: None)
    say(f"reading {path}")
    names = read_names(path, layer=layer, encoding=encoding)
    rules = rules or default_rules()
    name_values = names.values(name_col, NAME_COLUMNS, "name")
    codes = names.column(code_col, CODE_COLUMNS, "code", required=code_col is not None)
    levels = names.column(level_col, what="level") if level_col else None
    pinyin = names.column(pinyin_col, what="romanization") if pinyin_col else None
    categories = names.column(category_col, what="category") if category_col else None
    ids = names.column(id_col, what="id") if id_col else None
    notes = list(names.notes)
    if codes is None:
        notes.append("no code column: the whole list is one area for duplicates and "
                     "homophones, and levels come from the generic terms")
    geoms, crs, label = None, None, None
    if names.geometries is not None and names.crs is not None:
        bounds = _bounds(names.geometries)
        metric = choose_metric_crs(names.crs, bounds, user_crs, geometries=names.geometries)
        geoms = reproject(names.geometries, names.crs, metric.crs)
        crs, label = metric.crs, metric.label
        if names.crs_note:
            notes.append(names.crs_note)
    say(f"checking {len(name_values):,} names")
    findings = lint_names(name_values, codes, levels=levels, romanized=pinyin,
                          categories=categories, ids=ids, geometries=geoms, rules=rules,
                          own_codes=own_codes)
    counts = count_by_code(findings)
    flags = Counter(r.transcription for r in romanize_many(name_values, codes=codes))
    if flags["not transcribed"] or flags["transcribed"]:
        notes.append(
            f"{flags['not transcribed']:,} names lie in autonomous areas and are romanized as "
            f"Hanyu pinyin of the Chinese form, not transcribed from the minority language "
            f"(未转写); {flags['transcribed']:,} use a standard transcribed form with its source "
            "(geonames names romanize --code shows each)")
    layers = []
    if geoms is not None:
        import shapely

        present = ~shapely.is_missing(geoms)
        layers = [MapLayer("names", geoms[present],
                           labels=[n for n, k in zip(name_values, present, strict=True) if k]
                           if present.sum() <= 60 else None,
                           kind=_kind(geoms[present]))]
    scope_rows = [[level, scope] for level, scope in rules.scopes.items()]
    return Report(
        check="names", findings=findings, crs=crs, metric_crs=label,
        inputs={"path": str(path), "layer": names.layer,
                "name_column": names.column_name(name_col, NAME_COLUMNS, "name"),
                "code_column": names.column_name(code_col, CODE_COLUMNS, "code", False),
                "level_column": level_col, "romanization_column": pinyin_col,
                "category_column": category_col, "rules": rules.source,
                "encoding": names.encoding},
        seconds=time.perf_counter() - start, layers=layers,
        tables=[Table("scopes", "Scopes of duplicate and homophone checks (level → area)",
                      ["level", "scope"], scope_rows),
                Table("rule_counts", "Findings per rule", ["rule", "findings"],
                      [[k, v] for k, v in counts.items()])],
        notes=notes,
        stats={"names": len(name_values), "distinct_names": len(set(name_values)),
               "transcribed": flags["transcribed"], "not_transcribed": flags["not transcribed"],
               "with_code": sum(1 for c in codes if c) if codes is not None else 0},
    )


def romanize_file(
    path: str | os.PathLike,
    column: str | None,
    output: str | os.PathLike,
    tones: bool = False,
    code_col: str | None = None,
    encoding: str | None = None,
) -> int:
    """Add romanization, pinyin_key, initials and transcription columns to a CSV.

    ``transcription`` is ``transcribed`` / ``not transcribed`` for names in autonomous areas
    (see :class:`geonames.names.romanize.Romanization`), empty elsewhere. Returns the rows
    written.

    The output is UTF-8 with BOM (Excel reads it), all input columns first.
    """
    names = read_names(path, encoding=encoding)
    if names.geometries is not None:
        raise InputFileError(f"{path}: give a CSV (names with geometry: export the "
                             "attributes first)")
    values = names.values(column, NAME_COLUMNS, "name")
    codes = names.column(code_col, CODE_COLUMNS, "code") if code_col else None
    results = romanize_many(values, tones=tones, codes=codes)
    extra = ["romanization", "pinyin_key", "initials", "transcription"]
    clash = [c for c in extra if c in names.columns]
    if clash:
        raise InputFileError(f"{path}: already has column(s) {', '.join(clash)}")
    with open(output, "w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(names.columns + extra)
        for row, r in zip(names.rows, results, strict=True):
            writer.writerow([row.get(c, "") for c in names.columns]
                            + [r.text, r.key, r.initials, r.transcription])
    return len(results)


def _kind(geometries: np.ndarray) -> str:
    import shapely

    dims = shapely.get_dimensions(geometries)
    return {0: "point", 1: "line"}.get(int(dims.max()) if len(dims) else 0, "polygon")


def _bounds(geometries: np.ndarray) -> tuple[float, float, float, float]:
    import shapely

    present = geometries[~shapely.is_missing(geometries)]
    xmin, ymin, xmax, ymax = (float(v) for v in shapely.total_bounds(present))
    return (xmin, ymin, xmax, ymax)
