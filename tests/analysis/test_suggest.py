"""Auto-suggest (issue 5, part 4): every rule holds, weak villages covered first.

Fixtures are rows of 100 m ``shapely.box`` squares in EPSG:32650; cell
(col, row) is the square [100·col, 100·col+100] × [100·row, 100·row+100].
Squares sharing an edge or a corner are adjacent (SPEC §4: touch or within
10 m); a skipped column leaves a 100 m gap (not adjacent).  Incomes (万元,
one year): S = 80 (strong, ≥ 50), W = 5 (weak, < 10), P = 20 (neither).
"""
import random

import geopandas as gpd
import networkx as nx
import pandas as pd
import pytest
import shapely

from analysis.adjacency import neighbour_sets, village_adjacency
from analysis.grouping import GroupRules
from analysis.suggest import (GroupSuggester, scope_candidates, suggest_groups,
                              suggestion_notes)
from analysis.suggest_checks import suggestion_violations
from analysis.suggest_search import SearchGraph, improve_groups, search_groups
from analysis.village_attributes import village_attributes
from geo import schema as s
from geo.dataset import load_dataset
from tests.conftest import DEMO

S, W, P = 80.0, 5.0, 20.0
SIDE = 100.0


def setting(cells, orgs=None):
    """``(attributes, neighbours)`` of cells ``(code, col, row, income, township)``.

    ``orgs`` maps an organisation id to its member codes (today's organisations).
    """
    code, col, row, income, township = zip(*cells)
    villages = gpd.GeoDataFrame(
        {s.VILLAGE_CODE: list(code), s.NAME: [f"{c}村" for c in code],
         s.TOWNSHIP_CODE: list(township), s.TOWNSHIP: [f"{t}镇" for t in township],
         s.COUNTY_CODE: ["C"] * len(code), s.COUNTY: ["县"] * len(code),
         s.KIND: [s.KIND_VILLAGE] * len(code), s.POPULATION: [100] * len(code),
         s.WEAK_ORG: [False] * len(code)},
        geometry=[shapely.box(c * SIDE, r * SIDE, (c + 1) * SIDE, (r + 1) * SIDE)
                  for c, r in zip(col, row)], crs="EPSG:32650")
    income = pd.DataFrame({s.VILLAGE_CODE: list(code), s.YEAR: 2023,
                           s.COLLECTIVE_INCOME: list(income)})
    pairs = [(o, v) for o, vs in (orgs or {}).items() for v in vs]
    members = pd.DataFrame(pairs, columns=[s.ORG_ID, s.VILLAGE_CODE])
    attrs = village_attributes(villages, income, members)
    return attrs, neighbour_sets(village_adjacency(villages))


def members_of(groups):
    return [list(g.villages) for g in groups]


def grid3(incomes, township="T1"):
    """A 3×3 block; ``incomes`` row by row from the bottom, codes a…i."""
    return [(code, k % 3, k // 3, inc, township) for k, (code, inc) in
            enumerate(zip("abcdefghi", incomes))]


def test_chain_only_contiguous_groups():
    """Row A(S) B(W) C(P) D(W) · E(W), E 100 m beyond D; sizes 3–4.

    Contiguous groups holding A: {A,B,C} (1 weak) and {A,B,C,D} (2 weak).
    {A,B,D,E} would hold 3 weak villages but is not contiguous, so the answer
    is A, B, C, D; E stays uncovered.
    """
    attrs, nbrs = setting([("A", 0, 0, S, "T1"), ("B", 1, 0, W, "T1"), ("C", 2, 0, P, "T1"),
                           ("D", 3, 0, W, "T1"), ("E", 5, 0, W, "T1")])
    groups = suggest_groups(attrs, nbrs, list("ABCDE"), GroupRules(3, 4))
    assert members_of(groups) == [["A", "B", "C", "D"]]
    g = groups[0]
    assert (g.org_id, g.name, g.org_type, g.lead_village_code, g.weak_villages) == (
        "S-T1-01", "A村联村党委", "strong_weak", "A", 2)
    assert suggestion_violations(groups, attrs, nbrs, GroupRules(3, 4)) == []
    notes = suggestion_notes(groups, attrs, nbrs, list("ABCDE"), GroupRules(3, 4))
    assert notes == ["仍有 1 个薄弱村未被覆盖：附近没有可带动的强村，或强村所在组已满。"]


def test_two_seeds_share_the_chain_optimally():
    """Row w1(W) S1(S) w2(W) w3(W) S2(S); sizes 2–3.

    Taking {S1, w2, w3} (2 weak) first would leave S2 alone.  The optimum is
    {w1, S1, w2} and {w3, S2}: 3 weak villages, 5 villages.
    """
    attrs, nbrs = setting([("w1", 0, 0, W, "T1"), ("s1", 1, 0, S, "T1"), ("w2", 2, 0, W, "T1"),
                           ("w3", 3, 0, W, "T1"), ("s2", 4, 0, S, "T1")])
    groups = suggest_groups(attrs, nbrs, ["w1", "s1", "w2", "w3", "s2"], GroupRules(2, 3))
    assert members_of(groups) == [["s1", "w1", "w2"], ["s2", "w3"]]
    assert [g.org_id for g in groups] == ["S-T1-01", "S-T1-02"]


@pytest.mark.parametrize("within, expected", [(True, []), (False, [["A", "B", "C", "D"]])])
def test_township_boundary(within, expected):
    """Row A(S, T1) B(W, T1) | C(W, T2) D(W, T2); sizes 3–4.

    Within township: T1 holds only A and B (2 < 3) and T2 no strong village,
    so no group.  Across townships: A, B, C, D (3 weak), id from A's township.
    """
    attrs, nbrs = setting([("A", 0, 0, S, "T1"), ("B", 1, 0, W, "T1"),
                           ("C", 2, 0, W, "T2"), ("D", 3, 0, W, "T2")])
    rules = GroupRules(3, 4, within_township=within)
    groups = suggest_groups(attrs, nbrs, list("ABCD"), rules)
    assert members_of(groups) == expected
    assert suggestion_violations(groups, attrs, nbrs, rules) == []
    if within:
        notes = suggestion_notes(groups, attrs, nbrs, list("ABCD"), rules)
        assert notes[0] == ("强村 A村（A）未能牵头成组：同一乡镇内与其相连、尚未分入其他组的"
                            "未联建村不足 2 个。")
        assert notes[1].startswith("仍有 3 个薄弱村未被覆盖")
    else:
        assert groups[0].org_id == "S-T1-01"
        crossing = suggestion_violations(groups, attrs, nbrs, GroupRules(3, 4, True))
        assert crossing == ["联村组 S-T1-01「A村联村党委」：跨 2 个乡镇（T1, T2）"]


def test_no_strong_village_no_group_and_why():
    """Row W W P W: no income reaches 50 万元, so no group and a note saying so."""
    attrs, nbrs = setting([("a", 0, 0, W, "T1"), ("b", 1, 0, W, "T1"), ("c", 2, 0, P, "T1"),
                           ("d", 3, 0, W, "T1")])
    model = GroupSuggester(attrs, nbrs, list("abcd")).solve()
    assert model.groups_ == []
    assert model.notes_ == ["所选范围的 4 个未联建村中没有强村（集体经济收入达到强村标准），"
                            "按以强带弱无法组建联村党委。"]


@pytest.mark.parametrize("band, size", [((3, 6), 6), ((3, 4), 4), ((2, 2), 2), ((1, 9), 9)])
def test_size_band(band, size):
    """3×3 block, centre e strong, the 8 others weak and all adjacent to e.

    One strong village → one group, as large as the band allows: 6, 4, 2, 9.
    """
    attrs, nbrs = setting(grid3([W, W, W, W, S, W, W, W, W]))
    groups = suggest_groups(attrs, nbrs, list("abcdefghi"), GroupRules(*band))
    assert [len(g.villages) for g in groups] == [size]
    assert groups[0].lead_village_code == "e" and groups[0].weak_villages == size - 1


def test_too_few_neighbours_for_minimum():
    """A(S) B(W) · C(W) with a gap: A reaches one village, so min 3 gives
    nothing, min 2 gives A+B."""
    attrs, nbrs = setting([("A", 0, 0, S, "T1"), ("B", 1, 0, W, "T1"), ("C", 3, 0, W, "T1")])
    assert suggest_groups(attrs, nbrs, list("ABC"), GroupRules(3, 6)) == []
    assert members_of(suggest_groups(attrs, nbrs, list("ABC"), GroupRules(2, 6))) == [["A", "B"]]


def test_locked_and_organised_villages_untouched():
    """3×3 block, centre e strong, others weak; a, b, c locked, g, h in organisation O1.

    Left for e: d, f, i (i touches e at a corner) → group e, d, f, i.
    Communities are never used either: i as a community leaves e, d, f.
    """
    attrs, nbrs = setting(grid3([W, W, W, W, S, W, W, W, W]), orgs={"O1": ["g", "h"]})
    rules = GroupRules(3, 6)
    groups = suggest_groups(attrs, nbrs, list("abcdefghi"), rules, locked_villages=["a", "b", "c"])
    assert members_of(groups) == [["e", "d", "f", "i"]]
    assert suggestion_violations(groups, attrs, nbrs, rules, locked_villages="abc") == []
    attrs.loc["i", s.KIND] = s.KIND_COMMUNITY
    groups = suggest_groups(attrs, nbrs, list("abcdefghi"), rules, locked_villages=["a", "b", "c"])
    assert members_of(groups) == [["e", "d", "f"]]


def test_ids_avoid_existing_and_lead_is_strongest():
    """Row A(60) B(W) C(90) D(W) E(W) in T1; O1 holds E and today's id S-T1-02 exists.

    One group A, B, C, D (both strong villages, there is no other use for them);
    the lead is C (90 > 60); ids S-T1-01 (given) and S-T1-02 (today's) are taken.
    """
    attrs, nbrs = setting([("A", 0, 0, 60.0, "T1"), ("B", 1, 0, W, "T1"), ("C", 2, 0, 90.0, "T1"),
                           ("D", 3, 0, W, "T1"), ("E", 4, 0, W, "T1")], orgs={"S-T1-02": ["E"]})
    groups = suggest_groups(attrs, nbrs, list("ABCDE"), GroupRules(3, 6),
                            existing_ids=["S-T1-01"])
    assert [(g.org_id, g.lead_village_code, g.name, g.villages) for g in groups] == [
        ("S-T1-03", "C", "C村联村党委", ("C", "A", "B", "D"))]
    assert groups[0].as_scenario_group()["villages"] == ["C", "A", "B", "D"]


def test_deterministic_whatever_the_order():
    """3×3 block with strong corners a and i, weak b, d, f, h, plain c, e, g; sizes 3–4.

    The same groups come back when candidates, neighbour sets and table rows are shuffled.
    """
    attrs, nbrs = setting(grid3([S, W, P, W, P, W, P, W, S]))
    rules = GroupRules(3, 4)
    first = suggest_groups(attrs, nbrs, list("abcdefghi"), rules)
    assert sum(g.weak_villages for g in first) == 4 and len(first) == 2
    rng = random.Random(3)
    for _ in range(5):
        codes = list("abcdefghi")
        rng.shuffle(codes)
        shuffled_nbrs = {k: set(rng.sample(sorted(v), len(v))) for k, v in
                         sorted(nbrs.items(), key=lambda kv: rng.random())}
        again = suggest_groups(attrs.sample(frac=1, random_state=rng.randrange(100)),
                               shuffled_nbrs, codes, rules)
        assert again == first


def test_violations_name_every_broken_rule():
    """Hand-made bad groups on a row A(S) B(W) C(W) · D(S) in T1 and E(W, T2) beside D; C in O9.

    Sizes 2–3.  {A, D}: not contiguous (gap).  {B, C}: C organised, no strong.
    X {D, E, Z}: Z unknown, D again, two townships.  {A, B, C, E}: A, B, C, E
    all again, C organised, 4 > 3, E not adjacent to C, two townships.
    """
    attrs, nbrs = setting([("A", 0, 0, S, "T1"), ("B", 1, 0, W, "T1"), ("C", 2, 0, W, "T1"),
                           ("D", 4, 0, S, "T1"), ("E", 5, 0, W, "T2")], orgs={"O9": ["C"]})
    rules = GroupRules(2, 3)
    bad = [["A", "D"], ["B", "C"], {"org_id": "X", "villages": ["D", "E", "Z"]},
           ["A", "B", "C", "E"]]
    assert suggestion_violations(bad, attrs, nbrs, rules) == [
        "第 1 组：成员不连片（不能经相邻成员互相到达）",
        "第 2 组：C 已属于联村党委 O9",
        "第 2 组：没有强村（以强带弱需要至少 1 个强村）",
        "联村组 X：村代码不在村庄表中：Z",
        "联村组 X：村 D 同时属于第 1 组",
        "联村组 X：跨 2 个乡镇（T1, T2）",
        "第 4 组：村 A 同时属于第 1 组",
        "第 4 组：村 B 同时属于第 2 组",
        "第 4 组：村 C 同时属于第 2 组",
        "第 4 组：村 E 同时属于联村组 X",
        "第 4 组：C 已属于联村党委 O9",
        "第 4 组：有 4 个村，多于最多的 3 个",
        "第 4 组：成员不连片（不能经相邻成员互相到达）",
        "第 4 组：跨 2 个乡镇（T1, T2）",
    ]


def test_bad_arguments():
    attrs, nbrs = setting([("A", 0, 0, S, "T1")])
    with pytest.raises(ValueError, match="规模下限 4 大于上限 3"):
        GroupRules(4, 3)
    with pytest.raises(ValueError, match="不在村庄表中：Q"):
        suggest_groups(attrs, nbrs, ["A", "Q"])
    with pytest.raises(TypeError, match="min_size"):
        suggest_groups(attrs, nbrs, ["A"], rules=object())


def test_improvement_swaps_and_passes_on():
    """Hand-built graphs (node: kind).

    Swap: star 0(S)–1(P), 0–2(W), 0–3(W); group {0,1,2}, size ≤ 3: 1 is swapped for 3.
    Pass on: 5(W)–0(S), 0–1(W), 0–2(W), 1–3(S), 3–4(W); groups {0,1,2} and {3,4},
    sizes 2–3: 1 passes to {3,4}, which makes room for 5 in the first group.
    """
    star = SearchGraph(((1, 2, 3), (0,), (0,), (0,)), (False, False, True, True),
                       (True, False, False, False))
    assert improve_groups(star, [(0, 1, 2)], [0], 3, 3, big=5) == [(0, (0, 2, 3))]
    chain = SearchGraph(((1, 2, 5), (0, 3), (0,), (1, 4), (3,), (0,)),
                        (False, True, True, False, True, True),
                        (True, False, False, True, False, False))
    assert improve_groups(chain, [(0, 1, 2), (3, 4)], [0, 3], 2, 3, big=7) == [
        (0, (0, 2, 5)), (3, (1, 3, 4))]


def _best_by_brute_force(graph, lo, hi):
    """Best ``W·weak + villages`` over all packings of connected sets with a strong node."""
    n, big = len(graph.nbrs), len(graph.nbrs) + 1
    level, sets = {frozenset([v]) for v in range(n)}, set()
    for size in range(1, hi + 1):
        if size >= lo:
            sets |= {c for c in level if any(graph.strong[v] for v in c)}
        level = {c | {w} for c in level for v in c for w in graph.nbrs[v] if w not in c}
    by_first = {v: [c for c in sets if min(c) == v] for v in range(n)}
    weight = {c: big * sum(graph.weak[v] for v in c) + len(c) for c in sets}

    def best(v, used):
        if v == n:
            return 0
        out = best(v + 1, used)
        for c in by_first[v]:
            if not c & used:
                out = max(out, weight[c] + best(v + 1, used | c))
        return out

    return best(0, frozenset())


def test_search_is_optimal_on_small_random_graphs():
    """3×3 and 3×4 lattices with random diagonals, strong and weak nodes (seed 7)."""
    rng = random.Random(7)
    for _ in range(12):
        rows, cols = rng.choice([(3, 3), (3, 4)])
        edges = {(k, k + 1) for k in range(rows * cols) if (k + 1) % cols}
        edges |= {(k, k + cols) for k in range(rows * cols - cols)}
        edges |= {(k, k + cols + 1) for k in range(rows * cols - cols)
                  if (k + 1) % cols and rng.random() < 0.3}
        edges = {e for e in sorted(edges) if rng.random() > 0.15}
        g = nx.Graph(sorted(edges))
        g.add_nodes_from(range(rows * cols))
        strong = tuple(rng.random() < 0.2 for _ in range(rows * cols))
        weak = tuple(not st and rng.random() < 0.4 for st in strong)
        graph = SearchGraph(tuple(tuple(sorted(g[v])) for v in range(rows * cols)), weak, strong)
        lo, hi = rng.choice([(2, 3), (3, 4), (2, 4)])
        found = search_groups(graph, lo, hi)
        big = rows * cols + 1
        assert sum(big * sum(weak[v] for v in m) + len(m) for _, m in found) == \
            _best_by_brute_force(graph, lo, hi)


@pytest.fixture(scope="module")
def demo():
    data = load_dataset(DEMO)
    villages = data.layers[s.VILLAGES]
    attrs = village_attributes(villages, data.layers[s.VILLAGE_INCOME],
                               data.layers[s.JOINT_MEMBERS])
    return data, attrs, neighbour_sets(village_adjacency(villages))


def _independent_problems(groups, data, rules):
    """Checks without :mod:`analysis.suggest_checks`: adjacency rebuilt on the members alone."""
    villages = data.layers[s.VILLAGES].set_index(s.VILLAGE_CODE, drop=False)
    income = data.layers[s.VILLAGE_INCOME]
    latest = income[income[s.YEAR] == income[s.YEAR].max()]
    rich = set(latest.loc[latest[s.COLLECTIVE_INCOME] >= 50.0, s.VILLAGE_CODE])
    organised = set(data.layers[s.JOINT_MEMBERS][s.VILLAGE_CODE])
    problems, used = [], []
    for g in groups:
        members = villages.loc[list(g.villages)]
        adjacency = neighbour_sets(village_adjacency(members.reset_index(drop=True)))
        graph = nx.Graph([(a, b) for a, ns in adjacency.items() for b in ns])
        graph.add_nodes_from(g.villages)
        checks = {"不连片": not nx.is_connected(graph),
                  "规模": not rules.min_size <= len(g.villages) <= rules.max_size,
                  "无强村": not rich & set(g.villages),
                  "跨镇": rules.within_township and members[s.TOWNSHIP_CODE].nunique() > 1,
                  "社区": bool((members[s.KIND] != s.KIND_VILLAGE).any()),
                  "已联建": bool(organised & set(g.villages))}
        problems += [f"{g.org_id} {what}" for what, broken in checks.items() if broken]
        used += list(g.villages)
    return problems + ["重复"] * (len(used) - len(set(used)))


@pytest.mark.parametrize("within", [True, False])
def test_demo_every_county_and_the_city_satisfy_every_rule(demo, within):
    data, attrs, nbrs = demo
    rules = GroupRules(within_township=within)
    counties = sorted(attrs[s.COUNTY_CODE].unique())
    by_county = [g for c in counties
                 for g in suggest_groups(attrs, nbrs, scope_candidates(attrs, county_code=c),
                                         rules)]
    city = suggest_groups(attrs, nbrs, scope_candidates(attrs), rules)
    for groups in (by_county, city):
        assert groups
        assert suggestion_violations(groups, attrs, nbrs, rules) == []
        assert _independent_problems(groups, data, rules) == []
        assert len({g.org_id for g in groups}) == len(groups)
        assert not {g.org_id for g in groups} & set(data.layers[s.JOINT_ORGS][s.ORG_ID])
    # measured when written: 9 groups covering 11 weak villages within townships, 36 across
    assert sum(g.weak_villages for g in city) >= (11 if within else 36)
