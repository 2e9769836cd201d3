"""Joint village Party organisations (联村党组织) grown over village adjacency.

Each county gets its quota of organisations and member villages
(:mod:`data.demo_plan`).  Lead villages are strong ones (income 2023 ≥ 50
万元), spread out by farthest-point sampling; organisations then grow in
turns, one adjacent free village at a time, preferring villages of the lead's
township (and, for 以强带弱, the poorest), so every organisation is
contiguous and a village belongs to at most one.

>>> sizes = org_sizes(10, 39, np.random.default_rng(0))
>>> int(sizes.sum()), int(sizes.min()) >= 2, int(sizes.max()) <= 7
(39, True, True)
"""
from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import shapely

from data.demo_geometry import allocate
from data.demo_names import stem
from geo import schema as s

ORG_TYPE_SHARES = {"strong_weak": 0.42, "industry": 0.20, "village_enterprise": 0.12,
                   "territorial": 0.16, "other": 0.10}
_SIZE_SHARES = {2: 0.12, 3: 0.27, 4: 0.28, 5: 0.18, 6: 0.10, 7: 0.05}
_FOUNDED_SHARES = {2018: 0.15, 2019: 0.25, 2020: 0.25, 2021: 0.20, 2022: 0.15}
_INDUSTRIES = ("茶产业", "笋竹", "烟叶", "林下经济", "文旅", "食用菌", "果蔬", "稻米")
_DIRECTIONS = ("东", "西", "南", "北", "中")
_SEED_TRIES = 20
SHARED_BORDER_M = 5.0   # adjacency: a shared border of at least this length (m)


def adjacency(geoms, tolerance: float = 1.0) -> nx.Graph:
    """Villages (positions 0…n−1) joined when they share ≥ 5 m of border (metric CRS)."""
    arr = np.asarray(geoms, dtype=object)
    tree = shapely.STRtree(arr)
    left, right = tree.query(arr, predicate="dwithin", distance=tolerance)
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(arr[left]),
                                                 shapely.buffer(arr[right], tolerance)))
    graph = nx.Graph()
    graph.add_nodes_from(range(len(arr)))
    graph.add_edges_from(zip(left[shared >= SHARED_BORDER_M].tolist(),
                             right[shared >= SHARED_BORDER_M].tolist()))
    return graph


def org_sizes(n_orgs: int, members: int, rng: np.random.Generator) -> np.ndarray:
    """``n_orgs`` sizes between 2 and 7 adding up to ``members``."""
    sizes = rng.choice(list(_SIZE_SHARES), n_orgs, p=list(_SIZE_SHARES.values()))
    while (gap := members - sizes.sum()) != 0:
        can = np.flatnonzero(sizes < 7) if gap > 0 else np.flatnonzero(sizes > 2)
        sizes[rng.choice(can)] += np.sign(gap)
    return sizes


def _spread_seeds(xy: np.ndarray, candidates: np.ndarray, k: int, rng) -> list[int]:
    """``k`` of ``candidates`` (positions) chosen by farthest-point sampling."""
    if len(candidates) < k:
        raise ValueError(f"{k} lead villages needed, only {len(candidates)} strong ones")
    chosen = [int(rng.choice(candidates))]
    dist = np.hypot(*(xy[candidates] - xy[chosen[0]]).T)
    for _ in range(k - 1):
        nxt = int(candidates[np.argmax(dist)])
        chosen.append(nxt)
        dist = np.minimum(dist, np.hypot(*(xy[candidates] - xy[nxt]).T))
    return chosen


def grow_groups(graph: nx.Graph, seeds: list[int], sizes: np.ndarray, total: int,
                township: np.ndarray, poorest_first: np.ndarray, poverty: np.ndarray,
                shuffle: np.ndarray, allowed: np.ndarray) -> list[list[int]]:
    """Grow one group per seed in turns until the groups hold ``total`` villages.

    A group takes a free ``allowed`` neighbour of its members, those of the
    seed's township first, then by ``poverty`` rank (0 = poorest) for groups
    flagged ``poorest_first``, by the random ``shuffle`` rank otherwise.  When groups are
    stuck below their size, others grow beyond theirs (up to 7).
    """
    taken = np.zeros(len(allowed), dtype=bool)
    taken[seeds] = True
    groups = [[v] for v in seeds]
    target = sizes.copy()
    while sum(map(len, groups)) < total:
        grown = False
        frees = [{n for v in group for n in graph[v] if allowed[n] and not taken[n]}
                 for group in groups]
        for g in sorted(range(len(groups)), key=lambda g: (len(groups[g]), len(frees[g]))):
            group = groups[g]
            if len(group) >= target[g] or sum(map(len, groups)) >= total:
                continue
            free = {n for n in frees[g] if not taken[n]}
            if not free:
                continue
            home = township[group[0]]
            rank = poverty if poorest_first[g] else shuffle
            pick = min(free, key=lambda n: (township[n] != home, rank[n]))
            group.append(pick)
            taken[pick] = True
            grown = True
        if not grown:
            room = [g for g in range(len(groups)) if len(groups[g]) == target[g] and target[g] < 7]
            if not room:
                raise ValueError(f"joint organisations stuck at {sum(map(len, groups))} of {total}")
            target[room] += 1
    return groups


def _org_name(org_type: str, lead_name: str, township: str, used: set, rng) -> str:
    lead = stem(lead_name)
    options = {
        "strong_weak": f"{lead}联村党委",
        "industry": f"{lead}{rng.choice(_INDUSTRIES)}产业联合党委",
        "village_enterprise": f"{lead}村企联建党委",
        "territorial": f"{stem(township)}{rng.choice(_DIRECTIONS)}片区联村党总支",
        "other": f"{lead}联村党总支",
    }
    name = options[org_type]
    if name in used:
        name = f"{stem(township)}{name}"
    used.add(name)
    return name


def build_orgs(villages: pd.DataFrame, graph: nx.Graph, xy: np.ndarray, strong: np.ndarray,
               quotas: dict[str, tuple[int, int]], projects_total: int,
               rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``joint_orgs`` and ``joint_members`` layers.

    ``villages`` (kind = village, positional like ``graph`` and ``xy``) needs
    village_code, name, township, county_code and a ``poverty_rank`` column;
    ``strong`` marks candidate lead villages; ``quotas`` gives per county
    (organisations, member villages).
    """
    orgs, members, used = [], [], set()
    township = villages[s.TOWNSHIP_CODE].to_numpy()
    poverty = villages["poverty_rank"].to_numpy()
    shuffle = rng.permutation(len(villages))
    county = villages[s.COUNTY_CODE].to_numpy()
    for code, (n_orgs, n_members) in quotas.items():
        here = county == code
        roomy = np.array([sum(here[n] for n in graph[v]) >= 2 for v in range(len(here))])
        types = rng.choice(list(ORG_TYPE_SHARES), n_orgs, p=list(ORG_TYPE_SHARES.values()))
        sizes = org_sizes(n_orgs, n_members, rng)
        start = int(rng.integers(1 << 30))
        for _ in range(_SEED_TRIES):   # a lead left alone is replaced by another strong village
            seeds = _spread_seeds(xy, np.flatnonzero(here & strong & roomy), n_orgs,
                                  np.random.default_rng(start))
            groups = grow_groups(graph, seeds, sizes, n_members, township,
                                 types == "strong_weak", poverty, shuffle, here)
            alone = [g[0] for g in groups if len(g) < 2]
            if not alone:
                break
            roomy[alone] = False
        else:
            raise ValueError(f"county {code}: lead villages without a free neighbour")
        founded = rng.choice(list(_FOUNDED_SHARES), n_orgs, p=list(_FOUNDED_SHARES.values()))
        for k, (group, org_type, year) in enumerate(zip(groups, types, founded), start=1):
            lead = villages.iloc[group[0]]
            org_id = f"LC{code}{k:03d}"
            orgs.append({s.ORG_ID: org_id, s.NAME: _org_name(org_type, lead[s.NAME],
                                                             lead[s.TOWNSHIP], used, rng),
                         s.ORG_TYPE: org_type, s.LEAD_VILLAGE_CODE: lead[s.VILLAGE_CODE],
                         s.FOUNDED_YEAR: int(year)})
            late = rng.random(len(group)) < 0.15
            for pos, is_late in zip(group, late):
                joined = int(year) if (pos == group[0] or not is_late or year == 2022) \
                    else int(rng.integers(year + 1, 2023))
                members.append({s.ORG_ID: org_id,
                                s.VILLAGE_CODE: villages.iloc[pos][s.VILLAGE_CODE],
                                s.JOINED_YEAR: joined})
    orgs = pd.DataFrame(orgs)
    _ensure_every_type(orgs, rng)
    orgs[s.PROJECTS] = _projects(len(orgs), projects_total, rng)
    return orgs, pd.DataFrame(members)


def _ensure_every_type(orgs: pd.DataFrame, rng: np.random.Generator) -> None:
    """Give a missing org_type to an organisation of the most common type (in place)."""
    if len(orgs) < len(ORG_TYPE_SHARES):
        return
    for org_type in ORG_TYPE_SHARES:
        if not (orgs[s.ORG_TYPE] == org_type).any():
            common = orgs[s.ORG_TYPE].value_counts().index[0]
            orgs.loc[rng.choice(orgs.index[orgs[s.ORG_TYPE] == common]), s.ORG_TYPE] = org_type


def _projects(n: int, total: int, rng: np.random.Generator) -> np.ndarray:
    """Projects per organisation, 2–15, adding up to ``total``."""
    raw = np.clip(rng.normal(total / n, 3.0, n), 2, 15)
    out = allocate(total - 2 * n, raw - 2 + 1e-9) + 2
    while out.max() > 15:
        over = int(np.argmax(out))
        out[over] -= 1
        out[rng.choice(np.flatnonzero(out < 15))] += 1
    return out
