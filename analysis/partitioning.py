"""Which county partition each row of a dataset belongs to, and writing the partitions.

The partitioned format itself is :mod:`geo.partitioned`; this module decides
where rows go, with the rules of the figures, so that every partition holds
what its villages' figures count:

* a village in its county (``_`` without ``county_code``);
* an income row with its village (``_`` for an unknown village);
* a grid where it counts (:func:`analysis.grid.grid_placement`: its village by
  the chain of parents, else the village containing it); a grid in no village
  goes with the nearest village, marked as counting in no village;
* a service site with the village that contains it, else the nearest one;
* a road with the village nearest its representative point.

Grids carry ``_village`` (the code of the village where they count, empty
when none) and ``_orphan`` (:func:`analysis.grid.grid_placement`), so that a
partition places its grids as the whole dataset does.  Neighbours' rows that
a figure needs (a service disc or a walk across a county border, a grid
crossing a village border) are read from the neighbouring partitions at
compute time (:mod:`analysis.partition_task`).

>>> import geopandas as gpd, shapely
>>> v = gpd.GeoDataFrame({"county_code": ["350481", None]}, crs="EPSG:32650",
...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
>>> village_keys(v).tolist()
['350481', '_']
>>> sites = gpd.GeoDataFrame(geometry=[shapely.Point(15, 5), shapely.Point(-3, 5)], crs=v.crs)
>>> point_keys(v, village_keys(v), sites.geometry).tolist()
['_', '350481']
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from analysis.grid import grid_placement
from geo import schema as s
from geo.crs import metric_crs
from geo.partitioned import NO_AREA, ROW, Manifest, PartitionWriter, province_of

VILLAGE, ORPHAN = "_village", "_orphan"     # private columns of the grids


def village_keys(villages) -> np.ndarray:
    """The partition key of each village: its county code, ``_`` when it has none."""
    codes = villages[s.COUNTY_CODE].astype(object)
    return np.array([NO_AREA if c is None or pd.isna(c) or not str(c).strip() else str(c)
                     for c in codes], dtype=object)


def point_keys(villages, keys: np.ndarray, geoms) -> np.ndarray:
    """The key of the village containing each geometry's representative point, else
    of the nearest village (``_`` for an empty geometry or without villages)."""
    points = shapely.point_on_surface(np.asarray(geoms.array, dtype=object))
    out = np.full(len(points), NO_AREA, dtype=object)
    present = ~(shapely.is_missing(points) | shapely.is_empty(points))
    if not len(villages) or not present.any():
        return out
    tree = shapely.STRtree(np.asarray(villages.geometry.array, dtype=object))
    where = np.flatnonzero(present)
    found = np.full(len(where), -1, dtype=np.int64)
    inp, hit = tree.query(points[where], predicate="intersects")
    first = np.unique(inp, return_index=True)[1]
    found[inp[first]] = hit[first]
    lost = found < 0
    if lost.any():
        found[lost] = tree.nearest(points[where[lost]])
    out[where] = keys[found]
    return out


def row_keys(dataset) -> dict:
    """The partition key of every row, per partitioned layer (``{layer: array}``), and
    the grids' private columns (``"grid_columns"``: ``{_village, _orphan}``)."""
    villages = dataset.villages
    keys = village_keys(villages)
    by_code = pd.Series(keys, index=villages[s.VILLAGE_CODE].to_numpy())
    out = {s.VILLAGES: keys}
    income = dataset.village_income
    out[s.VILLAGE_INCOME] = (income[s.VILLAGE_CODE].map(by_code).fillna(NO_AREA)
                             .to_numpy(dtype=object))
    grids = dataset.grids
    if len(grids):
        positions, orphan = grid_placement(villages, grids)
        placed = positions >= 0
        grid_keys = point_keys(villages, keys, grids.geometry)
        grid_keys[placed] = keys[positions[placed]]
        codes = villages[s.VILLAGE_CODE].to_numpy(dtype=object)
        out[s.GRIDS] = grid_keys
        out["grid_columns"] = {VILLAGE: np.where(placed, codes[np.maximum(positions, 0)], None),
                               ORPHAN: orphan}
    else:
        out[s.GRIDS] = np.zeros(0, dtype=object)
        out["grid_columns"] = {VILLAGE: np.zeros(0, dtype=object), ORPHAN: np.zeros(0, bool)}
    for layer in (s.SERVICE_SITES, s.ROADS):
        frame = dataset.layers[layer]
        out[layer] = (point_keys(villages, keys, frame.geometry) if len(frame)
                      else np.zeros(0, dtype=object))
    return out


def export_partitioned(dataset, root, info: dict | None = None) -> Manifest:
    """Write ``dataset`` (a validated :class:`geo.dataset.Dataset`) as a partitioned
    dataset in the new folder ``root`` (:mod:`geo.partitioned`).

    Returns
    -------
    geo.partitioned.Manifest

    Raises
    ------
    ValueError
        When ``root`` exists and is not empty.
    """
    writer = PartitionWriter(root)
    keys = row_keys(dataset)
    extra = {s.GRIDS: keys.pop("grid_columns")}
    layers = {}
    for layer in (s.VILLAGES, s.VILLAGE_INCOME, s.GRIDS, s.SERVICE_SITES, s.ROADS):
        if layer not in dataset.present:
            continue
        frame = dataset.layers[layer]
        layers[layer] = frame.assign(**{ROW: np.arange(1, len(frame) + 1)},
                                     **extra.get(layer, {}))
    provinces = {key: province_of(county) for key, county in
                 zip(keys[s.VILLAGES], dataset.villages[s.COUNTY_CODE])}
    positions = {layer: pd.Series(np.arange(len(keys[layer]))).groupby(keys[layer]).indices
                 if len(keys[layer]) else {} for layer in layers}
    for key in sorted(set().union(*(p.keys() for p in positions.values()))):
        writer.write(key, provinces.get(key, NO_AREA),
                     {layer: frame.iloc[positions[layer][key]] for layer, frame in layers.items()
                      if key in positions[layer]})
    writer.write_tables({layer: dataset.layers[layer] for layer in (s.JOINT_ORGS, s.JOINT_MEMBERS)
                         if layer in dataset.present})
    columns = {layer: list(frame.columns) for layer, frame in layers.items()}
    return writer.finish(dataset.villages.crs, metric_crs(dataset.villages), dataset.present,
                         columns, info)
