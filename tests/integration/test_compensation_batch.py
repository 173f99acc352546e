"""Pay for many managers at once: the batch gives each the statement they get alone, on the demo
and on plans changed mid-year, and refuses whole when one manager may not be seen."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pandas as pd
import pytest

from lib import comp_team, compensation
from lib.errors import NotAllowed, NotFound
from lib.migrate import open_database
from lib.users import get_user
from tests.builders import _insert, add_fx, add_manager_target, add_revenue, make_account, make_manager
from tests.conftest import ADMIN, DIRECTOR, copy_db
from tests.integration.comp_builders import (TODAY, add_plan, assign, maya_on_plan,  # noqa: F401
                                             quota)


# ---- many managers at once -----------------------------------------------------------------------
def assert_same_statement(batch, alone):
    assert batch == alone  # every field: the periods and their pay, the projection by account...
    pd.testing.assert_frame_equal(batch.accounts, alone.accounts)  # ...and the accounts table


def each_alone(db, actor, managers, today, **options):
    return {m: compensation.statements(db, actor, [m], today, **options)[m] for m in managers}


@pytest.fixture
def demo(tmp_path, demo_db_file):
    database = open_database(copy_db(demo_db_file, tmp_path / "demo.duckdb"))
    yield database
    database.close()


def test_the_batch_gives_every_demo_manager_the_statement_they_get_alone(demo):
    admin = get_user(demo, demo.value("SELECT id FROM users WHERE email = ?", [ADMIN]))
    managers = list(compensation.visible_managers(demo, admin))
    for today in (date.today(), date.today().replace(day=1)):
        batch = compensation.statements(demo, admin, managers, today)
        assert list(batch) == managers
        alone = each_alone(demo, admin, managers, today)
        for manager_id in managers:
            assert_same_statement(batch[manager_id], alone[manager_id])
    # the demo pays in three currencies, and its director is on no plan
    assert {s.currency for s in batch.values()} == {"USD", "GBP", "INR"}
    assert any(not any(p.plan for p in s.periods) for s in batch.values())
    assert all(len(s.accounts) for s in batch.values() if s.current and s.current.plan)


def test_the_team_view_of_the_demo_adds_up_each_managers_own_statement(demo):
    director = get_user(demo, demo.value("SELECT id FROM users WHERE email = ?", [DIRECTOR]))
    today = date.today()
    view = comp_team.team_view(demo, director, today, "USD")
    assert len(view.table) > 5
    for row in view.table.itertuples():
        alone = compensation.statement(demo, director, row.manager_id, today)
        assert (row.plan_currency, row.base, row.variable, row.total) == (
            alone.currency, alone.base_year, alone.projected_variable_year,
            alone.projected_total_year)


@pytest.fixture
def three_ways(db, maya_on_plan):
    """Beside Maya's worked example: Oliver, on a plan since 2023 that is revised in April and
    replaced in July, paid 100,000 a month against a 100,000 quota; Priya, paid in GBP from USD
    revenue with rates only from March; Zoe, on no plan. Acme has been Oliver's until February
    the 15th. Maya's Birch had GBP revenue in 2024, when there was no GBP rate."""
    t = maya_on_plan
    oliver = t["oliver_row"]
    first = add_plan(db, name="Quarterly plan")
    _insert(db, "comp_assignments", {"manager_id": oliver, "plan_id": first,
                                     "base_salary": D(100_000), "effective_from": date(2023, 3, 1),
                                     "effective_to": date(2026, 6, 30),
                                     "created_by": 0, "updated_by": 0})
    add_plan(db, name="Quarterly plan (revised)", bands=[(0, None, 10)],
             effective_from=date(2026, 4, 1), revises=first)
    assign(db, oliver, add_plan(db, name="Senior plan", bands=[(0, None, 5)]), base=120_000,
           since=date(2026, 7, 1))
    quota(db, oliver, [date(2026, m, 1) for m in range(1, 13)])
    account = make_account(db, name="Oak", owner_id=oliver)
    for m in range(1, 10):
        add_revenue(db, account, date(2026, m, 1), 100_000)
    priya = make_manager(db, name="Priya Shah", reports_to=None, salary_currency="GBP")
    assign(db, priya, add_plan(db, name="UK plan", currency="GBP"))
    for m in range(1, 13):
        add_manager_target(db, priya, date(2026, m, 1), 50_000, currency="GBP")
    for month in (date(2026, 3, 1), date(2026, 6, 1)):
        add_fx(db, "GBP", month, "1.25")
    for m in range(1, 10):
        add_revenue(db, make_account(db, owner_id=priya), date(2026, m, 1), 40_000)
    add_revenue(db, make_account(db, name="Birch", owner_id=t["maya_row"]), date(2024, 6, 1), 1_000,
                currency="GBP")  # no rate, and before Maya's statements begin
    _insert(db, "account_history", {"account_id": t["acme"], "field": "owner_id",
                                    "old_value": str(oliver), "new_value": str(t["maya_row"]),
                                    "changed_on": date(2026, 2, 15), "changed_by": 0})
    return {**t, "priya_row": priya}


def test_a_batch_pays_a_plan_changed_mid_year_by_the_plan_in_force_each_quarter(db, three_ways):
    t = three_ways
    s = compensation.statements(db, t["admin"], [t["oliver_row"], t["maya_row"]],
                                date(2026, 10, 15))
    oliver = s[t["oliver_row"]]
    assert [(p.plan_name, p.status, p.actual, p.to_date.result.commission, p.to_date.base)
            for p in oliver.periods[:3]] == [
        # Oak, and Acme's January and February (he owned it on their first days): 560,000 pays
        # 8% to 300,000, 12% to 360,000 and 16% above
        ("Quarterly plan", "closed", D("560000.00"), D("63200.00"), D("25000.00")),
        ("Quarterly plan (revised)", "closed", D("300000.00"), D("30000.00"), D("25000.00")),
        ("Senior plan", "closed", D("300000.00"), D("15000.00"), D("30000.00"))]
    q4 = oliver.current
    # Oak's 100,000 a month at his run-rate: 1,160,000 credited in nine months, 128,888.89 a month
    assert (q4.plan_name, q4.status, q4.projected, q4.at_end.result.commission) == (
        "Senior plan", "open", D("386666.67"), D("19333.33"))
    assert oliver.projected_total_year == D("110000.00") + D("127533.33")  # base + commission
    q1 = s[t["maya_row"]].periods[0]  # only Acme's March is Maya's: 8% of 130,000
    assert (q1.actual, q1.to_date.result.commission) == (D("130000.00"), D("10400.00"))


def test_a_batch_of_managers_equals_each_managers_own_batch(db, three_ways):
    t = three_ways
    everyone = [t["zoe_row"], t["priya_row"], t["maya_row"], t["oliver_row"]]
    for today, focus in ((date(2026, 7, 1), date(2025, 5, 1)), (TODAY, date(2026, 2, 1)),
                         (date(2026, 10, 15), None), (TODAY, None)):
        batch = compensation.statements(db, t["admin"], everyone, today, focus=focus)
        assert list(batch) == everyone
        alone = each_alone(db, t["admin"], everyone, today, focus=focus)
        for manager_id in everyone:
            assert_same_statement(batch[manager_id], alone[manager_id])
    priya, zoe = batch[t["priya_row"]], batch[t["zoe_row"]]
    assert priya.currency == "GBP" and priya.missing_fx == 2  # January and February's revenue
    assert priya.periods[0].actual == D("32000.00")  # March: 40,000 USD at 1.25 USD a pound
    assert all(p.plan is None and "No compensation plan" in p.problem for p in zoe.periods)


def test_moving_accounts_in_a_batch_changes_each_manager_as_moving_them_alone_does(db, three_ways):
    t = three_ways
    maya, oliver = t["maya_row"], t["oliver_row"]
    moves = [(t["acme"], maya, oliver)]
    before = compensation.statements(db, t["eleanor"], [maya, oliver], TODAY)
    after = compensation.statements(db, t["eleanor"], [maya, oliver], TODAY, moves=moves)
    alone = each_alone(db, t["eleanor"], [maya, oliver], TODAY, moves=moves)
    for manager_id in (maya, oliver):
        assert_same_statement(after[manager_id], alone[manager_id])
    moved = before[maya].current.projected - after[maya].current.projected
    assert moved == after[oliver].current.projected - before[oliver].current.projected
    assert moved == D("260000.00")  # May and June at Maya's pace; April stays hers


def test_a_batch_is_refused_whole_when_the_actor_may_not_see_one_of_the_managers(db, three_ways):
    t = three_ways
    for actor, managers in ((t["maya"], [t["maya_row"], t["oliver_row"]]),
                            (t["eleanor"], [t["maya_row"], t["zoe_row"]]),
                            (t["viewer"], [t["maya_row"]])):
        with pytest.raises(NotAllowed):
            compensation.statements(db, actor, managers, TODAY)
    with pytest.raises(NotFound):
        compensation.statements(db, t["admin"], [t["maya_row"], 999_999], TODAY)
    assert list(compensation.statements(db, t["maya"], [t["maya_row"]], TODAY)) == [t["maya_row"]]
    assert compensation.statements(db, t["viewer"], [], TODAY) == {}
    team = compensation.visible_managers(db, t["eleanor"])
    assert set(compensation.statements(db, t["eleanor"], team, TODAY)) == set(team)
