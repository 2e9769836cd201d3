"""数据管理: import real data safely, keep every confirmed import as a version, roll back."""
import streamlit as st

from geo import access
from geo.settings import data_store, load_settings
from texts import data as td
from ui import auth, cached, data_sections as data_ui, frame

settings = load_settings()
store = data_store(settings)
frame.require_frame(__file__)
src = cached.current_source()
st.title(td.PAGE)
account = auth.current()
refusal = access.can(account, access.IMPORT_DATA)
if refusal and not account.login_off:  # the menu hides the page; this is the check
    st.error(refusal)
    st.stop()
if refusal:  # login off, another machine: it may look, not change; every handler asks again
    st.warning(refusal)
notice = st.session_state.pop("data_notice", None)
if notice:
    st.success(notice)
data_ui.versions_section(src, store)
data_ui.upload_section(src, store, settings)
data_ui.templates_section(settings)
