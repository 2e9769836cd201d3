"""Maps of the 分组规划 page: the villages to click, and a scenario drawn over them.

The *base* (:func:`planning_base`) is every village of the area as a clickable
light-grey polygon with its name in the tooltip; it depends only on the
dataset and the area, so it is built once and cached.  The *overlay*
(:func:`scenario_overlay`) is the scenario: each group's members filled in its
colour (neighbouring groups differ), its outline, its lead village, the group
being edited outlined in red, groups that break a rule outlined with red
dashes, uncovered villages in orange when asked.  The overlay takes no clicks,
so a click always reaches the village beneath; given to
``st_folium(feature_group_to_add=...)`` it is swapped without redrawing the map.

>>> import geopandas as gpd
>>> v = gpd.GeoDataFrame({"village_code": ["a", "b", "c"], "name": ["甲", "<b>乙</b>", "丙"],
...     "township": ["镇"] * 3},
...     geometry=[shapely.box(117 + i / 10, 26, 117.1 + i / 10, 26.1) for i in range(3)],
...     crs="EPSG:4326")
>>> base = planning_base(v)
>>> [f["properties"]["name"] for f in base.villages["features"]]
['甲', '&lt;b&gt;乙&lt;/b&gt;', '丙']
>>> doc = {"groups": [{"org_id": "S1", "name": "甲乙", "lead_village_code": "a",
...                    "villages": ["a", "b"]}]}
>>> overlay = scenario_overlay(base, doc, active="S1", flagged={"S1"}, show_uncovered=True)
>>> [layer.layer_name for layer in overlay._children.values()]
['uncovered', 'fills', 'outlines', 'active', 'leads']
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass

import folium
import pandas as pd
import shapely
from folium.utilities import JsCode

from geo import schema as s
from maps.joint import ORG_PALETTE, STYLES as JOINT_STYLES, org_colors
from maps.leaflet import (StaticGeoJson, base_map, basemap_of, feature_collection,
                          leaflet_corners, shift_geometries)

DECIMALS = 4  # ≈ 10 m, below the display simplification
FREE = "#e3e3e3"
UNCOVERED = "#fdae6b"
ACTIVE = "#c8102e"
STYLES = {
    "village": {"color": "#ffffff", "weight": 0.6, "fillColor": FREE, "fillOpacity": 0.85},
    "fill": {"color": "#ffffff", "weight": 0.6, "fillOpacity": 0.85},
    "uncovered": {"color": "#ffffff", "weight": 0.6, "fillColor": UNCOVERED, "fillOpacity": 0.9},
    "outline": {"color": "#222222", "weight": 2.0, "fill": False},
    "flagged": {"color": ACTIVE, "weight": 2.5, "dashArray": "6 4", "fill": False},
    "active": {"color": ACTIVE, "weight": 4.0, "fill": False},
    "context": JOINT_STYLES["context"],
    "lead": JOINT_STYLES["lead"],
}
_FILL_STYLE = ("function(feature) { return Object.assign(%s, "
               "{fillColor: feature.properties.fill}); }" % json.dumps(STYLES["fill"]))


@dataclass(frozen=True)
class PlanningBase:
    """The clickable villages of an area (GeoJSON) and their display shapes by code."""

    villages: dict
    shapes: dict
    context: dict | None
    bounds: tuple
    settings: object = None


def planning_base(villages, outlines=None, settings=None) -> PlanningBase:
    """The base of the planning map.

    Parameters
    ----------
    villages : GeoDataFrame
        Display polygons (EPSG:4326, simplified) with ``village_code``,
        ``name`` and ``township``.
    outlines : GeoDataFrame, optional
        Township or county outlines drawn as context (basemap ``none``).
    settings : geo.settings.Settings, optional
        The basemap (高德 shifts coordinates to GCJ-02).
    """
    geoms = shift_geometries(villages.geometry.to_numpy(), settings, DECIMALS)
    codes = villages[s.VILLAGE_CODE].astype(str).to_numpy()
    names = villages[s.NAME].astype(str).map(html.escape).to_numpy()
    towns = (villages[s.TOWNSHIP].astype(str).map(html.escape).to_numpy()
             if s.TOWNSHIP in villages.columns else [""] * len(villages))
    props = [{s.VILLAGE_CODE: c, "name": n, "township": t}
             for c, n, t in zip(codes, names, towns)]
    context = None
    if outlines is not None and len(outlines) and basemap_of(settings).outlines:
        context = feature_collection(shift_geometries(outlines.geometry.to_numpy(), settings,
                                                      DECIMALS),
                                     [{}] * len(outlines))
    bounds = (tuple(float(v) for v in shapely.total_bounds(geoms)) if len(geoms)
              else (117.0, 25.5, 118.5, 27.0))
    return PlanningBase(feature_collection(geoms, props), dict(zip(codes, geoms)), context, bounds,
                        settings)


def planning_map(base: PlanningBase, tooltip_aliases=("村（社区）", "乡镇（街道）")) -> folium.Map:
    """A new map with the clickable villages (and the context outlines)."""
    m = base_map(base.bounds, base.settings, zoom_snap=0.25)
    corners = leaflet_corners(base.bounds)
    if base.context is not None:
        StaticGeoJson(base.context, corners, name="context", interactive=False,
                      style=STYLES["context"]).add_to(m)
    tooltip = folium.GeoJsonTooltip(["name", "township"], aliases=list(tooltip_aliases),
                                    sticky=True)
    StaticGeoJson(base.villages, corners, name="villages", tooltip=tooltip,
                  style=STYLES["village"]).add_to(m)
    return m


def _union(parts):
    """Union of display shapes on their own 10⁻⁴° grid: rounding can make a
    shape slightly invalid, and a fixed-precision union never fails on that."""
    return shapely.union_all(parts, grid_size=10.0 ** -DECIMALS)


def group_colors(base: PlanningBase, doc: dict) -> dict:
    """``{org_id: colour}``; groups that touch get different colours."""
    shapes = {}
    for g in doc["groups"]:
        parts = [base.shapes[v] for v in g["villages"] if v in base.shapes]
        if parts:
            shapes[g[s.ORG_ID]] = _union(parts)
    if not shapes:
        return {}
    return org_colors(pd.Series(list(shapes.values()), index=list(shapes)), ORG_PALETTE)


def _layer(group, data, name, corners, **kwargs):
    if data["features"]:
        StaticGeoJson(data, corners, name=name, interactive=False, **kwargs).add_to(group)


def scenario_overlay(base: PlanningBase, doc: dict, active: str | None = None,
                     flagged=frozenset(), show_uncovered: bool = False,
                     uncovered=None) -> folium.FeatureGroup:
    """The scenario drawn over the base (no clicks taken).

    Parameters
    ----------
    doc : dict
        SPEC §4 scenario document (``groups`` with ``org_id``, ``villages``,
        ``lead_village_code``).
    active : org_id outlined in red (the group being edited), optional.
    flagged : org_ids outlined with red dashes (groups breaking a rule).
    show_uncovered : fill the villages in no group in orange.
    uncovered : codes that count as uncovered (default: every base village in
        no group — pass the villages only, to leave communities grey).
    """
    corners = leaflet_corners(base.bounds)
    colors = group_colors(base, doc)
    fills, fill_props, outlines, outline_props, leads = [], [], [], [], []
    for g in doc["groups"]:
        members = [v for v in g["villages"] if v in base.shapes]
        if not members:
            continue
        fills += [base.shapes[v] for v in members]
        fill_props += [{"fill": colors[g[s.ORG_ID]]}] * len(members)
        outlines.append(_union([base.shapes[v] for v in members]))
        outline_props.append({s.ORG_ID: g[s.ORG_ID]})
        lead = g.get(s.LEAD_VILLAGE_CODE)
        if lead in base.shapes and lead in members:
            leads.append(shapely.point_on_surface(base.shapes[lead]))
    group = folium.FeatureGroup(name="scenario")
    if show_uncovered:
        taken = {v for g in doc["groups"] for v in g["villages"]}
        pool = base.shapes if uncovered is None else {c: base.shapes[c] for c in uncovered
                                                      if c in base.shapes}
        free = [geom for code, geom in pool.items() if code not in taken]
        _layer(group, feature_collection(free, [{}] * len(free)), "uncovered", corners,
               style=STYLES["uncovered"])
    _layer(group, feature_collection(fills, fill_props), "fills", corners,
           style=JsCode(_FILL_STYLE))
    _layer(group, feature_collection(outlines, outline_props), "outlines", corners,
           style=STYLES["outline"])
    for name, chosen in (("flagged", set(flagged) - {active}), ("active", {active})):
        picked = [(geom, p) for geom, p in zip(outlines, outline_props) if p[s.ORG_ID] in chosen]
        _layer(group, feature_collection([p[0] for p in picked], [p[1] for p in picked]), name,
               corners, style=STYLES[name])
    _layer(group, feature_collection(leads, [{}] * len(leads)), "leads", corners,
           marker=folium.CircleMarker(**STYLES["lead"]))
    return group


def scenario_map(base: PlanningBase, doc: dict, flagged=frozenset()) -> folium.Map:
    """A whole map of one scenario (for side-by-side comparison)."""
    m = planning_map(base)
    scenario_overlay(base, doc, flagged=flagged).add_to(m)
    return m


def legend_items(show_uncovered: bool) -> tuple:
    """``(colour, label)`` pairs for the legend under the map."""
    items = [(ORG_PALETTE[0], "方案中的联村组织（相邻组织不同色）"), (FREE, "未编入"),
             (ACTIVE, "正在编辑的组织（红框）；红色虚线框：不满足规则")]
    if show_uncovered:
        items.insert(2, (UNCOVERED, "未覆盖的行政村"))
    return tuple(items)
