"""geonames: geographic names and administrative boundaries.

The names below are the library's public surface (:data:`__all__`); each is documented with an
example in ``docs/api.md``. They are imported on first use, so ``import geonames`` stays quick.

>>> import geonames
>>> geonames.romanize("南岸区").text
"Nan'an Qu"

Packages, with imports pointing one way (enforced by import-linter, see ``pyproject.toml``):

* kernel: ``errors``, ``findings``, ``document`` (the report model), ``crs``, ``geometry``,
  ``vector`` (vector files), ``text`` (text files);
* domains: ``divisions`` (codes, model, coverage, history, establishment), ``names``
  (place-name model, romanization, naming rules), ``boundaries`` (lines, markers,
  edge-matching, changes between rounds), ``registry`` (the register), ``heritage``;
* interfaces: ``inspection`` (a whole joint inspection), ``report`` (writers, maps), ``cli``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name → module that defines it.
_API = {
    # read and write
    "read_divisions": "geonames.divisions.io",
    "read_lines": "geonames.boundaries.io",
    "read_markers": "geonames.boundaries.io",
    "read_names": "geonames.names.io",
    "write_features": "geonames.vector",
    "write_boundary_lines": "geonames.boundaries.io",
    "write_report": "geonames.report.writers",
    # boundary checks
    "inspect_divisions": "geonames.divisions.coverage",
    "extract_division_lines": "geonames.boundaries.lines",
    "check_markers": "geonames.boundaries.markers",
    "edgematch": "geonames.boundaries.edgematch",
    "compare_divisions": "geonames.boundaries.changes",
    "compare_lines": "geonames.boundaries.changes",
    "run_inspection": "geonames.inspection.run",
    # names and divisions
    "romanize": "geonames.names.romanize",
    "lint_names": "geonames.names.lint",
    "parse_code": "geonames.divisions.codes",
    "load_log": "geonames.divisions.history_io",
    "choose_metric_crs": "geonames.crs",
    "Registry": "geonames.registry.core",
    # models
    "DivisionTable": "geonames.divisions.model",
    "PlaceName": "geonames.names.model",
    "Finding": "geonames.findings",
    "Severity": "geonames.findings",
}

__all__ = [
    "DivisionTable",
    "Finding",
    "PlaceName",
    "Registry",
    "Severity",
    "check_markers",
    "choose_metric_crs",
    "compare_divisions",
    "compare_lines",
    "edgematch",
    "extract_division_lines",
    "inspect_divisions",
    "lint_names",
    "load_log",
    "parse_code",
    "read_divisions",
    "read_lines",
    "read_markers",
    "read_names",
    "romanize",
    "run_inspection",
    "write_boundary_lines",
    "write_features",
    "write_report",
]

if TYPE_CHECKING:
    from geonames.boundaries.changes import compare_divisions, compare_lines
    from geonames.boundaries.edgematch import edgematch
    from geonames.boundaries.io import read_lines, read_markers, write_boundary_lines
    from geonames.boundaries.lines import extract_division_lines
    from geonames.boundaries.markers import check_markers
    from geonames.crs import choose_metric_crs
    from geonames.divisions.codes import parse_code
    from geonames.divisions.coverage import inspect_divisions
    from geonames.divisions.history_io import load_log
    from geonames.divisions.io import read_divisions
    from geonames.divisions.model import DivisionTable
    from geonames.findings import Finding, Severity
    from geonames.inspection.run import run_inspection
    from geonames.names.io import read_names
    from geonames.names.lint import lint_names
    from geonames.names.model import PlaceName
    from geonames.names.romanize import romanize
    from geonames.registry.core import Registry
    from geonames.report.writers import write_report
    from geonames.vector import write_features


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'geonames' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
