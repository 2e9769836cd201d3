"""联建网格看板 — the frame: page config, login, navigation, the shared sidebar."""
import streamlit as st

from geo import access
from geo.problems import DatasetError
import texts
from texts.slides import PAGE_SEQUENCE
from texts import auth as ta, walk as tw
from ui import auth, cached, frame, national, preload
from ui.warmup import warm_up

st.set_page_config(page_title=texts.APP_TITLE, page_icon="static/favicon.png", layout="wide")

# (script, title, icon, url path, the action a role needs to see the page in the menu)
PAGES = (("pages/overview.py", texts.PAGE_OVERVIEW, ":material/dashboard:", "overview",
          access.VIEW),
         ("pages/briefing.py", texts.BRIEFING, ":material/tv:", "briefing", access.VIEW),
         ("pages/sequence.py", PAGE_SEQUENCE, ":material/slideshow:", "sequence", access.VIEW),
         ("pages/joint.py", texts.PAGE_JOINT, ":material/hub:", "joint", access.VIEW),
         ("pages/rankings.py", texts.PAGE_RANKINGS, ":material/leaderboard:", "rankings",
          access.VIEW),
         ("pages/grids.py", texts.PAGE_GRIDS, ":material/grid_on:", "grids", access.VIEW),
         ("pages/sites.py", tw.PAGE_SITES, ":material/directions_walk:", "sites", access.VIEW),
         ("pages/planning.py", texts.PAGE_PLANNING, ":material/edit_location_alt:", "planning",
          access.PLAN),
         ("pages/report.py", texts.PAGE_REPORT, ":material/description:", "report", access.VIEW),
         ("pages/data.py", texts.PAGE_DATA, ":material/database:", "data", access.IMPORT_DATA),
         ("pages/admin.py", ta.PAGE_ADMIN, ":material/manage_accounts:", "admin", access.ADMIN))


def page(i: int, script: str, title: str, icon: str, url: str):
    """The ``st.Page`` of row ``i`` of :data:`PAGES` (the first is the default, at ``/``)."""
    return st.Page(script, title=title, icon=icon, default=i == 0,
                   url_path=None if i == 0 else url)


try:
    src = cached.current_source()
except ValueError as exc:  # dashboard.toml unreadable or invalid: say which key, stop
    st.error(f"{texts.CONFIG_ERROR}{exc}")
    st.stop()

account = auth.gate()
if account is None:
    # Before a login every address of the app is known (no "page not found") but no
    # page runs: the login form is all there is.
    st.navigation([page(i, *row[:4]) for i, row in enumerate(PAGES)], position="hidden")
    auth.login_page()
    st.stop()

allowed = [(i, row) for i, row in enumerate(PAGES) if access.role_allows(account, row[4])]
pg = st.navigation([page(i, *row[:4]) for i, row in allowed])

with st.sidebar:
    st.markdown(f"### {texts.APP_TITLE}\n{texts.APP_SUBTITLE}"
                + preload.deck_preload_html(st.get_option("server.baseUrlPath")),
                unsafe_allow_html=True)
    if src.national:  # a partitioned national folder: a province first (ui/national.py)
        national.province_select(src, account.area)
        src = cached.current_source()
    try:
        options = {} if src.whole_nation else cached.area_options(src)
    except DatasetError:
        options = {}
    if src.national and st.session_state.get("county") not in options:
        st.session_state.county = None  # another province was chosen
    lock = frame.lock_area(options, account)
    counties = [lock["county"]] if lock["county"] else [None, *options]
    st.selectbox(texts.SIDEBAR_COUNTY, counties, key="county", disabled=bool(lock["county"]),
                 format_func=lambda c: texts.ALL_COUNTIES if c is None else options[c][0],
                 placeholder=texts.ALL_COUNTIES)
    townships = options[st.session_state.county][1] if st.session_state.county in options else {}
    if st.session_state.get("township") not in townships:
        st.session_state.township = None
    st.selectbox(texts.SIDEBAR_TOWNSHIP,
                 [lock["township"]] if lock["township"] else [None, *townships], key="township",
                 format_func=lambda t: texts.ALL_TOWNSHIPS if t is None else townships[t],
                 placeholder=texts.ALL_TOWNSHIPS,
                 disabled=not townships or bool(lock["township"]))
    villages = cached.village_options(src, st.session_state.township) \
        if st.session_state.township else {}
    if st.session_state.get("village") not in villages:
        st.session_state.village = None
    st.selectbox(texts.SIDEBAR_VILLAGE, [None, *villages], key="village",
                 format_func=lambda v: texts.ALL_VILLAGES if v is None else villages[v],
                 placeholder=texts.ALL_VILLAGES, disabled=not villages)
    if src.is_demo:
        st.caption(texts.SAMPLE_BADGE)
    auth.sidebar_badge(account)

frame.return_to_wanted_page({row[0] for _, row in allowed})
frame.note_full_run_area()
pg.run()
if not src.whole_nation:  # the national overview loads no village to warm up
    warm_up(src, cached.params())  # the other pages' layers, in the background, once per version
