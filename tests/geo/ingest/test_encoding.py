"""geo.ingest.encoding: .cpg first, else detection; mojibake refused with the encoding named."""
import codecs

import pytest

from geo.ingest.encoding import (EncodingError, TextEncoding, check_decoding, dbf_text,
                                 decode_table_bytes, detect_encoding, mojibake_reason,
                                 normalise_encoding, shapefile_encoding, trim_truncated_names)
from tests.geo.ingest.fixtures import chinese_villages, write_shapefile


@pytest.mark.parametrize("text, name", [("GBK", "GBK"), ("936", "GBK"), ("CP936", "GBK"),
                                        ("ANSI 936", "GBK"), ("gb2312", "GBK"), ("UTF-8", "UTF-8"),
                                        ("65001", "UTF-8"), ("GB18030", "GB18030"),
                                        ("54936", "GB18030"), ("8859_1", "ISO-8859-1"),
                                        ("cp1251\n", "CP1251")])
def test_cpg_names_map_to_codecs(text, name):
    assert normalise_encoding(text) == name


def test_dbf_text_reads_field_names_and_cells_as_bytes(tmp_path):
    shp = write_shapefile(tmp_path, chinese_villages())
    names, cells = dbf_text(shp.with_suffix(".dbf"))
    assert "村名".encode("gbk") in names and "燕江社区".encode("gbk") in cells
    with pytest.raises(EncodingError, match="不完整"):
        dbf_text(_write(tmp_path / "x.dbf", b"\x03abc"))


def _write(path, data):
    path.write_bytes(data)
    return path


def test_gbk_shapefile_with_cpg_without_cpg_and_forced(tmp_path):
    with_cpg = write_shapefile(tmp_path / "a", chinese_villages())
    assert with_cpg.with_suffix(".cpg").read_text().strip() == "GBK"
    assert shapefile_encoding(with_cpg) == TextEncoding("GBK", "cpg")
    without = write_shapefile(tmp_path / "b", chinese_villages(), cpg=False)
    assert shapefile_encoding(without) == TextEncoding("GBK", "detected")
    assert shapefile_encoding(without, "gb18030") == TextEncoding("GB18030", "user")


def test_utf8_shapefile_is_detected_and_names_cut_inside_a_character_are_trimmed(tmp_path):
    shp = write_shapefile(tmp_path, chinese_villages(), encoding="UTF-8", cpg=False)
    cut = "乡镇（".encode("utf-8") + "街".encode("utf-8")[:1]  # GDAL cut 乡镇（街道） at 10 bytes
    assert cut in dbf_text(shp.with_suffix(".dbf"))[0]
    assert shapefile_encoding(shp) == TextEncoding("UTF-8", "detected")
    assert trim_truncated_names(shp.with_suffix(".dbf"), "UTF-8") == ["乡镇（"]
    assert "乡镇（".encode("utf-8") in dbf_text(shp.with_suffix(".dbf"))[0]


@pytest.mark.parametrize("forced, fragment", [
    ("latin-1", "按 ISO-8859-1（用户指定）读取会出现乱码：含非中文的异常字符"),
    ("cp1252", "按 CP1252（用户指定）"),
    ("UTF-8", "按 UTF-8（用户指定）无法解码"),
])
def test_wrong_forced_encoding_is_refused_as_mojibake(tmp_path, forced, fragment):
    shp = write_shapefile(tmp_path, chinese_villages(), cpg=False)
    with pytest.raises(EncodingError) as info:
        shapefile_encoding(shp, forced)
    assert fragment in str(info.value) and "--encoding" in str(info.value)


def test_wrong_cpg_is_refused_both_ways(tmp_path):
    gbk = write_shapefile(tmp_path / "a", chinese_villages())
    gbk.with_suffix(".cpg").write_text("UTF-8")
    with pytest.raises(EncodingError, match=r"按 UTF-8（来自 .cpg 文件）无法解码.*'村代码'"):
        shapefile_encoding(gbk)
    utf8 = write_shapefile(tmp_path / "b", chinese_villages(), encoding="UTF-8")
    utf8.with_suffix(".cpg").write_text("936")
    with pytest.raises(EncodingError,
                       match=r"按 GBK（来自 .cpg 文件）无法解码.*看起来是 UTF-8 编码"):
        shapefile_encoding(utf8)
    utf8.with_suffix(".cpg").write_text("EBCDIC-klingon")
    with pytest.raises(EncodingError, match=".cpg 文件中的编码 'EBCDIC-klingon' 无法识别"):
        shapefile_encoding(utf8)


def test_ascii_only_text_is_fine_in_any_encoding():
    assert detect_encoding([b"abc", b"123"]) == "UTF-8"
    assert check_decoding([b"abc"], TextEncoding("GBK", "cpg"), "x") == ["abc"]


def test_mojibake_reasons():
    assert mojibake_reason(["洪田村", "第①网格", "Ⅲ区", "No.5"]) is None
    assert "异常字符" in mojibake_reason(["洪田村".encode("utf-8").decode("latin-1")])
    assert "替换字符" in mojibake_reason(["洪\ufffd"])
    # one foreign word among Chinese text
    assert mojibake_reason(["洪田村"] * 20 + ["Café"]) is None


def test_undecodable_text_is_refused():
    with pytest.raises(EncodingError, match="既不是 UTF-8 也不是 GBK/GB18030"):
        decode_table_bytes(b"\x81\x20\xff\xfe\x80")


@pytest.mark.parametrize("data, name", [
    ("村代码,年份\n1,2020\n".encode("utf-8"), "UTF-8"),
    (codecs.BOM_UTF8 + "村代码,年份\n1,2020\n".encode("utf-8"), "UTF-8-SIG"),
    ("村代码,年份\n1,2020\n".encode("gbk"), "GBK"),
    ("村代码,名称\n1,㐀坑村\n".encode("gb18030"), "GB18030"),  # U+3400 is not in GBK
])
def test_csv_encodings_are_detected(data, name):
    text, used = decode_table_bytes(data)
    assert used == TextEncoding(name, "detected") and text.lstrip("\ufeff").startswith("村代码")


def test_csv_forced_encoding_is_checked():
    with pytest.raises(EncodingError, match="按 ISO-8859-1（用户指定）读取会出现乱码"):
        decode_table_bytes("村代码,名称\n1,洪田村\n".encode("gbk"), "latin-1")
