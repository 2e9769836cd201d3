"""All figures of SPEC §3 on a partitioned dataset, with dask-geopandas and dask.distributed.

The in-memory engine (:mod:`analysis.kpis`) stays the default for a city or a
province.  For a national dataset (:mod:`geo.partitioned`) the work is split:

1. the tables (villages without geometry, income, organisations) are read and
   validated on the client, and their figures (coverage, income, stars) come
   from the same functions as in memory (:func:`analysis.kpis.table_figures`);
2. the villages are read with ``dask_geopandas.read_parquet``, one partition
   per county, regrouped into batches of neighbouring counties; each batch
   is one task (:func:`analysis.partition_task.batch_sums`) on a worker
   process: it reads its own grids, sites and roads and its neighbours' edges
   (the halo), does the geometric work of :func:`analysis.kpis.prepare_kpis`
   for its villages, and returns additive sums per village;
3. the per-village sums are added up per county, township, province or for
   the whole dataset and turned into figures by the same ratio functions as
   in memory (:func:`analysis.grid.grid_ratios`, …).

The figures equal the in-memory ones up to the order of floating-point
additions (1e-9 and far below).  ``client=None`` runs every task in this
process (dask's synchronous scheduler); :func:`dask_client` starts a local
cluster of worker processes or joins an existing scheduler.
"""
from __future__ import annotations

import contextlib
import itertools
import logging
import math
import os
import warnings
from dataclasses import dataclass

import dask
import dask_geopandas
import geopandas as gpd
import pandas as pd
from distributed import Client, LocalCluster

from analysis import grid, service, walk
from analysis.as_of import dataset_for
from analysis.groups import ALL, group_index, village_labels
from analysis.kpis import AREA_LEVELS, KPI_KEYS, figure_years, plain_figures, table_figures
from analysis.params import Params
from analysis.partition_task import (ALL_SUMS, BatchContext, PartitionProblems, batch_sums,
                                     empty_sums)
from geo import schema as s
from geo.crs import to_metric
from geo.dataset import Dataset, empty_layer
from geo.integrity import check_income_coverage, check_memberships, check_references
from geo.partitioned import (Manifest, province_of, read_attributes, read_files,
                             read_manifest)
from geo.problems import DatasetError
from geo.validate import coerce_layer

log = logging.getLogger(__name__)
DEFAULT_BATCH_VILLAGES = 10_000      # villages per task: about 1 GB of worker memory
DEFAULT_WORKER_MEMORY = "4GiB"
_QUIET_WORKERS = "DASK_LOGGING__DISTRIBUTED"
OUTLINE_TOLERANCE_M = 200.0          # simplification of county outlines for the overview map
_TOPICS = (("grid", grid.SUM_KEYS, grid.KEYS, grid.grid_ratios),
           ("service", service.SUM_KEYS, service.KEYS, service.service_ratios),
           ("walk", ("unit_population", "reached_population"), walk.KEYS, walk.walk_ratios))


@dataclass(frozen=True)
class PartitionedInputs:
    """The tables and the per-village sums of a partitioned dataset (see the module).

    ``sums``: one row per village (index ``village_code``, with its county and
    township) and rows labelled ``""`` for what lies in no village; columns
    :data:`analysis.partition_task.ALL_SUMS`.  ``outlines``: county outlines
    (EPSG:4326, simplified) when asked for.
    """

    manifest: Manifest
    tables: Dataset
    sums: pd.DataFrame
    context: BatchContext
    outlines: gpd.GeoDataFrame | None = None


def read_tables(manifest: Manifest) -> Dataset:
    """The layers without geometry, typed and checked as :func:`geo.dataset.load_dataset`
    does (types, ranges, ids, references, memberships); grids, sites and roads empty.

    Raises
    ------
    DatasetError
        With every problem when one of them is an error.
    """
    raw = {s.VILLAGES: read_attributes(manifest, s.VILLAGES)}
    if s.VILLAGE_INCOME in manifest.present:
        raw[s.VILLAGE_INCOME] = read_attributes(manifest, s.VILLAGE_INCOME)
    for layer in (s.JOINT_ORGS, s.JOINT_MEMBERS):
        if layer in manifest.present:
            raw[layer] = read_files(manifest, layer, manifest.files(layer))
    typed, problems = {}, []
    for layer, frame in raw.items():
        frame = frame.drop(columns=[c for c in frame.columns if c.startswith("_")])
        typed[layer], found = coerce_layer(layer, frame)
        problems += found
    problems += check_references(typed) + check_memberships(typed) + check_income_coverage(typed)
    if any(p.is_error for p in problems):
        raise DatasetError(problems)
    layers = {name: typed.get(name, empty_layer(name, None)) for name in s.LAYERS}
    return Dataset(layers, frozenset(manifest.present), manifest.root, tuple(problems))


def batch_context(manifest: Manifest, params: Params) -> BatchContext:
    """What the tasks need: the manifest, the distances and which figures exist."""
    return BatchContext(manifest, float(params.service_radius_m), float(params.walk_minutes),
                        float(params.walk_speed_kmh), int(params.grid_min_households),
                        int(params.grid_max_households), manifest.rows(s.GRIDS) > 0,
                        manifest.rows(s.SERVICE_SITES) > 0,
                        manifest.rows(s.ROADS) > 0 and manifest.shapes(s.SERVICE_SITES) > 0)


def batch_ranges(sizes: list, provinces: list, limit: int) -> list[tuple[int, int]]:
    """Consecutive county partitions (villages ``sizes``) in tasks of about ``limit``
    villages at most: a county is never split, a task never spans two provinces (its
    counties stay neighbours), a province is cut into equal parts.

    >>> batch_ranges([5, 5, 5, 5, 3, 30], ["35", "35", "35", "35", "36", "37"], 10)
    [(0, 2), (2, 4), (4, 5), (5, 6)]
    """
    out, start = [], 0
    for _, group in itertools.groupby(range(len(sizes)), key=provinces.__getitem__):
        members = list(group)
        total = sum(sizes[i] for i in members)
        target = total / max(1, math.ceil(total / max(1, limit)))
        start, done, cut = members[0], 0, 1
        for i in members[:-1]:
            done += sizes[i]
            if done >= target * cut:
                out.append((start, i + 1))
                start, cut = i + 1, cut + 1
        out.append((start, members[-1] + 1))
    return out


def run_batch(counties, context: BatchContext) -> pd.DataFrame:
    """:func:`analysis.partition_task.batch_sums` of a task's counties, with the data's
    problems as :class:`~analysis.partition_task.PartitionProblems` (they cross process
    borders)."""
    villages = gpd.GeoDataFrame(pd.concat(counties, ignore_index=True), crs=counties[0].crs)
    try:
        return batch_sums(villages, context)
    except DatasetError as exc:
        raise PartitionProblems(exc.problems) from None


def county_outlines(villages, metric_crs: str) -> gpd.GeoDataFrame:
    """One simplified outline per county of ``villages`` (EPSG:4326), for maps."""
    if not len(villages):
        return _outline_meta()
    metric = to_metric(villages[[s.COUNTY_CODE, villages.geometry.name]], metric_crs)
    metric[s.COUNTY_CODE] = metric[s.COUNTY_CODE].astype(object).fillna("")
    merged = metric.dissolve(by=s.COUNTY_CODE, as_index=False)
    merged["geometry"] = merged.geometry.simplify(OUTLINE_TOLERANCE_M)
    out = merged.to_crs("EPSG:4326")
    out["province"] = [province_of(c) for c in out[s.COUNTY_CODE]]
    return out[[s.COUNTY_CODE, "province", "geometry"]]


def _outline_meta() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({s.COUNTY_CODE: pd.Series(dtype=object),
                             "province": pd.Series(dtype=object)},
                            geometry=gpd.GeoSeries([], crs="EPSG:4326"))


def prepare_partitioned(root, params: Params = Params(), client=None,
                        batch_villages: int = DEFAULT_BATCH_VILLAGES,
                        outlines: bool = False) -> PartitionedInputs:
    """Read the tables and compute the per-village sums of a partitioned dataset.

    Parameters
    ----------
    root : path
        The dataset folder (:mod:`geo.partitioned`).
    params : Params
        Only the service radius (m), the walk (minutes, km/h) and the grid
        standard (households) enter the sums; years and thresholds do not.
    client : distributed.Client, optional
        Where the tasks run; ``None``: in this process, one after the other.
    batch_villages : int
        Villages per task (whole counties): bounds a worker's memory.
    outlines : bool
        Also the county outlines for the overview map.

    Raises
    ------
    DatasetError
        When the manifest, a file or a row is refused (layer, field, row).
    """
    manifest = read_manifest(root)
    context = batch_context(manifest, params)
    files = [str(f) for f in manifest.files(s.VILLAGES)]
    if not files:
        return PartitionedInputs(manifest, read_tables(manifest), empty_sums(), context,
                                 _outline_meta() if outlines else None)
    columns = [*manifest.columns[s.VILLAGES], "geometry"]
    counties = dask_geopandas.read_parquet(files, columns=columns,
                                           gather_spatial_partitions=False).to_delayed()
    held = [p for p in manifest.partitions if p.rows.get(s.VILLAGES)]
    ranges = batch_ranges([p.rows[s.VILLAGES] for p in held], [p.province for p in held],
                          batch_villages)
    shared = dask.delayed(context, pure=True, traverse=False)  # sent once, not per task
    work = [dask.delayed(run_batch)(counties[a:b], shared) for a, b in ranges]
    if outlines:
        work += [dask.delayed(county_outlines)(county, manifest.metric_crs)
                 for county in counties]
    with warnings.catch_warnings():  # dask 2026.8's reader on pandas 3.1 (PDEP-8)
        warnings.filterwarnings("ignore", "The inplace keyword", DeprecationWarning)
        done, tables = _run(work, client, manifest)
    sums = pd.concat(done[:len(ranges)])
    shapes = (gpd.GeoDataFrame(pd.concat(done[len(ranges):], ignore_index=True),
                               crs="EPSG:4326") if outlines else None)
    return PartitionedInputs(manifest, tables, sums, context, shapes)


def _run(work: list, client, manifest: Manifest) -> tuple[list, Dataset]:
    """The tasks' results and the tables; on a cluster the client reads and checks the
    tables while the workers compute."""
    futures = client.compute(work) if client is not None else None
    try:
        tables = read_tables(manifest)
        done = (dask.compute(*work, scheduler="synchronous") if client is None
                else client.gather(futures))
    except PartitionProblems as exc:
        raise DatasetError(exc.problems) from None
    finally:
        pending = [f for f in futures or () if not f.done()]
        if pending:  # refused: what still runs is not needed
            client.cancel(pending)
    return list(done), tables


def _check(inputs: PartitionedInputs, params: Params) -> None:
    c = inputs.context
    used = (c.service_radius_m, c.walk_minutes, c.walk_speed_kmh, c.min_households,
            c.max_households)
    asked = (params.service_radius_m, params.walk_minutes, params.walk_speed_kmh,
             params.grid_min_households, params.grid_max_households)
    if tuple(map(float, used)) != tuple(map(float, asked)):
        raise ValueError(f"分区汇总是按（服务半径、步行分钟、步速、网格户数下限、上限）= {used} "
                         f"计算的，与 params 的 {asked} 不同；请用相同的 params 重新调用 "
                         "prepare_partitioned")


def _ratios(inputs: PartitionedInputs, totals: pd.DataFrame) -> pd.DataFrame:
    """The geometric figures of summed rows (None-valued where the layer is missing)."""
    have = {"grid": inputs.context.grids, "service": inputs.context.sites,
            "walk": inputs.context.walk}
    parts = []
    for topic, sum_keys, keys, ratios in _TOPICS:
        if not have[topic]:
            parts.append(pd.DataFrame(index=totals.index, columns=list(keys), dtype=float))
            continue
        sums = totals[[f"{topic}.{k}" for k in sum_keys]]
        parts.append(ratios(sums.set_axis(list(sum_keys), axis=1)))
    return pd.concat(parts, axis=1)


def _figures(inputs: PartitionedInputs, params: Params, labels: pd.Series | None,
             sum_labels: pd.Series | None) -> tuple[pd.DataFrame, tuple]:
    _check(inputs, params)
    data = dataset_for(inputs.tables, params)  # as of params.as_of_year
    years = figure_years(data, params)
    table = table_figures(data, params, years, labels)
    sums = inputs.sums[ALL_SUMS].astype(float)
    if labels is None:
        totals = sums.sum().to_frame().T.set_axis(pd.Index([ALL]))
    else:
        groups = group_index(village_labels(data.villages, labels))
        totals = sums.groupby(sum_labels.to_numpy()).sum().reindex(groups, fill_value=0.0)
    return pd.concat([table, _ratios(inputs, totals)], axis=1)[list(KPI_KEYS)], years


def partitioned_kpis(inputs: PartitionedInputs, params: Params = Params()) -> dict:
    """Every figure of SPEC §3 for the whole dataset, as :func:`analysis.kpis.compute_kpis`.

    Raises
    ------
    ValueError
        When ``params`` asks for an income year the data do not have, or for
        distances other than those the sums were prepared with.
    """
    figures, years = _figures(inputs, params, None, None)
    return plain_figures(figures.iloc[0], years)


def _area_labels(inputs: PartitionedInputs, by: str) -> tuple[pd.Series, pd.Series, str]:
    villages, sums = inputs.tables.villages, inputs.sums
    if by == "province":
        return (_provinces(villages[s.COUNTY_CODE]), _provinces(sums[s.COUNTY_CODE]),
                s.COUNTY_CODE)
    if by not in AREA_LEVELS:
        raise ValueError(f"未知的分组方式 by={by!r}；可选：{'、'.join(AREA_LEVELS)}")
    code_field, name_field = AREA_LEVELS[by]
    return villages[code_field], sums[code_field], name_field


def _provinces(counties: pd.Series) -> pd.Series:
    """The province of each county code; missing where the county is."""
    return counties.astype(object).map(lambda c: None if c is None or pd.isna(c)
                                       else province_of(c))


def partitioned_kpis_by_area(inputs: PartitionedInputs, by: str,
                             params: Params = Params()) -> list[dict]:
    """Every figure of SPEC §3 per county or township (or ``"province"``), as
    :func:`analysis.kpis.kpis_by_area`: ``[{"code", "name", **figures}]`` sorted by code.

    Raises
    ------
    ValueError
        For an unknown ``by`` (the message lists the valid ones) or as
        :func:`partitioned_kpis`.
    """
    labels, sum_labels, name_field = _area_labels(inputs, by)
    figures, years = _figures(inputs, params, labels, sum_labels)
    names = (pd.Series(dtype=object) if by == "province" else
             inputs.tables.villages.groupby(labels, sort=True)[name_field].first())
    return [{"code": code, "name": None if pd.isna(names.get(code)) else names.get(code),
             **plain_figures(row, years)} for code, row in figures.iterrows()]


def figure_table(inputs: PartitionedInputs, params: Params = Params()) -> pd.DataFrame:
    """The figures of the whole dataset, of every province and every county, one row
    each (``level`` ``"national"``/``"province"``/``"county"``, ``code``, ``name``,
    ``province``, the keys of SPEC §3, ``base_year``, ``eval_year``): the table the
    dashboard's national overview reads."""
    rows = [{"level": "national", "code": "", "name": None, "province": "",
             **partitioned_kpis(inputs, params)}]
    rows += [{"level": "province", "province": row["code"], **row}
             for row in partitioned_kpis_by_area(inputs, "province", params)]
    rows += [{"level": "county", "province": province_of(row["code"]), **row}
             for row in partitioned_kpis_by_area(inputs, "county", params)]
    return pd.DataFrame(rows)


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None,
                memory_limit: str = DEFAULT_WORKER_MEMORY):
    """A ``distributed.Client``: on a new local cluster of ``workers`` processes (one
    thread each, ``memory_limit`` each), or on the scheduler at ``scheduler``
    (workers started there with this repository on their ``PYTHONPATH``)."""
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    chatty, env = logging.getLogger("distributed"), os.environ.get(_QUIET_WORKERS)
    level = chatty.level
    # No scheduler and worker chatter on the command line: a task refusing bad data
    # is reported by the client, in Chinese.  Worker processes read the variable at start.
    chatty.setLevel(logging.CRITICAL)
    os.environ[_QUIET_WORKERS] = "critical"
    try:
        with LocalCluster(
                n_workers=workers or 1, threads_per_worker=1, processes=True,
                memory_limit=memory_limit, dashboard_address=None,
                # the scheduler's HTTP routes on a free local port, not on 8787
                scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client
    finally:
        chatty.setLevel(level)
        if env is None:
            os.environ.pop(_QUIET_WORKERS, None)
        else:
            os.environ[_QUIET_WORKERS] = env
