"""Traps real exports set that read as a plausible wrong value unless the importer looks closer:
report rows, number styles, encodings, cells Excel shows one way and stores another."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from lib.importing import preview_import, stage, suggest_mapping
from lib.importing.table import find_table
from tests.builders import make_account
from tests.importing.pipeline_helpers import grid, staged, upload


SAP_LIST = "\r\n".join([
    "Sales by period", "",
    "|Sold-To  |Name 1            |Period |Net Value   |Curr.|",
    "|---------------------------------------------------------|",
    "|100001   |Acme GmbH         |01.2025|   12.500,00|EUR  |",
    "|100001   |Acme GmbH         |02.2025|    8.000,00|EUR  |",
    "|*        |                  |       |   20.500,00|EUR  |",
    "|100002   |Beta AG           |01.2025|    1.250,50|EUR  |",
    "|*        |                  |       |    1.250,50|EUR  |",
    "|**       |                  |       |   21.750,50|EUR  |",
    "|---------------------------------------------------------|", ""]).encode()


def test_an_sap_list_keeps_its_records_and_drops_starred_totals_and_ruled_lines(tmp_path):
    sheet = upload(tmp_path, "sales_by_period.txt", SAP_LIST).sheets[0]
    assert sheet.source_row_numbers == [5, 6, 8]
    dropped = {d.row_number: d.reason for d in sheet.dropped_rows}
    assert dropped == {1: "title row above the header", 4: "ruled line", 7: "total row",
                       9: "total row", 10: "total row", 11: "ruled line"}


def test_an_sap_list_maps_its_own_headers_and_reads_its_periods_and_amounts(tmp_path):
    sheet = upload(tmp_path, "sales_by_period.txt", SAP_LIST).sheets[0]
    mapping = suggest_mapping(list(sheet.rows.columns), "revenue", sheet.rows)
    assert mapping == {"Sold-To": None, "Name 1": "account", "Period": "month",
                       "Net Value": "amount", "Curr.": "currency"}
    values = stage(sheet.rows, "revenue", mapping).values
    assert values["month"].dt.strftime("%Y-%m").tolist() == ["2025-01", "2025-02", "2025-01"]
    assert values["amount"].tolist() == [12500.0, 8000.0, 1250.5]


def test_a_starred_name_or_a_dashed_code_is_a_record_not_a_total():
    sheet = find_table(grid(["Account", "Code", "Revenue"], ["*NEW* Acme", "A-1", "10"],
                            ["---", "B-2", "20"], ["Gamma", "C-3", "30"]), "T")
    assert sheet.rows["Account"].tolist() == ["*NEW* Acme", "---", "Gamma"]


_REPEATED = "rows repeat an earlier row cell for cell"


def test_an_order_total_written_on_each_line_item_is_pointed_out_when_the_lines_are_summed(db):
    make_account(db, name="Acme", currency="USD")
    # An order export: the order's Total on each of its two line items, then a second order
    s = staged("revenue", ["Email", "Billing Company", "Created at", "Total", "Lineitem name"],
               [["a@acme.example", "Acme", "2026-01-03 10:00", "120.00", "Widget"],
                ["a@acme.example", "Acme", "2026-01-03 10:00", "120.00", "Gadget"],
                ["a@acme.example", "Acme", "2026-01-09 16:30", "40.00", "Widget"]])
    notes = preview_import(db, s).notes
    assert any(n.startswith(f"1 {_REPEATED}") for n in notes)


def test_transactions_that_differ_in_a_mapped_cell_are_summed_without_that_warning(db):
    make_account(db, name="Acme", currency="USD")
    s = staged("revenue", ["Customer", "Close Date", "Close Value"],
               [["Acme", "2026-01-03", "10"], ["Acme", "2026-01-28", "10"]])
    assert not any(_REPEATED in n for n in preview_import(db, s).notes)


_WHOLE = [["R1", "Acme", "12.500"], ["R2", "Beta", "800"]]


def test_whole_thousands_beside_dates_written_day_dot_month_are_read_as_thousands():
    s = staged("invoices", ["Rechnungsnummer", "Kunde", "Belegdatum", "Fälligkeit", "Betrag"],
               [[n, a, "15.01.2025", "14.02.2025", v] for n, a, v in _WHOLE])
    assert s.values["amount"].tolist() == [12500.0, 800.0]
    assert not s.decimal_doubts
    assert any("read with a decimal comma (1.234,50), as the dates in 'Belegdatum' are written "
               "day.month.year" in n for n in s.notes)


def test_whole_thousands_beside_a_column_that_decided_follow_that_column():
    s = staged("budgets", ["Account", "Category", "Month", "Budget", "Spend"],
               [["Acme", "Events", "2025-01", "12.500", "1.234,50"],
                ["Acme", "Travel", "2025-01", "800", "2,5"]])
    assert s.values["budget"].tolist() == [12500.0, 800.0]
    assert any("as column 'Spend' is written that way" in n for n in s.notes)


def test_whole_thousands_with_nothing_to_go_by_are_a_question_and_errors_until_answered():
    header = ["Invoice", "Customer", "Amount"]
    s = staged("invoices", header, _WHOLE)
    assert list(s.decimal_doubts) == ["amount"] and s.questions
    errors = s.parse_errors.set_index("row")
    assert errors.loc[2, "reason"].startswith("could have a decimal point or a thousands separator")
    assert 3 not in errors.index
    assert staged("invoices", header, _WHOLE, decimal=",").values["amount"].tolist() == [12500.0, 800.0]
    assert staged("invoices", header, _WHOLE, decimal=".").values["amount"].tolist() == [12.5, 800.0]


def test_whole_thousands_in_a_csv_separated_by_semicolons_are_read_as_thousands(tmp_path):
    sheet = upload(tmp_path, "umsatz.csv", b"Kunde;Monat;Umsatz\nAcme;2025-01;12.500\nBeta;2025-01;800\n"
                   ).sheets[0]
    assert sheet.delimiter == ";"
    s = stage(sheet.rows, "revenue", suggest_mapping(list(sheet.rows.columns), "revenue"),
              delimiter=sheet.delimiter)
    assert s.values["amount"].tolist() == [12500.0, 800.0] and not s.decimal_doubts
    assert any("as the file separates its cells with semicolons" in n for n in s.notes)


def test_comma_groups_in_a_csv_separated_by_semicolons_are_decimals_and_elsewhere_thousands(tmp_path):
    text = "Kunde{0}Monat{0}Umsatz\nAcme{0}2025-01{0}\"1,500\"\nBeta{0}2025-01{0}800\n"
    for delimiter, amounts in ((";", [1.5, 800.0]), (",", [1500.0, 800.0])):
        sheet = upload(tmp_path, "umsatz.csv", text.format(delimiter).encode()).sheets[0]
        s = stage(sheet.rows, "revenue", {"Kunde": "account", "Monat": "month", "Umsatz": "amount"},
                  delimiter=sheet.delimiter)
        assert s.values["amount"].tolist() == amounts and not s.decimal_doubts


def test_headers_with_accents_map_and_headers_in_other_scripts_keep_their_own_signature():
    from lib.importing import header_signature
    mapping = suggest_mapping(["Rechnungsnummer", "Kunde", "Belegdatum", "Fälligkeit", "Betrag"],
                              "invoices")
    assert mapping["Fälligkeit"] == "due_date"
    assert header_signature(["Клиент", "Сумма"]) != header_signature(["Имя", "Дата"])


GERMAN = "Kunde;Ort;Umsatz\nMüller GmbH;Köln;10\nStraßenbau AG;Düsseldorf;20\nBäckerei Schön;Lörrach;5\n"


@pytest.mark.parametrize("codec, label", [("cp850", "DOS Latin-1 (code page 850)"),
                                          ("mac_roman", "Mac Roman"), ("cp1252", "Windows-1252")])
def test_german_names_read_right_from_a_dos_a_mac_or_a_windows_file(tmp_path, codec, label):
    # an SAP download in code page 850 has bytes Windows-1252 lacks, as a Mac file does
    book = upload(tmp_path, f"kunden_{codec}.csv", GERMAN.encode(codec))
    assert book.encoding == label
    assert book.sheets[0].rows["Kunde"].tolist() == ["Müller GmbH", "Straßenbau AG", "Bäckerei Schön"]


def _sheet_xml(*rows: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<sheetData>{"".join(rows)}</sheetData></worksheet>')


def _text(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def test_excel_errors_and_formulas_saved_without_results_are_row_errors_not_empty_cells(tmp_path):
    from tests.importing.conftest import hand_made_xlsx
    book = hand_made_xlsx(_sheet_xml(
        f'<row r="1">{_text("A1", "Invoice")}{_text("B1", "Paid on")}{_text("C1", "Amount")}</row>',
        f'<row r="2">{_text("A2", "I1")}{_text("B2", "2025-01-02")}'
        '<c r="C2" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>',
        f'<row r="3">{_text("A3", "I2")}{_text("B3", "2025-01-02")}<c r="C3"><f>SUM(D1:D9)</f></c></row>',
        f'<row r="4">{_text("A4", "I3")}{_text("B4", "2025-01-02")}<c r="C4"><f>1+1</f><v>2</v></c></row>'))
    sheet = upload(tmp_path, "generated.xlsx", book).sheets[0]
    assert sheet.rows["Amount"].tolist() == ["#DIV/0!", "=SUM(D1:D9)", "2"]
    s = stage(sheet.rows, "payments", {"Invoice": "invoice_number", "Paid on": "paid_on",
                                       "Amount": "amount"})
    reasons = s.parse_errors.set_index("row")["reason"]
    assert reasons[2] == "the cell holds the Excel error #DIV/0!, not a value"
    assert reasons[3].startswith("the cell holds a formula, not its result")
    assert 4 not in reasons.index
    assert any("1 cells hold formulas whose results the file does not hold" in n for n in sheet.notes)


def test_formulas_of_a_workbook_that_asks_excel_to_calculate_them_are_not_read_as_their_zeros(tmp_path):
    import io

    import xlsxwriter
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)   # stores 0 as each formula's result, to be calculated
    sheet = book.add_worksheet("Data")
    sheet.write_row(0, 0, ["Account", "Month", "Revenue"])
    sheet.write_row(1, 0, ["Acme", "2025-01"])
    sheet.write_formula(1, 2, "=100*2")
    sheet.write_row(2, 0, ["Beta", "2025-01", 50])
    book.close()
    rows = upload(tmp_path, "report.xlsx", buffer.getvalue()).sheets[0].rows
    assert rows["Revenue"].tolist() == ["=100*2", "50"]


def _workbook(write) -> bytes:
    import io

    import xlsxwriter
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    write(book.add_worksheet("Data"))
    book.close()
    return buffer.getvalue()


def test_an_account_merged_down_beside_its_months_is_given_to_each_of_its_rows(tmp_path):
    def write(sheet):
        sheet.merge_range(0, 0, 0, 2, "Revenue by month")    # a title merged across stays a title
        sheet.write_row(2, 0, ["Account", "Month", "Revenue"])
        sheet.merge_range(3, 0, 5, 0, "Acme")
        for r, month in enumerate(["2025-01", "2025-02", "2025-03"], start=3):
            sheet.write_row(r, 1, [month, 10 * r])
        sheet.write_row(6, 0, ["Beta", "2025-01", 5])
    sheet = upload(tmp_path, "merged.xlsx", _workbook(write)).sheets[0]
    assert sheet.rows["Account"].tolist() == ["Acme", "Acme", "Acme", "Beta"]
    assert [d.reason for d in sheet.dropped_rows] == ["title row above the header"]
    assert any(n.startswith("2 cells are merged down a column") for n in sheet.notes)


def test_names_merged_down_a_two_row_header_are_said_once(tmp_path):
    def write(sheet):
        sheet.merge_range(0, 0, 1, 0, "Account")
        for c, month in ((1, "Jan-25"), (3, "Feb-25"), (5, "Mar-25")):
            sheet.merge_range(0, c, 0, c + 1, month)
            sheet.write_row(1, c, ["Budget", "Actual"])
        sheet.write_row(2, 0, ["Acme", 1, 2, 3, 4, 5, 6])
    sheet = upload(tmp_path, "bva_merged.xlsx", _workbook(write)).sheets[0]
    assert sheet.header == ["Account", "period", "Budget", "Actual"]


def test_an_invoice_number_excel_shortened_to_scientific_notation_is_an_error_not_a_new_invoice():
    s = staged("payments", ["Invoice", "Paid on", "Amount"],
               [["1.00235E+14", "2025-01-02", "10"], ["100235000000123", "2025-01-03", "20"],
                ["INV-7E+2", "2025-01-04", "30"]])
    errors = s.parse_errors.set_index("row")
    assert errors.loc[2, "reason"].startswith("a long number Excel shortened to scientific notation")
    assert list(errors.index) == [2]


def test_a_bi_tools_flat_export_with_sum_of_revenue_imports_as_revenue(tmp_path):
    book = upload(tmp_path, "powerbi.csv", b"Account Name,Month,Sum of Revenue\n"
                                           b"Acme,2025-01,100\nBeta,2025-01,50\nTotal,,150\n")
    sheet = book.sheets[0]
    assert sheet.kind == "table" and sheet.rows["Account Name"].tolist() == ["Acme", "Beta"]
    assert suggest_mapping(list(sheet.rows.columns), "revenue", sheet.rows)["Sum of Revenue"] == "amount"


def test_rows_and_columns_hidden_in_excel_are_read_and_named_in_a_note(tmp_path):
    def write(sheet):
        sheet.write_row(0, 0, ["Account", "Month", "Revenue", "Internal"])
        for r in range(1, 6):
            sheet.write_row(r, 0, [f"A{r}", "2025-01", r, "x"])
        sheet.set_row(2, None, None, {"hidden": True})     # a filter's left-out rows
        sheet.set_row(4, None, None, {"hidden": True})
        sheet.set_column(3, 3, None, None, {"hidden": True})
    sheet = upload(tmp_path, "filtered.xlsx", _workbook(write)).sheets[0]
    assert len(sheet.rows) == 5
    assert "2 rows are hidden in Excel (by a filter or by hand): 3, 5." in " ".join(sheet.notes)
    assert "Columns hidden in Excel were read like the others: D." in sheet.notes


def test_an_invoice_written_once_per_line_item_is_one_invoice_and_a_differing_repeat_an_error(db):
    from lib.importing import preview_in_full
    make_account(db, name="Acme", currency="USD")
    # Xero's export: the invoice's own values (number, contact, dates, Total) on each line
    s = staged("invoices", ["InvoiceNumber", "ContactName", "InvoiceDate", "DueDate", "Total",
                            "Description"],
               [["INV-1", "Acme", "2025-01-02", "2025-02-01", "300.00", "Widgets"],
                ["INV-1", "Acme", "2025-01-02", "2025-02-01", "300.00", "Gadgets"],
                ["INV-2", "Acme", "2025-01-05", "2025-02-04", "80.00", "Widgets"],
                ["INV-2", "Acme", "2025-01-05", "2025-02-04", "90.00", "Widgets"]])
    preview = preview_in_full(db, s)
    assert preview.records["create"] == 2 and preview.counts["error"] == 1
    assert preview.rows.set_index("row")["action"].to_dict() == {2: "create", 3: "create",
                                                                 4: "create", 5: "error"}
    assert preview.errors.iloc[0]["reason"].startswith("is the same record as row 4 with other values")
    assert any(n.startswith("1 rows repeat an earlier row of the same record in every column imported")
               for n in preview.notes)
    from tests.importing.pipeline_helpers import apply_file
    assert apply_file(db, s, skip_bad_rows=True).created == 2
    assert db.rows("SELECT invoice_number, amount FROM invoices ORDER BY 1") == [
        ("INV-1", Decimal("300.00")), ("INV-2", Decimal("80.00"))]


def test_a_datev_debit_credit_column_left_unmapped_is_pointed_out_beside_the_amounts():
    s = staged("revenue", ["Umsatz (ohne Soll/Haben-Kz)", "Soll/Haben-Kennzeichen", "Kunde", "Monat"],
               [["100,00", "H", "Acme", "2025-01"], ["20,00", "S", "Acme", "2025-01"]],
               mapping={"Umsatz (ohne Soll/Haben-Kz)": "amount", "Kunde": "account", "Monat": "month"})
    assert any(n.startswith("Column 'Soll/Haben-Kennzeichen' marks some rows as debits and others "
                            "as credits (H, S)") for n in s.notes)
    plain = staged("revenue", ["Kunde", "Monat", "Umsatz", "S/H"],
                   [["Acme", "2025-01", "100,00", "H"], ["Acme", "2025-02", "20,00", "H"]])
    assert not any("debits" in n for n in plain.notes)


def test_a_sheet_named_by_its_month_alone_takes_the_year_its_file_name_gives():
    from lib.importing import sheet_month
    assert sheet_month("Mar", "Mar Revenue 2025.xlsx") == date(2025, 3, 1)
    assert sheet_month("März", "Umsatz 2024.xlsx") == date(2024, 3, 1)
    assert sheet_month("Mar", "Revenue 2024 vs 2025.xlsx") is None   # two years: which?
    assert sheet_month("Mar", "revenue.xlsx") is None


@pytest.mark.parametrize("header, factor", [
    ("Revenue ($000)", 1_000), ("Sales in thousands", 1_000), ("Umsatz TEUR", 1_000),
    ("Amount (k)", 1_000), ("Betrag (Mio. €)", 1_000_000), ("Revenue (m)", 1_000_000),
    ("Revenue", 1), ("Revenue 2000", 1)])
def test_amounts_under_a_header_in_thousands_or_millions_are_scaled_to_amounts(header, factor):
    s = staged("revenue", ["Customer", "Month", header], [["Acme", "2025-01", "12.5"]],
               mapping={"Customer": "account", "Month": "month", header: "amount"})
    assert s.values["amount"].tolist() == [12.5 * factor]
    assert any(f"multiplied by {factor:,}" in n for n in s.notes) == (factor > 1)


def test_thousands_that_also_ask_their_decimal_sign_are_scaled_once_answered():
    s = staged("revenue", ["Customer", "Month", "Revenue (000)"], [["Acme", "2025-01", "12.500"]],
               mapping={"Customer": "account", "Month": "month", "Revenue (000)": "amount"},
               decimal=",")
    assert s.values["amount"].tolist() == [12_500_000.0]


QB_SALES_BY_CUSTOMER = b"""Sales by Customer Detail
Account Desk Demo Co
January 2025

,Date,Transaction Type,Num,Product/Service,Qty,Sales Price,Amount,Balance
Acme Ltd,,,,,,,,
,01/03/2025,Invoice,1001,Widgets,2,250.00,500.00,500.00
,01/15/2025,Invoice,1002,Gadgets,1,250.00,250.00,750.00
Total for Acme Ltd,,,,,,,$750.00,
Beta Co,,,,,,,,
,01/20/2025,Invoice,1003,Widgets,1,80.00,80.00,80.00
Total for Beta Co,,,,,,,$80.00,
TOTAL,,,,,,,$830.00,
"""


def test_a_report_grouped_by_customer_gives_each_row_its_customer_to_import_by(db, tmp_path):
    make_account(db, name="Acme Ltd", currency="USD")
    make_account(db, name="Beta Co", currency="USD")
    sheet = upload(tmp_path, "sales_by_customer.csv", QB_SALES_BY_CUSTOMER).sheets[0]
    assert sheet.rows["Section"].tolist() == ["Acme Ltd", "Acme Ltd", "Beta Co"]
    assert any(n.startswith("The section headings ('Acme Ltd', 'Beta Co') were written into "
                            "column 'Section'") for n in sheet.notes)
    s = stage(sheet.rows, "revenue", {"Section": "account", "Date": "month", "Amount": "amount"})
    preview = preview_import(db, s)
    assert preview.counts["error"] == 0 and preview.records["create"] == 2
