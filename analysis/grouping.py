"""Groups of a what-if scenario and the checks they must pass (SPEC §4), GerryChain style.

A :class:`Group` is a plain record (one planned 联村党组织 and its member
village codes); a :class:`Scenario` is a named tuple of groups.  A
*constraint* is a predicate ``f(context, group) -> Violation | None``;
:func:`check_group` runs a list of them, built from
:class:`GroupRules` by :func:`group_constraints`.  The *context* is the
:class:`analysis.scenario.ScenarioContext` of the dataset: it gives each
village's facts (``context.facts[code]``: name, township, strong …) and its
neighbours (``context.neighbours[code]``, SPEC §4: polygons that touch or lie
within 10 m, built once by :mod:`analysis.adjacency`).  Nothing here reads a
layer or builds geometry, so re-checking a group costs dictionary look-ups.

>>> from types import SimpleNamespace as NS
>>> facts = {c: NS(name=c.upper(), township_code="t1", income_eval=60.0 if c == "a" else 5.0)
...          for c in "abc"}
>>> ctx = NS(facts=facts, neighbours={"a": {"b"}, "b": {"a"}, "c": set()},
...          params=NS(strong_threshold=50.0))
>>> g = Group("S1", "甲联村党委", "strong_weak", "a", ("a", "b", "c"))
>>> [v.message for v in check_group(ctx, g, group_constraints(GroupRules()))]
['甲联村党委：成员不连片（1 个村与其余成员不相邻：C）']
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from geo import schema as s
from geo.clock import now_iso

MAX_LISTED = 8  # villages named in one message; the rest are counted


@dataclass(frozen=True)
class Group:
    """One planned organisation of a scenario.

    ``villages`` are village codes in the planner's order (a list is turned
    into a tuple); ``extra`` keeps keys of a scenario file this program does
    not know, to write them back.  Hashable (``extra`` is left out of the
    hash), so a page can cache per-group results keyed by the group.

    >>> Group("S1", villages=["a", "b"]).villages
    ('a', 'b')
    """

    org_id: str
    name: str = ""
    org_type: str = "other"
    lead_village_code: str | None = None
    villages: tuple[str, ...] = ()
    locked: bool = False
    extra: dict = field(default_factory=dict, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "villages", tuple(self.villages))

    @property
    def label(self) -> str:
        """The name, or the org_id when the group has no name."""
        return self.name or self.org_id


@dataclass(frozen=True)
class Scenario:
    """A named set of planned groups (SPEC §4); ``extra`` keeps unknown file keys.

    ``created`` is ISO 8601 text (see :func:`geo.clock.now_iso`).  Edits return copies:

    >>> sc = Scenario("方案A", "2026-11-23T10:00:00+08:00", [Group("S1", villages=["a"])])
    >>> [g.org_id for g in sc.with_group(Group("S2")).without_group("S1").groups]
    ['S2']
    """

    name: str
    created: str
    groups: tuple[Group, ...] = ()
    extra: dict = field(default_factory=dict, hash=False)

    def __post_init__(self):
        object.__setattr__(self, "groups", tuple(self.groups))

    def with_group(self, group: Group) -> Scenario:
        """A copy with ``group`` replacing the group of the same org_id (appended if new)."""
        groups = list(self.groups)
        at = next((i for i, g in enumerate(groups) if g.org_id == group.org_id), None)
        if at is None:
            groups.append(group)
        else:
            groups[at] = group
        return replace(self, groups=tuple(groups))

    def without_group(self, org_id: str) -> Scenario:
        """A copy without the group(s) of ``org_id``."""
        return replace(self, groups=tuple(g for g in self.groups if g.org_id != org_id))


@dataclass(frozen=True)
class GroupRules:
    """Settings of the checks.

    Attributes
    ----------
    min_size, max_size : int
        Inclusive band of the number of member villages (default 3–6).
    within_township : bool
        True: every member must lie in one township (a violation otherwise);
        False: groups across townships are allowed (still reported).
    strong_threshold : float or None
        万元; a strong village has income(eval) at or above it.  ``None``: the
        context's ``Params.strong_threshold``.

    >>> GroupRules(min_size=4, max_size=2)
    Traceback (most recent call last):
    ...
    ValueError: 规模下限 4 大于上限 2
    """

    min_size: int = 3
    max_size: int = 6
    within_township: bool = True
    strong_threshold: float | None = None

    def __post_init__(self):
        if self.min_size < 1:
            raise ValueError(f"规模下限应 ≥ 1，实际为 {self.min_size}")
        if self.min_size > self.max_size:
            raise ValueError(f"规模下限 {self.min_size} 大于上限 {self.max_size}")


@dataclass(frozen=True)
class Violation:
    """One failed check: a machine ``key``, the group, a Chinese message, the villages concerned."""

    key: str
    org_id: str
    message: str
    villages: tuple[str, ...] = ()


VIOLATION_LABELS = {
    "empty": "没有成员村", "unknown_code": "村代码不存在", "repeated_code": "村代码重复",
    "duplicate_code": "村已在其他分组", "lead_missing": "未指定领建村",
    "lead_not_member": "领建村不是成员", "size_small": "村数过少", "size_large": "村数过多",
    "not_contiguous": "成员不连片", "no_strong": "没有强村", "cross_township": "跨乡镇",
}

Constraint = Callable[[object, Group], "Violation | None"]


def members(context, group: Group) -> tuple[str, ...]:
    """The group's distinct known village codes, in the group's order.

    >>> from types import SimpleNamespace as NS
    >>> members(NS(facts={"a": 1, "b": 2}), Group("S", villages=("b", "x", "b", "a")))
    ('b', 'a')
    """
    facts = context.facts
    return tuple(dict.fromkeys(c for c in group.villages if c in facts))


def village_names(context, codes, limit: int = MAX_LISTED) -> str:
    """``一村、二村`` (names, or codes when a village has none), at most ``limit`` then 等 N 个."""
    names = []
    for code in codes:
        fact = context.facts.get(code)
        names.append(str(fact.name) if fact is not None and fact.name else str(code))
    text = "、".join(names[:limit])
    return text + (f" 等 {len(names)} 个" if len(names) > limit else "")


def components(context, codes) -> list[list[str]]:
    """Connected parts of ``codes`` through adjacent members, largest first (ties: input order).

    >>> from types import SimpleNamespace as NS
    >>> components(NS(neighbours={"a": {"b"}, "b": {"a"}}), ["c", "a", "b"])
    [['a', 'b'], ['c']]
    """
    inside, seen, parts = set(codes), set(), []
    order = {c: i for i, c in enumerate(codes)}
    for start in codes:
        if start in seen:
            continue
        part, todo = [], [start]
        seen.add(start)
        while todo:
            code = todo.pop()
            part.append(code)
            for other in context.neighbours.get(code, ()):
                if other in inside and other not in seen:
                    seen.add(other)
                    todo.append(other)
        parts.append(sorted(part, key=order.__getitem__))
    return sorted(parts, key=len, reverse=True)


def detached_members(context, group: Group) -> tuple[str, ...]:
    """Members outside the main connected part (the largest; on a tie, the lead's).

    Empty when the group is contiguous (also for 0 or 1 member).
    """
    parts = components(context, members(context, group))
    if len(parts) <= 1:
        return ()
    top = [p for p in parts if len(p) == len(parts[0])]
    main = next((p for p in top if group.lead_village_code in p), top[0])
    return tuple(c for p in parts if p is not main for c in p)


def strong_members(context, group: Group, threshold: float | None = None) -> tuple[str, ...]:
    """Members with income(eval) ≥ ``threshold`` 万元 (default: the context's strong threshold)."""
    limit = context.params.strong_threshold if threshold is None else threshold
    return tuple(c for c in members(context, group)
                 if context.facts[c].income_eval is not None
                 and context.facts[c].income_eval >= limit)


def townships_of(context, group: Group) -> dict[str, list[str]]:
    """``{township_code: member codes}``, townships in order of first appearance.

    An unknown township is keyed ``None``.
    """
    out: dict[str, list[str]] = {}
    for code in members(context, group):
        out.setdefault(context.facts[code].township_code, []).append(code)
    return out


# ---- constraints: f(context, group) -> Violation | None ----------------------------

def _violation(key, group, text, villages=()) -> Violation:
    return Violation(key, group.org_id, f"{group.label}：{text}", tuple(villages))


def not_empty(context, group: Group) -> Violation | None:
    """At least one known member village."""
    if members(context, group):
        return None
    return _violation("empty", group, "分组没有有效成员村")


def known_codes(context, group: Group) -> Violation | None:
    """Every listed code is a village of the dataset."""
    unknown = list(dict.fromkeys(c for c in group.villages if c not in context.facts))
    if not unknown:
        return None
    shown = "、".join(unknown[:MAX_LISTED]) + (" 等" if len(unknown) > MAX_LISTED else "")
    return _violation("unknown_code", group, f"{len(unknown)} 个村代码不在村（社区）图层中："
                      f"{shown}", unknown)


def no_repeats(context, group: Group) -> Violation | None:
    """No code listed twice in the group."""
    seen, twice = set(), []
    for code in group.villages:
        if code in seen and code not in twice:
            twice.append(code)
        seen.add(code)
    if not twice:
        return None
    return _violation("repeated_code", group, f"村代码重复列出：{'、'.join(twice)}", twice)


def lead_is_member(context, group: Group) -> Violation | None:
    """The lead village (领建村) is set and is one of the members."""
    lead = group.lead_village_code
    if not lead:
        return _violation("lead_missing", group, "未指定领建村")
    if lead in members(context, group):
        return None
    return _violation("lead_not_member", group,
                      f"领建村 {village_names(context, [lead])}（{lead}）不是本组成员", [lead])


def size_band(min_size: int, max_size: int) -> Constraint:
    """A constraint: min_size ≤ number of members ≤ max_size.

    An empty group is left to :func:`not_empty`.
    """
    def within_size(context, group: Group) -> Violation | None:
        size = len(members(context, group))
        if size == 0:  # reported by not_empty
            return None
        if size < min_size:
            return _violation("size_small", group, f"成员 {size} 个村，少于下限 {min_size} 个")
        if size > max_size:
            return _violation("size_large", group, f"成员 {size} 个村，多于上限 {max_size} 个")
        return None
    return within_size


def contiguous(context, group: Group) -> Violation | None:
    """Every member reachable from every other through adjacent members."""
    detached = detached_members(context, group)
    if not detached:
        return None
    return _violation("not_contiguous", group, f"成员不连片（{len(detached)} 个村与其余成员不相邻："
                      f"{village_names(context, detached)}）", detached)


def has_strong(threshold: float | None = None) -> Constraint:
    """A constraint: at least one member with income(eval) ≥ threshold 万元 (以强带弱)."""
    def with_strong(context, group: Group) -> Violation | None:
        if strong_members(context, group, threshold) or not members(context, group):
            return None
        limit = context.params.strong_threshold if threshold is None else threshold
        return _violation("no_strong", group,
                          f"没有强村（评估年集体经营性收入 ≥ {limit:g} 万元的成员村）")
    return with_strong


def within_township(context, group: Group) -> Violation | None:
    """Every member in one township (乡镇/街道)."""
    parts = townships_of(context, group)
    if len(parts) <= 1:
        return None
    names = []
    for code, villages in parts.items():
        township = context.facts[villages[0]].township or code or "未知乡镇"
        names.append(f"{township} {len(villages)} 个")
    return _violation("cross_township", group, f"成员跨 {len(parts)} 个乡镇（{'，'.join(names)}）",
                      [c for villages in list(parts.values())[1:] for c in villages])


def group_constraints(rules: GroupRules = GroupRules()) -> tuple[Constraint, ...]:
    """The constraints of ``rules``, in the order their messages are shown.

    >>> names = [f.__name__ for f in group_constraints(GroupRules(within_township=False))]
    >>> names[:4], names[4:]  # doctest: +NORMALIZE_WHITESPACE
    (['not_empty', 'known_codes', 'no_repeats', 'lead_is_member'],
     ['within_size', 'contiguous', 'with_strong'])
    """
    checks = [not_empty, known_codes, no_repeats, lead_is_member,
              size_band(rules.min_size, rules.max_size), contiguous,
              has_strong(rules.strong_threshold)]
    if rules.within_township:
        checks.append(within_township)
    return tuple(checks)


def check_group(context, group: Group, constraints) -> list[Violation]:
    """Run every constraint on ``group``; the violations found, in the constraints' order."""
    return [v for v in (check(context, group) for check in constraints) if v is not None]


# ---- SPEC §4 documents (plain dicts) ↔ Scenario, without validation ----------------

SCENARIO_KEYS = ("name", "created", "groups")
GROUP_KEYS = (s.ORG_ID, s.NAME, s.ORG_TYPE, s.LEAD_VILLAGE_CODE, "villages", "locked")


def group_from_document(item) -> Group:
    """A :class:`Group` from one group of a SPEC §4 document (a plain dict), without validation.

    Keys other than :data:`GROUP_KEYS` go to ``extra``.  Files are read with
    validation by :func:`read_scenario`.

    >>> g = group_from_document({"org_id": "S1", "villages": ["a"], "color": "red"})
    >>> g.org_type, g.villages, g.extra
    ('other', ('a',), {'color': 'red'})
    """
    if isinstance(item, Group):
        return item
    return Group(str(item[s.ORG_ID]), item.get(s.NAME) or "", item.get(s.ORG_TYPE) or "other",
                 item.get(s.LEAD_VILLAGE_CODE) or None,
                 tuple(str(v) for v in item.get("villages") or ()), bool(item.get("locked", False)),
                 {k: v for k, v in item.items() if k not in GROUP_KEYS})


def scenario_from_document(doc) -> Scenario:
    """A :class:`Scenario` from a SPEC §4 document (a plain dict), or ``doc`` if it is one already.

    >>> sc = scenario_from_document({"name": "A", "created": "x", "groups": [{"org_id": "S1"}]})
    >>> sc.groups[0].org_id, sc.groups[0].villages
    ('S1', ())
    """
    if isinstance(doc, Scenario):
        return doc
    return Scenario(doc.get("name") or "", doc.get("created") or now_iso(),
                    tuple(group_from_document(g) for g in doc.get("groups") or ()),
                    {k: v for k, v in doc.items() if k not in SCENARIO_KEYS})


def scenario_document(scenario: Scenario) -> dict:
    """The SPEC §4 document of ``scenario``.

    Known keys first, ``locked`` only when true, then the extras.

    >>> doc = scenario_document(Scenario("A", "x", [Group("S1", villages=["a"], locked=True)]))
    >>> doc["groups"]  # doctest: +NORMALIZE_WHITESPACE
    [{'org_id': 'S1', 'name': '', 'org_type': 'other', 'lead_village_code': None,
      'villages': ['a'], 'locked': True}]
    """
    groups = []
    for g in scenario.groups:
        item = {s.ORG_ID: g.org_id, s.NAME: g.name, s.ORG_TYPE: g.org_type,
                s.LEAD_VILLAGE_CODE: g.lead_village_code, "villages": list(g.villages)}
        if g.locked:
            item["locked"] = True
        item.update({k: v for k, v in g.extra.items() if k not in item})
        groups.append(item)
    out = {"name": scenario.name, "created": scenario.created, "groups": groups}
    out.update({k: v for k, v in scenario.extra.items() if k not in out})
    return out
