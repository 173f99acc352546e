"""Pay from the database: crediting by ownership history, plans in force, the draw carried from
period to period, clawbacks at the original rate, bonuses, projection, what-if, moving accounts,
the team's cost, the statement workbook, and who may see whose pay. (Many managers at once:
test_compensation_batch.py.)"""
from __future__ import annotations

import io
import pickle
from datetime import date
from decimal import Decimal as D

import pandas as pd
import pytest

from lib import comp_statement, comp_team, comp_whatif, compensation
from lib.commission_text import money
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from lib.users import SYSTEM
from tests.builders import _insert, add_revenue, make_account
from tests.integration.comp_builders import (Q1, TODAY, add_plan, assign, maya_on_plan,  # noqa: F401
                                             quota)

def test_the_worked_example_pays_36000_commission_and_61000_in_total(db, maya_on_plan):
    s = compensation.statement(db, maya_on_plan["maya"], maya_on_plan["maya_row"], TODAY,
                               focus=date(2026, 2, 1))
    q1 = s.current
    assert (q1.status, q1.quota, q1.actual) == ("closed", D("300000.00"), D("390000.00"))
    assert q1.to_date.result.commission == D("36000.00")
    assert q1.to_date.base == D("25000.00")
    assert q1.to_date.total_compensation == D("61000.00")
    assert "Total compensation: base $25,000.00 + earned $36,000.00 = $61,000.00." in q1.to_date.explanation


def test_revenue_goes_to_whoever_owned_the_account_on_the_first_of_the_month(db, maya_on_plan):
    maya, oliver = maya_on_plan["maya_row"], maya_on_plan["oliver_row"]
    moved = make_account(db, name="Bolt", owner_id=maya)
    for month in Q1:
        add_revenue(db, moved, month, 10_000)
    _insert(db, "account_history", {"account_id": moved, "field": "owner_id",
                                    "old_value": str(oliver), "new_value": str(maya),
                                    "changed_on": date(2026, 2, 15), "changed_by": 0})
    s = compensation.statement(db, maya_on_plan["admin"], maya, TODAY, focus=date(2026, 1, 1))
    # January and February were Oliver's (he owned it on the 1st); March is Maya's
    assert s.current.actual == D("400000.00")
    bolt = s.accounts.set_index("account")
    assert bolt.loc["Bolt", "actual"] == D("10000.00")


def test_a_plan_revision_pays_from_its_effective_date_and_not_before(db, maya_on_plan):
    add_plan(db, bands=[(0, 100, 10), (100, None, 10)], effective_from=date(2026, 4, 1),
             revises=maya_on_plan["plan"])
    for month in (date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)):
        add_revenue(db, maya_on_plan["acme"], month, 100_000)
    s = compensation.statement(db, maya_on_plan["admin"], maya_on_plan["maya_row"],
                               date(2026, 7, 10), focus=date(2026, 5, 1))
    q1, q2 = s.periods[0], s.periods[1]
    assert q1.to_date.result.commission == D("36000.00")  # the old rates
    assert q2.to_date.result.commission == D("30000.00")  # 300,000 x 10%


def test_a_recoverable_draw_is_carried_and_recovered_from_the_next_quarter(db, team):
    plan = add_plan(db, draw_amount=D(10_000), draw_recoverable=True)
    assign(db, team["maya_row"], plan)
    account = make_account(db, owner_id=team["maya_row"])
    quota(db, team["maya_row"], [date(2026, m, 1) for m in range(1, 13)])
    for month, amount in zip(Q1 + [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)],
                             [25_000] * 3 + [130_000] * 3):
        add_revenue(db, account, month, amount)
    s = compensation.statement(db, team["admin"], team["maya_row"], date(2026, 7, 2))
    q1, q2 = s.periods[0].to_date, s.periods[1].to_date
    assert (q1.result.commission, q1.draw.paid, q1.draw.balance_after) == (
        D("6000.00"), D("10000.00"), D("4000.00"))
    assert (q2.result.commission, q2.draw.paid, q2.draw.balance_after) == (
        D("36000.00"), D("32000.00"), D("0.00"))


def test_a_clawback_takes_back_reversed_revenue_at_the_rate_the_original_quarter_paid(db, maya_on_plan):
    director = maya_on_plan["eleanor"]
    compensation_id = comp_team.record_clawback(
        db, director, maya_on_plan["maya_row"], TODAY, date(2026, 2, 1), "39,000", "Credit note CN-7")
    assert compensation_id
    s = compensation.statement(db, maya_on_plan["maya"], maya_on_plan["maya_row"], TODAY)
    q2 = s.current.to_date
    # Q1 paid 36,000 on 390,000: 9.2307...%; 39,000 of it reversed takes back 3,600.00
    assert q2.clawed_back == D("3600.00")
    assert any("Clawback (Credit note CN-7)" in line for line in q2.explanation)
    assert db.value("SELECT count(*) FROM audit_log WHERE entity = 'comp_adjustment'") == 1


def test_a_clawback_of_more_than_the_quarter_credited_is_refused_in_words(db, maya_on_plan):
    with pytest.raises(ValidationFailed, match="cannot have been reversed"):
        comp_team.record_clawback(db, maya_on_plan["admin"], maya_on_plan["maya_row"], TODAY,
                                  date(2026, 2, 1), "400000.01", "Too much")
    assert db.value("SELECT count(*) FROM comp_adjustments") == 0


def test_a_bonus_is_added_after_the_cap_and_can_be_removed(db, team):
    plan = add_plan(db, cap_kind="amount", cap_value=D(20_000))
    assign(db, team["maya_row"], plan)
    account = make_account(db, owner_id=team["maya_row"])
    quota(db, team["maya_row"], [date(2026, m, 1) for m in range(1, 13)])
    for month in Q1:
        add_revenue(db, account, month, 130_000)
    bonus = comp_team.record_bonus(db, team["eleanor"], team["maya_row"], date(2026, 2, 10),
                                   "1500", "SPIF")
    s = compensation.statement(db, team["maya"], team["maya_row"], TODAY, focus=date(2026, 1, 1))
    assert (s.current.to_date.result.commission, s.current.to_date.earned) == (
        D("20000.00"), D("21500.00"))
    comp_team.delete_adjustment(db, team["eleanor"], bonus)
    s = compensation.statement(db, team["maya"], team["maya_row"], TODAY, focus=date(2026, 1, 1))
    assert s.current.to_date.earned == D("20000.00")


def test_a_manager_may_not_record_their_own_bonus(db, maya_on_plan):
    with pytest.raises(NotAllowed):
        comp_team.record_bonus(db, maya_on_plan["maya"], maya_on_plan["maya_row"], TODAY, "1", "me")


def test_the_open_quarter_is_projected_at_the_run_rate_of_the_months_in(db, maya_on_plan):
    s = compensation.statement(db, maya_on_plan["maya"], maya_on_plan["maya_row"], TODAY)
    q2 = s.current
    assert (q2.status, q2.closed_months, q2.actual) == ("open", 0, D("0.00"))
    assert q2.projected == D("390000.00")  # three more months at the even pace of 130,000
    assert q2.at_end.result.commission == D("36000.00")
    assert s.accounts.loc[0, "account"] == "Acme"
    assert s.accounts.loc[0, "worth"] == D("36000.00")  # without it nothing is credited


def test_the_explanation_of_a_period_not_yet_closed_starts_with_where_its_projection_comes_from(
        db, maya_on_plan):
    s = compensation.statement(db, maya_on_plan["maya"], maya_on_plan["maya_row"], TODAY)
    q1, q2 = s.periods[0], s.current
    assert (q1.why_heading, q1.why) == ("Why this number", q1.at_end.explanation)
    assert q2.why_heading == "Why this projection"
    assert q2.why == ["Projected revenue: $390,000.00, all of it expected (no month of the period "
                      "has closed yet).", *q2.at_end.explanation]
    add_revenue(db, maya_on_plan["acme"], date(2026, 4, 1), 100_000)
    q2 = compensation.statement(db, maya_on_plan["maya"], maya_on_plan["maya_row"],
                                date(2026, 5, 15)).current
    assert q2.why[0] == (f"Projected revenue: $100,000.00 credited in the 1 closed month + "
                         f"{money(q2.projected - D('100000'))} expected in the months to come = "
                         f"{money(q2.projected)}.")


def test_what_if_another_sale_or_an_attainment_pays_the_plans_amount(db, maya_on_plan):
    q2 = compensation.statement(db, maya_on_plan["maya"], maya_on_plan["maya_row"], TODAY).current
    assert comp_whatif.what_if_more(q2, D("30000")).result.commission == D("40800.00")
    assert comp_whatif.what_if_attainment(q2, 100).result.commission == D("24000.00")
    points, marks = comp_whatif.curve(q2)
    assert dict(points)[D(100)] == D("24000.00") and [m[0] for m in marks] == ["Now", "Projected"]


def test_moving_an_account_shows_both_managers_change_and_saves_nothing(db, maya_on_plan):
    oliver = maya_on_plan["oliver_row"]
    assign(db, oliver, maya_on_plan["plan"])
    quota(db, oliver, [date(2026, m, 1) for m in range(1, 13)])
    source, target = comp_team.territory_what_if(db, maya_on_plan["eleanor"], [maya_on_plan["acme"]],
                                                 maya_on_plan["maya_row"], oliver, TODAY)
    moved = source.before.current.projected - source.after.current.projected
    assert moved == target.after.current.projected - target.before.current.projected
    assert moved == D("260000.00")  # May and June; April stays Maya's (she owned it on the 1st)
    assert db.value("SELECT owner_id FROM accounts WHERE id = ?", [maya_on_plan["acme"]]) == \
        maya_on_plan["maya_row"]
    comp_team.apply_territory(db, maya_on_plan["eleanor"], [maya_on_plan["acme"]], oliver, TODAY)
    assert db.value("SELECT owner_id FROM accounts WHERE id = ?", [maya_on_plan["acme"]]) == oliver
    assert db.value("SELECT count(*) FROM account_history WHERE field = 'owner_id'") == 1


def test_a_manager_sees_only_their_own_pay_and_a_director_their_teams(db, maya_on_plan):
    t = maya_on_plan
    assert list(compensation.visible_managers(db, t["maya"])) == [t["maya_row"]]
    assert set(compensation.visible_managers(db, t["eleanor"])) >= {t["maya_row"], t["oliver_row"]}
    assert t["zoe_row"] not in compensation.visible_managers(db, t["eleanor"])
    assert compensation.visible_managers(db, t["viewer"]) == {}
    for actor, whose in ((t["maya"], t["oliver_row"]), (t["eleanor"], t["zoe_row"]),
                         (t["viewer"], t["maya_row"])):
        with pytest.raises(NotAllowed):
            compensation.statement(db, actor, whose, TODAY)
    assert compensation.statement(db, t["admin"], t["zoe_row"], TODAY).periods[0].plan is None


def test_the_team_view_adds_everyones_pay_and_compares_it_with_the_budget(db, maya_on_plan):
    director = maya_on_plan["eleanor"]
    comp_team.set_budget(db, director, 2026, "150000", "USD", None)
    view = comp_team.team_view(db, director, TODAY, "USD")
    assert list(view.table["manager"]) == ["Maya Thompson"]
    assert view.total == view.table.loc[0, "total"] == D("244000.00")  # 100,000 + 4 x 36,000
    assert view.budget_in_currency == D("150000.00")
    with pytest.raises(WriteConflict):
        comp_team.set_budget(db, director, 2026, "160000", "USD", None)
    with pytest.raises(NotAllowed):
        comp_team.set_budget(db, maya_on_plan["maya"], 2026, "1", "USD", 1)


def test_the_statement_workbook_holds_the_bands_the_accounts_and_the_totals(db, maya_on_plan):
    s = compensation.statement(db, maya_on_plan["maya"], maya_on_plan["maya_row"], TODAY,
                               focus=date(2026, 3, 1))
    book = pd.read_excel(io.BytesIO(comp_statement.statement_xlsx(s)), sheet_name=None,
                         engine="calamine", header=None)
    assert list(book) == ["Summary", "Bands", "Credited revenue", "Adjustments", "Year"]
    summary = dict(zip(book["Summary"][0], book["Summary"][1]))
    assert summary["Projected total compensation"] == 61000
    assert list(book["Bands"][3][1:4]) == [24000, 7200, 4800]
    assert book["Credited revenue"][1][1] == "Acme"
    assert comp_statement.file_name(s) == "commission-statement-maya-thompson-2026-01.xlsx"


def test_a_manager_with_no_quota_is_told_why_there_is_no_commission(db, team):
    assign(db, team["maya_row"], add_plan(db))
    s = compensation.statement(db, team["maya"], team["maya_row"], TODAY)
    assert s.current.to_date is None
    assert "no quota" in s.current.problem and "Targets page" in s.current.problem


def test_the_system_user_is_not_a_manager_anyone_is_paid_as(db, team):
    assert SYSTEM.id not in compensation.visible_managers(db, team["admin"])


def test_a_statement_keeps_its_accounts_through_the_page_caches_pickling(db, maya_on_plan):
    s = compensation.statement(db, maya_on_plan["maya"], maya_on_plan["maya_row"], TODAY)
    copy = pickle.loads(pickle.dumps(s))
    assert copy == s
    pd.testing.assert_frame_equal(copy.accounts, s.accounts)
