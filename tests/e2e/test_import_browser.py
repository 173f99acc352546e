"""Uploading a spreadsheet in a real browser: the file goes through the uploader (with its XSRF
token), the preview shows what will change, and the import lands with its batch."""
import io

import duckdb
import pandas as pd

from tests.conftest import DIRECTOR
from tests.e2e.conftest import assert_no_exception, cut_short, grid_text, screenshot, sign_in, wait_idle

CSV = ("Customer,Month,Sales\n"
       "Brightwater Logistics Inc.,2027-01,\"12,500.00\"\n"
       "Brightwater Logistics Inc.,2027-02,\"$(1,200.00)\"\n"
       "Nobody At All plc,2027-01,800\n")


def test_a_csv_uploaded_in_the_browser_is_previewed_then_imported_without_the_bad_row(
        fresh_server, page, artifacts, tmp_path):
    sign_in(page, fresh_server.url + "/import", DIRECTOR)
    page.get_by_role("heading", name="Import").first.wait_for()
    upload = tmp_path / "revenue-jan.csv"
    upload.write_text(CSV)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    wait_idle(page)
    page.get_by_text("Import the good rows and skip the bad ones", exact=True).wait_for()
    assert_no_exception(page)
    for _ in range(50):  # the grids draw a moment after the run ends
        if "Nobody At All plc" in grid_text(page):
            break
        page.wait_for_timeout(200)
    assert "Nobody At All plc" in grid_text(page)  # the error row, listed with its reason
    metrics = [m.replace("\n\n", ": ") for m in page.locator('[data-testid="stMetric"]').all_inner_texts()]
    assert metrics == ["Rows to create: 2", "Rows to update: 0", "Rows unchanged: 0", "Rows with errors: 1"]
    page.get_by_text("Import the good rows and skip the bad ones", exact=True).click()
    wait_idle(page)
    screenshot(page, artifacts / "import-preview.png")
    page.get_by_role("button", name="Import 2 rows").click()
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_text("Imported").first.wait_for()
    fresh_server.stop()
    with duckdb.connect(str(fresh_server.db_path), read_only=True) as con:
        rows = con.execute("SELECT r.month::VARCHAR, r.amount::VARCHAR FROM revenue r "
                           "JOIN accounts a ON a.id = r.account_id WHERE r.month >= DATE '2027-01-01' "
                           "ORDER BY r.month").fetchall()
        batches = con.execute("SELECT file_name, rows_created, rows_rejected FROM import_batches").fetchall()
    assert rows == [("2027-01-01", "12500.00"), ("2027-02-01", "-1200.00")]
    assert batches == [("revenue-jan.csv", 2, 1)]


def test_a_large_files_rows_are_downloaded_whole_though_the_page_draws_the_first_ones(
        fresh_server, page, tmp_path):
    from lib.ui_import import SHOWN
    months = [f"{y}-{m:02d}" for y in range(2040, 2140) for m in range(1, 13)][:SHOWN + 50]
    upload = tmp_path / "big.csv"
    upload.write_text("Customer,Month,Sales\n"
                      + "".join(f"Brightwater Logistics Inc.,{m},100\n" for m in months))
    sign_in(page, fresh_server.url + "/import", DIRECTOR)
    page.get_by_role("heading", name="Import").first.wait_for()
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
    wait_idle(page)
    page.get_by_text("Every row and what happens to it").click()
    button = page.get_by_role("button", name=f"Download all {SHOWN + 50:,} rows (CSV)")
    with page.expect_download() as download:
        button.click()
    lines = download.value.path().read_text(encoding="utf-8").splitlines()
    assert_no_exception(page)
    assert lines[0] == "Row in file,Action,Record" and len(lines) == SHOWN + 51
    assert lines[-1].startswith(f"{SHOWN + 51},create,")


def test_a_template_button_downloads_the_whole_template_in_csv_and_in_excel(fresh_server, page):
    from lib import importing
    sign_in(page, fresh_server.url + "/import", DIRECTOR)
    page.get_by_role("heading", name="Templates").wait_for()
    page.locator(".st-key-import_template_interactions_xlsx button").wait_for()   # the last one
    buttons = '[class*="st-key-import_template_"] button'
    assert page.locator(buttons).count() == 18
    assert cut_short(page, buttons) == []      # every name shows whole
    for key, expected in (("import_template_revenue", importing.template("revenue")),
                          ("import_template_revenue_xlsx", importing.template_xlsx("revenue"))):
        with page.expect_download() as download:
            page.locator(f".st-key-{key} button").click()
        got = download.value.path().read_bytes()
        assert_no_exception(page)
        if key.endswith("_xlsx"):   # a workbook: the same sheets and cells (zip dates differ)
            sheets = pd.read_excel(io.BytesIO(got), sheet_name=None, engine="calamine")
            want = pd.read_excel(io.BytesIO(expected), sheet_name=None, engine="calamine")
            assert list(sheets) == list(want)
            for name in want:
                pd.testing.assert_frame_equal(sheets[name], want[name])
        else:
            assert got == expected
