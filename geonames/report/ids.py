"""The order findings are reported in, and the id each is found by in every file.

Every writer (``report.html``, ``findings.csv``, ``findings.gpkg``) lists the findings in the
same order (errors, warnings, info; open before excepted; by code; worst first) under the same
stable id, so a finding read in one file is found in the others and on the map.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from geonames.findings import Finding, Severity, finding_ids

__all__ = ["SEVERITY_ORDER", "finding_ids", "ordered"]

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Errors, warnings, info; open before excepted; by code; largest value first."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.excepted, f.code,
                                           -(f.value if f.value is not None else -np.inf),
                                           f.subject))
