"""AppTest of the 排名 page: counties (or the townships of the selected county)
ranked as analysis.rankings ranks them, with the marks and the sentence."""
import pytest

from analysis.kpis import kpis_by_area
from analysis.params import Params
from analysis.rankings import rank_areas
from geo.settings import TARGETS

YONGAN = "350481"


@pytest.fixture
def app(open_page):
    return open_page("pages/rankings.py")


def _ranked(demo, by, year=None, county=None):
    def rows(y):
        return [r for r in kpis_by_area(demo, by, Params(as_of_year=y))
                if county is None or r["code"].startswith(county)]
    last = year or 2023
    return rank_areas(rows(year), rows(last - 1), TARGETS)


def test_counties_ranked_with_change_and_mark(app, demo):
    assert not app.exception
    assert app.title[0].value == "排名 · 各县（市、区）"
    shown = app.dataframe[0].value
    want = _ranked(demo, "county")
    want = want[want["key"] == "joint_coverage"]
    assert shown["区域"].tolist() == want["name"].tolist()
    assert shown["排名"].tolist()[0] == "1" and len(shown) == demo.villages["county_code"].nunique()
    assert shown["达标情况"].str.contains("未达标").sum() == (want["mark"] == "red").sum()
    assert app.info[0].value.startswith(f"尚有{(want['mark'] != 'green').sum()}个县（市、区）"
                                        "联村覆盖率低于60%：")
    board = app.dataframe[1].value
    assert len(board) == len(shown) and "软弱涣散党组织整顿转化率" in board.columns


def test_townships_of_a_county_and_another_figure(app, demo):
    app.session_state["county"] = YONGAN
    app.run()
    assert not app.exception and "永安市各乡镇（街道）" in app.title[0].value
    app.session_state["county"] = YONGAN  # AppTest reruns the page without the frame
    app.selectbox(key="rankings_key").set_value("low_income_villages").run()
    assert not app.exception
    shown = app.dataframe[0].value
    want = _ranked(demo, "township", county=YONGAN)
    want = want[want["key"] == "low_income_villages"]
    assert shown["区域"].tolist() == want["name"].tolist()
    assert shown["目标"].iloc[0] == "≤0个"


def test_an_earlier_year_ranks_that_year(app, demo):
    app.select_slider(key="rankings_year").set_value(2020).run()
    assert not app.exception
    want = _ranked(demo, "county", 2020)
    want = want[want["key"] == "joint_coverage"]
    assert app.dataframe[0].value["区域"].tolist() == want["name"].tolist()


def test_the_overview_map_outlines_the_marks(open_page, demo):
    at = open_page()
    at.selectbox(key="overview_marks").set_value("joint_coverage").run()
    assert not at.exception
    legend = "".join(h.proto.body for h in at.get("html"))
    assert "联村覆盖率：未达标" in legend
    deck = next(c for c in at.get("deck_gl_json_chart"))
    assert '"id":"marks_halo"' in deck.proto.json                  # under the marks' colours
    assert '"id":"marks_red"' in deck.proto.json or '"id":"marks_green"' in deck.proto.json
