"""Reading one uploaded file as one layer of SPEC §2 — the entry point of importing.

:func:`read_upload` takes a GeoPackage, GeoJSON, zipped (or bare) Shapefile,
CSV or XLSX, recognised by content (:mod:`geo.ingest.formats`), and returns a
:class:`ReadResult`: the frame with SPEC's field names (:mod:`geo.ingest.columns`),
the text encoding used (:mod:`geo.ingest.encoding`), the CRS (asked for when
missing, checked against the coordinates) and Chinese web-map offsets removed
(:mod:`geo.ingest.coords`).  Sheets as people keep them (SPEC §5) are read into
the long layer: one column per year (:mod:`geo.ingest.wide`), numbers with
separators and units, years written ``2019年`` (:mod:`geo.ingest.numbers`),
villages named by township and name (the columns found here, matched by
:func:`geo.ingest.plan.plan_import`).  It never raises for a bad file: every
reason to refuse is a :class:`~geo.problems.Problem` in ``problems``; what was
converted how is said in ``info`` lines.  Checking values, ids, geometry and
references against the whole dataset is the next step,
:func:`geo.ingest.plan.plan_import`.  A ``villages`` layer may also come as
boundaries and attributes from two files (:mod:`geo.ingest.attributes`), each
read here as a ``part``.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "收入.csv"
>>> _ = p.write_bytes("村代码,年度,村财收入\\n350481101201,2021,66.5\\n".encode("gbk"))
>>> r = read_upload(p, "village_income")
>>> r.ok, r.file_format, r.encoding.describe(), list(r.frame.columns)
(True, 'csv', 'GBK（自动识别）', ['village_code', 'year', 'collective_income'])
"""
from __future__ import annotations

import dataclasses
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from geo import schema as s
from geo.ingest import formats as fmt
from geo.ingest.columns import MAP_HINT, WIDE_LAYERS, apply_mapping, auto_mapping
from geo.ingest.coords import (COORD_SYSTEMS, choices_text, coordinate_problem, crs_choices,
                               crs_text, parse_crs, suggest_crs, to_wgs84)
from geo.ingest.encoding import (EncodingError, TextEncoding, shapefile_encoding,
                                 trim_truncated_names)
from geo.ingest.names import NAMED_LAYERS, naming_columns
from geo.ingest.numbers import convert_numbers
from geo.ingest.safe_zip import ArchiveError, ZipLimits
from geo.ingest.wide import wide_to_long, year_columns
from geo.problems import ERROR, WARNING, HasProblems, Problem

log = logging.getLogger(__name__)
FORMAT_LABELS = {"gpkg": "GeoPackage", "geojson": "GeoJSON", "shapefile": "Shapefile", "csv": "CSV",
                 "xlsx": "Excel（.xlsx）"}
TABLE_FORMATS = ("csv", "xlsx")
# What one file is of a layer: the whole of it, or (villages) its boundaries or its
# attributes, joined by geo.ingest.attributes; parts need not give every required field.
WHOLE, BOUNDARY, ATTRIBUTES = "whole", "boundary", "attributes"
PARTS = (WHOLE, BOUNDARY, ATTRIBUTES)


@dataclass(frozen=True)
class ImportOptions:
    """The user's choices for reading one file.

    ``source_layer``: the GeoPackage layer, XLSX sheet or ``.shp`` inside a zip
    to read (by default the one named like the layer, or the only one).
    ``encoding``: text encoding of a Shapefile or CSV (overrides ``.cpg`` and
    detection).  ``crs``: the CRS of a layer that declares none (or declares a
    wrong one).  ``coords``: ``wgs84``, ``gcj02`` (高德/腾讯) or ``bd09`` (百度).
    ``mapping``: ``{source column: field}``.  ``max_bytes``: upload size limit.
    """

    source_layer: str | None = None
    encoding: str | None = None
    crs: str | None = None
    coords: str = "wgs84"
    mapping: dict = field(default_factory=dict)
    zip_limits: ZipLimits = ZipLimits()
    max_bytes: int = 1 << 30


def options_from_settings(settings, **choices) -> ImportOptions:
    """:class:`ImportOptions` with the deployment's upload limits (``geo.settings.Settings``).

    ``choices`` are the user's (``source_layer``, ``encoding``, ``crs``, ``coords``, ``mapping``).

    >>> from types import SimpleNamespace
    >>> o = options_from_settings(SimpleNamespace(upload_limit_mb=200, zip_max_files=50,
    ...                                           zip_max_total_mb=300), crs="EPSG:4490")
    >>> o.max_bytes, o.zip_limits.max_files, o.zip_limits.max_total_bytes, o.crs
    (209715200, 50, 314572800, 'EPSG:4490')
    """
    limits = ZipLimits(max_files=settings.zip_max_files,
                       max_total_bytes=settings.zip_max_total_mb << 20)
    return ImportOptions(max_bytes=settings.upload_limit_mb << 20, zip_limits=limits, **choices)


@dataclass(frozen=True)
class ReadResult(HasProblems):
    """What :func:`read_upload` found.

    ``frame``: the rows with SPEC field names (unmapped columns kept), a
    GeoDataFrame for geometry layers; ``None`` when the file was refused.
    ``columns``: the file's own column names; ``mapping`` source → field;
    ``missing``: required fields no column gave; ``suggestions``: likely
    fields for unmapped columns.  ``crs``: ``EPSG:…`` or a name;
    ``needs_crs``: the user must choose one (see :attr:`crs_choices`,
    ``suggested_crs`` fit the coordinates).  ``problems``: errors refuse the
    file, warnings only report, info lines say what was converted.
    ``naming``: columns naming the village instead of its code (column →
    field of ``villages``: township, name …); ``years``: the year columns of a
    wide sheet (column → year), turned into rows; ``origins``: per row of
    ``frame``, ``(row of the file, note)`` when they differ (a wide sheet's
    row and column, a joined row of the attribute sheet), else empty;
    ``marks``: field → what was converted (for the preview); ``attributes``:
    the read of the attribute file joined to these boundaries.
    """

    layer: str
    frame: pd.DataFrame | None = None
    file_format: str | None = None
    source_layer: str | None = None
    available: tuple = ()
    columns: tuple = ()
    mapping: dict = field(default_factory=dict)
    unmapped: tuple = ()
    missing: tuple = ()
    suggestions: dict = field(default_factory=dict)
    encoding: TextEncoding | None = None
    crs: str | None = None
    needs_crs: bool = False
    suggested_crs: tuple = ()
    coords: str = "wgs84"
    problems: tuple = ()
    naming: dict = field(default_factory=dict)
    years: dict = field(default_factory=dict)
    origins: tuple = ()
    marks: dict = field(default_factory=dict)
    attributes: ReadResult | None = None

    @property
    def ok(self) -> bool:
        return self.frame is not None and not self.errors

    @property
    def crs_choices(self):
        return crs_choices()


def _error(layer, code, message, fld=None) -> Problem:
    return Problem(ERROR, code, layer, fld, None, None, message)


def _read_any(path, layer: str, options: ImportOptions, stage: Path, part: str) -> dict:
    """The raw frame and what was read, from a staged copy of ``path``."""
    geometry = s.LAYERS[layer].geometry is not None and part != ATTRIBUTES
    src = fmt.stage_copy(path, stage / "upload", options.max_bytes)
    kind = fmt.sniff_format(src)
    if kind in TABLE_FORMATS and geometry:
        raise fmt.Refused("table_format", f"{FORMAT_LABELS[kind]} 文件没有几何图形，"
                          f"不能作为几何图层 {s.layer_label(layer)} 导入；"
                          "请上传 GeoPackage、GeoJSON 或 zip 压缩的 Shapefile")
    out = {"file_format": kind, "source_layer": None, "available": (), "encoding": None,
           "notes": [], "sheet_unit": None}
    if kind == "gpkg":
        src = src.rename(stage / "upload.gpkg")
        out["frame"], out["source_layer"], out["available"] = fmt.read_gpkg(
            src, layer, options.source_layer, geometry)
    elif kind == "geojson":
        out["frame"] = fmt.read_geojson(src.rename(stage / "upload.geojson"), geometry)
    elif kind in ("zip", "shp"):
        if kind == "zip":
            shp, out["source_layer"], out["available"] = fmt.shapefile_from_zip(
                src, stage, options.source_layer, options.zip_limits)
        else:
            shp = fmt.shapefile_from_path(path, stage, options.max_bytes)
        out["encoding"] = shapefile_encoding(shp, options.encoding)
        for name in trim_truncated_names(shp.with_suffix(".dbf"), out["encoding"].name):
            out["notes"].append(Problem(WARNING, "truncated_name", layer, None, None, None,
                                        "Shapefile 字段名在第 10 个字节处被截断，"
                                        f"已去掉半个字符，读作 {name!r}"))
        out["frame"] = fmt.read_shapefile(shp, out["encoding"].name, geometry)
        out["file_format"] = "shapefile"
    elif kind == "csv":
        out["frame"], out["encoding"] = fmt.read_csv(src, options.encoding)
    else:
        out["frame"], out["source_layer"], out["available"], out["sheet_unit"] = fmt.read_xlsx(
            src.rename(stage / "upload.xlsx"), layer, options.source_layer, options.zip_limits)
    if geometry and not isinstance(out["frame"], gpd.GeoDataFrame):
        raise fmt.Refused("missing_geometry", "文件中没有几何图形，"
                                              f"不能作为几何图层 {s.layer_label(layer)} 导入")
    return out


def read_upload(path, layer: str, options: ImportOptions | None = None,
                part: str = WHOLE) -> ReadResult:
    """Read one uploaded file as layer ``layer`` of SPEC §2.

    Parameters
    ----------
    path : the uploaded file (a regular file, not a link; a ``.shp`` may be
        given with its ``.shx``/``.dbf``/``.prj``/``.cpg`` beside it).
    layer : canonical layer name (``villages``, ``village_income`` …).
    options : the user's choices (:class:`ImportOptions`).
    part : :data:`WHOLE`; or, for ``villages`` from two files, :data:`BOUNDARY`
        (geometry, fields may be missing) or :data:`ATTRIBUTES` (a table, also
        CSV/XLSX; geometry not read; fields may be missing).

    Returns
    -------
    ReadResult
        Geometry stays in the CRS declared (or chosen); GCJ-02/BD-09 input is
        converted to WGS 84 longitude/latitude.  Values are not yet typed.

    Raises
    ------
    ValueError
        Only for a programming error: unknown ``layer``, ``options.coords`` or ``part``.
    """
    if layer not in s.LAYERS:
        raise ValueError(f"未知图层 {layer!r}，可选：{'、'.join(s.LAYERS)}")
    if part not in PARTS:
        raise ValueError(f"未知的文件用途 {part!r}，可选：{'、'.join(PARTS)}")
    options = options or ImportOptions()
    if options.coords not in COORD_SYSTEMS:
        raise ValueError(f"未知的坐标偏移类型 {options.coords!r}，可选：{'、'.join(COORD_SYSTEMS)}")
    with tempfile.TemporaryDirectory(prefix="import-") as tmp:
        try:
            raw = _read_any(path, layer, options, Path(tmp), part)
        except (fmt.Refused, ArchiveError, EncodingError) as exc:
            code = getattr(exc, "code",
                           "bad_archive" if isinstance(exc, ArchiveError) else "bad_encoding")
            return ReadResult(layer, coords=options.coords,
                              problems=(_error(layer, code, str(exc)),))
        except Exception as exc:  # an untrusted file must give a message, never a traceback
            log.debug("unexpected error reading %s", path, exc_info=True)
            message = f"文件无法读取：{type(exc).__name__}: {str(exc)[:120].replace(tmp, '…')}"
            return ReadResult(layer, coords=options.coords,
                              problems=(_error(layer, "unreadable", message),))
    return _finish(layer, raw, options, part)


def _missing_text(layer: str, name: str, columns, found) -> str:
    hint = [c for c, fields in found.suggestions.items() if name in fields]
    by_name = ("（或用 乡镇、村名 两列指明村）"
               if name == s.VILLAGE_CODE and layer in NAMED_LAYERS else "")
    return (f"缺少必需字段 {s.field_label(layer, name)}{by_name}：文件中没有对应的列"
            f"（文件的列：{'、'.join(columns) or '无'}）"
            + (f"，可能是 {'、'.join(hint)}" if hint else "") + f"；{MAP_HINT}")


def _finish(layer: str, raw: dict, options: ImportOptions, part: str) -> ReadResult:
    frame = raw.pop("frame")
    geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    columns = tuple(str(c) for c in frame.columns if c != geom)
    frame = frame.rename(columns={c: str(c) for c in frame.columns if c != geom})
    user = options.mapping if part == WHOLE else {  # the other file may hold the rest
        k: v for k, v in options.mapping.items() if k in columns}
    found = auto_mapping(layer, columns, user, truncated=raw["file_format"] == "shapefile")
    naming = naming_columns(layer, found.unmapped)
    years = year_columns(layer, found.unmapped, found.mapping)
    given = set(found.mapping.values()) | (set(WIDE_LAYERS[layer]) if years else set())
    if s.NAME in naming.values():
        given.add(s.VILLAGE_CODE)
    missing = tuple(m for m in found.missing if m not in given)
    problems = raw["notes"] + list(found.problems)
    if part == WHOLE:
        problems += [_error(layer, "missing_field", _missing_text(layer, m, columns, found), m)
                     for m in missing]
    frame, dropped = apply_mapping(frame, found.mapping)
    problems += [dataclasses.replace(p, layer=layer) for p in dropped]
    sources = {target: src for src, target in found.mapping.items()}
    origins, heads = (), {}
    if years:
        long = wide_to_long(layer, frame, years)
        frame, origins, problems = long.frame, long.origins, problems + list(long.problems)
        heads = {WIDE_LAYERS[layer][1]: list(long.heads)}
    converted = convert_numbers(layer, frame, sources, heads, raw["sheet_unit"], origins)
    frame, problems = converted.frame, problems + list(converted.problems)
    if len(frame) == 0:
        problems.append(_error(layer, "no_rows", "文件中没有任何数据行"
                                                 + ("（各年份列都是空格）" if years else "")))
    crs, needs, suggested = None, False, ()
    if geom is not None and len(frame):
        frame, crs, needs, suggested, found_crs = _settle_crs(layer, frame, options)
        problems += found_crs
    unmapped = tuple(c for c in found.unmapped if c not in naming and c not in years)
    return ReadResult(layer, frame, raw["file_format"], raw["source_layer"], raw["available"],
                      columns, found.mapping, unmapped, missing, found.suggestions,
                      raw["encoding"], crs, needs, suggested, options.coords, tuple(problems),
                      naming, years, origins,
                      {**({WIDE_LAYERS[layer][0]: "取自年份列"} if years else {}),
                       **converted.marks})


def _bounds(frame: gpd.GeoDataFrame):
    geoms = frame.geometry
    present = geoms[~(geoms.isna() | geoms.is_empty)]
    if len(present) == 0:
        return None
    bounds = present.total_bounds
    return bounds if np.all(np.isfinite(bounds)) else None


def _settle_crs(layer: str, frame: gpd.GeoDataFrame, options: ImportOptions):
    """Declare the chosen CRS, check coordinates against it, remove web-map offsets."""
    problems, declared, bounds = [], frame.crs, _bounds(frame)
    suggested = suggest_crs(bounds) if bounds is not None else ()
    geo = s.GEOMETRY
    if options.crs:
        try:
            chosen = parse_crs(options.crs)
        except ValueError as exc:
            return frame, None, True, suggested, [_error(layer, "bad_crs", str(exc), geo)]
        if declared is not None and pyproj.CRS.from_user_input(declared) != chosen:
            problems.append(Problem(WARNING, "crs_overridden", layer, geo, None, None,
                                    f"文件声明的坐标系为 {crs_text(declared)}，"
                                    f"已按指定的 {crs_text(chosen)} 处理"
                                    "（只更正声明，未做坐标转换）"))
        frame = frame.set_crs(chosen, allow_override=True)
    elif declared is None and options.coords != "wgs84":
        frame = frame.set_crs("EPSG:4326")
        problems.append(Problem(WARNING, "crs_assumed", layer, geo, None, None,
                                f"文件未声明坐标系；按所选的 {COORD_SYSTEMS[options.coords]} "
                                "视为经纬度处理"))
    elif declared is None:
        fits = (f"；按坐标范围推测可能是 {'、'.join(suggested[:3])}" if 0 < len(suggested) <= 3
                else "")
        return frame, None, True, suggested, [_error(layer, "missing_crs", (
            "文件没有坐标系（例如 Shapefile 缺少 .prj 文件），无法确定位置；"
            "请用命令行 --crs 或页面上的"
            f"“坐标系”选项指定，可选：{choices_text()}{fits}"), geo)]
    crs = crs_text(frame.crs)
    if bounds is not None:
        message = coordinate_problem(frame.crs, bounds)
        if message:
            return frame, crs, False, suggested, problems + [_error(layer, "crs_mismatch",
                                                                    message, geo)]
    if options.coords != "wgs84":
        try:
            frame = to_wgs84(frame, options.coords)
        except ValueError as exc:
            return frame, crs, False, suggested, problems + [_error(layer, "coords_projected",
                                                                    str(exc), geo)]
        problems.append(Problem(WARNING, "coords_converted", layer, geo, None, None,
                                f"已把 {len(frame)} 个要素的坐标从 "
                                f"{COORD_SYSTEMS[options.coords].split('（')[0]} "
                                "转换为 WGS84（逐个顶点，国境外的点不变）"))
    return frame, crs, False, suggested, problems
