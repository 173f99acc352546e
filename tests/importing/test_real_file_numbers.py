"""Numbers real exports write in ways that read as a plausible wrong value: a dash for no cents
taken for a minus, a workbook's own numbers taken for how its typed text writes decimals, and
'12.500' read one way in a column whose values disagree on the decimal sign."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from lib.importing import (detect_decimal_separator, parse_number, parse_number_series,
                           preview_import, stage, suggest_mapping)
from lib.importing.decimals import settle
from lib.importing.values import clean_text
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, staged, stored_revenue, upload


# ---------------------------------------------------------------- a dash for no cents

@pytest.mark.parametrize("text, decimal, value", [
    ("2'500.-", ".", 2500.0), ("1'250.--", ".", 1250.0), ("CHF 2'500.\u2013", ".", 2500.0),
    ("2.500,-", ",", 2500.0), ("3.000,- €", ",", 3000.0), ("12,-", ",", 12.0),
    ("2.500,--", ",", 2500.0), ("-2.500,-", ",", -2500.0), ("(2.500,-)", ",", -2500.0)])
def test_a_swiss_or_german_amount_with_a_dash_for_cents_is_positive(text, decimal, value):
    assert parse_number(text, decimal) == value


@pytest.mark.parametrize("text, decimal, value", [
    ("1.234,50-", ",", -1234.5), ("1234.50-", ".", -1234.5), ("500-", ".", -500.0),
    ("500-", ",", -500.0), ("1,234.50-", ".", -1234.5)])
def test_a_minus_after_the_digits_is_still_saps_minus(text, decimal, value):
    assert parse_number(text, decimal) == value


def test_a_dash_for_cents_after_the_other_separator_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="',-' for no cents says the file writes a decimal comma"):
        parse_number("2.500,-", ".")
    with pytest.raises(ValueError, match="not a number"):
        parse_number("2,500,-", ",")


def test_a_dash_for_cents_says_which_sign_is_the_decimal_sign():
    german = pd.Series(["12.500", "3.000,- €", "800"], index=[2, 3, 4])
    choice = detect_decimal_separator(german)
    assert (choice.separator, choice.certain, choice.deciding_row) == (",", True, 3)
    assert parse_number_series(german).values.tolist() == [12500.0, 3000.0, 800.0]
    swiss = pd.Series(["12.500", "1'250.--"], index=[2, 3])
    choice = detect_decimal_separator(swiss)
    assert (choice.separator, choice.certain, choice.deciding_row) == (".", True, 3)
    assert parse_number_series(swiss).values.tolist() == [12.5, 1250.0]


def test_a_csv_of_amounts_written_with_a_dash_for_cents_imports_them_positive(db, tmp_path):
    make_account(db, name="Acme", currency="EUR")
    sheet = upload(tmp_path, "preise.csv", 'Kunde,Monat,Umsatz\nAcme,2025-01,"2.500,-"\n'
                   'Acme,2025-02,"3.000,- €"\nAcme,2025-03,"12,-"\n'.encode()).sheets[0]
    mapping = suggest_mapping(list(sheet.rows.columns), "revenue", sheet.rows)
    s = stage(sheet.rows, "revenue", mapping, delimiter=sheet.delimiter)
    assert s.values["amount"].tolist() == [2500.0, 3000.0, 12.0] and not s.decimal_doubts
    preview = preview_import(db, s)
    assert preview.counts["error"] == 0
    apply_file(db, s)
    assert [row[2] for row in stored_revenue(db)] == [Decimal("2500.00"), Decimal("3000.00"),
                                                      Decimal("12.00")]


# ---------------------------------------------------------------- a workbook's own numbers

def test_a_workbooks_real_numbers_say_nothing_of_how_its_text_numbers_write_decimals():
    # A real number cell 1500.25 (xlsxread writes it with a point) above text typed in Germany
    column = pd.Series(["1500.25", "12.500", "3.000"], index=[2, 3, 4])
    numbers = np.array([True, False, False])
    assert detect_decimal_separator(column).certain      # as text alone, 1500.25 decides
    parsed = parse_number_series(column, excel_numbers=numbers)
    assert not parsed.decimal.certain and parsed.decimal.undecided
    assert "Values like '12.500' (row 3)" in parsed.decimal.doubt
    asked, doubt = settle(column, clean_text(column), parsed, (None, ""))
    assert doubt and asked.values.tolist()[0] == 1500.25
    assert asked.values.isna().tolist() == asked.errors.notna().tolist() == [False, True, True]
    told, _ = settle(column, clean_text(column), parsed, (",", "the file says so"))
    assert told.values.tolist() == [1500.25, 12500.0, 3000.0] and told.ok


def test_a_workbooks_real_numbers_read_with_the_point_beside_text_with_a_decimal_comma():
    column = pd.Series(["1.234,50", "1500.25", "7.5E-05", "2,5"], index=[2, 3, 4, 5])
    numbers = np.array([False, True, True, False])
    parsed = parse_number_series(column, excel_numbers=numbers)
    assert (parsed.decimal.separator, parsed.decimal.certain) == (",", True)
    assert parsed.values.tolist() == [1234.5, 1500.25, 7.5e-05, 2.5] and parsed.ok
    given = parse_number_series(column, decimal=",", excel_numbers=numbers)
    assert given.values.tolist() == [1234.5, 1500.25, 7.5e-05, 2.5] and given.ok


def test_a_workbooks_real_number_like_12_125_is_no_doubt():
    column = pd.Series(["12.125", "800"], index=[2, 3])
    parsed = parse_number_series(column, excel_numbers=np.array([True, False]))
    assert not parsed.decimal.doubt and parsed.values.tolist() == [12.125, 800.0]


# ---------------------------------------------------------------- a column of both styles

_MIXED = "Customer{0}Month{0}Sales\nAcme{0}2025-01{0}\"1.234,50\"\nBeta{0}2025-01{0}99.95\n" \
         "Gamma{0}2025-01{0}12.500\n"


def _staged_upload(tmp_path, name: str, content: str, **options):
    sheet = upload(tmp_path, name, content.encode()).sheets[0]
    mapping = {"Customer": "account", "Month": "month", "Sales": "amount"}
    return stage(sheet.rows, "revenue", mapping, delimiter=sheet.delimiter, **options)


def test_12_500_in_a_column_of_both_decimal_styles_is_asked_about_not_read_as_12_5(tmp_path):
    s = _staged_upload(tmp_path, "mixed.csv", _MIXED.format(","))
    assert list(s.decimal_doubts) == ["amount"] and s.questions
    assert ("Values like '12.500' (row 4) could have a decimal point (12.5)"
            in s.decimal_doubts["amount"])
    assert s.values["amount"].isna().tolist() == [True, False, True]
    reasons = s.parse_errors.set_index("row")["reason"]
    assert reasons[4].startswith("could have a decimal point or a thousands separator")
    note = next(n for n in s.notes if "Mixed decimal styles" in n)
    assert note.endswith("They are errors until someone says how the file writes decimals.")
    answered = _staged_upload(tmp_path, "mixed.csv", _MIXED.format(","), decimal=",")
    assert answered.values["amount"].tolist()[::2] == [1234.5, 12500.0]
    assert not answered.decimal_doubts


def test_12_500_in_a_column_of_both_styles_follows_the_file_when_the_file_says(tmp_path):
    s = _staged_upload(tmp_path, "mixed.csv", _MIXED.format(";"))
    assert not s.decimal_doubts
    values = s.values["amount"].tolist()
    assert values[0] == 1234.5 and np.isnan(values[1]) and values[2] == 12500.0
    note = next(n for n in s.notes if "Values like '12.500' (row 4)" in n)
    assert "The column was read with a decimal comma (1.234,50), as the file separates its " \
           "cells with semicolons" in note
    assert note.endswith("; its values written the other way are errors.")


def test_1_500_in_a_column_of_both_styles_is_asked_about_too():
    s = staged("revenue", ["Customer", "Month", "Sales"],
               [["Acme", "2025-01", "1.234,50"], ["Beta", "2025-01", "99.95"],
                ["Gamma", "2025-01", "1,500"]])
    assert "Values like '1,500' (row 4) could have a decimal comma (1.5) or a thousands " \
           "separator (1500)" in s.decimal_doubts["amount"]
    reasons = s.parse_errors.set_index("row")["reason"]
    assert reasons[4].startswith("could have a decimal comma or a thousands separator")


def test_a_column_of_both_styles_without_values_that_fit_both_asks_nothing():
    s = staged("revenue", ["Customer", "Month", "Sales"],
               [["Acme", "2025-01", "1.234,50"], ["Beta", "2025-01", "99.95"],
                ["Gamma", "2025-01", "800"]])
    assert not s.decimal_doubts and s.values["amount"].tolist()[1:] == [99.95, 800.0]
