"""The command line's text tables (cli.tables) on the toy dataset of tests/analysis."""
from analysis.kpis import compute_kpis, kpis_by_area
from cli.tables import format_kpi_table
from tests.analysis.conftest import C2_CODE
from tests.analysis.test_kpis import P300


def test_format_city_table(toy):
    text = format_kpi_table([compute_kpis(toy, P300)])
    assert "收入年份：2019 → 2021" in text
    lines = {line.split()[0]: line.split()[1:] for line in text.splitlines()[1:] if line.strip()}
    assert lines["联村覆盖率"] == ["%", "80.00%"]
    assert lines["联建村村均增收"] == ["万元", "8.33"]
    assert lines["行政村数"] == ["个", "5"]
    assert lines["平均每个联村党组织成员数"] == ["个/组织", "2.50"]


def test_format_area_table_and_missing(toy):
    """One column per area, named and coded; a missing figure shows as —."""
    text = format_kpi_table(kpis_by_area(toy, "county", P300))
    assert "甲县" in text and "乙县" in text and C2_CODE in text
    row = next(line for line in text.splitlines() if line.startswith("未联建村村均增收"))
    assert row.split()[1:] == ["万元", "—", "-0.50"]


def test_format_wraps_many_areas(toy):
    rows = [dict(r, code=f"{i:02d}", name=f"区{i}") for i, r in
            enumerate(kpis_by_area(toy, "township", P300) * 3)]
    text = format_kpi_table(rows)
    headers = [line for line in text.splitlines() if line.startswith("指标")]
    assert len(headers) == 2 and "区5" in headers[0] and "区6" in headers[1]
    assert format_kpi_table([]) == "（无数据）"
