"""Contacts: the customer's people, one primary per account, archived rather than deleted."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pandas as pd

from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.models import ContactEdit, NewContact
from lib.permissions import require, team_for
from lib.users import Actor

EDITABLE = ("name", "title", "email", "phone", "role")
_LOADED = (*EDITABLE, "account_id", "is_primary", "archived_at", "version", "updated_by")


def add_contact(db: Database, actor: Actor, account_id: int, contact: NewContact) -> int:
    """Add a contact to a live account; a new primary replaces the old one."""
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        account = live_account(tx, account_id)
        require_on_account(tx, actor, "edit_contact", account, team)
        fields = contact.model_dump()
        if fields["is_primary"]:
            _clear_primary(tx, account_id, keep=None)
        cols, marks = ", ".join(fields), ", ".join("?" for _ in fields)
        new_id = tx.value(
            f"INSERT INTO contacts (account_id, {cols}, created_by, updated_by) "
            f"VALUES (?, {marks}, ?, ?) RETURNING id",
            [account_id, *fields.values(), actor.id, actor.id],
        )
        changes = {k: [None, v] for k, v in fields.items() if v not in (None, False)}
        tx.audit("create", "contact", new_id, {"account_id": [None, account_id], **changes})
        return new_id

    return db.write(actor, work)


def update_contact(db: Database, actor: Actor, contact_id: int, loaded_version: int,
                   edit: ContactEdit) -> int:
    """Save an edit made on the version loaded; return the new version (WriteConflict if stale)."""
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        current = _load(tx, contact_id)
        if current["version"] != loaded_version:
            raise WriteConflict("contact", contact_id, _public(current), tx.user_name(current["updated_by"]))
        _may_edit(tx, actor, current, team)
        new = edit.model_dump()
        changes = {f: [current[f], new[f]] for f in EDITABLE if current[f] != new[f]}
        if not changes:
            tx.audit("no_change", "contact", contact_id)
            return current["version"]
        sets = ", ".join(f"{f} = ?" for f in changes)
        _bump(tx, contact_id, sets, [v[1] for v in changes.values()])
        tx.audit("update", "contact", contact_id, changes)
        return current["version"] + 1

    return db.write(actor, work)


def set_primary(db: Database, actor: Actor, contact_id: int) -> None:
    """Make this contact the account's one primary, clearing the others in the same transaction."""
    team = team_for(db, actor)

    def work(tx: Tx) -> None:
        current = _load(tx, contact_id)
        _may_edit(tx, actor, current, team)
        if current["is_primary"]:
            tx.audit("no_change", "contact", contact_id)
            return
        _clear_primary(tx, current["account_id"], keep=contact_id)
        _bump(tx, contact_id, "is_primary = true", [])
        tx.audit("set_primary", "contact", contact_id, {"is_primary": [False, True]})

    db.write(actor, work)


def archive_contact(db: Database, actor: Actor, contact_id: int) -> None:
    """Hide a contact from the account (an archived contact is never the primary)."""
    _set_archived(db, actor, contact_id, archive=True)


def restore_contact(db: Database, actor: Actor, contact_id: int) -> None:
    _set_archived(db, actor, contact_id, archive=False)


def contacts_of(db: Database, actor: Actor, account_id: int, include_archived: bool = False) -> pd.DataFrame:
    """The account's contacts, primary first, then by name."""
    require(actor, "read_accounts")
    return db.df(
        "SELECT id, account_id, name, title, email, phone, role, is_primary, archived_at, version "
        "FROM contacts WHERE account_id = ? AND (? OR archived_at IS NULL) "
        "ORDER BY is_primary DESC, name, id",
        [account_id, include_archived],
    )


def contact_details(db: Database, actor: Actor, contact_id: int) -> dict[str, Any]:
    """One contact's editable fields, primary flag and version, for an edit form."""
    require(actor, "read_accounts")
    row = db.record(f"SELECT id, {', '.join(_LOADED)} FROM contacts WHERE id = ?", [contact_id])
    if row is None:
        raise NotFound(f"There is no contact with id {contact_id}.")
    return row


# ---- shared with lib.interactions -----------------------------------------------------------
def live_account(tx: Tx, account_id: int) -> dict[str, Any]:
    """The account's id, name and owner; ValidationFailed when it is missing or archived."""
    row = fetch_one(tx, "SELECT id, name, owner_id, archived_at FROM accounts WHERE id = ?", [account_id])
    if row is None:
        raise ValidationFailed([f"There is no account with id {account_id}."])
    if row["archived_at"] is not None:
        raise ValidationFailed([f"The account {row['name']} is archived; restore it first."])
    return row


def require_on_account(tx: Tx, actor: Actor, action: str, account: dict[str, Any],
                       team: frozenset[int]) -> None:
    owner = account["owner_id"]
    name = tx.value("SELECT name FROM account_managers WHERE id = ?", [owner])
    require(actor, action, owner_manager_id=owner, team=team, owner_name=name)


def utcnow() -> datetime:
    """Now as the naive UTC timestamp the database stores."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def fetch_one(tx: Tx, sql: str, params: list) -> dict[str, Any] | None:
    rows = tx.execute(sql, params)
    if not rows:
        return None
    return dict(zip((d[0] for d in tx.cursor.description), rows[0]))


# ---- inside ------------------------------------------------------------------------------------
def _set_archived(db: Database, actor: Actor, contact_id: int, *, archive: bool) -> None:
    team = team_for(db, actor)

    def work(tx: Tx) -> None:
        current = _load(tx, contact_id)
        _may_edit(tx, actor, current, team, allow_archived=True)
        if (current["archived_at"] is not None) == archive:
            raise ValidationFailed([f"This contact is already {'archived' if archive else 'active'}."])
        if archive:
            stamp = utcnow()
            _bump(tx, contact_id, "archived_at = ?, is_primary = false", [stamp])
            changes = {"archived_at": [None, stamp], "is_primary": [current["is_primary"], False]}
        else:
            _bump(tx, contact_id, "archived_at = NULL", [])
            changes = {"archived_at": [current["archived_at"], None]}
        tx.audit("archive" if archive else "restore", "contact", contact_id, changes)

    db.write(actor, work)


def _load(tx: Tx, contact_id: int) -> dict[str, Any]:
    row = fetch_one(tx, f"SELECT {', '.join(_LOADED)} FROM contacts WHERE id = ?", [contact_id])
    if row is None:
        raise NotFound(f"There is no contact with id {contact_id}.")
    return row


def _may_edit(tx: Tx, actor: Actor, contact: dict[str, Any], team: frozenset[int], *,
              allow_archived: bool = False) -> None:
    if contact["archived_at"] is not None and not allow_archived:
        raise NotAllowed("This contact is archived; restore it before changing it.")
    account = live_account(tx, contact["account_id"])
    require_on_account(tx, actor, "edit_contact", account, team)


def _clear_primary(tx: Tx, account_id: int, keep: int | None) -> None:
    rows = tx.execute(
        "UPDATE contacts SET is_primary = false, version = version + 1, "
        "updated_at = now()::TIMESTAMP, updated_by = ? "
        "WHERE account_id = ? AND is_primary AND id IS DISTINCT FROM ? RETURNING id",
        [tx.actor.id, account_id, keep],
    )
    for (old_id,) in rows:
        tx.audit("unset_primary", "contact", old_id, {"is_primary": [True, False]})


def _bump(tx: Tx, contact_id: int, sets: str, params: list) -> None:
    tx.execute(
        f"UPDATE contacts SET {sets}, version = version + 1, updated_at = now()::TIMESTAMP, "
        "updated_by = ? WHERE id = ?",
        [*params, tx.actor.id, contact_id],
    )


def _public(current: dict[str, Any]) -> dict[str, Any]:
    return {k: current[k] for k in (*EDITABLE, "is_primary", "version")}

