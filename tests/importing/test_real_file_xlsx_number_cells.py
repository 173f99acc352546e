"""A workbook's amount column holding number cells (1250.5) beside text cells typed the
European way ('12.500', '1.234,50'): the reader says which cells were numbers, so their point
is not taken for how the text cells write decimals. Real .xlsx files, read in the sandbox as
an upload is, then staged as the Import page stages them."""
from __future__ import annotations

import math

import xlsxwriter

from lib.importing import read_upload, stage
from tests.importing.pipeline_helpers import upload

_MAPPING = {"Customer": "account", "Month": "month", "Amount": "amount"}
_HEADER = ["Customer", "Month", "Amount"]


def _xlsx(tmp_path, rows: list[list], name: str = "revenue.xlsx"):
    """Write the rows with xlsxwriter (str as text cells, int/float as number cells, None as
    nothing), read the file back as an upload and return its first sheet."""
    path = tmp_path / name
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Revenue")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write_number(r, c, value)
    book.close()
    return read_upload(path.read_bytes(), name).sheets[0]


def _staged(sheet, **options):
    return stage(sheet.rows, "revenue", _MAPPING, delimiter=sheet.delimiter,
                 excel_numbers=sheet.excel_numbers, **options)


def _amounts(staged) -> dict[int, float | None]:
    """Row in the file -> amount read (None where it is not a number)."""
    return {int(row): (None if math.isnan(v) else v)
            for row, v in zip(staged.values["_row"], staged.values["amount"])}


def _revenue(*amounts) -> list[list]:
    names = ["Acme", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"]
    return [_HEADER] + [[names[i], "2025-01", a] for i, a in enumerate(amounts)]


def test_a_text_amount_written_european_style_beside_number_cells_reads_as_thousands(tmp_path):
    sheet = _xlsx(tmp_path, _revenue(1250.5, "12.500", 980.25, "1.234,50", 3000))
    s = _staged(sheet)
    assert _amounts(s) == {2: 1250.5, 3: 12500.0, 4: 980.25, 5: 1234.5, 6: 3000.0}
    assert not s.questions and s.parse_errors.empty


def test_a_text_amount_with_a_decimal_comma_beside_number_cells_reads_as_written(tmp_path):
    sheet = _xlsx(tmp_path, _revenue(1250.5, 980.25, 3000, "1.234,50"))
    s = _staged(sheet)
    assert _amounts(s) == {2: 1250.5, 3: 980.25, 4: 3000.0, 5: 1234.5}
    assert not s.questions and s.parse_errors.empty


def test_a_lone_12_500_beside_number_cells_is_asked_about_not_read_as_12_5(tmp_path):
    # Nothing in the column or the file says how its text writes decimals (the number cells'
    # point is the reader's own), so it is asked, as for a column of text alone.
    sheet = _xlsx(tmp_path, _revenue(1250.5, 980.25, 3000, "12.500"))
    s = _staged(sheet)
    assert list(s.decimal_doubts) == ["amount"]
    assert "Values like '12.500' (row 5)" in s.decimal_doubts["amount"]
    assert _amounts(s) == {2: 1250.5, 3: 980.25, 4: 3000.0, 5: None}
    assert s.parse_errors["row"].tolist() == [5]
    assert _amounts(_staged(sheet, decimal=",")) == {2: 1250.5, 3: 980.25, 4: 3000.0, 5: 12500.0}
    assert _amounts(_staged(sheet, decimal=".")) == {2: 1250.5, 3: 980.25, 4: 3000.0, 5: 12.5}


def test_a_lone_12_500_beside_number_cells_follows_dates_written_day_dot_month(tmp_path):
    rows = [_HEADER, ["Acme", "31.01.2025", 1250.5], ["Beta", "28.02.2025", 980.25],
            ["Gamma", "31.03.2025", "12.500"]]
    s = _staged(_xlsx(tmp_path, rows))
    assert _amounts(s) == {2: 1250.5, 3: 980.25, 4: 12500.0}
    assert not s.questions and s.parse_errors.empty
    assert any("day.month.year" in n for n in s.notes)


def test_a_column_of_number_cells_alone_reads_as_before(tmp_path):
    sheet = _xlsx(tmp_path, _revenue(1250.5, 980.25, 3000, 12.125, 0.1))
    assert sheet.excel_numbers["Amount"].tolist() == [True] * 5
    assert "Customer" not in sheet.excel_numbers     # a column without numbers carries none
    s = _staged(sheet)
    assert _amounts(s) == {2: 1250.5, 3: 980.25, 4: 3000.0, 5: 12.125, 6: 0.1}
    assert not s.questions and s.parse_errors.empty


def test_number_cells_stay_with_their_rows_when_title_blank_and_total_rows_are_dropped(tmp_path):
    rows = [["Revenue by customer, January 2025"], [None],
            _HEADER,                                            # row 3
            ["Acme", "2025-01", 1250.5], ["Beta", "2025-01", "12.500"],
            [None], ["Gamma", "2025-01", 980.25],               # row 6 blank
            ["Delta", "2025-01", "1.234,50"], ["Epsilon", "2025-01", 3000],
            ["Total", None, 18965.25]]                          # row 10
    sheet = _xlsx(tmp_path, rows)
    assert {(d.row_number, d.reason) for d in sheet.dropped_rows} == {
        (1, "title row above the header"), (6, "blank row"), (10, "total row")}
    assert sheet.rows.index.tolist() == [4, 5, 7, 8, 9]
    assert sheet.excel_numbers["Amount"].tolist() == [True, False, True, False, True]
    s = _staged(sheet)
    assert _amounts(s) == {4: 1250.5, 5: 12500.0, 7: 980.25, 8: 1234.5, 9: 3000.0}
    assert dict(zip(s.values["_row"], s.values["account__raw"])) == {
        4: "Acme", 5: "Beta", 7: "Gamma", 8: "Delta", 9: "Epsilon"}
    assert not s.questions and s.parse_errors.empty


def test_a_formula_read_as_its_text_is_not_taken_for_a_number_cell(tmp_path):
    # xlsxwriter asks Excel to calculate formulas on opening and stores 0 as their result:
    # the reader gives such a cell its formula's text, so it is no number cell any more.
    path = tmp_path / "formulas.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Revenue")
    sheet.write_row(0, 0, _HEADER)
    sheet.write_row(1, 0, ["Acme", "2025-01"])
    sheet.write_formula(1, 2, "=100*2")
    sheet.write_row(2, 0, ["Beta", "2025-01", 50.5])
    book.close()
    read = read_upload(path.read_bytes(), path.name).sheets[0]
    assert read.rows["Amount"].tolist() == ["=100*2", "50.5"]
    assert read.excel_numbers["Amount"].tolist() == [False, True]


def test_a_csv_of_the_same_amounts_is_read_as_before_with_no_number_cells(tmp_path):
    # Every cell of a CSV is text: '1250.5' is written with a point and decides the column, so
    # '12.500' reads as twelve and a half and '1.234,50' is an error in a column of both styles.
    lines = "".join(f'{n},2025-01,"{a}"\n' for n, a in [("Acme", "1250.5"), ("Beta", "980.25"),
                                                       ("Gamma", "3000"), ("Delta", "12.500")])
    sheet = upload(tmp_path, "revenue.csv", ("Customer,Month,Amount\n" + lines).encode()).sheets[0]
    assert sheet.excel_numbers == {}
    s = _staged(sheet)
    assert _amounts(s) == {2: 1250.5, 3: 980.25, 4: 3000.0, 5: 12.5}
    assert not s.questions and s.parse_errors.empty
    comma = upload(tmp_path, "comma.csv", ("Customer,Month,Amount\n" + lines.replace(
        '"12.500"', '"1.234,50"')).encode()).sheets[0]
    s = _staged(comma)
    assert _amounts(s) == {2: 1250.5, 3: 980.25, 4: 3000.0, 5: None}
    assert s.parse_errors.set_index("row")["reason"][5].startswith("is written with a decimal comma")
    assert not s.questions
