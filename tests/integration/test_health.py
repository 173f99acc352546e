"""Health scores from a real DuckDB: signals aggregated set-wise, weights an admin edits."""
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import pytest

from lib import health
from lib.errors import NotAllowed, NotFound, ValidationFailed, WriteConflict
from lib.migrate import open_database
from lib.users import SYSTEM
from tests.builders import (_insert, add_account_target, add_fx, add_interaction, add_invoice,
                            add_payment, add_revenue, make_account)
from tests.conftest import copy_db

TODAY = date(2026, 7, 15)  # last complete month: June 2026


def _months(first: date, n: int) -> list[date]:
    return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
            for i in range(n)]


def _row(db, actor, account_id, today=TODAY):
    frame = health.scores(db, actor, today, [account_id])
    return frame.iloc[0]


def test_the_migration_seeds_weights_that_sum_to_100_and_a_threshold_of_50(db):
    assert sum(health.weights(db).values()) == 100
    assert set(health.weights(db)) == set(health.FACTORS)
    assert health.threshold(db) == 50


def test_an_admin_saves_weights_and_threshold_and_the_change_is_audited(db, team):
    loaded = health.for_editing(db)["version"]
    new_version = health.set_weights(db, team["admin"], {"contact": 30, "budget": "0"}, 60, loaded)
    assert new_version == loaded + 1
    assert health.weights(db)["contact"] == 30 and health.weights(db)["budget"] == 0
    assert health.threshold(db) == 60
    changes = db.value("SELECT changes FROM audit_log WHERE entity = 'health_weights' "
                       "ORDER BY id DESC LIMIT 1")
    assert "Days since contact" in changes and "At-risk threshold" in changes
    assert health.for_editing(db)["updated_by"] == "Ada Admin"


def test_bad_weights_are_refused_in_words_and_nothing_is_saved(db, team):
    loaded = health.for_editing(db)["version"]
    with pytest.raises(ValidationFailed) as caught:
        health.set_weights(db, team["admin"], {"contact": 120, "sentiment": "lots", "mood": 5}, -1, loaded)
    problems = " ".join(caught.value.problems)
    assert "Days since contact: 120 is not allowed; use a weight from 0 to 100" in problems
    assert "Customer sentiment: lots is not allowed" in problems
    assert "'mood' is not a health factor" in problems
    assert "At-risk threshold: -1 is not allowed" in problems
    assert health.weights(db)["contact"] == 15


def test_weights_that_all_weigh_nothing_are_refused(db, team):
    with pytest.raises(ValidationFailed, match="at least one factor must weigh more than 0"):
        health.set_weights(db, team["admin"], {k: 0 for k in health.FACTORS}, 50,
                           health.for_editing(db)["version"])


def test_the_second_admin_saving_on_an_old_version_gets_a_conflict_not_an_overwrite(db, team):
    loaded = health.for_editing(db)["version"]
    health.set_weights(db, team["admin"], {"contact": 25}, 50, loaded)
    with pytest.raises(WriteConflict) as caught:
        health.set_weights(db, SYSTEM, {"contact": 5}, 50, loaded)
    assert caught.value.current["weights"]["contact"] == 25
    assert health.weights(db)["contact"] == 25


def test_only_an_admin_may_change_the_weights(db, team):
    with pytest.raises(NotAllowed):
        health.set_weights(db, team["eleanor"], {"contact": 25}, 50, 1)


def test_an_account_not_contacted_for_64_days_loses_the_contact_points_and_says_why(db, team):
    account = make_account(db, tier="key", owner_id=team["maya_row"])
    add_interaction(db, account, team["maya_row"], datetime(2026, 5, 12, 10))  # 64 days before
    row = _row(db, team["viewer"], account)  # any signed-in role may read
    assert row["contact_points"] == -15
    assert "−15: no contact for 64 days (policy 30)" in row["reasons"]
    assert row["score"] == 85 and not row["at_risk"]


def test_revenue_trend_compares_the_last_3_complete_months_with_the_3_before_and_last_year(db, team):
    account = make_account(db)
    add_interaction(db, account, team["maya_row"], datetime(2026, 7, 1))
    for month in _months(date(2025, 4, 1), 3) + _months(date(2026, 1, 1), 3):
        add_revenue(db, account, month, 1000)
    for month in _months(date(2026, 4, 1), 3):
        add_revenue(db, account, month, 800)
    add_revenue(db, account, date(2026, 7, 1), 1)  # the current month is not complete: ignored
    row = _row(db, SYSTEM, account)
    assert row["revenue_trend_points"] == -10
    assert row["reasons"] == ["−10: revenue down 20% on the 3 months before and down 20% on the "
                              "same months last year"]


def test_a_month_closed_but_not_yet_uploaded_does_not_read_as_a_fall(db, team):
    account = make_account(db)
    add_interaction(db, account, team["maya_row"], datetime(2026, 7, 1))
    for month in _months(date(2025, 12, 1), 6):  # Dec..May: June is not uploaded for anyone
        add_revenue(db, account, month, 1000)
    assert _row(db, SYSTEM, account)["revenue_trend_points"] == 0


def test_attainment_converts_revenue_in_another_currency_into_the_accounts_own(db, team):
    account = make_account(db, currency="GBP")
    add_interaction(db, account, team["maya_row"], datetime(2026, 7, 1))
    add_fx(db, "GBP", date(2020, 1, 1), "1.25")
    for month in _months(date(2026, 1, 1), 6):
        add_account_target(db, account, month, 1000, "GBP")
        add_revenue(db, account, month, 1250 * 0.75, "USD")  # 750 GBP: 75% of target
    row = _row(db, SYSTEM, account)
    assert row["target_attainment_points"] == -10
    assert "−10: 75% of target year to date" in row["reasons"]


def test_overdue_counts_what_is_still_open_on_the_day_weighted_by_age(db, team):
    account = make_account(db)
    add_interaction(db, account, team["maya_row"], datetime(2026, 7, 1))
    for month in _months(date(2025, 7, 1), 12):
        add_revenue(db, account, month, 1000)
    bill = add_invoice(db, account, date(2026, 5, 1), date(2026, 6, 1), 900)  # 44 days overdue
    add_payment(db, bill, date(2026, 6, 20), 500)
    add_payment(db, bill, date(2026, 8, 1), 400)  # after "today": still open on the day
    row = _row(db, SYSTEM, account)
    # 400 open at 31-60 days counts once: 0.4 of a month's 1,000 -> 0.4 x 15 points
    assert row["overdue_invoices_points"] == -6
    assert "−6: $400 overdue, oldest 44 days (0.4 months of revenue)" in row["reasons"]


def test_only_open_escalations_count_and_by_severity(db, team):
    account = make_account(db)
    maya = team["maya_row"]
    add_interaction(db, account, maya, datetime(2026, 7, 1), type="escalation", severity="high",
                    escalation_status="open")
    add_interaction(db, account, maya, datetime(2026, 6, 1), type="escalation", severity="critical",
                    escalation_status="resolved", resolved_at=datetime(2026, 6, 5))
    add_interaction(db, account, maya, datetime(2026, 6, 1), type="escalation", severity="low",
                    escalation_status="open", deleted_at=datetime(2026, 6, 2))
    row = _row(db, SYSTEM, account)
    assert row["escalations_points"] == -5
    assert "−5: 1 open escalation (1 high)" in row["reasons"]


def test_budget_overrun_and_negative_sentiment_cost_points(db, team):
    account = make_account(db)
    maya = team["maya_row"]
    for month in _months(date(2026, 1, 1), 6):
        _insert(db, "budgets", {"account_id": account, "category": "travel", "month": month,
                                "budget": Decimal(100), "spend": Decimal(120), "currency": "USD",
                                "created_by": 0, "updated_by": 0})
    add_interaction(db, account, maya, datetime(2026, 7, 1), sentiment="negative")
    add_interaction(db, account, maya, datetime(2026, 3, 1), sentiment="very_positive")  # > 90 days
    row = _row(db, SYSTEM, account)
    assert row["budget_points"] == -2
    assert row["sentiment_points"] == -7.5


def test_a_key_account_that_dropped_more_than_15_points_in_30_days_is_at_risk_and_says_so(db, team):
    maya = team["maya_row"]
    key = make_account(db, tier="key", name="Key Co")
    strategic = make_account(db, tier="strategic", name="Strategic Co")
    for account in (key, strategic):
        add_interaction(db, account, maya, datetime(2026, 5, 20))
        add_invoice(db, account, date(2026, 6, 1), date(2026, 7, 1), 5000)  # due after 15 June
    frame = health.scores(db, SYSTEM, TODAY).set_index("account_id")
    assert frame.loc[key, "score"] > 50
    assert frame.loc[key, "at_risk"]
    assert frame.loc[key, "reasons"][0].startswith("At risk: key account down 28 points in 30 days")
    assert not frame.loc[strategic, "at_risk"]


def test_the_scores_of_a_few_accounts_equal_their_rows_in_the_scores_of_every_account(db, team):
    maya = team["maya_row"]
    key = make_account(db, tier="key", name="Key Co")
    strategic = make_account(db, tier="strategic", name="Strategic Co")
    quiet = make_account(db, tier="standard", name="Quiet Co")
    for account in (key, strategic):   # the same 28-point drop in 30 days
        add_interaction(db, account, maya, datetime(2026, 5, 20))
        add_invoice(db, account, date(2026, 6, 1), date(2026, 7, 1), 5000)
    everyone = health.scores(db, SYSTEM, TODAY).set_index("account_id")
    few = health.scores(db, SYSTEM, TODAY, [quiet, strategic, key]).set_index("account_id")
    pd.testing.assert_frame_equal(few, everyone.loc[[key, strategic, quiet]])
    assert few.loc[key, "at_risk"] and not few.loc[strategic, "at_risk"]


def test_a_page_of_accounts_takes_its_scores_from_every_accounts_kept_scores_until_a_write(
        db, team, monkeypatch):
    maya = team["maya_row"]
    key, quiet = make_account(db, tier="key", name="Key Co"), make_account(db, name="Quiet Co")
    archived = make_account(db, archived_at=datetime(2026, 1, 1))
    add_interaction(db, key, maya, datetime(2026, 5, 20))
    page = [quiet, key]
    alone = health.scores_of(db, SYSTEM, TODAY, page)               # nothing kept yet: scored alone
    pd.testing.assert_frame_equal(alone, health.scores(db, SYSTEM, TODAY, page))
    health.all_scores(db, SYSTEM, TODAY)
    calls = []
    real = health.scores
    monkeypatch.setattr(health, "scores", lambda *a, **k: calls.append(k) or real(*a, **k))
    pd.testing.assert_frame_equal(health.scores_of(db, SYSTEM, TODAY, page), alone)
    assert calls == []                                                # taken from the kept scores
    health.scores_of(db, SYSTEM, TODAY, [archived, key])              # an archived one is not kept
    add_invoice(db, quiet, date(2026, 1, 1), date(2026, 2, 1), 90_000)  # a write: kept no longer
    after = health.scores_of(db, SYSTEM, TODAY, page)
    score = {name: frame.set_index("account_id").loc[quiet, "score"] for name, frame in (("before", alone),
                                                                                      ("after", after))}
    assert len(calls) == 2 and score["after"] < score["before"]


def test_an_account_below_the_threshold_is_at_risk_with_the_threshold_named(db, team):
    account = make_account(db, tier="standard")  # never contacted, nothing else: 85
    loaded = health.for_editing(db)["version"]
    health.set_weights(db, team["admin"], {}, 90, loaded)
    row = _row(db, SYSTEM, account)
    assert row["at_risk"]
    assert row["reasons"] == ["At risk: score 85 is below the at-risk threshold of 90",
                              "−15: never contacted (policy 90 days)"]


def test_changed_weights_change_the_scores(db, team):
    account = make_account(db)
    assert _row(db, SYSTEM, account)["score"] == 85
    health.set_weights(db, team["admin"], {"contact": 0}, 50, health.for_editing(db)["version"])
    assert _row(db, SYSTEM, account)["score"] == 100


def test_scores_cover_live_accounts_unless_ids_are_given(db, team):
    live = make_account(db)
    archived = make_account(db, archived_at=datetime(2026, 1, 1))
    assert health.scores(db, SYSTEM, TODAY)["account_id"].tolist() == [live]
    assert health.scores(db, SYSTEM, TODAY, [archived])["account_id"].tolist() == [archived]
    assert health.scores(db, SYSTEM, TODAY, []).empty


def test_explain_says_what_changed_since_a_day_per_factor(db, team):
    account = make_account(db, tier="key")
    add_interaction(db, account, team["maya_row"], datetime(2026, 5, 20))
    told = health.explain(db, team["viewer"], account, TODAY, since=date(2026, 6, 15))
    assert told.score.score == 87  # 56 days against a policy of 30: 2 - 56/30 of the 15 points kept
    assert told.earlier.score == 100
    assert told.changes == ["−13 since 15 Jun: no contact for 56 days (policy 30)"]
    assert told.at_risk is None
    assert health.explain(db, SYSTEM, account, TODAY).changes == []


def test_signals_for_several_days_in_one_query_match_the_signals_of_each_day_alone(db, team):
    maya = team["maya_row"]
    account = make_account(db, tier="key", name="Key Co")
    other = make_account(db, tier="standard", name="Standard Co")
    for month, amount in zip(_months(date(2025, 1, 1), 18), range(1000, 19000, 1000)):
        add_revenue(db, account, month, amount)
    add_interaction(db, account, maya, datetime(2026, 5, 20), sentiment="negative")
    add_interaction(db, account, maya, datetime(2026, 6, 25), type="escalation", severity="high")
    add_invoice(db, account, date(2026, 3, 1), date(2026, 4, 1), 5000)
    days = [TODAY, date(2026, 6, 15), date(2026, 1, 31)]
    together = health.signals_as_of(db, SYSTEM, days, [account, other])
    assert together["as_of"].dt.date.tolist() == [d for d in days for _ in (account, other)]
    for day in days:
        alone = health.signals(db, SYSTEM, day, [account, other])
        same_day = together[together["as_of"].dt.date == day].drop(columns="as_of")
        pd.testing.assert_frame_equal(same_day.reset_index(drop=True), alone)
    assert together["overdue_61_90"].notna().any() and together["esc_high"].max() == 1


def test_explain_of_a_key_account_names_its_drop_in_30_days_as_scores_do(db, team):
    maya = team["maya_row"]
    key = make_account(db, tier="key", name="Key Co")
    add_interaction(db, key, maya, datetime(2026, 5, 20))
    add_invoice(db, key, date(2026, 6, 1), date(2026, 7, 1), 5000)  # due after 15 June
    told = health.explain(db, SYSTEM, key, TODAY)
    reasons = health.scores(db, SYSTEM, TODAY, [key]).iloc[0]["reasons"]
    assert told.at_risk == reasons[0]
    assert told.at_risk.startswith("At risk: key account down 28 points in 30 days")


def test_explain_of_an_account_that_is_not_key_ignores_a_drop_in_30_days(db, team):
    maya = team["maya_row"]
    strategic = make_account(db, tier="strategic", name="Strategic Co")
    add_interaction(db, strategic, maya, datetime(2026, 5, 20))
    add_invoice(db, strategic, date(2026, 6, 1), date(2026, 7, 1), 5000)
    told = health.explain(db, SYSTEM, strategic, TODAY, since=date(2026, 6, 15))
    assert told.at_risk is None
    assert told.earlier.score - told.score.score > 15  # the same drop a key account is flagged for


def test_explain_of_a_missing_account_says_there_is_none(db, team):
    with pytest.raises(NotFound, match="no account with id 999999"):
        health.explain(db, SYSTEM, 999999, TODAY, since=date(2026, 6, 15))


def test_demo_portfolio_scores_every_account_between_0_and_100_with_some_at_risk(demo_db_file, tmp_path):
    demo = open_database(copy_db(demo_db_file, tmp_path / "demo.duckdb"))
    try:
        frame = health.scores(demo, SYSTEM, date.today())
        live = demo.value("SELECT count(*) FROM accounts WHERE archived_at IS NULL")
    finally:
        demo.close()
    assert len(frame) == live and frame["account_id"].is_unique
    assert frame["score"].between(0, 100).all()
    at_risk = frame[frame["at_risk"]]
    assert 0 < len(at_risk) < len(frame)
    assert all(reasons and reasons[0].startswith("At risk:") and len(reasons) > 1
               for reasons in at_risk["reasons"])
    points = frame[list(health.POINT_COLUMNS.values())].sum(axis=1)
    assert ((100 + points) - frame["score"]).abs().max() < 0.5
