"""When the column mapped to the records a file refers to names hardly any of them, and another
column names most: Stripe's own Invoice ID beside the invoice's number, a CRM's customer id
beside the customer's name. The preview says which column to map instead."""
from __future__ import annotations

from lib.importing.cli import main
from lib.importing.hints import reference_hints
from lib.migrate import open_database
from tests.builders import make_account
from tests.conftest import copy_db
from tests.importing.pipeline_helpers import apply_file, sheet_rows, staged

STRIPE = ["id", "Created (UTC)", "Amount", "Invoice ID", "Invoice Number (metadata)"]
STRIPE_ROWS = [["ch_1", "2026-11-02", "100.00", "in_1Nx", "INV-1"],
               ["ch_2", "2026-11-03", "50.00", "in_1Ny", "INV-2"]]


def invoices(db) -> None:
    make_account(db, name="Acme Ltd", currency="USD", external_id="CRM-7")
    s = staged("invoices", ["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount"],
               [["INV-1", "Acme Ltd", "2026-10-01", "2026-10-31", "100"],
                ["INV-2", "Acme Ltd", "2026-10-02", "2026-11-01", "50"]])
    apply_file(db, s, b"invoices")


def test_stripes_own_invoice_id_mapped_points_to_the_column_holding_the_invoice_numbers(db):
    invoices(db)
    rows = sheet_rows(STRIPE, STRIPE_ROWS)
    mapping = {"id": None, "Created (UTC)": "paid_on", "Amount": "amount",
               "Invoice ID": "invoice_number", "Invoice Number (metadata)": None}
    assert reference_hints(db, rows, "payments", mapping) == [
        "'Invoice Number (metadata)' names existing invoices (100% of the values checked), "
        "'Invoice ID' hardly any: map 'Invoice Number (metadata)' to Invoice number instead."]
    mapping |= {"Invoice ID": None, "Invoice Number (metadata)": "invoice_number"}
    assert reference_hints(db, rows, "payments", mapping) == []


def test_a_column_of_account_names_is_pointed_out_when_the_mapped_ids_name_no_account(db):
    invoices(db)
    header = ["Customer ID", "Customer Description", "Month", "Amount"]
    rows = sheet_rows(header, [["cus_1", "ACME LTD.", "2026-10", "10"], ["cus_1", "Acme Ltd", "2026-11", "5"]])
    mapping = {"Customer ID": "account", "Customer Description": None, "Month": "month",
               "Amount": "amount"}
    assert reference_hints(db, rows, "revenue", mapping) == [
        "'Customer Description' names existing accounts (100% of the values checked), "
        "'Customer ID' hardly any: map 'Customer Description' to Account (external id or name) "
        "instead."]


def test_an_unmapped_reference_is_pointed_to_the_column_that_names_the_records(db):
    invoices(db)
    rows = sheet_rows(["Buyer", "Month", "Amount"], [["CRM-7", "2026-10", "10"]])
    assert reference_hints(db, rows, "revenue", {"Buyer": None, "Month": "month", "Amount": "amount"}) == [
        "'Buyer' names existing accounts (100% of the values checked): map 'Buyer' to Account "
        "(external id or name)."]


def test_no_hint_when_the_mapped_column_names_the_records_or_no_other_column_does(db):
    invoices(db)
    header = ["Customer", "Note", "Month", "Amount"]
    rows = sheet_rows(header, [["Acme Ltd", "Acme Ltd", "2026-10", "10"]])
    assert reference_hints(db, rows, "revenue", {"Customer": "account", "Note": None,
                                                 "Month": "month", "Amount": "amount"}) == []
    rows = sheet_rows(header, [["Nobody plc", "a note", "2026-10", "10"]])
    assert reference_hints(db, rows, "revenue", {"Customer": "account", "Note": None,
                                                 "Month": "month", "Amount": "amount"}) == []


def test_the_command_line_prints_the_hint_among_its_notes(migrated_db_file, tmp_path, capsys):
    db_file = copy_db(migrated_db_file, tmp_path / "cli.duckdb")
    database = open_database(db_file)
    invoices(database)
    database.close()
    path = tmp_path / "unified_payments.csv"
    path.write_text(",".join(STRIPE) + "\n" + "".join(",".join(r) + "\n" for r in STRIPE_ROWS))
    assert main([str(path), "--entity", "payments", "--dry-run", "--db", str(db_file)]) == 1
    assert ("note: 'Invoice Number (metadata)' names existing invoices (100% of the values "
            "checked), 'Invoice ID' hardly any") in capsys.readouterr().out
