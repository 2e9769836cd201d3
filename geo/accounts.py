"""Built-in accounts (SPEC §7, ``[auth] mode = "accounts"``) in ``FOLDER/accounts.sqlite``.

One row an account: name, role, area, the password's argon2id hash (never
shown, never logged), the count of consecutive failed logins and the end of
a lock.  :meth:`AccountStore.verify` is the login: after
:data:`LOCK_FAILURES` wrong passwords in a row the account is locked for
:data:`LOCK_MINUTES` minutes, and every attempt is written to the audit log
(:mod:`geo.audit`, same file) in the same transaction as the counters.  An
unknown name and a wrong password give the same message and take about the
same time.  The SQLite handling (journal, transactions, errors) is that of
:mod:`geo.scenario_store`, through :mod:`geo.sqlite_db`.

>>> import tempfile
>>> from argon2 import PasswordHasher
>>> quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # not for production
>>> store = AccountStore(tempfile.mkdtemp(), hasher=quick)
>>> store.add("zhang", "s3cret-pass", role="planner", area="350481").account
Account(name='zhang', role='planner', area='350481', login_off=False, local=True)
>>> store.verify("zhang", "s3cret-pass", client="10.0.0.5").label
'zhang（规划）'
>>> store.verify("zhang", "wrong")
Traceback (most recent call last):
...
geo.accounts.LoginError: 用户名或密码错误
>>> store.add("li", "short", role="admin")
Traceback (most recent call last):
...
geo.store.StoreError: 密码至少 8 个字符（现为 5 个）
"""
from __future__ import annotations

import logging
import math
import re
import secrets
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from geo import audit
from geo.access import ROLE_NAMES, ROLES, Account
from geo.clock import CHINA_TZ
from geo.db import location_of, place, transaction
from geo.store import StoreError

log = logging.getLogger(__name__)

MIN_PASSWORD = 8
NAME_MAX = 32
LOCK_FAILURES = 5
LOCK_MINUTES = 15
LOGIN_REFUSED = "用户名或密码错误"
LAST_ADMIN = "不能删除最后一个管理员账号"
# Results of a failed login in the audit log.
WRONG_PASSWORD, UNKNOWN_ACCOUNT, LOCKED = "密码错误", "账号不存在", "已锁定"
# ASCII letters and digits, _ . - @, and CJK ideographs (basic block and extension A).
_NAME = re.compile(r"[A-Za-z0-9_.\-@\u3400-\u4dbf\u4e00-\u9fff]+")
_SCHEMA = (
    f"""CREATE TABLE IF NOT EXISTS accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ({', '.join(repr(r) for r in ROLES)})),
    area TEXT,
    password_hash TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
)""",
    """CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL COLLATE NOCASE,
    created TEXT NOT NULL,
    last_seen TEXT NOT NULL
)""",
    *audit.SCHEMA,
)
_INFO_COLUMNS = "name, role, area, created, updated, failures, locked_until"
_UNCHANGED = object()


class LoginError(StoreError):
    """A refused login; the message is for the user and never says whether the name exists."""


@dataclass(frozen=True)
class AccountInfo:
    """An account as the store reports it, without its password hash.

    ``created`` and ``updated`` are ISO 8601 with +08:00; ``failures`` the
    consecutive failed logins; ``locked_until`` the end of a lock still in
    force (``None`` when not locked; an expired lock reads as none, with no
    failures).
    """

    name: str
    role: str
    area: str | None
    created: str
    updated: str
    failures: int
    locked_until: str | None

    @property
    def account(self) -> Account:
        """The :class:`geo.access.Account` a login with this account gives."""
        return Account(self.name, self.role, self.area)

    @property
    def label(self) -> str:
        """``name（角色，范围）`` as written in the audit log, e.g. ``zhang（查看，350481）``."""
        return f"{self.name}（{ROLE_NAMES[self.role]}，{self.area or '全部'}）"


def account_name(name) -> str:
    """The name trimmed, NFKC-normalised and checked: 1–32 characters, letters, digits,
    ``_ . - @`` and Chinese characters.

    >>> account_name(" 张三_01 ")
    '张三_01'
    >>> account_name("zhang san")
    Traceback (most recent call last):
    ...
    geo.store.StoreError: 用户名 'zhang san' 含有不允许的字符（' '）；只能使用...
    """
    if not isinstance(name, str):
        raise StoreError("用户名应为文字")
    name = unicodedata.normalize("NFKC", name).strip()
    if not name:
        raise StoreError("用户名不能为空")
    if len(name) > NAME_MAX:
        raise StoreError(f"用户名最多 {NAME_MAX} 个字符（现为 {len(name)} 个）")
    if not _NAME.fullmatch(name):
        bad = "".join(dict.fromkeys(ch for ch in name if not _NAME.fullmatch(ch)))
        raise StoreError(f"用户名 {name!r} 含有不允许的字符（{bad!r}）；"
                         "只能使用字母、数字、汉字和 _ . - @")
    return name


def _role(role) -> str:
    if role not in ROLES:
        raise StoreError(f"未知角色 {role!r}，可选："
                         + "、".join(f"{r}（{ROLE_NAMES[r]}）" for r in ROLES))
    return role


def _area(area) -> str | None:
    """A county or township code, or ``None``; whether the dataset has it is the caller's
    check (it depends on the dataset shown)."""
    if area is None:
        return None
    text = str(area).strip()
    if not text:
        return None
    if len(text) > NAME_MAX or not text.isascii() or not text.isalnum():
        raise StoreError(f"范围 {area!r} 无效：应为县（市、区）或乡镇（街道）代码，如 350481")
    return text


def _beijing_now() -> datetime:
    return datetime.now(CHINA_TZ)


class AccountStore:
    """Accounts in ``folder/accounts.sqlite`` (see the module docstring).

    Parameters
    ----------
    folder : path
        The data folder (``Settings.folder``).
    min_password : int
        Fewest characters of a new password (``[auth] min_password_length``).
    timeout : float
        Seconds to wait for another writer (s).
    hasher : argon2.PasswordHasher, optional
        The password hasher; argon2-cffi's defaults (argon2id) unless given.
        A stored hash made with other parameters is replaced at the next
        successful login.
    clock : callable, optional
        Returns the current time as an aware ``datetime`` (Beijing time by
        default); the attribute ``clock`` may be replaced, e.g. by tests.

    Methods that change an account take ``by`` (who does it) and ``client``;
    when ``by`` is given the change is written to the audit log in the same
    transaction, never with the password.
    """

    def __init__(self, folder, min_password: int = MIN_PASSWORD, timeout: float = 30.0,
                 hasher: PasswordHasher | None = None,
                 clock: Callable[[], datetime] | None = None):
        if isinstance(min_password, bool) or not isinstance(min_password, int) \
                or min_password < 1:
            raise StoreError(f"密码最短长度应为正整数，实际为 {min_password!r}")
        self.folder = location_of(folder)
        self.path = place(folder, audit.DATABASE)
        self.min_password = min_password
        self.timeout = timeout
        self.hasher = hasher or PasswordHasher()
        self.clock = clock or _beijing_now
        self._dummy_hash: str | None = None

    # ---- reading -------------------------------------------------------
    def get(self, name: str) -> AccountInfo | None:
        """The account called ``name`` (letter case ignored), or ``None``."""
        key = _lookup_key(name)
        with self._connection() as con:
            row = con.execute(f"SELECT {_INFO_COLUMNS} FROM accounts WHERE name = ?",
                              (key,)).fetchone()
        return self._info(row) if row else None

    def list(self) -> list[AccountInfo]:
        """Every account, in the order they were added."""
        with self._connection() as con:
            rows = con.execute(f"SELECT {_INFO_COLUMNS} FROM accounts ORDER BY id").fetchall()
        return [self._info(row) for row in rows]

    def count(self) -> int:
        """The number of accounts."""
        with self._connection() as con:
            return con.execute("SELECT COUNT(*) FROM accounts").fetchone()[0]

    # ---- changing ------------------------------------------------------
    def add(self, name: str, password: str, role: str = "viewer", area: str | None = None,
            *, by: str | None = None, client: str | None = None) -> AccountInfo:
        """Add an account; refuses a taken name (letter case ignored), an unknown role, an
        invalid area or a password that is empty or shorter than ``min_password``."""
        name, role, area = account_name(name), _role(role), _area(area)
        digest = self.hasher.hash(self._checked_password(password))
        now = self._now_iso()
        with self._transaction() as con:
            taken = con.execute("SELECT name FROM accounts WHERE name = ?", (name,)).fetchone()
            if taken:
                raise StoreError(f"用户名 {taken[0]} 已被使用")
            con.execute("INSERT INTO accounts (name, role, area, password_hash, created, updated)"
                        " VALUES (?, ?, ?, ?, ?, ?)", (name, role, area, digest, now, now))
            info = self._read(con, name)
            self._audit(con, by, "account_add", info.label, client, now)
        log.info("已添加账号 %s", info.label)
        return info

    def set_password(self, name: str, password: str, *, by: str | None = None,
                     client: str | None = None) -> AccountInfo:
        """Give an account a new password; also clears its failed logins and its lock."""
        digest = self.hasher.hash(self._checked_password(password))
        now = self._now_iso()
        with self._transaction() as con:
            key = self._existing(con, name)
            con.execute("UPDATE accounts SET password_hash = ?, updated = ?, failures = 0, "
                        "locked_until = NULL WHERE name = ?", (digest, now, key))
            con.execute("DELETE FROM sessions WHERE name = ?", (key,))
            self._audit(con, by, "account_passwd", key, client, now)
            info = self._read(con, key)
        log.info("账号 %s 的密码已修改", key)
        return info

    def update(self, name: str, role=_UNCHANGED, area=_UNCHANGED, *, by: str | None = None,
               client: str | None = None) -> AccountInfo:
        """Change an account's role and/or area (``area=None``: the whole dataset); refuses
        demoting the last administrator."""
        now = self._now_iso()
        with self._transaction() as con:
            key = self._existing(con, name)
            info = self._read(con, key)
            new_role = info.role if role is _UNCHANGED else _role(role)
            new_area = info.area if area is _UNCHANGED else _area(area)
            if info.role == "admin" and new_role != "admin" and self._admins(con) == 1:
                raise StoreError(f"{LAST_ADMIN}：不能把 {key} 改为{ROLE_NAMES[new_role]}，"
                                 "请先添加另一个管理员")
            con.execute("UPDATE accounts SET role = ?, area = ?, updated = ? WHERE name = ?",
                        (new_role, new_area, now, key))
            info = self._read(con, key)
            self._audit(con, by, "account_update", info.label, client, now)
        log.info("账号已修改为 %s", info.label)
        return info

    def remove(self, name: str, *, by: str | None = None, client: str | None = None) -> None:
        """Delete an account; refuses deleting the last administrator."""
        now = self._now_iso()
        with self._transaction() as con:
            key = self._existing(con, name)
            if self._read(con, key).role == "admin" and self._admins(con) == 1:
                raise StoreError(LAST_ADMIN)
            con.execute("DELETE FROM accounts WHERE name = ?", (key,))
            con.execute("DELETE FROM sessions WHERE name = ?", (key,))
            self._audit(con, by, "account_remove", key, client, now)
        log.info("已删除账号 %s", key)

    # ---- login ---------------------------------------------------------
    def verify(self, name: str, password: str, client: str | None = None) -> Account:
        """The login: the account when ``password`` is right, else :class:`LoginError`.

        A wrong password counts one failure; the :data:`LOCK_FAILURES`-th in a
        row locks the account for :data:`LOCK_MINUTES` minutes, during which
        even the right password is refused (``账号已锁定，请 N 分钟后再试``,
        N rounded up).  A success clears the count.  Each attempt, and each
        lock, is written to the audit log with the counters, in one
        transaction (which holds the write lock while the hash is checked,
        about 0.1 s with the default parameters).
        """
        typed = unicodedata.normalize("NFKC", name).strip() if isinstance(name, str) else ""
        password = password if isinstance(password, str) else ""
        now = self.clock()
        stamp = _iso(now)
        refusal = None
        with self._transaction() as con:
            row = con.execute("SELECT name, role, area, password_hash, failures, locked_until "
                              "FROM accounts WHERE name = ?", (typed,)).fetchone() \
                if typed else None
            if row is None:
                self._spend_time(password)
                audit.insert(con, typed, "login", "", UNKNOWN_ACCOUNT, client, stamp)
                refusal = LoginError(LOGIN_REFUSED)
            else:
                key, role, area, digest, failures, locked_until = row
                locked = datetime.fromisoformat(locked_until) if locked_until else None
                if locked and locked > now:
                    minutes = max(1, math.ceil((locked - now).total_seconds() / 60))
                    audit.insert(con, key, "login", "", LOCKED, client, stamp)
                    refusal = LoginError(f"账号已锁定，请 {minutes} 分钟后再试")
                elif self._matches(digest, password, key):
                    con.execute("UPDATE accounts SET failures = 0, locked_until = NULL "
                                "WHERE name = ?", (key,))
                    if self._needs_rehash(digest):
                        con.execute("UPDATE accounts SET password_hash = ? WHERE name = ?",
                                    (self.hasher.hash(password), key))
                    audit.insert(con, key, "login", "", audit.OK, client, stamp)
                else:
                    failures = 1 if locked else failures + 1  # an expired lock starts afresh
                    until = self._count_failure(con, key, failures, now, client)
                    refusal = LoginError(
                        LOGIN_REFUSED if until is None else
                        f"{LOGIN_REFUSED}；连续 {failures} 次错误，账号已锁定 {LOCK_MINUTES} 分钟")
        if refusal is not None:
            log.info("登录失败：%s", audit.audit_text(typed, audit.LIMITS["account"]))
            raise refusal
        log.info("账号 %s 已登录", key)
        return Account(key, role, area)

    # ---- internals -----------------------------------------------------
    def _count_failure(self, con, key: str, failures: int, now: datetime,
                       client) -> str | None:
        """Record a wrong password (``failures`` in a row now) and lock at the limit;
        the end of the lock (ISO 8601) when it locked."""
        stamp, until = _iso(now), None
        audit.insert(con, key, "login", "", WRONG_PASSWORD, client, stamp)
        if failures >= LOCK_FAILURES:
            until = _iso(now + timedelta(minutes=LOCK_MINUTES))
            audit.insert(con, key, "lock", key,
                         f"连续 {failures} 次密码错误，锁定至 {until[11:16]}", client, stamp)
            log.warning("账号 %s 连续 %d 次密码错误，已锁定至 %s", key, failures, until)
        con.execute("UPDATE accounts SET failures = ?, locked_until = ? WHERE name = ?",
                    (failures, until, key))
        return until

    def _checked_password(self, password) -> str:
        if not isinstance(password, str):
            raise StoreError("密码应为文字")
        if not password:
            raise StoreError("密码不能为空")
        if len(password) < self.min_password:
            raise StoreError(f"密码至少 {self.min_password} 个字符（现为 {len(password)} 个）")
        return password

    def _matches(self, digest: str, password: str, name: str) -> bool:
        try:
            return self.hasher.verify(digest, password)
        except VerificationError:
            return False
        except InvalidHashError:
            log.error("账号 %s 保存的密码哈希无法识别，请为其重设密码", name)
            return False

    def _needs_rehash(self, digest: str) -> bool:
        try:
            return self.hasher.check_needs_rehash(digest)
        except (InvalidHashError, ValueError):
            return True

    def _spend_time(self, password: str) -> None:
        """Check ``password`` against a throwaway hash, so that an unknown name takes as long
        as a wrong password."""
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash(secrets.token_urlsafe(16))
        self._matches(self._dummy_hash, password, "")

    def _now_iso(self) -> str:
        return _iso(self.clock())

    def _info(self, row) -> AccountInfo:
        name, role, area, created, updated, failures, locked_until = row
        if locked_until and datetime.fromisoformat(locked_until) <= self.clock():
            failures, locked_until = 0, None
        return AccountInfo(name, role, area, created, updated, failures, locked_until)

    def _read(self, con, key: str) -> AccountInfo:
        row = con.execute(f"SELECT {_INFO_COLUMNS} FROM accounts WHERE name = ?",
                          (key,)).fetchone()
        return self._info(row)

    def _existing(self, con, name) -> str:
        """The stored spelling of ``name``; refuses an unknown one."""
        row = con.execute("SELECT name FROM accounts WHERE name = ?",
                          (_lookup_key(name),)).fetchone()
        if row is None:
            raise StoreError(f"没有名为 {name!r} 的账号")
        return row[0]

    @staticmethod
    def _admins(con) -> int:
        return con.execute("SELECT COUNT(*) FROM accounts WHERE role = 'admin'").fetchone()[0]

    @staticmethod
    def _audit(con, by, action, obj, client, stamp) -> None:
        if by is not None:
            audit.insert(con, by, action, obj, audit.OK, client, stamp)

    def _connection(self):
        return audit.open_accounts_database(self.path, self.timeout, _SCHEMA)

    @contextmanager
    def _transaction(self):
        with self._connection() as con, transaction(con):
            yield con


def _lookup_key(name) -> str:
    return unicodedata.normalize("NFKC", name).strip() if isinstance(name, str) else ""


def _iso(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).isoformat(timespec="seconds")
