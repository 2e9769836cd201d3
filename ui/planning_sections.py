"""The sections of the 分组规划 page: edit, suggest, save/load/import/export, compare.

Each function draws one section from cached resources
(:mod:`ui.cached_planning`) and the working scenario in the session
(:mod:`ui.planning_state`); none computes a figure itself.
"""
from __future__ import annotations

import functools
import json

import pandas as pd
import streamlit as st
from ui.folium_map import st_folium

from analysis import scenario_edit as ed
from analysis.scenario import scenario_document
from analysis.scenario_file import ScenarioFileError, read_scenario
from geo import access, schema as s
from geo.scenario_store import StaleScenario
from maps.joint import clicked_village
from maps.planning import legend_items, planning_map, scenario_map, scenario_overlay
from maps.styles import legend_html
import texts
from texts import planning as tp
from ui import auth, cached, cached_planning as cp, frame, review_sections as review
from ui import planning_state as state
from ui.cached_joint import village_names
from ui.planning_compare import comparison_view

# Session keys: a save refused as stale ((name, revision stored)), and the user's choice to
# replace that revision.
STALE, FORCE = "plan_stale", "plan_stale_force"

PERCENT_KEYS = ("joint_coverage", "joint_population_coverage")
BASIS_LABELS = {"type_label": "联建类型", "joint_villages": "样本联建村数",
                "joint_mean_gain": "联建村村均增收（万元）",
                "other_mean_gain": "未联建村村均增收（万元）",
                "did": "增收差（万元/村）", "did_source": "依据", "new_villages": "新覆盖村数",
                "removed_villages": "退出村数", "projected": "预计增收（万元）"}


def _value(key: str, value) -> str:
    if key in PERCENT_KEYS:
        return texts.format_value(value, "%")
    return texts.format_value(value, "万元" if key == "projected_gain" else "个")


def figure_cards(result: dict) -> None:
    """The scenario's figures (city-wide) with their change against today."""
    values = {**{k: result[k] for k in ("joint_orgs", "joint_villages", "joint_coverage",
                                        "joint_population_coverage")},
              "new_villages": result["new_villages_count"],
              "projected_gain": result["projected_income_gain"]}
    for col, (key, label) in zip(st.columns(len(tp.FIGURE_LABELS)), tp.FIGURE_LABELS.items()):
        change = result["delta"].get(key)
        delta = None
        if change:
            delta = (texts.format_delta(change, "%") if key in PERCENT_KEYS
                     else texts.format_delta(change, "个"))
        col.metric(label, _value(key, values[key]), delta)


def area_cards(area: dict, result: dict) -> None:
    """The scenario's figures inside the account's area, with their change against today."""
    cards = ((tp.AREA_JOINT, f"{area['joint']} 个", area["joint"] - area["today_joint"], "个"),
             (tp.AREA_COVERAGE, texts.format_value(area["coverage"], "%"),
              (area["coverage"] or 0) - (area["today_coverage"] or 0), "%"),
             (tp.FIGURE_LABELS["new_villages"], f"{result['new_villages_count']} 个", 0, "个"),
             (tp.FIGURE_LABELS["projected_gain"],
              _value("projected_gain", result["projected_income_gain"]), 0, "万元"))
    for col, (label, value, change, unit) in zip(st.columns(len(cards)), cards):
        col.metric(label, value, texts.format_delta(change, unit) if change else None)


def _on_map_click(names: dict) -> None:
    state.click(clicked_village(st.session_state.get("plan_map")), names)


def _group_label(doc_groups: dict, result_groups: dict, org: str | None) -> str:
    if org is None:
        return tp.ACTIVE_NONE
    group, checked = doc_groups[org], result_groups.get(org, {})
    mark = " ⚠" if checked.get("violations") else ""
    return f"{group['name']}（{len(group['villages'])} 村）{mark}"


def group_editor(org: str, result_groups: dict, names: dict, area: list) -> None:
    """Name, type, lead, lock, members and the checks of the group being edited."""
    rev = state.revision()
    group = next(g for g in state.current()["groups"] if g[s.ORG_ID] == org)
    locked = bool(group.get("locked"))
    key = f"plan_{org}_{rev}"
    st.text_input(tp.GROUP_NAME, group["name"], key=f"{key}_name", disabled=locked,
                  placeholder=tp.GROUP_NAME_PLACEHOLDER, live=True,
                  on_change=state.rename_group, args=(org, f"{key}_name"))
    types = list(s.ORG_TYPES)
    a, b = st.columns(2)
    a.selectbox(tp.GROUP_TYPE, types, index=types.index(group.get(s.ORG_TYPE, "other"))
                if group.get(s.ORG_TYPE) in types else 0, format_func=s.ORG_TYPES.get,
                placeholder=tp.GROUP_TYPE_PLACEHOLDER,
                key=f"{key}_type", disabled=locked, on_change=state.set_field,
                args=(org, s.ORG_TYPE, f"{key}_type"))
    members = group["villages"]
    lead = group.get(s.LEAD_VILLAGE_CODE)
    b.selectbox(tp.GROUP_LEAD, members, index=members.index(lead) if lead in members else None,
                format_func=lambda c: names.get(c, c), key=f"{key}_lead", disabled=locked,
                placeholder=tp.GROUP_LEAD_PLACEHOLDER,
                on_change=state.set_field, args=(org, s.LEAD_VILLAGE_CODE, f"{key}_lead"))
    choices = list(dict.fromkeys([*members, *area]))
    st.multiselect(tp.GROUP_MEMBERS, choices, default=members, key=f"{key}_members",
                   format_func=lambda c: names.get(c, c), disabled=locked,
                   placeholder=tp.GROUP_MEMBERS_PLACEHOLDER, select_all=False,
                   on_change=state.set_members, args=(org, f"{key}_members"))
    a, b = st.columns(2)
    a.toggle(tp.GROUP_LOCK, locked, key=f"{key}_lock", on_change=state.set_field,
             args=(org, "locked", f"{key}_lock"))
    b.button(tp.GROUP_DELETE, key=f"{key}_delete", on_click=state.delete_active,
             disabled=locked)
    problems = result_groups.get(org, {}).get("violations", [])
    for problem in problems:
        st.error(texts.plain(problem))
    if not problems:
        st.success(tp.CHECKS_OK)


def edit_section(src, params, county, township, rules, settings) -> None:
    doc = state.current()
    result = cp.evaluate(src, params, doc, rules)
    message = state.take_message()
    if message:
        st.warning(texts.plain(message))
    for warn, codes in ((tp.UNKNOWN_CODES, result["unknown_codes"]),
                        (tp.DUPLICATE_CODES, result["duplicate_codes"])):
        if codes:
            st.warning(warn.format(codes="、".join(texts.plain(c) for c in codes[:20])))
    area = cp.area_figures(src, params, doc, county, township)
    if frame.held_county() is None:
        st.markdown(f"**{tp.FIGURES}**")
        figure_cards(result)
    elif area is not None:  # an area account: its area's figures, never the city's
        st.markdown(f"**{tp.AREA_FIGURES_TITLE}**")
        area_cards(area, result)
    if area is not None and area["villages"]:
        st.caption(tp.AREA_FIGURES.format(
            joint=area["joint"], villages=area["villages"],
            coverage=texts.format_value(area["coverage"], "%"), today=area["today_joint"],
            today_coverage=texts.format_value(area["today_coverage"], "%")))
    base = cp.base(src, county, township, settings)
    names = village_names(src)
    by_org = {g[s.ORG_ID]: g for g in doc["groups"]}
    checked = {g["org_id"]: g for g in result["groups"]}
    flagged = {o for o, g in checked.items() if g["violations"]}
    active = state.active()
    left, right = st.columns([3, 2], gap="medium")
    with left:
        show = st.toggle(tp.SHOW_UNCOVERED, key="plan_show_uncovered")
        overlay = scenario_overlay(base, doc, active, flagged, show,
                                   cp.village_codes(src, county, township))
        st_folium(planning_map(base), key="plan_map", height=560, use_container_width=True,
                  returned_objects=["last_active_drawing", "last_object_clicked_count"],
                  on_change=functools.partial(_on_map_click, names),
                  feature_group_to_add=overlay, render=False)
        st.html(legend_html(legend_items(show)))
        st.caption(tp.MAP_CAPTION)
    with right:
        in_area = set(base.shapes)
        shown = [o for o, g in by_org.items() if any(v in in_area for v in g["villages"])
                 or o == active]
        st.selectbox(tp.ACTIVE_GROUP, [None, *shown], index=[None, *shown].index(active),
                     key=f"plan_pick_{state.revision()}", placeholder=tp.ACTIVE_NONE,
                     format_func=functools.partial(_group_label, by_org, checked),
                     on_change=lambda k=f"plan_pick_{state.revision()}":
                     state.set_active(st.session_state[k]))
        a, b, c = st.columns(3)
        a.button(tp.NEW_GROUP, on_click=state.new_group, key="plan_new", type="primary")
        history = st.session_state[state.HISTORY]
        b.button(tp.UNDO, on_click=state.undo, disabled=not history.can_undo, key="plan_undo")
        c.button(tp.REDO, on_click=state.redo, disabled=not history.can_redo, key="plan_redo")
        if active is not None:
            group_editor(active, checked, names, cp.area_codes(src, county, township))
    groups_table(result, in_area)
    projection_details(result)


def groups_table(result: dict, in_area: set) -> None:
    rows = [g for g in result["groups"] if any(v in in_area for v in g["villages"])]
    st.subheader(f"{tp.GROUPS_TABLE}（{len(rows)}）", anchor=False)
    only = st.toggle(tp.ONLY_PROBLEMS, key="plan_only_problems")
    table = pd.DataFrame([{**{k: g[k] for k in tp.CHECK_COLUMNS if k != "problems"},
                           "problems": "；".join(g["violations"])} for g in rows
                          if g["violations"] or not only], columns=list(tp.CHECK_COLUMNS))
    st.dataframe(table.rename(columns=tp.CHECK_COLUMNS), hide_index=True, key="plan_groups")


def projection_details(result: dict) -> None:
    with st.expander(tp.PROJECTION):
        projection = result.get("projection")
        if not projection:
            st.info(tp.NO_PROJECTION)
            return
        st.write(projection["sentence"])
        basis = pd.DataFrame(projection["basis"])
        st.dataframe(basis[[c for c in BASIS_LABELS if c in basis.columns]]
                     .rename(columns=BASIS_LABELS), hide_index=True)


def suggest_section(src, params, county, township, rules, settings) -> None:
    st.caption(tp.SUGGEST_HELP.format(low=params.low_income_threshold))
    scopes = [k for k, on in (("township", township), ("county", county), ("city", True)) if on]
    scope = st.radio(tp.SUGGEST_SCOPE, scopes, format_func=tp.SUGGEST_SCOPES.get,
                     horizontal=True, key="plan_suggest_scope")
    where = {"township": (None, township), "county": (county, None), "city": (None, None)}[scope]
    if st.button(tp.SUGGEST_RUN, type="primary", key="plan_suggest_run"):
        st.session_state.plan_suggestion = cp.suggest(src, params, state.current(), rules, where)
        st.session_state.plan_suggestion_scope = where
    found = st.session_state.get("plan_suggestion")
    if not found:
        return
    if not found["groups"]:
        st.info(tp.SUGGEST_NONE)
    else:
        st.success(tp.SUGGEST_RESULT.format(groups=len(found["groups"]), villages=found["villages"],
                                            weak=found["weak"], seconds=found["seconds"]))
    for note in found["notes"]:
        st.caption(texts.plain(note))
    if found["groups"]:
        preview = ed.add_groups(ed.new_document(tp.DEFAULT_NAME), found["groups"])
        county_s, township_s = st.session_state.plan_suggestion_scope
        base = cp.base(src, county_s or county, township_s, settings)
        st_folium(scenario_map(base, preview), key="plan_suggest_map", height=460,
                  use_container_width=True, returned_objects=[])
        st.dataframe(found["table"].rename(columns=tp.SUGGEST_COLUMNS), hide_index=True)
        if st.button(tp.SUGGEST_ACCEPT, key="plan_suggest_accept"):
            state.apply(ed.add_groups, found["groups"])
            st.session_state.plan_suggestion = None
            st.success(tp.SUGGEST_ACCEPTED.format(n=len(found["groups"])))


def manage_section(src, params, county, township, rules, settings) -> None:
    store = cp.store()
    doc = state.current()
    key = f"plan_scenario_name_{state.revision()}"
    st.text_input(tp.SCENARIO_NAME, doc["name"], key=key, on_change=state.rename_scenario,
                  args=(key,), placeholder=tp.SCENARIO_NAME_PLACEHOLDER, live=True)
    a, b, c = st.columns([2, 1, 1])
    overwrite = a.checkbox(tp.SAVE_OVERWRITE, key="plan_overwrite")
    if b.button(tp.SAVE, type="primary", key="plan_save"):
        _save(src, store, doc, overwrite)
    stale = st.session_state.get(STALE)
    if stale is not None and stale[0] == doc["name"].strip():
        _stale_view(src, store, doc, stale, functools.partial(
            comparison_view, src, params, county, township, rules, settings))
    c.download_button(tp.EXPORT_JSON, json.dumps(doc, ensure_ascii=False, indent=2)
                      .encode("utf-8"), file_name=f"{doc['name']}.json",
                      mime="application/json", key="plan_export")
    a, b = st.columns(2)
    a.button(tp.START_TODAY, key="plan_start_today", help=tp.START_HELP,
             on_click=lambda: state.start(ed.new_document(tp.DEFAULT_NAME,
                                                          cp.today(src)["groups"])))
    b.button(tp.START_EMPTY, key="plan_start_empty", help=tp.START_HELP,
             on_click=lambda: state.start(ed.new_document(tp.DEFAULT_NAME)))
    upload = st.file_uploader(tp.IMPORT_JSON, type=["json"], key="plan_import",
                              help=texts.UPLOAD_WORDS)
    if upload is not None and st.session_state.get("plan_imported") != upload.file_id:
        try:
            scenario = read_scenario(upload.getvalue())
        except ScenarioFileError as exc:
            st.error(texts.plain(str(exc)))
        else:
            imported = scenario_document(scenario)
            state.start(ed.new_document(imported["name"], imported["groups"], imported["created"]))
            st.session_state.plan_imported = upload.file_id
            st.success(tp.IMPORTED.format(name=texts.plain(imported["name"]),
                                          groups=len(imported["groups"])))
    saved_list(store, src)


def _save(src, store, doc: dict, overwrite: bool) -> None:
    """Save the working scenario: the right and the area checked on the villages it
    changes, the owner recorded, a newer version saved meanwhile refused."""
    name = doc["name"]
    existing = next((i for i in _saved(store) if i.name == name.strip()), None)
    owner = existing.owner if existing is not None and overwrite else None
    if review.refused(src, access.SAVE_SCENARIO, doc, name, owner):
        return
    account = auth.current()
    loaded = st.session_state.get("plan_loaded")
    expected = loaded[1] if overwrite and loaded and loaded[0] == name.strip() else None
    if st.session_state.pop(FORCE, None) == name.strip():
        expected = st.session_state[STALE][1]  # the user saw that version and chose to replace it
    try:
        info = store.save(name, doc, overwrite=overwrite, owner=review.owner_name(account),
                          area=account.area, expected_revision=expected)
    except StaleScenario as exc:
        st.session_state[STALE] = (exc.name, exc.revision)
        st.error(texts.plain(str(exc)))
        auth.audit("scenario_save", name, texts.plain(str(exc)))
        return
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
        auth.audit("scenario_save", name, texts.plain(str(exc)))
        return
    st.session_state.pop(STALE, None)
    st.session_state["plan_loaded"] = (info.name, info.revision)
    auth.audit("scenario_save", info.name)
    st.success(tp.SAVED.format(name=texts.plain(info.name)))


def _stale_view(src, store, doc: dict, stale: tuple, compare) -> None:
    """After a save refused because someone saved the scenario meanwhile: their version
    and this edit side by side, to take theirs or to replace it knowingly."""
    name, revision = stale
    try:
        theirs, info = store.load(name), store.info(name)
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
        return
    st.subheader(tp.STALE_HEADING, anchor=False)
    st.caption(tp.STALE_HELP.format(name=texts.plain(name), revision=info.revision))
    a, b = st.columns(2)
    if a.button(tp.STALE_LOAD, key="plan_stale_load"):
        state.start(ed.new_document(theirs["name"], theirs["groups"], theirs.get("created")))
        st.session_state["plan_loaded"] = (info.name, info.revision)
        st.session_state.pop(STALE, None)
        st.rerun()
    if b.button(tp.STALE_OVERWRITE, key="plan_stale_overwrite"):
        st.session_state[STALE] = (name, info.revision)
        st.session_state[FORCE] = name
        _save(src, store, doc, overwrite=True)
        if STALE not in st.session_state:  # saved (else refused again: shown anew below)
            st.session_state["plan_notice"] = tp.SAVED.format(name=texts.plain(name))
            st.rerun()
    compare(theirs, doc, tp.STALE_THEIRS.format(revision=info.revision), tp.STALE_MINE,
            key="plan_stale_cmp")


def _saved(store, src=None) -> list:
    """The saved scenarios this session may see; an unusable store is reported, not
    raised."""
    try:
        infos = store.list()
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
        return []
    if src is None:
        return infos
    return review.visible(infos, auth.current(), cached.area_options(src))


def saved_list(store, src) -> None:
    st.subheader(tp.SAVED_LIST, anchor=False)
    saved = _saved(store, src)
    if not saved:
        st.info(tp.NO_SAVED)
        return
    st.dataframe(review.saved_table(saved), hide_index=True)
    by_name = {i.name: i for i in saved}
    pick = st.selectbox(tp.PICK_SAVED, list(by_name), key="plan_saved_pick",
                        placeholder=tp.PICK_SAVED_PLACEHOLDER)
    info = by_name[pick]
    a, b, c, d = st.columns([1, 1, 2, 1])
    try:
        if a.button(tp.LOAD, key="plan_load"):
            loaded = store.load(info.id)
            state.start(ed.new_document(loaded.get("name", pick), loaded.get("groups", []),
                                        loaded.get("created")))
            st.session_state["plan_loaded"] = (info.name, info.revision)
            st.success(tp.LOADED.format(name=texts.plain(pick)))
        if b.button(tp.DELETE, key="plan_delete") and not auth.refused(
                access.SAVE_SCENARIO, None, owner=info.owner or None, object=pick):
            store.delete(info.id)
            auth.audit("scenario_delete", pick)
            st.success(tp.DELETED.format(name=texts.plain(pick)))
            st.rerun()
        new_name = c.text_input(tp.RENAME_TO, key="plan_rename_to", label_visibility="collapsed",
                                placeholder=tp.RENAME_TO, live=True)
        if d.button(tp.RENAME, key="plan_rename") and new_name.strip() and not auth.refused(
                access.SAVE_SCENARIO, None, owner=info.owner or None, object=pick):
            store.rename(info.id, new_name, by=review.owner_name(auth.current()))
            auth.audit("scenario_rename", f"{pick} → {new_name.strip()}")
            st.rerun()
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
        return
    if info.status == "rejected" and info.comment:
        st.warning(f"{tp.REJECTED.format(name=texts.plain(info.name))}："
                   f"{texts.plain(info.comment)}（{info.decided_by}）")
    if info.status == "approved":
        review.approved_actions(src, store, info)
    else:
        review.status_actions(src, store, info, st.columns(2))
    review.history(store, info)


def compare_section(src, params, county, township, rules, settings) -> None:
    store = cp.store()
    options = {"__today__": tp.TODAY_NAME, "__edit__": tp.EDITED_NAME,
               **{f"saved:{i.name}": i.name for i in _saved(store, src)}}
    a, b = st.columns(2)
    pick_a = a.selectbox(tp.COMPARE_A, list(options), format_func=options.get, key="plan_cmp_a",
                         placeholder=tp.COMPARE_PLACEHOLDER)
    pick_b = b.selectbox(tp.COMPARE_B, list(options), index=1, format_func=options.get,
                         key="plan_cmp_b", placeholder=tp.COMPARE_PLACEHOLDER)

    def document(pick):
        if pick == "__today__":
            return None
        return state.current() if pick == "__edit__" else store.load(options[pick])

    try:
        doc_a, doc_b = document(pick_a), document(pick_b)
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
        return
    comparison_view(src, params, county, township, rules, settings, doc_a, doc_b,
                    options[pick_a], options[pick_b], key="plan_cmp")


def review_section(src, params, county, township, rules, settings) -> None:
    review.review_section(src, params, county, township, rules, settings, functools.partial(
        comparison_view, src, params, county, township, rules, settings))
