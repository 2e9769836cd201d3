"""The cached resources of a year (ui.cached): the latest year shares the caches of
the data as they are; the year before; the map's organisations of that year."""
import pytest

from analysis.params import Params
from tests.conftest import DEMO
from ui import cached


@pytest.fixture(scope="module")
def src():
    return cached.Source(str(DEMO), DEMO.stat().st_mtime, True)


def test_the_latest_year_is_the_data_as_they_are(src):
    assert cached.years(src) == (2018, 2019, 2020, 2021, 2022, 2023)
    assert cached.params_at(src, 2023).as_of_year is None
    assert cached.params_at(src, None).as_of_year is None
    assert cached.params_at(src, 2020).as_of_year == 2020
    assert cached.shown_year(src, Params()) == 2023


def test_the_year_before(src):
    assert cached.previous_year(src, Params()).as_of_year == 2022
    assert cached.previous_year(src, Params(as_of_year=2019)).as_of_year == 2018
    assert cached.previous_year(src, Params(as_of_year=2018)) is None


def test_the_map_layers_of_a_year(src):
    at = cached.params_at(src, 2018)
    display = cached.display_at(src, at)
    assert len(display["leads"]) == 30 == len(cached.dataset_at(src, at).joint_orgs)
    assert display["orgs"]["org_id"].nunique() == 30
    assert display["villages"] is cached.display_layers(src)["villages"]
    assert cached.villages_table(src, at)["is_joint"].sum() == 96  # the member rows of 2018
    assert cached.display_at(src, Params()) is cached.display_layers(src)
