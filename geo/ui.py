"""Small Streamlit render helpers shared by the pages (cards, errors, picks)."""
from __future__ import annotations

import streamlit as st

from analysis.kpis import KPI_LABELS
from geo import texts
from geo.problems import DatasetError



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
    if not county:
        return texts.ALL_COUNTIES
    name, towns = options[county]
    return name + (f" · {towns[township]}" if township else "")
