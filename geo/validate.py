"""Validation of a dataset against the schema of :mod:`geo.schema`.

Every check collects problems instead of stopping at the first: the user gets
the whole list at once, each naming layer, field and row.

>>> import pandas as pd
>>> typed, problems = coerce_layer("joint_members", pd.DataFrame(
...     {"org_id": ["A", "A"], "village_code": ["1", "2"], "joined_year": ["2020", "两千"]}))
>>> [p.code for p in problems]
['wrong_type']
>>> typed["joined_year"].tolist()
[2020, <NA>]
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import shapely

from geo import schema as s
from geo.problems import ERROR, WARNING, Problem

_SHOW = 30  # characters of a bad value quoted in a message
_TYPE_IDS = {"Point": 0, "LineString": 1, "Polygon": 3, "MultiLineString": 5, "MultiPolygon": 6}
_EMPTY_REFUSED = (s.VILLAGES, s.ROADS)  # layers whose empty geometry is an error


def _quote(value) -> str:
    text = str(value)
    return repr(text[:_SHOW] + ("…" if len(text) > _SHOW else ""))


def _is_blank(series: pd.Series) -> pd.Series:
    blank = series.isna()
    as_text = series[~blank].astype(str).str.strip()
    blank.loc[as_text.index] = as_text.eq("") | as_text.str.lower().isin(["nan", "none", "null"])
    return blank


def _text_of(v) -> str:
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return str(v).strip()


def _as_text(series: pd.Series) -> pd.Series:
    """Codes stored as numbers become text without a trailing ``.0``.

    Blank cells (see :func:`_is_blank`) become ``None``; text is stripped.
    A column of text only (the usual case) is stripped in one pass.

    >>> _as_text(pd.Series([350481.0, " 甲 ", None, "nan", b"x", 1.5])).tolist()
    ['350481', '甲', None, None, 'x', '1.5']
    """
    keep = ~_is_blank(series).to_numpy(dtype=bool)
    values = series.to_numpy(dtype=object)[keep]
    out = np.full(len(series), None, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":
        out[keep] = [v.strip() for v in values]
    else:
        out[keep] = [_text_of(v) for v in values]
    return pd.Series(out, index=series.index, name=series.name, dtype=object)


def _as_number(series: pd.Series, integer: bool) -> tuple[pd.Series, pd.Series]:
    blank = _is_blank(series)
    cleaned = series.where(~blank, None)
    if cleaned.dtype == object or pd.api.types.is_string_dtype(cleaned):
        cleaned = cleaned.map(lambda v: str(v).strip().replace(",", "") if v is not None else v)
    if pd.api.types.is_bool_dtype(cleaned):
        cleaned = cleaned.astype(float)
    num = pd.to_numeric(cleaned, errors="coerce")
    bad = num.isna() & ~blank
    if integer:
        frac = num.notna() & (np.floor(num.astype(float)) != num.astype(float))
        bad |= frac
        num = num.where(~frac)
        return num.astype("Int64"), bad
    return num.astype(float), bad


def _as_bool(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    if series.dtype == bool:            # a GeoPackage boolean column: nothing to read
        return series.astype("boolean"), pd.Series(False, index=series.index)
    blank = _is_blank(series)

    def one(v):
        if isinstance(v, (bool, np.bool_)):
            return bool(v)
        text = str(v).strip().lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text in s.BOOL_TRUE:
            return True
        if text in s.BOOL_FALSE:
            return False
        return None

    out = pd.Series([None if b else one(v) for v, b in zip(series, blank)],
                    index=series.index, dtype="boolean")
    return out, out.isna() & ~blank


def _as_choice(series: pd.Series, fld: s.Field) -> tuple[pd.Series, pd.Series]:
    if all(isinstance(c, int) for c in fld.choices):
        num, bad = _as_number(series, integer=True)
        return num, bad | (num.notna() & ~num.isin(list(fld.choices))).fillna(False)
    text = _as_text(series)
    canon = text.map(lambda v: fld.synonyms.get(v, str(v).lower()), na_action="ignore")
    bad = canon.notna() & ~canon.isin(list(fld.choices))
    return canon.where(~bad, None), bad


_TYPE_HINT = {
    s.TEXT: "文本", s.INT: "整数", s.FLOAT: "数值",
    s.BOOL: "有效的是/否值（true/false、1/0、是/否）",
}


def coerce_layer(layer: str, df: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Return ``df`` with SPEC's field types, and the problems found.

    Checks: required fields present, values of the right type, no empty cells
    in non-nullable fields, ranges and vocabularies, unique ids.  Columns not
    in the schema are kept as they are.  The input frame is not changed.
    """
    spec = s.LAYERS[layer]
    out = df.copy()
    problems: list[Problem] = []
    ids = _row_ids(spec, df)

    def add(sev, code, fld, mask, msg_of):
        for pos in np.flatnonzero(np.asarray(mask, dtype=bool)):
            problems.append(Problem(sev, code, layer, fld, int(pos) + 1, ids[pos], msg_of(pos)))

    for fld in spec.fields:
        if fld.name not in df.columns:
            if fld.required:
                problems.append(Problem(ERROR, "missing_field", layer, fld.name, None, None,
                                        f"缺少必需字段 {fld.name}（{fld.label}）"))
            continue
        raw = df[fld.name]
        if fld.kind == s.TEXT:
            typed, bad = _as_text(raw), pd.Series(False, index=raw.index)
        elif fld.kind in (s.INT, s.FLOAT) and not fld.choices:
            typed, bad = _as_number(raw, integer=fld.kind == s.INT)
        elif fld.kind == s.BOOL:
            typed, bad = _as_bool(raw)
        else:
            typed, bad = _as_choice(raw, fld)
        if fld.choices:
            allowed = "、".join(
                f"{c}" + (f"（{s.KIND_VALUES.get(c) or s.ORG_TYPES.get(c) or s.SITE_TYPES.get(c)}）"
                          if isinstance(c, str) else "") for c in fld.choices)
            add(ERROR, "bad_value", fld.name, bad.to_numpy(),
                lambda p, r=raw: f"值 {_quote(r.iloc[p])} 不是允许的取值（{allowed}）")
        else:
            add(ERROR, "wrong_type", fld.name, bad.to_numpy(),
                lambda p, r=raw: f"值 {_quote(r.iloc[p])} 不是{_TYPE_HINT[fld.kind]}")
        if not fld.nullable:
            add(ERROR, "empty_value", fld.name, (typed.isna() & ~bad).to_numpy(),
                lambda p: "不能为空")
        if fld.minimum is not None or fld.maximum is not None:
            num = typed.astype(float)
            low = num < fld.minimum if fld.minimum is not None else False
            high = num > fld.maximum if fld.maximum is not None else False
            out_of = (pd.Series(low, index=num.index)
                      | pd.Series(high, index=num.index)).fillna(False)
            rng = (f"{fld.minimum:g}–{fld.maximum:g}" if fld.maximum is not None
                   else f"≥ {fld.minimum:g}")
            add(ERROR, "out_of_range", fld.name, out_of.to_numpy(),
                lambda p, t=typed: f"值 {t.iloc[p]} 超出范围（应为 {rng}）")
        out[fld.name] = typed

    if spec.id_field and spec.id_field in out.columns:
        dup = out[spec.id_field].notna() & out[spec.id_field].duplicated(keep=False)
        add(ERROR, "duplicate_id", spec.id_field, dup.to_numpy(),
            lambda p: f"编码 {out[spec.id_field].iloc[p]} 重复（{spec.id_field} 必须唯一）")
    return out, problems


def _row_ids(spec: s.LayerSpec, df: pd.DataFrame) -> list[str | None]:
    key = spec.row_key
    if key is None or key not in df.columns:
        return [None] * len(df)
    return [None if v is None else str(v) for v in _as_text(df[key])]


def check_geometry(layer: str, gdf) -> tuple[object, list[Problem]]:
    """Check geometry types and emptiness; repair invalid polygons.

    Returns the frame with repaired geometries and the problems.  Empty
    village geometry is an error (SPEC §2), and so is an empty road (a road
    without a line cannot be walked on); elsewhere a warning.  An invalid
    line (a single position, zero length) is kept with a warning.
    """
    spec = s.LAYERS[layer]
    problems: list[Problem] = []
    ids = _row_ids(spec, gdf)
    if gdf.crs is None:
        problems.append(Problem(ERROR, "missing_crs", layer, s.GEOMETRY, None, None,
                                "几何图层没有坐标系（CRS），无法确定位置；请在源数据中声明，"
                                "例如 EPSG:4490（CGCS2000）"))
    geoms = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    sev = ERROR if layer in _EMPTY_REFUSED else WARNING
    empty_text = "几何为空" + ("（没有线，无法作为道路）" if layer == s.ROADS else "")
    for pos in np.flatnonzero(empty):
        problems.append(Problem(sev, "empty_geometry", layer, s.GEOMETRY, int(pos) + 1, ids[pos],
                                empty_text))
    types = shapely.get_type_id(geoms)
    ok_types = [_TYPE_IDS[t] for t in spec.geometry]
    wrong = ~empty & ~np.isin(types, ok_types)
    names = {0: "点", 1: "线", 2: "环", 3: "面", 4: "多点", 5: "多线", 6: "多面", 7: "几何集合"}
    for pos in np.flatnonzero(wrong):
        problems.append(Problem(ERROR, "wrong_geometry", layer, s.GEOMETRY, int(pos) + 1, ids[pos],
                                f"几何类型为 {names.get(int(types[pos]), '未知')}，"
                                f"应为 {'/'.join(spec.geometry)}"))
    invalid = ~empty & ~wrong & ~_is_valid(geoms)
    if invalid.any() and spec.geometry == s.LINEAR:
        for pos in np.flatnonzero(invalid):
            problems.append(Problem(WARNING, "invalid_line", layer, s.GEOMETRY, int(pos) + 1,
                                    ids[pos], f"无效的线（{shapely.is_valid_reason(geoms[pos])}），"
                                    "在步行网络中只是孤立的点"))
    if invalid.any() and spec.geometry == s.POLYGONAL:
        repaired = geoms.copy()
        fixed = shapely.make_valid(geoms[invalid])
        repaired[invalid] = [_polygonal_part(g) for g in fixed]
        gdf = gdf.set_geometry(repaired, crs=gdf.crs)
        for pos in np.flatnonzero(invalid):
            reason = shapely.is_valid_reason(geoms[pos])
            problems.append(Problem(WARNING, "repaired_geometry", layer, s.GEOMETRY, int(pos) + 1,
                                    ids[pos], f"无效多边形（{reason}）已自动修复（make_valid）"))
    return gdf, problems


def _is_valid(geoms: np.ndarray) -> np.ndarray:
    """``shapely.is_valid`` in two threads for large layers (GEOS releases the GIL)."""
    if len(geoms) < 20_000:
        return shapely.is_valid(geoms)
    half = len(geoms) // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(shapely.is_valid, (geoms[:half], geoms[half:])))
    return np.concatenate(parts)


def _polygonal_part(geom):
    if geom.geom_type in s.POLYGONAL:
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in s.POLYGONAL]
    polys = []
    for g in parts:
        polys.extend(getattr(g, "geoms", [g]))
    return shapely.MultiPolygon(polys) if polys else shapely.Polygon()
