"""分组规划 with AppTest: figures equal the analysis, edits change them, undo,
save to the store, suggest, compare."""
import pytest
from streamlit.testing.v1 import AppTest

from analysis.kpis import compute_kpis
from geo.scenario_store import ScenarioStore
from tests.conftest import DEMO, ROOT

YONGAN, TOWN = "350481", "350481003"


@pytest.fixture
def planning(monkeypatch, tmp_path):
    config = tmp_path / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{tmp_path / "var"}"\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA", str(DEMO))
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/planning.py").run()
    return at, tmp_path / "var"


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def test_figures_are_todays_and_follow_edits(planning, demo):
    at, _ = planning
    assert not at.exception
    today = compute_kpis(demo)
    shown = _metrics(at)
    assert shown["联村党组织数"] == f"{today['joint_orgs']} 个"
    assert shown["联建村数"] == f"{today['joint_villages']} 个"
    assert shown["联村覆盖率"] == f"{today['joint_coverage'] * 100:.2f}%"
    at.button(key="plan_new").click().run()
    assert _metrics(at)["联村党组织数"] == f"{today['joint_orgs'] + 1} 个"
    members = next(m for m in at.multiselect if m.key.endswith("_members"))
    joined = set(demo.joint_members["village_code"])
    codes = [c for c in demo.villages.query("kind == 'village'")["village_code"]
             if c not in joined][:2]
    members.set_value(codes).run()
    assert not at.exception
    assert _metrics(at)["联建村数"] == f"{today['joint_villages'] + 2} 个"
    assert _metrics(at)["新增覆盖村数"] == "2 个"
    at.button(key="plan_undo").click().run()
    assert _metrics(at)["联建村数"] == f"{today['joint_villages']} 个"


def test_save_suggest_and_compare(planning, demo):
    at, folder = planning
    # AppTest forgets the frame's sidebar state on the next rerun under
    # st.navigation (the browser does not): set the area right before the run.
    at.session_state["county"], at.session_state["township"] = YONGAN, TOWN
    at.run()
    assert at.title[0].value == "分组规划 · 永安市 · 坂岗街道"
    villages = demo.villages.query("township_code == @TOWN and kind == 'village'")
    joined = villages["village_code"].isin(set(demo.joint_members["village_code"])).sum()
    assert any(c.value.startswith(f"本区域：方案联建 {joined}/{len(villages)} 个行政村")
               for c in at.caption)
    at.segmented_control(key="plan_mode").set_value("manage").run()
    at.button(key="plan_save").click().run()
    assert not at.exception
    assert len(ScenarioStore(folder).list()) == 1
    at.segmented_control(key="plan_mode").set_value("suggest").run()
    at.radio(key="plan_suggest_scope").set_value("city").run()
    at.button(key="plan_suggest_run").click().run()
    assert not at.exception
    assert any("建议" in s.value and "个组织" in s.value for s in at.success)
    at.button(key="plan_suggest_accept").click().run()
    assert not at.exception
    at.segmented_control(key="plan_mode").set_value("edit").run()
    assert int(_metrics(at)["联村党组织数"].split()[0]) > demo.joint_orgs.shape[0]
    at.segmented_control(key="plan_mode").set_value("compare").run()
    assert not at.exception
    figures = at.dataframe[0].value.set_index("指标")
    assert list(figures.columns) == ["A：现状", "B：当前编辑方案", "差值（B−A）"]
    today = compute_kpis(demo)
    assert figures.loc["联村覆盖率", "A：现状"] == f"{today['joint_coverage'] * 100:.2f}%"


def test_a_damaged_scenario_store_is_reported_not_raised(planning):
    at, folder = planning
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "scenarios.sqlite").write_bytes(b"not a database at all" * 100)
    for mode in ("manage", "compare"):
        at.segmented_control(key="plan_mode").set_value(mode).run()
        assert not at.exception
        assert any("方案库" in e.value for e in at.error)


def test_names_are_typed_live_and_keep_their_fields(planning):
    """The group's and the scenario's name fields apply each pause in typing
    without drawing the widgets again (same keys: the field keeps its focus);
    an emptied field waits for a name; undo brings the old name back."""
    at, _ = planning
    at.button(key="plan_new").click().run()
    field = next(t for t in at.text_input if t.key.endswith("_name"))
    key, rev, before = field.key, at.session_state["plan_rev"], field.value
    field.set_value("永安联村党委").run()
    assert not at.exception
    assert at.session_state["plan_rev"] == rev
    assert at.text_input(key=key).value == "永安联村党委"
    picked = next(s for s in at.selectbox if s.key.startswith("plan_pick_"))
    assert picked.format_func(picked.value).startswith("永安联村党委（0 村）")
    at.text_input(key=key).set_value("  ").run()
    assert not at.warning and at.session_state["plan_rev"] == rev
    at.button(key="plan_undo").click().run()
    assert next(t for t in at.text_input if t.key.endswith("_name")).value == before
    at.segmented_control(key="plan_mode").set_value("manage").run()
    name = next(t for t in at.text_input if t.key.startswith("plan_scenario_name_"))
    rev = at.session_state["plan_rev"]
    name.set_value("永安方案").run()
    assert at.session_state["plan_rev"] == rev
    assert at.text_input(key=name.key).value == "永安方案"
    assert at.session_state["plan_history"].current["name"] == "永安方案"


def test_a_save_over_a_newer_version_is_refused_with_a_comparison(planning, demo):
    """Loaded at revision 1; someone else saves revision 2; this session's save is refused,
    both versions are compared, and the user may replace theirs knowingly (or take it)."""
    at, folder = planning
    store = ScenarioStore(folder)
    first = store.save("共享方案", {"groups": []})
    at.segmented_control(key="plan_mode").set_value("manage").run()
    at.selectbox(key="plan_saved_pick").set_value("共享方案").run()
    at.button(key="plan_load").click().run()
    assert at.session_state["plan_loaded"] == ("共享方案", first.revision)
    theirs = {"groups": [{"org_id": "X1", "name": "他人的联村党委", "org_type": "strong_weak",
                          "lead_village_code": demo.villages["village_code"].iloc[0],
                          "villages": list(demo.villages["village_code"].iloc[:2])}]}
    assert store.save("共享方案", theirs, overwrite=True).revision == first.revision + 1

    at.checkbox(key="plan_overwrite").check().run()
    at.button(key="plan_save").click().run()
    assert not at.exception
    assert any("已被他人修改（版本 2）" in e.value for e in at.error)
    assert any(s.value == "与他人保存的版本对比" for s in at.subheader)
    moved = at.dataframe[-1].value
    assert len(moved) == 2  # their two villages, not in this edit
    assert store.load("共享方案")["groups"][0]["org_id"] == "X1"  # nothing lost

    at.button(key="plan_stale_overwrite").click().run()
    assert not at.exception
    assert any("已保存方案「共享方案」" in s.value for s in at.success)
    assert store.load("共享方案")["groups"] == [] and store.info("共享方案").revision == 3
    assert not any(s.value == "与他人保存的版本对比" for s in at.subheader)


def test_the_newer_version_can_be_taken_instead(planning, demo):
    at, folder = planning
    store = ScenarioStore(folder)
    store.save("共享方案", {"groups": []})
    at.segmented_control(key="plan_mode").set_value("manage").run()
    at.selectbox(key="plan_saved_pick").set_value("共享方案").run()
    at.button(key="plan_load").click().run()
    group = {"org_id": "X1", "name": "他人的联村党委", "org_type": "strong_weak",
             "lead_village_code": demo.villages["village_code"].iloc[0],
             "villages": list(demo.villages["village_code"].iloc[:2])}
    store.save("共享方案", {"groups": [group]}, overwrite=True)
    at.checkbox(key="plan_overwrite").check().run()
    at.button(key="plan_save").click().run()
    at.button(key="plan_stale_load").click().run()
    assert not at.exception
    assert at.session_state["plan_loaded"] == ("共享方案", 2)
    at.button(key="plan_save").click().run()   # now saved over revision 2, as revision 3
    assert any("已保存方案「共享方案」" in s.value for s in at.success)
    assert [g["org_id"] for g in store.load("共享方案")["groups"]] == ["X1"]
