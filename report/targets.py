"""The targets in the Word briefing (and on the 排名 page): a table of how many
areas meet each target, and a sentence naming who is behind, in the register
of the seeds: 「尚有3个乡镇（街道）联村覆盖率低于60%：甲镇、乙镇、丙镇。」

The marks come from :func:`analysis.rankings.rank_areas`.

>>> import pandas as pd
>>> t = pd.DataFrame({"key": ["joint_coverage"] * 3, "name": ["甲镇", "乙镇", "丙镇"],
...     "rank": [1, 2, 3], "mark": ["green", "yellow", "red"], "target": [0.6] * 3})
>>> behind_sentence(t, "joint_coverage", "乡镇（街道）")
'尚有2个乡镇（街道）联村覆盖率低于60%：乙镇、丙镇。'
"""
from __future__ import annotations

import pandas as pd

from analysis.rankings import DIRECTIONS, behind, label_of, mark_counts
from report.word import Table
from texts.numbers import prose
import texts


def target_text(key: str, target) -> str:
    """A target as written: ``60%``, ``0个``.

    >>> target_text("joint_coverage", 0.6), target_text("low_income_villages", 0)
    ('60%', '0个')
    """
    text = prose(target, label_of(key)[1])
    return text.replace(".00%", "%")


def behind_sentence(table: pd.DataFrame, key: str, level: str) -> str:
    """Who misses the target of ``key`` (yellow or red), or that all meet it."""
    rows = table[table["key"] == key]
    label = label_of(key)[0]
    targets = rows["target"].dropna()
    if rows.empty or targets.empty or rows["mark"].isna().all():
        return texts.NO_TARGET_DATA.format(level=level, label=label)
    sign, relation = texts.TARGET_RELATIONS[DIRECTIONS[key]]
    target = target_text(key, targets.iloc[0])
    late = behind(table, key)
    if late.empty:
        return texts.ALL_MET.format(level=level, label=label, sign=sign, target=target)
    names = "、".join(str(n) for n in late["name"])
    return texts.BEHIND.format(n=len(late), level=level, label=label, relation=relation,
                               target=target, names=names)


def targets_paragraph(table: pd.DataFrame, keys, level: str) -> str:
    """The briefing's paragraph: one sentence per target missed somewhere
    (:func:`behind_sentence`), then one naming the targets every area meets.

    >>> t = pd.DataFrame({"key": ["joint_coverage", "grid_manager_coverage"], "name": ["甲"] * 2,
    ...     "rank": [1, 1], "mark": ["red", "green"], "target": [0.6, 1.0]})
    >>> targets_paragraph(t, ["joint_coverage", "grid_manager_coverage"], "县（市、区）")
    ... # doctest: +NORMALIZE_WHITESPACE
    '对照工作目标（见表），各县（市、区）主要指标达成情况如下：尚有1个县（市、区）联村覆盖率低于60%：甲。网格管家配备率各县（市、区）均达到目标。'
    """
    missed, met = [], []
    for key in keys:
        marks = table.loc[table["key"] == key, "mark"].dropna()
        if len(marks) and (marks == "green").all():
            met.append(label_of(key)[0])
        else:
            missed.append(behind_sentence(table, key, level))
    done = texts.ALL_TARGETS_MET.format(labels="、".join(met), level=level) if met else ""
    return texts.REPORT_TARGETS_INTRO.format(level=level) + "".join(missed) + done


def targets_table(table: pd.DataFrame, level: str, number: int) -> Table:
    """Table ``number`` of the briefing: per target, the areas that meet it, come
    close and miss it, and the names of those that miss it (worst last).

    >>> t = pd.DataFrame({"key": ["joint_coverage"] * 2, "name": ["甲", "乙"], "rank": [1, 2],
    ...     "mark": ["green", "red"], "target": [0.6, 0.6]})
    >>> targets_table(t, "县（市、区）", 7).rows
    [['联村覆盖率', '≥60%', '1', '0', '1', '乙']]
    """
    rows = []
    for key in DIRECTIONS:
        part = table[table["key"] == key]
        targets = part["target"].dropna()
        if part.empty or targets.empty:
            continue
        counts = mark_counts(table, key)
        sign = texts.TARGET_RELATIONS[DIRECTIONS[key]][0]
        names = "、".join(str(n) for n in behind(table, key)["name"]) or texts.NO_VALUE
        rows.append([label_of(key)[0], sign + target_text(key, targets.iloc[0]),
                     *(str(counts[m]) for m in ("green", "yellow", "red")), names])
    return Table(texts.REPORT_TARGETS_CAPTION.format(n=number, level=level),
                 list(texts.REPORT_TARGETS_HEADER), rows)
