"""The append-only audit log of SPEC §7: who did what, when, to what, with what result.

The log is the table ``audit`` of ``FOLDER/accounts.sqlite``, beside the
built-in accounts (:mod:`geo.accounts`), so that a login and the entry that
records it are written in one transaction.  Two triggers refuse every
``UPDATE`` and ``DELETE`` of the table: entries are only ever added.  The
database is used as :mod:`geo.scenario_store` uses its own: rollback journal
(``journal_mode=DELETE``), ``synchronous=FULL``, ``BEGIN IMMEDIATE`` for each
write, a busy timeout; the file is created readable by its owner only.

Nothing here ever takes a password: an entry names the account, the action
(a key of :data:`ACTION_NAMES`), the object and the result.

>>> import tempfile
>>> audit = AuditLog(tempfile.mkdtemp())
>>> audit.record("li", "login", client="10.0.0.5")
>>> audit.record("li", "scenario_save", "2027 方案A")
>>> [(e.account, e.action_name, e.object, e.result) for e in audit.entries()]
[('li', '保存方案', '2027 方案A', '成功'), ('li', '登录', '', '成功')]
>>> audit.record("li", "hack")
Traceback (most recent call last):
...
geo.store.StoreError: 未知审计操作 'hack'，可选：login, logout, lock, ...
"""
from __future__ import annotations

import csv
import io
import logging
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from geo.clock import CHINA_TZ, now_iso
from geo.db import dialect, open_database, location_of, place, transaction
from geo.store import StoreError

log = logging.getLogger(__name__)

DATABASE = "accounts.sqlite"
ACTION_NAMES = {
    "login": "登录", "logout": "退出", "lock": "锁定账号",
    "import": "导入数据", "switch_version": "切换数据版本", "delete_version": "删除数据版本",
    "scenario_save": "保存方案", "scenario_rename": "重命名方案", "scenario_delete": "删除方案",
    "scenario_submit": "提交审核", "scenario_approve": "审核通过", "scenario_reject": "退回方案",
    "scenario_reopen": "撤回为草稿",
    "account_add": "添加账号", "account_passwd": "修改密码", "account_update": "修改账号",
    "account_remove": "删除账号",
    "denied": "操作被拒绝",  # a refused action (geo.access), written by the pages
}
OK = "成功"
EXPORT_HEADER = ("时间", "账号", "操作", "对象", "结果", "客户端地址")
APPEND_ONLY = "审计日志只能追加，不能修改或删除"
# Longest text kept in each field; longer text is cut and ends with "…".
LIMITS = {"account": 64, "object": 500, "result": 200, "client": 100}
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    account TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    result TEXT NOT NULL,
    client TEXT
)""",
    "CREATE INDEX IF NOT EXISTS audit_time ON audit (time)",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
)
_COLUMNS = "id, time, account, action, object, result, client"
# A cell starting with one of these would be a formula in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditEntry:
    """One entry: ``time`` ISO 8601 with +08:00; ``action`` a key of :data:`ACTION_NAMES`;
    ``client`` the address of the browser, ``本机`` for the command line, or ``None``."""

    id: int
    time: str
    account: str
    action: str
    object: str
    result: str
    client: str | None

    @property
    def action_name(self) -> str:
        """The Chinese name of the action (the key itself if unknown)."""
        return ACTION_NAMES.get(self.action, self.action)

    def as_dict(self) -> dict:
        """The entry for JSON: time, account, action, action_name, object, result, client.

        >>> AuditEntry(1, "2026-11-23T10:00:00+08:00", "li", "logout", "", "成功", None).as_dict()
        ... # doctest: +NORMALIZE_WHITESPACE
        {'time': '2026-11-23T10:00:00+08:00', 'account': 'li', 'action': 'logout',
         'action_name': '退出', 'object': '', 'result': '成功', 'client': None}
        """
        return {"time": self.time, "account": self.account, "action": self.action,
                "action_name": self.action_name, "object": self.object,
                "result": self.result, "client": self.client}


def audit_text(value, limit: int) -> str:
    """``value`` as one line of at most ``limit`` characters (control characters become
    spaces; longer text is cut and ends with ``…``).

    >>> audit_text("a\\nb  c", 10), audit_text("x" * 12, 5)
    ('a b c', 'xxxx…')
    """
    text = "" if value is None else str(value)
    text = " ".join("".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch
                            for ch in text).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def insert(con: sqlite3.Connection, account: str, action: str, object: str = "",
           result: str = OK, client: str | None = None, time: str | None = None) -> None:
    """Add one entry through ``con`` (inside the caller's transaction, if any).

    ``time`` defaults to now (:func:`geo.clock.now_iso`).  Refuses an action
    that is not a key of :data:`ACTION_NAMES`.
    """
    if action not in ACTION_NAMES:
        raise StoreError(f"未知审计操作 {action!r}，可选：{', '.join(ACTION_NAMES)}")
    con.execute("INSERT INTO audit (time, account, action, object, result, client) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (time or now_iso(), audit_text(account, LIMITS["account"]), action,
                 audit_text(object, LIMITS["object"]), audit_text(result, LIMITS["result"]),
                 None if client is None else audit_text(client, LIMITS["client"])))


# PostgreSQL's form of the two SQLite triggers of SCHEMA (append-only audit table).
PG_TRIGGERS = (
    f"""CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$ LANGUAGE plpgsql""",
    "CREATE OR REPLACE TRIGGER audit_no_update BEFORE UPDATE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    "CREATE OR REPLACE TRIGGER audit_no_delete BEFORE DELETE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
    "CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()",
)


def open_accounts_database(path, timeout: float, schema):
    """The accounts database (accounts, sessions, audit log): owner-only, ``schema``'s
    statements run, a write the audit table refuses said as :data:`APPEND_ONLY`.
    In PostgreSQL the audit table's triggers are :data:`PG_TRIGGERS`."""
    def setup(con):
        postgres = dialect(con) == "postgresql"
        for statement in schema:
            if not (postgres and "CREATE TRIGGER" in statement):
                con.execute(statement)
        if postgres and SCHEMA[0] in schema:
            for statement in PG_TRIGGERS:
                con.execute(statement)
    return open_database(path, timeout, setup, "账号库", private=True, refusals=(APPEND_ONLY,))


class AuditLog:
    """The audit log in ``folder/accounts.sqlite`` (see the module docstring)."""

    def __init__(self, folder, timeout: float = 30.0):
        self.folder = location_of(folder)
        self.path = place(folder, DATABASE)
        self.timeout = timeout

    def record(self, account: str, action: str, object: str = "", result: str = OK,
               client: str | None = None) -> None:
        """Append one entry, time now; raises :class:`~geo.store.StoreError` when it cannot."""
        with self._connection() as con, transaction(con):
            insert(con, account, action, object, result, client)
        log.info("审计：%s %s %s %s", audit_text(account, LIMITS["account"]),
                 ACTION_NAMES[action], audit_text(object, LIMITS["object"]),
                 audit_text(result, LIMITS["result"]))

    def entries(self, since: date | str | None = None, until: date | str | None = None,
                account: str | None = None, action: str | None = None,
                limit: int | None = None) -> list[AuditEntry]:
        """Entries newest first.

        ``since`` and ``until`` are days (``date`` or ``YYYY-MM-DD``, both
        included, Beijing time) or ``datetime`` instants; ``account`` and
        ``action`` select one account or one action; ``limit`` keeps the
        newest ``limit`` entries.
        """
        where, values = [], []
        if since is not None:
            where.append("time >= ?")
            values.append(_bound(since, "since"))
        if until is not None:
            bound = _bound(until, "until")
            where.append("time <= ?" if "T" in bound else "time < ?")
            values.append(bound)
        if account is not None:
            where.append("account = ?")
            values.append(account)
        if action is not None:
            if action not in ACTION_NAMES:
                raise StoreError(f"未知审计操作 {action!r}，可选：{', '.join(ACTION_NAMES)}")
            where.append("action = ?")
            values.append(action)
        sql = f"SELECT {_COLUMNS} FROM audit"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
                raise StoreError(f"条数上限应为正整数，实际为 {limit!r}")
            sql += f" LIMIT {limit}"
        with self._connection() as con:
            rows = con.execute(sql, values).fetchall()
        return [AuditEntry(*row) for row in rows]

    def _connection(self):
        return open_accounts_database(self.path, self.timeout, SCHEMA)


def parse_day(text: str) -> date:
    """A day written ``YYYY-MM-DD``; refuses anything else in Chinese.

    >>> parse_day("2026-11-23")
    datetime.date(2026, 11, 23)
    >>> parse_day("2026-13-01")
    Traceback (most recent call last):
    ...
    geo.store.StoreError: 日期 '2026-13-01' 无效：应为 YYYY-MM-DD（如 2026-11-23）
    """
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise StoreError(f"日期 {text!r} 无效：应为 YYYY-MM-DD（如 2026-11-23）") from None


def _bound(value, which: str) -> str:
    """The text an entry's ``time`` is compared with (``>=`` for since; for until ``<`` the
    next day, or ``<=`` an instant)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=CHINA_TZ)
        return value.astimezone(CHINA_TZ).isoformat(timespec="seconds")
    day = value if isinstance(value, date) else parse_day(value)
    return (day + timedelta(days=1) if which == "until" else day).isoformat()


def _rows(entries) -> list[list]:
    return [[e.time, e.account, e.action_name, e.object, e.result, e.client or ""]
            for e in entries]


def _defused(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(entries) -> bytes:
    """The entries as CSV, UTF-8 with a byte-order mark (so Excel reads the Chinese),
    headed 时间, 账号, 操作, 对象, 结果, 客户端地址; 操作 is the Chinese name.

    >>> e = AuditEntry(1, "2026-11-23T10:00:00+08:00", "li", "login", "", "成功", "本机")
    >>> export_csv([e]).decode("utf-8-sig").splitlines()
    ['时间,账号,操作,对象,结果,客户端地址', '2026-11-23T10:00:00+08:00,li,登录,,成功,本机']
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    writer.writerows([_defused(str(cell)) for cell in row] for row in _rows(entries))
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(entries) -> bytes:
    """The entries as an Excel workbook (one sheet 审计日志, the headers of :func:`export_csv`).

    >>> import io, openpyxl
    >>> e = AuditEntry(1, "2026-11-23T10:00:00+08:00", "li", "login", "", "成功", "本机")
    >>> sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx([e]))).active
    >>> [c.value for c in sheet[1]], sheet["C2"].value
    (['时间', '账号', '操作', '对象', '结果', '客户端地址'], '登录')
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "审计日志"
    sheet.append(EXPORT_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for number, row in enumerate(_rows(entries), start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(number, column)
            cell.value = value
            cell.data_type = "s"  # text as typed, never a formula
    for letter, width in zip("ABCDEF", (27, 16, 14, 40, 24, 18)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
