"""The ``INSPECTION.toml`` of a joint inspection: its sections and keys, read and checked, with
paths resolved against the file's folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geonames.errors import InputFileError
from geonames.text import read_text_file
from geonames.values import metres, number, square_metres

#: Sections and keys an ``INSPECTION.toml`` may have.
CONFIG_KEYS: dict[str, set[str]] = {
    "inspection": {"title", "crs"},
    "divisions": {"path", "previous", "layer", "id_field", "name_field", "history", "repair"},
    "lines": {"path", "layer", "code_field", "tripoints", "derive", "snap", "only"},
    "markers": {"path", "previous", "crs", "number_pattern", "number_template"},
    "other_party": {"lines", "layer", "code_field", "match"},
    "tolerances": {"max_offset", "max_shift", "max_tripoint_distance", "edgematch", "changes",
                   "min_share", "gap_width", "min_area"},
    "checks": {"coverage", "markers", "edgematch", "changes"},
    "exceptions": {"path", "tolerance"},
    "results": {"write", "pdf", "xlsx", "lang", "compass_points", "generalise",
                "point_tolerance", "features", "feature_name_field"},
}
_PATH_KEYS = {("divisions", "path"), ("divisions", "previous"), ("lines", "path"),
              ("lines", "tripoints"), ("markers", "path"), ("markers", "previous"),
              ("other_party", "lines"), ("exceptions", "path"), ("results", "features")}


@dataclass
class InspectionConfig:
    """An ``INSPECTION.toml`` as read: its sections, with paths resolved against its folder."""

    path: Path
    sections: dict[str, dict[str, Any]]
    #: Whether paths may lead outside the config's folder (``--allow-outside``).
    allow_outside: bool = False

    def get(self, section: str, key: str, default: Any = None) -> Any:
        """A value, or ``default`` when absent."""
        return self.sections.get(section, {}).get(key, default)

    def wants(self, check: str, *needs: tuple[str, str]) -> bool:
        """True when the check is not switched off and its inputs are given."""
        if not self.get("checks", check, True):
            return False
        return all(self.get(section, key) is not None for section, key in needs)


def load_config(path: str | Path, allow_outside: bool = False) -> InspectionConfig:
    """Read and check an ``INSPECTION.toml``.

    Paths in it are relative to its folder and must stay inside that folder (a config cannot
    make the tool read ``../../etc/passwd``) unless ``allow_outside``; tolerances must be
    finite numbers of metres, 0 or more (``min_share`` a share above 0 and at most 1).

    Raises
    ------
    GeonamesError
        For a missing or malformed file, unknown sections or keys, values of the wrong kind,
        paths outside the config's folder.
    """
    import tomllib

    path = Path(path)
    try:
        data = tomllib.loads(read_text_file(path))
    except tomllib.TOMLDecodeError as err:
        raise InputFileError(f"{path}: not a valid TOML file ({err})") from None
    unknown = set(data) - set(CONFIG_KEYS)
    if unknown:
        raise InputFileError(f"{path}: unknown section(s) {', '.join(sorted(unknown))}; "
                             f"known: {', '.join(CONFIG_KEYS)}")
    sections: dict[str, dict[str, Any]] = {}
    for name, values in data.items():
        if not isinstance(values, dict):
            raise InputFileError(f"{path}: [{name}] must be a table of keys")
        bad = set(values) - CONFIG_KEYS[name]
        if bad:
            raise InputFileError(f"{path}: unknown key(s) in [{name}]: {', '.join(sorted(bad))}"
                                 f"; known: {', '.join(sorted(CONFIG_KEYS[name]))}")
        section = dict(values)
        for key, value in values.items():
            if (name, key) in _PATH_KEYS:
                if not isinstance(value, str):
                    raise InputFileError(f"{path}: [{name}] {key} must be a path (a string)")
                section[key] = _inside(path, f"[{name}] {key}", value, allow_outside)
            elif name in ("tolerances",):
                if not isinstance(value, int | float) or isinstance(value, bool):
                    raise InputFileError(f"{path}: [{name}] {key} must be a number of metres")
                what = f"{path}: [{name}] {key}"
                if key == "min_share":
                    number(value, what, minimum=0.0, maximum=1.0, min_open=True)
                elif key == "min_area":
                    square_metres(value, what)
                else:
                    metres(value, what)
            elif name == "checks" and not isinstance(value, bool):
                raise InputFileError(f"{path}: [checks] {key} must be true or false")
        sections[name] = section
    if "lines" in sections and "path" not in sections["lines"] \
            and not sections["lines"].get("derive"):
        raise InputFileError(f"{path}: [lines] needs a path, or derive = true")
    return InspectionConfig(path, sections, allow_outside)


def events_path(cfg: InspectionConfig, value: str) -> str | Path:
    """An events file named in the config: relative to the config's folder when such a file
    exists there, else as given (e.g. ``"chongqing"`` for the shipped one)."""
    candidate = cfg.path.parent / value
    if candidate.exists():
        return _inside(cfg.path, "[divisions] history", value, cfg.allow_outside)
    return value


def _inside(config: Path, what: str, value: str, allow_outside: bool) -> Path:
    """``value`` resolved against the config's folder; refused outside it unless allowed."""
    if "\x00" in value:
        raise InputFileError(f"{config}: {what} contains a NUL character")
    folder = config.resolve().parent
    resolved = (folder / value).resolve()
    if not allow_outside and not resolved.is_relative_to(folder):
        raise InputFileError(f"{config}: {what} {value!r} is outside the config's folder "
                             f"{folder} (move the file there, or give --allow-outside)")
    return resolved
