"""The health rule on worked examples: signals in, sub-scores, points and sentences out."""
from datetime import date

import pytest

from lib.health_rules import (DEFAULT_WEIGHTS, FACTORS, at_risk_reason, budget, changes_since,
                              contact, escalations, overdue_invoices, revenue_trend, score_factors,
                              sentiment, signed, target_attainment)

HEALTHY = {"currency": "USD", "rev_last3": 300, "rev_prev3": 300, "rev_ly3": 300,
           "revenue_ytd": 1000, "target_ytd": 1000, "revenue_12m": 1200, "days_since_contact": 5,
           "policy_days": 30}


def test_the_default_weights_sum_to_100_so_each_weight_reads_as_points():
    assert sum(DEFAULT_WEIGHTS.values()) == 100
    assert set(DEFAULT_WEIGHTS) == set(FACTORS)


def test_a_healthy_account_scores_100_and_has_no_reasons():
    score = score_factors(HEALTHY, DEFAULT_WEIGHTS)
    assert score.score == 100
    assert score.reasons == []
    assert all(points == 0 for points in score.points.values())


def test_revenue_down_20_percent_on_both_comparisons_scores_half():
    sub, text = revenue_trend({"rev_last3": 80, "rev_prev3": 100, "rev_ly3": 100})
    assert sub == pytest.approx(0.5)
    assert text == "revenue down 20% on the 3 months before and down 20% on the same months last year"


def test_revenue_trend_averages_the_two_comparisons():
    # +20% on the quarter before, -40% on last year: -10% on average -> 1 - 0.10 / 0.4
    sub, _ = revenue_trend({"rev_last3": 120, "rev_prev3": 100, "rev_ly3": 200})
    assert sub == pytest.approx(0.75)


def test_revenue_that_fell_to_nothing_scores_zero_and_growth_scores_full():
    assert revenue_trend({"rev_last3": 0, "rev_prev3": 100, "rev_ly3": None})[0] == 0
    assert revenue_trend({"rev_last3": 150, "rev_prev3": 100, "rev_ly3": 90})[0] == 1


def test_new_revenue_with_nothing_to_compare_is_not_scored():
    assert revenue_trend({"rev_last3": 50, "rev_prev3": 0, "rev_ly3": float("nan")}) == (
        None, "revenue is new: nothing to compare it with yet")


def test_attainment_of_75_percent_scores_half_and_no_target_is_not_scored():
    assert target_attainment({"revenue_ytd": 750, "target_ytd": 1000}) == (0.5, "75% of target year to date")
    assert target_attainment({"revenue_ytd": 1200, "target_ytd": 1000})[0] == 1
    assert target_attainment({"revenue_ytd": 400, "target_ytd": 1000})[0] == 0
    assert target_attainment({"revenue_ytd": 400, "target_ytd": 0})[0] is None


def test_overdue_is_weighted_by_age_against_a_month_of_revenue():
    # a month of revenue is 10,000; 4,000 at 31-60 days counts once: 0.4 of a month
    sub, text = overdue_invoices({"currency": "USD", "revenue_12m": 120_000, "overdue_31_60": 4000,
                                  "overdue_days": 45})
    assert sub == pytest.approx(0.6)
    assert text == "$4,000 overdue, oldest 45 days (0.4 months of revenue)"
    # the same amount 90+ days late counts double
    assert overdue_invoices({"revenue_12m": 120_000, "overdue_90_plus": 4000})[0] == pytest.approx(0.2)
    # and 1-30 days late counts half
    assert overdue_invoices({"revenue_12m": 120_000, "overdue_1_30": 4000})[0] == pytest.approx(0.8)


def test_nothing_overdue_is_healthy_and_overdue_without_revenue_scores_zero():
    assert overdue_invoices({"revenue_12m": 0}) == (1.0, "nothing overdue")
    sub, text = overdue_invoices({"currency": "GBP", "overdue_61_90": 500, "overdue_days": 70})
    assert sub == 0 and text == "£500 overdue, oldest 70 days, with no revenue in the last 12 months"


def test_contact_within_policy_is_healthy_and_twice_the_policy_scores_zero():
    assert contact({"days_since_contact": 30, "policy_days": 30}) == (1.0, "last contact 30 days ago (policy 30)")
    assert contact({"days_since_contact": 36, "policy_days": 30}) == (
        pytest.approx(0.8), "no contact for 36 days (policy 30)")
    assert contact({"days_since_contact": 64, "policy_days": 30})[0] == 0
    assert contact({"days_since_contact": None, "policy_days": 30}) == (0.0, "never contacted (policy 30 days)")


def test_escalations_weigh_by_severity():
    sub, text = escalations({"esc_high": 1, "esc_low": 1})
    assert sub == pytest.approx(0.4)
    assert text == "2 open escalations (1 high, 1 low)"
    assert escalations({"esc_critical": 1})[0] == 0
    assert escalations({}) == (1.0, "no open escalations")


def test_budget_20_percent_over_scores_point_six_and_spend_without_budget_scores_zero():
    assert budget({"budget_ytd": 100, "spend_ytd": 120}) == (
        pytest.approx(0.6), "spend 120% of budget year to date")
    assert budget({"budget_ytd": 100, "spend_ytd": 90})[0] == 1
    assert budget({"budget_ytd": 0, "spend_ytd": 50, "currency": "EUR"}) == (
        0.0, "€50 spent with no budget this year")
    assert budget({})[0] is None


def test_sentiment_neutral_or_better_is_healthy_and_negative_costs():
    assert sentiment({"sentiment_neutral": 2, "sentiment_positive": 1})[0] == 1
    sub, text = sentiment({"sentiment_negative": 2})
    assert sub == pytest.approx(0.5)
    assert text == "sentiment negative over 2 interactions in 90 days"
    assert sentiment({"sentiment_very_negative": 1})[0] == 0
    assert sentiment({})[0] is None


def test_worked_example_score_is_100_minus_what_each_factor_cost():
    signals = {**HEALTHY,
               "rev_last3": 80, "rev_prev3": 100, "rev_ly3": 100,        # 0.5 x 20 -> -10
               "revenue_ytd": 750, "target_ytd": 1000,                   # 0.5 x 20 -> -10
               "revenue_12m": 120_000, "overdue_31_60": 4000,            # 0.4 x 15 -> -6
               "overdue_days": 45,
               "days_since_contact": 36, "policy_days": 30,              # 0.2 x 15 -> -3
               "esc_high": 1, "esc_low": 1,                              # 0.6 x 10 -> -6
               "budget_ytd": 100, "spend_ytd": 120,                      # 0.4 x 5  -> -2
               "sentiment_positive": 3}                                  # 0
    score = score_factors(signals, DEFAULT_WEIGHTS)
    assert score.score == 63
    assert score.points == pytest.approx({"revenue_trend": -10, "target_attainment": -10,
                                          "overdue_invoices": -6, "contact": -3, "escalations": -6,
                                          "budget": -2, "sentiment": 0})
    assert score.reasons == [
        "−10: revenue down 20% on the 3 months before and down 20% on the same months last year",
        "−10: 75% of target year to date",
        "−6: $4,000 overdue, oldest 45 days (0.4 months of revenue)",
        "−6: 2 open escalations (1 high, 1 low)",
        "−3: no contact for 36 days (policy 30)",
        "−2: spend 120% of budget year to date",
    ]


def test_weights_that_do_not_sum_to_100_are_scaled_to_100_points():
    equal = {key: 1 for key in FACTORS}
    score = score_factors({**HEALTHY, "days_since_contact": None}, equal)
    assert score.points["contact"] == pytest.approx(-100 / 7)
    assert score.score == pytest.approx(100 - 100 / 7, abs=0.05)


def test_a_factor_weighted_zero_costs_nothing():
    score = score_factors({**HEALTHY, "days_since_contact": 400}, {**DEFAULT_WEIGHTS, "contact": 0})
    assert score.score == 100 and score.reasons == []


def test_weights_that_sum_to_zero_cannot_score():
    with pytest.raises(ValueError, match="sum to 0"):
        score_factors(HEALTHY, {key: 0 for key in FACTORS})


def test_points_read_with_a_real_minus_sign_and_tiny_costs_read_as_zero():
    assert signed(-12.4) == "−12"
    assert signed(-0.4) == "0"
    assert signed(3) == "+3"


def test_at_risk_below_the_threshold_says_so():
    assert at_risk_reason(42, 50, "standard", None) == "At risk: score 42 is below the at-risk threshold of 50"
    assert at_risk_reason(50, 50, "standard", None) is None


def test_a_key_account_dropping_more_than_15_points_in_30_days_is_at_risk():
    assert at_risk_reason(70, 50, "key", 90) == "At risk: key account down 20 points in 30 days (from 90)"
    assert at_risk_reason(75, 50, "key", 90) is None          # exactly 15 is not more than 15
    assert at_risk_reason(70, 50, "strategic", 90) is None    # only key accounts


def test_what_changed_since_names_the_factor_and_the_day_biggest_loss_first():
    before = score_factors({**HEALTHY, "esc_low": 1}, DEFAULT_WEIGHTS)
    now = score_factors({**HEALTHY, "days_since_contact": 64, "rev_last3": 80, "rev_prev3": 100,
                         "rev_ly3": 100}, DEFAULT_WEIGHTS)
    assert changes_since(now, before, date(2026, 10, 1)) == [
        "−15 since 1 Oct: no contact for 64 days (policy 30)",
        "−10 since 1 Oct: revenue down 20% on the 3 months before and down 20% on the same months last year",
        "+1 since 1 Oct: no open escalations",
    ]


def test_scoring_a_whole_frame_gives_the_same_numbers_and_reasons_as_one_account_at_a_time():
    import pandas as pd

    from lib.health_rules import POINT_COLUMNS, score_columns
    rows = [HEALTHY,
            {**HEALTHY, "days_since_contact": None, "esc_medium": 2, "budget_ytd": 0, "spend_ytd": 9},
            {"currency": "INR", "rev_last3": 0, "rev_prev3": 50, "overdue_90_plus": 10,
             "sentiment_very_negative": 1, "sentiment_positive": 1, "policy_days": 90,
             "days_since_contact": 200, "revenue_12m": 600},
            {"currency": "GBP"}]
    frame = pd.DataFrame(rows)
    together = score_columns(frame, DEFAULT_WEIGHTS)
    for i, signals in enumerate(rows):
        alone = score_factors(frame.iloc[i].to_dict(), DEFAULT_WEIGHTS)
        assert together["score"].iloc[i] == alone.score
        assert together["reasons"].iloc[i] == alone.reasons
        for key, column in POINT_COLUMNS.items():
            assert together[column].iloc[i] == pytest.approx(alone.points[key])
    # 2: contact -15, escalations -5, budget -5; 3: trend -20, overdue -6, contact -15, sentiment -3.75
    assert list(together["score"]) == [100, pytest.approx(75), pytest.approx(55.2), 100]
