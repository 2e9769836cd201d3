"""Owners, status and review of saved scenarios on the 分组规划 page (SPEC §7):
who may see, change, submit, approve or reject which plan, asked of
:func:`geo.access.can_change` with the villages each plan changes, and the
approved plan turned into a new dataset version."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from analysis.scenario_layers import plan_layers
from analysis.scenario_edit import changed_villages
from geo import access, clock, schema as s
from geo.access import Area
from geo.ingest.plan import write_dataset_gpkg
from geo.scenario_rules import STATUS_NAMES, STEP_NAMES
from geo.scenario_store import ScenarioInfo
from geo.settings import data_store, load_settings
from geo.dataset import validate_layers
import texts
from texts import planning as tp
from ui import auth, cached, cached_planning as cp
from ui.cached_joint import village_names


def owner_name(account) -> str:
    """The owner a save records: the account's name; nobody when login is off."""
    return "" if account.login_off else account.name


def visible(infos: list, account, options: dict) -> list:
    """The saved scenarios an account may see: all for the whole dataset, else those
    made in its area (a county account also sees its townships' plans)."""
    if account is None:
        return []
    if account.area is None:
        return infos
    codes = {account.area}
    for county, (_, townships) in options.items():
        if county == account.area:
            codes |= set(townships)
    return [i for i in infos if i.area in codes]


def touched(src, doc: dict) -> dict:
    """``{village code: Area}`` of the villages whose organisation ``doc`` changes
    against today's."""
    areas = cp.village_areas(src)
    return {code: areas.get(code, Area()) for code in changed_villages(cp.today(src), doc)}


def refusal(src, action: str, doc: dict, owner: str | None = None) -> str | None:
    """:func:`geo.access.can_change` for this session and the villages ``doc`` changes."""
    return access.can_change(auth.current(), action, touched(src, doc), village_names(src),
                             owner=owner or None)


def refused(src, action: str, doc: dict, name: str, owner: str | None = None) -> bool:
    """Show and audit a refusal; ``True`` when refused."""
    said = refusal(src, action, doc, owner)
    if said is None:
        return False
    st.error(texts.plain(said))
    auth.audit("denied", f"{access.ACTION_NAMES[action]} {name}", said)
    return True


def saved_table(infos: list) -> pd.DataFrame:
    """The saved scenarios as shown: name, counts, times, owner, status and decision."""
    rows = []
    for i in infos:
        decided = f"{i.decided_by}，{i.decided_at[:16].replace('T', ' ')}" if i.decided_by \
            else tp.NOBODY
        rows.append({**{k: getattr(i, k) for k in tp.SAVED_COLUMNS},
                     "owner": i.owner or tp.NOBODY, "status": STATUS_NAMES[i.status],
                     "decided": decided, "comment": i.comment or ""})
    return pd.DataFrame(rows).rename(columns={**tp.SAVED_COLUMNS, **tp.SAVED_REVIEW_COLUMNS})


def status_actions(src, store, info: ScenarioInfo, columns) -> None:
    """提交审核 / 撤回为草稿 for the picked scenario (its owner only)."""
    a, b = columns
    if a.button(tp.SUBMIT, key="plan_submit", disabled=info.status not in ("draft", "rejected")):
        _step(src, store, info, "submit", tp.SUBMITTED, access.SAVE_SCENARIO, info.owner)
    if b.button(tp.REOPEN, key="plan_reopen",
                disabled=info.status not in ("submitted", "rejected")):
        _step(src, store, info, "reopen", tp.REOPENED, access.SAVE_SCENARIO, info.owner)


def _step(src, store, info: ScenarioInfo, step: str, done: str, action: str,
          owner: str | None = None, comment: str | None = None) -> None:
    try:
        doc = store.load(info.id)
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
        return
    if refused(src, action, doc, info.name, owner):
        return
    account = auth.current()
    by = owner_name(account)
    try:
        if step in ("approve", "reject"):
            getattr(store, step)(info.id, by, comment or "")
        else:
            getattr(store, step)(info.id, by)
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
        auth.audit(f"scenario_{step}", info.name, texts.plain(str(exc)))
        return
    auth.audit(f"scenario_{step}", info.name, comment or "成功")
    st.session_state["plan_notice"] = done.format(name=texts.plain(info.name))
    st.rerun()


def history(store, info: ScenarioInfo) -> None:
    with st.expander(tp.HISTORY):
        steps = store.steps(info.id)
        st.dataframe(pd.DataFrame([{"time": x.time[:19].replace("T", " "),
                                    "account": x.account or tp.NOBODY,
                                    "step": STEP_NAMES.get(x.step, x.step),
                                    "comment": x.comment} for x in steps],
                                  columns=list(tp.HISTORY_COLUMNS))
                     .rename(columns=tp.HISTORY_COLUMNS), hide_index=True)


def review_section(src, params, county, township, rules, settings, compare_view) -> None:
    """The reviewer's queue: submitted plans of their area, each against today, decided
    with a comment."""
    account = auth.current()
    store = cp.store()
    try:
        queue = visible(store.list(status="submitted"), account, cached.area_options(src))
    except ValueError as exc:
        st.error(texts.plain(str(exc)))
        return
    st.subheader(tp.QUEUE, anchor=False)
    if not queue:
        st.info(tp.QUEUE_EMPTY)
        return
    names = {i.id: i for i in queue}
    pick = st.selectbox(tp.QUEUE_PICK, list(names), format_func=lambda i: names[i].name,
                        key="plan_review_pick", placeholder=tp.QUEUE_PICK_HINT)
    info = names[pick]
    st.caption(tp.QUEUE_WHO.format(owner=info.owner or tp.NOBODY,
                                   by=info.submitted_by or tp.NOBODY,
                                   at=(info.submitted_at or "")[:16].replace("T", " "),
                                   groups=info.groups, villages=info.villages))
    doc = store.load(info.id)
    st.subheader(tp.AGAINST_TODAY, anchor=False)
    compare_view(None, doc, tp.TODAY_NAME, info.name, key=f"review_{info.id}")
    history(store, info)
    comment = st.text_area(tp.COMMENT, key=f"plan_review_comment_{info.id}",
                           placeholder=tp.COMMENT_HINT)
    a, b = st.columns(2)
    if a.button(tp.APPROVE, type="primary", key="plan_approve"):
        _step(src, store, info, "approve", tp.APPROVED, access.REVIEW, comment=comment)
    if b.button(tp.REJECT, key="plan_reject"):
        _step(src, store, info, "reject", tp.REJECTED, access.REVIEW, comment=comment)


def approved_actions(src, store, info: ScenarioInfo) -> None:
    """An approved plan: its layers as a workbook; for an administrator, a new
    dataset version straight away."""
    st.caption(tp.READ_ONLY.format(name=texts.plain(info.name)))
    doc = store.load(info.id)
    data = cached.dataset(src)
    orgs, members = plan_layers(data, doc, clock.today().year)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        orgs.to_excel(writer, sheet_name=s.JOINT_ORGS, index=False)
        members.to_excel(writer, sheet_name=s.JOINT_MEMBERS, index=False)
    a, b = st.columns(2)
    a.download_button(tp.EXPORT_LAYERS, buffer.getvalue(), file_name=f"{info.name}_图层.xlsx",
                      key="plan_export_layers",
                      mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    if not access.role_allows(auth.current(), access.IMPORT_DATA):
        return
    if b.button(tp.IMPORT_PLAN, key="plan_import_version", help=tp.IMPORT_PLAN_HELP):
        if auth.refused(access.IMPORT_DATA, object=info.name):
            return
        _import_plan(data, orgs, members, info)


def _import_plan(data, orgs, members, info: ScenarioInfo) -> None:
    layers = {name: frame for name, frame in data.layers.items() if name in data.present}
    layers |= {s.JOINT_ORGS: orgs, s.JOINT_MEMBERS: members}
    typed, problems = validate_layers(layers)
    errors = [p for p in problems if p.is_error]
    if errors:
        st.error(tp.PLAN_INVALID)
        st.code("\n".join(str(p) for p in errors[:30]), language=None)
        auth.audit("import", info.name, f"{tp.PLAN_INVALID}{len(errors)} 个错误")
        return
    settings = load_settings()
    store = data_store(settings)
    folder = Path(settings.folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="plan-", dir=folder) as work:
        try:
            written = write_dataset_gpkg(typed, Path(work) / "dataset.gpkg")
            version = store.add_version(written, f"方案“{info.name}”", f"{info.name}（方案）")
        except (OSError, ValueError) as exc:
            st.error(texts.plain(str(exc)))
            auth.audit("import", info.name, texts.plain(str(exc)))
            return
    auth.audit("import", f"方案“{info.name}” → {version.id}")
    st.session_state["plan_notice"] = tp.IMPORTED_PLAN.format(name=texts.plain(info.name),
                                                              id=version.id)
    st.rerun()
