"""AppTest of the 服务阵地 page: the disc and walking figures side by side with the
sentence comparing them, 一刻钟/十分钟, 选址建议 with the kept list, and a dataset
without roads told how to import them.

AppTest reruns the page without the frame, so the sidebar's area is set in the
session state before every run (see tests/pages/test_grids.py).
"""
import pytest
from streamlit.testing.v1 import AppTest

from analysis.kpis import compute_kpis, kpis_by_area
from analysis.params import Params
from analysis.site_suggest import reach_table, suggest_sites
from report.text import walk_text
from tests.conftest import ROOT
from tests.geo.conftest import tiny_layers, write_gpkg
from texts import format_value, plain

YONGAN = "350481"
DISC, WALK = "直线 1000 米内人口覆盖率", "沿道路步行 {m} 分钟人口覆盖率"


@pytest.fixture
def app(open_page):
    return open_page("pages/sites.py")


def _run(at, **state):
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return {m.label: m.value for m in at.metric}


def _sentence(at) -> str:
    return next(m.value for m in at.markdown if "沿道路步行" in m.value)


def test_city_disc_and_walking_figures_side_by_side(app, demo):
    assert not app.exception
    assert app.title[0].value == "服务阵地 · 全市"
    shown = {m.label: m for m in app.metric}
    city = compute_kpis(demo, Params())
    assert shown[DISC].value == format_value(city["service_population_coverage"], "%") == "51.55%"
    assert shown[WALK.format(m=15)].value == "40.02%"
    assert shown[WALK.format(m=15)].delta == "-11.53 个百分点"
    assert _sentence(app) == plain(walk_text(city, Params()).text)
    assert app.radio(key="walk_minutes").value == 15      # 一刻钟 by default
    assert app.get("deck_gl_json_chart")
    assert any("步行 15 分钟（1,000 米）" in c.value for c in app.caption)


def test_ten_minutes_and_a_county(app, demo):
    shown = _run(app, walk_minutes=10, county=YONGAN)
    row = next(r for r in kpis_by_area(demo, "county", Params(walk_minutes=10))
               if r["code"] == YONGAN)
    assert app.title[0].value == "服务阵地 · 永安市"
    assert shown[WALK.format(m=10)] == format_value(row["walk_service_population_coverage"], "%")
    assert shown[DISC] == format_value(row["service_population_coverage"], "%")
    assert "沿道路步行10分钟仅覆盖" in _sentence(app)


def test_suggestion_keep_and_the_kept_list(app, demo):
    _run(app, county=YONGAN)
    app.number_input(key="site_k").set_value(3)
    app.session_state["county"] = YONGAN
    app.button(key="site_run").click().run()
    assert not app.exception
    shown = {m.label: m.value for m in app.metric}
    table = reach_table(demo.villages, demo.service_sites, demo.roads, demo.grids,
                        county=YONGAN)
    best = suggest_sites(table, 3)
    assert shown["现状步行覆盖率"] == format_value(best.before, "%")
    assert shown["增设 3 处后"] == format_value(best.after, "%")
    assert shown["新增覆盖人口"] == format_value(best.reached_after - best.reached_before, "人")
    rows = next(d.value for d in app.dataframe if "新增覆盖人口（人）" in d.value.columns)
    assert rows["新增覆盖人口（人）"].tolist() == best.sites["new_population"].round().tolist()
    assert rows["所在村（社区）"].tolist() == best.sites["name"].tolist()
    assert rows["经度（CGCS2000）"].between(116, 118.5).all()
    assert any("已证明为最优解" in c.value for c in app.caption)
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == ["下载选址建议（CSV）", "下载选址建议（Excel）"]

    first = app.multiselect(key="site_keep_pick").options[0]
    app.multiselect(key="site_keep_pick").set_value([first])
    app.session_state["county"] = YONGAN
    app.button(key="site_keep").click().run()
    assert not app.exception
    kept = next(d.value for d in app.dataframe if "步行时间（分钟）" in d.value.columns)
    assert kept["所在村（社区）"].tolist() == best.sites["name"].tolist()[:1]
    after_keep = {m.label: m.value for m in app.metric}
    with_first = (best.reached_before + best.sites["new_population"].iloc[0]) / best.total
    assert after_keep["含备选清单的步行覆盖率"] == format_value(with_first, "%")
    assert after_keep["现状步行覆盖率"] == format_value(with_first, "%")   # kept counts as a site
    assert any("已保留的 1 个建议点" in c.value for c in app.caption)
    assert len(app.get("download_button")) == 4

    app.session_state["county"] = YONGAN
    app.button(key="site_clear").click().run()
    assert any(c.value == "尚未保留建议点。" for c in app.caption)


def test_a_changed_choice_asks_for_a_new_suggestion(app):
    _run(app, county=YONGAN)
    app.session_state["county"] = YONGAN
    app.button(key="site_run").click().run()
    shown = _run(app, county=YONGAN, walk_minutes=10)
    assert "现状步行覆盖率" not in shown
    assert any("请重新生成选址建议" in i.value for i in app.info)


def test_without_roads_the_page_says_how_to_import_them(monkeypatch, tmp_path):
    layers = tiny_layers()
    monkeypatch.setenv("DASHBOARD_DATA", str(write_gpkg(tmp_path / "no_roads.gpkg", layers)))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/sites.py").run()
    assert not at.exception and not at.error
    assert any("没有道路（roads）图层" in i.value and "--layer roads" in i.value
               for i in at.info)
    shown = {m.label: m.value for m in at.metric}
    assert shown[WALK.format(m=15)] == "—"
    assert "沿道路步行15分钟的覆盖人口暂无数据（需导入道路图层）" in _sentence(at)
    assert not at.get("deck_gl_json_chart")
