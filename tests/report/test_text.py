"""Briefing sentences on hand-built figures: exact text, every number traced
to a figure, ``None`` written 暂无数据 (never 0)."""
import re

import pytest

from analysis.kpis import KPI_KEYS, KPI_LABELS, compute_kpis
from analysis.params import Params
from report.text import (THEMES, format_number, grid_text, income_text, issues_text, joint_text,
                         overview_text, report_passages, service_text, stars_text, walk_text)
from texts.numbers import NO_DATA as MISSING

# The seeds' figures (三明市 / 永安市), completed by hand.
FIGURES = {
    "villages_total": 1730, "communities_total": 204, "joint_orgs": 223, "joint_villages": 869,
    "joint_coverage": 869 / 1730, "joint_population_coverage": 0.5079,
    "avg_members_per_org": 869 / 223, "avg_income_gain_joint": 6.5,
    "avg_income_gain_other": 3.4867, "income_gain_did": 3.0133, "income_growth_all": 0.3081,
    "low_income_villages": 0, "target_income_villages": 255, "income_missing": 0,
    "grid_l3": 195, "grid_l4": 1775, "grid_l3_branch_coverage": 1.0,
    "grid_l4_standard_share": 0.9735, "grid_manager_coverage": 0.9454,
    "grid_area_coverage": 1.0, "grid_overlap_share": 0.0, "grid_orphans": 0,
    "star4plus_share": 0.403, "star5_share": 0.057, "weak_orgs": 53, "weak_rectified": 47,
    "villages_with_site_share": 0.9721, "service_population_coverage": 0.5155,
    "walk_service_population_coverage": 0.4002, "base_year": 2019, "eval_year": 2021,
}
PARAM_UNITS = {"low_income_threshold": "万元", "target_income": "万元",
               "grid_min_households": "", "grid_max_households": "", "service_radius_m": "米",
               "walk_minutes": "分钟"}


def expected(figures: dict, key: str, params: Params = Params()) -> set:
    """The texts a number may be written as: the figure formatted (its absolute
    value for a fall written 下降/减收), or a parameter, or a year."""
    if key in ("base_year", "eval_year"):
        return {format_number(figures[key], "年")}
    if key in PARAM_UNITS:
        return {format_number(getattr(params, key), PARAM_UNITS[key])}
    value, unit = figures[key], KPI_LABELS[key][1]
    return {format_number(value, unit), format_number(abs(value), unit)}


def assert_traced(passage, figures, params=Params()):
    """Every number written is a figure formatted the same way; no other digit."""
    for key, text in passage.numbers.items():
        assert text in expected(figures, key, params), key
        assert text in passage.text, key
    rest = passage.text
    for text in sorted(passage.numbers.values(), key=len, reverse=True):
        rest = rest.replace(text, "")
    assert not re.search(r"\d", rest), rest


def test_format_number_writes_report_style():
    assert format_number(0.5023121, "%") == "50.23%"
    assert format_number(6.5, "万元") == "6.5万元"
    assert format_number(3.4867, "万元") == "3.49万元"
    assert format_number(223, "个") == "223个"
    assert format_number(1775, "个") == "1775个"
    assert format_number(869 / 223, "个/组织") == "3.9个"
    assert format_number(2.4e-6, "%") == "不足0.01%"
    assert format_number(0.0, "%") == "0.00%"
    assert format_number(None, "万元") == MISSING


def test_joint_sentence_in_the_seed_register():
    p = joint_text(FIGURES, area="全市")
    assert p.text == (
        "全市坚持以组织联合为基础，打破村与村之间的行政壁垒，通过强村带弱村、大村带小村、"
        "富村带穷村推进“跨村联建”，组建联村党组织223个，覆盖869个村，占总村数50.23%；"
        "联建村人口占行政村总人口的50.79%，平均每个联村党组织联结3.9个村。")
    assert p.numbers == {"joint_orgs": "223个", "joint_villages": "869个",
                         "joint_coverage": "50.23%", "joint_population_coverage": "50.79%",
                         "avg_members_per_org": "3.9个"}


def test_income_sentence_with_low_income_cleared():
    p = income_text(FIGURES, area="永安市")
    assert p.text == (
        "2019年至2021年，永安市村集体经营性收入增长30.81%；联建村集体经济平均增收6.5万元，"
        "未联建村集体经济平均增收3.49万元，联建村比未联建村多增收3.01万元。2021年，"
        "集体经营性收入50万元以上的村255个，10万元以下低收入村实现“清零”。")
    assert_traced(p, FIGURES)


def test_falls_are_written_as_falls_with_positive_numbers():
    figures = {**FIGURES, "income_growth_all": -0.05, "avg_income_gain_joint": -1.2,
               "avg_income_gain_other": 0.3, "income_gain_did": -1.5, "low_income_villages": 7,
               "income_missing": 2}
    p = income_text(figures)
    assert "村集体经营性收入下降5.00%" in p.text
    assert "联建村集体经济平均减收1.2万元" in p.text
    assert "联建村比未联建村少增收1.5万元" in p.text
    assert "10万元以下低收入村还有7个" in p.text
    assert "另有2个村缺少2021年收入数据" in p.text
    assert "-" not in p.text
    assert_traced(p, figures)


def test_grid_stars_service_and_overview_sentences():
    assert grid_text(FIGURES).text == (
        "按照“乡镇（街道）、村（社区）、片区、单元网格”四级网格架构，以常住人口80至120户为一个"
        "单元划分网格，全市共设立三级网格（片区）195个、四级单元网格1775个。片区网格党支部覆盖率"
        "100.00%，单元网格户数达标率97.35%，网格管家配备率94.54%。网格面积覆盖率100.00%，"
        "无交叉重叠，未发现无上级网格。")
    assert stars_text(FIGURES).text == (
        "全市开展村（社区）党组织“评星定级”，四星级以上党组织占已评定总数的40.30%，其中五星级占"
        "5.70%。坚持“抓两头、带中间”，把53个软弱涣散基层党组织纳入整顿，目前完成整顿转化47个。")
    assert service_text(FIGURES, Params(service_radius_m=500)).text == (
        "全市建有党群服务阵地（党群服务中心、近邻之家、驿站）的村（社区）占97.21%。"
        "按服务半径500米的直线距离计，阵地服务范围覆盖人口占总人口的51.55%；"
        "沿道路步行15分钟仅覆盖40.02%：村庄隔岭隔沟、道路绕行，直线距离近不等于走得到。")
    assert overview_text(FIGURES).text == "截至2021年，全市共有行政村1730个、社区204个。"


def test_issues_name_each_shortfall_in_order():
    p = issues_text(FIGURES)
    assert p.text == (
        "对照工作目标，还存在以下短板：一是单元网格户数达标率为97.35%，部分网格规模需按标准调整；"
        "二是网格管家配备率为94.54%，尚未实现全覆盖；三是软弱涣散基层党组织尚未全部完成整顿转化；"
        "四是阵地服务范围覆盖人口仅占51.55%，党群服务阵地布局有待优化。下一步，将坚持问题导向，"
        "逐项制定整改措施，推动跨村联建和网格治理提质增效。")
    assert_traced(p, FIGURES)
    met = {**FIGURES, "grid_l4_standard_share": 1.0, "grid_manager_coverage": 1.0,
           "weak_rectified": 53, "service_population_coverage": 0.95}
    assert "总体达到工作标准" in issues_text(met).text


@pytest.mark.parametrize("theme", list(THEMES))
def test_every_figure_none_is_written_missing_never_zero(theme):
    figures = {key: None for key in KPI_KEYS} | {"base_year": None, "eval_year": None,
                                                 "villages_total": 3, "communities_total": 0}
    p = THEMES[theme](figures)
    if theme != "overview":
        assert MISSING in p.text
        assert not re.search(r"(?<![\d.])0(个|%|万元)", p.text), p.text
    assert_traced(p, figures)


@pytest.mark.parametrize("key", ["joint_villages", "joint_coverage", "star5_share",
                                 "weak_rectified", "grid_l4", "grid_manager_coverage",
                                 "avg_income_gain_other", "service_population_coverage",
                                 "target_income_villages", "grid_orphans"])
def test_a_single_missing_figure_is_named_missing(key):
    figures = {**FIGURES, key: None}
    text = "".join(p.text for p in report_passages(figures).values())
    assert MISSING in text
    for passage in report_passages(figures).values():
        assert key not in passage.numbers
        assert_traced(passage, figures)


def test_every_number_equals_compute_kpis_on_the_toy_dataset(toy):
    figures = compute_kpis(toy, Params())
    passages = report_passages(figures, Params(), "甲市")
    for passage in passages.values():
        assert_traced(passage, figures)
    written = {k for p in passages.values() for k in p.numbers}
    assert {"joint_orgs", "joint_coverage", "avg_income_gain_joint", "grid_l4",
            "star4plus_share", "service_population_coverage"} <= written


def test_the_walking_figure_is_compared_with_the_disc_in_one_sentence():
    """Lower on foot: the reason is said; not lower: roads serve as well as the disc;
    no roads: the walking figure is missing and how to get it is said."""
    ten = walk_text(FIGURES, Params(walk_minutes=10))
    assert ten.text == ("按服务半径1000米的直线距离计，阵地服务范围覆盖人口占总人口的51.55%；"
                        "沿道路步行10分钟仅覆盖40.02%：村庄隔岭隔沟、道路绕行，直线距离近不等于"
                        "走得到。")
    assert ten.numbers == {"service_radius_m": "1000米", "walk_minutes": "10分钟",
                           "service_population_coverage": "51.55%",
                           "walk_service_population_coverage": "40.02%"}
    assert_traced(ten, FIGURES, Params(walk_minutes=10))
    flat = walk_text({**FIGURES, "walk_service_population_coverage": 0.6}).text
    assert flat.endswith("沿道路步行15分钟覆盖60.00%：道路通达，步行可达的范围不小于直线服务半径。")
    none = walk_text({**FIGURES, "walk_service_population_coverage": None})
    assert none.text.endswith("沿道路步行15分钟的覆盖人口暂无数据（需导入道路图层）。")
    assert "walk_service_population_coverage" not in none.numbers

