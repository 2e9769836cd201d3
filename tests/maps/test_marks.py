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
    layer = _layers(deck)["marks"]
    colors = sorted(tuple(f["properties"]["_line"]) for f in layer["data"]["features"])
    assert colors == sorted([MARK_COLORS["green"], MARK_COLORS["red"]])
    assert not layer["pickable"] and not layer["filled"]
    labels = [label for _, label in legend.entries]
    assert labels[-3:] == ["联村覆盖率：达标", "联村覆盖率：接近目标", "联村覆盖率：未达标"]


def test_in_a_county_the_townships_are_marked(display):
    town = "350404006"
    deck, _ = overview_map(*display, "joint", "350404", marks={town: "yellow"})
    features = _layers(deck)["marks"]["data"]["features"]
    assert len(features) == 1 and features[0]["properties"]["_line"] == list(MARK_COLORS["yellow"])


def test_no_marks_no_layer(display):
    deck, legend = overview_map(*display, "joint")
    assert "marks" not in _layers(deck)
    assert not any("达标" in label for _, label in legend.entries)
