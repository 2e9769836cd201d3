"""AppTest of 汇报序列 (pages/sequence.py) and of a sequence played in 汇报模式.

A page of an app with a ``pages/`` folder reruns in AppTest without the frame
(dashboard.py), whose sidebar keeps ``county``: it is set before each run.
The sequences go to a data folder of each test's own."""
import io

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from analysis.kpis import kpis_by_area
from analysis.params import Params
from geo.sequence_store import SequenceStore, View
from tests.conftest import DEMO, ROOT
from tests.pages.test_auth import accounts_app, login  # noqa: F401 (fixture)
from texts import format_value

YONGAN = "350481"


@pytest.fixture
def app(monkeypatch, tmp_path):
    """``(open, store)``: ``open(page)`` the app on the demo at ``page``, mode none."""
    folder = tmp_path / "var"
    config = tmp_path / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{folder}"\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA", str(DEMO))
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))

    def open_at(page, query=None):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        for key, value in (query or {}).items():
            at.query_params[key] = value
        at.run()
        return at.switch_page(page).run()
    return open_at, SequenceStore(folder)


def _run(at, county=YONGAN):
    at.session_state["county"] = county
    return at.run()


def _click(at, key):
    at.button(key=key).click()
    return _run(at)


def _rows(at) -> list[str]:
    """The views listed, as the page writes them (title · year · theme)."""
    return [m.value for m in at.markdown if " · " in m.value and "年" in m.value
            or m.value.endswith("最新 · 深色（大屏）")]


def test_create_add_reorder_remove_rename(app):
    open_at, store = app
    at = open_at("pages/sequence.py")
    assert not at.exception and "还没有汇报序列" in at.info[0].value
    at.text_input(key="seq_new_name").input("县委汇报")
    _click(at, "seq_create")
    assert at.session_state["seq_pick"] == "县委汇报" and store.get("县委汇报").views == ()

    at.selectbox(key="seq_add_page").set_value("rankings")
    _run(at)
    at.selectbox(key="seq_add_coloring_rankings").set_value("grid_manager_coverage")
    at.selectbox(key="seq_add_year").set_value(2021)
    _click(at, "seq_add")
    assert not at.exception and at.success[0].value.startswith("已加入第 1 页：永安市 · 排名")
    at.selectbox(key="seq_add_page").set_value("overview")
    at.selectbox(key="seq_add_year").set_value(None)
    _run(at)
    _click(at, "seq_add")
    saved = store.get("县委汇报").views
    assert saved == (View("rankings", YONGAN, None, "grid_manager_coverage", 2021),
                     View("overview", YONGAN, None, "joint", None))
    assert _rows(at) == ["永安市 · 排名（网格管家配备率） · 2021 年 · 深色（大屏）",
                         "永安市 · 总览 · 最新 · 深色（大屏）"]

    _click(at, "seq_up_1")
    assert [v.page for v in store.get("县委汇报").views] == ["overview", "rankings"]
    assert at.button(key="seq_up_0").disabled and at.button(key="seq_down_1").disabled
    _click(at, "seq_remove_0")
    assert [v.page for v in store.get("县委汇报").views] == ["rankings"]

    at.text_input(key="seq_rename_to").input("十一月汇报")
    _click(at, "seq_rename")
    assert [q.name for q in store.list()] == ["十一月汇报"]
    assert at.session_state["seq_pick"] == "十一月汇报"
    _click(at, "seq_delete")
    assert store.list() == []


def test_a_sequence_plays_in_briefing_mode(app, demo):
    open_at, store = app
    store.add_view("汇报", View("overview", YONGAN), create=True)
    store.add_view("汇报", View("rankings", theme="light"))
    at = open_at("pages/briefing.py", {"seq": "汇报"})
    assert not at.exception

    def html():
        return "".join(h.proto.body for h in at.get("html"))
    yongan = next(r for r in kpis_by_area(demo, "county", Params()) if r["code"] == YONGAN)
    body = html()
    assert "永安市 · 总览" in body and "第 1 / 2 页 · 汇报" in body
    assert f'bn-value">{format_value(yongan["joint_coverage"], "%")}' in body
    assert "seq-advance" in body and "ArrowRight" in body     # the keys' script
    assert at.button(key="seq_prev").disabled and not at.button(key="seq_next").disabled
    at.button(key="seq_next").click().run()
    body = html()
    assert "全市 · 排名（联村覆盖率）" in body and "第 2 / 2 页" in body
    assert "尚有" in body and "#f5f7fb" in body                 # the light theme of the view
    assert at.query_params["slide"] == ["2"] or at.query_params["slide"] == "2"
    assert at.button(key="seq_next").disabled
    at.button(key="seq_prev").click().run()
    assert "第 1 / 2 页" in html()
    at.button(key="seq_stop").click().run()
    assert not at.exception and at.button(key="briefing_play").label == "播放"
    assert "seq" not in at.query_params


def test_a_viewer_plays_but_may_not_edit(accounts_app):  # noqa: F811 (fixture)
    """The buttons of a viewer are disabled (the store's refusal of a viewer, which
    every handler asks through ui.auth.refused, is tested in tests/geo)."""
    start, folder = accounts_app
    store = SequenceStore(folder)
    store.add_view("永安汇报", View("overview", YONGAN), create=True, area=YONGAN)
    store.add_view("永安汇报", View("grids", YONGAN))
    at = login(start(), "viewer")               # a viewer of 永安市
    at = at.switch_page("pages/sequence.py").run()
    assert not at.exception and at.session_state["seq_pick"] == "永安汇报"
    for key in ("seq_add", "seq_create", "seq_rename", "seq_delete", "seq_remove_0",
                "seq_down_0", "seq_up_1"):
        assert at.button(key=key).disabled, key
    assert not at.button(key="seq_play_button").disabled
    at.button(key="seq_play_button").click().run()   # plays in 汇报模式
    assert not at.exception
    body = "".join(h.proto.body for h in at.get("html"))
    assert "永安市 · 总览" in body and "第 1 / 2 页 · 永安汇报" in body
    assert len(store.get("永安汇报").views) == 2


def test_sequences_outside_the_account_are_not_listed(accounts_app):  # noqa: F811 (fixture)
    start, folder = accounts_app
    store = SequenceStore(folder)
    store.add_view("全市汇报", View("overview"), create=True)
    store.add_view("永安汇报", View("overview", YONGAN), create=True, area=YONGAN)
    store.add_view("永安汇报", View("rankings"))     # one view of the whole city
    at = login(start(), "viewer").switch_page("pages/sequence.py").run()
    assert not at.exception and at.session_state["seq_pick"] is None
    assert at.selectbox(key="seq_pick").options == []
    at = login(start(), "admin").switch_page("pages/sequence.py").run()
    assert at.selectbox(key="seq_pick").options == ["全市汇报", "永安汇报"]


def test_export_the_sequence_as_slides(app):
    open_at, store = app
    store.add_view("汇报", View("grids", YONGAN), create=True)
    at = open_at("pages/sequence.py")
    assert at.radio(key="seq_export_what").value == "sequence"
    _click(at, "seq_export")
    assert not at.exception and not at.error
    download = at.get("download_button")[0]
    assert download.proto.label == "下载 PPT（1 页）"
    name, count, data = at.session_state["seq_export_file"]
    prs = Presentation(io.BytesIO(data))
    assert (name, count, len(prs.slides)) == ("汇报", 1, 1)
    title = next(s.text_frame.text for s in prs.slides[0].shapes if s.name == "title")
    assert title == "永安市 · 网格治理"


def test_a_view_of_an_area_not_in_the_data_is_said(app):
    open_at, store = app
    store.add_view("旧数据", View("overview", "999999"), create=True)
    at = open_at("pages/briefing.py", {"seq": "旧数据"})
    assert not at.exception
    assert "当前数据中没有这一页的范围（代码 999999）" in at.warning[0].value
