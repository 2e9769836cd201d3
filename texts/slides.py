"""Text of the briefing sequences (汇报序列), their playing in 汇报模式 and the
slides (导出 PPT)."""

PAGE_SEQUENCE = "汇报序列"
INTRO = ("把看板上的视图（页面、范围、着色、年份、主题）按顺序存成汇报序列，在汇报模式中"
         "全屏播放（← → 键或点击翻页），或导出为 PPT。")
# what each page of a view is called on a slide
PAGE_NAMES = {"overview": "总览", "joint": "跨村联建", "grids": "网格治理", "rankings": "排名"}
CITY = "全市"
TITLE = "{area} · {page}"
TITLE_COLORED = "{area} · {page}（{coloring}）"
COLORING_TITLES = {"income_eval": "集体经营性收入", "income_gain": "收入增量"}
DATA_DATE = "数据截至 {year} 年"
DATA_LATEST = "数据为最新状态"
PAGE_NUMBER = "{n} / {total}"
SOURCE = "数据来源：{name}"
TAKEAWAY = "要点"
SAMPLE = "示例数据"
NOTES_HEAD = "讲稿（取自汇报材料）："

# the editor (pages/sequence.py)
PICK = "汇报序列"
PICK_PLACEHOLDER = "选择汇报序列"
NEW_NAME = "新建序列的名称"
NEW_NAME_HINT = "如：2026年11月县委汇报"
CREATE = "新建"
NONE_YET = "还没有汇报序列。规划人员可以新建一个，再把视图加进去。"
ADD_HEAD = "添加视图"
ADD_HINT = "默认取当前视图：侧边栏所选的范围、上次选的年份；页面、着色和主题在此选择。"
VIEW_PAGE = "页面"
VIEW_PAGE_HINT = "选择页面"
VIEW_COLORING = "着色 / 排名指标"
VIEW_COLORING_HINT = "选择着色"
VIEW_YEAR = "年份"
VIEW_YEAR_HINT = "选择年份"
VIEW_THEME = "主题"
VIEW_THEME_HINT = "选择主题"
VIEW_AREA = "范围：{area}（侧边栏所选）"
ADD = "加入序列"
ADDED = "已加入第 {n} 页：{title}"
VIEWS_HEAD = "序列中的视图（共 {n} 页）"
NO_VIEWS = "序列中还没有视图。"
UP = "上移"
DOWN = "下移"
REMOVE = "移除"
RENAME_TO = "新名称"
RENAME = "重命名"
DELETE = "删除序列"
PLAY = "在汇报模式中播放"
PLAY_HELP = "全屏播放：← → 键、PageUp/PageDown 或点击翻页"
EXPORT_HEAD = "导出 PPT"
EXPORT_WHAT = "内容"
EXPORT_CHOICES = {"sequence": "当前汇报序列",
                  "standard": "标准汇报（全市、各县、排名、网格、联村）"}
EXPORT_BUILD = "生成 PPT"
EXPORT_BUILDING = "正在绘制地图、生成幻灯片…"
EXPORT_DOWNLOAD = "下载 PPT（{n} 页）"
EXPORT_FAILED = "无法生成 PPT：{error}"
EXPORT_EMPTY = "当前汇报序列没有视图。"
FILE_NAME = "{name}.pptx"
STANDARD_NAME = "{area}标准汇报"
LATEST = "最新"
NO_COLORING = "（默认）"

# playing in 汇报模式
PREV = "上一页"
NEXT = "下一页"
STOP = "结束播放"
COUNTER = "第 {n} / {total} 页 · {name}"
EVERY = "自动翻页"
EVERY_OPTIONS = {0: "不自动翻页", 10: "每 10 秒", 20: "每 20 秒", 30: "每 30 秒", 60: "每 60 秒"}
EVERY_HINT = "选择翻页间隔"
START = "播放汇报序列"
START_PICK = "选择要播放的汇报序列"
GONE = "汇报序列“{name}”已不存在或没有视图"
NO_AREA = "当前数据中没有这一页的范围（代码 {code}），请在汇报序列页面移除这一页"
RANK_MAP_TITLE = "{area}{label}目标对照图"
RANK_MAP_SUBTITLE = "各{level}边界按目标达成情况着色（绿：达标，黄：接近目标，红：未达标）"
RANK_MARKS_TITLE = "{label}"

# rankings slides: the count of areas per mark
MARK_COUNT = {"green": "达到目标", "yellow": "接近目标", "red": "未达目标"}
COUNT = "{n} 个"
