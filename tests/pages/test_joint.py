"""AppTest of the 跨村联建 page: renders on the demo, its organisation table
holds the area's organisations, a selection shows the members, the county
drill-down changes the numbers.  (Clicks on the map: tests/browser.)"""
import pytest

from analysis.kpis import KPI_LABELS, compute_kpis, kpis_by_area
from analysis.params import Params
from texts import JOINT_COLUMNS, JOINT_NOT_MEMBER, format_value

YONGAN = "350481"
ORG_ID_COLUMN = JOINT_COLUMNS["org_id"]


@pytest.fixture
def app(open_page):
    return open_page("pages/joint.py")


def _org_table(at):
    """The organisation table: the dataframe listing organisation ids."""
    return next(df.value for df in at.dataframe if ORG_ID_COLUMN in df.value.columns
                and "成员村数" in df.value.columns)


def _metric(at, key):
    return next(m.value for m in at.metric if m.label == KPI_LABELS[key][0])


def test_renders_every_organisation_of_the_city(app, demo):
    assert not app.exception
    assert app.title[0].value == "跨村联建 · 全市"
    table = _org_table(app)
    assert len(table) == compute_kpis(demo, Params())["joint_orgs"] == 223
    assert set(table[ORG_ID_COLUMN]) == set(demo.joint_orgs["org_id"])
    assert _metric(app, "joint_coverage") == "50.23%"


def test_selecting_an_organisation_shows_its_members(app, demo):
    org = demo.joint_orgs.iloc[0]
    app.session_state["joint_org"] = org["org_id"]
    app.run()
    assert not app.exception
    assert org["name"] in [h.value for h in app.subheader]
    members = demo.joint_members.query("org_id == @org.org_id")["village_code"]
    names = set(demo.villages.set_index("village_code").loc[members, "name"])
    shown = next(df.value for df in app.dataframe if "是否领建村" in df.value.columns)
    assert len(shown) == len(members) and set(shown["村名"]) == names
    assert shown["是否领建村"].tolist()[0]  # the lead village first
    assert len(app.get("vega_lite_chart")) >= 3  # income chart and the two breakdowns


def test_a_village_in_no_organisation_is_said_so(app, demo):
    joint = set(demo.joint_members["village_code"])
    other = demo.villages[~demo.villages["village_code"].isin(joint)].iloc[0]
    app.session_state["joint_clicked"] = other["village_code"]
    app.run()
    assert not app.exception
    notice = JOINT_NOT_MEMBER.format(name=other["name"])
    assert any(notice in info.value for info in app.info)


def test_county_drill_down_changes_the_numbers(app, demo):
    city = _org_table(app)
    app.session_state["county"] = YONGAN
    app.run()
    assert not app.exception
    assert "永安市" in app.title[0].value
    county = next(r for r in kpis_by_area(demo, "county", Params()) if r["code"] == YONGAN)
    table = _org_table(app)
    assert len(table) == county["joint_orgs"] < len(city)
    assert set(table["县（市、区）"]) == {"永安市"}
    assert _metric(app, "joint_villages") == format_value(county["joint_villages"], "个")
    code = sorted(demo.villages.query("county_code == @YONGAN")["township_code"].unique())[0]
    app.session_state["township"] = code
    app.run()
    assert not app.exception
    town = next(r for r in kpis_by_area(demo, "township", Params()) if r["code"] == code)
    assert len(_org_table(app)) == town["joint_orgs"]


def test_colour_by_type_renders(app):
    app.radio(key="joint_color_by").set_value("type").run()
    assert not app.exception
