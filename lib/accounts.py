"""Accounts: create and edit, with owner/tier/status history and optimistic concurrency."""
from __future__ import annotations

from datetime import date
from typing import Any

from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.models import AccountEdit, NewAccount
from lib.permissions import require, team_for
from lib.users import Actor

EDITABLE = ("name", "tier", "scope", "industry", "region", "country", "owner_id", "parent_id",
            "status", "currency")
HISTORY_FIELDS = ("owner_id", "tier", "status")


def create_account(db: Database, actor: Actor, account: NewAccount, *,
                   idempotency_key: str | None = None) -> int:
    _may_edit(db, actor, account.owner_id)

    def work(tx: Tx) -> int:
        _check_references(tx, account.owner_id, account.parent_id, None)
        fields = account.model_dump()
        cols = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        new_id = tx.value(
            f"INSERT INTO accounts ({cols}, created_by, updated_by) VALUES ({marks}, ?, ?) "
            "RETURNING id",
            [*fields.values(), actor.id, actor.id],
        )
        tx.audit("create", "account", new_id, {k: [None, v] for k, v in fields.items() if v is not None})
        return new_id

    return db.write(actor, work, idempotency_key=idempotency_key)


def update_account(db: Database, actor: Actor, account_id: int, loaded_version: int,
                   edit: AccountEdit, *, today: date | None = None) -> int:
    """Save an edit made on the version the person loaded; return the new version.

    Raises WriteConflict (with the other person's values) when the row moved on meanwhile.
    """
    effective = today or date.today()
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        current = _load_for_update(tx, account_id)
        if current["version"] != loaded_version:
            raise WriteConflict("account", account_id, _public(current), _name(tx, current["updated_by"]))
        require(actor, "edit_account", owner_manager_id=current["owner_id"], team=team,
                owner_name=_owner_name(tx, current["owner_id"]))
        if edit.owner_id != current["owner_id"]:
            require(actor, "reassign_accounts", owner_manager_id=edit.owner_id, team=team,
                    owner_name=_owner_name(tx, edit.owner_id))
        _check_references(tx, edit.owner_id, edit.parent_id, account_id)
        new = edit.model_dump()
        changes = {f: [current[f], new[f]] for f in EDITABLE if current[f] != new[f]}
        if not changes:
            tx.audit("no_change", "account", account_id)
            return current["version"]
        sets = ", ".join(f"{f} = ?" for f in changes)
        tx.execute(
            f"UPDATE accounts SET {sets}, version = version + 1, updated_at = now()::TIMESTAMP, "
            "updated_by = ? WHERE id = ?",
            [*(v[1] for v in changes.values()), actor.id, account_id],
        )
        _record_history(tx, account_id, changes, effective)
        tx.audit("update", "account", account_id, changes)
        return current["version"] + 1

    return db.write(actor, work)


def get_account(db: Database, account_id: int) -> dict[str, Any]:
    row = db.record("SELECT * FROM accounts WHERE id = ?", [account_id])
    if row is None:
        raise NotFound(f"There is no account with id {account_id}.")
    return row


def _load_for_update(tx: Tx, account_id: int) -> dict[str, Any]:
    cols = ", ".join((*EDITABLE, "version", "updated_by", "archived_at"))
    rows = tx.execute(f"SELECT {cols} FROM accounts WHERE id = ?", [account_id])
    if not rows:
        raise NotFound(f"There is no account with id {account_id}.")
    current = dict(zip(cols.split(", "), rows[0]))
    if current["archived_at"] is not None:
        raise NotAllowed("This account is archived; restore it before editing.")
    return current


def _check_references(tx: Tx, owner_id: int | None, parent_id: int | None, self_id: int | None) -> None:
    problems = []
    if owner_id is not None and not tx.value(
        "SELECT count(*) FROM account_managers WHERE id = ? AND active", [owner_id]
    ):
        problems.append(f"Owner: there is no active account manager with id {owner_id}")
    if parent_id is not None:
        if parent_id == self_id:
            problems.append("Parent account: an account cannot be its own parent")
        elif not tx.value("SELECT count(*) FROM accounts WHERE id = ? AND archived_at IS NULL", [parent_id]):
            problems.append(f"Parent account: there is no account with id {parent_id}")
    if problems:
        raise ValidationFailed(problems)


def _record_history(tx: Tx, account_id: int, changes: dict, effective: date) -> None:
    for field in HISTORY_FIELDS:
        if field in changes:
            old, new = changes[field]
            tx.execute(
                "INSERT INTO account_history (account_id, field, old_value, new_value, changed_on, "
                "changed_by) VALUES (?, ?, ?, ?, ?, ?)",
                [account_id, field, _text(old), _text(new), effective, tx.actor.id],
            )


def _may_edit(db: Database, actor: Actor, owner_id: int | None) -> None:
    with db.cursor() as cur:
        name = cur.execute("SELECT name FROM account_managers WHERE id = ?", [owner_id]).fetchall()
    require(actor, "edit_account", owner_manager_id=owner_id, team=team_for(db, actor),
            owner_name=name[0][0] if name else None)


def _owner_name(tx: Tx, owner_id: int | None) -> str | None:
    return tx.value("SELECT name FROM account_managers WHERE id = ?", [owner_id])


def _public(current: dict[str, Any]) -> dict[str, Any]:
    return {k: current[k] for k in (*EDITABLE, "version")}


def _name(tx: Tx, user_id: int) -> str:
    return tx.value("SELECT display_name FROM users WHERE id = ?", [user_id]) or "Someone"


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
