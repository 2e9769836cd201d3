"""A scenario as the layers of SPEC §2: today's dataset with its ``joint_orgs`` and
``joint_members`` replaced by the scenario's groups (for its figures), and an approved
plan as the two layers to import as a new dataset version."""
from __future__ import annotations

from dataclasses import replace

import pandas as pd

from analysis.grouping import scenario_from_document
from analysis.scenario import scenario_members
from geo import schema as s


def scenario_dataset(dataset, context, scenario):
    """``dataset`` with ``joint_orgs`` and ``joint_members`` replaced by the scenario's groups.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    context : analysis.scenario.ScenarioContext
        Of ``dataset``.
    scenario : Scenario or SPEC §4 document (dict)

    Returns
    -------
    geo.dataset.Dataset
        Members are the known codes, each once in its first group, so that
        :func:`analysis.kpis.compute_kpis` gives every SPEC §3 figure as if
        the scenario were in force.  ``founded_year``, ``projects`` and
        ``joined_year`` are left empty (not validated again).
    """
    scenario = scenario_from_document(scenario)
    assignment, _, _ = scenario_members(context, scenario)
    orgs = _orgs_frame(scenario.groups, [pd.NA] * len(scenario.groups),
                       [pd.NA] * len(scenario.groups))
    members = _members_frame([(scenario.groups[i].org_id, code, pd.NA)
                              for code, i in assignment.items()])
    layers = dict(dataset.layers) | {s.JOINT_ORGS: orgs, s.JOINT_MEMBERS: members}
    return replace(dataset, layers=layers,
                   present=dataset.present | {s.JOINT_ORGS, s.JOINT_MEMBERS})


def plan_layers(dataset, scenario, year: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An approved plan as the ``joint_orgs`` and ``joint_members`` layers of SPEC §2,
    ready to be imported as a new dataset version.

    An organisation keeps today's ``founded_year`` and ``projects`` when its
    ``org_id`` exists today, else it is founded in ``year``; a member keeps its
    ``joined_year`` when it was already a member of that same ``org_id``, else
    it joins in ``year``.  Unknown village codes and repeats are dropped, as in
    :func:`scenario_dataset` (each village in its first group).

    >>> import pandas as pd
    >>> from types import SimpleNamespace
    >>> today = SimpleNamespace(
    ...     villages=pd.DataFrame({"village_code": ["1", "2", "3"]}),
    ...     joint_orgs=pd.DataFrame({"org_id": ["J1"], "founded_year": [2019], "projects": [4]}),
    ...     joint_members=pd.DataFrame({"org_id": ["J1", "J1"], "village_code": ["1", "2"],
    ...                                 "joined_year": [2019, 2020]}))
    >>> doc = {"groups": [{"org_id": "J1", "name": "甲", "org_type": "other",
    ...                    "lead_village_code": "1", "villages": ["1", "3", "9"]},
    ...                   {"org_id": "S1", "name": "乙", "org_type": "industry",
    ...                    "lead_village_code": "2", "villages": ["2", "3"]}]}
    >>> orgs, members = plan_layers(today, doc, 2027)
    >>> orgs[["org_id", "founded_year", "projects"]].values.tolist()
    [['J1', 2019, 4], ['S1', 2027, <NA>]]
    >>> members.values.tolist()
    [['J1', '1', 2019], ['J1', '3', 2027], ['S1', '2', 2027]]
    """
    scenario = scenario_from_document(scenario)
    known = set(dataset.villages[s.VILLAGE_CODE].astype(str))
    today_orgs = dataset.joint_orgs.set_index(s.ORG_ID) if len(dataset.joint_orgs) else None
    joined = {(str(o), str(v)): y for o, v, y in zip(
        dataset.joint_members[s.ORG_ID], dataset.joint_members[s.VILLAGE_CODE],
        dataset.joint_members[s.JOINED_YEAR])} if len(dataset.joint_members) else {}

    def kept(org_id, field, default):
        if today_orgs is None or org_id not in today_orgs.index or field not in today_orgs:
            return default
        value = today_orgs.at[org_id, field]
        return default if pd.isna(value) else int(value)

    orgs = _orgs_frame(scenario.groups,
                       [kept(g.org_id, s.FOUNDED_YEAR, year) for g in scenario.groups],
                       [kept(g.org_id, s.PROJECTS, pd.NA) for g in scenario.groups])
    rows, seen = [], set()
    for group in scenario.groups:
        for code in group.villages:
            if code in known and code not in seen:
                seen.add(code)
                year_joined = joined.get((group.org_id, code))
                rows.append((group.org_id, code,
                             year if year_joined is None or pd.isna(year_joined)
                             else int(year_joined)))
    members = _members_frame(rows)
    return orgs, members


def _orgs_frame(groups, founded: list, projects: list) -> pd.DataFrame:
    """The ``joint_orgs`` layer of ``groups`` with these founding years and project counts."""
    return pd.DataFrame({
        s.ORG_ID: pd.Series([g.org_id for g in groups], dtype=object),
        s.NAME: pd.Series([g.name for g in groups], dtype=object),
        s.ORG_TYPE: pd.Series([g.org_type for g in groups], dtype=object),
        s.LEAD_VILLAGE_CODE: pd.Series([g.lead_village_code for g in groups], dtype=object),
        s.FOUNDED_YEAR: pd.Series(founded, dtype="Int64"),
        s.PROJECTS: pd.Series(projects, dtype="Int64")})


def _members_frame(rows: list) -> pd.DataFrame:
    """The ``joint_members`` layer of ``(org_id, village_code, joined_year)`` rows."""
    return pd.DataFrame({
        s.ORG_ID: pd.Series([r[0] for r in rows], dtype=object),
        s.VILLAGE_CODE: pd.Series([r[1] for r in rows], dtype=object),
        s.JOINED_YEAR: pd.Series([r[2] for r in rows], dtype="Int64")})
