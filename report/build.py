"""The report export (报告导出): static maps, the Word briefing and the workbook
of a dataset or of one county, written atomically into a folder.

Used by the command line (``python -m analysis report``) and the 报告导出
page.  Files are first written into a temporary folder beside the target and
moved into it only when all of them are done: a failure leaves no
half-written file behind.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from analysis.grid_checks import grid_compliance
from analysis.grid_tree import grid_tree, noncompliant_grids
from analysis.income import resolve_years
from analysis.kpis import KPI_KEYS, KPI_LABELS, compute_kpis, kpis_by_area, prepare_kpis
from analysis.params import Params
from analysis.rankings import rank_areas
from geo import schema as s
from geo.settings import TARGETS, YELLOW_MARGIN
from maps import print_layout as ml
from maps.static import MAP_KEYS, build_map, crs_note, map_available, map_layers, map_title
from report.excel import Sheet, write_xlsx
from report.tables import area_table, kpi_header, low_income_table, org_member_table, table_cell
from report.targets import targets_paragraph, targets_table
from report.text import report_passages
from report.word import Section, Table, placed_png, write_docx
import texts

log = logging.getLogger(__name__)
FILE_NAMES = {"overview": "总览图", "income": "收入分级图", "joint": "联村党组织分布图",
              "grid": "网格达标图", "service": "服务阵地覆盖图", "walk": "步行服务圈图"}


@dataclass(frozen=True)
class ReportOptions:
    """What to write: maps (keys of :data:`maps.static.MAP_KEYS`), image
    formats (``png`` always, for the Word file; ``svg``/``pdf`` besides), page
    orientation, PNG resolution, the 示例数据 notice, the report date, the
    targets of the red/yellow/green marks (``dashboard.toml [targets]``:
    ``(figure key, target)`` pairs) and their yellow margin."""

    maps: tuple = MAP_KEYS
    formats: tuple = ("png",)
    orientation: str = "landscape"
    dpi: int = ml.PRINT_DPI
    sample: bool = False
    date: dt.date | None = None
    targets: tuple = tuple(TARGETS.items())
    yellow_margin: float = YELLOW_MARGIN


def county_names(dataset) -> dict:
    """``{county_code: county}`` of the dataset, by code."""
    v = dataset.villages
    return dict(v.groupby(s.COUNTY_CODE, sort=True)[s.COUNTY].first())


def check_county(dataset, county: str | None) -> str:
    """The area's name (全市 or the county's); ``ValueError`` listing the valid codes."""
    if county is None:
        return texts.REPORT_CITY
    names = county_names(dataset)
    if county not in names:
        valid = "、".join(f"{code}（{name}）" for code, name in names.items())
        raise ValueError(f"未知的县代码 {county}；可选：{valid}")
    return str(names[county])


def _file_tag(county: str | None, area: str) -> str:
    if county is None:
        return area
    return re.sub(r"[^\w]", "", f"{county}{area}")[:40] or "county"


def _area_figures(dataset, params, prepared, county):
    """Figures of the area, and the rows of its counties and townships."""
    counties = kpis_by_area(dataset, "county", params, prepared)
    townships = kpis_by_area(dataset, "township", params, prepared)
    if county is None:
        return compute_kpis(dataset, params, prepared), counties, townships
    codes = set(dataset.villages.loc[dataset.villages[s.COUNTY_CODE] == county,
                                     s.TOWNSHIP_CODE])
    counties = [r for r in counties if r["code"] == county]
    return counties[0], counties, [r for r in townships if r["code"] in codes]


def _theme_table(theme: str, n: int, rows: list, total: dict, area: str, level: str) -> Table:
    keys = texts.REPORT_THEME_KPIS[theme]
    header = [texts.REPORT_LEVELS[level], *(kpi_header(k) for k in keys)]
    body = [[str(r["name"] or r["code"]), *(table_cell(r[k], KPI_LABELS[k][1]) for k in keys)]
            for r in rows]
    body.append([f"{area}合计", *(table_cell(total[k], KPI_LABELS[k][1]) for k in keys)])
    caption = texts.REPORT_TABLE_CAPTION.format(n=n, theme=texts.REPORT_THEMES[theme],
                                                level=texts.REPORT_LEVELS[level])
    return Table(caption, header, body)


def _sections(passages, pngs: dict, rows, total, area, level, titles) -> list[Section]:
    sections, figure_no, table_no = [], 0, 0
    for theme, passage in passages.items():
        figures = []
        for key in texts.REPORT_THEME_MAPS.get(theme, ()):
            if key in pngs:
                figure_no += 1
                figures.append((pngs[key], texts.REPORT_FIGURE_CAPTION.format(
                    n=figure_no, title=titles[key])))
        tables = []
        if theme in texts.REPORT_THEME_KPIS and theme != "overview" and len(rows) > 1:
            table_no += 1
            tables.append(_theme_table(theme, table_no, rows, total, area, level))
        sections.append(Section(texts.REPORT_THEMES[theme], [passage.text], figures, tables))
    return sections


def _targets_section(rows: list, options: ReportOptions, level: str,
                     number: int) -> Section:
    """目标对照: how many areas meet each target, and who is behind (table ``number``)."""
    keys = tuple(key for key, _ in options.targets)
    table = rank_areas(rows, None, options.targets, options.yellow_margin, keys)
    name = texts.REPORT_LEVELS[level]
    return Section(texts.REPORT_TARGETS, [targets_paragraph(table, keys, name)], [],
                   [targets_table(table, name, number)])


def _sheets(dataset, params, county, counties, townships, figures) -> list[Sheet]:
    base, last = figures["base_year"], figures["eval_year"]
    kpi_headers = {**texts.REPORT_AREA_COLUMNS, **{k: kpi_header(k) for k in KPI_KEYS}}
    kpi_formats = {k: KPI_LABELS[k][1] for k in KPI_KEYS}
    names = texts.REPORT_SHEETS
    v = dataset.villages
    orgs = org_member_table(dataset.joint_orgs, dataset.joint_members, v,
                            dataset.village_income, base, last, county)
    low = low_income_table(v, dataset.joint_members, dataset.village_income,
                           params.low_income_threshold, base, last, county)
    compliance = grid_compliance(dataset.grids, params)
    tree = grid_tree(v, dataset.grids)
    bad = noncompliant_grids(compliance, tree, "county" if county else None, county)
    money = {c: "万元" for c in ("income_base", "income_eval", "income_gain")}
    columns = texts.REPORT_SHEET_COLUMNS
    return [
        Sheet(names["county"], area_table(counties), kpi_headers, kpi_formats, ("code",)),
        Sheet(names["township"], area_table(townships), kpi_headers, kpi_formats, ("code",)),
        Sheet(names["orgs"], orgs, columns, money, ("org_id", s.VILLAGE_CODE)),
        Sheet(names["grids"], bad, columns, {}, (s.GRID_CODE,)),
        Sheet(names["low_income"], low, {**columns, s.NAME: "村名"}, money,
              (s.VILLAGE_CODE, s.ORG_ID)),
    ]


def _umask() -> int:
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def is_demo_path(path) -> bool:
    """True when ``path`` is the bundled demo of the settings (示例数据)."""
    from geo.settings import load_settings

    try:
        return Path(path).resolve() == load_settings().demo.resolve()
    except (ValueError, OSError):
        return False


def _commit(tmp: Path, out_dir: Path) -> list[Path]:
    """Move every file of ``tmp`` into ``out_dir`` (created when missing)."""
    names = sorted(p.name for p in tmp.iterdir())
    if not out_dir.exists():
        os.replace(tmp, out_dir)
        return [out_dir / n for n in names]
    for name in names:
        os.replace(tmp / name, out_dir / name)
    tmp.rmdir()
    return [out_dir / n for n in names]


def write_report(dataset, out_dir: str | os.PathLike, county: str | None = None,
                 params: Params = Params(), options: ReportOptions = ReportOptions(),
                 prepared=None, integrity=None) -> list[Path]:
    """Write the maps, the Word briefing and the workbook of the dataset (or of
    ``county``) into ``out_dir``.

    Parameters
    ----------
    dataset : geo.dataset.Dataset
    out_dir : path
        Created when missing; files of the same name are replaced.
    county : str, optional
        A ``county_code`` of the villages; ``None`` for the whole dataset.
    params : Params
        Years, thresholds (万元), grid standard, service radius (m).
    options : ReportOptions
    prepared, integrity : optional
        :func:`analysis.kpis.prepare_kpis` and
        :func:`analysis.grid_checks.grid_integrity` of the whole dataset, when
        already computed.

    Returns
    -------
    list of pathlib.Path
        The files written, by name.

    Raises
    ------
    ValueError
        For an unknown county (the message lists the valid codes), an income
        year the data do not have, or an unknown map, format or orientation.
    maps.fonts.FontMissingError
        When no Chinese font is installed.
    """
    area = check_county(dataset, county)
    unknown = [m for m in options.maps if m not in MAP_KEYS]
    if unknown:
        raise ValueError(f"未知地图 {unknown}，可选：{', '.join(MAP_KEYS)}")
    resolve_years(dataset.village_income, params.base_year, params.eval_year)  # refuse early
    date = options.date or dt.date.today()
    tag = _file_tag(county, area)
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    tmp.chmod(0o777 & ~_umask())
    try:
        # The figures and the workbook's tables need no map: they are computed
        # in a second thread while the maps are drawn.
        with ThreadPoolExecutor(max_workers=1) as side:
            tables = side.submit(_figures_and_sheets, dataset, params, prepared, county)
            pngs, titles = _write_maps(dataset, params, county, integrity, options, area, date,
                                       tmp, tag)
            figures, rows, sheets = tables.result()
        passages = report_passages(figures, params, area)
        level = "township" if county else "county"
        notes = [texts.REPORT_YEARS.format(base=figures["base_year"] or "—",
                                           eval=figures["eval_year"] or "—")]
        if options.sample:
            notes.append(texts.REPORT_SAMPLE_NOTE)
        sections = _sections(passages, pngs, rows, figures, area, level, titles)
        if options.targets:  # before 存在问题与下一步工作, the last section
            number = 1 + sum(len(section.tables) for section in sections)
            sections.insert(-1, _targets_section(rows, options, level, number))
        write_docx(tmp / f"{tag}_{texts.REPORT_TITLE.format(area='')}.docx",
                   texts.REPORT_TITLE.format(area=area), texts.REPORT_DATE.format(d=date), notes,
                   sections)
        write_xlsx(tmp / f"{tag}_指标表.xlsx", sheets)
        return _commit(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _figures_and_sheets(dataset, params, prepared, county):
    """The area's figures, the rows of its table (counties, or townships of a
    county) and the workbook's sheets."""
    prepared = prepared if prepared is not None else prepare_kpis(dataset, params)
    figures, counties, townships = _area_figures(dataset, params, prepared, county)
    sheets = _sheets(dataset, params, county, counties, townships, figures)
    return figures, townships if county else counties, sheets


def _write_maps(dataset, params, county, integrity, options, area, date, tmp, tag):
    """Draw the maps; the PNG files (print resolution) and the briefing's smaller
    copies (:func:`report.word.placed_png`) are encoded in threads while the next
    map is drawn.  Returns the briefing's images and the maps' titles, by key."""
    if not options.maps:
        return {}, {}
    unknown = [f for f in options.formats if f not in ml.FORMATS]
    if unknown:
        raise ValueError(f"未知图片格式 {unknown}，可选：{', '.join(ml.FORMATS)}")
    layers = map_layers(dataset, params, county, integrity)
    placed, titles, pending = {}, {}, []
    with ThreadPoolExecutor(max_workers=2) as pool:
        shown = [key for key in options.maps if map_available(key, layers)]  # walk: roads
        for i, key in enumerate(shown, start=1):
            title, subtitle = map_title(key, area, layers)
            furniture = ml.Furniture(
                title, subtitle, texts.REPORT_SOURCE.format(name=Path(dataset.source).name or "—"),
                texts.REPORT_DATE.format(d=date), texts.SAMPLE_BADGE if options.sample else "",
                crs_note(layers.crs))
            fig = build_map(key, layers, furniture, options.orientation)
            stem = tmp / f"{tag}_图{i}_{FILE_NAMES[key]}"
            image = ml.render_png(fig, options.dpi)
            pending.append(pool.submit(ml.write_png, image, f"{stem}.png", options.dpi))
            placed[key] = pool.submit(placed_png, image, options.dpi)
            ml.save_figure(fig, stem, [f for f in options.formats if f != "png"], options.dpi)
            titles[key] = title
        for future in pending:
            future.result()
        placed = {key: future.result() for key, future in placed.items()}
    return placed, titles
