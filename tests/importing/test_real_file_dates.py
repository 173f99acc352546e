"""Dates as real exports write them, where the plausible reading is the wrong one: Excel's
other date system, months for days, day numbers that are not dates, an order only the rest of
the file gives, zones named by abbreviation, months in other languages."""
from __future__ import annotations

from datetime import date

import pytest

from lib.importing import stage, suggest_mapping
from tests.builders import make_account
from tests.importing.conftest import xlsx_from_rows
from tests.importing.pipeline_helpers import sheet_rows, staged, upload


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


def test_four_digit_ddmm_dates_are_errors_naming_day_and_month_not_dates_in_1904():
    # DATEV's Belegdatum: 1501 is 15 January of the booking year, which the file leaves out
    s = staged("invoices", ["Invoice", "Customer", "Belegdatum", "Due", "Amount"],
               [["R1", "Acme", "1501", "2025-02-14", "10"], ["R2", "Acme", "3101", "2025-02-28", "20"]])
    errors = s.parse_errors[s.parse_errors["field"] == "issue_date"].set_index("row")
    assert errors.loc[2, "reason"] == ("a number, not a date: perhaps day 15 of month 1 written "
                                       "DDMM without its year; write the whole date")
    assert s.values["issue_date"].isna().all()


def test_year_and_month_written_as_six_digits_are_months():
    s = staged("revenue", ["Account", "Period", "Revenue"],
               [["Acme", "202501", "10"], ["Acme", "202412", "20"]])
    assert s.parse_errors.empty
    assert s.values["month"].dt.strftime("%Y-%m").tolist() == ["2025-01", "2024-12"]


def test_excel_day_numbers_far_from_now_are_errors_while_the_rest_of_the_column_reads():
    s = staged("payments", ["Invoice", "Paid on", "Amount"],
               [["R1", "45678", "10"], ["R2", "45700", "20"], ["R3", "150", "30"]])
    assert s.values["paid_on"].dt.date.tolist()[:2] == [date(2025, 1, 21), date(2025, 2, 12)]
    reason = s.parse_errors.set_index("row").loc[4, "reason"]
    assert reason == "a number, not a date (as an Excel serial day number it would be 29 May 1900)"


def test_a_calendar_export_with_start_date_and_start_time_columns_records_each_moment(db):
    from datetime import datetime

    from tests.builders import make_manager
    from tests.importing.pipeline_helpers import apply_file
    make_account(db, name="Acme")
    make_manager(db, name="Maya Thompson")
    header = ["Subject", "Start Date", "Start Time", "Account", "Type", "Organizer"]
    s = staged("interactions", header, [
        ["QBR", "2025-03-14", "10:30", "Acme", "meeting", "Maya Thompson"],
        ["Check-in", "2025-03-17", "2:15 PM", "Acme", "call", "Maya Thompson"],
        ["All day", "2025-03-18", "", "Acme", "visit", "Maya Thompson"]],
        mapping={"Subject": "subject", "Start Date": "occurred_at", "Start Time": "occurred_time",
                 "Account": "account", "Type": "type", "Organizer": "manager"})
    assert suggest_mapping(header, "interactions")["Start Time"] == "occurred_time"
    assert apply_file(db, s).created == 3
    assert [r[0] for r in db.rows("SELECT occurred_at FROM interactions ORDER BY 1")] == [
        datetime(2025, 3, 14, 10, 30), datetime(2025, 3, 17, 14, 15), datetime(2025, 3, 18)]


def test_a_date_column_that_fits_both_orders_follows_the_order_another_date_column_decided():
    s = staged("invoices", ["Invoice", "Customer", "Date", "Due", "Amount"],
               [["I1", "Acme", "03/04/2025", "15/05/2025", "1"],
                ["I2", "Acme", "04/05/2025", "03/06/2025", "1"]])
    assert not s.date_doubts
    assert s.values["issue_date"].dt.date.tolist() == [date(2025, 4, 3), date(2025, 5, 4)]
    assert any(n.startswith("Issue date ('Date'): every date fits both day/month and month/day; "
                            "read as day/month/year like 'Due', whose row 2 ('15/05/2025')")
               for n in s.notes)


def test_a_date_column_whose_rows_contradict_each_other_is_asked_whatever_the_other_column_says():
    s = staged("invoices", ["Invoice", "Customer", "Date", "Due", "Amount"],
               [["I1", "Acme", "13/04/2025", "15/05/2025", "1"],
                ["I2", "Acme", "04/25/2025", "03/06/2025", "1"]])
    assert list(s.date_doubts) == ["issue_date"]
    assert "Contradictory dates: row 2 ('13/04/2025') is day-first" in s.date_doubts["issue_date"]


@pytest.mark.parametrize("text, utc", [
    ("2024-01-15 10:30 PST", (18, 30)), ("1/15/2024 3:45 PM EST", (20, 45)),
    ("15.01.2024 10:00 CET", (9, 0)), ("2024-07-15 10:00 CEST", (8, 0))])
def test_times_with_a_zone_abbreviation_are_moments_in_that_zone(text, utc):
    from datetime import timezone

    from lib.importing import parse_date
    moment = parse_date(text, order="mdy" if "/" in text else None).astimezone(timezone.utc)
    assert (moment.hour, moment.minute) == utc


@pytest.mark.parametrize("text, month", [
    ("März 2025", date(2025, 3, 1)), ("Mär-25", date(2025, 3, 1)), ("janv. 2025", date(2025, 1, 1)),
    ("mrt-25", date(2025, 3, 1)), ("ene-25", date(2025, 1, 1)), ("Okt 2024", date(2024, 10, 1)),
    ("déc-24", date(2024, 12, 1))])
def test_months_named_in_german_french_dutch_or_spanish_are_read(text, month):
    from lib.importing import parse_period
    assert parse_period(text) == month


def test_a_german_day_with_its_month_named_is_read_and_english_names_stay_english():
    from lib.importing import parse_date
    from lib.importing.dates import MONTH_NAMES
    assert parse_date("15. März 2025") == date(2025, 3, 15)
    assert MONTH_NAMES[3] == "March" and MONTH_NAMES[9] == "September"
