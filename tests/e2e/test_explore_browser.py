"""Explore in a real browser: a shared link opens the same view, and its CSV downloads."""
import csv
import io

from tests.conftest import DIRECTOR
from tests.e2e.conftest import WHOLE, assert_no_exception, cut_short, screenshot, sign_in, wait_idle

LINK = "/explore?table=accounts&group=region&agg=count&chart=bar&f=%5B%22tier%22%2C%22in%22%2C%5B%22key%22%5D%5D"


def test_a_shared_explore_link_opens_the_same_view_and_downloads_it_as_csv(demo_server, page, artifacts):
    sign_in(page, demo_server.url + LINK, DIRECTOR)
    page.get_by_role("heading", name="Explore").wait_for()
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_text("Accounts where tier is Key").first.wait_for()
    assert "tier" in page.url and "region" in page.url
    assert cut_short(page, WHOLE) == []     # the filter's Remove and the sort order read whole
    screenshot(page, artifacts / "explore.png")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").first.click()
    assert download.value.suggested_filename.startswith("explore-accounts-")
    rows = list(csv.reader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows[0] == ["region", "rows"]
    assert len(rows) > 1 and all(int(r[1]) > 0 for r in rows[1:])
