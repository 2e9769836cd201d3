"""Synthetic datasets of any size for timing the analysis (not demo data).

Villages tile a square-ish lattice; every side between two lattice nodes is a
jittered polyline shared by both neighbours (30 segments, so a village has
120 vertices, close to the ~104 of PERFORMANCE.md), which keeps the villages a
valid coverage.  Each village is cut into ``cols × rows`` unit grids (level 4)
whose outer sides follow the village boundary; a few unit grids are dropped
(gaps), enlarged (overlaps) or given a parent that does not exist (orphans).
Each village has one level-3 grid, a service centre and, for half of them, a
second station; groups of four neighbouring villages form an organisation.

Everything is built with numpy in an Albers equal-area CRS (metres) and
transformed to EPSG:4490 at the end, as real data would arrive.

>>> layers = make_layers(6, seed=1)
>>> len(layers["villages"]), len(layers["grids"]) > 6, layers["villages"].crs.to_epsg()
(6, True, 4490)
"""
from __future__ import annotations

import argparse
import logging
import math
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import schema as s

log = logging.getLogger(__name__)

GENERATION_CRS = "+proj=aea +lat_0=30 +lon_0=110 +lat_1=25 +lat_2=47 +ellps=GRS80 +units=m +no_defs"
STORED_CRS = "EPSG:4490"
SIDE_M = 3000.0          # village side, m (≈ 9 km², Sanming averages ≈ 12 km²)
SEGMENTS = 30            # segments per village side
JITTER = 0.03            # jitter amplitude as a share of the side
YEARS = range(2019, 2024)


def _lattice(n: int) -> tuple[int, int]:
    nx = max(1, math.ceil(math.sqrt(n)))
    return nx, math.ceil(n / nx)


def _split(grids_per_village: int) -> tuple[int, int]:
    """``cols × rows`` with both dividing SEGMENTS and the product closest to the ask."""
    divisors = [d for d in range(1, SEGMENTS + 1) if SEGMENTS % d == 0]
    pairs = [(a, b) for a in divisors for b in divisors if a <= b]
    return min(pairs, key=lambda p: (abs(p[0] * p[1] - grids_per_village), p[1] - p[0]))


class _Geometry:
    """Coordinates of villages and their sub-cells, vectorised over villages."""

    def __init__(self, n: int, rng: np.random.Generator):
        nx, ny = _lattice(n)
        idx = np.arange(n)
        self.i, self.j = idx % nx, idx // nx
        amp = JITTER * SIDE_M
        k = SEGMENTS + 1
        self.h = rng.uniform(-amp, amp, (nx, ny + 1, k))      # y offsets of horizontal sides
        self.v = rng.uniform(-amp, amp, (nx + 1, ny, k))      # x offsets of vertical sides
        self.h[..., [0, -1]] = 0.0
        self.v[..., [0, -1]] = 0.0
        self.x0 = self.i * SIDE_M - nx * SIDE_M / 2
        self.y0 = self.j * SIDE_M - ny * SIDE_M / 2
        self.t = np.linspace(0.0, SIDE_M, k)

    def subset(self, idx: np.ndarray) -> "_Geometry":
        """The same lattice (shared sides) restricted to the villages ``idx``."""
        part = object.__new__(_Geometry)
        part.__dict__.update(self.__dict__)
        part.i, part.j, part.x0, part.y0 = self.i[idx], self.j[idx], self.x0[idx], self.y0[idx]
        return part

    def side(self, which: str, k0: int, k1: int) -> np.ndarray:
        """Points ``k0..k1`` (inclusive) of a village side, shape (n, m, 2)."""
        ks = np.arange(k0, k1 + 1)
        t = self.t[ks][None, :]
        if which in ("bottom", "top"):
            jj = self.j + (which == "top")
            x = self.x0[:, None] + t
            y = (self.y0 + SIDE_M * (which == "top"))[:, None] + self.h[self.i, jj][:, ks]
        else:
            ii = self.i + (which == "right")
            x = (self.x0 + SIDE_M * (which == "right"))[:, None] + self.v[ii, self.j][:, ks]
            y = self.y0[:, None] + t
        return np.stack([x, y], axis=-1)

    def village_rings(self) -> np.ndarray:
        m = SEGMENTS
        parts = [self.side("bottom", 0, m)[:, :-1], self.side("right", 0, m)[:, :-1],
                 self.side("top", 0, m)[:, ::-1][:, :-1], self.side("left", 0, m)[:, ::-1]]
        return np.concatenate(parts, axis=1)

    def _node(self, c, r, cols, rows):
        m = SEGMENTS
        if r == 0:
            return self.side("bottom", c * m // cols, c * m // cols)[:, 0]
        if r == rows:
            return self.side("top", c * m // cols, c * m // cols)[:, 0]
        if c == 0:
            return self.side("left", r * m // rows, r * m // rows)[:, 0]
        if c == cols:
            return self.side("right", r * m // rows, r * m // rows)[:, 0]
        return np.stack([self.x0 + SIDE_M * c / cols, self.y0 + SIDE_M * r / rows], axis=-1)

    def cell_ring(self, c: int, r: int, cols: int, rows: int) -> np.ndarray:
        """Ring of sub-cell (c, r), following the village sides where it touches them."""
        m = SEGMENTS
        node = lambda cc, rr: self._node(cc, rr, cols, rows)[:, None]  # noqa: E731
        cx0, cx1 = c * m // cols, (c + 1) * m // cols
        ry0, ry1 = r * m // rows, (r + 1) * m // rows
        bottom = self.side("bottom", cx0, cx1) if r == 0 else np.concatenate(
            [node(c, r), node(c + 1, r)], axis=1)
        right = self.side("right", ry0, ry1) if c + 1 == cols else np.concatenate(
            [node(c + 1, r), node(c + 1, r + 1)], axis=1)
        top = (self.side("top", cx0, cx1) if r + 1 == rows else np.concatenate(
            [node(c, r + 1), node(c + 1, r + 1)], axis=1))[:, ::-1]
        left = (self.side("left", ry0, ry1) if c == 0 else np.concatenate(
            [node(c, r), node(c, r + 1)], axis=1))[:, ::-1]
        return np.concatenate([bottom[:, :-1], right[:, :-1], top[:, :-1], left], axis=1)


def _codes(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    idx = np.arange(n)
    county, township = idx // 150, idx // 12
    village = np.char.add(np.char.add(
        np.char.add("35", np.char.zfill((county + 1).astype(str), 4)),
        np.char.zfill((township % 13 + 1).astype(str), 3)),
        np.char.zfill((idx % 12 + 1).astype(str), 3))
    return village, np.array([v[:9] for v in village]), np.array([v[:6] for v in village])


def make_layers(n_villages: int, grids_per_village: int = 10, seed: int = 0) -> dict:
    """The six layers of SPEC §2 for ``n_villages`` villages, in EPSG:4490.

    Parameters
    ----------
    n_villages : int
        Number of villages and communities (about 10 % communities).
    grids_per_village : int
        Level-4 grids per village (rounded to a ``cols × rows`` split).
    seed : int
        Seed of the random generator; the same seed gives the same layers.
    """
    rng = np.random.default_rng(seed)
    geom = _Geometry(n_villages, rng)
    return layers_of(geom, *_codes(n_villages), grids_per_village, rng)


def layers_of(geom: _Geometry, codes, township_codes, county_codes, grids_per_village: int,
              rng: np.random.Generator) -> dict:
    """The layers of the villages of ``geom`` (all of a lattice, or :meth:`_Geometry.subset`
    of whole lattice rows) with the given codes; see :func:`make_layers`."""
    n = len(codes)
    households = rng.integers(150, 1500, n)
    villages = gpd.GeoDataFrame({
        s.VILLAGE_CODE: codes,
        s.NAME: np.char.add("村", codes),
        s.TOWNSHIP_CODE: township_codes,
        s.TOWNSHIP: np.char.add("镇", township_codes),
        s.COUNTY_CODE: county_codes,
        s.COUNTY: np.char.add("县", county_codes),
        s.KIND: np.where(rng.random(n) < 0.1, s.KIND_COMMUNITY, s.KIND_VILLAGE),
        s.HOUSEHOLDS: households,
        s.POPULATION: (households * rng.uniform(2.8, 3.6, n)).astype(int),
        s.PARTY_MEMBERS: rng.integers(10, 120, n),
        s.STAR_RATING: pd.array(np.where(rng.random(n) < 0.05, None,
                                         rng.choice(6, n, p=[.05, .1, .2, .25, .34, .06])),
                                dtype="Int64"),
        s.WEAK_ORG: rng.random(n) < 0.03,
        s.RECTIFIED: rng.random(n) < 0.85,
    }, geometry=shapely.polygons(geom.village_rings()), crs=GENERATION_CRS)
    villages[s.RECTIFIED] &= villages[s.WEAK_ORG]

    grids = _grids(geom, codes, grids_per_village, rng)
    sites = _sites(geom, codes, rng)
    orgs, members = _orgs(n, codes, geom)
    income = _income(codes, rng)
    return {
        s.VILLAGES: villages.to_crs(STORED_CRS),
        s.VILLAGE_INCOME: income,
        s.JOINT_ORGS: orgs,
        s.JOINT_MEMBERS: members,
        s.GRIDS: grids.to_crs(STORED_CRS),
        s.SERVICE_SITES: sites.to_crs(STORED_CRS),
    }


def _grids(geom: _Geometry, codes, grids_per_village: int, rng) -> gpd.GeoDataFrame:
    n = len(codes)
    cols, rows = _split(grids_per_village)
    rings, parent, number = [], [], []
    for c in range(cols):
        for r in range(rows):
            ring = geom.cell_ring(c, r, cols, rows)
            grow = rng.random(n) < 0.01                          # overlapping neighbours
            centre = ring.mean(axis=1, keepdims=True)
            ring = np.where(grow[:, None, None], centre + 1.06 * (ring - centre), ring)
            keep = rng.random(n) >= 0.01                         # gaps
            rings.append(shapely.polygons(ring[keep]))
            parent.append(np.char.add(codes[keep], "-3"))
            number.append(np.full(keep.sum(), c * rows + r + 1))
    l4_geom = np.concatenate(rings)
    l3_code = np.concatenate(parent)
    l4_code = np.char.add(np.char.add(l3_code, "-"), np.concatenate(number).astype(str))
    orphan = rng.random(len(l4_geom)) < 0.001
    l4_parent = np.where(orphan, "missing", l3_code)
    m = len(l4_geom)
    hh = rng.integers(60, 140, m)
    l4 = pd.DataFrame({
        s.GRID_CODE: l4_code, s.NAME: np.char.add("网格", l4_code), s.LEVEL: 4,
        s.PARENT_CODE: l4_parent, s.HOUSEHOLDS: hh, s.POPULATION: (hh * 3.2).astype(int),
        s.PARTY_MEMBERS: rng.integers(0, 20, m), s.PARTY_BRANCH: rng.random(m) < 0.3,
        s.MANAGER: np.where(rng.random(m) < 0.9, "网格员", None)})
    l3 = pd.DataFrame({
        s.GRID_CODE: np.char.add(codes, "-3"), s.NAME: np.char.add("片区", codes), s.LEVEL: 3,
        s.PARENT_CODE: codes, s.HOUSEHOLDS: rng.integers(500, 1500, n),
        s.POPULATION: rng.integers(1500, 4500, n), s.PARTY_MEMBERS: rng.integers(10, 90, n),
        s.PARTY_BRANCH: rng.random(n) < 0.95, s.MANAGER: "片长"})
    frame = pd.concat([l3, l4], ignore_index=True)
    geometry = np.concatenate([shapely.polygons(geom.village_rings()), l4_geom])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=GENERATION_CRS)


def _sites(geom: _Geometry, codes, rng) -> gpd.GeoDataFrame:
    n = len(codes)
    centre = np.stack([geom.x0 + SIDE_M / 2, geom.y0 + SIDE_M / 2], axis=-1)
    extra = rng.random(n) < 0.5
    corner = np.stack([geom.x0, geom.y0], axis=-1)[extra]
    other = corner + rng.uniform(0.15, 0.85, (extra.sum(), 2)) * SIDE_M
    xy = np.concatenate([centre, other])
    site_village = np.concatenate([codes, codes[extra]])
    m = len(xy)
    return gpd.GeoDataFrame({
        s.SITE_ID: np.char.add("S", np.arange(m).astype(str)),
        s.NAME: np.char.add("阵地", np.arange(m).astype(str)),
        s.SITE_TYPE: np.where(np.arange(m) < n, "center", "station"),
        s.VILLAGE_CODE: site_village,
    }, geometry=shapely.points(xy), crs=GENERATION_CRS)


def _orgs(n: int, codes, geom: _Geometry) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of four horizontally adjacent villages, every other block."""
    block = geom.i // 4 + geom.j * 10_000_000
    start = (geom.i % 4 == 0) & ((geom.i // 4 + geom.j) % 2 == 0)
    member = np.isin(block, block[start])
    org_of = np.char.add("ORG", block.astype(str))
    orgs = pd.DataFrame({s.ORG_ID: org_of[start], s.NAME: np.char.add("联村党委", org_of[start]),
                         s.ORG_TYPE: "strong_weak", s.LEAD_VILLAGE_CODE: codes[start],
                         s.FOUNDED_YEAR: 2020, s.PROJECTS: 3})
    members = pd.DataFrame({s.ORG_ID: org_of[member], s.VILLAGE_CODE: codes[member],
                            s.JOINED_YEAR: 2020})
    return orgs, members


def _income(codes, rng) -> pd.DataFrame:
    n = len(codes)
    base = rng.lognormal(math.log(15), 0.6, n)
    growth = rng.uniform(0.02, 0.15, n)
    years = np.array(list(YEARS))
    values = base[:, None] * (1 + growth[:, None]) ** (years - years[0])[None, :]
    keep = rng.random(values.shape) >= 0.01
    vi, yi = np.nonzero(keep)
    return pd.DataFrame({s.VILLAGE_CODE: codes[vi], s.YEAR: years[yi],
                         s.COLLECTIVE_INCOME: np.round(values[vi, yi], 2)})


def write_gpkg(layers: dict, path: str | Path) -> Path:
    """Write the layers into a new GeoPackage at ``path`` (overwritten)."""
    path = Path(path)
    path.unlink(missing_ok=True)
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG",
                                append=path.exists())
    return path


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="写出合成数据集（用于性能测试）")
    parser.add_argument("villages", type=int)
    parser.add_argument("out")
    parser.add_argument("--grids-per-village", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    t0 = time.perf_counter()
    layers = make_layers(args.villages, args.grids_per_village, args.seed)
    t1 = time.perf_counter()
    write_gpkg(layers, args.out)
    log.info("generated %d villages, %d grids in %.1f s, written in %.1f s",
             len(layers[s.VILLAGES]), len(layers[s.GRIDS]), t1 - t0, time.perf_counter() - t1)


if __name__ == "__main__":
    main()
