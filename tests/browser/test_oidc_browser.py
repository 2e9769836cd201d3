"""Login through a real OpenID Connect provider (``[auth] mode = "oidc"``), in Chromium.

The provider is ``oidc-provider-mock`` (PyPI), a small standards-following
provider run here on a free port with predefined users and their claims; the
dashboard is told about it as a deployment tells it about Keycloak:
``.streamlit/secrets.toml`` ``[auth]`` (here a file of the test's own, given with
``--secrets.files``) and ``dashboard.toml [auth.oidc]``'s claim tables.
"""
import json
import sys

import pytest

from geo.audit import AuditLog
from tests.browser.conftest import _free_port, recorded_page, start_logged, start_server
from tests.conftest import DEMO

USERS = [{"sub": "zhao-1", "preferred_username": "zhao", "groups": ["kb-viewer", "county-yongan"]},
         {"sub": "qian-2", "preferred_username": "qian", "groups": ["kb-other"]}]


def _start_provider(log_path):
    """``python -m oidc_provider_mock`` on a free port; returns (process, base URL)."""
    port = _free_port()
    args = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port)]
    for user in USERS:
        args += ["--user-claims", json.dumps(user, ensure_ascii=False)]
    proc = start_logged(args, log_path, "Uvicorn running on")
    if proc is not None:
        return proc, f"http://127.0.0.1:{port}"
    raise RuntimeError(f"the OpenID Connect provider did not start; see {log_path}")


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("oidc")
    provider, provider_url = _start_provider(tmp / "provider.log")
    port = _free_port()
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-of-some-length"\n'
        'client_id = "lianjian-dashboard"\n'
        'client_secret = "a-test-client-secret"\n'
        f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    config = tmp / "dashboard.toml"
    config.write_text(f'[data]\nfolder = "{tmp / "var"}"\n[auth]\nmode = "oidc"\n'
                      '[auth.oidc.roles]\n"kb-viewer" = "viewer"\n'
                      '[auth.oidc.areas]\n"county-yongan" = "350481"\n', encoding="utf-8")
    proc, url = start_server(DEMO, tmp / "server.log", config=config, port=port,
                             extra=("--secrets.files", str(secrets)))
    yield {"url": url, "folder": tmp / "var"}
    for process in (proc, provider):
        process.terminate()
        process.wait(timeout=30)


def _provider_login(page, name: str) -> None:
    """On the dashboard's login page: to the provider, pick the predefined user."""
    page.get_by_role("button", name="使用统一身份认证登录").click()
    page.get_by_role("button", name=name, exact=True).click(timeout=120_000)


def test_a_login_through_the_provider_gives_role_and_area(oidc_server, browser):
    with recorded_page(browser) as recorded:
        page = recorded.page
        page.goto(oidc_server["url"], wait_until="domcontentloaded")
        page.get_by_role("button", name="使用统一身份认证登录").wait_for(timeout=120_000)
        assert page.get_by_label("密码").count() == 0  # no built-in accounts in this mode
        assert page.locator("[data-testid='stMetric']").count() == 0
        _provider_login(page, "zhao-1")
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.get_by_text("当前账号：zhao（查看） · 范围：350481").wait_for(timeout=120_000)
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        nav = sidebar.locator("[data-testid='stSidebarNav']").inner_text()
        assert "数据管理" not in nav and "分组规划" not in nav
        sidebar.get_by_role("button", name="退出登录").click()
        # the provider ends its session too (its confirmation page), then back to the app
        page.get_by_role("button", name="End session").click(timeout=120_000)
        page.get_by_role("button", name="使用统一身份认证登录").wait_for(timeout=120_000)
        actions = [(e.account, e.action, e.object) for e in AuditLog(oidc_server["folder"])
                   .entries()]
        assert ("zhao", "login", "统一身份认证") in actions
        assert ("zhao", "logout", "") in actions
        assert recorded.errors == []


def test_a_user_without_a_mapped_role_is_refused(oidc_server, browser):
    with recorded_page(browser) as recorded:
        page = recorded.page
        page.goto(oidc_server["url"], wait_until="domcontentloaded")
        _provider_login(page, "qian-2")
        page.get_by_text("统一身份认证账号 qian 没有本看板的角色").wait_for(timeout=120_000)
        assert page.locator("[data-testid='stMetric']").count() == 0
        page.get_by_role("button", name="退出统一身份认证，换一个账号").click()
        page.get_by_role("button", name="End session").click(timeout=120_000)
        page.get_by_role("button", name="使用统一身份认证登录").wait_for(timeout=120_000)
        assert page.locator("[data-testid='stMetric']").count() == 0
        entry = AuditLog(oidc_server["folder"]).entries(account="qian")[0]
        assert entry.action == "login" and "没有本看板的角色" in entry.result
