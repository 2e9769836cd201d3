"""analysis.orgs on the toy dataset of ``conftest.py``, answers worked out by hand.

Organisations: O1 (以强带弱, lead v3 in 甲县/乙镇; members v1, v2, v3, joined 2020)
and O2 (地域联治, lead v4 in 乙县/丙乡; members v4 and the community c1,
joined 2021).  v5 is the only village in no organisation.

Income (万元), base 2019 → eval 2021::

    v1   8 → 12   (+4)      v4  40 → 55  (+15), 2020: 45
    v2  20 → 26   (+6)      v5  10 → 9.5 (−0.5), 2020: 9
    v3   5 → —              c1 100 → 200 (+100; a community)

O1: members 3, population 600 + 400 + 1000 = 2000, income_base mean(8, 20, 5)
= 11, income_eval mean(12, 26) = 19, gain mean(4, 6) = 5.
O2: members 2, population 500 + 2000 = 2500, base mean(40, 100) = 70, eval
mean(55, 200) = 127.5, gain mean(15, 100) = 57.5 (organisation tables count
every member with income; the breakdowns, like the KPIs, only villages).
"""
import numpy as np
import pandas as pd
import pytest

from analysis import orgs
from analysis.areas import select_area
from analysis.kpis import kpis_by_area
from analysis.params import Params
from geo import schema as s
from tests.analysis.conftest import C1, C1_CODE, C2_CODE, T11, T12, V1, V3, V4, V5


def _args(toy):
    return toy.joint_orgs, toy.joint_members, toy.villages, toy.village_income


def test_org_table_by_hand(toy):
    before = [frame.copy() for frame in _args(toy)]
    table = orgs.org_table(*_args(toy))
    assert list(table.columns) == list(orgs.ORG_COLUMNS)
    assert table[s.ORG_ID].tolist() == ["O1", "O2"]
    assert table[orgs.TYPE_LABEL].tolist() == ["以强带弱", "地域联治"]
    assert table[orgs.LEAD_VILLAGE].tolist() == ["三村", "四村"]
    assert table[s.COUNTY].tolist() == ["甲县", "乙县"]
    assert table[s.TOWNSHIP_CODE].tolist() == [T12, "350002201"]
    assert table[orgs.MEMBERS].tolist() == [3, 2]
    assert table[s.POPULATION].tolist() == [2000, 2500]
    assert table[orgs.INCOME_BASE].tolist() == [11.0, 70.0]
    assert table[orgs.INCOME_EVAL].tolist() == [19.0, 127.5]
    assert table[orgs.INCOME_GAIN].tolist() == [5.0, 57.5]
    for frame, copy in zip(_args(toy), before):
        pd.testing.assert_frame_equal(frame, copy)


def test_org_table_of_other_years(toy):
    """2019 → 2020: only v4 (40 → 45) among the members has both years."""
    table = orgs.org_table(*_args(toy), base_year=2019, eval_year=2020)
    assert table[orgs.INCOME_GAIN].tolist()[1] == 5.0
    assert np.isnan(table[orgs.INCOME_GAIN].tolist()[0])


def test_org_table_without_organisations(toy):
    empty_orgs = toy.joint_orgs.iloc[:0]
    table = orgs.org_table(empty_orgs, toy.joint_members.iloc[:0], toy.villages,
                           toy.village_income)
    assert len(table) == 0 and list(table.columns) == list(orgs.ORG_COLUMNS)


def test_select_area_and_options(toy):
    table = orgs.org_table(*_args(toy))
    assert select_area(table, C1_CODE)[s.ORG_ID].tolist() == ["O1"]
    assert select_area(table, C2_CODE)[s.ORG_ID].tolist() == ["O2"]
    in_t11 = select_area(table, C1_CODE, T11)
    assert len(in_t11) == 0  # O1 lies where its lead v3 lies: 乙镇 (T12)
    villages_t11 = select_area(toy.villages, C1_CODE, T11)
    assert orgs.org_options(in_t11, toy.joint_members, villages_t11) == ["O1"]
    assert orgs.org_options(table, toy.joint_members, toy.villages) == ["O1", "O2"]


def test_village_orgs_and_org_of_village(toy):
    table = orgs.village_orgs(toy.villages, toy.joint_orgs, toy.joint_members)
    by_code = table.set_index(s.VILLAGE_CODE)
    assert by_code.loc[V1, s.ORG_ID] == "O1" and not by_code.loc[V1, orgs.IS_LEAD]
    assert by_code.loc[V3, orgs.IS_LEAD] and by_code.loc[V4, orgs.IS_LEAD]
    assert by_code.loc[C1, orgs.TYPE_LABEL] == "地域联治"
    assert by_code.loc[V5, s.ORG_ID] is None and by_code.loc[V5, orgs.ORG_NAME] is None
    assert table.index.equals(toy.villages.index)
    assert orgs.org_of_village(toy.joint_members, C1) == "O2"
    assert orgs.org_of_village(toy.joint_members, V5) is None


def test_org_members_lead_first(toy):
    rows = orgs.org_members("O2", *_args(toy))
    assert rows[s.VILLAGE_CODE].tolist() == [V4, C1]
    assert rows[orgs.IS_LEAD].tolist() == [True, False]
    assert rows[s.JOINED_YEAR].tolist() == [2021, 2021]
    assert rows[orgs.INCOME_GAIN].tolist() == [15.0, 100.0]
    assert len(orgs.org_members("nope", *_args(toy))) == 0


def test_income_before_after_by_hand(toy):
    """O1 per year: 2019 mean(8, 20, 5) = 11, 2020 none, 2021 mean(12, 26) = 19;
    the others are v5 alone: 10, 9, 9.5.  All members joined in 2020."""
    frame = orgs.income_before_after("O1", toy.joint_members, toy.villages, toy.village_income)
    assert frame[s.YEAR].tolist() == [2019, 2020, 2021]
    assert frame[orgs.YEAR_MEMBERS].tolist()[::2] == [11.0, 19.0]
    assert np.isnan(frame[orgs.YEAR_MEMBERS].tolist()[1])
    assert frame[orgs.YEAR_OTHERS].tolist() == [10.0, 9.0, 9.5]
    assert frame[orgs.MEMBERS_JOINED].tolist() == [0, 3, 3]
    assert frame[orgs.JOINED].tolist() == [False, True, True]


def test_income_before_after_compares_with_the_area(toy):
    """Within 甲县 no village is outside an organisation: no comparison."""
    area = select_area(toy.villages, C1_CODE)
    frame = orgs.income_before_after("O1", toy.joint_members, area, toy.village_income)
    assert frame[orgs.YEAR_OTHERS].isna().all()


def test_breakdown_by_type_by_hand(toy):
    """Villages total 5; 以强带弱: O1, members v1, v2, v3 (0.6), gain mean(4, 6) = 5;
    地域联治: O2, member v4 only (c1 is a community) (0.2), gain 15."""
    table = orgs.breakdown_by_type(*_args(toy)).set_index(s.ORG_TYPE)
    assert list(table.index) == list(s.ORG_TYPES)
    assert table[orgs.ORGS].tolist() == [1, 0, 0, 1, 0]
    assert table[orgs.MEMBERS].tolist() == [3, 0, 0, 1, 0]
    assert table.loc["strong_weak", orgs.COVERAGE] == 0.6
    assert table.loc["territorial", orgs.COVERAGE] == 0.2
    assert table.loc["strong_weak", orgs.INCOME_GAIN] == 5.0
    assert table.loc["territorial", orgs.INCOME_GAIN] == 15.0
    assert table[orgs.INCOME_GAIN].isna().tolist() == [False, True, True, False, True]


def test_breakdown_by_county_and_township_by_hand(toy):
    """甲县: O1, members 3 of 3 villages, gain 5; 乙县: O2, v4 of (v4, v5), gain 15.
    Townships: 甲镇 no organisation but v1, v2 joint (gain 5); 乙镇 O1 with v3
    (no 2021 income: gain NaN); 丙乡 O2 with v4 of 2."""
    county = orgs.breakdown_by_area(*_args(toy), by="county")
    assert county["code"].tolist() == [C1_CODE, C2_CODE]
    assert county["name"].tolist() == ["甲县", "乙县"]
    assert county[[orgs.ORGS, orgs.MEMBERS, orgs.VILLAGES_TOTAL]].to_numpy().tolist() == [
        [1, 3, 3], [1, 1, 2]]
    assert county[orgs.COVERAGE].tolist() == [1.0, 0.5]
    assert county[orgs.INCOME_GAIN].tolist() == [5.0, 15.0]
    town = orgs.breakdown_by_area(*_args(toy), by="township")
    assert town[orgs.ORGS].tolist() == [0, 1, 1]
    assert town[orgs.MEMBERS].tolist() == [2, 1, 1]
    assert town[orgs.COVERAGE].tolist() == [1.0, 1.0, 0.5]
    assert town[orgs.INCOME_GAIN].isna().tolist() == [False, True, False]


def test_breakdowns_agree_with_the_kpis(toy):
    county = orgs.breakdown_by_area(*_args(toy), by="county").set_index("code")
    for row in kpis_by_area(toy, "county", Params()):
        assert county.loc[row["code"], orgs.ORGS] == row["joint_orgs"]
        assert county.loc[row["code"], orgs.MEMBERS] == row["joint_villages"]
        assert county.loc[row["code"], orgs.COVERAGE] == pytest.approx(row["joint_coverage"])
        assert county.loc[row["code"], orgs.INCOME_GAIN] == pytest.approx(
            row["avg_income_gain_joint"])
    kinds = orgs.breakdown_by_type(*_args(toy))
    assert kinds[orgs.MEMBERS].sum() == 4 and kinds[orgs.ORGS].sum() == 2


def test_breakdown_by_an_unknown_level_is_refused(toy):
    with pytest.raises(ValueError, match="by='village'.*county、township"):
        orgs.breakdown_by_area(*_args(toy), by="village")


def test_breakdown_without_organisations(bare):
    table = orgs.breakdown_by_type(bare.joint_orgs, bare.joint_members, bare.villages,
                                   bare.village_income)
    assert table[orgs.ORGS].sum() == 0 and table[orgs.MEMBERS].sum() == 0
    assert table[orgs.INCOME_GAIN].isna().all()
    county = orgs.breakdown_by_area(bare.joint_orgs, bare.joint_members, bare.villages,
                                    bare.village_income, by="county")
    assert county[orgs.COVERAGE].tolist() == [0.0, 0.0]
