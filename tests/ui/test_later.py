"""ui.later: a page's parts wait for its map on arrival, not on its other runs.

AppTest has no browser timer; ``tick`` in the script stands for it (the
waiting fragment's timed run, :func:`ui.later.wait`).  The real timer is
exercised in ``tests/browser/test_later_browser.py``.
"""
from streamlit.testing.v1 import AppTest

from ui import later


def _script():
    from pathlib import Path

    import streamlit as st

    from ui import later

    page = st.session_state.get("page", "pages/a.py")
    later.arrive(page)
    st.session_state.setdefault("draws", 0)
    if st.session_state.pop("tick", False):  # the browser's timer, once
        later.wait(Path(page).stem)

    def draw():
        st.session_state.draws += 1
        st.markdown("drawn")

    later.after_map(page, draw, "wait")


def _shown(at) -> tuple[bool, bool]:
    """(the part drawn, the placeholder shown)."""
    return (any(m.value == "drawn" for m in at.markdown),
            any(c.value == "wait" for c in at.caption))


def test_arriving_waits_and_the_timer_draws():
    at = AppTest.from_function(_script).run()
    assert not at.exception
    assert _shown(at) == (False, True) and at.session_state["draws"] == 0
    at.session_state["tick"] = True
    at.run()   # the timer's run wants the parts and reruns the app, which draws them
    assert not at.exception
    assert _shown(at) == (True, False) and at.session_state["draws"] == 1


def test_other_runs_of_the_page_draw_at_once_and_a_new_arrival_waits_again():
    at = AppTest.from_function(_script)
    later.show_now(at.session_state, "pages/a.py")
    at.run()
    assert _shown(at) == (True, False)
    at.run()   # a widget, a drill-down: the same page
    assert _shown(at) == (True, False)
    at.session_state["page"] = "pages/b.py"
    at.run()   # another page: its parts wait
    assert _shown(at) == (False, True)
    at.session_state["page"] = "pages/a.py"
    at.run()   # back to the first page: an arrival again
    assert _shown(at) == (False, True)


def test_no_placeholder_when_none_is_given():
    def script():
        import streamlit as st

        from ui import later

        later.arrive("pages/a.py")
        later.after_map("pages/a.py", lambda: st.markdown("drawn"))
        st.markdown("after")

    at = AppTest.from_function(script).run()
    assert not at.exception
    assert [m.value for m in at.markdown] == ["after"] and not at.caption
