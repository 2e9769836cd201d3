"""Small Streamlit render helpers shared by the pages (cards, errors, picks)."""
from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from analysis.kpis import KPI_LABELS
from geo.problems import DatasetError
from maps.overview import picked_area
import texts
from texts import auth as ta, national as tn
from ui import cached, later, national

FRAME_KEY, WANTED_KEY, LOCK_KEY = "_frame_ran", "_wanted_page", "_area_lock"


def require_frame(page_file: str) -> None:
    """Run the page inside the frame (``dashboard.py``) even on a server's very first visit.

    On a freshly started server, Streamlit serves a direct first visit to
    ``/joint`` from the ``pages/`` folder on its own (the old multipage mode)
    until ``st.navigation`` has run once; the shared sidebar would be missing.
    The page then goes through the frame, which comes back to it.
    """
    if not st.session_state.get(FRAME_KEY):
        st.session_state[WANTED_KEY] = f"pages/{Path(page_file).name}"
        st.switch_page("dashboard.py", query_params=dict(st.query_params))


def return_to_wanted_page(allowed: set[str]) -> None:
    """In the frame: mark it as run, and go on to a page that asked for it when it is
    one of the ``allowed`` page scripts (an account's menu); else stay on the first page."""
    st.session_state[FRAME_KEY] = True
    wanted = st.session_state.pop(WANTED_KEY, None)
    if wanted in allowed:
        st.switch_page(wanted, query_params=dict(st.query_params))


def open_page(page_file: str):
    """The start of every data page: through the frame, then the dataset shown.

    Returns ``(source, dataset)``; a refused dataset is shown in Chinese and
    the page stops, and so does the national overview of a national folder
    before a province is chosen (:mod:`ui.national`).
    """
    require_frame(page_file)
    later.arrive(page_file)
    src = cached.current_source()
    if src.whole_nation:  # a national folder without a province: the overview (issue 18)
        national.national_page(src, metric_cards, Path(page_file).name == "overview.py")
    if src.national:
        st.caption(tn.PROVINCE_NOTE)
    try:
        return src, cached.dataset(src)
    except DatasetError as exc:
        show_dataset_error(exc)


def show_dataset_error(exc: DatasetError) -> None:
    """The refusal in Chinese, one line per problem; then stop the page."""
    st.error(texts.DATA_ERROR)
    st.code("\n".join(str(p) for p in exc.errors[:50]), language=None)
    st.stop()


def metric_cards(figs: dict, keys: tuple, previous: dict | None = None, columns: int = 5) -> None:
    """One ``st.metric`` per figure; the change against ``previous`` where both exist."""
    cols = st.columns(columns)
    for i, key in enumerate(keys):
        label, unit = KPI_LABELS[key]
        delta = None
        if previous is not None and figs[key] is not None and previous.get(key) is not None:
            change = figs[key] - previous[key]
            delta = texts.format_delta(change, unit) if change else None
        cols[i % columns].metric(label, texts.format_value(figs[key], unit), delta,
                                 delta_color="off" if key in texts.NEUTRAL_DELTAS else
                                 "inverse" if key in texts.LOWER_IS_BETTER else "normal")


def area_title(options: dict, county: str | None, township: str | None) -> str:
    if not county:  # the whole dataset: the province chosen of a national folder (issue 18)
        province = st.session_state.get(cached.PROVINCE_KEY)
        return tn.province_name(province) if province else texts.ALL_COUNTIES
    name, towns = options[county]
    return name + (f" · {towns[township]}" if township else "")


AREA_KEYS = ("county", "township", "village")


FULL_RUN_AREA = "_full_run_area"


def note_full_run_area() -> None:
    """Remember the area the sidebar was drawn for (``dashboard.py``, every full run)."""
    st.session_state[FULL_RUN_AREA] = area_state()


def rerun_app_if_area_moved() -> None:
    """In a fragment (汇报模式's screen): when a click or 返回上一级 changed the area,
    run the whole app, so that the sidebar's county/township/village select boxes
    are drawn again for it.  A fragment rerun leaves them as they were, and their
    old options undid the second drill-down (county → township)."""
    if st.session_state.get(FULL_RUN_AREA, area_state()) != area_state():
        note_full_run_area()  # once: a full run that draws no sidebar must not loop
        st.rerun(scope="app")


def area_state() -> tuple:
    """The sidebar's area: ``(county, township, village)`` codes, ``None`` where unset."""
    return tuple(st.session_state.get(key) for key in AREA_KEYS)


def area_map_key(prefix: str) -> str:
    """A map's widget key for the area shown: every drill-down starts a fresh map
    (no selection carried over, which Streamlit would draw dimmed)."""
    return "_".join((prefix, *(str(code) for code in area_state())))


def drill_down(map_key: str) -> None:
    """``on_select`` of an area map: the picked county, township or village (one
    level below the area shown) becomes the sidebar's area."""
    county, township, _ = area_state()
    for key, code in picked_area(st.session_state.get(map_key), county, township).items():
        st.session_state[key] = code


def area_map(container, deck, prefix: str, height: int) -> None:
    """``st.pydeck_chart`` of an area map whose clicks drill down (:func:`drill_down`)."""
    key = area_map_key(prefix)
    container.pydeck_chart(deck, height=height, key=key, selection_mode="single-object",
                           on_select=functools.partial(drill_down, key))


def lock_area(options: dict, account) -> dict:
    """The sidebar's county and township an account is held to (SPEC §7: a county
    account sees that county only, its sidebar starts and stays there).

    Sets them in the session state and returns ``{"county": …, "township": …}``
    (``None`` where free).  An account whose area is not in the dataset is told
    so, and the page stops.
    """
    lock = {"county": None, "township": None}
    if account.area:
        for county, (_, townships) in options.items():
            if account.area == county:
                lock["county"] = county
            elif account.area in townships:
                lock.update(county=county, township=account.area)
        if lock["county"] is None:
            st.error(ta.AREA_MISSING.format(name=account.name, area=account.area))
            st.stop()
        for key, code in lock.items():
            if code and st.session_state.get(key) != code:
                st.session_state[key] = code
    st.session_state[LOCK_KEY] = lock
    return lock


def held_county() -> str | None:
    """The county the session's account is held to (a county or township account)."""
    return (st.session_state.get(LOCK_KEY) or {}).get("county")


def can_go_up() -> bool:
    """Whether the area shown has a level above it that the account may see."""
    lock = st.session_state.get(LOCK_KEY) or {}
    return any(st.session_state.get(key) and not lock.get(key) for key in AREA_KEYS)


def go_up() -> None:
    """One level up: the village is dropped, else the township, else the county —
    never above the account's area."""
    lock = st.session_state.get(LOCK_KEY) or {}
    for key in reversed(AREA_KEYS):
        if st.session_state.get(key):
            if lock.get(key):
                return
            st.session_state[key] = None
            return
