"""汇报序列: views saved in order (page, area, colouring, year, theme), played full
screen in 汇报模式 and exported as slides (导出 PPT).  Planners edit; viewers play
and export."""
import streamlit as st

import texts
from texts import slides as tsl
from ui import auth, cached, frame, sequence

src, _ = frame.open_page(__file__)

st.title(tsl.PAGE_SEQUENCE)
st.caption(tsl.INTRO)
if src.is_demo:
    st.caption(f":orange-badge[{texts.SAMPLE_BADGE}]")
options = cached.area_options(src)
try:
    saved = sequence.visible(sequence.store().list(), auth.current(), options)
except ValueError as exc:  # the database unreadable: said, the page stops
    st.error(texts.plain(str(exc)))
    st.stop()

left, right = st.columns([3, 2], gap="large")
with left:
    name = sequence.pick(saved, options)
    current = next((q for q in saved if q.name == name), None)
    if current is not None:
        sequence.view_rows(current, options)
        sequence.manage(current, options)
with right:
    sequence.add_form(src, current, options)
    sequence.export(src, current, options)
