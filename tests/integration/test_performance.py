"""The Performance page's reads on a real DuckDB: revenue vs target and the projection, budgets
and collections, per scope and in a reporting currency."""
from datetime import date

import pytest

from lib import budgets, collections
from lib.performance import Scope, account_choices, account_id_in, revenue_vs_target, scope_options
from lib.users import SYSTEM
from tests.builders import (add_account_target, add_budget, add_fx, add_invoice, add_payment, add_revenue,
                            make_account, make_manager)

TODAY = date(2026, 5, 15)  # Jan-Apr 2026 are the complete months of FY 2026


def months(year: int, first: int = 1, last: int = 12) -> list[date]:
    return [date(year, m, 1) for m in range(first, last + 1)]


def revenue(db, scope=Scope(), currency="USD", **kwargs):
    return revenue_vs_target(db, SYSTEM, scope, currency=currency, today=TODAY, **kwargs)


@pytest.fixture
def book(db):
    """Maya owns a key US account and a standard UK account (GBP); Oliver a standard US one."""
    maya, oliver = make_manager(db, name="Maya Thompson"), make_manager(db, name="Oliver Bennett")
    return {
        "maya": maya, "oliver": oliver,
        "acme": make_account(db, name="Acme Inc.", owner_id=maya, tier="key", country="US"),
        "tyne": make_account(db, name="Tyne Ltd", owner_id=maya, currency="GBP",
                             region="UK & Ireland", country="UK"),
        "bolt": make_account(db, name="Bolt Inc.", owner_id=oliver),
    }


# ---- revenue vs target ------------------------------------------------------------------------
def test_a_managers_view_adds_up_the_revenue_and_targets_of_the_accounts_they_own(db, book):
    for month in months(2026, 1, 4):
        add_revenue(db, book["acme"], month, 1000)
        add_revenue(db, book["bolt"], month, 5000)
        add_account_target(db, book["acme"], month, 800)
    view = revenue(db, Scope("manager", book["maya"]))
    assert list(view.months["revenue"].iloc[:4]) == [1000.0] * 4
    assert view.totals["ytd_actual"] == 4000
    assert view.totals["ytd_target"] == 3200
    assert view.totals["attainment"] == pytest.approx(1.25)
    assert view.months["cumulative_attainment"].iloc[3] == pytest.approx(1.25)
    assert revenue(db).totals["ytd_actual"] == 24000  # the team holds both books


def test_the_current_incomplete_month_is_left_out_of_the_actuals(db, book):
    add_revenue(db, book["acme"], date(2026, 4, 1), 100)
    add_revenue(db, book["acme"], date(2026, 5, 1), 900)  # May is still running
    view = revenue(db)
    assert view.totals["ytd_actual"] == 100
    assert view.months["revenue"].isna().iloc[4:].all()


def test_a_year_20_percent_above_last_year_projects_the_rest_of_the_year_at_last_years_months_plus_20(db, book):
    for month in months(2025):
        add_revenue(db, book["acme"], month, 100)
    for month in months(2026, 1, 4):
        add_revenue(db, book["acme"], month, 120)
    view = revenue(db)
    assert view.projection.method == "seasonal"
    assert view.totals["year_end"].point == pytest.approx(12 * 120)
    assert view.quarter_label == "Q2 (Apr–Jun 2026)"
    assert view.totals["quarter_end"].point == pytest.approx(3 * 120)  # April closed, May-June projected
    assert list(view.months["projected"].iloc[4:]) == pytest.approx([120.0] * 8)
    assert view.months["projected"].iloc[:4].isna().all()


def test_a_closed_month_not_yet_uploaded_is_projected_not_counted_as_nothing(db, book):
    for month in months(2026, 1, 3):  # April has closed, but finance has not uploaded it yet
        add_revenue(db, book["acme"], month, 100)
        add_account_target(db, book["acme"], month, 100)
    add_account_target(db, book["acme"], date(2026, 4, 1), 100)
    view = revenue(db)
    assert view.totals["through"] == date(2026, 3, 1)
    assert view.totals["not_uploaded"] == [date(2026, 4, 1)]
    assert (view.totals["ytd_actual"], view.totals["ytd_target"]) == (300, 300)
    assert view.months["projected"].iloc[3] == pytest.approx(100)
    assert view.totals["year_end"].point == pytest.approx(1200)


def test_quarters_and_the_year_follow_a_fiscal_year_starting_in_april(db, book):
    add_revenue(db, book["acme"], date(2026, 3, 1), 999)  # last fiscal year
    add_revenue(db, book["acme"], date(2026, 4, 1), 300)
    view = revenue(db, fiscal_start=4)
    assert view.year_label == "FY 2026–27"
    assert view.quarter_label == "Q1 (Apr–Jun 2026)"
    assert view.totals["ytd_actual"] == 300
    assert view.months["revenue_last_year"].iloc[11] == 999  # March 2026 sits under March 2027


def test_a_second_currency_is_converted_with_the_months_rate_and_a_missing_rate_is_counted_not_added(db, book):
    add_fx(db, "GBP", date(2026, 1, 1), "1.25")
    add_revenue(db, book["acme"], date(2026, 2, 1), 500)                    # USD
    add_revenue(db, book["tyne"], date(2026, 2, 1), 400, currency="GBP")    # 500 USD
    india = make_account(db, name="Ganga Pvt Ltd", owner_id=book["maya"], currency="INR")
    add_revenue(db, india, date(2026, 2, 1), 1_000_000, currency="INR")     # no INR rate at all
    in_usd = revenue(db)
    assert in_usd.totals["ytd_actual"] == pytest.approx(1000)
    assert in_usd.missing_fx == 1
    in_gbp = revenue(db, currency="GBP")
    assert in_gbp.totals["ytd_actual"] == pytest.approx(800)  # 500 USD is 400 GBP, plus 400 GBP


def test_a_manager_scope_shows_their_own_quota_beside_the_account_targets(db, book):
    def work(tx):
        tx.execute("INSERT INTO manager_targets (manager_id, month, amount, currency, created_by, "
                   "updated_by) VALUES (?, ?, 700, 'USD', 0, 0)", [book["maya"], date(2026, 1, 1)])
        tx.audit("create", "manager_target")
    db.write(SYSTEM, work)
    assert revenue(db, Scope("manager", book["maya"])).months["quota"].iloc[0] == 700
    assert not revenue(db).totals["has_quota"]


def test_tier_region_and_account_scopes_cover_only_their_accounts(db, book):
    for name in ("acme", "tyne", "bolt"):
        add_revenue(db, book[name], date(2026, 1, 1), 100, currency="GBP" if name == "tyne" else "USD")
    add_fx(db, "GBP", date(2026, 1, 1), 2)
    assert revenue(db, Scope("tier", "key")).totals["ytd_actual"] == 100
    assert revenue(db, Scope("region", "UK & Ireland")).totals["ytd_actual"] == 200
    assert revenue(db, Scope("account", book["bolt"])).totals["ytd_actual"] == 100


def test_an_empty_database_gives_an_empty_view_not_an_error(db):
    view = revenue(db)
    assert not view.totals["has_revenue"]
    assert view.totals["year_end"].point == 0
    assert len(view.months) == 12


def test_a_scope_must_be_one_the_page_knows(db):
    with pytest.raises(ValueError):
        Scope("planet", 1)
    with pytest.raises(ValueError):
        Scope("manager")
    with pytest.raises(ValueError):
        Scope("account", "Acme")


def test_the_pickers_offer_managers_with_accounts_and_accounts_by_name_with_their_id(db, book):
    make_manager(db, name="Nobody Yet")
    options = scope_options(db, SYSTEM)
    assert [name for _, name in options["manager"]] == ["Maya Thompson", "Oliver Bennett"]
    found = account_choices(db, SYSTEM, "tyne", keep=book["bolt"])
    assert [i for i, _ in found] == [book["bolt"], book["tyne"]]
    assert account_id_in(found[1][1]) == book["tyne"]
    assert account_id_in("Tyne Ltd") is None


# ---- budgets ----------------------------------------------------------------------------------
@pytest.fixture
def spent(db, book):
    """Acme: travel runs at 150 a month against 100 budgeted; marketing at 60 against 100.
    Bolt stays inside its budget. May's spend is not in yet."""
    for month in months(2026):
        closed = month < date(2026, 5, 1)
        add_budget(db, book["acme"], "travel", month, 100, 150 if closed else 0)
        add_budget(db, book["acme"], "marketing", month, 100, 60 if closed else 0)
        add_budget(db, book["bolt"], "travel", month, 100, 50 if closed else 0)
    add_budget(db, book["bolt"], "events", date(2026, 5, 1), 0, 0)
    return book


def test_budget_vs_spend_per_category_with_burn_and_the_year_end_projection(db, spent):
    view = budgets.budget_view(db, SYSTEM, Scope("account", spent["acme"]), currency="USD", today=TODAY)
    travel = view.categories.set_index("category").loc["travel"]
    assert (travel.budget_year, travel.budget_to_date, travel.spend_to_date) == (1200, 400, 600)
    assert travel.burn == pytest.approx(0.5)
    assert travel.monthly_burn == pytest.approx(150)
    assert travel.projected == pytest.approx(1800)
    assert travel.over_by == pytest.approx(600)
    assert view.months_elapsed == 4


def test_an_account_projected_to_overrun_is_listed_with_by_how_much_and_when_it_runs_out(db, spent):
    view = budgets.budget_view(db, SYSTEM, Scope(), currency="USD", today=TODAY)
    assert view.overrun_count == 1
    row = view.overruns.iloc[0]
    assert row.account_name == "Acme Inc."
    assert row.over_by == pytest.approx(12 * 210 - 2400)  # 210 a month against 2,400 a year
    assert row.categories == "travel"                      # marketing alone stays inside
    assert row.runs_out_month == 12                        # 2,400 at 210 a month lasts into December
    assert row.owner_name == "Maya Thompson"


def test_spend_booked_in_the_running_month_waits_until_the_month_closes(db, book):
    add_budget(db, book["bolt"], "events", date(2026, 4, 1), 100, 50)
    add_budget(db, book["bolt"], "events", date(2026, 5, 1), 100, 70)  # May is still running
    view = budgets.budget_view(db, SYSTEM, Scope("account", book["bolt"]), currency="USD", today=TODAY)
    assert view.totals["spend_to_date"] == 50
    assert view.months.set_index("month")["spend"].isna().tolist() == [False, True]
    assert view.overrun_count == 0  # 50 in four months runs to 150 of 200, May's 70 aside


def test_budgets_in_another_currency_convert_and_a_missing_rate_is_counted(db, spent):
    add_budget(db, spent["tyne"], "events", date(2026, 1, 1), 100, 80, currency="GBP")
    view = budgets.budget_view(db, SYSTEM, Scope("account", spent["tyne"]), currency="USD", today=TODAY)
    assert view.missing_fx == 1
    assert view.totals["spend_to_date"] == 0
    add_fx(db, "GBP", date(2026, 1, 1), 2)
    view = budgets.budget_view(db, SYSTEM, Scope("account", spent["tyne"]), currency="USD", today=TODAY)
    assert (view.missing_fx, view.totals["spend_to_date"]) == (0, 160)


# ---- collections ------------------------------------------------------------------------------
@pytest.fixture
def billed(db, book):
    """Acme's invoices as of 15 May 2026, one per ageing bucket, plus one paid in full."""
    acme = book["acme"]
    ids = {
        "not_due": add_invoice(db, acme, date(2026, 4, 20), date(2026, 5, 20), 100),
        "late_10": add_invoice(db, acme, date(2026, 4, 5), date(2026, 5, 5), 200),
        "late_75": add_invoice(db, acme, date(2026, 1, 30), date(2026, 3, 1), 300),
        "late_134": add_invoice(db, acme, date(2025, 12, 1), date(2026, 1, 1), 400),
        "paid": add_invoice(db, book["bolt"], date(2026, 3, 1), date(2026, 4, 1), 500),
    }
    add_payment(db, ids["late_10"], date(2026, 5, 6), 50)
    add_payment(db, ids["paid"], date(2026, 4, 1), 500)
    add_payment(db, ids["late_75"], date(2026, 6, 1), 300)  # after today: not counted yet
    return book


def collected(db, scope=Scope(), currency="USD"):
    return collections.collections_view(db, SYSTEM, scope, currency=currency, today=TODAY)


def test_open_invoices_fall_into_their_ageing_buckets_as_of_today(db, billed):
    view = collected(db)
    assert list(view.buckets["amount"]) == [100, 150, 0, 300, 400]
    assert list(view.buckets["invoices"]) == [1, 1, 0, 1, 1]
    assert view.totals["receivables"] == 950
    assert view.totals["overdue"] == 850
    assert view.totals["over_90"] == 400


def test_dso_and_the_collection_rate_on_a_worked_example(db, billed):
    view = collected(db)
    # Issued in the last 90 days (after 14 Feb): 100 + 200 + 500 = 800; 950 / 800 x 90 days.
    assert view.totals["dso"] == pytest.approx(950 / 800 * 90)
    # Fell due in the last 90 days: 200 (50 paid), 300 (0 paid by today), 500 (paid): 550 / 1000.
    assert view.totals["collection_rate"] == pytest.approx(0.55)


def test_top_overdue_accounts_and_the_manager_table_add_up(db, billed):
    view = collected(db)
    assert list(view.top_overdue["account_name"]) == ["Acme Inc."]
    assert view.top_overdue["overdue"].iloc[0] == 850
    managers = view.managers.set_index("owner_name")
    assert managers.loc["Maya Thompson", "overdue"] == 850
    assert managers.loc["Oliver Bennett", "collection_rate"] == pytest.approx(1.0)
    assert managers["receivables"].sum() == view.totals["receivables"]


def test_an_invoice_in_another_currency_converts_at_its_issue_months_rate_and_without_one_is_counted(db, billed):
    add_fx(db, "GBP", date(2026, 4, 1), 2)
    add_invoice(db, billed["tyne"], date(2026, 4, 10), date(2026, 6, 10), 100, currency="GBP")
    add_invoice(db, billed["tyne"], date(2026, 4, 10), date(2026, 6, 10), 100, currency="INR")
    view = collected(db, Scope("account", billed["tyne"]))
    assert view.totals["receivables"] == 200
    assert view.missing_fx == 1


def test_a_scope_without_invoices_has_no_dso_and_no_collection_rate(db, book):
    view = collected(db, Scope("account", book["bolt"]))
    assert view.totals["dso"] is None and view.totals["collection_rate"] is None
    assert view.top_overdue.empty
    assert list(view.buckets["amount"]) == [0] * 5
