"""The bundled demo (三明市, synthetic content) reproduces the seeds' figures.

Seed figures (SPEC §3): 1,730 villages, 223 organisations, 869 joint villages
(50.23 %), 6.5 万元 average gain of joint villages, 53 weak organisations of
which 47 rectified, 40.3 % four stars or more and 5.7 % five stars; Yong'an
(永安市, 350481): 195 level-3 and 1,775 level-4 grids, every 片区 with a
branch, collective income +30.81 % from 2019 to 2021 and no village below
10 万元 (清零).
"""
import pytest

from analysis.kpis import KPI_KEYS, compute_kpis, kpis_by_area
from analysis.params import Params
from geo.dataset import load_dataset
from tests.conftest import DEMO

YONGAN = "350481"


@pytest.fixture(scope="module")
def demo():
    return load_dataset(DEMO)


@pytest.fixture(scope="module")
def city(demo):
    return compute_kpis(demo)


def test_city_organisations(city):
    assert city["villages_total"] == 1730
    assert city["joint_orgs"] == 223
    assert city["joint_villages"] == 869
    assert round(city["joint_coverage"], 4) == 0.5023
    assert round(city["avg_income_gain_joint"], 2) == 6.5
    assert (city["base_year"], city["eval_year"]) == (2019, 2023)


def test_city_ratings(city):
    assert city["weak_orgs"] == 53
    assert city["weak_rectified"] == 47
    assert round(city["star4plus_share"], 3) == 0.403
    assert round(city["star5_share"], 3) == 0.057


def test_city_has_every_figure(city):
    """The demo holds every layer: no figure is missing."""
    assert [k for k in KPI_KEYS if city[k] is None] == []


def test_yongan(demo):
    rows = {r["code"]: r for r in kpis_by_area(demo, "county",
                                               Params(base_year=2019, eval_year=2021))}
    y = rows[YONGAN]
    assert y["name"] == "永安市"
    assert (y["villages_total"], y["communities_total"]) == (175, 26)
    assert (y["grid_l3"], y["grid_l4"]) == (195, 1775)
    assert y["grid_l3_branch_coverage"] == 1.0
    assert round(y["income_growth_all"], 4) == 0.3081
    assert y["low_income_villages"] == 0
    assert sum(r["villages_total"] for r in rows.values()) == 1730


def test_walking_figure_is_plausible_and_below_the_disc(demo, city):
    """Synthetic roads (data/demo/SOURCE.md): on foot along them fewer people reach a
    site than within the 1 km disc, in the whole city and in every county; ten
    minutes reach fewer than fifteen."""
    walk15 = city["walk_service_population_coverage"]
    assert 0.30 <= walk15 <= 0.48 < city["service_population_coverage"]
    walk10 = compute_kpis(demo, Params(walk_minutes=10))["walk_service_population_coverage"]
    assert 0.2 <= walk10 < walk15
    for row in kpis_by_area(demo, "county"):
        assert row["walk_service_population_coverage"] < row["service_population_coverage"]
