"""Text encodings of uploaded Shapefiles and CSV files, and refusing mojibake.

Chinese Shapefiles are usually GBK (code page 936) and say so in a ``.cpg``
file, or say nothing.  The rule: a user's choice first, then the ``.cpg``,
then detection from the ``.dbf`` bytes (strict UTF-8, else GBK/GB18030).
Whatever was chosen, the decoded text must look like Chinese: no U+FFFD, no
run of Latin-1 letters such as ``ºéÌï´å`` (GBK read as Latin-1), and bytes
that are valid UTF-8 are not read as GBK.  Otherwise the file is refused with
a message saying which encoding was assumed and how to choose another.

>>> "洪田村".encode("gbk").decode("latin-1")
'ºéÌï´å'
>>> mojibake_reason(["ºéÌï´å"])
"含非中文的异常字符（如 'ºéÌï´å'）"
>>> detect_encoding(["洪田村".encode("gbk")]), detect_encoding(["洪田村".encode("utf-8")])
('GBK', 'UTF-8')
"""
from __future__ import annotations

import codecs
import struct
from dataclasses import dataclass
from pathlib import Path

# Names found in .cpg files and given by users → Python/pyogrio codec names.
_ALIASES = {
    "936": "GBK", "cp936": "GBK", "ms936": "GBK", "gbk": "GBK", "gb2312": "GBK", "euc-cn": "GBK",
    "54936": "GB18030", "gb18030": "GB18030",
    "65001": "UTF-8", "utf-8": "UTF-8", "utf8": "UTF-8", "utf-8-sig": "UTF-8-SIG",
    "950": "BIG5", "big5": "BIG5", "1252": "CP1252", "cp1252": "CP1252",
    "88591": "ISO-8859-1", "8859_1": "ISO-8859-1", "iso-8859-1": "ISO-8859-1",
    "latin1": "ISO-8859-1", "latin-1": "ISO-8859-1",
}
SOURCES = {"cpg": "来自 .cpg 文件", "detected": "自动识别", "user": "用户指定"}
OVERRIDE_HINT = "可用命令行 --encoding 或页面上的“文本编码”选项指定正确的编码（如 GBK、UTF-8）"
# Characters that belong in Chinese text besides the ideographs.
_PLAUSIBLE_RANGES = (
    (0x3000, 0x303F), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF00, 0xFFEF),
    (0x2000, 0x206F), (0x2100, 0x218F), (0x2460, 0x24FF), (0x2500, 0x25FF), (0x20000, 0x3FFFF),
)
_PLAUSIBLE_LATIN1 = set("·×÷°±")
_MAX_IMPLAUSIBLE = 0.1  # share of non-ASCII characters outside the ranges above


class EncodingError(ValueError):
    """Text could not be decoded without mojibake; the message is Chinese."""


@dataclass(frozen=True)
class TextEncoding:
    """The encoding used to read a file's text and how it was decided.

    >>> TextEncoding("GBK", "cpg").describe()
    'GBK（来自 .cpg 文件）'
    """

    name: str
    source: str

    def describe(self) -> str:
        return f"{self.name}（{SOURCES.get(self.source, self.source)}）"


def normalise_encoding(text: str) -> str:
    """The codec name for a ``.cpg`` entry or a user's choice.

    >>> normalise_encoding(" 936 "), normalise_encoding("ANSI 936"), normalise_encoding("utf8")
    ('GBK', 'GBK', 'UTF-8')
    >>> normalise_encoding("klingon")
    Traceback (most recent call last):
    ...
    geo.ingest.encoding.EncodingError: 未知的文本编码 'klingon'；常用：UTF-8、GBK、GB18030
    """
    key = text.strip().lower().removeprefix("ansi").strip()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(key).name.upper()
    except LookupError:
        raise EncodingError(f"未知的文本编码 {text.strip()!r}；常用：UTF-8、GBK、GB18030") from None


def dbf_text(path: str | Path, limit: int = 4 << 20) -> tuple[list[bytes], list[bytes]]:
    """Raw bytes of the field names, and of the text cells (up to ``limit``
    bytes of records), of a ``.dbf``.

    Raises
    ------
    EncodingError
        When the file is not a dBase table.
    """
    with open(path, "rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            raise EncodingError(".dbf 文件不完整，无法读取属性表")
        count, header_len, record_len = struct.unpack("<IHH", head[4:12])
        descriptors = fh.read(max(header_len - 32, 0))
        fields, pos = [], 1
        names: list[bytes] = []
        for i in range(0, len(descriptors) - 31, 32):
            desc = descriptors[i:i + 32]
            if desc[0] == 0x0D:
                break
            names.append(desc[:11].split(b"\x00")[0])
            width = desc[16]
            if desc[11:12] == b"C":
                fields.append((pos, width))
            pos += width
        if pos != record_len or header_len < 33:
            raise EncodingError(".dbf 文件头无效（字段宽度与记录长度不符），"
                                "不是有效的 Shapefile 属性表")
        fh.seek(header_len)
        data = fh.read(min(limit, count * record_len))
    cells = [data[r + a:r + a + w].strip(b" \x00")
             for r in range(0, len(data) - record_len + 1, record_len)
             for a, w in fields]
    return names, [c for c in cells if c]


def _untruncated(name: bytes, encoding: str) -> bytes:
    """``name`` without the partial character a 10-byte cut may have left at its end."""
    for cut in range(4):
        try:
            name[:len(name) - cut].decode(encoding)
            return name[:len(name) - cut]
        except UnicodeDecodeError:
            continue
    return name


def trim_truncated_names(dbf: str | Path, encoding: str) -> list[str]:
    """Cut partial characters off field names in a (staged) ``.dbf``, in place;
    return the fixed names.

    GDAL and other writers cut field names at 10 bytes, sometimes inside a
    multi-byte character (``乡镇（街道）`` in UTF-8 becomes ``乡镇（`` plus one
    byte); such a name cannot be decoded.
    """
    fixed = []
    with open(dbf, "r+b") as fh:
        header_len = struct.unpack("<H", fh.read(12)[8:10])[0]
        for offset in range(32, header_len - 31, 32):
            fh.seek(offset)
            raw = fh.read(11)
            if raw[:1] == b"\x0d":
                break
            name = raw.split(b"\x00")[0]
            good = _untruncated(name, encoding)
            if good != name:
                fh.seek(offset)
                fh.write(good.ljust(11, b"\x00"))
                fixed.append(good.decode(encoding))
    return fixed


def detect_encoding(samples: list[bytes], names: list[bytes] = ()) -> str | None:
    """``UTF-8`` when the bytes are strict UTF-8 (or ASCII), else ``GBK``/``GB18030``, else None.

    Field ``names`` may end in a partial character (cut at 10 bytes).
    """
    for name in ("UTF-8", "GBK", "GB18030"):
        try:
            b"\n".join([*(_untruncated(n, name) for n in names), *samples]).decode(name)
            return name
        except UnicodeDecodeError:
            continue
    return None


def _plausible(ch: str) -> bool:
    code = ord(ch)
    return ch in _PLAUSIBLE_LATIN1 or any(lo <= code <= hi for lo, hi in _PLAUSIBLE_RANGES)


def mojibake_reason(texts: list[str]) -> str | None:
    """Why decoded ``texts`` look like mojibake, or None when they look like Chinese.

    >>> mojibake_reason(["洪田村（一组）", "No.1", "Ⅱ区·东"]) is None
    True
    >>> mojibake_reason(["洪田\\ufffd"])
    "含无法解码的替换字符 �（如 '洪田\\ufffd'）"
    """
    replaced = [t for t in texts if "\ufffd" in t]
    if replaced:
        return f"含无法解码的替换字符 �（如 {replaced[0][:20]!r}）"
    high = [ch for t in texts for ch in t if ord(ch) > 0x7F]
    bad = [ch for ch in high if not _plausible(ch)]
    if high and len(bad) / len(high) > _MAX_IMPLAUSIBLE:
        example = next(t for t in texts if any(not _plausible(c) for c in t if ord(c) > 0x7F))
        return f"含非中文的异常字符（如 {example[:20]!r}）"
    return None


def check_decoding(samples: list[bytes], encoding: TextEncoding, what: str) -> list[str]:
    """Decode ``samples`` with ``encoding``; raise :class:`EncodingError` on mojibake.

    >>> check_decoding(["一村".encode("gbk")], TextEncoding("GBK", "detected"), "x")
    ['一村']
    >>> check_decoding(["一村".encode("gbk")], TextEncoding("UTF-8", "user"), "Shapefile")
    ... # doctest: +NORMALIZE_WHITESPACE
    Traceback (most recent call last):
    ...
    geo.ingest.encoding.EncodingError: Shapefile 的文本按 UTF-8（用户指定）无法解码（第 1 个文本
     '一村' 的字节不合此编码，看起来是 GBK 编码），读出来会是乱码；可用命令行 --encoding
     或页面上的“文本编码”选项指定正确的编码（如 GBK、UTF-8）
    """
    head = f"{what} 的文本按 {encoding.describe()}"
    texts = []
    for i, raw in enumerate(samples):
        try:
            texts.append(raw.decode(encoding.name))
        except UnicodeDecodeError:
            guess = detect_encoding([raw])
            shown = raw.decode(guess) if guess else raw[:20]
            seems = f"，看起来是 {guess} 编码" if guess and guess != encoding.name else ""
            raise EncodingError(f"{head}无法解码（第 {i + 1} 个文本 {shown!r} "
                                f"的字节不合此编码{seems}），"
                                f"读出来会是乱码；{OVERRIDE_HINT}") from None
    reason = mojibake_reason(texts)
    if reason is None and encoding.name not in ("UTF-8", "UTF-8-SIG"):
        utf8 = [raw for raw in samples if any(b > 0x7F for b in raw)]
        if utf8 and detect_encoding(utf8) == "UTF-8":
            reason = f"这些文本其实是有效的 UTF-8（如 {utf8[0].decode('utf-8')[:20]!r}）"
    if reason:
        raise EncodingError(f"{head}读取会出现乱码：{reason}；{OVERRIDE_HINT}")
    return texts


def shapefile_encoding(shp: str | Path, user: str | None = None) -> TextEncoding:
    """The encoding of a Shapefile's text: user's choice, else ``.cpg``, else detected.

    The ``.dbf`` text is decoded with it and checked for mojibake (field
    names cut inside a character are accepted; see :func:`trim_truncated_names`).

    Raises
    ------
    EncodingError
        With a Chinese message naming the encoding assumed and how to override it.
    """
    shp = Path(shp)
    names, cells = dbf_text(shp.with_suffix(".dbf"))
    cpg = shp.with_suffix(".cpg")
    if user:
        encoding = TextEncoding(normalise_encoding(user), "user")
    elif cpg.is_file():
        declared = cpg.read_bytes()[:64].decode("ascii", "replace")
        try:
            encoding = TextEncoding(normalise_encoding(declared), "cpg")
        except EncodingError:
            raise EncodingError(f".cpg 文件中的编码 {declared.strip()!r} 无法识别；"
                                f"{OVERRIDE_HINT}") from None
    else:
        name = detect_encoding(cells, names)
        if name is None:
            raise EncodingError("无法识别 Shapefile 的文本编码（既不是 UTF-8 也不是 GBK/GB18030）；"
                                f"{OVERRIDE_HINT}")
        encoding = TextEncoding(name, "detected")
    check_decoding([_untruncated(n, encoding.name) for n in names] + cells, encoding,
                   "Shapefile（.dbf）")
    return encoding


def decode_table_bytes(data: bytes, user: str | None = None) -> tuple[str, TextEncoding]:
    """Decode a CSV file: user's choice, else UTF-8 (with or without BOM), else GBK/GB18030.

    >>> decode_table_bytes("村代码,年份\\n1,2020\\n".encode("gbk"))[1]
    TextEncoding(name='GBK', source='detected')
    >>> decode_table_bytes(codecs.BOM_UTF8 + "村".encode())[1].name
    'UTF-8-SIG'
    """
    if user:
        encoding = TextEncoding(normalise_encoding(user), "user")
    elif data.startswith(codecs.BOM_UTF8):
        encoding = TextEncoding("UTF-8-SIG", "detected")
    else:
        name = detect_encoding([data])
        if name is None:
            raise EncodingError("无法识别 CSV 文件的文本编码（既不是 UTF-8 也不是 GBK/GB18030）；"
                                f"{OVERRIDE_HINT}")
        encoding = TextEncoding(name, "detected")
    lines = data.splitlines()
    check_decoding(lines, encoding, "CSV 文件")
    return data.decode(encoding.name), encoding
