"""What the demo dataset must add up to: one row per county, and the targets.

The per-county quotas are chosen so that the whole city reproduces the
figures published in the seed documents (SPEC §3): 1,730 villages, 223 joint
organisations covering 869 villages, 53 weak organisations of which 47 were
rectified, and Yong'an's 175 villages, 26 communities, 195 片区 and 1,775
unit grids.  Building a subset of counties keeps each county's own quotas.

>>> sum(p.villages for p in COUNTY_PLANS.values()), sum(p.orgs for p in COUNTY_PLANS.values())
(1730, 223)
>>> sum(p.members for p in COUNTY_PLANS.values()), sum(p.weak for p in COUNTY_PLANS.values())
(869, 53)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
COUNTIES_GEOJSON = HERE / "demo" / "sanming_counties.geojson"
DEFAULT_OUT = HERE / "demo" / "sanming.gpkg"
DEFAULT_SEED = 3504

#: Areas and distances are computed here: CGCS2000 / 3-degree Gauss-Kruger CM 117E.
METRIC_CRS = "EPSG:4549"
#: Every geometry layer is stored in CGCS2000 longitude/latitude.
STORED_CRS = "EPSG:4490"

YEARS = (2019, 2020, 2021, 2022, 2023)
YONGAN = "350481"


@dataclass(frozen=True)
class CountyPlan:
    """Quotas of one county.

    ``seat``: the county seat, WGS84 (lon, lat), where 街道 and communities
    cluster.  ``income_median``: median collective income in 2019 (万元).
    ``l4_total``, ``ungridded``, ``double_l3``: Yong'an's grid calibration
    (unit grids in all; small villages without grids; communities with two
    片区), ``None``/0 elsewhere.
    """

    name: str
    seat: tuple[float, float]
    townships: int
    streets: int
    villages: int
    communities: int
    orgs: int
    members: int
    weak: int
    rectified: int
    income_median: float
    l4_total: int | None = None
    ungridded: int = 0
    double_l3: int = 0


COUNTY_PLANS: dict[str, CountyPlan] = {
    "350404": CountyPlan("三元区", (117.61, 26.25), 13, 7, 95, 50, 12, 47, 4, 4, 19.0),
    "350405": CountyPlan("沙县区", (117.79, 26.40), 12, 2, 150, 28, 19, 74, 5, 5, 17.0),
    "350421": CountyPlan("明溪县", (117.20, 26.36), 10, 0, 102, 10, 13, 51, 4, 4, 13.0),
    "350423": CountyPlan("清流县", (116.82, 26.18), 10, 0, 120, 10, 15, 58, 4, 3, 13.0),
    "350424": CountyPlan("宁化县", (116.65, 26.26), 16, 0, 215, 16, 27, 105, 7, 6, 13.0),
    "350425": CountyPlan("大田县", (117.85, 25.69), 18, 0, 265, 18, 34, 132, 8, 6, 15.0),
    "350426": CountyPlan("尤溪县", (118.19, 26.17), 15, 0, 250, 16, 32, 125, 7, 6, 15.0),
    "350428": CountyPlan("将乐县", (117.47, 26.73), 13, 0, 140, 12, 18, 70, 4, 4, 15.0),
    "350429": CountyPlan("泰宁县", (117.17, 26.90), 9, 0, 110, 9, 14, 55, 3, 3, 16.0),
    "350430": CountyPlan("建宁县", (116.85, 26.83), 10, 0, 108, 9, 14, 54, 3, 2, 13.0),
    YONGAN: CountyPlan("永安市", (117.36, 25.96), 15, 3, 175, 26, 25, 98, 4, 4, 16.0,
                       l4_total=1775, ungridded=12, double_l3=6),
}

# ---- city-wide targets (fractions as SPEC §3 reports them) -----------------
STAR4PLUS_SHARE = 0.403
STAR5_SHARE = 0.057
STAR_NULL_SHARE = 0.0062          # 12 of 1,934 units without a rating
YONGAN_GROWTH_2019_2021 = 0.3081  # Σ income(2021) / Σ income(2019) − 1
JOINT_GAIN_2019_2023 = 6.50       # 万元, mean over joint villages
LOW_INCOME = 10.0                 # 万元
STRONG_INCOME = 50.0              # 万元
INCOME_MISSING_2023 = 3           # villages without a 2023 row (intended warnings)
PROJECTS_TOTAL = 1795             # 联村项目, city-wide
NEIGHBOR_STATIONS = 584           # 近邻之家, city-wide
STATIONS = 15                     # 驿站, city-wide
CENTER_SHARE = 0.97               # units with a 党群服务中心
UNITS_TOTAL = sum(p.villages + p.communities for p in COUNTY_PLANS.values())

#: The county holding the two intended unit-grid defects (a gap and an overlap).
DEFECT_COUNTY = "350404"
