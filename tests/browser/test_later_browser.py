"""ui.later in a real browser: on arriving at a map page its tables and charts
come a moment after the map, in the same run, and a click on another page
made while they wait stops the run and is not undone."""
from tests.browser.conftest import ARTIFACTS
from texts import LATER_CHARTS, LATER_TABLES, PAGE_OVERVIEW

DATAFRAME = "[data-testid='stDataFrame']"
VEGA = "[data-testid='stVegaLiteChart']"

# Records when things first appear: the deck's canvas, a placeholder (with the
# number of data grids then in the page) and the first data grid.
WATCH = """
window.__seen = {};
new MutationObserver(() => {
  const seen = window.__seen, now = performance.now();
  if (!seen.canvas && document.querySelector("[data-testid='stDeckGlJsonChart'] canvas"))
    seen.canvas = now;
  if (!seen.placeholder && document.body && document.body.innerText.includes(%r)) {
    seen.placeholder = now;
    seen.gridsWithPlaceholder = document.querySelectorAll(%r).length;
  }
  if (!seen.table && document.querySelector(%r)) seen.table = now;
}).observe(document, {childList: true, subtree: true, characterData: true});
""" % (LATER_TABLES, DATAFRAME, DATAFRAME)


def test_grid_tables_come_after_the_map_by_themselves(server, page):
    page.page.add_init_script(WATCH)
    page.page.goto(f"{server}/grids", wait_until="domcontentloaded")
    page.page.wait_for_function(f"document.querySelectorAll({DATAFRAME!r}).length >= 4",
                                timeout=180_000)
    page.page.get_by_text("下载未达标网格清单（CSV）").wait_for(timeout=60_000)
    seen = page.page.evaluate("window.__seen")
    page.page.screenshot(path=str(ARTIFACTS / "later-grids.png"), full_page=True)
    assert seen.get("placeholder") is not None, "the tables did not wait on arrival"
    assert seen["gridsWithPlaceholder"] == 0
    assert seen["canvas"] is not None and seen["placeholder"] < seen["table"]
    assert page.page.get_by_text(LATER_TABLES).count() == 0  # the placeholder is gone
    assert page.foreign_requests() == [] and page.errors == []


def test_a_click_on_another_page_while_they_wait_is_kept(server, page):
    p = page.page
    p.goto(f"{server}/grids", wait_until="domcontentloaded")
    p.get_by_text(LATER_TABLES).wait_for(timeout=180_000)
    p.get_by_test_id("stSidebarNav").get_by_role("link", name=PAGE_OVERVIEW).click()
    # 总览's own charts wait as well: once they are there, anything left over from
    # 网格治理's stopped run would have come too.
    p.wait_for_selector(VEGA, timeout=180_000)
    page.settle()
    assert p.get_by_text(LATER_CHARTS).count() == 0
    assert p.url.rstrip("/") == server.rstrip("/"), p.url
    assert p.locator("h1").first.inner_text().startswith("联建网格看板")
    assert p.locator(DATAFRAME).count() == 0  # nothing of 网格治理 came back
    assert page.errors == []
