"""What a saved scenario may be and become (SPEC §4 documents, SPEC §7 review): its
name, its document's shape, the review statuses and steps and the moves between them.

>>> TRANSITIONS[SUBMIT]
(('draft', 'rejected'), 'submitted')
>>> check_changeable("方案A", SUBMITTED, "删除")
Traceback (most recent call last):
...
geo.store.StoreError: 方案“方案A”已提交审核，不能删除；请先撤回为草稿
"""
from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from geo.store import StoreError

NAME_MAX = 100
COMMENT_MAX = 2000
# Control, format (zero-width, bidirectional overrides) and line/paragraph separators.
REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}

# The review status of a scenario (SPEC §7), and its Chinese name.
DRAFT, SUBMITTED, APPROVED, REJECTED = "draft", "submitted", "approved", "rejected"
STATUSES = (DRAFT, SUBMITTED, APPROVED, REJECTED)
STATUS_NAMES = {DRAFT: "草稿", SUBMITTED: "待审核", APPROVED: "已通过", REJECTED: "已退回"}
# The steps kept in a scenario's history, and their Chinese names.
SAVE, RENAME, SUBMIT, APPROVE, REJECT, REOPEN = (
    "save", "rename", "submit", "approve", "reject", "reopen")
STEPS = (SAVE, RENAME, SUBMIT, APPROVE, REJECT, REOPEN)
STEP_NAMES = {SAVE: "保存", RENAME: "重命名", SUBMIT: "提交审核", APPROVE: "审核通过",
              REJECT: "退回", REOPEN: "撤回为草稿"}
# The review steps: the statuses each may start from, and the status it leads to.
TRANSITIONS = {SUBMIT: ((DRAFT, REJECTED), SUBMITTED),
                APPROVE: ((SUBMITTED,), APPROVED),
                REJECT: ((SUBMITTED,), REJECTED),
                REOPEN: ((SUBMITTED, REJECTED), DRAFT)}


@dataclass(frozen=True)
class ScenarioStep:
    """One step of a scenario's history: ``time`` ISO 8601 with +08:00,
    ``account`` who took it (``''``: nobody logged in), ``step`` one of
    :data:`STEPS` (:data:`STEP_NAMES` in Chinese), ``comment`` the reviewer's
    comment for approve/reject, the former name for rename, else ``''``."""

    time: str
    account: str
    step: str
    comment: str


def scenario_name(name) -> str:
    """The name trimmed and checked: 1–100 characters, no control characters.

    >>> scenario_name("  方案 B ")
    '方案 B'
    >>> scenario_name("a\\tb")
    Traceback (most recent call last):
    ...
    geo.store.StoreError: 方案名称不能包含控制字符（如换行、制表符）
    """
    if not isinstance(name, str):
        raise StoreError("方案名称应为文字")
    name = name.strip()
    if not name:
        raise StoreError("方案名称不能为空")
    if len(name) > NAME_MAX:
        raise StoreError(f"方案名称最多 {NAME_MAX} 个字符（现为 {len(name)} 个）")
    if any(unicodedata.category(ch) in REFUSED_CATEGORIES for ch in name):
        raise StoreError("方案名称不能包含控制字符（如换行、制表符）")
    return name


def document_counts(document) -> tuple[int, int]:
    """``(groups, distinct villages)`` of a SPEC §4 document; refuses a malformed one.

    >>> document_counts({"groups": [{"villages": ["a", "b"]}, {"villages": ["b"]}]})
    (2, 2)
    """
    if not isinstance(document, dict):
        raise StoreError("方案内容应为 JSON 对象（SPEC §4）")
    groups = document.get("groups")
    if not isinstance(groups, list):
        raise StoreError("方案内容缺少 groups 列表（SPEC §4）")
    codes = set()
    for number, group in enumerate(groups, start=1):
        villages = group.get("villages") if isinstance(group, dict) else None
        if not isinstance(villages, list) or not all(isinstance(c, str) for c in villages):
            raise StoreError(f"方案第 {number} 组的 villages 应为村代码（文字）列表")
        codes.update(villages)
    return len(groups), len(codes)


def check_status(status) -> None:
    if status not in STATUSES:
        raise StoreError(f"未知的方案状态“{status}”；可选：{'、'.join(STATUSES)}")


def check_changeable(name: str, status: str, action: str) -> None:
    """Refuse changing (``action``: 修改, 重命名, 删除) a submitted or approved scenario."""
    if status == SUBMITTED:
        raise StoreError(f"方案“{name}”已提交审核，不能{action}；请先撤回为草稿")
    if status == APPROVED:
        raise StoreError(f"方案“{name}”已审核通过，只读；如需修改请另存为新方案")


def account_text(account) -> str:
    if not isinstance(account, str):
        raise StoreError("账号应为文字")
    return account.strip()


def comment_text(comment) -> str:
    if comment is None:
        return ""
    if not isinstance(comment, str):
        raise StoreError("审核意见应为文字")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise StoreError(f"审核意见最多 {COMMENT_MAX} 个字符（现为 {len(comment)} 个）")
    return comment


def json_text(document: dict) -> str:
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"方案内容无法保存为 JSON：{exc}") from None
