"""Map styles shared by web and print maps: colour ramps and categories,
classification schemes, legends."""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np
import pandas as pd

from maps.classes import classify


NO_DATA = [204, 204, 204, 160]


# Colour ramps (RGB) for classified figures, light to dark.
RAMPS = {
    "reds": [[254, 229, 217], [252, 174, 145], [251, 106, 74], [222, 45, 38], [165, 15, 21]],
    "greens": [[237, 248, 233], [186, 228, 179], [116, 196, 118], [49, 163, 84], [0, 109, 44]],
}


CATEGORY_COLORS = {True: [200, 16, 46, 200], False: [189, 189, 189, 150]}


# Natural breaks by Jenks–Caspall: deterministic and fast (mapclassify's NaturalBreaks
# is k-means with random starts, so printed maps and the dashboard would disagree).
SCHEMES = {"natural_breaks": "JenksCaspall", "quantiles": "Quantiles",
           "equal_interval": "EqualInterval"}


@dataclass(frozen=True)
class Legend:
    """Legend entries: ``(rgba, label)`` pairs, in drawing order."""

    title: str
    entries: tuple


def classify_colors(values: pd.Series, scheme: str = "natural_breaks", k: int = 5,
                    ramp: str = "reds", unit: str = "") -> tuple[list, Legend]:
    """RGBA per value by a classification scheme (:mod:`maps.classes`, mapclassify's
    computations), and the legend.

    Missing values get grey (``NO_DATA``).  Unknown scheme or ramp names
    raise ``ValueError`` listing the valid ones.

    >>> colors, legend = classify_colors(pd.Series([1.0, 2.0, None, 9.0]), "equal_interval", k=2)
    >>> colors[2] == NO_DATA, len(legend.entries)
    (True, 3)
    """
    if scheme not in SCHEMES:
        raise ValueError(f"未知分级方法 {scheme!r}，可选：{', '.join(SCHEMES)}")
    if ramp not in RAMPS:
        raise ValueError(f"未知色带 {ramp!r}，可选：{', '.join(RAMPS)}")
    known = values.dropna().astype(float)
    colors = [NO_DATA] * len(values)
    entries = []
    if len(known):
        k = max(1, min(k, known.nunique()))
        bins, yb = classify(known.to_numpy(), SCHEMES[scheme], k=k)
        palette = _spread(RAMPS[ramp], len(bins))
        position = {idx: pos for pos, idx in enumerate(values.index)}
        for idx, cls in zip(known.index, yb):
            colors[position[idx]] = palette[cls] + [210]
        lower = float(known.min())
        for color, upper in zip(palette, bins):
            entries.append((color + [210], f"{lower:,.1f} – {upper:,.1f}{unit}"))
            lower = float(upper)
    if known.size < len(values):
        entries.append((NO_DATA, "无数据"))
    return colors, Legend("", tuple(entries))


def _spread(ramp: list, n: int) -> list:
    picks = np.linspace(0, len(ramp) - 1, n).round().astype(int) if n > 1 else [len(ramp) - 1]
    return [list(ramp[i]) for i in picks]


def _css_color(color) -> str:
    """``#rrggbb`` text as is (escaped); an RGB(A) list as ``rgba(…)``."""
    if isinstance(color, str):
        return escape(color)
    alpha = color[3] / 255 if len(color) > 3 else 1.0
    return f"rgba({color[0]},{color[1]},{color[2]},{alpha:.2f})"


def legend_html(legend) -> str:
    """A legend as a line of coloured swatches; labels are HTML-escaped.

    ``legend`` is a :class:`Legend` (its title first) or ``(colour, label)``
    pairs; a colour is ``#rrggbb`` text or an RGB(A) list.

    >>> legend_html([("#ff0000", "<b>甲</b>")]).count("&lt;b&gt;甲")
    1
    >>> "rgba(200,16,46,0.78)" in legend_html(Legend("联建", (([200, 16, 46, 200], "联建村"),)))
    True
    """
    title, entries = (legend.title, legend.entries) if isinstance(legend, Legend) else ("", legend)
    items = "".join(
        f'<span style="display:inline-block;margin-right:14px">'
        f'<span style="display:inline-block;width:14px;height:14px;vertical-align:middle;'
        f'background:{_css_color(c)};border:1px solid #888"></span> '
        f'{escape(label)}</span>' for c, label in entries)
    heading = f"<b>{escape(title)}</b> " if title else ""
    return f'<div class="legend">{heading}{items}</div>'


# ---- the overview's deck (and its print map) -------------------------------
# Colourings: key → (column of analysis.villages.village_table, ramp, unit).
COLORINGS = {
    "joint": ("is_joint", None, ""),
    "income_eval": ("income_eval", "reds", " 万元"),
    "income_gain": ("income_gain", "greens", " 万元"),
}
ORG_LINE = (20, 20, 120)
LEAD_FILL = [255, 215, 0, 235]
SITE_FILL = [0, 114, 178, 220]


# ---- the grid compliance map (web and print) -------------------------------
# Lookup tables of styles (RGBA), keyed by compliance class and defect.
STATUS_COLORS = {"compliant": [49, 163, 84, 200], "households": [230, 126, 34, 225],
                 "manager": [52, 120, 220, 225], "branch": [241, 196, 15, 230]}
DEFECT_STYLES = {"gap": {"fill": [215, 25, 28, 170], "line": [160, 0, 0]},
                 "overlap": {"fill": [136, 46, 196, 210], "line": [90, 0, 140]},
                 "orphan": {"fill": [255, 0, 170, 120], "line": [0, 0, 0]}}
GRID_OUTLINES = {"villages": ([30, 30, 30], 25.0, 0.4, 4.0), "l3": ([90, 90, 90], 10.0, 0.0, 2.0),
                 "l4": ([255, 255, 255], 4.0, 0.0, 1.5)}      # colour, width m, min px, max px
GRID_HIGHLIGHT = {"l3": [20, 20, 140], "l4": [0, 0, 0]}


# ---- the 跨村联建 map (web and print) ------------------------------------------
ORG_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#edc948", "#76b7b2",
               "#ff9da7", "#9c755f", "#86bcb6", "#d4a6c8")
TYPE_COLORS = {"strong_weak": "#e6550d", "industry": "#31a354", "village_enterprise": "#3182bd",
               "territorial": "#756bb1", "other": "#bcbd22"}
NON_JOINT = "#e3e3e3"
SELECTED = "#c8102e"
JOINT_LEAD_FILL = "#ffd700"
JOINT_STYLES = {
    "village": {"color": "#ffffff", "weight": 0.5, "fillOpacity": 0.8},
    "context": {"color": "#4d4d4d", "weight": 1.0, "fill": False},
    "org": {"color": "#222222", "weight": 2.2, "fill": False},
    "selected": {"color": SELECTED, "weight": 4.0, "fill": False},
    "lead": {"radius": 4, "color": "#7a0000", "weight": 1, "fill": True,
             "fill_color": JOINT_LEAD_FILL, "fill_opacity": 1.0},
}


# ---- the walking catchment map (服务阵地, web and print) -----------------------
WALK_STYLES = {"area": [244, 244, 244, 255], "border": [120, 120, 120, 200],
               "road": [185, 185, 185, 200], "catchment": [0, 114, 178, 235],
               "unit_reached": [26, 152, 80, 210], "unit_missed": [230, 85, 13, 240],
               "site": [8, 48, 107, 230], "suggested": [136, 46, 196, 255],
               "kept": [255, 193, 7, 255], "marker_line": [255, 255, 255, 255]}
