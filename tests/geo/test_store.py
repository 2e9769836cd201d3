"""Dataset versions (geo.store): adding, switching, deleting, locking, and killed writers.

The versions are the tiny dataset of ``conftest.py`` (4 villages, 6 income
rows, 1 organisation with 2 members, 2 grids, 1 site) and a variant without
the fourth village's income and grids; their row counts are known by hand.
"""
import fcntl
import hashlib
import json
import os
import select
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from geo.dataset import load_dataset
from geo.store import PAUSE_ENV, DataStore, StoreError
from tests.geo.conftest import tiny_layers, write_gpkg

KILLER = Path(__file__).with_name("store_killer.py")
ROOT = Path(__file__).resolve().parents[2]
TINY_ROWS = {"villages": 4, "village_income": 6, "joint_orgs": 1, "joint_members": 2,
             "grids": 2, "service_sites": 1}


def sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def first(tmp_path):
    return write_gpkg(tmp_path / "村界2024.gpkg", tiny_layers())


@pytest.fixture
def second(tmp_path):
    layers = tiny_layers()
    layers = {"villages": layers["villages"].iloc[:3], "village_income": layers["village_income"]}
    return write_gpkg(tmp_path / "second.gpkg", layers)


@pytest.fixture
def store(tmp_path):
    return DataStore(tmp_path / "var")


def test_empty_store_creates_nothing(store):
    assert store.versions() == [] and store.current() is None
    assert not store.folder.exists()


def test_add_version_copies_and_describes_the_file(store, first):
    before = sha256(first)
    v = store.add_version(first, note=" 2024年\n首次导入 ", source_name="/上传/村界2024.gpkg")
    assert (v.id, v.note, v.source) == ("v0001", "2024年 首次导入", "村界2024.gpkg")
    assert v.created.endswith("+08:00") and v.rows == TINY_ROWS
    assert v.size == first.stat().st_size and v.sha256 == before == sha256(store.path_of("v0001"))
    assert store.current() == v and store.versions() == [v]
    assert store.path_of("v0001") == store.datasets / "v0001.gpkg"
    assert len(load_dataset(store.path_of("v0001")).villages) == 4
    first.write_bytes(b"changed later")  # the version is a copy
    assert store.verify("v0001")
    assert sorted(os.listdir(store.datasets)) == [".lock", "manifest.json", "v0001.gpkg"]


def test_switch_rolls_back_and_forward(store, first, second):
    store.add_version(first)
    v2 = store.add_version(second)
    assert store.current().id == "v0002" and v2.rows == {"villages": 3, "village_income": 6}
    assert store.switch("v0001").id == "v0001"
    assert store.current().id == "v0001"
    assert DataStore(store.folder).current().id == "v0001"  # persisted
    store.switch("v0002")
    assert [v.id for v in store.versions()] == ["v0001", "v0002"]


def test_unknown_ids_are_refused_in_chinese(store, first):
    store.add_version(first)
    for call in (store.switch, store.path_of, store.delete, store.verify):
        with pytest.raises(StoreError, match="没有数据版本 'v0042'；现有版本：v0001"):
            call("v0042")


def test_delete_never_the_current_and_ids_are_not_reused(store, first, second):
    store.add_version(first)
    store.add_version(second)
    with pytest.raises(StoreError, match="不能删除当前使用的数据版本 v0002"):
        store.delete("v0002")
    store.switch("v0001")
    store.delete("v0002")
    assert [v.id for v in store.versions()] == ["v0001"]
    assert not (store.datasets / "v0002.gpkg").exists()
    assert store.add_version(second).id == "v0003"


def test_a_file_that_is_not_a_geopackage_is_refused(store, tmp_path, first):
    store.add_version(first)
    fake = tmp_path / "fake.gpkg"
    fake.write_text("<OGRVRTDataSource/>", encoding="utf-8")
    with pytest.raises(StoreError, match="不是 GeoPackage"):
        store.add_version(fake)
    assert [v.id for v in store.versions()] == ["v0001"] and store.current().id == "v0001"


def test_switch_refuses_a_changed_or_missing_file(store, first, second):
    store.add_version(first)
    store.add_version(second)
    with open(store.datasets / "v0001.gpkg", "ab") as fh:
        fh.write(b"x")
    with pytest.raises(StoreError, match="v0001 的文件已被改动"):
        store.switch("v0001")
    assert not store.verify("v0001")
    (store.datasets / "v0001.gpkg").unlink()
    with pytest.raises(StoreError, match="v0001 的文件 .* 已缺失"):
        store.switch("v0001")
    assert store.current().id == "v0002"


def test_a_damaged_manifest_is_reported_not_guessed(store, first):
    store.add_version(first)
    store.manifest_path.write_text('{"versions": [', encoding="utf-8")
    with pytest.raises(StoreError, match="数据仓库清单 .* 已损坏"):
        store.current()
    reopened = DataStore(store.folder)  # cleaning skips a damaged manifest ...
    assert (reopened.datasets / "v0001.gpkg").exists()  # ... and deletes nothing


def test_opening_cleans_what_a_crash_left(store, first):
    store.add_version(first)
    for name in (".tmp-v0002.ab12.gpkg", ".tmp-manifest.json.cd34", "v0007.gpkg", "v0007.gpkg-wal"):
        (store.datasets / name).write_bytes(b"half")
    DataStore(store.folder)
    assert sorted(os.listdir(store.datasets)) == [".lock", "manifest.json", "v0001.gpkg"]
    assert store.verify("v0001")


def test_cleaning_waits_for_no_writer(store, first):
    store.add_version(first)
    stray = store.datasets / ".tmp-v0002.ab12.gpkg"
    stray.write_bytes(b"being written")
    fd = os.open(store.lock_path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # a writer in progress
    try:
        DataStore(store.folder)
        assert stray.exists()
        with pytest.raises(StoreError, match="数据仓库正被另一个会话写入"):
            DataStore(store.folder, lock_timeout=0.2).switch("v0001")
    finally:
        os.close(fd)
    DataStore(store.folder)
    assert not stray.exists()


def test_concurrent_writers_get_distinct_versions(store, first, second):
    errors = []

    def add(path, note):
        try:
            for i in range(3):
                DataStore(store.folder).add_version(path, note=f"{note}{i}")
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(p, n)) for p, n in ((first, "a"), (second, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ids = [v.id for v in store.versions()]
    assert ids == [f"v{i:04d}" for i in range(1, 7)]
    assert sorted(v.note for v in store.versions()) == ["a0", "a1", "a2", "b0", "b1", "b2"]
    assert all(store.verify(i) for i in ids)


# ---- killed writers ----------------------------------------------------------
def kill_at(step: str, *args) -> None:
    """Run the killer until it pauses at ``step``, then SIGKILL it."""
    env = dict(os.environ, **{PAUSE_ENV: step})
    proc = subprocess.Popen([sys.executable, str(KILLER), *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        ready, _, _ = select.select([proc.stderr], [], [], 120)
        line = proc.stderr.readline().decode() if ready else ""
        assert line.strip() == f"PAUSED {step}", line + proc.stderr.read(2000).decode()
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -9


def listed_files(store) -> list[str]:
    return sorted(os.listdir(store.datasets))


@pytest.mark.parametrize("step", ["copy_started", "copy_written", "file_placed",
                                  "manifest_temp_written"])
def test_killed_import_keeps_the_previous_version(store, first, second, step):
    v1 = store.add_version(first)
    kill_at(step, store.folder, "add", second)
    reopened = DataStore(store.folder)
    assert reopened.current() == v1 and reopened.versions() == [v1]
    assert sha256(reopened.path_of("v0001")) == v1.sha256
    assert listed_files(reopened) == [".lock", "manifest.json", "v0001.gpkg"]
    assert len(load_dataset(reopened.path_of("v0001")).villages) == 4
    assert reopened.add_version(second).id == "v0002"


def test_killed_after_the_switch_has_the_complete_new_version(store, first, second):
    store.add_version(first)
    kill_at("manifest_replaced", store.folder, "add", second)
    reopened = DataStore(store.folder)
    assert reopened.current().id == "v0002" and reopened.verify("v0002")
    assert reopened.current().rows == {"villages": 3, "village_income": 6}
    assert listed_files(reopened) == [".lock", "manifest.json", "v0001.gpkg", "v0002.gpkg"]


def test_killed_switch_changes_nothing(store, first, second):
    store.add_version(first)
    v2 = store.add_version(second)
    kill_at("manifest_temp_written", store.folder, "switch", "v0001")
    reopened = DataStore(store.folder)
    assert reopened.current() == v2 and [v.id for v in reopened.versions()] == ["v0001", "v0002"]
    assert listed_files(reopened) == [".lock", "manifest.json", "v0001.gpkg", "v0002.gpkg"]


def test_killed_delete_leaves_no_listed_version_without_file(store, first, second):
    store.add_version(first)
    v2 = store.add_version(second)
    kill_at("version_unlisted", store.folder, "delete", "v0001")
    reopened = DataStore(store.folder)
    assert reopened.current() == v2 and reopened.versions() == [v2]
    assert listed_files(reopened) == [".lock", "manifest.json", "v0002.gpkg"]


def test_a_writer_in_another_process_holds_the_lock(store, first, second):
    """While a killed-later writer pauses inside the lock, this process waits, then proceeds."""
    store.add_version(first)
    env = dict(os.environ, **{PAUSE_ENV: "file_placed"})
    proc = subprocess.Popen([sys.executable, str(KILLER), str(store.folder), "add", str(second)],
                            cwd=ROOT, env=env, stderr=subprocess.PIPE)
    try:
        select.select([proc.stderr], [], [], 120)
        assert proc.stderr.readline().decode().strip() == "PAUSED file_placed"
        with pytest.raises(StoreError, match="正被另一个会话写入"):
            DataStore(store.folder, lock_timeout=0.3).add_version(second)
    finally:
        proc.kill()
        proc.wait()
    assert (store.datasets / "v0002.gpkg").exists()  # placed, never listed ...
    reopened = DataStore(store.folder)  # ... and removed on the next open
    assert not (store.datasets / "v0002.gpkg").exists()
    assert reopened.add_version(second).id == "v0002"
    manifest = json.loads(store.manifest_path.read_text(encoding="utf-8"))
    assert [v["id"] for v in manifest["versions"]] == ["v0001", "v0002"]


def test_a_disk_error_is_reported_and_keeps_the_previous_version(store, first, second,
                                                                  monkeypatch):
    v1 = store.add_version(first)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("geo.store.os.fsync", full)
    with pytest.raises(StoreError, match="写入数据仓库失败（原有版本不受影响）：No space left"):
        store.add_version(second)
    monkeypatch.undo()
    reopened = DataStore(store.folder)
    assert reopened.versions() == [v1] and reopened.verify("v0001")
    assert listed_files(reopened) == [".lock", "manifest.json", "v0001.gpkg"]


def test_an_unwritable_folder_is_reported(tmp_path, first):
    blocker = tmp_path / "var"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    with pytest.raises(StoreError, match="数据文件夹 .* 无法写入"):
        DataStore(blocker).add_version(first)


def test_a_folder_name_with_spaces_and_uri_characters(tmp_path, first):
    store = DataStore(tmp_path / "数据 #1 %20?")
    assert store.add_version(first).rows == TINY_ROWS
