"""Cached resources of the 服务阵地 page (walking catchments and 选址建议), keyed by the
dataset's :class:`ui.cached.Source`, the walking minutes and the area — never by frames.

The catchment and the candidates' reach are computed once per dataset version
and shared read-only between sessions (``st.cache_resource``, PERFORMANCE.md
§1–2); the map is serialised once per area and overlay.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from analysis.site_suggest import SiteSuggestion, reach_table, suggest_sites
from analysis.walk_catchment import walk_catchment
from geo import schema as s
from maps.deck import CompactDeck
from maps.walk import build_walk_deck, walk_display_layers
from ui import cached
from ui.cached import Source, dataset


def walk_params(minutes: float):
    """The figures' parameters (:func:`ui.cached.params`) with ``walk_minutes``."""
    return dataclasses.replace(cached.params(), walk_minutes=float(minutes))


def figures(src: Source, minutes: float, county: str | None, township: str | None) -> dict:
    """SPEC §3 figures of the sidebar's area with the walk of ``minutes`` (the disc
    figure does not depend on it)."""
    return cached.selection_figures(src, walk_params(minutes), county, township)


@st.cache_resource(show_spinner="正在计算步行服务圈…", max_entries=4)
def catchment(src: Source, minutes: float):
    """:func:`analysis.walk_catchment.walk_catchment` of the dataset (None without
    roads or sites)."""
    data = dataset(src)
    if not data.has(s.ROADS):
        return None
    return walk_catchment(data.villages, data.service_sites, data.roads, data.grids,
                          float(minutes), cached.params().walk_speed_kmh)


@st.cache_resource(max_entries=4)
def display(src: Source, minutes: float) -> dict | None:
    """:func:`maps.walk.walk_display_layers` of :func:`catchment`."""
    found = catchment(src, minutes)
    return None if found is None else walk_display_layers(found, dataset(src).villages)


def outlines(src: Source, county: str | None, township: str | None):
    """The areas one level down, as display polygons: counties, townships or villages."""
    layers = cached.display_layers(src)
    if township:
        villages = layers["villages"]
        return villages[(villages[s.TOWNSHIP_CODE] == township).to_numpy()]
    if county:
        towns = layers["townships"]
        return towns[(towns[s.COUNTY_CODE] == county).to_numpy()]
    return layers["counties"]


@st.cache_resource(show_spinner="正在准备步行服务圈地图…", max_entries=16)
def deck(src: Source, minutes: float, county: str | None, township: str | None,
         suggested: tuple = (), kept: tuple = ()) -> CompactDeck | None:
    """The catchment map of the area with the suggested and kept sites (lon, lat, label)."""
    shown = display(src, minutes)
    if shown is None:
        return None
    return build_walk_deck(shown, outlines(src, county, township), county, township,
                           suggested, kept)


@st.cache_resource(show_spinner="正在计算候选点的步行可达范围…", max_entries=8)
def reach(src: Source, minutes: float, county: str | None, township: str | None):
    """:func:`analysis.site_suggest.reach_table` of the area (None without roads)."""
    data = dataset(src)
    if not data.has(s.ROADS):
        return None
    return reach_table(data.villages, data.service_sites, data.roads, data.grids, county,
                       township, float(minutes), cached.params().walk_speed_kmh)


@st.cache_resource(show_spinner="正在计算选址建议…", max_entries=32)
def suggestion(src: Source, minutes: float, county: str | None, township: str | None,
               k: int, kept: tuple = ()) -> SiteSuggestion | None:
    """:func:`analysis.site_suggest.suggest_sites` for ``k`` new sites, the kept
    points (metric ``(x, y)`` pairs of the table's CRS) counted as sites."""
    table = reach(src, minutes, county, township)
    if table is None:
        return None
    return suggest_sites(table, int(k), np.array(kept, dtype=float).reshape(-1, 2))


def kept_figure(src: Source, minutes: float, county: str | None, township: str | None,
                kept: tuple) -> float | None:
    """The area's walking figure with the kept points counted as sites (a fraction)."""
    table = reach(src, minutes, county, township)
    if table is None or table.total_population <= 0:
        return None
    reached = table.units["reached"].to_numpy(bool) | table.reached_by(
        np.array(kept, dtype=float).reshape(-1, 2))
    return float(table.units["population"].to_numpy(float)[reached].sum()) / \
        table.total_population
