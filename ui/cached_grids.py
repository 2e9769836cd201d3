"""Cached resources of the 网格治理 page, keyed by the dataset's :class:`ui.cached.Source`.

Frames are never hashed: every resource is a function of the source (path
and modification time) and plain parameters, computed once and shared
read-only between sessions (``st.cache_resource``, PERFORMANCE.md §1–2).
"""
from __future__ import annotations

import streamlit as st

from analysis.grid_checks import GridIntegrity, grid_compliance, grid_integrity
from analysis.grid_tree import grid_tree, integrity_scope
from analysis.params import Params
from maps.grids import CompactDeck, build_grid_deck, grid_display_layers
from ui.cached import Source, dataset


@st.cache_resource(max_entries=4)
def compliance(src: Source, params: Params = Params()):
    """:func:`analysis.grid_checks.grid_compliance` of the dataset's grids."""
    return grid_compliance(dataset(src).grids, params)


@st.cache_resource(max_entries=4)
def tree(src: Source):
    """:func:`analysis.grid_tree.grid_tree` of the dataset."""
    data = dataset(src)
    return grid_tree(data.villages, data.grids)


@st.cache_resource(show_spinner="正在检查网格覆盖与交叉…", max_entries=4)
def integrity(src: Source) -> GridIntegrity:
    """:func:`analysis.grid_checks.grid_integrity` (areas in m², metric CRS of the villages)."""
    data = dataset(src)
    return grid_integrity(data.villages, data.grids)


@st.cache_resource(show_spinner="正在准备网格地图…", max_entries=4)
def display(src: Source, params: Params = Params()) -> dict:
    """:func:`maps.grids.grid_display_layers` of the dataset."""
    data = dataset(src)
    return grid_display_layers(data.villages, data.grids, tree(src), compliance(src, params),
                               integrity(src))


@st.cache_resource(max_entries=32)
def deck(src: Source, by: str | None, code: str | None, params: Params = Params()) -> CompactDeck:
    """The compliance map of the selected node (serialised once, then reused)."""
    scope = integrity_scope(tree(src), by, code)
    return build_grid_deck(display(src, params), scope, (by, code))
