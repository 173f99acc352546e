"""More dates as real exports write them, where the easy reading is the wrong one: a day without
its year taken for a month, a two-digit year written first (25/03/14), Czech dates with spaces
after the dots, quarters where a month belongs."""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from lib.importing import AmbiguousDate, detect_date_order, parse_date, parse_period
from tests.importing.pipeline_helpers import REVENUE, staged

INVOICES = ["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount"]
PAYMENTS = {"Invoice": "invoice_number", "Paid on": "paid_on", "Amount": "amount"}


def revenue(*months: str):
    return staged("revenue", REVENUE, [["Acme", m, "10"] for m in months])


def invoices(*issued: str, due: str = "", **options):
    return staged("invoices", INVOICES, [[f"I{i}", "Acme", d, due, "1"] for i, d in enumerate(issued)],
                  **options)


def reasons(s, field: str) -> dict[int, str]:
    errors = s.parse_errors[s.parse_errors["field"] == field]
    return dict(zip(errors["row"], errors["reason"]))


# ---- a month's name and a day: no year --------------------------------------------------------

def test_march_14_without_a_year_is_an_error_not_march_2014():
    s = revenue("March 14", "March 20", "March 2025")
    assert reasons(s, "month") == {
        2: "March 14 has no year: write the whole date (or, for a month, its year in four digits)",
        3: "March 20 has no year: write the whole date (or, for a month, its year in four digits)"}
    assert s.values["month"].isna().tolist() == [True, True, False]


def test_three_letters_and_two_digits_are_a_month_as_excels_mmm_yy_shows_one():
    assert [parse_period(t) for t in ("Mar 14", "Jan 24", "May 25")] == [
        date(2014, 3, 1), date(2024, 1, 1), date(2025, 5, 1)]


@pytest.mark.parametrize("text", ["March 14", "March 5", "Sept 30", "Mar. 14", "März 14",
                                  "14 March", "March 14th", "Monday, March 14"])
def test_a_day_named_with_its_month_but_no_year_is_neither_a_month_nor_a_date(text):
    assert parse_period(text) is None
    with pytest.raises(ValueError, match=f"^{text} has no year"):
        parse_date(text)


@pytest.mark.parametrize("text, month", [
    ("Mar-14", date(2014, 3, 1)), ("Mar 2014", date(2014, 3, 1)), ("March 2014", date(2014, 3, 1)),
    ("Jan, 2016", date(2016, 1, 1)), ("Mar '14", date(2014, 3, 1)), ("Apr-18", date(2018, 4, 1)),
    ("Jan-19", date(2019, 1, 1)), ("Jan 2024", date(2024, 1, 1)), ("Mär-25", date(2025, 3, 1))])
def test_months_written_with_a_dash_an_apostrophe_a_comma_or_four_digits_stay_months(text, month):
    assert parse_period(text) == month
    s = revenue(text)
    assert s.parse_errors.empty and s.values["month"].dt.date.tolist() == [month]


def test_a_payment_dated_march_14_is_an_error_saying_the_year_is_missing():
    s = staged("payments", list(PAYMENTS), [["INV-1", "March 14", "10"]], mapping=PAYMENTS)
    assert reasons(s, "paid_on")[2].startswith("March 14 has no year")


# ---- a two-digit year first: 25/03/14 ---------------------------------------------------------

@pytest.mark.parametrize("text", ["25/03/14", "25-03-14", "25.03.14"])
def test_a_two_digit_year_first_or_a_day_first_cannot_be_told_apart_alone(text):
    with pytest.raises(ValueError) as raised:
        parse_date(text)
    assert str(raised.value).startswith(f"{text} could be 25 March 2014 or 14 March 2025; ")


def test_dates_that_fit_day_first_and_year_first_are_asked_about_and_read_as_answered():
    s = invoices("25/03/14", "26/03/14", "27/03/14")
    assert s.values["issue_date"].isna().all()   # errors until someone says
    assert reasons(s, "issue_date")[2].startswith("25/03/14 could be 25 March 2014 or 14 March 2025")
    assert list(s.date_doubts) == ["issue_date"] and s.order_choices == ("dmy", "ymd")
    assert sum("fit both day/month/year and year/month/day" in n for n in s.notes) == 1
    assert invoices("25/03/14", "26/03/14", "27/03/14", date_order="ymd").values[
        "issue_date"].dt.date.tolist() == [date(2025, 3, 14), date(2026, 3, 14), date(2027, 3, 14)]
    assert invoices("25/03/14", "26/03/14", "27/03/14", date_order="dmy").values[
        "issue_date"].dt.date.tolist() == [date(2014, 3, 25), date(2014, 3, 26), date(2014, 3, 27)]


def test_a_first_part_above_31_makes_the_whole_column_year_first():
    s = invoices("25/03/14", "32/01/05", "24/12/31")
    assert s.parse_errors.empty
    assert s.values["issue_date"].dt.date.tolist() == [date(2025, 3, 14), date(2032, 1, 5),
                                                       date(2024, 12, 31)]
    assert ("Issue date ('Invoice Date'): Dates read as year/month/day: row 3 ('32/01/05') can "
            "only be read that way (32 cannot be a day or a month).") in s.notes


def test_years_few_one_way_and_spread_far_the_other_way_decide_year_first():
    # Day-first these would be 2002, 2014 and 2028; year-first they are all 2024 and 2025
    s = invoices("24/03/14", "25/11/02", "24/06/28", "24/06/28 09:15")
    assert s.parse_errors.empty
    assert s.values["issue_date"].dt.date.tolist() == [
        date(2024, 3, 14), date(2025, 11, 2), date(2024, 6, 28), date(2024, 6, 28)]


def test_a_day_month_year_file_with_days_above_and_below_12_stays_day_first():
    # German dd.mm.yy: year-first would put these in 2001, 2015 and 2028, all on the 24th
    s = invoices("01.03.24", "15.03.24", "28.03.24")
    assert s.parse_errors.empty
    assert s.values["issue_date"].dt.date.tolist() == [date(2024, 3, 1), date(2024, 3, 15),
                                                       date(2024, 3, 28)]


@pytest.mark.parametrize("issued, expected", [
    (["25/03/99", "04/05/99"], [date(1999, 3, 25), date(1999, 5, 4)]),      # 99 cannot be a day
    (["25/03/14", "03/04/2025"], [date(2014, 3, 25), date(2025, 4, 3)]),    # a year written last
    (["25/03/14", "5/3/14"], [date(2014, 3, 25), date(2014, 3, 5)]),        # 5 is not a year
])
def test_a_value_that_can_only_be_day_first_decides_the_column(issued, expected):
    s = invoices(*issued)
    assert s.parse_errors.empty and s.values["issue_date"].dt.date.tolist() == expected
    assert any("Dates read as day/month/year" in n for n in s.notes)


def test_first_of_month_dates_written_year_first_are_not_taken_for_days_of_2001():
    # All "2001" day-first, or the 1st of each month year-first: nothing says which
    s = invoices("25/03/01", "04/07/01", "12/09/01")
    assert s.values["issue_date"].isna().all()
    assert reasons(s, "issue_date")[2].startswith("25/03/01 could be 25 March 2001 or 1 March 2025")


def test_four_digit_years_first_keep_working():
    assert [parse_date(t) for t in ("2025/03/14", "2025-03-14", "2025.03.14")] == [date(2025, 3, 14)] * 3
    assert invoices("2025/03/14", "2025/12/01").values["issue_date"].dt.date.tolist() == [
        date(2025, 3, 14), date(2025, 12, 1)]


def test_an_order_given_by_a_person_is_followed_and_year_first_can_be_asked_for():
    assert parse_date("25/03/14", order="dmy") == date(2014, 3, 25)
    assert parse_date("25/03/14", order="ymd") == date(2025, 3, 14)
    assert parse_date("25/03/14 10:30", order="ymd") == datetime(2025, 3, 14, 10, 30)
    with pytest.raises(AmbiguousDate):    # year-first needs a two-digit year first
        parse_date("03/04/2025", order="ymd")


def test_a_year_first_column_is_no_evidence_for_another_columns_day_and_month():
    s = staged("invoices", INVOICES, [["I1", "Acme", "32/01/05", "03/04/2025", "1"],
                                      ["I2", "Acme", "25/03/14", "04/05/2025", "1"]])
    assert list(s.date_doubts) == ["due_date"]
    assert s.values["issue_date"].dt.date.tolist() == [date(2032, 1, 5), date(2025, 3, 14)]


def test_rows_that_are_year_first_and_day_first_contradict_each_other():
    order = detect_date_order(pd.Series(["32/01/05", "13/4/2025"], index=[2, 3]))
    assert order.contradicts and order.message == (
        "Contradictory dates: row 2 ('32/01/05') is year-first but row 3 ('13/4/2025') is "
        "day-first. Fix the file.")


# ---- 14. 3. 2025: Czech, Slovak and Polish dates ----------------------------------------------

@pytest.mark.parametrize("text, value", [
    ("14. 3. 2025", date(2025, 3, 14)), ("1. 12. 2024", date(2024, 12, 1)),
    ("14.3. 2025", date(2025, 3, 14)), ("14. 3. 2025 10:30", datetime(2025, 3, 14, 10, 30))])
def test_dates_with_spaces_after_the_dots_are_day_month_year(text, value):
    assert parse_date(text) == value


def test_a_czech_invoice_file_reads_its_dates_day_first_without_asking():
    s = invoices("14. 3. 2025", "1. 12. 2024", "3. 4. 2025")
    assert s.parse_errors.empty and not s.date_doubts
    assert s.values["issue_date"].dt.date.tolist() == [date(2025, 3, 14), date(2024, 12, 1),
                                                       date(2025, 4, 3)]


def test_dotted_dates_are_day_first_even_when_the_file_was_said_to_be_month_first():
    assert parse_date("15.01.2024", order="mdy") == date(2024, 1, 15)


# ---- quarters where a month belongs -----------------------------------------------------------

@pytest.mark.parametrize("text", ["Q1 2025", "2025-Q1", "FY25 Q1", "1Q25", "Q1'25", "Qtr 1 2025",
                                  "2025 Q4", "Q3"])
def test_a_quarter_in_a_month_column_is_an_error_saying_it_is_a_quarter(text):
    s = revenue(text)
    assert reasons(s, "month") == {2: f"{text} is a quarter; this column needs a month or a date"}
    assert s.values["month"].isna().all()


def test_a_quarter_for_a_payment_date_says_a_date_is_needed():
    s = staged("payments", list(PAYMENTS), [["INV-1", "Q1 2025", "10"]], mapping=PAYMENTS)
    assert reasons(s, "paid_on") == {2: "Q1 2025 is a quarter; this column needs a date"}


def test_a_quarter_column_left_unmapped_is_named_when_the_month_is_missing():
    s = staged("account_targets", ["Account", "Quarter", "Quota"],
               [["Acme", "Q1 2027", "360000"], ["Acme", "2027 Q2", "375000"]])
    missing = [n for n in s.notes if n.startswith("Month is required")]
    assert len(missing) == 1 and "The column 'Quarter' holds quarters (Q1 2027)" in missing[0]
    plain = staged("account_targets", ["Account", "Note", "Quota"], [["Acme", "Q1 2027 plan", "1"]])
    assert not any("holds quarters" in n for n in plain.notes)
