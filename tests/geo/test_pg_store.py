"""Dataset versions in PostgreSQL/PostGIS (geo.pg_store): the contract of
geo.store.DataStore on a real server (the ``pg_url`` database of tests/pg_fixtures.py).

The versions are the tiny dataset of ``conftest.py`` (4 villages, 6 income
rows, 1 organisation with 2 members, 2 grids, 1 site) and a variant with the
first three villages and the income only; their row counts are known by hand.
"""
import os
import select
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import psycopg
import pyogrio
import pytest
import shapely

from geo.dataset import load_dataset
from geo.db import forget_setup
from geo.pg_store import BUSY, PgDataStore
from geo.store import PAUSE_ENV, StoreError
from tests.geo.conftest import tiny_layers, write_gpkg

# The fixtures are a plugin named in tests/conftest.py; naming it here too lets this file
# run on its own (a plugin already registered is not registered twice).
pytest_plugins = ["tests.pg_fixtures"]

KILLER = Path(__file__).with_name("pg_store_killer.py")
ROOT = Path(__file__).resolve().parents[2]
TINY_ROWS = {"villages": 4, "village_income": 6, "joint_orgs": 1, "joint_members": 2,
             "grids": 2, "service_sites": 1}
SECOND_ROWS = {"villages": 3, "village_income": 6}


@pytest.fixture(autouse=True)
def _cache_in_tmp_path(tmp_path, monkeypatch):
    """GeoPackages written from PostGIS go to this test's folder, not the system's."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    return write_gpkg(tmp_path_factory.mktemp("first") / "村界2024.gpkg", tiny_layers())


@pytest.fixture(scope="module")
def second(tmp_path_factory):
    layers = tiny_layers()
    layers = {"villages": layers["villages"].iloc[:3], "village_income": layers["village_income"]}
    return write_gpkg(tmp_path_factory.mktemp("second") / "second.gpkg", layers)


@pytest.fixture
def store(pg_url, tmp_path):
    return PgDataStore(pg_url, cache_dir=tmp_path / "cache")


def sql(url, query, args=()):
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query, args or None)
        return cursor.fetchall() if cursor.description else None


def schemas(url) -> list[str]:
    return [r[0] for r in sql(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ds_%' "
                                   "ORDER BY 1")]


def test_empty_store(store):
    assert store.versions() == [] and store.current() is None
    assert store.generation() == (None, 0)


def test_add_version_describes_the_file_and_keeps_real_tables(store, first, pg_url):
    v = store.add_version(first, note=" 2024年\n首次导入 ", source_name="/上传/村界2024.gpkg")
    assert (v.id, v.note, v.source) == ("v0001", "2024年 首次导入", "村界2024.gpkg")
    assert v.created.endswith("+08:00") and v.rows == TINY_ROWS
    assert v.size == first.stat().st_size
    assert store.current() == v and store.versions() == [v] and store.verify("v0001")
    assert store.generation() == ("v0001", 1)
    assert schemas(pg_url) == ["ds_v0001"]
    # PostGIS geometry in the layer's SRID (CGCS2000), the GeoPackage's columns and types
    assert sql(pg_url, "SELECT ST_SRID(geom), GeometryType(geom), count(*) "
                       "FROM ds_v0001.villages GROUP BY 1, 2") == [(4490, "POLYGON", 4)]
    assert sql(pg_url, "SELECT name, households, star_rating FROM ds_v0001.villages "
                       "ORDER BY fid") == [("一村", 300, 5), ("二村", 200, 4), ("三村", 100, None),
                                           ("燕江社区", 1000, 2)]
    area = sql(pg_url, "SELECT round(ST_Area(ST_Transform(geom, 4549))) "
                       "FROM ds_v0001.villages WHERE fid = 1")[0][0]
    assert area == 1_000_000  # the 1 km square of conftest.py, in metres²


def test_the_materialised_geopackage_is_the_imported_dataset(store, first, tmp_path):
    v = store.add_version(first)
    path = store.path_of(v.id)
    assert path.parent.parent == tmp_path / "cache" and path.name == f"v0001-{v.sha256[:12]}.gpkg"
    imported, back = load_dataset(first), load_dataset(path)
    assert back.present == imported.present
    for name, frame in imported.layers.items():
        other = back.layers[name]
        assert list(other.columns) == list(frame.columns), name
        assert (other.dtypes == frame.dtypes).all(), name
        assert other.equals(frame), name
        assert getattr(other, "crs", None) == getattr(frame, "crs", None), name
    mtime = path.stat().st_mtime_ns
    again = PgDataStore(store.url, cache_dir=tmp_path / "cache").path_of(v.id)  # another process
    assert again == path and path.stat().st_mtime_ns == mtime  # written once


def test_extra_columns_nulls_other_crs_and_other_layers_survive(store, tmp_path):
    """An extra Chinese column, a null count, villages in a metric CRS (EPSG:4549), a site
    layer in a CRS without EPSG code (kept as its definition, SRID 0), a layer that is not
    of SPEC §2 (not kept), extra columns of other types (a time without zone, 32 bits)."""
    layers = tiny_layers()
    layers["joint_orgs"] = layers["joint_orgs"].assign(
        at=[pd.Timestamp("2020-01-02 03:04:05")], f32=pd.Series([1.5], dtype="float32"),
        i32=pd.Series([7], dtype="int32"), flag=pd.Series([True], dtype="bool"))
    layers["villages"] = layers["villages"].to_crs("EPSG:4549").assign(备注=["甲", None, "", "丁"])
    custom = "+proj=tmerc +lat_0=0 +lon_0=117.3 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m"
    layers["service_sites"] = layers["service_sites"].to_crs(custom)
    layers["notes"] = layers["joint_orgs"][["org_id"]]
    path = write_gpkg(tmp_path / "extra.gpkg", layers)
    v = store.add_version(path)
    assert list(v.rows) == list(TINY_ROWS)
    back = store.path_of(v.id)
    assert sorted(name for name, _ in pyogrio.list_layers(back)) == sorted(TINY_ROWS)
    for name in TINY_ROWS:
        before, after = pyogrio.read_dataframe(path, layer=name), \
            pyogrio.read_dataframe(back, layer=name)
        assert after.equals(before) and list(after.dtypes) == list(before.dtypes), name
        assert getattr(after, "crs", None) == getattr(before, "crs", None), name
    assert sql(store.url, "SELECT srid FROM dataset_layers WHERE layer IN ('villages', "
                          "'service_sites') ORDER BY layer") == [(0,), (4549,)]


def test_switch_rolls_back_and_forward(store, first, second):
    store.add_version(first)
    v2 = store.add_version(second)
    assert store.current().id == "v0002" and v2.rows == SECOND_ROWS
    assert store.switch("v0001").id == "v0001"
    assert PgDataStore(store.url).current().id == "v0001"  # another process sees it
    assert store.generation() == ("v0001", 3)
    store.switch("v0001")  # already current: nothing changes
    assert store.generation() == ("v0001", 3)
    store.switch("v0002")
    assert [v.id for v in store.versions()] == ["v0001", "v0002"]


def test_unknown_ids_are_refused_in_chinese(store, first):
    with pytest.raises(StoreError, match="没有数据版本 'v0009'；数据仓库中还没有任何版本"):
        store.switch("v0009")
    store.add_version(first)
    for call in (store.switch, store.path_of, store.delete, store.verify):
        with pytest.raises(StoreError, match="没有数据版本 'v0042'；现有版本：v0001"):
            call("v0042")


def test_delete_never_the_current_and_ids_are_not_reused(store, first, second, pg_url):
    store.add_version(first)
    old = store.path_of("v0001")
    store.add_version(second)
    with pytest.raises(StoreError, match="不能删除当前使用的数据版本 v0002"):
        store.delete("v0002")
    store.switch("v0001")
    store.delete("v0002")
    assert [v.id for v in store.versions()] == ["v0001"] and schemas(pg_url) == ["ds_v0001"]
    assert sql(pg_url, "SELECT count(*) FROM dataset_layers")[0][0] == len(TINY_ROWS)
    v3 = store.add_version(second)
    assert v3.id == "v0003" and store.generation() == ("v0003", 5)
    store.switch("v0003")
    store.delete("v0001")
    store.path_of("v0003")  # writing a new file removes those of deleted versions
    assert not old.exists() and [p.name[:5] for p in old.parent.iterdir()] == ["v0003"]


def test_verify_and_switch_notice_changed_or_missing_tables(store, first, second, pg_url):
    store.add_version(first)
    store.add_version(second)
    sql(pg_url, "UPDATE ds_v0001.villages SET households = 301 WHERE fid = 1")
    assert not store.verify("v0001") and store.verify("v0002")
    sql(pg_url, "DROP TABLE ds_v0001.grids")
    with pytest.raises(StoreError, match="v0001 的数据表 ds_v0001.grids 已缺失，无法切换"):
        store.switch("v0001")
    assert store.current().id == "v0002"


def test_files_that_are_not_geopackages_or_hold_no_layer_are_refused(store, tmp_path, first):
    store.add_version(first)
    fake = tmp_path / "fake.gpkg"
    fake.write_text("<OGRVRTDataSource/>", encoding="utf-8")
    with pytest.raises(StoreError, match="不是 GeoPackage"):
        store.add_version(fake)
    other = write_gpkg(tmp_path / "other.gpkg", {"notes": tiny_layers()["joint_orgs"]})
    with pytest.raises(StoreError, match="没有 SPEC §2 的任何图层"):
        store.add_version(other)
    assert [v.id for v in store.versions()] == ["v0001"] and store.current().id == "v0001"


def test_a_wrong_address_is_a_chinese_error():
    with pytest.raises(StoreError, match="数据仓库无法连接数据库 postgresql://nobody@127.0.0.1:1"):
        PgDataStore("postgresql://nobody:secret@127.0.0.1:1/none").versions()


# ---- killed and concurrent writers -----------------------------------------------
def start_paused(step: str, *args) -> subprocess.Popen:
    """The killer, paused inside its transaction at ``step``."""
    env = dict(os.environ, **{PAUSE_ENV: step})
    proc = subprocess.Popen([sys.executable, str(KILLER), *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ready, _, _ = select.select([proc.stderr], [], [], 120)
    line = proc.stderr.readline().decode() if ready else ""
    if line.strip() != f"PAUSED {step}":
        proc.kill()
        pytest.fail(line + proc.stderr.read(2000).decode())
    return proc


def kill(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait()
    assert proc.returncode == -9


@pytest.mark.parametrize("step", ["copy_started", "copy_written", "version_listed"])
def test_killed_import_keeps_the_previous_version(store, first, second, pg_url, step):
    v1 = store.add_version(first)
    kill(start_paused(step, pg_url, "add", second))
    reopened = PgDataStore(pg_url)
    assert reopened.current() == v1 and reopened.versions() == [v1] and reopened.verify("v0001")
    assert reopened.generation() == ("v0001", 1)
    assert reopened.add_version(second).id == "v0002"  # waits for the server to roll back
    assert schemas(pg_url) == ["ds_v0001", "ds_v0002"]


def test_killed_switch_and_delete_change_nothing(store, first, second, pg_url):
    store.add_version(first)
    v2 = store.add_version(second)
    kill(start_paused("pointer_moved", pg_url, "switch", "v0001"))
    assert PgDataStore(pg_url).current() == v2
    kill(start_paused("version_unlisted", pg_url, "delete", "v0001"))
    reopened = PgDataStore(pg_url, lock_timeout=60)
    reopened.switch("v0002")  # takes the lock: the killed writer's transaction is gone
    assert [v.id for v in reopened.versions()] == ["v0001", "v0002"]
    assert reopened.verify("v0001") and schemas(pg_url) == ["ds_v0001", "ds_v0002"]


def test_a_second_import_at_once_is_refused(store, first, second, pg_url):
    store.add_version(first)
    proc = start_paused("copy_written", pg_url, "add", second)
    try:
        with pytest.raises(StoreError, match=f"^{BUSY}$"):
            PgDataStore(pg_url, lock_timeout=0).add_version(second)
        with pytest.raises(StoreError, match=f"^{BUSY}$"):
            PgDataStore(pg_url, lock_timeout=0.3).switch("v0001")
        assert store.current().id == "v0001"  # readers are not held up ...
        forget_setup()  # ... nor a process that starts now and sets the store up
        assert [v.id for v in PgDataStore(pg_url).versions()] == ["v0001"]
    finally:
        kill(proc)
    assert BUSY == "数据仓库正被另一个会话写入，请稍后再试"  # the words of geo.store.DataStore
    assert store.add_version(second).id == "v0002"


def test_geometry_is_read_back_exactly(store, tmp_path):
    """Coordinates to the last bit: a polygon with a hole and awkward decimals."""
    layers = tiny_layers()
    hole = shapely.Polygon([(117.123456789012, 26.1), (117.2, 26.1), (117.2, 26.2),
                            (117.1, 26.2)], [[(117.15, 26.15), (117.16, 26.15), (117.16, 26.16)]])
    layers["villages"].loc[0, "geometry"] = hole
    v = store.add_version(write_gpkg(tmp_path / "hole.gpkg", layers))
    back = pyogrio.read_dataframe(store.path_of(v.id), layer="villages")
    assert back.geometry[0].equals_exact(hole, tolerance=0) and back.geometry[0].wkb == hole.wkb
