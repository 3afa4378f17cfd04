"""The order findings are reported in, and the id each is found by in every file.

Every writer (``report.html``, ``findings.csv``, ``findings.gpkg``) lists the findings in the
same order (errors, warnings, info; open before excepted; by code; worst first) under the same
stable id, so a finding read in one file is found in the others and on the map.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

import numpy as np
import shapely

from geonames.findings import Finding, Severity

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Errors, warnings, info; open before excepted; by code; largest value first."""
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.excepted, f.code,
                                           -(f.value if f.value is not None else -np.inf),
                                           f.subject))


def finding_id(finding: Finding) -> str:
    """A finding's stable id: :attr:`Finding.id` when the finding has one, else ``F`` and 8 hex
    digits of a hash of its code, subject, message and geometry (to the millimetre), so the
    same finding has the same id in the next run."""
    own = getattr(finding, "id", None)
    if own:
        return str(own)
    geometry = finding.geometry
    wkt = "" if geometry is None else shapely.to_wkt(geometry, rounding_precision=3)
    key = "\x1f".join([finding.code, str(finding.severity), finding.subject, finding.message,
                       wkt])
    return "F" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:8].upper()


def finding_ids(findings: Sequence[Finding]) -> list[str]:
    """The ids of ``findings`` in order; a repeated id gets ``-2``, ``-3`` … (in list order)."""
    seen: Counter[str] = Counter()
    out = []
    for f in findings:
        fid = finding_id(f)
        seen[fid] += 1
        out.append(fid if seen[fid] == 1 else f"{fid}-{seen[fid]}")
    return out
