"""The one place numbers become text, in the four registers the product writes them:

``card`` / ``card_delta``
    a dashboard card and the change under it: ``50.23%``, ``1,775 个``, ``+1.20 个百分点``;
``cell``
    a table whose header carries the unit (Word, Excel): ``50.23``, ``6.50``, ``1775``;
``prose``
    a sentence of a report, as the seeds write: ``50.23%``, ``6.5万元``, ``1775个``;
``plain`` / ``plain_delta``
    the command line's text tables: ``50.23%``, ``6.50``, ``869``, ``+3``.

Units are the strings of ``analysis.kpis`` (``%`` for fractions, ``万元``,
``个``, ``个/组织`` …); a missing value is :data:`NO_VALUE` (``—``), in prose
:data:`NO_DATA` (``暂无数据``).  Imports nothing of ours.

>>> card(0.50231, "%"), cell(0.50231, "%"), prose(0.50231, "%"), plain(0.50231, "%")
('50.23%', '50.23', '50.23%', '50.23%')
>>> card(1775, "个"), cell(1775, "个"), prose(1775, "个"), plain(1775, "个")
('1,775 个', '1775', '1775个', '1775')
"""
from __future__ import annotations

import math

NO_VALUE = "—"
NO_DATA = "暂无数据"
PERCENT = "%"


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value != value


def card(value, unit: str = "") -> str:
    """A figure as shown on a card: fractions as percentages, 万元 with two
    decimals, counts with thousands separators; ``None`` as a dash.

    >>> card(0.50231, "%"), card(6.5, "万元"), card(1775, "个")
    ('50.23%', '6.50 万元', '1,775 个')
    >>> card(None, "%")
    '—'
    """
    if _missing(value):
        return NO_VALUE
    if unit == PERCENT:
        return f"{value * 100:.2f}%"
    return _grouped(value, unit, "")


def card_delta(change, unit: str = "") -> str:
    """A change as shown under a card: ``+1.20 个百分点``, ``-3 个``, ``+0.85 万元``.

    >>> card_delta(0.012, "%"), card_delta(-3, "个"), card_delta(0.845, "万元")
    ('+1.20 个百分点', '-3 个', '+0.84 万元')
    """
    if unit == PERCENT:
        return f"{change * 100:+.2f} 个百分点"
    return _grouped(change, unit, "+")


def _grouped(value, unit: str, sign: str) -> str:
    """万元 with two decimals, other fractional values with two, counts whole."""
    if unit == "万元" or (isinstance(value, float) and not value.is_integer()):
        text = f"{value:{sign},.2f}"
    else:
        text = f"{int(value):{sign},}"
    return text + (f" {unit}" if unit else "")


def cell(value, unit: str) -> str:
    """A figure in a table whose header carries the unit: percentages and 万元
    with two decimals, counts as integers, ``—`` when missing.

    >>> cell(0.5, "%"), cell(3.896, "个/组织"), cell(12.0, "个"), cell(None, "个")
    ('50.00', '3.90', '12', '—')
    """
    if _missing(value):
        return NO_VALUE
    if unit == PERCENT:
        return f"{value * 100:.2f}"
    if unit in ("万元", "个/组织"):
        return f"{value:.2f}"
    return str(int(round(value)))


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def prose(value, unit: str = "") -> str:
    """A figure as written in a report: ``50.23%``, ``6.5万元``, ``223个``, ``2023年``.

    Ratios are fractions written as percentages with two decimals (a positive
    ratio under 0.005 % is 不足0.01%, not 0.00%); 万元 with at most two
    decimals; counts as plain integers (``1775个``, no separator, as the
    seeds write them); ``个/组织`` (a mean) with one decimal.

    >>> prose(0.5023121, "%"), prose(6.5, "万元"), prose(1775, "个")
    ('50.23%', '6.5万元', '1775个')
    >>> prose(3.896, "个/组织"), prose(5.3e-06, "%"), prose(10.0, "万元")
    ('3.9个', '不足0.01%', '10万元')
    >>> prose(1000.0, "米"), prose(80), prose(None, "%")
    ('1000米', '80', '暂无数据')
    """
    if _missing(value):
        return NO_DATA
    if unit == PERCENT:
        pct = value * 100
        return "不足0.01%" if 0 < pct < 0.005 else f"{pct:.2f}%"
    if unit == "万元":
        return _trim(f"{value:.2f}") + "万元"
    if unit == "个/组织":
        return _trim(f"{value:.1f}") + "个"
    if unit in ("个", "年", "户", ""):
        return f"{int(round(value))}{unit}"
    return _trim(f"{value:.2f}") + unit


def plain(value, unit: str) -> str:
    """A figure in the command line's tables: ratios in % with 2 decimals, 万元
    and means with 2 decimals, counts as they are.

    >>> plain(0.50231, "%"), plain(6.5, "万元"), plain(869, "个"), plain(None, "%")
    ('50.23%', '6.50', '869', '—')
    """
    if _missing(value):
        return NO_VALUE
    if unit == PERCENT:
        return f"{value * 100:.2f}%"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return f"{value:.2f}"


def plain_delta(value, unit: str) -> str:
    """A change in the command line's tables: percentage points for ratios.

    >>> plain_delta(0.0123, "%"), plain_delta(3, "个"), plain_delta(None, "个")
    ('+1.23 个百分点', '+3', '—')
    """
    if value is None:
        return NO_VALUE
    if unit == PERCENT:
        return f"{value * 100:+.2f} 个百分点"
    return f"{value:+d}" if isinstance(value, int) else f"{value:+.2f}"
