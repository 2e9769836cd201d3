"""Writing files so that a crash never leaves half of one: temporary file in the
same folder, fsync, ``os.replace``, fsync of the folder.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "方案.json"
>>> write_text_atomic(p, "{}") == p, p.read_text()
(True, '{}')
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_path(path: str | os.PathLike) -> None:
    """Flush a file, or a folder's entries (a rename or unlink inside it), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text_atomic(path: str | os.PathLike, text: str, suffix: str = ".tmp") -> Path:
    """Replace ``path`` by ``text`` (UTF-8) atomically; the old file stays whole on failure."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_path(path.parent)
    return path
