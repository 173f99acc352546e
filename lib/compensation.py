"""What a manager's plan pays: per pay period, earned to date and projected to the period's end,
for the fiscal year, with the explanation the commission engine gives.

Crediting and the months to come are lib.comp_credit's: revenue goes to whoever owned the
account on the month's first day; the closed months are actual and the months to come follow
the manager's run-rate, for the accounts they own.

Who may see it (`read_compensation`): a manager their own, a director their team's, an admin
everyone's. Every function that returns pay takes the acting user and checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable

import pandas as pd

from lib import comp_credit
from lib.comp_plans import assignment_for, engine_plan, plan_bands, plan_record, revision_in_force
from lib.commission import Bonus, Clawback, Payout, Plan, QuotaError, cents, payout, payout_curve
from lib.db import Database
from lib.errors import NotFound
from lib.periods import FiscalYear, PayPeriod, add_months, fiscal_start_month, pay_periods
from lib.permissions import ANY, NONE, OWN, require, scope, team_for
from lib.projection import METHODS

if TYPE_CHECKING:
    from lib.users import Actor

ZERO = Decimal(0)
HISTORY_YEARS = 3  # how far back a draw balance is carried from


# ---- who may see whose pay ------------------------------------------------------------------------
def visible_managers(db: Database, actor: Actor) -> dict[int, str]:
    """The managers whose pay `actor` may see, id -> name, by name."""
    reach = scope(actor, "read_compensation")
    if reach == NONE:
        return {}
    rows = db.rows("SELECT id, name FROM account_managers ORDER BY lower(name), id")
    if reach == ANY:
        return dict(rows)
    allowed = {actor.manager_id} if reach == OWN else set(team_for(db, actor))
    return {i: n for i, n in rows if i in allowed}


def paid_managers(db: Database) -> frozenset[int]:
    """The managers with any compensation plan assignment, past or present."""
    return frozenset(r[0] for r in db.rows("SELECT DISTINCT manager_id FROM comp_assignments"))


def require_visible(db: Database, actor: Actor, manager_id: int,
                    action: str = "read_compensation") -> str:
    """The manager's name; NotAllowed when `actor` may not do `action` (by default, see the
    manager's pay), NotFound if there is no such manager."""
    name = db.value("SELECT name FROM account_managers WHERE id = ?", [manager_id])
    if name is None:
        raise NotFound(f"There is no account manager with id {manager_id}.")
    require(actor, action, owner_manager_id=manager_id, team=team_for(db, actor), owner_name=name)
    return name


# ---- results --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodPay:
    period: PayPeriod
    status: str  # closed | open (begun, months still to come) | future
    plan_name: str | None
    plan: Plan | None
    quota: Decimal
    actual: Decimal  # credited in the closed months
    projected: Decimal  # actual + the run-rate for the months to come
    closed_months: int
    to_date: Payout | None  # on `actual`; None without a plan or a quota
    at_end: Payout | None  # on `projected`
    problem: str | None = None  # why there is no payout, in words

    @property
    def attainment(self) -> Decimal | None:
        return None if self.quota <= 0 else self.actual * 100 / self.quota

    @property
    def projected_attainment(self) -> Decimal | None:
        return None if self.quota <= 0 else self.projected * 100 / self.quota


@dataclass(frozen=True)
class Statement:
    manager_id: int
    manager_name: str
    currency: str
    year: FiscalYear
    periods: tuple[PeriodPay, ...]  # the fiscal year's pay periods
    current: PeriodPay | None  # the period holding `day`
    accounts: pd.DataFrame  # the current period's credited revenue by account (see _accounts)
    closed_through: date | None  # the last month counted as actual
    method: str  # how the months to come are projected, in words
    missing_fx: int  # revenue or target rows left out for want of an FX rate
    future_by_account: dict[int, dict[date, Decimal]] = field(repr=False, default_factory=dict)

    @property
    def base_year(self) -> Decimal:
        return sum((p.at_end.base for p in self.periods if p.at_end), ZERO)

    @property
    def earned_year_to_date(self) -> Decimal:
        """Variable pay earned in the closed periods plus the current one so far."""
        return sum((p.to_date.earned for p in self.periods
                    if p.to_date and p.status != "future"), ZERO)

    @property
    def projected_variable_year(self) -> Decimal:
        return sum((p.at_end.earned + p.at_end.draw.kept for p in self.periods if p.at_end), ZERO)

    @property
    def projected_total_year(self) -> Decimal:
        return sum((p.at_end.total_compensation for p in self.periods if p.at_end), ZERO)


# ---- the statement --------------------------------------------------------------------------------
def statement(db: Database, actor: Actor, manager_id: int, today: date, *,
              focus: date | None = None, moves: Iterable[tuple[int, int, int]] = ()) -> Statement:
    """The manager's pay for the fiscal year holding `focus` (default today), with the pay
    period holding `focus` as `current`. Months closed by `today` are actual, the rest projected.

    `moves` are what-if reassignments (account_id, from_manager_id, to_manager_id) made today:
    nothing is saved; the months to come are credited as if they had been made.
    """
    name = require_visible(db, actor, manager_id)
    focus = focus or today
    year = FiscalYear.containing(focus, fiscal_start_month(db))
    current_plan = _plan_in_force(db, manager_id, focus, focus)
    currency = current_plan[1].currency if current_plan else _salary_currency(db, manager_id)
    closed_through = last_closed_month(db, today)
    first = _history_start(db, manager_id, year)
    data = comp_credit.credited(db, [manager_id], first, year.months[-1], currency)
    quota = comp_credit.quota(db, [manager_id], first, year.months[-1], currency)
    moves = list(moves)
    book = comp_credit.book(db, manager_id, today).moved(moves, manager_id, today.day == 1)
    recent = comp_credit.recent(db, book.this_month | book.after, closed_through, currency)
    pace, method = comp_credit.pace(data, year, closed_through)
    future = comp_credit.future_by_account(recent, book, pace,
                                _paces_of_sources(db, moves, manager_id, first, year,
                                                  closed_through, currency), today)
    periods = _pay_all(db, manager_id, data, quota, future, first, year, closed_through, today)
    in_year = tuple(p for p in periods if p.period.year == year)
    current = next((p for p in in_year if focus.replace(day=1) in p.period.months), None)
    accounts = _accounts(db, data, future, current)
    missing = int(data["no_rate"].sum()) + int(quota["no_rate"].sum()) if len(data) + len(quota) else 0
    return Statement(manager_id, name, currency, year, in_year, current, accounts, closed_through,
                     METHODS[method], missing, future)


def _paces_of_sources(db, moves, manager_id, first, year, closed_through, currency):
    """account -> the pace of the manager it would move from, for accounts moving in."""
    sources = {a: source for a, source, target in moves if target == manager_id != source}
    paces = {source: comp_credit.pace(comp_credit.credited(db, [source], first, year.months[-1], currency), year,
                           closed_through)[0] for source in set(sources.values())}
    return {a: paces[source] for a, source in sources.items()}


def last_closed_month(db: Database, day: date) -> date | None:
    """The last month counted as actual: complete, and no later than the last month with any
    revenue uploaded (a closed month not yet uploaded is projected, not counted as nothing)."""
    last_complete = add_months(day.replace(day=1), -1)
    uploaded = db.value("SELECT max(month) FROM revenue WHERE month <= ?", [last_complete])
    return last_complete if uploaded is None else min(last_complete, uploaded)


def _plan_in_force(db: Database, manager_id: int, first: date, last: date) -> tuple[str, Plan] | None:
    """(plan name, engine Plan with the base per period) paying `manager_id` for first..last."""
    assignment = assignment_for(db, manager_id, first, last)
    if assignment is None:
        return None
    revision = revision_in_force(db, assignment.plan_id, first)
    if revision is None:
        return None
    record = plan_record(db, revision)
    return record["name"], engine_plan(record, plan_bands(db, revision), assignment.base_salary)


class _Plans:
    """The plan paying one manager for a span of days, read once per span."""

    def __init__(self, db: Database, manager_id: int) -> None:
        self.db, self.manager_id = db, manager_id
        self.seen: dict[tuple[date, date], tuple[str, Plan] | None] = {}

    def __call__(self, first: date, last: date) -> tuple[str, Plan] | None:
        if (first, last) not in self.seen:
            self.seen[(first, last)] = _plan_in_force(self.db, self.manager_id, first, last)
        return self.seen[(first, last)]


def _salary_currency(db: Database, manager_id: int) -> str:
    return db.value("SELECT coalesce(salary_currency, 'USD') FROM account_managers WHERE id = ?",
                    [manager_id]) or "USD"


def _history_start(db: Database, manager_id: int, year: FiscalYear) -> date:
    """Where to start carrying a draw balance from: the manager's first assignment, at most
    HISTORY_YEARS before this fiscal year, and never after last year (the projection's shape)."""
    earliest = FiscalYear(year.start_year - HISTORY_YEARS, year.start_month).first_month
    first = db.value("SELECT min(effective_from) FROM comp_assignments WHERE manager_id = ?",
                     [manager_id])
    last_year = year.previous().first_month
    if first is None:
        return last_year
    start = FiscalYear.containing(first, year.start_month).first_month
    return min(max(start, earliest), last_year)


# ---- paying each period ---------------------------------------------------------------------------
def _pay_all(db, manager_id, data, quota, future, first, year, closed_through, day) -> list[PeriodPay]:
    """Every pay period from `first` to the end of `year`, carrying the draw balance owed."""
    actual_by_month = dict(zip(_month_list(first, year.months[-1]),
                               comp_credit.monthly(data, _month_list(first, year.months[-1]))))
    quota_by_month = dict(zip(_month_list(first, year.months[-1]),
                              comp_credit.monthly(quota, _month_list(first, year.months[-1]))))
    future_by_month: dict[date, Decimal] = {}
    for months in future.values():
        for month, value in months.items():
            future_by_month[month] = future_by_month.get(month, ZERO) + value
    adjustments = _adjustments(db, manager_id)
    plans = _Plans(db, manager_id)
    balance_to_date = balance_at_end = ZERO
    out = []
    for period in _periods_between(plans, first, year):
        closed = [m for m in period.months if closed_through is not None and m <= closed_through]
        actual = sum((actual_by_month.get(m, ZERO) for m in closed), ZERO)
        projected = actual + sum((future_by_month.get(m, ZERO) for m in period.months
                                  if m not in closed), ZERO)
        status = ("closed" if len(closed) == len(period.months) else
                  "open" if period.first <= day else "future")
        pay = _pay(plans, period, status, len(closed), actual, projected,
                   sum((quota_by_month.get(m, ZERO) for m in period.months), ZERO),
                   adjustments.get(period.first, ((), ())), balance_to_date, balance_at_end)
        if pay.at_end is not None:
            balance_to_date = pay.to_date.draw.balance_after if status == "closed" else balance_to_date
            balance_at_end = pay.at_end.draw.balance_after
        out.append(pay)
    return out


def _month_list(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def _periods_between(plans: _Plans, first: date, year: FiscalYear) -> list[PayPeriod]:
    """The pay periods from `first` through `year`, by the pay period of the plan in force
    (a year without a plan is counted in quarters, which pay nothing)."""
    periods = []
    for start_year in range(first.year - 1, year.start_year + 1):
        fiscal = FiscalYear(start_year, year.start_month)
        if fiscal.months[-1] < first:
            continue
        paid = plans(fiscal.first_month, fiscal.months[-1])
        kind = paid[1].period if paid else "quarter"
        periods += [p for p in pay_periods(kind, fiscal) if p.first >= first]
    return periods


def _pay(plans, period, status, closed, actual, projected, quota, adjustments,
         balance_to_date, balance_at_end) -> PeriodPay:
    paid = plans(period.first, period.last_day)
    common = dict(period=period, status=status, quota=quota, actual=actual, projected=projected,
                  closed_months=closed)
    if paid is None:
        return PeriodPay(plan_name=None, plan=None, to_date=None, at_end=None,
                         problem=f"No compensation plan pays for {period.label}.", **common)
    name, plan = paid
    clawbacks, bonuses = adjustments
    try:
        to_date = payout(plan, quota, actual, draw_balance=balance_to_date,
                         clawbacks=clawbacks, bonuses=bonuses)
        at_end = payout(plan, quota, projected, draw_balance=balance_at_end,
                        clawbacks=clawbacks, bonuses=bonuses)
    except QuotaError:
        return PeriodPay(plan_name=name, plan=plan, to_date=None, at_end=None,
                         problem=f"There is no quota (target) for {period.label}, so attainment "
                                 "and commission cannot be worked out. Set the manager's targets "
                                 "on the Targets page.", **common)
    return PeriodPay(plan_name=name, plan=plan, to_date=to_date, at_end=at_end, **common)


def _adjustments(db: Database, manager_id: int) -> dict[date, tuple[tuple, tuple]]:
    """period start -> (clawbacks, bonuses) recorded for the manager and not deleted."""
    rows = db.rows("SELECT period_start, kind, amount, rate_pct, note FROM comp_adjustments "
                   "WHERE manager_id = ? AND deleted_at IS NULL ORDER BY id", [manager_id])
    out: dict[date, tuple[list, list]] = {}
    for start, kind, amount, rate, note in rows:
        clawbacks, bonuses = out.setdefault(start, ([], []))
        if kind == "clawback":
            clawbacks.append(Clawback(Decimal(amount), Decimal(rate), note))
        else:
            bonuses.append(Bonus(Decimal(amount), note))
    return {k: (tuple(c), tuple(b)) for k, (c, b) in out.items()}


# ---- by account -----------------------------------------------------------------------------------
def _accounts(db: Database, data: pd.DataFrame, future: dict[int, dict[date, Decimal]],
              current: PeriodPay | None) -> pd.DataFrame:
    """The current period's credited revenue by account: account_id, account, actual,
    projected (actual + its share of the run-rate) and worth (what the account adds to the
    projected commission: the payout with it minus the payout without it)."""
    columns = ["account_id", "account", "actual", "projected", "worth"]
    if current is None:
        return pd.DataFrame(columns=columns)
    months = set(current.period.months)
    closed = set(current.period.months[:current.closed_months])
    in_period = data[data["month"].isin(closed) & data["amount"].notna()]
    actual = in_period.groupby("account_id")["amount"].agg(lambda s: sum(s, ZERO)).to_dict()
    ahead = {a: sum((v for m, v in by_month.items() if m in months and m not in closed), ZERO)
             for a, by_month in future.items()}
    ids = sorted(set(actual) | {a for a, v in ahead.items() if v})
    if not ids:
        return pd.DataFrame(columns=columns)
    names = dict(db.rows("SELECT id, name FROM accounts WHERE id IN (SELECT unnest(?::INTEGER[]))",
                         [ids]))
    rows = []
    for account_id in ids:
        projected = actual.get(account_id, ZERO) + ahead.get(account_id, ZERO)
        rows.append([account_id, names.get(account_id, f"#{account_id}"),
                     actual.get(account_id, ZERO), projected, _worth(current, projected)])
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["worth", "projected"], ascending=False, ignore_index=True)


def _worth(current: PeriodPay, revenue: Decimal) -> Decimal | None:
    if current.at_end is None:
        return None
    without = commission_at(current, current.projected - revenue)
    return current.at_end.result.commission - without


# ---- what-if --------------------------------------------------------------------------------------
def commission_at(pay: PeriodPay, credited: Decimal) -> Decimal:
    """The period's commission (bands, threshold, cap) had `credited` been credited."""
    if pay.plan is None or pay.quota <= 0:
        return ZERO
    return payout(pay.plan, pay.quota, max(ZERO, cents(credited))).result.commission


def what_if_more(pay: PeriodPay, extra: Any) -> Payout | None:
    """The period's projected payout with another `extra` booked on top of the projection."""
    if pay.plan is None or pay.quota <= 0 or pay.at_end is None:
        return None
    return _again(pay, pay.projected + cents(Decimal(str(extra))))


def what_if_attainment(pay: PeriodPay, attainment_pct: Any) -> Payout | None:
    """The period's payout had attainment reached `attainment_pct` percent of quota."""
    if pay.plan is None or pay.quota <= 0 or pay.at_end is None:
        return None
    return _again(pay, cents(pay.quota * Decimal(str(attainment_pct)) / 100))


def _again(pay: PeriodPay, credited: Decimal) -> Payout:
    end = pay.at_end
    return payout(pay.plan, pay.quota, max(ZERO, credited), draw_balance=end.draw.balance_before,
                  clawbacks=end.clawbacks, bonuses=end.bonuses)


def curve(pay: PeriodPay, what_if: Payout | None = None) -> tuple[list[tuple[Decimal, Decimal]],
                                                                  list[tuple[str, Decimal, Decimal]]]:
    """The period's payout curve (attainment %, commission) and the marks to put on it: now,
    projected, and a what-if when given. Empty without a plan or a quota."""
    if pay.plan is None or pay.quota <= 0 or pay.to_date is None:
        return [], []
    marks = [("Now", pay.attainment, pay.to_date.result.commission),
             ("Projected", pay.projected_attainment, pay.at_end.result.commission)]
    if what_if is not None:
        marks.append(("What-if", what_if.result.attainment_pct, what_if.result.commission))
    top = max([Decimal(200)] + [m[1] + 20 for m in marks])
    steps = [Decimal(x) for x in range(0, int(top) + 1, 2)]
    return payout_curve(pay.plan, pay.quota, steps), marks


def pay_period_kind(db: Database, actor: Actor, manager_id: int, day: date) -> str:
    """month, quarter or year: the pay period of the plan paying the manager on `day`
    (a quarter when no plan does)."""
    require_visible(db, actor, manager_id)
    paid = _plan_in_force(db, manager_id, day, day)
    return paid[1].period if paid else "quarter"
