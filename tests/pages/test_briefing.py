"""AppTest of the briefing screen: six numbers equal analysis's, the theme switch."""
import pytest

from analysis.kpis import compute_kpis, kpis_by_area
from analysis.params import Params


@pytest.fixture
def app(open_page):
    return open_page("pages/briefing.py")


def _numbers(at):
    return "".join(h.proto.body for h in at.get("html"))


def test_briefing_numbers_and_theme(app, demo):
    at = app
    assert not at.exception
    city = compute_kpis(demo, Params())
    body = _numbers(at)
    assert f"{city['joint_orgs']} 个" in body and "50.23%" in body and "6.50 万元" in body
    assert "#0b1a33" in body  # dark by default
    at.segmented_control(key="briefing_theme").set_value("light").run()
    assert not at.exception and at.query_params["theme"] == "light"
    assert "#f5f7fb" in _numbers(at)


def test_briefing_follows_the_selected_county(app, demo):
    at = app
    at.session_state["county"] = "350481"
    at.run()
    yongan = next(r for r in kpis_by_area(demo, "county", Params())
                  if r["code"] == "350481")
    body = _numbers(at)
    assert "永安市" in body and f"{yongan['grid_l4']:,} 个" in body
