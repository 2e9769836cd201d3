"""All figures of SPEC §3 for a dataset: for the whole of it, per county, per township.

The expensive geometric work (projection to a metric CRS, the village ×
unit-grid intersection, the service discs, the walks along the roads) is done
once in :func:`prepare_kpis`; the figures of every area are then sums over
per-village tables (:mod:`analysis.coverage`, :mod:`analysis.income`,
:mod:`analysis.grid`, :mod:`analysis.stars`, :mod:`analysis.service`) and
per-unit ones (:mod:`analysis.walk`).

>>> KPI_LABELS["joint_coverage"]
('联村覆盖率', '%')
>>> len(KPI_KEYS)
29
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pandas as pd

from analysis import coverage, grid, income, service, stars, walk
from analysis.as_of import dataset_for
from analysis.params import Params
from geo import schema as s
from geo.crs import metric_crs, to_metric

KPI_KEYS = (
    "villages_total", "communities_total", "joint_orgs", "joint_villages", "joint_coverage",
    "joint_population_coverage", "avg_members_per_org",
    "avg_income_gain_joint", "avg_income_gain_other", "income_gain_did", "income_growth_all",
    "low_income_villages", "target_income_villages", "income_missing",
    "grid_l3", "grid_l4", "grid_l3_branch_coverage", "grid_l4_standard_share",
    "grid_manager_coverage", "grid_area_coverage", "grid_overlap_share", "grid_orphans",
    "star4plus_share", "star5_share", "weak_orgs", "weak_rectified",
    "villages_with_site_share", "service_population_coverage",
    "walk_service_population_coverage",
)

PERCENT, TEN_THOUSAND_YUAN, COUNT, PER_ORG = "%", "万元", "个", "个/组织"

KPI_LABELS: dict[str, tuple[str, str]] = {
    "villages_total": ("行政村数", COUNT),
    "communities_total": ("社区数", COUNT),
    "joint_orgs": ("联村党组织数", COUNT),
    "joint_villages": ("联建村数", COUNT),
    "joint_coverage": ("联村覆盖率", PERCENT),
    "joint_population_coverage": ("联建村人口覆盖率", PERCENT),
    "avg_members_per_org": ("平均每个联村党组织成员数", PER_ORG),
    "avg_income_gain_joint": ("联建村村均增收", TEN_THOUSAND_YUAN),
    "avg_income_gain_other": ("未联建村村均增收", TEN_THOUSAND_YUAN),
    "income_gain_did": ("联建增收差（联建−未联建）", TEN_THOUSAND_YUAN),
    "income_growth_all": ("村集体经营性收入增长率", PERCENT),
    "low_income_villages": ("低收入村数", COUNT),
    "target_income_villages": ("达到目标收入村数", COUNT),
    "income_missing": ("缺评估年收入村数", COUNT),
    "grid_l3": ("三级网格（片区）数", COUNT),
    "grid_l4": ("四级网格（单元网格）数", COUNT),
    "grid_l3_branch_coverage": ("片区网格党支部覆盖率", PERCENT),
    "grid_l4_standard_share": ("单元网格户数达标率", PERCENT),
    "grid_manager_coverage": ("网格管家配备率", PERCENT),
    "grid_area_coverage": ("网格面积覆盖率", PERCENT),
    "grid_overlap_share": ("网格交叉重叠率", PERCENT),
    "grid_orphans": ("无上级网格数", COUNT),
    "star4plus_share": ("四星级以上党组织占比", PERCENT),
    "star5_share": ("五星级党组织占比", PERCENT),
    "weak_orgs": ("软弱涣散党组织数", COUNT),
    "weak_rectified": ("已整顿转化数", COUNT),
    "villages_with_site_share": ("有党群服务阵地的村（社区）占比", PERCENT),
    "service_population_coverage": ("服务半径内人口覆盖率", PERCENT),
    "walk_service_population_coverage": ("步行服务圈人口覆盖率", PERCENT),
}

AREA_LEVELS = {
    "county": (s.COUNTY_CODE, s.COUNTY),
    "township": (s.TOWNSHIP_CODE, s.TOWNSHIP),
}

_COUNT_KEYS = (coverage.COUNT_KEYS | income.COUNT_KEYS | grid.COUNT_KEYS | stars.COUNT_KEYS)


@dataclass(frozen=True)
class KpiInputs:
    """The geometric work every figure shares, done once per dataset and radius.

    ``grid_areas`` (m², see :func:`analysis.grid.grid_village_areas`),
    ``grid_placement`` (:func:`analysis.grid.grid_placement`) and
    ``site_reach`` (:func:`analysis.service.site_reach` for
    ``service_radius_m``) are ``None`` when the layer they need is empty;
    ``crs`` is the metric CRS they were computed in.  ``walk_units``
    (:func:`analysis.walk.walk_units` for ``walk_minutes`` and
    ``walk_speed_kmh``) is ``None`` without roads or sites.  Only the service
    radius and the walk of :class:`Params` enter them: years and thresholds
    can change without preparing again.
    """

    crs: object
    service_radius_m: float
    grid_areas: pd.DataFrame | None
    grid_placement: tuple | None
    site_reach: pd.DataFrame | None
    walk_minutes: float = 15.0
    walk_speed_kmh: float = 4.0
    walk_units: pd.DataFrame | None = None


def prepare_kpis(dataset, params: Params = Params()) -> KpiInputs:
    """Project the layers once and compute the shared per-village tables.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    params : Params
        Only ``service_radius_m`` (m), ``walk_minutes`` and ``walk_speed_kmh``
        (km/h) are used.

    Returns
    -------
    KpiInputs
        To pass as ``prepared`` to :func:`compute_kpis` and :func:`kpis_by_area`.
    """
    villages = dataset.villages
    crs = metric_crs(villages)
    metric_villages = to_metric(villages[[villages.geometry.name]], crs)  # the one projection
    areas = placement = reach = None
    # The grid and the service geometry share nothing but the (read-only)
    # projected villages: they run side by side (shapely releases the GIL).
    with ThreadPoolExecutor(max_workers=2) as pool:
        if len(dataset.grids):
            areas = pool.submit(grid.grid_village_areas, metric_villages, dataset.grids, crs)
        if len(dataset.service_sites):
            reach = pool.submit(service.site_reach, metric_villages, dataset.service_sites,
                                params.service_radius_m, crs)
        if len(dataset.grids):
            placement = grid.grid_placement(villages, dataset.grids)
        walked = (walk.walk_units(villages, dataset.service_sites, dataset.roads, dataset.grids,
                                  params.walk_minutes, params.walk_speed_kmh, crs, placement)
                  if len(dataset.roads) and len(dataset.service_sites) else None)
        areas = areas if areas is None else areas.result()
        reach = reach if reach is None else reach.result()
    return KpiInputs(crs, params.service_radius_m, areas, placement, reach,
                     params.walk_minutes, params.walk_speed_kmh, walked)


def _figures(dataset, params: Params, inputs: KpiInputs | None, years: tuple,
             group: pd.Series | None) -> pd.DataFrame:
    if inputs is None:
        inputs = prepare_kpis(dataset, params)
    elif inputs.service_radius_m != params.service_radius_m:
        raise ValueError(f"prepared 是按服务半径 {inputs.service_radius_m} 米计算的，"
                         f"与 params.service_radius_m={params.service_radius_m} 不同；"
                         "请用相同的 params 重新调用 prepare_kpis")
    elif (inputs.walk_minutes, inputs.walk_speed_kmh) != (params.walk_minutes,
                                                          params.walk_speed_kmh):
        raise ValueError(f"prepared 是按步行 {inputs.walk_minutes:g} 分钟、"
                         f"{inputs.walk_speed_kmh:g} 千米/小时计算的，与 params 的 "
                         f"{params.walk_minutes:g} 分钟、{params.walk_speed_kmh:g} 千米/小时不同；"
                         "请用相同的 params 重新调用 prepare_kpis")
    v = dataset.villages
    parts = [
        table_figures(dataset, params, years, group),
        grid.grid_figures(v, dataset.grids, params.grid_min_households,
                          params.grid_max_households, group, inputs.grid_areas,
                          inputs.grid_placement),
        service.service_figures(v, dataset.service_sites, params.service_radius_m, group,
                                inputs.site_reach),
        walk.walk_figures(v, inputs.walk_units, group),
    ]
    return pd.concat(parts, axis=1)[list(KPI_KEYS)]


def table_figures(dataset, params: Params, years: tuple, group: pd.Series | None
                  ) -> pd.DataFrame:
    """The figures that need no geometry: coverage, income, stars (one row per group).

    ``dataset`` needs only ``villages`` (without geometry is enough), the income
    and the organisation tables; ``years`` is :func:`figure_years`.  The partitioned
    engine (:mod:`analysis.partitioned`) computes these on the tables alone.
    """
    v = dataset.villages
    return pd.concat([
        coverage.coverage_figures(v, dataset.joint_orgs, dataset.joint_members, group),
        income.income_figures(v, dataset.village_income, dataset.joint_members, *years,
                              params.low_income_threshold, params.target_income, group),
        stars.star_figures(v, group)], axis=1)


def figure_years(dataset, params: Params) -> tuple:
    """``(base_year, eval_year)`` of ``params`` for the dataset's income table."""
    return income.resolve_years(dataset.village_income, params.base_year, params.eval_year)


def plain_figures(row: pd.Series, inputs_years: tuple) -> dict:
    """One row of figures as plain ``int``/``float``/``None``, with the two years."""
    out = {}
    for key in KPI_KEYS:
        value = row[key]
        if pd.isna(value):
            out[key] = None
        elif key in _COUNT_KEYS:
            out[key] = int(round(float(value)))
        else:
            out[key] = float(value)
    out["base_year"], out["eval_year"] = inputs_years
    return out


def compute_kpis(dataset, params: Params = Params(), prepared: KpiInputs | None = None) -> dict:
    """Every figure of SPEC §3 for the whole dataset.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    params : Params
        Years, thresholds (万元), grid standard (households), service radius (m),
        walk (minutes, km/h).
    prepared : KpiInputs, optional
        From :func:`prepare_kpis` with the same ``service_radius_m`` and walk, to
        share the geometric work between calls.

    Returns
    -------
    dict
        The keys of :data:`KPI_KEYS` in order, then ``base_year`` and
        ``eval_year``; values are ``int``, ``float`` (ratios as fractions) or
        ``None`` when the data are missing.

    Raises
    ------
    ValueError
        When ``params`` asks for an income year the data do not have.

    Examples
    --------
    Two villages of 1 km² (any CRS; areas are measured in a metric one), no
    other layer: the figures that need one are ``None``.

    >>> import geopandas as gpd, shapely
    >>> from geo.dataset import Dataset, empty_layer
    >>> v = gpd.GeoDataFrame({"village_code": ["1", "2"], "kind": ["village", "community"],
    ...     "population": [300, 900], "county_code": ["X", "Y"], "county": ["甲县", "乙县"]},
    ...     geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
    ...     crs="EPSG:32650")
    >>> layers = {name: empty_layer(name, v.crs) for name in s.LAYERS} | {s.VILLAGES: v}
    >>> demo = Dataset(layers, frozenset({s.VILLAGES}))
    >>> k = compute_kpis(demo)
    >>> k["villages_total"], k["communities_total"], k["joint_coverage"], k["eval_year"]
    (1, 1, None, None)
    >>> [(a["code"], a["name"], a["villages_total"]) for a in kpis_by_area(demo, "county")]
    [('X', '甲县', 1), ('Y', '乙县', 0)]
    """
    dataset = dataset_for(dataset, params)  # as of params.as_of_year
    years = figure_years(dataset, params)
    figures = _figures(dataset, params, prepared, years, None)
    return plain_figures(figures.iloc[0], years)


def kpis_by_area(dataset, by: str, params: Params = Params(),
                 prepared: KpiInputs | None = None) -> list[dict]:
    """Every figure of SPEC §3 per county or per township.

    An organisation counts where its lead village lies, a grid where its
    village lies, sites and population by village (see the topic modules).

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    by : {"county", "township"}
    params : Params
    prepared : KpiInputs, optional
        From :func:`prepare_kpis` with the same ``service_radius_m`` and walk.

    Returns
    -------
    list of dict
        One per area, sorted by code: ``{"code", "name", **figures}`` with the
        keys of :func:`compute_kpis`.

    Raises
    ------
    ValueError
        For an unknown ``by`` (the message lists the valid ones) or an income
        year the data do not have.
    """
    if by not in AREA_LEVELS:
        raise ValueError(f"未知的分组方式 by={by!r}；可选：{'、'.join(AREA_LEVELS)}")
    code_field, name_field = AREA_LEVELS[by]
    dataset = dataset_for(dataset, params)  # as of params.as_of_year
    villages = dataset.villages
    years = figure_years(dataset, params)
    figures = _figures(dataset, params, prepared, years, villages[code_field])
    names = villages.groupby(code_field, sort=True)[name_field].first()
    return [{"code": code, "name": None if pd.isna(names.get(code)) else names.get(code),
             **plain_figures(row, years)} for code, row in figures.iterrows()]
