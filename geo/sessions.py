"""Sessions of built-in accounts: a login that outlives a reload or a new tab.

After a login the browser keeps a random token (a ``SameSite=Strict`` cookie
written by the page); the server keeps only the token's SHA-256, the account
and when the session was last used, in the accounts database
(``FOLDER/accounts.sqlite``, table ``sessions``).  A session ends at logout,
after the idle time, when the account gets a new password or is removed
(:mod:`geo.accounts` deletes its sessions), and is refused while the account
is locked.

>>> import tempfile
>>> from argon2 import PasswordHasher
>>> from geo.accounts import AccountStore
>>> accounts = AccountStore(tempfile.mkdtemp(),
...                         hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
>>> _ = accounts.add("zhang", "s3cret-pass", role="viewer", area="350481")
>>> sessions = Sessions(accounts)
>>> token = sessions.open("zhang")
>>> sessions.resume(token, idle_minutes=30)
Account(name='zhang', role='viewer', area='350481', login_off=False, local=True)
>>> sessions.close(token); sessions.resume(token, idle_minutes=30) is None
True
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from geo.access import Account
from geo.accounts import AccountStore
from geo.clock import CHINA_TZ

# A session's last_seen is written at most this often (s) by :meth:`Sessions.resume`.
TOUCH_SECONDS = 60


class Sessions:
    """The sessions of the accounts of ``accounts`` (same database, same clock)."""

    def __init__(self, accounts: AccountStore):
        self.accounts = accounts

    def open(self, name: str) -> str:
        """A new session of account ``name`` after a login: a random token for the
        browser (kept in a cookie); only its SHA-256 is stored."""
        token = secrets.token_urlsafe(32)
        now = self.accounts._now_iso()
        with self.accounts._transaction() as con:
            key = self.accounts._existing(con, name)
            con.execute("INSERT INTO sessions (token_hash, name, created, last_seen) "
                        "VALUES (?, ?, ?, ?)", (_token_hash(token), key, now, now))
        return token

    def resume(self, token, idle_minutes: int) -> Account | None:
        """The account of a session token seen within ``idle_minutes``; ``None`` for an
        unknown, expired or locked one (an expired one is removed)."""
        if not isinstance(token, str) or not token:
            return None
        now = self.accounts.clock()
        with self.accounts._transaction() as con:
            row = con.execute("SELECT s.last_seen, a.name, a.role, a.area, a.locked_until "
                              "FROM sessions s JOIN accounts a ON a.name = s.name "
                              "WHERE s.token_hash = ?", (_token_hash(token),)).fetchone()
            if row is None:
                return None
            last_seen, key, role, area, locked_until = row
            if datetime.fromisoformat(last_seen) + timedelta(minutes=idle_minutes) < now or (
                    locked_until and datetime.fromisoformat(locked_until) > now):
                con.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))
                return None
            if (now - datetime.fromisoformat(last_seen)).total_seconds() >= TOUCH_SECONDS:
                con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                            (_iso(now), _token_hash(token)))
        return Account(key, role, area)

    def touch(self, token) -> None:
        """The session was used now (its idle time starts again)."""
        if isinstance(token, str) and token:
            with self.accounts._transaction() as con:
                con.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                            (self.accounts._now_iso(), _token_hash(token)))

    def close(self, token) -> None:
        """Forget a session (logout, idle)."""
        if isinstance(token, str) and token:
            with self.accounts._transaction() as con:
                con.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def _iso(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).isoformat(timespec="seconds")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
