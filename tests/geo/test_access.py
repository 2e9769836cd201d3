"""SPEC §7's table as a permission matrix: every action × every role × inside or
outside the account's area → allowed, or refused with its Chinese message, through
:func:`geo.access.can` and :func:`geo.access.can_change` (what every page handler
asks); the login-off visitor; the OpenID Connect claims mapping."""
import pytest

from geo.access import (ACTIONS, ADMIN, EDIT_SEQUENCE, IMPORT_DATA, PLAN, REVIEW, ROLES,
                        SAVE_SCENARIO, VIEW, Account, AccessDenied, Area, account_from_claims,
                        can, can_change, is_local, require, visitor)

COUNTY, TOWN = "350481", "350481003"
INSIDE = Area(COUNTY, TOWN)
OUTSIDE = Area("350427", "350427100")
# SPEC §7, row by row: the roles that may do each action
TABLE = {VIEW: {"viewer", "planner", "reviewer", "admin"},
         PLAN: {"planner", "reviewer", "admin"},
         SAVE_SCENARIO: {"planner", "reviewer", "admin"},
         REVIEW: {"reviewer", "admin"},
         IMPORT_DATA: {"admin"},
         ADMIN: {"admin"},
         EDIT_SEQUENCE: {"planner", "reviewer", "admin"}}  # 汇报序列 (issue 15)
ROLE_WORDS = {"viewer": "查看", "planner": "规划", "reviewer": "审核", "admin": "管理员"}
ACTION_WORDS = {VIEW: "查看数据和导出报告", PLAN: "编辑分组规划",
                SAVE_SCENARIO: "保存、提交或删除方案", REVIEW: "审核方案",
                IMPORT_DATA: "导入数据或切换、删除数据版本", ADMIN: "管理账号和查看审计日志",
                EDIT_SEQUENCE: "编辑汇报序列"}


def test_the_table_covers_every_action():
    assert set(TABLE) == set(ACTIONS) and ROLES == ("viewer", "planner", "reviewer", "admin")


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["inside", "outside"])
def test_matrix_for_a_county_account(action, role, where):
    account = Account("zhang", role, area=COUNTY)
    said = can(account, action, INSIDE if where == "inside" else OUTSIDE)
    if role not in TABLE[action]:
        assert said == f"账号 zhang（{ROLE_WORDS[role]}）无权{ACTION_WORDS[action]}"
    elif where == "outside":
        assert said == "账号 zhang 只能查看和处理 350481 范围内的数据"
    else:
        assert said is None


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_matrix_for_a_whole_dataset_account(action, role):
    account = Account("li", role)
    for area in (INSIDE, OUTSIDE, Area()):
        said = can(account, action, area)
        assert (said is None) == (role in TABLE[action]), (area, said)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["inside", "outside"])
def test_matrix_for_a_township_account_and_a_plan(action, role, where):
    """A township planner's plan, checked village by village (save, submit, review)."""
    account = Account("wang", role, area=TOWN)
    villages = {"350481003201": INSIDE, "350481003202": INSIDE}
    if where == "outside":
        villages["350481004201"] = Area(COUNTY, "350481004")
    said = can_change(account, action, villages, {"350481004201": "洪田村"})
    if role not in TABLE[action]:
        assert said == f"账号 wang（{ROLE_WORDS[role]}）无权{ACTION_WORDS[action]}"
    elif where == "outside":
        assert said == ("账号 wang 的范围是 350481003，方案改动了范围以外的 1 个村："
                        "洪田村（350481004201）")
    else:
        assert said is None


def test_a_whole_dataset_import_is_outside_any_area():
    assert can(Account("a", "admin", area=COUNTY), IMPORT_DATA) == \
        "账号 a 只能查看和处理 350481 范围内的数据"
    assert can(Account("a", "admin"), IMPORT_DATA) is None


def test_somebody_elses_scenario():
    planner = Account("wang", "planner")
    assert can(planner, SAVE_SCENARIO, owner="wang") is None
    assert can(planner, SAVE_SCENARIO, owner="zhao") == \
        "方案属于 zhao，账号 wang 不能修改、提交或删除"
    assert can(Account("li", "admin"), SAVE_SCENARIO, owner="zhao") == \
        "方案属于 zhao，账号 li 不能修改、提交或删除"
    assert can_change(planner, SAVE_SCENARIO, {}, owner="zhao") == \
        "方案属于 zhao，账号 wang 不能修改、提交或删除"


def test_many_villages_outside_are_counted_and_the_first_ten_named():
    account = Account("wang", "planner", area=TOWN)
    villages = {f"35042710020{i:02d}": OUTSIDE for i in range(12)}
    said = can_change(account, SAVE_SCENARIO, villages)
    assert said.startswith("账号 wang 的范围是 350481003，方案改动了范围以外的 12 个村：")
    assert said.count("350427") == 10 and said.endswith(" 等 12 个")


@pytest.mark.parametrize("action", ACTIONS)
def test_login_off_every_right_but_data_changes_only_from_the_machine(action):
    assert can(visitor(local=True), action) is None
    said = can(visitor(local=False), action)
    if action in (IMPORT_DATA, ADMIN):
        assert said.startswith("登录未开启（auth mode = none）：导入数据、切换或删除数据版本、"
                               "管理账号只能在服务器本机上操作")
    else:
        assert said is None


def test_nobody_logged_in_is_refused_everything():
    for action in ACTIONS:
        assert can(None, action) == "请先登录"
    with pytest.raises(AccessDenied, match="^请先登录$"):
        require(None, VIEW)


def test_unknown_action_and_role_are_programming_errors():
    with pytest.raises(ValueError, match="未知操作"):
        can(Account("a", "admin"), "drop_tables")
    with pytest.raises(ValueError, match="未知角色 'boss'"):
        Account("a", "boss")


@pytest.mark.parametrize("remote, forwarded, local", [
    (None, None, True), ("127.0.0.1", "", True), ("::1", None, True),
    ("192.0.2.2", None, False), ("fd00::2", None, False),
    (None, "203.0.113.9", False),                # through a proxy on this machine
    (None, "127.0.0.1", True), ("192.0.2.2", "127.0.0.1", False),  # a forged header
    (None, "127.0.0.1, 198.51.100.4", False)])
def test_is_local(remote, forwarded, local):
    assert is_local(remote, forwarded) is local


OIDC = {"name_claim": "preferred_username", "roles_claim": "groups", "area_claim": "",
        "roles": {"kb-viewer": "viewer", "kb-planner": "planner", "kb-admin": "admin"},
        "areas": {"county-yongan": COUNTY, "town-banggang": TOWN}}


@pytest.mark.parametrize("claims, expected", [
    ({"preferred_username": "zhao", "groups": ["kb-viewer"]}, ("zhao", "viewer", None)),
    ({"preferred_username": "zhao", "groups": ["kb-viewer", "kb-admin", "x"]},
     ("zhao", "admin", None)),
    ({"preferred_username": "qian", "groups": "kb-planner, county-yongan"},
     ("qian", "planner", COUNTY)),
    ({"email": "sun@example.org", "groups": ["kb-viewer", "town-banggang"]},
     ("sun@example.org", "viewer", TOWN)),
    ({"sub": "f00", "groups": ["kb-viewer"]}, ("f00", "viewer", None)),
])
def test_claims_mapping(claims, expected):
    account = account_from_claims(claims, OIDC)
    assert (account.name, account.role, account.area) == expected


def test_claims_area_from_its_own_claim_wins():
    config = {**OIDC, "area_claim": "dashboard_area"}
    account = account_from_claims({"preferred_username": "z", "groups": ["kb-viewer",
                                   "county-yongan"], "dashboard_area": TOWN}, config)
    assert account.area == TOWN


@pytest.mark.parametrize("claims, message", [
    ({"preferred_username": "z", "groups": []}, "没有本看板的角色（groups 中没有已配置的取值）"),
    ({"preferred_username": "z"}, "没有本看板的角色"),
    ({"groups": ["kb-admin"]}, "统一身份认证没有返回用户名"),
    ({"preferred_username": "z", "groups": ["kb-viewer", "county-yongan", "town-banggang"]},
     "对应多个范围（350481、350481003）"),
])
def test_claims_refused(claims, message):
    with pytest.raises(AccessDenied, match=message.replace("(", r"\(").replace(")", r"\)")):
        account_from_claims(claims, OIDC)
