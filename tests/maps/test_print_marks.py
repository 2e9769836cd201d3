"""The print map of a township (maps.static.map_layers(..., township=)) and the
target marks drawn on a print map (maps.print_marks), on the toy dataset of
tests/analysis: 甲县 has the townships 甲镇 (v1, v2) and 乙镇 (v3, c1)."""
import warnings

import pytest

from maps import print_layout as ml
from maps.marks import MARK_COLORS
from maps.print_marks import draw_print_marks
from maps.static import build_map, map_layers, rgba
from tests.analysis.conftest import C1_CODE, C2_CODE, T11, V1, V2, make_dataset, toy_layers

FURNITURE = ml.Furniture("标题", "副标题")


@pytest.fixture
def toy():
    return make_dataset(**toy_layers())


def test_a_township_map_outlines_and_names_its_villages(toy):
    layers = map_layers(toy, county=C1_CODE, township=T11)
    assert layers.outline_kind == "village"
    assert sorted(layers.villages["village_code"]) == [V1, V2]
    assert sorted(layers.outlines["label"]) == ["一村", "二村"]
    with pytest.raises(ValueError, match="乡镇代码为 999"):
        map_layers(toy, county=C1_CODE, township="999")


def test_marks_outline_the_areas_in_their_colours(toy):
    layers = map_layers(toy)                     # the city: counties outlined
    fig = build_map("overview", layers, FURNITURE)
    before = len(fig.axes[0].collections)
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # no missing glyph in the legend
        drawn = draw_print_marks(fig, layers, {C1_CODE: "green", C2_CODE: "red"}, "联村覆盖率")
        ml.render_png(fig, 40)
    assert drawn == 2
    halo, colours = fig.axes[0].collections[before:]
    edges = [tuple(round(c, 3) for c in e) for e in colours.get_edgecolors()]
    order = list(layers.outlines["county_code"])
    assert edges == [rgba(MARK_COLORS["green" if c == C1_CODE else "red"]) for c in order]
    legend = next(g for g in fig.legends if g.get_gid() == "marks-legend")
    assert [t.get_text() for t in legend.get_texts()] == ["达标", "接近目标", "未达标"]
    assert legend.get_title().get_text() == "联村覆盖率"


def test_no_mark_draws_nothing(toy):
    layers = map_layers(toy)
    fig = build_map("overview", layers, FURNITURE)
    count = len(fig.axes[0].collections)
    assert draw_print_marks(fig, layers, {"999": "red"}) == 0
    assert len(fig.axes[0].collections) == count and len(fig.legends) == 1
