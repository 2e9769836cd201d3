"""The year slider of 总览, 汇报模式, 跨村联建 and 排名, the date of the data said
beside the figures, and the briefing's playback (SPEC §3 "As of a year").

Each page's slider has its own widget key; the year chosen is also kept in
:data:`YEAR_KEY`, so the next page opens at the same year.  The latest year
is the data as they are (:func:`ui.cached.params_at`).

Playback (汇报模式): 播放 sets :data:`PLAY_KEY`; the page then runs its
screen as an ``st.fragment(run_every=PLAY_SECONDS)``, and every timed run
of the fragment moves one year on (:func:`play_step`).  At the last year,
or when 停止 is pressed or the slider moved, playback stops and the whole
page runs again without the timer.
"""
from __future__ import annotations

import functools

import streamlit as st

import texts
from analysis.params import Params
from ui import cached

YEAR_KEY = "_as_of_year"        # the year last chosen on any page
PLAY_KEY = "briefing_playing"   # playback on
PLAY_SECONDS = 2.5              # s per year
_FULL_RUN = "_briefing_full_run"  # set by the page's own run, popped by the fragment
_RESTART = "_briefing_restart"    # playback switched: the page must run again in full


def _chosen(key: str, stop: bool) -> None:
    st.session_state[YEAR_KEY] = st.session_state[key]
    if stop and st.session_state.get(PLAY_KEY):
        st.session_state[PLAY_KEY] = False
        st.session_state[_RESTART] = True


def year_slider(src: cached.Source, key: str, container=None) -> int | None:
    """A ``st.select_slider`` of the data's years (:func:`ui.cached.years`) under
    ``key``, at the year last chosen (else the latest); returns the year
    (``None`` when the data have no dates; no slider for a single year).

    Moving it stops the briefing's playback.
    """
    offered = list(cached.years(src))
    if len(offered) < 2:
        return offered[0] if offered else None
    if st.session_state.get(key) not in offered:
        wanted = st.session_state.get(YEAR_KEY)
        st.session_state[key] = wanted if wanted in offered else offered[-1]
    (container or st).select_slider(texts.YEAR_SLIDER, offered, key=key,
                                    format_func=texts.YEAR_OPTION.format,
                                    on_change=functools.partial(_chosen, key, True))
    st.session_state[YEAR_KEY] = st.session_state[key]
    return st.session_state[key]


def data_date(year: int | None, figs: dict) -> str:
    """"数据截至 2023 年" with the income years and what has no date (grids, sites).

    >>> data_date(2020, {"base_year": 2019, "eval_year": 2020}).split("；")[0]
    '数据截至 2020 年（收入基期 2019 年，评估年 2020 年）'
    """
    base, last = figs.get("base_year"), figs.get("eval_year")
    income = (texts.YEARS.format(base=base, eval=last) if last is not None
              else texts.NO_INCOME_YET)
    head = texts.DATA_AS_OF.format(year=year) if year is not None else ""
    return f"{head}（{income}）；{texts.DATA_AS_OF_NOTE}"


def page_params(src: cached.Source, key: str, container=None) -> tuple[int | None, Params]:
    """The slider under ``key`` and the figures' parameters of its year."""
    year = year_slider(src, key, container)
    return year, cached.params_at(src, year)


def toggle_play(src: cached.Source, key: str) -> None:
    """``on_click`` of 播放/停止: start (from the first year when at the last) or stop."""
    playing = not st.session_state.get(PLAY_KEY, False)
    st.session_state[PLAY_KEY] = playing
    offered = list(cached.years(src))
    if playing and offered and st.session_state.get(key, offered[-1]) >= offered[-1]:
        st.session_state[key] = st.session_state[YEAR_KEY] = offered[0]
    st.session_state[_RESTART] = True


def play_button(src: cached.Source, key: str, container=None) -> None:
    """播放 (or 停止 while playing), switching :data:`PLAY_KEY`."""
    if len(cached.years(src)) < 2:
        return
    playing = st.session_state.get(PLAY_KEY, False)
    (container or st).button(
        texts.STOP if playing else texts.PLAY, key="briefing_play", type="primary",
        icon=":material/stop:" if playing else ":material/play_arrow:",
        help=texts.PLAY_HELP.format(seconds=PLAY_SECONDS),
        on_click=functools.partial(toggle_play, src, key))


def mark_full_run() -> float | None:
    """Called by the page before its screen fragment: the fragment's timer
    (:data:`PLAY_SECONDS` while playing, else ``None``)."""
    st.session_state[_FULL_RUN] = True
    return PLAY_SECONDS if st.session_state.get(PLAY_KEY) else None


def play_step(src: cached.Source, key: str) -> None:
    """At the start of the screen fragment: a page run shows the year as it is;
    a timed run while playing moves one year on, and at the last year stops
    and runs the page again (which drops the timer)."""
    if st.session_state.pop(_RESTART, False):
        st.rerun(scope="app")
    if st.session_state.pop(_FULL_RUN, False) or not st.session_state.get(PLAY_KEY):
        return
    advance_year(list(cached.years(src)), key)


def advance_year(offered: list, key: str) -> None:
    """One playback step: the year under ``key`` moves to the next of ``offered``;
    on reaching the last, playback stops and the page runs again in full."""
    current = st.session_state.get(key, offered[-1])
    following = [y for y in offered if y > current]
    if following:
        st.session_state[key] = st.session_state[YEAR_KEY] = following[0]
    if len(following) <= 1:  # the last year is shown by the page's own run
        st.session_state[PLAY_KEY] = False
        st.rerun(scope="app")
