"""The deck.gl map of the 网格治理 page: unit grids by compliance, and their defects.

Builders return a :class:`CompactDeck`; pages render it with
``st.pydeck_chart``.  Nothing here requests anything outside the machine: no
basemap is configured (``map_provider=None`` and pydeck's default map-style
sentinel, which Streamlit reads as "no basemap"; ``map_style=None`` would
make it fetch Carto's style).

The city's ~12,000 unit grids must reach the browser in well under 3 MB
(PERFORMANCE.md), and Streamlit parses the deck's JSON with a JSON5 parser
written in JavaScript (about 3 MB/s, against 400 MB/s for ``JSON.parse``), so
every character counts twice.  The payload is shaped for size:

* display geometry is coverage-simplified (:func:`maps.display.display_geometry`)
  and rounded to 1e-5° (about 1 m);
* polygons are ``PolygonLayer`` rows ``{"p": [x0, y0, x1, y1, …]}`` of
  integers — the rounded coordinates in units of 1e-5° from the map's centre —
  placed by deck.gl's ``lnglat-offsets`` system and a scaling ``modelMatrix``;
* one layer per compliance class with a constant colour (a lookup table), so
  no per-feature colour is sent; only the properties the tooltip and the
  drill-down need (``c`` code, ``n`` name, ``r`` reason);
* on county and city maps (over :data:`STROKE_LIMIT` grids) the compliant
  grids of a village are one feature;
* JSON without pydeck's two-space indentation (3.5× smaller), serialised
  once when the deck is built.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pydeck as pdk
import shapely

from analysis.grid import union_by
from analysis.grid_checks import STATUSES
from analysis.grid_tree import NODE_COLUMNS
from geo import schema as s
from maps.deck import (DECIMALS, SCALE, CompactDeck, marker_ring, offset_ints,  # noqa: F401
                       offset_props as _offsets, path_rows, pixel_degrees, polygon_rows,
                       segments, simplify_coverage, view_of)
from maps.display import DISPLAY_CRS, display_geometry
from maps.styles import Legend
from maps.styles import DEFECT_STYLES, STATUS_COLORS  # noqa: F401 (re-exported)
from maps.styles import GRID_HIGHLIGHT as HIGHLIGHT, GRID_OUTLINES as OUTLINES
import texts

TOLERANCE_M = 30.0           # coverage simplification of grids and villages

# Up to this many unit grids on a map, each is a feature with an outline.
# Beyond it (a county, the city) outlines are dropped — with software WebGL (no
# GPU, common on intranet desktops) 12,000 stroked polygons take seconds per
# frame and per pick, so a click would no longer register — and the compliant
# grids of each village are sent merged, which looks the same without outlines.
STROKE_LIMIT = 1000
# Beyond this many villages (the city) their outlines — tens of thousands of
# line segments, a second of software rendering — give way to township borders.
VILLAGE_OUTLINE_LIMIT = 500
# the defect rings' discs: all but clear (alpha 1: deck.gl does not pick alpha 0)
MARKER, MARKER_PX = [255, 255, 255, 1], 9


def _rounded(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``gdf`` in EPSG:4326 with coordinates rounded to :data:`DECIMALS`."""
    out = gdf.to_crs(DISPLAY_CRS)
    geoms = shapely.transform(out.geometry.to_numpy(), lambda xy: np.round(xy, DECIMALS))
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=DISPLAY_CRS))


def _area_keys(tree: pd.DataFrame, level: int) -> pd.DataFrame:
    rows = tree[tree["level"] == level].set_index("code")
    return rows[[s.COUNTY_CODE, s.TOWNSHIP_CODE, s.VILLAGE_CODE, "l3_code", "l4_code"]]


def grid_display_layers(villages: gpd.GeoDataFrame, grids: gpd.GeoDataFrame,
                        tree: pd.DataFrame, compliance: pd.DataFrame, integrity,
                        tolerance_m: float = TOLERANCE_M) -> dict:
    """Display frames (EPSG:4326, rounded) of the grids page, with the codes to filter by.

    Parameters
    ----------
    villages, grids : GeoDataFrame
        The layers (any CRS).
    tree, compliance, integrity
        :func:`analysis.grid_tree.grid_tree`,
        :func:`analysis.grid_checks.grid_compliance` and
        :func:`analysis.grid_checks.grid_integrity` of the same layers.
    tolerance_m : float
        Coverage-simplification tolerance of grids and villages (m).

    Returns
    -------
    dict of GeoDataFrame
        ``l4`` (unit grids with ``status`` and ``reason``), ``l4_merged``
        (the unit grids of each village and status, merged; ``c`` the code a
        click selects: the village's), ``l3`` (片区:
        the union of their unit grids' display polygons, so that the
        outlines follow the grid edges), ``l3_lines`` (the borders between
        the 片区 of each village), ``villages``, ``township_lines`` (per
        county), and the defects
        ``gap``, ``overlap``, ``orphan`` (with ``label`` and ``reason``); each
        row carries ``county_code``, ``township_code``, ``village_code`` and,
        for grids, ``l3_code``/``l4_code``.
    """
    is4 = (grids[s.LEVEL] == s.GRID_LEVEL_L4).fillna(False).to_numpy(dtype=bool)
    l4 = display_geometry(grids.loc[is4, [s.GRID_CODE, s.NAME, "geometry"]], tolerance_m,
                          DECIMALS)
    status = compliance.set_index(s.GRID_CODE)
    l4["status"] = status["status"].reindex(l4[s.GRID_CODE]).fillna("compliant").to_numpy()
    l4["reason"] = ["；".join(r) or texts.GRID_STATUS["compliant"]
                    for r in status["reasons"].reindex(l4[s.GRID_CODE])]
    l4 = l4.join(_area_keys(tree, 4), on=s.GRID_CODE)
    owners = pd.Index(tree.loc[tree["level"] == 3, "code"])
    owner = owners.get_indexer(l4["l3_code"])
    keep = owner >= 0
    outline = union_by(l4.geometry.to_numpy()[keep], owner[keep], len(owners))
    l3 = gpd.GeoDataFrame({s.GRID_CODE: owners}, geometry=gpd.GeoSeries(outline, crs=DISPLAY_CRS))
    l3 = l3[~l3.geometry.isna()].join(_area_keys(tree, 3), on=s.GRID_CODE)
    shown_villages = display_geometry(
        villages[[s.VILLAGE_CODE, s.NAME, s.TOWNSHIP_CODE, s.COUNTY_CODE, "geometry"]],
        tolerance_m, DECIMALS)
    return {"l4": l4, "l4_merged": _merged_by_village(l4, shown_villages), "l3": l3,
            "l3_lines": _edges_by_village(l3, shown_villages), "villages": shown_villages,
            "township_lines": _township_borders(shown_villages), **_defect_frames(integrity)}


def _township_borders(villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The township borders of each county as lines, each shared border once."""
    towns = villages.dissolve(by=[s.COUNTY_CODE, s.TOWNSHIP_CODE], as_index=False)
    codes = pd.Index(sorted(towns[s.COUNTY_CODE].unique()))
    owner = codes.get_indexer(towns[s.COUNTY_CODE])
    lines = union_by(shapely.boundary(towns.geometry.to_numpy()), owner, len(codes))
    has = ~shapely.is_missing(lines)
    lines[has] = shapely.line_merge(lines[has])
    return gpd.GeoDataFrame({s.COUNTY_CODE: codes}, geometry=gpd.GeoSeries(lines,
                                                                          crs=DISPLAY_CRS))[has]


def _merged_by_village(l4: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The unit grids of each village and status (:data:`STATUSES`) as one (multi)polygon.

    Drawn without outlines, as on a city or county map, they look the same as the
    grids one by one, with a fraction of the vertices and rows (on the demo city
    11,738 grids → 2,774 rows): a row's ``c`` is then its village, its tooltip the
    status and how many grids (a grid alone keeps its own reason).  Grids
    without a village stay one by one.
    """
    codes = pd.Index(villages[s.VILLAGE_CODE])
    village = codes.get_indexer(l4[s.VILLAGE_CODE])
    status = pd.Index(STATUSES).get_indexer(l4["status"])
    keep = (village >= 0) & (status >= 0)
    owner = village[keep] * len(STATUSES) + status[keep]
    size = len(codes) * len(STATUSES)
    merged = union_by(l4.geometry.to_numpy()[keep], owner, size)
    count = np.bincount(owner, minlength=size)
    has = np.flatnonzero(count)
    out = villages[[s.VILLAGE_CODE, s.NAME, s.TOWNSHIP_CODE, s.COUNTY_CODE]].iloc[
        has // len(STATUSES)].reset_index(drop=True)
    out["status"] = np.asarray(STATUSES)[has % len(STATUSES)]
    # a group of one grid keeps the grid's own reason (e.g. its household count)
    first = np.full(size, -1)
    first[owner[::-1]] = np.flatnonzero(keep)[::-1]
    own = l4["reason"].to_numpy()[first[has]]
    out["reason"] = [reason if n == 1 else texts.GRID_MERGED.format(
        status=texts.GRID_STATUS[k], n=n) for k, n, reason in zip(out["status"], count[has], own)]
    out["c"] = out[s.VILLAGE_CODE]
    out = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(merged[has], crs=DISPLAY_CRS))
    alone = l4.loc[~keep, [s.GRID_CODE, s.NAME, s.TOWNSHIP_CODE, s.COUNTY_CODE, s.VILLAGE_CODE,
                           "status", "reason", "geometry"]].assign(c=lambda f: f[s.GRID_CODE])
    return pd.concat([out, alone.drop(columns=s.GRID_CODE)], ignore_index=True)


def _edges_by_village(l3: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The borders between the 片区 of each village, each once, as lines.

    The outer border of a village's 片区 is left out: the village outline
    draws it.
    """
    codes = pd.Index(villages[s.VILLAGE_CODE])
    owner = codes.get_indexer(l3[s.VILLAGE_CODE])
    keep = owner >= 0
    polygons = l3.geometry.to_numpy()[keep]
    lines = union_by(shapely.boundary(polygons), owner[keep], len(codes))
    outer = shapely.boundary(union_by(polygons, owner[keep], len(codes)))
    has = ~shapely.is_missing(lines)
    lines[has] = shapely.line_merge(shapely.difference(lines[has], outer[has]))
    has &= ~shapely.is_empty(lines)
    out = villages[[s.VILLAGE_CODE, s.TOWNSHIP_CODE, s.COUNTY_CODE]].copy()
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(lines, index=out.index,
                                                        crs=DISPLAY_CRS))[has]


def _defect_frames(integrity) -> dict:
    gap = _rounded(integrity.gaps)
    gap["label"] = gap[s.NAME]
    gap["reason"] = [texts.GRID_DEFECTS["gap"] + " " + texts.format_area(a) for a in gap["area_m2"]]
    gap["code"] = gap[s.VILLAGE_CODE]
    overlap = _rounded(integrity.overlaps)
    overlap["label"] = overlap["grid_a"] + " × " + overlap["grid_b"]
    overlap["reason"] = [texts.GRID_DEFECTS["overlap"] + " " + texts.format_area(a)
                         for a in overlap["area_m2"]]
    overlap["code"] = overlap["grid_a"]
    orphan = _rounded(integrity.orphans)
    orphan["label"] = orphan[s.NAME].astype(str) + " " + orphan[s.GRID_CODE].astype(str)
    orphan["reason"] = texts.GRID_DEFECTS["orphan"] + "：" + orphan["reason"].astype(str)
    orphan["code"] = orphan[s.GRID_CODE]
    return {"gap": gap, "overlap": overlap, "orphan": orphan}


# ---- layers ------------------------------------------------------------------------

def _pickable_layers(rows: list, frame: gpd.GeoDataFrame, layer_id: str, origin, fill,
                     line=None, width_m: float = 1.0, min_px: float = 0.0,
                     max_px: float = 4.0) -> list[pdk.Layer]:
    """A pickable fill (``rows`` of ``frame``), and its outline (if any) as a
    second layer that is not pickable: deck.gl picks on ``pointerdown`` and
    drops the click when ``pointerup`` comes more than 250 ms later, and a
    stroked layer in the picking pass (the path shader, under software WebGL)
    costs about that."""
    layers = [_layer(rows, layer_id, origin, fill=fill, pickable=True)]
    if line is not None:
        layers.append(_edges(frame, f"{layer_id}-line", origin, line, width_m, min_px, max_px))
    return layers


def _layer(rows: list, layer_id: str, origin, fill=None, line=None, width_m: float = 1.0,
           min_px: float = 0.0, max_px: float = 4.0, pickable: bool = False) -> pdk.Layer:
    return pdk.Layer(
        "PolygonLayer", rows, id=layer_id, get_polygon="p", position_format="'XY'",
        pickable=pickable, filled=fill is not None,
        stroked=line is not None, get_fill_color=fill or [0, 0, 0, 0],
        get_line_color=line or [0, 0, 0], get_line_width=width_m, line_width_units="'meters'",
        line_width_min_pixels=min_px, line_width_max_pixels=max_px, **_offsets(origin))


def _edges(frame: gpd.GeoDataFrame, layer_id: str, origin, color, width_m: float,
           min_px: float, max_px: float, tolerance: float = 0.0) -> pdk.Layer:
    """The polygons' outlines or the lines of ``frame`` as line segments (each
    shared edge once), never pickable: under software WebGL deck.gl's path
    shader made the first frame seconds slower (:func:`maps.deck.outline_layer`).
    ``tolerance`` (degrees, about half a pixel of the view) simplifies them first."""
    edges = np.rint((segments(frame.geometry.to_numpy(), tolerance) - np.tile(origin, 2))
                    / SCALE)
    rows = [{"s": [x0, y0], "t": [x1, y1]} for x0, y0, x1, y1 in edges.astype(np.int64).tolist()]
    return pdk.Layer("LineLayer", rows, id=layer_id, get_source_position="s",
                     get_target_position="t", get_color=color, get_width=width_m,
                     width_units="'meters'", width_min_pixels=min_px, width_max_pixels=max_px,
                     pickable=False, **_offsets(origin))


# ---- the deck ---------------------------------------------------------------------------

def _within(frame: pd.DataFrame, column: str | None, code: str | None) -> pd.DataFrame:
    """Rows of the scope; a frame without the scope's column (county-wide
    township borders within a township) is kept whole."""
    return frame if column not in frame.columns else frame[frame[column] == code]


def build_grid_deck(display: dict, scope: tuple = (None, None),
                    focus: tuple = (None, None)) -> CompactDeck:
    """The compliance map of an area, with defects on top and the focus outlined.

    Parameters
    ----------
    display : dict
        :func:`grid_display_layers`.
    scope : (column, code)
        The rows shown: ``column`` one of ``county_code``, ``township_code``,
        ``village_code`` (see :func:`analysis.grid_tree.integrity_scope`);
        ``(None, None)`` shows everything.
    focus : (by, code)
        The selected node (:data:`analysis.grid_tree.NODE_COLUMNS` kinds); a
        片区 or unit grid is outlined.  The view frames what ``scope`` shows.

    Returns
    -------
    CompactDeck
        Layers, bottom to top: one per compliance class (:data:`STATUS_COLORS`,
        pickable; beyond :data:`STROKE_LIMIT` grids the compliant ones are
        merged per village), 片区 and village outlines (township borders
        beyond :data:`VILLAGE_OUTLINE_LIMIT` villages), the focus, gaps,
        overlaps, orphans and rings marking them (pickable).  Pickable rows
        carry ``c`` (the grid or village code to select), ``n`` and ``r`` for
        the text-only tooltip.
    """
    by, code = focus
    if by is not None and by not in NODE_COLUMNS:
        raise ValueError(f"未知的层级 {by!r}，可选：{'、'.join(NODE_COLUMNS)}")
    column, value = scope
    frames = {name: _within(frame, column, value) for name, frame in display.items()}
    every = pd.concat([frames["villages"].geometry, frames["l4"].geometry])
    bounds = every.total_bounds if len(every) else np.array([117.0, 26.0, 118.0, 27.0])
    origin = np.round((bounds[:2] + bounds[2:]) / 2, 2)
    view = view_of(gpd.GeoDataFrame(geometry=every, crs=DISPLAY_CRS))
    view.max_zoom = 17
    half_px = pixel_degrees(view) / 2  # lines simplified to it: the same on screen
    layers = []
    one_by_one = len(frames["l4"]) <= STROKE_LIMIT
    stroke = OUTLINES["l4"] if one_by_one else (None, 0.0, 0.0, 0.0)
    grids = frames["l4"] if one_by_one else frames["l4_merged"]
    shown = {status: grids[grids["status"] == status] for status in STATUSES}
    if not one_by_one:  # a county or the city: no outlines, so half a pixel is invisible
        shown = _simplified_together(shown, half_px)
    for status, frame in shown.items():
        code = s.GRID_CODE if one_by_one else "c"
        rows = polygon_rows(frame, origin, {"c": code, "n": s.NAME, "r": "reason"})
        layers += _pickable_layers(rows, frame, f"l4-{status}", origin, STATUS_COLORS[status],
                                   *stroke)
    layers.append(_edges(frames["l3_lines"], "l3", origin, *OUTLINES["l3"], half_px))
    color, width, low, high = OUTLINES["villages"]
    if len(frames["villages"]) <= VILLAGE_OUTLINE_LIMIT:
        layers.append(_edges(frames["villages"], "villages", origin, color, width, low, high,
                             half_px))
    else:
        layers.append(_edges(frames["township_lines"], "townships", origin,
                             color, 2 * width, 0.8, 2 * high, half_px))
    focus_frame = display["l3"] if by == "l3" else display["l4"] if by == "l4" else None
    if focus_frame is not None:
        shown = focus_frame[focus_frame[NODE_COLUMNS[by]] == code]
        layers.append(_layer(polygon_rows(shown, origin, {}), "focus", origin,
                             line=HIGHLIGHT[by], width_m=15.0, min_px=3.0, max_px=6.0))
    for name, style in DEFECT_STYLES.items():
        rows = polygon_rows(frames[name], origin, {"c": "code", "n": "label", "r": "reason"})
        layers += _pickable_layers(rows, frames[name], name, origin, style["fill"], style["line"],
                                   5.0, 2.0, 4.0)
    layers += _defect_markers(frames, origin, 2 * half_px)
    return CompactDeck(layers=layers, initial_view_state=view, map_provider=None,
                       tooltip={"text": "{n}\n{r}"})


def _simplified_together(frames: dict, tolerance: float) -> dict:
    """The frames' polygons simplified as one coverage (``shapely.coverage_simplify``:
    neighbours still meet, none vanishes) by ``tolerance`` degrees.  On the city
    map (half a pixel ≈ 200 m) the unit grids lost a third of their vertices
    (51,289 → 34,702 on the demo) and the map's JSON about 0.3 MB.

    >>> bump = shapely.Polygon([(0, 0), (1, 0.01), (2, 0), (2, 1), (0, 1)])
    >>> frames = {"a": gpd.GeoDataFrame(geometry=[bump]),
    ...           "b": gpd.GeoDataFrame(geometry=[shapely.box(0, 1, 2, 2)])}
    >>> out = _simplified_together(frames, 0.1)
    >>> [int(shapely.get_num_coordinates(f.geometry.iloc[0])) for f in out.values()]
    [5, 5]
    >>> int(shapely.get_num_coordinates(bump))
    6
    """
    geoms = [f.geometry.to_numpy() for f in frames.values()]
    simple = simplify_coverage(np.concatenate(geoms), tolerance) \
        if sum(map(len, geoms)) else np.empty(0, dtype=object)
    out, start = {}, 0
    for name, frame in frames.items():
        part = simple[start:start + len(frame)]
        start += len(frame)
        out[name] = frame.set_geometry(gpd.GeoSeries(part, index=frame.index, crs=frame.crs))
    return out


def _defect_markers(frames: dict, origin: np.ndarray, pixel: float) -> list[pdk.Layer]:
    """Rings at every defect, so that a 30 m overlap is found at city zoom: an
    all but clear, pickable 12-gon of :data:`MARKER_PX` radius (at the view's zoom,
    ``pixel`` degrees a pixel) and its ring as line segments.  Both use shaders the
    map compiles anyway: a ``ScatterplotLayer`` for 16 rings cost about 0.3 s of
    software WebGL on the first frame (the overview's lead points, measured)."""
    discs, ring = [], []
    for name in DEFECT_STYLES:
        frame = frames[name]
        points = shapely.get_coordinates(shapely.point_on_surface(frame.geometry.to_numpy()))
        color = DEFECT_STYLES[name]["line"]
        for (x, y), c, n, r in zip(points, frame["code"], frame["label"], frame["reason"]):
            ints = offset_ints(marker_ring(x, y, MARKER_PX * pixel, 12), origin)
            discs.append({"p": ints, "c": c, "n": n, "r": r})
            ring += [{"s": ints[i:i + 2], "t": ints[i + 2:i + 4], "k": color}
                     for i in range(0, len(ints) - 2, 2)]
    return [_layer(discs, "defect-markers", origin, fill=MARKER, pickable=True),
            pdk.Layer("LineLayer", ring, id="defect-rings", get_source_position="s",
                      get_target_position="t", get_color="k", get_width=2.5,
                      width_units="'pixels'", pickable=False, **_offsets(origin))]


def grid_legend() -> Legend:
    """Legend of :func:`build_grid_deck`: compliance classes, then defects."""
    entries = [(STATUS_COLORS[k], texts.GRID_STATUS[k]) for k in STATUSES]
    entries += [(style["fill"], texts.GRID_DEFECTS[k]) for k, style in DEFECT_STYLES.items()]
    return Legend(texts.GRID_LEGEND_TITLE, tuple(entries))
