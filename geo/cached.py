"""Cached, read-only resources for the pages (the Streamlit boundary of geo/).

Frames are never passed as hashed arguments: each resource is keyed by the
dataset's path and modification time (its version).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import streamlit as st

from analysis.kpis import compute_kpis, kpis_by_area
from analysis.params import Params
from analysis.villages import village_table
from geo import schema as s
from geo.dataset import Dataset, load_dataset
from geo.maps import display_geometry, dissolve_display
from geo.settings import dataset_path, load_settings


@dataclass(frozen=True)
class Source:
    """Which dataset is shown: its path, version and whether it is the demo."""

    path: str
    version: float
    is_demo: bool


def current_source() -> Source:
    settings = load_settings()
    path, is_demo = dataset_path(settings)
    version = os.path.getmtime(path) if os.path.exists(path) else 0.0
    return Source(str(path), version, is_demo)


@st.cache_resource(show_spinner="正在加载数据…", max_entries=4)
def dataset(src: Source) -> Dataset:
    """The validated dataset; raises :class:`geo.problems.DatasetError`."""
    return load_dataset(src.path)


@st.cache_resource(max_entries=8)
def figures(src: Source, params: Params, by: str | None = None, code: str | None = None) -> dict:
    """SPEC §3 figures for the city, or for one county/township ``code``."""
    data = dataset(src)
    if by is None:
        return compute_kpis(data, params)
    rows = {row["code"]: row for row in kpis_by_area(data, by, params)}
    return rows[code]


@st.cache_resource(max_entries=4)
def display_layers(src: Source) -> dict:
    """Simplified EPSG:4326 frames for maps: villages, township and county outlines."""
    villages = display_geometry(dataset(src).villages)
    return {"villages": villages,
            "townships": dissolve_display(villages, [s.COUNTY_CODE, s.TOWNSHIP_CODE]),
            "counties": dissolve_display(villages, [s.COUNTY_CODE])}


@st.cache_resource(max_entries=8)
def villages_table(src: Source, params: Params):
    data = dataset(src)
    figs = figures(src, params)
    return village_table(data.villages, data.joint_members, data.village_income,
                         figs["base_year"], figs["eval_year"])


@st.cache_resource(max_entries=4)
def area_options(src: Source) -> dict:
    """``{county_code: (county, {township_code: township})}`` in code order."""
    v = dataset(src).villages.sort_values([s.COUNTY_CODE, s.TOWNSHIP_CODE])
    options: dict = {}
    for (cc, cn, tc, tn), _ in v.groupby([s.COUNTY_CODE, s.COUNTY, s.TOWNSHIP_CODE, s.TOWNSHIP],
                                         sort=False):
        options.setdefault(cc, (cn, {}))[1][tc] = tn
    return options
