"""分组规划: what-if village groupings — edit, live checks and figures, suggest, save, compare."""
import streamlit as st

from geo import access
from geo.settings import load_settings
import texts
from texts import planning as tp
from ui import (auth, cached, cached_planning, planning_state, planning_sections as planning_ui,
                frame)

src, _ = frame.open_page(__file__)
county, township, _ = frame.area_state()
if auth.refused(access.PLAN, None):  # the menu hides the page; this is the check
    st.stop()
account = auth.current()

params, settings = cached.params(), load_settings()
st.title(f"{tp.PAGE_PLANNING} · {frame.area_title(cached.area_options(src), county, township)}")
if src.is_demo:
    st.caption(f":orange-badge[{texts.SAMPLE_BADGE}]")
notice = st.session_state.pop("plan_notice", None)
if notice:
    st.success(notice)
planning_state.ensure((src.path, src.version), cached_planning.today(src))

defaults = cached_planning.planning_defaults()
with st.expander(tp.RULES):
    a, b, c = st.columns(3)
    low = a.number_input(tp.MIN_SIZE, 1, 30, defaults["min_size"], key="plan_min_size",
                         placeholder=tp.SIZE_PLACEHOLDER)
    high = b.number_input(tp.MAX_SIZE, 1, 30, defaults["max_size"], key="plan_max_size",
                          placeholder=tp.SIZE_PLACEHOLDER)
    within = c.toggle(tp.WITHIN_TOWNSHIP, defaults["within_township"], key="plan_within")
    st.caption(tp.RULES_HELP.format(strong=params.strong_threshold))
if low > high:
    st.error(f"{tp.MIN_SIZE}（{low}）不能大于{tp.MAX_SIZE}（{high}）")
    st.stop()
rules = cached_planning.rules_of(low, high, within, params)

modes = {**tp.MODES, **({"review": tp.MODE_REVIEW} if access.can(account, access.REVIEW, None)
                        is None else {})}
mode = st.segmented_control(tp.MODE_LABEL, list(modes), format_func=modes.get,
                            default="edit", key="plan_mode", label_visibility="collapsed")
section = {"edit": planning_ui.edit_section, "suggest": planning_ui.suggest_section,
           "manage": planning_ui.manage_section, "compare": planning_ui.compare_section,
           "review": planning_ui.review_section}
section[mode or "edit"](src, params, county, township, rules, settings)
