"""My work: whose work a person may look at, their book, the visit plan, and how it all reads.

lib.interactions holds the follow-ups, coverage, plan and escalation reads; this module adds
what the My work page needs around them, so that the page holds no rules of its own.
"""
from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo
from typing import Any

import pandas as pd

from lib import clock, review_log
from lib.db import Database
from lib.errors import ValidationFailed
from lib.formatting import count
from lib.interactions import complete_planned, record_interaction, resolve_escalation, uncontacted
from lib.models import NewInteraction
from lib.permissions import require, team_for
from lib.users import Actor

PLAN_TYPES = ("visit", "meeting", "call", "qbr", "demo")
BUCKETS = {"overdue": "Overdue", "today": "Today", "this_week": "This week", "later": "Later"}
SEVERITIES = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
ESCALATION_STATUSES = {"open": "Open", "in_progress": "In progress", "resolved": "Resolved"}
SENTIMENTS = {"very_positive": "Very positive", "positive": "Positive", "neutral": "Neutral",
              "negative": "Negative", "very_negative": "Very negative"}
# What starts an inline construct: emphasis, code, links and images, html, strikethrough,
# Streamlit's :colour[...] and :material/...: directives, maths, entities, tables. Labels
# and messages here never start a line with user text, so block syntax cannot arise.
_QUIET_COLUMNS = {"account_id": "int64", "name": "str", "tier": "str", "status": "str",
                  "owner_id": "Int64", "owner_name": "str", "last_contact": "datetime64[us]",
                  "policy_days": "int64", "days_since": "Int64"}


# ---- who and what ------------------------------------------------------------------------------
def managers_to_show(db: Database, actor: Actor) -> dict[int, str]:
    """Account managers whose work `actor` may look at, id -> name, by name.

    A manager sees their own; a director their team (their reports-to tree); an admin every
    active manager. Nobody else: an empty dict.
    """
    require(actor, "read_accounts")
    if actor.role == "admin":
        ids = None
    elif actor.role == "director":
        ids = sorted(team_for(db, actor))
    elif actor.role == "manager" and actor.manager_id is not None:
        ids = [actor.manager_id]
    else:
        return {}
    if ids == []:
        return {}
    rows = db.rows(
        "SELECT id, name FROM account_managers "
        "WHERE (?::INTEGER[] IS NULL AND active) OR list_contains(?::INTEGER[], id) "
        "ORDER BY lower(name), id", [ids, ids])
    return dict(rows)


def escalation_scope(db: Database, actor: Actor) -> tuple[int, ...] | None:
    """Whose open escalations the team list holds: a manager's own, a director's team, or
    everybody's for an admin (None)."""
    if actor.role == "admin":
        return None
    if actor.role == "director":
        return tuple(sorted(team_for(db, actor)))
    return (actor.manager_id,) if actor.manager_id is not None else ()


def book(db: Database, actor: Actor, manager_id: int) -> dict[int, str]:
    """The live (not archived) accounts this manager owns, id -> name, by name."""
    require(actor, "read_accounts")
    rows = db.rows("SELECT id, name FROM accounts WHERE owner_id = ? AND archived_at IS NULL "
                   "ORDER BY lower(name), id", [manager_id])
    return dict(rows)


def quiet_accounts(db: Database, actor: Actor, manager_id: int, today: date) -> pd.DataFrame:
    """interactions.uncontacted for this book, also when it has no account the policy covers.

    (uncontacted's row filter drops every column of a result without rows, so it is asked
    only when there is a row to filter.)
    """
    require(actor, "read_accounts")
    if not db.value("SELECT count(*) FROM accounts a JOIN contact_policies p ON p.tier = a.tier "
                    "WHERE a.owner_id = ? AND a.archived_at IS NULL "
                    "AND a.status NOT IN ('churned', 'prospect')", [manager_id]):
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _QUIET_COLUMNS.items()})
    return uncontacted(db, actor, manager_id, today)


def review_actions(db: Database, actor: Actor, manager_id: int) -> pd.DataFrame:
    """The open action items team reviews gave this manager, soonest due first."""
    return review_log.actions(db, actor, owner_id=manager_id)


# ---- the visit plan ----------------------------------------------------------------------------
def plan_visit(db: Database, actor: Actor, *, account_id: int | None, kind: str,
               day: date | None, at: time | None, subject: str, tz: ZoneInfo = clock.UTC,
               idempotency_key: str | None = None) -> int:
    """Put a visit (or meeting, call ...) on the plan; it must lie in the future.

    `day` and `at` are wall-clock time in `tz` (the planner's); no time given means 09:00.
    Recorded in the planner's name, or the owner's for an admin.
    """
    problems = []
    if account_id is None:
        problems.append("Account: choose the account to visit")
    if day is None:
        problems.append("Date: choose the day of the visit")
    if problems:
        raise ValidationFailed(problems)
    item = NewInteraction.parse(account_id=account_id, type=kind, subject=subject,
                                occurred_at=clock.to_utc(day, at or time(9, 0), tz),
                                is_planned=True)
    return record_interaction(db, actor, item, idempotency_key=idempotency_key)


def complete_visit(db: Database, actor: Actor, interaction_id: int | None, loaded_version: int,
                   *, outcome: str, sentiment: str | None, notes: str | None) -> int:
    """Record how a planned visit went; `loaded_version` is the one the person saw."""
    if interaction_id is None:
        raise ValidationFailed(["Visit: choose the planned visit to complete"])
    return complete_planned(db, actor, interaction_id, loaded_version, outcome=outcome,
                            sentiment=sentiment, notes=notes or None)


def move_escalation(db: Database, actor: Actor, interaction_id: int | None, loaded_version: int,
                    *, status: str, notes: str | None) -> int:
    """Move an escalation on (in progress, resolved); resolving needs notes saying how."""
    if interaction_id is None:
        raise ValidationFailed(["Escalation: choose the escalation to update"])
    return resolve_escalation(db, actor, interaction_id, loaded_version, status=status,
                              resolution_notes=notes or None)


def month_choices(today: date, back: int = 2, ahead: int = 3) -> list[date]:
    """First days of the months around this one, oldest first."""
    first = today.replace(day=1)
    index = first.year * 12 + first.month - 1
    return [date(i // 12, i % 12 + 1, 1) for i in range(index - back, index + ahead + 1)]


def month_name(month: date) -> str:
    return month.strftime("%B %Y")


# ---- how it reads ------------------------------------------------------------------------------
def counts(follow: pd.DataFrame, over_policy: pd.DataFrame, planned: pd.DataFrame,
           escalations: pd.DataFrame) -> dict[str, int]:
    """The summary figures at the top of the page."""
    due = follow["bucket"].value_counts() if not follow.empty else pd.Series(dtype=int)
    return {"overdue": int(due.get("overdue", 0)), "today": int(due.get("today", 0)),
            "this_week": int(due.get("this_week", 0)), "over_policy": len(over_policy),
            "planned": len(planned), "escalations": len(escalations)}


def by_bucket(follow: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """Follow-up rows per bucket (overdue, today, this_week, later), each in due-date order."""
    rows = follow.to_dict("records")
    return {bucket: [r for r in rows if r["bucket"] == bucket] for bucket in BUCKETS}


def kind_label(kind: str) -> str:
    return "QBR" if kind == "qbr" else str(kind).capitalize()


def source_text(kind: str, subject: str | None) -> str:
    """What a next step came from: "Call: Invoice query". A subject that already says its kind
    ("Escalation: wrong deliveries", "QBR") is not prefixed a second time."""
    label, subject = kind_label(kind), (subject or "").strip()
    said = subject.casefold()
    if not subject or said == label.casefold():
        return label
    return subject if said.startswith(label.casefold() + ":") else f"{label}: {subject}"


def _open_link(account_ids: pd.Series) -> pd.Series:
    return "/account?account=" + account_ids.astype(str)


def uncontacted_for_display(rows: pd.DataFrame) -> pd.DataFrame:
    shown = pd.DataFrame({
        "Open": _open_link(rows["account_id"]), "Account": rows["name"],
        "Tier": rows["tier"].str.capitalize(), "Last contact": rows["last_contact"],
        "Days since": rows["days_since"], "Policy (days)": rows["policy_days"]})
    return shown.reset_index(drop=True)


def planned_for_display(rows: pd.DataFrame, tz: ZoneInfo = clock.UTC) -> pd.DataFrame:
    shown = pd.DataFrame({
        "Open": _open_link(rows["account_id"]), "When": clock.column_to_local(rows["occurred_at"], tz),
        "Type": rows["type"].map(kind_label), "Account": rows["account_name"],
        "Subject": rows["subject"], "With": rows["contacts"]})
    return shown.reset_index(drop=True)


def escalations_for_display(rows: pd.DataFrame, names: dict[int, str]) -> pd.DataFrame:
    shown = pd.DataFrame({
        "Open": _open_link(rows["account_id"]),
        "Severity": rows["severity"].map(SEVERITIES),
        "Account": rows["account_name"], "Subject": rows["subject"],
        "Status": rows["escalation_status"].fillna("open").map(ESCALATION_STATUSES),
        "Escalated to": rows["escalated_to"],
        "Manager": rows["manager_id"].map(lambda m: names.get(m, "")),
        "Age (days)": rows["age_days"]})
    return shown.reset_index(drop=True)


def escalation_choices(rows: pd.DataFrame) -> dict[int, str]:
    """id -> the open escalation as a picker shows it (plain text). Column by column: a
    director may see thousands, and a dict per row costs ~30 µs in pandas."""
    return {int(i): f"{SEVERITIES.get(severity, severity)} · {account} · {subject} ({count(age, 'day')})"
            for i, severity, account, subject, age in zip(
                *(rows[c].tolist() for c in ("id", "severity", "account_name", "subject", "age_days")))}


def planned_choice(row: dict[str, Any], tz: ZoneInfo = clock.UTC) -> str:
    when = clock.to_local(pd.Timestamp(row["occurred_at"]).to_pydatetime(), tz).strftime("%a %d %b %H:%M")
    return f"{when} · {kind_label(row['type'])} · {row['account_name']} · {row['subject']}"


def due_text(due: Any, today: date) -> str:
    """'12 Nov (10 days late)', 'today', or the day it is due."""
    if due is None or pd.isna(due):
        return "no date"
    day = pd.Timestamp(due).date()
    late = (today - day).days
    if late > 0:
        return f"{day:%d %b %Y} ({count(late, 'day')} late)"
    return "today" if late == 0 else f"{day:%a %d %b}"


def versions(rows: pd.DataFrame) -> dict[int, int]:
    """id -> version of the interactions shown, to detect a change made by someone else."""
    return {int(i): int(v) for i, v in zip(rows["id"], rows["version"])}


def contact_policy(db: Database) -> dict[str, int]:
    """tier -> the most days an account of that tier may go without contact."""
    return dict(db.rows("SELECT tier, max_days FROM contact_policies ORDER BY max_days, tier"))


def policy_sentence(policy: dict[str, int]) -> str:
    if not policy:
        return "No contact policy is set."
    parts = [f"{tier} accounts every {days} days" for tier, days in policy.items()]
    return "Contact policy: " + ", ".join(parts) + "."
