"""Playback steps (ui.years.advance_year): one year per timed run, stop at the last."""
from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from ui import years

    st.session_state.setdefault("runs", 0)
    st.session_state.runs += 1
    if st.session_state.get(years.PLAY_KEY):
        years.advance_year([2019, 2020, 2021], "year")
    st.write(st.session_state.get("year"))


def test_steps_one_year_and_stops_at_the_last():
    at = AppTest.from_function(_script)
    at.session_state["year"], at.session_state["briefing_playing"] = 2019, True
    at.run()
    assert at.session_state["year"] == 2020 and at.session_state["briefing_playing"]
    runs = at.session_state["runs"]
    at.run()   # reaches 2021: stops, and the page runs again (without the timer)
    assert at.session_state["year"] == 2021 and not at.session_state["briefing_playing"]
    assert at.session_state["runs"] == runs + 2
    at.run()
    assert at.session_state["year"] == 2021
