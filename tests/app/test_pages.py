"""Every page renders on the demo portfolio and on an empty database; widgets drive behaviour."""
import re

from lib.db import database_path
from lib.ui import _open

PAGES = ["pages/portfolio.py"]  # pages shown once the database holds accounts


def _no_errors(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _total(at) -> int:
    caption = next(c.value for c in at.caption if c.value.startswith("Accounts "))
    return int(re.search(r"of ([\d,]+)", caption).group(1).replace(",", ""))


def test_an_empty_database_shows_the_welcome_screen_with_the_demo_button(empty_app):
    at = empty_app.run()
    _no_errors(at)
    assert at.title[0].value == "Welcome to Account Desk"
    assert at.button(key="welcome_load_demo").label == "Load the demo portfolio"


def test_loading_the_demo_from_the_welcome_screen_opens_the_portfolio(empty_app):
    at = empty_app.run()
    at.button(key="welcome_load_demo").click().run()
    _no_errors(at)
    # AppTest stays on the page hash it last ran; a browser lands on the new default page
    # by itself (tests/e2e checks that).
    at.switch_page("pages/portfolio.py").run()
    _no_errors(at)
    assert at.title[0].value == "Portfolio"
    assert _total(at) > 100
    db = _open(str(database_path()))
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'load_demo'") == 1


def test_every_page_renders_on_the_demo_portfolio(demo_app):
    at = demo_app.run()
    _no_errors(at)
    for page in PAGES:
        at.switch_page(page).run()
        _no_errors(at)


def test_the_portfolio_shows_kpis_a_chart_and_the_account_table(demo_app):
    at = demo_app.run()
    labels = [m.label for m in at.metric]
    assert labels == ["Accounts", "Revenue YTD", "Target YTD", "Attainment", "At risk", "Overdue"]
    assert at.metric[0].value == f"{_total(at):,}"
    assert at.get("plotly_chart")
    assert len(at.dataframe[0].value) == min(100, _total(at))


def test_choosing_a_tier_narrows_the_accounts_and_says_so(demo_app):
    at = demo_app.run()
    everything = _total(at)
    at.multiselect(key="portfolio_tier").select("key").run()
    _no_errors(at)
    assert 0 < _total(at) < everything
    assert set(at.dataframe[0].value["Tier"]) == {"Key"}
    assert any("accounts where tier is Key" in c.value for c in at.caption)


def test_a_link_with_filters_in_the_url_opens_the_same_view(demo_app):
    demo_app.query_params["portfolio_tier"] = "Key"
    at = demo_app.run()
    _no_errors(at)
    assert at.multiselect(key="portfolio_tier").value == ["key"]
    assert set(at.dataframe[0].value["Tier"]) == {"Key"}


def test_a_search_that_matches_nothing_shows_an_empty_state_not_an_error(demo_app):
    at = demo_app.run()
    at.text_input(key="portfolio_q").input("no such account anywhere").run()
    _no_errors(at)
    assert any("No account matches" in i.value for i in at.info)


def test_sorting_by_name_orders_the_table_alphabetically(demo_app):
    at = demo_app.run()
    at.selectbox(key="portfolio_sort").select("name").run()
    at.toggle(key="portfolio_desc").set_value(False).run()
    names = list(at.dataframe[0].value["Account"])
    assert names == sorted(names)


def test_the_acting_as_picker_lists_the_demo_team(demo_app):
    at = demo_app.run()
    picker = at.sidebar.selectbox(key="acting_as")
    assert len(picker.options) >= 14
    assert "director" in picker.options[0]
