"""Login on (SPEC §7, ``[auth] mode = "accounts"``) in a real headless Chromium: before
a login every address shows the login form and nothing else (not even on the
WebSocket); five wrong passwords lock an account; a county viewer sees its county only
and none of the pages it may not use; a login outlives a reload until logout; a
bookmarked page after a restart.
"""
from playwright.sync_api import expect

from tests.browser import auth_support as support
from tests.browser.auth_support import (ADDRESSES, COUNTY, COUNTY_NAME, LOGIN_ELEMENTS,
                                        PASSWORD, VIEWER_PAGES, WRONG)
from tests.browser.conftest import ARTIFACTS, recorded_page, start_server

demo, accounts_server = support.demo, support.accounts_server  # the shared fixtures


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
        frames = support.frames(recorded)
        for address in ("/joint", *ADDRESSES):  # /joint first: the fresh server's first visit
            page.goto(url + address, wait_until="domcontentloaded")
            support.login_form(recorded)
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
        drawn = support.drawn(frames)
        assert drawn <= LOGIN_ELEMENTS, f"drawn before a login: {drawn}"
        received = b"".join(frames)
        leaked = [s for s in secrets if s.encode("utf-8") in received]
        assert not leaked, f"the WebSocket carried {leaked} before a login"
        assert not [r for r in recorded.requests if "/_stcore/message" in r], \
            "a message came over HTTP, not the WebSocket"
        before = len(frames)  # and the recording does see figures once they are sent
        support.log_in(recorded, "yong_view")
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
            support.submit_login(recorded, "lock_me", WRONG)
            assert support.alert(page) == "用户名或密码错误", f"attempt {attempt}"
        support.submit_login(recorded, "lock_me", WRONG)
        assert support.alert(page) == "用户名或密码错误；连续 5 次错误，账号已锁定 15 分钟"
        support.submit_login(recorded, "lock_me", PASSWORD)
        assert support.alert(page) == "账号已锁定，请 15 分钟后再试"
        assert page.get_by_text("当前账号：").count() == 0
        assert page.locator("[data-testid='stMetric']").count() == 0
        expect(page.get_by_role("button", name="登录", exact=True)).to_be_visible()
        assert recorded.errors == []


def test_a_county_viewer_sees_its_county_and_no_more(accounts_server, browser):
    with recorded_page(browser) as recorded:
        page = recorded.page
        page.goto(accounts_server["url"], wait_until="domcontentloaded")
        support.log_in(recorded, "yong_view")
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        sidebar = page.locator("[data-testid='stSidebar']")
        assert f"当前账号：yong_view（查看） · 范围：{COUNTY}" in sidebar.inner_text()
        county = sidebar.get_by_role("combobox", name="县（市、区）")
        expect(county).to_be_disabled()
        expect(county).to_have_value(COUNTY_NAME)
        assert COUNTY_NAME in page.locator("h1").first.inner_text()
        nav = support.nav(page)
        for title in VIEWER_PAGES:
            assert title in nav, title
        for title in ("数据管理", "分组规划", "账号与日志"):
            assert title not in nav, f"{title} in a viewer's navigation"
        runs = recorded.runs
        sidebar.get_by_role("button", name="退出登录").click()
        recorded.wait_for_run(runs)
        support.login_form(recorded)
        assert page.get_by_text("当前账号：").count() == 0
        assert page.locator("[data-testid='stMetric']").count() == 0

        page.goto(accounts_server["url"] + "/data", wait_until="domcontentloaded")  # a bookmark
        support.log_in(recorded, "yong_view")
        assert all("数据管理" not in h for h in page.locator("h1").all_inner_texts())
        assert page.locator("[data-testid='stFileUploader']").count() == 0
        assert "数据管理" not in support.nav(page)
        assert recorded.errors == []


def test_a_login_outlives_a_reload_and_a_new_tab_until_logout(accounts_server, browser):
    """A reload or a second tab of the same browser is still logged in (a session
    cookie whose token the server keeps, hashed); after 退出登录 neither is."""
    with recorded_page(browser) as recorded:
        page = recorded.page
        page.goto(accounts_server["url"], wait_until="domcontentloaded")
        support.log_in(recorded, "yong_view")
        # the page writes the cookie when the sidebar after the login is drawn
        page.wait_for_function("document.cookie.indexOf('ljwg_session=') >= 0",
                               timeout=60_000)
        cookie = next(c for c in page.context.cookies() if c["name"] == "ljwg_session")
        assert len(cookie["value"]) >= 40 and cookie["sameSite"] == "Strict"
        page.reload(wait_until="domcontentloaded")
        support.logged_in(recorded, "yong_view")
        assert page.get_by_role("button", name="登录", exact=True).count() == 0
        second = page.context.new_page()
        second.goto(accounts_server["url"] + "/joint", wait_until="domcontentloaded")
        second.get_by_text("当前账号：yong_view（").wait_for(timeout=120_000)
        second.close()
        runs = recorded.runs
        page.locator("[data-testid='stSidebar']").get_by_role("button", name="退出登录").click()
        recorded.wait_for_run(runs)
        support.login_form(recorded)
        page.reload(wait_until="domcontentloaded")
        support.login_form(recorded)
        assert page.get_by_text("当前账号：").count() == 0
        assert recorded.errors == []


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
            support.submit_login(recorded, "yong_view", PASSWORD)
            support.logged_in(recorded, "yong_view")
            assert page.locator("[data-testid='stException']").count() == 0, (
                "APP BUG: after the login the page shows Streamlit's error "
                "(StreamlitPageNotFoundError: pages/data.py): ui/frame.py "
                "return_to_wanted_page (called in dashboard.py) switches to the page "
                "remembered by require_frame even when the account's navigation lacks it; "
                "drop a wanted page that is not among the account's pages.")
            assert all("数据管理" not in h for h in page.locator("h1").all_inner_texts())
            assert page.locator("[data-testid='stFileUploader']").count() == 0
            assert "数据管理" not in support.nav(page)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
