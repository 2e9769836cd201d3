"""Checking and extracting uploaded zip archives without trusting them.

Every entry is checked before anything is written: no path traversal
(``../``), no absolute or drive paths, no links, device files or FIFOs, no
encrypted entries, no archives inside the archive, at most ``max_files``
entries, at most ``max_total_bytes`` uncompressed, and no entry larger than
``ratio_min_bytes`` that expands more than ``max_ratio`` times (a zip bomb).
Extraction writes only the members asked for, under names chosen here
(``layer.shp``, ``layer.dbf`` …) in a folder the caller owns, and counts the
bytes actually inflated instead of believing the archive's header.

>>> import io, zipfile
>>> buf = io.BytesIO()
>>> with zipfile.ZipFile(buf, "w") as z:
...     z.writestr("../evil.txt", "x")
>>> try:
...     check_zip(buf)
... except ArchiveError as exc:
...     print(exc)
压缩包中的文件 '../evil.txt' 路径不安全（含 ../ 或绝对路径），已拒绝
"""
from __future__ import annotations

import os
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

# Shapefile parts that are extracted; the others in the archive are ignored.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
REQUIRED_PARTS = (".shp", ".shx", ".dbf")
_ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".kmz")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh", b"\xfd7zXZ")
_CHUNK = 1 << 20


class ArchiveError(ValueError):
    """An archive was refused; the message is Chinese and names the entry."""


@dataclass(frozen=True)
class ZipLimits:
    """Limits for one archive: entries, total size (bytes), expansion ratio."""

    max_files: int = 200
    max_total_bytes: int = 1 << 30
    max_ratio: float = 200.0
    ratio_min_bytes: int = 1 << 20


def display_name(info: zipfile.ZipInfo) -> str:
    """The entry's name; names written by Chinese Windows tools are read as GBK.

    >>> info = zipfile.ZipInfo("x.shp")
    >>> display_name(info)
    'x.shp'
    """
    name = info.filename
    if not info.flag_bits & 0x800:  # no UTF-8 flag: zipfile decoded it as cp437
        try:
            return name.encode("cp437").decode("gbk")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return name
    return name


def _unsafe_path(name: str) -> bool:
    if not name or "\x00" in name or name.startswith(("/", "\\")):
        return True
    normal = name.replace("\\", "/")
    if len(normal) > 1 and normal[1] == ":":  # C:/…
        return True
    return any(part == ".." for part in PurePosixPath(normal).parts)


def _check_entry(info: zipfile.ZipInfo, limits: ZipLimits) -> None:
    shown = display_name(info)
    if _unsafe_path(info.filename):
        raise ArchiveError(f"压缩包中的文件 {shown!r} 路径不安全（含 ../ 或绝对路径），已拒绝")
    mode = info.external_attr >> 16
    if info.create_system == 3 and mode and (stat.S_ISLNK(mode) or stat.S_ISCHR(mode)
                                             or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode)
                                             or stat.S_ISSOCK(mode)):
        kind = "符号链接" if stat.S_ISLNK(mode) else "设备文件或管道"
        raise ArchiveError(f"压缩包中的 {shown!r} 是{kind}，已拒绝")
    if info.flag_bits & 0x1:
        raise ArchiveError(f"压缩包中的 {shown!r} 已加密，无法读取；请上传未加密的压缩包")
    if info.filename.lower().endswith(_ARCHIVE_SUFFIXES):
        raise ArchiveError(f"压缩包中又含压缩包 {shown!r}；请解开后只打包 Shapefile 文件")
    if (info.file_size > limits.ratio_min_bytes
            and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
        raise ArchiveError(f"压缩包中的 {shown!r} 解压后 {info.file_size} 字节，压缩比超过 "
                           f"{limits.max_ratio:g}:1，疑似“压缩炸弹”，已拒绝")


def check_zip(source, limits: ZipLimits = ZipLimits()) -> list[zipfile.ZipInfo]:
    """Check every entry of a zip archive; return the file entries.

    Parameters
    ----------
    source : path or binary file object of the archive.
    limits : the limits to enforce.

    Raises
    ------
    ArchiveError
        With a Chinese message naming the first entry that breaks a rule.

    Examples
    --------
    >>> import io
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("a.shp", b"x"); z.writestr("docs/", b"")
    >>> [i.filename for i in check_zip(buf)]
    ['a.shp']
    """
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(f"压缩包已损坏或不完整，无法读取（{exc}）") from None
    if len(infos) > limits.max_files:
        raise ArchiveError(f"压缩包含 {len(infos)} 个条目，超过上限 {limits.max_files} 个，已拒绝")
    seen, total = set(), 0
    for info in infos:
        _check_entry(info, limits)
        key = info.filename.replace("\\", "/").lower()
        if key in seen:
            raise ArchiveError(f"压缩包中有重名文件 {display_name(info)!r}，已拒绝")
        seen.add(key)
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ArchiveError(f"压缩包解压后超过 {limits.max_total_bytes} 字节的上限，已拒绝")
    return [i for i in infos if not i.is_dir()]


def shapefile_members(infos: list[zipfile.ZipInfo],
                      choose: str | None = None) -> dict[str, zipfile.ZipInfo]:
    """The parts (``.shp``, ``.shx``, ``.dbf``, optional ``.prj``/``.cpg``) of one Shapefile.

    ``choose`` names the ``.shp`` to use when the archive holds several.

    Raises
    ------
    ArchiveError
        No ``.shp``, several without a choice, or a required sibling missing.

    Examples
    --------
    >>> infos = [zipfile.ZipInfo(n) for n in ("v/村.shp", "v/村.SHX", "v/村.dbf")]
    >>> sorted(shapefile_members(infos))
    ['.dbf', '.shp', '.shx']
    >>> shapefile_members(infos[:2])  # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    geo.ingest.safe_zip.ArchiveError: Shapefile 'v/村.shp' 缺少 .dbf
     文件（Shapefile 至少需要同名的 .shp、.shx、.dbf）
    """
    by_stem: dict[str, dict[str, zipfile.ZipInfo]] = {}
    for info in infos:
        stem, suffix = os.path.splitext(info.filename.replace("\\", "/"))
        if suffix.lower() in SHAPEFILE_PARTS:
            by_stem.setdefault(stem.lower(), {})[suffix.lower()] = info
    shps = {display_name(parts[".shp"]): stem for stem, parts in by_stem.items() if ".shp" in parts}
    if not shps:
        raise ArchiveError("压缩包中没有 .shp 文件；"
                           "请把 Shapefile 的 .shp、.shx、.dbf（及 .prj、.cpg）一起打包")
    if choose is not None:
        if choose not in shps:
            raise ArchiveError(f"压缩包中没有 {choose!r}；可选：{'、'.join(sorted(shps))}")
        stem = shps[choose]
    elif len(shps) > 1:
        raise ArchiveError(f"压缩包中有 {len(shps)} 个 .shp 文件（{'、'.join(sorted(shps))}），"
                           "请选择一个")
    else:
        stem = next(iter(shps.values()))
    parts = by_stem[stem]
    shown = display_name(parts[".shp"])
    for suffix in REQUIRED_PARTS:
        if suffix not in parts:
            raise ArchiveError(f"Shapefile {shown!r} 缺少 {suffix} 文件（Shapefile 至少需要同名的 "
                               ".shp、.shx、.dbf）")
    return parts


def extract_members(source, members: dict[str, zipfile.ZipInfo], dest: str | os.PathLike,
                    limits: ZipLimits = ZipLimits(), stem: str = "layer") -> dict[str, Path]:
    """Write ``members`` (suffix → entry) as ``dest/<stem><suffix>``; return the paths.

    Bytes are counted while inflating: an entry that inflates beyond its
    declared size, beyond ``max_total_bytes`` or past ``max_ratio`` is
    refused, whatever its header says.  ``dest`` must exist; files are
    created exclusively (never through an existing file or link).

    Examples
    --------
    >>> import io, tempfile
    >>> buf = io.BytesIO()
    >>> with zipfile.ZipFile(buf, "w") as z:
    ...     z.writestr("x/a.dbf", b"abc")
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = extract_members(buf, {".dbf": check_zip(buf)[0]}, d)
    ...     paths[".dbf"].name, paths[".dbf"].read_bytes()
    ('layer.dbf', b'abc')
    """
    out: dict[str, Path] = {}
    total = 0
    with zipfile.ZipFile(source) as archive:
        for suffix, info in members.items():
            target = Path(dest) / f"{stem}{suffix}"
            written, head = 0, b""
            fd = os.open(target,
                         os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
            with os.fdopen(fd, "wb") as fh, archive.open(info) as entry:
                while chunk := entry.read(_CHUNK):
                    if not head:
                        head = chunk[:8]
                        if head.startswith(_ARCHIVE_MAGIC):
                            raise ArchiveError(f"压缩包中的 {display_name(info)!r} "
                                               "本身是压缩包，已拒绝")
                    written += len(chunk)
                    total += len(chunk)
                    if written > info.file_size or total > limits.max_total_bytes or (
                            written > limits.ratio_min_bytes
                            and written > limits.max_ratio * max(info.compress_size, 1)):
                        raise ArchiveError(f"压缩包中的 {display_name(info)!r} "
                                           "解压后超出声明大小或上限，"
                                           "疑似“压缩炸弹”，已拒绝")
                    fh.write(chunk)
            out[suffix] = target
    return out
