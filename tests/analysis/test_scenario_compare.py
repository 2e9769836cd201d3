"""Comparing scenarios on the squares of :mod:`tests.analysis.test_grouping`.

Today O1 洪田联村党委 = {A, B, C}.  Plan: S1 甲乙 = {A, B}, S2 丁戊 = {D, E, F}.
Hand-worked: organisations 1 → 2; villages 3 → 5 (A, B, D, E, F); new D, E,
F; removed C; every one of A–F changes group (A and B from O1 to S1).
Moved rows sorted by township then code: F (槐南镇) first, then A–E (洪田镇).
"""
import pytest

from analysis.grouping import GroupRules
from analysis.params import Params
from analysis.scenario import Group, Scenario, scenario_context, scenario_document
from analysis.scenario_compare import (FIGURE_COLUMNS, MOVED_COLUMNS, compare_scenarios,
                                       moved_villages)
from tests.analysis.test_grouping import A, B, C, D, E, F, square_dataset

T = "2026-11-23T10:00:00+08:00"
PLAN = Scenario("方案A", T, (Group("S1", "甲乙", "strong_weak", A, (A, B)),
                             Group("S2", "丁戊", "industry", D, (D, E, F))))


@pytest.fixture(scope="module")
def ctx():
    return scenario_context(square_dataset(), Params())


def test_plan_against_today(ctx):
    cmp = compare_scenarios(ctx, None, PLAN, GroupRules(min_size=2, within_township=False))
    assert (cmp.name_a, cmp.name_b) == ("现状", "方案A")
    assert list(cmp.figures.columns) == list(FIGURE_COLUMNS)
    rows = cmp.figures.set_index("指标")
    assert rows.loc["联村党组织数", ["A", "B", "差值"]].tolist() == [1, 2, 1]
    assert rows.loc["联建村数", ["A", "B", "差值"]].tolist() == [3, 5, 2]
    assert rows.loc["联村覆盖率", "差值"] == pytest.approx(5 / 6 - 0.5)
    assert rows.loc["新增联建村数（较现状）", "B"] == 3
    assert rows.loc["退出联建村数（较现状）", "B"] == 1
    assert rows.loc["预计增收（估算，较现状）", "A"] == 0.0
    assert rows.loc["不符合约束的分组数", "B"] == 1  # S2: D–E 50 m apart, F far away

    moved = cmp.moved
    assert list(moved.columns) == list(MOVED_COLUMNS)
    assert moved["village_code"].tolist() == [F, A, B, C, D, E]
    c_row = moved.set_index("village_code").loc[C]
    assert c_row[["from_org_id", "from_group", "to_org_id", "to_group"]].tolist() == [
        "O1", "洪田联村党委", None, "未联建"]
    assert moved.set_index("village_code").loc[F, "to_group"] == "丁戊"
    assert moved.set_index("village_code").loc[F, "kind"] == "行政村"


def test_direction_and_documents(ctx):
    """Plan → today is the mirror image; documents (dicts) are accepted."""
    back = compare_scenarios(ctx, scenario_document(PLAN), None)
    assert back.figures.set_index("指标").loc["联建村数", "差值"] == -2
    assert back.moved.set_index("village_code").loc[C, "to_org_id"] == "O1"


def test_identical_scenarios(ctx):
    cmp = compare_scenarios(ctx, PLAN, PLAN)
    assert cmp.moved.empty and list(cmp.moved.columns) == list(MOVED_COLUMNS)
    assert all(d == 0 for d in cmp.figures["差值"])


def test_renamed_group_is_a_move(ctx):
    """Same members under another org_id: every member moves; unknown codes are not listed."""
    renamed = Scenario("B", T, (Group("X1", "甲乙", "strong_weak", A, (A, B, "999")),
                                Group("S2", "丁戊", "industry", D, (D, E, F))))
    assert moved_villages(ctx, PLAN, renamed)["village_code"].tolist() == [A, B]
    cmp = compare_scenarios(ctx, PLAN, renamed)
    assert cmp.figures.set_index("指标").loc["未知村代码数", ["A", "B"]].tolist() == [0, 1]
