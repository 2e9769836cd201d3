"""Table exports of the planner: CSV and XLSX bytes whose text cells a spreadsheet
would run as formulas are stored as text."""
from __future__ import annotations

import io

import pandas as pd

from analysis.scenario_compare import MOVED_LABELS
from report.excel import safe_text


def _safe_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading ``'``."""
    return frame.map(lambda v: safe_text(v) if isinstance(v, str) else v)


def table_to_csv(frame: pd.DataFrame, labels: dict | None = None) -> bytes:
    """A table as CSV bytes, headers renamed by ``labels``.

    UTF-8 with a byte-order mark, so that Excel shows the Chinese.

    >>> table_to_csv(pd.DataFrame({"a": [1]}), {"a": "村数"}).decode("utf-8-sig").splitlines()
    ['村数', '1']
    """
    return _safe_cells(frame).rename(columns=labels or {}).to_csv(index=False).encode("utf-8-sig")


def comparison_to_xlsx(comparison) -> bytes:
    """A :class:`analysis.scenario_compare.ScenarioComparison` as an .xlsx workbook (two sheets).

    Sheet 指标对比: 指标, 单位, then the two scenarios' names and 差值; sheet
    变动村: the moved villages with Chinese headers.
    """
    figures = comparison.figures.rename(columns={"A": f"A：{comparison.name_a}",
                                                 "B": f"B：{comparison.name_b}"})
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _safe_cells(figures).to_excel(writer, sheet_name="指标对比", index=False)
        _safe_cells(comparison.moved).rename(columns=MOVED_LABELS).to_excel(
            writer, sheet_name="变动村", index=False)
    return buffer.getvalue()


def table_to_xlsx(frame: pd.DataFrame, labels: dict | None = None, sheet: str = "Sheet1") -> bytes:
    """A table as an .xlsx workbook of one sheet, headers renamed by ``labels``.

    >>> import openpyxl
    >>> book = openpyxl.load_workbook(io.BytesIO(table_to_xlsx(pd.DataFrame({"a": ["=1+1"]}),
    ...                                                        {"a": "村名"}, "清单")))
    >>> [[c.value for c in row] for row in book["清单"].iter_rows()]
    [['村名'], ["'=1+1"]]
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        _safe_cells(frame).rename(columns=labels or {}).to_excel(writer, sheet_name=sheet,
                                                                index=False)
    return buffer.getvalue()
