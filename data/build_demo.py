"""The bundled demo dataset: a synthetic Sanming (三明市) on real county outlines.

Run from the repository root::

    .venv/bin/python -m data.build_demo [--seed N] [--out PATH] [--counties 350481 ...]

:func:`build_demo` is a pure function of the seed (and the county outlines
in ``data/demo/sanming_counties.geojson``): the same seed gives the same
frames.  Every county draws its geometry and households from its own random
stream, so a county comes out the same in a partial build; the city-wide
steps (income, organisations, ratings, sites, roads) draw from streams of their own.
The calibrated figures are described in ``data/demo/SOURCE.md``.
"""
from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from data.demo_attributes import plan_households, rate_units
from data.demo_geometry import layout_county
from data.demo_grids import add_defects, county_grids, grids_frame
from data.demo_income import (IncomeModel, base_income, ensure_strong, income_cents,
                              income_table)
from data.demo_orgs import adjacency, build_orgs
from data.demo_plan import (CENTER_SHARE, COUNTIES_GEOJSON, COUNTY_PLANS, DEFAULT_OUT,
                            DEFAULT_SEED, DEFECT_COUNTY, INCOME_MISSING_2023, METRIC_CRS,
                            NEIGHBOR_STATIONS, PROJECTS_TOTAL, STATIONS, STORED_CRS, STRONG_INCOME,
                            UNITS_TOTAL, YONGAN)
from data.demo_roads import build_roads
from data.demo_sites import build_sites
from geo import schema as s

log = logging.getLogger(__name__)

# One random stream per step (and per county for the county steps).
(_LAYOUT, _HOUSEHOLDS, _GRIDS, _DEFECTS, _INCOME, _STRONG, _ORGS, _CALIBRATE, _MISSING, _RATING,
 _WEAK, _SITES, _ROADS) = range(1, 14)
_STRONG_MARGIN = 3     # strong villages per county beyond its organisations


def _rng(seed: int, step: int, county: str | None = None) -> np.random.Generator:
    return np.random.default_rng([seed, step] + ([int(county)] if county else []))


def read_counties(path: str | os.PathLike = COUNTIES_GEOJSON) -> gpd.GeoDataFrame:
    """County outlines (county_code, county), in the metric CRS."""
    counties = gpd.read_file(path, engine="pyogrio")
    return counties.to_crs(METRIC_CRS)


def _layout(seed: int, codes: list[str]) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Villages and communities with households, and their grids (metric CRS)."""
    outlines = read_counties().set_index(s.COUNTY_CODE).geometry
    to_metric = pyproj.Transformer.from_crs(STORED_CRS, METRIC_CRS, always_xy=True)
    parts, grid_rows = [], []
    for code in codes:
        plan = COUNTY_PLANS[code]
        seat = np.array(to_metric.transform(*plan.seat))
        units = layout_county(code, plan, outlines[code], seat, _rng(seed, _LAYOUT, code),
                              METRIC_CRS)
        counts, grid_plans = plan_households(units, plan, _rng(seed, _HOUSEHOLDS, code))
        units = pd.concat([units, counts], axis=1)
        grid_rows += county_grids(units, grid_plans, plan.l4_total is not None,
                                  _rng(seed, _GRIDS, code))
        parts.append(units)
    units = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=METRIC_CRS)
    # Clipping leaves T-junctions where township and county borders cut the
    # Voronoi cells; cleaning makes shared edges vertex-identical (a valid
    # polygonal coverage), which display simplification relies on.
    units["geometry"] = shapely.coverage_clean(units.geometry.to_numpy(), snapping_distance=0.01)
    grids = _clipped_to_villages(grids_frame(grid_rows, METRIC_CRS), units)
    if DEFECT_COUNTY in codes:
        grids, _ = add_defects(grids, units, DEFECT_COUNTY, _rng(seed, _DEFECTS))
    return units, grids


def _clipped_to_villages(grids: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Grids cut to their (cleaned) village so they never stick out of it."""
    l3_village = grids.loc[grids[s.LEVEL] == 3].set_index(s.GRID_CODE)[s.PARENT_CODE]
    village = grids[s.PARENT_CODE].where(grids[s.LEVEL] == 3, grids[s.PARENT_CODE].map(l3_village))
    shapes = units.set_index(s.VILLAGE_CODE).geometry.reindex(village).to_numpy()
    clipped = shapely.intersection(grids.geometry.to_numpy(), shapes)
    for i in np.flatnonzero(~np.isin(shapely.get_type_id(clipped), [3, 6])):
        parts = [g for g in shapely.get_parts(clipped[i]) if g.geom_type == "Polygon"]
        clipped[i] = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return grids.set_geometry(gpd.GeoSeries(clipped, index=grids.index, crs=grids.crs))


def _organisations(seed: int, codes: list[str], villages: gpd.GeoDataFrame,
                   model: IncomeModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``joint_orgs`` and ``joint_members`` for ``villages`` (kind village, metric CRS)."""
    ranked = villages.assign(poverty_rank=np.argsort(np.argsort(model.start, kind="stable")))
    share = sum(COUNTY_PLANS[c].orgs for c in codes) / sum(p.orgs for p in COUNTY_PLANS.values())
    centres = villages.geometry.centroid
    return build_orgs(ranked, adjacency(villages.geometry), np.column_stack([centres.x, centres.y]),
                      model.paths()[:, -1] >= STRONG_INCOME,
                      {c: (COUNTY_PLANS[c].orgs, COUNTY_PLANS[c].members) for c in codes},
                      int(round(PROJECTS_TOTAL * share)), _rng(seed, _ORGS))


def _income(seed: int, villages: pd.DataFrame, model: IncomeModel, orgs: pd.DataFrame,
            members: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """The ``village_income`` table and each village's latest income (万元)."""
    county = villages[s.COUNTY_CODE].to_numpy()
    codes = villages[s.VILLAGE_CODE].to_numpy()
    joined = villages[s.VILLAGE_CODE].map(
        dict(zip(members[s.VILLAGE_CODE], members[s.JOINED_YEAR]))).to_numpy(dtype=float)
    lead = np.isin(codes, orgs[s.LEAD_VILLAGE_CODE].to_numpy())
    cents = income_cents(model, county, joined, lead, _rng(seed, _CALIBRATE))
    eligible = np.flatnonzero(np.isnan(joined) & (county != YONGAN))
    missing = np.zeros(len(codes), dtype=bool)
    missing[_rng(seed, _MISSING).choice(eligible, min(INCOME_MISSING_2023, len(eligible)),
                                        replace=False)] = True
    latest = np.where(missing, cents[:, -2], cents[:, -1]) / 100
    return income_table(codes, cents, missing), pd.Series(latest, index=villages.index)


def _ratings(seed: int, codes: list[str], units: pd.DataFrame, latest_income: pd.Series,
             members: pd.DataFrame) -> pd.DataFrame:
    """Stars and weak organisations; the score is log income (25 万元 for
    communities), noise and a bonus for joint villages."""
    level = np.log(latest_income.reindex(units.index, fill_value=25.0).clip(lower=1.0))
    joint = units[s.VILLAGE_CODE].isin(members[s.VILLAGE_CODE])
    score = level + _rng(seed, _RATING).normal(0, 0.45, len(units)) + 0.25 * joint
    quotas = {c: (COUNTY_PLANS[c].weak, COUNTY_PLANS[c].rectified) for c in codes}
    return rate_units(units, score, quotas, _rng(seed, _WEAK))


def build_demo(seed: int = DEFAULT_SEED, counties=None) -> dict[str, pd.DataFrame]:
    """All seven layers of SPEC §2 for the synthetic Sanming.

    Parameters
    ----------
    seed : the random seed; the same seed gives identical frames.
    counties : county codes to build (default all 11); unknown codes are
        refused with the list of valid ones.

    Returns
    -------
    dict
        Layer name → GeoDataFrame in EPSG:4490 (villages, grids,
        service_sites, roads) or DataFrame (village_income, joint_orgs,
        joint_members).
    """
    codes = list(COUNTY_PLANS) if counties is None else list(counties)
    unknown = sorted(set(codes) - set(COUNTY_PLANS))
    if unknown:
        raise ValueError(f"unknown county codes {unknown}; valid: {sorted(COUNTY_PLANS)}")
    units, grids = _layout(seed, codes)
    villages = units[units[s.KIND] == s.KIND_VILLAGE]
    county = villages[s.COUNTY_CODE].to_numpy()
    model = ensure_strong(base_income(county, _rng(seed, _INCOME)), county,
                          {c: COUNTY_PLANS[c].orgs + _STRONG_MARGIN for c in codes},
                          _rng(seed, _STRONG))
    orgs, members = _organisations(seed, codes, villages, model)
    income, latest = _income(seed, villages, model, orgs, members)
    units = pd.concat([units, _ratings(seed, codes, units, latest, members)], axis=1)
    share = len(units) / UNITS_TOTAL
    sites = build_sites(units, CENTER_SHARE, int(round(NEIGHBOR_STATIONS * share)),
                        int(round(STATIONS * share)), _rng(seed, _SITES))
    region = shapely.union_all(read_counties().set_index(s.COUNTY_CODE).geometry[codes].to_numpy())
    roads = build_roads(units, region, _rng(seed, _ROADS), sites)
    return {
        s.VILLAGES: _stored(units, s.VILLAGES),
        s.VILLAGE_INCOME: income,
        s.JOINT_ORGS: orgs[s.LAYERS[s.JOINT_ORGS].field_names],
        s.JOINT_MEMBERS: members[s.LAYERS[s.JOINT_MEMBERS].field_names],
        s.GRIDS: _stored(grids, s.GRIDS),
        s.SERVICE_SITES: _stored(sites, s.SERVICE_SITES),
        s.ROADS: _stored(roads, s.ROADS),
    }


def _stored(frame: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """SPEC's columns in SPEC's order, reprojected to EPSG:4490.

    A polygon pinched to a near-point can cross itself once its coordinates
    are reprojected; such rings are repaired (``make_valid``, slivers below a
    millionth of the polygon dropped), which moves no area.
    """
    cols = s.LAYERS[layer].field_names + ["geometry"]
    out = gpd.GeoDataFrame(frame[cols], geometry="geometry").to_crs(STORED_CRS)
    invalid = ~out.is_valid.to_numpy()
    if invalid.any():
        log.info("%s: %d polygons repaired after reprojection", layer, int(invalid.sum()))
        out.loc[invalid, "geometry"] = [_repaired(g) for g in out.geometry[invalid]]
    return out


def _repaired(geom):
    fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    parts = [p for p in shapely.get_parts(fixed) if p.area > 1e-6 * fixed.area]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def write_gpkg(layers: dict[str, pd.DataFrame], path: str | os.PathLike) -> Path:
    """Write the layers into one GeoPackage, replacing ``path`` atomically.

    Geometry layers are written with their CRS; tables without geometry
    become GeoPackage attribute tables.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.gpkg")
    tmp.unlink(missing_ok=True)
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
    os.replace(tmp, path)
    return path


def main(argv=None) -> None:
    """Command line: build the demo and write it."""
    parser = argparse.ArgumentParser(description="Build the synthetic Sanming demo GeoPackage.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--counties", nargs="*", default=None, help="county codes (default all)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    start = time.perf_counter()
    layers = build_demo(args.seed, args.counties)
    built = time.perf_counter() - start
    path = write_gpkg(layers, args.out)
    log.info("built in %.1f s, written in %.1f s: %s (%.1f MB)", built,
             time.perf_counter() - start - built, path, path.stat().st_size / 1e6)
    for name, frame in layers.items():
        log.info("  %-15s %6d rows", name, len(frame))


if __name__ == "__main__":
    main()
