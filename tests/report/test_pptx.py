"""导出 PPT (report/pptx.py) on the toy dataset of tests/analysis, whose figures are
worked out by hand there: 2 organisations covering v1–v4 of the 5 villages
(80 %); as of 2020 only O1 (v1, v2, v3: 60 %); township 丙乡 (T21) 1 of 2 (50 %).

The file is read back with python-pptx: 16:9, one slide per view, each with a
picture (the print map), the numbers, the takeaway and the date of the data;
every run names 微软雅黑 as its latin and east-asian font."""
import datetime as dt

import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn

from geo.sequence_store import View
from report.pptx import FONT, SlideOptions, build_presentation, pptx_bytes, write_pptx
from report.slides import slide_title, takeaway
from tests.analysis.conftest import C1_CODE, C2_CODE, T21

DAY = dt.date(2026, 11, 23)
VIEWS = [View("overview"), View("joint", C1_CODE, theme="light"),
         View("overview", C2_CODE, T21, year=2020), View("grids"), View("rankings")]


def texts_of(slide) -> list[str]:
    """The text of every shape, and of every paragraph (a number panel holds two)."""
    frames = [shape.text_frame for shape in slide.shapes if shape.has_text_frame]
    return [f.text for f in frames] + [p.text for f in frames for p in f.paragraphs]


def shape_text(slide, name: str) -> str:
    return next(s.text_frame.text for s in slide.shapes if s.name == name)


@pytest.fixture
def deck(toy, tmp_path):
    path = write_pptx(toy, tmp_path / "汇报.pptx", VIEWS,
                      options=SlideOptions(sample=True, date=DAY, dpi=100))
    return Presentation(str(path)), path


def test_one_16_9_slide_per_view_each_with_a_picture(deck):
    prs, path = deck
    assert prs.slide_width * 9 == prs.slide_height * 16
    assert len(prs.slides) == len(VIEWS)
    for slide in prs.slides:
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1 and pictures[0].image.content_type == "image/png"
        assert pictures[0].width > prs.slide_width / 2       # the map is the slide's body
    assert [p.name for p in path.parent.iterdir()] == ["汇报.pptx"]  # no temporary file left


def test_titles_numbers_takeaways_and_dates(deck, toy):
    prs, _ = deck
    city, county, town, grids, ranking = prs.slides
    assert shape_text(city, "title") == "全市 · 总览"
    said = texts_of(city)
    for value in ("80.00%", "2 个", "4 个", "8.33 万元"):       # coverage, orgs, villages, gain
        assert value in said
    assert shape_text(city, "takeaway") == (
        "要点\n全市组建联村党组织2个，覆盖4个村，联村覆盖率80.00%，联建村集体经济平均增收8.33万元。")
    assert "数据截至 2021 年" in shape_text(city, "date")
    assert "2026年11月23日" in shape_text(city, "date")
    assert shape_text(county, "title") == "甲县 · 跨村联建"
    # 丙乡 as of 2020: O2 (founded 2021) not yet there, so v4 is not covered (0 of 2)
    assert shape_text(town, "title") == "乙县 · 丙乡 · 总览"
    assert "数据截至 2020 年" in shape_text(town, "date")
    assert "0.00%" in texts_of(town) and "0 个" in texts_of(town)
    assert shape_text(town, "takeaway") == "要点\n乙县丙乡尚未组建联村党组织。"
    assert shape_text(grids, "title") == "全市 · 网格治理" and "11 个" in texts_of(grids)
    assert shape_text(ranking, "title") == "全市 · 排名（联村覆盖率）"
    # 甲县 100 % (v1–v3 of 3 villages), 乙县 50 %: against the target of 60 % one misses it
    assert shape_text(ranking, "takeaway").endswith("尚有1个县（市、区）联村覆盖率低于60%：乙县。")
    assert "未达目标" in texts_of(ranking) and "1 个" in texts_of(ranking)


def test_the_takeaway_is_the_one_of_report_slides(deck, toy):
    from analysis.kpis import compute_kpis

    prs, _ = deck
    expected = takeaway(VIEWS[3], compute_kpis(toy), "全市")
    assert shape_text(prs.slides[3], "takeaway") == f"要点\n{expected}"
    assert slide_title(VIEWS[3], "全市") == shape_text(prs.slides[3], "title")


def test_sample_notice_and_source(deck, toy):
    prs, _ = deck
    for slide in prs.slides:
        assert "示例数据（合成，非真实统计）" in shape_text(slide, "sample")
        assert shape_text(slide, "footer").startswith("数据来源：toy")
    real = Presentation(__import__("io").BytesIO(pptx_bytes(
        toy, VIEWS[:1], options=SlideOptions(sample=False, date=DAY, dpi=80))))
    slide = real.slides[0]
    assert "sample" not in [s.name for s in slide.shapes]
    assert not any("示例数据" in t for t in texts_of(slide))


def test_every_run_names_microsoft_yahei_for_latin_and_east_asian_text(deck):
    prs, _ = deck
    runs = [r for slide in prs.slides for shape in slide.shapes if shape.has_text_frame
            for p in shape.text_frame.paragraphs for r in p.runs]
    runs += [r for slide in prs.slides for p in slide.notes_slide.notes_text_frame.paragraphs
             for r in p.runs]
    assert runs
    for run in runs:
        props = run._r.find(qn("a:rPr"))
        fonts = {tag: props.find(qn(f"a:{tag}")).get("typeface") for tag in ("latin", "ea", "cs")}
        assert fonts == {"latin": FONT, "ea": FONT, "cs": FONT}
        assert props.get("lang") == "zh-CN"
    assert FONT == "Microsoft YaHei"


def test_speaker_notes_carry_the_report_paragraph(deck):
    prs, _ = deck
    notes = prs.slides[0].notes_slide.notes_text_frame.text
    assert "讲稿" in notes and "组建联村党组织2个" in notes


def test_themes_colour_the_background(deck):
    prs, _ = deck
    fills = [str(slide.background.fill.fore_color.rgb) for slide in list(prs.slides)[:2]]
    assert fills == ["0B1A33", "F5F7FB"]   # dark, then the light view


def test_bad_input_is_refused_in_chinese(toy):
    with pytest.raises(ValueError, match="没有要导出的视图"):
        build_presentation(toy, [])
    with pytest.raises(ValueError, match="数据中没有视图的范围 999999"):
        build_presentation(toy, [View("overview", "999999")])
