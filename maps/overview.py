"""The overview's deck.gl map: villages coloured by a figure, organisations
outlined with their lead villages marked, optional unit grids and sites.

Tooltips are text (never HTML): names are user data.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk

from analysis.areas import area_mask
from geo import schema as s
from maps.deck import (CompactDeck, marker_ring, offset_ints, offset_props, outline_layer,
                       pixel_degrees, polygon_rows, simplify_coverage, view_of)
from maps.marks import mark_layers, mark_legend
from maps.styles import CATEGORY_COLORS, Legend, classify_colors
from maps.styles import COLORINGS, LEAD_FILL, ORG_LINE, SITE_FILL  # noqa: F401 (re-exported)

SELECTED_LINE = (255, 200, 0)
CLICK_LAYER = "areas"
_LEVELS = ("county", "township", "village")
_LEVEL_FIELDS = (s.COUNTY_CODE, s.TOWNSHIP_CODE, s.VILLAGE_CODE)
_LEVEL_NAMES = (s.COUNTY, s.TOWNSHIP, s.NAME)


def org_outlines(display_villages: gpd.GeoDataFrame, table: pd.DataFrame) -> gpd.GeoDataFrame:
    """One outline per organisation: the union of its members' display polygons."""
    joined = display_villages.assign(org_id=table[s.ORG_ID].to_numpy())
    joined = joined[joined[s.ORG_ID].notna()]
    if joined.empty:
        return gpd.GeoDataFrame({s.ORG_ID: []}, geometry=[], crs=display_villages.crs)
    return joined.dissolve(by=s.ORG_ID, as_index=False)[[s.ORG_ID, "geometry"]]


def lead_points(display_villages: gpd.GeoDataFrame, orgs: pd.DataFrame) -> pd.DataFrame:
    """``lon``, ``lat``, ``name`` and area codes of each organisation's lead village."""
    leads = display_villages[display_villages[s.VILLAGE_CODE].isin(set(orgs[s.LEAD_VILLAGE_CODE]))]
    points = leads.geometry.representative_point()
    return pd.DataFrame({"lon": points.x.to_numpy(), "lat": points.y.to_numpy(),
                         "name": ("领建村：" + leads[s.NAME].astype(str)).to_numpy(),
                         s.COUNTY_CODE: leads[s.COUNTY_CODE].to_numpy(),
                         s.TOWNSHIP_CODE: leads[s.TOWNSHIP_CODE].to_numpy(),
                         s.VILLAGE_CODE: leads[s.VILLAGE_CODE].to_numpy()})


def site_points(sites: gpd.GeoDataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """``lon``, ``lat``, ``name`` and area codes of service sites (EPSG:4326)."""
    columns = ["lon", "lat", "name", s.COUNTY_CODE, s.TOWNSHIP_CODE, s.VILLAGE_CODE]
    if sites.empty:
        return pd.DataFrame(columns=columns)
    geo = sites.to_crs("EPSG:4326")
    area = villages.set_index(s.VILLAGE_CODE)[[s.COUNTY_CODE, s.TOWNSHIP_CODE]]
    codes = area.reindex(geo[s.VILLAGE_CODE])
    known = geo[s.VILLAGE_CODE].where(codes[s.COUNTY_CODE].notna().to_numpy())
    return pd.DataFrame({"lon": geo.geometry.x.round(5).to_numpy(),
                         "lat": geo.geometry.y.round(5).to_numpy(),
                         "name": geo[s.NAME].astype(str).to_numpy(),
                         s.COUNTY_CODE: codes[s.COUNTY_CODE].to_numpy(),
                         s.TOWNSHIP_CODE: codes[s.TOWNSHIP_CODE].to_numpy(),
                         s.VILLAGE_CODE: known.to_numpy()})


def areas_layer(shown: gpd.GeoDataFrame, colors: list, county: str | None,
                township: str | None, origin, tolerance: float = 0.0) -> pdk.Layer:
    """The villages of the area in their colours; a click on one drills into the area
    one level below the area shown: its county on the city, its township in a county,
    the village itself in a township.

    One ``PolygonLayer`` (rows: ``p`` the polygon as integer offsets from ``origin``,
    :func:`maps.deck.polygon_rows`; ``f`` its RGBA; the area codes down to the level a
    click opens; ``name`` that area's name for the tooltip), unstroked and pickable.
    It replaced a GeoJSON fill layer plus a second, all but transparent layer of the
    areas to click: on the city the map's JSON shrank from 1.20 to about 0.6 MB and
    the first frame lost a layer.  deck.gl picks the object under the pointer on
    ``pointerdown`` and counts the press as a click only when ``pointerup`` follows
    within 250 ms; an unstroked polygon layer picks in milliseconds even under
    software WebGL (a stroked one, drawn with the path shader, took ~100 ms and
    more: clicks were lost).  ``tolerance`` (degrees; about half a pixel of the
    view) simplifies the villages together, so neighbours still meet.

    >>> import shapely
    >>> v = gpd.GeoDataFrame({"county_code": ["c1", "c1"], "county": ["甲县", "甲县"],
    ...     "township_code": ["t1", "t2"], "township": ["一镇", "二镇"],
    ...     "village_code": ["v1", "v2"], "name": ["一村", "二村"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:4326")
    >>> rows = areas_layer(v, [[1, 2, 3, 4]] * 2, None, None, (1.0, 0.5)).data
    >>> [(r["county_code"], r["name"], "township_code" in r) for r in rows]
    [('c1', '甲县', False), ('c1', '甲县', False)]
    >>> [(r["village_code"], r["name"], r["f"]) for r in areas_layer(
    ...     v, [[1, 2, 3, 4]] * 2, "c1", "t1", (1.0, 0.5)).data]
    [('v1', '一村', [1, 2, 3, 4]), ('v2', '二村', [1, 2, 3, 4])]
    """
    depth = 1 + bool(county) + bool(county and township)
    geoms = simplify_coverage(shown.geometry.to_numpy(), tolerance)
    codes = {field: shown[field].astype(str).to_numpy() for field in _LEVEL_FIELDS[:depth]}
    frame = gpd.GeoDataFrame({"f": list(colors), **codes,
                              "name": shown[_LEVEL_NAMES[depth - 1]].astype(str).to_numpy()},
                             geometry=geoms, crs=shown.crs)
    origin = np.asarray(origin, dtype=float)
    rows = polygon_rows(frame, origin, {"f": "f", **{f: f for f in codes}, "name": "name"})
    return pdk.Layer("PolygonLayer", rows, id=CLICK_LAYER, get_polygon="p",
                     position_format="'XY'", pickable=True, filled=True, stroked=False,
                     get_fill_color="f", **offset_props(origin))


def picked_area(selection: dict | None, county: str | None = None,
                township: str | None = None) -> dict:
    """The area one level below (``county``, ``township``) that a click picked:
    ``{"county": …}`` on the city, ``{"county", "township"}`` in a county,
    ``{"county", "township", "village"}`` in a township; empty when nothing
    (or nothing inside the area) was picked.

    ``selection`` is the value ``st.pydeck_chart(on_select=…)`` keeps in the
    session state; any picked object carrying area codes counts (the click
    areas, a lead village, a service site).

    >>> picked_area({"selection": {"objects": {"areas": [
    ...     {"properties": {"county_code": "c1", "township_code": "t1", "name": "一镇"}}]}}}, "c1")
    {'county': 'c1', 'township': 't1'}
    >>> picked_area({"selection": {"objects": {"leads": [
    ...     {"county_code": "c1", "township_code": "t1", "village_code": "v1"}]}}})
    {'county': 'c1'}
    >>> picked_area({"selection": {"objects": {"leads": [
    ...     {"county_code": "c2", "township_code": "t9", "village_code": "v9"}]}}}, "c1")
    {}
    >>> picked_area({"selection": {"objects": {}}})
    {}
    """
    objects = ((selection or {}).get("selection") or {}).get("objects") or {}
    depth = 1 + bool(county) + bool(county and township)
    for picked in objects.values():
        for obj in picked or ():
            props = obj.get("properties", obj) if isinstance(obj, dict) else {}
            codes = [props.get(field) for field in _LEVEL_FIELDS[:depth]]
            if not all(codes) or (county and codes[0] != county) or \
                    (township and codes[1] != township):
                continue
            return {key: str(code) for key, code in zip(_LEVELS, codes)}
    return {}


LEAD_RADIUS_PX, LEAD_RING = 3.5, [60, 60, 60, 255]


def marker_layer(points: pd.DataFrame, layer_id: str, fill: list, view: pdk.ViewState,
                 origin, radius_px: float = LEAD_RADIUS_PX) -> pdk.Layer:
    """Points as small hexagons (all the dark rings, then the fills) in a pickable, unstroked
    ``PolygonLayer``, ``radius_px`` in radius at ``view``'s zoom (they grow when zoomed in).

    The lead villages were a ``ScatterplotLayer``: its shader alone cost ≈ 300 ms of
    software-WebGL work on the first frame of 总览 and 汇报模式 (GPU 791 → 495 ms, map
    painted 3.23 → 2.84 s without it); hexagons use the village layer's shader, already
    compiled.  Rows carry ``name`` and the area codes, as the points did, for the
    tooltip and the drill-down.

    >>> pts = pd.DataFrame({"lon": [117.0], "lat": [26.0], "name": ["一村"], "county_code": ["c1"]})
    >>> layer = marker_layer(pts, "leads", [1, 2, 3, 4], pdk.ViewState(latitude=26,
    ...     longitude=117, zoom=8), (117.0, 26.0))
    >>> [(r["name"], r["county_code"], r["f"], len(r["p"])) for r in layer.data]
    [('一村', 'c1', [60, 60, 60, 255], 14), ('一村', 'c1', [1, 2, 3, 4], 14)]
    >>> layer.pickable, layer.stroked
    (True, False)
    """
    origin = np.asarray(origin, dtype=float)
    codes = [c for c in _LEVEL_FIELDS if c in points.columns]
    rows = []
    for size, color in ((radius_px + 1.2, LEAD_RING), (radius_px, list(fill))):
        r = size * pixel_degrees(view)
        for lon, lat, name, *values in points[["lon", "lat", "name", *codes]].itertuples(
                index=False):
            row = {"p": offset_ints(marker_ring(lon, lat, r, 6), origin), "f": color,
                   "name": str(name)}
            row.update({c: (None if pd.isna(v) else str(v)) for c, v in zip(codes, values)})
            rows.append(row)
    return pdk.Layer("PolygonLayer", rows, id=layer_id, get_polygon="p",
                     position_format="'XY'", pickable=True, filled=True, stroked=False,
                     get_fill_color="f", **offset_props(origin))


def overview_map(display: dict, table: pd.DataFrame, coloring: str,
                 county: str | None = None, township: str | None = None,
                 extras: dict | None = None, outline: tuple = (40, 40, 40),
                 view_px: tuple = (1100, 540),
                 village: str | None = None, marks: dict | None = None,
                 marks_title: str = "") -> tuple[pdk.Deck, Legend]:
    """The overview deck for the city, a county or a township, and its legend.

    ``display`` holds display frames (EPSG:4326): ``villages``, ``townships``,
    ``counties``, ``orgs`` (outlines), ``leads`` (points); ``table`` is
    :func:`analysis.villages.village_table` in the villages' row order.
    ``extras`` may add ``grids`` (display polygons) and ``sites`` (points),
    both already restricted to the area.  ``outline`` is the RGB of county
    and township borders (light on a dark screen); ``view_px`` the map's
    approximate size in pixels, to frame the area; ``village`` (inside
    ``township``) is outlined as the selected one.  Only the villages
    (:func:`areas_layer`, which a click drills into) and the points are pickable.  ``marks``
    (``{county or township code: "green" | "yellow" | "red"}``, of the areas
    outlined: counties on the city, townships in a county) colours those
    outlines (:mod:`maps.marks`); ``marks_title`` heads their legend.
    """
    if coloring not in COLORINGS:
        raise ValueError(f"未知着色方式 {coloring!r}，可选：{', '.join(COLORINGS)}")
    column, ramp, unit = COLORINGS[coloring]
    villages = display["villages"]
    keep = area_mask(villages, county, township)
    shown, values = villages[keep], table[column][keep]
    if ramp is None:
        colors = [CATEGORY_COLORS[bool(v)] for v in values]
        legend = Legend("", ((CATEGORY_COLORS[True], "联建村"), (CATEGORY_COLORS[False], "未联建")))
    else:
        colors, legend = classify_colors(values, ramp=ramp, unit=unit)
    outlines = display["townships"][display["townships"][s.COUNTY_CODE] == county] \
        if county else display["counties"]
    orgs = display["orgs"][display["orgs"][s.ORG_ID].isin(set(table[s.ORG_ID][keep].dropna()))]
    leads = display["leads"][area_mask(display["leads"], county, township)]
    view = view_of(shown, *view_px)
    # Outlines are line segments simplified to half a pixel at this zoom
    # (maps.deck.outline_layer: a stroked polygon layer costs seconds of
    # software rendering on the first frame).  Village borders only inside a
    # county: at city scale they are thinner than a pixel.
    half_px = pixel_degrees(view) / 2
    origin = (round(view.longitude, 2), round(view.latitude, 2))
    layers = [areas_layer(shown, colors, county, township, origin, half_px)]
    if county is not None:
        layers.append(outline_layer(shown, "village_lines", (255, 255, 255, 200), 1.0, half_px,
                                    origin=origin))
    extras = extras or {}
    if extras.get("grids") is not None and len(extras["grids"]):
        layers.append(outline_layer(extras["grids"], "grids", (90, 90, 90), 0.8, half_px,
                                    origin=origin))
    layers += [outline_layer(outlines, "outlines", tuple(outline), 1.4, half_px, origin=origin),
               outline_layer(orgs, "orgs", ORG_LINE, 1.6, half_px, origin=origin)]
    if marks:
        layers += mark_layers(outlines, marks, s.TOWNSHIP_CODE if county else s.COUNTY_CODE,
                              tolerance=half_px)
    if village and township:
        chosen = shown[(shown[s.VILLAGE_CODE] == village).to_numpy()]
        layers.append(outline_layer(chosen, "selected", SELECTED_LINE, 3))
    layers.append(marker_layer(leads, "leads", LEAD_FILL, view, origin))
    if extras.get("sites") is not None and len(extras["sites"]):
        layers.append(marker_layer(extras["sites"], "sites", SITE_FILL, view, origin, 2.5))
    # map_provider=None with pydeck's default map_style sentinel: Streamlit
    # then draws no basemap at all (map_style=None would fetch Carto's style).
    deck = CompactDeck(layers=layers, initial_view_state=view,
                       map_provider=None, tooltip={"text": "{name}"})
    entries = legend.entries + ((ORG_LINE + (255,), "联村党组织边界"), (tuple(LEAD_FILL), "领建村"))
    entries += mark_legend(marks_title) if marks else ()
    return deck, Legend(legend.title, tuple((list(c), label) for c, label in entries))
