"""Order exports that merge an order's cells over its line rows (e-commerce and ERP tools): the
customer and the order's total once beside its several lines. The total is read once, on the
order's first row, and the rows under it are left out as that order's lines, listed with
their numbers, instead of being records whose amount is empty. Real .xlsx files written with
xlsxwriter's merge_range, read in the sandbox as an upload is, then staged as the Import page
stages them."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import xlsxwriter

from lib.importing import preview_import, stage
from lib.importing.cli import main
from lib.migrate import open_database
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, stored_revenue, upload

_MAPPING = {"Customer": "account", "Order Date": "month", "Order Total": "amount"}
_LINES = ("line of the order in row {}, whose merged 'Order Total' was read once")


def _orders(tmp_path, total: str = "Order Total", name: str = "orders.xlsx"):
    """Two orders: Acme's of three lines (rows 2-4) and Beta's of two (rows 5-6), with the
    customer, the date and the order's total merged over its lines, the product and quantity
    on each line. Returns the sheet as read."""
    path = tmp_path / name
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Orders")
    sheet.write_row(0, 0, ["Customer", "Order Date", "Product", "Qty", total])
    for first, last, customer, day, amount in ((1, 3, "Acme", "2025-03-14", 900),
                                               (4, 5, "Beta", "2025-04-02", 120.5)):
        sheet.merge_range(first, 0, last, 0, customer)
        sheet.merge_range(first, 1, last, 1, day)
        sheet.merge_range(first, 4, last, 4, amount)
    for r, (product, qty) in enumerate([("Widget", 2), ("Gadget", 1), ("Gizmo", 5),
                                        ("Widget", 1), ("Gizmo", 3)], start=1):
        sheet.write_row(r, 2, [product, qty])
    book.close()
    return upload(tmp_path, name, path.read_bytes()).sheets[0]


def _staged(sheet, mapping=None):
    return stage(sheet.rows, "revenue", mapping or _MAPPING, delimiter=sheet.delimiter,
                 excel_numbers=sheet.excel_numbers)


def test_the_line_rows_under_a_merged_order_total_are_left_out_not_errors(tmp_path, db):
    make_account(db, name="Acme", currency="USD")
    make_account(db, name="Beta", currency="USD")
    sheet = _orders(tmp_path)
    assert sheet.rows.index.tolist() == [2, 5]   # the orders' first rows, as the sheet numbers them
    assert sheet.rows["Order Total"].tolist() == ["900", "120.5"]
    assert [(d.row_number, d.reason, d.text) for d in sheet.dropped_rows] == [
        (3, _LINES.format(2), "Acme | 2025-03-14 | Gadget | 1"),
        (4, _LINES.format(2), "Acme | 2025-03-14 | Gizmo | 5"),
        (6, _LINES.format(5), "Beta | 2025-04-02 | Gizmo | 3")]
    assert ("Rows 3–4 and 6: the other lines of an order whose 'Order Total' is merged over them, "
            "read once on the order's first row; left out, not read as records with an empty "
            "amount. Their own numbers in 'Qty' were left out with them; to import each line as "
            "a record, export one row per line with its own amount.") in sheet.notes
    staged = _staged(sheet)
    assert staged.values["amount"].tolist() == [900.0, 120.5]   # each order's total, once
    preview = preview_import(db, staged)
    assert preview.errors.empty and preview.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 0}


def test_the_orders_import_into_the_database_as_their_totals(tmp_path, db):
    acme = make_account(db, name="Acme", currency="USD")
    beta = make_account(db, name="Beta", currency="USD")
    apply_file(db, _staged(_orders(tmp_path)))
    assert stored_revenue(db) == [(acme, date(2025, 3, 1), Decimal("900.00"), "USD"),
                                  (beta, date(2025, 4, 1), Decimal("120.50"), "USD")]


def test_the_command_line_lists_the_left_out_lines_and_imports_the_orders(tmp_path, capsys):
    database = open_database(tmp_path / "cli.duckdb")
    make_account(database, name="Acme", currency="USD")
    make_account(database, name="Beta", currency="USD")
    database.close()
    _orders(tmp_path, total="Total")   # a name the revenue mapping takes for the amount
    status = main([str(tmp_path / "orders.xlsx"), "--entity", "revenue",
                   "--db", str(tmp_path / "cli.duckdb")])
    out = capsys.readouterr().out
    assert status == 0 and "Imported as batch 1." in out
    assert "left out row 3 (line of the order in row 2, whose merged 'Total' was read once): " in out
    assert "left out row 6 (line of the order in row 5, whose merged 'Total' was read once): " in out
    assert "row 3," not in out   # no errors for the lines


def test_an_amount_left_empty_in_a_column_that_is_not_merged_is_still_an_error(tmp_path, db):
    make_account(db, name="Acme", currency="USD")
    path = tmp_path / "orders.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Orders")
    sheet.write_row(0, 0, ["Customer", "Order Date", "Product", "Order Total"])
    sheet.write_row(1, 0, ["Acme", "2025-03-14", "Widget", 900])
    sheet.write_row(2, 0, ["Acme", "2025-04-14", "Gadget"])   # no total, and nothing merged
    sheet.merge_range(3, 0, 4, 0, "Acme")                       # a merged name is no excuse
    sheet.write_row(3, 1, ["2025-05-14", "Gizmo", 30])
    sheet.write_row(4, 1, ["2025-06-14", "Widget"])
    book.close()
    read = upload(tmp_path, "orders.xlsx", path.read_bytes()).sheets[0]
    assert read.rows.index.tolist() == [2, 3, 4, 5] and read.dropped_rows == []
    errors = preview_import(db, _staged(read)).errors
    assert errors[["row", "column", "reason"]].values.tolist() == [
        [3, "Order Total", "is required but empty"], [5, "Order Total", "is required but empty"]]


def test_a_customer_merged_over_lines_with_their_own_amounts_imports_every_line(tmp_path, db):
    acme = make_account(db, name="Acme", currency="USD")
    path = tmp_path / "lines.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Lines")
    sheet.write_row(0, 0, ["Customer", "Order Date", "Product", "Order Total"])
    sheet.merge_range(1, 0, 3, 0, "Acme")
    for r, (day, product, amount) in enumerate([("2025-01-14", "Widget", 100), ("2025-02-14", "Gadget", 200),
                                                ("2025-03-14", "Gizmo", 300)], start=1):
        sheet.write_row(r, 1, [day, product, amount])
    book.close()
    read = upload(tmp_path, "lines.xlsx", path.read_bytes()).sheets[0]
    assert read.rows["Customer"].tolist() == ["Acme", "Acme", "Acme"] and read.dropped_rows == []
    staged = _staged(read)
    assert preview_import(db, staged).errors.empty
    apply_file(db, staged)
    assert stored_revenue(db) == [(acme, date(2025, m, 1), Decimal(f"{m}00.00"), "USD") for m in (1, 2, 3)]


def test_lines_under_a_merged_order_number_keep_their_own_amounts(tmp_path, db):
    acme = make_account(db, name="Acme", currency="USD")
    path = tmp_path / "order-lines.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Lines")
    sheet.write_row(0, 0, ["Order No", "Customer", "Order Date", "Product", "Line Total"])
    sheet.merge_range(1, 0, 3, 0, 10023)            # a number, but the order's, not money
    for r, (product, amount) in enumerate([("Widget", 100), ("Gadget", 200), ("Gizmo", 300)], start=1):
        sheet.write_row(r, 1, ["Acme", "2025-03-14", product, amount])
    book.close()
    read = upload(tmp_path, "order-lines.xlsx", path.read_bytes()).sheets[0]
    assert read.rows.index.tolist() == [2, 3, 4] and read.dropped_rows == []
    staged = _staged(read, {"Customer": "account", "Order Date": "month", "Line Total": "amount"})
    assert preview_import(db, staged).errors.empty
    apply_file(db, staged)
    assert stored_revenue(db) == [(acme, date(2025, 3, 1), Decimal("600.00"), "USD")]
