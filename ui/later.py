"""A page's tables and charts drawn just after its map, when one arrives at the page.

Measured (issue 14, ``benchmarks/bench_maps.py``): Streamlit's frontend draws
each element as its message arrives, and on a new visit to a map page the
Vega charts (汇报模式: 0.35 s of the browser's main thread) and the data
grids (网格治理: 0.3 s for the four tables) were drawn *before* deck.gl's
first frame, though they come after the map in the page.  So on the first
run of a page visit such a part is left out: :func:`after_map` puts in its
place a fragment with ``run_every=WAIT_S``; the fragment's first timed rerun
marks the page's parts as wanted and reruns the app, whose run draws them
(and, being a full run, ends the timer).  Every later run of the page — a
widget, a drill-down — draws them at once; arriving at the page again (from
another page, or a new browser) defers them again.

Only Streamlit's own timer is used: its frontend drops a page's timed reruns
the moment the user clicks another page (``App.onPageChange``), so a click
made while the parts are pending is never answered with this page again.
A browser without the timer (``AppTest``) shows the placeholder; tests mark
the parts wanted with :func:`show_now`.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

WAIT_S = 1.0          # after the map's message: the map's first frame comes first
SHOWN_KEY = "_later_shown"   # the page (script stem) whose parts are drawn, or None
PAGE_KEY = "_later_page"     # the page of the last full run
TICKS_KEY = "_later_ticks"   # runs of the waiting fragment since it was put in


def arrive(page_file: str) -> None:
    """At the start of every full run of a page: a run of another page than the last
    one is an arrival, whose parts wait for the map again."""
    page = Path(page_file).stem
    if st.session_state.get(PAGE_KEY) != page:
        st.session_state[PAGE_KEY] = page
        st.session_state[SHOWN_KEY] = None


def show_now(session_state, page_file: str) -> None:
    """Mark ``page_file``'s parts as wanted in ``session_state`` (tests: ``at.session_state``)."""
    page = Path(page_file).stem
    session_state[PAGE_KEY] = page
    session_state[SHOWN_KEY] = page


def after_map(page_file: str, draw: Callable[[], None], placeholder: str = "") -> None:
    """Call ``draw`` now when the page's parts are wanted; else wait (see the module).

    One call per run of a page: ``draw`` may write into any of the page's
    containers.  While waiting, ``placeholder`` (a caption; nothing when empty)
    stands where this is called.
    """
    page = Path(page_file).stem
    if st.session_state.get(SHOWN_KEY) == page:
        draw()
        return
    st.session_state[TICKS_KEY] = 0
    st.fragment(lambda: wait(page, placeholder), run_every=WAIT_S)()


def wait(page: str, placeholder: str = "") -> None:
    """The waiting fragment's body: its first run (in the page's run) shows
    ``placeholder``; the next one, the timer's, wants the parts and reruns the app."""
    st.session_state[TICKS_KEY] = st.session_state.get(TICKS_KEY, 0) + 1
    if st.session_state[TICKS_KEY] > 1:  # the timer: the map has had its first frame
        st.session_state[SHOWN_KEY] = page
        st.rerun(scope="app")
    if placeholder:
        st.caption(placeholder)
