"""ui.later: on arriving at a page its parts wait for the map, in the same run,
and only on arrival; the wait lets Streamlit stop the run between slices.
The wait in a real browser, and a click on another page during it, are in
``tests/browser/test_later_browser.py``."""
import time

import pytest
from streamlit.testing.v1 import AppTest

from ui import later

WAIT = 0.3


def _script():
    import streamlit as st

    from ui import later

    page = st.session_state.get("page", "pages/a.py")
    later.arrive(page)
    st.session_state.setdefault("draws", 0)

    def draw():
        st.session_state.draws += 1
        st.markdown("drawn")

    later.after_map(page, draw, "wait")
    st.markdown("end")


@pytest.fixture
def app(monkeypatch):
    monkeypatch.setattr(later, "WAIT_S", WAIT)
    return AppTest.from_function(_script)


def _timed_run(at) -> float:
    start = time.perf_counter()
    at.run()
    assert not at.exception, at.exception
    return time.perf_counter() - start


def test_arriving_waits_then_draws_in_the_same_run(app):
    assert _timed_run(app) >= WAIT
    assert [m.value for m in app.markdown] == ["drawn", "end"]
    assert not app.caption  # the placeholder was taken away before the parts came
    assert app.session_state["draws"] == 1


def test_other_runs_of_the_page_draw_at_once_and_a_new_arrival_waits_again(app):
    _timed_run(app)
    assert _timed_run(app) < WAIT  # a widget, a drill-down: the same page
    assert app.session_state["draws"] == 2
    app.session_state["page"] = "pages/b.py"
    assert _timed_run(app) >= WAIT  # another page
    app.session_state["page"] = "pages/a.py"
    assert _timed_run(app) >= WAIT  # back to the first page: an arrival again
    assert app.session_state["draws"] == 4


def test_a_run_stopped_in_the_wait_is_not_made_to_wait_again(app, monkeypatch):
    def stopped(seconds):
        import streamlit as st
        st.stop()

    monkeypatch.setattr(later, "wait", stopped)
    app.run()
    assert [m.value for m in app.markdown] == [] and app.session_state["draws"] == 0
    monkeypatch.undo()
    assert _timed_run(app) < WAIT  # the rerun that stopped it draws at once
    assert app.session_state["draws"] == 1


def test_the_wait_asks_streamlit_between_slices(monkeypatch):
    asked = []
    monkeypatch.setattr(later, "_yield_check", lambda: lambda: asked.append(1))
    start = time.perf_counter()
    later.wait(0.2)
    assert time.perf_counter() - start >= 0.2
    assert len(asked) >= 0.2 / later.SLICE_S - 1

    class Stopped(Exception):
        pass

    def stop():
        raise Stopped

    monkeypatch.setattr(later, "_yield_check", lambda: stop)
    start = time.perf_counter()
    with pytest.raises(Stopped):
        later.wait(5.0)
    assert time.perf_counter() - start < 1.0  # the first slice's check ends it


def test_no_wait_and_no_placeholder_when_wait_is_zero(monkeypatch):
    monkeypatch.setattr(later, "WAIT_S", 0)
    at = AppTest.from_function(_script)
    assert _timed_run(at) < 0.25
    assert [m.value for m in at.markdown] == ["drawn", "end"] and not at.caption
