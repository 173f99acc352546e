"""FX rates: conversion in SQL, and an admin setting a currency's rate for a month."""
import json
from datetime import date
from decimal import Decimal

import pytest

from lib import fx
from lib.errors import NotAllowed, ValidationFailed, WriteConflict
from tests.builders import add_fx

NOV = date(2026, 11, 1)


FIRST_QUARTER = "SELECT unnest([DATE '2026-01-01', DATE '2026-02-01', DATE '2026-03-01'])"


def factor_table(db, rep: str) -> dict:
    """(currency, month number) -> what one unit is worth in `rep`, for January to March 2026."""
    sql = f"WITH {fx.RATES_CTE}, {fx.factors(FIRST_QUARTER)} SELECT currency, month, factor FROM fx_factors"
    return {(c, m.month): f for c, m, f in db.rows(sql, {"rep": rep})}


def audit_rows(db):
    return [(a, e, json.loads(c) if c else None) for a, e, c in db.rows(
        "SELECT action, entity_id, changes FROM audit_log WHERE entity = 'fx_rate' ORDER BY id")]


# ---- conversion -------------------------------------------------------------------------------
def test_conversion_factors_use_the_latest_earlier_rate_and_none_before_the_first(db):
    add_fx(db, "GBP", date(2026, 2, 1), "1.25")
    add_fx(db, "INR", date(2026, 1, 1), "0.0125")
    to_usd = factor_table(db, "USD")
    assert to_usd[("GBP", 1)] is None            # no GBP rate yet in January
    assert to_usd[("GBP", 3)] == pytest.approx(1.25)  # March uses February's rate
    assert to_usd[("USD", 1)] == 1.0
    to_gbp = factor_table(db, "GBP")
    assert to_gbp[("INR", 2)] == pytest.approx(0.0125 / 1.25)  # rupees to pounds through USD
    assert to_gbp[("GBP", 1)] == 1.0             # the reporting currency needs no rate


# ---- setting a rate ---------------------------------------------------------------------------
def test_an_admin_sets_a_rate_for_a_month_and_it_is_audited(db, team):
    assert fx.set_rate(db, team["admin"], "gbp", NOV, "1.27", None) == 1
    assert fx.rate_for_editing(db, "GBP", NOV) == {"usd_per_unit": 1.27, "version": 1}
    assert audit_rows(db) == [("create", "GBP 2026-11", {"usd_per_unit": [None, "1.27000000"]})]
    assert fx.rates(db)["updated_by"].tolist() == ["Ada Admin"]


def test_changing_a_rate_bumps_its_version_and_records_old_and_new(db, team):
    fx.set_rate(db, team["admin"], "GBP", NOV, 1.27, None)
    assert fx.set_rate(db, team["admin"], "GBP", NOV, 1.3, 1) == 2
    assert audit_rows(db)[-1] == ("update", "GBP 2026-11", {"usd_per_unit": ["1.27000000", "1.30000000"]})
    assert fx.set_rate(db, team["admin"], "GBP", NOV, "1.30", 2) == 2  # the same value: no change
    assert audit_rows(db)[-1][0] == "no_change"


def test_a_stale_save_is_a_conflict_that_shows_the_other_admins_rate_and_changes_nothing(db, team):
    fx.set_rate(db, team["admin"], "GBP", NOV, 1.27, None)
    fx.set_rate(db, team["admin"], "GBP", NOV, 1.29, 1)  # another tab saved after this one loaded
    with pytest.raises(WriteConflict) as caught:
        fx.set_rate(db, team["admin"], "GBP", NOV, 1.31, 1)
    assert caught.value.current == {"usd_per_unit": 1.29, "version": 2}
    assert caught.value.changed_by == "Ada Admin"
    assert fx.rate_for_editing(db, "GBP", NOV)["usd_per_unit"] == 1.29


def test_creating_a_rate_someone_else_just_created_is_a_conflict_too(db, team):
    fx.set_rate(db, team["admin"], "EUR", NOV, 1.08, None)
    with pytest.raises(WriteConflict):
        fx.set_rate(db, team["admin"], "EUR", NOV, 1.09, None)


@pytest.mark.parametrize("who", ["eleanor", "maya", "viewer"])
def test_only_an_admin_may_change_fx_rates(db, team, who):
    with pytest.raises(NotAllowed) as caught:
        fx.set_rate(db, team[who], "GBP", NOV, 1.27, None)
    assert str(caught.value) in ("Only an admin can change FX rates.", "Viewers cannot change data.")
    assert db.value("SELECT count(*) FROM fx_rates") == 0


@pytest.mark.parametrize("currency, month, value, problem", [
    ("GBP", NOV, 0, "USD per unit: 0 is not a rate"),
    ("GBP", NOV, -1.2, "USD per unit: -1.2 is not a rate"),
    ("GBP", NOV, "1,27", "USD per unit: 1,27 is not a number"),
    ("GBP", NOV, None, "USD per unit: is required"),
    ("GBP", NOV, float("nan"), "is not a number"),
    ("GBP", NOV, 250_000, "is not a rate"),
    ("USD", NOV, 1, "Currency: USD is what rates are measured in"),
    ("CHF", NOV, 1.1, "Currency: choose one of GBP, EUR, INR"),
    ("GBP", date(2026, 11, 15), 1.27, "Month: give the first day of a month"),
    ("GBP", "2026-11", 1.27, "Month: give the first day of a month"),
    ("GBP", date(1990, 1, 1), 1.27, "Month: choose a month between 2000 and 2100"),
])
def test_a_bad_rate_is_refused_in_words_and_nothing_is_written(db, team, currency, month, value, problem):
    with pytest.raises(ValidationFailed) as caught:
        fx.set_rate(db, team["admin"], currency, month, value, None)
    assert any(problem in p for p in caught.value.problems), caught.value.problems
    assert db.value("SELECT count(*) FROM fx_rates") == 0
    assert audit_rows(db) == []


def test_a_rate_ten_times_away_from_the_nearest_month_is_taken_for_a_typo(db, team):
    add_fx(db, "GBP", date(2026, 10, 1), "1.27")
    with pytest.raises(ValidationFailed) as caught:
        fx.set_rate(db, team["admin"], "GBP", NOV, 127, None)
    assert "127 is more than 10 times away from the GBP rate of Oct 2026 (1.27)" in str(caught.value)
    assert fx.set_rate(db, team["admin"], "GBP", NOV, 1.31, None) == 1


def test_the_latest_rates_list_each_currencys_newest_month(db, team):
    add_fx(db, "GBP", date(2026, 9, 1), "1.25")
    add_fx(db, "GBP", date(2026, 10, 1), "1.26")
    add_fx(db, "INR", date(2026, 8, 1), "0.012")
    latest = fx.latest_rates(db)
    assert list(zip(latest["currency"], latest["month"].dt.month, latest["usd_per_unit"])) == [
        ("GBP", 10, 1.26), ("INR", 8, 0.012)]
    assert list(fx.rates_for_display(latest).columns) == [
        "Currency", "Month", "USD per unit", "Set by", "Set at (UTC)"]


def test_a_new_rate_is_used_by_the_reports_at_once(db, team):
    from lib.performance import Scope, revenue_vs_target
    from tests.builders import add_revenue, make_account
    account = make_account(db, currency="EUR")
    add_revenue(db, account, date(2026, 1, 1), 100, currency="EUR")
    before = revenue_vs_target(db, team["admin"], Scope(), currency="USD", today=date(2026, 2, 10))
    assert (before.totals["ytd_actual"], before.missing_fx) == (0, 1)
    fx.set_rate(db, team["admin"], "EUR", date(2026, 1, 1), Decimal("1.1"), None)
    after = revenue_vs_target(db, team["admin"], Scope(), currency="USD", today=date(2026, 2, 10))
    assert (after.totals["ytd_actual"], after.missing_fx) == (pytest.approx(110), 0)
