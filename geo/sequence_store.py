"""Briefing sequences (汇报序列): named, ordered lists of saved views, played
full screen in 汇报模式 and exported as slides.

A *view* is what one screen shows: the page (:data:`PAGES`: 总览, 跨村联建,
网格治理, 排名), the area (a county code, and a township code inside it;
none: the whole dataset), the colouring (the page's own key: ``joint``,
``income_eval`` … on 总览, the ranked figure on 排名; ``None``: the page's
default), the year (SPEC §3 "As of a year"; ``None``: the data as they are)
and the theme (``dark`` for projectors, ``light``).

The sequences live in ``FOLDER/sequences.sqlite`` beside the scenario store,
one row a sequence, its views kept in order as JSON text; every change is one
transaction (:mod:`geo.sqlite_db`: rollback journal, ``synchronous=FULL``,
``BEGIN IMMEDIATE``), so two sessions editing at once never lose a view.
Each change increments the sequence's ``revision``; a caller that passes the
revision it showed (``revision=``) is refused when somebody changed the
sequence since, instead of moving or removing the wrong view.  *Who* may
change a sequence is decided by the caller (:mod:`geo.access`).

>>> import tempfile
>>> store = SequenceStore(tempfile.mkdtemp())
>>> seq = store.add_view("11月汇报", View("overview"), create=True)
>>> seq = store.add_view("11月汇报", View("rankings", county="350481", year=2021))
>>> [v.page for v in seq.views], seq.revision
(['overview', 'rankings'], 3)
>>> [v.page for v in store.move_view("11月汇报", 1, 0).views]
['rankings', 'overview']
>>> store.rename("11月汇报", " 年终汇报 ").name
'年终汇报'
>>> [v.page for v in store.remove_view("年终汇报", 0, revision=5).views]
['overview']
>>> store.remove_view("年终汇报", 0, revision=5)
Traceback (most recent call last):
...
geo.store.StoreError: 汇报序列“年终汇报”已被他人修改，请刷新后再操作
"""
from __future__ import annotations

import json
import logging
import unicodedata
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from geo.clock import now_iso
from geo.db import open_database, location_of, place, transaction
from geo.store import StoreError

log = logging.getLogger(__name__)

DATABASE = "sequences.sqlite"
# The pages a view may show, and their Chinese names.
PAGES = {"overview": "总览", "joint": "跨村联建", "grids": "网格治理", "rankings": "排名"}
THEMES = ("dark", "light")
NAME_MAX = 60        # characters of a sequence's name
COLORING_MAX = 40    # characters of a colouring key
MAX_VIEWS = 60       # views in one sequence
YEARS = (1949, 2100)  # the years a view may be at
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sequences (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    owner TEXT NOT NULL DEFAULT '',
    area TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    views TEXT NOT NULL DEFAULT '[]',
    revision INTEGER NOT NULL DEFAULT 1
)"""
_COLUMNS = "id, name, owner, area, created, updated, views, revision"


def _code(value, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not value.strip().isalnum() or len(value.strip()) > 20:
        raise StoreError(f"视图的{what}应为区划代码（文字），实际为 {value!r}")
    return value.strip()


@dataclass(frozen=True)
class View:
    """One saved screen; checked on creation (:class:`~geo.store.StoreError`, Chinese).

    ``page`` a key of :data:`PAGES`; ``county``/``township`` codes (a township
    needs its county); ``coloring`` the page's colouring key (text, or
    ``None``); ``year`` the year whose end is shown (``None``: the latest);
    ``theme`` one of :data:`THEMES`.

    >>> View("overview", "350481", "350481101", "income_eval", 2021, "light").area
    ('350481', '350481101')
    >>> View("map")
    Traceback (most recent call last):
    ...
    geo.store.StoreError: 未知页面 'map'，可选：overview、joint、grids、rankings
    >>> View("overview", township="350481101")
    Traceback (most recent call last):
    ...
    geo.store.StoreError: 视图选了乡镇 350481101，却没有选它所在的县
    """

    page: str
    county: str | None = None
    township: str | None = None
    coloring: str | None = None
    year: int | None = None
    theme: str = "dark"

    def __post_init__(self):
        if self.page not in PAGES:
            raise StoreError(f"未知页面 {self.page!r}，可选：{'、'.join(PAGES)}")
        county, township = _code(self.county, "县"), _code(self.township, "乡镇")
        if township and not county:
            raise StoreError(f"视图选了乡镇 {township}，却没有选它所在的县")
        coloring = self.coloring or None
        if coloring is not None and (not isinstance(coloring, str)
                                     or len(coloring) > COLORING_MAX
                                     or not coloring.replace("_", "").isalnum()):
            raise StoreError(f"视图的着色方式应为简短的英文键，实际为 {self.coloring!r}")
        year = self.year
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)
                                 or not YEARS[0] <= year <= YEARS[1]):
            raise StoreError(f"视图的年份应为 {YEARS[0]}–{YEARS[1]} 的整数，实际为 {year!r}")
        if self.theme not in THEMES:
            raise StoreError(f"未知主题 {self.theme!r}，可选：{'、'.join(THEMES)}")
        for field, value in (("county", county), ("township", township),
                             ("coloring", coloring)):
            object.__setattr__(self, field, value)

    @property
    def area(self) -> tuple[str | None, str | None]:
        """``(county, township)``."""
        return self.county, self.township

    def as_dict(self) -> dict:
        """The view as JSON-ready data (every field, ``None`` included)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data) -> View:
        """A view from :meth:`as_dict`'s data; unknown keys are refused.

        >>> View.from_dict({"page": "grids", "county": "350481"}).as_dict()["theme"]
        'dark'
        >>> View.from_dict({"page": "grids", "zoom": 3})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        geo.store.StoreError: 视图中有未知的项 zoom，可选：page、county、township、...
        """
        if not isinstance(data, dict):
            raise StoreError(f"视图应为字典，实际为 {type(data).__name__}")
        fields = tuple(cls.__dataclass_fields__)
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise StoreError(f"视图中有未知的项 {'、'.join(unknown)}，可选：{'、'.join(fields)}")
        return cls(**data)


@dataclass(frozen=True)
class Sequence:
    """One saved sequence: ``views`` in playing order; ``owner`` the account that
    created it (``''``: nobody logged in) and ``area`` its area code (``None``:
    the whole dataset); ``created``/``updated`` ISO 8601 with +08:00;
    ``revision`` 1 at creation, one more with every change."""

    id: int
    name: str
    owner: str
    area: str | None
    created: str
    updated: str
    views: tuple
    revision: int


def sequence_name(name) -> str:
    """The name trimmed and checked: 1–:data:`NAME_MAX` characters, no control characters.

    >>> sequence_name("  年终汇报 ")
    '年终汇报'
    >>> sequence_name(" ")
    Traceback (most recent call last):
    ...
    geo.store.StoreError: 请填写汇报序列的名称
    """
    if not isinstance(name, str) or not name.strip():
        raise StoreError("请填写汇报序列的名称")
    name = name.strip()
    if len(name) > NAME_MAX:
        raise StoreError(f"汇报序列的名称最多 {NAME_MAX} 个字，实际 {len(name)} 个")
    if any(unicodedata.category(c) in _REFUSED_CATEGORIES for c in name):
        raise StoreError("汇报序列的名称不能含有控制字符或换行")
    return name


class SequenceStore:
    """Briefing sequences in ``folder/sequences.sqlite`` (see the module docstring).

    A sequence is found by its name.  Positions are 0-based indexes into its
    views; a position that is not there is refused.
    """

    def __init__(self, folder, timeout: float = 30.0):
        self.folder = location_of(folder)
        self.path = place(folder, DATABASE)
        self.timeout = timeout

    def list(self) -> list[Sequence]:
        """Every sequence, in the order they were created."""
        with self._connection() as con:
            rows = con.execute(f"SELECT {_COLUMNS} FROM sequences ORDER BY id").fetchall()
        return [_sequence(row) for row in rows]

    def get(self, name: str) -> Sequence:
        """The sequence called ``name``."""
        with self._connection() as con:
            return _sequence(self._row(con, name))

    def create(self, name: str, owner: str = "", area: str | None = None) -> Sequence:
        """A new, empty sequence; refuses a name taken."""
        name = sequence_name(name)
        if area is not None and not isinstance(area, str):
            raise StoreError("汇报序列所属区域应为县或乡镇代码（文字）")
        now = now_iso()
        with self._transaction() as con:
            if con.execute("SELECT 1 FROM sequences WHERE name = ?", (name,)).fetchone():
                raise StoreError(f"汇报序列“{name}”已存在")
            con.execute("INSERT INTO sequences (name, owner, area, created, updated) "
                        "VALUES (?, ?, ?, ?, ?)", (name, str(owner or ""), area, now, now))
            return _sequence(self._row(con, name))

    def add_view(self, name: str, view: View, position: int | None = None,
                 create: bool = False, owner: str = "", area: str | None = None,
                 revision: int | None = None) -> Sequence:
        """Insert ``view`` into the sequence ``name``.

        Parameters
        ----------
        name : str
            The sequence's name.
        view : View
        position : int, optional
            0-based index the view takes (``None``: after the last).
        create : bool
            Create a missing sequence first, with ``owner`` (account name, ``''``:
            nobody logged in) and ``area`` (county or township code) as :meth:`create`.
        revision : int, optional
            The revision the caller showed; refused when the sequence changed since.

        Returns
        -------
        Sequence
            The sequence as saved (its revision one more).

        Raises
        ------
        geo.store.StoreError
            No such sequence, a position outside 0…len(views), :data:`MAX_VIEWS`
            reached, a stale ``revision``, or the database unusable (Chinese).
        """
        if not isinstance(view, View):
            raise StoreError(f"应为视图（View），实际为 {type(view).__name__}")
        if create:
            try:
                self.get(name)
            except StoreError:
                self.create(name, owner, area)

        def change(views: list) -> None:
            if len(views) >= MAX_VIEWS:
                raise StoreError(f"一个汇报序列最多 {MAX_VIEWS} 页")
            at = len(views) if position is None else _index(position, len(views) + 1)
            views.insert(at, view)
        return self._change(name, change, revision)

    def move_view(self, name: str, index: int, to: int,
                  revision: int | None = None) -> Sequence:
        """Move the view at ``index`` to position ``to`` (0-based; the others keep
        their order); refused like :meth:`add_view`."""
        def change(views: list) -> None:
            views.insert(_index(to, len(views)), views.pop(_index(index, len(views))))
        return self._change(name, change, revision)

    def remove_view(self, name: str, index: int, revision: int | None = None) -> Sequence:
        """Remove the view at ``index``."""
        def change(views: list) -> None:
            views.pop(_index(index, len(views)))
        return self._change(name, change, revision)

    def rename(self, old: str, new: str, revision: int | None = None) -> Sequence:
        """Give a sequence a new name; a name taken by another one is refused."""
        new = sequence_name(new)
        with self._transaction() as con:
            row = self._row(con, old)
            _check_revision(row, revision)
            clash = con.execute("SELECT id FROM sequences WHERE name = ?", (new,)).fetchone()
            if clash and clash[0] != row[0]:
                raise StoreError(f"汇报序列“{new}”已存在，不能重名")
            if new != row[1]:
                con.execute("UPDATE sequences SET name = ?, updated = ?, revision = revision + 1 "
                            "WHERE id = ?", (new, now_iso(), row[0]))
            return _sequence(self._row(con, new))

    def delete(self, name: str) -> None:
        """Remove a sequence."""
        with self._transaction() as con:
            con.execute("DELETE FROM sequences WHERE id = ?", (self._row(con, name)[0],))

    # ---- internals -----------------------------------------------------
    def _change(self, name: str, change, revision: int | None) -> Sequence:
        with self._transaction() as con:
            row = self._row(con, name)
            _check_revision(row, revision)
            views = list(_sequence(row).views)
            change(views)
            text = json.dumps([v.as_dict() for v in views], ensure_ascii=False)
            con.execute("UPDATE sequences SET views = ?, updated = ?, revision = revision + 1 "
                        "WHERE id = ?", (text, now_iso(), row[0]))
            sequence = _sequence(self._row(con, row[1]))
        log.info("汇报序列“%s”已保存（%d 页）", sequence.name, len(sequence.views))
        return sequence

    def _row(self, con, name) -> tuple:
        key = name.strip() if isinstance(name, str) else ""
        row = con.execute(f"SELECT {_COLUMNS} FROM sequences WHERE name = ?", (key,)).fetchone()
        if row is None:
            raise StoreError(f"没有名为“{name}”的汇报序列")
        return row

    def _connection(self):
        return open_database(self.path, self.timeout,
                             lambda con: con.execute(_SCHEMA), "汇报序列库")

    @contextmanager
    def _transaction(self):
        with self._connection() as con, transaction(con):
            yield con


def _index(value, length: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < length:
        raise StoreError(f"没有第 {value!r} 页（共 {length} 个位置，从 0 数起）")
    return value


def _check_revision(row: tuple, revision: int | None) -> None:
    if revision is not None and revision != row[7]:
        raise StoreError(f"汇报序列“{row[1]}”已被他人修改，请刷新后再操作")


def _sequence(row: tuple) -> Sequence:
    try:
        views = tuple(View.from_dict(v) for v in json.loads(row[6]))
    except (ValueError, TypeError) as exc:  # StoreError is a ValueError
        raise StoreError(f"汇报序列“{row[1]}”的内容无法读取：{exc}") from None
    return Sequence(row[0], row[1], row[2], row[3], row[4], row[5], views, row[7])
