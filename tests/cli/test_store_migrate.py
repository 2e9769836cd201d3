"""``python -m analysis store migrate``: a data folder into PostgreSQL and back (issue 17).

The store of the tests: versions v0001 (the tiny dataset of tests/geo/conftest.py),
v0002 (the bundled Sanming demo, current) and v0003 (deleted, so the next id is
v0004); scenarios 方案A (submitted, approved), 方案B (draft) and 方案C (deleted, so
the next scenario id is 4); accounts wang (admin) and zhang (planner, 350481) with a
failed login and an open session; audit entries; one briefing sequence.
"""
import json
import subprocess
import sys
import tempfile

import pytest

from geo.accounts import AccountStore
from geo.audit import AuditLog
from geo.pg_store import PgDataStore
from geo.ingest.columns import recalled_mapping, remember_mapping
from geo.scenario_store import ScenarioStore
from geo.sequence_store import SequenceStore, View
from geo.sessions import Sessions
from geo.store import DataStore
from tests.cli.test_users import run  # noqa: F401 (fixture)
from tests.conftest import DEMO, ROOT
from tests.geo.conftest import tiny_layers, write_gpkg
from tests.geo.test_accounts import QUICK

# The fixtures are a plugin named in tests/conftest.py; naming it here too lets this file
# run on its own (a plugin already registered is not registered twice).
pytest_plugins = ["tests.pg_fixtures"]

PASSWORD = "zhang-2027!"
DOC = {"groups": [{"org_id": "S1", "name": "联村一组", "org_type": "strong_weak",
                   "lead_village_code": "350481101201",
                   "villages": ["350481101201", "350481101202", "350481101203"]}]}

# What the store of the tests holds: rows of each version and table (source = target).
COUNTS = {"数据版本 v0001": ["16", "16"], "数据版本 v0002": ["32409", "32409"],
          "当前数据版本": ["v0002", "v0002"], "scenarios": ["2", "2"],
          "scenario_steps": ["4", "4"], "accounts": ["2", "2"],
          "sessions": ["1", "1"], "audit": ["4", "4"], "sequences": ["1", "1"],
          "导入记录 column_maps.json": ["1", "1"], "导入记录 village_names.json": ["0", "0"]}


@pytest.fixture(autouse=True)
def _cache_in_tmp_path(tmp_path, monkeypatch):
    """GeoPackages written from PostGIS go to this test's folder, not the system's."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return write_gpkg(tmp_path_factory.mktemp("tiny") / "小样.gpkg", tiny_layers())


@pytest.fixture
def folder(tmp_path, tiny):
    """The store described in the module docstring; returns its folder and zhang's session."""
    folder = tmp_path / "var"
    versions = DataStore(folder)
    versions.add_version(tiny, "小样")
    versions.add_version(DEMO, "三明示例", "sanming.gpkg")
    versions.add_version(tiny, "又一次")
    versions.switch("v0002")
    versions.delete("v0003")
    scenarios = ScenarioStore(folder)
    scenarios.save("2027 方案A", DOC, owner="zhang", area="350481")
    scenarios.submit("2027 方案A", by="zhang")
    scenarios.approve("2027 方案A", by="wang", comment="同意")
    scenarios.save("方案B", DOC)
    scenarios.save("方案C", DOC)
    scenarios.delete("方案C")
    accounts = AccountStore(folder, hasher=QUICK)
    accounts.add("wang", "wang-admin-1", role="admin", by="命令行:test", client="本机")
    accounts.add("zhang", PASSWORD, role="planner", area="350481", by="wang", client="10.0.0.5")
    with pytest.raises(ValueError):
        accounts.verify("zhang", "wrong password", client="10.0.0.5")
    token = Sessions(accounts).open("zhang")
    AuditLog(folder).record("zhang", "scenario_save", "2027 方案A", client="10.0.0.5")
    SequenceStore(folder).add_view("年终汇报", View("overview", county="350481"), create=True)
    remember_mapping(folder, "villages", ["编码", "村名"], {"编码": "village_code"})
    return folder, token


def snapshot(location) -> dict:
    """Everything the stores say about themselves, for comparing two locations."""
    store = DataStore(location) if not str(location).startswith("postgresql") \
        else PgDataStore(location)
    scenarios = ScenarioStore(location)
    return {
        "versions": [(v.id, v.created, v.note, v.source, v.rows) for v in store.versions()],
        "current": store.current().id,
        "verified": [store.verify(v.id) for v in store.versions()],
        "scenarios": scenarios.list(),
        "steps": [scenarios.steps(info.id) for info in scenarios.list()],
        "documents": [scenarios.load(info.id) for info in scenarios.list()],
        "accounts": AccountStore(location, hasher=QUICK).list(),
        "audit": AuditLog(location).entries(),
        "sequences": SequenceStore(location).list(),
        "column maps": recalled_mapping(location, "villages", ["村名", "编码"]),
    }


def counted(out: str) -> dict:
    """The printed table as {name: [source, target]}."""
    return {line.rsplit(None, 2)[0]: line.rsplit(None, 2)[1:] for line in out.splitlines()[3:]}


def kpis(run, path) -> dict:  # noqa: F811 (the fixture passed in)
    code, out, _ = run("kpis", str(path), "--json")
    assert code == 0
    return json.loads(out)


def test_round_trip_through_postgis_keeps_everything(folder, pg_url, tmp_path, tiny, run):  # noqa: F811
    source, token = folder
    before = snapshot(source)
    assert before["current"] == "v0002" and len(before["audit"]) == 4

    code, out, err = run("store", "migrate", "--from", str(source), "--to", pg_url)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"已从 {source} 迁移到 {pg_url}，行数核对一致："
    assert out.splitlines()[1].split() == ["表", "/", "数据版本", "源", "目标"]
    assert counted(out) == COUNTS
    assert snapshot(pg_url) == before
    originals = {v.id: v for v in DataStore(source).versions()}
    assert PgDataStore(pg_url).versions() == list(originals.values())  # size, sha256 kept

    back = tmp_path / "back"
    code, out, err = run("store", "migrate", "--from", pg_url, "--to", str(back))
    assert (code, err, counted(out)) == (0, "", COUNTS)
    assert snapshot(back) == before
    assert sorted(p.name for p in (back / "datasets").iterdir()) == [
        ".lock", "manifest.json", "v0001.gpkg", "v0002.gpkg"]
    assert not list(tmp_path.glob(".back.migrating-*"))
    assert (back / "accounts.sqlite").stat().st_mode & 0o077 == 0  # still owner-only

    # the same figures from the version that travelled there and back
    assert kpis(run, DataStore(back).path_of("v0002")) == \
        kpis(run, DataStore(source).path_of("v0002"))
    # hashes, sessions and counters survived both hops
    accounts = AccountStore(back, hasher=QUICK)
    assert accounts.verify("zhang", PASSWORD).name == "zhang"
    assert Sessions(accounts).resume(token, idle_minutes=10**6).name == "zhang"
    assert DataStore(back).add_version(tiny).id == "v0004"
    assert PgDataStore(pg_url).add_version(tiny).id == "v0004"
    assert ScenarioStore(back).save("方案D", DOC).id == 4
    assert ScenarioStore(pg_url).save("方案D", DOC).id == 4
    AuditLog(pg_url).record("wang", "login")
    assert AuditLog(pg_url).entries(limit=1)[0].id == 5


def test_a_target_that_is_not_empty_is_refused_and_left_alone(folder, pg_url, tmp_path, run):  # noqa: F811
    source, _ = folder
    assert run("store", "migrate", "--from", str(source), "--to", pg_url)[0] == 0
    held = snapshot(pg_url)
    code, out, err = run("store", "migrate", "--from", str(source), "--to", pg_url)
    assert code == 1 and out == ""
    assert "不是空的（已有 数据版本 2 个、scenarios 2 行、scenario_steps 4 行" in err
    assert err.splitlines()[-1] == "目标未被改动。"
    assert snapshot(pg_url) == held

    other = tmp_path / "other"
    ScenarioStore(other).save("别的方案", DOC)
    code, _, err = run("store", "migrate", "--from", str(source), "--to", str(other))
    assert code == 1 and f"目标 {other} 不是空的（已有 scenarios 1 行、scenario_steps 1 行）" in err
    assert [s.name for s in ScenarioStore(other).list()] == ["别的方案"]
    assert not (other / "datasets").exists() and not (other / "accounts.sqlite").exists()

    code, _, err = run("store", "migrate", "--from", str(source), "--to", str(source) + "/")
    assert code == 1 and "源和目标是同一个位置" in err


def test_a_wrong_address_is_a_chinese_error_without_traceback(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for args in (["--from", str(empty), "--to", "postgresql://nobody:secret@127.0.0.1:1/none"],
                 ["--from", "postgresql://nobody@127.0.0.1:1/none", "--to", str(tmp_path / "x")]):
        proc = subprocess.run([sys.executable, "-m", "analysis", "store", "migrate", *args],
                              cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 1 and proc.stdout == ""
        assert "无法连接数据库 postgresql://nobody@127.0.0.1:1/none" in proc.stderr
        assert "Traceback" not in proc.stderr and "secret" not in proc.stderr
    assert not (tmp_path / "x").exists()


def test_usage_errors(run, tmp_path):  # noqa: F811
    with pytest.raises(SystemExit) as exited:
        run("store", "migrate", "--from", str(tmp_path))
    assert exited.value.code == 2
    code, _, err = run("store", "migrate", "--from", str(tmp_path / "nowhere"), "--to",
                       str(tmp_path / "x"))
    assert code == 1 and f"源数据文件夹 {tmp_path / 'nowhere'} 不存在" in err
    code, _, err = run("store", "migrate", "--from", "mysql://db/x", "--to", str(tmp_path))
    assert code == 1 and "既不是数据文件夹，也不是 postgresql:// 地址" in err
