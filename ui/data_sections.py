"""The sections of the 数据管理 page: the dataset in use and its versions, an
upload checked before anything changes, templates and the guide.

The reading, merging and validating are :mod:`geo.ingest.read` and
:mod:`geo.ingest.plan` (the same code as ``python -m analysis import``); the
names to settle, the preview of the sheet as read and the second file of a
villages import (boundaries + attributes) are :mod:`ui.data_sheets`;
versions are :class:`geo.store.DataStore`.  Nothing replaces the dataset in
use until the whole dataset with the new layer is valid and the user confirms.
"""
from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo import access, schema as s
from geo.ingest.attributes import read_with_attributes
from geo.ingest.base import read_base
from geo.ingest.by_name import remember_names
from geo.ingest.columns import recalled_mapping, remember_mapping
from geo.ingest.coords import COORD_SYSTEMS, crs_choices
from geo.ingest.plan import (plan_import, problems_csv_bytes, problems_table, problems_xlsx_bytes,
                             write_dataset_gpkg)
from geo.ingest.read import FORMAT_LABELS, options_from_settings, read_upload
from geo.ingest.templates import import_guide_markdown, template_gpkg_bytes, template_xlsx_bytes
from geo.problems import DatasetError
from geo.settings import ENV_DATA
from geo.store import DataStore
import texts
from texts import data as td
from ui import auth, data_sheets as sheets
from ui.cached import Source, dataset

UPLOAD_TYPES = ["gpkg", "geojson", "json", "zip", "csv", "xlsx"]


def versions_section(src: Source, store: DataStore) -> None:
    """Which dataset is shown, the stored versions, switching back and forth."""
    st.subheader(td.IN_USE, anchor=False)
    if os.environ.get(ENV_DATA):
        st.info(td.ENV_OVERRIDES.format(var=ENV_DATA, path=texts.plain(src.path)))
        if st.session_state.get("data_env_notice"):
            st.warning(st.session_state.pop("data_env_notice"))
    elif src.is_demo:
        st.info(td.USING_DEMO)
    try:
        current = store.current()
        versions = store.versions()
    except ValueError as exc:  # a damaged manifest: say so, never a traceback
        st.error(texts.plain(str(exc)))
        return
    if not versions:
        st.caption(td.NO_VERSIONS)
        return
    table = pd.DataFrame([{
        "id": v.id, "current": v.id == (current.id if current else None), "created": v.created,
        "source": v.source, "note": v.note,
        "rows": "，".join(f"{s.LAYERS[k].label} {n}" for k, n in v.rows.items() if k in s.LAYERS),
        "size": f"{v.size / 1e6:.1f} MB"} for v in reversed(versions)])
    st.dataframe(table.rename(columns=td.VERSION_COLUMNS), hide_index=True)
    ids = [v.id for v in reversed(versions)]
    a, b, c = st.columns([3, 1, 1], vertical_alignment="bottom")
    pick = a.selectbox(td.PICK_VERSION, ids, key="data_version_pick",
                       placeholder=td.PICK_VERSION_PLACEHOLDER,
                       index=ids.index(current.id) if current and current.id in ids else 0)
    is_current = current is not None and pick == current.id
    actions = ((b, td.SWITCH, "data_switch", store.switch, td.SWITCHED, "switch_version"),
               (c, td.DELETE, "data_delete", store.delete, td.DELETED, "delete_version"))
    for column, label, key, action, done, audited in actions:
        if column.button(label, key=key, disabled=is_current):
            if auth.refused(access.IMPORT_DATA, object=pick):
                return
            try:
                action(pick)
            except ValueError as exc:
                st.error(texts.plain(str(exc)))
                auth.audit(audited, pick, texts.plain(str(exc)))
            else:
                auth.audit(audited, pick)
                st.session_state.data_notice = done.format(id=pick)
                if key == "data_switch":
                    _note_env_override(store, pick)
                st.rerun()


def _unstage() -> None:
    """Remove the previous upload's temporary folder of this session, and what was read of it."""
    st.session_state.pop("data_memo", None)
    st.session_state.pop("data_staged_attr", None)
    staged = st.session_state.pop("data_staged", None)
    if staged:
        shutil.rmtree(Path(staged).parent, ignore_errors=True)


def _safe_name(upload) -> str:
    return re.sub(r"[^\w.\-]+", "_", Path(upload.name).name)[-80:] or "upload"


def _staged(upload, attributes=None) -> Path:
    """The uploaded bytes in a private temporary folder, under a safe name (the
    attribute file of a villages import in a folder of its own inside it)."""
    _unstage()
    folder = Path(tempfile.mkdtemp(prefix="upload-"))
    path = folder / _safe_name(upload)
    path.write_bytes(upload.getvalue())
    if attributes is not None:
        (folder / "attributes").mkdir()
        second = folder / "attributes" / _safe_name(attributes)
        second.write_bytes(attributes.getvalue())
        st.session_state.data_staged_attr = str(second)
    return path


def _choices(suffix: str) -> dict:
    """The reading options the user may set: encoding, coordinate offset, CRS.

    The widgets are new for every uploaded file (``suffix``), so that a CRS
    chosen for one file never overrides what the next one declares.
    """
    a, b, c = st.columns(3)
    encoding = a.selectbox(td.ENCODING, list(td.ENCODINGS), format_func=td.ENCODINGS.get,
                           key=f"data_encoding_{suffix}", placeholder=td.ENCODING_PLACEHOLDER)
    coords = b.selectbox(td.COORDS, list(COORD_SYSTEMS), format_func=COORD_SYSTEMS.get,
                         key=f"data_coords_{suffix}", placeholder=td.COORDS_PLACEHOLDER)
    codes = {c.code: c.label for c in crs_choices()}
    crs = c.selectbox(td.CRS, [None, *codes], key=f"data_crs_{suffix}", placeholder=td.CRS_AUTO,
                      format_func=lambda k: td.CRS_AUTO if k is None else f"{k} {codes[k]}")
    return {"encoding": encoding or None, "coords": coords, "crs": crs}


def _memo(key: tuple, compute):
    """``compute()`` once per upload and choices: every widget on the page reruns
    it, and reading and validating a large file takes seconds."""
    memo = st.session_state.setdefault("data_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def _read(path: Path, layer: str, settings, chosen: dict, mapping: dict, second=None):
    """The upload as read (``second``: the attribute file and its sheet, for villages)."""
    key = ("read", str(path), layer, tuple(sorted(chosen.items())),
           tuple(sorted(mapping.items())), second)

    def compute():
        options = options_from_settings(settings, **chosen, mapping=mapping)
        if second is None:
            return read_upload(path, layer, options)
        return read_with_attributes(path, second[0], options,
                                    dataclasses.replace(options, source_layer=second[1]))
    return _memo(key, compute)


def _mapping(result, layer: str, suffix: str) -> dict:
    """Selectboxes for the required fields no column gave (the 村名 → name step)."""
    if result is None or not result.columns:
        return {}
    mapping = dict(st.session_state.get("data_mapping") or {})
    needed = [f for f in s.LAYERS[layer].fields if f.name in result.missing
              or f.name in mapping.values()]
    if not needed:
        return mapping
    st.markdown(f"**{td.MAPPING}**")
    st.caption(td.MAPPING_HELP)
    columns = [None, *result.columns]
    for fld in needed:
        current = next((src for src, dst in mapping.items() if dst == fld.name), None)
        pick = st.selectbox(f"{fld.name}（{fld.label}）", columns,
                            index=columns.index(current) if current in columns else 0,
                            key=f"data_map_{fld.name}_{suffix}", placeholder=td.MAP_NONE,
                            format_func=lambda c: td.MAP_NONE if c is None else str(c))
        mapping = {k: v for k, v in mapping.items() if v != fld.name}
        if pick is not None:
            mapping[pick] = fld.name
    st.session_state.data_mapping = mapping
    return mapping


def _report(plan) -> None:
    """The validation report: counts, the table, CSV/XLSX downloads."""
    errors, warnings = len(plan.errors), len(plan.warnings)
    (st.success if not errors else st.error)(td.REPORT_HEAD.format(errors=errors,
                                                                   warnings=warnings))
    if plan.fixed and not errors:
        st.info(td.BASE_REPAIRED.format(n=len(plan.fixed)))
    elif plan.layers and (plan.fixed or plan.left):
        st.warning(td.BASE_LEFT.format(n=len(plan.fixed) + len(plan.left), fixed=len(plan.fixed),
                                       left=len(plan.left)))
    elif plan.left:  # nothing could be merged: the upload or the dataset's file itself
        st.warning(td.BASE_INVALID.format(n=len(plan.left)))
    if plan.problems:
        st.dataframe(problems_table(plan.problems), hide_index=True, key="data_problems")
        a, b = st.columns(2)
        a.download_button(td.REPORT_CSV, problems_csv_bytes(plan.problems),
                          file_name="数据校验报告.csv", mime="text/csv", key="data_report_csv")
        b.download_button(td.REPORT_XLSX, problems_xlsx_bytes(plan.problems),
                          file_name="数据校验报告.xlsx", key="data_report_xlsx",
                          mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def upload_section(src: Source, store: DataStore, settings) -> None:
    st.subheader(td.UPLOAD, anchor=False)
    st.caption(td.UPLOAD_HELP.format(limit=settings.upload_limit_mb,
                                     files=settings.zip_max_files,
                                     total=settings.zip_max_total_mb))
    layers = list(s.LAYERS)
    layer = st.selectbox(td.LAYER, layers, format_func=s.layer_label, key="data_layer",
                         placeholder=td.LAYER_PLACEHOLDER)
    uploads = st.session_state.get("data_uploads", 0)
    upload = st.file_uploader(td.FILE, type=UPLOAD_TYPES, help=texts.UPLOAD_WORDS,
                              key=f"data_upload_{uploads}")
    attributes = None
    if layer == s.VILLAGES and st.toggle(td.TWO_FILES, key="data_two_files",
                                         help=td.TWO_FILES_HELP):
        attributes = st.file_uploader(td.ATTRIBUTES_FILE, type=UPLOAD_TYPES,
                                      help=texts.UPLOAD_WORDS, key=f"data_attr_upload_{uploads}")
        if attributes is None:
            st.caption(td.ATTRIBUTES_WAITING)
    start_new = layer == s.VILLAGES and st.toggle(td.START_NEW, value=src.is_demo,
                                                  key="data_start_new", help=td.START_NEW_HELP)
    if upload is None:
        _unstage()
        return
    ident = (upload.file_id, layer, attributes.file_id if attributes else None)
    if st.session_state.get("data_upload_id") != ident:
        st.session_state.data_upload_id = ident
        st.session_state.data_mapping = None
        st.session_state.data_staged = str(_staged(upload, attributes))
        sheets.start_picks(settings.store)
    path = Path(st.session_state.data_staged)
    suffix = "_".join(str(part) for part in ident if part)
    chosen = _choices(suffix)
    second = ((st.session_state.data_staged_attr, None) if attributes is not None else None)
    result = _read(path, layer, settings, chosen, {}, second)
    if len(result.available) > 1:
        chosen["source_layer"] = st.selectbox(td.SOURCE_LAYER, list(result.available),
                                              placeholder=td.SOURCE_LAYER_PLACEHOLDER,
                                              key=f"data_source_layer_{suffix}")
        result = _read(path, layer, settings, chosen, {}, second)
    if result.attributes is not None and len(result.attributes.available) > 1:
        second = (second[0], st.selectbox(td.ATTRIBUTES_SHEET, list(result.attributes.available),
                                          placeholder=td.ATTRIBUTES_SHEET_PLACEHOLDER,
                                          key=f"data_attr_sheet_{suffix}"))
        result = _read(path, layer, settings, chosen, {}, second)
    if st.session_state.data_mapping is None and result.columns:
        recalled = recalled_mapping(settings.store, layer, result.columns)
        st.session_state.data_mapping = recalled or {}
        if recalled:
            st.caption(td.MAPPING_RECALLED)
    mapping = _mapping(result, layer, suffix)
    if mapping:
        result = _read(path, layer, settings, chosen, mapping, second)
    _read_summary(result)
    sheets.attributes_summary(result)
    picks = sheets.current_picks()
    plan = _memo(("plan", id(result), start_new, src, tuple(sorted(picks.items()))),
                 lambda: plan_import(None if start_new else _base(src), layer, result, picks))
    _report(plan)
    sheets.names_section(plan, suffix)
    sheets.preview_section(plan, result)
    note = st.text_input(td.NOTE, key="data_note", placeholder=td.NOTE_PLACEHOLDER,
                         live=True)
    if st.button(td.CONFIRM, type="primary", disabled=not plan.can_confirm, key="data_confirm"):
        _confirm(plan, store, settings, layer, result, note,
                 upload.name + (f" + {attributes.name}" if attributes is not None else ""))


def _base(src: Source):
    """The dataset in use; when it is refused, its layers as read (as the command
    line does), so that the import may repair it and no other layer is dropped."""
    try:
        return dataset(src)
    except DatasetError:
        return read_base(src.path)


def _read_summary(result) -> None:
    parts = []
    if result.file_format:
        parts.append(td.READ_FORMAT.format(fmt=FORMAT_LABELS.get(result.file_format,
                                                                 result.file_format)))
    if result.encoding is not None:
        parts.append(td.READ_ENCODING.format(enc=result.encoding.describe()))
    if result.crs:
        parts.append(td.READ_CRS.format(crs=texts.plain(result.crs)))
    if result.frame is not None:
        parts.append(td.READ_ROWS.format(n=len(result.frame)))
    if parts:
        st.caption("；".join(parts))
    if result.needs_crs:
        st.warning(td.NEEDS_CRS.format(suggested="、".join(result.suggested_crs) or "—"))


def _confirm(plan, store, settings, layer, result, note, source_name) -> None:
    """Write the whole dataset as a new version and make it current."""
    if auth.refused(access.IMPORT_DATA, object=f"{s.layer_label(layer)} {source_name}"):
        return
    folder = Path(settings.folder)
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="import-", dir=folder))
    try:
        written = write_dataset_gpkg(plan.layers, work / "dataset.gpkg")
        version = store.add_version(written, note or td.DEFAULT_NOTE.format(
            layer=s.layer_label(layer)), source_name)
        chosen = st.session_state.get("data_mapping")
        if chosen:  # only what the user mapped; the aliases are found again anyway
            remember_mapping(settings.store, layer, result.columns, chosen)
        if plan.picked:  # the names the user settled (or that were recalled and still fit)
            remember_names(settings.store, plan.picked)
    except (OSError, ValueError) as exc:
        st.error(td.CONFIRM_FAILED.format(error=texts.plain(str(exc))))
        auth.audit("import", f"{s.layer_label(layer)} {source_name}", texts.plain(str(exc)))
        return
    finally:
        for part in work.glob("*"):
            part.unlink(missing_ok=True)
        work.rmdir()
    auth.audit("import", f"{s.layer_label(layer)} {source_name} → {version.id}")
    st.session_state.data_notice = (td.CONFIRMED_STORED if os.environ.get(ENV_DATA)
                                    else td.CONFIRMED).format(id=version.id)
    _note_env_override(store, version.id)
    st.session_state.data_upload_id = None
    _unstage()
    st.session_state.data_uploads = st.session_state.get("data_uploads", 0) + 1
    st.rerun()


def _note_env_override(store: DataStore, version_id: str) -> None:
    """When ``DASHBOARD_DATA`` is set it wins over the store (SPEC §6): say that the
    version just made current is not what the pages show."""
    named = os.environ.get(ENV_DATA)
    if named:
        st.session_state.data_env_notice = td.ENV_STILL_SHOWN.format(
            id=version_id, var=ENV_DATA, path=texts.plain(named),
            file=texts.plain(str(store.path_of(version_id))))


def templates_section(settings) -> None:
    st.subheader(td.TEMPLATES, anchor=False)
    a, b = st.columns(2)
    a.download_button(td.TEMPLATE_GPKG, template_gpkg_bytes(), file_name="数据模板.gpkg",
                      mime="application/geopackage+sqlite3", key="data_tpl_gpkg")
    b.download_button(td.TEMPLATE_XLSX, template_xlsx_bytes(), file_name="数据模板.xlsx",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                      key="data_tpl_xlsx")
    with st.expander(td.GUIDE, expanded=False):
        st.markdown(import_guide_markdown(settings))
