"""AppTest of the 网格治理 page: renders, shows analysis's figures, drills down.

AppTest (Streamlit 1.67) drops the frame's sidebar widgets from its element
tree on reruns under ``st.navigation``, and with them their session state; so
the sidebar selection is set through the widgets' keys before every run.
The browser test clicks the real widgets and the map.
"""
import pytest

from analysis.grid_checks import grid_compliance
from analysis.grid_tree import grid_tree, level_figures, noncompliant_grids
from analysis.kpis import KPI_LABELS, compute_kpis, kpis_by_area
from analysis.params import Params
from texts import GRID_FIGURE_LABELS, format_value

SANYUAN = "350404"
GAP_VILLAGE = "350404005005"   # 万华社区: the demo's coverage gap
SPEC_KEYS = ("grid_l3", "grid_l4", "grid_l3_branch_coverage", "grid_l4_standard_share",
             "grid_manager_coverage")
LABELS = {**KPI_LABELS, **GRID_FIGURE_LABELS}


@pytest.fixture(scope="module")
def checks(demo):
    return grid_tree(demo.villages, demo.grids), grid_compliance(demo.grids)


@pytest.fixture
def app(open_page):
    return open_page("pages/grids.py")


def _run(at, **state):
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return {m.label: m.value for m in at.metric}


def _shown(figs, keys=SPEC_KEYS):
    return {LABELS[k][0]: format_value(figs[k], LABELS[k][1]) for k in keys}


def _noncompliant_table(at):
    return next(d.value for d in at.dataframe if "所属片区" in d.value.columns)


def test_city_figures_equal_the_spec_figures(app, demo, checks):
    assert not app.exception
    assert app.title[0].value == "网格治理 · 全市"
    shown = {m.label: m.value for m in app.metric}
    city = compute_kpis(demo, Params())
    for label, value in _shown(city).items():
        assert shown[label] == value
    assert shown[LABELS["grid_l4"][0]] == "11,738 个"
    assert shown[LABELS["grid_l4_mean_households"][0]] == format_value(
        level_figures(*checks)["grid_l4_mean_households"], "户")
    assert shown["覆盖缺口面积"] == "197.26 km²" and shown["无上级网格数"] == "0 个"


def test_noncompliant_list_is_what_grid_compliance_reports(app, checks):
    tree, compliance = checks
    table = _noncompliant_table(app)
    assert len(table) == int((~compliance["compliant"]).sum())
    assert any(f"未达标单元网格（{len(table):,} 个）" == h.value for h in app.subheader)
    assert app.get("download_button")[0].proto.label == "下载未达标网格清单（CSV）"
    county = _run(app, county=SANYUAN)
    assert county  # rendered
    assert len(_noncompliant_table(app)) == len(noncompliant_grids(compliance, tree, "county",
                                                                    SANYUAN))


def test_drill_down_to_sanyuan_and_to_a_village(app, demo, checks):
    tree, compliance = checks
    city = {m.label: m.value for m in app.metric}
    shown = _run(app, county=SANYUAN)
    assert app.title[0].value == "网格治理 · 三元区"
    row = next(r for r in kpis_by_area(demo, "county", Params()) if r["code"] == SANYUAN)
    for label, value in _shown(row).items():
        assert shown[label] == value
    assert shown[LABELS["grid_l4"][0]] != city[LABELS["grid_l4"][0]]
    villages = app.selectbox(key="grid_village").options
    assert len(villages) == 1 + int(((tree["level"] == 2) & (tree["county_code"] == SANYUAN)).sum())

    shown = _run(app, county=SANYUAN, grid_village=GAP_VILLAGE)
    village = level_figures(tree, compliance, "village", GAP_VILLAGE)
    for label, value in _shown(village, (*SPEC_KEYS, "grid_l4_mean_households")).items():
        assert shown[label] == value
    assert shown[LABELS["grid_l4"][0]] == "16 个"
    assert shown["覆盖缺口面积"] == "3,166 m²"
    assert not app.selectbox(key="grid_l3").disabled

    l3 = app.selectbox(key="grid_l3").options[1].split()[-1]
    shown = _run(app, county=SANYUAN, grid_village=GAP_VILLAGE, grid_l3=l3)
    assert shown[LABELS["grid_l3"][0]] == "1 个"
    assert shown[LABELS["grid_l4"][0]] == format_value(
        level_figures(tree, compliance, "l3", l3)["grid_l4"], "个")


def test_overlap_village_shows_its_overlaps(app):
    shown = _run(app, county=SANYUAN, grid_village="350404201201")
    assert shown["交叉重叠面积"] == "120,277 m²"
    overlaps = next(d.value for d in app.dataframe if "网格甲" in d.value.columns)
    assert len(overlaps) == 3
    assert set(overlaps["网格甲"]) | set(overlaps["网格乙"]) >= {"350404201201W01003"}


def test_sidebar_village_is_the_area(app, checks):
    """A village chosen in the sidebar is the page's area: the only village
    offered, its figures shown without choosing it again."""
    tree, compliance = checks
    township = GAP_VILLAGE[:9]
    shown = _run(app, county=SANYUAN, township=township, village=GAP_VILLAGE)
    assert app.selectbox(key="grid_village").options[1:] == [
        f"{tree.set_index('code').loc[GAP_VILLAGE, 'name']} {GAP_VILLAGE}"]
    village = level_figures(tree, compliance, "village", GAP_VILLAGE)
    assert shown[LABELS["grid_l4"][0]] == format_value(village["grid_l4"], "个")
    assert not app.selectbox(key="grid_l3").disabled
