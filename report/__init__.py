"""Documents: the report build, Word, Excel, CSV/XLSX exports, report sentences and
tables.

``build``
    The report export (报告导出): static maps, the Word briefing and the workbook of a dataset
    or of one county, written atomically into a folder.
``excel``
    The report's workbook (.xlsx, openpyxl): figures by county and township, organisations
    and members, unit grids below standard, low-income villages.
``pptx``
    导出 PPT: a briefing sequence or the standard set as 16:9 slides (python-pptx), one per
    view: title, print map, key numbers, takeaway, date of the data; 微软雅黑 throughout.
``slides``
    What one slide says (screen and .pptx): title, numbers, the one-line takeaway, its print
    map; the standard set of views.
``exports``
    Table exports of the planner: CSV and XLSX bytes whose text cells a spreadsheet would
    run as formulas are stored as text.
``tables``
    Tables of the report (Word tables and Excel sheets), as plain frames.
``targets``
    The targets in the Word briefing: how many areas meet each, and who is behind.
``text``
    Briefing paragraphs (汇报材料) from the figures of SPEC §3, in the register of the seeds:
    「组建联村党组织223个，覆盖869个村，占总村数50.23%，带动联建村集体 经济平均增收6.5万元」.
``word``
    The Word briefing (.docx, python-docx): title, date, one section per theme with its
    paragraphs, maps (PNG) and a table of figures by area.

Imports ``maps``, ``analysis``, ``geo`` and ``texts``; never streamlit.
"""
