"""AppTest of the overview page: renders, shows analysis's figures, drills down."""
import pytest

from analysis.kpis import KPI_LABELS, compute_kpis, kpis_by_area
from analysis.params import Params
from texts import format_value


@pytest.fixture
def app(open_page):
    return open_page()


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def _expected(figs):
    return {KPI_LABELS[k][0]: format_value(figs[k], KPI_LABELS[k][1])
            for k in ("joint_coverage", "joint_orgs", "joint_villages", "avg_income_gain_joint",
                      "grid_l4")}


def test_city_figures_equal_analysis(app, demo):
    assert not app.exception
    shown = _metrics(app)
    for label, value in _expected(compute_kpis(demo, Params())).items():
        assert shown[label] == value
    assert shown[KPI_LABELS["joint_coverage"][0]] == "50.23%"
    assert any("示例数据" in c.value for c in app.caption)


def test_drill_down_to_county_and_township(app, demo):
    # AppTest (Streamlit 1.67) drops the frame's sidebar widgets from its
    # element tree on reruns under st.navigation, so the selection is set
    # through the widgets' session-state keys; the browser test clicks them.
    assert app.sidebar.selectbox(key="county").value is None
    app.session_state["county"] = "350481"
    app.run()
    assert not app.exception
    county = next(r for r in kpis_by_area(demo, "county", Params()) if r["code"] == "350481")
    shown = _metrics(app)
    for label, value in _expected(county).items():
        assert shown[label] == value
    assert "永安市" in app.title[0].value
    city = compute_kpis(demo, Params())
    assert shown[KPI_LABELS["joint_villages"][0]] != format_value(city["joint_villages"], "个")
    code = sorted(demo.villages.query("county_code == '350481'")["township_code"].unique())[0]
    app.session_state["township"] = code
    app.run()
    assert not app.exception
    row = next(r for r in kpis_by_area(demo, "township", Params()) if r["code"] == code)
    assert _metrics(app)[KPI_LABELS["joint_villages"][0]] == format_value(
        row["joint_villages"], KPI_LABELS["joint_villages"][1])


def test_every_coloring_and_toggle_renders(app):
    from maps.overview import COLORINGS
    for option in COLORINGS:
        app.radio(key="overview_coloring").set_value(option).run()
        assert not app.exception
    app.session_state["county"] = "350404"
    app.run()
    app.toggle(key="overview_grids").set_value(True).run()
    app.toggle(key="overview_sites").set_value(True).run()
    assert not app.exception


def test_selected_village_shows_its_details(app, demo):
    row = demo.villages[demo.villages["county_code"] == "350481"].iloc[0]
    for key, field in (("county", "county_code"), ("township", "township_code"),
                       ("village", "village_code")):
        app.session_state[key] = row[field]
        app.run()
    assert not app.exception
    assert any(row["name"] in h.value for h in app.subheader)


def test_previous_year_changes_are_shown(app):
    """Income figures carry the change against eval_year − 1 (2022 on the demo)."""
    low = next(m for m in app.metric if m.label == KPI_LABELS["low_income_villages"][0])
    assert low.delta is not None and low.delta.endswith("个")


def test_a_bad_settings_file_is_reported_in_chinese(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    config = tmp_path / "dashboard.toml"
    config.write_text('[map]\nbasemap = "google"\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120).run()
    assert not at.exception
    assert "未知底图 'google'" in at.error[0].value
