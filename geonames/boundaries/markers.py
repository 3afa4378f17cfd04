"""The boundary-marker check: each marker against its line, its number, its neighbours and the
previous round.

Inputs are plain arrays in one metric CRS (metres): the lines (a code and a LineString each),
the markers (a :class:`~geonames.boundaries.model.MarkerTable`), optionally the previous round's
markers and the tripoints. :func:`check_markers` returns a :class:`MarkerCheck`: one row of
measurements per marker and the findings.

Findings (codes are part of the interface):

=========================  ========  =========================================================
code                       severity  when
=========================  ========  =========================================================
marker.bad_record          error     a register row with unusable coordinates, number or
                                     status (made by the reader, see ``geonames.boundaries.io``)
marker.bad_number          error     the number does not follow the pattern, names a line
                                     that does not exist, or disagrees with the line column
marker.duplicate_number    error     the same number more than once, or one sequence number
                                     used by markers of different kinds on one line
marker.off_line            error     farther than ``max_offset`` from its line
marker.wrong_line          error     off its own line but within ``max_offset`` of another
marker.moved               error     farther than ``max_shift`` from where the previous round
                                     had it
marker.missing             error     in the previous round but not in this one, or its status
                                     is missing
marker.damaged             warning   status damaged
marker.new                 info      in this round but not in the previous one
marker.unpaired            error     an A without its B (or B without A), a triple without
                                     all of C, D and E
marker.out_of_order        error     sequence numbers do not increase along the line from its
                                     west end to its east end (north to south for a line
                                     running more north–south than east–west)
marker.not_at_tripoint     error     a triple marker (C/D/E) farther than
                                     ``max_tripoint_distance`` from every tripoint
=========================  ========  =========================================================

Subjects are marker numbers (comma-separated when a finding concerns several markers).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.boundaries.model import (
    DEFAULT_PATTERN,
    TYPE_FAMILY,
    MarkerNumber,
    MarkerStatus,
    MarkerTable,
    NumberPattern,
)
from geonames.crs import WGS84, transformer
from geonames.findings import Finding, Severity, subject_of
from geonames.geometry import distinct

#: Integer codes for the kinds, bits for the type codes, and the bits a complete set needs.
_FAMILY_CODE = {t: ("single", "pair", "triple").index(f) for t, f in TYPE_FAMILY.items()}
_TYPE_BIT = {t: 1 << i for i, t in enumerate("QABCDE")}
_NEED = {1: _TYPE_BIT["A"] | _TYPE_BIT["B"],
         2: _TYPE_BIT["C"] | _TYPE_BIT["D"] | _TYPE_BIT["E"]}

#: Default limits, metres. ``max_offset``: one line width at 1:50,000 (0.5 mm); ``max_shift``:
#: the re-survey precision of a marker; ``max_tripoint_distance``: how far the markers of a
#: triple may stand from the tripoint. All configurable; see docs/rules/markers.md.
MAX_OFFSET = 25.0
MAX_SHIFT = 1.0
MAX_TRIPOINT_DISTANCE = 50.0
#: Line ends closer than this (metres) are one point when tripoints are derived from lines.
ENDPOINT_SNAP = 0.01


@dataclass(frozen=True)
class MarkerLimits:
    """Limits of the markers check, metres."""

    max_offset: float = MAX_OFFSET
    max_shift: float = MAX_SHIFT
    max_tripoint_distance: float = MAX_TRIPOINT_DISTANCE


DEFAULT_LIMITS = MarkerLimits()


@dataclass
class MarkerCheck:
    """Per-marker measurements and the findings of :func:`check_markers`.

    Arrays have one element per marker of the table (in its order).

    Attributes
    ----------
    parsed : list of MarkerNumber or None
    line : int array
        Position of the line the number names (-1 when none).
    nearest : int array
        Position of the nearest line (-1 when the marker has no geometry).
    offset : float array
        Distance to the named line (to the nearest line when none is named), metres; NaN when
        the marker has no geometry.
    shift : float array
        Distance from the previous round's position, metres; NaN when not in that round.
    along : float array
        Position along its line, metres from the line's west (or north) end; NaN when unknown.
    findings : list of Finding
    marker_findings : list of list of str
        The finding codes of each marker.
    missing_previous : list of int
        Positions, in the previous table, of markers missing from this round.
    """

    parsed: list[MarkerNumber | None]
    line: np.ndarray
    nearest: np.ndarray
    offset: np.ndarray
    shift: np.ndarray
    along: np.ndarray
    findings: list[Finding] = field(default_factory=list)
    marker_findings: list[list[str]] = field(default_factory=list)
    missing_previous: list[int] = field(default_factory=list)


def tripoints_from_lines(lines: Sequence[BaseGeometry] | np.ndarray,
                         snap: float = ENDPOINT_SNAP) -> np.ndarray:
    """Points where the ends of three or more distinct lines meet.

    >>> from shapely import LineString
    >>> lines = [LineString([(0, 0), (1, 0)]), LineString([(0, 0), (0, 1)]),
    ...          LineString([(0, 0), (-1, -1)]), LineString([(1, 0), (2, 0)])]
    >>> [p.wkt for p in tripoints_from_lines(lines)]
    ['POINT (0 0)']
    """
    lines = np.asarray(lines, dtype=object)
    if not len(lines):
        return np.empty(0, dtype=object)
    ends = np.concatenate([shapely.get_coordinates(shapely.get_point(lines, 0)),
                           shapely.get_coordinates(shapely.get_point(lines, -1))])
    owner = np.concatenate([np.arange(len(lines)), np.arange(len(lines))])
    keys = np.round(ends / snap).astype(np.int64)
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    pairs = np.unique(np.column_stack([inverse, owner]), axis=0)
    groups, counts = np.unique(pairs[:, 0], return_counts=True)
    chosen = groups[counts >= 3]
    first = np.array([np.flatnonzero(inverse == g)[0] for g in chosen], dtype=np.int64)
    if not len(first):
        return np.empty(0, dtype=object)
    return np.asarray(shapely.points(ends[first]), dtype=object)


def line_directions(lines: np.ndarray, crs: CRS | None = None) -> np.ndarray:
    """Whether to measure each line backwards so that markers count west→east (north→south).

    A line whose ends lie farther apart east–west than north–south is numbered from its west
    end, otherwise from its north end. With ``crs`` (the lines' projected CRS) the ends are
    compared on the ground, in longitude/latitude, so that the choice does not depend on which
    projection the lines are measured in (grid north and true north differ by up to a few
    degrees). A closed line keeps its own direction. Returns a bool array: True where the
    measure along the line must be reversed.

    >>> from shapely import LineString
    >>> line_directions([LineString([(10, 0), (0, 1)]), LineString([(0, 0), (1, 10)])]).tolist()
    [True, True]
    """
    return _orientation(lines, crs)[0]


def line_orientation(lines: np.ndarray, crs: CRS | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(reverse, east_west) for each line: whether to walk it backwards so that it runs in
    its numbering direction, and whether that direction is west→east (else north→south); see
    :func:`line_directions`."""
    return _orientation(lines, crs)


def _orientation(lines: np.ndarray, crs: CRS | None) -> tuple[np.ndarray, np.ndarray]:
    """(reverse, east_west) for each line, see :func:`line_directions`."""
    lines = np.asarray(lines, dtype=object)
    start = shapely.get_coordinates(shapely.get_point(lines, 0))
    end = shapely.get_coordinates(shapely.get_point(lines, -1))
    if crs is not None and not crs.is_geographic and len(lines):
        to_lonlat = transformer(crs, WGS84)
        lon0, lat0 = to_lonlat.transform(start[:, 0], start[:, 1])
        lon1, lat1 = to_lonlat.transform(end[:, 0], end[:, 1])
        dx = (np.asarray(lon1) - lon0) * np.cos(np.radians((np.asarray(lat0) + lat1) / 2))
        dy = np.asarray(lat1) - lat0
    else:
        dx, dy = end[:, 0] - start[:, 0], end[:, 1] - start[:, 1]
    east_west = np.abs(dx) >= np.abs(dy)
    reverse = np.where(east_west, dx < 0, dy > 0)
    closed = (end == start).all(axis=1)
    return reverse & ~closed, east_west


def check_markers(
    markers: MarkerTable,
    line_codes: Sequence[str] | np.ndarray,
    line_geometries: Sequence[BaseGeometry] | np.ndarray,
    previous: MarkerTable | None = None,
    tripoints: np.ndarray | None = None,
    limits: MarkerLimits = DEFAULT_LIMITS,
    pattern: NumberPattern = DEFAULT_PATTERN,
) -> MarkerCheck:
    """Check a marker register against its boundary lines.

    Parameters
    ----------
    markers : MarkerTable
        This round's markers, geometries in the metric CRS of the lines.
    line_codes : array of str
        The code of each line, as marker numbers write it.
    line_geometries : array of LineStrings (metric CRS)
    previous : MarkerTable, optional
        The previous round's markers (same CRS); enables moved, missing and new.
    tripoints : array of Points, optional
        Where three divisions meet; derived from the line ends when not given.
    limits : MarkerLimits
        Metres.
    pattern : NumberPattern
        How numbers are written.

    Returns
    -------
    MarkerCheck
    """
    c = _Check(markers, line_codes, line_geometries, limits, pattern)
    _check_numbers(c)
    _check_duplicates(c)
    wrong = _check_distances(c)
    _check_status(c)
    shift, missing_previous = _check_previous(c, previous)
    _check_groups(c)
    along = _check_order(c, wrong)
    _check_tripoints(c, tripoints)
    return MarkerCheck(c.parsed, c.line, c.nearest, c.offset, shift, along, c.out, c.codes_of,
                       missing_previous)


class _Check:
    """The state of one :func:`check_markers` run: the markers and lines, what each step has
    measured so far, and the findings (:meth:`report`)."""

    def __init__(self, markers: MarkerTable, line_codes: Sequence[str] | np.ndarray,
                 line_geometries: Sequence[BaseGeometry] | np.ndarray, limits: MarkerLimits,
                 pattern: NumberPattern) -> None:
        self.markers, self.limits, self.pattern = markers, limits, pattern
        self.n = n = len(markers)
        self.line_codes = np.asarray(line_codes, dtype=object)
        self.lines = np.asarray(line_geometries, dtype=object)
        self.numbers = [str(x).strip() for x in markers.numbers]
        self.parsed = pattern.parse_many(self.numbers)
        self.geoms = np.asarray(markers.geometries, dtype=object)
        self.has_geom = ~shapely.is_missing(self.geoms) & ~shapely.is_empty(self.geoms)
        self.out: list[Finding] = []
        self.codes_of: list[list[str]] = [[] for _ in range(n)]
        self.line = np.full(n, -1, dtype=np.int64)
        self.seq = np.full(n, -1, dtype=np.int64)
        self.family = np.full(n, -1, dtype=np.int64)
        self.bits = np.zeros(n, dtype=np.int64)
        self.duplicated = np.zeros(n, dtype=bool)
        self.by_seq: list[np.ndarray] = []
        self.nearest = np.full(n, -1, dtype=np.int64)
        self.offset = np.full(n, np.nan)
        self.statuses = np.array([str(s) for s in markers.statuses], dtype=str)

    def report(self, code: str, severity: Severity,
               members: Sequence[int | np.integer] | np.ndarray, message: str,
               value: float | None = None, limit: float | None = None, unit: str = "",
               geometry: BaseGeometry | None = None, **details: Any) -> None:
        """Add a finding about the markers at ``members`` (positions in the table)."""
        numbers, geoms = self.numbers, self.geoms
        subject = subject_of(sorted({numbers[k] or f"row {self.markers.rows[k]}"
                                     for k in members}))
        if geometry is None:
            present = [geoms[k] for k in members if self.has_geom[k]]
            geometry = present[0] if len(present) == 1 else (
                shapely.multipoints(present) if present else None)
        self.out.append(Finding(code, severity, subject, message, value, limit, unit, geometry,
                                details={k: v for k, v in details.items() if v is not None}))
        for k in members:
            self.codes_of[int(k)].append(code)


def _check_numbers(c: _Check) -> None:
    """Numbers: the pattern, a known line, agreement with the register's line column."""
    numbers, parsed = c.numbers, c.parsed
    code_index = {str(code): k for k, code in enumerate(c.line_codes)}
    line = np.array([-1 if p is None else code_index.get(p.line, -2) for p in parsed],
                    dtype=np.int64)
    columns = [str(col or "").strip() for col in c.markers.line_codes]
    for k in np.flatnonzero(line < 0):
        text = numbers[k]
        if not text:
            continue  # reported by the reader as a bad record
        p = parsed[k]
        if p is None:
            c.report("marker.bad_number", Severity.ERROR, [k],
                     f"marker number {text!r} does not follow the pattern {c.pattern.regex}",
                     reason="pattern")
        else:
            c.report("marker.bad_number", Severity.ERROR, [k],
                     f"marker {text} names line {p.line!r}, which is not among the lines",
                     reason="unknown_line", named_line=p.line)
            parsed[k] = None
    line[line < 0] = -1
    for k in np.flatnonzero(line >= 0):
        column, named = columns[k], _parsed_at(parsed, k).line
        if column and column != named:
            c.report("marker.bad_number", Severity.ERROR, [int(k)],
                     f"marker {numbers[k]} names line {named} but the register puts it on "
                     f"line {column}", reason="line_column", line=named, line_column=column)
    valid = np.flatnonzero(line >= 0)
    c.line = line
    c.seq[valid] = [_parsed_at(parsed, k).seq for k in valid]
    type_of = [_parsed_at(parsed, k).type for k in valid]
    c.family[valid] = [_FAMILY_CODE[t] for t in type_of]
    c.bits[valid] = [_TYPE_BIT[t] for t in type_of]


def _check_duplicates(c: _Check) -> None:
    """The same number twice, or one sequence number used by markers of different kinds."""
    numbers, line, seq, family = c.numbers, c.line, c.seq, c.family
    valid = np.flatnonzero(line >= 0)
    number_text = np.array(numbers, dtype=str)
    for members in _groups(number_text[valid], valid, more_than_one=True):
        number = numbers[members[0]]
        c.report("marker.duplicate_number", Severity.ERROR, members,
                 f"marker number {number} is used {len(members)} times (rows "
                 f"{', '.join(str(c.markers.rows[k]) for k in members)})",
                 value=float(len(members)))
        c.duplicated[members] = True
    seq_key = line[valid] * (int(seq.max()) + 1 if len(valid) else 1) + seq[valid]
    c.by_seq = _groups(seq_key, valid)
    for members in c.by_seq:
        if len(members) > 1 and family[members].min() != family[members].max():
            first = _parsed_at(c.parsed, members[0])
            c.report("marker.duplicate_number", Severity.ERROR, members,
                     f"sequence {first.seq:03d} on line {first.line} is used by markers of "
                     f"different kinds ({', '.join(sorted(numbers[k] for k in members))})",
                     reason="kinds")
            c.duplicated[members] = True


def _check_distances(c: _Check) -> np.ndarray:
    """Distances to the named line and to the nearest line: markers off their line, or on
    another line. Returns which markers stand on another line than their number names."""
    n, lines, geoms, line, limits = c.n, c.lines, c.geoms, c.line, c.limits
    numbers, line_codes = c.numbers, c.line_codes
    near_dist = np.full(n, np.nan)
    offset, nearest = c.offset, c.nearest
    if len(lines) and c.has_geom.any():
        tree = shapely.STRtree(lines)
        idx = np.flatnonzero(c.has_geom)
        (src, dst), dist = tree.query_nearest(geoms[idx], return_distance=True,
                                              all_matches=False)
        nearest[idx[src]] = dst
        near_dist[idx[src]] = dist
        named = idx[line[idx] >= 0]
        offset[named] = shapely.distance(geoms[named], lines[line[named]])
        unnamed = idx[line[idx] < 0]
        offset[unnamed] = near_dist[unnamed]
    wrong = np.zeros(n, dtype=bool)
    for k in np.flatnonzero(c.has_geom & (offset > limits.max_offset)):
        if line[k] >= 0 and nearest[k] != line[k] and near_dist[k] <= limits.max_offset:
            wrong[k] = True
            c.report("marker.wrong_line", Severity.ERROR, [k],
                     f"marker {numbers[k]} is numbered for line {line_codes[line[k]]} but "
                     f"stands on line {line_codes[nearest[k]]} ({near_dist[k]:,.1f} m from "
                     f"it, {offset[k]:,.1f} m from its own)",
                     value=float(offset[k]), limit=limits.max_offset, unit="m",
                     line=str(line_codes[line[k]]), nearest_line=str(line_codes[nearest[k]]))
        else:
            which = (f"its line {line_codes[line[k]]}" if line[k] >= 0 else
                     f"the nearest line {line_codes[nearest[k]]}")
            c.report("marker.off_line", Severity.ERROR, [k],
                     f"marker {numbers[k] or 'row ' + str(c.markers.rows[k])} is "
                     f"{offset[k]:,.1f} m from {which}",
                     value=float(offset[k]), limit=limits.max_offset, unit="m",
                     line=str(line_codes[line[k] if line[k] >= 0 else nearest[k]]))
    return wrong


def _check_status(c: _Check) -> None:
    """Markers the register records as missing or damaged on site."""
    for k in np.flatnonzero(c.statuses == MarkerStatus.MISSING.value):
        c.report("marker.missing", Severity.ERROR, [k],
                 f"marker {c.numbers[k]} is recorded as missing on site", reason="status")
    for k in np.flatnonzero(c.statuses == MarkerStatus.DAMAGED.value):
        c.report("marker.damaged", Severity.WARNING, [k],
                 f"marker {c.numbers[k]} is recorded as damaged")


def _check_previous(c: _Check, previous: MarkerTable | None) -> tuple[np.ndarray, list[int]]:
    """Against the previous round: moved, missing and new markers. Returns each marker's
    shift (metres, NaN where not compared) and the previous rows no longer present."""
    numbers, geoms, limits = c.numbers, c.geoms, c.limits
    shift = np.full(c.n, np.nan)
    missing_previous: list[int] = []
    if previous is None:
        return shift, missing_previous
    prev_numbers = [str(x).strip() for x in previous.numbers]
    prev_index: dict[str, int] = {}
    for j, text in enumerate(prev_numbers):
        prev_index.setdefault(text, j)
    current = {text for text in numbers if text}
    prev_geoms = np.asarray(previous.geometries, dtype=object)
    both = [(k, prev_index[t]) for k, t in enumerate(numbers)
            if t and t in prev_index and not c.duplicated[k]]
    if both:
        ks = np.array([k for k, _ in both])
        js = np.array([j for _, j in both])
        ok = c.has_geom[ks] & ~shapely.is_missing(prev_geoms[js])
        shift[ks[ok]] = shapely.distance(geoms[ks[ok]], prev_geoms[js[ok]])
    for k in np.flatnonzero(shift > limits.max_shift):
        if c.statuses[k] in (MarkerStatus.MISSING, MarkerStatus.REBUILT):
            continue  # not re-surveyed in place, or rebuilt where it now stands
        j = prev_index[numbers[k]]
        c.report("marker.moved", Severity.ERROR, [k],
                 f"marker {numbers[k]} is {shift[k]:,.2f} m from its position in the "
                 "previous round",
                 value=float(shift[k]), limit=limits.max_shift, unit="m",
                 geometry=shapely.LineString([prev_geoms[j], geoms[k]]))
    renumbered = _renumbered(numbers, prev_numbers, prev_index, geoms, prev_geoms,
                             limits.max_shift)
    taken = set(renumbered.values())
    for j, text in enumerate(prev_numbers):
        if text and text not in current and prev_index.get(text) == j and j not in taken:
            missing_previous.append(j)
            geometry = prev_geoms[j] if not shapely.is_missing(prev_geoms[j]) else None
            c.out.append(Finding("marker.missing", Severity.ERROR, text,
                                 f"marker {text} of the previous round is not in this "
                                 "register", geometry=geometry,
                                 details={"reason": "absent"}))
    for m, text in enumerate(numbers):
        if text and text not in prev_index and m not in renumbered:
            c.report("marker.new", Severity.INFO, [m],
                     f"marker {text} is new since the previous round")
    return shift, missing_previous


def _check_groups(c: _Check) -> None:
    """Pairs and triples complete: every marker of a paired or triple group is there."""
    for members in c.by_seq:
        kind = c.family[members[0]]
        if kind == _FAMILY_CODE["Q"] or c.duplicated[members].any():
            continue
        need = _NEED[kind]
        have = int(np.bitwise_or.reduce(c.bits[members]))
        if have & need != need:
            p = _parsed_at(c.parsed, members[0])
            lacking = [t for t, bit in _TYPE_BIT.items() if need & bit and not have & bit]
            names = [c.pattern.format(p.line, p.seq, t) for t in lacking]
            c.report("marker.unpaired", Severity.ERROR, members,
                     f"{TYPE_FAMILY[p.type]} marker "
                     f"{', '.join(c.numbers[k] for k in members)} lacks {', '.join(names)}",
                     lacking=names)


def _check_order(c: _Check, wrong: np.ndarray) -> np.ndarray:
    """Order along each line: sequence numbers must grow in the line's direction. Returns
    each marker's distance along its line (metres, NaN where not measured)."""
    line, seq, geoms, lines = c.line, c.seq, c.geoms, c.lines
    along = np.full(c.n, np.nan)
    usable = (line >= 0) & c.has_geom & ~wrong & ~c.duplicated
    if not usable.any():
        return along
    idx = np.flatnonzero(usable)
    reverse, east_west = _orientation(lines, c.markers.crs)
    measure = shapely.line_locate_point(lines[line[idx]], geoms[idx])
    length = shapely.length(lines[line[idx]])
    along[idx] = np.where(reverse[line[idx]], length - measure, measure)
    # One place per (line, sequence number): the mean of its markers (pairs, triples).
    width = int(seq.max()) + 1
    keys, inverse = np.unique(line[idx] * width + seq[idx], return_inverse=True)
    inverse = inverse.ravel()
    group_line, group_seq = keys // width, keys % width
    place = np.bincount(inverse, weights=along[idx]) / np.bincount(inverse)
    same_line = group_line[1:] == group_line[:-1]
    disordered = distinct(group_line[1:][same_line & (np.diff(place) <= 0)])
    for code_pos in disordered:
        rows = np.flatnonzero(group_line == code_pos)
        seqs = group_seq[rows].tolist()
        for s_bad in _out_of_order(seqs, place[rows].tolist()):
            g = rows[seqs.index(s_bad)]
            members = idx[inverse == g].tolist()
            c.report("marker.out_of_order", Severity.ERROR, members,
                     f"marker {', '.join(c.numbers[k] for k in members)} is out of sequence "
                     f"along line {c.line_codes[code_pos]} (numbered "
                     f"{'west to east' if east_west[code_pos] else 'north to south'})",
                     value=float(place[g]), unit="m", line=str(c.line_codes[code_pos]))
    return along


def _check_tripoints(c: _Check, tripoints: np.ndarray | None) -> None:
    """Triple markers stand at a tripoint (given, or derived from the line ends)."""
    ks = np.flatnonzero((c.family == _FAMILY_CODE["C"]) & c.has_geom)
    if not len(ks):
        return
    points = tripoints_from_lines(c.lines) if tripoints is None else \
        np.asarray(tripoints, dtype=object)
    to_tripoint = np.full(len(ks), np.inf)
    if len(points):
        tree = shapely.STRtree(points)
        (src, _), dist = tree.query_nearest(c.geoms[ks], return_distance=True,
                                            all_matches=False)
        to_tripoint[src] = dist
    limit = c.limits.max_tripoint_distance
    for k, d in zip(ks, to_tripoint, strict=True):
        if d > limit:
            where = f"{d:,.1f} m from the nearest tripoint" if np.isfinite(d) else \
                "and there is no tripoint"
            c.report("marker.not_at_tripoint", Severity.ERROR, [int(k)],
                     f"triple marker {c.numbers[k]} is {where}",
                     value=float(d) if np.isfinite(d) else None, limit=limit, unit="m")


def _parsed_at(parsed: Sequence[MarkerNumber | None], k: int | np.integer) -> MarkerNumber:
    """The parsed number of marker ``k``, which is known to have parsed (its line is set)."""
    number = parsed[int(k)]
    if number is None:
        raise AssertionError(f"marker {k} has no parsed number")
    return number


def _groups(keys: np.ndarray, positions: np.ndarray,
            more_than_one: bool = False) -> list[np.ndarray]:
    """``positions`` grouped by equal ``keys`` (each group in input order)."""
    if not len(keys):
        return []
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(keys)]
    if more_than_one:
        big = ends - starts > 1
        starts, ends = starts[big], ends[big]
    ordered = positions[order]
    return [ordered[a:b] for a, b in zip(starts, ends, strict=True)]


def _renumbered(numbers: list[str], prev_numbers: list[str], prev_index: dict[str, int],
                geoms: np.ndarray, prev_geoms: np.ndarray, max_shift: float) -> dict[int, int]:
    """Markers whose number is not in the previous round but which stand (within
    ``max_shift``) where a previous marker, absent by number, stood: the same marker under
    another number. Maps position in this round → position in the previous round."""
    current = set(numbers)
    unmatched_now = [k for k, t in enumerate(numbers) if t not in prev_index
                     and not shapely.is_missing(geoms[k])]
    unmatched_before = [j for j, t in enumerate(prev_numbers) if t not in current
                        and not shapely.is_missing(prev_geoms[j])]
    if not unmatched_now or not unmatched_before:
        return {}
    tree = shapely.STRtree(prev_geoms[unmatched_before])
    (src, dst), _ = tree.query_nearest(geoms[unmatched_now], max_distance=max_shift,
                                       return_distance=True, all_matches=False)
    out: dict[int, int] = {}
    taken: set[int] = set()
    for s, d in zip(src, dst, strict=True):
        j = unmatched_before[int(d)]
        if j not in taken:
            out[unmatched_now[int(s)]] = j
            taken.add(j)
    return out


def _out_of_order(seqs: list[int], positions: list[float]) -> list[int]:
    """Sequence numbers not in the longest run increasing along the line.

    ``seqs`` sorted ascending, ``positions`` the matching places along the line. The markers
    kept are the largest set whose positions increase with their numbers; the rest are out
    of order (a swapped pair flags both, one marker put in the wrong place flags that one).

    >>> _out_of_order([1, 2, 3, 4, 5], [0.0, 40.0, 20.0, 30.0, 50.0])
    [2]
    """
    if len(seqs) < 2:
        return []
    tails: list[float] = []
    tail_at: list[int] = []
    before = [-1] * len(seqs)
    for i, pos in enumerate(positions):
        j = bisect_left(tails, pos)
        if j == len(tails):
            tails.append(pos)
            tail_at.append(i)
        else:
            tails[j] = pos
            tail_at[j] = i
        before[i] = tail_at[j - 1] if j > 0 else -1
    keep = set()
    i = tail_at[-1]
    while i >= 0:
        keep.add(i)
        i = before[i]
    return [s for i, s in enumerate(seqs) if i not in keep]
