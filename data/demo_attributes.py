"""Households, people and Party ratings of the synthetic villages.

A village's households are the sum of its unit grids' households (each
about 100, SPEC §2's standard of 80–120), so the household plan decides the
number of grids first.  Star ratings are calibrated to the published
shares (40.3 % with four stars or more, 5.7 % with five) and the weak
organisations to the published 53, of which 47 rectified.

>>> split_total(7, np.array([1.0, 1.0, 1.5])).tolist()
[2, 2, 3]
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.demo_geometry import allocate
from data.demo_plan import STAR4PLUS_SHARE, STAR5_SHARE, STAR_NULL_SHARE, CountyPlan
from geo import schema as s

_N4_BOUNDS = {s.KIND_VILLAGE: (2, 15), s.KIND_COMMUNITY: (8, 50)}
_TARGET = {s.KIND_VILLAGE: (380.0, 0.5, 150, 1500), s.KIND_COMMUNITY: (1700.0, 0.45, 800, 5000)}
_NONSTANDARD_SHARE = 0.03   # unit grids outside 80–120 households


@dataclass(frozen=True)
class GridPlan:
    """The unit grids of one village: number of 片区 and per-grid counts."""

    l3: int
    households: np.ndarray
    population: np.ndarray
    party_members: np.ndarray


def split_total(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` that add up to ``total`` exactly."""
    return allocate(int(total), weights)


def grid_households(n: int, rng: np.random.Generator) -> np.ndarray:
    """Households of ``n`` unit grids: Normal(100, 10) within 80–120, a few outside."""
    hh = np.clip(np.rint(rng.normal(100, 10, n)), 80, 120)
    odd = rng.random(n) < _NONSTANDARD_SHARE
    low = rng.random(n) < 0.5
    hh[odd & low] = rng.integers(60, 80, int((odd & low).sum()))
    hh[odd & ~low] = rng.integers(121, 161, int((odd & ~low).sum()))
    return hh.astype(int)


def _unit_grid_counts(kinds: np.ndarray, target: np.ndarray, plan: CountyPlan,
                      gridded: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    lo = np.array([_N4_BOUNDS[k][0] for k in kinds])
    hi = np.array([_N4_BOUNDS[k][1] for k in kinds])
    n4 = np.clip(np.rint(target / 100), lo, hi).astype(int)
    if plan.l4_total is not None:
        n4 = np.clip(np.rint(target * plan.l4_total / n4[gridded].sum() / 100), lo, hi).astype(int)
        while (gap := plan.l4_total - n4[gridded].sum()) != 0:
            can = gridded & ((n4 < hi) if gap > 0 else (n4 > lo))
            n4[rng.choice(np.flatnonzero(can))] += np.sign(gap)
    return np.where(gridded, n4, 0)


def _l3_counts(kinds: np.ndarray, n4: np.ndarray, plan: CountyPlan) -> np.ndarray:
    community = kinds == s.KIND_COMMUNITY
    if plan.l4_total is not None:          # Yong'an: one 片区 each, two in the largest communities
        l3 = (n4 > 0).astype(int)
        biggest = np.flatnonzero(community)[np.argsort(-n4[community], kind="stable")]
        l3[biggest[: plan.double_l3]] = 2
        return l3
    by_village = np.minimum(1 + (n4 - 1) // 8, 3)
    by_community = np.clip(np.ceil(n4 / 10), 1, 5).astype(int)
    return np.where(community, by_community, by_village)


def plan_households(units: pd.DataFrame, plan: CountyPlan,
                    rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, GridPlan]]:
    """Households, population and party members of one county's units.

    Returns the three counts per unit (index aligned with ``units``) and the
    grid plan of every unit that has grids.
    """
    kinds = units[s.KIND].to_numpy()
    par = np.array([_TARGET[k] for k in kinds], dtype=float)
    target = np.clip(par[:, 0] * np.exp(rng.normal(0, par[:, 1])), par[:, 2], par[:, 3])
    gridded = np.ones(len(units), dtype=bool)
    if plan.ungridded:
        villages = np.flatnonzero(kinds == s.KIND_VILLAGE)
        gridded[villages[np.argsort(target[villages], kind="stable")[: plan.ungridded]]] = False
    n4 = _unit_grid_counts(kinds, target, plan, gridded, rng)
    l3 = _l3_counts(kinds, n4, plan)
    ratio = rng.uniform(2.6, 3.4, len(units))
    party = rng.uniform(0.03, 0.06, len(units))
    counts = np.zeros((len(units), 3), dtype=int)
    grids: dict[str, GridPlan] = {}
    for i, code in enumerate(units[s.VILLAGE_CODE]):
        hh = grid_households(n4[i], rng) if gridded[i] else None
        households = int(hh.sum()) if gridded[i] else int(round(target[i]))
        population = int(round(households * ratio[i]))
        members = int(round(population * party[i]))
        counts[i] = households, population, members
        if gridded[i]:
            grids[code] = GridPlan(int(l3[i]), hh, split_total(population, hh),
                                   split_total(members, hh))
    frame = pd.DataFrame(counts, columns=[s.HOUSEHOLDS, s.POPULATION, s.PARTY_MEMBERS],
                         index=units.index)
    return frame, grids


def count_for_share(share: float, n: int) -> int:
    """The count nearest ``share * n`` whose ratio to ``n`` rounds to ``share`` (3 decimals).

    Small ``n`` (a partial build) may have no such count: then the nearest.

    >>> count_for_share(0.403, 1922), count_for_share(0.057, 1922), count_for_share(0.057, 235)
    (775, 110, 13)
    """
    base = int(round(share * n))
    for c in sorted(range(max(0, base - 3), min(n, base + 3) + 1),
                    key=lambda c: abs(c - share * n)):
        if round(c / n, 3) == share:
            return c
    return base


def rate_units(units: pd.DataFrame, score: pd.Series, weak_quota: dict[str, tuple[int, int]],
               rng: np.random.Generator) -> pd.DataFrame:
    """Star rating, weak_org and rectified for every unit.

    ``score`` ranks the units (higher, more stars); ``weak_quota`` gives per
    county (weak, rectified).  Weak organisations come from the lowest-scored
    fifth of their county and get 0 or 1 star; a few units are not rated.
    """
    n = len(units)
    weak = pd.Series(False, index=units.index)
    rectified = pd.Series(False, index=units.index)
    for county, (n_weak, n_rect) in weak_quota.items():
        rows = units.index[units[s.COUNTY_CODE] == county]
        low = score[rows].sort_values(kind="stable").index[: max(n_weak, len(rows) // 5)]
        chosen = rng.choice(np.asarray(low), n_weak, replace=False)
        weak[chosen] = True
        rectified[rng.choice(chosen, n_rect, replace=False)] = True
    n_null = int(round(STAR_NULL_SHARE * n))
    unrated = rng.choice(np.asarray(units.index[~weak]), n_null, replace=False)
    rated = n - n_null
    c5, c4plus = count_for_share(STAR5_SHARE, rated), count_for_share(STAR4PLUS_SHARE, rated)
    stars = pd.Series(pd.NA, index=units.index, dtype="Int64")
    stars[weak] = rng.choice([0, 1], int(weak.sum()), p=[0.55, 0.45])
    ranked = score[~weak & ~score.index.isin(unrated)].sort_values(ascending=False,
                                                                   kind="stable").index
    rest = len(ranked) - c4plus
    lower = allocate(rest, [0.60, 0.28, 0.09, 0.03])
    levels = np.repeat([5, 4, 3, 2, 1, 0], [c5, c4plus - c5, *lower])
    stars[ranked] = levels
    return pd.DataFrame({s.STAR_RATING: stars, s.WEAK_ORG: weak, s.RECTIFIED: rectified})
