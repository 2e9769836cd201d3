"""Star ratings (党支部评星定级) and weak organisations (软弱涣散) of villages and communities.

Figures of SPEC §3: ``star4plus_share``, ``star5_share``, ``weak_orgs``,
``weak_rectified``.  Rows of both kinds count.  A share over no rated row is
``None``; the counts are ``None`` when the field is absent or entirely empty.

>>> import pandas as pd
>>> v = pd.DataFrame({"star_rating": pd.array([5, 4, 3, None], dtype="Int64"),
...                   "weak_org": pd.array([False, True, True, None], dtype="boolean"),
...                   "rectified": pd.array([False, True, False, None], dtype="boolean")})
>>> star4plus_share(v), star5_share(v), weak_orgs(v), weak_rectified(v)
(0.6666666666666666, 0.3333333333333333, 2, 1)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.groups import first_value, group_index, ratio, sum_by, village_labels
from geo import schema as s

KEYS = ("star4plus_share", "star5_share", "weak_orgs", "weak_rectified")
COUNT_KEYS = frozenset({"weak_orgs", "weak_rectified"})


def _flag(villages: pd.DataFrame, name: str) -> np.ndarray | None:
    """The boolean field as True/False (empty → False); None when absent or all empty."""
    if name not in villages.columns or villages[name].isna().all():
        return None
    return villages[name].astype("boolean").fillna(False).to_numpy(dtype=bool)


def star_figures(villages: pd.DataFrame, group: pd.Series | None = None) -> pd.DataFrame:
    """All star and weak-organisation figures, one row per group of villages.

    Parameters
    ----------
    villages : DataFrame
        The ``villages`` layer (villages and communities).
    group : Series, optional
        Group label per row, aligned with ``villages.index``; None: one group.

    Returns
    -------
    DataFrame
        Index: sorted group labels; columns :data:`KEYS` (fractions and counts
        as floats); NaN where missing.

    Examples
    --------
    >>> v = pd.DataFrame({"star_rating": pd.array([5, None, 2], dtype="Int64"),
    ...                   "county_code": ["X", "Y", "Y"]})
    >>> star_figures(v, v["county_code"])["star5_share"].tolist()
    [1.0, 0.0]
    """
    labels = village_labels(villages, group)
    groups = group_index(labels, group is None)
    out = pd.DataFrame(index=groups, columns=list(KEYS), dtype=float)
    if s.STAR_RATING in villages.columns:
        stars = villages[s.STAR_RATING].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        rated = sum_by(~np.isnan(stars), labels, groups)
        out["star4plus_share"] = ratio(sum_by(np.nan_to_num(stars) >= 4, labels, groups), rated)
        out["star5_share"] = ratio(sum_by(np.nan_to_num(stars) == 5, labels, groups), rated)
    weak = _flag(villages, s.WEAK_ORG)
    if weak is not None:
        out["weak_orgs"] = sum_by(weak, labels, groups)
        rectified = _flag(villages, s.RECTIFIED)
        if rectified is not None or not weak.any():
            both = weak & (rectified if rectified is not None else False)
            out["weak_rectified"] = sum_by(both, labels, groups)
    return out


def star4plus_share(villages: pd.DataFrame) -> float | None:
    """Rated rows with ``star_rating`` ≥ 4 / rated rows (fraction); ``None`` if none rated.

    >>> unrated = pd.DataFrame({"star_rating": pd.array([None, None], dtype="Int64")})
    >>> star4plus_share(unrated) is None
    True
    """
    return first_value(star_figures(villages), "star4plus_share")


def star5_share(villages: pd.DataFrame) -> float | None:
    """Rated rows with ``star_rating`` = 5 / rated rows (fraction); ``None`` if none rated.

    >>> star5_share(pd.DataFrame({"star_rating": pd.array([5, 0, 3, 4], dtype="Int64")}))
    0.25
    """
    return first_value(star_figures(villages), "star5_share")


def weak_orgs(villages: pd.DataFrame) -> int | None:
    """Rows with ``weak_org`` true; ``None`` when the field is absent or all empty.

    >>> weak_orgs(pd.DataFrame({"weak_org": pd.array([True, None, False], dtype="boolean")}))
    1
    """
    return first_value(star_figures(villages), "weak_orgs", COUNT_KEYS)


def weak_rectified(villages: pd.DataFrame) -> int | None:
    """Rows with ``weak_org`` and ``rectified`` both true.

    ``None`` when ``weak_org`` is missing, or when there are weak rows but
    ``rectified`` is missing.

    >>> weak_rectified(pd.DataFrame({"weak_org": pd.array([True, True], dtype="boolean"),
    ...                              "rectified": pd.array([True, None], dtype="boolean")}))
    1
    """
    return first_value(star_figures(villages), "weak_rectified", COUNT_KEYS)
