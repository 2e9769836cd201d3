"""Service sites on the toy dataset, with a 300 m radius unless said.

Hand calculation (km, r = 0.3): a full disc is πr² = 0.2827433; the part of a
disc beyond a line at distance d from its centre is the segment
r²·acos(d/r) − d·√(r² − d²); two discs with centres d apart overlap in the
lens 2r²·acos(d/2r) − (d/2)·√(4r² − d²).

* v1 (1 km²): S1's disc inside (centre 0.3 from the border) + the segment of
  S2's disc beyond x = 1 (d = 0.2): 0.2827433 + 0.0309748 = 0.3137181;
* v2 (1 km²): S2's disc less that segment: 0.2517685;
* v3 (1 km²): S5 and S6, 0.1 apart: 2 × 0.2827433 − lens 0.2230223 = 0.3424644;
* v4 (2 km²): S3's disc, inside: 0.2827433 / 2 = 0.1413717 of its area;
* c1, v5: no site within 300 m: 0.  S4 is far from everything.

Discs are 64-gons of the disc's area, so a disc inside a polygon is exact and
clipped or overlapping discs are within about 1e-3 of the circles.
"""
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from analysis import service
from geo import schema as s
from tests.analysis.conftest import C1_CODE, C2_CODE, km_box, km_point, stored

R = 300.0
SERVED = [0.3137181, 0.2517685, 0.3424644, 0.0, 0.1413717, 0.0]   # v1 v2 v3 c1 v4 v5
POPULATION = [600, 400, 1000, 2000, 500, 500]


def test_served_share_per_village(toy):
    reach = service.site_reach(toy.villages, toy.service_sites, R)
    assert reach.index.equals(toy.villages.index)
    assert reach["has_site"].tolist() == [True, True, True, False, True, False]
    assert reach["served_share"].to_numpy() == pytest.approx(np.array(SERVED), rel=1e-3, abs=1e-9)


def test_city_wide(toy):
    """Villages and communities with a site: v1, v2, v3, v4 → 4/6.
    Population served 600·0.3137181 + 400·0.2517685 + 1000·0.3424644
    + 500·0.1413717 = 702.0885 of 5000 → 0.1404177."""
    v, sites = toy.villages, toy.service_sites
    assert service.villages_with_site_share(v, sites) == pytest.approx(4 / 6)
    expected = float(np.dot(POPULATION, SERVED)) / sum(POPULATION)
    assert expected == pytest.approx(0.1404177, rel=1e-6)
    assert service.service_population_coverage(v, sites, R) == pytest.approx(expected, rel=1e-3)


def test_per_county(toy):
    """C1 (v1, v2, v3, c1): sites in 3 of 4; (188.2309 + 100.7074 + 342.4644) / 4000.
    C2 (v4, v5): 1 of 2; 70.6858 / 1000."""
    f = service.service_figures(toy.villages, toy.service_sites, R, toy.villages[s.COUNTY_CODE])
    assert f.loc[C1_CODE, "villages_with_site_share"] == 0.75
    assert f.loc[C2_CODE, "villages_with_site_share"] == 0.5
    assert f.loc[C1_CODE, "service_population_coverage"] == pytest.approx(631.4027 / 4000, rel=1e-3)
    assert f.loc[C2_CODE, "service_population_coverage"] == pytest.approx(70.6858 / 1000, rel=1e-3)


def test_default_radius_is_1000_m():
    """A 4 × 4 km village with a site in the middle: π·1² / 16 of it is served."""
    village = stored([km_box(0, 0, 4, 4)], population=[1600])
    site = stored([km_point(2, 2)], site_id=["S"])
    served = service.service_population_coverage(village, site)
    assert served == pytest.approx(math.pi / 16, rel=1e-6)


def test_radius_parameter():
    """Same village: 2 km reaches the edges' midpoints, the disc just fits:
    π·4/16 = π/4 (the 64-gon's corners, 0.08 % beyond 2 km, are clipped where
    they touch the edges: rel 1e-4); 3 km reaches every point (the corners
    are 2.83 km away): served whole, exactly 1."""
    village = stored([km_box(0, 0, 4, 4)], population=[1600])
    site = stored([km_point(2, 2)], site_id=["S"])
    served = service.service_population_coverage(village, site, 2000)
    assert served == pytest.approx(math.pi / 4, rel=1e-4)
    assert service.service_population_coverage(village, site, 3000) == 1.0


def test_site_outside_the_village_serves_it():
    """A site at (1.5, 0.5), 0.5 km east of the square 0..1 × 0..1 km, radius
    1 km.  At abscissa x the disc spans a chord 2·√(1 − (1.5 − x)²) high,
    clipped to the square's height 1, for x from 0.5 to 1:
    the chord is the full height where 1.5 − x ≤ √0.75, i.e. x ≥ 0.6339746
    (0.3660254 km²), and ∫_{√0.75}^{1} 2·√(1 − u²) du = π/2 − (√0.75/2 + π/3)
    = 0.0905860 km² before: 0.4566114 km² (also integrated numerically
    below).  The site is not in the village: has_site is false."""
    village = stored([km_box(0, 0, 1, 1)], population=[100])
    site = stored([km_point(1.5, 0.5)], site_id=["S"])
    xs = np.linspace(0.5, 1.0, 200001)
    heights = np.minimum(2 * np.sqrt(np.clip(1 - (1.5 - xs) ** 2, 0, None)), 1.0)
    expected = float(np.trapezoid(heights, xs))
    assert expected == pytest.approx(0.4566114, rel=1e-5)
    reach = service.site_reach(village, site, 1000.0)
    assert not reach["has_site"].iloc[0]
    assert reach["served_share"].iloc[0] == pytest.approx(expected, rel=1e-3)
    assert service.villages_with_site_share(village, site) == 0.0


def test_no_sites_give_none(bare):
    v = bare.villages
    assert service.villages_with_site_share(v, bare.service_sites) is None
    assert service.service_population_coverage(v, bare.service_sites) is None
    assert service.service_figures(v, bare.service_sites, group=v[s.COUNTY_CODE]).isna().all().all()


def test_no_population_gives_no_coverage(toy):
    v = toy.villages.assign(**{s.POPULATION: pd.array([0] * 6, dtype="Int64")})
    assert service.service_population_coverage(v, toy.service_sites, R) is None
    assert service.villages_with_site_share(v, toy.service_sites) == pytest.approx(4 / 6)


def test_negative_radius_is_refused(toy):
    with pytest.raises(ValueError, match="服务半径"):
        service.site_reach(toy.villages, toy.service_sites, -1.0)


def test_inputs_are_not_changed(toy):
    v, sites = toy.villages.copy(), toy.service_sites.copy()
    service.service_figures(toy.villages, toy.service_sites, R, toy.villages[s.COUNTY_CODE])
    pd.testing.assert_frame_equal(toy.villages, v)
    pd.testing.assert_frame_equal(toy.service_sites, sites)
    assert isinstance(toy.service_sites, gpd.GeoDataFrame)
