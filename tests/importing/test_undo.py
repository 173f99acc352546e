"""Undoing an import batch: created rows go, updated rows come back, later edits are protected."""
from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from lib.errors import NotAllowed, ValidationFailed
from lib.importing import apply_import, file_hash, undo_batch
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
    """Every record a batch wrote: whether the stored record still holds the undo log's
    `new_*` values as undo and the integrity check compare them, whether the log's key finds
    it, and the log's `old_*` values (what it held before)."""
    target = TARGETS[entity]
    snapshot = target.snapshot_columns()
    rows = db.rows(f"SELECT u.action, {target.as_logged('t', 'u')}, t.{target.key[0]} IS NOT NULL, "
                   f"{', '.join('u.old_' + c for c in snapshot)} FROM {target.undo_log} u "
                   f"LEFT JOIN {target.table} t ON {target.same_record('t', 'u')} "
                   f"ORDER BY u.batch_id, {', '.join('u.' + k for k in target.key)}")
    return [(*row[:3], None if row[0] == "created" else dict(zip(snapshot, row[3:])))
            for row in rows]


def _stored(db, entity, where="true"):
    snapshot = TARGETS[entity].snapshot_columns()
    row = db.rows(f"SELECT {', '.join(snapshot)} FROM {TARGETS[entity].table} WHERE {where}")[0]
    return dict(zip(snapshot, row))


def test_the_undo_log_holds_each_record_as_stored_after_the_import_and_as_it_was_before(db):
    acme = make_account(db, name="Acme", external_id="A-1", tier="key", industry="Retail")
    add_revenue(db, acme, date(2026, 1, 1), 100)
    before = _stored(db, "revenue")
    _import(db, [["Acme", "2026-01", "150.5"], ["Acme", "2026-02", "80"]])
    assert _log_matches_the_table(db, "revenue") == [        # January, then February
        ("updated", True, True, before), ("created", True, True, None)]
    # accounts: a new one takes the defaults for what the file leaves out; an update keeps them
    account_before = _stored(db, "accounts", "external_id = 'A-1'")
    _import(db, [["A-1", "Acme Group", ""], ["A-2", "Zenith", "GBP"]], b"accounts",
            entity="accounts", header=["Id", "Name", "Currency"])
    assert _log_matches_the_table(db, "accounts") == [
        ("updated", True, True, account_before), ("created", True, True, None)]
    assert account_before["tier"] == "key"
    _import(db, [["A-2", "INV-1", "2026-01-05", "2026-02-04", "1,200.00", "GBP"]], b"invoices",
            entity="invoices", header=["Account", "Invoice Number", "Issue Date", "Due Date",
                                       "Amount", "Currency"])
    _import(db, [["A-2", "INV-1", "2026-01-05", "2026-03-04", "1,250.00", "GBP"]], b"invoices 2",
            entity="invoices", header=["Account", "Invoice Number", "Issue Date", "Due Date",
                                       "Amount", "Currency"])
    assert [row[:3] for row in _log_matches_the_table(db, "invoices")] == [
        ("created", False, True), ("updated", True, True)]   # the first: changed by the second


def _old_log(tx, batch_id, entity, target, where, action, row, old=None):
    """One record in the undo log as it was written before migration 012: JSON texts of the
    key and of the snapshot columns, as the stored record holds them now."""
    def as_json(columns, alias="t"):
        return "to_json(struct_pack(" + ", ".join(f"{c} := {alias}.{c}" for c in columns) + "))"
    key = as_json(target.key) if not entity.startswith("ref:") else (
        f"to_json(struct_pack(id := t.id, ref := '{entity[4:]}'))")
    tx.execute(f"INSERT INTO import_rows SELECT ?, ?, {key}::VARCHAR, ?, [?], ?, "
               f"{as_json(target.snapshot_columns())} FROM {target.table} t WHERE {where}",
               [batch_id, entity, action, row, old])


def test_a_batch_logged_before_the_typed_undo_log_is_still_undone_after_the_migration(tmp_path):
    from lib import integrity, migrate
    from lib.db import Database
    older = tmp_path / "migrations"
    older.mkdir()
    for m in migrate.migrations():
        if m.version < 12:
            (older / m.path.name).write_bytes(m.path.read_bytes())
    db = Database(tmp_path / "old.duckdb")
    migrate.apply_migrations(db, older)
    acme = make_account(db, name="Acme", currency="EUR")
    db.write(SYSTEM, lambda tx: tx.audit("create", "account", acme, {"name": "Acme"}))
    add_revenue(db, acme, date(2026, 1, 1), 100, "EUR")
    revenue, accounts, managers = TARGETS["revenue"], TARGETS["accounts"], TARGETS["managers"]

    def old_import(tx):
        def batch(entity, created, updated):
            return tx.value("INSERT INTO import_batches (file_name, file_hash, entity, mapping, "
                            "rows_created, rows_updated, rows_unchanged, rows_rejected, created_by) "
                            "VALUES ('old.csv', ?, ?, '{}', ?, ?, 0, 0, 0) RETURNING id",
                            [entity, entity, created, updated])
        first = batch("revenue", 1, 1)
        jan = "account_id = %d AND month = DATE '2026-01-01'" % acme
        was = tx.value(f"SELECT to_json(struct_pack(amount := amount, currency := currency, "
                       f"import_batch_id := import_batch_id, version := version)) FROM revenue WHERE {jan}")
        tx.execute(f"UPDATE revenue SET amount = 150, version = version + 1, import_batch_id = ? "
                   f"WHERE {jan}", [first])
        tx.execute("INSERT INTO revenue (account_id, month, amount, currency, import_batch_id, "
                   "created_by, updated_by) VALUES (?, DATE '2026-02-01', 80, 'EUR', ?, 0, 0)",
                   [acme, first])
        _old_log(tx, first, "revenue", revenue, jan, "updated", 2, was)
        _old_log(tx, first, "revenue", revenue, f"account_id = {acme} AND month = DATE '2026-02-01'",
                 "created", 3)
        tx.audit("import", "revenue", first, {"file": "old.csv"}, batch_id=first)
        second = batch("accounts", 1, 0)        # with its manager created on request
        tx.execute("INSERT INTO account_managers (id, name, role_title, created_by, updated_by) "
                   "VALUES (900, 'New Manager', 'Account Manager', 0, 0)")
        tx.execute("INSERT INTO accounts (id, name, currency, owner_id, tier, scope, status, "
                   "created_by, updated_by) VALUES (901, 'Zenith', 'GBP', 900, 'standard', "
                   "'regional', 'active', 0, 0)")
        _old_log(tx, second, "accounts", accounts, "id = 901", "created", 2)
        _old_log(tx, second, "ref:managers", managers, "id = 900", "created", 2)
        tx.audit("create", "managers", None, {"created_for_import": ["New Manager"], "ids": [900]},
                 batch_id=second)
        tx.audit("import", "accounts", second, {"file": "old.csv"}, batch_id=second)
        return first, second

    first, second = db.write(SYSTEM, old_import)
    assert "012_typed_undo_log.sql" in migrate.apply_migrations(db)
    assert db.rows("SELECT action, source_rows, account_id, month, old_amount, new_amount, "
                   "new_version FROM import_rows_revenue ORDER BY month") == [
        ("updated", [2], acme, date(2026, 1, 1), Decimal("100.00"), Decimal("150.00"), 2),
        ("created", [3], acme, date(2026, 2, 1), None, Decimal("80.00"), 1)]
    assert integrity.check(db) == []
    undo_batch(db, SYSTEM, second)
    assert db.rows("SELECT id FROM accounts WHERE id = 901 UNION ALL "
                   "SELECT id FROM account_managers WHERE id = 900") == []
    undo_batch(db, SYSTEM, first)
    assert _revenue(db) == [(date(2026, 1, 1), Decimal("100.00"), None)]
    assert integrity.check(db) == []
    db.close()
