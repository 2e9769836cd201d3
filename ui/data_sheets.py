"""Sheets as people keep them, on the 数据管理 page (SPEC §5): the names to settle,
the preview of the sheet as read, the second file of a villages import.

The matching and converting are :mod:`geo.ingest.names`, :mod:`geo.ingest.numbers`
and :mod:`geo.ingest.wide`; this module only shows their outcome and takes the
user's picks (``乡镇/村名`` → village code), kept in ``st.session_state.data_picks``
and remembered in the data folder on confirm (:func:`geo.ingest.names.remember_names`).
"""
from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from geo.ingest.by_name import FULL_OPTIONS, recalled_names
from geo.ingest.read import FORMAT_LABELS
import texts
from texts import data as td

PICKS = "data_picks"
RECALLED = "data_picks_recalled"


def start_picks(folder) -> None:
    """A new upload: the picks remembered in the data folder apply to it."""
    recalled = recalled_names(folder)
    st.session_state[PICKS] = dict(recalled)
    st.session_state[RECALLED] = dict(recalled)


def current_picks() -> dict:
    return dict(st.session_state.get(PICKS) or {})


def _picked(key: str, widget: str) -> None:
    """A selectbox of :func:`names_section` changed: that name's pick, or none."""
    picks = current_picks()
    choice = st.session_state.get(widget)
    if choice is None:
        picks.pop(key, None)
    else:
        picks[key] = choice
    st.session_state[PICKS] = picks


def _rows_text(rows) -> str:
    shown = "、".join(str(r) for r in rows[:5])
    return shown + ("等" if len(rows) > 5 else "")


def names_section(plan, suffix: str) -> None:
    """One selectbox per written name that matched no village or several (or was picked)."""
    if not plan.matches:
        return
    st.markdown(f"**{td.NAMES}**")
    st.caption(td.NAMES_HELP)
    recalled = st.session_state.get(RECALLED) or {}
    reused = [m for m in plan.matches if m.status == "picked" and recalled.get(m.key) == m.pick]
    if reused:
        st.caption(td.NAMES_RECALLED.format(n=len(reused)))
    for match in plan.matches[:FULL_OPTIONS]:
        labels = dict(match.options)
        codes = [None, *labels]
        widget = f"data_village_{hashlib.sha1(match.key.encode()).hexdigest()[:12]}_{suffix}"
        st.selectbox(td.NAME_PICK.format(name=match.label, rows=_rows_text(match.rows)), codes,
                     index=codes.index(match.pick) if match.pick in codes else 0, key=widget,
                     format_func=lambda c, labels=labels: td.NAME_NONE if c is None else labels[c],
                     placeholder=td.NAME_PLACEHOLDER, on_change=_picked, args=(match.key, widget))
        if match.status != "picked":
            st.caption(texts.plain(match.reason))
    if len(plan.matches) > FULL_OPTIONS:
        st.warning(td.NAMES_MORE.format(n=len(plan.matches) - FULL_OPTIONS))


def preview_section(plan, result) -> None:
    """The layer as it would be written (long, converted), the converted columns marked."""
    frame = plan.layers.get(plan.layer) if plan.layers else result.frame
    if frame is None:
        return
    marks = dict(plan.marks)
    converted = bool(marks or result.years)
    with st.expander(td.PREVIEW_READ if converted else td.PREVIEW, expanded=converted):
        shown = pd.DataFrame(frame.drop(columns="geometry", errors="ignore")).head(50)
        shown = shown.rename(columns={c: f"{c}（{m}）" for c, m in marks.items()})
        if marks:
            st.caption(td.PREVIEW_MARKED.format(marks="；".join(f"{c}：{m}"
                                                                for c, m in marks.items())))
        st.dataframe(shown, hide_index=True, key="data_preview")


def attributes_summary(result) -> None:
    """What was read of the attribute file joined to the boundaries."""
    attrs = result.attributes
    if attrs is None or attrs.file_format is None:
        return
    sheet = f"，工作表 {attrs.source_layer}" if attrs.source_layer else ""
    rows = len(attrs.frame) if attrs.frame is not None else 0
    st.caption(td.READ_ATTRIBUTES.format(fmt=FORMAT_LABELS.get(attrs.file_format,
                                                               attrs.file_format),
                                         sheet=texts.plain(sheet), n=rows))
