"""Areas ranked on the headline figures, and marked red/yellow/green against targets.

比学赶超: every county (or every township of a county) ranked on each figure
of :data:`RANK_KEYS`, with the change against the previous year (the figures
as of that year, :mod:`analysis.as_of`) and a mark against the targets of
``dashboard.toml [targets]`` (:data:`geo.settings.TARGETS`).

A mark is ``green`` when the target is met, ``yellow`` when it is missed by at
most ``margin`` × the target (an "at least" target t: from (1 − margin)·t; an
"at most" target t: up to (1 + margin)·t, so a target of 0 has no yellow
band), ``red`` below that, and ``None`` when the figure is missing.

>>> mark("joint_coverage", 0.55, 0.60), mark("joint_coverage", 0.53, 0.60)
('yellow', 'red')
>>> mark("low_income_villages", 0, 0), mark("low_income_villages", 1, 0)
('green', 'red')
"""
from __future__ import annotations

import math

import pandas as pd

from analysis.kpis import KPI_LABELS

AT_LEAST, AT_MOST = "at_least", "at_most"
# Which way each target of [targets] points.
DIRECTIONS = {"joint_coverage": AT_LEAST, "low_income_villages": AT_MOST,
              "grid_l4_standard_share": AT_LEAST, "grid_manager_coverage": AT_LEAST,
              "grid_l3_branch_coverage": AT_LEAST, "service_population_coverage": AT_LEAST,
              "weak_rectified_share": AT_LEAST}
# The headline figures ranked (the keys of analysis.kpis plus the derived one below).
RANK_KEYS = ("joint_coverage", "joint_orgs", "joint_villages", "avg_income_gain_joint",
             "low_income_villages", "grid_l4_standard_share", "grid_manager_coverage",
             "grid_l3_branch_coverage", "service_population_coverage", "weak_rectified_share")
# Figures of which less is better (ranked from the smallest).
LOWER_IS_BETTER = frozenset({"low_income_villages"})
# Figures computed here from those of analysis.kpis: (Chinese label, unit).
DERIVED_LABELS = {"weak_rectified_share": ("软弱涣散党组织整顿转化率", "%")}
MARKS = ("green", "yellow", "red")
COLUMNS = ["code", "name", "key", "value", "rank", "previous", "change", "target", "mark"]


def label_of(key: str) -> tuple[str, str]:
    """(Chinese label, unit) of a ranked figure, derived ones included.

    >>> label_of("joint_coverage"), label_of("weak_rectified_share")
    (('联村覆盖率', '%'), ('软弱涣散党组织整顿转化率', '%'))
    """
    return DERIVED_LABELS[key] if key in DERIVED_LABELS else KPI_LABELS[key]


def weak_rectified_share(figures: dict) -> float | None:
    """weak_rectified / weak_orgs (fraction); 1.0 when there is no weak organisation
    (all of none are rectified); ``None`` when either figure is missing.

    >>> weak_rectified_share({"weak_orgs": 4, "weak_rectified": 3})
    0.75
    >>> weak_rectified_share({"weak_orgs": 0, "weak_rectified": 0})
    1.0
    """
    weak, done = figures.get("weak_orgs"), figures.get("weak_rectified")
    if weak is None or done is None:
        return None
    return 1.0 if weak == 0 else done / weak


def figure_value(figures: dict, key: str):
    """Figure ``key`` of one area's figures (:func:`analysis.kpis.kpis_by_area`),
    derived ones included; ``None`` when missing.

    >>> figure_value({"joint_coverage": 0.5}, "joint_coverage")
    0.5
    """
    value = weak_rectified_share(figures) if key == "weak_rectified_share" else figures.get(key)
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def mark(key: str, value, target, margin: float = 0.10) -> str | None:
    """``green``, ``yellow`` or ``red`` for ``value`` of figure ``key`` against
    ``target`` (see the module); ``None`` for a missing value or target.

    Raises
    ------
    ValueError
        For a figure without a direction (the message lists the valid ones).

    >>> mark("grid_manager_coverage", 0.9, 1.0), mark("grid_manager_coverage", 0.89, 1.0)
    ('yellow', 'red')
    """
    if key not in DIRECTIONS:
        raise ValueError(f"指标 {key!r} 没有目标方向，可选：{', '.join(DIRECTIONS)}")
    if value is None or target is None or value != value:
        return None
    eps = 1e-9
    if DIRECTIONS[key] == AT_LEAST:
        return ("green" if value >= target - eps else
                "yellow" if value >= target * (1 - margin) - eps else "red")
    return ("green" if value <= target + eps else
            "yellow" if value <= target * (1 + margin) + eps else "red")


def rank_areas(rows: list[dict], previous: list[dict] | None = None, targets=None,
               margin: float = 0.10, keys=RANK_KEYS) -> pd.DataFrame:
    """Every area ranked on every figure, with the change and the mark.

    Parameters
    ----------
    rows : list of dict
        One item per area, as :func:`analysis.kpis.kpis_by_area` gives them.
    previous : list of dict, optional
        The same for the previous year (matched by ``code``); ``None``: no change.
    targets : dict or iterable of pairs, optional
        ``{figure key: target}`` (shares as fractions); figures without one get
        no mark.
    margin : float
        Share of a target still marked yellow.
    keys : tuple of str
        Figures to rank.

    Returns
    -------
    DataFrame
        Long: one row per area and figure, columns :data:`COLUMNS`, by figure
        then rank.  ``rank`` is 1 for the best (largest, or smallest for
        :data:`LOWER_IS_BETTER`), ties share the better rank, a missing value
        has none; ``change`` is value − previous value.

    Examples
    --------
    >>> rows = [{"code": "A", "name": "甲", "joint_coverage": 0.7},
    ...         {"code": "B", "name": "乙", "joint_coverage": 0.55},
    ...         {"code": "C", "name": "丙", "joint_coverage": None}]
    >>> old = [{"code": "A", "joint_coverage": 0.6}, {"code": "B", "joint_coverage": 0.55}]
    >>> t = rank_areas(rows, old, {"joint_coverage": 0.6}, keys=("joint_coverage",))
    >>> t["change"] = t["change"].round(2)
    >>> t[["name", "rank", "change", "mark"]].to_dict("list")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'name': ['甲', '乙', '丙'], 'rank': [1.0, 2.0, nan], 'change': [0.1, 0.0, nan],
     'mark': ['green', 'yellow', None]}
    """
    targets = dict(targets or {})
    before = {r["code"]: r for r in previous or ()}
    parts = []
    for key in keys:
        values = pd.Series([figure_value(r, key) for r in rows], dtype=float)
        old = pd.Series([figure_value(before[r["code"]], key) if r["code"] in before else None
                         for r in rows], dtype=float)
        target = targets.get(key)
        parts.append(pd.DataFrame({
            "code": [r["code"] for r in rows], "name": [r.get("name") for r in rows],
            "key": key, "value": values,
            "rank": values.rank(method="min", ascending=key in LOWER_IS_BETTER),
            "previous": old, "change": values - old,
            "target": float("nan") if target is None else float(target),
            "mark": [mark(key, v, target, margin) if target is not None and key in DIRECTIONS
                     else None for v in values.where(values.notna(), None)]}))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    table["mark"] = table["mark"].astype(object).where(table["mark"].notna(), None)
    order = table.assign(_key=table["key"].map({k: i for i, k in enumerate(keys)}),
                         _rank=table["rank"].fillna(float("inf")))
    return table.loc[order.sort_values(["_key", "_rank"], kind="stable").index] \
        .reset_index(drop=True)[COLUMNS]


def behind(table: pd.DataFrame, key: str) -> pd.DataFrame:
    """The areas that miss the target of ``key`` (yellow or red), best first.

    >>> t = pd.DataFrame({"key": ["k"] * 3, "name": ["甲", "乙", "丙"], "rank": [1, 2, 3],
    ...                   "mark": ["green", "yellow", "red"]})
    >>> behind(t, "k")["name"].tolist()
    ['乙', '丙']
    """
    rows = table[(table["key"] == key) & table["mark"].isin(["yellow", "red"])]
    return rows.sort_values("rank", kind="stable")


def area_marks(table: pd.DataFrame, key: str) -> dict:
    """``{area code: mark}`` of figure ``key`` (areas without a mark left out).

    >>> area_marks(pd.DataFrame({"key": ["k", "k"], "code": ["A", "B"],
    ...                          "mark": ["red", None]}), "k")
    {'A': 'red'}
    """
    rows = table[(table["key"] == key) & table["mark"].notna()]
    return dict(zip(rows["code"], rows["mark"]))


def mark_counts(table: pd.DataFrame, key: str) -> dict:
    """``{mark: number of areas}`` of figure ``key``, every mark of :data:`MARKS`.

    >>> mark_counts(pd.DataFrame({"key": ["k"] * 3, "mark": ["red", "red", None]}), "k")
    {'green': 0, 'yellow': 0, 'red': 2}
    """
    marks = table.loc[table["key"] == key, "mark"]
    return {m: int((marks == m).sum()) for m in MARKS}
