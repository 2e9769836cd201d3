"""Charts and display tables of the 跨村联建 page (Vega-Lite through Altair,
drawn by Streamlit's bundled vega-embed: nothing is fetched).

>>> import pandas as pd
>>> frame = pd.DataFrame({"year": [2019, 2020], "members_mean": [9.0, 12.0],
...     "others_mean": [5.0, 6.0], "members_joined": [0, 2], "joined": [False, True]})
>>> spec = income_chart(frame).to_dict()
>>> [layer["mark"]["type"] for layer in spec["layer"]]
['line', 'rule', 'text']
>>> display_table(pd.DataFrame({"name": ["甲"], "coverage": [0.123456]})).to_dict("list")
{'名称': ['甲'], '联建覆盖率（%）': [12.35]}
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.orgs import JOINED, YEAR_MEMBERS, YEAR_OTHERS
from geo import schema as s
import texts

SERIES_COLORS = {YEAR_MEMBERS: "#c8102e", YEAR_OTHERS: "#8c8c8c"}
PERCENT_COLUMNS = ("coverage",)


def income_chart(frame: pd.DataFrame, height: int = 260) -> alt.LayerChart:
    """Mean member income per year against villages in no organisation (万元),
    with a rule at the first year a member joined.

    ``frame`` is :func:`analysis.orgs.income_before_after`.
    """
    series = [YEAR_MEMBERS, YEAR_OTHERS]
    long = frame.melt(id_vars=[s.YEAR], value_vars=series, var_name="series",
                      value_name="income").dropna()
    long["label"] = long["series"].map(texts.JOINT_SERIES)
    labels = [texts.JOINT_SERIES[k] for k in series]
    color = alt.Color("label:N", title=None, legend=alt.Legend(orient="bottom"),
                      scale=alt.Scale(domain=labels, range=[SERIES_COLORS[k] for k in series]))
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X(f"{s.YEAR}:O", title=texts.JOINT_YEAR, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("income:Q", title=texts.JOINT_INCOME_AXIS),
        color=color, tooltip=[alt.Tooltip(f"{s.YEAR}:O", title=texts.JOINT_YEAR),
                              alt.Tooltip("label:N", title=" "),
                              alt.Tooltip("income:Q", title=texts.JOINT_INCOME_AXIS, format=".2f")])
    joined = frame.loc[frame[JOINED], [s.YEAR]].head(1)
    joined["text"] = [texts.JOINT_JOINED_MARK.format(year=y) for y in joined[s.YEAR]]
    rule = alt.Chart(joined).mark_rule(strokeDash=[4, 3], color="#444").encode(
        x=f"{s.YEAR}:O")
    note = alt.Chart(joined).mark_text(align="left", dx=4, dy=-6, color="#444").encode(
        x=f"{s.YEAR}:O", y=alt.value(8), text="text:N")
    return alt.layer(lines, rule, note).properties(height=height)


def breakdown_chart(frame: pd.DataFrame, label: str, value: str = "coverage",
                    bar_px: int = 28) -> alt.Chart:
    """Horizontal bars of one column of a breakdown (coverage as a percentage),
    ``bar_px`` pixels per bar so that every label shows."""
    title = texts.JOINT_COLUMNS.get(value, value)
    fmt = ".1%" if value in PERCENT_COLUMNS else ",.2f"
    return alt.Chart(frame).mark_bar(color="#c8102e").encode(
        y=alt.Y(f"{label}:N", sort=None, title=None,
                axis=alt.Axis(labelOverlap=False, labelLimit=160)),
        x=alt.X(f"{value}:Q", title=title, axis=alt.Axis(format=fmt)),
        tooltip=[alt.Tooltip(f"{label}:N", title=" "),
                 alt.Tooltip(f"{value}:Q", title=title, format=fmt)]).properties(
        height=70 + bar_px * len(frame))  # the x axis and its title take about 70 px


def display_table(frame: pd.DataFrame, columns: dict | None = None) -> pd.DataFrame:
    """A table with Chinese headers (:data:`texts.JOINT_COLUMNS`) and
    fractions shown as percentages; codes of organisations kept as text."""
    names = {**texts.JOINT_COLUMNS, **(columns or {})}
    out = frame.copy()
    for column in PERCENT_COLUMNS:
        if column in out:
            out[column] = out[column] * 100
    floats = out.select_dtypes("float").columns
    out[floats] = out[floats].round(2)
    return out.rename(columns={c: names.get(c, c) for c in out.columns})


# What each table of the page shows: (columns, Chinese headers besides JOINT_COLUMNS).
VIEWS = {
    "orgs": (("name", "type_label", "lead_village", "county", "township", "founded_year",
              "projects", "members", "population", "income_base", "income_eval",
              "income_gain", "org_id"), {}),
    "members": (("name", "is_lead", "township", "joined_year", "population", "income_base",
                 "income_eval", "income_gain", "village_code"), texts.JOINT_MEMBER_COLUMNS),
    "type": (("type_label", "orgs", "members", "villages_total", "coverage", "income_gain"),
             {}),
    "area": (("name", "orgs", "members", "villages_total", "coverage", "income_gain"),
             texts.JOINT_AREA_COLUMNS),
}


def table_view(frame: pd.DataFrame, view: str) -> pd.DataFrame:
    """The columns of :data:`VIEWS` ``[view]`` with Chinese headers (unknown views
    raise ``ValueError`` listing the valid ones).

    >>> list(table_view(pd.DataFrame({"name": ["甲"], "orgs": [1], "members": [2],
    ...     "villages_total": [4], "coverage": [0.5], "income_gain": [1.0]}), "area").columns)
    ['区域', '组织数', '成员村数', '村数', '联建覆盖率（%）', '成员村均增收（万元）']
    """
    if view not in VIEWS:
        raise ValueError(f"未知表格 {view!r}，可选：{', '.join(VIEWS)}")
    columns, names = VIEWS[view]
    return display_table(frame[list(columns)], names)


_CARD_UNITS = {"founded_year": "year", "members": "个", "projects": "个", "income_gain": "万元"}


def org_cards(row: pd.Series) -> list[tuple[str, str]]:
    """``(label, text)`` pairs describing one row of :func:`analysis.orgs.org_table`.

    >>> org_cards(pd.Series({"type_label": "产业主导", "lead_village": "甲", "founded_year": 2019,
    ...     "members": 3, "projects": None, "income_gain": 6.5}))[2:]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('成立年份', '2019'), ('成员村数', '3 个'), ('联村项目数', '—'),
     ('成员村村均增收', '6.50 万元')]
    """
    out = []
    for key, label in texts.JOINT_CARDS.items():
        value, unit = row.get(key), _CARD_UNITS.get(key, "")
        if unit == "year" or isinstance(value, str):
            text = texts.NO_VALUE if pd.isna(value) else str(value)
        else:
            text = texts.format_value(None if pd.isna(value) else value, unit)
        out.append((label, text))
    return out


def joint_trend_chart(frame: pd.DataFrame, upto: int | None = None, height: int = 220,
                      colors: tuple = ("#c8102e", "#1f4e8c")) -> alt.LayerChart:
    """Organisations (bars, left axis) and joint coverage (line, %, right axis) at
    the end of each year, up to ``upto``; the x axis keeps every year of ``frame``
    so that the bars grow as the year moves on.

    ``frame`` is :func:`analysis.trends.joint_trend`.

    >>> f = pd.DataFrame({"joint_orgs": [30.0, 90.0], "joint_coverage": [0.05, 0.17]},
    ...                  index=[2018, 2019])
    >>> spec = joint_trend_chart(f, upto=2018).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]], len(spec["datasets"])
    (['bar', 'line'], 1)
    """
    years = [str(y) for y in frame.index]
    shown = frame[[y <= upto for y in frame.index]] if upto is not None else frame
    data = pd.DataFrame({"year": [str(y) for y in shown.index],
                         "orgs": shown["joint_orgs"].to_numpy(),
                         "coverage": shown["joint_coverage"].to_numpy() * 100})
    x = alt.X("year:O", title=None, scale=alt.Scale(domain=years),
              axis=alt.Axis(labelAngle=0))
    orgs_title, coverage_title = (texts.JOINT_TREND_SERIES[k]
                                  for k in ("joint_orgs", "joint_coverage"))
    top_orgs = float(frame["joint_orgs"].fillna(0).max() or 1)  # axes fixed over the years
    top_coverage = float(frame["joint_coverage"].fillna(0).max() * 100 or 1)
    base = alt.Chart(data).encode(x=x)
    bars = base.mark_bar(color=colors[0], opacity=0.8).encode(
        y=alt.Y("orgs:Q", title=orgs_title, axis=alt.Axis(titleColor=colors[0]),
                scale=alt.Scale(domain=[0, top_orgs])),
        tooltip=[alt.Tooltip("year:O", title=texts.JOINT_YEAR),
                 alt.Tooltip("orgs:Q", title=orgs_title, format=",.0f")])
    line = base.mark_line(color=colors[1], point=True, strokeWidth=3).encode(
        y=alt.Y("coverage:Q", title=coverage_title, axis=alt.Axis(titleColor=colors[1]),
                scale=alt.Scale(domain=[0, top_coverage])),
        tooltip=[alt.Tooltip("year:O", title=texts.JOINT_YEAR),
                 alt.Tooltip("coverage:Q", title=coverage_title, format=".2f")])
    return alt.layer(bars, line).resolve_scale(y="independent").properties(height=height)
