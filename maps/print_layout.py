"""The page of a printed map: A4 figure, title, legend, scale bar, north arrow,
footer (data source, date, 示例数据) and saving at print resolution.

The map axes are drawn in a projected metric CRS (:func:`geo.crs.metric_crs`),
with equal aspect and limits fitted to the axes box, so one data unit is one
metre everywhere on the page and the scale bar is exact at the projection's
standard parallels (an Albers conic fitted to the data: within a fraction of
a percent over a city).

>>> page_size_inches("landscape", 300)
(11.693333333333333, 8.266666666666667)
>>> nice_length_km(23_400)
5.0
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from matplotlib import patheffects
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrow, Patch, Rectangle

PAGE_MM = {"landscape": (297.0, 210.0), "portrait": (210.0, 297.0)}
PRINT_DPI = 300
# Figure fractions [left, bottom, width, height] of the map, and legend anchor.
LAYOUT = {
    "landscape": {"map": (0.025, 0.085, 0.70, 0.80), "legend": (0.745, 0.885),
                  "title_y": 0.955, "subtitle_y": 0.915, "legend_cols": 1,
                  "sample_y": 0.955},
    "portrait": {"map": (0.04, 0.20, 0.92, 0.69), "legend": (0.04, 0.185),
                 "title_y": 0.965, "subtitle_y": 0.937, "legend_cols": 3,
                 "sample_y": 0.06},
}
FORMATS = ("png", "svg", "pdf")
INK = "#1a1a1a"
HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]


@dataclass(frozen=True)
class Furniture:
    """What every map carries besides its data: title lines and the footer."""

    title: str
    subtitle: str = ""
    source: str = ""
    date: str = ""
    sample: str = ""          # e.g. "示例数据（合成，非真实统计）"; empty for real data
    crs_note: str = ""


def page_size_inches(orientation: str, dpi: int = PRINT_DPI) -> tuple[float, float]:
    """A4 in inches, rounded so that the page is a whole number of pixels at ``dpi``
    (3508 × 2480 px landscape at 300 dpi)."""
    if orientation not in PAGE_MM:
        raise ValueError(f"未知版式 {orientation!r}，可选：{', '.join(PAGE_MM)}")
    return tuple(round(mm / 25.4 * dpi) / dpi for mm in PAGE_MM[orientation])


def page_pixels(orientation: str, dpi: int = PRINT_DPI) -> tuple[int, int]:
    """Width and height in pixels of the page rendered at ``dpi`` (Agg truncates).

    >>> page_pixels("landscape"), page_pixels("portrait")
    ((3508, 2480), (2480, 3508))
    """
    return tuple(int(inches * dpi) for inches in page_size_inches(orientation))


def new_page(orientation: str, furniture: Furniture):
    """An A4 figure with its title lines and footer, and the empty map axes."""
    layout = LAYOUT.get(orientation)
    if layout is None:
        raise ValueError(f"未知版式 {orientation!r}，可选：{', '.join(LAYOUT)}")
    fig = Figure(figsize=page_size_inches(orientation), dpi=100, facecolor="white")
    fig.text(0.5, layout["title_y"], furniture.title, ha="center", va="center", fontsize=20,
             fontweight="bold", color=INK, gid="title")
    if furniture.subtitle:
        fig.text(0.5, layout["subtitle_y"], furniture.subtitle, ha="center", va="center",
                 fontsize=11, color="#444444", gid="subtitle")
    footer = "　".join(t for t in (furniture.source, furniture.crs_note) if t)
    fig.text(0.025, 0.03, footer, ha="left", va="center", fontsize=8, color="#444444",
             gid="source")
    fig.text(0.975, 0.03, furniture.date, ha="right", va="center", fontsize=8,
             color="#444444", gid="date")
    if furniture.sample:
        fig.text(0.975, layout["sample_y"], furniture.sample, ha="right", va="center",
                 fontsize=10, color="#c8102e", fontweight="bold", gid="sample",
                 bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "#c8102e"})
    ax = fig.add_axes(layout["map"])
    ax.set_axis_off()
    return fig, ax


def fit_extent(ax, bounds: tuple, margin: float = 0.03) -> None:
    """Limits that show ``bounds`` (metres) with equal aspect filling the axes box."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    fig_w, fig_h = ax.figure.get_size_inches()
    box = ax.get_position()
    box_ratio = (box.height * fig_h) / (box.width * fig_w)
    w, h = w * (1 + 2 * margin), h * (1 + 2 * margin)
    if h / w > box_ratio:
        w = h / box_ratio
    else:
        h = w * box_ratio
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    ax.set_xlim(cx - w / 2, cx + w / 2)
    ax.set_ylim(cy - h / 2, cy + h / 2)
    ax.set_aspect("equal", adjustable="box")


def nice_length_km(span_m: float, fraction: float = 0.25) -> float:
    """The largest 1, 2 or 5 × 10ⁿ km not longer than ``fraction`` of ``span_m``.

    >>> nice_length_km(2_000), nice_length_km(250_000)
    (0.5, 50.0)
    """
    target = max(span_m * fraction / 1000.0, 1e-3)
    power = 10.0 ** math.floor(math.log10(target))
    return max(m * power for m in (1, 2, 5) if m * power <= target + 1e-12)


def _km_text(km: float) -> str:
    return f"{km:g}"


def add_scale_bar(ax, segments: int = 4) -> float:
    """A scale bar in km at the lower left of the map; returns its length in km.

    The bar is drawn in data units (metres of the projected CRS).  Its outer
    rectangle has ``gid="scalebar"`` and its unit label ``gid="scalebar-label"``.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km = nice_length_km(x1 - x0)
    length, height = km * 1000.0, (y1 - y0) * 0.008
    left, bottom = x0 + (x1 - x0) * 0.04, y0 + (y1 - y0) * 0.05
    ax.add_patch(Rectangle((left - length * 0.06, bottom - height * 2.6), length * 1.45,
                           height * 6.4, fc="white", ec="none", alpha=0.8, zorder=20))
    step = length / segments
    for i in range(segments):
        ax.add_patch(Rectangle((left + i * step, bottom), step, height,
                               fc=INK if i % 2 == 0 else "white", ec=INK, lw=0.6, zorder=21))
    ax.add_patch(Rectangle((left, bottom), length, height, fc="none", ec=INK, lw=0.8,
                           zorder=22, gid="scalebar"))
    for value, pos in ((0, left), (km / 2, left + length / 2), (km, left + length)):
        ax.text(pos, bottom + height * 1.6, _km_text(value), ha="center", va="bottom",
                fontsize=8, color=INK, zorder=23,
                gid="scalebar-label" if value == km else None)
    ax.text(left + length + step * 0.25, bottom + height / 2, "公里", ha="left",
            va="center", fontsize=8, color=INK, zorder=23)
    return km


def add_north_arrow(ax) -> None:
    """A north arrow with the letter N at the upper right of the map (north is up
    on the central meridian of the fitted projection)."""
    ax.add_patch(FancyArrow(0.955, 0.87, 0, 0.07, width=0.006, head_width=0.03,
                            head_length=0.035, length_includes_head=True, fc=INK, ec=INK,
                            transform=ax.transAxes, zorder=25, gid="north-arrow"))
    ax.text(0.955, 0.845, "N", transform=ax.transAxes, ha="center", va="top", fontsize=12,
            fontweight="bold", color=INK, zorder=25, path_effects=HALO)


def patch(color, label: str, edge="#666666") -> tuple:
    """A legend entry for a filled area."""
    return Patch(facecolor=color, edgecolor=edge, linewidth=0.6), label


def line(color, label: str, width: float = 1.6) -> tuple:
    """A legend entry for an outline."""
    return Line2D([], [], color=color, linewidth=width), label


def marker(color, label: str, size: float = 7, edge="#333333") -> tuple:
    """A legend entry for point symbols."""
    return Line2D([], [], linestyle="none", marker="o", markersize=size,
                  markerfacecolor=color, markeredgecolor=edge), label


def add_legend(fig, orientation: str, entries: list[tuple], title: str = "图例"):
    """The legend box (``gid="legend"``) beside (landscape) or below (portrait) the map."""
    layout = LAYOUT[orientation]
    handles, labels = zip(*entries) if entries else ((), ())
    legend = fig.legend(list(handles), list(labels), title=title, loc="upper left",
                        bbox_to_anchor=layout["legend"], ncols=layout["legend_cols"],
                        fontsize=10, title_fontsize=12, frameon=True, edgecolor="#999999",
                        borderpad=0.8, labelspacing=0.7, alignment="left")
    legend.set_gid("legend")
    return legend


def render_png(fig: Figure, dpi: int = PRINT_DPI):
    """``fig`` drawn by Agg at ``dpi``, as an RGB :class:`PIL.Image.Image`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image

    canvas = FigureCanvasAgg(fig)
    fig.set_dpi(dpi)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw",
                             "RGBA", 0, 1)
    return image.convert("RGB")


def write_png(image, path: str | Path, dpi: int = PRINT_DPI) -> Path:
    """Write ``image`` as PNG with its resolution (pHYs) set to ``dpi``.

    PIL releases the GIL while compressing, so several maps can be encoded
    in threads while the next one is drawn.
    """
    image.save(path, format="PNG", dpi=(dpi, dpi), compress_level=6)
    return Path(path)


def save_figure(fig: Figure, stem: str | Path, formats=("png",),
                dpi: int = PRINT_DPI) -> list[Path]:
    """Write ``fig`` as ``stem.png`` (``dpi``, with its dpi in the file) and any of
    ``svg``/``pdf`` (vector; text as outlines in SVG, embedded in PDF).

    Returns the paths written, in the order of ``formats``.
    """
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"未知图片格式 {unknown}，可选：{', '.join(FORMATS)}")
    paths = []
    for fmt in formats:
        path = Path(f"{stem}.{fmt}")
        if fmt == "png":
            write_png(render_png(fig, dpi), path, dpi)
        else:
            fig.savefig(path, format=fmt, dpi=dpi, facecolor="white")
        paths.append(path)
    return paths
