"""The sections of the 账号与日志 page: accounts (add, password, role and area,
remove) and the audit log with filters and CSV/XLSX export.  Every handler asks
:func:`ui.auth.refused` first and is audited."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from geo import access, audit as audit_mod, clock
from geo.access import ROLE_NAMES, ROLES
from geo.store import StoreError
import texts
from texts import auth as ta
from ui import auth


def area_choices(options: dict) -> dict:
    """``{None: 全部数据, county: name, township: county name · township name}``."""
    choices = {None: ta.AREA_HINT}
    for county, (name, townships) in options.items():
        choices[county] = f"{name}（{county}）"
        for township, township_name in townships.items():
            choices[township] = f"{name} · {township_name}（{township}）"
    return choices


def _label(name: str, role: str, area: str | None) -> str:
    return f"{name}（{ROLE_NAMES[role]}，{area or ta.AREA_HINT}）"


def accounts_section(options: dict, settings) -> None:
    st.subheader(ta.ACCOUNTS, anchor=False)
    if settings.auth_mode != "accounts":
        st.info(ta.ACCOUNTS_OFF.format(mode=settings.auth_mode))
    store = auth.accounts()
    try:
        accounts = store.list()
    except StoreError as exc:
        st.error(texts.plain(str(exc)))
        return
    if accounts:
        table = pd.DataFrame([{
            "name": a.name, "role": ROLE_NAMES[a.role], "area": a.area or ta.AREA_HINT,
            "state": ta.STATE_LOCKED.format(until=a.locked_until[11:16]) if _locked(a)
            else ta.STATE_OK, "created": a.created[:16].replace("T", " ")} for a in accounts])
        st.dataframe(table.rename(columns=ta.ACCOUNT_COLUMNS), hide_index=True)
    else:
        st.info(ta.NO_ACCOUNTS)
    choices = area_choices(options)
    with st.expander(ta.ADD_ACCOUNT, expanded=not accounts):
        with st.form("admin_add", clear_on_submit=True, enter_to_submit=False):
            a, b = st.columns(2)
            name = a.text_input(ta.USER, key="admin_add_name", placeholder=ta.USER_HINT)
            password = b.text_input(ta.NEW_PASSWORD, type="password", key="admin_add_password",
                                    placeholder=ta.NEW_PASSWORD_HINT.format(
                                        n=settings.min_password_length))
            role = a.selectbox(ta.ROLE, ROLES, format_func=ROLE_NAMES.get,
                               key="admin_add_role", placeholder=ta.ROLE)
            area = b.selectbox(ta.AREA, list(choices), format_func=choices.get,
                               key="admin_add_area", placeholder=ta.AREA_HINT)
            submitted = st.form_submit_button(ta.ADD, type="primary")
        if submitted:
            _change("account_add", _label(name.strip(), role, area),
                    lambda **who: store.add(name.strip(), password, role=role, area=area, **who),
                    ta.ADDED.format(name=texts.plain(name.strip())))
    if not accounts:
        return
    names = [a.name for a in accounts]
    pick = st.selectbox(ta.PICK_ACCOUNT, names, key="admin_pick",
                        placeholder=ta.PICK_ACCOUNT_HINT)
    chosen = next(a for a in accounts if a.name == pick)
    with st.form(f"admin_edit_{pick}", enter_to_submit=False):
        a, b = st.columns(2)
        role = a.selectbox(ta.ROLE, ROLES, index=ROLES.index(chosen.role),
                           format_func=ROLE_NAMES.get, key=f"admin_role_{pick}",
                           placeholder=ta.ROLE)
        keys = list(choices)
        area = b.selectbox(ta.AREA, keys, format_func=choices.get, key=f"admin_area_{pick}",
                           index=keys.index(chosen.area) if chosen.area in keys else 0,
                           placeholder=ta.AREA_HINT)
        update = st.form_submit_button(ta.UPDATE)
    if update:
        _change("account_update", _label(pick, role, area),
                lambda **who: store.update(pick, role=role, area=area, **who),
                ta.UPDATED.format(name=texts.plain(pick)))
    with st.form(f"admin_passwd_{pick}", clear_on_submit=True, enter_to_submit=False):
        password = st.text_input(ta.NEW_PASSWORD, type="password", key=f"admin_pw_{pick}",
                                 placeholder=ta.NEW_PASSWORD_HINT.format(
                                     n=settings.min_password_length))
        passwd = st.form_submit_button(ta.SET_PASSWORD)
    if passwd:
        _change("account_passwd", pick, lambda **who: store.set_password(pick, password, **who),
                ta.PASSWORD_SET.format(name=texts.plain(pick)))
    if st.button(ta.REMOVE, key=f"admin_remove_{pick}"):
        _change("account_remove", pick, lambda **who: store.remove(pick, **who),
                ta.REMOVED.format(name=texts.plain(pick)))


def _locked(info) -> bool:
    return bool(info.locked_until) and info.locked_until > clock.now_iso()


def _change(action: str, obj: str, do, done: str) -> None:
    """Check the right, do (the store writes the audit entry in the same transaction),
    say; a refusal or a failure is said and audited."""
    if auth.refused(access.ADMIN, object=obj):
        return
    try:
        do(by=auth.current().name, client=auth.client_address())
    except (StoreError, ValueError) as exc:
        st.error(texts.plain(str(exc)))
        auth.audit(action, obj, texts.plain(str(exc)))
        return
    st.session_state["admin_notice"] = done
    st.rerun()


def audit_section() -> None:
    st.subheader(ta.AUDIT, anchor=False)
    if auth.refused(access.ADMIN, object=ta.AUDIT):
        return
    today = clock.today()
    a, b, c, d = st.columns(4)
    since = a.date_input(ta.AUDIT_SINCE, today - dt.timedelta(days=30), key="audit_since",
                         format="YYYY-MM-DD")
    until = b.date_input(ta.AUDIT_UNTIL, today, key="audit_until", format="YYYY-MM-DD")
    log = auth.audit_log()
    try:
        entries = log.entries(since=since, until=until)
    except StoreError as exc:
        st.error(texts.plain(str(exc)))
        return
    accounts = sorted({e.account for e in entries})
    actions = sorted({e.action for e in entries})
    who = c.selectbox(ta.AUDIT_ACCOUNT, [None, *accounts], key="audit_account",
                      format_func=lambda n: ta.AUDIT_ACCOUNT_HINT if n is None else n,
                      placeholder=ta.AUDIT_ACCOUNT_HINT)
    what = d.selectbox(ta.AUDIT_ACTION, [None, *actions], key="audit_action",
                       format_func=lambda n: ta.AUDIT_ACTION_HINT if n is None
                       else audit_mod.ACTION_NAMES.get(n, n), placeholder=ta.AUDIT_ACTION_HINT)
    entries = [e for e in entries if (who is None or e.account == who)
               and (what is None or e.action == what)]
    if not entries:
        st.info(ta.AUDIT_EMPTY)
        return
    st.caption(ta.AUDIT_SHOWN.format(n=len(entries)))
    table = pd.DataFrame([e.as_dict() for e in entries])
    st.dataframe(table[list(ta.AUDIT_COLUMNS)].rename(columns=ta.AUDIT_COLUMNS),
                 hide_index=True)
    a, b = st.columns(2)
    stamp = f"{since:%Y%m%d}-{until:%Y%m%d}"
    a.download_button(ta.AUDIT_CSV, audit_mod.export_csv(entries),
                      file_name=f"审计日志_{stamp}.csv", mime="text/csv", key="audit_csv")
    b.download_button(ta.AUDIT_XLSX, audit_mod.export_xlsx(entries),
                      file_name=f"审计日志_{stamp}.xlsx", key="audit_xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
