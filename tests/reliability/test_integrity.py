"""lib.integrity: silent on the demo and after the app's real writes, loud on each kind of damage."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from lib import accounts, importing, integrity, interactions, target_edits, target_history
from lib.contacts import add_contact
from lib.migrate import open_database
from lib.models import AccountEdit, NewContact, NewInteraction
from lib.target_rules import CellEdit
from tests.conftest import ADMIN, MANAGER, copy_db
from tests.reliability.conftest import person




def import_csv(db, actor, entity: str, text: str, name: str):
    data = text.encode()
    sheet = importing.read_upload(data, name).importable_sheets[0]
    staged = importing.stage(sheet.rows, entity, importing.suggest_mapping(list(sheet.rows.columns), entity), {})
    return importing.apply_import(db, actor, staged, file_name=name, digest=importing.file_hash(data))


def test_the_demo_portfolio_passes_the_integrity_check(demo):
    assert integrity.check(demo) == []


def test_the_apps_own_writes_keep_the_database_consistent(demo):
    maya, fiona = person(demo, MANAGER), person(demo, ADMIN)
    account = demo.value("SELECT min(id) FROM accounts WHERE owner_id = ?", [maya.manager_id])
    contact = add_contact(demo, maya, account, NewContact.parse(name="Ada Lovelace", role="user"))
    item = NewInteraction.parse(account_id=account, type="call", subject="Renewal",
                                occurred_at=datetime(2026, 1, 5, 10), contact_ids=(contact,))
    new_id = interactions.record_interaction(demo, maya, item, idempotency_key="k1")
    version = interactions.update_interaction(demo, maya, new_id, 1, item.model_copy(update={"notes": "Went well"}))
    interactions.delete_interaction(demo, maya, new_id)
    interactions.restore_interaction(demo, maya, new_id)
    assert version == 2

    current = accounts.get_account(demo, account)
    edit = AccountEdit.parse(**{**{k: current[k] for k in accounts.EDITABLE}, "industry": "Shipping"})
    accounts.update_account(demo, fiona, account, current["version"], edit)

    month = date(2190, 1, 1)
    target_edits.save(demo, fiona, "account", [CellEdit(account, month, Decimal("500"))], {})
    change = demo.value("SELECT max(id) FROM target_changes")
    target_history.revert(demo, fiona, change)

    ext = demo.value("SELECT external_id FROM accounts WHERE id = ?", [account])
    batch = import_csv(demo, fiona, "revenue", f"Account,Month,Amount\n{ext},2190-01,100\n{ext},2190-02,200\n",
                       "revenue.csv")
    renamed = import_csv(demo, fiona, "accounts", f"External id,Account name\n{ext},Harbor Foods\n", "accounts.csv")
    importing.undo_batch(demo, fiona, renamed.batch_id)
    assert batch.created == 2 and renamed.updated == 1

    assert integrity.check(demo) == []


DAMAGE = {
    "an account whose owner is gone": (
        "DELETE FROM account_managers WHERE id = (SELECT owner_id FROM accounts WHERE owner_id IS NOT NULL LIMIT 1)",
        "accounts.owner_id"),
    "a payment of an invoice that is gone": (
        "DELETE FROM invoices WHERE id = (SELECT invoice_id FROM payments LIMIT 1)", "payments.invoice_id"),
    "revenue of an account that is gone": (
        "UPDATE revenue SET account_id = 99999 WHERE rowid = (SELECT min(rowid) FROM revenue)",
        "revenue.account_id"),
    "a row written by a user who does not exist": (
        "UPDATE contacts SET updated_by = 4242 WHERE id = 1", "contacts.updated_by"),
    "a plan band of a missing plan": (
        "UPDATE comp_plan_bands SET plan_id = 777 WHERE plan_id = (SELECT min(plan_id) FROM comp_plan_bands)", "comp_plan_bands.plan_id"),
    "an interaction without its create audit row": (
        "INSERT INTO interactions (account_id, manager_id, type, occurred_at, subject, created_by, updated_by) "
        "VALUES (1, 1, 'call', TIMESTAMP '2026-01-01', 'sneaked in', 0, 0)",
        "have no audit row recording their creation"),
    "an interaction changed without an audit row": (
        "UPDATE interactions SET version = version + 1 WHERE id = 1",
        "interactions: 1 interaction have a version"),
    "an account changed without an audit row": (
        "UPDATE accounts SET version = 2 WHERE id = 1", "accounts: 1 account have a version"),
    "a target changed without its history": (
        "UPDATE account_targets SET amount = amount + 1 WHERE (account_id, month) IN "
        "(SELECT (subject_id, month) FROM target_changes WHERE level = 'account' LIMIT 1)",
        "do not hold the value their last recorded change set"),
    "a contact of another account on an interaction": (
        "UPDATE interaction_contacts SET contact_id = (SELECT min(c.id) FROM contacts c WHERE c.account_id <> "
        "(SELECT account_id FROM interactions WHERE id = interaction_contacts.interaction_id)) "
        "WHERE interaction_id = (SELECT min(interaction_id) FROM interaction_contacts)",
        "join an interaction to a contact of another account"),
}


@pytest.mark.parametrize("sql, expected", DAMAGE.values(), ids=DAMAGE.keys())
def test_each_kind_of_damage_is_named_in_words(demo, sql, expected):
    with demo.cursor() as cur:
        cur.execute(sql)
    problems = integrity.check(demo)
    assert any(expected in p for p in problems), problems
    assert all(p.endswith(".") and "Traceback" not in p for p in problems)


def _import_some_revenue(db) -> int:
    ext = db.value("SELECT external_id FROM accounts ORDER BY id LIMIT 1")
    rows = "".join(f"{ext},2190-{m:02d},{m}00\n" for m in range(1, 4))
    return import_csv(db, person(db, ADMIN), "revenue", "Account,Month,Amount\n" + rows, "r.csv").batch_id


BATCH_DAMAGE = {
    "a batch missing one of its records": (
        "DELETE FROM import_rows_revenue WHERE batch_id = {b} AND month = (SELECT min(month) "
        "FROM import_rows_revenue WHERE batch_id = {b})", "do not list as many records"),
    "a batch without its audit row": (
        "DELETE FROM audit_log WHERE batch_id = {b}", "do not have exactly one audit row of their import"),
    "a row claiming a batch that does not list it": (
        "UPDATE revenue SET import_batch_id = {b} WHERE import_batch_id IS NULL AND month = "
        "(SELECT min(month) FROM revenue) AND account_id = (SELECT min(account_id) FROM revenue)",
        "carry the id of an import batch that was undone or does not list them"),
    "a live batch whose record vanished": (
        "DELETE FROM revenue WHERE import_batch_id = {b} AND month = DATE '2190-01-01'",
        "listed by live import batches are missing"),
    "an undone batch still holding rows": (
        "UPDATE import_batches SET undone_at = now()::TIMESTAMP WHERE id = {b}",
        "do not have exactly one audit row of their undo"),
    "a batch listing one record twice": (
        "INSERT INTO import_rows_revenue SELECT * FROM import_rows_revenue WHERE batch_id = {b} LIMIT 1",
        "list the same record more than once"),
}


@pytest.mark.parametrize("sql, expected", BATCH_DAMAGE.values(), ids=BATCH_DAMAGE.keys())
def test_a_half_written_or_damaged_import_batch_is_named(demo, sql, expected):
    batch = _import_some_revenue(demo)
    assert integrity.check(demo) == []
    with demo.cursor() as cur:
        cur.execute(sql.format(b=batch))
    problems = integrity.check(demo)
    assert any(expected in p for p in problems), problems


def test_the_command_line_prints_the_problems_and_exits_1(tmp_path, demo_db_file, capsys):
    clean = copy_db(demo_db_file, tmp_path / "clean.duckdb")
    assert integrity.main(["--db", str(clean)]) == 0
    assert "no problems found" in capsys.readouterr().out

    db = open_database(copy_db(demo_db_file, tmp_path / "broken.duckdb"))
    with db.cursor() as cur:
        cur.execute("UPDATE revenue SET account_id = 99999 WHERE rowid = (SELECT min(rowid) FROM revenue)")
    db.close()
    assert integrity.main(["--db", str(tmp_path / "broken.duckdb")]) == 1
    out = capsys.readouterr().out
    assert "revenue.account_id" in out and "1 problem found." in out


def test_the_command_line_says_so_when_there_is_no_database(tmp_path, capsys):
    assert integrity.main(["--db", str(tmp_path / "missing.duckdb")]) == 2
    assert "there is no database file" in capsys.readouterr().err
    assert not (tmp_path / "missing.duckdb").exists()
