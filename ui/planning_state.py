"""The planner's working scenario in ``st.session_state``: history, group being edited, edits.

Everything a widget or a map click does goes through :func:`apply`, which
runs one pure edit of :mod:`analysis.scenario_edit`, records it for undo and
bumps a revision number.  Widgets showing the scenario carry the revision in
their key, so after an edit (or an undo) they are drawn again from the
document instead of keeping a stale value.
"""
from __future__ import annotations

import streamlit as st

from analysis import scenario_edit as ed
from geo import schema as s
from texts import planning as tp

HISTORY, ACTIVE, REVISION, MESSAGE, SOURCE = ("plan_history", "plan_active", "plan_rev",
                                              "plan_message", "plan_source")


def ensure(source_key, today: dict) -> ed.History:
    """The planner's history; for a new dataset a new scenario (named
    「新联村方案」, created now) holding today's organisations."""
    if st.session_state.get(SOURCE) != source_key or HISTORY not in st.session_state:
        start(ed.new_document(tp.DEFAULT_NAME, today["groups"]), source_key)
    return st.session_state[HISTORY]


def start(doc: dict, source_key=None) -> None:
    """Begin a new history from ``doc`` (today, empty, loaded or imported)."""
    st.session_state[HISTORY] = ed.History(doc)
    if source_key is not None:
        st.session_state[SOURCE] = source_key
    st.session_state[ACTIVE] = None
    bump()


def current() -> dict:
    return st.session_state[HISTORY].current


def revision() -> int:
    return st.session_state.get(REVISION, 0)


def bump() -> None:
    st.session_state[REVISION] = revision() + 1


def active() -> str | None:
    """The org_id being edited, or ``None`` (also when it no longer exists)."""
    org = st.session_state.get(ACTIVE)
    return org if org in {g[s.ORG_ID] for g in current()["groups"]} else None


def set_active(org_id: str | None) -> None:
    st.session_state[ACTIVE] = org_id
    bump()


def apply(edit, *args, redraw: bool = True, **kwargs):
    """Run ``edit(current_doc, *args)``; record the new document; keep a refusal's message.

    The widgets are drawn again from the document (the revision is bumped),
    also after a refusal; with ``redraw=False`` only after a refusal, so that
    a text field typed into live keeps its focus (it shows the edit already).
    Returns the edit's extra result (e.g. a new ``org_id``) or ``None``.
    """
    try:
        result = edit(current(), *args, **kwargs)
    except ed.EditError as exc:
        bump()
        st.session_state[MESSAGE] = str(exc)
        return None
    if redraw:
        bump()
    doc, extra = result if isinstance(result, tuple) else (result, None)
    st.session_state[HISTORY].push(doc)
    st.session_state[MESSAGE] = None
    return extra


def undo() -> None:
    st.session_state[HISTORY].undo()
    bump()


def redo() -> None:
    st.session_state[HISTORY].redo()
    bump()


def new_group() -> None:
    org = apply(ed.create_group, "")
    if org:
        st.session_state[ACTIVE] = org


def click(code: str | None, names: dict) -> None:
    """A village clicked on the map (see :data:`texts.planning.MAP_CAPTION`)."""
    if not code:
        return
    org = active()
    if org is not None:
        apply(ed.toggle_village, org, code)
        return
    owner = ed.assignment(current()).get(code)
    if owner is not None:
        set_active(owner)
        return
    created = apply(ed.create_group, f"{names.get(code, code)}联村党组织", villages=[code])
    if created:
        st.session_state[ACTIVE] = created


def set_members(org_id: str, key: str) -> None:
    """The members multiselect changed: add and remove the difference."""
    apply(ed.set_members, org_id, list(st.session_state[key]))


def set_field(org_id: str, field: str, key: str) -> None:
    """A group's name, type, lead or lock widget changed."""
    apply(ed.update_group, org_id, **{field: st.session_state[key]})


def rename_group(org_id: str, key: str) -> None:
    """The group's name field, typed into live: every pause in typing renames the
    group without drawing the widgets again (the field keeps its focus); an
    empty field waits for a name."""
    name = str(st.session_state[key]).strip()
    if name:
        apply(ed.update_group, org_id, name=name, redraw=False)


def delete_active() -> None:
    org = active()
    if org is not None:
        apply(ed.delete_group, org)
        if st.session_state.get(MESSAGE) is None:
            st.session_state[ACTIVE] = None


def rename_scenario(key: str) -> None:
    """The scenario's name field, typed into live: no redraw (the field keeps its
    focus), as :func:`rename_group`; an empty field waits for a name."""
    name = str(st.session_state[key]).strip()
    if name:
        doc = dict(current())
        doc["name"] = name
        st.session_state[HISTORY].push(doc)


def take_message() -> str | None:
    """The last refusal, shown once."""
    return st.session_state.pop(MESSAGE, None)
