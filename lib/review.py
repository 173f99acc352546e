"""The team review's figures as they stand now: team KPIs, the managers' leaderboard, accounts
at risk, overdue follow-ups, open escalations, the biggest movers, one manager's walk-through
page, and the live snapshot that `lib.review_diff` compares with the last review's.

Everything is the whole team's (a review is the team's meeting; everyone may read accounts),
aggregated in DuckDB and converted to the reporting currency $rep through lib.fx. "Year to
date" runs through the last complete month whose revenue is uploaded (as on Performance);
the month-over-month movers compare that month with the one before. Pay is the exception:
the projected payout is filled in only for managers whose pay the viewer may see.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import pandas as pd

from lib import budgets, collections, fx, health, interactions, performance
from lib.compensation import Statement, last_closed_month, statements, visible_managers
from lib.db import Database, bound
from lib.performance import Scope
from lib.periods import YearToDate, add_months
from lib.permissions import require
from lib.review_diff import (AccountFigures, EscalationFigures, ManagerFigures, PaymentMove,
                             PaymentsReceived, Snapshot)
from lib.users import Actor

TOP = 10


@dataclass(frozen=True)
class Period:
    """Which months the figures cover."""

    year_label: str
    first: date          # the fiscal year's first month
    through: date        # the last month counted as actual (may precede `first`: nothing yet)
    previous: date       # the month before `through`, for month-over-month movers

    @classmethod
    def of(cls, db: Database, today: date, fiscal_start: int) -> Period:
        ytd = YearToDate.as_of(today, fiscal_start)
        through = min(ytd.last, last_closed_month(db, today) or ytd.last)
        return cls(ytd.year.label, ytd.first, through, add_months(through, -1))

    def params(self, currency: str) -> dict[str, Any]:
        return {"rep": currency, "fy_from": self.first, "through": self.through,
                "prev": self.previous}


_MONTHS = "SELECT unnest(generate_series(least($fy_from, $prev), $through, INTERVAL 1 MONTH))::DATE"
_ACCOUNTS_SQL = f"""WITH {fx.RATES_CTE}, {fx.factors(_MONTHS)},
    rev AS (SELECT r.account_id,
                   sum(r.amount::DOUBLE * f.factor) FILTER (WHERE r.month >= $fy_from) AS revenue,
                   sum(r.amount::DOUBLE * f.factor) FILTER (WHERE r.month = $through) AS last_month,
                   sum(r.amount::DOUBLE * f.factor) FILTER (WHERE r.month = $prev) AS prev_month
            FROM revenue r LEFT JOIN fx_factors f ON f.currency = r.currency AND f.month = r.month
            WHERE r.month BETWEEN least($fy_from, $prev) AND $through GROUP BY r.account_id),
    tgt AS (SELECT t.account_id, sum(t.amount::DOUBLE * f.factor) AS target
            FROM account_targets t LEFT JOIN fx_factors f ON f.currency = t.currency AND f.month = t.month
            WHERE t.month BETWEEN $fy_from AND $through GROUP BY t.account_id),
    figures AS (
        SELECT a.id AS account_id, a.name, a.owner_id, a.tier, a.status,
               coalesce(rev.revenue, 0) AS revenue, coalesce(rev.last_month, 0) AS last_month,
               coalesce(rev.prev_month, 0) AS prev_month, coalesce(tgt.target, 0) AS target
        FROM accounts a LEFT JOIN rev ON rev.account_id = a.id LEFT JOIN tgt ON tgt.account_id = a.id
        WHERE a.archived_at IS NULL)"""


def account_figures(db: Database, actor: Actor, period: Period, currency: str) -> pd.DataFrame:
    """Every live account: account_id, name, owner_id, tier, status, revenue (year to date),
    last_month, prev_month, target (year to date)."""
    require(actor, "read_accounts")
    sql = _ACCOUNTS_SQL + " SELECT * FROM figures ORDER BY account_id"
    return db.df(sql, bound(sql, period.params(currency)))


def manager_figures(db: Database, actor: Actor, period: Period, currency: str) -> pd.DataFrame:
    """Each manager who owns live accounts: manager_id, name, accounts, revenue, target,
    attainment (None without a target), best first."""
    require(actor, "read_accounts")
    sql = _ACCOUNTS_SQL + """
        SELECT m.id AS manager_id, m.name, count(*) AS accounts, sum(f.revenue) AS revenue,
               sum(f.target) AS target, sum(f.revenue) / nullif(sum(f.target), 0) AS attainment
        FROM figures f JOIN account_managers m ON m.id = f.owner_id
        GROUP BY m.id, m.name ORDER BY attainment DESC NULLS LAST, lower(m.name), m.id"""
    return db.df(sql, bound(sql, period.params(currency)))


# ---- team KPIs --------------------------------------------------------------------------------
def team_kpis(db: Database, actor: Actor, *, currency: str, today: date,
              fiscal_start: int = 1) -> dict[str, Any]:
    """Revenue vs target, attainment and the year-end projection, collections and budget, for
    the whole team, from the same lib functions as the Performance page."""
    team = Scope()
    revenue = performance.revenue_vs_target(db, actor, team, currency=currency, today=today,
                                            fiscal_start=fiscal_start)
    money_in = collections.collections_view(db, actor, team, currency=currency, today=today)
    budget = budgets.budget_view(db, actor, team, currency=currency, today=today,
                                 fiscal_start=fiscal_start)
    t = revenue.totals
    return {
        "year_label": revenue.year_label, "through": t["through"],
        "revenue": t["ytd_actual"], "target": t["ytd_target"], "attainment": t["attainment"],
        "projected_year": t["year_end"].point, "year_target": t["year_target"],
        "projected_attainment": t["year_attainment"],
        "receivables": money_in.totals["receivables"], "overdue": money_in.totals["overdue"],
        "collection_rate": money_in.totals["collection_rate"],
        "budget_year": budget.totals["budget_year"], "spend": budget.totals["spend_to_date"],
        "burn": budget.totals["burn"], "budget_over_by": budget.totals["over_by"],
        "missing_fx": revenue.missing_fx + money_in.missing_fx + budget.missing_fx,
        "has_data": bool(t["has_revenue"] or t["year_target"] or money_in.totals["open_invoices"]
                         or budget.totals["budget_year"]),
    }


# ---- the leaderboard --------------------------------------------------------------------------
def leaderboard(db: Database, actor: Actor, *, currency: str, today: date, fiscal_start: int = 1,
                last: Snapshot | None = None, payout: bool = True) -> pd.DataFrame:
    """Managers by attainment: manager_id, name, accounts, revenue, target, attainment, change
    (points since the `last` review's snapshot), and — when `payout` is asked for and the viewer
    may see pay at all — payout and payout_currency: the current pay period's projected variable
    pay, filled in for the managers whose pay the viewer may see and empty for the others. The
    payout is a pay statement per manager (about a tenth of a second each), hence optional."""
    board = manager_figures(db, actor, Period.of(db, today, fiscal_start), currency)
    before = last.managers if last else {}
    board["change"] = [_points(a, before.get(int(m))) for m, a in
                       zip(board["manager_id"], board["attainment"])]
    payable = visible_managers(db, actor) if payout else {}
    if payable:
        shown = [int(m) for m in board["manager_id"] if int(m) in payable]
        pay = {m: _projected_pay(s) for m, s in statements(db, actor, shown, today).items()}
        board["payout"] = [pay.get(int(m), (None, None))[0] for m in board["manager_id"]]
        board["payout_currency"] = [pay.get(int(m), (None, None))[1] for m in board["manager_id"]]
    return board


def _points(attainment: Any, then: ManagerFigures | None) -> float | None:
    if then is None or then.attainment is None or attainment is None or pd.isna(attainment):
        return None
    return float(attainment) - then.attainment


def _projected_pay(pay: Statement) -> tuple[float | None, str]:
    current = pay.current
    if current is None or current.at_end is None:
        return None, pay.currency
    return float(current.at_end.earned), pay.currency


# ---- what needs attention ---------------------------------------------------------------------
def at_risk_accounts(db: Database, actor: Actor, today: date) -> pd.DataFrame:
    """Live accounts at risk, with why: account_id, name, owner_id, owner_name, tier, score,
    reasons (what costs the points first, then why that makes it at risk), by lib.health."""
    scores = health.all_scores(db, actor, today)
    risky = scores[scores["at_risk"].astype(bool)]
    names = dict(db.rows("SELECT id, name FROM account_managers"))
    return pd.DataFrame({
        "account_id": risky["account_id"].astype(int), "name": risky["name"],
        "owner_id": risky["owner_id"],
        "owner_name": [names.get(o, "No owner") if pd.notna(o) else "No owner" for o in risky["owner_id"]],
        "tier": risky["tier"], "score": risky["score"].astype(float),
        "reasons": ["; ".join([*r[1:], *r[:1]]) for r in risky["reasons"]]}).sort_values(
        ["score", "name"], ignore_index=True)


def marked_at_risk(db: Database, actor: Actor, today: date) -> pd.DataFrame:
    """Accounts someone marked at risk, with what the data says about them (open escalations,
    last contact); the same columns as `at_risk_accounts`, score empty."""
    require(actor, "read_accounts")
    return db.df(_MARKED_AT_RISK, [today, today])


_MARKED_AT_RISK = """
    SELECT a.id AS account_id, a.name, a.owner_id, coalesce(m.name, 'No owner') AS owner_name, a.tier,
           NULL::DOUBLE AS score,
           concat_ws('; ', 'Marked at risk',
               CASE WHEN e.n > 0 THEN e.n || ' open escalation' || CASE WHEN e.n > 1 THEN 's' ELSE '' END END,
               CASE WHEN c.last IS NULL THEN 'never contacted'
                    ELSE 'last contact ' || date_diff('day', c.last, ?::DATE) || ' days ago' END) AS reasons
    FROM accounts a LEFT JOIN account_managers m ON m.id = a.owner_id
    LEFT JOIN (SELECT account_id, count(*) AS n FROM interactions WHERE type = 'escalation'
               AND deleted_at IS NULL AND NOT is_planned
               AND coalesce(escalation_status, 'open') <> 'resolved' GROUP BY 1) e ON e.account_id = a.id
    LEFT JOIN (SELECT account_id, max(occurred_at)::DATE AS last FROM interactions
               WHERE NOT is_planned AND deleted_at IS NULL AND occurred_at::DATE <= ?::DATE
               GROUP BY 1) c ON c.account_id = a.id
    WHERE a.archived_at IS NULL AND a.status = 'at_risk'
    ORDER BY a.tier = 'key' DESC, a.tier = 'strategic' DESC, lower(a.name), a.id"""


def overdue_follow_ups(db: Database, actor: Actor, today: date,
                       manager_id: int | None = None) -> pd.DataFrame:
    """Open next steps due before today, the longest overdue first: id, account_id,
    account_name, owner_id, owner_name, next_step, due, days_late."""
    require(actor, "read_accounts")
    return db.df(
        "SELECT i.id, i.account_id, a.name AS account_name, o.id AS owner_id, "
        "coalesce(o.name, 'No owner') AS owner_name, i.next_step, i.next_step_due AS due, "
        "date_diff('day', i.next_step_due, ?::DATE) AS days_late "
        "FROM interactions i JOIN accounts a ON a.id = i.account_id "
        "LEFT JOIN account_managers o ON o.id = coalesce(i.next_step_owner_id, i.manager_id) "
        "WHERE i.next_step IS NOT NULL AND i.next_step_done_at IS NULL AND i.deleted_at IS NULL "
        "AND a.archived_at IS NULL AND i.next_step_due < ?::DATE "
        "AND (?::INTEGER IS NULL OR coalesce(i.next_step_owner_id, i.manager_id) = ?) "
        "ORDER BY i.next_step_due, i.id", [today, today, manager_id, manager_id])


def open_escalations(db: Database, actor: Actor, today: date,
                     manager_id: int | None = None) -> pd.DataFrame:
    """lib.interactions.open_escalations for the team (or one manager), with the manager's name."""
    rows = interactions.open_escalations(db, actor, None if manager_id is None else [manager_id], today)
    names = dict(db.rows("SELECT id, name FROM account_managers"))
    return rows.assign(manager_name=[names.get(m, "") for m in rows["manager_id"]])


def biggest_movers(db: Database, actor: Actor, *, currency: str, today: date,
                   fiscal_start: int = 1, limit: int = TOP) -> pd.DataFrame:
    """The accounts whose revenue changed most from the month before the last complete month
    to that month: account_id, name, owner_name, prev_month, last_month, change."""
    require(actor, "read_accounts")
    period = Period.of(db, today, fiscal_start)
    sql = _ACCOUNTS_SQL + """
        SELECT f.account_id, f.name, coalesce(m.name, 'No owner') AS owner_name, f.prev_month,
               f.last_month, f.last_month - f.prev_month AS change
        FROM figures f LEFT JOIN account_managers m ON m.id = f.owner_id
        WHERE f.last_month <> f.prev_month
        ORDER BY abs(f.last_month - f.prev_month) DESC, f.account_id LIMIT $limit"""
    return db.df(sql, bound(sql, {**period.params(currency), "limit": limit}))


# ---- the live snapshot ------------------------------------------------------------------------
_COUNTERS = f"""WITH {fx.RATES_CTE},
    {fx.factors("SELECT DISTINCT date_trunc('month', issue_date)::DATE FROM invoices")}
    SELECT
        (SELECT count(*) FROM interactions WHERE type = 'escalation' AND deleted_at IS NULL
           AND NOT is_planned) AS escalations_raised,
        (SELECT count(*) FROM interactions WHERE type = 'escalation' AND deleted_at IS NULL
           AND NOT is_planned AND escalation_status = 'resolved') AS escalations_resolved,
        (SELECT coalesce(list(id ORDER BY id), []) FROM interactions WHERE type = 'escalation'
           AND deleted_at IS NULL AND NOT is_planned
           AND coalesce(escalation_status, 'open') <> 'resolved') AS open_escalations,
        (SELECT coalesce(sum(p.amount::DOUBLE * f.factor), 0) FROM payments p
           JOIN invoices i ON i.id = p.invoice_id
           LEFT JOIN fx_factors f ON f.currency = i.currency
                AND f.month = date_trunc('month', i.issue_date)::DATE
           WHERE p.paid_on <= $today) AS payments_received,
        (SELECT coalesce(max(id), 0) FROM payments) AS payments_through,
        (SELECT count(*) FROM target_changes) AS target_edits"""


_ESCALATIONS = """
    SELECT i.id, i.account_id, a.name AS account, coalesce(i.subject, '') AS subject, i.severity,
           CASE WHEN i.deleted_at IS NOT NULL THEN 'deleted'
                WHEN coalesce(i.escalation_status, 'open') = 'resolved' THEN 'resolved'
                ELSE 'open' END AS state
    FROM interactions i JOIN accounts a ON a.id = i.account_id
    WHERE i.type = 'escalation' AND NOT i.is_planned ORDER BY i.id"""

# the payments converted as in the running total of _COUNTERS; how many there are and their
# total, with the biggest few alongside (one row with empty payment columns when there are none)
_PAYMENTS_BETWEEN = f"""WITH {fx.RATES_CTE},
    {fx.factors("SELECT DISTINCT date_trunc('month', issue_date)::DATE FROM invoices")},
    paid AS (
        SELECT p.id, i.account_id, a.name AS account, p.paid_on, p.amount::DOUBLE * f.factor AS amount
        FROM payments p JOIN invoices i ON i.id = p.invoice_id JOIN accounts a ON a.id = i.account_id
        JOIN fx_factors f ON f.currency = i.currency AND f.month = date_trunc('month', i.issue_date)::DATE
        WHERE p.id > $after AND p.id <= $through AND f.factor IS NOT NULL),
    biggest AS (SELECT * FROM paid ORDER BY amount DESC, paid_on, account, id LIMIT $limit)
    SELECT t.n, t.total, b.id, b.account_id, b.account, b.paid_on, b.amount
    FROM (SELECT count(*) AS n, coalesce(sum(amount), 0) AS total FROM paid) t
    LEFT JOIN biggest b ON true
    ORDER BY b.amount DESC, b.paid_on, b.account, b.id"""


def escalation_details(db: Database, actor: Actor) -> dict[int, EscalationFigures]:
    """Every escalation recorded (a deleted one as 'deleted'): id -> account, subject, severity,
    state."""
    require(actor, "read_accounts")
    return {int(i): EscalationFigures(int(a), name, subject, severity, state)
            for i, a, name, subject, severity, state in db.rows(_ESCALATIONS)}


def payments_between(db: Database, actor: Actor, after_id: int, through_id: int, currency: str,
                     limit: int = TOP) -> PaymentsReceived:
    """The payments that still exist with `after_id` < id <= `through_id` (two snapshots'
    watermarks: what came in between), amounts in `currency`: the `limit` biggest, how many
    there are and their total. One query; never more than `limit` rows."""
    require(actor, "read_accounts")
    params = {"rep": currency, "after": after_id, "through": through_id, "limit": limit}
    rows = db.rows(_PAYMENTS_BETWEEN, bound(_PAYMENTS_BETWEEN, params))
    count, total = (int(rows[0][0]), float(rows[0][1])) if rows else (0, 0.0)
    biggest = tuple(PaymentMove(int(i), int(a), n, d, float(x))
                    for _, _, i, a, n, d, x in rows if i is not None)
    return PaymentsReceived(biggest, count, total)


def snapshot_now(db: Database, actor: Actor, *, currency: str, today: date,
                 fiscal_start: int = 1) -> Snapshot:
    """The figures a review started now would keep."""
    period = Period.of(db, today, fiscal_start)
    accounts = account_figures(db, actor, period, currency)
    managers = manager_figures(db, actor, period, currency)
    risky = set(at_risk_accounts(db, actor, today)["account_id"].astype(int))
    counters = db.record(_COUNTERS, bound(_COUNTERS, {"rep": currency, "today": today}))
    return Snapshot(
        taken_at=datetime.now(timezone.utc).replace(tzinfo=None), fiscal_year=period.year_label,
        managers={int(r.manager_id): ManagerFigures(r.name, float(r.revenue), float(r.target))
                  for r in managers.itertuples()},
        accounts={int(r.account_id): AccountFigures(
            r.name, None if pd.isna(r.owner_id) else int(r.owner_id), float(r.revenue),
            float(r.last_month), int(r.account_id) in risky) for r in accounts.itertuples()},
        open_escalations=frozenset(int(i) for i in counters["open_escalations"]),
        escalations_raised=int(counters["escalations_raised"]),
        escalations_resolved=int(counters["escalations_resolved"]),
        payments_received=float(counters["payments_received"]),
        target_edits=int(counters["target_edits"]),
        escalations=escalation_details(db, actor),
        payments_through=int(counters["payments_through"]))


def manager_names(db: Database, actor: Actor) -> dict[int, str]:
    """Active account managers, id -> name (unique in the list), by name: who can own an item."""
    require(actor, "read_accounts")
    rows = db.rows("SELECT id, name FROM account_managers WHERE active ORDER BY lower(name), id")
    names = [n for _, n in rows]
    return {i: n if names.count(n) == 1 else f"{n} (#{i})" for i, n in rows}


# ---- one manager, for the walk-through --------------------------------------------------------
def manager_summary(board: pd.DataFrame, manager_id: int, follow_ups: pd.DataFrame,
                    escalations: pd.DataFrame, at_risk: pd.DataFrame,
                    actions: pd.DataFrame) -> dict[str, Any]:
    """One manager's line of the leaderboard with counts of their open items (pure)."""
    row = board[board["manager_id"] == manager_id]
    line = row.iloc[0].to_dict() if len(row) else {"name": "", "accounts": 0, "revenue": 0.0,
                                                   "target": 0.0, "attainment": None}
    return {**line,
            "overdue_follow_ups": int((follow_ups["owner_id"] == manager_id).sum()),
            "open_escalations": int((escalations["manager_id"] == manager_id).sum()),
            "at_risk": int((at_risk["owner_id"] == manager_id).sum()),
            "open_actions": int((actions["owner_id"] == manager_id).sum()),
            "attainment": None if line.get("attainment") is None or pd.isna(line["attainment"])
            else float(line["attainment"])}
