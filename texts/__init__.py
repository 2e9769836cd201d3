"""User-interface text (Simplified Chinese), kept in one place."""

from texts.numbers import NO_VALUE, card as format_value, card_delta as format_delta  # noqa: F401

APP_TITLE = "联建网格看板"
APP_SUBTITLE = "跨村联建 · 网格治理"
SAMPLE_BADGE = "示例数据（合成，非真实统计）"
PAGE_OVERVIEW = "总览"
PAGE_PLANNING = "分组规划"
PAGE_DATA = "数据管理"
ALL_COUNTIES = "全市"
ALL_TOWNSHIPS = "全部乡镇"
SIDEBAR_AREA = "区域"
SIDEBAR_COUNTY = "县（市、区）"
SIDEBAR_TOWNSHIP = "乡镇（街道）"
SIDEBAR_VILLAGE = "村（社区）"
ALL_VILLAGES = "全部村（社区）"
COLOR_BY = "地图着色"
COLOR_OPTIONS = {"joint": "是否联建", "income_eval": "集体经营性收入（评估年）",
                 "income_gain": "收入增量（基期→评估年）"}
LEGEND_JOINT = {True: "联建村", False: "未联建"}
MAP_CAPTION = ("村（社区）按所选指标着色；黑线为县、乡镇界；黄点为领建村。"
               "点击地图上的县（市、区）、乡镇或村，即进入下一级。")
DATA_ERROR = "数据集无法使用，请修正以下问题后重试："
CONFIG_ERROR = "配置文件有误，看板无法启动："
SOURCE = "数据来源：{path}"
YEARS = "收入基期 {base} 年，评估年 {eval} 年"


# ---- overview --------------------------------------------------------------
SHOW_GRIDS = "显示单元网格"
SHOW_SITES = "显示党群服务阵地"
PREVIOUS_YEAR = "变化为与 {year} 年底相比"
VILLAGE_DETAIL = "所选村（社区）：{name}"
VILLAGE_FIELDS = {"kind": "类型", "households": "户数", "population": "人口",
                  "org_id": "所属联村党组织", "income_base": "基期收入（万元）",
                  "income_eval": "评估年收入（万元）"}
TREND_TITLE = "村均集体经营性收入（万元）"
TREND_SERIES = {"joint": "联建村", "other": "未联建村"}
BRIEFING = "汇报模式"
# Figures whose rise is bad news (shown red when they go up).
LOWER_IS_BETTER = frozenset({"low_income_villages", "income_missing", "grid_orphans",
                             "grid_overlap_share", "weak_orgs"})
NEUTRAL_DELTAS = frozenset({"villages_total", "communities_total"})


# ---- years (SPEC §3 "As of a year": ui/years.py) and the 排名 page ------------
YEAR_SLIDER = "年份（年底状态）"
YEAR_OPTION = "{} 年"
DATA_AS_OF = "数据截至 {year} 年"
DATA_AS_OF_NOTE = ("联村党组织按成立年份、成员村按加入年份计入，收入为当年或此前最近一年；"
                   "网格、党群服务阵地无年份，按现状显示")
NO_INCOME_YET = "此时尚无收入数据"
LATER_CHARTS = "图表随后显示…"  # while a page's charts wait for its map (ui/later.py)
LATER_TABLES = "清单随后显示…"
PLAY = "播放"
STOP = "停止"
PLAY_HELP = "从最早年份起逐年播放（每 {seconds} 秒一年），到最新年份停止"
JOINT_TREND_TITLE = "联村党组织数与联村覆盖率（年底）"
JOINT_TREND_SERIES = {"joint_orgs": "组织数（个）", "joint_coverage": "覆盖率（%）"}
PAGE_RANKINGS = "排名"
RANK_FIGURE = "排名指标"
RANK_LEVELS = {"county": "各县（市、区）", "township": "{county}各乡镇（街道）"}
RANK_COLUMNS = {"rank": "排名", "name": "区域", "value": "数值", "change": "较上年",
                "target": "目标", "mark": "达标情况"}
RANK_BOARD = "目标达成一览（{level}）"
RANK_MARGIN = ("目标在 dashboard.toml [targets] 中设置；绿色为达标，黄色为未达标但差距在目标的 "
               "{margin} 以内，红色为差距更大（目标为 0 的指标没有黄色）。")
RANK_NO_PREVIOUS = "没有上一年可比"
RANK_NO_TARGET = "{label}未设目标，只排名。"
MARK_LABELS = {"green": "达标", "yellow": "接近目标", "red": "未达标"}
MAP_MARKS = "目标标记（区域边框颜色）"
MAP_MARKS_NONE = "不显示"
TARGET_RELATIONS = {"at_least": ("≥", "低于"), "at_most": ("≤", "高于")}
BEHIND = "尚有{n}个{level}{label}{relation}{target}：{names}。"
ALL_MET = "各{level}{label}均达到目标（{sign}{target}）。"
NO_TARGET_DATA = "各{level}{label}暂无数据。"
ALL_TARGETS_MET = "{labels}各{level}均达到目标。"
REPORT_TARGETS = "目标对照与比学赶超"
REPORT_TARGETS_INTRO = "对照工作目标（见表），各{level}主要指标达成情况如下："
REPORT_TARGETS_CAPTION = "表{n}　各{level}主要指标目标达成情况"
REPORT_TARGETS_HEADER = ("指标", "目标", "达标", "接近目标", "未达标", "未达标的地区")


# ---- 跨村联建 page (pages/joint.py, geo/joint_maps.py) ----------------------------
PAGE_JOINT = "跨村联建"
JOINT_COLOR_BY = "地图着色"
JOINT_COLOR_OPTIONS = {"org": "按联村党组织", "type": "按联建类型"}
JOINT_LEGEND_BY_ORG = "各联村党组织（相邻组织不同色）"
JOINT_NOT_JOINT = "未联建"
JOINT_LEAD = "领建村"
JOINT_TOOLTIP = ("村（社区）", "联村党组织", "类型")
JOINT_LEAD_TOOLTIP = ("领建村", "联村党组织", "类型")
JOINT_MAP_CAPTION = ("点击地图上的村，查看其所在联村党组织；粗黑线为联村党组织范围，"
                     "黄点为领建村，红线为所选组织。")
JOINT_PICK_ORG = "联村党组织（可输入名称搜索）"
JOINT_PICK_PLACEHOLDER = "请选择或在地图上点击村"
JOINT_NOT_MEMBER = "{name}：该村未参加联村党组织"
JOINT_NO_ORGS = "当前数据集没有联村党组织（joint_orgs）图层或该区域没有联村党组织。"
JOINT_MEMBERS = "成员村"
JOINT_TYPE_FIGURES = "同类型（{label}）组织在本区域的情况"
JOINT_INCOME_CHART = "成员村村均集体经营性收入与未联建村对比（万元）"
JOINT_JOINED_MARK = "联建（{year} 年）"
JOINT_SERIES = {"members_mean": "本组织成员村村均", "others_mean": "未联建村村均"}
JOINT_YEAR = "年份"
JOINT_INCOME_AXIS = "村均收入（万元）"
JOINT_ORG_TABLE = "联村党组织一览"
JOINT_BREAKDOWNS = {"type": "按联建类型", "county": "按县（市、区）", "township": "按乡镇（街道）"}
JOINT_CARDS = {"type_label": "类型", "lead_village": "领建村", "founded_year": "成立年份",
               "members": "成员村数", "projects": "联村项目数", "income_gain": "成员村村均增收"}
JOINT_COLUMNS = {
    "org_id": "组织编号", "name": "名称", "type_label": "类型", "lead_village": "领建村",
    "county": "县（市、区）", "township": "乡镇（街道）", "founded_year": "成立年份",
    "projects": "联村项目数", "members": "成员村数", "population": "人口",
    "income_base": "成员村均收入·基期（万元）", "income_eval": "成员村均收入·评估年（万元）",
    "income_gain": "成员村均增收（万元）", "village_code": "村代码", "is_lead": "领建村",
    "joined_year": "加入年份", "orgs": "组织数", "villages_total": "村数",
    "coverage": "联建覆盖率（%）", "code": "代码",
}
JOINT_MEMBER_COLUMNS = {"name": "村名", "is_lead": "是否领建村", "income_base": "基期收入（万元）",
                        "income_eval": "评估年收入（万元）", "income_gain": "增收（万元）"}
JOINT_AREA_COLUMNS = {"name": "区域"}
JOINT_KPIS = ("joint_orgs", "joint_villages", "joint_coverage", "avg_income_gain_joint",
              "income_gain_did")

_MARKDOWN_SPECIALS = "\\`*_{}[]()#+-.!|~$"  # < > & are HTML-escaped instead


def plain(text) -> str:
    r"""User text made literal inside Streamlit markdown (titles, notices):
    HTML-escaped, and markdown punctuation backslash-escaped.

    >>> print(plain('<img src=x onerror="a()">*粗*'))
    &lt;img src=x onerror=&quot;a\(\)&quot;&gt;\*粗\*
    """
    from html import escape

    marked = "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in str(text))
    return escape(marked)


# ---- 网格治理 page (pages/grids.py, geo/grid_maps.py) -----------------------------
PAGE_GRIDS = "网格治理"
GRID_NO_DATA = "当前数据集没有网格（grids）图层，无法进行网格治理分析。"
GRID_DRILL = {"village": "村（社区）", "l3": "片区（三级网格）", "l4": "单元网格（四级网格）"}
GRID_ALL = "全部"
GRID_LEVEL_HEADS = {3: "三级网格（片区）", 4: "四级网格（单元网格）"}
GRID_FIGURE_LABELS = {"grid_l4_mean_households": ("单元网格平均户数", "户")}
GRID_STATUS = {"compliant": "达标", "households": "户数不在 80–120 户",
               "manager": "未配备网格管家", "branch": "片区未建网格党支部"}
GRID_DEFECTS = {"gap": "覆盖缺口", "overlap": "交叉重叠", "orphan": "无上级网格"}
GRID_LEGEND_TITLE = "单元网格："
GRID_MERGED = "{status}：单元网格 {n} 个"
GRID_MAP_CAPTION = ("单元网格按是否达标着色（多项不达标时按户数、网格管家、党支部的顺序取第一项）；"
                    "黑线为村（社区）界（全市图为乡镇界），灰线为片区界；"
                    "圆圈标出覆盖缺口、交叉重叠和无上级网格的位置。点击网格可逐级查看；"
                    "网格多于 1,000 个时（全市、全县），每村同一状况的单元网格合为一块，"
                    "选到乡镇或村后逐格显示。")
GRID_INTEGRITY = "网格完整性：全覆盖、无交叉、无上级缺失"
GRID_INTEGRITY_CARDS = {"gap_area_m2": ("覆盖缺口面积", "m²"),
                        "overlap_area_m2": ("交叉重叠面积", "m²"),
                        "orphans": ("无上级网格数", "个")}
GRID_INTEGRITY_TABS = {"gaps": "覆盖缺口", "overlaps": "交叉重叠", "orphans": "无上级网格"}
GRID_NONCOMPLIANT = "未达标单元网格（{n:,} 个）"
GRID_DOWNLOAD = "下载未达标网格清单（CSV）"
GRID_CSV_NAME = "未达标单元网格_{code}.csv"
GRID_COLUMNS = {"grid_code": "网格编码", "name": "名称", "village": "所属村（社区）",
                "l3": "所属片区", "households": "户数", "manager": "网格管家", "reasons": "问题",
                "village_code": "村代码", "township_code": "乡镇代码", "county_code": "县代码",
                "area_m2": "面积（m²）", "grid_a": "网格甲", "grid_b": "网格乙",
                "level": "层级", "parent_code": "上级编码", "reason": "问题"}


def format_area(m2) -> str:
    """An area in m² as shown: m² below 1 km², else km² with two decimals.

    >>> format_area(3166.03), format_area(197_261_671.6), format_area(None)
    ('3,166 m²', '197.26 km²', '—')
    """
    if m2 is None or m2 != m2:
        return NO_VALUE
    return f"{m2 / 1e6:,.2f} km²" if m2 >= 1e6 else f"{m2:,.0f} m²"


# ---- briefing (汇报模式) -----------------------------------------------------
BRIEFING_THEME = "主题"
BRIEFING_THEMES = {"dark": "深色（大屏）", "light": "浅色（截图）"}
BRIEFING_EXIT = "退出汇报模式"
GO_UP = "返回上一级"
BRIEFING_COVERAGE_CHART = "各县（市、区）联村覆盖率（%）"
BRIEFING_TOWNSHIP_CHART = "各乡镇（街道）联村覆盖率（%）"


# ---- 报告导出 (pages/report.py, geo/report*.py, geo/static_maps.py) ------------------
PAGE_REPORT = "报告导出"
REPORT_CITY = "全市"
REPORT_TITLE = "{area}跨村联建与网格治理工作情况报告"
REPORT_SAMPLE_NOTE = "说明：本报告基于示例数据（合成，非真实统计）生成，仅供演示。"
REPORT_DATE = "{d.year}年{d.month}月{d.day}日"
REPORT_SOURCE = "数据来源：{name}"
REPORT_CRS = "坐标系：{datum}，Albers 等积圆锥投影"
REPORT_YEARS = "收入基期{base}年，评估年{eval}年"
REPORT_MAPS = {"overview": "跨村联建总览图", "income": "村集体经营性收入分级图",
               "joint": "联村党组织分布图", "grid": "单元网格达标情况图",
               "service": "党群服务阵地服务范围图", "walk": "党群服务阵地步行服务圈图"}
REPORT_MAP_TITLE = "{area}{name}"
REPORT_MAP_SUBTITLE = {"income": "{eval}年，万元", "service": "服务半径{radius}米",
                       "overview": "按是否参加联村党组织着色", "joint": "按联建类型着色",
                       "grid": "按户数、网格管家、片区党支部三项标准",
                       "walk": "沿道路步行{minutes}分钟可到达的路段与人口单元"}
REPORT_LEGEND = {"county": "县（市、区）界", "township": "乡镇（街道）界",
                 "village": "村（社区）", "org": "联村党组织边界", "lead": "领建村",
                 "site": "党群服务阵地", "disc": "服务半径覆盖范围", "no_grid": "无单元网格"}
REPORT_THEMES = {"overview": "基本情况", "joint": "跨村联建", "income": "村级集体经济",
                 "grid": "网格治理", "stars": "党组织星级评定与软弱涣散整顿",
                 "service": "党群服务阵地", "issues": "存在问题与下一步工作"}
REPORT_THEME_MAPS = {"joint": ("overview", "joint"), "income": ("income",), "grid": ("grid",),
                     "service": ("service", "walk")}
REPORT_THEME_KPIS = {
    "overview": ("villages_total", "communities_total"),
    "joint": ("joint_orgs", "joint_villages", "joint_coverage", "joint_population_coverage"),
    "income": ("avg_income_gain_joint", "avg_income_gain_other", "income_growth_all",
               "low_income_villages", "target_income_villages"),
    "grid": ("grid_l3", "grid_l4", "grid_l3_branch_coverage", "grid_l4_standard_share",
             "grid_manager_coverage", "grid_area_coverage"),
    "stars": ("star4plus_share", "star5_share", "weak_orgs", "weak_rectified"),
    "service": ("villages_with_site_share", "service_population_coverage",
                "walk_service_population_coverage"),
}
REPORT_TABLE_CAPTION = "表{n}　各{level}{theme}主要指标"
REPORT_FIGURE_CAPTION = "图{n}　{title}"
REPORT_LEVELS = {"county": "县（市、区）", "township": "乡镇（街道）"}
REPORT_AREA_COLUMNS = {"code": "代码", "name": "名称"}
REPORT_SHEETS = {"county": "各县指标", "township": "各乡镇指标", "orgs": "联村党组织及成员",
                 "grids": "不达标网格", "low_income": "低收入村"}
REPORT_SHEET_COLUMNS = {
    "org_id": "组织编号", "org_name": "组织名称", "type_label": "联建类型",
    "lead_village": "领建村", "founded_year": "成立年份", "projects": "联村项目数",
    "village_code": "村代码", "village": "村名", "county": "县（市、区）",
    "township": "乡镇（街道）", "is_lead": "是否领建村", "joined_year": "加入年份",
    "income_base": "基期收入（万元）", "income_eval": "评估年收入（万元）",
    "income_gain": "增收（万元）", "population": "人口", "kind": "类型",
    "grid_code": "网格编码", "name": "名称", "l3": "所属片区", "households": "户数",
    "manager": "网格管家", "reasons": "问题",
}
REPORT_MAP_CHOICE = "地图"
REPORT_MAP_PLACEHOLDER = "请选择要生成的地图"
REPORT_COUNTY_CHOICE = "范围"
REPORT_FORMAT_CHOICE = "地图格式（PNG 始终生成，用于 Word 报告）"
REPORT_FORMAT_PLACEHOLDER = "只生成 PNG（可加选 SVG、PDF）"
REPORT_ORIENTATION = "版式"
REPORT_ORIENTATIONS = {"landscape": "A4 横向", "portrait": "A4 纵向"}
REPORT_BUILD = "生成报告"
REPORT_BUILDING = "正在生成报告（地图、Word、Excel）…"
REPORT_DONE = "已生成 {n} 个文件，可逐个下载或打包下载。"
REPORT_ZIP = "全部文件（ZIP）"
REPORT_DOWNLOAD = "下载 {name}"
REPORT_INTRO = ("生成可直接用于汇报材料的静态地图（300 dpi PNG，另可选 SVG/PDF）、"
                "Word 简报和 Excel 指标表。")
REPORT_NO_MAPS = "请至少选择一幅地图。"
REPORT_FAILED = "报告生成失败：{error}"
# File uploaders: Streamlit 1.67 draws its own English words in the drop zone and
# offers no parameter to change them, so each uploader's label says it in Chinese.
UPLOAD_HOW = "点击下方「Upload」按钮选择文件，或将文件拖放到下方框内"
UPLOAD_WORDS = ("上传框中的英文是 Streamlit 自带的文字：「Upload」即选择文件，"
                "「Drag and drop a file here」即将文件拖放到此处，"
                "「…MB per file」即单个文件的大小上限，"
                "「… files are not allowed.」即不接受该类型的文件。")


def integrity_cards(summary: dict) -> list[tuple[str, str]]:
    """``(label, shown value)`` of :meth:`analysis.grid_checks.GridIntegrity.summary`.

    >>> integrity_cards({"gap_area_m2": 3166.0, "overlap_area_m2": 0.0, "orphans": 2})
    [('覆盖缺口面积', '3,166 m²'), ('交叉重叠面积', '0 m²'), ('无上级网格数', '2 个')]
    """
    return [(label, format_area(summary[key]) if unit == "m²" else format_value(summary[key], unit))
            for key, (label, unit) in GRID_INTEGRITY_CARDS.items()]
REPORT_NOT_FOR_TOWNSHIP = ("报告按全市或县（市、区）生成；本账号的范围是乡镇（街道）{area}，"
                           "请在各页面查看本乡镇的指标和地图，或请县级账号导出报告。")
