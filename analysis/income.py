"""Village collective operating income (村集体经营性收入, 万元) between two years.

Figures of SPEC §3: ``avg_income_gain_joint``, ``avg_income_gain_other``,
``income_gain_did``, ``income_growth_all``, ``low_income_villages``,
``target_income_villages``, ``income_missing``.  Only villages
(``kind = village``) count.  Without an income table every figure is
``None``; a mean over no village, or a count over villages none of which has
income for the year, is ``None`` too.  Several rows for one village and year
are added up.

>>> import pandas as pd
>>> villages = pd.DataFrame({"village_code": ["a", "b", "c"], "kind": ["village"] * 3})
>>> income = pd.DataFrame({"village_code": ["a", "a", "b", "b", "c"],
...     "year": [2019, 2021, 2019, 2021, 2019],
...     "collective_income": [10.0, 16.5, 20.0, 21.0, 5.0]})
>>> members = pd.DataFrame({"org_id": ["O1"], "village_code": ["a"]})
>>> avg_income_gain_joint(villages, income, members), income_gain_did(villages, income, members)
(6.5, 5.5)
>>> income_growth_all(villages, income), income_missing(villages, income)
(0.25, 1)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.groups import first_value, group_index, ratio, sum_by, village_labels
from geo import schema as s

KEYS = ("avg_income_gain_joint", "avg_income_gain_other", "income_gain_did",
        "income_growth_all", "low_income_villages", "target_income_villages", "income_missing")
COUNT_KEYS = frozenset({"low_income_villages", "target_income_villages", "income_missing"})


def income_years(income: pd.DataFrame) -> list[int]:
    """The years of the income table, ascending.

    >>> income_years(pd.DataFrame({"year": [2021, 2019, 2021]}))
    [2019, 2021]
    """
    if not len(income):
        return []
    return sorted(int(y) for y in pd.unique(income[s.YEAR].dropna()))


def resolve_years(income: pd.DataFrame, base_year: int | None = None,
                  eval_year: int | None = None) -> tuple[int | None, int | None]:
    """The base and evaluation years: the earliest and latest by default.

    ``(None, None)`` when there is no income table.

    Raises
    ------
    ValueError
        When a year asked for is not in the table, or ``base_year > eval_year``.

    Examples
    --------
    >>> inc = pd.DataFrame({"year": [2019, 2020, 2023]})
    >>> resolve_years(inc), resolve_years(inc, eval_year=2020)
    ((2019, 2023), (2019, 2020))
    >>> resolve_years(inc, base_year=2018)
    Traceback (most recent call last):
    ...
    ValueError: base_year=2018 不在 village_income 的年份中（有：2019、2020、2023）
    """
    years = income_years(income)
    if not years:
        return None, None
    chosen = {"base_year": years[0] if base_year is None else int(base_year),
              "eval_year": years[-1] if eval_year is None else int(eval_year)}
    for name, year in chosen.items():
        if year not in years:
            raise ValueError(f"{name}={year} 不在 village_income 的年份中"
                             f"（有：{'、'.join(map(str, years))}）")
    if chosen["base_year"] > chosen["eval_year"]:
        raise ValueError(f"base_year={chosen['base_year']} 晚于 eval_year={chosen['eval_year']}，"
                         "基期应不晚于评估年")
    return chosen["base_year"], chosen["eval_year"]


def income_of_year(villages: pd.DataFrame, income: pd.DataFrame, year: int) -> np.ndarray:
    """Income (万元) of each village row in ``year``; NaN where it has none."""
    rows = income[income[s.YEAR] == year]
    total = rows.groupby(s.VILLAGE_CODE)[s.COLLECTIVE_INCOME].sum(min_count=1)
    return villages[s.VILLAGE_CODE].map(total).to_numpy(dtype=float, na_value=np.nan)


def income_figures(villages: pd.DataFrame, income: pd.DataFrame, members: pd.DataFrame,
                   base_year: int | None = None, eval_year: int | None = None,
                   low_income_threshold: float = 10.0, target_income: float = 50.0,
                   group: pd.Series | None = None) -> pd.DataFrame:
    """All income figures, one row per group of villages.

    Parameters
    ----------
    villages : DataFrame
        The ``villages`` layer; only ``kind = village`` rows count.
    income : DataFrame
        ``village_income`` (万元); empty: every figure NaN.
    members : DataFrame
        ``joint_members``; empty: the joint/other gains and their difference NaN.
    base_year, eval_year : int, optional
        Default: earliest and latest year of ``income`` (see :func:`resolve_years`).
    low_income_threshold, target_income : float
        万元.
    group : Series, optional
        Group label per village, aligned with ``villages.index``; None: one group.

    Returns
    -------
    DataFrame
        Index: sorted group labels; columns :data:`KEYS`; NaN where missing.

    Examples
    --------
    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village"] * 2,
    ...                   "county_code": ["X", "Y"]})
    >>> inc = pd.DataFrame({"village_code": ["a", "a", "b"], "year": [2019, 2021, 2019],
    ...                     "collective_income": [8.0, 9.0, 30.0]})
    >>> f = income_figures(v, inc, pd.DataFrame(), group=v["county_code"])
    >>> f[["income_growth_all", "low_income_villages", "income_missing"]].to_dict("index")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'X': {'income_growth_all': 0.125, 'low_income_villages': 1.0, 'income_missing': 0.0},
     'Y': {'income_growth_all': nan, 'low_income_villages': nan, 'income_missing': 1.0}}
    """
    labels = village_labels(villages, group)
    groups = group_index(labels, group is None)
    out = pd.DataFrame(index=groups, columns=list(KEYS), dtype=float)
    base_year, eval_year = resolve_years(income, base_year, eval_year)
    if eval_year is None:
        return out
    is_village = (villages[s.KIND] == s.KIND_VILLAGE).to_numpy(dtype=bool)
    base = income_of_year(villages, income, base_year)
    last = income_of_year(villages, income, eval_year)
    has_eval = is_village & ~np.isnan(last)
    both = has_eval & ~np.isnan(base)
    gain = np.where(both, last - base, 0.0)

    if len(members):
        joint = villages[s.VILLAGE_CODE].isin(members[s.VILLAGE_CODE]).to_numpy(dtype=bool)
        out["avg_income_gain_joint"] = ratio(sum_by(gain * joint, labels, groups),
                                             sum_by(both & joint, labels, groups))
        out["avg_income_gain_other"] = ratio(sum_by(gain * ~joint, labels, groups),
                                             sum_by(both & ~joint, labels, groups))
        out["income_gain_did"] = out["avg_income_gain_joint"] - out["avg_income_gain_other"]
    base_total = sum_by(np.where(both, base, 0.0), labels, groups)
    growth = ratio(sum_by(np.where(both, last, 0.0), labels, groups), base_total) - 1
    out["income_growth_all"] = growth.where(sum_by(both, labels, groups) > 0)
    with_eval = sum_by(has_eval, labels, groups)
    out["low_income_villages"] = sum_by(
        has_eval & (np.nan_to_num(last) < low_income_threshold), labels, groups
    ).where(with_eval > 0)
    out["target_income_villages"] = sum_by(
        has_eval & (np.nan_to_num(last) >= target_income), labels, groups
    ).where(with_eval > 0)
    out["income_missing"] = sum_by(is_village & ~has_eval, labels, groups)
    return out


def _figure(key, villages, income, members=None, base_year=None, eval_year=None, **kw):
    members = pd.DataFrame() if members is None else members
    figures = income_figures(villages, income, members, base_year, eval_year, **kw)
    return first_value(figures, key, COUNT_KEYS)


def avg_income_gain_joint(villages: pd.DataFrame, income: pd.DataFrame, members: pd.DataFrame,
                          base_year: int | None = None, eval_year: int | None = None
                          ) -> float | None:
    """Mean income(eval) − income(base), 万元, over joint villages with both years.

    >>> v = pd.DataFrame({"village_code": ["a"], "kind": ["village"]})
    >>> inc = pd.DataFrame({"village_code": ["a", "a"], "year": [2019, 2023],
    ...                     "collective_income": [5.0, 7.5]})
    >>> avg_income_gain_joint(v, inc, pd.DataFrame({"org_id": ["O"], "village_code": ["a"]}))
    2.5
    """
    return _figure("avg_income_gain_joint", villages, income, members, base_year, eval_year)


def avg_income_gain_other(villages: pd.DataFrame, income: pd.DataFrame, members: pd.DataFrame,
                          base_year: int | None = None, eval_year: int | None = None
                          ) -> float | None:
    """The same mean gain (万元) over villages in no organisation.

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village"] * 2})
    >>> inc = pd.DataFrame({"village_code": ["b", "b"], "year": [2019, 2023],
    ...                     "collective_income": [5.0, 6.0]})
    >>> avg_income_gain_other(v, inc, pd.DataFrame({"org_id": ["O"], "village_code": ["a"]}))
    1.0
    """
    return _figure("avg_income_gain_other", villages, income, members, base_year, eval_year)


def income_gain_did(villages: pd.DataFrame, income: pd.DataFrame, members: pd.DataFrame,
                    base_year: int | None = None, eval_year: int | None = None) -> float | None:
    """avg_income_gain_joint − avg_income_gain_other (万元); ``None`` if either is.

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village"] * 2})
    >>> inc = pd.DataFrame({"village_code": ["a", "a", "b", "b"], "year": [2019, 2023] * 2,
    ...                     "collective_income": [5.0, 9.0, 5.0, 6.0]})
    >>> income_gain_did(v, inc, pd.DataFrame({"org_id": ["O"], "village_code": ["a"]}))
    3.0
    """
    return _figure("income_gain_did", villages, income, members, base_year, eval_year)


def income_growth_all(villages: pd.DataFrame, income: pd.DataFrame,
                      base_year: int | None = None, eval_year: int | None = None
                      ) -> float | None:
    """Σ income(eval) / Σ income(base) − 1 over villages with both years (fraction).

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village"] * 2})
    >>> inc = pd.DataFrame({"village_code": ["a", "a", "b", "b"], "year": [2019, 2021] * 2,
    ...                     "collective_income": [10.0, 12.0, 30.0, 38.0]})
    >>> income_growth_all(v, inc)
    0.25
    """
    return _figure("income_growth_all", villages, income, None, base_year, eval_year)


def low_income_villages(villages: pd.DataFrame, income: pd.DataFrame,
                        eval_year: int | None = None, threshold: float = 10.0) -> int | None:
    """Villages with income(eval) < ``threshold`` (万元).

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village"] * 2})
    >>> inc = pd.DataFrame({"village_code": ["a", "b"], "year": [2021, 2021],
    ...                     "collective_income": [9.99, 10.0]})
    >>> low_income_villages(v, inc)
    1
    """
    return _figure("low_income_villages", villages, income, None, None, eval_year,
                   low_income_threshold=threshold)


def target_income_villages(villages: pd.DataFrame, income: pd.DataFrame,
                           eval_year: int | None = None, target: float = 50.0) -> int | None:
    """Villages with income(eval) ≥ ``target`` (万元).

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village"] * 2})
    >>> inc = pd.DataFrame({"village_code": ["a", "b"], "year": [2021, 2021],
    ...                     "collective_income": [50.0, 49.9]})
    >>> target_income_villages(v, inc)
    1
    """
    return _figure("target_income_villages", villages, income, None, None, eval_year,
                   target_income=target)


def income_missing(villages: pd.DataFrame, income: pd.DataFrame,
                   eval_year: int | None = None) -> int | None:
    """Villages without income for ``eval_year``; ``None`` without an income table.

    >>> v = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village"] * 2})
    >>> income_missing(v, pd.DataFrame({"village_code": ["a"], "year": [2021],
    ...                                 "collective_income": [3.0]}))
    1
    """
    return _figure("income_missing", villages, income, None, None, eval_year)
