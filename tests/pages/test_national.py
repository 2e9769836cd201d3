"""AppTest of a partitioned national folder (issue 18): the national overview from the
engine's table, and a province loaded when chosen.

The toy dataset of tests/analysis with its second county moved to province 36
(江西省): two provinces, so the dashboard shows it by province.
"""
import pytest
from streamlit.testing.v1 import AppTest

from analysis.partitioned import figure_table, prepare_partitioned
from analysis.partitioning import export_partitioned
from geo import schema as s
from geo.partitioned import write_figures
from tests.analysis.conftest import make_dataset, toy_layers
from tests.conftest import ROOT
from texts import national as tn


def national_folder(root, table: bool):
    layers = toy_layers()
    villages = layers[s.VILLAGES]
    villages.loc[villages[s.COUNTY_CODE] == "350002", s.COUNTY_CODE] = "360002"
    export_partitioned(make_dataset(**layers), root)
    if table:
        inputs = prepare_partitioned(root, outlines=True)
        write_figures(root, figure_table(inputs), inputs.outlines,
                      {"created": "2026-12-01T08:00:00+08:00",
                       "params": {"service_radius_m": 1000.0}})
    return root


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return national_folder(tmp_path_factory.mktemp("national") / "toy", table=True)


def app(monkeypatch, folder, province=None, page=None):
    monkeypatch.setenv("DASHBOARD_DATA", str(folder))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    if province:  # AppTest keeps the frame's sidebar state only when set before the run
        at.session_state["province"] = province
    at.run()
    return at.switch_page(page).run() if page else at


def test_the_national_overview_comes_from_the_engine_table(monkeypatch, folder):
    at = app(monkeypatch, folder)
    assert not at.exception
    assert at.title[0].value.endswith(tn.TITLE)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["行政村数"] == "5 个" and metrics["联村覆盖率"] == "80.00%"
    assert any("分区引擎计算于 2026-12-01" in c.value for c in at.caption)


def test_choosing_a_province_loads_it(monkeypatch, folder):
    at = app(monkeypatch, folder, province="36")
    assert not at.exception
    assert at.title[0].value.endswith("江西省")
    assert {m.label: m.value for m in at.metric}["联村覆盖率"] == "50.00%"   # v4 of v4, v5


def test_other_pages_ask_for_a_province(monkeypatch, folder):
    at = app(monkeypatch, folder, page="pages/joint.py")
    assert not at.exception and at.info[0].value == tn.PICK_PROVINCE


def test_without_the_table_it_says_how_to_make_it(monkeypatch, tmp_path):
    at = app(monkeypatch, national_folder(tmp_path / "bare", table=False))
    assert not at.exception and "--save-table" in at.warning[0].value
