"""The embedded SQLite databases of the data folder (scenarios, accounts and audit log):
one way to open them and one transaction, with Chinese errors naming the file.

Rollback-journal mode (``journal_mode=DELETE``) and ``synchronous=FULL``: a commit
reaches the disk before it returns, and a writer killed mid-transaction leaves a hot
journal that the next connection rolls back — nothing committed is lost, nothing
half-written is read.  ``BEGIN IMMEDIATE`` and a busy timeout serialise two sessions
writing at once.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "x.sqlite"
>>> setup = lambda con: con.execute("CREATE TABLE IF NOT EXISTS t (v)")
>>> with open_database(path, 5, setup, "测试库") as con, transaction(con):
...     _ = con.execute("INSERT INTO t VALUES (1)")
>>> with open_database(path, 5, setup, "测试库") as con:
...     con.execute("SELECT v FROM t").fetchall()
[(1,)]
>>> with open_database(path, 5, setup, "测试库") as con:
...     _ = con.execute("INSERT INTO nowhere VALUES (1)")
Traceback (most recent call last):
...
geo.store.StoreError: 测试库 ... 无法使用：no such table: nowhere
"""
from __future__ import annotations

import os
import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Callable

from geo.store import StoreError


@contextmanager
def open_database(path, timeout: float, setup: Callable[[sqlite3.Connection], None],
                  what: str, private: bool = False, refusals: tuple[str, ...] = ()):
    """A connection to ``path`` (its folder and file created when missing; ``private``:
    readable by its owner only) with the pragmas above, after ``setup(con)`` (schema,
    migration).  SQLite and disk errors become a :class:`~geo.store.StoreError` naming
    ``what`` (e.g. 方案库) and the file; a refusal raised by a trigger whose text is one
    of ``refusals`` is said as it is."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if private and not path.exists():
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        with closing(sqlite3.connect(path, timeout=timeout, isolation_level=None)) as con:
            con.execute("PRAGMA journal_mode=DELETE")
            con.execute("PRAGMA synchronous=FULL")
            setup(con)
            yield con
    except sqlite3.IntegrityError as exc:
        refusal = next((r for r in refusals if r in str(exc)), None)
        raise StoreError(refusal or f"{what} {path} 拒绝写入：{exc}") from None
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise StoreError(f"{what}正被另一个会话写入，请稍后再试") from None
        raise StoreError(f"{what} {path} 无法使用：{exc}") from None
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{what} {path} 无法打开（文件可能已损坏）：{exc}") from None
    except OSError as exc:
        raise StoreError(f"{what} {path} 无法打开：{exc.strerror or exc}") from None


@contextmanager
def transaction(con: sqlite3.Connection):
    """``BEGIN IMMEDIATE`` … ``COMMIT``; ``ROLLBACK`` when the body raises."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
