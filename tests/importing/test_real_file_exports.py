"""Exports of CRMs, ERPs and spreadsheet tools that read as plausible wrong values unless the
importer looks closer: deals that were never won, ids Excel changed, accounts whose names
start with a total word, currencies the file gives per deal or the app cannot report in."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import xlsxwriter

from lib.importing import preview_import, suggest_mapping
from lib.importing.cli import main
from lib.importing.table import find_table
from lib.migrate import open_database
from tests.builders import make_account, make_manager
from tests.importing.pipeline_helpers import apply_file, grid, sheet_rows, staged, upload

HUBSPOT_DEALS = ["Record ID", "Deal Name", "Deal Stage", "Close Date", "Amount", "Associated Company"]


def _reasons(preview) -> list[list]:
    return preview.errors[["row", "column", "value", "reason"]].values.tolist()


def test_lost_and_open_deals_in_a_crm_export_are_errors_and_only_won_deals_are_revenue(db):
    acme = make_account(db, name="Acme", currency="USD")
    s = staged("revenue", HUBSPOT_DEALS,
               [["1", "Renewal", "Closed Won", "2025-03-14 10:22", "12000", "Acme"],
                ["2", "Add-on", "Closed Lost", "2025-03-20 09:00", "50000", "Acme"],
                ["3", "Upsell", "Contract Sent", "2025-03-28 11:00", "8000", "Acme"]])
    assert s.columns["stage"] == "Deal Stage"
    preview = preview_import(db, s)
    assert _reasons(preview) == [
        [3, "Deal Stage", "Closed Lost", "is not a won deal: only won deals are revenue, so leave this row out"],
        [4, "Deal Stage", "Contract Sent", "is not a won deal: only won deals are revenue, so leave this row out"]]
    apply_file(db, s, skip_bad_rows=True)
    assert db.rows("SELECT account_id, month, amount FROM revenue") == [(acme, date(2025, 3, 1), Decimal("12000.00"))]


def test_a_stage_column_that_never_says_won_is_not_taken_for_the_deal_stage():
    header = ["Customer", "Month", "Sales", "Stage"]
    lifecycle = sheet_rows(header, [["Acme", "2025-03", "100", "Onboarding"], ["Beta", "2025-03", "50", "Live"]])
    assert suggest_mapping(header, "revenue", lifecycle)["Stage"] is None
    deals = sheet_rows(header, [["Acme", "2025-03", "100", "won"], ["Beta", "2025-03", "50", "lost"]])
    assert suggest_mapping(header, "revenue", deals)["Stage"] == "stage"


def test_a_deals_own_currency_column_is_read_as_the_rows_currency():
    for header in ("Amount Currency", "Deal currency code", "Währung"):
        assert suggest_mapping(["Account Name", "Close Date", header, "Amount"], "revenue")[header] == "currency"


def test_a_hubspot_companies_export_maps_its_owner_and_country_region_columns(db):
    owner = make_manager(db, name="Maya Thompson")
    header = ["Record ID", "Company name", "Company Domain Name", "Industry", "Company owner",
              "Create Date", "Country/Region", "City", "Lifecycle Stage"]
    rows = [["8123456790", "Acme Widgets", "acme.example", "Machinery", "Maya Thompson",
             "2024-01-15 13:40", "Germany", "Berlin", "Opportunity"]]
    assert {h: f for h, f in suggest_mapping(header, "accounts", sheet_rows(header, rows)).items()
            if f} == {"Record ID": "external_id", "Company name": "name", "Industry": "industry",
                      "Company owner": "owner", "Country/Region": "country"}
    apply_file(db, staged("accounts", header, rows, constants={"currency": "EUR"}))
    assert db.rows("SELECT external_id, name, owner_id, country FROM accounts") == [
        ("8123456790", "Acme Widgets", owner, "Germany")]


def test_a_currency_the_app_does_not_report_in_is_an_error_not_an_unconvertible_amount(db):
    make_account(db, name="Acme", currency="USD")
    s = staged("revenue", ["Customer", "Month", "Sales", "Currency"],
               [["Acme", "2025-03", "100", "CHF"], ["Acme", "2025-04", "100", "usd"]])
    assert _reasons(preview_import(db, s)) == [
        [2, "Currency", "CHF", "is not a currency Account Desk reports in (USD, GBP, EUR, INR)"]]


def test_ids_kept_as_text_with_an_apostrophe_or_a_formula_are_stored_without_the_marks(db):
    s = staged("accounts", ["Customer ID", "Customer Name", "Currency"],
               [["'000124", "Probe Apostrophe Ltd", "GBP"], ['="000125"', "Probe Formula Ltd", "GBP"],
                ["'t Hooft BV", "'t Hooft BV", "EUR"]])
    assert s.values["external_id"].tolist() == ["000124", "000125", "'t Hooft BV"]
    assert s.values["name"].tolist() == ["Probe Apostrophe Ltd", "Probe Formula Ltd", "'t Hooft BV"]


def test_an_account_named_by_its_id_without_the_leading_zeros_excel_dropped_is_matched(db):
    acme = make_account(db, name="Acme", external_id="000123", currency="USD")
    make_account(db, name="Beta", external_id="000124", currency="USD")
    s = staged("revenue", ["Account ID", "Month", "Amount"], [["123", "2025-03", "100"], ["124", "2025-03", "5"]])
    preview = preview_import(db, s, create_missing=True)
    assert preview.counts["error"] == 0 and not preview.will_create
    assert ("2 accounts are named by an external id without its leading zeros (e.g. 123 for "
            "000123)") in " ".join(preview.notes)
    apply_file(db, s)
    assert db.value("SELECT amount FROM revenue WHERE account_id = ?", [acme]) == Decimal("100.00")


def test_an_id_without_leading_zeros_matches_nothing_when_two_accounts_share_the_number(db):
    make_account(db, name="Acme", external_id="00123", currency="USD")
    make_account(db, name="Beta", external_id="0123", currency="USD")
    s = staged("revenue", ["Account ID", "Month", "Amount"], [["123", "2025-03", "100"]])
    assert [r[3] for r in _reasons(preview_import(db, s))] == ["no account has this external id or name"]


def test_accounts_whose_names_start_or_end_with_a_total_word_are_records_not_total_rows():
    sheet = find_table(grid(["Customer", "Period", "Net Sales", "Sales Rep"],
                            ["Brightwater", "03.2025", "1000.00", "Michael Cooper"],
                            ["Total Wine & More", "03.2025", "2500.00", ""],
                            ["Picardie Somme", "03.2025", "700.00", ""]), "Sales")
    assert sheet.rows["Customer"].tolist() == ["Brightwater", "Total Wine & More", "Picardie Somme"]
    assert sheet.dropped_rows == []


def test_a_total_row_naming_its_group_or_a_column_is_still_left_out():
    sheet = find_table(grid(["Product", "Region", "Units"], ["Bikes", "East", "3"], ["Bikes", "West", "4"],
                            ["Bikes Total", "", "7"], ["Total Units", "", "7"]), "Units")
    assert sheet.rows["Region"].tolist() == ["East", "West"]
    assert [d.reason for d in sheet.dropped_rows] == ["total row", "total row"]


def _numbers_export(path) -> None:
    book = xlsxwriter.Workbook(str(path))
    summary = book.add_worksheet("Export Summary")
    summary.write_row(0, 0, ["This document was exported from Numbers.  Each table was converted to "
                             "an Excel worksheet. All other objects on each Numbers sheet were placed "
                             "on separate worksheets. Please be aware that formula calculations may "
                             "differ in Excel."])
    summary.write_row(2, 0, ["Numbers Sheet Name", "Numbers Table Name", "Excel Worksheet Name"])
    summary.write_row(3, 0, ["Sheet 1", "Revenue", "Sheet 1 - Revenue"])
    data = book.add_worksheet("Sheet 1 - Revenue")
    data.write_row(0, 0, ["Customer", "Month", "Sales"])
    data.write_row(1, 0, ["Acme", "2025-03", 100])
    book.close()


def test_apple_numbers_export_summary_is_skipped_with_its_reason(tmp_path):
    _numbers_export(tmp_path / "revenue.xlsx")
    workbook = upload(tmp_path, "revenue.xlsx", (tmp_path / "revenue.xlsx").read_bytes())
    assert [s.name for s in workbook.importable_sheets] == ["Sheet 1 - Revenue"]
    assert workbook.sheet("Export Summary").reason.startswith(
        "Sheet 'Export Summary' is Apple Numbers' summary of the export")


def test_the_command_line_names_the_sheets_when_asked_for_one_the_file_lacks(tmp_path, capsys):
    _numbers_export(tmp_path / "revenue.xlsx")
    database = tmp_path / "cli.duckdb"
    open_database(database).close()
    status = main([str(tmp_path / "revenue.xlsx"), "--sheet", "Nope", "--db", str(database), "--dry-run"])
    assert status == 2
    assert capsys.readouterr().err.strip() == (
        "The file has no sheet named 'Nope'. Its sheets: 'Export Summary', 'Sheet 1 - Revenue'.")
    status = main([str(tmp_path / "revenue.xlsx"), "--sheet", "Export Summary", "--db", str(database)])
    assert status == 2 and "Apple Numbers' summary" in capsys.readouterr().err


def test_a_salesforce_group_heading_that_counts_its_records_is_left_out_not_an_error():
    sheet = find_table(grid(["Account Name", "Opportunity Name", "Close Date", "Amount"],
                            ["Acme Ltd (2 records)", "", "", ""],
                            ["Acme Ltd", "Renewal", "2025-03-14", "12000"],
                            ["Acme Ltd", "Add-on", "2025-03-20", "3000"],
                            ["Subtotal", "", "", "15000"],
                            ["Beta Co (1 record)", "", "", ""],
                            ["Beta Co", "Expansion", "2025-03-02", "8000"]), "Opportunities")
    assert sheet.rows["Account Name"].tolist() == ["Acme Ltd", "Acme Ltd", "Beta Co"]
    assert [(d.row_number, d.reason) for d in sheet.dropped_rows] == [
        (2, "section heading"), (5, "total row"), (6, "section heading")]


def test_a_google_contacts_export_maps_its_numbered_columns():
    header = ["Name", "Given Name", "Family Name", "Organization 1 - Name", "Organization 1 - Title",
              "E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Value"]
    mapping = suggest_mapping(header, "contacts")
    assert {h: f for h, f in mapping.items() if f} == {
        "Name": "name", "Given Name": "first_name", "Family Name": "last_name",
        "Organization 1 - Name": "account", "Organization 1 - Title": "title",
        "E-mail 1 - Value": "email", "Phone 1 - Value": "phone"}


def test_an_order_total_merged_over_its_lines_counts_once_and_its_lines_are_left_out(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "orders.xlsx"))
    sheet = book.add_worksheet("Orders")
    sheet.write_row(0, 0, ["Customer", "Order Date", "Product", "Order Total"])
    sheet.merge_range(1, 0, 3, 0, "Acme")
    sheet.merge_range(1, 3, 3, 3, 900)
    for r, product in enumerate(["Widget", "Gadget", "Gizmo"], start=1):
        sheet.write_row(r, 1, ["2025-03-14", product])
    sheet.write_row(4, 0, ["Beta", "2025-03-20", "Widget", 50])
    book.close()
    read = upload(tmp_path, "orders.xlsx", (tmp_path / "orders.xlsx").read_bytes()).sheets[0]
    assert read.rows["Customer"].tolist() == ["Acme", "Beta"]
    assert read.rows["Order Total"].tolist() == ["900", "50"]
    assert [(d.row_number, d.text) for d in read.dropped_rows] == [
        (3, "Acme | 2025-03-14 | Gadget"), (4, "Acme | 2025-03-14 | Gizmo")]
    assert any(n.startswith("1 amount is merged down over several rows") for n in read.notes)


def test_an_excel_tables_totals_row_is_left_out_even_when_it_counts_under_no_label(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "accounts.xlsx"))
    sheet = book.add_worksheet("Accounts")
    sheet.add_table(0, 0, 3, 1, {"total_row": True, "data": [["Acme Ltd", 250], ["Beta Co", 40]],
                                 "columns": [{"header": "Account Name", "total_function": "count"},
                                             {"header": "Employees", "total_function": "sum"}]})
    book.close()
    read = upload(tmp_path, "accounts.xlsx", (tmp_path / "accounts.xlsx").read_bytes()).sheets[0]
    assert read.rows["Account Name"].tolist() == ["Acme Ltd", "Beta Co"]
    assert "Row 4 is the totals row of Excel table 'Table1'; left out, as totals are not records." in read.notes
    assert not any("formulas" in n for n in read.notes)   # its SUBTOTAL formulas are not the rows' concern


QB_SUMMARY = b'''"Probe Company Ltd"\r
"Sales by Customer Summary"\r
"March 2025"\r
\r
"","Total"\r
"Brightwater Logistics Inc.","1,000.00"\r
"Pinecrest Clinics Inc.","2,000.00"\r
"TOTAL","$3,000.00"\r
\r
"Accrual basis Friday, April 4, 2025 10:22 AM GMT-05:00"\r
'''


def test_a_summary_report_whose_header_has_nothing_over_the_names_is_found_under_its_titles(tmp_path):
    sheet = upload(tmp_path, "sales_by_customer_summary.csv", QB_SUMMARY).sheets[0]
    assert list(sheet.rows.columns) == ["Column A", "Total"]
    assert sheet.rows["Column A"].tolist() == ["Brightwater Logistics Inc.", "Pinecrest Clinics Inc."]
    assert sheet.rows["Total"].tolist() == ["1,000.00", "2,000.00"]
    assert [(d.row_number, d.reason) for d in sheet.dropped_rows][:3] == [
        (1, "title row above the header"), (2, "title row above the header"), (3, "title row above the header")]
