"""Dataset versions: the data store in the configured data folder (SPEC §6).

Every confirmed import becomes a new, never-changed GeoPackage; one of them
is *current* and is what the dashboard shows.  Layout::

    FOLDER/datasets/manifest.json   every version and which one is current
    FOLDER/datasets/v0001.gpkg      one GeoPackage a version
    FOLDER/datasets/.lock           taken (fcntl.flock) by every writer

The list of versions and the current pointer live in **one** JSON file,
written to a temporary file, fsync'ed, moved over the old one with
``os.replace`` and followed by an fsync of the folder.  A reader therefore
sees either the old or the new manifest, never a mixture, and the pointer can
never name a version the list does not hold.  A version's file is copied and
fsync'ed under a temporary name and renamed into place *before* the manifest
names it, so a crash at any step leaves the previous current version as it
was; what a crash leaves behind (temporary files, a renamed file no manifest
lists) is removed the next time a store is opened and no writer holds the
lock.

>>> import tempfile
>>> store = DataStore(tempfile.mkdtemp())
>>> store.versions(), store.current()
([], None)
>>> store.switch("v0009")
Traceback (most recent call last):
...
geo.store.StoreError: 没有数据版本 'v0009'；数据仓库中还没有任何版本
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from geo import schema as s
from geo.atomic import fsync_path
from geo.clock import now_iso
from geo.dataset import check_geopackage_file

log = logging.getLogger(__name__)

TMP_PREFIX = ".tmp-"
MANIFEST_FORMAT = 1
# Tests only: the name of a step at which a writer stops (and says so on
# stderr) so that a test can kill it there.  Never set in a deployment.
PAUSE_ENV = "DASHBOARD_STORE_PAUSE"
_VERSION_FILE = re.compile(r"^v(\d{4,})\.gpkg$")
_VERSION_ID = re.compile(r"^v\d{4,}$")
_COMPANIONS = ("-wal", "-shm", "-journal")
_CHUNK = 1 << 20


class StoreError(ValueError):
    """A refused operation on a store; the message is for the user (Chinese)."""


@dataclass(frozen=True)
class Version:
    """One dataset version.

    ``created`` is ISO 8601 with +08:00; ``source`` the uploaded file's name;
    ``rows`` the row count of each SPEC §2 layer the GeoPackage holds;
    ``size`` bytes; ``sha256`` the hex digest of the file.
    """

    id: str
    created: str
    note: str
    source: str
    rows: dict = field(hash=False)
    size: int
    sha256: str


def pause_for_test(step: str) -> None:
    """Stop for ten minutes at ``step`` when ``DASHBOARD_STORE_PAUSE`` names it.

    Used only by the kill tests (``tests/geo/store_killer.py``): the writer
    writes ``PAUSED <step>`` to stderr and sleeps until it is killed.
    """
    if os.environ.get(PAUSE_ENV) == step:
        os.write(2, f"PAUSED {step}\n".encode())
        time.sleep(600)


fsync_dir = fsync_path  # a rename or an unlink inside the folder made durable


def write_json_atomic(path: Path, data) -> None:
    """Replace ``path`` by ``data`` as JSON: temporary file, fsync, rename, fsync of the folder."""
    tmp = path.with_name(f"{TMP_PREFIX}{path.name}.{secrets.token_hex(4)}")
    try:
        with open(tmp, "x", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        pause_for_test("manifest_temp_written")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    pause_for_test("manifest_replaced")
    fsync_dir(path.parent)


def clean_text(value, what: str, limit: int) -> str:
    """``value`` as one line of at most ``limit`` characters (control characters become spaces).

    >>> clean_text(" 2024年 导入\\n补充 ", "说明", 100)
    '2024年 导入 补充'
    """
    text = "" if value is None else str(value)
    text = "".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch for ch in text)
    text = " ".join(text.split())
    if len(text) > limit:
        raise StoreError(f"{what}最多 {limit} 个字符（现为 {len(text)} 个）")
    return text


class DataStore:
    """Dataset versions kept in ``folder/datasets`` (see the module docstring).

    Parameters
    ----------
    folder : path
        The data folder (``Settings.folder``).  Nothing is created until the
        first version is added; opening a store removes what an interrupted
        writer left behind when no writer holds the lock.
    lock_timeout : float
        Seconds a writer waits for another writer before refusing.
    """

    def __init__(self, folder, lock_timeout: float = 120.0):
        self.folder = Path(folder)
        self.datasets = self.folder / "datasets"
        self.manifest_path = self.datasets / "manifest.json"
        self.lock_path = self.datasets / ".lock"
        self.lock_timeout = lock_timeout
        self._clean()

    # ---- reading -------------------------------------------------------
    def versions(self) -> list[Version]:
        """Every version, oldest first; :class:`StoreError` when the manifest is damaged."""
        return [_version(item) for item in self._manifest()["versions"]]

    def current(self) -> Version | None:
        """The version in use, or ``None`` when none has been added."""
        manifest = self._manifest()
        if manifest["current"] is None:
            return None
        return _version(self._entry(manifest, manifest["current"]))

    def generation(self) -> tuple[str | None, int]:
        """``(current id, n)``: ``n`` grows with every add, switch and delete (as
        :meth:`geo.pg_store.PgDataStore.generation`)."""
        manifest = self._manifest()
        return manifest["current"], manifest.get("generation", 0)

    def path_of(self, version_id: str) -> Path:
        """The GeoPackage of a listed version; refuses unknown ids."""
        self._entry(self._manifest(), version_id)
        return self.datasets / f"{version_id}.gpkg"

    def verify(self, version_id: str) -> bool:
        """True when the version's file exists and still has its recorded SHA-256."""
        entry = self._entry(self._manifest(), version_id)
        path = self.datasets / f"{version_id}.gpkg"
        return path.is_file() and _sha256(path) == entry["sha256"]

    # ---- writing -------------------------------------------------------
    def add_version(self, gpkg_path, note: str = "", source_name: str = "") -> Version:
        """Copy an already validated GeoPackage in as a new version and make it current.

        Parameters
        ----------
        gpkg_path : path
            A complete GeoPackage (checked by content, not validated again).
        note : str
            The user's remark (at most 500 characters).
        source_name : str
            Name of the uploaded file; defaults to ``gpkg_path``'s name.

        Returns
        -------
        Version
            The new, current version (id ``v0001``, ``v0002`` …; ids are
            never reused, even after a deletion).
        """
        problems = check_geopackage_file(gpkg_path)
        if problems:
            raise StoreError(problems[0].message)
        note = clean_text(note, "版本说明", 500)
        source = clean_text(Path(source_name or gpkg_path).name, "源文件名", 255)
        with self._locked():
            manifest = self._manifest()
            if not self.manifest_path.exists():
                write_json_atomic(self.manifest_path, manifest)
            number = max(manifest["last_id"], self._largest_file_number()) + 1
            version_id = f"v{number:04d}"
            final = self.datasets / f"{version_id}.gpkg"
            tmp = self.datasets / f"{TMP_PREFIX}{version_id}.{secrets.token_hex(4)}.gpkg"
            try:
                size, digest = _copy_hashed(Path(gpkg_path), tmp)
                rows = _row_counts(tmp)
                pause_for_test("copy_written")
                os.replace(tmp, final)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            fsync_dir(self.datasets)
            pause_for_test("file_placed")
            version = Version(version_id, now_iso(), note, source, rows, size, digest)
            manifest["versions"].append(asdict(version))
            manifest.update(current=version_id, last_id=number,
                            generation=manifest.get("generation", 0) + 1)
            write_json_atomic(self.manifest_path, manifest)
        log.info("数据版本 %s 已添加并设为当前版本（%s）", version_id, source)
        return version

    def switch(self, version_id: str) -> Version:
        """Make a listed version current (roll back or forward)."""
        with self._locked():
            manifest = self._manifest()
            entry = self._entry(manifest, version_id)
            path = self.datasets / f"{version_id}.gpkg"
            if not path.is_file():
                raise StoreError(f"数据版本 {version_id} 的文件 {path} 已缺失，无法切换")
            if path.stat().st_size != entry["size"]:
                raise StoreError(f"数据版本 {version_id} 的文件已被改动（大小不符），无法切换")
            if manifest["current"] != version_id:
                manifest["current"] = version_id
                manifest["generation"] = manifest.get("generation", 0) + 1
                write_json_atomic(self.manifest_path, manifest)
                log.info("当前数据版本切换为 %s", version_id)
        return _version(entry)

    def delete(self, version_id: str) -> None:
        """Remove a version that is not current: first from the manifest, then its file."""
        with self._locked():
            manifest = self._manifest()
            self._entry(manifest, version_id)
            if manifest["current"] == version_id:
                raise StoreError(f"不能删除当前使用的数据版本 {version_id}；请先切换到其他版本")
            manifest["versions"] = [v for v in manifest["versions"] if v["id"] != version_id]
            manifest["generation"] = manifest.get("generation", 0) + 1
            write_json_atomic(self.manifest_path, manifest)
            pause_for_test("version_unlisted")
            _unlink_with_companions(self.datasets / f"{version_id}.gpkg")
            fsync_dir(self.datasets)
        log.info("数据版本 %s 已删除", version_id)

    # ---- internals -----------------------------------------------------
    def _manifest(self) -> dict:
        empty = {"format": MANIFEST_FORMAT, "current": None, "last_id": 0, "versions": []}
        try:
            text = self.manifest_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return empty
        except OSError as exc:
            raise StoreError(f"数据仓库清单 {self.manifest_path} 无法读取："
                             f"{exc.strerror or exc}") from None
        try:
            manifest = json.loads(text)
            ids = [v["id"] for v in manifest["versions"]]
            valid = (manifest.get("format") == MANIFEST_FORMAT
                     and (manifest["current"] is None or manifest["current"] in ids)
                     and all(isinstance(i, str) and _VERSION_ID.match(i) for i in ids)
                     and isinstance(manifest["last_id"], int)
                     and all(set(Version.__dataclass_fields__) <= set(v)
                             for v in manifest["versions"]))
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise StoreError(f"数据仓库清单 {self.manifest_path} 已损坏（不是本程序写入的格式），"
                             "请联系管理员从备份恢复")
        return manifest

    def _entry(self, manifest: dict, version_id: str) -> dict:
        for entry in manifest["versions"]:
            if entry["id"] == version_id:
                return entry
        known = "、".join(v["id"] for v in manifest["versions"])
        raise StoreError(f"没有数据版本 {version_id!r}；" +
                         (f"现有版本：{known}" if known else "数据仓库中还没有任何版本"))

    def _largest_file_number(self) -> int:
        numbers = [int(m.group(1)) for name in os.listdir(self.datasets)
                   if (m := _VERSION_FILE.match(name))]
        return max(numbers, default=0)

    @contextmanager
    def _locked(self):
        """Hold the writers' lock; disk errors become a :class:`StoreError`."""
        try:
            self.datasets.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"数据文件夹 {self.folder} 无法写入：{exc.strerror or exc}") from None
        try:
            deadline = time.monotonic() + self.lock_timeout
            while not _try_lock(fd):
                if time.monotonic() > deadline:
                    raise StoreError("数据仓库正被另一个会话写入，请稍后再试")
                time.sleep(0.05)
            yield
        except OSError as exc:  # disk full, permissions: the previous state is kept
            raise StoreError("写入数据仓库失败（原有版本不受影响）："
                             f"{exc.strerror or exc}") from exc
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _clean(self) -> None:
        """Remove temporary files and unlisted version files, when no writer is active."""
        if not self.datasets.is_dir():
            return
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:  # a read-only deployment: nothing to clean then
            log.debug("数据仓库锁文件无法打开：%s", exc)
            return
        try:
            if not _try_lock(fd):
                return
            names = os.listdir(self.datasets)
            stray = [n for n in names if n.startswith(TMP_PREFIX)]
            if self.manifest_path.exists():
                listed = {v["id"] for v in self._manifest()["versions"]}
                stray += [n for n in names
                          if _VERSION_FILE.match(n) and n[:-len(".gpkg")] not in listed]
            for name in stray:
                log.warning("清理中断写入留下的文件 %s", name)
                _unlink_with_companions(self.datasets / name)
        except (OSError, StoreError) as exc:
            log.warning("数据仓库清理未完成：%s", exc)
        finally:
            os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _version(entry: dict) -> Version:
    return Version(**{k: entry[k] for k in Version.__dataclass_fields__})


def _copy_hashed(src: Path, dst: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        while chunk := fin.read(_CHUNK):
            fout.write(chunk)
            digest.update(chunk)
            if size == 0:
                fout.flush()
                pause_for_test("copy_started")
            size += len(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return size, digest.hexdigest()


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _row_counts(path: Path) -> dict:
    """Rows of each SPEC §2 layer in the GeoPackage, read without changing the file."""
    uri = f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
            return {layer: con.execute(f'SELECT COUNT(*) FROM "{layer}"').fetchone()[0]
                    for layer in s.LAYERS if layer in tables}
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"GeoPackage 无法读取（文件可能已损坏）：{exc}") from None


def _unlink_with_companions(path: Path) -> None:
    for suffix in ("", *_COMPANIONS):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
