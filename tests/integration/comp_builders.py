"""Builders for the pay tests: a plan with its bands, a manager on it, quota, and Maya's
worked example (test_compensation.py, test_compensation_batch.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from tests.builders import _insert, add_manager_target, add_revenue, make_account

TODAY = date(2026, 4, 15)  # Q1 2026 has closed; Q2 is open with no month in yet
Q1 = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
BANDS = [(0, 100, 8), (100, 120, 12), (120, None, 16)]


def add_plan(db, *, bands=BANDS, effective_from=date(2000, 1, 1), revises=None, **rules) -> int:
    values = {"name": "Quarterly plan", "currency": "USD", "period": "quarter",
              "method": "marginal", "created_by": 0, "updated_by": 0,
              "effective_from": effective_from, "revises_plan_id": revises, **rules}
    plan_id = _insert(db, "comp_plans", values)
    for low, high, rate in bands:
        _insert(db, "comp_plan_bands", {"plan_id": plan_id, "lower_pct": low, "upper_pct": high,
                                        "rate_pct": rate})
    return plan_id


def assign(db, manager_id, plan_id, base=100_000, since=date(2025, 1, 1)) -> None:
    _insert(db, "comp_assignments", {"manager_id": manager_id, "plan_id": plan_id,
                                     "effective_from": since, "base_salary": D(base),
                                     "created_by": 0, "updated_by": 0})


def quota(db, manager_id, months, per_month=100_000) -> None:
    for month in months:
        add_manager_target(db, manager_id, month, per_month)


@pytest.fixture
def maya_on_plan(db, team):
    """Maya: $100,000 a month of quota in 2026, $130,000 a month credited in Q1 (390,000)."""
    plan = add_plan(db)
    assign(db, team["maya_row"], plan)
    account = make_account(db, name="Acme", owner_id=team["maya_row"])
    quota(db, team["maya_row"], [date(2026, m, 1) for m in range(1, 13)])
    for month in Q1:
        add_revenue(db, account, month, 130_000)
    return {**team, "plan": plan, "acme": account}
