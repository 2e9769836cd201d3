"""Plans and data changes across accounts (SPEC §7) in a real headless Chromium: with
login off, a browser on another address may look at 数据管理 but not import, the
server's own browser may; with login on, a plan goes from a township planner through a
county reviewer, and an administrator imports data and reads all of it in the audit log.
"""
import csv
import io
import re
from datetime import datetime

from playwright.sync_api import expect

from geo.clock import CHINA_TZ
from geo.store import DataStore
from tests.browser import auth_support as support
from tests.browser.auth_support import OFF_WARNING, PASSWORD, REMOTE_HOST, WRONG
from tests.browser.conftest import recorded_page

demo, accounts_server = support.demo, support.accounts_server  # the shared fixtures
open_server, income_csv = support.open_server, support.income_csv


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
        support.upload_income(recorded, income_csv)
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
        support.upload_income(recorded, income_csv)
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
        support.log_in(recorded, "ban_plan")
        support.go(recorded, "分组规划", "本区域联建村数")
        assert demo["township"] in page.locator("h1").first.inner_text()
        assert page.get_by_text("联建村人口覆盖率").count() == 0  # no city-wide card
        support.click_key(recorded, "plan_new")
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

        support.save_plan(recorded, plan)
        support.click_key(recorded, "plan_submit")
        page.get_by_text(f"已提交审核：{plan}").wait_for(timeout=60_000)
        recorded.settle()
        saved = support.table_rows(page.locator("[data-testid='stDataFrame']").first)
        assert any(row[0] == plan and "ban_plan" in row and "待审核" in row for row in saved), \
            saved
        assert recorded.errors == []

    with recorded_page(browser, height=1400) as recorded:  # the county's reviewer
        page = recorded.page
        page.goto(url, wait_until="domcontentloaded")
        support.log_in(recorded, "yong_rev")
        support.go(recorded, "分组规划", "本区域联建村数")
        support.mode(recorded, "方案审核")
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
        support.click_key(recorded, "plan_approve")
        page.get_by_text(f"已审核通过：{plan}").wait_for(timeout=60_000)
        recorded.settle()
        assert recorded.errors == []

    with recorded_page(browser, height=1400) as recorded:  # the administrator
        page = recorded.page
        page.goto(url, wait_until="domcontentloaded")
        support.log_in(recorded, "boss")
        support.go(recorded, "数据管理", "导入为图层")
        support.upload_income(recorded, income_csv)
        runs = recorded.runs
        page.get_by_role("button", name="确认导入，生成新数据版本").click()
        recorded.wait_for_run(runs)
        page.get_by_text("已导入并切换到数据版本 v0001").wait_for(timeout=60_000)
        recorded.settle()

        support.go(recorded, "账号与日志", "审计日志")
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
        rows = support.table_rows(page.locator("[data-testid='stDataFrame']").nth(1))
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
