"""The audit log (geo.audit): append-only, filters, exports, and never a password.

Entries with chosen times are written through :func:`geo.audit.insert`
on a connection of the log itself; three days are used::

    id 1  2026-11-21 23:59:59  li     login
    id 2  2026-11-22 00:00:00  zhang  scenario_save  2027 方案A
    id 3  2026-11-22 18:30:00  li     import         villages
    id 4  2026-11-23 08:00:00  zhang  login          (密码错误)
"""
import csv
import io
import json
import logging
import sqlite3
from dataclasses import FrozenInstanceError
from datetime import date, datetime

import openpyxl
import pytest

from geo.db import is_url, place

from geo import audit
from geo.accounts import AccountStore, LoginError
from geo.audit import (ACTION_NAMES, APPEND_ONLY, EXPORT_HEADER, AuditLog,
                       export_csv, export_xlsx)
from geo.clock import CHINA_TZ
from geo.sqlite_db import transaction
from geo.store import StoreError
from tests.geo.test_accounts import QUICK, Clock

DAYS = [("2026-11-21T23:59:59+08:00", "li", "login", "", "成功", "10.0.0.5"),
        ("2026-11-22T00:00:00+08:00", "zhang", "scenario_save", "2027 方案A", "成功", None),
        ("2026-11-22T18:30:00+08:00", "li", "import", "villages", "成功", "本机"),
        ("2026-11-23T08:00:00+08:00", "zhang", "login", "", "密码错误", "10.0.0.6")]


@pytest.fixture
def log(location):
    """In a data folder and in PostgreSQL (every test taking it runs on both)."""
    return AuditLog(location)


@pytest.fixture
def days(log):
    with log._connection() as con, transaction(con):
        for time, account, action, obj, result, client in DAYS:
            audit.insert(con, account, action, obj, result, client, time=time)
    return log


def ids(entries):
    return [e.id for e in entries]


def test_record_and_read_back(log):
    log.record("li", "login", client="10.0.0.5")
    log.record("li", "scenario_submit", "2027 方案A", result="已提交")
    first, second = log.entries()  # newest first
    assert (first.id, first.account, first.action, first.object, first.result, first.client) == \
        (2, "li", "scenario_submit", "2027 方案A", "已提交", None)
    assert (second.action_name, second.object, second.result, second.client) == \
        ("登录", "", "成功", "10.0.0.5")
    assert second.time.endswith("+08:00") and second.time <= first.time
    assert log.path == place(log.folder, "accounts.sqlite")
    with pytest.raises(FrozenInstanceError):
        first.result = "失败"


def test_the_action_names_of_the_brief():
    assert ACTION_NAMES == {
        "login": "登录", "logout": "退出", "lock": "锁定账号", "import": "导入数据",
        "switch_version": "切换数据版本", "delete_version": "删除数据版本",
        "scenario_save": "保存方案", "scenario_rename": "重命名方案",
        "scenario_delete": "删除方案", "scenario_submit": "提交审核",
        "scenario_approve": "审核通过", "scenario_reject": "退回方案",
        "scenario_reopen": "撤回为草稿", "account_add": "添加账号",
        "account_passwd": "修改密码", "account_update": "修改账号", "account_remove": "删除账号",
        "denied": "操作被拒绝"}


def test_an_unknown_action_is_refused_with_the_valid_ones(log):
    with pytest.raises(StoreError, match="^未知审计操作 'delete_all'，可选：login, logout, lock"):
        log.record("li", "delete_all")
    with pytest.raises(StoreError, match="未知审计操作 'delete_all'"):
        log.entries(action="delete_all")
    assert log.entries() == []


def test_text_is_one_line_and_cut_to_its_limit(log):
    log.record("li\nroot", "scenario_save", "x" * 600, result="ok\x00", client="a\tb")
    entry = log.entries()[0]
    assert (entry.account, entry.result, entry.client) == ("li root", "ok", "a b")
    assert len(entry.object) == 500 and entry.object.endswith("…")


def test_as_dict_keys(days):
    item = days.entries()[0].as_dict()
    assert item == {"time": "2026-11-23T08:00:00+08:00", "account": "zhang", "action": "login",
                    "action_name": "登录", "object": "", "result": "密码错误",
                    "client": "10.0.0.6"}
    json.dumps(item, ensure_ascii=False)


# ---- append only -------------------------------------------------------------------------
@pytest.mark.parametrize("sql", ["UPDATE audit SET result = '失败'",
                                 "UPDATE audit SET account = 'nobody' WHERE id = 1",
                                 "DELETE FROM audit", "DELETE FROM audit WHERE id = 2"])
def test_the_triggers_refuse_changing_an_entry(days, sql):
    """Straight to the database, past the store: SQLite's or PostgreSQL's triggers refuse."""
    before = days.entries()
    if is_url(days.path):
        import psycopg

        with psycopg.connect(days.path, autocommit=True) as con:
            with pytest.raises(psycopg.errors.RaiseException, match=APPEND_ONLY):
                con.execute(sql)
            with pytest.raises(psycopg.errors.RaiseException, match=APPEND_ONLY):
                con.execute("TRUNCATE audit")
    else:
        con = sqlite3.connect(days.path)
        try:
            with pytest.raises(sqlite3.IntegrityError, match=APPEND_ONLY):
                con.execute(sql)
            con.commit()
        finally:
            con.close()
    assert days.entries() == before and len(before) == 4


def test_a_change_through_the_log_becomes_a_store_error(days):
    with pytest.raises(StoreError, match=f"^{APPEND_ONLY}$"):
        with days._connection() as con:
            con.execute("DELETE FROM audit")
    assert len(days.entries()) == 4


# ---- filters ------------------------------------------------------------------------------
def test_newest_first_and_limit(days):
    assert ids(days.entries()) == [4, 3, 2, 1]
    assert ids(days.entries(limit=2)) == [4, 3]
    with pytest.raises(StoreError, match="条数上限应为正整数"):
        days.entries(limit=0)


@pytest.mark.parametrize("since, until, expected", [
    ("2026-11-22", None, [4, 3, 2]),       # from midnight, the first second included
    (date(2026, 11, 23), None, [4]),
    (None, "2026-11-21", [1]),             # the whole last day included
    (None, date(2026, 11, 22), [3, 2, 1]),
    ("2026-11-22", "2026-11-22", [3, 2]),
    ("2026-11-24", None, []),
    (datetime(2026, 11, 22, 18, 30, tzinfo=CHINA_TZ), None, [4, 3]),  # instants
    (None, datetime(2026, 11, 22, 10, 30, tzinfo=CHINA_TZ), [2, 1]),
    (datetime(2026, 11, 22, 10, 30), None, [4, 3]),  # naive: Beijing time
])
def test_since_and_until(days, since, until, expected):
    assert ids(days.entries(since=since, until=until)) == expected


@pytest.mark.parametrize("bad", ["2026-13-01", "2026-1-1", "yesterday", "2026/11/22"])
def test_a_bad_day_is_refused(days, bad):
    with pytest.raises(StoreError, match=f"^日期 '{bad}' 无效：应为 YYYY-MM-DD"):
        days.entries(since=bad)


def test_account_and_action(days):
    assert ids(days.entries(account="li")) == [3, 1]
    assert ids(days.entries(action="login")) == [4, 1]
    assert ids(days.entries(account="zhang", action="login", since="2026-11-23")) == [4]
    assert days.entries(account="wang") == []


# ---- exports -----------------------------------------------------------------------------
def test_csv_export(days):
    data = export_csv(days.entries())
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(EXPORT_HEADER) == ["时间", "账号", "操作", "对象", "结果", "客户端地址"]
    assert rows[1:] == [
        ["2026-11-23T08:00:00+08:00", "zhang", "登录", "", "密码错误", "10.0.0.6"],
        ["2026-11-22T18:30:00+08:00", "li", "导入数据", "villages", "成功", "本机"],
        ["2026-11-22T00:00:00+08:00", "zhang", "保存方案", "2027 方案A", "成功", ""],
        ["2026-11-21T23:59:59+08:00", "li", "登录", "", "成功", "10.0.0.5"]]
    assert export_csv([]).decode("utf-8-sig") == ",".join(EXPORT_HEADER) + "\r\n"


def test_xlsx_export(days):
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(days.entries()))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert sheet.title == "审计日志"
    assert rows[0] == list(EXPORT_HEADER)
    assert rows[1] == ["2026-11-23T08:00:00+08:00", "zhang", "登录", None, "密码错误",
                       "10.0.0.6"]
    assert [r[2] for r in rows[1:]] == ["登录", "导入数据", "保存方案", "登录"]
    assert len(rows) == 5


def test_a_name_typed_as_a_formula_stays_text_in_both_exports(log):
    log.record("=HYPERLINK(\"http://x\")", "login", result="账号不存在")
    log.record("li", "scenario_save", "+1-2")
    entries = log.entries()
    rows = list(csv.reader(io.StringIO(export_csv(entries).decode("utf-8-sig"))))
    assert rows[1][3] == "'+1-2" and rows[2][1] == "'=HYPERLINK(\"http://x\")"
    sheet = openpyxl.load_workbook(io.BytesIO(export_xlsx(entries))).active
    assert sheet["B3"].value == "=HYPERLINK(\"http://x\")" and sheet["B3"].data_type == "s"


# ---- never a password ---------------------------------------------------------------------
def test_no_password_or_hash_in_the_log_the_exports_or_the_logging(tmp_path, caplog):
    """A whole cycle: add, new password, login, wrong password, unknown name, lock."""
    caplog.set_level(logging.DEBUG)
    first, second, wrong = "Erstes-Passwort-1", "Zweites-Passwort-2", "Falsches-Passwort-3"
    store = AccountStore(tmp_path, hasher=QUICK, clock=Clock())
    store.add("zhang", first, role="admin", by="命令行:root", client="本机")
    store.verify("zhang", first, client="10.0.0.5")
    store.set_password("zhang", second, by="zhang", client="10.0.0.5")
    store.update("zhang", area="350481", by="zhang")
    with pytest.raises(LoginError):
        store.verify("wang", wrong)
    for _ in range(5):
        with pytest.raises(LoginError):
            store.verify("zhang", wrong)
    with pytest.raises(LoginError, match="已锁定"):
        store.verify("zhang", second)
    store.set_password("zhang", first, by="命令行:root")
    store.verify("zhang", first)
    entries = AuditLog(tmp_path).entries()
    assert {e.action for e in entries} == {"account_add", "account_passwd", "account_update",
                                           "login", "lock"}
    texts = [json.dumps([e.as_dict() for e in entries], ensure_ascii=False),
             export_csv(entries).decode("utf-8-sig"), caplog.text,
             "\n".join(str(v) for row in openpyxl.load_workbook(
                 io.BytesIO(export_xlsx(entries))).active.iter_rows(values_only=True)
                 for v in row), repr(store.list())]
    for text in texts:
        for secret in (first, second, wrong, "$argon2", "argon2id"):
            assert secret not in text
    assert caplog.text  # the logging was captured (the scan saw something)
    raw = store.path.read_bytes()  # only hashes are stored, never the password itself
    assert b"$argon2id$" in raw
    for secret in (first, second, wrong):
        assert secret.encode() not in raw
