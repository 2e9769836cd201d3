"""Shared AppTest set-up: the dashboard on the demo, opened at a page."""
import pytest
from streamlit.testing.v1 import AppTest

from geo.dataset import load_dataset
from tests.conftest import DEMO, ROOT
from ui import later as ui_later


@pytest.fixture(scope="session")
def demo():
    return load_dataset(DEMO)


@pytest.fixture(autouse=True)
def no_wait_for_the_map(monkeypatch):
    """No browser draws the map here: a page's parts do not wait for it (ui.later;
    the wait is tested in tests/ui/test_later.py and in the browser)."""
    monkeypatch.setattr(ui_later, "WAIT_S", 0)


@pytest.fixture
def open_page(monkeypatch):
    """``open_page("pages/joint.py")``: the app run once on the demo, then at that page."""
    monkeypatch.setenv("DASHBOARD_DATA", str(DEMO))

    def run(page=None, timeout=300):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
        at.run()
        return at.switch_page(page).run() if page else at

    return run


def data_page_app(monkeypatch, tmp_path, demo_path):
    """The app without ``DASHBOARD_DATA`` on ``demo_path`` (its demo), an empty data folder:
    ``(run, folder)``, ``run()`` opening 数据管理 in a new session."""
    config = tmp_path / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{demo_path}"\nfolder = "{tmp_path / "var"}"\n',
                      encoding="utf-8")
    monkeypatch.delenv("DASHBOARD_DATA", raising=False)
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))

    def run():
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300)
        at.run()
        return at.switch_page("pages/data.py").run()
    return run, tmp_path / "var"
