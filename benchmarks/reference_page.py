"""The yardstick of ``benchmarks.bench_maps``: a Streamlit page with one polygon in
``st.pydeck_chart`` and nothing else (issue 14's "one-polygon page").

Run by the benchmark as ``streamlit run benchmarks/reference_page.py``; the
same map settings as the dashboard's decks (no basemap, no request outside
the machine).
"""
import pydeck as pdk
import streamlit as st

POLYGON = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {},
    "geometry": {"type": "Polygon", "coordinates": [[[117.0, 26.0], [118.5, 26.0],
                                                     [118.5, 27.2], [117.0, 27.2],
                                                     [117.0, 26.0]]]}}]}

st.title("参考页：一个多边形")
st.pydeck_chart(pdk.Deck(layers=[pdk.Layer("GeoJsonLayer", POLYGON, get_fill_color=[200, 30, 30])],
                         initial_view_state=pdk.ViewState(latitude=26.6, longitude=117.75,
                                                          zoom=7),
                         map_provider=None), height=560)
