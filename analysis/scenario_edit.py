"""Editing a scenario document (SPEC §4 JSON) the way a planner does: one step at a time.

Every operation takes a document (the plain ``dict`` of SPEC §4: ``name``,
``created``, ``groups`` — each group ``org_id``, ``name``, ``org_type``,
``lead_village_code``, ``villages`` and optionally ``locked``) and returns a
*new* document; the input is never changed, so that :class:`History` can keep
every step for undo and redo.  A village is in at most one group: adding it to
a group moves it out of the one it was in.  A locked group is never changed,
and no village is taken out of it; trying raises :class:`EditError` with a
Chinese message.

>>> doc = new_document("方案A")
>>> doc, g1 = create_group(doc, "甲乙联村党委")
>>> doc = add_villages(doc, g1, ["a", "b"])
>>> doc, g2 = create_group(doc, "丙丁联村党委")
>>> doc = add_villages(doc, g2, ["b", "c"])     # b moves from g1 to g2
>>> assignment(doc)
{'a': 'S1', 'b': 'S2', 'c': 'S2'}
>>> doc["groups"][0]["lead_village_code"]       # the first village added leads
'a'
"""
from __future__ import annotations

import copy

from geo import schema as s
from geo.clock import now_iso

DEFAULT_ORG_TYPE = "strong_weak"
ID_PREFIX = "S"
HISTORY_LIMIT = 200


class EditError(ValueError):
    """An edit that cannot be made (locked group, unknown group …); Chinese message."""


def new_document(name: str, groups=(), created: str | None = None) -> dict:
    """A scenario document with copies of ``groups``.

    >>> new_document("空白方案", created="2026-11-23T10:00:00+08:00")["groups"]
    []
    """
    return {"name": str(name), "created": created or now_iso(),
            "groups": [_group(g) for g in groups]}


def today_document(orgs, members, name: str = "现状", created: str | None = None) -> dict:
    """Today's organisations (``joint_orgs`` + ``joint_members``) as a scenario document.

    >>> import pandas as pd
    >>> orgs = pd.DataFrame({"org_id": ["O1"], "name": ["甲乙联村党委"], "org_type": ["industry"],
    ...                      "lead_village_code": ["b"]})
    >>> members = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"]})
    >>> today_document(orgs, members, created="x")["groups"]  # doctest: +NORMALIZE_WHITESPACE
    [{'org_id': 'O1', 'name': '甲乙联村党委', 'org_type': 'industry', 'lead_village_code': 'b',
      'villages': ['a', 'b']}]
    """
    from types import SimpleNamespace

    from analysis.scenario import scenario_document, scenario_from_today

    today = scenario_from_today(SimpleNamespace(joint_orgs=orgs, joint_members=members), name)
    groups = scenario_document(today)["groups"]
    return new_document(name, groups, created)


def _group(g: dict) -> dict:
    out = copy.deepcopy(dict(g))
    out["villages"] = [str(v) for v in out.get("villages", [])]
    out.setdefault("org_type", DEFAULT_ORG_TYPE)
    out.setdefault("lead_village_code", None)
    out.setdefault("name", out.get(s.ORG_ID, ""))
    return out


def _find(doc: dict, org_id: str) -> int:
    for i, g in enumerate(doc["groups"]):
        if g[s.ORG_ID] == org_id:
            return i
    raise EditError(f"方案中没有编号为 {org_id} 的联村组织")


def _unlocked(group: dict) -> dict:
    if group.get("locked"):
        raise EditError(f"「{group.get('name') or group[s.ORG_ID]}」已锁定，请先解锁再修改")
    return group


def assignment(doc: dict) -> dict[str, str]:
    """``{village_code: org_id}`` of the document (a village's first group wins)."""
    out: dict[str, str] = {}
    for g in doc["groups"]:
        for v in g["villages"]:
            out.setdefault(v, g[s.ORG_ID])
    return out


def changed_villages(a: dict, b: dict) -> set[str]:
    """The villages whose organisation differs between documents ``a`` and ``b``:
    joined, left, moved, or in a group whose members, name, type or lead village
    changed (ids alone do not count).

    >>> today = {"groups": [{"org_id": "J1", "name": "甲", "org_type": "other",
    ...                      "lead_village_code": "1", "villages": ["1", "2"]},
    ...                     {"org_id": "J2", "name": "乙", "org_type": "other",
    ...                      "lead_village_code": "5", "villages": ["5", "6"]}]}
    >>> plan = {"groups": [{"org_id": "S1", "name": "甲", "org_type": "other",
    ...                     "lead_village_code": "1", "villages": ["2", "1"]},
    ...                    {"org_id": "J2", "name": "乙", "org_type": "other",
    ...                     "lead_village_code": "5", "villages": ["5", "7"]}]}
    >>> sorted(changed_villages(today, plan))
    ['5', '6', '7']
    """
    def signatures(doc: dict) -> dict:
        found = {}
        for group in doc.get("groups", []):
            key = (frozenset(group.get("villages", [])), group.get("name"),
                   group.get("org_type"), group.get("lead_village_code"))
            for code in group.get("villages", []):
                found[code] = key
        return found

    before, after = signatures(a), signatures(b)
    return {code for code in before.keys() | after.keys() if before.get(code) != after.get(code)}


def next_org_id(doc: dict, prefix: str = ID_PREFIX) -> str:
    """The first free id ``S1``, ``S2``, … (ids of other shapes are left alone).

    >>> next_org_id({"groups": [{"org_id": "S1"}, {"org_id": "S3"}]})
    'S2'
    """
    used = {g[s.ORG_ID] for g in doc["groups"]}
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


def create_group(doc: dict, name: str = "", org_type: str = DEFAULT_ORG_TYPE,
                 villages=()) -> tuple[dict, str]:
    """Add an empty (or pre-filled) group; returns the new document and its ``org_id``."""
    if org_type not in s.ORG_TYPES:
        raise EditError(f"未知联建类型 {org_type!r}，可选：{'、'.join(s.ORG_TYPES.values())}")
    out = copy.deepcopy(doc)
    org_id = next_org_id(out)
    out["groups"].append({s.ORG_ID: org_id, "name": name.strip() or f"新联村党组织{org_id}",
                          s.ORG_TYPE: org_type, s.LEAD_VILLAGE_CODE: None, "villages": []})
    if villages:
        out = add_villages(out, org_id, villages)
    return out, org_id


def delete_group(doc: dict, org_id: str) -> dict:
    """Remove a group; its villages become uncovered."""
    i = _find(doc, org_id)
    _unlocked(doc["groups"][i])
    out = copy.deepcopy(doc)
    del out["groups"][i]
    return out


def update_group(doc: dict, org_id: str, **changes) -> dict:
    """Change ``name``, ``org_type``, ``lead_village_code`` or ``locked`` of a group.

    Only unlocking is allowed on a locked group.  The lead must be a member.

    >>> doc, g = create_group(new_document("A"), "甲", villages=["a", "b"])
    >>> update_group(doc, g, lead_village_code="b")["groups"][0]["lead_village_code"]
    'b'
    >>> update_group(doc, g, lead_village_code="z")
    Traceback (most recent call last):
    ...
    analysis.scenario_edit.EditError: 领建村 z 不是「甲」的成员
    """
    allowed = {"name", s.ORG_TYPE, s.LEAD_VILLAGE_CODE, "locked"}
    unknown = set(changes) - allowed
    if unknown:
        raise EditError(f"不能修改的属性：{'、'.join(sorted(unknown))}")
    i = _find(doc, org_id)
    group = doc["groups"][i]
    if set(changes) != {"locked"}:
        _unlocked(group)
    if s.ORG_TYPE in changes and changes[s.ORG_TYPE] not in s.ORG_TYPES:
        raise EditError(f"未知联建类型 {changes[s.ORG_TYPE]!r}，"
                        f"可选：{'、'.join(s.ORG_TYPES.values())}")
    lead = changes.get(s.LEAD_VILLAGE_CODE)
    if lead is not None and lead not in group["villages"]:
        raise EditError(f"领建村 {lead} 不是「{group['name']}」的成员")
    if "name" in changes and not str(changes["name"]).strip():
        raise EditError("组织名称不能为空")
    out = copy.deepcopy(doc)
    out["groups"][i].update({k: (str(v).strip() if k == "name" else v)
                             for k, v in changes.items()})
    return out


def add_villages(doc: dict, org_id: str, codes) -> dict:
    """Put ``codes`` into the group, taking them out of any other group.

    Raises :class:`EditError` when the group, or a group a village is in, is locked.
    """
    codes = [str(c) for c in codes]
    target = _find(doc, org_id)
    _unlocked(doc["groups"][target])
    owner = assignment(doc)
    for code in codes:
        other = owner.get(code)
        if other is not None and other != org_id:
            _unlocked(doc["groups"][_find(doc, other)])
    out = copy.deepcopy(doc)
    moving = set(codes)
    for i, g in enumerate(out["groups"]):
        if i != target:
            _drop(g, moving)
    group = out["groups"][target]
    group["villages"] += [c for c in dict.fromkeys(codes) if c not in group["villages"]]
    if group.get(s.LEAD_VILLAGE_CODE) is None and group["villages"]:
        group[s.LEAD_VILLAGE_CODE] = group["villages"][0]
    return out


def _drop(group: dict, codes: set) -> None:
    group["villages"] = [v for v in group["villages"] if v not in codes]
    if group.get(s.LEAD_VILLAGE_CODE) in codes:
        group[s.LEAD_VILLAGE_CODE] = None


def remove_villages(doc: dict, org_id: str, codes) -> dict:
    """Take ``codes`` out of the group (they become uncovered); a removed lead is cleared."""
    i = _find(doc, org_id)
    _unlocked(doc["groups"][i])
    out = copy.deepcopy(doc)
    _drop(out["groups"][i], {str(c) for c in codes})
    return out


def set_members(doc: dict, org_id: str, codes) -> dict:
    """Make ``codes`` the group's members: add the new ones, remove the others.

    >>> doc, g = create_group(new_document("A"), "甲", villages=["a", "b"])
    >>> set_members(doc, g, ["b", "c"])["groups"][0]["villages"]
    ['b', 'c']
    """
    codes = [str(c) for c in codes]
    current = doc["groups"][_find(doc, org_id)]["villages"]
    gone = [v for v in current if v not in codes]
    added = [v for v in codes if v not in current]
    out = remove_villages(doc, org_id, gone) if gone else doc
    return add_villages(out, org_id, added) if added else out


def toggle_village(doc: dict, org_id: str, code: str) -> dict:
    """A click on the map: remove ``code`` from the group if it is in it, else add it.

    >>> doc, g = create_group(new_document("A"), "甲", villages=["a"])
    >>> toggle_village(toggle_village(doc, g, "b"), g, "a")["groups"][0]["villages"]
    ['b']
    """
    in_group = str(code) in doc["groups"][_find(doc, org_id)]["villages"]
    return (remove_villages if in_group else add_villages)(doc, org_id, [code])


def add_groups(doc: dict, groups) -> dict:
    """Append suggested groups, renumbering ids that collide; their villages move."""
    out = copy.deepcopy(doc)
    for g in groups:
        g = _group(g)
        used = {x[s.ORG_ID] for x in out["groups"]}
        if not g.get(s.ORG_ID) or g[s.ORG_ID] in used:
            g[s.ORG_ID] = next_org_id(out)
        villages, g["villages"] = g["villages"], []
        lead = g.get(s.LEAD_VILLAGE_CODE)
        out["groups"].append(g)
        out = add_villages(out, g[s.ORG_ID], villages)
        if lead in villages:
            out = update_group(out, g[s.ORG_ID], lead_village_code=lead)
    return out


class History:
    """Undo and redo over documents (at most ``limit`` steps back).

    >>> h = History(new_document("A", created="x"))
    >>> h.push(create_group(h.current, "甲")[0])
    >>> len(h.current["groups"]), h.can_undo, h.can_redo
    (1, True, False)
    >>> len(h.undo()["groups"]), h.can_redo
    (0, True)
    >>> len(h.redo()["groups"])
    1
    """

    def __init__(self, doc: dict, limit: int = HISTORY_LIMIT):
        self._steps = [doc]
        self._at = 0
        self._limit = limit

    @property
    def current(self) -> dict:
        return self._steps[self._at]

    @property
    def can_undo(self) -> bool:
        return self._at > 0

    @property
    def can_redo(self) -> bool:
        return self._at < len(self._steps) - 1

    def push(self, doc: dict) -> None:
        """Make ``doc`` the current step; the steps that could be redone are dropped."""
        self._steps = self._steps[: self._at + 1] + [doc]
        if len(self._steps) > self._limit:
            self._steps = self._steps[-self._limit:]
        self._at = len(self._steps) - 1

    def undo(self) -> dict:
        if self.can_undo:
            self._at -= 1
        return self.current

    def redo(self) -> dict:
        if self.can_redo:
            self._at += 1
        return self.current
