"""Reading a GeoPackage into one typed, validated :class:`Dataset`.

Only GeoPackages are opened, recognised by their content (the SQLite header
and the GeoPackage ``application_id``), never by their file name: GDAL opens
files by content, so a ``.gpkg`` holding an OGR VRT or anything else is
refused before GDAL sees it.  A folder is read as a partitioned dataset
(:mod:`geo.partitioned`, written by ``python -m analysis export-parquet``) and
validated the same way.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import schema as s
from geo.integrity import check_income_coverage, check_memberships, check_references
from geo.partitioned import read_partitioned_layers
from geo.problems import ERROR, DatasetError, Problem
from geo.validate import check_geometry, coerce_layer

log = logging.getLogger(__name__)

_SQLITE_MAGIC = b"SQLite format 3\x00"
_GPKG_APP_IDS = {b"GPKG", b"GP10", b"GP11"}


@dataclass(frozen=True)
class Dataset:
    """The seven layers of SPEC §2, typed; absent layers are empty frames.

    ``present`` names the layers the source actually held (an empty layer in
    the file counts as present but empty).  ``warnings`` are the accepted
    problems.  Geometry stays in the CRS it was declared in.
    """

    layers: dict
    present: frozenset
    source: str = ""
    warnings: tuple = field(default_factory=tuple)

    @property
    def villages(self) -> gpd.GeoDataFrame:
        return self.layers[s.VILLAGES]

    @property
    def village_income(self) -> pd.DataFrame:
        return self.layers[s.VILLAGE_INCOME]

    @property
    def joint_orgs(self) -> pd.DataFrame:
        return self.layers[s.JOINT_ORGS]

    @property
    def joint_members(self) -> pd.DataFrame:
        return self.layers[s.JOINT_MEMBERS]

    @property
    def grids(self) -> gpd.GeoDataFrame:
        return self.layers[s.GRIDS]

    @property
    def service_sites(self) -> gpd.GeoDataFrame:
        return self.layers[s.SERVICE_SITES]

    @property
    def roads(self) -> gpd.GeoDataFrame:
        return self.layers[s.ROADS]

    def has(self, layer: str) -> bool:
        """True when the layer was in the source and holds at least one row."""
        return layer in self.present and len(self.layers[layer]) > 0


def _file_problem(code: str, message: str, layer: str | None = None) -> Problem:
    return Problem(ERROR, code, layer, None, None, None, message)


def check_geopackage_file(path: str | os.PathLike) -> list[Problem]:
    """Errors when ``path`` is not a readable GeoPackage (checked by content)."""
    p = Path(path)
    if not p.exists():
        return [_file_problem("no_file", f"文件不存在：{p}")]
    if not p.is_file():
        return [_file_problem("not_a_file", f"不是文件：{p}")]
    try:
        with open(p, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        return [_file_problem("unreadable", f"无法读取文件 {p}：{exc.strerror or exc}")]
    if not head:
        return [_file_problem("empty_file", f"文件为空（0 字节），不是 GeoPackage：{p}")]
    if not head.startswith(_SQLITE_MAGIC) or len(head) < 72:
        return [_file_problem("not_geopackage",
                              f"文件不是 GeoPackage（.gpkg，SQLite 格式），无法读取：{p}")]
    if head[68:72] not in _GPKG_APP_IDS:
        return [_file_problem("not_geopackage",
                              f"文件是 SQLite 数据库，但不是 GeoPackage（缺少 GPKG 标识）：{p}")]
    return []


def _read_layers(path) -> tuple[dict, list[Problem]]:
    """The SPEC §2 layers a GeoPackage holds, as read (untyped, unvalidated), and the
    problems of reading them (a required layer missing, a layer unreadable)."""
    import pyogrio

    try:
        listed = pyogrio.list_layers(path)
    except Exception as exc:  # GDAL says why; the user gets it in one line
        return {}, [_file_problem("unreadable", "无法打开 GeoPackage（文件可能已损坏或不完整）："
                                                f"{_gdal_text(exc)}")]
    raw, problems = {}, []
    available = {str(name): geom for name, geom in listed}
    for layer, spec in s.LAYERS.items():
        if layer not in available:
            if spec.required:
                problems.append(_file_problem("missing_layer",
                                              f"缺少必需图层 {s.layer_label(layer)}", layer))
            continue
        has_geom = available[layer] is not None
        if spec.geometry and not has_geom:
            problems.append(_file_problem(
                "missing_geometry", f"图层 {s.layer_label(layer)} 应为几何图层"
                f"（{'/'.join(spec.geometry)}），但文件中是无几何的表", layer))
            continue
        try:
            frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=bool(spec.geometry))
        except Exception as exc:
            problems.append(_file_problem("unreadable_layer",
                                          f"图层 {s.layer_label(layer)} 无法读取："
                                          f"{_gdal_text(exc)}",
                                          layer))
            continue
        raw[layer] = frame
    return raw, problems


def _gdal_text(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def validate_layers(raw: dict) -> tuple[dict, list[Problem]]:
    """Type and check every layer, then the references between them."""
    typed, problems = {}, []
    for layer, frame in raw.items():
        frame, found = coerce_layer(layer, frame)
        problems += found
        if s.LAYERS[layer].geometry:
            frame, found = check_geometry(layer, frame)
            problems += found
        typed[layer] = frame
    problems += check_references(typed)
    problems += check_memberships(typed)
    problems += check_income_coverage(typed)
    return typed, problems


def empty_layer(layer: str, crs=None) -> pd.DataFrame:
    """An empty frame with the layer's columns (a GeoDataFrame for geometry)."""
    spec = s.LAYERS[layer]
    cols = {f.name: pd.Series(dtype="Int64" if f.kind == s.INT else
                              "boolean" if f.kind == s.BOOL else
                              float if f.kind == s.FLOAT else object)
            for f in spec.fields}
    frame = pd.DataFrame(cols)
    if spec.geometry:
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    return frame


def read_checked_layers(path: str | os.PathLike, provinces=None
                        ) -> tuple[dict, dict, list[Problem]]:
    """The layers of a GeoPackage (or of a partitioned dataset folder,
    :mod:`geo.partitioned`, only the ``provinces`` when given) as read and as
    typed, and every problem found (the file, each layer, the references between
    them); both dicts are empty when the file itself is refused."""
    if Path(path).is_dir():
        raw, problems = read_partitioned_layers(path, provinces)
        if problems:
            return {}, {}, problems
    else:
        problems = check_geopackage_file(path)
        if problems:
            return {}, {}, problems
        raw, problems = _read_layers(path)
    typed, found = validate_layers(raw)
    return raw, typed, problems + found


def read_dataset(path: str | os.PathLike, provinces=None
                 ) -> tuple[Dataset | None, list[Problem]]:
    """Read and validate; return the dataset (``None`` when refused) and all problems."""
    raw, typed, problems = read_checked_layers(path, provinces)
    if any(p.is_error for p in problems):
        return None, problems
    crs = typed[s.VILLAGES].crs
    layers = {name: typed.get(name, empty_layer(name, crs)) for name in s.LAYERS}
    return Dataset(layers, frozenset(typed), str(path), tuple(problems)), problems


def load_dataset(path: str | os.PathLike, provinces=None) -> Dataset:
    """Read a GeoPackage of SPEC §2 (or a partitioned dataset folder: with
    ``provinces``, only their partitions) and validate it.

    Raises
    ------
    DatasetError
        With every problem found when any of them is an error.
    """
    dataset, problems = read_dataset(path, provinces)
    if dataset is None:
        raise DatasetError(problems)
    for p in problems:
        log.info("%s", p)
    return dataset
