"""Putting an uploaded layer into a dataset: plan, report, atomic write, versions.

:func:`plan_import` merges the layer read by :func:`geo.ingest.read.read_upload`
into the dataset in use (replacing that layer) and validates the *whole*
dataset, so that a new ``villages`` layer is checked against today's
organisations and grids.  The dataset in use may itself be invalid
(:func:`read_base` keeps its layers as read): only the dataset *after* the
import must be valid, so that importing the missing or broken layer repairs
it; the plan says which of its errors the import fixes and which remain.
Rows that name their village by township and name are matched against the
dataset's villages here (:func:`geo.ingest.names.resolve_names`, with the
user's picks), and every problem of the imported layer names the row (and the
column, for a wide sheet) of the user's file.
Errors of the file itself (not a GeoPackage, unreadable, a layer that cannot
be read) are never repaired by importing another layer (:mod:`geo.ingest.base`).
:func:`problems_table` turns the findings into the table shown on the page
and offered for download (CSV/XLSX, with cells that a spreadsheet would run
as formulas stored as text).
:func:`write_dataset_gpkg` writes a GeoPackage atomically (temporary file in
the same folder, fsync, ``os.replace``): a crash leaves the old file intact.
:func:`import_into` is the command line's whole import, keeping the previous
file as a version beside it.

>>> row = problems_table([Problem("error", "x", "villages", "households", 2, "3501",
...                               "=1+1")]).iloc[0]
>>> row[["级别", "图层", "字段", "编号", "说明"]].tolist(), int(row["行"])
(['错误', 'villages（村（社区））', 'households（户数）', '3501', '=1+1'], 2)
"""
from __future__ import annotations

import csv
import dataclasses
import fcntl
import io
import logging
import os
import stat
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from geo import schema as s
from geo.atomic import fsync_path
from geo.dataset import Dataset, validate_layers
from geo.ingest.attributes import read_with_attributes
from geo.ingest.base import ImportBase, base_refused, compare_errors, read_base, repair_line
from geo.ingest.by_name import resolve_names
from geo.ingest.names import NAMED_LAYERS
from geo.ingest.read import ImportOptions, ReadResult, read_upload
from geo.problems import ERROR, SEVERITY_LABELS, HasProblems, Problem

log = logging.getLogger(__name__)
TABLE_HEADERS = ("级别", "图层", "字段", "行", "编号", "说明")
# Seconds to sleep between writing the temporary file and replacing the target;
# set only by the killed-import test to stop a process at that moment.
ENV_TEST_PAUSE = "GEO_IMPORT_TEST_PAUSE"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ImportPlan(HasProblems):
    """A layer merged into a dataset, validated; nothing written yet.

    ``layers``: every present layer, typed (what would be written);
    ``problems``: the read's problems, then the whole dataset's (first, when
    the dataset in use was invalid, a line saying what the import repairs);
    ``fixed`` and ``left``: the errors of the dataset in use that the import
    repairs and those that remain.  ``matches``: the names the user may settle
    (:class:`geo.ingest.names.NameMatch`: unmatched, ambiguous or picked);
    ``marks``: field → what was converted on the way (for the preview).
    """

    layer: str
    layers: dict
    problems: tuple
    read: ReadResult
    fixed: tuple = ()
    left: tuple = ()
    matches: tuple = ()
    marks: dict = field(default_factory=dict)

    @property
    def can_confirm(self) -> bool:
        return bool(self.layers) and not self.errors

    @property
    def picked(self) -> dict:
        """The user's picks this plan used (``乡镇/村名`` → village code)."""
        return {m.key: m.pick for m in self.matches if m.status == "picked"}


def _in_file_rows(found: list, layer: str, origins: tuple, settled: set) -> list[Problem]:
    """Validation's problems of ``layer`` with the rows (and columns) of the user's file;
    those about a cell the read already refused (``settled``: (field, row)) left out."""
    out = []
    for p in found:
        if p.layer == layer and p.row is not None and origins and p.row <= len(origins):
            row, note = origins[p.row - 1]
            p = dataclasses.replace(p, row=row, message=p.message + (f"（{note}）" if note else ""))
        if p.layer == layer and (p.field, p.row) in settled:
            continue
        out.append(p)
    return out


def plan_import(base: Dataset | ImportBase | None, layer: str, read_result: ReadResult,
                picks: dict | None = None) -> ImportPlan:
    """Merge ``read_result`` as ``layer`` into ``base`` and validate the whole dataset.

    Parameters
    ----------
    base : the dataset in use: a valid :class:`~geo.dataset.Dataset`, an
        :class:`ImportBase` (from :func:`read_base`, valid or not), or None
        (only ``villages`` can start a dataset).  An invalid base is accepted
        when the dataset after the import is valid (the import repairs it),
        unless its file itself is broken (:meth:`ImportBase.blocking`).
    layer : canonical layer name; it replaces ``base``'s layer of that name.
    read_result : from :func:`geo.ingest.read.read_upload` (or
        :func:`geo.ingest.attributes.read_with_attributes`); when it was
        refused, the plan carries its problems and cannot be confirmed.
    picks : the user's ``{乡镇/村名: village code}`` for rows that name their
        village (:func:`geo.ingest.names.resolve_names`).

    Returns
    -------
    ImportPlan
        Geometry stays in each layer's own CRS; nothing is written.
    """
    base = ImportBase.of(base) if isinstance(base, Dataset) else base or ImportBase()
    before = base.errors
    blocking = base.blocking(layer)
    if blocking or not read_result.ok:
        problems = [] if read_result.ok else list(read_result.problems)
        if before:
            problems = [base_refused(base, blocking), *problems, *before]
        return ImportPlan(layer, {}, tuple(problems), read_result, (), tuple(before))
    raw = dict(base.layers)
    frame, origins, problems = read_result.frame, read_result.origins, list(read_result.problems)
    matches, marks = (), dict(read_result.marks)
    if layer in NAMED_LAYERS and s.NAME in read_result.naming.values():
        named = resolve_names(layer, frame, read_result.naming, raw.get(s.VILLAGES), picks,
                              origins)
        if len(frame) and not len(named.frame) and not any(p.is_error for p in named.problems):
            problems.append(Problem(ERROR, "nothing_matched", layer, s.VILLAGE_CODE, None, None,
                                    "没有一行能按乡镇和村名对应到数据集中的村（社区），未导入"))
        frame, origins, matches = named.frame, named.origins, named.matches
        problems += named.problems
        if named.named:
            marks[s.VILLAGE_CODE] = "按乡镇和村名匹配"
    raw[layer] = frame
    if s.VILLAGES not in raw:
        problems.append(Problem(ERROR, "missing_layer", s.VILLAGES, None, None, None,
                                f"缺少必需图层 {s.layer_label(s.VILLAGES)}："
                                "请先导入村（社区）图层，"
                                f"再导入 {s.layer_label(layer)}"))
    typed, found = validate_layers(raw)
    settled = {(p.field, p.row) for p in problems
               if p.is_error and p.layer == layer and p.row is not None}
    problems += _in_file_rows(found, layer, origins, settled)
    after = [p for p in problems if p.is_error]
    fixed, left = compare_errors(before, after)
    if before:
        problems.insert(0, repair_line(base, fixed, left, after))
    return ImportPlan(layer, typed, tuple(problems), read_result, tuple(fixed), tuple(left),
                      matches, marks)


def problems_table(problems) -> pd.DataFrame:
    """The problems as a table with Chinese headers (级别, 图层, 字段, 行, 编号, 说明)."""
    rows = [(SEVERITY_LABELS.get(p.severity, p.severity), s.layer_label(p.layer) if p.layer else "",
             s.field_label(p.layer, p.field) if p.field else "", p.row, p.row_id or "", p.message)
            for p in problems]
    table = pd.DataFrame(rows, columns=list(TABLE_HEADERS), dtype=object)
    table["行"] = pd.array(table["行"].tolist(), dtype="Int64")
    return table


def _as_text_cell(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None or value is pd.NA else value


def problems_csv_bytes(problems) -> bytes:
    """UTF-8 CSV with BOM (opens in Excel); text that starts like a formula is prefixed with '.

    >>> problems_csv_bytes([Problem("warning", "x", None, None, None, None, "@SUM(A1)")]
    ...                    ).decode("utf-8-sig")
    "级别,图层,字段,行,编号,说明\\r\\n警告,,,,,'@SUM(A1)\\r\\n"
    """
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(TABLE_HEADERS)
    for row in problems_table(problems).itertuples(index=False):
        writer.writerow([_as_text_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def problems_xlsx_bytes(problems) -> bytes:
    """An XLSX workbook of the table; every text cell is stored as text, never as a formula."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "问题清单"
    sheet.append(list(TABLE_HEADERS))
    for r, row in enumerate(problems_table(problems).itertuples(index=False), start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            cell.value = None if value is None or value is pd.NA else value
            if isinstance(value, str):
                cell.data_type = "s"
    for col, width in zip("ABCDEF", (6, 26, 26, 6, 16, 80)):
        sheet.column_dimensions[col].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _writable(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where columns of mixed Python objects are text and a column named
    ``fid`` (the GeoPackage feature id) is kept as ``原fid``; ``frame`` is not changed."""
    out = frame.rename(columns={c: f"原{c}" for c in frame.columns if str(c).lower() == "fid"})
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col].dropna()}
            if len(kinds) > 1 or not kinds <= {str}:
                out[col] = out[col].map(str, na_action="ignore")
    return out


def _remove_stale_parts(path: Path) -> None:
    """Delete temporary files of earlier writes whose process is gone."""
    for part in path.parent.glob(f".{path.stem}.*.tmp{path.suffix}"):
        try:
            pid = int(part.name.split(".")[-3])
            os.kill(pid, 0)
        except ProcessLookupError:
            part.unlink(missing_ok=True)
        except (ValueError, PermissionError, OSError):
            continue


def write_dataset_gpkg(layers: dict[str, pd.DataFrame], path) -> Path:
    """Write ``layers`` (name → frame) as one GeoPackage at ``path``, atomically.

    The layers go to a temporary file in the same folder, which is flushed to
    disk and then renamed over ``path`` (``os.replace``); a crash at any point
    leaves either the old file or the new one, never a half-written file.
    Layers are written in SPEC order; tables without geometry; each geometry
    layer keeps its CRS.

    Returns
    -------
    Path
        ``path``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> p = write_dataset_gpkg({"joint_orgs": pd.DataFrame({"org_id": ["A"]})},
    ...                        Path(tempfile.mkdtemp()) / "d.gpkg")
    >>> import pyogrio; [str(n) for n, _ in pyogrio.list_layers(p)]
    ['joint_orgs']
    """
    import pyogrio

    path = Path(path)
    _remove_stale_parts(path)
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".{os.getpid()}.tmp{path.suffix}",
                                dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    tmp.unlink()  # GDAL creates the GeoPackage itself
    try:
        order = [n for n in s.LAYERS if n in layers] + [n for n in layers if n not in s.LAYERS]
        for layer in order:
            pyogrio.write_dataframe(_writable(layers[layer]), tmp, layer=layer, driver="GPKG")
        fsync_path(tmp)
        pause = float(os.environ.get(ENV_TEST_PAUSE, "0") or 0)
        if pause > 0:
            log.warning("test pause before replace: %s", tmp)
            time.sleep(pause)
        os.replace(tmp, path)
        fsync_path(path.parent)
    except BaseException:
        for leftover in (tmp, *(tmp.with_name(tmp.name + x) for x in ("-wal", "-shm", "-journal"))):
            leftover.unlink(missing_ok=True)
        raise
    return path


def keep_version(path) -> Path:
    """Copy ``path`` to ``<stem>.versions/<stem>-<timestamp>.gpkg`` beside it (atomically)."""
    path = Path(path)
    folder = path.parent / f"{path.stem}.versions"
    folder.mkdir(exist_ok=True)
    target = folder / f"{path.stem}-{datetime.now().strftime('%Y%m%dT%H%M%S%f')}{path.suffix}"
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.",
                                suffix=f".{os.getpid()}.tmp{path.suffix}", dir=folder)
    try:
        with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
            while chunk := src.read(1 << 20):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(name, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(name, target)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return target


@dataclass(frozen=True)
class ImportOutcome:
    """What :func:`import_into` did: ``imported`` or not, the plan, the kept version."""

    imported: bool
    problems: tuple
    plan: ImportPlan | None = None
    previous: Path | None = None


def import_into(data_path, file, layer: str, options: ImportOptions | None = None,
                attributes=None, attribute_options: ImportOptions | None = None,
                picks: dict | None = None) -> ImportOutcome:
    """Import ``file`` as ``layer`` into the GeoPackage ``data_path`` (SPEC §5 ``import``).

    ``attributes``: for ``villages``, a second file (XLSX, CSV …) with the
    villages' attributes, joined to the boundaries of ``file``
    (:func:`geo.ingest.attributes.read_with_attributes`; ``attribute_options``
    its sheet and encoding).  ``picks``: the user's ``{乡镇/村名: village code}``
    for rows that name their village.
    Nothing is written unless the whole dataset with the new layer is valid;
    then the old file is kept in ``<stem>.versions/`` and replaced atomically.
    A missing ``data_path`` is created by importing ``villages``.  One import
    at a time: while another holds ``.<name>.lock`` beside the file (from
    reading the dataset to replacing it), this one is refused, so that no
    import is built on a dataset another is about to replace.
    """
    data = Path(data_path)
    if not data.parent.is_dir():
        return ImportOutcome(False, (Problem(ERROR, "no_folder", None, None, None, None,
                                             f"目标目录不存在：{data.parent}"),))
    with open(data.parent / f".{data.name}.lock", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return ImportOutcome(False, (Problem(ERROR, "busy", None, None, None, None,
                                                 f"另一个导入正在写入 {data}，请稍后再试；"
                                                 "数据集未改动"),))
        return _import_locked(data, file, layer, options, attributes, attribute_options, picks)


def _import_locked(data: Path, file, layer: str, options, attributes, attribute_options,
                   picks) -> ImportOutcome:
    if not data.exists() and layer != s.VILLAGES:
        return ImportOutcome(False, (Problem(ERROR, "no_dataset", s.VILLAGES, None, None, None,
                                             f"数据集 {data} 不存在；"
                                             "请先导入 villages（村（社区））图层，"
                                             "其他图层要引用它"),))
    if attributes is not None and layer != s.VILLAGES:
        return ImportOutcome(False, (Problem(ERROR, "attributes_layer", layer, None, None, None,
                                             "属性表（--attributes）只用于 villages 图层："
                                             "边界文件与村属性表按村代码或乡镇+村名连接"),))
    base = read_base(data) if data.exists() else None
    read = (read_with_attributes(file, attributes, options, attribute_options)
            if attributes is not None else read_upload(file, layer, options))
    plan = plan_import(base, layer, read, picks)
    if not plan.can_confirm:
        return ImportOutcome(False, plan.problems, plan)
    try:
        previous = keep_version(data) if data.exists() else None
        write_dataset_gpkg(plan.layers, data)
    except Exception as exc:  # disk full, permissions, GDAL: the old file is still in place
        log.debug("write failed", exc_info=True)
        failed = Problem(ERROR, "write_failed", None, None, None, None,
                         f"写入 {data} 失败，数据集未改动：{type(exc).__name__}: {str(exc)[:160]}")
        return ImportOutcome(False, (*plan.problems, failed), plan)
    return ImportOutcome(True, plan.problems, plan, previous)
