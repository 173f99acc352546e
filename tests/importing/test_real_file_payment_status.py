"""A payment processor's export (Stripe, PayPal, a bank's) lists every charge: failed, refunded
and pending ones beside the money that arrived. Only completed payments are payments; the rest
are errors that say so, as lost deals are for revenue."""
from __future__ import annotations

from decimal import Decimal

import pytest

from lib.importing import preview_import, stage, suggest_mapping
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, sheet_rows, staged, upload

STRIPE = ("id,Description,Created (UTC),Amount,Amount Refunded,Currency,Status,Customer Email,"
          "Invoice Number (metadata)\n")


def invoice(db, number: str = "INV-1") -> None:
    make_account(db, name="Acme", currency="USD")
    s = staged("invoices", ["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount"],
               [[number, "Acme", "2026-10-01", "2026-10-31", "9000"]])
    apply_file(db, s, b"invoices")


def test_failed_and_refunded_charges_in_a_stripe_export_are_errors_and_only_paid_ones_import(
        db, tmp_path):
    invoice(db)
    sheet = upload(tmp_path, "unified_payments.csv", (
        STRIPE + 'ch_1,Invoice INV-1,2026-11-02 14:03:11,"1,000.00",0.00,usd,Paid,ap@acme.example,INV-1\n'
        'ch_2,Invoice INV-1,2026-11-03 09:00:00,"2,000.00","2,000.00",usd,Refunded,ap@acme.example,INV-1\n'
        'ch_3,Invoice INV-1,2026-11-04 09:00:00,"3,000.00",0.00,usd,Failed,ap@acme.example,INV-1\n'
    ).encode()).sheets[0]
    mapping = suggest_mapping(list(sheet.rows.columns), "payments", sheet.rows)
    assert (mapping["Status"], mapping["Invoice Number (metadata)"]) == ("status", "invoice_number")
    s = stage(sheet.rows, "payments", mapping)
    reason = "is not a completed payment: only money received is a payment, so leave this row out"
    assert preview_import(db, s).errors[["row", "column", "value", "reason"]].values.tolist() == [
        [3, "Status", "Refunded", reason], [4, "Status", "Failed", reason]]
    apply_file(db, s, b"payments", skip_bad_rows=True)
    assert db.rows("SELECT amount FROM payments") == [(Decimal("1000.00"),)]


@pytest.mark.parametrize("status, imported", [
    ("Paid", True), ("succeeded", True), ("Settled", True), ("COMPLETED", True), ("Booked", True),
    ("Bezahlt", True), ("Payé", True), ("Unpaid", False), ("Not paid", False),
    ("Partially refunded", False), ("Pending", False), ("Declined", False), ("Canceled", False),
    ("Incomplete", False), ("Disputed", False)])
def test_a_payments_status_imports_it_only_when_it_says_the_money_arrived(db, status, imported):
    invoice(db)
    s = staged("payments", ["Invoice", "Payment Date", "Amount Paid", "Status"],
               [["INV-1", "2026-11-02", "100", status], ["INV-1", "2026-11-03", "50", "Paid"]])
    assert s.columns["status"] == "Status"
    errors = preview_import(db, s).errors
    assert errors.empty == imported
    assert errors["row"].tolist() == ([] if imported else [2])


def test_a_status_column_that_never_says_paid_is_not_taken_for_the_payment_status():
    header = ["Invoice", "Payment Date", "Amount Paid", "Status"]
    rows = sheet_rows(header, [["INV-1", "2026-11-02", "100", "Open"], ["INV-2", "2026-11-02", "5", "Closed"]])
    assert suggest_mapping(header, "payments", rows)["Status"] is None
