"""The commission engine, one worked example per rule.

Unless a test says otherwise: a quarterly quota of $300,000; bands 0-100% at 8%, 100-120% at
12%, above 120% at 16%; base $25,000 a quarter.
"""
from __future__ import annotations

import random
from decimal import Decimal as D

import pytest

from lib.commission import (
    Band,
    Bonus,
    Clawback,
    Period,
    Plan,
    PlanError,
    QuotaError,
    apply_draw,
    commission,
    effective_rate,
    payout,
    payout_curve,
    run_periods,
    target_commission,
    validate_plan,
)

QUOTA = D("300000")
STANDARD_BANDS = (Band(D(0), D(100), D(8)), Band(D(100), D(120), D(12)), Band(D(120), None, D(16)))


def make_plan(**overrides) -> Plan:
    fields = dict(method="marginal", bands=STANDARD_BANDS, base_per_period=D("25000"))
    fields.update(overrides)
    return Plan(**fields)


def amounts(result) -> list[D]:
    return [line.amount for line in result.lines]


def earned_paid_owed(period) -> tuple[D, D, D]:
    return period.earned, period.draw.paid, period.draw.balance_after


# --- the worked examples from the product issue ----------------------------------------------

def test_marginal_plan_pays_each_band_its_own_rate_on_the_revenue_inside_it():
    result = commission(make_plan(), QUOTA, D("390000"))
    assert [line.revenue for line in result.lines] == [D("300000.00"), D("60000.00"), D("30000.00")]
    assert amounts(result) == [D("24000.00"), D("7200.00"), D("4800.00")]
    assert result.commission == D("36000.00")
    assert result.attainment_pct == D(130)


def test_retroactive_plan_pays_the_rate_of_the_band_reached_on_all_credited_revenue():
    result = commission(make_plan(method="retroactive"), QUOTA, D("390000"))
    assert [(line.revenue, line.rate_pct) for line in result.lines] == [(D("390000.00"), D(16))]
    assert result.commission == D("62400.00")


def test_decelerator_band_pays_a_lower_rate_on_the_first_half_of_quota():
    bands = (Band(D(0), D(50), D(4)),) + (Band(D(50), D(100), D(8)),) + STANDARD_BANDS[1:]
    result = commission(make_plan(bands=bands), QUOTA, D("390000"))
    assert amounts(result) == [D("6000.00"), D("12000.00"), D("7200.00"), D("4800.00")]
    assert result.commission == D("30000.00")


def test_cap_at_one_and_a_half_times_target_commission_limits_the_payout():
    plan = make_plan(cap_kind="multiple", cap_value=D("1.5"))
    result = commission(plan, QUOTA, D("420000"))
    assert target_commission(plan, QUOTA) == D("24000.00")
    assert result.band_total == D("40800.00")
    assert (result.cap, result.capped_off) == (D("36000.00"), D("4800.00"))
    assert result.commission == D("36000.00")


def test_recoverable_draw_tops_up_a_short_quarter_and_is_recovered_from_the_next():
    plan = make_plan(draw_amount=D("10000"), draw_recoverable=True)
    q1, q2 = run_periods(plan, [Period(QUOTA, D("75000")), Period(QUOTA, D("390000"))])
    assert earned_paid_owed(q1) == (D("6000.00"), D("10000.00"), D("4000.00"))
    assert q1.total_compensation == D("31000.00")  # the $4,000 top-up is an advance
    assert earned_paid_owed(q2) == (D("36000.00"), D("32000.00"), D("0.00"))
    assert q2.draw.recovered == D("4000.00")


def test_total_compensation_is_base_for_the_period_plus_commission_earned():
    plan = make_plan(draw_amount=D("10000"), draw_recoverable=True)
    q2 = payout(plan, QUOTA, D("390000"), draw_balance=D("4000"))
    assert q2.total_compensation == D("61000.00")
    assert q2.total_paid == D("57000.00")  # base + $32,000 after recovering the $4,000 balance


# --- threshold, hard stop, cap ---------------------------------------------------------------

def test_below_the_threshold_nothing_is_paid():
    result = commission(make_plan(threshold_pct=D(50)), QUOTA, D("149999.99"))
    assert not result.threshold_met
    assert result.band_total == D("12000.00")  # shown in the explanation, not paid
    assert result.commission == D("0.00")


def test_at_the_threshold_every_band_pays_from_the_first_dollar():
    plan = make_plan(threshold_pct=D(50))
    assert commission(plan, QUOTA, D("150000")).commission == D("12000.00")
    assert commission(plan, QUOTA, D("200000")).commission == D("16000.00")


def test_revenue_above_the_hard_stop_earns_nothing_in_a_marginal_plan():
    result = commission(make_plan(hard_stop_pct=D(150)), QUOTA, D("480000"))
    assert amounts(result) == [D("24000.00"), D("7200.00"), D("14400.00")]
    assert result.above_stop == D("30000.00")
    assert result.commission == D("45600.00")


def test_a_retroactive_rate_applies_only_up_to_the_hard_stop():
    result = commission(make_plan(method="retroactive", hard_stop_pct=D(150)), QUOTA, D("480000"))
    assert result.commission == D("72000.00")  # 450,000 x 16%


def test_revenue_above_a_closed_last_band_earns_nothing_like_a_hard_stop():
    plan = make_plan(bands=(Band(D(0), D(100), D(8)), Band(D(100), D(120), D(12))))
    result = commission(plan, QUOTA, D("390000"))
    assert (result.commission, result.above_stop) == (D("31200.00"), D("30000.00"))


def test_an_absolute_cap_limits_commission_and_is_ignored_below_it():
    plan = make_plan(cap_kind="amount", cap_value=D("30000"))
    capped = commission(plan, QUOTA, D("390000"))
    assert (capped.commission, capped.capped_off) == (D("30000.00"), D("6000.00"))
    below = commission(plan, QUOTA, D("300000"))
    assert (below.commission, below.capped_off) == (D("24000.00"), D("0.00"))


def test_retroactive_target_commission_at_exactly_100_percent_uses_the_band_starting_there():
    plan = make_plan(method="retroactive")
    assert target_commission(plan, QUOTA) == D("36000.00")
    assert commission(plan, QUOTA, D("299999.99")).commission == D("24000.00")  # 8%, rounded


# --- draws -----------------------------------------------------------------------------------

def test_non_recoverable_draw_pays_the_greater_of_earnings_and_draw_and_owes_nothing_back():
    plan = make_plan(draw_amount=D("10000"), draw_recoverable=False)
    q1, q2 = run_periods(plan, [Period(QUOTA, D("75000")), Period(QUOTA, D("390000"))])
    assert earned_paid_owed(q1) == (D("6000.00"), D("10000.00"), D("0.00"))
    assert q1.total_compensation == D("35000.00")  # the $4,000 top-up is pay, not a loan
    assert earned_paid_owed(q2) == (D("36000.00"), D("36000.00"), D("0.00"))


def test_a_recoverable_balance_is_recovered_over_two_later_periods():
    plan = make_plan(draw_amount=D("10000"), draw_recoverable=True)
    periods = [Period(QUOTA, D(0)), Period(QUOTA, D("200000")), Period(QUOTA, D("250000"))]
    q1, q2, q3 = run_periods(plan, periods)
    assert (q1.draw.paid, q1.draw.balance_after) == (D("10000.00"), D("10000.00"))
    assert earned_paid_owed(q2) == (D("16000.00"), D("10000.00"), D("4000.00"))
    assert earned_paid_owed(q3) == (D("20000.00"), D("16000.00"), D("0.00"))


def test_without_a_draw_earnings_are_paid_as_earned():
    result = apply_draw(make_plan(), D("6000"))
    assert (result.paid, result.balance_after) == (D("6000.00"), D("0.00"))


def test_run_periods_accepts_plain_tuples_and_an_opening_balance():
    plan = make_plan(draw_amount=D("10000"), draw_recoverable=True)
    [q2] = run_periods(plan, [(QUOTA, D("390000"), (), ())], opening_balance=D("4000"))
    assert (q2.draw.paid, q2.draw.balance_after) == (D("32000.00"), D("0.00"))


# --- clawbacks and bonuses -------------------------------------------------------------------

def test_a_clawback_takes_back_commission_at_the_original_effective_rate():
    original = commission(make_plan(), QUOTA, D("390000"))  # 36,000 on 390,000
    clawback = Clawback.at_original_rate(original, D("39000"), "credit note CN-17")
    assert clawback.amount == D("3600.00")
    q3 = payout(make_plan(), QUOTA, D("300000"), clawbacks=[clawback])
    assert (q3.result.commission, q3.clawed_back) == (D("24000.00"), D("3600.00"))
    assert q3.earned == D("20400.00")


def test_the_original_rate_of_a_capped_period_is_the_rate_actually_paid():
    original = commission(make_plan(cap_kind="amount", cap_value=D("30000")), QUOTA, D("390000"))
    assert Clawback.at_original_rate(original, D("39000")).amount == D("3000.00")


def test_a_clawback_on_a_retroactive_period_uses_the_retroactive_rate():
    original = commission(make_plan(method="retroactive"), QUOTA, D("390000"))
    assert effective_rate(original) == D(16)
    assert Clawback.at_original_rate(original, D("10000")).amount == D("1600.00")


def test_a_clawback_larger_than_the_periods_earnings_is_carried_as_owed_and_recovered_later():
    clawback = Clawback(D("45000"), D(8))  # 3,600 taken back
    periods = [Period(QUOTA, D("30000"), (clawback,)), Period(QUOTA, D("300000"))]
    q1, q2 = run_periods(make_plan(), periods)  # 2,400 earned, 3,600 clawed back
    assert earned_paid_owed(q1) == (D("-1200.00"), D("0.00"), D("1200.00"))
    assert q1.total_compensation == D("23800.00")
    assert earned_paid_owed(q2) == (D("24000.00"), D("22800.00"), D("0.00"))
    assert q2.draw.recovered == D("1200.00")


def test_a_non_recoverable_draw_forgives_its_shortfall_but_not_a_clawback():
    plan = make_plan(draw_amount=D("10000"), draw_recoverable=False)
    clawback = Clawback(D("45000"), D(8))
    q1, q2 = run_periods(plan, [Period(QUOTA, D("30000"), (clawback,)), Period(QUOTA, D("300000"))])
    assert (q1.draw.paid, q1.draw.balance_after) == (D("10000.00"), D("1200.00"))
    assert q1.total_compensation == D("33800.00")  # 25,000 - 1,200 owed + 10,000 kept
    assert (q2.draw.paid, q2.draw.balance_after) == (D("22800.00"), D("0.00"))


def test_bonuses_are_added_after_the_cap():
    plan = make_plan(cap_kind="amount", cap_value=D("30000"))
    result = payout(plan, QUOTA, D("390000"), bonuses=[Bonus(D("1000"), "Q2 SPIF")])
    assert (result.result.commission, result.bonus_total, result.earned) == (
        D("30000.00"), D("1000.00"), D("31000.00"))


def test_negative_bonuses_and_clawbacks_of_negative_revenue_are_refused():
    with pytest.raises(ValueError, match="bonus cannot be negative"):
        Bonus(D("-5"))
    with pytest.raises(ValueError, match="clawback reverses revenue"):
        Clawback(D("-100"), D(8))


# --- edges: quota, revenue, rounding ---------------------------------------------------------

@pytest.mark.parametrize("quota", [D(0), D("-1000")])
def test_a_quota_of_zero_or_less_is_refused_because_attainment_is_undefined(quota):
    with pytest.raises(QuotaError, match="cannot be measured without a quota above zero"):
        commission(make_plan(), quota, D("1000"))


def test_zero_credited_revenue_earns_nothing_and_has_zero_effective_rate():
    result = commission(make_plan(), QUOTA, D(0))
    assert amounts(result) == [D("0.00")] * 3
    assert (result.commission, effective_rate(result)) == (D("0.00"), D(0))


@pytest.mark.parametrize("method", ["marginal", "retroactive"])
def test_negative_credited_revenue_earns_nothing_rather_than_negative_commission(method):
    result = commission(make_plan(method=method), QUOTA, D("-30000"))
    assert result.commission == D("0.00")
    assert result.attainment_pct == D(-10)


def test_amounts_are_rounded_half_up_to_the_cent():
    plan = make_plan(bands=(Band(D(0), None, D("12.5")),))
    assert commission(plan, QUOTA, D("100.04")).commission == D("12.51")  # 12.505; half-even: 12.50
    assert commission(plan, QUOTA, D("12345.67")).commission == D("1543.21")  # 1543.20875


def test_band_boundaries_are_whole_cents_so_band_revenues_add_up_to_credited():
    bands = (Band(D(0), D(50), D(5)), Band(D(50), None, D(10)))
    result = commission(make_plan(bands=bands), D("1000.01"), D("600"))
    assert [line.revenue for line in result.lines] == [D("500.01"), D("99.99")]  # 500.005 rounds up
    assert amounts(result) == [D("25.00"), D("10.00")]  # 25.0005 and 9.999
    assert result.commission == D("35.00")


def test_commission_is_always_the_sum_of_its_rounded_lines():
    rng = random.Random(42)
    plan = make_plan(hard_stop_pct=D(140))
    for _ in range(200):
        quota = D(rng.randint(1, 10_000_000)) / 100
        credited = D(rng.randint(-1_000_000, 30_000_000)) / 100
        result = commission(plan, quota, credited)
        assert result.commission == sum(amounts(result), D(0))
        assert sum(line.revenue for line in result.lines) == max(D(0), credited - result.above_stop)


def test_floats_are_refused_so_no_cent_is_lost_to_binary_fractions():
    with pytest.raises(TypeError, match="never float"):
        commission(make_plan(), 300000.0, D("1000"))


# --- payout curve ----------------------------------------------------------------------------

def test_a_marginal_plans_payout_curve_never_goes_down():
    curve = payout_curve(make_plan(), QUOTA, range(0, 201, 5))
    paid = [amount for _, amount in curve]
    assert paid == sorted(paid)
    assert dict(curve)[D(100)] == D("24000.00")
    assert dict(curve)[D(130)] == D("36000.00")


def test_a_retroactive_plans_payout_curve_jumps_at_each_band():
    curve = dict(payout_curve(make_plan(method="retroactive"), QUOTA, [D("99"), D("100")]))
    assert (curve[D(99)], curve[D(100)]) == (D("23760.00"), D("36000.00"))


# --- validation ------------------------------------------------------------------------------

def test_a_valid_plan_has_no_errors():
    assert validate_plan(make_plan(threshold_pct=D(50), hard_stop_pct=D(150))) == []


def test_validation_reports_every_problem_in_words_not_just_the_first():
    bands = (Band(D(10), D(100), D(8)), Band(D(110), None, D(12)), Band(D(100), D(90), D(150)))
    plan = make_plan(bands=bands, cap_kind="amount", cap_value=D(-5), threshold_pct=D(120))
    assert validate_plan(plan) == [
        "Band 1 starts at 10% but the first band must start at 0%.",
        "Band 2 is open-ended but is not the last band: only the last band may have no upper limit.",
        "Band 3 ends at 90% but starts at 100%: a band must end above where it starts.",
        "Band 3 has a rate of 150%: a rate must be between 0% and 100%.",
        "Band 2 starts at 110% but band 1 ends at 100%: bands must be contiguous.",
        "The threshold is 120%: it must be between 0% and 100%, or nothing would be paid at target.",
        "The cap is -5: a cap cannot be below zero.",
    ]


def test_overlapping_bands_are_named_as_overlapping():
    bands = (Band(D(0), D(100), D(8)), Band(D(90), None, D(12)))
    assert validate_plan(make_plan(bands=bands)) == [
        "Band 2 starts at 90% but band 1 ends at 100%: bands must not overlap."]


def test_validation_checks_the_plan_options():
    plan = make_plan(bands=(), method="tiered", hard_stop_pct=D(80), cap_kind="multiple",
                     draw_amount=D(-100), currency="usd")
    assert validate_plan(plan) == [
        "A plan needs at least one commission band.",
        "The method must be marginal or retroactive, not 'tiered'.",
        "The hard stop is 80%: it must be at 100% or above, or the plan could never pay its target commission.",
        "A cap needs both a kind (amount or multiple) and a value.",
        "The draw is -100: a draw cannot be below zero.",
        "The currency 'usd' must be a three-letter code such as USD.",
    ]


def test_an_invalid_plan_cannot_be_computed_and_says_why():
    plan = make_plan(bands=(Band(D(0), D(100), D(8)), Band(D(110), None, D(12))))
    with pytest.raises(PlanError) as raised:
        commission(plan, QUOTA, D("1000"))
    assert raised.value.errors == [
        "Band 2 starts at 110% but band 1 ends at 100%: bands must be contiguous."]


# --- explanation -----------------------------------------------------------------------------

def test_the_explanation_walks_through_every_step_of_the_payout():
    plan = make_plan(draw_amount=D("10000"), draw_recoverable=True,
                     cap_kind="multiple", cap_value=D("1.5"))
    clawback = Clawback(D("10000"), D(8), "CN-17")
    result = payout(plan, QUOTA, D("420000"), draw_balance=D("4000"), clawbacks=[clawback],
                    bonuses=[Bonus(D("500"), "Q2 SPIF")])
    assert result.explanation == [
        "Attainment: $420,000.00 credited of a $300,000.00 quota = 140.00%.",
        "Band 0–100% at 8%: $300,000.00 x 8% = $24,000.00",
        "Band 100–120% at 12%: $60,000.00 x 12% = $7,200.00",
        "Band above 120% at 16%: $60,000.00 x 16% = $9,600.00",
        "Capped at $36,000.00 (1.5 x target commission): $40,800.00 -> $36,000.00.",
        "Commission: $36,000.00.",
        "Clawback (CN-17): $10,000.00 reversed x 8.00% = -$800.00",
        "Bonus (Q2 SPIF), after the cap: +$500.00",
        "Earned this period: $36,000.00 - $800.00 + $500.00 = $35,700.00.",
        "Recoverable draw of $10,000.00: paid $31,700.00.",
        "Recovered $4,000.00 of the balance owed from earnings above draw.",
        "Balance owed: $4,000.00 -> $0.00.",
        "Total compensation: base $25,000.00 + earned $35,700.00 = $60,700.00.",
    ]


def test_the_explanation_says_why_nothing_was_paid_below_the_threshold_and_above_the_stop():
    below = commission(make_plan(threshold_pct=D(50), currency="GBP"), QUOTA, D("90000"))
    assert below.sentences[-2:] == [
        "Below the 50% threshold: nothing is paid (the bands would have paid £7,200.00).",
        "Commission: £0.00."]
    above = commission(make_plan(method="retroactive", hard_stop_pct=D(150)), QUOTA, D("480000"))
    assert above.sentences[1:] == [
        "Retroactive: band reached above 120% at 16%: $450,000.00 x 16% = $72,000.00",
        "Revenue above 150% of quota earns nothing: $30,000.00.",
        "Commission: $72,000.00.",
    ]


def test_the_explanation_says_a_non_recoverable_draw_is_never_owed_back():
    plan = make_plan(draw_amount=D("10000"))
    assert payout(plan, QUOTA, D("75000")).explanation[-2:] == [
        "Non-recoverable draw of $10,000.00: paid $10,000.00, the greater of earnings and draw; "
        "never owed back.",
        "Total compensation: base $25,000.00 + earned $6,000.00 + draw top-up $4,000.00 "
        "= $35,000.00.",
    ]


def test_the_explanation_shows_a_clawback_carried_as_owed():
    [q1] = run_periods(make_plan(), [Period(QUOTA, D("30000"), (Clawback(D("45000"), D(8)),))])
    assert q1.explanation[-4:] == [
        "Clawbacks exceed the period's earnings by $1,200.00: carried as owed.",
        "Balance owed: $0.00 -> $1,200.00.",
        "Payout this period: $0.00.",
        "Total compensation: base $25,000.00 + earned -$1,200.00 = $23,800.00.",
    ]
