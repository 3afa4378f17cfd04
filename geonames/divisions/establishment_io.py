"""Read establishment rules (TOML) and proposals (CSV) for :mod:`geonames.divisions.establishment`.

Proposals CSV: columns ``id``, ``name``, ``type`` (a type of the rules: ``town``,
``sub-district`` …) and one column per measure the rules use; UTF-8 (with or without BOM) or
GB18030. Faults name the file and line and raise :class:`~geonames.errors.InputFileError`.
"""

from __future__ import annotations

import csv
import io
import os
import tomllib

from geonames.divisions.establishment import (
    PROPOSAL_COLUMNS,
    Proposal,
    Rules,
    RulesError,
    rules_from_dict,
)
from geonames.divisions.history_io import require_columns
from geonames.errors import InputFileError
from geonames.text import read_text_file


def read_rules(path: str | os.PathLike) -> Rules:
    """Establishment rules from a TOML file (see :mod:`geonames.divisions.establishment`)."""
    try:
        data = tomllib.loads(read_text_file(path))
    except tomllib.TOMLDecodeError as err:
        raise InputFileError(f"{path}: not valid TOML ({err})") from None
    try:
        return rules_from_dict(data, where=str(path))
    except RulesError as err:
        raise InputFileError(str(err)) from None


def read_proposals(path: str | os.PathLike) -> list[Proposal]:
    """Proposals from a CSV file: one :class:`~geonames.divisions.establishment.Proposal` per row.

    Raises InputFileError for missing ``id``/``name``/``type`` columns, a row without id or
    type, a duplicate id, or a file without rows.
    """
    reader = csv.DictReader(io.StringIO(read_text_file(path)))
    require_columns(path, reader, PROPOSAL_COLUMNS)
    proposals: list[Proposal] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        if None in row:
            raise InputFileError(f"{path}, line {line}: more cells than columns")
        if not any((v or "").strip() for v in row.values()):
            continue
        pid, ptype = (row["id"] or "").strip(), (row["type"] or "").strip()
        if not pid or not ptype:
            raise InputFileError(f"{path}, line {line}: every proposal needs an id and a type")
        if pid in seen:
            raise InputFileError(f"{path}, line {line}: id {pid!r} is used again (first on "
                                 f"line {seen[pid]})")
        seen[pid] = line
        values = {k: (v or "").strip() for k, v in row.items() if k not in PROPOSAL_COLUMNS}
        proposals.append(Proposal(pid, (row["name"] or "").strip(), ptype, values))
    if not proposals:
        raise InputFileError(f"{path}: no proposals")
    return proposals
