"""Evaluating a what-if scenario of village groupings against a dataset (SPEC §4).

:func:`scenario_context` does the work every evaluation shares, once per
dataset version: the per-village facts (:mod:`analysis.village_attributes`),
the neighbour sets (:mod:`analysis.adjacency`), today's organisations and
figures and the historical income basis of the projection.
:func:`evaluate_scenario` then costs only dictionary look-ups (a city of ~250
groups in a few ms); :func:`evaluate_group` re-checks one changed group.

The figures follow :mod:`analysis.coverage` as if the scenario replaced
today's organisations: ``joint_orgs`` = groups, ``joint_villages`` = distinct
villages (``kind = village``) in a group, ratios as fractions of villages and
of their population.  A code listed in two groups (or twice in one) counts
once, in its first group; a code that is not a village of the dataset is
left out of every figure and reported.

Three 100 m squares in a row, no income table and no organisation today:

>>> import geopandas as gpd, shapely
>>> from geo.dataset import Dataset, empty_layer
>>> v = gpd.GeoDataFrame({"village_code": ["a", "b", "c"], "name": ["甲村", "乙村", "丙村"],
...     "township_code": ["t"] * 3, "township": ["洪田镇"] * 3, "kind": ["village"] * 3,
...     "population": [100, 200, 300]},
...     geometry=[shapely.box(x, 0, x + 100, 100) for x in (0, 100, 200)], crs="EPSG:32650")
>>> layers = {name: empty_layer(name, v.crs) for name in s.LAYERS} | {s.VILLAGES: v}
>>> ctx = scenario_context(Dataset(layers, frozenset({s.VILLAGES})))
>>> plan = Scenario("方案A", "2026-11-23T10:00:00+08:00",
...                 [Group("S1", "甲乙联村党委", "strong_weak", "a", ["a", "b"])])
>>> r = evaluate_scenario(ctx, plan, GroupRules(min_size=2))
>>> r["joint_villages"], r["joint_coverage"], r["joint_population_coverage"], r["new_villages"]
(2, 0.6666666666666666, 0.5, ['a', 'b'])
>>> r["groups"][0]["contiguous"], r["groups"][0]["violations"]
(True, ['甲乙联村党委：没有强村（评估年集体经营性收入 ≥ 50 万元的成员村）'])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis import grouping, projection
from analysis.grouping import (Group, GroupRules, Scenario, Violation,
                               group_from_document, scenario_document, scenario_from_document)
from analysis.income import resolve_years
from analysis.params import Params
from analysis.village_attributes import village_attributes
from geo import schema as s
from geo.clock import now_iso

__all__ = ["Group", "GroupRules", "Scenario", "ScenarioContext", "VillageFacts", "Violation",
           "evaluate_group", "evaluate_scenario", "scenario_context",
           "group_from_document", "scenario_document", "scenario_from_document",
           "scenario_from_today", "scenario_members"]

FIGURE_KEYS = ("joint_orgs", "joint_villages", "joint_coverage", "joint_population_coverage")
UNCOVERED = "未联建"
class VillageFacts(NamedTuple):
    """What the checks and figures need of one village (plain Python values)."""

    name: str
    township_code: str | None
    township: str | None
    is_village: bool
    population: int
    income_eval: float | None
    strong: bool
    weak: bool
    today_org: str | None


@dataclass(frozen=True, eq=False)
class ScenarioContext:
    """What every evaluation on one dataset version shares; build it with :func:`scenario_context`.

    ``facts``: ``{village_code: VillageFacts}``; ``neighbours``: ``{code:
    frozenset of adjacent codes}``; ``attributes``: the village_attributes
    table; ``income``: the ``village_income`` layer; ``years``: (base, eval)
    or (None, None); ``villages_total`` and ``population_total``: villages
    (``kind = village``) and their population; ``today``: today's
    organisations as a :class:`Scenario`; ``today_types``: ``{code:
    org_type}`` of villages in an organisation today; ``gain_basis``: the
    projection basis (``None`` without two income years).
    """

    params: Params
    facts: dict
    neighbours: dict
    attributes: pd.DataFrame
    income: pd.DataFrame
    years: tuple
    villages_total: int
    population_total: int
    today: Scenario
    has_today: bool
    today_types: dict
    gain_basis: projection.GainBasis | None


def _text(value) -> str | None:
    missing = value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))
    return None if missing else str(value)


def scenario_from_today(dataset, name: str = "现状") -> Scenario:
    """Today's organisations (``joint_orgs`` + ``joint_members``) as a :class:`Scenario`.

    Groups in ``joint_orgs`` order, members in ``joint_members`` order; an
    org_type or name that is missing becomes ``other`` or empty.
    """
    members = dataset.joint_members
    by_org: dict[str, list[str]] = {}
    for org_id, code in zip(members[s.ORG_ID].astype(str), members[s.VILLAGE_CODE].astype(str)):
        by_org.setdefault(org_id, []).append(code)
    groups = []
    for row in dataset.joint_orgs.itertuples(index=False):
        org_id = str(getattr(row, s.ORG_ID))
        groups.append(Group(org_id, _text(getattr(row, s.NAME, None)) or "",
                            _text(getattr(row, s.ORG_TYPE, None)) or "other",
                            _text(getattr(row, s.LEAD_VILLAGE_CODE, None)),
                            tuple(by_org.get(org_id, ()))))
    return Scenario(name, now_iso(), tuple(groups))


def _neighbours(adjacency) -> dict:
    from analysis.adjacency import neighbour_sets

    sets = adjacency if isinstance(adjacency, dict) else neighbour_sets(adjacency)
    return {str(k): frozenset(str(n) for n in v) for k, v in sets.items()}


def scenario_context(dataset, params: Params = Params(), adjacency=None) -> ScenarioContext:
    """Everything scenario evaluation shares, built once per dataset version and params.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    params : Params
        Years and thresholds (万元) of SPEC §3; ``strong_threshold`` marks strong villages.
    adjacency : libpysal Graph or dict, optional
        From :func:`analysis.adjacency.village_adjacency` (or its
        :func:`~analysis.adjacency.neighbour_sets`); built here (metric CRS,
        10 m) when not given.

    Raises
    ------
    ValueError
        When ``params`` asks for an income year the data do not have.
    """
    if adjacency is None:
        from analysis.adjacency import village_adjacency
        adjacency = village_adjacency(dataset.villages)
    years = resolve_years(dataset.village_income, params.base_year, params.eval_year)
    attrs = village_attributes(dataset.villages, dataset.village_income,
                               dataset.joint_members, params)
    population = attrs[s.POPULATION].astype("Float64").fillna(0).astype(int)
    columns = [attrs[c].tolist() for c in (s.NAME, s.TOWNSHIP_CODE, s.TOWNSHIP, s.KIND)]
    facts = {}
    for code, name, township_code, township, kind, pop, value, strong, weak, org in zip(
            attrs.index, *columns, population.tolist(), attrs["income_eval"].tolist(),
            attrs["strong"].tolist(), attrs["weak"].tolist(), attrs[s.ORG_ID].tolist()):
        facts[code] = VillageFacts(
            _text(name) or code, _text(township_code), _text(township), kind == s.KIND_VILLAGE,
            int(pop), None if pd.isna(value) else float(value), bool(strong), bool(weak),
            _text(org))
    today = scenario_from_today(dataset)
    type_of = {g.org_id: g.org_type for g in today.groups}
    today_types = {c: type_of.get(f.today_org, "other") for c, f in facts.items() if f.today_org}
    is_village = (attrs[s.KIND] == s.KIND_VILLAGE).to_numpy()
    return ScenarioContext(
        params, facts, _neighbours(adjacency), attrs, dataset.village_income, years,
        int(is_village.sum()), int(population[is_village].sum()), today,
        len(dataset.joint_members) > 0, today_types,
        projection.gain_basis(attrs, today_types, years))


def scenario_members(context: ScenarioContext, scenario: Scenario):
    """Where each village goes: ``(assignment, unknown, duplicates)``.

    ``assignment`` maps each known code to the index of its first group;
    ``unknown`` lists codes not in the dataset, ``duplicates`` codes listed
    more than once (in two groups or twice in one), each once, in order.
    """
    assignment: dict[str, int] = {}
    unknown: dict[str, None] = {}
    duplicates: dict[str, None] = {}
    for i, group in enumerate(scenario.groups):
        for code in group.villages:
            if code not in context.facts:
                unknown[code] = None
            elif code in assignment:
                duplicates[code] = None
            else:
                assignment[code] = i
    return assignment, list(unknown), list(duplicates)


def _figures(context: ScenarioContext, covered, n_groups: int) -> dict:
    villages = [c for c in covered if context.facts[c].is_village]
    pop = sum(context.facts[c].population for c in villages)
    return {"joint_orgs": n_groups, "joint_villages": len(villages),
            "joint_coverage": len(villages) / context.villages_total
            if context.villages_total else None,
            "joint_population_coverage": pop / context.population_total
            if context.population_total else None}


def _today_figures(context: ScenarioContext) -> dict:
    """Today's figures, ``None`` where compute_kpis has none (no organisations or members)."""
    figures = _figures(context, [c for c, f in context.facts.items() if f.today_org],
                       len(context.today.groups))
    if not context.has_today:
        figures = dict.fromkeys(FIGURE_KEYS) | (
            {"joint_orgs": len(context.today.groups)} if context.today.groups else {})
    return figures


def evaluate_group(context: ScenarioContext, group: Group,
                   rules: GroupRules = GroupRules()) -> dict:
    """The SPEC §4 checks of one group, without looking at the other groups.

    Parameters
    ----------
    context : ScenarioContext
    group : Group or dict
        A group of a SPEC §4 document is accepted as well.
    rules : GroupRules

    Returns
    -------
    dict
        ``org_id, name, org_type, lead_village_code, locked, villages`` (known
        member codes), ``size`` (their number, villages and communities),
        ``contiguous``, ``has_strong``, ``within_township`` (bool),
        ``population`` (persons, all members), ``weak_villages``,
        ``strong_villages`` (counts), ``violations`` (Chinese messages),
        ``violation_keys`` and ``flagged_villages`` (codes to highlight).
    """
    group = group_from_document(group)
    found = grouping.check_group(context, group, grouping.group_constraints(rules))
    codes = grouping.members(context, group)
    facts = [context.facts[c] for c in codes]
    strong = grouping.strong_members(context, group, rules.strong_threshold)
    return {
        "org_id": group.org_id, "name": group.name, "org_type": group.org_type,
        "lead_village_code": group.lead_village_code, "locked": group.locked,
        "villages": list(codes), "size": len(codes),
        "contiguous": not grouping.detached_members(context, group),
        "has_strong": bool(strong),
        "within_township": len(grouping.townships_of(context, group)) <= 1,
        "population": sum(f.population for f in facts),
        "weak_villages": sum(f.weak for f in facts), "strong_villages": len(strong),
        "violations": [v.message for v in found], "violation_keys": [v.key for v in found],
        "flagged_villages": list(dict.fromkeys(c for v in found for c in v.villages)),
    }


def _duplicate_violation(context, scenario, group_at: int, code: str, first: int) -> Violation:
    group, owner = scenario.groups[group_at], scenario.groups[first]
    return Violation("duplicate_code", group.org_id,
                     f"{group.label}：{grouping.village_names(context, [code])}（{code}）"
                     f"已在「{owner.label}」中，按第一次出现计算", (code,))


def evaluate_scenario(context: ScenarioContext, scenario: Scenario,
                      rules: GroupRules = GroupRules()) -> dict:
    """Checks and figures of a whole scenario against today (SPEC §4).

    Parameters
    ----------
    context : ScenarioContext
        From :func:`scenario_context` (built once per dataset version).
    scenario : Scenario or dict
        A SPEC §4 document (plain dict) is accepted as well.
    rules : GroupRules
        Size band, township rule, strong threshold (万元).

    Returns
    -------
    dict
        ``name``, ``groups`` (one :func:`evaluate_group` dict each, plus a
        ``duplicate_code`` violation where a code already sits in an earlier
        group), the figures :data:`FIGURE_KEYS` as if the scenario replaced
        today's organisations (ratios as fractions), ``today`` (the same
        figures for today's organisations, ``None`` where the dataset has
        none) and ``delta`` (scenario − today), ``new_villages`` /
        ``removed_villages`` (village codes, ``kind = village``, covered only
        by the scenario / only today) with ``…_count``, ``unknown_codes``,
        ``duplicate_codes``, ``groups_with_violations``, ``valid`` (no
        violation, unknown or duplicate code), ``projected_income_gain``
        (万元, estimate) and ``projection`` (its basis, or ``None``).
    """
    scenario = scenario_from_document(scenario)
    assignment, unknown, duplicates = scenario_members(context, scenario)
    groups = [evaluate_group(context, g, rules) for g in scenario.groups]
    for i, group in enumerate(scenario.groups):
        for code in dict.fromkeys(c for c in group.villages if c in context.facts):
            if assignment[code] != i:
                v = _duplicate_violation(context, scenario, i, code, assignment[code])
                groups[i]["violations"].append(v.message)
                groups[i]["violation_keys"].append(v.key)
                groups[i]["flagged_villages"].append(code)
    figures = _figures(context, assignment, len(scenario.groups))
    today = _today_figures(context)
    facts = context.facts
    new = [c for c in assignment if facts[c].is_village and not facts[c].today_org]
    removed = [c for c, f in facts.items() if f.is_village and f.today_org and c not in assignment]
    gain = projection.project_income_gain(
        context.gain_basis, {c: scenario.groups[assignment[c]].org_type for c in new},
        {c: context.today_types[c] for c in removed})
    bad_groups = sum(bool(g["violations"]) for g in groups)
    return {
        "name": scenario.name, **figures,
        "today": today,
        "delta": {k: None if today[k] is None or figures[k] is None else figures[k] - today[k]
                  for k in FIGURE_KEYS},
        "new_villages": new, "new_villages_count": len(new),
        "removed_villages": removed, "removed_villages_count": len(removed),
        "unknown_codes": unknown, "duplicate_codes": duplicates,
        "groups_with_violations": bad_groups,
        "valid": not bad_groups and not unknown and not duplicates,
        "projected_income_gain": None if gain is None else gain.total,
        "projection": None if gain is None else gain.as_dict(),
        "groups": groups,
    }


def area_coverage(context: ScenarioContext, scenario, codes) -> dict:
    """Joint coverage inside an area (``codes``: its village and community codes).

    Returns ``villages`` (``kind = village`` in the area), ``joint`` and
    ``coverage`` under the scenario, ``today_joint`` and ``today_coverage``
    under today's organisations (coverage ``None`` for an area without villages).

    >>> import geopandas as gpd, shapely
    >>> from geo.dataset import Dataset, empty_layer
    >>> v = gpd.GeoDataFrame({"village_code": ["a", "b"], "name": ["甲", "乙"],
    ...     "township_code": ["t"] * 2, "township": ["镇"] * 2, "kind": ["village"] * 2,
    ...     "population": [1, 1]}, geometry=[shapely.box(0, 0, 1, 1)] * 2, crs="EPSG:32650")
    >>> layers = {n: empty_layer(n, v.crs) for n in s.LAYERS} | {s.VILLAGES: v}
    >>> ctx = scenario_context(Dataset(layers, frozenset({s.VILLAGES})))
    >>> area_coverage(ctx, {"name": "A", "groups": [{"org_id": "S1", "villages": ["a"]}]},
    ...               ["a", "b"])
    {'villages': 2, 'joint': 1, 'coverage': 0.5, 'today_joint': 0, 'today_coverage': 0.0}
    """
    assignment, _, _ = scenario_members(context, scenario_from_document(scenario))
    villages = [c for c in codes if c in context.facts and context.facts[c].is_village]
    joint = sum(c in assignment for c in villages)
    today = sum(bool(context.facts[c].today_org) for c in villages)
    n = len(villages)
    return {"villages": n, "joint": joint, "coverage": joint / n if n else None,
            "today_joint": today, "today_coverage": today / n if n else None}
