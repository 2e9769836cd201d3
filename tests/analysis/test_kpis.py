"""All figures together: compute_kpis, kpis_by_area.

The expected values are those worked out in the topic tests (see conftest
for the toy dataset); here they are checked through the public entry points.
"""
import json

import pytest

from analysis import coverage, grid, income, service, stars, walk
from analysis.kpis import KPI_KEYS, KPI_LABELS, compute_kpis, kpis_by_area, prepare_kpis
from analysis.params import Params
from geo import schema as s
from tests.analysis.conftest import (C1_CODE, C2_CODE, METRIC, T11, T12, T21, make_dataset,
                                     toy_layers)

P300 = Params(service_radius_m=300.0)
SPEC_ORDER = """villages_total communities_total joint_orgs joint_villages joint_coverage
joint_population_coverage avg_members_per_org avg_income_gain_joint avg_income_gain_other
income_gain_did income_growth_all low_income_villages target_income_villages income_missing
grid_l3 grid_l4 grid_l3_branch_coverage grid_l4_standard_share grid_manager_coverage
grid_area_coverage grid_overlap_share grid_orphans star4plus_share star5_share weak_orgs
weak_rectified villages_with_site_share service_population_coverage
walk_service_population_coverage""".split()

CITY = {  # toy dataset, defaults but a 300 m radius
    "villages_total": 5, "communities_total": 1, "joint_orgs": 2, "joint_villages": 4,
    "joint_coverage": 0.8, "joint_population_coverage": 2500 / 3000, "avg_members_per_org": 2.5,
    "avg_income_gain_joint": 25 / 3, "avg_income_gain_other": -0.5,
    "income_gain_did": 53 / 6, "income_growth_all": 102.5 / 78 - 1,
    "low_income_villages": 1, "target_income_villages": 1, "income_missing": 1,
    "grid_l3": 6, "grid_l4": 11, "grid_l3_branch_coverage": 0.5,
    "grid_l4_standard_share": 8 / 11, "grid_manager_coverage": 6 / 11,
    "grid_area_coverage": 4.54 / 7, "grid_overlap_share": 0.31 / 7, "grid_orphans": 3,
    "star4plus_share": 0.5, "star5_share": 0.25, "weak_orgs": 2, "weak_rectified": 1,
    "villages_with_site_share": 4 / 6, "service_population_coverage": 702.0885 / 5000,
    "base_year": 2019, "eval_year": 2021,
}
COUNTS = {"villages_total", "communities_total", "joint_orgs", "joint_villages",
          "low_income_villages", "target_income_villages", "income_missing", "grid_l3",
          "grid_l4", "grid_orphans", "weak_orgs", "weak_rectified", "base_year", "eval_year"}


def assert_figures(actual: dict, expected: dict):
    for key, value in expected.items():
        if value is None or key in COUNTS:
            assert actual[key] == value, key
        else:
            assert actual[key] == pytest.approx(value, rel=1e-3), key


def test_keys_follow_spec_order_and_modules():
    assert list(KPI_KEYS) == SPEC_ORDER
    assert KPI_KEYS == (coverage.KEYS + income.KEYS + grid.KEYS + stars.KEYS + service.KEYS
                        + walk.KEYS)
    assert set(KPI_LABELS) == set(KPI_KEYS)
    assert all(len(label) == 2 and label[0] and label[1] for label in KPI_LABELS.values())
    assert KPI_LABELS["joint_coverage"] == ("联村覆盖率", "%")
    assert KPI_LABELS["avg_income_gain_joint"][1] == "万元"


def test_city_figures(toy):
    result = compute_kpis(toy, P300)
    assert list(result) == list(KPI_KEYS) + ["base_year", "eval_year"]
    assert_figures(result, CITY)


def test_result_is_plain_json(toy):
    """Plain int/float/None only, so json.dumps works and ints stay ints."""
    result = compute_kpis(toy, P300)
    assert all(type(v) in (int, float, type(None)) for v in result.values())
    assert all(type(result[k]) is int for k in COUNTS)
    assert json.loads(json.dumps(result)) == result


def test_only_villages(bare):
    """Without the other layers, only the village-based figures exist."""
    result = compute_kpis(bare)
    have = {"villages_total": 5, "communities_total": 1, "star4plus_share": 0.5,
            "star5_share": 0.25, "weak_orgs": 2, "weak_rectified": 1}
    assert_figures(result, have)
    assert all(result[k] is None for k in KPI_KEYS if k not in have)
    assert result["base_year"] is None and result["eval_year"] is None


def test_present_but_empty_layers_are_missing(toy):
    """Layers in the file with no rows count as missing data."""
    layers = toy_layers()
    for name in (s.GRIDS, s.SERVICE_SITES, s.JOINT_ORGS, s.JOINT_MEMBERS, s.VILLAGE_INCOME):
        layers[name] = layers[name].iloc[0:0]
    result = compute_kpis(make_dataset(**layers))
    assert result["grid_l3"] is None and result["grid_area_coverage"] is None
    assert result["service_population_coverage"] is None and result["joint_orgs"] is None
    assert result["income_missing"] is None


def test_by_county(toy):
    """O2 (lead v4 in C2, member c1 in C1) counts in C2; GY-1 (in no village)
    counts in neither county, so the counties' grid_l4 add up to 10 of 11."""
    rows = kpis_by_area(toy, "county", P300)
    assert [(r["code"], r["name"]) for r in rows] == [(C1_CODE, "甲县"), (C2_CODE, "乙县")]
    c1, c2 = rows
    assert list(c1) == ["code", "name"] + list(KPI_KEYS) + ["base_year", "eval_year"]
    assert_figures(c1, {
        "villages_total": 3, "communities_total": 1, "joint_orgs": 1, "joint_villages": 3,
        "avg_members_per_org": 3.0, "avg_income_gain_joint": 5.0, "avg_income_gain_other": None,
        "income_gain_did": None, "income_growth_all": 38 / 28 - 1, "grid_l3": 4, "grid_l4": 7,
        "grid_area_coverage": 3.5 / 4, "grid_overlap_share": 0.3 / 4, "grid_orphans": 0,
        "star4plus_share": 2 / 3, "villages_with_site_share": 0.75,
        "service_population_coverage": 631.4027 / 4000, "base_year": 2019, "eval_year": 2021})
    assert_figures(c2, {
        "villages_total": 2, "joint_orgs": 1, "joint_villages": 1, "joint_coverage": 0.5,
        "income_gain_did": 15.5, "grid_l3": 2, "grid_l4": 3, "grid_orphans": 2,
        "grid_area_coverage": 1.04 / 3, "star5_share": 0.0, "weak_orgs": 0,
        "villages_with_site_share": 0.5, "service_population_coverage": 70.6858 / 1000})
    city = compute_kpis(toy, P300)
    for key in ("villages_total", "joint_orgs", "joint_villages", "weak_orgs", "income_missing"):
        assert c1[key] + c2[key] == city[key], key
    assert c1["grid_l4"] + c2["grid_l4"] == city["grid_l4"] - 1


def test_by_township(toy):
    """O1 (lead v3) counts in T12, not in T11 where two of its members lie."""
    rows = {r["code"]: r for r in kpis_by_area(toy, "township", P300)}
    assert list(rows) == [T11, T12, T21]
    assert rows[T11]["name"] == "甲镇"
    assert [rows[t]["joint_orgs"] for t in (T11, T12, T21)] == [0, 1, 1]
    assert rows[T11]["avg_members_per_org"] is None
    assert [rows[t]["villages_total"] for t in (T11, T12, T21)] == [2, 1, 2]


def test_unknown_grouping_is_refused(toy):
    with pytest.raises(ValueError, match="county、township"):
        kpis_by_area(toy, "province")


def test_year_parameters(toy):
    """2019 → 2020 (see test_income): joint +5, other −1, growth 0.08,
    missing 3; the years are reported."""
    result = compute_kpis(toy, Params(eval_year=2020))
    assert_figures(result, {"avg_income_gain_joint": 5.0, "avg_income_gain_other": -1.0,
                            "income_growth_all": 0.08, "income_missing": 3,
                            "base_year": 2019, "eval_year": 2020})
    with pytest.raises(ValueError, match="eval_year=2030"):
        compute_kpis(toy, Params(eval_year=2030))


def test_threshold_and_grid_parameters(toy):
    result = compute_kpis(toy, Params(low_income_threshold=12.5, target_income=26,
                                      grid_min_households=79, grid_max_households=121))
    assert (result["low_income_villages"], result["target_income_villages"]) == (2, 2)
    assert result["grid_l4_standard_share"] == pytest.approx(10 / 11)


def test_radius_parameter(toy):
    """1 km radius serves more than 300 m; the site share does not change."""
    near, far = compute_kpis(toy, P300), compute_kpis(toy)
    assert far["service_population_coverage"] > near["service_population_coverage"]
    assert far["villages_with_site_share"] == near["villages_with_site_share"]


def test_prepared_inputs_are_shared_and_checked(toy):
    """The geometry depends on the radius only: other parameters may change."""
    prepared = prepare_kpis(toy, P300)
    assert compute_kpis(toy, P300, prepared) == compute_kpis(toy, P300)
    assert kpis_by_area(toy, "county", P300, prepared) == kpis_by_area(toy, "county", P300)
    other = Params(service_radius_m=300.0, eval_year=2020, low_income_threshold=12.5)
    assert compute_kpis(toy, other, prepared) == compute_kpis(toy, other)
    with pytest.raises(ValueError, match="服务半径"):
        compute_kpis(toy, Params(), prepared)


def test_same_figures_in_a_projected_crs(toy):
    """Geometry stored in EPSG:4549 instead of EPSG:4490: same figures."""
    layers = toy_layers()
    for name in (s.VILLAGES, s.GRIDS, s.SERVICE_SITES):
        layers[name] = layers[name].to_crs(METRIC)
    assert_figures(compute_kpis(make_dataset(**layers), P300), CITY)


def test_no_village_at_all(toy):
    """An empty villages layer: counts 0, everything else missing."""
    layers = toy_layers()
    layers[s.VILLAGES] = layers[s.VILLAGES].iloc[0:0]
    layers = {k: v for k, v in layers.items() if k in (s.VILLAGES, s.GRIDS, s.SERVICE_SITES)}
    result = compute_kpis(make_dataset(**layers))
    assert (result["villages_total"], result["communities_total"]) == (0, 0)
    assert result["joint_coverage"] is None and result["grid_area_coverage"] is None
    assert result["grid_l4"] == 11 and result["villages_with_site_share"] is None
    assert kpis_by_area(make_dataset(**layers), "county") == []
