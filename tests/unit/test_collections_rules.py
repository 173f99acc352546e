"""Collections and budget rules on worked examples: ageing in SQL, DSO, collection rate, when a
budget runs out; and the Performance charts drawn from plain frames."""
import duckdb
import pandas as pd
import pytest

from lib import charts
from lib.account_rules import ageing_bucket
from lib.budgets import runs_out_in
from lib.collections import bucket_sql, collection_rate, days_sales_outstanding


def test_the_sql_ageing_buckets_agree_with_the_rule_for_every_day_count():
    days = list(range(0, 1200)) + [3650, 3651, 20000]
    rows = duckdb.sql(f"SELECT d, {bucket_sql('d')} FROM unnest({days}) t(d) ORDER BY d").fetchall()
    assert [bucket for _, bucket in rows] == [ageing_bucket(d) for d in sorted(days)]


@pytest.mark.parametrize("days, bucket", [(0, "current"), (1, "1-30"), (30, "1-30"), (31, "31-60"),
                                          (61, "61-90"), (90, "61-90"), (91, "90+")])
def test_an_invoice_lands_in_its_bucket_at_each_boundary_in_sql(days, bucket):
    assert duckdb.sql(f"SELECT {bucket_sql(str(days))}").fetchall() == [(bucket,)]


def test_dso_is_receivables_over_the_last_90_days_sales_times_90():
    # 45,000 owed against 90,000 invoiced in 90 days: 45 days of sales are outstanding.
    assert days_sales_outstanding(45_000, 90_000) == pytest.approx(45)
    assert days_sales_outstanding(120_000, 90_000) == pytest.approx(120)
    assert days_sales_outstanding(10, 20, days=30) == pytest.approx(15)


def test_dso_without_sales_in_the_period_is_unknown_not_infinite():
    assert days_sales_outstanding(5_000, 0) is None


def test_the_collection_rate_is_paid_over_due_for_the_period():
    assert collection_rate(550, 1000) == pytest.approx(0.55)
    assert collection_rate(0, 400) == 0
    assert collection_rate(0, 0) is None


@pytest.mark.parametrize("budget, spend, elapsed, month", [
    (1200, 600, 4, 8),      # 150 a month: 1,200 is used up by the end of August
    (2400, 840, 4, 12),     # 210 a month: 11.4 months, so during December
    (300, 600, 4, 2),       # already used up: by the end of February
    (1200, 400, 4, None),   # 100 a month lasts exactly the year
    (1200, 0, 4, None),     # nothing spent yet
    (1200, 500, 0, None),   # no month closed: no pace
])
def test_the_month_a_budget_runs_out_at_the_pace_so_far(budget, spend, elapsed, month):
    assert runs_out_in(budget, spend, elapsed) == month


def test_the_revenue_chart_draws_the_projection_and_its_band_only_for_months_to_come():
    frame = pd.DataFrame({
        "month": pd.date_range("2026-01-01", periods=4, freq="MS"),
        "revenue": [10, 12, None, None], "target": [11, 11, 11, 11],
        "revenue_last_year": [9, 9, 9, 9], "quota": [None] * 4,
        "projected": [None, None, 13, 14], "projected_low": [None, None, 12, 12],
        "projected_high": [None, None, 15, 16],
    })
    fig = charts.revenue_projection(frame, "GBP")
    traces = {t.name: t for t in fig.data if t.name}
    assert list(traces["Projected"].x) == ["Mar 2026", "Apr 2026"]
    assert traces["Projection range"].fill == "tonexty"
    assert "Manager's quota" not in traces
    assert fig.layout.yaxis.title.text == "GBP"


def test_the_budget_chart_stacks_spend_by_category_under_the_monthly_budget():
    frame = pd.DataFrame({"month": ["2026-01-01", "2026-01-01"], "category": ["travel", "events"],
                          "budget": [100.0, 50.0], "spend": [90.0, 70.0]})
    fig = charts.budget_vs_spend(frame, "USD")
    assert [t.name for t in fig.data] == ["Events spend", "Travel spend", "Budget"]
    assert list(fig.data[-1].y) == [150.0]
    assert fig.layout.barmode == "stack"
