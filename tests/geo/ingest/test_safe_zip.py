"""geo.ingest.safe_zip: every entry checked before anything is written; only
chosen parts extracted."""
import os
import zipfile

import pytest

from geo.ingest.safe_zip import (ArchiveError, ZipLimits, check_zip, display_name,
                                 extract_members, shapefile_members)
from tests.geo.ingest.fixtures import device_entry, link_entry, zip_entries

SHP = [("v/村.shp", b"\x00\x00\x27\x0a"), ("v/村.shx", b"\x00\x00\x27\x0a"), ("v/村.dbf", b"\x03")]


@pytest.mark.parametrize("name", ["../evil.shp", "a/../../evil.shp", "/etc/evil.shp", "\\evil.shp",
                                  "C:/evil.shp", "a\\..\\..\\evil.shp"])
def test_unsafe_paths_are_refused(tmp_path, name):
    path = zip_entries(tmp_path / "a.zip", [(name, b"x")])
    with pytest.raises(ArchiveError, match="路径不安全"):
        check_zip(path)


def test_links_and_devices_are_refused(tmp_path):
    with pytest.raises(ArchiveError, match="符号链接"):
        check_zip(zip_entries(tmp_path / "l.zip", [link_entry()]))
    with pytest.raises(ArchiveError, match="设备文件"):
        check_zip(zip_entries(tmp_path / "d.zip", [device_entry()]))


def _mark_encrypted(path):
    """Set the 'encrypted' flag in the local and central headers of a one-entry zip."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x1
    path.write_bytes(bytes(data))
    return path


def test_encrypted_and_nested_archives_are_refused(tmp_path):
    encrypted = _mark_encrypted(zip_entries(tmp_path / "e.zip", [("a.dbf", b"x")]))
    with pytest.raises(ArchiveError, match="'a.dbf' 已加密"):
        check_zip(encrypted)
    with pytest.raises(ArchiveError, match="又含压缩包 'inner.zip'"):
        check_zip(zip_entries(tmp_path / "n.zip", [("inner.zip", b"PK\x03\x04")]))


def test_nested_archive_hidden_under_a_shapefile_name_is_refused_on_extraction(tmp_path):
    path = zip_entries(tmp_path / "n.zip", [("v.dbf", b"PK\x03\x04" + b"x" * 100)])
    infos = check_zip(path)
    with pytest.raises(ArchiveError, match="本身是压缩包"):
        extract_members(path, {".dbf": infos[0]}, tmp_path)


def test_limits_on_count_total_size_and_ratio(tmp_path):
    many = zip_entries(tmp_path / "m.zip", [(f"f{i}.txt", b"x") for i in range(201)])
    with pytest.raises(ArchiveError, match="201 个条目，超过上限 200"):
        check_zip(many)
    big = zip_entries(tmp_path / "b.zip", [("a.dbf", b"a" * 5000), ("b.dbf", b"b" * 5000)])
    with pytest.raises(ArchiveError, match="超过 8000 字节的上限"):
        check_zip(big, ZipLimits(max_total_bytes=8000))
    bomb = zip_entries(tmp_path / "z.zip", [("v.dbf", b"\x00" * (3 << 20))])
    assert os.path.getsize(bomb) < 20_000  # 3 MiB of zeros in a few kB: ratio > 200:1
    with pytest.raises(ArchiveError, match="压缩炸弹"):
        check_zip(bomb)
    # under 1 MiB: allowed
    mild = zip_entries(tmp_path / "ok.zip", [("v.dbf", b"\x00" * (512 << 10))])
    assert [i.filename for i in check_zip(mild)] == ["v.dbf"]


def test_extraction_counts_real_bytes_not_the_header(tmp_path):
    path = zip_entries(tmp_path / "a.zip", [("v.dbf", b"y" * 10_000)])
    infos = check_zip(path)
    with pytest.raises(ArchiveError, match="压缩炸弹"):
        extract_members(path, {".dbf": infos[0]}, tmp_path, ZipLimits(max_total_bytes=4096))


def test_duplicate_names_and_broken_archives(tmp_path):
    with pytest.warns(UserWarning):
        dup = zip_entries(tmp_path / "d.zip", [("a.shp", b"1"), ("a.shp", b"2")])
    with pytest.raises(ArchiveError, match="重名"):
        check_zip(dup)
    broken = tmp_path / "x.zip"
    broken.write_bytes(b"PK\x03\x04not really")
    with pytest.raises(ArchiveError, match="已损坏或不完整"):
        check_zip(broken)


def test_shapefile_members_choose_and_missing_parts(tmp_path):
    infos = check_zip(zip_entries(tmp_path / "a.zip", SHP + [("v/readme.txt", b"")]))
    assert sorted(shapefile_members(infos)) == [".dbf", ".shp", ".shx"]
    with pytest.raises(ArchiveError, match="缺少 .dbf"):
        shapefile_members([i for i in infos if not i.filename.endswith(".dbf")])
    with pytest.raises(ArchiveError, match="没有 .shp"):
        shapefile_members([i for i in infos if not i.filename.endswith(".shp")])
    two = check_zip(zip_entries(tmp_path / "b.zip", SHP + [("乡镇.shp", b""), ("乡镇.shx", b""),
                                                           ("乡镇.dbf", b"")]))
    with pytest.raises(ArchiveError, match="2 个 .shp 文件（v/村.shp、乡镇.shp），请选择一个"):
        shapefile_members(two)
    assert shapefile_members(two, "乡镇.shp")[".shp"].filename == "乡镇.shp"
    with pytest.raises(ArchiveError, match="没有 '别的.shp'"):
        shapefile_members(two, "别的.shp")


def test_gbk_entry_names_are_shown_readably():
    info = zipfile.ZipInfo("村界.shp".encode("gbk").decode("cp437"))
    assert display_name(info) == "村界.shp"


def test_only_the_chosen_parts_are_written_under_safe_names(tmp_path):
    path = zip_entries(tmp_path / "a.zip", SHP + [("v/other.txt", b"x")])
    out = tmp_path / "out"
    out.mkdir()
    paths = extract_members(path, shapefile_members(check_zip(path)), out)
    assert sorted(os.listdir(out)) == ["layer.dbf", "layer.shp", "layer.shx"]
    assert paths[".dbf"].read_bytes() == b"\x03"


def test_extraction_never_writes_through_an_existing_file_or_link(tmp_path):
    path = zip_entries(tmp_path / "a.zip", SHP)
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim"
    victim.write_text("keep")
    (out / "layer.shp").symlink_to(victim)
    with pytest.raises(FileExistsError):
        extract_members(path, shapefile_members(check_zip(path)), out)
    assert victim.read_text() == "keep"
