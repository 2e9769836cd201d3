"""UI text of the 服务阵地 page: walking catchments and 选址建议 (issue 16)."""

PAGE_SITES = "服务阵地"
MINUTES_LABEL = "步行时间"
MINUTES = {15: "一刻钟（15 分钟）", 10: "十分钟（10 分钟）"}
NO_ROADS = ("当前数据集没有道路（roads）图层，无法计算沿道路步行的服务圈，下面只显示按直线服务半径"
            "计算的覆盖率。导入道路图层：管理员在「数据管理」页上传道路文件（GeoPackage、GeoJSON "
            "或压缩的 Shapefile，线要素，字段 road_id、name、road_class 均可选），「导入为图层」"
            "选 roads（道路）；或在服务器上运行 python -m analysis import 道路.geojson "
            "--layer roads --into 数据.gpkg。")
NO_SITES = "当前数据集没有党群服务阵地（service_sites），无法计算服务圈；仍可在下方查看选址建议。"
DISC_CARD = "直线 {radius} 米内人口覆盖率"
WALK_CARD = "沿道路步行 {minutes} 分钟人口覆盖率"
MAP_CAPTION = ("蓝色粗线为从各党群服务阵地沿道路步行 {minutes} 分钟（{metres} 米）可到达的路段，"
               "即各阵地的步行服务圈；灰线为服务圈外的道路；橙色点为未被覆盖的人口单元（单元网格"
               "或无网格的村），绿色点为已覆盖的单元。紫色点为选址建议，黄色点为已保留的建议点。")
LEGEND = {"catchment": "步行 {minutes} 分钟可达路段", "road": "服务圈外道路",
          "unit_reached": "已覆盖人口单元", "unit_missed": "未覆盖人口单元",
          "site": "党群服务阵地", "suggested": "选址建议", "kept": "已保留的建议点"}

# ---- 选址建议 ------------------------------------------------------------------
SUGGEST = "选址建议：新增阵地放在哪里覆盖人口最多"
SUGGEST_INTRO = ("在现有阵地不变的前提下，从{area}各村（社区）中心点和道路交叉口中挑选新增阵地"
                 "位置，使沿道路步行 {minutes} 分钟新覆盖的人口最多（最大覆盖选址模型，精确求解）。"
                 "范围随侧边栏的县（市、区）、乡镇（街道）选择。")
SUGGEST_K = "新增阵地数（个）"
SUGGEST_K_PLACEHOLDER = "输入 1–20"
SUGGEST_RUN = "生成选址建议"
SUGGEST_RUNNING = "正在计算选址建议…"
SUGGEST_STALE = "步行时间、范围或新增阵地数已改变，请重新生成选址建议。"
SUGGEST_BEFORE = "现状步行覆盖率"
SUGGEST_AFTER = "增设 {n} 处后"
SUGGEST_NEW = "新增覆盖人口"
SUGGEST_FEWER = "只需 {n} 处即可覆盖所有可能覆盖的人口，其余候选点不能再新增覆盖。"
SUGGEST_NONE = "在当前范围内增设阵地已不能新增步行覆盖人口。"
SUGGEST_NOTE = ("共 {candidates:,} 个候选点（村中心 {villages:,} 个、道路交叉口 "
                "{junctions:,} 个），其中 {considered:,} 个能新增覆盖且不被其他候选点完全"
                "包含，参与求解；用时 {seconds:.2f} 秒{optimal}。")
SUGGEST_OPTIMAL = "，已证明为最优解"
SUGGEST_NOT_OPTIMAL = "，达到时间上限，取当前最好解（不劣于逐个贪心选点）"
SUGGEST_KEPT_NOTE = "已保留的 {n} 个建议点按新增阵地计入现状。"
KEEP_PICK = "保留到备选清单的建议点"
KEEP_PLACEHOLDER = "选择要保留的建议点"
KEEP = "保留所选"
KEPT_TITLE = "备选清单（保留的建议点，{n} 个）"
KEPT_EMPTY = "尚未保留建议点。"
KEPT_CLEAR = "清空备选清单"
KEPT_FIGURE = "含备选清单的步行覆盖率"
DOWNLOAD_CSV = "下载{what}（CSV）"
DOWNLOAD_XLSX = "下载{what}（Excel）"
WHAT_SUGGESTED = "选址建议"
WHAT_KEPT = "备选清单"
FILE_NAME = "{what}_{area}.{ext}"
KIND = {"village": "村（社区）中心", "junction": "道路交叉口"}
SITE_LABEL = "建议点{n}：{name}（{kind}）"
KEPT_LABEL = "备选点：{name}（{kind}）"
COLUMNS = {"n": "序号", "kind": "类型", "name": "所在村（社区）", "village_code": "村代码",
           "township": "乡镇（街道）", "county": "县（市、区）", "lon": "经度（CGCS2000）",
           "lat": "纬度（CGCS2000）", "new_population": "新增覆盖人口（人）",
           "new_units": "新增覆盖人口单元（个）", "minutes": "步行时间（分钟）"}
SHEET = "选址建议"
PRINT_NO_ROADS = "未导入道路图层（roads）或没有党群服务阵地，无法绘制步行服务圈"
