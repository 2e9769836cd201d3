"""Red/yellow/green target marks (:mod:`analysis.rankings`) drawn as the outline
colour of each area (county or township) on the deck.gl maps.

>>> import geopandas as gpd, shapely
>>> areas = gpd.GeoDataFrame({"county_code": ["A", "B"]},
...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:4326")
>>> halo, layer = mark_layers(areas, {"A": "red"}, "county_code")
>>> layer.id, layer.get_color, len(layer.data), halo.id
('marks_red', [200, 30, 30, 255], 4, 'marks_halo')
"""
from __future__ import annotations

import geopandas as gpd
import pydeck as pdk

from maps.deck import outline_layer
import texts

MARK_COLORS = {"green": (30, 150, 70, 255), "yellow": (235, 170, 0, 255),
               "red": (200, 30, 30, 255)}
# Cell backgrounds of the same marks in tables (排名 page).
MARK_FILLS = {"green": "#cdebd6", "yellow": "#fbe7a6", "red": "#f7c6c6"}
HALO = (30, 30, 30, 255)  # under the colour: a red outline stays apart from red fills
MARK_LAYER = "marks"


def mark_layers(areas: gpd.GeoDataFrame, marks: dict, code_field: str,
                width_px: float = 3.0, tolerance: float = 0.0) -> list[pdk.Layer]:
    """Outlines of the ``areas`` (EPSG:4326) that have a mark, each in its mark's
    colour (:data:`MARK_COLORS`) over a dark halo; areas without a mark are not
    drawn.  Two line layers per mark colour (:func:`maps.deck.outline_layer`,
    simplified by ``tolerance`` degrees): the halos, then the colours."""
    marked = areas[areas[code_field].isin(set(marks))]
    kinds = marked[code_field].map(marks)
    halo = [outline_layer(marked, f"{MARK_LAYER}_halo", HALO, width_px + 2.5, tolerance)]
    return halo + [outline_layer(marked[(kinds == kind).to_numpy()], f"{MARK_LAYER}_{kind}",
                                 MARK_COLORS[kind], width_px, tolerance)
                   for kind in MARK_COLORS if (kinds == kind).any()]


def mark_legend(title: str = "") -> tuple:
    """Legend entries ``(rgba, label)`` of the marks, prefixed by ``title``.

    >>> [label for _, label in mark_legend("联村覆盖率：")]
    ['联村覆盖率：达标', '联村覆盖率：接近目标', '联村覆盖率：未达标']
    """
    return tuple((MARK_COLORS[m], f"{title}{texts.MARK_LABELS[m]}") for m in MARK_COLORS)
