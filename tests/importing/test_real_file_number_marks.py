"""Numbers whose marks change what they are: a percentage where an amount of money belongs, and
scientific notation, whose digits alone are another number and which is how Excel shows a long
number it has rounded to 6 significant digits."""
from __future__ import annotations

import math

import pytest

from lib.importing import parse_number, preview_import
from tests.builders import make_account
from tests.importing.pipeline_helpers import REVENUE, staged

NOT_MONEY = "is a percentage, not an amount of money: write the amount itself"


def _errors(s) -> list[list]:
    return s.parse_errors[["row", "field", "value", "reason"]].values.tolist()


# ---------------------------------------------------------------- a percentage is not money

def test_a_percentage_in_a_revenue_amount_is_a_row_error_not_a_fraction_stored():
    s = staged("revenue", REVENUE, [["Acme", "2026-06", "12%"], ["Beta", "2026-06", "1,000.00"]])
    assert math.isnan(s.values["amount"][0]) and s.values["amount"][1] == 1000.0
    assert _errors(s) == [[2, "amount", "12%", NOT_MONEY]]


@pytest.mark.parametrize("entity, header, field, text", [
    ("invoices", "Amount", "amount", "12.5%"), ("payments", "Amount paid", "amount", "50 %"),
    ("account_targets", "Target", "amount", "15%"), ("budgets", "Budget", "budget", "-3%"),
    ("budgets", "Spend", "spend", "(4%)"), ("managers", "Salary", "base_salary", "3,5%")])
def test_a_percentage_in_any_money_column_is_a_row_error(entity, header, field, text):
    s = staged(entity, [header], [["100"], [text]], mapping={header: field})
    assert s.values[field][0] == 100.0 and math.isnan(s.values[field][1])
    assert _errors(s) == [[3, field, text, NOT_MONEY]]


def test_a_percentage_stays_an_error_when_the_file_says_how_the_column_writes_decimals():
    # '12.500' fits both decimal signs; the file's semicolons say the comma is the decimal sign
    s = staged("revenue", REVENUE, [["Acme", "2026-06", "12.500"], ["Beta", "2026-06", "12%"]],
               delimiter=";")
    assert s.values["amount"][0] == 12500.0 and math.isnan(s.values["amount"][1])
    assert _errors(s) == [[3, "amount", "12%", NOT_MONEY]]


def test_a_percentage_is_refused_even_when_written_with_the_other_decimal_sign():
    with pytest.raises(ValueError, match="^is a percentage, not an amount of money"):
        parse_number("12,5%", ".", percent="money")
    assert parse_number("12,5%", ",") == 0.125     # where a share is meant, still a fraction


def test_the_preview_names_the_row_column_value_and_why_a_percentage_is_refused(db):
    make_account(db, name="Chester Freight Ltd", currency="GBP")
    s = staged("invoices", ["Invoice Number", "Customer", "Invoice Date", "Due Date", "Amount"],
               [["PCT-1", "Chester Freight Ltd", "2026-11-01", "2026-12-01", "12.5%"],
                ["PCT-2", "Chester Freight Ltd", "2026-11-01", "2026-12-01", "100"]])
    preview = preview_import(db, s)
    assert preview.errors.to_dict(orient="records") == [
        {"row": 2, "column": "Amount", "value": "12.5%", "reason": NOT_MONEY}]
    assert preview.counts["error"] == 1 and preview.counts["create"] == 1


# ---------------------------------------------------------------- scientific notation's digits

_BOTH_STYLES = [["Harbourside", "2026-09", "GBP 1,200.00"], ["Lindqvist", "2026-09", "1 200,50 €"],
                ["Pinecrest", "2026-09", "1.2E+04"], ["Lynwood", "2026-09", "$ 2,000"]]


def test_scientific_notation_in_a_column_of_both_decimal_styles_is_read_not_asked_about():
    s = staged("revenue", REVENUE, _BOTH_STYLES)
    assert s.values["amount"][2] == 12000.0
    assert 4 not in s.parse_errors["row"].tolist()
    doubt = s.decimal_doubts["amount"]
    assert "Values like '2,000' (row 5) could have a decimal comma (2)" in doubt
    assert "1.204" not in " ".join(s.notes)


def test_a_column_whose_only_value_like_1_204_is_scientific_notation_asks_nothing():
    s = staged("revenue", REVENUE, [["Acme", "2026-09", "1.2E+04"], ["Beta", "2026-09", "800"],
                                    ["Gamma", "2026-09", "1.5E-01"]])
    assert s.values["amount"].tolist() == [12000.0, 800.0, 0.15]
    assert not s.decimal_doubts and s.parse_errors.empty and s.notes == []


def test_scientific_notation_with_a_decimal_comma_says_the_column_writes_a_decimal_comma():
    s = staged("revenue", REVENUE, [["Acme", "2026-09", "1,2E+04"], ["Beta", "2026-09", "2,5E+03"],
                                    ["Gamma", "2026-09", "800"]])
    assert s.values["amount"].tolist() == [12000.0, 2500.0, 800.0] and s.parse_errors.empty
    assert s.notes == ["Amount ('Sales'): Decimal comma (European style), decided by row 2."]


# ---------------------------------------------------------------- as Excel shows a long number

_SHOWN = ("are numbers as Excel shows them in scientific notation, with 6 significant digits: "
          "the exact value may be lost. Format the column as Number in Excel and export the file "
          "again.")


def test_an_amount_as_excel_shows_it_in_scientific_notation_is_read_with_a_note_to_export_again():
    s = staged("revenue", REVENUE, [["Acme", "2026-09", "1.2E+04"], ["Beta", "2026-09", "3.5e3"],
                                    ["Gamma", "2026-09", "1.23457E+11"],
                                    ["Delta", "2026-09", "-9.87654E+12"]])
    assert s.values["amount"].tolist() == [12000.0, 3500.0, 123457000000.0, -9876540000000.0]
    assert s.parse_errors.empty
    assert s.notes == [f"Amount ('Sales'): Values like '1.23457E+11' (row 4; 2 rows in all) {_SHOWN}"]


@pytest.mark.parametrize("text, value", [("1E+11", 1e11), ("1.2E+11", 1.2e11),
                                         ("$1.23457E+11", 1.23457e11)])
def test_a_number_of_12_digits_or_more_excel_showed_rounded_has_the_note_too(text, value):
    s = staged("revenue", REVENUE, [["Acme", "2026-09", "10"], ["Beta", "2026-09", text]])
    assert s.values["amount"].tolist() == [10.0, value]
    assert s.notes[0] == f"Amount ('Sales'): Values like '{text}' (row 3) {_SHOWN}"


def test_a_german_excels_rounded_number_has_the_note_and_reads_with_the_decimal_comma(db):
    make_account(db, name="Acme", currency="EUR")
    s = staged("revenue", ["Kunde", "Monat", "Umsatz"],
               [["Acme", "2026-09", "1.234,56"], ["Acme", "2026-10", "1,23457E+11"]])
    assert s.values["amount"].tolist() == [1234.56, 123457000000.0]
    preview = preview_import(db, s)
    assert preview.errors.empty
    assert f"Amount ('Umsatz'): Values like '1,23457E+11' (row 3) {_SHOWN}" in preview.notes
