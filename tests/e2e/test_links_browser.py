"""Links in a real browser: before sign-in, as a fresh server's first request, and to an
account and its open tab."""
from pathlib import Path

from playwright.sync_api import expect

from tests.conftest import ADMIN, DIRECTOR, copy_db
from tests.e2e.conftest import Server, assert_no_exception, cut_short, screenshot, sign_in, wait_idle


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
