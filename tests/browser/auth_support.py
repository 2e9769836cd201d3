"""What the browser tests of SPEC §7 share: the accounts, the servers (login on, with
the accounts; login off, on every address of the machine), and the steps of logging in,
moving between pages and reading tables."""
import re

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from geo.accounts import AccountStore
from geo.dataset import load_dataset
from tests.browser.conftest import ARTIFACTS, start_server
from tests.conftest import DEMO

PASSWORD = "correct-horse-9"   # every account's (at least 10 characters)
WRONG = "Wrong-Horse-77"       # typed five times in the lock test
COUNTY, COUNTY_NAME = "350481", "永安市"
TOWNSHIP = "350481003"         # 坂岗街道, in 永安市
ACCOUNTS = {"yong_view": ("viewer", COUNTY), "ban_plan": ("planner", TOWNSHIP),
            "yong_rev": ("reviewer", COUNTY), "boss": ("admin", None),
            "lock_me": ("viewer", COUNTY)}
ADDRESSES = ("/", "/briefing", "/joint", "/grids", "/sites", "/planning", "/report", "/data",
             "/admin")
# What a ForwardMsg of the login form may draw: the title, captions and style, two text
# inputs and the form's button (inside a form block).
LOGIN_ELEMENTS = {"heading", "markdown", "text_input", "button"}
VIEWER_PAGES = ("总览", "汇报模式", "跨村联建", "网格治理", "服务阵地", "报告导出")
OFF_WARNING = "登录未开启（auth mode = none）"
REMOTE_HOST = "192.0.2.2"      # this machine's non-loopback address
INCOME_LAYER = "village_income（村集体经营性收入）"


@pytest.fixture(scope="module")
def demo():
    """Names from the demo: two villages of 坂岗街道 in no organisation (the plan's
    members) and the county's and township's names; an income sheet of three
    永安 villages."""
    data = load_dataset(DEMO)
    villages = data.villages
    joined = set(data.joint_members["village_code"])
    free = villages[(villages["township_code"] == TOWNSHIP) & (villages["kind"] == "village")
                    & ~villages["village_code"].isin(joined)].sort_values("village_code")
    income = data.village_income
    income = income[income["year"].isin([2022, 2023]) & income["village_code"].isin(
        set(villages.loc[villages["county_code"] == COUNTY, "village_code"]))]
    rows = income[income["village_code"].isin(sorted(set(income["village_code"]))[:3])]
    assert len(rows) == 6
    sheet = "村代码,年份,集体经营性收入\n" + "".join(
        f"{r.village_code},{int(r.year)},{float(r.collective_income):.2f}\n"
        for r in rows.itertuples(index=False))
    township = villages.loc[villages["township_code"] == TOWNSHIP, "township"].iloc[0]
    return {"members": list(free["name"][:2]), "township": township,
            "a_village": villages["name"].iloc[0], "income_csv": sheet}


# The server's clock zone: UTC−12, whose calendar day is behind Beijing's except from
# 20:00 to 24:00 Beijing time (as a server kept in UTC is from 00:00 to 08:00): the
# pages must take "today" from Beijing's clock (geo.clock), as the audit log does.
SERVER_ZONE = "Etc/GMT+12"


@pytest.fixture(scope="module")
def accounts_server(tmp_path_factory, demo):
    """The demo with login on, an empty data folder of its own and the accounts of
    :data:`ACCOUNTS`; the server's clock zone is :data:`SERVER_ZONE`.
    Returns ``{"url", "folder", "config", "log"}``."""
    ARTIFACTS.mkdir(exist_ok=True)
    root = tmp_path_factory.mktemp("auth")
    folder = root / "var"
    store = AccountStore(folder, min_password=10)
    for name, (role, area) in ACCOUNTS.items():
        store.add(name, PASSWORD, role=role, area=area)
    config = root / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{folder}"\n\n'
                      '[auth]\nmode = "accounts"\n', encoding="utf-8")
    log = ARTIFACTS / "streamlit-auth-server.log"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TZ", SERVER_ZONE)
        proc, url = start_server(None, log, config=config)
    yield {"url": url, "folder": folder, "config": config, "log": log}
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def open_server(tmp_path_factory):
    """The demo with login off (the default), an empty data folder of its own,
    listening on every address of the machine.  Returns ``{"url", "folder"}``."""
    ARTIFACTS.mkdir(exist_ok=True)
    root = tmp_path_factory.mktemp("auth-none")
    config = root / "dashboard.toml"
    config.write_text(f'[data]\ndemo = "{DEMO}"\nfolder = "{root / "var"}"\n',
                      encoding="utf-8")
    proc, url = start_server(None, ARTIFACTS / "streamlit-auth-none-server.log", config=config,
                             address="0.0.0.0")
    yield {"url": url, "folder": root / "var"}
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def income_csv(tmp_path_factory, demo):
    path = tmp_path_factory.mktemp("auth-upload") / "永安收入.csv"
    path.write_text(demo["income_csv"], encoding="utf-8")
    return path


# ---- helpers ---------------------------------------------------------------------------

def frames(recorded) -> list:
    """Every binary WebSocket frame the page receives from now on (ForwardMsgs)."""
    frames = []
    recorded.page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: frames.append(payload)
        if isinstance(payload, bytes) else None))
    return frames


def drawn(frames) -> set:
    """The kinds of element the ForwardMsgs in ``frames`` draw."""
    kinds = set()
    for payload in frames:
        try:
            msg = ForwardMsg.FromString(payload)
        except Exception:  # not one ForwardMsg
            kinds.add("<unparsed frame>")
            continue
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            kinds.add(msg.delta.new_element.WhichOneof("type"))
    return kinds


def login_form(recorded) -> None:
    """Wait for the login form and for the run that drew it to be over."""
    recorded.page.get_by_role("button", name="登录", exact=True).wait_for(timeout=120_000)
    recorded.settle()


def submit_login(recorded, name: str, password: str) -> None:
    page = recorded.page
    login_form(recorded)
    page.get_by_label("用户名", exact=True).fill(name)
    page.get_by_label("密码", exact=True).fill(password)
    runs = recorded.runs
    page.get_by_role("button", name="登录", exact=True).click()
    recorded.wait_for_run(runs)


def logged_in(recorded, name: str) -> None:
    """Wait for the page a login leads to (or an error in its place)."""
    page = recorded.page
    page.get_by_text(f"当前账号：{name}（").or_(
        page.locator("[data-testid='stException']")).first.wait_for(timeout=120_000)
    recorded.settle()


def log_in(recorded, name: str) -> None:
    """Log in with the right password and wait for the page it leads to."""
    submit_login(recorded, name, PASSWORD)
    logged_in(recorded, name)
    assert recorded.page.locator("[data-testid='stException']").count() == 0, \
        f"the page after {name}'s login shows an error (see the server's log)"


def alert(page) -> str:
    return "\n".join(page.locator("[data-testid='stAlert']").all_inner_texts())


def nav(page) -> str:
    return page.locator("[data-testid='stSidebarNav']").inner_text()


def go(recorded, link: str, wait_text: str) -> None:
    recorded.page.get_by_role("link", name=link).click()
    recorded.page.get_by_text(wait_text).first.wait_for(timeout=120_000)
    recorded.settle()


def mode(recorded, label: str) -> None:
    """Choose a mode of the 分组规划 page's segmented control."""
    runs = recorded.runs
    recorded.page.locator("[data-testid='stButtonGroup'] button", has_text=label).click()
    recorded.wait_for_run(runs)


def click_key(recorded, key: str) -> None:
    """Press the button of widget key ``key`` and wait for the run it starts."""
    runs = recorded.runs
    recorded.page.locator(f".st-key-{key} button").click()
    recorded.wait_for_run(runs)


def save_plan(recorded, name: str) -> None:
    """On 分组规划: name the working plan ``name`` and save it (保存与导入导出)."""
    page = recorded.page
    mode(recorded, "保存与导入导出")
    name_input = page.locator("[class*='st-key-plan_scenario_name_'] input")
    runs = recorded.runs
    name_input.fill(name)
    name_input.press("Enter")
    recorded.wait_for_run(runs)
    recorded.settle()
    click_key(recorded, "plan_save")
    page.get_by_text(f"已保存方案「{name}」").wait_for(timeout=60_000)
    recorded.settle()


def pick(page, label, option):
    """Choose ``option`` in the Streamlit selectbox labelled ``label``."""
    box = page.locator("[data-testid='stSelectbox']", has_text=label).first
    box.click()
    page.keyboard.type(option[:12])
    page.get_by_role("option", name=option).first.click()


def upload_income(recorded, path) -> None:
    """On 数据管理: the layer village_income, the file, and the validation's verdict."""
    page = recorded.page
    box = page.locator("[data-testid='stSelectbox']", has_text="导入为图层").first
    if box.locator("input").input_value() != INCOME_LAYER:
        runs = recorded.runs
        pick(page, "导入为图层", INCOME_LAYER)
        recorded.wait_for_run(runs)
    page.locator("[data-testid='stFileUploader'] input[type=file]").set_input_files(str(path))
    verdict = page.get_by_text(re.compile("^校验结果：")).first
    verdict.wait_for(timeout=60_000)
    recorded.settle()
    assert verdict.inner_text().startswith("校验结果：0 个错误"), alert(page)


def table_rows(table) -> list:
    """The rows a Streamlit dataframe shows (its accessible table: the rows in view)."""
    table.scroll_into_view_if_needed()
    table.locator("tbody tr").first.wait_for(state="attached", timeout=60_000)
    return [row.locator("td").all_inner_texts() for row in table.locator("tbody tr").all()]
