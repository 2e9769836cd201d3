"""Cached resources of the 跨村联建 page (the Streamlit boundary for analysis.orgs
and maps.joint).

Like :mod:`ui.cached`, every resource is keyed by the dataset's
:class:`~ui.cached.Source` (path and modification time) and plain options;
frames are never hashed.  The map is cached as its GeoJSON payload
(:class:`maps.joint.JointMapLayers`), the expensive part to render; the
page builds a fresh ``folium.Map`` from it on every run.
"""
from __future__ import annotations

import streamlit as st

from analysis import orgs
from analysis.areas import select_area
from analysis.params import Params
from geo import schema as s
from geo.settings import Settings
from maps.joint import JointMapLayers, joint_map_layers
from ui import cached


def _years(src: cached.Source, params: Params) -> tuple:
    figs = cached.figures(src, params)
    return figs["base_year"], figs["eval_year"]


def _area_villages(src: cached.Source, county: str | None, township: str | None):
    """The dataset's villages of the area (all of them for ``None``)."""
    return select_area(cached.dataset(src).villages, county, township)


@st.cache_resource(max_entries=8)
def org_table(src: cached.Source, params: Params):
    """:func:`analysis.orgs.org_table` of the whole dataset (as of ``params.as_of_year``)."""
    data = cached.dataset_at(src, params)
    return orgs.org_table(data.joint_orgs, data.joint_members, data.villages,
                          data.village_income, *_years(src, params))


@st.cache_resource(max_entries=32)
def breakdowns(src: cached.Source, params: Params, county: str | None = None,
               township: str | None = None) -> dict:
    """By organisation type and by area (townships inside a county, else counties)."""
    data = cached.dataset_at(src, params)
    villages = _area_villages(src, county, township)
    args = (data.joint_orgs, data.joint_members, villages, data.village_income)
    by = "township" if county else "county"
    return {"type": orgs.breakdown_by_type(*args, *_years(src, params)),
            "area": orgs.breakdown_by_area(*args, by, *_years(src, params)), "by": by}


@st.cache_resource(max_entries=64)
def org_details(src: cached.Source, params: Params, org_id: str, county: str | None = None,
                township: str | None = None) -> dict:
    """One organisation's row of the org table, its members, its income per year
    against the area's villages in no organisation, and its type's breakdown row."""
    data = cached.dataset_at(src, params)
    row = org_table(src, params).set_index(s.ORG_ID, drop=False).loc[org_id]
    kinds = breakdowns(src, params, county, township)["type"]
    return {"row": row, "type": kinds[kinds[s.ORG_TYPE] == row[s.ORG_TYPE]],
            "members": orgs.org_members(org_id, data.joint_orgs, data.joint_members,
                                        data.villages, data.village_income,
                                        *_years(src, params)),
            "income": orgs.income_before_after(org_id, data.joint_members,
                                               _area_villages(src, county, township),
                                               data.village_income)}


@st.cache_resource(max_entries=16)
def map_layers(src: cached.Source, params: Params, color_by: str, county: str | None,
               township: str | None, settings: Settings) -> JointMapLayers:
    """The GeoJSON payload of the joint map of an area."""
    display = cached.display_layers(src)
    villages = select_area(display["villages"], county, township)
    outlines = (select_area(display["townships"], county, township) if county
                else display["counties"])
    return joint_map_layers(villages, org_table(src, params),
                            cached.dataset_at(src, params).joint_members,
                            color_by, outlines, settings)


@st.cache_resource(max_entries=32)
def org_options(src: cached.Source, params: Params, county: str | None,
                township: str | None) -> list:
    """Organisation ids to choose from in the area (:func:`analysis.orgs.org_options`)."""
    return orgs.org_options(select_area(org_table(src, params), county, township),
                            cached.dataset_at(src, params).joint_members,
                            _area_villages(src, county, township))



@st.cache_resource(max_entries=4)
def org_names(src: cached.Source) -> dict:
    """``{org_id: name}`` of every organisation."""
    orgs_layer = cached.dataset(src).joint_orgs
    return dict(zip(orgs_layer[s.ORG_ID], orgs_layer[s.NAME]))



@st.cache_resource(max_entries=8)
def village_org(src: cached.Source, params: Params) -> dict:
    """``{village_code: org_id}`` of every member village (as of ``params.as_of_year``)."""
    members = cached.dataset_at(src, params).joint_members
    return dict(zip(members[s.VILLAGE_CODE], members[s.ORG_ID]))


@st.cache_resource(max_entries=4)
def village_names(src: cached.Source) -> dict:
    """``{village_code: name}`` of every village and community."""
    villages = cached.dataset(src).villages
    return dict(zip(villages[s.VILLAGE_CODE], villages[s.NAME]))
