"""User-interface text (Simplified Chinese), kept in one place."""

APP_TITLE = "联建网格看板"
APP_SUBTITLE = "跨村联建 · 网格治理"
SAMPLE_BADGE = "示例数据（合成，非真实统计）"
PAGE_OVERVIEW = "总览"
ALL_COUNTIES = "全市"
ALL_TOWNSHIPS = "全部乡镇"
SIDEBAR_AREA = "区域"
SIDEBAR_COUNTY = "县（市、区）"
SIDEBAR_TOWNSHIP = "乡镇（街道）"
COLOR_BY = "地图着色"
COLOR_OPTIONS = {"joint": "是否联建", "income_eval": "集体经营性收入（评估年）",
                 "income_gain": "收入增量（基期→评估年）"}
LEGEND_JOINT = {True: "联建村", False: "未联建"}
MAP_CAPTION = "村（社区）按所选指标着色；黑线为县、乡镇界；黄点为领建村。"
DATA_ERROR = "数据集无法使用，请修正以下问题后重试："
SOURCE = "数据来源：{path}"
YEARS = "收入基期 {base} 年，评估年 {eval} 年"
NO_VALUE = "—"


def format_value(value, unit: str = "") -> str:
    """A figure as shown on a card: fractions as percentages, 万元 with two
    decimals, counts with thousands separators; ``None`` as a dash.

    >>> format_value(0.50231, "%"), format_value(6.5, "万元"), format_value(1775, "个")
    ('50.23%', '6.50 万元', '1,775 个')
    >>> format_value(None, "%")
    '—'
    """
    if value is None or value != value:  # None or NaN
        return NO_VALUE
    if unit == "%":
        return f"{value * 100:.2f}%"
    if unit == "万元":
        return f"{value:,.2f} 万元"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}" + (f" {unit}" if unit else "")
    return f"{int(value):,}" + (f" {unit}" if unit else "")
