"""AppTest of the year slider (SPEC §3 "As of a year") on 总览, 汇报模式 and 跨村联建:
the figures follow the year, the year is kept across pages, the date of the data
is said, and 播放/停止 switch playback."""
from analysis.kpis import KPI_LABELS, compute_kpis
from analysis.params import Params
from texts import format_value

YEARS = [2018, 2019, 2020, 2021, 2022, 2023]  # the demo's founded, joined and income years


def _html(at):
    return "".join(h.proto.body for h in at.get("html"))


def _metric(at, key):
    return next(m.value for m in at.metric if m.label == KPI_LABELS[key][0])


def test_overview_follows_the_year_and_says_the_date(open_page, demo):
    at = open_page()
    slider = at.select_slider(key="overview_year")
    assert slider.value == 2023 and [int(o[:4]) for o in slider.options] == YEARS
    assert any("数据截至 2023 年" in c.value and "网格、党群服务阵地无年份" in c.value
               for c in at.caption)
    slider.set_value(2020).run()
    assert not at.exception
    then = compute_kpis(demo, Params(as_of_year=2020))
    for key in ("joint_orgs", "joint_villages", "joint_coverage", "low_income_villages"):
        assert _metric(at, key) == format_value(then[key], KPI_LABELS[key][1]), key
    assert _metric(at, "joint_orgs") != format_value(compute_kpis(demo)["joint_orgs"], "个")
    assert any("数据截至 2020 年" in c.value and "2019 年底" in c.value for c in at.caption)


def test_the_year_is_kept_across_pages(open_page, demo):
    at = open_page()
    at.select_slider(key="overview_year").set_value(2019).run()
    at.switch_page("pages/briefing.py").run()
    assert not at.exception
    assert at.select_slider(key="briefing_year").value == 2019
    body = _html(at)
    orgs = compute_kpis(demo, Params(as_of_year=2019))["joint_orgs"]
    assert "数据截至 2019 年" in body and f'bn-value">{orgs} 个' in body


def test_briefing_slider_and_playback(open_page, demo):
    at = open_page("pages/briefing.py")
    assert at.select_slider(key="briefing_year").value == 2023
    at.select_slider(key="briefing_year").set_value(2021).run()
    assert not at.exception
    k = compute_kpis(demo, Params(as_of_year=2021))
    assert f'bn-value">{k["joint_orgs"]} 个' in _html(at)
    assert at.button(key="briefing_play").label == "播放"
    at.button(key="briefing_play").click().run()      # plays from the year shown
    assert not at.exception and at.session_state["briefing_playing"]
    assert at.button(key="briefing_play").label == "停止"
    at.button(key="briefing_play").click().run()
    assert not at.session_state["briefing_playing"]
    assert at.button(key="briefing_play").label == "播放"
    at.select_slider(key="briefing_year").set_value(2023).run()
    at.button(key="briefing_play").click().run()      # at the last year: from the first
    assert at.session_state["briefing_year"] == 2018 and at.session_state["briefing_playing"]
    at.select_slider(key="briefing_year").set_value(2020).run()  # moving the slider stops
    assert not at.session_state["briefing_playing"]


def test_joint_page_follows_the_year(open_page, demo):
    at = open_page("pages/joint.py")
    at.select_slider(key="joint_year").set_value(2020).run()
    assert not at.exception
    then = compute_kpis(demo, Params(as_of_year=2020))
    table = next(df.value for df in at.dataframe if "组织编号" in df.value.columns
                 and "成员村数" in df.value.columns)
    assert len(table) == then["joint_orgs"] == 141
    assert _metric(at, "joint_coverage") == format_value(then["joint_coverage"], "%")
    assert any("数据截至 2020 年" in c.value for c in at.caption)
    assert len(at.get("vega_lite_chart")) >= 3   # the year series and the two breakdowns
