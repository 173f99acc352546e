"""Undoing an import batch: created rows go, updated rows come back, later edits are protected."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from lib.errors import NotAllowed, ValidationFailed
from lib.importing import apply_import, file_hash, undo_batch
from lib.importing.apply import key_sql, snapshot_sql
from lib.importing.entities import TARGETS
from lib.users import SYSTEM
from tests.builders import add_revenue, make_account, make_user
from tests.importing.pipeline_helpers import staged

REVENUE = ["Customer", "Month", "Sales"]


def _import(db, rows, data=b"file", entity="revenue", header=REVENUE, **kw):
    return apply_import(db, SYSTEM, staged(entity, header, rows, **kw), file_name="f.csv",
                        digest=file_hash(data))


def _revenue(db):
    return db.rows("SELECT month, amount, import_batch_id FROM revenue ORDER BY month")


def test_undo_restores_updated_values_and_removes_created_rows(db):
    acme = make_account(db, name="Acme")
    add_revenue(db, acme, date(2026, 1, 1), 100)
    batch = _import(db, [["Acme", "2026-01", "150"], ["Acme", "2026-02", "80"]])
    assert (batch.created, batch.updated) == (1, 1)
    result = undo_batch(db, SYSTEM, batch.batch_id)
    assert (result.removed, result.restored) == (1, 1)
    assert _revenue(db) == [(date(2026, 1, 1), Decimal("100.00"), None)]
    assert db.value("SELECT undone_at IS NOT NULL FROM import_batches") is True


def test_undo_refuses_when_a_later_edit_touched_a_row_and_names_its_source_row(db):
    acme = make_account(db, name="Acme")
    batch = _import(db, [["Acme", "2026-01", "150"], ["Acme", "2026-02", "80"]], first=7)

    def edit(tx):
        tx.execute("UPDATE revenue SET amount = 81, version = version + 1 WHERE month = '2026-02-01'")
        tx.audit("update", "revenue", acme)
    db.write(SYSTEM, edit)
    with pytest.raises(ValidationFailed) as refused:
        undo_batch(db, SYSTEM, batch.batch_id)
    assert "1 of its records were changed after the import" in str(refused.value)
    assert "row 8" in str(refused.value) and "changed since" in str(refused.value)
    assert [r[1] for r in _revenue(db)] == [Decimal("150.00"), Decimal("81.00")]


def test_a_later_import_of_the_same_record_blocks_undoing_the_earlier_one(db):
    make_account(db, name="Acme")
    first = _import(db, [["Acme", "2026-01", "1"]], b"one")
    _import(db, [["Acme", "2026-01", "2"]], b"two")
    with pytest.raises(ValidationFailed, match="cannot be undone"):
        undo_batch(db, SYSTEM, first.batch_id)


def test_undoing_created_accounts_is_refused_while_revenue_uses_them(db):
    batch = _import(db, [["Acme", "usd"]], entity="accounts", header=["Account Name", "Currency"])
    acme = db.value("SELECT id FROM accounts")
    add_revenue(db, acme, date(2026, 1, 1), 5)
    with pytest.raises(ValidationFailed, match="now used by revenue"):
        undo_batch(db, SYSTEM, batch.batch_id)
    db.write(SYSTEM, lambda tx: (tx.execute("DELETE FROM revenue"), tx.audit("delete", "revenue")))
    undo_batch(db, SYSTEM, batch.batch_id)
    assert db.value("SELECT count(*) FROM accounts") == 0


def test_undoing_an_account_update_restores_every_field_it_changed(db):
    acme = make_account(db, name="Acme", external_id="A-1", tier="standard", industry="Retail")
    batch = _import(db, [["A-1", "Acme Group", "key", ""]], entity="accounts",
                    header=["Id", "Name", "Tier", "Industry"])
    assert db.rows("SELECT name, tier, industry FROM accounts") == [("Acme Group", "key", "Retail")]
    undo_batch(db, SYSTEM, batch.batch_id)
    assert db.rows("SELECT id, name, tier, industry, version FROM accounts") == [
        (acme, "Acme", "standard", "Retail", 3)]
    history = db.rows("SELECT field, old_value, new_value FROM account_history ORDER BY id")
    assert history == [("tier", "standard", "key"), ("tier", "key", "standard")]


def test_undo_is_audited_needs_the_permission_and_cannot_run_twice(db):
    make_account(db, name="Acme")
    batch = _import(db, [["Acme", "2026-01", "1"]])
    with pytest.raises(NotAllowed):
        undo_batch(db, make_user(db, "viewer"), batch.batch_id)
    undo_batch(db, SYSTEM, batch.batch_id)
    audit = db.rows("SELECT changes, batch_id FROM audit_log WHERE action = 'undo_import'")
    assert [(json.loads(c), b) for c, b in audit] == [({"removed": 1, "restored": 0}, batch.batch_id)]
    with pytest.raises(ValidationFailed, match="already undone"):
        undo_batch(db, SYSTEM, batch.batch_id)


def _log_matches_the_table(db, entity):
    """Every record a batch wrote: its undo log's key and `new_values` are the stored record's
    as undo and the integrity check read them, and `old_values` what it held before."""
    target = TARGETS[entity]
    return db.rows(f"SELECT ir.action, ir.new_values = {snapshot_sql(target, 't')}, "
                   f"ir.record_key = {key_sql(target, 't')}, ir.old_values FROM import_rows ir "
                   f"LEFT JOIN {target.table} t ON ir.record_key = {key_sql(target, 't')} "
                   "WHERE ir.entity = ? ORDER BY ir.batch_id, ir.record_key", [entity])


def test_the_undo_log_holds_each_record_as_stored_after_the_import_and_as_it_was_before(db):
    acme = make_account(db, name="Acme", external_id="A-1", tier="key", industry="Retail")
    add_revenue(db, acme, date(2026, 1, 1), 100)
    before = db.value(f"SELECT {snapshot_sql(TARGETS['revenue'], 'r')} FROM revenue r")
    _import(db, [["Acme", "2026-01", "150.5"], ["Acme", "2026-02", "80"]])
    assert _log_matches_the_table(db, "revenue") == [        # January, then February
        ("updated", True, True, before), ("created", True, True, None)]
    # accounts: a new one takes the defaults for what the file leaves out; an update keeps them
    _import(db, [["A-1", "Acme Group", ""], ["A-2", "Zenith", "GBP"]], b"accounts",
            entity="accounts", header=["Id", "Name", "Currency"])
    assert [row[:3] for row in _log_matches_the_table(db, "accounts")] == [
        ("updated", True, True), ("created", True, True)]
    assert json.loads(_log_matches_the_table(db, "accounts")[0][3])["tier"] == "key"
    _import(db, [["A-2", "INV-1", "2026-01-05", "2026-02-04", "1,200.00", "GBP"]], b"invoices",
            entity="invoices", header=["Account", "Invoice Number", "Issue Date", "Due Date",
                                       "Amount", "Currency"])
    _import(db, [["A-2", "INV-1", "2026-01-05", "2026-03-04", "1,250.00", "GBP"]], b"invoices 2",
            entity="invoices", header=["Account", "Invoice Number", "Issue Date", "Due Date",
                                       "Amount", "Currency"])
    assert [row[:3] for row in _log_matches_the_table(db, "invoices")] == [
        ("created", False, True), ("updated", True, True)]   # the first: changed by the second
