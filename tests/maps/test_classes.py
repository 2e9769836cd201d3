"""maps.classes gives mapclassify 2.10's bins and classes for the three schemes the
maps use (mapclassify itself is imported here only, to compare)."""
import warnings

import mapclassify
import numpy as np
import pytest

from maps.classes import SCHEMES, classify


def _samples():
    rng = np.random.default_rng(20261206)
    yield np.array([1.0, 2.0, 3.0, 10.0, 11.0])
    yield np.arange(1000, dtype=float)
    yield np.array([5, 5, 5, 6, 9, 9, 12], dtype=float)
    yield np.round(rng.lognormal(2.7, 0.6, 1730), 2)           # incomes, 万元
    yield rng.integers(0, 4, 300).astype(float)                  # many ties
    yield rng.normal(0, 1, 57)
    yield np.concatenate([rng.uniform(-5, 5, 200), [40.0, 41.0]])


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
@pytest.mark.parametrize("sample", range(7))
@pytest.mark.parametrize("k", [1, 2, 3, 5, 7])
def test_same_bins_and_classes_as_mapclassify(scheme, sample, k):
    y = list(_samples())[sample]
    k = max(1, min(k, len(np.unique(y))))          # as maps.styles.classify_colors asks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = getattr(mapclassify, scheme)(y, k=k)
        bins, yb = classify(y, scheme, k)
    assert bins.tolist() == expected.bins.tolist()
    assert yb.tolist() == expected.yb.tolist()


def test_equal_values_refused_like_mapclassify():
    with pytest.raises(ValueError, match="All values in `y` are equal"):
        classify(np.array([3.0, 3.0]), "EqualInterval", 1)
    with pytest.raises(ValueError, match="All values in `y` are equal"):
        mapclassify.EqualInterval(np.array([3.0, 3.0]), k=1)


def test_unknown_scheme_lists_the_valid_ones():
    with pytest.raises(ValueError, match="JenksCaspall, Quantiles, EqualInterval"):
        classify(np.array([1.0]), "FisherJenks")
