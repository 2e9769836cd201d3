"""Briefing paragraphs (汇报材料) from the figures of SPEC §3, in the register of
the seeds: 「组建联村党组织223个，覆盖869个村，占总村数50.23%，带动联建村集体
经济平均增收6.5万元」.

One pure function per theme takes the figures of :func:`analysis.kpis.compute_kpis`
(or one item of :func:`analysis.kpis.kpis_by_area`), the parameters and the
area's name, and returns a :class:`Passage`: the text and every number it
states, keyed by figure (or parameter) name, formatted by :func:`format_number`,
so that a test can check each number against the figures.  A figure that is
``None`` is written 暂无数据, never 0.

>>> p = joint_text({"joint_orgs": 223, "joint_villages": 869, "joint_coverage": 0.50231,
...                 "joint_population_coverage": None, "avg_members_per_org": 3.9})
>>> "组建联村党组织223个，覆盖869个村，占总村数50.23%" in p.text
True
>>> "联建村人口占比暂无数据" in p.text, p.numbers["joint_coverage"]
(True, '50.23%')
"""
from __future__ import annotations

from typing import NamedTuple

from analysis.kpis import KPI_LABELS
from analysis.params import Params
from texts.numbers import NO_DATA, prose as format_number  # noqa: F401 (report register)

CITY = "全市"


class Passage(NamedTuple):
    """A paragraph and the numbers it states (``{figure key: text as written}``)."""

    text: str
    numbers: dict


def kpi_number(figures: dict, key: str, absolute: bool = False) -> str:
    """Figure ``key`` of ``figures`` formatted with its unit from :data:`KPI_LABELS`."""
    value = figures.get(key)
    if absolute and value is not None:
        value = abs(value)
    return format_number(value, KPI_LABELS[key][1])


class _Writer:
    """Collects the numbers written while a passage is assembled."""

    def __init__(self, figures: dict):
        self.figures, self.numbers = figures, {}

    def kpi(self, key: str, absolute: bool = False) -> str:
        text = kpi_number(self.figures, key, absolute)
        if text != NO_DATA:
            self.numbers[key] = text
        return text

    def value(self, key: str, value, unit: str = "") -> str:
        text = format_number(value, unit)
        self.numbers[key] = text
        return text

    def has(self, key: str) -> bool:
        return self.figures.get(key) is not None

    def clause(self, key: str, template: str, missing: str, absolute: bool = False) -> str:
        """``template`` with the figure, or ``missing`` + 暂无数据 when it is None."""
        if not self.has(key):
            return missing + NO_DATA
        return template.format(v=self.kpi(key, absolute))

    def passage(self, sentences: list[str]) -> Passage:
        return Passage("".join(x for x in sentences if x), dict(self.numbers))


def _years(w: _Writer) -> tuple[str, str] | None:
    base, last = w.figures.get("base_year"), w.figures.get("eval_year")
    if base is None or last is None:
        return None
    return w.value("base_year", base, "年"), w.value("eval_year", last, "年")


def overview_text(figures: dict, params: Params = Params(), area: str = CITY) -> Passage:
    """基本情况: villages and communities of the area.

    >>> overview_text({"villages_total": 1730, "communities_total": 204, "eval_year": 2023}).text
    '截至2023年，全市共有行政村1730个、社区204个。'
    """
    w = _Writer(figures)
    last = figures.get("eval_year")
    lead = f"截至{w.value('eval_year', last, '年')}，" if last is not None else ""
    return w.passage([f"{lead}{area}共有", w.clause("villages_total", "行政村{v}", "行政村数"),
                      "、", w.clause("communities_total", "社区{v}", "社区数"), "。"])


def joint_text(figures: dict, params: Params = Params(), area: str = CITY) -> Passage:
    """跨村联建: organisations, villages covered, coverage of villages and people."""
    w = _Writer(figures)
    if not w.has("joint_orgs"):
        return w.passage([f"{area}联村党组织情况{NO_DATA}，跨村联建成效无法统计。"])
    if figures["joint_orgs"] == 0:
        return w.passage([f"{area}尚未组建联村党组织。"])
    return w.passage([
        f"{area}坚持以组织联合为基础，打破村与村之间的行政壁垒，通过强村带弱村、大村带小村、"
        f"富村带穷村推进“跨村联建”，组建联村党组织{w.kpi('joint_orgs')}，",
        w.clause("joint_villages", "覆盖{v}村", "覆盖村数"), "，",
        w.clause("joint_coverage", "占总村数{v}", "覆盖率"), "；",
        w.clause("joint_population_coverage", "联建村人口占行政村总人口的{v}", "联建村人口占比"),
        "，", w.clause("avg_members_per_org", "平均每个联村党组织联结{v}村", "平均成员村数"), "。"])


def _gain(w: _Writer, key: str, who: str) -> str:
    value = w.figures.get(key)
    verb = "平均减收" if value is not None and value < 0 else "平均增收"
    return w.clause(key, f"{who}集体经济{verb}{{v}}", f"{who}平均增收", absolute=True)


def income_text(figures: dict, params: Params = Params(), area: str = CITY) -> Passage:
    """村级集体经济: growth, gains of joint and other villages, low-income villages."""
    w = _Writer(figures)
    years = _years(w)
    if years is None:
        return w.passage([f"{area}村集体经营性收入情况{NO_DATA}。"])
    base, last = years
    growth = figures.get("income_growth_all")
    change = w.clause("income_growth_all", ("下降{v}" if growth is not None and growth < 0
                                            else "增长{v}"), "增长率", absolute=True)
    sentences = [f"{base}至{last}，{area}村集体经营性收入{change}；",
                 _gain(w, "avg_income_gain_joint", "联建村"), "，",
                 _gain(w, "avg_income_gain_other", "未联建村")]
    did = figures.get("income_gain_did")
    if did is not None:
        more = "多增收" if did >= 0 else "少增收"
        sentences.append(f"，联建村比未联建村{more}{w.kpi('income_gain_did', absolute=True)}")
    low_line = w.value("low_income_threshold", params.low_income_threshold, "万元")
    target = w.value("target_income", params.target_income, "万元")
    low = figures.get("low_income_villages")
    low_text = (f"{low_line}以下低收入村{NO_DATA}" if low is None else
                f"{low_line}以下低收入村实现“清零”" if low == 0 else
                f"{low_line}以下低收入村还有{w.kpi('low_income_villages')}")
    sentences += ["。", f"{last}，", w.clause("target_income_villages",
                                             f"集体经营性收入{target}以上的村{{v}}",
                                             f"集体经营性收入{target}以上的村数"),
                  "，", low_text, "。"]
    missing = figures.get("income_missing")
    if missing:
        sentences.append(f"另有{w.kpi('income_missing')}村缺少{last}收入数据，未纳入统计。")
    return w.passage(sentences)


def grid_text(figures: dict, params: Params = Params(), area: str = CITY) -> Passage:
    """网格治理: the four-level grid, its standards and its integrity."""
    w = _Writer(figures)
    if not w.has("grid_l3") and not w.has("grid_l4"):
        return w.passage([f"{area}网格数据{NO_DATA}，网格治理情况无法统计。"])
    low = w.value("grid_min_households", params.grid_min_households)
    high = w.value("grid_max_households", params.grid_max_households)
    orphans = figures.get("grid_orphans")
    orphan_text = ("无上级网格数" + NO_DATA if orphans is None else "未发现无上级网格"
                   if orphans == 0 else f"无上级网格{w.kpi('grid_orphans')}，需核实归属")
    overlap = figures.get("grid_overlap_share")
    overlap_text = ("无交叉重叠" if overlap == 0 else
                    w.clause("grid_overlap_share", "交叉重叠面积占比{v}", "交叉重叠面积占比"))
    return w.passage([
        f"按照“乡镇（街道）、村（社区）、片区、单元网格”四级网格架构，以常住人口{low}至{high}户"
        f"为一个单元划分网格，{area}共设立",
        w.clause("grid_l3", "三级网格（片区）{v}", "三级网格（片区）数"), "、",
        w.clause("grid_l4", "四级单元网格{v}", "四级单元网格数"), "。",
        w.clause("grid_l3_branch_coverage", "片区网格党支部覆盖率{v}", "片区网格党支部覆盖率"),
        "，", w.clause("grid_l4_standard_share", "单元网格户数达标率{v}", "单元网格户数达标率"),
        "，", w.clause("grid_manager_coverage", "网格管家配备率{v}", "网格管家配备率"), "。",
        w.clause("grid_area_coverage", "网格面积覆盖率{v}", "网格面积覆盖率"), "，",
        overlap_text, "，", orphan_text, "。"])


def stars_text(figures: dict, params: Params = Params(), area: str = CITY) -> Passage:
    """党组织星级评定与软弱涣散整顿."""
    w = _Writer(figures)
    if not w.has("star4plus_share"):
        rating = f"{area}村（社区）党组织评星定级情况{NO_DATA}。"
    else:
        rating = (f"{area}开展村（社区）党组织“评星定级”，四星级以上党组织占已评定总数的"
                  f"{w.kpi('star4plus_share')}，"
                  + w.clause("star5_share", "其中五星级占{v}", "五星级占比") + "。")
    weak = figures.get("weak_orgs")
    if weak is None:
        rectify = f"软弱涣散基层党组织情况{NO_DATA}。"
    elif weak == 0:
        rectify = "经排查，未发现软弱涣散基层党组织。"
    else:
        rectify = (f"坚持“抓两头、带中间”，把{w.kpi('weak_orgs')}软弱涣散基层党组织纳入整顿，"
                   + w.clause("weak_rectified", "目前完成整顿转化{v}", "整顿转化数") + "。")
    return w.passage([rating, rectify])


def service_text(figures: dict, params: Params = Params(), area: str = CITY) -> Passage:
    """党群服务阵地: villages with a site, people within the service radius, and on foot."""
    w = _Writer(figures)
    return w.passage([
        f"{area}",
        w.clause("villages_with_site_share",
                 "建有党群服务阵地（党群服务中心、近邻之家、驿站）的村（社区）占{v}",
                 "建有党群服务阵地的村（社区）占比"), "。", _walk_sentence(w, params)])


def _walk_sentence(w: _Writer, params: Params) -> str:
    radius = w.value("service_radius_m", params.service_radius_m, "米")
    minutes = w.value("walk_minutes", params.walk_minutes, "分钟")
    disc = w.figures.get("service_population_coverage")
    walk = w.figures.get("walk_service_population_coverage")
    if walk is None:
        rest = f"沿道路步行{minutes}的覆盖人口{NO_DATA}（需导入道路图层）"
    elif disc is None:
        rest = f"沿道路步行{minutes}覆盖{w.kpi('walk_service_population_coverage')}"
    elif walk < disc:
        rest = (f"沿道路步行{minutes}仅覆盖{w.kpi('walk_service_population_coverage')}："
                "村庄隔岭隔沟、道路绕行，直线距离近不等于走得到")
    else:
        rest = (f"沿道路步行{minutes}覆盖{w.kpi('walk_service_population_coverage')}："
                "道路通达，步行可达的范围不小于直线服务半径")
    return "".join([f"按服务半径{radius}的直线距离计，",
                    w.clause("service_population_coverage", "阵地服务范围覆盖人口占总人口的{v}",
                             "服务范围覆盖人口占比"), "；", rest, "。"])


def walk_text(figures: dict, params: Params = Params(), area: str = CITY) -> Passage:
    """The disc figure and the walking figure in one sentence, the difference explained.

    >>> text = walk_text({"service_population_coverage": 0.5155,
    ...                   "walk_service_population_coverage": 0.4002}).text
    >>> text[:39]
    '按服务半径1000米的直线距离计，阵地服务范围覆盖人口占总人口的51.55%；'
    >>> text[39:]
    '沿道路步行15分钟仅覆盖40.02%：村庄隔岭隔沟、道路绕行，直线距离近不等于走得到。'
    """
    w = _Writer(figures)
    return w.passage([_walk_sentence(w, params)])


ORDINALS = "一二三四五六七八九十"
_ISSUE_KEYS = ("low_income_villages", "grid_l4_standard_share", "grid_manager_coverage",
               "grid_l3_branch_coverage", "grid_area_coverage", "weak_orgs",
               "service_population_coverage")


def issues_text(figures: dict, params: Params = Params(), area: str = CITY) -> Passage:
    """存在问题与下一步工作: the figures that fall short of their standard.

    >>> text = issues_text({"low_income_villages": 3, "grid_manager_coverage": 0.9}).text
    >>> "一是仍有3个村集体经营性收入低于10万元" in text, "二是网格管家配备率为90.00%" in text
    (True, True)
    """
    w = _Writer(figures)
    if all(figures.get(k) is None for k in _ISSUE_KEYS):
        return w.passage([f"{area}主要指标{NO_DATA}，暂不能研判存在的问题。"])
    items = []
    if figures.get("low_income_villages"):
        items.append(f"仍有{w.kpi('low_income_villages')}村集体经营性收入低于"
                     f"{w.value('low_income_threshold', params.low_income_threshold, '万元')}，"
                     "需加大联建帮扶力度")
    below = {key: (figures.get(key) is not None and figures[key] < 1)
             for key in ("grid_l4_standard_share", "grid_manager_coverage",
                         "grid_l3_branch_coverage", "grid_area_coverage")}
    if below["grid_l4_standard_share"]:
        items.append(f"单元网格户数达标率为{w.kpi('grid_l4_standard_share')}，"
                     "部分网格规模需按标准调整")
    if below["grid_manager_coverage"] or below["grid_l3_branch_coverage"]:
        parts = [w.clause(k, f"{label}为{{v}}", label) for k, label in
                 (("grid_manager_coverage", "网格管家配备率"),
                  ("grid_l3_branch_coverage", "片区网格党支部覆盖率")) if below[k]]
        items.append("、".join(parts) + "，尚未实现全覆盖")
    if below["grid_area_coverage"]:
        items.append(f"网格面积覆盖率为{w.kpi('grid_area_coverage')}，存在覆盖缺口")
    weak, rectified = figures.get("weak_orgs"), figures.get("weak_rectified")
    if weak and rectified is not None and rectified < weak:
        items.append("软弱涣散基层党组织尚未全部完成整顿转化")
    service = figures.get("service_population_coverage")
    if service is not None and service < 0.8:
        items.append(f"阵地服务范围覆盖人口仅占{w.kpi('service_population_coverage')}，"
                     "党群服务阵地布局有待优化")
    if not items:
        return w.passage([f"{area}各项指标总体达到工作标准，下一步将持续巩固提升。"])
    listed = "；".join(f"{n}是{item}" for n, item in zip(ORDINALS, items))
    return w.passage([f"对照工作目标，还存在以下短板：{listed}。下一步，将坚持问题导向，"
                      "逐项制定整改措施，推动跨村联建和网格治理提质增效。"])


THEMES = {"overview": overview_text, "joint": joint_text, "income": income_text,
          "grid": grid_text, "stars": stars_text, "service": service_text,
          "issues": issues_text}


def report_passages(figures: dict, params: Params = Params(), area: str = CITY) -> dict:
    """``{theme: Passage}`` for every theme of :data:`THEMES`, in order."""
    return {theme: build(figures, params, area) for theme, build in THEMES.items()}
