"""Turning per-row values into per-area figures (shared by the topic modules).

Every topic module computes its figures for *groups* of villages: a county, a
township, or the whole dataset.  A group is given as a Series of labels
aligned with the ``villages`` frame; ``None`` means one group holding
everything (also rows that lie in no known village).

>>> import pandas as pd
>>> labels = village_labels(pd.DataFrame(index=[0, 1, 2]), pd.Series(["B", "A", "B"]))
>>> groups = group_index(labels)
>>> sum_by([1, 2, 3], labels, groups).to_dict()
{'A': 2.0, 'B': 4.0}
>>> ratio(pd.Series([1.0, 0.0]), pd.Series([2.0, 0.0])).tolist()
[0.5, nan]
"""
from __future__ import annotations

import numpy as np
import pandas as pd

ALL = 0  # the label of the single group used when no grouping is asked for


def village_labels(villages: pd.DataFrame, group: pd.Series | None) -> np.ndarray:
    """Group label of every village row (:data:`ALL` for each when ``group`` is None).

    Raises
    ------
    ValueError
        When ``group`` is not aligned with ``villages.index``.
    """
    if group is None:
        return np.full(len(villages), ALL, dtype=np.int64)
    if len(group) != len(villages) or not group.index.equals(villages.index):
        raise ValueError("group 应与 villages 的索引逐行对齐（每个村一个分组标签），"
                         f"收到 {len(group)} 个标签、{len(villages)} 个村")
    return group.to_numpy()


def item_labels(labels: np.ndarray, positions: np.ndarray, grouped: bool) -> np.ndarray:
    """Labels of items (organisations, grids) lying in village row ``positions``.

    ``-1`` means the item lies in no known village: it gets the single label
    when ``grouped`` is False and NaN (left out) otherwise.

    >>> item_labels(np.array(["A", "B"], dtype=object), np.array([1, -1]), True).tolist()
    ['B', nan]
    """
    positions = np.asarray(positions, dtype=np.int64)
    if not grouped:
        return np.full(len(positions), ALL, dtype=np.int64)
    return pd.Series(labels).reindex(positions).to_numpy()


def group_index(labels: np.ndarray, single: bool = False) -> pd.Index:
    """The sorted distinct labels (NaN left out); just :data:`ALL` when ``single``.

    ``single`` keeps the one whole-dataset group even when there is no
    village at all, so that its figures exist (and are 0 or missing).

    >>> group_index(np.array([], dtype=np.int64), single=True).tolist()
    [0]
    """
    if single:
        return pd.Index([ALL])
    return pd.Index(pd.unique(labels[~pd.isna(labels)])).sort_values()


def sum_by(values, labels, groups: pd.Index) -> pd.Series:
    """Σ ``values`` per label, 0 for a group without rows; NaN labels left out."""
    series = pd.Series(np.asarray(values, dtype=float))
    if not len(series):
        return pd.Series(0.0, index=groups)
    return series.groupby(np.asarray(labels)).sum().reindex(groups, fill_value=0.0)


def ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """``num / den``, NaN where ``den`` is 0 (a ratio without a denominator is missing)."""
    return num / den.where(den > 0)


def first_value(frame: pd.DataFrame, key: str, counts=frozenset()):
    """The first row's ``key`` as a plain ``int``/``float``, ``None`` for NaN.

    >>> first_value(pd.DataFrame({"n": [3.0], "x": [np.nan]}), "n", {"n"})
    3
    >>> first_value(pd.DataFrame({"n": [3.0], "x": [np.nan]}), "x") is None
    True
    """
    value = frame[key].iloc[0] if len(frame) else np.nan
    if pd.isna(value):
        return None
    return int(round(value)) if key in counts else float(value)
