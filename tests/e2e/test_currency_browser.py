"""The reporting currency chosen in the sidebar, as a browser keeps it from page to page."""
from playwright.sync_api import expect

from tests.conftest import DIRECTOR
from tests.e2e.conftest import assert_no_exception, select_option, sign_in, wait_idle


def test_the_reporting_currency_chosen_on_one_page_is_the_one_the_next_page_uses(demo_server, page):
    sign_in(page, demo_server.url + "/performance", DIRECTOR)
    sidebar = page.locator('[data-testid="stSidebar"]')
    select_option(page, "Reporting currency", "GBP")
    wait_idle(page)
    sidebar.locator('[data-testid="stSidebarNav"] a').filter(has_text="Portfolio").click()
    wait_idle(page)
    page.get_by_role("heading", name="Portfolio").wait_for()
    expect(page.locator('[data-testid="stMain"]')).to_contain_text("amounts in GBP")
    assert_no_exception(page)
