"""Text tables for the terminal: figures with labels and units, column widths
that count a Chinese character as two."""
from __future__ import annotations

import unicodedata

from analysis.kpis import KPI_KEYS, KPI_LABELS
from texts.numbers import NO_VALUE  # noqa: F401
from texts.numbers import plain as format_value, plain_delta as format_delta  # noqa: F401

_AREA_COLUMNS_PER_BLOCK = 6


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def _render(header: list[list[str]], body: list[list[str]], right_from: int) -> list[str]:
    rows = header + body
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        cells = (_pad(c, widths[i], i >= right_from) for i, c in enumerate(r))
        lines.append("  ".join(cells).rstrip())
        if k == len(header) - 1:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def format_kpi_table(rows) -> str:
    """A readable Chinese text table of figures, for the command line.

    Parameters
    ----------
    rows : dict or list of dict
        :func:`compute_kpis` output, or :func:`kpis_by_area` items (with
        ``code`` and ``name``).  One column per item, at most six per block.

    Returns
    -------
    str
        One line per figure with its label and unit; ratios as percentages
        with 2 decimals, 万元 with 2 decimals, ``—`` for a missing figure.

    Examples
    --------
    >>> text = format_kpi_table({"joint_coverage": 0.50231, "avg_income_gain_joint": 6.5,
    ...                          "base_year": 2019, "eval_year": 2023})
    >>> print("\\n".join(line for line in text.splitlines() if "联" in line or "收入" in line))
    收入年份：2019 → 2023
    联村覆盖率      %     50.23%
    联建村村均增收  万元    6.50
    """
    items = [rows] if isinstance(rows, dict) else list(rows)
    if not items:
        return "（无数据）"
    keys = [k for k in KPI_KEYS if any(k in item for item in items)]
    lines = []
    first = items[0]
    if first.get("base_year") is not None or first.get("eval_year") is not None:
        lines.append(f"收入年份：{first.get('base_year') or NO_VALUE} → "
                     f"{first.get('eval_year') or NO_VALUE}")
    for start in range(0, len(items), _AREA_COLUMNS_PER_BLOCK):
        block = items[start:start + _AREA_COLUMNS_PER_BLOCK]
        names = [str(it.get("name") or it.get("code") or "合计") for it in block]
        header = [["指标", "单位", *names]]
        if any("code" in it for it in block):
            header.append(["", "", *[str(it.get("code", "")) for it in block]])
        body = [[KPI_LABELS[k][0], KPI_LABELS[k][1],
                 *[format_value(it.get(k), KPI_LABELS[k][1]) for it in block]] for k in keys]
        if lines:
            lines.append("")
        lines.extend(_render(header, body, right_from=2))
    return "\n".join(lines)


def table_lines(header: list[str], rows: list[list[str]], right_from: int) -> list[str]:
    """A one-line header, a rule and the rows, columns from ``right_from`` right-aligned."""
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for k, row in enumerate([header, *rows]):
        cells = [(" " * (w - _width(c)) + c) if i >= right_from else (c + " " * (w - _width(c)))
                 for i, (c, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines
