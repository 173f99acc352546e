"""The targets grid in a real browser: edit a month, save, see the quarter follow, revert it."""
import re

from tests.conftest import DIRECTOR
from tests.e2e.conftest import assert_no_exception, expect_grid_text, grid_text, screenshot, sign_in, wait_idle


def _settled_grid_text(page) -> str:
    """The grids' text once a fresh grid has drawn (after a save the editor starts anew)."""
    for _ in range(50):
        text = grid_text(page)
        if text.strip():
            return text
        page.wait_for_timeout(200)
    return grid_text(page)


def test_a_month_edited_in_the_grid_moves_its_quarter_and_is_reverted_from_history(fresh_server, page, artifacts):
    sign_in(page, fresh_server.url + "/targets", DIRECTOR)
    page.get_by_role("heading", name="Targets").wait_for()
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    wait_idle(page)
    expect_grid_text(page, "713200")  # Brandon Murphy's Q1: 228,700 + 236,700 + 247,800
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # cells are drawn on a canvas: row 1 (Brandon Murphy), column Jan 2026, by offset
    page.mouse.dblclick(box["x"] + 238, box["y"] + 53)
    page.wait_for_timeout(500)  # the cell editor opens with the old value selected
    page.keyboard.type("300000")
    page.wait_for_timeout(300)
    page.keyboard.press("Tab")
    page.wait_for_timeout(1000)  # the grid sends its edit a moment after the cell closes
    wait_idle(page)
    page.get_by_text("Unsaved changes").wait_for()
    expect_grid_text(page, "784500")  # the preview's new Q1 (the grid's page copy holds raw numbers)
    page.get_by_label("Reason for the change (optional)").fill("Bigger January")
    page.get_by_role("button", name="Save", exact=True).click()
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_text(re.compile(r"Saved 1 cell|1 change|saved", re.I)).first.wait_for()
    screenshot(page, artifacts / "targets.png")
    text = _settled_grid_text(page)
    assert "784500" in text and "713200" not in text

    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Revert one change")
    picker.locator("input").click()
    page.keyboard.type("Brandon Murphy, Jan 2026")
    page.keyboard.press("Enter")
    wait_idle(page)
    page.get_by_role("button", name="Revert this change").click()
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_text("Reverted change").wait_for()
    expect_grid_text(page, "713200")   # the grid drawn after the revert (the old one may linger)
    text = _settled_grid_text(page)
    assert "713200" in text and "784500" not in text.split("Roll-up")[0]
