"""Target marks as area outline colours on the overview deck (maps.marks), on the demo."""
import json

import pytest

from maps.marks import MARK_COLORS
from maps.overview import overview_map
from tests.conftest import DEMO
from ui import cached


@pytest.fixture(scope="module")
def display():
    src = cached.Source(str(DEMO), DEMO.stat().st_mtime, True)
    return cached.display_layers(src), cached.villages_table(src, cached.params())


def _layers(deck) -> dict:
    return {layer["id"]: layer for layer in json.loads(deck.to_json())["layers"]}


def test_counties_outlined_in_their_mark_colour(display):
    marks = {"350481": "green", "350404": "red"}   # 永安市, 三元区; the others unmarked
    deck, legend = overview_map(*display, "joint", marks=marks, marks_title="联村覆盖率：")
    layers = _layers(deck)
    marked = {key: layer for key, layer in layers.items() if key.startswith("marks_")}
    assert set(marked) == {"marks_halo", "marks_green", "marks_red"}
    for kind in ("green", "red"):
        layer = marked[f"marks_{kind}"]
        assert layer["getColor"] == list(MARK_COLORS[kind]) and layer["data"]
        assert layer["@@type"] == "LineLayer" and not layer["pickable"]
    # the halo runs under both marked counties: as many edges as the two together
    assert len(marked["marks_halo"]["data"]) >= max(len(marked["marks_green"]["data"]),
                                                    len(marked["marks_red"]["data"]))
    labels = [label for _, label in legend.entries]
    assert labels[-3:] == ["联村覆盖率：达标", "联村覆盖率：接近目标", "联村覆盖率：未达标"]


def test_in_a_county_the_townships_are_marked(display):
    town = "350404006"
    deck, _ = overview_map(*display, "joint", "350404", marks={town: "yellow"})
    layers = _layers(deck)
    assert {key for key in layers if key.startswith("marks_")} == {"marks_halo", "marks_yellow"}
    edges = layers["marks_yellow"]["data"]
    assert layers["marks_yellow"]["getColor"] == list(MARK_COLORS["yellow"]) and edges
    township = display[0]["townships"]
    minx, miny, maxx, maxy = township[township["township_code"] == town].total_bounds
    assert all(minx - 1e-4 <= e["s"][0] <= maxx + 1e-4 and miny - 1e-4 <= e["s"][1] <= maxy + 1e-4
               for e in edges)


def test_no_marks_no_layer(display):
    deck, legend = overview_map(*display, "joint")
    assert not any(key.startswith("marks") for key in _layers(deck))
    assert not any("达标" in label for _, label in legend.entries)
