"""Login, roles and areas, plan review and the audit log with AppTest (SPEC §7),
in mode ``accounts``; and mode ``none``'s notice and its refusal of data changes
from another machine."""
import os
import time

import pytest
from streamlit.testing.v1 import AppTest

from analysis import scenario_edit as ed
from geo.accounts import AccountStore
from geo.audit import AuditLog
from geo.scenario_store import ScenarioStore
from geo.settings import load_settings
from tests.conftest import DEMO, ROOT
from ui import planning_state

YONGAN, TOWN = "350481", "350481003"
PASSWORD = "correct horse 1"


@pytest.fixture
def accounts_app(monkeypatch, tmp_path):
    """The dashboard in mode ``accounts`` on the demo, with one account per role."""
    folder = tmp_path / "var"
    config = tmp_path / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{folder}"\n'
                      '[auth]\nmode = "accounts"\nidle_minutes = 5\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA", str(DEMO))
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    store = AccountStore(folder, min_password=10)
    store.add("admin", PASSWORD, role="admin")
    store.add("viewer", PASSWORD, role="viewer", area=YONGAN)
    store.add("planner", PASSWORD, role="planner", area=TOWN)
    store.add("reviewer", PASSWORD, role="reviewer", area=YONGAN)

    def start():
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        return at.run()

    return start, folder


def form_script():
    """The login form alone (AppTest keeps the values of widgets drawn by a page, not
    by the frame of an app with a pages/ folder; the browser tests use the frame)."""
    from ui import auth
    auth.login_page()


def submit(at, name, password=PASSWORD):
    at.text_input(key="login_user").input(name)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def login(at, name):
    """Log ``at`` in as ``name`` the way the form does (:meth:`AccountStore.verify`)."""
    folder = os.environ["DASHBOARD_CONFIG"]
    settings = load_settings(folder)
    at.session_state["_account"] = AccountStore(settings.folder).verify(name, PASSWORD)
    at.session_state["_account_seen"] = time.monotonic()
    return at.run()


def test_nothing_but_the_login_form_before_a_login(accounts_app):
    start, _ = accounts_app
    at = start()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert [b.label for b in at.button] == ["登录"]
    assert not at.metric and not at.sidebar.selectbox and not at.dataframe
    # every page address shows the same form: tests/browser/test_auth_browser.py


def test_the_form_logs_in(accounts_app):
    _, folder = accounts_app
    at = AppTest.from_function(form_script, default_timeout=60).run()
    submit(at, "", "")
    assert at.error[0].value == "请填写用户名和密码"
    submit(at, "reviewer")
    assert not at.error
    assert at.session_state["_account"].name == "reviewer"
    assert at.session_state["_account"].area == YONGAN
    assert AuditLog(folder).entries()[0].action == "login"


def test_wrong_passwords_lock_the_account_and_are_audited(accounts_app):
    _, folder = accounts_app
    at = AppTest.from_function(form_script, default_timeout=60).run()
    for attempt in range(4):
        submit(at, "viewer", "wrong password")
        assert at.error[0].value == "用户名或密码错误", attempt
    submit(at, "viewer", "wrong password")
    assert "已锁定" in at.error[0].value
    submit(at, "viewer")  # the right password, but locked
    assert "账号已锁定，请 15 分钟后再试" == at.error[0].value
    assert "_account" not in at.session_state
    entries = AuditLog(folder).entries(account="viewer")
    assert [e.action for e in entries].count("login") == 6
    assert [e.action for e in entries].count("lock") == 1
    assert all(PASSWORD not in str(e.as_dict()) for e in entries)


def test_a_county_viewer_sees_its_county_only(accounts_app):
    start, folder = accounts_app
    at = login(start(), "viewer")
    assert not at.exception
    county = at.sidebar.selectbox(key="county")
    assert county.value == YONGAN and county.disabled and county.options == ["永安市"]
    assert at.title[0].value.endswith("永安市")
    assert "viewer（查看）" in " ".join(c.value for c in at.sidebar.caption)
    for page in ("pages/data.py", "pages/planning.py", "pages/admin.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)  # not in the viewer's menu: no such page for this session
    assert [e.action for e in AuditLog(folder).entries(account="viewer")] == ["login"]


def test_a_page_checks_the_right_on_every_run(accounts_app):
    """An administrator's session on 数据管理 whose account becomes a viewer's (its
    role changed, another login) is back on 总览 at the next run."""
    start, _ = accounts_app
    at = login(start(), "admin")
    at.switch_page("pages/data.py").run()
    assert at.title[0].value == "数据管理"
    at = login(at, "viewer")
    assert at.error[0].value == "账号 viewer（查看）无权导入数据或切换、删除数据版本"
    assert not at.dataframe and not at.button


def badge_script():
    import streamlit as st

    from ui import auth
    account = st.session_state.get("_account")
    if account is None:
        st.write("已退出")
    else:
        auth.sidebar_badge(account)


def test_logout_forgets_the_account_and_is_audited(accounts_app):
    _, folder = accounts_app
    at = AppTest.from_function(badge_script, default_timeout=60)
    login(at, "viewer")
    assert "viewer（查看） · 范围：350481" in at.caption[0].value
    at.button(key="logout").click().run()
    assert at.markdown[0].value == "已退出"
    assert [e.action for e in AuditLog(folder).entries(account="viewer")] == ["logout", "login"]


def gate_script():
    import streamlit as st

    from ui import auth
    account = auth.gate()
    if account is None:
        auth.login_page()
    else:
        st.write(f"已登录：{account.name}")


def test_an_idle_session_is_logged_out(accounts_app):
    _, folder = accounts_app
    at = login(AppTest.from_function(gate_script, default_timeout=60), "viewer")
    assert at.markdown[0].value == "已登录：viewer"
    at.run()
    assert at.markdown[0].value == "已登录：viewer"  # 5 minutes not yet passed
    at.session_state["_account_seen"] = time.monotonic() - 5 * 60 - 1
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert at.warning[0].value == "闲置超过 5 分钟，已自动退出登录，请重新登录"
    assert AuditLog(folder).entries(account="viewer")[0].result == "闲置超时"


def _in_area(at, township=TOWN):
    """AppTest reruns a page without the frame (its sidebar): set the area the frame
    holds a township account to, before every run."""
    at.session_state["county"], at.session_state["township"] = YONGAN, township
    return at


def _planning(at):
    at.switch_page("pages/planning.py")
    return _in_area(at).run()


def test_planner_saves_and_submits_reviewer_approves(accounts_app, demo):
    start, folder = accounts_app
    at = _planning(login(start(), "planner"))
    assert not at.exception
    assert at.title[0].value == "分组规划 · 永安市 · 坂岗街道"
    labels = [m.label for m in at.metric]  # the township's figures, never the city's
    assert labels[:2] == ["本区域联建村数", "本区域联村覆盖率"]
    assert "联村党组织数" not in labels and "联村覆盖率" not in labels
    assert "方案审核" not in at.get("button_group")[0].proto.options.__str__()
    _in_area(at).button(key="plan_new").click().run()
    members = next(m for m in at.multiselect if m.key.endswith("_members"))
    joined = set(demo.joint_members["village_code"])
    inside = [c for c in demo.villages.query("township_code == @TOWN and kind == 'village'")
              ["village_code"] if c not in joined][:2]
    members.set_value(inside)
    _in_area(at).run()
    _in_area(at).session_state["plan_mode"] = "manage"
    at.run()
    _in_area(at).button(key="plan_save").click().run()
    assert not at.error, [e.value for e in at.error]
    info = ScenarioStore(folder).list()[0]
    assert (info.owner, info.area, info.status) == ("planner", TOWN, "draft")
    _in_area(at).button(key="plan_submit").click().run()
    assert ScenarioStore(folder).info(info.id).status == "submitted"

    at = login(start(), "reviewer")
    at.switch_page("pages/planning.py")
    at.session_state["plan_mode"] = "review"
    _in_area(at, None).run()
    assert not at.exception
    assert "方案审核" in at.get("button_group")[0].proto.options.__str__()
    assert at.selectbox(key="plan_review_pick").value == info.id
    at.text_area(key=f"plan_review_comment_{info.id}").input("同意，按期组建")
    _in_area(at, None).button(key="plan_approve").click().run()
    decided = ScenarioStore(folder).info(info.id)
    assert (decided.status, decided.decided_by, decided.comment) == \
        ("approved", "reviewer", "同意，按期组建")
    actions = [(e.account, e.action) for e in AuditLog(folder).entries()]
    assert ("planner", "scenario_save") in actions and ("planner", "scenario_submit") in actions
    assert ("reviewer", "scenario_approve") in actions


def test_a_plan_outside_the_planners_area_is_refused(accounts_app, demo):
    start, folder = accounts_app
    at = _planning(login(start(), "planner"))
    joined = set(demo.joint_members["village_code"])
    outside = demo.villages.query("county_code == @YONGAN and township_code != @TOWN"
                                  " and kind == 'village'")
    codes = [c for c in outside["village_code"] if c not in joined][:2]
    # the editor offers the area's villages only; a document from elsewhere is what a
    # hostile session would send: make it the working scenario directly
    today = ed.today_document(demo.joint_orgs, demo.joint_members)["groups"]
    doc = ed.add_groups(ed.new_document("越界方案", today), [{
        "org_id": "S1", "name": "越界联村", "org_type": "other",
        "lead_village_code": codes[0], "villages": codes}])
    at.session_state[planning_state.HISTORY] = ed.History(doc)
    at.session_state["plan_mode"] = "manage"
    _in_area(at).run()
    _in_area(at).button(key="plan_save").click().run()
    names = dict(zip(outside["village_code"], outside["name"]))
    assert "方案改动了范围以外的 2 个村" in at.error[0].value
    assert names[codes[0]] in at.error[0].value
    assert ScenarioStore(folder).list() == []
    assert AuditLog(folder).entries(account="planner")[0].action == "denied"


def test_admin_reaches_data_and_admin_pages(accounts_app):
    start, folder = accounts_app
    at = login(start(), "admin")
    at.switch_page("pages/admin.py").run()
    assert not at.exception
    assert at.title[0].value == "账号与日志"
    shown = at.dataframe[0].value
    assert list(shown["用户名"]) == ["admin", "planner", "reviewer", "viewer"] or \
        set(shown["用户名"]) == {"admin", "planner", "reviewer", "viewer"}
    at.switch_page("pages/data.py").run()
    assert at.title[0].value == "数据管理" and not at.warning


def test_login_off_says_so_and_refuses_data_changes_from_elsewhere(monkeypatch, tmp_path):
    config = tmp_path / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{tmp_path / "var"}"\n',
                      encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA", str(DEMO))
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run()
    assert "未开启登录" in " ".join(c.value for c in at.sidebar.caption)
    at.switch_page("pages/data.py").run()
    assert not at.warning  # from the machine itself: no refusal
    from ui import auth
    monkeypatch.setattr(auth, "request_is_local", lambda: False)
    at.switch_page("pages/data.py").run()
    assert at.warning[0].value.startswith("登录未开启")


def test_admin_adds_changes_and_removes_an_account_audited(accounts_app):
    start, folder = accounts_app
    at = login(start(), "admin")
    at.switch_page("pages/admin.py").run()
    at.text_input(key="admin_add_name").input("sun")
    at.text_input(key="admin_add_password").input("short")
    at.selectbox(key="admin_add_role").set_value("planner")
    at.selectbox(key="admin_add_area").set_value(TOWN)
    at.button(key="FormSubmitter:admin_add-添加").click().run()
    assert "密码至少 10 个字符" in at.error[0].value
    at.text_input(key="admin_add_name").input("sun")
    at.text_input(key="admin_add_password").input("long enough 10")
    at.selectbox(key="admin_add_role").set_value("planner")
    at.selectbox(key="admin_add_area").set_value(TOWN)
    at.button(key="FormSubmitter:admin_add-添加").click().run()
    assert not at.error and at.success[0].value == "已添加账号 sun"
    store = AccountStore(folder)
    assert (store.get("sun").role, store.get("sun").area) == ("planner", TOWN)
    at.selectbox(key="admin_pick").set_value("sun").run()
    at.selectbox(key="admin_role_sun").set_value("reviewer")
    at.button(key="FormSubmitter:admin_edit_sun-保存角色和范围").click().run()
    assert store.get("sun").role == "reviewer"
    at.selectbox(key="admin_pick").set_value("sun").run()
    at.button(key="admin_remove_sun").click().run()
    assert store.get("sun") is None
    entries = AuditLog(folder).entries(account="admin")
    assert [e.action for e in entries][:3] == ["account_remove", "account_update",
                                               "account_add"]
    assert entries[3].action == "account_add" and "密码至少" in entries[3].result
    shown = at.dataframe[-1].value  # the audit table, newest first
    assert list(shown["操作"][:3]) == ["删除账号", "修改账号", "添加账号"]
    assert all("long enough 10" not in str(e.as_dict()) for e in AuditLog(folder).entries())


def test_the_admin_page_refuses_others(accounts_app):
    start, _ = accounts_app
    at = login(start(), "admin")
    at.switch_page("pages/admin.py").run()
    at = login(at, "reviewer")  # the same session, now somebody else's
    assert at.error[0].value == "账号 reviewer（审核）无权管理账号和查看审计日志"
    assert not at.dataframe and not at.text_input


def test_an_approved_plan_is_read_only_and_becomes_a_dataset_version(accounts_app, demo):
    start, folder = accounts_app
    today = ed.today_document(demo.joint_orgs, demo.joint_members)["groups"]
    joined = set(demo.joint_members["village_code"])
    codes = [c for c in demo.villages.query("township_code == @TOWN and kind == 'village'")
             ["village_code"] if c not in joined][:3]
    doc = ed.add_groups(ed.new_document("2027 方案A", today), [{
        "org_id": "S1", "name": "坂岗新联村", "org_type": "strong_weak",
        "lead_village_code": codes[0], "villages": codes}])
    scenarios = ScenarioStore(folder)
    scenarios.save("2027 方案A", doc, owner="planner", area=TOWN)
    scenarios.submit("2027 方案A", "planner")
    scenarios.approve("2027 方案A", "reviewer", "同意")
    at = login(start(), "admin")
    at.switch_page("pages/planning.py")
    at.session_state["plan_mode"] = "manage"
    at.run()
    assert not at.exception
    assert any("已审核通过，只读" in c.value for c in at.caption)
    assert not at.get("button") or "plan_submit" not in [b.key for b in at.button]
    at.button(key="plan_import_version").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    from geo.dataset import load_dataset
    from geo.store import DataStore
    store = DataStore(folder)
    version = store.current()
    assert version is not None and version.source == "2027 方案A（方案）"
    new = load_dataset(store.path_of(version.id))
    assert len(new.joint_orgs) == len(demo.joint_orgs) + 1
    members = new.joint_members[new.joint_members["org_id"] == "S1"]
    assert sorted(members["village_code"]) == sorted(codes)
    entries = AuditLog(folder).entries(account="admin", action="import")
    assert entries[0].object == f"方案“2027 方案A” → {version.id}"
    # read-only: saving over it is refused by the store, whoever asks
    with pytest.raises(ValueError, match="已审核通过，只读"):
        scenarios.save("2027 方案A", doc, overwrite=True, owner="planner")


def test_a_changed_or_removed_account_applies_at_the_next_run(accounts_app):
    _, folder = accounts_app
    at = login(AppTest.from_function(gate_script, default_timeout=60), "planner")
    assert at.markdown[0].value == "已登录：planner"
    store = AccountStore(folder)
    store.update("planner", role="viewer")
    at.run()
    assert at.session_state["_account"].role == "viewer"
    store.remove("planner")
    at.run()
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert at.warning[0].value == "账号 planner 已被管理员删除，请联系管理员"


@pytest.fixture
def oidc_app(monkeypatch, tmp_path):
    """The frame in mode ``oidc`` with a groups mapping (the provider's login itself is
    Streamlit's ``st.login``; here ``st.user`` is what it would have returned)."""
    config = tmp_path / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{tmp_path / "var"}"\n'
                      '[auth]\nmode = "oidc"\n[auth.oidc.roles]\n"kb-viewer" = "viewer"\n'
                      '"kb-admin" = "admin"\n[auth.oidc.areas]\n"county-yongan" = "350481"\n',
                      encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA", str(DEMO))
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    return tmp_path / "var"


def test_oidc_before_login_offers_the_provider_only(oidc_app):
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["使用统一身份认证登录"]
    assert not at.text_input and not at.metric and not at.sidebar.selectbox


def test_oidc_claims_give_role_and_area(oidc_app):
    at = AppTest.from_function(gate_script, default_timeout=60)
    at.user = {"is_logged_in": True, "preferred_username": "zhao",
               "groups": ["kb-viewer", "county-yongan"]}
    at.run()
    assert at.markdown[0].value == "已登录：zhao"
    account = at.session_state["_account"]
    assert (account.role, account.area) == ("viewer", "350481")
    entry = AuditLog(oidc_app).entries()[0]
    assert (entry.account, entry.action, entry.object) == ("zhao", "login", "统一身份认证")


def test_oidc_without_a_mapped_role_is_refused(oidc_app):
    at = AppTest.from_function(gate_script, default_timeout=60)
    at.user = {"is_logged_in": True, "preferred_username": "qian", "groups": ["other"]}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["退出统一身份认证，换一个账号"]
    assert "统一身份认证账号 qian 没有本看板的角色" in at.warning[0].value
    at.run()
    assert "统一身份认证账号 qian 没有本看板的角色" in at.warning[0].value
    entries = AuditLog(oidc_app).entries()
    assert len(entries) == 1 and "没有本看板的角色" in entries[0].result  # audited once
