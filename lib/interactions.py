"""Interactions: what we did and plan to do with a customer, follow-ups, escalations, coverage.

Writes check the account, its contacts and the actor's reach inside the transaction; the pure
rules (follow-up buckets, contact policy breaches, time to resolve) sit at the top of the file.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd

from lib.contacts import fetch_one, live_account, require_on_account, utcnow
from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.models import EscalationUpdate, NewInteraction, PlannedCompletion
from lib.permissions import require, team_for
from lib.users import Actor

FIELDS = ("type", "occurred_at", "is_planned", "subject", "notes", "outcome", "sentiment",
          "products", "product_reaction", "next_step", "next_step_due", "next_step_owner_id",
          "severity", "escalation_status", "escalated_to")
SEVERITY_RANK = {"critical": 4, "high": 3, "medium": 2, "low": 1}


# ---- pure rules --------------------------------------------------------------------------------
def follow_up_bucket(due: date | None, today: date) -> str:
    """'overdue' before today, 'today', 'this_week' within the next 7 days, else 'later'."""
    if due is None:
        return "later"
    if due < today:
        return "overdue"
    if due == today:
        return "today"
    return "this_week" if due <= today + timedelta(days=7) else "later"


def days_since(last_contact: date | None, today: date) -> int | None:
    return None if last_contact is None else (today - last_contact).days


def breaches_policy(days: int | None, max_days: int) -> bool:
    """Never contacted, or last contacted more than the tier's allowed days ago."""
    return days is None or days > max_days


def time_to_resolve(occurred_at: datetime, resolved_at: datetime | None) -> timedelta | None:
    if resolved_at is None:
        return None
    return max(resolved_at - occurred_at, timedelta(0))


def planned_problems(item: NewInteraction, now: datetime) -> list[str]:
    """A planned interaction lies in the future and has no result yet."""
    if not item.is_planned:
        return []
    problems = []
    if item.occurred_at <= now:
        problems.append("When: a planned interaction must be in the future")
    if item.outcome or item.sentiment:
        problems.append("Outcome: a planned interaction has no outcome or sentiment yet")
    return problems


# ---- writes ------------------------------------------------------------------------------------
def record_interaction(db: Database, actor: Actor, item: NewInteraction, *,
                       idempotency_key: str | None = None) -> int:
    """Record one interaction with its contacts; a retry with the same key returns the same id."""
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        account = live_account(tx, item.account_id)
        require_on_account(tx, actor, "record_interaction", account, team)
        _check(tx, item, planned_from=utcnow())
        manager_id = actor.manager_id or account["owner_id"]
        if manager_id is None:
            raise ValidationFailed([f"The account {account['name']} has no owner to record this under."])
        values = _values(item)
        cols, marks = ", ".join(values), ", ".join("?" for _ in values)
        new_id = tx.value(
            f"INSERT INTO interactions (account_id, manager_id, {cols}, created_by, updated_by) "
            f"VALUES (?, ?, {marks}, ?, ?) RETURNING id",
            [item.account_id, manager_id, *values.values(), actor.id, actor.id])
        _link_contacts(tx, new_id, item.contact_ids)
        changes = {k: [None, v] for k, v in values.items() if v not in (None, False)}
        tx.audit("create", "interaction", new_id, {"account_id": [None, item.account_id],
                 "manager_id": [None, manager_id], "contact_ids": [None, list(item.contact_ids)], **changes})
        return new_id

    return db.write(actor, work, idempotency_key=idempotency_key)


def update_interaction(db: Database, actor: Actor, interaction_id: int, loaded_version: int,
                       item: NewInteraction) -> int:
    """Save an edit by the author (or their director, or an admin); return the new version."""
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        current = _load_current(tx, interaction_id, loaded_version)
        _may_change(tx, actor, current, team, "change")
        if item.account_id != current["account_id"]:
            raise ValidationFailed(["Account: an interaction cannot move to another account; "
                                    "delete it and record it there."])
        moved = item.occurred_at != current["occurred_at"]
        _check(tx, item, planned_from=utcnow() if moved else None)
        new = _values(item)
        changes = {f: [current[f], new[f]] for f in FIELDS if current[f] != new[f]}
        old_contacts = _contact_ids(tx, interaction_id)
        if set(old_contacts) != set(item.contact_ids):
            changes["contact_ids"] = [old_contacts, sorted(item.contact_ids)]
            tx.execute("DELETE FROM interaction_contacts WHERE interaction_id = ?", [interaction_id])
            _link_contacts(tx, interaction_id, item.contact_ids)
        return _save(tx, current, {k: v[1] for k, v in changes.items() if k in FIELDS}, changes, "update")

    return db.write(actor, work)


def delete_interaction(db: Database, actor: Actor, interaction_id: int) -> None:
    """Soft delete: the row stays, marked with who deleted it and when."""
    _set_deleted(db, actor, interaction_id, delete=True)


def restore_interaction(db: Database, actor: Actor, interaction_id: int) -> None:
    _set_deleted(db, actor, interaction_id, delete=False)


def complete_planned(db: Database, actor: Actor, interaction_id: int, loaded_version: int, *,
                     outcome: str, sentiment: str, notes: str | None = None,
                     occurred_at: datetime | None = None) -> int:
    """Turn a planned interaction into one that happened; return the new version."""
    done = PlannedCompletion.parse(outcome=outcome, sentiment=sentiment, notes=notes, occurred_at=occurred_at)
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        current = _load_current(tx, interaction_id, loaded_version)
        _may_change(tx, actor, current, team, "change")
        if not current["is_planned"]:
            raise ValidationFailed(["This interaction is not planned; it has already happened."])
        now = utcnow()
        when = done.occurred_at or min(current["occurred_at"], now)
        if when > now:
            raise ValidationFailed(["When: an interaction that has not happened yet cannot be completed"])
        new = {"is_planned": False, "outcome": done.outcome, "sentiment": done.sentiment, "occurred_at": when}
        if done.notes is not None:
            new["notes"] = done.notes
        changes = {k: [current[k], v] for k, v in new.items() if current[k] != v}
        return _save(tx, current, new, changes, "complete")

    return db.write(actor, work)


def resolve_escalation(db: Database, actor: Actor, interaction_id: int, loaded_version: int, *,
                       status: str, resolution_notes: str | None) -> int:
    """Move an escalation to open / in_progress / resolved; resolving stamps resolved_at."""
    update = EscalationUpdate.parse(escalation_status=status, resolution_notes=resolution_notes)
    team = team_for(db, actor)

    def work(tx: Tx) -> int:
        current = _load_current(tx, interaction_id, loaded_version)
        require_on_account(tx, actor, "record_interaction", live_account(tx, current["account_id"]), team)
        if current["type"] != "escalation":
            raise ValidationFailed(["Only an escalation can be resolved."])
        resolved_at = (current["resolved_at"] or utcnow()) if status == "resolved" else None
        new = {"escalation_status": update.escalation_status, "resolved_at": resolved_at,
               "resolution_notes": update.resolution_notes}
        changes = {k: [current[k], v] for k, v in new.items() if current[k] != v}
        return _save(tx, current, new, changes, "resolve" if status == "resolved" else "update")

    return db.write(actor, work)


def complete_next_step(db: Database, actor: Actor, interaction_id: int) -> None:
    """Mark the interaction's next step done now."""
    team = team_for(db, actor)

    def work(tx: Tx) -> None:
        current = _load(tx, interaction_id)
        if actor.manager_id is None or actor.manager_id != current["next_step_owner_id"]:
            require_on_account(tx, actor, "record_interaction", live_account(tx, current["account_id"]), team)
        if not current["next_step"] or current["next_step_done_at"] is not None:
            raise ValidationFailed(["This interaction has no open next step."])
        stamp = utcnow()
        _save(tx, current, {"next_step_done_at": stamp}, {"next_step_done_at": [None, stamp]}, "complete_next_step")

    db.write(actor, work)


# ---- reads -------------------------------------------------------------------------------------
_CONTACT_NAMES = (
    "(SELECT string_agg(c.name, ', ' ORDER BY c.name) FROM interaction_contacts ic "
    "JOIN contacts c ON c.id = ic.contact_id WHERE ic.interaction_id = i.id) AS contacts")


def timeline(db: Database, actor: Actor, account_id: int, types: tuple[str, ...] = (),
             limit: int = 100) -> pd.DataFrame:
    """The account's interactions, newest first, without deleted ones, with contact names."""
    require(actor, "read_accounts")
    type_filter = f"AND i.type IN ({', '.join('?' for _ in types)})" if types else ""
    return db.df(
        "SELECT i.id, i.type, i.occurred_at, i.is_planned, i.subject, i.notes, i.outcome, "
        "i.sentiment, i.products, i.product_reaction, i.next_step, i.next_step_due, "
        "i.next_step_done_at, i.severity, i.escalation_status, i.resolved_at, i.manager_id, "
        f"m.name AS manager_name, i.created_by, i.version, {_CONTACT_NAMES} "
        "FROM interactions i LEFT JOIN account_managers m ON m.id = i.manager_id "
        f"WHERE i.account_id = ? AND i.deleted_at IS NULL {type_filter} "
        "ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?",
        [account_id, *types, limit])


def get_interaction(db: Database, actor: Actor, interaction_id: int) -> dict[str, Any]:
    """One interaction with its contact ids, deleted or not, for an edit form."""
    require(actor, "read_accounts")
    row = db.record("SELECT * FROM interactions WHERE id = ?", [interaction_id])
    if row is None:
        raise NotFound(f"There is no interaction with id {interaction_id}.")
    row["contact_ids"] = [r[0] for r in db.rows(
        "SELECT contact_id FROM interaction_contacts WHERE interaction_id = ? ORDER BY 1", [interaction_id])]
    return row


def may_change(actor: Actor, row: dict[str, Any], team: frozenset[int]) -> bool:
    """The author, the manager it is recorded under, their director, or an admin."""
    return (actor.role == "admin" or actor.id == row["created_by"]
            or (actor.manager_id is not None and actor.manager_id == row["manager_id"])
            or (actor.role == "director" and row["manager_id"] in team))


def deleted_of(db: Database, actor: Actor, account_id: int, limit: int = 50) -> pd.DataFrame:
    """The account's deleted interactions, most recently deleted first, with who deleted them."""
    require(actor, "read_accounts")
    return db.df(
        "SELECT i.id, i.type, i.occurred_at, i.subject, i.created_by, i.manager_id, i.deleted_at, "
        "coalesce(u.display_name, 'someone') AS deleted_by_name FROM interactions i "
        "LEFT JOIN users u ON u.id = i.deleted_by "
        "WHERE i.account_id = ? AND i.deleted_at IS NOT NULL ORDER BY i.deleted_at DESC LIMIT ?",
        [account_id, limit])


def follow_ups(db: Database, actor: Actor, manager_id: int, today: date) -> pd.DataFrame:
    """Open next steps owned by this manager (the next step's owner, else who recorded it)."""
    require(actor, "read_accounts")
    df = db.df(
        "SELECT i.id, i.account_id, a.name AS account_name, i.type, i.occurred_at, i.subject, "
        "i.next_step, i.next_step_due FROM interactions i JOIN accounts a ON a.id = i.account_id "
        "WHERE i.next_step IS NOT NULL AND i.next_step_done_at IS NULL AND i.deleted_at IS NULL "
        "AND a.archived_at IS NULL AND coalesce(i.next_step_owner_id, i.manager_id) = ? "
        "ORDER BY i.next_step_due NULLS LAST, i.id", [manager_id])
    df["bucket"] = [follow_up_bucket(_as_date(d), today) for d in df["next_step_due"]]
    return df


def uncontacted(db: Database, actor: Actor, manager_id: int | None, today: date) -> pd.DataFrame:
    """Live accounts whose last real contact is older than their tier allows, or who had none."""
    require(actor, "read_accounts")
    df = db.df(
        "SELECT a.id AS account_id, a.name, a.tier, a.status, a.owner_id, m.name AS owner_name, "
        "last.last_contact, p.max_days AS policy_days FROM accounts a "
        "JOIN contact_policies p ON p.tier = a.tier "
        "LEFT JOIN account_managers m ON m.id = a.owner_id "
        "LEFT JOIN (SELECT account_id, max(occurred_at)::DATE AS last_contact FROM interactions "
        "  WHERE NOT is_planned AND deleted_at IS NULL AND occurred_at::DATE <= ? "
        "  GROUP BY account_id) last ON last.account_id = a.id "
        "WHERE a.archived_at IS NULL AND a.status NOT IN ('churned', 'prospect') "
        "AND (?::INTEGER IS NULL OR a.owner_id = ?)", [today, manager_id, manager_id])
    days = [days_since(_as_date(d), today) for d in df["last_contact"]]
    df["days_since"] = pd.array(days, dtype="Int64")
    df = df[pd.Series([breaches_policy(d, int(p)) for d, p in zip(days, df["policy_days"])],
                      index=df.index, dtype=bool)]
    return df.sort_values("days_since", ascending=False, na_position="first").reset_index(drop=True)


def planned_visits(db: Database, actor: Actor, manager_id: int, month: date) -> pd.DataFrame:
    """The manager's planned interactions in the month of `month`, in date order."""
    require(actor, "read_accounts")
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return db.df(
        "SELECT i.id, i.occurred_at, i.type, i.account_id, a.name AS account_name, i.subject, "
        f"i.version, {_CONTACT_NAMES} FROM interactions i JOIN accounts a ON a.id = i.account_id "
        "WHERE i.is_planned AND i.deleted_at IS NULL AND i.manager_id = ? "
        "AND i.occurred_at >= ? AND i.occurred_at < ? ORDER BY i.occurred_at, i.id",
        [manager_id, start, end])


def open_escalations(db: Database, actor: Actor, manager_ids: list[int] | None = None,
                     today: date | None = None) -> pd.DataFrame:
    """Unresolved escalations, highest severity first, then oldest; age in days."""
    require(actor, "read_accounts")
    ids = list(manager_ids) if manager_ids is not None else None
    df = db.df(
        "SELECT i.id, i.account_id, a.name AS account_name, i.manager_id, i.subject, i.severity, "
        "i.escalation_status, i.escalated_to, i.occurred_at, i.version, "
        "date_diff('day', i.occurred_at::DATE, ?::DATE) AS age_days "
        "FROM interactions i JOIN accounts a ON a.id = i.account_id "
        "WHERE i.type = 'escalation' AND i.deleted_at IS NULL AND NOT i.is_planned "
        "AND coalesce(i.escalation_status, 'open') <> 'resolved' "
        "AND (?::INTEGER[] IS NULL OR list_contains(?::INTEGER[], i.manager_id))",
        [today or date.today(), ids, ids])
    rank = df["severity"].map(SEVERITY_RANK).fillna(0)
    return (df.assign(_rank=rank).sort_values(["_rank", "occurred_at"], ascending=[False, True])
            .drop(columns="_rank").reset_index(drop=True))


# ---- inside ------------------------------------------------------------------------------------
def _values(item: NewInteraction) -> dict[str, Any]:
    values = {f: getattr(item, f) for f in FIELDS}
    if item.type == "escalation" and values["escalation_status"] is None:
        values["escalation_status"] = "open"
    return values


def _check(tx: Tx, item: NewInteraction, planned_from: datetime | None) -> None:
    """Contacts of this account, a real next-step owner, and the planned-interaction rules."""
    problems = planned_problems(item, planned_from or datetime.min)
    for contact_id in item.contact_ids:
        if not tx.value("SELECT count(*) FROM contacts WHERE id = ? AND account_id = ?",
                        [contact_id, item.account_id]):
            problems.append(f"Contact {contact_id} is not a contact of this account.")
    owner = item.next_step_owner_id
    if owner is not None and not tx.value("SELECT count(*) FROM account_managers WHERE id = ?", [owner]):
        problems.append(f"Next step owner: there is no account manager with id {owner}")
    if problems:
        raise ValidationFailed(problems)


def _link_contacts(tx: Tx, interaction_id: int, contact_ids: tuple[int, ...]) -> None:
    for contact_id in sorted(set(contact_ids)):
        tx.execute("INSERT INTO interaction_contacts (interaction_id, contact_id) VALUES (?, ?)",
                   [interaction_id, contact_id])


def _contact_ids(tx: Tx, interaction_id: int) -> list[int]:
    rows = tx.execute("SELECT contact_id FROM interaction_contacts WHERE interaction_id = ? "
                      "ORDER BY contact_id", [interaction_id])
    return [r[0] for r in rows]


def _load(tx: Tx, interaction_id: int, *, deleted_ok: bool = False) -> dict[str, Any]:
    row = fetch_one(tx, "SELECT * FROM interactions WHERE id = ?", [interaction_id])
    if row is None:
        raise NotFound(f"There is no interaction with id {interaction_id}.")
    if row["deleted_at"] is not None and not deleted_ok:
        raise NotAllowed("This interaction is deleted; restore it before changing it.")
    return row


def _load_current(tx: Tx, interaction_id: int, loaded_version: int) -> dict[str, Any]:
    row = _load(tx, interaction_id)
    if row["version"] != loaded_version:
        public = {k: row[k] for k in (*FIELDS, "resolution_notes", "resolved_at", "version")}
        raise WriteConflict("interaction", interaction_id, public, tx.user_name(row["updated_by"]))
    return row


def _may_change(tx: Tx, actor: Actor, row: dict[str, Any], team: frozenset[int], verb: str) -> None:
    """See `may_change`."""
    if may_change(actor, row, team):
        return
    raise NotAllowed(f"You can {verb} only interactions you recorded or that are recorded under "
                     f"your name; this one was recorded by "
                     f"{tx.user_name(row['created_by'])}.")


def _save(tx: Tx, current: dict[str, Any], new: dict[str, Any], changes: dict, action: str) -> int:
    """Write `new` column values, audit `changes`, and return the version now stored."""
    if not changes:
        tx.audit("no_change", "interaction", current["id"])
        return current["version"]
    sets = "".join(f"{col} = ?, " for col in new)
    tx.execute(f"UPDATE interactions SET {sets}version = version + 1, "
               "updated_at = now()::TIMESTAMP, updated_by = ? WHERE id = ?",
               [*new.values(), tx.actor.id, current["id"]])
    tx.audit(action, "interaction", current["id"], changes)
    return current["version"] + 1


def _set_deleted(db: Database, actor: Actor, interaction_id: int, *, delete: bool) -> None:
    team = team_for(db, actor)

    def work(tx: Tx) -> None:
        current = _load(tx, interaction_id, deleted_ok=True)
        _may_change(tx, actor, current, team, "delete or restore")
        if (current["deleted_at"] is not None) == delete:
            raise ValidationFailed([f"This interaction is already {'deleted' if delete else 'restored'}."])
        stamp = utcnow() if delete else None
        new = {"deleted_at": stamp, "deleted_by": actor.id if delete else None}
        changes = {k: [current[k], v] for k, v in new.items()}
        _save(tx, current, new, changes, "delete" if delete else "restore")

    db.write(actor, work)


def _as_date(value: Any) -> date | None:
    if value is None or pd.isna(value):
        return None
    return value.date() if isinstance(value, (datetime, pd.Timestamp)) else value

