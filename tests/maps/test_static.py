"""Static maps: page size and dpi, not blank, title and legend inked, the scale
bar's length, the dashboard's colours, and no missing-glyph warnings (no tofu).

Most maps are drawn at a low resolution to keep the suite quick; one is
rendered at the print resolution of 300 dpi.
"""
import warnings

import numpy as np
import pyproj
import pytest
from matplotlib.figure import Figure
from PIL import Image

from analysis.kpis import kpis_by_area
from analysis.params import Params
from geo.dataset import load_dataset
from maps import print_layout as ml
from maps.fonts import FontMissingError, cjk_font, font_rc
from maps.static import MAP_KEYS, build_map, map_layers, map_title, rgba
from maps.styles import CATEGORY_COLORS
from tests.conftest import DEMO

YONGAN = "350481"
LOW_DPI = 60
FURNITURE = ml.Furniture("永安市跨村联建总览图", "按是否参加联村党组织着色",
                         "数据来源：sanming.gpkg", "2026年11月23日", "示例数据（合成，非真实统计）",
                         "坐标系：CGCS2000")


@pytest.fixture(scope="module")
def demo():
    return load_dataset(DEMO)


@pytest.fixture(scope="module")
def layers(demo):
    return map_layers(demo, Params(), YONGAN)


def glyph_warnings(record) -> list[str]:
    return [str(w.message) for w in record
            if "glyph" in str(w.message).lower() or "missing" in str(w.message).lower()]


def draw(key, layers, orientation="landscape", dpi=LOW_DPI):
    """Build and render one map, recording every warning raised on the way."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig = build_map(key, layers, FURNITURE, orientation)
        image = ml.render_png(fig, dpi)
    return fig, image, record


def inked(image: Image.Image, artist, dpi_fig: Figure) -> int:
    """Dark pixels (luminance < 100) inside an artist's box on the rendered page."""
    box = artist.get_window_extent(dpi_fig.canvas.get_renderer())
    height = image.size[1]
    crop = image.crop((int(box.x0), int(height - box.y1),
                       int(box.x1) + 1, int(height - box.y0) + 1))
    gray = np.asarray(crop.convert("L"))
    return int((gray < 100).sum())


def test_the_font_is_a_real_cjk_font():
    assert cjk_font() == "Noto Sans CJK SC"
    assert font_rc()["font.family"][0] == "Noto Sans CJK SC"


def test_no_cjk_font_refuses_with_the_install_command():
    with pytest.raises(FontMissingError, match="apt-get install fonts-noto-cjk"):
        cjk_font(("No Such Font Family",))


def test_the_glyph_check_can_fail():
    """Drawing Chinese with a Latin-only font does warn: the check below is live."""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        fig = Figure()
        fig.text(0.5, 0.5, "联建", family="DejaVu Sans")
        ml.render_png(fig, 30)
    assert glyph_warnings(record)


@pytest.mark.parametrize("key", MAP_KEYS)
def test_every_map_draws_without_missing_glyphs(key, layers):
    fig, image, record = draw(key, layers)
    assert not glyph_warnings(record)
    assert image.size == ml.page_pixels("landscape", LOW_DPI)
    pixels = np.asarray(image.convert("L"))
    assert (pixels < 250).mean() > 0.15               # a map, not a blank page
    assert len(np.unique(np.asarray(image).reshape(-1, 3), axis=0)) > 20
    title = next(t for t in fig.texts if t.get_gid() == "title")
    legend = next(lg for lg in fig.legends if lg.get_gid() == "legend")
    assert inked(image, title, fig) > 50
    assert inked(image, legend, fig) > 50
    assert {t.get_gid() for t in fig.texts} >= {"title", "source", "date", "sample"}


def test_print_resolution_is_a4_at_300_dpi(layers, tmp_path):
    fig = build_map("grid", layers, FURNITURE)
    (path,) = ml.save_figure(fig, tmp_path / "grid", ("png",), dpi=300)
    with Image.open(path) as image:
        assert image.size == (3508, 2480)                  # 297 × 210 mm at 300 dpi
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.01)
        gray = np.asarray(image.convert("L"))
    assert (gray < 250).mean() > 0.15


def test_portrait_and_vector_formats(layers, tmp_path):
    fig, image, record = draw("service", layers, "portrait")
    assert image.size == ml.page_pixels("portrait", LOW_DPI)
    assert not glyph_warnings(record)
    paths = ml.save_figure(fig, tmp_path / "service", ("svg", "pdf"), dpi=LOW_DPI)
    assert [p.suffix for p in paths] == [".svg", ".pdf"]
    assert paths[0].read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert paths[1].read_bytes().startswith(b"%PDF")


def test_scale_bar_has_the_length_it_claims(layers):
    fig, image, _ = draw("overview", layers)
    ax = fig.axes[0]
    bar = next(p for p in ax.patches if p.get_gid() == "scalebar")
    label = next(t for t in ax.texts if t.get_gid() == "scalebar-label")
    km = float(label.get_text())
    assert bar.get_width() == pytest.approx(km * 1000)
    # On the ground: the bar's ends, back in CGCS2000, are km apart (±0.5 %).
    to_geo = pyproj.Transformer.from_crs(layers.crs, "EPSG:4490", always_xy=True)
    x0, y0 = bar.get_xy()
    lon0, lat0 = to_geo.transform(x0, y0)
    lon1, lat1 = to_geo.transform(x0 + bar.get_width(), y0)
    metres = pyproj.Geod(ellps="GRS80").inv(lon0, lat0, lon1, lat1)[2]
    assert metres == pytest.approx(km * 1000, rel=0.005)
    # On the page: as many pixels as the map's scale gives that distance.
    box = bar.get_window_extent(fig.canvas.get_renderer())
    frame = ax.get_window_extent(fig.canvas.get_renderer())
    span = ax.get_xlim()[1] - ax.get_xlim()[0]
    assert box.width == pytest.approx(km * 1000 / span * frame.width, rel=0.01)
    assert 0.1 < km * 1000 / span <= 0.25


def test_area_layers_and_dashboard_colours(demo, layers):
    county = next(r for r in kpis_by_area(demo, "county") if r["code"] == YONGAN)
    assert set(layers.villages["county_code"]) == {YONGAN}
    assert len(layers.grids) == county["grid_l4"] == 1775
    assert layers.crs.is_projected and layers.crs.axis_info[0].unit_name == "metre"
    fig = build_map("overview", layers, FURNITURE)
    faces = {tuple(np.round(c, 3)) for c in fig.axes[0].collections[0].get_facecolors()}
    assert faces == {rgba(CATEGORY_COLORS[True]), rgba(CATEGORY_COLORS[False])}
    assert map_title("income", "永安市", layers)[1] == f"{layers.eval_year}年，万元"


def test_unknown_map_or_county_is_refused(demo, layers):
    with pytest.raises(ValueError, match="未知地图 'heat'"):
        build_map("heat", layers, FURNITURE)
    with pytest.raises(ValueError, match="999999"):
        map_layers(demo, Params(), "999999")
