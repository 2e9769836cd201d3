"""analysis.rankings: ranks, changes and red/yellow/green marks, worked out by hand.

Four areas (shares as fractions), the default targets of geo.settings::

    area  coverage (before)  low-income  managers  weak / rectified
    甲    0.70 (0.65)        0           1.0       2 / 2   → 1.0
    乙    0.60 (0.60)        1           0.95      0 / 0   → 1.0 (none to rectify)
    丙    0.54 (0.50)        3           0.90      4 / 3   → 0.75
    丁    0.50 (—)           —           0.899     — / —   → —

Coverage ≥ 0.60: 甲 乙 green, 丙 yellow (exactly 90 % of 0.60), 丁 red.
Low-income ≤ 0 (no yellow band): 甲 green, 乙 丙 red, 丁 unmarked and unranked.
Managers ≥ 1.0: 甲 green, 乙 丙 yellow (≥ 0.90), 丁 red.
Rectified ≥ 1.0: 甲 乙 green and tied first, 丙 red (0.75 < 0.90), 丁 unmarked.
"""
import pandas as pd
import pytest

from analysis.rankings import area_marks, figure_value, mark, mark_counts, rank_areas
from geo.settings import TARGETS

ROWS = [
    {"code": "A", "name": "甲", "joint_coverage": 0.70, "low_income_villages": 0,
     "grid_manager_coverage": 1.0, "weak_orgs": 2, "weak_rectified": 2},
    {"code": "B", "name": "乙", "joint_coverage": 0.60, "low_income_villages": 1,
     "grid_manager_coverage": 0.95, "weak_orgs": 0, "weak_rectified": 0},
    {"code": "C", "name": "丙", "joint_coverage": 0.54, "low_income_villages": 3,
     "grid_manager_coverage": 0.90, "weak_orgs": 4, "weak_rectified": 3},
    {"code": "D", "name": "丁", "joint_coverage": 0.50, "low_income_villages": None,
     "grid_manager_coverage": 0.899, "weak_orgs": None, "weak_rectified": None},
]
BEFORE = [{"code": "A", "joint_coverage": 0.65}, {"code": "B", "joint_coverage": 0.60},
          {"code": "C", "joint_coverage": 0.50}]
KEYS = ("joint_coverage", "low_income_villages", "grid_manager_coverage",
        "weak_rectified_share")


@pytest.fixture
def ranked():
    return rank_areas(ROWS, BEFORE, TARGETS, 0.10, KEYS)


def _of(table, key, column):
    rows = table[table["key"] == key].set_index("name")
    return {name: (None if pd.isna(v) else v) for name, v in rows[column].items()}


def test_ranks_best_first_ties_share_missing_last(ranked):
    assert _of(ranked, "joint_coverage", "rank") == {"甲": 1, "乙": 2, "丙": 3, "丁": 4}
    assert _of(ranked, "low_income_villages", "rank") == {"甲": 1, "乙": 2, "丙": 3, "丁": None}
    assert _of(ranked, "weak_rectified_share", "rank") == {"甲": 1, "乙": 1, "丙": 3, "丁": None}
    assert ranked[ranked["key"] == "low_income_villages"]["name"].tolist()[-1] == "丁"


def test_change_against_the_previous_year(ranked):
    change = _of(ranked, "joint_coverage", "change")
    assert change["甲"] == pytest.approx(0.05) and change["乙"] == 0
    assert change["丙"] == pytest.approx(0.04) and change["丁"] is None
    assert rank_areas(ROWS, None, TARGETS, keys=KEYS)["change"].isna().all()


def test_marks_against_the_default_targets(ranked):
    assert _of(ranked, "joint_coverage", "mark") == {"甲": "green", "乙": "green",
                                                     "丙": "yellow", "丁": "red"}
    assert _of(ranked, "low_income_villages", "mark") == {"甲": "green", "乙": "red",
                                                          "丙": "red", "丁": None}
    assert area_marks(ranked, "grid_manager_coverage") == {"A": "green", "B": "yellow",
                                                           "C": "yellow", "D": "red"}
    assert _of(ranked, "weak_rectified_share", "mark") == {"甲": "green", "乙": "green",
                                                           "丙": "red", "丁": None}
    assert mark_counts(ranked, "joint_coverage") == {"green": 2, "yellow": 1, "red": 1}


def test_the_margin_and_an_at_most_target():
    assert mark("joint_coverage", 0.54, 0.60, margin=0.0) == "red"
    assert mark("joint_coverage", 0.54, 0.60, margin=0.10) == "yellow"
    assert [mark("low_income_villages", v, 2) for v in (2, 2.2, 3)] == ["green", "yellow", "red"]
    assert mark("joint_coverage", None, 0.6) is None
    with pytest.raises(ValueError, match="没有目标方向，可选：joint_coverage"):
        mark("joint_orgs", 10, 5)


def test_figures_without_a_target_are_ranked_unmarked():
    table = rank_areas(ROWS, None, {"joint_coverage": 0.6}, keys=("joint_coverage", "joint_orgs"))
    assert table.loc[table["key"] == "joint_orgs", "mark"].isna().all()
    assert figure_value({"weak_orgs": 0, "weak_rectified": 0}, "weak_rectified_share") == 1.0
