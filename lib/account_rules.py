"""The business rules behind the Account 360 page: pure functions, no database.

SQL in lib.account_view groups and sums; what the sums mean (ageing, projection, the sentence a
history row reads as) is decided here, where it can be tested with plain numbers.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from lib.portfolio import label

BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")
TIER_RANK = {"standard": 0, "strategic": 1, "key": 2}


def ageing_bucket(days_overdue: int) -> str:
    """The collections bucket of an invoice that is `days_overdue` past its due date."""
    if days_overdue <= 0:
        return "current"
    if days_overdue <= 30:
        return "1-30"
    if days_overdue <= 60:
        return "31-60"
    if days_overdue <= 90:
        return "61-90"
    return "90+"


def project_spend(spend_to_date: Any, months_elapsed: int, months_in_year: int = 12) -> Any:
    """Year-end spend if the rest of the year runs at the monthly pace so far.

    Plain arithmetic, so it works on a number or a whole pandas column alike. Before any month
    has passed there is no pace: the projection is what has been spent.
    """
    if months_elapsed <= 0:
        return spend_to_date
    return spend_to_date / months_elapsed * months_in_year


def ratio(part: float | None, whole: float | None) -> float | None:
    """part / whole, or None when there is nothing to divide by (no target, no budget)."""
    if not whole or part is None:
        return None
    return part / whole


def months_between(first: date, last: date) -> int:
    """How many months from `first` through `last`, both included."""
    return (last.year * 12 + last.month) - (first.year * 12 + first.month) + 1


def history_sentence(field: str, old: str | None, new: str | None, on: date, by: str) -> str:
    """One account_history row as a person reads it; owner values arrive as names already."""
    when = f"on {on.isoformat()} by {by}"
    if field == "tier" and old in TIER_RANK and new in TIER_RANK:
        verb = "Promoted" if TIER_RANK[new] > TIER_RANK[old] else "Moved down"
        return f"{verb} from {label(old)} to {label(new)} {when}"
    subject = {"owner_id": "Owner", "tier": "Tier", "status": "Status"}.get(field, field)
    if field != "owner_id":
        old, new = (None if v is None else label(v) for v in (old, new))
    if old is None:
        return f"{subject} set to {new} {when}"
    if new is None:
        return f"{subject} cleared (was {old}) {when}"
    return f"{subject} changed from {old} to {new} {when}"
