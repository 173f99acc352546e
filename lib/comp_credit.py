"""Revenue credited to managers and the months to come, in the plan's currency: the data the
compensation statement (lib.compensation) pays on.

Crediting: revenue of a month goes to whoever owned the account on the month's first day
(account_history holds every owner change with its effective date), so a reassignment counts
from the first full month it covers. Revenue and quota are converted to the plan's currency
per month and rounded to the cent in SQL, so every sum after that is exact.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from lib import fx
from lib.commission import cents
from lib.db import Database
from lib.periods import FiscalYear, add_months
from lib.projection import project

ZERO = Decimal(0)
RECENT_MONTHS = 3  # the months that share out the projection among accounts


# ---- credited revenue and quota, in SQL -----------------------------------------------------------
_MONTHS = "SELECT unnest(generate_series($first, $last, INTERVAL 1 MONTH))::DATE"

# Ownership spans from the owner history: before the first change, the first change's old
# owner; accounts never reassigned, their owner throughout.
OWNER_SPANS = """changes AS (
        SELECT account_id, id, changed_on, TRY_CAST(old_value AS INTEGER) AS old_owner,
               TRY_CAST(new_value AS INTEGER) AS new_owner
        FROM account_history WHERE field = 'owner_id'),
    spans AS (
        SELECT account_id, new_owner AS owner_id, changed_on AS since,
               lead(changed_on) OVER (PARTITION BY account_id ORDER BY changed_on, id) AS until
        FROM changes
        UNION ALL
        SELECT account_id, arg_min_null(old_owner, (changed_on, id)), DATE '1900-01-01',
               min(changed_on)
        FROM changes GROUP BY account_id
        UNION ALL
        SELECT id, owner_id, DATE '1900-01-01', NULL FROM accounts
        WHERE id NOT IN (SELECT account_id FROM changes))"""


def _in_currency(table: str) -> str:
    return (f"CASE WHEN {table}.currency = $rep THEN {table}.amount "
            f"ELSE round({table}.amount * f.factor::DECIMAL(30,12), 2)::DECIMAL(18,2) END")


@dataclass(frozen=True)
class Monthly:
    """One manager's figures by month, in the plan's currency: month -> amount (the rows with an
    FX rate), and month -> how many rows were left out for want of one."""

    amount: dict[date, Decimal]
    no_rate: dict[date, int]

    def since(self, first: date) -> Monthly:
        return Monthly({m: v for m, v in self.amount.items() if m >= first},
                       {m: n for m, n in self.no_rate.items() if m >= first})

    @property
    def missing(self) -> int:
        return sum(self.no_rate.values())


_CREDITED = f"""WITH {fx.RATES_CTE}, {fx.factors(_MONTHS)}, {OWNER_SPANS},
    windows AS (
        SELECT unnest($managers::INTEGER[]) AS manager_id, unnest($firsts::DATE[]) AS first,
               unnest($lasts::DATE[]) AS last),
    credited AS (
        SELECT s.owner_id AS manager_id, r.account_id, r.month, r.amount, r.currency
        FROM revenue r JOIN spans s ON s.account_id = r.account_id AND s.since <= r.month
             AND (s.until IS NULL OR s.until > r.month)
        JOIN windows w ON w.manager_id = s.owner_id AND r.month BETWEEN w.first AND w.last
        WHERE r.month BETWEEN $first AND $last),
    converted AS (
        SELECT c.manager_id, c.account_id, c.month,
               CASE WHEN f.factor IS NULL AND c.currency <> $rep THEN NULL
                    ELSE {_in_currency('c')} END AS amount,
               f.factor IS NULL AND c.currency <> $rep AS no_rate
        FROM credited c LEFT JOIN fx_factors f ON f.currency = c.currency AND f.month = c.month)"""


def _credited_rows(db: Database, select: str, windows: dict[int, tuple[date, date]],
                   currency: str) -> list[tuple]:
    """`select` over `converted` (manager_id, account_id, month, amount, no_rate): the revenue
    credited to each manager in its window of months (first, last)."""
    if not windows:
        return []
    return db.rows(f"{_CREDITED} {select}", {
        "managers": list(windows), "firsts": [w[0] for w in windows.values()],
        "lasts": [w[1] for w in windows.values()], "first": min(w[0] for w in windows.values()),
        "last": max(w[1] for w in windows.values()), "rep": currency})


def credited(db: Database, managers: list[int], first: date, last: date,
             currency: str) -> dict[int, Monthly]:
    """manager -> the revenue credited to them, month by month, first..last."""
    rows = _credited_rows(db, "SELECT manager_id, month, sum(amount), count_if(no_rate) "
                              "FROM converted GROUP BY ALL",
                          {m: (first, last) for m in managers}, currency)
    return _monthly(managers, rows)


def credited_by_account(db: Database, windows: dict[int, tuple[date, date]],
                        currency: str) -> dict[int, dict[int, Decimal]]:
    """manager -> account -> the revenue credited to the manager from the account over the
    manager's window of months (first, last), counting the rows with an FX rate."""
    rows = _credited_rows(db, "SELECT manager_id, account_id, sum(amount) FROM converted "
                              "WHERE amount IS NOT NULL GROUP BY ALL", windows, currency)
    out: dict[int, dict[int, Decimal]] = {m: {} for m in windows}
    for manager_id, account_id, amount in rows:
        out[manager_id][account_id] = amount
    return out


def quota(db: Database, managers: list[int], first: date, last: date,
          currency: str) -> dict[int, Monthly]:
    """manager -> their targets, month by month, first..last."""
    sql = f"""WITH {fx.RATES_CTE}, {fx.factors(_MONTHS)}
    SELECT t.manager_id, t.month,
           sum(CASE WHEN f.factor IS NULL AND t.currency <> $rep THEN NULL
                    ELSE {_in_currency('t')} END),
           count_if(f.factor IS NULL AND t.currency <> $rep)
    FROM manager_targets t LEFT JOIN fx_factors f ON f.currency = t.currency AND f.month = t.month
    WHERE t.manager_id IN (SELECT unnest($managers::INTEGER[])) AND t.month BETWEEN $first AND $last
    GROUP BY ALL"""
    rows = db.rows(sql, {"managers": managers, "first": first, "last": last, "rep": currency})
    return _monthly(managers, rows)


def _monthly(managers: list[int], rows: list[tuple]) -> dict[int, Monthly]:
    """Rows of (manager_id, month, amount or NULL, rows without a rate) by manager."""
    out = {m: Monthly({}, {}) for m in managers}
    for manager_id, month, amount, no_rate in rows:
        if amount is not None:
            out[manager_id].amount[month] = amount
        if no_rate:
            out[manager_id].no_rate[month] = no_rate
    return out


# ---- the months to come ---------------------------------------------------------------------------
def monthly(amounts: dict[date, Decimal], months: list[date]) -> list[Decimal]:
    return [amounts.get(m, ZERO) for m in months]


@dataclass(frozen=True)
class Book:
    """The accounts a manager will be credited with in the months to come: those owned on the
    current month's first day (this month) and those owned now (the months after)."""

    this_month: frozenset[int]
    after: frozenset[int]

    def moved(self, moves: list[tuple[int, int, int]], manager_id: int, first_of_month: bool) -> Book:
        lose = {a for a, source, _ in moves if source == manager_id}
        gain = {a for a, _, target in moves if target == manager_id}
        after = (self.after - lose) | gain
        this_month = (self.this_month - lose) | gain if first_of_month else self.this_month
        return Book(frozenset(this_month), frozenset(after))


def books(db: Database, managers: list[int], day: date) -> dict[int, Book]:
    """manager -> their Book on `day`."""
    sql = f"""WITH {OWNER_SPANS}
        SELECT owner_id, account_id FROM spans
        WHERE owner_id IN (SELECT unnest($managers::INTEGER[])) AND since <= $month
            AND (until IS NULL OR until > $month)"""
    this_month = _by_manager(managers, db.rows(sql, {"managers": managers,
                                                     "month": day.replace(day=1)}))
    after = _by_manager(managers, db.rows(
        "SELECT owner_id, id FROM accounts WHERE owner_id IN (SELECT unnest(?::INTEGER[])) "
        "AND archived_at IS NULL", [managers]))
    return {m: Book(frozenset(this_month[m]), frozenset(after[m])) for m in managers}


def _by_manager(managers: list[int], rows: list[tuple[int, int]]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {m: set() for m in managers}
    for manager_id, account_id in rows:
        out[manager_id].add(account_id)
    return out


def recent(db: Database, accounts: frozenset[int], closed_through: date | None,
            currency: str) -> dict[int, Decimal]:
    """Each account's average month over the last RECENT_MONTHS closed months, whoever was
    credited with it, in `currency`."""
    if closed_through is None or not accounts:
        return {}
    first = add_months(closed_through, 1 - RECENT_MONTHS)
    sql = f"""WITH {fx.RATES_CTE}, {fx.factors(_MONTHS)}
    SELECT r.account_id, sum({_in_currency('r')}) FROM revenue r
    JOIN fx_factors f ON f.currency = r.currency AND f.month = r.month
    WHERE r.account_id IN (SELECT unnest($accounts::INTEGER[])) AND r.month BETWEEN $first AND $last
    GROUP BY r.account_id"""
    rows = db.rows(sql, {"accounts": sorted(accounts), "first": first, "last": closed_through,
                         "rep": currency})
    return {a: Decimal(total) / RECENT_MONTHS for a, total in rows if total is not None}


def pace(credited: dict[date, Decimal], year: FiscalYear,
         closed_through: date | None) -> tuple[dict[date, Decimal], str]:
    """month -> how the manager's run-rate sees each month to come, against their recent
    average month (1.1 = 10% above it), and the projection method's key; `credited` is the
    revenue credited to the manager by month (Monthly.amount)."""
    months = year.months
    elapsed = sum(1 for m in months if closed_through is not None and m <= closed_through)
    actual = [float(v) for v in monthly(credited, months[:elapsed])]
    last_year = [float(v) for v in monthly(credited, year.previous().months)]
    projection = project(actual, last_year if any(last_year) else ())
    recent = ZERO
    if closed_through is not None:
        window = [add_months(closed_through, -i) for i in range(RECENT_MONTHS)]
        recent = sum(monthly(credited, window), ZERO) / RECENT_MONTHS
    pace = {month: (Decimal(repr(estimate.point)) / recent if recent > 0 else Decimal(1))
            for month, estimate in zip(months[elapsed:], projection.months)}
    return pace, projection.method


def future_by_account(recent: dict[int, Decimal], book: Book, pace: dict[date, Decimal],
                       own_pace: dict[int, dict[date, Decimal]],
                       today: date) -> dict[int, dict[date, Decimal]]:
    """account -> month -> projected revenue for the fiscal year's months still to come.

    Each month to come is the manager's run-rate (lib.projection, on the revenue credited to
    them); an account's part of it is its recent average month times that pace, so a book
    handed over stops projecting. An account moved in keeps the pace of the manager it came
    from (`own_pace`): moving it changes who is paid, not what it earns.
    """
    this_month = today.replace(day=1)
    future: dict[int, dict[date, Decimal]] = {}
    for month, factor in pace.items():
        for account_id in (book.after if month > this_month else book.this_month):
            factor_here = own_pace.get(account_id, {}).get(month, factor)
            amount = cents(recent.get(account_id, ZERO) * factor_here)
            if amount:
                future.setdefault(account_id, {})[month] = amount
    return future
