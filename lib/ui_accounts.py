"""Creating, editing, archiving and restoring an account, with conflicts shown, not swallowed."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import streamlit as st

from lib import account_view as view
from lib import accounts, health, review_log, ui, users
from lib.db import Database
from lib.errors import UserError
from lib.formatting import plain
from lib.models import CURRENCIES, AccountEdit, NewAccount
from lib.permissions import can, refusal, team_for
from lib.users import Actor

TIERS = ["key", "strategic", "standard"]
SCOPES = ["regional", "national", "global"]
STATUSES = ["prospect", "active", "at_risk", "churned"]
FIELDS = ("name", "tier", "scope", "industry", "region", "country", "owner_id", "parent_id", "status",
          "currency")
LABELS = {"name": "Name", "tier": "Tier", "scope": "Scope", "industry": "Industry", "region": "Region",
          "country": "Country", "owner_id": "Owner", "parent_id": "Parent account", "status": "Status",
          "currency": "Currency"}


def label(value: Any) -> str:
    return "—" if value is None else str(value).replace("_", " ").capitalize()


def _fields(db: Database, actor: Actor, key: str, start: dict[str, Any]) -> dict[str, Any]:
    """The account's fields inside a form, prefilled from `start`; returns what is typed."""
    managers = ui.cached(users.active_managers, db)
    owners = [None, *managers]
    if start.get("owner_id") not in owners:
        owners.append(start["owner_id"])
    c1, c2 = st.columns([2, 1])
    values: dict[str, Any] = {"name": c1.text_input("Name", value=start.get("name") or "", max_chars=200, key=f"{key}_name"),
              "currency": c2.selectbox("Currency", CURRENCIES, index=_at(CURRENCIES, start.get("currency")),
                                       key=f"{key}_currency")}
    c1, c2, c3 = st.columns(3)
    values["tier"] = c1.selectbox("Tier", TIERS, index=_at(TIERS, start.get("tier"), 2),
                                  format_func=label, key=f"{key}_tier")
    values["scope"] = c2.selectbox("Scope", SCOPES, index=_at(SCOPES, start.get("scope")),
                                   format_func=label, key=f"{key}_scope")
    values["status"] = c3.selectbox("Status", STATUSES, index=_at(STATUSES, start.get("status"), 1),
                                    format_func=label, key=f"{key}_status")
    c1, c2, c3 = st.columns(3)
    for col, field in zip((c1, c2, c3), ("industry", "region", "country")):
        values[field] = col.text_input(LABELS[field], value=start.get(field) or "", max_chars=100,
                                       key=f"{key}_{field}")
    values["owner_id"] = st.selectbox(
        "Owner", owners, index=owners.index(start.get("owner_id")), key=f"{key}_owner",
        format_func=lambda i: "No owner" if i is None else managers.get(i, f"manager #{i} (inactive)"))
    return values


def _at(options: list, value: Any, fallback: int = 0) -> int:
    return options.index(value) if value in options else fallback


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.strip() or None) if isinstance(v, str) and k != "name" else v for k, v in values.items()}


# ---- edit ---------------------------------------------------------------------------------------
def edit_panel(db: Database, actor: Actor, head: dict[str, Any]) -> None:
    """The edit form for one account; a save on a stale version is refused and both versions
    are shown (lib.ui.resolve_conflict)."""
    team = ui.cached(team_for, db, actor)
    if not can(actor, "edit_account", owner_manager_id=head["owner_id"], team=team):
        st.caption(refusal(actor, "edit_account", owner_manager_id=head["owner_id"], owner_name=head["owner"]))
        return
    base = f"account_form_{head['id']}"
    version = ui.loaded_version(base, head["version"])
    with st.container(border=True):
        values = _fields(db, actor, base, head)
        values["parent_id"] = _parent_choice(db, actor, base, head)
        saved = st.button("Save account", type="primary", icon=":material/save:", key=f"{base}_save")
    ui.resolve_conflict(base, "account_log", "account", lambda theirs: _differences(db, values, theirs))
    if saved:
        _save(db, actor, head["id"], version, base, values)


def _parent_choice(db: Database, actor: Actor, key: str, head: dict[str, Any]) -> int | None:
    current = head["parent"]
    c1, c2 = st.columns(2)
    text = c1.text_input("Find a parent account", key=f"{key}_parent_search", max_chars=100,
                         help="Type part of a name to offer it as the parent.")
    found = [(i, t) for i, t in ui.cached(view.search, db, actor, text) if i != head["id"]] if text.strip() else []
    labels = {None: "No parent", **({current["id"]: current["name"]} if current else {}), **dict(found)}
    options = list(labels)
    return c2.selectbox("Parent account", options, key=f"{key}_parent",
                        index=options.index(current["id"]) if current else 0, format_func=labels.get)


def _save(db: Database, actor: Actor, account_id: int, version: int, base: str, values: dict[str, Any]) -> None:
    if not ui.save_form(base, lambda: accounts.update_account(
            db, actor, account_id, version, AccountEdit.parse(**_clean(values)))):
        return
    ui.finish("account_log", "success", f"Saved {plain(values['name'])}.", *ui.form_keys(base))


def _differences(db: Database, mine: dict[str, Any], theirs: dict[str, Any]) -> list[dict[str, str]]:
    managers = ui.cached(users.active_managers, db)

    def shown(field: str, value: Any) -> str:
        if field == "owner_id":
            return "No owner" if value is None else managers.get(value, f"manager #{value}")
        if field == "parent_id":
            return "No parent" if value is None else f"account #{value}"
        return "—" if value in (None, "") else str(value)

    mine = _clean(mine)
    return [{"Field": LABELS[f], "Yours (not saved)": shown(f, mine[f]), "Theirs (saved)": shown(f, theirs[f])}
            for f in FIELDS if f in theirs and shown(f, mine[f]) != shown(f, theirs[f])]


def archive_panel(db: Database, actor: Actor, head: dict[str, Any]) -> None:
    """Archive (never delete) a live account, or restore an archived one."""
    if not can(actor, "edit_account", owner_manager_id=head["owner_id"], team=ui.cached(team_for, db, actor)):
        return
    if head["archived"]:
        if st.button("Restore this account", key="account_restore", icon=":material/unarchive:"):
            if ui.attempt(lambda: accounts.restore_account(db, actor, head["id"], head["version"])):
                ui.finish("account_log", "success", f"Restored {plain(head['name'])}.")
        return
    st.caption("Archiving keeps the account, its history and its figures; it leaves the portfolio "
               "and can be restored here at any time.")
    sure = st.checkbox(f"Yes, archive {plain(head['name'])}", key="account_archive_sure")
    if st.button("Archive this account", key="account_archive", icon=":material/archive:", disabled=not sure):
        if ui.attempt(lambda: accounts.archive_account(db, actor, head["id"], head["version"])):
            ui.finish("account_log", "success", f"Archived {plain(head['name'])}. Restore it from this page.",
                      "account_archive_sure")


# ---- create -------------------------------------------------------------------------------------
def create_button(db: Database, actor: Actor, where: str) -> None:
    """A 'New account' button opening the create dialog (for those who may create one)."""
    if not (actor.manager_id or actor.role in ("admin", "director")) or actor.role == "viewer":
        return
    clicked = st.button("New account", key=f"{where}_new_account", icon=":material/add_business:")
    if ui.dialog_open("new_account_open", clicked):
        _create_dialog(db, actor)


@st.dialog("New account", width="large", on_dismiss=ui.closer("new_account_open"))
def _create_dialog(db: Database, actor: Actor) -> None:
    st.session_state.setdefault("new_account_token", uuid.uuid4().hex)
    with st.form("new_account", border=False, enter_to_submit=False):
        values = _fields(db, actor, "new_account", {"owner_id": actor.manager_id, "currency": "USD"})
        external = st.text_input("External id (optional)", max_chars=100, key="new_account_external")
        submitted = st.form_submit_button("Create account", type="primary")
    pending = st.session_state.get("new_account_similar")
    if submitted:
        name = values["name"].strip()
        similar = ui.cached(accounts.similar_accounts, db, name) if name else []
        if similar and pending != name:
            st.session_state["new_account_similar"] = name
            pending = name
        elif not similar or pending == name:
            _create(db, actor, values, external)
    if pending and pending == values["name"].strip():
        _similar_warning(db, actor, values, external, pending)


def _similar_warning(db: Database, actor: Actor, values: dict[str, Any], external: str, name: str) -> None:
    similar = ui.cached(accounts.similar_accounts, db, name)
    st.warning(f"{len(similar)} account(s) with a similar name already exist. Open one of them, "
               "or create this account anyway.", icon=":material/content_copy:")
    for match in similar:
        extra = " · ".join(x for x in (match["country"], match["owner"], "archived" if match["archived"] else "") if x)
        ui.account_link(plain(match["name"] + (f" ({extra})" if extra else "")), match["id"],
                        key=f"new_account_similar_{match['id']}", icon=":material/open_in_new:")
    if st.button("Create it anyway", key="new_account_anyway"):
        _create(db, actor, values, external)


def _create(db: Database, actor: Actor, values: dict[str, Any], external: str) -> None:
    created: list[int] = []

    def act() -> None:
        account = NewAccount.parse(**_clean(values), parent_id=None, external_id=external.strip() or None)
        created.append(accounts.create_account(
            db, actor, account, idempotency_key=f"account:{st.session_state['new_account_token']}"))

    if ui.attempt(act):
        for key in [k for k in st.session_state if str(k).startswith("new_account_")]:
            del st.session_state[key]
        ui.remember_outcome("account_log", "success", f"Created {plain(values['name'])}.")
        st.switch_page("pages/account_page.py", query_params={"account": created[0]})


# ---- bulk changes from the portfolio table ------------------------------------------------------
BULK_FIELDS = {"owner_id": "Reassign owner", "tier": "Change tier", "status": "Change status"}


def bulk_panel(db: Database, actor: Actor, selected: dict[int, str]) -> None:
    """Change owner, tier or status of the selected accounts: review exactly what will change,
    then apply it in one audited transaction."""
    if actor.role == "viewer" or not selected:
        return
    with st.container(border=True):
        st.markdown(f"**{len(selected):,} account(s) selected**")
        c1, c2, c3 = st.columns([1, 1, 1])
        field = c1.selectbox("Change", list(BULK_FIELDS), format_func=BULK_FIELDS.get, key="portfolio_bulk_field")
        options, shown = _bulk_options(db, field)
        value = c2.selectbox("To", options, format_func=shown, key=f"portfolio_bulk_value_{field}")
        if c3.button("Review the change", key="portfolio_bulk_review", icon=":material/preview:"):
            try:
                st.session_state["portfolio_bulk_plan"] = (
                    frozenset(selected), accounts.bulk_preview(db, actor, list(selected), field, value))
            except UserError as exc:
                ui.show_error(exc)
        ids, plan = st.session_state.get("portfolio_bulk_plan") or (None, None)
        if plan is not None and (plan.field, plan.value) == (field, value) and ids == frozenset(selected):
            _confirm(db, actor, plan)


def _bulk_options(db: Database, field: str) -> tuple[list, Any]:
    if field == "owner_id":
        managers = ui.cached(users.active_managers, db)
        return list(managers), managers.get
    return (TIERS if field == "tier" else STATUSES), label


def _confirm(db: Database, actor: Actor, plan: Any) -> None:
    for sentence in plan.refused:
        st.warning(sentence)
    if plan.unchanged:
        st.caption("Already so, left as they are: " + ", ".join(plan.unchanged))
    if not plan.changes:
        st.info("Nothing to change.")
        return
    st.markdown(f"**{plain(plan.sentence)}**")
    st.table([{"Account": line.account_name, "Now": line.old, "After": line.new} for line in plan.changes])
    if st.button(f"Apply to {len(plan.changes):,} account(s)", key="portfolio_bulk_apply", type="primary"):
        done: list[int] = []
        if ui.attempt(lambda: done.append(accounts.bulk_apply(db, actor, plan))):
            ui.finish("portfolio", "success", f"{plain(plan.sentence)}: done for {done[0]:,} account(s).",
                      "portfolio_bulk_plan")


def health_panel(db: Database, actor: Actor, account_id: int, today: date, column: Any) -> None:
    """The health metric in `column` and, below the KPIs, "Why this score": every factor's
    points and sentence, whether the account is at risk, and what changed since the last team
    review (30 days when no review is kept yet)."""
    since, reviewed = ui.cached(review_log.health_since, db, actor, today)
    when = f"since the review of {since.day} {since:%b}" if reviewed else f"in {(today - since).days} days"
    told = ui.cached(health.explain, db, actor, account_id, today, since)
    moved = told.score.score - told.earlier.score if told.earlier else None
    column.metric("Health", f"{told.score.score:.0f} / 100",
                  delta=None if moved is None or abs(moved) < 0.5 else f"{moved:+.0f} {when}",
                  help="0 to 100 from weighted factors (an admin sets the weights in Settings). "
                       "Open 'Why this score' below for each factor's points.")
    with st.expander("Why this score", icon=":material/monitor_heart:", expanded=bool(told.at_risk)):
        if told.at_risk:
            st.warning(plain(told.at_risk))
        for factor in sorted(told.score.factors, key=lambda f: f.points):
            st.write(f"**{plain(factor.label)}**: " + plain(factor.sentence))
        if told.changes:
            st.caption(f"What changed {when}" if reviewed else f"What changed since {since.day} {since:%b}")
            for line in told.changes:
                st.write(plain(line))
