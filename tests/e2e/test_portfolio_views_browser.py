"""A saved Portfolio view in a real browser: saved with its filters, opened again later, and the
address shows the opened view (so its link can be passed on)."""
from playwright.sync_api import expect

from tests.conftest import DIRECTOR
from tests.e2e.conftest import assert_no_exception, screenshot, select_option, sign_in, wait_idle

CAPTION = "accounts where health is at most 40"


def test_a_saved_portfolio_view_opens_again_with_its_filters_in_the_address(fresh_server, page,
                                                                             artifacts):
    sign_in(page, fresh_server.url + "/?portfolio_health=40", DIRECTOR)
    main = page.locator('[data-testid="stMain"]')
    expect(main).to_contain_text(CAPTION)
    page.get_by_text("Saved views (0)").click()
    page.get_by_label("Save these filters as").fill("Accounts in poor health")
    page.get_by_role("button", name="Save view").click()
    wait_idle(page)
    expect(main).to_contain_text("Saved the view 'Accounts in poor health'")

    sign_in(page, fresh_server.url, DIRECTOR)             # later, on the plain portfolio
    expect(main).to_contain_text("all accounts")
    page.get_by_text("Saved views (1)").click()
    select_option(page, "Open a saved view", "Accounts in poor health")
    page.locator(".st-key-portfolio_view_open button").click()
    wait_idle(page)
    expect(main).to_contain_text(CAPTION)
    assert "portfolio_health=40" in page.url
    assert_no_exception(page)
    screenshot(page, artifacts / "portfolio-saved-view.png")
