"""Scenario files (SPEC §4 JSON): round trip, bad files and their messages, atomic writes."""
import io
import json
import os
import re
from datetime import datetime

import pytest

from analysis.scenario import Group, Scenario
import analysis.scenario_file as sio
from analysis.scenario_file import (ScenarioFileError, read_scenario, scenario_to_json,
                                    write_scenario_json)

GOOD = {
    "name": "2027 方案A", "created": "2026-11-23T10:00:00+08:00", "author": "组织部",
    "groups": [
        {"org_id": "S1", "name": "洪田联村党委", "org_type": "以强带弱",
         "lead_village_code": "350481101201", "villages": ["350481101201", "350481101202"],
         "locked": True, "color": "#ff0000"},
        {"org_id": "S2", "name": "槐南联村党委", "org_type": "industry",
         "lead_village_code": None, "villages": []},
    ],
}


def _bytes(obj) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def _with_group(**changes):
    doc = json.loads(json.dumps(GOOD))
    doc["groups"][0].update(changes)
    return _bytes(doc)


def test_reads_the_spec_example():
    sc = read_scenario(_bytes(GOOD))
    assert (sc.name, sc.created, sc.extra) == ("2027 方案A", "2026-11-23T10:00:00+08:00",
                                               {"author": "组织部"})
    g1, g2 = sc.groups
    assert g1 == Group("S1", "洪田联村党委", "strong_weak", "350481101201",
                       ("350481101201", "350481101202"), True, {"color": "#ff0000"})
    assert (g2.org_type, g2.lead_village_code, g2.villages, g2.locked) == ("industry", None, (),
                                                                           False)


def test_round_trip(tmp_path):
    """Read → write → read gives the same scenario; unknown keys survive; text is stable."""
    sc = read_scenario(_bytes(GOOD))
    path = write_scenario_json(sc, tmp_path / "方案.json")
    again = read_scenario(path)
    assert again == sc
    assert scenario_to_json(again) == path.read_text(encoding="utf-8")
    written = json.loads(path.read_text(encoding="utf-8"))
    assert written["author"] == "组织部" and written["groups"][0]["color"] == "#ff0000"
    assert written["groups"][0]["org_type"] == "strong_weak"
    assert "locked" not in written["groups"][1]


def test_defaults_bom_and_file_objects():
    sc = read_scenario(b"\xef\xbb\xbf" + _bytes({"groups": [{"org_id": 7, "villages": ["a"]}]}))
    assert sc.name == "未命名方案" and sc.groups[0].org_id == "7"
    assert sc.groups[0].org_type == "other" and sc.groups[0].name == ""
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", sc.created)
    assert datetime.fromisoformat(sc.created).utcoffset().total_seconds() == 8 * 3600
    assert read_scenario(io.BytesIO(_bytes(GOOD))).name == "2027 方案A"


BAD = [
    ("gbk", "方案".encode("gbk") + b"{}",
     "方案文件不是 UTF-8 编码的文本（第 1 个字节无法解码）；请另存为 UTF-8 编码的 JSON 文件"),
    ("syntax", b'{"groups": [] "name": "x"}', "方案文件不是有效的 JSON：第 1 行第 15 列缺少逗号"),
    ("empty", b"", "方案文件不是有效的 JSON：第 1 行第 1 列此处应有一个值"),
    ("array", b"[]", "方案文件应是一个 JSON 对象（{…}），实际是数组"),
    ("no groups", _bytes({"name": "x"}), "方案缺少 groups（分组列表）"),
    ("groups object", _bytes({"groups": {"S1": []}}), "方案的 groups 应是分组的列表，实际是对象"),
    ("group not object", _bytes({"groups": ["S1"]}),
     "第 1 个分组应是一个对象（{…}），实际是字符串"),
    ("no org_id", _with_group(org_id=""), "第 1 个分组：缺少 org_id（分组编号）"),
    ("org_id list", _with_group(org_id=["S1"]), "第 1 个分组：org_id 应是字符串，实际是数组"),
    ("no villages", _bytes({"groups": [{"org_id": "S1"}]}),
     "第 1 个分组（org_id=S1）：缺少 villages（成员村代码列表）"),
    ("villages text", _with_group(villages="350481101201"),
     "第 1 个分组（org_id=S1）：villages 应是村代码（字符串）的列表，实际是字符串"),
    ("village number", _with_group(villages=["350481101201", 350481101202, ""]),
     "第 1 个分组（org_id=S1）：villages 应是村代码（字符串）的列表，"
     "第 2 项是数字，第 3 项是空字符串"),
    ("org_type", _with_group(org_type="强村带弱村"),
     "第 1 个分组（org_id=S1）：未知的 org_type \"强村带弱村\"；可选：strong_weak（以强带弱）、"
     "industry（产业主导）、village_enterprise（村企共建）、territorial（地域联治）、other（其他）"),
    ("duplicate", _with_group(org_id="S2"), "第 2 个分组：org_id=S2 与第 1 个分组重复"),
    ("locked", _with_group(locked="是"),
     "第 1 个分组（org_id=S1）：locked 应是 true 或 false，实际是字符串"),
    ("name", _bytes({"name": 3, "groups": []}), "方案：name 应是字符串，实际是数字"),
]


@pytest.mark.parametrize("label, data, message", BAD, ids=[b[0] for b in BAD])
def test_bad_files(label, data, message):
    with pytest.raises(ScenarioFileError) as info:
        read_scenario(data)
    assert info.value.problems == (message,)
    assert str(info.value).startswith("方案文件无效：\n")


def test_every_problem_is_collected():
    data = _bytes({"groups": [{"org_id": "S1", "villages": [1], "org_type": "x"},
                              {"villages": []}]})
    with pytest.raises(ScenarioFileError) as info:
        read_scenario(data)
    assert len(info.value.problems) == 3
    assert info.value.problems[2] == "第 2 个分组：缺少 org_id（分组编号）"


def test_too_big_and_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(sio, "MAX_BYTES", 100)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 101)
    with pytest.raises(ScenarioFileError, match="方案文件太大"):
        read_scenario(big)
    with pytest.raises(ScenarioFileError, match="方案文件太大"):
        read_scenario(b" " * 101)
    with pytest.raises(ScenarioFileError, match="方案文件不存在"):
        read_scenario(tmp_path / "none.json")
    with pytest.raises(ScenarioFileError, match="无法读取方案文件"):
        read_scenario(tmp_path)


def test_twenty_megabytes_is_the_limit():
    assert sio.MAX_BYTES == 20 * 1024 * 1024
    with pytest.raises(ScenarioFileError, match="超过 20 MB"):
        read_scenario(b" " * (20 * 1024 * 1024 + 1))


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "plan.json"
    first = Scenario("第一版", "2026-11-23T10:00:00+08:00", (Group("S1", villages=("a",)),))
    write_scenario_json(first, path)
    before = path.read_bytes()

    def crash(*args):
        raise OSError("disk full")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_scenario_json(Scenario("第二版", "x"), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json"]
