"""``python -m analysis evaluate DATA.gpkg SCENARIO.json [--json]`` (SPEC §4–5).

Data: the squares of :mod:`tests.analysis.test_grouping` written to a
GeoPackage.  Plan: S1 = {A, B, C} (lead A), S2 = {D, E} (lead D).
Hand-worked: 2 organisations, 5 of 6 villages (5/6), population
1500/2100; joint gain (20 + 29.99 + 1 + 2 + 1) / 5 = 10.798 万元, other
(F) 10 万元; S2 is not contiguous (50 m apart) and has no strong village.
"""
import json
import subprocess
import sys

import pytest

from analysis.kpis import KPI_KEYS, compute_kpis
from cli.main import main
from geo.dataset import load_dataset
from tests.analysis.test_grouping import A, B, C, D, E, F, square_layers
from tests.conftest import ROOT
from tests.geo.conftest import write_gpkg

SECTION4 = {"new_villages", "unknown_codes", "duplicate_codes", "groups", "today", "delta",
            "projection", "removed_villages"}
PLAN = {"name": "2027 方案A", "created": "2026-11-23T10:00:00+08:00", "groups": [
    {"org_id": "S1", "name": "洪田联村党委", "org_type": "strong_weak", "lead_village_code": A,
     "villages": [A, B, C]},
    {"org_id": "S2", "name": "丁戊联村党委", "org_type": "industry", "lead_village_code": D,
     "villages": [D, E]}]}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return str(write_gpkg(tmp_path_factory.mktemp("cli") / "squares.gpkg", square_layers()))


@pytest.fixture
def scenario(tmp_path):
    def make(doc=PLAN, raw=None):
        path = tmp_path / "plan.json"
        path.write_bytes(raw if raw is not None else json.dumps(doc, ensure_ascii=False).encode())
        return str(path)
    return make


def run(capsys, *argv):
    code = main(["evaluate", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_json_keys_and_values(capsys, data, scenario):
    code, out, err = run(capsys, data, scenario(), "--json")
    assert code == 0 and err == ""
    r = json.loads(out)
    assert set(KPI_KEYS) | SECTION4 <= set(r)
    assert (r["joint_orgs"], r["joint_villages"]) == (2, 5)
    assert r["joint_coverage"] == pytest.approx(5 / 6)
    assert r["joint_population_coverage"] == pytest.approx(1500 / 2100)
    assert r["avg_income_gain_joint"] == pytest.approx(53.99 / 5)
    assert r["avg_income_gain_other"] == pytest.approx(10.0)
    assert r["new_villages"] == [D, E] and r["today"]["joint_villages"] == 3
    s2 = r["groups"][1]
    assert (s2["size"], s2["contiguous"], s2["has_strong"], s2["within_township"]) == (
        2, False, False, True)
    assert s2["violation_keys"] == ["size_small", "not_contiguous", "no_strong"]
    assert r["rules"] == {"min_size": 3, "max_size": 6, "within_township": True,
                          "strong_threshold": 50.0}


def test_today_as_scenario_equals_kpis(capsys, data, scenario):
    """Today's O1 as the scenario: every §3 figure equals ``kpis``."""
    today = {"name": "现状", "groups": [{"org_id": "O1", "name": "洪田联村党委",
                                        "org_type": "strong_weak", "lead_village_code": A,
                                        "villages": [A, B, C]}]}
    code, out, _ = run(capsys, data, scenario(today), "--json")
    r = json.loads(out)
    expected = compute_kpis(load_dataset(data))
    assert code == 0 and {k: r[k] for k in KPI_KEYS} == {k: expected[k] for k in KPI_KEYS}


def test_unknown_and_duplicate_codes_exit_0(capsys, data, scenario):
    doc = {"groups": [{"org_id": "S1", "villages": [A, "999", B]},
                      {"org_id": "S2", "villages": [B, F]}]}
    code, out, err = run(capsys, data, scenario(doc), "--json")
    r = json.loads(out)
    assert code == 0 and r["unknown_codes"] == ["999"] and r["duplicate_codes"] == [B]
    assert r["joint_villages"] == 3 and r["valid"] is False
    assert err.splitlines() == [
        "警告：村代码 999 不在数据集的村（社区）图层中（分组 S1），已在指标中略去",
        f"警告：村代码 {B} 在方案中重复出现（分组 S1、S2），按第一个分组 S1 计算"]


def test_text_summary(capsys, data, scenario):
    code, out, _ = run(capsys, data, scenario())
    assert code == 0
    assert "方案：2027 方案A" in out and "联村覆盖率" in out and "83.33%" in out
    assert "新增联建村 2 个；退出联建村 0 个。" in out
    assert "丁戊联村党委：成员不连片（1 个村与其余成员不相邻：戊村）" in out
    assert "预计增收：此为估算" in out


def test_rule_options(capsys, data, scenario):
    doc = {"groups": [{"org_id": "S1", "lead_village_code": A, "villages": [A, F]}]}
    _, out, _ = run(capsys, data, scenario(doc), "--json")
    assert json.loads(out)["groups"][0]["violation_keys"] == ["size_small", "cross_township"]
    _, out, _ = run(capsys, data, scenario(doc), "--json", "--min-size", "2",
                    "--allow-cross-township")
    assert json.loads(out)["groups"][0]["violations"] == []
    _, out, _ = run(capsys, data, scenario(), "--json", "--min-size", "1", "--max-size", "2")
    assert json.loads(out)["groups"][0]["violation_keys"] == ["size_large"]


def test_years(capsys, data, scenario):
    code, _, err = run(capsys, data, scenario(), "--base-year", "2000")
    assert code == 1 and err.startswith("无法评估方案：base_year=2000 不在 village_income 的年份中")
    code, out, _ = run(capsys, data, scenario(), "--json", "--base-year", "2023")
    assert code == 0 and json.loads(out)["projection"] is None


def test_usage_errors(capsys, data, scenario):
    code, _, err = run(capsys, data, scenario(), "--min-size", "5", "--max-size", "4")
    assert code == 2 and "--min-size 5 大于 --max-size 4" in err
    with pytest.raises(SystemExit) as info:
        main(["evaluate", data, scenario(), "--min-size", "0"])
    assert info.value.code == 2 and "应 ≥ 1" in capsys.readouterr().err


@pytest.mark.parametrize("raw, message", [
    (b"{not json", "方案文件不是有效的 JSON：第 1 行第 2 列键名应使用英文双引号"),
    (b'{"name": "x"}', "方案缺少 groups（分组列表）"),
    (json.dumps({"groups": [{"org_id": "S1", "villages": [1]}]}).encode(),
     "第 1 个分组（org_id=S1）：villages 应是村代码（字符串）的列表，第 1 项是数字"),
])
def test_bad_scenario_file(capsys, data, scenario, raw, message):
    path = scenario(raw=raw)
    code, out, err = run(capsys, data, path)
    assert code == 1 and out == ""
    assert err.splitlines() == [f"错误：方案文件 {path}：{message}", "方案文件无效：共 1 个问题。"]


def test_missing_files_are_all_reported(capsys, tmp_path):
    bad_data = tmp_path / "x.gpkg"
    bad_data.write_text("not a geopackage")
    code, out, err = run(capsys, str(bad_data), str(tmp_path / "none.json"))
    assert code == 1 and out == ""
    assert f"方案文件不存在：{tmp_path / 'none.json'}" in err
    assert "数据无效" in err


def test_empty_scenario_is_zero(capsys, data, scenario):
    code, out, _ = run(capsys, data, scenario({"groups": []}), "--json")
    r = json.loads(out)
    assert code == 0 and (r["joint_orgs"], r["joint_villages"], r["joint_coverage"]) == (0, 0, 0.0)
    assert r["removed_villages"] == [A, B, C]


def test_module_entry_point(data, scenario):
    """The real command, in a fresh interpreter: JSON on stdout, exit 0."""
    argv = [sys.executable, "-m", "analysis", "evaluate", data, scenario(), "--json"]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["joint_villages"] == 5
