"""Accounts, roles and the audit log (SPEC §7) in a real headless Chromium.

With ``[auth] mode = "accounts"``: before a login every address shows the
login form and nothing else (not even on the WebSocket); five wrong passwords
lock an account; a county viewer sees its county only and none of the pages
it may not use; a plan goes from a township planner through a county reviewer,
and an administrator imports data and reads all of it in the audit log.  With
``mode = "none"``: a browser on another address may look at 数据管理 but not
import, the server's own browser may.
"""
import csv
import io
import re
from datetime import datetime

import pytest
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from geo.accounts import AccountStore
from geo.clock import CHINA_TZ
from geo.dataset import load_dataset
from geo.store import DataStore
from tests.browser.conftest import ARTIFACTS, recorded_page, start_server
from tests.conftest import DEMO

PASSWORD = "correct-horse-9"   # every account's (at least 10 characters)
WRONG = "Wrong-Horse-77"       # typed five times in the lock test
COUNTY, COUNTY_NAME = "350481", "永安市"
TOWNSHIP = "350481003"         # 坂岗街道, in 永安市
ACCOUNTS = {"yong_view": ("viewer", COUNTY), "ban_plan": ("planner", TOWNSHIP),
            "yong_rev": ("reviewer", COUNTY), "boss": ("admin", None),
            "lock_me": ("viewer", COUNTY)}
ADDRESSES = ("/", "/briefing", "/joint", "/grids", "/planning", "/report", "/data", "/admin")
# What a ForwardMsg of the login form may draw: the title, captions and style, two text
# inputs and the form's button (inside a form block).
LOGIN_ELEMENTS = {"heading", "markdown", "text_input", "button"}
VIEWER_PAGES = ("总览", "汇报模式", "跨村联建", "网格治理", "报告导出")
OFF_WARNING = "登录未开启（auth mode = none）"
REMOTE_HOST = "192.0.2.2"      # this machine's non-loopback address
INCOME_LAYER = "village_income（村集体经营性收入）"


@pytest.fixture(scope="module")
def demo():
    """Names from the demo: two villages of 坂岗街道 in no organisation (the plan's
    members) and the county's and township's names; an income sheet of three
    永安 villages."""
    data = load_dataset(DEMO)
    villages = data.villages
    joined = set(data.joint_members["village_code"])
    free = villages[(villages["township_code"] == TOWNSHIP) & (villages["kind"] == "village")
                    & ~villages["village_code"].isin(joined)].sort_values("village_code")
    income = data.village_income
    income = income[income["year"].isin([2022, 2023]) & income["village_code"].isin(
        set(villages.loc[villages["county_code"] == COUNTY, "village_code"]))]
    rows = income[income["village_code"].isin(sorted(set(income["village_code"]))[:3])]
    assert len(rows) == 6
    sheet = "村代码,年份,集体经营性收入\n" + "".join(
        f"{r.village_code},{int(r.year)},{float(r.collective_income):.2f}\n"
        for r in rows.itertuples(index=False))
    township = villages.loc[villages["township_code"] == TOWNSHIP, "township"].iloc[0]
    return {"members": list(free["name"][:2]), "township": township,
            "a_village": villages["name"].iloc[0], "income_csv": sheet}


# The server's clock zone: UTC−12, whose calendar day is behind Beijing's except from
# 20:00 to 24:00 Beijing time (as a server kept in UTC is from 00:00 to 08:00): the
# pages must take "today" from Beijing's clock (geo.clock), as the audit log does.
SERVER_ZONE = "Etc/GMT+12"


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory, demo):
    """The demo with login on, an empty data folder of its own and the accounts of
    :data:`ACCOUNTS`; the server's clock zone is :data:`SERVER_ZONE`.
    Returns ``{"url", "folder", "config", "log"}``."""
    ARTIFACTS.mkdir(exist_ok=True)
    root = tmp_path_factory.mktemp("auth")
    folder = root / "var"
    store = AccountStore(folder, min_password=10)
    for name, (role, area) in ACCOUNTS.items():
        store.add(name, PASSWORD, role=role, area=area)
    config = root / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{folder}"\n\n'
                      '[auth]\nmode = "accounts"\n', encoding="utf-8")
    log = ARTIFACTS / "streamlit-auth-server.log"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TZ", SERVER_ZONE)
        proc, url = start_server(None, log, config=config)
    yield {"url": url, "folder": folder, "config": config, "log": log}
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    """The demo with login off (the default), an empty data folder of its own,
    listening on every address of the machine.  Returns ``{"url", "folder"}``."""
    ARTIFACTS.mkdir(exist_ok=True)
    root = tmp_path_factory.mktemp("auth-none")
    config = root / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{root / "var"}"\n',
                      encoding="utf-8")
    proc, url = start_server(None, ARTIFACTS / "streamlit-auth-none-server.log", config=config,
                             address="0.0.0.0")
    yield {"url": url, "folder": root / "var"}
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def income_csv(tmp_path_factory, demo):
    path = tmp_path_factory.mktemp("auth-upload") / "永安收入.csv"
    path.write_text(demo["income_csv"], encoding="utf-8")
    return path


# ---- helpers ---------------------------------------------------------------------------

def _frames(recorded) -> list:
    """Every binary WebSocket frame the page receives from now on (ForwardMsgs)."""
    frames = []
    recorded.page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: frames.append(payload)
        if isinstance(payload, bytes) else None))
    return frames


def _drawn(frames) -> set:
    """The kinds of element the ForwardMsgs in ``frames`` draw."""
    kinds = set()
    for payload in frames:
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # not one ForwardMsg
            kinds.add("<unparsed frame>")
            continue
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            kinds.add(msg.delta.new_element.WhichOneof("type"))
    return kinds


def _login_form(recorded) -> None:
    """Wait for the login form and for the run that drew it to be over."""
    recorded.page.get_by_role("button", name="登录", exact=True).wait_for(timeout=120_000)
    recorded.settle()


def _submit_login(recorded, name: str, password: str) -> None:
    page = recorded.page
    _login_form(recorded)
    page.get_by_label("用户名", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    runs = recorded.runs
    page.get_by_role("button", name="登录", exact=True).click()
    recorded.wait_for_run(runs)


def _logged_in(recorded, name: str) -> None:
    """Wait for the page a login leads to (or an error in its place)."""
    page = recorded.page
    page.get_by_text(f"当前账号：{name}（").or_(
        page.locator("[data-testid='stException']")).first.wait_for(timeout=120_000)
    recorded.settle()


def _log_in(recorded, name: str) -> None:
    """Log in with the right password and wait for the page it leads to."""
    _submit_login(recorded, name, PASSWORD)
    _logged_in(recorded, name)
    assert recorded.page.locator("[data-testid='stException']").count() == 0, \
        f"the page after {name}'s login shows an error (see the server's log)"


def _alert(page) -> str:
    return "\n".join(page.locator("[data-testid='stAlert']").all_inner_texts())


def _nav(page) -> str:
    return page.locator("[data-testid='stSidebarNav']").inner_text()


def _go(recorded, link: str, wait_text: str) -> None:
    recorded.page.get_by_role("link", name=link).click()
    recorded.page.get_by_text(wait_text).first.wait_for(timeout=120_000)
    recorded.settle()


def _mode(recorded, label: str) -> None:
    """Choose a mode of the 分组规划 page's segmented control."""
    runs = recorded.runs
    recorded.page.locator("[data-testid='stButtonGroup'] button", has_text=label).click()
    recorded.wait_for_run(runs)


def _click_key(recorded, key: str) -> None:
    """Press the button of widget key ``key`` and wait for the run it starts."""
    runs = recorded.runs
    recorded.page.locator(f".st-key-{key} button").click()
    recorded.wait_for_run(runs)


def _pick(page, label, option):
    """Choose ``option`` in the Streamlit selectbox labelled ``label``."""
    box = page.locator("[data-testid='stSelectbox']", has_text=label).first
    box.click()
    page.keyboard.type(option[:12])
    page.get_by_role("option", name=option).first.click()


def _upload_income(recorded, path) -> None:
    """On 数据管理: the layer village_income, the file, and the validation's verdict."""
    page = recorded.page
    box = page.locator("[data-testid='stSelectbox']", has_text="导入为图层").first
    if box.locator("input").input_value() != INCOME_LAYER:
        runs = recorded.runs
        _pick(page, "导入为图层", INCOME_LAYER)
        recorded.wait_for_run(runs)
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(path))
    verdict = page.get_by_text(re.compile("^校验结果：")).first
    verdict.wait_for(timeout=60_000)
    recorded.settle()
    assert verdict.inner_text().startswith("校验结果：0 个错误"), _alert(page)


def _table_rows(table) -> list:
    """The rows a Streamlit dataframe shows (its accessible table: the rows in view)."""
    table.scroll_into_view_if_needed()
    table.locator("tbody tr").first.wait_for(state="attached", timeout=60_000)
    return [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]


# ---- login on (mode "accounts") --------------------------------------------------------

def test_before_a_login_every_address_shows_only_the_login_form(accounts_server, browser, demo):
    """The first visits of a fresh server, to every address: the login form, no
    figure, map, table or selector, on the page or on the WebSocket."""
    url = accounts_server["url"]
    secrets = ["联村覆盖率", "联村党组织数", demo["a_village"], *demo["members"], COUNTY_NAME,
               demo["township"], "deckgl", "pydeck", "initialViewState", "@@type",
               "streamlit_folium"]
    with recorded_page(browser) as recorded:
        page = recorded.page
        frames = _frames(recorded)
        for address in ("/joint", *ADDRESSES):  # /joint first: the fresh server's first visit
            page.goto(url + address, wait_until="domcontentloaded")
            _login_form(recorded)
            for label in ("用户名", "密码"):
                expect(page.get_by_label(label, exact=True)).to_be_visible()
            for selector in ("[data-testid='stMetric']", "canvas", "[data-testid='stDataFrame']",
                             "[data-testid='stSelectbox']", "iframe",
                             "[data-testid='stDeckGlJsonChart']", "[data-testid='stException']"):
                assert page.locator(selector).count() == 0, f"{address}: {selector} shown"
            assert page.locator("input").count() == 2, address  # 用户名 and 密码 only
            assert page.locator("[data-testid='stSidebarNav']").count() == 0, address
            html = page.content()
            shown = [s for s in secrets if s in html]
            assert not shown, f"{address}: the page carries {shown}"
        assert frames, "no WebSocket frame recorded"
        assert _drawn(frames) <= LOGIN_ELEMENTS, f"drawn before a login: {_drawn(frames)}"
        received = b"".join(frames)
        leaked = [s for s in secrets if s.encode("utf-8") in received]
        assert not leaked, f"the WebSocket carried {leaked} before a login"
        assert not [r for r in recorded.requests if "/_stcore/message" in r], \
            "a message came over HTTP, not the WebSocket"
        before = len(frames)  # and the recording does see figures once they are sent
        _log_in(recorded, "yong_view")
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        recorded.settle()
        assert "联村覆盖率".encode("utf-8") in b"".join(frames[before:])
        assert recorded.foreign_requests() == []
        assert recorded.errors == []


def test_five_wrong_passwords_lock_the_account(accounts_server, browser):
    with recorded_page(browser) as recorded:
        page = recorded.page
        page.goto(accounts_server["url"], wait_until="domcontentloaded")
        for attempt in range(1, 5):
            _submit_login(recorded, "lock_me", WRONG)
            assert _alert(page) == "用户名或密码错误", f"attempt {attempt}"
        _submit_login(recorded, "lock_me", WRONG)
        assert _alert(page) == "用户名或密码错误；连续 5 次错误，账号已锁定 15 分钟"
        _submit_login(recorded, "lock_me", PASSWORD)
        assert _alert(page) == "账号已锁定，请 15 分钟后再试"
        assert page.get_by_text("当前账号：").count() == 0
        assert page.locator("[data-testid='stMetric']").count() == 0
        expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
        assert recorded.errors == []


def test_a_county_viewer_sees_its_county_and_no_more(accounts_server, browser):
    with recorded_page(browser) as recorded:
        page = recorded.page
        page.goto(accounts_server["url"], wait_until="domcontentloaded")
        _log_in(recorded, "yong_view")
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        sidebar = page.locator("[data-testid='stSidebar']")
        assert f"当前账号：yong_view（查看） · 范围：{COUNTY}" in sidebar.inner_text()
        county = sidebar.get_by_role("combobox", name="县（市、区）")
        expect(county).to_be_disabled()
        expect(county).to_have_value(COUNTY_NAME)
        assert COUNTY_NAME in page.locator("h1").first.inner_text()
        nav = _nav(page)
        for title in VIEWER_PAGES:
            assert title in nav, title
        for title in ("数据管理", "分组规划", "账号与日志"):
            assert title not in nav, f"{title} in a viewer's navigation"
        runs = recorded.runs
        sidebar.get_by_role("button", name="退出登录").click()
        recorded.wait_for_run(runs)
        _login_form(recorded)
        assert page.get_by_text("当前账号：").count() == 0
        assert page.locator("[data-testid='stMetric']").count() == 0

        page.goto(accounts_server["url"] + "/data", wait_until="domcontentloaded")  # a bookmark
        _log_in(recorded, "yong_view")
        assert all("数据管理" not in h for h in page.locator("h1").all_inner_texts())
        assert page.locator("[data-testid='stFileUploader']").count() == 0
        assert "数据管理" not in _nav(page)
        assert recorded.errors == []


def test_a_login_outlives_a_reload_and_a_new_tab_until_logout(accounts_server, browser):
    """A reload or a second tab of the same browser is still logged in (a session
    cookie whose token the server keeps, hashed); after 退出登录 neither is."""
    with recorded_page(browser) as recorded:
        page = recorded.page
        page.goto(accounts_server["url"], wait_until="domcontentloaded")
        _log_in(recorded, "yong_view")
        # the page writes the cookie when the sidebar after the login is drawn
        page.wait_for_function("document.cookie.indexOf('ljwg_session=') >= 0",
                               timeout=60_000)
        cookie = next(c for c in page.context.cookies() if c["name"] == "ljwg_session")
        assert len(cookie["value"]) >= 40 and cookie["sameSite"] == "Strict"
        page.reload(wait_until="domcontentloaded")
        _logged_in(recorded, "yong_view")
        assert page.get_by_role("button", name="登录", exact=True).count() == 0
        second = page.context.new_page()
        second.goto(accounts_server["url"] + "/joint", wait_until="domcontentloaded")
        second.get_by_text("当前账号：yong_view（").wait_for(timeout=120_000)
        second.close()
        runs = recorded.runs
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="退出登录").click()
        recorded.wait_for_run(runs)
        _login_form(recorded)
        page.reload(wait_until="domcontentloaded")
        _login_form(recorded)
        assert page.get_by_text("当前账号：").count() == 0
        assert recorded.errors == []


# ---- login off (mode "none") -----------------------------------------------------------

def test_login_off_imports_only_from_the_machine_itself(open_server, browser, income_csv):
    local = open_server["url"].replace("127.0.0.1", "localhost")
    remote = open_server["url"].replace("127.0.0.1", REMOTE_HOST)
    with recorded_page(browser, height=1400) as recorded:  # another machine
        page = recorded.page
        page.goto(remote + "/data", wait_until="domcontentloaded")
        page.get_by_text("导入为图层").first.wait_for(timeout=120_000)
        recorded.settle()
        caption = page.locator("[data-testid='stSidebar']").get_by_text("未开启登录")
        expect(caption).to_be_visible()
        warning = page.locator("[data-testid='stAlert']", has_text=OFF_WARNING).first
        expect(warning).to_be_visible()
        assert warning.inner_text().startswith(OFF_WARNING)
        _upload_income(recorded, income_csv)
        runs = recorded.runs
        page.get_by_role("button", name="确认导入，生成新数据版本").click()
        recorded.wait_for_run(runs)
        refusal = page.locator("[data-testid='stAlertContentError']", has_text=OFF_WARNING)
        expect(refusal).to_be_visible()  # besides the page's warning
        assert page.get_by_text("已导入并切换到数据版本").count() == 0
        assert DataStore(open_server["folder"]).versions() == []
        assert [r for r in recorded.foreign_requests() if f"//{REMOTE_HOST}:" not in r] == []

    with recorded_page(browser, height=1400) as recorded:  # the server itself
        page = recorded.page
        page.goto(local + "/data", wait_until="domcontentloaded")
        page.get_by_text("导入为图层").first.wait_for(timeout=120_000)
        recorded.settle()
        expect(page.locator("[data-testid='stSidebar']").get_by_text("未开启登录")).to_be_visible()
        assert OFF_WARNING not in page.inner_text("main")
        _upload_income(recorded, income_csv)
        runs = recorded.runs
        page.get_by_role("button", name="确认导入，生成新数据版本").click()
        recorded.wait_for_run(runs)
        page.get_by_text("已导入并切换到数据版本 v0001").wait_for(timeout=60_000)
        assert [v.id for v in DataStore(open_server["folder"]).versions()] == ["v0001"]
        assert recorded.foreign_requests() == []
        assert recorded.errors == []


# ---- login on: across accounts, and after a restart ------------------------------------

def test_a_plan_goes_from_planner_to_reviewer_and_all_is_in_the_audit_log(
        accounts_server, browser, demo, income_csv):
    url = accounts_server["url"]
    plan = "坂岗联建试点方案"
    comment = "同意试点，注意以强带弱"
    first, second = demo["members"]

    with recorded_page(browser, height=1400) as recorded:  # the township's planner
        page = recorded.page
        page.goto(url, wait_until="domcontentloaded")
        _log_in(recorded, "ban_plan")
        _go(recorded, "分组规划", "本区域联建村数")
        assert demo["township"] in page.locator("h1").first.inner_text()
        assert page.get_by_text("联建村人口覆盖率").count() == 0  # no city-wide card
        _click_key(recorded, "plan_new")
        for name in (first, second):
            members = page.locator("[class*='st-key-plan_'][class*='_members'] "
                                   "[data-testid='stMultiSelect']").first
            members.click()
            page.keyboard.type(name)
            runs = recorded.runs
            page.get_by_role("option", name=name).first.click()
            recorded.wait_for_run(runs)
            page.keyboard.press("Escape")
        recorded.settle()
        chips = page.locator("[data-testid=stMultiSelect] [data-tag] span[title]")
        assert sorted(chips.all_inner_texts()) == sorted([first, second])

        _mode(recorded, "保存与导入导出")
        name_input = page.locator("[class*='st-key-plan_scenario_name_'] input")
        runs = recorded.runs
        name_input.fill(plan)
        name_input.press("Enter")
        recorded.wait_for_run(runs)
        recorded.settle()
        _click_key(recorded, "plan_save")
        page.get_by_text(f"已保存方案「{plan}」").wait_for(timeout=60_000)
        recorded.settle()
        _click_key(recorded, "plan_submit")
        page.get_by_text(f"已提交审核：{plan}").wait_for(timeout=60_000)
        recorded.settle()
        saved = _table_rows(page.locator("[data-testid='stDataFrame']").first)
        assert any(row[0] == plan and "ban_plan" in row and "待审核" in row for row in saved), \
            saved
        assert recorded.errors == []

    with recorded_page(browser, height=1400) as recorded:  # the county's reviewer
        page = recorded.page
        page.goto(url, wait_until="domcontentloaded")
        _log_in(recorded, "yong_rev")
        _go(recorded, "分组规划", "本区域联建村数")
        _mode(recorded, "方案审核")
        page.get_by_text("选择待审核方案").wait_for(timeout=60_000)
        page.get_by_text("与现状对比").wait_for(timeout=60_000)
        recorded.settle()
        picked = page.get_by_role("combobox", name="选择待审核方案")
        expect(picked).to_have_value(plan)
        assert "编制人：ban_plan" in page.inner_text("main")
        remark = page.get_by_label("审核意见", exact=True)
        remark.fill(comment)
        runs = recorded.runs
        remark.press("Control+Enter")
        recorded.wait_for_run(runs)
        _click_key(recorded, "plan_approve")
        page.get_by_text(f"已审核通过：{plan}").wait_for(timeout=60_000)
        recorded.settle()
        assert recorded.errors == []

    with recorded_page(browser, height=1400) as recorded:  # the administrator
        page = recorded.page
        page.goto(url, wait_until="domcontentloaded")
        _log_in(recorded, "boss")
        _go(recorded, "数据管理", "导入为图层")
        _upload_income(recorded, income_csv)
        runs = recorded.runs
        page.get_by_role("button", name="确认导入，生成新数据版本").click()
        recorded.wait_for_run(runs)
        page.get_by_text("已导入并切换到数据版本 v0001").wait_for(timeout=60_000)
        recorded.settle()

        _go(recorded, "账号与日志", "审计日志")
        entries = page.get_by_text(re.compile(r"^共 \d+ 条记录")).or_(
            page.get_by_text("没有符合条件的记录"))
        entries.first.wait_for(timeout=60_000)
        until = page.locator("[data-testid='stDateInput']", has_text="截止日期").locator(
            "input").input_value()
        assert page.get_by_text("没有符合条件的记录").count() == 0, (
            "APP BUG: the 审计日志 table is empty although today's entries exist: "
            "ui/admin_sections.py audit_section takes 'today' from dt.date.today() (the "
            "server's clock zone) while the entries are stamped in Beijing time; its 截止日期 "
            f"defaults to {until}, Beijing's day is {datetime.now(CHINA_TZ).date()}.  "
            "Use geo.clock.today().")
        rows = _table_rows(page.locator("[data-testid='stDataFrame']").nth(1))
        found = {(row[1], row[2], row[3], row[4]) for row in rows}
        for account, action, obj, result in (
                ("ban_plan", "登录", "", "成功"), ("ban_plan", "保存方案", plan, "成功"),
                ("ban_plan", "提交审核", plan, "成功"), ("yong_rev", "登录", "", "成功"),
                ("yong_rev", "审核通过", plan, comment), ("boss", "登录", "", "成功")):
            assert (account, action, obj, result) in found, (account, action, rows)
        imports = [row for row in rows if row[1] == "boss" and row[2] == "导入数据"]
        assert imports and income_csv.name in imports[0][3] and "v0001" in imports[0][3], rows

        with page.expect_download(timeout=60_000) as info:
            page.locator(".st-key-audit_csv button").click()
        exported = info.value.path().read_bytes().decode("utf-8-sig")
        lines = list(csv.reader(io.StringIO(exported)))
        assert any(line[1] == "yong_rev" and line[2] == "审核通过" and line[4] == comment
                   for line in lines)
        assert PASSWORD not in exported and WRONG not in exported
        assert recorded.errors == []
    server_log = accounts_server["log"].read_text(encoding="utf-8")
    assert PASSWORD not in server_log and WRONG not in server_log


def test_a_bookmarked_page_after_a_restart(accounts_server, browser):
    """A viewer opens a bookmark of 数据管理 on a freshly started server (its first
    visit, which Streamlit serves from pages/ until the frame has run once) and logs
    in: the page is not shown, and nothing breaks."""
    proc, url = start_server(None, ARTIFACTS / "streamlit-auth-restart-server.log",
                             config=accounts_server["config"])
    try:
        with recorded_page(browser) as recorded:
            page = recorded.page
            page.goto(url + "/data", wait_until="domcontentloaded")
            _submit_login(recorded, "yong_view", PASSWORD)
            _logged_in(recorded, "yong_view")
            assert page.locator("[data-testid='stException']").count() == 0, (
                "APP BUG: after the login the page shows Streamlit's error "
                "(StreamlitPageNotFoundError: pages/data.py): ui/frame.py "
                "return_to_wanted_page (called in dashboard.py) switches to the page "
                "remembered by require_frame even when the account's navigation lacks it; "
                "drop a wanted page that is not among the account's pages.")
            assert all("数据管理" not in h for h in page.locator("h1").all_inner_texts())
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            assert "数据管理" not in _nav(page)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
