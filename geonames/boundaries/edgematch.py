"""Edge-matching: two parties' versions of the same boundary lines, compared line by line.

Lines are paired (:func:`match_lines`) by line code when both sides have codes, else by the
pair of division ids on their two sides, else by geometry (each line with the other side's line
that is nearest along most of its length, both ways). For each pair (:func:`edgematch`):

* the Hausdorff distance (largest distance from either line to the other), the mean offset
  (length-weighted, both directions) and the length difference, metres;
* ``edgematch.offset`` for each stretch where the lines lie farther apart than the tolerance
  (the stretch, its largest and mean offset); a stretch seen from both sides is reported once;
* ``edgematch.unmatched`` for a line only one side has.

All geometries in one metric CRS (metres).

>>> from shapely import LineString
>>> a = [LineString([(0, 0), (1000, 0)])]
>>> b = [LineString([(0, 0), (450, 0), (500, 40), (550, 0), (1000, 0)])]
>>> result = edgematch(["L1"], a, ["L1"], b, tolerance=10.0)
>>> [(f.code, f.subject, round(f.value)) for f in result.findings]
[('edgematch.offset', 'L1', 40)]
>>> round(result.pairs[0].hausdorff), result.pairs[0].method
(40, 'code')
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geonames.boundaries.stretches import (
    default_step,
    merge_sides,
    sample_lines,
    stretches_from_samples,
)
from geonames.findings import Finding, Ids, Severity

#: Default tolerance, metres: two parties' lines farther apart than this disagree
#: (0.5 mm at 1:20,000; configurable, see docs/rules/edgematch.md).
TOLERANCE = 10.0
#: Geometric matching looks this many tolerances (at least 100 m) around a line.
SEARCH_FACTOR = 20.0


@dataclass
class LinePair:
    """One line as both sides have it, and how far apart the versions are (metres)."""

    a: int
    b: int
    method: str
    subject: str
    hausdorff: float = 0.0
    mean_offset: float = 0.0
    length_a: float = 0.0
    length_b: float = 0.0

    @property
    def length_difference(self) -> float:
        """Length of side B's line minus side A's, metres."""
        return self.length_b - self.length_a


@dataclass
class EdgematchResult:
    """Pairs, the lines left unmatched on each side, and the findings."""

    pairs: list[LinePair]
    unmatched_a: list[int]
    unmatched_b: list[int]
    findings: list[Finding] = field(default_factory=list)
    tolerance: float = TOLERANCE
    method: str = ""


def _pair_key(left: str, right: str) -> tuple[str, str]:
    return tuple(sorted((str(left), str(right))))  # type: ignore[return-value]


def match_lines(
    a_codes: Ids, a_geoms: np.ndarray,
    b_codes: Ids, b_geoms: np.ndarray,
    a_sides: tuple[Ids, Ids] | None = None,
    b_sides: tuple[Ids, Ids] | None = None,
    by: str = "auto",
    tolerance: float = TOLERANCE,
) -> tuple[list[tuple[int, int, str]], str]:
    """Pair the lines of side A with those of side B.

    Parameters
    ----------
    a_codes, b_codes : sequences of str
        Line codes (may be empty strings when a side has none).
    a_geoms, b_geoms : arrays of LineStrings
    a_sides, b_sides : (left ids, right ids), optional
        Division ids on each side of each line.
    by : ``"auto"``, ``"code"``, ``"sides"`` or ``"geometry"``
        ``auto``: codes when both sides have them all and share at least one, else sides when
        both have them, else geometry.
    tolerance : float
        Metres; geometric matching searches ``SEARCH_FACTOR`` times this around a line.

    Returns
    -------
    (pairs, method)
        ``pairs`` as ``(a position, b position, method)``.
    """
    a_geoms = np.asarray(a_geoms, dtype=object)
    b_geoms = np.asarray(b_geoms, dtype=object)
    if by == "auto":
        codes_ok = all(a_codes) and all(b_codes) and bool(set(map(str, a_codes))
                                                          & set(map(str, b_codes)))
        sides_ok = a_sides is not None and b_sides is not None \
            and all(a_sides[0]) and all(a_sides[1]) and all(b_sides[0]) and all(b_sides[1])
        by = "code" if codes_ok else ("sides" if sides_ok else "geometry")
    if by == "code":
        index = {str(c): j for j, c in enumerate(b_codes)}
        return [(i, index[str(c)], "code") for i, c in enumerate(a_codes)
                if str(c) in index], "code"
    if by == "sides":
        if a_sides is None or b_sides is None:
            raise ValueError("matching by sides needs left and right ids on both sides")
        groups_a: dict[tuple[str, str], list[int]] = defaultdict(list)
        groups_b: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, (lft, rgt) in enumerate(zip(*a_sides, strict=True)):
            groups_a[_pair_key(lft, rgt)].append(i)
        for j, (lft, rgt) in enumerate(zip(*b_sides, strict=True)):
            groups_b[_pair_key(lft, rgt)].append(j)
        pairs = []
        for key, ia in groups_a.items():
            ib = groups_b.get(key, [])
            if len(ia) == 1 and len(ib) == 1:
                pairs.append((ia[0], ib[0], "sides"))
            elif ia and ib:  # several stretches between the same two divisions
                sub = _match_by_geometry(a_geoms[ia], b_geoms[ib], tolerance)
                pairs += [(ia[i], ib[j], "sides+geometry") for i, j in sub]
        return pairs, "sides"
    if by == "geometry":
        return [(i, j, "geometry") for i, j in _match_by_geometry(a_geoms, b_geoms,
                                                                  tolerance)], "geometry"
    raise ValueError(f"unknown matching {by!r}; use auto, code, sides or geometry")


def _match_by_geometry(a: np.ndarray, b: np.ndarray, tolerance: float) -> list[tuple[int, int]]:
    """Mutual best matches: the line of the other side nearest along most of each line."""
    if not len(a) or not len(b):
        return []
    search = max(SEARCH_FACTOR * tolerance, 100.0)

    def votes(src: np.ndarray, dst: np.ndarray) -> dict[int, int]:
        lengths = shapely.length(src)
        step = max(float(np.median(lengths)) / 50.0, tolerance, 1e-6)
        samples = sample_lines(src, step, vertices=False)
        tree = shapely.STRtree(dst)
        (pt, hit), _ = tree.query_nearest(samples.points, max_distance=search,
                                          return_distance=True, all_matches=False)
        best: dict[int, int] = {}
        tallies: dict[int, Counter] = defaultdict(Counter)
        for p, h in zip(pt, hit, strict=True):
            tallies[int(samples.line[p])][int(h)] += 1
        for line, tally in tallies.items():
            winner, count = tally.most_common(1)[0]
            if count * 2 > np.sum(samples.line == line):
                best[line] = winner
        return best

    ab = votes(a, b)
    ba = votes(b, a)
    return sorted((i, j) for i, j in ab.items() if ba.get(j) == i)


def edgematch(
    a_codes: Ids, a_geoms: Sequence[BaseGeometry] | np.ndarray,
    b_codes: Ids, b_geoms: Sequence[BaseGeometry] | np.ndarray,
    tolerance: float = TOLERANCE,
    a_sides: tuple[Ids, Ids] | None = None,
    b_sides: tuple[Ids, Ids] | None = None,
    by: str = "auto",
    step: float | None = None,
) -> EdgematchResult:
    """Compare two parties' versions of boundary lines.

    Parameters
    ----------
    a_codes, a_geoms : side A's line codes and LineStrings (metric CRS)
    b_codes, b_geoms : side B's
    tolerance : float
        Metres; stretches farther apart are ``edgematch.offset`` (error).
    a_sides, b_sides : (left ids, right ids), optional
        For matching by the divisions on each side.
    by : str
        How to pair lines, see :func:`match_lines`.
    step : float, optional
        Sampling step along the lines, metres (default half the tolerance).

    Returns
    -------
    EdgematchResult
        Finding subjects are side A's line code (side B's for lines only B has);
        ``details["side"]`` says which side a stretch lies on.
    """
    a_geoms = np.asarray(a_geoms, dtype=object)
    b_geoms = np.asarray(b_geoms, dtype=object)
    step = default_step(tolerance) if step is None else step
    matched, method = match_lines(a_codes, a_geoms, b_codes, b_geoms, a_sides, b_sides, by,
                                  tolerance)
    label_a = _labels(a_codes, a_sides)
    label_b = _labels(b_codes, b_sides)
    pairs = [LinePair(i, j, how, label_a[i]) for i, j, how in matched]
    findings: list[Finding] = []
    if pairs:
        ia = np.array([p.a for p in pairs])
        ib = np.array([p.b for p in pairs])
        la, lb = a_geoms[ia], b_geoms[ib]
        sa = sample_lines(la, step)
        sb = sample_lines(lb, step)
        sa.offset = shapely.distance(sa.points, lb[sa.line])
        sb.offset = shapely.distance(sb.points, la[sb.line])
        n = len(pairs)
        max_a = _group_max(sa.offset, sa.line, n)
        max_b = _group_max(sb.offset, sb.line, n)
        sum_a = np.bincount(sa.line, weights=sa.offset * sa.weight, minlength=n)
        sum_b = np.bincount(sb.line, weights=sb.offset * sb.weight, minlength=n)
        len_a, len_b = shapely.length(la), shapely.length(lb)
        for k, p in enumerate(pairs):
            p.hausdorff = float(max(max_a[k], max_b[k]))
            total = len_a[k] + len_b[k]
            p.mean_offset = float((sum_a[k] + sum_b[k]) / total) if total else 0.0
            p.length_a, p.length_b = float(len_a[k]), float(len_b[k])
        stretches = merge_sides(stretches_from_samples(la, sa, tolerance, step),
                                stretches_from_samples(lb, sb, tolerance, step), step)
        for side, s in stretches:
            p = pairs[s.line]
            where = "A" if side == "first" else "B"
            findings.append(Finding(
                code="edgematch.offset", severity=Severity.ERROR, subject=p.subject,
                message=(f"line {p.subject}: the two versions are up to {s.max_offset:,.1f} m "
                         f"apart (mean {s.mean_offset:,.1f} m) over {s.length:,.0f} m of "
                         f"side {where}'s line"),
                value=s.max_offset, limit=tolerance, unit="m", geometry=s.geometry,
                details={"side": where, "length_m": round(s.length, 2),
                         "mean_offset_m": round(s.mean_offset, 3),
                         "line_b": label_b[p.b], "matched_by": p.method}))
    used_a = {p.a for p in pairs}
    used_b = {p.b for p in pairs}
    unmatched_a = [i for i in range(len(a_geoms)) if i not in used_a]
    unmatched_b = [j for j in range(len(b_geoms)) if j not in used_b]
    for side, positions, labels, geoms in (("A", unmatched_a, label_a, a_geoms),
                                           ("B", unmatched_b, label_b, b_geoms)):
        other = "B" if side == "A" else "A"
        for k in positions:
            findings.append(Finding(
                code="edgematch.unmatched", severity=Severity.ERROR, subject=labels[k],
                message=f"line {labels[k]} is in side {side}'s data but not in side {other}'s",
                value=float(shapely.length(geoms[k])), unit="m", geometry=geoms[k],
                details={"side": side}))
    return EdgematchResult(pairs, unmatched_a, unmatched_b, findings, tolerance, method)


def _labels(codes: Ids, sides: tuple[Ids, Ids] | None) -> list[str]:
    out = []
    for k, code in enumerate(codes):
        if code:
            out.append(str(code))
        elif sides is not None and sides[0][k] and sides[1][k]:
            out.append(",".join(_pair_key(sides[0][k], sides[1][k])))
        else:
            out.append(f"#{k + 1}")
    return out


def _group_max(values: np.ndarray, group: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n)
    np.maximum.at(out, group, values)
    return out
