"""Compensation in a real browser: a manager reads their pay, moves the what-if, and downloads
the statement."""
import io

import pandas as pd

from tests.conftest import MANAGER
from tests.e2e.conftest import assert_no_exception, screenshot, sign_in, wait_idle


def _metric(page, label: str) -> str:
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).first.inner_text()


def test_a_manager_moves_the_what_if_and_downloads_the_statement(demo_server, page, artifacts):
    sign_in(page, demo_server.url + "/compensation", MANAGER)
    page.get_by_role("heading", name="Compensation").wait_for()
    page.get_by_text("Why this projection").wait_for()   # the demo's period is open
    wait_idle(page)
    assert_no_exception(page)
    assert "Maya Thompson" in page.inner_text("body")
    screenshot(page, artifacts / "compensation.png")

    page.get_by_role("tab", name="What-if").click()
    before = _metric(page, "Projected commission")
    box = page.get_by_label("If I book another (USD)")
    box.fill("250000")
    box.press("Enter")
    wait_idle(page)
    assert_no_exception(page)
    after = _metric(page, "Projected commission")
    assert after != before and "more" in after
    screenshot(page, artifacts / "compensation-what-if.png")

    page.get_by_role("tab", name="Pay").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download statement (XLSX)").click()
    data = open(download.value.path(), "rb").read()
    assert download.value.suggested_filename.startswith("commission-statement-maya-thompson-")
    book = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="calamine", header=None)
    assert book["Summary"][0][0] == "Commission statement: Maya Thompson"
    assert "Bands" in book and "Credited revenue" in book
