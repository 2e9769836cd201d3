"""Mapping the columns of an upload to the canonical fields of SPEC §2.

A column is matched to a field by the field's canonical name, its Chinese
label or one of its aliases (:mod:`geo.schema`), ignoring case, spaces and
full-width/half-width differences (``乡镇（街道）`` = ``乡镇(街道)``) and a
trailing unit (``（万元）``, ``（元）``, ``（户）``, ``(单位：人)``, ``/元`` …;
:func:`split_unit`, the unit is read by :mod:`geo.ingest.numbers`).  A column
headed by a year (``2019``, ``2019年``, ``2019年度``, ``2019年收入（元）``) is a
year column of a wide sheet (:func:`year_header`, :mod:`geo.ingest.wide`).
Shapefile column names cut at 10 bytes
(``集体经营性`` for ``集体经营性收入``) match a field when exactly one name
starts with them.  The user's mapping ``{source column: field}`` wins.
A confirmed mapping is remembered per layer and set of columns in
``column_maps.json`` of a folder, and recalled next time.

>>> m = auto_mapping("village_income", ["村代码", "年度", "集体经营性收入（万元）", "备注"])
>>> m.mapping, m.unmapped, m.missing  # doctest: +NORMALIZE_WHITESPACE
({'村代码': 'village_code', '年度': 'year', '集体经营性收入（万元）': 'collective_income'},
 ('备注',), ())
"""
from __future__ import annotations

import difflib
import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo import schema as s
from geo.db import place, shown
from geo.problems import ERROR, WARNING, Problem
from geo.remembered import read_text, update_text

log = logging.getLogger(__name__)
MAPPINGS_FILE = "column_maps.json"
# Units a header may end with, in parentheses (after NFKC) or after a slash.
HEADER_UNITS = ("万元", "元", "户", "人", "名", "个", "项", "%")
_UNIT_TAIL = re.compile(r"(?:\((?:单位[:：]?)?(%s)\)|/(%s))$" % (("|".join(HEADER_UNITS),) * 2))
# Layers whose per-year value may come as one column per year: layer → (year field, value field)
WIDE_LAYERS = {s.VILLAGE_INCOME: (s.YEAR, s.COLLECTIVE_INCOME)}
_YEAR_HEAD = re.compile(r"^((?:19|20)\d{2})(?:\.0)?(?:年度|年份|年)?(.*)$")
# Words after the year that still name the value (2019年收入, 2019年村财收入 …)
_VALUE_WORDS = {"收入", "集体收入", "村集体收入", "经营性收入", "集体经营性收入",
                "村集体经营性收入", "村财收入", "金额"}
MAP_HINT = "可用命令行 --map 源列=字段 或页面上的“列对应”指定"


def normalise_column(name) -> str:
    """The comparison key of a column name.

    >>> normalise_column(" 乡镇（街道） "), normalise_column("Village_Code")
    ('乡镇(街道)', 'village_code')
    """
    text = unicodedata.normalize("NFKC", str(name))
    return "".join(text.split()).lower()


def _keys(fld: s.Field) -> list[str]:
    return [normalise_column(k) for k in (fld.name, fld.label, *fld.aliases)]


def split_unit(column) -> tuple[str, str | None]:
    """The comparison key of a column name without its trailing unit, and the unit.

    >>> split_unit("集体经营性收入（元）"), split_unit("户数(单位：户)"), split_unit("村名")
    (('集体经营性收入', '元'), ('户数', '户'), ('村名', None))
    """
    key = normalise_column(column)
    found = _UNIT_TAIL.search(key)
    if not found or found.start() == 0:
        return key, None
    return key[: found.start()], found.group(1) or found.group(2)


def field_keys(layer: str) -> dict[str, str]:
    """Every comparison key of ``layer`` → field name (keys claimed by two fields left out).

    >>> field_keys("villages")["县(市、区)"]
    'county'
    """
    table: dict[str, set[str]] = {}
    for fld in s.LAYERS[layer].fields:
        for key in _keys(fld):
            table.setdefault(key, set()).add(fld.name)
            base, unit = split_unit(key)
            if unit:
                table.setdefault(base, set()).add(fld.name)
    return {key: next(iter(names)) for key, names in table.items() if len(names) == 1}


def year_header(layer: str, column) -> int | None:
    """The year a column of a wide sheet stands for, or None (SPEC §5).

    Only for layers of :data:`WIDE_LAYERS`; ``2019``, ``2019年``, ``2019年度``,
    ``2019年收入`` and any of them with a unit (``2019年（元）``).

    >>> [year_header("village_income", h) for h in ("2019", "２０２０年", "2021年度",
    ...                                               "2022年收入（元）", "2023年人口", "年度")]
    [2019, 2020, 2021, 2022, None, None]
    """
    if layer not in WIDE_LAYERS:
        return None
    base, _ = split_unit(column)
    found = _YEAR_HEAD.match(base)
    if not found:
        return None
    rest = found.group(2)
    if rest and rest not in _VALUE_WORDS and match_field(layer, rest) != WIDE_LAYERS[layer][1]:
        return None
    return int(found.group(1))


def match_field(layer: str, column, truncated: bool = False,
                keys: dict | None = None) -> str | None:
    """The field of ``layer`` that ``column`` names, or None.

    >>> match_field("village_income", "集体经营性", truncated=True), match_field("villages", "备注")
    ('collective_income', None)
    >>> match_field("joint_members", "村代码 village_code")  # label and name, as in a template
    'village_code'
    """
    keys = field_keys(layer) if keys is None else keys
    words = unicodedata.normalize("NFKC", str(column)).split()
    if len(words) > 1 and words[-1] in s.FIELDS_BY_LAYER[layer]:  # "村代码 village_code"
        return words[-1]
    key = normalise_column(column)
    for candidate in (key, split_unit(key)[0]):
        if candidate and candidate in keys:
            return keys[candidate]
    if truncated and len(key) >= 3:
        found = {name for k, name in keys.items() if k.startswith(key)}
        if len(found) == 1:
            return found.pop()
    return None


@dataclass(frozen=True)
class ColumnMapping:
    """How an upload's columns map to a layer's fields.

    ``mapping``: source column → field; ``unmapped``: source columns left as
    they are; ``missing``: required fields no column maps to;
    ``suggestions``: unmapped column → likely fields, best first;
    ``problems``: errors (bad user mapping, two columns for one field).
    """

    layer: str
    mapping: dict
    unmapped: tuple
    missing: tuple
    suggestions: dict = field(default_factory=dict)
    problems: tuple = ()


def auto_mapping(layer: str, columns, user: dict | None = None,
                 truncated: bool = False) -> ColumnMapping:
    """Map ``columns`` of an upload to ``layer``'s fields (user's choices first).

    Parameters
    ----------
    layer : canonical layer name of SPEC §2.
    columns : the upload's column names (geometry column excluded).
    user : ``{source column: field}`` chosen by the user; overrides matching.
    truncated : names may be cut at 10 bytes (a Shapefile's ``.dbf``).

    Examples
    --------
    >>> m = auto_mapping("villages", ["编码", "村名"], user={"编码": "village_code"})
    >>> m.mapping["编码"], "households" in m.missing, m.suggestions.get("编码")
    ('village_code', True, None)
    >>> [p.message.split(" 无效")[0]
    ...  for p in auto_mapping("villages", ["村名"], user={"村名": "nom"}).problems]
    ["对应关系 '村名' → 'nom'"]
    """
    spec = s.LAYERS[layer]
    columns = [str(c) for c in columns]
    keys, problems = field_keys(layer), []
    mapping: dict[str, str] = {}
    for src, target in (user or {}).items():
        if target not in spec.field_names:
            problems.append(Problem(ERROR, "bad_mapping", layer, None, None, None,
                                    f"对应关系 {src!r} → {target!r} 无效："
                                    f"图层 {s.layer_label(layer)} 没有字段 "
                                    f"{target!r}；可选字段：{'、'.join(spec.field_names)}"))
        elif str(src) not in columns:
            problems.append(Problem(ERROR, "bad_mapping", layer, target, None, None,
                                    f"对应关系 {src!r} → {target} 无效：文件中没有列 {src!r}；"
                                    f"文件的列：{'、'.join(columns)}"))
        elif target in mapping.values():
            first = next(k for k, v in mapping.items() if v == target)
            problems.append(Problem(ERROR, "ambiguous_column", layer, target, None, None,
                                    f"列 {first!r} 和列 {src!r} "
                                    f"都被指定为字段 {s.field_label(layer, target)}；"
                                    "一个字段只能取自一列"))
        else:
            mapping[str(src)] = target
    taken = {t: src for src, t in mapping.items()}
    for col in columns:
        if col in mapping:
            continue
        target = match_field(layer, col, truncated, keys)
        if target is None:
            continue
        if target in taken:
            if taken[target] not in (user or {}):
                problems.append(Problem(ERROR, "ambiguous_column", layer, target, None, None,
                                        f"列 {taken[target]!r} 和列 {col!r} 都对应字段 "
                                        f"{s.field_label(layer, target)}；{MAP_HINT}要用的那一列"))
            continue
        mapping[col], taken[target] = target, col
    unmapped = tuple(c for c in columns if c not in mapping)
    return ColumnMapping(layer, mapping, unmapped, missing_fields(layer, mapping),
                         suggest_mapping(layer, unmapped, set(taken)), tuple(problems))


def missing_fields(layer: str, mapping: dict) -> tuple[str, ...]:
    """Required fields of ``layer`` that no column of ``mapping`` (source → field) gives.

    >>> missing_fields("village_income", {"村代码": "village_code", "年份": "year"})
    ('collective_income',)
    """
    given = set(mapping.values())
    return tuple(f.name for f in s.LAYERS[layer].fields if f.required and f.name not in given)


def suggest_mapping(layer: str, columns, taken=()) -> dict[str, tuple[str, ...]]:
    """Likely fields for columns that matched none, best first (up to three each).

    >>> suggest_mapping("villages", ["村庄名称", "总户数", "备注"])
    {'村庄名称': ('name',), '总户数': ('households',)}
    """
    out = {}
    for col in columns:
        key = normalise_column(col)
        scores: dict[str, float] = {}
        for fld in s.LAYERS[layer].fields:
            if fld.name in taken:
                continue
            for k in _keys(fld):
                score = difflib.SequenceMatcher(None, key, k).ratio()
                if k and (k in key or key in k):
                    score = max(score, 0.75)
                scores[fld.name] = max(scores.get(fld.name, 0.0), score)
        best = sorted((n for n, v in scores.items() if v >= 0.6), key=lambda n: -scores[n])[:3]
        if best:
            out[str(col)] = tuple(best)
    return out


def apply_mapping(frame: pd.DataFrame, mapping: dict) -> tuple[pd.DataFrame, list[Problem]]:
    """A copy of ``frame`` with mapped columns renamed to their fields.

    An unmapped column that carries a field's name already taken by a mapped
    column is dropped, with a warning.

    >>> out, found = apply_mapping(pd.DataFrame({"村名": ["一村"], "name": ["x"]}),
    ...                            {"村名": "name"})
    >>> list(out.columns), found[0].code
    (['name'], 'column_dropped')
    """
    targets = set(mapping.values())
    drop = [c for c in frame.columns if c not in mapping and c in targets]
    problems = [Problem(WARNING, "column_dropped", None, str(c), None, None,
                        f"列 {c!r} 未使用：字段 {c} 已取自列 "
                        f"{next(k for k, v in mapping.items() if v == c)!r}") for c in drop]
    return frame.drop(columns=drop).rename(columns=mapping), problems


def columns_signature(columns) -> str:
    """A key for a set of column names (order, case and spacing ignored).

    >>> columns_signature(["村名", "户数"]) == columns_signature([" 户数", "村名"])
    True
    """
    joined = "\x1f".join(sorted(normalise_column(c) for c in columns))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def _load(folder) -> dict:
    try:
        text = read_text(folder, MAPPINGS_FILE)
        data = json.loads(text) if text else {"maps": {}}
        return (data if isinstance(data, dict) and isinstance(data.get("maps"), dict)
                else {"maps": {}})
    except (OSError, ValueError) as exc:
        log.warning("列对应记录 %s 无法读取，已忽略：%s", shown(folder), exc)
        return {"maps": {}}


def remember_mapping(folder, layer: str, columns, mapping: dict) -> Path | str:
    """Store a confirmed mapping for ``layer`` and this set of columns; return the file.

    The file is replaced atomically (temporary file, fsync, ``os.replace``).

    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> _ = remember_mapping(d, "villages", ["编码", "村名"], {"编码": "village_code"})
    >>> recalled_mapping(d, "villages", ["村名", "编码"])
    {'编码': 'village_code'}
    """
    def change(old: str | None) -> str:
        data = _parse_maps(old)
        data["maps"].setdefault(layer, {})[columns_signature(columns)] = {
            "columns": sorted(str(c) for c in columns),
            "mapping": {str(k): v for k, v in mapping.items()}}
        return json.dumps(data, ensure_ascii=False, indent=1)
    update_text(folder, MAPPINGS_FILE, change)
    return place(folder, MAPPINGS_FILE)


def _parse_maps(text: str | None) -> dict:
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    return data if isinstance(data, dict) and isinstance(data.get("maps"), dict) else {"maps": {}}


def recalled_mapping(folder, layer: str, columns) -> dict[str, str]:
    """The mapping remembered for ``layer`` and these columns, or ``{}``.

    Entries whose column no longer exists or whose field is unknown are left out.
    """
    entry = _load(folder)["maps"].get(layer, {}).get(
        columns_signature(columns), {})
    names = {str(c) for c in columns}
    fields = set(s.LAYERS[layer].field_names)
    return {k: v for k, v in dict(entry.get("mapping", {})).items() if k in names and v in fields}
