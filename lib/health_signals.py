"""The statement behind lib.health's signals: every signal the health rule reads, for one or
more as-of days and for every live account or a few, in one query."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from lib import fx
from lib.health_rules import ESCALATION_LOAD, SENTIMENT
from lib.periods import YearToDate, add_months

# One statement answers for one or more as-of days: `day_windows` holds a row per day with its
# windows (see `windows`), every signal is grouped by (day, account), so the "now", "30 days
# ago" and "since the last review" signals of one account cost one query, not three.
_DAYS = "date_diff('day', i.due_date, d.today)"


def _signals_sql(of_ids: bool) -> str:
    """The signals statement; of_ids: for the accounts in $ids, on which each table's scan then
    filters (a quarter faster for a page of accounts than a join to `acc`)."""
    def of_acc(column: str) -> str:
        return f"list_contains($ids, {column})" if of_ids else f"{column} IN (SELECT id FROM acc)"

    return f"""
WITH {fx.RATES_CTE}, {fx.factors("SELECT unnest(generate_series($grid_from, $grid_to, INTERVAL 1 MONTH))::DATE")},
day_windows AS (SELECT unnest($days, recursive := true)),
acc AS (
    SELECT a.id, a.name, a.owner_id, a.tier, a.currency, p.max_days AS policy_days
    FROM accounts a LEFT JOIN contact_policies p ON p.tier = a.tier
    WHERE (CASE WHEN $ids IS NULL THEN a.archived_at IS NULL ELSE list_contains($ids, a.id) END)
      AND (NOT $key_only OR a.tier = 'key')),
due_invoices AS (SELECT id FROM invoices WHERE {of_acc('account_id')}),
paid AS (SELECT d.today, p.invoice_id, sum(p.amount) AS paid FROM payments p JOIN day_windows d ON p.paid_on <= d.today
         WHERE p.invoice_id IN (SELECT id FROM due_invoices) GROUP BY ALL),
money AS (
    SELECT d.today, 'rev' AS kind, account_id, month, currency, amount, 0 AS days
    FROM revenue JOIN day_windows d ON month BETWEEN d.rev_from AND d.anchor
    WHERE {of_acc('account_id')}
    UNION ALL SELECT d.today, 'tgt', account_id, month, currency, amount, 0
    FROM account_targets JOIN day_windows d ON month BETWEEN d.ytd_from AND d.rev_ytd_to
    WHERE {of_acc('account_id')}
    UNION ALL SELECT d.today, 'due', i.account_id,
        least(greatest(date_trunc('month', i.issue_date)::DATE, $grid_from), $grid_to),
        i.currency, i.amount - coalesce(p.paid, 0), {_DAYS}
    FROM invoices i JOIN day_windows d ON i.due_date < d.today AND i.issue_date <= d.today
    LEFT JOIN paid p ON p.invoice_id = i.id AND p.today = d.today
    WHERE i.amount > coalesce(p.paid, 0) AND {of_acc('i.account_id')}
    UNION ALL SELECT d.today, 'budget', account_id, month, currency, budget, 0
    FROM budgets JOIN day_windows d ON month BETWEEN d.ytd_from AND d.bud_to
    WHERE {of_acc('account_id')}
    UNION ALL SELECT d.today, 'spend', account_id, month, currency, spend, 0
    FROM budgets JOIN day_windows d ON month BETWEEN d.ytd_from AND d.bud_to
    WHERE {of_acc('account_id')}),
own AS (
    SELECT m.today, m.kind, m.account_id, m.month, m.days,
           CASE WHEN m.currency = a.currency THEN m.amount::DOUBLE
                ELSE m.amount::DOUBLE * fs.factor / fa.factor END AS amt
    FROM money m JOIN acc a ON a.id = m.account_id
    LEFT JOIN fx_factors fs ON fs.currency = m.currency AND fs.month = m.month
    LEFT JOIN fx_factors fa ON fa.currency = a.currency AND fa.month = m.month),
figures AS (
    SELECT d.today, o.account_id,
        sum(amt) FILTER (WHERE kind = 'rev' AND month BETWEEN d.l3_from AND d.anchor) AS rev_last3,
        sum(amt) FILTER (WHERE kind = 'rev' AND month BETWEEN d.p3_from AND d.p3_to) AS rev_prev3,
        sum(amt) FILTER (WHERE kind = 'rev' AND month BETWEEN d.ly_from AND d.ly_to) AS rev_ly3,
        sum(amt) FILTER (WHERE kind = 'rev' AND month BETWEEN d.r12_from AND d.anchor) AS revenue_12m,
        sum(amt) FILTER (WHERE kind = 'rev' AND month BETWEEN d.ytd_from AND d.rev_ytd_to) AS revenue_ytd,
        sum(amt) FILTER (WHERE kind = 'tgt') AS target_ytd,
        sum(amt) FILTER (WHERE kind = 'due' AND days <= 30) AS overdue_1_30,
        sum(amt) FILTER (WHERE kind = 'due' AND days BETWEEN 31 AND 60) AS overdue_31_60,
        sum(amt) FILTER (WHERE kind = 'due' AND days BETWEEN 61 AND 90) AS overdue_61_90,
        sum(amt) FILTER (WHERE kind = 'due' AND days > 90) AS overdue_90_plus,
        max(days) FILTER (WHERE kind = 'due') AS overdue_days,
        sum(amt) FILTER (WHERE kind = 'budget') AS budget_ytd,
        sum(amt) FILTER (WHERE kind = 'spend') AS spend_ytd
    FROM own o JOIN day_windows d ON d.today = o.today GROUP BY d.today, o.account_id),
done AS (
    SELECT account_id, type, occurred_at::DATE AS day, sentiment, severity, escalation_status,
           resolved_at::DATE AS resolved_on
    FROM interactions
    WHERE NOT is_planned AND deleted_at IS NULL AND occurred_at::DATE <= $last_day
      AND {of_acc('account_id')}),
acts AS (
    SELECT d.today, account_id, max(day) AS last_contact,
        {", ".join(f"count(*) FILTER (WHERE type = 'escalation' AND coalesce(severity, 'medium') = '{s}' "
                   "AND (resolved_on > d.today OR (resolved_on IS NULL "
                   "AND coalesce(escalation_status, 'open') <> 'resolved'))) AS esc_" + s
                   for s in ESCALATION_LOAD)},
        {", ".join(f"count(*) FILTER (WHERE sentiment = '{s}' AND day >= d.mood_from) AS sentiment_{s}"
                   for s in SENTIMENT)}
    FROM done JOIN day_windows d ON done.day <= d.today GROUP BY d.today, account_id)
SELECT d.today AS as_of, a.id AS account_id, a.name, a.owner_id, a.tier, a.currency, a.policy_days,
       f.* EXCLUDE (today, account_id), date_diff('day', s.last_contact, d.today) AS days_since_contact,
       s.* EXCLUDE (today, account_id, last_contact)
FROM acc a CROSS JOIN day_windows d
LEFT JOIN figures f ON f.account_id = a.id AND f.today = d.today
LEFT JOIN acts s ON s.account_id = a.id AND s.today = d.today
ORDER BY d.today DESC, a.id"""


SIGNALS = {of_ids: _signals_sql(of_ids) for of_ids in (False, True)}


def windows(today: date, anchor: date, fiscal_start: int) -> dict[str, Any]:
    """The windows the signals as of `today` read; `anchor` ends "the last 3 complete months"."""
    ytd = YearToDate.as_of(today, fiscal_start)
    return {"today": today, "anchor": anchor, "l3_from": add_months(anchor, -2),
            "p3_from": add_months(anchor, -5), "p3_to": add_months(anchor, -3),
            "ly_from": add_months(anchor, -14), "ly_to": add_months(anchor, -12),
            "r12_from": add_months(anchor, -11), "rev_from": min(add_months(anchor, -14), ytd.first),
            "ytd_from": ytd.first, "rev_ytd_to": min(ytd.last, anchor), "bud_to": ytd.last,
            "mood_from": today - timedelta(days=89), "grid_to": max(today.replace(day=1), ytd.year.months[-1])}
