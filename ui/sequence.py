"""The editor of briefing sequences (汇报序列 page): pick or create a sequence, add
the current view, move, remove, rename, delete, play, and export the slides.

Every change asks :func:`ui.auth.refused` for :data:`geo.access.EDIT_SEQUENCE`
(a planner's right; a viewer plays and exports but does not edit) in the area
of the sequence and of the view added; the buttons of an account without the
right are shown disabled, as a courtesy.  The store is
:class:`geo.sequence_store.SequenceStore` in the data folder.
"""
from __future__ import annotations

import streamlit as st

from analysis.rankings import label_of
from geo import access
from geo.access import Area
from geo.sequence_store import PAGES, THEMES, SequenceStore, View
from geo.settings import load_settings
from report.pptx import SlideOptions, pptx_bytes
from report.slides import COLORINGS, DEFAULT_COLORING, area_name, slide_title, standard_views
import texts
from texts import slides as tsl
from ui import auth, cached, frame, years

PICK_KEY = "seq_pick"
_NEXT_PICK = "_seq_pick_next"  # the sequence to pick on the next run
PLAY_KEY = "seq_play"       # the sequence 汇报模式 plays (its name)
SLIDE_KEY = "seq_slide"     # the view shown, 0-based
# where each page keeps its colouring (the default of a view added)
PAGE_COLORING_KEYS = {"overview": "overview_coloring", "rankings": "rankings_key"}


def store() -> SequenceStore:
    """The sequences of the configured data folder."""
    return SequenceStore(load_settings().store)


def area_of(code: str | None, options: dict) -> Area:
    """The :class:`Area` of a county or township code (``None``: the whole dataset)."""
    if code is None or code in options:
        return Area(code)
    county = next((c for c, (_, towns) in options.items() if code in towns), None)
    return Area(county, code)


def visible(sequences: list, account, options: dict) -> list:
    """The sequences the account may play: its area's, every view inside it."""
    def seen(area: Area) -> bool:
        return access.can(account, access.VIEW, area) is None
    return [q for q in sequences if seen(area_of(q.area, options))
            and all(seen(Area(*v.area)) for v in q.views)]


def may_edit() -> bool:
    """Whether the session's role may edit sequences at all (the buttons' state)."""
    account = auth.current()
    return account is not None and access.role_allows(account, access.EDIT_SEQUENCE)


def coloring_label(page: str, key: str | None) -> str:
    """A colouring as offered: 总览's map colourings, 排名's figures."""
    if key is None:
        return tsl.NO_COLORING
    return texts.COLOR_OPTIONS[key] if page == "overview" else label_of(key)[0]


def start(name: str, index: int = 0) -> None:
    """Play the sequence ``name`` from view ``index`` (0-based) in 汇报模式."""
    st.session_state[PLAY_KEY] = name
    st.session_state[SLIDE_KEY] = index


def pick(sequences: list, options: dict) -> str | None:
    """The sequence chosen (a selectbox; ``None`` when there is none) and, for
    editors, a field and a button to create one."""
    names = [q.name for q in sequences]
    if _NEXT_PICK in st.session_state:  # a sequence just created or renamed
        st.session_state[PICK_KEY] = st.session_state.pop(_NEXT_PICK)
    if st.session_state.get(PICK_KEY) not in names:
        st.session_state[PICK_KEY] = names[0] if names else None
    left, middle, right = st.columns([2, 2, 1], vertical_alignment="bottom")
    left.selectbox(tsl.PICK, names, key=PICK_KEY, placeholder=tsl.PICK_PLACEHOLDER)
    new = middle.text_input(tsl.NEW_NAME, key="seq_new_name", placeholder=tsl.NEW_NAME_HINT,
                            live=True, disabled=not may_edit())
    account = auth.current()
    if right.button(tsl.CREATE, key="seq_create", disabled=not may_edit()) and not auth.refused(
            access.EDIT_SEQUENCE, area_of(account.area, options), object=new):
        try:
            made = store().create(new, owner="" if account.login_off else account.name,
                                  area=account.area)
        except ValueError as exc:
            st.error(texts.plain(str(exc)))
        else:
            st.session_state[_NEXT_PICK] = made.name
            st.rerun()
    if not names:
        st.info(tsl.NONE_YET)
    return st.session_state.get(PICK_KEY)


def view_rows(sequence, options: dict) -> None:
    """The views in order, each with 上移, 下移 and 移除 (one transaction each,
    refused when the sequence changed since it was shown)."""
    st.subheader(tsl.VIEWS_HEAD.format(n=len(sequence.views)), anchor=False)
    if not sequence.views:
        st.caption(tsl.NO_VIEWS)
    area, editable = area_of(sequence.area, options), may_edit()
    last = len(sequence.views) - 1
    for i, view in enumerate(sequence.views):
        cells = st.columns([0.4, 4, 1, 1, 1], vertical_alignment="center")
        cells[0].markdown(f"**{i + 1}**")
        cells[1].markdown(texts.plain(describe(view, options)))
        moves = ((tsl.UP, "up", i - 1, i == 0), (tsl.DOWN, "down", i + 1, i == last),
                 (tsl.REMOVE, "remove", None, False))
        for cell, (label, kind, to, off) in zip(cells[2:], moves):
            if cell.button(label, key=f"seq_{kind}_{i}", disabled=off or not editable) \
                    and not auth.refused(access.EDIT_SEQUENCE, area, object=sequence.name):
                _change(lambda s: s.remove_view(sequence.name, i, sequence.revision)
                        if to is None else s.move_view(sequence.name, i, to, sequence.revision))


def _change(action) -> None:
    try:
        action(store())
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
    else:
        st.rerun()


def describe(view: View, options: dict) -> str:
    """``永安市 · 排名（网格管家配备率） · 2021 年 · 深色`` — one view in a line."""
    year = tsl.LATEST if view.year is None else texts.YEAR_OPTION.format(view.year)
    theme = texts.BRIEFING_THEMES[view.theme]
    return f"{slide_title(view, area_name(options, *view.area))} · {year} · {theme}"


def manage(sequence, options: dict) -> None:
    """Rename, delete and play the sequence."""
    area, editable = area_of(sequence.area, options), may_edit()
    a, b, c, d = st.columns([2, 1, 1, 2], vertical_alignment="bottom")
    new = a.text_input(tsl.RENAME_TO, key="seq_rename_to", placeholder=tsl.RENAME_TO,
                       live=True, disabled=not editable)
    if b.button(tsl.RENAME, key="seq_rename", disabled=not editable) and not auth.refused(
            access.EDIT_SEQUENCE, area, object=sequence.name):
        try:
            st.session_state[_NEXT_PICK] = store().rename(sequence.name, new,
                                                          sequence.revision).name
        except ValueError as exc:
            st.error(texts.plain(str(exc)))
        else:
            st.rerun()
    if c.button(tsl.DELETE, key="seq_delete", disabled=not editable) and not auth.refused(
            access.EDIT_SEQUENCE, area, object=sequence.name):
        _change(lambda s: s.delete(sequence.name))
    if d.button(tsl.PLAY, key="seq_play_button", type="primary", icon=":material/slideshow:",
                disabled=not sequence.views, help=tsl.PLAY_HELP):
        start(sequence.name)
        st.switch_page("pages/briefing.py", query_params={"seq": sequence.name})


def _index(choices: list, wanted) -> int:
    return choices.index(wanted) if wanted in choices else 0


def add_form(src: cached.Source, sequence, options: dict) -> None:
    """添加视图: the current view as defaults (the sidebar's area, the year last chosen
    on any page, a page's colouring while its widget state is kept); 加入序列 appends it."""
    st.subheader(tsl.ADD_HEAD, anchor=False)
    st.caption(tsl.ADD_HINT)
    county, township, _ = frame.area_state()
    st.caption(tsl.VIEW_AREA.format(area=area_name(options, county, township)))
    pages = list(PAGES)
    page = st.selectbox(tsl.VIEW_PAGE, pages, key="seq_add_page", format_func=tsl.PAGE_NAMES.get,
                        placeholder=tsl.VIEW_PAGE_HINT)
    colorings = list(COLORINGS[page])
    coloring = None
    if colorings:
        wanted = st.session_state.get(PAGE_COLORING_KEYS[page], DEFAULT_COLORING[page])
        coloring = st.selectbox(tsl.VIEW_COLORING, colorings, index=_index(colorings, wanted),
                                key=f"seq_add_coloring_{page}", placeholder=tsl.VIEW_COLORING_HINT,
                                format_func=lambda k: coloring_label(page, k))
    offered = [None, *cached.years(src)]
    year = st.selectbox(tsl.VIEW_YEAR, offered, key="seq_add_year",
                        index=_index(offered, st.session_state.get(years.YEAR_KEY)),
                        placeholder=tsl.VIEW_YEAR_HINT, format_func=lambda y: tsl.LATEST
                        if y is None else texts.YEAR_OPTION.format(y))
    theme = st.selectbox(tsl.VIEW_THEME, THEMES, key="seq_add_theme",
                         index=_index(list(THEMES), st.query_params.get("theme", "dark")),
                         format_func=texts.BRIEFING_THEMES.get, placeholder=tsl.VIEW_THEME_HINT)
    pressed = st.button(tsl.ADD, key="seq_add", type="primary",
                        disabled=not may_edit() or sequence is None)
    if pressed and sequence is not None:
        _add(sequence, View(page, county, township, coloring,
                            None if year == offered[-1] else year, theme), options)
    if said := st.session_state.pop("seq_added", None):
        st.success(texts.plain(said))


def _add(sequence, view: View, options: dict) -> None:
    """Append ``view`` when the session may edit the sequence and the view's area."""
    for area in (area_of(sequence.area, options), Area(*view.area)):
        if auth.refused(access.EDIT_SEQUENCE, area, object=sequence.name):
            return
    try:
        done = store().add_view(sequence.name, view, revision=sequence.revision)
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
    else:
        st.session_state["seq_added"] = tsl.ADDED.format(n=len(done.views),
                                                         title=describe(view, options))
        st.rerun()


@st.cache_resource(show_spinner=False, max_entries=4)
def pptx_file(src: cached.Source, views: tuple, targets: tuple, margin: float) -> bytes:
    """The .pptx of ``views`` (:func:`report.pptx.pptx_bytes`), cached per dataset and views."""
    params = cached.params()
    options = SlideOptions(sample=src.is_demo, targets=targets, yellow_margin=margin)
    return pptx_bytes(cached.dataset(src), list(views), params, options,
                      cached.prepared(src, params))


def export(src: cached.Source, sequence, options: dict) -> None:
    """导出 PPT: the sequence or the standard set (of the sidebar's county), on request."""
    st.subheader(tsl.EXPORT_HEAD, anchor=False)
    what = st.radio(tsl.EXPORT_WHAT, list(tsl.EXPORT_CHOICES), key="seq_export_what",
                    format_func=tsl.EXPORT_CHOICES.get, horizontal=True,
                    index=0 if sequence is not None else 1)
    county = frame.area_state()[0]
    if what == "sequence":
        views = tuple(sequence.views) if sequence is not None else ()
        name = sequence.name if sequence is not None else ""
    else:
        views = tuple(standard_views(options, county))
        name = tsl.STANDARD_NAME.format(area=area_name(options, county, None))
    if not views:
        st.caption(tsl.EXPORT_EMPTY)
        return
    if st.button(tsl.EXPORT_BUILD, key="seq_export") and not any(
            auth.refused(access.VIEW, Area(*v.area), object=tsl.EXPORT_HEAD)
            for v in dict.fromkeys(views)):
        settings = load_settings()
        try:
            with st.spinner(tsl.EXPORT_BUILDING):
                data = pptx_file(src, views, settings.targets, settings.yellow_margin)
        except (ValueError, OSError) as exc:
            st.error(tsl.EXPORT_FAILED.format(error=texts.plain(str(exc))))
            return
        st.session_state["seq_export_file"] = (name, len(views), data)
    made = st.session_state.get("seq_export_file")
    if made:
        st.download_button(tsl.EXPORT_DOWNLOAD.format(n=made[1]), made[2], type="primary",
                           file_name=tsl.FILE_NAME.format(name=made[0]), key="seq_download",
                           mime="application/vnd.openxmlformats-officedocument."
                                "presentationml.presentation")

