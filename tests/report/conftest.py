"""The hand-built datasets of tests/analysis and tests/geo, for the report tests."""
from tests.analysis.conftest import toy  # noqa: F401 (fixture)
from tests.geo.conftest import gpkg, layers  # noqa: F401 (fixtures)
