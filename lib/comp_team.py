"""Compensation across people: the team's cost against its budget, the market references,
moving accounts between managers (what-if, then apply), and bonuses and clawbacks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import pandas as pd

from lib import accounts as account_rules, fx
from lib.commission import cents, effective_rate
from lib.compensation import Statement, require_visible, statement, statements, visible_managers
from lib.db import Database, Tx
from lib.errors import NotFound, ValidationFailed, WriteConflict
from lib.periods import FiscalYear, fiscal_start_month, pay_period_of
from lib.errors import NotAllowed
from lib.permissions import NONE, refusal, scope

if TYPE_CHECKING:
    from lib.users import Actor

ZERO = Decimal(0)


# ---- market references (PRODUCT.md) ---------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    country: str
    source: str
    currency: str
    base_low: int
    base_high: int
    commission: int | None = None
    years: tuple[int, int | None] | None = None  # experience the figure is for


MARKET = (
    Reference("United States", "Indeed (average)", "USD", 63_297, 63_297, 18_000),
    Reference("United States", "Glassdoor (average)", "USD", 52_744, 52_744, 20_818),
    Reference("United States", "PayScale (average)", "USD", 59_055, 59_055),
    Reference("United Kingdom", "Average", "GBP", 32_959, 32_959),
    Reference("India", "Entry, 0–2 years", "INR", 400_000, 600_000, years=(0, 2)),
    Reference("India", "Mid, 3–6 years", "INR", 700_000, 1_000_000, years=(3, 6)),
    Reference("India", "Experienced, 7+ years", "INR", 1_200_000, 1_500_000, years=(7, None)),
)
_COUNTRY_OF = {"USD": "United States", "GBP": "United Kingdom", "INR": "India"}


def market_comparison(db: Database, actor: Actor, s: Statement, day: date) -> pd.DataFrame:
    """The market references in the manager's currency (this month's FX), beside the manager's
    own base and projected total for the year; the references for their own country and
    experience are marked."""
    years = _experience_years(db, s.manager_id, day)
    rows = []
    for ref in MARKET:
        factor = _factor(db, ref.currency, s.currency, day)
        if factor is None:
            continue
        low, high = cents(ref.base_low * factor), cents(ref.base_high * factor)
        commission = None if ref.commission is None else cents(ref.commission * factor)
        matches = (_COUNTRY_OF.get(s.currency) == ref.country
                   and (ref.years is None or years is None or _in_range(years, ref.years)))
        rows.append({"reference": f"{ref.country}: {ref.source}", "base": _range(low, high),
                     "commission": commission,
                     "total": None if commission is None or low != high else low + commission,
                     "closest": matches})
    frame = pd.DataFrame(rows, columns=["reference", "base", "commission", "total", "closest"])
    return frame


def _range(low: Decimal, high: Decimal) -> str:
    return f"{low:,.0f}" if low == high else f"{low:,.0f} – {high:,.0f}"


def _in_range(years: int, span: tuple[int, int | None]) -> bool:
    return span[0] <= years and (span[1] is None or years <= span[1])


def _experience_years(db: Database, manager_id: int, day: date) -> int | None:
    hired = db.value("SELECT hire_date FROM account_managers WHERE id = ?", [manager_id])
    return None if hired is None else (day - hired).days // 365


def _factor(db: Database, source: str, target: str, day: date) -> Decimal | None:
    """What one unit of `source` is worth in `target` in `day`'s month (latest rate)."""
    if source == target:
        return Decimal(1)
    sql = (f"WITH {fx.RATES_CTE}, {fx.factors('SELECT $month')} "
           "SELECT factor FROM fx_factors WHERE currency = $source")
    value = db.value(sql, {"month": day.replace(day=1), "source": source, "rep": target})
    return None if value is None else Decimal(str(value))


# ---- the team -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TeamView:
    table: pd.DataFrame  # one row per manager the actor may see
    currency: str
    total: Decimal  # projected base + variable pay for the year, in `currency`
    budget: dict[str, Any] | None  # fiscal_year, amount, currency, version (in its own currency)
    budget_in_currency: Decimal | None
    missing_fx: list[str]  # managers left out of the totals: no rate to `currency`
    year: FiscalYear


def team_view(db: Database, actor: Actor, day: date, currency: str) -> TeamView:
    """Each visible manager's base, projected variable pay and total for the fiscal year, in
    their plan's currency and in `currency`, the team's total, and the year's budget."""
    year = FiscalYear.containing(day, fiscal_start_month(db))
    rows, total, missing = [], ZERO, []
    managers = visible_managers(db, actor)
    pay = {m: s for m, s in statements(db, actor, managers, day).items()
           if any(p.plan for p in s.periods)}
    factors = {c: _factor(db, c, currency, day)
               for c in dict.fromkeys(s.currency for s in pay.values())}
    for manager_id, s in pay.items():
        name, factor, current = managers[manager_id], factors[s.currency], s.current
        rows.append({
            "manager_id": manager_id, "manager": name, "plan_currency": s.currency,
            "attainment": None if current is None else current.projected_attainment,
            "base": s.base_year, "variable": s.projected_variable_year,
            "total": s.projected_total_year,
            "total_in_currency": None if factor is None else cents(s.projected_total_year * factor),
        })
        if factor is None:
            missing.append(name)
        else:
            total += cents(s.projected_total_year * factor)
    budget = get_budget(db, year.start_year)
    in_currency = None
    if budget is not None:
        factor = _factor(db, budget["currency"], currency, day)
        in_currency = None if factor is None else cents(budget["amount"] * factor)
    table = pd.DataFrame(rows, columns=["manager_id", "manager", "plan_currency", "attainment",
                                        "base", "variable", "total", "total_in_currency"])
    return TeamView(table, currency, total, budget, in_currency, missing, year)


def get_budget(db: Database, fiscal_year: int) -> dict[str, Any] | None:
    return db.record("SELECT fiscal_year, amount, currency, version FROM comp_budgets "
                     "WHERE fiscal_year = ?", [fiscal_year])


def require_lead(actor: Actor, action: str) -> None:
    """Refuse, in words, anyone whose role may not do `action` to anybody at all."""
    if scope(actor, action) == NONE:
        raise NotAllowed(refusal(actor, action))


def set_budget(db: Database, actor: Actor, fiscal_year: int, amount: Any, currency: str,
               loaded_version: int | None) -> int:
    """Set the year's team pay budget; `loaded_version` None means none existed when loaded."""
    require_lead(actor, "edit_plans")
    value = _money(amount, "The budget")
    if value < 0:
        raise ValidationFailed(["The budget cannot be below zero."])
    if currency not in fx.currencies(db):
        raise ValidationFailed([f"There are no exchange rates for {currency}; choose another currency."])

    def work(tx: Tx) -> int:
        current = tx.execute("SELECT amount, currency, version FROM comp_budgets "
                             "WHERE fiscal_year = ?", [fiscal_year])
        version = current[0][2] if current else None
        if version != loaded_version:
            shown = ({"amount": current[0][0], "currency": current[0][1]} if current else {})
            raise WriteConflict("comp_budget", fiscal_year, shown, "someone else")
        if current:
            tx.execute("UPDATE comp_budgets SET amount = ?, currency = ?, version = version + 1, "
                       "updated_at = now()::TIMESTAMP, updated_by = ? WHERE fiscal_year = ?",
                       [value, currency, actor.id, fiscal_year])
        else:
            tx.execute("INSERT INTO comp_budgets (fiscal_year, amount, currency, updated_by) "
                       "VALUES (?, ?, ?, ?)", [fiscal_year, value, currency, actor.id])
        old = f"{current[0][0]} {current[0][1]}" if current else None
        tx.audit("update" if current else "create", "comp_budget", fiscal_year,
                 {"budget": [old, f"{value} {currency}"]})
        return (version or 0) + 1

    return db.write(actor, work)


# ---- moving accounts: what-if, then apply ---------------------------------------------------------
@dataclass(frozen=True)
class TerritoryChange:
    manager_id: int
    name: str
    currency: str
    before: Statement
    after: Statement


def territory_what_if(db: Database, actor: Actor, account_ids: list[int], source: int,
                      target: int, day: date) -> tuple[TerritoryChange, TerritoryChange]:
    """Both managers' pay before and after moving `account_ids` from `source` to `target`,
    from the month the move would count (see lib.compensation); nothing is saved."""
    require_lead(actor, "reassign_accounts")
    if source == target:
        raise ValidationFailed(["Choose two different managers to move accounts between."])
    if not account_ids:
        raise ValidationFailed(["Choose at least one account to move."])
    owned = {r[0] for r in db.rows("SELECT id FROM accounts WHERE owner_id = ? AND id IN "
                                   "(SELECT unnest(?::INTEGER[]))", [source, account_ids])}
    if missing := [a for a in account_ids if a not in owned]:
        raise ValidationFailed([f"{len(missing)} of the chosen accounts no longer belong to the "
                                "manager they would move from; choose them again."])
    moves = [(a, source, target) for a in account_ids]
    before = statements(db, actor, [source, target], day)
    after = statements(db, actor, [source, target], day, moves=moves)
    source_change, target_change = (
        TerritoryChange(m, before[m].manager_name, before[m].currency, before[m], after[m])
        for m in (source, target))
    return source_change, target_change


def apply_territory(db: Database, actor: Actor, account_ids: list[int], target: int,
                    day: date) -> int:
    """Reassign the accounts to `target` (an audited owner change with history); the count."""
    plan = account_rules.bulk_preview(db, actor, account_ids, "owner_id", target)
    return account_rules.bulk_apply(db, actor, plan, today=day)


# ---- bonuses and clawbacks ------------------------------------------------------------------------
def adjustments(db: Database, actor: Actor, manager_id: int) -> pd.DataFrame:
    """Bonuses and clawbacks recorded for the manager, newest first."""
    require_visible(db, actor, manager_id)
    return db.df(
        "SELECT a.id, a.period_start, a.kind, a.amount, a.rate_pct, a.original_period_start, "
        "a.note, a.created_at, u.display_name AS recorded_by, a.deleted_at "
        "FROM comp_adjustments a LEFT JOIN users u ON u.id = a.created_by "
        "WHERE a.manager_id = ? ORDER BY a.created_at DESC, a.id DESC", [manager_id])


def record_bonus(db: Database, actor: Actor, manager_id: int, day: date, amount: Any,
                 note: str) -> int:
    """A one-off bonus (a SPIF) paid with the pay period holding `day`."""
    _may_adjust(db, actor, manager_id)
    value, note = _positive(amount, "The bonus"), _note(note)
    period = _period_for(db, actor, manager_id, day)
    return _insert(db, actor, manager_id, period.first, "bonus", value, None, None, note)


def record_clawback(db: Database, actor: Actor, manager_id: int, day: date, original_day: date,
                    reversed_revenue: Any, note: str) -> int:
    """Take back commission on revenue reversed after it was paid on: `reversed_revenue` of the
    pay period holding `original_day`, at the effective rate that period paid, from the pay
    period holding `day`."""
    _may_adjust(db, actor, manager_id)
    value, note = _positive(reversed_revenue, "The reversed revenue"), _note(note)
    original_statement = statement(db, actor, manager_id, day, focus=original_day)
    original = original_statement.current
    if original is None or original.to_date is None or original.status != "closed":
        raise ValidationFailed(["A clawback takes back commission already paid: choose a pay "
                                "period that has closed and paid commission."])
    if value > original.actual:
        raise ValidationFailed([f"{original.period.label} credited {original.actual:,.2f}; "
                                f"{value:,.2f} cannot have been reversed from it."])
    rate = effective_rate(original.to_date.result)
    period = _period_for(db, actor, manager_id, day)
    if period.first <= original.period.first:
        raise ValidationFailed(["The clawback must be taken in a pay period after the one it "
                                "reverses."])
    return _insert(db, actor, manager_id, period.first, "clawback", value,
                   rate.quantize(Decimal("0.00000001")), original.period.first, note)


def delete_adjustment(db: Database, actor: Actor, adjustment_id: int) -> None:
    row = db.record("SELECT manager_id, kind, deleted_at FROM comp_adjustments WHERE id = ?",
                    [adjustment_id])
    if row is None or row["deleted_at"] is not None:
        raise NotFound("That bonus or clawback is already gone; the list has been refreshed.")
    _may_adjust(db, actor, row["manager_id"])

    def work(tx: Tx) -> None:
        done = tx.execute("UPDATE comp_adjustments SET deleted_at = now()::TIMESTAMP, "
                          "deleted_by = ? WHERE id = ? AND deleted_at IS NULL RETURNING id",
                          [actor.id, adjustment_id])
        if not done:
            raise NotFound("That bonus or clawback is already gone; the list has been refreshed.")
        tx.audit("delete", "comp_adjustment", adjustment_id, {"deleted": [False, True]})

    db.write(actor, work)


def _may_adjust(db: Database, actor: Actor, manager_id: int) -> None:
    require_visible(db, actor, manager_id, "edit_plans")


def _period_for(db: Database, actor: Actor, manager_id: int, day: date):
    s = statement(db, actor, manager_id, day)
    if s.current is None or s.current.plan is None:
        raise ValidationFailed([f"No compensation plan pays {s.manager_name} in {day:%B %Y}."])
    return pay_period_of(s.current.plan.period, day, fiscal_start_month(db))


def _insert(db, actor, manager_id, period_start, kind, amount, rate, original_start, note) -> int:
    def work(tx: Tx) -> int:
        new_id = tx.value(
            "INSERT INTO comp_adjustments (manager_id, period_start, kind, amount, rate_pct, "
            "original_period_start, note, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [manager_id, period_start, kind, amount, rate, original_start, note, actor.id])
        tx.audit("create", "comp_adjustment", new_id,
                 {"manager_id": [None, manager_id], "kind": [None, kind],
                  "amount": [None, str(amount)], "period": [None, period_start.isoformat()],
                  "note": [None, note]})
        return new_id

    return db.write(actor, work)


def _money(value: Any, what: str) -> Decimal:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed([f"{what} must be a number, like 1500 or 1,500.00."]) from None
    if not amount.is_finite():
        raise ValidationFailed([f"{what} must be a number, like 1500 or 1,500.00."])
    return cents(amount)


def _positive(value: Any, what: str) -> Decimal:
    amount = _money(value, what)
    if amount <= 0:
        raise ValidationFailed([f"{what} must be more than zero."])
    return amount


def _note(note: str) -> str:
    text = (note or "").strip()
    if not text:
        raise ValidationFailed(["Say what it is for in the note (e.g. the SPIF or the credit "
                                "note number), so the statement can explain it."])
    return text[:500]

