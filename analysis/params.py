"""Parameters of the figures of SPEC §3, with their defaults.

>>> Params().target_income
50.0
>>> Params(eval_year=2021).eval_year
2021
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Params:
    """Parameters of the KPIs (SPEC §3).

    Attributes
    ----------
    base_year, eval_year : int or None
        Years compared by the income figures; ``None`` means the earliest and
        the latest year of ``village_income``.
    low_income_threshold : float
        万元; a village with income(eval_year) below it is a low-income village.
    target_income : float
        万元; a village with income(eval_year) at or above it meets the target.
    strong_threshold : float
        万元; a village with income(eval_year) at or above it is a strong village
        (used by the scenario checks of SPEC §4).
    grid_min_households, grid_max_households : int
        Households of a standard unit grid (level 4), both bounds inclusive.
    service_radius_m : float
        m; service radius around each service site, measured in a projected
        metric CRS.
    walk_minutes : float
        Minutes on foot of the walking service circle (15 = 一刻钟, 10 = 十分钟).
    walk_speed_kmh : float
        km/h; walking speed (4.0: 15 minutes = 1,000 m).
    as_of_year : int or None
        The state at the end of that year (SPEC §3 "As of a year",
        :func:`analysis.as_of.dataset_as_of`); ``None``: the data as they are.
    """

    base_year: int | None = None
    eval_year: int | None = None
    low_income_threshold: float = 10.0
    target_income: float = 50.0
    strong_threshold: float = 50.0
    grid_min_households: int = 80
    grid_max_households: int = 120
    service_radius_m: float = 1000.0
    walk_minutes: float = 15.0
    walk_speed_kmh: float = 4.0
    as_of_year: int | None = None


def default_params(settings) -> Params:
    """:class:`Params` with the thresholds of the settings file (万元, m).

    ``settings`` is a :class:`geo.settings.Settings` (``dashboard.toml``
    ``[figures]``); years stay unset (the data's earliest and latest).

    >>> from geo.settings import DEFAULT_CONFIG, load_settings
    >>> default_params(load_settings(DEFAULT_CONFIG)).service_radius_m
    1000.0
    """
    return Params(low_income_threshold=settings.low_income_threshold,
                  target_income=settings.target_income,
                  strong_threshold=settings.strong_threshold,
                  service_radius_m=settings.service_radius_m)
