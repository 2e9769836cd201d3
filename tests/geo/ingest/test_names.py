"""Villages named by township and name (geo.ingest.names, through plan_import): SPEC §5's
suffixes, names that collide across townships, a name fitting two villages of one
township (refused with both listed), closest candidates, the user's picks, remembered."""
import pandas as pd
import pytest

from geo.ingest.base import read_base
from geo.ingest.by_name import recalled_names, remember_names, resolve_names
from geo.ingest.names import VillageIndex, edit_distance, name_key, naming_columns, pick_key
from geo.ingest.plan import plan_import
from geo.ingest.read import read_upload
from tests.geo.ingest.fixtures import frame_to_csv
from tests.geo.ingest.sheet_fixtures import CODE, own_dataset, own_villages

INCOME = "village_income"


@pytest.fixture
def data(tmp_path):
    return own_dataset(tmp_path / "data")


def _plan(data, tmp_path, layer, frame, picks=None):
    path = frame_to_csv(frame, tmp_path / f"{layer}.csv")
    return plan_import(read_base(data), layer, read_upload(path, layer), picks)


def _income_sheet(rows):
    """``(乡镇, 村名, 年度, 收入)`` rows under the headers people use."""
    return pd.DataFrame(rows, columns=["乡镇（街道）", "村名", "年度", "集体经营性收入（万元）"])


@pytest.mark.parametrize("written, key", [
    ("上坪", ("上坪", None)), ("上坪村", ("上坪", "village")), ("上坪村委会", ("上坪", "village")),
    ("上坪村民委员会", ("上坪", "village")), (" 上 坪 村 ", ("上坪", "village")),
    ("清溪社区", ("清溪", "community")), ("清溪社区居民委员会", ("清溪", "community")),
    ("清溪居委会", ("清溪", "community")), ("清溪社区居委会", ("清溪", "community")),
    ("村", ("村", None)), ("村委会", ("村委会", None)), ("新村村委会", ("新", "village")),
])
def test_the_suffixes_of_spec_5_are_ignored(written, key):
    assert name_key(written) == key


def test_the_columns_that_name_a_village():
    assert naming_columns(INCOME, ["乡镇(街道)", "村（社区）名称", "年度", "备注"]) == {
        "乡镇(街道)": "township", "村（社区）名称": "name"}
    assert naming_columns("joint_members", ["组织编号", "名称", "乡镇", "村名"]) == {
        "乡镇": "township", "村名": "name"}
    assert naming_columns("grids", ["村名"]) == {}


def test_names_as_people_write_them_match_one_village_each(data, tmp_path):
    sheet = _income_sheet([("清溪镇", "上坪", 2021, 33.2), ("清溪镇", "下坪村委会", 2021, 12.0),
                           ("清溪", "石门村民委员会", 2021, 18.5), ("梅林乡", "石门村", 2021, 10.4),
                           ("梅林乡", "桃源村委会", 2021, 52.3),
                           ("梅林乡", "桃源社区居民委员会", 2021, 1.0)])
    plan = _plan(data, tmp_path, INCOME, sheet)
    assert plan.can_confirm and plan.matches == ()
    assert plan.layers[INCOME]["village_code"].tolist() == [
        CODE["清溪镇", "上坪村"], CODE["清溪镇", "下坪村"], CODE["清溪镇", "石门村"],
        CODE["梅林乡", "石门村"], CODE["梅林乡", "桃源村"], CODE["梅林乡", "桃源社区"]]
    assert plan.marks["village_code"] == "按乡镇和村名匹配"


def test_a_name_of_two_townships_needs_its_township(data, tmp_path):
    """石门村 is in 清溪镇 and in 梅林乡: without a township the row is listed, both named."""
    sheet = pd.DataFrame({"村名": ["石门村", "上坪村"], "年度": [2021, 2021],
                          "集体经营性收入": [18.5, 33.2]})
    plan = _plan(data, tmp_path, INCOME, sheet)
    assert plan.can_confirm  # income: a warning, the row is left out
    assert plan.layers[INCOME]["village_code"].tolist() == [CODE["清溪镇", "上坪村"]]
    (warning,) = [p for p in plan.warnings if p.code == "village_ambiguous"]
    assert (warning.row, warning.field) == (1, "village_code")
    assert warning.message.startswith("数据集中有 2 个村（社区）都与“石门村”对应："
                                      "石门村（350999101203，清溪镇）、石门村（350999102201，梅林乡）")
    assert "此行未导入" in warning.message and "--village 石门村=村代码" in warning.message


def test_a_name_fitting_two_villages_of_one_township_refuses_members(data, tmp_path):
    """桃源 fits 桃源村 and 桃源社区 of 梅林乡: a member row naming it is an error."""
    members = pd.DataFrame({"组织编号": ["J1", "J1", "J1"], "乡镇": ["清溪镇", "清溪镇", "梅林乡"],
                            "村名": ["上坪村", "下坪", "桃源"]})
    plan = _plan(data, tmp_path, "joint_members", members)
    assert not plan.can_confirm
    assert [str(p) for p in plan.errors] == [
        "错误：图层 joint_members（联村成员）第 3 行字段 village_code（村代码）："
        "乡镇“梅林乡”中有 2 个村（社区）都与“桃源”对应："
        "桃源村（350999102202，梅林乡）、桃源社区（350999102001，梅林乡）；"
        "不能导入（可在页面“村名对应”中选择，或用命令行 --village 梅林乡/桃源=村代码 指定）"]
    (match,) = plan.matches
    assert (match.key, match.status, match.rows) == ("梅林乡/桃源", "ambiguous", (3,))
    assert [code for code, _ in match.options][:2] == ["350999102202", "350999102001"]


def test_the_same_name_fitting_two_refuses_an_income_row_only(data, tmp_path):
    sheet = _income_sheet([("梅林乡", "桃源", 2021, 52.3), ("梅林乡", "杏花村", 2021, 4.4)])
    plan = _plan(data, tmp_path, INCOME, sheet)
    assert plan.can_confirm
    assert plan.layers[INCOME]["village_code"].tolist() == [CODE["梅林乡", "杏花村"]]
    assert [p.code for p in plan.warnings if p.layer == INCOME] == ["village_ambiguous"]


def test_an_unknown_name_is_listed_with_the_closest_of_its_township(data, tmp_path):
    sheet = _income_sheet([("清溪镇", "上平村", 2021, 33.2), ("梅林乡", "杏花", 2021, 4.4)])
    plan = _plan(data, tmp_path, INCOME, sheet)
    (warning,) = [p for p in plan.warnings if p.code == "village_unmatched"]
    assert warning.row == 1
    assert warning.message.startswith(
        "乡镇“清溪镇”中没有与“上平村”对应的村（社区）；最接近的：上坪村（350999101201，清溪镇，"
        "相差 1 字）、下坪村（350999101202，清溪镇，相差 2 字）、"
        "石门村（350999101203，清溪镇，相差 2 字）")
    (match,) = plan.matches
    assert [code for code, _ in match.options] == [
        "350999101201", "350999101202", "350999101203", "350999101001"]  # its township only


def test_an_unknown_township_is_said(data, tmp_path):
    sheet = _income_sheet([("青溪镇", "上坪村", 2021, 33.2)])
    plan = _plan(data, tmp_path, INCOME, sheet)
    assert not plan.can_confirm  # nothing left to import
    messages = [p.message for p in plan.problems if p.layer == INCOME and p.row == 1]
    assert messages[0].startswith("数据集中没有乡镇“青溪镇”（最接近的乡镇：清溪镇、梅林乡）；"
                                  "最接近的：上坪村（350999101201，清溪镇，相差 0 字）")
    assert [p.message for p in plan.errors] == [
        "没有一行能按乡镇和村名对应到数据集中的村（社区），未导入"]


def test_a_pick_settles_a_name_and_is_remembered(data, tmp_path):
    sheet = _income_sheet([("清溪镇", "上平村", 2020, 30.5), ("清溪镇", "上平村", 2021, 33.2)])
    plan = _plan(data, tmp_path, INCOME, sheet, picks={"清溪镇 / 上平村": "350999101201"})
    assert plan.can_confirm and not [p for p in plan.warnings if p.layer == INCOME]
    assert plan.layers[INCOME]["village_code"].tolist() == ["350999101201"] * 2
    assert plan.picked == {"清溪镇/上平村": "350999101201"}
    (match,) = plan.matches
    assert (match.status, match.pick) == ("picked", "350999101201")
    remember_names(tmp_path / "var", plan.picked)
    assert recalled_names(tmp_path / "var") == {"清溪镇/上平村": "350999101201"}
    again = _plan(data, tmp_path, INCOME, sheet, picks=recalled_names(tmp_path / "var"))
    assert again.picked == plan.picked
    stale = _plan(data, tmp_path, INCOME, sheet, picks={"清溪镇/上平村": "999"})
    assert [m.status for m in stale.matches] == ["unmatched"]  # a code no longer there


def test_two_names_for_one_village_in_one_year_are_refused(data, tmp_path):
    sheet = _income_sheet([("清溪镇", "上坪", 2021, 33.2), ("清溪镇", "上坪村委会", 2021, 33.2),
                           ("清溪镇", "上坪", 2020, 30.5)])
    plan = _plan(data, tmp_path, INCOME, sheet)
    assert [(p.row, p.code) for p in plan.errors] == [(1, "village_twice"), (2, "village_twice")]
    assert plan.errors[0].message == (
        "第 1 行、第 2 行（清溪镇/上坪、清溪镇/上坪村委会）都对应村 350999101201 的 2021 年收入；"
        "村名只能一一对应，请删去重复的行")


def test_codes_win_and_a_sheet_of_codes_is_untouched(data, tmp_path):
    sheet = pd.DataFrame({"村代码": ["350999101201", None], "乡镇": ["梅林乡", "梅林乡"],
                          "村名": ["石门村", "石门村"], "年度": [2021, 2021], "收入": [1.0, 2.0]})
    sheet = sheet.rename(columns={"收入": "村财收入"})
    plan = _plan(data, tmp_path, INCOME, sheet)
    assert plan.layers[INCOME]["village_code"].tolist() == ["350999101201", "350999102201"]


def test_members_by_name_import(data, tmp_path):
    members = pd.DataFrame({"组织编号": ["J1", "J1"], "乡镇": ["清溪镇", "清溪镇"],
                            "村名": ["上坪村委会", "下坪村"], "加入年份": ["2020年", "2021年"]})
    plan = _plan(data, tmp_path, "joint_members", members)
    assert plan.can_confirm, plan.errors
    assert plan.layers["joint_members"]["village_code"].tolist() == [
        "350999101201", "350999101202"]
    assert plan.layers["joint_members"]["joined_year"].tolist() == [2020, 2021]


def test_without_villages_names_cannot_be_matched():
    frame = pd.DataFrame({"村名": ["上坪村"], "year": [2021], "collective_income": [1.0]})
    found = resolve_names(INCOME, frame, {"村名": "name"}, None)
    assert [p.message for p in found.problems] == [
        "按乡镇和村名匹配村需要村（社区）图层；请先导入 villages"]


def test_the_index_by_township_code_and_core():
    index = VillageIndex(own_villages())
    assert index.find({"township_code": "350999102", "name": "石门"}).places[0].code == (
        "350999102201")
    assert index.find({"township": "梅林", "name": "石门"}).places[0].code == "350999102201"
    assert index.find({"township_code": "350999109", "name": "石门"}).reason == (
        "数据集中没有乡镇代码 350999109")
    assert edit_distance("", "上坪") == 2 and edit_distance("上坪", "上坪") == 0
    assert pick_key(" 清溪镇 / 上坪村 ") == "清溪镇/上坪村"
