"""Static (print) maps with matplotlib: overview, income, joint organisations,
grid compliance and service coverage, on an A4 page with title, legend, scale
bar, north arrow, data source, date and the 示例数据 badge on the demo.

Builders *return* a :class:`matplotlib.figure.Figure` (never pyplot's global
state); :func:`maps.print_layout.save_figure` writes it.  Everything is drawn in
the projected metric CRS fitted to the area shown (:func:`geo.crs.metric_crs`),
never in degrees.  Colours and classes are those of the dashboard's maps: the
same lookup tables (:mod:`maps.styles`,
:mod:`maps.joint`, :mod:`maps.grids`) and the same classification
(:func:`maps.styles.classify_colors`).
"""
from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.path import Path as MplPath

from analysis.areas import area_mask
from analysis.grid import grid_placement
from analysis.grid_checks import STATUSES, grid_compliance, grid_integrity
from analysis.income import resolve_years
from analysis.orgs import IS_LEAD, village_orgs
from analysis.params import Params
from analysis.villages import village_table
from analysis.walk_catchment import walk_catchment
from geo import schema as s
from geo.crs import metric_crs, to_metric
from maps import print_layout as ml
from maps.fonts import font_rc
from maps.styles import (CATEGORY_COLORS, COLORINGS, DEFECT_STYLES, GRID_OUTLINES as OUTLINES,
                         JOINT_STYLES, LEAD_FILL, NON_JOINT, ORG_LINE, SITE_FILL, STATUS_COLORS,
                         TYPE_COLORS, WALK_STYLES, classify_colors)
from maps.walk_print import print_walk_layers
import texts
from texts import walk as tw

MAP_KEYS = tuple(texts.REPORT_MAPS)            # overview, income, joint, grid, service, walk
BORDER = "#4d4d4d"
LIGHT_FILL = "#f4f4f4"


@dataclass(frozen=True)
class MapLayers:
    """The layers of one area, in its metric CRS ``crs`` (metres).

    ``villages`` carries ``is_joint``, ``income_eval``, ``income_gain`` (万元),
    ``org_id``, ``org_type`` and ``is_lead``; ``outlines`` the county (city
    maps) or township (county maps) polygons with a ``label``; ``orgs`` one
    outline per organisation; ``leads`` and ``sites`` points; ``grids`` the
    unit grids with their compliance ``status``; ``gaps`` and ``overlaps``
    from :func:`analysis.grid_checks.grid_integrity`; ``walk`` the sites' walking
    catchment (:func:`maps.walk_print.print_walk_layers`, None without roads or sites)
    for ``walk_minutes``.
    """

    crs: object
    villages: gpd.GeoDataFrame
    outlines: gpd.GeoDataFrame
    outline_kind: str
    orgs: gpd.GeoDataFrame
    leads: gpd.GeoDataFrame
    grids: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    overlaps: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    radius_m: float
    eval_year: int | None
    walk: dict | None = None
    walk_minutes: float = 15.0

    @property
    def bounds(self) -> tuple:
        return tuple(float(v) for v in self.villages.total_bounds)


def map_layers(dataset, params: Params = Params(), county: str | None = None,
               integrity=None, township: str | None = None) -> MapLayers:
    """Project and join everything the static maps of an area draw.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    params : Params
        Income years, grid standard (households) and ``service_radius_m`` (m).
    county : str, optional
        A ``county_code``; ``None`` for the whole dataset.
    integrity : analysis.grid_checks.GridIntegrity, optional
        Of the whole dataset, when already computed; otherwise it is computed
        for the area's villages and grids.
    township : str, optional
        A ``township_code`` inside ``county``: the township alone, its villages
        outlined and named (the slides of a township view).

    Raises
    ------
    ValueError
        For a ``county`` that no village has.
    """
    all_villages = dataset.villages
    keep = area_mask(all_villages, county, township)
    if not keep.any():
        raise ValueError(f"数据中没有县代码为 {county}" + (f"、乡镇代码为 {township}"
                         if township else "") + " 的村（社区）")
    base, last = resolve_years(dataset.village_income, params.base_year, params.eval_year)
    table = village_table(all_villages, dataset.joint_members, dataset.village_income, base, last)
    orgs = village_orgs(all_villages, dataset.joint_orgs, dataset.joint_members)
    area = all_villages[keep]
    crs = metric_crs(area)
    columns = [s.VILLAGE_CODE, s.NAME, s.COUNTY_CODE, s.COUNTY, s.TOWNSHIP_CODE, s.TOWNSHIP]
    v = to_metric(area[columns + [area.geometry.name]], crs)
    for column in ("is_joint", "income_eval", "income_gain"):
        v[column] = table.loc[keep, column].to_numpy()
    for column in (s.ORG_ID, s.ORG_TYPE, IS_LEAD):
        v[column] = orgs.loc[keep, column].to_numpy()
    kind = (s.VILLAGE_CODE, s.NAME) if township else (s.TOWNSHIP_CODE, s.TOWNSHIP) if county \
        else (s.COUNTY_CODE, s.COUNTY)
    outlines = v.dissolve(by=kind[0], as_index=False, aggfunc="first")
    outlines["label"] = outlines[kind[1]].astype(str)
    joint = v[v[s.ORG_ID].notna()]
    org_shapes = joint.dissolve(by=s.ORG_ID, as_index=False)[[s.ORG_ID, "geometry"]] \
        if len(joint) else v.iloc[:0][["geometry"]]
    leads = v[v[IS_LEAD].astype(bool)]
    leads = leads.set_geometry(leads.geometry.representative_point())
    grids, gaps, overlaps = _grid_layers(dataset, params, county, keep, crs, integrity,
                                         township)
    outline_kind = "village" if township else "township" if county else "county"
    return MapLayers(crs, v, outlines, outline_kind, org_shapes, leads,
                     grids, gaps, overlaps, _sites(dataset, area, crs), params.service_radius_m,
                     last, _walk_layers(dataset, params, keep, crs), params.walk_minutes)


def _grid_layers(dataset, params, county, keep, crs, integrity, township=None):
    empty = gpd.GeoDataFrame({"status": []}, geometry=[], crs=crs)
    grids = dataset.grids
    if not len(grids):
        return empty, empty, empty
    positions, _ = grid_placement(dataset.villages, grids)
    inside = np.zeros(len(grids), dtype=bool)
    inside[positions >= 0] = keep[positions[positions >= 0]]
    area_grids = grids[inside]
    compliance = grid_compliance(area_grids, params)
    unit = to_metric(area_grids.loc[compliance.index, [area_grids.geometry.name]], crs)
    unit["status"] = compliance["status"].to_numpy()
    if integrity is None:
        integrity = grid_integrity(dataset.villages[keep], area_grids)
    elif township is not None:
        integrity = integrity.within(s.TOWNSHIP_CODE, township)
    elif county is not None:
        integrity = integrity.within(s.COUNTY_CODE, county)
    return unit, to_metric(integrity.gaps, crs), to_metric(integrity.overlaps, crs)


def _sites(dataset, area: gpd.GeoDataFrame, crs) -> gpd.GeoDataFrame:
    sites = dataset.service_sites
    if not len(sites):
        return gpd.GeoDataFrame({s.SITE_TYPE: []}, geometry=[], crs=crs)
    sites_m = to_metric(sites[[s.SITE_TYPE, s.VILLAGE_CODE, sites.geometry.name]], crs)
    area_m = to_metric(area.geometry, crs).to_numpy()
    hit = shapely.STRtree(area_m).query(sites_m.geometry.to_numpy(), predicate="intersects")[0]
    named = sites_m[s.VILLAGE_CODE].isin(area[s.VILLAGE_CODE]).to_numpy(dtype=bool)
    inside = named.copy()
    inside[hit] = True
    return sites_m[inside]


def _walk_layers(dataset, params: Params, keep: np.ndarray, crs) -> dict | None:
    """The sites' walking catchment cut to the villages ``keep``, in ``crs``; None
    without roads or sites (the catchment is walked in the figure's CRS)."""
    if not dataset.has(s.ROADS):
        return None
    catchment = walk_catchment(dataset.villages, dataset.service_sites, dataset.roads,
                               dataset.grids, params.walk_minutes, params.walk_speed_kmh)
    return None if catchment is None else print_walk_layers(catchment, dataset.villages, keep, crs)


# ---- drawing --------------------------------------------------------------------------

def rgba(color) -> tuple:
    """A dashboard colour (RGB(A) 0–255 list or a hex string) for matplotlib.

    >>> rgba([200, 16, 46, 200])
    (0.784, 0.063, 0.18, 0.784)
    >>> rgba("#ffd700")
    (1.0, 0.843, 0.0, 1.0)
    """
    if isinstance(color, str):
        return tuple(round(c, 3) for c in to_rgba(color))
    values = list(color) + [255] * (4 - len(color))
    return tuple(round(c / 255, 3) for c in values)


def polygon_paths(geoms) -> list:
    """One matplotlib ``Path`` per (multi)polygon, holes included (non-zero fill:
    shells counter-clockwise, holes clockwise)."""
    geoms = shapely.orient_polygons(np.asarray(geoms, dtype=object))
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    codes = np.full(len(coords), MplPath.LINETO, dtype=MplPath.code_type)
    starts = np.r_[0, np.flatnonzero(np.diff(coord_ring)) + 1] if len(coords) else np.zeros(0, int)
    codes[starts] = MplPath.MOVETO
    codes[np.r_[starts[1:] - 1, len(coords) - 1] if len(coords) else starts] = MplPath.CLOSEPOLY
    owner = part_of[ring_part[coord_ring]]
    bounds = np.searchsorted(owner, np.arange(len(geoms) + 1))
    return [MplPath(coords[a:b], codes[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]


def draw_polygons(ax, frame: gpd.GeoDataFrame, face, edge="none", width: float = 0.2,
                  zorder: float = 1, alpha: float | None = None) -> None:
    """Polygons as one collection; ``face`` is a colour or one colour per row."""
    present = ~(frame.geometry.isna() | frame.geometry.is_empty).to_numpy()
    if not present.any():
        return
    single = isinstance(face, (str, tuple))
    faces = face if single else [f for f, keep in zip(face, present) if keep]
    ax.add_collection(PathCollection(polygon_paths(frame.geometry.to_numpy()[present]),
                                     facecolors=faces, edgecolors=edge, linewidths=width,
                                     zorder=zorder, alpha=alpha), autolim=False)


def draw_points(ax, frame: gpd.GeoDataFrame, color, size: float = 14, edge="#333333",
                zorder: float = 10) -> None:
    if len(frame):
        ax.scatter(frame.geometry.x, frame.geometry.y, s=size, c=[color], edgecolors=edge,
                   linewidths=0.4, zorder=zorder)


def draw_labels(ax, frame: gpd.GeoDataFrame, size: float) -> None:
    points = frame.geometry.representative_point()
    for point, label in zip(points, frame["label"]):
        ax.text(point.x, point.y, label, ha="center", va="center", fontsize=size, color="#222222",
                zorder=30, path_effects=ml.HALO)


def _outlines(ax, layers: MapLayers) -> tuple:
    width = 1.8 if layers.outline_kind == "county" else 1.2
    draw_polygons(ax, layers.outlines, "none", BORDER, width, zorder=8)
    draw_labels(ax, layers.outlines, 10 if layers.outline_kind == "county" else 7)
    label = texts.REPORT_LEGEND[layers.outline_kind]
    return ml.line(BORDER, label + "界" if layers.outline_kind == "village" else label, width)


def _orgs_and_leads(ax, layers: MapLayers, color) -> list:
    draw_polygons(ax, layers.orgs, "none", color, 0.7, zorder=9)
    draw_points(ax, layers.leads, rgba(LEAD_FILL), size=12, edge="#7a0000", zorder=11)
    return [ml.line(color, texts.REPORT_LEGEND["org"], 0.7),
            ml.marker(rgba(LEAD_FILL), texts.REPORT_LEGEND["lead"], 6, "#7a0000")]


# ---- the maps -------------------------------------------------------------------------

def _overview(ax, layers: MapLayers, coloring: str) -> list:
    column, ramp, unit = COLORINGS[coloring]
    values = layers.villages[column]
    if ramp is None:
        faces = [rgba(CATEGORY_COLORS[bool(x)]) for x in values]
        entries = [ml.patch(rgba(CATEGORY_COLORS[flag]), texts.LEGEND_JOINT[flag])
                   for flag in (True, False)]
    else:
        colors, legend = classify_colors(values.reset_index(drop=True), ramp=ramp, unit=unit)
        faces = [rgba(c) for c in colors]
        entries = [ml.patch(rgba(c), label) for c, label in legend.entries]
    draw_polygons(ax, layers.villages, faces, "white", 0.15)
    return entries + _orgs_and_leads(ax, layers, rgba(ORG_LINE)) + [_outlines(ax, layers)]


def _joint(ax, layers: MapLayers) -> list:
    types = layers.villages[s.ORG_TYPE]
    faces = [TYPE_COLORS.get(t, NON_JOINT) if isinstance(t, str) else NON_JOINT for t in types]
    draw_polygons(ax, layers.villages, faces, "white", 0.15)
    entries = [ml.patch(TYPE_COLORS[k], label) for k, label in s.ORG_TYPES.items()]
    entries.append(ml.patch(NON_JOINT, texts.JOINT_NOT_JOINT))
    return entries + _orgs_and_leads(ax, layers, JOINT_STYLES["org"]["color"]) + [
        _outlines(ax, layers)]


def _grid(ax, layers: MapLayers) -> list:
    draw_polygons(ax, layers.villages, LIGHT_FILL, "none", 0)
    grids = layers.grids
    faces = [rgba(STATUS_COLORS[x]) for x in grids["status"]]
    draw_polygons(ax, grids, faces, "white", 0.08, zorder=2)
    village_line = rgba(OUTLINES["villages"][0])
    draw_polygons(ax, layers.villages, "none", village_line, 0.2, zorder=3)
    entries = [ml.patch(rgba(STATUS_COLORS[k]), texts.GRID_STATUS[k]) for k in STATUSES]
    entries.append(ml.patch(LIGHT_FILL, texts.REPORT_LEGEND["no_grid"]))
    for name, frame in (("gap", layers.gaps), ("overlap", layers.overlaps)):
        style = DEFECT_STYLES[name]
        draw_polygons(ax, frame, rgba(style["fill"]), rgba(style["line"]), 0.4, zorder=4)
        if len(frame):
            marks = frame.geometry.representative_point()
            ax.scatter(marks.x, marks.y, s=40, facecolors="none", edgecolors=[rgba(style["line"])],
                       linewidths=0.8, zorder=12)
        entries.append(ml.patch(rgba(style["fill"]), texts.GRID_DEFECTS[name],
                                rgba(style["line"])))
    return entries + [_outlines(ax, layers)]


def _service(ax, layers: MapLayers) -> list:
    draw_polygons(ax, layers.villages, LIGHT_FILL, "#b0b0b0", 0.2)
    site = rgba(SITE_FILL)
    if len(layers.sites):
        discs = shapely.union_all(shapely.buffer(layers.sites.geometry.to_numpy(),
                                                 layers.radius_m, quad_segs=16))
        discs = shapely.intersection(discs, shapely.union_all(layers.villages.geometry.to_numpy()))
        draw_polygons(ax, gpd.GeoDataFrame(geometry=[discs], crs=layers.crs),
                      site[:3] + (0.28,), site[:3] + (0.7,), 0.3, zorder=2)
    draw_points(ax, layers.sites, site, size=4, edge="none", zorder=10)
    radius = texts.REPORT_LEGEND["disc"] + f"（{layers.radius_m:g} 米）"
    return [ml.patch(LIGHT_FILL, texts.REPORT_LEGEND["village"], "#b0b0b0"),
            ml.patch(site[:3] + (0.28,), radius, site[:3] + (0.7,)),
            ml.marker(site, texts.REPORT_LEGEND["site"], 4, "none"), _outlines(ax, layers)]


def _walk(ax, layers: MapLayers) -> list:
    """The walking catchment: road reached and not, units reached and not, sites."""
    draw_polygons(ax, layers.villages, LIGHT_FILL, "#b0b0b0", 0.2)
    entries = [ml.patch(LIGHT_FILL, texts.REPORT_LEGEND["village"], "#b0b0b0")]
    walk, style, minutes = layers.walk, WALK_STYLES, f"{layers.walk_minutes:g}"
    if walk is None:
        ax.text(0.5, 0.5, tw.PRINT_NO_ROADS, transform=ax.transAxes, ha="center", va="center",
                fontsize=14, color="#c8102e", zorder=30, path_effects=ml.HALO)
        return entries + [_outlines(ax, layers)]
    draw_lines(ax, walk["unreached"], rgba(style["road"]), 0.3, zorder=2)
    draw_lines(ax, walk["reached"], rgba(style["catchment"]), 0.9, zorder=3)
    units = walk["units"]
    for flag, key, size in ((True, "unit_reached", 1.5), (False, "unit_missed", 3.5)):
        draw_points(ax, units[units["reached"] == flag], rgba(style[key]), size=size,
                    edge="none", zorder=5)
    draw_points(ax, layers.sites, rgba(style["site"]), size=4, edge="none", zorder=10)
    return entries + [
        ml.line(rgba(style["catchment"]), tw.LEGEND["catchment"].format(minutes=minutes), 1.6),
        ml.line(rgba(style["road"]), tw.LEGEND["road"], 0.8),
        ml.marker(rgba(style["unit_reached"]), tw.LEGEND["unit_reached"], 3, "none"),
        ml.marker(rgba(style["unit_missed"]), tw.LEGEND["unit_missed"], 4, "none"),
        ml.marker(rgba(style["site"]), tw.LEGEND["site"], 4, "none"), _outlines(ax, layers)]


def draw_lines(ax, lines: gpd.GeoSeries, color, width: float, zorder: float = 2) -> None:
    """Lines (a GeoSeries in the map's CRS) as one collection."""
    if not len(lines):
        return
    coords, owner = shapely.get_coordinates(lines.to_numpy(), return_index=True)
    cuts = np.flatnonzero(np.diff(owner)) + 1
    ax.add_collection(LineCollection(np.split(coords, cuts), colors=[color], linewidths=width,
                                     zorder=zorder, capstyle="round"), autolim=False)


def map_available(key: str, layers: MapLayers) -> bool:
    """Whether map ``key`` has something to show (the walking map needs roads and sites)."""
    return key != "walk" or layers.walk is not None


DRAW = {"overview": lambda ax, layers: _overview(ax, layers, "joint"),
        "income": lambda ax, layers: _overview(ax, layers, "income_eval"),
        "joint": _joint, "grid": _grid, "service": _service, "walk": _walk}


DATUMS = {4490: "CGCS2000", 4326: "WGS 84", 4610: "西安 1980", 4214: "北京 1954"}


def crs_note(crs) -> str:
    """The footer's CRS line: datum and projection of the map.

    >>> import geopandas as gpd, shapely
    >>> crs_note(metric_crs(gpd.GeoSeries([shapely.box(117, 26, 118, 27)], crs="EPSG:4490")))
    '坐标系：CGCS2000，Albers 等积圆锥投影'
    """
    datum = crs.geodetic_crs
    name = DATUMS.get(datum.to_epsg() or 0, datum.name)
    method = crs.coordinate_operation.method_name if crs.coordinate_operation else ""
    if method == "Albers Equal Area":
        return texts.REPORT_CRS.format(datum=name)
    return f"坐标系：{crs.name}"


def map_title(key: str, area: str, layers: MapLayers) -> tuple[str, str]:
    """Title and subtitle of map ``key`` for ``area`` (e.g. 全市, 永安市)."""
    title = texts.REPORT_MAP_TITLE.format(area=area, name=texts.REPORT_MAPS[key])
    subtitle = texts.REPORT_MAP_SUBTITLE[key].format(eval=layers.eval_year or "—",
                                                     radius=f"{layers.radius_m:g}",
                                                     minutes=f"{layers.walk_minutes:g}")
    return title, subtitle


def build_map(key: str, layers: MapLayers, furniture: ml.Furniture,
              orientation: str = "landscape"):
    """The figure of map ``key`` (one of :data:`MAP_KEYS`) on an A4 page.

    Parameters
    ----------
    key : str
        ``overview`` (villages by joint membership), ``income`` (income
        classes of the evaluation year, 万元), ``joint`` (by organisation
        type), ``grid`` (unit grids by compliance, gaps and overlaps),
        ``service`` (sites and their ``service_radius_m`` discs) or ``walk``
        (the road within ``walk_minutes`` of a site on foot, units reached
        or not; a notice without roads or sites).
    layers : MapLayers
        From :func:`map_layers`.
    furniture : maps.print_layout.Furniture
        Title, subtitle, source, date and sample badge.
    orientation : {"landscape", "portrait"}

    Returns
    -------
    matplotlib.figure.Figure
        Unknown keys raise ``ValueError`` listing the valid ones.
    """
    if key not in DRAW:
        raise ValueError(f"未知地图 {key!r}，可选：{', '.join(DRAW)}")
    with matplotlib.rc_context(font_rc()):
        fig, ax = ml.new_page(orientation, furniture)
        ml.fit_extent(ax, layers.bounds)
        entries = DRAW[key](ax, layers)
        ml.add_legend(fig, orientation, entries)
        ml.add_scale_bar(ax)
        ml.add_north_arrow(ax)
    return fig
