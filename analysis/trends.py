"""Series over years and areas for the small charts of the overview and briefing.

>>> import pandas as pd
>>> villages = pd.DataFrame({"village_code": ["a", "b", "c"], "kind": ["village"] * 3,
...                          "county_code": ["1", "1", "2"]})
>>> members = pd.DataFrame({"org_id": ["O"], "village_code": ["a"]})
>>> income = pd.DataFrame({"village_code": ["a", "b", "c", "a", "b", "c"],
...                        "year": [2019, 2019, 2019, 2020, 2020, 2020],
...                        "collective_income": [10.0, 4.0, 6.0, 20.0, 5.0, 9.0]})
>>> income_trend(villages, members, income).round(2).to_dict("index")
{'2019': {'joint': 10.0, 'other': 5.0}, '2020': {'joint': 20.0, 'other': 7.0}}
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.as_of import dataset_as_of
from analysis.coverage import coverage_figures
from geo import schema as s


def income_trend(villages: pd.DataFrame, members: pd.DataFrame, income: pd.DataFrame,
                 keep: np.ndarray | None = None) -> pd.DataFrame:
    """Mean collective income (万元) per year of joint and of other villages.

    Only ``kind = village`` rows count; ``keep`` (a boolean mask over
    ``villages``) restricts to an area.  Index: year as text (for chart axes); columns ``joint`` and
    ``other`` (NaN where a group has no village with income that year).
    """
    rows = villages if keep is None else villages[np.asarray(keep, dtype=bool)]
    rows = rows[rows[s.KIND] == s.KIND_VILLAGE]
    if income.empty or rows.empty:
        return pd.DataFrame(columns=["joint", "other"], dtype=float)
    joint = set(members[s.VILLAGE_CODE]) if not members.empty else set()
    sub = income[income[s.VILLAGE_CODE].isin(set(rows[s.VILLAGE_CODE]))]
    group = np.where(sub[s.VILLAGE_CODE].isin(joint), "joint", "other")
    table = sub.groupby([sub[s.YEAR].astype(int), group])[s.COLLECTIVE_INCOME].mean().unstack()
    table = table.reindex(columns=["joint", "other"]).rename_axis(index=None, columns=None)
    table.index = table.index.astype(str)
    return table


JOINT_TREND_KEYS = ("joint_orgs", "joint_villages", "joint_coverage")


def joint_trend(dataset, years, keep: np.ndarray | None = None) -> pd.DataFrame:
    """Organisations, joint villages and joint coverage at the end of each year.

    The figures of :func:`analysis.kpis.compute_kpis` as of each year
    (:func:`analysis.as_of.dataset_as_of`), for the whole dataset or, with
    ``keep`` (a boolean mask over ``dataset.villages``), for an area: an
    organisation counts where its lead village lies.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    years : iterable of int
        Calendar years, e.g. :func:`analysis.as_of.as_of_years`.
    keep : ndarray of bool, optional

    Returns
    -------
    DataFrame
        Index: year (int); columns :data:`JOINT_TREND_KEYS` (counts, and the
        coverage as a fraction); NaN where a figure is missing.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from geo.dataset import Dataset, empty_layer
    >>> layers = {name: empty_layer(name) for name in s.LAYERS}
    >>> layers[s.VILLAGES] = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village"] * 2,
    ...                                    "population": [1, 1]})
    >>> layers[s.JOINT_ORGS] = pd.DataFrame({"org_id": ["O"], "lead_village_code": ["a"],
    ...                                      "founded_year": [2020]})
    >>> layers[s.JOINT_MEMBERS] = pd.DataFrame({"org_id": ["O", "O"], "village_code": ["a", "b"],
    ...                                         "joined_year": [None, 2021]})
    >>> joint_trend(Dataset(layers, frozenset()), [2019, 2020, 2021]).to_dict("index")
    ... # doctest: +NORMALIZE_WHITESPACE
    {2019: {'joint_orgs': 0.0, 'joint_villages': 0.0, 'joint_coverage': 0.0},
     2020: {'joint_orgs': 1.0, 'joint_villages': 1.0, 'joint_coverage': 0.5},
     2021: {'joint_orgs': 1.0, 'joint_villages': 2.0, 'joint_coverage': 1.0}}
    """
    villages = dataset.villages
    group = None if keep is None else pd.Series(np.asarray(keep, dtype=bool),
                                                index=villages.index)
    rows = {}
    for year in years:
        at = dataset_as_of(dataset, year)
        figures = coverage_figures(villages, at.joint_orgs, at.joint_members, group)
        row = figures.loc[True] if group is not None and True in figures.index else \
            figures.iloc[0] if group is None else pd.Series(np.nan, index=figures.columns)
        rows[int(year)] = row[list(JOINT_TREND_KEYS)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(JOINT_TREND_KEYS),
                                  dtype=float)
