"""What people download never runs as a formula in their spreadsheet."""
import pandas as pd
import pytest

from lib.exports import csv_bytes, safe_cell


@pytest.mark.parametrize("typed, written", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\uff1d1", "'\uff1d1"),
    ("Acme", "Acme"), (-5, -5), (None, None),
])
def test_text_that_would_start_a_formula_is_written_as_text(typed, written):
    assert safe_cell(typed) == written


def test_a_csv_export_neutralises_every_text_cell_and_keeps_numbers_and_blanks():
    table = pd.DataFrame({"name": ["=cmd|' /C calc'!A0", "Acme"], "amount": [-12.5, None]})
    assert csv_bytes(table).decode() == "name,amount\r\n'=cmd|' /C calc'!A0,-12.5\r\nAcme,\r\n"
