"""Saved scenarios (SPEC §4 JSON documents) in one embedded SQLite database.

The database is ``FOLDER/scenarios.sqlite``: one table, one row a scenario,
the document kept as JSON text beside its name and counts.  Every write is
one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) in rollback-journal mode
(``journal_mode=DELETE``) with ``synchronous=FULL``: a commit reaches the
disk before it returns, and a writer killed mid-transaction leaves a hot
journal that the next connection rolls back, so nothing committed before is
lost and nothing half-written is ever read.  The rollback journal was chosen
over WAL because it keeps the store a single file (copied as is for a
backup) and needs no shared memory, which WAL lacks on network file systems.
``BEGIN IMMEDIATE`` and a busy timeout serialise two sessions saving at once.

>>> import tempfile
>>> store = ScenarioStore(tempfile.mkdtemp())
>>> doc = {"groups": [{"org_id": "S1", "villages": ["350481101201", "350481101202"]}]}
>>> info = store.save(" 2027 方案A ", doc)
>>> info.name, info.groups, info.villages
('2027 方案A', 1, 2)
>>> store.load("2027 方案A")["groups"][0]["villages"]
['350481101201', '350481101202']
>>> store.save("2027 方案A", doc)
Traceback (most recent call last):
...
geo.store.StoreError: 方案“2027 方案A”已存在；如要替换，请选择覆盖保存
"""
from __future__ import annotations

import json
import logging
import sqlite3
import unicodedata
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from geo.clock import now_iso
from geo.store import StoreError, pause_for_test

log = logging.getLogger(__name__)

NAME_MAX = 100
# Control, format (zero-width, bidirectional overrides) and line/paragraph separators.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}
_SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    groups INTEGER NOT NULL,
    villages INTEGER NOT NULL,
    document TEXT NOT NULL
)"""
_INFO_COLUMNS = "id, name, created, updated, groups, villages"


@dataclass(frozen=True)
class ScenarioInfo:
    """One saved scenario: ``created`` (first save) and ``updated`` are ISO 8601
    with +08:00; ``groups`` the number of groups; ``villages`` the distinct
    village codes of all groups."""

    id: int
    name: str
    created: str
    updated: str
    groups: int
    villages: int


def scenario_name(name) -> str:
    """The name trimmed and checked: 1–100 characters, no control characters.

    >>> scenario_name("  方案 B ")
    '方案 B'
    >>> scenario_name("a\\tb")
    Traceback (most recent call last):
    ...
    geo.store.StoreError: 方案名称不能包含控制字符（如换行、制表符）
    """
    if not isinstance(name, str):
        raise StoreError("方案名称应为文字")
    name = name.strip()
    if not name:
        raise StoreError("方案名称不能为空")
    if len(name) > NAME_MAX:
        raise StoreError(f"方案名称最多 {NAME_MAX} 个字符（现为 {len(name)} 个）")
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in name):
        raise StoreError("方案名称不能包含控制字符（如换行、制表符）")
    return name


def document_counts(document) -> tuple[int, int]:
    """``(groups, distinct villages)`` of a SPEC §4 document; refuses a malformed one.

    >>> document_counts({"groups": [{"villages": ["a", "b"]}, {"villages": ["b"]}]})
    (2, 2)
    """
    if not isinstance(document, dict):
        raise StoreError("方案内容应为 JSON 对象（SPEC §4）")
    groups = document.get("groups")
    if not isinstance(groups, list):
        raise StoreError("方案内容缺少 groups 列表（SPEC §4）")
    codes = set()
    for number, group in enumerate(groups, start=1):
        villages = group.get("villages") if isinstance(group, dict) else None
        if not isinstance(villages, list) or not all(isinstance(c, str) for c in villages):
            raise StoreError(f"方案第 {number} 组的 villages 应为村代码（文字）列表")
        codes.update(villages)
    return len(groups), len(codes)


class ScenarioStore:
    """Scenarios in ``folder/scenarios.sqlite`` (see the module docstring).

    A scenario is found by its name or by its numeric id (``int``, or a
    string of digits when no scenario has that name).  The stored document's
    ``name`` is always the scenario's name; its ``created`` is kept when
    given, else set to the time of the first save.
    """

    def __init__(self, folder, timeout: float = 30.0):
        self.folder = Path(folder)
        self.path = self.folder / "scenarios.sqlite"
        self.timeout = timeout

    def list(self) -> list[ScenarioInfo]:
        """Every saved scenario, in the order they were first saved."""
        with self._connection() as con:
            rows = con.execute(f"SELECT {_INFO_COLUMNS} FROM scenarios ORDER BY id").fetchall()
        return [ScenarioInfo(*row) for row in rows]

    def save(self, name: str, document: dict, overwrite: bool = False) -> ScenarioInfo:
        """Save ``document`` (SPEC §4) under ``name``; refuses a taken name unless ``overwrite``."""
        name = scenario_name(name)
        groups, villages = document_counts(document)
        now = now_iso()
        document = {**document, "name": name}
        document.setdefault("created", now)
        text = _json_text(document)
        with self._transaction() as con:
            row = con.execute("SELECT id, created FROM scenarios WHERE name = ?",
                              (name,)).fetchone()
            if row and not overwrite:
                raise StoreError(f"方案“{name}”已存在；如要替换，请选择覆盖保存")
            if row:
                con.execute("UPDATE scenarios SET updated = ?, groups = ?, villages = ?, "
                            "document = ? WHERE id = ?", (now, groups, villages, text, row[0]))
                ident, created = row
            else:
                ident = con.execute(
                    "INSERT INTO scenarios (name, created, updated, groups, villages, document) "
                    "VALUES (?, ?, ?, ?, ?, ?)", (name, now, now, groups, villages, text)).lastrowid
                created = now
            pause_for_test("scenario_before_commit")
        log.info("方案“%s”已保存", name)
        return ScenarioInfo(ident, name, created, now, groups, villages)

    def load(self, name_or_id) -> dict:
        """The saved SPEC §4 document."""
        with self._connection() as con:
            ident = self._find(con, name_or_id)
            text = con.execute("SELECT document FROM scenarios WHERE id = ?",
                               (ident,)).fetchone()[0]
        return json.loads(text)

    def rename(self, old, new: str) -> ScenarioInfo:
        """Give a scenario a new name (also written into its document)."""
        new = scenario_name(new)
        with self._transaction() as con:
            ident = self._find(con, old)
            clash = con.execute("SELECT id FROM scenarios WHERE name = ?", (new,)).fetchone()
            if clash and clash[0] != ident:
                raise StoreError(f"方案“{new}”已存在，不能重名")
            text = con.execute("SELECT document FROM scenarios WHERE id = ?",
                               (ident,)).fetchone()[0]
            document = {**json.loads(text), "name": new}
            con.execute("UPDATE scenarios SET name = ?, updated = ?, document = ? WHERE id = ?",
                        (new, now_iso(), _json_text(document), ident))
            row = con.execute(f"SELECT {_INFO_COLUMNS} FROM scenarios WHERE id = ?",
                              (ident,)).fetchone()
        return ScenarioInfo(*row)

    def delete(self, name_or_id) -> None:
        """Remove a saved scenario."""
        with self._transaction() as con:
            ident = self._find(con, name_or_id)
            con.execute("DELETE FROM scenarios WHERE id = ?", (ident,))

    # ---- internals -----------------------------------------------------
    def _find(self, con, name_or_id) -> int:
        if isinstance(name_or_id, int) and not isinstance(name_or_id, bool):
            row = con.execute("SELECT id FROM scenarios WHERE id = ?", (name_or_id,)).fetchone()
        else:
            key = name_or_id.strip() if isinstance(name_or_id, str) else ""
            row = con.execute("SELECT id FROM scenarios WHERE name = ?", (key,)).fetchone()
            if row is None and key.isdigit():
                row = con.execute("SELECT id FROM scenarios WHERE id = ?", (int(key),)).fetchone()
        if row is None:
            raise StoreError(f"没有名为“{name_or_id}”的方案")
        return row[0]

    @contextmanager
    def _connection(self):
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=self.timeout,
                                         isolation_level=None)) as con:
                con.execute("PRAGMA journal_mode=DELETE")
                con.execute("PRAGMA synchronous=FULL")
                con.execute(_SCHEMA)
                yield con
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError("方案库正被另一个会话写入，请稍后再试") from None
            raise StoreError(f"方案库 {self.path} 无法使用：{exc}") from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"方案库 {self.path} 无法打开（文件可能已损坏）：{exc}") from None
        except OSError as exc:
            raise StoreError(f"方案库 {self.path} 无法打开：{exc.strerror or exc}") from None

    @contextmanager
    def _transaction(self):
        with self._connection() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")


def _json_text(document: dict) -> str:
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"方案内容无法保存为 JSON：{exc}") from None
