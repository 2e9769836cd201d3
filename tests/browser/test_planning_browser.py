"""The 分组规划 page in a real headless Chromium: two clicks on the map put two
uncovered neighbouring villages into a new group, and the figures follow."""
import pytest

from analysis.adjacency import neighbour_sets, village_adjacency
from geo.dataset import load_dataset
from maps.display import display_geometry
from tests.browser.conftest import ARTIFACTS, metric_value, next_frames, recorded_page
from tests.conftest import DEMO

FRAME = "iframe[title*='streamlit_folium']"


@pytest.fixture(scope="module")
def two_neighbours():
    """Two adjacent villages in no organisation (the largest such pair), with inner points."""
    data = load_dataset(DEMO)
    shown = display_geometry(data.villages)
    shown["area"] = shown.to_crs(3857).area
    joined = set(data.joint_members["village_code"])
    free = shown[(shown["kind"] == "village") & ~shown["village_code"].isin(joined)]
    free = free.set_index("village_code")
    near = neighbour_sets(village_adjacency(data.villages))
    pairs = [(a, b) for a in free.index for b in near[a] if b in free.index and a < b]
    a, b = max(pairs, key=lambda p: min(free.at[p[0], "area"], free.at[p[1], "area"]))

    def place(code):
        point = free.at[code, "geometry"].representative_point()
        return {"code": code, "name": free.at[code, "name"], "lat": point.y, "lon": point.x}
    return place(a), place(b)


def _frame(page):
    page.wait_for_selector(FRAME, timeout=120_000)
    frame = page.locator(FRAME).element_handle().content_frame()
    frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length > 1000",
                            timeout=120_000)
    return frame


def _click(page, place):
    frame = _frame(page)
    frame.evaluate("([lat, lon]) => { window.map.setView([lat, lon], 13, {animate: false}); }",
                   [place["lat"], place["lon"]])
    next_frames(frame)  # the canvas renderer redraws on the next animation frame
    x, y = frame.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint("
                          "[lat, lon]); return [p.x, p.y]; }", [place["lat"], place["lon"]])
    page.frame_locator(FRAME).locator("#map_div").click(position={"x": x, "y": y})


def test_clicks_make_a_new_group_and_change_the_figures(server, browser, two_neighbours):
    first, second = two_neighbours
    with recorded_page(browser, height=1500) as recorded:
        page = recorded.page
        page.goto(server, wait_until="domcontentloaded")
        page.wait_for_selector("[data-testid='stMetric']", timeout=120_000)
        page.get_by_role("link", name="分组规划").click()
        page.get_by_text("联建村人口覆盖率").first.wait_for(timeout=120_000)
        assert metric_value(page, "联村党组织数") == "223 个"
        _click(page, first)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
            ".some(e => e.innerText === '224 个')", timeout=60_000)
        assert metric_value(page, "联建村数") == "870 个"
        _click(page, second)
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
            ".some(e => e.innerText === '871 个')", timeout=60_000)
        page.wait_for_function(  # both villages are members of the group being edited
            "() => document.querySelectorAll('[data-testid=stMultiSelect] [data-tag] span[title]')"
            ".length === 2", timeout=60_000)
        chips = page.locator("[data-testid=stMultiSelect] [data-tag] span[title]").all_inner_texts()
        assert sorted(chips) == sorted([first["name"], second["name"]])
        assert metric_value(page, "联村党组织数") == "224 个"
        assert metric_value(page, "新增覆盖村数") == "2 个"
        _click(page, second)  # the same village again, at the same point: out of the group
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=stMultiSelect] [data-tag] span[title]')"
            ".length === 1", timeout=60_000)
        assert metric_value(page, "联建村数") == "870 个"
        _click(page, second)  # and back in
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=stMultiSelect] [data-tag] span[title]')"
            ".length === 2", timeout=60_000)
        text = page.inner_text("main")
        assert f"{first['name']}联村党组织" in text  # the new group, named after its first village
        assert "村数过少" in text or "没有强村" in text  # two villages break the 3–6 band
        page.screenshot(path=str(ARTIFACTS / "planning.png"), full_page=True)
        assert recorded.foreign_requests() == []
        assert recorded.errors == []
