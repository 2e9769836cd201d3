"""``python -m analysis import`` with sheets as people keep them (SPEC §5): a wide income
sheet, a by-name sheet in 元 settled with --village, members by name, boundaries +
attributes with --attributes — each giving the figures of the canonical long sheet."""
import json
import subprocess
import sys

import pandas as pd
import pytest

from cli.main import main
from geo.dataset import load_dataset
from tests.conftest import ROOT
from tests.geo.ingest.fixtures import digest, frame_to_csv
from tests.geo.ingest.sheet_fixtures import (GROWTH, INCOME, WRITTEN, YEARS, long_income,
                                             own_dataset, own_villages, wide_rows, xlsx, yuan)


def _run(capsys, *args):
    code = main(["import", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


def _income(path):
    frame = load_dataset(path).village_income
    return sorted(zip(frame["village_code"], frame["year"].astype(int),
                      frame["collective_income"]))


@pytest.fixture
def canonical(tmp_path):
    """The income as imported from the canonical long sheet, to compare with."""
    data = own_dataset(tmp_path / "canonical")
    sheet = xlsx(tmp_path, "long.xlsx", {"收入": [["村代码", "年份", "集体经营性收入"],
                                                   *long_income().values.tolist()]})
    assert main(["import", str(sheet), "--layer", "village_income", "--into", str(data)]) == 0
    return _income(data)


def test_a_wide_sheet_imports(tmp_path, capsys, canonical):
    data = own_dataset(tmp_path)
    sheet = xlsx(tmp_path, "宽表.xlsx", {"村集体收入": wide_rows(("{y}年收入",))})
    code, out, _ = _run(capsys, sheet, "--layer", "village_income", "--into", data)
    assert code == 0
    assert ("说明：图层 village_income（村集体经营性收入）字段 year（年份）：按年分列的表："
            "6 行 × 3 个年份列（2019–2021 年：2019年收入、2020年收入、2021年收入）"
            "已转为每村每年一行，共 17 行；1 个空格（无数据）已跳过") in out
    assert ("已导入 village_income（村集体经营性收入） 17 行"
            "（Excel（.xlsx），来源 村集体收入）") in out
    assert _income(data) == canonical


def test_a_sheet_by_name_in_yuan_with_a_name_settled_by_the_user(tmp_path, capsys, canonical):
    """上平村 is a slip for 上坪村: a warning naming it (row 1 left out), then --village."""
    rows = wide_rows(by_name=True, in_yuan=True)
    rows[1][1] = "上平村"
    sheet = xlsx(tmp_path, "村名收入.xlsx", {"收入": rows})
    data = own_dataset(tmp_path / "a")
    code, out, _ = _run(capsys, sheet, "--layer", "village_income", "--into", data)
    assert code == 0
    assert ("警告：图层 village_income（村集体经营性收入）第 1 行字段 village_code（村代码）："
            "乡镇“清溪镇”中没有与“上平村”对应的村（社区）；最接近的：上坪村（350999101201，清溪镇，"
            "相差 1 字）") in out
    assert "--village 清溪镇/上平村=村代码" in out
    assert ("说明：图层 village_income（村集体经营性收入）"
            "字段 collective_income（集体经营性收入（万元））："
            "2019年（元）、2020年（元）、2021年（元）按元读入，"
            "已换算为万元（17 个值除以 10000）") in out
    assert len(_income(data)) == 14
    again = own_dataset(tmp_path / "b")
    code, out, _ = _run(capsys, sheet, "--layer", "village_income", "--into", again,
                        "--village", "清溪镇/上平村=350999101201")
    assert code == 0 and "上平村" not in out
    assert _income(again) == canonical


def test_a_long_sheet_by_name_with_years_and_yuan_as_written(tmp_path, capsys, canonical):
    """乡镇（街道）| 村名 | 年度 | 集体经营性收入（元）, years as 2019年, 元 as 266,100."""
    rows = [["乡镇（街道）", "村名", "年度", "集体经营性收入（元）"]]
    rows += [[town, name, f"{year}年", yuan(value)] for town, name, code in WRITTEN
             for year, value in zip(YEARS, INCOME[code]) if value is not None]
    data = own_dataset(tmp_path)
    code, out, _ = _run(capsys, xlsx(tmp_path, "长表.xlsx", {"收入": rows}),
                        "--layer", "village_income", "--into", data)
    assert code == 0 and "警告：图层 village_income" not in out
    assert "集体经营性收入（元）按元读入，已换算为万元（17 个值除以 10000）" in out
    assert "年度中 17 个年份写作“2019年”的形式，已读作年份数字" in out
    assert "17 行按乡镇和村名匹配到村代码（6 个村（社区））" in out
    assert _income(data) == canonical


def test_members_by_a_name_fitting_two_villages_are_refused(tmp_path, capsys):
    data = own_dataset(tmp_path)
    before = digest(data)
    members = frame_to_csv(pd.DataFrame({"组织编号": ["J1", "J1"], "乡镇": ["梅林乡", "梅林乡"],
                                         "村名": ["石门村", "桃源"]}), tmp_path / "成员.csv", "gbk")
    code, _, err = _run(capsys, members, "--layer", "joint_members", "--into", data)
    assert code == 1 and digest(data) == before
    assert ("错误：图层 joint_members（联村成员）第 2 行字段 village_code（村代码）："
            "乡镇“梅林乡”中有 2 个村（社区）都与“桃源”对应："
            "桃源村（350999102202，梅林乡）、桃源社区（350999102001，梅林乡）；不能导入") in err
    code, out, _ = _run(capsys, members, "--layer", "joint_members", "--into", data,
                        "--village", "梅林乡/桃源=350999102202")
    assert code == 0 and "已导入 joint_members（联村成员） 2 行" in out
    assert load_dataset(data).joint_members["village_code"].tolist() == [
        "350999102201", "350999102202"]


def test_boundaries_and_attributes(tmp_path, capsys):
    data = own_dataset(tmp_path, income=True)
    bounds = tmp_path / "村界.geojson"
    own_villages()[["village_code", "geometry"]].to_file(bounds, driver="GeoJSON",
                                                        engine="pyogrio")
    villages = own_villages().drop(columns="geometry")
    rows = [["村代码", "村名", "乡镇代码", "乡镇", "县代码", "县", "类型", "户数", "人口", "星级"]]
    rows += [[v.village_code, v.name, v.township_code, v.township, v.county_code, v.county,
              {"village": "行政村", "community": "社区"}[v.kind], f"{v.households:,}",
              f"{v.population:,}", None if v.star_rating != v.star_rating else int(v.star_rating)]
             for v in villages.itertuples()]
    sheet = xlsx(tmp_path, "村属性.xlsx", {"属性": rows[:-1]})  # 杏花村 missing
    code, _, err = _run(capsys, bounds, "--layer", "villages", "--into", data,
                        "--attributes", sheet)
    assert code == 1
    assert ("错误：图层 villages（村（社区））第 8 行：边界文件第 8 行（350999102203）"
            "在属性表中没有对应的行，缺少该村的属性") in err
    sheet = xlsx(tmp_path, "村属性2.xlsx", {"属性": rows})
    code, out, _ = _run(capsys, bounds, "--layer", "villages", "--into", data,
                        "--attributes", sheet)
    assert code == 0, out
    assert ("已导入 villages（村（社区）） 8 行"
            "（GeoJSON，坐标系 EPSG:4490，属性表 Excel（.xlsx） 属性）") in out
    assert load_dataset(data).villages["households"].tolist() == villages["households"].tolist()


def test_attributes_are_for_villages_only(capsys):
    with pytest.raises(SystemExit) as info:
        main(["import", "x.csv", "--layer", "village_income", "--into", "d.gpkg",
              "--attributes", "a.xlsx"])
    assert info.value.code == 2
    assert "用法错误：--attributes 只用于 --layer villages" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["import", "x.csv", "--layer", "village_income", "--into", "d.gpkg",
              "--village", "上坪村"])
    assert info.value.code == 2


def test_the_real_command_imports_a_by_name_sheet_and_gives_the_figures(tmp_path):
    """The 'done when' of issue 19 as a user types it: exit 0, no traceback, the figures."""
    data = own_dataset(tmp_path)
    sheet = xlsx(tmp_path, "收入（元）.xlsx", {"收入": wide_rows(by_name=True, in_yuan=True)})
    run = subprocess.run([sys.executable, "-m", "analysis", "import", str(sheet),
                          "--layer", "village_income", "--into", str(data)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stdout + run.stderr
    figures = subprocess.run([sys.executable, "-m", "analysis", "kpis", str(data), "--json"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    result = json.loads(figures.stdout)
    assert result["income_growth_all"] == pytest.approx(GROWTH)
    assert result["avg_income_gain_joint"] == pytest.approx(5.095)
    assert result["low_income_villages"] == 1
