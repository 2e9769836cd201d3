"""The test harness's PostgreSQL: a real cluster starts, PostGIS and citext work, the
fresh databases of two tests are separate, and ``stop()`` leaves nothing behind."""
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests import pg_cluster as harness

# The fixtures are a plugin named in tests/conftest.py; naming it here too lets this file
# run on its own (a plugin already registered is not registered twice).
pytest_plugins = ["tests.pg_fixtures"]


def test_cluster_serves_postgis_and_citext(pg_cluster, pg_url):
    assert pg_cluster.server_version.startswith("15.")
    with psycopg.connect(pg_url) as conn:
        version, user, superuser = conn.execute(
            "SELECT PostGIS_Version(), current_user, "
            "(SELECT rolsuper FROM pg_roles WHERE rolname = current_user)").fetchone()
        assert version.startswith("3.")
        assert (user, superuser) == ("lianjian", False)
        # the owner may create tables with geometry and citext columns, and use them
        conn.execute("CREATE TABLE village (code citext PRIMARY KEY, name text, "
                     "geom geometry(Point, 4326))")
        conn.execute("INSERT INTO village VALUES ('SM01', %s, "
                     "ST_SetSRID(ST_MakePoint(117.64, 26.26), 4326))", ("三明村",))
        name, x, metres = conn.execute(
            "SELECT name, ST_X(geom), ST_Distance(geom::geography, "
            "ST_SetSRID(ST_MakePoint(117.65, 26.26), 4326)::geography) "
            "FROM village WHERE code = 'sm01'").fetchone()
    assert (name, x) == ("三明村", 117.64)
    assert 990 < metres < 1010


def test_unix_socket_and_superuser(pg_cluster, pg_admin_url):
    assert pg_cluster.socket_dir.is_dir()
    with psycopg.connect(host=str(pg_cluster.socket_dir), port=pg_cluster.port,
                         user="postgres", dbname="postgres") as conn:
        assert conn.execute("SELECT current_setting('fsync')").fetchone() == ("off",)
    with psycopg.connect(pg_admin_url) as conn:
        assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
                            ).fetchone() == (True,)


@pytest.fixture(scope="module")
def _isolation_log():
    return []


@pytest.mark.parametrize("turn", [1, 2])
def test_each_test_has_a_fresh_database(pg_url, turn, _isolation_log):
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                              "AND tablename <> 'spatial_ref_sys'").fetchone()[0]
        assert tables == 0, "a table of another test is visible"
        conn.execute("CREATE TABLE marker (turn int)")
        conn.execute("INSERT INTO marker VALUES (%s)", (turn,))
        _isolation_log.append(conn.info.dbname)
    if turn == 2:
        assert len(set(_isolation_log)) == 2


def test_new_database_is_isolated_and_dropped(pg_cluster):
    first, second = pg_cluster.new_database("iso_a"), pg_cluster.new_database("iso_b")
    with psycopg.connect(first) as a, psycopg.connect(second) as b:
        a.execute("CREATE TABLE only_here (x int)")
        a.execute("INSERT INTO only_here VALUES (1)")
        a.commit()
        with pytest.raises(psycopg.errors.UndefinedTable):
            b.execute("SELECT * FROM only_here")
        b.rollback()
        assert b.execute("SELECT PostGIS_Version()").fetchone()[0].startswith("3.")
        # dropped even with a connection still open on it
        pg_cluster.drop_database("iso_a")
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(first, connect_timeout=5).close()
    pg_cluster.drop_database("iso_b")
    with pytest.raises(ValueError):
        pg_cluster.new_database("bad; DROP DATABASE lianjian")


def test_start_and_stop_a_second_cluster(tmp_path):
    """Its own folder and port; stopped: the server is gone and so is the folder."""
    cluster = harness.start_cluster(tmp_path)
    try:
        assert cluster.url.startswith(f"postgresql://lianjian@127.0.0.1:{cluster.port}/")
        with psycopg.connect(cluster.url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        pid = int((cluster.data_dir / "postmaster.pid").read_text().split()[0])
    finally:
        cluster.stop()
    cluster.stop()                       # a second call does nothing
    assert not cluster.folder.exists()
    assert not _alive(pid)
    ready = subprocess.run([str(harness.BIN / "pg_isready"), "-q", "-h", "127.0.0.1",
                            "-p", str(cluster.port)])
    assert ready.returncode != 0


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (the server is not our child: whoever
    reaps it may not have done so yet)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def test_missing_binaries_name_the_packages(monkeypatch, tmp_path):
    monkeypatch.setattr(harness, "BIN", tmp_path / "nowhere")
    with pytest.raises(harness.ClusterError, match="apt-get install -y postgresql-15"):
        harness.start_cluster(tmp_path)
