"""Projected income gain of newly covered villages (an estimate with its basis).

Hand-made table (万元, base → eval), ``min_villages=2``::

    j1 industry     10 → 20   gain 10   joint
    j2 industry     10 → 22   gain 12   joint
    j3 territorial  10 → 14   gain  4   joint (alone: its type borrows the overall difference)
    o1, o2, o3       0 → 1, 2, 3        other, mean 2
    o4               5 → —              no eval income: left out
    cm community    10 → 90             left out (not a village)

joint mean (10 + 12 + 4) / 3 = 26/3; overall DID = 26/3 − 2 = 20/3;
industry DID = 11 − 2 = 9 (own); territorial and strong_weak: 20/3 (overall).
New o1 (industry) and o2 (territorial), removed j3 (territorial):
total = 9 + 20/3 − 20/3 = 9; mean per new village = (9 + 20/3) / 2 = 47/6.
"""
import json

import numpy as np
import pandas as pd
import pytest

from analysis.grouping import GroupRules
from analysis.params import Params
from analysis.projection import OVERALL, OWN_TYPE, gain_basis, project_income_gain
from analysis.scenario import Group, Scenario, evaluate_scenario, scenario_context
from tests.analysis.test_grouping import A, B, C, D, E, square_dataset

T = "2026-11-23T10:00:00+08:00"


@pytest.fixture
def attrs():
    codes = ["j1", "j2", "j3", "o1", "o2", "o3", "o4", "cm"]
    return pd.DataFrame({
        "kind": ["village"] * 7 + ["community"],
        "income_base": [10.0, 10.0, 10.0, 0.0, 0.0, 0.0, 5.0, 10.0],
        "income_eval": [20.0, 22.0, 14.0, 1.0, 2.0, 3.0, np.nan, 90.0]},
        index=pd.Index(codes, name="village_code"))


TODAY = {"j1": "industry", "j2": "industry", "j3": "territorial", "cm": "industry"}


def test_basis_by_hand(attrs):
    basis = gain_basis(attrs, TODAY, (2019, 2023), min_villages=2)
    assert basis.overall_did == pytest.approx(20 / 3)
    assert (basis.joint_villages, basis.other_villages) == (3, 3)
    t = basis.table
    assert t.loc["industry", ["joint_villages", "joint_mean_gain", "other_mean_gain", "did",
                              "did_source"]].tolist() == [2, 11.0, 2.0, 9.0, OWN_TYPE]
    assert t.loc["territorial", "did"] == pytest.approx(20 / 3)
    assert t.loc["territorial", "did_source"] == OVERALL
    assert t.loc["strong_weak", "joint_villages"] == 0
    assert np.isnan(t.loc["strong_weak", "joint_mean_gain"])
    assert t.loc["industry", "type_label"] == "产业主导"


def test_projection_by_hand(attrs):
    basis = gain_basis(attrs, TODAY, (2019, 2023), min_villages=2)
    p = project_income_gain(basis, {"o1": "industry", "o2": "territorial"}, {"j3": "territorial"})
    assert p.total == pytest.approx(9.0)
    assert p.mean_per_new_village == pytest.approx(47 / 6)
    assert p.basis.loc["industry", "projected"] == pytest.approx(9.0)
    assert p.basis.loc["territorial", ["new_villages", "removed_villages"]].tolist() == [1, 1]
    assert p.basis.loc["territorial", "projected"] == pytest.approx(0.0)
    assert "估算" in p.sentence and "2019—2023" in p.sentence
    assert "新增联建的 2 个村合计约多增收 15.67 万元" in p.sentence
    assert "退出联建的 1 个村扣减 6.67 万元，净增约 9.00 万元" in p.sentence
    json.dumps(p.as_dict(), ensure_ascii=False)  # JSON-ready
    assert p.as_dict()["basis"][2]["joint_mean_gain"] is None  # strong_weak: no village


def test_default_threshold_borrows_overall(attrs):
    """With the default 10 villages no type has enough: every DID is the overall one."""
    basis = gain_basis(attrs, TODAY, (2019, 2023))
    assert set(basis.table["did_source"]) == {OVERALL}
    p = project_income_gain(basis, {"o1": "industry"}, {})
    assert p.total == pytest.approx(20 / 3)


def test_unknown_type_uses_overall(attrs):
    basis = gain_basis(attrs, TODAY, (2019, 2023), min_villages=2)
    p = project_income_gain(basis, {"o1": "mystery"}, {})
    assert p.total == pytest.approx(20 / 3)
    assert p.basis.loc["mystery", "type_label"] == "未知类型 mystery"


def test_nothing_new(attrs):
    p = project_income_gain(gain_basis(attrs, TODAY, (2019, 2023)), {}, {})
    assert (p.total, p.mean_per_new_village, p.new_villages) == (0.0, None, 0)


def test_none_without_basis(attrs):
    assert gain_basis(attrs, TODAY, (None, None)) is None
    assert gain_basis(attrs, TODAY, (2023, 2023)) is None
    assert gain_basis(attrs, {}, (2019, 2023)) is None  # no joint village
    assert project_income_gain(None, {"o1": "industry"}, {}) is None


def test_projection_of_a_scenario():
    """Squares: joint A, B, C gained 20, 29.99, 1; others D, E, F gained 2, 1, 10:
    DID = 50.99/3 − 13/3 = 12.663…; S1 {A, B} + S2 {D, E}: D and E new, C removed."""
    ctx = scenario_context(square_dataset(), Params())
    sc = Scenario("A", T, (Group("S1", "", "strong_weak", A, (A, B)),
                           Group("S2", "", "industry", D, (D, E))))
    r = evaluate_scenario(ctx, sc, GroupRules(min_size=2))
    did = (50.99 - 13) / 3
    assert r["projected_income_gain"] == pytest.approx(did)
    assert r["projection"]["mean_per_new_village"] == pytest.approx(did)
    rows = {row["org_type"]: row for row in r["projection"]["basis"]}
    assert (rows["industry"]["new_villages"], rows["strong_weak"]["removed_villages"]) == (2, 1)
    assert rows["strong_weak"]["joint_villages"] == 3


def test_projection_none_without_income():
    assert scenario_context(square_dataset(income=False)).gain_basis is None
    ctx = scenario_context(square_dataset(), Params(base_year=2023, eval_year=2023))
    r = evaluate_scenario(ctx, Scenario("A", T, (Group("S1", villages=(C, D)),)))
    assert r["projection"] is None and r["projected_income_gain"] is None
