"""Red/yellow/green target marks (:mod:`analysis.rankings`) on a print map: the
areas outlined on it (counties on a city map, townships on a county map)
drawn in their mark's colour over a dark halo, with a legend of the marks
under the map's own — the 排名 slide of 导出 PPT.  The same colours as the
deck.gl maps (:data:`maps.marks.MARK_COLORS`).
"""
from __future__ import annotations

import matplotlib

from geo import schema as s
from maps import print_layout as ml
from maps.fonts import font_rc
from maps.marks import MARK_COLORS
from maps.static import MapLayers, draw_polygons, rgba
import texts

HALO = "#1e1e1e"
CODE_FIELDS = {"county": s.COUNTY_CODE, "township": s.TOWNSHIP_CODE, "village": s.VILLAGE_CODE}


def draw_print_marks(fig, layers: MapLayers, marks: dict, title: str = "") -> int:
    """Outline the areas of ``layers.outlines`` that have a mark in ``marks``
    (``{area code: "green" | "yellow" | "red"}``) on the map of ``fig`` (a figure of
    :func:`maps.static.build_map`, landscape), and add the marks' legend headed
    ``title``; returns the number of areas outlined (none: nothing is drawn)."""
    code = CODE_FIELDS[layers.outline_kind]
    marked = layers.outlines[layers.outlines[code].isin(set(marks))]
    if not len(marked):
        return 0
    ax = fig.axes[0]
    with matplotlib.rc_context(font_rc()):
        draw_polygons(ax, marked, "none", HALO, 3.6, zorder=9.5)
        colours = [rgba(MARK_COLORS[marks[c]]) for c in marked[code]]
        draw_polygons(ax, marked, "none", colours, 2.2, zorder=9.6)
        entries = [ml.line(rgba(MARK_COLORS[m]), texts.MARK_LABELS[m], 2.2) for m in MARK_COLORS]
        handles, labels = zip(*entries)
        legend = fig.legend(list(handles), list(labels), title=title, loc="lower left",
                            bbox_to_anchor=(0.745, 0.10), fontsize=10, title_fontsize=11,
                            frameon=True, edgecolor="#999999", alignment="left")
        legend.set_gid("marks-legend")
    return len(marked)
