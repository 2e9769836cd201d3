"""The three classification schemes of the maps, computed as mapclassify 2.10 does.

mapclassify imports scipy.stats and scikit-learn (about a second) for schemes
the maps never use; these are the same computations for Jenks–Caspall natural
breaks, quantiles and equal intervals, with the same upper bounds ``bins`` and
class numbers ``yb`` (``tests/maps/test_classes.py`` compares them with
mapclassify on many inputs).

>>> bins, yb = classify(np.array([1.0, 2.0, 3.0, 10.0, 11.0]), "JenksCaspall", k=2)
>>> bins.tolist(), yb.tolist()
([3.0, 11.0], [0, 0, 0, 1, 1])
>>> classify(np.array([1.0, 2.0, 3.0, 4.0]), "Quantiles", k=2)[0].tolist()
[2.5, 4.0]
>>> classify(np.array([0.0, 10.0]), "EqualInterval", k=4)[0].tolist()
[2.5, 5.0, 7.5, 10.0]
"""
from __future__ import annotations

import numpy as np


def _score_at_percentile(ordered: np.ndarray, per: float) -> float:
    """scipy.stats.scoreatpercentile of sorted values, interpolation ``fraction``."""
    idx = per / 100.0 * (len(ordered) - 1)
    i = int(idx)
    if i == idx:
        return float(np.add.reduce(ordered[i:i + 1] * np.array(1)) / 1.0)
    weights = np.array([(i + 1 - idx), (idx - i)], float)
    return float(np.add.reduce(ordered[i:i + 2] * weights) / weights.sum())


def quantile(y: np.ndarray, k: int) -> np.ndarray:
    """The distinct ``k``-quantiles of ``y`` (fewer when values repeat)."""
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    ordered = np.sort(y)
    return np.unique(np.array([_score_at_percentile(ordered, pct) for pct in p]))


def bin1d(x: np.ndarray, bins) -> np.ndarray:
    """Class of each value: ``j`` where ``bins[j-1] < x ≤ bins[j]`` (0 below ``bins[0]``)."""
    left = [-float("inf"), *list(bins[0:-1])]
    k = len(bins)
    out = np.zeros(x.shape, dtype="int")
    for lo, hi in reversed(list(zip(left, bins))):
        k -= 1
        out += (x > lo) * (x <= hi) * k
    return out


def _equal_interval(y: np.ndarray, k: int) -> np.ndarray:
    if min(y) == max(y):
        raise ValueError(f"Not enough unique values in array to form {k} classes. "
                         "All values in `y` are equal.")
    max_y, min_y = max(y), min(y)
    width = (max_y - min_y) * 1.0 / k
    cuts = np.arange(min_y + width, max_y + width, width)
    if len(cuts) > k:
        cuts = cuts[0:k]
    cuts[-1] = max_y
    return cuts.copy()


def _jenks_caspall(y: np.ndarray, k: int) -> np.ndarray:
    x = y.copy()
    q = quantile(x, k)
    xb = bin1d(x, q)
    x.shape = (x.size, 1)
    xb0 = xb.copy()
    q = [np.median(x[xb == i]) for i in np.unique(xb)]
    solving = True
    while solving:
        xb = abs(x - q).argmin(axis=1)
        if (xb0 == xb).all():
            solving = False
        else:
            xb0 = xb
        q = np.array([np.median(x[xb == i]) for i in range(k)])
    cuts = np.array([max(x[xb == i]) for i in np.unique(xb)])
    cuts.shape = (len(cuts),)
    return cuts


SCHEMES = {
    "JenksCaspall": _jenks_caspall,
    "Quantiles": quantile,
    "EqualInterval": _equal_interval,
}


def classify(y: np.ndarray, scheme: str, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Upper bounds of the classes and the class of each value (mapclassify's
    ``bins`` and ``yb``) for one of :data:`SCHEMES`.

    Raises
    ------
    ValueError
        For an unknown scheme (the message lists them), or equal intervals of
        values that are all equal (as mapclassify).
    """
    if scheme not in SCHEMES:
        raise ValueError(f"未知分级方法 {scheme!r}，可选：{', '.join(SCHEMES)}")
    y = np.asarray(y).flatten()
    bins = SCHEMES[scheme](y, k)
    return bins, bin1d(y, bins)
