"""What changed between two team reviews: a pure function over two snapshots of the figures.

A snapshot holds, at one moment, each manager's revenue and target for the fiscal year to date,
each account's year-to-date revenue, its revenue in the last complete month and whether it was
at risk, the open escalations, and running totals (escalations ever raised and resolved,
payments ever received, target edits ever made). `diff(before, after)` turns two of them into
the review's "since last review" panel:

* new revenue: accounts with revenue in the last complete month now that had none then (their
  month now); lost revenue: accounts that had revenue in that month then and have none now
  (their month then). `revenue_booked` is the change in the team's revenue year to date
  (None when the two snapshots lie in different fiscal years: the totals do not compare).
* attainment change per manager, in percentage points (a manager in only one snapshot shows
  the side that exists);
* accounts that became at risk or recovered;
* escalations opened and closed: the growth of the running counts of escalations raised and
  resolved, or the change in the set of open ones where that says more (a reopened escalation
  counts as opened, one deleted while open as closed);
* payments received and target edits: the growth of the running totals.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ManagerFigures:
    name: str
    revenue: float
    target: float

    @property
    def attainment(self) -> float | None:
        return self.revenue / self.target if self.target > 0 else None


@dataclass(frozen=True)
class AccountFigures:
    name: str
    owner_id: int | None
    revenue: float          # fiscal year to date
    last_month: float       # the last complete month with revenue uploaded
    at_risk: bool


@dataclass(frozen=True)
class Snapshot:
    taken_at: datetime
    fiscal_year: str
    managers: dict[int, ManagerFigures] = field(default_factory=dict)
    accounts: dict[int, AccountFigures] = field(default_factory=dict)
    open_escalations: frozenset[int] = frozenset()
    escalations_raised: int = 0
    escalations_resolved: int = 0
    payments_received: float = 0.0
    target_edits: int = 0

    @property
    def revenue(self) -> float:
        return sum(a.revenue for a in self.accounts.values())


@dataclass(frozen=True)
class AttainmentChange:
    manager_id: int
    name: str
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        """Percentage points (0.05 = five points); None unless both sides exist."""
        return None if self.before is None or self.after is None else self.after - self.before


@dataclass(frozen=True)
class AccountMove:
    account_id: int
    name: str
    owner_id: int | None
    amount: float


@dataclass(frozen=True)
class ReviewDiff:
    since: datetime
    new_revenue: tuple[AccountMove, ...]
    lost_revenue: tuple[AccountMove, ...]
    revenue_booked: float | None
    attainment: tuple[AttainmentChange, ...]
    became_at_risk: tuple[AccountMove, ...]
    recovered: tuple[AccountMove, ...]
    escalations_opened: int
    escalations_closed: int
    payments_received: float
    target_edits: int

    @property
    def new_revenue_total(self) -> float:
        return sum(m.amount for m in self.new_revenue)

    @property
    def lost_revenue_total(self) -> float:
        return sum(m.amount for m in self.lost_revenue)


def _move(account_id: int, figures: AccountFigures, amount: float) -> AccountMove:
    return AccountMove(account_id, figures.name, figures.owner_id, amount)


def _by_amount(moves: list[AccountMove]) -> tuple[AccountMove, ...]:
    return tuple(sorted(moves, key=lambda m: (-abs(m.amount), m.name, m.account_id)))


def _revenue_changes(before: Snapshot, after: Snapshot) -> tuple[list, list]:
    new, lost = [], []
    for account_id, now in after.accounts.items():
        then = before.accounts.get(account_id)
        if now.last_month > 0 and (then is None or then.last_month <= 0):
            new.append(_move(account_id, now, now.last_month))
    for account_id, then in before.accounts.items():
        now = after.accounts.get(account_id)
        if then.last_month > 0 and (now is None or now.last_month <= 0):
            lost.append(_move(account_id, now or then, then.last_month))
    return new, lost


def _risk_changes(before: Snapshot, after: Snapshot) -> tuple[list, list]:
    became, recovered = [], []
    for account_id, now in after.accounts.items():
        was = before.accounts.get(account_id)
        if now.at_risk and (was is None or not was.at_risk):
            became.append(_move(account_id, now, now.last_month))
        elif was is not None and was.at_risk and not now.at_risk:
            recovered.append(_move(account_id, now, now.last_month))
    return became, recovered


def _attainment(before: Snapshot, after: Snapshot) -> tuple[AttainmentChange, ...]:
    rows = []
    for manager_id in set(before.managers) | set(after.managers):
        then, now = before.managers.get(manager_id), after.managers.get(manager_id)
        rows.append(AttainmentChange(manager_id, (now or then).name,
                                     then.attainment if then else None,
                                     now.attainment if now else None))
    # biggest movers first; managers without a change to show go last, by name
    return tuple(sorted(rows, key=lambda r: (r.change is None, -abs(r.change or 0), r.name)))


def diff(before: Snapshot, after: Snapshot) -> ReviewDiff:
    """What changed from `before` (the last review) to `after` (now or a later review)."""
    new, lost = _revenue_changes(before, after)
    became, recovered = _risk_changes(before, after)
    closed = max(after.escalations_resolved - before.escalations_resolved,
                 len(before.open_escalations - after.open_escalations))
    opened = max(after.escalations_raised - before.escalations_raised,
                 len(after.open_escalations - before.open_escalations))
    booked = (after.revenue - before.revenue if before.fiscal_year == after.fiscal_year else None)
    return ReviewDiff(
        since=before.taken_at, new_revenue=_by_amount(new), lost_revenue=_by_amount(lost),
        revenue_booked=booked, attainment=_attainment(before, after),
        became_at_risk=_by_amount(became), recovered=_by_amount(recovered),
        escalations_opened=opened, escalations_closed=closed,
        payments_received=max(after.payments_received - before.payments_received, 0.0),
        target_edits=max(after.target_edits - before.target_edits, 0))
