"""Problems found in a dataset, and the error that carries them.

A :class:`Problem` names the layer, the field and the row (1-based row number
and the row's id) so that a user can find it in their own file.

>>> p = Problem("error", "duplicate_id", "villages", "village_code", 3, "3501", "编码重复")
>>> str(p)
'错误：图层 villages（村（社区））第 3 行（village_code=3501）字段 village_code（村代码）：编码重复'
"""
from __future__ import annotations

from dataclasses import dataclass

from geo.schema import LAYERS, field_label, layer_label

ERROR = "error"
WARNING = "warning"
INFO = "info"  # what an import did to the values (units converted …): neither refuses nor warns
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告", INFO: "说明"}


@dataclass(frozen=True)
class Problem:
    """One finding of validation.

    Parameters
    ----------
    severity : ``"error"`` refuses the dataset, ``"warning"`` only reports,
        ``"info"`` says how an import read the values (units converted …).
    code : short machine key (``missing_field``, ``duplicate_id`` …).
    layer, field : canonical layer and field names, or ``None``.
    row : 1-based row number within the layer, or ``None``.
    row_id : the row's id value (``village_code``, ``org_id`` …), or ``None``.
    message : the Chinese explanation.
    """

    severity: str
    code: str
    layer: str | None
    field: str | None
    row: int | None
    row_id: str | None
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        """Where the problem is, in Chinese, with SPEC's English names."""
        parts = []
        if self.layer:
            parts.append(f"图层 {layer_label(self.layer)}")
        if self.row is not None:
            where = f"第 {self.row} 行"
            if self.row_id not in (None, ""):
                key = _row_key(self.layer)
                where += f"（{key}={self.row_id}）"
            parts.append(where)
        if self.field:
            parts.append(f"字段 {field_label(self.layer, self.field)}")
        return "".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        head = SEVERITY_LABELS.get(self.severity, self.severity)
        return f"{head}：{loc}：{self.message}" if loc else f"{head}：{self.message}"

    def as_dict(self) -> dict:
        return {
            "severity": self.severity, "code": self.code, "layer": self.layer,
            "field": self.field, "row": self.row, "row_id": self.row_id,
            "message": self.message, "text": str(self),
        }


def _row_key(layer: str | None) -> str:
    """The field that identifies a row of ``layer`` in messages."""
    spec = LAYERS.get(layer)
    return (spec.row_key if spec else None) or "id"


class HasProblems:
    """``errors``, ``warnings`` and ``notes`` (severity info) of an object with a
    ``problems`` sequence."""

    problems: tuple

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == INFO]


class DatasetError(ValueError):
    """A dataset was refused; ``problems`` holds every error and warning found."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        errors = [p for p in self.problems if p.is_error]
        lines = [str(p) for p in errors[:20]]
        more = len(errors) - len(lines)
        if more > 0:
            lines.append(f"……另有 {more} 个错误")
        super().__init__(f"数据集有 {len(errors)} 个错误：\n" + "\n".join(lines))

    @property
    def errors(self):
        return [p for p in self.problems if p.is_error]
