"""服务阵地: the sites' walking catchments (一刻钟/十分钟服务圈) against the straight-line
figure, and 选址建议 — where new sites would reach the most people on foot."""
import streamlit as st

from geo import schema as s
import texts
from texts import walk as tw
from ui import cached, frame, walk_sections as sections

src, data = frame.open_page(__file__)
county, township, _ = frame.area_state()
area = frame.area_title(cached.area_options(src), county, township)
st.title(f"{tw.PAGE_SITES} · {area}")
if src.is_demo:
    st.caption(f":orange-badge[{texts.SAMPLE_BADGE}]")

minutes = sections.minutes_choice()
sections.figures_section(src, minutes, county, township)
if not data.has(s.ROADS):
    st.info(tw.NO_ROADS)
    st.stop()

map_slot = st.container()  # drawn last: it shows the suggestions made below
st.subheader(tw.SUGGEST)
suggested = sections.suggest_section(src, minutes, county, township, area)
sections.kept_section(src, minutes, county, township, area)
sections.catchment_map(map_slot, src, minutes, county, township, suggested)
