"""汇报模式：the 16:9 briefing screen — one map, six numbers, three small charts,
a year slider and 播放 (one year every few seconds: the map fills in as the
organisations form)."""
import streamlit as st

from analysis.kpis import KPI_LABELS
import texts
from texts import auth as ta
from ui import auth, cached, cached_overview, frame, later, screen as screen_size, slides, years
from ui.briefing import (bar_chart, briefing_css, header_html, line_chart, number_panel, theme_of,
                         trend_chart, village_line)

LEFT = ("joint_coverage", "joint_orgs", "joint_villages")
RIGHT = ("avg_income_gain_joint", "low_income_villages", "grid_l4")
YEAR = "briefing_year"
MAP_PX = (820, 740)  # the map's framing on a 1080p screen, before the browser measures it

src, _ = frame.open_page(__file__)
if slides.active():  # a briefing sequence (汇报序列) plays instead, view by view
    st.fragment(slides.screen, run_every=slides.mark_full_run())(src)
    st.stop()

theme = st.query_params.get("theme", "dark")
theme = theme if theme in texts.BRIEFING_THEMES else "dark"
st.html(briefing_css(theme))


def numbers(figs: dict, keys: tuple) -> list:
    return [(KPI_LABELS[k][0], texts.format_value(figs[k], KPI_LABELS[k][1])) for k in keys]


def switches(container) -> None:
    """Theme, exit, the login notice and 返回上一级 (top right)."""
    with container:
        chosen = st.segmented_control(texts.BRIEFING_THEME, list(texts.BRIEFING_THEMES),
                                      format_func=texts.BRIEFING_THEMES.get, default=theme,
                                      key="briefing_theme", label_visibility="collapsed")
        if chosen and chosen != theme:
            st.query_params["theme"] = chosen
            st.rerun()
        st.page_link("pages/overview.py", label=texts.BRIEFING_EXIT, icon=":material/logout:")
        if auth.current().login_off:  # the sidebar (and its notice) is hidden on this screen
            st.caption(ta.OFF_SHORT)
        if frame.can_go_up():
            st.button(texts.GO_UP, icon=":material/arrow_upward:", on_click=frame.go_up,
                      key="briefing_up")
        slides.start_menu(src)


def charts(left, right, county, township, year, params, scale) -> None:
    """The coverage by county (by township for a county account), the income trend and
    the organisations by year, under the numbers on either side of the map."""
    with left:
        held = frame.held_county()  # a county account: its townships, never other counties
        st.caption(texts.BRIEFING_TOWNSHIP_CHART if held else texts.BRIEFING_COVERAGE_CHART)
        series = cached.county_series(src, params, "joint_coverage", held) * 100
        st.altair_chart(bar_chart(series, theme, "%", scale=scale), theme=None,
                        width="stretch")
    with right:
        st.caption(texts.TREND_TITLE)
        income = cached.trend(src, county, township, params.as_of_year)
        if len(income):
            st.altair_chart(line_chart(income.rename(columns=texts.TREND_SERIES), theme,
                                       "万元", 170, scale), theme=None, width="stretch")
        else:
            st.caption(texts.NO_INCOME_YET)
        if len(joint := cached.joint_series(src, county, township)):
            st.caption(texts.JOINT_TREND_TITLE)
            st.altair_chart(trend_chart(joint, year, theme, 170, scale), theme=None,
                            width="stretch")


def screen() -> None:
    """The whole screen; a fragment that runs again every few seconds while playing."""
    if slides.active():  # a sequence started from the menu: the page plays it
        st.rerun(scope="app")
    frame.rerun_app_if_area_moved()
    years.play_step(src, YEAR)
    county, township, village = frame.area_state()
    top, timeline, switch = st.columns([3.2, 1.8, 1])
    year, params = years.page_params(src, YEAR, timeline)
    years.play_button(src, YEAR, timeline)
    figs = cached.selection_figures(src, params, county, township)
    timeline.caption(years.data_date(year, figs))
    detail = cached.village_detail(src, params, village) if village else None
    area = frame.area_title(cached.area_options(src), county, township)
    if detail is not None and len(detail):
        area += f" · {detail['name'].iloc[0]}"
    top.html(header_html(texts.APP_TITLE, area, src.is_demo, data_year=year))
    switches(switch)

    left, middle, right = st.columns([1, 2.4, 1])
    size = screen_size.measured()  # the browser's screen (ui/screen.py): 4K, 拼接屏 …
    scale = screen_size.screen_scale(size)
    deck, _ = cached_overview.overview_deck(
        src, params, "joint", county, township, village, outline=tuple(theme_of(theme)["line"]),
        view_px=screen_size.framing_px(size, MAP_PX))
    frame.area_map(middle, deck, "briefing_map", height=760)
    if detail is not None and len(detail):
        middle.html(village_line(detail.iloc[0], theme))
    left.html(number_panel(numbers(figs, LEFT), theme))
    right.html(number_panel(numbers(figs, RIGHT), theme))
    # on arriving at the page, the charts come a moment after the map (ui/later.py)
    later.after_map(__file__, lambda: charts(left, right, county, township, year, params, scale))
    screen_size.watch(screen_size.map_px(size, MAP_PX), scale)


st.fragment(screen, run_every=years.mark_full_run())()
