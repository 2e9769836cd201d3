"""Village boundaries from one file and their attributes from another, as one ``villages`` layer.

A county office often has the polygons as a Shapefile or GeoJSON carrying
little more than a code or a name, and the households, population, kind and
star rating in a spreadsheet.  :func:`read_with_attributes` reads the first as
the boundaries and the second as the attributes of ``villages``
(:func:`geo.ingest.read.read_upload` with ``part``), and joins them one-to-one:

* on ``village_code`` when both files have codes;
* else on township + name, with the matching rules of :mod:`geo.ingest.names`
  (suffixes 村委会 … ignored, a township by its name or code).

Every boundary takes the fields of its attribute row; where both files give a
field, the attribute sheet's value wins, except the fields the join matched
on (code, name, township), which keep the boundary's.  A boundary that no
attribute row fits is an error (the village would lack its figures); an
attribute row that fits no boundary is a warning (it is not imported; the
sheet may cover more villages than the boundaries); a row that fits two is an
error listing both.  Problems about a joined row name the boundary's row and
the attribute sheet's row.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from geo import schema as s
from geo.ingest.columns import MAP_HINT
from geo.ingest.names import NAMING_FIELDS, VillageIndex, closest_text, code_text, is_blank
from geo.ingest.read import ATTRIBUTES, BOUNDARY, ImportOptions, ReadResult, read_upload
from geo.problems import ERROR, INFO, WARNING, Problem

BOUNDARY_LABEL, ATTRIBUTES_LABEL = "边界文件", "属性表"
KEY_FIELDS = (s.VILLAGE_CODE, *NAMING_FIELDS)


def _tagged(problems, label: str) -> list[Problem]:
    """The problems of one of the two files, each saying which file it is about."""
    return [dataclasses.replace(p, message=f"{label}：{p.message}") for p in problems]


def _filled(frame: pd.DataFrame, fld: str) -> bool:
    return fld in frame.columns and not frame[fld].map(is_blank).all()


def _describe(frame: pd.DataFrame, pos: int) -> str:
    parts = [str(frame[f].iloc[pos]) for f in (s.VILLAGE_CODE, s.TOWNSHIP, s.NAME)
             if f in frame.columns and not is_blank(frame[f].iloc[pos])]
    return "，".join(parts)


def _pairs_by_code(bounds: pd.DataFrame, attrs: pd.DataFrame):
    """(attribute position → boundary position, problems) joined on village_code."""
    where: dict[str, list[int]] = {}
    for pos, code in enumerate(bounds[s.VILLAGE_CODE]):
        if not is_blank(code):
            where.setdefault(code_text(code), []).append(pos)
    pairs, problems = {}, []
    for pos, code in enumerate(attrs[s.VILLAGE_CODE]):
        if is_blank(code):
            problems.append(Problem(WARNING, "attribute_unmatched", s.VILLAGES, s.VILLAGE_CODE,
                                    pos + 1, None, f"{ATTRIBUTES_LABEL}第 {pos + 1} 行没有村代码，"
                                                   "无法与边界连接，未导入"))
            continue
        hits = where.get(code_text(code), [])
        if len(hits) == 1:
            pairs[pos] = hits[0]
        elif hits:
            problems.append(Problem(ERROR, "attribute_ambiguous", s.VILLAGES, s.VILLAGE_CODE,
                                    pos + 1, code_text(code),
                                    f"{ATTRIBUTES_LABEL}第 {pos + 1} 行的村代码 {code_text(code)} "
                                    f"在{BOUNDARY_LABEL}中有 {len(hits)} 个（第 "
                                    f"{'、'.join(str(h + 1) for h in hits)} 行）；只能一一对应"))
        else:
            problems.append(Problem(WARNING, "attribute_unmatched", s.VILLAGES, s.VILLAGE_CODE,
                                    pos + 1, code_text(code),
                                    f"{ATTRIBUTES_LABEL}第 {pos + 1} 行（{_describe(attrs, pos)}）"
                                    f"在{BOUNDARY_LABEL}中没有对应的村，未导入"))
    return pairs, problems


def _pairs_by_name(bounds: pd.DataFrame, attrs: pd.DataFrame):
    """(attribute position → boundary position, problems) joined on township + name."""
    shared = [f for f in NAMING_FIELDS if _filled(bounds, f) and f in attrs.columns]
    index = VillageIndex(bounds)
    pairs, problems = {}, []
    for pos, record in enumerate(attrs[shared].to_dict("records")):
        query = {f: v for f, v in record.items() if not is_blank(v)}
        if s.NAME not in query:
            problems.append(Problem(WARNING, "attribute_unmatched", s.VILLAGES, s.NAME, pos + 1,
                                    None, f"{ATTRIBUTES_LABEL}第 {pos + 1} 行没有村名，"
                                          "无法与边界连接，未导入"))
            continue
        found = index.find(query)
        if found.status == "matched":
            pairs[pos] = found.places[0].pos
            continue
        text = found.reason.replace("村（社区）", f"{BOUNDARY_LABEL}中的村（社区）", 1)
        if found.status == "ambiguous":
            rows = "、".join(f"第 {p.pos + 1} 行" for p in found.places)
            problems.append(Problem(ERROR, "attribute_ambiguous", s.VILLAGES, s.NAME, pos + 1,
                                    None, f"{ATTRIBUTES_LABEL}第 {pos + 1} 行：{text}"
                                          f"（{BOUNDARY_LABEL}{rows}）；只能一一对应，"
                                          "请在属性表中写明乡镇或村代码"))
        else:
            problems.append(Problem(WARNING, "attribute_unmatched", s.VILLAGES, s.NAME, pos + 1,
                                    None, f"{ATTRIBUTES_LABEL}第 {pos + 1} 行：{text}"
                                          f"{closest_text(found)}；此行未导入"))
    return pairs, problems


def join_attributes(bounds: ReadResult, attrs: ReadResult) -> ReadResult:
    """The boundaries ``bounds`` with the attributes ``attrs`` joined, as one read of ``villages``.

    Both reads must have succeeded (:attr:`ReadResult.ok` aside from missing
    fields); the result carries the problems of both (each saying its file),
    the join's, and an error for every required field neither file gives.
    """
    b, a = bounds.frame, attrs.frame
    by_code = _filled(b, s.VILLAGE_CODE) and _filled(a, s.VILLAGE_CODE)
    problems = _tagged(bounds.problems, BOUNDARY_LABEL) + _tagged(attrs.problems, ATTRIBUTES_LABEL)
    if not by_code and not (_filled(b, s.NAME) and s.NAME in a.columns):
        problems.append(Problem(ERROR, "no_join_key", s.VILLAGES, s.VILLAGE_CODE, None, None,
                                f"{BOUNDARY_LABEL}和{ATTRIBUTES_LABEL}没有共同的村代码列，"
                                "也没有共同的村名列，无法连接；" + MAP_HINT))
        return dataclasses.replace(bounds, frame=None, problems=tuple(problems), attributes=attrs)
    pairs, found = (_pairs_by_code if by_code else _pairs_by_name)(b, a)
    problems += found
    taken: dict[int, int] = {}
    for apos, bpos in pairs.items():
        if bpos in taken:
            problems.append(Problem(ERROR, "attribute_twice", s.VILLAGES, None, bpos + 1, None,
                                    f"{ATTRIBUTES_LABEL}第 {taken[bpos] + 1} 行和第 {apos + 1} 行"
                                    f"都对应{BOUNDARY_LABEL}第 {bpos + 1} 行"
                                    f"（{_describe(b, bpos)}）；只能一一对应"))
        taken.setdefault(bpos, apos)
    for bpos in range(len(b)):
        if bpos not in taken:
            problems.append(Problem(ERROR, "boundary_unmatched", s.VILLAGES, None, bpos + 1, None,
                                    f"{BOUNDARY_LABEL}第 {bpos + 1} 行（{_describe(b, bpos)}）"
                                    f"在{ATTRIBUTES_LABEL}中没有对应的行，缺少该村的属性"))
    merged = b.copy()
    keys = {s.VILLAGE_CODE} if by_code else set(KEY_FIELDS)
    order = sorted(taken)
    for col in a.columns:
        values = list(merged[col]) if col in merged.columns else [None] * len(merged)
        for bpos in order:
            value = a[col].iloc[taken[bpos]]
            if not is_blank(value) and not (col in keys and col in b.columns
                                          and not is_blank(values[bpos])):
                values[bpos] = value
        merged[col] = pd.Series(values, index=merged.index, dtype=object)
    mapping = {**bounds.mapping, **attrs.mapping}
    missing = tuple(f.name for f in s.LAYERS[s.VILLAGES].fields
                    if f.required and f.name not in set(mapping.values()))
    for name in missing:
        problems.append(Problem(ERROR, "missing_field", s.VILLAGES, name, None, None,
                                f"缺少必需字段 {s.field_label(s.VILLAGES, name)}："
                                f"{BOUNDARY_LABEL}和{ATTRIBUTES_LABEL}中都没有对应的列"
                                f"（{BOUNDARY_LABEL}的列：{'、'.join(bounds.columns) or '无'}；"
                                f"{ATTRIBUTES_LABEL}的列：{'、'.join(attrs.columns) or '无'}）；"
                                + MAP_HINT))
    how = "村代码" if by_code else "乡镇和村名" if s.TOWNSHIP in a.columns else "村名"
    problems.insert(0, Problem(INFO, "joined", s.VILLAGES, None, None, None,
                               f"{BOUNDARY_LABEL} {len(b)} 个村（社区）与{ATTRIBUTES_LABEL} "
                               f"{len(a)} 行按{how}连接：{len(taken)} 个对上"))
    origins = tuple((bpos + 1, f"{ATTRIBUTES_LABEL}第 {taken[bpos] + 1} 行" if bpos in taken
                     else None) for bpos in range(len(b)))
    marks = {**bounds.marks, **attrs.marks}
    columns = tuple(dict.fromkeys((*bounds.columns, *attrs.columns)))
    return dataclasses.replace(
        bounds, frame=merged, columns=columns, mapping=mapping, missing=missing,
        unmapped=tuple(dict.fromkeys((*bounds.unmapped, *attrs.unmapped))),
        suggestions={**bounds.suggestions, **attrs.suggestions}, problems=tuple(problems),
        origins=origins, marks=marks, attributes=attrs)


def read_with_attributes(boundary, attributes, options: ImportOptions | None = None,
                         attribute_options: ImportOptions | None = None) -> ReadResult:
    """Read ``boundary`` (GeoPackage, GeoJSON, Shapefile) and ``attributes`` (XLSX, CSV or
    any table) as one ``villages`` layer (see the module's description).

    ``options`` are the boundary file's (CRS, encoding, offsets) and the column
    mapping of both files (each takes the entries of its own columns);
    ``attribute_options`` the attribute file's (sheet, encoding), by default
    the boundary's without its layer choice.  Never raises for a bad file.
    """
    options = options or ImportOptions()
    attribute_options = dataclasses.replace(
        attribute_options or dataclasses.replace(options, source_layer=None),
        mapping=options.mapping)
    first = read_upload(boundary, s.VILLAGES, options, BOUNDARY)
    second = read_upload(attributes, s.VILLAGES, attribute_options, ATTRIBUTES)
    problems = _tagged(first.problems, BOUNDARY_LABEL) + _tagged(second.problems,
                                                                 ATTRIBUTES_LABEL)
    unknown = [k for k in options.mapping if k not in first.columns and k not in second.columns]
    if first.columns and second.columns:
        problems += [Problem(ERROR, "bad_mapping", s.VILLAGES, options.mapping[k], None, None,
                             f"对应关系 {k!r} → {options.mapping[k]} 无效：{BOUNDARY_LABEL}和"
                             f"{ATTRIBUTES_LABEL}中都没有列 {k!r}") for k in unknown]
    if first.frame is None or second.frame is None or any(p.is_error for p in problems):
        missing = (tuple(m for m in first.missing if m in second.missing) if second.columns
                   else ())
        return dataclasses.replace(first, frame=None, problems=tuple(problems), missing=missing,
                                   attributes=second)
    return join_attributes(first, second)
