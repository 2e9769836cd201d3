"""Deployment settings (``dashboard.toml``) and which dataset to show.

The dataset shown is, in order (SPEC §6): the GeoPackage named by the
environment variable ``DASHBOARD_DATA``; the current version of the data
store in the data folder (:class:`geo.store.DataStore`); the bundled demo.

>>> s = load_settings(ROOT / "dashboard.toml")
>>> s.basemap, s.upload_limit_mb, (s.min_size, s.max_size), s.strong_threshold
('none', 200, (3, 6), 50.0)
>>> BASEMAPS
('none', 'tianditu', 'amap', 'osm', 'xyz')
"""
from __future__ import annotations

import logging
import math
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from geo.access import ROLES
from geo.db import is_url, shown
from geo.store import DataStore, StoreError

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "dashboard.toml"
STREAMLIT_CONFIG = ROOT / ".streamlit" / "config.toml"
ENV_CONFIG = "DASHBOARD_CONFIG"
ENV_DATA = "DASHBOARD_DATA"
# Basemaps a deployment may choose (tile URLs in maps.leaflet.BASEMAP_SOURCES).
BASEMAPS = ("none", "tianditu", "amap", "osm", "xyz")
# What each basemap needs besides its name: (setting, Chinese description).
# Login modes of SPEC §7 ([auth] mode).
AUTH_MODES = ("none", "accounts", "oidc")
BASEMAP_NEEDS = {"tianditu": ("tianditu_tk", "天地图密钥 tianditu_tk"),
                 "xyz": ("xyz_url", "瓦片地址模板 xyz_url")}
# Numeric settings: (section, key) → (type, smallest allowed value, default).
# Integers refuse fractions; floats accept integers.  Every bound is inclusive.
NUMBERS = {
    ("upload", "upload_limit_mb"): (int, 1, 200),
    ("upload", "zip_max_files"): (int, 1, 200),
    ("upload", "zip_max_total_mb"): (int, 1, 1024),
    ("planning", "min_size"): (int, 2, 3),
    ("planning", "max_size"): (int, 2, 6),
    ("figures", "strong_threshold"): (float, 0, 50.0),
    ("figures", "low_income_threshold"): (float, 0, 10.0),
    ("figures", "target_income"): (float, 0, 50.0),
    ("figures", "service_radius_m"): (float, 1, 1000.0),
    ("auth", "idle_minutes"): (int, 1, 30),
    ("auth", "min_password_length"): (int, 8, 10),
}
# Targets of the red/yellow/green marks ([targets]): figure key → default.  Shares
# are fractions (0.60 = 60 %); low_income_villages is a count; weak_rectified_share
# is weak_rectified / weak_orgs.  Which way each target points (at least / at most)
# is analysis.rankings.DIRECTIONS.
TARGETS = {"joint_coverage": 0.60, "low_income_villages": 0,
           "grid_l4_standard_share": 0.95, "grid_manager_coverage": 1.0,
           "grid_l3_branch_coverage": 1.0, "service_population_coverage": 0.80,
           "weak_rectified_share": 1.0}
# Yellow: short of the target by at most this share of it (at least 90 % of an
# "at least" target; at most 110 % of an "at most" one, so a target of 0 has no yellow).
YELLOW_MARGIN = 0.10
TARGET_COUNTS = frozenset({"low_income_villages"})
# Keys of [auth.oidc] and their defaults (text settings).
OIDC_TEXTS = {"provider": "", "name_claim": "preferred_username", "roles_claim": "groups",
              "area_claim": ""}


@dataclass(frozen=True)
class Settings:
    """Values of ``dashboard.toml``; relative paths are resolved from the repository root.

    Attributes
    ----------
    upload_limit_mb : int
        MB; largest upload, equal to Streamlit's ``server.maxUploadSize``.
    zip_max_files, zip_max_total_mb : int
        Most files in an uploaded zip, and MB of their uncompressed total.
    min_size, max_size : int
        Default size band of a planned group (villages, inclusive).
    within_township : bool
        Default of the planning check "one township per group".
    strong_threshold, low_income_threshold, target_income : float
        万元; defaults of the figures' thresholds (SPEC §3).
    service_radius_m : float
        m; default service radius around a service site.
    auth_mode : str
        ``none`` (login off), ``accounts`` (built-in accounts) or ``oidc`` (SPEC §7).
    idle_minutes : int
        A session idle this long is logged out.
    min_password_length : int
        Shortest password of a built-in account.
    targets : tuple
        ``[targets]``: ``(figure key, target)`` pairs in the order of
        :data:`TARGETS` (shares as fractions; ``dict(settings.targets)``).
    yellow_margin : float
        ``[targets] yellow_margin``: how far short of a target is still yellow,
        as a share of the target (see :data:`YELLOW_MARGIN`).
    store_url : str
        ``[store] url``: empty for the files of the data folder (default), or a
        ``postgresql://`` URL of the PostgreSQL/PostGIS database that several
        app processes share (dataset versions, scenarios, accounts, audit log,
        briefing sequences).  :attr:`store` is where the stores are.
    oidc : dict
        ``[auth.oidc]``: ``provider`` (the ``[auth.NAME]`` section of
        ``.streamlit/secrets.toml``, empty for ``[auth]``), ``name_claim``,
        ``roles_claim``, ``area_claim``, ``roles`` (claim value → role) and
        ``areas`` (claim value → county or township code).
    """

    demo: Path
    folder: Path
    basemap: str = "none"
    tianditu_tk: str = ""
    xyz_url: str = ""
    attribution: str = ""
    upload_limit_mb: int = 200
    zip_max_files: int = 200
    zip_max_total_mb: int = 1024
    min_size: int = 3
    max_size: int = 6
    within_township: bool = True
    strong_threshold: float = 50.0
    low_income_threshold: float = 10.0
    target_income: float = 50.0
    service_radius_m: float = 1000.0
    auth_mode: str = "none"
    idle_minutes: int = 30
    min_password_length: int = 10
    targets: tuple = tuple(TARGETS.items())
    yellow_margin: float = YELLOW_MARGIN
    store_url: str = ""
    oidc: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def store(self):
        """Where the stores are: the ``[store] url`` when set, else the data folder."""
        return self.store_url or self.folder


def load_settings(path: str | os.PathLike | None = None) -> Settings:
    """Read the settings file (``DASHBOARD_CONFIG`` or ``dashboard.toml``).

    Raises
    ------
    ValueError
        When the file cannot be parsed, names an unknown basemap (the message
        lists the valid ones) or a basemap without what it needs (天地图
        without ``tianditu_tk``, ``xyz`` without ``xyz_url``), or a number
        that is not a number, is too small, or a ``min_size`` above
        ``max_size`` (the message names the section and the key), or an unknown
        or out-of-range ``[targets]`` key (the message lists the valid ones).

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
    numbers = {key: _number(path, raw, section, key, *rule)
               for (section, key), rule in NUMBERS.items()}
    if numbers["min_size"] > numbers["max_size"]:
        raise ValueError(f"配置文件 {path}：[planning] min_size（{numbers['min_size']}）"
                         f"不能大于 max_size（{numbers['max_size']}）")
    within = raw.get("planning", {}).get("within_township", True)
    if not isinstance(within, bool):
        raise ValueError(f"配置文件 {path}：[planning] within_township 应为 true 或 false，"
                         f"实际为 {within!r}")
    auth_mode, oidc = _auth(path, raw.get("auth", {}))
    targets, margin = _targets(path, raw.get("targets", {}))
    store_url = _store_url(path, raw.get("store", {}))
    return Settings(store_url=store_url, demo=ROOT / data.get("demo", "data/demo/sanming.gpkg"),
                    folder=ROOT / data.get("folder", "var"), basemap=basemap,
                    within_township=within, auth_mode=auth_mode, oidc=oidc, targets=targets,
                    yellow_margin=margin, **texts, **numbers)


def _store_url(path: Path, raw) -> str:
    """``[store] url``: empty, or a PostgreSQL URL (``postgresql://…``)."""
    if not isinstance(raw, dict):
        raise ValueError(f"配置文件 {path}：[store] 应为一个表")
    unknown = sorted(set(raw) - {"url"})
    if unknown:
        raise ValueError(f"配置文件 {path}：[store] 未知设置 {', '.join(unknown)}，可选：url")
    url = raw.get("url", "")
    if not isinstance(url, str) or (url.strip() and not is_url(url.strip())):
        raise ValueError(f"配置文件 {path}：[store] url 应为空（使用数据文件夹）或 "
                         f"postgresql://用户@主机:端口/数据库，实际为 {shown(url)!r}")
    return url.strip()


def data_store(settings: Settings):
    """The dataset versions: :class:`geo.store.DataStore` in the data folder, or
    :class:`geo.pg_store.PgDataStore` in the ``[store] url`` database."""
    if settings.store_url:
        from geo.pg_store import PgDataStore  # psycopg: only a deployment with [store] url

        return PgDataStore(settings.store_url)
    return DataStore(settings.folder)


def _targets(path: Path, raw) -> tuple[tuple, float]:
    """``[targets]`` checked: unknown keys refused with the valid ones; shares in [0, 1],
    counts whole numbers ≥ 0, ``yellow_margin`` in [0, 1)."""
    if not isinstance(raw, dict):
        raise ValueError(f"配置文件 {path}：[targets] 应为一个表")
    valid = [*TARGETS, "yellow_margin"]
    unknown = sorted(set(raw) - set(valid))
    if unknown:
        raise ValueError(f"配置文件 {path}：[targets] 未知目标 {', '.join(unknown)}，"
                         f"可选：{', '.join(valid)}")
    values = {}
    for key in valid:
        value = raw.get(key, TARGETS.get(key, YELLOW_MARGIN))
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not math.isfinite(value):
            raise ValueError(f"配置文件 {path}：[targets] {key} 应为数字，实际为 {value!r}")
        if key in TARGET_COUNTS:
            if value < 0 or value != int(value):
                raise ValueError(f"配置文件 {path}：[targets] {key} 应为不小于 0 的整数"
                                 f"（个），实际为 {value!r}")
        elif not 0 <= value <= 1 or (key == "yellow_margin" and value == 1):
            raise ValueError(f"配置文件 {path}：[targets] {key} 应为 0 到 1 之间的比例"
                             f"（如 0.6 表示 60%），实际为 {value!r}")
        values[key] = int(value) if key in TARGET_COUNTS else float(value)
    margin = values.pop("yellow_margin")
    return tuple(values.items()), margin


def _auth(path: Path, auth: dict) -> tuple[str, dict]:
    """``[auth] mode`` and ``[auth.oidc]`` checked: unknown modes, keys and roles are refused."""
    mode = auth.get("mode", "none")
    if mode not in AUTH_MODES:
        raise ValueError(f"配置文件 {path}：[auth] mode 未知取值 {mode!r}，"
                         f"可选：{', '.join(AUTH_MODES)}")
    raw = auth.get("oidc", {})
    if not isinstance(raw, dict):
        raise ValueError(f"配置文件 {path}：[auth.oidc] 应为一个表")
    unknown = set(raw) - set(OIDC_TEXTS) - {"roles", "areas"}
    if unknown:
        raise ValueError(f"配置文件 {path}：[auth.oidc] 未知设置 {', '.join(sorted(unknown))}，"
                         f"可选：{', '.join([*OIDC_TEXTS, 'roles', 'areas'])}")
    oidc = {key: str(raw.get(key, default)).strip() for key, default in OIDC_TEXTS.items()}
    for table in ("roles", "areas"):
        values = raw.get(table, {})
        if not isinstance(values, dict) or not all(
                isinstance(v, str) for v in values.values()):
            raise ValueError(f"配置文件 {path}：[auth.oidc.{table}] 应为“声明取值 = 文字”的表")
        oidc[table] = {str(k): v.strip() for k, v in values.items()}
    wrong = {k: v for k, v in oidc["roles"].items() if v not in ROLES}
    if wrong:
        key, value = next(iter(wrong.items()))
        raise ValueError(f"配置文件 {path}：[auth.oidc.roles] {key!r} 的角色 {value!r} 未知，"
                         f"可选：{', '.join(ROLES)}")
    return mode, oidc


def _number(path: Path, raw: dict, section: str, key: str, kind: type, least, default):
    value = raw.get(section, {}).get(key, default)
    wanted = "整数" if kind is int else "数字"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            kind is int and not isinstance(value, int)) or not math.isfinite(value):
        raise ValueError(f"配置文件 {path}：[{section}] {key} 应为{wanted}，实际为 {value!r}")
    if value < least:
        raise ValueError(f"配置文件 {path}：[{section}] {key} 应不小于 {least}，实际为 {value!r}")
    return kind(value)


def streamlit_upload_limit_mb(path: str | os.PathLike = STREAMLIT_CONFIG) -> int | None:
    """``server.maxUploadSize`` (MB) of Streamlit's ``config.toml``, ``None`` when unset.

    >>> streamlit_upload_limit_mb() == load_settings(DEFAULT_CONFIG).upload_limit_mb
    True
    """
    path = Path(path)
    if not path.exists():
        return None
    return tomllib.loads(path.read_text(encoding="utf-8")).get("server", {}).get("maxUploadSize")


def dataset_path(settings: Settings) -> tuple[Path, bool]:
    """The GeoPackage to show and whether it is the bundled demo (示例数据).

    ``DASHBOARD_DATA`` first, then the data store's current version, then the
    demo.  A data store that cannot be read (its manifest damaged) or whose
    current file is missing is logged as an error and the demo is shown,
    marked as such.
    """
    named = os.environ.get(ENV_DATA)
    if named:
        path = Path(named)
        return path, path.resolve() == settings.demo.resolve()
    try:
        store = data_store(settings)
        version = store.current()
        if version is not None:
            path = store.path_of(version.id)
            if path.is_file():
                return path, False
            log.error("当前数据版本 %s 的文件 %s 缺失，改为显示示例数据", version.id, path)
    except StoreError as exc:
        log.error("数据仓库无法读取，改为显示示例数据：%s", exc)
    return settings.demo, True
