"""账号与日志: the accounts of SPEC §7 and the audit log (administrators only)."""
import streamlit as st

from geo import access
from geo.problems import DatasetError
from geo.settings import load_settings
from texts import auth as ta
from ui import admin_sections, auth, cached, frame

frame.require_frame(__file__)
st.title(ta.PAGE_ADMIN)
if auth.refused(access.ADMIN, object=ta.PAGE_ADMIN):
    st.stop()
notice = st.session_state.pop("admin_notice", None)
if notice:
    st.success(notice)
try:
    options = cached.area_options(cached.current_source())
except DatasetError:
    options = {}
admin_sections.accounts_section(options, load_settings())
admin_sections.audit_section()
