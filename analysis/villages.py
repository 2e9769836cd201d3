"""Per-village figures used to colour maps and fill tables.

>>> import pandas as pd
>>> villages = pd.DataFrame({"village_code": ["a", "b"], "kind": ["village", "village"]})
>>> members = pd.DataFrame({"org_id": ["O1"], "village_code": ["a"]})
>>> income = pd.DataFrame({"village_code": ["a", "a", "b"], "year": [2019, 2021, 2019],
...                        "collective_income": [10.0, 16.5, 8.0]})
>>> t = village_table(villages, members, income, 2019, 2021)
>>> t[["org_id", "is_joint", "income_base", "income_eval", "income_gain"]].to_dict("list")
... # doctest: +NORMALIZE_WHITESPACE
{'org_id': ['O1', None], 'is_joint': [True, False], 'income_base': [10.0, 8.0],
 'income_eval': [16.5, nan], 'income_gain': [6.5, nan]}
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.income import income_of_year
from geo import schema as s


def village_table(villages: pd.DataFrame, members: pd.DataFrame, income: pd.DataFrame,
                  base_year: int | None, eval_year: int | None) -> pd.DataFrame:
    """One row per village and community, in the order of ``villages``.

    Columns: ``village_code``, ``org_id`` (``None`` when in no organisation),
    ``is_joint``, ``income_base``, ``income_eval`` and ``income_gain``
    (万元, NaN when a year is missing).  The inputs are not changed.
    """
    org_of = members.drop_duplicates(s.VILLAGE_CODE).set_index(s.VILLAGE_CODE)[s.ORG_ID] \
        if not members.empty else pd.Series(dtype=object)
    codes = villages[s.VILLAGE_CODE]
    out = pd.DataFrame({s.VILLAGE_CODE: codes.to_numpy()}, index=villages.index)
    org = codes.map(org_of)
    out[s.ORG_ID] = org.astype(object).where(org.notna(), None)
    out["is_joint"] = org.notna().to_numpy()
    out["income_base"] = _income(villages, income, base_year)
    out["income_eval"] = _income(villages, income, eval_year)
    out["income_gain"] = out["income_eval"] - out["income_base"]
    return out


def _income(villages: pd.DataFrame, income: pd.DataFrame, year: int | None) -> np.ndarray:
    """Income (万元) of each village row in ``year``; NaN everywhere without a year."""
    if year is None or income.empty:
        return np.full(len(villages), np.nan)
    return income_of_year(villages, income, year)
