"""An accounting package's invoice export (Xero, QuickBooks) lists voided invoices and drafts
beside the ones customers owe. Those are errors that say so, as failed charges are for payments:
nobody is chased for money they do not owe."""
from __future__ import annotations

from decimal import Decimal

import pytest

from lib.importing import preview_import, stage, suggest_mapping
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, sheet_rows, staged, upload

XERO = ("*ContactName,EmailAddress,*InvoiceNumber,Reference,*InvoiceDate,*DueDate,Total,TaxTotal,"
        "InvoiceAmountPaid,InvoiceAmountDue,Currency,Type,Status\n")
REASON = "is not an invoice anyone owes (voided, a draft or cancelled), so leave this row out"


def test_voided_and_draft_invoices_in_a_xero_export_are_errors_and_the_owed_ones_import(db, tmp_path):
    make_account(db, name="Acme", currency="USD")
    sheet = upload(tmp_path, "Invoices.csv", (
        XERO + "Acme,ap@acme.example,INV-9001,PO-1,01/10/2026,31/10/2026,1200.00,200.00,0.00,"
        "1200.00,USD,ACCREC,AUTHORISED\n"
        "Acme,,INV-9002,,02/10/2026,01/11/2026,800.00,0.00,0.00,800.00,USD,ACCREC,VOIDED\n"
        "Acme,,INV-9003,,03/10/2026,02/11/2026,500.00,0.00,0.00,500.00,USD,ACCREC,DRAFT\n"
        "Acme,,INV-9004,,13/10/2026,12/11/2026,700.00,0.00,700.00,0.00,USD,ACCREC,PAID\n"
    ).encode()).sheets[0]
    mapping = suggest_mapping(list(sheet.rows.columns), "invoices", sheet.rows)
    assert (mapping["Status"], mapping["*InvoiceNumber"]) == ("invoice_status", "invoice_number")
    s = stage(sheet.rows, "invoices", mapping)
    assert preview_import(db, s).errors[["row", "column", "value", "reason"]].values.tolist() == [
        [3, "Status", "VOIDED", REASON], [4, "Status", "DRAFT", REASON]]
    apply_file(db, s, b"invoices", skip_bad_rows=True)
    assert db.rows("SELECT invoice_number, amount FROM invoices ORDER BY 1") == [
        ("INV-9001", Decimal("1200.00")), ("INV-9004", Decimal("700.00"))]


@pytest.mark.parametrize("status, owed", [
    ("Authorised", True), ("Approved", True), ("Sent", True), ("Open", True), ("Overdue", True),
    ("Paid", True), ("Partially paid", True), ("Offen", True), ("Void", False), ("Voided", False),
    ("Draft", False), ("Deleted", False), ("Cancelled", False), ("Canceled", False),
    ("Storniert", False), ("Entwurf", False), ("Annulée", False), ("Brouillon", False)])
def test_an_invoice_status_leaves_out_only_invoices_nobody_owes(db, status, owed):
    make_account(db, name="Acme", currency="USD")
    s = staged("invoices", ["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount", "Status"],
               [["INV-1", "Acme", "2026-10-01", "2026-10-31", "100", status],
                ["INV-2", "Acme", "2026-10-02", "2026-11-01", "50", "Sent"]])
    assert s.columns["invoice_status"] == "Status"
    errors = preview_import(db, s).errors
    assert errors["row"].tolist() == ([] if owed else [2])


def test_a_status_column_of_other_words_is_not_taken_for_the_invoice_status():
    header = ["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount", "Status"]
    rows = sheet_rows(header, [["INV-1", "Acme", "2026-10-01", "2026-10-31", "100", "Gold"],
                               ["INV-2", "Acme", "2026-10-02", "2026-11-01", "50", "Silver"]])
    assert suggest_mapping(header, "invoices", rows)["Status"] is None
