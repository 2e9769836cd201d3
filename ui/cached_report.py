"""Cached report exports of the 报告导出 page, keyed by the dataset's
:class:`ui.cached.Source` and the options chosen (never by frames).

A build writes into a temporary folder with :func:`report.build.write_report`
and keeps the files' bytes, so that every download button and rerun reuses
them.
"""
from __future__ import annotations

import io
import tempfile
import zipfile

import streamlit as st

from geo import schema as s
from geo.settings import load_settings
from report.build import ReportOptions, write_report
from ui.cached import Source, dataset, params as default_params, prepared

MIME = {".png": "image/png", ".svg": "image/svg+xml", ".pdf": "application/pdf",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".zip": "application/zip"}


def _integrity(src: Source):
    """The grid checks of the 网格治理 page when the dataset has grids (shared cache)."""
    if not dataset(src).has(s.GRIDS):
        return None
    from ui.cached_grids import integrity

    return integrity(src)


@st.cache_resource(show_spinner=False, max_entries=8)
def report_files(src: Source, county: str | None, maps: tuple, formats: tuple,
                 orientation: str) -> dict:
    """``{file name: bytes}`` of the report, in name order.

    Raises ``ValueError`` or :class:`maps.fonts.FontMissingError` like
    :func:`report.build.write_report` (nothing is cached then).
    """
    params, settings = default_params(), load_settings()
    options = ReportOptions(maps=maps, formats=("png", *formats), orientation=orientation,
                            sample=src.is_demo, targets=settings.targets,
                            yellow_margin=settings.yellow_margin)
    with tempfile.TemporaryDirectory(prefix="report-") as tmp:
        paths = write_report(dataset(src), f"{tmp}/out", county, params, options,
                             prepared(src, params), _integrity(src))
        return {p.name: p.read_bytes() for p in paths}


def zip_bytes(files: dict) -> bytes:
    """The files as one ZIP archive (UTF-8 names)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def mime_of(name: str) -> str:
    """The MIME type of a report file by its extension."""
    return MIME.get(name[name.rfind("."):].lower(), "application/octet-stream")
