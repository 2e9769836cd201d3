"""联建网格看板 — the frame: page config, navigation, the shared sidebar."""
import streamlit as st

from geo.problems import DatasetError
import texts
from ui import cached, frame
from ui.warmup import warm_up

st.set_page_config(page_title=texts.APP_TITLE, page_icon="static/favicon.png", layout="wide")

pg = st.navigation([st.Page("pages/overview.py", title=texts.PAGE_OVERVIEW,
                            icon=":material/dashboard:", default=True),
                    st.Page("pages/briefing.py", title=texts.BRIEFING, icon=":material/tv:",
                            url_path="briefing"),
                    st.Page("pages/joint.py", title=texts.PAGE_JOINT, icon=":material/hub:"),
                    st.Page("pages/grids.py", title=texts.PAGE_GRIDS, icon=":material/grid_on:"),
                    st.Page("pages/planning.py", title=texts.PAGE_PLANNING,
                            icon=":material/edit_location_alt:"),
                    st.Page("pages/report.py", title=texts.PAGE_REPORT,
                            icon=":material/description:"),
                    st.Page("pages/data.py", title=texts.PAGE_DATA, icon=":material/database:")])

try:
    src = cached.current_source()
except ValueError as exc:  # dashboard.toml unreadable or invalid: say which key, stop
    st.error(f"{texts.CONFIG_ERROR}{exc}")
    st.stop()

with st.sidebar:
    st.markdown(f"### {texts.APP_TITLE}\n{texts.APP_SUBTITLE}")
    try:
        options = cached.area_options(src)
    except DatasetError:
        options = {}
    st.selectbox(texts.SIDEBAR_COUNTY, [None, *options], key="county",
                 format_func=lambda c: texts.ALL_COUNTIES if c is None else options[c][0],
                 placeholder=texts.ALL_COUNTIES)
    townships = options[st.session_state.county][1] if st.session_state.county in options else {}
    if st.session_state.get("township") not in townships:
        st.session_state.township = None
    st.selectbox(texts.SIDEBAR_TOWNSHIP, [None, *townships], key="township",
                 format_func=lambda t: texts.ALL_TOWNSHIPS if t is None else townships[t],
                 placeholder=texts.ALL_TOWNSHIPS, disabled=not townships)
    villages = cached.village_options(src, st.session_state.township) \
        if st.session_state.township else {}
    if st.session_state.get("village") not in villages:
        st.session_state.village = None
    st.selectbox(texts.SIDEBAR_VILLAGE, [None, *villages], key="village",
                 format_func=lambda v: texts.ALL_VILLAGES if v is None else villages[v],
                 placeholder=texts.ALL_VILLAGES, disabled=not villages)
    if src.is_demo:
        st.caption(texts.SAMPLE_BADGE)

frame.return_to_wanted_page()
pg.run()
warm_up(src, cached.params())  # the other pages' layers, in the background, once per version
