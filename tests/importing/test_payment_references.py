"""A payment's reference is its key only when it names one payment: finance exports often write
how it was paid ("BACS", "Cheque") in the reference column, and many payments share that."""
from __future__ import annotations

from decimal import Decimal

from lib.importing import preview_import
from tests.builders import make_account
from tests.importing.pipeline_helpers import apply_file, staged

INVOICES = ["Invoice No", "Customer", "Invoice Date", "Due Date", "Amount"]
PAYMENTS = ["Invoice", "Payment Date", "Amount Paid", "Reference"]


def _invoice(db):
    make_account(db, name="Harbourside Media", currency="GBP")
    apply_file(db, staged("invoices", INVOICES, [["INV-4478", "Harbourside Media", "2026-10-01",
                                                   "2026-10-31", "20000"]]), b"inv")


def _paid(db):
    return db.rows("SELECT paid_on::VARCHAR, amount, reference FROM payments ORDER BY paid_on")


def test_a_second_payment_with_the_same_worded_reference_is_a_new_payment_not_an_update(db):
    _invoice(db)
    apply_file(db, staged("payments", PAYMENTS, [["INV-4478", "2026-11-03", "5000", "BACS"]]), b"1")
    later = staged("payments", PAYMENTS, [["INV-4478", "2026-11-20", "6418.74", "BACS"]])
    preview = preview_import(db, later)
    assert preview.records == {"create": 1, "update": 0, "unchanged": 0}
    assert any(n.startswith("1 payments have a reference that names no one payment (such as 'BACS')")
               for n in preview.notes)
    apply_file(db, later, b"2")
    assert _paid(db) == [("2026-11-03", Decimal("5000.00"), "BACS"),
                         ("2026-11-20", Decimal("6418.74"), "BACS")]


def test_two_payments_of_one_file_sharing_a_worded_reference_are_both_imported(db):
    _invoice(db)
    both = staged("payments", PAYMENTS, [["INV-4478", "2026-11-03", "5000", "Cheque"],
                                         ["INV-4478", "2026-11-10", "2500", "Cheque"]])
    preview = preview_import(db, both)
    assert preview.ok and preview.records["create"] == 2
    apply_file(db, both)
    assert [amount for _, amount, _ in _paid(db)] == [Decimal("5000.00"), Decimal("2500.00")]


def test_a_reference_that_names_a_payment_still_matches_it_when_its_amount_is_corrected(db):
    _invoice(db)
    apply_file(db, staged("payments", PAYMENTS, [["INV-4478", "2026-11-03", "5000", "CHQ 000451"]]), b"1")
    fixed = staged("payments", PAYMENTS, [["INV-4478", "2026-11-03", "5500", "CHQ 000451"]])
    preview = preview_import(db, fixed)
    assert preview.records == {"create": 0, "update": 1, "unchanged": 0} and not any(
        "names no one payment" in n for n in preview.notes)
    apply_file(db, fixed, b"2")
    assert _paid(db) == [("2026-11-03", Decimal("5500.00"), "CHQ 000451")]


def test_payments_with_no_reference_in_a_mapped_reference_column_are_not_merged(db):
    _invoice(db)
    rows = staged("payments", PAYMENTS, [["INV-4478", "2026-11-03", "5000", ""],
                                         ["INV-4478", "2026-11-04", "700", ""]])
    assert preview_import(db, rows).records["create"] == 2
