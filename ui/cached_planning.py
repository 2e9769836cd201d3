"""Cached resources of the 分组规划 page (the Streamlit boundary for scenarios).

The adjacency, the per-village facts and the scenario context are built once
per dataset version (:class:`ui.cached.Source`) and parameters; the page's
edits then cost dictionary look-ups (PERFORMANCE.md habits 5 and 6).
"""
from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from analysis.adjacency import village_adjacency
from analysis.areas import select_area
from analysis.params import Params
from analysis.scenario import GroupRules, area_coverage, evaluate_scenario, scenario_context
from analysis.scenario_compare import compare_scenarios
from analysis.scenario_edit import assignment, today_document
from analysis.suggest import scope_candidates, suggest_groups, suggestion_notes
from geo import schema as s
from geo.access import Area
from geo.scenario_store import ScenarioStore
from geo.settings import Settings, load_settings
from maps.planning import PlanningBase, planning_base
from ui import cached
from ui.cached_joint import village_names


@st.cache_resource(max_entries=4, show_spinner="正在计算村的相邻关系…")
def adjacency(src: cached.Source):
    """The libpysal graph of SPEC §4 adjacency (touch or within 10 m)."""
    return village_adjacency(cached.dataset(src).villages)


@st.cache_resource(max_entries=8, show_spinner="正在准备规划数据…")
def context(src: cached.Source, params: Params):
    """:func:`analysis.scenario.scenario_context` of the dataset."""
    return scenario_context(cached.dataset(src), params, adjacency(src))


@st.cache_resource(max_entries=4)
def today(src: cached.Source) -> dict:
    """Today's organisations as a scenario document (名称「现状」)."""
    data = cached.dataset(src)
    return today_document(data.joint_orgs, data.joint_members, created="")


@st.cache_resource(max_entries=16)
def base(src: cached.Source, county: str | None, township: str | None,
         settings: Settings) -> PlanningBase:
    """The clickable villages of the area (display geometry, cached)."""
    display = cached.display_layers(src)
    villages = select_area(display["villages"], county, township)
    outlines = (select_area(display["townships"], county, township) if county
                else display["counties"])
    return planning_base(villages, outlines, settings)


def area_codes(src: cached.Source, county: str | None, township: str | None) -> list:
    """Village and community codes of the area, in code order."""
    villages = select_area(cached.dataset(src).villages, county, township)
    return sorted(villages[s.VILLAGE_CODE].astype(str))


def village_codes(src: cached.Source, county: str | None, township: str | None) -> set:
    """The area's villages (``kind = village``): the ones a grouping covers."""
    villages = select_area(cached.dataset(src).villages, county, township)
    return set(villages.loc[villages[s.KIND] == s.KIND_VILLAGE, s.VILLAGE_CODE].astype(str))


def rules_of(min_size: int, max_size: int, within_township: bool, params: Params) -> GroupRules:
    return GroupRules(min_size=int(min_size), max_size=int(max_size),
                      within_township=bool(within_township),
                      strong_threshold=params.strong_threshold)


def evaluate(src: cached.Source, params: Params, doc: dict, rules: GroupRules) -> dict:
    """Checks and figures of a scenario document against today (a few ms)."""
    return evaluate_scenario(context(src, params), doc, rules)


def area_figures(src: cached.Source, params: Params, doc: dict, county: str | None,
                 township: str | None) -> dict | None:
    """Coverage inside the sidebar's area under the scenario and today (``None`` for the city)."""
    if not county:
        return None
    return area_coverage(context(src, params), doc, area_codes(src, county, township))


def compare(src: cached.Source, params: Params, a: dict | None, b: dict | None,
            rules: GroupRules):
    """:func:`analysis.scenario_compare.compare_scenarios` (``None`` = today)."""
    return compare_scenarios(context(src, params), a, b, rules)


def suggest(src: cached.Source, params: Params, doc: dict, rules: GroupRules,
            scope: tuple) -> dict:
    """Suggested groups for the villages of ``scope`` (county, township) uncovered in ``doc``.

    Villages in any group of the document count as covered; members of
    locked groups are never touched.  Returns the groups, the notes that
    explain the result, the weak villages covered and the seconds taken.
    """
    ctx = context(src, params)
    attrs = ctx.attributes
    owners = assignment(doc)
    attrs = attrs.assign(org_id=[owners.get(c) for c in attrs.index])
    locked = {v for g in doc["groups"] if g.get("locked") for v in g["villages"]}
    county, township = scope
    candidates = scope_candidates(attrs, township_code=township, county_code=county)
    started = time.perf_counter()
    groups = suggest_groups(attrs, ctx.neighbours, candidates, rules, locked,
                            existing_ids=[g[s.ORG_ID] for g in doc["groups"]])
    seconds = time.perf_counter() - started
    notes = suggestion_notes(groups, attrs, ctx.neighbours, candidates, rules, locked)
    names = village_names(src)
    table = pd.DataFrame([{
        "org_id": g.org_id, "name": g.name, "size": len(g.villages), "weak": g.weak_villages,
        "lead": names.get(g.lead_village_code, g.lead_village_code),
        "members": "、".join(names.get(c, c) for c in g.villages)} for g in groups])
    return {"groups": [g.as_scenario_group() for g in groups], "notes": notes, "table": table,
            "villages": sum(len(g.villages) for g in groups),
            "weak": sum(g.weak_villages for g in groups), "seconds": seconds}


def store() -> ScenarioStore:
    """The scenario store in the configured data folder."""
    return ScenarioStore(load_settings().store)


def planning_defaults() -> dict:
    """Rule widgets' defaults from the settings file (``[planning]``)."""
    settings = load_settings()
    return {"min_size": settings.min_size, "max_size": settings.max_size,
            "within_township": settings.within_township}


@st.cache_resource(max_entries=4)
def village_areas(src: cached.Source) -> dict:
    """``{village_code: geo.access.Area}``: each village's county and township, for the
    area checks of SPEC §7."""
    villages = cached.dataset(src).villages
    return {str(c): Area(str(county), str(township)) for c, county, township in zip(
        villages[s.VILLAGE_CODE], villages[s.COUNTY_CODE], villages[s.TOWNSHIP_CODE])}
