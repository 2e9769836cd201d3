"""Copying the whole store between a data folder and PostgreSQL
(``python -m analysis store migrate --from LOCATION --to LOCATION``).

What is copied: every dataset version (same ids, created, notes, source names, row
counts; the same one current; ids never given yet stay never given), and every
row of the SQL stores' tables — ``scenarios``, ``scenario_steps`` (方案库),
``accounts``, ``sessions``, ``audit`` (账号库), ``sequences`` (汇报序列库) — with
their ids, times, owners, statuses, revisions and hashes; the id counters follow
(PostgreSQL ``setval``, SQLite ``sqlite_sequence``).  Audit rows are only
inserted.  Tables are opened with each store's own set-up, so that the target's
tables exist as the app makes them.

The target must be empty (no version, no row), else nothing is written.  Into
PostgreSQL everything is written in **one** transaction holding the writers'
locks of every store; into a folder it is first written into a temporary folder
beside it, counted there, then moved in (renames).  Afterwards the target is
counted again and the counts are returned (:class:`Count`).

A version copied to a folder is a GeoPackage written from PostGIS, so its
``size`` and ``sha256`` are those of the new file; into PostgreSQL the recorded
ones are kept.  The import's remembered column mappings and village-name picks
(:mod:`geo.remembered`) are copied last.

>>> [label for label, _, _ in DATABASES]
['方案库', '账号库', '汇报序列库']
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from geo import audit, sequence_store
from geo.accounts import AccountStore
from geo.atomic import fsync_path
from geo.db import PgConnection, is_url, shown
from geo.remembered import read_text, update_text
from geo.scenario_store import ScenarioStore
from geo.sequence_store import SequenceStore
from geo.store import MANIFEST_FORMAT, DataStore, StoreError, Version, write_json_atomic

# (label, file in a data folder, the store that opens it with its set-up), in writing order.
DATABASES = (
    ("方案库", "scenarios.sqlite", ScenarioStore),
    ("账号库", audit.DATABASE, AccountStore),
    ("汇报序列库", sequence_store.DATABASE, SequenceStore),
)
TABLES = {"方案库": ("scenarios", "scenario_steps"),
          "账号库": ("accounts", "sessions", "audit"),
          "汇报序列库": ("sequences",)}
NO_ID = {"sessions": "token_hash"}  # tables keyed by another column (no id counter)
VERSIONS = "数据版本"
# What an import remembers (geo.ingest.columns, geo.ingest.by_name).
REMEMBERED = ("column_maps.json", "village_names.json")


class MigrationWritten(StoreError):
    """Refused or failed after the target was (perhaps partly) written: the message says what
    to check.  Every other :class:`~geo.store.StoreError` of :func:`migrate` leaves the
    target as it was."""


@dataclass(frozen=True)
class Count:
    """One line of the check: a table (or ``数据版本 v0001``, or ``当前数据版本``) and
    what the source and the target hold (rows, or a version id)."""

    name: str
    source: int | str
    target: int | str


@dataclass
class _Rows:
    columns: tuple
    rows: list
    counter: int  # the id counter (0: none)


def data_store(location):
    """The dataset versions at ``location``: a folder or a ``postgresql://`` URL."""
    if is_url(location):
        try:
            from geo.pg_store import PgDataStore
        except ModuleNotFoundError as exc:
            raise StoreError(f"使用 PostgreSQL 需要安装 {exc.name}"
                             "（pip install psycopg）") from None
        return PgDataStore(location)
    return DataStore(location)


def migrate(source, target) -> list[Count]:
    """Copy the store at ``source`` into the empty ``target`` (folders or URLs); the counts
    of both after copying.  :class:`~geo.store.StoreError` (Chinese) when refused."""
    source, target = _location(source, "源"), _location(target, "目标")
    if source == target:
        raise StoreError(f"源和目标是同一个位置：{shown(source)}")
    if not is_url(source) and not Path(source).is_dir():
        raise StoreError(f"源数据文件夹 {source} 不存在")
    src = data_store(source)
    versions, current = src.versions(), src.current()
    for version in versions:
        if not src.verify(version.id):
            raise StoreError(f"源中的数据版本 {version.id} 校验不通过（数据已被改动或缺失），"
                             "迁移中止；请先修复或删除该版本")
    items = [(version, src.path_of(version.id)) for version in versions]
    tables = _read_tables(source)
    last = max([_last_number(src), *(int(v.id[1:]) for v in versions)])
    expected = _counts(versions, current, tables)
    try:
        if is_url(target):
            _write_database(target, items, current, last, tables, expected)
        else:
            _write_folder(Path(target), items, current, last, tables, expected)
    except OSError as exc:
        raise StoreError(f"写入目标 {shown(target)} 失败：{exc.strerror or exc}") from None
    remembered = _copy_remembered(source, target)
    found = _target_counts(target)
    try:
        _compare(expected, found, "迁移已写入目标，但再次核对时")
    except StoreError as exc:
        raise MigrationWritten(f"{exc}；请检查目标 {shown(target)}") from None
    return [Count(name, number, found[name]) for name, number in expected.items()] + remembered


def _copy_remembered(source, target) -> list[Count]:
    """The import's remembered texts (:data:`REMEMBERED`), copied after the rest: a
    text the source cannot read is left behind with a warning line of the check."""
    counts = []
    for name in REMEMBERED:
        try:
            text = read_text(source, name)
        except OSError:
            text = None
        if text is not None:
            update_text(target, name, lambda old, text=text: text)
        counts.append(Count(f"导入记录 {name}", int(text is not None),
                            int(read_text(target, name) == text) if text is not None else 0))
    return counts


# ---- reading ------------------------------------------------------------------
def _location(location, what: str):
    text = str(location).strip()
    if is_url(text):
        return text
    if "://" in text:
        raise StoreError(f"{what} {text!r} 既不是数据文件夹，也不是 postgresql:// 地址")
    return str(Path(text).resolve())


def _read_tables(location) -> dict[str, _Rows]:
    """Every row of every table of the SQL stores at ``location`` (a missing SQLite file
    counts as empty and is not created)."""
    found = {}
    for label, filename, store in DATABASES:
        if not is_url(location) and not (Path(location) / filename).is_file():
            found.update({t: _Rows((), [], 0) for t in TABLES[label]})
            continue
        with store(location)._connection() as con:
            for table in TABLES[label]:
                cursor = con.execute(f"SELECT * FROM {table} ORDER BY {NO_ID.get(table, 'id')}")
                columns = tuple(d[0] for d in cursor.description)
                found[table] = _Rows(columns, cursor.fetchall(),
                                     0 if table in NO_ID else _counter(con, table))
    return found


def _counter(con, table: str) -> int:
    """The last id the table has given (deleted rows included)."""
    if getattr(con, "dialect", "sqlite") == "sqlite":
        row = con.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
        return int(row[0]) if row else 0
    name = con.execute("SELECT pg_get_serial_sequence(?, 'id')", (table,)).fetchone()[0]
    return con.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END "
                       f"FROM {name}").fetchone()[0]


def _last_number(store) -> int:
    if isinstance(store, DataStore):
        if not store.manifest_path.is_file():
            return 0
        return int(json.loads(store.manifest_path.read_text(encoding="utf-8"))["last_id"])
    return store.last_number()


def _counts(versions, current, tables) -> dict:
    counts = {f"{VERSIONS} {v.id}": sum(v.rows.values()) for v in versions}
    counts[f"当前{VERSIONS}"] = current.id if current else "—"
    counts.update({table: len(rows.rows) for table, rows in tables.items()})
    return counts


def _target_counts(location) -> dict:
    """The target counted afresh: each version's rows (after its check), the current
    version, each table's rows."""
    store = data_store(location)
    counts = {}
    for version in store.versions():
        counts[f"{VERSIONS} {version.id}"] = (sum(version.rows.values())
                                              if store.verify(version.id) else "校验不通过")
    current = store.current()
    counts[f"当前{VERSIONS}"] = current.id if current else "—"
    for label, filename, opener in DATABASES:
        if not is_url(location) and not (Path(location) / filename).is_file():
            counts.update({t: 0 for t in TABLES[label]})
            continue
        with opener(location)._connection() as con:
            for table in TABLES[label]:
                counts[table] = con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    return counts


def _compare(expected: dict, found: dict, when: str) -> None:
    wrong = [f"{name}（源 {number}，目标 {found.get(name, '无')}）"
             for name, number in expected.items() if found.get(name) != number]
    wrong += [f"{name}（源 无，目标 {number}）" for name, number in found.items()
              if name not in expected]
    if wrong:
        raise StoreError(f"{when}计数不一致：{'；'.join(wrong)}")


def _refuse_non_empty(target, counts: dict) -> None:
    held = [f"{name} {number} {'个' if name == VERSIONS else '行'}"
            for name, number in counts.items() if number]
    if held:
        raise StoreError(f"目标 {shown(target)} 不是空的（已有 {'、'.join(held)}）；"
                         "迁移只写入空的目标，请换一个新的数据文件夹或空数据库")


# ---- writing into PostgreSQL: one transaction -----------------------------------
def _write_database(url: str, items, current, last: int, tables, expected) -> None:
    from geo.pg_layers import read_layers

    target = data_store(url)
    for _, _, store in DATABASES:  # each store's tables, made by its own set-up
        with store(url)._connection():
            pass
    with target.transaction() as raw:
        for label, _, _ in DATABASES:  # keep every writer of the app out meanwhile
            raw.execute("SELECT pg_advisory_xact_lock(%s)",
                        (PgConnection(raw, label, 0).lock_key,))
        held = {VERSIONS: raw.execute("SELECT COUNT(*) FROM dataset_versions").fetchone()[0]}
        held.update({t: raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                     for t in tables})
        _refuse_non_empty(url, held)
        for version, path in items:
            target.write_version(raw, version, read_layers(path))
        raw.execute("UPDATE dataset_store SET current_id = %s, last_number = GREATEST("
                    "last_number, %s), generation = generation + 1",
                    (current.id if current else None, last))
        for table, rows in tables.items():
            if rows.rows:
                marks = ", ".join(["%s"] * len(rows.columns))
                raw.cursor().executemany(f"INSERT INTO {table} ({', '.join(rows.columns)}) "
                                         f"VALUES ({marks})", rows.rows)
            if table not in NO_ID:
                top = max([rows.counter, *(r[rows.columns.index("id")] for r in rows.rows)])
                if top:
                    raw.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                                (table, top))
        written = {t: raw.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
        _compare({t: expected[t] for t in tables}, written, "写入后（尚未提交）")


# ---- writing into a folder: a temporary folder beside it, then renames ------------
def _write_folder(target: Path, items, current, last: int, tables, expected) -> None:
    held = {VERSIONS: len(DataStore(target).versions())}
    if target.is_dir():
        held.update(_table_rows(target))
    _refuse_non_empty(target, held)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.parent / f".{target.name}.migrating-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    try:
        _restore_versions(work, items, current, last)
        for label, filename, store in DATABASES:
            with store(work)._connection() as con:
                con.execute("BEGIN IMMEDIATE")
                for table in TABLES[label]:
                    _insert_sqlite(con, table, tables[table])
                con.execute("COMMIT")
        _compare(expected, _target_counts(work), "写入临时文件夹后")
        try:
            _move_in(work, target)
        except OSError as exc:
            raise MigrationWritten(f"移入目标文件夹 {target} 时中断（{exc.strerror or exc}），"
                                   "目标中可能只有部分内容；请清空后重试") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _table_rows(folder: Path) -> dict:
    counts = {}
    for label, filename, store in DATABASES:
        if (folder / filename).is_file():
            with store(folder)._connection() as con:
                counts.update({t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                               for t in TABLES[label]})
    return counts


def _restore_versions(folder: Path, items, current, last: int) -> None:
    """``folder/datasets`` with the versions under their own ids, and the manifest."""
    datasets = DataStore(folder).datasets
    datasets.mkdir(parents=True)
    entries = []
    for version, path in items:
        final = datasets / f"{version.id}.gpkg"
        shutil.copyfile(path, final)
        fsync_path(final)
        entries.append(asdict(_described(version, final)))
    write_json_atomic(datasets / "manifest.json",
                      {"format": MANIFEST_FORMAT, "current": current.id if current else None,
                       "last_id": last, "versions": entries})


def _described(version: Version, path: Path) -> Version:
    """``version`` with the rows, size and SHA-256 of the file written for it."""
    with open(path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    size = path.stat().st_size
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = {layer: con.execute(f'SELECT COUNT(*) FROM "{layer}"').fetchone()[0]
                for layer in version.rows}
    except sqlite3.Error as exc:
        raise StoreError(f"数据版本 {version.id} 的 GeoPackage 无法读取：{exc}") from None
    finally:
        con.close()
    return replace(version, rows=rows, size=size, sha256=digest)


def _insert_sqlite(con, table: str, rows: _Rows) -> None:
    if rows.rows:
        marks = ", ".join("?" * len(rows.columns))
        con.executemany(f"INSERT INTO {table} ({', '.join(rows.columns)}) VALUES ({marks})",
                        rows.rows)
    if table in NO_ID or not rows.counter:
        return
    if con.execute("UPDATE sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?",
                   (rows.counter, table)).rowcount == 0:
        con.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                    (table, rows.counter))


def _move_in(work: Path, target: Path) -> None:
    """Rename what ``work`` holds into ``target`` (whose store was checked empty)."""
    target.mkdir(exist_ok=True)
    for _, filename, _ in DATABASES:
        os.replace(work / filename, target / filename)
    datasets, into = work / "datasets", target / "datasets"
    if not into.exists():
        os.replace(datasets, into)
    else:
        for name in sorted(os.listdir(datasets), key=lambda n: n == "manifest.json"):
            if name != ".lock":
                os.replace(datasets / name, into / name)
        fsync_path(into)
    fsync_path(target)
