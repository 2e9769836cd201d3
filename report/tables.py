"""Tables of the report (Word tables and Excel sheets), as plain frames.

Every function takes frames and plain values and returns a new frame; the
inputs are not changed.  Incomes are collective operating incomes in 万元;
ratios stay fractions (the writers format them).

>>> rows = [{"code": "C", "name": "甲县", "joint_orgs": 2, "joint_coverage": 0.5}]
>>> area_table(rows, ("joint_orgs", "joint_coverage")).to_dict("list")
{'code': ['C'], 'name': ['甲县'], 'joint_orgs': [2], 'joint_coverage': [0.5]}
>>> table_cell(0.50231, "%"), table_cell(6.5, "万元"), table_cell(None, "个")
('50.23', '6.50', '—')
"""
from __future__ import annotations

import pandas as pd

from analysis.income import resolve_years
from analysis.kpis import KPI_KEYS, KPI_LABELS
from analysis.orgs import (INCOME_BASE, INCOME_EVAL, INCOME_GAIN, IS_LEAD, LEAD_VILLAGE,
                           TYPE_LABEL, org_table)
from analysis.villages import village_table
from geo import schema as s
from texts.numbers import NO_VALUE, cell as table_cell  # noqa: F401 (table register)

ORG_MEMBER_COLUMNS = (s.ORG_ID, "org_name", TYPE_LABEL, LEAD_VILLAGE, s.FOUNDED_YEAR,
                      s.PROJECTS, s.VILLAGE_CODE, "village", s.COUNTY, s.TOWNSHIP, IS_LEAD,
                      s.JOINED_YEAR, INCOME_BASE, INCOME_EVAL, INCOME_GAIN)
LOW_INCOME_COLUMNS = (s.COUNTY, s.TOWNSHIP, s.VILLAGE_CODE, s.NAME, s.POPULATION, s.ORG_ID,
                      INCOME_BASE, INCOME_EVAL, INCOME_GAIN)


def kpi_header(key: str) -> str:
    """Column header of a figure: its Chinese label and unit.

    >>> kpi_header("joint_coverage"), kpi_header("joint_orgs")
    ('联村覆盖率（%）', '联村党组织数（个）')
    """
    label, unit = KPI_LABELS[key]
    return f"{label}（{unit}）"


def area_table(rows: list[dict], keys=KPI_KEYS) -> pd.DataFrame:
    """One row per area (items of :func:`analysis.kpis.kpis_by_area`): ``code``,
    ``name`` and the figures ``keys`` (``None`` stays missing)."""
    return pd.DataFrame([{"code": r["code"], "name": r["name"], **{k: r.get(k) for k in keys}}
                         for r in rows], columns=["code", "name", *keys])


def org_member_table(orgs: pd.DataFrame, members: pd.DataFrame, villages: pd.DataFrame,
                     income: pd.DataFrame, base_year: int | None = None,
                     eval_year: int | None = None, county: str | None = None) -> pd.DataFrame:
    """One row per member village of each organisation (organisations lying in
    ``county`` when given, see :func:`analysis.orgs.org_table`), the
    organisation's fields repeated; an organisation without members has one
    row with empty member columns.

    Columns :data:`ORG_MEMBER_COLUMNS`; incomes of the member village (万元).

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "name": ["甲", "乙"], "kind": ["village"] * 2,
    ...     "county_code": ["C"] * 2, "county": ["县"] * 2, "township_code": ["T"] * 2,
    ...     "township": ["镇"] * 2, "population": [100, 300]})
    >>> o = pd.DataFrame({"org_id": ["O1"], "name": ["一"], "lead_village_code": ["b"],
    ...     "org_type": ["industry"], "founded_year": [2019], "projects": [3]})
    >>> m = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"],
    ...                   "joined_year": [2019] * 2})
    >>> inc = pd.DataFrame({"village_code": ["a", "a"], "year": [2019, 2021],
    ...                     "collective_income": [8.0, 12.0]})
    >>> t = org_member_table(o, m, v, inc)
    >>> t[["org_name", "village", "is_lead", "income_gain"]].values.tolist()
    [['一', '乙', True, nan], ['一', '甲', False, 4.0]]
    """
    table = org_table(orgs, members, villages, income, base_year, eval_year)
    if county is not None:
        table = table[(table[s.COUNTY_CODE] == county).to_numpy(dtype=bool)]
    head = table[[s.ORG_ID, s.NAME, TYPE_LABEL, LEAD_VILLAGE, s.FOUNDED_YEAR, s.PROJECTS,
                  s.LEAD_VILLAGE_CODE]].rename(columns={s.NAME: "org_name"})
    per_village = village_table(villages, members, income,
                                *resolve_years(income, base_year, eval_year))
    names = villages[[s.VILLAGE_CODE, s.NAME, s.COUNTY, s.TOWNSHIP]].reset_index(drop=True)
    incomes = per_village[[INCOME_BASE, INCOME_EVAL, INCOME_GAIN]].reset_index(drop=True)
    info = pd.concat([names, incomes], axis=1).rename(columns={s.NAME: "village"})
    joined_year = members[s.JOINED_YEAR] if s.JOINED_YEAR in members else pd.NA
    rows = members[[s.ORG_ID, s.VILLAGE_CODE]].assign(**{s.JOINED_YEAR: joined_year})
    out = head.merge(rows, on=s.ORG_ID, how="left").merge(info, on=s.VILLAGE_CODE, how="left")
    out[IS_LEAD] = (out[s.VILLAGE_CODE] == out[s.LEAD_VILLAGE_CODE]).to_numpy(dtype=bool)
    out = out.sort_values([s.ORG_ID, IS_LEAD, s.VILLAGE_CODE], ascending=[True, False, True])
    return out[list(ORG_MEMBER_COLUMNS)].reset_index(drop=True)


def low_income_table(villages: pd.DataFrame, members: pd.DataFrame, income: pd.DataFrame,
                     threshold: float, base_year: int | None = None,
                     eval_year: int | None = None, county: str | None = None) -> pd.DataFrame:
    """Villages (``kind = village``) with income(eval_year) < ``threshold`` (万元),
    lowest first: columns :data:`LOW_INCOME_COLUMNS` (``org_id`` empty when the
    village is in no organisation).  Villages without income that year are
    not listed (they are counted in ``income_missing``).

    >>> v = pd.DataFrame({"village_code": ["a", "b", "c"], "name": ["甲", "乙", "丙"],
    ...     "kind": ["village", "village", "community"], "county_code": ["C"] * 3,
    ...     "county": ["县"] * 3, "township": ["镇"] * 3, "population": [1, 2, 3]})
    >>> inc = pd.DataFrame({"village_code": ["a", "b", "c"], "year": [2021] * 3,
    ...                     "collective_income": [12.0, 8.0, 1.0]})
    >>> m = pd.DataFrame(columns=["org_id", "village_code"])
    >>> low_income_table(v, m, inc, 10.0)[["name", "income_eval"]].values.tolist()
    [['乙', 8.0]]
    """
    base_year, eval_year = resolve_years(income, base_year, eval_year)
    table = village_table(villages, members, income, base_year, eval_year)
    low = ((villages[s.KIND] == s.KIND_VILLAGE).to_numpy(dtype=bool)
           & (table[INCOME_EVAL] < threshold).to_numpy(dtype=bool))
    if county is not None:
        low &= (villages[s.COUNTY_CODE] == county).to_numpy(dtype=bool)
    out = villages.loc[low, [s.COUNTY, s.TOWNSHIP, s.VILLAGE_CODE, s.NAME, s.POPULATION]]
    out = pd.concat([out, table.loc[low, [s.ORG_ID, INCOME_BASE, INCOME_EVAL, INCOME_GAIN]]],
                    axis=1)
    out = pd.DataFrame(out.drop(columns="geometry", errors="ignore"))
    return out.sort_values([INCOME_EVAL, s.VILLAGE_CODE])[list(LOW_INCOME_COLUMNS)].reset_index(
        drop=True)
