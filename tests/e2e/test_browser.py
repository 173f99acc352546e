"""What only a real browser shows: the welcome flow, every page, URL-bound filters."""
import re

from tests.e2e.conftest import assert_no_exception, screenshot, wait_idle

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
    page.get_by_role("heading", name="Portfolio").wait_for(timeout=90_000)
    wait_idle(page)
    assert_no_exception(page)
    assert _shown_total(page) > 100
    assert "Traceback" not in empty_server.log()


def test_every_page_of_the_demo_renders_without_an_error(demo_server, page, artifacts):
    page.goto(demo_server.url)
    wait_idle(page)
    links = page.locator('[data-testid="stSidebarNav"] a')
    names = [links.nth(i).inner_text().strip() for i in range(links.count())] or ["Portfolio"]
    for name in names:
        if links.count():
            page.locator('[data-testid="stSidebarNav"] a').filter(has_text=name).first.click()
        wait_idle(page)
        assert_no_exception(page)
        screenshot(page, artifacts / f"{name.lower().replace(' ', '-')}.png")
    assert "Portfolio" in names


def test_a_filter_narrows_the_table_and_a_copied_link_shows_the_same_view(demo_server, page, browser):
    page.goto(demo_server.url)
    wait_idle(page)
    everything = _shown_total(page)

    _choose(page, "Tier", "Key")
    assert_no_exception(page)
    key_only = _shown_total(page)
    assert 0 < key_only < everything
    assert "portfolio_tier=Key" in page.url
    page.get_by_text("accounts where tier is Key").wait_for()

    colleague = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    colleague.goto(page.url)
    wait_idle(colleague)
    assert _shown_total(colleague) == key_only
    colleague.get_by_text("accounts where tier is Key").wait_for()
    colleague.context.close()


def test_a_filter_that_matches_nothing_says_so_instead_of_failing(demo_server, page):
    page.goto(demo_server.url + "/?portfolio_q=no-such-account-anywhere")
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_text("No account matches these filters").wait_for()


def test_odd_url_parameters_are_ignored_with_no_error(demo_server, page):
    page.goto(demo_server.url + "/?portfolio_tier=Platinum&portfolio_sort=DROP%20TABLE&portfolio_quiet=-5&x=%3Cscript%3E")
    wait_idle(page)
    assert_no_exception(page)
    assert _shown_total(page) > 100
