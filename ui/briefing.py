"""The briefing screen (汇报模式): its CSS per theme and its big-number panels.

A 16:9 数据大屏 layout: no sidebar or Streamlit chrome, large type, a dark
theme for projectors and a light one for screenshots.  Every text that comes
from data is HTML-escaped.

>>> "stSidebar" in briefing_css("dark") and "#0b1a33" in briefing_css("dark")
True
>>> number_panel([("联村覆盖率", "50.23%")], "light").count("bn-value")
1
>>> bar_chart(pd.Series({"三元区": 48.0}), "dark").to_dict()["config"]["background"]
'#12284d'
"""
from __future__ import annotations

import datetime as dt
from html import escape

import altair as alt
import pandas as pd

from geo import schema as s
from report.slides import THEMES
import texts
from ui.joint_charts import joint_trend_chart



def theme_of(name: str) -> dict:
    """The colours of a theme; unknown names raise ``ValueError`` listing the valid ones."""
    if name not in THEMES:
        raise ValueError(f"未知主题 {name!r}，可选：{', '.join(THEMES)}")
    return THEMES[name]


def briefing_css(name: str, map_offset_rem: float = 15.0) -> str:
    """CSS hiding the sidebar and Streamlit chrome, setting the theme, and scaling the
    screen to its size: 1920×1080, a 4K 3840×2160 and an ultra-wide 拼接屏 (e.g.
    6656×1792) show the same layout, never stretched.

    * the root font follows the screen's *smaller* side (``1.48vmin``, 16 px at
      1080 px high, 32 px at 2160; ``clamp`` keeps it between 16 and 40 px), and
      every size of this screen and of Streamlit's own widgets is in ``rem``: text
      grows with the screen's height, never with an ultra-wide width;
    * the content is at most 2.4 × the screen's height wide, centred: on a
      3.7 : 1 拼接屏 the columns keep their proportions instead of stretching;
    * the map fills the height left under the title (``100vh`` less
      ``map_offset_rem``), at least 28 rem;
    * long words wrap inside their panels: nothing overflows sideways.

    >>> css = briefing_css("light")
    >>> "clamp(16px, 1.48vmin, 40px)" in css and "calc(100vh * 2.4)" in css
    True
    """
    t = theme_of(name)
    return f"""<style>
html {{ font-size: clamp(16px, 1.48vmin, 40px); }}
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stSidebarNav"], header[data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], footer {{ display: none !important; }}
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{ background: {t['bg']}; \
color: {t['text']}; }}
[data-testid="stMain"] {{ overflow-x: hidden; }}
[data-testid="stMainBlockContainer"] {{ padding: 1.2rem 2rem 0.5rem 2rem;
    max-width: min(100%, calc(100vh * 2.4)); margin: 0 auto; }}
[data-testid="stDeckGlJsonChart"], [data-testid="stDeckGlJsonChart"] > div:last-child {{
    height: max(28rem, calc(100vh - {map_offset_rem:g}rem)) !important; }}
.stApp p, .stApp span, .stApp label, .stApp h1, .stApp h2, .stApp h3 {{ color: {t['text']}; }}
.stApp button:not([kind="primary"]):not([kind="elementToolbar"]),
.stApp [data-testid="stSelectbox"] div:has(> input), .stApp [data-testid="stSelectbox"] input,
[data-testid="stPopoverBody"] {{
    background: {t['panel']}; color: {t['text']}; border-color: {t['muted']}; }}
.stApp button[aria-checked="true"], .stApp button[aria-checked="true"] span {{
    background: {t['accent']}; color: {t['bg']}; }}
.bn-title {{ font-size: 2.4rem; font-weight: 700; letter-spacing: 0.1rem; }}
.bn-sub {{ font-size: 1.1rem; color: {t['muted']}; }}
.stApp .bn-badge {{ font-size: 1rem; color: {t['bg']}; background: {t['accent']};
    padding: 0.1rem 0.6rem; border-radius: 0.3rem; margin-left: 1rem; white-space: nowrap; }}
.bn-panel {{ background: {t['panel']}; border-radius: 0.6rem; padding: 0.8rem 1.1rem; \
margin-bottom: 0.8rem; overflow-wrap: anywhere; }}
.bn-label {{ font-size: 1.05rem; color: {t['muted']}; }}
.bn-value {{ font-size: 2.6rem; font-weight: 700; color: {t['accent']}; line-height: 1.2; }}
.seq-said {{ font-size: 1.45rem; line-height: 1.6; color: {t['text']}; }}
.seq-counter {{ font-size: 1.1rem; color: {t['muted']}; text-align: center; }}
.seq-advance {{ cursor: pointer; }}
</style>"""


def header_html(title: str, area: str, sample: bool, today: dt.date | None = None,
                data_year: int | None = None) -> str:
    """Title bar: title, area, date (e.g. 2026年11月23日), the date of the data
    (数据截至 2023 年) and the 示例数据 badge.

    >>> "数据截至 2021 年" in header_html("看板", "全市", False, dt.date(2026, 1, 2), 2021)
    True
    """
    day = today or dt.date.today()
    badge = '<span class="bn-badge">示例数据</span>' if sample else ""
    data = f" · {texts.DATA_AS_OF.format(year=data_year)}" if data_year is not None else ""
    return (f'<div><span class="bn-title">{escape(title)} · {escape(area)}</span>{badge}'
            f'<div class="bn-sub">{day.year}年{day.month}月{day.day}日{data}</div></div>')


def village_line(row: pd.Series, name: str) -> str:
    """The selected village's facts in one panel (names escaped; missing values as —).

    >>> row = pd.Series({"name": "<b>洪田村</b>", "kind": "village", "households": 312,
    ...                  "population": 1020, "org_id": None, "income_base": 10.0,
    ...                  "income_eval": 12.5})
    >>> html = village_line(row, "dark")
    >>> "&lt;b&gt;洪田村&lt;/b&gt;" in html, "行政村" in html, "1,020" in html, "—" in html
    (True, True, True, True)
    """
    theme_of(name)
    parts = []
    for field, label in texts.VILLAGE_FIELDS.items():
        value = row.get(field)
        if field == "kind":
            value = s.KIND_VALUES.get(value, value)
        elif isinstance(value, (int, float)) and value == value:
            value = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
        shown = texts.NO_VALUE if value is None or value != value else str(value)
        parts.append(f"{escape(label)} {escape(shown)}")
    title = escape(texts.VILLAGE_DETAIL.format(name=row.get("name", "")))
    return (f'<div class="bn-panel"><div class="bn-label">{title}</div>'
            f'<div class="bn-sub">{" · ".join(parts)}</div></div>')


def number_panel(items: list[tuple[str, str]], name: str) -> str:
    """Big numbers, one panel each: ``[(label, formatted value), …]``."""
    theme_of(name)
    return "".join(f'<div class="bn-panel"><div class="bn-label">{escape(label)}</div>'
                   f'<div class="bn-value">{escape(value)}</div></div>' for label, value in items)


def _themed(chart: alt.Chart, name: str, height: int, scale: float = 1.0) -> alt.Chart:
    """The theme's colours and panel; ``height`` and the text sizes are those of a
    1080p screen, times ``scale`` (:func:`ui.screen.screen_scale`: 2 on a 4K screen)."""
    t = theme_of(name)
    return (chart.properties(height=round(height * scale), width="container")
            .configure(background=t["panel"], font="Noto Sans CJK SC, sans-serif")
            .configure_view(stroke=None)
            .configure_axis(labelColor=t["text"], titleColor=t["muted"], gridColor=t["muted"],
                            gridOpacity=0.25, domainColor=t["muted"], tickColor=t["muted"],
                            labelFontSize=13 * scale, titleFontSize=12 * scale,
                            tickSize=5 * scale)
            .configure_legend(labelColor=t["text"], titleColor=t["muted"],
                              labelFontSize=13 * scale, symbolSize=100 * scale ** 2,
                              orient="bottom"))


def bar_chart(values: pd.Series, name: str, title: str = "", height: int = 340,
              scale: float = 1.0) -> alt.Chart:
    """Horizontal bars of ``values`` (index: labels) in the theme's colours and panel."""
    frame = pd.DataFrame({"label": values.index.astype(str), "value": values.to_numpy()})
    chart = alt.Chart(frame).mark_bar(color=theme_of(name)["accent"]).encode(
        y=alt.Y("label:N", sort="-x", title=None),
        x=alt.X("value:Q", title=title),
        tooltip=[alt.Tooltip("label:N", title=" "), alt.Tooltip("value:Q", format=".2f")])
    return _themed(chart, name, height, scale)


def line_chart(frame: pd.DataFrame, name: str, title: str = "", height: int = 340,
               scale: float = 1.0) -> alt.Chart:
    """One line per column of ``frame`` (index: year), theme-coloured, on the panel."""
    long = frame.reset_index(names="year").melt("year", var_name="series", value_name="value")
    colors = [theme_of(name)["accent"], theme_of(name)["muted"]]
    chart = alt.Chart(long.dropna()).mark_line(point=alt.OverlayMarkDef(size=30 * scale ** 2),
                                               strokeWidth=3 * scale).encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:Q", title=title),
        color=alt.Color("series:N", title=None,
                        scale=alt.Scale(domain=[str(c) for c in frame.columns], range=colors)))
    return _themed(chart, name, height, scale)


def trend_chart(frame: pd.DataFrame, upto: int | None, name: str, height: int = 200,
                scale: float = 1.0) -> alt.Chart:
    """Organisations and joint coverage by year (:func:`ui.joint_charts.joint_trend_chart`)
    in the theme's colours and panel."""
    colors = (theme_of(name)["accent"], theme_of(name)["text"])
    return _themed(joint_trend_chart(frame, upto, round(height * scale), colors), name, height,
                   scale)
