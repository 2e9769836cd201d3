"""The Word briefing (.docx, python-docx): title, date, one section per theme
with its paragraphs, maps (PNG) and a table of figures by area.

Chinese text needs an East-Asian font declared on every run and style
(``w:rFonts/@w:eastAsia``); without it Word falls back to a Western font's
idea of CJK.  The fonts follow the usual layout of Chinese official
documents: 黑体 for the title and headings, 仿宋 for the body, 宋体 for tables.

>>> doc = new_document()
>>> doc.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia"))
'仿宋'
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

FONTS = {"title": ("黑体", 22), "heading": ("黑体", 16), "body": ("仿宋", 16),
         "caption": ("楷体", 12), "table": ("宋体", 10.5), "note": ("楷体", 12)}
LATIN = "Times New Roman"
IMAGE_WIDTH_CM = 16.0
RED = RGBColor(0xC8, 0x10, 0x2E)


@dataclass(frozen=True)
class Table:
    """A caption, the header row and the body rows (all text)."""

    caption: str
    header: list
    rows: list


@dataclass(frozen=True)
class Section:
    """A theme: heading, paragraphs, figures ``(png, caption)`` and tables; a png
    is a path or a file object (:func:`placed_png`)."""

    heading: str
    paragraphs: list
    figures: list = field(default_factory=list)
    tables: list = field(default_factory=list)


PALETTE_COLOURS = 224  # a placed map's palette (placed_png)


def placed_png(image, dpi: int, width_cm: float = IMAGE_WIDTH_CM) -> io.BytesIO:
    """A rendered map as the briefing prints it, as a small PNG.

    The briefing places a map :data:`IMAGE_WIDTH_CM` wide, so ``dpi`` (the
    print resolution) needs ``width_cm / 2.54 × dpi`` pixels across, about
    half of an A4 page rendered at that resolution: the page is resampled
    (Lanczos) to that width, never enlarged, and stored as a palette PNG of
    :data:`PALETTE_COLOURS` colours (median cut, no dithering, zlib level 9)
    with its resolution (pHYs) set to ``dpi``.  A palette, not JPEG: the maps
    are flat fills, thin lines and small text; median cut keeps the fill
    colours exact, where JPEG would shift them and ring around every edge and
    character.  224 colours, not 256: on the demo's six city maps the forty
    commonest colours (80–88 % of the pixels: the fills, text, outlines) stay
    exact or within 5 of 255 either way, only the anti-aliased edges have
    fewer shades (mean error 0.59 → 0.66 of 255 on 总览), and the report's
    pictures take 2.87 MB instead of 2.96 (its .docx within 3 MB with the
    walking map added).

    >>> from PIL import Image
    >>> page = Image.new("RGB", (3508, 2480), (254, 229, 217))
    >>> small = Image.open(placed_png(page, 300))
    >>> small.size, small.mode, small.getpixel((5, 5)) == small.palette.colors[(254, 229, 217)]
    ((1890, 1336), 'P', True)
    """
    from PIL import Image

    width = min(image.width, round(width_cm / 2.54 * dpi))
    if width < image.width:
        height = max(1, round(image.height * width / image.width))
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    palette = image.quantize(PALETTE_COLOURS, method=Image.Quantize.MEDIANCUT,
                             dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", dpi=(dpi, dpi), compress_level=9)
    out.seek(0)
    return out


def set_run_font(run, role: str, bold: bool | None = None) -> None:
    """Font of ``run`` for ``role`` (a key of :data:`FONTS`), East-Asian included."""
    name, size = FONTS[role]
    run.font.name = LATIN
    run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    r_fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    r_fonts.set(qn("w:eastAsia"), name)


def new_document() -> Document:
    """An A4 portrait document whose Normal style is the body font."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5))
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    normal = doc.styles["Normal"]
    name, size = FONTS["body"]
    normal.font.name, normal.font.size = LATIN, Pt(size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    normal.paragraph_format.line_spacing = Pt(28)
    return doc


def add_text(doc, text: str, role: str = "body", align=None, bold=None, indent: bool = False,
             color=None):
    paragraph = doc.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(FONTS[role][1] * 2)
    run = paragraph.add_run(text)
    set_run_font(run, role, bold)
    if color is not None:
        run.font.color.rgb = color
    return paragraph


def add_figure(doc, png, caption: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing = 1.0
    picture = str(png) if isinstance(png, (str, Path)) else png
    paragraph.add_run().add_picture(picture, width=Cm(IMAGE_WIDTH_CM))
    add_text(doc, caption, "caption", WD_ALIGN_PARAGRAPH.CENTER)


def add_table(doc, table: Table) -> None:
    add_text(doc, table.caption, "caption", WD_ALIGN_PARAGRAPH.CENTER)
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, row in enumerate([table.header, *table.rows]):
        for j, value in enumerate(row):
            cell = grid.cell(i, j)
            paragraph = cell.paragraphs[0]
            paragraph.paragraph_format.line_spacing = 1.0
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER
            set_run_font(paragraph.add_run(str(value)), "table", bold=i == 0)
    doc.add_paragraph()


def write_docx(path: str | Path, title: str, date_line: str, notes: list[str],
               sections: list[Section]) -> Path:
    """Write the briefing to ``path``; returns the path.

    ``notes`` are short lines under the date (years compared, the 示例数据
    notice: shown in red when it mentions 示例数据).  Section headings are
    numbered 一、二、…
    """
    doc = new_document()
    add_text(doc, title, "title", WD_ALIGN_PARAGRAPH.CENTER, bold=False)
    add_text(doc, date_line, "note", WD_ALIGN_PARAGRAPH.CENTER)
    for note in notes:
        add_text(doc, note, "note", WD_ALIGN_PARAGRAPH.CENTER,
                 color=RED if "示例数据" in note else None)
    for number, section in zip(CHINESE_NUMBERS, sections):
        heading = add_text(doc, f"{number}、{section.heading}", "heading")
        outline = OxmlElement("w:outlineLvl")      # listed in Word's navigation pane
        outline.set(qn("w:val"), "0")
        heading._p.get_or_add_pPr().append(outline)
        for text in section.paragraphs:
            add_text(doc, text, "body", indent=True)
        for png, caption in section.figures:
            add_figure(doc, png, caption)
        for table in section.tables:
            add_table(doc, table)
    doc.core_properties.title = title
    doc.save(path)
    return Path(path)


CHINESE_NUMBERS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
