"""Group checks of SPEC §4 on hand-built squares (EPSG:32650, metres).

Layout (100 m squares; x, y in m)::

    y=200  +------+              +------+  +------+     +------+
           |  F   |              |  C   |  |  D   |     |  E   |
    y=100  +------+------+-------+------+  +------+     +------+
           |  A   |  B   |     200..300   305..405   455..555
    y=0    +------+------+
           0     100    200                 (G: community at -300..-200 × 0..100, alone)

Adjacency (touch or gap ≤ 10 m), worked out by hand:
A–B share an edge; A–F share an edge; B–F touch at the corner (100, 100);
B–C touch at the corner (200, 100); C–D are 5 m apart (adjacent);
D–E are 50 m apart (not adjacent); G touches nothing.

Townships: A B C D E G in 洪田镇 (T1), F in 槐南镇 (T2).
Income 2019 → 2023 (万元): A 30 → 50.0 (strong: exactly the threshold 50),
B 20 → 49.99 (not strong), C 8 → 9 (weak: < 10), D 10 → 12, E 5 → 6 (and
weak_org), F 60 → 70 (strong), G 100 → 200 (community).
Population A 100, B 200, C 300, D 400, E 500, F 600, G 1000.
Today: O1 洪田联村党委 (strong_weak) = {A, B, C}, lead A.
"""
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from analysis.adjacency import neighbour_sets, village_adjacency
from analysis.grouping import (Group, GroupRules, check_group, components, contiguous,
                               group_constraints)
from analysis.params import Params
from analysis.scenario import evaluate_group, scenario_context
from geo import schema as s
from tests.analysis.conftest import make_dataset

A, B, C, D, E, F, G = (f"35048110120{i}" for i in range(1, 8))
BOXES = {A: (0, 0, 100, 100), B: (100, 0, 200, 100), C: (200, 100, 300, 200),
         D: (305, 100, 405, 200), E: (455, 100, 555, 200), F: (0, 100, 100, 200),
         G: (-300, 0, -200, 100)}
NAMES = {A: "甲村", B: "乙村", C: "丙村", D: "丁村", E: "戊村", F: "己村", G: "城关社区"}
INCOME = {A: (30.0, 50.0), B: (20.0, 49.99), C: (8.0, 9.0), D: (10.0, 12.0), E: (5.0, 6.0),
          F: (60.0, 70.0), G: (100.0, 200.0)}


def square_layers(income=True) -> dict:
    """The raw layers of the layout above (optionally without the income table)."""
    codes = list(BOXES)
    villages = gpd.GeoDataFrame({
        s.VILLAGE_CODE: codes, s.NAME: [NAMES[c] for c in codes],
        s.TOWNSHIP_CODE: ["350481101" if c != F else "350481102" for c in codes],
        s.TOWNSHIP: ["洪田镇" if c != F else "槐南镇" for c in codes],
        s.COUNTY_CODE: ["350481"] * 7, s.COUNTY: ["永安市"] * 7,
        s.KIND: ["village"] * 6 + ["community"], s.HOUSEHOLDS: [50] * 7,
        s.POPULATION: [100, 200, 300, 400, 500, 600, 1000],
        s.WEAK_ORG: [False, False, False, False, True, False, False],
    }, geometry=[shapely.box(*BOXES[c]) for c in codes], crs="EPSG:32650")
    orgs = pd.DataFrame({s.ORG_ID: ["O1"], s.NAME: ["洪田联村党委"], s.ORG_TYPE: ["strong_weak"],
                         s.LEAD_VILLAGE_CODE: [A], s.FOUNDED_YEAR: [2020]})
    members = pd.DataFrame({s.ORG_ID: ["O1"] * 3, s.VILLAGE_CODE: [A, B, C],
                            s.JOINED_YEAR: [2020] * 3})
    layers = {s.VILLAGES: villages, s.JOINT_ORGS: orgs, s.JOINT_MEMBERS: members}
    if income:
        rows = [(c, year, value) for c, pair in INCOME.items()
                for year, value in zip((2019, 2023), pair)]
        layers[s.VILLAGE_INCOME] = pd.DataFrame(rows, columns=[s.VILLAGE_CODE, s.YEAR,
                                                               s.COLLECTIVE_INCOME])
    return layers


def square_dataset(**kw):
    return make_dataset(**square_layers(**kw))


@pytest.fixture(scope="module")
def ctx():
    return scenario_context(square_dataset(), Params())


def _keys(ctx, group, rules=GroupRules()):
    return [v.key for v in check_group(ctx, group, group_constraints(rules))]


def test_neighbours_by_hand(ctx):
    assert neighbour_sets(village_adjacency(square_dataset().villages)) == {
        A: {B, F}, B: {A, C, F}, C: {B, D}, D: {C}, E: set(), F: {A, B}, G: set()}
    assert dict(ctx.neighbours)[D] == frozenset({C})


@pytest.mark.parametrize("codes, expected", [
    ((A, B), True),       # edge-sharing
    ((B, C), True),       # corner-touching
    ((C, D), True),       # 5 m apart
    ((D, E), False),      # 50 m apart
    ((A, C, D), False),   # C–D joined, A alone (B missing)
    ((A, B, C, D), True),  # a chain
])
def test_contiguity(ctx, codes, expected):
    group = Group("S1", "试点联村", "strong_weak", codes[0], codes)
    assert evaluate_group(ctx, group)["contiguous"] is expected
    assert (contiguous(ctx, group) is None) is expected


def test_detached_message_names_the_villages(ctx):
    """{A, C, D} with lead A: the largest part is {C, D}, so A is the one left out."""
    v = contiguous(ctx, Group("S1", "试点联村", "other", A, (A, C, D)))
    assert v.key == "not_contiguous" and v.villages == (A,)
    assert v.message == "试点联村：成员不连片（1 个村与其余成员不相邻：甲村）"


def test_tie_keeps_the_lead_part(ctx):
    """{D, E}: two parts of one; the lead's (E) is the main one, D is reported."""
    assert contiguous(ctx, Group("S1", "", "other", E, (D, E))).villages == (D,)
    assert components(ctx, [E, A, D, C]) == [[D, C], [E], [A]]


def test_within_township_only_a_violation_when_required(ctx):
    group = Group("S1", "跨镇联村", "strong_weak", A, (A, B, F))
    result = evaluate_group(ctx, group)
    assert result["within_township"] is False
    assert result["violation_keys"] == ["cross_township"]
    assert result["violations"] == ["跨镇联村：成员跨 2 个乡镇（洪田镇 2 个，槐南镇 1 个）"]
    allowed = evaluate_group(ctx, group, GroupRules(within_township=False))
    assert allowed["within_township"] is False and allowed["violations"] == []


@pytest.mark.parametrize("codes, rules, keys", [
    ((A,), GroupRules(), ["size_small"]),
    ((A, B), GroupRules(), ["size_small"]),
    ((A, B, C), GroupRules(), []),
    ((A, B, C, D), GroupRules(min_size=2, max_size=3), ["size_large"]),
    ((A, B), GroupRules(min_size=2, max_size=2), []),
])
def test_size_band(ctx, codes, rules, keys):
    assert _keys(ctx, Group("S1", "", "other", A, codes), rules) == keys


def test_has_strong_at_the_threshold(ctx):
    """A earns exactly 50.0 万元 (≥ 50: strong); B earns 49.99 (not strong)."""
    with_a = evaluate_group(ctx, Group("S1", "", "other", A, (A, B, C)))
    assert with_a["has_strong"] is True and with_a["strong_villages"] == 1
    without = evaluate_group(ctx, Group("S1", "乙丙丁", "other", B, (B, C, D)))
    assert without["has_strong"] is False
    assert without["violations"] == ["乙丙丁：没有强村（评估年集体经营性收入 ≥ 50 万元的成员村）"]
    lowered = evaluate_group(ctx, Group("S1", "", "other", B, (B, C, D)),
                             GroupRules(strong_threshold=49.99))
    assert lowered["has_strong"] is True and lowered["violations"] == []


def test_lead_must_be_a_member(ctx):
    assert _keys(ctx, Group("S1", "", "other", D, (A, B, C))) == ["lead_not_member"]
    assert _keys(ctx, Group("S1", "", "other", None, (A, B, C))) == ["lead_missing"]
    v = check_group(ctx, Group("S1", "甲组", "other", D, (A, B, C)), group_constraints())
    assert v[0].message == f"甲组：领建村 丁村（{D}）不是本组成员"


def test_empty_unknown_and_repeated_codes(ctx):
    assert _keys(ctx, Group("S1", "空组", "other", None, ())) == ["empty", "lead_missing"]
    result = evaluate_group(ctx, Group("S1", "甲组", "other", A, ("999", A, B, A, C)))
    assert result["violation_keys"] == ["unknown_code", "repeated_code"]
    assert result["violations"][0] == "甲组：1 个村代码不在村（社区）图层中：999"
    assert result["size"] == 3 and result["villages"] == [A, B, C]
    assert result["flagged_villages"] == ["999", A]
    only_unknown = _keys(ctx, Group("S1", "", "other", "x", ("x", "y")))
    assert only_unknown == ["empty", "unknown_code", "lead_not_member"]


def test_group_figures(ctx):
    """{C, D, E}: population 300 + 400 + 500; C (9 万元) and E (weak_org) are weak."""
    result = evaluate_group(ctx, Group("S9", "东片", "industry", C, (C, D, E)))
    assert (result["population"], result["weak_villages"], result["size"]) == (1200, 2, 3)
    assert result["violation_keys"] == ["not_contiguous", "no_strong"]


def test_rules_are_checked():
    with pytest.raises(ValueError, match="规模下限应 ≥ 1"):
        GroupRules(min_size=0)
    assert [f.__name__ for f in group_constraints(GroupRules())][-1] == "within_township"


def test_group_is_hashable_and_keeps_extra():
    g = Group("S1", villages=[A], extra={"color": "red"})
    assert g == Group("S1", villages=(A,), extra={"color": "red"})
    assert g != Group("S1", villages=(A,))
    assert {g: 1}[Group("S1", villages=(A,), extra={"color": "red"})] == 1
