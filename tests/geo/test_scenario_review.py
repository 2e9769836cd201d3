"""Owner, status and review of saved scenarios (SPEC §7 "Scenario status").

A scenario is brought to each status by the shortest way there: draft = saved
(revision 1), submitted = saved + submitted (2), approved and rejected =
saved + submitted + decided (3).  Every change adds one to the revision; a
refused one changes nothing.
"""
import sqlite3
import threading
from itertools import count

import pytest

from geo import scenario_store as ss
from geo.scenario_rules import STATUS_NAMES, STEP_NAMES, ScenarioStep
from geo.scenario_store import ScenarioInfo, ScenarioStore
from geo.store import StoreError
from tests.geo.conftest import sql

DOC = {"groups": [{"org_id": "S1", "villages": ["350481101201", "350481101202"]}]}
OTHER = {"groups": [{"villages": ["350481101203"]}, {"villages": ["350481101204"]}]}
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS scenarios (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    groups INTEGER NOT NULL,
    villages INTEGER NOT NULL,
    document TEXT NOT NULL
)"""


@pytest.fixture
def clock(monkeypatch):
    """The store's clock reads 10:00:00, 10:00:01, 10:00:02, … one second a call."""
    ticks = count()

    def tick():
        return f"2026-11-23T10:{(s := next(ticks)) // 60:02d}:{s % 60:02d}+08:00"
    monkeypatch.setattr(ss, "now_iso", tick)
    return tick


@pytest.fixture
def store(location, clock):
    """In a data folder and in PostgreSQL (every test taking it runs on both)."""
    return ScenarioStore(location)


def at(seconds):
    return f"2026-11-23T10:00:{seconds:02d}+08:00"


def bring(store, status):
    """Scenario 甲 of zhang (area 350481) in ``status``."""
    store.save("甲", DOC, owner="zhang", area="350481")
    if status != "draft":
        store.submit("甲", by="zhang")
    if status == "approved":
        store.approve("甲", by="wang", comment="同意")
    elif status == "rejected":
        store.reject("甲", by="wang", comment="缺少牵头村")
    return store.info("甲")


def test_names_are_exported():
    assert STATUS_NAMES == {"draft": "草稿", "submitted": "待审核", "approved": "已通过",
                            "rejected": "已退回"}
    assert STEP_NAMES == {"save": "保存", "rename": "重命名", "submit": "提交审核",
                          "approve": "审核通过", "reject": "退回", "reopen": "撤回为草稿"}


ACTIONS = {
    "submit": lambda s: s.submit("甲", by="zhang"),
    "approve": lambda s: s.approve("甲", by="wang"),
    "reject": lambda s: s.reject("甲", by="wang", comment="再改改"),
    "reopen": lambda s: s.reopen("甲", by="zhang"),
    "save": lambda s: s.save("甲", OTHER, overwrite=True, owner="zhang"),
    "rename": lambda s: s.rename("甲", "乙", by="zhang"),
    "delete": lambda s: s.delete("甲"),
}
SUBMITTED_NO = "方案“甲”已提交审核，不能{}；请先撤回为草稿"
READ_ONLY = "方案“甲”已审核通过，只读；如需修改请另存为新方案"
# (action, status before): the status after, "gone" (deleted), or the refusal.
TABLE = {
    ("submit", "draft"): "submitted",
    ("submit", "submitted"): "方案“甲”当前状态为“待审核”，不能提交审核"
        "（只有草稿或已退回的方案可以提交审核）",
    ("submit", "approved"): "方案“甲”当前状态为“已通过”，不能提交审核"
        "（只有草稿或已退回的方案可以提交审核）",
    ("submit", "rejected"): "submitted",
    ("approve", "draft"): "方案“甲”当前状态为“草稿”，不能审核通过"
        "（只有待审核的方案可以审核通过）",
    ("approve", "submitted"): "approved",
    ("approve", "approved"): "方案“甲”当前状态为“已通过”，不能审核通过"
        "（只有待审核的方案可以审核通过）",
    ("approve", "rejected"): "方案“甲”当前状态为“已退回”，不能审核通过"
        "（只有待审核的方案可以审核通过）",
    ("reject", "draft"): "方案“甲”当前状态为“草稿”，不能退回"
        "（只有待审核的方案可以退回）",
    ("reject", "submitted"): "rejected",
    ("reject", "approved"): "方案“甲”当前状态为“已通过”，不能退回"
        "（只有待审核的方案可以退回）",
    ("reject", "rejected"): "方案“甲”当前状态为“已退回”，不能退回"
        "（只有待审核的方案可以退回）",
    ("reopen", "draft"): "方案“甲”当前状态为“草稿”，不能撤回为草稿"
        "（只有待审核或已退回的方案可以撤回为草稿）",
    ("reopen", "submitted"): "draft",
    ("reopen", "approved"): "方案“甲”当前状态为“已通过”，不能撤回为草稿"
        "（只有待审核或已退回的方案可以撤回为草稿）",
    ("reopen", "rejected"): "draft",
    ("save", "draft"): "draft",
    ("save", "submitted"): SUBMITTED_NO.format("修改"),
    ("save", "approved"): READ_ONLY,
    ("save", "rejected"): "draft",
    ("rename", "draft"): "draft",
    ("rename", "submitted"): SUBMITTED_NO.format("重命名"),
    ("rename", "approved"): READ_ONLY,
    ("rename", "rejected"): "rejected",
    ("delete", "draft"): "gone",
    ("delete", "submitted"): SUBMITTED_NO.format("删除"),
    ("delete", "approved"): "已审核通过的方案不能删除（方案“甲”是审核记录）",
    ("delete", "rejected"): "gone",
}


@pytest.mark.parametrize("action, before", list(TABLE))
def test_every_action_from_every_status(store, action, before):
    start = bring(store, before)
    assert start.status == before
    steps = store.steps("甲")
    expected = TABLE[action, before]
    if expected == "gone":
        ACTIONS[action](store)
        assert store.list() == []
    elif expected in STATUS_NAMES:
        info = ACTIONS[action](store)
        assert (info.status, info.revision) == (expected, start.revision + 1)
        assert info.updated > start.updated and info.created == start.created
        assert store.info(info.id) == info and store.list() == [info]
        assert len(store.steps(info.id)) == len(steps) + 1
        assert store.steps(info.id)[-1].step == action
    else:
        with pytest.raises(StoreError) as caught:
            ACTIONS[action](store)
        assert str(caught.value) == expected
        assert store.list() == [start] and store.steps("甲") == steps
        assert store.load("甲")["groups"] == DOC["groups"]


def test_the_table_covers_every_action_and_status():
    assert set(TABLE) == {(a, s) for a in ACTIONS for s in STATUS_NAMES}


def test_steps_keep_who_when_and_the_comment(store):
    """Times tick one second a call: save 0, submit 1, reject 2, save 3, submit 4,
    approve 5."""
    first = store.save("甲", DOC, owner="zhang", area="350481101")
    assert first == ScenarioInfo(1, "甲", at(0), at(0), 1, 2, "zhang", "350481101", "draft", 1)
    store.submit("甲", by="zhang")
    rejected = store.reject(1, by="wang", comment="  缺少牵头村 ")
    assert (rejected.submitted_by, rejected.submitted_at) == ("zhang", at(1))
    assert ((rejected.decided_by, rejected.decided_at, rejected.comment)
            == ("wang", at(2), "缺少牵头村"))
    draft = store.save("甲", OTHER, overwrite=True, owner="zhang")
    # the rejection's comment stays readable while the planner revises
    assert (draft.status, draft.decided_by, draft.comment, draft.revision) == (
        "draft", "wang", "缺少牵头村", 4)
    store.submit("甲", by="zhang")
    approved = store.approve("甲", by="li")
    assert approved == ScenarioInfo(1, "甲", at(0), at(5), 2, 2, "zhang", "350481101",
                                    "approved", 6, "zhang", at(4), "li", at(5), "")
    assert approved.status_name == "已通过"
    assert store.steps("甲") == [
        ScenarioStep(at(0), "zhang", "save", ""), ScenarioStep(at(1), "zhang", "submit", ""),
        ScenarioStep(at(2), "wang", "reject", "缺少牵头村"),
        ScenarioStep(at(3), "zhang", "save", ""), ScenarioStep(at(4), "zhang", "submit", ""),
        ScenarioStep(at(5), "li", "approve", "")]


def test_a_reviewer_may_approve_their_own_plan_and_it_shows(store):
    store.save("甲", DOC, owner="wang")
    store.submit("甲", by="wang")
    info = store.approve("甲", by="wang", comment="自审")
    assert (info.owner, info.submitted_by, info.decided_by, info.comment) == (
        "wang", "wang", "wang", "自审")


def test_withdrawing_a_submission(store):
    bring(store, "submitted")
    info = store.reopen("甲", by="zhang")
    assert (info.status, info.submitted_by, info.decided_by, info.revision) == (
        "draft", "zhang", None, 3)
    assert [s.step for s in store.steps("甲")] == ["save", "submit", "reopen"]


@pytest.mark.parametrize("comment", ["", "   ", None])
def test_a_rejection_needs_a_comment(store, comment):
    bring(store, "submitted")
    with pytest.raises(StoreError, match="^退回方案时请填写意见$"):
        store.reject("甲", by="wang", comment=comment)
    assert store.info("甲").status == "submitted"


def test_long_comments_and_bad_accounts_are_refused(store):
    bring(store, "submitted")
    with pytest.raises(StoreError, match="^审核意见最多 2000 个字符（现为 2001 个）$"):
        store.approve("甲", by="wang", comment="好" * 2001)
    with pytest.raises(StoreError, match="^账号应为文字$"):
        store.approve("甲", by=None)
    assert store.approve("甲", by="wang", comment="好" * 2000).comment == "好" * 2000


def test_an_approved_plan_is_read_only_but_loads_and_can_be_saved_as_new(store):
    bring(store, "approved")
    for action in ("save", "rename", "delete"):
        with pytest.raises(StoreError):
            ACTIONS[action](store)
    assert store.load("甲")["groups"] == DOC["groups"]
    copy = store.save("甲（修订）", store.load("甲"), owner="zhang", area="350481")
    assert (copy.id, copy.status, copy.revision) == (2, "draft", 1)


def test_rename_records_the_former_name_and_same_name_changes_nothing(store):
    store.save("甲", DOC, owner="zhang")
    info = store.rename("甲", " 乙 ", by="zhang")
    assert (info.name, info.revision, info.updated) == ("乙", 2, at(1))
    assert store.steps("乙")[-1] == ScenarioStep(at(1), "zhang", "rename", "甲")
    assert store.rename("乙", "乙", by="zhang") == info
    assert len(store.steps("乙")) == 2


def test_overwriting_somebody_elses_scenario_is_refused(store):
    store.save("甲", DOC, owner="zhang", area="350481")
    with pytest.raises(StoreError, match="^方案“甲”属于 zhang，不能覆盖$"):
        store.save("甲", OTHER, overwrite=True, owner="li", area="350427")
    # nobody logged in (mode none) may overwrite; owner and area stay.  Clock: save 0,
    # the refused save 1 (a save reads the clock before it looks at the store), this one 2.
    info = store.save("甲", OTHER, overwrite=True)
    assert (info.owner, info.area, info.groups, info.revision) == ("zhang", "350481", 2, 2)
    assert store.steps("甲")[-1] == ScenarioStep(at(2), "", "save", "")
    # an ownerless scenario keeps no owner when an account overwrites it
    store.save("乙", DOC)
    assert store.save("乙", OTHER, overwrite=True, owner="li", area="350427").owner == ""
    assert store.info("乙").area is None


def test_optimistic_revision(store):
    loaded = store.save("甲", DOC, owner="zhang")
    store.save("甲", OTHER, overwrite=True, owner="zhang", expected_revision=1)  # → 2
    with pytest.raises(StoreError,
                       match="^方案“甲”已被他人修改（版本 2），请重新载入后再保存$"):
        store.save("甲", DOC, overwrite=True, owner="zhang", expected_revision=loaded.revision)
    assert store.load("甲")["groups"] == OTHER["groups"]
    store.rename("甲", "乙", by="zhang")  # → 3
    assert store.save("乙", DOC, overwrite=True, owner="zhang",
                      expected_revision=3).revision == 4
    # a name that is free is saved whatever revision was expected
    assert store.save("丙", DOC, expected_revision=7).revision == 1


def test_list_filters(store):
    store.save("甲", DOC, owner="zhang", area="350481")
    store.save("乙", DOC, owner="li", area="350481101")
    store.save("丙", DOC, owner="zhao", area="350427")
    store.save("丁", DOC)
    store.submit("乙", by="li")
    store.submit("丙", by="zhao")
    store.approve("丙", by="wang")

    def names(**kw):
        return [i.name for i in store.list(**kw)]

    assert names() == ["甲", "乙", "丙", "丁"]
    assert names(status="draft") == ["甲", "丁"]
    assert names(status=("submitted", "approved")) == ["乙", "丙"]
    assert names(area_codes={"350481", "350481101"}) == ["甲", "乙"]
    assert names(area_codes={"350427"}, status="submitted") == []
    assert names(area_codes=set()) == []
    assert names(area_codes="350427") == ["丙"]
    with pytest.raises(StoreError, match="^未知的方案状态“done”；可选：draft、submitted、"
                                         "approved、rejected$"):
        store.list(status="done")
    with pytest.raises(StoreError, match="^区域代码应为文字（县或乡镇代码）$"):
        store.list(area_codes={350481})


def test_a_deleted_scenario_takes_its_steps_along(store):
    """Clock: save 0, submit 1, reject 2, (delete reads none) save 3."""
    bring(store, "rejected")
    store.delete("甲")
    store.save("甲", DOC, owner="li")
    assert store.steps("甲") == [ScenarioStep(at(3), "li", "save", "")]
    assert [tuple(r) for r in sql(store.path, "SELECT scenario_id, step FROM scenario_steps")] \
        == [(2, "save")]


def test_steps_of_a_missing_scenario(store):
    with pytest.raises(StoreError, match="^没有名为“甲”的方案$"):
        store.steps("甲")
    with pytest.raises(StoreError, match="^没有名为“甲”的方案$"):
        store.info("甲")
    with pytest.raises(StoreError, match="^没有名为“甲”的方案$"):
        store.submit("甲", by="zhang")


# ---- an older database -------------------------------------------------------
def old_database(folder, columns=()):
    """The table as the first version of the store wrote it, with one scenario;
    ``columns`` added by hand as a half-upgraded database would have them."""
    folder.mkdir(parents=True)
    with sqlite3.connect(folder / "scenarios.sqlite") as con:
        con.execute(OLD_SCHEMA)
        for column in columns:
            con.execute(f"ALTER TABLE scenarios ADD COLUMN {column}")
        con.execute("INSERT INTO scenarios (name, created, updated, groups, villages, document) "
                    "VALUES ('旧方案', '2026-01-02T09:00:00+08:00', '2026-01-03T09:00:00+08:00', "
                    "1, 2, ?)", ('{"name": "旧方案", "groups": [{"villages": ["a", "b"]}]}',))


@pytest.mark.parametrize("columns", [(), ("owner TEXT NOT NULL DEFAULT ''",)])
def test_an_old_database_is_upgraded_on_opening(tmp_path, clock, columns):
    old_database(tmp_path / "var", columns)
    store = ScenarioStore(tmp_path / "var")
    old = ScenarioInfo(1, "旧方案", "2026-01-02T09:00:00+08:00", "2026-01-03T09:00:00+08:00",
                       1, 2, "", None, "draft", 1, None, None, None, None, None)
    assert store.list() == [old] and store.steps(1) == []
    assert ScenarioStore(tmp_path / "var").list() == [old]  # opening again changes nothing
    with sqlite3.connect(store.path) as con:
        assert [r[1] for r in con.execute("PRAGMA table_info(scenarios)")] == [
            "id", "name", "created", "updated", "groups", "villages", "document", "owner",
            "area", "status", "revision"]
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert store.load("旧方案")["groups"] == [{"villages": ["a", "b"]}]
    assert store.submit("旧方案", by="zhang").status == "submitted"
    assert store.save("新方案", DOC, owner="zhang").id == 2


def test_two_sessions_opening_an_old_database_at_once(tmp_path):
    old_database(tmp_path / "var")
    start, results, errors = threading.Barrier(4), [], []

    def open_and_list():
        start.wait()
        try:
            results.append([(i.name, i.status) for i in ScenarioStore(tmp_path / "var").list()])
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_and_list) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [[("旧方案", "draft")]] * 4
