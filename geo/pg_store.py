"""Dataset versions in PostgreSQL/PostGIS (``dashboard.toml [store] url``): the
same contract as :class:`geo.store.DataStore`, shared by every app process.

Layout in the database (beside the other stores' tables)::

    dataset_versions   one row a version (id 'v0001' …, created, note, source, rows, size, sha256)
    dataset_layers     one row a layer of a version: columns (an Arrow schema), geometry
                       column and type, CRS, SRID, row count and content digest
    dataset_store      one row: the current version, the last number given, a generation
                       counter (bumped by every add, switch, delete) and a random store id
    ds_v0001.villages  … one schema a version, one real table a SPEC §2 layer, with the
                       GeoPackage's columns and a PostGIS geometry column in the layer's SRID

A version is written in **one** transaction: its schema, its tables (``COPY``),
its rows in ``dataset_versions``/``dataset_layers`` and the current pointer.  A
writer killed at any point leaves nothing of it and the previous version
current; DDL is transactional in PostgreSQL.  Writers hold a transaction-scoped
advisory lock (:data:`WRITERS_KEY`), tried with ``pg_try_advisory_xact_lock`` then
waited for up to ``lock_timeout``; a second import is refused with
:class:`~geo.store.StoreError` 数据仓库正被另一个会话写入，请稍后再试 (the words of
:class:`geo.store.DataStore`).

``size`` and ``sha256`` describe the imported GeoPackage; the tables carry their own
digest (a SHA-256 over every row's text, computed by the server), which
:meth:`PgDataStore.verify` recomputes.  :meth:`PgDataStore.path_of` gives a local
GeoPackage of a version, written once from the tables into a cache folder
(``<tmp>/lianjian-pg-cache-<uid>/<store key>/v0001-<sha12>.gpkg``, temporary name then
rename): the rest of the app reads GeoPackages.  It holds the same layers, columns
(types from the recorded Arrow schema), rows in the same order, geometry and CRS as
the imported file.

Layers are read and written by :mod:`geo.pg_layers`.  No example runs here: it
needs a server (``tests/geo/test_pg_store.py`` has them).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from geo.clock import now_iso
from geo.dataset import check_geopackage_file
from geo.db import open_database, shown
from geo.pg_layers import (STABLE_TEXT, Layer, copy_layer, file_digest, read_layers,
                           schema_name, srid_of, table_content, table_exists,
                           write_geopackage)
from geo.store import StoreError, Version, clean_text, pause_for_test

log = logging.getLogger(__name__)

WHAT = "数据仓库"
BUSY = f"{WHAT}正被另一个会话写入，请稍后再试"
# The writers' advisory lock.  Not the key geo.db takes around a store's set-up, so
# that a process starting during a long import is not held up by it.
WRITERS_KEY = int.from_bytes(hashlib.sha256(f"{WHAT}:写入".encode()).digest()[:8], "big",
                             signed=True)
STALE_TEMP_SECONDS = 86_400
_SCHEMA_NAME = re.compile(r"^ds_v(\d{4,})$")
_CACHED = re.compile(r"^(v\d{4,})-([0-9a-f]{12})\.gpkg$")
_SETUP = (
    """CREATE TABLE IF NOT EXISTS dataset_versions (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    created TEXT NOT NULL,
    note TEXT NOT NULL,
    source TEXT NOT NULL,
    layer_rows TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS dataset_layers (
    version_id TEXT NOT NULL REFERENCES dataset_versions (id) ON DELETE CASCADE,
    layer TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    fid_column TEXT NOT NULL,
    geometry_column TEXT,
    geometry_type TEXT,
    crs TEXT,
    srid INTEGER NOT NULL DEFAULT 0,
    arrow_schema BYTEA NOT NULL,
    row_count BIGINT NOT NULL,
    digest TEXT NOT NULL,
    PRIMARY KEY (version_id, layer))""",
    """CREATE TABLE IF NOT EXISTS dataset_store (
    one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    current_id TEXT REFERENCES dataset_versions (id),
    last_number INTEGER NOT NULL DEFAULT 0,
    generation BIGINT NOT NULL DEFAULT 0,
    store_id TEXT NOT NULL)""",
)


def _setup(con) -> None:
    for statement in _SETUP:
        con.raw.execute(statement)
    con.raw.execute("INSERT INTO dataset_store (store_id) VALUES (%s) ON CONFLICT DO NOTHING",
                    (secrets.token_hex(8),))


def _unknown(version_id: str, known: list[str]) -> StoreError:
    return StoreError(f"没有数据版本 {version_id!r}；" +
                      (f"现有版本：{'、'.join(known)}" if known else "数据仓库中还没有任何版本"))


class PgDataStore:
    """Dataset versions in the PostgreSQL database ``url`` (see the module docstring).

    Parameters
    ----------
    url : str
        ``postgresql://user@host:port/database``; PostGIS must be installed in it.
    lock_timeout : float
        Seconds a writer waits for another writer before refusing (0: refuse at once).
    cache_dir : path, optional
        Where :meth:`path_of` writes GeoPackages; default a folder of this OS user in
        the system's temporary directory.
    """

    def __init__(self, url: str, lock_timeout: float = 120.0, cache_dir=None):
        self.url = url
        self.lock_timeout = lock_timeout
        self.cache_root = Path(cache_dir) if cache_dir else (
            Path(tempfile.gettempdir()) / f"lianjian-pg-cache-{os.getuid()}")
        self._cache_key: str | None = None

    # ---- reading -------------------------------------------------------
    def versions(self) -> list[Version]:
        """Every version, oldest first."""
        with self._reading() as raw:
            return [_version(r) for r in raw.execute(
                "SELECT id, created, note, source, layer_rows, size, sha256 "
                "FROM dataset_versions ORDER BY number")]

    def current(self) -> Version | None:
        """The version in use, or ``None`` when none has been added."""
        with self._reading() as raw:
            row = raw.execute("SELECT v.id, v.created, v.note, v.source, v.layer_rows, v.size, "
                              "v.sha256 FROM dataset_store s JOIN dataset_versions v "
                              "ON v.id = s.current_id").fetchone()
        return _version(row) if row else None

    def generation(self) -> tuple[str | None, int]:
        """``(current id, n)``: n grows with every add, switch and delete — one cheap query,
        for other processes to notice a change on their next rerun."""
        with self._reading() as raw:
            current, number = raw.execute(
                "SELECT current_id, generation FROM dataset_store").fetchone()
        return current, number

    def last_number(self) -> int:
        """The number of the newest version ever added (ids are never reused)."""
        with self._reading() as raw:
            return raw.execute("SELECT last_number FROM dataset_store").fetchone()[0]

    def path_of(self, version_id: str) -> Path:
        """A local GeoPackage of a listed version, written from the tables once (cached)."""
        with self._reading() as raw:
            version = self._entry(raw, version_id)
            folder = self.cache_root / self._key(raw)
        path = folder / f"{version_id}-{version.sha256[:12]}.gpkg"
        if path.is_file():
            return path
        tmp = folder / f".tmp-{version_id}-{secrets.token_hex(4)}.gpkg"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with self._reading() as raw:
                self._materialise(raw, version_id, tmp)
                listed = {(i, sha[:12]) for i, sha in
                          raw.execute("SELECT id, sha256 FROM dataset_versions")}
            os.replace(tmp, path)
        except OSError as exc:
            raise StoreError(f"数据版本 {version_id} 无法写出到缓存文件夹 {folder}："
                             f"{exc.strerror or exc}") from None
        finally:
            tmp.unlink(missing_ok=True)
        _prune(folder, listed)
        return path

    def verify(self, version_id: str) -> bool:
        """True when every table of the version is there with its recorded rows and digest."""
        with self._reading() as raw:
            version = self._entry(raw, version_id)
            layers = raw.execute("SELECT layer, fid_column, row_count, digest FROM dataset_layers"
                                 " WHERE version_id = %s", (version_id,)).fetchall()
            raw.execute("BEGIN READ ONLY")
            try:
                for statement in STABLE_TEXT:
                    raw.execute(statement)
                found = {}
                for layer, fid, rows, digest in layers:
                    if not table_exists(raw, schema_name(version_id), layer):
                        return False
                    found[layer] = table_content(raw, schema_name(version_id), layer, fid)
                    if found[layer] != (rows, digest):
                        return False
            finally:
                raw.execute("COMMIT")
        return {layer: rows for layer, (rows, _) in found.items()} == version.rows

    # ---- writing -------------------------------------------------------
    def add_version(self, gpkg_path, note: str = "", source_name: str = "") -> Version:
        """Copy a GeoPackage's SPEC §2 layers in as a new version and make it current
        (:meth:`geo.store.DataStore.add_version`: id ``v0001`` …, never reused)."""
        problems = check_geopackage_file(gpkg_path)
        if problems:
            raise StoreError(problems[0].message)
        note = clean_text(note, "版本说明", 500)
        source = clean_text(Path(source_name or gpkg_path).name, "源文件名", 255)
        size, digest = file_digest(gpkg_path)
        layers = read_layers(gpkg_path)
        with self.transaction() as raw:
            number = _next_number(raw)
            version = Version(f"v{number:04d}", now_iso(), note, source,
                              {layer.name: layer.table.num_rows for layer in layers},
                              size, digest)
            self.write_version(raw, version, layers)
            raw.execute("UPDATE dataset_store SET current_id = %s, generation = generation + 1",
                        (version.id,))
            pause_for_test("version_listed")
        log.info("数据版本 %s 已添加并设为当前版本（%s）", version.id, source)
        return version

    def switch(self, version_id: str) -> Version:
        """Make a listed version current (roll back or forward)."""
        with self.transaction() as raw:
            version = self._entry(raw, version_id)
            for (layer,) in raw.execute("SELECT layer FROM dataset_layers WHERE version_id = %s",
                                        (version_id,)).fetchall():
                if not table_exists(raw, schema_name(version_id), layer):
                    raise StoreError(f"数据版本 {version_id} 的数据表 "
                                     f"{schema_name(version_id)}.{layer} 已缺失，无法切换")
            changed = raw.execute("UPDATE dataset_store SET current_id = %s, "
                                  "generation = generation + 1 WHERE current_id IS DISTINCT "
                                  "FROM %s", (version_id, version_id)).rowcount
            pause_for_test("pointer_moved")
        if changed:
            log.info("当前数据版本切换为 %s", version_id)
        return version

    def delete(self, version_id: str) -> None:
        """Remove a version that is not current: its rows and its schema, in one transaction."""
        with self.transaction() as raw:
            self._entry(raw, version_id)
            current = raw.execute("SELECT current_id FROM dataset_store").fetchone()[0]
            if current == version_id:
                raise StoreError(f"不能删除当前使用的数据版本 {version_id}；请先切换到其他版本")
            raw.execute("DELETE FROM dataset_versions WHERE id = %s", (version_id,))
            raw.execute("UPDATE dataset_store SET generation = generation + 1")
            pause_for_test("version_unlisted")
            raw.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema_name(version_id))))
        log.info("数据版本 %s 已删除", version_id)

    @contextmanager
    def transaction(self):
        """A psycopg connection inside ``BEGIN`` … ``COMMIT`` holding the writers' lock
        (refused after ``lock_timeout`` s); ``ROLLBACK`` when the body raises."""
        with open_database(self.url, self.lock_timeout, _setup, WHAT) as con:
            raw = con.raw
            raw.execute("BEGIN")
            try:
                self._lock(raw)
                yield raw
            except BaseException:
                try:
                    raw.execute("ROLLBACK")
                except psycopg.Error:  # the connection is gone; so is the transaction
                    pass
                raise
            raw.execute("COMMIT")

    def write_version(self, raw, version: Version, layers: list[Layer]) -> None:
        """Inside :meth:`transaction`: the version's schema, tables and rows (it does not
        become current; the caller moves the pointer)."""
        schema = schema_name(version.id)
        raw.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        raw.execute("INSERT INTO dataset_versions (id, number, created, note, source, layer_rows, "
                    "size, sha256) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                    (version.id, int(version.id[1:]), version.created, version.note,
                     version.source, json.dumps(version.rows, ensure_ascii=False),
                     version.size, version.sha256))
        for statement in STABLE_TEXT:
            raw.execute(statement)
        written = {}
        for ordinal, layer in enumerate(layers):
            srid = srid_of(raw, layer.crs) if layer.geometry else 0
            copy_layer(raw, schema, layer, srid)
            if ordinal == 0:
                pause_for_test("copy_started")
            rows, digest = table_content(raw, schema, layer.name, layer.fid)
            written[layer.name] = rows
            raw.execute("INSERT INTO dataset_layers (version_id, layer, ordinal, fid_column, "
                        "geometry_column, geometry_type, crs, srid, arrow_schema, row_count, "
                        "digest) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        (version.id, layer.name, ordinal, layer.fid, layer.geometry,
                         layer.geometry_type, layer.crs, srid,
                         layer.table.schema.serialize().to_pybytes(), rows, digest))
        if written != version.rows:
            raise StoreError(f"数据版本 {version.id} 写入的行数 {written} 与记录的 "
                             f"{version.rows} 不符")
        pause_for_test("copy_written")
        raw.execute("UPDATE dataset_store SET last_number = GREATEST(last_number, %s)",
                    (int(version.id[1:]),))

    # ---- internals -----------------------------------------------------
    @contextmanager
    def _reading(self):
        with open_database(self.url, self.lock_timeout, _setup, WHAT) as con:
            yield con.raw

    def _lock(self, raw) -> None:
        key = WRITERS_KEY
        if raw.execute("SELECT pg_try_advisory_xact_lock(%s)", (key,)).fetchone()[0]:
            return
        if self.lock_timeout <= 0:
            raise StoreError(BUSY)
        raw.execute(f"SET LOCAL lock_timeout = '{max(1, int(self.lock_timeout * 1000))}ms'")
        raw.execute("SELECT pg_advisory_xact_lock(%s)", (key,))  # LockNotAvailable: BUSY

    def _entry(self, raw, version_id: str) -> Version:
        row = raw.execute("SELECT id, created, note, source, layer_rows, size, sha256 "
                          "FROM dataset_versions WHERE id = %s", (str(version_id),)).fetchone()
        if row is None:
            known = [r[0] for r in raw.execute("SELECT id FROM dataset_versions ORDER BY number")]
            raise _unknown(version_id, known)
        return _version(row)

    def _key(self, raw) -> str:
        """The cache folder's name: the URL (without password) and the store's random id."""
        if self._cache_key is None:
            store_id = raw.execute("SELECT store_id FROM dataset_store").fetchone()[0]
            self._cache_key = hashlib.sha256(
                f"{shown(self.url)}\n{store_id}".encode()).hexdigest()[:16]
        return self._cache_key

    def _materialise(self, raw, version_id: str, target: Path) -> None:
        """Write the version's tables as the GeoPackage ``target`` (one snapshot)."""
        layers = raw.execute("SELECT layer, fid_column, geometry_column, geometry_type, crs, "
                             "arrow_schema FROM dataset_layers WHERE version_id = %s "
                             "ORDER BY ordinal", (version_id,)).fetchall()
        raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            write_geopackage(raw, schema_name(version_id), layers, target)
        finally:
            raw.execute("COMMIT")


def _version(row) -> Version:
    ident, created, note, source, rows, size, digest = row
    return Version(ident, created, note, source, json.loads(rows), size, digest)


def _next_number(raw) -> int:
    """One more than the last number given and than any ``ds_v…`` schema there is."""
    last = raw.execute("SELECT last_number FROM dataset_store").fetchone()[0]
    schemas = [int(m.group(1)) for (name,) in raw.execute("SELECT nspname FROM pg_namespace")
               if (m := _SCHEMA_NAME.match(name))]
    return max([last, *schemas]) + 1


def _prune(folder: Path, listed: set) -> None:
    """Remove cached files of versions no longer listed, and temporary files a killed
    process left long ago."""
    try:
        for entry in os.scandir(folder):
            match = _CACHED.match(entry.name)
            stale = (entry.name.startswith(".tmp-")
                     and entry.stat().st_mtime < time.time() - STALE_TEMP_SECONDS)
            if stale or (match and match.groups() not in listed):
                os.unlink(entry.path)
    except OSError as exc:  # another process pruned first, a read-only folder: harmless
        log.debug("缓存文件夹 %s 未清理：%s", folder, exc)
