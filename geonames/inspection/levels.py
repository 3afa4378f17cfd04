"""``inspect levels`` as a report: a lower level of divisions against its parents."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import shapely

from geonames.crs import reproject
from geonames.divisions.coverage import metric_crs_of
from geonames.divisions.io import read_divisions
from geonames.divisions.levels import LINE_DEPTH, TOLERANCE, check_levels
from geonames.document import MapLayer, Report, Table
from geonames.errors import InputFileError
from geonames.geometry import repair
from geonames.text import Progress, quiet


def levels_report(children_path: str | Path, parents_path: str | Path | None = None,
                  outline: bool = False, tolerance: float = TOLERANCE,
                  line_depth: float = LINE_DEPTH, min_area: float = 0.0,
                  layer: str | None = None, id_field: str | None = None,
                  name_field: str | None = None, parents_layer: str | None = None,
                  crs: str | None = None, progress: Progress = quiet) -> Report:
    """Check children (``children_path``) against their parents (``parents_path``), or with
    ``outline`` against the children's own dissolved outline (holes filled), and build the
    report (see :mod:`geonames.divisions.levels`)."""
    start = time.perf_counter()
    if (parents_path is None) == (not outline):
        raise InputFileError("give the parents' file, or --outline to check the divisions "
                             "against their own dissolved outline (not both)")
    progress(f"reading {children_path}")
    children = read_divisions(children_path, layer, id_field, name_field)
    metric = metric_crs_of(children, crs)
    kids = reproject(children.geometries, children.crs, metric.crs)
    if outline:
        union = shapely.union_all(repair(kids).geometries)
        shell = shapely.union_all([shapely.Polygon(p.exterior)
                                   for p in shapely.get_parts(union) if p.geom_type == "Polygon"])
        parent_ids, parent_names = ["outline"], ["outline"]
        parents = np.array([shell], dtype=object)
        mapping = {str(i): "outline" for i in children.ids}
    else:
        assert parents_path is not None
        progress(f"reading {parents_path}")
        table = read_divisions(parents_path, parents_layer, id_field, name_field)
        parent_ids, parent_names = [str(i) for i in table.ids], [str(n) for n in table.names]
        parents = reproject(table.geometries, table.crs, metric.crs)
        mapping = None
    progress(f"checking {len(children)} divisions against {len(parent_ids)} in {metric.label}")
    result = check_levels(children.ids, children.names, kids, parent_ids, parent_names, parents,
                          tolerance=tolerance, line_depth=line_depth, min_area=min_area,
                          parent_of=mapping)
    rows = [[c, p] for c, p in sorted(result.parent_of.items())]
    name = Path(children_path).name
    return Report(
        check="levels", findings=result.findings, crs=metric.crs, metric_crs=metric.label,
        inputs={"children": str(children_path),
                "parents": str(parents_path) if parents_path else "dissolved outline",
                "tolerance_m": tolerance, "line_depth_m": line_depth, "min_area_m2": min_area,
                "title": f"{name} — levels"},
        layers=[MapLayer("parents", parents, labels=parent_names),
                MapLayer("children", kids, kind="line")],
        tables=[Table("parents", "Parent of each division", ["child", "parent"], rows)],
        notes=[f"measured in {metric.label}: {metric.reason}"]
        + ([children.crs_note] if children.crs_note else []),
        stats=result.stats, seconds=time.perf_counter() - start)
