"""The monthly sales report's figures: one month and its fiscal year to date, for the whole team,
in one reporting currency.

The team's revenue, target and projection come from lib.performance, collections from
lib.collections as of the month's last day, budgets from lib.budgets; the per-account and
per-manager tables below convert with the same lib.fx factors, so their sums are the team's.
"Year to date" is the fiscal year holding the month, from its first month through the month.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, get_args

import pandas as pd

from lib import fx
from lib.budgets import BudgetView, budget_view
from lib.collections import CollectionsView, collections_view
from lib.db import Database, bound
from lib.errors import NotAllowed, ValidationFailed
from lib.models import InteractionType
from lib.performance import RevenueView, Scope, revenue_vs_target
from lib.periods import FiscalYear, add_months, fiscal_start_month
from lib.permissions import can
from lib.users import Actor

INTERACTION_TYPES = get_args(InteractionType)
REFUSED = "Only a director or an admin can take the monthly sales report."


@dataclass(frozen=True)
class MonthlyFigures:
    month: date
    currency: str
    fiscal: FiscalYear
    revenue: RevenueView          # the team's fiscal year, actuals through `month`
    accounts: pd.DataFrame        # one row per account with revenue or a target this year
    managers: pd.DataFrame        # one row per owner (No owner included), best YTD first
    collections: CollectionsView  # as of the month's last day
    budgets: BudgetView           # the fiscal year, spend through `month`
    interactions: pd.DataFrame    # manager, one column per type, total
    missing_fx: int               # rows left out of the sums: no rate to `currency`

    @property
    def month_label(self) -> str:
        return f"{self.month:%B %Y}"

    @property
    def ytd_label(self) -> str:
        return f"{self.fiscal.label} to date ({self.fiscal.first_month:%b %Y} – {self.month:%b %Y})"

    @property
    def month_end(self) -> date:
        return add_months(self.month, 1) - timedelta(days=1)


def monthly_figures(db: Database, actor: Actor, month: date, currency: str) -> MonthlyFigures:
    """Every figure of the report. Directors and admins only (NotAllowed otherwise); an unknown
    currency is a ValidationFailed. A month with no data gives empty tables, not an error."""
    if not can(actor, "run_review"):
        raise NotAllowed(REFUSED)
    currency = _checked_currency(db, currency)
    month = month.replace(day=1)
    start = fiscal_start_month(db)
    # lib.performance and lib.budgets count the months complete on `today`: the day after the
    # report month makes that month the last complete one.
    after = add_months(month, 1)
    team = Scope()
    revenue = revenue_vs_target(db, actor, team, currency=currency, today=after, fiscal_start=start)
    budgets = budget_view(db, actor, team, currency=currency, today=after, fiscal_start=start)
    ends = after - timedelta(days=1)
    collections = collections_view(db, actor, team, currency=currency, today=ends)
    fiscal = FiscalYear.containing(month, start)
    params = {"rep": currency, "month": month, "fy_from": fiscal.first_month, "next": after}
    accounts = account_table(db, params)
    managers = manager_table(db, params)
    return MonthlyFigures(month, currency, fiscal, revenue, accounts, managers, collections,
                          budgets, interaction_counts(db, params),
                          revenue.missing_fx + budgets.missing_fx + collections.missing_fx)


def _checked_currency(db: Database, currency: str | None) -> str:
    chosen = (currency or fx.default_reporting_currency(db)).strip().upper()
    known = fx.currencies(db)
    if chosen not in known:
        raise ValidationFailed([f"Currency: {chosen!r} has no FX rates here; choose one of "
                                f"{', '.join(known)}"])
    return chosen


# ---- revenue vs target per account and per manager ------------------------------------------------
_YEAR_MONTHS = "SELECT unnest(generate_series($fy_from, $month, INTERVAL 1 MONTH))::DATE"


def _converted_sql() -> str:
    """kind ('revenue' | 'target' | 'quota'), subject id, month, amount in $rep, factor; for the
    fiscal year through $month. Accounts are the team scope's (archived ones left out)."""
    return f"""{fx.RATES_CTE}, {fx.factors(_YEAR_MONTHS)},
    scoped AS ({Scope().accounts_sql()}),
    parts AS (
        SELECT 'revenue' AS kind, r.account_id AS id, r.month, r.currency, sum(r.amount) AS amount,
               count(*) AS n
        FROM revenue r JOIN scoped s ON s.id = r.account_id
        WHERE r.month BETWEEN $fy_from AND $month GROUP BY ALL
        UNION ALL
        SELECT 'target', t.account_id, t.month, t.currency, sum(t.amount), count(*)
        FROM account_targets t JOIN scoped s ON s.id = t.account_id
        WHERE t.month BETWEEN $fy_from AND $month GROUP BY ALL
        UNION ALL
        SELECT 'quota', q.manager_id, q.month, q.currency, sum(q.amount), count(*)
        FROM manager_targets q WHERE q.month BETWEEN $fy_from AND $month GROUP BY ALL),
    conv AS (SELECT p.kind, p.id, p.month, p.n, p.amount::DOUBLE * f.factor AS amount, f.factor
             FROM parts p LEFT JOIN fx_factors f ON f.currency = p.currency AND f.month = p.month)"""


def _sums(kinds: tuple[str, ...]) -> str:
    out = []
    for kind in kinds:
        out += [f"coalesce(sum(c.amount) FILTER (WHERE c.kind = '{kind}' AND c.month = $month), 0) "
                f"AS {kind}_month",
                f"coalesce(sum(c.amount) FILTER (WHERE c.kind = '{kind}'), 0) AS {kind}_ytd"]
    out.append("coalesce(sum(c.n) FILTER (WHERE c.factor IS NULL), 0) AS missing_fx")
    return ",\n           ".join(out)


def account_table(db: Database, params: dict[str, Any]) -> pd.DataFrame:
    """Per account: revenue and target for the month and the year to date, with attainment."""
    sql = f"""WITH {_converted_sql()}
    SELECT a.id AS account_id, a.name AS account, coalesce(m.name, 'No owner') AS owner, a.tier,
           {_sums(("revenue", "target"))}
    FROM conv c JOIN accounts a ON a.id = c.id LEFT JOIN account_managers m ON m.id = a.owner_id
    WHERE c.kind IN ('revenue', 'target')
    GROUP BY a.id, a.name, m.name, a.tier ORDER BY revenue_ytd DESC, lower(account), account_id"""
    return _with_attainment(db.df(sql, bound(sql, params)), ("revenue", "target"))


def manager_table(db: Database, params: dict[str, Any]) -> pd.DataFrame:
    """Per owner of live accounts (and anyone with a quota): their accounts' revenue and target
    for the month and year to date, attainment, and their own quota; best YTD attainment first."""
    sql = f"""WITH {_converted_sql()},
    owned AS (SELECT c.kind, CASE WHEN c.kind = 'quota' THEN c.id ELSE s.owner_id END AS owner_id,
                     c.month, c.n, c.amount, c.factor
              FROM conv c LEFT JOIN scoped s ON c.kind <> 'quota' AND s.id = c.id)
    SELECT c.owner_id AS manager_id, coalesce(m.name, 'No owner') AS manager,
           {_sums(("revenue", "target", "quota"))}
    FROM owned c LEFT JOIN account_managers m ON m.id = c.owner_id
    GROUP BY c.owner_id, m.name"""
    frame = _with_attainment(db.df(sql, bound(sql, params)), ("revenue", "target"))
    frame["quota_attainment_ytd"] = _ratio(frame["revenue_ytd"], frame["quota_ytd"])
    frame["sort_name"] = frame["manager"].str.lower()
    return (frame.sort_values(["attainment_ytd", "revenue_ytd", "sort_name"],
                              ascending=[False, False, True], na_position="last")
            .drop(columns="sort_name").reset_index(drop=True))


def _ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
    """part / whole, empty where there is nothing to divide by (lib.account_rules.ratio's rule)."""
    return part.astype(float) / whole.astype(float).where(whole > 0)


def _with_attainment(frame: pd.DataFrame, kinds: tuple[str, str]) -> pd.DataFrame:
    actual, target = kinds
    out = frame.copy()
    for period in ("month", "ytd"):
        out[f"attainment_{period}"] = _ratio(out[f"{actual}_{period}"], out[f"{target}_{period}"])
    return out


# ---- interactions ---------------------------------------------------------------------------------
def interaction_counts(db: Database, params: dict[str, Any]) -> pd.DataFrame:
    """Interactions that happened in the month (UTC), by manager and type; planned and deleted
    ones are not counted."""
    columns = ", ".join(f"count(*) FILTER (WHERE i.type = '{t}') AS {t}" for t in INTERACTION_TYPES)
    sql = f"""SELECT coalesce(m.name, 'Manager #' || i.manager_id) AS manager, {columns},
           count(*) AS total
    FROM interactions i LEFT JOIN account_managers m ON m.id = i.manager_id
    WHERE i.deleted_at IS NULL AND NOT i.is_planned
      AND i.occurred_at >= $month AND i.occurred_at < $next
    GROUP BY i.manager_id, m.name ORDER BY total DESC, lower(manager)"""
    return db.df(sql, bound(sql, params))
