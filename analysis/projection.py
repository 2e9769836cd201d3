"""Projected income gain of a scenario's newly covered villages — an estimate, with its basis.

The basis is history: over the income years (base → eval), how much more the
collective operating income (万元) of today's joint villages grew than that of
villages in no organisation — SPEC §3's ``income_gain_did`` — computed per
organisation type.  A type with fewer than ``min_villages`` (10) joint
villages having both years borrows the overall difference.  A scenario then
adds, for each newly covered village, the difference of its group's type,
and subtracts, for each village leaving coverage, the difference of its
former organisation's type.  Only villages (``kind = village``) count.

>>> import pandas as pd
>>> attrs = pd.DataFrame({"kind": ["village"] * 4, "income_base": [10.0, 10.0, 10.0, 10.0],
...     "income_eval": [16.0, 14.0, 11.0, 12.0]}, index=["a", "b", "c", "d"])
>>> basis = gain_basis(attrs, {"a": "industry", "b": "industry"}, (2019, 2023), min_villages=2)
>>> basis.overall_did, float(basis.table.loc["industry", "did"])
(3.5, 3.5)
>>> p = project_income_gain(basis, new={"c": "industry"}, removed={})
>>> p.total, p.mean_per_new_village
(3.5, 3.5)
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import schema as s

MIN_VILLAGES = 10
BASIS_COLUMNS = ("type_label", "joint_villages", "joint_mean_gain", "other_mean_gain", "did",
                 "did_source", "new_villages", "removed_villages", "projected")
BASIS_LABELS = {  # Chinese headers of the basis table, for pages and exports
    "org_type": "类型代码", "type_label": "联建类型",
    "joint_villages": "现有联建村数（两年均有收入）",
    "joint_mean_gain": "联建村村均增收（万元）", "other_mean_gain": "未联建村村均增收（万元）",
    "did": "增收差（万元）", "did_source": "增收差来源", "new_villages": "新增联建村数",
    "removed_villages": "退出联建村数", "projected": "预计增收（万元）",
}
OWN_TYPE, OVERALL = "本类型", "全部联建村（本类型样本不足）"


@dataclass(frozen=True, eq=False)
class GainBasis:
    """Historical gain differences, per organisation type (万元 over base_year → eval_year).

    ``table`` is indexed by ``org_type`` with the columns ``type_label``,
    ``joint_villages``, ``joint_mean_gain``, ``other_mean_gain``, ``did``
    (used for projection) and ``did_source``.
    """

    table: pd.DataFrame
    overall_did: float
    joint_mean_gain: float
    other_mean_gain: float
    joint_villages: int
    other_villages: int
    years: tuple[int, int]
    min_villages: int

    def did_of(self, org_type) -> float:
        """The gain difference (万元) applied to a village of a group of ``org_type``."""
        if org_type in self.table.index:
            return float(self.table.at[org_type, "did"])
        return self.overall_did


@dataclass(frozen=True, eq=False)
class IncomeProjection:
    """The estimate: ``total`` (万元, net), ``mean_per_new_village`` (万元),
    ``basis``, ``sentence``."""

    total: float
    mean_per_new_village: float | None
    new_villages: int
    removed_villages: int
    basis: pd.DataFrame
    sentence: str
    years: tuple[int, int]
    overall_did: float

    def as_dict(self) -> dict:
        """Plain JSON-ready values; the basis as a list of rows (with ``org_type``)."""
        rows = self.basis.reset_index().to_dict("records")
        rows = [{k: (None if isinstance(v, float) and np.isnan(v) else
                     v.item() if isinstance(v, np.generic) else v) for k, v in r.items()}
                for r in rows]
        return {"total": self.total, "mean_per_new_village": self.mean_per_new_village,
                "new_villages": self.new_villages, "removed_villages": self.removed_villages,
                "base_year": self.years[0], "eval_year": self.years[1],
                "overall_did": self.overall_did, "basis": rows, "sentence": self.sentence}


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else float("nan")


def gain_basis(attributes: pd.DataFrame, today_types: Mapping[str, str],
               years: tuple, min_villages: int = MIN_VILLAGES) -> GainBasis | None:
    """The per-type historical gain differences of today's organisations.

    Parameters
    ----------
    attributes : DataFrame
        :func:`analysis.village_attributes.village_attributes`, indexed by
        village_code, with ``kind``, ``income_base`` and ``income_eval`` (万元).
    today_types : mapping
        ``{village_code: org_type}`` of every village in an organisation today.
    years : (base_year, eval_year)
    min_villages : int
        A type needs this many joint villages with both years to use its own
        difference; otherwise it borrows the overall one.

    Returns
    -------
    GainBasis or None
        ``None`` without income years, when base and eval year are the same,
        or when there is no joint or no other village with both years.
    """
    base_year, eval_year = years
    if base_year is None or eval_year is None or base_year == eval_year:
        return None
    villages = attributes[attributes[s.KIND] == s.KIND_VILLAGE]
    gain = (villages["income_eval"] - villages["income_base"]).astype(float)
    gain = gain[gain.notna()]
    kinds = pd.Series([today_types.get(c) for c in gain.index], index=gain.index, dtype=object)
    joint = gain[kinds.notna()]
    other = gain[kinds.isna()]
    if not len(joint) or not len(other):
        return None
    joint_mean, other_mean = _mean(joint.to_numpy()), _mean(other.to_numpy())
    overall = joint_mean - other_mean
    rows = {}
    for org_type, label in s.ORG_TYPES.items():
        values = joint[kinds[kinds.notna()] == org_type].to_numpy()
        own = len(values) >= min_villages
        rows[org_type] = {"type_label": label, "joint_villages": len(values),
                          "joint_mean_gain": _mean(values), "other_mean_gain": other_mean,
                          "did": _mean(values) - other_mean if own else overall,
                          "did_source": OWN_TYPE if own else OVERALL}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = s.ORG_TYPE
    return GainBasis(table, overall, joint_mean, other_mean, len(joint), len(other),
                     (int(base_year), int(eval_year)), min_villages)


def project_income_gain(basis: GainBasis | None, new: Mapping[str, str],
                        removed: Mapping[str, str]) -> IncomeProjection | None:
    """Projected extra income (万元) from villages entering and leaving coverage.

    Parameters
    ----------
    basis : GainBasis or None
        From :func:`gain_basis`; ``None`` gives ``None``.
    new : mapping
        ``{village_code: org_type of its scenario group}`` for newly covered villages.
    removed : mapping
        ``{village_code: org_type of its organisation today}`` for villages
        leaving coverage.

    Returns
    -------
    IncomeProjection or None
        ``total`` = Σ new DID − Σ removed DID (万元, over a period as long as
        base → eval); ``mean_per_new_village`` = Σ new DID / number of new
        villages (``None`` without any); ``basis`` = the basis table with the
        villages counted and ``projected`` (万元) per type.

    Examples
    --------
    >>> import pandas as pd
    >>> attrs = pd.DataFrame({"kind": ["village"] * 3, "income_base": [0.0] * 3,
    ...     "income_eval": [5.0, 1.0, 2.0]}, index=["a", "b", "c"])
    >>> b = gain_basis(attrs, {"a": "other"}, (2019, 2023))
    >>> p = project_income_gain(b, new={"b": "industry"}, removed={"a": "other"})
    >>> p.total, p.basis.loc["industry", "did_source"]
    (0.0, '全部联建村（本类型样本不足）')
    """
    if basis is None:
        return None
    table = basis.table.copy()
    extra = sorted({t for t in (*new.values(), *removed.values()) if t not in table.index})
    for org_type in extra:
        table.loc[org_type] = {"type_label": f"未知类型 {org_type}", "joint_villages": 0,
                               "joint_mean_gain": np.nan, "other_mean_gain": basis.other_mean_gain,
                               "did": basis.overall_did, "did_source": OVERALL}
    for column, villages in (("new_villages", new), ("removed_villages", removed)):
        counts = pd.Series(list(villages.values()), dtype=object).value_counts()
        table[column] = counts.reindex(table.index, fill_value=0).astype(int)
    table["projected"] = table["did"] * (table["new_villages"] - table["removed_villages"])
    table = table[list(BASIS_COLUMNS)]
    gained = float((table["did"] * table["new_villages"]).sum())
    lost = float((table["did"] * table["removed_villages"]).sum())
    total = gained - lost
    mean = gained / len(new) if new else None
    sentence = _sentence(basis, len(new), gained, len(removed), lost, total)
    return IncomeProjection(total, mean, len(new), len(removed), table, sentence,
                            basis.years, basis.overall_did)


def _sentence(basis: GainBasis, n_new, gained, n_removed, lost, total) -> str:
    base_year, eval_year = basis.years
    text = (f"此为估算：按 {base_year}—{eval_year} 年现有联建村与未联建村的村均增收之差"
            f"（分联建类型计算；联建村不足 {basis.min_villages} 个的类型用总体差值 "
            f"{basis.overall_did:.2f} 万元）推算，"
            f"新增联建的 {n_new} 个村合计约多增收 {gained:.2f} 万元")
    if n_removed:
        net = f"净增约 {total:.2f}" if total >= 0 else f"净减约 {-total:.2f}"
        text += f"，退出联建的 {n_removed} 个村扣减 {lost:.2f} 万元，{net} 万元"
    return text + f"（与 {base_year}—{eval_year} 年同样长的期间）。"
