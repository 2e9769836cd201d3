"""Joint village Party organisations (联村党组织): how many, how far they reach.

Figures of SPEC §3: ``villages_total``, ``communities_total``, ``joint_orgs``,
``joint_villages``, ``joint_coverage``, ``joint_population_coverage``,
``avg_members_per_org``.  "Village" alone means ``kind = village``; ratios are
fractions; a figure whose data are missing (an empty layer) or whose
denominator is 0 is ``None``, never a made-up 0.

Every function takes frames and plain values and leaves its inputs unchanged.
:func:`coverage_figures` gives all of them per group of villages (a county, a
township); an organisation counts where its lead village lies.

>>> import pandas as pd
>>> villages = pd.DataFrame({"village_code": ["a", "b", "c", "d"],
...     "kind": ["village", "village", "village", "community"],
...     "population": [100, 300, 600, 1000]})
>>> members = pd.DataFrame({"org_id": ["O1", "O1", "O1"], "village_code": ["a", "b", "d"]})
>>> joint_coverage(villages, members), joint_population_coverage(villages, members)
(0.6666666666666666, 0.4)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.as_of import AS_OF_ATTR
from analysis.groups import first_value, group_index, item_labels, ratio, sum_by, village_labels
from geo import schema as s

KEYS = ("villages_total", "communities_total", "joint_orgs", "joint_villages",
        "joint_coverage", "joint_population_coverage", "avg_members_per_org")
COUNT_KEYS = frozenset({"villages_total", "communities_total", "joint_orgs", "joint_villages"})


def org_village_positions(villages: pd.DataFrame, orgs: pd.DataFrame,
                          members: pd.DataFrame) -> np.ndarray:
    """Row position in ``villages`` where each organisation counts, −1 if nowhere.

    The lead village; when the lead village is unknown, the first member
    (in ``members`` order) that is a known village.

    >>> v = pd.DataFrame({"village_code": ["a", "b"]})
    >>> o = pd.DataFrame({"org_id": ["O1", "O2"], "lead_village_code": ["b", "x"]})
    >>> m = pd.DataFrame({"org_id": ["O2", "O2"], "village_code": ["x", "a"]})
    >>> org_village_positions(v, o, m).tolist()
    [1, 0]
    """
    codes = pd.Index(villages[s.VILLAGE_CODE])
    pos = codes.get_indexer(orgs[s.LEAD_VILLAGE_CODE])
    if (pos < 0).any() and len(members):
        member_pos = pd.Series(codes.get_indexer(members[s.VILLAGE_CODE]),
                               index=members[s.ORG_ID].to_numpy())
        first = member_pos[member_pos >= 0].groupby(level=0).first()
        fallback = orgs[s.ORG_ID].map(first).fillna(-1).astype(np.int64).to_numpy()
        pos = np.where(pos >= 0, pos, fallback)
    return pos


def coverage_figures(villages: pd.DataFrame, orgs: pd.DataFrame, members: pd.DataFrame,
                     group: pd.Series | None = None) -> pd.DataFrame:
    """All coverage figures, one row per group of villages.

    Parameters
    ----------
    villages : DataFrame
        The ``villages`` layer (geometry not used).
    orgs, members : DataFrame
        ``joint_orgs`` and ``joint_members``; an empty frame means the data
        are missing and gives NaN for the figures that need it.
    group : Series, optional
        Group label of each village, aligned with ``villages.index`` (e.g.
        its county code).  ``None``: one group holding everything, including
        organisations whose lead village is unknown.

    Frames cut to a year by :func:`analysis.as_of.dataset_as_of` (marked in
    ``attrs``) are known even when empty: no organisation yet gives 0, not NaN.

    Returns
    -------
    DataFrame
        Index: the sorted group labels (``[0]`` when ``group`` is None);
        columns: :data:`KEYS`; counts as floats; NaN where a figure is missing.

    Examples
    --------
    >>> v = pd.DataFrame({"village_code": ["a", "b", "c"], "kind": ["village"] * 3,
    ...                   "population": [1, 1, 2], "county_code": ["X", "X", "Y"]})
    >>> o = pd.DataFrame({"org_id": ["O1"], "lead_village_code": ["c"]})
    >>> m = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["b", "c"]})
    >>> f = coverage_figures(v, o, m, v["county_code"])
    >>> f[["joint_orgs", "joint_villages", "joint_coverage"]].to_dict("index")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'X': {'joint_orgs': 0.0, 'joint_villages': 1.0, 'joint_coverage': 0.5},
     'Y': {'joint_orgs': 1.0, 'joint_villages': 1.0, 'joint_coverage': 1.0}}
    """
    labels = village_labels(villages, group)
    groups = group_index(labels, group is None)
    is_village = (villages[s.KIND] == s.KIND_VILLAGE).to_numpy(dtype=bool)
    is_community = (villages[s.KIND] == s.KIND_COMMUNITY).to_numpy(dtype=bool)
    out = pd.DataFrame(index=groups, columns=list(KEYS), dtype=float)
    out["villages_total"] = sum_by(is_village, labels, groups)
    out["communities_total"] = sum_by(is_community, labels, groups)
    dated = AS_OF_ATTR in orgs.attrs or AS_OF_ATTR in members.attrs
    if len(members) or dated:
        in_org = villages[s.VILLAGE_CODE].isin(members[s.VILLAGE_CODE]).to_numpy(dtype=bool)
        population = villages[s.POPULATION].astype(float).fillna(0.0).to_numpy()
        joint = sum_by(is_village & in_org, labels, groups)
        out["joint_villages"] = joint
        out["joint_coverage"] = ratio(joint, out["villages_total"])
        out["joint_population_coverage"] = ratio(
            sum_by(population * (is_village & in_org), labels, groups),
            sum_by(population * is_village, labels, groups))
    if len(orgs) or dated:
        pos = org_village_positions(villages, orgs, members)
        org_labels = item_labels(labels, pos, group is not None)
        count = sum_by(np.ones(len(orgs)), org_labels, groups)
        out["joint_orgs"] = count
        if len(members):
            rows = orgs[s.ORG_ID].map(members.groupby(s.ORG_ID).size()).fillna(0).to_numpy()
            out["avg_members_per_org"] = ratio(sum_by(rows, org_labels, groups), count)
    return out


def villages_total(villages: pd.DataFrame) -> int:
    """Number of villages (``kind = village``).

    >>> villages_total(pd.DataFrame({"kind": ["village", "community", "village"]}))
    2
    """
    return int((villages[s.KIND] == s.KIND_VILLAGE).sum())


def communities_total(villages: pd.DataFrame) -> int:
    """Number of communities (``kind = community``).

    >>> communities_total(pd.DataFrame({"kind": ["village", "community", "village"]}))
    1
    """
    return int((villages[s.KIND] == s.KIND_COMMUNITY).sum())


def joint_orgs(orgs: pd.DataFrame) -> int | None:
    """Rows of ``joint_orgs``; ``None`` when the layer is empty or absent.

    >>> joint_orgs(pd.DataFrame({"org_id": ["O1", "O2"]})), joint_orgs(pd.DataFrame())
    (2, None)
    """
    return len(orgs) if len(orgs) else None


def joint_villages(villages: pd.DataFrame, members: pd.DataFrame) -> int | None:
    """Distinct villages (``kind = village``) in ``joint_members``; ``None`` without members.

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village", "community"]})
    >>> joint_villages(v, pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"]}))
    1
    """
    if not len(members):
        return None
    in_org = villages[s.VILLAGE_CODE].isin(members[s.VILLAGE_CODE])
    return int((in_org & (villages[s.KIND] == s.KIND_VILLAGE)).sum())


def joint_coverage(villages: pd.DataFrame, members: pd.DataFrame) -> float | None:
    """joint_villages / villages_total (fraction); ``None`` without members or villages.

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village", "village"],
    ...                   "population": [300, 100]})
    >>> joint_coverage(v, pd.DataFrame({"org_id": ["O1"], "village_code": ["a"]}))
    0.5
    """
    return first_value(coverage_figures(villages, pd.DataFrame(), members), "joint_coverage")


def joint_population_coverage(villages: pd.DataFrame, members: pd.DataFrame) -> float | None:
    """Population (persons) of joint villages / population of all villages (fraction).

    ``None`` without members or when villages have no population.

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village", "village"],
    ...                   "population": [300, 100]})
    >>> joint_population_coverage(v, pd.DataFrame({"org_id": ["O1"], "village_code": ["a"]}))
    0.75
    """
    return first_value(coverage_figures(villages, pd.DataFrame(), members),
                       "joint_population_coverage")


def avg_members_per_org(orgs: pd.DataFrame, members: pd.DataFrame) -> float | None:
    """Rows of ``joint_members`` / rows of ``joint_orgs``; ``None`` when either is empty.

    >>> o = pd.DataFrame({"org_id": ["O1", "O2"]})
    >>> avg_members_per_org(o, pd.DataFrame({"org_id": ["O1", "O1", "O2"]}))
    1.5
    """
    if not len(orgs) or not len(members):
        return None
    return len(members) / len(orgs)
