"""跨村联建: the joint village Party organisations of the selected area."""
import streamlit as st
from ui.folium_map import st_folium

from analysis.areas import select_area
from analysis.kpis import KPI_LABELS
from geo.settings import load_settings
from maps.joint import COLOR_BY, clicked_village, map_from_layers, selection_layer
from maps.styles import legend_html
import texts
from ui import cached, cached_joint, frame, years
from ui import joint_charts as jc

src, _ = frame.open_page(__file__)
county, township, _ = frame.area_state()

settings = load_settings()
st.title(f"{texts.PAGE_JOINT} · {frame.area_title(cached.area_options(src), county, township)}")
year, params = years.page_params(src, "joint_year")
table = select_area(cached_joint.org_table(src, params), county, township)
options = cached_joint.org_options(src, params, county, township)
names = cached_joint.org_names(src)
figs = cached.selection_figures(src, params, county, township)
st.caption(years.data_date(year, figs))
for col, key in zip(st.columns(len(texts.JOINT_KPIS)), texts.JOINT_KPIS):
    col.metric(KPI_LABELS[key][0], texts.format_value(figs[key], KPI_LABELS[key][1]))


def select_clicked():
    """A click on the map selects the clicked village's organisation."""
    village = clicked_village(st.session_state.get("joint_map"))
    st.session_state.joint_clicked = village
    st.session_state.joint_org = cached_joint.village_org(src, params).get(village)


if st.session_state.get("joint_org") not in options:
    st.session_state.joint_org = None
selected = st.session_state.joint_org
left, right = st.columns([3, 2], gap="medium")
with left:
    color_by = st.radio(texts.JOINT_COLOR_BY, COLOR_BY, horizontal=True, key="joint_color_by",
                        format_func=texts.JOINT_COLOR_OPTIONS.get)
    layers = cached_joint.map_layers(src, params, color_by, county, township, settings)
    st_folium(map_from_layers(layers), key="joint_map", height=560, use_container_width=True,
              returned_objects=["last_active_drawing", "last_object_clicked"],
              on_change=select_clicked, feature_group_to_add=selection_layer(layers, selected),
              render=False)  # st_folium renders the map itself; the root render would repeat it
    st.html(legend_html(layers.legend))
    st.caption(texts.JOINT_MAP_CAPTION)
with right:
    st.selectbox(texts.JOINT_PICK_ORG, options, key="joint_org", index=None,
                 placeholder=texts.JOINT_PICK_PLACEHOLDER, format_func=names.get,
                 on_change=lambda: st.session_state.update(joint_clicked=None))
    clicked = st.session_state.get("joint_clicked")
    if clicked and selected is None:
        name = cached_joint.village_names(src).get(clicked, clicked)
        st.info(texts.JOINT_NOT_MEMBER.format(name=texts.plain(name)))
    if selected is not None:
        details = cached_joint.org_details(src, params, selected, county, township)
        st.subheader(texts.plain(details["row"]["name"]), anchor=False)
        for col, (label, text) in zip(st.columns(2) * 3, jc.org_cards(details["row"])):
            col.metric(label, text)
        st.markdown(f"**{texts.JOINT_MEMBERS}**")
        st.dataframe(jc.table_view(details["members"], "members"), hide_index=True)
        st.markdown(f"**{texts.JOINT_INCOME_CHART}**")
        st.altair_chart(jc.income_chart(details["income"]), width="stretch")
        st.markdown(f"**{texts.JOINT_TYPE_FIGURES.format(label=details['row']['type_label'])}**")
        st.dataframe(jc.table_view(details["type"], "type"), hide_index=True)

if len(series := cached.joint_series(src, county, township)):
    st.subheader(texts.JOINT_TREND_TITLE, anchor=False)
    st.altair_chart(jc.joint_trend_chart(series, year, height=260), width="stretch")
st.subheader(f"{texts.JOINT_ORG_TABLE}（{len(table)}）", anchor=False)
st.dataframe(jc.table_view(table, "orgs"), hide_index=True, key="joint_org_table")
parts = cached_joint.breakdowns(src, params, county, township)
for col, (view, title, label) in zip(st.columns(2), (("type", "type", "type_label"),
                                                   ("area", parts["by"], "name"))):
    col.subheader(texts.JOINT_BREAKDOWNS[title], anchor=False)
    col.altair_chart(jc.breakdown_chart(parts[view], label), width="stretch")
    col.dataframe(jc.table_view(parts[view], view), hide_index=True)
