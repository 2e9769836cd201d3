"""Income figures on the toy dataset (income table in conftest)."""
import pandas as pd
import pytest

from analysis import income
from geo import schema as s
from tests.analysis.conftest import C1_CODE, C2_CODE, V1


def test_defaults_compare_earliest_and_latest_year(toy):
    """2019 → 2021; villages with both years: v1 (8→12), v2 (20→26), v4 (40→55)
    joint, v5 (10→9.5) other; v3 lacks 2021; c1 is a community; "999" unknown.

    joint gain (4 + 6 + 15) / 3 = 25/3; other −0.5; DID 25/3 + 0.5 = 53/6;
    growth (12 + 26 + 55 + 9.5) / (8 + 20 + 40 + 10) − 1 = 102.5/78 − 1;
    low (< 10): v5 → 1; target (≥ 50): v4 → 1; missing 2021: v3 → 1.
    """
    v, inc, m = toy.villages, toy.village_income, toy.joint_members
    assert income.resolve_years(inc) == (2019, 2021)
    assert income.avg_income_gain_joint(v, inc, m) == pytest.approx(25 / 3)
    assert income.avg_income_gain_other(v, inc, m) == pytest.approx(-0.5)
    assert income.income_gain_did(v, inc, m) == pytest.approx(53 / 6)
    assert income.income_growth_all(v, inc) == pytest.approx(102.5 / 78 - 1)
    assert income.low_income_villages(v, inc) == 1
    assert income.target_income_villages(v, inc) == 1
    assert income.income_missing(v, inc) == 1


def test_base_year_missing_for_some_villages(toy):
    """2020 → 2021: only v4 (45→55, joint) and v5 (9→9.5, other) have 2020;
    v1, v2 lack the base year and are left out of gains and growth, but
    still count for low/target (they have 2021).

    joint 10; other 0.5; DID 9.5; growth (55 + 9.5)/(45 + 9) − 1 = 64.5/54 − 1;
    low: v5 (9.5) → 1; target: v4 → 1; missing 2021: v3 → 1.
    """
    f = income.income_figures(toy.villages, toy.village_income, toy.joint_members, 2020, 2021)
    row = f.iloc[0]
    assert row["avg_income_gain_joint"] == pytest.approx(10.0)
    assert row["avg_income_gain_other"] == pytest.approx(0.5)
    assert row["income_gain_did"] == pytest.approx(9.5)
    assert row["income_growth_all"] == pytest.approx(64.5 / 54 - 1)
    assert (row["low_income_villages"], row["target_income_villages"],
            row["income_missing"]) == (1, 1, 1)


def test_eval_year_parameter(toy):
    """2019 → 2020: v4 +5 (joint), v5 −1 (other); growth (45+9)/(40+10) − 1 = 0.08;
    low: v5 (9) → 1; target: none → 0; missing 2020: v1, v2, v3 → 3."""
    v, inc, m = toy.villages, toy.village_income, toy.joint_members
    assert income.avg_income_gain_joint(v, inc, m, eval_year=2020) == pytest.approx(5.0)
    assert income.avg_income_gain_other(v, inc, m, eval_year=2020) == pytest.approx(-1.0)
    assert income.income_growth_all(v, inc, eval_year=2020) == pytest.approx(0.08)
    assert income.low_income_villages(v, inc, eval_year=2020) == 1
    assert income.target_income_villages(v, inc, eval_year=2020) == 0
    assert income.income_missing(v, inc, eval_year=2020) == 3


def test_thresholds(toy):
    """2021 incomes: v1 12, v2 26, v4 55, v5 9.5.  < 12 → v5 only (12 is not
    below 12); < 12.5 → v1, v5; ≥ 26 → v2, v4 (inclusive); ≥ 56 → none."""
    v, inc = toy.villages, toy.village_income
    assert income.low_income_villages(v, inc, threshold=12) == 1
    assert income.low_income_villages(v, inc, threshold=12.5) == 2
    assert income.target_income_villages(v, inc, target=26) == 2
    assert income.target_income_villages(v, inc, target=56) == 0


def test_per_county(toy):
    """C1 (v1, v2, v3): joint gains 4, 6 → 5.0; no other village → None, DID None;
    growth 38/28 − 1; low 0, target 0, missing v3 → 1.
    C2 (v4, v5): joint 15, other −0.5, DID 15.5; growth 64.5/50 − 1 = 0.29;
    low 1, target 1, missing 0."""
    f = income.income_figures(toy.villages, toy.village_income, toy.joint_members,
                              group=toy.villages[s.COUNTY_CODE])
    c1, c2 = f.loc[C1_CODE], f.loc[C2_CODE]
    assert c1["avg_income_gain_joint"] == pytest.approx(5.0)
    assert pd.isna(c1["avg_income_gain_other"]) and pd.isna(c1["income_gain_did"])
    assert c1["income_growth_all"] == pytest.approx(38 / 28 - 1)
    counts = ["low_income_villages", "target_income_villages", "income_missing"]
    assert c1[counts].tolist() == [0, 0, 1]
    assert c2["income_gain_did"] == pytest.approx(15.5)
    assert c2["income_growth_all"] == pytest.approx(0.29)
    assert c2[counts].tolist() == [1, 1, 0]


def test_no_income_table_gives_none(bare):
    v, inc = bare.villages, bare.village_income
    assert income.resolve_years(inc) == (None, None)
    assert income.avg_income_gain_joint(v, inc, bare.joint_members) is None
    assert income.income_growth_all(v, inc) is None
    assert income.low_income_villages(v, inc) is None
    assert income.income_missing(v, inc) is None
    f = income.income_figures(v, inc, bare.joint_members, group=v[s.COUNTY_CODE])
    assert f.isna().all().all()


def test_without_members_joint_and_other_are_none(toy):
    """Not knowing the organisations, "joint" and "other" are unknown."""
    empty = toy.joint_members.iloc[0:0]
    assert income.avg_income_gain_joint(toy.villages, toy.village_income, empty) is None
    assert income.avg_income_gain_other(toy.villages, toy.village_income, empty) is None
    growth = income.income_growth_all(toy.villages, toy.village_income)
    assert growth == pytest.approx(102.5 / 78 - 1)


def test_area_without_eval_income_has_no_low_count(toy):
    """Only v3 (no 2021 income): low and target counts None, missing 1."""
    only_v3 = toy.villages.iloc[[2]]
    assert income.low_income_villages(only_v3, toy.village_income) is None
    assert income.target_income_villages(only_v3, toy.village_income) is None
    assert income.income_missing(only_v3, toy.village_income) == 1


def test_zero_base_income_gives_no_growth(toy):
    """Σ income(base) = 0 → growth has no denominator → None."""
    inc = pd.DataFrame({s.VILLAGE_CODE: [V1, V1], s.YEAR: [2019, 2021],
                        s.COLLECTIVE_INCOME: [0.0, 5.0]})
    assert income.income_growth_all(toy.villages, inc) is None


def test_duplicate_rows_are_added(toy):
    """Two 2021 rows for v1 (12 + 3) are one income of 15: gain 7."""
    extra = pd.DataFrame({s.VILLAGE_CODE: [V1], s.YEAR: [2021], s.COLLECTIVE_INCOME: [3.0]})
    inc = pd.concat([toy.village_income, extra], ignore_index=True)
    only_v1 = toy.villages.iloc[[0]]
    assert income.avg_income_gain_joint(only_v1, inc, toy.joint_members) == pytest.approx(7.0)


@pytest.mark.parametrize("kw, message", [
    ({"base_year": 2018}, "base_year=2018 不在"),
    ({"eval_year": 2030}, "eval_year=2030 不在"),
    ({"base_year": 2021, "eval_year": 2019}, "晚于"),
])
def test_bad_years_are_refused(toy, kw, message):
    with pytest.raises(ValueError, match=message):
        income.resolve_years(toy.village_income, **kw)
