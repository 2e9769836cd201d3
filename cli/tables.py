"""Text tables for the terminal: figures with labels and units, column widths
that count a Chinese character as two."""
from __future__ import annotations

import math
import unicodedata

from analysis.kpis import KPI_KEYS, KPI_LABELS, PERCENT

_AREA_COLUMNS_PER_BLOCK = 6
_MISSING = "—"


def format_value(value, unit: str) -> str:
    """A figure as text: ratios in % with 2 decimals, 万元 and means with 2 decimals.

    >>> format_value(0.50231, "%"), format_value(6.5, "万元"), format_value(869, "个")
    ('50.23%', '6.50', '869')
    >>> format_value(None, "%")
    '—'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _MISSING
    if unit == PERCENT:
        return f"{value * 100:.2f}%"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"{value:.2f}"


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
        lines.append(f"收入年份：{first.get('base_year') or _MISSING} → "
                     f"{first.get('eval_year') or _MISSING}")
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


def format_delta(value, unit: str) -> str:
    """A change with its sign: percentage points for ratios.

    >>> format_delta(0.0123, "%"), format_delta(3, "个"), format_delta(None, "个")
    ('+1.23 个百分点', '+3', '—')
    """
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:+.2f} 个百分点"
    return f"{value:+d}" if isinstance(value, int) else f"{value:+.2f}"
