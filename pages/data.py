"""数据管理: import real data safely, keep every confirmed import as a version, roll back."""
import streamlit as st

from geo.settings import load_settings
from geo.store import DataStore
from texts import data as td
from ui import cached, data_sections as data_ui, frame

settings = load_settings()
store = DataStore(settings.folder)
frame.require_frame(__file__)
src = cached.current_source()
st.title(td.PAGE)
notice = st.session_state.pop("data_notice", None)
if notice:
    st.success(notice)
data_ui.versions_section(src, store)
data_ui.upload_section(src, store, settings)
data_ui.templates_section(settings)
