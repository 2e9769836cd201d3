"""Chinese where a Chinese user expects Chinese, in a real headless Chromium.

Every page (and every tab and mode of 分组规划 and 数据管理) is opened, each
selectbox and multiselect dropdown is opened, and each text field is typed
into; none of Streamlit's English defaults that the app can replace may show:
the selectbox/multiselect placeholders (``placeholder=``), the multiselect's
"Select all" entry (``select_all=False``) and the text field's "Press Enter to
apply" (``live=True``).  Each file uploader has a Chinese instruction as its
label, since Streamlit 1.67 has no way to translate the uploader's own words.

Streamlit's "No results" (a dropdown with nothing left to choose, or whose
filter matches nothing) is hard-coded in Streamlit 1.67 and is not checked.
"""
import re

import pytest

from tests.browser.conftest import ARTIFACTS, empty_store_server, recorded_page

ENGLISH = ("Choose an option", "Choose options", "Choose or add", "Add an option",
           "No options to select", "Press Enter to apply", "Press Enter to submit form",
           "Enter to apply", "Select all")
SELECT_MATCHES = re.compile(r"Select \d+ matches")
# What the page shows: the text drawn, and the placeholders of the fields (also
# when a value hides them: every widget is to have a Chinese one).
SHOWN = ("() => [document.body.innerText, ...[...document.querySelectorAll("
         "'input[placeholder], textarea[placeholder]')].map(e => e.placeholder)].join('\\n')")
STALE = "() => !document.querySelector('[data-stale=true]')"
BOXES = "[data-testid=stSelectbox], [data-testid=stMultiSelect]"
PAGES = (("总览", "[data-testid=stMetric]"), ("跨村联建", "text=联村党组织一览"),
         ("网格治理", "[data-testid=stMetric]"), ("分组规划", "text=联建村人口覆盖率"),
         ("报告导出", "text=地图格式"), ("数据管理", "text=导入为图层"))


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """The demo with an empty data folder of its own."""
    with empty_store_server(tmp_path_factory, "chinese") as url:
        yield url


def _drawn(page) -> None:
    """Wait for two animation frames: what the last input changed is on screen."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _english(page) -> list:
    text = page.evaluate(SHOWN)
    return sorted({w for w in ENGLISH if w in text} | set(SELECT_MATCHES.findall(text)))


def _assert_chinese(page, where: str) -> None:
    found = _english(page)
    assert not found, f"{where}: Streamlit's English {found}"


def _label(widget) -> str:
    return widget.locator("[data-testid=stWidgetLabel]").first.inner_text().strip()


def _dropdowns(recorded, where: str) -> None:
    """Open each enabled selectbox and multiselect on screen, look, close it again."""
    page = recorded.page
    boxes = page.locator(BOXES)
    for i in range(boxes.count()):
        box = boxes.nth(i)
        field = box.locator("input[role=combobox]").first
        if not field.is_visible() or field.is_disabled():
            continue
        field.scroll_into_view_if_needed()
        _drawn(page)  # scrolled: a scroll would close the dropdown again
        field.click()
        page.wait_for_selector("[role=listbox]")
        _drawn(page)
        _assert_chinese(page, f"{where} · {_label(box)} (opened)")
        page.keyboard.press("Escape")
        page.wait_for_selector("[role=listbox]", state="detached")


def _type_into_fields(recorded, where: str) -> None:
    """Type into each text field on screen: while its value is not yet applied
    Streamlit would say "Press Enter to apply" unless the field is live."""
    page = recorded.page
    fields = page.locator("[data-testid=stTextInput]")
    for i in range(fields.count()):
        widget = fields.nth(i)
        field = widget.locator("input").first
        if not field.is_visible() or field.is_disabled():
            continue
        label = field.get_attribute("aria-label")
        runs = recorded.runs
        field.click()
        page.keyboard.press("End")
        page.keyboard.type("甲")
        _drawn(page)
        _assert_chinese(page, f"{where} · {label} (typed into)")
        recorded.wait_for_run(runs)  # live: applied after a pause in typing
        focused = page.evaluate("() => document.activeElement?.getAttribute('aria-label')")
        assert focused == label, f"{where} · {label}: the field lost the focus while typing"


def _uploaders(page, where: str) -> None:
    """Each file uploader says in Chinese what its English button and drop zone do."""
    for uploader in page.locator("[data-testid=stFileUploader]").all():
        if uploader.is_visible():
            label = _label(uploader)
            assert "Upload" in label and "拖" in label, f"{where}: uploader label {label!r}"


def _check(recorded, where: str, tabs: bool = True) -> None:
    """The page as shown, its dropdowns opened, its text fields typed into; then
    the same in each of its other tabs."""
    page = recorded.page
    _assert_chinese(page, where)
    _uploaders(page, where)
    _dropdowns(recorded, where)
    _type_into_fields(recorded, where)
    if tabs:
        _tabs(recorded, where)


def _tabs(recorded, where: str) -> None:
    page = recorded.page
    tabs = page.locator("[data-testid=stMain] [role=tab]")
    for i in range(tabs.count()):
        tab = tabs.nth(i)
        if tab.get_attribute("aria-selected") == "true":
            continue
        name = tab.inner_text().strip()
        tab.click()
        page.wait_for_function("t => t.getAttribute('aria-selected') === 'true'",
                               arg=tab.element_handle())
        page.wait_for_function(STALE)
        _check(recorded, f"{where} · {name}", tabs=False)


def _go(recorded, link: str, ready: str) -> None:
    page = recorded.page
    runs = recorded.runs
    page.get_by_role("link", name=link).click()
    page.wait_for_selector(ready, timeout=120_000)
    recorded.wait_for_run(runs)


def _open(recorded, url: str, ready: str) -> None:
    page = recorded.page
    runs = recorded.runs
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(ready, timeout=120_000)
    recorded.wait_for_run(runs)


def _click(recorded, locator, ready: str | None = None) -> None:
    runs = recorded.runs
    locator.click()
    if ready:
        recorded.page.wait_for_selector(ready, timeout=120_000)
    recorded.wait_for_run(runs)


def test_every_page_shows_no_english_defaults(app_server, browser):
    with recorded_page(browser, height=1400) as recorded:
        _open(recorded, app_server, "[data-testid=stMetric]")
        for link, ready in PAGES:
            _go(recorded, link, ready)
            _check(recorded, link)
        _open(recorded, app_server + "/briefing", ".bn-value")
        _check(recorded, "汇报模式")
        assert recorded.errors == []


def test_every_planning_mode_shows_no_english_defaults(app_server, browser):
    with recorded_page(browser, height=1600) as recorded:
        page = recorded.page
        _open(recorded, app_server + "/planning", "text=联建村人口覆盖率")
        _click(recorded, page.get_by_role("button", name="新建组织"), "text=组织名称")
        _check(recorded, "分组规划 · 编辑方案（新建组织）")
        for mode in ("自动建议", "保存与导入导出", "方案对比"):
            _click(recorded, page.get_by_role("radio", name=mode))
            _check(recorded, f"分组规划 · {mode}")
            if mode == "保存与导入导出":  # a saved scenario brings its picker and rename field
                _click(recorded, page.get_by_role("button", name="保存当前方案"), "text=已保存方案")
                _check(recorded, "分组规划 · 保存与导入导出（已保存方案）")
        page.screenshot(path=str(ARTIFACTS / "chinese-planning.png"), full_page=True)
        assert recorded.errors == []


def _range(page) -> str:
    """What 范围 on 报告导出 shows: its value, else its placeholder."""
    field = page.locator("[data-testid=stSelectbox]", has_text="范围").locator("input").first
    return field.input_value() or field.get_attribute("placeholder")


def _sidebar_pick(recorded, label: str, option: str | None = None) -> str:
    """Pick ``option`` (else the first one after 全部…) in the sidebar's selectbox."""
    page = recorded.page
    box = page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]", has_text=label)
    box.locator("input").first.click()
    page.wait_for_selector("[role=listbox]")
    choice = (page.get_by_role("option", name=option, exact=True) if option
              else page.locator("[role=listbox] [role=option]").nth(1))
    name = choice.inner_text().strip()
    _click(recorded, choice)
    return name


def test_report_range_starts_on_the_sidebar_area(app_server, browser):
    with recorded_page(browser, height=1200) as recorded:
        page = recorded.page
        _open(recorded, app_server, "[data-testid=stMetric]")
        _go(recorded, "报告导出", "text=地图格式")
        assert _range(page) == "全市"
        _sidebar_pick(recorded, "县（市、区）", "永安市")
        assert _range(page) == "永安市"
        _sidebar_pick(recorded, "乡镇（街道）")  # a township: its county's report
        _go(recorded, "总览", "[data-testid=stMetric]")
        _go(recorded, "报告导出", "text=地图格式")
        assert _range(page) == "永安市"
        _sidebar_pick(recorded, "县（市、区）", "全市")
        assert _range(page) == "全市"
        _assert_chinese(page, "报告导出")
