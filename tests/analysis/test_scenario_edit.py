"""Planner edits on scenario documents: moves, locks, leads, undo/redo."""
import pytest

from analysis.scenario_edit import (EditError, History, add_groups, add_villages, assignment,
                                    create_group, delete_group, new_document, remove_villages,
                                    toggle_village, update_group)


@pytest.fixture
def two_groups():
    doc = new_document("A", created="2026-11-23T10:00:00+08:00")
    doc, g1 = create_group(doc, "一组", villages=["a", "b"])
    doc, g2 = create_group(doc, "二组", villages=["c"])
    return doc, g1, g2


def test_edits_never_change_their_input(two_groups):
    doc, g1, g2 = two_groups
    before = repr(doc)
    add_villages(doc, g2, ["a"])
    remove_villages(doc, g1, ["b"])
    update_group(doc, g1, name="新名")
    delete_group(doc, g2)
    assert repr(doc) == before


def test_moving_a_village_takes_it_out_of_its_group_and_clears_its_lead(two_groups):
    doc, g1, g2 = two_groups
    moved = add_villages(doc, g2, ["a"])
    assert assignment(moved) == {"b": g1, "c": g2, "a": g2}
    assert moved["groups"][0]["lead_village_code"] is None
    assert moved["groups"][1]["villages"] == ["c", "a"]


def test_locked_group_refuses_changes_and_keeps_its_villages(two_groups):
    doc, g1, g2 = two_groups
    locked = update_group(doc, g1, locked=True)
    with pytest.raises(EditError, match="一组」已锁定"):
        add_villages(locked, g2, ["a"])
    with pytest.raises(EditError, match="已锁定"):
        remove_villages(locked, g1, ["a"])
    with pytest.raises(EditError, match="已锁定"):
        delete_group(locked, g1)
    with pytest.raises(EditError, match="已锁定"):
        update_group(locked, g1, name="别名")
    assert update_group(locked, g1, locked=False)["groups"][0]["locked"] is False


def test_toggle_adds_then_removes(two_groups):
    doc, g1, _ = two_groups
    once = toggle_village(doc, g1, "d")
    assert once["groups"][0]["villages"] == ["a", "b", "d"]
    assert toggle_village(once, g1, "d")["groups"][0]["villages"] == ["a", "b"]


def test_bad_edits_have_chinese_messages(two_groups):
    doc, g1, _ = two_groups
    with pytest.raises(EditError, match="没有编号为 S9"):
        add_villages(doc, "S9", ["a"])
    with pytest.raises(EditError, match="未知联建类型"):
        update_group(doc, g1, org_type="gang")
    with pytest.raises(EditError, match="名称不能为空"):
        update_group(doc, g1, name="  ")
    with pytest.raises(EditError, match="不能修改的属性：villages"):
        update_group(doc, g1, villages=[])


def test_suggested_groups_get_free_ids_and_keep_their_lead(two_groups):
    doc, g1, g2 = two_groups
    out = add_groups(doc, [{"org_id": "S1", "name": "建议", "org_type": "strong_weak",
                            "lead_village_code": "e", "villages": ["b", "e"]}])
    assert [g["org_id"] for g in out["groups"]] == ["S1", "S2", "S3"]
    assert out["groups"][2]["lead_village_code"] == "e"
    assert assignment(out)["b"] == "S3"


def test_history_drops_redo_after_a_new_step():
    h = History(new_document("A", created="x"))
    h.push(create_group(h.current, "甲")[0])
    h.push(create_group(h.current, "乙")[0])
    h.undo()
    h.push(create_group(h.current, "丙")[0])
    assert [g["name"] for g in h.current["groups"]] == ["甲", "丙"]
    assert not h.can_redo
    h.undo(), h.undo(), h.undo()
    assert h.current["groups"] == [] and not h.can_undo


def test_history_keeps_at_most_limit_steps():
    h = History(new_document("A", created="x"), limit=3)
    for name in "甲乙丙丁":
        h.push(create_group(h.current, name)[0])
    h.undo(), h.undo(), h.undo()
    assert len(h.current["groups"]) == 2
