"""Exactness: every figure equals the snapshot written before the speed work, within 1e-9.

The snapshot (``data/kpi_snapshot.json``, see :mod:`tests.analysis.kpi_snapshot`)
holds the city-wide, per-county and per-township figures of the demo and of a
600-village synthetic dataset, with the default parameters and with other
years, thresholds and a 450 m service radius.
"""
import json

import pytest

from tests.analysis.kpi_snapshot import SNAPSHOT, differences, figures_of, synthetic_dataset
from tests.conftest import DEMO


@pytest.fixture(scope="module")
def expected():
    return json.loads(SNAPSHOT.read_text(encoding="utf-8"))


def test_demo_figures_equal_the_snapshot(expected):
    from geo.dataset import load_dataset

    assert differences(figures_of(load_dataset(DEMO)), expected["demo"]) == []


def test_synthetic_figures_equal_the_snapshot(expected, tmp_path):
    assert differences(figures_of(synthetic_dataset(tmp_path)), expected["synthetic"]) == []


def test_differences_sees_a_change_beyond_the_tolerance():
    assert differences({"a": 0.5, "b": [1]}, {"a": 0.5 + 5e-10, "b": [1]}) == []
    assert differences({"a": 0.5}, {"a": 0.5 + 2e-9}) == ["/a: 0.5 != 0.500000002"]
    assert differences({"a": None}, {"a": 0.5}) == ["/a: None != 0.5"]
    assert differences({"a": 1}, {"a": 1.0}) == []
    assert differences([{"n": 3}], [{"n": 4}]) == ["[0]/n: 3 != 4"]


def test_differences_tolerates_only_the_newer_figures():
    """A figure added to SPEC §3 after the snapshot may be in the results; any
    other key, and a figure of the snapshot missing from them, is a difference."""
    assert differences({"a": 1, "walk_service_population_coverage": 0.4}, {"a": 1}) == []
    assert differences({"a": 1, "b": 2}, {"a": 1}) == [": keys ['a', 'b'] != ['a']"]
    assert differences({"b": 2}, {"a": 1, "b": 2}) == [": keys ['b'] != ['a', 'b']"]
