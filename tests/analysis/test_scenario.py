"""Scenario figures (SPEC §4) on the squares of :mod:`tests.analysis.test_grouping` and the demo.

Hand-worked answers (squares): 6 villages A–F (population 2,100) and the
community G; today O1 = {A, B, C}: 3 villages, coverage 3/6 = 0.5,
population (100 + 200 + 300) / 2100.
"""
import pytest

from analysis.grouping import Group, GroupRules
from analysis.kpis import KPI_KEYS, compute_kpis
from analysis.params import Params
from analysis.scenario import (Scenario, evaluate_group, evaluate_scenario, scenario_context,
                               scenario_from_today)
from analysis.scenario_layers import scenario_dataset
from geo import schema as s
from geo.dataset import load_dataset
from tests.analysis.conftest import make_dataset
from tests.analysis.test_grouping import A, B, C, D, E, F, G, square_dataset, square_layers
from tests.conftest import DEMO

T = "2026-11-23T10:00:00+08:00"
FIGURES = ("joint_orgs", "joint_villages", "joint_coverage", "joint_population_coverage")


def plan(*groups) -> Scenario:
    return Scenario("方案A", T, tuple(Group(f"S{i}", f"第{i}组", "industry", codes[0], codes)
                                    for i, codes in enumerate(groups, start=1)))


@pytest.fixture(scope="module")
def squares():
    return square_dataset()


@pytest.fixture(scope="module")
def ctx(squares):
    return scenario_context(squares, Params())


def test_today_as_a_scenario(squares, ctx):
    assert ctx.today.groups == (Group("O1", "洪田联村党委", "strong_weak", A, (A, B, C)),)
    r = evaluate_scenario(ctx, scenario_from_today(squares))
    assert [r[k] for k in FIGURES] == [1, 3, 0.5, 600 / 2100]
    assert r["today"] == {k: r[k] for k in FIGURES}
    assert r["delta"] == {"joint_orgs": 0, "joint_villages": 0, "joint_coverage": 0.0,
                          "joint_population_coverage": 0.0}
    assert (r["new_villages"], r["removed_villages"], r["projected_income_gain"]) == ([], [], 0.0)


def test_new_villages_and_communities(ctx):
    """S1 = {A, B, C}, S2 = {D, E, G}: G is a community, so 5 villages, 1500 persons;
    S2's own population counts every member: 400 + 500 + 1000."""
    r = evaluate_scenario(ctx, plan((A, B, C), (D, E, G)))
    assert [r[k] for k in FIGURES] == [2, 5, 5 / 6, 1500 / 2100]
    assert (r["new_villages"], r["new_villages_count"], r["removed_villages"]) == ([D, E], 2, [])
    assert r["delta"]["joint_villages"] == 2
    assert r["groups"][1]["size"] == 3 and r["groups"][1]["population"] == 1900


def test_removed_villages(ctx):
    """Only {A, B}: C leaves coverage; F joins in S2."""
    r = evaluate_scenario(ctx, plan((A, B), (F,)))
    assert (r["new_villages"], r["removed_villages"], r["removed_villages_count"]) == ([F], [C], 1)
    assert r["joint_villages"] - r["today"]["joint_villages"] == 1 - 1


def test_duplicates_count_once_in_their_first_group(ctx):
    """B in S1 and S2: counted in S1; A, B, C, D are covered (4 villages)."""
    r = evaluate_scenario(ctx, plan((A, B), (B, C, D)))
    assert r["duplicate_codes"] == [B] and r["joint_villages"] == 4
    assert r["groups"][1]["violation_keys"][-1] == "duplicate_code"
    assert r["groups"][1]["violations"][-1] == (f"第2组：乙村（{B}）已在「第1组」中，"
                                                "按第一次出现计算")
    assert r["valid"] is False
    assert evaluate_scenario(ctx, plan((A, A, B)))["duplicate_codes"] == [A]


def test_unknown_codes_are_left_out(ctx):
    r = evaluate_scenario(ctx, plan((A, "999", B, "888"), ("999",)))
    assert r["unknown_codes"] == ["999", "888"]
    assert r["joint_villages"] == 2 and r["joint_orgs"] == 2
    assert r["groups"][1]["violation_keys"][:2] == ["empty", "unknown_code"]


def test_empty_scenario_is_zero_not_missing(ctx):
    r = evaluate_scenario(ctx, Scenario("空白", T))
    assert [r[k] for k in FIGURES] == [0, 0, 0.0, 0.0]
    assert r["removed_villages"] == [A, B, C] and r["valid"] is True


def test_valid_scenario(ctx):
    """{A, B, C}: contiguous (A–B edge, B–C corner), A strong, one township, 3 villages."""
    r = evaluate_scenario(ctx, plan((A, B, C)))
    assert r["valid"] is True and r["groups_with_violations"] == 0
    g = r["groups"][0]
    assert (g["size"], g["contiguous"], g["has_strong"], g["within_township"]) == (3, True, True,
                                                                                 True)


def test_documents_are_accepted(ctx):
    doc = {"name": "A", "created": T, "groups": [
        {"org_id": "S1", "name": "甲", "org_type": "industry", "lead_village_code": A,
         "villages": [A, B, C]}]}
    assert evaluate_scenario(ctx, doc)["joint_villages"] == 3
    assert evaluate_group(ctx, doc["groups"][0])["size"] == 3


def test_today_missing_without_organisations():
    """No joint_orgs / joint_members layers: today's figures are None, as in compute_kpis."""
    layers = square_layers()
    del layers[s.JOINT_ORGS], layers[s.JOINT_MEMBERS]
    dataset = make_dataset(**layers)
    ctx = scenario_context(dataset)
    r = evaluate_scenario(ctx, plan((A, B, C)))
    assert r["today"] == dict.fromkeys(FIGURES)
    assert {k: compute_kpis(dataset)[k] for k in FIGURES} == r["today"]
    assert r["delta"] == dict.fromkeys(FIGURES) and r["new_villages"] == [A, B, C]
    assert r["projection"] is None  # no joint village to learn the difference from


def test_adjacency_is_taken_from_the_caller(squares):
    """A hand-made neighbour dict where D and E touch: {D, E} becomes contiguous."""
    nbrs = {A: {B, F}, B: {A, C, F}, C: {B, D}, D: {C, E}, E: {D}, F: {A, B}, G: set()}
    ctx = scenario_context(squares, adjacency=nbrs)
    assert evaluate_group(ctx, Group("S1", "", "other", D, (D, E)))["contiguous"] is True


def test_scenario_dataset_gives_every_figure(squares, ctx):
    """Today as a scenario: every §3 figure unchanged.  {D, E} instead: joint gain
    (2 + 1) / 2 = 1.5 万元, other (20 + 29.99 + 1 + 10) / 4 = 15.2475 万元."""
    today = compute_kpis(scenario_dataset(squares, ctx, ctx.today))
    assert today == compute_kpis(squares)
    other = compute_kpis(scenario_dataset(squares, ctx, plan((D, E, "999", D))))
    assert other["joint_villages"] == 2 and other["avg_members_per_org"] == 2.0
    assert other["avg_income_gain_joint"] == pytest.approx(1.5)
    assert other["avg_income_gain_other"] == pytest.approx(15.2475)


def test_with_and_without_group():
    sc = plan((A, B))
    assert sc.with_group(Group("S1", villages=(C,))).groups == (Group("S1", villages=(C,)),)
    assert [g.org_id for g in sc.with_group(Group("S9")).groups] == ["S1", "S9"]
    assert sc.without_group("S1").groups == ()


# ---- the demo (三明市) ----------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    return load_dataset(DEMO)


@pytest.fixture(scope="module")
def demo_ctx(demo):
    return scenario_context(demo, Params())


def test_demo_today_equals_compute_kpis(demo, demo_ctx):
    """Today's 223 organisations evaluated as a scenario: 223 / 869 / 0.5023… exactly."""
    kpis = compute_kpis(demo)
    r = evaluate_scenario(demo_ctx, scenario_from_today(demo))
    assert (r["joint_orgs"], r["joint_villages"]) == (223, 869)
    assert round(r["joint_coverage"], 4) == 0.5023
    for key in FIGURES:
        assert r[key] == kpis[key] and r["today"][key] == kpis[key]
    assert r["new_villages"] == [] and r["removed_villages"] == []
    assert r["unknown_codes"] == [] and r["duplicate_codes"] == []
    assert demo_ctx.gain_basis.overall_did == pytest.approx(kpis["income_gain_did"])


def test_demo_scenario_kpis_follow(demo, demo_ctx):
    """Dropping the first organisation: compute_kpis on the replaced layers agrees."""
    smaller = demo_ctx.today.without_group(demo_ctx.today.groups[0].org_id)
    r = evaluate_scenario(demo_ctx, smaller, GroupRules(within_township=False))
    kpis = compute_kpis(scenario_dataset(demo, demo_ctx, smaller))
    assert [kpis[k] for k in FIGURES] == [r[k] for k in FIGURES]
    assert r["joint_villages"] == 869 - len(demo_ctx.today.groups[0].villages)
    assert set(KPI_KEYS) <= set(kpis)
