"""Checks across layers: references, memberships, income completeness.

Each function takes the typed layers (``{layer name: frame}``, absent layers
missing from the mapping) and returns a list of problems.

>>> import pandas as pd
>>> layers = {"joint_orgs": pd.DataFrame({"org_id": ["A"], "lead_village_code": ["v1"]}),
...           "joint_members": pd.DataFrame({"org_id": ["A"], "village_code": ["v1"]})}
>>> [p.code for p in check_memberships(layers)]
['small_org']
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo import schema as s
from geo.problems import ERROR, WARNING, Problem


def _positions(mask) -> np.ndarray:
    return np.flatnonzero(np.asarray(mask, dtype=bool))


def _id_of(layer: str, df: pd.DataFrame, pos: int):
    spec = s.LAYERS[layer]
    key = spec.row_key
    if key is None or key not in df.columns:
        return None
    value = df[key].iloc[pos]
    return None if pd.isna(value) else str(value)


def check_references(layers: dict[str, pd.DataFrame]) -> list[Problem]:
    """Every reference declared in the schema points at an existing row."""
    problems = []
    for layer, frame in layers.items():
        for ref in s.LAYERS[layer].references:
            if ref.field not in frame.columns:
                continue
            target = layers.get(ref.target)
            if target is None or ref.target_field not in target.columns:
                valid = set()
            else:
                rows = target
                if ref.target_when and ref.target_when[0] in rows.columns:
                    rows = rows[rows[ref.target_when[0]] == ref.target_when[1]]
                valid = set(rows[ref.target_field].dropna())
            checked = frame[ref.field].notna()
            if ref.when:
                if ref.when[0] not in frame.columns:
                    continue
                checked &= (frame[ref.when[0]] == ref.when[1]).fillna(False)
            missing = checked & ~frame[ref.field].isin(valid)
            target_desc = f"{ref.target}.{ref.target_field}"
            if ref.target_when:
                target_desc += f"（{ref.target_when[0]}={ref.target_when[1]}）"
            code = "orphan_grid" if layer == s.GRIDS else "unknown_reference"
            for pos in _positions(missing):
                problems.append(Problem(
                    ref.severity, code, layer, ref.field, int(pos) + 1, _id_of(layer, frame, pos),
                    f"引用的 {frame[ref.field].iloc[pos]} 在 {target_desc} 中不存在"))
    return problems


def check_memberships(layers: dict[str, pd.DataFrame]) -> list[Problem]:
    """A village in at most one organisation; organisations of two or more;
    the lead village a member."""
    members = layers.get(s.JOINT_MEMBERS)
    orgs = layers.get(s.JOINT_ORGS)
    problems = []
    if members is not None and {s.ORG_ID, s.VILLAGE_CODE} <= set(members.columns):
        known = members[s.VILLAGE_CODE].notna()
        dup = known & members[s.VILLAGE_CODE].duplicated(keep=False)
        groups = members[dup].groupby(s.VILLAGE_CODE)[s.ORG_ID].agg(
            lambda x: "、".join(map(str, x)))
        for pos in _positions(dup):
            code = members[s.VILLAGE_CODE].iloc[pos]
            problems.append(Problem(
                ERROR, "village_in_two_orgs", s.JOINT_MEMBERS, s.VILLAGE_CODE, int(pos) + 1, code,
                f"村 {code} 同时属于多个联村党组织（{groups[code]}），一个村至多属于一个组织"))
    if orgs is None or s.ORG_ID not in orgs.columns:
        return problems
    if members is not None and {s.ORG_ID, s.VILLAGE_CODE} <= set(members.columns):
        count = members.groupby(s.ORG_ID)[s.VILLAGE_CODE].nunique()
        pairs = set(zip(members[s.ORG_ID], members[s.VILLAGE_CODE]))
    else:
        count, pairs = pd.Series(dtype=int), set()
    for pos, org in enumerate(orgs[s.ORG_ID]):
        n = int(count.get(org, 0))
        if n < 2:
            problems.append(Problem(WARNING, "small_org", s.JOINT_ORGS, s.ORG_ID, pos + 1, org,
                                    f"联村党组织只有 {n} 个成员村（应至少 2 个）"))
        if s.LEAD_VILLAGE_CODE in orgs.columns:
            lead = orgs[s.LEAD_VILLAGE_CODE].iloc[pos]
            if lead is not None and not pd.isna(lead) and (org, lead) not in pairs:
                problems.append(Problem(
                    WARNING, "lead_not_member", s.JOINT_ORGS, s.LEAD_VILLAGE_CODE, pos + 1, org,
                    f"领建村 {lead} 不是该组织的成员村"))
    return problems


def check_income_coverage(layers: dict[str, pd.DataFrame]) -> list[Problem]:
    """One warning per village (kind = village) lacking income in some year
    that the income table covers."""
    villages, income = layers.get(s.VILLAGES), layers.get(s.VILLAGE_INCOME)
    need = {s.VILLAGE_CODE, s.YEAR}
    if villages is None or income is None or not need <= set(income.columns) or income.empty:
        return []
    if s.KIND not in villages.columns or s.VILLAGE_CODE not in villages.columns:
        return []
    years = sorted(int(y) for y in income[s.YEAR].dropna().unique())
    have = pd.MultiIndex.from_arrays([income[s.VILLAGE_CODE].to_numpy(dtype=object),
                                      income[s.YEAR].astype("Int64").to_numpy(dtype=object)])
    is_village = (villages[s.KIND] == s.KIND_VILLAGE).to_numpy()
    positions = _positions(is_village)
    codes = villages[s.VILLAGE_CODE].to_numpy(dtype=object)[positions]
    wanted = pd.MultiIndex.from_arrays([np.repeat(codes, len(years)),
                                        np.tile(np.array(years, dtype=object), len(codes))])
    present = wanted.isin(have).reshape(len(codes), len(years))
    problems = []
    for row in np.flatnonzero(~present.all(axis=1)):
        missing = [y for y, ok in zip(years, present[row]) if not ok]
        problems.append(Problem(
            WARNING, "income_missing", s.VILLAGES, s.VILLAGE_CODE, int(positions[row]) + 1,
            codes[row],
            f"缺少 {'、'.join(map(str, missing))} 年的集体经营性收入（计入 income_missing）"))
    return problems
