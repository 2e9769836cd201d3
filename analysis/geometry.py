"""Vectorised, threaded geometry helpers for the topic modules (metric CRS).

Shapely's vectorised functions release the GIL; these helpers cut the work
into slices for threads and group geometries by *owner* (a village) so that
per-village unions run as a few batched calls instead of a Python loop.
Areas are in the units of the geometries' CRS (m² in a metric CRS).

>>> boxes = np.array([shapely.box(0, 0, 2, 1), shapely.box(1, 0, 3, 1)])
>>> union_area_by(boxes, np.array([0, 0]), 1).tolist()
[3.0]
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

_MIN_CHUNK = 2000          # items per thread before threads pay off


def threaded(func, *arrays, min_chunk: int = _MIN_CHUNK, **kwargs) -> np.ndarray:
    """``func(*arrays, **kwargs)`` on slices of the arrays in parallel threads.

    Shapely's vectorised functions release the GIL, so this uses every core
    for inputs of at least ``min_chunk`` items per thread; array arguments
    are sliced, other arguments passed as they are; results are concatenated
    in order.

    >>> threaded(shapely.area, np.array([shapely.box(0, 0, 1, 2)])).tolist()
    [2.0]
    """
    sliced = [isinstance(a, np.ndarray) for a in arrays]
    n = len(arrays[sliced.index(True)])
    workers = min(os.cpu_count() or 1, 8, n // max(min_chunk, 1))
    if workers <= 1:
        return func(*arrays, **kwargs)
    cuts = np.linspace(0, n, workers + 1).astype(int)

    def run(lo: int, hi: int):
        return func(*(a[lo:hi] if cut else a for a, cut in zip(arrays, sliced)), **kwargs)

    with ThreadPoolExecutor(workers) as pool:
        parts = list(pool.map(run, cuts[:-1], cuts[1:]))
    return np.concatenate(parts)


def union_by(geoms: np.ndarray, owner: np.ndarray, size: int) -> np.ndarray:
    """The union of the geometries of each owner ``0 … size-1`` (None for none).

    Owners with one geometry keep it as it is; the others are unioned in
    batches of owners with equally many geometries (vectorised, threaded).

    >>> boxes = np.array([shapely.box(0, 0, 2, 1), shapely.box(1, 0, 3, 1),
    ...                   shapely.box(5, 5, 6, 6)])
    >>> shapely.area(union_by(boxes, np.array([0, 0, 2]), 3)).tolist()
    [3.0, nan, 1.0]
    """
    out = np.full(size, None, dtype=object)
    if not len(geoms):
        return out
    order = np.argsort(owner, kind="stable")
    owner, geoms = owner[order], geoms[order]
    counts = np.bincount(owner, minlength=size)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    for k in np.unique(counts[counts > 0]):
        who = np.flatnonzero(counts == k)
        batch = geoms[starts[who][:, None] + np.arange(k)[None, :]]
        out[who] = batch[:, 0] if k == 1 else threaded(shapely.union_all, batch, axis=1,
                                                       min_chunk=max(2, 400 // k))
    return out


def union_area_by(geoms: np.ndarray, owner: np.ndarray, size: int) -> np.ndarray:
    """Area of :func:`union_by` per owner, 0 for an owner without geometry (CRS units²).

    >>> boxes = np.array([shapely.box(0, 0, 2, 1), shapely.box(1, 0, 3, 1),
    ...                   shapely.box(5, 5, 6, 6)])
    >>> union_area_by(boxes, np.array([0, 0, 2]), 3).tolist()
    [3.0, 0.0, 1.0]
    """
    return np.nan_to_num(shapely.area(union_by(geoms, owner, size)))


def tiles_without_overlap(geoms: np.ndarray, owner: np.ndarray, size: int) -> np.ndarray:
    """Per owner: its geometries form a valid coverage (no overlap, matching edges).

    Each owner's geometries are first moved to a cell of their own, far from
    the others', so that only an owner's own geometries are compared (a
    T-junction with a neighbour's grid does not count).  Adding one offset to
    equal coordinates keeps them equal, so matching edges stay matched.
    An owner without geometry is reported as tiling (there is nothing to
    overlap); one with invalid edges as not.

    >>> cells = np.array([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1),      # owner 0 tiles
    ...                   shapely.box(0, 1, 2, 2),                               # owner 1 alone
    ...                   shapely.box(3, 0, 4, 1), shapely.box(3.5, 0, 5, 1)])   # owner 2 overlaps
    >>> tiles_without_overlap(cells, np.array([0, 0, 1, 2, 2]), 4).tolist()
    [True, True, False, True]
    """
    ok = np.ones(size, dtype=bool)
    if not len(geoms):
        return ok
    order = np.argsort(owner, kind="stable")
    owner, geoms = owner[order], geoms[order]
    lo = np.full((size, 2), np.inf)
    hi = np.full((size, 2), -np.inf)
    bounds = shapely.bounds(geoms)
    np.minimum.at(lo, owner, bounds[:, :2])
    np.maximum.at(hi, owner, bounds[:, 2:])
    cell = float(np.max(hi[owner] - lo[owner])) * 2 + 1.0
    columns = int(np.ceil(np.sqrt(size)))
    target = np.stack([np.arange(size) % columns, np.arange(size) // columns], axis=1) * cell
    shift = np.repeat((target - np.where(np.isfinite(lo), lo, 0.0))[owner],
                      shapely.get_num_coordinates(geoms), axis=0)
    moved = shapely.transform(geoms, lambda xy: xy + shift)
    groups = [g for g in np.array_split(np.unique(owner), 2 * (os.cpu_count() or 1)) if len(g)]
    cuts = [int(np.searchsorted(owner, g[0])) for g in groups] + [len(owner)]

    def invalid(a: int, b: int) -> np.ndarray:
        return ~shapely.is_empty(shapely.coverage_invalid_edges(moved[a:b]))

    with ThreadPoolExecutor(max(1, os.cpu_count() or 1)) as pool:
        bad = np.concatenate(list(pool.map(invalid, cuts[:-1], cuts[1:])))
    ok[np.unique(owner[bad])] = False
    return ok
