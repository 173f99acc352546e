"""Budgets: budget vs spend per category and month for a Scope, the burn, and the accounts
projected to overrun their budget before the fiscal year ends.

Spend counts through the last complete month (lib.periods); the year-end projection is
`lib.account_rules.project_spend` (the monthly pace so far, run to the end of the year), the
same rule as the Account page. Burn is spend to date as a share of the year's budget; the
monthly burn rate is the average month's spend so far. Amounts convert to $rep month by month
through lib.fx; budget rows in a currency or month with no rate are counted in `missing_fx`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from lib import fx
from lib.account_rules import months_between, project_spend, ratio
from lib.db import Database, bound
from lib.performance import MONTHS_SQL, Scope, period_params
from lib.permissions import require
from lib.users import Actor

MONTHS_IN_YEAR = 12
TOP_OVERRUNS = 100


# ---- the rule -----------------------------------------------------------------------------------
def runs_out_in(budget_year: float, spend_to_date: float, months_elapsed: int) -> int | None:
    """The month of the fiscal year (1-12) by whose end spending at the pace so far has used up
    the year's budget (a month already past when it has); None when the budget lasts the year
    or nothing has been spent yet."""
    if months_elapsed <= 0 or spend_to_date <= 0:
        return None
    pace = spend_to_date / months_elapsed
    if budget_year >= pace * MONTHS_IN_YEAR:
        return None
    return max(1, math.ceil(round(budget_year / pace, 9)))


# ---- the read -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class BudgetView:
    months: pd.DataFrame       # month, category, budget, spend (spend only for complete months)
    categories: pd.DataFrame   # category, budget_year, budget_to_date, spend_to_date, burn, ...
    overruns: pd.DataFrame     # accounts projected to overrun, most over first (at most 100)
    overrun_count: int         # how many accounts in all
    totals: dict[str, Any]
    months_elapsed: int
    missing_fx: int
    currency: str


def _monthly_sql(scope: Scope) -> str:
    return f"""WITH {fx.RATES_CTE}, {fx.factors(MONTHS_SQL)},
    scoped AS ({scope.accounts_sql()}),
    parts AS (SELECT b.month, b.category, b.currency, sum(b.budget) AS budget,
                     sum(b.spend) FILTER (WHERE b.month <= $ytd_to) AS spend, count(*) AS n
              FROM budgets b JOIN scoped s ON s.id = b.account_id
              WHERE b.month BETWEEN $fy_from AND $fy_to GROUP BY ALL)
    SELECT p.month, p.category, sum(p.budget::DOUBLE * f.factor) AS budget,
           sum(p.spend::DOUBLE * f.factor) AS spend,
           coalesce(sum(p.n) FILTER (WHERE f.factor IS NULL), 0) AS missing_fx
    FROM parts p LEFT JOIN fx_factors f ON f.currency = p.currency AND f.month = p.month
    GROUP BY ALL ORDER BY p.month, p.category"""


def _overruns_sql(scope: Scope) -> str:
    """Accounts projected to overrun, most over first; `$pace` turns spend to date into the
    year-end projection (project_spend is linear in the spend, so one factor serves all)."""
    return f"""WITH {fx.RATES_CTE}, {fx.factors(MONTHS_SQL)},
    scoped AS ({scope.accounts_sql()}),
    per_category AS (
        SELECT b.account_id, b.category, coalesce(sum(b.budget::DOUBLE * f.factor), 0) AS budget,
               coalesce(sum(b.spend::DOUBLE * f.factor) FILTER (WHERE b.month <= $ytd_to), 0) AS spend
        FROM budgets b JOIN scoped s ON s.id = b.account_id
        LEFT JOIN fx_factors f ON f.currency = b.currency AND f.month = b.month
        WHERE b.month BETWEEN $fy_from AND $fy_to GROUP BY ALL),
    per_account AS (
        SELECT account_id, sum(budget) AS budget_year, sum(spend) AS spend_to_date,
               sum(spend) * $pace AS projected,
               coalesce(string_agg(category, ', ' ORDER BY category)
                        FILTER (WHERE spend * $pace > budget), '') AS categories
        FROM per_category GROUP BY account_id)
    SELECT p.*, p.projected - p.budget_year AS over_by, count(*) OVER () AS overrun_count,
           a.name AS account_name, m.name AS owner_name
    FROM per_account p JOIN accounts a ON a.id = p.account_id
    LEFT JOIN account_managers m ON m.id = a.owner_id
    WHERE p.projected > p.budget_year
    ORDER BY over_by DESC, p.account_id LIMIT $top"""


def budget_view(db: Database, actor: Actor, scope: Scope, *, currency: str, today: date,
                fiscal_start: int = 1) -> BudgetView:
    """Budget vs spend for the fiscal year holding the last complete month, in `currency`."""
    require(actor, "read_accounts")
    params = {**period_params(today, fiscal_start), **scope.params(), "rep": currency}
    elapsed = months_between(params["fy_from"], params["ytd_to"])
    sql = _monthly_sql(scope)
    monthly = db.df(sql, bound(sql, params))
    missing = int(monthly["missing_fx"].sum())
    monthly = monthly.drop(columns="missing_fx")
    categories = _categories(monthly, params["ytd_to"], elapsed)
    sql = _overruns_sql(scope)
    overruns = db.df(sql, bound(sql, {**params, "top": TOP_OVERRUNS,
                                      "pace": float(project_spend(1.0, elapsed, MONTHS_IN_YEAR))}))
    count = int(overruns["overrun_count"].iloc[0]) if len(overruns) else 0
    overruns["runs_out_month"] = [runs_out_in(b, s, elapsed) for b, s in
                                  zip(overruns["budget_year"], overruns["spend_to_date"])]
    return BudgetView(monthly, categories, overruns.drop(columns="overrun_count"), count,
                      _totals(categories, elapsed, count), elapsed, missing, currency)


def _categories(monthly: pd.DataFrame, ytd_to: date, elapsed: int) -> pd.DataFrame:
    if monthly.empty:
        return pd.DataFrame(columns=["category", "budget_year", "budget_to_date", "spend_to_date",
                                     "burn", "monthly_burn", "projected", "over_by"])
    closed = pd.to_datetime(monthly["month"]) <= pd.Timestamp(ytd_to)
    out = (monthly.assign(budget_to_date=monthly["budget"].where(closed, 0))
           .groupby("category", as_index=False)
           .agg(budget_year=("budget", "sum"), budget_to_date=("budget_to_date", "sum"),
                spend_to_date=("spend", "sum")))
    return _projected(out, elapsed)


def _projected(frame: pd.DataFrame, elapsed: int) -> pd.DataFrame:
    out = frame.copy()
    out["burn"] = out["spend_to_date"] / out["budget_year"].where(out["budget_year"] != 0)
    out["monthly_burn"] = out["spend_to_date"] / elapsed if elapsed else 0.0
    out["projected"] = project_spend(out["spend_to_date"], elapsed, MONTHS_IN_YEAR)
    out["over_by"] = (out["projected"] - out["budget_year"]).clip(lower=0)
    return out


def _totals(categories: pd.DataFrame, elapsed: int, overrun_count: int) -> dict[str, Any]:
    budget_year = float(categories["budget_year"].sum())
    spend = float(categories["spend_to_date"].sum())
    projected = float(project_spend(spend, elapsed, MONTHS_IN_YEAR))
    return {"budget_year": budget_year, "budget_to_date": float(categories["budget_to_date"].sum()),
            "spend_to_date": spend, "burn": ratio(spend, budget_year),
            "monthly_burn": spend / elapsed if elapsed else 0.0, "projected": projected,
            "over_by": max(projected - budget_year, 0.0), "overrun_accounts": overrun_count}


# ---- how the tables read on the page ------------------------------------------------------------
def _rounded(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    out[columns] = out[columns].astype(float).round(0)
    return out


def categories_for_display(categories: pd.DataFrame) -> pd.DataFrame:
    shown = _rounded(categories, ["budget_year", "budget_to_date", "spend_to_date", "monthly_burn",
                                  "projected", "over_by"])
    shown["category"] = shown["category"].str.capitalize()
    return shown.rename(columns={"category": "Category", "budget_year": "Budget (year)",
                                 "budget_to_date": "Budget to date", "spend_to_date": "Spend to date",
                                 "burn": "Burn", "monthly_burn": "Monthly burn rate",
                                 "projected": "Projected (year)", "over_by": "Over by"})


def months_for_display(monthly: pd.DataFrame) -> pd.DataFrame:
    """Month x category budget and spend, one row per month."""
    if monthly.empty:
        return pd.DataFrame(columns=["Month"])
    wide = monthly.pivot_table(index="month", columns="category", values=["budget", "spend"],
                               aggfunc="sum", dropna=False)
    wide.columns = [f"{cat.capitalize()} {kind}" for kind, cat in wide.columns]
    wide = wide[sorted(wide.columns)].round(0).reset_index()
    wide["month"] = pd.to_datetime(wide["month"]).dt.strftime("%b %Y")
    return wide.rename(columns={"month": "Month"})


def overruns_for_display(overruns: pd.DataFrame, months: list[date]) -> pd.DataFrame:
    """`months` are the fiscal year's months, to name the month a budget runs out."""
    shown = _rounded(overruns[["account_name", "account_id", "owner_name", "budget_year",
                               "spend_to_date", "projected", "over_by", "categories",
                               "runs_out_month"]],
                     ["budget_year", "spend_to_date", "projected", "over_by"])
    shown["account_id"] = "/account?account=" + shown["account_id"].astype(str)
    shown["runs_out_month"] = [f"{months[int(m) - 1]:%b %Y}" if pd.notna(m) else ""
                               for m in shown["runs_out_month"]]
    return shown.rename(columns={"account_name": "Account", "account_id": "Open",
                                 "owner_name": "Manager", "budget_year": "Budget (year)",
                                 "spend_to_date": "Spend to date", "projected": "Projected (year)",
                                 "over_by": "Over by", "categories": "Categories over",
                                 "runs_out_month": "Budget used up by"})
