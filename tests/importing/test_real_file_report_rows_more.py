"""More report exports: a two-column report under several title lines, a parent customer and
its total in a two-column report, Xero's aged receivables with each customer heading its rows
in the Invoice Date column, the sheet a workbook is read from by default, and one note for a
formula saved without its result."""
from __future__ import annotations

import json

from lib.importing import preview_import, stage
from lib.importing.cli import main
from lib.importing.reader import default_sheet
from lib.importing.table import find_table
from lib.migrate import open_database
from tests.builders import make_account
from tests.importing.conftest import hand_made_xlsx, xlsx_from_rows
from tests.importing.pipeline_helpers import grid, upload


def dropped(sheet) -> list[tuple[int, str]]:
    return [(d.row_number, d.reason) for d in sheet.dropped_rows]


# ---- a two-column report under title lines ---------------------------------------------------

SALES_BY_CUSTOMER = (b'Demo Corp\nSales by Customer Summary\nOctober 2026\nCustomer,Amount\n'
                     b'Langley Holdings,\nBrightwater Logistics Inc.,"$12,345.67"\n'
                     b'Pinecrest Clinics Inc.,"$2,000.00"\nLynwood Health Inc.,$500.00\n')


def test_a_two_column_report_under_three_title_lines_reads_its_own_header_not_a_title(tmp_path):
    # three one-line titles and a parent line with no amount under the header make one-cell
    # rows the commonest width; the first title was taken for the header
    sheet = upload(tmp_path, "sales_by_customer.csv", SALES_BY_CUSTOMER).sheets[0]
    assert sheet.header_row == 4 and sheet.header == ["Customer", "Amount"]
    assert dropped(sheet) == [(1, "title row above the header"), (2, "title row above the header"),
                              (3, "title row above the header")]
    assert sheet.source_row_numbers == [5, 6, 7, 8]
    assert sheet.rows["Amount"].tolist() == ["", "$12,345.67", "$2,000.00", "$500.00"]
    assert sheet.beyond_header == [] and not any("past the header" in n for n in sheet.notes)
    s = stage(sheet.rows, "revenue", {"Customer": "account", "Amount": "amount"}, {"month": "2026-10"})
    assert s.values["amount"].tolist()[1:] == [12345.67, 2000.0, 500.0]


def test_a_parent_customer_and_its_total_are_left_out_of_a_two_column_report():
    sheet = find_table(grid(["Customer", "Amount (Net)"], ["Langley Holdings", ""],
                            ["Langley Holdings : Brightwater Logistics Inc.", "$12,345.67"],
                            ["Langley Holdings : Pinecrest Clinics Inc.", "$2,000.00"],
                            ["Total - Langley Holdings", "$14,345.67"],
                            ["Lynwood Health Inc.", "$500.00"], ["Total", "$14,845.67"]), "Sales")
    assert sheet.source_row_numbers == [3, 4, 6]
    assert dropped(sheet) == [(2, "section heading"), (5, "total row"), (7, "total row")]
    assert sheet.header == ["Customer", "Amount (Net)"]   # the parent names the rows already


def test_cells_past_a_header_that_are_words_do_not_blame_a_thousands_separator(tmp_path):
    text = b"Name,Amount\nAcme,5\nBeta,6,call back in May\nGamma,7\n"
    sheet = upload(tmp_path, "notes.csv", text).sheets[0]
    assert sheet.beyond_header == ["Column C"]
    note = next(n for n in sheet.notes if n.startswith("Row 3: cells past the header's last column"))
    assert "check that row 1 names every column" in note and "thousands separator" not in note


# ---- Xero's aged receivables: customers heading their rows in the Invoice Date column -------

XERO_AGED = (b"Aged Receivables Detail\r\nDemo Company (UK)\r\nAs at 30 November 2026\r\n"
             b"Ageing by due date\r\n\r\n"
             b"Invoice Date,Invoice Number,Due Date,Reference,Current,< 1 Month,1 Month,2 Months,"
             b"Older,Total\r\n"
             b"Chester Freight Ltd\r\n"
             b'30 Sep 2026,INV-4483,30 Oct 2026,PO 7781,,"75,777.69",,,,"75,777.69"\r\n'
             b'31 Oct 2026,INV-9001,30 Nov 2026,,"1,250.00",,,,,"1,250.00"\r\n'
             b'Total Chester Freight Ltd,,,,"1,250.00","75,777.69",,,,"77,027.69"\r\n\r\n'
             b"Harbourside Media Ltd\r\n"
             b'30 Sep 2026,INV-4478,30 Oct 2026,,,"11,418.74",,,,"11,418.74"\r\n'
             b"12 Nov 2026,CN-0042,12 Nov 2026,Credit note,(500.00),,,,,(500.00)\r\n"
             b'Total Harbourside Media Ltd,,,,(500.00),"11,418.74",,,,"10,918.74"\r\n\r\n'
             b'Total,,,,750.00,"87,196.43",0.00,0.00,0.00,"87,946.43"\r\n\r\n'
             b"Percentage of total,,,,0.85%,99.15%,0.00%,0.00%,0.00%,\r\n")


def test_xero_aged_receivables_gives_each_invoice_its_customer_and_drops_the_share_of_total_line(
        db, tmp_path):
    make_account(db, name="Chester Freight Ltd", currency="GBP")
    make_account(db, name="Harbourside Media Ltd", currency="GBP")
    sheet = upload(tmp_path, "aged_receivables.csv", XERO_AGED).sheets[0]
    assert sheet.header_row == 6
    assert sheet.source_row_numbers == [8, 9, 13, 14]
    assert sheet.rows["Section"].tolist() == ["Chester Freight Ltd"] * 2 + ["Harbourside Media Ltd"] * 2
    assert sheet.rows["Invoice Date"].tolist() == ["30 Sep 2026", "31 Oct 2026", "30 Sep 2026", "12 Nov 2026"]
    assert [(n, why) for n, why in dropped(sheet) if why != "title row above the header"] == [
        (7, "section heading"), (10, "total row"), (11, "blank row"), (12, "section heading"),
        (15, "total row"), (16, "blank row"), (17, "total row"), (18, "blank row"), (19, "total row")]
    assert sheet.dropped_rows[-1].text.startswith("Percentage of total | 0.85%")
    assert any("written into a new column 'Section'" in n for n in sheet.notes)
    s = stage(sheet.rows, "invoices", {"Section": "account", "Invoice Number": "invoice_number",
                                       "Invoice Date": "issue_date", "Due Date": "due_date",
                                       "Total": "amount"})
    assert s.values["amount"].tolist() == [75777.69, 1250.0, 11418.74, -500.0]
    preview = preview_import(db, s)
    assert preview.counts["error"] == 0 and preview.records["create"] == 4


def test_the_command_line_maps_the_filled_down_customers_of_an_aged_receivables_report(tmp_path, capsys):
    database = tmp_path / "cli.duckdb"
    db = open_database(database)
    for name in ("Chester Freight Ltd", "Harbourside Media Ltd"):
        make_account(db, name=name, currency="GBP")
    db.close()
    (tmp_path / "aged_receivables.csv").write_bytes(XERO_AGED)
    status = main([str(tmp_path / "aged_receivables.csv"), "--entity", "invoices", "--dry-run",
                   "--json", "--db", str(database)])
    report = json.loads(capsys.readouterr().out)
    assert report["mapping"]["Section"] == "account"
    assert status == 0 and report["rows"]["create"] == 4 and report["rows"]["error"] == 0


def test_a_one_cell_name_in_a_date_column_heads_its_rows_but_a_lone_date_is_a_record():
    sheet = find_table(grid(["Date", "Invoice", "Amount"], ["Acme Ltd"], ["2025-03-01", "I-1", "10"],
                            ["2025-03-04"], ["2025-03-05", "I-2", "20"], ["Beta Co"],
                            ["2025-03-07", "I-3", "30"]), "Invoices")
    assert sheet.source_row_numbers == [3, 4, 5, 7]
    assert sheet.rows["Section"].tolist() == ["Acme Ltd", "Acme Ltd", "Acme Ltd", "Beta Co"]
    assert sheet.rows["Date"].tolist() == ["2025-03-01", "2025-03-04", "2025-03-05", "2025-03-07"]
    assert dropped(sheet) == [(2, "section heading"), (6, "section heading")]


# ---- the sheet a workbook is read from ------------------------------------------------------

CONTACTS = [["Name", "Email", "Company"], ["Ann Lee", "ann@acme.example", "Acme Ltd"],
            ["Bo Diaz", "bo@acme.example", "Acme Ltd"]]


def test_a_workbook_is_read_from_its_table_not_from_a_small_summary_sheet_before_it(tmp_path):
    book = xlsx_from_rows({"Summary": [["Contacts exported", 2]], "Contacts": CONTACTS})
    workbook = upload(tmp_path, "contacts.xlsx", book)
    assert [s.name for s in workbook.importable_sheets] == ["Contacts", "Summary"]
    assert workbook.default_sheet.name == "Contacts"


def test_the_command_line_reads_the_contacts_table_not_the_summary_sheet_by_default(tmp_path, capsys):
    (tmp_path / "contacts.xlsx").write_bytes(
        xlsx_from_rows({"Summary": [["Contacts exported", 2]], "Contacts": CONTACTS}))
    database = tmp_path / "cli.duckdb"
    open_database(database).close()
    main([str(tmp_path / "contacts.xlsx"), "--entity", "contacts", "--dry-run", "--json",
          "--db", str(database)])
    report = json.loads(capsys.readouterr().out)
    assert report["sheet"] == "Contacts"


def test_of_two_tables_the_longer_is_the_default_and_the_one_fitting_the_entity_when_it_is_known(
        tmp_path):
    book = xlsx_from_rows({
        "Revenue": [["Account", "Month", "Amount"], ["Acme Ltd", "2026-01", 10]],
        "Accounts": [["Name", "Industry"], ["Acme Ltd", "Retail"], ["Beta Co", "Food"]]})
    workbook = upload(tmp_path, "book.xlsx", book)
    assert [s.name for s in workbook.importable_sheets] == ["Accounts", "Revenue"]
    assert default_sheet(workbook).name == "Accounts"
    assert default_sheet(workbook, "revenue").name == "Revenue"
    assert default_sheet(workbook, "accounts").name == "Accounts"


# ---- a formula saved without its result -----------------------------------------------------

def _text(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_a_formula_saved_without_its_result_gets_one_note_not_also_one_about_plain_text(tmp_path):
    rows = [f'<row r="1">{_text("A1", "Account")}{_text("B1", "Note")}{_text("C1", "Total")}</row>',
            f'<row r="2">{_text("A2", "Acme")}{_text("B2", "=see notes")}'
            '<c r="C2"><f>SUM(D2:E2)</f></c></row>',
            f'<row r="3">{_text("A3", "Beta")}{_text("B3", "ok")}<c r="C3"><f>SUM(D3:E3)</f></c></row>']
    book = hand_made_xlsx('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                          '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                          f'<sheetData>{"".join(rows)}</sheetData></worksheet>')
    sheet = upload(tmp_path, "generated.xlsx", book).sheets[0]
    assert sheet.rows["Total"].tolist() == ["=SUM(D2:E2)", "=SUM(D3:E3)"]
    assert any(n.startswith("2 cells hold formulas whose results the file does not hold")
               for n in sheet.notes)
    assert [n for n in sheet.notes if "start with '='" in n] == [
        "1 cells start with '='; they were kept as plain text and never evaluated as formulas."]


def test_a_customer_column_added_for_the_headings_leaves_the_other_columns_as_they_were(tmp_path):
    # the last column, filled in some rows only, is the report's own, not cells past the header
    text = (b"Invoice Date,Invoice Number,Amount,Reference\nAcme Ltd\n2026-09-30,I-1,100,PO 1\n"
            b"2026-10-31,I-2,250,\nBeta Co\n2026-11-12,I-3,75,\n")
    sheet = upload(tmp_path, "grouped.csv", text).sheets[0]
    assert sheet.header == ["Section", "Invoice Date", "Invoice Number", "Amount", "Reference"]
    assert sheet.beyond_header == [] and not any("past the header" in n for n in sheet.notes)
    assert sheet.rows["Reference"].tolist() == ["PO 1", "", ""]


def test_a_workbooks_number_cells_stay_with_their_columns_beside_an_added_customer_column(tmp_path):
    from datetime import date

    book = xlsx_from_rows({"Aged": [
        ["Invoice Date", "Invoice Number", "Total"], ["Acme Ltd"],
        [date(2026, 9, 30), "INV-1", 1250.5], [date(2026, 10, 31), "INV-2", 99],
        ["Beta Co"], [date(2026, 11, 12), "INV-3", 12.5]]})
    sheet = upload(tmp_path, "aged.xlsx", book).sheets[0]
    assert sheet.rows["Section"].tolist() == ["Acme Ltd", "Acme Ltd", "Beta Co"]
    assert sheet.rows["Invoice Date"].tolist() == ["2026-09-30", "2026-10-31", "2026-11-12"]
    assert {h: c.tolist() for h, c in sheet.excel_numbers.items()} == {"Total": [True, True, True]}
