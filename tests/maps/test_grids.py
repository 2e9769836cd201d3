"""The grids page's deck builder on the hand-built squares of tests/analysis/test_grid_checks."""
import json

import numpy as np
import pytest

from analysis.grid_checks import grid_compliance, grid_integrity
from analysis.grid_tree import grid_tree
from maps import grids as grid_maps
from maps.grids import build_grid_deck, grid_display_layers, grid_legend
from tests.analysis.test_grid_checks import A, B, C, T1, grids, villages  # noqa: F401


@pytest.fixture
def display(villages, grids):  # noqa: F811
    tree = grid_tree(villages, grids)
    return grid_display_layers(villages, grids, tree, grid_compliance(grids),
                               grid_integrity(villages, grids))


def spec(deck) -> dict:
    return json.loads(deck.to_json())


def test_offline_deck_with_text_tooltips(display):
    deck = build_grid_deck(display)
    text = deck.to_json()
    assert "\n" not in text and ": " not in text          # compact
    out = json.loads(text)
    assert out["mapStyle"] == "__MAP_STYLE__" and "mapProvider" not in out   # no basemap
    assert deck._tooltip == {"text": "{n}\n{r}"}
    assert "cartocdn" not in text and "mapbox" not in text
    ids = [layer["id"] for layer in out["layers"]]
    assert ids == ["l4-compliant", "l4-compliant-line", "l4-households", "l4-households-line",
                   "l4-manager", "l4-manager-line", "l4-branch", "l4-branch-line", "l3",
                   "villages", "gap", "gap-line", "overlap", "overlap-line", "orphan",
                   "orphan-line", "defect-markers", "defect-rings"]


def test_pickable_layers_are_never_stroked(display):
    """deck.gl drops a click whose pointerup comes > 250 ms after pointerdown, and
    a stroked layer in the picking pass costs about that under software WebGL:
    outlines are separate layers that are not pickable."""
    for deck in (build_grid_deck(display), build_grid_deck(display, ("village_code", B),
                                                           ("l4", "B1-2"))):
        for layer in spec(deck)["layers"]:
            if layer.get("pickable") and layer["@@type"] == "PolygonLayer":
                assert layer["stroked"] is False, layer["id"]


def test_rows_decode_back_to_the_display_coordinates(display):
    """Integers × 1e-5° + origin are the rounded display coordinates."""
    out = spec(build_grid_deck(display))
    layer = out["layers"][0]
    origin = np.array(layer["coordinateOrigin"])
    row = next(r for r in layer["data"] if r["c"] == "A1-1")
    xy = np.array(row["p"]).reshape(-1, 2) * layer["modelMatrix"][0] + origin
    l4 = display["l4"].set_index("grid_code")
    expected = np.array(l4.loc["A1-1", "geometry"].exterior.coords)
    assert np.abs(xy - expected).max() < 1e-9
    assert layer["coordinateSystem"] == "lnglat-offsets" and layer["positionFormat"] == "XY"


def test_every_pickable_row_has_the_tooltip_keys(display):
    for layer in spec(build_grid_deck(display))["layers"]:
        if layer.get("pickable"):
            assert all({"c", "n", "r"} <= set(row) for row in layer["data"]), layer["id"]


def test_classes_defects_and_scope(display):
    """A1-1 compliant; A1-2 no manager; B1-1, B1-2 households; X1 branch.
    Gaps in A and C, one overlap (B), orphans Y and X1."""
    layers = {layer["id"]: layer for layer in spec(build_grid_deck(display))["layers"]}
    codes = {k: sorted(r["c"] for r in layers[k]["data"]) for k in layers
             if k.startswith("l4-") and not k.endswith("-line")}
    assert codes == {"l4-compliant": ["A1-1"], "l4-households": ["B1-1", "B1-2"],
                     "l4-manager": ["A1-2"], "l4-branch": ["X1"]}
    assert sorted(r["c"] for r in layers["gap"]["data"]) == [A, C]
    assert [r["n"] for r in layers["overlap"]["data"]] == ["B1-1 × B1-2"]
    assert sorted(r["c"] for r in layers["orphan"]["data"]) == ["X1", "Y"]
    assert len(layers["defect-markers"]["data"]) == 5
    township = {layer["id"]: layer for layer in
                spec(build_grid_deck(display, ("township_code", T1)))["layers"]}
    assert sorted(r["c"] for r in township["gap"]["data"]) == [A]
    assert sorted(r["c"] for r in township["l4-branch"]["data"]) == []


def test_focus_outline_and_merged_compliant_grids(display, monkeypatch):
    focused = spec(build_grid_deck(display, ("village_code", B), ("l4", "B1-2")))
    assert [layer["id"] for layer in focused["layers"]].count("focus") == 1
    assert focused["layers"][0]["stroked"] is False and focused["layers"][0]["pickable"]
    outlines = [layer for layer in focused["layers"] if layer["id"].endswith("-line")]
    assert focused["layers"][1] is outlines[0]        # each fill's outline follows it
    assert all(o["@@type"] == "LineLayer" and not o["pickable"] for o in outlines)
    assert any(o["data"] for o in outlines)
    monkeypatch.setattr(grid_maps, "STROKE_LIMIT", 2)
    merged = {layer["id"]: layer for layer in spec(build_grid_deck(display))["layers"]}
    assert [r["c"] for r in merged["l4-compliant"]["data"]] == [A]   # A1-1, as village A
    assert merged["l4-compliant"]["stroked"] is False and "l4-compliant-line" not in merged
    # every status merged per village: B1-1 and B1-2 as village B with a count; a
    # grid alone keeps its own reason; a grid without a village stays itself
    households = merged["l4-households"]["data"]
    assert [(r["c"], r["r"]) for r in households] == [(B, "户数不在 80–120 户：单元网格 2 个")]
    manager = merged["l4-manager"]["data"]
    assert [r["c"] for r in manager] == [A] and manager[0]["r"] == display["l4"].set_index(
        "grid_code").loc["A1-2", "reason"]
    l4 = display["l4"].set_index("grid_code")
    assert [r["c"] for r in merged["l4-branch"]["data"]] == [l4.loc["X1", "village_code"]]
    no_village = display["l4"].assign(village_code=display["l4"]["village_code"].where(
        display["l4"]["grid_code"] != "X1"))
    alone = grid_maps._merged_by_village(no_village, display["villages"])
    assert alone.loc[alone["c"] == "X1", "status"].tolist() == ["branch"]
    assert len(alone) == len(display["l4_merged"])
    with pytest.raises(ValueError, match="未知的层级 'row'"):
        build_grid_deck(display, focus=("row", "x"))


def test_legend_lists_classes_then_defects():
    labels = [label for _, label in grid_legend().entries]
    assert labels == ["达标", "户数不在 80–120 户", "未配备网格管家", "片区未建网格党支部",
                      "覆盖缺口", "交叉重叠", "无上级网格"]
