"""A wide sheet — one row per village, one column per year — as the long layer of SPEC §2.

The most common layout of a 村集体经营性收入 report is ``村代码 | 2019年 |
2020年 | 2021年``.  When the layer's year and value fields (:data:`WIDE_LAYERS`)
are given by no column and some columns are headed by a year
(:func:`geo.ingest.columns.year_header`), :func:`wide_to_long` turns every
filled cell of those columns into one row (village, year, value); empty cells
(and ``-``, ``—``, ``/``) are skipped, not errors.  Each long row remembers
its row in the file and its column, so that a problem names the cell the user
wrote.

>>> import pandas as pd
>>> wide = pd.DataFrame({"village_code": ["A", "B"], "2019年": ["1.5", None],
...                      "2020年": ["2", "—"]})
>>> long = wide_to_long("village_income", wide, year_columns("village_income",
...                     wide.columns, {"村代码": "village_code"}))
>>> long.frame.values.tolist()
[['A', 2019, '1.5'], ['A', 2020, '2']]
>>> long.origins, long.heads
(((1, '列“2019年”'), (1, '列“2020年”')), ('2019年', '2020年'))
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.ingest.columns import WIDE_LAYERS, year_header
from geo.problems import ERROR, INFO, Problem

# Cells of a year column that mean "no figure for that year"
BLANKS = frozenset({"", "-", "--", "—", "——", "–", "/", "－", "／", "\\"})


@dataclass(frozen=True)
class LongSheet:
    """The long rows of a wide sheet.

    ``frame``: the other columns, then the year and value fields; ``origins``:
    per row ``(row of the file, "列“2020年”")``; ``heads``: per row the year
    column's header (its unit is read by :mod:`geo.ingest.numbers`);
    ``problems``: an info line saying what was done, errors for two columns of
    one year.
    """

    frame: pd.DataFrame
    origins: tuple
    heads: tuple
    problems: tuple


def year_columns(layer: str, columns, mapping: dict) -> dict[str, int]:
    """Columns of a wide sheet → the year each stands for; ``{}`` when the sheet is long.

    A sheet is wide when neither the year nor the value field is given by a
    column (``mapping``: source → field) and at least one column is headed by a year.

    >>> year_columns("village_income", ["村代码", "2019", "2020年收入"], {"村代码": "village_code"})
    {'2019': 2019, '2020年收入': 2020}
    >>> year_columns("village_income", ["村代码", "年度", "2019"], {"年度": "year"})
    {}
    """
    if layer not in WIDE_LAYERS or set(WIDE_LAYERS[layer]) & set(mapping.values()):
        return {}
    found = {str(c): year_header(layer, c) for c in columns if str(c) not in mapping}
    return {c: y for c, y in found.items() if y is not None}


def _blank(value) -> bool:
    if value is None or value is pd.NA:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return isinstance(value, str) and "".join(value.split()) in BLANKS


def wide_to_long(layer: str, frame: pd.DataFrame, years: dict[str, int]) -> LongSheet:
    """One row per filled cell of the year columns ``years`` (column → year) of ``frame``.

    Rows keep the other columns' values; the year field holds the column's
    year, the value field the cell as written (units are read later).  The
    input is not changed.
    """
    year_field, value_field = WIDE_LAYERS[layer]
    problems = []
    seen: dict[int, str] = {}
    for col, year in years.items():
        if year in seen:
            problems.append(Problem(ERROR, "duplicate_year_column", layer, year_field, None, None,
                                    f"列“{seen[year]}”和列“{col}”都是 {year} 年的数据；"
                                    "每年只能有一列"))
        seen.setdefault(year, col)
    keep = [c for c in frame.columns if str(c) not in years]
    rows, origins, heads, skipped = [], [], [], 0
    for pos, record in enumerate(frame.to_dict("records")):
        base = [record[c] for c in keep]
        for col, year in years.items():
            cell = record[col]
            if _blank(cell):
                skipped += 1
                continue
            rows.append([*base, year, cell])
            origins.append((pos + 1, f"列“{col}”"))
            heads.append(col)
    long = pd.DataFrame(rows, columns=[*keep, year_field, value_field], dtype=object)
    listed = sorted(set(years.values()))
    span = f"{listed[0]}–{listed[-1]}" if len(listed) > 1 else f"{listed[0]}"
    text = (f"按年分列的表：{len(frame)} 行 × {len(years)} 个年份列（{span} 年："
            f"{'、'.join(years)}）已转为每村每年一行，共 {len(long)} 行")
    if skipped:
        text += f"；{skipped} 个空格（无数据）已跳过"
    problems.insert(0, Problem(INFO, "wide_to_long", layer, year_field, None, None, text))
    return LongSheet(long, tuple(origins), tuple(heads), tuple(problems))
