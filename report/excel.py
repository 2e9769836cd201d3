"""The report's workbook (.xlsx, openpyxl): figures by county and township,
organisations and members, unit grids below standard, low-income villages.

Numbers stay numbers (ratios as fractions shown with a ``0.00%`` format, so
that reading the file back gives the figures of :mod:`analysis.kpis`).  Every
text cell is written as text: a value beginning with ``=``, ``+``, ``-``,
``@`` (or a tab or carriage return) gets a leading ``'`` so that no
spreadsheet evaluates a user-supplied name as a formula (CSV/formula
injection).

>>> safe_text("=cmd|' /C calc'!A0"), safe_text("-1"), safe_text("洪田村")
("'=cmd|' /C calc'!A0", "'-1", '洪田村')
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {"%": "0.00%", "万元": "0.00", "个/组织": "0.00", "个": "0", "int": "0",
                  "m2": "#,##0"}
HEADER_FILL = PatternFill("solid", fgColor="DDE6F2")


def safe_text(value) -> str:
    """``value`` as text, with a leading ``'`` when a spreadsheet would read it
    as a formula."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a frame, its Chinese headers and number formats.

    ``headers`` maps columns of ``frame`` to their header (columns not listed
    keep their name); ``formats`` maps columns to a key of
    :data:`NUMBER_FORMATS`; ``text`` lists columns always written as text
    (codes such as ``350481``, which must not become numbers).
    """

    name: str
    frame: pd.DataFrame
    headers: dict = field(default_factory=dict)
    formats: dict = field(default_factory=dict)
    text: tuple = ()


def _cell_value(value, as_text: bool):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if as_text or isinstance(value, str):
        return safe_text(value)
    if hasattr(value, "item"):          # numpy scalars
        value = value.item()
    if isinstance(value, (int, float)):
        return value
    return safe_text(value)


def _write_sheet(wb: Workbook, sheet: Sheet) -> None:
    ws = wb.create_sheet(sheet.name[:31])
    columns = list(sheet.frame.columns)
    ws.append([safe_text(sheet.headers.get(c, c)) for c in columns])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    text_columns = set(sheet.text)
    for row in sheet.frame.itertuples(index=False, name=None):
        ws.append([_cell_value(v, c in text_columns) for c, v in zip(columns, row)])
    for j, column in enumerate(columns, start=1):
        letter = get_column_letter(j)
        fmt = NUMBER_FORMATS.get(sheet.formats.get(column, ""))
        for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            if isinstance(cell.value, str):
                cell.data_type = "s"     # never a formula, whatever the text
            elif fmt and cell.value is not None:
                cell.number_format = fmt
        header = str(sheet.headers.get(column, column))
        ws.column_dimensions[letter].width = min(max(10, len(header) * 1.8 + 2), 40)
    ws.freeze_panes = "C2" if len(columns) > 2 else "A2"
    ws.row_dimensions[1].height = 36


def write_xlsx(path: str | Path, sheets: list[Sheet]) -> Path:
    """Write ``sheets`` (in order) to ``path``; returns the path."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        _write_sheet(wb, sheet)
    wb.save(path)
    return Path(path)
