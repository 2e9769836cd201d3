"""全国总览: text of the national view of a partitioned dataset (issue 18).

>>> province_name("35"), province_name("99"), province_name("_")
('福建省', '99', '未知省份')
"""

# Provinces by the first two digits of the statistical code (GB/T 2260).
PROVINCE_NAMES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省",
    "64": "宁夏回族自治区", "65": "新疆维吾尔自治区", "71": "台湾省",
    "81": "香港特别行政区", "82": "澳门特别行政区",
}
NO_PROVINCE = "未知省份"

SIDEBAR_PROVINCE = "省（自治区、直辖市）"
ALL_PROVINCES = "全国"
TITLE = "全国"
LEVEL = "地图显示"
LEVELS = {"province": "各省", "county": "各县"}
FIGURE = "着色指标"
TABLE = {"province": "各省指标", "county": "各县指标"}
TABLE_COLUMNS = {"code": "代码", "name": "名称"}
COMPUTED = "全国汇总：分区引擎计算于 {created}（服务半径 {radius:g} 米）"
NO_TABLE = ("全国数据尚未汇总。请在服务器上运行：python -m analysis kpis {path} --workers 4 "
            "--save-table（按县分区计算全国、各省、各县指标），之后刷新本页。")
PICK_PROVINCE = ("全国数据按省加载：请在左侧选择一个省，本页即显示该省的数据；"
                 "全国总览见下方。")
MAP_CAPTION = ("按所选指标着色；数值来自分区引擎的全国汇总表（各县按整县计算，"
               "跨县的服务半径、网格已计入）。在左侧选择省份即加载该省分区。")
PROVINCE_NOTE = ("本省数据单独加载、在内存中计算：省界两侧的服务阵地、跨省网格"
                 "不计入本省页面的指标；全国汇总表中的各县指标已计入。")


def province_name(code) -> str:
    """The Chinese name of a province code; the code itself when unknown."""
    if code in (None, "", "_"):
        return NO_PROVINCE
    return PROVINCE_NAMES.get(str(code), str(code))
