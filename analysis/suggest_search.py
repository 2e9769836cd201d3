"""The search behind the auto-suggest (:mod:`analysis.suggest`), on a graph of integer nodes.

Nodes are the candidate villages (``0 … n-1``), edges the SPEC §4 adjacency
already restricted to candidates (and to one township when that is
required).  Three phases, all deterministic (no randomness, every iteration in
index order):

1. **Seeded growth** (:func:`grow_columns`): from each strong village a beam
   search adds one adjacent village at a time and keeps, per size, the
   ``beam`` connected sets with the most weak villages (then the most weak
   villages within reach, then the fewest extra strong villages).  Every kept
   set of an allowed size is a candidate group ("column"); with few sets
   reachable the enumeration is exhaustive.
2. **Packing** (:func:`analysis.suggest_pack.pack_columns`): choose disjoint
   columns maximising ``W·weak + villages`` (``W`` larger than any village
   count, so weak villages come first), exactly for each cluster of seeds
   whose columns overlap (branch and bound, or HiGHS); a seed whose columns
   overlap no one else's takes its best column.
3. **Improvement** (:func:`improve_groups`): local moves that keep every
   group contiguous (removable members are those that are not articulation
   points of the group, found with :func:`networkx.articulation_points`):
   add an uncovered weak neighbour, swap a non-weak member for one, pass a
   member to a neighbouring group with room to make space for one, grow
   groups for strong villages left without one, then fill groups up to the
   size limit.

>>> g = SearchGraph(nbrs=((1,), (0, 2), (1, 3), (2,)), weak=(False, True, True, False),
...                 strong=(True, False, False, False))
>>> search_groups(g, min_size=2, max_size=3)
[(0, (0, 1, 2))]
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import networkx as nx

from analysis.suggest_pack import pack_columns

log = logging.getLogger(__name__)

BEAM_WIDTH = 48
MAX_PASSES = 20


@dataclass(frozen=True)
class SearchGraph:
    """Candidate villages as integer nodes.

    Attributes
    ----------
    nbrs : tuple of tuple of int
        Sorted neighbours of each node (symmetric, no self loops).
    weak, strong : tuple of bool
        Whether each node is a weak village (to be covered) and a strong one
        (may lead a group).
    """

    nbrs: tuple
    weak: tuple
    strong: tuple


def _frontier(graph: SearchGraph, members, blocked) -> set:
    out = set()
    for m in members:
        out.update(graph.nbrs[m])
    out.difference_update(members)
    out.difference_update(blocked)
    return out


def grow_columns(graph: SearchGraph, seed: int, min_size: int, max_size: int,
                 beam: int = BEAM_WIDTH, blocked=frozenset()) -> list:
    """Connected node sets containing ``seed`` with ``min_size`` to ``max_size`` nodes.

    Beam search: per size the ``beam`` best sets are kept and extended by one
    neighbour (never a node of ``blocked``).  Ranked by weak nodes plus weak
    nodes within reach (capped by the room left), then weak nodes, then the
    fewest strong nodes besides ``seed``, then the node tuple.

    Returns
    -------
    list of tuple of int
        Sorted node tuples, smallest sets first.

    >>> g = SearchGraph(((1, 2), (0,), (0,)), (False, True, False), (True, False, False))
    >>> grow_columns(g, 0, 2, 3)
    [(0, 1), (0, 2), (0, 1, 2)]
    """
    weak, strong = graph.weak, graph.strong
    level = [frozenset((seed,))]
    columns = [tuple(sorted(level[0]))] if min_size <= 1 else []
    for size in range(2, max_size + 1):
        grown = set()
        for members in level:
            for v in _frontier(graph, members, blocked):
                grown.add(members | {v})
        if not grown:
            break
        room = max_size - size

        def rank(t):
            w = sum(weak[v] for v in t)
            reach = sum(weak[v] for v in _frontier(graph, t, blocked))
            extra_strong = sum(strong[v] for v in t) - strong[seed]
            return (-(w + min(room, reach)), -w, extra_strong, tuple(sorted(t)))

        level = sorted(grown, key=rank)[:beam]
        if size >= min_size:
            columns.extend(tuple(sorted(t)) for t in level)
    return columns


def _weight(graph: SearchGraph, column, big: int) -> int:
    return big * sum(graph.weak[v] for v in column) + len(column)


class _State:
    """Groups under improvement: members, seeds and the owner of every node."""

    def __init__(self, graph: SearchGraph, groups, seeds):
        self.graph = graph
        self.groups = [set(g) for g in groups]
        self.seeds = list(seeds)
        self.owner = [-1] * len(graph.nbrs)
        for k, g in enumerate(self.groups):
            for v in g:
                self.owner[v] = k

    def free_neighbours(self, members, weak_only: bool) -> list:
        weak = self.graph.weak
        return sorted(v for v in _frontier(self.graph, members, ())
                      if self.owner[v] < 0 and (weak[v] or not weak_only))

    def removable(self, k: int) -> list:
        """Members of group ``k`` whose removal keeps it contiguous (never its seed)."""
        g = self.groups[k]
        sub = nx.Graph()
        sub.add_nodes_from(g)
        sub.add_edges_from((u, v) for u in g for v in self.graph.nbrs[u] if v in g)
        cut = set(nx.articulation_points(sub))
        return sorted(v for v in g if v not in cut and v != self.seeds[k])

    def move(self, v: int, k: int) -> None:
        if self.owner[v] >= 0:
            self.groups[self.owner[v]].discard(v)
        if k >= 0:
            self.groups[k].add(v)
        self.owner[v] = k


def _grow(st: _State, max_size: int, weak_only: bool) -> bool:
    """Add free neighbours (only weak ones, or any) to every group up to ``max_size``."""
    changed = False
    for k, g in enumerate(st.groups):
        while len(g) < max_size:
            free = st.free_neighbours(g, weak_only=weak_only)
            if not free:
                break
            st.move(free[0], k)
            changed = True
    return changed


def _make_room(st: _State, k: int, want: int, max_size: int) -> bool:
    """Free a place in full group ``k`` for uncovered weak node ``want``; True when done."""
    g, weak = st.groups[k], st.graph.weak
    for x in st.removable(k):
        rest = g - {x}
        if not any(u in rest for u in st.graph.nbrs[want]):
            continue
        if not weak[x]:  # plain swap: one more weak village, same size
            st.move(x, -1)
            return True
        for h in sorted({st.owner[u] for u in st.graph.nbrs[x]} - {-1, k}):
            if len(st.groups[h]) < max_size:  # pass x on to a neighbour with room
                st.move(x, h)
                return True
    return False


def _swap_in_weak(st: _State, max_size: int) -> bool:
    changed = False
    for k, g in enumerate(st.groups):
        if len(g) < max_size:
            continue
        for want in st.free_neighbours(g, weak_only=True):
            if st.owner[want] < 0 and _make_room(st, k, want, max_size):
                st.move(want, k)
                changed = True
                break
    return changed


def _new_groups(st: _State, seeds_all, min_size: int, max_size: int, big: int,
                beam: int) -> bool:
    changed = False
    for seed in seeds_all:
        if st.owner[seed] >= 0:
            continue
        blocked = {v for v, o in enumerate(st.owner) if o >= 0}
        columns = grow_columns(st.graph, seed, min_size, max_size, beam, blocked)
        if columns:
            best = max(columns, key=lambda c: (_weight(st.graph, c, big), [-v for v in c]))
            st.groups.append(set())
            st.seeds.append(seed)
            for v in best:
                st.move(v, len(st.groups) - 1)
            changed = True
    return changed


def improve_groups(graph: SearchGraph, groups, seeds, min_size: int, max_size: int,
                   big: int, beam: int = BEAM_WIDTH) -> list:
    """Local improvement of disjoint contiguous ``groups`` (one ``seeds`` entry each).

    Returns ``[(seed, sorted member tuple), …]``; every group stays contiguous,
    within the size band and keeps its seed.

    >>> g = SearchGraph(((1,), (0, 2), (1,)), (False, False, True), (True, False, False))
    >>> improve_groups(g, [(0, 1)], [0], 2, 3, big=4)
    [(0, (0, 1, 2))]
    """
    st = _State(graph, groups, seeds)
    all_seeds = [v for v in range(len(graph.nbrs)) if graph.strong[v]]
    for _ in range(MAX_PASSES):
        changed = _grow(st, max_size, weak_only=True)
        changed |= _swap_in_weak(st, max_size)
        changed |= _new_groups(st, all_seeds, min_size, max_size, big, beam)
        if not changed:
            break
    _grow(st, max_size, weak_only=False)
    return sorted((seed, tuple(sorted(g))) for seed, g in zip(st.seeds, st.groups))


def search_groups(graph: SearchGraph, min_size: int, max_size: int,
                  beam: int = BEAM_WIDTH) -> list:
    """Disjoint contiguous groups of ``min_size``–``max_size`` nodes, each with a strong seed.

    Returns
    -------
    list of (int, tuple of int)
        ``(seed, sorted members)`` sorted; the seed is the group's smallest
        strong node when it was packed, the strong node it grew from when it
        was formed in the improvement phase.
    """
    big = len(graph.nbrs) + 1
    columns = sorted({c for seed in range(len(graph.nbrs)) if graph.strong[seed]
                      for c in grow_columns(graph, seed, min_size, max_size, beam)})
    seeds = [min(v for v in c if graph.strong[v]) for c in columns]
    packed = pack_columns(columns, [_weight(graph, c, big) for c in columns], seeds)
    return improve_groups(graph, packed, [min(v for v in c if graph.strong[v]) for c in packed],
                          min_size, max_size, big, beam)
