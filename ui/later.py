"""A page's tables and charts drawn a moment after its map, when one arrives at the page.

Measured (issue 14, ``benchmarks/bench_maps.py``): Streamlit's frontend draws
each element as its message arrives, and on a new visit to a map page the
Vega charts (汇报模式: 0.35 s of the browser's main thread) and the data
grids (网格治理: 0.3 s for the four tables) were drawn *before* deck.gl's
first frame, though they come after the map in the page.  So in the first
run of a page visit :func:`after_map` lets the map's message go, waits
``WAIT_S`` in the same run and then draws the parts.  1.5 s: with software
WebGL (no GPU) deck.gl's first frame comes 1.3–1.6 s after the map's message
here; waiting 1.0 s still let the parts in before it (网格治理 2.60 s to the
map painted, against 2.31 s with 1.5 s, same browser run).  Every later run of the
page — a widget, a drill-down — draws them at once; arriving at the page again
(from another page, or a new browser) waits again.

The wait is inside the run on purpose.  A second run asked for by the page
itself (a timed fragment that reruns the app) can undo a click on another
page: Streamlit folds a rerun request into a pending one and keeps the newer
one's page, so the page's own request, made while the click's was pending,
ran the old page again (the 30-session load benchmark lost 10 clicks in ten
minutes that way).  A run that waits is simply stopped by the click's
request: the wait sleeps in slices of ``SLICE_S`` and asks Streamlit between
them whether a stop or a rerun is waiting (the check its caches use while
they wait), so a click is answered within ``SLICE_S``.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
import time

import streamlit as st

WAIT_S = 1.5  # from the map's message to its parts: deck.gl's first frame comes first
SLICE_S = 0.05
PAGE_KEY = "_later_page"       # the page of the last full run
WAITING_KEY = "_later_waiting"  # the page whose parts still wait for its map, or None


def arrive(page_file: str) -> None:
    """At the start of every full run of a page: a run of another page than the last
    one is an arrival, whose parts wait for the map."""
    page = Path(page_file).stem
    if st.session_state.get(PAGE_KEY) != page:
        st.session_state[PAGE_KEY] = page
        st.session_state[WAITING_KEY] = page


def after_map(page_file: str, draw: Callable[[], None], placeholder: str = "") -> None:
    """Call ``draw``, after :data:`WAIT_S` on arriving at the page (see the module).

    One call per run of a page: ``draw`` may write into any of the page's
    containers.  While waiting, ``placeholder`` (a caption; nothing when empty)
    stands where this is called.  The wait is spent once per arrival, even
    when its run is stopped by a widget's rerun.
    """
    spot = st.empty()  # in every run, so that the parts keep their place in the page
    if st.session_state.get(WAITING_KEY) == Path(page_file).stem:
        st.session_state[WAITING_KEY] = None
        if WAIT_S > 0:
            if placeholder:
                spot.caption(placeholder)
            wait(WAIT_S)
            spot.empty()
    draw()


def wait(seconds: float) -> None:
    """Sleep ``seconds`` in slices, letting Streamlit stop or rerun the run between them."""
    check = _yield_check()
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(left, SLICE_S))
        check()


def _yield_check() -> Callable[[], None]:
    """Streamlit's stop/rerun check of this script run (no-op outside a run)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import (
            get_run_yield_check)
    except ImportError:  # another Streamlit: the wait is then not interruptible
        return lambda: None
    return get_run_yield_check() or (lambda: None)
