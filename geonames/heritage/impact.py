"""What a change of places or divisions does to listed heritage names: the entries it touches,
as findings (listed, candidate, unlocated), for a rename, a merge or split, or an area.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geonames.crs import MetricCRS, choose_metric_crs, metric_crs_for, reproject
from geonames.divisions.model import DivisionTable
from geonames.errors import GeonamesError
from geonames.findings import Finding, Severity
from geonames.heritage.model import (
    Entry,
    EntryStatus,
)

#: Finding codes of the impact report.
IMPACT_LISTED = "heritage.impact.listed"


IMPACT_CANDIDATE = "heritage.impact.candidate"


IMPACT_UNLOCATED = "heritage.impact.unlocated"


def impact_of_place_change(entries: Iterable[Entry], place_ids: Iterable[str], kind: str,
                           new_name: str = "") -> list[Finding]:
    """Entries a rename or retirement of ``place_ids`` touches.

    Every active (candidate, notice, listed) entry of those places is reported: an error for a
    listed entry (the change needs an override), a warning for a candidate or one under
    notice. No geometry is involved.

    >>> from datetime import date
    >>> from geonames.heritage.model import Step
    >>> e = Entry("cq-2-010", "cq", "p7", "湖广会馆", "historical",
    ...           steps=(Step("listed", date(2021, 12, 31)),))
    >>> [f.message for f in impact_of_place_change([e], ["p7"], "rename", "禹王宫")]
    ['rename of place p7 to 禹王宫 would replace the protected name 湖广会馆 (listed since 2021-12-31)']
    """
    if kind not in ("rename", "retire"):
        raise GeonamesError(f"unknown place change {kind!r}: use rename or retire")
    wanted = {str(p) for p in place_ids}
    findings = []
    for e in entries:
        if not e.active or str(e.place_id) not in wanted:
            continue
        if kind == "rename":
            why = (f"rename of place {e.place_id}{' to ' + new_name if new_name else ''} would "
                   f"replace the protected name {e.name}")
        else:
            why = f"retirement of place {e.place_id} would end the protected name {e.name}"
        findings.append(_impact_finding(e, f"{why} ({_status_text(e)})", kind, [why]))
    return findings


def impact_of_division_change(
    entries: Iterable[Entry],
    locations: Mapping[str, BaseGeometry | None],
    divisions: DivisionTable | None,
    old_codes: Sequence[str],
    new_codes: Sequence[str] = (),
    *,
    kind: str = "merge",
    place_divisions: Mapping[str, str] | None = None,
    locations_crs: CRS | None = None,
    metric_crs: MetricCRS | None = None,
) -> list[Finding]:
    """Entries a division merge or split (old codes → new codes) touches, and why.

    An active entry is touched when its place's location lies in (or on the border of) the
    polygon of an old division, or when the register files the place under an old division
    (its division code equals an old code or starts with it: ``500103001`` is under
    ``500103``). Both reasons are given when both hold.

    Parameters
    ----------
    entries : iterable of Entry
    locations : mapping place id → shapely geometry (or None)
        Where each place is, in ``locations_crs``.
    divisions : DivisionTable or None
        Division polygons holding the old codes; None to use ``place_divisions`` only.
    old_codes, new_codes : sequences of str
        ``merge`` needs two or more old codes and one new; ``split`` one old and two or more
        new; ``change`` any.
    place_divisions : mapping place id → division code, optional
    locations_crs : pyproj.CRS, optional
        CRS of ``locations``; default the CRS of ``divisions``.
    metric_crs : MetricCRS, optional
        CRS of the findings' geometries; default chosen from the locations' extent.

    Returns
    -------
    list of Finding
        One per touched entry (:data:`IMPACT_LISTED` errors, :data:`IMPACT_CANDIDATE`
        warnings), plus an :data:`IMPACT_UNLOCATED` warning per active entry that has neither
        a location nor a division code (it cannot be assessed).

    Raises
    ------
    GeonamesError
        When the shape of the change is wrong or an old code is unknown.
    """
    old_codes = [str(c).strip() for c in old_codes]
    new_codes = [str(c).strip() for c in new_codes]
    _check_change_shape(kind, old_codes, new_codes)
    place_divisions = {str(k): str(v) for k, v in (place_divisions or {}).items() if v}
    entries = [e for e in entries if e.active]
    names: dict[str, str] = {}
    polygons: list[BaseGeometry] = []
    poly_codes: list[str] = []
    if divisions is not None:
        ids = [str(i) for i in divisions.ids]
        names = {i: str(n) for i, n in zip(ids, divisions.names)}
        for code in old_codes:
            found = [k for k, i in enumerate(ids) if i == code]
            if not found:
                raise GeonamesError(
                    f"division {code} is not in the divisions layer {divisions.source or ''} "
                    f"({len(ids)} divisions, e.g. {', '.join(ids[:5])}); give codes of that layer")
            for k in found:
                if divisions.geometries[k] is not None:
                    polygons.append(shapely.make_valid(divisions.geometries[k]))
                    poly_codes.append(code)
    elif not place_divisions:
        raise GeonamesError("give division polygons or the places' division codes to assess a "
                            f"{kind}")
    src_crs = locations_crs or (divisions.crs if divisions is not None else None)
    with_location = [e for e in entries if locations.get(str(e.place_id)) is not None]
    points = np.array([locations[str(e.place_id)] for e in with_location], dtype=object)
    inside: dict[str, list[str]] = {}
    if len(points) and polygons:
        if divisions is not None and src_crs is not None and src_crs != divisions.crs:
            points_in = reproject(points, src_crs, divisions.crs)
        else:
            points_in = points
        tree = shapely.STRtree(np.array(polygons, dtype=object))
        pt, poly = tree.query(points_in, predicate="intersects")
        for p, g in sorted(zip(pt.tolist(), poly.tolist())):
            inside.setdefault(with_location[p].id, [])
            if poly_codes[g] not in inside[with_location[p].id]:
                inside[with_location[p].id].append(poly_codes[g])
    metric = metric_crs or _metric_for(points, src_crs)
    geoms = dict(zip((e.id for e in with_location),
                     _to_metric(points, src_crs, metric)))
    change = f"{' + '.join(old_codes)} → {' + '.join(new_codes) or '?'}"
    findings = []
    for e in entries:
        reasons = []
        for code in inside.get(e.id, []):
            reasons.append(f"lies in {_division_text(code, names)}, which the {kind} "
                           f"{change} ends")
        filed = place_divisions.get(str(e.place_id), "")
        under = [c for c in old_codes if filed and filed.startswith(c)]
        if under:
            reasons.append(f"is filed in the register under division {filed}, part of "
                           f"{_division_text(under[0], names)}")
        if reasons:
            message = f"{e.name} ({_status_text(e)}) " + "; it ".join(reasons)
            findings.append(_impact_finding(e, message, kind, reasons, geoms.get(e.id),
                                            {"old_codes": old_codes, "new_codes": new_codes,
                                             "inside": inside.get(e.id, []),
                                             "filed_under": filed if under else ""}))
        elif e.id not in geoms and not filed:
            findings.append(Finding(
                IMPACT_UNLOCATED, Severity.WARNING, e.id,
                f"{e.name} (place {e.place_id}) has neither a location nor a division code "
                f"in the register: whether the {kind} touches it cannot be assessed",
                details={"entry": e.id, "place": str(e.place_id)}))
    return findings


def impact_of_area(
    entries: Iterable[Entry],
    locations: Mapping[str, BaseGeometry | None],
    area: BaseGeometry,
    crs: CRS,
    *,
    margin: float = 0.0,
    metric_crs: MetricCRS | None = None,
) -> list[Finding]:
    """Entries whose place lies in an affected area, or within ``margin`` metres of it.

    Parameters
    ----------
    entries : iterable of Entry
    locations : mapping place id → shapely geometry (or None), in ``crs``
    area : shapely polygon(s) in ``crs``
        The area a proposed change affects (a planned development, a boundary adjustment).
    crs : pyproj.CRS
        CRS of ``locations`` and ``area``.
    margin : float
        Distance in metres around the area within which places are also reported (value =
        distance in m). Default 0: only places in the area or on its border.
    metric_crs : MetricCRS, optional
        CRS the distances are measured in; default chosen from the area's extent.

    Returns
    -------
    list of Finding
        One per touched active entry; ``value`` is the distance in metres (0 inside).
    """
    if area is None or area.is_empty:
        raise GeonamesError("the affected area is empty")
    if margin < 0:
        raise GeonamesError(f"margin must be ≥ 0 m, got {margin}")
    metric = metric_crs or choose_metric_crs(crs, area.bounds)
    area_valid = shapely.make_valid(area)
    area_m = shapely.make_valid(reproject(np.array([area], dtype=object), crs, metric.crs)[0])
    entries = [e for e in entries if e.active]
    located = [e for e in entries if locations.get(str(e.place_id)) is not None]
    geoms = np.array([locations[str(e.place_id)] for e in located], dtype=object)
    # inside: decided in the data's own CRS (exact); distance: measured in metres
    metric_geoms = dict(zip((e.id for e in located), reproject(geoms, crs, metric.crs)))
    inside = dict(zip((e.id for e in located), shapely.intersects(geoms, area_valid)))
    findings = []
    for e in entries:
        if e.id not in metric_geoms:
            findings.append(Finding(
                IMPACT_UNLOCATED, Severity.WARNING, e.id,
                f"{e.name} (place {e.place_id}) has no location in the register: whether the "
                "area touches it cannot be assessed",
                details={"entry": e.id, "place": str(e.place_id)}))
            continue
        g = metric_geoms[e.id]
        distance = 0.0 if inside[e.id] else float(shapely.distance(area_m, g))
        if distance > margin:
            continue
        why = ("lies in the affected area" if distance == 0 else
               f"lies {distance:,.0f} m from the affected area (margin {margin:,.0f} m)")
        findings.append(_impact_finding(
            e, f"{e.name} ({_status_text(e)}) {why}", "area", [why], g,
            {"margin_m": margin}, value=distance, limit=margin, unit="m"))
    return findings


def _check_change_shape(kind: str, old: Sequence[str], new: Sequence[str]) -> None:
    if kind == "merge" and (len(old) < 2 or len(new) != 1):
        raise GeonamesError(f"a merge needs two or more old codes and one new code, got "
                            f"{len(old)} → {len(new)}")
    if kind == "split" and (len(old) != 1 or len(new) < 2):
        raise GeonamesError(f"a split needs one old code and two or more new codes, got "
                            f"{len(old)} → {len(new)}")
    if kind not in ("merge", "split", "change"):
        raise GeonamesError(f"unknown division change {kind!r}: use merge, split or change")
    if not old:
        raise GeonamesError("give the old division codes of the change")
    if len(set(old)) != len(old):
        raise GeonamesError(f"an old code is given twice: {', '.join(old)}")


def _division_text(code: str, names: Mapping[str, str]) -> str:
    return f"{names[code]} ({code})" if names.get(code) else f"division {code}"


def _status_text(e: Entry) -> str:
    if e.status == EntryStatus.LISTED:
        batch = f" in batch {e.batch}" if e.batch else ""
        return f"listed{batch} since {e.step_date(EntryStatus.LISTED)}"
    if e.status == EntryStatus.NOTICE and e.notice is not None:
        return f"under public notice {e.notice.start} – {e.notice.end}"
    return f"candidate since {e.since}" if e.since else "candidate"


def _impact_finding(e: Entry, message: str, kind: str, reasons: list[str],
                    geometry: BaseGeometry | None = None, details: dict | None = None,
                    **values) -> Finding:
    listed = e.status == EntryStatus.LISTED
    return Finding(
        IMPACT_LISTED if listed else IMPACT_CANDIDATE,
        Severity.ERROR if listed else Severity.WARNING,
        e.id, message, geometry=geometry,
        details={"entry": e.id, "place": str(e.place_id), "name": e.name,
                 "status": str(e.status), "list": e.list_id, "batch": e.batch,
                 "grade": e.grade, "category": e.category, "change": kind,
                 "reasons": reasons, **(details or {})},
        **values)


def _metric_for(points: np.ndarray, crs: CRS | None) -> MetricCRS | None:
    return metric_crs_for(crs, points) if crs is not None else None


def _to_metric(points: np.ndarray, crs: CRS | None, metric: MetricCRS | None) -> np.ndarray:
    if not len(points) or crs is None or metric is None:
        return points
    return reproject(points, crs, metric.crs)
