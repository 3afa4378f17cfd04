"""Reconciliation of other people's name lists against the register (the W3C Entity
Reconciliation API v0.2 that OpenRefine speaks): candidates for a name, scored.

A query is a name as someone wrote it (characters, pinyin, initials; possibly with a typo),
optionally with a type (a GB/T 18521 category code, or a generic term such as 街道) and
properties: ``division_code`` (the code of the division the place lies in, or of the place;
codes are hierarchical, so a county code selects the townships below it) and ``point``
(``lon,lat`` in the register's CRS, ``x,y`` for a projected one).

Candidates come from the register's own search (exact, proper part, prefix, substring; by
characters, pinyin and initials); then from the places of the given division, or, without
one, from the pinyin of a query written in characters (a homophone typed by mistake) and the
two ends of its proper part; and from the places near the given point. Each is scored 0–100:

* name similarity, the best of: the characters of the query against each name of the place
  (and of the proper parts), their pinyin keys, and the initials for an initials query;
* times 0.6 when a ``division_code`` was given and the place lies outside it;
* times 0.8 when a type was given and the place is of another type;
* times ``0.5 + 0.5·exp(−d / 10 km)`` when a point was given, ``d`` its distance.

A candidate is a ``match`` (safe to accept without a look) when it scores at least 90 and
the next one at least 10 less.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rapidfuzz.fuzz import ratio

from geonames.names.romanize import generic_terms, romanize
from geonames.registry import Registry
from geonames.registry.keys import is_han_query, name_keys, normalize_chars, normalize_pinyin

MATCH_SCORE = 90.0
MATCH_GAP = 10.0


@dataclass
class Candidate:
    id: str
    name: str
    score: float
    match: bool
    type: tuple[str, str] | None  # (id, name)
    division_code: str
    description: str
    features: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, "score": round(self.score, 2),
                               "match": self.match, "description": self.description,
                               "features": [{"id": k, "value": round(v, 4)}
                                            for k, v in self.features.items()]}
        out["type"] = [{"id": self.type[0], "name": self.type[1]}] if self.type else []
        return out


@dataclass
class ReconQuery:
    query: str
    type: str | None = None
    limit: int = 3
    division_code: str | None = None
    point: tuple[float, float] | None = None


class BadQuery(ValueError):
    """A reconciliation query the service cannot read."""


def parse_query(raw: Any, max_chars: int = 200) -> ReconQuery:
    """A :class:`ReconQuery` from one query object of a reconciliation request."""
    if isinstance(raw, str):
        raw = {"query": raw}
    if not isinstance(raw, dict):
        raise BadQuery("each query is an object with a 'query' string")
    text = raw.get("query")
    if not isinstance(text, str) or not text.strip():
        raise BadQuery("each query needs a non-empty 'query' string")
    if len(text) > max_chars:
        raise BadQuery(f"a query is longer than {max_chars} characters")
    kind = raw.get("type")
    if isinstance(kind, list):
        kind = kind[0] if kind else None
    if isinstance(kind, dict):
        kind = kind.get("id")
    try:
        limit = max(1, min(int(raw.get("limit") or 3), 50))
    except (TypeError, ValueError):
        raise BadQuery("'limit' must be a whole number") from None
    q = ReconQuery(text.strip(), str(kind) if kind else None, limit)
    for prop in raw.get("properties") or []:
        if not isinstance(prop, dict):
            raise BadQuery("each property is an object with 'pid' and 'v'")
        pid, value = prop.get("pid"), prop.get("v")
        if isinstance(value, dict):
            value = value.get("id") or value.get("name")
        if isinstance(value, list):
            value = value[0] if value else None
        if value is None or str(value).strip() == "":
            continue
        value = str(value).strip()
        if pid == "division_code":
            if not value.isdigit():
                raise BadQuery(f"division_code {value!r}: digits only")
            q.division_code = value
        elif pid == "point":
            try:
                x, y = (float(v) for v in value.replace(" ", ",").split(",") if v)
            except ValueError:
                raise BadQuery(f"point {value!r}: give 'lon,lat'") from None
            if not (math.isfinite(x) and math.isfinite(y)):
                raise BadQuery(f"point {value!r}: not a finite coordinate pair")
            q.point = (x, y)
        else:
            raise BadQuery(f"unknown property {pid!r}: use division_code or point")
    return q


@lru_cache(maxsize=1)
def types() -> list[tuple[str, str]]:
    """``(category code, category name)`` of the generic-terms table, each once."""
    seen: dict[str, str] = {}
    for term in generic_terms().values():
        if term.category and term.category not in seen:
            seen[term.category] = term.category_name
    return sorted(seen.items())


def place_type(category: str | None, generic: str | None) -> tuple[str, str] | None:
    """The type of a place: its category, else its generic term's category."""
    names = dict(types())
    if category:
        return (category, names.get(category, category))
    term = generic_terms().get(generic or "")
    if term and term.category:
        return (term.category, term.category_name)
    return None


def _type_matches(wanted: str, place: tuple[str, str] | None, generic: str | None) -> bool:
    if wanted == (generic or ""):
        return True
    return place is not None and (place[0] == wanted or place[0].startswith(wanted))


_COLUMNS = ("place_id", "name", "romanization", "category", "generic", "division_code")

#: A name's search keys as the register stores them (:mod:`geonames.registry.keys`).
Keys = tuple[str, str, str, str, str, str]  # name, proper, key, proper_key, initials, p. initials


def _details(reg: Registry, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The current places among ``ids``, each with the keys of all its names."""
    out: dict[str, dict[str, Any]] = {}
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for row in reg.store.query(f"SELECT {', '.join(_COLUMNS)} FROM placenames "
                                   f"WHERE place_id IN ({marks})", chunk):
            out[row[0]] = {**dict(zip(_COLUMNS, row)), "keys": []}
        for pid, *keys in reg.store.query(
                "SELECT place_id, name, proper, key, proper_key, initials, proper_initials "
                f"FROM gn_names WHERE place_id IN ({marks})", chunk):
            if pid in out:
                out[pid]["keys"].append(tuple(keys))
    return out


def _in_division(reg: Registry, code: str, cap: int = 400) -> list[str]:
    return [r[0] for r in reg.store.query(
        "SELECT place_id FROM placenames WHERE division_code >= ? AND division_code < ? "
        "LIMIT ?", (code, code + "\U0010ffff", cap))]


def _similarity(a: str, b: str) -> float:
    """Similarity 0–1 of two strings: 2·matches / total length (the Indel ratio)."""
    if not a or not b:
        return 0.0
    return 1.0 if a == b else ratio(a, b) / 100.0


@lru_cache(maxsize=4096)
def _query_keys(text: str) -> tuple[bool, str, str, str, str]:
    """``(han, text, proper, key, proper_key)`` of a query."""
    if is_han_query(text):
        chars = normalize_chars(text)
        proper, key, pkey = name_keys(chars)[:3]
        return True, chars, proper, key, pkey
    return False, normalize_pinyin(text), "", "", ""


def name_score(query: str, names: Sequence[Keys]) -> float:
    """Similarity 0–1 of a query to the best of a place's names (each given with its keys:
    name, proper part, pinyin key, proper part's key, initials, proper part's initials)."""
    han, qc, q_proper, q_key, q_pkey = _query_keys(query)
    best = 0.0
    for name, proper, key, pkey, initials, pinitials in names:
        if han:
            best = max(best, _similarity(qc, name), _similarity(q_proper, proper) * 0.97,
                       _similarity("".join(sorted(qc)), "".join(sorted(name))) * 0.95,
                       _similarity(q_key, key) * 0.92, _similarity(q_pkey, pkey) * 0.9)
        else:
            best = max(best, _similarity(qc, key), _similarity(qc, pkey) * 0.97,
                       0.9 if qc in (initials, pinitials) else 0.0)
        if best == 1.0:
            break
    return best


def reconcile(reg: Registry, q: ReconQuery, pool: int = 30) -> list[Candidate]:
    """Scored candidates for one query, best first (at most ``q.limit``)."""
    text = q.query
    found: dict[str, None] = {}  # place ids, in order found
    for hit in reg.search(text, limit=pool if not q.division_code else 10):
        found.setdefault(hit.place_id)
    # within a division, its own places are the candidates a slip needs; elsewhere look
    # further: the pinyin of the characters (a homophone), and the two ends of the proper part
    if is_han_query(text) and not q.division_code:
        chars = normalize_chars(text)
        for hit in reg.search(romanize(chars).key, by="pinyin", limit=pool):
            found.setdefault(hit.place_id)
        proper = _query_keys(chars)[2]
        if len(found) < pool and len(proper) >= 2:
            for piece in {proper[:2], proper[-2:]}:
                for hit in reg.search(piece, by="chars", limit=pool):
                    found.setdefault(hit.place_id)
    ids = list(found)
    if q.division_code:
        ids += _in_division(reg, q.division_code)
    near: dict[str, float] = {}
    if q.point is not None:
        for n in reg.nearest(q.point[0], q.point[1], k=20):
            near[n.place_id] = n.distance_m
            ids.append(n.place_id)
    details = _details(reg, ids)
    if q.point is not None:
        missing = [pid for pid in details if pid not in near]
        if missing:
            geoms = reg.store.geometries_of(missing)  # type: ignore[attr-defined]
            near.update(_distances(reg, q.point, geoms))
    out: list[Candidate] = []
    for pid, d in details.items():
        features = {"name": name_score(text, d["keys"])}
        score = features["name"]
        ptype = place_type(d["category"], d["generic"])
        if q.division_code:
            inside = (d["division_code"] or "").startswith(q.division_code)
            features["division_code"] = 1.0 if inside else 0.0
            if not inside:
                score *= 0.6
        if q.type:
            ok = _type_matches(q.type, ptype, d["generic"])
            features["type"] = 1.0 if ok else 0.0
            if not ok:
                score *= 0.8
        if q.point is not None:
            dist = near.get(pid)
            closeness = 0.0 if dist is None else math.exp(-dist / 10_000.0)
            features["point"] = closeness
            score *= 0.5 + 0.5 * closeness
        out.append(Candidate(pid, d["name"], 100.0 * score, False, ptype,
                             d["division_code"] or "", _describe(d), features))
    out.sort(key=lambda c: (-c.score, len(c.name), c.id))
    top = out[:q.limit]
    if top and top[0].score >= MATCH_SCORE and (
            len(out) == 1 or out[1].score <= top[0].score - MATCH_GAP):
        top[0].match = True
    return top


def _distances(reg: Registry, point: tuple[float, float],
               geoms: dict[str, Any]) -> dict[str, float]:
    import shapely

    out: dict[str, float] = {}
    p = shapely.Point(*point)
    geod = reg.store.geod
    for pid, g in geoms.items():
        if g is None:
            continue
        if geod is None:
            out[pid] = float(shapely.distance(g, p))
        else:
            target = g if g.geom_type == "Point" else shapely.ops.nearest_points(g, p)[0]
            out[pid] = float(geod.inv(point[0], point[1], target.x, target.y)[2])
    return out


def _describe(d: dict[str, Any]) -> str:
    parts = [d.get("romanization") or "", d.get("division_code") or ""]
    return " · ".join(p for p in parts if p)
