"""``python -m analysis report … --pptx [--sequence NAME]``: the slides (导出 PPT)
beside the report.

Without ``--sequence`` the standard set (the city or ``--county``: its
overview, each county or township, the ranking, the grids, the joint
organisations); with it, the saved briefing sequence of that name from the
data folder (``dashboard.toml [data] folder``, :mod:`geo.sequence_store`).
"""
from __future__ import annotations

from pathlib import Path

from geo.sequence_store import SequenceStore
from report.build import check_county
from report.pptx import SlideOptions, write_pptx
from report.slides import area_options, standard_views

FILE_NAME = "{tag}_汇报幻灯片.pptx"


def slide_views(dataset, county: str | None, sequence: str | None, folder) -> list:
    """The views to export: the sequence ``sequence`` of the store in ``folder``, or
    the standard set of the city or ``county``.  ``ValueError`` (Chinese) for an
    unknown sequence, an empty one or an unknown county."""
    check_county(dataset, county)
    if sequence is None:
        return standard_views(area_options(dataset.villages), county)
    views = list(SequenceStore(folder).get(sequence).views)
    if not views:
        raise ValueError(f"汇报序列“{sequence}”中还没有视图")
    return views


def slides_path(dataset, out_dir, county: str | None) -> Path:
    """``DIR/全市_汇报幻灯片.pptx`` or ``DIR/350481永安市_汇报幻灯片.pptx`` (the report's
    file names begin the same way)."""
    area = check_county(dataset, county)
    return Path(out_dir) / FILE_NAME.format(tag=area if county is None else f"{county}{area}")


def write_slides(dataset, out_dir, county: str | None, views: list, settings,
                 sample: bool) -> Path:
    """Write the .pptx of ``views`` into ``out_dir`` (created when missing)."""
    path = slides_path(dataset, out_dir, county)
    path.parent.mkdir(parents=True, exist_ok=True)
    options = SlideOptions(sample=sample, targets=settings.targets,
                           yellow_margin=settings.yellow_margin)
    return write_pptx(dataset, path, views, options=options)
