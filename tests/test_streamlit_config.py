"""The Streamlit deployment settings of issue 7: errors hidden, XSRF and CORS on,
no usage statistics, an upload limit equal to the one the page states."""
import tomllib

from geo.settings import load_settings
from tests.conftest import ROOT


def test_deployment_settings_are_safe():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["enableCORS"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["maxUploadSize"] == load_settings().upload_limit_mb
