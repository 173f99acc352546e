"""Traps real exports set that read as a plausible wrong value unless the importer looks closer."""
from __future__ import annotations

from datetime import date

from lib.importing import stage
from tests.importing.conftest import xlsx_from_rows
from tests.importing.pipeline_helpers import sheet_rows, upload


def test_day_numbers_in_a_1904_workbook_are_counted_from_1904(tmp_path):
    # Old Mac Excel counts from 1 Jan 1904: the same number is a date four years and a day later
    book = xlsx_from_rows({"Payments": [["Invoice", "Paid on", "Amount"],
                                        ["INV-1", date(2025, 3, 14), 10]]},
                          date_format=None, date1904=True)
    sheet = upload(tmp_path, "mac_payments.xlsx", book).sheets[0]
    assert sheet.date1904
    staged = stage(sheet.rows, "payments", {"Invoice": "invoice_number", "Paid on": "paid_on",
                                            "Amount": "amount"}, date1904=sheet.date1904)
    assert staged.values["paid_on"].dt.date.tolist() == [date(2025, 3, 14)]
    assert any("counted from 1 January 1904" in n for n in staged.notes)


def test_day_numbers_in_an_ordinary_workbook_are_counted_from_1900(tmp_path):
    book = xlsx_from_rows({"Payments": [["Invoice", "Paid on", "Amount"],
                                        ["INV-1", date(2025, 3, 14), 10]]}, date_format=None)
    sheet = upload(tmp_path, "payments.xlsx", book).sheets[0]
    assert not sheet.date1904
    staged = stage(sheet.rows, "payments", {"Invoice": "invoice_number", "Paid on": "paid_on",
                                            "Amount": "amount"}, date1904=sheet.date1904)
    assert staged.values["paid_on"].dt.date.tolist() == [date(2025, 3, 14)]


def test_a_payment_dated_by_its_month_alone_is_an_error_not_the_first_of_the_month():
    # Google Sheets shows dates as "Mar-25" when the column is formatted mmm-yy
    staged = stage(sheet_rows(["Invoice", "Paid on", "Amount"],
                              [["INV-1", "Mar-25", "10"], ["INV-2", "2025-03", "20"],
                               ["INV-3", "2025-03-01", "30"]]),
                   "payments", {"Invoice": "invoice_number", "Paid on": "paid_on", "Amount": "amount"})
    errors = staged.parse_errors.set_index("row")
    assert errors.loc[2, "reason"] == "names a month (March 2025), not a day; give the day itself"
    assert errors.loc[3, "value"] == "2025-03"
    assert 4 not in errors.index
    assert staged.values["paid_on"].dt.date.tolist()[2] == date(2025, 3, 1)


def test_a_revenue_month_may_still_be_written_as_the_month_alone():
    staged = stage(sheet_rows(["Account", "Month", "Revenue"], [["Acme", "Mar-25", "10"]]),
                   "revenue", {"Account": "account", "Month": "month", "Revenue": "amount"})
    assert staged.parse_errors.empty
    assert staged.values["month"].dt.date.tolist() == [date(2025, 3, 1)]
