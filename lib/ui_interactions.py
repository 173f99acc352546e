"""Recording interactions: the one form (account page, quick entry, edits) and what follows.

A few fields and one click: the type sits above the form so escalation fields appear at once;
everything else is in one form with defaults (now, me, the account's primary contact).
"""
from __future__ import annotations

import uuid
from datetime import date, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from lib import account_view as view
from lib import clock, contacts, interactions, ui, users
from lib.db import Database
from lib.errors import UserError
from lib.formatting import plain
from lib.models import NewInteraction
from lib.permissions import NONE, can, scope, team_for
from lib.users import Actor

TYPES = ["call", "meeting", "visit", "email", "demo", "qbr", "escalation"]
SENTIMENTS = ["very_negative", "negative", "neutral", "positive", "very_positive"]
SEVERITIES = ["low", "medium", "high", "critical"]
STATUSES = ["open", "in_progress", "resolved"]


def label(value: Any) -> str:
    if value is None:
        return "Not recorded"
    return "QBR" if value == "qbr" else str(value).replace("_", " ").capitalize()


# ---- the form -----------------------------------------------------------------------------------
def _defaults(db: Database, actor: Actor, account: dict[str, Any], planned: bool) -> dict[str, Any]:
    now = clock.now_local(ui.timezone())
    when = (now + timedelta(days=1)).replace(hour=10, minute=0) if planned else now
    people = _live_contacts(db, actor, account["id"])
    primary = people.loc[people["is_primary"], "id"].tolist()
    return {"type": "visit" if planned else "call", "day": when.date(),
            "at": when.time().replace(second=0, microsecond=0), "contact_ids": primary[:1],
            "next_step_owner_id": actor.manager_id or account["owner_id"]}


def _live_contacts(db: Database, actor: Actor, account_id: int) -> pd.DataFrame:
    """The account's live contacts, primary first, from the cached read the Stakeholders tab
    makes (archived ones included): one query per account, not two."""
    people = ui.cached(contacts.contacts_of, db, actor, account_id, include_archived=True)
    return people[people["archived_at"].isna()]


def _existing(item: dict[str, Any]) -> dict[str, Any]:
    when = clock.to_local(item["occurred_at"], ui.timezone())
    return {**{k: item[k] for k in interactions.FIELDS}, "day": when.date(), "at": when.time(),
            "contact_ids": item["contact_ids"]}


def interaction_form(db: Database, actor: Actor, key: str, account: dict[str, Any], *,
                     item: dict[str, Any] | None = None, planned: bool = False) -> NewInteraction | None:
    """Render the form; on submit return the parsed interaction (errors are shown, None returned).

    `account` needs id and owner_id; `item` (from interactions.get_interaction) prefills an edit.
    """
    start = _existing(item) if item else _defaults(db, actor, account, planned)
    planned = bool(item["is_planned"]) if item else planned
    kind = st.segmented_control("Type", TYPES, default=start["type"], required=True,
                                format_func=label, key=f"{key}_type")
    people = _live_contacts(db, actor, account["id"])
    names = dict(zip(people["id"], people["name"] + " (" + people["role"].str.replace("_", " ") + ")"))
    owners = ui.cached(users.active_managers, db)
    with st.form(f"{key}_form", border=False, enter_to_submit=False):
        c1, c2 = st.columns(2)
        day = c1.date_input("Date", value=start["day"], key=f"{key}_day", format="YYYY-MM-DD")
        at = c2.time_input("Time", value=start["at"], key=f"{key}_at", step=timedelta(minutes=15))
        subject = st.text_input("Subject", value=start.get("subject") or "", max_chars=200,
                                key=f"{key}_subject", placeholder="What was it about?")
        chosen = st.multiselect("With", list(names), default=[c for c in start["contact_ids"] if c in names],
                                format_func=names.get, key=f"{key}_contacts",
                                placeholder="No contacts on this account yet" if not names else "Choose contacts")
        extra = _escalation_fields(key, start) if kind == "escalation" else {}
        outcome = sentiment = None
        if not planned:
            outcome = st.text_input("Outcome", value=start.get("outcome") or "", max_chars=2000,
                                    key=f"{key}_outcome")
            sentiment = st.selectbox("Customer sentiment", [None, *SENTIMENTS], format_func=label,
                                     index=_index([None, *SENTIMENTS], start.get("sentiment")),
                                     key=f"{key}_sentiment")
        notes = st.text_area("Notes", value=start.get("notes") or "", max_chars=20_000, key=f"{key}_notes")
        n1, n2, n3 = st.columns([3, 2, 2])
        next_step = n1.text_input("Next step", value=start.get("next_step") or "", max_chars=500,
                                  key=f"{key}_next")
        due = n2.date_input("Due", value=start.get("next_step_due"), key=f"{key}_due", format="YYYY-MM-DD")
        owner_ids = [None, *owners]
        owner = n3.selectbox("Owner", owner_ids, index=_index(owner_ids, start.get("next_step_owner_id")),
                             format_func=lambda i: owners.get(i, "Whoever recorded it"), key=f"{key}_owner")
        with st.expander("Products discussed"):
            products = st.text_input("Products or brands", value=start.get("products") or "",
                                     max_chars=500, key=f"{key}_products")
            reaction = st.text_input("Customer's reaction", value=start.get("product_reaction") or "",
                                     max_chars=2000, key=f"{key}_reaction")
        label_ = "Save changes" if item else ("Plan it" if planned else "Record interaction")
        if not st.form_submit_button(label_, type="primary", icon=":material/check:"):
            return None
    values = {"type": kind or "call", "subject": subject, "contact_ids": tuple(chosen), "outcome": outcome,
              "sentiment": sentiment, "notes": notes, "next_step": next_step, "next_step_due": due,
              "next_step_owner_id": owner if next_step else None, "products": products,
              "product_reaction": reaction, "is_planned": planned, **extra}
    return _parse(account["id"], day, at, values)


def _escalation_fields(key: str, start: dict[str, Any]) -> dict[str, Any]:
    e1, e2 = st.columns(2)
    severity = e1.selectbox("Severity", SEVERITIES, index=_index(SEVERITIES, start.get("severity"), 1),
                            format_func=label, key=f"{key}_severity")
    escalated_to = e2.text_input("Escalated to", value=start.get("escalated_to") or "", max_chars=200,
                                 key=f"{key}_escalated_to", placeholder="Who is handling it")
    return {"severity": severity, "escalated_to": escalated_to,
            "escalation_status": start.get("escalation_status") or "open"}


def _index(options: list, value: Any, fallback: int = 0) -> int:
    return options.index(value) if value in options else fallback


def _parse(account_id: int, day: date | None, at: time | None, values: dict[str, Any]) -> NewInteraction | None:
    if day is None or at is None:
        st.error("Nothing was saved. Please fix:\n\n- When: choose a date and a time")
        return None
    blank_to_none = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in values.items()}
    try:
        return NewInteraction.parse(account_id=account_id,
                                    occurred_at=clock.to_utc(day, at, ui.timezone()), **blank_to_none)
    except UserError as exc:
        ui.show_error(exc)
        return None


def record(db: Database, actor: Actor, key: str, account: dict[str, Any], *, planned: bool = False,
           done: str = "account_log", forget: tuple[str, ...] = ()) -> None:
    """The form for a new interaction, empty again after each use; a double click or a retry
    records it once."""
    base, key = key, ui.fresh(key)
    token_key = f"{key}_token"
    st.session_state.setdefault(token_key, uuid.uuid4().hex)
    item = interaction_form(db, actor, key, account, planned=planned)
    if item is None:
        return
    if ui.attempt(lambda: interactions.record_interaction(
            db, actor, item, idempotency_key=f"interaction:{st.session_state[token_key]}")):
        what = "Planned" if planned else "Recorded"
        when = clock.to_local(item.occurred_at, ui.timezone()).strftime("%Y-%m-%d %H:%M")
        ui.renew(base)
        ui.finish(done, "success", f"{what}: {label(item.type).lower()} “{plain(item.subject)}” on {when}.",
                  *_keys(key), token_key, *forget)


def _keys(key: str) -> list[str]:
    return [f"{key}_{k}" for k in ("type", "day", "at", "subject", "contacts", "outcome", "sentiment",
                                   "notes", "next", "due", "owner", "products", "reaction", "severity",
                                   "escalated_to")]


def may_record(db: Database, actor: Actor, owner_id: int | None) -> bool:
    return can(actor, "record_interaction", owner_manager_id=owner_id, team=ui.cached(team_for, db, actor))


# ---- quick entry: from every page ------------------------------------------------------------
def quick_entry_button(db: Database, actor: Actor) -> None:
    """The sidebar's 'Record an interaction' button and the dialog it opens."""
    if scope(actor, "record_interaction") == NONE:
        return
    ui.forget_stale("quick")
    ui.show_outcome("quick")
    clicked = st.sidebar.button("Record an interaction", key="quick_open", icon=":material/add_comment:",
                                type="primary", width="stretch")
    if ui.dialog_open("quick_is_open", clicked):
        _quick_dialog(db, actor)


@st.dialog("Record an interaction", width="large", on_dismiss=ui.closer("quick_is_open"))
def _quick_dialog(db: Database, actor: Actor) -> None:
    account = _choose_account(db, actor)
    if account is None:
        return
    if account["archived"]:
        st.warning("This account is archived; restore it before recording on it.")
        return
    if not may_record(db, actor, account["owner_id"]):
        st.warning(f"You can record interactions only on your own accounts; {plain(account['name'])} "
                   f"belongs to {plain(account['owner'] or 'nobody')}.")
        return
    record(db, actor, f"quick_{account['id']}", account, done="quick",
           forget=("quick_is_open", "quick_search", "quick_account"))


def _choose_account(db: Database, actor: Actor) -> dict[str, Any] | None:
    """The account this page is about, else a search; a manager's own book is offered first."""
    here = view.parse_account_id_quietly(st.query_params.get("account"))
    c1, c2 = st.columns(2)
    text = c1.text_input("Find an account", key="quick_search", max_chars=100,
                         placeholder="Type part of the name")
    found = ui.cached(view.search, db, actor, text) if text.strip() else \
        ui.cached(view.book_of, db, actor, actor.manager_id)
    labels = dict(found)
    if here is not None and here not in labels and not text.strip():
        try:
            labels = {here: ui.cached(view.header, db, actor, here)["name"], **labels}
        except UserError:
            here = None
    options = list(labels)
    if not options:
        c2.info("No account matches that name." if text.strip() else "Type part of an account's name.")
        return None
    chosen = c2.selectbox("Account", options, key="quick_account",
                          index=options.index(here) if here in options else 0, format_func=labels.get)
    try:
        return ui.cached(view.header, db, actor, chosen)
    except UserError as exc:
        ui.show_error(exc)
        return None


# ---- working on recorded entries (the account page) --------------------------------------------
def timeline_table(events: pd.DataFrame) -> pd.DataFrame:
    shown = view.timeline_for_display(events)
    shown["When"] = clock.column_to_local(shown["When"], ui.timezone())
    return shown


def entry_actions(db: Database, actor: Actor, account: dict[str, Any], events: pd.DataFrame) -> None:
    """Choose one entry of the timeline, then edit, delete, complete or resolve it."""
    if events.empty:
        return
    tz = ui.timezone()
    labels = {row.id: f"{clock.to_local(row.occurred_at, tz):%Y-%m-%d %H:%M} · {label(row.type)} · {row.subject}"
              for row in events.itertuples()}
    chosen = st.selectbox("Work on an entry", [None, *labels], format_func=lambda i: labels.get(i, "Choose one"),
                          key="account_entry")
    if chosen is None:
        return
    item = ui.cached(interactions.get_interaction, db, actor, chosen)
    team = ui.cached(team_for, db, actor)
    mine = interactions.may_change(actor, item, team)
    if item["is_planned"] and mine:
        _complete_planned(db, actor, item)
    if item["type"] == "escalation" and not item["is_planned"] and may_record(db, actor, account["owner_id"]):
        _escalation_status(db, actor, item)
    if not mine:
        st.caption("Only its author, their director or an admin can edit or delete this entry.")
        return
    with st.expander("Edit this entry"):
        _edit(db, actor, account, item)
    if st.button("Delete this entry", key=f"account_delete_{item['id']}", icon=":material/delete:"):
        if ui.attempt(lambda: interactions.delete_interaction(db, actor, item["id"])):
            ui.finish("account_log", "success", f"Deleted “{plain(item['subject'])}”. It can be restored from "
                      "Deleted entries below.", "account_entry")


def _edit(db: Database, actor: Actor, account: dict[str, Any], item: dict[str, Any]) -> None:
    base = f"account_edit_{item['id']}"
    version = ui.loaded_version(base, item["version"])
    edited = interaction_form(db, actor, base, account, item=item)
    ui.resolve_conflict(base, "account_log", "interaction",
                        lambda theirs: _differences(edited or _typed(base, item), theirs))
    if edited is None:
        return
    if not ui.save_form(base, lambda: interactions.update_interaction(db, actor, item["id"], version, edited)):
        return
    ui.finish("account_log", "success", f"Saved your changes to “{plain(edited.subject)}”.", *ui.form_keys(base))


def _typed(base: str, item: dict[str, Any]) -> dict[str, Any]:
    """What the form holds now (for the conflict table when no save was just pressed)."""
    names = {"subject": "subject", "notes": "notes", "outcome": "outcome", "next_step": "next",
             "sentiment": "sentiment", "next_step_due": "due", "type": "type"}
    return {field: st.session_state.get(f"{base}_{key}", item[field]) for field, key in names.items()}


def _differences(mine: Any, theirs: dict[str, Any]) -> list[dict[str, str]]:
    mine = mine.model_dump() if hasattr(mine, "model_dump") else mine
    rows = []
    for field in ("type", "subject", "outcome", "sentiment", "notes", "next_step", "next_step_due"):
        a, b = mine.get(field), theirs.get(field)
        if (a or None) != (b or None):
            rows.append({"Field": field.replace("_", " ").capitalize(), "Yours (not saved)": str(a or "—"),
                         "Theirs (saved)": str(b or "—")})
    return rows


def _complete_planned(db: Database, actor: Actor, item: dict[str, Any]) -> None:
    st.markdown("**Complete this planned interaction**")
    with st.form(f"account_complete_{item['id']}", border=True):
        outcome = st.text_input("Outcome", max_chars=2000, key=f"account_complete_outcome_{item['id']}")
        sentiment = st.selectbox("Customer sentiment", SENTIMENTS, index=2, format_func=label,
                                 key=f"account_complete_sentiment_{item['id']}")
        notes = st.text_area("Notes", value=item["notes"] or "", key=f"account_complete_notes_{item['id']}")
        if st.form_submit_button("Mark as done", type="primary"):
            if ui.attempt(lambda: interactions.complete_planned(
                    db, actor, item["id"], item["version"], outcome=outcome, sentiment=sentiment,
                    notes=notes or None)):
                ui.finish("account_log", "success", f"Completed “{plain(item['subject'])}”.", "account_entry")


def _escalation_status(db: Database, actor: Actor, item: dict[str, Any]) -> None:
    took = interactions.time_to_resolve(item["occurred_at"], item["resolved_at"])
    st.markdown("**Escalation**")
    st.caption(f"Severity {label(item['severity']).lower()} · {label(item['escalation_status']).lower()}"
               + (f" · escalated to {item['escalated_to']}" if item["escalated_to"] else "")
               + (f" · resolved in {_duration(took)}" if took is not None else ""))
    with st.form(f"account_escalation_{item['id']}", border=True):
        status = st.selectbox("Status", STATUSES, index=_index(STATUSES, item["escalation_status"]),
                              format_func=label, key=f"account_escalation_status_{item['id']}")
        notes = st.text_area("Resolution notes", value=item["resolution_notes"] or "", max_chars=2000,
                             key=f"account_escalation_notes_{item['id']}")
        if st.form_submit_button("Update escalation"):
            if ui.attempt(lambda: interactions.resolve_escalation(
                    db, actor, item["id"], item["version"], status=status, resolution_notes=notes or None)):
                ui.finish("account_log", "success", f"Escalation “{plain(item['subject'])}” is now "
                          f"{label(status).lower()}.", "account_entry")


def _duration(span: timedelta) -> str:
    days, hours = span.days, span.seconds // 3600
    return f"{days} d {hours} h" if days else f"{hours} h {span.seconds % 3600 // 60} min"


def deleted_entries(db: Database, actor: Actor, account_id: int) -> None:
    gone = ui.cached(interactions.deleted_of, db, actor, account_id)
    if gone.empty:
        return
    team = ui.cached(team_for, db, actor)
    with st.expander(f"Deleted entries ({len(gone)})"):
        for row in gone.to_dict("records"):
            c1, c2 = st.columns([4, 1])
            c1.text(f"{row['occurred_at']:%Y-%m-%d} · {label(row['type'])} · {row['subject']} — "
                    f"deleted by {row['deleted_by_name']} {row['deleted_at']:%Y-%m-%d %H:%M} UTC")
            if interactions.may_change(actor, row, team) and c2.button(
                    "Restore", key=f"account_restore_{row['id']}", icon=":material/restore:"):
                if ui.attempt(lambda r=row: interactions.restore_interaction(db, actor, r["id"])):
                    ui.finish("account_log", "success", f"Restored “{plain(row['subject'])}”.")
