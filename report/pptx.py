"""导出 PPT: a briefing sequence (or the standard set) as a 16:9 PowerPoint file
(python-pptx), one slide per view.

Each slide carries the view's title, the print map of the view
(:mod:`maps.static`, the maps of the Word report, as a 256-colour PNG), its
key numbers, a one-line takeaway written from the figures
(:func:`report.slides.takeaway`), the date of the data (数据截至 2023 年), the
data source, the page number and, on the demo, 示例数据.  The speaker notes
hold the Word briefing's paragraph of the theme (:mod:`report.text`).

Fonts: every run names 微软雅黑 (``Microsoft YaHei``) as its latin, east-asian
(``a:ea``) and complex-script font, and the theme's fonts say the same: every
Windows machine since Vista has it, so the file opens right without fonts
embedded; elsewhere the viewer substitutes its own CJK font.  The maps are
pictures (drawn with Noto Sans CJK by :mod:`maps.fonts`), so they never depend
on the viewer's fonts.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from analysis.as_of import as_of_years, dataset_for
from analysis.grid_checks import grid_integrity
from analysis.kpis import compute_kpis, kpis_by_area, prepare_kpis
from analysis.params import Params
from analysis.rankings import area_marks, label_of, rank_areas
from geo import schema as s
from geo.settings import TARGETS, YELLOW_MARGIN
from maps import print_layout as ml
from maps.print_marks import draw_print_marks
from maps.static import build_map, crs_note, map_layers, map_title
from report.slides import (THEMES, area_name, area_options, coloring_of, kind_of, print_map,
                           ranking_level, slide_numbers, slide_title, takeaway)
from report.text import report_passages
from report.word import placed_png
import texts
from texts import slides as tsl

FONT = "Microsoft YaHei"      # 微软雅黑: on every Windows machine
SLIDE_W, SLIDE_H = Emu(12_192_000), Emu(6_858_000)   # 13⅓ × 7½ in: 16:9
MAP_TOP, MAP_HEIGHT = 1.45, 5.45                 # inches
MAP_WIDTH = MAP_HEIGHT * 297 / 210               # an A4 landscape page
NOTES_THEMES = {"overview": "joint", "income": "income", "joint": "joint", "grids": "grid"}


@dataclass(frozen=True)
class SlideOptions:
    """How the slides are written: the 示例数据 notice, the date, the maps'
    resolution (dpi of the A4 page; the picture keeps what a 4K projector shows),
    the targets of 排名 (``(figure key, target)`` pairs) and their yellow margin."""

    sample: bool = False
    date: dt.date | None = None
    dpi: int = 200
    targets: tuple = tuple(TARGETS.items())
    yellow_margin: float = YELLOW_MARGIN


class _Figures:
    """The figures, rankings and map layers of the views, each computed once."""

    def __init__(self, dataset, params: Params, prepared, integrity):
        self.dataset, self.params = dataset, params
        self.prepared = prepared if prepared is not None else prepare_kpis(dataset, params)
        self.integrity = integrity
        years = as_of_years(dataset)
        self.latest = years[-1] if years else None
        self._rows, self._layers = {}, {}

    def params_at(self, year: int | None) -> Params:
        latest = self.latest
        as_of = year if year is not None and latest is not None and year < latest else None
        return dataclasses.replace(self.params, as_of_year=as_of)

    def shown_year(self, year: int | None) -> int | None:
        return year if year is not None and self.latest is not None and year < self.latest \
            else self.latest

    def rows(self, year, by: str) -> dict:
        """``{area code: figures}`` of the counties or townships (``by``), or
        ``{None: figures}`` of the whole dataset (``by="city"``), at ``year``."""
        params = self.params_at(year)
        key = (params.as_of_year, by)
        if key not in self._rows:
            if by == "city":
                self._rows[key] = {None: compute_kpis(self.dataset, params, self.prepared)}
            else:
                rows = kpis_by_area(self.dataset, by, params, self.prepared)
                self._rows[key] = {r["code"]: r for r in rows}
        return self._rows[key]

    def of(self, view) -> dict:
        if view.township:
            return self.rows(view.year, "township")[view.township]
        if view.county:
            return self.rows(view.year, "county")[view.county]
        return self.rows(view.year, "city")[None]

    def ranked(self, view, options: tuple):
        targets, margin = options
        if view.county:
            townships = set(self.dataset.villages.loc[
                self.dataset.villages[s.COUNTY_CODE] == view.county, s.TOWNSHIP_CODE])
            rows = [r for c, r in self.rows(view.year, "township").items() if c in townships]
        else:
            rows = list(self.rows(view.year, "county").values())
        return rank_areas(rows, None, targets, margin)

    def layers(self, view):
        county = view.county
        township = view.township if view.page != "rankings" else None
        key = (self.params_at(view.year).as_of_year, county, township)
        if key not in self._layers:
            params = self.params_at(view.year)
            if self.integrity is None and len(self.dataset.grids):
                self.integrity = grid_integrity(self.dataset.villages, self.dataset.grids)
            # No slide draws the walking map: its catchment, the dearest part of
            # map_layers, is left out (the dataset as if it had no roads).
            drawn = dataclasses.replace(self.dataset, present=self.dataset.present - {s.ROADS})
            self._layers[key] = map_layers(dataset_for(drawn, params), params, county,
                                           self.integrity, township)
        return self._layers[key]


def _color(hex_text: str) -> RGBColor:
    return RGBColor.from_string(hex_text.lstrip("#"))


def set_font(run, size: float, color: str, bold: bool = False) -> None:
    """Size, colour, weight and 微软雅黑 as latin, east-asian and complex-script font."""
    font = run.font
    font.size, font.bold = Pt(size), bold
    font.color.rgb = _color(color)
    font.name = FONT                        # a:latin
    props = run._r.get_or_add_rPr()
    props.set("lang", "zh-CN")
    props.set("altLang", "en-US")
    after = props.find(qn("a:latin"))
    for tag in ("a:ea", "a:cs"):
        element = props.find(qn(tag))
        if element is None:
            element = etree.SubElement(props, qn(tag))
            after.addnext(element)
        element.set("typeface", FONT)
        after = element


def _theme_fonts(prs) -> None:
    """The theme's major and minor fonts: 微软雅黑 for latin and east-asian text."""
    theme = prs.slide_master.part.part_related_by(RT.THEME)
    root = etree.fromstring(theme.blob)
    for tag in ("a:majorFont", "a:minorFont"):
        for part in root.iter(qn(tag)):
            for script in ("a:latin", "a:ea", "a:cs"):
                element = part.find(qn(script))
                if element is not None:
                    element.set("typeface", FONT)
    theme._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _text(slide, left, top, width, height, lines, align=PP_ALIGN.LEFT,
          anchor=MSO_ANCHOR.TOP, name: str = ""):
    """A text box of ``lines`` = [(text, size pt, colour, bold), …], one paragraph each."""
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    box.name = name or box.name
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for margin in ("margin_left", "margin_right"):
        setattr(frame, margin, Inches(0.08))
    for i, (text, size, color, bold) in enumerate(lines):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        set_font(para.add_run(), size, color, bold)
        para.runs[0].text = text
    return box


def _panel(slide, left, top, width, height, fill: str, name: str = ""):
    shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, Inches(left), Inches(top),
                                   Inches(width), Inches(height))
    shape.adjustments[0] = 0.08
    shape.fill.solid()
    shape.fill.fore_color.rgb = _color(fill)
    shape.line.fill.background()
    shape.shadow.inherit = False
    shape.name = name or shape.name
    return shape


def fitting_size(text: str, width_in: float, height_in: float,
                 sizes: tuple = (14, 13, 12, 11, 10, 9)) -> float:
    """The largest font size (pt) of ``sizes`` at which ``text`` fits a box of
    ``width_in`` × ``height_in`` inches: a CJK character is one em wide, a line
    1.25 em high (the smallest size when none fits).

    >>> fitting_size("要" * 40, 4.0, 1.0), fitting_size("要" * 200, 4.0, 1.0)
    (14, 9)
    """
    for size in sizes:
        per_line = max(int(width_in * 72 / size), 1)
        lines = -(-len(text) // per_line)
        if lines * size * 1.25 / 72 <= height_in:
            return size
    return sizes[-1]


def _map_png(view, figures: _Figures, area: str, options: SlideOptions, source: str,
             date: dt.date, ranked=None) -> io.BytesIO:
    """The print map of the view (排名: its areas outlined in their marks' colours)."""
    layers = figures.layers(view)
    key = print_map(view)
    title, subtitle = map_title(key, area, layers)
    marks = {}
    if view.page == "rankings":
        figure = coloring_of(view)
        marks = area_marks(ranked, figure) if ranked is not None else {}
        title = tsl.RANK_MAP_TITLE.format(area=area, label=label_of(figure)[0])
        subtitle = tsl.RANK_MAP_SUBTITLE.format(level=texts.REPORT_LEVELS[ranking_level(view)])
    furniture = ml.Furniture(title, subtitle, texts.REPORT_SOURCE.format(name=source),
                             texts.REPORT_DATE.format(d=date),
                             texts.SAMPLE_BADGE if options.sample else "", crs_note(layers.crs))
    fig = build_map(key, layers, furniture)
    if marks:
        draw_print_marks(fig, layers, marks, tsl.RANK_MARKS_TITLE.format(
            label=label_of(coloring_of(view))[0]))
    image = ml.render_png(fig, options.dpi)
    return placed_png(image, options.dpi, width_cm=MAP_WIDTH * 2.54)


def add_slide(prs, view, figures: _Figures, names: dict, options: SlideOptions, number: int,
              total: int, source: str, date: dt.date):
    """One slide of ``view`` (see the module docstring); returns it."""
    theme = THEMES[view.theme]
    slide = prs.slides.add_slide(prs.slide_layouts[6])   # blank
    slide.background.fill.solid()
    slide.background.fill.fore_color.rgb = _color(theme["bg"])
    area = area_name(names, view.county, view.township)
    prose = area_name(names, view.county, view.township, sep="")   # in sentences and maps
    figs = figures.of(view)
    ranked = figures.ranked(view, (options.targets, options.yellow_margin)) \
        if view.page == "rankings" else None
    year = figures.shown_year(view.year)
    dated = tsl.DATA_DATE.format(year=year) if year is not None else tsl.DATA_LATEST
    title = slide_title(view, area)
    size = fitting_size(title, 9.4, 0.62, (28, 26, 24, 22, 20))
    _text(slide, 0.45, 0.28, 9.6, 0.75, [(title, size, theme["text"], True)],
          anchor=MSO_ANCHOR.MIDDLE, name="title")
    _text(slide, 0.45, 0.92, 9.6, 0.42,
          [(f"{dated} · {texts.REPORT_DATE.format(d=date)}", 13, theme["muted"], False)],
          name="date")
    if options.sample:
        badge = _panel(slide, 10.05, 0.4, 2.85, 0.46, theme["accent"], name="sample")
        badge.text_frame.text = ""
        set_font(badge.text_frame.paragraphs[0].add_run(), 12, theme["bg"], True)
        badge.text_frame.paragraphs[0].runs[0].text = texts.SAMPLE_BADGE
        badge.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER
    png = _map_png(view, figures, prose, options, source, date, ranked)
    picture = slide.shapes.add_picture(png, Inches(0.45), Inches(MAP_TOP),
                                       height=Inches(MAP_HEIGHT))
    picture.name = "map"
    left, width, top = 8.55, 4.33, MAP_TOP
    numbers = slide_numbers(view, figs, ranked)
    height = min(0.9, (3.9 - 0.1 * (len(numbers) - 1)) / max(len(numbers), 1))
    for i, (label, value) in enumerate(numbers):
        y = top + i * (height + 0.1)
        _panel(slide, left, y, width, height, theme["panel"], name=f"number-{i}")
        _text(slide, left + 0.1, y + 0.04, width - 0.2, height - 0.08,
              [(label, 12, theme["muted"], False), (value, 26, theme["accent"], True)],
              anchor=MSO_ANCHOR.MIDDLE, name=f"number-text-{i}")
    said = takeaway(view, figs, prose, figures.params_at(view.year), ranked)
    y = top + len(numbers) * (height + 0.1) + 0.05
    room = MAP_TOP + MAP_HEIGHT - y
    _panel(slide, left, y, width, room, theme["panel"], name="takeaway-box")
    size = fitting_size(said, width - 0.36, room - 0.5)
    _text(slide, left + 0.1, y + 0.05, width - 0.2, room - 0.1,
          [(tsl.TAKEAWAY, 12, theme["muted"], True), (said, size, theme["text"], False)],
          name="takeaway")
    foot = tsl.SOURCE.format(name=source) + (f" · {texts.SAMPLE_BADGE}" if options.sample else "")
    _text(slide, 0.45, 7.02, 9.5, 0.34, [(foot, 10, theme["muted"], False)], name="footer")
    _text(slide, 10.4, 7.02, 2.5, 0.34, [(tsl.PAGE_NUMBER.format(n=number, total=total), 10,
                                          theme["muted"], False)], align=PP_ALIGN.RIGHT,
          name="page-number")
    theme_key = NOTES_THEMES.get(kind_of(view))
    notes = said if theme_key is None else \
        report_passages(figs, figures.params_at(view.year), prose)[theme_key].text
    frame = slide.notes_slide.notes_text_frame
    frame.text = ""
    set_font(frame.paragraphs[0].add_run(), 12, "#000000")
    frame.paragraphs[0].runs[0].text = f"{said}\n{tsl.NOTES_HEAD}{notes}"
    return slide


def build_presentation(dataset, views, params: Params = Params(),
                       options: SlideOptions = SlideOptions(), prepared=None, integrity=None):
    """The :class:`pptx.presentation.Presentation` of ``views`` (16:9, one slide each).

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    views : sequence of geo.sequence_store.View
        Their areas must be in the dataset (``ValueError`` naming the code).
    params : Params
        Thresholds (万元), grid standard (households), service radius (m); each
        view's year replaces ``as_of_year``.
    options : SlideOptions
    prepared, integrity : optional
        :func:`analysis.kpis.prepare_kpis` and
        :func:`analysis.grid_checks.grid_integrity` of the dataset, when already computed.
    """
    if not views:
        raise ValueError("没有要导出的视图")
    names = area_options(dataset.villages)
    for view in views:
        if view.county and (view.county not in names or (
                view.township and view.township not in names[view.county][1])):
            raise ValueError(f"数据中没有视图的范围 {view.township or view.county}")
    figures = _Figures(dataset, params, prepared, integrity)
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    _theme_fonts(prs)
    source = Path(dataset.source).name or "—"
    date = options.date or dt.date.today()
    for number, view in enumerate(views, start=1):
        add_slide(prs, view, figures, names, options, number, len(views), source, date)
    return prs


def pptx_bytes(dataset, views, params: Params = Params(), options: SlideOptions = SlideOptions(),
               prepared=None, integrity=None) -> bytes:
    """:func:`build_presentation` as the bytes of a .pptx file."""
    out = io.BytesIO()
    build_presentation(dataset, views, params, options, prepared, integrity).save(out)
    return out.getvalue()


def write_pptx(dataset, path, views, params: Params = Params(),
               options: SlideOptions = SlideOptions(), prepared=None, integrity=None) -> Path:
    """Write :func:`build_presentation` to ``path`` atomically (a temporary file in the
    same folder, then renamed); returns the path."""
    path = Path(path)
    data = pptx_bytes(dataset, views, params, options, prepared, integrity)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
