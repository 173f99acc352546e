"""Timestamps as real exports write them (12-hour clocks, database zones, weekdays), what a zone
does to a date, a month and a moment, and the note that says which date order was chosen."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from lib.importing import (detect_date_order, parse_date, preview_import, read_upload, stage,
                           suggest_mapping)
from tests.builders import make_account, make_manager
from tests.importing.pipeline_helpers import REVENUE, apply_file, staged, stored_revenue

UTC = timezone.utc
INVOICES = ["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount"]
INTERACTIONS = ["Account", "Manager", "Type", "Date"]


@pytest.mark.parametrize("text, value", [
    ("1/15/2024 3:45 PM", datetime(2024, 1, 15, 15, 45)),
    ("2/20/2024 12:30:00 PM", datetime(2024, 2, 20, 12, 30)),
    ("1/15/2024 3:45 pm", datetime(2024, 1, 15, 15, 45)),
    ("1/15/2024 3:45pm", datetime(2024, 1, 15, 15, 45)),
    ("1/15/2024 9:05 a.m.", datetime(2024, 1, 15, 9, 5)),
    ("1/15/2024, 3:45:00 PM", datetime(2024, 1, 15, 15, 45)),          # JavaScript's en-US
    ("2024-01-15 03:45 PM", datetime(2024, 1, 15, 15, 45)),
    ("2024-01-15 10:30:00 UTC", datetime(2024, 1, 15, 10, 30, tzinfo=UTC)),   # BigQuery
    ("2024-01-15 10:30:00 GMT", datetime(2024, 1, 15, 10, 30, tzinfo=UTC)),
    ("15-Jan-2024 10:30", datetime(2024, 1, 15, 10, 30)),
    ("15 January 2024 3:45 PM", datetime(2024, 1, 15, 15, 45)),
    ("Jan 15, 2024 3:45 PM", datetime(2024, 1, 15, 15, 45)),
    ("15th January 2024", date(2024, 1, 15)),
    ("Mon, 15 Jan 2024", date(2024, 1, 15)),
    ("Monday, January 15, 2024", date(2024, 1, 15)),                    # Excel's long date
    ("Mon, 15 Jan 2024 10:30:00 +0000", datetime(2024, 1, 15, 10, 30, tzinfo=UTC)),   # e-mail
    ("Mon Jan 15 2024 10:30:00 GMT+0100", datetime(2024, 1, 15, 10, 30,
                                                   tzinfo=timezone(timedelta(hours=1)))),
])
def test_timestamps_in_the_spellings_real_exports_use_are_read(text, value):
    assert parse_date(text) == value


def test_zone_offsets_of_hours_alone_or_with_minutes_all_give_the_same_moment():
    written = ["2024-01-15 16:00:00+0530", "2024-01-15 16:00:00+05:30", "2024-01-15 10:30:00+00",
               "2024-01-15 05:30:00-05", "2024-01-15 10:30:00.000000+00", "2024-01-15 05:30:00-05:00"]
    assert {parse_date(t).astimezone(UTC) for t in written} == {datetime(2024, 1, 15, 10, 30, tzinfo=UTC)}
    assert parse_date("2024-01-15 10:30:00-05").utcoffset() == timedelta(hours=-5)


@pytest.mark.parametrize("text, hour, minute", [
    ("3/13/2024 12:05 AM", 0, 5), ("3/13/2024 12:00:00 AM", 0, 0), ("3/13/2024 1:00 AM", 1, 0),
    ("3/13/2024 12:05 PM", 12, 5), ("3/13/2024 12:59:59 PM", 12, 59), ("3/13/2024 11:59 PM", 23, 59),
])
def test_twelve_am_is_midnight_and_twelve_pm_is_noon(text, hour, minute):
    moment = parse_date(text)
    assert (moment.date(), moment.hour, moment.minute) == (date(2024, 3, 13), hour, minute)


@pytest.mark.parametrize("text, reason", [
    ("1/15/2024 13:45 PM", "13 o'clock cannot be PM"),
    ("1/15/2024 0:30 AM", "0 o'clock cannot be AM"),
    ("Tue, 15 Jan 2024", "15 January 2024 is a Monday, not a Tuesday"),
    ("Friday, January 15, 2024 10:00", "15 January 2024 is a Monday, not a Friday"),
    ("12:05 AM", "a time of day without a date"),
    ("2024-01-15 10:30:00+25", r"\+25 is not a time zone offset"),
])
def test_a_timestamp_that_contradicts_itself_is_an_error_in_words(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(text)


# ---- what a zone does to each kind of field ----------------------------------------------------

def test_a_zoned_date_field_keeps_the_day_written_in_the_cell():
    s = staged("invoices", INVOICES, [
        ["INV-1", "Acme", "2024-03-01T00:00:00+01:00", "2024-03-31T00:00:00+02:00", "10"],
        ["INV-2", "Acme", "2024-04-30T20:00:00-05:00", "2024-05-30 20:00:00-05", "10"]])
    assert s.parse_errors.empty
    assert [d.date() for d in s.values["issue_date"]] == [date(2024, 3, 1), date(2024, 4, 30)]
    assert [d.date() for d in s.values["due_date"]] == [date(2024, 3, 31), date(2024, 5, 30)]
    assert not [n for n in s.notes if "UTC" in n]


def test_a_zoned_month_keeps_the_month_written_in_the_cell():
    s = staged("revenue", REVENUE, [["Acme", "2025-02-01T00:00:00+01:00", "5000"],
                                    ["Acme", "2025-03-01T00:30:00+01:00", "7000"],
                                    ["Acme", "2025-04-30T23:00:00-05:00", "900"]])
    assert s.parse_errors.empty
    assert [d.date() for d in s.values["month"]] == [date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)]


def test_a_zoned_datetime_is_converted_to_utc_and_the_preview_says_so():
    s = staged("interactions", INTERACTIONS, [
        ["Acme", "Maya", "call", "2024-02-20 12:30:00+01"],
        ["Acme", "Maya", "call", "2024-01-15 10:30:00 UTC"],
        ["Acme", "Maya", "call", "2024-04-30T20:00:00-05:00"]])
    assert s.parse_errors.empty
    assert list(s.values["occurred_at"]) == [datetime(2024, 2, 20, 11, 30), datetime(2024, 1, 15, 10, 30),
                                             datetime(2024, 5, 1, 1, 0)]
    assert "Date and time ('Date'): Times with a time zone were converted to UTC." in s.notes


# ---- the date order, and the row that decided it -----------------------------------------------

@pytest.mark.parametrize("entity, header, row, field", [
    ("revenue", REVENUE, lambda d: ["Acme", d, "1"], "Month"),
    ("invoices", INVOICES, lambda d: ["INV-" + d, "Acme", d, "", "1"], "Issue date"),
    ("interactions", INTERACTIONS, lambda d: ["Acme", "Maya", "call", d + " 9:00 AM"], "Date and time"),
])
def test_the_order_a_column_decided_for_itself_is_noted_with_the_row_that_decided(entity, header, row,
                                                                                  field):
    dates = ["04-01-25", "09-02-25", "02-03-25", "07-04-25", "25-12-25"]
    s = staged(entity, header, [row(d) for d in dates])
    mine = [n for n in s.notes if n.startswith(f"{field} (")]
    assert len(mine) == 1 and "read as day/month/year: row 6 ('25-12-25" in mine[0]
    assert "(25 cannot be a month)" in mine[0]
    assert not s.ambiguous_dates and s.parse_errors.empty


def test_a_month_first_column_names_its_deciding_row_and_an_undecided_one_is_noted_once():
    s = staged("revenue", REVENUE, [["Acme", "1/2/2026", "1"], ["Acme", "3/25/2026", "2"]], first=40)
    assert ("Month ('Month'): Dates read as month/day/year: row 41 ('3/25/2026') can only be read "
            "that way (25 cannot be a month).") in s.notes
    undecided = staged("revenue", REVENUE, [["Acme", "1/2/2026", "1"], ["Acme", "3/4/2026", "2"]])
    assert undecided.ambiguous_dates == ["month"]
    assert len([n for n in undecided.notes if "fit both" in n]) == 1


# ---- end to end: a file on disk, read, staged, previewed and applied ----------------------------

def _read(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    sheet = read_upload(path.read_bytes(), name).importable_sheets[0]
    return sheet, path.read_bytes()


def test_an_interactions_file_with_am_pm_and_database_zones_imports_its_moments_in_utc(db, tmp_path):
    make_account(db, name="Brightwater Logistics")
    make_manager(db, name="Maya Thompson")
    sheet, data = _read(tmp_path, "interactions_ampm_and_zones.csv", (
        "Account Name,Assigned To,Activity Type,Date\n"
        "Brightwater Logistics,Maya Thompson,Call,1/15/2024 3:45 PM\n"
        "Brightwater Logistics,Maya Thompson,Call,3/13/2024 12:05 AM\n"
        "Brightwater Logistics,Maya Thompson,Meeting,2/20/2024 12:30:00 PM\n"
        "Brightwater Logistics,Maya Thompson,Email,2024-02-21 12:30:00+01\n"
        "Brightwater Logistics,Maya Thompson,Email,2024-02-22 09:00:00 UTC\n"))
    headers = list(sheet.rows.columns)
    s = stage(sheet.rows, "interactions", suggest_mapping(headers, "interactions"))
    preview = preview_import(db, s)
    assert preview.ok and preview.counts["create"] == 5
    assert any("read as month/day/year: row 2 ('1/15/2024 3:45 PM')" in n for n in preview.notes)
    assert any("converted to UTC" in n for n in preview.notes)
    assert apply_file(db, s, data).created == 5
    assert [r[0] for r in db.rows("SELECT occurred_at FROM interactions ORDER BY occurred_at")] == [
        datetime(2024, 1, 15, 15, 45), datetime(2024, 2, 20, 12, 30), datetime(2024, 2, 21, 11, 30),
        datetime(2024, 2, 22, 9, 0), datetime(2024, 3, 13, 0, 5)]


def test_a_revenue_file_with_offsets_on_its_months_books_each_amount_in_the_month_written(db, tmp_path):
    acme = make_account(db, name="Lindqvist Retail", currency="EUR")
    sheet, data = _read(tmp_path, "revenue_iso_offset_month.csv", (
        "company,closedate,amount\n"
        "Lindqvist Retail,2025-02-01T00:00:00+01:00,5000\n"
        "Lindqvist Retail,2025-03-01T00:30:00+01:00,7000\n"))
    s = stage(sheet.rows, "revenue", suggest_mapping(list(sheet.rows.columns), "revenue"))
    assert preview_import(db, s).ok
    apply_file(db, s, data)
    assert [(r[0], r[1], int(r[2])) for r in stored_revenue(db)] == [(acme, date(2025, 2, 1), 5000),
                                                                   (acme, date(2025, 3, 1), 7000)]


def test_the_date_order_hint_is_given_only_for_first_of_month_dates():
    first_of_month = detect_date_order(pd.Series(["3/1/2025", "4/1/2025", "5/1/2025"]))
    assert "the second part is always 1, which suggests first-of-month dates written month/day" \
        in first_of_month.message
    # a US calendar: 3 March, 4 March, 11 March; "always 3" must not push day/month
    one_month = detect_date_order(pd.Series(["3/4/2025", "3/5/2025", "3/11/2025"]))
    assert one_month.order is None and "Hint" not in one_month.message
