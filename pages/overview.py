"""总览：headline figures, the map of the selected area, the income trend."""
import streamlit as st

from analysis.rankings import DIRECTIONS
from maps.overview import COLORINGS
from maps.styles import legend_html
import texts
from ui import cached, cached_overview, frame, later, rankings, years
from ui import joint_charts as jc

CARDS = ("joint_coverage", "joint_orgs", "joint_villages", "avg_income_gain_joint",
         "low_income_villages", "grid_l3", "grid_l4", "grid_l3_branch_coverage",
         "grid_manager_coverage", "service_population_coverage")

src, data = frame.open_page(__file__)
county, township, village = frame.area_state()

st.title(f"{texts.APP_TITLE} · {frame.area_title(cached.area_options(src), county, township)}")
if src.is_demo:
    st.caption(f":orange-badge[{texts.SAMPLE_BADGE}]")
year, params = years.page_params(src, "overview_year")
figs = cached.selection_figures(src, params, county, township)
before = cached.previous_year(src, params)
previous = cached.selection_figures(src, before, county, township) if before else None
st.caption(years.data_date(year, figs) + (
    "；" + texts.PREVIOUS_YEAR.format(year=before.as_of_year) if before else ""))
frame.metric_cards(figs, CARDS, previous)

left, right = st.columns([3, 1])
with right:
    coloring = st.radio(texts.COLOR_BY, list(COLORINGS), key="overview_coloring",
                        format_func=texts.COLOR_OPTIONS.get)
    show_grids = st.toggle(texts.SHOW_GRIDS, key="overview_grids", disabled=not county)
    show_sites = st.toggle(texts.SHOW_SITES, key="overview_sites")
    marks_key = st.selectbox(texts.MAP_MARKS, [None, *DIRECTIONS], key="overview_marks",
                             format_func=lambda k: rankings.label(k) if k else
                             texts.MAP_MARKS_NONE, placeholder=texts.MAP_MARKS_NONE)
deck, legend = cached_overview.overview_deck(
    src, params, coloring, county, township, village, grids=bool(show_grids and county),
    sites=show_sites, marks_title=f"{rankings.label(marks_key)}：" if marks_key else "",
    marks=cached_overview.marks_items(rankings.map_marks(src, params, county, marks_key)))
with left:
    frame.area_map(st, deck, "overview_map", height=560)
    if frame.can_go_up():
        st.button(texts.GO_UP, icon=":material/arrow_upward:", on_click=frame.go_up,
                  key="overview_up")
    st.html(legend_html(legend))
    st.caption(texts.MAP_CAPTION)


def charts() -> None:
    """The income trend and the organisations by year, beside the map."""
    st.markdown(f"**{texts.TREND_TITLE}**")
    income = cached.trend(src, county, township, params.as_of_year)
    if len(income):
        st.line_chart(income.rename(columns=texts.TREND_SERIES), height=220)
    else:
        st.caption(texts.NO_INCOME_YET)
    if len(series := cached.joint_series(src, county, township)):
        st.markdown(f"**{texts.JOINT_TREND_TITLE}**")
        st.altair_chart(jc.joint_trend_chart(series, year), width="stretch")


with right:  # on arriving at the page, a moment after the map (ui/later.py)
    later.after_map(__file__, charts, texts.LATER_CHARTS)

if village and len(detail := cached.village_detail(src, params, village)):
    st.subheader(texts.VILLAGE_DETAIL.format(name=detail["name"].iloc[0]))
    st.dataframe(detail[list(texts.VILLAGE_FIELDS)].rename(columns=texts.VILLAGE_FIELDS),
                 hide_index=True)
