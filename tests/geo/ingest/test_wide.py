"""Wide income sheets (one column per year) read as the long layer, and round trips:
wide → long → the same figures as the canonical long sheet (sheet_fixtures' hand-worked
answers)."""
import pandas as pd
import pytest

from analysis.kpis import compute_kpis
from analysis.params import Params
from geo.dataset import load_dataset
from geo.ingest.base import read_base
from geo.ingest.columns import year_header
from geo.ingest.plan import import_into, plan_import
from geo.ingest.read import read_upload
from geo.ingest.wide import wide_to_long, year_columns
from tests.geo.ingest.fixtures import frame_to_csv, write_text, xlsx_bytes
from tests.geo.ingest.sheet_fixtures import (GROWTH, INCOME, YEARS, long_income, own_dataset,
                                             wide_rows, xlsx)

FIGURES = ("income_growth_all", "avg_income_gain_joint", "avg_income_gain_other",
           "low_income_villages", "target_income_villages", "income_missing")


def _figures(path):
    return compute_kpis(load_dataset(path), Params())


def _income(path):
    frame = load_dataset(path).village_income
    return sorted(zip(frame["village_code"], frame["year"].astype(int),
                      frame["collective_income"]))


@pytest.mark.parametrize("header, year", [
    ("2019", 2019), (2019, 2019), ("2019年", 2019), ("2019年收入", 2019), ("2019年度", 2019),
    ("2019年（元）", 2019), ("２０１９年(万元)", 2019), (" 2019 年 ", 2019),
    ("2019年村财收入", 2019),
    ("2019年人口", None), ("年度", None), ("村代码", None), ("12019", None), ("1850年", None),
])
def test_year_headers(header, year):
    assert year_header("village_income", header) == year


def test_year_headers_only_where_a_value_is_per_year():
    assert year_header("villages", "2019年") is None
    assert year_columns("village_income", ["村代码", "年度", "2019"], {"年度": "year"}) == {}
    assert year_columns("village_income", ["村代码", "收入", "2019"],
                        {"收入": "collective_income"}) == {}


def test_empty_cells_are_skipped_and_rows_remember_their_cell():
    """Row 2 has no 2019 figure (None), row 3 a dash and a blank: 6 cells, 3 rows out."""
    wide = pd.DataFrame({"village_code": ["A", "B", "C"], "2019": [1.5, None, "—"],
                         "2020年收入": ["2", "3", "  "], "备注": ["x", "y", "z"]})
    long = wide_to_long("village_income", wide, {"2019": 2019, "2020年收入": 2020})
    assert long.frame.values.tolist() == [["A", "x", 2019, 1.5], ["A", "x", 2020, "2"],
                                          ["B", "y", 2020, "3"]]
    assert long.origins == ((1, "列“2019”"), (1, "列“2020年收入”"), (2, "列“2020年收入”"))
    assert "3 个空格（无数据）已跳过" in long.problems[0].message
    assert not any(p.is_error for p in long.problems)
    assert list(wide.columns) == ["village_code", "2019", "2020年收入", "备注"]  # unchanged


def test_two_columns_of_one_year_are_refused():
    wide = pd.DataFrame({"村代码": ["A"], "2019": [1], "2019年收入": [2]})
    long = wide_to_long("village_income", wide, {"2019": 2019, "2019年收入": 2019})
    errors = [p.message for p in long.problems if p.is_error]
    assert errors == ["列“2019”和列“2019年收入”都是 2019 年的数据；每年只能有一列"]


@pytest.mark.parametrize("headers", [("{y}",), ("{y}年",), ("{y}年收入",), ("{y}年度",),
                                     ("{y}", "{y}年", "{y}年度")])
def test_a_wide_xlsx_reads_as_the_long_table(tmp_path, headers):
    result = read_upload(xlsx(tmp_path, "宽表.xlsx", {"收入": wide_rows(headers)}),
                         "village_income")
    assert result.ok, result.problems
    assert result.years == {headers[i % len(headers)].format(y=y): y
                            for i, y in enumerate(YEARS)}
    assert result.missing == () and result.unmapped == ()
    expected = long_income().sort_values(["village_code", "year"]).values.tolist()
    got = result.frame[["village_code", "year", "collective_income"]]
    assert sorted(got.values.tolist()) == sorted(expected)
    assert len(result.frame) == 17  # 6 villages × 3 years, 杏花村 2019 empty


def test_a_wide_csv_with_a_problem_names_the_cell(tmp_path):
    rows = wide_rows()
    rows[2][2] = "九点七五"  # 下坪村, column 2020年
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    data = own_dataset(tmp_path)
    result = read_upload(frame_to_csv(frame, tmp_path / "w.csv", "gbk"), "village_income")
    plan = plan_import(read_base(data), "village_income", result)
    errors = [str(p) for p in plan.errors]
    assert errors == ["错误：图层 village_income（村集体经营性收入）第 2 行"
                      "（village_code=350999101202）"
                      "字段 collective_income（集体经营性收入（万元））："
                      "值 '九点七五' 不是数值（列“2020年”）"]


def test_a_title_row_above_the_header_is_skipped_and_its_unit_read(tmp_path):
    """A title, then 单位：元 above the header: the values (Excel numbers) are 元."""
    rows = [["松岭县 2019—2021 年村集体经营性收入统计表"], ["", "", "（单位：元）"],
            ["村代码", "2019年", "2020年", "2021年"]]
    rows += [[code, *(None if v is None else int(round(v * 10000)) for v in values)]
             for code, values in INCOME.items()]
    result = read_upload(xlsx(tmp_path, "t.xlsx", {"收入": rows}), "village_income")
    assert result.ok, result.problems
    read = dict(zip(zip(result.frame["village_code"], result.frame["year"]),
                    result.frame["collective_income"]))
    assert read[("350999101201", 2019)] == 26.61 and read[("350999102203", 2021)] == 4.4
    assert [p.message for p in result.notes][1] == (
        "工作表注明“单位：元”，2019年、2020年、2021年按元读入，已换算为万元（17 个值）")


def test_round_trip_wide_gives_the_figures_of_the_long_sheet(tmp_path):
    """The same income as a long sheet and as a wide one: identical rows, identical figures."""
    long_path, wide_path = own_dataset(tmp_path / "a"), own_dataset(tmp_path / "b")
    long_sheet = [["村代码", "年份", "集体经营性收入"], *long_income().values.tolist()]
    assert import_into(long_path, xlsx(tmp_path, "long.xlsx", {"收入": long_sheet}),
                       "village_income").imported
    done = import_into(wide_path, xlsx(tmp_path, "wide.xlsx", {"收入": wide_rows(("{y}年",))}),
                       "village_income")
    assert done.imported, done.problems
    assert _income(long_path) == _income(wide_path)
    long_figures, wide_figures = _figures(long_path), _figures(wide_path)
    assert {k: wide_figures[k] for k in FIGURES} == {k: long_figures[k] for k in FIGURES}
    assert wide_figures["income_growth_all"] == pytest.approx(GROWTH)
    assert wide_figures["avg_income_gain_joint"] == pytest.approx(5.095)
    assert wide_figures["avg_income_gain_other"] == pytest.approx(7.0)
    assert (wide_figures["low_income_villages"], wide_figures["target_income_villages"]) == (1, 1)


def test_round_trip_by_name_in_yuan_gives_the_figures_of_the_long_sheet(tmp_path):
    """乡镇 + 村名 as people write them, 元 with thousands separators: exact 万元, same figures."""
    long_path, named_path = own_dataset(tmp_path / "a"), own_dataset(tmp_path / "b")
    long_sheet = [["村代码", "年份", "集体经营性收入"], *long_income().values.tolist()]
    import_into(long_path, xlsx(tmp_path, "long.xlsx", {"收入": long_sheet}), "village_income")
    sheet = xlsx(tmp_path, "named.xlsx", {"收入": wide_rows(by_name=True, in_yuan=True)})
    done = import_into(named_path, sheet, "village_income")
    assert done.imported, done.problems
    assert _income(named_path) == _income(long_path)  # 266,100 元 is exactly 26.61 万元
    assert _income(named_path)[0] == ("350999101201", 2019, 26.61)
    assert {k: _figures(named_path)[k] for k in FIGURES} == {
        k: _figures(long_path)[k] for k in FIGURES}
    notes = [p.message for p in done.problems if p.severity == "info"]
    assert ("2019年（元）、2020年（元）、2021年（元）按元读入，已换算为万元（17 个值除以 10000）"
            in notes)
    assert "17 行按乡镇和村名匹配到村代码（6 个村（社区））" in notes


def test_a_long_sheet_with_years_written_2019年_and_amounts_in_yuan(tmp_path):
    rows = [["村代码", "年度", "集体经营性收入（元）"]]
    rows += [[c, f"{y}年", f"{int(round(v * 10000)):,}"] for c, vs in INCOME.items()
             for y, v in zip(YEARS, vs) if v is not None]
    data = own_dataset(tmp_path)
    done = import_into(data, write_text(tmp_path / "l.xlsx", xlsx_bytes({"收入": rows})),
                       "village_income")
    assert done.imported, done.problems
    assert _figures(data)["income_growth_all"] == pytest.approx(GROWTH)
    notes = [p.message for p in done.problems if p.severity == "info"]
    assert "集体经营性收入（元）按元读入，已换算为万元（17 个值除以 10000）" in notes
    assert "年度中 17 个年份写作“2019年”的形式，已读作年份数字" in notes


def test_a_wide_sheet_of_empty_cells_only_is_refused(tmp_path):
    rows = [["村代码", "2019年", "2020年"], ["350999101201", "", "—"]]
    result = read_upload(xlsx(tmp_path, "e.xlsx", {"收入": rows}), "village_income")
    assert not result.ok
    assert [p.message for p in result.errors] == ["文件中没有任何数据行（各年份列都是空格）"]


def test_the_wide_template_sheet_reads_as_income(tmp_path):
    """The template's village_income_wide sheet, filled, is chosen over the empty long one."""
    import io

    from openpyxl import load_workbook

    from geo.ingest.templates import WIDE_SHEET, template_xlsx_bytes, wide_headers
    book = load_workbook(io.BytesIO(template_xlsx_bytes()))
    years = [year_header("village_income", h) for h in wide_headers()[3:]]
    assert None not in years and len(years) == 3
    for code, values in INCOME.items():
        book[WIDE_SHEET].append([code, "", "", *values])
    path = tmp_path / "模板.xlsx"
    book.save(path)
    result = read_upload(path, "village_income")
    assert result.ok and result.source_layer == WIDE_SHEET
    assert sorted(set(result.frame["year"])) == years and len(result.frame) == 17
