"""Preparing the other pages in the background once the first page is on screen.

The first visitor after a start (or after a new dataset version) would wait
for the 网格治理 layers (≈ 4 s on the demo), the scenario context and the
跨村联建 map when opening those pages.  After the frame has run its first
page, one background thread per dataset version computes them through the
same cached functions the pages call; Streamlit's per-key compute lock makes
a page that asks meanwhile wait for that result instead of computing it twice.
"""
from __future__ import annotations

import logging
import sys
import threading
import time

import streamlit as st

THREAD_NAME = "dashboard-warmup"
DELAY_S = 4.0  # s after the first page's script has run
log = logging.getLogger(__name__)


class _OwnThreadOnly(logging.Filter):
    """Drops Streamlit's "missing ScriptRunContext" lines of the warm-up thread:
    it calls cached functions outside any page run on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.threadName == THREAD_NAME and "ScriptRunContext" in record.getMessage())


def _warm(src, params, delay_s: float) -> None:
    from geo.problems import DatasetError
    from geo.settings import load_settings
    from ui import cached, cached_grids, cached_joint, cached_planning, cached_walk

    time.sleep(delay_s)  # let the browser paint the first page before competing for the CPU
    try:
        settings = load_settings()
        if cached.dataset(src).has("grids"):
            cached_grids.deck(src, None, None)
        if cached.dataset(src).has("roads"):  # the 服务阵地 page's city map, 一刻钟
            cached_walk.deck(src, 15, None, None)
        cached_planning.context(src, params)
        cached_planning.base(src, None, None, settings)
        cached_joint.map_layers(src, params, "org", None, None, settings)
        cached_joint.breakdowns(src, params)
    except (DatasetError, ValueError, OSError) as exc:  # the pages will say it in Chinese
        log.info("warm-up stopped: %s", exc)
    except Exception:  # never let a background thread take anything down
        if not sys.is_finalizing():  # a process ending mid warm-up is no failure
            log.exception("warm-up failed")


@st.cache_resource(max_entries=4)
def _started(src, params) -> threading.Thread:
    thread = threading.Thread(target=_warm, args=(src, params, DELAY_S), name=THREAD_NAME,
                              daemon=True)
    thread.start()
    return thread


def warm_up(src, params) -> None:
    """Start the background preparation for this dataset version (once)."""
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        _FILTER)
    _started(src, params)


_FILTER = _OwnThreadOnly()
