"""An amount written with a currency mark ($, £, EUR) is checked against the currency its row
will be stored in: a mark that does not fit is a row error, never a number in the wrong currency."""
from __future__ import annotations

import pytest

from lib.errors import ValidationFailed
from lib.importing import preview_import
from tests.builders import make_account
from tests.importing.pipeline_helpers import REVENUE, apply_file, staged, stored_revenue


def test_an_amount_written_in_another_currency_than_its_row_is_refused_with_both_named(db):
    make_account(db, name="Acme Ltd", currency="GBP")
    make_account(db, name="Maple Inc", currency="USD")
    s = staged("revenue", ["Customer", "Month", "Sales", "Currency"],
               [["Acme Ltd", "2026-01", "£1,200.00", "GBP"],     # agrees
                ["Acme Ltd", "2026-02", "$1,300.00", "GBP"],     # a dollar amount, a pound row
                ["Acme Ltd", "2026-03", "1,400.00 EUR", ""],     # the account's currency: GBP
                ["Maple Inc", "2026-01", "$1,500.00", "USD"],    # agrees
                ["Maple Inc", "2026-02", "1600", "USD"]])        # no mark: nothing to check
    preview = preview_import(db, s)
    assert preview.errors.to_dict(orient="records") == [
        {"row": 3, "column": "Sales", "value": "$1,300.00",
         "reason": "is written in $ but the currency of the row is GBP; correct the amount or "
                   "the currency"},
        {"row": 4, "column": "Sales", "value": "1,400.00 EUR",
         "reason": "is written in EUR but the currency of the row is GBP; correct the amount or "
                   "the currency"}]
    assert preview.counts == {"create": 3, "update": 0, "unchanged": 0, "error": 2}
    assert "Currency marks seen: $ (2 rows), £ (1 row), EUR (1 row)." in " ".join(preview.notes)


def test_a_whole_file_in_dollars_given_the_constant_currency_gbp_is_refused_row_by_row(db):
    make_account(db, name="Acme Ltd", currency="GBP")
    s = staged("revenue", REVENUE, [["Acme Ltd", "2026-01", "$100.00"], ["Acme Ltd", "2026-02", "90"]],
               constants={"currency": "GBP"})
    preview = preview_import(db, s)
    assert preview.errors[["row", "column", "value"]].values.tolist() == [[2, "Sales", "$100.00"]]
    with pytest.raises(ValidationFailed):
        apply_file(db, s)
    assert stored_revenue(db) == []


def test_a_header_naming_a_currency_marks_every_amount_under_it(db):
    make_account(db, name="Acme Ltd", currency="GBP")
    make_account(db, name="Lindqvist AB", currency="EUR")
    s = staged("revenue", ["Customer", "Month", "Amount (EUR)"],
               [["Lindqvist AB", "2026-01", "1200"], ["Acme Ltd", "2026-01", "1300"],
                ["Acme Ltd", "2026-02", "£1,400.00"]])
    assert s.columns["amount"] == "Amount (EUR)"
    preview = preview_import(db, s)
    assert preview.errors[["row", "reason"]].values.tolist() == [
        [3, "is written in EUR but the currency of the row is GBP; correct the amount or the "
            "currency"]]
    assert any("The header names the currency EUR" in n for n in preview.notes)


def test_currencies_written_by_sign_or_name_are_read_as_their_codes_and_a_dollar_sign_is_not(db):
    s = staged("revenue", ["Customer", "Month", "Sales", "Currency"],
               [["Acme Ltd", "2026-01", "10", "€"], ["Acme Ltd", "2026-02", "10", "Euro"],
                ["Acme Ltd", "2026-03", "10", "Pound Sterling"], ["Acme Ltd", "2026-04", "10", "$"]])
    assert s.values["currency"].tolist() == ["EUR", "EUR", "GBP", "$"]
    assert "€ -> EUR" in " ".join(s.notes)
    make_account(db, name="Acme Ltd", currency="GBP")
    errors = preview_import(db, s).errors
    assert errors[["row", "reason"]].values.tolist() == [
        [5, "is not a three-letter currency code such as GBP"]]
