"""A real Streamlit server and a real headless Chromium (Debian's package).

Every request the page makes is recorded; tests assert that none leaves the
machine.  Screenshots go to ``test-artifacts/``; a test that fails leaves
``test-artifacts/failed-<test>.png`` and ``failed-<test>.console.txt`` (the
browser console, page errors and the last requests) to be read without
rerunning.

Waiting is on conditions, never on fixed times: :meth:`RecordedPage.wait_for_run`
waits for Streamlit's own "script finished" messages on the WebSocket,
:func:`wait_painted` for pixels on a canvas.
"""
import contextlib
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from urllib.parse import urlparse

import pytest
from PIL import Image
from playwright.sync_api import sync_playwright
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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


def start_logged(args, log_path, ready_text: str, **popen):
    """Start ``args`` with its output copied into ``log_path``; return the process once a
    line holds ``ready_text`` (within 60 s), else stop it and return ``None``."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            encoding="utf-8", errors="replace", **popen)
    ready = threading.Event()

    def copy_log():
        """The output into ``log_path``; ``ready`` once the text is seen (or it ended)."""
        with open(log_path, "w", encoding="utf-8") as log:
            for line in proc.stdout:
                log.write(line)
                log.flush()
                if ready_text in line:
                    ready.set()
        ready.set()

    threading.Thread(target=copy_log, daemon=True).start()
    if ready.wait(timeout=60) and proc.poll() is None:
        return proc
    proc.terminate()
    return None


def start_server(data_path, log_path, config=None, address="127.0.0.1", port=None, extra=()):
    """Start ``streamlit run dashboard.py`` on a free port; return (process, url).

    ``data_path`` None: no ``DASHBOARD_DATA`` (the data store or the demo is
    shown); ``config``: a settings file for ``DASHBOARD_CONFIG``; ``address``
    the one to listen on ("0.0.0.0": every address of the machine; the URL
    returned is still the loopback one); ``port`` one chosen by the caller (else a free
    one); ``extra`` more ``streamlit run`` options.
    """
    port = port or _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DASHBOARD_DATA", "DASHBOARD_CONFIG")}
    if data_path is not None:
        env["DASHBOARD_DATA"] = str(data_path)
    if config is not None:
        env["DASHBOARD_CONFIG"] = str(config)
    url = f"http://127.0.0.1:{port}"
    # listening once it prints "URL: http://127.0.0.1:PORT"
    proc = start_logged(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", address, "--server.headless", "true",
         # printed as "URL: http://127.0.0.1:PORT", and no look-up of an external address
         *(["--browser.serverAddress", "127.0.0.1"] if address != "127.0.0.1" else []),
         *extra], log_path, url, cwd=ROOT, env=env)
    if proc is not None:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=30) as resp:
            if resp.status == 200:
                return proc, url
        proc.terminate()
    raise RuntimeError(f"streamlit did not start; see {log_path}")


@pytest.fixture(scope="session")
def server():
    ARTIFACTS.mkdir(exist_ok=True)
    proc, url = start_server(DEMO, ARTIFACTS / "streamlit-server.log")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@contextlib.contextmanager
def empty_store_server(tmp_path_factory, name: str):
    """A server on the demo without DASHBOARD_DATA, with an empty data folder of its
    own (imports and saved scenarios go there, never into the repository's var/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    folder = tmp_path_factory.mktemp(name)
    config = folder / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{folder / "var"}"\n',
                      encoding="utf-8")
    proc, url = start_server(None, ARTIFACTS / f"streamlit-{name}-server.log", config=config)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class RecordedPage:
    """A page with every requested URL recorded in ``requests``, console lines in
    ``console``, page errors in ``errors``, and Streamlit's script runs counted
    from the WebSocket (``runs``: runs finished successfully; ``running``)."""

    def __init__(self, page):
        self.page = page
        self.requests = []
        self.errors = []
        self.console = []
        self.runs = 0
        self.running = False
        self.websocket = None
        page.on("request", lambda req: self.requests.append(req.url))
        page.on("pageerror", lambda err: self.errors.append(str(err)))
        page.on("console", lambda msg: self.console.append(f"[{msg.type}] {msg.text}"))
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, ws) -> None:
        self.websocket = ws
        ws.on("framereceived", self._on_frame)

    def _next_frame(self, deadline: float, what: str) -> None:
        """Block (delivering Playwright's events) until the next WebSocket frame."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(what)
        if self.websocket is None or self.websocket.is_closed():
            self.page.wait_for_event("websocket", timeout=left * 1000)
        else:
            self.websocket.wait_for_event("framereceived", timeout=left * 1000)

    def _on_frame(self, payload) -> None:
        if isinstance(payload, str):
            return
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # not one ForwardMsg: nothing to count
            return
        kind = msg.WhichOneof("type")
        if kind == "session_status_changed":
            self.running = msg.session_status_changed.script_is_running
        elif kind == "script_finished":
            if msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                       ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                self.runs += 1
                self.running = False

    def wait_for_run(self, since: int, timeout_s: float = 120.0) -> None:
        """Wait until a script run has finished after ``since`` (a value of ``runs``
        read before the action) and no run is going on, then until the browser has
        drawn it (no element left marked stale)."""
        deadline = time.monotonic() + timeout_s
        while self.runs <= since or self.running:
            self._next_frame(deadline, f"no script run finished within {timeout_s} s "
                                       f"(runs {self.runs}, since {since}, running {self.running})")
        self.page.wait_for_function("() => !document.querySelector('[data-stale=true]')",
                                    timeout=timeout_s * 1000)

    def settle(self, timeout_s: float = 120.0) -> None:
        """Wait until no script run is going on and the browser shows the last one
        (for after a text of the current run has been awaited)."""
        stale = "() => !document.querySelector('[data-stale=true]')"
        self.page.wait_for_function(stale, timeout=timeout_s * 1000)  # also delivers events
        deadline = time.monotonic() + timeout_s
        while self.running:
            self._next_frame(deadline, f"a script run is still going on after {timeout_s} s")
        self.page.wait_for_function(stale, timeout=timeout_s * 1000)

    def foreign_requests(self):
        out = []
        for url in self.requests:
            parsed = urlparse(url)
            if parsed.scheme in ("data", "blob", "about"):
                continue
            if parsed.hostname not in LOCAL_HOSTS:
                out.append(url)
        return out

    def save_failure(self, name: str) -> None:
        """A screenshot and the console of a failed test in ``test-artifacts/``."""
        ARTIFACTS.mkdir(exist_ok=True)
        stem = "failed-" + re.sub(r"[^\w.-]+", "_", name)[:120]
        try:
            self.page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=True,
                                 timeout=20_000)
        except Exception as exc:  # the page may be gone; the console is still worth keeping
            self.console.append(f"[screenshot failed] {exc}")
        lines = [f"url: {self.page.url}", f"script runs finished: {self.runs}",
                 "", "console:", *self.console, "", "page errors:", *self.errors,
                 "", "last requests:", *self.requests[-40:]]
        (ARTIFACTS / f"{stem}.console.txt").write_text("\n".join(lines), encoding="utf-8")


_OPEN_PAGES: list = []  # pages of fixtures still open when a test's report is made


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "test").split(" ")[0].split("::")[-1]


@contextlib.contextmanager
def recorded_page(browser, width=1600, height=900, throttle: float = 1.0):
    """A new browser context of the given viewport with a :class:`RecordedPage`.

    ``throttle`` > 1 slows the page's CPU that many times (Chrome DevTools'
    CPU throttling), as on a slow or busy machine.  When the body raises, the
    page's screenshot and console are kept (:meth:`RecordedPage.save_failure`).
    """
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    try:
        recorded = RecordedPage(context.new_page())
        if throttle > 1:
            cdp = context.new_cdp_session(recorded.page)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
        _OPEN_PAGES.append(recorded)
        try:
            yield recorded
        except BaseException:
            recorded.save_failure(_current_test())
            raise
        finally:
            _OPEN_PAGES.remove(recorded)
    finally:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's pages that fixtures still hold: screenshot and console kept
    (pages opened in the test's body keep theirs in :func:`recorded_page`)."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for number, recorded in enumerate(_OPEN_PAGES):
            recorded.save_failure(item.name + (f"-{number}" if number else ""))


@pytest.fixture
def page(browser):
    """A 1600×900 :class:`RecordedPage`."""
    with recorded_page(browser) as recorded:
        yield recorded


def count_pixels(png: bytes, predicate) -> int:
    """Pixels of a PNG for which ``predicate(r, g, b)`` holds."""
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(1 for r, g, b in img.get_flattened_data() if predicate(r, g, b))


def wait_painted(element, predicate, minimum: int, timeout_s: float = 60.0) -> bytes:
    """Screenshots of ``element`` until at least ``minimum`` pixels satisfy
    ``predicate``; returns the last one (the caller asserts on it)."""
    deadline = time.monotonic() + timeout_s
    while True:
        shot = element.screenshot()
        if count_pixels(shot, predicate) >= minimum or time.monotonic() > deadline:
            return shot


# Probed around a map's centre until the pointer is over something clickable.
OFFSETS = [(0, 0), (40, 0), (-40, 0), (0, 40), (0, -40), (80, 60), (-80, -60), (-80, 60),
           (80, -60), (140, 0), (-140, 0), (0, 120), (0, -120)]


def tooltip_at(page, box, x, y) -> str | None:
    """The name deck.gl's tooltip shows with the pointer at (x, y), None if none."""
    page.mouse.move(box["x"] - 5, box["y"] - 5)  # off the map: no tooltip left over
    page.wait_for_selector(".deck-tooltip", state="hidden", timeout=30_000)
    page.mouse.move(x, y)
    try:
        page.wait_for_selector(".deck-tooltip", state="visible", timeout=8_000)
    except Exception:
        return None
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return page.inner_text(".deck-tooltip") if page.is_visible(".deck-tooltip") else None


def click_deck_map(recorded, canvas, steady_px: int = 4) -> str:
    """Click a drawn deck.gl map (``canvas``) near its centre, where the tooltip
    names the same object ``steady_px`` around (not on a border; 0: anywhere
    with a tooltip), and wait for the script run the click starts; return the
    tooltip's text."""
    page = recorded.page
    box = canvas.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in OFFSETS:
        x, y = cx + dx, cy + dy
        name = tooltip_at(page, box, x, y)
        around = ((steady_px, steady_px), (-steady_px, -steady_px),
                  (steady_px, -steady_px), (-steady_px, steady_px)) if steady_px else ()
        if name is None or any(tooltip_at(page, box, x + ex, y + ey) != name
                               for ex, ey in around):
            continue
        tooltip_at(page, box, x, y)
        runs = recorded.runs
        page.mouse.click(x, y)
        recorded.wait_for_run(runs)
        return name
    raise AssertionError("no clickable area near the map's centre")


def next_frames(target, count: int = 2) -> None:
    """Wait until the page (or frame) has rendered ``count`` more animation frames."""
    target.evaluate("n => new Promise(done => { const step = k => k ? "
                    "requestAnimationFrame(() => step(k - 1)) : done(); step(n); })", count)


def metric_value(page, label: str) -> str:
    """The value shown by the ``st.metric`` labelled ``label`` (the first one)."""
    metric = page.locator("[data-testid='stMetric']", has_text=label).first
    return metric.locator("[data-testid='stMetricValue']").inner_text()


def go_to(page, link: str, wait_text: str) -> None:
    """Follow the navigation link ``link`` and wait for ``wait_text`` on the page."""
    page.get_by_role("link", name=link).click()
    page.get_by_text(wait_text).first.wait_for(timeout=120_000)
