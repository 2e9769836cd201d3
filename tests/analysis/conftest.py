"""A toy dataset whose every figure can be worked out by hand.

Built in EPSG:4549 (CGCS2000 Gauss-Krüger, CM 120°E, scale 1 on the central
meridian) from ``shapely.box`` squares measured in km from (X0, Y0), and
stored in EPSG:4490 like real data.  Coordinates below are (x, y) in km::

    y=2 +---------------+-------+
        |      v4       |  v5   |        county C2 (350002), township T21
        |   (0..2, 1..2)|       |
    y=1 +-------+-------+-------+-------+
        |  v1   |  v2   |  v3   |  c1   |  county C1 (350001):
        |       |       |       | 社区  |  v1, v2 in T11; v3, c1 in T12
    y=0 +-------+-------+-------+-------+
        x=0     1       2       3       4

Populations v1 600, v2 400, v3 1000, c1 2000, v4 500, v5 500 (total 5000).

Organisations: O1 lead v3 (T12), members v1, v2, v3; O2 lead v4 (C2),
members v4 and c1 (c1 lies in C1): an organisation counts where its lead
village lies.

Income (万元)::

    village  2019  2020  2021
    v1          8     —    12     joint
    v2         20     —    26     joint
    v3          5     —     —     joint (no 2021: income_missing)
    v4         40    45    55     joint
    v5         10     9   9.5     other
    c1        100     —   200     community, never counted
    "999"       —     —  1000     unknown village, ignored

Grids (level 4 unless said; households; manager)::

    G1  L3 in v1, branch       G1-1 0..0.5 × 0..1 in G1   100  张
                               G1-2 0.5..1 × 0..1 in G1    79  ""
    G2  L3 in v2, no branch    G2-1 1..1.6 × 0..1 in G2   120  李
                               G2-2 1.4..2 × 0..1 in G2    80  None   (overlap 0.2 km² in v2)
    G3  L3 in v3, branch       G3-1 2..2.5 × 0..1 in G3   121  王     (gap 0.5 km² in v3)
    G4  L3 in c1, branch       G4-1 3..4 × 0..1 in G4     100  赵
                               G4-2 3.9..4.2 × 0..1 in G4 100  " "    (overlap 0.1 km² in c1,
                                                                       0.2 km² outside all villages)
    G5  L3 in v5, no branch    G5-1 2..3 × 1..2 in G5      90  钱
    GX  L3, parent "nope" (orphan), 0.2..0.4 × 1.2..1.4 (in v4), no branch
                               GX-1 0.2..0.4 × 1.2..1.4 in GX  50  ""
                                     (parent exists: not an orphan)
                               GY-1 5..6 × 5..6, parent "missing"
                                     (orphan, outside every village) 100 孙
                               GZ-1 2..2.1 × 1..1.1, parent v5's code
                                     (wrong level: orphan)  100 None
                                     (overlap 0.01 km² in v5)

Ratings (star, weak, rectified): v1 5 T T; v2 4 T F; v3 3 F —; c1 — — —;
v4 2 F F; v5 — F F.

Sites: S1 (0.3, 0.5) in v1; S2 (1.2, 0.5) in v2, 0.2 km from v1; S3 (1.0, 1.5)
in v4; S5 (2.5, 0.5) and S6 (2.6, 0.5) in v3; S4 (10, 10) far from all.
(No site lies exactly on a border: after the round trip through EPSG:4490 a
point on a border may fall on either side.)
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import schema as s
from geo.dataset import Dataset, empty_layer, validate_layers

METRIC = "EPSG:4549"
STORED = "EPSG:4490"
X0, Y0 = 500_000.0, 2_880_000.0
KM = 1000.0
KM2 = KM * KM

V1, V2, V3, C1, V4, V5 = ("350001101201", "350001101202", "350001102201", "350001102001",
                          "350002201201", "350002201202")
C1_CODE, C2_CODE = "350001", "350002"
T11, T12, T21 = "350001101", "350001102", "350002201"


def km_box(x0, y0, x1, y1):
    """A ``shapely.box`` given in km from (X0, Y0), in EPSG:4549 metres."""
    return shapely.box(X0 + x0 * KM, Y0 + y0 * KM, X0 + x1 * KM, Y0 + y1 * KM)


def km_point(x, y):
    return shapely.Point(X0 + x * KM, Y0 + y * KM)


def stored(geoms, **columns) -> gpd.GeoDataFrame:
    """A layer built in metres (EPSG:4549) and transformed to EPSG:4490."""
    return gpd.GeoDataFrame(columns, geometry=list(geoms), crs=METRIC).to_crs(STORED)


def toy_villages() -> gpd.GeoDataFrame:
    return stored(
        [km_box(0, 0, 1, 1), km_box(1, 0, 2, 1), km_box(2, 0, 3, 1), km_box(3, 0, 4, 1),
         km_box(0, 1, 2, 2), km_box(2, 1, 3, 2)],
        village_code=[V1, V2, V3, C1, V4, V5],
        name=["一村", "二村", "三村", "城关社区", "四村", "五村"],
        township_code=[T11, T11, T12, T12, T21, T21],
        township=["甲镇", "甲镇", "乙镇", "乙镇", "丙乡", "丙乡"],
        county_code=[C1_CODE] * 4 + [C2_CODE] * 2,
        county=["甲县"] * 4 + ["乙县"] * 2,
        kind=["village", "village", "village", "community", "village", "village"],
        households=[200, 130, 330, 700, 170, 160],
        population=[600, 400, 1000, 2000, 500, 500],
        party_members=[20, 15, 30, 60, 18, 16],
        star_rating=[5, 4, 3, None, 2, None],
        weak_org=[True, True, False, None, False, False],
        rectified=[True, False, None, None, False, False],
    )


def toy_income() -> pd.DataFrame:
    rows = [(V1, 2019, 8.0), (V1, 2021, 12.0), (V2, 2019, 20.0), (V2, 2021, 26.0),
            (V3, 2019, 5.0), (V4, 2019, 40.0), (V4, 2020, 45.0), (V4, 2021, 55.0),
            (V5, 2019, 10.0), (V5, 2020, 9.0), (V5, 2021, 9.5),
            (C1, 2019, 100.0), (C1, 2021, 200.0), ("999", 2021, 1000.0)]
    return pd.DataFrame(rows, columns=[s.VILLAGE_CODE, s.YEAR, s.COLLECTIVE_INCOME])


def toy_orgs() -> tuple[pd.DataFrame, pd.DataFrame]:
    orgs = pd.DataFrame({s.ORG_ID: ["O1", "O2"], s.NAME: ["甲乙联村党委", "四村城关联合党委"],
                         s.ORG_TYPE: ["strong_weak", "territorial"],
                         s.LEAD_VILLAGE_CODE: [V3, V4], s.FOUNDED_YEAR: [2020, 2021]})
    members = pd.DataFrame({s.ORG_ID: ["O1", "O1", "O1", "O2", "O2"],
                            s.VILLAGE_CODE: [V1, V2, V3, V4, C1],
                            s.JOINED_YEAR: [2020, 2020, 2020, 2021, 2021]})
    return orgs, members


def toy_grids() -> gpd.GeoDataFrame:
    rows = [  # code, level, parent, households, branch, manager, box (km)
        ("G1", 3, V1, 179, True, "周", (0, 0, 1, 1)),
        ("G1-1", 4, "G1", 100, False, "张", (0, 0, 0.5, 1)),
        ("G1-2", 4, "G1", 79, False, "", (0.5, 0, 1, 1)),
        ("G2", 3, V2, 200, False, "吴", (1, 0, 2, 1)),
        ("G2-1", 4, "G2", 120, False, "李", (1, 0, 1.6, 1)),
        ("G2-2", 4, "G2", 80, False, None, (1.4, 0, 2, 1)),
        ("G3", 3, V3, 121, True, "郑", (2, 0, 3, 1)),
        ("G3-1", 4, "G3", 121, True, "王", (2, 0, 2.5, 1)),
        ("G4", 3, C1, 200, True, "冯", (3, 0, 4, 1)),
        ("G4-1", 4, "G4", 100, False, "赵", (3, 0, 4, 1)),
        ("G4-2", 4, "G4", 100, False, " ", (3.9, 0, 4.2, 1)),
        ("G5", 3, V5, 90, False, "陈", (2, 1, 3, 2)),
        ("G5-1", 4, "G5", 90, False, "钱", (2, 1, 3, 2)),
        ("GX", 3, "nope", 50, False, "", (0.2, 1.2, 0.4, 1.4)),
        ("GX-1", 4, "GX", 50, False, "", (0.2, 1.2, 0.4, 1.4)),
        ("GY-1", 4, "missing", 100, False, "孙", (5, 5, 6, 6)),
        ("GZ-1", 4, V5, 100, False, None, (2, 1, 2.1, 1.1)),
    ]
    code, level, parent, hh, branch, manager, boxes = zip(*rows)
    return stored([km_box(*b) for b in boxes], grid_code=list(code), name=list(code),
                  level=list(level), parent_code=list(parent), households=list(hh),
                  population=[3 * h for h in hh], party_members=[5] * len(rows),
                  party_branch=list(branch), manager=list(manager))


def toy_sites() -> gpd.GeoDataFrame:
    points = [km_point(0.3, 0.5), km_point(1.2, 0.5), km_point(1.0, 1.5), km_point(10, 10),
              km_point(2.5, 0.5), km_point(2.6, 0.5)]
    return stored(points, site_id=["S1", "S2", "S3", "S4", "S5", "S6"],
                  name=["一村党群服务中心", "二村近邻之家", "四村驿站", "远处驿站",
                        "三村党群服务中心", "三村近邻之家"],
                  site_type=["center", "neighbor_station", "station", "station", "center",
                             "neighbor_station"],
                  village_code=[V1, V2, V4, None, V3, V3])


def make_dataset(**layers) -> Dataset:
    """A :class:`Dataset` of the given raw layers, typed as the loader types them.

    Layers not given are absent (empty frames).  Fails the test on any
    validation error, so fixtures stay valid datasets.
    """
    typed, problems = validate_layers(layers)
    errors = [str(p) for p in problems if p.is_error]
    assert not errors, errors
    crs = typed[s.VILLAGES].crs
    full = {name: typed.get(name, empty_layer(name, crs)) for name in s.LAYERS}
    return Dataset(full, frozenset(typed), "toy", tuple(problems))


def toy_layers() -> dict:
    orgs, members = toy_orgs()
    return {s.VILLAGES: toy_villages(), s.VILLAGE_INCOME: toy_income(), s.JOINT_ORGS: orgs,
            s.JOINT_MEMBERS: members, s.GRIDS: toy_grids(), s.SERVICE_SITES: toy_sites()}


@pytest.fixture
def toy() -> Dataset:
    """The whole toy dataset (all six layers)."""
    return make_dataset(**toy_layers())


@pytest.fixture
def bare() -> Dataset:
    """Only the villages layer of the toy dataset."""
    return make_dataset(**{s.VILLAGES: toy_villages()})
