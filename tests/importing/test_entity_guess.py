"""Guessing what a file holds (people, targets or revenue) and mapping its columns by their
values: contacts given as First Name + Last Name, ties refused, codes and order statuses left
for the person to map."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from lib.importing import (guess_entity, preview_import, read_upload, recall_mapping,
                           remember_mapping, suggest_entity, suggest_mapping, template,
                           template_xlsx, undo_batch)
from lib.importing.cli import main
from lib.migrate import open_database
from lib.users import SYSTEM
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, sheet_rows, staged

HUBSPOT = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Job Title",
           "Company Name", "Contact owner", "Lifecycle Stage", "Create Date"]
PEOPLE = ["Company", "First Name", "Last Name", "Email"]


def _sheet(text: str, name: str = "numbers.csv"):
    return read_upload(text.encode("utf-8"), name).importable_sheets[0]


@pytest.fixture
def db_file(tmp_path):
    path = tmp_path / "guess.duckdb"
    database = open_database(path)
    make_account(database, name="Acme Ltd", external_id="A-1")
    database.close()
    return path


def _query(path, sql):
    database = open_database(path)
    try:
        return database.rows(sql)
    finally:
        database.close()


# People -------------------------------------------------------------------------------------

def test_a_hubspot_contacts_export_is_contacts_and_its_company_name_is_the_contacts_account():
    guess = suggest_entity(HUBSPOT)
    assert guess.entity == "contacts" and not guess.tied, guess.scores
    assert "missing" not in guess.reason
    mapping = suggest_mapping(HUBSPOT, "contacts")
    assert {h: f for h, f in mapping.items() if f} == {
        "First Name": "first_name", "Last Name": "last_name", "Email": "email",
        "Phone Number": "phone", "Job Title": "title", "Company Name": "account"}
    # a team list is still managers, a customer list with a phone still accounts
    assert suggest_entity(["Full Name", "Job Title", "Reports To", "Employee Id"]).entity == "managers"
    assert suggest_entity(["Id", "Name", "Industry", "Phone", "BillingCountry"]).entity == "accounts"


@pytest.mark.parametrize("first, last", [
    ("FirstName", "LastName"), ("Given name", "Surname"), ("first_name", "Family name"),
    ("CONTACTFIRSTNAME", "CONTACTLASTNAME"), ("Forename", "last name")])
def test_first_and_last_name_headers_in_their_usual_spellings_map_to_the_name_parts(first, last):
    assert suggest_mapping(["Account", first, last], "contacts") == {
        "Account": "account", first: "first_name", last: "last_name"}


def test_an_orders_file_that_names_its_customers_contact_stays_revenue():
    headers = ["ORDERNUMBER", "SALES", "ORDERDATE", "STATUS", "CUSTOMERNAME", "PHONE", "COUNTRY",
               "CONTACTLASTNAME", "CONTACTFIRSTNAME"]
    assert suggest_mapping(headers, "contacts")["CONTACTFIRSTNAME"] == "first_name"
    assert suggest_entity(headers).entity == "revenue"


def test_a_first_and_last_name_contacts_file_imports_from_the_cli_with_the_names_joined(
        tmp_path, db_file, capsys):
    file = tmp_path / "people.csv"
    file.write_text("Company,First Name,Last Name,Email\nAcme Ltd,Jane,Doe,jane@acme.example\n"
                    "A-1,Raj,,raj@acme.example\nAcme Ltd,  Li , Wei ,\n", encoding="utf-8")
    assert main([str(file), "--db", str(db_file), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["entity"] == "contacts" and report["records"]["create"] == 3
    assert report["mapping"]["First Name"] == "first_name"
    assert _query(db_file, "SELECT name, email FROM contacts ORDER BY name") == [
        ("Jane Doe", "jane@acme.example"), ("Li Wei", None), ("Raj", "raj@acme.example")]
    columns = {c for c, *_ in _query(db_file, "DESCRIBE contacts")}
    assert not columns & {"first_name", "last_name"}
    database = open_database(db_file)
    try:
        assert undo_batch(database, SYSTEM, report["batch_id"]).removed == 3
        assert database.value("SELECT count(*) FROM contacts") == 0
    finally:
        database.close()


def test_a_row_with_neither_name_part_is_an_error_naming_the_parts_columns(db):
    make_account(db, name="Acme Ltd")
    s = staged("contacts", PEOPLE, [["Acme Ltd", "Jane", "Doe", ""], ["Acme Ltd", "", "n/a", "x@y.z"]])
    assert s.columns["name"] == "First Name + Last Name"
    preview = preview_import(db, s)
    assert preview.counts["create"] == 1 and preview.counts["error"] == 1
    assert preview.errors[["row", "column", "reason"]].to_dict("records") == [
        {"row": 3, "column": "First Name + Last Name", "reason": "is required but empty"}]


def test_a_name_column_keeps_its_names_and_the_parts_fill_only_its_empty_cells(db):
    acme = make_account(db, name="Acme Ltd")
    headers = ["Account", "Contact Name", "First Name", "Last Name"]
    s = staged("contacts", headers, [["Acme Ltd", "Dr Jane Doe", "Jane", "Doe"],
                                     ["Acme Ltd", "", "Raj", "Patel"]])
    assert s.columns["name"] == "Contact Name"
    apply_file(db, s)
    assert db.rows("SELECT account_id, name FROM contacts ORDER BY name") == [
        (acme, "Dr Jane Doe"), (acme, "Raj Patel")]


def test_a_name_column_beside_a_first_name_alone_is_taken_for_the_surname_unless_it_holds_the_first_name(db):
    acme = make_account(db, name="Acme Ltd")
    s = staged("contacts", ["Account", "Name", "First Name"],
               [["Acme Ltd", "Doe", "Jane"], ["Acme Ltd", "Mary Ann Smith", "Mary Ann"],
                ["Acme Ltd", "Patel", ""], ["Acme Ltd", "", "Raj"], ["Acme Ltd", "Weber", "Maryanne"]])
    assert s.columns["name"] == "Name"
    apply_file(db, s)
    assert db.rows("SELECT account_id, name FROM contacts ORDER BY name") == [
        (acme, "Jane Doe"), (acme, "Mary Ann Smith"), (acme, "Maryanne Weber"), (acme, "Patel"), (acme, "Raj")]
    s = staged("contacts", ["Account", "Name", "Last Name"], [["Acme Ltd", "Olu", "Ade"]])
    apply_file(db, s, data=b"second file")
    assert db.value("SELECT count(*) FROM contacts WHERE name = 'Olu Ade'") == 1


def test_an_hr_list_of_first_and_last_names_with_salaries_is_guessed_and_imported_as_managers(db):
    headers = ["Employee ID", "First Name", "Last Name", "Email", "Job Title", "Hire Date", "Base Salary"]
    rows = [["E-1", "Priya", "Shah", "priya@acme.example", "Key Account Manager", "2021-04-01", "52000"]]
    assert suggest_entity(headers, sheet_rows(headers, rows)).entity == "managers"
    apply_file(db, staged("managers", headers, rows))
    assert db.rows("SELECT name, email, base_salary FROM account_managers WHERE external_id = 'E-1'") == [
        ("Priya Shah", "priya@acme.example", 52000)]


def test_a_remembered_mapping_keeps_the_name_parts_for_the_next_file(db):
    mapping = {"Company": "account", "First Name": "first_name", "Last Name": "last_name",
               "Email": "email"}
    remember_mapping(db, SYSTEM, PEOPLE, "contacts", mapping)
    assert recall_mapping(db, PEOPLE, "contacts").mapping == mapping


def test_the_contacts_template_says_first_and_last_name_only_fill_an_empty_contact_name():
    header = template("contacts").decode().splitlines()[0].split(",")
    assert header.index("Contact name") + 1 == header.index("First name") == header.index("Last name") - 1
    with zipfile.ZipFile(io.BytesIO(template_xlsx("contacts"))) as z:
        notes = z.read("xl/comments1.xml").decode()
    assert "Required (or give First name and Last name instead)." in notes
    assert "Where Contact name is empty, First name and Last name are joined into it" in notes


# Targets or revenue ---------------------------------------------------------------------------

def test_columns_that_fit_revenue_and_targets_equally_are_a_tie_not_a_guess():
    guess = suggest_entity(["Account", "Month", "Amount"])
    assert guess.tied == ("revenue", "account_targets")
    assert "could be revenue or account targets" in guess.reason
    assert suggest_entity(["Customer", "Month", "Sales"]).tied == ()


@pytest.mark.parametrize("text, name, entity", [
    ("FY2025 Sales Targets (USD),,,\n,,,\nAccount,Jan-25,Feb-25,Mar-25\nAcme Ltd,1,2,3\n",
     "numbers.csv", "account_targets"),
    ("Account,Jan-25,Feb-25,Mar-25\nAcme Ltd,1,2,3\n", "team_quota_2025.csv", "account_targets"),
    ("Account,Jan-25,Feb-25,Mar-25\nAcme Ltd,1,2,3\n", "SalesTargets.csv", "account_targets"),
    ("Revenue by account,,,\nAccount,Month,Amount\nAcme Ltd,2025-01,3\n", "export.csv", "revenue"),
])
def test_a_tie_is_broken_by_the_title_or_the_file_name(text, name, entity):
    guess = guess_entity(_sheet(text, name), name)
    assert (guess.entity, guess.tied) == (entity, ())
    assert suggest_entity(list(_sheet(text, name).rows.columns)).tied   # the headers alone tie


def test_a_workbook_sheet_named_for_targets_is_targets(tmp_path):
    from tests.importing.conftest import xlsx_from_rows
    data = xlsx_from_rows({"Targets 2025": [["Account", "Jan-25", "Feb-25", "Mar-25"],
                                            ["Acme Ltd", 1, 2, 3]]})
    sheet = read_upload(data, "book.xlsx").importable_sheets[0]
    assert guess_entity(sheet, "book.xlsx").entity == "account_targets"


def test_the_cli_refuses_to_guess_a_tie_and_says_to_pass_entity(tmp_path, db_file, capsys):
    file = tmp_path / "numbers.csv"
    file.write_text("Account,Month,Amount\nAcme Ltd,2026-01,10\n", encoding="utf-8")
    assert main([str(file), "--db", str(db_file), "--json"]) == 2
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "refused"
    assert "could be revenue or account targets: pass --entity" in report["message"]
    assert _query(db_file, "SELECT count(*) FROM revenue") == [(0,)]
    assert main([str(file), "--db", str(db_file), "--entity", "revenue", "--json"]) == 0


# Synonyms and values --------------------------------------------------------------------------

def test_quickbooks_and_created_date_headers_map_to_invoice_payment_and_interaction_fields():
    aging = ["Date", "Transaction Type", "Num", "Customer", "Due Date", "Amount", "Open Balance"]
    assert suggest_mapping(aging, "invoices") == {
        "Date": "issue_date", "Transaction Type": None, "Num": "invoice_number",
        "Customer": "account", "Due Date": "due_date", "Amount": "amount", "Open Balance": None}
    assert suggest_entity(aging).entity == "invoices"
    open_items = suggest_mapping(["Txn Date", "Num", "Customer", "Open Balance"], "invoices")
    assert open_items["Txn Date"] == "issue_date" and open_items["Open Balance"] == "amount"
    assert suggest_mapping(["Invoice Date"], "invoices") == {"Invoice Date": "issue_date"}
    assert suggest_mapping(["Date", "Ref No.", "Applied To", "Amount Received"], "payments") == {
        "Date": "paid_on", "Ref No.": "reference", "Applied To": "invoice_number",
        "Amount Received": "amount"}
    assert suggest_mapping(["Created Date"], "invoices") == {"Created Date": "issue_date"}
    assert suggest_mapping(["created"], "interactions") == {"created": "occurred_at"}


def test_a_column_of_numeric_codes_is_not_suggested_as_the_country():
    headers = ["countryCode", "customerID", "invoiceNumber", "InvoiceDate", "DueDate", "InvoiceAmount"]
    rows = sheet_rows(headers, [["391", "0379-NEVHP", "0000611365", "1/2/2013", "2/1/2013", "55.94"],
                                ["406", "8976-AMJEO", "0007900770", "1/26/2013", "2/25/2013", "61.74"]])
    mapping = suggest_mapping(headers, "invoices", rows)
    assert mapping["countryCode"] is None and mapping["customerID"] == "account"
    assert suggest_mapping(headers, "invoices")["countryCode"] == "country"   # headers alone
    named = sheet_rows(["Customer", "Country Code"], [["Acme", "GB"], ["Beta", "826"]])
    assert suggest_mapping(["Customer", "Country Code"], "accounts", named)["Country Code"] == "country"


def test_an_order_status_column_is_not_suggested_as_the_account_status():
    headers = ["CUSTOMERNAME", "STATUS", "TERRITORY"]
    orders = sheet_rows(headers, [["Land of Toys", "Shipped", "NA"], ["Reims", "Cancelled", "EMEA"]])
    assert suggest_mapping(headers, "accounts", orders) == {
        "CUSTOMERNAME": "name", "STATUS": None, "TERRITORY": "region"}
    accounts = sheet_rows(headers, [["Land of Toys", "Active", "NA"], ["Reims", "Shipped", "EMEA"]])
    assert suggest_mapping(headers, "accounts", accounts)["STATUS"] == "status"
    empty = sheet_rows(headers, [["Land of Toys", "", "NA"]])
    assert suggest_mapping(headers, "accounts", empty)["STATUS"] == "status"


def test_a_crms_object_prefix_and_a_parenthesis_do_not_hide_a_known_header():
    pipedrive = suggest_mapping(["Deal - Title", "Deal - Value", "Deal - Organization", "Deal - Won time"],
                                "revenue")
    assert pipedrive == {"Deal - Title": None, "Deal - Value": "amount", "Deal - Organization": "account",
                         "Deal - Won time": "month"}
    stripe = suggest_mapping(["id", "Created (UTC)", "Amount", "invoice_number (metadata)"], "payments")
    assert stripe["Created (UTC)"] == "paid_on" and stripe["invoice_number (metadata)"] == "invoice_number"
    # an exact header still wins over a loose one
    assert suggest_mapping(["Amount (net)", "Amount"], "revenue") == {"Amount (net)": None, "Amount": "amount"}


@pytest.mark.parametrize("header", ["Sales (units)", "Prior Year - Revenue", "Created (PST)"])
def test_a_header_whose_aside_changes_what_the_number_means_is_left_for_the_person(header):
    assert suggest_mapping(["Account", "Month", header], "revenue")[header] is None


@pytest.mark.parametrize("header", ["Revenue ($000)", "Amount (k)", "Sales in millions", "Amount (EUR)"])
def test_a_header_giving_its_scale_or_currency_maps_since_staging_applies_it(header):
    assert suggest_mapping(["Account", "Month", header], "revenue")[header] == "amount"


def test_a_budget_sheets_plan_column_is_its_budget():
    assert suggest_mapping(["Account", "Month", "Plan", "Actual"], "budgets") == {
        "Account": "account", "Month": "month", "Plan": "budget", "Actual": "spend"}


# Periods other than months across the columns ---------------------------------------------------

WEEKLY = "Customer,2026-09-28,2026-10-05,2026-10-12,2026-10-19\nAcme Ltd,1,2,3,4\n"


def test_weeks_across_the_columns_make_the_person_choose_instead_of_a_guess_of_accounts():
    guess = guess_entity(_sheet(WEEKLY, "weekly.csv"), "weekly.csv")
    assert guess.tied == ("revenue", "account_targets", "budgets")
    assert guess.reason.startswith("Weeks run across the columns (2026-09-28, 2026-10-05, ")
    assert guess.reason.endswith("could be revenue or account targets or budgets: choose what it holds.")


def test_quarters_across_a_sheet_named_for_quotas_put_targets_first_and_still_ask():
    guess = guess_entity(_sheet("Account,Q1 2025,Q2 2025,Q3 2025\nAcme Ltd,10,20,30\n", "quota.csv"),
                         "quota.csv")
    assert guess.tied == ("account_targets", "revenue", "budgets")
    assert "Quarters run across the columns (Q1 2025, Q2 2025, Q3 2025)" in guess.layout


def test_the_cli_refuses_a_weekly_sheet_without_entity_and_says_weeks_run_across_it(tmp_path, db_file,
                                                                                     capsys):
    file = tmp_path / "weekly.csv"
    file.write_text(WEEKLY, encoding="utf-8")
    assert main([str(file), "--db", str(db_file), "--json"]) == 2
    message = json.loads(capsys.readouterr().out)["message"]
    assert "pass --entity (revenue or account_targets or budgets)" in message
    assert "Weeks run across the columns" in message
