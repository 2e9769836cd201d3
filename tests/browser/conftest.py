"""A real Streamlit server and a real headless Chromium (Debian's package).

Every request the page makes is recorded; tests assert that none leaves the
machine.  Screenshots go to ``test-artifacts/``.
"""
import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import DEMO, ROOT

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(data_path, log_path, config=None):
    """Start ``streamlit run dashboard.py`` on a free port; return (process, url).

    ``data_path`` None: no ``DASHBOARD_DATA`` (the data store or the demo is
    shown); ``config``: a settings file for ``DASHBOARD_CONFIG``.
    """
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DASHBOARD_DATA", "DASHBOARD_CONFIG")}
    if data_path is not None:
        env["DASHBOARD_DATA"] = str(data_path)
    if config is not None:
        env["DASHBOARD_CONFIG"] = str(config)
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            break
    proc.terminate()
    raise RuntimeError(f"streamlit did not start; see {log_path}")


@pytest.fixture(scope="session")
def server():
    ARTIFACTS.mkdir(exist_ok=True)
    proc, url = start_server(DEMO, ARTIFACTS / "streamlit-server.log")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RecordedPage:
    """A page with every requested URL recorded in ``requests``."""

    def __init__(self, page):
        self.page = page
        self.requests = []
        self.errors = []
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("pageerror", lambda err: self.errors.append(str(err)))

    def foreign_requests(self):
        out = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about"):
                continue
            if parsed.hostname not in LOCAL_HOSTS:
                out.append(url)
        return out


@contextlib.contextmanager
def recorded_page(browser, width=1600, height=900):
    """A new browser context of the given viewport with a :class:`RecordedPage`."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    try:
        yield RecordedPage(context.new_page())
    finally:
        context.close()


@pytest.fixture
def page(browser):
    with recorded_page(browser) as recorded:
        yield recorded
