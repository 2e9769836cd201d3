"""Shared test set-up: the repository root on sys.path, the demo's path, a data
folder of the tests' own."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO = ROOT / "data" / "demo" / "sanming.gpkg"

# A throwaway PostgreSQL/PostGIS cluster for the store tests (pg_cluster, pg_url).
pytest_plugins = ["tests.pg_fixtures"]


@pytest.fixture(autouse=True, scope="session")
def _data_folder_of_the_tests(tmp_path_factory):
    """The repository's dashboard.toml with the data folder in a temporary directory:
    no test writes accounts, audit entries, scenarios or versions into ``var/``.  A test
    that names its own configuration (``DASHBOARD_CONFIG``) still does."""
    folder = tmp_path_factory.mktemp("var")
    text = (ROOT / "dashboard.toml").read_text(encoding="utf-8")
    assert '\nfolder = "var"\n' in text
    config = folder.parent / "dashboard-tests.toml"
    config.write_text(text.replace('\nfolder = "var"\n', f'\nfolder = "{folder}"\n'),
                      encoding="utf-8")
    before = os.environ.get("DASHBOARD_CONFIG")
    os.environ["DASHBOARD_CONFIG"] = str(config)
    yield config
    if before is None:
        os.environ.pop("DASHBOARD_CONFIG", None)
    else:
        os.environ["DASHBOARD_CONFIG"] = before
