"""Villages named by township and name, as people write them (SPEC §5).

A sheet may name its village by ``乡镇（街道）`` and ``村名`` instead of its
code.  Names are compared without spaces, full-width forms, and the suffixes
of SPEC §5: 村民委员会, 村委会, 社区居民委员会, 居委会 and a final 村.  The
suffix still says what kind of place is meant: ``上坪村委会`` and
``上坪`` both match the village ``上坪村``, ``清溪社区居民委员会`` the
community ``清溪社区``, but ``桃源村`` never matches ``桃源社区``.  A township
is matched by its name (``洪田`` for ``洪田镇`` when only one fits) or its
code; a county, when the sheet has one, narrows the search.

Matching is one-to-one: :meth:`VillageIndex.find` says whether a written
name fits exactly one village, several (all listed) or none (the closest names
of its township ranked by edit distance, so the user can pick one).  Putting
the codes into a layer's rows, with the user's picks, is
:mod:`geo.ingest.by_name`; the boundaries + attributes join
(:mod:`geo.ingest.attributes`) uses the same index.

>>> name_key("上坪村委会"), name_key("清溪社区居民委员会"), name_key("上坪")
(('上坪', 'village'), ('清溪', 'community'), ('上坪', None))
>>> edit_distance("上坪", "上平")
1
"""
from __future__ import annotations

import heapq
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo import schema as s
from geo.ingest.columns import match_field, normalise_column
from geo.problems import ERROR, WARNING

# Layers whose village may be named instead of coded → severity of a name that fits no
# village or more than one
NAMED_LAYERS = {s.VILLAGE_INCOME: WARNING, s.JOINT_MEMBERS: ERROR}
NAMING_FIELDS = (s.COUNTY_CODE, s.COUNTY, s.TOWNSHIP_CODE, s.TOWNSHIP, s.NAME)
VILLAGE, COMMUNITY = "village", "community"
# Longest first: the committee suffixes, then the final 社区 / 村 (SPEC §5)
_COMMITTEES = (("社区居民委员会", COMMUNITY), ("社区居委会", COMMUNITY), ("村民委员会", VILLAGE),
               ("居民委员会", COMMUNITY), ("村委会", VILLAGE), ("居委会", COMMUNITY))
_FINAL = (("社区", COMMUNITY), ("村", VILLAGE))
_TOWNSHIP_SUFFIXES = ("人民政府", "街道办事处", "办事处", "街道", "镇", "乡")
_COUNTY_SUFFIXES = ("自治县", "县", "市", "区")
# Headers that name the village in a sheet of another layer, besides SPEC's 村名
_NAME_HEADERS = {normalise_column(h) for h in (
    "村名称", "村庄名称", "行政村", "行政村名称", "村(社区)", "村(社区)名", "村(社区)名称",
    "村居", "村居名称", "村(居)", "村(居)名称", "社区名称", "村/社区", "村社区", "村委会",
    "单位名称")}
_GENERIC_NAME_OK = {s.VILLAGE_INCOME}  # where a bare 名称 names the village
SHOWN = 3  # closest candidates quoted in a message


def text_of(value) -> str:
    """A cell as compared: NFKC (full-width forms as half-width), no spaces."""
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def is_blank(value) -> bool:
    """An empty cell: None, NaN, or only spaces."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value))
    return not text_of(value)


def code_text(value) -> str:
    """A code as text: ``350481101.0`` from a spreadsheet is ``350481101``."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return text_of(value)


def naming_field(layer: str, column) -> str | None:
    """The field of ``villages`` that ``column`` of a ``layer`` sheet names a village by.

    >>> naming_field("village_income", "乡镇（街道）"), naming_field("joint_members", "村名")
    ('township', 'name')
    >>> naming_field("joint_members", "名称"), naming_field("grids", "村名")
    (None, None)
    """
    if layer not in NAMED_LAYERS:
        return None
    found = match_field(s.VILLAGES, column)
    if found == s.NAME and normalise_column(column) == "名称" and layer not in _GENERIC_NAME_OK:
        return None
    if found in NAMING_FIELDS:
        return found
    return s.NAME if normalise_column(column) in _NAME_HEADERS else None


def naming_columns(layer: str, columns) -> dict[str, str]:
    """Columns that name the village (column → field), the first one for each field."""
    out: dict[str, str] = {}
    for col in columns:
        fld = naming_field(layer, col)
        if fld and fld not in out.values():
            out[str(col)] = fld
    return out


def name_key(name) -> tuple[str, str | None]:
    """A village name without its suffixes, and the kind of place the suffix says.

    >>> name_key("上村村委会"), name_key("燕江社区"), name_key(" 村 ")
    (('上', 'village'), ('燕江', 'community'), ('村', None))
    """
    text, kind = text_of(name), None
    for suffix, what in _COMMITTEES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text, kind = text[: -len(suffix)], what
            break
    for suffix, what in _FINAL:
        if text.endswith(suffix) and len(text) > len(suffix) and kind in (None, what):
            text, kind = text[: -len(suffix)], what
            break
    return text, kind


def _core(text: str, suffixes) -> str:
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: characters inserted, deleted or replaced."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def query_key(query: dict) -> str:
    """The written name of a village (``乡镇/村名``), the key of the user's picks.

    >>> query_key({"name": " 上平村委会", "township": "清溪镇"})
    '清溪镇/上平村委会'
    """
    return "/".join(text_of(query[f]) for f in NAMING_FIELDS if f in query)


def pick_key(text: str) -> str:
    """A key typed by the user (``清溪镇 / 上平村委会``) in the form of :func:`query_key`."""
    return "/".join(text_of(part) for part in str(text).split("/") if text_of(part))


@dataclass(frozen=True)
class Place:
    """One village of the dataset (or one row of a boundary file) as matched against."""

    pos: int
    code: str | None
    name: str
    core: str
    kind: str | None
    township: str
    township_code: str
    county: str
    county_code: str

    @property
    def label(self) -> str:
        where = "，".join(x for x in (self.code, self.township) if x)
        return f"{self.name}（{where}）" if where else self.name


@dataclass(frozen=True)
class Found:
    """The villages a written name fits: ``status`` matched, ambiguous or unmatched;
    ``places``: the one matched or all that fit; ``ranked``: the closest villages of
    the township (or of what the name was searched in) with their distances, closest
    first (at most :data:`SHOWN`); ``scope``: every village searched, for
    :meth:`VillageIndex.ranked`; ``reason``: why not, in Chinese."""

    status: str
    places: tuple = ()
    ranked: tuple = ()
    reason: str = ""
    scope: tuple = ()


# What narrows the search, in order: (query field, attribute of Place, suffixes, word)
_NARROWING = ((s.COUNTY_CODE, "county_code", (), "县"),
              (s.COUNTY, "county", _COUNTY_SUFFIXES, "县"),
              (s.TOWNSHIP_CODE, "township_code", (), "乡镇"),
              (s.TOWNSHIP, "township", _TOWNSHIP_SUFFIXES, "乡镇"))
_LONGEST = 40  # characters of a name compared by edit distance (a longer cell is cut)


class VillageIndex:
    """The villages of a frame (``villages`` layer, or a boundary file) to match names on.

    Look-ups go through dictionaries (by township, county, their codes and cores,
    and by name core), so matching a sheet of a city's villages takes a fraction
    of a second; ranking candidates skips the edit distance of names that share
    no character (it is then the longer length).
    """

    def __init__(self, frame: pd.DataFrame):
        def column(name):
            if name not in frame.columns:
                return [""] * len(frame)
            return ["" if is_blank(v) else code_text(v) for v in frame[name]]

        codes = column(s.VILLAGE_CODE)
        names = column(s.NAME)
        towns, town_codes = column(s.TOWNSHIP), column(s.TOWNSHIP_CODE)
        counties, county_codes = column(s.COUNTY), column(s.COUNTY_CODE)
        self.places = tuple(
            Place(pos, codes[pos] or None, names[pos], *name_key(names[pos]), towns[pos],
                  town_codes[pos], counties[pos], county_codes[pos])
            for pos in range(len(frame)))
        self.by_code = {p.code: p for p in self.places if p.code}
        self._by: dict[str, dict[str, list]] = {attr: {} for _, attr, _, _ in _NARROWING}
        self._cores: dict[str, dict[str, set]] = {attr: {} for _, attr, _, _ in _NARROWING}
        self._by_core: dict[str, list] = {}
        self._by_char: dict[str, set] = {}
        self._unknown: dict[tuple, str] = {}  # (attribute, value) → why it is not there
        for p in self.places:
            for _, attr, suffixes, _ in _NARROWING:
                value = getattr(p, attr)
                if value:
                    self._by[attr].setdefault(value, []).append(p)
                    self._cores[attr].setdefault(_core(value, suffixes), set()).add(value)
            self._by_core.setdefault(p.core, []).append(p)
            for ch in set(p.core[:_LONGEST]) | set(p.name[:_LONGEST]):
                self._by_char.setdefault(ch, set()).add(p.pos)

    def _narrow(self, scope, query, fld, attr, suffixes, what):
        """Places of ``scope`` in the township/county the query names (by name or code)."""
        if fld not in query or not self._by[attr]:
            return scope, ""  # not asked, or the dataset does not say: no narrowing
        wanted = code_text(query[fld]) if fld.endswith("_code") else text_of(query[fld])
        allowed = None if scope is self.places else {p.pos for p in scope}

        def within(value):
            found = self._by[attr].get(value, [])
            return found if allowed is None else [p for p in found if p.pos in allowed]

        exact = within(wanted)
        if exact or fld.endswith("_code"):
            return exact, "" if exact else f"数据集中没有{what}代码 {wanted}"
        core = _core(wanted, suffixes)
        names = sorted(v for v in self._cores[attr].get(core, ()) if within(v))
        if len(names) == 1:
            return within(names[0]), ""
        if len(names) > 1:
            return [], f"{what}“{wanted}”不能确定是{'还是'.join(names)}"
        if allowed is None and (attr, wanted) in self._unknown:  # a whole sheet may repeat it
            return [], self._unknown[attr, wanted]
        known = sorted((v for v in self._by[attr] if within(v)),
                       key=lambda v: (edit_distance(core[:_LONGEST], _core(v, suffixes)), v))
        closest = f"（最接近的{what}：{'、'.join(known[:SHOWN])}）" if known else ""
        reason = f"数据集中没有{what}“{wanted}”{closest}"
        if allowed is None:
            self._unknown[attr, wanted] = reason
        return [], reason

    def find(self, query: dict) -> Found:
        """The places ``query`` (field → value: name, township, county, their codes) fits."""
        scope = self.places
        for fld, attr, suffixes, what in _NARROWING:
            narrowed, reason = self._narrow(scope, query, fld, attr, suffixes, what)
            if reason:
                return Found("unmatched", (), self.ranked(scope, query, SHOWN), reason, scope)
            scope = narrowed
        core, kind = name_key(query[s.NAME])
        allowed = None if scope is self.places else {p.pos for p in scope}
        fits = [p for p in self._by_core.get(core, []) if (allowed is None or p.pos in allowed)
                and (None in (kind, p.kind) or kind == p.kind)]
        if len(fits) > 1:
            exact = [p for p in fits if p.name == text_of(query[s.NAME])]
            fits = exact if len(exact) == 1 else fits
        if len(fits) == 1:
            return Found("matched", tuple(fits))
        where = f"乡镇“{text_of(query[s.TOWNSHIP])}”中" if s.TOWNSHIP in query else "数据集中"
        said = text_of(query[s.NAME])
        if fits:
            return Found("ambiguous", tuple(fits), self.ranked(scope, query, SHOWN),
                         f"{where}有 {len(fits)} 个村（社区）都与“{said}”对应："
                         + "、".join(p.label for p in fits), tuple(scope))
        return Found("unmatched", (), self.ranked(scope, query, SHOWN),
                     f"{where}没有与“{said}”对应的村（社区）", tuple(scope))

    def ranked(self, scope, query: dict, limit: int | None = None) -> tuple:
        """``(place, distance)`` of ``scope`` by edit distance of the name's core (then
        of the whole name), closest first; the ``limit`` closest, or all."""
        core = name_key(query[s.NAME])[0][:_LONGEST]
        full = text_of(query[s.NAME])[:_LONGEST]
        near = set().union(*(self._by_char.get(ch, ()) for ch in set(core) | set(full)))

        def far_key(p):  # no character in common: the distance is the longer length
            return max(len(core), len(p.core)), max(len(full), len(p.name)), p.name

        def near_key(p):
            return (edit_distance(core, p.core[:_LONGEST]),
                    edit_distance(full, p.name[:_LONGEST]), p.name)

        if scope is self.places:
            close = [self.places[i] for i in near]
        else:
            close = [p for p in scope if p.pos in near]
        keyed = [(near_key(p), p) for p in close]
        if limit:
            best = heapq.nsmallest(limit, keyed, key=lambda kp: kp[0])
            if len(best) == limit and best[-1][0][0] < len(core):
                return tuple((p, k[0]) for k, p in best)  # nothing far can come closer
        keyed += [(far_key(p), p) for p in scope if p.pos not in near]
        chosen = (heapq.nsmallest(limit, keyed, key=lambda kp: kp[0]) if limit
                  else sorted(keyed, key=lambda kp: kp[0]))
        return tuple((p, k[0]) for k, p in chosen)


def closest_text(found: Found) -> str:
    """``；最接近的：上坪村（…，相差 1 字）、…`` or ``""``."""
    if not found.ranked or found.status == "ambiguous":
        return ""
    shown = [f"{p.label[:-1]}，相差 {d} 字）" if p.label.endswith("）")
             else f"{p.label}（相差 {d} 字）" for p, d in found.ranked[:SHOWN]]
    return "；最接近的：" + "、".join(shown)
