"""The sections of the 服务阵地 page: the walking minutes, the disc and walking figures
side by side, the catchment map, 选址建议 and the kept what-if list (备选清单).

The kept list lives in ``st.session_state[KEPT_KEY]`` for the dataset version it was
made on; kept points count as sites in the next suggestion and in the list's figure.
"""
from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

from analysis.site_suggest import to_cgcs2000
from maps.styles import legend_html
from maps.walk import display_points, walk_legend
from report.exports import table_to_csv, table_to_xlsx
from report.text import walk_text
import texts
from texts import walk as tw
from ui import cached_walk
from ui.cached import Source

MINUTE_OPTIONS = (15, 10)
KEPT_KEY, REQUEST_KEY, PICK_KEY = "site_kept", "site_request", "site_keep_pick"
EXPORT = ("n", "kind", "name", "village_code", "township", "county", "lon", "lat",
          "new_population", "new_units", "minutes")
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def minutes_choice() -> int:
    """The walking minutes: 一刻钟 (15, the default) or 十分钟 (10)."""
    return st.radio(tw.MINUTES_LABEL, MINUTE_OPTIONS, format_func=tw.MINUTES.get,
                    key="walk_minutes", horizontal=True)


def figures_section(src: Source, minutes: int, county: str | None,
                    township: str | None) -> None:
    """The disc figure and the walking figure side by side, and the sentence comparing them."""
    figs = cached_walk.figures(src, minutes, county, township)
    params = cached_walk.walk_params(minutes)
    disc, walk = figs["service_population_coverage"], figs["walk_service_population_coverage"]
    left, right = st.columns(2)
    left.metric(tw.DISC_CARD.format(radius=f"{params.service_radius_m:g}"),
                texts.format_value(disc, "%"))
    change = walk - disc if walk is not None and disc is not None else None
    right.metric(tw.WALK_CARD.format(minutes=minutes), texts.format_value(walk, "%"),
                 texts.format_delta(change, "%") if change else None)
    st.markdown(texts.plain(walk_text(figs, params).text))


def catchment_map(container, src: Source, minutes: int, county: str | None,
                  township: str | None, suggested: tuple = ()) -> None:
    """The catchment map of the area, suggested and kept sites on top."""
    kept = tuple((r["display_lon"], r["display_lat"], r["label"]) for r in kept_rows(src))
    deck = cached_walk.deck(src, minutes, county, township, suggested, kept)
    if deck is None:
        container.info(tw.NO_SITES)
        return
    container.pydeck_chart(deck, height=600, key=f"walk_map_{minutes}_{county}_{township}")
    container.html(legend_html(walk_legend(minutes)))
    metres = cached_walk.walk_params(minutes).walk_speed_kmh * 1000 * minutes / 60
    container.caption(tw.MAP_CAPTION.format(minutes=minutes, metres=f"{metres:,.0f}"))


def kept_rows(src: Source) -> list[dict]:
    """The kept list of this dataset version (an older version's list is dropped)."""
    kept = st.session_state.get(KEPT_KEY)
    if not kept or kept.get("version") != (src.path, src.version):
        return []
    return kept["rows"]


def suggestion_rows(sites: pd.DataFrame, crs, minutes: int) -> list[dict]:
    """One row per suggested site: the export's columns, a label, and its coordinates
    (metric ``x``/``y``; CGCS2000 ``lon``/``lat``; ``display_lon``/``display_lat``)."""
    xy = sites[["x", "y"]].to_numpy(dtype=float)
    lonlat, shown = to_cgcs2000(xy, crs).round(6), display_points(xy, crs)
    rows = []
    for i, row in enumerate(sites.itertuples(index=False)):
        name = str(getattr(row, "name", "") or "")
        kind = tw.KIND[row.kind]
        rows.append({"n": i + 1, "kind": kind, "name": name,
                     "village_code": getattr(row, "village_code", None),
                     "township": getattr(row, "township", None),
                     "county": getattr(row, "county", None),
                     "lon": float(lonlat[i, 0]), "lat": float(lonlat[i, 1]),
                     "new_population": int(round(row.new_population)),
                     "new_units": int(row.new_units), "minutes": minutes,
                     "label": tw.SITE_LABEL.format(n=i + 1, name=name, kind=kind),
                     "x": float(xy[i, 0]), "y": float(xy[i, 1]),
                     "display_lon": float(shown[i, 0]), "display_lat": float(shown[i, 1])})
    return rows


def _downloads(rows: list[dict], what: str, area: str, key: str) -> None:
    frame = pd.DataFrame(rows)[list(EXPORT)]
    left, right = st.columns(2)
    name = functools.partial(tw.FILE_NAME.format, what=what, area=area)
    left.download_button(tw.DOWNLOAD_CSV.format(what=what), table_to_csv(frame, tw.COLUMNS),
                         file_name=name(ext="csv"), mime=CSV_MIME, key=f"{key}_csv")
    right.download_button(tw.DOWNLOAD_XLSX.format(what=what),
                          table_to_xlsx(frame, tw.COLUMNS, tw.SHEET),
                          file_name=name(ext="xlsx"), mime=XLSX_MIME, key=f"{key}_xlsx")


def keep_sites(version: tuple, rows: list[dict]) -> None:
    """``on_click`` of 保留所选: the picked suggestions join the kept list (once each)."""
    picked = set(st.session_state.get(PICK_KEY) or ())
    kept = st.session_state.get(KEPT_KEY)
    if not kept or kept.get("version") != version:
        kept = {"version": version, "rows": []}
    seen = {(r["x"], r["y"]) for r in kept["rows"]}
    for row in rows:
        if row["label"] in picked and (row["x"], row["y"]) not in seen:
            kept["rows"].append(dict(row, label=tw.KEPT_LABEL.format(name=row["name"],
                                                                       kind=row["kind"])))
            seen.add((row["x"], row["y"]))
    st.session_state[KEPT_KEY] = kept
    st.session_state[PICK_KEY] = []


def clear_kept() -> None:
    """``on_click`` of 清空备选清单."""
    st.session_state.pop(KEPT_KEY, None)


def suggest_section(src: Source, minutes: int, county: str | None, township: str | None,
                    area: str) -> tuple:
    """选址建议 of the sidebar's area; returns the suggested sites for the map
    (``(lon, lat, label)``, EPSG:4326)."""
    st.caption(tw.SUGGEST_INTRO.format(area=area, minutes=minutes))
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    k = int(left.number_input(tw.SUGGEST_K, 1, 20, 5, step=1, key="site_k",
                              placeholder=tw.SUGGEST_K_PLACEHOLDER))
    current = (minutes, county, township, k)
    if right.button(tw.SUGGEST_RUN, key="site_run", type="primary"):
        st.session_state[REQUEST_KEY] = current
    request = st.session_state.get(REQUEST_KEY)
    if request is None:
        return ()
    if request != current:
        st.info(tw.SUGGEST_STALE)
        return ()
    kept = kept_rows(src)
    result = cached_walk.suggestion(src, minutes, county, township, k,
                                    tuple((r["x"], r["y"]) for r in kept))
    if result is None:
        return ()
    cards = st.columns(3)
    cards[0].metric(tw.SUGGEST_BEFORE, texts.format_value(result.before, "%"))
    gain = result.after - result.before if result.after is not None else None
    cards[1].metric(tw.SUGGEST_AFTER.format(n=len(result.sites)),
                    texts.format_value(result.after, "%"),
                    texts.format_delta(gain, "%") if gain else None)
    cards[2].metric(tw.SUGGEST_NEW, texts.format_value(
        result.reached_after - result.reached_before, "人"))
    if kept:
        st.caption(tw.SUGGEST_KEPT_NOTE.format(n=len(kept)))
    if result.sites.empty:
        st.info(tw.SUGGEST_NONE)
        return ()
    if len(result.sites) < k:
        st.caption(tw.SUGGEST_FEWER.format(n=len(result.sites)))
    table = cached_walk.reach(src, minutes, county, township)
    rows = suggestion_rows(result.sites, table.crs, minutes)
    st.dataframe(pd.DataFrame(rows)[list(EXPORT[:-1])].rename(columns=tw.COLUMNS),
                 hide_index=True, key="site_table")
    kinds = table.candidates["kind"].value_counts()
    st.caption(tw.SUGGEST_NOTE.format(
        candidates=result.candidates, villages=int(kinds.get("village", 0)),
        junctions=int(kinds.get("junction", 0)), considered=result.considered,
        seconds=result.seconds,
        optimal=tw.SUGGEST_OPTIMAL if result.optimal else tw.SUGGEST_NOT_OPTIMAL))
    _downloads(rows, tw.WHAT_SUGGESTED, area, "site_suggested")
    pick, keep = st.columns([3, 1], vertical_alignment="bottom")
    pick.multiselect(tw.KEEP_PICK, [r["label"] for r in rows], key=PICK_KEY,
                     placeholder=tw.KEEP_PLACEHOLDER, select_all=False)
    keep.button(tw.KEEP, key="site_keep",
                on_click=functools.partial(keep_sites, (src.path, src.version), rows))
    return tuple((r["display_lon"], r["display_lat"], r["label"]) for r in rows)


def kept_section(src: Source, minutes: int, county: str | None, township: str | None,
                 area: str) -> None:
    """备选清单: the kept suggestions, the area's walking figure with them, exports."""
    rows = kept_rows(src)
    st.subheader(tw.KEPT_TITLE.format(n=len(rows)))
    if not rows:
        st.caption(tw.KEPT_EMPTY)
        return
    numbered = [dict(row, n=i + 1) for i, row in enumerate(rows)]
    st.dataframe(pd.DataFrame(numbered)[list(EXPORT)].rename(columns=tw.COLUMNS),
                 hide_index=True, key="site_kept_table")
    figure = cached_walk.kept_figure(src, minutes, county, township,
                                     tuple((r["x"], r["y"]) for r in rows))
    st.metric(tw.KEPT_FIGURE, texts.format_value(figure, "%"))
    _downloads(numbered, tw.WHAT_KEPT, area, "site_kept")
    st.button(tw.KEPT_CLEAR, key="site_clear", on_click=clear_kept)
