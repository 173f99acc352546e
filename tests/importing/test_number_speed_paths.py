"""parse_number_series reads a whole column with Arrow (the common spellings, the decimal choice,
the currency marks); parse_number, cell by cell, is the definition it must agree with."""
from __future__ import annotations

import math
import random

import pandas as pd
import pytest

from lib.importing import detect_decimal_separator, parse_number, parse_number_series
from lib.importing.number_marks import _CODES, _SYMBOLS
from lib.importing.values import clean, clean_text

_EUROPEAN = str.maketrans({",": ".", ".": ","})
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _indian(amount: float) -> str:
    """12,34,567.50"""
    whole, cents = f"{amount:.2f}".split(".")
    head, tail = whole[:-3], whole[-3:]
    groups = []
    while len(head) > 2:
        head, groups = head[:-2], [head[-2:], *groups]
    return ",".join([g for g in [head, *groups] if g] + [tail]) + "." + cents


_SPELLINGS = [
    lambda a: f"{a:.2f}", lambda a: f"{a:.0f}", lambda a: f"-{a:.2f}", lambda a: f".{int(a) % 100}",
    lambda a: f"{a:.0f}.", lambda a: f"${a:,.2f}", lambda a: f"(${a:,.2f})",
    lambda a: f"({a:,.2f})",
    lambda a: f"£{a:,.2f}", lambda a: f"€{a:,.2f}", lambda a: f"€ {a:,.2f}", lambda a: f"{a:,.2f}",
    lambda a: f"{a:,.2f}".translate(_EUROPEAN), lambda a: f"{a:.2f}".translate(_EUROPEAN),
    lambda a: f"{a:,.2f} €".translate(_EUROPEAN), lambda a: f"1\u202f{int(a) % 1000:03d},50",
    lambda a: _indian(a * 100), lambda a: f"₹{_indian(a * 100)}", lambda a: f"₹ {a:,.0f}",
    lambda a: f"{a % 100:.1f}%", lambda a: f"-{a % 100:.0f} %", lambda a: f"{a:.2f}-",
    lambda a: f"{a:,.2f}-", lambda a: f"\u2212{a:.2f}", lambda a: f"\u2013{a:.2f}",
    lambda a: f"+{a:.2f}", lambda a: f"US${a:,.2f}", lambda a: f"USD {a:,.0f}",
    lambda a: f"{a:,.0f} EUR", lambda a: f"RS {a:.0f}", lambda a: f"Rs. {a:.0f}",
    lambda a: f"CHF {a:.2f}", lambda a: f"chf {a:.2f}", lambda a: f"¥{a:.0f}",
    lambda a: f"₩{a:,.0f}",
    lambda a: f"\u00a0${a:,.2f}\u00a0", lambda a: f"1\u00a0{int(a) % 1000:03d}.5",
    lambda a: f"\u3000{a:.2f}\u3000", lambda a: f"\t{a:.0f}\t", lambda a: f"{a:.2f}\x85",
    lambda a: f"{a:.2f}".translate(_ARABIC_INDIC), lambda a: f"{a:,.2f}".translate(_ARABIC_INDIC),
    lambda a: f"{a:.2E}", lambda a: f"{a:.1e}", lambda a: f"1'{int(a) % 1000:03d}.50",
    lambda a: f"éUSD {a:.0f}", lambda a: f"USDé {a:.0f}", lambda a: f"{a:.0f}USD",
    lambda a: f"€USD {a:.0f}", lambda a: f"{a:.0f} $", lambda a: f"£${a:.0f}",
    lambda a: f"1.{int(a) % 1000:03d}", lambda a: f"1,{int(a) % 1000:03d}", lambda a: "9" * 400,
    lambda a: "$-", lambda a: " $-  ", lambda a: "£-", lambda a: "#DIV/0!", lambda a: "#VALUE!",
    lambda a: "#N/A", lambda a: "", lambda a: "   ", lambda a: "N/A", lambda a: "na", lambda a: "-",
    lambda a: "--", lambda a: "null", lambda a: "None", lambda a: "nan", lambda a: "(blank)",
    lambda a: "nil", lambda a: "abc", lambda a: "1,2,3", lambda a: "inf", lambda a: "12..5",
    lambda a: "1e400", lambda a: "12.345.678", lambda a: "(12)", lambda a: "$(1,2)",
]


def _mixed_column(n: int = 4000, seed: int = 20240131) -> pd.Series:
    rng = random.Random(seed)
    texts = [rng.choice(_SPELLINGS)(rng.choice([rng.uniform(0, 100), rng.uniform(0, 5e6)]))
             for _ in range(n)]
    return pd.Series(texts + [None], index=range(2, n + 3), dtype=object)


def _cell_by_cell(texts: pd.Series, decimal: str) -> tuple[list, list]:
    values, errors = [], []
    for text in texts:
        try:
            values.append(parse_number(text, decimal))
            errors.append(None)
        except ValueError as exc:
            values.append(None)
            errors.append(f"'{clean(text)}': {exc}")
    return values, errors


@pytest.mark.parametrize("decimal", [".", ","])
def test_every_cell_of_a_mixed_column_reads_as_parse_number_reads_it(decimal):
    column = _mixed_column()
    parsed = parse_number_series(column, decimal=decimal)
    values, errors = _cell_by_cell(column, decimal)
    got = [None if math.isnan(v) else v for v in parsed.values]
    assert got == values
    assert parsed.errors.tolist() == errors
    assert sum(e is not None for e in errors) > 100 and sum(v is not None for v in values) > 1000


def test_a_mixed_column_without_a_separator_given_is_read_with_the_decimal_point():
    column = _mixed_column(seed=3)
    parsed = parse_number_series(column)
    values, errors = _cell_by_cell(column, ".")
    assert [None if math.isnan(v) else v for v in parsed.values] == values
    assert parsed.errors.tolist() == errors
    assert parsed.notes[0].startswith("Mixed decimal styles: row ")


def test_the_currency_marks_of_a_mixed_column_are_each_cells_first_as_python_finds_it():
    column = _mixed_column(seed=11)
    codes = "|".join(code for code in _CODES if code.isalpha())
    found = column.astype("str").str.extract(rf"([{_SYMBOLS}]|\b(?:{codes})\b)", expand=False)
    parsed = parse_number_series(column)
    assert parsed.marks.to_pylist() == [None if pd.isna(m) else m for m in found]
    marks = ", ".join(f"{mark} ({n:,} row{'s' * (n != 1)})"
                      for mark, n in found.dropna().value_counts().items())
    assert parsed.notes[-1] == f"Currency marks seen: {marks}."
    assert "USD" in marks and "₩" in marks


def test_cleaning_a_column_at_once_trims_every_cell_as_clean_does():
    column = _mixed_column(seed=5)
    assert clean_text(column).to_pylist() == [clean(text) for text in column]


def _long_column(cells: dict[int, str], n: int = 200_000) -> pd.Series:
    """n cells that decide nothing ("12", "$7", "n/a"), but for the ones given by position;
    rows are numbered from 2, as in a sheet under its header."""
    texts = [("12", "$7", "n/a", "USD 40")[pos % 4] for pos in range(n)]
    for pos, text in cells.items():
        texts[pos] = text
    return pd.Series(texts, index=range(2, n + 2))


def test_a_contradiction_names_the_first_european_row_and_the_first_us_row():
    column = _long_column({70_000: "$1,234.50", 130_000: "€ 1.234,50", 150_000: "0.5",
                           190_000: "3,5"})
    choice = detect_decimal_separator(column)
    assert (choice.separator, choice.certain) == (".", False)
    assert choice.message == ("Mixed decimal styles: row 130002 is written European style and "
                              "row 70002 US/UK style.")
    assert parse_number_series(column).notes[0] == choice.message


def test_a_european_column_is_decided_by_its_first_european_row_even_in_another_script():
    column = _long_column({90_000: "1.234,50", 80_000: "١٢,٥", 150_000: "7,25"})
    choice = detect_decimal_separator(column)
    assert (choice.separator, choice.certain, choice.deciding_row) == (",", True, 80_002)
    assert choice.message == "Decimal comma (European style), decided by row 80002."


def test_a_us_column_is_decided_by_its_first_us_row_without_a_note():
    column = _long_column({66_000: "(1,234.5678)", 150_000: "١٢.٥", 199_999: "$9.99"})
    choice = detect_decimal_separator(column)
    assert (choice.separator, choice.certain, choice.deciding_row, choice.message) == (
        ".", True, 66_002, "")


def test_a_column_of_comma_groups_reads_them_as_thousands_naming_its_first_such_value_and_row():
    choice = detect_decimal_separator(_long_column({100_001: "$1,234", 150_000: "9,876"}))
    assert (choice.separator, choice.certain, choice.doubt) == (".", False, "")
    assert choice.message.startswith("Values like '1,234' (row 100003) were read with ',' as the "
                                     "thousands separator (1234)")


def test_a_column_with_a_point_before_three_digits_is_a_doubt_naming_its_first_such_value():
    choice = detect_decimal_separator(_long_column({100_001: "$1,234", 150_000: "9.876"}))
    assert not choice.certain
    assert choice.doubt == choice.message == (
        "Values like '9.876' (row 150002) could have a decimal point (9.876) or a thousands "
        "separator (9876), and no value in the column says which.")


def test_a_column_that_says_nothing_about_decimals_has_no_note():
    choice = detect_decimal_separator(_long_column({}))
    assert (choice.separator, choice.certain, choice.message) == (".", False, "")


def test_currency_marks_count_each_cells_first_symbol_or_code():
    texts = (["$1.00"] * 6 + ["(£2.00)"] * 6 + ["€ 3"] * 4 + ["USD 4", "4 USD", "(USD 4)", "USD 5"]
             + ["12 EUR"] * 2 + ["US$5", "€USD 6", "éUSD 7", "USDé 8", "7USD", "Rs. 9"]
             + ["RS 9"] * 3 + ["₹1,00,000", "12", "", "n/a"])
    parsed = parse_number_series(pd.Series(texts))
    assert parsed.notes == ["Currency marks seen: $ (7 rows), £ (6 rows), € (5 rows), "
                            "USD (4 rows), RS (3 rows), EUR (2 rows), ₹ (1 row)."]


def test_currency_symbols_are_counted_by_the_first_in_each_cell():
    texts = (["£$5", "$£5", "$-", "$1", "$2", "(€1,234.50)", "€ 1", "₩5,000", "₩1", "₩2", "12"]
             + ["1,234.50"] * 3)
    parsed = parse_number_series(pd.Series(texts))
    assert parsed.notes == ["Currency marks seen: $ (4 rows), ₩ (3 rows), € (2 rows), "
                            "£ (1 row)."]
