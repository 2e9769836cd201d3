"""One row per village with what grouping needs (SPEC §3–4): place, size,
income, today's organisation.

The scenario checks (:mod:`analysis.grouping`), the scenario figures and the
auto-suggest read this table instead of the layers, so that a planner's edit
costs a dictionary look-up, not a join.

>>> import pandas as pd
>>> v = pd.DataFrame({"village_code": ["a", "b"], "name": ["甲", "乙"],
...     "township_code": ["t1", "t1"], "township": ["镇"] * 2, "county_code": ["c"] * 2,
...     "county": ["县"] * 2, "kind": ["village"] * 2, "population": [100, 200],
...     "weak_org": [False, True]})
>>> inc = pd.DataFrame({"village_code": ["a", "a", "b"], "year": [2019, 2023, 2023],
...     "collective_income": [40.0, 60.0, 5.0]})
>>> m = pd.DataFrame({"org_id": ["O1"], "village_code": ["a"]})
>>> t = village_attributes(v, inc, m)
>>> t[["income_base", "income_eval", "strong", "weak", "org_id"]].to_dict("index")["a"]
{'income_base': 40.0, 'income_eval': 60.0, 'strong': True, 'weak': False, 'org_id': 'O1'}
>>> bool(t.loc["b", "weak"]), t.loc["b", "org_id"]
(True, None)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.income import resolve_years
from analysis.villages import village_table
from analysis.params import Params
from geo import schema as s

ATTRIBUTE_COLUMNS = (
    s.NAME, s.TOWNSHIP_CODE, s.TOWNSHIP, s.COUNTY_CODE, s.COUNTY, s.KIND, s.POPULATION,
    "income_base", "income_eval", "strong", "weak", s.ORG_ID,
)


def village_attributes(villages: pd.DataFrame, income: pd.DataFrame, members: pd.DataFrame,
                       params: Params = Params()) -> pd.DataFrame:
    """Per-village attributes for grouping, indexed by ``village_code``.

    Parameters
    ----------
    villages, income, members : SPEC §2 ``villages``, ``village_income``, ``joint_members``.
    params : years and thresholds (万元) of SPEC §3.

    Returns
    -------
    DataFrame
        Index ``village_code`` (text), in the order of ``villages``; columns
        ``name, township_code, township, county_code, county, kind, population``
        (from ``villages``), ``income_base`` and ``income_eval`` (万元,
        NaN when missing or without an income table), ``strong``
        (income_eval ≥ ``strong_threshold``, 以强带弱's strong village),
        ``weak`` (``weak_org`` is true — 软弱涣散 — or income_eval <
        ``low_income_threshold``), ``org_id`` (today's organisation or None).
        Communities are included; callers filter on ``kind``.
    """
    base_year, eval_year = resolve_years(income, params.base_year, params.eval_year)
    table = village_table(villages, members, income, base_year, eval_year)
    out = pd.DataFrame(index=pd.Index(villages[s.VILLAGE_CODE].astype(str).to_numpy(),
                                      name=s.VILLAGE_CODE))
    for col in ATTRIBUTE_COLUMNS[:7]:
        out[col] = villages[col].to_numpy() if col in villages.columns else None
    out["income_base"] = table["income_base"].to_numpy(dtype=float)
    out["income_eval"] = table["income_eval"].to_numpy(dtype=float)
    out["strong"] = out["income_eval"].to_numpy() >= params.strong_threshold
    weak_org = (villages[s.WEAK_ORG].fillna(False).astype(bool).to_numpy()
                if s.WEAK_ORG in villages.columns else np.zeros(len(villages), bool))
    out["weak"] = weak_org | (out["income_eval"].to_numpy() < params.low_income_threshold)
    out[s.ORG_ID] = pd.Series([None if o is None else str(o) for o in table[s.ORG_ID]],
                              index=out.index, dtype=object)
    return out
