"""Service sites: 党群服务中心, 近邻之家 and 驿站 inside the synthetic villages.

A 党群服务中心 stands in about 97 % of villages and communities; the 近邻之家
are spread in proportion to households, weighted 25 to 1 towards
communities; a few 驿站 stand in villages.  Points are in metres.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from data.demo_geometry import points_in
from data.demo_names import stem
from geo import schema as s

CENTER, NEIGHBOR, STATION = "center", "neighbor_station", "station"
_COMMUNITY_WEIGHT = 25.0


def _site_name(unit_name: str, site_type: str, k: int, of: int) -> str:
    if site_type == CENTER:
        return f"{unit_name}{s.SITE_TYPES[CENTER]}"
    if site_type == STATION:
        return f"{stem(unit_name)}党群{s.SITE_TYPES[STATION]}"
    return f"{unit_name}{s.SITE_TYPES[NEIGHBOR]}" + (f"（第{k}站）" if of > 1 else "")


def build_sites(units: gpd.GeoDataFrame, center_share: float, neighbor_stations: int,
                stations: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """The ``service_sites`` layer for ``units`` (GeoDataFrame in a metric CRS)."""
    n = len(units)
    community = (units[s.KIND] == s.KIND_COMMUNITY).to_numpy()
    counts = {CENTER: np.zeros(n, dtype=int), NEIGHBOR: None, STATION: np.zeros(n, dtype=int)}
    counts[CENTER][rng.choice(n, int(round(center_share * n)), replace=False)] = 1
    weight = units[s.HOUSEHOLDS].to_numpy() * np.where(community, _COMMUNITY_WEIGHT, 1.0)
    counts[NEIGHBOR] = rng.multinomial(neighbor_stations, weight / weight.sum())
    villages = np.flatnonzero(~community)
    counts[STATION][rng.choice(villages, min(stations, len(villages)), replace=False)] = 1
    rows = []
    for i, (code, name, geom) in enumerate(zip(units[s.VILLAGE_CODE], units[s.NAME],
                                               units.geometry)):
        for site_type in (CENTER, NEIGHBOR, STATION):
            m = int(counts[site_type][i])
            for k, (x, y) in enumerate(points_in(geom, m, rng), start=1):
                rows.append({s.NAME: _site_name(name, site_type, k, m), s.SITE_TYPE: site_type,
                             s.VILLAGE_CODE: code, "x": x, "y": y})
    frame = pd.DataFrame(rows)
    frame.insert(0, s.SITE_ID, [f"ZD{k:05d}" for k in range(1, len(frame) + 1)])
    points = gpd.points_from_xy(frame.pop("x"), frame.pop("y"), crs=units.crs)
    return gpd.GeoDataFrame(frame, geometry=points)
