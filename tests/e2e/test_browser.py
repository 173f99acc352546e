"""What only a real browser shows: the welcome flow, every page, URL-bound filters."""
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.conftest import ADMIN, DIRECTOR, MANAGER, VIEWER, copy_db
from tests.e2e.conftest import (WHOLE, Server, assert_no_exception, cut_short, nav_titles, screenshot, sign_in,
                                wait_idle)

SHOWING = re.compile(r"Accounts [\d,]+–[\d,]+ of ([\d,]+)")


def _shown_total(page) -> int:
    text = page.get_by_text(SHOWING).first.inner_text()
    return int(SHOWING.search(text).group(1).replace(",", ""))


def _choose(page, label: str, option: str) -> None:
    box = page.locator('[data-testid="stMultiSelect"]').filter(has_text=label).first
    box.locator("input").click()
    page.keyboard.type(option)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page)


def test_a_new_database_shows_the_welcome_screen_and_loads_the_demo(empty_server, page, artifacts):
    page.goto(empty_server.url)
    wait_idle(page)
    page.get_by_text("Welcome to Account Desk").wait_for()
    assert_no_exception(page)
    screenshot(page, artifacts / "welcome.png")

    page.get_by_role("button", name="Load the demo portfolio").click()
    page.get_by_text("Sign in to Account Desk").wait_for(timeout=90_000)
    wait_idle(page)
    page.get_by_text(DIRECTOR).first.wait_for()  # the demo sign-ins are listed
    screenshot(page, artifacts / "sign-in.png")

    sign_in(page, empty_server.url, DIRECTOR)
    page.get_by_role("heading", name="Portfolio").wait_for()
    assert_no_exception(page)
    assert _shown_total(page) > 100
    assert "Traceback" not in empty_server.log()


def test_every_page_renders_without_an_error_for_the_admin(demo_server, page, artifacts):
    sign_in(page, demo_server.url, ADMIN)
    names = nav_titles(page)
    assert names == ["Portfolio", "Account", "My work", "Targets", "Performance", "Compensation", "Team review", "Explore", "Import", "Audit trail", "Users", "Settings & backups",
                     "My account"]
    for name in names:
        page.locator('[data-testid="stSidebarNav"] a').filter(has_text=name).first.click()
        wait_idle(page)
        if name != "Account":  # without ?account= the Account page opens on its search
            page.get_by_role("heading", name=name).first.wait_for()
        assert_no_exception(page)
        assert cut_short(page, WHOLE) == [], name
        screenshot(page, artifacts / f"{name.lower().replace(' & ', '-').replace(' ', '-')}.png")


def test_a_manager_sees_only_their_pages_and_a_director_url_is_refused(demo_server, page):
    sign_in(page, demo_server.url, MANAGER)
    assert nav_titles(page) == ["Portfolio", "Account", "My work", "Targets", "Performance", "Compensation", "Team review", "Explore", "My account"]
    sign_in(page, demo_server.url + "/audit", MANAGER)  # a link opens a new session
    page.get_by_text("You are not allowed to open Audit trail").wait_for()
    assert_no_exception(page)
    assert page.locator('[data-testid="stDataFrame"]').count() == 0


def test_a_viewer_finds_no_editing_control_on_the_portfolio(demo_server, page, artifacts):
    sign_in(page, demo_server.url, VIEWER)
    page.get_by_role("heading", name="Portfolio").wait_for()
    buttons = [b.strip() for b in page.locator('[data-testid="stMain"] button').all_inner_texts()]
    assert not [b for b in buttons if b and b not in {"1", "2", "3", "4", "chevron_left", "chevron_right"}], buttons
    assert page.locator('[data-testid="stForm"]').count() == 0
    assert page.locator('[data-testid="stDataFrameGlideDataEditor"]').count() == 0
    screenshot(page, artifacts / "portfolio-as-viewer.png")


def test_a_filter_narrows_the_table_and_a_copied_link_shows_the_same_view(demo_server, page, browser):
    sign_in(page, demo_server.url, DIRECTOR)
    everything = _shown_total(page)

    _choose(page, "Tier", "Key")
    assert_no_exception(page)
    key_only = _shown_total(page)
    assert 0 < key_only < everything
    assert "portfolio_tier=Key" in page.url
    page.get_by_text("accounts where tier is Key").wait_for()

    link = page.url
    colleague = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    sign_in(colleague, link, MANAGER)  # the link asks for sign-in, then opens the same view
    assert _shown_total(colleague) == key_only
    colleague.get_by_text("accounts where tier is Key").wait_for()
    colleague.context.close()


def test_a_filter_that_matches_nothing_says_so_instead_of_failing(demo_server, page):
    sign_in(page, demo_server.url + "/?portfolio_q=no-such-account-anywhere", DIRECTOR)
    assert_no_exception(page)
    page.get_by_text("No account matches these filters").wait_for()


def test_odd_url_parameters_are_ignored_with_no_error(demo_server, page):
    sign_in(page, demo_server.url + "/?portfolio_tier=Platinum&portfolio_sort=DROP%20TABLE"
            "&portfolio_quiet=-5&x=%3Cscript%3E", DIRECTOR)
    assert_no_exception(page)
    assert _shown_total(page) > 100


def test_a_url_opened_before_sign_in_shows_only_the_sign_in_form(demo_server, page):
    page.goto(demo_server.url + "/users?portfolio_tier=Key")
    wait_idle(page)
    page.get_by_text("Sign in to Account Desk").wait_for()
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert page.locator('[data-testid="stDialog"]').count() == 0  # no "page not found" in the way
    assert_no_exception(page)


def test_the_very_first_request_to_a_fresh_server_cannot_skip_sign_in(tmp_path, demo_db_file, browser):
    # Started as plain `streamlit run app.py`, Streamlit serves the first request after a start
    # in its legacy pages-folder mode, which would run pages/users_page.py without app.py's gate.
    server = Server(tmp_path / "server.log", db_path=copy_db(demo_db_file, tmp_path / "fresh.duckdb"),
                    script=Path("app.py"))
    try:
        page = browser.new_page()
        page.goto(server.url + "/users")
        wait_idle(page)
        page.get_by_text("Sign in to Account Desk").wait_for()
        assert "fiona.finch" not in page.inner_text('[data-testid="stMain"]').split("password")[0]
        assert page.locator('[data-testid="stMetric"]').count() == 0
        sign_in(page, server.url + "/users", ADMIN)
        page.get_by_role("heading", name="Users").wait_for()
        page.close()
    finally:
        server.stop()


def test_a_deep_link_as_the_first_request_after_a_start_opens_after_sign_in(tmp_path, demo_db_file, browser):
    server = Server(tmp_path / "server.log", db_path=copy_db(demo_db_file, tmp_path / "fresh.duckdb"))
    try:
        page = browser.new_page()
        sign_in(page, server.url + "/account?account=1", DIRECTOR)
        page.get_by_role("heading", name="Brightwater Logistics Inc.").wait_for()
        assert "Page not found" not in page.inner_text("body")
        page.close()
    finally:
        server.stop()


def test_two_people_signed_in_at_once_each_see_only_their_own_session(demo_server, browser):
    admin = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    manager = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    sign_in(admin, demo_server.url, ADMIN)
    sign_in(manager, demo_server.url, MANAGER)
    for tier, sentence in (("Key", "tier is Key"), ("Strategic", "tier is Key or Strategic")):
        _choose(admin, "Tier", tier)
        manager.reload()
        wait_idle(manager)  # a reload is a new session: the manager must sign in again
        manager.get_by_text("Sign in to Account Desk").wait_for()
        sign_in(manager, demo_server.url, MANAGER)
        assert "Maya Thompson" in manager.locator('[data-testid="stSidebar"]').inner_text()
        assert "Fiona Finch" in admin.locator('[data-testid="stSidebar"]').inner_text()
        assert nav_titles(manager) == ["Portfolio", "Account", "My work", "Targets", "Performance", "Compensation", "Team review", "Explore", "My account"]
        assert "Users" in nav_titles(admin)
        assert sentence in admin.inner_text('[data-testid="stMain"]')
        assert "tier is" not in manager.inner_text('[data-testid="stMain"]')
    admin.context.close()
    manager.context.close()


def test_an_account_opens_from_a_link_with_its_whole_story(demo_server, page, artifacts):
    sign_in(page, demo_server.url + "/account?account=1", DIRECTOR)
    page.get_by_role("heading", name="Brightwater Logistics Inc.").wait_for()
    assert_no_exception(page)
    # Only the open tab runs: each one's content arrives when it is clicked.
    shows = {"Stakeholders": "Add the contact", "Interactions": "Types", "Budget": None,
             "Invoices": None, "Family and history": "No parent or subsidiaries.", "Edit": "Save account"}
    for tab, text in shows.items():
        page.get_by_role("tab", name=tab).click()
        wait_idle(page)
        assert_no_exception(page)
        panel = page.get_by_role("tabpanel").filter(visible=True)
        if text:
            expect(panel).to_contain_text(text)
        else:
            expect(panel.locator('[data-testid="stDataFrame"]')).to_be_visible()
    page.get_by_role("tab", name="Revenue vs target").click()
    wait_idle(page)
    page.locator('[data-testid="stPlotlyChart"]').wait_for()
    assert page.locator('[data-testid="stMetric"]').count() == 8
    assert cut_short(page, '[data-testid="stMetric"]') == []     # "76 days", not "76 d..."
    screenshot(page, artifacts / "account.png")


def test_the_open_account_tab_is_in_the_address_so_its_link_opens_it_again(demo_server, page):
    sign_in(page, demo_server.url + "/account?account=1", DIRECTOR)
    page.get_by_role("heading", name="Brightwater Logistics Inc.").wait_for()
    page.get_by_role("tab", name="Interactions").click()
    wait_idle(page)
    page.get_by_label("Types").wait_for()
    address = page.url
    assert "account_tab=Interactions" in address and "account=1" in address
    sign_in(page, address, DIRECTOR)     # the link, opened in a new session
    page.get_by_role("heading", name="Brightwater Logistics Inc.").wait_for()
    wait_idle(page)
    page.get_by_label("Types").wait_for()
    assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
    assert_no_exception(page)


def test_the_portfolio_table_shows_a_health_score_column_with_the_at_risk_mark(demo_server, page, artifacts):
    sign_in(page, demo_server.url, DIRECTOR)
    page.get_by_role("heading", name="Accounts").wait_for()
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()  # the grid writes its accessible copy once it is in view
    grid.locator('[role="columnheader"]').first.wait_for(state="attached")
    headers = [h.strip() for h in grid.locator('[role="columnheader"]').all_inner_texts()]
    assert headers[:4] == ["Account", "Open", "Health", "Health risk"], headers
    assert grid.locator('[role="gridcell"]').filter(has_text="⚠ ").count() > 0
    assert_no_exception(page)
    screenshot(page, artifacts / "portfolio-health.png")
