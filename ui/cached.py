"""Cached, read-only resources for the pages (the Streamlit boundary of geo/).

Frames are never passed as hashed arguments: each resource is keyed by the
dataset's path and modification time (its version) and plain parameters.
"""
from __future__ import annotations

import dataclasses
import os
import threading
from dataclasses import dataclass

import streamlit as st

from analysis.areas import area_mask
from analysis.as_of import as_of_years, dataset_as_of
from analysis.grid_tree import grid_area_keys
from analysis.kpis import compute_kpis, kpis_by_area, prepare_kpis
from analysis.params import Params, default_params
from analysis.trends import income_trend, joint_trend
from analysis.villages import village_table
from geo import schema as s
from geo.dataset import Dataset, load_dataset
from geo.partitioned import is_partitioned, read_manifest, version_of
from geo.problems import DatasetError
from geo.settings import ENV_DATA, dataset_path, load_settings
from maps.display import display_geometry, dissolve_display
from maps.overview import lead_points, org_outlines, site_points

PROVINCE_KEY = "province"  # the sidebar's province of a national folder (ui/national.py)


@dataclass(frozen=True)
class Source:
    """Which dataset is shown: its path, version and whether it is the demo.

    A partitioned folder of several provinces (issue 18, :mod:`ui.national`) is
    ``national``; ``province`` is then the one loaded (``None``: the national
    overview, from the engine's precomputed figures, loads no village).
    """

    path: str
    version: float
    is_demo: bool
    province: str | None = None
    national: bool = False

    @property
    def whole_nation(self) -> bool:
        """The national overview is shown: no page may load the dataset itself."""
        return self.national and self.province is None


def params() -> Params:
    """The figures' parameters with the thresholds of the settings file (``[figures]``)."""
    return default_params(load_settings())


def current_source() -> Source:
    """The dataset to show now: read at every run (the data store's current version is
    one small read: a JSON file, or one query of the ``[store] url`` database), so a
    version made current by another session or another app process is shown at the
    next run; the caches of the version shown before are then dropped."""
    settings = load_settings()
    path, is_demo = dataset_path(settings)
    version = os.path.getmtime(path) if os.path.exists(path) else 0.0
    national = False
    if is_partitioned(path):  # a partitioned folder (issue 18): the national view by province
        version = version_of(path)
        national = len(partition_provinces(str(path), version)) > 1
    src = Source(str(path), version, is_demo,
                 st.session_state.get(PROVINCE_KEY) if national else None, national)
    from_store = not is_demo and not os.environ.get(ENV_DATA)
    _drop_caches_when_the_store_moved(str(settings.store) if from_store else "", src)
    return src


_shown: dict = {}  # this process: the data store's version shown last, by store
_shown_lock = threading.Lock()


def _drop_caches_when_the_store_moved(store: str, src: Source) -> None:
    """Clear every cached resource when the store's current version is no longer the one
    this process showed last (another version is current now): the old version's
    dataset, figures and layers are not kept alive beside the new ones."""
    if not store:
        return
    with _shown_lock:
        before = _shown.get(store)
        _shown[store] = src
    if before is not None and before != src:
        st.cache_resource.clear()
        st.cache_data.clear()


@st.cache_resource(max_entries=4)
def partition_provinces(path: str, version: float) -> tuple:
    """The provinces of a partitioned folder (none when its manifest is refused:
    the dataset's loader then says why)."""
    try:
        return read_manifest(path).provinces()
    except DatasetError:
        return ()


@st.cache_resource(show_spinner="正在加载数据…", max_entries=4)
def dataset(src: Source) -> Dataset:
    """The validated dataset (of the province chosen, for a national folder); raises
    :class:`geo.problems.DatasetError`."""
    return load_dataset(src.path, (src.province,) if src.national else None)


@st.cache_resource(max_entries=4)
def years(src: Source) -> tuple:
    """The years of the year slider (:func:`analysis.as_of.as_of_years`), oldest first."""
    return tuple(as_of_years(dataset(src)))


def params_at(src: Source, year: int | None, base: Params | None = None) -> Params:
    """``base`` (default: :func:`params`) as of the end of ``year``.

    The latest year is the data as they are (``as_of_year=None``): the pages
    at the slider's default then share every cached figure and layer with
    the pages without a slider and with the warm-up.
    """
    base = base or params()
    offered = years(src)
    if year is None or not offered or year >= offered[-1]:
        return dataclasses.replace(base, as_of_year=None)
    return dataclasses.replace(base, as_of_year=int(year))


def shown_year(src: Source, params: Params) -> int | None:
    """The year whose end ``params`` show (the latest one when not set)."""
    offered = years(src)
    return params.as_of_year if params.as_of_year is not None else (
        offered[-1] if offered else None)


def dataset_at(src: Source, params: Params) -> Dataset:
    """The dataset as of ``params.as_of_year`` (:func:`analysis.as_of.dataset_as_of`)."""
    if params.as_of_year is None:
        return dataset(src)
    return _dataset_as_of(src, params.as_of_year)


@st.cache_resource(max_entries=16)
def _dataset_as_of(src: Source, year: int) -> Dataset:
    return dataset_as_of(dataset(src), year)


def prepared(src: Source, params: Params):
    """Projection and shared per-village tables of :func:`analysis.kpis.prepare_kpis`.

    Only the service radius and the walk enter them, so other years or
    thresholds (the previous year's figures, say) reuse the same geometry.
    """
    return _prepared(src, params.service_radius_m, params.walk_minutes, params.walk_speed_kmh)


@st.cache_resource(show_spinner="正在计算指标…", max_entries=8)
def _prepared(src: Source, service_radius_m: float, walk_minutes: float = 15.0,
              walk_speed_kmh: float = 4.0):
    return prepare_kpis(dataset(src), Params(service_radius_m=service_radius_m,
                                             walk_minutes=walk_minutes,
                                             walk_speed_kmh=walk_speed_kmh))


@st.cache_resource(max_entries=16)
def area_figures(src: Source, params: Params, by: str) -> dict:
    """``{code: figures}`` for every county or township."""
    rows = kpis_by_area(dataset(src), by, params, prepared(src, params))
    return {row["code"]: row for row in rows}


@st.cache_resource(max_entries=8)
def city_figures(src: Source, params: Params) -> dict:
    return compute_kpis(dataset(src), params, prepared(src, params))


def figures(src: Source, params: Params, by: str | None = None, code: str | None = None) -> dict:
    """SPEC §3 figures of the city (``by=None``) or of one county/township ``code``."""
    if by is None:
        return city_figures(src, params)
    return area_figures(src, params, by)[code]


def selection_figures(src: Source, params: Params, county: str | None,
                      township: str | None) -> dict:
    """Figures of the area selected in the sidebar."""
    if township:
        return figures(src, params, "township", township)
    return figures(src, params, "county", county) if county else figures(src, params)


def previous_year(src: Source, params: Params) -> Params | None:
    """The same parameters at the end of the year before the one shown
    (organisations, members and incomes of then), when the slider has it."""
    offered, year = years(src), shown_year(src, params)
    if year is None or year - 1 < offered[0]:
        return None
    return dataclasses.replace(params, as_of_year=year - 1)


@st.cache_resource(max_entries=4)
def display_layers(src: Source) -> dict:
    """Simplified EPSG:4326 frames for maps: villages, outlines, organisations, leads."""
    data = dataset(src)
    villages = display_geometry(data.villages)
    table = villages_table(src, params())
    return {"villages": villages,
            "townships": dissolve_display(villages, [s.COUNTY_CODE, s.TOWNSHIP_CODE]),
            "counties": dissolve_display(villages, [s.COUNTY_CODE]),
            "orgs": org_outlines(villages, table),
            "leads": lead_points(villages, data.joint_orgs)}


def display_at(src: Source, params: Params) -> dict:
    """:func:`display_layers` with the organisations' outlines and lead villages
    of ``params.as_of_year``."""
    if params.as_of_year is None:
        return display_layers(src)
    return _display_as_of(src, params)


@st.cache_resource(max_entries=16)
def _display_as_of(src: Source, params: Params) -> dict:
    layers = display_layers(src)
    return {**layers, "orgs": org_outlines(layers["villages"], villages_table(src, params)),
            "leads": lead_points(layers["villages"], dataset_at(src, params).joint_orgs)}


@st.cache_resource(max_entries=4)
def sites(src: Source):
    data = dataset(src)
    return site_points(data.service_sites, data.villages)


@st.cache_resource(max_entries=4)
def unit_grids(src: Source):
    """Level-4 grids for display with the village, township and county where they
    count (:func:`analysis.grid_tree.grid_area_keys`: the same rule as the print
    maps and the figures, so an orphan grid is shown where it lies)."""
    data = dataset(src)
    grids = data.grids
    unit = (grids[s.LEVEL] == s.GRID_LEVEL_L4).fillna(False).to_numpy(dtype=bool)
    l4 = grids[unit]
    if l4.empty:
        return None
    keys = grid_area_keys(data.villages, grids)[unit]
    shown = display_geometry(l4[[s.GRID_CODE, s.PARENT_CODE, "geometry"]], tolerance_m=20)
    return shown.assign(**{key: keys[key].to_numpy() for key in keys.columns})


@st.cache_resource(max_entries=16)
def villages_table(src: Source, params: Params):
    data = dataset_at(src, params)
    figs = city_figures(src, params)
    return village_table(data.villages, data.joint_members, data.village_income,
                         figs["base_year"], figs["eval_year"])


def village_detail(src: Source, params: Params, code: str):
    """One village's attributes with its organisation and incomes (0 or 1 row)."""
    data = dataset(src)
    keep = (data.villages[s.VILLAGE_CODE] == code).to_numpy()
    table = villages_table(src, params)[keep].drop(columns=s.VILLAGE_CODE)
    return data.villages[keep].drop(columns="geometry").join(table)


@st.cache_resource(max_entries=32)
def trend(src: Source, county: str | None, township: str | None,
          as_of_year: int | None = None):
    """Mean income of joint and other villages per year (up to ``as_of_year``, the
    organisations of then)."""
    data = dataset(src) if as_of_year is None else _dataset_as_of(src, as_of_year)
    keep = area_mask(data.villages, county, township)
    return income_trend(data.villages, data.joint_members, data.village_income, keep)


@st.cache_resource(max_entries=16)
def joint_series(src: Source, county: str | None, township: str | None):
    """Organisations, joint villages and coverage at the end of every slider year
    (:func:`analysis.trends.joint_trend`)."""
    data = dataset(src)
    return joint_trend(data, years(src), area_mask(data.villages, county, township))


def county_series(src: Source, params: Params, key: str, county: str | None = None):
    """One figure per county, indexed by county name (for small bar charts); with
    ``county``, one per township of that county instead (an account held to a county
    sees no other county's figure)."""
    import pandas as pd

    if county is None:
        rows = area_figures(src, params, "county").values()
    else:
        townships = area_options(src)[county][1]
        rows = [row for code, row in area_figures(src, params, "township").items()
                if code in townships]
    return pd.Series({row["name"]: row[key] for row in rows}, dtype=float).dropna()


@st.cache_resource(max_entries=64)
def village_options(src: Source, township: str) -> dict:
    """``{village_code: name}`` of one township, in code order."""
    v = dataset(src).villages
    rows = v[v[s.TOWNSHIP_CODE] == township].sort_values(s.VILLAGE_CODE)
    return dict(zip(rows[s.VILLAGE_CODE], rows[s.NAME]))


@st.cache_resource(max_entries=4)
def area_options(src: Source) -> dict:
    """``{county_code: (county, {township_code: township})}`` in code order."""
    v = dataset(src).villages.sort_values([s.COUNTY_CODE, s.TOWNSHIP_CODE])
    options: dict = {}
    for (cc, cn, tc, tn), _ in v.groupby([s.COUNTY_CODE, s.COUNTY, s.TOWNSHIP_CODE, s.TOWNSHIP],
                                         sort=False):
        options.setdefault(cc, (cn, {}))[1][tc] = tn
    return options
