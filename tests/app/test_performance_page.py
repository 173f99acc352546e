"""The Performance page: revenue vs target with the projection, budgets and collections, per scope."""
import pytest
from streamlit.testing.v1 import AppTest

from lib.auth import create_first_admin
from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import DIRECTOR, VIEWER

PAGE = "pages/performance_page.py"
PASSWORD = "correct horse battery"


def open_page(at: AppTest, currency: str = "USD") -> AppTest:
    """Switch to the page and pick the reporting currency, so figures compare across runs."""
    at.switch_page(PAGE).run()
    return at.selectbox(key="reporting_currency").select(currency).run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def show_tab(at: AppTest, tab: str) -> AppTest:
    at.session_state["performance_tab"] = tab
    return at.run()


@pytest.fixture
def performance(demo_app) -> AppTest:
    return open_page(sign_in(demo_app, DIRECTOR))


def test_the_page_shows_ytd_kpis_the_projection_a_chart_and_the_monthly_numbers(performance):
    at = performance
    no_errors(at)
    assert at.title[0].value == "Performance"
    labels = list(metrics(at))
    assert labels[:3] == ["Revenue YTD", "Target YTD", "Attainment YTD"]
    assert labels[3].startswith("Projected Q") and labels[4].startswith("Projected FY")
    assert any("year-end range" in c.value and "Projected from" in c.value for c in at.caption)
    assert at.get("plotly_chart")
    table = at.dataframe[0].value
    assert len(table) == 12 and {"Revenue", "Target", "Projected low", "Projected high"} <= set(table)
    assert any("amounts in USD · the whole team" in c.value for c in at.caption)


def test_choosing_a_manager_changes_the_figures_and_says_whose_they_are(performance):
    at = performance
    team = metrics(at)["Revenue YTD"]
    at.selectbox(key="performance_scope").select("manager").run()
    maya = app_db().value("SELECT id FROM account_managers WHERE name = 'Maya Thompson'")
    at.selectbox(key="performance_manager").select(maya).run()
    no_errors(at)
    assert metrics(at)["Revenue YTD"] != team
    assert any("Maya Thompson's accounts" in c.value for c in at.caption)
    assert "Manager's quota" in at.dataframe[0].value.columns


def test_a_link_with_a_manager_and_a_tab_in_the_url_opens_the_same_view(demo_app):
    at = sign_in(demo_app, DIRECTOR)
    at.query_params.update(performance_scope="Manager", performance_manager="Oliver Bennett",
                           performance_tab="Collections")
    at.switch_page(PAGE).run()
    no_errors(at)
    oliver = app_db().value("SELECT id FROM account_managers WHERE name = 'Oliver Bennett'")
    assert at.selectbox(key="performance_manager").value == oliver
    assert "Days sales outstanding" in metrics(at)
    assert any("Oliver Bennett's accounts" in c.value for c in at.caption)


def test_the_collections_tab_lists_brightwater_among_the_top_overdue_accounts(performance):
    at = show_tab(performance, "Collections")
    no_errors(at)
    assert list(metrics(at)) == ["Receivables", "Overdue", "Over 90 days", "Days sales outstanding",
                                 "Collection rate"]
    top = next(d.value for d in at.dataframe if "Overdue invoices" in d.value.columns)
    assert "Brightwater Logistics Inc." in list(top["Account"])
    brightwater = app_db().value("SELECT id FROM accounts WHERE name = 'Brightwater Logistics Inc.'")
    assert f"/account?account={brightwater}" in list(top["Open"])
    ageing = next(d.value for d in at.dataframe if "Open amount" in d.value.columns)
    assert list(ageing["Overdue"]) == ["Not yet due", "1–30 days", "31–60 days", "61–90 days",
                                       "Over 90 days"]
    assert any("Collection rate" in d.value.columns for d in at.dataframe)  # per manager


def test_the_budgets_tab_flags_lindqvist_retail_as_projected_to_overrun(performance):
    at = show_tab(performance, "Budgets")
    no_errors(at)
    assert "Burn" in metrics(at)
    overruns = next(d.value for d in at.dataframe if "Over by" in d.value.columns and "Account" in d.value.columns)
    row = overruns[overruns["Account"] == "Lindqvist Retail GmbH"].iloc[0]
    assert row["Over by"] > 0 and "travel" in row["Categories over"]
    assert any("projected to overrun" in w.value for w in at.warning)


def test_an_account_found_by_name_shows_that_accounts_figures(performance):
    at = performance
    at.selectbox(key="performance_scope").select("account").run()
    at.text_input(key="performance_account_q").input("no such account anywhere").run()
    no_errors(at)
    assert any(c.value == "No account matches that search." for c in at.caption)
    at.text_input(key="performance_account_q").input("Brightwater").run()
    brightwater = app_db().value("SELECT id FROM accounts WHERE name = 'Brightwater Logistics Inc.'")
    at.selectbox(key="performance_account").select(brightwater).run()
    no_errors(at)
    assert any(c.value.endswith("· Brightwater Logistics Inc. · United States") for c in at.caption)
    attainment = float(metrics(at)["Attainment YTD"].rstrip("%"))
    assert attainment < 90  # the at-risk story: revenue fell away this year


def test_amounts_follow_the_reporting_currency_chosen_in_the_sidebar(performance):
    at = performance
    assert metrics(at)["Revenue YTD"].startswith("$")
    at.selectbox(key="reporting_currency").select("GBP").run()
    no_errors(at)
    assert metrics(at)["Revenue YTD"].startswith("£")
    assert any("amounts in GBP" in c.value for c in at.caption)


def test_the_meeting_room_viewer_can_open_every_tab(demo_app):
    at = open_page(sign_in(demo_app, VIEWER))
    for tab in ("Revenue vs target", "Budgets", "Collections"):
        show_tab(at, tab)
        no_errors(at)
        assert at.metric, tab


def test_on_an_empty_database_every_tab_says_there_is_nothing_yet(empty_app):
    empty_app.run()
    create_first_admin(app_db(), "ada@example.com", "Ada Admin", PASSWORD)
    at = sign_in(AppTest.from_file(empty_app._script_path, default_timeout=60), "ada@example.com", PASSWORD)
    at.switch_page(PAGE).run()
    messages = []
    for tab in ("Revenue vs target", "Budgets", "Collections"):
        show_tab(at, tab)
        no_errors(at)
        assert not at.metric
        messages += [i.value for i in at.info]
    assert any("No revenue or targets recorded for the whole team" in m for m in messages)
    assert any("No budgets recorded" in m for m in messages)
    assert any("No open invoices" in m for m in messages)
    at.selectbox(key="performance_scope").select("manager").run()
    no_errors(at)
    assert any("There is no manager to show yet" in i.value for i in at.info)
