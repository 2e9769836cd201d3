"""Who may do what where (SPEC §7): roles, areas and the one question every handler asks.

Every action of the pages and the command line that reads or changes
something asks :func:`can` (or :func:`require`) with the account of the
session, the action and the area of the object; the answer is ``None``
(allowed) or the Chinese refusal to show.  Hiding a button is a courtesy;
this is the check.

>>> viewer = Account("zhang", "viewer", area="350481")
>>> can(viewer, VIEW, Area("350481", "350481101")) is None
True
>>> can(viewer, VIEW, Area("350427", "350427100"))
'账号 zhang 只能查看和处理 350481 范围内的数据'
>>> can(viewer, SAVE_SCENARIO, Area("350481"))
'账号 zhang（查看）无权保存、提交或删除方案'
>>> can(Account("li", "admin"), IMPORT_DATA) is None
True
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "planner", "reviewer", "admin")
ROLE_NAMES = {"viewer": "查看", "planner": "规划", "reviewer": "审核", "admin": "管理员"}

# The actions of SPEC §7's table.
VIEW = "view"                    # see pages, figures, maps of the area; export reports
PLAN = "plan"                    # edit groupings, auto-suggest, compare
SAVE_SCENARIO = "save_scenario"  # save, rename, delete one's own scenarios; submit them
REVIEW = "review"                # approve or reject a submitted scenario
IMPORT_DATA = "import_data"      # import data, switch or delete dataset versions
ADMIN = "admin"                  # manage accounts, read the audit log
EDIT_SEQUENCE = "edit_sequence"  # save views into a briefing sequence, reorder, rename (汇报序列)
ACTIONS = (VIEW, PLAN, SAVE_SCENARIO, REVIEW, IMPORT_DATA, ADMIN, EDIT_SEQUENCE)
ACTION_NAMES = {VIEW: "查看数据和导出报告", PLAN: "编辑分组规划",
                SAVE_SCENARIO: "保存、提交或删除方案",
                REVIEW: "审核方案", IMPORT_DATA: "导入数据或切换、删除数据版本",
                ADMIN: "管理账号和查看审计日志", EDIT_SEQUENCE: "编辑汇报序列"}
# The lowest role that may do each action (the roles are ordered).  Playing a
# briefing sequence is VIEW: a viewer plays, a planner edits.
LEAST_ROLE = {VIEW: "viewer", PLAN: "planner", SAVE_SCENARIO: "planner", REVIEW: "reviewer",
              IMPORT_DATA: "admin", ADMIN: "admin", EDIT_SEQUENCE: "planner"}
# With login off (mode "none") these change data for everybody: only from the server itself.
LOCAL_ONLY = frozenset({IMPORT_DATA, ADMIN})
LOCAL_ONLY_REFUSAL = ("登录未开启（auth mode = none）：导入数据、切换或删除数据版本、管理账号"
                      "只能在服务器本机上操作；请在服务器上打开看板，或由管理员开启账号登录")


@dataclass(frozen=True)
class Account:
    """The person behind a session.

    ``area`` is a county or township code (``None``: the whole dataset).
    ``login_off`` marks the visitor of mode ``none`` (every right, no name);
    ``local`` whether that visitor's request comes from the server itself.
    """

    name: str
    role: str
    area: str | None = None
    login_off: bool = False
    local: bool = True

    def __post_init__(self):
        if self.role not in ROLES:
            raise ValueError(f"未知角色 {self.role!r}，可选：{', '.join(ROLES)}")

    @property
    def label(self) -> str:
        """``name（role）`` as shown in the sidebar and in refusals."""
        return f"{self.name}（{ROLE_NAMES[self.role]}）"


def visitor(local: bool) -> Account:
    """The account of every session when login is off (mode ``none``)."""
    return Account("本机访客" if local else "远程访客", "admin", login_off=True, local=local)


@dataclass(frozen=True)
class Area:
    """Where an object lies: its county and township codes (``None`` where it spans more).

    ``Area()`` is the whole dataset.
    """

    county: str | None = None
    township: str | None = None

    def codes(self) -> set[str]:
        return {code for code in (self.county, self.township) if code}


WHOLE = Area()


def rank(role: str) -> int:
    """Position of ``role`` in :data:`ROLES` (viewer 0 … admin 3)."""
    return ROLES.index(role)


def role_allows(account: Account, action: str) -> bool:
    """Whether the account's role may do ``action`` at all (its area and, with login
    off, its address aside): what decides which pages its menu holds.

    >>> role_allows(Account("a", "planner"), PLAN), role_allows(Account("a", "planner"), REVIEW)
    (True, False)
    """
    return rank(account.role) >= rank(LEAST_ROLE[action])


def inside(account: Account, area: Area | None) -> bool:
    """Whether ``area`` lies within the account's area.

    >>> inside(Account("a", "viewer", "350481101"), Area("350481", "350481101"))
    True
    >>> inside(Account("a", "viewer", "350481101"), Area("350481"))
    False
    >>> inside(Account("a", "viewer"), WHOLE)
    True
    """
    return account.area is None or account.area in (area or WHOLE).codes()


def can(account: Account | None, action: str, area: Area | None = WHOLE,
        owner: str | None = None) -> str | None:
    """``None`` when ``account`` may do ``action`` on an object in ``area``; else the
    Chinese refusal.  ``area=None`` leaves the area unchecked (the caller checks
    the villages one by one: :func:`can_change`).  ``owner`` is the owner of the
    object for actions on one's own scenarios (:data:`SAVE_SCENARIO`): somebody
    else's scenario is refused.

    >>> can(None, VIEW)
    '请先登录'
    >>> can(visitor(local=False), IMPORT_DATA).startswith('登录未开启')
    True
    >>> can(Account("wang", "planner"), SAVE_SCENARIO, owner="zhao")
    '方案属于 zhao，账号 wang 不能修改、提交或删除'
    """
    if action not in ACTIONS:
        raise ValueError(f"未知操作 {action!r}")
    if account is None:
        return "请先登录"
    if not role_allows(account, action):
        return f"账号 {account.label}无权{ACTION_NAMES[action]}"
    if account.login_off and action in LOCAL_ONLY and not account.local:
        return LOCAL_ONLY_REFUSAL
    if area is not None and not inside(account, area):
        return f"账号 {account.name} 只能查看和处理 {account.area} 范围内的数据"
    if action == SAVE_SCENARIO and owner is not None and not account.login_off \
            and owner != account.name:
        return f"方案属于 {owner}，账号 {account.name} 不能修改、提交或删除"
    return None


def can_change(account: Account | None, action: str, villages: dict, names: dict | None = None,
               owner: str | None = None, limit: int = 10) -> str | None:
    """:func:`can` for a change of many villages (a scenario): ``villages`` maps each
    village code the change touches to its :class:`Area`; a village outside the
    account's area is refused, naming them (the first ``limit``, by ``names``).

    >>> planner = Account("wang", "planner", area="350481101")
    >>> can_change(planner, SAVE_SCENARIO, {"1": Area("350481", "350481101"),
    ...                                     "2": Area("350481", "350481102")}, {"2": "洪田村"})
    '账号 wang 的范围是 350481101，方案改动了范围以外的 1 个村：洪田村（2）'
    """
    refusal = can(account, action, None, owner)
    if refusal:
        return refusal
    outside = sorted(code for code, area in villages.items() if not inside(account, area))
    if not outside:
        return None
    names = names or {}
    listed = "、".join(f"{names[c]}（{c}）" if c in names else c for c in outside[:limit])
    more = f" 等 {len(outside)} 个" if len(outside) > limit else ""
    return (f"账号 {account.name} 的范围是 {account.area}，方案改动了范围以外的 "
            f"{len(outside)} 个村：{listed}{more}")


class AccessDenied(PermissionError):
    """A refused action; the message is for the user (Chinese)."""


def require(account: Account | None, action: str, area: Area | None = WHOLE,
            owner: str | None = None) -> None:
    """:func:`can`, raising :class:`AccessDenied` with the refusal."""
    refusal = can(account, action, area, owner)
    if refusal:
        raise AccessDenied(refusal)


def account_from_claims(claims: dict, oidc: dict) -> Account:
    """The account of an OpenID Connect login (mode ``oidc``): name, role and area
    from the claims, as ``dashboard.toml [auth.oidc]`` maps them.

    The role is the highest one that any value of ``roles_claim`` maps to; the
    area is the value of ``area_claim`` when configured and present, else the
    area that the ``roles_claim`` values map to in ``areas``.  No role, or two
    different areas, is refused (:class:`AccessDenied`): a login never gets more
    than it was given.

    >>> oidc = {"name_claim": "preferred_username", "roles_claim": "groups",
    ...         "area_claim": "", "roles": {"/看板/规划": "planner", "/看板/查看": "viewer"},
    ...         "areas": {"/县/永安": "350481"}}
    >>> account_from_claims({"preferred_username": "zhao",
    ...                      "groups": ["/看板/查看", "/看板/规划", "/县/永安"]}, oidc)
    Account(name='zhao', role='planner', area='350481', login_off=False, local=True)
    >>> account_from_claims({"preferred_username": "qian", "groups": "/其他"}, oidc)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    geo.access.AccessDenied: 统一身份认证账号 qian 没有本看板的角色（groups 中...
    """
    name = _claim_text(claims.get(oidc.get("name_claim") or "preferred_username")) or \
        _claim_text(claims.get("email")) or _claim_text(claims.get("sub"))
    if not name:
        raise AccessDenied("统一身份认证没有返回用户名，请检查 [auth.oidc] name_claim")
    claim = oidc.get("roles_claim") or "groups"
    values = _claim_values(claims.get(claim))
    roles = [oidc.get("roles", {})[v] for v in values if v in oidc.get("roles", {})]
    if not roles:
        raise AccessDenied(f"统一身份认证账号 {name} 没有本看板的角色"
                           f"（{claim} 中没有已配置的取值），请联系管理员")
    role = max(roles, key=rank)
    area_claim = oidc.get("area_claim")
    if area_claim and _claim_text(claims.get(area_claim)):
        areas = {_claim_text(claims.get(area_claim))}
    else:
        areas = {oidc.get("areas", {})[v] for v in values if v in oidc.get("areas", {})}
    if len(areas) > 1:
        raise AccessDenied(f"统一身份认证账号 {name} 对应多个范围"
                           f"（{'、'.join(sorted(areas))}），请联系管理员只保留一个")
    return Account(name, role, area=next(iter(areas), None))


def _claim_values(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _claim_text(value) -> str:
    return str(value).strip() if value is not None and not isinstance(value, (list, dict)) \
        else ""


LOOPBACK = ("127.", "::1", "::ffff:127.", "localhost")


def is_local(remote: str | None, forwarded: str | None = None) -> bool:
    """Whether a request comes from the server itself: its address is a loopback one
    (Streamlit gives ``None`` for those) and so is every address a proxy says it
    forwarded for (``X-Forwarded-For``, ``X-Real-IP``): a request through a
    reverse proxy on the same machine is not local.

    >>> is_local(None), is_local("127.0.0.1"), is_local("192.0.2.2")
    (True, True, False)
    >>> is_local(None, "203.0.113.9, 127.0.0.1")
    False
    """
    addresses = [remote or "127.0.0.1",
                 *(part.strip() for part in (forwarded or "").split(",") if part.strip())]
    return all(address.startswith(LOOPBACK) for address in addresses)
