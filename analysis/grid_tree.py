"""The four levels of the grid as one table, and the figures and lists of a node.

Level 1 is the township, 2 the village or community (both from ``villages``),
3 the 片区 and 4 the unit grid (``grids``).  Grids count where their village
lies, as in :func:`analysis.grid.grid_placement`, so that the counts of a
county or township equal its SPEC §3 figures.  No geometry is computed here
beyond that placement.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.grid import grid_placement
from geo import schema as s

# Kinds of node of the drill-down → the tree column holding that node's code.
NODE_COLUMNS = {"county": "county_code", "township": "township_code",
                "village": s.VILLAGE_CODE, "l3": "l3_code", "l4": "l4_code"}
AREA_KEYS = (s.VILLAGE_CODE, s.TOWNSHIP_CODE, s.COUNTY_CODE)


def level_mask(grids: pd.DataFrame, level: int) -> np.ndarray:
    """Rows of ``grids`` at ``level`` (missing levels are not).

    >>> level_mask(pd.DataFrame({"level": pd.array([3, None, 4], dtype="Int64")}), 4).tolist()
    [False, False, True]
    """
    return (grids[s.LEVEL] == level).fillna(False).to_numpy(dtype=bool)


def with_area_keys(frame: dict, villages: pd.DataFrame, rows: np.ndarray) -> dict:
    """``frame`` with the village, township and county codes of village ``rows``.

    A row of −1 (no village) gets ``None``.  ``frame`` is changed and returned.

    >>> v = pd.DataFrame({"village_code": ["a"], "township_code": ["t"], "county_code": ["c"]})
    >>> with_area_keys({}, v, np.array([0, -1]))["township_code"].tolist()
    ['t', None]
    """
    for key in AREA_KEYS:
        values = villages[key].to_numpy(dtype=object)
        frame[key] = (np.where(rows >= 0, values[np.maximum(rows, 0)], None) if len(values)
                      else np.full(len(rows), None, dtype=object))
    return frame


def grid_area_keys(villages: pd.DataFrame, grids: pd.DataFrame) -> pd.DataFrame:
    """The village, township and county codes where each grid counts, aligned with ``grids``.

    The one rule for every screen and print map and every figure
    (:func:`analysis.grid.grid_placement`): the declared parent chain, else
    the village containing the grid, else ``None``.  An orphan grid is thus
    shown in the area it lies in.

    >>> import geopandas as gpd, shapely
    >>> v = gpd.GeoDataFrame({"village_code": ["a", "b"], "township_code": ["t1", "t2"],
    ...     "county_code": ["c", "c"]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)])
    >>> g = gpd.GeoDataFrame({"grid_code": ["A", "A1", "X1"], "level": [3, 4, 4],
    ...     "parent_code": ["a", "A", "nope"]}, crs="EPSG:32650",
    ...     geometry=[shapely.box(0, 0, 10, 10), shapely.box(0, 0, 5, 5),
    ...               shapely.box(12, 2, 14, 4)])
    >>> grid_area_keys(v, g)["township_code"].tolist()
    ['t1', 't1', 't2']
    """
    positions = grid_placement(villages, grids)[0] if len(grids) else np.zeros(0, dtype=int)
    return pd.DataFrame(with_area_keys({}, villages, positions), index=grids.index)


# ---- the four levels as a tree -------------------------------------------------------

TREE_COLUMNS = ["level", "code", "name", "parent_code", "county_code", "township_code",
                s.VILLAGE_CODE, "l3_code", "l4_code", "l3_count", "l4_count", "households",
                s.PARTY_BRANCH]


def grid_tree(villages: pd.DataFrame, grids: pd.DataFrame) -> pd.DataFrame:
    """The four levels — township (1), village (2), 片区 (3), unit grid (4) — as rows.

    Parameters
    ----------
    villages, grids : DataFrame
        The layers; a grid lies in the village given by
        :func:`analysis.grid.grid_placement` (declared parents first, else
        the village containing it; geometry is needed only for the latter).

    Returns
    -------
    DataFrame
        :data:`TREE_COLUMNS`: ``level``; ``code`` and ``name`` of the node;
        ``parent_code`` (county, township, village, 片区); the codes of the
        nodes above and of the node itself at its level (``l4_code`` only for
        unit grids, ``l3_code`` empty for a unit grid without a 片区);
        ``l3_count`` and ``l4_count`` (grids of that level in the node,
        itself included); ``households`` (Σ households of its unit grids);
        ``party_branch`` (level-3 rows only).  Grids placed in no village
        have no village, township or county codes.

    Examples
    --------
    >>> v = pd.DataFrame({"village_code": ["a", "b"], "name": ["甲村", "乙村"],
    ...     "township_code": ["t", "t"], "township": ["甲镇", "甲镇"], "county_code": ["c", "c"]})
    >>> g = pd.DataFrame({"grid_code": ["A", "A1", "A2"], "name": ["一片", "1", "2"],
    ...     "level": [3, 4, 4], "parent_code": ["a", "A", "A"], "households": [0, 90, 100],
    ...     "party_branch": [True, False, False]})
    >>> grid_tree(v, g)[["level", "code", "parent_code", "l3_count", "l4_count", "households"]
    ...     ].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [[1, 't', 'c', 1, 2, 190], [2, 'a', 't', 1, 2, 190], [2, 'b', 't', 0, 0, 0],
     [3, 'A', 'a', 1, 2, 190], [4, 'A1', 'A', 0, 1, 90], [4, 'A2', 'A', 0, 1, 100]]
    """
    nodes = _grid_nodes(villages, grids)
    out = [_area_nodes(villages, nodes, 1), _area_nodes(villages, nodes, 2), nodes]
    tree = pd.concat(out, ignore_index=True)[TREE_COLUMNS]
    for col in ("level", "l3_count", "l4_count", "households"):
        tree[col] = tree[col].astype("int64")
    return tree


def _grid_nodes(villages, grids) -> pd.DataFrame:
    is3, is4 = level_mask(grids, s.GRID_LEVEL_L3), level_mask(grids, s.GRID_LEVEL_L4)
    grids = grids.loc[is3 | is4]
    is3, is4 = is3[is3 | is4], is4[is3 | is4]
    positions = grid_placement(villages, grids)[0] if len(grids) else np.zeros(0, dtype=int)
    codes = grids[s.GRID_CODE].to_numpy(dtype=object)
    parent = grids[s.PARENT_CODE].to_numpy(dtype=object)
    known3 = pd.Index(codes[is3])
    l3_code = np.where(is3, codes, np.where(known3.get_indexer(parent) >= 0, parent, None))
    households = grids[s.HOUSEHOLDS].astype("Float64").fillna(0).to_numpy(dtype=float)
    nodes = pd.DataFrame(with_area_keys({}, villages, positions))
    nodes["level"] = np.where(is3, 3, 4)
    nodes["code"], nodes["name"] = codes, grids[s.NAME].to_numpy(dtype=object)
    nodes["l3_code"], nodes["l4_code"] = l3_code, np.where(is4, codes, None)
    nodes["parent_code"] = np.where(is4 & (l3_code != None), l3_code,  # noqa: E711
                                    nodes[s.VILLAGE_CODE].to_numpy(dtype=object))
    children = pd.Series(np.where(is4, households, 0.0)).groupby(l3_code).agg(["sum", "size"])
    per_l3 = children.reindex(codes)
    nodes["l3_count"] = is3.astype(int)
    nodes["l4_count"] = np.where(is4, 1, np.where(is3, per_l3["size"].fillna(1) - 1, 0))
    nodes["households"] = np.where(is4, households, per_l3["sum"].fillna(0).to_numpy())
    branch = grids[s.PARTY_BRANCH].astype("boolean").fillna(False).to_numpy(dtype=bool)
    nodes[s.PARTY_BRANCH] = pd.array(np.where(is3, branch, pd.NA), dtype="boolean")
    return nodes


def _area_nodes(villages, nodes, level: int) -> pd.DataFrame:
    key, name, parent = ((s.TOWNSHIP_CODE, s.TOWNSHIP, s.COUNTY_CODE) if level == 1 else
                         (s.VILLAGE_CODE, s.NAME, s.TOWNSHIP_CODE))
    keys = [s.COUNTY_CODE, s.TOWNSHIP_CODE] + ([s.VILLAGE_CODE] if level == 2 else [])
    base = villages.groupby(keys, sort=True, as_index=False)[name].first()
    stats = pd.DataFrame({"l3_count": (nodes["level"] == 3).astype(int),
                          "l4_count": (nodes["level"] == 4).astype(int),
                          "households": np.where(nodes["level"] == 4, nodes["households"], 0),
                          key: nodes[key]}).groupby(key).sum()
    out = base.join(stats, on=key).fillna({"l3_count": 0, "l4_count": 0, "households": 0})
    out = out.rename(columns={name: "name"})
    out["level"], out["code"], out["parent_code"] = level, out[key], out[parent]
    for col in ("l3_code", "l4_code", s.PARTY_BRANCH) + ((s.VILLAGE_CODE,) if level == 1 else ()):
        out[col] = None
    return out


def level_figures(tree: pd.DataFrame, compliance: pd.DataFrame, by: str | None = None,
                  code: str | None = None) -> dict:
    """Grid figures of one node of :func:`grid_tree` (or of all grids).

    Parameters
    ----------
    tree : DataFrame
        :func:`grid_tree`.
    compliance : DataFrame
        :func:`grid_compliance` of the same grids.
    by : {None, "county", "township", "village", "l3", "l4"}
        Kind of node (see :data:`NODE_COLUMNS`); ``None``: every grid.
    code : str
        The node's code.

    Returns
    -------
    dict
        ``grid_l3`` (count), ``grid_l3_branch_coverage`` (fraction),
        ``grid_l4`` (count), ``grid_l4_standard_share``,
        ``grid_manager_coverage`` (fractions) and ``grid_l4_mean_households``
        (households); a ratio or mean over no grid is ``None``.  Counts and
        ratios are those of SPEC §3 for the same area.  For a unit grid the
        level-3 figures are those of its 片区.

    Examples
    --------
    >>> v = pd.DataFrame({"village_code": ["a"], "name": ["甲村"], "township_code": ["t"],
    ...     "township": ["甲镇"], "county_code": ["c"]})
    >>> g = pd.DataFrame({"grid_code": ["A", "A1", "A2"], "name": ["一片", "1", "2"],
    ...     "level": [3, 4, 4], "parent_code": ["a", "A", "A"], "households": [0, 90, 130],
    ...     "party_branch": [True, False, False], "manager": [None, "张", ""]})
    >>> from analysis.grid_checks import grid_compliance
    >>> level_figures(grid_tree(v, g), grid_compliance(g), "l3", "A")
    ... # doctest: +NORMALIZE_WHITESPACE
    {'grid_l3': 1, 'grid_l3_branch_coverage': 1.0, 'grid_l4': 2, 'grid_l4_standard_share': 0.5,
     'grid_manager_coverage': 0.5, 'grid_l4_mean_households': 110.0}
    """
    rows = _within(tree[tree["level"] >= 3], by, code)
    l3 = rows[rows["level"] == 3]
    if by == "l4":  # a unit grid: the level-3 figures of its 片区
        l3 = _within(tree[tree["level"] == 3], "l3", rows["l3_code"].iloc[0] if len(rows) else None)
    unit = compliance[compliance[s.GRID_CODE].isin(rows.loc[rows["level"] == 4, "code"])]
    return {
        "grid_l3": len(l3),
        "grid_l3_branch_coverage": _mean(l3[s.PARTY_BRANCH].astype(float)),
        "grid_l4": len(unit),
        "grid_l4_standard_share": _mean(unit["households_ok"].astype(float)),
        "grid_manager_coverage": _mean(unit["has_manager"].astype(float)),
        "grid_l4_mean_households": _mean(unit[s.HOUSEHOLDS].astype("Float64")),
    }


def _mean(values: pd.Series) -> float | None:
    values = values.dropna()
    return float(values.mean()) if len(values) else None


def _within(tree: pd.DataFrame, by: str | None, code: str | None) -> pd.DataFrame:
    if by is None:
        return tree
    if by not in NODE_COLUMNS:
        raise ValueError(f"未知的层级 by={by!r}，可选：{'、'.join(NODE_COLUMNS)}")
    return tree[tree[NODE_COLUMNS[by]] == code]


# ---- drill-down helpers ---------------------------------------------------------------

def selected_node(choices: dict) -> tuple[str | None, str | None]:
    """The deepest chosen node of ``{kind: code or None}`` in :data:`NODE_COLUMNS` order.

    >>> selected_node({"county": "c", "township": None, "village": "a", "l3": None, "l4": None})
    ('village', 'a')
    >>> selected_node({"county": None})
    (None, None)
    """
    chosen = [(by, choices[by]) for by in NODE_COLUMNS if choices.get(by)]
    return chosen[-1] if chosen else (None, None)


def child_options(tree: pd.DataFrame, level: int, by: str | None, code: str | None) -> dict:
    """``{code: name}`` of the nodes of ``level`` (2–4) inside a node, in code order.

    >>> t = pd.DataFrame({"level": [2, 2, 3], "code": ["b", "a", "A"], "name": ["乙", "甲", "片"],
    ...     "county_code": ["c", "c", "c"], "village_code": ["b", "a", "a"]})
    >>> child_options(t, 2, "county", "c"), child_options(t, 3, "village", "b")
    ({'a': '甲', 'b': '乙'}, {})
    """
    rows = _within(tree[tree["level"] == level], by, code).sort_values("code")
    return dict(zip(rows["code"], rows["name"]))


def node_path(tree: pd.DataFrame, code: str) -> dict:
    """The village, 片区 and unit grid above (and at) a node, ``{}`` when unknown.

    >>> t = pd.DataFrame({"level": [2, 3, 4], "code": ["a", "A", "A1"],
    ...     "village_code": ["a", "a", "a"], "l3_code": [None, "A", "A"],
    ...     "l4_code": [None, None, "A1"]})
    >>> node_path(t, "A1"), node_path(t, "a"), node_path(t, "zz")
    ({'village': 'a', 'l3': 'A', 'l4': 'A1'}, {'village': 'a', 'l3': None, 'l4': None}, {})
    """
    rows = tree[(tree["code"] == code) & (tree["level"] >= 2)]
    if not len(rows):
        return {}
    row = rows.iloc[-1]
    return {by: (None if pd.isna(row[NODE_COLUMNS[by]]) else row[NODE_COLUMNS[by]])
            for by in ("village", "l3", "l4")}


def integrity_scope(tree: pd.DataFrame, by: str | None, code: str | None
                    ) -> tuple[str | None, str | None]:
    """The area (column of :data:`AREA_KEYS`, code) whose integrity a node shows.

    Gaps and overlaps are found per village, so a 片区 or unit grid shows
    those of its village.

    >>> t = pd.DataFrame({"level": [3], "code": ["A"], "village_code": ["a"], "l3_code": ["A"]})
    >>> integrity_scope(t, "l3", "A"), integrity_scope(t, "county", "c")
    (('village_code', 'a'), ('county_code', 'c'))
    """
    if by in (None, "county", "township", "village"):
        return (NODE_COLUMNS[by], code) if by else (None, None)
    village = _within(tree, by, code)[s.VILLAGE_CODE].dropna()
    return s.VILLAGE_CODE, (village.iloc[0] if len(village) else None)


def noncompliant_grids(compliance: pd.DataFrame, tree: pd.DataFrame, by: str | None = None,
                       code: str | None = None) -> pd.DataFrame:
    """The unit grids of a node that miss a standard, with their village and reasons.

    Returns
    -------
    DataFrame
        ``grid_code``, ``name``, ``village`` (name), ``l3`` (片区 name),
        ``households``, ``manager`` and ``reasons`` (joined with "；"), in
        grid-code order.

    >>> v = pd.DataFrame({"village_code": ["a"], "name": ["甲村"], "township_code": ["t"],
    ...     "township": ["甲镇"], "county_code": ["c"]})
    >>> g = pd.DataFrame({"grid_code": ["A", "A1", "A2"], "name": ["一片", "第1网格", "第2网格"],
    ...     "level": [3, 4, 4], "parent_code": ["a", "A", "A"], "households": [0, 90, 130],
    ...     "party_branch": [True, False, False], "manager": [None, "张", " "]})
    >>> from analysis.grid_checks import grid_compliance
    >>> noncompliant_grids(grid_compliance(g), grid_tree(v, g), "village", "a").values.tolist()
    [['A2', '第2网格', '甲村', '一片', 130, ' ', '户数130户，不在80–120户标准内；未配备网格管家']]
    """
    rows = _within(tree[tree["level"] == 4], by, code)
    bad = compliance[~compliance["compliant"] & compliance[s.GRID_CODE].isin(rows["code"])]
    names = tree[tree["level"].isin((2, 3))].drop_duplicates("code").set_index("code")["name"]
    where = rows.set_index("code")[[s.VILLAGE_CODE, "l3_code"]]
    placed = where.reindex(bad[s.GRID_CODE])
    out = pd.DataFrame({
        s.GRID_CODE: bad[s.GRID_CODE].to_numpy(), s.NAME: bad[s.NAME].to_numpy(),
        "village": placed[s.VILLAGE_CODE].map(names).to_numpy(),
        "l3": placed["l3_code"].map(names).to_numpy(),
        s.HOUSEHOLDS: bad[s.HOUSEHOLDS].to_numpy(), s.MANAGER: bad[s.MANAGER].to_numpy(),
        "reasons": ["；".join(r) for r in bad["reasons"]]})
    return out.sort_values(s.GRID_CODE).reset_index(drop=True)
