"""分组规划's comparison of two plans (方案对比, 方案审核, a save refused as stale): their
maps side by side, the figures and the villages that move, with downloads."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from analysis.scenario_compare import MOVED_LABELS
from maps.planning import scenario_map
from report.exports import comparison_to_xlsx, table_to_csv
import texts
from texts import planning as tp
from ui import cached_planning as cp, frame
from ui.folium_map import st_folium


def figures_view(figures: pd.DataFrame, name_a: str, name_b: str) -> pd.DataFrame:
    """The comparison table as shown: percentages and 万元 formatted, columns named."""
    rows = []
    for row in figures.itertuples(index=False):
        unit = row[1]
        delta = row[4]
        rows.append({"指标": row[0], f"A：{name_a}": texts.format_value(row[2], unit),
                     f"B：{name_b}": texts.format_value(row[3], unit),
                     "差值（B−A）": texts.NO_VALUE if delta is None else
                     texts.format_delta(delta, unit) if delta else "0"})
    return pd.DataFrame(rows)


def comparison_view(src, params, county, township, rules, settings, doc_a, doc_b,
                    title_a: str, title_b: str, key: str) -> None:
    """Two plans side by side: their maps, the figures and the villages that move."""
    comparison = cp.compare(src, params, doc_a, doc_b, rules)
    base = cp.base(src, county, township, settings)
    a, b = st.columns(2)
    for col, doc, map_key, title in ((a, doc_a, f"{key}_map_a", title_a),
                                     (b, doc_b, f"{key}_map_b", title_b)):
        with col:
            st.markdown(f"**{texts.plain(title)}**")
            st_folium(scenario_map(base, doc if doc is not None else cp.today(src)),
                      key=map_key, height=420, use_container_width=True, returned_objects=[])
    if frame.held_county() is None:  # the figures are the city's: not for an area account
        st.subheader(tp.COMPARE_FIGURES, anchor=False)
        st.dataframe(figures_view(comparison.figures, title_a, title_b), hide_index=True)
    st.subheader(tp.COMPARE_MOVED.format(n=len(comparison.moved)), anchor=False)
    st.dataframe(comparison.moved.rename(columns=MOVED_LABELS), hide_index=True)
    a, b = st.columns(2)
    a.download_button(tp.DOWNLOAD_CSV, table_to_csv(comparison.moved, MOVED_LABELS),
                      file_name="方案对比_调整村.csv", mime="text/csv", key=f"{key}_csv")
    b.download_button(tp.DOWNLOAD_XLSX, comparison_to_xlsx(comparison),
                      file_name="方案对比.xlsx", key=f"{key}_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
