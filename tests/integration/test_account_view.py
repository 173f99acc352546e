"""Account 360 figures on a small hand-built book whose answers are worked out by hand.

Today is 22 Nov 2026 with a calendar fiscal year, so "to date" is Jan–Oct 2026 (10 months), the
last 12 complete months are Nov 2025–Oct 2026 and the 12 before them Nov 2024–Oct 2025.
"""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from lib import account_view as view
from lib.errors import NotFound
from lib.users import Actor
from tests.builders import (_insert, add_account_target, add_fx, add_interaction, add_invoice,
                            add_payment, add_revenue, make_account, make_manager, make_user)

TODAY = date(2026, 11, 22)
ME = Actor(1, "Reader", "viewer")  # every role reads every account


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def add_budget(db, account_id, category, month, budget, spend, currency="GBP"):
    _insert(db, "budgets", {"account_id": account_id, "category": category, "month": month,
                            "budget": Decimal(str(budget)), "spend": Decimal(str(spend)),
                            "currency": currency, "created_by": 0, "updated_by": 0})


def add_history(db, account_id, field, old, new, on, by):
    _insert(db, "account_history", {"account_id": account_id, "field": field, "old_value": old,
                                    "new_value": new, "changed_on": on, "changed_by": by})


@pytest.fixture
def book(db):
    """Priya (KAM) owns Acme (key, GBP), a subsidiary of Tom's Acme Group (USD)."""
    priya = make_manager(db, name="Priya Shah", role_title="Key Account Manager")
    tom = make_manager(db, name="Tom Reed", role_title="Account Manager")
    group = make_account(db, name="Acme Group", owner_id=tom, tier="strategic")
    acme = make_account(db, name="Acme", owner_id=priya, tier="key", scope="global", currency="GBP",
                        country="GB", region="UK & Ireland", external_id="CRM-7", parent_id=group)
    make_account(db, name="Acme Retail", owner_id=priya, parent_id=acme, status="prospect")
    make_account(db, name="Acme Old", parent_id=acme, archived_at=datetime(2026, 1, 1))
    add_fx(db, "GBP", date(2024, 1, 1), 1.25)  # used for every later month too
    return {"acme": acme, "group": group, "priya": priya, "tom": tom}


@pytest.fixture
def revenue(db, book):
    acme = book["acme"]
    add_revenue(db, acme, date(2024, 10, 1), 5000, "GBP")  # before both trend windows
    add_revenue(db, acme, date(2025, 2, 1), 800, "GBP")    # the prior 12 months
    add_revenue(db, acme, date(2025, 12, 1), 200, "GBP")   # last 12 months, last fiscal year
    add_revenue(db, acme, date(2026, 1, 1), 300, "GBP")
    add_revenue(db, acme, date(2026, 10, 1), 500, "GBP")
    add_revenue(db, acme, date(2026, 11, 1), 9999, "GBP")  # current month: not complete
    add_account_target(db, acme, date(2026, 1, 1), 1000, "GBP")
    add_account_target(db, acme, date(2026, 6, 1), 600, "GBP")
    add_account_target(db, acme, date(2026, 12, 1), 700, "GBP")  # future: not YTD
    return book


@pytest.fixture
def receivables(db, book):
    acme = book["acme"]
    late = add_invoice(db, acme, date(2026, 10, 1), days_ago(30), 1000, "GBP")
    add_payment(db, late, date(2026, 11, 1), 400)
    add_invoice(db, acme, date(2026, 11, 1), TODAY + timedelta(days=9), 250, "GBP")  # not yet due
    settled = add_invoice(db, acme, date(2026, 1, 1), date(2026, 2, 1), 500, "GBP")
    add_payment(db, settled, date(2026, 2, 1), 500)
    return {**book, "late": late}


@pytest.fixture
def contacts(db, book):
    acme, priya = book["acme"], book["priya"]
    add_interaction(db, acme, priya, datetime(2026, 11, 2, 15))  # 20 days ago: the last real one
    add_interaction(db, acme, priya, datetime(2026, 11, 20, 9), deleted_at=datetime(2026, 11, 21))
    add_interaction(db, acme, priya, datetime(2026, 11, 21, 9), is_planned=True, type="visit")
    add_interaction(db, acme, priya, datetime(2026, 12, 1, 9), is_planned=True, type="visit")
    for status, resolved in (("open", None), ("in_progress", None),
                             ("resolved", datetime(2026, 11, 3))):
        add_interaction(db, acme, priya, datetime(2026, 10, 1, 9), type="escalation",
                        severity="high", escalation_status=status, resolved_at=resolved)
    add_interaction(db, acme, priya, datetime(2026, 10, 1, 9), type="escalation",
                    escalation_status="open", deleted_at=datetime(2026, 10, 2))
    return book


@pytest.fixture
def budgets(db, book):
    acme = book["acme"]
    for m in range(1, 13):
        add_budget(db, acme, "marketing", date(2026, m, 1), 100, 150 if m <= 10 else 0)
        add_budget(db, acme, "travel", date(2026, m, 1), 50, {1: 20, 6: 30}.get(m, 0))
    add_budget(db, acme, "marketing", date(2025, 12, 1), 999, 999)  # last fiscal year
    return book


def test_the_header_names_the_owner_the_parent_and_the_version(db, book):
    h = view.header(db, ME, book["acme"])
    assert (h["name"], h["tier"], h["scope"], h["currency"], h["external_id"]) == (
        "Acme", "key", "global", "GBP", "CRM-7")
    assert (h["owner"], h["owner_id"], h["owner_role"]) == ("Priya Shah", book["priya"], "Key Account Manager")
    assert h["parent"] == {"id": book["group"], "name": "Acme Group"}
    assert (h["status"], h["archived"], h["version"]) == ("active", False, 1)


def test_tier_and_owner_history_read_as_sentences_with_names_newest_first(db, book):
    priya_user = make_user(db, "manager", display_name="Priya Shah")
    director = make_user(db, "director", display_name="Eleanor Hayes")
    acme = book["acme"]
    add_history(db, acme, "tier", "standard", "key", date(2026, 3, 1), priya_user.id)
    add_history(db, acme, "owner_id", str(book["tom"]), str(book["priya"]), date(2026, 4, 1), director.id)
    assert view.header(db, ME, acme)["history"] == [
        "Owner changed from Tom Reed to Priya Shah on 2026-04-01 by Eleanor Hayes",
        "Promoted from Standard to Key on 2026-03-01 by Priya Shah",
    ]


def test_an_archived_account_is_readable_and_flagged(db, book):
    gone = make_account(db, name="Gone", archived_at=datetime(2026, 1, 1))
    h = view.header(db, ME, gone)
    assert (h["name"], h["archived"], h["parent"], h["owner"], h["history"]) == ("Gone", True, None, None, [])


def test_kpis_give_revenue_and_target_to_date_and_a_trend_of_plus_25_percent(db, revenue):
    k = view.kpis(db, ME, revenue["acme"], today=TODAY)
    assert k["currency"] == "GBP"
    assert k["revenue_ytd"] == pytest.approx(300 + 500)
    assert k["target_ytd"] == pytest.approx(1000 + 600)
    assert k["attainment"] == pytest.approx(0.5)
    assert (k["revenue_12m"], k["revenue_prior_12m"]) == (pytest.approx(1000), pytest.approx(800))
    assert k["revenue_trend"] == pytest.approx(0.25)


def test_kpis_convert_into_another_currency_when_asked(db, revenue, receivables, budgets):
    k = view.kpis(db, ME, revenue["acme"], today=TODAY, currency="USD")
    assert k["currency"] == "USD"
    assert k["revenue_ytd"] == pytest.approx(800 * 1.25)
    assert k["target_ytd"] == pytest.approx(1600 * 1.25)
    assert k["overdue_amount"] == pytest.approx(600 * 1.25)
    assert k["budget_spend"] == pytest.approx(1550 * 1.25)
    assert k["attainment"] == pytest.approx(0.5)  # a ratio does not change with the currency
    assert k["missing_fx"] == 0


def test_overdue_counts_what_is_still_open_after_a_partial_payment(db, receivables):
    k = view.kpis(db, ME, receivables["acme"], today=TODAY)
    assert (k["overdue_amount"], k["overdue_count"]) == (pytest.approx(1000 - 400), 1)


def test_days_since_contact_ignore_planned_and_deleted_interactions(db, contacts):
    k = view.kpis(db, ME, contacts["acme"], today=TODAY)
    assert (k["last_contact"], k["days_since_contact"]) == (date(2026, 11, 2), 20)
    assert (k["contact_policy_days"], k["contact_overdue"]) == (30, False)
    assert k["open_escalations"] == 2  # open and in progress; not resolved, not deleted


def test_budget_used_is_spend_to_date_over_the_full_year_budget(db, budgets):
    k = view.kpis(db, ME, budgets["acme"], today=TODAY)
    assert (k["budget_spend"], k["budget_year"]) == (pytest.approx(1500 + 50), pytest.approx(1200 + 600))
    assert k["budget_used"] == pytest.approx(1550 / 1800)


def test_an_account_with_nothing_recorded_has_zero_figures_and_no_ratios(db, book):
    k = view.kpis(db, ME, book["group"], today=TODAY)
    assert (k["revenue_ytd"], k["target_ytd"], k["overdue_amount"], k["open_escalations"]) == (0, 0, 0, 0)
    assert (k["attainment"], k["revenue_trend"], k["budget_used"]) == (None, None, None)
    assert (k["days_since_contact"], k["contact_policy_days"], k["contact_overdue"]) == (None, 45, True)


def test_monthly_shows_the_fiscal_year_with_last_year_beside_it(db, revenue):
    months = view.monthly(db, ME, revenue["acme"], today=TODAY).set_index("month")
    assert len(months) == 12
    assert (months.loc["2026-01-01", "revenue"], months.loc["2026-01-01", "target"]) == (300, 1000)
    assert months.loc["2026-02-01", "revenue_last_year"] == pytest.approx(800)
    assert months.loc["2026-12-01", "revenue_last_year"] == pytest.approx(200)
    assert months.loc["2026-12-01", "target"] == pytest.approx(700)
    assert months["revenue"].isna().loc["2026-11-01"]  # the current month is not complete


def test_a_fiscal_year_starting_in_april_shows_april_to_march(db, revenue):
    months = view.monthly(db, ME, revenue["acme"], today=TODAY, fiscal_start=4)
    assert (str(months["month"].iloc[0])[:10], str(months["month"].iloc[-1])[:10]) == ("2026-04-01", "2027-03-01")
    assert months["revenue"].sum() == pytest.approx(500)


def test_budget_vs_spend_projects_the_year_and_flags_the_category_that_overruns(db, budgets):
    rows = view.budget_vs_spend(db, ME, budgets["acme"], today=TODAY).set_index("category")
    marketing, travel = rows.loc["marketing"], rows.loc["travel"]
    assert (marketing["budget_year"], marketing["budget_to_date"], marketing["spend_to_date"]) == (1200, 1000, 1500)
    assert marketing["burn"] == pytest.approx(1.25)
    assert marketing["projected"] == pytest.approx(1500 / 10 * 12)
    assert (bool(marketing["over"]), marketing["over_by"]) == (True, pytest.approx(600))
    assert travel["projected"] == pytest.approx(60)
    assert (bool(travel["over"]), travel["over_by"]) == (False, 0)


def test_the_budget_table_shows_money_to_the_whole_unit(db, budgets):
    spend = view.budget_vs_spend(db, ME, budgets["acme"], today=TODAY)
    spend.loc[spend["category"] == "travel", "projected"] = 28285.644      # a projection's tail
    shown = view.budget_for_display(spend).set_index("Category")
    assert shown.loc["Travel", "Projected (year)"] == 28286
    assert shown.loc["Marketing", ["Budget (year)", "Spend to date", "Over by"]].tolist() == [1200, 1500, 600]
    assert shown.loc["Marketing", "Burn"] == pytest.approx(1.25)       # a ratio keeps its digits


def test_open_invoices_show_paid_and_open_amounts_and_days_overdue(db, receivables):
    rows = view.invoices(db, ME, receivables["acme"], today=TODAY)
    assert len(rows) == 2  # the settled invoice is gone
    late, upcoming = rows.iloc[0], rows.iloc[1]
    assert late["id"] == receivables["late"]
    assert (late["amount"], late["paid"], late["open_amount"]) == (1000, 400, 600)
    assert (late["days_overdue"], late["bucket"]) == (30, "1-30")
    assert (upcoming["days_overdue"], upcoming["bucket"]) == (0, "current")


def test_invoices_fall_into_ageing_buckets_at_the_boundaries(db, book):
    ages = (0, 1, 30, 31, 60, 61, 90, 91)
    for n in ages:
        add_invoice(db, book["group"], days_ago(n + 30), days_ago(n), 100)
    rows = view.invoices(db, ME, book["group"], today=TODAY).sort_values("days_overdue")
    assert list(rows["days_overdue"]) == list(ages)
    assert list(rows["bucket"]) == ["current", "1-30", "1-30", "31-60", "31-60", "61-90", "61-90", "90+"]


def test_family_shows_the_parent_and_the_live_subsidiaries_both_ways(db, book):
    acme = view.family(db, ME, book["acme"])
    assert acme["parent"] == {"id": book["group"], "name": "Acme Group"}
    assert [(s["name"], s["tier"], s["status"]) for s in acme["subsidiaries"]] == [
        ("Acme Retail", "standard", "prospect")]
    group = view.family(db, ME, book["group"])
    assert group["parent"] is None
    assert [(s["id"], s["name"]) for s in group["subsidiaries"]] == [(book["acme"], "Acme")]


@pytest.mark.parametrize("read", [
    lambda db: view.header(db, ME, 999),
    lambda db: view.family(db, ME, 999),
    lambda db: view.kpis(db, ME, 999, today=TODAY),
    lambda db: view.monthly(db, ME, 999, today=TODAY),
    lambda db: view.budget_vs_spend(db, ME, 999, today=TODAY),
    lambda db: view.invoices(db, ME, 999, today=TODAY),
], ids=["header", "family", "kpis", "monthly", "budget_vs_spend", "invoices"])
def test_an_unknown_account_is_not_found_with_a_sentence(db, read):
    with pytest.raises(NotFound, match="There is no account with id 999."):
        read(db)
