"""Deployment settings (``dashboard.toml``) and which dataset to show.

The dataset shown is, in order (SPEC §6): the GeoPackage named by the
environment variable ``DASHBOARD_DATA``; the current version in the data
store (not built yet: the import issue brings the store); the bundled demo.

>>> s = load_settings(ROOT / "dashboard.toml")
>>> s.basemap
'none'
>>> BASEMAPS
('none', 'tianditu', 'amap', 'osm', 'xyz')
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "dashboard.toml"
ENV_CONFIG = "DASHBOARD_CONFIG"
ENV_DATA = "DASHBOARD_DATA"
# Basemaps a deployment may choose (tile URLs in geo.leaflet.BASEMAP_SOURCES).
BASEMAPS = ("none", "tianditu", "amap", "osm", "xyz")
# What each basemap needs besides its name: (setting, Chinese description).
BASEMAP_NEEDS = {"tianditu": ("tianditu_tk", "天地图密钥 tianditu_tk"),
                 "xyz": ("xyz_url", "瓦片地址模板 xyz_url")}


@dataclass(frozen=True)
class Settings:
    """Values of ``dashboard.toml``; relative paths are resolved from the repository root."""

    demo: Path
    folder: Path
    basemap: str = "none"
    tianditu_tk: str = ""
    xyz_url: str = ""
    attribution: str = ""


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Read the settings file (``DASHBOARD_CONFIG`` or ``dashboard.toml``).

    Raises
    ------
    ValueError
        When the file cannot be parsed, names an unknown basemap (the message
        lists the valid ones) or a basemap without what it needs (天地图
        without ``tianditu_tk``, ``xyz`` without ``xyz_url``).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
    ...     _ = f.write('[map]' + chr(10) + 'basemap = "google"')
    >>> load_settings(f.name)
    Traceback (most recent call last):
    ...
    ValueError: 配置文件 ...：未知底图 'google'，可选：none, tianditu, amap, osm, xyz
    """
    path = Path(path or os.environ.get(ENV_CONFIG) or DEFAULT_CONFIG)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"配置文件 {path} 无法解析：{exc}") from None
    data, mapping = raw.get("data", {}), raw.get("map", {})
    basemap = mapping.get("basemap", "none")
    if basemap not in BASEMAPS:
        raise ValueError(f"配置文件 {path}：未知底图 {basemap!r}，可选：{', '.join(BASEMAPS)}")
    texts = {key: str(mapping.get(key, "")).strip()
             for key in ("tianditu_tk", "xyz_url", "attribution")}
    if basemap in BASEMAP_NEEDS and not texts[BASEMAP_NEEDS[basemap][0]]:
        raise ValueError(f"配置文件 {path}：底图 {basemap!r} 需要在 [map] 中填写"
                         f"{BASEMAP_NEEDS[basemap][1]}")
    return Settings(demo=ROOT / data.get("demo", "data/demo/sanming.gpkg"),
                    folder=ROOT / data.get("folder", "var"), basemap=basemap, **texts)


def dataset_path(settings: Settings) -> tuple[Path, bool]:
    """The GeoPackage to show and whether it is the bundled demo (示例数据)."""
    named = os.environ.get(ENV_DATA)
    if named:
        path = Path(named)
        return path, path.resolve() == settings.demo.resolve()
    return settings.demo, True
