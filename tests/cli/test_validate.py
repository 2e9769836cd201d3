"""``python -m analysis validate``: the catalogue of bad inputs (SPEC §5).

Each case writes one broken file and expects exit 1 and a Chinese message
naming what is wrong; none prints a traceback.
"""
import sqlite3
import subprocess
import sys

import pandas as pd
import pytest
import shapely

from cli.main import main
from tests.conftest import DEMO, ROOT
from tests.geo.conftest import tiny_layers, write_gpkg


def _text(path, content, mode="w"):
    with open(path, mode) as fh:
        fh.write(content)
    return path


def _set(layer, field, row, value):
    def change(layers):
        frame = layers[layer]
        frame[field] = frame[field].astype(object)
        frame.loc[frame.index[row], field] = value
    return change


def _drop_field(layer, field):
    def change(layers):
        layers[layer] = layers[layer].drop(columns=[field])
    return change


def _drop_layer(layer):
    def change(layers):
        del layers[layer]
    return change


def _villages_as_table(layers):
    layers["villages"] = pd.DataFrame(layers["villages"].drop(columns="geometry"))


def _no_crs(layers):
    layers["villages"] = layers["villages"].set_crs(None, allow_override=True)


def _two_orgs(layers):
    layers["joint_orgs"] = pd.concat([layers["joint_orgs"], layers["joint_orgs"].assign(
        org_id="O2", lead_village_code="350481101203")])
    layers["joint_members"] = pd.concat([layers["joint_members"], pd.DataFrame(
        {"org_id": ["O2", "O2"], "village_code": ["350481101202", "350481101203"],
         "joined_year": [2021, 2021]})])


def _empty_geometry(layers):
    layers["villages"].loc[2, "geometry"] = shapely.Polygon()


def _point_village(layers):
    layers["villages"].loc[0, "geometry"] = shapely.Point(117.3, 25.9)


# (case id, how to make the layers bad, fragments the message must contain)
LAYER_CASES = [
    ("no-villages-layer", _drop_layer("villages"), ["缺少必需图层", "villages"]),
    ("villages-without-geometry", _villages_as_table, ["villages", "应为几何图层"]),
    ("missing-field", _drop_field("villages", "households"),
     ["缺少必需字段", "households（户数）"]),
    ("wrong-type", _set("villages", "population", 1, "很多"),
     ["第 2 行", "population（人口）", "不是整数"]),
    ("negative-households", _set("villages", "households", 0, -3),
     ["第 1 行", "households", "超出范围"]),
    ("star-7", _set("villages", "star_rating", 0, 7), ["star_rating（星级）", "0–5"]),
    ("unknown-kind", _set("villages", "kind", 1, "乡"), ["kind（类型）", "'乡'", "行政村"]),
    ("level-5", _set("grids", "level", 0, 5), ["grids（网格）", "level（网格层级）"]),
    ("unknown-org-type", _set("joint_orgs", "org_type", 0, "mixed"), ["org_type", "以强带弱"]),
    ("duplicate-code", _set("villages", "village_code", 1, "350481101201"),
     ["重复", "village_code=350481101201"]),
    ("duplicate-grid", _set("grids", "grid_code", 1, "G3"), ["grids（网格）", "G3 重复"]),
    ("member-unknown-org", _set("joint_members", "org_id", 0, "OX"),
     ["joint_members", "OX", "不存在"]),
    ("member-unknown-village", _set("joint_members", "village_code", 1, "1"),
     ["joint_members", "village_code"]),
    ("village-in-two-orgs", _two_orgs,
     ["同时属于多个联村党组织", "O1、O2", "village_code=350481101202"]),
    ("no-crs", _no_crs, ["没有坐标系", "villages"]),
    ("empty-geometry", _empty_geometry, ["第 3 行", "几何为空"]),
    ("point-village", _point_village, ["几何类型为 点", "Polygon/MultiPolygon"]),
    ("empty-income-year", _set("village_income", "year", 0, None),
     ["village_income", "year（年份）", "不能为空"]),
    ("bad-bool", _set("grids", "party_branch", 1, "有"), ["party_branch", "不是有效的是/否值"]),
]


@pytest.mark.parametrize("case, change, fragments", LAYER_CASES, ids=[c[0] for c in LAYER_CASES])
def test_bad_layers_exit_1_with_message(tmp_path, capsys, case, change, fragments):
    layers = tiny_layers()
    change(layers)
    path = write_gpkg(tmp_path / "bad.gpkg", layers)
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert "Traceback" not in err


def _sqlite_not_gpkg(path):
    sqlite3.connect(path).execute("create table t (a)").connection.commit()
    return path


def _truncated(path):
    full = write_gpkg(path.with_name("full.gpkg"), tiny_layers())
    return _text(path, full.read_bytes()[:5000], "wb")


FILE_CASES = [
    ("empty-file", lambda p: _text(p, ""), ["文件为空"]),
    ("text-file", lambda p: _text(p, "村名,户数\n一村,300\n"), ["不是 GeoPackage"]),
    ("vrt-as-gpkg", lambda p: _text(p, '<OGRVRTDataSource><OGRVRTLayer name="x">'
                                       '<SrcDataSource>/etc/passwd</SrcDataSource>'
                                       '</OGRVRTLayer></OGRVRTDataSource>'), ["不是 GeoPackage"]),
    ("geojson-as-gpkg", lambda p: _text(p, '{"type":"FeatureCollection","features":[]}'),
     ["不是 GeoPackage"]),
    ("sqlite-not-gpkg", _sqlite_not_gpkg, ["SQLite", "不是 GeoPackage"]),
    ("truncated-gpkg", _truncated, ["已损坏或不完整"]),
    ("directory", lambda p: (p.mkdir(), p)[1], ["不是文件"]),
    ("missing-file", lambda p: p, ["文件不存在"]),
]


@pytest.mark.parametrize("case, make, fragments", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_bad_files_exit_1_with_message(tmp_path, capsys, case, make, fragments):
    path = make(tmp_path / "data.gpkg")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr().err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def test_valid_with_warnings_exits_0_and_prints_them(tmp_path, capsys):
    layers = tiny_layers()
    layers["grids"].loc[1, "parent_code"] = "nowhere"
    assert main(["validate", str(write_gpkg(tmp_path / "ok.gpkg", layers))]) == 0
    out = capsys.readouterr().out
    assert "警告：图层 grids（网格）第 2 行（grid_code=G4）字段 parent_code（上级编码）" in out
    assert "数据有效（1 个警告）" in out


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2 and "用法错误" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["frobnicate", "x.gpkg"])
    assert info.value.code == 2


def test_module_entry_point_runs_as_a_process(tmp_path):
    """The real ``python -m analysis`` exits 1 with a Chinese line, no traceback."""
    bad = _text(tmp_path / "bad.gpkg", "hello")
    run = subprocess.run([sys.executable, "-m", "analysis", "validate", str(bad)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "不是 GeoPackage" in run.stderr and "Traceback" not in run.stderr


def test_a_reader_that_stops_early_gets_no_error():
    """``kpis … --json | head``: the closed pipe ends the command quietly (exit 0),
    not with 内部错误 or a traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "kpis", str(DEMO), "--by",
                             "township", "--json"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout.read(20).startswith(b"[")
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=120) == 0, err
    assert "内部错误" not in err and "Traceback" not in err and "BrokenPipe" not in err
