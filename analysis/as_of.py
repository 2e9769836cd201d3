"""The dataset as it stood at the end of a year (SPEC §3 "As of a year").

An organisation counts when its ``founded_year`` ≤ Y (no founded_year:
always); a member row when its ``joined_year`` ≤ Y (no joined_year: from
its organisation's founded_year; a member of an organisation not yet founded
never counts); ``village_income`` keeps the years ≤ Y, so that the default
``eval_year`` becomes Y when the table has Y, else the latest year before Y,
and ``base_year`` stays the earliest.  Villages, grids and sites carry no
dates and are kept as they are.

**Before every income year** (Y earlier than the first year of
``village_income``) the income table is empty: ``base_year`` and
``eval_year`` are ``None`` and every income figure is ``None`` (暂无数据),
never an error — the slider can show the years in which organisations formed
before incomes were recorded.  Asking explicitly for a ``base_year`` or
``eval_year`` later than Y is an error (:func:`dataset_for`).

Organisations and members filtered to nothing are still *known* to be none:
the frames carry ``attrs[AS_OF_ATTR]``, and the coverage figures are then 0,
not ``None`` (:func:`analysis.coverage.coverage_figures`).

>>> import pandas as pd
>>> from geo.dataset import Dataset, empty_layer
>>> orgs = pd.DataFrame({"org_id": ["O1", "O2"], "founded_year": [2019, 2021]})
>>> members = pd.DataFrame({"org_id": ["O1", "O1", "O2"], "village_code": ["a", "b", "c"],
...                         "joined_year": [None, 2020, None]})
>>> layers = {name: empty_layer(name) for name in s.LAYERS}
>>> data = Dataset(layers | {s.JOINT_ORGS: orgs, s.JOINT_MEMBERS: members}, frozenset())
>>> at = dataset_as_of(data, 2020)
>>> list(at.joint_orgs["org_id"]), list(at.joint_members["village_code"])
(['O1'], ['a', 'b'])
>>> list(dataset_as_of(data, 2019).joint_members["village_code"])
['a']
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from geo import schema as s

AS_OF_ATTR = "as_of_year"


def _dated(frame: pd.DataFrame, start: pd.Series, year: int) -> pd.DataFrame:
    """Rows of ``frame`` whose ``start`` year is ≤ ``year`` or missing; marked as of
    ``year`` when the layer had rows (an absent layer stays unknown, not none)."""
    started = pd.Series(start, dtype="Float64")
    keep = (started.isna() | (started <= year)).fillna(True).to_numpy(dtype=bool)
    out = frame[keep].copy()
    if len(frame):
        out.attrs[AS_OF_ATTR] = year
    return out


def dataset_as_of(dataset, year: int):
    """The dataset at the end of ``year`` (SPEC §3); the input is not changed.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    year : int
        Calendar year; the state at its end (31 December).

    Returns
    -------
    geo.dataset.Dataset
        The same dataset with ``joint_orgs``, ``joint_members`` and
        ``village_income`` cut to what existed or was recorded by then; the
        other layers, ``present``, ``source`` and ``warnings`` unchanged.

    Examples
    --------
    A member without ``joined_year`` counts from its organisation's founding;
    a member of an organisation not yet founded does not count, whatever its
    own year; income stops at ``year``:

    >>> import pandas as pd
    >>> from geo.dataset import Dataset, empty_layer
    >>> orgs = pd.DataFrame({"org_id": ["O1"], "founded_year": [2021]})
    >>> members = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"],
    ...                         "joined_year": [2019, None]})
    >>> income = pd.DataFrame({"village_code": ["a", "a"], "year": [2019, 2022],
    ...                        "collective_income": [5.0, 8.0]})
    >>> layers = {name: empty_layer(name) for name in s.LAYERS} | {
    ...     s.JOINT_ORGS: orgs, s.JOINT_MEMBERS: members, s.VILLAGE_INCOME: income}
    >>> at = dataset_as_of(Dataset(layers, frozenset()), 2020)
    >>> len(at.joint_orgs), len(at.joint_members), at.village_income["year"].tolist()
    (0, 0, [2019])
    """
    year = int(year)
    orgs, members = dataset.joint_orgs, dataset.joint_members
    founded = orgs.set_index(s.ORG_ID)[s.FOUNDED_YEAR] if len(orgs) else pd.Series(dtype=float)
    founded = founded[~founded.index.duplicated()]
    org_start = members[s.ORG_ID].map(founded)
    joined = members[s.JOINED_YEAR].astype("Float64").fillna(org_start.astype("Float64"))
    org_counts = members[s.ORG_ID].map(
        (founded.astype("Float64").isna() | (founded.astype("Float64") <= year)).fillna(True))
    # Known organisations only: a member of an unknown or unfounded one is out.
    start = joined.where(org_counts.fillna(False).astype(bool), year + 1)
    income = dataset.village_income
    layers = {**dataset.layers,
              s.JOINT_ORGS: _dated(orgs, orgs[s.FOUNDED_YEAR], year),
              s.JOINT_MEMBERS: _dated(members, start, year),
              s.VILLAGE_INCOME: income[(income[s.YEAR] <= year).fillna(False).to_numpy(
                  dtype=bool)]}
    return dataclasses.replace(dataset, layers=layers)


def dataset_for(dataset, params):
    """``dataset`` as of ``params.as_of_year``, or unchanged when it is ``None``.

    Raises
    ------
    ValueError
        When ``params.base_year`` or ``params.eval_year`` is later than
        ``params.as_of_year`` (no income of that year is known by then).

    Examples
    --------
    >>> from types import SimpleNamespace as P
    >>> dataset_for("data", P(as_of_year=None, base_year=None, eval_year=None))
    'data'
    >>> dataset_for("data", P(as_of_year=2021, base_year=None, eval_year=2023))
    Traceback (most recent call last):
    ...
    ValueError: eval_year=2023 晚于 as_of_year=2021：截至 2021 年底还没有 2023 年的收入数据
    """
    year = params.as_of_year
    if year is None:
        return dataset
    for name in ("base_year", "eval_year"):
        asked = getattr(params, name)
        if asked is not None and asked > year:
            raise ValueError(f"{name}={asked} 晚于 as_of_year={year}：截至 {year} 年底"
                             f"还没有 {asked} 年的收入数据")
    return dataset_as_of(dataset, year)


def as_of_years(dataset) -> list[int]:
    """Every year from the earliest to the latest dated row (founded_year,
    joined_year, income year), the years a slider offers; ``[]`` without dates.

    Examples
    --------
    >>> import pandas as pd
    >>> from geo.dataset import Dataset, empty_layer
    >>> layers = {name: empty_layer(name) for name in s.LAYERS}
    >>> layers[s.JOINT_ORGS] = pd.DataFrame({"org_id": ["O1"], "founded_year": [2018]})
    >>> layers[s.VILLAGE_INCOME] = pd.DataFrame({"year": [2019, 2021]})
    >>> as_of_years(Dataset(layers, frozenset()))
    [2018, 2019, 2020, 2021]
    """
    columns = (dataset.joint_orgs[s.FOUNDED_YEAR], dataset.joint_members[s.JOINED_YEAR],
               dataset.village_income[s.YEAR])
    years = pd.concat([pd.Series(c, dtype="Float64") for c in columns]).dropna()
    if years.empty:
        return []
    return list(range(int(years.min()), int(years.max()) + 1))
