"""Login, logout, the session's account and the checks of SPEC §7 at the Streamlit boundary.

:func:`gate` runs first in the frame: with login on, a session without an
account gets the login form and nothing else.  Every handler that changes
something asks :func:`refused` (one call to :func:`geo.access.can`) and
records what it did with :func:`audit`.
"""
from __future__ import annotations

import logging
import time

import streamlit as st

from geo import access
from geo.access import Account, Area
from geo.accounts import AccountStore, LoginError
from geo.audit import AuditLog
from geo.sessions import TOUCH_SECONDS, Sessions
from geo.settings import Settings, load_settings
from geo.store import StoreError
import texts
from texts import auth as ta

log = logging.getLogger(__name__)

ACCOUNT_KEY, SEEN_KEY, NOTICE_KEY = "_account", "_account_seen", "_login_notice"
REFUSED_KEY = "_oidc_refused"
TOKEN_KEY, COOKIE_KEY, TOUCHED_KEY = "_session_token", "_session_cookie", "_session_touched"
# The browser's cookie holding a built-in account's session token (SameSite=Strict, no
# expiry: it ends with the browser; the server ends it after idle_minutes or a logout).
COOKIE = "ljwg_session"
# Streamlit's English "Press Enter to submit form" under the login fields.
_HIDE_INSTRUCTIONS = "<style>[data-testid='InputInstructions']{display:none}</style>"


def client_address() -> str:
    """The client's address as a proxy forwarded it, else as connected ("本机" for loopback)."""
    forwarded = _forwarded()
    if forwarded:
        return forwarded.split(",")[0].strip()
    return st.context.ip_address or "本机"


def _forwarded() -> str:
    try:
        headers = st.context.headers
        return ", ".join(v for v in (headers.get("X-Forwarded-For"), headers.get("X-Real-IP"))
                         if v)
    except Exception:  # noqa: BLE001 — no request behind the session (AppTest)
        return ""


def request_is_local() -> bool:
    return access.is_local(st.context.ip_address, _forwarded())


def current() -> Account | None:
    """The account of this session; ``None`` before a login (modes ``accounts``, ``oidc``)."""
    settings = load_settings()
    if settings.auth_mode == "none":
        return access.visitor(request_is_local())
    if settings.auth_mode == "oidc":
        return _oidc_account(settings)
    return st.session_state.get(ACCOUNT_KEY)


def _oidc_account(settings: Settings) -> Account | None:
    if not st.user.is_logged_in:
        return None
    account = st.session_state.get(ACCOUNT_KEY)
    if account is None:
        account = access.account_from_claims(st.user.to_dict(), settings.oidc)
        st.session_state[ACCOUNT_KEY] = account
        audit("login", account=account, object=ta.OIDC)
    return account


def gate() -> Account | None:
    """The session's account, or the login form and ``None`` (the frame then shows
    nothing else).  A session idle longer than ``[auth] idle_minutes`` is logged out."""
    settings = load_settings()
    if settings.auth_mode == "none":
        return current()
    account = st.session_state.get(ACCOUNT_KEY)
    seen = st.session_state.get(SEEN_KEY)
    now = time.monotonic()
    if account is not None and seen is not None and now - seen > settings.idle_minutes * 60:
        audit("logout", account=account, result=ta.IDLE_RESULT)
        _close_session(settings)
        _forget()
        if settings.auth_mode == "oidc":
            st.logout()
        st.session_state[NOTICE_KEY] = ta.IDLE.format(minutes=settings.idle_minutes)
        account = None
    if account is None and settings.auth_mode == "accounts" and ACCOUNT_KEY not in \
            st.session_state:
        account = _resumed(settings)
    try:
        account = current()
    except access.AccessDenied as exc:  # the provider knows them, the dashboard does not
        if st.session_state.get(REFUSED_KEY) != str(exc):  # audited once, said every run
            claims = st.user.to_dict()
            who = claims.get("preferred_username") or claims.get("email") or claims.get("sub")
            audit("login", account=str(who or "?"), object=ta.OIDC, result=str(exc))
            st.session_state[REFUSED_KEY] = str(exc)
        st.session_state[NOTICE_KEY] = str(exc)
        account = None
    if account is None:
        return None
    if settings.auth_mode == "accounts":
        account = _refreshed(settings, account)
        if account is None:
            return None
    st.session_state[SEEN_KEY] = now
    return account


def _refreshed(settings: Settings, account: Account) -> Account | None:
    """The session's account as the store has it now: a role or area an administrator
    changed applies at the next run, a removed account is logged out."""
    try:
        info = _accounts(settings).get(account.name)
    except StoreError as exc:
        log.error("账号库无法读取：%s", exc)
        return account
    if info is None:
        _close_session(settings)
        _forget()
        st.session_state[NOTICE_KEY] = ta.REMOVED_ACCOUNT.format(name=account.name)
        return None
    if info.account != account:
        st.session_state[ACCOUNT_KEY] = info.account
    token, touched = st.session_state.get(TOKEN_KEY), st.session_state.get(TOUCHED_KEY, 0.0)
    if token and time.monotonic() - touched >= TOUCH_SECONDS:
        try:
            Sessions(_accounts(settings)).touch(token)
            st.session_state[TOUCHED_KEY] = time.monotonic()
        except StoreError as exc:
            log.error("会话无法更新：%s", exc)
    return info.account


def login_page() -> None:
    """The only page before a login: 用户名 / 密码 / 登录 (or the provider's button)."""
    settings = load_settings()
    session_cookie()
    st.title(texts.APP_TITLE)
    st.caption(texts.APP_SUBTITLE)
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.warning(notice)
    if settings.auth_mode == "oidc" and st.user.is_logged_in:  # refused: leave the provider
        st.button(ta.OIDC_LOGOUT, type="primary", key="logout_oidc", on_click=st.logout)
        return
    if settings.auth_mode == "oidc":
        st.button(ta.OIDC_LOGIN, type="primary", key="login_oidc",
                  on_click=st.login, args=(settings.oidc.get("provider") or None,) if
                  settings.oidc.get("provider") else ())
        return
    st.markdown(_HIDE_INSTRUCTIONS, unsafe_allow_html=True)
    with st.form("login_form", border=True):
        name = st.text_input(ta.USER, key="login_user", placeholder=ta.USER_HINT)
        password = st.text_input(ta.PASSWORD, type="password", key="login_password",
                                 placeholder=ta.PASSWORD_HINT)
        submitted = st.form_submit_button(ta.LOGIN, type="primary")
    if submitted:
        _login(settings, name.strip(), password)


def _login(settings: Settings, name: str, password: str) -> None:
    if not name or not password:
        st.error(ta.EMPTY)
        return
    try:
        account = _accounts(settings).verify(name, password, client=client_address())
    except LoginError as exc:
        st.error(texts.plain(str(exc)))
        return
    except StoreError as exc:
        st.error(texts.plain(str(exc)))
        return
    try:
        token = Sessions(_accounts(settings)).open(account.name)
    except StoreError as exc:  # logged in for this page only
        log.error("会话无法保存：%s", exc)
    else:
        st.session_state[TOKEN_KEY] = st.session_state[COOKIE_KEY] = token
    st.session_state[ACCOUNT_KEY] = account
    st.session_state[SEEN_KEY] = time.monotonic()
    st.rerun()


def _resumed(settings: Settings) -> Account | None:
    """A session of this browser still open on the server (a reload, a new tab)."""
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # noqa: BLE001 — no request behind the session (AppTest)
        token = None
    if not token:
        return None
    try:
        account = Sessions(_accounts(settings)).resume(token, settings.idle_minutes)
    except StoreError as exc:
        log.error("账号库无法读取：%s", exc)
        return None
    if account is not None:
        st.session_state[ACCOUNT_KEY] = account
        st.session_state[TOKEN_KEY] = token
    return account


def _close_session(settings: Settings) -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    if token:
        try:
            Sessions(_accounts(settings)).close(token)
        except StoreError as exc:
            log.error("会话无法关闭：%s", exc)
    st.session_state[COOKIE_KEY] = ""


def session_cookie() -> None:
    """Write (after a login) or clear (after a logout) the browser's session cookie, once."""
    if COOKIE_KEY not in st.session_state:
        return
    token = st.session_state.pop(COOKIE_KEY)
    value = f"{COOKIE}={token}; path=/; SameSite=Strict" if token else \
        f"{COOKIE}=; path=/; SameSite=Strict; max-age=0"
    st.html(f"<script>document.cookie = {value!r};</script>", unsafe_allow_javascript=True)


def logout() -> None:
    """``on_click`` of 退出登录."""
    account = st.session_state.get(ACCOUNT_KEY)
    if account is not None:
        audit("logout", account=account)
    settings = load_settings()
    _close_session(settings)
    _forget()
    if settings.auth_mode == "oidc":
        st.logout()


def _forget() -> None:
    for key in (ACCOUNT_KEY, SEEN_KEY):
        st.session_state.pop(key, None)


def sidebar_badge(account: Account) -> None:
    """Who is logged in and a 退出登录 button; the notice that login is off."""
    if account.login_off:
        st.caption(ta.OFF)
        return
    session_cookie()
    area = account.area or ta.WHOLE
    st.caption(ta.WHO.format(name=texts.plain(account.name),
                                     role=access.ROLE_NAMES[account.role], area=area))
    st.button(ta.LOGOUT, key="logout", on_click=logout)


def _accounts(settings: Settings) -> AccountStore:
    return AccountStore(settings.store, min_password=settings.min_password_length)


def accounts() -> AccountStore:
    return _accounts(load_settings())


def audit_log() -> AuditLog:
    return AuditLog(load_settings().store)


def audit(action: str, object: str = "", result: str = "成功",
          account: Account | str | None = None) -> None:
    """One entry of the audit log for this session (its account and client address).

    An audit log that cannot be written is logged and said on the page, never
    raised into the page: the action itself has already happened.
    """
    account = account if account is not None else current()
    name = account.name if isinstance(account, Account) else str(account or "?")
    try:
        audit_log().record(name, action, object, result, client=client_address())
    except StoreError as exc:
        log.error("审计日志无法写入：%s", exc)
        st.warning(texts.plain(f"{ta.AUDIT_FAILED}{exc}"))


def refused(action: str, area: Area | None = access.WHOLE, owner: str | None = None,
            object: str = "") -> bool:
    """Ask :func:`geo.access.can` for this session; a refusal is shown (and audited
    for changes) and ``True`` is returned — the handler then does nothing."""
    account = current()
    refusal = access.can(account, action, area, owner)
    if refusal is None:
        return False
    st.error(refusal)
    if action != access.VIEW:
        audit("denied", object=f"{access.ACTION_NAMES[action]} {object}".strip(),
              result=refusal, account=account)
    return True
