"""Star ratings and weak organisations on the toy dataset.

Ratings (star, weak_org, rectified): v1 5 T T; v2 4 T F; v3 3 F —; c1 — — —;
v4 2 F F; v5 — F F.  Villages and communities both count.
"""
import pandas as pd
import pytest

from analysis import stars
from geo import schema as s
from tests.analysis.conftest import C1_CODE, C2_CODE, T12


def test_city_wide(toy):
    """Rated rows: v1, v2, v3, v4 (c1, v5 unrated) → ≥ 4: v1, v2 = 2/4; = 5: 1/4.
    weak: v1, v2 → 2; of those rectified: v1 → 1."""
    v = toy.villages
    assert stars.star4plus_share(v) == 0.5
    assert stars.star5_share(v) == 0.25
    assert stars.weak_orgs(v) == 2
    assert stars.weak_rectified(v) == 1


def test_per_county(toy):
    """C1: rated v1, v2, v3 → 2/3 and 1/3; weak 2, rectified 1.
    C2: rated v4 (2 stars) → 0.0 and 0.0 (rated, just not high); weak 0, rectified 0."""
    f = stars.star_figures(toy.villages, toy.villages[s.COUNTY_CODE])
    assert f.loc[C1_CODE].tolist() == pytest.approx([2 / 3, 1 / 3, 2, 1])
    assert f.loc[C2_CODE].tolist() == [0.0, 0.0, 0.0, 0.0]


def test_area_without_rated_rows_has_no_share(toy):
    """T12 holds v3 (3 stars) and c1 (unrated); drop v3's rating: no rated row → None."""
    v = toy.villages.copy()
    v.loc[v[s.TOWNSHIP_CODE] == T12, s.STAR_RATING] = pd.NA
    f = stars.star_figures(v, v[s.TOWNSHIP_CODE])
    assert pd.isna(f.loc[T12, "star4plus_share"]) and pd.isna(f.loc[T12, "star5_share"])
    assert stars.star4plus_share(v.iloc[[2, 3]]) is None


def test_missing_fields_give_none(toy):
    """Optional fields absent, or present but entirely empty → None, not 0."""
    v = toy.villages.drop(columns=[s.STAR_RATING, s.WEAK_ORG, s.RECTIFIED])
    assert stars.star4plus_share(v) is None and stars.star5_share(v) is None
    assert stars.weak_orgs(v) is None and stars.weak_rectified(v) is None
    empty = toy.villages.assign(**{s.WEAK_ORG: pd.array([None] * 6, dtype="boolean")})
    assert stars.weak_orgs(empty) is None


def test_rectified_missing(toy):
    """Weak rows but no ``rectified`` field: rectified count unknown (None);
    with no weak row at all it is 0 whatever ``rectified`` says."""
    v = toy.villages.drop(columns=[s.RECTIFIED])
    assert stars.weak_orgs(v) == 2
    assert stars.weak_rectified(v) is None
    none_weak = v.assign(**{s.WEAK_ORG: pd.array([False] * 6, dtype="boolean")})
    assert stars.weak_rectified(none_weak) == 0


def test_rectified_without_weak_is_not_counted(toy):
    """rectified = true on a row that is not weak (v4) does not count."""
    v = toy.villages.copy()
    v.loc[4, s.RECTIFIED] = True
    assert stars.weak_rectified(v) == 1
