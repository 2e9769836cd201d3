"""The briefing sequences (geo/sequence_store.py): views checked as data; add,
reorder, remove, rename and delete, each one transaction that survives a new
store; a stale revision refused; the refusal of a viewer (geo.access)."""
import threading

import pytest

from geo import access
from geo.sequence_store import MAX_VIEWS, SequenceStore, View
from geo.db import is_url, place
from geo.store import StoreError
from tests.geo.conftest import sql

A, B, C = View("overview"), View("grids", "350481"), View("rankings", "350481", year=2021)


@pytest.fixture
def store(location):
    """In a data folder and in PostgreSQL (every test taking it runs on both)."""
    return SequenceStore(location)


def pages(sequence) -> list[str]:
    return [v.page for v in sequence.views]


def test_a_new_sequence_is_empty_and_kept_in_the_data_folder(store):
    made = store.create(" 年终汇报 ", owner="wang", area="350481")
    assert (made.name, made.owner, made.area, made.views, made.revision) == \
        ("年终汇报", "wang", "350481", (), 1)
    assert made.created.endswith("+08:00") and made.created == made.updated
    assert store.path == place(store.folder, "sequences.sqlite")
    assert is_url(store.path) or store.path.exists()
    with pytest.raises(StoreError, match="汇报序列“年终汇报”已存在"):
        store.create("年终汇报")


def test_add_reorder_remove_and_rename_persist(store):
    for view in (A, B, C):
        store.add_view("汇报", view, create=True)
    assert pages(store.get("汇报")) == ["overview", "grids", "rankings"]
    assert pages(store.add_view("汇报", View("joint"), position=0)) == \
        ["joint", "overview", "grids", "rankings"]
    assert pages(store.move_view("汇报", 0, 3)) == ["overview", "grids", "rankings", "joint"]
    assert pages(store.move_view("汇报", 2, 0)) == ["rankings", "overview", "grids", "joint"]
    assert pages(store.remove_view("汇报", 1)) == ["rankings", "grids", "joint"]
    renamed = store.rename("汇报", "县委汇报")
    assert renamed.revision == 9                    # 1 + 4 adds + 2 moves + 1 removal + rename
    again = SequenceStore(store.folder).get("县委汇报")   # a new store: from the disk
    assert again == renamed and again.views[0] == C and again.views[0].year == 2021
    with pytest.raises(StoreError, match="没有名为“汇报”的汇报序列"):
        store.get("汇报")
    store.delete("县委汇报")
    assert store.list() == []


def test_the_list_keeps_the_order_of_creation(store):
    for name in ("乙", "甲", "丙"):
        store.create(name)
    assert [q.name for q in store.list()] == ["乙", "甲", "丙"]


def test_positions_out_of_range_and_names_taken_are_refused(store):
    store.add_view("汇报", A, create=True)
    store.create("另一个")
    with pytest.raises(StoreError, match="没有第 1 页"):
        store.remove_view("汇报", 1)
    with pytest.raises(StoreError, match="没有第 -1 页"):
        store.move_view("汇报", -1, 0)
    with pytest.raises(StoreError, match="没有第 True 页"):
        store.move_view("汇报", 0, True)
    with pytest.raises(StoreError, match="汇报序列“另一个”已存在，不能重名"):
        store.rename("汇报", "另一个")
    with pytest.raises(StoreError, match="请填写汇报序列的名称"):
        store.rename("汇报", "  ")
    with pytest.raises(StoreError, match="不能含有控制字符"):
        store.create("a\nb")
    with pytest.raises(StoreError, match="没有名为“无”的汇报序列"):
        store.add_view("无", A)
    assert pages(store.get("汇报")) == ["overview"]    # nothing refused changed anything


def test_a_stale_revision_is_refused(store):
    shown = store.add_view("汇报", A, create=True)
    store.add_view("汇报", B, revision=shown.revision)     # the one shown: accepted
    with pytest.raises(StoreError, match="已被他人修改，请刷新后再操作"):
        store.remove_view("汇报", 0, revision=shown.revision)
    with pytest.raises(StoreError, match="已被他人修改"):
        store.rename("汇报", "新", revision=shown.revision)
    assert pages(store.get("汇报")) == ["overview", "grids"]


def test_at_most_max_views(store):
    store.create("长")
    for _ in range(MAX_VIEWS):
        store.add_view("长", A)
    with pytest.raises(StoreError, match=f"最多 {MAX_VIEWS} 页"):
        store.add_view("长", A)


@pytest.mark.parametrize("fields, message", [
    ({"page": "map"}, "未知页面 'map'"),
    ({"page": "overview", "theme": "blue"}, "未知主题 'blue'"),
    ({"page": "overview", "year": 2021.0}, "年份应为 1949–2100 的整数"),
    ({"page": "overview", "year": True}, "年份应为"),
    ({"page": "overview", "county": "35 04"}, "县应为区划代码"),
    ({"page": "overview", "township": "350481101"}, "没有选它所在的县"),
    ({"page": "overview", "coloring": "<script>"}, "着色方式应为简短的英文键"),
    ({"page": "overview", "zoom": 3}, "未知的项 zoom"),
])
def test_views_are_checked(fields, message):
    with pytest.raises(StoreError, match=message):
        View.from_dict(fields)


def test_a_view_round_trips_and_blank_codes_are_none():
    view = View("overview", "350481", "350481101", "income_gain", 2020, "light")
    assert View.from_dict(view.as_dict()) == view
    assert View("grids", "", "", "").area == (None, None) and View("grids").coloring is None


def test_a_damaged_row_is_said_not_raised_as_json(store):
    store.create("坏")
    sql(store.path, "UPDATE sequences SET views = '[{\"page\": \"x\"}]'")
    with pytest.raises(StoreError, match="汇报序列“坏”的内容无法读取：未知页面"):
        store.get("坏")


def test_two_sessions_adding_at_once_lose_nothing(tmp_path):
    SequenceStore(tmp_path).create("汇报")
    errors = []

    def add(n):
        try:
            for _ in range(n):
                SequenceStore(tmp_path).add_view("汇报", A)
        except StoreError as exc:  # pragma: no cover - would fail the test below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(5,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(SequenceStore(tmp_path).get("汇报").views) == 20


def test_a_viewer_is_refused_and_a_planner_allowed():
    viewer = access.Account("zhang", "viewer", area="350481")
    planner = access.Account("wang", "planner", area="350481")
    area = access.Area("350481", "350481101")
    assert access.can(viewer, access.EDIT_SEQUENCE, area) == "账号 zhang（查看）无权编辑汇报序列"
    assert access.can(viewer, access.VIEW, area) is None        # a viewer plays
    assert access.can(planner, access.EDIT_SEQUENCE, area) is None
    assert access.can(planner, access.EDIT_SEQUENCE, access.Area("350427")) == \
        "账号 wang 只能查看和处理 350481 范围内的数据"
