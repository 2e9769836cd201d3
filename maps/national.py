"""The national overview map: provinces or counties as areas, coloured by a figure.

A national dataset has about 490,000 villages; the overview draws the
outlines the partitioned engine writes (one simplified polygon per county,
:func:`analysis.partitioned.county_outlines`) or the provinces dissolved from
them, never the villages.

>>> import geopandas as gpd, shapely
>>> counties = gpd.GeoDataFrame({"county_code": ["350100", "350200", "360100"],
...     "province": ["35", "35", "36"]}, crs="EPSG:4326",
...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(0, 1, 1, 2)])
>>> province_outlines(counties)[["province"]].to_dict("list")
{'province': ['35', '36']}
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pydeck as pdk

from maps.deck import CompactDeck, outline_layer, pixel_degrees, polygon_layer, view_of
from maps.styles import Legend, classify_colors

AREA_LINE = (60, 60, 60)


def province_outlines(counties: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Provinces dissolved from county outlines (``province`` column), EPSG:4326."""
    merged = counties[["province", counties.geometry.name]].dissolve(by="province",
                                                                     as_index=False)
    return merged.sort_values("province").reset_index(drop=True)


def national_map(areas: gpd.GeoDataFrame, values: pd.Series, title: str, unit: str = "",
                 view_px: tuple = (1100, 560)) -> tuple[pdk.Deck, Legend]:
    """The deck of ``areas`` (EPSG:4326, with ``code`` and ``name``) coloured by
    ``values`` (aligned with ``areas``), and its legend headed ``title``.

    Areas are pickable (the tooltip names them with their value).
    """
    colors, legend = classify_colors(values.reset_index(drop=True), unit=unit)
    labels = [f"{name}：{'—' if pd.isna(v) else f'{v:,.3g}{unit}'}"
              for name, v in zip(areas["name"], values)]
    shown = gpd.GeoDataFrame({"code": areas["code"].to_numpy(), "name": labels,
                              "_fill": colors}, geometry=areas.geometry.to_numpy(),
                             crs=areas.crs)
    view = view_of(shown, *view_px)
    layers = [polygon_layer(shown, "areas", None, pickable=True, stroked=False),
              outline_layer(shown, "area_lines", AREA_LINE, 0.8, pixel_degrees(view) / 2)]
    deck = CompactDeck(layers=layers, initial_view_state=view, map_provider=None,
                       tooltip={"text": "{name}"})
    return deck, Legend(title, legend.entries)
