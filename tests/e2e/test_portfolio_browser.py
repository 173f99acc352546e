"""The Portfolio in a real browser: filters bound to the URL, odd parameters, the health column,
and a viewer's read-only table."""
from tests.conftest import DIRECTOR, MANAGER, VIEWER
from tests.e2e.conftest import assert_no_exception, choose, screenshot, shown_total, sign_in


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
    everything = shown_total(page)

    choose(page, "Tier", "Key")
    assert_no_exception(page)
    key_only = shown_total(page)
    assert 0 < key_only < everything
    assert "portfolio_tier=Key" in page.url
    page.get_by_text("accounts where tier is Key").wait_for()

    link = page.url
    colleague = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    sign_in(colleague, link, MANAGER)  # the link asks for sign-in, then opens the same view
    assert shown_total(colleague) == key_only
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
    assert shown_total(page) > 100


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
