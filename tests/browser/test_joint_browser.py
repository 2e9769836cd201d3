"""The 跨村联建 page in a real headless Chromium: the folium map is drawn by the
vendored Leaflet, nothing is fetched from outside the machine, a click on a
village selects its organisation, and names are shown as text, never run."""
import json
import time

import pyogrio
import pytest

from geo.dataset import load_dataset
from maps.display import display_geometry
from tests.browser.conftest import (ARTIFACTS, RecordedPage, count_pixels, next_frames,
                                   start_server, wait_painted)
from tests.conftest import DEMO

FRAME = "iframe[title*='streamlit_folium']"
XSS_VILLAGE = '<img src=x onerror="window.__xss=1">'
XSS_ORG = "<script>window.__xss=2</script>"


@pytest.fixture(scope="module")
def demo_places():
    """A joint (not lead) village and a village in no organisation, each the
    largest of its kind, with an inner point and the organisation's name."""
    data = load_dataset(DEMO)
    shown = display_geometry(data.villages)
    shown["area"] = shown.to_crs(3857).area
    members = data.joint_members.set_index("village_code")["org_id"]
    leads = set(data.joint_orgs["lead_village_code"])
    villages = shown[shown["kind"] == "village"]
    joint = villages[villages["village_code"].isin(members.index)
                     & ~villages["village_code"].isin(leads)].nlargest(1, "area").iloc[0]
    other = villages[~villages["village_code"].isin(members.index)].nlargest(1, "area").iloc[0]
    names = data.joint_orgs.set_index("org_id")["name"]

    def place(row):
        point = row.geometry.representative_point()
        return {"code": row["village_code"], "name": row["name"], "lat": point.y,
                "lon": point.x}
    org = members[joint["village_code"]]
    return {"joint": {**place(joint), "org_id": org, "org": names[org]}, "other": place(other)}


def _map_frame(page):
    """The Leaflet map's frame once its layers are drawn."""
    page.page.wait_for_selector(FRAME, timeout=60_000)
    frame = page.page.locator(FRAME).element_handle().content_frame()
    frame.wait_for_function("() => window.map && Object.keys(window.map._layers).length > 1000",
                            timeout=60_000)
    return frame


def _open_joint(page, url):
    """Open the frame at / and go to the page through the navigation, as a user does."""
    page.page.goto(url, wait_until="domcontentloaded")
    page.page.wait_for_selector("[data-testid='stMetric']", timeout=60_000)
    page.page.get_by_role("link", name="跨村联建").click()
    return _map_frame(page)


def _click_village(page, frame, place, zoom=13):
    """Zoom the map on ``place`` (no rerun: only clicks are returned) and click it."""
    frame.evaluate("([lat, lon, z]) => { window.map.setView([lat, lon], z, {animate: false}); }",
                   [place["lat"], place["lon"], zoom])
    next_frames(frame)  # the canvas renderer redraws on the next animation frame
    x, y = frame.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint("
                          "[lat, lon]); return [p.x, p.y]; }", [place["lat"], place["lon"]])
    page.page.frame_locator(FRAME).locator("#map_div").click(position={"x": x, "y": y})
    frame.wait_for_function(
        "code => (window.__GLOBAL_DATA__.last_active_drawing || {properties: {}})"
        ".properties.village_code === code", arg=place["code"], timeout=10_000)


def _full_screenshot(page, name):
    """The whole page: Streamlit scrolls inside its main block, so the window is
    made tall enough to show everything."""
    page.page.set_viewport_size({"width": 1600, "height": 2300})
    page.page.wait_for_function("() => window.innerHeight === 2300")
    next_frames(page.page, 4)
    page.page.screenshot(path=str(ARTIFACTS / name))
    page.page.set_viewport_size({"width": 1600, "height": 900})


def _saturated(r, g, b) -> bool:
    return max(r, g, b) - min(r, g, b) > 60


def _colored_pixels(png: bytes) -> int:
    """Pixels of the organisation palette (saturated colours), not grey or white."""
    return count_pixels(png, _saturated)


def test_joint_map_draws_offline(server, page):
    frame = _open_joint(page, server)
    assert frame.locator(".leaflet-overlay-pane canvas").count() == 1
    assert frame.evaluate("() => typeof L !== 'undefined' && L.version") == "1.9.3"
    shot = wait_painted(page.page.locator(FRAME), _saturated, 5000)
    (ARTIFACTS / "joint-map.png").write_bytes(shot)
    _full_screenshot(page, "joint.png")
    assert _colored_pixels(shot) > 5000, "member villages are not filled on the map"
    assert "联村党组织一览（223）" in page.page.inner_text("main")
    assert page.foreign_requests() == []
    assert page.errors == []


def test_first_paint_and_bytes(server, browser, page):
    """Time from navigation to the Leaflet layers drawn, and bytes received
    (HTTP bodies and WebSocket frames), in a fresh browser (empty cache) on a
    warm server; written to test-artifacts/joint-metrics.json."""
    _open_joint(page, server)  # warm the server's caches
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="zh-CN")
    fresh = RecordedPage(context.new_page())
    finished, frames = [], []
    fresh.page.on("requestfinished", lambda req: finished.append(req))
    fresh.page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: frames.append(len(payload))))
    start = time.perf_counter()
    fresh.page.goto(server + "/joint", wait_until="domcontentloaded")
    _map_frame(fresh)
    paint = time.perf_counter() - start
    fresh.page.wait_for_load_state("networkidle")
    http = sum(max(req.sizes()["responseBodySize"], 0) for req in finished)
    metrics = {"first_map_paint_s": round(paint, 2), "http_body_bytes": http,
               "websocket_bytes": sum(frames), "requests": len(finished)}
    (ARTIFACTS / "joint-metrics.json").write_text(json.dumps(metrics, indent=1))
    assert "联建网格看板" in fresh.page.inner_text("[data-testid='stSidebar']")
    assert paint < 20 and http + sum(frames) < 15_000_000
    assert fresh.foreign_requests() == []
    context.close()


def test_clicking_a_village_selects_its_organisation(server, page, demo_places):
    frame = _open_joint(page, server)
    frame.evaluate("() => { window.__probe = 1; }")
    joint = demo_places["joint"]
    _click_village(page, frame, joint)
    page.page.get_by_role("heading", name=joint["org"]).wait_for(timeout=30_000)
    # The panel fills in as the script runs: the members, then the income chart.
    page.page.get_by_text("成员村村均集体经营性收入").wait_for(timeout=30_000)
    page.page.wait_for_function("() => document.querySelectorAll("
                                "\"[data-testid='stVegaLiteChart']\").length >= 3",
                                timeout=30_000)
    assert page.page.get_by_text("成员村", exact=True).count() == 1
    # The selection outline is swapped in without redrawing the map.
    assert frame.evaluate("() => window.__probe") == 1
    assert frame.evaluate("() => window.map.getZoom()") == 13
    _full_screenshot(page, "joint-click.png")

    _click_village(page, frame, demo_places["other"])
    page.page.get_by_text("该村未参加联村党组织").wait_for(timeout=30_000)
    assert demo_places["other"]["name"] in page.page.inner_text("main")
    assert page.foreign_requests() == []
    assert page.errors == []


@pytest.fixture(scope="module")
def xss_server(demo_places, tmp_path_factory):
    """The demo with a joint village and its organisation renamed to markup."""
    path = tmp_path_factory.mktemp("xss") / "xss.gpkg"
    joint = demo_places["joint"]
    for name, _ in pyogrio.list_layers(DEMO):
        frame = pyogrio.read_dataframe(DEMO, layer=name)
        if name == "villages":
            frame.loc[frame["village_code"] == joint["code"], "name"] = XSS_VILLAGE
        if name == "joint_orgs":
            frame.loc[frame["org_id"] == joint["org_id"], "name"] = XSS_ORG
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    proc, url = start_server(path, ARTIFACTS / "streamlit-server-xss.log")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_names_are_shown_as_text_never_run(xss_server, page, demo_places):
    frame = _open_joint(page, xss_server)
    joint = demo_places["joint"]
    _click_village(page, frame, joint)
    page.page.get_by_role("heading", name=XSS_ORG).wait_for(timeout=30_000)
    # Hover: the tooltip shows both names literally, as text.
    x, y = frame.evaluate("([lat, lon]) => { const p = window.map.latLngToContainerPoint("
                          "[lat, lon]); return [p.x, p.y]; }", [joint["lat"], joint["lon"]])
    page.page.frame_locator(FRAME).locator("#map_div").hover(position={"x": x + 3, "y": y + 3})
    tooltip = page.page.frame_locator(FRAME).locator(".leaflet-tooltip")
    tooltip.wait_for(timeout=10_000)
    text = tooltip.inner_text()
    assert XSS_VILLAGE in text and XSS_ORG in text
    assert tooltip.locator("img, script").count() == 0
    page.page.screenshot(path=str(ARTIFACTS / "joint-xss.png"))
    assert XSS_ORG in page.page.inner_text("main")
    assert page.page.evaluate("() => typeof window.__xss") == "undefined"
    assert frame.evaluate("() => typeof window.__xss") == "undefined"
    assert page.foreign_requests() == []
