"""Built-in accounts (geo.accounts): adding, changing, removing, and the login with its lock.

The clock is a :class:`Clock` set by hand: it starts at 2026-11-23 10:00
(+08:00) and only moves when a test moves it, so the lock's 15 minutes are
counted without sleeping.  Hashing uses :data:`QUICK`, argon2id at its
smallest cost, except where the default parameters themselves are tested.
"""
import sqlite3
import stat
from dataclasses import FrozenInstanceError
from datetime import datetime, timedelta

import pytest
from argon2 import PasswordHasher

from geo.access import Account
from geo.accounts import (LOCK_FAILURES, LOCK_MINUTES, MIN_PASSWORD, AccountStore,
                          LoginError, account_name)
from geo.audit import AuditLog
from geo.clock import CHINA_TZ
from geo.db import place
from geo.store import StoreError
from tests.geo.conftest import sql

QUICK = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
START = datetime(2026, 11, 23, 10, 0, tzinfo=CHINA_TZ)
PASSWORD = "correct horse"


class Clock:
    """A clock that moves only when told: ``clock.move(minutes=…)``."""

    def __init__(self, now=START):
        self.now = now

    def __call__(self):
        return self.now

    def move(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(location, clock):
    """In a data folder and in PostgreSQL (every test taking it runs on both)."""
    return AccountStore(location, hasher=QUICK, clock=clock)


def audit_rows(store):
    """(account, action, object, result, client) of every entry, oldest first."""
    return [(e.account, e.action, e.object, e.result, e.client)
            for e in reversed(AuditLog(store.folder).entries())]


def stored_hash(store, name):
    return sql(store.path, "SELECT password_hash FROM accounts WHERE name = ?", (name,))[0][0]


def fail(store, name, times, password="wrong password"):
    """``times`` wrong passwords in a row; the one that locks says so."""
    for _ in range(times):
        with pytest.raises(LoginError, match="^用户名或密码错误(；连续 5 次错误，"
                                             "账号已锁定 15 分钟)?$") as refused:
            store.verify(name, password)
    return str(refused.value) if times else None


# ---- adding, reading --------------------------------------------------------------------
def test_add_get_list_count(store):
    info = store.add("zhang", PASSWORD, role="planner", area="350481")
    assert (info.name, info.role, info.area, info.failures, info.locked_until) == \
        ("zhang", "planner", "350481", 0, None)
    assert info.created == info.updated == "2026-11-23T10:00:00+08:00"
    assert info.account == Account("zhang", "planner", "350481")
    assert info.label == "zhang（规划，350481）"
    viewer = store.add("李四", PASSWORD)
    assert (viewer.role, viewer.area, viewer.label) == ("viewer", None, "李四（查看，全部）")
    assert store.list() == [info, viewer]
    assert store.get("zhang") == store.get(" ZHANG ") == info
    assert store.get("nobody") is None
    assert store.count() == 2
    assert store.path == place(store.folder, "accounts.sqlite")


def test_the_file_is_for_its_owner_only_and_uses_the_rollback_journal(tmp_path, clock):
    store = AccountStore(tmp_path / "var", hasher=QUICK, clock=clock)
    store.add("zhang", PASSWORD)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    with sqlite3.connect(store.path) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")} \
            >= {"accounts", "audit"}


def test_the_hash_is_argon2id_and_never_in_the_info(store):
    info = store.add("zhang", PASSWORD)
    assert stored_hash(store, "zhang").startswith("$argon2id$")
    assert not hasattr(info, "password_hash")
    assert "argon2" not in repr(info) and PASSWORD not in repr(info)
    with pytest.raises(FrozenInstanceError):
        info.role = "admin"


def test_default_hasher_and_minimum():
    store = AccountStore("unused")
    assert store.min_password == MIN_PASSWORD == 8
    assert store.hasher.time_cost == PasswordHasher().time_cost
    assert store.clock().tzinfo is not None


@pytest.mark.parametrize("minimum", [0, -1, 2.5, True, "8"])
def test_a_bad_minimum_is_refused(tmp_path, minimum):
    with pytest.raises(StoreError, match="密码最短长度应为正整数"):
        AccountStore(tmp_path, min_password=minimum)


# ---- refusals ----------------------------------------------------------------------------
def test_a_taken_name_is_refused_whatever_its_letter_case(store):
    store.add("zhang", PASSWORD)
    for name in ("zhang", "Zhang", "ｚｈａｎｇ"):  # the last in full-width letters
        with pytest.raises(StoreError, match="^用户名 zhang 已被使用$"):
            store.add(name, PASSWORD)
    assert store.count() == 1


@pytest.mark.parametrize("password, message", [
    ("", "^密码不能为空$"),
    ("1234567", r"^密码至少 8 个字符（现为 7 个）$"),
    (None, "^密码应为文字$"),
])
def test_a_bad_password_is_refused(store, password, message):
    with pytest.raises(StoreError, match=message):
        store.add("zhang", password)
    assert store.count() == 0


def test_the_minimum_comes_from_the_constructor(tmp_path):
    store = AccountStore(tmp_path, min_password=12, hasher=QUICK)
    with pytest.raises(StoreError, match=r"密码至少 12 个字符（现为 11 个）"):
        store.add("zhang", "x" * 11)
    assert store.add("zhang", "x" * 12).name == "zhang"


def test_an_unknown_role_is_refused_with_the_valid_ones(store):
    with pytest.raises(StoreError, match="未知角色 'boss'，可选：viewer（查看）、planner（规划）、"
                                         "reviewer（审核）、admin（管理员）"):
        store.add("zhang", PASSWORD, role="boss")


@pytest.mark.parametrize("name, message", [
    ("", "用户名不能为空"), ("   ", "用户名不能为空"),
    ("a" * 33, r"用户名最多 32 个字符（现为 33 个）"),
    ("zhang san", r"含有不允许的字符（' '）"),
    ("zhang\tsan", r"含有不允许的字符（'\\t'）"),
    ("a/b", "含有不允许的字符（'/'）"),
    (42, "用户名应为文字"),
])
def test_a_bad_name_is_refused(store, name, message):
    with pytest.raises(StoreError, match=message):
        store.add(name, PASSWORD)


def test_names_allowed():
    assert account_name("a" * 32) == "a" * 32
    assert account_name(" wang.li-01@jx_county ") == "wang.li-01@jx_county"
    assert account_name("张三") == "张三"
    assert account_name("ｗａｎｇ１") == "wang1"


@pytest.mark.parametrize("area", ["35 04", "350481;DROP", "三明"])
def test_a_malformed_area_is_refused(store, area):
    with pytest.raises(StoreError, match="应为县（市、区）或乡镇（街道）代码"):
        store.add("zhang", PASSWORD, area=area)


# ---- changing, removing ------------------------------------------------------------------
def test_set_password(store, clock):
    store.add("zhang", PASSWORD)
    clock.move(minutes=1)
    info = store.set_password("ZHANG", "new password 2")
    assert info.updated == "2026-11-23T10:01:00+08:00" and info.created < info.updated
    fail(store, "zhang", 1, PASSWORD)
    assert store.verify("zhang", "new password 2") == Account("zhang", "viewer")
    with pytest.raises(StoreError, match="密码至少 8 个字符"):
        store.set_password("zhang", "short")
    with pytest.raises(StoreError, match="^没有名为 'wang' 的账号$"):
        store.set_password("wang", "new password 2")


def test_update_role_and_area(store):
    store.add("zhang", PASSWORD, area="350481")
    assert store.update("zhang", role="reviewer").area == "350481"  # the area kept
    info = store.update("zhang", area=None)  # the whole dataset
    assert (info.role, info.area) == ("reviewer", None)
    info = store.update("zhang", role="planner", area="350481101")
    assert (info.role, info.area) == ("planner", "350481101")
    with pytest.raises(StoreError, match="未知角色"):
        store.update("zhang", role="root")
    with pytest.raises(StoreError, match="没有名为 'wang' 的账号"):
        store.update("wang", role="admin")
    assert store.get("zhang") == info


def test_remove(store):
    store.add("zhang", PASSWORD)
    store.add("li", PASSWORD, role="admin")
    store.remove("Zhang")
    assert [a.name for a in store.list()] == ["li"]
    with pytest.raises(StoreError, match="^没有名为 'zhang' 的账号$"):
        store.remove("zhang")


def test_the_last_admin_can_be_neither_removed_nor_demoted(store):
    store.add("li", PASSWORD, role="admin")
    store.add("zhang", PASSWORD)
    with pytest.raises(StoreError, match="^不能删除最后一个管理员账号$"):
        store.remove("li")
    with pytest.raises(StoreError, match="^不能删除最后一个管理员账号：不能把 li 改为审核"):
        store.update("li", role="reviewer")
    assert store.update("li", area="350481").role == "admin"  # staying admin is fine
    store.update("zhang", role="admin")
    store.update("li", role="viewer")  # another admin exists now
    store.remove("li")
    with pytest.raises(StoreError, match="最后一个管理员"):
        store.remove("zhang")
    assert [(a.name, a.role) for a in store.list()] == [("zhang", "admin")]


def test_changes_are_audited_when_the_store_is_told_who(store):
    store.add("zhang", PASSWORD, area="350481", by="命令行:root", client="本机")
    store.set_password("zhang", "other password", by="admin1", client="10.0.0.5")
    store.update("zhang", role="planner", area=None, by="admin1", client="10.0.0.5")
    store.remove("zhang", by="admin1")
    store.add("wang", PASSWORD)  # without ``by``: no entry
    assert audit_rows(store) == [
        ("命令行:root", "account_add", "zhang（查看，350481）", "成功", "本机"),
        ("admin1", "account_passwd", "zhang", "成功", "10.0.0.5"),
        ("admin1", "account_update", "zhang（规划，全部）", "成功", "10.0.0.5"),
        ("admin1", "account_remove", "zhang", "成功", None),
    ]


def test_a_refused_change_writes_neither_the_change_nor_an_entry(store):
    store.add("li", PASSWORD, role="admin", by="root")
    with pytest.raises(StoreError):
        store.add("li", PASSWORD, by="root")
    with pytest.raises(StoreError):
        store.remove("li", by="root")
    assert [r[1] for r in audit_rows(store)] == ["account_add"]
    assert store.count() == 1


def test_a_damaged_file_is_refused_in_chinese(tmp_path):
    (tmp_path / "accounts.sqlite").write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError, match="账号库 .* 无法打开（文件可能已损坏）"):
        AccountStore(tmp_path, hasher=QUICK).list()


# ---- the login ---------------------------------------------------------------------------
def test_login_returns_the_account(store):
    store.add("zhang", PASSWORD, role="reviewer", area="350481")
    account = store.verify(" Zhang ", PASSWORD, client="10.0.0.5")
    assert account == Account("zhang", "reviewer", "350481")
    assert audit_rows(store) == [("zhang", "login", "", "成功", "10.0.0.5")]


def test_an_unknown_name_gets_the_same_message_and_spends_a_hash(store):
    store.add("zhang", PASSWORD)
    calls = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            calls.append(hash.split("$")[1])
            return super().verify(hash, password)

    store.hasher = Counting(time_cost=1, memory_cost=8, parallelism=1)
    for name in ("wang", ""):
        with pytest.raises(LoginError, match="^用户名或密码错误$"):
            store.verify(name, PASSWORD)
    fail(store, "zhang", 1)
    assert calls == ["argon2id"] * 3  # one hash checked each time, known name or not
    assert audit_rows(store) == [("wang", "login", "", "账号不存在", None),
                                 ("", "login", "", "账号不存在", None),
                                 ("zhang", "login", "", "密码错误", None)]


def test_the_fifth_failure_in_a_row_locks_for_fifteen_minutes(store, clock):
    assert (LOCK_FAILURES, LOCK_MINUTES) == (5, 15)
    store.add("zhang", PASSWORD)
    assert fail(store, "zhang", 4) == "用户名或密码错误"
    info = store.get("zhang")
    assert (info.failures, info.locked_until) == (4, None)
    assert fail(store, "zhang", 1) == "用户名或密码错误；连续 5 次错误，账号已锁定 15 分钟"
    info = store.get("zhang")
    assert (info.failures, info.locked_until) == (5, "2026-11-23T10:15:00+08:00")
    assert audit_rows(store)[-2:] == [
        ("zhang", "login", "", "密码错误", None),
        ("zhang", "lock", "zhang", "连续 5 次密码错误，锁定至 10:15", None)]


@pytest.mark.parametrize("after, minutes", [
    (timedelta(0), 15), (timedelta(seconds=30), 15), (timedelta(minutes=1), 14),
    (timedelta(minutes=10, seconds=1), 5), (timedelta(minutes=14, seconds=59), 1)])
def test_a_locked_account_refuses_even_the_right_password(store, clock, after, minutes):
    store.add("zhang", PASSWORD)
    fail(store, "zhang", 5)
    clock.move(seconds=after.total_seconds())
    with pytest.raises(LoginError, match=f"^账号已锁定，请 {minutes} 分钟后再试$"):
        store.verify("zhang", PASSWORD, client="10.0.0.5")
    assert audit_rows(store)[-1] == ("zhang", "login", "", "已锁定", "10.0.0.5")
    info = store.get("zhang")  # attempts while locked neither count nor extend the lock
    assert (info.failures, info.locked_until) == (5, "2026-11-23T10:15:00+08:00")


def test_the_lock_ends_after_fifteen_minutes(store, clock):
    store.add("zhang", PASSWORD)
    fail(store, "zhang", 5)
    clock.move(minutes=15)
    assert store.get("zhang").locked_until is None  # an expired lock reads as none
    assert store.verify("zhang", PASSWORD).name == "zhang"
    info = store.get("zhang")
    assert (info.failures, info.locked_until) == (0, None)


def test_after_an_expired_lock_the_count_starts_afresh(store, clock):
    store.add("zhang", PASSWORD)
    fail(store, "zhang", 5)
    clock.move(minutes=16)
    fail(store, "zhang", 1)
    info = store.get("zhang")
    assert (info.failures, info.locked_until) == (1, None)
    fail(store, "zhang", 3)
    assert store.get("zhang").locked_until is None
    fail(store, "zhang", 1)
    assert store.get("zhang").locked_until == "2026-11-23T10:31:00+08:00"


def test_a_success_resets_the_count(store):
    store.add("zhang", PASSWORD)
    fail(store, "zhang", 4)
    store.verify("zhang", PASSWORD)
    assert store.get("zhang").failures == 0
    fail(store, "zhang", 4)  # four more do not lock
    assert store.get("zhang").locked_until is None
    assert store.verify("zhang", PASSWORD).name == "zhang"


def test_a_new_password_lifts_the_lock(store):
    store.add("zhang", PASSWORD)
    fail(store, "zhang", 5)
    store.set_password("zhang", "fresh password")
    info = store.get("zhang")
    assert (info.failures, info.locked_until) == (0, None)
    assert store.verify("zhang", "fresh password").name == "zhang"


def test_failures_of_one_account_do_not_touch_another(store):
    store.add("zhang", PASSWORD)
    store.add("li", PASSWORD)
    fail(store, "zhang", 5)
    assert store.verify("li", PASSWORD).name == "li"


def test_a_hash_with_old_parameters_is_replaced_at_login(store, tmp_path, clock):
    store.add("zhang", PASSWORD)
    assert "$m=8,t=1,p=1$" in stored_hash(store, "zhang")
    stronger = AccountStore(store.folder, hasher=PasswordHasher(time_cost=2, memory_cost=16,
                                                                parallelism=1), clock=clock)
    fail(stronger, "zhang", 1)
    assert "$m=8,t=1,p=1$" in stored_hash(store, "zhang")  # a failure changes no hash
    assert stronger.verify("zhang", PASSWORD).name == "zhang"
    assert "$m=16,t=2,p=1$" in stored_hash(store, "zhang")
    assert store.verify("zhang", PASSWORD).name == "zhang"  # still the same password


def test_a_damaged_hash_is_a_wrong_password(store, caplog):
    store.add("zhang", PASSWORD)
    sql(store.path, "UPDATE accounts SET password_hash = 'garbage'")
    fail(store, "zhang", 1, PASSWORD)
    assert "密码哈希无法识别" in caplog.text


def test_login_error_is_a_store_error():
    assert issubclass(LoginError, StoreError) and issubclass(LoginError, ValueError)
