"""Joint village Party organisations (联村党组织), one at a time and by group.

Tables for the 跨村联建 page: one row per organisation, the members of one,
the income of its members against the villages in no organisation, and
breakdowns by organisation type and by area.  Incomes are collective
operating incomes in 万元; "village" alone means ``kind = village`` (SPEC §3).
An organisation lies where its lead village lies (the first known member when
the lead is unknown), as in :func:`analysis.coverage.org_village_positions`.

Every function takes frames and plain values and returns a new frame; its
inputs are not changed.

>>> import pandas as pd
>>> v = pd.DataFrame({"village_code": ["a", "b", "c"], "name": ["甲", "乙", "丙"],
...                   "kind": ["village"] * 3})
>>> o = pd.DataFrame({"org_id": ["O1"], "name": ["甲乙联村党委"], "org_type": ["industry"],
...                   "lead_village_code": ["a"]})
>>> m = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"]})
>>> village_orgs(v, o, m)[["org_id", "org_name", "is_lead"]].to_dict("list")
... # doctest: +NORMALIZE_WHITESPACE
{'org_id': ['O1', 'O1', None], 'org_name': ['甲乙联村党委', '甲乙联村党委', None],
 'is_lead': [True, False, False]}
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.coverage import org_village_positions
from analysis.income import income_of_year, resolve_years
from geo import schema as s

# Derived columns (the layer fields come from geo.schema).
TYPE_LABEL = "type_label"
ORG_NAME = "org_name"
LEAD_VILLAGE = "lead_village"
IS_LEAD = "is_lead"
MEMBERS = "members"
INCOME_BASE, INCOME_EVAL, INCOME_GAIN = "income_base", "income_eval", "income_gain"
ORGS, VILLAGES_TOTAL, COVERAGE = "orgs", "villages_total", "coverage"
YEAR_MEMBERS, YEAR_OTHERS, MEMBERS_JOINED, JOINED = (
    "members_mean", "others_mean", "members_joined", "joined")

ORG_COLUMNS = (s.ORG_ID, s.NAME, s.ORG_TYPE, TYPE_LABEL, s.LEAD_VILLAGE_CODE, LEAD_VILLAGE,
               s.COUNTY_CODE, s.COUNTY, s.TOWNSHIP_CODE, s.TOWNSHIP, s.FOUNDED_YEAR, s.PROJECTS,
               MEMBERS, s.POPULATION, INCOME_BASE, INCOME_EVAL, INCOME_GAIN)
MEMBER_COLUMNS = (s.VILLAGE_CODE, s.NAME, s.COUNTY, s.TOWNSHIP, IS_LEAD, s.JOINED_YEAR,
                  s.POPULATION, INCOME_BASE, INCOME_EVAL, INCOME_GAIN)
BREAKDOWN_COLUMNS = (ORGS, MEMBERS, VILLAGES_TOTAL, COVERAGE, INCOME_GAIN)


def _incomes(villages: pd.DataFrame, income: pd.DataFrame, base_year, eval_year) -> pd.DataFrame:
    """Income (万元) of each row of ``villages`` in the two years, and the gain."""
    base_year, eval_year = resolve_years(income, base_year, eval_year)
    out = pd.DataFrame(index=villages.index)
    for column, year in ((INCOME_BASE, base_year), (INCOME_EVAL, eval_year)):
        out[column] = (np.full(len(villages), np.nan) if year is None
                       else income_of_year(villages, income, year))
    out[INCOME_GAIN] = out[INCOME_EVAL] - out[INCOME_BASE]
    return out


def village_orgs(villages: pd.DataFrame, orgs: pd.DataFrame,
                 members: pd.DataFrame) -> pd.DataFrame:
    """The organisation of every village and community, aligned with ``villages``.

    Returns
    -------
    DataFrame
        Index of ``villages``; columns ``village_code``, ``org_id`` and
        ``org_name`` (``None`` when in no organisation), ``org_type``,
        ``type_label`` (Chinese, ``None`` likewise) and ``is_lead``.
    """
    org_of = members.drop_duplicates(s.VILLAGE_CODE).set_index(s.VILLAGE_CODE)[s.ORG_ID]
    codes = villages[s.VILLAGE_CODE]
    org = codes.map(org_of)
    info = orgs.set_index(s.ORG_ID)
    out = pd.DataFrame({s.VILLAGE_CODE: codes.to_numpy()}, index=villages.index)
    out[s.ORG_ID] = org.astype(object).where(org.notna(), None)
    out[ORG_NAME] = org.map(info[s.NAME]).astype(object)
    out[s.ORG_TYPE] = org.map(info[s.ORG_TYPE]).astype(object)
    out[TYPE_LABEL] = out[s.ORG_TYPE].map(s.ORG_TYPES).astype(object)
    for column in (ORG_NAME, s.ORG_TYPE, TYPE_LABEL):
        out[column] = out[column].where(out[column].notna(), None)
    out[IS_LEAD] = codes.isin(orgs[s.LEAD_VILLAGE_CODE]).to_numpy() & org.notna().to_numpy()
    return out


def org_table(orgs: pd.DataFrame, members: pd.DataFrame, villages: pd.DataFrame,
              income: pd.DataFrame, base_year: int | None = None,
              eval_year: int | None = None) -> pd.DataFrame:
    """One row per organisation, in the order of ``orgs``.

    Parameters
    ----------
    orgs, members, villages, income : DataFrame
        The layers ``joint_orgs``, ``joint_members``, ``villages`` (geometry
        not used) and ``village_income`` (万元).
    base_year, eval_year : int, optional
        Default: the earliest and the latest year of ``income``.

    Returns
    -------
    DataFrame
        Columns :data:`ORG_COLUMNS`: the organisation's fields, ``type_label``
        (Chinese), ``lead_village`` (name), the county and township where it
        lies, ``members`` (member rows), ``population`` (persons, members
        summed), ``income_base`` and ``income_eval`` (mean income of the
        members with income that year, 万元 per village) and ``income_gain``
        (mean over members with both years of eval − base, 万元).

    Examples
    --------
    Members a (8 → 12 万元) and b (20 → 26) of O1 lead by a; O2 has no member::

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "name": ["甲", "乙"], "kind": ["village"] * 2,
    ...     "county_code": ["C"] * 2, "county": ["县"] * 2, "township_code": ["T"] * 2,
    ...     "township": ["镇"] * 2, "population": [100, 300]})
    >>> o = pd.DataFrame({"org_id": ["O1", "O2"], "name": ["一", "二"],
    ...     "lead_village_code": ["a", "x"], "org_type": ["industry", "other"],
    ...     "founded_year": [2019, 2020], "projects": [3, 0]})
    >>> m = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"]})
    >>> inc = pd.DataFrame({"village_code": ["a", "a", "b", "b"], "year": [2019, 2021] * 2,
    ...     "collective_income": [8.0, 12.0, 20.0, 26.0]})
    >>> t = org_table(o, m, v, inc)
    >>> t[["lead_village", "members", "population", "income_base", "income_gain"]].to_dict("list")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'lead_village': ['甲', None], 'members': [2, 0], 'population': [400, 0],
     'income_base': [14.0, nan], 'income_gain': [5.0, nan]}
    """
    table = pd.DataFrame(index=orgs.index)
    for column in (s.ORG_ID, s.NAME, s.ORG_TYPE, s.LEAD_VILLAGE_CODE, s.FOUNDED_YEAR):
        table[column] = orgs[column].to_numpy()
    table[TYPE_LABEL] = table[s.ORG_TYPE].map(s.ORG_TYPES)
    table[s.PROJECTS] = orgs[s.PROJECTS].to_numpy() if s.PROJECTS in orgs else pd.NA
    by_code = villages.set_index(s.VILLAGE_CODE)
    table[LEAD_VILLAGE] = table[s.LEAD_VILLAGE_CODE].map(by_code[s.NAME]).astype(object)
    table[LEAD_VILLAGE] = table[LEAD_VILLAGE].where(table[LEAD_VILLAGE].notna(), None)
    positions = org_village_positions(villages, orgs, members)
    for column in (s.COUNTY_CODE, s.COUNTY, s.TOWNSHIP_CODE, s.TOWNSHIP):
        values = villages[column].to_numpy(dtype=object)
        table[column] = [values[p] if p >= 0 else None for p in positions]
    joined = members.merge(villages[[s.VILLAGE_CODE, s.POPULATION]], on=s.VILLAGE_CODE,
                           how="left")
    joined = pd.concat([joined, _incomes(joined, income, base_year, eval_year)], axis=1)
    grouped = joined.groupby(s.ORG_ID)
    ids = table[s.ORG_ID]
    table[MEMBERS] = ids.map(grouped.size()).fillna(0).astype(int)
    table[s.POPULATION] = ids.map(grouped[s.POPULATION].sum()).fillna(0).astype(int)
    for column in (INCOME_BASE, INCOME_EVAL, INCOME_GAIN):
        table[column] = ids.map(grouped[column].mean()).astype(float)
    return table[list(ORG_COLUMNS)].reset_index(drop=True)


def org_options(table: pd.DataFrame, members: pd.DataFrame,
                villages: pd.DataFrame) -> list[str]:
    """Organisations to choose from in an area: those lying in it (the rows of
    ``table``, in order), then those lying elsewhere with a member among
    ``villages`` (by id).

    >>> t = pd.DataFrame({"org_id": ["O2"]})
    >>> m = pd.DataFrame({"org_id": ["O1", "O2", "O3"], "village_code": ["a", "b", "z"]})
    >>> org_options(t, m, pd.DataFrame({"village_code": ["a", "b"]}))
    ['O2', 'O1']
    """
    lying = [str(o) for o in table[s.ORG_ID]]
    touching = members.loc[members[s.VILLAGE_CODE].isin(villages[s.VILLAGE_CODE]), s.ORG_ID]
    return lying + sorted(set(map(str, touching)) - set(lying))


def org_of_village(members: pd.DataFrame, village_code: str | None) -> str | None:
    """The organisation a village belongs to, ``None`` when none.

    >>> m = pd.DataFrame({"org_id": ["O1"], "village_code": ["a"]})
    >>> org_of_village(m, "a"), org_of_village(m, "b")
    ('O1', None)
    """
    rows = members.loc[members[s.VILLAGE_CODE] == village_code, s.ORG_ID]
    return str(rows.iloc[0]) if len(rows) else None


def org_members(org_id: str, orgs: pd.DataFrame, members: pd.DataFrame,
                villages: pd.DataFrame, income: pd.DataFrame, base_year: int | None = None,
                eval_year: int | None = None) -> pd.DataFrame:
    """The member villages of one organisation, the lead first, then by code.

    Returns
    -------
    DataFrame
        Columns :data:`MEMBER_COLUMNS`: code, name, county, township,
        ``is_lead``, ``joined_year``, ``population`` (persons) and incomes in
        the base and evaluation years and their difference (万元).  Empty for
        an unknown ``org_id``.

    Examples
    --------
    >>> v = pd.DataFrame({"village_code": ["a", "b"], "name": ["甲", "乙"], "county": ["县"] * 2,
    ...     "township": ["镇"] * 2, "population": [100, 300]})
    >>> o = pd.DataFrame({"org_id": ["O1"], "lead_village_code": ["b"]})
    >>> m = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"],
    ...                   "joined_year": [2020, 2019]})
    >>> inc = pd.DataFrame({"village_code": ["a", "a"], "year": [2019, 2021],
    ...                     "collective_income": [8.0, 12.0]})
    >>> org_members("O1", o, m, v, inc)[["name", "is_lead", "income_gain"]].to_dict("list")
    {'name': ['乙', '甲'], 'is_lead': [True, False], 'income_gain': [nan, 4.0]}
    """
    lead = orgs.loc[orgs[s.ORG_ID] == org_id, s.LEAD_VILLAGE_CODE]
    rows = members.loc[members[s.ORG_ID] == org_id]
    out = rows[[s.VILLAGE_CODE]].merge(villages[[s.VILLAGE_CODE, s.NAME, s.COUNTY, s.TOWNSHIP,
                                                 s.POPULATION]], on=s.VILLAGE_CODE, how="left")
    out[IS_LEAD] = out[s.VILLAGE_CODE].isin(lead).to_numpy()
    out[s.JOINED_YEAR] = (rows[s.JOINED_YEAR].to_numpy() if s.JOINED_YEAR in rows
                          else pd.NA)
    out = pd.concat([out, _incomes(out, income, base_year, eval_year)], axis=1)
    out = out.sort_values([IS_LEAD, s.VILLAGE_CODE], ascending=[False, True])
    return out[list(MEMBER_COLUMNS)].reset_index(drop=True)


def income_before_after(org_id: str, members: pd.DataFrame, villages: pd.DataFrame,
                        income: pd.DataFrame) -> pd.DataFrame:
    """Mean income of one organisation's members per year, against the others.

    Parameters
    ----------
    org_id : str
    members, villages, income : DataFrame
        ``joint_members``; the villages to compare with (e.g. those of the
        selected area; only ``kind = village`` rows in no organisation count
        as "others"); ``village_income`` (万元).

    Returns
    -------
    DataFrame
        One row per year of ``income``: ``year``, ``members_mean`` and
        ``others_mean`` (万元 per village, over the villages with income that
        year; NaN when none), ``members_joined`` (members whose
        ``joined_year`` ≤ year) and ``joined`` (True from the first year a
        member joined, the year the organisation started to work).

    Examples
    --------
    Members a, b joined in 2020; c is in no organisation::

    >>> v = pd.DataFrame({"village_code": ["a", "b", "c"], "kind": ["village"] * 3})
    >>> m = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"],
    ...                   "joined_year": [2020, 2020]})
    >>> inc = pd.DataFrame({"village_code": ["a", "b", "c"] * 2, "year": [2019] * 3 + [2021] * 3,
    ...     "collective_income": [8.0, 10.0, 5.0, 12.0, 16.0, 6.0]})
    >>> income_before_after("O1", m, v, inc).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'year': [2019, 2021], 'members_mean': [9.0, 14.0], 'others_mean': [5.0, 6.0],
     'members_joined': [0, 2], 'joined': [False, True]}
    """
    rows = members.loc[members[s.ORG_ID] == org_id]
    others = villages.loc[(villages[s.KIND] == s.KIND_VILLAGE).to_numpy(dtype=bool)
                          & ~villages[s.VILLAGE_CODE].isin(members[s.VILLAGE_CODE]).to_numpy()]
    per_village = income.groupby([s.YEAR, s.VILLAGE_CODE])[s.COLLECTIVE_INCOME].sum(min_count=1)
    per_village = per_village.dropna().reset_index()
    years = sorted(int(y) for y in per_village[s.YEAR].unique())
    in_org = per_village[per_village[s.VILLAGE_CODE].isin(rows[s.VILLAGE_CODE])]
    in_others = per_village[per_village[s.VILLAGE_CODE].isin(others[s.VILLAGE_CODE])]
    joined = (rows[s.JOINED_YEAR].dropna().astype(int).to_numpy() if s.JOINED_YEAR in rows
              else np.array([], dtype=int))
    out = pd.DataFrame({s.YEAR: years})
    out[YEAR_MEMBERS] = out[s.YEAR].map(in_org.groupby(s.YEAR)[s.COLLECTIVE_INCOME].mean())
    out[YEAR_OTHERS] = out[s.YEAR].map(in_others.groupby(s.YEAR)[s.COLLECTIVE_INCOME].mean())
    out[MEMBERS_JOINED] = [int((joined <= y).sum()) for y in years]
    out[JOINED] = out[MEMBERS_JOINED] > 0
    return out.astype({YEAR_MEMBERS: float, YEAR_OTHERS: float})


def _member_villages(orgs: pd.DataFrame, members: pd.DataFrame, villages: pd.DataFrame,
                     income: pd.DataFrame, base_year, eval_year) -> pd.DataFrame:
    """Villages (kind = village) of ``villages`` with their organisation's type and gain."""
    rows = villages.loc[(villages[s.KIND] == s.KIND_VILLAGE).to_numpy(dtype=bool)]
    out = pd.concat([rows[[s.VILLAGE_CODE, s.COUNTY_CODE, s.COUNTY, s.TOWNSHIP_CODE,
                           s.TOWNSHIP]],
                     village_orgs(rows, orgs, members)[[s.ORG_ID, s.ORG_TYPE]],
                     _incomes(rows, income, base_year, eval_year)[[INCOME_GAIN]]], axis=1)
    return out


def breakdown_by_type(orgs: pd.DataFrame, members: pd.DataFrame, villages: pd.DataFrame,
                      income: pd.DataFrame, base_year: int | None = None,
                      eval_year: int | None = None) -> pd.DataFrame:
    """Organisations and member villages per organisation type, within ``villages``.

    ``villages`` is the area looked at (the whole dataset, a county, a
    township): organisations count when their lead village lies in it,
    member villages (``kind = village``) when they lie in it.

    Returns
    -------
    DataFrame
        One row per type of :data:`geo.schema.ORG_TYPES` (in that order):
        ``org_type``, ``type_label``, ``orgs``, ``members`` (member villages),
        ``villages_total`` (villages of the area), ``coverage`` (members /
        villages_total, a fraction) and ``income_gain`` (mean over members
        with income in both years of eval − base, 万元; NaN when none).

    Examples
    --------
    >>> v = pd.DataFrame({"village_code": ["a", "b", "c", "d"], "kind": ["village"] * 4,
    ...     "county_code": "C", "county": "县", "township_code": "T", "township": "镇"})
    >>> o = pd.DataFrame({"org_id": ["O1"], "org_type": ["industry"], "name": ["一"],
    ...                   "lead_village_code": ["a"]})
    >>> m = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"]})
    >>> inc = pd.DataFrame({"village_code": ["a", "a", "b", "b"], "year": [2019, 2021] * 2,
    ...     "collective_income": [8.0, 12.0, 20.0, 26.0]})
    >>> t = breakdown_by_type(o, m, v, inc)
    >>> t[["orgs", "members", "coverage", "income_gain"]][t["org_type"] == "industry"
    ...     ].to_dict("list")
    {'orgs': [1], 'members': [2], 'coverage': [0.5], 'income_gain': [5.0]}
    """
    table = _member_villages(orgs, members, villages, income, base_year, eval_year)
    positions = org_village_positions(villages, orgs, members)
    lying = orgs.loc[positions >= 0, s.ORG_TYPE].value_counts()
    joint = table[table[s.ORG_ID].notna()].groupby(s.ORG_TYPE)
    out = pd.DataFrame({s.ORG_TYPE: list(s.ORG_TYPES), TYPE_LABEL: list(s.ORG_TYPES.values())})
    out[ORGS] = out[s.ORG_TYPE].map(lying).fillna(0).astype(int)
    out[MEMBERS] = out[s.ORG_TYPE].map(joint.size()).fillna(0).astype(int)
    out[VILLAGES_TOTAL] = len(table)
    out[COVERAGE] = out[MEMBERS] / len(table) if len(table) else np.nan
    out[INCOME_GAIN] = out[s.ORG_TYPE].map(joint[INCOME_GAIN].mean()).astype(float)
    return out


def breakdown_by_area(orgs: pd.DataFrame, members: pd.DataFrame, villages: pd.DataFrame,
                      income: pd.DataFrame, by: str = "county", base_year: int | None = None,
                      eval_year: int | None = None) -> pd.DataFrame:
    """Organisations, member villages, coverage and gain per county or township.

    Counted as in :func:`breakdown_by_type`, grouped by where the villages
    (and the organisations' lead villages) lie.  ``by`` is ``"county"`` or
    ``"township"``; anything else raises ``ValueError`` naming the valid ones.

    Returns
    -------
    DataFrame
        One row per area of ``villages``, by code: ``code``, ``name``, then
        :data:`BREAKDOWN_COLUMNS` (``coverage`` a fraction, ``income_gain`` 万元).

    Examples
    --------
    >>> v = pd.DataFrame({"village_code": ["a", "b", "c"], "kind": ["village"] * 3,
    ...     "county_code": ["C", "C", "D"], "county": ["甲县", "甲县", "乙县"],
    ...     "township_code": ["T", "T", "U"], "township": ["镇", "镇", "乡"]})
    >>> o = pd.DataFrame({"org_id": ["O1"], "org_type": ["other"], "name": ["一"],
    ...                   "lead_village_code": ["c"]})
    >>> m = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["b", "c"]})
    >>> inc = pd.DataFrame(columns=["village_code", "year", "collective_income"])
    >>> t = breakdown_by_area(o, m, v, inc)
    >>> t[["code", "name", "orgs", "members", "coverage"]].to_dict("list")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'code': ['C', 'D'], 'name': ['甲县', '乙县'], 'orgs': [0, 1], 'members': [1, 1],
     'coverage': [0.5, 1.0]}
    """
    levels = {"county": (s.COUNTY_CODE, s.COUNTY), "township": (s.TOWNSHIP_CODE, s.TOWNSHIP)}
    if by not in levels:
        raise ValueError(f"未知的分组方式 by={by!r}；可选：{'、'.join(levels)}")
    code, name = levels[by]
    table = _member_villages(orgs, members, villages, income, base_year, eval_year)
    positions = org_village_positions(villages, orgs, members)
    lying = villages[code].to_numpy(dtype=object)[positions[positions >= 0]]
    grouped = table.groupby(code)
    joint = table[table[s.ORG_ID].notna()].groupby(code)
    out = villages.groupby(code, sort=True)[name].first().rename_axis("code").reset_index()
    out = out.rename(columns={name: "name"})
    out[ORGS] = out["code"].map(pd.Series(lying).value_counts()).fillna(0).astype(int)
    out[MEMBERS] = out["code"].map(joint.size()).fillna(0).astype(int)
    out[VILLAGES_TOTAL] = out["code"].map(grouped.size()).fillna(0).astype(int)
    out[COVERAGE] = (out[MEMBERS] / out[VILLAGES_TOTAL].where(out[VILLAGES_TOTAL] > 0))
    out[INCOME_GAIN] = out["code"].map(joint[INCOME_GAIN].mean()).astype(float)
    return out
