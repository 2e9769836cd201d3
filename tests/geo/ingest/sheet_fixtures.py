"""Builders for "sheets as people keep them" (SPEC §5): a small county of our own.

松岭县 (350999), two townships, eight 1 km squares in a row (EPSG:4549 metres,
stored in EPSG:4490)::

    清溪镇 350999101: 上坪村 201 | 下坪村 202 | 石门村 203 | 清溪社区 001
    梅林乡 350999102: 石门村 201 | 桃源村 202 | 桃源社区 001 | 杏花村 203

石门村 is a name of both townships; 桃源 fits 桃源村 and 桃源社区 of one.
One organisation J1 = {上坪村, 下坪村}, lead 上坪村.

Income (万元), by village, 2019 → 2020 → 2021 (杏花村 has none in 2019)::

    上坪村 26.61 30.5 33.2 | 下坪村 8.4 9.75 12.0 | 石门村(清溪) 15.0 16.25 18.5
    石门村(梅林) 5.2 7.8 10.4 | 桃源村 40.0 45.5 52.3 | 杏花村 — 3.3 4.4

Figures worked by hand (base 2019, eval 2021, villages with both years):
Σ 2021 = 33.2 + 12.0 + 18.5 + 10.4 + 52.3 = 126.4; Σ 2019 = 95.21;
income_growth_all = 126.4 / 95.21 − 1; avg_income_gain_joint =
(6.59 + 3.6) / 2 = 5.095; avg_income_gain_other = (3.5 + 5.2 + 12.3) / 3 = 7.0;
low_income_villages = 1 (杏花村 4.4 < 10); target_income_villages = 1 (桃源村).
"""
from decimal import Decimal
from pathlib import Path

import geopandas as gpd
import pandas as pd

from tests.geo.conftest import METRIC, square, write_gpkg
from tests.geo.ingest.fixtures import write_text, xlsx_bytes

QX, ML = ("350999101", "清溪镇"), ("350999102", "梅林乡")
# code, name, township, kind, households, population, star rating
VILLAGES = [
    ("350999101201", "上坪村", QX, "village", 320, 960, 5),
    ("350999101202", "下坪村", QX, "village", 210, 630, 3),
    ("350999101203", "石门村", QX, "village", 150, 450, None),
    ("350999101001", "清溪社区", QX, "community", 900, 2700, 4),
    ("350999102201", "石门村", ML, "village", 180, 540, 2),
    ("350999102202", "桃源村", ML, "village", 260, 780, 4),
    ("350999102001", "桃源社区", ML, "community", 700, 2100, 3),
    ("350999102203", "杏花村", ML, "village", 90, 270, 0),
]
CODE = {(v[2][1], v[1]): v[0] for v in VILLAGES}
YEARS = (2019, 2020, 2021)
INCOME = {  # 万元
    "350999101201": (26.61, 30.5, 33.2), "350999101202": (8.4, 9.75, 12.0),
    "350999101203": (15.0, 16.25, 18.5), "350999102201": (5.2, 7.8, 10.4),
    "350999102202": (40.0, 45.5, 52.3), "350999102203": (None, 3.3, 4.4),
}
GROWTH = 126.4 / 95.21 - 1
# As people write the names (township, name in the sheet, code meant)
WRITTEN = [
    ("清溪镇", "上坪", "350999101201"),
    ("清溪镇", "下坪村委会", "350999101202"),
    ("清溪", "石门村民委员会", "350999101203"),
    ("梅林乡", "石门村", "350999102201"),
    ("梅林乡", "桃源村委会", "350999102202"),
    ("梅林乡", "杏花村", "350999102203"),
]


def own_villages() -> gpd.GeoDataFrame:
    """The eight villages and communities of 松岭县, every field of SPEC §2."""
    return gpd.GeoDataFrame({
        "village_code": [v[0] for v in VILLAGES], "name": [v[1] for v in VILLAGES],
        "township_code": [v[2][0] for v in VILLAGES], "township": [v[2][1] for v in VILLAGES],
        "county_code": ["350999"] * 8, "county": ["松岭县"] * 8,
        "kind": [v[3] for v in VILLAGES], "households": [v[4] for v in VILLAGES],
        "population": [v[5] for v in VILLAGES], "star_rating": [v[6] for v in VILLAGES],
    }, geometry=[square(i) for i in range(8)], crs=METRIC).to_crs("EPSG:4490")


def own_layers(income: bool = False) -> dict:
    """Villages and the organisation J1; with the long income table when asked."""
    layers = {
        "villages": own_villages(),
        "joint_orgs": pd.DataFrame({"org_id": ["J1"], "name": ["清溪联村党委"],
                                    "org_type": ["strong_weak"],
                                    "lead_village_code": ["350999101201"],
                                    "founded_year": [2020]}),
        "joint_members": pd.DataFrame({"org_id": ["J1", "J1"],
                                       "village_code": ["350999101201", "350999101202"],
                                       "joined_year": [2020, 2020]}),
    }
    if income:
        layers["village_income"] = long_income()
    return layers


def own_dataset(folder, income: bool = False, name: str = "DATA.gpkg") -> Path:
    """``folder/name``: the dataset of :func:`own_layers`."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return write_gpkg(Path(folder) / name, own_layers(income))


def long_income() -> pd.DataFrame:
    """The canonical long table (万元): one row per village and year with a figure."""
    rows = [(code, year, value) for code, values in INCOME.items()
            for year, value in zip(YEARS, values) if value is not None]
    return pd.DataFrame(rows, columns=["village_code", "year", "collective_income"])


def yuan(value: float) -> str:
    """万元 as 元 with thousands separators: 26.61 → ``266,100``."""
    return f"{int(Decimal(str(value)) * 10000):,}"


def wide_rows(headers=("{y}年",), by_name: bool = False, in_yuan: bool = False) -> list:
    """The income as a wide sheet: one row per village, one column per year.

    ``headers``: the year headers' pattern (cycled over the years); ``by_name``:
    ``乡镇（街道）`` + ``村名`` as people write them (:data:`WRITTEN`) instead of
    the code; ``in_yuan``: values in 元 with separators (the header says 元).
    """
    heads = [headers[i % len(headers)].format(y=y) + ("（元）" if in_yuan else "")
             for i, y in enumerate(YEARS)]
    rows = [(["乡镇（街道）", "村名"] if by_name else ["村代码"]) + heads]
    written = {code: (town, name) for town, name, code in WRITTEN}
    for code, values in INCOME.items():
        cells = ["" if v is None else (yuan(v) if in_yuan else v) for v in values]
        rows.append([*written[code]] + cells if by_name else [code] + cells)
    return rows


def xlsx(folder, name: str, sheets: dict) -> Path:
    return write_text(Path(folder) / name, xlsx_bytes(sheets))
