"""Numbers and years as people write them: separators, full-width digits, units (SPEC §5).

An uploaded cell may read ``266,100``, ``２６６，１００``, ``12.5万元``,
``3,000人``, ``2019年`` or ``四星``.  :func:`convert_numbers` reads such cells of
a layer's numeric fields into plain numbers, in the field's unit, before the
values are typed and checked (:func:`geo.validate.coerce_layer`):

* amounts (``collective_income``, 万元): 万元 (or 万) as is, 元 divided by
  10,000, by the unit of the cell, else of its column's header
  (``集体经营性收入（元）``), else of the sheet's title (``单位：元``), else
  万元.  The division is exact (decimal), so ``266,100`` 元 is 26.61 万元
  exactly as if 26.61 had been typed.
* counts: the unit of the count may follow (``300户``, ``900人``).
* years: ``2019年``, ``2019年度``.  Star ratings: ``4星``, ``四星级``, ``无星`` (0).
* a percentage is refused with a message: no field of SPEC §2 is a share.

What was read how is said in one ``info`` line per column and kind of
conversion ("集体经营性收入（元）按元读入，已换算为万元"); a cell that cannot be
read this way is an error naming its row (thousands separators in the wrong
place, an unknown unit), others are left for the validator to judge.

>>> import pandas as pd
>>> frame = pd.DataFrame({"collective_income": ["266,100", "12.5万元", 80000]})
>>> out = convert_numbers("village_income", frame, {"collective_income": "集体经营性收入（元）"})
>>> out.frame["collective_income"].tolist()
[26.61, 12.5, 8.0]
>>> [p.message for p in out.problems]  # doctest: +NORMALIZE_WHITESPACE
['集体经营性收入（元）按元读入，已换算为万元（2 个值除以 10000）',
 '集体经营性收入（元）中 1 个值带单位“万元”，按万元读入',
 '集体经营性收入（元）中 1 个值带千位分隔符，已去掉后读入']
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pandas as pd

from geo import schema as s
from geo.ingest.columns import split_unit
from geo.problems import ERROR, INFO, WARNING, Problem

WAN = "万元"
# Amount fields and the unit they are kept in; factors from a written unit to it
AMOUNT_FIELDS = {s.COLLECTIVE_INCOME: WAN}
TO_WAN = {"万元": Decimal(1), "万": Decimal(1), "元": Decimal("0.0001")}
# Count fields and the units that may follow their numbers
COUNT_UNITS = {s.HOUSEHOLDS: ("户",), s.POPULATION: ("人",), s.PARTY_MEMBERS: ("人", "名"),
               s.PROJECTS: ("个", "项")}
YEAR_FIELDS = (s.YEAR, s.FOUNDED_YEAR, s.JOINED_YEAR)
# An amount above this many 万元 without a unit is probably in 元 (a warning says so)
PLAUSIBLE_WAN = 10_000
_NUMBER = re.compile(r"^(?P<sign>[-+]?)[¥]?(?P<int>\d{1,3}(?:,\d{3})+|\d+)(?P<frac>\.\d+)?"
                     r"(?P<unit>[^\d.,]*)$")
_YEAR = re.compile(r"^(?P<year>\d{4})(?:\.0+)?(?P<suffix>年度|年份|年)?$")
_STAR = re.compile(r"^(?P<n>[0-5零一二三四五])(?:星级|星)$")
_CHINESE_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_NO_STAR = ("无星", "无星级")
_HUGE = Decimal(10) ** 15  # no village figure comes near; a longer number is a slip
_TOO_LARGE = "数值过大（不少于 10 的 15 次方），请核对"
# The order of the report's lines about one field
_ORDER = ("header", "sheet", "cell", "separators", "fullwidth", "year_suffix", "star", "large")


@dataclass(frozen=True)
class Converted:
    """What :func:`convert_numbers` returns.

    ``frame``: a copy with the cells it could read replaced by numbers;
    ``problems``: one ``info`` line per column and conversion, errors for cells
    it refused (their rows are 1-based rows of ``frame``, or ``origins``'s);
    ``refused``: ``{(field, row)}`` of those cells; ``marks``: field → what
    was done to it, in a few words (for the preview's column headers).
    """

    frame: pd.DataFrame
    problems: tuple = ()
    refused: frozenset = frozenset()
    marks: dict = field(default_factory=dict)


def _blank(value) -> bool:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return True
    return isinstance(value, str) and not value.strip()


def _text(value) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _decimal(value) -> Decimal | None:
    """An Excel or GeoPackage number as the decimal it was written as."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return Decimal(int(value))
    if isinstance(value, (float, np.floating)) and np.isfinite(value):
        return Decimal(repr(float(value)))
    return None


def _number(decimal: Decimal, integer: bool):
    if integer and decimal == decimal.to_integral_value():
        return int(decimal)
    return float(decimal)


class _Column:
    """Counts of what was done to one column's cells, for the report."""

    def __init__(self, label: str):
        self.label = label
        self.counts: Counter = Counter()
        self.examples: dict = {}

    def add(self, what: str, example=None) -> None:
        self.counts[what] += 1
        self.examples.setdefault(what, example)


def _cell_problem(layer, fld, row, row_id, value, text) -> Problem:
    return Problem(ERROR, "bad_number", layer, fld, row, row_id, f"值 {str(value)[:30]!r} {text}")


def _amount(value, header_unit, sheet_unit, stats: _Column):
    """(number in 万元, None) or (None, why it was refused) or (value, None) untouched."""
    number = _decimal(value)
    unit = None
    if number is None:
        raw = str(value)
        text = _text(raw)
        found = _NUMBER.match(text)
        if not found:
            if "," in text and re.fullmatch(r"[-+]?[\d,]+(\.\d+)?\D*", text):
                return None, "的千位分隔符位置不对（应每三位一个，如 266,100）"
            return value, None
        unit = found.group("unit") or None
        if unit is not None and unit not in TO_WAN:
            if unit == "%":
                return None, "是百分数；该字段是金额（万元），不是比例"
            return None, f"的单位“{unit}”无法识别（可用 万元、元）"
        number = Decimal(found.group("sign") + found.group("int").replace(",", "")
                         + (found.group("frac") or ""))
        if "," in found.group("int"):
            stats.add("separators")
        if text != raw.strip():
            stats.add("fullwidth")
    if unit is not None:
        stats.add(f"cell:{unit}")
    elif header_unit:
        unit = header_unit
        stats.add(f"header:{unit}")
    elif sheet_unit:
        unit = sheet_unit
        stats.add(f"sheet:{unit}")
    else:
        if number >= PLAUSIBLE_WAN:
            stats.add("large", value)
        unit = WAN
    if abs(number) >= _HUGE:
        return None, _TOO_LARGE
    return _number(number * TO_WAN[unit], integer=False), None


def _count(value, units, stats: _Column):
    if _decimal(value) is not None or not isinstance(value, str):
        return value, None
    text = _text(value)
    found = _NUMBER.match(text)
    if not found:
        if "," in text and re.fullmatch(r"[-+]?[\d,]+(\.\d+)?\D*", text):
            return None, "的千位分隔符位置不对（应每三位一个，如 3,000）"
        return value, None
    unit = found.group("unit")
    if unit == "%":
        return None, "是百分数；该字段是个数，不是比例"
    if unit and unit not in units:
        return None, f"的单位“{unit}”不适用（可省略单位，或写 {'、'.join(units)}）"
    if "," in found.group("int"):
        stats.add("separators")
    if unit:
        stats.add(f"cell:{unit}")
    if text != value.strip():
        stats.add("fullwidth")
    number = Decimal(found.group("sign") + found.group("int").replace(",", "")
                     + (found.group("frac") or ""))
    if abs(number) >= _HUGE:
        return None, _TOO_LARGE
    return _number(number, integer=True), None


def _year(value, stats: _Column):
    if not isinstance(value, str):
        return value, None
    text = _text(value)
    found = _YEAR.match(text)
    if not found:
        return value, None
    if found.group("suffix"):
        stats.add("year_suffix", value.strip())
    if text != value.strip():
        stats.add("fullwidth")
    return int(found.group("year")), None


def _star(value, stats: _Column):
    if not isinstance(value, str):
        return value, None
    text = _text(value)
    if text in _NO_STAR:
        stats.add("star", value.strip())
        return 0, None
    found = _STAR.match(text)
    if not found:
        return value, None
    stats.add("star", value.strip())
    n = found.group("n")
    return int(n) if n.isdigit() else _CHINESE_DIGITS[n], None


def _notes(layer: str, fld: str, stats: list[_Column]) -> tuple[list[Problem], str]:
    """The info lines of one field (columns grouped by what was done) and its mark."""
    done: dict[str, list[_Column]] = defaultdict(list)
    for col in stats:
        for what in col.counts:
            done[what].append(col)
    lines, marks = [], []

    def labels(cols):
        return "、".join(c.label for c in cols)

    def total(what):
        return sum(c.counts[what] for c in done[what])

    for what, cols in sorted(done.items(), key=lambda item: _ORDER.index(item[0].split(":")[0])):
        n = total(what)
        kind, _, unit = what.partition(":")
        if kind == "header" and unit == "元":
            lines.append((INFO, f"{labels(cols)}按元读入，已换算为万元（{n} 个值除以 10000）"))
            marks.append("元→万元")
        elif kind == "header":
            lines.append((INFO, f"{labels(cols)}按表头所注单位“{unit}”读入（{n} 个值）"))
        elif kind == "sheet":
            lines.append((INFO, f"工作表注明“单位：{unit}”，{labels(cols)}按{unit}读入"
                          + ("，已换算为万元" if unit == "元" else "") + f"（{n} 个值）"))
            marks.append("元→万元" if unit == "元" else "")
        elif kind == "cell" and unit in TO_WAN:
            lines.append((INFO, f"{labels(cols)}中 {n} 个值带单位“{unit}”，按{unit}读入"
                          + ("，已换算为万元" if unit == "元" else "")))
            marks.append("元→万元" if unit == "元" else "去单位")
        elif kind == "cell":
            lines.append((INFO, f"{labels(cols)}中 {n} 个值带单位“{unit}”，已去掉单位读入"))
            marks.append("去单位")
        elif kind == "separators":
            lines.append((INFO, f"{labels(cols)}中 {n} 个值带千位分隔符，已去掉后读入"))
            marks.append("去分隔符")
        elif kind == "fullwidth":
            lines.append((INFO, f"{labels(cols)}中 {n} 个值含全角数字或符号，已按半角读入"))
            marks.append("全角→半角")
        elif kind == "year_suffix":
            example = cols[0].examples[what]
            lines.append((INFO, f"{labels(cols)}中 {n} 个年份写作“{example}”的形式，"
                                "已读作年份数字"))
            marks.append("年份")
        elif kind == "star":
            example = cols[0].examples[what]
            lines.append((INFO, f"{labels(cols)}中 {n} 个星级写作“{example}”的形式，"
                                "已读作 0–5 的数字（无星 = 0）"))
            marks.append("星级")
        elif kind == "large":
            example = cols[0].examples[what]
            lines.append((WARNING, f"{labels(cols)}未注明单位，按万元读入；其中 {n} 个值"
                                   f"不少于 {PLAUSIBLE_WAN} 万元（如 {example}），"
                                   "可能是以元为单位：若是，请在表头注明（元）后重新上传"))
    problems = [Problem(sev, "converted" if sev == INFO else "unit_unclear", layer, fld, None,
                        None, text) for sev, text in lines]
    return problems, "、".join(dict.fromkeys(m for m in marks if m))


def convert_numbers(layer: str, frame: pd.DataFrame, sources: dict, cell_sources=None,
                    sheet_unit: str | None = None, origins=None) -> Converted:
    """Read the numbers, units and years of ``layer``'s numeric fields in ``frame``.

    Parameters
    ----------
    layer : canonical layer name; ``frame`` has its field names.
    sources : field → the header of the column it came from (its unit is read).
    cell_sources : field → one header per row, when the rows of a field came
        from different columns (a wide sheet's year columns); wins over ``sources``.
    sheet_unit : the unit a title row of the sheet states (``元`` or ``万元``).
    origins : per row ``(row, note)`` of the file (a wide sheet's row and its
        column), for the errors' row numbers; default: the rows of ``frame``.

    Returns
    -------
    Converted
        Amounts in 万元 (floats), counts and years as ints; the input is not changed.
    """
    out = frame.copy()
    fields = s.FIELDS_BY_LAYER[layer]
    cell_sources = cell_sources or {}
    problems, refused, marks = [], set(), {}
    ids = (out[s.VILLAGE_CODE].tolist() if s.VILLAGE_CODE in out.columns
           else [None] * len(out))
    for name, fld in fields.items():
        if name not in out.columns or fld.kind not in (s.INT, s.FLOAT):
            continue
        heads = cell_sources.get(name) or [sources.get(name, name)] * len(out)
        stats: dict[str, _Column] = {}
        values = out[name].tolist()
        changed = False
        for pos, value in enumerate(values):
            if _blank(value):
                continue
            head = str(heads[pos])
            col = stats.setdefault(head, _Column(head))
            header_unit = split_unit(head)[1]
            if name in AMOUNT_FIELDS:
                header_unit = header_unit if header_unit in TO_WAN else None
                new, why = _amount(value, header_unit, sheet_unit, col)
            elif name in COUNT_UNITS:
                new, why = _count(value, COUNT_UNITS[name], col)
            elif name in YEAR_FIELDS:
                new, why = _year(value, col)
            elif name == s.STAR_RATING:
                new, why = _star(value, col)
            else:
                continue
            if why:
                row, note = origins[pos] if origins else (pos + 1, None)
                rid = ids[pos] if not _blank(ids[pos]) else None
                problems.append(_cell_problem(layer, name, row, rid, value, why
                                              + (f"（{note}）" if note else "")))
                refused.add((name, row))
            elif new is not value:
                values[pos], changed = new, True
        bad_head = [h for h in stats if split_unit(h)[1] == "%" or (
            name in AMOUNT_FIELDS and split_unit(h)[1] not in (None, *TO_WAN))]
        for head in bad_head:
            problems.append(Problem(ERROR, "bad_unit", layer, name, None, None,
                                    f"列“{head}”表头所注单位“{split_unit(head)[1]}”不适用于"
                                    f"字段 {s.field_label(layer, name)}"))
        if changed:  # a column read as numbers stays as it was
            out[name] = pd.Series(values, index=out.index, dtype=object)
        found, mark = _notes(layer, name, list(stats.values()))
        problems += found
        if mark:
            marks[name] = mark
    return Converted(out, tuple(problems), frozenset(refused), marks)
