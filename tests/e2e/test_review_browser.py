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


_LEGIBILITY = """() => {
  const px = (e) => parseFloat(getComputedStyle(e).fontSize);
  const cells = [...document.querySelectorAll('[data-testid="stTable"] td')];
  const values = [...document.querySelectorAll('[data-testid="stMetricValue"]')];
  return {
    cell_px: Math.min(...cells.map(px)), cells: cells.length,
    value_px: Math.min(...values.map(px)),
    cut_values: values.filter(v => v.scrollWidth > v.clientWidth + 1).map(v => v.innerText),
    wide_tables: [...document.querySelectorAll('[data-testid="stTable"]')]
        .filter(t => t.scrollWidth > t.clientWidth + 1).length,
  };
}"""


def test_the_presentation_is_large_type_and_fits_a_1280_by_720_screen(demo_server, browser, artifacts):
    room = browser.new_context(viewport={"width": 1280, "height": 720}).new_page()
    room.set_default_timeout(30_000)
    sign_in(room, demo_server.url + "/review", DIRECTOR)
    room.get_by_role("heading", name="Leaderboard").wait_for()
    wait_idle(room)
    for tab in ("Overview", "Walk-through"):
        room.get_by_role("tab", name=tab).click()
        wait_idle(room)
        assert_no_exception(room)
        seen = room.evaluate(_LEGIBILITY)
        assert seen["cells"] > 0 and seen["cell_px"] >= 19, seen     # the default is 14 px
        assert seen["value_px"] >= 40, seen                          # the default is 36 px
        assert seen["cut_values"] == [] and seen["wide_tables"] == 0, seen
    room.screenshot(path=artifacts / "review-1280x720.png")
    room.context.close()
