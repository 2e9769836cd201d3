"""Two scenarios side by side (or one with today): figure deltas and the villages moved.

Both are evaluated with :func:`analysis.scenario.evaluate_scenario` on the
same :class:`~analysis.scenario.ScenarioContext`.  The figures table has one
row per figure (指标, 单位, A, B, 差值 = B − A; ratios as fractions); the
moved table lists every village or community whose group differs between A
and B, groups being identified by their ``org_id``.  Both are plain
DataFrames, ready for ``to_csv`` / ``to_excel`` (see
:func:`analysis.scenario_file.comparison_to_xlsx`).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis.grouping import GroupRules
from analysis.scenario import (UNCOVERED, Scenario, ScenarioContext, evaluate_scenario,
                               scenario_from_document, scenario_members)
from geo import schema as s

# (key in the evaluate_scenario result, label, unit)
COMPARED_FIGURES = (
    ("joint_orgs", "联村党组织数", "个"),
    ("joint_villages", "联建村数", "个"),
    ("joint_coverage", "联村覆盖率", "%"),
    ("joint_population_coverage", "联建村人口覆盖率", "%"),
    ("new_villages_count", "新增联建村数（较现状）", "个"),
    ("removed_villages_count", "退出联建村数（较现状）", "个"),
    ("projected_income_gain", "预计增收（估算，较现状）", "万元"),
    ("groups_with_violations", "不符合约束的分组数", "个"),
    ("unknown_count", "未知村代码数", "个"),
    ("duplicate_count", "重复村代码数", "个"),
)
FIGURE_COLUMNS = ("指标", "单位", "A", "B", "差值")
MOVED_COLUMNS = (s.VILLAGE_CODE, s.NAME, s.KIND, s.TOWNSHIP, "from_org_id", "from_group",
                 "to_org_id", "to_group")
MOVED_LABELS = {s.VILLAGE_CODE: "村代码", s.NAME: "村（社区）", s.KIND: "类型", s.TOWNSHIP: "乡镇",
                "from_org_id": "原分组编号", "from_group": "原分组",
                "to_org_id": "新分组编号", "to_group": "新分组"}


@dataclass(frozen=True, eq=False)
class ScenarioComparison:
    """``figures`` (指标, 单位, A, B, 差值) and ``moved`` villages of A → B,
    with both evaluations."""

    name_a: str
    name_b: str
    figures: pd.DataFrame
    moved: pd.DataFrame
    result_a: dict
    result_b: dict


def _value(result: dict, key: str):
    if key == "unknown_count":
        return len(result["unknown_codes"])
    if key == "duplicate_count":
        return len(result["duplicate_codes"])
    return result.get(key)


def figure_deltas(result_a: dict, result_b: dict) -> pd.DataFrame:
    """The compared figures of two evaluations: 指标, 单位, A, B, 差值
    (B − A; ``None`` if either is).

    >>> a = {"joint_orgs": 2, "joint_villages": 6, "joint_coverage": 0.5, "unknown_codes": [],
    ...      "duplicate_codes": []}
    >>> b = {"joint_orgs": 3, "joint_villages": 9, "joint_coverage": 0.75, "unknown_codes": ["x"],
    ...      "duplicate_codes": []}
    >>> figure_deltas(a, b).iloc[[0, 2, 8]].to_dict("records")[1]
    {'指标': '联村覆盖率', '单位': '%', 'A': 0.5, 'B': 0.75, '差值': 0.25}
    """
    rows = []
    for key, label, unit in COMPARED_FIGURES:
        a, b = _value(result_a, key), _value(result_b, key)
        rows.append({"指标": label, "单位": unit, "A": a, "B": b,
                     "差值": None if a is None or b is None else b - a})
    return pd.DataFrame(rows, columns=list(FIGURE_COLUMNS), dtype=object)


def _owners(context: ScenarioContext, scenario: Scenario) -> dict:
    scenario = scenario_from_document(scenario)
    assignment, _, _ = scenario_members(context, scenario)
    return {code: scenario.groups[i] for code, i in assignment.items()}


def moved_villages(context: ScenarioContext, a: Scenario, b: Scenario) -> pd.DataFrame:
    """Villages and communities whose group (by org_id) differs between ``a`` and ``b``.

    Columns :data:`MOVED_COLUMNS` (Chinese headers in :data:`MOVED_LABELS`);
    a village in no group shows ``None`` and 未联建.  Sorted by township then
    code.  Only codes of the dataset are listed (unknown codes are reported
    by the evaluation); a code listed twice counts in its first group.
    """
    owner_a, owner_b = _owners(context, a), _owners(context, b)
    rows = []
    for code in sorted(set(owner_a) | set(owner_b)):
        ga, gb = owner_a.get(code), owner_b.get(code)
        id_a, id_b = (ga.org_id if ga else None), (gb.org_id if gb else None)
        if id_a == id_b:
            continue
        fact = context.facts[code]
        rows.append({s.VILLAGE_CODE: code, s.NAME: fact.name,
                     s.KIND: s.KIND_VALUES[s.KIND_VILLAGE if fact.is_village else s.KIND_COMMUNITY],
                     s.TOWNSHIP: fact.township, "from_org_id": id_a,
                     "from_group": ga.label if ga else UNCOVERED, "to_org_id": id_b,
                     "to_group": gb.label if gb else UNCOVERED})
    frame = pd.DataFrame(rows, columns=list(MOVED_COLUMNS), dtype=object)
    order = frame[s.TOWNSHIP].fillna("").astype(str) + "\0" + frame[s.VILLAGE_CODE].astype(str)
    return frame.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def compare_scenarios(context: ScenarioContext, a: Scenario | None, b: Scenario | None,
                      rules: GroupRules = GroupRules()) -> ScenarioComparison:
    """Compare scenario ``a`` with scenario ``b``; ``None`` stands for today's organisations (现状).

    Parameters
    ----------
    context : ScenarioContext
        Of the dataset both scenarios refer to.
    a, b : Scenario, SPEC §4 document (dict) or None
        ``差值`` and the move direction go from ``a`` to ``b``: to see what a
        plan changes, pass ``a=None`` (today) and ``b=plan``.
    rules : GroupRules
        For the violation counts.

    Returns
    -------
    ScenarioComparison
    """
    a = context.today if a is None else scenario_from_document(a)
    b = context.today if b is None else scenario_from_document(b)
    result_a = evaluate_scenario(context, a, rules)
    result_b = evaluate_scenario(context, b, rules)
    return ScenarioComparison(a.name, b.name, figure_deltas(result_a, result_b),
                              moved_villages(context, a, b), result_a, result_b)
