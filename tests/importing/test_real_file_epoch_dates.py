"""Dates as CRM and billing exports write them: Unix timestamps, in milliseconds (HubSpot,
13 digits) or seconds (Stripe, 10 digits). A column of one unit reads as UTC days and months;
a column mixing the units, or leaving the plausible years, stays errors that say what each
number would be; Excel day numbers and yyyymmdd dates read as before."""
from __future__ import annotations

from datetime import date, datetime

from lib.importing import stage, suggest_mapping
from tests.builders import make_account, make_manager
from tests.importing.pipeline_helpers import apply_file, upload

MS_NOTE = "The column holds Unix timestamps in milliseconds; they were read as UTC dates."
SECONDS_NOTE = "The column holds Unix timestamps in seconds; they were read as UTC dates."


def staged_csv(tmp_path, name: str, entity: str, text: str, mapping=None):
    """A CSV file as the export writes it, read and staged as the Import page does."""
    sheet = upload(tmp_path, name, text.encode()).sheets[0]
    return stage(sheet.rows, entity, mapping or suggest_mapping(list(sheet.rows.columns), entity))


def hubspot_invoices(tmp_path, *issued: str, due: str = "1709337600000"):
    rows = "".join(f'"{i}","INV-{i}","Acme","{d}","{due}","100.00","USD"\n'
                   for i, d in enumerate(issued, start=1))
    return staged_csv(tmp_path, "hubspot-invoices.csv", "invoices",
                      '"Record ID","Invoice number","Company name","Invoice date","Due date",'
                      '"Amount","Currency"\n' + rows,
                      {"Invoice number": "invoice_number", "Company name": "account",
                       "Invoice date": "issue_date", "Due date": "due_date", "Amount": "amount",
                       "Currency": "currency"})


def reasons(s, field: str) -> dict[int, str]:
    errors = s.parse_errors[s.parse_errors["field"] == field]
    return dict(zip(errors["row"], errors["reason"]))


def days(s, field: str) -> list:
    return [None if d != d else d for d in s.values[field].dt.date]


# ---- one unit for the whole column: read as UTC days ---------------------------------------------

def test_a_hubspot_invoice_date_in_epoch_milliseconds_reads_as_its_utc_day(tmp_path):
    # 1706830200000 is 2024-02-01T23:30:00Z: still 1 February, though 2 February east of UTC
    s = hubspot_invoices(tmp_path, "1706745600000", "1706830200000", "1709251200000")
    assert s.parse_errors.empty
    assert days(s, "issue_date") == [date(2024, 2, 1), date(2024, 2, 1), date(2024, 3, 1)]
    assert days(s, "due_date") == [date(2024, 3, 2)] * 3


def test_the_notes_say_the_column_held_timestamps_in_milliseconds_read_as_utc_dates(tmp_path):
    s = hubspot_invoices(tmp_path, "1706745600000", "1706830200000")
    assert f"Issue date ('Invoice date'): {MS_NOTE}" in s.notes
    assert f"Due date ('Due date'): {MS_NOTE}" in s.notes


def test_a_stripe_payment_created_in_epoch_seconds_reads_as_its_utc_day(tmp_path):
    s = staged_csv(tmp_path, "stripe-payments.csv", "payments",
                   "id,Customer Email,Invoice ID,Created,Amount,Currency\n"
                   "ch_1,ap@acme.example,in_1,1706745600,10.00,usd\n"
                   "ch_2,ap@acme.example,in_2,1707436800,20.00,usd\n"
                   "ch_3,ap@acme.example,in_3,1708041599,30.00,usd\n")
    assert s.columns["paid_on"] == "Created"
    assert s.parse_errors.empty
    assert days(s, "paid_on") == [date(2024, 2, 1), date(2024, 2, 9), date(2024, 2, 15)]
    assert f"Paid on ('Created'): {SECONDS_NOTE}" in s.notes


def test_empty_cells_in_a_column_of_timestamps_stay_empty_and_the_rest_still_read(tmp_path):
    s = hubspot_invoices(tmp_path, "1706745600000", "", "1706830200000")
    assert s.parse_errors.empty
    assert days(s, "issue_date") == [date(2024, 2, 1), None, date(2024, 2, 1)]


def test_a_hubspot_close_date_in_epoch_milliseconds_gives_the_month_of_its_utc_day(tmp_path):
    # 31 Jan 23:30 UTC is already February in Berlin; the month is UTC's, as the number says
    s = staged_csv(tmp_path, "hubspot-deals.csv", "revenue",
                   '"Record ID","Deal Name","Associated Company","Close Date","Amount"\n'
                   '"11","Renewal","Acme","1706743800000","100"\n'
                   '"12","Upsell","Acme","1709249400000","200"\n'
                   '"13","Services","Acme","1709251200000","300"\n')
    assert s.columns["month"] == "Close Date"
    assert s.parse_errors.empty
    assert days(s, "month") == [date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)]
    assert f"Month ('Close Date'): {MS_NOTE}" in s.notes


def test_a_hubspot_activity_created_late_in_the_utc_day_is_stored_at_that_utc_time(tmp_path, db):
    make_account(db, name="Acme")
    make_manager(db, name="Maya Thompson")
    s = staged_csv(tmp_path, "hubspot-activities.csv", "interactions",
                   '"Activity ID","Company Name","Activity Type","Create Date","Subject",'
                   '"Activity assigned to"\n'
                   '"1","Acme","CALL","1706830200000","Renewal call","Maya Thompson"\n'
                   '"2","Acme","MEETING","1705309500000","QBR","Maya Thompson"\n',
                   {"Company Name": "account", "Activity Type": "type",
                    "Create Date": "occurred_at", "Subject": "subject",
                    "Activity assigned to": "manager"})
    assert s.parse_errors.empty
    assert apply_file(db, s).created == 2
    assert [r[0] for r in db.rows("SELECT occurred_at FROM interactions ORDER BY 1")] == [
        datetime(2024, 1, 15, 9, 5), datetime(2024, 2, 1, 23, 30)]


# ---- not one unit, or not plausible: errors, never a silent guess --------------------------------

def test_a_column_mixing_seconds_and_milliseconds_is_errors_saying_what_each_would_be(tmp_path):
    s = hubspot_invoices(tmp_path, "1706745600000", "1706830200")
    assert reasons(s, "issue_date") == {
        2: "a number, not a date (as a Unix timestamp in milliseconds it would be 01 Feb 2024)",
        3: "a number, not a date (as a Unix timestamp in seconds it would be 01 Feb 2024)"}
    assert s.values["issue_date"].isna().all()
    assert any(n.startswith("Issue date ('Invoice date'): Its numbers look like Unix timestamps, "
                            "but some are in seconds (10 digits) and some in milliseconds")
               for n in s.notes)
    assert f"Issue date ('Invoice date'): {MS_NOTE}" not in s.notes


def test_timestamps_past_the_plausible_years_are_errors_not_dates(tmp_path):
    # 4102444800000 is 1 January 2100: a placeholder, not an invoice date
    s = hubspot_invoices(tmp_path, "1706745600000", "4102444800000")
    assert reasons(s, "issue_date")[3] == (
        "a number, not a date (as a Unix timestamp in milliseconds it would be 01 Jan 2100)")
    assert s.values["issue_date"].isna().all()
    assert any("Unix timestamps in milliseconds, but some fall outside 1930 to 2099" in n
               for n in s.notes)


def test_a_lone_timestamp_among_written_dates_is_an_error_naming_the_day_it_would_be(tmp_path):
    s = hubspot_invoices(tmp_path, "2024-02-01", "1706830200000")
    assert days(s, "issue_date")[0] == date(2024, 2, 1)
    assert reasons(s, "issue_date") == {
        3: "a number, not a date (as a Unix timestamp in milliseconds it would be 01 Feb 2024)"}


# ---- other numbers read as before --------------------------------------------------------------

def test_excel_day_numbers_still_read_as_excel_serials(tmp_path):
    s = hubspot_invoices(tmp_path, "45323", "45324", due="45350")
    assert s.parse_errors.empty
    assert days(s, "issue_date") == [date(2024, 2, 1), date(2024, 2, 2)]
    assert any("Excel serial day numbers" in n for n in s.notes)
    assert not any("Unix" in n for n in s.notes)


def test_eight_digit_yyyymmdd_dates_still_read_as_days(tmp_path):
    s = hubspot_invoices(tmp_path, "20240201", "20240229", due="20240302")
    assert s.parse_errors.empty
    assert days(s, "issue_date") == [date(2024, 2, 1), date(2024, 2, 29)]
    assert not any("Unix" in n for n in s.notes)
