"""Checking proposed groups against every rule, independently of how they were found.

:func:`suggestion_violations` knows nothing of the search in
:mod:`analysis.suggest_search`: it reads only the groups, the village table
and the neighbour sets, so the tests and the benchmark can hold the
auto-suggest and spopt's regions to the same rules.

>>> import pandas as pd
>>> a = pd.DataFrame({"township_code": ["t", "t", "u"], "kind": ["village"] * 3,
...     "strong": [True, False, False], "org_id": [None, None, None]},
...     index=pd.Index(["a", "b", "c"], name="village_code"))
>>> suggestion_violations([["a", "b"], ["c"]], a, {"a": {"b"}, "b": {"a"}, "c": set()},
...                       GroupRules(2, 3))
['第 2 组：只有 1 个村，少于最少的 2 个', '第 2 组：没有强村（以强带弱需要至少 1 个强村）']
"""
from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.grouping import GroupRules
from analysis.suggest import SuggestedGroup
from geo import schema as s


def _members_and_label(group, k: int) -> tuple[list, str]:
    if isinstance(group, SuggestedGroup):
        return [str(c) for c in group.villages], f"联村组 {group.org_id}「{group.name}」"
    if isinstance(group, Mapping):
        label = group.get(s.ORG_ID) or f"第 {k} 组"
        return [str(c) for c in group.get("villages", [])], f"联村组 {label}"
    return [str(c) for c in group], f"第 {k} 组"


def _connected(members: list, neighbours: dict) -> bool:
    inside = set(members)
    seen, stack = {members[0]}, [members[0]]
    while stack:
        for n in neighbours.get(stack.pop(), ()):
            if n in inside and n not in seen:
                seen.add(n)
                stack.append(n)
    return seen == inside


def suggestion_violations(groups, attributes: pd.DataFrame, neighbours: dict,
                          rules=GroupRules(), locked_villages=()) -> list:
    """Every broken rule of ``groups``, one Chinese message each (empty when all hold).

    Parameters
    ----------
    groups : iterable
        :class:`~analysis.suggest.SuggestedGroup`, SPEC §4 scenario groups
        (``dict`` with ``villages``) or plain lists of village codes.
    attributes : DataFrame
        :func:`analysis.village_attributes.village_attributes` (uses
        ``township_code, kind, strong, org_id``).
    neighbours : dict of str to set of str
        SPEC §4 adjacency (:func:`analysis.adjacency.neighbour_sets`).
    rules : GroupRules or any object with ``min_size``, ``max_size``, ``within_township``.
    locked_villages : iterable of str
        Villages no group may contain.

    Returns
    -------
    list of str
        Messages naming the group: unknown codes, a village in two groups, a
        community, a village already in an organisation or locked, size
        outside the band, not contiguous, no strong village, more than one
        township (when required).
    """
    locked = {str(c) for c in locked_villages}
    out, seen = [], {}
    for k, group in enumerate(groups, start=1):
        members, label = _members_and_label(group, k)
        unknown = [c for c in members if c not in attributes.index]
        if unknown:
            out.append(f"{label}：村代码不在村庄表中：{', '.join(unknown)}")
        members = [c for c in members if c in attributes.index]
        if len(members) != len(set(members)):
            out.append(f"{label}：村代码重复")
        members = sorted(set(members))
        for c in members:
            if c in seen:
                out.append(f"{label}：村 {c} 同时属于{seen[c]}")
            seen.setdefault(c, label)
        rows = attributes.loc[members]
        for c, kind, org in zip(members, rows[s.KIND], rows[s.ORG_ID]):
            if kind != s.KIND_VILLAGE:
                out.append(f"{label}：{c} 不是行政村（类型 {kind}）")
            if org is not None and not pd.isna(org):
                out.append(f"{label}：{c} 已属于联村党委 {org}")
            if c in locked:
                out.append(f"{label}：{c} 已锁定，不能分组")
        if len(members) < rules.min_size:
            out.append(f"{label}：只有 {len(members)} 个村，少于最少的 {rules.min_size} 个")
        if len(members) > rules.max_size:
            out.append(f"{label}：有 {len(members)} 个村，多于最多的 {rules.max_size} 个")
        if members and not _connected(members, neighbours):
            out.append(f"{label}：成员不连片（不能经相邻成员互相到达）")
        if not rows["strong"].astype(bool).any():
            out.append(f"{label}：没有强村（以强带弱需要至少 1 个强村）")
        townships = set(rows[s.TOWNSHIP_CODE].astype(str))
        if rules.within_township and len(townships) > 1:
            out.append(f"{label}：跨 {len(townships)} 个乡镇（{', '.join(sorted(townships))}）")
    return out
