"""The overview map (总览, 汇报模式, a sequence's slides), built once per view and shared.

Building the city's deck — village colours, outlines simplified to the view's
pixel, the JSON — took 0.1–0.4 s of every run of 总览 and 汇报模式 (more under
load), for a map that only changes with the dataset, the year, the area and the
map's options.  Keyed by those (all hashable), kept read-only
(:class:`maps.deck.CompactDeck` answers ``to_json`` from the string it made once).
"""
from __future__ import annotations

import streamlit as st

from analysis.areas import area_mask
from analysis.params import Params
from maps.deck import CompactDeck
from maps.overview import overview_map
from maps.styles import Legend
from ui import cached


@st.cache_resource(max_entries=64)
def overview_deck(src: cached.Source, params: Params, coloring: str, county: str | None,
                  township: str | None, village: str | None = None,
                  outline: tuple = (40, 40, 40), view_px: tuple = (1100, 540),
                  grids: bool = False, sites: bool = False, marks: tuple = (),
                  marks_title: str = "") -> tuple[CompactDeck, Legend]:
    """:func:`maps.overview.overview_map` of the area as of ``params``' year; ``grids``
    and ``sites`` add the area's unit grids and service sites; ``marks`` is the
    ``{area code: mark}`` of the outlines as sorted items."""
    extras = {}
    if grids and (frame := cached.unit_grids(src)) is not None:
        extras["grids"] = frame[area_mask(frame, county, township)]
    if sites:
        frame = cached.sites(src)
        extras["sites"] = frame[area_mask(frame, county, township)]
    return overview_map(cached.display_at(src, params), cached.villages_table(src, params),
                        coloring, county, township, extras, outline=tuple(outline),
                        view_px=tuple(view_px), village=village, marks=dict(marks),
                        marks_title=marks_title)


def marks_items(marks: dict | None) -> tuple:
    """``marks`` as the hashable argument of :func:`overview_deck`.

    >>> marks_items({"b": "red", "a": "green"})
    (('a', 'green'), ('b', 'red'))
    """
    return tuple(sorted((marks or {}).items()))
