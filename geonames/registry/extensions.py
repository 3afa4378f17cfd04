"""Register extensions: tables and write rules that a register uses, known by stable keys.

An extension (the heritage lists, for example) keeps its own tables in a register and may add
write policies that every write of that register runs. A register records the *keys* of the
extensions it uses (``gn_meta`` key ``extensions``, a JSON list such as ``["heritage"]``);
opening it loads each of them from the extensions this installation provides — the entry
points of group :data:`ENTRY_POINT_GROUP` declared by installed packages — and from nothing
else. A register file never decides what code runs: a key that no installed package provides
is refused with a clear message, and nothing is imported for it.

Registers written by geonames 0.1 recorded module names (``gn_meta`` key ``modules``); they
open through :data:`LEGACY_KEYS`.

>>> sorted(installed())
['heritage']
>>> load("os")
Traceback (most recent call last):
...
geonames.registry.extensions.UnknownExtension: this register uses the extension 'os', which this installation of geonames does not provide (it provides: heritage); nothing was loaded
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from geonames.errors import GeonamesError
from geonames.registry.schema import CORE_TABLES, Table

if TYPE_CHECKING:
    from geonames.registry.policy import WritePolicy

#: The entry-point group through which packages provide register extensions.
ENTRY_POINT_GROUP = "geonames.register_extensions"

#: Module names recorded by geonames 0.1 registers, and the keys they stand for now.
LEGACY_KEYS = {"geonames.heritage_register": "heritage"}


class UnknownExtension(GeonamesError):
    """A register names an extension that this installation does not provide."""


@dataclass(frozen=True)
class Extension:
    """What an extension adds to a register: its key, its tables and its write policies.

    ``key`` is stable across versions (it is what registers record); ``tables`` are created
    when the extension is first used in a register; ``policies`` run in every write of a
    register that uses the extension.
    """

    key: str
    tables: tuple[Table, ...] = ()
    policies: tuple[WritePolicy, ...] = field(default=())
    description: str = ""

    def __post_init__(self) -> None:
        core = {t.name for t in CORE_TABLES}
        for t in self.tables:
            if t.name in core or t.name.startswith(("gpkg_", "rtree_", "sqlite_")):
                raise ValueError(f"table name {t.name!r} is reserved")


def installed() -> dict[str, Any]:
    """The extensions installed packages provide: key → entry point (not yet loaded)."""
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load(key: str) -> Extension:
    """The extension of ``key``, loaded from the entry point an installed package declares.

    Raises :class:`UnknownExtension` for a key no installed package provides (nothing is
    imported then).
    """
    eps = installed()
    if key not in eps:
        provided = ", ".join(sorted(eps)) or "none"
        raise UnknownExtension(
            f"this register uses the extension {key!r}, which this installation of geonames "
            f"does not provide (it provides: {provided}); nothing was loaded")
    extension = eps[key].load()
    if not isinstance(extension, Extension) or extension.key != key:
        raise UnknownExtension(f"the entry point {key!r} does not name a geonames register "
                               "extension with that key")
    return extension


def recorded_keys(extensions_meta: str | None, modules_meta: str | None,
                  parse: Callable[[str], Any]) -> list[str]:
    """The extension keys a register records: ``extensions`` (this version), else the module
    names of a 0.1 register mapped through :data:`LEGACY_KEYS` (an unknown module name is kept
    as it is, so that :func:`load` refuses it by name)."""
    if extensions_meta:
        return [str(k) for k in parse(extensions_meta)]
    if modules_meta:
        return [LEGACY_KEYS.get(str(m), str(m)) for m in parse(modules_meta)]
    return []


def keys_of(extensions: Iterable[Extension]) -> list[str]:
    """Sorted keys of extensions, as a register records them."""
    return sorted({e.key for e in extensions})
