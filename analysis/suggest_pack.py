"""Choosing disjoint candidate groups of the largest total weight (set packing).

The auto-suggest (:mod:`analysis.suggest_search`) generates candidate groups
("columns") from every strong village; here the best disjoint selection is
found exactly for each cluster of overlapping columns: a depth-first branch
and bound over seeds, or when that exceeds its node budget, the integer
programme ``max Σ weight·x, Σ_{columns ∋ v} x ≤ 1, x ∈ {0, 1}`` solved by
HiGHS (:func:`scipy.optimize.milp`, with a node and a time limit; the greedy
choice is kept if HiGHS returns nothing better).  Budgets are node counts,
not seconds, so results do not depend on the machine's load (except when
HiGHS hits its time limit, which it does not on the demo).

>>> pack_columns([(0, 1), (1, 2), (2, 3)], [2, 2, 2], [0, 2, 2])
[(0, 1), (2, 3)]
"""
from __future__ import annotations

import logging

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csc_array

log = logging.getLogger(__name__)

MILP_TIME_LIMIT_S = 2.0
MILP_NODE_LIMIT = 2000
BNB_NODE_LIMIT = 200_000
BNB_MAX_SEEDS = 300


def _greedy(columns, weights) -> list:
    order = sorted(range(len(columns)), key=lambda j: (-weights[j], columns[j]))
    taken, used = [], set()
    for j in order:
        if used.isdisjoint(columns[j]):
            taken.append(j)
            used.update(columns[j])
    return taken


class _Budget(Exception):
    """Raised when the branch and bound exceeds its node budget."""


def _branch_and_bound(columns, weights, seeds) -> list:
    """Exact set packing by depth-first search over seeds (at most one column each).

    ``seeds[j]`` is a node every column ``j`` of that seed holds, so at most
    one column per seed can be chosen.  Bounded by the best column of each
    remaining seed; raises :class:`_Budget` after ``BNB_NODE_LIMIT`` nodes
    or with more than ``BNB_MAX_SEEDS`` seeds (recursion depth).
    """
    if len(set(seeds)) > BNB_MAX_SEEDS:
        raise _Budget
    nodes = sorted({v for c in columns for v in c})
    bit = {v: 1 << i for i, v in enumerate(nodes)}
    slots: dict[int, list] = {}
    for j, c in enumerate(columns):
        mask = 0
        for v in c:
            mask |= bit[v]
        slots.setdefault(seeds[j], []).append((-weights[j], c, mask, j))
    order = sorted(slots.values(), key=lambda cs: (min(cs)[0], min(cs)[1]))
    for cs in order:
        cs.sort()
    suffix = [0] * (len(order) + 1)
    for i in range(len(order) - 1, -1, -1):
        suffix[i] = suffix[i + 1] - order[i][0][0]
    best_value, best_pick, visited = -1, [], [0]

    def visit(i, used, value, pick):
        nonlocal best_value, best_pick
        visited[0] += 1
        if visited[0] > BNB_NODE_LIMIT:
            raise _Budget
        if value + suffix[i] <= best_value:
            return
        if i == len(order):
            best_value, best_pick = value, list(pick)
            return
        for neg_weight, _, mask, j in order[i]:
            if not mask & used:
                pick.append(j)
                visit(i + 1, used | mask, value - neg_weight, pick)
                pick.pop()
        visit(i + 1, used, value, pick)

    visit(0, 0, 0, [])
    return best_pick


def _milp(columns, weights) -> list:
    """Exact set packing of ``columns`` (falls back to greedy if HiGHS stops early)."""
    nodes = sorted({v for c in columns for v in c})
    row = {v: i for i, v in enumerate(nodes)}
    rows = [row[v] for c in columns for v in c]
    cols = [j for j, c in enumerate(columns) for _ in c]
    a = csc_array((np.ones(len(rows)), (rows, cols)), shape=(len(nodes), len(columns)))
    res = milp(-np.asarray(weights, dtype=float), integrality=np.ones(len(columns)),
               bounds=Bounds(0, 1), constraints=LinearConstraint(a, -np.inf, 1),
               options={"time_limit": MILP_TIME_LIMIT_S, "node_limit": MILP_NODE_LIMIT})
    greedy = _greedy(columns, weights)
    if res.x is None:
        log.warning("set packing: HiGHS found no solution (%s); greedy used", res.message)
        return greedy
    chosen = [j for j in range(len(columns)) if res.x[j] > 0.5]
    if sum(weights[j] for j in greedy) > sum(weights[j] for j in chosen):
        return greedy
    return chosen


def _undominated(columns: list, weights: list, seeds: list) -> list:
    """Drop columns that can never do better than another column of the same seed.

    A node is *contested* when columns of two different seeds hold it.
    Column ``a`` dominates column ``b`` of the same seed when ``a``'s
    contested nodes are a subset of ``b``'s and ``a`` weighs at least as
    much: any packing using ``b`` stays a packing, no worse, with ``a``
    instead.  So the optimum over the remaining columns is the optimum over
    all of them.
    """
    holders: dict[int, set] = {}
    for c, seed in zip(columns, seeds):
        for v in c:
            holders.setdefault(v, set()).add(seed)
    best: dict[tuple, tuple] = {}
    for j, (c, seed) in enumerate(zip(columns, seeds)):
        key = (seed, frozenset(v for v in c if len(holders[v]) > 1))
        entry = (weights[j], tuple(-v for v in c), j)
        if key not in best or entry > best[key]:
            best[key] = entry
    by_seed: dict[int, list] = {}
    for (seed, contested), (weight, _, j) in best.items():
        by_seed.setdefault(seed, []).append((weight, contested, j))
    kept = []
    for entries in by_seed.values():
        entries.sort(key=lambda e: (-e[0], len(e[1]), columns[e[2]]))
        chosen = []
        for weight, contested, j in entries:
            if not any(w >= weight and cc <= contested for w, cc, _ in chosen):
                chosen.append((weight, contested, j))
        kept.extend(j for _, _, j in chosen)
    return sorted(kept)


def pack_columns(columns: list, weights: list, seeds: list) -> list:
    """Disjoint ``columns`` (distinct node tuples) of the largest total weight.

    Parameters
    ----------
    columns : list of tuple of int
        Candidate groups.
    weights : list of int
        Weight of each column.
    seeds : list of int
        For each column a node it holds that marks "one group per seed" (its
        smallest strong node): columns of one seed always overlap.

    Columns are split into parts that share no node; each part is solved on
    its own: its best column when all its columns share a node, otherwise an
    exact branch and bound over seeds (HiGHS when over budget).

    Returns
    -------
    list of tuple of int
        The chosen columns, sorted.

    >>> pack_columns([(0, 1), (1, 2), (2,)], [6, 6, 1], [0, 2, 2])
    [(0, 1), (2,)]
    """
    keep = _undominated(columns, weights, seeds)
    columns = [columns[j] for j in keep]
    weights = [weights[j] for j in keep]
    seeds = [seeds[j] for j in keep]
    parent = list(range(len(columns)))

    def find(j):
        while parent[j] != j:
            parent[j] = parent[parent[j]]
            j = parent[j]
        return j

    first = {}
    for j, c in enumerate(columns):
        for v in c:
            k = first.setdefault(v, j)
            parent[find(j)] = find(k)
    parts: dict[int, list] = {}
    for j in range(len(columns)):
        parts.setdefault(find(j), []).append(j)
    chosen = []
    for part in parts.values():
        cols, wts = [columns[j] for j in part], [weights[j] for j in part]
        if len(part) == 1 or set.intersection(*(set(c) for c in cols)):
            picks = _greedy(cols, wts)  # all columns share a node: the best one
        else:
            try:
                picks = _branch_and_bound(cols, wts, [seeds[j] for j in part])
            except _Budget:
                log.debug("set packing: %d columns, branch and bound over budget; HiGHS",
                          len(cols))
                picks = _milp(cols, wts)
        chosen.extend(cols[j] for j in picks)
    return sorted(chosen)
