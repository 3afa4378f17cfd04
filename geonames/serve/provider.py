"""The pygeoapi feature provider of a register: OGC API – Features items from
:mod:`geonames.serve.features`.

pygeoapi loads a provider per request (by its dotted name in the server configuration); the
connection comes from :func:`geonames.serve.state.registry`, one per server thread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from http import HTTPStatus
from typing import Any

import shapely
from pygeoapi.provider.base import (
    BaseProvider,
    ProviderGenericError,
    ProviderInvalidQueryError,
    ProviderItemNotFoundError,
    ProviderQueryError,
)
from pygeoapi.util import crs_transform

from geonames.errors import GeonamesError
from geonames.registry import PlaceNotFound
from geonames.serve import features, state

LOG = logging.getLogger("geonames.serve")


class ProviderTimeLimit(ProviderGenericError):
    """A query ran past the server's time limit."""

    ogc_exception_code = "Timeout"
    http_status_code = HTTPStatus.SERVICE_UNAVAILABLE
    default_msg = "the query ran past the server's time limit"


def guarded(work: Callable[[], Any]) -> Any:
    """Run a register read: time-limit breaks become 503, register errors 400, anything
    else a 500 whose details go to the log only (never the target or a password)."""
    try:
        return work()
    except ProviderGenericError:
        raise
    except features.QueryTimeout:
        raise ProviderTimeLimit(user_msg=ProviderTimeLimit.default_msg) from None
    except GeonamesError as err:
        raise ProviderInvalidQueryError(user_msg=str(err)) from None
    except Exception as err:
        if _is_time_limit(err):
            raise ProviderTimeLimit(user_msg=ProviderTimeLimit.default_msg) from None
        LOG.exception("query failed")
        raise ProviderQueryError(user_msg="the query failed (see the server log)") from None


def _is_time_limit(err: Exception) -> bool:
    """SQLite interrupted by the progress handler, or PostgreSQL's statement_timeout."""
    text = str(err).lower()
    return "interrupted" in text or "statement timeout" in text or \
        type(err).__name__ == "QueryCanceled"


_FIELD_TYPES = {"valid_from": ("string", "date"), "valid_to": ("string", "date"),
                "approval_date": ("string", "date")}

_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$")


def parse_day(text: str) -> date | None:
    """The day of an OGC ``datetime``: an instant (``2016-01-01``, ``2016-01-01T00:00:00Z``)
    or an interval, whose end day is taken (``../2016-01-01``); None for ``..`` (now)."""
    text = text.strip()
    if "/" in text:
        text = text.split("/", 1)[1] or ".."
    if text == "..":
        return None
    m = _DAY.match(text)
    if not m:
        raise ProviderInvalidQueryError(
            user_msg=f"datetime {text!r}: give a day (YYYY-MM-DD) or an RFC 3339 time")
    try:
        return date.fromisoformat(m.group(1))
    except ValueError:
        raise ProviderInvalidQueryError(user_msg=f"datetime {text!r}: no such day") from None


class RegisterProvider(BaseProvider):
    """Place names of a register as OGC API – Features items (read-only)."""

    def __init__(self, provider_def: dict[str, Any]) -> None:
        super().__init__(provider_def)
        self.id_field = "id"
        self.title_field = "name"
        self._fields = self.get_fields()

    def get_fields(self) -> dict[str, dict[str, str]]:
        out = {}
        for name in features.PROPERTIES:
            kind, fmt = _FIELD_TYPES.get(name, ("string", ""))
            out[name] = {"type": kind, **({"format": fmt} if fmt else {})}
        return out

    @crs_transform
    def query(self, offset: int = 0, limit: int = 10, resulttype: str = "results",
              bbox: list[float] | None = None, datetime_: str | None = None,
              properties: list[tuple[str, str]] | None = None,
              sortby: list[dict[str, str]] | None = None,
              select_properties: list[str] | None = None, skip_geometry: bool = False,
              q: str | None = None, **kwargs: Any) -> dict[str, Any]:
        lim = state.limits
        if q is not None and len(q) > lim.max_query_chars:
            raise ProviderInvalidQueryError(
                user_msg=f"q is longer than {lim.max_query_chars} characters")
        filters = {}
        for key, value in properties or []:
            if key not in features.FILTERS:
                raise ProviderInvalidQueryError(
                    user_msg=f"cannot filter on {key}: use one of {', '.join(features.FILTERS)}")
            filters[key] = value
        query = features.Query(
            offset=offset, limit=limit, filters=filters, q=q or None,
            bbox=tuple(bbox[:4]) if bbox else None,  # type: ignore[arg-type]
            as_of=parse_day(datetime_) if datetime_ else None,
            sortby=[(s["property"], s["order"] != "-") for s in sortby or []],
            deadline=state.deadline())
        page = guarded(lambda: features.query(state.registry(), query, lim.search_cap))
        out: dict[str, Any] = {"type": "FeatureCollection", "features": [],
                               "numberReturned": 0}
        if page.matched is not None:
            out["numberMatched"] = page.matched
        if resulttype == "hits":
            return out
        for pid, props, geom in page.places:
            if select_properties:
                props = {k: v for k, v in props.items() if k in select_properties}
            if pid in page.hits:
                props = {**props, "search": page.hits[pid]}
            out["features"].append(self._feature(pid, props, None if skip_geometry else geom))
        out["numberReturned"] = len(out["features"])
        return out

    @crs_transform
    def get(self, identifier: str, **kwargs: Any) -> dict[str, Any]:
        def read() -> tuple[dict[str, Any], Any]:
            try:
                return features.get(state.registry(), identifier)
            except PlaceNotFound:
                raise ProviderItemNotFoundError(user_msg=f"no place {identifier}") from None

        props, geom = guarded(read)
        return self._feature(identifier, props, geom)

    def _feature(self, pid: str, props: dict[str, Any], geom: Any) -> dict[str, Any]:
        history = f"{state.base_url}/collections/placenames/items/{pid}/history"
        return {"type": "Feature", "id": pid,
                "geometry": shapely.geometry.mapping(geom) if geom is not None else None,
                "properties": props,
                "links": [{"rel": "version-history", "type": "application/json",
                           "title": "every change of this place", "href": history}]}

    def __repr__(self) -> str:
        return "<RegisterProvider>"
