"""Playing a briefing sequence full screen in 汇报模式: one view at a time, with
上一页/下一页, the keys ← → (and PageUp/PageDown, as a presenter's clicker
sends), a click on the slide's panels, and an optional auto-advance.

The sequence and the view shown are kept in :data:`ui.sequence.PLAY_KEY` and
:data:`ui.sequence.SLIDE_KEY`, and in the address (``?seq=NAME&slide=N``, so a
reload, or a link, opens the same slide).  The slide is an
``st.fragment(run_every=…)`` while auto-advance is on: a timed run moves one
view on (after the last, back to the first); a run after a click or a key does
not (:func:`step`).  The keys and the click are a small script in the page
(:func:`key_script`) that clicks the 上一页/下一页 buttons: no request of its own.
"""
from __future__ import annotations

import functools
from html import escape

import streamlit as st

from geo import access
from geo.access import Area
from report.slides import (THEMES, area_name, coloring_of, slide_numbers, slide_title,
                           takeaway)
import texts
from texts import slides as tsl
from ui import auth, cached, cached_grids, cached_overview, rankings, sequence
from ui import screen as screen_size
from ui.briefing import briefing_css, number_panel

EVERY_KEY = "seq_every"            # seconds between views, 0: no auto-advance
_FULL_RUN = "_seq_full_run"        # set by the page's own run, popped by the fragment
_MOVED = "_seq_moved"              # a click or a key moved: the next run does not advance
_RESTART = "_seq_restart"          # auto-advance switched: the page must run again in full
NEXT, PREV = "seq_next", "seq_prev"  # the buttons' keys (the key script clicks them)

SLIDE_MAP_PX = (1000, 900)  # a slide's map framing on a 1080p screen, before measuring


def active() -> bool:
    """Whether a sequence is being played (a ``?seq=`` address starts it)."""
    wanted = st.query_params.get("seq")
    if wanted and st.session_state.get(sequence.PLAY_KEY) != wanted:
        slide = st.query_params.get("slide", "1")
        sequence.start(wanted, int(slide) - 1 if slide.isdigit() and int(slide) > 0 else 0)
    return bool(st.session_state.get(sequence.PLAY_KEY))


def stop() -> None:
    """``on_click`` of 结束播放: back to the briefing screen."""
    for key in (sequence.PLAY_KEY, sequence.SLIDE_KEY, EVERY_KEY):
        st.session_state.pop(key, None)
    for key in ("seq", "slide"):
        st.query_params.pop(key, None)


def go(delta: int, total: int) -> None:
    """``on_click`` of 上一页/下一页: one view back or on, within the sequence."""
    current = st.session_state.get(sequence.SLIDE_KEY, 0)
    st.session_state[sequence.SLIDE_KEY] = min(max(current + delta, 0), total - 1)
    st.session_state[_MOVED] = True


def _every_changed() -> None:
    st.session_state[_RESTART] = True


def mark_full_run() -> float | None:
    """Called by the page before the slide fragment: its timer (the auto-advance
    interval in seconds, else ``None``)."""
    st.session_state[_FULL_RUN] = True
    return st.session_state.get(EVERY_KEY) or None


def step(total: int) -> int:
    """At the start of the fragment: the index of the view to show.  A timed run
    moves one view on (after the last, back to the first); the page's own run and a
    run after a click or a key show the view as it is."""
    if st.session_state.pop(_RESTART, False):
        st.rerun(scope="app")
    full = st.session_state.pop(_FULL_RUN, False)
    moved = st.session_state.pop(_MOVED, False)
    index = min(max(int(st.session_state.get(sequence.SLIDE_KEY, 0)), 0), total - 1)
    if not (full or moved) and st.session_state.get(EVERY_KEY):
        index = (index + 1) % total
    st.session_state[sequence.SLIDE_KEY] = index
    st.query_params["slide"] = str(index + 1)
    return index


def key_script() -> str:
    """The listener of ← → PageUp PageDown and of a click on a slide's panel
    (``.seq-advance``): it clicks 上一页/下一页.  Installed once per document; keys
    typed into a field, a slider or a list are left alone.

    >>> "ArrowRight" in key_script() and '"seq_next"' in key_script()
    True
    """
    return f"""<script>
(() => {{
  if (window.__seqKeys) return;
  window.__seqKeys = true;
  const press = key => {{
    const button = document.querySelector(`.st-key-${{key}} button`);
    if (button && !button.disabled) button.click();
  }};
  document.addEventListener("keydown", event => {{
    if (event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    const target = event.target;
    if (target && target.closest && target.closest(
        "input, textarea, select, [contenteditable=true], [role=slider], [role=combobox], "
        + "[role=listbox], [role=option]")) return;
    const key = {{ArrowRight: "{NEXT}", PageDown: "{NEXT}",
                 ArrowLeft: "{PREV}", PageUp: "{PREV}"}}[event.key];
    if (!key || !document.querySelector(`.st-key-${{key}}`)) return;
    event.preventDefault();
    press(key);
  }});
  document.addEventListener("click", event => {{
    if (event.target && event.target.closest && event.target.closest(".seq-advance")) {{
      press("{NEXT}");
    }}
  }});
}})();
</script>"""


def _deck(src: cached.Source, params, view, theme: str, view_px: tuple = (1000, 900)):
    """The view's map: 网格治理's compliance map, else the overview map (coloured as
    the view says; 排名: its areas outlined in their marks' colours)."""
    if view.page == "grids":
        by, code = ("township", view.township) if view.township else \
            ("county", view.county) if view.county else (None, None)
        return cached_grids.deck(src, by, code)
    coloring = coloring_of(view)
    ranked = view.page == "rankings"
    marks = rankings.map_marks(src, params, view.county, coloring) if ranked else None
    deck, _ = cached_overview.overview_deck(
        src, params, coloring if view.page == "overview" else "joint", view.county,
        None if ranked else view.township, outline=tuple(THEMES[theme]["line"]),
        view_px=tuple(view_px), marks=cached_overview.marks_items(marks),
        marks_title=f"{rankings.label(coloring)}：" if ranked else "")
    return deck


def header_html(title: str, sub: str, sample: bool) -> str:
    """The slide's title line and its date line (text escaped)."""
    badge = f'<span class="bn-badge">{escape(tsl.SAMPLE)}</span>' if sample else ""
    return (f'<div class="seq-head"><span class="bn-title">{escape(title)}</span>{badge}'
            f'<div class="bn-sub">{escape(sub)}</div></div>')


def takeaway_html(text: str) -> str:
    """The takeaway in a panel that a click moves on from.

    >>> "seq-advance" in takeaway_html("<b>") and "&lt;b&gt;" in takeaway_html("<b>")
    True
    """
    return (f'<div class="bn-panel seq-advance seq-takeaway"><div class="bn-label">'
            f'{escape(tsl.TAKEAWAY)}</div><div class="seq-said">{escape(text)}</div></div>')


def _nav(container, name: str, index: int, total: int) -> None:
    with container:
        prev, counter, following = st.columns([1, 1.6, 1], vertical_alignment="center")
        prev.button(tsl.PREV, key=PREV, icon=":material/chevron_left:", disabled=index == 0,
                    on_click=functools.partial(go, -1, total), width="stretch")
        said = tsl.COUNTER.format(n=index + 1, total=total, name=name)
        counter.html(f'<div class="seq-counter">{escape(said)}</div>')
        following.button(tsl.NEXT, key=NEXT, icon=":material/chevron_right:",
                         disabled=index == total - 1, on_click=functools.partial(go, 1, total),
                         width="stretch")
        every, leave = st.columns([1.6, 1], vertical_alignment="center")
        every.selectbox(tsl.EVERY, list(tsl.EVERY_OPTIONS), key=EVERY_KEY,
                        format_func=tsl.EVERY_OPTIONS.get, on_change=_every_changed,
                        label_visibility="collapsed", placeholder=tsl.EVERY_HINT)
        leave.button(tsl.STOP, key="seq_stop", icon=":material/close:", on_click=stop,
                     width="stretch")


def _start_picked() -> None:
    name = st.session_state.get("seq_start_pick")
    if name:
        sequence.start(name)
        st.query_params["seq"] = name


def start_menu(src: cached.Source) -> None:
    """播放汇报序列 (a popover on the briefing screen): the sequences the account may
    play, and a button that starts one."""
    try:
        saved = sequence.store().list()
    except ValueError:  # an unreadable store: the briefing screen still works
        return
    names = [q.name for q in sequence.visible(saved, auth.current(), cached.area_options(src))
             if q.views]
    if not names:
        return
    with st.popover(tsl.START, icon=":material/slideshow:"):
        st.selectbox(tsl.PICK, names, key="seq_start_pick", placeholder=tsl.START_PICK)
        st.button(tsl.START, key="seq_start", type="primary", on_click=_start_picked)


def screen(src: cached.Source) -> None:
    """One view of the sequence, full screen (the body of the page's fragment)."""
    if not active():  # 结束播放 (a run of this fragment): the page runs again in full
        st.rerun(scope="app")
    name = st.session_state.get(sequence.PLAY_KEY)
    try:
        views = sequence.store().get(name).views
    except ValueError:
        views = ()
    if not views:
        st.html(briefing_css("dark"))
        st.warning(tsl.GONE.format(name=texts.plain(str(name))))
        st.button(tsl.STOP, key="seq_stop", on_click=stop)
        return
    index = step(len(views))
    view = views[index]
    st.html(briefing_css(view.theme, map_offset_rem=10))
    st.html(key_script(), unsafe_allow_javascript=True)
    options = cached.area_options(src)
    area = area_name(options, *view.area)
    params = cached.params_at(src, view.year)
    year = cached.shown_year(src, params)
    head, nav = st.columns([3, 2], vertical_alignment="center")
    dated = texts.DATA_AS_OF.format(year=year) if year is not None else tsl.DATA_LATEST
    head.html(header_html(slide_title(view, area), dated, src.is_demo))
    _nav(nav, name, index, len(views))
    refusal = access.can(auth.current(), access.VIEW, Area(*view.area))
    if refusal:  # a view outside the account's area: said, never shown
        st.error(refusal)
        return
    if view.county and (view.county not in options or view.township
                        and view.township not in options[view.county][1]):
        st.warning(tsl.NO_AREA.format(code=view.township or view.county))  # another dataset
        return
    figs = cached.selection_figures(src, params, view.county, view.township)
    ranked = rankings.table(src, params, view.county) if view.page == "rankings" else None
    left, middle, right = st.columns([1, 2.4, 1])
    left.html(number_panel(slide_numbers(view, figs, ranked), view.theme)
              .replace('class="bn-panel"', 'class="bn-panel seq-advance"'))
    size = screen_size.measured()  # the browser's screen (4K, 拼接屏 …): the map framed for it
    middle.pydeck_chart(_deck(src, params, view, view.theme,
                              screen_size.framing_px(size, SLIDE_MAP_PX)), height=740,
                        key=f"seq_map_{index}")
    prose = area_name(options, *view.area, sep="")
    right.html(takeaway_html(takeaway(view, figs, prose, params, ranked)))
    screen_size.watch(screen_size.map_px(size, SLIDE_MAP_PX), screen_size.screen_scale(size))
