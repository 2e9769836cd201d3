"""Auto-advance of a briefing sequence (ui.slides.step): a timed run of the slide
fragment moves one view on and loops after the last; the page's own run and a
run after 上一页/下一页 (or a key) do not move."""
from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from ui import slides

    if st.session_state.pop("full", False):
        slides.mark_full_run()
    st.text(slides.step(3))


def _shown(at) -> int:
    return int(at.text[0].value)


def test_timed_runs_advance_and_loop():
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["seq_slide"], at.session_state["seq_every"] = 1, 10
    at.session_state["full"] = True
    assert _shown(at.run()) == 1                 # the page's own run shows the view
    assert _shown(at.run()) == 2                 # a timed run: one on
    assert _shown(at.run()) == 0                 # after the last, the first
    assert at.query_params["slide"] in ("1", ["1"])


def test_a_click_is_one_step_and_no_timer_no_move():
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state["seq_slide"], at.session_state["seq_every"] = 0, 10
    at.session_state["_seq_moved"] = True        # set by go(), the buttons' callback
    assert _shown(at.run()) == 0
    at.session_state["seq_every"] = 0
    assert _shown(at.run()) == 0 and _shown(at.run()) == 0
    at.session_state["seq_slide"] = 7            # out of range (a shorter sequence now)
    assert _shown(at.run()) == 2
