"""Headers real exports write that the importer must read as people mean them: a revenue sheet
is not an accounts list though a customer column is all an account needs, Salesforce's API
names, an HR list's office location, PayPal's Gross, a bank's Paid in, a payment's own number
beside a Reference that many payments share."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from lib.importing import guess_entity, preview_import, suggest_entity, suggest_mapping
from lib.importing.cli import main
from lib.migrate import open_database
from tests.builders import make_account, make_manager
from tests.importing.pipeline_helpers import apply_file, sheet_rows, staged, upload


def _guess(headers: list[str], *rows: list[str]):
    return suggest_entity(headers, sheet_rows(headers, list(rows)))


# What the file holds ---------------------------------------------------------------------------

@pytest.mark.parametrize("amount", ["Revenue USD", "Sales USD", "Total Revenue", "Invoiced",
                                    "Billings"])
def test_a_revenue_file_with_an_amount_in_dollars_is_guessed_as_revenue_not_as_accounts(amount):
    headers = ["Customer", "Month", amount, "Currency"]
    guess = _guess(headers, ["Lindqvist Retail GmbH", "Oct 2026", "1234.50", "USD"])
    assert (guess.entity, guess.tied) == ("revenue", ()), guess.scores
    assert suggest_mapping(headers, "revenue")[amount] == "amount"


@pytest.mark.parametrize("amount", ["Quota USD", "Target GBP"])
def test_a_sheet_whose_amount_says_target_quota_or_goal_is_guessed_as_targets(amount):
    guess = _guess(["Customer", "Month", amount, "Currency"], ["Acme Ltd", "Oct 2026", "9000", "USD"])
    assert (guess.entity, guess.tied) == ("account_targets", ()), guess.scores


def test_a_month_and_an_amount_no_header_word_names_make_the_person_choose_rather_than_accounts():
    guess = _guess(["Customer", "Month", "Widgets", "Currency"], ["Acme Ltd", "Oct 2026", "12", "USD"])
    assert guess.tied and {"revenue", "account_targets"} <= set(guess.tied)
    assert "choose what the file holds" in guess.reason


def test_a_two_column_sales_report_of_customers_and_amounts_is_revenue_not_an_accounts_list(tmp_path):
    text = ("Demo Corp\nSales by Customer Summary\nOctober 2026\n\nCustomer,Amount\n"
            'Brightwater Logistics Inc.,"$12,345.67"\nPinecrest Clinics Inc.,"$2,000.00"\n')
    sheet = upload(tmp_path, "report.csv", text.encode()).importable_sheets[0]
    assert guess_entity(sheet, "report.csv").entity == "revenue"


def test_an_account_quarter_and_quota_sheet_is_targets_when_its_name_says_so():
    headers = ["Account", "Quarter", "Quota"]
    rows = sheet_rows(headers, [["Brightwater Logistics Inc.", "Q1 2027", "360,000"]])
    guess = suggest_entity(headers, rows, context="quota_2027.csv")
    assert (guess.entity, guess.tied) == ("account_targets", ())


def test_the_cli_imports_a_revenue_file_as_revenue_and_leaves_the_accounts_currency_alone(tmp_path,
                                                                                           capsys):
    path = tmp_path / "guess.duckdb"
    database = open_database(path)
    acme = make_account(database, name="Lindqvist Retail GmbH", currency="EUR")
    database.close()
    file = tmp_path / "export.csv"
    file.write_text("Customer;Month;Revenue USD;Currency\nLindqvist Retail GmbH;Oct 2026;1234.50;USD\n",
                    encoding="utf-8")
    main([str(file), "--db", str(path), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["entity"] == "revenue" and report["mapping"]["Revenue USD"] == "amount"
    database = open_database(path)
    try:
        assert database.rows("SELECT currency FROM accounts WHERE id = ?", [acme]) == [("EUR",)]
    finally:
        database.close()


# Salesforce's API names ------------------------------------------------------------------------

DATALOADER = ["ID", "ACCOUNTID", "NAME", "STAGENAME", "AMOUNT", "CLOSEDATE", "ISCLOSED", "ISWON",
              "CURRENCYISOCODE", "ACCOUNT.NAME"]


def test_a_data_loader_export_maps_its_stage_so_lost_and_open_deals_are_not_revenue(db):
    acme = make_account(db, name="Brightwater Logistics Inc.", currency="USD")
    rows = [["006A1", "001A1", "Renewal", "Closed Won", "48000.0", "2026-03-14", "true", "true", "USD",
             "Brightwater Logistics Inc."],
            ["006A2", "001A1", "Expansion", "Closed Lost", "30000.0", "2026-03-30", "true", "false",
             "USD", "Brightwater Logistics Inc."],
            ["006A3", "001A1", "Pilot", "Prospecting", "9500.0", "2026-03-31", "false", "false", "USD",
             "Brightwater Logistics Inc."]]
    mapping = suggest_mapping(DATALOADER, "revenue", sheet_rows(DATALOADER, rows))
    assert {h: f for h, f in mapping.items() if f} == {
        "STAGENAME": "stage", "AMOUNT": "amount", "CLOSEDATE": "month", "ISWON": "won",
        "CURRENCYISOCODE": "currency", "ACCOUNT.NAME": "account"}
    s = staged("revenue", DATALOADER, rows, mapping=mapping)
    assert preview_import(db, s).counts["error"] == 2
    apply_file(db, s, skip_bad_rows=True)
    assert db.rows("SELECT account_id, month, amount FROM revenue") == [
        (acme, date(2026, 3, 1), Decimal("48000.00"))]


def test_a_won_flag_without_a_stage_keeps_lost_and_open_deals_out_of_revenue(db):
    acme = make_account(db, name="Brightwater Logistics Inc.", currency="USD")
    headers = ["NAME", "ACCOUNT.NAME", "AMOUNT", "CLOSEDATE", "ISWON", "ISCLOSED"]
    rows = [["Renewal", "Brightwater Logistics Inc.", "1000", "2027-01-15", "true", "true"],
            ["Upsell", "Brightwater Logistics Inc.", "500", "2027-01-20", "false", "true"],
            ["New", "Brightwater Logistics Inc.", "700", "2027-02-02", "FALSE", "false"]]
    assert suggest_mapping(headers, "revenue", sheet_rows(headers, rows))["ISWON"] == "won"
    s = staged("revenue", headers, rows)
    errors = preview_import(db, s).errors
    assert errors[["row", "column", "value"]].values.tolist() == [[3, "ISWON", "false"],
                                                                  [4, "ISWON", "FALSE"]]
    assert errors["reason"].iloc[0] == ("says the deal was not won: only won deals are revenue, "
                                        "so leave this row out")
    apply_file(db, s, skip_bad_rows=True)
    assert db.rows("SELECT account_id, month, amount FROM revenue") == [
        (acme, date(2027, 1, 1), Decimal("1000.00"))]


def test_a_dynamics_opportunities_export_is_revenue_and_its_status_keeps_lost_and_open_deals_out(db):
    acme = make_account(db, name="Brightwater Logistics Inc.", currency="USD")
    headers = ["(Do Not Modify) Opportunity", "(Do Not Modify) Row Checksum", "Topic",
               "Potential Customer", "Status", "Actual Revenue", "Actual Close Date", "Currency"]
    bw = "Brightwater Logistics Inc."
    rows = [["6b1", "abc", "Renewal", bw, "Won", "$1,000.00", "1/15/2027", "USD"],
            ["6b2", "abd", "Upsell", bw, "Lost", "$500.00", "1/20/2027", "USD"],
            ["6b3", "abe", "New", bw, "Open", "$700.00", "2/2/2027", "USD"]]
    assert _guess(headers, *rows).entity == "revenue"
    assert {h: f for h, f in suggest_mapping(headers, "revenue", sheet_rows(headers, rows)).items() if f} == {
        "Potential Customer": "account", "Status": "stage", "Actual Revenue": "amount",
        "Actual Close Date": "month", "Currency": "currency"}
    s = staged("revenue", headers, rows)
    assert preview_import(db, s).counts["error"] == 2
    apply_file(db, s, skip_bad_rows=True)
    assert db.rows("SELECT account_id, month, amount FROM revenue") == [
        (acme, date(2027, 1, 1), Decimal("1000.00"))]


def test_a_deals_export_with_a_deal_value_is_revenue_not_contacts_named_after_the_deals():
    headers = ["Name", "Account", "Deal value", "Deal stage", "Closed date", "Won reason"]
    rows = [["Renewal", "Acme", "1000", "Won", "2027-01-15", "Price"],
            ["Upsell", "Acme", "500", "Lost", "2027-01-20", ""]]
    assert _guess(headers, *rows).entity == "revenue"
    assert suggest_mapping(headers, "revenue", sheet_rows(headers, rows))["Deal value"] == "amount"


@pytest.mark.parametrize("headers, values, header, field", [
    (["lead_name", "status_type", "value", "value_currency", "date_won"],     # Close
     ["Acme", "won", "1000", "USD", "2027-01-15"], "status_type", "stage"),
    (["lead_name", "status_type", "value", "value_currency", "date_won"],
     ["Acme", "won", "1000", "USD", "2027-01-15"], "value_currency", "currency"),
    (["Company", "Value", "Status", "Close Date"], ["Acme", "1000", "Won", "01/15/2027"],   # Copper
     "Status", "stage")])
def test_a_crm_deals_exports_own_header_maps_to_its_field(headers, values, header, field):
    assert suggest_mapping(headers, "revenue", sheet_rows(headers, [values]))[header] == field


def test_an_orders_status_of_shipped_or_paid_is_not_taken_for_a_deals_stage():
    headers = ["Customer", "Order Date", "Total", "Status"]
    rows = [["Acme", "2027-01-15", "10", "Shipped"], ["Acme", "2027-01-16", "20", "Paid"]]
    assert suggest_mapping(headers, "revenue", sheet_rows(headers, rows))["Status"] is None


def test_a_won_column_of_zeros_is_still_the_won_flag_but_a_stage_column_of_numbers_is_neither():
    headers = ["Account", "Close Date", "Amount", "Won", "Stage"]
    rows = [["Acme", "2027-01-15", "10", "0", "3"], ["Acme", "2027-01-16", "20", "0", "5"]]
    mapping = suggest_mapping(headers, "revenue", sheet_rows(headers, rows))
    assert (mapping["Won"], mapping["Stage"]) == ("won", None)


@pytest.mark.parametrize("entity, header, field", [
    ("revenue", "StageName", "stage"), ("revenue", "Amount__c", "amount"),
    ("revenue", "acme__Net_Revenue__c", "amount"), ("revenue", "Account__r.Name", "account"),
    ("accounts", "Industry__c", "industry")])
def test_a_salesforce_api_name_maps_as_its_spaced_label_does(entity, header, field):
    assert suggest_mapping([header], entity) == {header: field}


# People ----------------------------------------------------------------------------------------

BAMBOO = ["Employee #", "First Name", "Last Name", "Work Email", "Job Title", "Department",
          "Location", "Hire Date", "Reporting to"]


def test_an_hr_exports_office_location_leaves_the_managers_country_and_fills_reports_to(db):
    oliver = make_manager(db, name="Oliver Bennett", email="oliver@demo.example", country="United Kingdom")
    eleanor = make_manager(db, name="Eleanor Hayes", email="eleanor@demo.example")
    rows = [["EMP-0003", "Oliver", "Bennett", "oliver@demo.example", "Account Manager", "Sales",
             "London, UK", "2021-04-01", "Eleanor Hayes"],
            ["EMP-0100", "Amélie", "Dubois", "amelie@demo.example", "Key Account Manager", "Sales",
             "Paris, France", "2025-09-15", "Oliver Bennett"]]
    mapping = suggest_mapping(BAMBOO, "managers", sheet_rows(BAMBOO, rows))
    assert (mapping["Location"], mapping["Reporting to"], mapping["Employee #"]) == (
        None, "reports_to", "external_id")
    apply_file(db, staged("managers", BAMBOO, rows, mapping=mapping))
    assert db.rows("SELECT name, country, reports_to, external_id FROM account_managers "
                   "WHERE name IN ('Oliver Bennett', 'Amélie Dubois') ORDER BY name") == [
        ("Amélie Dubois", None, oliver, "EMP-0100"),
        ("Oliver Bennett", "United Kingdom", eleanor, "EMP-0003")]


QUICKBOOKS_CONTACTS = ["Customer", "Bill to", "Primary Contact", "Main Phone", "Fax", "Main Email",
                       "Balance Total"]


def test_a_quickbooks_customer_contact_list_is_contacts_but_a_crm_accounts_list_stays_accounts():
    rows = [["Chester Freight Ltd", "1 Dock Rd", "Mr. Tom Hughes", "01244 000000", "",
             "tom.hughes@chester.example", "1,250.00"]]
    assert _guess(QUICKBOOKS_CONTACTS, *rows).entity == "contacts"
    mapping = suggest_mapping(QUICKBOOKS_CONTACTS, "contacts", sheet_rows(QUICKBOOKS_CONTACTS, rows))
    assert {h: f for h, f in mapping.items() if f} == {
        "Customer": "account", "Primary Contact": "name", "Main Phone": "phone", "Main Email": "email"}
    # an accounts export naming each account's primary contact is still about the accounts
    dynamics = ["Account Name", "Account Number", "Main Phone", "Address 1: City", "Primary Contact",
                "Owner", "Industry"]
    guess = _guess(dynamics, ["Brightwater Logistics Inc.", "CRM-001308", "+1 555 0100", "Chicago",
                              "Ann Lee", "Maya Thompson", "Logistics"])
    assert guess.entity == "accounts", guess.scores


# Money in and out ------------------------------------------------------------------------------

def test_paypals_gross_and_a_bank_statements_paid_in_are_the_payments_amount():
    paypal = ["Date", "Time", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
              "Transaction ID", "Invoice Number", "Balance"]
    assert {h: f for h, f in suggest_mapping(paypal, "payments").items() if f} == {
        "Date": "paid_on", "Status": "status", "Gross": "amount", "Transaction ID": "reference",
        "Invoice Number": "invoice_number"}
    assert _guess(paypal, ["03/11/2026", "14:22:05", "Chester Freight Ltd", "Express Checkout Payment",
                           "Completed", "GBP", "75,777.69", "-2,652.22", "73,125.47", "8AB1",
                           "INV-2026-004483", "73,125.47"]).entity == "payments"
    bank = ["Date", "Transaction type", "Description", "Reference", "Paid out", "Paid in", "Balance"]
    assert suggest_mapping(bank, "payments")["Paid in"] == "amount"


@pytest.mark.parametrize("header, code", [("Amount GBP", "GBP"), ("BETRAG EUR", "EUR"),
                                          ("Amount in GBP", "GBP"), ("EUR Amount", "EUR")])
def test_an_amount_header_followed_or_led_by_a_currency_code_is_the_amount_checked_against_it(
        db, header, code):
    make_account(db, name="Chester Freight Ltd", currency=code)
    headers = ["Customer", "Month", header, "Currency"]
    assert suggest_mapping(headers, "revenue")[header] == "amount"
    s = staged("revenue", headers, [["Chester Freight Ltd", "2026-10", "100", code],
                                    ["Chester Freight Ltd", "2026-11", "200", "USD"]])
    preview = preview_import(db, s)
    assert preview.counts["error"] == 1 and preview.errors["row"].tolist() == [3]


def test_a_salesforce_activity_report_maps_its_account_type_owner_and_comments():
    headers = ["Assigned", "Company / Account", "Subject", "Task/Event Type", "Date", "Full Comments",
               "Call Result"]
    rows = [["Maya Thompson", "Brightwater Logistics Inc.", "Renewal call", "Call", "3 Nov 2026",
             "Talked about renewal", "Connected"]]
    assert _guess(headers, *rows).entity == "interactions"
    assert suggest_mapping(headers, "interactions", sheet_rows(headers, rows)) == {
        "Assigned": "manager", "Company / Account": "account", "Subject": "subject",
        "Task/Event Type": "type", "Date": "occurred_at", "Full Comments": "notes",
        "Call Result": "outcome"}


def test_a_sage_invoice_list_gives_the_account_code_and_its_ref_is_the_invoice_number():
    headers = ["A/C", "Name", "Type", "Date", "Ref", "Due", "Amount", "Currency"]
    rows = [["CHES01", "Chester Freight Ltd", "SI", "05/10/26", "SI-7001", "04/11/26", "1,250.00", "GBP"]]
    assert _guess(headers, *rows).entity == "invoices"
    mapping = suggest_mapping(headers, "invoices", sheet_rows(headers, rows))
    assert (mapping["A/C"], mapping["Ref"]) == ("account", "invoice_number")
    assert suggest_mapping(["A/C", "Name"], "accounts") == {"A/C": "external_id", "Name": "name"}


ZOHO = ["Date", "Payment #", "Reference Number", "Customer Name", "Mode", "Invoice#", "Amount"]


def test_a_payment_number_beats_a_reference_column_so_two_bacs_payments_stay_two(db):
    make_account(db, name="Harbourside Media Ltd", currency="GBP")
    apply_file(db, staged("invoices", ["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount"],
                          [["INV-4478", "Harbourside Media Ltd", "2026-10-01", "2026-10-31", "20000"]]),
               b"invoices")
    rows = [["2026-11-03", "13", "BACS", "Harbourside Media Ltd", "Bank Transfer", "INV-4478", "5000.00"],
            ["2026-11-03", "14", "BACS", "Harbourside Media Ltd", "Bank Transfer", "INV-4478", "5000.00"]]
    mapping = suggest_mapping(ZOHO, "payments", sheet_rows(ZOHO, rows))
    assert (mapping["Payment #"], mapping["Reference Number"]) == ("reference", None)
    apply_file(db, staged("payments", ZOHO, rows, mapping=mapping))
    assert db.rows("SELECT reference, amount FROM payments ORDER BY reference") == [
        ("13", Decimal("5000.00")), ("14", Decimal("5000.00"))]
    # the same export next month matches them by their numbers: nothing new
    again = preview_import(db, staged("payments", ZOHO, rows, mapping=mapping))
    assert again.records == {"create": 0, "update": 0, "unchanged": 2}


@pytest.mark.parametrize("identifier", ["Payment No", "Payment Number", "Payment ID", "Transaction ID",
                                        "Receipt No"])
def test_a_payment_identifier_header_wins_the_reference_over_a_plain_reference_or_ref(identifier):
    for generic in ("Reference", "Ref"):
        headers = ["Invoice", "Payment Date", "Amount Paid", generic, identifier]
        mapping = suggest_mapping(headers, "payments")
        assert (mapping[identifier], mapping[generic]) == ("reference", None)
