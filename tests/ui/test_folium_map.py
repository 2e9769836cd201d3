"""ui.folium_map: the map's first value in Python is the browser's starting value."""
import pathlib
import re

import folium
import streamlit_folium

from ui import folium_map

BUNDLE = pathlib.Path(streamlit_folium.__file__).parent / "frontend" / "build" / "static" / "js"


def _browser_start() -> dict:
    """The values the browser's map starts from, read from streamlit-folium's bundle."""
    source = "".join(p.read_text(encoding="utf-8") for p in BUNDLE.glob("main.*.js"))
    found = re.search(r"__GLOBAL_DATA__=\{(lat_lng_clicked:.*?),returned_objects:", source)
    assert found, "streamlit-folium's bundle no longer sets __GLOBAL_DATA__ as expected"
    pairs = dict(item.split(":", 1) for item in found.group(1).split(","))
    return {k: {"null": None}.get(v, v) for k, v in pairs.items()}


def test_the_browser_starts_its_click_count_at_zero_and_everything_else_at_null():
    start = _browser_start()
    assert start["last_object_clicked_count"] == "0"
    assert start["last_active_drawing"] is None and start["last_object_clicked"] is None
    assert {k: int(v) for k, v in start.items() if v is not None} == folium_map.BROWSER_START


def test_the_default_given_to_the_browser_is_its_starting_value(monkeypatch):
    sent = []
    monkeypatch.setattr(streamlit_folium, "_component_func",
                        lambda *a, default=None, **k: sent.append(default) or default)
    value = folium_map.st_folium(folium.Map(location=[26.2, 117.6], zoom_start=9), key="m",
                                 returned_objects=["last_active_drawing",
                                                   "last_object_clicked_count"])
    assert sent == [{"last_active_drawing": None, "last_object_clicked_count": 0}]
    assert value == sent[0]
    start = _browser_start()
    assert all(start[k] == (None if v is None else str(v)) for k, v in sent[0].items())


def test_the_wrapper_is_put_in_once(monkeypatch):
    calls = []
    monkeypatch.setattr(streamlit_folium, "_component_func",
                        lambda *a, default=None, **k: calls.append(default))
    for _ in range(3):
        folium_map.st_folium(folium.Map(), returned_objects=["last_object_clicked"])
    assert calls == [{"last_object_clicked": None}] * 3
    assert streamlit_folium._component_func.browser_start
    wrapped = streamlit_folium._component_func
    folium_map.st_folium(folium.Map(), returned_objects=[])
    assert streamlit_folium._component_func is wrapped
