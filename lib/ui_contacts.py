"""The account page's Stakeholders tab: who is who at the customer, and changing that.

Reads and writes go through lib.contacts, which checks permission and records who acted; this
module lays out widgets. Every key starts with account_contact; the edit form's keys carry the
contact's id, so choosing another contact loads that contact's values. Names and other typed
text are shown only in tables, plain text and widget values, never as markdown.
"""
from __future__ import annotations

from typing import Any, get_args

import pandas as pd
import streamlit as st

from lib import account_view as view
from lib import contacts, permissions, ui
from lib.db import Database
from lib.errors import UserError, WriteConflict
from lib.models import ContactEdit, ContactRole, NewContact
from lib.users import Actor

PREFIX = "account_contacts"  # ui.finish / ui.show_outcome keep the last action's outcome here
ROLES: tuple[str, ...] = get_args(ContactRole)  # in the order a director reads them
FIELDS = ("name", "title", "role", "email", "phone")
OPTIONAL = ("title", "email", "phone")
ADD = "account_contact_add"
PICK = "account_contact_pick"
LOADED = "account_contact_loaded"  # {"id", "version"}: what the edit form was filled from
CONFLICT = "account_contact_conflict"  # a stale save: their values, the typed ones, by whom
MAP_COLUMNS = ["Role", "Primary", "Name", "Title", "Email", "Phone"]


def role_label(role: str) -> str:
    return role.replace("_", " ").capitalize()


def stakeholders(db: Database, actor: Actor, head: dict[str, Any]) -> None:
    """The map for everyone; add, edit, primary, archive and restore for those who may."""
    ui.forget_stale(PREFIX)
    ui.show_outcome(PREFIX)
    people = ui.cached(contacts.contacts_of, db, actor, head["id"], include_archived=True)
    live, archived = people[people["archived_at"].isna()], people[people["archived_at"].notna()]
    stakeholder_map(live)
    why_not = read_only_reason(db, actor, head)
    if why_not:
        st.caption(why_not)
    else:
        add_form(db, actor, head["id"])
        edit_section(db, actor, live)
    archived_list(db, actor, archived, editable=why_not is None)


# ---- who is who ---------------------------------------------------------------------------------
def stakeholder_map(live: pd.DataFrame) -> None:
    if live.empty:
        st.info("No contacts recorded for this account yet.")
        return
    st.dataframe(map_table(live), hide_index=True, key="account_contact_map")
    if not (live["role"] == "decision_maker").any():
        st.info("No decision maker is recorded for this account.")


def map_table(live: pd.DataFrame) -> pd.DataFrame:
    """Contacts grouped by role (decision makers first), the primary first within a role."""
    rank = live["role"].map({role: i for i, role in enumerate(ROLES)})
    ordered = live.assign(_rank=rank).sort_values(
        ["_rank", "is_primary", "name"], ascending=[True, False, True], kind="stable")
    shown = view.contacts_for_display(ordered)
    shown["Primary"] = shown["Primary"].map(lambda primary: "★" if primary else "")
    return shown[MAP_COLUMNS]


def read_only_reason(db: Database, actor: Actor, head: dict[str, Any]) -> str | None:
    """Why this person may not change the account's contacts, or None when they may."""
    team = ui.cached(permissions.team_for, db, actor)
    if not permissions.can(actor, "edit_contact", owner_manager_id=head["owner_id"], team=team):
        return permissions.refusal(actor, "edit_contact", owner_manager_id=head["owner_id"],
                                   owner_name=head["owner"])
    if head["archived"]:
        return "Restore the account to change its contacts."
    return None


# ---- the fields both forms share ----------------------------------------------------------------
def contact_fields(prefix: str) -> dict[str, Any]:
    """The contact's fields, for a form; their values live in session_state under `prefix`."""
    return {
        "name": st.text_input("Name", key=f"{prefix}_name", max_chars=200),
        "title": st.text_input("Title", key=f"{prefix}_title", max_chars=200),
        "role": st.selectbox("Role", ROLES, format_func=role_label, key=f"{prefix}_role"),
        "email": st.text_input("Email", key=f"{prefix}_email", max_chars=254),
        "phone": st.text_input("Phone", key=f"{prefix}_phone", max_chars=50),
    }


def cleaned(values: dict[str, Any]) -> dict[str, Any]:
    """An empty optional box means 'none', not an empty text."""
    return {k: (v.strip() or None) if k in OPTIONAL else v for k, v in values.items()}


def done(message: str, *forget: str) -> None:
    """After an action: rerun with fresh data and reload the edit form (versions have moved)."""
    ui.finish(PREFIX, "success", message, LOADED, CONFLICT, *forget)


# ---- add ----------------------------------------------------------------------------------------
def add_form(db: Database, actor: Actor, account_id: int) -> None:
    form = ui.fresh(ADD)  # new widgets after each contact added: the form comes back empty
    st.session_state.setdefault(f"{form}_role", "user")
    with st.expander("Add a contact", icon=":material/person_add:"):
        with st.form(form, enter_to_submit=False):
            values = contact_fields(form)
            primary = st.checkbox("Primary contact", key=f"{form}_primary",
                                  help="The account has one primary contact; this one replaces it.")
            if st.form_submit_button("Add the contact", type="primary", key=f"{form}_submit"):
                add(db, actor, account_id, values, primary, form)


def add(db: Database, actor: Actor, account_id: int, values: dict[str, Any], primary: bool,
        form: str) -> None:
    def action() -> None:
        contact = NewContact.parse(**cleaned(values), is_primary=primary)
        contacts.add_contact(db, actor, account_id, contact)

    if ui.attempt(action):
        ui.renew(ADD)
        done("Contact added to the stakeholder map.", *ui.form_keys(form))


# ---- edit, make primary, archive ----------------------------------------------------------------
def edit_section(db: Database, actor: Actor, live: pd.DataFrame) -> None:
    if live.empty:
        return
    st.subheader("Change a contact")
    people = live.set_index("id")
    picked = st.selectbox(
        "Contact", people.index.tolist(), index=None, placeholder="Choose a contact", key=PICK,
        format_func=lambda i: f"{people.at[i, 'name']} · {role_label(people.at[i, 'role'])}"
                              + (" ★" if people.at[i, "is_primary"] else ""))
    if picked is None:
        return
    version = loaded_version(db, actor, picked)
    edit_form(db, actor, picked, version)
    conflict_panel(picked)
    primary_and_archive(db, actor, picked, bool(people.at[picked, "is_primary"]))


def edit_keys(contact_id: int) -> dict[str, str]:
    return {field: f"account_contact_edit_{contact_id}_{field}" for field in FIELDS}


def loaded_version(db: Database, actor: Actor, contact_id: int) -> int:
    """The version the form's values came from; (re)fill the form from the database when it
    holds another contact or lost its values. Kept until a save, so a save made after someone
    else's is a conflict, not an overwrite."""
    loaded = st.session_state.get(LOADED)
    keys = edit_keys(contact_id).values()
    if loaded is None or loaded["id"] != contact_id or not all(k in st.session_state for k in keys):
        st.session_state.pop(CONFLICT, None)
        fill_form(contact_id, contacts.contact_details(db, actor, contact_id))
    return st.session_state[LOADED]["version"]


def fill_form(contact_id: int, values: dict[str, Any]) -> None:
    st.session_state.update({key: values[field] or "" for field, key in edit_keys(contact_id).items()})
    st.session_state[LOADED] = {"id": contact_id, "version": values["version"]}


def edit_form(db: Database, actor: Actor, contact_id: int, version: int) -> None:
    prefix = f"account_contact_edit_{contact_id}"
    with st.form(prefix, enter_to_submit=False):
        values = contact_fields(prefix)
        if st.form_submit_button("Save changes", type="primary", key=f"{prefix}_submit"):
            save(db, actor, contact_id, version, values)


def save(db: Database, actor: Actor, contact_id: int, version: int, values: dict[str, Any]) -> None:
    try:
        contacts.update_contact(db, actor, contact_id, version, ContactEdit.parse(**cleaned(values)))
    except WriteConflict as exc:
        ui.show_error(exc)
        # What was typed stays in the form; the panel below sets it beside their values.
        st.session_state[CONFLICT] = {"id": contact_id, "by": exc.changed_by, "theirs": exc.current,
                                      "yours": dict(values), "reloaded": False}
    except UserError as exc:
        ui.show_error(exc)
    else:
        done("Saved the changes to the contact.")


def primary_and_archive(db: Database, actor: Actor, contact_id: int, is_primary: bool) -> None:
    left, right = st.columns(2)
    if left.button("Make primary", key=f"account_contact_primary_{contact_id}",
                   icon=":material/star:", disabled=is_primary,
                   help="Already the primary contact." if is_primary else None):
        if ui.attempt(lambda: contacts.set_primary(db, actor, contact_id)):
            done("This contact is now the account's primary contact.")
    if right.button("Archive", key=f"account_contact_archive_{contact_id}", icon=":material/archive:"):
        if ui.attempt(lambda: contacts.archive_contact(db, actor, contact_id)):
            done("Contact archived: it is listed under Archived contacts, where it can be restored.",
                 PICK)


# ---- a save that came too late --------------------------------------------------------------------
def conflict_panel(contact_id: int) -> None:
    """Their newer values beside what this person typed, until a save or a reload settles it."""
    conflict = st.session_state.get(CONFLICT)
    if not conflict or conflict["id"] != contact_id:
        return
    if conflict["reloaded"]:
        st.caption("The form now holds their version. What you had typed is beside it: re-apply "
                   "what still holds and save.")
    else:
        st.caption("Someone else changed this contact after you opened it; nothing of yours was "
                   "saved. Your values are still in the form. “Use their version” loads theirs, "
                   "so you can re-apply your change on top of it.")
    st.dataframe(comparison(conflict), hide_index=True, key=f"account_contact_conflict_{contact_id}")
    if not conflict["reloaded"]:
        st.button("Use their version", key=f"account_contact_use_theirs_{contact_id}",
                  on_click=use_theirs, args=(contact_id,), icon=":material/download:")


def comparison(conflict: dict[str, Any]) -> pd.DataFrame:
    def shown(field: str, value: Any) -> str:
        return role_label(value) if field == "role" and value else (value or "")

    theirs, yours = conflict["theirs"], conflict["yours"]
    return pd.DataFrame({
        "Field": [field.capitalize() for field in FIELDS],
        f"Theirs, saved by {conflict['by']}": [shown(f, theirs[f]) for f in FIELDS],
        "Yours, not saved": [shown(f, yours[f]) for f in FIELDS],
    })


def use_theirs(contact_id: int) -> None:
    """A button callback: it runs before the form is drawn, so it may refill the form's keys."""
    conflict = st.session_state[CONFLICT]
    fill_form(contact_id, conflict["theirs"])
    conflict["reloaded"] = True


# ---- archived ---------------------------------------------------------------------------------------
def archived_list(db: Database, actor: Actor, archived: pd.DataFrame, *, editable: bool) -> None:
    if archived.empty:
        return
    with st.expander(f"Archived contacts ({len(archived)})", icon=":material/inventory_2:"):
        for person in archived.to_dict("records"):
            left, right = st.columns([4, 1], vertical_alignment="center")
            left.text(f"{person['name']} · {role_label(person['role'])}")
            if editable and right.button("Restore", key=f"account_contact_restore_{person['id']}"):
                restore(db, actor, person["id"])


def restore(db: Database, actor: Actor, contact_id: int) -> None:
    if ui.attempt(lambda: contacts.restore_contact(db, actor, contact_id)):
        done("Contact restored: it is back in the stakeholder map.")
