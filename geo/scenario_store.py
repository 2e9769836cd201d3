"""Saved scenarios (SPEC §4 JSON documents) in one embedded SQLite database.

The database is ``FOLDER/scenarios.sqlite``: the table ``scenarios`` holds one
row a scenario, the document kept as JSON text beside its name, counts,
owner, area, review status and revision; the table ``scenario_steps`` holds
every step of every scenario (who, when, which step, the comment).  Every
write is one transaction (``BEGIN IMMEDIATE`` … ``COMMIT``) in
rollback-journal mode (``journal_mode=DELETE``) with ``synchronous=FULL``: a
commit reaches the disk before it returns, and a writer killed
mid-transaction leaves a hot journal that the next connection rolls back, so
nothing committed before is lost and nothing half-written is ever read.  The
rollback journal was chosen over WAL because it keeps the store a single file
(copied as is for a backup) and needs no shared memory, which WAL lacks on
network file systems.  ``BEGIN IMMEDIATE`` and a busy timeout serialise two
sessions saving at once.  A database written before scenarios had owners and
a status gains the new columns when it is first opened: its scenarios have
no owner (``''``), no area, status ``draft`` and revision 1.

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

Review (SPEC §7 "Scenario status"): draft → submitted → approved | rejected,
a rejected one back to draft; each step increments the revision.

>>> info = store.save("方案B", doc, owner="zhang", area="350481")
>>> info.owner, info.area, info.status, info.status_name, info.revision
('zhang', '350481', 'draft', '草稿', 1)
>>> store.submit("方案B", by="zhang").status
'submitted'
>>> store.save("方案B", doc, overwrite=True, owner="zhang")
Traceback (most recent call last):
...
geo.store.StoreError: 方案“方案B”已提交审核，不能修改；请先撤回为草稿
>>> info = store.reject("方案B", by="wang", comment="缺少牵头村")
>>> info.status, info.decided_by, info.comment, info.revision
('rejected', 'wang', '缺少牵头村', 3)
>>> store.save("方案B", doc, overwrite=True, owner="zhang").status
'draft'
>>> store.submit("方案B", by="zhang").submitted_by
'zhang'
>>> store.approve("方案B", by="wang", comment="同意").status_name
'已通过'
>>> [STEP_NAMES[s.step] for s in store.steps("方案B")]
['保存', '提交审核', '退回', '保存', '提交审核', '审核通过']
>>> store.delete("方案B")
Traceback (most recent call last):
...
geo.store.StoreError: 已审核通过的方案不能删除（方案“方案B”是审核记录）
"""
from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass

from geo.clock import now_iso
from geo.scenario_rules import (APPROVE, APPROVED, DRAFT, REJECT, RENAME, REOPEN, SAVE,
                                 STATUS_NAMES, STEP_NAMES, SUBMIT, TRANSITIONS, ScenarioStep,
                                 account_text, check_changeable, check_status, comment_text,
                                 document_counts, json_text, scenario_name)
from geo.db import has_index, open_database, location_of, place, table_columns, transaction
from geo.store import StoreError, pause_for_test

log = logging.getLogger(__name__)


class StaleScenario(StoreError):
    """A save over a version saved meanwhile by someone else (optimistic revisions):
    ``name`` and the ``revision`` stored now."""

    def __init__(self, name: str, revision: int):
        super().__init__(f"方案“{name}”已被他人修改（版本 {revision}），请重新载入后再保存")
        self.name, self.revision = name, revision

_STATUS_CHECK = "CHECK (status IN ('draft', 'submitted', 'approved', 'rejected'))"
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    groups INTEGER NOT NULL,
    villages INTEGER NOT NULL,
    document TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    area TEXT,
    status TEXT NOT NULL DEFAULT 'draft' {_STATUS_CHECK},
    revision INTEGER NOT NULL DEFAULT 1
)"""
# Columns added since the first version of the table, added to an older database on opening.
_ADDED_COLUMNS = {"owner": "owner TEXT NOT NULL DEFAULT ''",
                  "area": "area TEXT",
                  "status": f"status TEXT NOT NULL DEFAULT 'draft' {_STATUS_CHECK}",
                  "revision": "revision INTEGER NOT NULL DEFAULT 1"}
_STEPS_SCHEMA = ("""
CREATE TABLE IF NOT EXISTS scenario_steps (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scenario_id INTEGER NOT NULL,
    time TEXT NOT NULL,
    account TEXT NOT NULL,
    step TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
)""", "CREATE INDEX IF NOT EXISTS scenario_steps_by_scenario "
      "ON scenario_steps (scenario_id, step)")
# One query for the list: each scenario with its latest submission and latest decision.
_INFO_QUERY = """
SELECT s.id, s.name, s.created, s.updated, s.groups, s.villages,
       s.owner, s.area, s.status, s.revision,
       sub.account, sub.time, dec.account, dec.time, dec.comment
FROM scenarios AS s
LEFT JOIN scenario_steps AS sub ON sub.id = (
    SELECT MAX(id) FROM scenario_steps WHERE scenario_id = s.id AND step = 'submit')
LEFT JOIN scenario_steps AS dec ON dec.id = (
    SELECT MAX(id) FROM scenario_steps
    WHERE scenario_id = s.id AND step IN ('approve', 'reject'))"""


@dataclass(frozen=True)
class ScenarioInfo:
    """One saved scenario.

    ``created`` (first save) and ``updated`` (last change of any kind) are
    ISO 8601 with +08:00; ``groups`` the number of groups; ``villages`` the
    distinct village codes of all groups.  ``owner`` is the account that
    first saved it (``''``: none, as in login mode ``none`` and for scenarios
    saved before owners were kept); ``area`` the county or township code that
    account worked in (``None``: the whole dataset); ``status`` one of
    :data:`STATUSES` (:data:`STATUS_NAMES` in Chinese, also ``status_name``);
    ``revision`` starts at 1 and grows by one with every change.
    ``submitted_by``/``submitted_at`` are the latest submission's account and
    time, ``decided_by``/``decided_at``/``comment`` the latest approval or
    rejection's (kept after the plan is reopened, so that its planner still
    reads the reviewer's comment); ``None`` when there was none.
    """

    id: int
    name: str
    created: str
    updated: str
    groups: int
    villages: int
    owner: str = ""
    area: str | None = None
    status: str = DRAFT
    revision: int = 1
    submitted_by: str | None = None
    submitted_at: str | None = None
    decided_by: str | None = None
    decided_at: str | None = None
    comment: str | None = None

    @property
    def status_name(self) -> str:
        """The status in Chinese (草稿, 待审核, 已通过, 已退回)."""
        return STATUS_NAMES[self.status]


class ScenarioStore:
    """Scenarios in ``folder/scenarios.sqlite`` (see the module docstring).

    A scenario is found by its name or by its numeric id (``int``, or a
    string of digits when no scenario has that name).  The stored document's
    ``name`` is always the scenario's name; its ``created`` is kept when
    given, else set to the time of the first save.

    The store keeps the review status and refuses what the status forbids
    (changing a submitted or approved scenario, a step from the wrong
    status); *who* may do a step is decided by the caller (``geo.access``).
    """

    def __init__(self, folder, timeout: float = 30.0):
        self.folder = location_of(folder)
        self.path = place(folder, "scenarios.sqlite")
        self.timeout = timeout

    def list(self, status=None, area_codes=None) -> list[ScenarioInfo]:
        """The saved scenarios, in the order they were first saved.

        ``status``: one of :data:`STATUSES` or a tuple of them (``None``: any);
        ``area_codes``: a set of county/township codes, only scenarios whose
        ``area`` is one of them (``None``: every scenario, also those without
        an area).
        """
        where, args = [], []
        if status is not None:
            wanted = (status,) if isinstance(status, str) else tuple(status)
            for value in wanted:
                check_status(value)
            where.append(_among("s.status", len(wanted)))
            args += wanted
        if area_codes is not None:
            codes = {area_codes} if isinstance(area_codes, str) else set(area_codes)
            if not all(isinstance(c, str) for c in codes):
                raise StoreError("区域代码应为文字（县或乡镇代码）")
            where.append(_among("s.area", len(codes)))
            args += sorted(codes)
        query = _INFO_QUERY + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY s.id"
        with self._connection() as con:
            rows = con.execute(query, args).fetchall()
        return [ScenarioInfo(*row) for row in rows]

    def info(self, name_or_id) -> ScenarioInfo:
        """One saved scenario's :class:`ScenarioInfo`."""
        with self._connection() as con:
            return self._info(con, self._find(con, name_or_id))

    def steps(self, name_or_id) -> list[ScenarioStep]:
        """Every step of a scenario, oldest first."""
        with self._connection() as con:
            ident = self._find(con, name_or_id)
            rows = con.execute("SELECT time, account, step, comment FROM scenario_steps "
                               "WHERE scenario_id = ? ORDER BY id", (ident,)).fetchall()
        return [ScenarioStep(*row) for row in rows]

    def save(self, name: str, document: dict, overwrite: bool = False, owner: str = "",
             area: str | None = None, expected_revision: int | None = None) -> ScenarioInfo:
        """Save ``document`` (SPEC §4) under ``name``; refuses a taken name unless ``overwrite``.

        ``owner`` is the account saving (``''``: nobody logged in) and
        ``area`` the county or township code it works in; a new scenario
        keeps both, as a draft.  Overwriting is refused for a submitted or an
        approved scenario, for somebody else's (both owners non-empty and
        different), and, when ``expected_revision`` is given, for one whose
        revision is no longer that one (changed by another session since it
        was loaded); overwriting a rejected one makes it a draft again.  An
        overwrite keeps the stored owner and area.
        """
        name = scenario_name(name)
        owner = account_text(owner)
        if area is not None and not isinstance(area, str):
            raise StoreError("方案所属区域应为县或乡镇代码（文字）")
        groups, villages = document_counts(document)
        now = now_iso()
        document = {**document, "name": name}
        document.setdefault("created", now)
        text = json_text(document)
        with self._transaction() as con:
            row = con.execute("SELECT id, owner, status, revision FROM scenarios WHERE name = ?",
                              (name,)).fetchone()
            if row and not overwrite:
                raise StoreError(f"方案“{name}”已存在；如要替换，请选择覆盖保存")
            if row:
                ident, stored_owner, status, revision = row
                if stored_owner and owner and stored_owner != owner:
                    raise StoreError(f"方案“{name}”属于 {stored_owner}，不能覆盖")
                check_changeable(name, status, "修改")
                if expected_revision is not None and expected_revision != revision:
                    raise StaleScenario(name, revision)
                con.execute("UPDATE scenarios SET updated = ?, groups = ?, villages = ?, "
                            "document = ?, status = ?, revision = revision + 1 WHERE id = ?",
                            (now, groups, villages, text, DRAFT, ident))
            else:
                ident = con.execute(
                    "INSERT INTO scenarios (name, created, updated, groups, villages, document, "
                    "owner, area) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    (name, now, now, groups, villages, text, owner, area)).fetchone()[0]
            _record(con, ident, now, owner, SAVE)
            info = self._info(con, ident)
            pause_for_test("scenario_before_commit")
        log.info("方案“%s”已保存（版本 %d）", name, info.revision)
        return info

    def load(self, name_or_id) -> dict:
        """The saved SPEC §4 document."""
        with self._connection() as con:
            ident = self._find(con, name_or_id)
            text = con.execute("SELECT document FROM scenarios WHERE id = ?",
                               (ident,)).fetchone()[0]
        return json.loads(text)

    def rename(self, old, new: str, by: str = "") -> ScenarioInfo:
        """Give a scenario a new name (also written into its document); ``by`` the account.

        Refused for a submitted or an approved scenario.  Renaming to the
        same name changes nothing.
        """
        new = scenario_name(new)
        by = account_text(by)
        with self._transaction() as con:
            ident = self._find(con, old)
            name, status = con.execute("SELECT name, status FROM scenarios WHERE id = ?",
                                       (ident,)).fetchone()
            check_changeable(name, status, "重命名")
            clash = con.execute("SELECT id FROM scenarios WHERE name = ?", (new,)).fetchone()
            if clash and clash[0] != ident:
                raise StoreError(f"方案“{new}”已存在，不能重名")
            if new != name:
                now = now_iso()
                text = con.execute("SELECT document FROM scenarios WHERE id = ?",
                                   (ident,)).fetchone()[0]
                document = {**json.loads(text), "name": new}
                con.execute("UPDATE scenarios SET name = ?, updated = ?, document = ?, "
                            "revision = revision + 1 WHERE id = ?",
                            (new, now, json_text(document), ident))
                _record(con, ident, now, by, RENAME, name)
            return self._info(con, ident)

    def delete(self, name_or_id) -> None:
        """Remove a saved scenario and its steps; refused for a submitted or an approved one."""
        with self._transaction() as con:
            ident = self._find(con, name_or_id)
            name, status = con.execute("SELECT name, status FROM scenarios WHERE id = ?",
                                       (ident,)).fetchone()
            if status == APPROVED:
                raise StoreError(f"已审核通过的方案不能删除（方案“{name}”是审核记录）")
            check_changeable(name, status, "删除")
            con.execute("DELETE FROM scenario_steps WHERE scenario_id = ?", (ident,))
            con.execute("DELETE FROM scenarios WHERE id = ?", (ident,))

    def submit(self, name_or_id, by: str) -> ScenarioInfo:
        """Submit a draft or rejected scenario for review (→ submitted)."""
        return self._step(name_or_id, by, SUBMIT, "")

    def approve(self, name_or_id, by: str, comment: str = "") -> ScenarioInfo:
        """Approve a submitted scenario (→ approved, read-only from then on).

        The store does not refuse a reviewer approving their own plan; the
        steps show it (``submitted_by == decided_by``).
        """
        return self._step(name_or_id, by, APPROVE, comment)

    def reject(self, name_or_id, by: str, comment: str) -> ScenarioInfo:
        """Send a submitted scenario back (→ rejected); the comment is required."""
        if not (isinstance(comment, str) and comment.strip()):
            raise StoreError("退回方案时请填写意见")
        return self._step(name_or_id, by, REJECT, comment)

    def reopen(self, name_or_id, by: str) -> ScenarioInfo:
        """Make a submitted (withdrawn) or rejected scenario a draft again."""
        return self._step(name_or_id, by, REOPEN, "")

    # ---- internals -----------------------------------------------------
    def _step(self, name_or_id, by, step: str, comment) -> ScenarioInfo:
        by = account_text(by)
        comment = comment_text(comment)
        allowed, to = TRANSITIONS[step]
        with self._transaction() as con:
            ident = self._find(con, name_or_id)
            name, status = con.execute("SELECT name, status FROM scenarios WHERE id = ?",
                                       (ident,)).fetchone()
            if status not in allowed:
                sources = "或".join(STATUS_NAMES[s] for s in allowed)
                raise StoreError(f"方案“{name}”当前状态为“{STATUS_NAMES[status]}”，"
                                 f"不能{STEP_NAMES[step]}（只有{sources}的方案可以"
                                 f"{STEP_NAMES[step]}）")
            now = now_iso()
            con.execute("UPDATE scenarios SET status = ?, updated = ?, revision = revision + 1 "
                        "WHERE id = ?", (to, now, ident))
            _record(con, ident, now, by, step, comment)
            info = self._info(con, ident)
        log.info("方案“%s”：%s（%s）", name, STEP_NAMES[step], by)
        return info

    def _info(self, con, ident: int) -> ScenarioInfo:
        return ScenarioInfo(*con.execute(_INFO_QUERY + " WHERE s.id = ?", (ident,)).fetchone())

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

    def _connection(self):
        return open_database(self.path, self.timeout, _prepare, "方案库")

    @contextmanager
    def _transaction(self):
        with self._connection() as con, transaction(con):
            yield con


def _prepare(con) -> None:
    """Create the tables, or bring an older database up to date (one transaction)."""
    if _up_to_date(con):
        return
    con.execute("BEGIN IMMEDIATE")
    try:
        con.execute(_SCHEMA)
        present = table_columns(con, "scenarios")
        for column, definition in _ADDED_COLUMNS.items():
            if column not in present:
                con.execute(f"ALTER TABLE scenarios ADD COLUMN {definition}")
                log.info("方案库已升级：新增列 %s", column)
        for statement in _STEPS_SCHEMA:
            con.execute(statement)
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def _up_to_date(con) -> bool:
    if not table_columns(con, "scenarios") >= set(_ADDED_COLUMNS):
        return False
    return has_index(con, "scenario_steps_by_scenario")


def _among(column: str, count: int) -> str:
    """``column IN (?, …)``; none at all is false (PostgreSQL refuses ``IN ()``)."""
    return f"{column} IN ({', '.join('?' * count)})" if count else "1 = 0"


def _record(con, ident: int, time: str, account: str, step: str, comment: str = "") -> None:
    con.execute("INSERT INTO scenario_steps (scenario_id, time, account, step, comment) "
                "VALUES (?, ?, ?, ?, ?)", (ident, time, account, step, comment))
