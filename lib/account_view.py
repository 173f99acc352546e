"""The read model of the Account 360 page: everything about one account, aggregated in DuckDB.

Figures are in the account's own currency unless a reporting currency is asked for; then they
convert month by month through lib.fx, like the portfolio. Periods follow lib.periods: "to date"
means through the last complete month, so the current month never shows as a half month.
An archived account stays readable; `header` says it is archived.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import pandas as pd

from lib import fx
from lib.account_rules import (ageing_bucket, history_sentence, months_between, project_spend,
                               ratio)
from lib.db import Database
from lib.errors import NotFound
from lib.periods import YearToDate, add_months
from lib.permissions import require
from lib.users import Actor


def _account(db: Database, actor: Actor, account_id: int) -> dict[str, Any]:
    require(actor, "read_accounts")
    row = db.record("SELECT id, currency, tier, archived_at IS NOT NULL AS archived "
                    "FROM accounts WHERE id = ?", [account_id])
    if row is None:
        raise NotFound(f"There is no account with id {account_id}.")
    return row


def _bound(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters `sql` names: DuckDB refuses named parameters a statement does not use."""
    return {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)}


def _period_params(today: date, fiscal_start: int) -> dict[str, Any]:
    ytd = YearToDate.as_of(today, fiscal_start)
    return {"ytd_from": ytd.first, "ytd_to": ytd.last, "fy_from": ytd.year.first_month,
            "fy_to": ytd.year.months[-1], "today": today}


# ---- header and family ------------------------------------------------------------------------
_HEADER = """
SELECT a.id, a.name, a.tier, a.scope, a.industry, a.region, a.country, a.status, a.currency,
       a.external_id, a.owner_id, m.name AS owner, m.role_title AS owner_role,
       a.parent_id, p.name AS parent_name, a.archived_at IS NOT NULL AS archived, a.version
FROM accounts a
LEFT JOIN account_managers m ON m.id = a.owner_id
LEFT JOIN accounts p ON p.id = a.parent_id
WHERE a.id = ?"""

# Owner ids are stored as text; a manager since deleted still reads as something.
_HISTORY = """
SELECT h.field,
       CASE WHEN h.field = 'owner_id' THEN coalesce(om.name, 'manager #' || h.old_value)
            ELSE h.old_value END AS old,
       CASE WHEN h.field = 'owner_id' THEN coalesce(nm.name, 'manager #' || h.new_value)
            ELSE h.new_value END AS new,
       h.changed_on, coalesce(u.display_name, 'user #' || h.changed_by) AS changed_by
FROM account_history h
LEFT JOIN users u ON u.id = h.changed_by
LEFT JOIN account_managers om ON h.field = 'owner_id' AND om.id = TRY_CAST(h.old_value AS INTEGER)
LEFT JOIN account_managers nm ON h.field = 'owner_id' AND nm.id = TRY_CAST(h.new_value AS INTEGER)
WHERE h.account_id = ?
ORDER BY h.changed_on DESC, h.id DESC"""


def header(db: Database, actor: Actor, account_id: int) -> dict[str, Any]:
    """Who and what the account is, its version for editing, and its history as sentences
    (newest first)."""
    _account(db, actor, account_id)
    row = db.record(_HEADER, [account_id])
    parent_id, parent_name = row.pop("parent_id"), row.pop("parent_name")
    row["parent"] = {"id": parent_id, "name": parent_name} if parent_id is not None else None
    row["history"] = [history_sentence(*r) for r in db.rows(_HISTORY, [account_id])]
    return row


def family(db: Database, actor: Actor, account_id: int) -> dict[str, Any]:
    """The parent (id, name) and the live subsidiaries (id, name, tier, status) by name."""
    _account(db, actor, account_id)
    parent = db.record("SELECT p.id, p.name FROM accounts a JOIN accounts p ON p.id = a.parent_id "
                       "WHERE a.id = ?", [account_id])
    children = db.df("SELECT id, name, tier, status FROM accounts "
                     "WHERE parent_id = ? AND archived_at IS NULL ORDER BY name, id", [account_id])
    return {"parent": parent, "subsidiaries": children.to_dict("records")}


# ---- KPIs -------------------------------------------------------------------------------------
def _kpi_sql() -> str:
    revenue = fx.converted("SELECT amount, currency, month FROM revenue "
                           "WHERE account_id = $id AND month BETWEEN $prior_from AND $ytd_to")
    targets = fx.converted("SELECT amount, currency, month FROM account_targets "
                           "WHERE account_id = $id AND month BETWEEN $ytd_from AND $ytd_to")
    overdue = fx.converted(
        "SELECT i.amount - coalesce(p.paid, 0) AS amount, i.currency, "
        "date_trunc('month', i.issue_date)::DATE AS month FROM invoices i "
        "LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM payments "
        "WHERE invoice_id IN (SELECT id FROM invoices WHERE account_id = $id) GROUP BY ALL) p "
        "ON p.invoice_id = i.id "
        "WHERE i.account_id = $id AND i.due_date < $today AND i.amount > coalesce(p.paid, 0)")
    return f"""WITH {fx.RATES_CTE},
    rev AS (SELECT coalesce(sum(amount_rep) FILTER (WHERE month >= $ytd_from), 0) AS revenue_ytd,
                   coalesce(sum(amount_rep) FILTER (WHERE month >= $last12_from), 0) AS revenue_12m,
                   coalesce(sum(amount_rep) FILTER (WHERE month < $last12_from), 0) AS revenue_prior_12m,
                   count(*) - count(amount_rep) AS missing_fx
            FROM ({revenue})),
    tgt AS (SELECT coalesce(sum(amount_rep), 0) AS target_ytd FROM ({targets})),
    due AS (SELECT coalesce(sum(amount_rep), 0) AS overdue_amount, count(*) AS overdue_count
            FROM ({overdue})),
    seen AS (SELECT max(occurred_at)::DATE AS last_contact FROM interactions
             WHERE account_id = $id AND NOT is_planned AND deleted_at IS NULL
               AND occurred_at::DATE <= $today),
    esc AS (SELECT count(*) AS open_escalations FROM interactions
            WHERE account_id = $id AND type = 'escalation' AND deleted_at IS NULL
              AND resolved_at IS NULL AND coalesce(escalation_status, 'open') <> 'resolved'),
    bud AS ({_budget_sql(group=False)})
    SELECT $rep AS currency, rev.*, tgt.*, due.*, seen.last_contact,
           date_diff('day', seen.last_contact, $today) AS days_since_contact,
           p.max_days AS contact_policy_days, esc.open_escalations,
           bud.spend_to_date AS budget_spend, bud.budget_year AS budget_year
    FROM accounts a LEFT JOIN contact_policies p ON p.tier = a.tier
    CROSS JOIN rev CROSS JOIN tgt CROSS JOIN due CROSS JOIN seen CROSS JOIN esc CROSS JOIN bud
    WHERE a.id = $id"""


def kpis(db: Database, actor: Actor, account_id: int, *, today: date, currency: str | None = None,
         fiscal_start: int = 1) -> dict[str, Any]:
    """The account's headline figures, in its own currency unless `currency` is given.

    Ratios (attainment, revenue_trend, budget_used) are fractions, None when the base is zero.
    The trend compares the last 12 complete months with the 12 before them.
    """
    account = _account(db, actor, account_id)
    params = {**_period_params(today, fiscal_start), "id": account_id,
              "rep": currency or account["currency"]}
    last = params["ytd_to"]
    params.update(last12_from=add_months(last, -11), prior_from=add_months(last, -23))
    sql = _kpi_sql()
    row = db.record(sql, _bound(sql, params))
    row["attainment"] = ratio(row["revenue_ytd"], row["target_ytd"])
    row["revenue_trend"] = ratio(row["revenue_12m"] - row["revenue_prior_12m"], row["revenue_prior_12m"])
    row["budget_used"] = ratio(row["budget_spend"], row["budget_year"])
    days, policy = row["days_since_contact"], row["contact_policy_days"]
    row["contact_overdue"] = days is None or (policy is not None and days > policy)
    return row


# ---- monthly trend ----------------------------------------------------------------------------
def monthly(db: Database, actor: Actor, account_id: int, *, today: date,
            fiscal_start: int = 1) -> pd.DataFrame:
    """Revenue (complete months only), target and last year's revenue for each month of the
    fiscal year, in the account's currency."""
    account = _account(db, actor, account_id)
    params = {**_period_params(today, fiscal_start), "id": account_id, "rep": account["currency"]}
    params["ly_from"] = add_months(params["fy_from"], -12)
    revenue = fx.converted("SELECT amount, currency, month FROM revenue "
                           "WHERE account_id = $id AND month BETWEEN $ly_from AND $fy_to")
    targets = fx.converted("SELECT amount, currency, month FROM account_targets "
                           "WHERE account_id = $id AND month BETWEEN $fy_from AND $fy_to")
    sql = f"""WITH {fx.RATES_CTE},
    months AS (SELECT unnest(generate_series($fy_from, $fy_to, INTERVAL 1 MONTH))::DATE AS month),
    rev AS (SELECT month, sum(amount_rep) AS amount FROM ({revenue}) GROUP BY month),
    tgt AS (SELECT month, sum(amount_rep) AS amount FROM ({targets}) GROUP BY month)
    SELECT m.month, cur.amount AS revenue, t.amount AS target, prev.amount AS revenue_last_year
    FROM months m
    LEFT JOIN rev cur ON cur.month = m.month AND m.month <= $ytd_to
    LEFT JOIN rev prev ON prev.month = (m.month - INTERVAL 1 YEAR)::DATE
    LEFT JOIN tgt t ON t.month = m.month
    ORDER BY m.month"""
    return db.df(sql, _bound(sql, params))


# ---- budget -----------------------------------------------------------------------------------
def _budget_sql(*, group: bool = True) -> str:
    """Budget for the fiscal year and budget/spend through the last complete month, converted
    to $rep; per category when `group`, else one row for the whole account."""
    source = fx.converted(
        "SELECT category, month, currency, budget AS amount, 'budget' AS kind FROM budgets "
        "WHERE account_id = $id AND month BETWEEN $fy_from AND $fy_to UNION ALL "
        "SELECT category, month, currency, spend AS amount, 'spend' AS kind FROM budgets "
        "WHERE account_id = $id AND month BETWEEN $fy_from AND $ytd_to")
    return f"""SELECT {"category, " if group else ""}
        coalesce(sum(amount_rep) FILTER (WHERE kind = 'budget'), 0) AS budget_year,
        coalesce(sum(amount_rep) FILTER (WHERE kind = 'budget' AND month <= $ytd_to), 0) AS budget_to_date,
        coalesce(sum(amount_rep) FILTER (WHERE kind = 'spend'), 0) AS spend_to_date
        FROM ({source}) {"GROUP BY category ORDER BY category" if group else ""}"""


def budget_vs_spend(db: Database, actor: Actor, account_id: int, *, today: date,
                    fiscal_start: int = 1) -> pd.DataFrame:
    """Per category: the year's budget, budget and spend to date, burn (spend to date as a share
    of the year's budget), the year-end projection at the pace so far, and whether (and by how
    much) that projection overshoots the year's budget. In the account's currency."""
    account = _account(db, actor, account_id)
    params = {**_period_params(today, fiscal_start), "id": account_id, "rep": account["currency"]}
    sql = f"WITH {fx.RATES_CTE} " + _budget_sql()
    frame = db.df(sql, _bound(sql, params))
    elapsed = months_between(params["ytd_from"], params["ytd_to"])
    frame["burn"] = frame["spend_to_date"] / frame["budget_year"].where(frame["budget_year"] != 0)
    frame["projected"] = project_spend(frame["spend_to_date"], elapsed, 12)
    frame["over"] = frame["projected"] > frame["budget_year"]
    frame["over_by"] = (frame["projected"] - frame["budget_year"]).clip(lower=0)
    return frame


# ---- invoices ---------------------------------------------------------------------------------
_OPEN_INVOICES = """
SELECT i.id, i.invoice_number, i.issue_date, i.due_date, i.currency, i.amount::DOUBLE AS amount,
       coalesce(p.paid, 0)::DOUBLE AS paid, (i.amount - coalesce(p.paid, 0))::DOUBLE AS open_amount,
       greatest(date_diff('day', i.due_date, $today), 0) AS days_overdue
FROM invoices i
LEFT JOIN (SELECT invoice_id, sum(amount) AS paid FROM payments
           WHERE invoice_id IN (SELECT id FROM invoices WHERE account_id = $id)
           GROUP BY invoice_id) p ON p.invoice_id = i.id
WHERE i.account_id = $id AND i.amount > coalesce(p.paid, 0)
ORDER BY i.due_date, i.id"""


def invoices(db: Database, actor: Actor, account_id: int, *, today: date) -> pd.DataFrame:
    """Invoices not yet fully paid, oldest due first, with what is paid, what is open, days
    overdue (0 while not due) and the ageing bucket. Amounts in each invoice's currency."""
    _account(db, actor, account_id)
    frame = db.df(_OPEN_INVOICES, {"id": account_id, "today": today})
    frame["bucket"] = frame["days_overdue"].map(ageing_bucket).astype(object)
    return frame


def search(db: Database, actor: Actor, text: str, limit: int = 20) -> list[tuple[int, str]]:
    """Accounts whose name or external id contains `text`, best matches first: (id, label)."""
    require(actor, "read_accounts")
    needle = text.strip()
    if not needle:
        return []
    rows = db.rows(
        "SELECT id, name || coalesce(' · ' || country, '') || CASE WHEN archived_at IS NULL "
        "THEN '' ELSE ' (archived)' END FROM accounts "
        "WHERE name ILIKE $like ESCAPE '\\' OR external_id ILIKE $like ESCAPE '\\' "
        "ORDER BY starts_with(lower(name), lower($text)) DESC, length(name), name LIMIT $limit",
        {"like": "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
         "text": needle, "limit": limit})
    return [(r[0], r[1]) for r in rows]


def book_of(db: Database, actor: Actor, manager_id: int | None, limit: int = 200) -> list[tuple[int, str]]:
    """A manager's live accounts by name, (id, label) as `search` gives them; none without one."""
    require(actor, "read_accounts")
    if manager_id is None:
        return []
    return [(r[0], r[1]) for r in db.rows(
        "SELECT id, name || coalesce(' · ' || country, '') FROM accounts "
        "WHERE owner_id = ? AND archived_at IS NULL ORDER BY lower(name), id LIMIT ?", [manager_id, limit])]


def parse_account_id_quietly(raw: str | None) -> int | None:
    """The account id in a URL parameter, or None for anything else (the page says why)."""
    try:
        return parse_account_id(raw)
    except NotFound:
        return None


def parse_account_id(raw: str | None) -> int | None:
    """The account id in a URL parameter, or None; raises NotFound with words for junk."""
    if raw is None or raw == "":
        return None
    if not re.fullmatch(r"[0-9]{1,12}", raw.strip()):  # not isdigit(): '²' is a digit to it
        raise NotFound(f"'{raw[:40]}' is not an account id: open an account from the portfolio "
                       "or search for it below.")
    return int(raw.strip())


# ---- how the tables read on the page ------------------------------------------------------------
_CONTACT_ROLES = {"decision_maker": "Decision maker", "influencer": "Influencer", "user": "User",
                  "finance": "Finance", "technical": "Technical"}


def contacts_for_display(people: pd.DataFrame) -> pd.DataFrame:
    shown = people[["name", "title", "role", "is_primary", "email", "phone"]].copy()
    shown["role"] = shown["role"].map(_CONTACT_ROLES)
    return shown.rename(columns={"name": "Name", "title": "Title", "role": "Role",
                                 "is_primary": "Primary", "email": "Email", "phone": "Phone"})


def timeline_for_display(events: pd.DataFrame) -> pd.DataFrame:
    shown = events[["occurred_at", "type", "is_planned", "subject", "manager_name", "contacts",
                    "outcome", "sentiment", "next_step", "next_step_due", "notes"]].copy()
    shown["type"] = shown["type"].str.upper().where(shown["type"] == "qbr", shown["type"].str.capitalize())
    shown["sentiment"] = shown["sentiment"].str.replace("_", " ")
    return shown.rename(columns={"occurred_at": "When", "type": "Type", "is_planned": "Planned",
                                 "subject": "Subject", "manager_name": "By", "contacts": "With",
                                 "outcome": "Outcome", "sentiment": "Sentiment",
                                 "next_step": "Next step", "next_step_due": "Due", "notes": "Notes"})


def budget_for_display(spend: pd.DataFrame) -> pd.DataFrame:
    """Money to the whole unit, as the Performance page's budget tables show it."""
    shown = spend.drop(columns=["over"]).copy()
    money = ["budget_year", "budget_to_date", "spend_to_date", "projected", "over_by"]
    shown[money] = shown[money].astype(float).round(0)
    shown["category"] = shown["category"].str.capitalize()
    return shown.rename(columns={"category": "Category", "budget_year": "Budget (year)",
                                 "budget_to_date": "Budget to date", "spend_to_date": "Spend to date",
                                 "burn": "Burn", "projected": "Projected (year)", "over_by": "Over by"})


def overruns(spend: pd.DataFrame) -> list[tuple[str, float]]:
    """(category, by how much) for each category projected to overrun its year's budget."""
    over = spend[spend["over"]]
    return list(zip(over["category"].str.capitalize(), over["over_by"]))


def invoices_for_display(bills: pd.DataFrame) -> pd.DataFrame:
    shown = bills.drop(columns=["id"])
    return shown.rename(columns={"invoice_number": "Invoice", "issue_date": "Issued",
                                 "due_date": "Due", "currency": "Currency", "amount": "Amount",
                                 "paid": "Paid", "open_amount": "Open", "days_overdue": "Days overdue",
                                 "bucket": "Ageing"})
