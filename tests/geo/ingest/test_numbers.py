"""Numbers as people write them (geo.ingest.numbers): 元 vs 万元 by header, by cell and by
the sheet's title; thousands separators, full-width digits and commas; units of counts;
years written 2019年; star ratings in words; what cannot be read is refused by row."""
import pandas as pd
import pytest

from geo.ingest.base import read_base
from geo.ingest.numbers import convert_numbers
from geo.ingest.plan import plan_import
from geo.ingest.read import read_upload
from tests.geo.ingest.fixtures import frame_to_csv
from tests.geo.ingest.sheet_fixtures import own_dataset, own_villages


def _income(values, header="集体经营性收入"):
    frame = pd.DataFrame({"village_code": ["350999101201"] * len(values),
                          "collective_income": values})
    return convert_numbers("village_income", frame, {"collective_income": header})


@pytest.mark.parametrize("header, cell, expected", [
    ("集体经营性收入（万元）", "12.5", 12.5),
    ("集体经营性收入（元）", "125000", 12.5),
    ("集体经营性收入", "12.5万元", 12.5),
    ("集体经营性收入", "12.5万", 12.5),
    ("集体经营性收入", "125,000元", 12.5),
    ("集体经营性收入（元）", "12.5万元", 12.5),  # the cell's unit wins over the header's
    ("集体经营性收入（万元）", "125000元", 12.5),
    ("集体经营性收入", "12.5", 12.5),  # no unit anywhere: 万元 (SPEC §2)
    ("集体经营性收入/元", 266100, 26.61),  # an Excel number under a 元 header
    ("集体经营性收入(单位：元)", "２６６，１００", 26.61),  # full-width digits and comma
    ("集体经营性收入（元）", "¥1,234,567.89", 123.456789),
    ("集体经营性收入（元）", "-5,000", -0.5),
])
def test_yuan_and_wan_by_header_and_by_cell(header, cell, expected):
    out = _income([cell], header)
    assert out.frame["collective_income"].tolist() == [expected]
    assert not any(p.is_error for p in out.problems)


def test_the_division_is_exact():
    """26.61 typed, or 266,100 元 read: the same float, so the figures are equal."""
    values = ["266,100", "84,000", "162,500", "1"]
    out = _income(values, "集体经营性收入（元）")
    assert out.frame["collective_income"].tolist() == [26.61, 8.4, 16.25, 0.0001]


def test_the_report_says_what_was_converted_how():
    out = _income(["266,100", "12.5万元", "８０，０００", 5000], "集体经营性收入（元）")
    assert [(p.severity, p.message) for p in out.problems] == [
        ("info", "集体经营性收入（元）按元读入，已换算为万元（3 个值除以 10000）"),
        ("info", "集体经营性收入（元）中 1 个值带单位“万元”，按万元读入"),
        ("info", "集体经营性收入（元）中 2 个值带千位分隔符，已去掉后读入"),
        ("info", "集体经营性收入（元）中 1 个值含全角数字或符号，已按半角读入")]
    assert out.marks == {"collective_income": "元→万元、去单位、去分隔符、全角→半角"}


@pytest.mark.parametrize("cell, why", [
    ("12,50", "的千位分隔符位置不对（应每三位一个，如 266,100）"),
    ("1,2345元", "的千位分隔符位置不对（应每三位一个，如 266,100）"),
    ("35%", "是百分数；该字段是金额（万元），不是比例"),
    ("12.5美元", "的单位“美元”无法识别（可用 万元、元）"),
    ("9" * 400, "数值过大（不少于 10 的 15 次方），请核对"),
])
def test_what_cannot_be_read_is_refused_naming_the_row(cell, why):
    out = _income(["1", cell])
    errors = [p for p in out.problems if p.is_error]
    assert [(p.row, p.row_id, p.field, p.message) for p in errors] == [
        (2, "350999101201", "collective_income", f"值 {cell[:30]!r} {why}")]
    assert out.frame["collective_income"].tolist()[1] == cell  # left as written
    assert out.refused == {("collective_income", 2)}


def test_a_percent_header_is_refused_for_an_amount():
    out = _income(["12"], "集体经营性收入（%）")
    assert [p.message for p in out.problems if p.is_error] == [
        "列“集体经营性收入（%）”表头所注单位“%”不适用于"
        "字段 collective_income（集体经营性收入（万元））"]


def test_amounts_without_a_unit_that_look_like_yuan_are_warned_about():
    out = _income(["266100", "8.4"])
    warnings = [p.message for p in out.problems if p.severity == "warning"]
    assert warnings == ["集体经营性收入未注明单位，按万元读入；"
                        "其中 1 个值不少于 10000 万元（如 266100），"
                        "可能是以元为单位：若是，请在表头注明（元）后重新上传"]
    assert out.frame["collective_income"].tolist() == [266100.0, 8.4]


def test_counts_years_and_star_ratings_in_words():
    frame = pd.DataFrame({"village_code": ["1", "2", "3"],
                          "households": ["3,200户", "２１０", 150],
                          "population": ["9,600人", "630", "450人"],
                          "star_rating": ["四星", "5星级", "无星"]})
    out = convert_numbers("villages", frame, {})
    assert out.frame["households"].tolist() == [3200, 210, 150]
    assert out.frame["population"].tolist() == [9600, 630, 450]
    assert out.frame["star_rating"].tolist() == [4, 5, 0]
    members = convert_numbers("joint_members", pd.DataFrame(
        {"org_id": ["J1"], "village_code": ["1"], "joined_year": ["2020年度"]}), {})
    assert members.frame["joined_year"].tolist() == [2020]
    bad = convert_numbers("villages", pd.DataFrame({"households": ["300人", "20%"]}), {})
    assert [p.message for p in bad.problems if p.is_error] == [
        "值 '300人' 的单位“人”不适用（可省略单位，或写 户）",
        "值 '20%' 是百分数；该字段是个数，不是比例"]


def test_the_input_frame_is_not_changed():
    frame = pd.DataFrame({"collective_income": ["266,100"]})
    convert_numbers("village_income", frame, {"collective_income": "收入（元）"})
    assert frame["collective_income"].tolist() == ["266,100"]


def test_through_the_whole_import_a_bad_cell_is_said_once(tmp_path):
    """The read refuses '12,50'; validation would read it as 1250 — only the read's error."""
    data = own_dataset(tmp_path)
    frame = pd.DataFrame({"村代码": ["350999101201", "350999101202"], "年份": ["2021年", "2021"],
                          "村财收入（元）": ["12,50", "120,000"]})
    plan = plan_import(read_base(data), "village_income",
                       read_upload(frame_to_csv(frame, tmp_path / "i.csv"), "village_income"))
    assert [str(p) for p in plan.errors] == [
        "错误：图层 village_income（村集体经营性收入）第 1 行（village_code=350999101201）"
        "字段 collective_income（集体经营性收入（万元））："
        "值 '12,50' 的千位分隔符位置不对（应每三位一个，如 266,100）"]


def test_an_attribute_sheet_with_units_imports(tmp_path):
    villages = own_villages()
    villages["households"] = [f"{h:,}户" for h in villages["households"]]
    villages["star_rating"] = ["五星", "三星", "", "四星", "二星", "四星", "三星", "无星"]
    path = tmp_path / "v.geojson"
    villages.to_file(path, driver="GeoJSON", engine="pyogrio")
    result = read_upload(path, "villages")
    assert result.ok, result.problems
    plan = plan_import(None, "villages", result)
    assert plan.can_confirm, plan.errors
    typed = plan.layers["villages"]
    assert typed["households"].tolist() == [320, 210, 150, 900, 180, 260, 700, 90]
    assert typed["star_rating"].tolist()[:3] == [5, 3, pd.NA]
