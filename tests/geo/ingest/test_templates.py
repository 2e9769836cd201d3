"""Import templates (geo.ingest.templates): the empty GeoPackage, the XLSX and the guide."""
import dataclasses
import io
import sqlite3

import pyogrio
import pytest
from openpyxl import load_workbook

from geo import schema as s
from geo.dataset import read_dataset, validate_layers
from geo.ingest.columns import year_header
from geo.ingest.templates import (GUIDE_SHEET, TEMPLATE_SHEETS, WIDE_SHEET, header_field_name,
                                  import_guide_markdown, template_gpkg_bytes, template_header,
                                  template_xlsx_bytes, wide_headers)
from geo.settings import load_settings
from tests.geo.conftest import tiny_layers

OGR_DTYPE = {s.TEXT: "object", s.CHOICE: "object", s.INT: "int64", s.FLOAT: "float64",
             s.BOOL: "bool"}


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "模板.gpkg"
    path.write_bytes(template_gpkg_bytes())
    return path


@pytest.fixture(scope="module")
def book():
    return load_workbook(io.BytesIO(template_xlsx_bytes()))


def test_template_gpkg_is_a_valid_empty_dataset(template):
    """read_dataset accepts it: every layer present and empty, no problem at all
    (an empty villages layer is not a missing one)."""
    dataset, problems = read_dataset(template)
    assert problems == [] and dataset is not None
    assert dataset.present == frozenset(s.LAYERS)
    assert all(len(frame) == 0 for frame in dataset.layers.values())
    assert not dataset.has(s.VILLAGES)
    assert dataset.villages.crs.to_epsg() == 4490


def test_template_gpkg_has_the_schema_fields_types_geometry_and_crs(template):
    listed = dict(pyogrio.list_layers(template))
    assert listed == {"villages": "MultiPolygon", "grids": "MultiPolygon",
                      "service_sites": "Point", "village_income": None, "joint_orgs": None,
                      "joint_members": None, "roads": "MultiLineString"}
    for layer, spec in s.LAYERS.items():
        info = pyogrio.read_info(template, layer=layer)
        assert list(info["fields"]) == spec.field_names
        assert list(info["dtypes"]) == [OGR_DTYPE[f.kind] for f in spec.fields], layer
        if spec.geometry:
            assert info["crs"] == "EPSG:4490"


def test_template_gpkg_carries_the_chinese_labels(template):
    with sqlite3.connect(template) as con:
        labels = {(t, c): n for t, c, n in
                  con.execute("SELECT table_name, column_name, name FROM gpkg_data_columns")}
        described = dict(con.execute("SELECT table_name, description FROM gpkg_contents"))
    assert labels == {(layer, f.name): f.label for layer, spec in s.LAYERS.items()
                      for f in spec.fields}
    assert described == {layer: spec.label for layer, spec in s.LAYERS.items()}


def test_the_filled_template_reads_back(template, tmp_path):
    """The tiny dataset appended into a copy of the template is valid, 4 villages."""
    filled = tmp_path / "filled.gpkg"
    filled.write_bytes(template.read_bytes())
    typed, problems = validate_layers(tiny_layers())
    assert not any(p.is_error for p in problems)
    for layer, frame in typed.items():
        options = {}
        if s.LAYERS[layer].geometry:
            frame = frame.to_crs("EPSG:4490")
            options["promote_to_multi"] = s.LAYERS[layer].geometry == s.POLYGONAL
        pyogrio.write_dataframe(frame, filled, layer=layer, driver="GPKG", append=True, **options)
    dataset, problems = read_dataset(filled)
    assert dataset is not None and len(dataset.villages) == 4 and len(dataset.grids) == 2


def test_xlsx_has_a_sheet_per_table_with_every_field(book):
    assert book.sheetnames == [GUIDE_SHEET, *TEMPLATE_SHEETS, WIDE_SHEET]
    for layer in TEMPLATE_SHEETS:
        sheet = book[layer]
        headers = [c.value for c in sheet[1]]
        assert [header_field_name(h, layer) for h in headers] == s.LAYERS[layer].field_names
        assert headers == [template_header(layer, f.name) for f in s.LAYERS[layer].fields]
        assert [c.comment.text for c in sheet[1]] == [
            f"字段名：{f.name}" for f in s.LAYERS[layer].fields]
        assert sheet.max_row == 1 and sheet.freeze_panes == "A2"
    assert ([c.value for c in book["village_income"][1]]
            == ["村代码", "年份", "集体经营性收入（万元）"])
    assert "geometry" not in {c.value for c in book["villages"][1]}


def test_xlsx_offers_the_wide_income_layout(book):
    """村代码 | 乡镇（街道） | 村名 | the last three years, each a year header of SPEC §5."""
    sheet = book[WIDE_SHEET]
    headers = [c.value for c in sheet[1]]
    assert headers == wide_headers() and headers[:3] == ["村代码", "乡镇（街道）", "村名"]
    years = [year_header("village_income", h) for h in headers[3:]]
    assert len(years) == 3 and years == sorted(years) and None not in years
    assert "2019年收入" in sheet["D1"].comment.text and "（元）" in sheet["D1"].comment.text
    assert sheet.max_row == 1 and sheet.column_dimensions["A"].number_format == "@"
    guide = "\n".join(str(r[0]) for r in book[GUIDE_SHEET].iter_rows(values_only=True) if r[0])
    assert f"{WIDE_SHEET}（村集体经营性收入，按年分列）" in guide


def test_xlsx_formats_codes_as_text_and_offers_the_vocabularies(book):
    sheet = book["villages"]
    assert sheet.column_dimensions["A"].number_format == "@"  # village_code stays exact
    lists = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists["G2:G5000"] == '"行政村,社区"' and lists["L2:L5000"] == '"是,否"'
    orgs = {str(v.sqref): v.formula1 for v in book["joint_orgs"].data_validations.dataValidation}
    assert orgs == {"C2:C5000": '"以强带弱,产业主导,村企共建,地域联治,其他"'}


def test_xlsx_guide_sheet_explains_every_field(book):
    rows = [r for r in book[GUIDE_SHEET].iter_rows(values_only=True)]
    explained = {r[1] for r in rows if r[1]}
    for layer in TEMPLATE_SHEETS:
        assert set(s.LAYERS[layer].field_names) <= explained
    text = "\n".join(" ".join(str(c) for c in r if c) for r in rows)
    for needed in ("行政村（village）", "社区（community）", "以强带弱（strong_weak）",
                   "村企共建（village_enterprise）", "万元", "是 / 否", "0–5", "≥ 0"):
        assert needed in text, needed
    by_field = {(r[1], r[2]): r for r in rows if r[1]}
    assert by_field[("party_members", "党员数")][4] == "否（可省略此列）"
    assert by_field[("star_rating", "星级")][5] == "0–5"


def test_every_header_is_a_schema_label_or_alias(book):
    """The importer matches labels and aliases; each header is one of them, unique in its sheet."""
    for layer in TEMPLATE_SHEETS:
        for f in s.LAYERS[layer].fields:
            assert template_header(layer, f.name) in (f.label, *f.aliases)
        headers = [c.value for c in book[layer][1]]
        assert len(set(headers)) == len(headers)


@pytest.mark.parametrize("header, layer, expected", [
    ("村代码 village_code", "villages", "village_code"),
    ("村代码", "villages", "village_code"),
    ("乡镇(街道)", "villages", "township"),
    ("集体经营性收入（万元）", "village_income", "collective_income"),
    ("village_code", "village_income", "village_code"),
    ("  组织编号   org_id ", "joint_members", "org_id"),
    ("乡镇（街道） township", "villages", "township"),
    ("村", "villages", None),
    ("年份 year", "joint_orgs", None),
    ("", "villages", None),
    (2024, "village_income", None),
])
def test_header_field_name(header, layer, expected):
    assert header_field_name(header, layer) == expected


def test_guide_states_the_configured_limits_and_the_rules():
    settings = dataclasses.replace(load_settings(), upload_limit_mb=77, zip_max_files=9,
                                   zip_max_total_mb=333)
    guide = import_guide_markdown(settings)
    for needed in ("**77 MB**", "最多 9 个文件", "333 MB", "GBK", "UTF-8", ".cpg", "EPSG:4490",
                   "高德", "百度", "GCJ-02", "BD-09", "v0001", "回退", "万元", "行政村/社区",
                   "以强带弱、产业主导", "VRT", "每年一列", "2019年收入", WIDE_SHEET, "乡镇+村名",
                   "村委会", "元除以 10000", "12.5万元", "最接近", "村界与属性分两个文件"):
        assert needed in guide, needed
    for layer, spec in s.LAYERS.items():
        assert f"`{layer}`（{spec.label}）" in guide
        for f in spec.fields:
            assert (f"`{f.name}`（{f.label}）" in guide) == f.required
    assert len(guide) < 3000  # one page
    paragraphs = guide.strip().split("\n\n")
    assert all("\n" not in p for p in paragraphs if not p.startswith("|"))  # no stray spaces
    assert "200 MB" in import_guide_markdown()  # the default configuration
