"""Administrative divisions: one :class:`Division`, and :class:`DivisionTable` for a layer of them.

A :class:`DivisionTable` keeps its columns as numpy arrays so that engines can work on all
geometries at once (the shapely 2 way); :meth:`DivisionTable.divisions` gives the records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from pyproj import CRS
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division.

    A code is an identity only together with its validity interval: codes are reused
    (500110 was 万盛区 until 2011 and 綦江区 after).
    """

    code: str
    name: str
    level: str | None = None
    parent_code: str | None = None
    geometry: BaseGeometry | None = None
    valid_from: date | None = None
    valid_to: date | None = None


@dataclass
class DivisionTable:
    """A layer of divisions as parallel arrays.

    Attributes
    ----------
    ids : numpy array of str
    names : numpy array of str (empty string where there is no name)
    geometries : numpy array of shapely geometries (None where a feature had none)
    crs : pyproj.CRS
        The CRS the geometries are in.
    crs_note : str or None
        Set when the CRS was assumed rather than declared.
    id_source : str
        Where the ids came from: ``"feature id"``, ``"field 'code'"`` or ``"row number"``.
    source : str
        Path (and layer) the table was read from.
    properties : list of dict
        The other attributes of each feature.
    """

    ids: np.ndarray
    names: np.ndarray
    geometries: np.ndarray
    crs: CRS
    crs_note: str | None = None
    id_source: str = "row number"
    source: str = ""
    properties: list[dict[str, Any]] = field(default_factory=list)
    #: Rows whose rings did not close in the file (reported as ``geometry.invalid``).
    unclosed: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.ids)

    def divisions(self) -> list[Division]:
        """The rows as :class:`Division` records."""
        return [
            Division(code=str(i), name=str(n), geometry=g)
            for i, n, g in zip(self.ids, self.names, self.geometries, strict=True)
        ]

    def name_of(self) -> dict[str, str]:
        """Mapping id → name."""
        return dict(zip(self.ids.tolist(), self.names.tolist(), strict=True))

    def take(self, index: np.ndarray) -> DivisionTable:
        """A new table with the rows at ``index`` (an integer or boolean array)."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        return DivisionTable(
            ids=self.ids[index],
            names=self.names[index],
            geometries=self.geometries[index],
            crs=self.crs,
            crs_note=self.crs_note,
            id_source=self.id_source,
            source=self.source,
            properties=[self.properties[i] for i in index] if self.properties else [],
        )

    def with_geometries(self, geometries: np.ndarray, crs: CRS) -> DivisionTable:
        """A copy with other geometries (for instance reprojected) in ``crs``."""
        return DivisionTable(
            ids=self.ids,
            names=self.names,
            geometries=np.asarray(geometries, dtype=object),
            crs=crs,
            crs_note=self.crs_note,
            id_source=self.id_source,
            source=self.source,
            properties=self.properties,
        )
