"""Rankings and target marks for the pages (排名, and the overview map's outlines).

Cached per dataset (:class:`ui.cached.Source`), parameters (the year) and the
county whose townships are ranked (``None``: the counties); the targets of
``dashboard.toml [targets]`` are part of the key.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.params import Params
from analysis.rankings import DIRECTIONS, RANK_KEYS, area_marks, label_of, rank_areas
from geo.settings import load_settings
from maps.marks import MARK_FILLS
from report.targets import behind_sentence, target_text
import texts
from ui import cached


def level_name(src: cached.Source, county: str | None) -> str:
    """各县（市、区）, or 永安市各乡镇（街道）."""
    if not county:
        return texts.RANK_LEVELS["county"]
    return texts.RANK_LEVELS["township"].format(county=cached.area_options(src)[county][0])


def table(src: cached.Source, params: Params, county: str | None) -> pd.DataFrame:
    """:func:`analysis.rankings.rank_areas` of the counties, or of the townships of
    ``county``, with the change against the year before and the settings' targets."""
    settings = load_settings()
    return _table(src, params, county, settings.targets, settings.yellow_margin)


@st.cache_resource(max_entries=32)
def _table(src: cached.Source, params: Params, county: str | None, targets: tuple,
           margin: float) -> pd.DataFrame:
    by = "township" if county else "county"
    keep = set(cached.area_options(src)[county][1]) if county else None

    def rows(p: Params) -> list:
        return [r for code, r in cached.area_figures(src, p, by).items()
                if keep is None or code in keep]

    before = cached.previous_year(src, params)
    return rank_areas(rows(params), rows(before) if before else None, targets, margin)


def map_marks(src: cached.Source, params: Params, county: str | None, key: str | None) -> dict:
    """``{area code: mark}`` of figure ``key`` for the outlines of the overview map."""
    return area_marks(table(src, params, county), key) if key else {}


def label(key: str) -> str:
    return label_of(key)[0]


def _text(value, unit: str, delta: bool = False) -> str:
    if value is None or value != value:
        return texts.NO_VALUE
    if unit == "个" and float(value).is_integer():
        value = int(value)
    return texts.format_delta(value, unit) if delta else texts.format_value(value, unit)


def _fill(mark) -> str:
    return f"background-color: {MARK_FILLS[mark]}" if mark in MARK_FILLS else ""


def ranking_view(ranked: pd.DataFrame, key: str):
    """One figure's ranking as shown: rank, area, value, change, target, mark (a
    ``Styler``: the mark's cell in its colour)."""
    rows = ranked[ranked["key"] == key]
    unit = label_of(key)[1]
    sign = texts.TARGET_RELATIONS[DIRECTIONS[key]][0] if key in DIRECTIONS else ""
    view = pd.DataFrame({
        "rank": [texts.NO_VALUE if r != r else str(int(r)) for r in rows["rank"]],
        "name": rows["name"].astype(str).to_numpy(),
        "value": [_text(v, unit) for v in rows["value"]],
        "change": [_text(v, unit, delta=True) for v in rows["change"]],
        "target": [texts.NO_VALUE if t != t else sign + target_text(key, t)
                   for t in rows["target"]],
        "mark": [texts.MARK_LABELS.get(m, texts.NO_VALUE) for m in rows["mark"]]})
    fills = [_fill(m) for m in rows["mark"]]
    column = texts.RANK_COLUMNS["mark"]
    return view.rename(columns=texts.RANK_COLUMNS).style.apply(lambda _: fills, subset=[column])


def board_view(ranked: pd.DataFrame):
    """Every area (in code order) against every target: the value in each cell, the
    cell in its mark's colour (a ``Styler``)."""
    keys = [k for k in RANK_KEYS if k in DIRECTIONS and ranked.loc[
        ranked["key"] == k, "target"].notna().any()]
    areas = ranked.drop_duplicates("code").sort_values("code")
    board = pd.DataFrame({texts.RANK_COLUMNS["name"]: areas["name"].astype(str).to_numpy()})
    fills = pd.DataFrame("", index=board.index, columns=board.columns)
    for key in keys:
        rows = ranked[ranked["key"] == key].set_index("code").reindex(areas["code"])
        board[label(key)] = [_text(v, label_of(key)[1]) for v in rows["value"]]
        fills[label(key)] = [_fill(m) for m in rows["mark"]]
    return board.style.apply(lambda _: fills, axis=None)


def behind_text(ranked: pd.DataFrame, key: str, county: str | None) -> str:
    """Who misses the target of ``key`` (the Word report's sentence); for a figure
    without a target, that it is only ranked."""
    if ranked.loc[ranked["key"] == key, "target"].isna().all():
        return texts.RANK_NO_TARGET.format(label=label(key))
    return behind_sentence(ranked, key, texts.REPORT_LEVELS["township" if county else "county"])


def margin_note() -> str:
    return texts.RANK_MARGIN.format(margin=f"{load_settings().yellow_margin:.0%}")
