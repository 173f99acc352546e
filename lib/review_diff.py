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
* escalations opened and closed, each named (account, subject, severity): one raised since (or
  reopened) is opened; one resolved since, or deleted while open, is closed. Compared with a
  snapshot kept before escalations were kept one by one (`escalations` None), the counts are the
  growth of the running counts of escalations raised and resolved, or the change in the set of
  open ones where that says more, and only what the set of open ones proves is named;
* payments received: the growth of the running total. Each snapshot also keeps its watermark,
  the highest payment id when it was taken (ids only grow), so the payments received in between
  are those with an id above the earlier watermark and up to the later one; `diff` reports that
  range and lib.review lists them from the database. Compared with a snapshot kept before the
  watermark (None), only the total compares (no payment named);
* target edits: the growth of the running count.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


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
class EscalationFigures:
    account_id: int
    account: str
    subject: str
    severity: str | None
    state: str              # open, resolved or deleted

    @property
    def is_open(self) -> bool:
        return self.state == "open"


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
    # id -> details of every escalation; None in a snapshot kept before they were kept one by one
    escalations: dict[int, EscalationFigures] | None = None
    # the highest payment id when taken (0: no payment yet); None in a snapshot kept before it was
    payments_through: int | None = None

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
class EscalationMove:
    escalation_id: int
    account_id: int
    account: str
    subject: str
    severity: str | None
    state: str              # as it stands in the later snapshot (deleted: gone since)


@dataclass(frozen=True)
class PaymentMove:
    payment_id: int
    account_id: int
    account: str
    paid_on: date
    amount: float


@dataclass(frozen=True)
class PaymentsReceived:
    """The payments received in an id range: the biggest few, and how many there are in all
    and their total (lib.review.payments_between)."""
    biggest: tuple[PaymentMove, ...]   # biggest first
    count: int
    total: float

    @property
    def rest(self) -> int:
        return self.count - len(self.biggest)

    @property
    def rest_total(self) -> float:
        return self.total - sum(p.amount for p in self.biggest)


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
    opened: tuple[EscalationMove, ...] = ()      # named; fewer than the count when not provable
    closed: tuple[EscalationMove, ...] = ()
    # the payments received are those with payments_after < id <= payments_through; both None
    # (not itemised) when either snapshot has no watermark: then only the total compares
    payments_after: int | None = None
    payments_through: int | None = None

    @property
    def payments_itemised(self) -> bool:
        return self.payments_after is not None and self.payments_through is not None

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


_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def _escalation(escalation_id: int, e: EscalationFigures) -> EscalationMove:
    return EscalationMove(escalation_id, e.account_id, e.account, e.subject, e.severity, e.state)


def _by_severity(moves: list[EscalationMove]) -> tuple[EscalationMove, ...]:
    return tuple(sorted(moves, key=lambda m: (_SEVERITY_ORDER.get(m.severity or "medium", 4),
                                              m.account, m.escalation_id)))


def _escalation_changes(before: Snapshot, after: Snapshot) -> tuple[list, list]:
    """The escalations opened and closed, named. Without the earlier snapshot's details, only
    what its set of open ones proves: open now and not then (opened), open then and resolved
    or deleted now (closed)."""
    now, then = after.escalations, before.escalations
    opened, closed = [], []
    if now is None:
        return opened, closed
    for i, e in now.items():
        was = None if then is None else then.get(i)
        was_open = i in before.open_escalations if then is None else was is not None and was.is_open
        if e.is_open and not was_open:
            opened.append(_escalation(i, e))
        elif not e.is_open and was_open:
            closed.append(_escalation(i, e))
        elif then is not None and e.state == "resolved" and (was is None or was.state == "deleted"):
            # raised and resolved between the two snapshots: both opened and closed
            opened.append(_escalation(i, e))
            closed.append(_escalation(i, e))
    if then is not None:  # gone from the record altogether while open: closed
        closed += [_escalation(i, e) for i, e in then.items() if e.is_open and i not in now]
    return opened, closed


def diff(before: Snapshot, after: Snapshot) -> ReviewDiff:
    """What changed from `before` (the last review) to `after` (now or a later review)."""
    new, lost = _revenue_changes(before, after)
    became, recovered = _risk_changes(before, after)
    opened, closed = _escalation_changes(before, after)
    if before.escalations is not None and after.escalations is not None:
        opened_count, closed_count = len(opened), len(closed)
    else:
        closed_count = max(after.escalations_resolved - before.escalations_resolved,
                           len(before.open_escalations - after.open_escalations), len(closed))
        opened_count = max(after.escalations_raised - before.escalations_raised,
                           len(after.open_escalations - before.open_escalations), len(opened))
    watermarks = (before.payments_through, after.payments_through)
    itemised = None not in watermarks
    booked = (after.revenue - before.revenue if before.fiscal_year == after.fiscal_year else None)
    return ReviewDiff(
        since=before.taken_at, new_revenue=_by_amount(new), lost_revenue=_by_amount(lost),
        revenue_booked=booked, attainment=_attainment(before, after),
        became_at_risk=_by_amount(became), recovered=_by_amount(recovered),
        escalations_opened=opened_count, escalations_closed=closed_count,
        payments_received=max(after.payments_received - before.payments_received, 0.0),
        target_edits=max(after.target_edits - before.target_edits, 0),
        opened=_by_severity(opened), closed=_by_severity(closed),
        payments_after=watermarks[0] if itemised else None,
        payments_through=watermarks[1] if itemised else None)
