"""Small remembered texts of the data store — the column mappings (``column_maps.json``)
and the village-name picks (``village_names.json``) an import learned: a file of the
data folder, or a row of the ``[store] url`` database shared by every app process.

>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> read_text(d, "x.json") is None
True
>>> update_text(d, "x.json", lambda old: (old or "") + "a")
>>> update_text(d, "x.json", lambda old: (old or "") + "b")
>>> read_text(d, "x.json")
'ab'
"""
from __future__ import annotations

import fcntl
from pathlib import Path
from typing import Callable

from geo.atomic import write_text_atomic
from geo.db import is_url, open_database, transaction

_SCHEMA = "CREATE TABLE IF NOT EXISTS remembered (name TEXT PRIMARY KEY, text TEXT NOT NULL)"
WHAT = "导入记录库"


def read_text(location, name: str) -> str | None:
    """The text remembered as ``name``, or ``None``; a file that cannot be read raises
    ``OSError`` (the callers log it and carry on without it)."""
    if is_url(location):
        with _database(location) as con:
            row = con.execute("SELECT text FROM remembered WHERE name = ?", (name,)).fetchone()
        return None if row is None else row[0]
    try:
        return (Path(location) / name).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def update_text(location, name: str, change: Callable[[str | None], str]) -> None:
    """Replace the text ``name`` by ``change(old text or None)``: one writer at a time
    (two sessions or processes remembering at once lose nothing), atomically."""
    if is_url(location):
        with _database(location) as con, transaction(con):
            row = con.execute("SELECT text FROM remembered WHERE name = ?", (name,)).fetchone()
            text = change(None if row is None else row[0])
            if row is None:
                con.execute("INSERT INTO remembered (name, text) VALUES (?, ?)", (name, text))
            else:
                con.execute("UPDATE remembered SET text = ? WHERE name = ?", (text, name))
        return
    folder = Path(location)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            old = (folder / name).read_text(encoding="utf-8")
        except FileNotFoundError:
            old = None
        except (OSError, UnicodeDecodeError):
            old = ""  # unreadable: started afresh, as reading it would have done
        write_text_atomic(folder / name, change(old), ".part")


def _database(url: str):
    return open_database(url, 30.0, lambda con: con.execute(_SCHEMA), WHAT)
