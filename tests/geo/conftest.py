"""A tiny valid dataset, built by hand, and a writer for variants of it.

Layout (EPSG:4549 metres, stored in EPSG:4490), four 1 km squares in a row::

    v1 (村) | v2 (村) | v3 (村) | v4 (社区)

organisation O1 = {v1, v2}, lead v1; level-3 grid G3 in v1, level-4 grid
G4 in G3; a service site S1 in v1; income for v1–v3 in 2019 and 2020.
"""
import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo import db

METRIC = "EPSG:4549"
X0, Y0 = 500_000, 2_900_000


def square(i, size=1000.0):
    return shapely.box(X0 + i * size, Y0, X0 + (i + 1) * size, Y0 + size)


def tiny_layers():
    villages = gpd.GeoDataFrame({
        "village_code": ["350481101201", "350481101202", "350481101203", "350481101001"],
        "name": ["一村", "二村", "三村", "燕江社区"],
        "township_code": ["350481101"] * 4, "township": ["洪田镇"] * 4,
        "county_code": ["350481"] * 4, "county": ["永安市"] * 4,
        "kind": ["village", "village", "行政村", "社区"],
        "households": [300, 200, 100, 1000], "population": [900, 600, 300, 3000],
        "party_members": [30, 20, 10, 100], "star_rating": [5, 4, None, 2],
        "weak_org": ["否", "0", "false", "是"], "rectified": [0, 0, 0, 1],
    }, geometry=[square(i) for i in range(4)], crs=METRIC).to_crs("EPSG:4490")
    income = pd.DataFrame({
        "village_code": ["350481101201", "350481101202", "350481101203"] * 2,
        "year": [2019] * 3 + [2020] * 3,
        "collective_income": [60.0, 8.0, 20.0, 66.0, 12.0, 21.0],
    })
    orgs = pd.DataFrame({"org_id": ["O1"], "name": ["洪田联村党委"], "org_type": ["strong_weak"],
                         "lead_village_code": ["350481101201"], "founded_year": [2020],
                         "projects": [3]})
    members = pd.DataFrame({"org_id": ["O1", "O1"],
                            "village_code": ["350481101201", "350481101202"],
                            "joined_year": [2020, 2020]})
    grids = gpd.GeoDataFrame({
        "grid_code": ["G3", "G4"], "name": ["一片区", "第1网格"], "level": [3, 4],
        "parent_code": ["350481101201", "G3"], "households": [300, 100],
        "population": [900, 300], "party_members": [30, 10], "party_branch": [1, 0],
        "manager": ["张丽", ""],
    }, geometry=[square(0), shapely.box(X0, Y0, X0 + 500, Y0 + 500)],
       crs=METRIC).to_crs("EPSG:4490")
    sites = gpd.GeoDataFrame({"site_id": ["S1"], "name": ["一村党群服务中心"],
                              "site_type": ["center"], "village_code": ["350481101201"]},
                             geometry=[shapely.Point(X0 + 500, Y0 + 500)],
                             crs=METRIC).to_crs("EPSG:4490")
    return {"villages": villages, "village_income": income, "joint_orgs": orgs,
            "joint_members": members, "grids": grids, "service_sites": sites}


def write_gpkg(path, layers):
    """Write ``layers`` (name → frame) as one GeoPackage; tables without geometry."""
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    return path


@pytest.fixture
def layers():
    return tiny_layers()


@pytest.fixture
def gpkg(tmp_path):
    """Write variants: ``gpkg(layers)`` returns the path of a new GeoPackage."""
    counter = iter(range(1000))

    def make(layers):
        return write_gpkg(tmp_path / f"d{next(counter)}.gpkg", layers)

    return make


@pytest.fixture(params=["files", "postgis"])
def location(request, tmp_path):
    """Where a store is: a data folder, or a fresh PostgreSQL/PostGIS database
    (``[store] url``): every store test that takes it runs on both backends."""
    if request.param == "files":
        return tmp_path / "var"
    return request.getfixturevalue("pg_url")


def sql(path, statement: str, args=()) -> list:
    """The rows of ``statement`` (SQLite's SQL) on a store's database: a SQLite file
    or a PostgreSQL URL (:func:`geo.db.place`)."""
    with db.open_database(path, 5, lambda con: None, "测试") as con:
        cursor = con.execute(statement, args)
        return cursor.fetchall() if cursor.description is not None else []
