"""The toy dataset of tests/analysis for the command-line tests."""
from tests.analysis.conftest import toy  # noqa: F401 (fixture)
