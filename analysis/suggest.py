"""Auto-suggest (issue 5, part 4): groups of uncovered villages that 以强带弱
and cover weak villages.

Given the per-village table of :func:`analysis.village_attributes.village_attributes`,
the neighbour sets of :func:`analysis.adjacency.neighbour_sets` (built once by
the caller) and the candidate villages (the uncovered villages of a township,
a county or the city), :func:`suggest_groups` proposes groups that

* are contiguous through adjacent members (SPEC §4: touch or lie within 10 m),
* have ``min_size`` to ``max_size`` villages,
* hold a strong village (income(eval) ≥ strong threshold, column ``strong``),
* lie in one township when ``within_township`` is set,

and cover as many weak villages (column ``weak``) as possible, then as many
villages as possible.  Villages already in an organisation, communities,
villages outside ``candidates`` and ``locked_villages`` are never used.  The
search (seeded growth, exact set packing, local improvement) lives in
:mod:`analysis.suggest_search`; :func:`analysis.suggest_checks.suggestion_violations`
checks results independently of it.

Four 100 m squares in a row, a strong village at the left end, two weak ones
in the middle (``a``–``b``–``c``–``d``)::

>>> import pandas as pd
>>> attrs = pd.DataFrame({"name": ["甲村", "乙村", "丙村", "丁村"],
...     "township_code": ["t"] * 4, "kind": ["village"] * 4,
...     "income_eval": [80.0, 5.0, 6.0, 20.0], "strong": [True, False, False, False],
...     "weak": [False, True, True, False], "org_id": [None] * 4},
...     index=pd.Index(list("abcd"), name="village_code"))
>>> nbrs = {"a": {"b"}, "b": {"a", "c"}, "c": {"b", "d"}, "d": {"c"}}
>>> [g.as_scenario_group() for g in suggest_groups(attrs, nbrs, list("abcd"), GroupRules(3, 3))]
... # doctest: +NORMALIZE_WHITESPACE
[{'org_id': 'S-t-01', 'name': '甲村联村党委', 'org_type': 'strong_weak', 'lead_village_code': 'a',
  'villages': ['a', 'b', 'c']}]
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import pandas as pd

from analysis.areas import area_mask
from analysis.grouping import GroupRules
from analysis.suggest_search import BEAM_WIDTH, SearchGraph, search_groups
from geo import schema as s

log = logging.getLogger(__name__)

ORG_TYPE = "strong_weak"
ID_PREFIX = "S"
NAME_SUFFIX = "联村党委"


@dataclass(frozen=True)
class SuggestedGroup:
    """One proposed organisation.

    Attributes
    ----------
    org_id, name, org_type : str
        ``S-<township_code>-NN``, ``<lead village name>联村党委``, ``strong_weak``.
    lead_village_code : str
        The member with the highest income(eval) (万元; ties: smallest code).
    villages : tuple of str
        Members, lead first, then by code.
    township_code : str
        The lead village's township.
    weak_villages : int
        Members that are weak villages.
    """

    org_id: str
    name: str
    org_type: str
    lead_village_code: str
    villages: tuple
    township_code: str
    weak_villages: int

    def as_scenario_group(self) -> dict:
        """The group as a SPEC §4 scenario group (``dict`` ready for JSON)."""
        return {s.ORG_ID: self.org_id, s.NAME: self.name, s.ORG_TYPE: self.org_type,
                s.LEAD_VILLAGE_CODE: self.lead_village_code, "villages": list(self.villages)}


def _rule(rules, name: str):
    try:
        return getattr(rules, name)
    except AttributeError:
        raise TypeError(f"rules 应有 min_size、max_size、within_township 属性，"
                        f"收到 {type(rules).__name__}") from None


def usable_candidates(attributes: pd.DataFrame, candidates, locked_villages=()) -> list:
    """The codes of ``candidates`` that may be grouped, sorted.

    A candidate is usable when it is a village (``kind = village``), in no
    organisation today (``org_id`` is None) and not in ``locked_villages``.

    Raises
    ------
    ValueError
        When a candidate is not in ``attributes`` (message lists up to five).

    >>> import pandas as pd
    >>> a = pd.DataFrame({"kind": ["village", "community", "village", "village"],
    ...     "org_id": [None, None, "O1", None]}, index=["a", "b", "c", "d"])
    >>> usable_candidates(a, ["d", "a", "b", "c"], locked_villages={"d"})
    ['a']
    """
    codes = sorted({str(c) for c in candidates})
    unknown = [c for c in codes if c not in attributes.index]
    if unknown:
        raise ValueError(f"村代码 village_code 不在村庄表中：{', '.join(unknown[:5])}"
                         + (f" 等 {len(unknown)} 个" if len(unknown) > 5 else ""))
    rows = attributes.loc[codes]
    ok = (rows[s.KIND] == s.KIND_VILLAGE).to_numpy() & rows[s.ORG_ID].isna().to_numpy()
    locked = {str(c) for c in locked_villages}
    return [c for c, keep in zip(codes, ok) if keep and c not in locked]


def scope_candidates(attributes: pd.DataFrame, township_code=None, county_code=None) -> list:
    """Uncovered villages of one township, one county, or the city (neither given), sorted.

    >>> import pandas as pd
    >>> a = pd.DataFrame({"township_code": ["t1", "t2"], "county_code": ["c", "c"],
    ...     "kind": ["village"] * 2, "org_id": [None, None]}, index=["a", "b"])
    >>> scope_candidates(a, township_code="t2"), scope_candidates(a, county_code="c")
    (['b'], ['a', 'b'])
    """
    rows = attributes[area_mask(attributes, county_code, township_code)]
    return usable_candidates(attributes, rows.index)


def _search_graph(attributes, neighbours, codes, within_township: bool) -> SearchGraph:
    pos = {c: i for i, c in enumerate(codes)}
    township = attributes[s.TOWNSHIP_CODE].reindex(codes).tolist()
    nbrs = []
    for i, c in enumerate(codes):
        row = []
        for n in neighbours.get(c, ()):
            j = pos.get(str(n))
            if j is None or j == i:
                continue
            if within_township and (pd.isna(township[i]) or township[i] != township[j]):
                continue
            row.append(j)
        nbrs.append(tuple(sorted(set(row))))
    for i, row in enumerate(nbrs):  # keep it symmetric whatever the caller passed
        for j in row:
            if i not in nbrs[j]:
                nbrs[j] = tuple(sorted(set(nbrs[j]) | {i}))
    rows = attributes.loc[codes]
    return SearchGraph(tuple(nbrs), tuple(bool(x) for x in rows["weak"]),
                       tuple(bool(x) for x in rows["strong"]))


def _income(value) -> float:
    return -math.inf if value is None or pd.isna(value) else float(value)


def _name_groups(attributes, members_list, existing_ids) -> list:
    taken = {str(x) for x in existing_ids}
    taken |= {str(x) for x in attributes[s.ORG_ID].dropna()}
    income = attributes["income_eval"]
    drafts = []
    for members in members_list:
        lead = min(members, key=lambda c: (-_income(income.get(c)), c))
        township = attributes.at[lead, s.TOWNSHIP_CODE]
        drafts.append((str(township), lead, members))
    out, counters = [], {}
    for township, lead, members in sorted(drafts):
        k = counters.get(township, 0)
        while True:
            k += 1
            org_id = f"{ID_PREFIX}-{township}-{k:02d}"
            if org_id not in taken:
                break
        counters[township] = k
        taken.add(org_id)
        name = attributes.at[lead, s.NAME] if s.NAME in attributes.columns else None
        label = str(name) if name is not None and not pd.isna(name) else lead
        ordered = (lead,) + tuple(sorted(c for c in members if c != lead))
        weak = int(sum(bool(attributes.at[c, "weak"]) for c in members))
        out.append(SuggestedGroup(org_id, f"{label}{NAME_SUFFIX}", ORG_TYPE, lead, ordered,
                                  township, weak))
    return out


def suggest_groups(attributes: pd.DataFrame, neighbours: dict, candidates, rules=GroupRules(),
                   locked_villages=(), *, existing_ids=(), beam: int = BEAM_WIDTH) -> list:
    """Propose 以强带弱 groups of the uncovered ``candidates`` (issue 5, part 4).

    Parameters
    ----------
    attributes : DataFrame
        :func:`analysis.village_attributes.village_attributes` (index
        ``village_code``; columns ``name, township_code, kind, income_eval``
        (万元), ``strong, weak, org_id``).
    neighbours : dict of str to set of str
        :func:`analysis.adjacency.neighbour_sets` of all villages (SPEC §4
        adjacency: touch or within 10 m, measured in a metric CRS).
    candidates : iterable of str
        Village codes that may be grouped; those that are communities, in an
        organisation today or in ``locked_villages`` are left out.
    rules : GroupRules or any object with ``min_size``, ``max_size``, ``within_township``.
    locked_villages : iterable of str
        Villages never touched (e.g. members of a planner's locked groups).
    existing_ids : iterable of str
        Organisation ids the new ids must not repeat (today's ids in
        ``attributes.org_id`` are always avoided).
    beam : int
        Sets kept per size in the seeded growth; larger is slower and rarely better.

    Returns
    -------
    list of SuggestedGroup
        Disjoint groups, each satisfying every rule, sorted by township code
        and lead village code; empty when no group is possible (see
        :func:`suggestion_notes` for why).  Deterministic.
    """
    min_size, max_size = int(_rule(rules, "min_size")), int(_rule(rules, "max_size"))
    within = bool(_rule(rules, "within_township"))
    GroupRules(min_size, max_size, within)  # validates the band (rules may be any object)
    codes = usable_candidates(attributes, candidates, locked_villages)
    if not codes:
        return []
    graph = _search_graph(attributes, neighbours, codes, within)
    found = search_groups(graph, min_size, max_size, beam=beam)
    log.debug("suggest: %d candidates, %d strong, %d groups", len(codes), sum(graph.strong),
              len(found))
    return _name_groups(attributes, [tuple(codes[i] for i in m) for _, m in found],
                        existing_ids)


def suggestion_notes(groups, attributes: pd.DataFrame, neighbours: dict, candidates,
                     rules=GroupRules(), locked_villages=()) -> list:
    """Why the suggestion is what it is, in Chinese: for the planner beside the groups.

    Says when there is nothing to group, when there is no strong village,
    which strong villages lead no group and how many weak villages stay
    uncovered.

    >>> import pandas as pd
    >>> a = pd.DataFrame({"name": ["甲村"], "township_code": ["t"], "kind": ["village"],
    ...     "income_eval": [5.0], "strong": [False], "weak": [True], "org_id": [None]},
    ...     index=pd.Index(["a"], name="village_code"))
    >>> suggestion_notes([], a, {"a": set()}, ["a"])[0]
    '所选范围的 1 个未联建村中没有强村（集体经济收入达到强村标准），按以强带弱无法组建联村党委。'
    """
    codes = usable_candidates(attributes, candidates, locked_villages)
    if not codes:
        return ["所选范围内没有可分组的村：行政村均已加入联村党委、已锁定或不在范围内。"]
    rows = attributes.loc[codes]
    if not rows["strong"].any():
        return [f"所选范围的 {len(codes)} 个未联建村中没有强村（集体经济收入达到强村标准），"
                "按以强带弱无法组建联村党委。"]
    used = {c for g in groups for c in g.villages}
    notes = []
    min_size = int(_rule(rules, "min_size"))
    where = "同一乡镇内" if _rule(rules, "within_township") else ""
    for code in rows.index[rows["strong"].to_numpy()]:
        if code in used:
            continue
        name = rows.at[code, s.NAME] if s.NAME in rows.columns else code
        notes.append(f"强村 {name}（{code}）未能牵头成组：{where}与其相连、尚未分入其他组的"
                     f"未联建村不足 {min_size - 1} 个。")
    weak_left = int(rows["weak"].sum()) - sum(1 for c in used if rows.at[c, "weak"])
    if weak_left:
        notes.append(f"仍有 {weak_left} 个薄弱村未被覆盖：附近没有可带动的强村，或强村所在组已满。")
    return notes


class GroupSuggester:
    """spopt-style wrapper: ``__init__`` stores the arguments, :meth:`solve`
    runs :func:`suggest_groups`.

    After :meth:`solve`, ``groups_`` holds the groups and ``notes_`` the
    explanations of :func:`suggestion_notes`.

    >>> import pandas as pd
    >>> a = pd.DataFrame({"name": ["甲村"], "township_code": ["t"], "kind": ["village"],
    ...     "income_eval": [90.0], "strong": [True], "weak": [False], "org_id": [None]},
    ...     index=pd.Index(["a"], name="village_code"))
    >>> GroupSuggester(a, {"a": set()}, ["a"]).solve().groups_
    []
    """

    def __init__(self, attributes, neighbours, candidates, rules=GroupRules(),
                 locked_villages=(), existing_ids=()):
        self.attributes = attributes
        self.neighbours = neighbours
        self.candidates = candidates
        self.rules = rules
        self.locked_villages = locked_villages
        self.existing_ids = existing_ids

    def solve(self) -> GroupSuggester:
        self.groups_ = suggest_groups(self.attributes, self.neighbours, self.candidates,
                                      self.rules, self.locked_villages,
                                      existing_ids=self.existing_ids)
        self.notes_ = suggestion_notes(self.groups_, self.attributes, self.neighbours,
                                       self.candidates, self.rules, self.locked_villages)
        return self
