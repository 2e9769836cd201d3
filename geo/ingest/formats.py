"""Recognising an uploaded file by its content and reading it with an allowlisted reader.

GDAL opens files by content, not by name: a ``.geojson`` holding an OGR VRT
would make GDAL read other files of the server.  So the format is decided
here from the bytes (magic numbers, a JSON or XML parse), before GDAL sees
the file, and GDAL only ever gets a staged copy under a name chosen here,
with its driver forced by prefix (``GPKG:``, ``GeoJSON:``) or, for a
Shapefile, parts whose headers were checked.  The driver GDAL reports is
checked against :data:`ALLOWED_DRIVERS` before any feature is read.  CSV is
read by pandas and XLSX by openpyxl, never by GDAL.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "x.geojson"
>>> _ = p.write_text('<OGRVRTDataSource><OGRVRTLayer name="v"/></OGRVRTDataSource>')
>>> try:
...     sniff_format(p)
... except Refused as exc:
...     print(exc.code)
vrt
"""
from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pandas as pd

from geo.dataset import check_geopackage_file
from geo.ingest.columns import field_keys, match_field, year_header
from geo.ingest.encoding import decode_table_bytes
from geo.ingest.names import naming_field
from geo.ingest.safe_zip import (ZipLimits, check_zip, display_name, extract_members,
                                 shapefile_members)

ALLOWED_DRIVERS = frozenset({"GPKG", "GeoJSON", "ESRI Shapefile"})
SUPPORTED = "GeoPackage（.gpkg）、GeoJSON、zip 压缩的 Shapefile、CSV、Excel（.xlsx）"
_SHP_MAGIC = b"\x00\x00\x27\x0a"
_DBF_VERSIONS = {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB,
                 0xF5, 0xFB}
_CRS_NAME = re.compile(r"(?i)^(urn:ogc:def:crs:(epsg|ogc):[0-9.]*:[a-z0-9]+|epsg:[0-9]+)$")
_SAMPLE = 64 * 1024
_OTHER_MAGIC = (b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh",
                b"GIF8", b"II*\x00", b"MM\x00*")


class Refused(ValueError):
    """The file is refused; ``code`` is a short key, the message Chinese."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def stage_copy(src, dst, limit: int) -> Path:
    """Copy regular file ``src`` to ``dst`` without following links; refuse links and huge files."""
    text = os.fspath(src)
    if text.startswith("/vsi") or "\x00" in text:
        raise Refused("bad_path", f"不接受 GDAL 虚拟路径或特殊路径：{text[:80]!r}")
    try:
        info = os.lstat(text)
    except OSError:
        raise Refused("no_file", f"文件不存在：{text}") from None
    if stat.S_ISLNK(info.st_mode):
        raise Refused("symlink", f"文件是符号链接，出于安全原因不读取：{text}")
    if not stat.S_ISREG(info.st_mode):
        raise Refused("not_a_file", f"不是普通文件：{text}")
    if info.st_size > limit:
        raise Refused("too_large", f"文件大小 {info.st_size} 字节，超过上传上限 {limit} 字节")
    fd = os.open(text, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    copied = 0
    with os.fdopen(fd, "rb") as fin, open(dst, "xb") as fout:
        while chunk := fin.read(1 << 20):
            copied += len(chunk)
            if copied > limit:  # the file grew after it was measured
                raise Refused("too_large", f"文件超过上传上限 {limit} 字节")
            fout.write(chunk)
    return Path(dst)


def _xml_kind(text: str) -> tuple[str, str]:
    if "<OGRVRTDataSource" in text:
        return "vrt", ("文件内容是 OGR VRT（可引用服务器上其他文件的虚拟数据源），"
                       f"出于安全原因拒绝导入；请上传 {SUPPORTED}")
    root = re.search(r"<\s*([A-Za-z_][\w.:-]*)",
                     re.sub(r"<\?.*?\?>|<!--.*?-->|<!.*?>", "", text, flags=re.S))
    name = root.group(1).split(":")[-1] if root else "XML"
    kind = {"kml": "KML", "FeatureCollection": "GML", "gpx": "GPX"}.get(name,
                                                                         f"XML（根元素 {name}）")
    return "xml", f"文件内容是 {kind}，不支持导入；请转换为 {SUPPORTED}"


def sniff_format(path) -> str:
    """``gpkg``, ``xlsx``, ``zip`` (Shapefile), ``shp``, ``geojson`` or ``csv``, decided by content.

    Raises
    ------
    Refused
        Empty files, VRT and other XML (GML, KML), SQLite that is not a
        GeoPackage, old Excel, JSON that is not GeoJSON, binary of any other kind.
    """
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE)
    if not head:
        raise Refused("empty_file", "文件为空（0 字节）")
    if head.startswith(b"SQLite format 3\x00"):
        if check_geopackage_file(path):
            raise Refused("not_geopackage", "文件是 SQLite 数据库，但不是 GeoPackage"
                                            "（缺少 GPKG 标识或文件不完整），无法导入")
        return "gpkg"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        try:
            with zipfile.ZipFile(path) as archive:
                names = {n.replace("\\", "/").lower() for n in archive.namelist()}
        except (zipfile.BadZipFile, OSError, ValueError):
            names = set()
        return "xlsx" if {"[content_types].xml", "xl/workbook.xml"} <= names else "zip"
    if head.startswith(_SHP_MAGIC):
        return "shp"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Refused("old_excel", "这是旧版 Excel（.xls）或其他 Office 文件；"
                                   "请在 Excel 中另存为 .xlsx 后上传")
    if b"\x00" in head or head.startswith(_OTHER_MAGIC):
        raise Refused("unknown_format", f"无法识别的二进制文件格式；支持：{SUPPORTED}")
    text = head.removeprefix(b"\xef\xbb\xbf").decode("latin-1").lstrip(" \t\r\n")
    if text.startswith("<"):
        raise Refused(*_xml_kind(text))
    if text.startswith(("{", "[")):
        return "geojson"
    return "csv"


def _gdal_message(exc: Exception, stage: Path) -> str:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text.replace(str(stage), "…")[:200]


def _checked_driver(target: str, layer: str | None, expected: str) -> None:
    import pyogrio

    driver = pyogrio.read_info(target, layer=layer)["driver"]
    if driver not in ALLOWED_DRIVERS or driver != expected:
        raise Refused("driver_refused", f"文件被识别为 {driver} 格式，不在允许的格式之内；"
                                        f"支持：{SUPPORTED}")


def _read(target: str, layer, expected: str, geometry: bool, stage: Path,
          encoding=None) -> pd.DataFrame:
    import pyogrio

    try:
        _checked_driver(target, layer, expected)
        return pyogrio.read_dataframe(target, layer=layer, read_geometry=geometry, force_2d=True,
                                      encoding=encoding)
    except Refused:
        raise
    except Exception as exc:  # GDAL says why in one line
        raise Refused("unreadable", f"文件无法读取（可能已损坏或不完整）："
                                    f"{_gdal_message(exc, stage)}") from None


def read_gpkg(path: Path, layer: str, choice: str | None, geometry: bool) -> tuple:
    """Frame, chosen layer and all layer names of a staged GeoPackage."""
    import pyogrio

    target = f"GPKG:{path}"
    try:
        listed = [(str(n), g) for n, g in pyogrio.list_layers(target)]
    except Exception as exc:
        raise Refused("unreadable", f"GeoPackage 无法打开（文件可能已损坏或不完整）："
                                    f"{_gdal_message(exc, path.parent)}") from None
    names = [n for n, _ in listed]
    if not names:
        raise Refused("no_layers", "GeoPackage 中没有任何图层")
    if choice is not None and choice not in names:
        raise Refused("no_such_layer",
                      f"GeoPackage 中没有图层 {choice!r}；可选：{'、'.join(names)}")
    chosen = choice or (layer if layer in names else names[0] if len(names) == 1 else None)
    if chosen is None:
        raise Refused("choose_layer", f"GeoPackage 中有多个图层（{'、'.join(names)}），"
                                      f"没有名为 {layer} 的图层；请选择一个")
    if geometry and dict(listed)[chosen] is None:
        raise Refused("missing_geometry",
                      f"GeoPackage 图层 {chosen!r} 是无几何的表，不能作为几何图层导入")
    return _read(target, chosen, "GPKG", geometry, path.parent), chosen, tuple(names)


def read_geojson(path: Path, geometry: bool) -> pd.DataFrame:
    """Frame of a staged GeoJSON, parsed and checked in Python before GDAL reads it."""
    try:
        doc = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise Refused("bad_json", f"文件不是有效的 JSON/GeoJSON（{str(exc)[:80]}）") from None
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise Refused("not_geojson", f"JSON 文件不是 GeoJSON 要素集合（type={kind!r}）；"
                                     f"支持：{SUPPORTED}")
    crs = doc.get("crs")
    if crs is not None:
        name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
        if not (isinstance(crs, dict) and crs.get("type") == "name" and isinstance(name, str)
                and _CRS_NAME.match(name)):
            raise Refused("bad_geojson_crs", "GeoJSON 的 crs 成员只接受 EPSG 名称"
                                             "（如 urn:ogc:def:crs:EPSG::4490），"
                                             "不接受链接或其他形式")
    return _read(f"GeoJSON:{path}", None, "GeoJSON", geometry, path.parent)


def _check_parts(paths: dict[str, Path]) -> None:
    for suffix in (".shp", ".shx"):
        with open(paths[suffix], "rb") as fh:
            if fh.read(4) != _SHP_MAGIC:
                raise Refused("bad_shapefile", f"Shapefile 的 {suffix} 文件内容无效（文件头不对）")
    with open(paths[".dbf"], "rb") as fh:
        if (fh.read(1) or b"\xff")[0] not in _DBF_VERSIONS:
            raise Refused("bad_shapefile", "Shapefile 的 .dbf 文件内容无效（不是 dBase 属性表）")


def shapefile_from_zip(path: Path, stage: Path, choice: str | None, limits: ZipLimits) -> tuple:
    """Extract one Shapefile of a staged zip into ``stage``: its .shp, its name, all .shp names."""
    infos = check_zip(path, limits)
    members = shapefile_members(infos, choice)
    available = tuple(sorted(display_name(i) for i in infos if i.filename.lower().endswith(".shp")))
    folder = stage / "shp"
    folder.mkdir()
    try:
        paths = extract_members(path, members, folder, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise Refused("bad_archive",
                      f"压缩包已损坏或使用了不支持的压缩方式，无法解压（{exc}）") from None
    _check_parts(paths)
    return paths[".shp"], display_name(members[".shp"]), available


def read_shapefile(shp: Path, encoding: str, geometry: bool) -> pd.DataFrame:
    """Frame of a staged Shapefile whose parts were checked, text decoded with ``encoding``."""
    return _read(str(shp), None, "ESRI Shapefile", geometry, shp.parent, encoding=encoding)


def shapefile_from_path(src, stage: Path, limit: int) -> Path:
    """Copy a bare ``.shp`` and its siblings (found case-insensitively) into ``stage``."""
    src = Path(src)
    folder = stage / "shp"
    folder.mkdir()
    siblings = {}
    for entry in os.scandir(src.parent):
        stem, suffix = os.path.splitext(entry.name)
        if stem.lower() == src.stem.lower() and suffix.lower() in (".shp", ".shx", ".dbf", ".prj",
                                                                   ".cpg"):
            siblings[suffix.lower()] = Path(entry.path)
    for suffix in (".shp", ".shx", ".dbf"):
        if suffix not in siblings:
            raise Refused("missing_part", f"Shapefile {src.name!r} 缺少 {suffix} 文件"
                                          "（Shapefile 至少需要同名的 .shp、.shx、.dbf）")
    paths = {sfx: stage_copy(p, folder / f"layer{sfx}", limit) for sfx, p in siblings.items()}
    _check_parts(paths)
    return paths[".shp"]


def read_csv(path: Path, encoding: str | None) -> tuple:
    """All cells as text, the encoding used; the delimiter is sniffed (``,`` ``;`` tab ``|``)."""
    text, used = decode_table_bytes(path.read_bytes(), encoding)
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        raise Refused("bad_csv", f"CSV 文件格式错误：{str(exc).splitlines()[0][:120]}") from None
    return frame, used


_SHEET_UNIT = re.compile(r"单位[:：]?(万元|元)")


def _known_header(layer: str, value, keys: dict) -> bool:
    """A header naming a field, a village (乡镇, 村名) or a year of a wide sheet."""
    return (match_field(layer, value, keys=keys) is not None
            or naming_field(layer, value) is not None or year_header(layer, value) is not None)


def _header_row(rows: list, layer: str) -> int:
    """The row among the first ten that names the most fields (a title row above is skipped)."""
    keys, best, best_hits = field_keys(layer), None, -1
    for i, row in enumerate(rows[:10]):
        if not any(v not in (None, "") for v in row):
            continue
        hits = sum(_known_header(layer, v, keys) for v in row if v not in (None, ""))
        if hits > best_hits:
            best, best_hits = i, hits
    return 0 if best is None else best


def sheet_unit(rows) -> str | None:
    """The unit a title row above the header states (``单位：元``), or None.

    >>> sheet_unit([("2021年村集体经营性收入统计表",), (None, "（单位：元）")])
    '元'
    """
    for row in rows:
        for value in row:
            if isinstance(value, str):
                found = _SHEET_UNIT.search("".join(unicodedata.normalize("NFKC", value).split()))
                if found:
                    return found.group(1)
    return None


def _data_rows(rows) -> int:
    return sum(any(v not in (None, "") for v in r) for r in rows)


def _choose_sheet(sheets: dict, layer: str, choice: str | None) -> str:
    """The sheet to read: the one asked for; else the one named like the layer (or
    its variant, ``village_income_wide``) that holds data; else the one named like
    the layer; else the only one holding data."""
    from geo.schema import LAYERS
    names = tuple(sheets)
    if choice is not None:
        if choice not in sheets:
            raise Refused("no_such_sheet",
                          f"Excel 文件中没有工作表 {choice!r}；可选：{'、'.join(names)}")
        return choice
    label = LAYERS[layer].label
    named = [n for n in names if n.strip() in (layer, label)]
    variants = [n for n in names if n.strip() not in (layer, label)
                and n.strip().startswith((f"{layer}_", f"{label}（", f"{label}("))]
    with_data = [n for n in names if _data_rows(sheets[n]) >= 2]
    for group in (named, named + variants):
        filled = [n for n in group if n in with_data]
        if len(filled) == 1:
            return filled[0]
        if len(filled) > 1:
            raise Refused("choose_sheet", f"Excel 文件中有多个 {layer} 工作表都有数据"
                                          f"（{'、'.join(filled)}），请选择一个")
    if named:
        return named[0]
    if len(with_data) == 1:
        return with_data[0]
    filled = [n for n in names if _data_rows(sheets[n]) >= 1]
    if len(filled) == 1:
        return filled[0]
    raise Refused("choose_sheet", f"Excel 文件中有多个工作表（{'、'.join(names)}），请选择一个")


def read_xlsx(path: Path, layer: str, choice: str | None, limits: ZipLimits) -> tuple:
    """Frame, chosen sheet, sheet names and the unit a title row states, of a staged
    ``.xlsx`` (openpyxl, read-only)."""
    import openpyxl

    check_zip(path, limits)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = {name: list(book[name].iter_rows(values_only=True))
                      for name in book.sheetnames}
        finally:
            book.close()
    except Exception as exc:  # openpyxl raises many kinds for broken files
        raise Refused("bad_xlsx",
                      f"Excel 文件无法读取：{type(exc).__name__}: {str(exc)[:120]}") from None
    names = tuple(sheets)
    chosen = _choose_sheet(sheets, layer, choice)
    rows = sheets[chosen]
    if not rows:
        return pd.DataFrame(), chosen, names, None
    top = _header_row(rows, layer)
    header, placeholders = [], set()
    for i, v in enumerate(rows[top]):
        name = str(v).strip() if v not in (None, "") else f"列{i + 1}"
        placeholders |= {name} if v in (None, "") else set()
        header.append(name if name not in header else f"{name}_{i + 1}")
    body = [list(r) + [None] * (len(header) - len(r)) for r in rows[top + 1:]
            if any(v not in (None, "") for v in r)]
    frame = pd.DataFrame([r[:len(header)] for r in body], columns=header, dtype=object)
    keep = [c for c in frame.columns if not (c in placeholders and frame[c].isna().all())]
    return frame[keep], chosen, names, sheet_unit(rows[:top])
