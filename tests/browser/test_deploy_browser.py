"""多进程部署 for real: two Streamlit processes sharing one PostgreSQL/PostGIS store
(``[store] url``), behind nginx with sticky sessions and gzip (deploy/nginx/lianjian.conf).
A scenario saved through one process is listed by the other; a dataset imported through
one is shown by the other; the first page's transfer shrinks through the proxy."""
import gzip
import re
import subprocess
import time
import urllib.request

import pytest
from playwright.sync_api import Error as PlaywrightError

from geo.accounts import AccountStore
from geo.pg_store import PgDataStore
from geo.scenario_store import ScenarioStore
from tests.browser import auth_support as support
from tests.browser.conftest import ARTIFACTS, recorded_page, start_server
from tests.conftest import DEMO
from tests.nginx_proxy import ROUTE_COOKIE, start_nginx

demo, income_csv = support.demo, support.income_csv
SECRET = "a-cookie-secret-that-both-processes-share"
PLAN = "两进程共享方案"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, pg_cluster, demo):
    """Two app processes on one PostgreSQL database behind one nginx; login on, the
    accounts of tests.browser.auth_support in the database.  ``{"proxy", "ports",
    "url" (the store), "direct" (process 1's own address)}``."""
    ARTIFACTS.mkdir(exist_ok=True)
    root = tmp_path_factory.mktemp("deploy")
    url = pg_cluster.new_database("deploy_two_processes")
    accounts = AccountStore(url, min_password=10)
    for name, (role, area) in support.ACCOUNTS.items():
        accounts.add(name, support.PASSWORD, role=role, area=area)
    config = root / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{root / "var"}"\n\n'
                      f'[store]\nurl = "{url}"\n\n[auth]\nmode = "accounts"\n',
                      encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:  # one cookie secret for both (deploy/README.md)
        env.setenv("STREAMLIT_SERVER_COOKIE_SECRET", SECRET)
        servers = [start_server(None, ARTIFACTS / f"streamlit-deploy-{n}.log", config=config)
                   for n in (1, 2)]
    ports = [int(u.rsplit(":", 1)[1]) for _, u in servers]
    proxy = start_nginx(root, ports)
    try:
        yield {"proxy": proxy, "ports": ports, "url": url, "direct": servers[0][1]}
    finally:
        proxy.stop()
        for proc, _ in servers:
            proc.terminate()
        for proc, _ in servers:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=20)


def _through(recorded, deployment, process: int) -> None:
    """The browser goes through nginx and is routed to process ``process`` (0 or 1)."""
    proxy = deployment["proxy"]
    value = proxy.route_cookie(deployment["ports"][process])
    recorded.page.context.add_cookies([{"name": ROUTE_COOKIE, "value": value,
                                        "url": proxy.url}])
    recorded.page.goto(proxy.url, wait_until="domcontentloaded")


def _rows_until(page, wanted, timeout_s: float = 60.0) -> list:
    """The rows of the page's first table once ``wanted(rows)`` holds (the table of the
    mode left behind may still be drawn for a moment), or the last rows read."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            rows = support.table_rows(page.locator("[data-testid='stDataFrame']").first)
        except PlaywrightError:  # the table was replaced while it was read
            rows = []
        if wanted(rows) or time.monotonic() > deadline:
            return rows


def test_a_plan_saved_through_one_process_is_listed_by_the_other(deployment, browser, demo):
    with recorded_page(browser, height=1400) as recorded:
        _through(recorded, deployment, 0)
        support.log_in(recorded, "boss")
        support.go(recorded, "分组规划", "联建村人口覆盖率")
        support.save_plan(recorded, PLAN)
        assert recorded.errors == []
    assert [i.name for i in ScenarioStore(deployment["url"]).list()] == [PLAN]

    with recorded_page(browser, height=1400) as recorded:
        page = recorded.page
        _through(recorded, deployment, 1)
        support.log_in(recorded, "boss")
        support.go(recorded, "分组规划", "联建村人口覆盖率")
        support.mode(recorded, "保存与导入导出")
        page.get_by_text("已保存的方案", exact=True).wait_for(timeout=60_000)
        listed = lambda rows: any(r[:1] == [PLAN] and "boss" in r for r in rows)  # noqa: E731
        saved = _rows_until(page, listed)
        assert listed(saved), saved
        assert recorded.errors == []
        assert recorded.foreign_requests() == []


def test_a_dataset_imported_through_one_process_is_shown_by_the_other(deployment, browser,
                                                                       income_csv):
    store = PgDataStore(deployment["url"])
    with recorded_page(browser, height=1400) as other:  # process 2 shows the demo first
        _through(other, deployment, 1)
        support.log_in(other, "boss")
        support.go(other, "数据管理", "导入为图层")
        assert other.page.get_by_text("当前显示的是内置示例数据").count() >= 1

        with recorded_page(browser, height=1400) as recorded:
            page = recorded.page
            _through(recorded, deployment, 0)
            support.log_in(recorded, "boss")
            support.go(recorded, "数据管理", "导入为图层")
            support.upload_income(recorded, income_csv)
            runs = recorded.runs
            page.get_by_role("button", name="确认导入，生成新数据版本").click()
            recorded.wait_for_run(runs)
            page.get_by_text("已导入并切换到数据版本 v0001").wait_for(timeout=60_000)
            assert recorded.errors == []
        assert store.current().id == "v0001"

        runs = other.runs  # the next run of process 2 shows the new version
        support.go(other, "总览", "联村覆盖率")
        other.wait_for_run(runs)
        support.go(other, "数据管理", "导入为图层")
        assert other.page.get_by_text("当前显示的是内置示例数据").count() == 0
        table = support.table_rows(other.page.locator("[data-testid='stDataFrame']").first)
        assert any("v0001" in row for row in table), table
        assert other.errors == []


def _first_page_bytes(base: str) -> tuple[int, int]:
    """Bytes on the wire and unpacked of the first page and every script and style it
    names, asked for as a browser does (gzip accepted)."""
    def fetch(path):
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            packed = response.headers.get("Content-Encoding") == "gzip"
        return len(body), gzip.decompress(body) if packed else body
    wire, html = fetch("/")
    total = [wire, len(html)]
    for path in re.findall(rb'(?:src|href)="\.?(/?static/[^"]+)"', html):
        path = path.decode()
        sent, body = fetch(path if path.startswith("/") else "/" + path)
        total[0] += sent
        total[1] += len(body)
    return total[0], total[1]


def test_the_first_page_is_compressed_through_the_proxy(deployment):
    direct_wire, direct_body = _first_page_bytes(deployment["direct"])
    proxied_wire, proxied_body = _first_page_bytes(deployment["proxy"].url)
    print(f"first page: {direct_wire:,} B direct, {proxied_wire:,} B through nginx "
          f"({direct_body:,} B unpacked)")
    assert proxied_body == direct_body > 100_000   # the same files
    assert proxied_wire < direct_wire / 2          # gzip: JavaScript packs ~3×
