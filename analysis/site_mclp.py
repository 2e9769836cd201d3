"""The maximal covering location problem (MCLP) behind 选址建议: choose ``k``
candidates that together reach the most population not yet reached.

The problem is a 0/1 ``cover`` matrix (rows: population units, columns:
candidate sites; ``cover[i, j]`` when candidate ``j`` reaches unit ``i``)
and a weight per row (persons not yet reached; 0 for a unit already served).

* :func:`reduce_cover` shrinks it without changing the optimum: rows of no
  weight or reached by no candidate go, rows reached by the same candidates
  are merged (weights added), columns that reach nothing go, and a column
  whose rows are a subset of another's (*dominated*; of two equal columns the
  later one) goes — swapping it for the one that dominates it never loses
  population, so some optimal choice uses none of them.
* :func:`mclp_milp` solves it exactly as a mixed-integer programme with
  ``scipy.optimize.milp`` (HiGHS): binary ``x_j`` per candidate, ``y_i`` per
  row in [0, 1], ``y_i ≤ Σ_{j reaches i} x_j``, ``Σ x_j = k``, maximise
  ``Σ w_i y_i``.  ``y`` needs no integrality: with binary ``x`` the best ``y_i``
  is ``min(1, Σ x_j)``, already 0 or 1.
* :func:`mclp_greedy` is the baseline: add the candidate of largest marginal
  weight ``k`` times (it reaches at least 1 − 1/e of the optimum).

Four units in a row (3, 4, 4 and 3 persons); candidate 0 reaches the first
two, 1 the middle two, 2 the last two.  Greedy takes the middle first (8
persons) and then only 3 more; the best pair is the two ends (14).

>>> import scipy.sparse as sp
>>> cover = sp.csc_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 1, 1], [0, 0, 1]], dtype=bool))
>>> w = np.array([3.0, 4.0, 4.0, 3.0])
>>> mclp_greedy(cover, w, 2).tolist(), covered_weight(cover, w, mclp_greedy(cover, w, 2))
([1, 0], 11.0)
>>> chosen, optimal = mclp_milp(cover, w, 2)
>>> chosen.tolist(), covered_weight(cover, w, chosen), optimal
([0, 2], 14.0, True)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

TIME_LIMIT_S = 25.0      # the solver's own limit; the city's suggestion must be ready in 30 s


def _csc(cover) -> sp.csc_matrix:
    out = sp.csc_matrix(cover, dtype=bool)
    out.sum_duplicates()
    out.eliminate_zeros()
    return out


def covered_weight(cover, weights, chosen) -> float:
    """Total weight of the rows reached by at least one ``chosen`` column.

    >>> covered_weight(np.array([[1, 0], [1, 1], [0, 0]], dtype=bool), [1.0, 2.0, 4.0], [0, 1])
    3.0
    """
    chosen = np.asarray(chosen, dtype=np.int64)
    if not len(chosen):
        return 0.0
    hit = np.asarray(_csc(cover)[:, chosen].sum(axis=1)).ravel() > 0
    return float(np.asarray(weights, dtype=float)[hit].sum())


@dataclass(frozen=True)
class ReducedCover:
    """:func:`reduce_cover`: the smaller problem and how it maps back.

    ``cover`` (rows × columns, CSC), ``weights`` per row, ``columns`` the
    original column of each column kept; ``rows_in`` and ``columns_in`` how
    many rows (of positive weight, reachable) and columns (reaching one of
    them) there were before merging and dominance.
    """

    cover: sp.csc_matrix
    weights: np.ndarray
    columns: np.ndarray
    rows_in: int
    columns_in: int


def reduce_cover(cover, weights) -> ReducedCover:
    """The same MCLP with fewer rows and columns (see the module's docstring).

    Parameters
    ----------
    cover : sparse or dense bool matrix
        Rows × candidate columns.
    weights : array of float
        Per row (persons); rows of weight ≤ 0 are dropped.

    Returns
    -------
    ReducedCover

    Examples
    --------
    Column 1 reaches rows {0, 1}, column 0 only {0} (dominated); column 2
    reaches {1} (dominated too); rows 2 and 3 are both reached by column 3
    alone and merge.

    >>> a = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1]], dtype=bool)
    >>> r = reduce_cover(a, [1.0, 1.0, 2.0, 5.0])
    >>> r.columns.tolist(), r.weights.tolist(), r.cover.toarray().astype(int).tolist()
    ([1, 3], [2.0, 7.0], [[1, 0], [0, 1]])
    """
    cover, weights = _csc(cover), np.asarray(weights, dtype=float)
    rows = (weights > 0) & (np.diff(cover.tocsr().indptr) > 0)
    a = cover[rows]
    keep = np.diff(a.indptr) > 0
    columns, a = np.flatnonzero(keep), a[:, keep]
    rows_in, columns_in = int(rows.sum()), len(columns)
    dominated = _dominated(a)
    a, w = _merge_rows(a[:, ~dominated], weights[rows])
    return ReducedCover(a, w, columns[~dominated], rows_in, columns_in)


def _merge_rows(a: sp.csc_matrix, w: np.ndarray) -> tuple[sp.csc_matrix, np.ndarray]:
    """Rows with the same set of columns become one row, of their summed weight."""
    csr = a.tocsr()
    csr.sort_indices()
    groups: dict = {}
    owner = np.empty(csr.shape[0], dtype=np.int64)
    for i in range(csr.shape[0]):
        key = csr.indices[csr.indptr[i]:csr.indptr[i + 1]].tobytes()
        owner[i] = groups.setdefault(key, len(groups))
    first = np.unique(owner, return_index=True)[1]
    return csr[first].tocsc(), np.bincount(owner, weights=w, minlength=len(first))


def _dominated(a: sp.csc_matrix) -> np.ndarray:
    """Columns whose rows all lie in another column (equal columns: all but the first)."""
    counts = a.astype(np.int32)
    size = np.diff(counts.indptr)
    overlap = (counts.T @ counts).tocoo()
    i, j, shared = overlap.row, overlap.col, overlap.data
    within = (i != j) & (shared == size[i]) & ((size[j] > size[i]) |
                                               ((size[j] == size[i]) & (j < i)))
    out = np.zeros(a.shape[1], dtype=bool)
    out[i[within]] = True
    return out


def mclp_greedy(cover, weights, k: int) -> np.ndarray:
    """``k`` columns chosen one by one, each the largest marginal weight
    (ties: the lowest column); fewer when nothing more can be reached.

    Returns the columns in the order chosen.
    """
    a, w = _csc(cover), np.asarray(weights, dtype=float).copy()
    w[w < 0] = 0.0
    csr = a.tocsr()
    gains = a.T @ w
    chosen: list[int] = []
    for _ in range(int(k)):
        j = int(np.argmax(gains)) if len(gains) else -1
        if j < 0 or gains[j] <= 0:
            break
        chosen.append(j)
        rows = a.indices[a.indptr[j]:a.indptr[j + 1]]
        rows = rows[w[rows] > 0]
        gained = np.zeros(len(w))
        gained[rows] = w[rows]
        gains = gains - csr.T @ gained
        w[rows] = 0.0
    return np.asarray(chosen, dtype=np.int64)


def mclp_milp(cover, weights, k: int, time_limit_s: float = TIME_LIMIT_S,
              reduce: bool = True) -> tuple[np.ndarray, bool]:
    """The exact MCLP by ``scipy.optimize.milp`` (HiGHS).

    Parameters
    ----------
    cover : sparse or dense bool matrix
        Rows × candidate columns.
    weights : array of float
        Per row (persons).
    k : int
        Columns to choose (fewer when fewer are worth choosing: every
        reachable row is then reached).
    time_limit_s : float
        HiGHS's time limit, s.  When it is hit the better of HiGHS's best
        answer and :func:`mclp_greedy` is returned, marked not optimal.
    reduce : bool
        Solve :func:`reduce_cover`'s smaller problem (same optimum).

    Returns
    -------
    (ndarray, bool)
        The chosen columns (ascending) and whether they are proven optimal
        (to HiGHS's tolerance, 1e-9 relative).
    """
    k = int(k)
    if k < 1:
        raise ValueError(f"k 应为正整数，收到 {k}")
    if reduce:
        small = reduce_cover(cover, weights)
        a, w, back = small.cover, small.weights, small.columns
    else:
        a, w = _csc(cover), np.asarray(weights, dtype=float)
        back = np.arange(a.shape[1])
    n_rows, n_cols = a.shape
    if n_cols <= k:   # every column fits: greedy reaches all that can be, with fewer
        return np.sort(back[mclp_greedy(a, w, k)]), True
    objective = np.concatenate([np.zeros(n_cols), -w])
    link = sp.hstack([-a.astype(float), sp.identity(n_rows, format="csc")], format="csr")
    count = sp.csr_matrix(np.concatenate([np.ones(n_cols), np.zeros(n_rows)])[None, :])
    result = milp(objective,
                  integrality=np.concatenate([np.ones(n_cols), np.zeros(n_rows)]),
                  bounds=Bounds(0, 1),
                  constraints=[LinearConstraint(link, -np.inf, 0), LinearConstraint(count, k, k)],
                  options={"time_limit": float(time_limit_s), "mip_rel_gap": 1e-9})
    greedy = mclp_greedy(a, w, k)
    if result.x is None:
        return np.sort(back[greedy]), False
    chosen = np.flatnonzero(result.x[:n_cols] > 0.5)
    if covered_weight(a, w, greedy) > covered_weight(a, w, chosen) + 1e-9:
        return np.sort(back[greedy]), False
    return np.sort(back[chosen]), bool(result.status == 0)


def order_by_gain(cover, weights, chosen) -> tuple[np.ndarray, np.ndarray]:
    """The ``chosen`` columns ordered greedily among themselves, with each one's
    marginal weight (rows reached by an earlier one counted once).

    >>> a = np.array([[1, 1], [0, 1], [1, 0]], dtype=bool)
    >>> [x.tolist() for x in order_by_gain(a, [5.0, 2.0, 1.0], [0, 1])]
    [[1, 0], [7.0, 1.0]]
    """
    chosen = np.asarray(chosen, dtype=np.int64)
    sub = _csc(cover)[:, chosen]
    order = mclp_greedy(sub, weights, len(chosen))
    rest = [j for j in range(len(chosen)) if j not in set(order.tolist())]
    order = np.concatenate([order, np.asarray(rest, dtype=np.int64)])
    w = np.asarray(weights, dtype=float).copy()
    gains = []
    for j in order:
        rows = sub.indices[sub.indptr[j]:sub.indptr[j + 1]]
        gains.append(float(w[rows].sum()))
        w[rows] = 0.0
    return chosen[order], np.asarray(gains)
