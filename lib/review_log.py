"""Reviews kept: starting one (its snapshot of the figures), its notes, and its action items.

Starting a review and writing its notes and action items is `run_review` (directors and
admins). An action item's owner is an account manager; the owner (or anyone who may run the
review) marks it done, from the review page or from My work. Every write goes through the
write door: one transaction, audited.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pandas as pd

from lib.db import Database, Tx
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.permissions import VIEWERS_CANNOT, can, require
from lib.review_diff import AccountFigures, EscalationFigures, ManagerFigures, Snapshot
from lib.users import Actor

MAX_TITLE, MAX_NOTES, MAX_WHAT = 200, 20_000, 500


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


# ---- starting a review ------------------------------------------------------------------------
def start_review(db: Database, actor: Actor, snapshot: Snapshot, *, held_on: date, currency: str,
                 title: str = "", idempotency_key: str | None = None) -> int:
    """Keep a new review with `snapshot` (lib.review.snapshot_now) as its figures; its id."""
    require(actor, "run_review")
    name = " ".join((title or "").split()) or f"Team review {held_on:%d %b %Y}"
    if len(name) > MAX_TITLE:
        raise ValidationFailed([f"Title: at most {MAX_TITLE} characters"])
    managers = pd.DataFrame(
        [(m, f.name, f.revenue, f.target) for m, f in snapshot.managers.items()],
        columns=["manager_id", "name", "revenue", "target"])
    accounts = pd.DataFrame(
        [(a, f.name, f.owner_id, f.revenue, f.last_month, f.at_risk) for a, f in snapshot.accounts.items()],
        columns=["account_id", "name", "owner_id", "revenue", "last_month", "at_risk"])
    accounts["owner_id"] = accounts["owner_id"].astype("Int64")
    escalations = _escalations(snapshot)

    def work(tx: Tx) -> int:
        review_id = tx.value(
            "INSERT INTO reviews (title, held_on, currency, fiscal_year, escalations_raised, "
            "escalations_resolved, payments_received, target_edits, open_escalations, started_at, "
            "started_by, updated_by, details_kept, payments_through) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [name, held_on, currency, snapshot.fiscal_year, snapshot.escalations_raised,
             snapshot.escalations_resolved, snapshot.payments_received, snapshot.target_edits,
             sorted(snapshot.open_escalations), snapshot.taken_at, actor.id, actor.id,
             escalations is not None, snapshot.payments_through])
        tx.insert_df("review_managers", managers.assign(review_id=review_id))
        tx.insert_df("review_accounts", accounts.assign(review_id=review_id))
        if escalations is not None:
            tx.insert_df("review_escalations", escalations.assign(review_id=review_id))
        tx.audit("start", "review", review_id, {"title": [None, name], "held_on": [None, held_on],
                 "managers": [None, len(managers)], "accounts": [None, len(accounts)]})
        return review_id

    return db.write(actor, work, idempotency_key=idempotency_key)


def _escalations(snapshot: Snapshot) -> pd.DataFrame | None:
    """The snapshot's escalations as rows to keep (None when it has none kept)."""
    return None if snapshot.escalations is None else pd.DataFrame(
        [(i, e.account_id, e.account, e.subject, e.severity, e.state)
         for i, e in snapshot.escalations.items()],
        columns=["interaction_id", "account_id", "account_name", "subject", "severity", "state"])


def reviews(db: Database, actor: Actor) -> pd.DataFrame:
    """Every review kept, newest first: id, title, held_on, currency, started_at, started_by_name,
    notes, version, open_actions, actions."""
    require(actor, "read_accounts")
    return db.df(
        "SELECT r.id, r.title, r.held_on, r.currency, r.started_at, "
        "coalesce(u.display_name, 'someone') AS started_by_name, r.notes, r.version, "
        "(SELECT count(*) FROM review_actions a WHERE a.review_id = r.id AND a.done_at IS NULL) "
        "AS open_actions, (SELECT count(*) FROM review_actions a WHERE a.review_id = r.id) AS actions "
        "FROM reviews r LEFT JOIN users u ON u.id = r.started_by ORDER BY r.started_at DESC, r.id DESC")


def health_since(db: Database, actor: Actor, today: date) -> tuple[date, bool]:
    """The day an account's health is compared with: the day the latest review before `today`
    was held (True), else the day 30 days before `today` (False)."""
    require(actor, "read_accounts")
    reviewed = db.value("SELECT max(held_on) FROM reviews WHERE held_on < ?", [today])
    return (reviewed, True) if reviewed else (today - timedelta(days=30), False)


def saved_snapshot(db: Database, actor: Actor, review_id: int) -> Snapshot:
    """The figures review `review_id` kept."""
    require(actor, "read_accounts")
    head = db.record("SELECT * FROM reviews WHERE id = ?", [review_id])
    if head is None:
        raise NotFound(f"There is no review with id {review_id}.")
    managers = db.rows("SELECT manager_id, name, revenue, target FROM review_managers "
                       "WHERE review_id = ?", [review_id])
    accounts = db.rows("SELECT account_id, name, owner_id, revenue, last_month, at_risk "
                       "FROM review_accounts WHERE review_id = ?", [review_id])
    escalations = None
    if head["details_kept"]:
        escalations = {i: EscalationFigures(a, n, s, sev, state) for i, a, n, s, sev, state in db.rows(
            "SELECT interaction_id, account_id, account_name, subject, severity, state "
            "FROM review_escalations WHERE review_id = ?", [review_id])}
    return Snapshot(
        taken_at=head["started_at"], fiscal_year=head["fiscal_year"],
        managers={m: ManagerFigures(n, r, t) for m, n, r, t in managers},
        accounts={a: AccountFigures(n, o, r, lm, risk) for a, n, o, r, lm, risk in accounts},
        open_escalations=frozenset(head["open_escalations"]),
        escalations_raised=head["escalations_raised"],
        escalations_resolved=head["escalations_resolved"],
        payments_received=head["payments_received"], target_edits=head["target_edits"],
        escalations=escalations, payments_through=head["payments_through"])


def target_edits_since(db: Database, actor: Actor, since: datetime, limit: int = 50) -> pd.DataFrame:
    """Target changes made after `since`, newest first: changed_at, level, subject (the
    manager's or the account's name), month, old_amount, new_amount, reason, changed_by_name."""
    require(actor, "read_accounts")
    return db.df(
        "SELECT c.changed_at, c.level, CASE c.level WHEN 'manager' THEN m.name ELSE a.name END "
        "AS subject, c.month, c.old_amount::DOUBLE AS old_amount, c.new_amount::DOUBLE AS new_amount, "
        "c.reason, coalesce(u.display_name, 'someone') AS changed_by_name FROM target_changes c "
        "LEFT JOIN account_managers m ON c.level = 'manager' AND m.id = c.subject_id "
        "LEFT JOIN accounts a ON c.level = 'account' AND a.id = c.subject_id "
        "LEFT JOIN users u ON u.id = c.changed_by WHERE c.changed_at > ? "
        "ORDER BY c.changed_at DESC, c.id DESC LIMIT ?", [since, limit])


# ---- notes ------------------------------------------------------------------------------------
def save_notes(db: Database, actor: Actor, review_id: int, loaded_version: int, notes: str) -> int:
    """Replace the review's notes; refuses a save over someone else's newer one. The new version."""
    require(actor, "run_review")
    text = (notes or "").strip()
    if len(text) > MAX_NOTES:
        raise ValidationFailed([f"Notes: at most {MAX_NOTES:,} characters"])

    def work(tx: Tx) -> int:
        rows = tx.execute("SELECT notes, version, updated_by FROM reviews WHERE id = ?", [review_id])
        if not rows:
            raise NotFound(f"There is no review with id {review_id}.")
        old, version, by = rows[0]
        if version != loaded_version:
            who = tx.user_name(by)
            raise WriteConflict("review's notes", review_id, {"notes": old, "version": version}, who)
        if old == text:
            tx.audit("no_change", "review", review_id)
            return version
        tx.execute("UPDATE reviews SET notes = ?, version = version + 1, updated_at = ?, "
                   "updated_by = ? WHERE id = ?", [text, _now(), actor.id, review_id])
        tx.audit("update", "review", review_id, {"notes": [old, text]})
        return version + 1

    return db.write(actor, work)


# ---- action items -----------------------------------------------------------------------------
def add_action(db: Database, actor: Actor, review_id: int, *, owner_id: int | None, what: str,
               due_on: date | None, today: date, idempotency_key: str | None = None) -> int:
    """Who does what by when, agreed in review `review_id`; the new item's id."""
    require(actor, "run_review")
    text = " ".join((what or "").split())
    problems = []
    if not text:
        problems.append("What: say what is to be done")
    elif len(text) > MAX_WHAT:
        problems.append(f"What: at most {MAX_WHAT} characters")
    if owner_id is None:
        problems.append("Who: choose the account manager who will do it")
    if due_on is not None and due_on < today:
        problems.append("By when: the date has passed; choose today or a later day")
    if problems:
        raise ValidationFailed(problems)

    def work(tx: Tx) -> int:
        if not tx.value("SELECT count(*) FROM reviews WHERE id = ?", [review_id]):
            raise NotFound(f"There is no review with id {review_id}.")
        if not tx.value("SELECT count(*) FROM account_managers WHERE id = ?", [owner_id]):
            raise ValidationFailed([f"Who: there is no account manager with id {owner_id}"])
        new_id = tx.value(
            "INSERT INTO review_actions (review_id, owner_id, what, due_on, created_by, updated_by) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [review_id, owner_id, text, due_on, actor.id, actor.id])
        tx.audit("create", "review_action", new_id, {"review_id": [None, review_id],
                 "owner_id": [None, owner_id], "what": [None, text], "due_on": [None, due_on]})
        return new_id

    return db.write(actor, work, idempotency_key=idempotency_key)


def complete_action(db: Database, actor: Actor, action_id: int) -> None:
    """Mark an action item done: its owner, or anyone who may run the review."""

    def work(tx: Tx) -> None:
        rows = tx.execute("SELECT owner_id, done_at FROM review_actions WHERE id = ?", [action_id])
        if not rows:
            raise NotFound(f"There is no action item with id {action_id}.")
        owner_id, done_at = rows[0]
        if not may_complete(actor, owner_id):
            raise NotAllowed(VIEWERS_CANNOT if actor.role == "viewer"
                             else "You can mark done only your own action items.")
        if done_at is not None:
            raise ValidationFailed(["This action item is already done."])
        stamp = _now()
        tx.execute("UPDATE review_actions SET done_at = ?, done_by = ?, version = version + 1, "
                   "updated_at = ?, updated_by = ? WHERE id = ?", [stamp, actor.id, stamp, actor.id, action_id])
        tx.audit("complete", "review_action", action_id, {"done_at": [None, stamp]})

    db.write(actor, work)


def actions(db: Database, actor: Actor, *, review_id: int | None = None, owner_id: int | None = None,
            open_only: bool = True) -> pd.DataFrame:
    """Action items (of one review, of one owner, or all), open ones first by due date: id,
    review_id, review_title, owner_id, owner_name, what, due_on, done_at."""
    require(actor, "read_accounts")
    return db.df(
        "SELECT x.id, x.review_id, r.title AS review_title, x.owner_id, "
        "coalesce(m.name, 'No owner') AS owner_name, x.what, x.due_on, x.done_at "
        "FROM review_actions x JOIN reviews r ON r.id = x.review_id "
        "LEFT JOIN account_managers m ON m.id = x.owner_id "
        "WHERE (?::INTEGER IS NULL OR x.review_id = ?) AND (?::INTEGER IS NULL OR x.owner_id = ?) "
        "AND (NOT ? OR x.done_at IS NULL) "
        "ORDER BY x.done_at IS NOT NULL, x.due_on NULLS LAST, x.id",
        [review_id, review_id, owner_id, owner_id, open_only])


def may_complete(actor: Actor, owner_id: Any) -> bool:
    """Whether `actor` may mark an item of `owner_id` done (the rule complete_action enforces)."""
    return can(actor, "run_review") or (
        actor.manager_id is not None and actor.manager_id == owner_id)
