"""The Word briefing and the workbook: numbers equal analysis's figures, the
tables read back, user text is never a formula, writing is atomic."""
import datetime as dt
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from analysis.grid_checks import grid_compliance
from analysis.kpis import KPI_KEYS, KPI_LABELS, compute_kpis, kpis_by_area, prepare_kpis
from analysis.params import Params
from geo.dataset import load_dataset
from report import build as report_module
from report.build import ReportOptions, write_report
from report.tables import kpi_header, table_cell
from report.text import format_number, report_passages
from tests.conftest import DEMO
from tests.report.test_text import PARAM_UNITS, assert_traced

YONGAN = "350481"
QUICK = ReportOptions(maps=("overview", "grid"), dpi=40, sample=True, date=dt.date(2026, 11, 23))
NUMBER = re.compile(r"(?:不足)?\d+(?:\.\d+)?(?:%|万元|个|年|米|分钟)?")


@pytest.fixture(scope="module")
def demo():
    return load_dataset(DEMO)


@pytest.fixture(scope="module")
def prep(demo):
    return prepare_kpis(demo, Params())


@pytest.fixture(scope="module")
def city(demo, prep, tmp_path_factory):
    out = tmp_path_factory.mktemp("city") / "report"
    return {p.suffix: p for p in write_report(demo, out, None, Params(), QUICK, prep)}


@pytest.fixture(scope="module")
def county(demo, prep, tmp_path_factory):
    out = tmp_path_factory.mktemp("county") / "report"
    options = ReportOptions(maps=(), dpi=40, date=dt.date(2026, 11, 23))
    return {p.suffix: p for p in write_report(demo, out, YONGAN, Params(), options, prep)}


def body_paragraphs(path):
    """The theme paragraphs: the only ones indented by two characters (without the
    目标对照 paragraph, checked in tests/report/test_targets.py)."""
    return [p for p in Document(path).paragraphs if p.paragraph_format.first_line_indent
            and not p.text.startswith("对照工作目标（见表）")]


def allowed_numbers(figures: dict, params=Params()) -> set:
    """Every way a figure, a parameter or a year can be written."""
    out = {format_number(figures[y], "年") for y in ("base_year", "eval_year")}
    out |= {format_number(getattr(params, k), u) for k, u in PARAM_UNITS.items()}
    for key in KPI_KEYS:
        if figures[key] is not None:
            unit = KPI_LABELS[key][1]
            out |= {format_number(figures[key], unit), format_number(abs(figures[key]), unit)}
    return out


def test_docx_sentences_state_the_figures_of_compute_kpis(city, demo, prep):
    figures = compute_kpis(demo, Params(), prep)
    paragraphs = [p.text for p in body_paragraphs(city[".docx"])]
    passages = report_passages(figures, Params(), "全市")
    assert paragraphs == [p.text for p in passages.values()]
    for passage in passages.values():
        assert_traced(passage, figures)
    allowed = allowed_numbers(figures)
    written = [n for text in paragraphs for n in NUMBER.findall(text)]
    assert len(written) > 30
    assert set(written) <= allowed, set(written) - allowed
    text = "".join(paragraphs)
    for seed in ("组建联村党组织223个", "覆盖869个村", "占总村数50.23%", "平均增收6.5万元",
                 "整顿转化47个"):
        assert seed in text


def test_docx_layout_fonts_maps_and_tables(city, demo, prep):
    doc = Document(city[".docx"])
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "全市跨村联建与网格治理工作情况报告"
    assert "2026年11月23日" in texts
    assert any("示例数据" in t for t in texts)
    assert len(doc.inline_shapes) == 2
    assert doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    for paragraph in body_paragraphs(city[".docx"]):
        for run in paragraph.runs:
            assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋"
    rows = kpis_by_area(demo, "county", Params(), prep)
    joint = doc.tables[0]
    assert [c.text for c in joint.rows[0].cells][1] == kpi_header("joint_orgs")
    for row, figures in zip(joint.rows[1:], rows):
        cells = [c.text for c in row.cells]
        assert cells[0] == figures["name"]
        assert cells[3] == table_cell(figures["joint_coverage"], "%")
    assert [c.text for c in joint.rows[-1].cells][1] == "223"


def assert_sheet_equals(path, sheet, rows):
    frame = pd.read_excel(path, sheet_name=sheet, dtype={"代码": str})
    assert list(frame["代码"]) == [r["code"] for r in rows]
    assert list(frame["名称"]) == [r["name"] for r in rows]
    for key in KPI_KEYS:
        read = frame[kpi_header(key)].to_numpy(dtype=float)
        want = np.array([np.nan if r[key] is None else r[key] for r in rows], dtype=float)
        np.testing.assert_allclose(read, want, rtol=1e-12, equal_nan=True, err_msg=key)


def test_xlsx_reads_back_as_kpis_by_area(city, demo, prep):
    assert_sheet_equals(city[".xlsx"], "各县指标", kpis_by_area(demo, "county", Params(), prep))
    assert_sheet_equals(city[".xlsx"], "各乡镇指标", kpis_by_area(demo, "township", Params(), prep))
    figures = compute_kpis(demo, Params(), prep)
    low = pd.read_excel(city[".xlsx"], sheet_name="低收入村")
    assert len(low) == figures["low_income_villages"] == 351
    assert (low["评估年收入（万元）"] < Params().low_income_threshold).all()
    orgs = pd.read_excel(city[".xlsx"], sheet_name="联村党组织及成员")
    assert len(orgs) == figures["joint_villages"]
    assert orgs["组织编号"].nunique() == figures["joint_orgs"]
    grids = pd.read_excel(city[".xlsx"], sheet_name="不达标网格")
    assert len(grids) == int((~grid_compliance(demo.grids, Params())["compliant"]).sum())
    sheet = openpyxl.load_workbook(city[".xlsx"])["各县指标"]
    headers = [c.value for c in sheet[1]]
    assert sheet.cell(2, headers.index(kpi_header("joint_coverage")) + 1).number_format == "0.00%"
    assert sheet.cell(2, 1).data_type == "s" and sheet.cell(2, 1).value == "350404"


def test_county_report_holds_the_county_only(county, demo, prep):
    row = next(r for r in kpis_by_area(demo, "county", Params(), prep) if r["code"] == YONGAN)
    paragraphs = [p.text for p in body_paragraphs(county[".docx"])]
    assert paragraphs == [p.text for p in report_passages(row, Params(), "永安市").values()]
    assert "四级单元网格1775个" in "".join(paragraphs)
    assert_sheet_equals(county[".xlsx"], "各县指标", [row])
    townships = [r for r in kpis_by_area(demo, "township", Params(), prep)
                 if r["code"].startswith(YONGAN)]
    assert_sheet_equals(county[".xlsx"], "各乡镇指标", townships)
    assert len(pd.read_excel(county[".xlsx"], sheet_name="低收入村")) == 0


def test_user_text_is_stored_as_text_never_a_formula(layers, gpkg, tmp_path):
    layers["joint_orgs"].loc[0, "name"] = "=cmd|' /C calc'!A0"
    layers["villages"].loc[0, "name"] = "@SUM(1+1)"
    layers["grids"].loc[1, "name"] = "+1"
    dataset = load_dataset(gpkg(layers))
    paths = write_report(dataset, tmp_path / "out", options=ReportOptions(maps=("joint",), dpi=30))
    xlsx = next(p for p in paths if p.suffix == ".xlsx")
    sheet = openpyxl.load_workbook(xlsx)["联村党组织及成员"]
    cells = {c.value: c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)}
    assert cells["'=cmd|' /C calc'!A0"].data_type == "s"
    assert "'@SUM(1+1)" in cells
    assert not any(v.startswith(("=", "+", "@")) for v in cells)
    read = pd.read_excel(xlsx, sheet_name="联村党组织及成员")
    assert read["组织名称"].iloc[0] == "'=cmd|' /C calc'!A0"
    grids = pd.read_excel(xlsx, sheet_name="不达标网格")
    assert list(grids["名称"]) == ["'+1"]


def test_missing_layers_are_written_missing(layers, gpkg, tmp_path):
    dataset = load_dataset(gpkg({"villages": layers["villages"]}))
    paths = write_report(dataset, tmp_path / "out", options=ReportOptions(maps=("overview",),
                                                                          dpi=30))
    docx = next(p for p in paths if p.suffix == ".docx")
    text = "".join(p.text for p in body_paragraphs(docx))
    assert text.count("暂无数据") >= 4
    assert "联村党组织0个" not in text and "网格0个" not in text


def test_a_failure_leaves_no_half_written_files(demo, prep, tmp_path, monkeypatch):
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "keep.txt").write_text("x")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_module, "write_xlsx", broken)
    for out in (existing, tmp_path / "new"):
        with pytest.raises(RuntimeError, match="disk full"):
            write_report(demo, out, YONGAN, Params(), ReportOptions(maps=()), prep)
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing"]


def test_unknown_county_is_refused_with_the_valid_codes(demo, tmp_path):
    with pytest.raises(ValueError, match=r"未知的县代码 999999；可选：350404（三元区）"):
        write_report(demo, tmp_path / "out", "999999")
    assert not (tmp_path / "out").exists()


def test_placed_picture_keeps_fill_colours_exact_among_many_edge_shades():
    """A map's fills stay their legend colours in the palette picture, however many
    anti-aliased shades its edges add (report.word.placed_png)."""
    from PIL import Image, ImageDraw

    from report.word import PALETTE_COLOURS, placed_png

    fills = [(254, 229, 217), (252, 174, 145), (251, 106, 74), (203, 24, 29), (49, 163, 84),
             (255, 255, 255)]
    page = Image.new("RGB", (1200, 800), fills[-1])
    draw = ImageDraw.Draw(page)
    for i, fill in enumerate(fills[:-1]):
        draw.rectangle((i * 230 + 10, 10, i * 230 + 220, 700), fill=fill)
    rng = np.random.default_rng(7)   # 2,000 edge pixels of 2,000 shades
    for x, y in rng.integers(0, 700, size=(2000, 2)):
        page.putpixel((int(x), int(y) + 50), tuple(int(v) for v in rng.integers(0, 256, 3)))
    picture = Image.open(placed_png(page, 300, width_cm=1200 / 300 * 2.54))
    assert picture.mode == "P" and len(picture.getcolors(maxcolors=512)) <= PALETTE_COLOURS
    assert picture.size == page.size and tuple(map(round, picture.info["dpi"])) == (300, 300)
    before, after = np.asarray(page), np.asarray(picture.convert("RGB"))
    for fill in fills:
        where = (before == fill).all(axis=2)
        assert where.sum() > 10_000 and (after[where] == fill).all(), fill
