"""The walking figure in the Word briefing (issue 16): beside the disc figure in the
党群服务阵地 section, one sentence comparing them, and the print map of the catchments;
without roads the map is left out and the figure is said missing."""
import dataclasses
import datetime as dt

import pytest
from docx import Document

from analysis.kpis import compute_kpis, kpis_by_area, prepare_kpis
from analysis.params import Params
from geo.dataset import load_dataset
from report.build import ReportOptions, write_report
from report.tables import kpi_header, table_cell
from report.text import walk_text
from tests.conftest import DEMO

OPTIONS = ReportOptions(maps=("service", "walk"), dpi=40, sample=True,
                        date=dt.date(2026, 12, 6))


@pytest.fixture(scope="module")
def demo():
    return load_dataset(DEMO)


@pytest.fixture(scope="module")
def city(demo, tmp_path_factory):
    prep = prepare_kpis(demo, Params())
    out = tmp_path_factory.mktemp("walk") / "report"
    files = write_report(demo, out, None, Params(), OPTIONS, prep)
    return files, compute_kpis(demo, Params(), prep), kpis_by_area(demo, "county", Params(), prep)


def service_section(doc) -> list[str]:
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("党群服务阵地") if "党群服务阵地" in texts else \
        next(i for i, t in enumerate(texts) if t.endswith("党群服务阵地"))
    return texts[start:]


def test_the_service_section_compares_walking_with_the_disc(city):
    files, figures, _ = city
    doc = Document(next(p for p in files if p.suffix == ".docx"))
    section = "".join(service_section(doc))
    sentence = walk_text(figures, Params()).text
    assert sentence in section
    assert "阵地服务范围覆盖人口占总人口的51.55%；沿道路步行15分钟仅覆盖40.02%：" in sentence
    assert "图2　全市党群服务阵地步行服务圈图" in section
    assert len(doc.inline_shapes) == 2


def test_the_service_table_has_the_walking_figure_beside_the_disc(city):
    files, figures, counties = city
    doc = Document(next(p for p in files if p.suffix == ".docx"))
    table = next(t for t in doc.tables
                 if kpi_header("walk_service_population_coverage") in
                 [c.text for c in t.rows[0].cells])
    header = [c.text for c in table.rows[0].cells]
    disc = header.index(kpi_header("service_population_coverage"))
    assert header[disc + 1] == kpi_header("walk_service_population_coverage")
    for row, area in zip(table.rows[1:], counties):
        assert row.cells[disc + 1].text == table_cell(area["walk_service_population_coverage"],
                                                      "%")
    assert table.rows[-1].cells[disc + 1].text == table_cell(
        figures["walk_service_population_coverage"], "%") == "40.02"


def test_the_catchment_map_is_written(city):
    files, _, _ = city
    names = [p.name for p in files if p.suffix == ".png"]
    assert names == ["全市_图1_服务阵地覆盖图.png", "全市_图2_步行服务圈图.png"]


def test_without_roads_the_map_is_left_out_and_the_figure_is_missing(demo, tmp_path):
    layers = dict(demo.layers)
    layers["roads"] = layers["roads"].iloc[:0]
    no_roads = dataclasses.replace(demo, layers=layers)
    files = write_report(no_roads, tmp_path / "out", "350481", Params(),
                         ReportOptions(maps=("walk",), dpi=30))
    assert not [p for p in files if p.suffix == ".png"]
    doc = Document(next(p for p in files if p.suffix == ".docx"))
    assert "沿道路步行15分钟的覆盖人口暂无数据（需导入道路图层）。" in "".join(service_section(doc))
