"""The overview's deck.gl map: villages coloured by a figure, organisations
outlined with their lead villages marked, optional unit grids and sites.

Tooltips are text (never HTML): names are user data.
"""
from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pydeck as pdk

from analysis.areas import area_mask
from geo import schema as s
from maps.deck import CompactDeck, outline_layer, pixel_degrees, polygon_layer, view_of
from maps.marks import mark_layers, mark_legend
from maps.styles import CATEGORY_COLORS, Legend, classify_colors
from maps.styles import COLORINGS, LEAD_FILL, ORG_LINE, SITE_FILL  # noqa: F401 (re-exported)

SELECTED_LINE = (255, 200, 0)
CLICK_LAYER = "areas"
_LEVELS = ("county", "township", "village")
_LEVEL_FIELDS = (s.COUNTY_CODE, s.TOWNSHIP_CODE, s.VILLAGE_CODE)


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


def _area_names(villages: pd.DataFrame, code: str, name: str) -> dict:
    rows = villages.drop_duplicates(code)
    return dict(zip(rows[code], rows[name].astype(str)))


def click_layer(display: dict, county: str | None, township: str | None) -> pdk.Layer:
    """The areas a click drills into: the counties of the city, the townships of a
    county, the villages of a township.

    The polygons are all but transparent (alpha 1) and never stroked.  deck.gl
    picks the object under the pointer synchronously on ``pointerdown`` and
    counts the press as a click only when ``pointerup`` follows within 250 ms
    (mjolnir's tap recogniser, timed with ``Date.now()``).  A stroked layer
    (even with a zero, transparent line) draws its path shader in every
    picking pass, which under software WebGL kept the main thread ~100 ms
    (several times that on a slow or busy machine): clicks were then lost.
    Unstroked fills pick in ~10 ms.  The visible layers are never pickable.

    >>> import geopandas as gpd, shapely
    >>> v = gpd.GeoDataFrame({"county_code": ["c1", "c2"], "county": ["甲县", "乙县"],
    ...     "township_code": ["t1", "t2"], "township": ["一镇", "二镇"],
    ...     "village_code": ["v1", "v2"], "name": ["一村", "二村"]},
    ...     geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], crs="EPSG:4326")
    >>> display = {"villages": v, "counties": v[["county_code", "geometry"]],
    ...            "townships": v[["county_code", "township_code", "geometry"]]}
    >>> [f["properties"]["name"] for f in click_layer(display, None, None).data["features"]]
    ['甲县', '乙县']
    >>> layer = click_layer(display, "c1", "t1")
    >>> [f["properties"]["village_code"] for f in layer.data["features"]], layer.stroked
    (['v1'], False)
    """
    villages = display["villages"]
    if township:
        frame = villages[area_mask(villages, county, township)]
        keep = [s.COUNTY_CODE, s.TOWNSHIP_CODE, s.VILLAGE_CODE, s.NAME, "geometry"]
    elif county:
        frame = display["townships"][display["townships"][s.COUNTY_CODE] == county]
        names = _area_names(villages, s.TOWNSHIP_CODE, s.TOWNSHIP)
        frame = frame.assign(name=frame[s.TOWNSHIP_CODE].map(names))
        keep = [s.COUNTY_CODE, s.TOWNSHIP_CODE, "name", "geometry"]
    else:
        frame = display["counties"]
        frame = frame.assign(name=frame[s.COUNTY_CODE].map(
            _area_names(villages, s.COUNTY_CODE, s.COUNTY)))
        keep = [s.COUNTY_CODE, "name", "geometry"]
    return polygon_layer(frame[keep], CLICK_LAYER, [255, 255, 255, 1], line=(0, 0, 0, 0),
                         line_width_px=0, pickable=True, stroked=False)


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


def _points_layer(points: pd.DataFrame, layer_id: str, fill: list, radius_px: tuple) -> pdk.Layer:
    codes = [c for c in _LEVEL_FIELDS if c in points.columns]
    data = points[["lon", "lat", "name", *codes]].astype({c: object for c in codes})
    data[codes] = data[codes].where(data[codes].notna(), None)  # null in JSON, never NaN
    return pdk.Layer("ScatterplotLayer", data, id=layer_id,
                     get_position=["lon", "lat"], get_fill_color=fill, get_line_color=[60, 60, 60],
                     stroked=True, line_width_min_pixels=1, radius_min_pixels=radius_px[0],
                     radius_max_pixels=radius_px[1], get_radius=250, pickable=True)


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
    ``township``) is outlined as the selected one.  Only the click layer
    (:func:`click_layer`) and the points are pickable.  ``marks``
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
    fill = gpd.GeoDataFrame({"_fill": colors}, geometry=shown.geometry.to_numpy(),
                            crs=shown.crs)
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
    layers = [polygon_layer(fill, "villages", None, stroked=False),
              click_layer(display, county, township)]
    if county is not None:
        layers.append(outline_layer(shown, "village_lines", (255, 255, 255, 200), 1.0, half_px))
    extras = extras or {}
    if extras.get("grids") is not None and len(extras["grids"]):
        layers.append(outline_layer(extras["grids"], "grids", (90, 90, 90), 0.8, half_px))
    layers += [outline_layer(outlines, "outlines", tuple(outline), 1.4, half_px),
               outline_layer(orgs, "orgs", ORG_LINE, 1.6, half_px)]
    if marks:
        layers += mark_layers(outlines, marks, s.TOWNSHIP_CODE if county else s.COUNTY_CODE,
                              tolerance=half_px)
    if village and township:
        chosen = shown[(shown[s.VILLAGE_CODE] == village).to_numpy()]
        layers.append(outline_layer(chosen, "selected", SELECTED_LINE, 3))
    layers.append(_points_layer(leads, "leads", LEAD_FILL, (3, 7)))
    if extras.get("sites") is not None and len(extras["sites"]):
        layers.append(_points_layer(extras["sites"], "sites", SITE_FILL, (2, 5)))
    # map_provider=None with pydeck's default map_style sentinel: Streamlit
    # then draws no basemap at all (map_style=None would fetch Carto's style).
    deck = CompactDeck(layers=layers, initial_view_state=view,
                       map_provider=None, tooltip={"text": "{name}"})
    entries = legend.entries + ((ORG_LINE + (255,), "联村党组织边界"), (tuple(LEAD_FILL), "领建村"))
    entries += mark_legend(marks_title) if marks else ()
    return deck, Legend(legend.title, tuple((list(c), label) for c, label in entries))
