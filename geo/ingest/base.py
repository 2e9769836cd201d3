"""The dataset an import merges into, valid or not, and what the import does to its errors.

SPEC §5: ``import`` refuses only when the dataset *after* the import is
invalid, so an invalid dataset in use can be repaired by importing its missing
or broken layer.  :func:`read_base` reads a GeoPackage as such a base,
:func:`compare_errors` tells the errors an import fixes from those it leaves,
and :func:`repair_line` / :func:`base_refused` say so in one line for the
report (:func:`geo.ingest.plan.plan_import` puts it first).

>>> a = Problem("error", "missing_layer", "villages", None, None, None, "缺少必需图层")
>>> b = Problem("error", "unknown_reference", "joint_members", "village_code", 2, "9", "不存在")
>>> fixed, left = compare_errors([a, b], [b])
>>> [p.code for p in fixed], [p.code for p in left]
(['missing_layer'], ['unknown_reference'])
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from geo.dataset import Dataset, read_checked_layers
from geo.problems import ERROR, WARNING, HasProblems, Problem

# Findings about the dataset's file itself (geo.dataset): importing a layer
# cannot repair them, except a layer that cannot be read when the import
# replaces that very layer.
FILE_PROBLEMS = frozenset({"no_file", "not_a_file", "unreadable", "empty_file", "not_geopackage",
                           "missing_geometry", "unreadable_layer"})
_EXAMPLES = 3  # fixed errors quoted in the repair message


@dataclass(frozen=True)
class ImportBase(HasProblems):
    """The dataset an import merges into, valid or not.

    ``layers``: the layers its file holds (name → frame): a valid dataset's
    typed frames, or an invalid one's frames as read, typed again with the
    import so that none of its errors is hidden; ``problems``: the dataset's
    own findings (errors when it is refused); ``source``: its path.
    """

    layers: dict = field(default_factory=dict)
    problems: tuple = ()
    source: str = ""

    @classmethod
    def of(cls, dataset: Dataset) -> ImportBase:
        """A valid :class:`~geo.dataset.Dataset` as a base (its present layers)."""
        return cls({n: dataset.layers[n] for n in dataset.present}, tuple(dataset.warnings),
                   dataset.source)

    def blocking(self, layer: str) -> list[Problem]:
        """Errors of the file itself that importing ``layer`` cannot repair."""
        return [p for p in self.errors if p.code in FILE_PROBLEMS and p.layer != layer]


def read_base(path) -> ImportBase:
    """The GeoPackage ``path`` as a base for an import, whether it is valid or not.

    Parameters
    ----------
    path : the dataset's GeoPackage; a file that does not exist gives a base
        without layers (only ``villages`` can start a dataset).

    Returns
    -------
    ImportBase
        Valid: the typed layers, as :func:`geo.dataset.read_dataset` gives
        them; invalid: the layers as read, and every problem found.
    """
    if not Path(path).exists():
        return ImportBase(source=str(path))
    raw, typed, problems = read_checked_layers(path)
    valid = not any(p.is_error for p in problems)
    return ImportBase(typed if valid else raw, tuple(problems), str(path))


def _key(p: Problem) -> tuple:
    return p.code, p.layer, p.field, p.row, p.row_id


def compare_errors(before: list, after: list) -> tuple[list, list]:
    """Split the errors of a dataset before an import by whether they remain after it.

    Parameters
    ----------
    before : the dataset's errors before the import.
    after : the errors of the dataset with the imported layer.

    Returns
    -------
    (fixed, left)
        ``before``'s errors that ``after`` no longer has, and those it still
        has; an error is the same when its code, layer, field, row and row id are.
    """
    still = Counter(map(_key, after))
    fixed, left = [], []
    for p in before:
        if still[_key(p)] > 0:
            still[_key(p)] -= 1
            left.append(p)
        else:
            fixed.append(p)
    return fixed, left


def _where(p: Problem) -> str:
    return f"{p.location()}：{p.message}" if p.location() else p.message


def base_refused(base: ImportBase, blocking: list) -> Problem:
    """Why nothing can be planned on an invalid base: its file, or an unreadable upload."""
    if blocking:
        text = (f"目标数据集 {base.source} 的文件本身有问题（见下列），导入图层不能修复，未导入；"
                "请先修复或换用其他数据集（python -m analysis validate）")
    else:
        text = (f"目标数据集 {base.source} 本身有 {len(base.errors)} 个错误（见下列），"
                "本次导入的文件未能读取，未导入，无法检查导入能否修复它们")
    return Problem(ERROR, "base_invalid", None, None, None, None, text)


def repair_line(base: ImportBase, fixed: list, left: list, after: list) -> Problem:
    """What an import does to the errors of an invalid base, as one line for the report.

    Parameters
    ----------
    base : the dataset in use; ``fixed`` and ``left`` from :func:`compare_errors`.
    after : every error of the dataset with the imported layer.

    Returns
    -------
    Problem
        A warning ``base_repaired`` when ``after`` is empty (the import repairs
        the dataset), else an error ``base_invalid`` saying how many errors it
        fixes, how many remain and how many it brings.
    """
    quoted = ("；".join(_where(p) for p in fixed[:_EXAMPLES])
              + ("等" if len(fixed) > _EXAMPLES else ""))
    if not after:
        return Problem(WARNING, "base_repaired", None, None, None, None,
                       f"本次导入修复了原数据集的 {len(fixed)} 个错误（{quoted}），"
                       "导入后的数据集有效")
    text = f"目标数据集 {base.source} 本身有 {len(fixed) + len(left)} 个错误；"
    if fixed:
        text += f"本次导入修复了其中 {len(fixed)} 个（{quoted}），仍有 {len(left)} 个未修复"
    else:
        text += "本次导入没有修复其中任何一个"
    new = len(after) - len(left)
    text += f"，另带来 {new} 个新错误" if new else ""
    return Problem(ERROR, "base_invalid", None, None, None, None,
                   text + "；导入后的数据集仍然无效，未导入（各错误见下列各行）")
