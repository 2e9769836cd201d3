"""Scenario files (SPEC §4 JSON): read with Chinese messages, written atomically.

A scenario file is one UTF-8 JSON object::

    {"name": "2027 方案A", "created": "2026-11-23T10:00:00+08:00",
     "groups": [{"org_id": "S1", "name": "洪田联村党委", "org_type": "strong_weak",
                 "lead_village_code": "350481101201", "villages": ["350481101201"]}]}

``org_type`` also accepts the Chinese labels (以强带弱 …); keys this program
does not know are kept (``Scenario.extra``, ``Group.extra``) and written back.
Every problem of a bad file is collected into one :class:`ScenarioFileError`.
The conversions between a :class:`~analysis.grouping.Scenario` and the plain
dict an editor keeps in memory live in :mod:`analysis.grouping`; the table
exports in :mod:`report.exports`.

>>> sc = read_scenario('{"name": "A", "note": 1, "groups": [{"org_id": "S1",'
...                    ' "org_type": "以强带弱", "villages": ["a", "b"]}]}'.encode())
>>> sc.groups[0].org_type, sc.groups[0].villages, sc.extra
('strong_weak', ('a', 'b'), {'note': 1})
>>> read_scenario(b'[1, 2]')
Traceback (most recent call last):
...
analysis.scenario_file.ScenarioFileError: 方案文件无效：
方案文件应是一个 JSON 对象（{…}），实际是数组
"""
from __future__ import annotations

import json
import os
from pathlib import Path


from analysis.grouping import (GROUP_KEYS, SCENARIO_KEYS, Group, Scenario,
                               scenario_document)
from geo import schema as s
from geo.atomic import write_text_atomic
from geo.clock import now_iso

MAX_BYTES = 20 * 1024 * 1024
DEFAULT_NAME = "未命名方案"
_TYPE_FIELD = s.FIELDS_BY_LAYER[s.JOINT_ORGS][s.ORG_TYPE]
_JSON_TYPES = {dict: "对象", list: "数组", str: "字符串", bool: "布尔值", int: "数字",
               float: "数字", type(None): "null"}
_JSON_ERRORS = {
    "Expecting value": "此处应有一个值", "Expecting ',' delimiter": "缺少逗号",
    "Expecting ':' delimiter": "缺少冒号",
    "Expecting property name enclosed in double quotes": "键名应使用英文双引号",
    "Unterminated string": "字符串缺少结束引号", "Extra data": "JSON 结束后还有多余内容",
    "Invalid control character": "字符串中有控制字符", "Invalid \\escape": "无效的转义符",
}


class ScenarioFileError(ValueError):
    """A scenario file was refused; ``problems`` holds one Chinese message per problem."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        lines = list(self.problems[:20])
        if len(self.problems) > 20:
            lines.append(f"……另有 {len(self.problems) - 20} 个问题")
        super().__init__("方案文件无效：\n" + "\n".join(lines))


def _kind(value) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _read_bytes(source) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(MAX_BYTES + 1)
        data = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    else:
        path = Path(source)
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise ScenarioFileError([f"方案文件不存在：{path}"]) from None
        except OSError as exc:
            raise ScenarioFileError([f"无法读取方案文件 {path}：{exc.strerror or exc}"]) from None
    if len(data) > MAX_BYTES:
        raise ScenarioFileError([f"方案文件太大（超过 {MAX_BYTES // 2**20} MB）"])
    return data


def _parse(data: bytes):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioFileError(["方案文件不是 UTF-8 编码的文本"
                                 f"（第 {exc.start + 1} 个字节无法解码）；"
                                 "请另存为 UTF-8 编码的 JSON 文件"]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reason = next((zh for en, zh in _JSON_ERRORS.items() if exc.msg.startswith(en)), "格式错误")
        raise ScenarioFileError([f"方案文件不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列"
                                 f"{reason}"]) from None
    except RecursionError:
        raise ScenarioFileError(["方案文件不是有效的 JSON：嵌套层数过多"]) from None


def _org_type(value, where: str, problems: list) -> str:
    if value is None:
        return "other"
    if isinstance(value, str):
        text = value.strip()
        if text in _TYPE_FIELD.choices:
            return text
        if text in _TYPE_FIELD.synonyms:
            return _TYPE_FIELD.synonyms[text]
    valid = "、".join(f"{k}（{v}）" for k, v in s.ORG_TYPES.items())
    problems.append(f"{where}：未知的 org_type {json.dumps(value, ensure_ascii=False)}；"
                    f"可选：{valid}")
    return "other"


def _villages(value, where: str, problems: list) -> tuple[str, ...]:
    if value is None:
        problems.append(f"{where}：缺少 villages（成员村代码列表）")
        return ()
    if not isinstance(value, list):
        problems.append(f"{where}：villages 应是村代码（字符串）的列表，实际是{_kind(value)}")
        return ()
    bad = [f"第 {k + 1} 项是{_kind(v) if not isinstance(v, str) else '空字符串'}"
           for k, v in enumerate(value) if not isinstance(v, str) or not v.strip()]
    if bad:
        more = f" 等 {len(bad)} 项" if len(bad) > 5 else ""
        problems.append(f"{where}：villages 应是村代码（字符串）的列表，{'，'.join(bad[:5])}{more}")
    return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())


def _text_field(item: dict, key: str, where: str, problems: list) -> str | None:
    value = item.get(key)
    if value is None or isinstance(value, str):
        return value.strip() if isinstance(value, str) else value
    problems.append(f"{where}：{key} 应是字符串，实际是{_kind(value)}")
    return None


def _group(item, k: int, problems: list) -> Group | None:
    where = f"第 {k} 个分组"
    if not isinstance(item, dict):
        problems.append(f"{where}应是一个对象（{{…}}），实际是{_kind(item)}")
        return None
    org_id = item.get(s.ORG_ID)
    if isinstance(org_id, int) and not isinstance(org_id, bool):
        org_id = str(org_id)
    if isinstance(org_id, str) and org_id.strip():
        org_id = org_id.strip()
        where += f"（org_id={org_id}）"
    elif org_id is None or isinstance(org_id, str):
        problems.append(f"{where}：缺少 org_id（分组编号）")
        org_id = None
    else:
        problems.append(f"{where}：org_id 应是字符串，实际是{_kind(org_id)}")
        org_id = None
    name = _text_field(item, s.NAME, where, problems) or ""
    lead = _text_field(item, s.LEAD_VILLAGE_CODE, where, problems) or None
    org_type = _org_type(item.get(s.ORG_TYPE), where, problems)
    villages = _villages(item.get("villages"), where, problems)
    locked = item.get("locked", False)
    if not isinstance(locked, bool):
        problems.append(f"{where}：locked 应是 true 或 false，实际是{_kind(locked)}")
        locked = False
    if org_id is None:
        return None
    extra = {key: value for key, value in item.items() if key not in GROUP_KEYS}
    return Group(org_id, name, org_type, lead, villages, locked, extra)


def scenario_from_dict(obj) -> Scenario:
    """A :class:`Scenario` from parsed SPEC §4 JSON.

    Raises
    ------
    ScenarioFileError
        Listing every problem found (Chinese, naming the group and key).
    """
    if not isinstance(obj, dict):
        raise ScenarioFileError([f"方案文件应是一个 JSON 对象（{{…}}），实际是{_kind(obj)}"])
    problems: list[str] = []
    name = _text_field(obj, "name", "方案", problems) or DEFAULT_NAME
    created = _text_field(obj, "created", "方案", problems) or now_iso()
    raw_groups = obj.get("groups")
    if raw_groups is None:
        problems.append("方案缺少 groups（分组列表）")
        raw_groups = []
    elif not isinstance(raw_groups, list):
        problems.append(f"方案的 groups 应是分组的列表，实际是{_kind(raw_groups)}")
        raw_groups = []
    groups, first = [], {}
    for k, item in enumerate(raw_groups, start=1):
        group = _group(item, k, problems)
        if group is None:
            continue
        if group.org_id in first:
            problems.append(f"第 {k} 个分组：org_id={group.org_id} 与第 {first[group.org_id]} "
                            "个分组重复")
            continue
        first[group.org_id] = k
        groups.append(group)
    if problems:
        raise ScenarioFileError(problems)
    extra = {key: value for key, value in obj.items() if key not in SCENARIO_KEYS}
    return Scenario(name, created, tuple(groups), extra)


def read_scenario(source) -> Scenario:
    """Read a SPEC §4 scenario file.

    Parameters
    ----------
    source : str, os.PathLike, bytes or binary file object
        A path, the file's bytes, or an open file (e.g. an uploaded file);
        at most 20 MB, UTF-8 (a byte-order mark is accepted).

    Raises
    ------
    ScenarioFileError
        With one Chinese message per problem: unreadable or too big, not
        UTF-8 JSON, not an object, no ``groups``, a group without ``org_id``
        or ``villages``, villages that are not strings, an unknown
        ``org_type``, a duplicate ``org_id`` …
    """
    return scenario_from_dict(_parse(_read_bytes(source)))


def scenario_to_json(scenario: Scenario) -> str:
    """The scenario as SPEC §4 JSON text (UTF-8 characters kept, indented)."""
    return json.dumps(scenario_document(scenario), ensure_ascii=False, indent=2)


def write_scenario_json(scenario: Scenario, path: str | os.PathLike) -> Path:
    """Write the scenario to ``path`` atomically; returns the path.

    The text goes to a temporary file in the same folder, is flushed to disk,
    then replaces ``path`` with ``os.replace``: a crash while writing leaves
    the previous file whole.
    """
    return write_text_atomic(path, scenario_to_json(scenario))
