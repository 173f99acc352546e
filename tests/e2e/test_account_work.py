"""A manager's day in a real browser: quick entry, a planned visit completed, a bulk reassign."""
from playwright.sync_api import expect

from tests.conftest import DIRECTOR, MANAGER
from tests.e2e.conftest import (assert_no_exception, expect_grid_text, screenshot, select_option, sign_in,
                                wait_idle)


def test_an_interaction_from_quick_entry_appears_on_the_account_timeline(demo_server, page, artifacts):
    sign_in(page, demo_server.url + "/account?account=1", DIRECTOR)
    page.get_by_role("heading", name="Brightwater Logistics Inc.").wait_for()
    page.get_by_role("button", name="Record an interaction").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Subject").fill("Called about the late deliveries")
    dialog.get_by_label("Outcome").fill("Agreed a weekly check-in")
    screenshot(page, artifacts / "quick-entry.png")
    dialog.get_by_role("button", name="Record interaction").click()
    wait_idle(page)
    page.get_by_text("Recorded: call “Called about the late deliveries”").wait_for()
    assert page.get_by_role("dialog").count() == 0
    page.get_by_role("tab", name="Interactions").click()
    wait_idle(page)
    assert_no_exception(page)
    expect_grid_text(page, "Called about the late deliveries")


def _select(page, label: str, option: str) -> None:
    select_option(page, label, option)
    assert _selected(page, label) == option


def _selected(page, label: str) -> str:
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).last
    return box.locator("input").input_value() or box.inner_text().splitlines()[-1]


def _tick_rows(page, grid, rows: list[int]) -> None:
    """Tick rows in the grid's selection column (drawn on the canvas: click by offset)."""
    box = grid.bounding_box()
    for row in rows:
        page.mouse.click(box["x"] + 16, box["y"] + 35 * (row + 1) + 17)
        wait_idle(page)


def test_two_accounts_ticked_in_the_portfolio_are_reassigned_in_one_go(fresh_server, page, artifacts):
    sign_in(page, fresh_server.url + "/portfolio", DIRECTOR)
    page.get_by_role("heading", name="Portfolio").wait_for()
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    _tick_rows(page, grid, [0, 1])
    page.get_by_text("2 account(s) selected").wait_for()
    assert _selected(page, "Change") == "Reassign owner"
    _select(page, "To", "Oliver Bennett")
    page.get_by_role("button", name="Review the change").click()
    wait_idle(page)
    page.get_by_text("Change the owner of 2 accounts to Oliver Bennett").first.wait_for()
    screenshot(page, artifacts / "bulk-reassign.png")
    page.get_by_role("button", name="Apply to 2 account(s)").click()
    wait_idle(page)
    page.get_by_text("done for 2 account(s)").wait_for()
    assert_no_exception(page)
    import duckdb
    fresh_server.stop()
    with duckdb.connect(str(fresh_server.db_path), read_only=True) as con:
        owners = con.execute(
            "SELECT m.name FROM audit_log l JOIN accounts a ON a.id::VARCHAR = l.entity_id "
            "JOIN account_managers m ON m.id = a.owner_id WHERE l.action = 'bulk_update'").fetchall()
    assert owners == [("Oliver Bennett",), ("Oliver Bennett",)]


def test_a_manager_completes_a_planned_visit_from_my_work(fresh_server, page, artifacts):
    sign_in(page, fresh_server.url + "/my_work", MANAGER)
    page.get_by_role("heading", name="My work").first.wait_for()
    wait_idle(page)     # the page draws in full before it is pictured and used
    assert_no_exception(page)
    screenshot(page, artifacts / "my-work-manager.png")
    form = page.locator('[data-testid="stForm"]').filter(has_text="Complete a visit")
    form.locator('[data-testid="stSelectbox"]').filter(has_text="Visit").locator("input").click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    form.get_by_label("Outcome").fill("Agreed to trial the new range")
    form.locator('[data-testid="stSelectbox"]').filter(has_text="Customer sentiment").locator("input").click()
    page.keyboard.type("Positive")
    page.keyboard.press("Enter")
    form.get_by_role("button", name="Complete the visit").click()
    wait_idle(page)
    page.get_by_text("Completed; the visit is on the account's timeline now.").wait_for()
    assert_no_exception(page)
    import duckdb
    fresh_server.stop()
    with duckdb.connect(str(fresh_server.db_path), read_only=True) as con:
        done = con.execute("SELECT is_planned, sentiment FROM interactions "
                           "WHERE outcome = 'Agreed to trial the new range'").fetchall()
    assert done == [(False, "positive")]


def test_the_account_page_form_is_empty_again_after_recording(demo_server, page):
    # Forgetting widget state on the server is not enough: the browser keeps what was typed
    # unless the form gets new widgets, and a second click would record it twice.
    sign_in(page, demo_server.url + "/account?account=1", DIRECTOR)
    page.get_by_role("tab", name="Interactions").click()
    wait_idle(page)
    page.locator('[data-testid="stMain"] summary').filter(has_text="Record an interaction").click()
    wait_idle(page)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Record interaction").first
    form.get_by_label("Subject").fill("Pricing follow-up")
    form.get_by_label("Notes").fill("Sent the new price list")
    form.get_by_role("button", name="Record interaction").click()
    wait_idle(page)
    page.get_by_text("Recorded: call “Pricing follow-up”").wait_for()
    form = page.locator('[data-testid="stForm"]').filter(has_text="Record interaction").first
    # the new widgets may arrive a moment after the message: wait for them, then check
    expect(form.get_by_label("Subject")).to_have_value("")
    expect(form.get_by_label("Notes")).to_have_value("")


def test_an_account_opened_from_the_search_stays_open_when_the_page_runs_again(demo_server, page):
    sign_in(page, demo_server.url + "/account", DIRECTOR)
    page.get_by_label("Find an account by name or external id").fill("Brightwater")
    page.keyboard.press("Enter")
    wait_idle(page)
    page.locator('[data-testid="stMain"]').get_by_text("Brightwater Logistics").first.click()
    wait_idle(page)
    expect(page.locator("h1")).to_contain_text("Brightwater Logistics")
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="Record an interaction").click()
    wait_idle(page)                                       # the page ran again
    expect(page.locator("h1")).to_contain_text("Brightwater Logistics")
    assert "account=" in page.url
    assert_no_exception(page)
