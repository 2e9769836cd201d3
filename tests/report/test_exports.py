"""The planner's CSV/XLSX exports (report.exports)."""
import io

import openpyxl
import pandas as pd

from analysis.params import Params
from analysis.scenario import Group, Scenario, scenario_context
from analysis.scenario_compare import ScenarioComparison, compare_scenarios
from report.exports import comparison_to_xlsx, table_to_csv
from tests.analysis.test_grouping import A, B, D, square_dataset


def test_exports(tmp_path):
    ctx = scenario_context(square_dataset(), Params())
    plan = Scenario("方案A", "x", (Group("S1", "甲乙", "other", A, (A, B, D)),))
    cmp = compare_scenarios(ctx, None, plan)
    csv = table_to_csv(cmp.moved, {"village_code": "村代码", "to_group": "新分组"})
    frame = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str)
    assert frame["村代码"].tolist() == cmp.moved["village_code"].tolist()
    assert csv.startswith(b"\xef\xbb\xbf")
    book = openpyxl.load_workbook(io.BytesIO(comparison_to_xlsx(cmp)))
    assert book.sheetnames == ["指标对比", "变动村"]
    header = [c.value for c in book["指标对比"][1]]
    assert header == ["指标", "单位", "A：现状", "B：方案A", "差值"]
    assert [c.value for c in book["变动村"][1]][:2] == ["村代码", "村（社区）"]
    assert book["变动村"].max_row == len(cmp.moved) + 1


def test_exports_store_formula_like_names_as_text():
    """A village named like a spreadsheet formula is written as text in both exports."""
    moved = pd.DataFrame({"village_code": ["a"], "name": ["=HYPERLINK(\"http://x\")"],
                          "kind": ["行政村"], "township": ["@镇"], "from_org_id": [None],
                          "from_group": ["未联建"], "to_org_id": ["S1"], "to_group": ["+组"]})
    figures = pd.DataFrame({"指标": ["联建村数"], "单位": ["个"], "A": [1], "B": [2], "差值": [1]})
    comparison = ScenarioComparison("现状", "-方案", figures, moved, {}, {})
    assert "'=HYPERLINK" in table_to_csv(moved).decode("utf-8-sig")
    book = openpyxl.load_workbook(io.BytesIO(comparison_to_xlsx(comparison)))
    cells = [c for row in book["变动村"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert "'=HYPERLINK(\"http://x\")" in [c.value for c in cells]
