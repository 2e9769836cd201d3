"""What one slide of a briefing sequence says, for the screen (汇报模式) and the
.pptx alike: its title, its key numbers, its one-line takeaway written from the
figures (the register of the Word briefing, :mod:`report.text`), which print
map it shows, and the standard set of views.

A view (:class:`geo.sequence_store.View`) names a page; its *kind* picks the
numbers and the sentence: ``overview`` (总览 coloured by joint membership),
``income`` (总览 coloured by income), ``joint``, ``grids``, ``rankings``.

>>> v = View("overview", "350481")
>>> slide_title(v, "永安市"), print_map(v)
('永安市 · 总览', 'overview')
>>> figs = {"joint_orgs": 40, "joint_villages": 150, "joint_coverage": 0.6,
...         "avg_income_gain_joint": 6.5}
>>> takeaway(v, figs, "永安市")
'永安市组建联村党组织40个，覆盖150个村，联村覆盖率60.00%，联建村集体经济平均增收6.5万元。'
>>> slide_numbers(v, figs)[0]
('联村覆盖率', '60.00%')
"""
from __future__ import annotations

import pandas as pd

from analysis.kpis import KPI_LABELS
from analysis.params import Params
from analysis.rankings import DIRECTIONS, RANK_KEYS, figure_value, label_of, mark_counts
from geo import schema as s
from geo.sequence_store import View
from maps.styles import COLORINGS as MAP_COLORINGS
from report.targets import behind_sentence
from report.text import NO_DATA, format_number, kpi_number
import texts
from texts import slides as tsl

# The two themes of 汇报模式 and of the slides: background, panels, text, muted
# text, the accent of the big numbers, and the RGB of area borders on the map.
THEMES = {
    "dark": {"bg": "#0b1a33", "panel": "#12284d", "text": "#e8eef9", "muted": "#8fa6c8",
             "accent": "#ffd24a", "line": [225, 232, 245]},
    "light": {"bg": "#f5f7fb", "panel": "#ffffff", "text": "#1b2a41", "muted": "#5b6b82",
              "accent": "#c8102e", "line": [40, 40, 40]},
}
# the colourings a page's view may carry, and its default (``None``: the page has none)
COLORINGS = {"overview": tuple(MAP_COLORINGS), "joint": (), "grids": (), "rankings": RANK_KEYS}
DEFAULT_COLORING = {"overview": "joint", "rankings": "joint_coverage"}
# the numbers of each kind of slide
KPIS = {"overview": ("joint_coverage", "joint_orgs", "joint_villages", "avg_income_gain_joint"),
        "income": ("income_growth_all", "avg_income_gain_joint", "low_income_villages",
                   "target_income_villages"),
        "joint": ("joint_orgs", "joint_villages", "joint_coverage", "income_gain_did"),
        "grids": ("grid_l4", "grid_l4_standard_share", "grid_manager_coverage",
                  "grid_l3_branch_coverage")}
# the print map (maps.static.MAP_KEYS) of each kind of slide
PRINT_MAPS = {"overview": "overview", "income": "income", "joint": "joint", "grids": "grid",
              "rankings": "overview"}


def coloring_of(view: View) -> str | None:
    """The view's colouring when its page offers it, else the page's default.

    >>> coloring_of(View("overview", coloring="income_gain")), coloring_of(View("rankings"))
    ('income_gain', 'joint_coverage')
    >>> coloring_of(View("grids", coloring="joint")) is None
    True
    """
    return view.coloring if view.coloring in COLORINGS[view.page] else \
        DEFAULT_COLORING.get(view.page)


def kind_of(view: View) -> str:
    """``income`` for 总览 coloured by income, else the page.

    >>> kind_of(View("overview", coloring="income_eval")), kind_of(View("joint"))
    ('income', 'joint')
    """
    if view.page == "overview" and coloring_of(view) != "joint":
        return "income"
    return view.page


def print_map(view: View) -> str:
    """The key of the print map (:data:`maps.static.MAP_KEYS`) the view's slide shows."""
    return PRINT_MAPS[kind_of(view)]


def area_name(options: dict, county: str | None, township: str | None,
              sep: str = " · ") -> str:
    """全市, 永安市 or 永安市 · 燕西街道 (``options`` as :func:`area_options` gives them:
    ``{county: (name, {township: name})}``; unknown codes are shown as they are);
    ``sep=""`` for a sentence (永安市燕西街道).

    >>> options = {"350481": ("永安市", {"350481001": "燕西街道"})}
    >>> area_name(options, "350481", "350481001"), area_name(options, "350481", "350481001", "")
    ('永安市 · 燕西街道', '永安市燕西街道')
    """
    if not county:
        return tsl.CITY
    name, townships = options.get(county, (county, {}))
    return f"{name}{sep}{townships.get(township, township)}" if township else str(name)


def area_options(villages: pd.DataFrame) -> dict:
    """``{county_code: (county, {township_code: township})}`` of the villages, by code."""
    out = {}
    ordered = villages.sort_values([s.COUNTY_CODE, s.TOWNSHIP_CODE])
    for (county, township), rows in ordered.groupby([s.COUNTY_CODE, s.TOWNSHIP_CODE], sort=False):
        name = str(rows[s.COUNTY].iloc[0])
        out.setdefault(str(county), (name, {}))[1][str(township)] = str(rows[s.TOWNSHIP].iloc[0])
    return out


def ranking_level(view: View) -> str:
    """``county`` (the counties ranked) for a city view, else ``township`` (the
    townships of the view's county)."""
    return "township" if view.county else "county"


def slide_title(view: View, area: str) -> str:
    """``永安市 · 网格治理``; 总览 coloured by income and 排名 say their colouring.

    >>> slide_title(View("rankings", coloring="grid_manager_coverage"), "全市")
    '全市 · 排名（网格管家配备率）'
    """
    page = tsl.PAGE_NAMES[view.page]
    coloring = coloring_of(view)
    if view.page == "rankings":
        return tsl.TITLE_COLORED.format(area=area, page=page, coloring=label_of(coloring)[0])
    if kind_of(view) == "income":
        return tsl.TITLE_COLORED.format(area=area, page=page,
                                        coloring=tsl.COLORING_TITLES[coloring])
    return tsl.TITLE.format(area=area, page=page)


def slide_numbers(view: View, figures: dict, ranked: pd.DataFrame | None = None) -> list:
    """``[(label, value as on a card), …]``: four figures of the area, or for 排名 the
    area's figure and how many areas meet, nearly meet and miss the target.

    >>> t = pd.DataFrame({"key": ["joint_coverage"] * 2, "mark": ["green", "red"]})
    >>> slide_numbers(View("rankings"), {"joint_coverage": 0.5}, t)
    [('联村覆盖率', '50.00%'), ('达到目标', '1 个'), ('接近目标', '0 个'), ('未达目标', '1 个')]
    """
    if view.page == "rankings":
        key = coloring_of(view)
        label, unit = label_of(key)
        numbers = [(label, texts.format_value(figure_value(figures, key), unit))]
        if ranked is not None and key in DIRECTIONS:
            counts = mark_counts(ranked, key)
            numbers += [(tsl.MARK_COUNT[m], tsl.COUNT.format(n=counts[m])) for m in counts]
        return numbers
    return [(KPI_LABELS[k][0], texts.format_value(figures.get(k), KPI_LABELS[k][1]))
            for k in KPIS[kind_of(view)]]


def _k(figures: dict, key: str, absolute: bool = False) -> str:
    return kpi_number(figures, key, absolute)


def _overview(figures: dict, params: Params, area: str) -> str:
    orgs = figures.get("joint_orgs")
    if orgs is None:
        return f"{area}联村党组织情况{NO_DATA}。"
    if orgs == 0:
        return f"{area}尚未组建联村党组织。"
    gain = figures.get("avg_income_gain_joint")
    verb = "减收" if gain is not None and gain < 0 else "增收"
    tail = "" if gain is None else \
        f"，联建村集体经济平均{verb}{_k(figures, 'avg_income_gain_joint', True)}"
    return (f"{area}组建联村党组织{_k(figures, 'joint_orgs')}，覆盖{_k(figures, 'joint_villages')}"
            f"村，联村覆盖率{_k(figures, 'joint_coverage')}{tail}。")


def _income(figures: dict, params: Params, area: str) -> str:
    """
    >>> _income({"base_year": 2019, "eval_year": 2023, "income_growth_all": 0.3081,
    ...          "low_income_villages": 0}, Params(), "全市")
    '2019年至2023年，全市村集体经营性收入增长30.81%，10万元以下低收入村实现“清零”。'
    """
    base, last = figures.get("base_year"), figures.get("eval_year")
    if last is None:
        return f"{area}村集体经营性收入{NO_DATA}。"
    growth = figures.get("income_growth_all")
    change = NO_DATA if growth is None else \
        f"{'下降' if growth < 0 else '增长'}{_k(figures, 'income_growth_all', True)}"
    low, line = figures.get("low_income_villages"), format_number(params.low_income_threshold,
                                                                   "万元")
    low_text = (f"{line}以下低收入村{NO_DATA}" if low is None else
                f"{line}以下低收入村实现“清零”" if low == 0 else
                f"{line}以下低收入村还有{_k(figures, 'low_income_villages')}")
    return f"{base}年至{last}年，{area}村集体经营性收入{change}，{low_text}。"


def _joint(figures: dict, params: Params, area: str) -> str:
    did = figures.get("income_gain_did")
    if not figures.get("joint_orgs") or did is None:
        return _overview(figures, params, area)
    more = "多增收" if did >= 0 else "少增收"
    return (f"{area}联建村集体经济平均增收{_k(figures, 'avg_income_gain_joint')}，比未联建村"
            f"{more}{_k(figures, 'income_gain_did', True)}；联村覆盖率"
            f"{_k(figures, 'joint_coverage')}。")


def _grids(figures: dict, params: Params, area: str) -> str:
    if figures.get("grid_l4") is None:
        return f"{area}网格数据{NO_DATA}。"
    branch = figures.get("grid_l3_branch_coverage")
    tail = "" if branch is None else \
        f"，片区网格党支部覆盖率{_k(figures, 'grid_l3_branch_coverage')}"
    return (f"{area}共划分单元网格{_k(figures, 'grid_l4')}，户数达标率"
            f"{_k(figures, 'grid_l4_standard_share')}，网格管家配备率"
            f"{_k(figures, 'grid_manager_coverage')}{tail}。")


def _rankings(view: View, ranked: pd.DataFrame | None) -> str:
    key = coloring_of(view)
    level = texts.REPORT_LEVELS[ranking_level(view)]
    rows = pd.DataFrame() if ranked is None else ranked[ranked["key"] == key]
    if key in DIRECTIONS and len(rows) and rows["target"].notna().any():
        return behind_sentence(ranked, key, level)
    rows = rows[rows["rank"].notna()] if len(rows) else rows
    if rows.empty:
        return f"各{level}{label_of(key)[0]}{NO_DATA}。"
    return (f"按{label_of(key)[0]}排名，{rows['name'].iloc[0]}居首，"
            f"{rows['name'].iloc[-1]}居末。")


TAKEAWAYS = {"overview": _overview, "income": _income, "joint": _joint, "grids": _grids}


def takeaway(view: View, figures: dict, area: str, params: Params = Params(),
             ranked: pd.DataFrame | None = None) -> str:
    """The slide's one-line takeaway, from the area's figures (排名: from ``ranked``,
    :func:`analysis.rankings.rank_areas` of the areas ranked, as the Word report's
    目标对照 says it).  A missing figure is written 暂无数据, never 0.

    >>> takeaway(View("grids"), {"grid_l4": None}, "全市")
    '全市网格数据暂无数据。'
    >>> t = pd.DataFrame({"key": ["joint_coverage"] * 2, "name": ["甲县", "乙县"],
    ...     "rank": [1, 2], "mark": ["green", "red"], "target": [0.6, 0.6]})
    >>> takeaway(View("rankings"), {}, "全市", ranked=t)
    '尚有1个县（市、区）联村覆盖率低于60%：乙县。'
    """
    if view.page == "rankings":
        return _rankings(view, ranked)
    return TAKEAWAYS[kind_of(view)](figures, params, area)


def standard_views(options: dict, county: str | None = None, theme: str = "dark") -> list:
    """The standard briefing: the city (or ``county``) overview, each county (or each
    township of it), the ranking, the grids and the joint organisations.

    >>> options = {"350481": ("永安市", {"350481001": "燕西街道"}), "350404": ("三元区", {})}
    >>> [(v.page, v.county, v.township) for v in standard_views(options)][:3]
    [('overview', None, None), ('overview', '350404', None), ('overview', '350481', None)]
    >>> [(v.page, v.township) for v in standard_views(options, "350481")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('overview', None), ('overview', '350481001'), ('rankings', None), ('grids', None),
     ('joint', None)]
    """
    if county is None:
        parts = [View("overview", c, theme=theme) for c in sorted(options)]
    else:
        parts = [View("overview", county, t, theme=theme) for t in sorted(options[county][1])]
    return [View("overview", county, theme=theme), *parts,
            *(View(page, county, theme=theme) for page in ("rankings", "grids", "joint"))]
