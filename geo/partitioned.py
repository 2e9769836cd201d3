"""Partitioned datasets: the layers of SPEC §2 as GeoParquet files split by county.

A national dataset (about 490,000 villages, 5 million unit grids) does not fit
one process; its figures are sums over villages, so it is stored, read and
computed county by county.  A dataset folder ``DIR`` holds:

``manifest.json``
    Written last (a folder without it is no dataset): format and version, the
    CRS, the metric CRS of the *whole* dataset (every partition measures areas
    and distances in it, so that the figures equal those of one process), the
    layers present with their columns, and per partition its ``key`` (the
    county code, ``_`` for rows without a county), ``province`` (the first two
    digits of a six-digit county code, else ``_``), rows and bounds per layer.
``<layer>/<P>/<K>.parquet``
    ``villages``, ``village_income``, ``grids``, ``service_sites`` and
    ``roads``, one GeoParquet file per partition with a covering ``bbox``
    column (a window of a neighbour is read without reading all of it).
``joint_orgs.parquet``, ``joint_members.parquet``
    The organisation tables whole: an organisation may span counties, and
    these tables are small.
``figures/``
    Written by ``python -m analysis kpis DIR --workers N --save-table``: the
    figures of the nation, each province and county, and county outlines, for
    the dashboard's national overview (:func:`write_figures`).

Rows keep their row number in the source layer (``_row``, 1-based), so that a
problem found in one partition names the row of the source.  Columns whose
name starts with ``_`` are private to the engine (where a grid counts, …):
:func:`read_partitioned_layers` drops them.

>>> province_of("350481"), province_of("九龙坡区"), province_of(None)
('35', '_', '_')
>>> safe_name("350481"), safe_name("../x")[:1]
('350481', 'x')
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.dataset as pads
import pyproj

from geo import schema as s
from geo.atomic import write_text_atomic
from geo.problems import ERROR, DatasetError, Problem
from geo.validate import check_geometry, coerce_layer

FORMAT, VERSION = "lianjian-partitioned", 1
MANIFEST = "manifest.json"
FIGURES = "figures"        # the engine's precomputed figures (not part of the dataset)
PARTITIONED = (s.VILLAGES, s.VILLAGE_INCOME, s.GRIDS, s.SERVICE_SITES, s.ROADS)
TABLES = (s.JOINT_ORGS, s.JOINT_MEMBERS)
ROW = "_row"               # 1-based row of the source layer
NO_AREA = "_"              # key of rows without a county, province of a county without one
_SAFE = re.compile(r"[0-9A-Za-z_-]{1,64}")


def province_of(county_code) -> str:
    """The province of a county: first two digits of a 6-digit code (``_`` if none)."""
    text = "" if county_code is None or pd.isna(county_code) else str(county_code)
    return text[:2] if re.fullmatch(r"\d{6}", text) else NO_AREA


def safe_name(key: str) -> str:
    """A file name for a partition key: itself when plain, else a digest of it."""
    if _SAFE.fullmatch(key):
        return key
    return "x" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Partition:
    """One county: ``rows``, ``shapes`` (rows with a non-empty geometry) and ``bounds``
    (dataset CRS) per layer it holds."""

    key: str
    province: str
    rows: dict
    bounds: dict
    shapes: dict = field(default_factory=dict)

    def file(self, layer: str) -> str:
        """The file of ``layer`` of this partition, relative to the dataset folder."""
        return f"{layer}/{safe_name(self.province)}/{safe_name(self.key)}.parquet"


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` says; paths are relative to ``root``."""

    root: str
    crs: str
    metric_crs: str
    present: tuple
    columns: dict
    partitions: tuple
    tables: dict
    info: dict = field(default_factory=dict)

    def rows(self, layer: str) -> int:
        """Rows of ``layer`` in the whole dataset."""
        if layer in TABLES:
            return int(self.tables.get(layer, 0))
        return sum(int(p.rows.get(layer, 0)) for p in self.partitions)

    def provinces(self) -> tuple:
        """The province codes of the partitions, sorted (``_`` left out)."""
        return tuple(sorted({p.province for p in self.partitions} - {NO_AREA}))

    def shapes(self, layer: str) -> int:
        """Rows of ``layer`` with a non-empty geometry in the whole dataset."""
        return sum(int(p.shapes.get(layer, 0)) for p in self.partitions)

    def files(self, layer: str, keys=None) -> list[Path]:
        """The files of ``layer`` of the partitions ``keys`` (all when None), in order."""
        root = Path(self.root)
        if layer in TABLES:
            return [root / f"{layer}.parquet"] if layer in self.present else []
        wanted = None if keys is None else set(keys)
        return [root / p.file(layer) for p in self.partitions
                if p.rows.get(layer) and (wanted is None or p.key in wanted)]


def is_partitioned(path) -> bool:
    """True when ``path`` is a folder holding a partitioned dataset's manifest."""
    return Path(path).is_dir() and (Path(path) / MANIFEST).is_file()


def version_of(root) -> float:
    """The version of a dataset folder: the latest time its manifest or its precomputed
    figures (:func:`write_figures`) were written (0.0 when neither exists)."""
    times = [path.stat().st_mtime for path in (Path(root) / MANIFEST,
                                                Path(root) / FIGURES / "info.json")
             if path.is_file()]
    return max(times, default=0.0)


def _problem(code: str, message: str, layer: str | None = None) -> Problem:
    return Problem(ERROR, code, layer, None, None, None, message)


def _bounds(frame) -> list | None:
    geoms = frame.geometry
    box = geoms[~(geoms.isna() | geoms.is_empty)].total_bounds
    return [float(v) for v in box] if np.isfinite(box).all() else None


def _plain_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as strings, so that every partition has the same Parquet schema
    (an all-empty object column would otherwise be written as type null)."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    text = [c for c in frame.columns
            if c != geometry and pd.api.types.is_string_dtype(frame[c].dtype)]
    return frame.astype({c: "string" for c in text}) if text else frame


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = _plain_columns(frame.reset_index(drop=True))
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(path, index=False, write_covering_bbox=True)
    else:
        frame.to_parquet(path, index=False)


class PartitionWriter:
    """Writes a partitioned dataset: :meth:`write` once per county, :meth:`write_tables`,
    then :meth:`finish` (the manifest, last).

    Raises
    ------
    ValueError
        When ``root`` exists and is not an empty folder (nothing is overwritten).
    """

    def __init__(self, root):
        self.root = Path(root)
        if self.root.exists() and (not self.root.is_dir() or any(self.root.iterdir())):
            raise ValueError(f"输出目录 {self.root} 已存在且不为空；请指定一个新的（或空的）目录")
        self.root.mkdir(parents=True, exist_ok=True)
        self.partitions: list[Partition] = []
        self.tables: dict = {}
        self.columns: dict = {}

    def write(self, key: str, province: str, layers: dict) -> Partition:
        """Write the rows of one partition (``layers``: layer → frame, with ``_row``)."""
        if any(p.key == key for p in self.partitions):
            raise ValueError(f"分区 {key} 已写过：一个县只能写一次")
        part = Partition(str(key), str(province), {}, {})
        for layer, frame in layers.items():
            if frame is None or not len(frame):
                continue
            _write_frame(frame, self.root / part.file(layer))
            part.rows[layer] = len(frame)
            self.columns.setdefault(layer, [c for c in frame.columns if c != "geometry"])
            if isinstance(frame, gpd.GeoDataFrame):
                part.bounds[layer] = _bounds(frame)
                part.shapes[layer] = int((~(frame.geometry.isna()
                                            | frame.geometry.is_empty)).sum())
        self.partitions.append(part)
        return part

    def write_tables(self, tables: dict) -> None:
        """Write the organisation tables whole."""
        for layer, frame in tables.items():
            _write_frame(frame, self.root / f"{layer}.parquet")
            self.tables[layer] = len(frame)
            self.columns[layer] = list(frame.columns)

    def finish(self, crs, metric_crs, present, columns: dict | None = None,
               info: dict | None = None) -> Manifest:
        """Write ``manifest.json`` atomically and return it.

        ``columns`` gives the columns of layers that may have no row at all.
        """
        for layer, names in (columns or {}).items():
            self.columns.setdefault(layer, [c for c in names if c != "geometry"])
        manifest = Manifest(str(self.root), _wkt(crs), _wkt(metric_crs),
                            tuple(layer for layer in s.LAYERS if layer in set(present)),
                            self.columns, tuple(sorted(self.partitions,
                                                       key=lambda p: (p.province, p.key))),
                            self.tables, info or {})
        doc = {"format": FORMAT, "version": VERSION, **asdict(manifest)}
        doc.pop("root")
        write_text_atomic(self.root / MANIFEST, json.dumps(doc, ensure_ascii=False, indent=1))
        return manifest


def _wkt(crs) -> str:
    return pyproj.CRS.from_user_input(crs).to_wkt() if crs is not None else ""


def read_manifest(root) -> Manifest:
    """The manifest of the dataset folder ``root``.

    Raises
    ------
    DatasetError
        When the folder or its manifest is missing, unreadable or of another format.
    """
    root = Path(root)
    path = root / MANIFEST
    if not root.is_dir():
        raise DatasetError([_problem("no_file", f"目录不存在：{root}")])
    if not path.is_file():
        raise DatasetError([_problem("no_manifest", f"不是文件，也不是分区数据集目录（其中没有 "
                                     f"{MANIFEST}；分区数据集由 python -m analysis export-parquet "
                                     f"生成）：{root}")])
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != FORMAT:
            raise DatasetError([_problem("not_partitioned", f"{path} 不是分区数据集的清单"
                                         f"（format 应为 {FORMAT}）")])
        if doc.get("version") != VERSION:
            raise DatasetError([_problem("bad_version", f"{path} 的版本 {doc.get('version')} "
                                         f"不受支持（支持 {VERSION}）")])
        parts = tuple(Partition(str(p["key"]), str(p["province"]), dict(p["rows"]),
                                dict(p["bounds"]), dict(p["shapes"])) for p in doc["partitions"])
        return Manifest(str(root), doc["crs"], doc["metric_crs"], tuple(doc["present"]),
                        dict(doc["columns"]), parts, dict(doc["tables"]), dict(doc["info"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, DatasetError):
            raise
        raise DatasetError([_problem("bad_manifest", f"清单 {path} 无法读取或已损坏："
                                     f"{type(exc).__name__}: {exc}")]) from None


def read_files(manifest: Manifest, layer: str, files, columns=None, bbox=None) -> pd.DataFrame:
    """The rows of ``files`` of ``layer`` in one frame (private columns kept).

    ``bbox`` (dataset CRS) keeps the rows whose bounding box meets it.  Without
    a file, an empty frame with the layer's columns.

    Raises
    ------
    DatasetError
        Naming the layer and the file when a file cannot be read.
    """
    geometric = s.LAYERS[layer].geometry is not None
    frames = []
    for path in files:
        try:
            frame = (gpd.read_parquet(path, columns=columns, bbox=bbox) if geometric
                     else pd.read_parquet(path, columns=columns))
        except Exception as exc:  # pyarrow says why; the user gets it in one line
            why = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else repr(exc)
            raise DatasetError([_problem("unreadable_layer", f"分区文件 {path} 无法读取：{why}",
                                         layer)]) from None
        frames.append(frame.drop(columns="bbox", errors="ignore"))
    if frames:
        out = pd.concat(frames, ignore_index=True)
        return gpd.GeoDataFrame(out, crs=frames[0].crs) if geometric else out
    names = columns or [*manifest.columns.get(layer, []), *(["geometry"] if geometric else [])]
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in names if c != "geometry"})
    if geometric:
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=manifest.crs or None))
    return empty


def read_attributes(manifest: Manifest, layer: str, columns=None) -> pd.DataFrame:
    """Every row of ``layer`` without geometry (``columns``: default all but the
    geometry), in the source's row order; one multi-threaded read of all files.

    Raises
    ------
    DatasetError
        Naming the layer when a file cannot be read.
    """
    names = list(columns or manifest.columns.get(layer, []))
    files = [str(f) for f in manifest.files(layer)]
    if not files:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in names})
    try:
        frame = pads.dataset(files, format="parquet").to_table(columns=names).to_pandas()
    except Exception as exc:  # pyarrow says why
        why = str(exc).strip()[:200]
        raise DatasetError([_problem("unreadable_layer", f"分区文件无法读取：{why}", layer)]) \
            from None
    if ROW in frame.columns:
        frame = frame.sort_values(ROW, kind="stable").reset_index(drop=True)
    return frame


def read_partitioned_layers(root, provinces=None) -> tuple[dict, list[Problem]]:
    """The layers of a partitioned dataset as one frame each, in the source's row order.

    With ``provinces`` (codes), only their partitions, the organisations with a
    member or lead village in them and those members.  Private columns are
    dropped.  Returns the layers (untyped, for :func:`geo.dataset.validate_layers`)
    and the problems of reading them (all errors; the layers are empty then).
    """
    try:
        manifest = read_manifest(root)
        keys = None if provinces is None else [p.key for p in manifest.partitions
                                               if p.province in set(provinces)]
        raw = {}
        for layer in manifest.present:
            frame = read_files(manifest, layer, manifest.files(layer, keys))
            if ROW in frame.columns:
                frame = frame.sort_values(ROW, kind="stable").reset_index(drop=True)
            raw[layer] = frame.drop(columns=[c for c in frame.columns if c.startswith("_")])
    except DatasetError as exc:
        return {}, list(exc.problems)
    if s.VILLAGES not in raw:
        return {}, [_problem("missing_layer", f"缺少必需图层 {s.layer_label(s.VILLAGES)}",
                             s.VILLAGES)]
    if provinces is not None and s.JOINT_MEMBERS in raw:
        raw = _organisations_within(raw)
    return raw, []


def _organisations_within(raw: dict) -> dict:
    codes = set(raw[s.VILLAGES][s.VILLAGE_CODE])
    members = raw[s.JOINT_MEMBERS]
    members = members[members[s.VILLAGE_CODE].isin(codes)].reset_index(drop=True)
    out = {**raw, s.JOINT_MEMBERS: members}
    if s.JOINT_ORGS in raw:
        orgs = raw[s.JOINT_ORGS]
        keep = orgs[s.ORG_ID].isin(members[s.ORG_ID]) | orgs[s.LEAD_VILLAGE_CODE].isin(codes)
        out[s.JOINT_ORGS] = orgs[keep].reset_index(drop=True)
    return out


def write_figures(root, table: pd.DataFrame, outlines: gpd.GeoDataFrame | None,
                  info: dict) -> list[Path]:
    """Write the engine's precomputed figures into ``root/figures/`` (the dashboard's
    national overview reads them): ``table.parquet`` (one row per area),
    ``counties.parquet`` (outlines, when given) and ``info.json`` (parameters, time)."""
    folder = Path(root) / FIGURES
    folder.mkdir(exist_ok=True)
    paths = [folder / "table.parquet"]
    table.to_parquet(paths[0], index=False)
    if outlines is not None:
        paths.append(folder / "counties.parquet")
        outlines.to_parquet(paths[-1], index=False)
    paths.append(write_text_atomic(folder / "info.json",
                                   json.dumps(info, ensure_ascii=False, indent=1)))
    return paths


def read_figures(root) -> tuple[pd.DataFrame, gpd.GeoDataFrame | None, dict] | None:
    """What :func:`write_figures` wrote (``None`` when the folder has no figures)."""
    folder = Path(root) / FIGURES
    if not (folder / "info.json").is_file() or not (folder / "table.parquet").is_file():
        return None
    outlines = folder / "counties.parquet"
    return (pd.read_parquet(folder / "table.parquet"),
            gpd.read_parquet(outlines) if outlines.is_file() else None,
            json.loads((folder / "info.json").read_text(encoding="utf-8")))


def check_partition(layer: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Type and check one partition's rows of ``layer`` (as :func:`geo.dataset.validate_layers`
    does for a layer, without the references between layers); problems name the row of
    the source (``_row``)."""
    typed, problems = coerce_layer(layer, frame)
    if s.LAYERS[layer].geometry:
        typed, found = check_geometry(layer, typed)
        problems += found
    if ROW not in frame.columns:
        return typed, problems
    rows = frame[ROW].to_numpy()
    return typed, [p if p.row is None else Problem(p.severity, p.code, p.layer, p.field,
                                                   int(rows[p.row - 1]), p.row_id, p.message)
                   for p in problems]
