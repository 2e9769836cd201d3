"""The national overview of a partitioned dataset (issue 18).

A folder written by ``python -m analysis export-parquet`` with several
provinces is shown by province: the sidebar offers the provinces first
(:func:`province_select`); until one is chosen every data page shows the
national overview (:func:`national_page`), drawn from what the partitioned
engine wrote (``kpis DIR --workers N --save-table``): the figures of the
nation, each province and county, and county outlines.  No village is loaded
for it.  Choosing a province (in the sidebar, or by a click on the map) loads
that province's partitions, and the pages work on them as on any dataset.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.kpis import KPI_LABELS
from geo.partitioned import province_of, read_figures
from maps.national import national_map, province_outlines
from maps.styles import legend_html
import texts
from texts import national as tn
from ui.cached import PROVINCE_KEY, Source, partition_provinces

CARDS = ("villages_total", "joint_coverage", "joint_orgs", "avg_income_gain_joint",
         "low_income_villages", "grid_l4", "grid_l4_standard_share", "grid_area_coverage",
         "service_population_coverage", "walk_service_population_coverage")
FIGURES = ("joint_coverage", "grid_area_coverage", "grid_l4_standard_share",
           "service_population_coverage", "walk_service_population_coverage",
           "avg_income_gain_joint", "star4plus_share")
TABLE_KEYS = ("villages_total", "joint_coverage", "grid_l4", "grid_area_coverage",
              "service_population_coverage")
MAP_KEY = "national_map"


@st.cache_resource(max_entries=4)
def national_figures(path: str, version: float) -> dict | None:
    """The engine's table, county and province outlines, and when it ran (None: not yet)."""
    found = read_figures(path)
    if found is None:
        return None
    table, counties, info = found
    table = table.assign(name=[tn.province_name(code) if level == "province" else name
                               for level, code, name in zip(table["level"], table["code"],
                                                            table["name"])])
    return {"table": table, "counties": counties, "info": info,
            "provinces": province_outlines(counties) if counties is not None else None}


def province_select(src: Source, area: str | None = None) -> None:
    """The sidebar's province of a national folder; an account held to an area keeps
    its province."""
    options = partition_provinces(src.path, src.version)
    held = province_of(area) if area else None
    if held in options:
        st.session_state[PROVINCE_KEY] = held
    elif st.session_state.get(PROVINCE_KEY) not in options:
        st.session_state[PROVINCE_KEY] = None  # a click on no province, or another dataset
    st.selectbox(tn.SIDEBAR_PROVINCE, [held] if held in options else [None, *options],
                 key=PROVINCE_KEY, disabled=held in options, placeholder=tn.ALL_PROVINCES,
                 format_func=lambda p: tn.ALL_PROVINCES if p is None else tn.province_name(p))


def _pick_province() -> None:
    objects = ((st.session_state.get(MAP_KEY) or {}).get("selection") or {}).get("objects")
    for obj in (objects or {}).get("areas") or ():
        code = (obj.get("properties") or obj).get("code") if isinstance(obj, dict) else None
        if code:  # a province's code, or a county's (its province)
            st.session_state[PROVINCE_KEY] = code if len(code) <= 2 else province_of(code)
            return


@st.cache_resource(max_entries=16)
def _deck(path: str, version: float, level: str, key: str):
    figures = national_figures(path, version)
    outlines = figures["provinces" if level == "province" else "counties"]
    code = "province" if level == "province" else "county_code"
    rows = figures["table"][figures["table"]["level"] == level].set_index("code")
    areas = outlines.assign(code=outlines[code].astype(str)).reset_index(drop=True)
    areas["name"] = areas["code"].map(rows["name"]).fillna(areas["code"])
    label, unit = KPI_LABELS[key]
    values = areas["code"].map(rows[key]).astype(float)
    if unit == "%":
        values = values * 100
    return national_map(areas, values, label, unit)


def national_page(src: Source, cards, overview: bool) -> None:
    """The national overview; then the page stops.  ``cards`` draws metric cards
    (:func:`ui.frame.metric_cards`); ``overview``: the page asked for is the overview
    (another page says first that it needs a province)."""
    st.title(f"{texts.APP_TITLE} · {tn.TITLE}")
    if not overview:
        st.info(tn.PICK_PROVINCE)
    figures = national_figures(src.path, src.version)
    if figures is None:
        st.warning(tn.NO_TABLE.format(path=src.path))
        st.stop()
    table, info = figures["table"], figures["info"]
    st.caption(tn.COMPUTED.format(created=info.get("created", "?"),
                                  radius=info.get("params", {}).get("service_radius_m", 0)))
    nation = table[table["level"] == "national"].iloc[0]
    cards({k: None if pd.isna(v) else v for k, v in nation.items()}, CARDS)
    left, right = st.columns([3, 1])
    level = right.radio(tn.LEVEL, list(tn.LEVELS), format_func=tn.LEVELS.get,
                        key="national_level")
    key = right.selectbox(tn.FIGURE, FIGURES, format_func=lambda k: KPI_LABELS[k][0],
                          key="national_figure", placeholder=tn.FIGURE)
    if figures["counties"] is not None:
        deck, legend = _deck(src.path, src.version, level, key)
        left.pydeck_chart(deck, height=560, key=MAP_KEY, selection_mode="single-object",
                          on_select=_pick_province)
        left.html(legend_html(legend))
        left.caption(tn.MAP_CAPTION)
    st.subheader(tn.TABLE[level])
    rows = table[table["level"] == level][["code", "name", *TABLE_KEYS]]
    st.dataframe(rows.rename(columns={**tn.TABLE_COLUMNS,
                                      **{k: KPI_LABELS[k][0] for k in TABLE_KEYS}}),
                 hide_index=True)
    st.stop()
