"""Finding the table in a sheet: titles, blanks, totals, months across, prose, pivots."""
from __future__ import annotations

from datetime import date

from lib.importing.table import column_letter, find_table
from tests.importing.pipeline_helpers import grid


def test_title_rows_and_blank_rows_are_dropped_with_their_spreadsheet_row_numbers():
    sheet = find_table(grid(["Pipeline report"], [""], ["Account", "Owner", "Amount"],
                            ["Acme", "Priya", "10"], ["", "", ""], ["Beta", "Sam", "7"]), "Deals")
    assert sheet.header_row == 3 and sheet.header == ["Account", "Owner", "Amount"]
    assert sheet.source_row_numbers == [4, 6]
    assert [(d.row_number, d.reason) for d in sheet.dropped_rows] == [
        (1, "title row above the header"), (5, "blank row")]


def test_total_rows_are_dropped_but_a_full_row_that_starts_with_total_is_data():
    sheet = find_table(grid(["Product", "Region", "Units"], ["Total Care Kit", "East", "3"],
                            ["Bike", "West", "4"], ["Sub Total", "", "7"], ["Grand Total:", "", "7"]), "P")
    assert sheet.rows["Product"].tolist() == ["Total Care Kit", "Bike"]
    assert [d.row_number for d in sheet.dropped_rows if d.reason == "total row"] == [4, 5]


def test_a_plain_total_column_is_kept_in_a_long_table_but_a_grand_total_column_is_dropped():
    sheet = find_table(grid(["Invoice", "Total", "Grand Total"], ["A1", "10", "10"]), "Invoices")
    assert sheet.header == ["Invoice", "Total"]
    assert [c.column for c in sheet.dropped_columns] == ["C"]
    assert any("'Total' was kept" in n for n in sheet.notes)


def test_months_across_the_columns_are_unpivoted_and_the_total_column_dropped():
    sheet = find_table(grid(["Account", "Jan-19", "Feb-19", "Mar-19", "Total"],
                            ["Acme", "1", "2", "3", "6"], ["Beta", "4", "", "6", "10"]), "Targets")
    assert sheet.kind == "wide" and sheet.wide.id_columns == ["Account"]
    assert sheet.rows.reset_index().values.tolist() == [
        [2, "Acme", "2019-01-01", "1"], [2, "Acme", "2019-02-01", "2"], [2, "Acme", "2019-03-01", "3"],
        [3, "Beta", "2019-01-01", "4"], [3, "Beta", "2019-03-01", "6"]]   # an empty cell gives no row
    assert "(5 rows with 'period' and 'value'; 1 empty month cell left out)" in sheet.notes[-1]
    assert sheet.wide.period_columns == {"Jan-19": date(2019, 1, 1), "Feb-19": date(2019, 2, 1),
                                         "Mar-19": date(2019, 3, 1)}
    assert [(c.column, c.header) for c in sheet.dropped_columns] == [("E", "Total")]


def test_an_id_column_called_period_does_not_collide_with_the_unpivoted_one():
    sheet = find_table(grid(["period", "2024-01", "2024-02", "2024-03"], ["x", "1", "2", "3"]), "W")
    assert sheet.header == ["period", "period_", "value"]


def test_a_sheet_of_notes_is_recognised_as_prose_and_skipped():
    sheet = find_table(grid(["This workbook is provided for demonstration purposes only."],
                            ["All the data lives in the Power Pivot model of this file."],
                            ["See the help page for how to enable the add-in in Excel."]), "Info")
    assert sheet.kind == "prose" and "holds notes, not a table" in sheet.reason


def test_a_short_single_column_list_is_a_table_not_prose():
    sheet = find_table(grid(["Account"], ["Acme"], ["Beta"]), "List")
    assert sheet.kind == "table" and sheet.rows["Account"].tolist() == ["Acme", "Beta"]


def test_a_pivot_table_sheet_is_recognised_by_its_labels():
    sheet = find_table(grid(["Row Labels", "Sum of Revenue"], ["East", "10"], ["Grand Total", "10"]), "Pivot")
    assert sheet.kind == "pivot" and "'Row Labels'" in sheet.reason and not sheet.importable


def test_a_sheet_without_a_header_names_its_columns_by_letter():
    sheet = find_table(grid(["1", "2"], ["3", "4"]), "Numbers")
    assert sheet.header == ["Column A", "Column B"] and sheet.header_row is None
    assert sheet.source_row_numbers == [1, 2]


def test_an_empty_sheet_says_so():
    sheet = find_table(grid(["", ""], [" ", ""]), "Blank")
    assert sheet.kind == "empty" and sheet.reason == "Sheet 'Blank' is empty."


def test_header_cells_are_trimmed_and_blank_ones_named_by_letter():
    sheet = find_table(grid([" Product ", "", "Sales\nTotal"], ["a", "b", "c"]), "S")
    assert sheet.header == ["Product", "Column B", "Sales Total"]


def test_column_letters_follow_spreadsheet_naming():
    assert [column_letter(i) for i in (0, 25, 26, 701, 16383)] == ["A", "Z", "AA", "ZZ", "XFD"]


def test_blank_rows_at_the_end_of_a_sheet_are_not_reported_as_dropped():
    sheet = find_table(grid(["a", "b"], ["1", "2"], ["", ""], ["3", "4"], ["", ""], ["", ""]), "T")
    assert sheet.source_row_numbers == [2, 4]
    assert [d.row_number for d in sheet.dropped_rows] == [3]
