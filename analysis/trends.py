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
