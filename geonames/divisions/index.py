"""Spatial index over an array of geometries: locate points, find neighbours, nearest lines.

Built on :class:`shapely.STRtree`, whose bulk, vectorised queries are the fastest way to ask
many questions at once (``scripts/bench_locate.py`` measures it against bare STRtree and rtree).

>>> from shapely import box, points
>>> index = SpatialIndex([box(0, 0, 1, 1), box(1, 0, 2, 1)], ids=["a", "b"])
>>> index.locate(points([0.5, 1.5, 5.0], [0.5, 0.5, 5.0])).tolist()
[0, 1, -1]
>>> index.ids_at(index.locate(points([1.5], [0.5]))).tolist()
['b']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry


class SpatialIndex:
    """An STRtree over geometries, with their ids.

    Parameters
    ----------
    geometries : array of shapely geometries
        Polygons for :meth:`locate`, lines for :meth:`nearest`, anything for
        :meth:`touching`. Missing geometries (None) are never returned.
    ids : sequence, optional
        An id for each geometry; defaults to the position.
    """

    def __init__(self, geometries: Sequence[BaseGeometry | None] | np.ndarray,
                 ids: Sequence[object] | np.ndarray | None = None) -> None:
        self.geometries = np.asarray(geometries, dtype=object)
        self.ids = np.asarray(ids if ids is not None else np.arange(len(self.geometries)),
                              dtype=object)
        if len(self.ids) != len(self.geometries):
            raise ValueError("ids and geometries differ in length")
        self.tree = shapely.STRtree(self.geometries)

    def __len__(self) -> int:
        return len(self.geometries)

    def locate(self, points: np.ndarray) -> np.ndarray:
        """Position of the geometry each point lies in, -1 where none.

        A point strictly inside a polygon gets that polygon; a point on a border shared by
        several gets the first of them; where polygons overlap, the first (lowest position).

        Parameters
        ----------
        points : array of shapely Points

        Returns
        -------
        numpy int64 array, one per point.
        """
        points = np.asarray(points, dtype=object)
        none = len(self.geometries)
        result = np.full(len(points), none, dtype=np.int64)
        pt, geom = self.tree.query(points, predicate="within")
        np.minimum.at(result, pt, geom)
        missing = np.flatnonzero(result == none)
        if len(missing):  # on a border, or outside everything
            pt, geom = self.tree.query(points[missing], predicate="intersects")
            np.minimum.at(result, missing[pt], geom)
        result[result == none] = -1
        return result

    def ids_at(self, positions: np.ndarray, missing: object = None) -> np.ndarray:
        """Ids at ``positions`` (as :meth:`locate` returns), ``missing`` where -1."""
        positions = np.asarray(positions)
        out = np.full(len(positions), missing, dtype=object)
        found = positions >= 0
        out[found] = self.ids[positions[found]]
        return out

    def touching(self, geometry: BaseGeometry, exclude_self: bool = True) -> np.ndarray:
        """Positions of the geometries that intersect ``geometry`` (sorted).

        With ``exclude_self``, a geometry equal to ``geometry`` is left out, so that
        ``touching(geometries[i])`` lists the neighbours of ``i``.
        """
        hits = np.sort(self.tree.query(geometry, predicate="intersects"))
        if exclude_self:
            hits = hits[~shapely.equals(self.geometries[hits], geometry)]
        return hits

    def neighbour_pairs(self) -> np.ndarray:
        """All pairs (i, j), i < j, of geometries that intersect, as an (n, 2) array."""
        left, right = self.tree.query(self.geometries, predicate="intersects")
        keep = left < right
        return np.column_stack([left[keep], right[keep]])

    def nearest(self, geometries: np.ndarray,
                max_distance: float | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Nearest indexed geometry to each input, and the distance to it.

        Parameters
        ----------
        geometries : array of shapely geometries (typically points)
        max_distance : float, optional
            Search radius in the geometries' units; farther ones give position -1 and
            distance ``inf``.

        Returns
        -------
        positions : numpy int64 array (-1 where nothing within ``max_distance``)
        distances : numpy float64 array
        """
        geometries = np.asarray(geometries, dtype=object)
        positions = np.full(len(geometries), -1, dtype=np.int64)
        distances = np.full(len(geometries), np.inf)
        (src, dst), dist = self.tree.query_nearest(
            geometries, max_distance=max_distance, return_distance=True, all_matches=False
        )
        positions[src] = dst
        distances[src] = dist
        return positions, distances
