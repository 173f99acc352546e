"""Portfolio figures on a small hand-built book whose answers are worked out by hand."""
from datetime import date, datetime

import pandas as pd
import pytest

from lib import health
from lib.filters import Condition
from lib.users import Actor
from lib.portfolio import (PortfolioQuery, filter_options, for_display, health_columns, kpis,
                           monthly, page, with_health)
from tests.builders import (add_account_target, add_fx, add_interaction, add_invoice, add_payment,
                            add_revenue, make_account, make_manager, make_user)

TODAY = date(2026, 11, 22)
ME = Actor(1, "Reader", "viewer")  # every role reads every account


@pytest.fixture
def book(db):
    """Priya (KAM) owns Acme (key, GBP); Tom (AM) owns Beta (standard, USD) and an archived one."""
    priya = make_manager(db, name="Priya Shah", role_title="Key Account Manager")
    tom = make_manager(db, name="Tom Reed", role_title="Account Manager")
    acme = make_account(db, name="Acme", owner_id=priya, tier="key", currency="GBP", region="UK & Ireland")
    beta = make_account(db, name="Beta", owner_id=tom, status="at_risk")
    make_account(db, name="Gone", owner_id=tom, archived_at=datetime(2026, 1, 1))
    add_fx(db, "GBP", date(2026, 1, 1), 1.25)       # used for every later month too
    add_revenue(db, acme, date(2026, 1, 1), 1000, "GBP")
    add_revenue(db, acme, date(2026, 10, 1), 1000, "GBP")
    add_revenue(db, acme, date(2026, 11, 1), 9999, "GBP")   # current month: not complete, not YTD
    add_revenue(db, beta, date(2026, 2, 1), 500)
    add_revenue(db, beta, date(2025, 2, 1), 400)              # last year
    add_account_target(db, acme, date(2026, 1, 1), 2000, "GBP")
    add_account_target(db, beta, date(2026, 2, 1), 1000)
    add_account_target(db, beta, date(2026, 12, 1), 700)      # future: not YTD
    invoice = add_invoice(db, acme, date(2026, 1, 1), date(2026, 2, 1), 800, "GBP")
    add_payment(db, invoice, date(2026, 3, 1), 300)
    paid = add_invoice(db, beta, date(2026, 1, 1), date(2026, 2, 1), 500)
    add_payment(db, paid, date(2026, 1, 20), 500)
    add_invoice(db, beta, date(2026, 11, 1), date(2026, 12, 1), 900)  # not yet due
    add_interaction(db, acme, priya, datetime(2026, 11, 1, 10))
    add_interaction(db, acme, priya, datetime(2026, 12, 1, 10), is_planned=True)  # planned, future
    return {"acme": acme, "beta": beta}


def test_kpis_convert_every_currency_and_count_only_complete_months(db, book):
    k = kpis(db, ME, PortfolioQuery(today=TODAY, currency="USD"))
    assert k["accounts"] == 2 and isinstance(k["accounts"], int)
    assert k["revenue_ytd"] == pytest.approx(2000 * 1.25 + 500)
    assert k["target_ytd"] == pytest.approx(2000 * 1.25 + 1000)
    assert k["attainment"] == pytest.approx(3000 / 3500)
    assert k["at_risk"] == 1
    assert (k["overdue_invoices"], k["overdue_amount"]) == (1, pytest.approx(500 * 1.25))


def test_the_same_portfolio_in_pounds_converts_dollars_the_other_way(db, book):
    k = kpis(db, ME, PortfolioQuery(today=TODAY, currency="GBP"))
    assert k["revenue_ytd"] == pytest.approx(2000 + 500 / 1.25)


def test_a_currency_without_any_rate_is_counted_as_missing_not_mixed_in(db, book):
    k = kpis(db, ME, PortfolioQuery(today=TODAY, currency="EUR"))
    assert k["revenue_ytd"] == 0
    assert k["missing_fx"] == 3


def test_filters_narrow_kpis_rows_and_chart_alike(db, book):
    query = PortfolioQuery(conditions=(Condition("tier", "in", ("key",)),), today=TODAY)
    assert kpis(db, ME, query)["accounts"] == 1
    assert list(page(db, ME, query)["name"]) == ["Acme"]
    months = monthly(db, ME, query).set_index("month")
    assert months.loc["2026-01-01", "revenue"] == pytest.approx(1250)
    assert query.sentence == "tier is Key"


def test_never_contacted_accounts_match_a_days_since_contact_filter(db, book):
    query = PortfolioQuery(conditions=(Condition("days_since_contact", "gte", 30),), today=TODAY)
    assert list(page(db, ME, query)["name"]) == ["Beta"]


def test_rows_sort_in_the_database_and_page_by_offset(db, book):
    query = PortfolioQuery(today=TODAY)
    assert list(page(db, ME, query, sort="revenue_ytd")["name"]) == ["Acme", "Beta"]
    assert list(page(db, ME, query, sort="revenue_ytd", descending=False)["name"]) == ["Beta", "Acme"]
    assert list(page(db, ME, query, sort="name", descending=False, offset=1, limit=1)["name"]) == ["Beta"]
    with pytest.raises(ValueError):
        page(db, ME, query, sort="name; DROP TABLE accounts")


def test_an_account_row_carries_last_contact_and_overdue(db, book):
    row = page(db, ME, PortfolioQuery(today=TODAY), sort="name", descending=False).iloc[0]
    assert row["name"] == "Acme"
    assert row["days_since_contact"] == 21  # the planned visit in December does not count
    assert row["overdue_amount"] == pytest.approx(625)
    shown = for_display(page(db, ME, PortfolioQuery(today=TODAY)))
    assert {"Account", "Manager", "Attainment", "Last contact"} <= set(shown.columns)
    assert set(shown["Tier"]) == {"Key", "Standard"}


def test_the_monthly_trend_shows_twelve_months_with_last_year_beside_them(db, book):
    months = monthly(db, ME, PortfolioQuery(today=TODAY)).set_index("month")
    assert len(months) == 12
    assert months.loc["2026-02-01", "revenue_last_year"] == pytest.approx(400)
    assert months.loc["2026-11-01", "revenue"] != months.loc["2026-11-01", "revenue"]  # NaN: not complete
    assert months.loc["2026-12-01", "target"] == pytest.approx(700)


def test_figures_read_after_a_write_show_the_write(db, book):
    query = PortfolioQuery(today=TODAY)
    assert kpis(db, ME, query)["revenue_ytd"] == pytest.approx(3000)
    add_revenue(db, book["beta"], date(2026, 3, 1), 250)
    make_account(db, name="Newco")

    assert kpis(db, ME, query)["revenue_ytd"] == pytest.approx(3250)
    assert kpis(db, ME, query)["accounts"] == 3
    assert monthly(db, ME, query).set_index("month").loc["2026-03-01", "revenue"] == pytest.approx(250)
    assert "Newco" in set(page(db, ME, query)["name"])


def test_a_filter_on_figures_already_computed_narrows_them_without_leaking_rows(db, book):
    everyone = PortfolioQuery(today=TODAY)
    assert kpis(db, ME, everyone)["accounts"] == 2
    key_only = PortfolioQuery(conditions=(Condition("tier", "in", ("key",)),), today=TODAY)
    assert list(page(db, ME, key_only)["name"]) == ["Acme"]
    months = monthly(db, ME, key_only).set_index("month")
    assert months.loc["2026-01-01", "revenue"] == pytest.approx(1000 * 1.25)
    assert pd.isna(months.loc["2026-02-01", "revenue"])  # only Beta billed in February
    assert kpis(db, ME, everyone)["accounts"] == 2


def test_filter_options_come_from_live_accounts_only(db, book):
    options = filter_options(db, ME)
    assert options["owner"] == ["Priya Shah", "Tom Reed"]
    assert options["region"] == ["North America", "UK & Ireland"]


def test_an_empty_database_gives_zero_kpis_and_no_rows(db):
    query = PortfolioQuery(today=TODAY)
    k = kpis(db, ME, query)
    assert (k["accounts"], k["revenue_ytd"], k["attainment"]) == (0, 0, None)
    assert page(db, ME, query).empty
    assert monthly(db, ME, query)["revenue"].isna().all()


def test_each_row_shows_its_health_score_and_an_at_risk_account_says_why(db, book):
    quiet = make_account(db, name="Quiet")  # never contacted, nothing else: 85 points
    admin = make_user(db, "admin")
    health.set_weights(db, admin, {}, 86, health.for_editing(db)["version"])
    rows = page(db, ME, PortfolioQuery(today=TODAY), sort="name", descending=False)
    scored = health.scores(db, ME, TODAY, account_ids=rows["id"].tolist())
    shown = for_display(rows, scored).set_index("Account")
    assert list(shown.index) == ["Acme", "Beta", "Quiet"]  # the rows keep their order
    assert shown.loc["Quiet", "Health"] == 85
    assert shown.loc["Quiet", "Health risk"] == "⚠ Never contacted (policy 90 days)"   # what costs it the points
    by_id = scored.set_index("account_id")
    for name, account in (("Acme", book["acme"]), ("Beta", book["beta"])):
        assert shown.loc[name, "Health"] == round(by_id.loc[account, "score"])
        assert (shown.loc[name, "Health risk"] != "") == bool(by_id.loc[account, "at_risk"])


def test_a_row_without_a_score_shows_no_score_and_no_risk_rather_than_another_rows():
    import pandas as pd
    scored = pd.DataFrame({"account_id": [7, 3], "score": [40.4, 91.6], "at_risk": [True, False],
                           "reasons": [["At risk: score 40 is below the at-risk threshold of 50",
                                        "−15: never contacted"], []]})
    score, risk = health_columns(pd.Series([3, 5, 7]), scored)
    assert score == [92, None, 40]
    assert risk == ["", "", "⚠ Never contacted"]
    assert health_columns(pd.Series([3]), None) == ([None], [""])


def test_the_health_risk_cell_names_what_costs_the_most_points_or_a_key_accounts_drop():
    from lib.portfolio import risk_text
    below = "At risk: score 26 is below the at-risk threshold of 50"
    assert risk_text([below, "−20: revenue down 56% on the 3 months before", "−15: no contact for 77 days",
                      "−4: sentiment negative"]) == "Revenue down 56% on the 3 months before and 2 more"
    assert risk_text([below, "−15: no contact for 77 days (policy 30)"]) == "No contact for 77 days (policy 30)"
    assert risk_text([below]) == "Score 26 is below the at-risk threshold of 50"
    assert risk_text(["At risk: key account down 15 points in 30 days (from 80)", "−15: no contact"]) \
        == "Key account down 15 points in 30 days (from 80)"


def test_a_health_filter_keeps_the_accounts_scored_at_most_that_and_says_so(db, book):
    quiet = make_account(db, name="Quiet")  # never contacted, nothing else: 85 points
    everyone = PortfolioQuery(today=TODAY)
    scored = health.scores(db, ME, TODAY).set_index("name")["score"].round()
    at_most = int(scored.min())
    expected = sorted(n for n, s in scored.items() if s <= at_most)
    assert 0 < len(expected) < len(scored)     # the filter keeps some accounts, not all
    sick = with_health(db, ME, everyone, at_most)
    assert sorted(page(db, ME, sick)["name"]) == expected
    assert kpis(db, ME, sick)["accounts"] == len(expected)
    assert sick.sentence == f"health is at most {at_most}"
    # with another filter: both must hold
    named = PortfolioQuery(conditions=(Condition("name", "contains", "qui"),), today=TODAY)
    assert page(db, ME, with_health(db, ME, named, 85))["id"].tolist() == [quiet]
    assert page(db, ME, with_health(db, ME, named, 84)).empty
    assert with_health(db, ME, named, 84).sentence == 'name contains "qui" and health is at most 84'


def test_a_health_filter_over_many_accounts_scores_them_all_at_once_with_the_same_result(
        db, book, monkeypatch):
    import lib.portfolio as portfolio
    make_account(db, name="Quiet")
    named = PortfolioQuery(conditions=(Condition("name", "contains", "e"),), today=TODAY)  # Acme, Beta, Quiet
    one_by_one = with_health(db, ME, named, 85)
    monkeypatch.setattr(portfolio, "_SCORE_GIVEN_UP_TO", 0)
    at_once = with_health(db, ME, named, 85)
    assert at_once.health_ids == one_by_one.health_ids and len(at_once.health_ids) == 3
    assert with_health(db, ME, named, 70).health_ids == (book["beta"],)   # 65 points


def test_a_saved_views_filters_are_read_back_safely_whatever_it_holds():
    from lib.portfolio import view_filters
    options = {"tier": ["key", "standard"], "owner": ["Priya Shah"]}
    got = view_filters({"tier": ["key", "gone"], "owner": "Priya Shah", "q": "acme" * 40,
                        "quiet": 30, "minrev": -5, "health": "abc", "sort": "name; DROP",
                        "desc": False, "unknown": 1}, options)
    assert got["tier"] == ["key"] and got["owner"] == []      # only values still offered, as a list
    assert (got["q"], got["quiet"], got["minrev"], got["health"]) == (("acme" * 40)[:100], 30.0, 0.0, 100.0)
    assert (got["sort"], got["desc"]) == ("revenue_ytd", False)
    assert "unknown" not in got
    assert view_filters({}, options)["health"] == 100.0 and view_filters({}, options)["desc"] is True


@pytest.mark.parametrize("scored_at_once", [False, True], ids=["given accounts", "all at once"])
def test_sorting_by_health_puts_the_lowest_score_first_when_ascending(db, book, monkeypatch, scored_at_once):
    import lib.portfolio as portfolio
    quiet = make_account(db, name="Quiet")
    add_invoice(db, quiet, date(2026, 1, 1), date(2026, 2, 1), 90_000)   # long overdue
    if scored_at_once:
        monkeypatch.setattr(portfolio, "_SCORE_GIVEN_UP_TO", 0)
    everyone = PortfolioQuery(today=TODAY)
    scored = health.scores(db, ME, TODAY).set_index("name")["score"]
    lowest_first = list(scored.sort_values(kind="stable").index)
    assert len(set(scored)) == len(scored) == 3               # distinct scores: one right order
    assert page(db, ME, everyone, sort="health", descending=False)["name"].tolist() == lowest_first
    assert page(db, ME, everyone, sort="health")["name"].tolist() == lowest_first[::-1]
    assert page(db, ME, everyone, sort="health", offset=1, limit=1)["name"].tolist() == lowest_first[1:2]
    # with the health filter too
    sick = with_health(db, ME, everyone, round(scored.max()) - 1)
    assert page(db, ME, sick, sort="health", descending=False)["name"].tolist() == lowest_first[:2]


def test_a_health_sort_scores_afresh_after_a_write_changes_a_score(db, book):
    quiet = make_account(db, name="Quiet")
    everyone = PortfolioQuery(today=TODAY)
    # Acme and Quiet score 85 (a tie keeps the names' order), Beta 65
    assert page(db, ME, everyone, sort="health")["name"].tolist() == ["Acme", "Quiet", "Beta"]
    add_interaction(db, quiet, make_manager(db, name="Ann Lee"), datetime(2026, 11, 20, 10))
    assert page(db, ME, everyone, sort="health")["name"].tolist() == ["Quiet", "Acme", "Beta"]
