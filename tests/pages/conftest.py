"""Shared AppTest set-up: the dashboard on the demo, opened at a page."""
import pytest
from streamlit.testing.v1 import AppTest

from geo.dataset import load_dataset
from tests.conftest import DEMO, ROOT


@pytest.fixture(scope="session")
def demo():
    return load_dataset(DEMO)


@pytest.fixture
def open_page(monkeypatch):
    """``open_page("pages/joint.py")``: the app run once on the demo, then at that page."""
    monkeypatch.setenv("DASHBOARD_DATA", str(DEMO))

    def run(page=None, timeout=300):
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
        at.run()
        return at.switch_page(page).run() if page else at

    return run
