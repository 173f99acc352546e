"""The weekly team review in a real browser: the director starts a review, takes the monthly
report away and adds an action item; the manager finds it in My work and marks it done; the
walk-through steps by keyboard."""
from pathlib import Path

from tests.conftest import DIRECTOR, MANAGER
from tests.e2e.conftest import assert_no_exception, screenshot, select_option, sign_in, wait_idle

ITEM = "Call the Lindqvist CFO about the overdue invoices"


def test_a_review_started_with_an_action_item_puts_the_item_in_the_owners_my_work(
        fresh_server, page, browser, artifacts):
    sign_in(page, fresh_server.url + "/review", DIRECTOR)
    page.get_by_role("heading", name="Team review").wait_for()
    page.get_by_text("Leaderboard").first.wait_for()
    assert_no_exception(page)
    assert page.get_by_role("button", name="Start the review").count() == 0  # a presentation
    screenshot(page, artifacts / "review.png")

    page.get_by_text("Presenter controls").click()
    wait_idle(page)
    page.get_by_label("Title").fill("Week 47")
    page.get_by_role("button", name="Start the review").click()
    wait_idle(page)
    page.get_by_text("Review started").wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Monthly report").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"  # an XLSX is a zip

    page.get_by_role("tab", name="Notes & actions").click()
    wait_idle(page)
    select_option(page, "Who", "Maya Thompson")
    page.get_by_label("What").fill(ITEM)
    page.get_by_role("button", name="Add the action item").click()
    wait_idle(page)
    page.get_by_text("Action item added for Maya Thompson").wait_for()
    page.get_by_text(ITEM).first.wait_for()
    assert_no_exception(page)
    screenshot(page, artifacts / "review-actions.png")

    page.get_by_role("tab", name="Walk-through").click()
    wait_idle(page)
    page.get_by_text("Manager 1 of").click()  # focus the page, not a text box
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    page.get_by_text("Manager 2 of").wait_for()
    assert_no_exception(page)

    maya = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    maya.set_default_timeout(30_000)
    sign_in(maya, fresh_server.url + "/my_work", MANAGER)
    maya.get_by_role("heading", name="Action items from team reviews").wait_for()
    maya.get_by_text(ITEM).wait_for()
    screenshot(maya, artifacts / "my-work-review-action.png")
    maya.locator('[class*="st-key-my_work_action_done_"] button').first.click()
    wait_idle(maya)
    maya.get_by_text(f"Done: {ITEM}").wait_for()
    assert maya.get_by_role("heading", name="Action items from team reviews").count() == 0
    assert_no_exception(maya)
    maya.context.close()
