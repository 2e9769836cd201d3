"""总览：headline figures and the map of the selected area."""
import streamlit as st

from analysis.kpis import KPI_LABELS
from analysis.params import Params
from geo import cached, texts
from geo.maps import COLORINGS, legend_html, overview_map
from geo.problems import DatasetError

CARDS = ("joint_coverage", "joint_orgs", "joint_villages", "avg_income_gain_joint",
         "low_income_villages", "grid_l3", "grid_l4", "grid_l3_branch_coverage",
         "grid_manager_coverage", "service_population_coverage")

src = cached.current_source()
county, township = st.session_state.get("county"), st.session_state.get("township")
try:
    data = cached.dataset(src)
except DatasetError as exc:
    st.error(texts.DATA_ERROR)
    st.code("\n".join(str(p) for p in exc.errors[:50]), language=None)
    st.stop()

options = cached.area_options(src)
area = texts.ALL_COUNTIES if not county else options[county][0] + (
    f" · {options[county][1][township]}" if township else "")
st.title(f"{texts.APP_TITLE} · {area}")
if src.is_demo:
    st.caption(f":orange-badge[{texts.SAMPLE_BADGE}]")

params = Params()
by, code = ("township", township) if township else ("county", county) if county else (None, None)
figs = cached.figures(src, params, by, code)
st.caption(texts.YEARS.format(base=figs["base_year"], eval=figs["eval_year"]))

cols = st.columns(5)
for i, key in enumerate(CARDS):
    label, unit = KPI_LABELS[key]
    cols[i % 5].metric(label, texts.format_value(figs[key], unit))

coloring = st.radio(texts.COLOR_BY, list(COLORINGS), horizontal=True, key="overview_coloring",
                    format_func=texts.COLOR_OPTIONS.get)
deck, legend = overview_map(cached.display_layers(src), cached.villages_table(src, params),
                            coloring, county, township)
st.pydeck_chart(deck, height=560, key="overview_map")
st.html(legend_html(legend))
st.caption(texts.MAP_CAPTION)
