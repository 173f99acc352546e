"""What a manager's plan pays: per pay period, earned to date and projected to the period's end,
for the fiscal year, with the explanation the commission engine gives.

Crediting and the months to come are lib.comp_credit's: revenue goes to whoever owned the
account on the month's first day; the closed months are actual and the months to come follow
the manager's run-rate, for the accounts they own.

Who may see it (`read_compensation`): a manager their own, a director their team's, an admin
everyone's. Every function that returns pay takes the acting user and checks.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property, partial
from typing import TYPE_CHECKING, Callable, Iterable

import pandas as pd

from lib import comp_credit, comp_whatif
from lib.comp_plans import PlanBook
from lib.commission import Bonus, Clawback, Payout, Plan, QuotaError, payout
from lib.commission_text import money
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
    return require_all_visible(db, actor, [manager_id], action)[manager_id]


def require_all_visible(db: Database, actor: Actor, manager_ids: Iterable[int],
                        action: str = "read_compensation") -> dict[int, str]:
    """id -> name of each of `manager_ids`, in that order; refuses (see `require_visible`) at
    the first one `actor` may not do `action` to."""
    ids = list(manager_ids)
    names = dict(db.rows("SELECT id, name FROM account_managers "
                         "WHERE id IN (SELECT unnest(?::INTEGER[]))", [ids]))
    team = team_for(db, actor)
    for manager_id in ids:
        if manager_id not in names:
            raise NotFound(f"There is no account manager with id {manager_id}.")
        require(actor, action, owner_manager_id=manager_id, team=team,
                owner_name=names[manager_id])
    return {manager_id: names[manager_id] for manager_id in ids}


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

    @property
    def why_heading(self) -> str:
        return "Why this number" if self.status == "closed" else "Why this projection"

    @property
    def why(self) -> list[str]:
        """The sentences that explain the period's total; for a period not yet closed they start
        with where its projected revenue comes from, since the bands are then applied to it."""
        if self.at_end is None:
            return [self.problem or "No plan pays this period."]
        if self.status == "closed":
            return self.at_end.explanation
        m = partial(money, currency=self.at_end.result.plan.currency)
        months = f"{self.closed_months} closed month{'s' * (self.closed_months != 1)}"
        source = (f"Projected revenue: {m(self.actual)} credited in the {months} + "
                  f"{m(self.projected - self.actual)} expected in the months to come = "
                  f"{m(self.projected)}." if self.closed_months else
                  f"Projected revenue: {m(self.projected)}, all of it expected (no month of the "
                  "period has closed yet).")
        return [source, *self.at_end.explanation]


@dataclass(frozen=True)
class Statement:
    manager_id: int
    manager_name: str
    currency: str
    year: FiscalYear
    periods: tuple[PeriodPay, ...]  # the fiscal year's pay periods
    current: PeriodPay | None  # the period holding `day`
    closed_through: date | None  # the last month counted as actual
    method: str  # how the months to come are projected, in words
    missing_fx: int  # revenue or target rows left out for want of an FX rate
    future_by_account: dict[int, dict[date, Decimal]] = field(repr=False, default_factory=dict)
    # the current period's closed months: account -> credited revenue, and the accounts' names
    credited_by_account: dict[int, Decimal] = field(repr=False, default_factory=dict)
    account_names: dict[int, str] = field(repr=False, default_factory=dict)

    @cached_property
    def accounts(self) -> pd.DataFrame:
        """The current period's credited revenue by account (see comp_whatif.accounts); worked out when
        first asked for, as it prices every account (the team's totals never need it)."""
        return comp_whatif.accounts(self.account_names, self.credited_by_account,
                                    self.future_by_account, self.current)

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
    return statements(db, actor, [manager_id], today, focus=focus, moves=moves)[manager_id]


def statements(db: Database, actor: Actor, manager_ids: Iterable[int], today: date, *,
               focus: date | None = None,
               moves: Iterable[tuple[int, int, int]] = ()) -> dict[int, Statement]:
    """manager id -> `statement(...)` for each of `manager_ids`, in that order: every input
    (plans, credited revenue, quotas, books of accounts, adjustments) is read once for all of
    them, a query per kind and plan currency (or taken from `keep_everyone`'s, when kept).
    Refuses, like `statement`, if `actor` may not see any one of them."""
    names = require_all_visible(db, actor, manager_ids)
    moves = list(moves)
    if names and focus is None and not moves and (kept := db.kept(_everyone_key(today))):
        return {m: kept[m] for m in names}
    return _statements_of(db, names, today, focus or today, moves)


def _everyone_key(today: date) -> tuple:
    return ("compensation.everyone", today)


def everyone_kept(db: Database, today: date) -> bool:
    """Whether every manager's statement of `today` is kept at the current data version."""
    return db.kept(_everyone_key(today)) is not None


def keep_everyone(db: Database, today: date) -> None:
    """Every manager's statement of `today` (no focus, no moves), worked out once per data
    version for `statements` to hand to whoever may see them; lib.warmup calls it."""
    db.memo(_everyone_key(today), lambda: _statements_of(
        db, dict(db.rows("SELECT id, name FROM account_managers ORDER BY id")), today, today, []))


def _statements_of(db: Database, names: dict[int, str], today: date, focus: date,
                   moves: list[tuple[int, int, int]]) -> dict[int, Statement]:
    if not names:
        return {}
    ids = list(names)
    year = FiscalYear.containing(focus, fiscal_start_month(db))
    closed_through = last_closed_month(db, today)
    plans = PlanBook(db, ids)
    salary = _salary_currencies(db, ids)
    currency = {m: paid[1].currency if (paid := plans.paying(m, focus, focus)) else salary[m]
                for m in ids}
    first = {m: _history_start(plans.first_assignment(m), year) for m in ids}
    books = comp_credit.books(db, ids, today)
    adjustments = _adjustments(db, ids)
    out: dict[int, Statement] = {}
    for plan_currency in dict.fromkeys(currency.values()):
        group = {m: names[m] for m in ids if currency[m] == plan_currency}
        out |= _pay_group(db, group, plan_currency, plans, first, books, adjustments, moves,
                          year, closed_through, today, focus)
    return _with_account_names(db, {m: out[m] for m in ids})


def _pay_group(db, group, currency, plans, first, books, adjustments, moves, year,
               closed_through, today, focus) -> dict[int, Statement]:
    """The statements, but for the accounts' names, of `group` (id -> name): the managers paid
    in `currency`."""
    sources = {m: {a: source for a, source, target in moves if target == m != source}
               for m in group}
    start, last = min(first[m] for m in group), year.months[-1]
    everyone = list(dict.fromkeys([*group, *(s for by in sources.values() for s in by.values())]))
    credited = comp_credit.credited(db, everyone, start, last, currency)
    quota = comp_credit.quota(db, list(group), start, last, currency)
    book = {m: books[m].moved(moves, m, today.day == 1) for m in group}
    recent = comp_credit.recent(db, frozenset().union(*(b.this_month | b.after
                                                        for b in book.values())),
                                closed_through, currency)
    out = {}
    for m, name in group.items():
        data, targets = credited[m].since(first[m]), quota[m].since(first[m])
        pace, method = comp_credit.pace(data.amount, year, closed_through)
        future = comp_credit.future_by_account(
            recent, book[m], pace,
            _paces_of_sources(credited, sources[m], first[m], year, closed_through), today)
        periods = _pay_all(partial(plans.paying, m), data.amount, targets.amount, future,
                           adjustments.get(m, {}), first[m], year, closed_through, today)
        in_year = tuple(p for p in periods if p.period.year == year)
        current = next((p for p in in_year if focus.replace(day=1) in p.period.months), None)
        out[m] = Statement(m, name, currency, year, in_year, current, closed_through,
                           METHODS[method], data.missing + targets.missing, future)
    by_account = comp_credit.credited_by_account(
        db, {m: _closed_span(s.current) for m, s in out.items()
             if s.current is not None and s.current.closed_months}, currency)
    return {m: replace(s, credited_by_account=by_account.get(m, {})) for m, s in out.items()}


def _paces_of_sources(credited, sources, first, year, closed_through):
    """account -> the pace of the manager it would move from, for accounts moving in."""
    paces = {source: comp_credit.pace(credited[source].since(first).amount, year,
                                      closed_through)[0] for source in set(sources.values())}
    return {a: paces[source] for a, source in sources.items()}


def _closed_span(current: PeriodPay) -> tuple[date, date]:
    """The first and last of the period's closed months."""
    return current.period.months[0], current.period.months[current.closed_months - 1]


def _with_account_names(db: Database, statements: dict[int, Statement]) -> dict[int, Statement]:
    """The statements with the names of the accounts they credit or project."""
    ids = {a for s in statements.values() for a in (*s.credited_by_account, *s.future_by_account)}
    names = dict(db.rows("SELECT id, name FROM accounts WHERE id IN (SELECT unnest(?::INTEGER[]))",
                         [sorted(ids)])) if ids else {}
    return {m: replace(s, account_names={a: names[a] for a in (*s.credited_by_account,
                                                              *s.future_by_account) if a in names})
            for m, s in statements.items()}


def last_closed_month(db: Database, day: date) -> date | None:
    """The last month counted as actual: complete, and no later than the last month with any
    revenue uploaded (a closed month not yet uploaded is projected, not counted as nothing)."""
    last_complete = add_months(day.replace(day=1), -1)
    uploaded = db.value("SELECT max(month) FROM revenue WHERE month <= ?", [last_complete])
    return last_complete if uploaded is None else min(last_complete, uploaded)


def _salary_currencies(db: Database, manager_ids: list[int]) -> dict[int, str]:
    found = dict(db.rows("SELECT id, salary_currency FROM account_managers "
                         "WHERE id IN (SELECT unnest(?::INTEGER[]))", [manager_ids]))
    return {m: found.get(m) or "USD" for m in manager_ids}


def _history_start(first_assignment: date | None, year: FiscalYear) -> date:
    """Where to start carrying a draw balance from: the manager's first assignment, at most
    HISTORY_YEARS before this fiscal year, and never after last year (the projection's shape)."""
    earliest = FiscalYear(year.start_year - HISTORY_YEARS, year.start_month).first_month
    last_year = year.previous().first_month
    if first_assignment is None:
        return last_year
    start = FiscalYear.containing(first_assignment, year.start_month).first_month
    return min(max(start, earliest), last_year)


# ---- paying each period ---------------------------------------------------------------------------
Plans = Callable[[date, date], "tuple[str, Plan] | None"]  # first, last -> the plan paying them


def _pay_all(plans: Plans, actual_by_month: dict[date, Decimal],
             quota_by_month: dict[date, Decimal], future, adjustments, first, year, closed_through,
             day) -> list[PeriodPay]:
    """Every pay period from `first` to the end of `year`, carrying the draw balance owed."""
    future_by_month: dict[date, Decimal] = {}
    for months in future.values():
        for month, value in months.items():
            future_by_month[month] = future_by_month.get(month, ZERO) + value
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


def _periods_between(plans: Plans, first: date, year: FiscalYear) -> list[PayPeriod]:
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


def _pay(plans: Plans, period, status, closed, actual, projected, quota, adjustments,
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


def _adjustments(db: Database,
                 manager_ids: list[int]) -> dict[int, dict[date, tuple[tuple, tuple]]]:
    """manager -> period start -> (clawbacks, bonuses) recorded and not deleted."""
    rows = db.rows("SELECT manager_id, period_start, kind, amount, rate_pct, note "
                   "FROM comp_adjustments WHERE manager_id IN (SELECT unnest(?::INTEGER[])) "
                   "AND deleted_at IS NULL ORDER BY id", [manager_ids])
    out: dict[int, dict[date, tuple[list, list]]] = {}
    for manager_id, start, kind, amount, rate, note in rows:
        clawbacks, bonuses = out.setdefault(manager_id, {}).setdefault(start, ([], []))
        if kind == "clawback":
            clawbacks.append(Clawback(Decimal(amount), Decimal(rate), note))
        else:
            bonuses.append(Bonus(Decimal(amount), note))
    return {m: {k: (tuple(c), tuple(b)) for k, (c, b) in by_start.items()}
            for m, by_start in out.items()}


def pay_period_kind(db: Database, actor: Actor, manager_id: int, day: date) -> str:
    """month, quarter or year: the pay period of the plan paying the manager on `day`
    (a quarter when no plan does)."""
    require_visible(db, actor, manager_id)
    paid = PlanBook(db, [manager_id]).paying(manager_id, day, day)
    return paid[1].period if paid else "quarter"
