"""Village collective income 2019–2023 (万元), calibrated to the seed figures.

Income follows a lognormal level in 2019 and yearly growth (county trend,
village drift, noise); villages in a joint organisation grow faster from the
year after they joined.  Then, in whole cents:

* Yong'an's Σ income(2021) / Σ income(2019) − 1 is set to 0.3081 by lifting
  its villages under 10 万元 to just above 10 and scaling the others' 2021
  income, the last cents going to the largest village (2022 and 2023 are kept
  at 10 万元 or more too);
* the mean gain 2019→2023 of joint villages is set to 6.50 万元 by choosing
  the joint bonus (bisection) and spreading the last cents over the members
  that are not lead villages.

>>> exact_total(np.array([100, 300]), 500).tolist()
[125, 375]
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.demo_plan import (COUNTY_PLANS, JOINT_GAIN_2019_2023, LOW_INCOME, STRONG_INCOME,
                            YEARS, YONGAN, YONGAN_GROWTH_2019_2021)
from geo import schema as s

log = logging.getLogger(__name__)

_SIGMA = 0.75                # spread of log income
_TREND = 0.048               # yearly growth, all villages
_YONGAN_TREND = (0.13, 0.13, 0.05, 0.05)   # Yong'an's growth 2020–2023
_I2021 = YEARS.index(2021)


@dataclass
class IncomeModel:
    """2019 income (万元) and yearly growth rates (2020–2023) of n villages."""

    start: np.ndarray          # (n,)
    growth: np.ndarray         # (n, 4)

    def paths(self, joined: np.ndarray | None = None, bonus: float = 0.0) -> np.ndarray:
        """Income for every year (n, 5); ``joined`` (year or NaN) adds ``bonus`` growth."""
        g = self.growth
        if joined is not None:
            after = np.asarray(YEARS[1:])[None, :] > joined[:, None]
            g = g + bonus * after
        return self.start[:, None] * np.column_stack([np.ones(len(g)), np.cumprod(1 + g, axis=1)])


def base_income(counties: np.ndarray, rng: np.random.Generator) -> IncomeModel:
    """Income model of villages in ``counties`` (their county codes)."""
    n = len(counties)
    median = np.array([COUNTY_PLANS[c].income_median for c in counties])
    start = median * np.exp(rng.normal(0, _SIGMA, n))
    trend = np.where((counties == YONGAN)[:, None], np.array(_YONGAN_TREND)[None, :], _TREND)
    growth = trend + rng.normal(0, 0.025, (n, 1)) + rng.normal(0, 0.05, (n, 4))
    return IncomeModel(start, np.clip(growth, -0.25, 0.45))


def ensure_strong(model: IncomeModel, counties: np.ndarray, needed: dict[str, int],
                  rng: np.random.Generator) -> IncomeModel:
    """Lift the richest villages of a county until it has ``needed`` strong
    ones (≥ 50 万元 in 2023)."""
    start = model.start.copy()
    last = model.paths()[:, -1]
    for county, k in needed.items():
        rows = np.flatnonzero(counties == county)
        short = k - int((last[rows] >= STRONG_INCOME).sum())
        if short > 0:
            weaker = rows[last[rows] < STRONG_INCOME]
            lift = weaker[np.argsort(-last[weaker], kind="stable")[:short]]
            start[lift] *= rng.uniform(52, 70, len(lift)) / last[lift]
            log.info("county %s: %d villages lifted to strong", county, len(lift))
    return IncomeModel(start, model.growth)


def exact_total(cents: np.ndarray, total: int) -> np.ndarray:
    """Scale integer ``cents`` to add up to ``total`` exactly (rest on the largest)."""
    out = np.floor(cents * (total / cents.sum())).astype(np.int64)
    out[np.argmax(out)] += total - out.sum()
    return out


def calibrate_yongan(cents: np.ndarray, yongan: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Yong'an growth 2019→2021 exactly 30.81 %, no village under 10 万元 2021–2023."""
    out = cents.copy()
    floor = int(LOW_INCOME * 100)
    for col in range(_I2021 + 1, len(YEARS)):
        low = yongan & (out[:, col] < floor)
        out[low, col] = floor + rng.integers(20, 300, int(low.sum()))
    rows = np.flatnonzero(yongan)
    target = int(round((1 + YONGAN_GROWTH_2019_2021) * out[rows, 0].sum()))
    col = out[rows, _I2021].copy()
    lifted = col < floor
    col[lifted] = floor + rng.integers(20, 300, int(lifted.sum()))
    while True:
        col[~lifted] = exact_total(col[~lifted], target - int(col[lifted].sum()))
        newly = ~lifted & (col < floor)
        if not newly.any():
            break
        lifted |= newly
        col[newly] = floor + rng.integers(20, 300, int(newly.sum()))
    out[rows, _I2021] = col
    return out


def calibrate_joint_gain(cents: np.ndarray, joint: np.ndarray, lead: np.ndarray) -> np.ndarray:
    """Mean gain 2019→2023 of joint villages exactly 6.50 万元 (cents moved on non-lead members)."""
    out = cents.copy()
    target = int(round(JOINT_GAIN_2019_2023 * 100)) * int(joint.sum())
    residual = target - int((out[joint, -1] - out[joint, 0]).sum())
    spread = joint & ~lead & (out[:, -1] >= 1500)
    rows = np.flatnonzero(spread)
    out[rows, -1] = exact_total(out[rows, -1], int(out[rows, -1].sum()) + residual)
    return out


def joint_bonus(model: IncomeModel, joined: np.ndarray) -> float:
    """Yearly bonus growth that brings the joint villages' mean gain to 6.50 万元."""
    joint = ~np.isnan(joined)

    def gain(b):
        p = model.paths(joined, b)[joint]
        return float((p[:, -1] - p[:, 0]).mean())

    lo, hi = 0.0, 0.5
    if gain(lo) >= JOINT_GAIN_2019_2023:
        return lo
    for _ in range(50):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if gain(mid) < JOINT_GAIN_2019_2023 else (lo, mid)
    return (lo + hi) / 2


def income_cents(model: IncomeModel, counties: np.ndarray, joined: np.ndarray, lead: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """The calibrated income of every village and year, in cents (n, 5)."""
    bonus = joint_bonus(model, joined)
    log.info("joint bonus growth %.4f per year", bonus)
    cents = np.rint(model.paths(joined, bonus) * 100).astype(np.int64)
    yongan = counties == YONGAN
    if yongan.any():
        cents = calibrate_yongan(cents, yongan, rng)
    joint = ~np.isnan(joined)
    if joint.any():
        cents = calibrate_joint_gain(cents, joint, lead)
    return cents


def income_table(codes: np.ndarray, cents: np.ndarray, missing_2023: np.ndarray) -> pd.DataFrame:
    """The ``village_income`` layer: one row per village and year, 万元 with 2 decimals.

    ``missing_2023`` marks villages whose 2023 row is left out.
    """
    years = np.tile(np.asarray(YEARS), len(codes))
    frame = pd.DataFrame({s.VILLAGE_CODE: np.repeat(codes, len(YEARS)), s.YEAR: years,
                          s.COLLECTIVE_INCOME: cents.ravel() / 100})
    drop = np.repeat(missing_2023, len(YEARS)) & (years == YEARS[-1])
    return frame[~drop].reset_index(drop=True)
