"""One task of the partitioned engine: the per-village sums of a batch of counties.

A batch is a few neighbouring county partitions (:mod:`geo.partitioned`).  Its
task reads their grids, sites and roads, and from the *neighbouring*
partitions only what a figure of its own villages needs (the halo):

* level-4 grids whose bounding box meets the batch's villages (a grid crossing
  a county border is cut by the villages on both sides), and the villages
  around those grids (a grid's home village decides whether it is a sliver);
* service sites within ``max(service radius, walk)`` of the batch, and roads
  within twice the walk (a walk of ``B`` metres from a unit never leaves the
  disc of radius ``B`` around it; the node nearest a site that can be reached
  lies within ``2 B`` of the unit, so it is the same node as in the whole
  dataset);

all measured in the metric CRS of the whole dataset.  (The nearest node is the
same as in the whole dataset up to exact ties in distance, which a k-d tree may
break either way: with real coordinates they do not occur.)  It then does what
:func:`analysis.kpis.prepare_kpis` does for its own villages and returns
additive sums per village (:func:`analysis.grid.grid_sums`,
:func:`analysis.service.service_sums`, :func:`analysis.walk.walk_sums`) plus
one row, labelled :data:`OUTSIDE`, for the grids and walking units of the
batch that lie in no village (they count in the whole-dataset figures only).

Problems of the batch's own rows are raised as :class:`PartitionProblems`
(layer, field and the source's row); neighbours' rows are checked by their
own batch.

>>> expanded((0.0, 0.0, 1000.0, 1000.0), 500.0, "EPSG:32650", "EPSG:32650")
(-510.0, -510.0, 1510.0, 1510.0)
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from analysis import grid, service, walk
from geo import schema as s
from geo.crs import to_metric
from geo.partitioned import NO_AREA, Manifest, check_partition, read_files

OUTSIDE = ""               # the label of what lies in no village (no village code is empty)
ALL_SUMS = ([f"grid.{k}" for k in grid.SUM_KEYS] + [f"service.{k}" for k in service.SUM_KEYS]
            + ["walk.unit_population", "walk.reached_population"])
AREA_COLUMNS = [s.COUNTY_CODE, s.TOWNSHIP_CODE]
_MARGIN = 0.01             # of the box's size, beside 100 m: transformed bounds are not exact


class PartitionProblems(ValueError):
    """Errors found in a partition's rows; ``problems`` as :class:`geo.problems.Problem`."""

    def __init__(self, problems):
        super().__init__(list(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class BatchContext:
    """What every batch task needs besides its villages (sent with each task).

    ``grids``, ``sites``, ``walk``: the dataset has grids, sites, a walking
    network (else those figures are ``None`` and not computed).  Distances m,
    households of a standard unit grid.
    """

    manifest: Manifest
    service_radius_m: float
    walk_minutes: float
    walk_speed_kmh: float
    min_households: int
    max_households: int
    grids: bool
    sites: bool
    walk: bool

    @property
    def walk_m(self) -> float:
        return walk.walk_budget_m(self.walk_minutes, self.walk_speed_kmh)


@lru_cache(maxsize=8)
def _transformers(crs: str, metric: str):
    return (pyproj.Transformer.from_crs(crs, metric, always_xy=True),
            pyproj.Transformer.from_crs(metric, crs, always_xy=True))


def expanded(box, metres: float, crs: str, metric: str) -> tuple:
    """``box`` (dataset CRS) grown by ``metres`` in the metric CRS, back in the dataset
    CRS, with a margin (1 % of the box and 100 m) for the bent edges of projections."""
    there, back = _transformers(str(crs), str(metric))
    x0, y0, x1, y1 = there.transform_bounds(*box, densify_pts=21)
    grow = metres + _MARGIN * max(x1 - x0, y1 - y0) + (0.0 if crs == metric else 100.0)
    return tuple(float(v) for v in back.transform_bounds(x0 - grow, y0 - grow, x1 + grow,
                                                          y1 + grow, densify_pts=21))


def _boxes(manifest: Manifest, layer: str, keys) -> np.ndarray:
    """Bounds (dataset CRS) of ``layer`` per partition of ``keys`` that has it, (k, 4)."""
    wanted = set(keys)
    found = [p.bounds.get(layer) for p in manifest.partitions if p.key in wanted]
    return np.array([b for b in found if b is not None], dtype=float).reshape(-1, 4)


def _grown(boxes: np.ndarray, metres: float, context: BatchContext) -> np.ndarray:
    m = context.manifest
    return np.array([expanded(tuple(b), metres, m.crs, m.metric_crs) for b in boxes],
                    dtype=float).reshape(-1, 4)


def _windows(bounds: np.ndarray, boxes: np.ndarray) -> dict:
    """``{i: window}``: for every bounds ``i`` that meets some of ``boxes``, the bounding
    box of those it meets (a spatial index over the bounds, not an n × k table)."""
    if not len(bounds) or not len(boxes):
        return {}
    hit, part = shapely.STRtree(shapely.box(*bounds.T)).query(shapely.box(*boxes.T),
                                                               predicate="intersects")
    if not len(part):
        return {}
    order = np.argsort(part, kind="stable")
    part, near = part[order], boxes[hit[order]]
    starts = np.flatnonzero(np.r_[True, part[1:] != part[:-1]])
    low = np.minimum.reduceat(near[:, :2], starts)
    high = np.maximum.reduceat(near[:, 2:], starts)
    return {int(i): (*lo, *hi) for i, lo, hi in zip(part[starts], low, high)}


def _checked(layer: str, frame, strict: bool):
    typed, problems = check_partition(layer, frame)
    errors = [p for p in problems if p.is_error]
    if strict and errors:
        raise PartitionProblems(errors)
    return typed


def _own(context: BatchContext, layer: str, keys):
    """The rows of ``layer`` stored in the batch's partitions, typed and checked."""
    m = context.manifest
    frame = read_files(m, layer, m.files(layer, keys))
    return _checked(layer, frame, True) if len(frame) else frame


def _halo(context: BatchContext, layer: str, core: set, boxes: np.ndarray, shapes=None):
    """The rows of ``layer`` of the other partitions that meet ``boxes`` (dataset CRS),
    or, with ``shapes``, those geometries: each neighbour's file is read in the window
    of the boxes it meets only.  Typed; their problems are their own tasks' to report."""
    m = context.manifest
    parts = [p for p in m.partitions if p.key not in core and p.bounds.get(layer) is not None]
    bounds = np.array([p.bounds[layer] for p in parts], dtype=float).reshape(-1, 4)
    frames = [read_files(m, layer, m.files(layer, [parts[i].key]), bbox=window)
              for i, window in sorted(_windows(bounds, boxes).items())]
    frame = (pd.concat(frames, ignore_index=True) if len(frames) > 1
             else frames[0] if frames else read_files(m, layer, []))
    if not len(frame):
        return frame
    near = shapely.box(*boxes.T) if shapes is None else np.asarray(shapes, dtype=object)
    rows = np.unique(shapely.STRtree(near).query(np.asarray(frame.geometry.array, dtype=object),
                                                 predicate="intersects")[0])
    frame = gpd.GeoDataFrame(frame.iloc[rows].reset_index(drop=True), crs=frame.crs)
    return _checked(layer, frame, False)


def batch_keys(villages: pd.DataFrame) -> list[str]:
    """The partition keys of a batch's villages (their county codes, ``_`` for none)."""
    codes = villages[s.COUNTY_CODE].astype(object)
    return sorted({NO_AREA if c is None or pd.isna(c) or not str(c).strip() else str(c)
                   for c in codes})


def batch_sums(villages: gpd.GeoDataFrame, context: BatchContext) -> pd.DataFrame:
    """Per-village sums of one batch (its villages as read from their partitions).

    Returns
    -------
    DataFrame
        Index ``village_code`` (and :data:`OUTSIDE` for what lies in no village);
        columns :data:`AREA_COLUMNS` then :data:`ALL_SUMS` (counts, m², persons).
    """
    meta = empty_sums()
    if not len(villages):
        return meta
    m = context.manifest
    villages = _checked(s.VILLAGES, villages.reset_index(drop=True), True)
    keys = batch_keys(villages)
    core = set(keys)
    grids = _own(context, s.GRIDS, keys) if context.grids else None
    # where the batch's own units lie, county by county (a batch may be two regions)
    own = np.concatenate([_boxes(m, s.VILLAGES, keys), _boxes(m, s.GRIDS, keys)])
    crs = m.metric_crs
    codes = villages[s.VILLAGE_CODE].to_numpy(dtype=object)
    labels, groups = codes, pd.Index(codes, dtype=object).append(pd.Index([OUTSIDE], dtype=object))
    parts = []
    placement = None
    if context.grids:
        positions = pd.Index(codes).get_indexer(grids["_village"].astype(object))
        placement = (positions, grids["_orphan"].to_numpy(dtype=bool))
        areas = _grid_areas(context, villages, grids, keys, core, crs)
        at = np.where(positions >= 0, codes[np.maximum(positions, 0)], OUTSIDE)
        parts.append(grid.grid_sums(grids, at, placement[1], areas, labels, groups,
                                    context.min_households, context.max_households)
                     .add_prefix("grid."))
    if context.sites or context.walk:
        reach_m = max(context.service_radius_m, context.walk_m if context.walk else 0.0)
        sites = _concat(_own(context, s.SERVICE_SITES, keys),
                        _halo(context, s.SERVICE_SITES, core, _grown(own, reach_m, context)))
    if context.sites:
        reach = service.site_reach(villages, sites, context.service_radius_m, crs)
        parts.append(service.service_sums(villages, reach, labels, groups).add_prefix("service."))
    if context.walk:
        roads = _concat(_own(context, s.ROADS, keys),
                        _halo(context, s.ROADS, core, _grown(own, 2 * context.walk_m, context)))
        units = _walk_units(context, villages, sites, roads, grids, placement, crs)
        at = units["village"].to_numpy()
        at = np.where(at >= 0, codes[np.maximum(at, 0)], OUTSIDE)
        parts.append(walk.walk_sums(units, at, groups).add_prefix("walk."))
    out = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=groups)
    area = villages.set_index(s.VILLAGE_CODE)[AREA_COLUMNS].astype(object)
    out = out.join(area).reindex(columns=meta.columns)
    out.index.name = s.VILLAGE_CODE
    return out


def _concat(a, b):
    frames = [f for f in (a, b) if f is not None and len(f)]
    if not frames:
        return a
    out = pd.concat(frames, ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=frames[0].crs)


def _grid_areas(context, villages, grids, keys, core, crs) -> pd.DataFrame:
    """:func:`analysis.grid.grid_village_areas` of the batch's villages, with the
    neighbours' unit grids that reach into them and the villages around the grids
    (a grid's home village decides how it counts)."""
    halo = _halo(context, s.GRIDS, core, _boxes(context.manifest, s.VILLAGES, keys),
                 villages.geometry.array)
    if len(halo):
        halo = halo[(halo[s.LEVEL] == s.GRID_LEVEL_L4).fillna(False).to_numpy(dtype=bool)]
    unit = _concat(grids, halo)
    shapes = unit.geometry.array if len(unit) else []
    around = _halo(context, s.VILLAGES, core, _rows_boxes(unit), shapes) if len(unit) else None
    every = _concat(villages, around)
    areas = grid.grid_village_areas(to_metric(every[[every.geometry.name]], crs), unit, crs)
    return areas.iloc[:len(villages)].set_axis(villages.index)


def _rows_boxes(frame) -> np.ndarray:
    return np.asarray(frame.geometry.bounds, dtype=float).reshape(-1, 4)


def _walk_units(context, villages, sites, roads, grids, placement, crs) -> pd.DataFrame:
    """:func:`analysis.walk.walk_units` of the batch; unreached units when no road or
    site of the batch's surroundings remains (the dataset has both)."""
    units = walk.walk_units(villages, sites, roads, grids, context.walk_minutes,
                            context.walk_speed_kmh, crs, placement)
    if units is None:
        units = walk.population_units(villages, grids, crs, placement).assign(reached=False)
    return units


def empty_sums() -> pd.DataFrame:
    """The (empty) frame of :func:`batch_sums`: the engine's meta for dask."""
    columns = {c: pd.Series(dtype=object) for c in AREA_COLUMNS}
    columns |= {c: pd.Series(dtype=float) for c in ALL_SUMS}
    return pd.DataFrame(columns, index=pd.Index([], dtype=object, name=s.VILLAGE_CODE))
