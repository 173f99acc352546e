"""Bulk changes from the portfolio table: one field (owner, tier or status) on many accounts.

A preview says what would change, which accounts already hold the value and which the person
may not change (and why). Applying it re-reads every account inside one transaction and writes
nothing at all if any of them moved on since the preview. Callers use `accounts.bulk_preview`
and `accounts.bulk_apply`; the work lives here to keep lib.accounts small.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from numbers import Integral
from typing import Any, get_args

from lib.accounts import EDITABLE, _check_references, _public, _record_history
from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.models import Status, Tier
from lib.permissions import NONE, can, refusal, scope, team_for
from lib.portfolio import label
from lib.users import Actor

WORDS = {"owner_id": "owner", "tier": "tier", "status": "status"}
CHOICES = {"tier": get_args(Tier), "status": get_args(Status)}


@dataclass(frozen=True)
class BulkLine:
    """One account that would change: its values as a person reads them, and the version seen."""
    account_id: int
    account_name: str
    old: str
    new: str
    version: int


@dataclass(frozen=True)
class BulkPlan:
    field: str
    value: Any
    changes: list[BulkLine]
    unchanged: list[str]  # names of accounts that already hold the value
    refused: list[str]  # one sentence per account that cannot be changed, saying why
    value_text: str = ""  # the value as a person reads it: "Oliver Bennett", "At risk"

    @property
    def sentence(self) -> str:
        """'Change the owner of 2 accounts to Oliver Bennett'."""
        word, n = WORDS[self.field], len(self.changes)
        if not n:
            return f"No account would change: none of them can get the {word} {self.value_text}."
        return f"Change the {word} of {n} account{'' if n == 1 else 's'} to {self.value_text}"

    @property
    def lines(self) -> list[str]:
        """'Brightwater Logistics Inc.: owner Maya Thompson → Oliver Bennett', one per change."""
        word = WORDS[self.field]
        return [f"{c.account_name}: {word} {c.old} → {c.new}" for c in self.changes]


def preview(db: Database, actor: Actor, account_ids: list[int], field: str, value: Any) -> BulkPlan:
    """What setting `field` to `value` on these accounts would do; nothing is written.

    Raises ValidationFailed for no accounts or a bad value, NotAllowed when the actor may change
    none of them (a viewer; a manager reassigning; a new owner outside a director's team).
    Accounts the actor may not change one by one, and archived or missing ones, are `refused`.
    """
    if field not in WORDS:
        raise ValueError(f"cannot bulk-change {field!r}; only {', '.join(WORDS)}")
    ids = [int(i) for i in dict.fromkeys(account_ids or [])]
    if not ids:
        raise ValidationFailed(["Choose at least one account."])
    team = team_for(db, actor)
    with db.cursor() as cur:
        tx = Tx(cur, actor)  # reads only: Tx's helpers on a plain cursor, nothing to commit
        value, value_text = _checked_value(tx, actor, team, field, value)
        rows = _rows(tx, ids)
    changes, unchanged, refused = [], [], []
    for account_id in ids:
        row = rows.get(account_id)
        if row is None:
            refused.append(f"There is no account with id {account_id}.")
        elif row["archived_at"] is not None:
            refused.append(f"{row['name']} is archived; restore it before changing it.")
        elif row[field] == value:
            unchanged.append(row["name"])
        elif reason := _refusal(actor, team, field, row):
            refused.append(f"{row['name']}: {reason}")
        else:
            old = _shown(field, row[field], row["owner"])
            changes.append(BulkLine(account_id, row["name"], old, value_text, row["version"]))
    return BulkPlan(field, value, changes, unchanged, refused, value_text)


def apply(db: Database, actor: Actor, plan: BulkPlan, *, today: date | None = None) -> int:
    """Apply the plan's changes in one transaction; return how many accounts changed.

    Every account must still be at the version the preview saw, else WriteConflict naming the
    first that moved on (nothing is written); permissions and the value are checked again.
    Each account gets its history row and an audit row (bulk_update, {field: [old, new]}).
    """
    if not plan.changes:
        return 0
    effective = today or date.today()
    team = team_for(db, actor)
    ids = [line.account_id for line in plan.changes]

    def work(tx: Tx) -> int:
        value, _ = _checked_value(tx, actor, team, plan.field, plan.value)
        rows = _rows(tx, ids)
        for line in plan.changes:
            row = rows.get(line.account_id)
            if row is None:
                raise NotFound(f"There is no account with id {line.account_id}.")
            if row["version"] != line.version:
                raise WriteConflict("account", line.account_id, _public(row), tx.user_name(row["updated_by"]))
        for line in plan.changes:
            if reason := _refusal(actor, team, plan.field, rows[line.account_id]):
                raise NotAllowed(f"{line.account_name}: {reason}")
        tx.execute(
            f"UPDATE accounts SET {plan.field} = ?, version = version + 1, "
            "updated_at = now()::TIMESTAMP, updated_by = ? WHERE id IN (SELECT unnest(?::INTEGER[]))",
            [value, actor.id, ids],
        )
        for account_id in ids:
            change = {plan.field: [rows[account_id][plan.field], value]}
            _record_history(tx, account_id, change, effective)
            tx.audit("bulk_update", "account", account_id, change)
        return len(ids)

    return db.write(actor, work)


def _checked_value(tx: Tx, actor: Actor, team: frozenset[int], field: str, value: Any) -> tuple[Any, str]:
    """The value to store and its text; refuses an actor who may change no account this way."""
    action = _action(field)
    if scope(actor, action) == NONE:
        raise NotAllowed(refusal(actor, action))
    if field != "owner_id":
        if value not in CHOICES[field]:
            choices = ", ".join(label(c) for c in CHOICES[field])
            raise ValidationFailed([f"{WORDS[field].capitalize()}: choose one of {choices}"])
        return value, label(value)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise ValidationFailed(["Owner: choose an account manager"])
    value = int(value)
    _check_references(tx, value, None, None)
    name = tx.value("SELECT name FROM account_managers WHERE id = ?", [value])
    if not can(actor, action, owner_manager_id=value, team=team):
        raise NotAllowed(f"You can hand accounts only to managers in your team; {name} is not in it.")
    return value, name


def _rows(tx: Tx, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The accounts by id, with what a conflict shows, the owner's name and the archive mark."""
    cols = [*EDITABLE, "version", "updated_by", "archived_at"]
    rows = tx.execute(
        f"SELECT a.id, m.name AS owner, {', '.join('a.' + c for c in cols)} FROM accounts a "
        "LEFT JOIN account_managers m ON m.id = a.owner_id "
        "WHERE a.id IN (SELECT unnest(?::INTEGER[]))", [ids])
    return {row[0]: dict(zip(["id", "owner", *cols], row)) for row in rows}


def _action(field: str) -> str:
    return "reassign_accounts" if field == "owner_id" else "edit_account"


def _refusal(actor: Actor, team: frozenset[int], field: str, row: dict[str, Any]) -> str | None:
    """Why the actor may not change this account's `field`, or None when they may."""
    action, owner = _action(field), row["owner_id"]
    if can(actor, action, owner_manager_id=owner, team=team):
        return None
    return refusal(actor, action, owner_manager_id=owner, owner_name=row["owner"])


def _shown(field: str, raw: Any, owner_name: str | None) -> str:
    if field == "owner_id":
        return owner_name or "no owner"
    return label(raw)
