"""Every page renders on the demo portfolio and on an empty database; widgets drive behaviour."""
import re

from streamlit.testing.v1 import AppTest

from tests.app.conftest import app_db, no_errors, sign_in
from tests.conftest import ADMIN, DIRECTOR, MANAGER, ROOT, VIEWER, copy_db

PAGES = ["pages/portfolio_page.py", "pages/account_page.py", "pages/my_work_page.py", "pages/targets_page.py",
         "pages/import_page.py", "pages/audit_page.py", "pages/users_page.py", "pages/settings_page.py",
         "pages/me_page.py", "pages/performance_page.py", "pages/compensation_page.py",
         "pages/review_page.py", "pages/explore_page.py"]



def _total(at) -> int:
    caption = next(c.value for c in at.caption if c.value.startswith("Accounts "))
    return int(re.search(r"of ([\d,]+)", caption).group(1).replace(",", ""))


ENTRY_PAGES = {"pages/welcome_page.py": "Welcome to Account Desk",   # first start
               "pages/sign_in_page.py": "Sign in to Account Desk"}    # everyone else signed out


def test_the_entry_pages_render_for_someone_not_signed_in(empty_app, demo_db_file, tmp_path, monkeypatch):
    at = empty_app.run()
    no_errors(at)
    assert at.title[0].value == ENTRY_PAGES["pages/welcome_page.py"]
    monkeypatch.setenv("ACCOUNTDESK_DB", str(copy_db(demo_db_file, tmp_path / "demo.duckdb")))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    no_errors(at)
    assert at.title[0].value == ENTRY_PAGES["pages/sign_in_page.py"]


def test_a_new_database_offers_the_demo_and_the_first_admin_form_and_nothing_else(empty_app):
    at = empty_app.run()
    no_errors(at)
    assert at.title[0].value == "Welcome to Account Desk"
    assert at.button(key="welcome_load_demo").label == "Load the demo portfolio"
    assert at.text_input(key="welcome_email")
    assert not at.metric and not at.dataframe


def test_loading_the_demo_on_first_start_leads_to_the_sign_in_page_with_demo_logins(empty_app):
    at = empty_app.run()
    at.button(key="welcome_load_demo").click().run()
    no_errors(at)
    db = app_db()
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'load_demo'") == 1
    # AppTest stays on the page hash it last ran; a browser lands on the new default page
    # by itself (tests/e2e checks that). A fresh visit is what a person sees next.
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    no_errors(fresh)
    assert fresh.title[0].value == "Sign in to Account Desk"
    assert "eleanor.hayes@demo.accountdesk.example" in fresh.table[0].value["Email"].tolist()
    signed = sign_in(fresh, DIRECTOR)
    assert signed.title[0].value == "Portfolio"
    assert _total(signed) > 100


def _create_first_admin(at, password_again: str) -> None:
    at.text_input(key="welcome_name").input("Ada Admin")
    at.text_input(key="welcome_email").input("ada@example.com")
    at.text_input(key="welcome_password_new").input("correct horse battery")
    at.text_input(key="welcome_password_again").input(password_again)
    next(b for b in at.button if b.label == "Create the admin").click().run()


def test_creating_the_first_admin_closes_setup_and_lets_them_sign_in(empty_app):
    at = empty_app.run()
    _create_first_admin(at, "correct horse battery")
    no_errors(at)
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert fresh.title[0].value == "Sign in to Account Desk"
    signed = sign_in(fresh, "ada@example.com", "correct horse battery")
    assert signed.title[0].value == "Welcome to Account Desk"  # signed in, still no accounts
    assert signed.button(key="welcome_load_demo")


def test_mismatched_first_admin_passwords_are_refused_with_a_message(empty_app):
    at = empty_app.run()
    _create_first_admin(at, "correct horse batter")
    assert "differ" in at.error[0].value
    assert at.title[0].value == "Welcome to Account Desk"


def test_every_page_renders_for_every_role_on_the_demo_portfolio(demo_app):
    for email in (ADMIN, DIRECTOR, MANAGER, VIEWER):
        at = sign_in(AppTest.from_file(str(ROOT / "app.py"), default_timeout=60), email)
        no_errors(at)
        for page in PAGES:
            at.switch_page(page).run()
            assert not at.exception, (email, page, [e.value for e in at.exception])


def test_the_portfolio_shows_kpis_a_chart_and_the_account_table(as_director):
    at = as_director
    labels = [m.label for m in at.metric]
    assert labels == ["Accounts", "Revenue YTD", "Target YTD", "Attainment", "At risk", "Overdue"]
    assert at.metric[0].value == f"{_total(at):,}"
    assert at.get("plotly_chart")
    assert len(at.dataframe[0].value) == min(100, _total(at))


def test_the_portfolio_scores_health_once_for_the_visible_rows_only(demo_app, monkeypatch):
    from lib import health
    calls, real = [], health.scores

    def counted(db, actor, today, account_ids=None):
        calls.append(account_ids)
        return real(db, actor, today, account_ids=account_ids)

    monkeypatch.setattr(health, "scores", counted)
    at = sign_in(demo_app, DIRECTOR)
    no_errors(at)
    shown = at.dataframe[0].value
    assert _total(at) > 100 and len(calls) == 1 and len(calls[0]) == 100
    assert shown["Health"].between(0, 100).all()
    flagged = shown[shown["Health risk"] != ""]
    assert 0 < len(flagged) < len(shown)
    assert flagged["Health risk"].str.startswith("⚠ ").all()
    at.run()  # the same page again comes from the cache
    assert len(calls) == 1


def test_choosing_a_tier_narrows_the_accounts_and_says_so(as_director):
    at = as_director
    everything = _total(at)
    at.multiselect(key="portfolio_tier").select("key").run()
    no_errors(at)
    assert 0 < _total(at) < everything
    assert set(at.dataframe[0].value["Tier"]) == {"Key"}
    assert any("accounts where tier is Key" in c.value for c in at.caption)


def test_a_link_with_filters_in_the_url_opens_the_same_view(demo_app):
    demo_app.query_params["portfolio_tier"] = "Key"
    at = sign_in(demo_app, DIRECTOR)
    no_errors(at)
    assert at.multiselect(key="portfolio_tier").value == ["key"]
    assert set(at.dataframe[0].value["Tier"]) == {"Key"}


def test_a_search_that_matches_nothing_shows_an_empty_state_not_an_error(as_director):
    at = as_director
    at.text_input(key="portfolio_q").input("no such account anywhere").run()
    no_errors(at)
    assert any("No account matches" in i.value for i in at.info)


def test_sorting_by_name_orders_the_table_alphabetically(as_director):
    at = as_director
    at.selectbox(key="portfolio_sort").select("name").run()
    at.toggle(key="portfolio_desc").set_value(False).run()
    names = list(at.dataframe[0].value["Account"])
    assert names == sorted(names)


def test_sorting_by_health_lowest_first_puts_the_sickest_accounts_at_the_top(as_director):
    at = as_director
    at.selectbox(key="portfolio_sort").select("health").run()
    at.toggle(key="portfolio_desc").set_value(False).run()
    no_errors(at)
    scores = list(at.dataframe[0].value["Health"])
    assert scores == sorted(scores) and scores[0] <= 40 < scores[-1]


def test_a_link_keeps_the_sort_and_its_direction(demo_app):
    demo_app.query_params.update({"portfolio_sort": "Health score", "portfolio_desc": "false"})
    at = sign_in(demo_app, DIRECTOR).switch_page("pages/portfolio_page.py").run()
    no_errors(at)
    assert (at.selectbox(key="portfolio_sort").value, at.toggle(key="portfolio_desc").value) == ("health", False)
    scores = list(at.dataframe[0].value["Health"])
    assert scores == sorted(scores)


def test_the_portfolio_filters_by_health(as_director):
    at = as_director
    everyone = _total(at)
    at.number_input(key="portfolio_health").set_value(40.0).run()
    no_errors(at)
    assert 0 < _total(at) < everyone
    assert any("health is at most 40" in c.value for c in at.caption)
    assert (at.dataframe[0].value["Health"] <= 40).all()


def test_a_link_with_a_health_filter_opens_on_the_same_accounts(demo_app):
    demo_app.query_params["portfolio_health"] = "40"
    at = sign_in(demo_app, DIRECTOR).switch_page("pages/portfolio_page.py").run()
    no_errors(at)
    assert at.number_input(key="portfolio_health").value == 40
    assert any("health is at most 40" in c.value for c in at.caption)
