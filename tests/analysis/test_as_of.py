"""SPEC §3 "As of a year": organisations and members by year, missing years,
the evaluation year falling back, the year series and ``kpis --as-of-year``.

The toy villages of ``conftest`` (five villages V1–V5 and the community C1)
with organisations whose dates are worked out by hand::

    org  lead  founded   members (joined_year → counts from)
    O1   V3    2019      V1 2020 → 2020;  V2 — → 2019;  V3 — → 2019
    O2   V4    —         V4 2021 → 2021;  V5 — → always (no date at all)
    O3   C1    2022      C1 2018 → 2022 (its organisation is founded later)

    end of  orgs        joint villages        coverage  income years  eval
    2018    O2          V5                    1/5       none          —
    2019    O1 O2       V2 V3 V5              3/5       2019          2019
    2020    O1 O2       V1 V2 V3 V5           4/5       2019–2020     2020
    2021    O1 O2       V1 … V5               5/5       2019–2021     2021
    2022    O1 O2 O3    V1 … V5 (C1 is a 社区) 5/5       2019–2021     2021

Incomes (万元, conftest): V1 8/—/12, V2 20/—/26, V3 5/—/—, V4 40/45/55,
V5 10/9/9.5 in 2019/2020/2021.  At the end of 2020: joint villages with both
years V5 only (9 − 10 = −1); the other village V4 (45 − 40 = 5); V1, V2, V3
lack 2020 (``income_missing`` 3).  At the end of 2019 the low-income villages
(< 10) are V1 (8) and V3 (5).
"""
import json

import pandas as pd
import pytest

from analysis.as_of import as_of_years, dataset_as_of
from analysis.kpis import compute_kpis, kpis_by_area
from analysis.params import Params
from analysis.trends import joint_trend
from cli.main import main
from geo import schema as s
from tests.analysis.conftest import (C1, C1_CODE, C2_CODE, V1, V2, V3, V4, V5, make_dataset,
                                     toy_income, toy_villages)
from tests.geo.conftest import write_gpkg

NA = None


def dated_layers() -> dict:
    orgs = pd.DataFrame({s.ORG_ID: ["O1", "O2", "O3"], s.NAME: ["一", "二", "三"],
                         s.ORG_TYPE: ["strong_weak", "territorial", "other"],
                         s.LEAD_VILLAGE_CODE: [V3, V4, C1], s.FOUNDED_YEAR: [2019, NA, 2022]})
    members = pd.DataFrame({s.ORG_ID: ["O1", "O1", "O1", "O2", "O2", "O3"],
                            s.VILLAGE_CODE: [V1, V2, V3, V4, V5, C1],
                            s.JOINED_YEAR: [2020, NA, NA, 2021, NA, 2018]})
    return {s.VILLAGES: toy_villages(), s.VILLAGE_INCOME: toy_income(), s.JOINT_ORGS: orgs,
            s.JOINT_MEMBERS: members}


@pytest.fixture
def dated():
    return make_dataset(**dated_layers())


@pytest.mark.parametrize("year, orgs, villages", [
    (2017, ["O2"], [V5]),   # no founded_year, no joined_year: in every year
    (2018, ["O2"], [V5]),
    (2019, ["O1", "O2"], [V2, V3, V5]),
    (2020, ["O1", "O2"], [V1, V2, V3, V5]),
    (2021, ["O1", "O2"], [V1, V2, V3, V4, V5]),
    (2022, ["O1", "O2", "O3"], [V1, V2, V3, V4, V5, C1]),
])
def test_organisations_and_members_by_year(dated, year, orgs, villages):
    at = dataset_as_of(dated, year)
    assert sorted(at.joint_orgs[s.ORG_ID]) == orgs
    assert sorted(at.joint_members[s.VILLAGE_CODE]) == sorted(villages)


@pytest.mark.parametrize("year, orgs, joint, coverage", [
    (2018, 1, 1, 0.2), (2019, 2, 3, 0.6), (2020, 2, 4, 0.8), (2021, 2, 5, 1.0),
    (2022, 3, 5, 1.0)])
def test_coverage_figures_as_of_a_year(dated, year, orgs, joint, coverage):
    k = compute_kpis(dated, Params(as_of_year=year))
    assert (k["joint_orgs"], k["joint_villages"]) == (orgs, joint)
    assert k["joint_coverage"] == pytest.approx(coverage)


def test_the_latest_year_is_the_data_as_they_are(dated):
    assert compute_kpis(dated, Params(as_of_year=2022)) == compute_kpis(dated, Params())


@pytest.mark.parametrize("year, base, last", [
    (2018, None, None), (2019, 2019, 2019), (2020, 2019, 2020), (2021, 2019, 2021),
    (2022, 2019, 2021), (2030, 2019, 2021)])
def test_eval_year_is_y_or_the_latest_before_it(dated, year, base, last):
    k = compute_kpis(dated, Params(as_of_year=year))
    assert (k["base_year"], k["eval_year"]) == (base, last)


def test_income_figures_follow_the_year(dated):
    k = compute_kpis(dated, Params(as_of_year=2020))
    assert k["avg_income_gain_joint"] == pytest.approx(-1.0)
    assert k["avg_income_gain_other"] == pytest.approx(5.0)
    assert k["income_missing"] == 3
    assert compute_kpis(dated, Params(as_of_year=2019))["low_income_villages"] == 2


def test_before_every_income_year_income_figures_are_null(dated):
    k = compute_kpis(dated, Params(as_of_year=2018))
    assert k["avg_income_gain_joint"] is None and k["low_income_villages"] is None
    assert k["income_growth_all"] is None and k["joint_orgs"] == 1


def test_no_organisation_yet_is_zero_but_no_layer_stays_null(dated, bare):
    layers = dated_layers()
    layers[s.JOINT_ORGS][s.FOUNDED_YEAR] = [2019, 2019, 2022]
    layers[s.JOINT_MEMBERS][s.JOINED_YEAR] = [NA] * 6
    k = compute_kpis(make_dataset(**layers), Params(as_of_year=2018))
    assert (k["joint_orgs"], k["joint_villages"], k["joint_coverage"]) == (0, 0, 0.0)
    assert compute_kpis(bare, Params(as_of_year=2018))["joint_orgs"] is None


def test_an_explicit_year_after_y_is_refused_in_chinese(dated):
    with pytest.raises(ValueError, match="eval_year=2021 晚于 as_of_year=2020"):
        compute_kpis(dated, Params(as_of_year=2020, eval_year=2021))
    assert compute_kpis(dated, Params(as_of_year=2021, base_year=2020))["base_year"] == 2020


def test_organisations_count_where_their_lead_lies_by_year(dated):
    by = {r["code"]: r["joint_orgs"] for r in kpis_by_area(dated, "county",
                                                            Params(as_of_year=2022))}
    assert by == {C1_CODE: 2, C2_CODE: 1}   # O1 (V3) and O3 (C1); O2 (V4)
    by = {r["code"]: r["joint_orgs"] for r in kpis_by_area(dated, "county",
                                                            Params(as_of_year=2021))}
    assert by == {C1_CODE: 1, C2_CODE: 1}


def test_the_input_is_not_changed(dated):
    before = {name: frame.copy() for name, frame in dated.layers.items()}
    dataset_as_of(dated, 2019)
    for name, frame in dated.layers.items():
        pd.testing.assert_frame_equal(frame, before[name])


def test_years_offered_and_the_series(dated):
    assert as_of_years(dated) == [2018, 2019, 2020, 2021, 2022]
    series = joint_trend(dated, [2018, 2020, 2022])
    assert series["joint_orgs"].tolist() == [1, 2, 3]
    assert series["joint_coverage"].tolist() == pytest.approx([0.2, 0.8, 1.0])
    county = (dated.villages[s.COUNTY_CODE] == C2_CODE).to_numpy()
    area = joint_trend(dated, [2018, 2021], county)    # V4, V5; O2
    assert area.to_dict("list") == {"joint_orgs": [1.0, 1.0], "joint_villages": [1.0, 2.0],
                                    "joint_coverage": [0.5, 1.0]}


def test_cli_as_of_year(tmp_path, capsys):
    path = write_gpkg(tmp_path / "dated.gpkg", dated_layers())
    assert main(["kpis", str(path), "--as-of-year", "2019", "--json"]) == 0
    k = json.loads(capsys.readouterr().out)
    assert (k["joint_orgs"], k["joint_villages"], k["eval_year"]) == (2, 3, 2019)
    assert main(["kpis", str(path), "--as-of-year", "2018", "--json", "--by", "county"]) == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[C2_CODE]["joint_villages"] == 1 and rows[C1_CODE]["joint_orgs"] == 0
    assert main(["kpis", str(path), "--as-of-year", "2020"]) == 0
    assert "数据截至 2020 年底" in capsys.readouterr().out
    assert main(["kpis", str(path), "--as-of-year", "2019", "--eval-year", "2021"]) == 1
    assert "eval_year=2021 晚于 as_of_year=2019" in capsys.readouterr().err
