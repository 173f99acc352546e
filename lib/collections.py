"""Collections: open invoices, ageing, days sales outstanding and the collection rate, for a Scope.

The rules (pure, tested on worked examples):
* Ageing: an invoice not fully paid by today is in `lib.account_rules.ageing_bucket` of its days
  past due: current (not yet due), 1-30, 31-60, 61-90, 90+. SQL uses a CASE derived from that
  function (`bucket_sql`), so the rule lives in one place.
* Days sales outstanding, N = 90: DSO = receivables / sales of the last N days x N, where
  receivables are today's open amounts (due or not) and sales are the amounts of invoices
  issued in the last N days. Invoices, not revenue, are the sales measure: receivables come from
  invoices, so both sides count the same thing, and they are dated to the day.
* Collection rate: of the invoices that fell due in the last N days, the share of their amount
  paid by today (payments above an invoice's amount count up to the amount).

Payments dated after today are not counted. Amounts convert to $rep at the rate of the
invoice's issue month (payments are in their invoice's currency); an invoice in a currency or
month with no rate is counted in `missing_fx` and left out of every sum.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from lib import fx
from lib.account_rules import BUCKETS, ageing_bucket, ratio
from lib.db import Database, bound
from lib.performance import Scope
from lib.permissions import require
from lib.users import Actor

DSO_DAYS = 90
TOP_ACCOUNTS = 10
_SCAN_DAYS = 3650  # the bucket rule is read off for every day count up to ten years
BUCKET_LABELS = {"current": "Not yet due", "1-30": "1–30 days", "31-60": "31–60 days",
                 "61-90": "61–90 days", "90+": "Over 90 days"}


# ---- the rules ----------------------------------------------------------------------------------
def days_sales_outstanding(receivables: float, sales: float, days: int = DSO_DAYS) -> float | None:
    """receivables / sales of the last `days` days x `days`; None with no sales to divide by."""
    if not sales or sales <= 0:
        return None
    return receivables / sales * days


def collection_rate(collected: float, due: float) -> float | None:
    """Paid / due for the invoices that fell due in the period; None when nothing fell due."""
    return ratio(collected, due) if due and due > 0 else None


def bucket_sql(days: str) -> str:
    """A SQL CASE that gives `ageing_bucket(days)` for a non-negative day count expression.

    Built by reading the rule for every day from 0 to ten years and noting where the bucket
    changes; beyond ten years the last bucket holds.
    """
    edges: list[tuple[int, str]] = []
    for day in range(_SCAN_DAYS + 1):
        name = ageing_bucket(day)
        if not edges or edges[-1][1] != name:
            if not re.fullmatch(r"[\w+\- ]+", name):
                raise ValueError(f"bucket name {name!r} cannot go into SQL")
            edges.append((day, name))
    cases = " ".join(f"WHEN {days} >= {day} THEN '{name}'" for day, name in reversed(edges[1:]))
    return f"CASE {cases} ELSE '{edges[0][1]}' END" if cases else f"'{edges[0][1]}'"


# ---- the read -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CollectionsView:
    totals: dict[str, Any]     # open_invoices, receivables, overdue, overdue_invoices, over_90, dso, ...
    buckets: pd.DataFrame      # bucket, label, invoices, amount: every bucket, in order
    managers: pd.DataFrame     # one row per manager with invoices in scope, most overdue first
    top_overdue: pd.DataFrame  # the accounts with the most overdue, most first
    missing_fx: int
    currency: str


# One list of aggregates for every level, so the levels add up by construction.
_AGGREGATES = """
    count(*) FILTER (WHERE open) AS open_invoices,
    coalesce(sum(open_amount * factor) FILTER (WHERE open), 0) AS receivables,
    coalesce(sum(open_amount * factor) FILTER (WHERE open AND bucket <> $current), 0) AS overdue,
    count(*) FILTER (WHERE open AND bucket <> $current) AS overdue_invoices,
    coalesce(sum(open_amount * factor) FILTER (WHERE open AND bucket = $oldest), 0) AS over_90,
    coalesce(max(days_overdue) FILTER (WHERE open), 0) AS oldest_days,
    coalesce(sum(amount * factor) FILTER (WHERE issued_recently), 0) AS sales,
    coalesce(sum(amount * factor) FILTER (WHERE due_recently), 0) AS due,
    coalesce(sum(paid * factor) FILTER (WHERE due_recently), 0) AS collected,
    count(*) FILTER (WHERE factor IS NULL AND (open OR issued_recently OR due_recently)) AS missing_fx"""


def _sql(scope: Scope) -> str:
    months = "SELECT DISTINCT date_trunc('month', issue_date)::DATE FROM invoices"
    # Summing every payment is cheaper than joining them to the scope when the scope is everyone.
    narrowed = ("" if scope.kind == "team" else
                "JOIN invoices i ON i.id = p.invoice_id JOIN scoped s ON s.id = i.account_id")
    return f"""WITH {fx.RATES_CTE}, {fx.factors(months)},
    scoped AS ({scope.accounts_sql()}),
    paid AS (SELECT p.invoice_id, sum(p.amount) AS paid FROM payments p {narrowed}
             WHERE p.paid_on <= $today GROUP BY p.invoice_id),
    raw AS (SELECT i.account_id, s.owner_id, f.factor, i.amount::DOUBLE AS amount,
                   least(coalesce(p.paid, 0), i.amount)::DOUBLE AS paid,
                   greatest(date_diff('day', i.due_date, $today), 0) AS days_overdue,
                   i.issue_date > $today - {DSO_DAYS} AS issued_recently,
                   i.due_date > $today - {DSO_DAYS} AND i.due_date <= $today AS due_recently
            FROM invoices i JOIN scoped s ON s.id = i.account_id
            LEFT JOIN paid p ON p.invoice_id = i.id
            LEFT JOIN fx_factors f ON f.currency = i.currency
                 AND f.month = date_trunc('month', i.issue_date)::DATE
            WHERE i.issue_date <= $today),
    bills AS MATERIALIZED (  -- only invoices some figure counts: open, or issued or due lately
        SELECT *, amount - paid AS open_amount, amount > paid AS open,
               {bucket_sql("days_overdue")} AS bucket FROM raw
        WHERE amount > paid OR issued_recently OR due_recently),
    levels AS (
        SELECT 'total' AS level, NULL AS bucket, NULL::INTEGER AS id, {_AGGREGATES} FROM bills
        UNION ALL SELECT 'bucket', bucket, NULL, {_AGGREGATES} FROM bills WHERE open GROUP BY bucket
        UNION ALL SELECT 'manager', NULL, owner_id, {_AGGREGATES} FROM bills GROUP BY owner_id
        UNION ALL (SELECT 'account', NULL, account_id, {_AGGREGATES} FROM bills GROUP BY account_id
                   HAVING overdue > 0 ORDER BY overdue DESC, account_id LIMIT $top))
    SELECT l.*, a.name AS account_name, m.name AS owner_name FROM levels l
    LEFT JOIN accounts a ON l.level = 'account' AND a.id = l.id
    LEFT JOIN account_managers m
           ON m.id = CASE l.level WHEN 'manager' THEN l.id WHEN 'account' THEN a.owner_id END"""


def collections_view(db: Database, actor: Actor, scope: Scope, *, currency: str,
                     today: date) -> CollectionsView:
    """Open invoices, ageing buckets, DSO and collection rate for the scope as of `today`, in
    `currency`; per manager, and the accounts with the most overdue."""
    require(actor, "read_accounts")
    params = {**scope.params(), "rep": currency, "today": today, "current": BUCKETS[0],
              "oldest": BUCKETS[-1], "top": TOP_ACCOUNTS}
    sql = _sql(scope)
    frame = db.df(sql, bound(sql, params))
    total = frame[frame["level"] == "total"].iloc[0].to_dict()
    totals = {k: total[k] for k in ("open_invoices", "receivables", "overdue", "overdue_invoices",
                                    "over_90", "sales", "due", "collected")}
    totals["dso"] = days_sales_outstanding(total["receivables"], total["sales"])
    totals["collection_rate"] = collection_rate(total["collected"], total["due"])
    return CollectionsView(totals, _buckets(frame[frame["level"] == "bucket"]),
                           _managers(frame[frame["level"] == "manager"]),
                           _accounts(frame[frame["level"] == "account"]),
                           int(total["missing_fx"]), currency)


def _buckets(rows: pd.DataFrame) -> pd.DataFrame:
    found = rows.set_index("bucket")
    return pd.DataFrame({
        "bucket": list(BUCKETS), "label": [BUCKET_LABELS.get(b, b) for b in BUCKETS],
        "invoices": [int(found["open_invoices"].get(b, 0)) for b in BUCKETS],
        "amount": [float(found["receivables"].get(b, 0.0)) for b in BUCKETS],
    })


def _with_ratios(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows.copy()
    out["dso"] = [days_sales_outstanding(r, s) for r, s in zip(out["receivables"], out["sales"])]
    out["collection_rate"] = [collection_rate(c, d) for c, d in zip(out["collected"], out["due"])]
    return out


def _managers(rows: pd.DataFrame) -> pd.DataFrame:
    out = _with_ratios(rows)
    out["owner_name"] = out["owner_name"].fillna("No owner")
    return out.sort_values(["overdue", "owner_name"], ascending=[False, True], ignore_index=True)


def _accounts(rows: pd.DataFrame) -> pd.DataFrame:
    out = _with_ratios(rows).rename(columns={"id": "account_id"})
    out["account_id"] = out["account_id"].astype(int)
    return out.sort_values(["overdue", "account_id"], ascending=[False, True], ignore_index=True)


# ---- how the tables read on the page ------------------------------------------------------------
def buckets_for_display(buckets: pd.DataFrame) -> pd.DataFrame:
    shown = buckets[["label", "invoices", "amount"]].round({"amount": 0})
    return shown.rename(columns={"label": "Overdue", "invoices": "Invoices", "amount": "Open amount"})


def managers_for_display(managers: pd.DataFrame) -> pd.DataFrame:
    shown = managers[["owner_name", "open_invoices", "receivables", "overdue", "over_90",
                      "oldest_days", "dso", "collection_rate"]].round(
        {"receivables": 0, "overdue": 0, "over_90": 0})
    return shown.rename(columns={"owner_name": "Manager", "open_invoices": "Open invoices",
                                 "receivables": "Receivables", "overdue": "Overdue",
                                 "over_90": "Over 90 days", "oldest_days": "Oldest (days overdue)",
                                 "dso": "DSO (days)", "collection_rate": "Collection rate"})


def accounts_for_display(accounts: pd.DataFrame) -> pd.DataFrame:
    shown = accounts[["account_name", "account_id", "owner_name", "overdue", "overdue_invoices",
                      "over_90", "oldest_days", "receivables"]].round(
        {"overdue": 0, "over_90": 0, "receivables": 0})
    shown["account_id"] = "/account?account=" + shown["account_id"].astype(str)
    return shown.rename(columns={"account_name": "Account", "account_id": "Open",
                                 "owner_name": "Manager", "overdue": "Overdue",
                                 "overdue_invoices": "Overdue invoices", "over_90": "Over 90 days",
                                 "oldest_days": "Oldest (days overdue)", "receivables": "Receivables"})
