"""Value parsers: numbers and money, dates and months, categories."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pandas as pd
import pytest

from tests.importing.pipeline_helpers import staged
from lib.importing import (AmbiguousDate, detect_date_order, detect_decimal_separator, is_null,
                           match_categories, normalize_category, parse_date, parse_date_series,
                           parse_number, parse_number_series, parse_period, suggest_category)


@pytest.mark.parametrize("text, value", [
    ("$32,370.00", 32370.0), (" $32,370.00 ", 32370.0), (" $(4,533.75)", -4533.75),
    ("$-", 0.0), (" $-   ", 0.0), ("7.4E8", 740_000_000.0), ("1.39E8", 139_000_000.0),
    ("12%", 0.12), ("£1,200.50", 1200.5), ("€ 99", 99.0), ("₹1,00,000", 100_000.0),
    ("USD 1,200", 1200.0), ("1,200 EUR", 1200.0), ("(12)", -12.0), ("1,234.50-", -1234.5),
    ("\u22125", -5.0), ("+3", 3.0), (".5", 0.5), ("1\u00a0234.5", 1234.5),
])
def test_money_and_numbers_parse_the_way_people_write_them(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "   ", "#N/A", "N/A", "NA", "-", "\u2013", "\u2014", "null", "None",
                                  "nan"])
def test_null_tokens_are_empty_not_errors(text):
    assert parse_number(text) is None and is_null(text)


@pytest.mark.parametrize("text, reason", [
    ("abc", "not a number"), ("1,2,3", "thousands separator"), ("#DIV/0!", "Excel error #DIV/0!"),
    ("inf", "not a number"), ("1,234.50 CR", "CR/DR mark"), ("12DR", "write the sign instead"),
])
def test_unreadable_numbers_say_why(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_number(text)


def test_percent_can_be_kept_as_points():
    assert parse_number("12%", percent="points") == 12.0


def test_european_numbers_parse_only_when_the_column_is_european():
    assert parse_number("1.234,50", decimal=",") == 1234.5
    column = pd.Series(["1.234,50", "99", "0,5"], index=[2, 3, 4])
    choice = detect_decimal_separator(column)
    assert (choice.separator, choice.certain, choice.deciding_row) == (",", True, 2)


def test_a_column_mixing_decimal_styles_is_reported_not_guessed():
    choice = detect_decimal_separator(pd.Series(["1.234,50", "1,234.50"], index=[2, 3]))
    assert not choice.certain and "row 2" in choice.message and "row 3" in choice.message


def test_three_digit_groups_alone_are_flagged_as_unsure():
    choice = detect_decimal_separator(pd.Series(["1.234", "12"], index=[5, 6]))
    assert not choice.certain and "'1.234' (row 5)" in choice.message


def test_a_number_column_returns_values_and_one_message_per_bad_row():
    column = pd.Series([" $1,000.00 ", "2.5", "", "oops", " $(1.00)"], index=[2, 3, 4, 5, 5])
    parsed = parse_number_series(column)
    assert parsed.values.tolist()[:2] == [1000.0, 2.5] and parsed.values.iloc[4] == -1.0
    assert pd.isna(parsed.values.iloc[2]) and pd.isna(parsed.values.iloc[3])
    assert parsed.errors.tolist() == [None, None, None, "'oops': not a number", None]
    assert parsed.error_rows == {5: "'oops': not a number"}
    assert "Currency marks seen: $ (2 rows)." in parsed.notes


@pytest.mark.parametrize("text, value", [
    ("2024-01-31", date(2024, 1, 31)), ("2024-01-31 10:00", datetime(2024, 1, 31, 10, 0)),
    ("2026-09-02T22:07:23.000Z", datetime(2026, 9, 2, 22, 7, 23, tzinfo=timezone.utc)),
    ("2024-01-31T10:00:00+02:00", datetime(2024, 1, 31, 10, tzinfo=timezone(timedelta(hours=2)))),
    ("16/6/2016", date(2016, 6, 16)), ("6/16/2016", date(2016, 6, 16)), ("31.01.2024", date(2024, 1, 31)),
    ("Apr-18", date(2018, 4, 1)), ("Jan, 2016", date(2016, 1, 1)), ("January 2024", date(2024, 1, 1)),
    ("Jan 2024", date(2024, 1, 1)), ("2024-01", date(2024, 1, 1)), ("15-Jan-2024", date(2024, 1, 15)),
    ("Jan 15, 2024", date(2024, 1, 15)), ("20240131", date(2024, 1, 31)), ("#N/A", None),
    ("2024.01.31", date(2024, 1, 31)),
])
def test_dates_parse_from_the_forms_spreadsheets_use(text, value):
    assert parse_date(text) == value


def test_a_slash_date_that_fits_both_orders_needs_the_order():
    with pytest.raises(AmbiguousDate):
        parse_date("3/4/2024")
    assert parse_date("3/4/2024", order="dmy") == date(2024, 4, 3)
    assert parse_date("3/4/2024", order="mdy") == date(2024, 3, 4)
    assert parse_date("05-03-24", order="dmy") == date(2024, 3, 5)


def test_excel_serials_parse_only_when_asked_for():
    with pytest.raises(ValueError, match="Excel serial"):
        parse_date("43831")
    assert parse_date("43831", serial=True) == date(2020, 1, 1)
    assert parse_date("43831.5", serial=True) == datetime(2020, 1, 1, 12, 0)


def test_impossible_dates_say_why():
    with pytest.raises(ValueError, match="no day 31 in month 2"):
        parse_date("31/02/2024")


@pytest.mark.parametrize("header, month", [
    ("Jan-19", date(2019, 1, 1)), ("Jan, 2016", date(2016, 1, 1)), ("Apr-18", date(2018, 4, 1)),
    ("2024-01", date(2024, 1, 1)), ("January 2024", date(2024, 1, 1)), ("Jan 2024", date(2024, 1, 1)),
    ("2016-03-01", date(2016, 3, 1)), ("Region", None), ("2016-03-15", None), ("Q1 2024", None),
])
def test_month_headers_are_recognised_as_periods(header, month):
    assert parse_period(header) == month


def test_the_date_order_detector_names_the_row_that_decided():
    day_first = detect_date_order(pd.Series(["11/11/2016", "16/6/2016"], index=[2, 3]))
    assert (day_first.order, day_first.certain, day_first.deciding_row) == ("dmy", True, 3)
    month_first = detect_date_order(pd.Series(["1/2/2020", "3/25/2020"], index=[7, 8]))
    assert (month_first.order, month_first.deciding_row, month_first.deciding_value) == ("mdy", 8, "3/25/2020")


def test_the_date_order_detector_says_ambiguous_when_every_part_is_twelve_or_less():
    ambiguous = detect_date_order(pd.Series(["1/2/2020", "12/11/2020", "5/5/2021"]))
    assert ambiguous.order is None and not ambiguous.certain
    assert "Say which order" in ambiguous.message


def test_a_column_with_both_orders_is_reported_as_contradictory():
    mixed = detect_date_order(pd.Series(["13/1/2020", "1/13/2020"], index=[2, 3]))
    assert mixed.order is None and "row 2" in mixed.message and "row 3" in mixed.message


def test_a_date_column_parses_once_the_order_is_decided_by_the_data():
    parsed = parse_date_series(pd.Series(["1/2/2020", "25/2/2020", ""], index=[2, 3, 4]))
    assert parsed.ok and [str(v.date()) for v in parsed.values[:2]] == ["2020-02-01", "2020-02-25"]
    assert "row 3" in parsed.notes[0]


def test_categories_normalise_and_suggest_the_closest_known_value():
    assert normalize_category("  Office\u00a0  SUPPLIES ") == "office supplies"
    known = ["Technology", "Furniture", "Office Supplies"]
    assert suggest_category("technolgy", known).value == "Technology"
    assert suggest_category("Tech", known).value is None
    table = match_categories(pd.Series(["technolgy", "  FURNITURE", "Furniture", ""]), known)
    assert table.set_index("text")["value"].to_dict() == {
        "technolgy": "Technology", "  FURNITURE": "Furniture", "Furniture": "Furniture"}


def test_na_in_a_text_field_is_a_value_not_an_empty_cell():
    s = staged("accounts", ["Name", "Region", "Country"], [["Acme", "NA", "NA"], ["Globex", "N/A", "-"]])
    assert s.values["region"].fillna("(none)").tolist() == ["NA", "(none)"]   # North America
    assert s.values["country"].fillna("(none)").tolist() == ["NA", "(none)"]  # Namibia
    assert s.parse_errors.empty


def test_a_typographic_apostrophe_groups_thousands_as_the_swiss_write_them():
    assert parse_number("2\u2019500.75") == 2500.75
