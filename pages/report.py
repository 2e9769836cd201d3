"""报告导出: static maps, the Word briefing and the workbook, built on request."""
import streamlit as st

from geo import access
from geo.access import Area
from maps.fonts import FontMissingError
from maps.static import MAP_KEYS
import texts
from ui import auth, cached, cached_report, frame

src, data = frame.open_page(__file__)

st.title(texts.PAGE_REPORT)
st.caption(texts.REPORT_INTRO)
if src.is_demo:
    st.caption(f":orange-badge[{texts.SAMPLE_BADGE}]")
options = cached.area_options(src)
# 范围 starts on the sidebar's area (a township's or village's county: reports are
# city- or county-wide); again when the sidebar changes, and when the page comes
# back (Streamlit forgets the widget's value on the other pages).
sidebar_county = frame.area_state()[0]
account = auth.current()
if account.area:  # an area account: its county's report only (and a township's: none)
    options = {c: v for c, v in options.items() if c == account.area}
    if not options:
        st.info(texts.REPORT_NOT_FOR_TOWNSHIP.format(area=account.area))
        st.stop()
if ("report_county" not in st.session_state
        or st.session_state.get("report_county_from", "unset") != sidebar_county):
    st.session_state["report_county"] = sidebar_county if sidebar_county in options else None
    st.session_state["report_county_from"] = sidebar_county

left, right = st.columns(2)
choices = list(options) if account.area else [None, *options]
county = left.selectbox(texts.REPORT_COUNTY_CHOICE, choices, key="report_county",
                        format_func=lambda c: texts.REPORT_CITY if c is None else options[c][0],
                        placeholder=texts.REPORT_CITY)
orientation = right.radio(texts.REPORT_ORIENTATION, list(texts.REPORT_ORIENTATIONS),
                          key="report_orientation", horizontal=True,
                          format_func=texts.REPORT_ORIENTATIONS.get)
maps = st.multiselect(texts.REPORT_MAP_CHOICE, list(MAP_KEYS), default=list(MAP_KEYS),
                      key="report_maps", format_func=texts.REPORT_MAPS.get,
                      placeholder=texts.REPORT_MAP_PLACEHOLDER, select_all=False)
formats = st.multiselect(texts.REPORT_FORMAT_CHOICE, ["svg", "pdf"], key="report_formats",
                         format_func=str.upper, placeholder=texts.REPORT_FORMAT_PLACEHOLDER,
                         select_all=False)

if st.button(texts.REPORT_BUILD, type="primary", key="report_build") and not auth.refused(
        access.VIEW, Area(county), object=texts.PAGE_REPORT):
    st.session_state["report_request"] = (county, tuple(maps), tuple(sorted(formats or ())),
                                          orientation)
request = st.session_state.get("report_request")
if request is None or access.can(account, access.VIEW, Area(request[0])):
    st.stop()
try:
    with st.spinner(texts.REPORT_BUILDING):
        files = cached_report.report_files(src, *request)
except (ValueError, FontMissingError) as exc:
    st.error(texts.REPORT_FAILED.format(error=exc))
    st.stop()
st.success(texts.REPORT_DONE.format(n=len(files)))
area = texts.REPORT_CITY if request[0] is None else options[request[0]][0]
st.download_button(texts.REPORT_ZIP, cached_report.zip_bytes(files), type="primary",
                   file_name=f"{texts.REPORT_TITLE.format(area=area)}.zip",
                   mime=cached_report.mime_of(".zip"), key="report_zip")
columns = st.columns(3)
for i, (name, payload) in enumerate(files.items()):
    columns[i % 3].download_button(texts.REPORT_DOWNLOAD.format(name=name), payload,
                                   file_name=name, mime=cached_report.mime_of(name),
                                   key=f"report_file_{i}")
