"""Write-time naming checks: the lint rules (:mod:`geonames.names.lint`) run on every name a write
adds or changes, against the register's current names.

:func:`naming_policy` makes a :mod:`write policy <geonames.registry.policy>`: for each place
a write adds or renames, the current places with the same name (duplicates) or the same
toneless pinyin (homophones) are looked up in the register and handed with it to
:func:`geonames.names.lint.lint_names`, which decides from the division codes whether they share a
scope (地名管理条例 Art. 4: village names within a township …; scopes are configurable through
lint's rules). An ``error`` finding (a duplicate, by lint's default severities) refuses the
write unless it is forced; the force is recorded in the history with the finding.

>>> import os, tempfile
>>> from datetime import date
>>> from geonames.names.model import PlaceName
>>> from geonames.registry import Registry, WriteRefused
>>> reg = Registry.open(os.path.join(tempfile.mkdtemp(), "n.gpkg"))
>>> reg.add_policy(naming_policy())
>>> _ = reg.add(PlaceName("a", "新华村", division_code="500101001201"), effective=date(2020, 1, 1))
>>> try:
...     reg.add(PlaceName("b", "新华村", division_code="500101001202"), effective=date(2021, 1, 1))
... except WriteRefused as err:
...     print(err.findings[0].code)
name.duplicate
>>> _ = reg.add(PlaceName("b", "新华村", division_code="500101001202"), effective=date(2021, 1, 1),
...             force=True)
>>> reg.history("b")[0].overrides[0]["code"], reg.history("b")[0].overrides[0]["by"]
('name.duplicate', 'force')
>>> reg.close()
"""

from __future__ import annotations

from collections.abc import Iterable

from geonames.findings import Finding
from geonames.names.lint import NameRules, lint_names
from geonames.names.model import NameStatus
from geonames.registry.keys import STATE_CURRENT, name_keys
from geonames.registry.policy import Write, WritePolicy

#: Lint checks run at write time by default.
DEFAULT_CHECKS = ("name.duplicate", "name.homophone")


def naming_policy(checks: Iterable[str] = DEFAULT_CHECKS,
                  rules: NameRules | None = None) -> WritePolicy:
    """A write policy running the lint ``checks`` on the names a write adds or changes.

    Parameters
    ----------
    checks : iterable of str
        Lint finding codes (default duplicates and homophones; homophones are warnings by
        lint's default severities, so they do not refuse).
    rules : NameRules, optional
        Lint rules (scopes, severities); default :func:`geonames.names.lint.default_rules`.
    """
    wanted = tuple(checks)

    def naming_checks(write: Write) -> list[Finding]:
        written = [p for pid, p in write.after.items()
                   if p.status != NameStatus.RETIRED
                   and (pid not in write.before or write.before[pid].name != p.name)]
        if not written or write.registry is None:
            return []
        mine = set(write.after)
        others = _same_sounding(write.registry.store, {p.name for p in written},
                                {name_keys(p.name, p.generic)[1] for p in written}, mine)
        names = [p.name for p in written] + [o[1] for o in others]
        codes = [p.division_code or None for p in written] + [o[2] or None for o in others]
        ids = [p.id for p in written] + [o[0] for o in others]
        if len(names) < 2:
            return []
        found = lint_names(names, codes, ids=ids, checks=wanted, rules=rules)
        new = {p.id for p in written}
        return [f for f in found if new & set(f.ids)]

    return naming_checks


def _same_sounding(store, names: set[str], keys: set[str],
                   exclude: set[str]) -> list[tuple[str, str, str]]:
    """``(place_id, name, division_code)`` of current places with one of ``names`` or
    ``keys`` as their standard name or its pinyin key."""
    out: dict[str, tuple[str, str, str]] = {}
    for column, values in (("name", sorted(names)), ("key", sorted(keys))):
        for start in range(0, len(values), 500):
            chunk = values[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for pid, name, code in store.query(
                    f"SELECT n.place_id, n.name, p.division_code FROM gn_names n "
                    f"JOIN placenames p ON p.place_id = n.place_id "
                    f"WHERE n.state = {STATE_CURRENT} AND n.{column} IN ({marks})", chunk):
                if pid not in exclude:
                    out[pid] = (pid, name, code or "")
    return list(out.values())
