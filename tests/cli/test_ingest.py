"""``python -m analysis import`` (SPEC §5): exit 0 imported, 1 refused, 2 usage."""
import json
import sqlite3
import subprocess
import sys

import pandas as pd
import pyogrio
import pytest
import shapely

from cli.main import main
from geo.dataset import load_dataset
from tests.conftest import ROOT
from tests.geo.conftest import tiny_layers
from tests.geo.ingest.fixtures import (VRT, base_dataset, chinese_villages, digest, frame_to_csv,
                                       income_rows, passwd_leaked, write_shapefile, write_text,
                                       xlsx_bytes, zip_shapefile)


def _run(capsys, *args):
    code = main(["import", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_gbk_shapefile_without_prj_then_an_xlsx_income_sheet(tmp_path, capsys):
    """The issue's 'done when' path on the command line: a new dataset from a GBK shapefile
    (no .prj, no .cpg), then 村集体经营性收入 from an XLSX with Chinese headers."""
    shp = write_shapefile(tmp_path / "src", chinese_villages(), cpg=False, prj=False)
    upload = zip_shapefile(shp, tmp_path / "村界.zip")
    data = tmp_path / "DATA.gpkg"
    code, _, err = _run(capsys, upload, "--layer", "villages", "--into", data)
    assert code == 1 and "--crs" in err and not data.exists()
    code, out, _ = _run(capsys, upload, "--layer", "villages", "--into", data, "--crs", "EPSG:4490")
    assert (code == 0 and "已导入 villages（村（社区）） 4 行" in out
            and "编码 GBK（自动识别）" in out)
    assert load_dataset(data).villages["name"].tolist() == ["一村", "二村", "三村", "燕江社区"]
    before = data.read_bytes()
    sheet = write_text(tmp_path / "收入.xlsx", xlsx_bytes({"收入": income_rows()}))
    code, out, _ = _run(capsys, sheet, "--layer", "village_income", "--into", data)
    assert code == 0 and ("已导入 village_income（村集体经营性收入） 6 行"
                          "（Excel（.xlsx），来源 收入）") in out
    income = load_dataset(data).village_income
    assert income["collective_income"].tolist() == [60.0, 8.0, 20.0, 66.0, 12.0, 21.0]
    assert income["year"].tolist() == [2019] * 3 + [2020] * 3
    kept = list((tmp_path / "DATA.versions").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == before and f"原数据已保存为 {kept[0]}" in out


def test_warnings_are_printed_and_the_import_succeeds(tmp_path, capsys):
    data = base_dataset(tmp_path)
    income = pd.DataFrame({"村代码": ["350481101201", "999"], "年度": [2021, 2021],
                           "村财收入": ["70", "5"]})
    code, out, _ = _run(capsys, frame_to_csv(income, tmp_path / "i.csv", "gbk"),
                        "--layer", "village_income", "--into", data)
    assert code == 0
    assert "警告：图层 village_income（村集体经营性收入）第 2 行（village_code=999）" in out
    assert "编码 GBK（自动识别）" in out


def test_map_option_names_the_columns(tmp_path, capsys):
    data = base_dataset(tmp_path)
    income = frame_to_csv(pd.DataFrame({"编码": ["350481101201"], "年": [2021], "收入": [70]}),
                          tmp_path / "i.csv")
    code, _, err = _run(capsys, income, "--layer", "village_income", "--into", data)
    assert code == 1 and "--map 源列=字段" in err
    code, out, _ = _run(capsys, income, "--layer", "village_income", "--into", data,
                        "--map", "编码=village_code", "--map", "年=year",
                        "--map", "收入=collective_income")
    assert code == 0 and load_dataset(data).village_income["collective_income"].tolist() == [70.0]


def test_gcj02_coordinates_are_converted_on_import(tmp_path, capsys):
    data = base_dataset(tmp_path)
    path = tmp_path / "amap.geojson"
    chinese_villages().to_file(path, driver="GeoJSON", engine="pyogrio")
    code, out, _ = _run(capsys, path, "--layer", "villages", "--into", data, "--coords", "gcj02")
    assert code == 0 and "已把 4 个要素的坐标从 GCJ-02 转换为 WGS84" in out
    moved = shapely.distance(load_dataset(data).villages.geometry.values[0].centroid,
                             tiny_layers()["villages"].geometry.values[0].centroid)
    assert 0.002 < moved < 0.01  # degrees, a few hundred metres


def test_other_layers_need_an_existing_dataset(tmp_path, capsys):
    data = tmp_path / "new.gpkg"
    income = write_text(tmp_path / "i.xlsx", xlsx_bytes({"收入": income_rows()}))
    code, _, err = _run(capsys, income, "--layer", "village_income", "--into", data)
    assert code == 1 and "不存在；请先导入 villages" in err and not data.exists()
    code, _, err = _run(capsys, income, "--layer", "village_income",
                        "--into", tmp_path / "no" / "d.gpkg")
    assert code == 1 and "目标目录不存在" in err


@pytest.mark.parametrize("args", [
    ["x.csv", "--into", "d.gpkg"],
    ["x.csv", "--layer", "towns", "--into", "d.gpkg"],
    ["x.csv", "--layer", "villages", "--into", "d.gpkg", "--map", "村名"],
    ["x.csv", "--layer", "villages", "--into", "d.gpkg", "--coords", "mars"],
    ["--layer", "villages", "--into", "d.gpkg"],
])
def test_usage_errors_exit_2(capsys, args):
    with pytest.raises(SystemExit) as info:
        main(["import", *args])
    assert info.value.code == 2 and "用法错误" in capsys.readouterr().err


def test_the_real_command_refuses_a_vrt_without_a_traceback(tmp_path):
    data = base_dataset(tmp_path)
    before = digest(data)
    vrt = write_text(tmp_path / "villages.geojson", VRT.format(layer="villages"))
    run = subprocess.run([sys.executable, "-m", "analysis", "import", str(vrt),
                          "--layer", "villages", "--into", str(data)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "OGR VRT" in run.stderr
    assert "Traceback" not in run.stderr and not passwd_leaked(run.stdout + run.stderr)
    assert digest(data) == before


def _all_but_villages(tmp_path):
    """DATA.gpkg with every tiny layer but villages (invalid), and the villages as GeoJSON."""
    layers = tiny_layers()
    villages = layers.pop("villages")
    upload = tmp_path / "villages.geojson"
    villages.to_file(upload, driver="GeoJSON", engine="pyogrio")
    return base_dataset(tmp_path, layers), upload


def test_importing_the_missing_villages_repairs_the_dataset(tmp_path, capsys):
    data, upload = _all_but_villages(tmp_path)
    code, out, _ = _run(capsys, upload, "--layer", "villages", "--into", data)
    assert code == 0 and "本次导入修复了原数据集的 3 个错误" in out and "导入后的数据集有效" in out
    assert "已导入 villages（村（社区）） 4 行" in out
    assert sorted(str(n) for n, _ in pyogrio.list_layers(data)) == sorted(tiny_layers())
    assert main(["kpis", str(data), "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    # O1 = {一村, 二村} of the villages 一村, 二村, 三村 (燕江 is a community);
    # incomes 2019 → 2020: 一村 60 → 66, 二村 8 → 12, 三村 20 → 21
    assert (figures["villages_total"], figures["joint_villages"],
            figures["joint_orgs"]) == (3, 2, 1)
    assert figures["joint_coverage"] == pytest.approx(2 / 3)
    assert figures["joint_population_coverage"] == pytest.approx((900 + 600) / (900 + 600 + 300))
    assert figures["avg_income_gain_joint"] == pytest.approx(5.0)
    assert figures["income_growth_all"] == pytest.approx(99 / 88 - 1)
    assert (figures["grid_l3"], figures["grid_l4"], figures["grid_orphans"]) == (1, 1, 0)


def test_a_repair_leaving_a_dangling_member_is_refused(tmp_path, capsys):
    data, _ = _all_but_villages(tmp_path)
    before = digest(data)
    upload = tmp_path / "three.geojson"
    tiny_layers()["villages"].iloc[[0, 2, 3]].to_file(upload, driver="GeoJSON", engine="pyogrio")
    code, _, err = _run(capsys, upload, "--layer", "villages", "--into", data)
    assert code == 1 and digest(data) == before
    assert "本身有 3 个错误；本次导入修复了其中 2 个" in err and "仍有 1 个未修复" in err
    assert ("错误：图层 joint_members（联村成员）第 2 行（village_code=350481101202）"
            "字段 village_code（村代码）") in err
    assert "未导入：2 个错误" in err and f"{data} 未改动" in err


def test_a_broken_other_layer_is_refused_with_the_remaining_errors(tmp_path, capsys):
    layers = tiny_layers()
    layers["villages"].loc[0, "households"] = -1
    data = base_dataset(tmp_path, layers)
    before = digest(data)
    income = write_text(tmp_path / "i.xlsx", xlsx_bytes({"收入": income_rows()}))
    code, _, err = _run(capsys, income, "--layer", "village_income", "--into", data)
    assert code == 1 and digest(data) == before
    assert "本身有 1 个错误；本次导入没有修复其中任何一个" in err
    assert ("错误：图层 villages（村（社区））第 1 行（village_code=350481101201）"
            "字段 households（户数）") in err
    assert not (tmp_path / "DATA.versions").exists()


def test_files_that_are_not_geopackages_are_still_refused(tmp_path, capsys):
    """An upload that only claims to be a GeoPackage, and a target that is not one."""
    data, upload = _all_but_villages(tmp_path)
    before = digest(data)
    fake = tmp_path / "村界.gpkg"
    db = sqlite3.connect(fake)  # SQLite, but no GeoPackage id
    db.execute("create table villages (village_code text)")
    db.commit()
    db.close()
    code, _, err = _run(capsys, fake, "--layer", "villages", "--into", data)
    assert code == 1 and digest(data) == before and not (tmp_path / "DATA.versions").exists()
    first, second = err.splitlines()[:2]
    assert "本身有 3 个错误" in first and "本次导入的文件未能读取" in first
    assert "不是 GeoPackage" in second
    target = write_text(tmp_path / "OTHER.gpkg", "not a GeoPackage")
    code, _, err = _run(capsys, upload, "--layer", "villages", "--into", target)
    assert code == 1 and "不是 GeoPackage" in err and "导入图层不能修复" in err
    assert target.read_text() == "not a GeoPackage"
