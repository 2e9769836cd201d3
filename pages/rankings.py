"""排名: every county (or every township of the selected county) ranked on the
headline figures, with the change against the previous year and a
red/yellow/green mark against the targets of dashboard.toml [targets]."""
import streamlit as st

from analysis.rankings import RANK_KEYS
import texts
from ui import cached, frame, rankings, years

src, _ = frame.open_page(__file__)
county, _, _ = frame.area_state()

level = rankings.level_name(src, county)
st.title(f"{texts.PAGE_RANKINGS} · {level}")
if src.is_demo:
    st.caption(f":orange-badge[{texts.SAMPLE_BADGE}]")
year, params = years.page_params(src, "rankings_year")
figs = cached.selection_figures(src, params, county, None)
before = cached.previous_year(src, params)
st.caption(years.data_date(year, figs) + "；" + (
    texts.PREVIOUS_YEAR.format(year=before.as_of_year) if before else texts.RANK_NO_PREVIOUS))
ranked = rankings.table(src, params, county)

key = st.selectbox(texts.RANK_FIGURE, RANK_KEYS, key="rankings_key", format_func=rankings.label,
                   placeholder=texts.RANK_FIGURE)
left, right = st.columns([3, 2], gap="medium")
left.dataframe(rankings.ranking_view(ranked, key), hide_index=True, key="rankings_table")
with right:
    st.info(rankings.behind_text(ranked, key, county))
    st.caption(rankings.margin_note())

st.subheader(texts.RANK_BOARD.format(level=level), anchor=False)
st.dataframe(rankings.board_view(ranked), hide_index=True, key="rankings_board")
