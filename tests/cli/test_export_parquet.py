"""``python -m analysis export-parquet DATA.gpkg DIR`` and ``kpis DIR`` (issue 18).

The toy dataset of ``tests/analysis/conftest.py`` as a GeoPackage, exported
into a partitioned folder.  The engine runs its tasks in this process here
(``dask_client`` replaced); tests/analysis/test_partitioned.py runs a cluster.
"""
import contextlib
import json
import shutil

import geopandas as gpd
import pyogrio
import pytest

import analysis.partitioned
from cli.main import main
from geo import schema as s
from geo.partitioned import MANIFEST, read_figures, read_manifest
from tests.analysis.conftest import toy_layers


def write_gpkg(path, layers):
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG")
    return path


@pytest.fixture(scope="module")
def gpkg(tmp_path_factory):
    return write_gpkg(tmp_path_factory.mktemp("gpkg") / "toy.gpkg", toy_layers())


@pytest.fixture(scope="module")
def folder(gpkg, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "toy"
    assert main(["export-parquet", str(gpkg), str(out)]) == 0
    return out


@pytest.fixture
def in_process(monkeypatch):
    """The engine's tasks in this process: no cluster to start in a command-line test."""
    @contextlib.contextmanager
    def no_cluster(*args, **kwargs):
        yield None
    monkeypatch.setattr(analysis.partitioned, "dask_client", no_cluster)


def run_json(capsys, *argv):
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_export_writes_a_manifest_and_says_what(gpkg, tmp_path, capsys):
    out = tmp_path / "全国"
    assert main(["export-parquet", str(gpkg), str(out)]) == 0
    said = capsys.readouterr().out
    assert "已导出到" in said and "3 个分区（县）" in said and "grids（网格） 17 行" in said
    assert (out / MANIFEST).is_file() and read_manifest(out).rows(s.VILLAGES) == 6


def test_kpis_of_the_folder_equal_those_of_the_geopackage(gpkg, folder, capsys):
    expected = run_json(capsys, "kpis", str(gpkg), "--by", "county")
    assert run_json(capsys, "kpis", str(folder), "--by", "county") == expected


def test_kpis_on_the_engine_equal_those_in_memory(gpkg, folder, capsys, in_process):
    expected = run_json(capsys, "kpis", str(gpkg))
    got = run_json(capsys, "kpis", str(folder), "--workers", "2", "--batch-villages", "1")
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == (value if value is None else pytest.approx(value, abs=1e-9)), key


def test_save_table_writes_the_figures_of_every_level(folder, tmp_path, capsys, in_process):
    copy = shutil.copytree(folder, tmp_path / "copy")
    assert main(["kpis", str(copy), "--save-table"]) == 0
    assert "行政村数" in capsys.readouterr().out
    table, outlines, info = read_figures(copy)
    assert table["level"].tolist() == ["national", "province", "county", "county"]
    assert sorted(outlines[s.COUNTY_CODE]) == ["350001", "350002"]
    assert info["params"]["service_radius_m"] == 1000.0


def test_export_refuses_a_folder_that_is_not_empty(gpkg, tmp_path, capsys):
    (tmp_path / "old.txt").write_text("x")
    assert main(["export-parquet", str(gpkg), str(tmp_path)]) == 1
    assert "已存在且不为空" in capsys.readouterr().err
    assert not (tmp_path / MANIFEST).exists()


def test_export_refuses_an_invalid_dataset_naming_layer_field_row(tmp_path, capsys):
    layers = toy_layers()
    layers[s.VILLAGES].loc[2, s.POPULATION] = -1
    bad = write_gpkg(tmp_path / "bad.gpkg", layers)
    assert main(["export-parquet", str(bad), str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "错误：图层 villages（村（社区））第 3 行（village_code=350001102201）" \
           "字段 population" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_the_engine_names_a_bad_row_of_a_partition(folder, tmp_path, capsys, in_process):
    bad = shutil.copytree(folder, tmp_path / "bad")
    path = bad / read_manifest(bad).partitions[0].file(s.GRIDS)
    grids = gpd.read_parquet(path)
    grids.loc[grids[s.GRID_CODE] == "G2-2", s.HOUSEHOLDS] = -4
    grids.to_parquet(path, index=False, write_covering_bbox=True)
    assert main(["kpis", str(bad), "--workers", "1"]) == 1
    err = capsys.readouterr().err
    assert "错误：图层 grids（网格）第 6 行（grid_code=G2-2）字段 households（户数）" in err
    assert "数据无效" in err and "Traceback" not in err


def test_the_engine_is_only_for_a_partitioned_folder(gpkg, capsys):
    assert main(["kpis", str(gpkg), "--workers", "2"]) == 2
    assert "只适用于分区数据集目录" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--workers", "0"], ["--batch-villages", "x"]])
def test_usage_errors_exit_2(folder, capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(["kpis", str(folder), *argv])
    assert info.value.code == 2 and "用法错误" in capsys.readouterr().err


def _no_manifest(root):
    (root / MANIFEST).unlink()


def _bad_manifest(root):
    (root / MANIFEST).write_text("{", encoding="utf-8")


def _other_version(root):
    doc = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    (root / MANIFEST).write_text(json.dumps({**doc, "version": 99}), encoding="utf-8")


def _missing_file(root):
    (root / read_manifest(root).partitions[1].file(s.GRIDS)).unlink()


@pytest.mark.parametrize("damage, fragments", [
    (_no_manifest, ["不是分区数据集目录", "export-parquet"]),
    (_bad_manifest, ["清单", "无法读取或已损坏"]),
    (_other_version, ["版本 99 不受支持"]),
    (_missing_file, ["图层 grids（网格）：分区文件", "350002.parquet 无法读取"]),
], ids=["no-manifest", "bad-manifest", "other-version", "missing-file"])
@pytest.mark.parametrize("command", [["validate"], ["kpis"], ["kpis", "--workers", "1"]],
                         ids=["validate", "kpis", "engine"])
def test_a_damaged_folder_exits_1_with_a_message(folder, tmp_path, capsys, in_process, damage,
                                                 fragments, command):
    root = shutil.copytree(folder, tmp_path / "damaged")
    damage(root)
    assert main([command[0], str(root), *command[1:]]) == 1
    err = capsys.readouterr().err
    for fragment in fragments:
        assert fragment in err, (fragment, err)
    assert "Traceback" not in err
