"""Rows that name their village by township and name: codes filled, the user's picks (SPEC §5).

:func:`resolve_names` fills ``village_code`` of the rows of a layer of
:data:`~geo.ingest.names.NAMED_LAYERS` that name their village instead of
coding it, with :class:`~geo.ingest.names.VillageIndex`.  A name that fits no
village or several is reported for each row of the user's file — a warning
for ``village_income`` (the row is left out), an error for ``joint_members``
— and offered to the user as a :class:`NameMatch` to settle.  The user's
picks (``乡镇/村名`` → village code) win over matching; once an import is
confirmed they are remembered in ``village_names.json`` of the data folder
(:func:`remember_names`, :func:`recalled_names`), like column mappings.  Two
different written names for one village in one year of income are refused.

>>> import pandas as pd
>>> villages = pd.DataFrame({"village_code": ["1", "2"], "name": ["上坪村", "下坪村"],
...                          "township": ["清溪镇", "清溪镇"]})
>>> sheet = pd.DataFrame({"乡镇": ["清溪镇", "清溪镇"], "村名": ["上坪村委会", "中坪"],
...                       "year": [2021, 2021], "collective_income": [1.0, 2.0]})
>>> done = resolve_names("village_income", sheet, {"乡镇": "township", "村名": "name"}, villages)
>>> done.frame["village_code"].tolist(), [(m.key, m.status) for m in done.matches]
(['1'], [('清溪镇/中坪', 'unmatched')])
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo import schema as s
from geo.db import place, shown
from geo.ingest.names import (NAMED_LAYERS, NAMING_FIELDS, Found, VillageIndex, closest_text,
                              is_blank, pick_key, query_key, text_of)
from geo.problems import ERROR, INFO, Problem
from geo.remembered import read_text, update_text

log = logging.getLogger(__name__)
NAMES_FILE = "village_names.json"
# Names offered every village of their township as options, closest first; the
# others only their closest few (a sheet whose township column is wrong may have
# hundreds; nobody settles those one by one).
FULL_OPTIONS = 40


@dataclass(frozen=True)
class NameMatch:
    """A written name the user may settle on the page: ``key`` (``乡镇/村名``),
    ``label`` as written, ``rows`` of the file, ``status`` (unmatched, ambiguous or
    picked), the ``pick`` (village code) and the ``options`` (code, label),
    closest first (see :data:`FULL_OPTIONS`)."""

    key: str
    label: str
    rows: tuple
    status: str
    reason: str = ""
    pick: str | None = None
    options: tuple = ()


@dataclass(frozen=True)
class Resolved:
    """:func:`resolve_names`'s result: ``frame`` with ``village_code`` filled (rows of
    names that fit no village or several left out), their ``origins``, ``problems``,
    ``matches`` to settle (:class:`NameMatch`) and ``named``: rows matched by name."""

    frame: pd.DataFrame
    origins: tuple
    problems: tuple
    matches: tuple
    named: int = 0


def _consequence(layer: str, key: str) -> str:
    fix = f"可在页面“村名对应”中选择，或用命令行 --village {key}=村代码 指定"
    if NAMED_LAYERS[layer] == ERROR:
        return f"；不能导入（{fix}）"
    return f"；此行未导入（{fix}）"


def resolve_names(layer: str, frame: pd.DataFrame, naming: dict, villages: pd.DataFrame | None,
                  picks: dict | None = None, origins=()) -> Resolved:
    """Fill ``village_code`` of the rows of ``frame`` that name their village instead.

    Parameters
    ----------
    layer : a layer of :data:`NAMED_LAYERS`.
    frame : the layer as read; a row with a code keeps it.
    naming : column → field (:func:`naming_columns`).
    villages : the dataset's ``villages`` (codes, names, townships, counties).
    picks : the user's ``{乡镇/村名: village code}`` (:func:`query_key`).
    origins : per row ``(row, note)`` of the file; default: rows of ``frame``.

    Returns
    -------
    Resolved
        Problems are per row of the file: warnings or errors (:data:`NAMED_LAYERS`),
        one info line on how many rows were matched by name.
    """
    origins = tuple(origins) or tuple((pos + 1, None) for pos in range(len(frame)))
    severity = NAMED_LAYERS[layer]
    if villages is None or len(villages) == 0:
        return Resolved(frame, origins, (Problem(ERROR, "no_villages", layer, s.VILLAGE_CODE, None,
                                                 None, "按乡镇和村名匹配村需要村（社区）图层；"
                                                       "请先导入 villages"),), ())
    index = VillageIndex(villages)
    picks = {pick_key(k): str(v) for k, v in (picks or {}).items()}
    out = frame.copy()
    codes = (out[s.VILLAGE_CODE].tolist() if s.VILLAGE_CODE in out.columns
             else [None] * len(out))
    queries: dict[str, tuple[dict, list[int]]] = {}
    for pos, record in enumerate(out[list(naming)].to_dict("records")):
        if not is_blank(codes[pos]):
            continue
        query = {fld: record[col] for col, fld in naming.items() if not is_blank(record[col])}
        if s.NAME in query:
            queries.setdefault(query_key(query), (query, []))[1].append(pos)
    problems, matches, drop, source = [], [], set(), {}
    for key, (query, positions) in queries.items():
        rows = tuple(dict.fromkeys(origins[p][0] for p in positions))
        label = " ".join(text_of(query[f]) for f in NAMING_FIELDS if f in query)
        found, pick = index.find(query), picks.get(key)
        if found.status != "matched" or pick in index.by_code:
            ranked = (index.ranked(found.scope or index.places, query)
                      if len(matches) < FULL_OPTIONS else found.ranked)
            options = tuple((p.code, p.label) for p, _ in ranked if p.code)
        if pick in index.by_code:
            found = Found("matched", (index.by_code[pick],))
            if pick not in dict(options):
                options = ((pick, index.by_code[pick].label), *options)
            matches.append(NameMatch(key, label, rows, "picked", "", pick, options))
        if found.status == "matched":
            for p in positions:
                codes[p], source[p] = found.places[0].code, key
            continue
        matches.append(NameMatch(key, label, rows, found.status, found.reason, None, options))
        drop |= set(positions)
        for row in rows:
            problems.append(Problem(severity, f"village_{found.status}", layer, s.VILLAGE_CODE,
                                    row, None, found.reason + closest_text(found)
                                    + _consequence(layer, key)))
    out[s.VILLAGE_CODE] = pd.Series(codes, index=out.index, dtype=object)
    problems += _one_to_one(layer, out, source, origins)
    keep = [p for p in range(len(out)) if p not in drop]
    if source:
        problems.insert(0, Problem(INFO, "matched_by_name", layer, s.VILLAGE_CODE, None, None,
                                   f"{len(source)} 行按乡镇和村名匹配到村代码（"
                                   f"{len({codes[p] for p in source})} 个村（社区））"))
    return Resolved(out.iloc[keep].reset_index(drop=True), tuple(origins[p] for p in keep),
                    tuple(problems), tuple(matches), len(source))


def _one_to_one(layer: str, frame: pd.DataFrame, source: dict, origins) -> list[Problem]:
    """Two different written names (or a name and a code) for one village in one year."""
    if layer != s.VILLAGE_INCOME or not source or s.YEAR not in frame.columns:
        return []
    seen: dict[tuple, list[int]] = {}
    for pos, (code, year) in enumerate(zip(frame[s.VILLAGE_CODE], frame[s.YEAR])):
        if not is_blank(code) and not is_blank(year):
            seen.setdefault((str(code), str(year)), []).append(pos)
    problems = []
    for (code, year), positions in seen.items():
        written = {source.get(p, f"代码 {code}") for p in positions}
        if len(written) < 2:
            continue
        rows = "、".join(f"第 {origins[p][0]} 行" for p in positions)
        for p in positions:
            problems.append(Problem(ERROR, "village_twice", layer, s.VILLAGE_CODE, origins[p][0],
                                    code, f"{rows}（{'、'.join(sorted(written))}）都对应村 {code} "
                                          f"的 {year} 年收入；村名只能一一对应，请删去重复的行"))
    return problems


def _load(folder) -> dict:
    try:
        return _parse_names(read_text(folder, NAMES_FILE))
    except (OSError, ValueError) as exc:
        log.warning("村名对应记录 %s 无法读取，已忽略：%s", shown(folder), exc)
        return {}


def _parse_names(text: str | None) -> dict:
    data = json.loads(text) if text else None
    names = data.get("names") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}


def remember_names(folder, picks: dict) -> Path | str:
    """Add the user's confirmed picks (``乡镇/村名`` → code) to the folder's record.

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = remember_names(d, {"清溪镇/上平村": "350999101201"})
    >>> recalled_names(d)
    {'清溪镇/上平村': '350999101201'}
    """
    def change(old: str | None) -> str:
        try:
            names = _parse_names(old)
        except ValueError:
            names = {}
        names.update({pick_key(k): str(v) for k, v in picks.items()})
        return json.dumps({"names": names}, ensure_ascii=False, indent=1)
    update_text(folder, NAMES_FILE, change)
    return place(folder, NAMES_FILE)


def recalled_names(folder) -> dict[str, str]:
    """Every pick remembered in the folder (``乡镇/村名`` → code), or ``{}``."""
    return _load(folder)
