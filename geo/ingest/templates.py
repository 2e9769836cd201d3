"""Downloadable import templates and the one-page import guide (SPEC §2).

* :func:`template_gpkg_bytes` — an empty GeoPackage with the seven layers, their
  canonical fields and types, geometry types and CRS EPSG:4490; the Chinese
  label of every field is its alternative name (``gpkg_data_columns``), which
  QGIS shows as the column alias.
* :func:`template_xlsx_bytes` — a workbook with a 说明 sheet and one sheet per
  table (``villages`` attributes, ``village_income``, ``joint_orgs``,
  ``joint_members``; each sheet is named by its layer).  Row 1 is the only
  header row and holds each field's Chinese label (「村代码」), which the
  importer's alias matching recognises; the canonical name is the cell's
  note (「字段名：village_code」) and is listed beside the label on the 说明
  sheet.  Data start on row 2.  :func:`header_field_name` reads a header
  back, as the label, the canonical name or 「村代码 village_code」.  A last
  sheet, ``village_income_wide``, offers the income in the layout most
  reports use: one row per village (by code, or by township and name), one
  column per year (SPEC §5, "Sheets as people keep them").
* :func:`import_guide_markdown` — the guide shown on the 数据管理 page.

>>> header_field_name("集体经营性收入（万元）", "village_income")
'collective_income'
>>> TEMPLATE_SHEETS, WIDE_SHEET
(('villages', 'village_income', 'joint_orgs', 'joint_members'), 'village_income_wide')
"""
from __future__ import annotations

import io
import sqlite3
import tempfile
import unicodedata
from pathlib import Path

import pyogrio
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from geo import clock, schema as s
from geo.dataset import empty_layer
from geo.settings import Settings, load_settings

TEMPLATE_CRS = "EPSG:4490"
TEMPLATE_SHEETS = (s.VILLAGES, s.VILLAGE_INCOME, s.JOINT_ORGS, s.JOINT_MEMBERS)
GUIDE_SHEET = "说明"
# The wide income sheet: read as village_income (geo.ingest.formats picks the sheet
# with data among village_income and its variants)
WIDE_SHEET = f"{s.VILLAGE_INCOME}_wide"
WIDE_YEARS = 3  # year columns offered: the last three years before this one
_WIDE_NOTE = ("每村一行、每年一列；村代码与 乡镇（街道）+村名 二选一（都填时按村代码）；"
              "年份列可增可减，表头写 2019、2019年 或 2019年收入；无数据的格子留空；"
              "金额默认万元，按元填写时表头写成 2019年（元）")
# Rows of the XLSX data sheets that carry the drop-down lists and text format.
_FORMATTED_ROWS = 5000
_GEOMETRY_TYPE = {s.POLYGONAL: "MultiPolygon", s.POINT: "Point", s.LINEAR: "MultiLineString"}
_KIND_TEXT = {s.TEXT: "文本", s.INT: "整数", s.FLOAT: "数值", s.BOOL: "是/否", s.CHOICE: "可选值"}
# What a field means, where the type and range do not say it (SPEC §2).
_MEANING = {
    s.VILLAGE_CODE: "建议使用 12 位统计用区划代码；按文本填写，勿转为数字",
    s.LEAD_VILLAGE_CODE: "领建村的村代码，应为本组织成员",
    s.STAR_RATING: "党支部评星定级，0 = 无星，空 = 未评",
    s.WEAK_ORG: "是否软弱涣散村党组织",
    s.RECTIFIED: "软弱涣散党组织是否已整顿转化",
    s.COLLECTIVE_INCOME: "村集体经营性收入，单位万元",
    s.PROJECTS: "联村项目数，可空",
    s.PARENT_CODE: "3 级网格填所属村代码，4 级网格填所属 3 级网格编码",
    s.LEVEL: "3 = 片区网格，4 = 单元网格（80–120 户或约 300 人）",
    s.PARTY_BRANCH: "是否建立网格党支部",
    s.MANAGER: "网格管家/网格员姓名，未配备时留空",
}
_LAYER_NOTE = {
    s.VILLAGES: "边界须用 GeoPackage、GeoJSON 或 Shapefile 上传；本表用于整理属性，"
                "可在 GIS 软件中按 village_code 连接到边界图层",
    s.VILLAGE_INCOME: "每村每年一行",
    s.JOINT_ORGS: "每个联村党组织一行",
    s.JOINT_MEMBERS: "每个成员村一行；一个村最多属于一个联村党组织",
}


def template_header(layer: str, name: str) -> str:
    """The XLSX header of a field: its Chinese label (an alias the importer knows).

    >>> template_header("villages", "village_code")
    '村代码'
    """
    return s.FIELDS_BY_LAYER[layer][name].label


def header_field_name(header, layer: str) -> str | None:
    """The canonical field a header stands for: the Chinese label, the canonical
    name, or both separated by spaces; ``None`` otherwise (an importer then
    tries the other Chinese aliases of :mod:`geo.schema`).

    >>> header_field_name("村代码 village_code", "joint_members")
    'village_code'
    >>> header_field_name(" 乡镇(街道) ", "villages"), header_field_name("备注", "villages")
    ('township', None)
    """
    if not isinstance(header, str) or not header.split():
        return None
    fields = s.FIELDS_BY_LAYER.get(layer, {})
    last = header.split()[-1]
    if last in fields:
        return last
    key = _label_key(header)
    return next((f.name for f in fields.values() if _label_key(f.label) == key), None)


def _label_key(text: str) -> str:
    """Compared form of a label: full-width brackets as half-width, no spaces."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def template_gpkg_bytes() -> bytes:
    """An empty GeoPackage of all seven layers of SPEC §2, in EPSG:4490.

    Villages and grids are MultiPolygon layers, service sites Point, roads
    MultiLineString; the other three are attribute tables.  Integer fields
    are Integer64, booleans Integer with the Boolean subtype, text String,
    income Real.

    >>> template_gpkg_bytes()[:16]
    b'SQLite format 3\\x00'
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.gpkg"
        for layer, spec in s.LAYERS.items():
            frame = empty_layer(layer, TEMPLATE_CRS if spec.geometry else None)
            options = {"geometry_type": _GEOMETRY_TYPE[spec.geometry]} if spec.geometry else {}
            pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", **options)
        _write_field_labels(path)
        return path.read_bytes()


def _write_field_labels(path: Path) -> None:
    """Chinese labels as the GeoPackage schema extension's column names and descriptions."""
    rows = [(layer, f.name, f.label, f.label, _field_note(f))
            for layer, spec in s.LAYERS.items() for f in spec.fields]
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute(
                "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
                "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, "
                "mime_type TEXT, constraint_name TEXT, "
                "CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
                "CONSTRAINT gdc_tn UNIQUE (table_name, name))")
            con.execute(
                "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                "definition, scope) VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', "
                "'http://www.geopackage.org/spec121/#extension_schema', 'read-write')")
            con.executemany("INSERT INTO gpkg_data_columns (table_name, column_name, name, "
                            "title, description) VALUES (?, ?, ?, ?, ?)", rows)
            con.executemany("UPDATE gpkg_contents SET description = ? WHERE table_name = ?",
                            [(spec.label, layer) for layer, spec in s.LAYERS.items()])
    finally:
        con.close()


def _allowed(f: s.Field) -> str:
    """Allowed values and units of a field, in Chinese."""
    if f.kind == s.BOOL:
        return "是 / 否（也可填 1/0、true/false）"
    if f.kind == s.CHOICE:
        return "；".join(f"{zh}（{code}）" for zh, code in f.synonyms.items())
    if f.choices:
        return " 或 ".join(str(c) for c in f.choices)
    if f.minimum is not None and f.maximum is not None:
        return f"{f.minimum:g}–{f.maximum:g}"
    if f.minimum is not None:
        return f"≥ {f.minimum:g}"
    return "万元" if f.name == s.COLLECTIVE_INCOME else ""


def _field_note(f: s.Field) -> str:
    parts = [_MEANING.get(f.name, "")]
    if f.aliases:
        parts.append("可识别的中文列名：" + "、".join(f.aliases))
    return "；".join(p for p in parts if p)


def _required_text(f: s.Field) -> str:
    if not f.required:
        return "否（可省略此列）"
    return "是（可留空）" if f.nullable else "是"


def _choice_list(f: s.Field) -> list[str] | None:
    if f.kind == s.BOOL:
        return ["是", "否"]
    if f.kind == s.CHOICE:
        return list(f.synonyms)
    return None


def template_xlsx_bytes() -> bytes:
    """The XLSX template: a 说明 sheet, one sheet per table layer, the wide income sheet.

    Text columns are formatted as text (so that 12-digit codes stay exact);
    type, vocabulary and yes/no columns carry drop-down lists in Chinese.

    >>> from openpyxl import load_workbook
    >>> book = load_workbook(io.BytesIO(template_xlsx_bytes()))
    >>> book.sheetnames
    ['说明', 'villages', 'village_income', 'joint_orgs', 'joint_members', 'village_income_wide']
    >>> book["village_income"]["A1"].value, book["village_income"]["A1"].comment.text
    ('村代码', '字段名：village_code')
    """
    book = Workbook()
    _guide_sheet(book.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2DCDB")
    for layer in TEMPLATE_SHEETS:
        sheet = book.create_sheet(layer)
        for col, f in enumerate(s.LAYERS[layer].fields, start=1):
            cell = sheet.cell(row=1, column=col, value=template_header(layer, f.name))
            cell.font, cell.fill = bold, fill
            cell.comment = Comment(f"字段名：{f.name}", "联建网格看板")
            letter = get_column_letter(col)
            sheet.column_dimensions[letter].width = max(16, len(cell.value) + 6)
            if f.kind == s.TEXT:
                sheet.column_dimensions[letter].number_format = "@"
            choices = _choice_list(f)
            if choices:
                check = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                       allow_blank=True, showErrorMessage=True,
                                       errorStyle="warning", errorTitle="请核对取值",
                                       error="建议从下拉列表中选择：" + "、".join(choices))
                check.add(f"{letter}2:{letter}{_FORMATTED_ROWS}")
                sheet.add_data_validation(check)
        sheet.freeze_panes = "A2"
    _wide_sheet(book.create_sheet(WIDE_SHEET), bold, fill)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def wide_headers() -> list[str]:
    """The headers of :data:`WIDE_SHEET`: the village, then the last three years.

    >>> wide_headers()[:3]
    ['村代码', '乡镇（街道）', '村名']
    """
    year = clock.today().year
    return ["村代码", "乡镇（街道）", "村名",
            *(f"{y}年" for y in range(year - WIDE_YEARS, year))]


def _wide_sheet(sheet, bold, fill) -> None:
    for col, header in enumerate(wide_headers(), start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font, cell.fill = bold, fill
        cell.comment = Comment(_WIDE_NOTE if col > 3 else
                               "村代码，或 乡镇（街道）+村名（二选一）", "联建网格看板")
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = 16
        if col <= 3:
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "D2"


def _guide_sheet(sheet) -> None:
    sheet.title = GUIDE_SHEET
    sheet.append(["联建网格看板 数据模板说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["每个工作表对应一个数据图层，工作表名即图层名。"
                  "第 1 行是表头（中文名，字段名见批注和下表），"
                  "请勿修改；数据从第 2 行填起。代码类字段请按文本填写。"])
    sheet.append([])
    header = ["工作表", "字段名", "中文名", "类型", "必填", "取值 / 单位", "说明"]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for layer in TEMPLATE_SHEETS:
        spec = s.LAYERS[layer]
        sheet.append([f"{layer}（{spec.label}）", "", "", "", "", "", _LAYER_NOTE[layer]])
        for f in spec.fields:
            sheet.append(["", f.name, f.label, _KIND_TEXT[f.kind], _required_text(f),
                          _allowed(f), _field_note(f)])
    sheet.append([f"{WIDE_SHEET}（{s.LAYERS[s.VILLAGE_INCOME].label}，按年分列）", "", "", "", "",
                  "万元（或表头注明元）", _WIDE_NOTE + "。导入时选择 village_income 图层，"
                  "系统自动转为每村每年一行；只填一种收入工作表即可"])
    for letter, width in zip("ABCDEFG", (26, 20, 22, 10, 16, 44, 60)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def import_guide_markdown(settings: Settings | None = None) -> str:
    """The one-page import guide (Chinese Markdown), with the configured upload limits.

    >>> "EPSG:4490" in import_guide_markdown()
    True
    """
    settings = settings or load_settings()
    rows = "\n".join(
        f"| `{layer}`（{spec.label}） | {'是' if spec.required else '否'} | "
        + ("、".join(f"`{f.name}`（{f.label}）" for f in spec.fields if f.required)
           or "无（字段均可选）") + " |"
        for layer, spec in s.LAYERS.items())
    org_types = "、".join(s.ORG_TYPES.values())
    paragraphs = [
        "### 数据导入指南",
        "**支持的文件**：GeoPackage（.gpkg）、GeoJSON（.geojson）、Shapefile（把 .shp、.shx、.dbf、"
        ".prj、.cpg 一起压缩成 .zip）、CSV 和 Excel"
        "（.xlsx，用于收入、联村党组织、联村成员等表格）。"
        "其他格式（包括 OGR VRT 等）一律拒收。可先下载模板，按模板填写。",
        f"**大小限制**：单个文件不超过 **{settings.upload_limit_mb} MB**；zip 压缩包内最多 "
        f"{settings.zip_max_files} 个文件、解压后合计不超过 {settings.zip_max_total_mb} MB，"
        "不得含有目录穿越、绝对路径或链接。",
        "**文字编码**：Shapefile 有 .cpg 文件时按其编码读取；没有时自动判断 GBK/GB18030 与 UTF-8，"
        "页面会说明采用了哪种编码，识别出乱码会拒收，可手动改选编码。CSV 建议保存为 UTF-8。",
        "**坐标系**：推荐 CGCS2000 经纬度（**EPSG:4490**），"
        "WGS84（EPSG:4326）及带定义的投影坐标系也可。"
        "缺少 .prj 时需在导入时选择坐标系（CGCS2000、WGS84 或 CGCS2000 高斯-克吕格分带）。"
        "从**高德、腾讯**地图取得的坐标（GCJ-02）或**百度**地图坐标（BD-09）带有偏移，导入时须注明来源，"
        "系统会换算为标准坐标；同一数据集中不得混用。面积、距离一律在投影坐标系中计算。",
        "**列名**：可用标准字段名，也可用常见中文列名（如 村代码、村名、集体经营性收入）；"
        "其他列名在导入时对应一次，系统会记住。",
        "**表格的常见写法**：收入表可每村每年一行，也可每村一行、每年一列（表头写 2019、2019年 "
        f"或 2019年收入，空格跳过；模板的 `{WIDE_SHEET}` 工作表即此样式）。"
        "收入表和联村成员表中的村可填村代码，也可填 乡镇+村名（忽略 村委会、村民委员会、"
        "社区居民委员会、居委会 和末尾的“村”）；对不上或不唯一的村名逐行列出并给出最接近的村，"
        "可在页面上选定，系统会记住。金额可带千位分隔符和单位：万元照用，元除以 10000"
        "（表头写“集体经营性收入（元）”或单元格写“12.5万元”）；年份可写“2019年”。"
        "读入时做了哪些换算，校验结果中逐条说明。",
        "**村界与属性分两个文件**：村界 Shapefile/GeoJSON 只需村代码或乡镇+村名，户数、人口、"
        "类型、星级等放在 Excel 属性表中，按村代码（或乡镇+村名）一一连接；"
        "两边对不上的行都会列出。",
        "**道路**（`roads`，可选）：线图层（GeoPackage、GeoJSON 或 Shapefile），用于计算步行"
        "一刻钟/十分钟服务圈；线的每个顶点是路网节点，两条线只有共用顶点（坐标取整到 0.1 米后"
        "相同）才连通，仅仅交叉不算连通。没有道路图层时，步行服务圈指标为空。",
        "**各图层必需字段**（只有 `villages` 必须提供，其余图层可缺，缺的指标显示为空）：",
        "| 图层 | 必需图层 | 必需字段 |\n|---|---|---|\n" + rows,
        "**取值**：村类型 `kind` 填 行政村/社区；联建类型 `org_type` 填 " + org_types + "；"
        "是否类字段填 是/否、1/0 或 true/false；收入单位为**万元**；户数、人口、党员数不得为负；"
        "星级 0–5；网格层级 3 或 4。",
        "**校验**：上传后先校验，逐条列出错误和警告（图层、字段、行号），可下载。有错误时不会导入；"
        "只有警告时可确认导入。确认前，正在使用的数据不会有任何变化。",
        "**版本与回退**：每次确认导入都保存为一个新的数据版本（v0001、v0002 …），并成为当前版本；"
        "以前的版本都保留，可随时切换回任一版本（回退），也可删除非当前版本。"
        f"版本保存在数据文件夹 `{settings.folder.name}/` 中，写入过程中断不会损坏当前版本。"
        "若部署时设置了环境变量 `DASHBOARD_DATA`，则始终显示该变量指定的数据。",
    ]
    return "\n\n".join(paragraphs) + "\n"
