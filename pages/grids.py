"""网格治理: unit-grid standards, coverage integrity, drill-down to a unit grid."""
import functools

import streamlit as st

from analysis.grid_tree import (child_options, integrity_scope, level_figures, node_path,
                                noncompliant_grids, selected_node)
from analysis.kpis import KPI_LABELS
from geo import schema as s
from maps.grids import grid_legend
from maps.styles import legend_html
import texts
from ui import cached, cached_grids, frame, later

DRILL = (("grid_village", "village", 2), ("grid_l3", "l3", 3), ("grid_l4", "l4", 4))
CARDS = {3: ("grid_l3", "grid_l3_branch_coverage"),
         4: ("grid_l4", "grid_l4_standard_share", "grid_manager_coverage",
             "grid_l4_mean_households")}
LABELS = {**KPI_LABELS, **texts.GRID_FIGURE_LABELS}


def select_picked(tree, map_key: str) -> None:
    """``on_select``: a clicked grid or defect selects its village, 片区 and unit grid."""
    objects = (st.session_state.get(map_key) or {}).get("selection", {}).get("objects", {})
    path = next((node_path(tree, o.get("c")) for rows in objects.values() for o in rows), {})
    for state_key, by, _ in DRILL if path else ():
        st.session_state[state_key] = path[by]


src, data = frame.open_page(__file__)
area = {key: st.session_state.get(key) for key in ("county", "township", "village")}
title = frame.area_title(cached.area_options(src), area["county"], area["township"])
st.title(f"{texts.PAGE_GRIDS} · {title}")
if not data.has(s.GRIDS):
    st.info(texts.GRID_NO_DATA)
    st.stop()

tree, compliance = cached_grids.tree(src), cached_grids.compliance(src)
choices = dict(area)  # the sidebar's area, a village included, then the drill-down
for i, (column, (state_key, by, level)) in enumerate(zip(st.columns(3), DRILL)):
    enabled = i == 0 or choices[DRILL[i - 1][1]]
    shown = child_options(tree, level, *selected_node(area if i == 0 else choices)) \
        if enabled else {}
    if st.session_state.get(state_key) not in shown:
        st.session_state[state_key] = None
    column.selectbox(texts.GRID_DRILL[by], [None, *shown], key=state_key, disabled=not shown,
                     placeholder=texts.GRID_ALL,
                     format_func=lambda c, o=shown: texts.GRID_ALL if c is None else f"{o[c]} {c}")
    choices[by] = st.session_state[state_key] or choices.get(by)
by, code = selected_node(choices)

figs = level_figures(tree, compliance, by, code)
for level, keys in CARDS.items():
    st.markdown(f"**{texts.GRID_LEVEL_HEADS[level]}**")
    for column, key in zip(st.columns(4), keys):
        column.metric(LABELS[key][0], texts.format_value(figs[key], LABELS[key][1]))

map_key = f"grid_map_{by}_{code}"
st.pydeck_chart(cached_grids.deck(src, by, code), height=600, key=map_key,
                on_select=functools.partial(select_picked, tree, map_key),
                selection_mode="single-object")
st.html(legend_html(grid_legend()))
st.caption(texts.GRID_MAP_CAPTION)

st.subheader(texts.GRID_INTEGRITY)
integrity = cached_grids.integrity(src).within(*integrity_scope(tree, by, code))
for column, (label, value) in zip(st.columns(3), texts.integrity_cards(integrity.summary())):
    column.metric(label, value)


def tables() -> None:
    """The integrity tables, the list of non-compliant grids and its download."""
    for tab, table in zip(st.tabs(list(texts.GRID_INTEGRITY_TABS.values())),
                          integrity.tables().values()):
        tab.dataframe(table.rename(columns=texts.GRID_COLUMNS), hide_index=True)
    st.subheader(texts.GRID_NONCOMPLIANT.format(n=len(bad)))
    st.dataframe(bad, hide_index=True, key="grid_noncompliant")
    st.download_button(texts.GRID_DOWNLOAD, bad.to_csv(index=False).encode("utf-8-sig"),
                       file_name=texts.GRID_CSV_NAME.format(code=code or "all"), mime="text/csv")


bad = noncompliant_grids(compliance, tree, by, code).rename(columns=texts.GRID_COLUMNS)
later.after_map(__file__, tables, texts.LATER_TABLES)
