"""The map of joint village Party organisations (跨村联建), drawn with folium.

Member villages are filled by organisation (a categorical palette, neighbours
in different colours) or by organisation type; each organisation's outline
(the union of its members' display polygons) is drawn bold, lead villages are
marked with ``CircleMarker`` s and villages in no organisation are light grey.
Every village feature carries its ``village_code`` so that a click (returned
by streamlit-folium as ``last_active_drawing``) identifies it.

The expensive part, :func:`joint_map_layers`, returns plain GeoJSON
dictionaries that a cache can keep; :func:`map_from_layers` turns them into a
fresh ``folium.Map`` on every run (folium and streamlit-folium change the
elements they render, so a map object is never shared between sessions).
User-supplied text (village and organisation names) is HTML-escaped before it
goes into the properties: folium's ``GeoJsonTooltip`` inserts them as HTML.

>>> import geopandas as gpd, pandas as pd
>>> villages = gpd.GeoDataFrame({"village_code": ["a", "b", "c"],
...     "name": ["甲", "<b>乙</b>", "丙"], "kind": ["village"] * 3},
...     geometry=[shapely.box(117 + i / 10, 26, 117.1 + i / 10, 26.1) for i in range(3)],
...     crs="EPSG:4326")
>>> orgs = pd.DataFrame({"org_id": ["O1"], "name": ["甲乙联村党委"], "org_type": ["industry"],
...                      "lead_village_code": ["a"]})
>>> members = pd.DataFrame({"org_id": ["O1", "O1"], "village_code": ["a", "b"]})
>>> layers = joint_map_layers(villages, orgs, members, "type")
>>> [f["properties"]["name"] for f in layers.villages["features"]]
['甲', '&lt;b&gt;乙&lt;/b&gt;', '丙']
>>> layers.org_outlines["features"][0]["geometry"]["type"], len(layers.leads["features"])
('Polygon', 1)
>>> m = map_from_layers(layers)
>>> from maps.leaflet import asset_links
>>> all(link.startswith("/app/static/") for link in asset_links(m))
True
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.utilities import JsCode

from analysis.orgs import IS_LEAD, ORG_NAME, TYPE_LABEL, village_orgs
from geo import schema as s
from maps.leaflet import (StaticGeoJson, base_map, basemap_of, feature_collection,
                          leaflet_corners, shift_geometries)
from maps.styles import JOINT_LEAD_FILL as LEAD_FILL, JOINT_STYLES as STYLES  # noqa: F401
from maps.styles import NON_JOINT, ORG_PALETTE, SELECTED, TYPE_COLORS  # noqa: F401 (re-exported)
import texts

# Colourings: by organisation (neighbours differ) or by organisation type.
COLOR_BY = ("org", "type")
NO_ORG = texts.NO_VALUE

# Leaflet style function of the villages: the shared style, each its own fill.
_VILLAGE_STYLE = ("function(feature) { return Object.assign(%s, "
                  "{fillColor: feature.properties.fill}); }" % json.dumps(STYLES["village"]))
TOOLTIP_FIELDS = ("name", "org", "type")
# Coordinates sent to the browser: 4 decimals ≈ 10 m, well below the 60 m
# simplification of the display layers; every rerun sends the map again.
DECIMALS = 4


@dataclass(frozen=True)
class JointMapLayers:
    """GeoJSON of the map (in the basemap's coordinates) and what the page needs.

    ``villages``, ``org_outlines``, ``leads`` and ``context`` are
    FeatureCollections; ``bounds`` is (minx, miny, maxx, maxy) in degrees;
    ``legend`` is ``(colour, label)`` pairs; ``settings`` the basemap settings
    the coordinates were shifted for.
    """

    villages: dict
    org_outlines: dict
    leads: dict
    context: dict | None
    bounds: tuple
    legend: tuple
    settings: object = None


def org_colors(shapes: pd.Series, palette=ORG_PALETTE) -> dict:
    """A colour per organisation such that touching organisations differ.

    Greedy colouring of the adjacency of ``shapes`` (index: org_id), most
    neighbours first; wraps around the palette only when it runs out.

    >>> sq = pd.Series([shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)],
    ...                index=["A", "B", "C"])
    >>> org_colors(sq, ("red", "blue"))
    {'A': 'red', 'B': 'blue', 'C': 'red'}
    """
    geoms = shapes.to_numpy()
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    neighbours = {i: set() for i in range(len(geoms))}
    for i, j in zip(left, right):
        if i != j:
            neighbours[int(i)].add(int(j))
    order = sorted(neighbours, key=lambda i: (-len(neighbours[i]), i))
    color: dict[int, int] = {}
    for i in order:
        used = {color[j] for j in neighbours[i] if j in color}
        color[i] = next(c for c in range(len(geoms) + 1) if c not in used)
    return {shapes.index[i]: palette[color[i] % len(palette)] for i in range(len(geoms))}


def joint_map_layers(villages: gpd.GeoDataFrame, orgs: pd.DataFrame, members: pd.DataFrame,
                     color_by: str = "org", outlines: gpd.GeoDataFrame | None = None,
                     settings=None) -> JointMapLayers:
    """Everything the joint map draws, as GeoJSON dictionaries.

    Parameters
    ----------
    villages : GeoDataFrame
        Display polygons (EPSG:4326, simplified) of the villages to draw,
        with ``village_code``, ``name`` and ``kind``.
    orgs : DataFrame
        ``joint_orgs`` or :func:`analysis.orgs.org_table` (``org_id``,
        ``name``, ``org_type``, ``lead_village_code``).
    members : DataFrame
        ``joint_members``.
    color_by : {"org", "type"}
        Anything else raises ``ValueError`` listing the valid ones.
    outlines : GeoDataFrame, optional
        County or township outlines (EPSG:4326), drawn as context when the
        basemap asks for them.
    settings : geo.settings.Settings, optional
        The basemap; 高德 shifts every coordinate to GCJ-02.
    """
    if color_by not in COLOR_BY:
        raise ValueError(f"未知着色方式 {color_by!r}，可选：{', '.join(COLOR_BY)}")
    table = village_orgs(villages, orgs, members)
    geoms = shift_geometries(villages.geometry.to_numpy(), settings, DECIMALS)
    joint = table[s.ORG_ID].notna().to_numpy()
    shapes = (pd.Series(geoms[joint], index=table.loc[joint, s.ORG_ID].to_numpy())
              .groupby(level=0).agg(lambda g: shapely.union_all(g.to_numpy())))
    if color_by == "org":
        palette = org_colors(shapes) if len(shapes) else {}
        fills = table[s.ORG_ID].map(palette)
        legend = ((ORG_PALETTE[0], texts.JOINT_LEGEND_BY_ORG), (NON_JOINT, texts.JOINT_NOT_JOINT))
    else:
        fills = table[s.ORG_TYPE].map(TYPE_COLORS)
        legend = tuple((TYPE_COLORS[k], label) for k, label in s.ORG_TYPES.items()) + (
            (NON_JOINT, texts.JOINT_NOT_JOINT),)
    fills = fills.where(fills.notna(), NON_JOINT)
    legend += ((LEAD_FILL, texts.JOINT_LEAD),)
    names = villages[s.NAME].astype(str).map(html.escape).to_numpy()
    org_names = table[ORG_NAME].map(lambda n: html.escape(str(n)) if n is not None else NO_ORG)
    props = [{s.VILLAGE_CODE: str(code), "name": name, "org": org,
              "type": label if label is not None else NO_ORG, "fill": fill}
             for code, name, org, label, fill in zip(
                 table[s.VILLAGE_CODE], names, org_names, table[TYPE_LABEL], fills)]
    outline_props = [{s.ORG_ID: str(o)} for o in shapes.index]
    lead = table[IS_LEAD].to_numpy()
    lead_points = shapely.point_on_surface(geoms[lead])
    lead_props = [{k: props[i][k] for k in (s.VILLAGE_CODE, *TOOLTIP_FIELDS)}
                  for i in np.flatnonzero(lead)]
    context = None
    if outlines is not None and basemap_of(settings).outlines:
        context = feature_collection(shift_geometries(outlines.geometry.to_numpy(), settings,
                                                      DECIMALS),
                                     [{}] * len(outlines))
    bounds = tuple(float(v) for v in shapely.total_bounds(geoms)) if len(geoms) else (
        117.0, 25.5, 118.5, 27.0)
    return JointMapLayers(feature_collection(geoms, props),
                          feature_collection(shapes.to_numpy(), outline_props),
                          feature_collection(lead_points, lead_props), context, bounds, legend,
                          settings)


def _outline_layer(data: dict, name: str, style: dict, bounds) -> StaticGeoJson:
    """Lines that never take a click, so that clicks reach the villages beneath.

    The style is a Leaflet option shared by all features (not a per-feature
    property), which keeps the payload small.
    """
    return StaticGeoJson(data, bounds, name=name, interactive=False, style=style)


def map_from_layers(layers: JointMapLayers) -> folium.Map:
    """A new ``folium.Map`` drawing ``layers`` on the configured basemap."""
    m = base_map(layers.bounds, layers.settings, zoom_snap=0.25)
    corners = leaflet_corners(layers.bounds)
    if layers.context is not None:
        _outline_layer(layers.context, "context", STYLES["context"], corners).add_to(m)
    tooltip = folium.GeoJsonTooltip(list(TOOLTIP_FIELDS), aliases=list(texts.JOINT_TOOLTIP),
                                    sticky=True)
    StaticGeoJson(layers.villages, corners, name="villages", tooltip=tooltip,
                  style=JsCode(_VILLAGE_STYLE)).add_to(m)
    if layers.org_outlines["features"]:
        _outline_layer(layers.org_outlines, "orgs", STYLES["org"], corners).add_to(m)
    if layers.leads["features"]:
        lead_tooltip = folium.GeoJsonTooltip(list(TOOLTIP_FIELDS),
                                             aliases=list(texts.JOINT_LEAD_TOOLTIP))
        StaticGeoJson(layers.leads, corners, name="leads", tooltip=lead_tooltip,
                      marker=folium.CircleMarker(**STYLES["lead"])).add_to(m)
    return m


def selection_layer(layers: JointMapLayers, org_id: str | None) -> folium.FeatureGroup | None:
    """The outline of one organisation in the selection colour (``None`` if absent).

    Given to ``st_folium(feature_group_to_add=...)`` it is swapped in the
    browser without redrawing the map.
    """
    chosen = [f for f in layers.org_outlines["features"]
              if org_id is not None and f["properties"][s.ORG_ID] == org_id]
    if not chosen:
        return None
    group = folium.FeatureGroup(name="selected")
    _outline_layer({"type": "FeatureCollection", "features": chosen}, "selected",
                   STYLES["selected"], leaflet_corners(layers.bounds)).add_to(group)
    return group


def clicked_village(value: dict | None) -> str | None:
    """The ``village_code`` of the feature st_folium reports as clicked.

    >>> clicked_village({"last_active_drawing": {"properties": {"village_code": "a"}}})
    'a'
    >>> clicked_village({"last_active_drawing": None}) is None
    True
    """
    drawing = (value or {}).get("last_active_drawing") or {}
    code = (drawing.get("properties") or {}).get(s.VILLAGE_CODE)
    return str(code) if code is not None else None
