"""Saved scenarios (geo.scenario_store): names, documents, transactions, a killed writer.

The SPEC §4 example document has one group of two villages; the killer's
document ``number`` has ``number % 7 + 1`` groups of three distinct villages.
"""
import os
import select
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from geo.db import is_url, place
from geo.scenario_store import ScenarioStore
from geo.store import PAUSE_ENV, StoreError
from tests.geo.store_killer import scenario_document

KILLER = Path(__file__).with_name("store_killer.py")
ROOT = Path(__file__).resolve().parents[2]
SPEC_EXAMPLE = {"name": "2027 方案A", "created": "2026-11-23T10:00:00+08:00",
                "groups": [{"org_id": "S1", "name": "洪田联村党委", "org_type": "strong_weak",
                            "lead_village_code": "350481101201",
                            "villages": ["350481101201", "350481101202"]}]}


@pytest.fixture
def store(location):
    """A store in a data folder and in PostgreSQL (every test taking it runs on both)."""
    return ScenarioStore(location)


@pytest.fixture
def file_store(tmp_path):
    return ScenarioStore(tmp_path / "var")


def integrity(store) -> str:
    """SQLite's own check of the file; PostgreSQL's tables have nothing to check."""
    if is_url(store.path):
        return "ok"
    with sqlite3.connect(store.path) as con:
        return con.execute("PRAGMA integrity_check").fetchone()[0]


def test_save_list_load_round_trip(store):
    info = store.save("2027 方案A", SPEC_EXAMPLE)
    assert (info.id, info.name, info.groups, info.villages) == (1, "2027 方案A", 1, 2)
    assert info.created.endswith("+08:00") and info.updated == info.created
    assert store.list() == [info]
    assert store.load("2027 方案A") == SPEC_EXAMPLE
    assert store.load(1) == store.load("1") == SPEC_EXAMPLE
    assert store.path == place(store.folder, "scenarios.sqlite")
    if not is_url(store.path):
        with sqlite3.connect(store.path) as con:
            assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_the_document_takes_the_store_name_and_a_created_time(store):
    doc = {"name": "旧名", "groups": []}
    store.save("新名", doc)
    loaded = store.load("新名")
    assert loaded["name"] == "新名" and loaded["created"].endswith("+08:00")
    assert doc == {"name": "旧名", "groups": []}  # the caller's dict is not changed


def test_duplicate_names_need_overwrite(store):
    first = store.save("方案B", SPEC_EXAMPLE)
    with pytest.raises(StoreError, match="方案“方案B”已存在；如要替换，请选择覆盖保存"):
        store.save(" 方案B ", {"groups": []})
    assert store.load("方案B")["groups"] == SPEC_EXAMPLE["groups"]
    again = store.save("方案B", {"groups": []}, overwrite=True)
    assert ((again.id, again.created, again.groups, again.villages)
            == (first.id, first.created, 0, 0))
    assert again.updated >= first.updated and len(store.list()) == 1


def test_village_count_is_of_distinct_codes(store):
    doc = {"groups": [{"villages": ["a", "b", "c"]}, {"villages": ["c", "d"]}]}
    assert (store.save("x", doc).groups, store.list()[0].villages) == (2, 4)


@pytest.mark.parametrize("name, message", [
    ("", "方案名称不能为空"), ("   ", "方案名称不能为空"), (None, "方案名称应为文字"),
    ("甲" * 101, "方案名称最多 100 个字符（现为 101 个）"),
    ("第一\n第二", "控制字符"), ("a\tb", "控制字符"), ("零\u200b宽", "控制字符"),
    ("\u202egnp.exe", "控制字符"), ("a\x00b", "控制字符"),
])
def test_bad_names_are_refused(store, name, message):
    with pytest.raises(StoreError, match=message):
        store.save(name, SPEC_EXAMPLE)
    assert store.list() == []


def test_a_name_of_100_characters_and_html_are_kept_as_text(store):
    for name in ("甲" * 100, "<script>alert(1)</script>"):
        store.save(name, SPEC_EXAMPLE)
        assert store.load(name)["name"] == name


@pytest.mark.parametrize("document, message", [
    ([1, 2], "方案内容应为 JSON 对象"),
    ({"name": "x"}, "缺少 groups 列表"),
    ({"groups": {"S1": []}}, "缺少 groups 列表"),
    ({"groups": [{"org_id": "S1"}]}, "方案第 1 组的 villages 应为村代码（文字）列表"),
    ({"groups": [{"villages": []}, {"villages": [350481101201]}]}, "方案第 2 组的 villages"),
    ({"groups": [], "when": {1, 2}}, "方案内容无法保存为 JSON"),
    ({"groups": [], "gain": float("nan")}, "方案内容无法保存为 JSON"),
])
def test_malformed_documents_are_refused(store, document, message):
    with pytest.raises(StoreError, match=message):
        store.save("坏方案", document)
    assert store.list() == []


def test_a_digit_name_is_found_before_an_id(store):
    store.save("甲", SPEC_EXAMPLE)
    store.save("1", {"groups": []})
    assert store.load("1")["name"] == "1" and store.load(1)["name"] == "甲"


def test_rename(store):
    store.save("甲", SPEC_EXAMPLE)
    store.save("乙", {"groups": []})
    info = store.rename("甲", " 丙 ")
    assert (info.id, info.name) == (1, "丙") and store.load("丙")["name"] == "丙"
    assert [i.name for i in store.list()] == ["丙", "乙"]
    with pytest.raises(StoreError, match="方案“乙”已存在，不能重名"):
        store.rename("丙", "乙")
    with pytest.raises(StoreError, match="没有名为“甲”的方案"):
        store.rename("甲", "丁")
    with pytest.raises(StoreError, match="控制字符"):
        store.rename("丙", "丁\n戊")
    assert store.rename("丙", "丙").name == "丙"


def test_delete(store):
    store.save("甲", SPEC_EXAMPLE)
    store.save("乙", SPEC_EXAMPLE)
    store.delete("甲")
    assert [i.name for i in store.list()] == ["乙"]
    with pytest.raises(StoreError, match="没有名为“甲”的方案"):
        store.delete("甲")
    with pytest.raises(StoreError, match="没有名为“甲”的方案"):
        store.load("甲")
    store.delete(2)
    assert store.list() == []


def test_a_damaged_file_is_reported(file_store):
    store = file_store
    store.folder.mkdir(parents=True)
    store.path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="方案库 .* 无法打开（文件可能已损坏）"):
        store.list()


def test_two_sessions_saving_at_once(store):
    errors = []

    def save(prefix):
        try:
            for i in range(15):
                store.save(f"{prefix}{i}", scenario_document(i))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(p,)) for p in "甲乙"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(store.list()) == 30 and integrity(store) == "ok"


# ---- killed writers ----------------------------------------------------------
def test_a_writer_killed_in_its_loop_loses_nothing_committed(store):
    """Save scenarios in a loop, SIGKILL after at least 25 commits; every committed one loads."""
    proc = subprocess.Popen([sys.executable, str(KILLER), str(store.folder), "scenarios", "100000"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    committed = []
    try:
        while len(committed) < 25:
            ready, _, _ = select.select([proc.stdout], [], [], 120)
            line = proc.stdout.readline().decode() if ready else ""
            assert line, proc.stderr.read(2000).decode()
            committed.append(line.strip())
    finally:
        proc.kill()
        proc.wait()
    committed += proc.stdout.read().decode().split("\n")[:-1]  # complete lines printed before death
    assert proc.returncode == -9
    assert integrity(store) == "ok"
    names = [i.name for i in store.list()]
    assert names[:len(committed)] == committed and len(names) <= len(committed) + 1
    for info in store.list():
        number = int(info.name.split()[1])
        assert store.load(info.name)["groups"] == scenario_document(number)["groups"]
        assert info.groups == number % 7 + 1 and info.villages == 3 * info.groups


def test_a_writer_killed_before_commit_is_rolled_back(file_store):
    """The killed transaction writes a 3 MB document: SQLite has already put some of
    its pages into the database file, so the next reader must roll the journal back."""
    store = file_store
    for i in range(3):
        store.save(f"旧方案 {i}", scenario_document(i))
    env = dict(os.environ, **{PAUSE_ENV: "scenario_before_commit"})
    size = store.path.stat().st_size
    proc = subprocess.Popen([sys.executable, str(KILLER), str(store.folder), "scenarios", "1",
                             "1000000"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        select.select([proc.stderr], [], [], 120)
        assert proc.stderr.readline().decode().strip() == "PAUSED scenario_before_commit"
        assert Path(f"{store.path}-journal").exists()  # the transaction is under way
    finally:
        proc.kill()
        proc.wait()
    assert store.path.stat().st_size > size  # uncommitted pages reached the file
    # "方案 0000" rolled back
    assert [i.name for i in store.list()] == ["旧方案 0", "旧方案 1", "旧方案 2"]
    assert integrity(store) == "ok"
    assert store.load("旧方案 1")["groups"] == scenario_document(1)["groups"]
    assert store.save("方案 0000", scenario_document(0)).id == 4
    assert not Path(f"{store.path}-journal").exists()  # the next commit clears the old journal


def test_a_postgresql_writer_killed_before_commit_is_rolled_back(pg_url):
    """The same in PostgreSQL: the killed session's transaction is rolled back, its
    writers' lock goes with it, and the next save goes through."""
    store = ScenarioStore(pg_url)
    for i in range(3):
        store.save(f"旧方案 {i}", scenario_document(i))
    env = dict(os.environ, **{PAUSE_ENV: "scenario_before_commit"})
    proc = subprocess.Popen([sys.executable, str(KILLER), pg_url, "scenarios", "1", "1000"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        select.select([proc.stderr], [], [], 120)
        assert proc.stderr.readline().decode().strip() == "PAUSED scenario_before_commit"
        assert [i.name for i in store.list()] == ["旧方案 0", "旧方案 1", "旧方案 2"]
    finally:
        proc.kill()
        proc.wait()
    assert [i.name for i in store.list()] == ["旧方案 0", "旧方案 1", "旧方案 2"]
    assert store.save("方案 0000", scenario_document(0)).name == "方案 0000"
    assert store.load("方案 0000")["groups"] == scenario_document(0)["groups"]
