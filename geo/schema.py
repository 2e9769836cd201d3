"""The layer schema of SPEC §2, declared as data.

Every layer, field, type, geometry type, id and reference of a dataset is
listed here once; the validator (:mod:`geo.validate`), the loader
(:mod:`geo.dataset`), the analysis and the demo generator read their names
from these constants instead of repeating string literals.

>>> LAYERS[VILLAGES].id_field
'village_code'
>>> FIELDS_BY_LAYER[GRIDS][LEVEL].choices
(3, 4)
"""
from __future__ import annotations

from dataclasses import dataclass, field

# ---- layer names -----------------------------------------------------------
VILLAGES = "villages"
VILLAGE_INCOME = "village_income"
JOINT_ORGS = "joint_orgs"
JOINT_MEMBERS = "joint_members"
GRIDS = "grids"
SERVICE_SITES = "service_sites"
ROADS = "roads"

# ---- field names -----------------------------------------------------------
VILLAGE_CODE = "village_code"
NAME = "name"
TOWNSHIP_CODE = "township_code"
TOWNSHIP = "township"
COUNTY_CODE = "county_code"
COUNTY = "county"
KIND = "kind"
HOUSEHOLDS = "households"
POPULATION = "population"
PARTY_MEMBERS = "party_members"
STAR_RATING = "star_rating"
WEAK_ORG = "weak_org"
RECTIFIED = "rectified"
YEAR = "year"
COLLECTIVE_INCOME = "collective_income"
ORG_ID = "org_id"
ORG_TYPE = "org_type"
LEAD_VILLAGE_CODE = "lead_village_code"
FOUNDED_YEAR = "founded_year"
PROJECTS = "projects"
JOINED_YEAR = "joined_year"
GRID_CODE = "grid_code"
LEVEL = "level"
PARENT_CODE = "parent_code"
PARTY_BRANCH = "party_branch"
MANAGER = "manager"
SITE_ID = "site_id"
SITE_TYPE = "site_type"
ROAD_ID = "road_id"
ROAD_CLASS = "road_class"
GEOMETRY = "geometry"

# ---- value vocabularies ----------------------------------------------------
KIND_VILLAGE = "village"
KIND_COMMUNITY = "community"
KIND_VALUES = {KIND_VILLAGE: "行政村", KIND_COMMUNITY: "社区"}
ORG_TYPES = {
    "strong_weak": "以强带弱",
    "industry": "产业主导",
    "village_enterprise": "村企共建",
    "territorial": "地域联治",
    "other": "其他",
}
SITE_TYPES = {
    "center": "党群服务中心",
    "neighbor_station": "近邻之家",
    "station": "驿站",
    "other": "其他",
}
GRID_LEVEL_L3 = 3
GRID_LEVEL_L4 = 4
POLYGONAL = ("Polygon", "MultiPolygon")
POINT = ("Point",)
LINEAR = ("LineString", "MultiLineString")

# Field kinds understood by the validator's coercion table.
TEXT, INT, FLOAT, BOOL, CHOICE = "text", "int", "float", "bool", "choice"


@dataclass(frozen=True)
class Field:
    """One attribute of a layer.

    ``required``: the column must exist.  ``nullable``: empty cells allowed.
    ``minimum``/``maximum``: inclusive range for numbers.  ``choices``:
    canonical values (for ``choice`` fields; Chinese synonyms in ``synonyms``).
    """

    name: str
    kind: str
    label: str
    required: bool = True
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple = ()
    synonyms: dict = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reference:
    """``layer.field`` must name an existing ``target.target_field``.

    ``when`` restricts the rows checked (``(field, value)`` on the source) and
    ``target_when`` the rows that count as valid targets.  ``severity`` is
    ``"error"`` or ``"warning"``.
    """

    field: str
    target: str
    target_field: str
    severity: str
    when: tuple | None = None
    target_when: tuple | None = None


@dataclass(frozen=True)
class LayerSpec:
    """One layer: its fields, geometry types (``None`` for a table), id.

    ``row_field`` names a row in messages when the layer has no unique id
    (``road_id``: the segments of one road may share it).
    """

    name: str
    label: str
    fields: tuple[Field, ...]
    geometry: tuple[str, ...] | None
    id_field: str | None
    required: bool = False
    references: tuple[Reference, ...] = ()
    row_field: str | None = None

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def row_key(self) -> str | None:
        """The field that names a row in messages: the id, else ``row_field``, else
        ``village_code`` when the layer has one.

        >>> LAYERS[ROADS].row_key, LAYERS[VILLAGE_INCOME].row_key, LAYERS[GRIDS].row_key
        ('road_id', 'village_code', 'grid_code')
        """
        return (self.id_field or self.row_field
                or (VILLAGE_CODE if VILLAGE_CODE in self.field_names else None))


def _text(name, label, aliases=(), **kw):
    return Field(name, TEXT, label, aliases=tuple(aliases), **kw)


def _count(name, label, aliases=(), **kw):
    return Field(name, INT, label, minimum=0, aliases=tuple(aliases), **kw)


def _bool(name, label, aliases=(), **kw):
    return Field(name, BOOL, label, aliases=tuple(aliases), **kw)


_VILLAGE_CODE_ALIASES = ("村代码", "行政区划代码", "统计用区划代码")

LAYERS: dict[str, LayerSpec] = {
    VILLAGES: LayerSpec(
        VILLAGES, "村（社区）",
        (
            _text(VILLAGE_CODE, "村代码", _VILLAGE_CODE_ALIASES),
            _text(NAME, "村名", ("村名", "名称")),
            _text(TOWNSHIP_CODE, "乡镇代码", ("乡镇代码",)),
            _text(TOWNSHIP, "乡镇（街道）", ("乡镇", "乡镇(街道)", "街道")),
            _text(COUNTY_CODE, "县代码", ("县代码",)),
            _text(COUNTY, "县（市、区）", ("县", "县(市、区)", "区县")),
            Field(KIND, CHOICE, "类型", choices=tuple(KIND_VALUES),
                  synonyms={v: k for k, v in KIND_VALUES.items()}, aliases=("类型",)),
            _count(HOUSEHOLDS, "户数", ("户数",)),
            _count(POPULATION, "人口", ("人口", "常住人口")),
            _count(PARTY_MEMBERS, "党员数", ("党员数",), required=False, nullable=True),
            Field(STAR_RATING, INT, "星级", required=False, nullable=True,
                  minimum=0, maximum=5, aliases=("星级",)),
            _bool(WEAK_ORG, "软弱涣散", ("软弱涣散",), required=False, nullable=True),
            _bool(RECTIFIED, "已整顿转化", ("已整顿转化",), required=False, nullable=True),
        ),
        POLYGONAL, VILLAGE_CODE, required=True,
    ),
    VILLAGE_INCOME: LayerSpec(
        VILLAGE_INCOME, "村集体经营性收入",
        (
            _text(VILLAGE_CODE, "村代码", _VILLAGE_CODE_ALIASES),
            Field(YEAR, INT, "年份", minimum=1900, maximum=2100, aliases=("年份", "年度")),
            Field(COLLECTIVE_INCOME, FLOAT, "集体经营性收入（万元）",
                  aliases=("集体经营性收入", "村财收入")),
        ),
        None, None,
        references=(Reference(VILLAGE_CODE, VILLAGES, VILLAGE_CODE, "warning"),),
    ),
    JOINT_ORGS: LayerSpec(
        JOINT_ORGS, "联村党组织",
        (
            _text(ORG_ID, "组织编号", ("组织编号",)),
            _text(NAME, "组织名称", ("名称", "组织名称")),
            Field(ORG_TYPE, CHOICE, "类型", choices=tuple(ORG_TYPES),
                  synonyms={v: k for k, v in ORG_TYPES.items()}, aliases=("类型", "联建类型")),
            _text(LEAD_VILLAGE_CODE, "领建村代码", ("领建村代码", "领建村")),
            # optional: an organisation without one counts in every year (SPEC §3 "As of")
            Field(FOUNDED_YEAR, INT, "成立年份", minimum=1900, maximum=2100,
                  required=False, nullable=True, aliases=("成立年份",)),
            _count(PROJECTS, "联村项目数", ("联村项目数",), required=False, nullable=True),
        ),
        None, ORG_ID,
    ),
    JOINT_MEMBERS: LayerSpec(
        JOINT_MEMBERS, "联村成员",
        (
            _text(ORG_ID, "组织编号", ("组织编号",)),
            _text(VILLAGE_CODE, "村代码", _VILLAGE_CODE_ALIASES),
            Field(JOINED_YEAR, INT, "加入年份", minimum=1900, maximum=2100,
                  required=False, nullable=True, aliases=("加入年份",)),
        ),
        None, None,
        references=(
            Reference(ORG_ID, JOINT_ORGS, ORG_ID, "error"),
            Reference(VILLAGE_CODE, VILLAGES, VILLAGE_CODE, "error"),
        ),
    ),
    GRIDS: LayerSpec(
        GRIDS, "网格",
        (
            _text(GRID_CODE, "网格编码", ("网格编码", "网格代码")),
            _text(NAME, "网格名称", ("网格名称", "名称")),
            Field(LEVEL, INT, "网格层级", choices=(GRID_LEVEL_L3, GRID_LEVEL_L4),
                  aliases=("层级", "网格层级")),
            _text(PARENT_CODE, "上级编码", ("上级编码", "上级网格")),
            _count(HOUSEHOLDS, "户数", ("户数",)),
            _count(POPULATION, "人口", ("人口", "常住人口")),
            _count(PARTY_MEMBERS, "党员数", ("党员数",), required=False, nullable=True),
            _bool(PARTY_BRANCH, "网格党支部", ("网格党支部",)),
            _text(MANAGER, "网格管家", ("网格管家", "网格员"), nullable=True),
        ),
        POLYGONAL, GRID_CODE,
        references=(
            Reference(PARENT_CODE, VILLAGES, VILLAGE_CODE, "warning",
                      when=(LEVEL, GRID_LEVEL_L3)),
            Reference(PARENT_CODE, GRIDS, GRID_CODE, "warning",
                      when=(LEVEL, GRID_LEVEL_L4), target_when=(LEVEL, GRID_LEVEL_L3)),
        ),
    ),
    SERVICE_SITES: LayerSpec(
        SERVICE_SITES, "党群服务阵地",
        (
            _text(SITE_ID, "阵地编号", ("阵地编号",)),
            _text(NAME, "阵地名称", ("名称", "阵地名称")),
            Field(SITE_TYPE, CHOICE, "阵地类型", choices=tuple(SITE_TYPES),
                  synonyms={v: k for k, v in SITE_TYPES.items()}, aliases=("阵地类型",)),
            _text(VILLAGE_CODE, "所在村代码", _VILLAGE_CODE_ALIASES,
                  required=False, nullable=True),
        ),
        POINT, SITE_ID,
        references=(Reference(VILLAGE_CODE, VILLAGES, VILLAGE_CODE, "warning"),),
    ),
    # The walking network of SPEC §3 (walk_service_population_coverage); every field optional.
    ROADS: LayerSpec(
        ROADS, "道路",
        (
            _text(ROAD_ID, "道路编号", ("道路编号", "道路编码"), required=False, nullable=True),
            _text(NAME, "道路名称", ("名称", "道路名称", "路名"), required=False, nullable=True),
            _text(ROAD_CLASS, "道路等级", ("道路等级", "等级"), required=False, nullable=True),
        ),
        LINEAR, None, row_field=ROAD_ID,
    ),
}

FIELDS_BY_LAYER: dict[str, dict[str, Field]] = {
    name: {f.name: f for f in spec.fields} for name, spec in LAYERS.items()
}

BOOL_TRUE = {"true", "1", "是", "t", "yes", "y"}
BOOL_FALSE = {"false", "0", "否", "f", "no", "n"}


def layer_label(layer: str) -> str:
    """Chinese label with the canonical name, e.g. ``villages（村（社区））``.

    >>> layer_label("grids")
    'grids（网格）'
    """
    spec = LAYERS.get(layer)
    return f"{layer}（{spec.label}）" if spec else layer


def field_label(layer: str, name: str) -> str:
    """Canonical field name with its Chinese label, e.g. ``households（户数）``.

    >>> field_label("villages", "households")
    'households（户数）'
    """
    f = FIELDS_BY_LAYER.get(layer, {}).get(name)
    return f"{name}（{f.label}）" if f else name
