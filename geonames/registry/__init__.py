"""A place-name register with full history: GeoPackage by default, PostGIS when shared.

>>> import tempfile, os
>>> from datetime import date
>>> from shapely import Point
>>> from geonames.names.model import Approval, PlaceName
>>> path = os.path.join(tempfile.mkdtemp(), "demo.gpkg")
>>> reg = Registry.open(path)
>>> [kai] = reg.add(PlaceName(id=AUTO_ID, name="开县", geometry=Point(108.39, 31.16)),
...                 effective=date(1990, 1, 1))
>>> kai.id, kai.romanization, kai.generic
('P0000001', 'Kai Xian', '县')
>>> new = reg.rename(kai.id, "开州区", effective=date(2016, 6, 8),
...                  approval=Approval("国务院", "国函〔2016〕101号", date(2016, 6, 8)))
>>> new.id, new.name, reg.get(kai.id, as_of=date(2010, 1, 1)).name
('P0000001', '开州区', '开县')
>>> [(h.name, h.matched, h.historical) for h in reg.search("开县")]
[('开州区', '开县', True)]
>>> reg.check()
[]
>>> reg.close()

Every write is an :class:`Event` in an append-only history; the state of each place is
folded from its events (:func:`fold`), so :meth:`Registry.get` with ``as_of`` and
:meth:`Registry.as_of` give the register as it stood on any day. Writes run
:mod:`write policies <geonames.registry.policy>` (naming checks, heritage protection) and
extensions (:class:`Extension`, known by stable keys) keep their own tables in the register.
"""

from geonames.registry.core import (
    AUTO_ID,
    DEFAULT_CRS,
    ImportRejected,
    ImportResult,
    PlaceNotFound,
    Registry,
    RegistryError,
    Rejection,
)
from geonames.registry.extensions import Extension, UnknownExtension
from geonames.registry.model import Event, EventKind, fold
from geonames.registry.policy import Write, WritePolicy, WriteRefused
from geonames.registry.schema import Column, Index, Table
from geonames.registry.store import Hit, Near

__all__ = [
    "AUTO_ID", "DEFAULT_CRS", "Column", "Event", "EventKind", "Extension", "Hit",
    "ImportRejected", "ImportResult", "Index", "Near", "PlaceNotFound", "Registry",
    "RegistryError", "Rejection", "Table", "UnknownExtension", "Write", "WritePolicy",
    "WriteRefused", "fold",
]
