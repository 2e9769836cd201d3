"""geo.ingest.plan: whole-dataset validation, problem reports, atomic writes, a killed import."""
import io
import os
import signal
import subprocess
import sys
import time

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.dataset import load_dataset, read_dataset
from geo.ingest import plan as imp
from geo.ingest.base import read_base
from geo.ingest.read import read_upload
from geo.problems import Problem
from tests.conftest import DEMO, ROOT
from tests.geo.conftest import tiny_layers
from tests.geo.ingest.fixtures import (base_dataset, chinese_villages, digest, frame_to_csv,
                                       no_temp_files, write_shapefile, write_text)


def _villages_upload(tmp_path, layers=None):
    return write_shapefile(tmp_path / "upload", chinese_villages(layers))


def test_plan_validates_the_whole_dataset_with_the_new_layer(tmp_path):
    base = load_dataset(base_dataset(tmp_path))
    layers = tiny_layers()
    # 二村 is gone, but still a member of O1
    layers["villages"] = layers["villages"].iloc[[0, 2, 3]]
    plan = imp.plan_import(base, "villages",
                           read_upload(_villages_upload(tmp_path, layers), "villages"))
    assert not plan.can_confirm
    assert ([(p.layer, p.field, p.row) for p in plan.errors]
            == [("joint_members", "village_code", 2)])
    ok = imp.plan_import(base, "villages",
                         read_upload(_villages_upload(tmp_path / "b"), "villages"))
    assert ok.can_confirm and sorted(ok.layers) == sorted(base.present)
    assert ok.layers["villages"]["kind"].tolist() == ["village", "village", "village", "community"]


def test_plan_reports_warnings_and_a_missing_villages_layer(tmp_path):
    income = pd.DataFrame({"村代码": ["350481101201", "999"], "年份": [2021, 2021],
                           "村财收入": [70, 5]})
    upload = frame_to_csv(income, tmp_path / "i.csv")
    plan = imp.plan_import(load_dataset(base_dataset(tmp_path)), "village_income",
                           read_upload(upload, "village_income"))
    assert plan.can_confirm
    assert ("village_income", "village_code", 2) in [(p.layer, p.field, p.row)
                                                     for p in plan.warnings]
    alone = imp.plan_import(None, "village_income", read_upload(upload, "village_income"))
    assert not alone.can_confirm and "请先导入村（社区）图层" in alone.errors[0].message


def test_a_refused_read_gives_a_plan_that_cannot_be_confirmed(tmp_path):
    empty = tmp_path / "x.csv"
    empty.write_bytes(b"")
    plan = imp.plan_import(None, "village_income", read_upload(empty, "village_income"))
    assert not plan.can_confirm and plan.layers == {} and plan.errors[0].code == "empty_file"


PROBLEMS = [Problem("error", "x", "villages", "households", 3, "3501", "=HYPERLINK(\"http://x\")"),
            Problem("warning", "y", "grids", None, None, None, "+1"),
            Problem("warning", "z", None, None, None, "-2", "@SUM(A1)")]


def test_problems_table_and_downloads_keep_formulas_as_text():
    table = imp.problems_table(PROBLEMS)
    assert list(table.columns) == ["级别", "图层", "字段", "行", "编号", "说明"]
    assert table["级别"].tolist() == ["错误", "警告", "警告"] and table["行"].iloc[0] == 3
    text = imp.problems_csv_bytes(PROBLEMS).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and ",'+1" in text and "'-2" in text and "'@SUM(A1)" in text
    sheet = openpyxl.load_workbook(io.BytesIO(imp.problems_xlsx_bytes(PROBLEMS))).active
    assert [c.value for c in sheet[1]] == list(imp.TABLE_HEADERS)
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert {c.data_type for c in cells} == {"s"}  # no cell became a formula
    assert sheet["F2"].value.startswith("=HYPERLINK") and sheet["D2"].value == 3


def test_write_round_trip_and_failure_leaves_the_old_file(tmp_path, monkeypatch):
    path = base_dataset(tmp_path)
    dataset = load_dataset(path)
    layers = {n: dataset.layers[n] for n in dataset.present}
    out = imp.write_dataset_gpkg(layers, tmp_path / "copy.gpkg")
    again = load_dataset(out)
    for name in layers:
        pd.testing.assert_frame_equal(
            pd.DataFrame(again.layers[name]).drop(columns="geometry", errors="ignore"),
            pd.DataFrame(layers[name]).drop(columns="geometry", errors="ignore"))
    before, real = digest(path), pyogrio.write_dataframe
    calls = []

    def failing(*args, **kwargs):
        calls.append(kwargs["layer"])
        if len(calls) == 3:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(pyogrio, "write_dataframe", failing)
    with pytest.raises(OSError, match="disk full"):
        imp.write_dataset_gpkg(layers, path)
    assert digest(path) == before and no_temp_files(tmp_path)


def test_stale_temporary_files_of_dead_processes_are_removed(tmp_path):
    path = base_dataset(tmp_path)
    dead = tmp_path / ".DATA.abc.999999999.tmp.gpkg"
    alive = tmp_path / f".DATA.def.{os.getpid()}.tmp.gpkg"
    dead.write_bytes(b"half")
    alive.write_bytes(b"busy")
    imp.write_dataset_gpkg({"villages": load_dataset(path).villages}, path)
    assert not dead.exists() and alive.exists()


def test_import_into_keeps_the_previous_version(tmp_path):
    path = base_dataset(tmp_path)
    old = path.read_bytes()
    outcome = imp.import_into(path, _villages_upload(tmp_path), "villages")
    assert outcome.imported and outcome.previous.read_bytes() == old
    assert outcome.previous.parent == tmp_path / "DATA.versions"
    assert read_dataset(path)[0] is not None and no_temp_files(tmp_path)


def test_import_into_an_invalid_dataset_is_refused(tmp_path):
    layers = tiny_layers()
    layers["villages"].loc[0, "households"] = -1
    path = base_dataset(tmp_path, layers)
    before = digest(path)
    outcome = imp.import_into(path, _villages_upload(tmp_path), "grids")
    assert not outcome.imported and outcome.problems[0].code == "base_invalid"
    assert digest(path) == before


def _start_import(upload, data, pause=None):
    env = dict(os.environ)
    if pause:
        env[imp.ENV_TEST_PAUSE] = str(pause)
    return subprocess.Popen([sys.executable, "-m", "analysis", "import", str(upload),
                             "--layer", "villages", "--into", str(data)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.fixture
def city(tmp_path):
    """DATA.gpkg = the demo dataset; the upload = its 1,934 villages as GeoJSON."""
    data = tmp_path / "DATA.gpkg"
    data.write_bytes(DEMO.read_bytes())
    upload = tmp_path / "villages.geojson"
    pyogrio.write_dataframe(load_dataset(DEMO).villages, upload, driver="GeoJSON")
    return data, upload


def test_import_killed_just_before_the_replace_leaves_the_dataset_intact(city):
    data, upload = city
    before = digest(data)
    proc = _start_import(upload, data, pause=60)
    try:
        for line in proc.stderr:  # the hook logs one line, then sleeps
            if "test pause before replace" in line:
                break
        assert [p.name for p in data.parent.glob(".DATA.*.tmp.gpkg")]  # the new file was written
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        proc.kill()
    assert digest(data) == before and load_dataset(data).villages.shape[0] == 1934
    assert imp.import_into(data, upload, "villages").imported  # the next import cleans up
    assert no_temp_files(data.parent)


def test_a_second_import_while_one_is_writing_is_refused(city):
    """Import A pauses just before its replace, holding the lock; import B is
    refused with a message and changes nothing; after A is killed, B goes through."""
    data, upload = city
    before = digest(data)
    proc = _start_import(upload, data, pause=60)
    try:
        for line in proc.stderr:
            if "test pause before replace" in line:
                break
        outcome = imp.import_into(data, upload, "villages")
        assert not outcome.imported and outcome.problems[0].code == "busy"
        assert "另一个导入正在写入" in outcome.problems[0].message
        assert digest(data) == before
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert imp.import_into(data, upload, "villages").imported


def test_import_killed_at_random_moments_is_all_or_nothing(city):
    data, upload = city
    before = digest(data)
    for delay in np.random.default_rng(11).uniform(0.5, 4.0, 2):
        proc = _start_import(upload, data)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        state = digest(data)
        if state != before:  # the import had replaced the file (it may not have exited yet)
            before = state
        assert load_dataset(data).villages.shape[0] == 1934


def test_odd_extra_columns_are_written_as_text(tmp_path):
    orgs = pd.DataFrame({"org_id": ["A", "B"], "fid": ["x", "y"], "备注": [1, "两个"]})
    path = imp.write_dataset_gpkg({"joint_orgs": orgs}, tmp_path / "d.gpkg")
    back = pyogrio.read_dataframe(path, layer="joint_orgs", read_geometry=False)
    assert back["原fid"].tolist() == ["x", "y"] and back["备注"].tolist() == ["1", "两个"]
    assert list(orgs.columns) == ["org_id", "fid", "备注"]  # the caller's frame is not changed


def test_a_failed_write_is_reported_and_changes_nothing(tmp_path, monkeypatch):
    path = base_dataset(tmp_path)
    before = digest(path)

    def full_disk(layers, target):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(imp, "write_dataset_gpkg", full_disk)
    outcome = imp.import_into(path, _villages_upload(tmp_path), "villages")
    assert not outcome.imported and outcome.problems[-1].code == "write_failed"
    assert "数据集未改动" in outcome.problems[-1].message and digest(path) == before


def test_an_invalid_polygon_is_repaired_with_a_warning_naming_the_row(tmp_path):
    layers = tiny_layers()
    x0, y0, x1, y1 = layers["villages"].geometry.values[1].bounds
    bowtie = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1)])
    layers["villages"] = layers["villages"].set_geometry(
        [g if i != 1 else bowtie for i, g in enumerate(layers["villages"].geometry.values)],
        crs="EPSG:4490")
    plan = imp.plan_import(load_dataset(base_dataset(tmp_path)), "villages",
                           read_upload(_villages_upload(tmp_path, layers), "villages"))
    assert plan.can_confirm
    repaired = [p for p in plan.warnings if p.code == "repaired_geometry"]
    assert [(p.row, p.row_id) for p in repaired] == [(2, "350481101202")]
    assert plan.layers["villages"].geometry.is_valid.all()


def _without(layer, layers=None):
    layers = layers or tiny_layers()
    del layers[layer]
    return layers


def test_importing_the_missing_villages_repairs_the_dataset(tmp_path):
    """Every layer but villages: importing them is the repair (SPEC §5 validates the
    dataset *after* the import), every other layer is kept, the figures are right."""
    from analysis.kpis import compute_kpis
    from analysis.params import Params

    path = base_dataset(tmp_path, _without("villages"))
    assert read_dataset(path)[0] is None  # invalid before the import
    outcome = imp.import_into(path, _villages_upload(tmp_path), "villages")
    assert outcome.imported
    head = outcome.problems[0]
    assert head.code == "base_repaired" and not head.is_error
    assert "本次导入修复了原数据集的 3 个错误" in head.message
    assert [(p.code, p.layer, p.row) for p in outcome.plan.fixed] == [
        ("missing_layer", "villages", None), ("unknown_reference", "joint_members", 1),
        ("unknown_reference", "joint_members", 2)]
    assert outcome.plan.left == ()
    assert sorted(str(n) for n, _ in pyogrio.list_layers(path)) == sorted(tiny_layers())
    figures = compute_kpis(load_dataset(path), Params())
    # 一村, 二村 of the three villages (三村 is 行政村, 燕江 a community) are in O1;
    # their population 900 + 600 of 900 + 600 + 300
    assert (figures["villages_total"], figures["joint_orgs"],
            figures["joint_villages"]) == (3, 1, 2)
    assert figures["joint_coverage"] == pytest.approx(2 / 3)
    assert figures["joint_population_coverage"] == pytest.approx(1500 / 1800)
    assert figures["grid_l3"] == 1 and figures["grid_orphans"] == 0
    assert outcome.previous.parent == tmp_path / "DATA.versions" and no_temp_files(tmp_path)


def test_a_layer_its_members_refer_to_can_come_after_them(tmp_path):
    """Members imported before their organisations: importing joint_orgs repairs it."""
    path = base_dataset(tmp_path, _without("joint_orgs"))
    orgs = frame_to_csv(tiny_layers()["joint_orgs"], tmp_path / "orgs.csv")
    outcome = imp.import_into(path, orgs, "joint_orgs")
    assert outcome.imported and outcome.problems[0].code == "base_repaired"
    assert [(p.layer, p.field) for p in outcome.plan.fixed] == [("joint_members", "org_id")] * 2
    assert load_dataset(path).joint_orgs["org_id"].tolist() == ["O1"]


def test_a_repair_that_leaves_a_dangling_member_is_refused(tmp_path):
    path = base_dataset(tmp_path, _without("villages"))
    before = digest(path)
    layers = tiny_layers()
    layers["villages"] = layers["villages"].iloc[[0, 2, 3]]  # 二村 is still a member of O1
    outcome = imp.import_into(path, _villages_upload(tmp_path, layers), "villages")
    assert not outcome.imported and digest(path) == before
    head, *rest = outcome.problems
    assert head.code == "base_invalid" and "本身有 3 个错误" in head.message
    assert "修复了其中 2 个" in head.message and "仍有 1 个未修复" in head.message
    assert [(p.layer, p.field, p.row, p.row_id) for p in rest if p.is_error] == [
        ("joint_members", "village_code", 2, "350481101202")]
    assert [(p.layer, p.row) for p in outcome.plan.left] == [("joint_members", 2)]
    assert not (tmp_path / "DATA.versions").exists() and no_temp_files(tmp_path)


def test_a_broken_other_layer_is_still_refused_with_its_errors(tmp_path):
    layers = tiny_layers()
    layers["villages"].loc[0, "households"] = -1
    path = base_dataset(tmp_path, layers)
    before = digest(path)
    income = frame_to_csv(tiny_layers()["village_income"], tmp_path / "i.csv")
    outcome = imp.import_into(path, income, "village_income")
    assert not outcome.imported and digest(path) == before
    assert outcome.problems[0].code == "base_invalid" and "没有修复" in outcome.problems[0].message
    assert [(p.layer, p.field, p.row) for p in outcome.problems[1:] if p.is_error] == [
        ("villages", "households", 1)]
    assert outcome.plan.fixed == () and len(outcome.plan.left) == 1


def test_a_target_file_that_is_not_a_geopackage_is_refused(tmp_path):
    path = write_text(tmp_path / "DATA.gpkg", "village_code,name\n1,一村\n")
    before = digest(path)
    outcome = imp.import_into(path, _villages_upload(tmp_path), "villages")
    assert not outcome.imported and digest(path) == before
    assert [p.code for p in outcome.problems] == ["base_invalid", "not_geopackage"]
    assert "导入图层不能修复" in outcome.problems[0].message


def test_a_layer_that_cannot_be_read_blocks_other_imports_but_not_its_own(tmp_path):
    """grids stored as a table: importing villages cannot repair that; importing grids can."""
    layers = tiny_layers()
    grids = layers.pop("grids")
    path = base_dataset(tmp_path, layers)
    pyogrio.write_dataframe(pd.DataFrame(grids.drop(columns="geometry")), path, layer="grids")
    before = digest(path)
    outcome = imp.import_into(path, _villages_upload(tmp_path), "villages")
    assert not outcome.imported and digest(path) == before
    assert [(p.code, p.layer) for p in outcome.problems] == [("base_invalid", None),
                                                              ("missing_geometry", "grids")]
    upload = tmp_path / "grids.geojson"
    pyogrio.write_dataframe(grids, upload, driver="GeoJSON")
    repaired = imp.import_into(path, upload, "grids")
    assert repaired.imported and [p.code for p in repaired.plan.fixed] == ["missing_geometry"]
    assert load_dataset(path).grids["grid_code"].tolist() == ["G3", "G4"]


def test_a_plan_on_an_invalid_base_keeps_its_other_layers(tmp_path):
    base = read_base(base_dataset(tmp_path, _without("villages")))
    assert base.errors and "villages" not in base.layers
    plan = imp.plan_import(base, "villages", read_upload(_villages_upload(tmp_path), "villages"))
    assert plan.can_confirm and sorted(plan.layers) == sorted(tiny_layers())
    assert read_base(tmp_path / "none.gpkg").layers == {}
