"""The one area filter: rows of a county, a township or a village.

Every table with ``county_code`` / ``township_code`` (/ ``village_code``)
columns is cut to the sidebar's area with these, on screen, on paper and in
auto-suggest.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from geo import schema as s


def area_mask(frame: pd.DataFrame, county: str | None = None, township: str | None = None,
              village: str | None = None) -> np.ndarray:
    """Rows of ``frame`` (with county/township/village codes) inside the area
    (``None``: any), as a boolean array.

    >>> t = pd.DataFrame({"county_code": ["C", "C", "D"], "township_code": ["T", "U", "V"]})
    >>> area_mask(t, "C").tolist(), area_mask(t, "C", "U").tolist(), area_mask(t, None).tolist()
    ([True, True, False], [False, True, False], [True, True, True])
    """
    keep = np.ones(len(frame), dtype=bool)
    for field, code in ((s.COUNTY_CODE, county), (s.TOWNSHIP_CODE, township),
                        (s.VILLAGE_CODE, village)):
        if code:
            keep &= (frame[field] == code).to_numpy()
    return keep


def select_area(table: pd.DataFrame, county: str | None = None,
                township: str | None = None) -> pd.DataFrame:
    """The rows of ``table`` in a county and/or township (``None``: any).

    >>> t = pd.DataFrame({"county_code": ["C", "C", "D"], "township_code": ["T", "U", "V"]})
    >>> len(select_area(t, "C")), len(select_area(t, "C", "U")), len(select_area(t))
    (2, 1, 3)
    """
    return table[area_mask(table, county, township)]
