"""Builders of upload files for the import tests.

Villages are the four 1 km squares of ``tests.geo.conftest.tiny_layers``
(EPSG:4549 metres, stored in EPSG:4490); uploads rename their columns to the
Chinese aliases a county's GIS office would use.
"""
import hashlib
import io
import os
import stat
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd

from tests.geo.conftest import tiny_layers, write_gpkg

CHINESE_COLUMNS = {"village_code": "村代码", "name": "村名", "township": "乡镇（街道）",
                   "county": "区县", "kind": "类型", "households": "户数", "population": "人口",
                   "star_rating": "星级"}
# Lines of /etc/passwd that must never show up in anything an import returns.
PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin", "daemon:")
VRT = ('<OGRVRTDataSource><OGRVRTLayer name="{layer}">'
       '<SrcDataSource>CSV:/etc/passwd</SrcDataSource>'
       '</OGRVRTLayer></OGRVRTDataSource>')


def digest(path) -> str:
    """SHA-256 of a file, to show that a refused import left it byte for byte as it was."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def chinese_villages(layers=None):
    """The tiny villages with Chinese column names (EPSG:4490)."""
    frame = (layers or tiny_layers())["villages"]
    return frame.rename(columns=CHINESE_COLUMNS)


def write_shapefile(folder, frame, name="村界", encoding="GBK", cpg=True, prj=True) -> Path:
    """Write ``frame`` as ``folder/name.shp`` with text in ``encoding``; drop
    .cpg/.prj on request."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / f"{name}.shp"
    with warnings.catch_warnings():  # GDAL reports the names it cut at 10 bytes
        warnings.simplefilter("ignore")
        frame.to_file(shp, engine="pyogrio", encoding=encoding)
    if not cpg:
        shp.with_suffix(".cpg").unlink()
    if not prj:
        shp.with_suffix(".prj").unlink()
    return shp


def zip_shapefile(shp, path, folder_in_zip="",
                  parts=(".shp", ".shx", ".dbf", ".prj", ".cpg")) -> Path:
    """Zip the parts of ``shp`` that exist into ``path``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for suffix in parts:
            part = Path(shp).with_suffix(suffix)
            if part.exists():
                archive.write(part, f"{folder_in_zip}{part.name}")
    return Path(path)


def zip_entries(path, entries, compression=zipfile.ZIP_DEFLATED) -> Path:
    """A zip of ``(name or ZipInfo, bytes)`` entries, written as given (no checks)."""
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return Path(path)


def link_entry(name="村界.shp", target="/etc/passwd") -> tuple:
    """A zip entry that unpacks as a Unix symbolic link to ``target``."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def device_entry(name="tty") -> tuple:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFCHR | 0o666) << 16
    return info, b""


def xlsx_bytes(sheets: dict) -> bytes:
    """An .xlsx with ``{sheet name: list of rows}``."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def income_rows(code_header="村代码"):
    """The tiny income table (2019, 2020) as rows under Chinese headers."""
    income = tiny_layers()["village_income"]
    return [[code_header, "年份", "集体经营性收入"]] + income.values.tolist()


def base_dataset(folder, layers=None) -> Path:
    """``folder/DATA.gpkg`` holding the tiny dataset (or ``layers``)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    return write_gpkg(Path(folder) / "DATA.gpkg", layers or tiny_layers())


def passwd_leaked(text: str) -> bool:
    """True when any line of this machine's /etc/passwd appears in ``text``."""
    try:
        lines = [ln for ln in Path("/etc/passwd").read_text().splitlines() if len(ln) > 8]
    except OSError:
        lines = []
    return any(m in text for m in PASSWD_MARKERS) or any(ln in text for ln in lines)


def write_text(path, text, encoding="utf-8") -> Path:
    Path(path).write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return Path(path)


def frame_to_csv(frame: pd.DataFrame, path, encoding="utf-8", sep=",") -> Path:
    frame.to_csv(path, index=False, encoding=encoding, sep=sep)
    return Path(path)


def no_temp_files(folder) -> bool:
    """No temporary GeoPackage left behind by an interrupted write."""
    return not [n for n in os.listdir(folder)
                if ".tmp." in n or n.endswith((".part", "-journal", "-wal"))]
