"""User-interface text of the 分组规划 and 数据管理 pages (Simplified Chinese)."""
from texts import UPLOAD_HOW

PAGE_PLANNING = "分组规划"
MODES = {"edit": "编辑方案", "suggest": "自动建议", "manage": "保存与导入导出",
         "compare": "方案对比"}
MODE_LABEL = "功能"
START_TODAY = "从现状开始"
START_EMPTY = "从空白开始"
START_HELP = "重新开始会丢弃当前未保存的编辑（可先在「保存与导入导出」中保存）。"
TODAY_NAME = "现状"
EDITED_NAME = "当前编辑方案"
DEFAULT_NAME = "新联村方案"
SCENARIO_NAME = "方案名称"
SCENARIO_NAME_PLACEHOLDER = "输入方案名称"
ACTIVE_GROUP = "正在编辑的联村组织（可输入名称搜索）"
ACTIVE_NONE = "（未选择：点击地图上的村新建组织）"
NEW_GROUP = "新建组织"
UNDO, REDO = "撤销", "重做"
GROUP_NAME = "组织名称"
GROUP_TYPE = "联建类型"
GROUP_LEAD = "领建村"
GROUP_NAME_PLACEHOLDER = "输入组织名称"
GROUP_TYPE_PLACEHOLDER = "选择联建类型"
GROUP_LEAD_PLACEHOLDER = "从成员村中选择"
GROUP_LOCK = "锁定（不再被编辑或自动建议改动）"
GROUP_DELETE = "删除该组织"
GROUP_MEMBERS = "成员村（可输入村名搜索，增删成员）"
GROUP_MEMBERS_PLACEHOLDER = "输入村名搜索，或点击地图上的村"
SHOW_UNCOVERED = "突出显示未覆盖的行政村"
ONLY_PROBLEMS = "只看不满足规则的组织"
MAP_CAPTION = ("点击地图上的村：加入（或移出）正在编辑的组织；"
               "未选择组织时，点击未编入的村会新建组织，"
               "点击已编入的村会选中其所在组织。")
RULES = "规则"
MIN_SIZE, MAX_SIZE = "每组最少村数", "每组最多村数"
SIZE_PLACEHOLDER = "1–30 之间的整数"
WITHIN_TOWNSHIP = "成员须在同一乡镇（街道）"
RULES_HELP = ("相邻：两村边界相接或相距不超过 10 米；以强带弱：至少一个成员村评估年集体经营性收入"
              "≥ {strong:g} 万元。")
CHECKS_OK = "该组织满足全部规则。"
CHECK_COLUMNS = {"org_id": "编号", "name": "名称", "size": "村数", "contiguous": "连片",
                 "has_strong": "有强村", "within_township": "同一乡镇", "weak_villages": "薄弱村数",
                 "population": "人口", "problems": "问题"}
GROUPS_TABLE = "方案中的联村组织（本区域）"
FIGURES = "方案指标（全市，与现状相比）"
FIGURE_LABELS = {"joint_orgs": "联村党组织数", "joint_villages": "联建村数",
                 "joint_coverage": "联村覆盖率", "joint_population_coverage": "联建村人口覆盖率",
                 "new_villages": "新增覆盖村数", "projected_gain": "预计新增增收（估算）"}
AREA_FIGURES = ("本区域：方案联建 {joint}/{villages} 个行政村，覆盖率 {coverage}"
                "（现状 {today} 个，{today_coverage}）")
PROJECTION = "增收预测的依据（估算，非实际统计）"
NO_PROJECTION = "数据中没有两个年份的收入，无法估算增收。"
UNKNOWN_CODES = "方案中有数据集中不存在的村代码（已忽略）：{codes}"
DUPLICATE_CODES = "方案中有重复编入的村代码（按首次出现的组织计算）：{codes}"
# ---- suggest ----
SUGGEST_SCOPE = "建议范围"
SUGGEST_SCOPES = {"township": "所选乡镇（街道）", "county": "所选县（市、区）", "city": "全市"}
SUGGEST_RUN = "生成建议"
SUGGEST_HELP = ("为范围内尚未编入任何组织的行政村提出联村分组：每组连片、村数在规则范围内、"
                "至少有一个强村，尽量多覆盖薄弱村（软弱涣散或评估年收入低于 {low:g} 万元）。"
                "已锁定组织和已编入的村不会被改动。")
SUGGEST_RESULT = ("建议 {groups} 个组织，覆盖 {villages} 个村，"
                  "其中薄弱村 {weak} 个（用时 {seconds:.2f} 秒）。")
SUGGEST_NONE = "范围内没有可以满足规则的新分组（例如没有未编入的强村）。"
SUGGEST_ACCEPT = "采纳建议，加入当前方案"
SUGGEST_ACCEPTED = "已加入 {n} 个建议组织，可继续编辑或撤销。"
SUGGEST_COLUMNS = {"org_id": "编号", "name": "名称", "size": "村数", "weak": "薄弱村数",
                   "lead": "领建村", "members": "成员村"}
# ---- manage ----
SAVE = "保存当前方案"
SAVE_OVERWRITE = "同名时覆盖"
SAVED = "已保存方案「{name}」。"
STALE_HEADING = "与他人保存的版本对比"
STALE_HELP = ("方案「{name}」在你载入后已被他人保存为版本 {revision}。下面左侧是他人保存的版本，"
              "右侧是你的编辑：可以载入他人的版本（放弃你的编辑），或确认后以你的编辑覆盖它。")
STALE_THEIRS = "他人保存的版本（版本 {revision}）"
STALE_MINE = "我的编辑"
STALE_LOAD = "载入他人保存的版本"
STALE_OVERWRITE = "仍以我的编辑覆盖"
SAVED_LIST = "已保存的方案"
LOAD = "载入"
LOADED = "已载入方案「{name}」。"
RENAME_TO = "新名称"
RENAME = "重命名"
DELETE = "删除"
DELETED = "已删除方案「{name}」。"
PICK_SAVED = "选择已保存的方案"
PICK_SAVED_PLACEHOLDER = "选择方案"
EXPORT_JSON = "导出当前方案（JSON）"
IMPORT_JSON = f"导入方案（SPEC §4 JSON 文件）：{UPLOAD_HOW}"
IMPORTED = "已导入方案「{name}」（{groups} 个组织）。"
SAVED_COLUMNS = {"name": "名称", "groups": "组织数", "villages": "村数", "created": "创建时间",
                 "updated": "更新时间"}
NO_SAVED = "还没有保存的方案。"
# ---- compare ----
COMPARE_A, COMPARE_B = "方案 A", "方案 B"
COMPARE_PLACEHOLDER = "选择要对比的方案"
COMPARE_FIGURES = "指标对比"
COMPARE_MOVED = "调整的村（{n} 个）"
DOWNLOAD_CSV, DOWNLOAD_XLSX = "下载对比表（CSV）", "下载对比表（Excel）"
# ---- owners, status and review (SPEC §7) ----
MODE_REVIEW = "方案审核"
SAVED_REVIEW_COLUMNS = {"owner": "编制人", "status": "状态", "decided": "审核",
                        "comment": "审核意见"}
NOBODY = "—"
SUBMIT = "提交审核"
SUBMITTED = "已提交审核：{name}"
REOPEN = "撤回为草稿"
REOPENED = "已撤回为草稿：{name}"
READ_ONLY = "方案“{name}”已审核通过，只读；如需修改，请载入后以新名称保存。"
QUEUE = "待审核方案"
QUEUE_EMPTY = "没有待审核的方案。"
QUEUE_PICK = "选择待审核方案"
QUEUE_PICK_HINT = "请选择方案"
QUEUE_WHO = "编制人：{owner} · 提交：{by}，{at} · 组织数 {groups} · 村数 {villages}"
AGAINST_TODAY = "与现状对比"
COMMENT = "审核意见"
COMMENT_HINT = "填写意见（退回时必填）"
APPROVE = "审核通过"
REJECT = "退回修改"
APPROVED = "已审核通过：{name}"
REJECTED = "已退回：{name}"
HISTORY = "办理记录"
HISTORY_COLUMNS = {"time": "时间", "account": "账号", "step": "环节", "comment": "意见"}
EXPORT_LAYERS = "导出为联村党组织图层（Excel）"
IMPORT_PLAN = "导入为新数据版本"
IMPORT_PLAN_HELP = ("用本方案替换当前数据的联村党组织和成员村两个图层，"
                    "校验通过后成为新的当前数据版本。")
IMPORTED_PLAN = "方案“{name}”已成为新的数据版本 {id}"
PLAN_INVALID = "方案不能导入为数据版本："
AREA_FIGURES_TITLE = "方案指标（本账号范围内）"
AREA_JOINT = "本区域联建村数"
AREA_COVERAGE = "本区域联村覆盖率"
